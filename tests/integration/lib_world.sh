# lib_world.sh - shared helpers for the integration scripts that run
# jumpdeck against simulated clusters, sourced by tests/integration/test_*.sh:
# one temporary directory for everything (worlds, HOME, logs), simulated
# worlds started and stopped with tests/sim/world.py, background helpers
# started and stopped by their own pid, TAP-like lines ("ok - ",
# "not ok - ", "skip - ") and a cleanup, run from a trap, that leaves no
# process and no directory behind. POSIX sh: tests/run.sh runs the scripts
# with `sh`.
# Variables set here are used by the scripts that source this file.
# shellcheck shell=sh disable=SC2317,SC2034

set -u
cd "$(dirname "$0")/../.." || exit 2
LW_ROOT=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in
/*) LW_BUILD=$BUILD ;;
*) LW_BUILD=$LW_ROOT/$BUILD ;;
esac
JD=$LW_BUILD/jumpdeck
LW_WORLD_PY=$LW_ROOT/tests/sim/world.py
LW_FLUX_PY=$LW_ROOT/tests/sim/fluxworld.py

LW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/jd-int.XXXXXX") || exit 2
LW_WORLDS="" # world directories this script started
LW_PIDS=""   # background helpers this script started
LW_FAILED=0
LW_OUT=$LW_TMP/out # what not_ok shows: the last command's output
# No user settings leak in, nothing is written to the real HOME.
HOME=$LW_TMP/home
mkdir -p "$HOME"
export HOME
unset KUBECONFIG JUMPDECK_AUDIT_LOG NO_COLOR LC_ALL LC_CTYPE LC_MESSAGES \
	2>/dev/null
# Azure endpoints on a closed loopback port until az_up (lib_azure.sh).
# shellcheck disable=SC1091
. "$LW_ROOT/tests/integration/lib_loopback.sh"
# Bound every single command; the scripts stay well below a minute.
LW_LIMIT=""
command -v timeout >/dev/null 2>&1 && LW_LIMIT="timeout 30"

# ---------------------------------------------------------------- output

ok() { echo "ok - $1"; }
skip() { echo "skip - $1"; }

# not_ok DESCRIPTION: a failure line, then the last command's output as
# comment lines.
not_ok() {
	echo "not ok - $1"
	LW_FAILED=$((LW_FAILED + 1))
	if [ -s "$LW_OUT" ]; then
		echo "#   output of the last command:"
		head -40 "$LW_OUT" | sed 's/^/#   | /'
	fi
}

# check DESCRIPTION COMMAND...: the command's exit status decides.
check() {
	_lw_desc=$1
	shift
	if "$@"; then ok "$_lw_desc"; else not_ok "$_lw_desc"; fi
}

# lw_finish: the script's exit status, after a closing comment.
lw_finish() {
	if [ "$LW_FAILED" -ne 0 ]; then
		echo "# $LW_FAILED assertion(s) failed"
		exit 1
	fi
	exit 0
}

# lw_require TOOL...: skip the whole script (one skip line) when a tool is
# missing; fail when jumpdeck is not built.
lw_require() {
	for _lw_tool in "$@"; do
		if ! command -v "$_lw_tool" >/dev/null 2>&1; then
			skip "$(basename "$0"): $_lw_tool not installed"
			exit 0
		fi
	done
	if [ ! -x "$JD" ]; then
		echo "not ok - $JD is built (run make)"
		exit 1
	fi
}

# ---------------------------------------------------------------- jumpdeck

# jd ARGS...: jumpdeck without a terminal, bounded by LW_LIMIT; its exit
# status in rc, its output in STDOUT and STDERR, and both with the status
# in LW_OUT (what not_ok shows). With LW_JD_PRINTABLE=1, LW_OUT goes
# through cat -v (for output that may hold escape sequences). A script
# that needs another jd defines its own after sourcing this file.
STDOUT=$LW_TMP/stdout
STDERR=$LW_TMP/stderr
LW_JD_PRINTABLE=0
jd() {
	$LW_LIMIT "$JD" "$@" </dev/null >"$STDOUT" 2>"$STDERR"
	rc=$?
	{
		cat "$STDOUT"
		[ -s "$STDERR" ] && echo "--- stderr:" && cat "$STDERR"
		echo "--- exit status $rc"
	} | if [ "$LW_JD_PRINTABLE" = 1 ]; then cat -v; else cat; fi \
		>"$LW_OUT"
}
# rc_is N: the last jd exited N.
rc_is() { test "$rc" -eq "$1"; }

# ---------------------------------------------------------------- processes

# lw_bg LOG COMMAND...: run COMMAND in the background, output to LOG; its
# pid goes to LW_BG_PID and to the cleanup list. The command is exec'd by
# the forked shell, so the pid is the command's own.
lw_bg() {
	_lw_log=$1
	shift
	"$@" </dev/null >"$_lw_log" 2>&1 &
	LW_BG_PID=$!
	LW_PIDS="$LW_PIDS $LW_BG_PID"
}

# lw_stop PID: stop a helper started with lw_bg (TERM, KILL after 2 s) and
# reap it. The pid cannot have been reused: the process is our unreaped
# child until the wait below.
lw_stop() {
	_lw_p=$1
	_lw_rest=""
	for _lw_q in $LW_PIDS; do
		[ "$_lw_q" = "$_lw_p" ] || _lw_rest="$_lw_rest $_lw_q"
	done
	LW_PIDS=$_lw_rest
	kill "$_lw_p" 2>/dev/null || { wait "$_lw_p" 2>/dev/null; return 0; }
	_lw_i=0
	while kill -0 "$_lw_p" 2>/dev/null && [ $_lw_i -lt 20 ]; do
		# a zombie still answers kill -0; stop looking once it is one
		_lw_state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
			"/proc/$_lw_p/status" 2>/dev/null)
		[ "$_lw_state" = Z ] && break
		sleep 0.1
		_lw_i=$((_lw_i + 1))
	done
	[ $_lw_i -ge 20 ] && kill -9 "$_lw_p" 2>/dev/null
	wait "$_lw_p" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------- worlds

# lw_world_up DIR [world.py up ARGS...]: a simulated cluster in DIR
# (default scenario nodes). Fails with the launcher's output in LW_OUT.
lw_world_up() {
	_lw_dir=$1
	shift
	LW_WORLDS="$LW_WORLDS $_lw_dir"
	python3 "$LW_WORLD_PY" up --dir "$_lw_dir" --scenario nodes "$@" \
		>"$LW_OUT" 2>&1
}

# lw_states_world DIR: a simulated cluster in DIR (a bookmark every
# second) with Flux as current releases serve it, in every state
# (fluxworld.py's scenario states), and KUBECONFIG exported for it. On
# failure a not_ok line ("world up", "Flux seeded") ends the script.
lw_states_world() {
	if ! lw_world_up "$1" --bookmark-interval 1; then
		not_ok "world up"
		lw_finish
	fi
	if ! python3 "$LW_FLUX_PY" seed --dir "$1" --api v1 --scenario states \
		>"$LW_OUT" 2>&1; then
		not_ok "Flux seeded"
		lw_finish
	fi
	KUBECONFIG=$1/kubeconfig
	export KUBECONFIG
}

# lw_world_down DIR: stop it (its files stay until the cleanup).
lw_world_down() {
	python3 "$LW_WORLD_PY" down --dir "$1" >/dev/null 2>&1
	_lw_rest=""
	for _lw_w in $LW_WORLDS; do
		[ "$_lw_w" = "$1" ] || _lw_rest="$_lw_rest $_lw_w"
	done
	LW_WORLDS=$_lw_rest
}

# lw_api DIR METHOD PATH [BODY [CONTENT-TYPE]]: an authenticated API call
# as admin (curl); the body on stdout; fails on HTTP errors.
lw_api() {
	_lw_port=$(cat "$1/port") || return 1
	if [ $# -ge 4 ]; then
		curl -sSf --max-time 10 --cacert "$1/ca.crt" \
			-H "Authorization: Bearer admin-token" \
			-H "Content-Type: ${5:-application/json}" \
			-X "$2" --data-binary "$4" "https://127.0.0.1:$_lw_port$3"
	else
		curl -sSf --max-time 10 --cacert "$1/ca.crt" \
			-H "Authorization: Bearer admin-token" \
			-X "$2" "https://127.0.0.1:$_lw_port$3"
	fi
}

# lw_sim DIR METHOD PATH [BODY]: the simulator's control API (/_sim/...).
lw_sim() {
	_lw_port=$(cat "$1/port") || return 1
	if [ $# -ge 4 ]; then
		curl -sSf --max-time 10 --cacert "$1/ca.crt" -X "$2" \
			-H "Content-Type: application/json" \
			--data-binary "$4" "https://127.0.0.1:$_lw_port$3"
	else
		curl -sSf --max-time 10 --cacert "$1/ca.crt" -X "$2" \
			"https://127.0.0.1:$_lw_port$3"
	fi
}

# ---------------------------------------------------------------- cleanup

lw_cleanup() {
	for _lw_p in $LW_PIDS; do lw_stop "$_lw_p"; done
	for _lw_w in $LW_WORLDS; do
		python3 "$LW_WORLD_PY" down --dir "$_lw_w" >/dev/null 2>&1
	done
	rm -rf "$LW_TMP"
}
trap lw_cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
