# lib_hostile.sh - helpers for the scripts that run jumpdeck against the
# hostile stand-in (tests/sim/hostile.py): start one in a directory, change
# its settings, read its request log. Sourced after lib_world.sh, whose
# lw_bg, lw_stop, LW_TMP and LW_OUT it uses. POSIX sh.
# shellcheck shell=sh disable=SC2034

LH_PY=$LW_ROOT/tests/sim/hostile.py

# hostile_up DIR [hostile.py ARGS...]: start one; its pid in LH_PID.
# Fails (with its log in LW_OUT) when it does not listen within 20 s.
hostile_up() {
	_lh_dir=$1
	shift
	mkdir -p "$_lh_dir"
	rm -f "$_lh_dir/port"
	lw_bg "$_lh_dir/hostile.log" python3 "$LH_PY" --dir "$_lh_dir" "$@"
	LH_PID=$LW_BG_PID
	_lh_i=0
	while [ ! -s "$_lh_dir/port" ] && [ $_lh_i -lt 200 ]; do
		sleep 0.1
		_lh_i=$((_lh_i + 1))
	done
	if [ ! -s "$_lh_dir/port" ]; then
		cat "$_lh_dir/hostile.log" >"$LW_OUT" 2>/dev/null
		return 1
	fi
	return 0
}

# _lh_curl DIR METHOD PATH [BODY]: a control request (https unless the
# stand-in was started with --plain); the answer on stdout.
_lh_curl() {
	_lh_port=$(cat "$1/port") || return 1
	_lh_scheme=http
	_lh_ca=/dev/null
	if [ -f "$1/ca.crt" ]; then
		_lh_scheme=https
		_lh_ca=$1/ca.crt
	fi
	if [ $# -ge 4 ]; then
		curl -sSf --max-time 10 --cacert "$_lh_ca" -X "$2" \
			-H "Content-Type: application/json" \
			--data-binary "$4" "$_lh_scheme://127.0.0.1:$_lh_port$3"
	else
		curl -sSf --max-time 10 --cacert "$_lh_ca" -X "$2" \
			"$_lh_scheme://127.0.0.1:$_lh_port$3"
	fi
}

# hostile_set DIR JSON: merge settings (hostile.py's docstring lists them);
# @FILE: the JSON is in FILE (for settings larger than an argument).
hostile_set() { _lh_curl "$1" POST /_sim/config "$2" >/dev/null; }
# hostile_reset DIR: defaults, and an empty request log.
hostile_reset() {
	_lh_curl "$1" DELETE /_sim/config >/dev/null &&
		_lh_curl "$1" DELETE /_sim/requests >/dev/null
}
# hostile_requests DIR: the request log (JSON) on stdout.
hostile_requests() { _lh_curl "$1" GET /_sim/requests; }

# hostile_count DIR PYTHON-EXPR: how many logged requests r satisfy the
# expression, e.g. 'r["method"] != "GET"'.
hostile_count() {
	hostile_requests "$1" | python3 -c '
import json, sys
rs = json.load(sys.stdin)
print(sum(1 for r in rs if eval(sys.argv[1])))' "$2"
}
