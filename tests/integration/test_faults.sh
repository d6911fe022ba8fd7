#!/bin/sh
# test_faults.sh - the CLI against every backend while it fails: the
# Kubernetes API (nodes), ARM, Entra ID, IMDS and the registries (images),
# each with the faults its simulator can inject (401, 403, 404, 409, 429
# with Retry-After in seconds and as an HTTP date, 500, 503, a body that
# stalls, is cut short or is 100 MiB, a dropped connection) and with the
# faults of the network itself (connection refused, a name that does not
# resolve, an unknown CA, a certificate for another host name). Each case
# asserts what the operator sees and what the server sees: exit status 1,
# one line on stderr that says what failed, at most a stated number of
# requests to the failing service (no retry storm), a bounded peak memory,
# and the panes that do not depend on the failing service still answer;
# once the fault is gone the same command works again. The TUI's side
# (key answers, pane sentences, recovery without a key) is
# tests/e2e/test_tui_faults.sh. TAP-like lines.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl
. tests/integration/lib_azure.sh

D=$LW_TMP/world
STDERR=$LW_TMP/stderr
# Peak memory allowed for one command, in KiB: the largest body jumpdeck
# keeps is 64 MiB (backend/http.c), the rest of it needs about 15 MiB.
RSS_MAX=153600
LANG=C.UTF-8
export LANG

# jd ARGS...: jumpdeck, bounded (90 s: a stalled body costs 60 s), with
# the NAME=VALUE words of JD_SET added to its environment; exit
# status in rc, peak memory (KiB) in rss, stdout in $LW_TMP/stdout.json,
# stderr in $STDERR, all of it in $LW_OUT.
jd() {
	_r=$(python3 -c '
import os, resource, subprocess, sys
out, err = open(sys.argv[2], "wb"), open(sys.argv[3], "wb")
env = dict(os.environ)
for kv in os.environ.get("JD_SET", "").split():
    k, _, v = kv.partition("=")
    if v:
        env[k] = v
    else:
        env.pop(k, None)
env.pop("JD_SET", None)
try:
    rc = subprocess.run(sys.argv[4:], stdin=subprocess.DEVNULL, stdout=out,
                        stderr=err, env=env,
                        timeout=float(sys.argv[1])).returncode
except subprocess.TimeoutExpired:
    rc = 124
print("%d %d" % (rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
' 90 "$LW_TMP/stdout.json" "$STDERR" "$JD" "$@")
	rc=${_r% *}
	rss=${_r#* }
	{
		echo "\$ jumpdeck $*"
		head -c 4000 "$LW_TMP/stdout.json"
		echo "--- stderr:"
		cat "$STDERR"
		echo "--- exit status $rc, peak memory $rss KiB"
	} >"$LW_OUT"
}

# one_sentence PATTERN: stderr is one line, "jumpdeck: ...", matching the
# extended regular expression PATTERN (case-insensitively). With SAY=rows
# (the registry's faults, which images reports per image): stderr is
# empty and every image row of the table matches PATTERN instead.
SAY=stderr
one_sentence() {
	if [ "$SAY" = rows ]; then
		[ ! -s "$STDERR" ] &&
			[ "$(grep -cE '^(ghcr|docker)\.io/' \
				"$LW_TMP/stdout.json")" -eq 6 ] &&
			! grep -E '^(ghcr|docker)\.io/' "$LW_TMP/stdout.json" |
				grep -Eqvi -- "$1"
		return
	fi
	[ "$(grep -c . "$STDERR")" -eq 1 ] &&
		grep -q '^jumpdeck: ' "$STDERR" &&
		grep -Eqi -- "$1" "$STDERR"
}

# ---------------------------------------------------------------- logs

# kube_n, az_n, reg_n acr|upstream: jumpdeck's requests (its User-Agent;
# the simulated Flux controller talks to the cluster too) logged since
# the last clear.
count_json() {
	python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)
          if r.get("user_agent", "").startswith("jumpdeck/")))'
}
kube_n() { lw_sim "$D" GET /_sim/requests | count_json; }
az_n() { az_sim GET /requests | count_json; }
reg_n() {
	curl -sSf --max-time 10 --cacert "$AZ_CA" \
		"$(cat "$AZ_REG/$1_url")/_sim/requests" | count_json
}
kube_clear() {
	lw_sim "$D" DELETE /_sim/faults >/dev/null &&
		lw_sim "$D" DELETE /_sim/requests >/dev/null
}
az_clear() {
	az_sim DELETE /faults >/dev/null && az_sim DELETE /requests >/dev/null
}
all_clear() { kube_clear && az_clear && az_reg_reset; }

# ---------------------------------------------------------------- cases

# fault_case WHERE RULE MAXREQ PATTERN COMMAND...: with the fault rule RULE
# (JSON; "times" defaults to 1000 here, so it lasts) in the simulator
# WHERE (kube, az, acr or upstream), COMMAND exits 1 with one sentence
# matching PATTERN, WHERE sees at most MAXREQ requests, and the peak
# memory stays under RSS_MAX.
fault_case() {
	_where=$1 _rule=$2 _max=$3 _pat=$4
	shift 4
	all_clear || not_ok "faults and logs cleared"
	_rule=$(printf '%s' "$_rule" | python3 -c '
import json, sys
r = json.load(sys.stdin)
r.setdefault("times", 1000)
print(json.dumps(r))')
	case $_where in
	kube) lw_sim "$D" POST /_sim/faults "$_rule" >/dev/null ;;
	az) az_fault "$_rule" ;;
	*) az_reg_fault "$_where" "$_rule" ;;
	esac
	jd "$@"
	case $_where in
	kube) _n=$(kube_n) ;;
	az) _n=$(az_n) ;;
	*) _n=$(reg_n "$_where") ;;
	esac
	_name="$* with $_where $_rule"
	check "$_name: exits 1" test "$rc" -eq 1
	check "$_name: one sentence that says /$_pat/" one_sentence "$_pat"
	echo "# $_name: $_n requests, peak $rss KiB" >>"$LW_OUT"
	check "$_name: at most $_max requests to $_where (saw $_n)" \
		test "$_n" -le "$_max"
	check "$_name: peak memory under $RSS_MAX KiB (was $rss)" \
		test "$rss" -lt "$RSS_MAX"
}

