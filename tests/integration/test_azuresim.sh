#!/bin/sh
# test_azuresim.sh - checks the Azure simulator (tests/sim/azuresim.py) and
# the local registries (registry.py, images.py) at the HTTP level with curl:
# Entra ID, IMDS, ARM deployments, importImage LROs that really copy images,
# ACR token exchange accepted by docker-registry, Resource Graph paging.
# TAP-like output; exits non-zero on any failure.
# shellcheck disable=SC2317,SC2016  # cleanup runs from a trap; literal $ in JSON
set -u
cd "$(dirname "$0")/../.." || exit 2
T=$(mktemp -d "${TMPDIR:-/tmp}/jd-azsim.XXXXXX") || exit 2
RD=$T/reg
AD=$T/az
cleanup() {
	python3 tests/sim/azuresim.py down --dir "$AD" >/dev/null 2>&1
	python3 tests/sim/registry.py down --dir "$RD" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

failed=0
ok() { echo "ok - $1"; }
nok() {
	echo "not ok - $1"
	failed=$((failed + 1))
	[ -n "${2:-}" ] && printf '%s\n' "$2" | head -c 600 | sed 's/^/#   /'
	return 0
}
# check DESC COMMAND...: ok when the command succeeds
check() {
	d=$1
	shift
	if out=$("$@" 2>&1); then ok "$d"; else nok "$d" "$out"; fi
}
# js FILE EXPR: evaluates a Python expression over the JSON in FILE (as j)
js() {
	python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if not isinstance(v, (dict, list)) else json.dumps(v))' "$1" "$2"
}
# hdr FILE NAME: value of a response header (case-insensitive, last one)
hdr() {
	tr -d '\r' <"$1" | awk -v n="$2" 'BEGIN{n=tolower(n)}
		{i=index($0,":"); if (i && tolower(substr($0,1,i-1))==n) v=substr($0,i+2)}
		END{print v}'
}
code_of() { sed -n 's/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$1" | tail -1; }

if ! python3 tests/sim/registry.py up --dir "$RD" >"$T/up" 2>&1; then
	nok "registries up" "$(cat "$T/up")"
	exit 1
fi
ok "registries up (acr with token auth, upstream anonymous)"
if ! python3 tests/sim/images.py seed-upstream --dir "$RD" >"$T/seed.json" \
	2>"$T/seed.err"; then
	nok "seed upstream images" "$(cat "$T/seed.err")"
	exit 1
fi
ok "seed upstream with the walkthrough's six images"
if ! python3 tests/sim/azuresim.py up --dir "$AD" --registry-dir "$RD" \
	>"$T/up" 2>&1; then
	nok "azuresim up" "$(cat "$T/up")"
	exit 1
fi
ok "azuresim up"

U=$(cat "$AD/url")
IMDS=$(cat "$AD/imds_url")
ACR=$(cat "$RD/acr_url")
UP=$(cat "$RD/upstream_url")
CA=$AD/ca.crt
TEN=$(sed -n 's/^AZURE_TENANT_ID=//p' "$AD/jumpdeck-azure.env")
SUB=$(sed -n 's/^AZURE_SUBSCRIPTION_ID=//p' "$AD/jumpdeck-azure.env")
CID=$(sed -n 's/^JUMPDECK_SIM_CLIENT_ID=//p' "$AD/jumpdeck-azure.env")
CSEC=$(sed -n 's/^JUMPDECK_SIM_CLIENT_SECRET=//p' "$AD/jumpdeck-azure.env")
SVC=acrakstest.azurecr.io
RG=rg-bu0001a0005
ARMV=api-version=2021-04-01
ACRV=api-version=2023-07-01
REGID=/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.ContainerRegistry/registries/acrakstest
ACCEPT="application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"
C() { curl -sS --cacert "$CA" "$@"; }
ctl() { # METHOD PATH [JSON]
	if [ $# -ge 3 ]; then
		C -X "$1" -H 'Content-Type: application/json' -d "$3" "$U/_sim/$2"
	else
		C -X "$1" "$U/_sim/$2"
	fi
}

check "env file names every endpoint" eval "
	for k in AZURE_AUTHORITY_HOST JUMPDECK_ARM_ENDPOINT JUMPDECK_IMDS_ENDPOINT \
		JUMPDECK_RESOURCE_GRAPH_ENDPOINT JUMPDECK_REGISTRY_URL \
		JUMPDECK_ACR_AUTH_URL JUMPDECK_CA_BUNDLE; do
		grep -q \"^\$k=.\" '$AD/jumpdeck-azure.env' || { echo missing \$k; exit 1; }
	done"
check "the realm the acr registry announces is azuresim's" \
	test "$(cat "$RD/acr_realm")" = "$U/oauth2/token"

# ------------------------------------------------------------ Entra ID
C -o "$T/cc.json" -d grant_type=client_credentials -d "client_id=$CID" \
	-d "client_secret=$CSEC" \
	--data-urlencode scope=https://management.azure.com/.default \
	"$U/$TEN/oauth2/v2.0/token"
if TOK=$(js "$T/cc.json" 'j["access_token"]') && [ -n "$TOK" ]; then
	ok "client_credentials token"
else
	nok "client_credentials token" "$(cat "$T/cc.json")"
fi
check "client token claims (aud, tid, appid, exp)" python3 - "$TOK" "$TEN" "$CID" <<'EOF'
import base64, json, sys, time
p = sys.argv[1].split(".")[1]
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
assert c["aud"] == "https://management.azure.com", c
assert c["tid"] == sys.argv[2] and c["appid"] == sys.argv[3], c
assert c["exp"] > time.time() + 3000 and c["nbf"] <= time.time() + 1, c
assert "oid" in c and "iat" in c, c
EOF
check "token signature verifies against the JWKS" python3 - "$TOK" "$U/$TEN/discovery/v2.0/keys" "$CA" <<'EOF'
import base64, json, ssl, subprocess, sys, tempfile, urllib.request
tok, url, ca = sys.argv[1:]
keys = json.load(urllib.request.urlopen(url, context=ssl.create_default_context(cafile=ca)))
der = base64.b64decode(keys["keys"][0]["x5c"][0])
with tempfile.TemporaryDirectory() as d:
    open(d + "/c.der", "wb").write(der)
    pub = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", d + "/c.der", "-pubkey", "-noout"], capture_output=True, check=True).stdout
    open(d + "/p.pem", "wb").write(pub)
    h, p, s = tok.split(".")
    open(d + "/s", "wb").write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    subprocess.run(["openssl", "dgst", "-sha256", "-verify", d + "/p.pem", "-signature", d + "/s"], input=(h + "." + p).encode(), check=True, capture_output=True)
EOF
C -o "$T/bad.json" -w '%{http_code}' -d grant_type=client_credentials \
	-d "client_id=$CID" -d client_secret=wrong -d scope=x/.default \
	"$U/$TEN/oauth2/v2.0/token" >"$T/code"
check "wrong client secret: 401 invalid_client AADSTS7000215" eval "
	test \"\$(cat '$T/code')\" = 401 && grep -q '\"invalid_client\"' '$T/bad.json' &&
	grep -q 7000215 '$T/bad.json'"

ctl POST config '{"device_interval": 1}' >/dev/null
C -o "$T/dc.json" -d client_id=80faf920-1908-4b52-b5ef-a8e7bedfc67a \
	--data-urlencode "scope=6dae42f8-4368-4678-94ff-3960e28e3630/.default offline_access" \
	"$U/$TEN/oauth2/v2.0/devicecode"
DC=$(js "$T/dc.json" 'j["device_code"]')
UC=$(js "$T/dc.json" 'j["user_code"]')
check "devicecode answer (user_code, verification_uri, expires_in 900, interval, message)" \
	js "$T/dc.json" 'exit(0 if j["expires_in"] == 900 and j["interval"] == 1 and j["verification_uri"] and j["user_code"] in j["message"] else 1)'
poll() {
	C -o "$T/poll.json" -w '%{http_code}' \
		-d "grant_type=urn:ietf:params:oauth:grant-type:device_code" \
		-d client_id=80faf920-1908-4b52-b5ef-a8e7bedfc67a -d "device_code=$1" \
		"$U/$TEN/oauth2/v2.0/token"
}
c=$(poll "$DC")
if [ "$c" = 400 ] && grep -q '"authorization_pending"' "$T/poll.json"; then
	ok "device code: 400 authorization_pending while waiting"
else nok "device code: authorization_pending" "$c $(cat "$T/poll.json")"; fi
ctl POST devicecode/approve "{\"user_code\": \"$UC\"}" >/dev/null
c=$(poll "$DC")
cp "$T/poll.json" "$T/dc_ok.json"
if [ "$c" = 200 ] && UTOK=$(js "$T/poll.json" 'j["access_token"]'); then
	ok "device code: token after approval"
else nok "device code: token after approval" "$c $(cat "$T/poll.json")"; fi
check "device code token: aud is the AKS server app, upn set" python3 -c '
import base64, json, sys
p = sys.argv[1].split(".")[1]
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
assert c["aud"] == "6dae42f8-4368-4678-94ff-3960e28e3630" and c["upn"], c' "$UTOK"
c=$(poll "$DC")
check "device code: a redeemed code is refused (invalid_grant)" \
	eval "test $c = 400 && grep -q invalid_grant '$T/poll.json'"
for what in decline expire; do
	C -o "$T/dc2.json" -d client_id=80faf920-1908-4b52-b5ef-a8e7bedfc67a \
		-d scope=x/.default "$U/$TEN/oauth2/v2.0/devicecode"
	ctl POST "devicecode/$what" "{\"user_code\": \"$(js "$T/dc2.json" 'j["user_code"]')\"}" >/dev/null
	c=$(poll "$(js "$T/dc2.json" 'j["device_code"]')")
	want=authorization_declined
	[ $what = expire ] && want=expired_token
	if [ "$c" = 400 ] && grep -q "\"$want\"" "$T/poll.json"; then
		ok "device code: $what -> $want"
	else nok "device code: $what -> $want" "$c $(cat "$T/poll.json")"; fi
done
RT0=$(js "$T/dc_ok.json" 'j["refresh_token"]')
C -o "$T/rt.json" -d grant_type=refresh_token \
	-d client_id=80faf920-1908-4b52-b5ef-a8e7bedfc67a -d "refresh_token=$RT0" \
	--data-urlencode scope=https://management.azure.com//.default \
	"$U/$TEN/oauth2/v2.0/token"
check "refresh_token grant gives an ARM token for the same user" python3 -c '
import base64, json, sys
t = json.load(open(sys.argv[1]))["access_token"]
p = t.split(".")[1]
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
assert c["aud"] == "https://management.azure.com/" and c["upn"], c' "$T/rt.json"

# ------------------------------------------------------------ IMDS
c=$(curl -sS -o "$T/imds.json" -w '%{http_code}' -H 'Metadata: true' \
	"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")
if [ "$c" = 200 ] && js "$T/imds.json" 'exit(0 if j["expires_on"].isdigit() and j["resource"] == "https://management.azure.com/" and j["token_type"] == "Bearer" and j["access_token"] else 1)'; then
	ok "IMDS token (expires_on as epoch string)"
else nok "IMDS token" "$c $(cat "$T/imds.json")"; fi
MITOK=$(js "$T/imds.json" 'j["access_token"]')
c=$(curl -sS -o "$T/imds.json" -w '%{http_code}' \
	"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x")
check "IMDS without Metadata: true -> 400" test "$c" = 400
c=$(curl -sS -o "$T/imds.json" -w '%{http_code}' -H 'Metadata: true' \
	"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x&client_id=00000000-1111-2222-3333-444444444444")
check "IMDS unknown client_id -> 400 Identity not found" \
	eval "test $c = 400 && grep -q 'Identity not found' '$T/imds.json'"
ctl POST faults '[{"path_prefix": "/metadata/", "status": 410, "retry_after": "5"},
	{"path_prefix": "/metadata/", "status": 429, "retry_after": "1"},
	{"path_prefix": "/metadata/", "status": 500}]' >/dev/null
codes=""
for _ in 1 2 3 4; do
	codes="$codes $(curl -sS -o /dev/null -w '%{http_code}' -H 'Metadata: true' \
		"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x")"
done
check "IMDS injected 410, 429, 500, then 200" test "$codes" = " 410 429 500 200"
ctl DELETE identities >/dev/null
ctl POST config '{"imds_no_identity_status": 404}' >/dev/null
c=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Metadata: true' \
	"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x")
check "IMDS with no identity -> configured 404" test "$c" = 404

# ------------------------------------------------------------ ARM
AUTH="Authorization: Bearer $TOK"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "$AUTH" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
if [ "$c" = 200 ] && [ "$(js "$T/dep.json" 'j["properties"]["outputs"]["containerRegistryName"]["value"]')" = acrakstest ]; then
	ok "deployment cluster-stamp outputs.containerRegistryName.value"
else nok "deployment outputs" "$c $(cat "$T/dep.json")"; fi
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "Authorization: Bearer $MITOK" \
	"$U/SUBSCRIPTIONS/$SUB/RESOURCEGROUPS/RG-BU0001A0005/PROVIDERS/microsoft.resources/DEPLOYMENTS/Pre-Cluster-Stamp?$ARMV")
