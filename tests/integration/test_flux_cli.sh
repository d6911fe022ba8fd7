#!/bin/sh
# test_flux_cli.sh - `jumpdeck flux`, `check`, `reconcile`, `suspend` and
# `resume` against simulated clusters, once with Flux as the walkthrough
# bootstraps it (v1beta1 APIs, v0.8 controllers without the part-of label)
# and once as current Flux serves it (v1): every state of the "states"
# scenario, short revisions, the dependency root cause, JSON, the ASCII
# fallback, a 403 on the controllers, the reconcile round trip with the
# stand-in controller of tests/sim/fluxworld.py, the audit records, and
# last, with the objects that are not Ready deleted, exit 0. Before Flux is
# seeded, the same cluster without Flux. TAP-like lines; about a minute.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl

KUBECTL=${KUBECTL:-kubectl}
HAVE_KUBECTL=0
command -v "$KUBECTL" >/dev/null 2>&1 && HAVE_KUBECTL=1
BLOCK=$LW_TMP/block
SHA=5f3c2a1b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a
NEW_SHA=0123456789abcdef0123456789abcdef01234567
KS_RES=kustomizations.kustomize.toolkit.fluxcd.io
FORBIDDEN='deployments.apps is forbidden: User "viewer" cannot list resource "deployments" in API group "apps" in the namespace "flux-system"'
# Every terminal-facing run gets UTF-8 unless a test says otherwise.
LANG=C.UTF-8
export LANG

# ---------------------------------------------------------------- helpers

# jd (lib_world.sh) runs jumpdeck: rc, STDOUT, STDERR, LW_OUT.
# contains FILE TEXT...: FILE holds every TEXT (the missing one is named).
contains() {
	f=$1
	shift
	for t in "$@"; do
		grep -qF -- "$t" "$f" && continue
		echo "#   missing: $t"
		return 1
	done
}
has() { contains "$LW_OUT" "$@"; }
out_has() { contains "$STDOUT" "$@"; }
err_has() { contains "$STDERR" "$@"; }
lacks() { ! grep -qF -- "$1" "$LW_OUT"; }
# out_lines RE...: each extended regular expression matches a stdout line.
out_lines() {
	for re in "$@"; do
		grep -Eq -- "$re" "$STDOUT" && continue
		echo "#   no line matches: $re"
		return 1
	done
}

# block N: the Nth blank-line separated block of the last stdout, to BLOCK
# (1 controllers, 2 sources, 3 kustomizations).
block() {
	awk -v n="$1" 'BEGIN { RS = "" } NR == n { print }' "$STDOUT" \
		>"$BLOCK"
}

# cell NAME COLUMN: the cell of the row named NAME in BLOCK. Columns are
# at least three spaces apart; cells hold single spaces at most.
cell() {
	awk -v name="$1" -v col="$2" '
	{ n = split($0, f, /   +/) }
	NR == 1 {
		for (i = 1; i <= n; i++) {
			if (f[i] == col) c = i
			if (f[i] == "NAME") k = i
		}
		next
	}
	c && k && f[k] == name { print f[c]; exit }
	' "$BLOCK"
}

# cells COLUMN NAME=VALUE...: every named row of BLOCK has that value in
# COLUMN; mismatches are printed as comments.
cells() {
	col=$1
	shift
	bad=0
	for pair in "$@"; do
		name=${pair%%=*}
		want=${pair#*=}
		got=$(cell "$name" "$col")
		if [ "$got" != "$want" ]; then
			echo "#   $name: $col is \"$got\", expected \"$want\""
			bad=1
		fi
	done
	return $bad
}

# cell_has NAME COLUMN TEXT: the cell contains TEXT.
cell_has() {
	got=$(cell "$1" "$2")
	case $got in
	*"$3"*) return 0 ;;
	esac
	echo "#   $1: $2 is \"$got\", expected it to contain \"$3\""
	return 1
}

