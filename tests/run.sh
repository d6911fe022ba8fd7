#!/bin/sh
# run.sh - runs the test suites and prints one closing line
# "N passed, N failed, N skipped". Suites: unit, integration, e2e (default all).
# Not a test framework: cmocka binaries and TAP-like shell scripts do the work.
# The simulators' own self-tests (scripts named test_*sim*.sh) are counted
# apart, on a line of their own before the closing one; a failure there
# still fails the run.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
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

# timed NAME START: notes how many seconds NAME took, for the closing
# list of the slowest.
timed() { echo "$(($(date +%s) - $2)) $1" >>"$log/times"; }

run_binary() { # path
	name=$(basename "$1")
	out="$log/$name.out"
	t0=$(date +%s)
	"$1" >"$out" 2>&1
	rc=$?
	timed "$name" "$t0"
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

run_script() { # path
	name=$(basename "$1")
	out="$log/$name.out"
	t0=$(date +%s)
	sh "$1" >"$out" 2>&1
	rc=$?
	timed "$name" "$t0"
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

for suite in $suites; do
	echo "== $suite"
	case $suite in
	unit)
		for t in tests/unit/test_*.c; do
			[ -e "$t" ] || continue
			b="$BUILD/tests/$(basename "$t" .c)"
			run_binary "$b"
		done ;;
	integration)
		for t in tests/integration/test_*.c; do
			[ -e "$t" ] || continue
			run_binary "$BUILD/tests/$(basename "$t" .c)"
		done
		for t in tests/integration/test_*.sh; do
			[ -e "$t" ] || continue
			# Under the sanitizers only the scripts that say so
			# (a line "# runs under the sanitizers").
			if [ -n "${JD_SANITIZED:-}" ] &&
				! grep -q '^# runs under the sanitizers$' "$t"; then
				continue
			fi
			run_script "$t"
		done ;;
	e2e)
		for t in tests/e2e/test_*.sh; do
			[ -e "$t" ] || continue
			run_script "$t"
		done ;;
	*) echo "run.sh: unknown suite $suite" >&2; exit 2 ;;
	esac
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
