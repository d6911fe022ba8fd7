#!/bin/sh
# test_docs.sh - the README's key list, --help and the man page agree with
# the program: every key in the action table, every option and subcommand.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$BUILD/jumpdeck
fail=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; }

gen=$(mktemp)
"$bin" --config /dev/null keys --markdown >"$gen"
readme=$(mktemp)
sed -n '/<!-- keys:begin -->/,/<!-- keys:end -->/p' README.md |
	sed '1d;$d' >"$readme"
if diff -u "$readme" "$gen"; then
	ok "README key list matches 'jumpdeck keys --markdown'"
else
	nok "README key list matches 'jumpdeck keys --markdown'"
fi

help=$("$bin" --help)
for opt in $(echo "$help" | grep -o -- '--[a-z-]*' | sort -u); do
	if grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" doc/jumpdeck.1; then
		ok "man page documents $opt"
	else
		nok "man page documents $opt"
	fi
done
for cmd in status nodes cordon uncordon flux check reconcile suspend resume \
	why images scans import promote bootstrap rewrite-manifests \
	bootstrap-flux "audit verify" config keys version; do
	if echo "$help" | grep -q "^  $cmd"; then
		ok "--help lists $cmd"
	else
		nok "--help lists $cmd"
	fi
	# in roff a dash is written \-
	first=$(echo "${cmd%% *}" | sed 's/-/\\\\-/g')
	if grep -q "\\\\fB$first\\\\fR\|^\\.B.* $first\|^\\.BI $first\|^\\.B $first" doc/jumpdeck.1; then
		ok "man page documents $cmd"
	else
		nok "man page documents $cmd"
	fi
done
rm -f "$gen" "$readme"
exit $fail
