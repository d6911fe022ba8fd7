#!/bin/sh
# run.sh - `make bench`: CPU figures from the bench_* programs (bench_core,
# bench_scans: the scan and pod models at scale, bench_hostile: hostile
# inputs), then what a slow link carries: bytes jumpdeck writes to an 80x24
# terminal for one node changing state, measured through tmux's pipe-pane
# against the simulator.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
for b in "$BUILD"/bench/bench_*; do
	case $b in *.d) continue ;; esac # the compiler's dependency files
	"$b"
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/jd-bench.XXXXXX")
sock=jd-bench-$$
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	python3 tests/sim/world.py down --dir "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
python3 tests/sim/world.py up --dir "$dir" --scenario nodes >/dev/null 2>&1 || {
	echo "bench: the simulator did not start"; exit 1; }
node=aks-npooscope01-26621167-vmss000001
wait_screen() {
	i=0
	while [ $i -lt 100 ]; do
		tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q "$1" &&
			return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
for size in 80x24 200x50; do
	tmux -L "$sock" kill-server 2>/dev/null
	sock=jd-bench-$$-$size
	w=${size%x*}; h=${size#*x}
	: >"$dir/out"
	tmux -L "$sock" new-session -d -x "$w" -y "$h" \
		"KUBECONFIG=$dir/kubeconfig JUMPDECK_AUDIT_LOG=$dir/audit.log $PWD/$BUILD/jumpdeck"
	tmux -L "$sock" pipe-pane -o "cat >>$dir/out"
	wait_screen "7/7 Ready" || { echo "bench: TUI did not show nodes"; exit 1; }
	sleep 0.5
	start=$(wc -c <"$dir/out")
	python3 tests/sim/world.py set-ready --dir "$dir" "$node" false >/dev/null
	wait_screen "6/7 Ready"
	sleep 0.5
	mid=$(wc -c <"$dir/out")
	python3 tests/sim/world.py set-ready --dir "$dir" "$node" true >/dev/null
	wait_screen "7/7 Ready"
	sleep 0.5
	end=$(wc -c <"$dir/out")
	tmux -L "$sock" send-keys j
	sleep 0.5
	key=$(wc -c <"$dir/out")
	echo "terminal $size: node NotReady $((mid - start)) bytes, back to Ready $((end - mid)) bytes, one j keypress $((key - end)) bytes"
done

# The image pipeline (issue 12, figure 6): the images check and six imports
# against the local registries and the Azure simulator. JD_BENCH_IMAGES=0
# skips it.
if [ "${JD_BENCH_IMAGES:-1}" != 0 ]; then
	sh tests/bench/images_bench.sh "$BUILD/bench/images.json" ||
		{ echo "bench: the images run failed"; exit 1; }
fi

# The scale scenario (issue 12): jumpdeck's TUI on a pseudo-terminal and
# its CLI beside kubectl, against thousands of nodes and Flux objects
# seeded through the simulator's API. JD_BENCH_SCALE=0 skips it;
# JD_BENCH_ARGS passes options (e.g. "--nodes 1000 --runs 3").
if [ "${JD_BENCH_SCALE:-1}" != 0 ]; then
	# pyte is a Debian package: Debian's python3 has it.
	py=python3
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	# shellcheck disable=SC2086
	"$py" tests/bench/scale_bench.py --jumpdeck "$BUILD/jumpdeck" \
		--out "$BUILD/bench/scale.json" ${JD_BENCH_ARGS:-} ||
		{ echo "bench: the scale run failed"; exit 1; }
fi
