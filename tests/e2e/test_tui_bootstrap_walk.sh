#!/bin/sh
# test_tui_bootstrap_walk.sh - the walkthrough once through the TUI under
# tmux, from the bootstrap pane's keys alone: an empty registry (the Azure
# simulator in front of Debian's docker-registry), a cluster without Flux
# (kubesim with its deployment controller stand-in), a fork cloned over
# Debian's sshd and served by git http-backend. Import, Defender's clean
# scans (seeded through the simulator's control API) read by the scan
# gate, promote, rewrite, commit, push, install Flux, reconcile; each
# confirmed by typing, each step read back from the world until every
# step is done.
# shellcheck disable=SC1091,SC2034  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
. tests/integration/lib_azure.sh
. tests/integration/lib_gitfork.sh
e2e_require tmux python3 git ssh kubectl
if [ ! -x /usr/sbin/sshd ]; then
	skip "test_tui_bootstrap_walk.sh: sshd not installed"
	exit 0
fi
PIDS=""
walk_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	gf_down
}
trap 'walk_cleanup; az_cleanup; e2e_cleanup' EXIT

# ---------------------------------------------------------------- the world
world_up
python3 tests/sim/workloads.py controller --dir "$D" --delay 1 \
	>"$E2E_TMP/workloads.log" 2>&1 &
PIDS="$PIDS $!"
az_up || { cp "$AZ_LOG" "$E2E_TMP/out"; not_ok "Azure simulators start"; e2e_finish; }
gf_up "$E2E_TMP/git" >"$E2E_TMP/out" 2>&1 ||
	{ not_ok "git servers start"; e2e_finish; }
CLUSTER=$(az_sim GET /deployments | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["name"] == "cluster-stamp":
        print(d["properties"]["outputs"]["aksClusterName"]["value"])')
KUBECONFIG=$D/kubeconfig kubectl config rename-context sim "$CLUSTER" \
	>"$E2E_TMP/out" 2>&1 || { not_ok "the context is named"; e2e_finish; }
cat "$AZ_CA" "$GS/ca.crt" >"$E2E_TMP/ca.pem"
gf_operator
CLONE=$E2E_TMP/clone
if ! { gf_fork "$E2E_TMP/seed" fork && gf_clone "$CLONE" &&
	git -C "$CLONE" config core.sshCommand "$GF_SSH"; } >"$E2E_TMP/out" 2>&1
then
	not_ok "the fork is seeded and cloned over SSH"
	e2e_finish
fi
JD_ENV="$(az_env_words) JUMPDECK_CA_BUNDLE=$E2E_TMP/ca.pem JUMPDECK_REPO=$CLONE JUMPDECK_GITHUB_ACCOUNT=contoso"

steps_read() { grep -q 'Bootstrap · [0-9]*/10 steps done'; }
# confirm WORD: type the confirmation word once the dialog asks for it.
confirm() {
	wait_for "Type $1 and press Enter" 10 || return 1
	type_text "$1"
	send Enter
}

jd_start 120 40
send 5
check "the steps are read" wait_screen 30 steps_read
assert_screen_has "the first step not done is selected: the empty registry" \
	"1. not done: 0/6 images in quarantine/ of $AZ_ACR" 30

send i
check "i asks to import every image" confirm import
assert_screen_has "step 1 done, read from the registry" \
	"6/6 images in quarantine/ of $AZ_ACR" 60
# No scan result yet: p refuses at once, before any question, and says why.
send p
assert_screen_has "p before the scans: refused by the scan gate" \
	"scan gate: blocked by: no scan verdict" 10
check "... audited as refused" \
	audit_has image.promote refused
check "... and nothing reached live/" \
	test "$(az_requests POST /importImage)" -eq 6
# Defender scans every image clean, as Resource Graph will show it.
for ref in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$AZ_SEED"); do
	repo="quarantine/$(echo "$ref" | sed 's#^[^/]*/##; s#:[^:]*$##')"
	az_sim POST /scans "{\"repository\": \"$repo\", \"digest\": \"$(az_seed_digest "$ref")\", \"generation\": \"mdvm\", \"state\": \"healthy\"}" >"$E2E_TMP/out" ||
		not_ok "Defender's scan of $ref is seeded"
done
send R
assert_screen_has "step 2 done: the scan gate passes every image" \
	"the scan gate passes all 6 images" 60
send p
check "p asks to promote every image" confirm promote
assert_screen_has "step 3 done" "6/6 promoted; live/ digests match quarantine/" 60
send w
check "w shows the diff and asks" confirm rewrite
assert_screen_has "the rewrite's outcome" "rewrote 7 placeholders in 5 files" 15
send Escape R
assert_screen_has "step 6 asks for the commit" "5 rewritten files not committed" 20
send c
check "c asks before committing" confirm commit
send R
assert_screen_has "step 6 asks for the push" "2 commits not pushed to origin/main" 20
send P
check "P asks before pushing" confirm push
send R
head=$(git -C "$CLONE" rev-parse HEAD | cut -c1-8)
assert_screen_has "step 6 done, read from both ends" \
	"main at $head is pushed to origin/main" 30
send F
check "F asks before installing Flux, by the context's name" confirm "$CLUSTER"
assert_screen_has "the install's outcome" "Flux: created 16, configured 0, unchanged 0" 90
send R
assert_screen_has "step 9 done" "5 Flux CRDs Established, 2/2 controllers Available" 30

# Flux's controllers: the stand-in fetches the fork's HEAD.
full=$(git --git-dir="$FORK" rev-parse main)
for k in gitrepository kustomization; do
	KUBECONFIG=$D/kubeconfig kubectl annotate -n flux-system "$k" \
		flux-system "sim.jumpdeck.dev/sha=$full" >"$E2E_TMP/out" 2>&1
done
python3 tests/sim/fluxworld.py controller --dir "$D" --delay 1 \
	>"$E2E_TMP/flux.log" 2>&1 &
PIDS="$PIDS $!"
send R
wait_for "10. not done:" 30
send r
check "r asks before reconciling flux-system" confirm flux-system
assert_screen_has "the reconcile's outcome" "flux-system: applied revision" 60
send R
assert_screen_has "every step done" "Bootstrap · 10/10 steps done" 30
check "each change is audited" \
	sh -c "for a in image.import image.promote manifests.rewrite git.commit git.push flux.install flux.reconcile; do grep -q \"\\\"action\\\":\\\"\$a\\\".*\\\"outcome\\\":\\\"succeeded\\\"\" '$AUDIT' || exit 1; done"
send q
check "q quits" wait_exit 5
e2e_finish
