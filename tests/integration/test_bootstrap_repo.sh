#!/bin/sh
# test_bootstrap_repo.sh - steps 4 to 6 of the walkthrough from the CLI on a
# real clone: a fork laid out like the reference implementation's
# cluster-manifests (the fixture tree), cloned over SSH from Debian's sshd,
# its gotk-sync.yaml URL served by git http-backend over HTTPS. The
# rewrite's diff, dry run and atomic write (several files, no final
# newline, modes), a file that does not parse, a read-only file,
# --read-only, a second run, the walkthrough's two commits, a refused push
# that changes nothing locally, then a push; and `jumpdeck bootstrap`
# reading each state from the clone and the remotes every time.
. "$(dirname "$0")/lib_world.sh"
. "$(dirname "$0")/lib_gitfork.sh"

lw_require git python3 ssh
if [ ! -x /usr/sbin/sshd ]; then
	skip "test_bootstrap_repo.sh: sshd not installed"
	exit 0
fi

trap 'gf_down; lw_cleanup' EXIT
if ! gf_up "$LW_TMP/git" >"$LW_OUT" 2>&1; then
	not_ok "git servers start"
	lw_finish
fi
CLONE=$LW_TMP/clone

# The operator's SSH key and known_hosts, for git (ssh) and for jumpdeck's
# own reading of the remote (libssh, from $HOME/.ssh).
GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_NOSYSTEM
gf_operator
GIT_SSH_COMMAND=$GF_SSH
export GIT_SSH_COMMAND

# No cluster and no Azure here: every Azure endpoint stays on the closed
# loopback port lib_world.sh gives it, so nothing leaves the machine.
JUMPDECK_CA_BUNDLE=$GS/ca.crt
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export JUMPDECK_CA_BUNDLE JUMPDECK_AUDIT_LOG

# The fork: the fixture tree, gotk-sync.yaml naming the local HTTPS server
# in place of github.com.
gf_fork "$LW_TMP/seed" "the fork" >"$LW_OUT" 2>&1 ||
	{ not_ok "the fork is seeded"; lw_finish; }
gf_clone "$CLONE" >"$LW_OUT" 2>&1 ||
	{ not_ok "the fork clones over SSH"; lw_finish; }
cd "$CLONE" || exit 1
chmod 640 cluster-manifests/flux-system/kustomization.yaml
git config core.fileMode false

# step N FIELD: a field of step N in the last bootstrap --json.
step() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["steps"][int(sys.argv[2]) - 1][sys.argv[3]])' "$LW_TMP/b.json" "$1" "$2"
}
boot() {
	"$JD" bootstrap --json >"$LW_TMP/b.json" 2>"$LW_OUT"
	BOOT_RC=$?
}
tree_sum() {
	find "$CLONE" -path "$CLONE/.git" -prune -o -type f -print |
		LC_ALL=C sort | xargs sha256sum
}
K=cluster-manifests

# ---------------------------------------------------------------- before
boot
check "bootstrap exits 1 until every step is done" [ "$BOOT_RC" -eq 1 ]
check "step 4: the placeholders left, counted" \
	[ "$(step 4 why)" = "6 REPLACE_ME_WITH_YOUR_ACRNAME left in 4 kustomization files (first: $K/cluster-baseline-settings/kustomization.yaml)" ]
check "step 4: the next action is the rewrite" \
	[ "$(step 4 state)/$(step 4 action)/$(step 4 command)" = "todo/rewrite-registry/jumpdeck rewrite-manifests --registry NAME" ]
check "step 5: gotk-sync.yaml still names the placeholder" \
	[ "$(step 5 state)/$(step 5 why)" = "todo/gotk-sync.yaml still names REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME" ]
check "step 6: nothing to commit before the rewrite" \
	[ "$(step 6 why)" = "the placeholders are not rewritten yet (steps 4 and 5)" ]
check "step 8 cannot tell without a kubeconfig" \
	[ "$(step 8 state)" = unknown ]

# ---------------------------------------------------------------- dry run
before=$(tree_sum)
"$JD" rewrite-manifests --dry-run --registry acrakstest >"$LW_TMP/dry.diff" \
	2>"$LW_OUT"
rc=$?
check "--dry-run exits 0" [ $rc -eq 0 ]
check "--dry-run says nothing was changed" \
	grep -q "^dry run: 4 files would change; nothing was changed" "$LW_OUT"
check "--dry-run changes nothing" [ "$(tree_sum)" = "$before" ]
check "the diff names the four kustomization files" \
	[ "$(grep -c '^+++ b/' "$LW_TMP/dry.diff")" -eq 4 ]
check "the diff marks a file without a final newline" \
	grep -q '^\\ No newline at end of file' "$LW_TMP/dry.diff"
