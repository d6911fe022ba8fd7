#!/bin/sh
# test_hostile_cli.sh - the CLI against a server that misbehaves on purpose
# (tests/sim/hostile.py): escape sequences in Status messages and in an
# exec plugin's stderr never reach the terminal, --json is always valid
# UTF-8, names that are not Kubernetes names are refused before any
# request, Flux that cannot be read is never healthy. Each section is a
# regression test of issue 11's list. TAP-like lines; about a minute.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl openssl
. tests/integration/lib_hostile.sh

H=$LW_TMP/hostile
LANG=C.UTF-8
export LANG

# jd (lib_world.sh): its report made printable, escapes and all.
LW_JD_PRINTABLE=1
out_has() { grep -qF -- "$1" "$STDOUT"; }
err_has() { grep -qF -- "$1" "$STDERR"; }

# terminal_safe FILE...: valid UTF-8 with no C0 control but tab and line
# end, no DEL, no C1 (raw or encoded) and no bidi control: nothing a
# terminal would act on.
terminal_safe() {
	python3 -c '
import sys
bad = set(range(0x20)) - {0x09, 0x0A}
bad |= {0x7F} | set(range(0x80, 0xA0))
bad |= {0x61C, 0x200E, 0x200F, 0x2028, 0x2029}
bad |= set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
for path in sys.argv[1:]:
    text = open(path, "rb").read().decode("utf-8")  # strict
    for ch in text:
        if ord(ch) in bad:
            sys.exit("%s: U+%04X" % (path, ord(ch)))
' "$@"
}

# json_ok FILE: parses as JSON from strict UTF-8.
json_ok() {
	python3 -c '
import json, sys
json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$1"
}

if ! hostile_up "$H"; then
	not_ok "the hostile stand-in starts"
	lw_finish
fi
KUBECONFIG=$H/kubeconfig
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export KUBECONFIG JUMPDECK_AUDIT_LOG
# OSC 0 (title), OSC 52 (clipboard), CSI as an encoded C1 (U+009B), a raw
# C1 byte (0x9B: invalid UTF-8), a bidi override and a line break that
# would start a line of its own.
EVIL='A\u001b]0;TITLE\u0007B\u001b]52;c;cHduZWQ=\u0007C\u009b31mD\udc9bE\u202eF\n\u2713 all good'

# ------------------------------------------------ item 6: Status messages
hostile_reset "$H"
hostile_set "$H" "{\"fail\": {\"code\": 500, \"message\": \"$EVIL\"}}"
for cmd in "nodes" "status" "flux" "check"; do
	# shellcheck disable=SC2086
	jd $cmd
	check "Status message: $cmd fails" test "$rc" -ne 0
	check "Status message: $cmd prints nothing a terminal acts on" \
		terminal_safe "$STDOUT" "$STDERR"
done
hostile_reset "$H"
hostile_set "$H" "{\"apis\": \"flux\", \"patch\": \"fail\",
	\"message\": \"$EVIL\"}"
for cmd in "cordon hostile-node-1" "uncordon hostile-node-1" \
	"suspend ks apps" "resume ks apps" "reconcile ks apps --timeout 5s"; do
	# shellcheck disable=SC2086
	jd $cmd
	check "Status message: $cmd fails" rc_is 1
	check "Status message: $cmd prints nothing a terminal acts on" \
		terminal_safe "$STDOUT" "$STDERR"
	check "Status message: $cmd: the line break did not start a line" \
		sh -c "! grep -q '^. all good' '$STDERR'"
done

# -------------------------------------- item 6: an exec plugin's stderr
cat >"$LW_TMP/plugin" <<'EOF'
#!/bin/sh
printf 'first line\nlogin failed \033]0;TITLE\007 \033]52;c;cHduZWQ=\007 \302\23331m \233end\n' >&2
exit 1
EOF
chmod +x "$LW_TMP/plugin"
python3 - "$H/kubeconfig" "$LW_TMP/plugin" >"$LW_TMP/kc-exec" <<'EOF'
import sys
text = open(sys.argv[1]).read()
print(text.replace("    token: hostile-token\n",
    "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
    "      command: %s\n      interactiveMode: Never\n" % sys.argv[2]),
    end="")