# env_case NAME PATTERN VAR=VALUE... -- COMMAND...: COMMAND with the
# variables changed (an endpoint that cannot answer; VAR= removes VAR)
# exits 1 with one sentence matching PATTERN.
env_case() {
	_name=$1 _pat=$2
	shift 2
	JD_SET=""
	while [ "$1" != "--" ]; do
		JD_SET="$JD_SET $1"
		shift
	done
	shift
	all_clear || not_ok "faults and logs cleared"
	export JD_SET
	jd "$@"
	unset JD_SET
	check "$* with $_name: exits 1" test "$rc" -eq 1
	check "$* with $_name: one sentence that says /$_pat/" \
		one_sentence "$_pat"
}

# ================================================================ world
if ! lw_world_up "$D" --scenario demo --flap-seconds 0; then
	not_ok "world up"
	lw_finish
fi
KUBECONFIG=$D/kubeconfig
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export KUBECONFIG JUMPDECK_AUDIT_LOG
if ! az_up; then
	cat "$AZ_LOG" >"$LW_OUT"
	not_ok "Azure simulator and registries up"
	lw_finish
fi
KPORT=$(cat "$D/port")

# Before any fault: the answers every case is compared with.
jd nodes
check "no fault: nodes exits 0" test "$rc" -eq 0
jd images
images_rc=$rc
check "no fault: images answers (0 or 1, not a usage error)" \
	test "$rc" -le 1

# ================================================================ Kubernetes
# Status codes and reasons as the apiserver sends them (kubesim's fault
# rules: metav1.Status with the reason of the code).
N=/api/v1/nodes
fault_case kube '{"path_prefix": "'$N'", "status": 401}' 3 \
	'nodes.*unauthorized' nodes
# 403 and 404 with the apiserver's own messages (RBAC's forbidden
# message, the NotFound of a missing resource): jumpdeck passes them on.
M='nodes is forbidden: User \"admin\" cannot list resource \"nodes\" in API group \"\" at the cluster scope'
fault_case kube '{"path_prefix": "'$N'", "status": 403, "reason":
	"Forbidden", "message": "'"$M"'"}' 3 \
	'cannot list nodes: nodes is forbidden: User "admin"' nodes
