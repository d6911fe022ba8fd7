#!/bin/sh
# test_read_only.sh - --read-only from the CLI: every mutating command
# (cordon, uncordon, reconcile with and without its source, suspend,
# resume, import and promote, one image, forced and --all) exits 1 and
# says read-only, the audit log holds a refusal for each and no intent,
# and the request logs of every simulator (the cluster, ARM and Entra ID,
# both registries) show nothing but reads: GET, HEAD and token requests.
# The TUI's side is tests/e2e/test_tui_read_only.sh. TAP-like lines.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl
. tests/integration/lib_azure.sh
. tests/integration/lib_readonly.sh

D=$LW_TMP/world
NODE=aks-npsystem-26621167-vmss000000
LANG=C.UTF-8
export LANG

lw_states_world "$D"
if ! az_up; then
	cat "$AZ_LOG" >"$LW_OUT"
	not_ok "Azure simulator and registries up"
	lw_finish
fi
# busybox in quarantine first (a writable log, no --read-only), so that
# there is something to promote.
JUMPDECK_AUDIT_LOG=$LW_TMP/setup.log
export JUMPDECK_AUDIT_LOG
jd import busybox
check "setup: busybox is imported" test "$rc" -eq 0

KURL=https://127.0.0.1:$(cat "$D/port")
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
ro_clear_logs "$KURL" "$D/ca.crt"
n=0
for cmd in "cordon $NODE" "uncordon $NODE" \
	"reconcile ks flux-system --timeout 10s" \
	"reconcile ks flux-system --with-source --timeout 10s" \
	"reconcile gitrepo flux-system --timeout 10s" \
	"suspend ks flux-system" "resume ks flux-system" \
	"import busybox" "import --all" "import busybox --force" \
	"promote busybox" "promote --all --force"; do
	# shellcheck disable=SC2086
	jd --read-only $cmd
	n=$((n + 1))
	check "--read-only $cmd: exits 1" test "$rc" -eq 1
	check "--read-only $cmd: says read-only" grep -q "read-only" "$STDERR"
done
check "every simulator's request log is read whole (none fell out)" \
	ro_save_logs "$LW_TMP/logs" "$KURL" "$D/ca.crt"
ro_writes "$LW_TMP/logs"/*.json >"$LW_OUT"
check "nothing but reads (GET, HEAD, token requests) reached a server" \
	test ! -s "$LW_OUT"
check "the images commands did read the registries" \
	test "$(ro_count "$LW_TMP/logs")" -gt 0
check "the audit log holds refusals, and no intent to change" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
outcomes = {r["outcome"] for r in recs}
assert outcomes == {"refused"}, outcomes
actions = {r["action"] for r in recs}
want = {"node.cordon", "node.uncordon", "flux.reconcile", "flux.suspend",
        "flux.resume", "image.import", "image.promote"}
assert want <= actions, actions
' "$JUMPDECK_AUDIT_LOG"
jd audit verify
check "the audit log verifies" test "$rc" -eq 0

lw_finish
