#!/bin/sh
# test_docs.sh - the README's key list, --help and the man page agree with
# the program: every key in the action table, every option and subcommand.
# The lists below are read from the code (cli/main.c's option and command
# tables, backend/config.h's key table, the getenv calls, the Makefile and
# the source tree), so a new option, command, variable, target or file
# fails here until the docs name it.
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
# ------------------------------------------------------------ from the code
# Options and commands as cli/main.c's tables have them.
opts=$(sed -n '/^const struct cli_option cli_options/,/^};/p' cli/main.c |
	sed -n 's/^[[:space:]]*{"\([a-z-]*\)".*/\1/p')
cmds=$(sed -n '/^const struct cli_command cli_commands/,/^};/p' cli/main.c |
	sed -n 's/^[[:space:]]*{"\([a-z][a-z-]*\)".*/\1/p')
if [ "$(echo "$opts" | wc -l)" -gt 20 ] && [ "$(echo "$cmds" | wc -l)" -gt 15 ]
then
	ok "the option and command tables read from cli/main.c"
else
	nok "the option and command tables read from cli/main.c"
fi
# printf, not echo: dash's echo reads the man page's \f as a form feed
roff() { echo "$1" | sed 's/-/\\\\-/g'; }
man_section() { # the man page's section $1, up to the next .SH
	sed -n "/^\\.SH $1\$/,/^\\.SH /p" doc/jumpdeck.1
}
man_options=$(man_section OPTIONS)
for opt in $opts; do
	if echo "$help" | grep -q -- "--$opt\\b"; then
		ok "--help lists --$opt"
	else
		nok "--help lists --$opt"
	fi
	# an entry of its own: .B, .BI or .BR naming it
	if printf '%s\n' "$man_options" | grep -q "^\\.BR\\{0,1\\}I\\{0,1\\} .*\\\\-\\\\-$(roff "$opt")\\b"
	then
		ok "man page OPTIONS has an entry for --$opt"
	else
		nok "man page OPTIONS has an entry for --$opt"
	fi
	if grep -q -- "--$opt\\b" README.md; then
		ok "README names --$opt"
	else
		nok "README names --$opt"
	fi
done
# No doc names an option the program lacks.
for doc in README.md doc/jumpdeck.1; do
	extra=""
	for o in $(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$doc" |
		grep -o -- '--[a-z][a-z]*\(-[a-z][a-z]*\)*' | sort -u); do
		echo "$opts" | grep -qx -- "${o#--}" || extra="$extra $o"
	done
	if [ -z "$extra" ]; then
		ok "$doc names no option the program lacks"
	else
		nok "$doc names no option the program lacks (extra:$extra)"
	fi
done
man_commands=$(man_section COMMANDS)
man_synopsis=$(man_section SYNOPSIS)
for cmd in $cmds; do
	if echo "$help" | grep -q "^  $cmd\\b"; then
		ok "--help lists $cmd"
	else
		nok "--help lists $cmd"
	fi
	r=$(roff "$cmd")
	if printf '%s\n' "$man_commands" | grep -q "^\\.BI\\{0,1\\} $r\\b"; then
		ok "man page COMMANDS has an entry for $cmd"
	else
		nok "man page COMMANDS has an entry for $cmd"
	fi
	if printf '%s\n' "$man_synopsis" | grep -q "\\\\fB$r\\\\fR\\|^\\.B jumpdeck $r\\b"
	then
		ok "man page SYNOPSIS shows $cmd"
	else
		nok "man page SYNOPSIS shows $cmd"
	fi
	if grep -q "^jumpdeck $cmd\\b" README.md; then
		ok "README's usage shows jumpdeck $cmd"
	else
		nok "README's usage shows jumpdeck $cmd"
	fi
done

