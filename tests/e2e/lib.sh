# lib.sh - shared helpers for the end-to-end tests, sourced by
# tests/e2e/test_*.sh: a simulated cluster in a temporary directory, a
# private tmux server (its own socket, so no other tmux server is touched)
# running jumpdeck at a given size, bounded waits on the screen, TAP-like
# lines ("ok - ", "not ok - ", "skip - ") and a cleanup that leaves no
# process behind. POSIX sh: tests/run.sh runs the scripts with `sh`.
# shellcheck shell=sh disable=SC2317  # functions run from traps

set -u
cd "$(dirname "$0")/../.." || exit 2
E2E_ROOT=$(pwd)
BUILD=${BUILD:-build}
case $BUILD in
/*) E2E_BUILD=$BUILD ;;
*) E2E_BUILD=$E2E_ROOT/$BUILD ;;
esac
JD=$E2E_BUILD/jumpdeck
WORLD_PY=$E2E_ROOT/tests/sim/world.py

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/jd-e2e.XXXXXX") || exit 2
D=$E2E_TMP/world         # the simulator's directory (kubeconfig, ca.crt)
AUDIT=$E2E_TMP/audit.log # JUMPDECK_AUDIT_LOG for every jumpdeck run
E2E_SOCK=jd-e2e-$$       # the private tmux server
E2E_FAILED=0
E2E_JD_N=0
JD_SESSION=""
JD_PIDFILE=""
E2E_WORLD_UP=0
E2E_SOCK_PATH="" # set once the tmux server runs
# Each run of a program under test gets a fresh HOME: no user settings leak
# in, and nothing is written to the real one.
HOME=$E2E_TMP/home
mkdir -p "$HOME"
export HOME
unset KUBECONFIG JUMPDECK_AUDIT_LOG NO_COLOR LC_ALL 2>/dev/null
# Azure endpoints on a closed loopback port until az_up (lib_azure.sh),
# here and in the tmux server, which starts with this environment.
# shellcheck disable=SC1091
. "$E2E_ROOT/tests/integration/lib_loopback.sh"

# ---------------------------------------------------------------- output

ok() { echo "ok - $1"; }
skip() { echo "skip - $1"; }

# not_ok DESCRIPTION: a failure line, then the current screen (or the last
# command's output) as comment lines to help debugging.
not_ok() {
	echo "not ok - $1"
	E2E_FAILED=$((E2E_FAILED + 1))
	if [ -n "$JD_SESSION" ] && tm has-session -t "$JD_SESSION" 2>/dev/null
	then
		echo "#   screen ($JD_SESSION):"
		screen | sed -e 's/[[:space:]]*$//' -e 's/^/#   |/'
	elif [ -s "$E2E_TMP/out" ]; then
		echo "#   output:"
		head -40 "$E2E_TMP/out" | sed 's/^/#   /'
	fi
}

# check DESCRIPTION COMMAND...: the command's exit status decides.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# e2e_finish: the script's exit status, after a closing comment.
e2e_finish() {
	if [ "$E2E_FAILED" -ne 0 ]; then
		echo "# $E2E_FAILED assertion(s) failed"
		exit 1
	fi
	exit 0
}

# e2e_require TOOL...: skip the whole script (one skip line) when a tool
# the tests need is not installed, and fail when jumpdeck is not built.
e2e_require() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			skip "$(basename "$0"): $tool not installed"
			exit 0
		fi
	done
	if [ ! -x "$JD" ]; then
		echo "not ok - $JD is built (run make)"
		exit 1
	fi
}

# ---------------------------------------------------------------- cleanup

# pid_is_jumpdeck PID: the process lives, is not a zombie, and runs jumpdeck.
pid_is_jumpdeck() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
		"/proc/$1/status" 2>/dev/null)
	[ "$state" = Z ] && return 1
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q jumpdeck
}

e2e_cleanup() {
	if [ -n "$E2E_SOCK_PATH" ]; then
		tm kill-server >/dev/null 2>&1
		# tmux leaves the socket file behind
		[ -S "$E2E_SOCK_PATH" ] && rm -f "$E2E_SOCK_PATH"
	fi
	# The jumpdeck processes this script started, by their recorded pid.
	for f in "$E2E_TMP"/jd*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		pid_is_jumpdeck "$p" || continue
		kill "$p" 2>/dev/null
		i=0
		while pid_is_jumpdeck "$p" && [ $i -lt 20 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		pid_is_jumpdeck "$p" && kill -9 "$p" 2>/dev/null
	done
	if [ "$E2E_WORLD_UP" -eq 1 ]; then
		python3 "$WORLD_PY" down --dir "$D" >/dev/null 2>&1
	fi
	rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# ---------------------------------------------------------------- world

# world_up [ARGS...]: a simulated cluster in $D (default scenario nodes).
world_up() {
	E2E_WORLD_UP=1
	if ! python3 "$WORLD_PY" up --dir "$D" --scenario nodes "$@" \
		>"$E2E_TMP/out" 2>&1; then
		not_ok "simulated cluster starts"
		e2e_finish
	fi
	PORT=$(cat "$D/port")
	SERVER=https://127.0.0.1:$PORT
}

# world COMMAND [ARGS...]: world.py COMMAND --dir $D ARGS..., quietly.
world() {
	c=$1
	shift
	python3 "$WORLD_PY" "$c" --dir "$D" "$@" >"$E2E_TMP/world.out" 2>&1
}

# api METHOD PATH [BODY [CONTENT-TYPE]]: the simulator's API as admin.
api() {
	curl -sS --max-time 10 --cacert "$D/ca.crt" \
		-H 'Authorization: Bearer admin-token' \
		-H "Content-Type: ${4:-application/json}" -X "$1" \
		${3:+-d "$3"} "$SERVER$2"
}

# audit_has ACTION OUTCOME [TARGET [DETAIL-PART]]: the audit log holds
# such a record.
audit_has() {
	[ -f "$AUDIT" ] || return 1
	python3 - "$AUDIT" "$@" <<'EOF'
import json, sys
path, action, outcome = sys.argv[1:4]
target = sys.argv[4] if len(sys.argv) > 4 else None
part = sys.argv[5] if len(sys.argv) > 5 else None
for line in open(path, encoding="utf-8", errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("action") != action or r.get("outcome") != outcome:
        continue
    if target and r.get("target") != target:
        continue
    if part and part not in (r.get("detail") or ""):
        continue
    sys.exit(0)
sys.exit(1)
EOF
}

# ---------------------------------------------------------------- tmux

tm() { tmux -L "$E2E_SOCK" "$@"; }

# shq STRING: STRING quoted for sh.
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# jd_start COLS ROWS [ARG...]: jumpdeck in a new tmux session of that size,
# with KUBECONFIG=$D/kubeconfig, JUMPDECK_AUDIT_LOG=$AUDIT and
# LANG=C.UTF-8; JD_ENV (e.g. "NO_COLOR=1 LANG=C") adds or overrides
# variables. The previous session, if any, is ended once the new one runs
# (so the tmux server never runs out of sessions and exits meanwhile).
# After jumpdeck ends the pane stays (remain-on-exit) with EXIT=<status>.
jd_start() {
	cols=$1 rows=$2
	shift 2
	old_session=$JD_SESSION old_pidfile=$JD_PIDFILE
	E2E_JD_N=$((E2E_JD_N + 1))
	JD_SESSION=jd$E2E_JD_N
	JD_PIDFILE=$E2E_TMP/jd$E2E_JD_N.pid
	runner=$E2E_TMP/run$E2E_JD_N.sh
	{
		echo "cd $(shq "$E2E_ROOT") || exit 2"
		echo "export HOME=$(shq "$HOME") LANG=C.UTF-8"
		echo "export KUBECONFIG=$(shq "$D/kubeconfig")"
		echo "export JUMPDECK_AUDIT_LOG=$(shq "$AUDIT")"
		echo "unset LC_ALL NO_COLOR"
		if [ -n "${JD_ENV:-}" ]; then echo "export ${JD_ENV}"; fi
		# the inner sh records its pid and becomes jumpdeck
		printf '%s' "sh -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' "
		printf '%s %s' "$(shq "$JD_PIDFILE")" "$(shq "$JD")"
		for arg in "$@"; do printf ' %s' "$(shq "$arg")"; done
		echo
		echo 'echo "EXIT=$?"'
	} >"$runner"
	if [ -z "$E2E_SOCK_PATH" ]; then
		# status off: the pane is exactly COLS x ROWS
		printf '%s\n' 'set -g status off' 'set -g remain-on-exit on' \
			'set -g history-limit 100' >"$E2E_TMP/tmux.conf"
		tm -f "$E2E_TMP/tmux.conf" -u new-session -d -s "$JD_SESSION" \
			-x "$cols" -y "$rows" "sh $runner"
		E2E_SOCK_PATH=$(tm display-message -p '#{socket_path}')
	else
		tm new-session -d -s "$JD_SESSION" -x "$cols" -y "$rows" \
			"sh $runner"
	fi
	# wait for the pid file: jumpdeck has been exec'd
	i=0
	while [ ! -s "$JD_PIDFILE" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$old_session" ] && jd_end_session "$old_session" "$old_pidfile"
	return 0
}

# jd_pid: the pid of the current jumpdeck (empty if it never started).
jd_pid() { cat "$JD_PIDFILE" 2>/dev/null; }

# jd_end_session SESSION PIDFILE: ends a session; its jumpdeck, if still
# running, gets SIGHUP. Waits (bounded) for that process to end.
jd_end_session() {
	tm kill-session -t "$1" >/dev/null 2>&1
	p=$(cat "$2" 2>/dev/null)
	i=0
	while pid_is_jumpdeck "$p" && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# ticks SECONDS: how many 0.1 s polls a wait of SECONDS makes, times
# JD_WAIT_SCALE (tests/run.sh sets 2 when tests run side by side: a wait
# is an upper bound for what the operator would see, not a speed test).
ticks() { echo $(($1 * 10 * ${JD_WAIT_SCALE:-1})); }

# jd_gone [TIMEOUT]: the current jumpdeck process has ended.
jd_gone() {
	p=$(jd_pid)
	[ -n "$p" ] || return 1
	n=$(ticks "${1:-5}")
	i=0
	while pid_is_jumpdeck "$p"; do
		[ $i -ge $n ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

screen() { tm capture-pane -p -t "$JD_SESSION" 2>/dev/null; }

# screen_all: the screen with the pane's history above it. After jumpdeck
# ends, tmux marks the pane dead and scrolls the shell's last lines (the
# EXIT=<status> line) into the history.
screen_all() { tm capture-pane -p -S - -t "$JD_SESSION" 2>/dev/null; }

# wait_exit [TIMEOUT]: waits until jumpdeck's runner printed EXIT=<status>
# and prints that line.
wait_exit() {
	n=$(ticks "${1:-5}")
	i=0
	while :; do
		line=$(screen_all | grep -E '^EXIT=[0-9]+' | tail -n 1)
		[ -n "$line" ] && { echo "$line"; return 0; }
		[ $i -ge $n ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# send KEY...: tmux key names (Enter, Tab, BTab, Escape, C-r, q ...).
# After Escape it pauses briefly: curses waits ESCDELAY (100 ms) to tell
# a lone Esc from the start of a key sequence.
send() {
	for k in "$@"; do
		tm send-keys -t "$JD_SESSION" "$k"
		[ "$k" = Escape ] && sleep 0.25
	done
	return 0
}

# type_text TEXT: the characters of TEXT, literally.
type_text() { tm send-keys -t "$JD_SESSION" -l -- "$1"; }

# wait_for TEXT [TIMEOUT]: polls the screen every 0.1 s until TEXT shows
# (fixed string), at most TIMEOUT seconds (default 5).
wait_for() {
	n=$(ticks "${2:-5}")
	i=0
	while :; do
		screen | grep -qF -- "$1" && return 0
		[ $i -ge $n ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_gone TEXT [TIMEOUT]: the same until TEXT is no longer on screen.
wait_gone() {
	n=$(ticks "${2:-5}")
	i=0
	while :; do
		screen | grep -qF -- "$1" || return 0
		[ $i -ge $n ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# select_row N REF: in the images pane, select the Nth row (0: the first;
# the configured order) and check it is REF: Enter opens its detail view,
# Esc closes it.
select_row() {
	send g
	_sr=0
	while [ $_sr -lt "$1" ]; do
		send j
		_sr=$((_sr + 1))
	done
	send Enter
	wait_for "Last operation" 3 || return 1
	r=1
	screen | grep -qF -- "$2" && r=0
	send Escape
	wait_gone "Last operation" 3 || return 1
	return $r
}

# wait_screen TIMEOUT COMMAND...: polls until COMMAND (given the screen
# on stdin) succeeds.
wait_screen() {
	n=$(ticks "$1")
	shift
	i=0
	while :; do
		screen | "$@" && return 0
		[ $i -ge $n ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# assert_screen_has DESCRIPTION TEXT [TIMEOUT]
assert_screen_has() {
	if wait_for "$2" "${3:-5}"; then ok "$1"; else not_ok "$1"; fi
}

# assert_screen_lacks DESCRIPTION TEXT [TIMEOUT]: TEXT is (or within
# TIMEOUT seconds becomes) absent from the screen.
assert_screen_lacks() {
	if wait_gone "$2" "${3:-3}"; then ok "$1"; else not_ok "$1"; fi
}

# status_line: the screen's last line (the status bar).
status_line() { screen | tail -n 1; }

# status_has TEXT: the status bar of the screen on stdin shows TEXT (a
# predicate for wait_screen).
status_has() { tail -n 1 | grep -qF -- "$1"; }

# resize COLS ROWS: resizes the window (jumpdeck gets SIGWINCH).
resize() { tm resize-window -t "$JD_SESSION" -x "$1" -y "$2"; }
