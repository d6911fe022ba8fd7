#!/bin/sh
# test_why_cli.sh - `jumpdeck why` against the simulated cluster, the local
# registries and the Azure simulator: the walkthrough's failure (falco's
# pods in ImagePullBackOff on an image imported to quarantine/ but never
# promoted) names the pod, the reason, the kubelet's event and "promote
# it", as text and JSON; a dependency waiting on it; a crash loop whose
# log tail carries escape sequences (none reaches the output); an
# unschedulable pod; a healthy Kustomization (exit 0); a 403 on pods and
# events (one sentence each, the rest still shown); hundreds of objects
# (requests counted in the simulator's log and bounded); and, once
# promoted, the pods recovering through the stand-in kubelet
# (tests/sim/kubelet.py). Pod names are read with the real kubectl.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl
. tests/integration/lib_azure.sh

KUBECTL=${KUBECTL:-kubectl}
HAVE_KUBECTL=0
command -v "$KUBECTL" >/dev/null 2>&1 && HAVE_KUBECTL=1
W=$LW_TMP/world
AUDIT=$LW_TMP/audit.log
WHYWORLD=$LW_ROOT/tests/sim/whyworld.py
KUBELET=$LW_ROOT/tests/sim/kubelet.py
FALCO_IMG=acrakstest.azurecr.io/live/falcosecurity/falco:0.26.2
LANG=C.UTF-8
export LANG JUMPDECK_AUDIT_LOG=$AUDIT

# ---------------------------------------------------------------- helpers

has() {
	for t in "$@"; do
		grep -qF -- "$t" "$LW_OUT" && continue
		echo "#   missing: $t"
		return 1
	done
}
lacks() { ! grep -qF -- "$1" "$LW_OUT"; }
# has_re ERE: a line of the output matches the extended expression.
has_re() {
	grep -qE -- "$1" "$LW_OUT" && return 0
	echo "#   missing: /$1/"
	return 1
}
# count_of TEXT N: exactly N lines of stdout hold TEXT.
count_of() { test "$(grep -cF -- "$1" "$STDOUT")" -eq "$2"; }
# json EXPR: a Python expression over the document `d` is true.
json() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$STDOUT" "$1"
}
# clean FILE: no ESC, BEL, C1 control (raw or as U+0080-U+009F) and no
# bidi override.
clean() {
	python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
bad = [b"\x1b", b"\x07", b"\x9b"]
for b in bad:
    if b in data.replace(b"\xc2\x9b", b""):
        sys.exit(1)
text = data.decode("utf-8")
if any(0x80 <= ord(c) <= 0x9f or c in "\u202a\u202b\u202c\u202d\u202e"
       for c in text):
    sys.exit(1)
EOF
}
# defender STATE [FINDINGS]: Defender's scan of falco's quarantine/
# digest, through the Azure simulator's Resource Graph (az_defender.py).
defender() {
	az_sim POST /scans "{\"repository\": \"quarantine/falcosecurity/falco\", \"digest\": \"$FALCO_Q\", \"state\": \"$1\", \"findings\": ${2:-[]}}" >/dev/null
}
seed() {
	python3 "$WHYWORLD" seed --dir "$W" --registry-dir "$AZ_REG" \
		--scenario "$1" >"$LW_OUT" 2>&1
}
pods_of() { # NS: pod names, one a line (kubectl)
	KUBECONFIG=$W/kubeconfig $KUBECTL get pods -n "$1" \
		-o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}
# sim_requests PATH-PART...: how many logged requests have a path that
# holds one of the parts (the simulator's request log).
sim_requests() {
	lw_sim "$W" GET /_sim/requests | python3 -c '
import json, sys
parts = sys.argv[1:]
print(sum(1 for r in json.load(sys.stdin)
          if any(p in r.get("path", "") for p in parts)))' "$@"
}

# ---------------------------------------------------------------- the world

if ! lw_world_up "$W" || ! az_up; then
	[ -s "$AZ_LOG" ] && cp "$AZ_LOG" "$LW_OUT"
	not_ok "simulated cluster, registries and Azure simulator start"
	lw_finish
fi
ok "simulated cluster, registries and Azure simulator start"
export KUBECONFIG="$W/kubeconfig"
for s in falco dependency crashloop unschedulable healthy; do
	check "whyworld seeds the $s scenario" seed "$s"
done
# the walkthrough's step 1: imported to quarantine/, never promoted
jd import falcosecurity/falco:0.26.2
check "falco is imported into quarantine/ (audited)" rc_is 0
# Defender has scanned it and found nothing: the scan gate lets it pass,
# so what keeps it from the pods is the missing promotion alone.
FALCO_Q=$(az_digest acr quarantine/falcosecurity/falco 0.26.2)
check "Defender's scan of falco: no findings" defender healthy

# ---------------------------------------------------------------- falco

jd why ks falco-system
check "why ks falco-system: exit 1 (not healthy)" rc_is 1
check "why names the Kustomization's health check" has \
	"Kustomization flux-system/falco-system: Failed: Health check failed" \
	"DaemonSet/falco-system/falco status: 'InProgress'"
