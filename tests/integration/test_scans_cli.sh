#!/bin/sh
# test_scans_cli.sh - `jumpdeck scans` against the registries, the Azure
# simulator's Resource Graph (Defender rows of both generations, seeded
# per digest through its control API) and a simulated cluster whose pods
# are created and given container statuses with the real kubectl: the
# verdicts (healthy, unhealthy, unverified, pending, unknown), digests
# through a multi-platform index, Trivy and Grype reports beside
# Defender and where they disagree, the gate's "blocked by", where each
# digest runs (a vetted pod, a drifted one, a pull straight from
# upstream), and bad input: a truncated report, a report for another
# digest, a malformed Resource Graph page, 429s, the quota. TAP-like
# lines; about a minute.
# shellcheck disable=SC1091,SC2317,SC2016
# shellcheck disable=SC2086  # $LW_LIMIT is split into words
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl kubectl
. tests/integration/lib_azure.sh

AUDIT=$LW_TMP/audit.log
JUMPDECK_AUDIT_LOG=$AUDIT
export JUMPDECK_AUDIT_LOG
J=$LW_TMP/stdout
E=$LW_TMP/stderr
RC=0
REPORTS=$LW_TMP/reports
WORLD=$LW_TMP/world
mkdir -p "$REPORTS"

SRC=ghcr.io/fluxcd/source-controller:v0.6.3
FALCO=docker.io/falcosecurity/falco:0.26.2
BUSYBOX=docker.io/library/busybox:1.33.0
KURED=docker.io/weaveworks/kured:1.6.1
ENVOY=docker.io/envoyproxy/envoy-alpine:v1.15.0

jd() {
	${JDLIMIT:-$LW_LIMIT} "$JD" "$@" >"$J" 2>"$E"
	RC=$?
	{
		cat "$J"
		echo "(stderr:)"
		cat "$E"
		echo "(exit $RC)"
	} >"$LW_OUT"
}
rc_is() { test "$RC" -eq "$1"; }
out_has() { grep -qF -- "$1" "$J" "$E"; }
err_has() { grep -qF -- "$1" "$E"; }
js() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
img = {i["image"]: i for i in j["images"]}
sys.exit(0 if eval(sys.argv[2]) else 1)' "$J" "$1" 2>>"$LW_OUT"
}
# findings JSON: seed Defender rows (quietly).
findings() { az_sim POST /findings "$1" >/dev/null; }

if ! az_up; then
	cp "$AZ_LOG" "$LW_OUT"
	not_ok "registries, upstream images and the Azure simulator start"
	lw_finish
fi
if ! lw_world_up "$WORLD" --scenario nodes; then
	not_ok "the simulated cluster starts"
	lw_finish
fi
KUBECONFIG=$WORLD/kubeconfig
export KUBECONFIG
ok "registries, the Azure simulator and the cluster start"

BB_INDEX=$(az_seed_digest $BUSYBOX)
BB_AMD64=$(az_seed_digest $BUSYBOX linux/amd64)
BB_ARM64=$(az_seed_digest $BUSYBOX linux/arm64)
KURED_D=$(az_seed_digest $KURED)
SRC_D=$(az_seed_digest $SRC)
ENVOY_D=$(az_seed_digest $ENVOY)

# ================================================================ world
JDLIMIT="timeout 120" jd import busybox kured source-controller envoy-alpine falco
check "five images imported to quarantine/" rc_is 0

