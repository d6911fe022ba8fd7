#!/bin/sh
# test_tui_faults.sh - the TUI while its backends fail, against the
# simulated cluster, the Azure simulator and the registries: the API
# server answering 503 to everything with its watches cut, every watch
# cut within its first event, a list that stalls, ARM throttling with
# Retry-After, Entra ID failing, ACR's token exchange answering 100 MiB.
# For each: a key is still answered while the fault lasts (the help
# overlay opens and closes), the pane says what is wrong in one sentence,
# the other panes keep their state, jumpdeck sends no more than a stated
# number of requests to the failing service, its memory stays bounded,
# and once the fault is gone the pane recovers: the cluster's panes by
# themselves, the images pane after C-r (a new check; it is not polled).
# The CLI's side is tests/integration/test_faults.sh. TAP-like lines.
# shellcheck disable=SC1091,SC2317,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh

# Peak resident memory allowed (KiB): the largest body kept is 64 MiB.
RSS_MAX=153600

# ---------------------------------------------------------------- helpers

# kube_sim METHOD PATH [JSON]: the cluster simulator's control API.
kube_sim() {
	if [ $# -ge 3 ]; then
		curl -sSf --max-time 10 --cacert "$D/ca.crt" -X "$1" \
			-H 'Content-Type: application/json' --data-binary "$3" \
			"$SERVER$2"
	else
		curl -sSf --max-time 10 --cacert "$D/ca.crt" -X "$1" "$SERVER$2"
	fi
}
kube_fault() { kube_sim POST /_sim/faults "$1" >/dev/null; }

# jd_requests WHERE [PATH-PREFIX [QUERY-PART]]: jumpdeck's requests (its
# User-Agent) in the log of kube, az or acr, optionally only below
# PATH-PREFIX and with QUERY-PART in the query.
jd_requests() {
	case $1 in
	kube) kube_sim GET /_sim/requests ;;
	az) az_sim GET /requests ;;
	*) curl -sSf --max-time 10 --cacert "$AZ_CA" \
		"$(cat "$AZ_REG/$1_url")/_sim/requests" ;;
	esac | python3 -c '
import json, sys
pre, part = sys.argv[1], sys.argv[2]
print(sum(1 for r in json.load(sys.stdin)
          if r.get("user_agent", "").startswith("jumpdeck/") and
          r.get("path", "").startswith(pre) and
          part in (r.get("query") or "")))' "${2:-}" "${3:-}"
}
# list_started: jumpdeck has asked for a page of the node list since the
# log was cleared.
list_started() {
	[ "$(jd_requests kube /api/v1/nodes limit=)" -ge 1 ]
}
# wait_until SECONDS COMMAND...: polls COMMAND until it succeeds, at most
# SECONDS of wall time (each try runs curl and python: slow under load)
# times JD_WAIT_SCALE, as lib.sh's waits.
wait_until() {
	_end=$(($(date +%s) + $1 * ${JD_WAIT_SCALE:-1}))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
}
clear_logs() {
	kube_sim DELETE /_sim/requests >/dev/null &&
		az_sim DELETE /requests >/dev/null && az_reg_reset
}
clear_faults() {
	kube_sim DELETE /_sim/faults >/dev/null &&
		az_sim DELETE /faults >/dev/null && az_reg_reset
}

# rss_kib: the resident memory of jumpdeck now (KiB).
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$(jd_pid)/status"; }
# hwm_kib: its peak resident memory so far (KiB).
hwm_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$(jd_pid)/status"; }

# key_answered: ? opens the help overlay and Escape closes it again.
key_answered() {
	send '?'
	wait_for "Esc or ? closes" 3 || return 1
	send Escape
	wait_gone "Esc or ? closes" 3
}

