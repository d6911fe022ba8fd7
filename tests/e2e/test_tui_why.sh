#!/bin/sh
# test_tui_why.sh - the why-chain in the TUI, end to end: the walkthrough's
# falco failure (its pods in ImagePullBackOff on an image imported to
# quarantine/ only) opened from the Flux pane at 120x40: the chain names the
# pod, its reason, the kubelet's event and the image with "promote it";
# Enter on the pod goes to its node in the nodes pane, Enter on the image
# to the images pane, where p promotes it (confirmed, audited); the pods
# recover through the stand-in kubelet (tests/sim/kubelet.py) and the
# chain, built again while it is open, says so. Esc closes the view and
# its requests stop. A crash loop's log with escape sequences shows its
# lines and leaves the terminal's title alone; 80x24 still shows the
# chain.
# shellcheck disable=SC1091,SC2317,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh

WHYWORLD=$E2E_ROOT/tests/sim/whyworld.py
KUBELET=$E2E_ROOT/tests/sim/kubelet.py
KUBELET_PID=""
IMG=acrakstest.azurecr.io/live/falcosecurity/falco:0.26.2

why_cleanup() {
	if [ -n "$KUBELET_PID" ] && kill -0 "$KUBELET_PID" 2>/dev/null; then
		kill "$KUBELET_PID" 2>/dev/null
		wait "$KUBELET_PID" 2>/dev/null
	fi
	KUBELET_PID=""
}
trap 'why_cleanup; az_cleanup; e2e_cleanup' EXIT

