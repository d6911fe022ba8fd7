#!/bin/sh
# run.sh - runs every libFuzzer target in $BUILD/fuzz for FUZZ_TIME seconds
# each, from its seed corpus (tests/fuzz/corpus/NAME, copied to a scratch
# directory so the repo's corpus stays as it is), with the dictionary
# tests/fuzz/NAME.dict or json.dict when there is one. Prints one TAP line
# per target and "N passed, N failed". A crash leaves its input in
# $FUZZ_OUT (default build-fuzz/fuzz-out) and is printed in hex, so a CI
# log alone is enough to write the regression test.
# Arguments: target names, with or without fuzz_ (default all). Not a
# corpus minimiser.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-fuzz}
FUZZ_TIME=${FUZZ_TIME:-30}
FUZZ_OUT=${FUZZ_OUT:-$BUILD/fuzz-out}
mkdir -p "$FUZZ_OUT"
work=$(mktemp -d "${TMPDIR:-/tmp}/jd-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
passed=0 failed=0

targets=${*:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}
for name in $targets; do
	name=fuzz_${name#fuzz_}
	bin="$BUILD/fuzz/$name"
	short=${name#fuzz_}
	if [ ! -x "$bin" ]; then
		echo "not ok - $short: $bin was not built"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$work/$short"
	[ -d "tests/fuzz/corpus/$short" ] &&
		cp "tests/fuzz/corpus/$short"/* "$work/$short/" 2>/dev/null
	dict=""
	if [ -f "tests/fuzz/$short.dict" ]; then
		dict="-dict=tests/fuzz/$short.dict"
	elif grep -q 'dictionary: json' "tests/fuzz/$name.c"; then
		dict="-dict=tests/fuzz/json.dict"
	fi
	log="$FUZZ_OUT/$short.log"
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb: memory
	# growing past 1 GiB is a leak or an unbounded buffer.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=1024 \
		-max_len=8192 -print_final_stats=1 $dict \
		-artifact_prefix="$FUZZ_OUT/$short-" "$work/$short" \
		>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -eq 0 ]; then
		echo "ok - $short: ${runs:-?} inputs in ${FUZZ_TIME} s"
		passed=$((passed + 1))
	else
		echo "not ok - $short: libFuzzer exited $rc after ${runs:-?} inputs"
		grep -m 5 -E 'fuzz check failed|ERROR: |runtime error|SUMMARY' \
			"$log" | sed 's/^/#   /'
		for a in "$FUZZ_OUT/$short-"*; do
			[ -f "$a" ] || continue
			echo "#   input $a:"
			od -An -tx1 -v "$a" | head -n 40 | sed 's/^/#   /'
		done
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
