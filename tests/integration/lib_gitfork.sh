# lib_gitfork.sh - the operator's fork of the walkthrough's repository, for
# the bootstrap tests: the Git servers of tests/sim/gitserve.py (Debian's
# sshd and git http-backend), the operator's SSH key, known_hosts and git
# identity in $HOME, a bare fork seeded with the fixture tree (its Flux
# source at the local HTTPS server in place of github.com) and a clone of
# it over SSH. Sourced after lib_world.sh or tests/e2e/lib.sh (both run
# from the repository's root); the script calls gf_down from its EXIT
# trap. POSIX sh.
# shellcheck shell=sh disable=SC2034

GF_PY=$(pwd)/tests/sim/gitserve.py
GS="" # the servers' directory

# gf_up DIR: the Git servers in DIR (their output on stdout and stderr);
# sets GS, HTTPS (the http-backend's base URL), FORK (the bare fork's
# path) and SSH_URL (the fork over SSH).
gf_up() {
	GS=$1
	python3 "$GF_PY" up --dir "$GS" || return 1
	HTTPS=$(cat "$GS/https_base")
	FORK=$GS/repos/contoso/aks-baseline-regulated.git
	SSH_URL=$(cat "$GS/ssh_base")$FORK
}

# gf_down: stop them (from the EXIT trap; quiet, and fine if never up).
gf_down() {
	[ -n "$GS" ] || return 0
	python3 "$GF_PY" down --dir "$GS" >/dev/null 2>&1
}

# gf_operator: the servers' client key and known_hosts in $HOME/.ssh (for
# git and for jumpdeck's own libssh), GF_SSH the ssh command for git, and
# the operator's git identity.
gf_operator() {
	mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
	cp "$GS/client_key" "$HOME/.ssh/id_ed25519"
	cp "$GS/known_hosts" "$HOME/.ssh/known_hosts"
	chmod 600 "$HOME/.ssh/id_ed25519"
	GF_SSH="ssh -i $HOME/.ssh/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$HOME/.ssh/known_hosts -o BatchMode=yes"
	git config --global user.name "Ops User"
	git config --global user.email ops@contoso.example
	git config --global init.defaultBranch main
}

# gf_fork SEED MESSAGE: the fixture tree copied to SEED with gotk-sync.yaml
# naming the local HTTPS server, committed with MESSAGE and pushed to the
# new bare FORK.
gf_fork() {
	cp -R tests/unit/data/manifests "$1" || return 1
	sed -i "s#https://github.com/\(.*\)/aks-baseline-regulated\$#$HTTPS/git/\1/aks-baseline-regulated.git#" \
		"$1/cluster-manifests/flux-system/gotk-sync.yaml" || return 1
	mkdir -p "$GS/repos/contoso" && git init -q --bare "$FORK" || return 1
	(cd "$1" && git init -q && git add -A && git commit -qm "$2" &&
		git push -q "$FORK" main)
}

# gf_clone DIR: the fork cloned over SSH into DIR, with GF_SSH.
gf_clone() { GIT_SSH_COMMAND=$GF_SSH git clone -q "$SSH_URL" "$1"; }