EOF
hostile_reset "$H"
for cmd in "nodes" "cordon hostile-node-1" "status" "flux"; do
	# shellcheck disable=SC2086
	jd --kubeconfig "$LW_TMP/kc-exec" $cmd
	check "exec plugin stderr: $cmd fails" test "$rc" -ne 0
	check "exec plugin stderr: $cmd names the plugin's last line" \
		grep -qF "login failed" "$STDOUT" "$STDERR"
	check "exec plugin stderr: $cmd prints nothing a terminal acts on" \
		terminal_safe "$STDOUT" "$STDERR"
done

# ------------------------------------ item 8: --json is always valid UTF-8
hostile_reset "$H"
hostile_set "$H" '{"nodes": ["ok-node", "bad\udcff\udcfename",
	"c1\u009bname", "esc\u001b]0;x\u0007name"]}'
jd nodes --json
check "invalid UTF-8 in names: nodes --json exits 0" rc_is 0
check "invalid UTF-8 in names: nodes --json parses" json_ok "$STDOUT"
check "invalid UTF-8 in names: nodes --json is terminal-safe" \
	terminal_safe "$STDOUT"
check "invalid UTF-8 in names: the bytes became U+FFFD" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
names = [n["name"] for n in d["nodes"]]
assert "bad\ufffd\ufffdname" in names, names
assert "c1\u009bname" in names, names
' "$STDOUT"
jd status --json
check "invalid UTF-8 in names: status --json parses" json_ok "$STDOUT"
jd nodes
check "invalid UTF-8 in names: the nodes table is terminal-safe" \
	terminal_safe "$STDOUT" "$STDERR"
hostile_set "$H" "{\"fail\": {\"code\": 500, \"message\": \"$EVIL\"}}"
jd check --json
check "invalid UTF-8 in a message: check --json parses" json_ok "$STDOUT"
check "invalid UTF-8 in a message: check --json is terminal-safe" \
	terminal_safe "$STDOUT"
jd status --json
check "invalid UTF-8 in a message: status --json parses" json_ok "$STDOUT"

# -------------------------------- item 5: Flux that cannot be read is bad
# /apis answers 404: not "installed and empty", not healthy.
hostile_reset "$H"
hostile_set "$H" '{"apis": "404"}'
jd flux
check "/apis 404: flux exits 1" rc_is 1
check "/apis 404: flux says Flux cannot be read" \
	err_has "Flux cannot be read"
check "/apis 404: flux prints no empty tables" \
	sh -c "! grep -q 'NAMESPACE\|0/0 Ready' '$STDOUT'"
jd flux --json
check "/apis 404: flux --json exits 1" rc_is 1
check "/apis 404: flux --json carries the error" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["health"]["state"] == "unknown", d
assert "Flux cannot be read" in d["error"], d
' "$STDOUT"
jd status
check "/apis 404: status exits 1" rc_is 1
check "/apis 404: status marks Flux failed and says why" \
	grep -q '^. flux    Flux cannot be read: ' "$STDOUT"
check "/apis 404: status claims no Flux object count" \
	sh -c "! grep -q '0/0 Ready' '$STDOUT'"
jd status --json
check "/apis 404: status --json carries the error" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["health"]["flux"]["state"] == "unknown", d
assert "Flux cannot be read" in d["fluxError"], d
' "$STDOUT"

# /apis never answers: no verdict is not a healthy verdict; and ARM,
# asked for the registry's name, does not answer either (item 15: the
# images verdict names ARM, not the registry).
hostile_set "$H" '{"apis": "hang", "hang_s": 120}'
_lh_curl "$H" POST /_sim/faults '{"path_prefix": "/subscriptions",
	"action": "delay", "delay_ms": 120000, "times": 10}' >/dev/null
LW_LIMIT_SAVED=$LW_LIMIT
LW_LIMIT="timeout 100"
PORT=$(cat "$H/port")
AZURE_TENANT_ID=tenant AZURE_CLIENT_ID=client AZURE_CLIENT_SECRET=secret \
	AZURE_AUTHORITY_HOST=https://127.0.0.1:$PORT/ \
	JUMPDECK_CA_BUNDLE=$H/ca.crt \
	JUMPDECK_ARM_ENDPOINT=https://127.0.0.1:$PORT/ \
	jd status --json --subscription sub -g rg
