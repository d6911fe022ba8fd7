#!/bin/sh
# test_tui_columns.sh - at the sizes operators use over Bastion (120x40,
# the grid, and 80x24, tabs) every pane's rows show their state whole: the
# columns that say what a row is and how it stands keep their room, the
# others give way. Against the demo world (the cluster simulator, the
# registries and the Azure simulator, the pipeline walked part way with
# the CLI as `make demo` does: promoted, quarantined, not imported and a
# drifted live/ tag). A row's state is the images' STATE, the nodes'
# STATUS, Flux's READY, the bootstrap steps' mark and next action, the
# audit records' OUTCOME. Then a Flux object failing with a 300-character
# message: its detail view, opened from the grid, takes the whole body
# and shows the message whole, wrapped; Esc gives the grid back (the
# scans' detail view takes the whole body the same way). Last,
# actions whose preconditions fail are refused at once, without a dialog.
# shellcheck disable=SC1091,SC2317,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh

NS=flux-system
KS_PATH=/apis/kustomize.toolkit.fluxcd.io/v1beta1/namespaces/$NS/kustomizations

# ---------------------------------------------------------------- helpers

# box TITLE: the inner lines of the box whose title starts with TITLE
# ("3 Nodes"), from the screen on stdin, one per line, right-trimmed.
box() {
	python3 -c '
import sys
lines = sys.stdin.read().split("\n")
title = "\u250c\u2500 " + sys.argv[1]
out = []
for y, l in enumerate(lines):
    i = l.find(title)
    if i < 0:
        continue
    e = l.find("\u2510", i)
    for l2 in lines[y + 1:]:
        if len(l2) <= i or l2[i] == "\u2514":
            break
        out.append(l2[i + 2:e if e > 0 else None].rstrip(" \u2502"))
    break
else:
    sys.exit(1)
try:
    sys.stdout.write("".join(x + "\n" for x in out))
except BrokenPipeError:
    pass' "$1" 2>/dev/null
}

# col_whole TITLE HEADER N: in that box, N rows below the header line have
# text in HEADER's column and none of it cut (no ellipsis).
col_whole() {
	box "$1" | python3 -c '
import sys
head, n = sys.argv[1], int(sys.argv[2])
lines = sys.stdin.read().split("\n")
for y, l in enumerate(lines):
    x = l.find(head)
    if x >= 0:
        rows = [r[x:].strip() for r in lines[y + 1:] if r.strip()]
        ok = len(rows) == n and all(r and "\u2026" not in r and
                                    not r.endswith("~") for r in rows)
        sys.exit(0 if ok else 1)
sys.exit(1)' "$2" "$3"
}

# rows_whole TITLE N ERE: N lines of that box match ERE, where ERE is a
# state followed by the end of the line or two spaces (a column gap), so a
# cut state ("pro…") never counts.
rows_whole() {
	n=$(box "$1" | grep -cE -- "$3( {2,}|$)")
	[ "$n" -eq "$2" ]
}

# image_state NAME STATE: the images box's row of NAME shows STATE whole.
image_state() {
	box "1 Images" | grep -F -- "$1" | grep -qE -- " $2( {2,}|$)"
}

# images_whole: the six images of the demo with their states, whole.
images_whole() {
	s=$(cat)
	for p in "kustomize-controller promoted" "source-controller promoted" \
		"falco quarantined" "kured drifted" "busybox not imported" \
		"envoy-alpine not imported"; do
		printf '%s\n' "$s" | image_state "${p%% *}" "${p#* }" ||
			return 1
	done
}

NODE_STATE='(Ready|NotReady|Unknown)(,SchedulingDisabled)?'
FLUX_STATE='^(ks|git) +[^ ]+ +(Ready|Failed|Waiting|Progressing|Stalled|Unknown)'
OUTCOME='(succeeded|requested|failed|refused)'

