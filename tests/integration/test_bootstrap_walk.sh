#!/bin/sh
# test_bootstrap_walk.sh - the walkthrough end to end from the CLI, each
# step read back with `jumpdeck bootstrap` after it is done: an empty
# registry (the Azure simulator in front of Debian's docker-registry) and
# a cluster without Flux (kubesim, with its deployment controller
# stand-in), a clone of a fork laid out like the reference implementation
# served by Debian's sshd and git http-backend. Import, Defender's
# results through Resource Graph (seeded through the simulator's control
# API: a critical finding first, then a clean scan) read by the scan gate,
# promote, the two rewrites with their commits, the push, the Flux install
# by server-side apply, the reconcile: every step done. Then a second run
# of the install changes nothing, and a fresh clone on another jump box
# finds every step done without having done any (the state is read from
# the world, not remembered).
. "$(dirname "$0")/lib_world.sh"
. "$(dirname "$0")/lib_azure.sh"
. "$(dirname "$0")/lib_gitfork.sh"

lw_require git python3 ssh kubectl
if [ ! -x /usr/sbin/sshd ]; then
	skip "test_bootstrap_walk.sh: sshd not installed"
	exit 0
fi
trap 'gf_down; az_cleanup; lw_cleanup' EXIT

# ---------------------------------------------------------------- the world
W=$LW_TMP/w
lw_world_up "$W" || { not_ok "simulated cluster starts"; lw_finish; }
lw_bg "$LW_TMP/workloads.log" python3 "$LW_ROOT/tests/sim/workloads.py" controller \
	--dir "$W" --delay 1
az_up || { cp "$AZ_LOG" "$LW_OUT"; not_ok "Azure simulators start"; lw_finish; }
gf_up "$LW_TMP/git" >"$LW_OUT" 2>&1 ||
	{ not_ok "git servers start"; lw_finish; }
CLUSTER=$(az_sim GET /deployments | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["name"] == "cluster-stamp":
        print(d["properties"]["outputs"]["aksClusterName"]["value"])')
KUBECONFIG=$W/kubeconfig
export KUBECONFIG
# as `az aks get-credentials` names it
kubectl config rename-context sim "$CLUSTER" >"$LW_OUT" 2>&1 ||
	{ not_ok "the context is named after the cluster"; lw_finish; }
# One CA file for the registries, Azure and the Git servers.
cat "$AZ_CA" "$GS/ca.crt" >"$LW_TMP/ca.pem"
JUMPDECK_CA_BUNDLE=$LW_TMP/ca.pem
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
JUMPDECK_GITHUB_ACCOUNT=contoso
export JUMPDECK_CA_BUNDLE JUMPDECK_AUDIT_LOG JUMPDECK_GITHUB_ACCOUNT

# The operator's key and git identity.
gf_operator
GIT_SSH_COMMAND=$GF_SSH
export GIT_SSH_COMMAND

# The fork: the fixture tree, its Flux source at the local HTTPS server.
gf_fork "$LW_TMP/seed" fork >"$LW_OUT" 2>&1 ||
	{ not_ok "the fork is seeded"; lw_finish; }
CLONE=$LW_TMP/clone
gf_clone "$CLONE" >"$LW_OUT" 2>&1 ||
	{ not_ok "the fork clones over SSH"; lw_finish; }
cd "$CLONE" || exit 1

boot() {
	"$JD" bootstrap --json >"$LW_TMP/b.json" 2>"$LW_OUT"
	BOOT_RC=$?
}
state() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(s["state"] for s in d["steps"]))' "$LW_TMP/b.json"
}
# scanned DIGEST REPO STATE [FINDINGS]: Defender's scan of a quarantine/
# digest, as Resource Graph will show it.
scanned() {
	az_sim POST /scans "{\"repository\": \"$2\", \"digest\": \"$1\", \"generation\": \"mdvm\", \"state\": \"$3\", \"findings\": ${4:-[]}}" >"$LW_OUT"
}
# quarantine_of REF: "quarantine/library/busybox" for docker.io/library/busybox:1.33.0
quarantine_of() {
	echo "quarantine/$(echo "$1" | sed 's#^[^/]*/##; s#:[^:]*$##')"
}
step() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["steps"][int(sys.argv[2]) - 1][sys.argv[3]])' "$LW_TMP/b.json" "$1" "$2"
}