# box_has N TEXT: the box of pane N (its title "┌─ N ") holds TEXT on one
# of its lines (boxes may sit side by side: the box's own columns count).
box_has() {
	python3 -c '
import sys
n, text = sys.argv[1], sys.argv[2]
lines = sys.stdin.read().split("\n")
for y, l in enumerate(lines):
    x = l.find("\u250c\u2500 %s " % n)
    if x < 0:
        continue
    e = l.find("\u2510", x)
    for l2 in lines[y:]:
        if len(l2) <= x or l2[x] == "\u2514":
            break
        if text in l2[x:e + 1]:
            sys.exit(0)
    sys.exit(1)
sys.exit(1)' "$1" "$2"
}

# pane_says N TEXT [TIMEOUT]: waits until the box of pane N shows TEXT.
pane_says() { wait_screen "${3:-20}" box_has "$1" "$2"; }

# ---------------------------------------------------------------- world
world_up --scenario demo --bookmark-interval 1 --flap-seconds 0
if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
ok "simulated cluster, registries and the Azure simulator start"
JD_ENV=$(az_env_words)

jd_start 200 50
check "the nodes pane: 7/7 Ready" wait_screen 20 box_has 3 "7/7 Ready"
check "the Flux pane: its summary" wait_screen 20 box_has 4 \
	"kustomizations 1/3 Ready"
check "the images pane: six images checked" wait_screen 30 box_has 1 \
	"0/6 promoted"

# ================================================================ API down
# The API server answers 503 to every request and its watches are cut,
# as kube-apiserver does while etcd is unreachable (its readiness fails
# and every request gets 503 ServiceUnavailable).
clear_logs
kube_fault '{"path_prefix": "/api", "status": 503, "times": 100000}'
kube_sim POST /_sim/drop-watches '{}' >/dev/null
check "API down: the nodes pane says the server is unavailable" \
	pane_says 3 "unable to handle the request" 30
check "API down: a key is answered" key_answered
check "API down: the images pane still shows its images" \
	wait_screen 2 box_has 1 "0/6 promoted"
clear_logs
sleep 15
n=$(jd_requests kube)
# Seven informers (nodes, pods, four Flux kinds, the controllers) each
# relist with a backoff from 0.8 s doubling up to 30 s (at most 6 relists
# in 15 s), and http.c tries a 503 at most 4 times: 7 x 6 x 4 = 168 at
# the very most, never a storm. Measured: 30 to 78.
check "API down: at most 168 requests in 15 s (saw $n)" test "$n" -le 168
check "API down: a key is still answered" key_answered
clear_faults
check "API back: the nodes pane recovers by itself (7/7 Ready)" \
	wait_screen 45 box_has 3 "7/7 Ready"
check "API back: the Flux pane recovers by itself" wait_screen 45 \
	box_has 4 "kustomizations 1/3 Ready"

# ================================================================ flapping
# Every watch is cut within its first event, again and again (a load
# balancer or proxy resetting long-lived connections, as Azure's does
# on an idle or rebalanced flow): the panes keep their objects and
# reconnect with backoff.
clear_logs
kube_fault '{"path_prefix": "/api", "query_contains": "watch=",
	"action": "truncate", "times": 100000}'
kube_sim POST /_sim/drop-watches '{}' >/dev/null
sleep 15
n=$(jd_requests kube)
check "watches dropping: the nodes pane keeps 7/7 Ready" \
	wait_screen 2 box_has 3 "7/7 Ready"
check "watches dropping: a key is answered" key_answered
check "watches dropping: at most 80 requests in about 15 s (saw $n)" \
	test "$n" -le 80
clear_faults

# ================================================================ stall
# A list that stalls half-way (an API server whose etcd read hangs, or a
# load balancer holding the connection): the TUI does not wait on it. A
# dropped watch is resumed where it was; that resume answered 410 Gone
# (Expired: "too old resource version", as kube-apiserver answers once
# etcd's compaction removed it) makes the informer list again, into the
# stall.
clear_logs
kube_fault '{"path_prefix": "/api/v1/nodes", "query_contains": "watch=",
	"status": 410, "reason": "Expired",
	"message": "too old resource version", "times": 1}'
kube_fault '{"path_prefix": "/api/v1/nodes", "query_contains": "limit=",
	"action": "stall", "stall_ms": 20000, "times": 100000}'