# Defender: busybox has findings on its amd64 manifest (MDVM), kured a
# Healthy Qualys row, source-controller a low finding, envoy cannot be
# scanned; falco was imported just now and has no row yet.
findings "{\"repository\": \"quarantine/library/busybox\", \"digest\": \"$BB_AMD64\", \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Critical\", \"id\": \"CVE-2021-3711\", \"package\": \"openssl\", \"version\": \"1.1.1k-r0\", \"fixedVersion\": \"1.1.1l-r0\"}, {\"severity\": \"Medium\", \"id\": \"CVE-2021-23840\", \"package\": \"openssl\", \"version\": \"1.1.1k-r0\"}]}"
findings "{\"repository\": \"quarantine/weaveworks/kured\", \"digest\": \"$KURED_D\", \"generation\": \"qualys\", \"findings\": [{\"severity\": \"Low\", \"id\": \"CVE-2020-8177\", \"qid\": \"178411\", \"status\": \"Healthy\"}]}"
findings "{\"repository\": \"quarantine/fluxcd/source-controller\", \"digest\": \"$SRC_D\", \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Low\", \"id\": \"CVE-2020-28928\", \"package\": \"musl\", \"version\": \"1.2.2-r0\"}]}"
findings "{\"repository\": \"quarantine/envoyproxy/envoy-alpine\", \"digest\": \"$ENVOY_D\", \"generation\": \"qualys\", \"findings\": [{\"severity\": \"Low\", \"id\": \"0\", \"status\": \"NotApplicable\"}]}"
# Rows of another registry's image and another assessment are filtered.
findings "{\"repository\": \"quarantine/other/thing\", \"digest\": \"sha256:$(printf '1%.0s' $(seq 64))\", \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Critical\", \"id\": \"CVE-1999-0001\"}]}"

# Reports: Trivy rates source-controller's musl high, with a fix; Grype
# scanned busybox's arm64 manifest; one report is cut short and one is
# for a busybox digest that is not in quarantine/.
cat >"$REPORTS/source-controller.json" <<EOF
{"SchemaVersion": 2, "CreatedAt": "2026-12-01T09:30:00Z",
 "ArtifactName": "acrakstest.azurecr.io/quarantine/fluxcd/source-controller:v0.6.3",
 "ArtifactType": "container_image",
 "Metadata": {"OS": {"Family": "alpine", "Name": "3.12.3"},
  "RepoDigests": ["acrakstest.azurecr.io/quarantine/fluxcd/source-controller@$SRC_D"]},
 "Results": [{"Target": "source-controller (alpine 3.12.3)", "Class": "os-pkgs", "Type": "alpine",
  "Vulnerabilities": [{"VulnerabilityID": "CVE-2020-28928", "PkgName": "musl",
   "InstalledVersion": "1.2.2-r0", "FixedVersion": "1.2.2-r1", "Status": "fixed",
   "Severity": "HIGH", "Title": "musl: wcsnrtombs overflow"}]}]}
EOF
cat >"$REPORTS/busybox-arm64.json" <<EOF
{"matches": [{"vulnerability": {"id": "CVE-2021-28831", "severity": "Critical",
   "cvss": [{"version": "3.1", "metrics": {"baseScore": 7.5}}],
   "fix": {"versions": [], "state": "not-fixed"}},
  "artifact": {"name": "busybox", "version": "1.33.0-r6", "type": "apk"}}],
 "source": {"type": "image", "target": {"userInput": "acrakstest.azurecr.io/quarantine/library/busybox:1.33.0",
  "manifestDigest": "$BB_ARM64", "repoDigests": ["acrakstest.azurecr.io/quarantine/library/busybox@$BB_INDEX"]}},
 "distro": {"name": "alpine", "version": "3.13.5"},
 "descriptor": {"name": "grype", "version": "0.74.0", "timestamp": "2026-12-01T10:15:00Z"}}
EOF
head -c 200 "$REPORTS/source-controller.json" >"$REPORTS/cut.json"
sed "s/$BB_ARM64/sha256:$(printf 'a%.0s' $(seq 64))/; s/@$BB_INDEX/@sha256:$(printf 'b%.0s' $(seq 64))/" \
	"$REPORTS/busybox-arm64.json" >"$REPORTS/old-busybox.json"

