#!/bin/sh
# test_leaks_cli.sh - every CLI command under valgrind against the
# simulated cluster (with Flux) and the Azure side: status, flux, check,
# reconcile, suspend and resume, images, import, promote, audit verify,
# and the same commands while a backend fails (a 503 from the API server,
# ARM throttling, a registry cutting its answers short), where the error
# paths free what they took. Each run: no definite or indirect leak, no
# invalid read or write. tests/integration/test_leaks.sh covers nodes,
# cordon and a TUI session. Skips without valgrind. TAP-like lines.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl valgrind
. tests/integration/lib_azure.sh

D=$LW_TMP/world
N=0

# vg NAME ARGS...: jumpdeck ARGS under valgrind; checks its log.
vg() {
	_name=$1
	shift
	N=$((N + 1))
	_log=$LW_TMP/vg$N.log
	timeout 300 valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$_log" "$JD" "$@" </dev/null >"$LW_TMP/vg.out" 2>&1
	_rc=$?
	{
		echo "\$ jumpdeck $* (exit $_rc)"
		head -60 "$_log"
	} >"$LW_OUT"
	check "$_name: no leak, no invalid access under valgrind" \
		sh -c "[ $_rc -ne 99 ] && [ $_rc -ne 124 ] &&
			! grep -q 'definitely lost\|indirectly lost\|Invalid \(read\|write\)' '$_log'"
}

if ! lw_world_up "$D" --scenario demo --flap-seconds 0; then
	not_ok "world up"
	lw_finish
fi
KUBECONFIG=$D/kubeconfig
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export KUBECONFIG JUMPDECK_AUDIT_LOG
if ! az_up; then
	cat "$AZ_LOG" >"$LW_OUT"
	not_ok "Azure simulator and registries up"
	lw_finish
fi

vg "status" status
vg "status --json" status --json
vg "flux" flux
vg "flux --json" flux --json
vg "check" check
vg "suspend" suspend ks cluster-baseline-settings
vg "resume" resume ks cluster-baseline-settings
vg "reconcile (gives up after 2 s)" reconcile ks cluster-baseline-settings \
	--timeout 2s
vg "images" images
vg "images --json" images --json
vg "import" import docker.io/library/busybox:1.33.0
vg "promote" promote docker.io/library/busybox:1.33.0 --force
vg "audit verify" audit verify

# The error paths.
lw_sim "$D" POST /_sim/faults '{"path_prefix": "/api", "status": 503,
	"times": 100000}' >/dev/null
vg "flux with the API server answering 503" flux
vg "status with the API server answering 503" status
lw_sim "$D" DELETE /_sim/faults >/dev/null
az_fault '{"path_prefix": "/subscriptions", "status": 429,
	"retry_after": 1, "times": 100000}'
vg "images with ARM throttling" images
az_sim DELETE /faults >/dev/null
az_reg_fault acr '{"path_prefix": "/v2/", "action": "truncate",
	"times": 100000}'
vg "images with the registry cutting answers short" images
vg "import with the registry cutting answers short" import \
	docker.io/weaveworks/kured:1.6.1

lw_finish