# rows NAME...: BLOCK has a row for each name, and no other rows.
rows() {
	want=$(printf '%s\n' "$@" | sort)
	got=$(awk -v k=0 '
	{ n = split($0, f, /   +/) }
	NR == 1 { for (i = 1; i <= n; i++) if (f[i] == "NAME") k = i; next }
	k { print f[k] }' "$BLOCK" | sort)
	[ "$got" = "$want" ] && return 0
	echo "#   rows: $(echo "$got" | tr '\n' ' ')"
	echo "#   expected: $(echo "$want" | tr '\n' ' ')"
	return 1
}

# line_no FILE TEXT: the number of the first line of FILE containing TEXT.
line_no() { grep -nF -- "$2" "$1" | head -1 | cut -d: -f1; }

# before FILE A B: A occurs on an earlier line of FILE than B.
before() {
	a=$(line_no "$1" "$2")
	b=$(line_no "$1" "$3")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# pyjson FILE CODE: CODE (Python, at column 0) runs with d = the JSON
# document in FILE; a failed assert fails the check.
pyjson() {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$2" "$1"
}

# no_8bit FILE: FILE holds only ASCII bytes.
no_8bit() { ! LC_ALL=C grep -q "$(printf '[\200-\377]')" "$1"; }

# api METHOD PATH [BODY [TYPE]]: admin API call on the current world.
api() { lw_api "$D" "$@" >"$LW_TMP/api.out" 2>&1; }

# ks_annotate NAME KEY=VALUE: annotate a Kustomization (kubectl, else a
# merge patch with curl).
ks_annotate() {
	if [ "$HAVE_KUBECTL" -eq 1 ]; then
		"$KUBECTL" -n flux-system annotate "$KS_RES" "$1" "$2" \
			--overwrite >"$LW_OUT" 2>&1
	else
		key=${2%%=*}
		val=${2#*=}
		body=$(python3 -c 'import json, sys
print(json.dumps({"metadata": {"annotations": {sys.argv[1]: sys.argv[2]}}}))' \
			"$key" "$val")
		lw_api "$D" PATCH "$KS_BASE/$1" "$body" \
			application/merge-patch+json >"$LW_OUT" 2>&1
	fi
}

# ks_suspend_field NAME: spec.suspend of a Kustomization as the server has
# it ("true", "false", "" when unset).
ks_suspend_field() {
	if [ "$HAVE_KUBECTL" -eq 1 ]; then
		"$KUBECTL" -n flux-system get "$KS_RES" "$1" \
			-o jsonpath='{.spec.suspend}' 2>/dev/null
	else
		lw_api "$D" GET "$KS_BASE/$1" | python3 -c 'import json, sys
v = json.load(sys.stdin).get("spec", {}).get("suspend")
print("" if v is None else str(v).lower())'
	fi
}

# requested_and_handled NAME: the Kustomization carries a requestedAt
# annotation and status.lastHandledReconcileAt equals it.
requested_and_handled() {
	lw_api "$D" GET "$KS_BASE/$1" | python3 -c 'import json, sys
o = json.load(sys.stdin)
req = o["metadata"].get("annotations", {}).get(
    "reconcile.fluxcd.io/requestedAt")
assert req, o["metadata"]
assert o["status"].get("lastHandledReconcileAt") == req, o["status"]'
}

# marks_ok OK FAIL WARN: every line of the last `check` output but the
# closing one starts with the OK or FAIL mark, or with WARN when it is about
# a GitRepository's remote; offenders are printed.
marks_ok() {
	awk -v ok="$1" -v bad="$2" -v warn="$3" '
	{ lines[NR] = $0 }
	END {
		for (i = 1; i < NR; i++) {
			m = lines[i]
			sub(/ .*/, "", m)
			if (m == ok || m == bad) continue
			if (m == warn && lines[i] ~ /against its remote/) continue
			print "#   unexpected mark: " lines[i]
			e = 1
		}
		exit e
	}' "$STDOUT"
}

# elapsed_between LOW HIGH: the last timed run took LOW..HIGH seconds.
elapsed_between() { [ "$elapsed" -ge "$1" ] && [ "$elapsed" -le "$2" ]; }

# ---------------------------------------------------------------- offline

jd reconcile frobnicator flux-system
check "reconcile of an unknown kind exits 2 (no cluster needed)" rc_is 2
check "reconcile of an unknown kind names it" has 'unknown kind "frobnicator"'

# ---------------------------------------------------------------- no Flux

# no_flux_tests: the world is up, Flux is not (yet) installed.
no_flux_tests() {
	jd flux
	check "no Flux: flux exits 1" rc_is 1
	check "no Flux: flux says Flux is not installed" \
		err_has "Flux is not installed"
	jd check
	check "no Flux: check exits 1" rc_is 1
	check "no Flux: ✗ Flux is not installed" \
		out_has "✗ Flux is not installed"
	jd check --json
	check "no Flux: check --json valid, ok=false, names it" pyjson "$STDOUT" "
assert d['ok'] is False
assert any('Flux is not installed' in c['message'] and not c['ok']
           for c in d['checks']), d"
	jd reconcile ks flux-system --timeout 2s
	check "no Flux: reconcile exits 1" rc_is 1
	check "no Flux: reconcile says why" has "is Flux installed?"
}

# ---------------------------------------------------------------- per era

# era_tests ERA (v1beta1 or v1): a world with the "states" scenario.
era_tests() {
	ERA=$1
	D=$LW_TMP/world-$ERA
	KS_BASE=/apis/kustomize.toolkit.fluxcd.io/$ERA/namespaces/flux-system/kustomizations
	GIT_BASE=/apis/source.toolkit.fluxcd.io/$ERA/namespaces/flux-system/gitrepositories
	DEPLOY_BASE=/apis/apps/v1/namespaces/flux-system/deployments
	AUDIT=$LW_TMP/audit-$ERA.log
	KUBECONFIG=$D/kubeconfig
	JUMPDECK_AUDIT_LOG=$AUDIT
	export KUBECONFIG JUMPDECK_AUDIT_LOG
	if [ "$ERA" = v1 ]; then
		TAG=v1.8.0
		LABELED=True
		GIT_CRD="gitrepositories.source.toolkit.fluxcd.io: served v1, stored v1"
		KS_CRD="kustomizations.kustomize.toolkit.fluxcd.io: served v1, stored v1"
		BUCKET_CRD="buckets.source.toolkit.fluxcd.io: served v1, stored v1"
		CONTROLLERS="kustomize-controller source-controller source-watcher"
	else
		TAG=v0.8.1
		LABELED=False
		GIT_CRD="gitrepositories.source.toolkit.fluxcd.io: served v1beta1, stored v1beta1"
		KS_CRD="kustomizations.kustomize.toolkit.fluxcd.io: served v1beta1, stored v1beta1"
		BUCKET_CRD="buckets.source.toolkit.fluxcd.io: served v1beta1, stored v1beta1"
		CONTROLLERS="kustomize-controller source-controller"
	fi
	NCONTROLLERS=$(echo "$CONTROLLERS" | wc -w)

	if ! lw_world_up "$D" --bookmark-interval 1; then
		not_ok "[$ERA] world up"
		return
	fi
	# The walkthrough's cluster before Flux is bootstrapped.
	[ "$ERA" = v1beta1 ] && no_flux_tests
	if ! python3 "$LW_FLUX_PY" seed --dir "$D" --api "$ERA" \
		--scenario states >"$LW_OUT" 2>&1; then
		not_ok "[$ERA] Flux seeded (states)"
		lw_world_down "$D"
		return
	fi
	# A workload in flux-system that is no Flux controller (no label, not
	# a known name); in the v1 era also a controller found only by its
	# app.kubernetes.io/part-of=flux label.
	api POST "$DEPLOY_BASE" '{"apiVersion":"apps/v1","kind":"Deployment",
"metadata":{"name":"podinfo","namespace":"flux-system"},
"spec":{"replicas":1,"selector":{"matchLabels":{"app":"podinfo"}},
"template":{"metadata":{"labels":{"app":"podinfo"}},
"spec":{"containers":[{"name":"podinfo",
"image":"ghcr.io/stefanprodan/podinfo:6.5.4"}]}}}}'
	seeded=$?
	if [ "$ERA" = v1 ] && [ $seeded -eq 0 ]; then
		api POST "$DEPLOY_BASE" '{"apiVersion":"apps/v1",
"kind":"Deployment","metadata":{"name":"source-watcher",
"namespace":"flux-system","labels":{"app.kubernetes.io/part-of":"flux",
"app.kubernetes.io/component":"source-watcher"}},
"spec":{"replicas":1,"selector":{"matchLabels":{"app":"source-watcher"}},
"template":{"metadata":{"labels":{"app":"source-watcher"}},
"spec":{"containers":[{"name":"manager",
"image":"acraksdemo.azurecr.io/live/fluxcd/source-watcher:v1.8.0"}]}}}}' &&
			api PATCH "$DEPLOY_BASE/source-watcher/status" '{"status":{
"observedGeneration":1,"replicas":1,"readyReplicas":1,"availableReplicas":1,
"updatedReplicas":1,"conditions":[{"type":"Available","status":"True",
"reason":"MinimumReplicasAvailable",
"message":"Deployment has minimum availability."}]}}' \
				application/merge-patch+json
		seeded=$?
	fi
	if [ $seeded -ne 0 ]; then
		cp "$LW_TMP/api.out" "$LW_OUT"
		not_ok "[$ERA] extra Deployments created"
	fi
	ok "[$ERA] world up, Flux $ERA seeded (scenario states)"

	flux_view_tests
	json_tests
	check_tests
	rbac_tests
	reconcile_tests
	audit_tests
	healthy_tests
	lw_world_down "$D"
}

