#!/bin/sh
# test_sim_kubectl.sh - runs the real kubectl against a fresh simulated
# world, to keep tests/sim/kubesim.py honest. TAP-like lines; not a test of
# jumpdeck (tests/run.sh counts it with the simulators' self-tests).
# shellcheck disable=SC2317  # functions run from traps and check()
set -u
cd "$(dirname "$0")/../.." || exit 2
KUBECTL=${KUBECTL:-kubectl}
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
	echo "skip - kubectl not installed"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/jd-kubectl.XXXXXX") || exit 2
D=$T/world
WORLD="python3 tests/sim/world.py"
wpid=""
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	$WORLD down --dir "$D" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

HOME=$T/home
KUBECONFIG=$D/kubeconfig
export HOME KUBECONFIG
mkdir -p "$HOME"
failed=0

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	failed=$((failed + 1))
	if [ -s "$T/out" ]; then sed 's/^/#   /' "$T/out" | head -20; fi
}
# check DESCRIPTION COMMAND...: the command's status decides
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
k() { "$KUBECTL" "$@" >"$T/out" 2>&1; }
has() { grep -q -- "$1" "$T/out"; }
sim() { # METHOD PATH [BODY]: the simulator's control API
	port=$(cat "$D/port")
	curl -sS --cacert "$D/ca.crt" -X "$1" ${3:+-d "$3"} \
		"https://127.0.0.1:$port$2"
}

NODES="aks-npinscope01-26621167-vmss000000 aks-npinscope01-26621167-vmss000001
aks-npooscope01-26621167-vmss000000 aks-npooscope01-26621167-vmss000001
aks-npsystem-26621167-vmss000000 aks-npsystem-26621167-vmss000001
aks-npsystem-26621167-vmss000002"

if ! $WORLD up --dir "$D" --scenario nodes --bookmark-interval 1 \
	>"$T/out" 2>&1; then
	not_ok "world up"
	exit 1
fi
ok "world up (scenario nodes)"

# --- get nodes: the table the server prints
k get nodes
check "kubectl get nodes succeeds" test $? -eq 0
all=0
for n in $NODES; do
	grep -Eq "^$n +Ready +agent +[0-9]+[smhd] +v1\.30\.6\$" "$T/out" ||
		all=1
done
check "get nodes: seven nodes, Ready, ROLES agent, VERSION v1.30.6" \
	test $all -eq 0
check "get nodes: header NAME STATUS ROLES AGE VERSION" \
	grep -Eq '^NAME +STATUS +ROLES +AGE +VERSION$' "$T/out"
k get nodes -o wide
check "get nodes -o wide shows INTERNAL-IP and OS-IMAGE" \
	grep -q 'Ubuntu 22.04.5 LTS' "$T/out"

k get nodes -o json
check "get nodes -o json: a List of seven Nodes" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "List", d["kind"]
assert len(d["items"]) == 7
assert all(i["kind"] == "Node" for i in d["items"])
n = d["items"][4]
assert n["metadata"]["labels"]["kubernetes.azure.com/mode"] == "system"
assert n["spec"]["taints"][0]["key"] == "CriticalAddonsOnly"
' "$T/out"

k get nodes -l kubernetes.azure.com/agentpool=npsystem -o name
check "label selector picks the three system nodes" \
	test "$(grep -c '^node/' "$T/out")" -eq 3

# --- apply: namespace, configmap, CRD, then a custom object
cat >"$T/base.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: jd-test
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: jd-test
  labels:
    app: jumpdeck
data:
  color: blue
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
    additionalPrinterColumns:
    - name: Ready
      type: string
      jsonPath: .status.conditions[?(@.type=="Ready")].status
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
EOF
cat >"$T/widget.yaml" <<'EOF'
apiVersion: example.com/v1
kind: Widget
metadata:
  name: gear
  namespace: jd-test
spec:
  teeth: 12