STATUS_RC=$rc
cp "$STDOUT" "$LW_TMP/status-hang.json"
jd flux
LW_LIMIT=$LW_LIMIT_SAVED
check "/apis hangs: flux exits 1" rc_is 1
check "/apis hangs: flux says it got no answer" \
	grep -q 'Flux cannot be read: no answer within 30 s' "$STDERR"
check "/apis hangs: flux prints no empty tables" \
	sh -c "! grep -q 'NAMESPACE\|0/0 Ready' '$STDOUT'"
check "/apis hangs: status exits 1" test "$STATUS_RC" -eq 1
check "/apis hangs: status --json says Flux gave no answer" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["health"]["flux"]["state"] == "unknown", d
assert "no answer within 60 s" in d["fluxError"], d
' "$LW_TMP/status-hang.json"
check "ARM hangs: status --json names ARM, not the registry" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["health"]["images"]["state"] == "unknown", d
e = d["imagesError"]
assert "waiting for ARM" in e and "no answer within 60 s" in e, e
' "$LW_TMP/status-hang.json"
_lh_curl "$H" DELETE /_sim/faults >/dev/null

# ------------------------- item 9: credentials with a line break: refused
# kubeconfig_with USER-LINES: the stand-in's kubeconfig with another user.
kubeconfig_with() {
	python3 -c '
import sys
text = open(sys.argv[1]).read()
print(text.replace("    token: hostile-token\n", sys.argv[2]), end="")
' "$H/kubeconfig" "$1"
}
printf '%s\n' '#!/usr/bin/env python3' 'import json' \
	'print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1",' \
	'    "kind": "ExecCredential",' \
	'    "status": {"token": "good\r\nX-Injected: yes"}}))' \
	>"$LW_TMP/crlf-plugin"
chmod +x "$LW_TMP/crlf-plugin"
kubeconfig_with "    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $LW_TMP/crlf-plugin
      interactiveMode: Never
" >"$LW_TMP/kc-crlf-exec"
kubeconfig_with '    token: "good\r\nX-Injected: yes"
' >"$LW_TMP/kc-crlf-token"
printf 'good\r\nX-Injected: yes\n' >"$LW_TMP/crlf-token-file"
kubeconfig_with "    tokenFile: $LW_TMP/crlf-token-file
" >"$LW_TMP/kc-crlf-file"
for kc in exec token file; do
	hostile_reset "$H"
	jd --kubeconfig "$LW_TMP/kc-crlf-$kc" nodes
	check "CR/LF in the $kc credential: nodes exits 1" test "$rc" -ne 0
	check "CR/LF in the $kc credential: says so" \
		err_has "line break or another control character"
	check "CR/LF in the $kc credential: no request reached the server" \
		test "$(hostile_count "$H" True)" -eq 0
done
# A token endpoint (Entra ID) answering with CR/LF in its token: the
# token is used for nothing.
hostile_reset "$H"
hostile_set "$H" '{"token": "good\r\nX-Injected: yes"}'
PORT=$(cat "$H/port")
AZURE_TENANT_ID=tenant AZURE_CLIENT_ID=client AZURE_CLIENT_SECRET=secret \
	AZURE_AUTHORITY_HOST=https://127.0.0.1:$PORT/ \
	JUMPDECK_CA_BUNDLE=$H/ca.crt \
	JUMPDECK_ARM_ENDPOINT=https://127.0.0.1:$PORT/ \
	jd images --subscription sub -g rg
check "CR/LF in a token from Entra ID: images exits 1" rc_is 1
check "CR/LF in a token from Entra ID: says so" \
	err_has "Entra ID answered with a token that holds a line break"
check "CR/LF in a token from Entra ID: nothing but the token request" \
	test "$(hostile_count "$H" 'not r["path"].endswith("/token")')" -eq 0

# ---------------------- item 10: names are checked before anything else
hostile_reset "$H"
hostile_set "$H" '{"apis": "flux"}'
rm -f "$JUMPDECK_AUDIT_LOG"
for args in "cordon .." "uncordon ." "cordon a/b" "cordon Node-1" \
	"suspend ks .." "resume ks a..b" "reconcile ks apps-" \
	"suspend ks apps -n .." "reconcile ks apps -n a.b"; do
	# shellcheck disable=SC2086
	jd $args
	check "$args: exits 2" rc_is 2
	check "$args: says the name is not valid" err_has "is not a valid"