# ---------------------------------------------------------------- flux

flux_view_tests() {
	jd flux
	check "[$ERA] flux exits 1 when objects are not Ready" rc_is 1
	check "[$ERA] flux says nothing on stderr" test ! -s "$STDERR"
	block 1
	# shellcheck disable=SC2086  # one argument per controller
	check "[$ERA] controllers: $CONTROLLERS, nothing else" \
		rows $CONTROLLERS
	# shellcheck disable=SC2046
	check "[$ERA] controllers: READY 1/1" \
		cells READY $(for c in $CONTROLLERS; do echo "$c=1/1"; done)
	# shellcheck disable=SC2046
	check "[$ERA] controllers: AVAILABLE True" \
		cells AVAILABLE $(for c in $CONTROLLERS; do echo "$c=True"; done)
	# shellcheck disable=SC2046
	check "[$ERA] controllers: TAG $TAG" \
		cells TAG $(for c in $CONTROLLERS; do echo "$c=$TAG"; done)
	check "[$ERA] controllers: IMAGE is the repository without the tag" \
		cells IMAGE \
		kustomize-controller=acraksdemo.azurecr.io/live/fluxcd/kustomize-controller \
		source-controller=acraksdemo.azurecr.io/live/fluxcd/source-controller

	block 2
	check "[$ERA] sources: the four GitRepositories of the scenario" \
		rows flux-system broken-repo paused-repo new-repo
	check "[$ERA] sources: STATE Ready, Failed, Ready, Waiting" \
		cells STATE flux-system=Ready broken-repo=Failed \
		paused-repo=Ready new-repo=Waiting
	check "[$ERA] sources: SUSPENDED True only for paused-repo" \
		cells SUSPENDED flux-system=False broken-repo=False \
		paused-repo=True new-repo=False
	check "[$ERA] sources: READY True/False/True/Unknown" \
		cells READY flux-system=True broken-repo=False \
		paused-repo=True new-repo=Unknown
	check "[$ERA] sources: short revision main@5f3c2a1b, '-' when none" \
		cells REVISION flux-system=main@5f3c2a1b \
		paused-repo=main@5f3c2a1b broken-repo=- new-repo=-
	check "[$ERA] sources: new-repo (no status) is waiting to be reconciled" \
		cells MESSAGE "new-repo=waiting to be reconciled"
	check "[$ERA] sources: broken-repo shows the controller's message" \
		cell_has broken-repo MESSAGE "unable to clone: connection refused"
	check "[$ERA] sources: REF branch main" \
		cells REF "flux-system=branch main" "new-repo=branch main"
	check "[$ERA] sources: URL as in the spec" \
		cells URL broken-repo=https://127.0.0.1:1/nowhere.git

	block 3
	check "[$ERA] kustomizations: the eight of the scenario" \
		rows flux-system failing reconciling stalled paused waiting \
		middle fresh
	check "[$ERA] kustomizations: STATE of each" \
		cells STATE flux-system=Ready failing=Failed \
		reconciling=Progressing stalled=Stalled paused=Ready \
		waiting=Waiting middle=Waiting fresh=Waiting
	check "[$ERA] kustomizations: SUSPENDED True only for paused" \
		cells SUSPENDED flux-system=False failing=False \
		reconciling=False stalled=False paused=True waiting=False \
		middle=False fresh=False
	check "[$ERA] kustomizations: REVISION short, the old one for failing" \
		cells REVISION flux-system=main@5f3c2a1b paused=main@5f3c2a1b \
		failing=main@1a2b3c4d fresh=-
	check "[$ERA] kustomizations: ATTEMPTED short" \
		cells ATTEMPTED failing=main@5f3c2a1b waiting=main@5f3c2a1b
	check "[$ERA] kustomizations: fresh is waiting to be reconciled" \
		cells MESSAGE "fresh=waiting to be reconciled"
	check "[$ERA] waiting -> middle -> failing: waiting names flux-system/failing" \
		cell_has waiting MESSAGE \
		"waiting for dependency flux-system/failing: kustomize build failed"
	check "[$ERA] middle names flux-system/failing too" \
		cell_has middle MESSAGE "dependency flux-system/failing"
	check "[$ERA] stalled shows its message" \
		cell_has stalled MESSAGE "invalid 'path': directory not found"
	check "[$ERA] SOURCE is GitRepository/flux-system" \
		cells SOURCE flux-system=GitRepository/flux-system

	check "[$ERA] summary: sources 2/4, kustomizations 2/8, 2 suspended" \
		out_has "sources 2/4 Ready · kustomizations 2/8 Ready · 2 suspended"

	LANG=C jd flux
	check "[$ERA] flux under LANG=C: ASCII summary" \
		out_has "sources 2/4 Ready - kustomizations 2/8 Ready - 2 suspended"
	check "[$ERA] flux under LANG=C: no 8-bit bytes" no_8bit "$STDOUT"
}