EOF
k apply -f "$T/base.yaml"
check "apply namespace, configmap and CRD" has 'configmap/settings created'
# An apiserver serves a new CRD's kind only once it is Established (the
# apiextensions establishing controller); an operator waits for that first.
k wait --for=condition=Established crd/widgets.example.com --timeout=10s
check "kubectl wait: the CRD becomes Established" has 'condition met'
k apply -f "$T/widget.yaml"
check "apply a custom object of the new CRD" has 'widget.example.com/gear created'
k get configmap settings -n jd-test -o jsonpath='{.data.color}'
check "get the applied configmap" test "$(cat "$T/out")" = blue
k get crd widgets.example.com -o \
	jsonpath='{.status.conditions[?(@.type=="Established")].status}'
check "the CRD is Established" test "$(cat "$T/out")" = True
k patch widget gear -n jd-test --subresource=status --type=merge \
	-p '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}'
k get widgets -n jd-test
check "get widgets prints the CRD's printer columns" \
	grep -Eq '^gear +True +[0-9]+s$' "$T/out"
sed 's/teeth: 12/teeth: 14/' "$T/widget.yaml" >"$T/widget2.yaml"
k apply --server-side -f "$T/widget2.yaml"
check "server-side apply" has 'serverside-applied'
k get widget gear -n jd-test -o jsonpath='{.spec.teeth} {.metadata.generation}'
check "server-side apply changed spec and bumped generation" \
	test "$(cat "$T/out")" = "14 2"
k apply -f "$T/base.yaml"
check "re-apply is unchanged" has 'configmap/settings unchanged'

# --- a bootstrap by server-side apply: CRD, namespace, ServiceAccount,
# RBAC and a Deployment, waited for as an operator would
cat >"$T/boot.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: v1
kind: Namespace
metadata:
  name: boot
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: gadget-controller
  namespace: boot
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: gadget-reader
rules:
- apiGroups: [example.com]
  resources: [gadgets]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: gadget-reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: gadget-reader}
subjects:
- {kind: ServiceAccount, name: gadget-controller, namespace: boot}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gadget-controller
  namespace: boot
spec:
  replicas: 1
  selector:
    matchLabels: {app: gadget-controller}
  template:
    metadata:
      labels: {app: gadget-controller}
    spec:
      serviceAccountName: gadget-controller
      containers:
      - {name: manager, image: example.azurecr.io/live/gadget:1.0}
EOF
python3 tests/sim/workloads.py controller --dir "$D" --delay 1 \
	>"$T/workloads.log" 2>&1 &
wl=$!
k apply --server-side --field-manager=jumpdeck -f "$T/boot.yaml"
check "server-side apply of CRD, namespace, ServiceAccount, RBAC, Deployment" \
	test "$(grep -c 'serverside-applied' "$T/out")" -eq 6
k wait --for=condition=Established crd/gadgets.example.com --timeout=10s
check "kubectl wait: the CRD becomes Established" has 'condition met'
k wait --for=condition=Available -n boot deploy/gadget-controller \
	--timeout=15s
check "kubectl wait: the stand-in controller makes the Deployment Available" \
	has 'condition met'
k get -n boot deploy/gadget-controller -o \
	jsonpath='{.metadata.resourceVersion}'
rv=$(cat "$T/out")
k apply --server-side --field-manager=jumpdeck -f "$T/boot.yaml"
k get -n boot deploy/gadget-controller -o \
	jsonpath='{.metadata.resourceVersion}'
check "applying it again changes nothing (same resourceVersion)" \
	test "$(cat "$T/out")" = "$rv"
kill "$wl" 2>/dev/null
wait "$wl" 2>/dev/null
k auth can-i '*' '*'
check "kubectl auth can-i '*' '*' as system:masters: yes" has '^yes'
echo '[{"user": "viewer", "verb": "delete", "resource": "pods"}]' \
	>"$D/deny.json"
