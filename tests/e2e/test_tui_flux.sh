#!/bin/sh
# test_tui_flux.sh - the Flux pane end to end: jumpdeck in a private tmux
# server against the simulated cluster with Flux as the walkthrough
# bootstraps it (v1beta1 APIs, v0.8 controllers) and the stand-in
# controller of tests/sim/fluxworld.py answering reconcile requests.
# Layout in the grid and in a tab, the detail view, reconcile (alone and
# with its source), suspend and resume, a failing reconcile and the
# recovery with the marks of the last reconciliations (row and detail
# view, ASCII at 80x24), a controller that never answers, the read-only
# refusal, a 403 on the controllers' Deployments, audit records, and a
# cluster without Flux.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl

NS=flux-system
NEW_SHA=0123456789abcdef0123456789abcdef01234567
KS=kustomizations.kustomize.toolkit.fluxcd.io
GIT=gitrepositories.source.toolkit.fluxcd.io
KS_TARGET=kustomization/$NS/flux-system
FORBIDDEN='deployments.apps is forbidden: User "viewer" cannot list resource "deployments" in API group "apps" in the namespace "flux-system"'
# KUBECTL=none: read and annotate the objects through the API with curl.
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
case $KUBECTL in
none) KUBECTL="" ;;
*/*) [ -x "$KUBECTL" ] || KUBECTL=$(command -v kubectl 2>/dev/null) ;;
*) KUBECTL=$(command -v "$KUBECTL" 2>/dev/null) ;;
esac
VIA=${KUBECTL:+kubectl}
VIA=${VIA:-API}

# ---------------------------------------------------------------- helpers

# Screen predicates (the screen on stdin), for wait_screen.

# row KIND NAME: the table row of that object (KIND as the pane shows it:
# ks, git). Rows may sit right of another box in the grid.
row() { grep -E "│ $1 +$2 "; }
# row_has KIND NAME TEXT: that row shows TEXT.
row_has() { row "$1" "$2" | grep -qF -- "$3"; }
# row_re KIND NAME ERE: that row matches the extended regular expression.
row_re() { row "$1" "$2" | grep -Eq -- "$3"; }
# first_row_is KIND NAME: the first object row of the Flux table.
first_row_is() {
	grep -oE '│ (ks|git) +[a-z0-9-]+ ' | head -n 1 |
		grep -Eq "^│ $1 +$2 $"
}
# shows_all TEXT...: every TEXT is on the screen.
shows_all() {
	s=$(cat)
	for t in "$@"; do
		printf '%s\n' "$s" | grep -qF -- "$t" || return 1
	done
}
# demo_rows: the four objects of the demo world with their states, the
# failing kustomization first.
demo_rows() {
	s=$(cat)
	printf '%s\n' "$s" | first_row_is ks cluster-baseline-settings &&
		printf '%s\n' "$s" | row_has ks cluster-baseline-settings Failed &&
		printf '%s\n' "$s" | row_has ks a0005-i Waiting &&
		printf '%s\n' "$s" | row_has git flux-system Ready &&
		printf '%s\n' "$s" | row_has ks flux-system Ready
}

# waiting_secs KIND NAME: the seconds counter of "waiting for the
# controller (Ns)" in that row of the current screen (empty if absent).
waiting_secs() {
	screen | row "$1" "$2" |
		sed -n 's/.*waiting for the controller (\([0-9][0-9]*\)s).*/\1/p'
}

# confirm NAME: the confirm dialog asks for NAME; it is typed.
confirm() {
	wait_for "Type $1 and press Enter:" 3 || return 1
	type_text "$1"
	send Enter
}

# kc ARGS...: kubectl against the simulator (admin context).
kc() {
	KUBECONFIG=$D/kubeconfig timeout 20 "$KUBECTL" "$@" \
		>"$E2E_TMP/kc.out" 2>&1
}