# jdcli ARGS...: the CLI beside the TUI, bounded.
jdcli() { timeout 60 "$JD" "$@" >"$E2E_TMP/out" 2>&1; }
# the detail view's line number (0: its first line) that holds TEXT
detail_line() {
	screen | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
top = next((i for i, l in enumerate(lines) if "DETAIL (Esc back)" in l), None)
hit = next((i for i, l in enumerate(lines) if sys.argv[1] in l), None)
if top is None or hit is None or hit <= top:
    sys.exit(1)
print(hit - top - 1)' "$1"
}
# select_detail TEXT: select the detail line holding TEXT (from the top).
select_detail() {
	n=$(detail_line "$1") || return 1
	send g
	i=0
	while [ "$i" -lt "$n" ]; do
		send j
		i=$((i + 1))
	done
	return 0
}
# requests_since PATH-PART: requests in the simulator's log whose path
# holds PATH-PART.
requests_to() {
	curl -sS --max-time 10 --cacert "$D/ca.crt" \
		"$SERVER/_sim/requests" | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if sys.argv[1] in r["path"]
          and r.get("user_agent", "").startswith("jumpdeck")))' "$1"
}
# wait_audit TIMEOUT ACTION OUTCOME TARGET: such a record appears.
wait_audit() {
	n=$(($1 * 10))
	shift
	i=0
	until audit_has "$@"; do
		[ $i -ge $n ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
# open_ks NAME: filter the Flux pane to NAME and open its detail view.
open_ks() {
	send / C-u && type_text "$1" && send Enter
	wait_for "filter: $1 (1 of" 5 || return 1
	send Enter
	wait_for "DETAIL (Esc back)" 5
}

world_up
if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
JD_ENV=$(az_env_words)
export JUMPDECK_AUDIT_LOG=$AUDIT KUBECONFIG=$D/kubeconfig
for s in falco crashloop; do
	python3 "$WHYWORLD" seed --dir "$D" --registry-dir "$AZ_REG" \
		--scenario "$s" >"$E2E_TMP/out" 2>&1 ||
		not_ok "whyworld seeds $s"
done
jdcli import falcosecurity/falco:0.26.2
in_quarantine_only() {
	test -n "$(az_digest acr quarantine/falcosecurity/falco 0.26.2)" &&
		test -z "$(az_digest acr live/falcosecurity/falco 0.26.2)"
}
check "falco imported into quarantine/ only" in_quarantine_only
# Defender has scanned it and found nothing: the scan gate lets it pass.
FALCO_Q=$(az_digest acr quarantine/falcosecurity/falco 0.26.2)
defender_clean() {
	az_sim POST /scans "{\"repository\": \"quarantine/falcosecurity/falco\", \"digest\": \"$FALCO_Q\", \"state\": \"healthy\"}" >/dev/null
}
check "Defender's scan of falco: no findings" defender_clean
python3 "$KUBELET" run --dir "$D" --registry-dir "$AZ_REG" \
	--namespace falco-system --backoff 1 --max-backoff 2 \
	</dev/null >"$E2E_TMP/kubelet.log" 2>&1 &
KUBELET_PID=$!
sleep 1
check "the stand-in kubelet runs" kill -0 "$KUBELET_PID"

# ================================================================ 120x40
jd_start 120 40
# zoomed: the detail view has the width of the screen
send 4 z
check "the Flux pane shows falco-system failed" wait_screen 15 \
	grep -qE 'falco-system +Failed'
check "Enter opens its detail view" open_ks falco-system
assert_screen_has "the detail view starts with why" "Why" 5
assert_screen_has "the chain: the DaemonSet" \
	"DaemonSet falco-system/falco" 10
# The stand-in kubelet turns each pod from ErrImagePull to
# ImagePullBackOff and back on every try: either is the pull failing.
check "the chain: a pod and its reason" wait_screen 5 grep -qE \
	"Pending: falco (ErrImagePull|ImagePullBackOff)"
assert_screen_has "the chain: the kubelet's event" \
	"Failed to pull image \"$IMG\"" 5
assert_screen_has "the chain: the image and where it is" \
	"in quarantine/falcosecurity/falco:0.26.2" 15
assert_screen_has "the image is the likely cause" \
	"likely cause: in quarantine/" 5
assert_screen_has "the fix: promote it" "fix: promote it" 5

# Enter on the pod: its node in the nodes pane
if select_detail "Pod falco-system/falco-"; then
	node=$(screen | sed -n 's/.*Pod falco-system\/falco-[a-z0-9]* on \(aks-[a-z0-9-]*\).*/\1/p' | head -n 1)
	send Enter
	check "Enter on the pod: the nodes pane, its node selected" \
		wait_screen 5 status_has "node $node"
	check "the nodes pane has the focus (zoomed)" wait_screen 3 \
		grep -qF "┌─ 3 Nodes"
else
	not_ok "the pod line is in the detail view"
fi

# back to Flux: the detail view is still open
send 4
assert_screen_has "back in Flux, the chain is still shown" \
	"likely cause:" 5
if select_detail "Image $IMG"; then
	send Enter
	check "Enter on the image: the images pane, p said on the status bar" \
		wait_screen 5 status_has "press p to promote falcosecurity/falco:0.26.2"
	send p
	if wait_for "Type falco and press Enter:" 5; then
		ok "p asks to type the image's name"
		type_text falco
		send Enter
	else
		not_ok "p asks to type the image's name"
	fi
	check "the promotion is done and audited" wait_audit 30 \
		image.promote succeeded live/falcosecurity/falco:0.26.2
else
	not_ok "the image line is in the detail view"
fi

send 4
check "the chain, built again, sees the pods recovered" wait_screen 40 \
	grep -qF "all ready now"
assert_screen_has "what is left: reconcile it" "fix: reconcile it" 5
check "no pod is shown failing any more" wait_screen 5 sh -c \
	'! grep -qF ImagePullBackOff'

# Esc: the view closes and its requests stop
send Escape
assert_screen_lacks "Esc closes the detail view" "DETAIL (Esc back)" 3
sleep 1
n0=$(requests_to /pods)
sleep 7
n1=$(requests_to /pods)
check "no more pod requests once the view is closed ($n0 -> $n1)" \
	test "$n0" = "$n1"

# ================================================================ crash loop
check "the crash loop's detail view opens" open_ks a0005-i
assert_screen_has "the crash loop's chain" "CrashLoopBackOff" 10
check "its previous log, as lines, controls made visible" wait_screen 10 \
	grep -qE '\| .*FATAL.* config missing'
check "the log's escape sequences are shown as marks, not run" \
	wait_screen 3 grep -qF "$(printf '\357\277\275]0;owned')"

title=$(tm display-message -p -t "$JD_SESSION" '#{pane_title}')
check "the log's OSC did not retitle the terminal ($title)" \
	test "${title#*owned}" = "$title"
send Escape

# ================================================================ 80x24
resize 80 24
check "80x24: the detail view opens" open_ks falco-system
assert_screen_has "80x24: the chain is readable" "likely cause: all ready now" 10
send Escape
send q
check "q quits" jd_gone 5
why_cleanup
e2e_finish