# Pods: a vetted busybox (labelled by Flux), a busybox whose live/ tag
# drifted, kured pulled straight from Docker Hub, a pod still pulling.
pod() { # NS NAME IMAGE IMAGEID [LABELS-JSON]
	kubectl create namespace "$1" >/dev/null 2>&1
	printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s","labels":%s},"spec":{"nodeName":"aks-npinscope01-26621167-vmss000000","containers":[{"name":"main","image":"%s"}]}}' \
		"$2" "$1" "${5:-{\}}" "$3" | kubectl create -f - >/dev/null &&
		kubectl patch pod "$2" -n "$1" --subresource=status --type=merge \
			-p "{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"main\",\"image\":\"$3\",\"imageID\":\"$4\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{\"startedAt\":\"2026-12-01T08:00:00Z\"}}}]}}" >/dev/null
}
LIVE=acrakstest.azurecr.io/live
pod a0005-i busybox-demo $LIVE/library/busybox:1.33.0 \
	"$LIVE/library/busybox@$BB_INDEX" \
	'{"kustomize.toolkit.fluxcd.io/name":"a0005-i","kustomize.toolkit.fluxcd.io/namespace":"flux-system"}'
pod a0005-i busybox-drift $LIVE/library/busybox:1.33.0 \
	"$LIVE/library/busybox@sha256:$(printf 'c%.0s' $(seq 64))"
pod cluster-baseline-settings kured-x1 docker.io/weaveworks/kured:1.6.1 \
	"docker-pullable://weaveworks/kured@$KURED_D"
pod a0005-o pulling $LIVE/library/busybox:1.33.0 ""
check "pods seeded through the API with kubectl" \
	test "$(kubectl get pods -A --no-headers 2>/dev/null | wc -l)" -eq 4

# ================================================================ verdicts
az_sim DELETE /requests >/dev/null
JDLIMIT="timeout 120" jd scans --json --reports "$REPORTS"
check "scans --json: exits 1 (the gate blocks an image)" rc_is 1
check "scans --json: six images, valid JSON" js 'len(j["images"]) == 6'
check "busybox: unhealthy, CVE-2021-3711 from its amd64 manifest (and Grype's critical), blocked by it" \
	js "(i := img['$BUSYBOX']) and i['verdict'] == 'unhealthy' and i['counts']['critical'] == 2 and i['gate']['blocked'] and 'CVE-2021-3711' in i['gate']['blocking'] and any(f['id'] == 'CVE-2021-3711' and f['digest'] == '$BB_AMD64' and f['source'] == 'defender' for f in i['findings'])"
check "busybox: the index digest and both platforms" \
	js "(i := img['$BUSYBOX']) and i['digest'] == '$BB_INDEX' and sorted(p['digest'] for p in i['platforms']) == sorted(['$BB_AMD64', '$BB_ARM64'])"
check "busybox: Grype's report of the arm64 manifest counts (through the index)" \
	js "any(f['id'] == 'CVE-2021-28831' and f['source'] == 'grype' for f in img['$BUSYBOX']['findings']) and [s['name'] for s in img['$BUSYBOX']['sources']] == ['defender', 'grype']"
check "busybox: findings sorted by severity, then CVSS" \
	js "[f['severity'] for f in img['$BUSYBOX']['findings']] == ['critical', 'critical', 'medium'] and img['$BUSYBOX']['findings'][0]['cvss'] >= img['$BUSYBOX']['findings'][1]['cvss']"
check "busybox: fixable 1 (openssl 1.1.1l-r0)" \
	js "img['$BUSYBOX']['fixable'] == 1 and img['$BUSYBOX']['findings'][0]['fixedVersion'] == '1.1.1l-r0'"
check "kured: healthy (a Healthy Qualys row), the gate passes" \
	js "img['$KURED']['verdict'] == 'healthy' and not img['$KURED']['gate']['blocked'] and img['$KURED']['sources'][0]['origin'] == 'Defender (Qualys)'"
check "envoy: unverified, why from Defender's NotApplicable row" \
	js "img['$ENVOY']['verdict'] == 'unverified' and 'not applicable' in img['$ENVOY']['why'] and img['$ENVOY']['gate']['blocked']"
check "falco: pending, imported seconds ago, blocked" \
	js "img['$FALCO']['verdict'] == 'pending' and img['$FALCO']['why'].startswith('no results yet; imported ') and img['$FALCO']['importedAt'] and img['$FALCO']['gate']['blocked']"
