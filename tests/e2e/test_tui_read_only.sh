#!/bin/sh
# test_tui_read_only.sh - --read-only from the TUI: against the simulated
# cluster (nodes and Flux) and the Azure simulator with both registries,
# every key that changes something (c and u in the nodes pane; r, R, p and
# P in the Flux pane; i, I and p in the images pane) is refused with
# 'read-only' in the status bar and no confirm dialog, each refusal is in
# the audit log and no intent is, and the request logs of every simulator
# show nothing but reads (GET, HEAD, token requests) for the whole
# session. The CLI's side is tests/integration/test_read_only.sh.
# shellcheck disable=SC1091,SC2317,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh
. tests/integration/lib_readonly.sh

BUSYBOX=docker.io/library/busybox:1.33.0

# no_dialog: no confirm dialog on the screen (stdin).
no_dialog() { ! grep -q "press Enter"; }

# audit_lines: how many records the audit log holds.
audit_lines() {
	if [ -f "$AUDIT" ]; then wc -l <"$AUDIT"; else echo 0; fi
}
# grown_to N: the audit log holds N records.
grown_to() { test "$(audit_lines)" -eq "$1"; }
# wait_true SECONDS COMMAND...: the command succeeds within SECONDS.
wait_true() {
	_w=$(($1 * 10))
	shift
	while [ "$_w" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_w=$((_w - 1))
	done
	return 1
}

# refused WHAT VERB KEY: KEY is sent; the status bar says "read-only
# mode: VERB refused", no dialog opens and exactly one record more is in
# the audit log.
refused() {
	n0=$(audit_lines)
	send "$3"
	check "--read-only: $1 is refused, 'read-only' in the status bar" \
		wait_screen 3 status_has "read-only mode: $2 refused"
	check "--read-only: $1 opens no confirm dialog" \
		wait_screen 1 no_dialog
	check "--read-only: $1 leaves one audit record" \
		wait_true 3 grown_to $((n0 + 1))
}

world_up --scenario demo
if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
ok "simulated cluster, registries and the Azure simulator start"
JD_ENV=$(az_env_words)

# busybox in quarantine/ first (no --read-only, its own audit log), so
# that there is something to promote.
if env $JD_ENV KUBECONFIG="$D/kubeconfig" \
	JUMPDECK_AUDIT_LOG="$E2E_TMP/setup.log" timeout 60 "$JD" \
	import "$BUSYBOX" >"$E2E_TMP/out" 2>&1; then
	ok "setup: busybox is imported"
else
	not_ok "setup: busybox is imported"
fi

# From here on every request any simulator sees is jumpdeck's.
if ro_clear_logs "$SERVER" "$D/ca.crt"; then
	ok "the request logs are emptied"
else
	not_ok "the request logs are emptied"
fi

jd_start 200 50 --read-only
check "READ-ONLY badge in the title bar" wait_screen 10 \
	sh -c 'head -n 1 | grep -qF READ-ONLY'

# ---------------------------------------------------------------- nodes
send 3 z
check "nodes: the demo's nodes are listed" wait_screen 15 \
	grep -qF aks-npsystem
send g
refused "nodes: c (cordon)" cordon c
refused "nodes: u (uncordon)" uncordon u
send z

# ---------------------------------------------------------------- Flux
send 4 z
check "Flux: the demo's kustomizations are listed" wait_screen 15 \
	grep -Eq "│ ks +cluster-baseline-settings "
send g
refused "Flux: r (reconcile)" reconcile r
refused "Flux: R (reconcile with its source)" reconcile R
refused "Flux: p (suspend)" suspend p
refused "Flux: P (resume)" resume P
send z

# ---------------------------------------------------------------- images
send 1 z
check "images: busybox is in quarantine/" wait_screen 20 \
	sh -c "grep -F '│ $BUSYBOX ' | grep -qF quarantined"
send g
refused "images: i (import)" import i
refused "images: I (import all)" import I
if select_row 3 "$BUSYBOX"; then
	ok "images: busybox's row selected"
else
	not_ok "images: busybox's row selected"
fi
refused "images: p (promote)" promote p
send q
exit_line=$(wait_exit 5)
check "q quits with status 0" test "$exit_line" = EXIT=0

# ---------------------------------------------------------------- proof
check "every simulator's request log is read whole (none fell out)" \
	ro_save_logs "$E2E_TMP/logs" "$SERVER" "$D/ca.crt"
ro_writes "$E2E_TMP/logs"/*.json >"$E2E_TMP/out"
sed 's/^/# not a read: /' "$E2E_TMP/out"
check "nothing but reads (GET, HEAD, token requests) reached a server" \
	test ! -s "$E2E_TMP/out"
check "the panes did read the cluster and the registries" python3 -c '
import json, sys
d = sys.argv[1]
for f in ("kube", "acr"):
    log = json.load(open("%s/%s.json" % (d, f)))
    assert any(r.get("user_agent", "").startswith("jumpdeck/")
               for r in log), f
' "$E2E_TMP/logs"
check "the audit log holds refusals, and no intent to change" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
outcomes = {r["outcome"] for r in recs}
assert outcomes == {"refused"}, outcomes
actions = {r["action"] for r in recs}
want = {"node.cordon", "node.uncordon", "flux.reconcile", "flux.suspend",
        "flux.resume", "image.import", "image.promote"}
assert want <= actions, actions
' "$AUDIT"
check "audit log: the read-only promote of busybox is refused" \
	audit_has image.promote refused live/library/busybox:1.33.0 read-only
check "audit log: the reconcile of flux-system is refused" \
	audit_has flux.reconcile refused "" read-only

e2e_finish
