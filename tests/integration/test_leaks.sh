#!/bin/sh
# test_leaks.sh - runs the CLI and the TUI against the simulator under
# valgrind and checks that nothing leaks (definite or indirect) and that
# there are no invalid reads or writes. Skips when valgrind is missing.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$PWD/$BUILD/jumpdeck
fail=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; }

if ! command -v valgrind >/dev/null 2>&1; then
	echo "skip - valgrind not installed"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/jd-leaks.XXXXXX")
sock=jd-leaks-$$
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	python3 tests/sim/world.py down --dir "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
python3 tests/sim/world.py up --dir "$dir" --scenario nodes >"$dir/up.log" 2>&1 ||
	{ cat "$dir/up.log"; nok "simulator starts"; exit 1; }
export KUBECONFIG="$dir/kubeconfig" JUMPDECK_AUDIT_LOG="$dir/audit.log"
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect"
vg="$vg --show-leak-kinds=definite,indirect --error-exitcode=9"

check() { # name logfile rc
	if [ "$3" -ne 9 ] && ! grep -q "definitely lost\|indirectly lost\|Invalid \(read\|write\)" "$2"; then
		ok "$1: no leaks or invalid accesses under valgrind"
	else
		nok "$1: no leaks or invalid accesses under valgrind"
		head -60 "$2"
	fi
}

$vg --log-file="$dir/vg1.log" "$bin" nodes >/dev/null 2>&1
check "jumpdeck nodes" "$dir/vg1.log" $?
$vg --log-file="$dir/vg2.log" "$bin" nodes --json >/dev/null 2>&1
check "jumpdeck nodes --json" "$dir/vg2.log" $?
$vg --log-file="$dir/vg3.log" "$bin" --context sim-exec nodes >/dev/null 2>&1
check "jumpdeck nodes with an exec plugin" "$dir/vg3.log" $?
$vg --log-file="$dir/vg4.log" "$bin" cordon aks-npsystem-26621167-vmss000000 >/dev/null 2>&1
check "jumpdeck cordon" "$dir/vg4.log" $?
$vg --log-file="$dir/vg5.log" "$bin" --kubeconfig "$dir/missing" nodes >/dev/null 2>&1
check "jumpdeck nodes with a missing kubeconfig" "$dir/vg5.log" $?
$vg --log-file="$dir/vg6.log" "$bin" audit verify >/dev/null 2>&1
check "jumpdeck audit verify" "$dir/vg6.log" $?

# The TUI: a session with help, filter, detail, cordon, theme, quit.
tmux -L "$sock" new-session -d -x 100 -y 30 \
	"$vg --log-file=$dir/vg7.log $bin; echo \$? >$dir/tui.rc"
wait_screen() { # text
	i=0
	while [ $i -lt 300 ]; do
		tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
send() { tmux -L "$sock" send-keys "$@"; sleep 0.3; }
if wait_screen "7/7 Ready"; then
	send '?'; send Escape; send '/' 'npsystem' Enter; send Enter; send Escape
	send 'c'; send 'aks-npsystem-26621167-vmss000001' Enter
	wait_screen "SchedulingDisabled"
	send ':' 'theme monochrome' Enter; send 6; send 3; send 'q'
	i=0
	while [ ! -s "$dir/tui.rc" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	check "the TUI session" "$dir/vg7.log" "$(cat "$dir/tui.rc" 2>/dev/null || echo 9)"
else
	nok "the TUI starts under valgrind"
	tmux -L "$sock" capture-pane -p
fi
exit $fail
