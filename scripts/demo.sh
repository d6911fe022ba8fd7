#!/bin/sh
# demo.sh - starts the simulated world and opens jumpdeck against it: seven
# AKS nodes in three pools (one turns NotReady and back every 20 s), Flux
# v0.8-style with one healthy and one failing Kustomization, and the image
# pipeline in a local registry (some images promoted, one in quarantine,
# one never imported, one drifted in live/). Stops everything on exit.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
dir=$(mktemp -d "${TMPDIR:-/tmp}/jumpdeck-demo.XXXXXX")
cleanup() {
	python3 tests/sim/azuresim.py down --dir "$dir/az" >/dev/null 2>&1 || true
	python3 tests/sim/registry.py down --dir "$dir/reg" >/dev/null 2>&1 || true
	python3 tests/sim/world.py down --dir "$dir/k8s" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM HUP
step() { printf 'demo: %s\n' "$*"; }
fail() { cat "$1" >&2; exit 1; }

step "starting the simulated cluster..."
python3 tests/sim/world.py up --dir "$dir/k8s" --scenario demo \
	>"$dir/k8s.log" 2>&1 || fail "$dir/k8s.log"
step "starting the registries and the Azure simulator..."
python3 tests/sim/registry.py up --dir "$dir/reg" >"$dir/reg.log" 2>&1 ||
	fail "$dir/reg.log"
python3 tests/sim/images.py seed-upstream --dir "$dir/reg" \
	>"$dir/seed.json" 2>"$dir/seed.log" || fail "$dir/seed.log"
python3 tests/sim/azuresim.py up --dir "$dir/az" --registry-dir "$dir/reg" \
	>"$dir/az.log" 2>&1 || fail "$dir/az.log"
set -a
. "$dir/az/jumpdeck-azure.env"
set +a
# The demo signs in as the simulator's service principal.
AZURE_CLIENT_ID=$JUMPDECK_SIM_CLIENT_ID
AZURE_CLIENT_SECRET=$JUMPDECK_SIM_CLIENT_SECRET
unset JUMPDECK_REGISTRY
export AZURE_CLIENT_ID AZURE_CLIENT_SECRET
export KUBECONFIG="$dir/k8s/kubeconfig" JUMPDECK_AUDIT_LOG="$dir/audit.log"
step "walking part of the quarantine pipeline (audited in the demo's log)..."
"$BUILD/jumpdeck" import kustomize-controller source-controller falco kured \
	>"$dir/pipe.log" 2>&1 || fail "$dir/pipe.log"
step "Defender's findings for them (seeded in the simulator)..."
python3 scripts/demo-findings.py "$dir" >"$dir/findings.log" 2>&1 ||
	fail "$dir/findings.log"
"$BUILD/jumpdeck" promote kustomize-controller source-controller kured \
	>>"$dir/pipe.log" 2>&1 || fail "$dir/pipe.log"
# Something imported straight into live/, skipping quarantine: an alert.
python3 tests/sim/images.py push --dir "$dir/reg" --registry acr \
	--repo live/weaveworks/kured --tag 1.6.1 --content skipped-quarantine \
	>"$dir/drift.json" 2>/dev/null
# Pods that run the images: one of them runs the drifted kured.
python3 scripts/demo-findings.py "$dir" pods >>"$dir/findings.log" 2>&1 ||
	fail "$dir/findings.log"
step "node aks-npooscope01-...-vmss000001 turns NotReady and back every 20 s"
"$BUILD/jumpdeck" --demo "$@"
