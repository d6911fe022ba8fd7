# lib_azure.sh - the simulated Azure side for the image pipeline tests,
# sourced after tests/integration/lib_world.sh or tests/e2e/lib.sh: the two
# local registries (registry.py, with regproxy.py in front of each), the
# walkthrough's six images pushed to upstream (images.py seed-upstream), the
# Azure simulator (azuresim.py), its environment file exported, the control
# APIs (/_sim/... of azuresim and of the registry proxies) with curl, and
# a cleanup that stops those processes by their recorded pids and removes
# its temporary directory, chained before the sourcing library's own.
# POSIX sh.
# Variables set here are used by the scripts that source this file.
# shellcheck shell=sh disable=SC2317,SC2034

AZ_ROOT=$(pwd)
AZ_SIM=$AZ_ROOT/tests/sim
AZ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/jd-az.XXXXXX") || exit 2
AZ_REG=$AZ_TMP/reg # registry.py's directory (ca.crt, acr_url, logs)
AZ_DIR=$AZ_TMP/az  # azuresim.py's directory (url, jumpdeck-azure.env)
AZ_LOG=$AZ_TMP/up.log
AZ_SEED=$AZ_TMP/seed.json # what seed-upstream printed (digests)
AZ_REG_UP=0
AZ_SIM_UP=0

# ---------------------------------------------------------------- cleanup

az_cleanup() {
	if [ "$AZ_SIM_UP" -eq 1 ]; then
		python3 "$AZ_SIM/azuresim.py" down --dir "$AZ_DIR" >/dev/null 2>&1
		AZ_SIM_UP=0
	fi
	if [ "$AZ_REG_UP" -eq 1 ]; then
		python3 "$AZ_SIM/registry.py" down --dir "$AZ_REG" >/dev/null 2>&1
		AZ_REG_UP=0
	fi
	rm -rf "$AZ_TMP"
}

# Run before the cleanup of the library sourced first (it ends jumpdeck
# sessions and removes its own directory).
if command -v lw_cleanup >/dev/null 2>&1; then
	trap 'az_cleanup; lw_cleanup' EXIT
elif command -v e2e_cleanup >/dev/null 2>&1; then
	trap 'az_cleanup; e2e_cleanup' EXIT
else
	trap az_cleanup EXIT
fi
trap 'exit 1' INT TERM HUP PIPE

# ---------------------------------------------------------------- start

# az_up: registries, upstream images, Azure simulator; then the client
# environment: the simulator's endpoints, its service principal as
# AZURE_CLIENT_ID/SECRET, and JUMPDECK_REGISTRY unset so that jumpdeck reads
# the registry from the deployment's outputs. Fails with the launchers'
# output in $AZ_LOG.
az_up() {
	AZ_REG_UP=1
	python3 "$AZ_SIM/registry.py" up --dir "$AZ_REG" >"$AZ_LOG" 2>&1 ||
		return 1
	python3 "$AZ_SIM/images.py" seed-upstream --dir "$AZ_REG" \
		>"$AZ_SEED" 2>>"$AZ_LOG" || return 1
	AZ_SIM_UP=1
	python3 "$AZ_SIM/azuresim.py" up --dir "$AZ_DIR" \
		--registry-dir "$AZ_REG" >>"$AZ_LOG" 2>&1 || return 1
	set -a
	# shellcheck disable=SC1091
	. "$AZ_DIR/jumpdeck-azure.env"
	set +a
	AZURE_CLIENT_ID=$JUMPDECK_SIM_CLIENT_ID
	AZURE_CLIENT_SECRET=$JUMPDECK_SIM_CLIENT_SECRET
	export AZURE_CLIENT_ID AZURE_CLIENT_SECRET
	unset JUMPDECK_REGISTRY
	AZ_URL=$(cat "$AZ_DIR/url")
	AZ_CA=$AZ_DIR/ca.crt
	AZ_SUB=$AZURE_SUBSCRIPTION_ID
	AZ_RG=$JUMPDECK_RESOURCE_GROUP
	AZ_ACR=$(cat "$AZ_REG/acr_name")
	# ARM paths, for fault rules and the request log
	AZ_DEPLOYMENTS=/subscriptions/$AZ_SUB/resourcegroups/$AZ_RG/providers/Microsoft.Resources/deployments
	AZ_IMPORT=/subscriptions/$AZ_SUB/resourceGroups/$AZ_RG/providers/Microsoft.ContainerRegistry/registries/$AZ_ACR/importImage
	return 0
}

# az_env_words: the client environment as one line of NAME=value words
# (for e2e's JD_ENV; none of the values holds a space).
az_env_words() {
	sed -n 's/^\([A-Z_][A-Z0-9_]*=[^ ]*\)$/\1/p' "$AZ_DIR/jumpdeck-azure.env" |
		grep -v '^JUMPDECK_REGISTRY=' | tr '\n' ' '
	printf 'AZURE_CLIENT_ID=%s AZURE_CLIENT_SECRET=%s' \
		"$AZURE_CLIENT_ID" "$AZURE_CLIENT_SECRET"
}