# annotate RESOURCE NAME KEY=VALUE: with kubectl when it is installed,
# else with a merge patch through the API.
annotate() {
	if [ -n "$KUBECTL" ]; then
		kc annotate --overwrite -n "$NS" "$1" "$2" "$3"
		return
	fi
	case $1 in
	"$KS") p=/apis/kustomize.toolkit.fluxcd.io/v1beta1/namespaces/$NS/kustomizations ;;
	*) p=/apis/source.toolkit.fluxcd.io/v1beta1/namespaces/$NS/gitrepositories ;;
	esac
	k=${3%%=*} v=${3#*=}
	api PATCH "$p/$2" "{\"metadata\":{\"annotations\":{\"$k\":\"$v\"}}}" \
		application/merge-patch+json >"$E2E_TMP/kc.out" 2>&1
}

# unannotate RESOURCE NAME KEY: the annotation removed.
unannotate() {
	if [ -n "$KUBECTL" ]; then
		kc annotate -n "$NS" "$1" "$2" "$3-"
		return
	fi
	p=/apis/kustomize.toolkit.fluxcd.io/v1beta1/namespaces/$NS/kustomizations
	api PATCH "$p/$2" "{\"metadata\":{\"annotations\":{\"$3\":null}}}" \
		application/merge-patch+json >"$E2E_TMP/kc.out" 2>&1
}

# field RESOURCE NAME JSONPATH: one field of an object, printed.
field() {
	if [ -n "$KUBECTL" ]; then
		KUBECONFIG=$D/kubeconfig timeout 20 "$KUBECTL" get -n "$NS" \
			"$1" "$2" -o "jsonpath={$3}" 2>/dev/null
		return
	fi
	case $1 in
	"$KS") p=/apis/kustomize.toolkit.fluxcd.io/v1beta1/namespaces/$NS/kustomizations ;;
	*) p=/apis/source.toolkit.fluxcd.io/v1beta1/namespaces/$NS/gitrepositories ;;
	esac
	# the same path as for kubectl: dots separate keys unless escaped
	api GET "$p/$2" | python3 -c '
import json, re, sys
v = json.load(sys.stdin)
for k in re.split(r"(?<!\\)\.", sys.argv[1].lstrip(".")):
    k = k.replace("\\.", ".")
    v = v.get(k) if isinstance(v, dict) else None
if isinstance(v, bool):
    v = json.dumps(v)
print("" if v is None else v, end="")' "$3"
}

# earlier A B: RFC 3339 time A is before B (fractions of any length).
earlier() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
def key(t):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", t)
    if not m:
        sys.exit(2)
    return m.group(1), (m.group(2) or "").ljust(9, "0")
sys.exit(0 if key(sys.argv[1]) < key(sys.argv[2]) else 1)
EOF
}

not_empty() { test -n "$1"; }

