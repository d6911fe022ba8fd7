#!/bin/sh
# test_tui_nodes.sh - the nodes pane end to end: jumpdeck in a private tmux
# server against the simulated cluster. Layout (grid, tabs, too small),
# live readiness changes and the pools' sparklines of Ready nodes (at
# 200x50, and under --ascii at 80x24), filter, detail view, cordon and
# uncordon through the typed confirmation, read-only refusal, audit
# records, clean quit.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl

ID=26621167
NODES="aks-npinscope01-$ID-vmss000000 aks-npinscope01-$ID-vmss000001
aks-npooscope01-$ID-vmss000000 aks-npooscope01-$ID-vmss000001
aks-npsystem-$ID-vmss000000 aks-npsystem-$ID-vmss000001
aks-npsystem-$ID-vmss000002"
FLAKY=aks-npooscope01-$ID-vmss000001 # goes NotReady; not first by name
TARGET=aks-npsystem-$ID-vmss000001   # cordoned and uncordoned

# Screen predicates (the screen on stdin), for wait_screen.
is_grid() {
	s=$(cat)
	for b in '┌─ 1 Images' '┌─ 2 Scans' '┌─ 3 Nodes' '┌─ 4 Flux'; do
		printf '%s\n' "$s" | grep -qF "$b" || return 1
	done
	# no tab strip: the panes outside the grid are not listed
	! printf '%s\n' "$s" | grep -qF '5 Bootstrap'
}
is_tabs() {
	s=$(cat)
	printf '%s\n' "$s" |
		grep -q '1 Images .*2 Scans .*3 Nodes.*4 Flux.*5 Bootstrap.*6 Activity' ||
		return 1
	printf '%s\n' "$s" | grep -qF '┌─ 3 Nodes' || return 1
	! printf '%s\n' "$s" | grep -qF '┌─ 1 Images'
}
all_nodes_shown() {
	s=$(cat)
	for n in $NODES; do
		printf '%s\n' "$s" | grep -qF "$n" || return 1
	done
}
# the first table row is the NotReady node
not_ready_first() {
	grep -o "^│ aks-[a-z0-9]*-$ID-vmss[0-9]* *[A-Za-z,]*" | head -n 1 |
		grep -q "^│ $FLAKY *NotReady"
}
rows_are() { # COUNT: node rows on screen (table rows start at the border)
	test "$(grep -c "^│ aks-[a-z0-9]*-$ID-vmss")" -eq "$1"
}
rows_3() { rows_are 3; }
rows_7() { rows_are 7; }
rows_1() { rows_are 1; }

world_up

# ---------------------------------------------------------------- 200x50
jd_start 200 50
assert_screen_has "200x50: the nodes pane says 7/7 Ready" "7/7 Ready" 10
check "200x50: grid of the four boxes 1 Images, 2 Scans, 3 Nodes, 4 Flux" \
	wait_screen 3 is_grid
check "the seven node names are listed" wait_screen 3 all_nodes_shown

# ---------------------------------------------------------------- readiness
if world set-ready "$FLAKY" false; then
	ok "simulator: $FLAKY set NotReady"
else
	not_ok "simulator: $FLAKY set NotReady"
fi
assert_screen_has "without a key press: 6/7 Ready" "6/7 Ready"
assert_screen_has "without a key press: NotReady shown" "NotReady"
check "the NotReady node is sorted first" wait_screen 3 not_ready_first
# A sample at most every 5 s: the dip shows within one interval.
check "200x50: npooscope01's sparkline dips (█ then ▄ after 1/2)" \
	wait_screen 12 grep -Eq 'npooscope01 1/2 █+▄( |$)'
check "200x50: the other pools' sparklines stay full" wait_screen 1 \
	grep -Eq 'npinscope01 2/2 █+ · npooscope01 1/2 █+▄ · npsystem 3/3 █+'
world set-ready "$FLAKY" true
assert_screen_has "back to 7/7 Ready once the node is Ready again" \
	"7/7 Ready"
assert_screen_lacks "NotReady is gone" "NotReady"
check "200x50: npooscope01's sparkline rises again (█▄█)" \
	wait_screen 12 grep -Eq 'npooscope01 2/2 █+▄█( |$)'

# ---------------------------------------------------------------- filter
send /
type_text npsystem
send Enter
assert_screen_has "filter npsystem: 'filter: npsystem (3 of 7)'" \
	"filter: npsystem (3 of 7)"
check "filter npsystem: three rows" wait_screen 3 rows_3

# ---------------------------------------------------------------- detail
send Enter
assert_screen_has "Enter opens the detail view: Conditions" "Conditions"
assert_screen_has "detail view: Taints" "Taints"
assert_screen_has "detail view of a system node: CriticalAddonsOnly" \
	"CriticalAddonsOnly=true:NoSchedule"
send Escape
assert_screen_lacks "Esc closes the detail view" "CriticalAddonsOnly"
assert_screen_has "after the detail view the filtered table is back" \
	"filter: npsystem (3 of 7)"
send Escape
assert_screen_lacks "Esc clears the filter" "filter: npsystem"
check "seven rows again" wait_screen 3 rows_7