M='the server could not find the requested resource'
fault_case kube '{"path_prefix": "'$N'", "status": 404, "reason":
	"NotFound", "message": "'"$M"'"}' 3 \
	'cannot list nodes: the server could not find the requested' nodes
fault_case kube '{"path_prefix": "'$N'", "status": 429, "retry_after": 1}' \
	15 'nodes.*throttl.*429' nodes
fault_case kube '{"path_prefix": "'$N'", "status": 500}' 6 \
	'nodes.*(500|internal)' nodes
fault_case kube '{"path_prefix": "'$N'", "status": 503}' 6 \
	'nodes.*(503|unable)' nodes
fault_case kube '{"path_prefix": "'$N'", "action": "stall",
	"stall_ms": 1000}' 6 'nodes.*(dropped|closed|timed out)' nodes
fault_case kube '{"path_prefix": "'$N'", "action": "truncate"}' 6 \
	'nodes.*(dropped|closed)' nodes
# A connection that dies without an answer: 4 attempts, and libcurl sends
# a request once more by itself when a reused connection died under it.
fault_case kube '{"path_prefix": "'$N'", "action": "drop"}' 10 \
	'nodes.*(dropped|closed|empty|reset)' nodes
fault_case kube '{"path_prefix": "'$N'", "action": "huge"}' 3 \
	'nodes.*larger than 64 MiB' nodes

# The network: a port nothing listens on, a name that does not resolve,
# a CA that did not sign the server's certificate, a certificate for
# another name. Each through a kubeconfig of its own.
kc_variant() { # NAME SED-EXPRESSION
	sed "$2" "$D/kubeconfig" >"$LW_TMP/$1.kubeconfig"
}
kc_variant refused "s#https://127.0.0.1:$KPORT#https://127.0.0.1:1#"
kc_variant dns "s#https://127.0.0.1:$KPORT#https://jumpdeck-fault.invalid:$KPORT#"
CA_OTHER=$(base64 -w0 <"$AZ_CA")
kc_variant unknown_ca "s#certificate-authority-data: .*#certificate-authority-data: $CA_OTHER#"
kc_variant wrong_name "s#^\( *\)server: \"https://127.0.0.1:$KPORT\"#&\n\1tls-server-name: not-the-api-server.test#"
check "the kubeconfig variants name the server as expected" \
	grep -q "tls-server-name: not-the-api-server.test" \
	"$LW_TMP/wrong_name.kubeconfig"
env_case "connection refused" 'nodes.*(refused|cannot reach)' \
	KUBECONFIG="$LW_TMP/refused.kubeconfig" -- nodes
env_case "a name that does not resolve" \
	'nodes.*(resolve|jumpdeck-fault.invalid)' \
	KUBECONFIG="$LW_TMP/dns.kubeconfig" -- nodes
env_case "an unknown CA" 'nodes.*(certificate|TLS|SSL)' \
	KUBECONFIG="$LW_TMP/unknown_ca.kubeconfig" -- nodes
env_case "a certificate for another name" \
	'nodes.*(certificate|TLS|SSL|name)' \
	KUBECONFIG="$LW_TMP/wrong_name.kubeconfig" -- nodes

# Nothing else breaks: the Kubernetes API failing leaves the images.
all_clear
lw_sim "$D" POST /_sim/faults '{"path_prefix": "/api", "status": 503,
	"times": 1000}' >/dev/null
lw_sim "$D" POST /_sim/faults '{"path_prefix": "/apis", "status": 503,
	"times": 1000}' >/dev/null
jd status --json
check "status --json with the API server failing: the images are read" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "503" in d["nodesError"] or "nable" in d["nodesError"], d
assert len(d["images"]["images"]) == 6, d["images"]
' "$LW_TMP/stdout.json"

# ================================================================ ARM
A=/subscriptions
fault_case az '{"path_prefix": "'$A'", "status": 403}' 4 \
	'registry.*(403|forbidden|authori)' images
fault_case az '{"path_prefix": "'$A'", "status": 404}' 6 \
	'(registry|deployment).*(404|not ?found)' images
fault_case az '{"path_prefix": "'$A'", "status": 409}' 4 \
	'registry.*(409|conflict)' images
fault_case az '{"path_prefix": "'$A'", "status": 429, "retry_after": 1}' \
	20 'registry.*(throttl|429|try again)' images