# audit_count N ACTION OUTCOME TARGET: the audit log holds N such records.
audit_count() {
	[ -f "$AUDIT" ] || return 1
	python3 - "$AUDIT" "$@" <<'EOF'
import json, sys
path, n, action, outcome, target = sys.argv[1:6]
c = 0
for line in open(path, encoding="utf-8", errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if (r.get("action"), r.get("outcome"), r.get("target")) == \
            (action, outcome, target):
        c += 1
sys.exit(0 if c == int(n) else 1)
EOF
}
# reveal TEXT: j in the detail view until TEXT and the line below it are
# on the screen (it may start further down than a small terminal shows).
reveal() {
	i=0
	while [ $i -lt 40 ]; do
		screen | grep -A1 -F "$1" | sed -n 2p | grep -q '[a-z]' &&
			return 0
		send j
		sleep 0.15
		i=$((i + 1))
	done
	return 1
}
# not_status TEXT: the status bar does not show TEXT now.
not_status() { ! status_line | grep -qF -- "$1"; }
# not_audit ARGS...: audit_has ARGS fails.
not_audit() { ! audit_has "$@"; }

world_up --scenario demo

# ================================================================ 80x24,
# read-only, and a viewer who may not list the controllers' Deployments.
jd_start 80 24 --read-only
send 4
check "80x24: 4 focuses Flux as a tab" wait_screen 10 \
	grep -qF '┌─ 4 Flux'
assert_screen_has "80x24: the summary 'sources 1/1 Ready · kustomizations 1/3 Ready'" \
	"sources 1/1 Ready · kustomizations 1/3 Ready" 10
assert_screen_has "80x24: the controllers line (✓ kustomize-controller v0.8.1)" \
	"✓ kustomize-controller v0.8.1"
check "80x24: the four objects with their states, the failing one first" \
	wait_screen 5 demo_rows

send g r
check "--read-only: r is refused, 'read-only' in the status bar" \
	wait_screen 3 status_has read-only
check "--read-only: no confirm dialog" \
	wait_screen 1 sh -c '! grep -q "press Enter"'
check "audit log: the read-only reconcile is refused" \
	audit_has flux.reconcile refused \
	"kustomization/$NS/cluster-baseline-settings" read-only

# RBAC: deny.json is reread on each request.
printf '%s\n' '[{"user": "viewer", "verb": "list", "resource": "deployments",
  "namespace": "flux-system"}]' >"$D/deny.json"
send :
type_text "context sim-viewer"
send Enter
check "RBAC: :context sim-viewer switches (title shows sim-viewer)" \
	wait_screen 5 sh -c 'head -n 1 | grep -qF sim-viewer'
# zoomed at 200 columns the whole sentence fits on its line
resize 200 50
send 4 z
assert_screen_has "RBAC: the server's 403 sentence about deployments" \
	"controllers: $FORBIDDEN" 10
check "RBAC: the kustomizations are still listed (not 'not installed')" \
	wait_screen 3 demo_rows
check "RBAC: the summary still counts them" wait_screen 1 shows_all \
	"kustomizations 1/3 Ready"
assert_screen_lacks "RBAC: no 'not installed'" "not installed" 1
rm -f "$D/deny.json"
send q
exit_line=$(wait_exit 5)
check "q quits with status 0" test "$exit_line" = EXIT=0

# ================================================================ 200x50
jd_start 200 50
check "200x50: the grid with the Flux box" wait_screen 10 \
	grep -qF '┌─ 4 Flux · 1 failed'
assert_screen_has "200x50: the summary 'sources 1/1 Ready · kustomizations 1/3 Ready'" \
	"sources 1/1 Ready · kustomizations 1/3 Ready" 10
assert_screen_has "200x50: ✓ kustomize-controller v0.8.1" \
	"✓ kustomize-controller v0.8.1"
assert_screen_has "200x50: ✓ source-controller v0.8.1" \
	"✓ source-controller v0.8.1"
check "200x50: the four objects with their states, the failing one first" \
	wait_screen 5 demo_rows
check "200x50: the failing row shows the start of its message" \
	wait_screen 1 row_has ks cluster-baseline-settings "kustomize build"
check "200x50: a0005-i shows the start of the dependency message" \
	wait_screen 1 row_has ks a0005-i "waiting for dep"

# zoomed, the message column is wide enough for the whole sentences
send 4 z
check "z zooms the Flux pane (tab strip shown)" wait_screen 3 \
	grep -qF '6 Activity'
check "zoomed: cluster-baseline-settings Failed with its build error" \
	wait_screen 3 row_has ks cluster-baseline-settings \
	"kustomize build failed: accumulating resources"
check "zoomed: a0005-i Waiting 'waiting for dependency flux-system/cluster-baseline-settings'" \
	wait_screen 3 row_re ks a0005-i \
	'Waiting .*waiting for dependency flux-system/cluster-baseline-settings'

