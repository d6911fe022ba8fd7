#!/bin/sh
# test_http2.sh - jumpdeck over HTTP/2, as it reaches AKS: Debian's nghttpx
# terminates TLS with h2 in front of the Kubernetes simulator, so the
# watches and lists of every pane share one HTTP/2 connection. Then the
# things only HTTP/2 does: one stream reset while the others go on, a
# GOAWAY (a reload of the proxy), and one dropped connection taking every
# watch with it. After each, jumpdeck must be current again by itself:
# asserted on the screen. TAP-like lines.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl nghttpx ss

ID=26621167
NODE_A=aks-npinscope01-$ID-vmss000000
NODE_B=aks-npooscope01-$ID-vmss000001
KSALL=/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations
KS=/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations
DEPLOY=/apis/apps/v1/namespaces/flux-system/deployments
H2=$E2E_TMP/h2
mkdir -p "$H2"
NGHTTPX_PID=""

# killpg SIGNAL PGID: dash's kill takes no process group
killpg() {
	python3 -c 'import os, signal, sys
try:
    os.killpg(int(sys.argv[2]), getattr(signal, "SIG" + sys.argv[1]))
except ProcessLookupError:
    pass' "$1" "$2"
}
nghttpx_stop() { # the proxy's whole process group, by the pid we started
	[ -n "$NGHTTPX_PID" ] || return 0
	killpg "${1:-TERM}" "$NGHTTPX_PID"
	i=0
	while [ -d "/proc/$NGHTTPX_PID" ] &&
		[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
			"/proc/$NGHTTPX_PID/status" 2>/dev/null)" != Z ] &&
		[ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	killpg KILL "$NGHTTPX_PID"
	wait "$NGHTTPX_PID" 2>/dev/null
	NGHTTPX_PID=""
}
h2_cleanup() {
	nghttpx_stop
	e2e_cleanup
}
trap h2_cleanup EXIT

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# nghttpx_start: the proxy on $FPORT (TLS, h2 and http/1.1 by ALPN), the
# simulator's plain port behind it. Timeouts are long: watches are quiet
# for a minute between bookmarks. A reload (SIGHUP) gives the old
# connections a GOAWAY and two seconds to finish.
nghttpx_start() {
	cat >"$H2/nghttpx.conf" <<EOF
frontend=127.0.0.1,$FPORT
backend=127.0.0.1,$(cat "$D/plain_port");;proto=http/1.1
private-key-file=$D/server.key
certificate-file=$D/server.crt
workers=1
frontend-http2-read-timeout=10m
frontend-read-timeout=10m
stream-read-timeout=0
backend-read-timeout=10m
worker-process-grace-shutdown-period=2s
no-ocsp=yes
errorlog-file=$H2/error.log
accesslog-file=$H2/access.log
accesslog-format=\$remote_port \$alpn \$method \$path \$status
EOF
	setsid nghttpx --conf="$H2/nghttpx.conf" </dev/null \
		>>"$H2/nghttpx.out" 2>&1 &
	NGHTTPX_PID=$!
	i=0
	while [ $i -lt 50 ]; do
		curl -s --http2 --cacert "$D/ca.crt" \
			"https://127.0.0.1:$FPORT/readyz" 2>/dev/null |
			grep -q ok && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# conns: jumpdeck's established TCP connections to the proxy.
conns() {
	ss -tnpH state established "( dport = :$FPORT )" 2>/dev/null |
		grep -c "pid=$(jd_pid),"
}
one_conn() { test "$(conns)" -eq 1; }
has_conn() { # PORT: jumpdeck still has that connection (by local port)
	ss -tnpH state established "( dport = :$FPORT )" 2>/dev/null |
		grep "pid=$(jd_pid)," | awk '{print $3}' | sed 's/.*://' |
		grep -qx "$1"
}
conn_port() { # jumpdeck's local port of its connection to the proxy
	ss -tnpH state established "( dport = :$FPORT )" 2>/dev/null |
		grep "pid=$(jd_pid)," | awk '{print $3}' | sed 's/.*://' |
		head -1
}
wait_true() { # SECONDS COMMAND...
	n=$(($1 * 10))
	shift
	i=0
	while ! "$@"; do
		[ $i -ge $n ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# requests PYTHON-EXPR: the simulator's request log as r (a list), the
# expression must hold.
requests() {
	curl -s --cacert "$D/ca.crt" "https://127.0.0.1:$KPORT/_sim/requests" \
		>"$E2E_TMP/out" 2>&1
	python3 -c "import json, sys
r = json.load(open(sys.argv[1]))
jd = [x for x in r if x['user_agent'].startswith('jumpdeck/')]
def n(path, q=''):
    return sum(1 for x in jd if x['path'] == path and q in x['query'])
assert $1, (len(jd), sorted(set(x['user_agent'] for x in r)), [(x['method'], x['path'], x['query'][:40],
                      x.get('via')) for x in jd][-30:])" "$E2E_TMP/out"
}

ks_status() { # NAME READY(True|False) MESSAGE: the controller's status
	api PATCH "$KS/$1/status" "{\"status\":{\"conditions\":[{
\"type\":\"Ready\",\"status\":\"$2\",\"reason\":\"ReconciliationFailed\",
\"message\":\"$3\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}}" \
		application/merge-patch+json >/dev/null
}

# ---------------------------------------------------------------- setup

world_up --plain-port 0
KPORT=$PORT
if python3 tests/sim/fluxworld.py seed --dir "$D" --era current \
	--scenario kinds >"$E2E_TMP/out" 2>&1; then
	ok "Flux seeded"
else
	not_ok "Flux seeded"
	e2e_finish
fi
FPORT=$(free_port)
if nghttpx_start; then
	ok "nghttpx answers h2 on 127.0.0.1:$FPORT"
else
	not_ok "nghttpx answers h2 on 127.0.0.1:$FPORT"
	sed 's/^/#   /' "$H2/nghttpx.out" "$H2/error.log" 2>/dev/null | head -20
	e2e_finish
fi
sed "s#https://127.0.0.1:$KPORT#https://127.0.0.1:$FPORT#" \
	"$D/kubeconfig" >"$H2/kubeconfig"

# The first watch of the nodes meets a stream reset: the simulator closes
# it half way through an event, and nghttpx resets that stream alone.
lw_fault() {
	curl -s --cacert "$D/ca.crt" -X POST -H 'Content-Type: application/json' \
		--data-binary "$1" "https://127.0.0.1:$KPORT/_sim/faults" >/dev/null
}
lw_fault '{"method":"GET","path_prefix":"/api/v1/nodes",
"query_contains":"watch=1","action":"truncate","times":1}'

JD_ENV="KUBECONFIG=$H2/kubeconfig"
jd_start 200 50
assert_screen_has "over HTTP/2: the nodes pane is live (7/7 Ready)" \
	"7/7 Ready" 15
assert_screen_has "over HTTP/2: the Flux pane is live" \
	"kustomizations 2/2 Ready" 15
check "every request jumpdeck made went over HTTP/2 (Via: 2 nghttpx)" \
	requests "jd and all(x.get('via') == '2 nghttpx' for x in jd)"
check "watches and lists share one connection" wait_true 5 one_conn

# ---------------------------------------------------------------- reset
# The nodes watch is reset at its first event: a node going NotReady.
first_port=$(conn_port)
world set-ready "$NODE_A" false
assert_screen_has "after the reset: a node going NotReady shows (6/7)" \
	"6/7 Ready" 10
check "the reset stream was watched again, no other watch was" \
	requests "n('/api/v1/nodes', 'watch=1') == 2 and \
n('$KSALL', 'watch=1') == 1 and n('$DEPLOY', 'watch=1') == 1"
check "... on the same connection as before" \
	test "$(conn_port)" = "$first_port"
world set-ready "$NODE_A" true
assert_screen_has "7/7 Ready again" "7/7 Ready" 10

# ---------------------------------------------------------------- action
# A cordon from the nodes pane: audited, confirmed by typing the name.
send 3
send /
type_text "$NODE_B"
send Enter
assert_screen_has "the filter shows the one node" "(1 of 7)"
send c
assert_screen_has "c opens the confirm dialog" "Type $NODE_B and press Enter"
type_text "$NODE_B"
send Enter
assert_screen_has "the cordon went through the proxy: SchedulingDisabled" \
	"SchedulingDisabled" 10
check "... it is audited as succeeded" \
	audit_has node.cordon succeeded "node/$NODE_B"
check "... and the watches kept their connection" has_conn "$first_port"
send u
type_text "$NODE_B"
send Enter
assert_screen_lacks "u uncordons it again" "SchedulingDisabled" 10
send Escape

# ---------------------------------------------------------------- GOAWAY
kill -HUP "$NGHTTPX_PID"
ok "nghttpx reloaded: the old connection gets a GOAWAY"
sleep 3
world set-ready "$NODE_B" false
assert_screen_has "after the GOAWAY: the nodes pane is current (6/7)" \
	"6/7 Ready" 15
ks_status flux-system False "sim: broken after the goaway"
assert_screen_has "after the GOAWAY: the Flux pane is current" \
	"kustomizations 1/2 Ready" 15
check "one connection again, a new one" wait_true 5 one_conn
check "... not the one that got the GOAWAY" \
	test "$(conn_port)" != "$first_port"
world set-ready "$NODE_B" true
ks_status flux-system True "Applied revision: main@sha1:x"
assert_screen_has "7/7 Ready again" "7/7 Ready" 10

# ---------------------------------------------------------------- drop
second_port=$(conn_port)
nghttpx_stop KILL
assert_screen_has "the connection dropped: 'cannot reach' is shown" \
	"cannot reach https://127.0.0.1:$FPORT" 15
if nghttpx_start; then ok "nghttpx back"; else not_ok "nghttpx back"; fi
world set-ready "$NODE_A" false
assert_screen_has "after the drop: the nodes pane is current by itself" \
	"6/7 Ready" 30
ks_status flux-system False "sim: broken after the drop"
assert_screen_has "after the drop: the Flux pane is current by itself" \
	"kustomizations 1/2 Ready" 30
assert_screen_lacks "'cannot reach' is gone" "cannot reach" 15
check "one connection again, a new one" wait_true 5 one_conn
check "... not the dropped one" test "$(conn_port)" != "$second_port"
world set-ready "$NODE_A" true

send q
exited_0() { wait_exit 5 | grep -q '^EXIT=0'; }
check "q quits with status 0" exited_0
e2e_finish