fault_case az '{"path_prefix": "'$A'", "status": 429,
	"retry_after": "Wed, 21 Oct 2015 07:28:00 GMT"}' 20 \
	'registry.*(throttl|429|try again)' images
fault_case az '{"path_prefix": "'$A'", "status": 500}' 8 \
	'registry.*(500|internal)' images
fault_case az '{"path_prefix": "'$A'", "status": 503}' 8 \
	'registry.*(503|unavailable)' images
fault_case az '{"path_prefix": "'$A'", "action": "stall",
	"stall_ms": 1000}' 8 'registry.*(dropped|closed|timed out)' images
fault_case az '{"path_prefix": "'$A'", "action": "truncate"}' 8 \
	'registry.*(dropped|closed)' images
fault_case az '{"path_prefix": "'$A'", "action": "huge"}' 4 \
	'registry.*larger than 64 MiB' images

# ================================================================ Entra ID
T=/$AZURE_TENANT_ID/oauth2
fault_case az '{"path_prefix": "'$T'", "status": 401}' 4 \
	'sign-in.*(401|refused|invalid)' images
fault_case az '{"path_prefix": "'$T'", "status": 500}' 8 \
	'sign-in.*(500|server_error)' images
fault_case az '{"path_prefix": "'$T'", "status": 429, "retry_after": 1}' \
	20 'sign-in.*(429|throttl|too many)' images
fault_case az '{"path_prefix": "'$T'", "action": "truncate"}' 8 \
	'sign-in.*(dropped|closed|token)' images

# ================================================================ registry
# images checks 6 images in quarantine/ and live/: 12 manifest requests,
# each with at most 4 attempts on an error (twice each when libcurl
# re-sends on a dead connection) and 11 on a 429 that says when to come
# back (http.c: 10 retries after Retry-After). The sentence is per image.
SAY=rows
fault_case acr '{"path_prefix": "/v2/", "status": 403}' 12 \
	'HTTP 403 from registry acrakstest' images
fault_case acr '{"path_prefix": "/v2/", "status": 500}' 48 \
	'HTTP 500 from registry acrakstest' images
fault_case acr '{"path_prefix": "/v2/", "status": 429, "retry_after": 1}' \
	132 'HTTP 429 from registry acrakstest' images
fault_case acr '{"path_prefix": "/v2/", "action": "drop"}' 96 \
	'cannot reach .*closed the connection' images
SAY=stderr

# ================================================================ endpoints
env_case "ARM refusing connections" '(registry|ARM).*(refused|reach)' \
	JUMPDECK_ARM_ENDPOINT=https://127.0.0.1:1/ -- images
env_case "an ARM name that does not resolve" \
	'(registry|ARM).*(resolve|jumpdeck-fault.invalid)' \
	JUMPDECK_ARM_ENDPOINT=https://jumpdeck-fault.invalid/ -- images
env_case "Entra ID refusing connections" 'sign-in.*(refused|reach)' \
	AZURE_AUTHORITY_HOST=https://127.0.0.1:1/ -- images
env_case "Azure behind a CA nobody trusts" \
	'(certificate|TLS|SSL)' JUMPDECK_CA_BUNDLE="$D/ca.crt" \
	CURL_CA_BUNDLE="$D/ca.crt" -- images
env_case "IMDS refusing connections (no client secret)" \
	'(IMDS|sign-in|identity)' AZURE_CLIENT_SECRET= \
	JUMPDECK_IMDS_ENDPOINT=http://127.0.0.1:1 -- images

# Nothing else breaks: ARM failing leaves the cluster's panes.
all_clear
az_fault '{"path_prefix": "/subscriptions", "status": 503, "times": 1000}'
jd status --json
check "status --json with ARM failing: the nodes and Flux are read" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["nodes"]["summary"]["total"] == 7, d["nodes"]
assert d["flux"]["summary"]["kustomizations"] == 3, d["flux"]
assert "503" in d["imagesError"] or "navailable" in d["imagesError"], d
' "$LW_TMP/stdout.json"

# ================================================================ recovery
all_clear
jd nodes
check "the faults gone: nodes exits 0 again" test "$rc" -eq 0
jd images
check "the faults gone: images answers as before ($images_rc)" \
	test "$rc" -eq "$images_rc"

lw_finish
