#!/bin/sh
# test_scans_gate.sh - the promotion gate in `jumpdeck promote` against the
# registries and the Azure simulator's Resource Graph: a blocked image is
# refused before anything is copied and the findings that block it are
# named (and audited); an image that passes is promoted; the allow-list
# lets a finding through until its expiry date; pending blocks by default
# and not when the config says so; an override needs the image named and
# a reason, and is audited with both; read-only refuses everything.
# TAP-like lines; about a minute.
# shellcheck disable=SC1091,SC2317,SC2016
# shellcheck disable=SC2086  # $LW_LIMIT is split into words
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl
. tests/integration/lib_azure.sh

AUDIT=$LW_TMP/audit.log
JUMPDECK_AUDIT_LOG=$AUDIT
export JUMPDECK_AUDIT_LOG
J=$LW_TMP/stdout
E=$LW_TMP/stderr
CFG=$LW_TMP/config
RC=0
: >"$CFG"

BUSYBOX=docker.io/library/busybox:1.33.0
KURED=docker.io/weaveworks/kured:1.6.1
FALCO=docker.io/falcosecurity/falco:0.26.2

jd() {
	timeout 120 "$JD" --config "$CFG" "$@" >"$J" 2>"$E"
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
# audit_n ACTION OUTCOME TARGET [DETAIL-PART]: how many such records.
audit_n() {
	[ -f "$AUDIT" ] || { echo 0; return; }
	python3 - "$AUDIT" "$@" <<'EOF'
import json, sys
path, action, outcome, target = sys.argv[1:5]
part = sys.argv[5] if len(sys.argv) > 5 else None
n = 0
for line in open(path, encoding="utf-8", errors="replace"):
    r = json.loads(line)
    if (r.get("action"), r.get("outcome"), r.get("target")) != \
            (action, outcome, target):
        continue
    if part and part not in (r.get("detail") or ""):
        continue
    n += 1
print(n)
EOF
}
live_is() { test "$(az_digest acr "live/$1" "$2")" = "$3"; }
live_empty() { test -z "$(az_digest acr "live/$1" "$2")"; }

if ! az_up; then
	cp "$AZ_LOG" "$LW_OUT"
	not_ok "registries, upstream images and the Azure simulator start"
	lw_finish
fi
KUBECONFIG=$LW_TMP/no-kubeconfig
export KUBECONFIG
ok "registries and the Azure simulator start"

BB=$(az_seed_digest $BUSYBOX)
BB_AMD64=$(az_seed_digest $BUSYBOX linux/amd64)
KU=$(az_seed_digest $KURED)
FA=$(az_seed_digest $FALCO)

jd import busybox kured falco
check "three images imported to quarantine/" rc_is 0
az_sim POST /findings "{\"repository\": \"quarantine/library/busybox\", \"digest\": \"$BB_AMD64\", \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Critical\", \"id\": \"CVE-2021-3711\", \"package\": \"openssl\", \"version\": \"1.1.1k-r0\", \"fixedVersion\": \"1.1.1l-r0\"}, {\"severity\": \"High\", \"id\": \"CVE-2021-3712\", \"package\": \"openssl\", \"version\": \"1.1.1k-r0\"}]}" >/dev/null
az_sim POST /findings "{\"repository\": \"quarantine/weaveworks/kured\", \"digest\": \"$KU\", \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Medium\", \"id\": \"CVE-2020-1\", \"package\": \"zlib\", \"version\": \"1.2\", \"fixedVersion\": \"1.3\"}]}" >/dev/null

# ================================================================ blocked
az_sim DELETE /requests >/dev/null
jd promote busybox kured
check "promote busybox kured: exits 1 (busybox is blocked)" rc_is 1
check "busybox: refused, naming the finding that blocks it" \
	out_has "✗ live/library/busybox:1.33.0: scan gate: blocked by: CVE-2021-3711 (critical, openssl 1.1.1k-r0 -> 1.1.1l-r0) (to promote anyway: --override-gate --reason TEXT)"
check "busybox: a high finding without a fix does not block" \
	sh -c '! grep -q "CVE-2021-3712" "$1"' _ "$E"
check "busybox: nothing copied to live/" live_empty library/busybox 1.33.0
check "kured (a medium finding with a fix): promoted" \
	live_is weaveworks/kured 1.6.1 "$KU"
check "one importImage POST (kured's)" \
	test "$(az_requests POST /importImage)" -eq 1
check "audit: busybox's promotion refused with the findings" \
	test "$(audit_n image.promote refused live/library/busybox:1.33.0 'blocked by: CVE-2021-3711')" -eq 1
check "audit: no promotion of busybox requested" \
	test "$(audit_n image.promote requested live/library/busybox:1.33.0)" -eq 0

# ================================================================ pending
jd promote falco
check "falco (imported seconds ago, no result): refused as pending" \
	sh -c 'test "$1" -eq 1 && grep -q "scan gate: blocked by: no scan verdict (pending: no results yet; imported [0-9ms]* ago)" "$2"' _ "$RC" "$E"
printf 'scan_gate_block_pending = false\n' >"$CFG"
jd promote falco
check "falco with scan_gate_block_pending = false: promoted" \
	sh -c 'test "$1" -eq 0' _ "$RC"
check "falco: live/ holds the quarantine digest" \
	live_is falcosecurity/falco 0.26.2 "$FA"

# ================================================================ allow-list
printf 'scan_gate_allow = CVE-2021-3711 2026-01-31 SM2 is not used here\n' >"$CFG"
jd promote busybox
check "an expired allow-list entry: still blocked, and says so" \
	sh -c 'test "$1" -eq 1 && grep -qF "CVE-2021-3711 (critical, openssl 1.1.1k-r0 -> 1.1.1l-r0; allow-list entry expired 2026-01-31)" "$2"' _ "$RC" "$E"
printf 'scan_gate_allow = CVE-2021-3711 2099-12-31 SM2 is not used here\n' >"$CFG"
jd scans --json busybox
check "scans --json: the allowed finding marked, the gate passes" \
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))["images"][0]
f = [f for f in j["findings"] if f["id"] == "CVE-2021-3711"][0]
sys.exit(0 if f["gate"] == "allowed" and f["allowList"] == {"until": "2099-12-31", "reason": "SM2 is not used here"} and not j["gate"]["blocked"] and j["gate"]["allowed"] == 1 else 1)' "$J"
check "scans --json: live/ holds no busybox yet" \
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))["images"][0]
sys.exit(0 if j["live"] == {"reference": "live/library/busybox:1.33.0", "digest": None, "vetted": False} else 1)' "$J"
printf 'scan_gate_allow = CVE-2021-3711 someday because\n' >"$CFG"
jd promote busybox
check "a bad allow-list line: exit 2, naming the config's line" \
	sh -c 'test "$1" -eq 2 && grep -q "config:1: scan_gate_allow: allow-list entry CVE-2021-3711: \"someday\" is not an expiry date" "$2"' _ "$RC" "$E"
