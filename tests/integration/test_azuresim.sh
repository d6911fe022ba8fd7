#!/bin/sh
# test_azuresim.sh - the Azure simulator's self-test (tests/sim/azuresim.py,
# registry.py, regproxy.py, images.py), at the HTTP level with curl: that it
# answers the way the real services do (Entra ID, IMDS, ARM, importImage
# operations that really copy images, ACR token exchange accepted by
# docker-registry, Docker Hub's anonymous tokens, registry 429/503, Resource
# Graph evaluating its query, Defender rows of both generations). Counted
# apart from jumpdeck's tests by tests/run.sh. TAP-like output; exits
# non-zero on any failure.
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
# Helpers as small scripts on PATH, so that `check ... sh -c '...'` sees
# them too. js FILE EXPR: a Python expression over the JSON in FILE (as j);
# jt FILE EXPR: true when it is; hdr FILE NAME: a response header's value
# (case-insensitive, the last one).
mkdir "$T/bin"
cat >"$T/bin/js" <<'EOF'
#!/bin/sh
exec python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if not isinstance(v, (dict, list)) else json.dumps(v))' "$@"
EOF
cat >"$T/bin/jt" <<'EOF'
#!/bin/sh
exec python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"
EOF
cat >"$T/bin/hdr" <<'EOF'
#!/bin/sh
tr -d '\r' <"$1" | awk -v n="$2" 'BEGIN{n=tolower(n)}
	{i=index($0,":"); if (i && tolower(substr($0,1,i-1))==n) v=substr($0,i+2)}
	END{print v}'
EOF
chmod +x "$T/bin/js" "$T/bin/jt" "$T/bin/hdr"
PATH=$T/bin:$PATH
export PATH
# claims TOKEN: the JWT's claims as JSON
claims() {
	python3 -c 'import base64,json,sys
p = sys.argv[1].split(".")[1]
print(json.dumps(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))))' "$1"
}

if ! python3 tests/sim/registry.py up --dir "$RD" >"$T/up" 2>&1; then
	nok "registries up" "$(cat "$T/up")"
	exit 1
fi
if ! python3 tests/sim/images.py seed-upstream --dir "$RD" >"$T/seed.json" \
	2>"$T/seed.err"; then
	nok "seed upstream images" "$(cat "$T/seed.err")"
	exit 1
fi
if ! python3 tests/sim/azuresim.py up --dir "$AD" --registry-dir "$RD" \
	>"$T/up" 2>&1; then
	nok "azuresim up" "$(cat "$T/up")"
	exit 1
