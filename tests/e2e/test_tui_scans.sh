#!/bin/sh
# test_tui_scans.sh - the scans pane and the gate end to end: jumpdeck in a
# private tmux server against the registries, the Azure simulator's
# Resource Graph (Defender rows seeded per digest), a Grype report in the
# configured report directory and a simulated cluster whose pods run the
# images. At 120x40: the rows (verdicts, the severity counts, the gate,
# the pods), the detail view (findings sorted by severity then CVSS, by
# CVSS with s, filtered with /, the pods with the drifted one as an alert);
# in the images pane the scan stage, a promotion refused by the gate
# before any dialog and an override with the image's name and a reason,
# both audited. At 80x24 the pane as a tab with every verdict whole.
# shellcheck disable=SC1091,SC2317,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh
. tests/e2e/lib_scans.sh

BUSYBOX=docker.io/library/busybox:1.33.0
LBUSY=live/library/busybox:1.33.0
REPORTS=$E2E_TMP/reports
mkdir -p "$REPORTS" "$HOME/.config/jumpdeck"
printf 'scan_reports = %s\n' "$REPORTS" >"$HOME/.config/jumpdeck/config"

# row NAME: the scans pane's row of that image ("│ NAME ").
row() { grep -F "│ $1 "; }
row_re() { row "$1" | grep -Eq -- "$2"; }
# pod NS NAME IMAGE IMAGEID: a pod created and given a running container
# status through the API, as a kubelet would.
pod() {
	api POST "/api/v1/namespaces/$1/pods" "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"$2\",\"namespace\":\"$1\"},\"spec\":{\"nodeName\":\"aks-npsystem-26621167-vmss000000\",\"containers\":[{\"name\":\"main\",\"image\":\"$3\"}]}}" >/dev/null &&
		api PATCH "/api/v1/namespaces/$1/pods/$2/status" "{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"main\",\"image\":\"$3\",\"imageID\":\"$4\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}}" application/merge-patch+json >/dev/null
}

if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
world_up
ok "registries, the Azure simulator and the cluster start"
JD_ENV=$(az_env_words)

BB=$(az_seed_digest $BUSYBOX)
short() { echo "$1" | cut -c1-19; }

# The CLI writes the TUI's audit log: its import times say "pending".
import3() {
	JUMPDECK_AUDIT_LOG=$AUDIT timeout 120 "$JD" import busybox kured \
		falco >"$E2E_TMP/out" 2>&1
}
check "busybox, kured and falco imported (CLI)" import3
scans_seed_defender
scans_grype_busybox_arm64 "$REPORTS"
LIVE=acrakstest.azurecr.io/live
pod default busybox-good "$LIVE/library/busybox:1.33.0" \
	"$LIVE/library/busybox@$BB" &&
	pod default busybox-drift "$LIVE/library/busybox:1.33.0" \
		"$LIVE/library/busybox@sha256:$(printf 'c%.0s' $(seq 64))"
check "pods seeded through the API" test $? -eq 0

# ================================================================ 120x40
jd_start 120 40
send 2 z
check "scans pane: busybox unhealthy, 1 critical, 1 high, 1 medium, blocked" \
	wait_screen 30 row_re busybox:1.33.0 'unhealthy .* 1 +1 +1 .*blocked'
check "scans pane: kured healthy and passes" \
	wait_screen 5 row_re kured:1.6.1 'healthy .*passes'
check "scans pane: falco pending (imported just now)" \
	wait_screen 5 row_re falco:0.26.2 'pending .*blocked'
check "scans pane: the sources of busybox, Defender and Grype (differ)" \
	wait_screen 5 row_re busybox:1.33.0 'defender,grype \(differ\)'
check "scans pane: busybox runs in 2 pods, an alert" \
	wait_screen 10 row_re busybox:1.33.0 '2 pods, ALERT'
check "scans pane: the title says what is blocked" \
	wait_for "blocked, 1 alert" 3

# the detail view of busybox
send g
tries=0
while [ $tries -lt 6 ]; do
	send Enter
	wait_for "Verdict" 2 && screen | grep -qF "$BUSYBOX" && break
	send Escape j
	tries=$((tries + 1))
done
check "detail: busybox's verdict" wait_for "Verdict     unhealthy" 3
check "detail: the gate names CVE-2021-3711" \
	wait_for "Gate        blocked by: CVE-2021-3711 (critical, openssl 1.1.1k-r0 -> 1.1.1l-r0)" 3
