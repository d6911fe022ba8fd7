#!/bin/sh
# run.sh - runs the test suites and prints one closing line
# "N passed, N failed, N skipped". Suites: unit, integration, e2e (default all).
# Not a test framework: cmocka binaries and TAP-like shell scripts do the work.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
suites=${*:-unit integration e2e}
passed=0 failed=0 skipped=0
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

run_binary() { # path
	name=$(basename "$1")
	out="$log/$name.out"
	"$1" >"$out" 2>&1
	rc=$?
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
	sh "$1" >"$out" 2>&1
	rc=$?
	count_tap "$out"
	cat "$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
		echo "not ok - $name exited $rc"
		failed=$((failed + 1))
	fi
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
		[ -n "${JD_SANITIZED:-}" ] && continue
		for t in tests/integration/test_*.sh; do
			[ -e "$t" ] || continue
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

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
rm -rf "$log"
[ "$failed" -eq 0 ]
