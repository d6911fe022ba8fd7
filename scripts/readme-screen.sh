#!/bin/sh
# readme-screen.sh - prints the screen `make demo` opens with, as text, for
# the README: the demo runs in a detached tmux at COLSxROWS (default 120x36,
# the smallest size with the four-pane grid), the screen is read once the
# panes have filled, and the demo quits. Needs a built jumpdeck (BUILD).
set -eu
cd "$(dirname "$0")/.."
cols=${1:-120} rows=${2:-36}
sock=jd-readme-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT INT TERM
tmux -L "$sock" new-session -d -x "$cols" -y "$rows" \
	"LANG=C.UTF-8 BUILD=${BUILD:-build} sh scripts/demo.sh"
i=0
while [ $i -lt 120 ]; do
	# filled: the images pane lists the promoted images and Flux its
	# kustomizations
	screen=$(tmux -L "$sock" capture-pane -p -t 0)
	case $screen in
	*promoted*flux-system*|*flux-system*promoted*) break ;;
	esac
	sleep 1
	i=$((i + 1))
done
sleep 3
tmux -L "$sock" capture-pane -p -t 0 | sed 's/[[:space:]]*$//'
tmux -L "$sock" send-keys -t 0 q
sleep 3