# ---------------------------------------------------------------- before
boot
check "before anything: bootstrap exits 1" [ "$BOOT_RC" -eq 1 ]
check "before anything: only the jump box and the cluster are done" \
	[ "$(state)" = "todo todo todo todo todo todo done done todo todo" ]
check "step 2: nothing in quarantine/ to scan yet" \
	[ "$(step 2 why)" = "nothing in quarantine/ to scan yet" ]
check "step 1: the empty registry, and what to run" \
	[ "$(step 1 why)/$(step 1 command)" = "0/6 images in quarantine/ of $AZ_ACR (missing: kustomize-controller:v0.6.3)/jumpdeck import --all" ]
check "step 8: cluster admin by a SelfSubjectAccessReview, 7 nodes" \
	[ "$(step 8 why)" = "Kubernetes v1.30.6 answers, you are cluster admin, 7/7 nodes Ready" ]
check "step 9: no Flux yet, and what to run" \
	[ "$(step 9 why)/$(step 9 command)" = "Flux is not installed/jumpdeck bootstrap-flux" ]

# ---------------------------------------------------------------- 1 and 3
"$JD" import --all >"$LW_OUT" 2>&1
check "import --all" [ $? -eq 0 ]
boot
check "step 1 done, read from the registry" \
	[ "$(step 1 state)/$(step 1 why)" = "done/6/6 images in quarantine/ of $AZ_ACR" ]
check "step 2 in progress: no scan result yet, just imported" \
	[ "$(step 2 state)/$(step 2 why)" = "running/6 of 6 images have no scan result yet (Defender reports within about 15 minutes of an import)" ]

# Defender answers: busybox has a critical finding with a fix, the rest
# are clean.
for ref in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$AZ_SEED"); do
	scanned "$(az_seed_digest "$ref")" "$(quarantine_of "$ref")" healthy
done
BB=docker.io/library/busybox:1.33.0
scanned "$(az_seed_digest $BB)" quarantine/library/busybox unhealthy \
	'[{"severity": "Critical", "id": "CVE-2021-3711", "package": "openssl", "version": "1.1.1k-r0", "fixedVersion": "1.1.1l-r0"}]'
boot
check "step 2: the gate blocks busybox, naming the finding" \
	[ "$(step 2 state)/$(step 2 why)/$(step 2 command)" = "todo/the scan gate blocks 1 of 6 images: busybox:1.33.0 blocked by: CVE-2021-3711 (critical, openssl 1.1.1k-r0 -> 1.1.1l-r0)/jumpdeck scans" ]
"$JD" promote --all >"$LW_OUT" 2>&1
check "promote --all: refused while the gate blocks busybox" [ $? -eq 1 ]
scanned "$(az_seed_digest $BB)" quarantine/library/busybox healthy
boot
check "step 2 done once the image is scanned clean" \
	[ "$(step 2 state)/$(step 2 why)" = "done/the scan gate passes all 6 images" ]
"$JD" promote --all >"$LW_OUT" 2>&1
check "promote --all" [ $? -eq 0 ]
boot
check "step 3 done: live/ digests match quarantine/" \
	[ "$(step 3 state)/$(step 3 why)" = "done/6/6 promoted; live/ digests match quarantine/" ]

# ---------------------------------------------------------------- 4 to 6
# As the walkthrough does it: the registry first (no account known yet).
env -u JUMPDECK_GITHUB_ACCOUNT "$JD" rewrite-manifests --registry "$AZ_ACR" \
	--commit >"$LW_OUT" 2>&1
check "the registry rewrite and its commit" [ $? -eq 0 ]
boot
check "step 4 done; step 6 waits for the other rewrite" \
	[ "$(step 4 state)/$(step 6 why)" = "done/the placeholders are not rewritten yet (steps 4 and 5)" ]
"$JD" rewrite-manifests --commit --push >"$LW_OUT" 2>&1
check "the account rewrite (from the config), its commit and the push" \
	[ $? -eq 0 ]
boot
check "steps 4, 5 and 6 done, read from the clone and the remotes" \
	[ "$(step 4 state) $(step 5 state) $(step 6 state)" = "done done done" ]
check "the fork holds both commits" \
	[ "$(git --git-dir="$FORK" log -2 --format=%s main | tr '\n' '|')" = "Update Flux to pull from my fork instead of the upstream Microsoft repo.|Update bootstrap deployments to use images from my ACR instead of public container registries.|" ]

