#!/bin/sh
# test_leaks_cli.sh - every CLI command under valgrind against the
# simulated cluster (with Flux) and the Azure side: status, flux, check,
# reconcile, suspend and resume, why, images, scans, import, promote,
# bootstrap, audit verify, and the same commands while a backend fails (a
# 503 from the API server, ARM throttling, a registry cutting its answers
# short), where the error paths free what they took. Each run: the exit
# status the command gives there (so the path named was taken), no
# definite or indirect leak, no invalid read or write. Runs that do not
# depend on each other go two at a time. tests/integration/test_leaks.sh
# covers nodes, cordon and a TUI session. Skips without valgrind.
# TAP-like lines.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl valgrind
. tests/integration/lib_azure.sh

D=$LW_TMP/world
N=0
VG_STARTED="" # runs started and not yet checked

# vg_start NAME RC ARGS...: jumpdeck ARGS under valgrind, in the
# background; vg_wait checks that it exits RC (what the command gives in
# that world without valgrind), with no leak and no invalid access.
# Memcheck does not track uninitialised values here (a large part of its
# cost under load): this test is about what is freed and what is touched
# out of bounds or after free; test_leaks.sh's runs keep every check.
vg_start() {
	N=$((N + 1))
	printf '%s\n' "$1" >"$LW_TMP/vg$N.name"
	printf '%s\n' "$2" >"$LW_TMP/vg$N.want"
	shift 2
	printf '%s\n' "$*" >"$LW_TMP/vg$N.args"
	lw_bg "$LW_TMP/vg$N.out" timeout 300 valgrind -q --leak-check=full \
		--undef-value-errors=no --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$LW_TMP/vg$N.log" "$JD" "$@"
	printf '%s\n' "$LW_BG_PID" >"$LW_TMP/vg$N.pid"
	VG_STARTED="$VG_STARTED $N"
}

# vg_wait: waits for every run started and checks each, in order.
vg_wait() {
	for _i in $VG_STARTED; do
		_pid=$(cat "$LW_TMP/vg$_i.pid")
		wait "$_pid"
		_rc=$?
		# reaped here: the cleanup must not signal that pid again
		_rest=""
		for _p in $LW_PIDS; do
			[ "$_p" = "$_pid" ] || _rest="$_rest $_p"
		done
		LW_PIDS=$_rest
		_name=$(cat "$LW_TMP/vg$_i.name")
		_want=$(cat "$LW_TMP/vg$_i.want")
		{
			echo "\$ jumpdeck $(cat "$LW_TMP/vg$_i.args") (exit $_rc)"
			head -c 3000 "$LW_TMP/vg$_i.out"
			echo "--- valgrind:"
			head -60 "$LW_TMP/vg$_i.log"
		} >"$LW_OUT"
		check "$_name: exits $_want (saw $_rc)" test "$_rc" -eq "$_want"
		check "$_name: no leak, no invalid access under valgrind" \
			sh -c "[ $_rc -ne 99 ] && [ $_rc -ne 124 ] &&
				! grep -q 'definitely lost\|indirectly lost\|Invalid \(read\|write\)' '$LW_TMP/vg$_i.log'"
	done
	VG_STARTED=""
}

# The cluster starts while the Azure side does: world.py directly, in
# the background (lw_world_up there would add it to the cleanup list of a
# subshell).
LW_WORLDS="$LW_WORLDS $D"
python3 "$LW_WORLD_PY" up --dir "$D" --scenario demo --flap-seconds 0 \
	>"$LW_TMP/world.log" 2>&1 &
world_pid=$!
az_up
az_rc=$?
wait "$world_pid"
world_rc=$?
if [ "$world_rc" -ne 0 ]; then
	cat "$LW_TMP/world.log" >"$LW_OUT"
	not_ok "world up"
	lw_finish
fi
KUBECONFIG=$D/kubeconfig
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export KUBECONFIG JUMPDECK_AUDIT_LOG
if [ "$az_rc" -ne 0 ]; then
	cat "$AZ_LOG" >"$LW_OUT"
	not_ok "Azure simulator and registries up"
	lw_finish
fi

# The demo world: one Kustomization failing (status, flux, check and why
# exit 1), nothing promoted yet (images and bootstrap exit 1), no scanner
# answering about the images (scans exits 1).
# flux --json and images --json print with the same functions as
# status --json (flux_to_json, images_to_json): not run again.
vg_start "status" 1 status
vg_start "images" 1 images
vg_wait
vg_start "status --json" 1 status --json
vg_start "scans" 1 scans
vg_wait
vg_start "flux" 1 flux
vg_start "check" 1 check
vg_wait
vg_start "why" 1 why ks falco-system
vg_start "bootstrap" 1 bootstrap
vg_wait
# Two changes side by side: one on the cluster, one in the registry.
vg_start "suspend" 0 suspend ks cluster-baseline-settings
vg_start "import" 0 import docker.io/library/busybox:1.33.0
vg_wait
vg_start "resume" 0 resume ks cluster-baseline-settings
vg_start "promote" 0 promote docker.io/library/busybox:1.33.0 \
	--override-gate --reason "leak test"
vg_wait
vg_start "reconcile (gives up after 2 s)" 1 reconcile ks \
	cluster-baseline-settings --timeout 2s
vg_start "audit verify" 0 audit verify
vg_wait

# The error paths; a fault on one side runs beside a command that asks
# only the other side.
# kube-apiserver answers 503 ServiceUnavailable while etcd is unreachable;
# ARM's subscription read limit answers 429 SubscriptionRequestsThrottled
# with Retry-After in seconds. flux asks only the cluster, images only
# Azure and the registries.
lw_sim "$D" POST /_sim/faults '{"path_prefix": "/api", "status": 503,
	"times": 100000}' >/dev/null
az_fault '{"path_prefix": "/subscriptions", "status": 429,
	"retry_after": 1, "times": 100000}'
vg_start "flux with the API server answering 503" 1 flux
vg_start "images with ARM throttling" 1 images
vg_wait
az_sim DELETE /faults >/dev/null
vg_start "status with the API server answering 503" 1 status
vg_wait
lw_sim "$D" DELETE /_sim/faults >/dev/null
# A registry connection cut mid-answer (a proxy or load balancer resetting
# it): half of every /v2/ body, then the connection closes.
az_reg_fault acr '{"path_prefix": "/v2/", "action": "truncate",
	"times": 100000}'
vg_start "images with the registry cutting answers short" 1 images
vg_start "import with the registry cutting answers short" 1 import \
	docker.io/weaveworks/kured:1.6.1
vg_wait

lw_finish
