#!/bin/sh
# test_tui_hostile.sh - the TUI against the hostile stand-in
# (tests/sim/hostile.py): a plain-HTTP cluster the kubeconfig allows shows
# NOT ENCRYPTED in the title bar; a node named ".." (which no API server
# makes) cannot be cordoned: the status bar says why, no dialog opens,
# nothing is audited and no PATCH is sent. The CLI's side is
# tests/integration/test_hostile_cli.sh.
# shellcheck disable=SC1091,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl openssl

H=$E2E_TMP/hostile
P=$E2E_TMP/plain
HPIDS=""
# hostile_up DIR [ARGS]: one stand-in, stopped by the cleanup below.
hostile_up() {
	mkdir -p "$1"
	python3 tests/sim/hostile.py --dir "$@" >"$1/hostile.log" 2>&1 &
	HPIDS="$HPIDS $!"
	i=0
	while [ ! -s "$1/port" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1/port" ]
}
hostile_stop() {
	for p in $HPIDS; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	HPIDS=""
}
trap 'hostile_stop; e2e_cleanup' EXIT
# requests DIR EXPR: how many logged requests r satisfy the expression.
requests() {
	curl -sS --max-time 10 --cacert "$1/ca.crt" \
		"https://127.0.0.1:$(cat "$1/port")/_sim/requests" |
		python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if eval(sys.argv[1])))' "$2"
}

# ------------------------------------------------ NOT ENCRYPTED badge
if ! hostile_up "$P" --plain; then
	not_ok "the hostile stand-in starts on plain HTTP"
	e2e_finish
fi
python3 -c '
import sys
t = open(sys.argv[1]).read()
t = t.replace("    server: http://", "    extensions:\n    - name: jumpdeck\n"
              "      extension:\n        allow-credentials-over-http: true\n"
              "    server: http://")
print(t, end="")' "$P/kubeconfig" >"$E2E_TMP/kc-plain"
JD_ENV="KUBECONFIG=$E2E_TMP/kc-plain"
jd_start 120 30
check "plain HTTP: the nodes are read" wait_for "hostile-node-1" 10
check "plain HTTP: the title bar says NOT ENCRYPTED" \
	sh -c "tmux -L '$E2E_SOCK' capture-pane -p -t '$JD_SESSION' |
		head -n 1 | grep -q 'NOT ENCRYPTED'"
send q
wait_exit 5 >/dev/null

# ------------------------------------------- a node no API server makes
if ! hostile_up "$H"; then
	not_ok "the hostile stand-in starts"
	e2e_finish
fi
curl -sS --max-time 10 --cacert "$H/ca.crt" -X POST \
	-d '{"nodes": ["..", "good-node"]}' \
	"https://127.0.0.1:$(cat "$H/port")/_sim/config" >/dev/null
JD_ENV="KUBECONFIG=$H/kubeconfig"
jd_start 120 30
check "https: no NOT ENCRYPTED badge" sh -c "
	tmux -L '$E2E_SOCK' capture-pane -p -t '$JD_SESSION' | head -n 1 |
		grep -v -q 'NOT ENCRYPTED'"
check "the node list is read" wait_for "good-node" 10
send 3 g
send c
check "cordon of '..': the status bar says the name is not valid" \
	wait_screen 5 status_has "is not a valid node name"
check "cordon of '..': no dialog" sh -c "! tmux -L '$E2E_SOCK' \
	capture-pane -p -t '$JD_SESSION' | grep -q 'and press Enter'"
check "cordon of '..': nothing audited" test ! -s "$AUDIT"
# The bootstrap pane's SelfSubjectAccessReview is the one POST (a question
# the apiserver stores nothing for).
check "cordon of '..': no PATCH reached the server" \
	test "$(requests "$H" 'r["method"] != "GET" and not r["path"].endswith("/selfsubjectaccessreviews")')" -eq 0
send q
wait_exit 5 >/dev/null
e2e_finish