fi
ok "registries, regproxy, upstream images and azuresim up"

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
AKS_CLIENT=80faf920-1908-4b52-b5ef-a8e7bedfc67a
C() { curl -sS --cacert "$CA" "$@"; }
ctl() { # METHOD PATH [JSON]
	if [ $# -ge 3 ]; then
		C -X "$1" -H 'Content-Type: application/json' -d "$3" "$U/_sim/$2"
	else
		C -X "$1" "$U/_sim/$2"
	fi
}

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
claims "$TOK" >"$T/c.json"
check "client token: aud without /.default, tid, appid, 1 h" jt "$T/c.json" \
	"j['aud'] == 'https://management.azure.com' and j['tid'] == '$TEN' and j['appid'] == '$CID' and j['exp'] - j['iat'] == 3600 and j['idtyp'] == 'app'"
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
check "wrong client secret: 401 invalid_client, AADSTS7000215, trace and correlation ids" \
	sh -c 'test "$(cat "$1")" = 401 && grep -q "\"invalid_client\"" "$2" &&
	grep -q "AADSTS7000215: " "$2" && grep -q "\"correlation_id\"" "$2"' _ "$T/code" "$T/bad.json"

# devicecode SCOPE: a new device code in $T/dc.json; DC and UC set
devicecode() {
	C -o "$T/dc.json" -d "client_id=$AKS_CLIENT" --data-urlencode "scope=$1" \
		"$U/$TEN/oauth2/v2.0/devicecode"
	DC=$(js "$T/dc.json" 'j["device_code"]')
	UC=$(js "$T/dc.json" 'j["user_code"]')
}
poll() {
	C -o "$T/poll.json" -w '%{http_code}' \
		-d "grant_type=urn:ietf:params:oauth:grant-type:device_code" \
		-d "client_id=$AKS_CLIENT" -d "device_code=$1" \
		"$U/$TEN/oauth2/v2.0/token"
}
devicecode "6dae42f8-4368-4678-94ff-3960e28e3630/.default offline_access"
check "devicecode answer: 9-letter user_code, 900 s, interval 5, message naming the code" \
	jt "$T/dc.json" 'j["expires_in"] == 900 and j["interval"] == 5 and len(j["user_code"]) == 9 and j["verification_uri"] == "https://microsoft.com/devicelogin" and j["user_code"] in j["message"]'
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
claims "$UTOK" >"$T/c.json"
check "device code token: aud is the AKS server app, upn set" jt "$T/c.json" \
	'j["aud"] == "6dae42f8-4368-4678-94ff-3960e28e3630" and j["upn"]'
check "offline_access without openid: a refresh token, no id token" \
	jt "$T/dc_ok.json" '"refresh_token" in j and "id_token" not in j'
c=$(poll "$DC")
check "device code: a redeemed code is refused (invalid_grant)" \
	sh -c 'test "$1" = 400 && grep -q invalid_grant "$2"' _ "$c" "$T/poll.json"
c=$(poll "not-a-device-code")
check "device code: an unknown code is bad_verification_code" \
	sh -c 'test "$1" = 400 && grep -q "\"bad_verification_code\"" "$2"' _ "$c" "$T/poll.json"
devicecode "https://management.azure.com//.default openid profile"
ctl POST devicecode/approve "{\"user_code\": \"$UC\"}" >/dev/null
poll "$DC" >/dev/null
check "openid without offline_access: an id token, no refresh token" \
	jt "$T/poll.json" '"id_token" in j and "refresh_token" not in j'
for what in decline expire; do
	devicecode x/.default
	ctl POST "devicecode/$what" "{\"user_code\": \"$UC\"}" >/dev/null
	c=$(poll "$DC")
	want=authorization_declined
	[ $what = expire ] && want=expired_token
	if [ "$c" = 400 ] && grep -q "\"$want\"" "$T/poll.json"; then
		ok "device code: $what -> $want"
	else nok "device code: $what -> $want" "$c $(cat "$T/poll.json")"; fi
done
RT0=$(js "$T/dc_ok.json" 'j["refresh_token"]')
refresh() {
	C -o "$T/rt.json" -w '%{http_code}' -d grant_type=refresh_token \
		-d "client_id=$AKS_CLIENT" -d "refresh_token=$1" \
		--data-urlencode "scope=https://management.azure.com//.default offline_access" \
		"$U/$TEN/oauth2/v2.0/token"
}
c=$(refresh "$RT0")
check "refresh_token grant: an ARM token for the same user and a new refresh token" \
	sh -c 'test "$1" = 200 && python3 -c "
import base64, json, sys
j = json.load(open(sys.argv[1]))
p = j[\"access_token\"].split(\".\")[1]
c = json.loads(base64.urlsafe_b64decode(p + \"=\" * (-len(p) % 4)))
assert c[\"aud\"] == \"https://management.azure.com/\" and c[\"upn\"], c
assert j[\"refresh_token\"] != sys.argv[2]" "$2" "$3"' _ "$c" "$T/rt.json" "$RT0"
c=$(refresh "$RT0")
check "a refresh token is used once (rotated): the old one is invalid_grant" \
	sh -c 'test "$1" = 400 && grep -q invalid_grant "$2"' _ "$c" "$T/rt.json"

# ------------------------------------------------------------ IMDS
c=$(curl -sS -o "$T/imds.json" -w '%{http_code}' -H 'Metadata: true' \
	"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")
if [ "$c" = 200 ] && jt "$T/imds.json" 'j["expires_on"].isdigit() and j["expires_in"].isdigit() and j["resource"] == "https://management.azure.com/" and j["token_type"] == "Bearer" and j["access_token"]'; then
	ok "IMDS token (expires_on and expires_in as strings)"
else nok "IMDS token" "$c $(cat "$T/imds.json")"; fi
MITOK=$(js "$T/imds.json" 'j["access_token"]')
c=$(curl -sS -o "$T/imds.json" -w '%{http_code}' \
	"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x")
check "IMDS without Metadata: true -> 400 invalid_request" \
	sh -c 'test "$1" = 400 && grep -q "Required metadata header not specified" "$2"' _ "$c" "$T/imds.json"
c=$(curl -sS -o "$T/imds.json" -w '%{http_code}' -H 'Metadata: true' \
	"$IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x&client_id=00000000-1111-2222-3333-444444444444")
check "IMDS unknown client_id -> 400 Identity not found" \
	sh -c 'test "$1" = 400 && grep -q "Identity not found" "$2"' _ "$c" "$T/imds.json"

# ------------------------------------------------------------ ARM
AUTH="Authorization: Bearer $TOK"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "$AUTH" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "deployment: properties.outputs.X.{type,value}" sh -c 'test "$1" = 200' _ "$c"
check "deployment outputs: String type, the registry name" jt "$T/dep.json" \
	'j["properties"]["outputs"]["containerRegistryName"] == {"type": "String", "value": "acrakstest"} and j["properties"]["provisioningState"] == "Succeeded"'
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "Authorization: Bearer $MITOK" \
	"$U/SUBSCRIPTIONS/$SUB/RESOURCEGROUPS/RG-BU0001A0005/PROVIDERS/microsoft.resources/DEPLOYMENTS/Pre-Cluster-Stamp?$ARMV")
check "path segments are case-insensitive; managed identity token accepted" \
	sh -c 'test "$1" = 200 && grep -q quarantineContainerRegistryName "$2"' _ "$c" "$T/dep.json"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "$AUTH" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/nope?$ARMV")
check "missing deployment -> 404 DeploymentNotFound" \
	sh -c 'test "$1" = 404 && jt "$2" "j[\"error\"] == {\"code\": \"DeploymentNotFound\", \"message\": \"Deployment '"'"'nope'"'"' could not be found.\"}"' _ "$c" "$T/dep.json"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "$AUTH" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp")
check "no api-version -> 400 MissingApiVersionParameter" \
	sh -c 'test "$1" = 400 && grep -q MissingApiVersionParameter "$2"' _ "$c" "$T/dep.json"
c=$(C -D "$T/h" -o "$T/dep.json" -w '%{http_code}' \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "no token -> 401 AuthenticationFailed with WWW-Authenticate" \
	sh -c 'test "$1" = 401 && grep -q AuthenticationFailed "$2" && grep -qi "^www-authenticate: Bearer authorization_uri" "$3"' _ "$c" "$T/dep.json" "$T/h"
ctl POST token '{"ttl": -60}' >"$T/exp.json"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "Authorization: Bearer $(js "$T/exp.json" 'j["access_token"]')" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "expired token -> 401 ExpiredAuthenticationToken" \
	sh -c 'test "$1" = 401 && grep -q ExpiredAuthenticationToken "$2"' _ "$c" "$T/dep.json"
c=$(C -o "$T/dep.json" -w '%{http_code}' -H "Authorization: Bearer $UTOK" \
	"$U/subscriptions/$SUB/resourcegroups/$RG/providers/Microsoft.Resources/deployments/cluster-stamp?$ARMV")
check "token for another audience -> 401 InvalidAuthenticationTokenAudience" \
	sh -c 'test "$1" = 401 && grep -q InvalidAuthenticationTokenAudience "$2"' _ "$c" "$T/dep.json"
c=$(C -D "$T/h" -o "$T/reg.json" -w '%{http_code}' -H "$AUTH" "$U$REGID?$ACRV")
check "registry resource has loginServer; reads count down the read quota" \
	sh -c 'test "$1" = 200 && jt "$2" "j[\"properties\"][\"loginServer\"] == \"$3\"" &&
	test "$(hdr "$4" x-ms-ratelimit-remaining-subscription-reads)" -lt 250' _ "$c" "$T/reg.json" "$SVC" "$T/h"

# ------------------------------------------------------------ registries
# updigest REPO REF: the upstream digest, fetched as an anonymous client
# does (401 challenge, token from its realm, HEAD with the token)
updigest() {
	C -I -H "Accept: $ACCEPT" "$UP/v2/$1/manifests/$2" >"$T/uh" 2>/dev/null
	ch=$(hdr "$T/uh" www-authenticate)
	tok=$(python3 - "$ch" "$CA" <<'EOF'
import json, re, ssl, sys, urllib.parse, urllib.request
p = dict(re.findall(r'(\w+)="([^"]*)"', sys.argv[1]))
url = p["realm"] + "?" + urllib.parse.urlencode({"service": p["service"], "scope": p["scope"]})
print(json.load(urllib.request.urlopen(url, context=ssl.create_default_context(cafile=sys.argv[2])))["token"])
EOF
	)
	C -I -H "Authorization: Bearer $tok" -H "Accept: $ACCEPT" \
		"$UP/v2/$1/manifests/$2" | tr -d '\r' |
		sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}
RTOK() { python3 tests/sim/registry.py token --dir "$RD" "$@"; }
digest() { # URL_BASE REPO REF TOKEN
	C -I -H "Authorization: Bearer $4" -H "Accept: $ACCEPT" "$1/v2/$2/manifests/$3" |
		tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}
acrdigest() { digest "$ACR" "$1" "$2" "$(RTOK "repository:$1:pull")"; }

c=$(C -D "$T/h" -o "$T/b" -w '%{http_code}' "$UP/v2/docker.io/library/busybox/manifests/1.33.0")
WA=$(hdr "$T/h" www-authenticate)
AUTHURL=$(cat "$RD/upstream_auth_url")
check "upstream challenges like Docker Hub: Bearer realm on its token host, service, pull scope" \
	test "$c $WA" = "401 Bearer realm=\"$AUTHURL/token\",service=\"registry.docker.io\",scope=\"repository:docker.io/library/busybox:pull\""
UPD=$(updigest docker.io/library/busybox 1.33.0)
check "an anonymous token pulls upstream: busybox's index digest" \
	test "$UPD" = "$(js "$T/seed.json" 'j["docker.io/library/busybox:1.33.0"]["digest"]')"
C -o "$T/anon.json" "$AUTHURL/token?service=registry.docker.io&scope=repository:docker.io/library/busybox:pull,push"
claims "$(js "$T/anon.json" 'j["token"]')" >"$T/c.json"
check "anonymous tokens: pull only, 300 s, Docker Hub's answer fields" sh -c '
	jt "$1" "j[\"expires_in\"] == 300 and j[\"issued_at\"] and j[\"access_token\"] == j[\"token\"]" &&
	jt "$2" "j[\"access\"] == [{\"type\": \"repository\", \"name\": \"docker.io/library/busybox\", \"actions\": [\"pull\"]}] and j[\"aud\"] == \"registry.docker.io\""' \
	_ "$T/anon.json" "$T/c.json"
curl -sS --cacert "$CA" -X POST -H 'Content-Type: application/json' \
	-d '{"path_prefix": "/v2/docker.io/library/busybox/", "status": 429, "retry_after": "7"}' \
	"$UP/_sim/faults" >/dev/null
c=$(C -D "$T/h" -o "$T/b" -w '%{http_code}' "$UP/v2/docker.io/library/busybox/manifests/1.33.0")
check "registry 429 in the distribution error shape (TOOMANYREQUESTS)" \
	sh -c 'test "$1" = 429 && jt "$2" "j[\"errors\"][0][\"code\"] == \"TOOMANYREQUESTS\"" &&
	test "$(hdr "$3" retry-after)" = 7' _ "$c" "$T/b" "$T/h"
curl -sS --cacert "$CA" -X POST -H 'Content-Type: application/json' \
	-d '{"path_prefix": "/v2/", "status": 503}' "$ACR/_sim/faults" >/dev/null
c=$(C -o "$T/b" -w '%{http_code}' "$ACR/v2/")
check "registry 503 in the distribution error shape (UNAVAILABLE)" \
	sh -c 'test "$1" = 503 && jt "$2" "j[\"errors\"][0][\"code\"] == \"UNAVAILABLE\""' _ "$c" "$T/b"
c=$(C -o /dev/null -w '%{http_code}' "$ACR/v2/")
check "the proxy passes the registry's own answers through (401 challenge)" test "$c" = 401

# ------------------------------------------------------------ importImage
# imp BODY: POST importImage; leaves headers in $T/ih, prints the status
imp() {
	C -D "$T/ih" -o "$T/ib" -w '%{http_code}' -X POST -H "$AUTH" \
		-H 'Content-Type: application/json' "$@" "$U$REGID/importImage?$ACRV"
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

c=$(imp -d '{"source": {"registryUri": "docker.io", "sourceImage": "library/busybox:1.33.0"}, "targetTags": ["quarantine/library/busybox:1.33.0"], "mode": "NoForce"}')
check "importImage from docker.io -> 202, empty body, Location and Retry-After" \
	sh -c 'test "$1" = 202 && test ! -s "$2" && test -n "$(hdr "$3" location)" && test -n "$(hdr "$3" retry-after)"' \
	_ "$c" "$T/ib" "$T/ih"
check "Location: .../locations/centralus/operationResults/operationStatuses/registries-<id>" \
	sh -c 'hdr "$1" location | grep -q "/providers/Microsoft.ContainerRegistry/locations/centralus/operationResults/operationStatuses/registries-[0-9a-f-]*?api-version=2023-07-01$"' _ "$T/ih"
c=$(wait_loc)
check "Location polling ends with 200" test "$c" = 200
QD=$(acrdigest quarantine/library/busybox 1.33.0)
check "quarantine/ digest equals upstream (multi-platform index)" \
	sh -c 'test -n "$1" && test "$1" = "$2"' _ "$UPD" "$QD"
PD=$(js "$T/seed.json" 'j["docker.io/library/busybox:1.33.0"]["platforms"]["linux/arm64"]')
check "the arm64 child manifest was copied too" \
	test "$(acrdigest quarantine/library/busybox "$PD")" = "$PD"

c=$(imp -d "{\"source\": {\"resourceId\": \"$REGID\", \"sourceImage\": \"quarantine/library/busybox:1.33.0\"}, \"targetTags\": [\"live/library/busybox:1.33.0\"], \"mode\": \"NoForce\"}")
LD=$(acrdigest live/library/busybox 1.33.0)
check "within the registry: 200 at once, no Location, digest kept" \
	sh -c 'test "$1" = 200 && test -z "$(hdr "$2" location)" && test "$3" = "$4"' _ "$c" "$T/ih" "$LD" "$QD"

for spec in "ghcr.io fluxcd/source-controller:v0.6.3" \
	"docker.io falcosecurity/falco:0.26.2"; do
	# shellcheck disable=SC2086  # split "host image" on purpose
	set -- $spec
	c=$(imp -d "{\"source\": {\"registryUri\": \"$1\", \"sourceImage\": \"$2\"}, \"targetTags\": [\"quarantine/$2\"]}")
	c2=$(wait_loc)
	r=${2%:*}
	t=${2##*:}
	a=$(updigest "$1/$r" "$t")
	b=$(acrdigest "quarantine/$r" "$t")
	check "import $1/$2 -> quarantine/ with the same digest" \
		sh -c 'test "$1" = 202 && test "$2" = 200 && test -n "$3" && test "$3" = "$4"' _ "$c" "$c2" "$a" "$b"
done

REQID=4b1e8a2c-6d3f-4e5a-9b7c-0d1e2f3a4b5c
c=$(imp -H "x-ms-client-request-id: $REQID" -d '{"source": {"registryUri": "docker.io", "sourceImage": "library/busybox:1.33.0"}, "targetTags": ["quarantine/library/busybox:1.33.0"], "mode": "NoForce"}')
check "the operation is named after x-ms-client-request-id" \
	sh -c 'hdr "$1" location | grep -q "registries-$2?"' _ "$T/ih" "$REQID"
c2=$(wait_loc)
check "NoForce onto an existing tag: 202, then the operation fails 'Tag … already exists in target registry.'" \
	sh -c 'test "$1" = 202 && test "$2" = 409 && jt "$3" "j[\"error\"][\"message\"] == \"Operation registries-$4 failed. Resource $5 quarantine/library/busybox:1.33.0 Tag quarantine/library/busybox:1.33.0 already exists in target registry.\""' \
	_ "$c" "$c2" "$T/lb" "$REQID" "$REGID"

python3 tests/sim/images.py push --dir "$RD" --registry acr \
	--repo live/library/busybox --tag 1.33.0 --content drifted >/dev/null
ctl POST config '{"import_async_header": true}' >/dev/null
ctl POST faults '{"action": "lro_delay", "delay_s": 1.5}' >/dev/null
c=$(imp -d "{\"source\": {\"resourceId\": \"$REGID\", \"sourceImage\": \"quarantine/library/busybox:1.33.0\"}, \"targetTags\": [\"live/library/busybox:1.33.0\"], \"mode\": \"Force\"}")
AS=$(hdr "$T/ih" azure-asyncoperation)
C -o "$T/as.json" -H "$AUTH" "$AS"
c1=$(C -o /dev/null -w '%{http_code}' -H "$AUTH" "$(hdr "$T/ih" location)")
check "running operation: Azure-AsyncOperation says InProgress, Location answers 202" \
	sh -c 'test "$1" = 202 && jt "$2" "j[\"status\"] == \"InProgress\" and j[\"name\"].startswith(\"registries-\") and j[\"startTime\"]" && test "$3" = 202' \
	_ "$c" "$T/as.json" "$c1"
c2=$(wait_loc)
C -o "$T/as.json" -H "$AUTH" "$AS"
check "finished operation: Succeeded with endTime; Force replaced the other image" \
	sh -c 'test "$1" = 200 && jt "$2" "j[\"status\"] == \"Succeeded\" and j[\"endTime\"]" && test "$3" = "$4"' \
	_ "$c2" "$T/as.json" "$(acrdigest live/library/busybox 1.33.0)" "$QD"
ctl POST config '{"import_async_header": false}' >/dev/null

c=$(imp -d '{"source": {"registryUri": "docker.io", "sourceImage": "library/nosuch:1.0"}, "targetTags": ["quarantine/library/nosuch:1.0"]}')
c2=$(wait_loc)
check "missing source image: 202, then the operation fails with the registry's MANIFEST_UNKNOWN" \
	sh -c 'test "$1" = 202 && test "$2" -ge 400 && grep -q "Invalid message NotFound Not Found" "$3" && grep -q MANIFEST_UNKNOWN "$3"' \
	_ "$c" "$c2" "$T/lb"
check "missing source image: nothing was created" \
	test -z "$(acrdigest quarantine/library/nosuch 1.0)"
ctl POST faults '{"path_prefix": "/subscriptions", "method": "POST", "action": "drop_response"}' >/dev/null
imp -d '{"source": {"registryUri": "docker.io", "sourceImage": "weaveworks/kured:1.6.1"}, "targetTags": ["quarantine/weaveworks/kured:1.6.1"]}' >/dev/null 2>&1
sleep 0.5
ctl GET imports >"$T/ops.json"
check "a lost answer (drop_response): the import still ran exactly once" jt "$T/ops.json" \
	'[o["executions"] for o in j if "kured" in o["source"]] == [1]'
check "every operation executed at most once" jt "$T/ops.json" \
	'all(o["executions"] <= 1 for o in j)'

python3 tests/sim/images.py push --dir "$RD" --registry upstream \
	--repo docker.io/library/alpine --tag 3.20 \
	--platforms linux/amd64,linux/arm64 --attest >"$T/att.json"
check "an attested index: two platforms and two unknown/unknown attestation-manifest entries" \
	python3 - "$(updigest docker.io/library/alpine 3.20)" "$T/att.json" "$UP" "$CA" "$AUTHURL" <<'EOF'
import json, ssl, sys, urllib.parse, urllib.request
dig, att, up, ca, auth = sys.argv[1:]
a = json.load(open(att))
assert dig == a["digest"], (dig, a["digest"])
ctx = ssl.create_default_context(cafile=ca)
tok = json.load(urllib.request.urlopen(auth + "/token?" + urllib.parse.urlencode({"service": "registry.docker.io", "scope": "repository:docker.io/library/alpine:pull"}), context=ctx))["token"]
req = urllib.request.Request(up + "/v2/docker.io/library/alpine/manifests/3.20", headers={"Authorization": "Bearer " + tok, "Accept": "application/vnd.oci.image.index.v1+json"})
idx = json.load(urllib.request.urlopen(req, context=ctx))
att_entries = [m for m in idx["manifests"] if m.get("annotations", {}).get("vnd.docker.reference.type") == "attestation-manifest"]
assert len(idx["manifests"]) == 4 and len(att_entries) == 2, idx
for m in att_entries:
    assert m["platform"] == {"architecture": "unknown", "os": "unknown"}, m
    assert m["annotations"]["vnd.docker.reference.digest"] in a["platforms"].values(), m
EOF
c=$(imp -d '{"source": {"registryUri": "docker.io", "sourceImage": "library/alpine:3.20"}, "targetTags": ["quarantine/library/alpine:3.20"]}')
c2=$(wait_loc)
AA=$(js "$T/att.json" 'j["attestations"]["linux/arm64"]')
check "importing an attested index keeps its digest and copies the attestation manifests" \
	sh -c 'test "$1" = 200 && test "$2" = "$3" && test "$4" = "$5"' _ "$c2" \
	"$(acrdigest quarantine/library/alpine 3.20)" "$(js "$T/att.json" 'j["digest"]')" \
	"$(acrdigest quarantine/library/alpine "$AA")" "$AA"

# ------------------------------------------------------------ ACR auth
c=$(C -D "$T/h" -o /dev/null -w '%{http_code}' "$ACR/v2/_catalog")
WA=$(hdr "$T/h" www-authenticate)
check "acr registry: 401 with Bearer realm, service and scope" \
	test "$c $WA" = "401 Bearer realm=\"$U/oauth2/token\",service=\"$SVC\",scope=\"registry:catalog:*\""
C -o "$T/ex.json" -w '%{http_code}' -d grant_type=access_token -d "service=$SVC" \
	-d "tenant=$TEN" -d "access_token=$TOK" "$U/oauth2/exchange" >"$T/code"
RT=$(js "$T/ex.json" 'j["refresh_token"]' 2>/dev/null)
check "/oauth2/exchange gives a refresh_token" \
	sh -c 'test "$(cat "$1")" = 200 && test -n "$2"' _ "$T/code" "$RT"
C -o "$T/at.json" -d grant_type=refresh_token -d "service=$SVC" \
	-d 'scope=registry:catalog:*' -d 'scope=repository:live/library/busybox:pull' \
	-d "refresh_token=$RT" "$U/oauth2/token"
AT=$(js "$T/at.json" 'j["access_token"]' 2>/dev/null)
check "/oauth2/token: access token with x5c and two access entries" python3 -c '
import base64, json, sys
h, c = [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in sys.argv[1].split(".")[:2]]
assert h["alg"] == "RS256" and h["x5c"], h
assert c["aud"] == sys.argv[2] and c["iss"] == "Azure Container Registry" and c["jti"], c
assert {a["name"] for a in c["access"]} == {"catalog", "live/library/busybox"}, c' "$AT" "$SVC"
c=$(C -o "$T/cat.json" -w '%{http_code}' -H "Authorization: Bearer $AT" "$ACR/v2/_catalog")
check "docker-registry accepts the token: GET /v2/_catalog" \
	sh -c 'test "$1" = 200 && grep -q live/library/busybox "$2"' _ "$c" "$T/cat.json"
C -o "$T/at2.json" -u "00000000-0000-0000-0000-000000000000:$RT" \
	"$U/oauth2/token?service=$SVC&scope=repository:quarantine/library/busybox:pull"
AT2=$(js "$T/at2.json" 'j["access_token"]' 2>/dev/null)
check "GET /oauth2/token with Basic (null GUID + refresh token)" \
	test "$(digest "$ACR" quarantine/library/busybox 1.33.0 "$AT2")" = "$QD"
c=$(C -o "$T/b" -w '%{http_code}' -d grant_type=refresh_token -d "service=$SVC" \
	-d scope=registry:catalog:* -d refresh_token=garbage "$U/oauth2/token")
check "invalid refresh token -> 401 {errors: [UNAUTHORIZED]}" \
	sh -c 'test "$1" = 401 && jt "$2" "j[\"errors\"][0][\"code\"] == \"UNAUTHORIZED\""' _ "$c" "$T/b"
c=$(C -o /dev/null -w '%{http_code}' -d grant_type=access_token -d "service=$SVC" \
	-d "access_token=$(js "$T/exp.json" 'j["access_token"]')" "$U/oauth2/exchange")
check "expired Entra token at /oauth2/exchange -> 401" test "$c" = 401

# ------------------------------------------------------------ Resource Graph
ARG="$U/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01"
# argq OUT JSON-REQUEST: POST a QueryRequest; headers in OUT.h, status out
argq() {
	C -D "$1.h" -o "$1" -w '%{http_code}' -X POST -H "$AUTH" \
		-H 'Content-Type: application/json' -d "$2" "$ARG"
}
# quota: let the caller's Resource Graph quota refill
quota() { sleep 5; }
FIXED=sha256:$(printf '%064d' 7)
ctl POST findings "{\"repository\": \"quarantine/library/busybox\", \"digest\": \"$QD\", \"tags\": [\"1.33.0\"], \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Critical\", \"id\": \"CVE-2021-28831\", \"package\": \"busybox\", \"version\": \"1.33.0\", \"fixedVersion\": \"1.33.1\"}, {\"severity\": \"High\", \"id\": \"CVE-2022-42969\", \"package\": \"py\", \"fixStatus\": \"FixAvailable\"}], \"generate\": {\"count\": 1200, \"severity\": \"Low\"}}" >/dev/null
ctl POST findings "{\"repository\": \"quarantine/falcosecurity/falco\", \"digest\": \"$FIXED\", \"generation\": \"qualys\", \"findings\": [{\"severity\": \"High\", \"qid\": 178100, \"id\": \"CVE-2020-8285\", \"fixedVersion\": \"7.74.0\"}]}" >/dev/null
Q='{"subscriptions": ["'$SUB'"], "query": "securityresources | where type =~ \"microsoft.security/assessments/subassessments\"", "options": {"$top": 1000}}'
c=$(argq "$T/p1.json" "$Q")
check "page 1: 1000 rows, \$skipToken, resultTruncated \"false\" (a string)" \
	sh -c 'test "$1" = 200 && jt "$2" "j[\"count\"] == 1000 and j[\"totalRecords\"] == 1203 and j[\"resultTruncated\"] == \"false\" and j[\"\$skipToken\"]"' _ "$c" "$T/p1.json"
check "quota headers: remaining and resets-after as hh:mm:ss" \
	sh -c 'test "$(hdr "$1" x-ms-user-quota-remaining)" = 14 &&
	hdr "$1" x-ms-user-quota-resets-after | grep -q "^00:00:0[0-5]$"' _ "$T/p1.json.h"
SKIP=$(js "$T/p1.json" 'j["$skipToken"]')
Q2=$(python3 -c 'import json,sys; q = json.loads(sys.argv[1]); q["options"]["$skipToken"] = sys.argv[2]; print(json.dumps(q))' "$Q" "$SKIP")
c=$(argq "$T/p2.json" "$Q2")
check "page 2: the remaining 203 rows, no \$skipToken" \
	sh -c 'test "$1" = 200 && jt "$2" "j[\"count\"] == 203 and \"\$skipToken\" not in j"' _ "$c" "$T/p2.json"
check "MDVM rows in the MicrosoftDocs example's shape" python3 - "$T/p1.json" "$T/p2.json" "$QD" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["data"] + json.load(open(sys.argv[2]))["data"]
m = [r for r in rows if r["properties"]["id"] == "CVE-2021-28831"][0]
p = m["properties"]
a = p["additionalData"]
assert m["type"] == "microsoft.security/assessments/subassessments" and m["location"] == "global"
assert "/providers/Microsoft.Security/assessments/c0b7cfc6-3172-465a-b378-53c7ff2cc0d5/subassessments/" in m["id"]
assert p["resourceDetails"] == {"id": "/repositories/quarantine/library/busybox/images/" + sys.argv[3], "source": "Azure"}, p["resourceDetails"]
assert a["assessedResourceType"] == "AzureContainerRegistryVulnerability"
assert a["artifactDetails"]["digest"] == sys.argv[3] and a["artifactDetails"]["registryHost"] == "acrakstest.azurecr.io"
assert a["softwareDetails"]["evidence"] == [] and a["softwareDetails"]["fixStatus"] == "FixAvailable"
assert a["vulnerabilityDetails"]["cvss"]["3.0"]["base"] == a["cvssV30Score"]
e = [r for r in rows if r["properties"]["id"] == "CVE-2022-42969"][0]["properties"]["additionalData"]["softwareDetails"]
assert e["fixStatus"] == "FixAvailable" and e["fixedVersion"] == "", e
EOF
check "Qualys rows in the 2019-01-01-preview example's shape" python3 - "$T/p1.json" "$T/p2.json" "$FIXED" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["data"] + json.load(open(sys.argv[2]))["data"]
q = [r for r in rows if r["properties"]["additionalData"]["assessedResourceType"] == "ContainerRegistryVulnerability"][0]
p = q["properties"]
assert "/assessments/dbd0cb49-b563-45e7-9724-889e799fa648/subAssessments/" in q["id"]
assert p["resourceDetails"]["id"].endswith("/repository/quarantine/falcosecurity/falco/imageDigest/%s/providers/Microsoft.Security/assessments/dbd0cb49-b563-45e7-9724-889e799fa648/subAssessments/%s" % (sys.argv[3], q["name"])), p["resourceDetails"]
assert p["status"]["code"] == "Unhealthy" and "cause" in p["status"] and p["status"]["description"]
a = p["additionalData"]
assert a["imageDigest"] == sys.argv[3] and a["patchable"] is True and a["cvss"]["3.0"]["base"]
EOF
quota
QP="securityresources | where type =~ 'microsoft.security/assessments/subassessments' and properties.additionalData.assessedResourceType == 'AzureContainerRegistryVulnerability' | where properties.additionalData.artifactDetails.digest in ('$QD') and properties['status']['severity'] != 'Low' | extend sev = tostring(properties.additionalData.vulnerabilityDetails.severity) | project id, sev, cve = properties.id | order by sev asc"
c=$(argq "$T/q.json" "$(python3 -c 'import json,sys; print(json.dumps({"subscriptions": [sys.argv[2]], "query": sys.argv[1]}))' "$QP" "$SUB")")
check "the query is evaluated: where/in/!=/bracket access/extend/project/order by" \
	sh -c 'test "$1" = 200 && jt "$2" "[r[\"sev\"] for r in j[\"data\"]] == [\"Critical\", \"High\"] and all(sorted(r) == [\"cve\", \"id\", \"sev\"] for r in j[\"data\"])"' _ "$c" "$T/q.json"
c=$(argq "$T/q.json" '{"query": "securityresources | project name | take 5", "options": {"$top": 3}}')
check "take: resultTruncated \"true\", no \$skipToken, \$top still caps the page" \
	sh -c 'test "$1" = 200 && jt "$2" "j[\"resultTruncated\"] == \"true\" and \"\$skipToken\" not in j and j[\"count\"] == 3 and j[\"totalRecords\"] == 5"' _ "$c" "$T/q.json"
c=$(argq "$T/q.json" '{"query": "securityresources | project properties", "options": {"$top": 10}}')
check "only dynamic columns: no paging (resultTruncated \"true\", no \$skipToken)" \
	sh -c 'test "$1" = 200 && jt "$2" "j[\"resultTruncated\"] == \"true\" and \"\$skipToken\" not in j"' _ "$c" "$T/q.json"
c=$(argq "$T/q.json" '{"query": "securityresources | where type =~ \"x\" and", "options": {}}')
check "text it does not understand: 400 BadRequest, InvalidQuery and ParserFailure details" \
	sh -c 'test "$1" = 400 && jt "$2" "j[\"error\"][\"code\"] == \"BadRequest\" and j[\"error\"][\"message\"].startswith(\"Please provide below info when asking for support\") and [d[\"code\"] for d in j[\"error\"][\"details\"]] == [\"InvalidQuery\", \"ParserFailure\"] and j[\"error\"][\"details\"][1][\"line\"] == 1 and j[\"error\"][\"details\"][1][\"token\"] == \"<EOF>\""' _ "$c" "$T/q.json"
c=$(argq "$T/q.json" '{"query": "securityresources | where nosuchcolumn == 1"}')
check "a name that does not resolve: 400 BadRequest, InvalidQuery" \
	sh -c 'test "$1" = 400 && jt "$2" "j[\"error\"][\"details\"][0][\"code\"] == \"InvalidQuery\" and \"nosuchcolumn\" in j[\"error\"][\"details\"][1][\"message\"]"' _ "$c" "$T/q.json"
c=$(argq "$T/q.json" '{"query": "resources | where type =~ \"Microsoft.ContainerRegistry/registries\" | project name, location, sku", "options": {"resultFormat": "table"}}')
check "resources table, table format: columns with types, rows" \
	sh -c 'test "$1" = 200 && jt "$2" "j[\"data\"][\"columns\"] == [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": \"location\", \"type\": \"string\"}, {\"name\": \"sku\", \"type\": \"object\"}] and j[\"data\"][\"rows\"][0][:2] == [\"acrakstest\", \"centralus\"]"' _ "$c" "$T/q.json"
quota
D1=sha256:$(printf '%064d' 1)
D2=sha256:$(printf '%064d' 2)
ctl POST scans "[{\"repository\": \"quarantine/a\", \"digest\": \"$D1\", \"state\": \"unverified\", \"reason\": \"UnsupportedOS\"}, {\"repository\": \"quarantine/b\", \"digest\": \"$D2\", \"state\": \"pending\", \"delay_s\": 2, \"findings\": [{\"severity\": \"High\", \"id\": \"CVE-2024-0001\"}]}]" >/dev/null
QS2="{\"query\": \"securityresources | where properties.resourceDetails.id has '/images/' | where tostring(properties.additionalData.artifactDetails.digest) in ('$D1', '$D2') | project d = tostring(properties.additionalData.artifactDetails.digest), code = tostring(properties.status.code), cause = tostring(properties.status.cause)\"}"
argq "$T/q.json" "$QS2" >/dev/null
check "an unscannable image: one NotApplicable row with its cause; a pending one: no rows yet" \
	jt "$T/q.json" "j['data'] == [{'d': '$D1', 'code': 'NotApplicable', 'cause': 'UnsupportedOS'}]"
sleep 2.2
argq "$T/q.json" "$QS2" >/dev/null
check "the pending image's findings appear once its scan is done" \
	jt "$T/q.json" "sorted(r['code'] for r in j['data'] if r['d'] == '$D2') == ['Unhealthy']"
quota
QS='{"query": "securityresources | limit 1", "options": {"$top": 1}}'
n=0
c=200
while [ "$c" = 200 ] && [ $n -lt 20 ]; do
	c=$(argq "$T/p.json" "$QS")
	n=$((n + 1))
done
check "429 RateLimiting with Retry-After once 15 queries in 5 s are used" \
	sh -c 'test "$1" = 429 && test "$2" -eq 16 && test -n "$(hdr "$3" retry-after)" &&
	test "$(hdr "$3" x-ms-user-quota-remaining)" = 0 && grep -q RateLimiting "$4"' _ "$c" "$n" "$T/p.json.h" "$T/p.json"

# ------------------------------------------------------------ request log
ctl GET requests >"$T/log.json"
check "request log has no secrets" \
	sh -c '! grep -q -e "$1" -e "$2" "$3"' _ "$CSEC" "$RT" "$T/log.json"
check "request log records Resource Graph calls with the caller" jt "$T/log.json" \
	'any(e["path"].endswith("ResourceGraph/resources") and e["who"] for e in j)'

if python3 tests/sim/azuresim.py down --dir "$AD" >/dev/null 2>&1 &&
	python3 tests/sim/registry.py down --dir "$RD" >/dev/null 2>&1 &&
	! curl -s --cacert "$CA" -o /dev/null "$U/healthz" &&
	! curl -s --cacert "$CA" -o /dev/null "$ACR/v2/" &&
	! curl -s --cacert "$CA" -o /dev/null "$(cat "$RD/acr_backend_url")/v2/"; then
	ok "down stops azuresim, the proxy and both registries"
else nok "down stops everything"; fi

[ $failed -eq 0 ]
