#!/bin/sh
# test_status.sh - `jumpdeck status`: one line per pane and one JSON
# document; a pane that cannot be read says why and the others still show.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$PWD/$BUILD/jumpdeck
fail=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; echo "$out"; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/jd-status.XXXXXX")
cleanup() {
	python3 tests/sim/world.py down --dir "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
python3 tests/sim/world.py up --dir "$dir" --scenario demo --flap-seconds 0 \
	>/dev/null 2>&1 || { nok "simulator starts"; exit 1; }
# No Azure settings at all: the images line must say what is missing.
for v in $(env | sed -n 's/^\(AZURE_[A-Z_]*\|JUMPDECK_[A-Z_]*\)=.*/\1/p'); do
	unset "$v"
done
export KUBECONFIG="$dir/kubeconfig" XDG_CONFIG_HOME="$dir/xdg"
out=$("$bin" status 2>&1)
rc=$?
[ $rc -eq 1 ] && ok "status exits 1 when something is not fine" ||
	nok "status exits 1 when something is not fine (got $rc)"
echo "$out" | grep -q "^✓ nodes   7/7 Ready · 3 pools" &&
	ok "the nodes line" || nok "the nodes line"
echo "$out" | grep -q "^✗ flux    sources 1/1 Ready · kustomizations 1/3 Ready" &&
	ok "the flux line" || nok "the flux line"
echo "$out" | grep -q "^✗ images  no registry: give --registry" &&
	ok "the images line says what is missing" ||
	nok "the images line says what is missing"
echo "$out" | grep -q "scans   not available in this build" &&
	ok "scans are honestly not there" || nok "scans are honestly not there"
out=$("$bin" status --json 2>&1)
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["nodes"]["summary"]["total"] == 7
assert d["flux"]["summary"]["kustomizations"] == 3
assert "no registry" in d["imagesError"]
' && ok "status --json holds nodes, flux and the images error" ||
	nok "status --json holds nodes, flux and the images error"
exit $fail