check "a second account placeholder is named, not guessed" \
	grep -q "gotk-sync.yaml still names REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME: give --github-account NAME" "$LW_OUT"

# ---------------------------------------------------------------- refusals
"$JD" --read-only rewrite-manifests --registry acrakstest >"$LW_OUT" 2>&1
rc=$?
check "--read-only refuses the rewrite" \
	sh -c "[ $rc -eq 1 ] && grep -q 'read-only mode: manifests.rewrite refused' '$LW_OUT'"
check "... and changes nothing" [ "$(tree_sum)" = "$before" ]
check "... and the refusal is audited" \
	grep -q '"action":"manifests.rewrite".*"outcome":"refused"' "$LW_TMP/audit.log"

mkdir $K/broken
printf 'images:\n  - name: busybox\n    newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/x\n   bad: [1\n' \
	>$K/broken/kustomization.yaml
before=$(tree_sum)
"$JD" rewrite-manifests --registry acrakstest --github-account contoso \
	>"$LW_OUT" 2>&1
rc=$?
check "a file that does not parse is refused with file:line:column" \
	sh -c "[ $rc -eq 1 ] && grep -q '^jumpdeck: rewrite refused: $K/broken/kustomization.yaml:4:4: ' '$LW_OUT'"
check "... and nothing is changed, in any file" [ "$(tree_sum)" = "$before" ]
rm -r $K/broken

chmod 444 $K/flux-system/gotk-sync.yaml
before=$(tree_sum)
"$JD" rewrite-manifests --github-account contoso >"$LW_OUT" 2>&1
rc=$?
check "a read-only file is refused" \
	sh -c "[ $rc -eq 1 ] && grep -q 'gotk-sync.yaml is read-only (mode 0444); nothing was changed' '$LW_OUT'"
check "... and left alone" [ "$(tree_sum)" = "$before" ]
chmod 644 $K/flux-system/gotk-sync.yaml

# ---------------------------------------------------------------- rewrite
"$JD" rewrite-manifests --registry acrakstest >"$LW_OUT" 2>&1
rc=$?
check "the registry rewrite succeeds" \
	sh -c "[ $rc -eq 0 ] && grep -q '^rewrote 6 placeholders in 4 files' '$LW_OUT'"
check "exactly the four kustomization files changed" \
	[ "$(git status --porcelain | sort | tr '\n' ' ')" = " M $K/cluster-baseline-settings/kustomization.yaml  M $K/falco-system/kustomization.yaml  M $K/flux-system/kustomization.yaml  M $K/ingress-nginx/kustomization.yaml " ]
check "a file without a final newline still has none" \
	[ "$(tail -c 1 $K/falco-system/kustomization.yaml | od -An -c | tr -d ' ')" = o ]
check "a file's mode is kept" \
	[ "$(stat -c %a $K/flux-system/kustomization.yaml)" = 640 ]
# The printed diff is exactly the change: applied to the original, it
# gives the rewritten files.
mkdir "$LW_TMP/patched" && (cd "$LW_TMP/patched" &&
	git clone -q "$SSH_URL" . && git apply "$LW_TMP/dry.diff") \
	>"$LW_OUT" 2>&1
check "the dry run's diff, applied with git apply, gives the same files" \
	diff -r -x .git "$LW_TMP/patched/$K" "$CLONE/$K"
before=$(tree_sum)
"$JD" rewrite-manifests --registry acrakstest >"$LW_OUT" 2>&1
rc=$?
after=$(tree_sum)
check "a second run finds nothing to do" \
	sh -c "[ $rc -eq 0 ] && grep -q '^nothing to rewrite' '$LW_OUT'"
check "... and changes nothing" [ "$after" = "$before" ]
boot
check "step 4 is done, read from the clone" \
	[ "$(step 4 state)/$(step 4 why)" = "done/no REPLACE_ME_WITH_YOUR_ACRNAME left in the 8 kustomization files" ]

# ---------------------------------------------------------------- commits
echo "a note" >>$K/README.md
"$JD" rewrite-manifests --github-account contoso --commit >"$LW_OUT" 2>&1
rc=$?
check "the account rewrite and the commits succeed" [ $rc -eq 0 ]
check "two commits with the walkthrough's messages, in its order" \
	[ "$(git log -2 --format=%s | tr '\n' '|')" = "Update Flux to pull from my fork instead of the upstream Microsoft repo.|Update bootstrap deployments to use images from my ACR instead of public container registries.|" ]
check "git's own output is shown" grep -q "4 files changed" "$LW_OUT"
check "only the rewritten files were committed" \
	[ "$(git status --porcelain)" = " M $K/README.md" ]