# flux_rows N: N Flux rows with their state whole.
flux_rows() { rows_whole "4 Flux" "$1" "$FLUX_STATE"; }

# joined TITLE: the box's lines joined, white space squeezed to one space.
joined() {
	box "$1" | tr '\n' ' ' | tr -s ' '
}
# detail_has TITLE TEXT: the detail view in that box holds TEXT whole once
# its wrapped lines are joined.
detail_has() {
	joined "$1" | grep -qF -- "$2"
}

# jdcli ARGS...: the CLI, bounded, with the TUI's audit log.
jdcli() {
	JUMPDECK_AUDIT_LOG=$AUDIT KUBECONFIG=$D/kubeconfig \
		timeout 60 "$JD" "$@" >>"$E2E_TMP/out" 2>&1
}

# ---------------------------------------------------------------- world

world_up --scenario demo --flap-seconds 0
if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
JD_ENV=$(az_env_words)
if jdcli import kustomize-controller source-controller falco kured &&
	jdcli promote --override-gate --reason "e2e: no scanner here" \
		kustomize-controller source-controller kured &&
	python3 tests/sim/images.py push --dir "$AZ_REG" --registry acr \
		--repo live/weaveworks/kured --tag 1.6.1 \
		--content skipped-quarantine >>"$E2E_TMP/out" 2>&1; then
	ok "the demo's pipeline: 3 promoted, 1 quarantined, 1 drifted"
else
	not_ok "the demo's pipeline: 3 promoted, 1 quarantined, 1 drifted"
	e2e_finish
fi

# ---------------------------------------------------------------- panes

# scans_whole: the six images' verdicts and gates whole (the verdict
# right after the image, the gate last among the keys).
scans_whole() {
	rows_whole "2 Scans" 6 "^[^ ]+ +[a-z]+ .* (blocked|passes)"
}
nodes_whole() { rows_whole "3 Nodes" 7 "  $NODE_STATE"; }
# boot_whole: the ten steps each with its mark (the step's state) whole,
# and the next action, where its column is shown, whole.
boot_whole() {
	box "5 Bootstrap" | python3 -c '
import re, sys
lines = sys.stdin.read().split("\n")
for y, l in enumerate(lines):
    if "STEP" in l and "WHY" in l:
        break
else:
    sys.exit(1)
nx = l.find("NEXT")
rows = [r for r in lines[y + 1:y + 11] if re.match(r"\d+ ", r)]
ok = len(rows) == 10
for r in rows:
    m = re.match(r"(\d+) +(\S) +\S", r)
    ok = ok and m is not None and m.group(2) != "\u2026"
    if nx >= 0:
        ok = ok and "\u2026" not in r[nx:]
sys.exit(0 if ok else 1)'
}
activity_whole() {
	rows_whole "6 Activity" 14 "  $OUTCOME  +image\.[a-z]+"
}

# panes_whole SIZE: every pane of the running jumpdeck, focused in turn,
# shows each row's state whole.
panes_whole() {
	send 1
	check "$1: images: the six states whole" wait_screen 30 images_whole
	send 2
	check "$1: scans: the six verdicts and gates whole" wait_screen 15 \
		scans_whole
	send 3
	check "$1: nodes: the seven statuses whole" wait_screen 10 nodes_whole
	send 4
	check "$1: flux: the four objects' states whole" wait_screen 10 \
		flux_rows 4
	send 5
	check "$1: bootstrap: the ten steps' marks and next actions whole" \
		wait_screen 15 boot_whole
	send 6
	check "$1: activity: the CLI's 14 records, outcomes whole" \
		wait_screen 5 activity_whole
}

