#!/bin/sh
# test_tui_images.sh - the images pane end to end: jumpdeck in a private
# tmux server against the local registries and the Azure simulator (no
# cluster: the nodes and Flux panes just say so). 80x24 read-only (rows as
# a tab, i and I refused and audited), then 200x50: the rows, the pipeline
# stages and the registry, the detail view, a slow import followed live
# (progress, a growing seconds counter, the result in the row, the time
# the copy took in the detail view, the status bar, the activity pane and
# the audit log), promotion, drift made behind
# jumpdeck's back found by a re-check and fixed by a forced promotion
# confirmed with "force NAME", and import all confirmed with "import" with
# one import let go (x) that still completes in Azure.
# shellcheck disable=SC1091,SC2317,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh
# The pipeline, not the scan gate, is tested here (test_tui_scans.sh has
# the gate): images nobody has scanned may be promoted.
mkdir -p "$HOME/.config/jumpdeck"
printf 'scan_gate_block_pending = false\nscan_gate_block_unknown = false\n' \
	>"$HOME/.config/jumpdeck/config"

BUSYBOX=docker.io/library/busybox:1.33.0
KURED=docker.io/weaveworks/kured:1.6.1
QBUSY=quarantine/library/busybox:1.33.0
LBUSY=live/library/busybox:1.33.0
LKURED=live/weaveworks/kured:1.6.1

# ---------------------------------------------------------------- helpers

# Screen predicates (the screen on stdin), for wait_screen.

# row REF: the table row of that image (in a box: "│ REF ").
row() { grep -F "│ $1 "; }
# row_has REF TEXT: that row shows TEXT.
row_has() { row "$1" | grep -qF -- "$2"; }
# row_re REF ERE: that row matches.
row_re() { row "$1" | grep -Eq -- "$2"; }
# rows_with TEXT N: N image rows show TEXT (a narrow pane shows a
# reference without its registry host: "…/fluxcd/...").
rows_with() {
	test "$(grep -E '│ ((docker\.io|ghcr\.io)/|…/)' | grep -cF -- "$1")" \
		-eq "$2"
}
# shows_all TEXT...: every TEXT is on the screen.
shows_all() {
	s=$(cat)
	for t in "$@"; do
		printf '%s\n' "$s" | grep -qF -- "$t" || return 1
	done
}
# dialog_says TEXT: the confirm dialog's text, its wrapped lines joined,
# holds TEXT.
dialog_says() {
	python3 -c '
import re, sys
lines = sys.stdin.read().split("\n")
for y, l in enumerate(lines):
    i = l.find("Confirm")
    if i < 0:
        continue
    x = l.rfind("\u250c", 0, i)
    e = l.find("\u2510", i)
    if x < 0 or e < 0:
        continue
    parts = []
    for l2 in lines[y + 1:]:
        if len(l2) > x and l2[x] == "\u2514":
            break
        parts.append(l2[x + 1:e].strip())
    text = re.sub(r"\s+", " ", " ".join(parts))
    sys.exit(0 if sys.argv[1] in text else 1)
sys.exit(1)' "$1"
}
# secs REF: the seconds counter "(Ns)" of the operation in that row.
secs() {
	screen | row "$1" | sed -n 's/.*ing: [^(]*(\([0-9][0-9]*\)s).*/\1/p'
}
# confirm EXPECT: the confirm dialog asks for EXPECT; it is typed.
confirm() {
	wait_for "Type $1 and press Enter:" 5 || return 1
	type_text "$1"
	send Enter
}
not_status() { ! status_line | grep -qF -- "$1"; }