k --context sim-viewer auth can-i '*' '*'
check "... as the viewer with a deny rule: no" has '^no'
k --context sim-viewer auth can-i list pods
check "... but the viewer may list pods" has '^yes'
rm -f "$D/deny.json"

# --- wait: met, then timing out after the node goes NotReady
N=aks-npsystem-26621167-vmss000001
k wait --for=condition=Ready "node/$N" --timeout=10s
check "kubectl wait for a Ready node succeeds" has 'condition met'
$WORLD set-ready --dir "$D" "$N" false >"$T/out" 2>&1
k wait --for=condition=Ready "node/$N" --timeout=2s
rc=$?
check "kubectl wait times out on a NotReady node" test $rc -ne 0
check "the timeout says so" has 'timed out waiting for the condition'

# --- authorization
echo '[{"user": "viewer", "verb": "list", "resource": "deployments"}]' \
	>"$D/deny.json"
k --context sim-viewer get deployments -A
check "viewer: cluster-wide deployments list is forbidden" has \
	'deployments.apps is forbidden: User "viewer" cannot list resource "deployments" in API group "apps" at the cluster scope'
k --context sim-viewer get nodes
check "viewer: nodes still readable" has "$N"

# --- authentication: exec plugin, client certificate, bad credentials
k --context sim-exec get nodes
check "exec plugin context lists nodes" has "$N"
check "the exec plugin was run" test -s "$D/exec/calls"
echo stale-token >"$D/exec/token"
k --context sim-exec get nodes
check "exec plugin with an unknown token: Unauthorized" has 'Unauthorized'
rm -f "$D/exec/token"
k --context sim-cert get nodes
check "client certificate context lists nodes" has "$N"
cp "$KUBECONFIG" "$T/rogue.kubeconfig"
"$KUBECTL" --kubeconfig "$T/rogue.kubeconfig" config set-credentials rogue \
	--client-certificate="$D/rogue.crt" --client-key="$D/rogue.key" \
	--embed-certs >/dev/null 2>&1
"$KUBECTL" --kubeconfig "$T/rogue.kubeconfig" config set-context sim \
	--user=rogue >/dev/null 2>&1
k --kubeconfig "$T/rogue.kubeconfig" get nodes
check "a certificate from another CA is refused" \
	has 'You must be logged in to the server'

# --- watch
N2=aks-npooscope01-26621167-vmss000000
"$KUBECTL" get nodes -w >"$T/watch" 2>&1 &
wpid=$!
sleep 1.5
$WORLD set-ready --dir "$D" "$N2" false >/dev/null 2>&1
sleep 1.5
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
wpid=""
check "kubectl get nodes -w shows the node going NotReady" \
	grep -Eq "^$N2 +NotReady +agent" "$T/watch"

# --- 429 with Retry-After is retried by kubectl
sim DELETE /_sim/requests >/dev/null
sim POST /_sim/faults '[{"path_prefix": "/api/v1/nodes", "action": "status",
	"status": 429, "retry_after": "1", "times": 1}]' >/dev/null
k get nodes
check "kubectl retries a 429 after Retry-After" has "$N2"
sim GET /_sim/requests >"$T/log"
check "the request log shows the 429 then the retry with limit=500" \
	python3 -c '
import json, sys
log = [r for r in json.load(open(sys.argv[1])) if r["path"] == "/api/v1/nodes"]
codes = [r["status"] for r in log]
assert codes[:2] == [429, 200], codes
assert "limit=500" in log[1]["query"], log[1]
' "$T/log"

# --- a restart keeps the objects (like etcd)
$WORLD restart --dir "$D" >"$T/out" 2>&1
check "world restart" test $? -eq 0
k get configmap settings -n jd-test -o name
check "objects survive a restart" has 'configmap/settings'

if [ "$failed" -ne 0 ]; then
	echo "# $failed assertion(s) failed"
	exit 1
fi
exit 0