done
check "invalid names: no request reached the server" \
	test "$(hostile_count "$H" True)" -eq 0
check "invalid names: no audit record was written" \
	test ! -s "$JUMPDECK_AUDIT_LOG"

# --------------------- item 7: no credentials over plain http:// unasked
P=$LW_TMP/plain
if ! hostile_up "$P" --plain; then
	not_ok "the hostile stand-in starts on plain HTTP"
	lw_finish
fi
jd --kubeconfig "$P/kubeconfig" nodes
check "plain HTTP with a token: nodes exits 2" rc_is 2
check "plain HTTP with a token: says it is not encrypted" \
	err_has "plain HTTP is not encrypted"
check "plain HTTP with a token: no request was made" \
	test "$(hostile_count "$P" True)" -eq 0
# asked for explicitly: it works, with a warning
python3 -c '
import sys
t = open(sys.argv[1]).read()
t = t.replace("    server: http://", "    extensions:\n    - name: jumpdeck\n"
              "      extension:\n        allow-credentials-over-http: true\n"
              "    server: http://")
print(t, end="")' "$P/kubeconfig" >"$LW_TMP/kc-plain-allowed"
jd --kubeconfig "$LW_TMP/kc-plain-allowed" nodes
check "plain HTTP allowed by the kubeconfig: nodes exits 0" rc_is 0
check "plain HTTP allowed by the kubeconfig: a warning says so" \
	err_has "is plain HTTP: nothing sent to or from the cluster is encrypted"
check "plain HTTP allowed by the kubeconfig: the token was sent" \
	test "$(hostile_count "$P" 'r["auth"] == "bearer"')" -ge 1
jd --kubeconfig "$LW_TMP/kc-plain-allowed" status
check "plain HTTP allowed: status warns too" err_has "is plain HTTP"
# no credentials at all: nothing to protect, still a warning
hostile_reset "$P"
python3 -c '
import sys
t = open(sys.argv[1]).read()
print(t.replace("    token: hostile-token\n", "    {}\n"), end="")
' "$P/kubeconfig" >"$LW_TMP/kc-plain-anon"
jd --kubeconfig "$LW_TMP/kc-plain-anon" nodes
check "plain HTTP without credentials: nodes exits 0" rc_is 0
check "plain HTTP without credentials: a warning" err_has "is plain HTTP"
check "plain HTTP without credentials: nothing like a credential sent" \
	test "$(hostile_count "$P" 'r["auth"] != "none"')" -eq 0

# --------------- item 15: a very long name does not widen a whole table
hostile_reset "$H"
python3 -c '
import json
n = "n" * 100000
print(json.dumps({"nodes": ["short", n], "apis": "flux",
                  "flux_names": ["short", n]}))' >"$LW_TMP/long.json"
hostile_set "$H" "@$LW_TMP/long.json"
# widest LIMIT: every line of stdout is at most LIMIT characters
widest() {
	python3 -c '
import sys
w = max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if w <= int(sys.argv[2]) else "widest line: %d" % w)
' "$STDOUT" "$1"
}
jd nodes
check "a 100,000-character node name: nodes exits 0" rc_is 0
check "a 100,000-character node name: no line wider than 300" widest 300
check "a 100,000-character node name: shown cut, with an ellipsis" \
	grep -q '^nnnnnnnnnn*… ' "$STDOUT"
jd flux
check "a 100,000-character Flux name: no table line wider than 400" \
	widest 400

# ------------------ item 14: a FIFO or a deeply nested file as kubeconfig
mkfifo "$LW_TMP/kc-fifo"
jd --kubeconfig "$LW_TMP/kc-fifo" nodes
check "a FIFO as the kubeconfig: nodes exits 2 (does not block)" rc_is 2
check "a FIFO as the kubeconfig: says it is not a regular file" \
	err_has "not a regular file"
python3 -c '
import sys
n = 2000000
sys.stdout.write("apiVersion: v1\nkind: Config\nclusters: " + "[" * n +
                 "]" * n + "\n")' >"$LW_TMP/kc-deep"
jd --kubeconfig "$LW_TMP/kc-deep" nodes
check "a kubeconfig nested 2,000,000 deep: nodes exits 2 at once" rc_is 2
check "a kubeconfig nested 2,000,000 deep: says so with the line" \
	err_has "kc-deep:3: nested more than 32 levels deep"

lw_finish