json_tests() {
	jd flux --json
	check "[$ERA] flux --json exits 1 as well" rc_is 1
	check "[$ERA] flux --json is valid JSON" python3 -m json.tool "$STDOUT" \
		/dev/null
	check "[$ERA] json summary matches the scenario" pyjson "$STDOUT" "
s = d['summary']
want = dict(controllers=$NCONTROLLERS, controllersReady=$NCONTROLLERS,
            sources=4, sourcesReady=2, kustomizations=8,
            kustomizationsReady=2, helmreleases=0, suspended=2, failed=3,
            waiting=4, progressing=1)
bad = {k: (s.get(k), v) for k, v in want.items() if s.get(k) != v}
assert not bad, bad"
	check "[$ERA] json: dependencyRoot of waiting is flux-system/failing" \
		pyjson "$STDOUT" "
k = {o['name']: o for o in d['kustomizations']}
r = k['waiting']['dependencyRoot']
assert r['status'] == 'notReady', r
assert (r['kind'], r['namespace'], r['name']) == \
    ('Kustomization', 'flux-system', 'failing'), r
assert 'flux-system/failing' in r['message'], r
assert k['waiting']['dependsOn'] == ['flux-system/middle'], k['waiting']
assert k['middle']['dependencyRoot']['name'] == 'failing'
assert k['flux-system']['dependencyRoot'] is None"
	check "[$ERA] json: apiVersion .../$ERA on every object" pyjson "$STDOUT" "
for o in d['sources']:
    assert o['apiVersion'] == 'source.toolkit.fluxcd.io/$ERA', o
for o in d['kustomizations']:
    assert o['apiVersion'] == 'kustomize.toolkit.fluxcd.io/$ERA', o"
	check "[$ERA] json: states, suspended flags, ready bools" pyjson "$STDOUT" "
st = {o['name']: (o['state'], o['suspended'], o['ready'])
      for o in d['sources'] + d['kustomizations'] if o['name'] != 'flux-system'}
want = {'broken-repo': ('Failed', False, False),
        'paused-repo': ('Ready', True, True),
        'new-repo': ('Waiting', False, False),
        'failing': ('Failed', False, False),
        'reconciling': ('Progressing', False, False),
        'stalled': ('Stalled', False, False),
        'paused': ('Ready', True, True),
        'waiting': ('Waiting', False, False),
        'middle': ('Waiting', False, False),
        'fresh': ('Waiting', False, False)}
assert st == want, st"
	check "[$ERA] json: controllers with tag $TAG, labeled=$LABELED" \
		pyjson "$STDOUT" "
c = {x['name']: x for x in d['controllers']}
assert sorted(c) == sorted('$CONTROLLERS'.split()), sorted(c)
for x in c.values():
    assert (x['ready'], x['desired'], x['available']) == (1, 1, True), x
    assert x['tag'] == '$TAG', x
assert c['source-controller']['labeled'] is $LABELED, c['source-controller']
if 'source-watcher' in c:
    assert c['source-watcher']['labeled'] is True"
	check "[$ERA] json: revisions as the server has them, sha extracted" \
		pyjson "$STDOUT" "
s = {o['name']: o for o in d['sources']}
assert s['flux-system']['sha'] == '$SHA', s['flux-system']
assert s['flux-system']['revision'] in ('main/$SHA', 'main@sha1:$SHA')"
}