check "why names the DaemonSet and its rollout" has \
	"DaemonSet falco-system/falco: 0/3 ready"
if [ "$HAVE_KUBECTL" -eq 1 ]; then
	pods_of falco-system >"$LW_TMP/pods" 2>&1
	first=$(sed -n 1p "$LW_TMP/pods")
	check "kubectl lists the three falco pods" \
		test "$(wc -l <"$LW_TMP/pods")" -eq 3
	ok=1
	while read -r p; do
		grep -qF -- "$p" "$STDOUT" || ok=0
	done <"$LW_TMP/pods"
	check "why names every pod kubectl lists (one, and 2 more like it)" \
		test $ok -eq 1
	check "why names a pod, its reason and its node" has \
		"falco-system/falco-" "ImagePullBackOff" " on aks-"
	[ -n "$first" ] || not_ok "kubectl found a pod name"
else
	skip "kubectl not installed: pod names"
fi
check "why shows the kubelet's event (not its echo)" has \
	"Event Failed" "Failed to pull image \"$FALCO_IMG\"" ": not found"
check "the echo 'Error: ErrImagePull' is left out" lacks "Error: ErrImagePull"
check "why says where the image is in the pipeline" has \
	"Image $FALCO_IMG" \
	"in quarantine/falcosecurity/falco:0.26.2" "never promoted"
check "the image is the likely cause, with the fix" has \
	"<= likely cause" \
	"Fix: promote it: jumpdeck promote falcosecurity/falco:0.26.2"
check "2 more pods like it" has "2 more pods like it"

jd why ks falco-system --json
check "--json: exit 1, a valid document" rc_is 1
check "--json: not healthy, the likely cause is the image, fix promote" \
	json 'not d["healthy"] and d["links"][d["likelyCause"]]["kind"] == "image" and d["links"][d["likelyCause"]]["fix"]["command"] == "jumpdeck promote falcosecurity/falco:0.26.2"'
check "--json: the pod link names its node" \
	json 'any(l["kind"] == "pod" and l["node"].startswith("aks-") for l in d["links"])'

jd why ks apps
check "a Kustomization waiting on falco-system leads to its image" has \
	"Kustomization flux-system/apps: Waiting" \
	"Kustomization flux-system/falco-system: Failed" \
	"Fix: promote it: jumpdeck promote falcosecurity/falco:0.26.2"

# ---------------------------------------------------------------- crash loop

jd why kustomization a0005-i -n flux-system
check "crash loop: exit 1, the pod and its reason" has \
	"Deployment a0005-i/web: 0/1 ready" "CrashLoopBackOff" "7 restarts"
check "crash loop: the previous container's log tail" has \
	"Log of web before its last restart" "| panic: cannot open" \
	"FATAL" "config missing"
check "crash loop: no escape sequence reaches the text output" \
	clean "$STDOUT"
check "crash loop: the pod is the likely cause" sh -c \
	"grep -F 'CrashLoopBackOff' '$STDOUT' | grep -qF '<= likely cause'"
jd why ks a0005-i --json
check "crash loop --json: valid, log lines without escapes" json \
	'any(l["kind"] == "log" and any("FATAL" in x for x in l["lines"]) for l in d["links"])'
check "crash loop --json: no escape sequence" clean "$STDOUT"

# ---------------------------------------------------------------- unschedulable

jd why ks a0005-o
check "unschedulable: exit 1, the scheduler's reason and event" has \
	"Deployment a0005-o/batch" "Pending: Unschedulable" \
	"Insufficient cpu" "Event FailedScheduling"
check "unschedulable: exit 1" rc_is 1

# ---------------------------------------------------------------- healthy

jd why ks baseline
check "healthy: exit 0" rc_is 0
check "healthy: says so, and its workloads" has \
	"Kustomization flux-system/baseline is healthy" "Workloads: all 2 ready"
jd why ks nope
check "an object that does not exist: exit 1, said" has "not found"
check "an object that does not exist: exit 1" rc_is 1
jd why nosuchkind x
check "an unknown kind: exit 2" rc_is 2

# ---------------------------------------------------------------- scan gate

# Defender finds a critical CVE with a fix in falco: the gate keeps it in
# quarantine/, and why says so instead of "promote it".
defender unhealthy '[{"severity": "Critical", "id": "CVE-2021-33505", "package": "falco", "version": "0.26.2", "fixedVersion": "0.29.1"}]'
jd why ks falco-system
check "scan-blocked: the image is kept from live/ by the gate, naming the finding" has \
	"kept from live/falcosecurity/falco by the scan gate: blocked by: CVE-2021-33505 (critical"
check "scan-blocked: the image is the likely cause" has \
	"Likely cause: Image $FALCO_IMG: in quarantine/"
check "scan-blocked: the fix is a fixed image, or an override with a reason" has \
	"Fix: the scan gate blocks it" \
	"jumpdeck promote falcosecurity/falco:0.26.2 --override-gate --reason TEXT"