kube_sim POST /_sim/drop-watches '{}' >/dev/null
check "a stalled list: jumpdeck lists the nodes again, into the stall" \
	wait_until 30 list_started
check "a stalled list: keys are answered" key_answered
send 3 z
check "a stalled list: the nodes pane still shows the nodes" \
	wait_screen 3 grep -qF aks-npsystem-26621167-vmss000000
send z
check "a stalled list: a key is still answered" key_answered
clear_faults
check "the stall gone: 7/7 Ready" wait_screen 60 box_has 3 "7/7 Ready"

# ================================================================ ARM 429
# ARM's subscription read limit: 429 SubscriptionRequestsThrottled with
# Retry-After in seconds. ARM is asked for the registry when a session
# starts: a new session.
clear_logs
az_fault '{"path_prefix": "/subscriptions", "status": 429,
	"retry_after": 2, "times": 100000}'
jd_start 200 50
check "ARM throttling: the images pane says so" \
	pane_says 1 "SubscriptionRequestsThrottled" 60
check "ARM throttling: a key is answered" key_answered
sleep 8
n=$(jd_requests az /subscriptions)
# Retry-After: 2 s, at most 10 retries per request: no more than one
# request every 2 s, plus the first.
check "ARM throttling: at most 12 ARM requests (saw $n)" test "$n" -le 12
check "ARM throttling: the nodes pane keeps 7/7 Ready" \
	wait_screen 2 box_has 3 "7/7 Ready"
clear_faults
send C-r
check "ARM back: the images pane recovers after C-r (0/6 promoted)" \
	pane_says 1 "0/6 promoted" 40

# ================================================================ Entra ID
# Entra ID's token endpoint failing (500 server_error, as in an Entra
# outage).
clear_logs
az_fault '{"path_prefix": "/'"$AZURE_TENANT_ID"'/oauth2", "status": 500,
	"times": 100000}'
# a fresh sign-in is needed: a new session
jd_start 200 50
check "Entra ID failing: the images pane says the sign-in failed" \
	pane_says 1 "Entra ID answered HTTP 500" 40
check "Entra ID failing: a key is answered" key_answered
check "Entra ID failing: the nodes pane is fine" wait_screen 20 \
	box_has 3 "7/7 Ready"
n=$(jd_requests az "/$AZURE_TENANT_ID")
check "Entra ID failing: at most 8 token requests (saw $n)" test "$n" -le 8
clear_faults
send C-r
check "Entra ID back: the images pane recovers (0/6 promoted)" \
	pane_says 1 "0/6 promoted" 40

# ================================================================ 100 MiB
# ACR's token exchange answering 100 MiB (a broken front or a hostile
# server): jumpdeck refuses it from its Content-Length, at most 64 MiB is
# ever kept. The row's message is cut even in the zoomed list; its detail
# view (Enter) shows it whole, as the operator would read it.
clear_logs
az_fault '{"path_prefix": "/oauth2/exchange", "action": "huge",
	"times": 100000}'
jd_start 200 50
send 1 z
check "100 MiB answers: the images pane (zoomed) says the exchange failed" \
	pane_says 1 "token exchange" 60
send g Enter
check "100 MiB answers: the row's detail view says it is too large" \
	pane_says 1 "larger than 64 MiB" 10
send Escape z
check "100 MiB answers: a key is answered" key_answered
hwm=$(hwm_kib)
check "100 MiB answers: peak memory under $RSS_MAX KiB (was $hwm)" \
	test "$hwm" -lt "$RSS_MAX"
n=$(jd_requests az /oauth2/exchange)
check "100 MiB answers: at most 12 exchanges (saw $n)" test "$n" -le 12
clear_faults
send C-r
check "the exchange back: the images pane recovers (0/6 promoted)" \
	pane_says 1 "0/6 promoted" 40

send q
exit_line=$(wait_exit 10)
check "q quits with status 0" test "$exit_line" = EXIT=0

e2e_finish