# Every key of the action table: one of an action's keys is in the man
# page's KEYS section (the README's table is compared whole above).
man_keys=$(man_section KEYS)
"$bin" --config /dev/null keys | sed -n 's/^    \(.*[^ ]\)  *[a-z][a-z-]*  .*/\1/p' |
while read -r keys; do
	found=0
	for k in $keys; do
		printf '%s\n' "$man_keys" | grep -qF "\\fB$k\\fR" && found=1
	done
	if [ $found = 1 ]; then
		echo "ok - man page KEYS names one of: $keys"
	else
		echo "not ok - man page KEYS names one of: $keys"
	fi
done >"$gen"
cat "$gen"
grep -q '^not ok' "$gen" && fail=1
if [ "$(grep -c '^ok' "$gen")" -gt 30 ]; then
	ok "the key table read from 'jumpdeck keys'"
else
	nok "the key table read from 'jumpdeck keys'"
fi

# Environment variables: those of backend/config.h's key table and every
# getenv("...") of the program are in the man page's ENVIRONMENT section.
# HOME, PATH, TERM and TMPDIR mean what they mean to every program;
# JD_SRCDIR is the source tree's themes for the tests.
man_env=$(man_section ENVIRONMENT)
vars=$( (sed -n '/^#define JD_CONFIG_KEYS/,/^$/p' backend/config.h |
	grep -o '"[A-Z][A-Z0-9_]*"'
	grep -ho 'getenv("[A-Z][A-Z0-9_]*")' backend/*.c cli/*.c tui/*.c \
		panes/*.c | grep -o '"[A-Z0-9_]*"') | tr -d '"' | sort -u |
	grep -vx 'HOME\|PATH\|TERM\|TMPDIR\|JD_SRCDIR')
for v in $vars; do
	if printf '%s\n' "$man_env" | grep -q "^\\.BR\\{0,1\\} .*\\b$v\\b"; then
		ok "man page ENVIRONMENT names $v"
	else
		nok "man page ENVIRONMENT names $v"
	fi
done

# Exit codes: --help and the man page say the same three.
for doc in "--help" "man page"; do
	case $doc in
	--help) text=$(echo "$help" | tr '\n' ' ') ;;
	*) text=$(man_section "EXIT STATUS" | tr '\n' ' ') ;;
	esac
	if echo "$text" | grep -q '0 ok.* 1 a check or action failed.* 2 usage or configuration error'
	then
		ok "$doc states exit codes 0, 1 and 2"
	else
		nok "$doc states exit codes 0, 1 and 2"
	fi
done

# The Makefile's targets are all in the README.
for t in $(sed -n 's/^\.PHONY://p; /^\.PHONY:.*\\$/,/[^\\]$/p' Makefile |
	tr -d '\\' | sed 's/^\.PHONY://' | tr ' \t' '\n\n' | sort -u); do
	[ "$t" = all ] && continue
	if grep -q "make $t\\b" README.md; then
		ok "README names make $t"
	else
		nok "README names make $t"
	fi
done

# The README's source layout names every source file of backend/, cli/,
# tui/ and panes/ and every folder of tests/, and no module that is gone.
layout=$(sed -n '/^## Layout of the source/,/^## /p' README.md)
for f in backend/*.c cli/*.c tui/*.c panes/*.c; do
	m=$(basename "$f" .c)
	if echo "$layout" | grep -q "\\b$m\\b"; then
		ok "README's layout names $f"
	else
		nok "README's layout names $f"
	fi
done
for d in tests/*/; do
	d=$(basename "$d")
	if echo "$layout" | grep -q "\\b$d/"; then
		ok "README's layout names tests/$d/"
	else
		nok "README's layout names tests/$d/"
	fi
done
gone=""
for m in $(echo "$layout" | grep -o '\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b' |
	sort -u); do
	there=0
	for f in backend/"$m".* cli/"$m".* tui/"$m".* panes/"$m".*; do
		[ -e "$f" ] && there=1
	done
	[ $there = 1 ] || gone="$gone $m"
done
if [ -z "$gone" ]; then
	ok "README's layout names no file that is gone"
else
	nok "README's layout names no file that is gone (gone:$gone)"
fi
rm -f "$gen" "$readme"
exit $fail
