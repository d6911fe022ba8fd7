#!/bin/sh
# test_demo.sh - the README's first command works: scripts/demo.sh (what
# `make demo` runs after building) starts every simulator, opens jumpdeck
# on them with every pane populated, and leaves nothing behind on quit.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD
fail=0
sock=jd-demo-$$
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; tmux -L "$sock" capture-pane -p 2>/dev/null; }
# The demo's directory goes under one of this test's own, so that only
# its simulators are counted at the end (another demo may run beside it).
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/jd-demo-test.XXXXXX")
export TMPDIR
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	rm -rf "$TMPDIR"
}
trap cleanup EXIT INT TERM
wait_screen() { # text seconds
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
tmux -L "$sock" new-session -d -x 200 -y 50 \
	"scripts/demo.sh; echo DEMO-EXIT=\$?; sleep 30"
if wait_screen " DEMO " 90; then ok "the demo opens jumpdeck"; else nok "the demo opens jumpdeck"; fi
wait_screen "7/7 Ready" 20 && ok "the nodes pane shows the seven nodes" ||
	nok "the nodes pane shows the seven nodes"
wait_screen "kustomizations 1/3 Ready" 20 &&
	ok "the Flux pane shows one healthy and one failing kustomization" ||
	nok "the Flux pane shows one healthy and one failing kustomization"
wait_screen "1 Images · 1 alert" 30 &&
	ok "the images pane shows the drifted image as an alert" ||
	nok "the images pane shows the drifted image as an alert"
# Every state of the walkthrough's pipeline is on screen once checked,
# the scan stage showing the verdict of the Defender rows the demo seeds.
for s in "●→●→✓→●    promoted" "●→●→✗→○    quarantined" \
	"●→○→○→○    not imported" "●→●→✗→●    drifted"; do
	wait_screen "$s" 20 && ok "an image is ${s#*    }" ||
		nok "an image is ${s#*    }"
done
wait_screen "2 Scans · 3 blocked, 1 alert" 20 &&
	ok "the scans pane shows the blocked images and the drifted pod" ||
	nok "the scans pane shows the blocked images and the drifted pod"
tmux -L "$sock" send-keys q
wait_screen "DEMO-EXIT=0" 30 && ok "quitting ends the demo with status 0" ||
	nok "quitting ends the demo with status 0"
sleep 1
left=$(ps -eo stat,args | grep -v '^Z' |
	grep -c "$TMPDIR/jumpdeck-demo[.]")
[ "$left" -eq 0 ] && ok "no simulator is left running" ||
	{ nok "no simulator is left running ($left)"
	  ps -eo pid,args | grep "$TMPDIR/jumpdeck-demo[.]"; }
exit $fail