check "detail: the sources disagree, both shown" \
	wait_for "the sources disagree: both are shown" 3
check "detail: findings by severity then CVSS: 3711, 28831, 23840" \
	wait_screen 3 python3 -c '
import sys
s = sys.stdin.read()
ids = [i for i in ("CVE-2021-3711", "CVE-2021-28831", "CVE-2021-23840")
       if i in s]
pos = [s.find("  " + i + " ") for i in ids]
sys.exit(0 if len(ids) == 3 and pos == sorted(pos) else 1)'
check "detail: CVE-2021-3711 row (critical, 9.8, openssl, fix, BLOCKS)" \
	wait_screen 3 grep -Eq 'CVE-2021-3711 +critical +9\.8 +openssl +1\.1\.1k-r0 -> 1\.1\.1l-r0 +fix available +defender +BLOCKS'
check "detail: Grype's finding from the arm64 manifest" \
	wait_screen 3 grep -Eq 'CVE-2021-28831 +high +8\.1 +busybox .* grype'
check "detail: where it runs: 2 containers, 1 alert" \
	wait_for "Where it runs: 2 containers, 1 alert" 5
check "detail: the drifted pod's alert names both digests" \
	wait_for "runs sha256:cccccccccccc, not the vetted $(short "$BB")" 3
send s
check "detail: s sorts by CVSS (8.1 before 7.5)" \
	wait_screen 3 python3 -c '
import sys
s = sys.stdin.read()
sys.exit(0 if "by CVSS" in s and s.find("CVE-2021-28831 ") < s.find("CVE-2021-23840 ") else 1)'
send /
type_text openssl
send Enter
check "detail: / filters the findings (2 match openssl)" \
	wait_for 'Findings: 2 matching "openssl"' 3
check "detail: the filtered-out finding is gone" \
	wait_gone "CVE-2021-28831" 3
send Escape
check "Esc: back to the rows, the filter gone with the view" \
	wait_screen 3 row_re kured:1.6.1 healthy
send z

# ================================================================ the gate
send 1 z
check "images pane: busybox's scan stage crossed, SCAN says blocked" \
	wait_screen 10 grep -Eq "│ $BUSYBOX .*●→●→✗→○.*unhealthy, blocked"
send g
tries=0
while [ $tries -lt 6 ]; do
	send Enter
	wait_for "Last operation" 2 && screen | grep -qF "$BUSYBOX" && break
	send Escape j
	tries=$((tries + 1))
done
check "images detail: the scan line and the gate" \
	wait_for "gate: blocked by: CVE-2021-3711" 3
send Escape
send p
check "p: refused before any dialog, naming the finding" \
	wait_screen 5 status_has "$LBUSY: scan gate: blocked by: CVE-2021-3711"
check "p: no dialog opened" wait_gone "Confirm" 1
check "audit: the promotion refused with what the gate said" \
	audit_has image.promote refused "$LBUSY" "blocked by: CVE-2021-3711"
send o
check "o: the dialog says what blocks it and asks for the name" \
	wait_for "Type busybox and press Enter:" 5
type_text busybox
send Enter
check "o: then asks for a reason" wait_for "Type the reason and press Enter:" 5
send Enter
check "o: an empty reason is not taken" wait_for "reason cannot be empty" 3
type_text "openssl SM2 unused; fix on Friday"
send Enter
check "o: promoted past the gate" \
	wait_screen 30 status_has "promoted to $LBUSY"
check "audit: requested with the reason and what the gate said" \
	audit_has image.promote requested "$LBUSY" \
	"scan gate overridden, reason: openssl SM2 unused; fix on Friday; blocked by: CVE-2021-3711"
check "audit: and succeeded" audit_has image.promote succeeded "$LBUSY"
check "live/ holds the quarantine digest" \
	test "$(az_digest acr live/library/busybox 1.33.0)" = "$BB"

# ================================================================ 80x24
jd_start 80 24
send 2
check "80x24: the scans pane as a tab, busybox's verdict whole" \
	wait_screen 30 row_re busybox:1.33.0 'unhealthy '
check "80x24: pending reads whole" wait_screen 5 row_re falco:0.26.2 'pending '
check "80x24: the gate column reads whole" \
	wait_screen 5 row_re falco:0.26.2 'blocked'
send q
check "q quits" wait_exit 5

e2e_finish