check "a bad allow-list line: nothing copied" live_empty library/busybox 1.33.0
: >"$CFG"

# ================================================================ override
jd promote busybox --override-gate
check "--override-gate without --reason: exit 2" \
	sh -c 'test "$1" -eq 2 && grep -q "needs --reason TEXT" "$2"' _ "$RC" "$E"
jd promote --all --override-gate --reason "everything"
check "--override-gate --all: exit 2 (the images must be named)" rc_is 2
check "no override without a name and a reason: nothing copied" \
	live_empty library/busybox 1.33.0
jd --read-only promote busybox --override-gate --reason "fix is scheduled"
check "read-only: the override is refused too" \
	sh -c 'test "$1" -eq 1 && grep -q "read-only" "$2"' _ "$RC" "$E"
check "read-only: audited as refused, nothing copied" \
	sh -c 'test "$1" -ge 1' _ \
	"$(audit_n image.promote refused live/library/busybox:1.33.0 read-only)" &&
	live_empty library/busybox 1.33.0
jd promote busybox --override-gate --reason "fix is scheduled for Friday"
check "override with a reason: promoted" \
	sh -c 'test "$1" -eq 0' _ "$RC"
check "override: live/ holds the quarantine digest" \
	live_is library/busybox 1.33.0 "$BB"
check "override: said on stderr with the findings" \
	out_has "live/library/busybox:1.33.0: scan gate overridden, reason: fix is scheduled for Friday; blocked by: CVE-2021-3711"
check "audit: the request carries the reason and what it overrode" \
	test "$(audit_n image.promote requested live/library/busybox:1.33.0 'scan gate overridden, reason: fix is scheduled for Friday; blocked by: CVE-2021-3711 (critical')" -eq 1
check "audit: and it succeeded" \
	test "$(audit_n image.promote succeeded live/library/busybox:1.33.0)" -eq 1
check "audit: the chain verifies" sh -c '"$1" audit verify >/dev/null' _ "$JD"

# ================================================================ live/
# A tag in live/ that moved to other bytes: where the digest runs says
# live/ holds something that was never scanned.
ROGUE=$(az_push live/weaveworks/kured 1.6.1 x)
jd scans --json
check "scans --json: live/ of falco is the vetted digest" \
	python3 -c '
import json, sys
img = {i["repository"]: i for i in json.load(open(sys.argv[1]))["images"]}
l = img["quarantine/falcosecurity/falco"]["live"]
sys.exit(0 if l["digest"] == sys.argv[2] and l["vetted"] else 1)' "$J" "$FA"
check "scans --json: live/ of kured holds another digest, not vetted" \
	python3 -c '
import json, sys
img = {i["repository"]: i for i in json.load(open(sys.argv[1]))["images"]}
l = img["quarantine/weaveworks/kured"]["live"]
sys.exit(0 if l["digest"] == sys.argv[2] and not l["vetted"] else 1)' "$J" "$ROGUE"
jd scans kured
check "scans kured: the live line names the other digest" \
	out_has "  live        live/weaveworks/kured:1.6.1 $ROGUE (not the digest in quarantine/)"

lw_finish