check "path segments are case-insensitive; managed identity token accepted" \
	eval "test $c = 200 && grep -q quarantineContainerRegistryName '$T/dep.json'"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "$AUTH" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/nope?$ARMV")
check "missing deployment -> 404 DeploymentNotFound" eval "test $c = 404 &&
	grep -q \"Deployment 'nope' could not be found.\" '$T/dep.json' &&
	grep -q DeploymentNotFound '$T/dep.json'"
c=$(C -D "$T/h" -o "$T/dep.json" -w '%{http_code}' \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "no token -> 401 AuthenticationFailed with WWW-Authenticate" eval "
	test $c = 401 && grep -q AuthenticationFailed '$T/dep.json' && grep -qi '^www-authenticate: Bearer' '$T/h'"
ctl POST token '{"ttl": -60}' >"$T/exp.json"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "Authorization: Bearer $(js "$T/exp.json" 'j["access_token"]')" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "expired token -> 401 ExpiredAuthenticationToken" \
	eval "test $c = 401 && grep -q ExpiredAuthenticationToken '$T/dep.json'"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "Authorization: Bearer $UTOK" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "token for another audience -> 401 InvalidAuthenticationTokenAudience" \
	eval "test $c = 401 && grep -q InvalidAuthenticationTokenAudience '$T/dep.json'"
ctl POST faults "{\"path_prefix\": \"/subscriptions/$SUB/resourcegroups\", \"status\": 429, \"retry_after\": \"2\"}" >/dev/null
c=$(C -D "$T/h" -o "$T/dep.json" -w '%{http_code}' -H "$AUTH" \
	"$U/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "injected 429 on an ARM path with Retry-After" \
	eval "test $c = 429 && test \"\$(hdr '$T/h' retry-after)\" = 2 && grep -q SubscriptionRequestsThrottled '$T/dep.json'"
c=$(C -o "$T/reg.json" -w '%{http_code}' -H "$AUTH" "$U$REGID?$ACRV")
check "registry resource has loginServer" \
	eval "test $c = 200 && test \"\$(js '$T/reg.json' 'j[\"properties\"][\"loginServer\"]')\" = $SVC"

# ------------------------------------------------------------ importImage
# imp BODY: POST importImage; leaves headers in $T/ih, prints the status
imp() {
	C -D "$T/ih" -o "$T/ib" -w '%{http_code}' -X POST -H "$AUTH" \
		-H 'Content-Type: application/json' -d "$1" "$U$REGID/importImage?$ACRV"
}
# wait_loc: polls the Location URL until it is not 202; prints the status
wait_loc() {
	loc=$(hdr "$T/ih" location)
	n=0
	while :; do
		c=$(C -D "$T/lh" -o "$T/lb" -w '%{http_code}' -H "$AUTH" "$loc")
		[ "$c" != 202 ] && break
		n=$((n + 1))
		[ $n -gt 200 ] && break
		sleep 0.1
	done
	echo "$c"
}
digest() { # URL_BASE REPO REF [TOKEN]
	if [ -n "${4:-}" ]; then
		C -I -H "Authorization: Bearer $4" -H "Accept: $ACCEPT" "$1/v2/$2/manifests/$3"
	else
		C -I -H "Accept: $ACCEPT" "$1/v2/$2/manifests/$3"
	fi | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}
RTOK() { python3 tests/sim/registry.py token --dir "$RD" "$@"; }

c=$(imp '{"source": {"registryUri": "docker.io", "sourceImage": "library/busybox:1.33.0"}, "targetTags": ["quarantine/library/busybox:1.33.0"], "mode": "NoForce"}')
ra=$(hdr "$T/ih" retry-after)
if [ "$c" = 202 ] && [ -n "$(hdr "$T/ih" location)" ] && [ -n "$ra" ]; then
	ok "importImage from docker.io -> 202 with Location and Retry-After"
else nok "importImage 202" "$c $(cat "$T/ib")"; fi
c=$(wait_loc)
check "Location polling ends with 200" test "$c" = 200
UPD=$(digest "$UP" docker.io/library/busybox 1.33.0)
QD=$(digest "$ACR" quarantine/library/busybox 1.33.0 "$(RTOK repository:quarantine/library/busybox:pull)")
check "quarantine/ digest equals upstream (multi-platform index)" \
	eval "test -n '$UPD' && test '$UPD' = '$QD'"
check "upstream busybox is a two-platform index" js "$T/seed.json" \
	'exit(0 if len(j["docker.io/library/busybox:1.33.0"]["platforms"]) == 2 else 1)'
PD=$(js "$T/seed.json" 'j["docker.io/library/busybox:1.33.0"]["platforms"]["linux/arm64"]')
check "the arm64 child manifest was copied too" test \
	"$(digest "$ACR" quarantine/library/busybox "$PD" "$(RTOK repository:quarantine/library/busybox:pull)")" = "$PD"

c=$(imp "{\"source\": {\"resourceId\": \"$REGID\", \"sourceImage\": \"quarantine/library/busybox:1.33.0\"}, \"targetTags\": [\"live/library/busybox:1.33.0\"], \"mode\": \"NoForce\"}")
c2=$(wait_loc)
LD=$(digest "$ACR" live/library/busybox 1.33.0 "$(RTOK repository:live/library/busybox:pull)")
check "quarantine/ -> live/ (resourceId source): 202, 200, digest kept" \
	eval "test $c = 202 && test $c2 = 200 && test '$LD' = '$QD'"

for spec in "ghcr.io fluxcd/source-controller:v0.6.3" \
	"docker.io falcosecurity/falco:0.26.2"; do
	# shellcheck disable=SC2086  # split "host image" on purpose
	set -- $spec
	c=$(imp "{\"source\": {\"registryUri\": \"$1\", \"sourceImage\": \"$2\"}, \"targetTags\": [\"quarantine/$2\"]}")
	c2=$(wait_loc)
	r=${2%:*}
	t=${2##*:}
	a=$(digest "$UP" "$1/$r" "$t")
	b=$(digest "$ACR" "quarantine/$r" "$t" "$(RTOK "repository:quarantine/$r:pull")")
	check "import $1/$2 -> quarantine/ with the same digest" \
		sh -c "test $c = 202 && test $c2 = 200 && test -n '$a' && test '$a' = '$b'"
done

c=$(imp '{"source": {"registryUri": "docker.io", "sourceImage": "library/busybox:1.33.0"}, "targetTags": ["quarantine/library/busybox:1.33.0"], "mode": "NoForce"}')
check "NoForce onto an existing tag -> 409 Conflict 'already exists in target registry'" \
	eval "test $c = 409 && grep -q 'already exists in target registry' '$T/ib'"
n1=$(ctl GET imports | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "a refused NoForce import starts no operation" test "$n1" = 4

# drift: a different image pushed straight to live/, then Force re-import
python3 tests/sim/images.py push --dir "$RD" --registry acr \
	--repo live/library/busybox --tag 1.33.0 --content drifted >/dev/null
DR=$(digest "$ACR" live/library/busybox 1.33.0 "$(RTOK repository:live/library/busybox:pull)")
check "images.py push makes drift in live/" eval "test -n '$DR' && test '$DR' != '$QD'"
ctl POST config '{"import_async_header": true}' >/dev/null
ctl POST faults '{"action": "lro_delay", "delay_s": 1.5}' >/dev/null
c=$(imp "{\"source\": {\"resourceId\": \"$REGID\", \"sourceImage\": \"quarantine/library/busybox:1.33.0\"}, \"targetTags\": [\"live/library/busybox:1.33.0\"], \"mode\": \"Force\"}")
AS=$(hdr "$T/ih" azure-asyncoperation)
C -o "$T/as.json" -H "$AUTH" "$AS"
st1=$(js "$T/as.json" 'j["status"]')
c1=$(C -o /dev/null -w '%{http_code}' -H "$AUTH" "$(hdr "$T/ih" location)")
check "slow LRO: Azure-AsyncOperation InProgress and Location 202 meanwhile" \
	eval "test $c = 202 && test '$st1' = InProgress && test $c1 = 202"
c2=$(wait_loc)
C -o "$T/as.json" -H "$AUTH" "$AS"
check "slow LRO: Succeeded afterwards, Force replaced the drifted tag" eval "
	test $c2 = 200 && test \"\$(js '$T/as.json' 'j[\"status\"]')\" = Succeeded &&
	test '$(digest "$ACR" live/library/busybox 1.33.0 "$(RTOK repository:live/library/busybox:pull)")' = '$QD'"

ctl POST faults '{"action": "lro_fail", "status": 500, "code": "InternalServerError", "message": "injected import failure"}' >/dev/null
c=$(imp '{"source": {"registryUri": "docker.io", "sourceImage": "weaveworks/kured:1.6.1"}, "targetTags": ["quarantine/weaveworks/kured:1.6.1"]}')
AS=$(hdr "$T/ih" azure-asyncoperation)
c2=$(wait_loc)
C -o "$T/as.json" -H "$AUTH" "$AS"
check "failed LRO: Location gives 500 with the ARM error, async status Failed" eval "
	test $c = 202 && test $c2 = 500 && grep -q 'injected import failure' '$T/lb' &&
	test \"\$(js '$T/as.json' 'j[\"status\"]')\" = Failed &&
	test \"\$(js '$T/as.json' 'j[\"error\"][\"code\"]')\" = InternalServerError"
check "failed LRO copied nothing" eval "test -z '$(digest "$ACR" quarantine/weaveworks/kured 1.6.1 "$(RTOK repository:quarantine/weaveworks/kured:pull)")'"
c=$(imp '{"source": {"registryUri": "docker.io", "sourceImage": "library/nosuch:1.0"}, "targetTags": ["quarantine/library/nosuch:1.0"]}')
c2=$(wait_loc)
check "missing source image: the LRO fails with 400" \
	eval "test $c = 202 && test $c2 = 400 && grep -q 'not found in source registry' '$T/lb'"
ctl POST faults '{"path_prefix": "/subscriptions", "method": "POST", "action": "drop_response"}' >/dev/null
imp '{"source": {"registryUri": "docker.io", "sourceImage": "weaveworks/kured:1.6.1"}, "targetTags": ["quarantine/weaveworks/kured:1.6.1"]}' >/dev/null 2>&1
sleep 0.5
ctl GET imports >"$T/ops.json"
check "lost 202 (drop_response): the import still ran exactly once" js "$T/ops.json" \
	'exit(0 if [o["executions"] for o in j if "kured" in o["source"]] == [0, 1] else 1)'
check "every operation executed at most once" js "$T/ops.json" \
	'exit(0 if all(o["executions"] <= 1 for o in j) else 1)'

# ------------------------------------------------------------ ACR auth
c=$(curl -sS --cacert "$RD/ca.crt" -D "$T/h" -o /dev/null -w '%{http_code}' "$ACR/v2/_catalog")
WA=$(hdr "$T/h" www-authenticate)
check "acr registry: 401 with Bearer realm, service and scope" eval "test $c = 401 &&
	test '$WA' = 'Bearer realm=\"$U/oauth2/token\",service=\"$SVC\",scope=\"registry:catalog:*\"'"
C -o "$T/ex.json" -w '%{http_code}' -d grant_type=access_token -d "service=$SVC" \
	-d "tenant=$TEN" -d "access_token=$TOK" "$U/oauth2/exchange" >"$T/code"
RT=$(js "$T/ex.json" 'j["refresh_token"]' 2>/dev/null)
check "/oauth2/exchange gives a refresh_token" eval "test \"\$(cat '$T/code')\" = 200 && test -n '$RT'"
C -o "$T/at.json" -d grant_type=refresh_token -d "service=$SVC" \
	-d 'scope=registry:catalog:*' -d 'scope=repository:live/library/busybox:pull' \
	-d "refresh_token=$RT" "$U/oauth2/token"
AT=$(js "$T/at.json" 'j["access_token"]' 2>/dev/null)
check "/oauth2/token: access token with x5c and two access entries" python3 -c '
import base64, json, sys
h, c = [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in sys.argv[1].split(".")[:2]]
assert h["alg"] == "RS256" and h["x5c"], h
assert c["aud"] == sys.argv[2] and c["iss"] and c["jti"], c
assert {a["name"] for a in c["access"]} == {"catalog", "live/library/busybox"}, c' "$AT" "$SVC"
c=$(curl -sS --cacert "$RD/ca.crt" -o "$T/cat.json" -w '%{http_code}' \
	-H "Authorization: Bearer $AT" "$ACR/v2/_catalog")
check "docker-registry accepts the token: GET /v2/_catalog" \
	eval "test $c = 200 && grep -q live/library/busybox '$T/cat.json'"
check "the token pulls live/library/busybox (all four Accept types)" \
	test "$(digest "$ACR" live/library/busybox 1.33.0 "$AT")" = "$QD"
C -o "$T/at2.json" -u "00000000-0000-0000-0000-000000000000:$RT" \
	"$U/oauth2/token?service=$SVC&scope=repository:quarantine/library/busybox:pull"
AT2=$(js "$T/at2.json" 'j["access_token"]' 2>/dev/null)
check "GET /oauth2/token with Basic (null GUID + refresh token)" \
	test "$(digest "$ACR" quarantine/library/busybox 1.33.0 "$AT2")" = "$QD"
c=$(C -o /dev/null -w '%{http_code}' -d grant_type=refresh_token -d "service=$SVC" \
	-d scope=registry:catalog:* -d refresh_token=garbage "$U/oauth2/token")
check "invalid refresh token -> 401" test "$c" = 401
c=$(C -o /dev/null -w '%{http_code}' -d grant_type=access_token -d "service=$SVC" \
	-d "access_token=$(js "$T/exp.json" 'j["access_token"]')" "$U/oauth2/exchange")
check "expired Entra token at /oauth2/exchange -> 401" test "$c" = 401

# ------------------------------------------------------------ Resource Graph
ctl POST findings "{\"repository\": \"quarantine/library/busybox\", \"digest\": \"$QD\", \"tags\": [\"1.33.0\"], \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Critical\", \"id\": \"CVE-2021-28831\", \"package\": \"busybox\", \"version\": \"1.33.0\", \"fixedVersion\": \"1.33.1\"}], \"generate\": {\"count\": 1200, \"severity\": \"Low\"}}" >/dev/null
ctl POST findings "{\"repository\": \"quarantine/falcosecurity/falco\", \"digest\": \"sha256:0000000000000000000000000000000000000000000000000000000000000001\", \"generation\": \"qualys\", \"findings\": [{\"severity\": \"High\", \"qid\": 178100, \"id\": \"CVE-2020-8285\", \"fixedVersion\": \"7.74.0\"}]}" >/dev/null
Q='{"subscriptions": ["'$SUB'"], "query": "securityresources | where type =~ \"microsoft.security/assessments/subassessments\"", "options": {"$top": 1000}}'
ARG="$U/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01"
ctl DELETE requests >/dev/null
c=$(C -D "$T/h" -o "$T/p1.json" -w '%{http_code}' -X POST -H "$AUTH" \
	-H 'Content-Type: application/json' -d "$Q" "$ARG")
check "Resource Graph page 1: 1000 rows, \$skipToken, resultTruncated \"false\" (string)" \
	eval "test $c = 200 && js '$T/p1.json' 'exit(0 if j[\"count\"] == 1000 and j[\"totalRecords\"] == 1202 and j[\"resultTruncated\"] == \"false\" and j[\"\$skipToken\"] else 1)'"
check "quota headers present" eval "test \"\$(hdr '$T/h' x-ms-user-quota-remaining)\" = 14 &&
	hdr '$T/h' x-ms-user-quota-resets-after | grep -q '^00:00:0[0-5]$'"
SKIP=$(js "$T/p1.json" 'j["$skipToken"]')
Q2=$(python3 -c 'import json,sys; q = json.loads(sys.argv[1]); q["options"]["$skipToken"] = sys.argv[2]; print(json.dumps(q))' "$Q" "$SKIP")
c=$(C -o "$T/p2.json" -w '%{http_code}' -X POST -H "$AUTH" \
	-H 'Content-Type: application/json' -d "$Q2" "$ARG")
check "page 2: the remaining 202 rows, no \$skipToken" \
	eval "test $c = 200 && js '$T/p2.json' 'exit(0 if j[\"count\"] == 202 and \"\$skipToken\" not in j else 1)'"
check "both Defender shapes present (MDVM and Qualys)" python3 - "$T/p1.json" "$T/p2.json" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["data"] + json.load(open(sys.argv[2]))["data"]
kinds = {r["properties"]["additionalData"]["assessedResourceType"] for r in rows}
assert kinds == {"AzureContainerRegistryVulnerability", "ContainerRegistryVulnerability"}, kinds
m = [r for r in rows if r["properties"]["id"] == "CVE-2021-28831"][0]
a = m["properties"]["additionalData"]
assert a["artifactDetails"]["repositoryName"] == "quarantine/library/busybox"
assert a["vulnerabilityDetails"]["severity"] == "Critical" and m["properties"]["status"]["severity"] == "High"
assert a["softwareDetails"]["fixStatus"] == "FixAvailable"
q = [r for r in rows if r["properties"]["additionalData"]["assessedResourceType"] == "ContainerRegistryVulnerability"][0]
assert q["properties"]["additionalData"]["imageDigest"].startswith("sha256:") and q["properties"]["additionalData"]["patchable"] is True
assert "/assessments/dbd0cb49-b563-45e7-9724-889e799fa648/subAssessments/" in q["id"]
assert q["type"] == "microsoft.security/assessments/subassessments"
EOF
QS='{"query": "securityresources | limit 1", "options": {"$top": 1}}'
n=0
c=200
while [ "$c" = 200 ] && [ $n -lt 20 ]; do
	c=$(C -D "$T/h" -o "$T/p.json" -w '%{http_code}' -X POST -H "$AUTH" \
		-H 'Content-Type: application/json' -d "$QS" "$ARG")
	n=$((n + 1))
done
check "Resource Graph: 429 with Retry-After once 15 queries in 5 s are used" eval "
	test $c = 429 && test $n -le 16 && test -n \"\$(hdr '$T/h' retry-after)\" &&
	test \"\$(hdr '$T/h' x-ms-user-quota-remaining)\" = 0 && grep -q RateLimiting '$T/p.json'"

# ------------------------------------------------------------ request log
ctl GET requests >"$T/log.json"
check "request log has no secrets" eval "! grep -q -e '$CSEC' -e '$RT' '$T/log.json'"
check "request log records Resource Graph calls with the caller" js "$T/log.json" \
	'exit(0 if any(e["path"].endswith("ResourceGraph/resources") and e["who"] for e in j) else 1)'

if python3 tests/sim/azuresim.py down --dir "$AD" >/dev/null 2>&1 &&
	python3 tests/sim/registry.py down --dir "$RD" >/dev/null 2>&1 &&
	! curl -s --cacert "$CA" -o /dev/null "$U/healthz" &&
	! curl -s --cacert "$CA" -o /dev/null "$ACR/v2/"; then
	ok "down stops azuresim and both registries"
else nok "down stops everything"; fi

[ $failed -eq 0 ]
