#!/bin/sh
# test_cli.sh - the one-shot subcommands end to end against the simulated
# cluster: --help, exit codes, `nodes` as a table and as JSON, kubeconfig
# and context errors, cordon/uncordon, read-only refusal, the audit log's
# hash chain, an unreachable API server, and the key list in the README.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
e2e_require python3

ID=26621167
NODES="aks-npinscope01-$ID-vmss000000 aks-npinscope01-$ID-vmss000001
aks-npooscope01-$ID-vmss000000 aks-npooscope01-$ID-vmss000001
aks-npsystem-$ID-vmss000000 aks-npsystem-$ID-vmss000001
aks-npsystem-$ID-vmss000002"
FLAKY=aks-npooscope01-$ID-vmss000000
TARGET=aks-npinscope01-$ID-vmss000001
OUT=$E2E_TMP/out       # stdout and stderr
STDOUT=$E2E_TMP/stdout # stdout only
LIMIT=""
command -v timeout >/dev/null 2>&1 && LIMIT="timeout 30"

# jd ARGS...: runs jumpdeck (no terminal), sets rc.
jd() {
	$LIMIT "$JD" "$@" </dev/null >"$STDOUT" 2>"$E2E_TMP/stderr"
	rc=$?
	cat "$STDOUT" "$E2E_TMP/stderr" >"$OUT"
}
has() { grep -qF -- "$1" "$OUT"; }
rc_is() { test "$rc" -eq "$1"; }
# row_of NODE: the table row of NODE in the last output
row_of() { grep "^$1 " "$STDOUT"; }
# row_is NODE STATUS: NODE's row has that STATUS
row_is() { grep -Eq "^$1 +$2 " "$STDOUT"; }

# ---------------------------------------------------------------- offline
jd --help
check "--help exits 0" rc_is 0
check "--help lists the nodes command" grep -q '^  nodes' "$OUT"
check "--help lists the cordon command" grep -q '^  cordon' "$OUT"
check "--help lists --read-only" has "--read-only"
jd frobnicate
check "an unknown command exits 2" rc_is 2
check "an unknown command is named" has '"frobnicate"'

world_up
KUBECONFIG=$D/kubeconfig
JUMPDECK_AUDIT_LOG=$AUDIT
export KUBECONFIG JUMPDECK_AUDIT_LOG

# ---------------------------------------------------------------- nodes
jd nodes
check "nodes exits 0 when all nodes are Ready" rc_is 0
check "nodes prints a table with NAME and STATUS" \
	grep -Eq '^NAME +STATUS' "$STDOUT"
all=0
for n in $NODES; do
	row_of "$n" | grep -Eq "^$n +Ready " || all=1
done
check "nodes lists the seven nodes, each Ready" test $all -eq 0
check "nodes: the summary says 7/7 Ready" has "7/7 Ready"

jd nodes --json
check "nodes --json exits 0" rc_is 0
check "nodes --json: valid JSON, summary.total 7, a status per node" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"]["total"] == 7, d["summary"]
assert d["summary"]["ready"] == 7, d["summary"]
assert len(d["nodes"]) == 7
assert all(n["status"] == "Ready" for n in d["nodes"]), d["nodes"]
' "$STDOUT"

world set-ready "$FLAKY" false
jd nodes
check "one node NotReady: nodes exits 1" rc_is 1
check "one node NotReady: its row says NotReady" \
	row_is "$FLAKY" NotReady
jd nodes --json
check "one node NotReady: --json has its status NotReady, 6 ready" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
st = {n["name"]: n["status"] for n in d["nodes"]}
assert st[sys.argv[2]] == "NotReady", st
assert d["summary"]["ready"] == 6, d["summary"]
' "$STDOUT" "$FLAKY"
world set-ready "$FLAKY" true

# ---------------------------------------------------------------- config
jd --kubeconfig /nonexistent/kubeconfig nodes
check "--kubeconfig of a missing file exits 2" rc_is 2
check "... and the message names the file" has "/nonexistent/kubeconfig"
jd --context nope nodes
check "--context nope exits 2" rc_is 2
check "... and the message names the context" has '"nope"'

# ---------------------------------------------------------------- cordon
jd cordon "$TARGET"
check "cordon exits 0" rc_is 0
jd nodes
check "after cordon the row says SchedulingDisabled" \
	row_is "$TARGET" Ready,SchedulingDisabled
check "audit log: node.cordon requested" \
	audit_has node.cordon requested "node/$TARGET"
check "audit log: node.cordon succeeded" \
	audit_has node.cordon succeeded "node/$TARGET"
jd uncordon "$TARGET"
check "uncordon exits 0" rc_is 0
jd nodes
check "after uncordon the row says Ready" \
	row_is "$TARGET" Ready
check "audit log: node.uncordon succeeded" \
	audit_has node.uncordon succeeded "node/$TARGET"
jd --read-only cordon "$TARGET"
check "--read-only cordon exits 1" rc_is 1
check "--read-only cordon says read-only" has "read-only"
check "audit log: the read-only cordon is refused" \
	audit_has node.cordon refused "node/$TARGET" read-only
jd nodes
check "--read-only cordon changed nothing" \
	row_is "$TARGET" Ready

# ---------------------------------------------------------------- audit
jd audit verify
check "audit verify exits 0" rc_is 0
check "audit verify says the hash chain is intact" has "intact"
TAMPERED=$E2E_TMP/tampered.log
sed '2s/"outcome":"[a-z]*"/"outcome":"forged"/' "$AUDIT" >"$TAMPERED"
if cmp -s "$AUDIT" "$TAMPERED"; then
	not_ok "the tampered copy differs from the log (sed matched)"
fi
jd --audit-log "$TAMPERED" audit verify
check "a tampered record: audit verify exits 1" rc_is 1
check "a tampered record: the message names line 2" has "line 2"

# ---------------------------------------------------------------- keys
jd keys --markdown
check "keys --markdown exits 0" rc_is 0
if [ ! -f README.md ]; then
	skip "README key list (no README.md yet)"
else
	missing=$(grep -v '^[[:space:]]*$' "$STDOUT" | while IFS= read -r l; do
		grep -qxF -- "$l" README.md || printf '%s\n' "$l"
	done)
	if [ -z "$missing" ]; then
		ok "README lists every line of keys --markdown"
	else
		printf '%s\n' "$missing" >"$OUT"
		not_ok "README lists every line of keys --markdown (missing below)"
	fi
fi

# ---------------------------------------------------------------- API down
world down
jd nodes
check "API down: nodes exits 1" rc_is 1
check "API down: the message says cannot reach" has "cannot reach $SERVER"

e2e_finish
