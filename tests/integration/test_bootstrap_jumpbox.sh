#!/bin/sh
# test_bootstrap_jumpbox.sh - step 7 of `jumpdeck bootstrap`, the jump box,
# against the Azure simulator (Entra ID, ARM with the deployment's AKS
# cluster, IMDS) and a simulated cluster whose kubeconfig context is named
# after the cluster, as `az aks get-credentials` names it: all is well; a
# public API server; a private cluster with a public FQDN; no IMDS; not
# signed in; credentials for another cluster. Each is one sentence and the
# right state.
. "$(dirname "$0")/lib_world.sh"
. "$(dirname "$0")/lib_azure.sh"

lw_require python3 kubectl
W=$LW_TMP/w
lw_world_up "$W" || { not_ok "simulated cluster starts"; lw_finish; }
az_up || { cp "$AZ_LOG" "$LW_OUT"; not_ok "Azure simulators start"; lw_finish; }
CLUSTER=$(python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["name"] == "cluster-stamp":
        print(d["properties"]["outputs"]["aksClusterName"]["value"])' \
	<<EOF
$(az_sim GET /deployments)
EOF
)
KUBECONFIG=$W/kubeconfig
export KUBECONFIG
kubectl config rename-context sim "$CLUSTER" >"$LW_OUT" 2>&1 ||
	{ not_ok "the context is named after the cluster"; lw_finish; }
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export JUMPDECK_AUDIT_LOG
cd "$LW_TMP" || exit 1

# step N FIELD, after boot: a field of step N of `bootstrap --json`.
boot() { "$JD" bootstrap --json >"$LW_TMP/b.json" 2>"$LW_OUT"; }
step() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
v = d["steps"][int(sys.argv[2]) - 1][sys.argv[3]]
print(str(v).lower() if isinstance(v, bool) else v)' "$LW_TMP/b.json" "$1" "$2"
}
FQDN=$CLUSTER-a1b2c3d4.hcp.centralus.azmk8s.io

boot
check "all is well: step 7 done without a warning" \
	[ "$(step 7 state)/$(step 7 warning)" = "done/false" ]
check "... in one sentence: who, which context, private, which VM" \
	[ "$(step 7 why)" = "signed in as app $AZURE_CLIENT_ID; context $CLUSTER for private cluster $CLUSTER; on vmss-jumpboxes_0" ]
check "the AKS resource was read through ARM" \
	[ "$(az_requests GET "managedClusters/$CLUSTER")" -ge 1 ]

check "step 8: reachable, cluster admin (the review allows all), nodes" \
	[ "$(step 8 state)/$(step 8 why)" = "done/Kubernetes v1.30.6 answers, you are cluster admin, 7/7 nodes Ready" ]

# Not cluster admin: the API refuses the review itself (403).
printf '[{"user":"admin","verb":"create","resource":"selfsubjectaccessreviews"}]' \
	>"$W/deny.json"
boot
check "not admin (403 on the review): step 8 not done" \
	[ "$(step 8 state)" = "todo" ]
check "... in one sentence: the server's own" \
	[ "$(step 8 why)" = "not cluster admin: selfsubjectaccessreviews.authorization.k8s.io is forbidden: User \"admin\" cannot create resource \"selfsubjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope" ]
# Not cluster admin: the review says no (a user outside system:masters
# that may not do everything).
printf '[{"user":"viewer","verb":"delete","resource":"*"}]' >"$W/deny.json"
"$JD" --context sim-viewer bootstrap --json >"$LW_TMP/b.json" 2>"$LW_OUT"
check "not admin (the review says no): step 8 not done, saying so" \
	[ "$(step 8 state)/$(step 8 why)" = "todo/not cluster admin: the server says you may not do everything" ]
rm -f "$W/deny.json"

az_config '{"aks_private": false}'
boot
check "a public API server: done, with a warning" \
	[ "$(step 7 state)/$(step 7 warning)" = "done/true" ]
check "... saying so in one sentence" \
	[ "$(step 7 why)" = "the API server is public ($FQDN): the walkthrough's cluster is private" ]

az_config '{"aks_private": true, "aks_public_fqdn": true}'
boot
check "a private cluster that keeps a public FQDN: a warning" \
	[ "$(step 7 warning)/$(step 7 why)" = "true/the cluster is private but also has the public FQDN $FQDN" ]
az_config '{"aks_public_fqdn": false}'

JUMPDECK_IMDS_ENDPOINT=http://127.0.0.1:1 boot
check "no IMDS: done, with a warning" \
	[ "$(step 7 state)/$(step 7 warning)" = "done/true" ]
check "... saying this is not an Azure VM" \
	[ "$(step 7 why)" = "not on an Azure VM (IMDS at http://127.0.0.1:1 did not answer): run this from the jump box" ]

# No secret, no IMDS, no az: not signed in.
JUMPDECK_IMDS_ENDPOINT=http://127.0.0.1:1 AZURE_CLIENT_SECRET= boot
check "not signed in: not done, next az login" \
	[ "$(step 7 state)/$(step 7 command)" = "todo/az login" ]
step 7 why >"$LW_TMP/why"
check "... with the sign-in chain's reasons" \
	grep -q '^not signed in to Azure: no Azure credentials: environment: AZURE_CLIENT_SECRET not set; managed identity: ' "$LW_TMP/why"

# Credentials for another cluster only.
kubectl config rename-context "$CLUSTER" dev >"$LW_OUT" 2>&1
boot
check "credentials for another cluster: not done" \
	[ "$(step 7 state)/$(step 7 why)" = "todo/no kube credentials for cluster $CLUSTER (context dev is another cluster's)" ]
check "... next: az aks get-credentials" \
	[ "$(step 7 command)" = "az aks get-credentials -g rg-bu0001a0005 -n $CLUSTER" ]
kubectl config set-context "$CLUSTER" --cluster sim --user admin \
	>"$LW_OUT" 2>&1
boot
check "the cluster's context exists but is not the current one" \
	[ "$(step 7 why)/$(step 7 command)" = "context dev is not cluster $CLUSTER's; context $CLUSTER is/kubectl config use-context $CLUSTER" ]

lw_finish