boot
check "step 5 is done: the fork's URL answers over HTTPS" \
	[ "$(step 5 state)/$(step 5 why)" = "done/gotk-sync.yaml points at $HTTPS/git/contoso/aks-baseline-regulated.git (its HEAD is $(git rev-parse origin/main | cut -c1-8))" ]
check "step 6: two commits not pushed" \
	[ "$(step 6 why)/$(step 6 action)" = "2 commits not pushed to origin/main/push" ]

# ---------------------------------------------------------------- push
# Someone else pushed first: refused before pushing, nothing changes here.
(cd "$LW_TMP" && git clone -q "$FORK" other && cd other &&
	git commit -q --allow-empty -m "theirs" && git push -q) \
	>"$LW_OUT" 2>&1
heads=$(git rev-parse HEAD origin/main)
"$JD" rewrite-manifests --push >"$LW_OUT" 2>&1
rc=$?
check "a push behind the remote is refused, saying why" \
	sh -c "[ $rc -eq 1 ] && grep -q 'push refused: origin/main has commits this clone does not have; pull first' '$LW_OUT'"
check "... changes nothing locally" [ "$(git rev-parse HEAD origin/main)" = "$heads" ]
check "... and is audited as refused" \
	grep -q '"action":"git.push".*"outcome":"refused"' "$LW_TMP/audit.log"
boot
theirs=$(git --git-dir="$FORK" rev-parse main | cut -c1-8)
check "step 6 reads the remote over SSH: it moved on" \
	[ "$(step 6 why)" = "origin/main (at $theirs) has commits this clone (at $(git rev-parse HEAD | cut -c1-8)) does not have" ]
git pull -q --rebase --autostash >"$LW_OUT" 2>&1 ||
	not_ok "git pull --rebase --autostash"

# The server declines the push (a hook): git says why, nothing changes.
printf '#!/bin/sh\necho "main is protected: open a pull request" >&2\nexit 1\n' \
	>"$FORK/hooks/pre-receive"
chmod +x "$FORK/hooks/pre-receive"
heads=$(git rev-parse HEAD origin/main)
"$JD" rewrite-manifests --push >"$LW_OUT" 2>&1
rc=$?
check "a push the server declines fails and shows git's output" \
	sh -c "[ $rc -eq 1 ] && grep -q 'remote: main is protected: open a pull request' '$LW_OUT' && grep -q 'pre-receive hook declined' '$LW_OUT'"
check "... says nothing changed locally" \
	grep -q 'nothing changed locally' "$LW_OUT"
check "... and nothing did" [ "$(git rev-parse HEAD origin/main)" = "$heads" ]
check "... and it is audited as failed" \
	grep -q '"action":"git.push".*"outcome":"failed"' "$LW_TMP/audit.log"
rm "$FORK/hooks/pre-receive"
"$JD" rewrite-manifests --push >"$LW_OUT" 2>&1
rc=$?
check "the push succeeds, git's output shown" \
	sh -c "[ $rc -eq 0 ] && grep -q 'main -> main' '$LW_OUT'"
check "the fork holds our commit" \
	[ "$(git --git-dir="$FORK" rev-parse main)" = "$(git rev-parse HEAD)" ]
boot
check "step 6 is done, read from both ends" \
	[ "$(step 6 state)/$(step 6 why)" = "done/main at $(git rev-parse HEAD | cut -c1-8) is pushed to origin/main" ]
check "steps 4 to 6 done, the cluster steps still to do" \
	[ "$BOOT_RC" -eq 1 ] && [ "$(step 4 state)$(step 5 state)$(step 6 state)" = donedonedone ]
"$JD" rewrite-manifests --push >"$LW_OUT" 2>&1
check "pushing again has nothing to do" \
	grep -q "^nothing to push: main is at" "$LW_OUT"

# ---------------------------------------------------------------- secrets
git remote add leaky "https://ops:SECRET-TOKEN@127.0.0.1:1/x.git"
git push -q leaky main >/dev/null 2>&1
git branch -q --set-upstream-to=leaky/main 2>/dev/null ||
	git config branch.main.remote leaky
git config branch.main.remote leaky
git commit -q --allow-empty -m "one more"
"$JD" rewrite-manifests --push >"$LW_OUT" 2>&1
check "a failed push over HTTPS never shows the token" \
	sh -c "! grep -q SECRET-TOKEN '$LW_OUT' && grep -q 'https://127.0.0.1:1/x.git' '$LW_OUT'"
check "... nor writes it to the audit log" \
	sh -c "! grep -q SECRET-TOKEN '$LW_TMP/audit.log'"
check "the audit log's hash chain holds" "$JD" audit verify

lw_finish
