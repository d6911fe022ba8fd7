#!/bin/sh
# test_images_cli.sh - `jumpdeck images`, `import` and `promote` against the
# local registries and the Azure simulator: the registry read from the
# deployment's outputs (or given), missing outputs, imports verified by
# digest, skipping what is there, bounded concurrency, promotion, drift and
# live-only alerts, failed and slow importImage operations, ARM throttling,
# tags that hold another image (refused unless forced, at the client and at
# ARM), read-only mode, a refused client secret; audit records throughout.
# TAP-like lines; about 90 s (six imports run one at a time take 15 s).
# shellcheck disable=SC1091,SC2317,SC2016  # sh -c scripts in single quotes
# shellcheck disable=SC2086  # $JDENV and $LW_LIMIT are split into words
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl
. tests/integration/lib_azure.sh

# The pipeline, not the scan gate, is tested here (test_scans_gate.sh has
# the gate): images nobody has scanned may be promoted.
mkdir -p "$HOME/.config/jumpdeck"
printf 'scan_gate_block_pending = false\nscan_gate_block_unknown = false\n' \
	>"$HOME/.config/jumpdeck/config"

AUDIT=$LW_TMP/audit.log
JUMPDECK_AUDIT_LOG=$AUDIT
export JUMPDECK_AUDIT_LOG
J=$LW_TMP/stdout # the last run's standard output (JSON)
E=$LW_TMP/stderr # and its standard error
RC=0

KUS=ghcr.io/fluxcd/kustomize-controller:v0.6.3
SRC=ghcr.io/fluxcd/source-controller:v0.6.3
FALCO=docker.io/falcosecurity/falco:0.26.2
BUSYBOX=docker.io/library/busybox:1.33.0
KURED=docker.io/weaveworks/kured:1.6.1
ENVOY=docker.io/envoyproxy/envoy-alpine:v1.15.0
SIX="$KUS $SRC $FALCO $BUSYBOX $KURED $ENVOY"

# ---------------------------------------------------------------- helpers

# jd ARGS...: jumpdeck, bounded; stdout in $J, stderr in $E, both in LW_OUT
# (shown on failure), the exit status in RC. JDENV: NAME=value words added
# to its environment; JDLIMIT: another bound ("timeout 60").
JDENV=""
JDLIMIT=""
jd() {
	${JDLIMIT:-$LW_LIMIT} env $JDENV "$JD" "$@" >"$J" 2>"$E"
	RC=$?
	{
		cat "$J"
		echo "(stderr:)"
		cat "$E"
		echo "(exit $RC)"
	} >"$LW_OUT"
}