# ---------------------------------------------------------------- 9 and 10
"$JD" bootstrap-flux >"$LW_TMP/install.out" 2>&1
cp "$LW_TMP/install.out" "$LW_OUT"
check "bootstrap-flux creates flux-system by server-side apply" \
	grep -q "^Flux: created 16, configured 0, unchanged 0" "$LW_TMP/install.out"
check "... waiting for the CRDs and for source-controller" \
	sh -c "grep -q '^5 CRDs Established' '$LW_TMP/install.out' && grep -q '^source-controller is Available' '$LW_TMP/install.out'"
check "... then runs the checks: the controllers run our live/ images" \
	grep -q "source-controller: 1/1 available ($AZ_ACR.azurecr.io/live/fluxcd/source-controller:v0.6.3)" "$LW_TMP/install.out"
lw_sim "$W" GET /_sim/requests >"$LW_TMP/requests.json"
check "... the Deployment applied with fieldManager=jumpdeck, after a dry run" \
	python3 -c '
import json, sys
reqs = json.load(open(sys.argv[1]))
mine = [r for r in reqs if r["method"] == "PATCH" and
        r["path"].endswith("/deployments/source-controller") and
        "fieldManager=jumpdeck" in r["query"]]
dry = [r for r in mine if "dryRun=All" in r["query"]]
sys.exit(0 if len(mine) == 2 and len(dry) == 1 else 1)' "$LW_TMP/requests.json"
boot
check "step 9 done: CRDs Established, controllers Available" \
	[ "$(step 9 state)/$(step 9 why)" = "done/5 Flux CRDs Established, 2/2 controllers Available" ]
check "step 10 not yet: the GitRepository waits for its controller" \
	[ "$(step 10 state)/$(step 10 action)" = "todo/reconcile" ]

# Flux's controllers: the stand-in fetches what the fork's HEAD is.
head=$(git --git-dir="$FORK" rev-parse main)
kubectl annotate -n flux-system gitrepository flux-system \
	"sim.jumpdeck.dev/sha=$head" >"$LW_OUT" 2>&1
kubectl annotate -n flux-system kustomization flux-system \
	"sim.jumpdeck.dev/sha=$head" >"$LW_OUT" 2>&1
lw_bg "$LW_TMP/flux.log" python3 "$LW_ROOT/tests/sim/fluxworld.py" controller \
	--dir "$W" --delay 1
"$JD" reconcile ks flux-system --with-source --timeout 60s >"$LW_OUT" 2>&1
check "reconcile flux-system with its source" [ $? -eq 0 ]
boot
check "step 10 done: Flux follows the fork and is Ready" \
	[ "$(step 10 state)/$(step 10 why)" = "done/GitRepository flux-system/flux-system follows $HTTPS/git/contoso/aks-baseline-regulated.git at main/$head; 1/1 kustomizations Ready" ]
check "every step is done" \
	[ "$(state)" = "done done done done done done done done done done" ]
check "... and bootstrap exits 0" [ "$BOOT_RC" -eq 0 ]

"$JD" bootstrap-flux >"$LW_OUT" 2>&1
rc=$?
check "bootstrap-flux on the installed Flux changes nothing and says so" \
	grep -q "^Flux: nothing to change: Flux is installed as the clone says (16 objects unchanged)" "$LW_OUT"
check "... and its checks pass" [ $rc -eq 0 ]

# ---------------------------------------------------------------- elsewhere
# Another jump box: a fresh home, a fresh clone, no audit log: every step
# is read from the world.
HOME=$LW_TMP/home2
mkdir -p "$HOME/.ssh" && cp "$LW_TMP/home/.ssh/"* "$HOME/.ssh/"
OTHER=$LW_TMP/other
git clone -q "$SSH_URL" "$OTHER" >"$LW_OUT" 2>&1
cd "$OTHER" || exit 1
JUMPDECK_AUDIT_LOG=$LW_TMP/audit2.log boot
check "a cluster bootstrapped by someone else: every step done there too" \
	[ "$(state)" = "done done done done done done done done done done" ]
check "... and bootstrap exits 0 there" [ "$BOOT_RC" -eq 0 ]
check "... and nothing was written to this jump box's audit log" \
	[ ! -s "$LW_TMP/audit2.log" ]
cd "$LW_TMP" || exit 1
check "the audit log's hash chain holds" "$JD" audit verify
lw_finish