# ---------------------------------------------------------------- detail
# An event of the object, as kustomize-controller records one (core/v1
# Event, involvedObject naming the Kustomization).
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
api POST /api/v1/namespaces/$NS/events "{\"apiVersion\":\"v1\",
 \"kind\":\"Event\",\"metadata\":{\"name\":\"cbs.e2e1\",\"namespace\":\"$NS\"},
 \"involvedObject\":{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",
 \"kind\":\"Kustomization\",\"name\":\"cluster-baseline-settings\",
 \"namespace\":\"$NS\"},\"reason\":\"BuildFailed\",\"type\":\"Warning\",
 \"message\":\"e2e-event: kustomize build failed\",\"count\":1,
 \"firstTimestamp\":\"$now\",\"lastTimestamp\":\"$now\",
 \"source\":{\"component\":\"kustomize-controller\"}}" >/dev/null
send g Enter
assert_screen_has "Enter on cluster-baseline-settings: its detail view" \
	"Kustomization flux-system/cluster-baseline-settings"
# the events arrive from the backend and are drawn at once (they used to
# wait for the next minute's refresh)
assert_screen_has "detail: the object's event is shown, not 'loading...'" \
	"e2e-event: kustomize build failed" 3
check "detail: Conditions, BuildFailed, Dependencies" wait_screen 3 \
	shows_all Conditions BuildFailed Dependencies
assert_screen_has "detail: the source GitRepository/flux-system" \
	"GitRepository/flux-system"
assert_screen_has "detail: the path" \
	"./cluster-manifests/cluster-baseline-settings"
send Escape
assert_screen_lacks "Esc closes the detail view" "Dependencies"
check "after Esc the table is back" wait_screen 3 demo_rows

# ---------------------------------------------------------------- reconcile
if annotate "$KS" flux-system "sim.jumpdeck.dev/sha=$NEW_SHA"; then
	ok "$VIA: annotate the kustomization to apply a new revision"
else
	not_ok "$VIA: annotate the kustomization to apply a new revision"
fi
send G r
assert_screen_has "r: the confirm dialog names the kustomization" \
	"Reconcile Kustomization flux-system/flux-system?"
check "r: confirmed by typing its name" confirm flux-system
check "r: the row follows the request ('waiting for the controller' or 'requested')" \
	wait_screen 3 row_re ks flux-system \
	'reconciling: (requested|waiting for the controller) \([0-9]+s\)'
check "r: the status bar says 'applied revision main@0123456'" \
	wait_screen 10 status_has \
	"$KS_TARGET: applied revision main@0123456"
check "r: the row shows the new revision" wait_screen 3 \
	row_has ks flux-system "main@0123456"
check "r: the progress is gone from the row" wait_screen 3 \
	sh -c '! grep -qF "reconciling:"'
check "audit log: flux.reconcile requested" \
	audit_has flux.reconcile requested "$KS_TARGET"
check "audit log: flux.reconcile succeeded with the revision" \
	audit_has flux.reconcile succeeded "$KS_TARGET" "main@0123456"
send 6
check "activity pane (6) lists the reconcile" wait_screen 3 \
	grep -Eq 'succeeded +(flux\.)?reconcile +kustomization/flux-system/flux-system'
send 4

# ---------------------------------------------------------------- R
git_before=$(field "$GIT" flux-system .status.lastHandledReconcileAt)
ks_before=$(field "$KS" flux-system .status.lastHandledReconcileAt)
check "$VIA: the kustomization's lastHandledReconcileAt is set by r" \
	not_empty "$ks_before"
send G R
# the question wraps: "... flux-system/flux-system and its source" "first?"
assert_screen_has "R: the confirm dialog says 'and its source first'" \
	"Reconcile Kustomization flux-system/flux-system and its source"
check "R: confirmed by typing its name" confirm flux-system
check "R: the row follows the source first (GitRepository/flux-system/flux-system)" \
	wait_screen 4 row_has ks flux-system \
	"reconciling: GitRepository/flux-system/flux-system:"