# ---------------------------------------------------------------- control API

# az_sim METHOD PATH [JSON]: the control API (PATH below /_sim, e.g.
# /faults); the answer on stdout; fails on HTTP errors.
az_sim() {
	if [ $# -ge 3 ]; then
		curl -sSf --max-time 10 --cacert "$AZ_CA" -X "$1" \
			-H 'Content-Type: application/json' --data-binary "$3" \
			"$AZ_URL/_sim$2"
	else
		curl -sSf --max-time 10 --cacert "$AZ_CA" -X "$1" "$AZ_URL/_sim$2"
	fi
}

# az_fault JSON: add a fault rule (quietly).
az_fault() { az_sim POST /faults "$1" >/dev/null; }
# az_config JSON: merge simulator settings (quietly).
az_config() { az_sim POST /config "$1" >/dev/null; }
# az_reset: no fault rules left, the request log emptied, no import delay.
az_reset() {
	az_sim DELETE /faults >/dev/null &&
		az_sim DELETE /requests >/dev/null &&
		az_config '{"import_delay_s": 0}'
}

# az_requests METHOD PATH-PART [STATUS]: how many logged requests have that
# method and a path containing PATH-PART (case-insensitively, as ARM
# compares paths), and that status if given.
az_requests() {
	az_sim GET /requests | python3 -c '
import json, sys
method, part = sys.argv[1], sys.argv[2].lower()
status = int(sys.argv[3]) if len(sys.argv) > 3 else None
n = 0
for r in json.load(sys.stdin):
    if r.get("method") != method or part not in r.get("path", "").lower():
        continue
    if status is not None and r.get("status") != status:
        continue
    n += 1
print(n)' "$@"
}

# az_seed_digest REPO:TAG [PLATFORM]: the digest seed-upstream reported for
# it; with PLATFORM (linux/arm64), that platform's manifest in its index.
az_seed_digest() {
	python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))[sys.argv[2]]
print(i["platforms"][sys.argv[3]] if len(sys.argv) > 3 else i["digest"])' \
		"$AZ_SEED" "$@"
}

# az_push REPO TAG CONTENT: a different image pushed straight to the acr
# registry; its digest on stdout.
az_push() {
	python3 "$AZ_SIM/images.py" push --dir "$AZ_REG" --registry acr \
		--repo "$1" --tag "$2" --content "$3" | python3 -c '
import json, sys
print(json.load(sys.stdin)["digest"])'
}

# az_digest REGISTRY REPO TAG: the digest of REPO:TAG in acr or upstream
# (nothing when it is not there).
az_digest() {
	python3 "$AZ_SIM/images.py" digest --dir "$AZ_REG" --registry "$1" \
		--repo "$2" --ref "$3" 2>/dev/null
}

# ---------------------------------------------------------------- registries

# az_reg_fault acr|upstream JSON: a fault rule for the proxy in front of
# that registry (tests/sim/regproxy.py), e.g. a 429 or 503.
az_reg_fault() {
	curl -sSf --max-time 10 --cacert "$AZ_CA" -X POST \
		-H 'Content-Type: application/json' --data-binary "$2" \
		"$(cat "$AZ_REG/$1_url")/_sim/faults" >/dev/null
}

# az_reg_reset: no fault rules and empty request logs in both proxies.
az_reg_reset() {
	for r in acr upstream; do
		for what in faults requests; do
			curl -sSf --max-time 10 --cacert "$AZ_CA" -X DELETE \
				"$(cat "$AZ_REG/${r}_url")/_sim/$what" >/dev/null ||
				return 1
		done
	done
}

# az_reg_requests acr|upstream METHOD PATH [STATUS]: how many requests the
# registry behind that proxy got with that method and path (and status).
az_reg_requests() {
	curl -sSf --max-time 10 --cacert "$AZ_CA" \
		"$(cat "$AZ_REG/$1_url")/_sim/requests" | python3 -c '
import json, sys
method, path = sys.argv[1], sys.argv[2]
status = int(sys.argv[3]) if len(sys.argv) > 3 else None
print(sum(1 for r in json.load(sys.stdin) if r.get("method") == method and
          r.get("path") == path and (status is None or
                                     r.get("status") == status)))' "$2" "$3" \
		${4:+"$4"}
}

# az_push_upstream REPO TAG [images.py push options...]: an image pushed to
# the upstream registry; images.py's JSON on stdout.
az_push_upstream() {
	r=$1
	t=$2
	shift 2
	python3 "$AZ_SIM/images.py" push --dir "$AZ_REG" --registry upstream \
		--repo "$r" --tag "$t" "$@"
}