# ---------------------------------------------------------------- check

check_tests() {
	jd check
	check "[$ERA] check exits 1 with failing objects" rc_is 1
	check "[$ERA] check: ✓ Kubernetes API answers" \
		grep -q '^✓ Kubernetes API https://127.0.0.1:[0-9]* answers' \
		"$STDOUT"
	check "[$ERA] check: ✓ $GIT_CRD" out_has "✓ $GIT_CRD"
	check "[$ERA] check: ✓ $KS_CRD" out_has "✓ $KS_CRD"
	check "[$ERA] check: ✓ $BUCKET_CRD" out_has "✓ $BUCKET_CRD"
	check "[$ERA] check: groups served at $ERA" \
		out_has "✓ source.toolkit.fluxcd.io served at $ERA" \
		"✓ kustomize.toolkit.fluxcd.io served at $ERA"
	check "[$ERA] check: ✓ each controller 1/1 available with its image" \
		out_has "✓ source-controller: 1/1 available (acraksdemo.azurecr.io/live/fluxcd/source-controller:$TAG)" \
		"✓ kustomize-controller: 1/1 available (acraksdemo.azurecr.io/live/fluxcd/kustomize-controller:$TAG)"
	check "[$ERA] check: podinfo is not taken for a controller" \
		lacks "podinfo"
	check "[$ERA] check: ✗ the failing objects" \
		out_has "✗ Kustomization flux-system/failing: Failed: kustomize build failed" \
		"✗ GitRepository flux-system/broken-repo: Failed:" \
		"✗ Kustomization flux-system/stalled: Stalled:"
	check "[$ERA] check: ✗ waiting names its root cause" \
		out_has "✗ Kustomization flux-system/waiting: Waiting: waiting for dependency flux-system/failing"
	check "[$ERA] check: suspended objects pass as suspended" \
		out_has "✓ Kustomization flux-system/paused: suspended at main@5f3c2a1b"
	check "[$ERA] check: last line says check failed" \
		test "$(tail -1 "$STDOUT")" = "check failed"
	check "[$ERA] check: every line is ✓ or ✗ (! only for a remote)" \
		marks_ok ✓ ✗ !

	LANG=C jd check
	check "[$ERA] check under LANG=C exits 1" rc_is 1
	check "[$ERA] check under LANG=C: [+] and [x] marks" \
		out_lines '^\[\+\] Kubernetes API' \
		'^\[x\] Kustomization flux-system/failing'
	check "[$ERA] check under LANG=C: no 8-bit bytes" no_8bit "$STDOUT"
	check "[$ERA] check under LANG=C: every line is [+] or [x] ([!] only for a remote)" \
		marks_ok "[+]" "[x]" "[!]"
	jd --ascii check
	check "[$ERA] check --ascii in a UTF-8 locale: [+] and [x]" \
		out_has "[+] $GIT_CRD" "[x] GitRepository flux-system/broken-repo"
	check "[$ERA] check --ascii: no 8-bit bytes" no_8bit "$STDOUT"

	jd check --json
	check "[$ERA] check --json exits 1" rc_is 1
	check "[$ERA] check --json: valid, ok=false, the checks" \
		pyjson "$STDOUT" "
assert d['ok'] is False
names = [c['check'] for c in d['checks']]
assert 'crd' in names and 'controller' in names and 'object' in names, names
bad = [c['message'] for c in d['checks'] if not c['ok']]
assert any('flux-system/failing' in m for m in bad), bad
good = [c['message'] for c in d['checks'] if c['ok']]
assert '$GIT_CRD' in good, good"
	check "[$ERA] check --json: only remote checks are warnings" \
		pyjson "$STDOUT" "
bad = [c for c in d['checks'] if c.get('warning') and c['check'] != 'remote']
assert not bad, bad"
}