# audit_count N ACTION OUTCOME TARGET: exactly N such records.
audit_count() {
	[ -f "$AUDIT" ] || return 1
	python3 - "$AUDIT" "$@" <<'EOF'
import json, sys
path, n, action, outcome, target = sys.argv[1:6]
c = 0
for line in open(path, encoding="utf-8", errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if (r.get("action"), r.get("outcome"), r.get("target")) == \
            (action, outcome, target):
        c += 1
sys.exit(0 if c == int(n) else 1)
EOF
}

# jdcli ARGS...: the CLI behind the TUI's back, bounded.
jdcli() {
	timeout 30 "$JD" "$@" >"$E2E_TMP/out" 2>&1
}

if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
ok "registries, upstream images and the Azure simulator start"
JD_ENV=$(az_env_words)

# ================================================================ 80x24,
# read-only
jd_start 80 24 --read-only
send 1
check "80x24: 1 focuses Images as a tab" wait_screen 10 \
	grep -qF '┌─ 1 Images'
check "80x24: six rows 'not imported'" wait_screen 15 \
	rows_with "not imported" 6
assert_screen_has "80x24: the summary and the registry name" \
	"0/6 promoted   registry acrakstest" 3
check "80x24: READ-ONLY badge" wait_screen 1 sh -c 'head -n 1 | grep -qF READ-ONLY'
send g i
check "--read-only: i is refused, 'read-only' in the status bar" \
	wait_screen 3 status_has read-only
check "--read-only: no confirm dialog" \
	wait_screen 1 sh -c '! grep -q "press Enter"'
check "audit log: the read-only import is refused" \
	audit_has image.import refused \
	quarantine/fluxcd/kustomize-controller:v0.6.3 read-only
send I
check "--read-only: I (import all) is refused too" \
	wait_screen 3 status_has "read-only mode: import refused"
check "--read-only: still no confirm dialog" \
	wait_screen 1 sh -c '! grep -q "press Enter"'
check "audit log: the read-only import of all is refused" \
	audit_has image.import refused all read-only
check "--read-only: nothing was imported (no importImage POST)" \
	test "$(az_requests POST /importImage)" -eq 0
send q
exit_line=$(wait_exit 5)
check "q quits with status 0" test "$exit_line" = EXIT=0

# ================================================================ 200x50
jd_start 200 50
send 1
check "200x50: the grid with the Images box" wait_screen 10 \
	grep -qF '┌─ 1 Images'
check "200x50: six rows 'not imported'" wait_screen 15 \
	rows_with "not imported" 6
check "200x50: the pipeline stages ●→○→○→○ on each row" wait_screen 3 \
	rows_with "●→○→○→○" 6
assert_screen_has "200x50: the summary and the registry name" \
	"0/6 promoted   registry acrakstest" 3
check "200x50: the title bar names the Azure identity" wait_screen 3 \
	sh -c "head -n 1 | grep -qF 'Azure: app $AZURE_CLIENT_ID'"

# ---------------------------------------------------------------- detail
send g Enter
assert_screen_has "Enter: the detail view of the first image" \
	"ghcr.io/fluxcd/kustomize-controller:v0.6.3"
check "detail: Upstream, Quarantine, Scan, Live" wait_screen 3 \
	shows_all "Upstream " "Quarantine " "Scan " "Live "
check "detail: the upstream digest in full" wait_screen 1 shows_all \
	"$(az_seed_digest ghcr.io/fluxcd/kustomize-controller:v0.6.3)"
check "detail: quarantine/ 'not there'" wait_screen 1 grep -Eq \
	"Quarantine +quarantine/fluxcd/kustomize-controller:v0.6.3 +not there"
check "detail: the Scan line says why there is no verdict" wait_screen 3 \
	grep -qE 'Scan +(unknown: not in quarantine/|the scanners have not answered yet)'
check "detail: the state and what to do" wait_screen 1 shows_all \
	"State       not imported"
check "detail: no 'Last copy' before any copy" wait_screen 1 \
	sh -c '! grep -qF "Last copy"'
send Escape
assert_screen_lacks "Esc closes the detail view" "Last operation"
check "after Esc the table is back" wait_screen 3 rows_with "not imported" 6

# ---------------------------------------------------------------- import
az_config '{"import_delay_s": 4}'
if select_row 3 "$BUSYBOX"; then
	ok "busybox's row selected"
else
	not_ok "busybox's row selected"
fi
send z
send i
check "i: the confirm dialog 'Import $BUSYBOX into $QBUSY?'" \
	wait_screen 5 dialog_says "Import $BUSYBOX into $QBUSY?"
check "i: confirmed by typing 'busybox'" confirm busybox
check "i: the row shows 'importing' with progress and seconds" \
	wait_screen 5 row_re "$BUSYBOX" 'importing: [^ ].* \([0-9]+s\)'
check "audit log: image.import requested" \
	audit_has image.import requested "$QBUSY"
s1=$(secs "$BUSYBOX")
sleep 2
s2=$(secs "$BUSYBOX")
if [ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -ge $((s1 + 1)) ]; then
	ok "importing: the seconds counter grows (${s1}s, then ${s2}s)"
else
	not_ok "importing: the seconds counter grows ('$s1', then '$s2')"
fi
check "import: the status bar says 'imported to $QBUSY'" \
	wait_screen 15 status_has "imported to $QBUSY"
check "import: the row says quarantined" wait_screen 5 \
	row_has "$BUSYBOX" quarantined
# The scan stage: pending (·), nobody has scanned the new import yet.
check "import: the row's stages are ●→●→·→○" wait_screen 10 \
	row_has "$BUSYBOX" "●→●→·→○"
check "import: the progress is gone from the row" wait_screen 3 \
	sh -c '! grep -qF "importing:"'
# The hint names the key that promotes in this pane: p (P is Flux's resume).
check "import: the row's hint names the promote key p" wait_screen 3 \
	row_has "$BUSYBOX" "when the scan allows (p)"
check "import: the quarantine digest in the row" wait_screen 1 \
	row_has "$BUSYBOX" "$(az_seed_digest "$BUSYBOX" | cut -c1-19)"
check "audit log: image.import succeeded" \
	audit_has image.import succeeded "$QBUSY" "imported to $QBUSY"
check "audit log: done as the Azure identity" \
	grep -q "\"identity\":\"azure app $AZURE_CLIENT_ID\"" "$AUDIT"
# The import was held 4 s by the simulator: the time it took is at least
# that, said in the detail view with how long ago it ended.
send Enter
check "detail: 'Last copy  import, N s, Ms ago' with N >= 4" wait_screen 5 \
	grep -Eq 'Last copy +import, ([4-9]|[1-9][0-9]) s, [0-9]+s ago'
send Escape
check "Esc: back to the table after the import's detail" wait_screen 3 \
	row_has "$BUSYBOX" quarantined
send 6
check "activity pane (6) lists the import" wait_screen 3 \
	grep -Eq "succeeded +(image\.)?import +$QBUSY"
send 1
az_config '{"import_delay_s": 0}'

# ---------------------------------------------------------------- promote
send p
check "p: the confirm dialog 'Promote $QBUSY to $LBUSY?'" \
	wait_screen 5 dialog_says "Promote $QBUSY to $LBUSY?"
check "p: confirmed by typing 'busybox'" confirm busybox
check "promote: the status bar says 'promoted to $LBUSY'" \
	wait_screen 15 status_has "promoted to $LBUSY"
check "promote: the row says promoted" wait_screen 5 \
	row_has "$BUSYBOX" promoted
check "promote: the summary says 1/6 promoted" wait_screen 3 \
	grep -qF "1/6 promoted"
send Enter
check "detail: 'Last copy  promote, N s, Ms ago' after the promotion" \
	wait_screen 5 grep -Eq 'Last copy +promote, [0-9]+ s, [0-9]+s ago'
send Escape
check "audit log: image.promote requested once" \
	audit_count 1 image.promote requested "$LBUSY"
check "audit log: image.promote succeeded once" \
	audit_count 1 image.promote succeeded "$LBUSY"

# ---------------------------------------------------------------- drift
# kured imported and promoted by the CLI, then another image pushed
# straight to live/: jumpdeck learns of it on r.
if jdcli import kured && jdcli promote kured; then
	ok "CLI: kured imported and promoted behind the TUI's back"
else
	not_ok "CLI: kured imported and promoted behind the TUI's back"
fi
ROGUE=$(az_push live/weaveworks/kured 1.6.1 behind-its-back)
send r
check "r: kured is drifted" wait_screen 10 row_has "$KURED" drifted
check "r: the box title says '1 alert'" wait_screen 3 \
	grep -qF '┌─ 1 Images · 1 alert'
check "r: the summary says '· 1 alert'" wait_screen 3 \
	grep -qF '1/6 promoted · 1 alert'
check "r: the row shows the rogue live digest" wait_screen 3 \
	row_has "$KURED" "$(echo "$ROGUE" | cut -c1-19)"
if select_row 4 "$KURED"; then
	ok "kured's row selected"
else
	not_ok "kured's row selected"
fi
send p
check "p on a drifted image: the dialog says the tag holds another image" \
	wait_screen 5 dialog_says \
	"$LKURED already holds another image. Replace it with the quarantine one?"
check "p on a drifted image: asks for 'force kured'" \
	wait_screen 1 grep -qF "Type force kured and press Enter:"
type_text kured
send Enter
check "p: typing only 'kured' does not confirm" \
	wait_screen 2 grep -qF "Type force kured and press Enter:"
send BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
type_text "force kured"
send Enter
check "forced promotion: the status bar says 'promoted to $LKURED'" \
	wait_screen 15 status_has "promoted to $LKURED"
check "forced promotion: kured promoted again" wait_screen 5 \
	row_has "$KURED" promoted
check "forced promotion: no alert left" wait_screen 3 \
	sh -c '! grep -qF "1 alert"'
check "forced promotion: live/ holds the quarantine digest" \
	test "$(az_digest acr live/weaveworks/kured 1.6.1)" = \
	"$(az_seed_digest "$KURED")"
check "audit log: the promotion was requested 'forced'" \
	audit_has image.promote requested "$LKURED" forced

# ---------------------------------------------------------------- import all
# Slow again, so that one of them can be let go with x.
az_config '{"import_delay_s": 3}'
send g I
check "I: the confirm dialog for the four images not in quarantine" \
	wait_screen 5 dialog_says \
	"Import the 4 images that are not in quarantine yet?"
check "I: confirmed by typing 'import'" confirm import
check "import all: the four rows follow their imports" wait_screen 5 \
	rows_with "importing: " 4
send g x
check "x: the first row no longer follows its import" wait_screen 5 \
	status_has "stopped following the import"
check "x: the others still run" wait_screen 1 rows_with "importing: " 3
check "import all: the three others finish" wait_screen 20 \
	rows_with quarantined 3
az_config '{"import_delay_s": 0}'
send r
check "r: the import let go went on in Azure: four rows quarantined" \
	wait_screen 10 rows_with quarantined 4
check "import all: no row left 'not imported'" wait_screen 1 \
	rows_with "not imported" 0
check "audit log: image.import succeeded for envoy-alpine" \
	audit_has image.import succeeded \
	quarantine/envoyproxy/envoy-alpine:v1.15.0
send I
check "I again: 'every image is in quarantine already'" wait_screen 3 \
	status_has "every image is in quarantine already"
send q
exit_line=$(wait_exit 5)
check "q quits with status 0" test "$exit_line" = EXIT=0

e2e_finish
