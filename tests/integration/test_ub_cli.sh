#!/bin/sh
# test_ub_cli.sh - the CLI binary against values that once took it into
# undefined behaviour: a duration that overflows (--timeout, a server's
# spec.interval), a generation of 1e56, empty lists sorted with
# qsort(NULL, 0, ...). `make check-asan` runs this script with the binary
# built under AddressSanitizer and UndefinedBehaviorSanitizer (which
# abort on the first finding); `make check` runs it with the plain one,
# where the refused duration is what shows.
# runs under the sanitizers
# TAP-like lines; about 30 s.
# shellcheck disable=SC1091,SC2317
. "$(dirname "$0")/lib_world.sh"
lw_require python3 curl openssl
. tests/integration/lib_hostile.sh

H=$LW_TMP/hostile
LANG=C.UTF-8
export LANG
# Leaks are valgrind's (test_leaks.sh); here only what the sanitizers
# call undefined or invalid counts.
ASAN_OPTIONS=detect_leaks=0
UBSAN_OPTIONS=print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

# jd (lib_world.sh): its report made printable, escapes and all.
LW_JD_PRINTABLE=1
err_has() { grep -qF -- "$1" "$STDERR"; }
# no_finding: exited by itself (not by a signal, not by the sanitizer's
# abort) and no sanitizer report.
no_finding() {
	test "$rc" -lt 128 && ! grep -q 'runtime error\|Sanitizer' "$STDERR"
}

if ! hostile_up "$H"; then
	not_ok "the hostile stand-in starts"
	lw_finish
fi
KUBECONFIG=$H/kubeconfig
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export KUBECONFIG JUMPDECK_AUDIT_LOG

# A duration that does not fit: refused, not wrapped.
jd reconcile ks apps --timeout 3000000000000h
check "--timeout 3000000000000h exits 2" rc_is 2
check "--timeout 3000000000000h says it is too long" \
	err_has "--timeout: duration too long"
check "--timeout 3000000000000h: no sanitizer finding" no_finding
jd reconcile ks apps --timeout 9223372036854775807ms
check "--timeout 9223372036854775807ms exits 2" rc_is 2
check "--timeout 9223372036854775807ms says it is longer than a day" \
	err_has "--timeout: 9223372036854775807ms is longer than 24h"

# Empty lists everywhere (no Flux object, no controller, no pool): every
# sort sees zero elements.
hostile_set "$H" '{"apis": "flux", "nodes": []}'
for cmd in "flux" "flux --json" "status" "status --json" "nodes" "check"; do
	# shellcheck disable=SC2086
	jd $cmd
	check "empty lists: $cmd: no sanitizer finding" no_finding
done

# Numbers no C integer holds, and an interval that overflows.
hostile_set "$H" '{"apis": "flux", "flux_items": 2, "generation": 1e56,
	"interval": "3000000000000h"}'
for cmd in "flux" "flux --json" "status" "check" "suspend ks obj-0"; do
	# shellcheck disable=SC2086
	jd $cmd
	check "generation 1e56, interval 3000000000000h: $cmd: no finding" \
		no_finding
done
hostile_set "$H" '{"generation": 1e400}'
jd flux
check "generation 1e400 (infinity): flux: no sanitizer finding" no_finding

lw_finish
