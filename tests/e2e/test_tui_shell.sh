#!/bin/sh
# test_tui_shell.sh - the TUI around the panes, end to end: help overlay,
# pane switching, the command line, context switch, a 403 from the API
# server, the API server going away and coming back, colour and ASCII
# fallbacks, a malformed kubeconfig, and terminal safety against escape
# sequences in server data.
# shellcheck disable=SC1091,SC2034  # lib.sh; JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl

ID=26621167
EVIL=aks-npevil-$ID-vmss000000
FLAKY=aks-npinscope01-$ID-vmss000001

is_grid() {
	s=$(cat)
	for b in '┌─ 1 Images' '┌─ 2 Scans' '┌─ 3 Nodes' '┌─ 4 Flux'; do
		printf '%s\n' "$s" | grep -qF "$b" || return 1
	done
}
title_has() { # TEXT: the title bar (first line) contains TEXT
	head -n 1 | grep -qF -- "$1"
}
status_starts() { # TEXT: the status bar (last line) starts with TEXT
	tail -n 1 | grep -q "^$1"
}
# colour_sgr: the screen (tmux capture-pane -e on stdin) sets a colour:
# an SGR parameter 30-38, 40-48, 90-97 or 100-107.
colour_sgr() {
	python3 -c '
import re, sys
for m in re.finditer(r"\x1b\[([0-9;]*)m", sys.stdin.read()):
    for p in m.group(1).split(";"):
        if p and (30 <= int(p) <= 38 or 40 <= int(p) <= 48 or
                  90 <= int(p) <= 97 or 100 <= int(p) <= 107):
            sys.exit(0)
sys.exit(1)'
}
screen_colour() { tm capture-pane -e -p -t "$JD_SESSION" | colour_sgr; }
no_screen_colour() { ! screen_colour; }
quit_ok() { # DESCRIPTION-PREFIX
	send q
	exit_line=$(wait_exit 5)
	check "$1: q quits with status 0" test "$exit_line" = EXIT=0
}

world_up

# ---------------------------------------------------------------- help
jd_start 200 50
assert_screen_has "nodes listed (7/7 Ready)" "7/7 Ready" 10
check "default: the screen uses colour" screen_colour
send '?'
assert_screen_has "? opens the help overlay: Keys" "Keys"
assert_screen_has "help lists 'Quit jumpdeck'" "Quit jumpdeck"
assert_screen_has "help lists Cordon" "Cordon the selected node"
send Escape
assert_screen_lacks "Esc closes the help" "Quit jumpdeck"

# ---------------------------------------------------------------- panes
send Tab Tab
assert_screen_has "Tab Tab from Nodes: 5 Bootstrap focused (tab mode)" \
	"┌─ 5 Bootstrap"
send Tab
assert_screen_has "Tab: 6 Activity focused" "┌─ 6 Activity"
send BTab
assert_screen_has "S-Tab: back to 5 Bootstrap" "┌─ 5 Bootstrap"
send 6
assert_screen_has "6: the Activity pane" "┌─ 6 Activity"
check "the tab strip lists the six panes" wait_screen 2 \
	grep -q '1 Images.*2 Scans.*3 Nodes.*4 Flux.*5 Bootstrap.*6 Activity'
send 3
check "3: Nodes, back in the grid" wait_screen 3 is_grid

# ---------------------------------------------------------------- commands
send :
type_text th
send Tab
check ":th + Tab completes to :theme" wait_screen 2 status_starts ':theme'
type_text monochrome
send Enter
check ":theme monochrome: status 'theme monochrome'" \
	wait_screen 3 status_has "theme monochrome"
send 6
assert_screen_has "(6: Activity focused)" "┌─ 6 Activity"
send :
type_text nodes
send Enter
check ":nodes focuses the Nodes pane (grid again)" wait_screen 3 is_grid
send :
type_text frobnicate
send Enter
check "an unknown command: 'unknown command' in the status bar" \
	wait_screen 3 status_has "unknown command"

# ---------------------------------------------------------------- 403
echo '[{"user": "viewer", "verb": "list", "resource": "nodes"}]' \
	>"$D/deny.json"
send :
type_text "context sim-viewer"
send Enter
check ":context sim-viewer: the title bar shows sim-viewer" \
	wait_screen 5 title_has " sim-viewer "
assert_screen_has "viewer denied nodes: the server's 403 sentence" \
	'nodes is forbidden: User "viewer" cannot list resource "nodes"' 10
send '?'
assert_screen_has "after the 403 the UI still works: help opens" \
	"Quit jumpdeck"
send Escape
assert_screen_lacks "and closes" "Quit jumpdeck"
rm -f "$D/deny.json"
send :
type_text "context sim"
send Enter
check ":context sim: the title bar shows sim" \
	wait_screen 5 title_has " sim · "
assert_screen_has ":context sim: nodes are back" "7/7 Ready" 10

