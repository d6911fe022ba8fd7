#!/bin/sh
# test_flux_drift.sh - is Flux at its repository's HEAD? Real Git servers
# (git http-backend over HTTPS, Debian's sshd over SSH) against
# GitRepositories whose secrets carry the CA, basic auth, identity and
# known_hosts; a wrong known_hosts and an unreachable remote.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$PWD/$BUILD/jumpdeck
fail=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; echo "$out"; fi; }

if [ ! -x /usr/sbin/sshd ] || ! command -v git >/dev/null; then
	echo "skip - sshd or git not installed"
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/jd-drift.XXXXXX")
cleanup() {
	python3 tests/sim/gitserve.py down --dir "$dir/git" >/dev/null 2>&1
	python3 tests/sim/world.py down --dir "$dir/k" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
python3 tests/sim/gitserve.py up --dir "$dir/git" >"$dir/git.log" 2>&1 ||
	{ cat "$dir/git.log"; nok "git servers start"; exit 1; }
python3 tests/sim/world.py up --dir "$dir/k" --scenario nodes >/dev/null 2>&1 ||
	{ nok "simulator starts"; exit 1; }
head=$(python3 tests/sim/fluxworld.py seed-drift --dir "$dir/k" --gitdir "$dir/git" --api v1) ||
	{ nok "seed"; exit 1; }
export KUBECONFIG="$dir/k/kubeconfig" JUMPDECK_AUDIT_LOG="$dir/audit.log"

state() { # json name -> "state|message"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["remote"]:
    if r["name"] == sys.argv[2]:
        print(r["state"] + "|" + r["message"] + "|" + r["remoteRevision"])' "$1" "$2"
}

"$bin" flux --json >"$dir/1.json" 2>"$dir/1.err"
rc=$?
out=$(cat "$dir/1.err")
check "flux --json answers (exit 1: one repository is behind)" '[ $rc -eq 1 ]'
out=$(state "$dir/1.json" https-repo)
check "HTTPS with basic auth and the secret's CA: in sync" \
	'echo "$out" | grep -q "^in sync|in sync at $(echo $head | cut -c1-8)|$head"'
out=$(state "$dir/1.json" ssh-repo)
check "SSH with the secret's identity and known_hosts: behind, both commits named" \
	'echo "$out" | grep -q "^behind|behind: remote at $(echo $head | cut -c1-8), Flux at 1a2b3c4d"'
out=$(state "$dir/1.json" ssh-mismatch)
check "SSH with a wrong known_hosts: a host key mismatch with both fingerprints" \
	'echo "$out" | grep -q "host key mismatch: the server presented SHA256:.*, known_hosts expects SHA256:"'
out=$(state "$dir/1.json" unreachable)
check "an unreachable remote: cannot reach" \
	'echo "$out" | grep -q "could not check: cannot reach https://127.0.0.1:1"'

# The remote moves on: the in-sync repository is now behind.
new=$(python3 tests/sim/gitserve.py commit --dir "$dir/git" | tail -1)
"$bin" flux --json >"$dir/2.json" 2>/dev/null
out=$(state "$dir/2.json" https-repo)
check "after a new commit on the remote, Flux is behind it" \
	'echo "$out" | grep -q "^behind|behind: remote at $(echo $new | cut -c1-8)"'

out=$("$bin" check 2>&1)
check "check fails on the behind repository and the key mismatch" \
	'echo "$out" | grep -q "✗ GitRepository flux-system/ssh-repo against its remote: behind" &&
	 echo "$out" | grep -q "✗ GitRepository flux-system/ssh-mismatch against its remote: could not check: .*host key mismatch"'
check "check only warns when the remote cannot be reached" \
	'echo "$out" | grep -q "^! GitRepository flux-system/unreachable against its remote"'

# A secret the operator may not read: said, and the check goes on.
printf '[{"user":"admin","verb":"get","resource":"secrets"}]' >"$dir/k/deny.json"
"$bin" flux --json >"$dir/3.json" 2>/dev/null
out=$(state "$dir/3.json" https-repo)
check "an unreadable secret is named in the reason" \
	'echo "$out" | grep -q "secret https-cred: secrets \"https-cred\" is forbidden"'
rm -f "$dir/k/deny.json"
exit $fail
