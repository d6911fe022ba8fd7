#!/bin/sh
# test_tui_bootstrap.sh - the bootstrap pane under tmux against the
# simulated cluster and a real clone (the fixture tree, cloned over SSH
# from Debian's sshd, its fork URL served by git http-backend): the steps
# read from the world, the first step not done selected, the selected
# step's why and next action, the rewrite with its diff shown first, the
# walkthrough's two commits and the push from their keys (typed
# confirmation, audit records), Enter opening a step's pane, a read-only
# refusal before any question, and the steps readable at 80x24.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
. tests/integration/lib_gitfork.sh
e2e_require tmux python3 git ssh
if [ ! -x /usr/sbin/sshd ]; then
	skip "test_tui_bootstrap.sh: sshd not installed"
	exit 0
fi

trap 'gf_down; e2e_cleanup' EXIT
if ! gf_up "$E2E_TMP/git" >"$E2E_TMP/out" 2>&1; then
	not_ok "git servers start"
	e2e_finish
fi
CLONE=$E2E_TMP/clone
gf_operator
if ! { gf_fork "$E2E_TMP/seed" fork && gf_clone "$CLONE" &&
	git -C "$CLONE" config core.sshCommand "$GF_SSH"; } >"$E2E_TMP/out" 2>&1
then
	not_ok "the fork is seeded and cloned over SSH"
	e2e_finish
fi
world_up

# No Azure here: every Azure endpoint stays on the closed loopback port
# lib.sh gives it.
JD_ENV="JUMPDECK_REPO=$CLONE JUMPDECK_REGISTRY=acrakstest JUMPDECK_GITHUB_ACCOUNT=contoso JUMPDECK_CA_BUNDLE=$GS/ca.crt"
export JD_ENV
K=cluster-manifests

# footer_has TEXT: the line under the steps (the selected step) shows TEXT.
steps_read() { grep -q 'Bootstrap · [0-9]*/10 steps done'; }

# ---------------------------------------------------------------- 120x40
jd_start 120 40
send 5
check "the steps are read from the world" wait_screen 20 steps_read
assert_screen_has "step 4 says what is left in the clone" \
	"6 REPLACE_ME_WITH_YOUR_ACRNAME left in 4"
assert_screen_has "the first step not done is selected: 1 (cannot tell)" \
	"1. cannot tell:"
send j j j
assert_screen_has "the selected step's why, whole, under the steps" \
	"4. not done: 6 REPLACE_ME_WITH_YOUR_ACRNAME left in 4 kustomization files"
assert_screen_has "... and its next action, a key" "Next: press w to rewrite"
assert_screen_has "... and the command that does it from a shell" \
	"\$ jumpdeck rewrite-manifests --registry acrakstest $CLONE"

# No Azure here: the image pipeline's sign-in fails and says so on the
# status bar. Let that happen first, so that it does not replace the
# rewrite's outcome looked for below (a wait, not an assertion).
wait_for "Azure sign-in failed" 30 || :
send w
assert_screen_has "w shows the diff first" \
	"--- a/$K/cluster-baseline-settings/kustomization.yaml"
assert_screen_has "... then asks, naming the files and the registry" \
	"Rewrite 5 files in $CLONE (registry acrakstest,"
assert_screen_has "... and the account" "account contoso)?"
check "nothing is rewritten before the answer" \
	grep -q REPLACE_ME_WITH_YOUR_ACRNAME "$CLONE/$K/falco-system/kustomization.yaml"
type_text rewrite
send Enter
assert_screen_has "the rewrite's outcome on the status bar" \
	"rewrote 7 placeholders in 5 files"
check "the files are rewritten" \
	grep -q "acrakstest.azurecr.io/live/falcosecurity/falco" \
	"$CLONE/$K/falco-system/kustomization.yaml"
check "... audited" audit_has manifests.rewrite succeeded
send Escape R
assert_screen_has "step 6 then asks for the commit" \
	"5 rewritten files not committed" 15

send c
assert_screen_has "c asks before committing" \
	"Commit 5 rewritten files in"
type_text commit
send Enter
check "the walkthrough's two commits, in its order" \
	wait_screen 15 sh -c "[ \"\$(git -C '$CLONE' log -2 --format=%s | tr '\n' '|')\" = 'Update Flux to pull from my fork instead of the upstream Microsoft repo.|Update bootstrap deployments to use images from my ACR instead of public container registries.|' ]"
send R
assert_screen_has "step 6 then asks for the push" \
	"2 commits not pushed to origin/main" 15
send P
assert_screen_has "P asks before pushing" "Push main (2 commits) to origin/main"
type_text push
send Enter
check "the push reaches the fork" \
	wait_screen 15 sh -c "[ \"\$(git --git-dir='$FORK' rev-parse main)\" = \"\$(git -C '$CLONE' rev-parse HEAD)\" ]"
check "... audited as succeeded" audit_has git.push succeeded
send R
head=$(git -C "$CLONE" rev-parse HEAD | cut -c1-8)
assert_screen_has "steps 4 to 6 done, read from the clone and the remote" \
	"main at $head is pushed to origin/main" 15

# Enter on a step with a pane opens it.
send g
for _ in 1 2 3 4 5 6 7; do send j; done
send Enter
assert_screen_has "Enter on step 8 opens the nodes pane" "7/7 Ready"

# ---------------------------------------------------------------- read-only
jd_start 120 40 --read-only
send 5
check "read-only: the steps are read" wait_screen 20 steps_read
send F
check "F under read-only is refused at once, without a question" \
	wait_screen 5 status_has "read-only mode"
assert_screen_lacks "... no dialog was opened" "Type "
check "... and the refusal is audited" audit_has flux.install refused

# ---------------------------------------------------------------- 80x24
jd_start 80 24
send 5
check "80x24: the steps are read" wait_screen 20 steps_read
for t in "Images in quarantine/" "Changes committed and pushed" \
	"Flux reconciles your fork"; do
	assert_screen_has "80x24: the step '$t' reads whole" "$t"
done
assert_screen_has "80x24: the selected step's sentence and next action" \
	"Next:"
send q
check "q quits" wait_exit 5
e2e_finish