# ---------------------------------------------------------------- RBAC

rbac_tests() {
	printf '%s\n' '[{"user": "viewer", "verb": "list",
 "resource": "deployments", "namespace": "flux-system"}]' >"$D/deny.json"
	jd --context sim-viewer flux
	check "[$ERA] viewer without deployments: flux prints the server's 403" \
		err_has "$FORBIDDEN"
	check "[$ERA] viewer: never 'not installed'" lacks "not installed"
	check "[$ERA] viewer: exit 1 (a part could not be read)" rc_is 1
	block 2
	check "[$ERA] viewer: the sources are still shown" \
		rows flux-system broken-repo paused-repo new-repo
	block 3
	check "[$ERA] viewer: the kustomizations are still shown, with states" \
		cells STATE failing=Failed waiting=Waiting paused=Ready
	jd --context sim-viewer flux --json
	check "[$ERA] viewer: flux --json still lists sources and kustomizations" \
		pyjson "$STDOUT" "
assert len(d['sources']) == 4 and len(d['kustomizations']) == 8, d['summary']
assert d['controllers'] == []"
	jd --context sim-viewer check
	check "[$ERA] viewer: check shows the 403 sentence as a failed check" \
		out_has "✗ controllers: $FORBIDDEN"
	check "[$ERA] viewer: check never says 'not installed'" \
		lacks "not installed"
	rm -f "$D/deny.json"
}

# ---------------------------------------------------------------- reconcile