# ---------------------------------------------------------------- API down
if world down; then ok "simulator stopped"; else not_ok "simulator stopped"; fi
assert_screen_has "API down: 'cannot reach $SERVER'" "cannot reach $SERVER" 10
check "API down: 'retrying in' in the status bar" \
	wait_screen 3 status_has "retrying in"
if world restart; then
	ok "simulator restarted"
else
	not_ok "simulator restarted"
fi
assert_screen_lacks "API back: 'cannot reach' goes away by itself" \
	"cannot reach" 20
assert_screen_has "API back: 'connected to $SERVER'" "connected to $SERVER" 5
world set-ready "$FLAKY" false
assert_screen_has "API back: the watch works again (6/7 Ready)" \
	"6/7 Ready" 10
world set-ready "$FLAKY" true
assert_screen_has "API back: 7/7 Ready" "7/7 Ready" 10
quit_ok "default"

# ---------------------------------------------------------------- colour
JD_ENV="NO_COLOR=1"
jd_start 200 50
JD_ENV=""
assert_screen_has "NO_COLOR=1: starts and lists nodes" \
	"aks-npsystem-$ID-vmss000002" 10
check "NO_COLOR=1: no colour on screen" no_screen_colour
quit_ok "NO_COLOR=1"

jd_start 200 50 --no-color
assert_screen_has "--no-color: starts and lists nodes" \
	"aks-npsystem-$ID-vmss000002" 10
check "--no-color: no colour on screen" no_screen_colour
quit_ok "--no-color"

# ---------------------------------------------------------------- ASCII
JD_ENV="LANG=C"
jd_start 200 50
JD_ENV=""
assert_screen_has "LANG=C: starts and lists nodes" "7/7 Ready" 10
assert_screen_has "LANG=C: ASCII borders (+-)" "+- 3 Nodes"
assert_screen_lacks "LANG=C: no UTF-8 line drawing" "┌─" 1
quit_ok "LANG=C"

jd_start 200 50 --ascii
assert_screen_has "--ascii: starts and lists nodes" "7/7 Ready" 10
assert_screen_has "--ascii: ASCII borders (+-)" "+- 3 Nodes"
assert_screen_lacks "--ascii: no UTF-8 line drawing" "┌─" 1
quit_ok "--ascii"

# ---------------------------------------------------------------- kubeconfig
BAD=$E2E_TMP/broken-kubeconfig.yaml
printf 'apiVersion: v1\nclusters:\n  - name: x\n   bad: [\n' >"$BAD"
jd_start 200 50 --kubeconfig "$BAD"
assert_screen_has "malformed kubeconfig: the TUI starts" "1 Images" 10
assert_screen_has "malformed kubeconfig: the error names file and line" \
	"broken-kubeconfig.yaml:4" 5
assert_screen_has "malformed kubeconfig: it says bad YAML" "bad YAML"
send '?'
assert_screen_has "malformed kubeconfig: the UI works (help opens)" \
	"Quit jumpdeck"
send Escape
quit_ok "malformed kubeconfig"

# ---------------------------------------------------------------- escapes
# A node whose condition message and label carry an OSC title sequence and
# a colour sequence: the terminal must never receive the raw ESC.
world seed-node "$EVIL"
api PATCH "/api/v1/nodes/$EVIL/status" \
	'{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"evil \u001b]0;pwned\u0007 and \u001b[31mred","lastHeartbeatTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}' \
	application/merge-patch+json >"$E2E_TMP/out" 2>&1
api PATCH "/api/v1/nodes/$EVIL" \
	'{"metadata":{"labels":{"evil":"x\u001b]0;pwned\u0007y"}}}' \
	application/merge-patch+json >>"$E2E_TMP/out" 2>&1
if grep -q pwned "$E2E_TMP/out"; then
	ok "simulator: node $EVIL carries escape sequences"
else
	not_ok "simulator: node $EVIL carries escape sequences"
fi
jd_start 200 50
assert_screen_has "8 nodes with the hostile one" "8/8 Ready" 10
send /
type_text npevil
send Enter Enter
assert_screen_has "detail view: the ESC of the condition message shows as �" \
	"evil �]0;pwned� and �[31mred"
send G
assert_screen_has "detail view: the ESC of the label shows as �" \
	"evil=x�]0;pwned�y"
title=$(tm display -p -t "$JD_SESSION" '#{pane_title}')
check "the pane title was not changed to pwned (is: $title)" \
	test "$title" != pwned
# control: the same check does catch a raw title sequence
tm new-session -d -s probe -x 40 -y 5 \
	"printf '\\033]0;pwned\\007'; sleep 2"
i=0
while [ $i -lt 20 ] &&
	[ "$(tm display -p -t probe '#{pane_title}')" != pwned ]; do
	sleep 0.1
	i=$((i + 1))
done
check "control: a raw OSC sequence does change the pane title" \
	test "$(tm display -p -t probe '#{pane_title}')" = pwned
tm kill-session -t probe 2>/dev/null
quit_ok "hostile node"

e2e_finish