# path_of REF: "library/busybox" for docker.io/library/busybox:1.33.0.
path_of() { r=${1#*/}; echo "${r%:*}"; }
tag_of() { echo "${1##*:}"; }
# short DIGEST: "sha256:" and 12 hex digits, as jumpdeck prints it.
short() { echo "$1" | cut -c1-19; }

rc_is() { test "$RC" -eq "$1"; }
out_has() { grep -qF -- "$1" "$J" "$E"; }
out_lacks() { ! grep -qF -- "$1" "$J" "$E"; }

# js EXPR: a Python expression over the JSON in $J (as j) is true.
js() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$J" "$1" 2>>"$LW_OUT"
}

# row_state REF STATE: the table row of REF shows that state.
row_state() { grep -Eq "^$1 +$2 " "$J"; }
# rows_in STATE: how many table rows are in that state.
rows_in() { grep -Ec "^[a-z0-9.-]+/[^ ]+ +$1 " "$J"; }

# audit_n ACTION OUTCOME TARGET [DETAIL-PART]: how many such records.
audit_n() {
	[ -f "$AUDIT" ] || { echo 0; return; }
	python3 - "$AUDIT" "$@" <<'EOF'
import json, sys
path, action, outcome, target = sys.argv[1:5]
part = sys.argv[5] if len(sys.argv) > 5 else None
n = 0
for line in open(path, encoding="utf-8", errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if (r.get("action"), r.get("outcome"), r.get("target")) != \
            (action, outcome, target):
        continue
    if part and part not in (r.get("detail") or ""):
        continue
    n += 1
print(n)
EOF
}
audit_has() { test "$(audit_n "$@")" -ge 1; }

# imports_with PREFIX: the simulator's importImage operations whose target
# starts with PREFIX, as "start end" epoch seconds, one a line.
imports_with() {
	az_sim GET /imports | python3 -c '
import json, sys, datetime
def t(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
for op in json.load(sys.stdin):
    tags = op.get("targetTags") or []
    if tags and tags[0].startswith(sys.argv[1]) and op.get("endTime"):
        print(t(op["startTime"]), t(op["endTime"]))' "$1"
}

# max_overlap: the most operations running at once, of "start end" lines.
max_overlap() {
	python3 -c '
import sys
ev = []
for line in sys.stdin:
    s, e = map(float, line.split())
    ev += [(s, 1), (e, -1)]
n = best = 0
for _, d in sorted(ev, key=lambda x: (x[0], x[1])):
    n += d
    best = max(best, n)
print(best)'
}

if ! az_up; then
	cp "$AZ_LOG" "$LW_OUT"
	not_ok "registries, upstream images and the Azure simulator start"
	lw_finish
fi
ok "registries, upstream images and the Azure simulator start"

# ================================================================ fresh
az_sim DELETE /requests >/dev/null
jd --registry acrakstest images
check "fresh registry: images exits 1 (nothing promoted)" rc_is 1
check "fresh registry: six rows 'not imported'" test "$(rows_in 'not imported')" -eq 6
check "fresh registry: the registry line names acrakstest" \
	grep -q '^registry acrakstest$' "$J"
check "fresh registry: the pipeline stages ●→○→○→○ on every row" \
	test "$(grep -c '●→○→○→○' "$J")" -eq 6
check "--registry acrakstest: no deployments GET in the request log" \
	test "$(az_requests GET /providers/Microsoft.Resources/deployments)" -eq 0

az_sim DELETE /requests >/dev/null
jd images --json
check "images --json exits 1" rc_is 1
check "images --json: valid JSON, six images, summary notImported 6" \
	js 'len(j["images"]) == 6 and j["summary"]["notImported"] == 6 and j["summary"]["total"] == 6'
check "images --json: registry and quarantineRegistry acrakstest (from the outputs)" \
	js 'j["registry"] == "acrakstest" and j["quarantineRegistry"] == "acrakstest"'
check "images --json: every upstream digest is what images.py pushed" \
	js "all(i['upstream']['digest'] == json.load(open('$AZ_SEED'))[i['image']]['digest'] for i in j['images'])"
check "images --json: nothing in quarantine/: no scan verdict, no alerts" \
	js 'all(i["scan"]["verdict"] is None and i["scan"]["gate"] is None and i["scan"]["why"] == "nothing in quarantine/ to scan" and not i["alert"] for i in j["images"])'
check "images --json: the registry came from the outputs (a deployments GET)" \
	test "$(az_requests GET "$AZ_DEPLOYMENTS/cluster-stamp" 200)" -ge 1

jd --deployment nosuch images
check "--deployment nosuch: exits 1" rc_is 1
check "--deployment nosuch: a sentence naming the deployment" \
	out_has "deployment nosuch not found in resource group rg-bu0001a0005"
check "--deployment nosuch: no table" out_lacks "not imported"

# ================================================================ import
jd promote busybox
check "promote before import: exits 1" rc_is 1
check "promote before import: 'not in quarantine: import it first'" \
	out_has "quarantine/library/busybox:1.33.0 is not in quarantine: import it first"
check "audit: the promotion before import is refused" \
	audit_has image.promote refused live/library/busybox:1.33.0 "import it first"

az_sim DELETE /requests >/dev/null
jd import --all
check "import --all: exits 0" rc_is 0
check "import --all: six 'imported to quarantine/…' lines" \
	test "$(grep -c '^✓ imported to quarantine/' "$J")" -eq 6
check "import --all: each line ends with the time the copy took" \
	test "$(grep -Ec '^✓ imported to quarantine/.* in [0-9]+ s$' "$J")" \
	-eq 6
for ref in $SIX; do
	d=$(az_seed_digest "$ref")
	check "import --all: quarantine/$(path_of "$ref") with the upstream digest $(short "$d")" \
		grep -qF "imported to quarantine/$(path_of "$ref"):$(tag_of "$ref") ($(short "$d")" "$J"
done
check "import --all: busybox (a manifest list) says multi-platform" \
	grep -qF "quarantine/library/busybox:1.33.0 ($(short "$(az_seed_digest "$BUSYBOX")"), multi-platform)" "$J"
check "import --all: only busybox is multi-platform" \
	test "$(grep -c 'multi-platform' "$J")" -eq 1
check "import --all: six importImage POSTs" \
	test "$(az_requests POST /importImage)" -eq 6
jd images --json
check "after import: every quarantine digest equals upstream's (full digest)" \
	js 'all(i["quarantine"]["present"] and i["quarantine"]["digest"] == i["upstream"]["digest"] for i in j["images"])'
check "after import: images --json exits 1 (nothing promoted)" rc_is 1
check "after import: summary quarantined 6" js 'j["summary"]["quarantined"] == 6'
check "after import: every scan pending (imported just now), passing by the config" \
	js 'all(i["scan"]["verdict"] == "pending" and i["scan"]["gate"] == "passes" and i["scan"]["why"] == "passes: pending is not blocking under the policy" for i in j["images"])'
for ref in $SIX; do
	t=quarantine/$(path_of "$ref"):$(tag_of "$ref")
	check "audit: image.import requested and succeeded for $t" \
		sh -c 'test "$1" -eq 1 && test "$2" -eq 1' _ \
		"$(audit_n image.import requested "$t")" \
		"$(audit_n image.import succeeded "$t" "imported to $t")"
done
check "audit: the records name the service principal" \
	grep -q "\"identity\":\"azure app $AZURE_CLIENT_ID\"" "$AUDIT"
jd audit verify
check "audit verify passes" rc_is 0
check "audit verify: hash chain intact" out_has "hash chain intact"

az_sim DELETE /requests >/dev/null
jd import --all
check "second import --all: exits 0" rc_is 0
check "second import --all: every image 'already in quarantine'" \
	test "$(grep -c 'is already in quarantine (sha256:' "$J")" -eq 6
check "second import --all: no importImage POST" \
	test "$(az_requests POST /importImage)" -eq 0
check "second import --all: no new requested record" \
	test "$(audit_n image.import requested quarantine/library/busybox:1.33.0)" -eq 1

# ================================================================ concurrency
# Fresh prefixes, so that every image is imported again; each operation
# takes 2 s in the simulator, and jumpdeck may ask for its status every
# 250 ms (Retry-After: 0) so that polling adds little to the measurement.
az_config '{"import_delay_s": 2, "lro_retry_after": 0}'
az_sim DELETE /requests >/dev/null
t0=$(date +%s)
JDENV=JUMPDECK_QUARANTINE_PREFIX=par/
jd import --all
JDENV=""
t4=$(($(date +%s) - t0))
check "concurrency 4: six imports succeed" \
	sh -c 'test "$1" -eq 0 && test "$(grep -c "^✓ imported to par/" "$2")" -eq 6' _ "$RC" "$J"
n=$(imports_with par/ | max_overlap)
check "concurrency 4: at most 4 operations at once, and 4 did run at once ($n)" \
	test "$n" -eq 4
# every operation was still running when first asked: slow ones succeed
check "slow operations: polled while running (202), then succeeded" \
	test "$(az_requests GET /operationStatuses/ 202)" -ge 6
t0=$(date +%s)
JDENV="JUMPDECK_IMPORT_CONCURRENCY=1 JUMPDECK_QUARANTINE_PREFIX=seq/"
JDLIMIT="timeout 60"
jd import --all
JDENV="" JDLIMIT=""
t1=$(($(date +%s) - t0))
check "JUMPDECK_IMPORT_CONCURRENCY=1: six imports succeed" \
	sh -c 'test "$1" -eq 0 && test "$(grep -c "^✓ imported to seq/" "$2")" -eq 6' _ "$RC" "$J"
check "each import held 2 s by the simulator says it took 2 s or more" \
	test "$(grep -Ec '^✓ imported to seq/.* in ([2-9]|[1-9][0-9]+) s$' \
	"$J")" -eq 6
if [ "$t1" -ge 12 ]; then
	ok "JUMPDECK_IMPORT_CONCURRENCY=1: one at a time, at least 6 x 2 s (${t1} s)"
else
	not_ok "JUMPDECK_IMPORT_CONCURRENCY=1: one at a time, at least 6 x 2 s (${t1} s)"
fi
# Wall time alone depends on the machine's load; both runs share it.
if [ "$t4" -lt "$t1" ]; then
	ok "concurrency 4 is faster than one at a time (${t4} s < ${t1} s)"
else
	not_ok "concurrency 4 is faster than one at a time (${t4} s < ${t1} s)"
fi
n=$(imports_with seq/ | max_overlap)
check "JUMPDECK_IMPORT_CONCURRENCY=1: never two operations at once ($n)" \
	test "$n" -eq 1
az_config '{"import_delay_s": 0, "lro_retry_after": 1}'

# ================================================================ promote
az_sim DELETE /requests >/dev/null
jd promote --all
check "promote --all: exits 0" rc_is 0
check "promote --all: ACR answered each within the registry at once, and jumpdeck asked no status" \
	sh -c 'test "$1" -eq 6 && test "$2" -eq 0' _ \
	"$(az_requests POST /importImage 200)" "$(az_requests GET /operation)"
check "promote --all: six 'promoted to live/…' lines" \
	test "$(grep -c '^✓ promoted to live/' "$J")" -eq 6
check "promote --all: the scan gate asked Resource Graph first" \
	test "$(az_requests POST /providers/Microsoft.ResourceGraph/resources 200)" -ge 1
jd images --json
check "after promote: images exits 0" rc_is 0
check "after promote: every live digest equals the quarantine digest" \
	js 'all(i["live"]["present"] and i["live"]["digest"] == i["quarantine"]["digest"] for i in j["images"])'
check "after promote: every state promoted, summary promoted 6" \
	js 'all(i["state"] == "promoted" for i in j["images"]) and j["summary"]["promoted"] == 6'
for ref in $SIX; do
	t=live/$(path_of "$ref"):$(tag_of "$ref")
	check "audit: image.promote requested and succeeded for $t" \
		sh -c 'test "$1" -eq 1 && test "$2" -eq 1' _ \
		"$(audit_n image.promote requested "$t")" \
		"$(audit_n image.promote succeeded "$t")"
done

# ================================================================ drift
KURED_UP=$(az_seed_digest "$KURED")
ROGUE=$(az_push live/weaveworks/kured 1.6.1 x)
jd images
check "drift: images exits 1" rc_is 1
check "drift: the kured row says drifted" row_state "$KURED" drifted
check "drift: the row shows both digests (quarantine and live)" \
	grep -Eq "^$KURED +drifted .*$(short "$KURED_UP").*$(short "$ROGUE")" "$J"
check "drift: the others are still promoted" test "$(rows_in promoted)" -eq 5
check "drift: the SCAN column says pending on every row, the stage passed" \
	test "$(grep -Ec '^[a-z0-9.-]+/[^ ]+ +[a-z ]+ +●→●→●→[●○] +pending ' "$J")" -eq 6
az_sim DELETE /requests >/dev/null
jd promote kured
check "promote kured on a drifted tag: exits 1" rc_is 1
check "promote kured: refused, 'exists with another digest … force it'" \
	grep -Eq 'live/weaveworks/kured:1\.6\.1 exists with another digest.*force it' "$E"
check "promote kured: no importImage POST" \
	test "$(az_requests POST /importImage)" -eq 0
check "audit: image.promote refused for live/weaveworks/kured:1.6.1" \
	audit_has image.promote refused live/weaveworks/kured:1.6.1 "another digest"
jd promote --force kured
check "promote --force kured: exits 0" rc_is 0
check "promote --force kured: promoted to live/weaveworks/kured:1.6.1" \
	out_has "promoted to live/weaveworks/kured:1.6.1 ($(short "$KURED_UP"))"
check "promote --force kured: live/ holds the quarantine digest again" \
	test "$(az_digest acr live/weaveworks/kured 1.6.1)" = "$KURED_UP"
check "audit: the forced promotion is requested 'forced' and succeeded" \
	sh -c 'test "$1" -ge 1 && test "$2" -ge 2' _ \
	"$(audit_n image.promote requested live/weaveworks/kured:1.6.1 forced)" \
	"$(audit_n image.promote succeeded live/weaveworks/kured:1.6.1)"

# ================================================================ live only
printf '%s\n' '# one image, pushed to live/ only' \
	'image = docker.io/library/alpine:3.19' >"$LW_TMP/alpine.conf"
ALP=$(az_push live/library/alpine 3.19 skipped)
jd --config "$LW_TMP/alpine.conf" images
check "live only: images exits 1" rc_is 1
check "live only: the alpine row says 'live only' with its live digest" \
	grep -Eq "^docker.io/library/alpine:3.19 +live only .*$(short "$ALP")" "$J"
check "live only: the message says it skipped the quarantine" \
	out_has "live/library/alpine:3.19 has no quarantine copy"

# ================================================================ LRO faults
az_reset
az_fault "{\"method\": \"POST\", \"path_prefix\": \"$AZ_IMPORT\", \"action\": \"lro_fail\", \"status\": 400, \"code\": \"InvalidParameter\", \"message\": \"Image blocked by registry policy 4711.\", \"times\": 1}"
JDENV=JUMPDECK_QUARANTINE_PREFIX=lro/
jd import busybox
check "failed operation: exits 1" rc_is 1
check "failed operation: the ARM error code and message" \
	grep -qF "lro/library/busybox:1.33.0: InvalidParameter: Image blocked by registry policy 4711." "$E"
check "audit: image.import failed with the ARM message" \
	audit_has image.import failed lro/library/busybox:1.33.0 "registry policy 4711"
check "failed operation: one POST, not retried" \
	test "$(az_requests POST /importImage)" -eq 1
JDENV=""

az_reset
az_fault "{\"method\": \"GET\", \"path_prefix\": \"$AZ_DEPLOYMENTS\", \"status\": 429, \"retry_after\": 1, \"times\": 1}"
jd images --json
check "429 with Retry-After on the deployments GET: still works (exit 0)" \
	rc_is 0
check "429 on the deployments GET: registry acrakstest" \
	js 'j["registry"] == "acrakstest" and j["summary"]["promoted"] == 6'
check "429 on the deployments GET: answered 429, then 200" \
	sh -c 'test "$1" -eq 1 && test "$2" -ge 1' _ \
	"$(az_requests GET "$AZ_DEPLOYMENTS" 429)" \
	"$(az_requests GET "$AZ_DEPLOYMENTS" 200)"

az_reset
az_fault "{\"method\": \"POST\", \"path_prefix\": \"$AZ_IMPORT\", \"status\": 429, \"retry_after\": 1, \"times\": 1}"
JDENV=JUMPDECK_QUARANTINE_PREFIX=thr/
jd import busybox
JDENV=""
check "429 on the importImage POST: exits 1" rc_is 1
check "429 on the importImage POST: reported (SubscriptionRequestsThrottled)" \
	grep -qF "thr/library/busybox:1.33.0: SubscriptionRequestsThrottled" "$E"
check "429 on the importImage POST: not retried (one POST)" \
	test "$(az_requests POST /importImage)" -eq 1
check "429 on the importImage POST: nothing was imported" \
	test -z "$(az_digest acr thr/library/busybox 1.33.0)"
check "audit: image.import failed (throttled)" \
	audit_has image.import failed thr/library/busybox:1.33.0 Throttled

# ================================================================ NoForce
FALCO_UP=$(az_seed_digest "$FALCO")
OTHER=$(az_push quarantine/falcosecurity/falco 0.26.2 other)
az_reset
jd import falco
check "quarantine holds another digest: import falco exits 1" rc_is 1
check "import falco: refused, names both digests, 'force it'" \
	grep -Eq "quarantine/falcosecurity/falco:0\.26\.2 holds $(short "$OTHER"), upstream has $(short "$FALCO_UP"): force it" "$E"
check "import falco: no importImage POST" \
	test "$(az_requests POST /importImage)" -eq 0
check "audit: image.import refused for quarantine/falcosecurity/falco:0.26.2" \
	audit_has image.import refused quarantine/falcosecurity/falco:0.26.2 "force it"
jd import --force falco
check "import --force falco: exits 0" rc_is 0
check "import --force falco: replaced and verified with the upstream digest" \
	out_has "imported to quarantine/falcosecurity/falco:0.26.2 ($(short "$FALCO_UP"))"
check "import --force falco: quarantine holds the upstream digest" \
	test "$(az_digest acr quarantine/falcosecurity/falco 0.26.2)" = "$FALCO_UP"
n=$(az_sim GET /imports | python3 -c '
import json, sys
print(sum(1 for o in json.load(sys.stdin) if o.get("mode") == "Force" and
          "quarantine/falcosecurity/falco:0.26.2" in (o.get("targetTags") or [])))')
check "import --force falco: one importImage with mode Force ($n)" test "$n" -eq 1

# The tag appears between jumpdeck's check and the operation's start: ACR
# accepts the import (202) and the operation fails ("Tag … already exists
# in target registry"). The simulator holds the operation (lro_hold) until
# the other image is pushed, so the order is certain.
az_reset
az_fault "{\"method\": \"POST\", \"path_prefix\": \"$AZ_IMPORT\", \"action\": \"lro_hold\", \"times\": 1}"
lw_bg "$LW_TMP/race.out" $LW_LIMIT env JUMPDECK_QUARANTINE_PREFIX=race/ \
	"$JD" import kured
race_pid=$LW_BG_PID
i=0
while [ "$(az_sim GET /imports | python3 -c '
import json, sys
print(sum(1 for o in json.load(sys.stdin) if o.get("held")))')" -lt 1 ] &&
	[ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
RACE=$(az_push race/weaveworks/kured 1.6.1 race)
az_sim POST /imports/release '{}' >/dev/null
wait "$race_pid"
RC=$?
LW_PIDS=$(echo "$LW_PIDS" | sed "s/ $race_pid\$//; s/ $race_pid / /")
cp "$LW_TMP/race.out" "$LW_OUT"
check "tag taken meanwhile (NoForce, failed operation): exits 1" rc_is 1
check "tag taken meanwhile: one sentence naming the tag, 'not forced'" \
	grep -qF "race/weaveworks/kured:1.6.1: race/weaveworks/kured:1.6.1 already exists in the target registry, and the import was not forced" "$LW_TMP/race.out"
check "tag taken meanwhile: the tag keeps the image pushed meanwhile" \
	test "$(az_digest acr race/weaveworks/kured 1.6.1)" = "$RACE"
check "tag taken meanwhile: one importImage POST, not sent again" \
	test "$(az_requests POST /importImage)" -eq 1
check "audit: image.import failed for race/weaveworks/kured:1.6.1" \
	audit_has image.import failed race/weaveworks/kured:1.6.1 "already exists"

# ================================================================ no source
# An image the upstream registry does not have: ACR accepts the import
# and the operation fails with the registry's MANIFEST_UNKNOWN.
printf '%s\n' 'image = docker.io/library/busybox:9.9.9' >"$LW_TMP/nosrc.conf"
az_reset
jd --config "$LW_TMP/nosrc.conf" import busybox
check "source image missing upstream: import exits 1" rc_is 1
check "source image missing upstream: a sentence naming it and MANIFEST_UNKNOWN" \
	grep -qF "docker.io/library/busybox:9.9.9 was not found in its registry (MANIFEST_UNKNOWN)" "$E"
check "audit: image.import failed, MANIFEST_UNKNOWN" \
	audit_has image.import failed quarantine/library/busybox:9.9.9 MANIFEST_UNKNOWN
jd --config "$LW_TMP/nosrc.conf" images --json
check "source image missing upstream: still not imported, nothing in quarantine" \
	js 'j["images"][0]["state"] == "not imported" and not j["images"][0]["quarantine"]["present"]'

# ================================================================ registries
# The registries behind their proxies answer 429 and 503 as registries do.
az_reset
az_reg_reset
KURED_PATH=/v2/docker.io/weaveworks/kured/manifests/1.6.1
az_reg_fault upstream "{\"path_prefix\": \"$KURED_PATH\", \"status\": 429, \"retry_after\": \"1\", \"times\": 1}"
jd images --json
check "upstream 429 with Retry-After once: images still exits 0" rc_is 0
check "upstream 429 once: kured's upstream digest is read after waiting" \
	js "[i['upstream']['digest'] for i in j['images'] if i['image'] == '$KURED'] == ['$(az_seed_digest "$KURED")']"
check "upstream 429 once: the registry saw the 429, then the request again" \
	sh -c 'test "$1" -eq 1 && test "$2" -ge 1' _ \
	"$(az_reg_requests upstream HEAD "$KURED_PATH" 429)" \
	"$(az_reg_requests upstream HEAD "$KURED_PATH" 200)"
az_reg_reset
az_reg_fault upstream "{\"path_prefix\": \"$KURED_PATH\", \"status\": 503, \"times\": 100}"
jd images --json
check "upstream 503 for kured: its upstream says why (HTTP 503), the others are read" \
	js "[i for i in j['images'] if i['image'] == '$KURED'][0]['upstream'].get('error', '').find('503') >= 0 and sum(1 for i in j['images'] if i['upstream'].get('digest')) == 5"
check "upstream 503 for kured: what is known stays (promoted: quarantine and live agree)" \
	js "[i['state'] for i in j['images'] if i['image'] == '$KURED'] == ['promoted']"
n=$(az_reg_requests upstream HEAD "$KURED_PATH")
check "upstream 503: a bounded number of tries ($n)" test "$n" -le 6
az_reg_reset

# An OCI index with BuildKit attestations (unknown/unknown entries): it is
# imported and promoted with its digest, like any multi-platform image.
printf '%s\n' 'image = docker.io/library/alpine:3.20' \
	'scan_gate_block_pending = false' 'scan_gate_block_unknown = false' \
	>"$LW_TMP/attest.conf"
ATT=$(az_push_upstream docker.io/library/alpine 3.20 \
	--platforms linux/amd64,linux/arm64 --attest | python3 -c '
import json, sys
print(json.load(sys.stdin)["digest"])')
jd --config "$LW_TMP/attest.conf" import alpine
check "attested index: import exits 0, multi-platform, upstream digest" \
	sh -c 'test "$1" -eq 0 && grep -qF "imported to quarantine/library/alpine:3.20 ($2, multi-platform)" "$3"' \
	_ "$RC" "$(short "$ATT")" "$J"
jd --config "$LW_TMP/attest.conf" promote alpine
check "attested index: promote exits 0" rc_is 0
jd --config "$LW_TMP/attest.conf" images --json
check "attested index: upstream, quarantine and live hold one digest" \
	js "j['images'][0]['state'] == 'promoted' and j['images'][0]['upstream']['digest'] == j['images'][0]['quarantine']['digest'] == j['images'][0]['live']['digest'] == '$ATT'"

# ================================================================ read-only
az_reset
before=$(audit_n image.import refused quarantine/library/busybox:1.33.0 read-only)
jd --read-only import --all
check "--read-only import --all: exits 1" rc_is 1
check "--read-only import --all: says read-only" \
	test "$(grep -c 'read-only' "$E")" -ge 6
check "--read-only import --all: no importImage POST" \
	test "$(az_requests POST /importImage)" -eq 0
check "audit: the read-only import is refused (busybox)" \
	test "$(audit_n image.import refused quarantine/library/busybox:1.33.0 read-only)" -eq $((before + 1))
check "audit: six read-only refusals in all" \
	test "$(grep -c '"outcome":"refused","detail":"read-only mode' "$AUDIT")" -eq 6

# ================================================================ sign-in
BAD=not-the-secret-4711
AZURE_CLIENT_SECRET=$BAD jd images
check "refused client secret: exits 1" rc_is 1
check "refused client secret: a clear sentence (sign-in failed, secret refused)" \
	grep -Eq '^jumpdeck: Azure sign-in failed: .*client secret of app .* was refused' "$E"
check "refused client secret: no table" out_lacks "IMAGE"
check "refused client secret: the secret is not printed" out_lacks "$BAD"
check "refused client secret: the secret is not in the audit log" \
	sh -c '! grep -qF "$1" "$2"' _ "$BAD" "$AUDIT"
az_sim DELETE /requests >/dev/null
AZURE_CLIENT_SECRET=$BAD jd --registry acrakstest images
check "refused client secret with --registry: exits 1" rc_is 1
check "refused client secret with --registry: the sentence on stderr too" \
	grep -Eq '^jumpdeck: .*client secret of app .* was refused' "$E"
n=$(az_requests POST /oauth2/v2.0/token 401)
check "refused client secret with --registry: Entra asked once, not per image ($n requests)" \
	test "$n" -le 1

# ================================================================ outputs
# (last: the default world is not restored)
az_sim POST /deployments '[{"name": "cluster-stamp", "outputs": {"aksClusterName": "aks-x"}}, {"name": "pre-cluster-stamp", "outputs": {"keyVaultName": "kv-x"}}]' >/dev/null
jd images
check "outputs missing: exits 1" rc_is 1
check "outputs missing: a sentence naming deployment cluster-stamp and the outputs" \
	out_has "deployment cluster-stamp has no output quarantineContainerRegistryName or containerRegistryName"
check "outputs missing: no table" out_lacks "IMAGE"
(
	unset JUMPDECK_DEPLOYMENT
	jd images
	echo "$RC" >"$LW_TMP/rc"
)
RC=$(cat "$LW_TMP/rc")
check "outputs missing, no deployment named: exits 1" rc_is 1
check "outputs missing, no deployment named: both deployments named" \
	sh -c 'grep -qF "deployment cluster-stamp has no output" "$1" &&
		grep -qF "deployment pre-cluster-stamp has no output" "$1"' _ "$E"
jd audit verify
check "audit verify passes at the end" rc_is 0

lw_finish