check "kustomize-controller: unknown (not in quarantine/)" \
	js "img['ghcr.io/fluxcd/kustomize-controller:v0.6.3']['verdict'] == 'unknown' and img['ghcr.io/fluxcd/kustomize-controller:v0.6.3']['why'] == 'not in quarantine/: nothing to scan'"
check "source-controller: Defender (low) and Trivy (high, fixable) disagree; both shown" \
	js "(i := img['$SRC']) and i['disagree'] and [(s['name'], s['counts']['high'], s['counts']['low']) for s in i['sources']] == [('defender', 0, 1), ('trivy', 1, 0)] and i['gate']['blocked']"
check "the other registry's row is not anyone's finding" \
	js "not any(f['id'] == 'CVE-1999-0001' for i in j['images'] for f in i['findings'])"
check "a cut-short report: one sentence, the others still read" \
	js "any(p.startswith('cut.json: not valid JSON: it ends early') for p in j['problems'])"
check "a report for another digest: one sentence naming both digests" \
	js "any(p == 'old-busybox.json scanned sha256:aaaaaaaaaaaa of acrakstest.azurecr.io/quarantine/library/busybox:1.33.0, but quarantine/ holds $(echo "$BB_INDEX" | cut -c1-19): ignored' for p in j['problems'])"
check "two Resource Graph queries (MDVM and Qualys), both filtered in the query" \
	test "$(az_requests POST /providers/Microsoft.ResourceGraph/resources 200)" -eq 2

# ================================================================ runs
check "busybox runs in 2 containers (the pulling pod runs nothing yet)" \
	js "len(img['$BUSYBOX']['runs']['pods']) == 2 and img['$BUSYBOX']['runs']['alerts'] == 1"
check "busybox-demo: the vetted index digest, owned by Kustomization flux-system/a0005-i" \
	js "(p := [p for p in img['$BUSYBOX']['runs']['pods'] if p['pod'] == 'busybox-demo'][0]) and p['vetted'] and p['alert'] is None and p['kustomization'] == {'namespace': 'flux-system', 'name': 'a0005-i', 'from': 'label'}"
check "busybox-drift: an alert naming its digest and the vetted one" \
	js "(p := [p for p in img['$BUSYBOX']['runs']['pods'] if p['pod'] == 'busybox-drift'][0]) and not p['vetted'] and p['alert'] == 'runs sha256:cccccccccccc, not the vetted $(echo "$BB_INDEX" | cut -c1-19)'"
check "kured-x1: pulled straight from docker.io: an alert" \
	js "img['$KURED']['runs']['alerts'] == 1 and img['$KURED']['runs']['pods'][0]['alert'].startswith('pulled straight from docker.io')"
check "summary: 2 alerts, 5 blocked" \
	js "j['summary']['alerts'] == 2 and j['summary']['blocked'] == 5 and j['summary']['healthy'] == 1"

# ================================================================ text
JDLIMIT="timeout 120" jd scans --reports "$REPORTS"
check "scans (table): exits 1" rc_is 1
check "scans (table): busybox unhealthy, 2 critical, from D and G, blocked" \
	grep -Eq '^library/busybox:1.33.0 +unhealthy +2 +0 +1 +0 +1 +[0-9a-z]+ DG +blocked$' "$J"
check "scans (table): kured healthy and passes" \
	grep -Eq '^weaveworks/kured:1.6.1 +healthy .* D +passes$' "$J"
check "scans (table): the blocking findings named" \
	out_has "✗ $BUSYBOX: blocked by: CVE-2021-3711 (critical, openssl 1.1.1k-r0 -> 1.1.1l-r0), CVE-2021-28831 (critical, busybox 1.33.0-r6)"
check "scans (table): the drifted pod is an alert" \
	out_has "a0005-i/busybox-drift main"
check "scans (table): bad reports on stderr, one line each" \
	sh -c 'test "$(grep -c "^jumpdeck: cut.json: not valid JSON" "$1")" -eq 1' _ "$E"
JDLIMIT="timeout 120" jd scans kured
check "scans kured: exits 0 (passes)" rc_is 0
check "scans kured: verdict and gate lines" \
	sh -c 'grep -q "^  verdict     healthy$" "$1" && grep -q "^  gate        passes$" "$1"' _ "$J"