# detail_open SIZE: the Flux pane focused, filtered to a0005-i, its detail
# view opened: it takes the whole body and shows the long message whole.
detail_open() {
	send 4 /
	type_text a0005-i
	send Enter
	check "$1: the filter leaves a0005-i, Failed" wait_screen 10 \
		rows_whole "4 Flux" 1 "^ks +a0005-i +Failed"
	send Enter
	check "$1: the detail view takes the whole body" wait_screen 5 \
		detail_alone
	check "$1: the detail view shows the 300-character message whole" \
		wait_screen 5 detail_has "4 Flux" "$LONG"
	[ -n "${E2E_SHOW:-}" ] && screen
	send Escape
}
# detail_alone: the Flux box is the only box, and it shows the detail.
detail_alone() {
	s=$(cat)
	printf '%s\n' "$s" | box "4 Flux" | grep -qF "DETAIL (Esc back)" &&
		! printf '%s\n' "$s" | grep -qF '┌─ 3 Nodes'
}

# grid_back: the grid again, the Flux box showing its list.
grid_back() {
	s=$(cat)
	printf '%s\n' "$s" | grep -qF '┌─ 3 Nodes' &&
		printf '%s\n' "$s" | box "4 Flux" | grep -q '^KIND '
}
# list_back: the Flux box shows its list, not the detail view.
list_back() { box "4 Flux" | grep -q '^KIND '; }

# A Kustomization failing with a message of 300 characters, as
# kustomize-controller reports a long build error (the stand-in fails with
# the message of its annotation).
LONG=$(python3 -c '
s = "kustomize build failed: " + " ".join("w%03d" % i for i in range(1, 80))
s = s[:296].rstrip() + " END"
s = s[:296 - (len(s) - 300)] if len(s) > 300 else s
print(s + "x" * (300 - len(s)), end="")')
check "the long message has 300 characters" test "${#LONG}" -eq 300
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if api PATCH "$KS_PATH/a0005-i" "{\"metadata\":{\"annotations\":{
	\"sim.jumpdeck.dev/fail\":\"$LONG\",
	\"reconcile.fluxcd.io/requestedAt\":\"$now\"}}}" \
	application/merge-patch+json >"$E2E_TMP/out" 2>&1; then
	ok "a0005-i annotated to fail with the long message"
else
	not_ok "a0005-i annotated to fail with the long message"
fi

# scans_alone: the Scans box is the only box, and it shows a detail view.
scans_alone() {
	s=$(cat)
	printf '%s\n' "$s" | box "2 Scans" | grep -qF "DETAIL (Esc back)" &&
		! printf '%s\n' "$s" | grep -qF '┌─ 3 Nodes'
}

jd_start 120 40
check "120x40: the grid" wait_screen 15 grep -qF '┌─ 4 Flux'
panes_whole 120x40
detail_open 120x40
check "120x40: Esc gives the grid back" wait_screen 5 grid_back
send 2 g Enter
check "120x40: the scans' detail view takes the whole body too" \
	wait_screen 5 scans_alone
send Escape
check "120x40: Esc gives the grid back from the scans too" wait_screen 5 \
	grep -qF '┌─ 3 Nodes'
send Escape
send q
jd_start 80 24
check "80x24: tabs" wait_screen 15 grep -qF '┌─ 3 Nodes'
panes_whole 80x24
detail_open 80x24
check "80x24: Esc gives the list back" wait_screen 5 list_back
send Escape

# ------------------------------------------------ refusals before questions
# refused KEYS... -- TEXT: after the keys the status line says TEXT at once
# and no confirm dialog opens.
refused() {
	desc=$1 text=$2
	shift 2
	send "$@"
	if wait_screen 5 status_has "$text" && ! screen | grep -qF 'Confirm'
	then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}
send 1
refused "p on a promoted image: 'already promoted', no dialog" \
	"already promoted" g p
refused "p on an image not in quarantine/: 'import it first', no dialog" \
	"import it first" g j j j p
send 3
refused "u on a schedulable node: 'already schedulable', no dialog" \
	"already schedulable" g u
send 4
refused "P on an object not suspended: 'not suspended', no dialog" \
	"is not suspended" g P
send q
e2e_finish