check "scan-blocked: not 'promote it'" lacks "Fix: promote it"
check "scan-blocked: exit 1" rc_is 1
jd why ks falco-system --json
check "scan-blocked --json: the fix is an override" json \
	'd["links"][d["likelyCause"]]["fix"]["action"] == "override" and "scan gate" in d["links"][d["likelyCause"]]["why"]'
jd promote falcosecurity/falco:0.26.2
check "promote agrees: refused by the scan gate" sh -c \
	'test "$1" -eq 1 && grep -q "scan gate: blocked by: CVE-2021-33505" "$2"' \
	_ "$rc" "$STDERR"
defender healthy
jd why ks falco-system
check "scanned clean again: promote it" has "Fix: promote it"

# ---------------------------------------------------------------- valgrind

# The pull failure (with the pipeline and the scan gate) and the crash loop
# (with its log) under valgrind: no leak, no invalid access.
if command -v valgrind >/dev/null 2>&1; then
	for k in falco-system a0005-i; do
		vg=$LW_TMP/vg-$k.log
		valgrind -q --leak-check=full --error-exitcode=9 \
			--errors-for-leak-kinds=definite,indirect \
			--show-leak-kinds=definite,indirect --log-file="$vg" \
			"$JD" why ks "$k" </dev/null >/dev/null 2>&1
		vrc=$?
		cp "$vg" "$LW_OUT"
		check "why ks $k under valgrind: no leak, no invalid access" \
			sh -c 'test "$1" -ne 9 && ! grep -q "definitely lost\|indirectly lost\|Invalid \(read\|write\)" "$2"' \
			_ "$vrc" "$vg"
	done
fi

# ---------------------------------------------------------------- 403

cat >"$W/deny.json" <<'EOF'
[{"user": "viewer", "verb": "list", "resource": "pods",
  "namespace": "falco-system"},
 {"user": "viewer", "verb": "list", "resource": "events",
  "namespace": "falco-system"},
 {"user": "viewer", "verb": "list", "resource": "events",
  "namespace": "flux-system"}]
EOF
jd --context sim-viewer why ks falco-system
check "403 on pods: the server's sentence, once" count_of \
	'pods is forbidden: User "viewer" cannot list resource "pods"' 1
check "403 on events: one sentence per namespace" count_of \
	'cannot list resource "events" in API group "" in the namespace "falco-system"' 1
check "403: the rest of the chain still shows" has \
	"Kustomization flux-system/falco-system: Failed" \
	"DaemonSet falco-system/falco: 0/3 ready" "<= likely cause"
check "403: exit 1" rc_is 1
rm -f "$W/deny.json"

# ---------------------------------------------------------------- many

check "whyworld seeds 300 Deployments in 30 namespaces" seed many
lw_sim "$W" DELETE /_sim/requests >/dev/null
t0=$(date +%s%N)
jd why ks many
t1=$(date +%s%N)
echo "# why ks many took $(((t1 - t0) / 1000000)) ms"
check "many: the one not ready is found" has \
	"Deployment many-29/svc-299: 0/1 ready" "not checked"
n=$(sim_requests /apis/apps/ /pods /events /log)
echo "# many: $n requests for workloads, pods, events and logs"
check "many: at most 40 requests for the chain ($n)" test "$n" -le 40
check "many: exit 1" rc_is 1

# ---------------------------------------------------------------- recovery

lw_bg "$LW_TMP/kubelet.log" python3 "$KUBELET" run --dir "$W" \
	--registry-dir "$AZ_REG" --namespace falco-system --backoff 1 \
	--max-backoff 2
KUBELET_PID=$LW_BG_PID
sleep 2
jd why ks falco-system
# The kubelet turns each pod from ErrImagePull to ImagePullBackOff and
# back on every try (1 s apart here): either is the pull failing.
check "the stand-in kubelet keeps the pods failing to pull" has_re \
	"Pod falco-system/falco-.*: Pending: falco (ErrImagePull|ImagePullBackOff)"
check "the fix while it fails: promote it" has "Fix: promote it"
jd promote falcosecurity/falco:0.26.2
check "promote (audited): exit 0" rc_is 0
i=0
while [ $i -lt 40 ]; do
	jd why ks falco-system
	grep -qF "Workloads: all 1 ready" "$STDOUT" && break
	sleep 0.5
	i=$((i + 1))
done
check "after the promotion the kubelet starts the pods: all ready" has \
	"Workloads: all 1 ready" "ready now"
check "what is left is the old message: reconcile it" has \
	"Fix: reconcile it: jumpdeck reconcile ks falco-system -n flux-system"
if [ "$HAVE_KUBECTL" -eq 1 ]; then
	KUBECONFIG=$W/kubeconfig $KUBECTL get pods -n falco-system \
		>"$LW_OUT" 2>&1
	check "kubectl sees the pods Running" test \
		"$(grep -c ' Running ' "$LW_OUT")" -eq 3
fi
lw_stop "$KUBELET_PID"
lw_finish