JDLIMIT="timeout 120" jd scans busybox
check "scans busybox: exits 1, the finding table" \
	sh -c 'test "$1" -eq 1 && grep -Eq "^  CVE-2021-3711 +critical +9.8 +openssl +1.1.1k-r0 -> 1.1.1l-r0 +fix available +defender$" "$2"' _ "$RC" "$J"
jd scans nosuch
check "scans nosuch: exits 2 with a sentence" \
	sh -c 'test "$1" -eq 2 && grep -q "nosuch is not one of the configured images" "$2"' _ "$RC" "$E"

# ================================================================ bad answers
az_sim DELETE /requests >/dev/null
az_fault '{"path_prefix": "/providers/Microsoft.ResourceGraph", "status": 429, "retry_after": 1, "times": 2}'
JDLIMIT="timeout 120" jd scans --json --reports "$REPORTS"
check "two 429s: waited out, the same verdicts" \
	js "img['$BUSYBOX']['verdict'] == 'unhealthy' and img['$KURED']['verdict'] == 'healthy'"
check "two 429s: four requests, two of them 429" \
	sh -c 'test "$1" -eq 4 && test "$2" -eq 2' _ \
	"$(az_requests POST /providers/Microsoft.ResourceGraph/resources)" \
	"$(az_requests POST /providers/Microsoft.ResourceGraph/resources 429)"

az_reset
az_fault '{"path_prefix": "/providers/Microsoft.ResourceGraph", "status": 429, "retry_after": 1, "times": 40}'
JDLIMIT="timeout 120" jd scans --json --reports "$REPORTS"
check "429 every time: Defender unknown with the throttling sentence" \
	js "img['$KURED']['verdict'] == 'unknown' and img['$KURED']['why'].startswith('Defender: ') and 'kept answering 429 (throttled) after 11 tries' in img['$KURED']['why']"
check "429 every time: the reports still count (nothing else lost)" \
	js "img['$BUSYBOX']['verdict'] == 'unhealthy' and img['$SRC']['sources'][1]['name'] == 'trivy'"
check "429 every time: one sentence on stderr" \
	sh -c 'test "$(grep -c "^jumpdeck: Defender: " "$1")" -eq 1' _ "$E"

az_reset
az_fault '{"path_prefix": "/providers/Microsoft.ResourceGraph", "status": 200, "code": "NotAPage", "message": "no rows here", "times": 2}'
JDLIMIT="timeout 120" jd scans --json --reports "$REPORTS"
check "a malformed Resource Graph page: Defender unknown, one sentence" \
	js "img['$KURED']['verdict'] == 'unknown' and img['$KURED']['why'] == 'Defender: the Resource Graph answer has no data rows'"
check "a malformed Resource Graph page: the reports still count" \
	js "any(f['source'] == 'grype' for f in img['$BUSYBOX']['findings']) and img['$SRC']['sources'][1]['verdict'] == 'unhealthy'"

az_reset
az_fault '{"path_prefix": "/providers/Microsoft.ResourceGraph", "action": "truncate", "times": 8}'
JDLIMIT="timeout 120" jd scans --json
check "answers cut short in transit: unknown, never pending or healthy" \
	js "img['$FALCO']['verdict'] == 'unknown' and img['$KURED']['verdict'] == 'unknown' and 'dropped' in img['$KURED']['why']"

az_reset
# The queries of the step before count against the window still; a
# quota of one would answer the first query of this step 429 before
# jumpdeck could know of it. Let that window pass first.
sleep 3
az_config '{"arg_quota": 1, "arg_window_s": 3}'
JDLIMIT="timeout 120" jd scans --json
check "quota of one query per 3 s: both queries answered" \
	js "img['$KURED']['verdict'] == 'healthy' and img['$BUSYBOX']['verdict'] == 'unhealthy'"
check "quota of one query per 3 s: no 429 (jumpdeck waited for the reset)" \
	test "$(az_requests POST /providers/Microsoft.ResourceGraph/resources 429)" -eq 0
az_config '{"arg_quota": 15, "arg_window_s": 5}'

lw_finish
