# lib_scans.sh - the findings both scans-pane scripts (test_tui_scans.sh,
# test_tui_scans_bars.sh) start from, sourced after lib.sh and
# tests/integration/lib_azure.sh, once az_up has run. POSIX sh.
# shellcheck shell=sh

# scans_seed_defender: Defender's rows in the Azure simulator's Resource
# Graph: busybox's amd64 manifest (mdvm: a critical openssl finding with
# a fix, a medium one) and kured (qualys: one low finding, Healthy).
scans_seed_defender() {
	_sc_bb=$(az_seed_digest docker.io/library/busybox:1.33.0 linux/amd64)
	_sc_ku=$(az_seed_digest docker.io/weaveworks/kured:1.6.1)
	az_sim POST /findings "{\"repository\": \"quarantine/library/busybox\", \"digest\": \"$_sc_bb\", \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Critical\", \"id\": \"CVE-2021-3711\", \"package\": \"openssl\", \"version\": \"1.1.1k-r0\", \"fixedVersion\": \"1.1.1l-r0\", \"cvss\": 9.8}, {\"severity\": \"Medium\", \"id\": \"CVE-2021-23840\", \"package\": \"openssl\", \"version\": \"1.1.1k-r0\", \"cvss\": 7.5}]}" >/dev/null
	az_sim POST /findings "{\"repository\": \"quarantine/weaveworks/kured\", \"digest\": \"$_sc_ku\", \"generation\": \"qualys\", \"findings\": [{\"severity\": \"Low\", \"id\": \"CVE-2020-8177\", \"qid\": \"178411\", \"status\": \"Healthy\"}]}" >/dev/null
}

# scans_grype_busybox_arm64 DIR: a Grype report in DIR for busybox's
# arm64 manifest (one high busybox finding, no fix).
scans_grype_busybox_arm64() {
	_sc_arm=$(az_seed_digest docker.io/library/busybox:1.33.0 linux/arm64)
	cat >"$1/busybox-arm64.json" <<EOF
{"matches": [{"vulnerability": {"id": "CVE-2021-28831", "severity": "High",
   "cvss": [{"version": "3.1", "metrics": {"baseScore": 8.1}}],
   "fix": {"versions": [], "state": "not-fixed"}},
  "artifact": {"name": "busybox", "version": "1.33.0-r6", "type": "apk"}}],
 "source": {"type": "image", "target": {"userInput": "acrakstest.azurecr.io/quarantine/library/busybox:1.33.0",
  "manifestDigest": "$_sc_arm", "repoDigests": []}},
 "distro": {"name": "alpine", "version": "3.13.5"},
 "descriptor": {"name": "grype", "version": "0.74.0", "timestamp": "2026-12-01T10:15:00Z"}}
EOF
}