reconcile_tests() {
	lw_bg "$LW_TMP/controller-$ERA.log" python3 "$LW_FLUX_PY" \
		controller --dir "$D" --delay 1
	ctl=$LW_BG_PID

	jd reconcile kustomization flux-system
	check "[$ERA] reconcile kustomization flux-system exits 0" rc_is 0
	check "[$ERA] reconcile: applied revision main@5f3c2a1b" \
		out_has "kustomization/flux-system/flux-system: applied revision main@5f3c2a1b"
	check "[$ERA] reconcile: 'waiting for the controller' then 'Ready'" \
		before "$STDERR" \
		"Kustomization/flux-system/flux-system: waiting for the controller" \
		"Kustomization/flux-system/flux-system: Ready"
	check "[$ERA] the request is on the object, and was handled" \
		requested_and_handled flux-system

	jd reconcile ks flux-system --with-source
	check "[$ERA] reconcile --with-source exits 0" rc_is 0
	check "[$ERA] --with-source: the GitRepository is Ready before the Kustomization is requested" \
		before "$STDERR" "GitRepository/flux-system/flux-system: Ready" \
		"Kustomization/flux-system/flux-system: requested"
	check "[$ERA] --with-source: then the Kustomization is Ready" \
		before "$STDERR" "Kustomization/flux-system/flux-system: requested" \
		"Kustomization/flux-system/flux-system: Ready"

	# The controller applies the SHA named by an annotation: the result is
	# read after the reconcile, not before.
	ks_annotate flux-system "sim.jumpdeck.dev/sha=$NEW_SHA"
	jd reconcile ks flux-system
	check "[$ERA] reconcile reports the newly applied revision main@01234567" \
		out_has "applied revision main@01234567"

	msg="sim: kustomize build failed in the $ERA world"
	if ks_annotate failing "sim.jumpdeck.dev/fail=$msg"; then
		jd reconcile kustomization failing
		check "[$ERA] a failing reconcile exits 1" rc_is 1
		check "[$ERA] a failing reconcile prints the controller's message" \
			err_has "Kustomization/flux-system/failing: $msg"
	else
		not_ok "[$ERA] annotate failing with sim.jumpdeck.dev/fail"
	fi

	jd reconcile ks paused
	check "[$ERA] reconcile of a suspended object exits 1" rc_is 1
	check "[$ERA] ... and says it is suspended" \
		has "Kustomization flux-system/paused is suspended; resume it first"

	jd suspend kustomization flux-system
	check "[$ERA] suspend exits 0" rc_is 0
	check "[$ERA] suspend prints suspended" \
		out_has "kustomization/flux-system/flux-system: suspended"
	check "[$ERA] spec.suspend is true on the server" \
		test "$(ks_suspend_field flux-system)" = true
	jd reconcile ks flux-system
	check "[$ERA] reconcile of the now suspended object exits 1" \
		rc_is 1
	check "[$ERA] ... resume it first" has "resume it first"
	jd resume kustomization flux-system
	check "[$ERA] resume exits 0" rc_is 0
	check "[$ERA] resume reconciles: applied revision main@01234567" \
		out_has "kustomization/flux-system/flux-system: applied revision main@01234567"
	check "[$ERA] resume: 'resumed' before 'Ready'" \
		before "$STDERR" "Kustomization/flux-system/flux-system: resumed" \
		"Kustomization/flux-system/flux-system: Ready"
	check "[$ERA] spec.suspend is false on the server" \
		test "$(ks_suspend_field flux-system)" = false

	lines=$(wc -l <"$AUDIT")
	jd reconcile helmchartz flux-system
	check "[$ERA] reconcile of an unknown kind exits 2" rc_is 2
	jd suspend frobnicator flux-system
	check "[$ERA] suspend of an unknown kind exits 2" rc_is 2
	check "[$ERA] usage errors write no audit record" \
		test "$(wc -l <"$AUDIT")" -eq "$lines"

	jd reconcile ks nope
	check "[$ERA] reconcile of a missing object exits 1" rc_is 1
	check "[$ERA] ... with the server's not found sentence" \
		err_has "kustomizations.kustomize.toolkit.fluxcd.io \"nope\" not found"

	lw_sim "$D" DELETE /_sim/requests >/dev/null 2>&1
	jd --read-only reconcile ks flux-system
	check "[$ERA] --read-only reconcile exits 1" rc_is 1
	check "[$ERA] ... and says read-only" has "read-only"
	check "[$ERA] ... and writes a refused audit record" python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
assert (r["action"], r["target"], r["outcome"]) == (
    "flux.reconcile", "kustomization/flux-system/flux-system", "refused"), r
' "$AUDIT"
	lw_sim "$D" GET /_sim/requests >"$LW_TMP/requests.json" 2>&1
	check "[$ERA] ... and sends no PATCH" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
reqs = d if isinstance(d, list) else d.get("requests", d.get("items", []))
bad = [r for r in reqs if r.get("method") not in ("GET", "HEAD")]
assert not bad, bad
' "$LW_TMP/requests.json"
	jd --read-only suspend ks flux-system
	check "[$ERA] --read-only suspend exits 1 too" rc_is 1
	check "[$ERA] ... and leaves spec.suspend false" \
		test "$(ks_suspend_field flux-system)" = false

	lw_stop "$ctl"
	start=$(date +%s)
	jd reconcile ks flux-system --timeout 3s
	elapsed=$(($(date +%s) - start))
	check "[$ERA] without a controller: exit 1" rc_is 1
	check "[$ERA] ... after ~3 s (took ${elapsed}s)" elapsed_between 2 6
	check "[$ERA] ... the controller did not handle the reconcile request" \
		err_has "did not handle the reconcile request"
	check "[$ERA] ... and it names kustomize-controller" \
		err_has "kustomize-controller"
	# once is enough: it costs seconds
	[ "$ERA" = v1beta1 ] || return 0
	start=$(date +%s)
	jd reconcile gitrepository flux-system --timeout 2s
	elapsed=$(($(date +%s) - start))
	check "[$ERA] a GitRepository without a controller: exit 1" rc_is 1
	check "[$ERA] ... names source-controller" \
		err_has "did not handle the reconcile request" "source-controller"
	check "[$ERA] ... after ~2 s (took ${elapsed}s)" elapsed_between 1 5
}