check "R: then the kustomization itself" wait_screen 6 row_has ks \
	flux-system "reconciling: Kustomization/flux-system/flux-system:"
# the status bar still shows the result of r: wait for the row instead
check "R: done, the progress is gone from the row" wait_screen 10 \
	sh -c '! grep -qF "reconciling:"'
check "R: the status bar says 'applied revision main@0123456'" \
	wait_screen 1 status_has \
	"$KS_TARGET: applied revision main@0123456"
check "audit log: a second flux.reconcile succeeded (the one of R)" \
	audit_count 2 flux.reconcile succeeded "$KS_TARGET"
git_req=$(field "$GIT" flux-system \
	'.metadata.annotations.reconcile\.fluxcd\.io/requestedAt')
git_after=$(field "$GIT" flux-system .status.lastHandledReconcileAt)
ks_after=$(field "$KS" flux-system .status.lastHandledReconcileAt)
check "$VIA: the GitRepository was reconciled (lastHandledReconcileAt changed)" \
	sh -c "test -n '$git_after' && test '$git_after' != '$git_before'"
check "$VIA: it handled the request annotation jumpdeck set" \
	test "$git_after" = "$git_req"
check "$VIA: the kustomization was reconciled again" \
	sh -c "test -n '$ks_after' && test '$ks_after' != '$ks_before'"
if [ -n "$git_after" ] && [ -n "$ks_after" ] &&
	earlier "$git_after" "$ks_after"; then
	ok "the source was reconciled before the kustomization"
else
	not_ok "the source was reconciled before the kustomization ($git_after, $ks_after)"
fi

# ---------------------------------------------------------------- suspend
send G p
assert_screen_has "p: the confirm dialog asks to suspend" \
	"Suspend Kustomization flux-system/flux-system?"
check "p: confirmed by typing its name" confirm flux-system
check "p: the row shows SUSP yes" wait_screen 5 row_re ks flux-system \
	' yes +[0-9]+[smhd] '
check "p: the status bar says suspended" wait_screen 3 status_has \
	"$KS_TARGET: suspended"
check "$VIA: spec.suspend is true" \
	test "$(field "$KS" flux-system .spec.suspend)" = true
check "audit log: flux.suspend succeeded" \
	audit_has flux.suspend succeeded "$KS_TARGET"
send G r
check "r on a suspended object: refused, 'suspended: resume it first'" \
	wait_screen 3 status_has "suspended: resume it first"
check "r on a suspended object: no confirm dialog" \
	wait_screen 1 sh -c '! grep -q "press Enter"'
send G P
assert_screen_has "P: the confirm dialog asks to resume" \
	"Resume Kustomization flux-system/flux-system?"
check "P: confirmed by typing its name" confirm flux-system
check "P: resume reconciles ('applied revision' in the status bar)" \
	wait_screen 10 status_has "$KS_TARGET: applied revision main@0123456"
check "P: SUSP is back to '-'" wait_screen 3 row_re ks flux-system \
	' - +[0-9]+[smhd] '
check "$VIA: spec.suspend is false or gone" \
	sh -c "test \"\$1\" != true" _ "$(field "$KS" flux-system .spec.suspend)"
check "audit log: flux.resume succeeded" \
	audit_has flux.resume succeeded "$KS_TARGET"

# ---------------------------------------------------------------- failure
if annotate "$KS" flux-system sim.jumpdeck.dev/fail=boom; then
	ok "$VIA: annotate the kustomization sim.jumpdeck.dev/fail=boom"
else
	not_ok "$VIA: annotate the kustomization sim.jumpdeck.dev/fail=boom"
fi
send G r
assert_screen_has "r: the confirm dialog (to fail)" \
	"Reconcile Kustomization flux-system/flux-system?"
check "r: confirmed" confirm flux-system
check "a failing reconcile: the status bar shows the failure with 'boom'" \
	wait_screen 10 sh -c 'tail -n 1 | grep -q "reconcile failed: .*boom"'
