#!/bin/sh
# test_audit_refuse.sh - no audit trail, no change: with the audit log
# unwritable (a full disk: /dev/full; a directory that cannot be made: its
# parent is a file; a file size limit), cordon, reconcile, suspend, import
# and promote from the CLI exit 1, say that the audit log cannot be
# written, and not one mutating request (PATCH, POST, PUT, DELETE) reaches
# the Kubernetes or the Azure simulator; then, with a writable log, the
# same actions go through, each with an intent and an outcome record under
# one correlation id. The TUI's side is in tests/e2e/test_tui_audit.sh.
# TAP-like lines; about 40 s.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl
. tests/integration/lib_azure.sh
# The audit path, not the scan gate, is tested here: images nobody has
# scanned may be promoted, so that promote reaches the audit log.
mkdir -p "$HOME/.config/jumpdeck"
printf 'scan_gate_block_pending = false\nscan_gate_block_unknown = false\n' \
	>"$HOME/.config/jumpdeck/config"

D=$LW_TMP/world
STDOUT=$LW_TMP/stdout
STDERR=$LW_TMP/stderr
NODE=aks-npsystem-26621167-vmss000000
LANG=C.UTF-8
export LANG

# jd ARGS...: jumpdeck, bounded; JDLIMIT_FSIZE (512-byte blocks) limits
# the size of the files jumpdeck itself may write.
JDLIMIT_FSIZE=unlimited
jd() {
	$LW_LIMIT sh -c 'trap "" XFSZ; ulimit -f "$0"; exec "$@"' \
		"$JDLIMIT_FSIZE" "$JD" "$@" </dev/null >"$STDOUT" 2>"$STDERR"
	rc=$?
	{
		cat "$STDOUT"
		[ -s "$STDERR" ] && echo "--- stderr:" && cat "$STDERR"
		echo "--- exit status $rc"
	} >"$LW_OUT"
}
rc_is() { test "$rc" -eq "$1"; }
err_has() { grep -qF -- "$1" "$STDERR"; }

# kube_mutations: mutating requests in the Kubernetes simulator's log.
kube_mutations() {
	lw_sim "$D" GET /_sim/requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)
          if r.get("method") in ("PATCH", "POST", "PUT", "DELETE")))'
}
# az_mutations: the same for the Azure simulator (ARM, registries' token
# exchange is a POST too, but it changes nothing: only importImage counts).
az_mutations() { az_requests POST /importImage; }

lw_states_world "$D"
if ! az_up; then
	cat "$AZ_LOG" >"$LW_OUT"
	not_ok "Azure simulator and registries up"
	lw_finish
fi
# The walkthrough's images in quarantine first, so that promote has
# something to promote (with a writable log).
JUMPDECK_AUDIT_LOG=$LW_TMP/setup.log
export JUMPDECK_AUDIT_LOG
jd import --all
check "setup: the six images are imported" rc_is 0

# A file where the log's directory should be: nobody, not even root, can
# create the log under it.
: >"$LW_TMP/not-a-dir"

run_all() { # LABEL
	label=$1
	lw_sim "$D" DELETE /_sim/requests >/dev/null
	az_sim DELETE /requests >/dev/null
	jd cordon "$NODE"
	check "$label: cordon exits 1" rc_is 1
	check "$label: cordon says the audit log cannot be written" \
		err_has "audit log"
	jd reconcile ks flux-system --timeout 5s
	check "$label: reconcile exits 1" rc_is 1
	check "$label: reconcile says why" err_has "nothing was changed"
	jd suspend ks flux-system
	check "$label: suspend exits 1" rc_is 1
	# a prefix nothing was imported to yet, so that the import would
	# really copy
	JUMPDECK_QUARANTINE_PREFIX=fresh/
	export JUMPDECK_QUARANTINE_PREFIX
	jd import busybox
	unset JUMPDECK_QUARANTINE_PREFIX
	check "$label: import exits 1" rc_is 1
	check "$label: import says why" err_has "nothing was changed"
	jd promote busybox
	check "$label: promote exits 1" rc_is 1
	check "$label: promote says why" err_has "nothing was changed"
	check "$label: no mutating request reached the cluster" \
		test "$(kube_mutations)" -eq 0
	check "$label: no importImage reached ARM" test "$(az_mutations)" -eq 0
}

JUMPDECK_AUDIT_LOG=/dev/full
run_all "full disk (/dev/full)"
JUMPDECK_AUDIT_LOG=$LW_TMP/not-a-dir/audit.log
run_all "no directory for the log"
# A file size limit: a log that already holds two records (over 512
# bytes) and a limit of one 512-byte block: the next record cannot be
# written, and no half record may stay behind.
mkdir -p "$LW_TMP/limited"
head -n 2 "$LW_TMP/setup.log" >"$LW_TMP/limited/audit.log"
JUMPDECK_AUDIT_LOG=$LW_TMP/limited/audit.log
JDLIMIT_FSIZE=1
run_all "file size limit"
JDLIMIT_FSIZE=unlimited
jd audit verify
check "file size limit: nothing half-written (the chain verifies)" rc_is 0
check "file size limit: still the two records" \
	test "$(wc -l <"$LW_TMP/limited/audit.log")" -eq 2

# ---------------------------------------------------------------- writable
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
lw_sim "$D" DELETE /_sim/requests >/dev/null
jd cordon "$NODE"
check "writable log: cordon goes through" rc_is 0
check "writable log: the cordon reached the cluster" \
	test "$(kube_mutations)" -eq 1
# intent and outcome share one correlation id
check "writable log: intent and outcome share an op id" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ops = [(r["outcome"], r["op"]) for r in recs if r["action"] == "node.cordon"]
assert [o for o, _ in ops] == ["requested", "succeeded"], ops
assert ops[0][1] == ops[1][1] and len(ops[0][1]) == 16, ops
' "$JUMPDECK_AUDIT_LOG"
jd uncordon "$NODE"
check "writable log: uncordon goes through" rc_is 0
jd audit verify
check "writable log: the chain verifies" rc_is 0

lw_finish