# ---------------------------------------------------------------- audit

audit_tests() {
	cp "$AUDIT" "$LW_OUT" 2>/dev/null
	check "[$ERA] audit: requested + outcome records for every action" \
		python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
msg = sys.argv[2]
def outcomes(action, name):
    t = "kustomization/flux-system/" + name
    return [r["outcome"] for r in recs
            if r["action"] == action and r["target"] == t]
rec = outcomes("flux.reconcile", "flux-system")
assert "requested" in rec and "succeeded" in rec and "refused" in rec, rec
assert "failed" in rec, rec  # the timeout
assert outcomes("flux.suspend", "flux-system")[:2] == [
    "requested", "succeeded"], outcomes("flux.suspend", "flux-system")
assert outcomes("flux.resume", "flux-system") == [
    "requested", "succeeded"], outcomes("flux.resume", "flux-system")
assert outcomes("flux.reconcile", "failing") == ["requested", "failed"], \
    outcomes("flux.reconcile", "failing")
f = [r for r in recs if r["target"] == "kustomization/flux-system/failing"
     and r["outcome"] == "failed"][0]
assert msg in (f["detail"] or ""), f
assert outcomes("flux.reconcile", "nope") == ["requested", "failed"]
# every requested record is closed by the same process
for r in recs:
    if r["outcome"] != "requested":
        continue
    after = [x for x in recs if x["pid"] == r["pid"] and x["seq"] > r["seq"]
             and x["target"] == r["target"] and x["action"] == r["action"]]
    assert after and after[0]["outcome"] in ("succeeded", "failed"), r
assert all(r["action"] in ("flux.reconcile", "flux.suspend", "flux.resume")
           for r in recs), set(r["action"] for r in recs)
assert all(r["context"] == "sim" for r in recs)
' "$AUDIT" "sim: kustomize build failed in the $ERA world"
	jd audit verify
	check "[$ERA] audit verify passes" rc_is 0
	check "[$ERA] audit log holds no token" \
		test "$(grep -c 'admin-token\|viewer-token' "$AUDIT")" -eq 0
}

# ---------------------------------------------------------------- healthy

# Delete what is not Ready: what is left (Ready, or suspended and Ready)
# makes every command succeed.
healthy_tests() {
	gone=0
	for n in broken-repo new-repo; do
		api DELETE "$GIT_BASE/$n" || gone=1
	done
	for n in failing reconciling stalled waiting middle fresh; do
		api DELETE "$KS_BASE/$n" || gone=1
	done
	if [ $gone -ne 0 ]; then
		cp "$LW_TMP/api.out" "$LW_OUT"
		not_ok "[$ERA] delete the objects that are not Ready"
		return
	fi
	jd flux
	check "[$ERA] only Ready (some suspended) objects: flux exits 0" rc_is 0
	check "[$ERA] ... summary 2/2 and 2/2 Ready, 2 suspended" \
		out_has "sources 2/2 Ready · kustomizations 2/2 Ready · 2 suspended"
	jd check
	check "[$ERA] ... check exits 0" rc_is 0
	check "[$ERA] ... all checks passed" \
		test "$(tail -1 "$STDOUT")" = "all checks passed"
	jd check --json
	check "[$ERA] ... check --json ok=true" pyjson "$STDOUT" "
assert d['ok'] is True, [c for c in d['checks'] if not c['ok']]"
}

era_tests v1beta1
era_tests v1
lw_finish
