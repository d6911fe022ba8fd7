#!/bin/sh
# test_images_tokens.sh - the images check asks the registry for one token
# that covers every repository it reads (the scope field repeated, as ACR's
# /oauth2/token takes it), not one token request per repository, and every
# check still reads its copy. Against the local registries and the Azure
# simulator. TAP-like lines; about 10 s.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl
. tests/integration/lib_azure.sh

JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export JUMPDECK_AUDIT_LOG
J=$LW_TMP/stdout

if ! az_up; then
	not_ok "the registries and the Azure simulator start" "$AZ_LOG"
	lw_finish
fi
ok "the registries and the Azure simulator start"

# Two of the six in quarantine, one of them in live/ too, so checks find
# copies in both repositories of the registry.
$LW_LIMIT "$JD" import kured falco >"$LW_OUT" 2>&1
check "two images imported to quarantine/" test $? -eq 0
$LW_LIMIT "$JD" promote kured --override-gate \
	--reason "no scanner in this test" >"$LW_OUT" 2>&1
check "one promoted to live/" test $? -eq 0

az_reset
$LW_LIMIT "$JD" images --json >"$J" 2>"$LW_OUT"
rc=$?
cat "$J" >>"$LW_OUT"
# exit 1: some images are not promoted; what matters is what was read
check "images answers" test "$rc" -le 1

# js EXPR: a Python expression over the JSON in $J (as j) is true.
js() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$J" "$1" 2>>"$LW_OUT"
}

check "six images checked" js 'len(j["images"]) == 6'
check "every quarantine/ and live/ copy was read (no error)" \
	js 'all(i[w]["present"] is not None and "error" not in i[w]
	    for i in j["images"] for w in ("quarantine", "live"))'
check "the copies in quarantine/ and live/ are seen" \
	js '(sum(1 for i in j["images"] if i["quarantine"]["present"]) == 2 and
	    sum(1 for i in j["images"] if i["live"]["present"]) == 1)'

n=$(az_requests POST oauth2/token)
echo "token requests: $n" >>"$LW_OUT"
check "one token request for the twelve repositories (was $n)" \
	test "$n" -eq 1
check "one refresh-token exchange" test "$(az_requests POST oauth2/exchange)" -eq 1

lw_finish
