#!/bin/sh
# test_tui_audit.sh - no audit trail, no change, in the TUI: with the audit
# log on a full disk (/dev/full), confirming a cordon (nodes pane), a
# reconcile and a suspend (Flux pane), an import and a promotion (images
# pane) puts the reason on the status bar ("... nothing was changed"),
# and not one mutating request reaches the Kubernetes or the Azure
# simulator. The CLI's side is tests/integration/test_audit_refuse.sh.
# shellcheck disable=SC1091,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh
# The pipeline, not the scan gate, is tested here (test_tui_scans.sh has
# the gate): images nobody has scanned may be promoted.
mkdir -p "$HOME/.config/jumpdeck"
printf 'scan_gate_block_pending = false\nscan_gate_block_unknown = false\n' \
	>"$HOME/.config/jumpdeck/config"

NODE=aks-npsystem-26621167-vmss000001
FLUX_PY=$E2E_ROOT/tests/sim/fluxworld.py

# mutations: PATCH/POST/PUT/DELETE requests in the cluster's request log.
mutations() {
	curl -sS --max-time 10 --cacert "$D/ca.crt" "$SERVER/_sim/requests" |
		python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)
          if r.get("method") in ("PATCH", "POST", "PUT", "DELETE")))'
}
no_mutations() { test "$(mutations)" -eq 0; }
no_import() { test "$(az_requests POST /importImage)" -eq 0; }
# dialog_name: the name the confirm dialog asks for.
dialog_name() {
	screen | sed -n 's/.*Type \([^ ]*\) and press Enter.*/\1/p' | head -n 1
}
# confirm_shown: the dialog is open; its name is typed and Enter pressed.
confirm_shown() {
	wait_for "and press Enter" 5 || return 1
	n=$(dialog_name)
	[ -n "$n" ] || return 1
	type_text "$n"
	send Enter
}
refused() { wait_screen 5 status_has "nothing was changed"; }

world_up
if ! python3 "$FLUX_PY" seed --dir "$D" --api v1 --scenario states \
	>"$E2E_TMP/out" 2>&1; then
	not_ok "Flux seeded"
	e2e_finish
fi
if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
JD_ENV=$(az_env_words)
# Quarantine already holds busybox (imported with a writable log, by the
# CLI), so that a promotion can be asked for.
if env $JD_ENV JUMPDECK_AUDIT_LOG="$E2E_TMP/setup.log" \
	KUBECONFIG="$D/kubeconfig" timeout 60 "$JD" import busybox \
	>"$E2E_TMP/out" 2>&1; then
	ok "setup: busybox imported with a writable log"
else
	not_ok "setup: busybox imported with a writable log"
fi
curl -sS --max-time 10 --cacert "$D/ca.crt" -X DELETE \
	"$SERVER/_sim/requests" >/dev/null
az_sim DELETE /requests >/dev/null

AUDIT=/dev/full
jd_start 200 50
check "200x50: the nodes pane is populated" wait_for "7/7 Ready" 15

# ---------------------------------------------------------------- cordon
send 3
send /
type_text "$NODE"
send Enter
send c
check "cordon: the dialog is answered" confirm_shown
check "cordon: refused, the status bar says nothing was changed" refused
check "cordon: the status bar names the audit log" \
	wait_screen 3 status_has "audit log"
check "cordon: no mutating request reached the cluster" no_mutations
send Escape

# ---------------------------------------------------------------- Flux
send 4
check "Flux: the pane is populated" wait_for "kustomizations" 10
send g
send r
check "reconcile: the dialog is answered" confirm_shown
check "reconcile: refused, nothing was changed" refused
send p
if wait_for "and press Enter" 3; then
	check "suspend: the dialog is answered" confirm_shown
	check "suspend: refused, nothing was changed" refused
else
	# the first row was suspended already: resume is the mutation then
	send P
	check "resume: the dialog is answered" confirm_shown
	check "resume: refused, nothing was changed" refused
fi
check "Flux: no mutating request reached the cluster" no_mutations

# ---------------------------------------------------------------- images
send 1
check "images: busybox is quarantined" wait_for "quarantined" 20
# ask_some_row KEY: from the first row down, KEY on each row until one
# opens the dialog (the others are refused at once, without a question:
# only busybox is in quarantine, every other image is not).
ask_some_row() {
	send g
	_i=0
	while [ $_i -lt 6 ]; do
		send "$1"
		wait_for "and press Enter" 2 && return 0
		send j
		_i=$((_i + 1))
	done
	return 1
}
check "promote: the dialog opens for the quarantined image" \
	ask_some_row p
check "promote: the dialog is answered" confirm_shown
check "promote: refused, nothing was changed" refused
check "import: the dialog opens for an image not imported" ask_some_row i
check "import: the dialog is answered" confirm_shown
check "import: refused, nothing was changed" refused
check "images: no importImage reached ARM" no_import
check "images: no mutating request reached the cluster" no_mutations

send q
check "q quits" wait_exit 5
e2e_finish
