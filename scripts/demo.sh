#!/bin/sh
# demo.sh - starts the simulated world (seven AKS nodes in three pools, one
# of which flaps between Ready and NotReady), opens jumpdeck against it, and
# stops everything when jumpdeck exits.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
dir=$(mktemp -d "${TMPDIR:-/tmp}/jumpdeck-demo.XXXXXX")
cleanup() {
	python3 tests/sim/world.py down --dir "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM HUP
echo "demo: starting the simulated cluster in $dir ..."
python3 tests/sim/world.py up --dir "$dir" --scenario demo >"$dir/up.log" 2>&1 || {
	cat "$dir/up.log" >&2
	exit 1
}
echo "demo: one node (aks-npooscope01-...-vmss000001) turns NotReady and back every 20 s"
KUBECONFIG="$dir/kubeconfig" JUMPDECK_AUDIT_LOG="$dir/audit.log" \
	"$BUILD/jumpdeck" --demo "$@"