check "the row is now Failed with 'boom'" wait_screen 3 row_re ks \
	flux-system 'Failed .*boom'
check "the failed kustomization moves up among the failed (top two rows)" \
	wait_screen 3 \
	sh -c 'grep -oE "│ (ks|git) +[a-z0-9-]+ +[A-Za-z]+" | head -n 2 |
		grep -Eq "│ ks +flux-system +Failed"'
check "audit log: flux.reconcile failed with 'boom'" \
	audit_has flux.reconcile failed "$KS_TARGET" boom

# ---------------------------------------------------------------- timeline
# Its reconciliations so far, oldest first: the status at the start, r,
# R, P (resume reconciles), the failure.
check "RECENT: the row's marks end in a failure (✓✓✓✓✗)" wait_screen 3 \
	row_has ks flux-system "✓✓✓✓✗ "
if unannotate "$KS" flux-system sim.jumpdeck.dev/fail; then
	ok "$VIA: the kustomization no longer asked to fail"
else
	not_ok "$VIA: the kustomization no longer asked to fail"
fi
# failed first: cluster-baseline-settings, then this one
send g j r
assert_screen_has "r: the confirm dialog (to recover)" \
	"Reconcile Kustomization flux-system/flux-system?"
check "r: confirmed" confirm flux-system
check "recovered: the status bar says 'applied revision main@0123456'" \
	wait_screen 10 status_has "$KS_TARGET: applied revision main@0123456"
check "RECENT: a success mark follows the failure mark (✓✓✓✓✗✓)" \
	wait_screen 3 row_has ks flux-system "✓✓✓✓✗✓ "
check "RECENT: the failing kustomization shows its failure from the start (✗)" \
	wait_screen 1 row_re ks cluster-baseline-settings 'Failed +✗ '
check "RECENT: no marks for the GitRepository" wait_screen 1 \
	row_re git flux-system 'Ready +[^✓✗]'
send G Enter
assert_screen_has "detail: a 'Reconciliations (newest first)' section" \
	"Reconciliations (newest first)" 3
check "detail: the newest line, ok with its duration and revision" \
	wait_screen 3 sh -c 'grep -A1 -F "Reconciliations (newest first)" |
		grep -Eq "✓ [0-9]+s +ok +[0-9]+s +main@0123456"'
check "detail: then the failure with its duration, revision and 'boom'" \
	wait_screen 1 sh -c 'grep -A2 -F "Reconciliations (newest first)" |
		tail -n 1 | grep -Eq "✗ [0-9]+s +failed +[0-9]+s +main@0123456.* boom"'
check "detail: the status at the start, duration unknown" wait_screen 1 \
	grep -Eq "✓ [0-9]+[smh]+ +ok +- +main@"
send Escape
assert_screen_lacks "Esc closes the detail view" "Reconciliations" 3

# ---------------------------------------------------------------- silence
ctl=$(cat "$D/fluxctl.pid" 2>/dev/null)
# by its recorded pid, once it is known to be the stand-in controller
if [ -n "$ctl" ] && tr '\0' ' ' <"/proc/$ctl/cmdline" 2>/dev/null |
	grep -q 'fluxworld.py controller' && kill "$ctl" 2>/dev/null; then
	i=0
	while kill -0 "$ctl" 2>/dev/null && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ok "the stand-in controller is stopped"
else
	not_ok "the stand-in controller is stopped"
fi
# the GitRepository is the last row but one (failed, waiting, then by
# name, then kind)
send G k r
assert_screen_has "r on the GitRepository: the confirm dialog" \
	"Reconcile GitRepository flux-system/flux-system?"
check "r: confirmed" confirm flux-system
check "no controller: the row shows 'waiting for the controller'" \
	wait_screen 3 row_has git flux-system "waiting for the controller"
