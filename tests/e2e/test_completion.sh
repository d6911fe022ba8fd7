#!/bin/sh
# test_completion.sh - the bash and zsh completions: every command and
# option of the parser's tables in cli/main.c (read from the source here)
# is offered and nothing else, and the parser accepts each; contexts from
# the kubeconfig, themes, files, images from the config, Flux kinds and
# objects and nodes from the simulated cluster through the cache; and a
# cluster that never answers does not hang the shell.
# shellcheck disable=SC1091,SC2016
. "$(dirname "$0")/lib.sh"
e2e_require python3 bash

XDG_CACHE_HOME=$E2E_TMP/cache
export XDG_CACHE_HOME
BC=/usr/share/bash-completion/bash_completion

# ---------------------------------------------------------------- drivers
# comp_bash MODE LINE: what bash offers for LINE (the last word is being
# completed; a LINE ending in a blank completes an empty word). MODE
# "plain" is bare bash, "full" loads the bash-completion package first.
comp_bash() {
	bash --norc --noprofile -c '
		[ "$1" = full ] && . "$3"
		. completions/jumpdeck.bash
		line=$2
		read -ra COMP_WORDS <<<"$line"
		case $line in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		_jumpdeck
		printf "%s\n" "${COMPREPLY[@]}"' bash "$1" "$2" "$BC" |
		sed '/^$/d' | sort
}

# comp_zsh LINE: what the zsh function hands to compadd (or ":files"
# when it asks _files).
comp_zsh() {
	zsh -f -c '
		compadd() {
			if [[ $1 == -a ]]; then print -l -- ${(P)2}
			else print -l -- "$@"; fi
		}
		_files() { print -- ":files" }
		words=(${(z)1})
		[[ $1 == *" " ]] && words+=("")
		CURRENT=${#words}
		_jumpdeck() { source completions/_jumpdeck }
		_jumpdeck' zsh "$1" | sed '/^$/d' | sort
}

# offers LIST-FILE WORD...: the list holds each WORD.
offers() {
	f=$1
	shift
	for w in "$@"; do
		grep -qx -- "$w" "$f" || { echo "# missing: $w"; return 1; }
	done
}

SHELLS="plain"
[ -f "$BC" ] && SHELLS="plain full"
HAVE_ZSH=0
command -v zsh >/dev/null 2>&1 && HAVE_ZSH=1

# ------------------------------------------------- the parser's tables
table() { # ARRAY: the names in that table of cli/main.c
	sed -n "/^const struct cli_$1 cli_$1s\[\] = {/,/^};/p" cli/main.c |
		sed -n 's/^	{"\([a-z_-]*\)",.*/\1/p'
}
table option | sed 's/^/--/' | sort >"$E2E_TMP/options"
table command | grep -v '^__' | sort >"$E2E_TMP/commands"
check "the option table has more than 20 options" \
	test "$(wc -l <"$E2E_TMP/options")" -gt 20
check "the command table has more than 15 commands" \
	test "$(wc -l <"$E2E_TMP/commands")" -gt 15

for sh in $SHELLS; do
	comp_bash "$sh" "$JD " >"$E2E_TMP/got"
	check "bash ($sh): 'jumpdeck <TAB>' offers exactly the commands" \
		diff -u "$E2E_TMP/commands" "$E2E_TMP/got"
	comp_bash "$sh" "$JD --" >"$E2E_TMP/got"
	check "bash ($sh): 'jumpdeck --<TAB>' offers exactly the options" \
		diff -u "$E2E_TMP/options" "$E2E_TMP/got"
	comp_bash "$sh" "$JD nodes --" >"$E2E_TMP/got"
	check "bash ($sh): options after a command too" \
		diff -u "$E2E_TMP/options" "$E2E_TMP/got"
	comp_bash "$sh" "$JD rec" >"$E2E_TMP/got"
	check "bash ($sh): a prefix narrows: rec -> reconcile" \
		test "$(cat "$E2E_TMP/got")" = reconcile
done
if [ $HAVE_ZSH -eq 1 ]; then
	comp_zsh "$JD " >"$E2E_TMP/got"
	check "zsh: 'jumpdeck <TAB>' offers exactly the commands" \
		diff -u "$E2E_TMP/commands" "$E2E_TMP/got"
	comp_zsh "$JD --" >"$E2E_TMP/got"
	check "zsh: 'jumpdeck --<TAB>' offers exactly the options" \
		diff -u "$E2E_TMP/options" "$E2E_TMP/got"
	comp_zsh "$JD --kubeconfig " >"$E2E_TMP/got"
	check "zsh: a file argument goes to _files" \
		test "$(cat "$E2E_TMP/got")" = :files
else
	skip "zsh completion: zsh not installed"
fi

# The parser takes every option it offers, and every command.
bad=""
while read -r opt; do
	arg=$(sed -n "s/^	{\"${opt#--}\", [^,]*, [^,]*, \"\([^\"]*\)\".*/\1/p" \
		cli/main.c)
	case $arg in "") set -- ;; D) set -- 1s ;; *) set -- x ;; esac
	"$JD" "$opt" "$@" --version >/dev/null 2>&1 || bad="$bad $opt"
