#!/bin/sh
# run.sh - runs the test suites and prints one closing line
# "N passed, N failed, N skipped". Suites: unit, integration, e2e (default all).
# Not a test framework: cmocka binaries and TAP-like shell scripts do the work.
# The simulators' own self-tests (scripts named test_*sim*.sh) are counted
# apart, on a line of their own before the closing one; a failure there
# still fails the run.
# JOBS=N runs up to N of a suite's integration and end-to-end tests at once
# (each has its own temporary directory, HOME, ports and tmux server; most
# of their time is spent waiting on simulators); their outputs are printed
# and counted in the usual order once the suite is done. Default 1.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD

# run.sh --one PATH (used by the parallel runner): runs one test binary or
# script, leaving its output, exit status and time in JD_TEST_LOG.
if [ "${1:-}" = --one ]; then
	name=$(basename "$2")
	t0=$(date +%s)
	case $2 in
	*.sh) sh "$2" >"$JD_TEST_LOG/$name.out" 2>&1 ;;
	*) "$2" >"$JD_TEST_LOG/$name.out" 2>&1 ;;
	esac
	rc=$?
	echo $rc >"$JD_TEST_LOG/$name.rc"
	echo "$(($(date +%s) - t0)) $name" >>"$JD_TEST_LOG/times"
	# progress while the suite runs (its results follow when it is done)
	echo "# $name: exit $rc after $(($(date +%s) - t0)) s" >&2
	exit 0
fi

JOBS=${JOBS:-1}
# Side by side, the end-to-end tests' waits are twice as long (tests/e2e/
# lib.sh: ticks).
if [ "$JOBS" -gt 1 ] && [ -z "${JD_WAIT_SCALE:-}" ]; then
	JD_WAIT_SCALE=2
	export JD_WAIT_SCALE
fi
suites=${*:-unit integration e2e}
passed=0 failed=0 skipped=0
sim_passed=0 sim_failed=0 sim_skipped=0
failures=""
log=$(mktemp -d "${TMPDIR:-/tmp}/jd-test.XXXXXX")
export JD_TEST_LOG=$log

count_cmocka() { # file
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$1" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$1" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:/\1/p' "$1" | tail -1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
}

count_tap() { # file
	p=$(grep -c '^ok ' "$1")
	f=$(grep -c '^not ok ' "$1")
	s=$(grep -c '^skip ' "$1")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

# run_all PATH...: runs each test, JOBS at a time, for report_* to read.
run_all() {
	if [ "$JOBS" -gt 1 ]; then
		printf '%s\n' "$@" | xargs -P "$JOBS" -n 1 sh tests/run.sh --one
	else
		for t; do sh tests/run.sh --one "$t"; done
	fi
}

report_binary() { # path
	name=$(basename "$1")
	out="$log/$name.out"
	rc=$(cat "$log/$name.rc" 2>/dev/null || echo 127)
	count_cmocka "$out"
	cat "$out"
	if [ $rc -ne 0 ] && ! grep -q '^\[  FAILED  \]' "$out"; then
		echo "not ok - $name crashed or exited $rc"
		failed=$((failed + 1))
		failures="$failures $name"
	elif [ $rc -ne 0 ]; then
		failures="$failures $name"
	fi
}

report_script() { # path
	name=$(basename "$1")
	out="$log/$name.out"
	rc=$(cat "$log/$name.rc" 2>/dev/null || echo 127)
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
		echo "not ok - $name exited $rc" >>"$out"
	fi
	case $name in
	test_*sim*.sh) # a simulator's self-test: its own tally
		p0=$passed f0=$failed s0=$skipped
		count_tap "$out"
		sim_passed=$((sim_passed + passed - p0))
		sim_failed=$((sim_failed + failed - f0))
		sim_skipped=$((sim_skipped + skipped - s0))
		passed=$p0 failed=$f0 skipped=$s0 ;;
	*) count_tap "$out" ;;
	esac
	cat "$out"
	[ $rc -ne 0 ] && failures="$failures $name"
}

# suite_tests SUITE: the suite's tests, binaries first, one a line.
suite_tests() {
	case $1 in
	unit)
		for t in tests/unit/test_*.c; do
			[ -e "$t" ] && echo "$BUILD/tests/$(basename "$t" .c)"
		done ;;
	integration)
		for t in tests/integration/test_*.c; do
			[ -e "$t" ] && echo "$BUILD/tests/$(basename "$t" .c)"
		done
		for t in tests/integration/test_*.sh; do
			[ -e "$t" ] || continue
			# Under the sanitizers only the scripts that say so
			# (a line "# runs under the sanitizers").
			if [ -n "${JD_SANITIZED:-}" ] &&
				! grep -q '^# runs under the sanitizers$' "$t"; then
				continue
			fi
			echo "$t"
		done ;;
	e2e)
		for t in tests/e2e/test_*.sh; do
			[ -e "$t" ] && echo "$t"
		done ;;
	*) return 1 ;;
	esac
}

for suite in $suites; do
	echo "== $suite"
	if ! list=$(suite_tests "$suite"); then
		echo "run.sh: unknown suite $suite" >&2
		exit 2
	fi
	# shellcheck disable=SC2086 # one path a word
	if [ "$suite" = unit ]; then
		JOBS=1 run_all $list
	else
		run_all $list
	fi
	for t in $list; do
		case $t in
		*.sh) report_script "$t" ;;
		*) report_binary "$t" ;;
		esac
	done
done

if [ -s "$log/times" ]; then
	sort -rn "$log/times" >"$BUILD/test-times.txt"
	echo "slowest (seconds, all in $BUILD/test-times.txt):" \
		"$(head -8 "$BUILD/test-times.txt" |
			awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1}')"
	echo "time in tests: $(awk '{s += $1} END {print s}' "$log/times") s"
fi
[ -n "$failures" ] && echo "failing:$failures"
if [ $((sim_passed + sim_failed + sim_skipped)) -gt 0 ]; then
	echo "simulator self-tests: $sim_passed passed, $sim_failed failed," \
		"$sim_skipped skipped"
fi
echo "$passed passed, $failed failed, $skipped skipped"
rm -rf "$log"
[ "$failed" -eq 0 ] && [ "$sim_failed" -eq 0 ]
