#!/bin/sh
# test_flux_eras.sh - jumpdeck against Flux as three real releases serve
# it (tests/sim/fluxworld.py --era): v0.8 as the walkthrough installs it
# (every kind at v1beta1), Flux 2.0 (GitRepository and Kustomization at
# v1; HelmRepository, Bucket and OCIRepository at v1beta2; HelmRelease at
# v2beta1) and current Flux (v1 only). In each: every kind the cluster has
# is shown, at the version it is served, reconcile finds each kind where it
# is served, and while the stand-in controller is between the intermediate
# state (Reconciling, Ready Unknown) and the final one the object shows as
# progressing. TAP-like lines.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl

LANG=C.UTF-8
export LANG

has() {
	for t in "$@"; do
		grep -qF -- "$t" "$LW_OUT" && continue
		echo "#   missing: $t"
		return 1
	done
}

# objects WANT: `jumpdeck flux --json` (in STDOUT) lists exactly these
# objects, each "Kind/name@apiVersion", sources and the rest alike.
objects() {
	python3 - "$STDOUT" "$*" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted("%s/%s@%s" % (o["kind"], o["name"], o["apiVersion"])
             for o in d["sources"] + d["kustomizations"])
want = sorted(sys.argv[2].split())
if got != want:
    print("#   got:      " + " ".join(got))
    print("#   expected: " + " ".join(want))
    sys.exit(1)
EOF
}

# state_of KIND NAME: the state `jumpdeck flux --json` gives the object.
state_of() {
	python3 - "$STDOUT" "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for o in d["sources"] + d["kustomizations"]:
    if o["kind"] == sys.argv[2] and o["name"] == sys.argv[3]:
        print(o["state"])
EOF
}

# annotate PATH KEY VALUE: merge-patch one annotation onto an object.
annotate() {
	body=$(python3 -c 'import json, sys
print(json.dumps({"metadata": {"annotations": {sys.argv[1]: sys.argv[2]}}}))' \
		"$2" "$3")
	lw_api "$D" PATCH "$1" "$body" application/merge-patch+json \
		>"$LW_OUT" 2>&1
}

S=/apis/source.toolkit.fluxcd.io
K=/apis/kustomize.toolkit.fluxcd.io

era_tests() {
	ERA=$1
	shift
	WANT=$*
	D=$LW_TMP/world-$ERA
	if ! lw_world_up "$D"; then
		not_ok "[$ERA] world up"
		return
	fi
	if ! python3 "$LW_FLUX_PY" seed --dir "$D" --era "$ERA" \
		--scenario kinds >"$LW_OUT" 2>&1; then
		not_ok "[$ERA] Flux seeded (scenario kinds)"
		lw_world_down "$D"
		return
	fi
	KUBECONFIG=$D/kubeconfig
	JUMPDECK_AUDIT_LOG=$LW_TMP/audit-$ERA.log
	export KUBECONFIG JUMPDECK_AUDIT_LOG

	jd flux --json
	check "[$ERA] flux --json exits 0 (everything is Ready)" rc_is 0
	check "[$ERA] every kind the cluster has, at the version it serves" \
		objects "$WANT"

	lw_bg "$LW_TMP/controller-$ERA.log" python3 "$LW_FLUX_PY" \
		controller --dir "$D" --delay 1
	ctl=$LW_BG_PID
	jd reconcile helmrepository podinfo
	check "[$ERA] reconcile helmrepository podinfo exits 0" rc_is 0
	check "[$ERA] ... waited for the controller, then Ready" \
		has "HelmRepository/flux-system/podinfo: waiting for the controller" \
		"HelmRepository/flux-system/podinfo: Ready"
	jd reconcile bucket manifests
	check "[$ERA] reconcile bucket manifests exits 0" rc_is 0
	case $ERA in
	v0.8) ;;
	*)
		jd reconcile ks podinfo-oci --with-source
		check "[$ERA] reconcile ks podinfo-oci --with-source exits 0" \
			rc_is 0
		check "[$ERA] ... the OCIRepository first, then the Kustomization" \
			has "OCIRepository/flux-system/podinfo-oci: Ready" \
			"Kustomization/flux-system/podinfo-oci: Ready"
		;;
	esac
	lw_stop "$ctl"

	# The controller between its two updates: Reconciling True and Ready
	# Unknown (v0.8: Ready Unknown) until the final status arrives.
	lw_bg "$LW_TMP/controller2-$ERA.log" python3 "$LW_FLUX_PY" \
		controller --dir "$D" --delay 6
	ctl=$LW_BG_PID
	KSV=$(python3 -c "import sys
sys.path.insert(0, 'tests/sim')
import fluxworld
print(fluxworld.api_version(fluxworld.era_of('$ERA'), 'kustomizations'))")
	annotate "/apis/$KSV/namespaces/flux-system/kustomizations/flux-system" \
		reconcile.fluxcd.io/requestedAt "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	state=""
	i=0
	while [ $i -lt 40 ]; do
		jd flux --json
		state=$(state_of Kustomization flux-system)
		[ "$state" = Progressing ] && break
		sleep 0.1
		i=$((i + 1))
	done
	check "[$ERA] while the controller works: the Kustomization is Progressing (was $state)" \
		test "$state" = Progressing
	check "[$ERA] ... and flux exits 1 meanwhile" rc_is 1
	i=0
	while [ $i -lt 100 ]; do
		jd flux --json
		state=$(state_of Kustomization flux-system)
		[ "$state" = Ready ] && break
		sleep 0.1
		i=$((i + 1))
	done
	check "[$ERA] then Ready again (was $state)" test "$state" = Ready
	lw_stop "$ctl"
	lw_world_down "$D"
}

era_tests v0.8 \
	GitRepository/flux-system@source.toolkit.fluxcd.io/v1beta1 \
	HelmRepository/podinfo@source.toolkit.fluxcd.io/v1beta1 \
	Bucket/manifests@source.toolkit.fluxcd.io/v1beta1 \
	Kustomization/flux-system@kustomize.toolkit.fluxcd.io/v1beta1
era_tests 2.0 \
	GitRepository/flux-system@source.toolkit.fluxcd.io/v1 \
	OCIRepository/podinfo-oci@source.toolkit.fluxcd.io/v1beta2 \
	HelmRepository/podinfo@source.toolkit.fluxcd.io/v1beta2 \
	Bucket/manifests@source.toolkit.fluxcd.io/v1beta2 \
	Kustomization/flux-system@kustomize.toolkit.fluxcd.io/v1 \
	Kustomization/podinfo-oci@kustomize.toolkit.fluxcd.io/v1 \
	HelmRelease/podinfo@helm.toolkit.fluxcd.io/v2beta1
era_tests current \
	GitRepository/flux-system@source.toolkit.fluxcd.io/v1 \
	OCIRepository/podinfo-oci@source.toolkit.fluxcd.io/v1 \
	HelmRepository/podinfo@source.toolkit.fluxcd.io/v1 \
	Bucket/manifests@source.toolkit.fluxcd.io/v1 \
	Kustomization/flux-system@kustomize.toolkit.fluxcd.io/v1 \
	Kustomization/podinfo-oci@kustomize.toolkit.fluxcd.io/v1
lw_finish