done <"$E2E_TMP/options"
check "the parser accepts every option offered${bad:+ (not:$bad)}" \
	test -z "$bad"
"$JD" --frobnicate --version >/dev/null 2>&1
check "the parser refuses an option not in the table (exit 2)" \
	test $? -eq 2
bad=""
while read -r cmd; do
	"$JD" "$cmd" --help >"$E2E_TMP/out" 2>&1 || bad="$bad $cmd"
	grep -q "^  $cmd" "$E2E_TMP/out" || bad="$bad $cmd"
done <"$E2E_TMP/commands"
check "every command offered runs (--help) and --help lists it${bad:+ (not:$bad)}" \
	test -z "$bad"
"$JD" frobnicate --help >/dev/null 2>&1
check "an unknown command is refused (exit 2)" test $? -eq 2
"$JD" --help | grep -o -- '--[a-z-]*' | sort -u >"$E2E_TMP/helpopts"
check "--help names exactly the options of the table" \
	diff -u "$E2E_TMP/options" "$E2E_TMP/helpopts"

# ------------------------------------------------- local lists
comp_bash plain "$JD --theme " >"$E2E_TMP/got"
check "themes: --theme offers the four themes" \
	offers "$E2E_TMP/got" default high-contrast monochrome solarized-dark
: >"$E2E_TMP/conf-a"
comp_bash plain "$JD --config $E2E_TMP/conf-" >"$E2E_TMP/got"
check "files: --config completes file names" \
	test "$(cat "$E2E_TMP/got")" = "$E2E_TMP/conf-a"
comp_bash plain "$JD promote " >"$E2E_TMP/got"
check "images: promote offers the six default images by short name" \
	offers "$E2E_TMP/got" kustomize-controller source-controller falco \
	busybox kured envoy-alpine
printf 'image = ghcr.io/example/api:1.0\nimage = docker.io/library/nginx:1.25\n' \
	>"$E2E_TMP/conf-a"
comp_bash plain "$JD --config $E2E_TMP/conf-a import " >"$E2E_TMP/got"
check "images: the config's image set (and only it)" \
	test "$(tr '\n' ' ' <"$E2E_TMP/got")" = "api nginx "
comp_bash plain "$JD audit " >"$E2E_TMP/got"
check "audit offers verify" test "$(cat "$E2E_TMP/got")" = verify
comp_bash plain "$JD reconcile " >"$E2E_TMP/got"
check "reconcile offers Flux kinds (ks, kustomization, gitrepository)" \
	offers "$E2E_TMP/got" ks kustomization gitrepository hr

# ------------------------------------------------- the cluster
world_up
KUBECONFIG=$D/kubeconfig
export KUBECONFIG
comp_bash plain "$JD --context " >"$E2E_TMP/got"
check "contexts: --context offers the kubeconfig's contexts" \
	offers "$E2E_TMP/got" sim sim-cert sim-viewer sim-exec
comp_bash plain "$JD --context sim-v" >"$E2E_TMP/got"
check "contexts: a prefix narrows" test "$(cat "$E2E_TMP/got")" = sim-viewer
sed 's/name: "sim-viewer"/name: "other-viewer"/' "$D/kubeconfig" \
	>"$E2E_TMP/kc2"