# ---------------------------------------------------------------- cordon
send /
type_text "$TARGET"
send Enter
check "filter on $TARGET: one row" wait_screen 3 rows_1
send c
assert_screen_has "c opens the confirm dialog" "Confirm"
assert_screen_has "the dialog asks for the node's name" \
	"Type $TARGET and press Enter"
type_text wrong-name
send Enter
assert_screen_has "a wrong name: 'does not match' is shown" "does not match" 2
assert_screen_has "a wrong name keeps the dialog open" \
	"Type $TARGET and press Enter" 1
type_text "$TARGET"
send Enter
assert_screen_has "the right name cordons: SchedulingDisabled" \
	"SchedulingDisabled"
assert_screen_lacks "the dialog is closed" "Type $TARGET and press Enter"
check "audit log: node.cordon requested" \
	audit_has node.cordon requested "node/$TARGET"
check "audit log: node.cordon succeeded" \
	audit_has node.cordon succeeded "node/$TARGET"

send u
assert_screen_has "u opens the confirm dialog" "Type $TARGET and press Enter"
type_text "$TARGET"
send Enter
assert_screen_lacks "u uncordons: SchedulingDisabled is gone" \
	"SchedulingDisabled" 5
check "audit log: node.uncordon succeeded" \
	audit_has node.uncordon succeeded "node/$TARGET"

send c
assert_screen_has "c again: the confirm dialog" "Type $TARGET and press Enter"
send Escape
assert_screen_lacks "Esc cancels the dialog" "Type $TARGET and press Enter"
check "the status bar says cancelled" wait_screen 3 status_has cancelled
check "audit log: the cancelled cordon is refused, 'cancelled'" \
	audit_has node.cordon refused "node/$TARGET" cancelled
check "no cordon happened" wait_screen 1 sh -c '! grep -q SchedulingDisabled'
send Escape
assert_screen_lacks "Esc clears the filter" "filter: "

# ---------------------------------------------------------------- resize
resize 80 24
check "resized to 80x24: tabs (tab strip, one pane)" wait_screen 5 is_tabs
resize 50 12
assert_screen_has "resized to 50x12: Terminal too small" \
	"Terminal too small"
resize 200 50
check "resized back to 200x50: the grid again" wait_screen 5 is_grid
assert_screen_lacks "the too-small message is gone" "Terminal too small" 1

# ---------------------------------------------------------------- quit
send q
exit_line=$(wait_exit 5)
check "q quits with status 0 (EXIT=0)" test "$exit_line" = EXIT=0
check "no jumpdeck process remains" jd_gone 3

# ---------------------------------------------------------------- 80x24
# --ascii: _.-=# for the sparklines; at 80 columns the "· 3 pools" goes
# before a pool's name would be cut.
jd_start 80 24 --ascii
assert_screen_has "80x24 --ascii: 7/7 Ready" "7/7 Ready" 10
world set-ready "$FLAKY" false
check "80x24 --ascii: npooscope01's sparkline dips (# then -)" \
	wait_screen 12 grep -Eq 'npooscope01 1/2 #+-( |$)'
check "80x24 --ascii: every pool named whole, with its sparkline" \
	wait_screen 1 grep -Eq \
	'6/7 Ready   npinscope01 2/2 #+ - npooscope01 1/2 #+- - npsystem 3/3 #+'
world set-ready "$FLAKY" true
check "80x24 --ascii: the sparkline rises again (#-#)" \
	wait_screen 12 grep -Eq 'npooscope01 2/2 #+-#( |$)'
send q
exit_line=$(wait_exit 5)
check "80x24 --ascii: q quits with status 0" test "$exit_line" = EXIT=0

# The sparklines in every packaged theme and without colour: the glyphs
# carry the Ready share, so they read the same everywhere.
for opt in "--theme default" "--theme solarized-dark" \
	"--theme high-contrast" "--theme monochrome" "--no-color"; do
	# shellcheck disable=SC2086 # the option and its value
	jd_start 80 24 $opt
	check "80x24 $opt: each pool's sparkline" wait_screen 10 grep -Eq \
		'npinscope01 2/2 █+ · npooscope01 2/2 █+ · npsystem 3/3 █+'
	send q
	exit_line=$(wait_exit 5)
	check "80x24 $opt: q quits with status 0" test "$exit_line" = EXIT=0
done

jd_start 80 24 --read-only
assert_screen_has "80x24: nodes listed" "7/7 Ready" 10
check "80x24 at start: tabs (tab strip, one pane)" wait_screen 3 is_tabs
assert_screen_has "--read-only: READ-ONLY badge in the title" "READ-ONLY"
send c
check "--read-only: c is refused, 'read-only' in the status bar" \
	wait_screen 3 status_has read-only
check "--read-only: no confirm dialog" \
	wait_screen 1 sh -c '! grep -q "press Enter"'
check "audit log: the read-only cordon is refused" \
	audit_has node.cordon refused "" read-only
send q
exit_line=$(wait_exit 5)
check "--read-only: q quits with status 0" test "$exit_line" = EXIT=0
check "--read-only: no jumpdeck process remains" jd_gone 3

e2e_finish