s1=$(waiting_secs git flux-system)
sleep 3
s2=$(waiting_secs git flux-system)
if [ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -ge $((s1 + 2)) ]; then
	ok "no controller: the seconds counter grows (${s1}s, then ${s2}s)"
else
	not_ok "no controller: the seconds counter grows ('$s1', then '$s2')"
fi
check "no controller: no result in the status bar yet" \
	not_status "fetched revision"
check "audit log: the request is recorded" \
	audit_has flux.reconcile requested "gitrepository/$NS/flux-system"
check "audit log: no outcome for it yet" \
	not_audit flux.reconcile succeeded "gitrepository/$NS/flux-system"
send q
exit_line=$(wait_exit 5)
check "q with a reconcile in flight quits with status 0" \
	test "$exit_line" = EXIT=0
check "no jumpdeck process remains" jd_gone 3

# The marks in every packaged theme and without colour, zoomed at 200x50:
# the glyph says failed or ok, not only its colour.
for opt in "--theme default" "--theme solarized-dark" \
	"--theme high-contrast" "--theme monochrome" "--no-color"; do
	# shellcheck disable=SC2086 # the option and its value
	jd_start 200 50 $opt
	send 4 z
	check "200x50 $opt: the failing kustomization's ✗ in RECENT" \
		wait_screen 10 row_re ks cluster-baseline-settings 'Failed +✗'
	check "200x50 $opt: flux-system's ✓ marks" wait_screen 1 \
		row_re ks flux-system 'Ready +✓+ '
	send q
	exit_line=$(wait_exit 5)
	check "200x50 $opt: q quits with status 0" test "$exit_line" = EXIT=0
done

# ================================================================ 80x24,
# --ascii: the marks as ASCII in the detail view; no room for the column.
jd_start 80 24 --ascii
send 4
assert_screen_has "--ascii 80x24: the Flux tab ('kustomizations 1/3 Ready')" \
	"kustomizations 1/3 Ready" 10
check "--ascii 80x24: the RECENT column is dropped whole" wait_screen 1 \
	sh -c '! grep -qF RECENT'
# the first row: cluster-baseline-settings, failed
send g Enter
assert_screen_has "--ascii: the detail view of cluster-baseline-settings" \
	"Kustomization flux-system/cluster-baseline-settings" 5
check "--ascii: j scrolls down to its Reconciliations" \
	reveal "Reconciliations (newest first)"
check "--ascii: its failure from the start as 'x' in Reconciliations" \
	wait_screen 3 sh -c 'grep -A1 -F "Reconciliations (newest first)" |
		grep -Eq "^.? *x [0-9]+[smhd]+ +failed +- "'
check "--ascii: no UTF-8 mark on the screen" wait_screen 1 \
	sh -c '! grep -qE "✓|✗"'
send Escape G Enter
assert_screen_has "--ascii: the detail view of kustomization flux-system" \
	"Kustomization flux-system/flux-system" 5
check "--ascii: j scrolls down to its Reconciliations" \
	reveal "Reconciliations (newest first)"
check "--ascii: its success from the start as '+'" wait_screen 3 \
	sh -c 'grep -A1 -F "Reconciliations (newest first)" |
		grep -Eq "^.? *\+ [0-9]+[smhd]+ +ok +- +main@0123456"'
send q
exit_line=$(wait_exit 5)
check "--ascii: q quits with status 0" test "$exit_line" = EXIT=0
check "no jumpdeck process remains" jd_gone 3

# ================================================================ no Flux
world down
world_up --scenario nodes
jd_start 200 50
send 4
assert_screen_has "no Flux: the pane says 'Flux is not installed'" \
	"Flux is not installed" 10
assert_screen_has "no Flux: the box title says 'not installed'" \
	"4 Flux · not installed"
send q
exit_line=$(wait_exit 5)
check "q quits with status 0" test "$exit_line" = EXIT=0
check "no jumpdeck process remains" jd_gone 3

e2e_finish