comp_bash plain "$JD --kubeconfig $E2E_TMP/kc2 --context oth" \
	>"$E2E_TMP/got"
check "contexts: from the --kubeconfig given on the line" \
	test "$(cat "$E2E_TMP/got")" = other-viewer
if [ -f "$BC" ]; then
	"$JD" __complete -- --context=sim-c >"$E2E_TMP/got"
	check "contexts: --context=PREFIX offers --context=NAME" \
		test "$(cat "$E2E_TMP/got")" = --context=sim-cert
fi

ID=26621167
comp_bash plain "$JD cordon " >"$E2E_TMP/got"
check "nodes: cordon offers the seven nodes" \
	test "$(grep -c "^aks-.*-$ID-vmss00000[0-9]$" "$E2E_TMP/got")" -eq 7
cache=$(ls "$XDG_CACHE_HOME"/jumpdeck/complete/nodes-* 2>/dev/null)
check "nodes: the answer is cached in the XDG cache dir" test -s "$cache"
mode=$(stat -c %a "$cache" 2>/dev/null)
check "nodes: the cache file is private (0600)" test "$mode" = 600
comp_bash plain "$JD uncordon aks-npsys" >"$E2E_TMP/got"
check "nodes: a prefix narrows (three system nodes)" \
	test "$(wc -l <"$E2E_TMP/got")" -eq 3

python3 "$E2E_ROOT/tests/sim/fluxworld.py" seed --dir "$D" --scenario demo \
	>"$E2E_TMP/flux.out" 2>&1
comp_bash plain "$JD reconcile ks " >"$E2E_TMP/got"
check "flux: reconcile ks offers the kustomizations" \
	offers "$E2E_TMP/got" flux-system cluster-baseline-settings a0005-i
check "flux: ... and no GitRepository" \
	sh -c "test \$(wc -l <'$E2E_TMP/got') -eq 3"
comp_bash plain "$JD suspend gitrepository " >"$E2E_TMP/got"
check "flux: suspend gitrepository offers the source" \
	test "$(cat "$E2E_TMP/got")" = flux-system
comp_bash plain "$JD resume ks -n " >"$E2E_TMP/got"
check "flux: -n offers the namespaces holding Flux objects" \
	test "$(cat "$E2E_TMP/got")" = flux-system
comp_bash plain "$JD resume ks -n a0005-i " >"$E2E_TMP/got"
check "flux: nothing in a namespace without Flux objects" \
	test ! -s "$E2E_TMP/got"

# A stale cache and a cluster gone: the old answer, at once.
touch -d '10 minutes ago' "$cache"
python3 "$WORLD_PY" down --dir "$D" >/dev/null 2>&1
start=$(date +%s)
comp_bash plain "$JD cordon " >"$E2E_TMP/got"
took=$(($(date +%s) - start))
check "a cluster gone: the stale cache still answers" \
	test "$(wc -l <"$E2E_TMP/got")" -eq 7
check "a cluster gone: within 3 s (${took} s)" test "$took" -le 3

# A server that accepts and never answers: never more than 3 s.
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
' "$E2E_TMP/mute.port" &
MUTE=$!
i=0
while [ ! -s "$E2E_TMP/mute.port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sed "s#server: \"https://127.0.0.1:[0-9]*\"#server: \"https://127.0.0.1:$(cat "$E2E_TMP/mute.port")\"#" \
	"$D/kubeconfig" >"$E2E_TMP/kc-mute"
KUBECONFIG=$E2E_TMP/kc-mute
check "the mute server is in the kubeconfig" \
	grep -q "127.0.0.1:$(cat "$E2E_TMP/mute.port")" "$KUBECONFIG"
start=$(date +%s)
comp_bash plain "$JD cordon " >"$E2E_TMP/got"
took=$(($(date +%s) - start))
kill "$MUTE" 2>/dev/null
wait "$MUTE" 2>/dev/null
check "a server that never answers: the shell gets control back within 4 s (${took} s)" \
	test "$took" -le 4
check "a server that never answers: nothing is offered" \
	test ! -s "$E2E_TMP/got"

e2e_finish
