#!/bin/sh
# images_bench.sh - `make bench`, the image pipeline against the local
# registries and the Azure simulator: the images check (wall time, token
# requests) and figure 6 of issue 12, six imports run in parallel against
# one import alone and the six one after another, with a fixed delay per
# importImage operation. Prints lines and writes a JSON file; asserts
# nothing. Usage: images_bench.sh OUT.json [DELAY_S] [RUNS]
# shellcheck disable=SC1091
OUT=${1:?usage: images_bench.sh OUT.json [DELAY_S] [RUNS]}
DELAY=${2:-2}
RUNS=${3:-3}
case $OUT in
/*) ;;
*) OUT=$(pwd)/$OUT ;;
esac
. "$(dirname "$0")/../integration/lib_world.sh"
. tests/integration/lib_azure.sh
LW_LIMIT="timeout 300"
JUMPDECK_AUDIT_LOG=$LW_TMP/audit.log
export JUMPDECK_AUDIT_LOG

if ! az_up; then
	cat "$AZ_LOG"
	echo "bench: the registries and the Azure simulator did not start"
	exit 1
fi

# wall CMD...: seconds the command took (to the millisecond), on stdout;
# its output in $LW_OUT. An exit status above WALL_MAX (0) is a failure
# (images exits 1 while images wait for their next step).
WALL_MAX=0
wall() {
	t0=$(date +%s.%N)
	$LW_LIMIT "$@" >"$LW_OUT" 2>&1
	rc=$?
	if [ "$rc" -gt "$WALL_MAX" ]; then
		cat "$LW_OUT" >&2
		echo "bench: $* failed (exit $rc)" >&2
		exit 1
	fi
	t1=$(date +%s.%N)
	python3 -c 'import sys; print("%.3f" % (float(sys.argv[2]) -
	    float(sys.argv[1])))' "$t0" "$t1"
}

checks="" tokens=""
i=0
while [ $i -lt "$RUNS" ]; do
	az_reset >/dev/null
	checks="$checks $(WALL_MAX=1 wall "$JD" images --json)"
	tokens="$tokens $(az_requests POST oauth2/token)"
	i=$((i + 1))
done

az_config "{\"import_delay_s\": $DELAY}"
one="" par="" seq=""
i=0
while [ $i -lt "$RUNS" ]; do
	p=r$i
	one="$one $(wall env JUMPDECK_QUARANTINE_PREFIX="one$p/" "$JD" import kured)"
	par="$par $(wall env JUMPDECK_IMPORT_CONCURRENCY=6 \
		JUMPDECK_QUARANTINE_PREFIX="par$p/" "$JD" import --all)"
	seq="$seq $(wall env JUMPDECK_IMPORT_CONCURRENCY=1 \
		JUMPDECK_QUARANTINE_PREFIX="seq$p/" "$JD" import --all)"
	i=$((i + 1))
done

python3 - "$OUT" "$DELAY" "$checks" "$tokens" "$one" "$par" "$seq" <<'EOF'
import json, os, statistics, sys
out, delay = sys.argv[1], float(sys.argv[2])
checks, tokens, one, par, seq = [[float(x) for x in a.split()]
                                 for a in sys.argv[3:8]]
med = statistics.median
r = {"images_check_s": checks, "images_check_s_median": med(checks),
     "token_requests_per_check": tokens,
     "import_delay_s": delay, "import_one_s": one, "import_six_parallel_s":
     par, "import_six_sequential_s": seq,
     "parallel_over_one": round(med(par) / med(one), 2),
     "sequential_over_parallel": round(med(seq) / med(par), 2)}
print("images check: %.2f s (median of %d), %d token request(s) each"
      % (med(checks), len(checks), max(tokens)))
print("6 imports, %.1f s delay per importImage: one alone %.2f s, six in "
      "parallel %.2f s (%.2fx the one; target <= 1.3x), six one after "
      "another %.2f s" % (delay, med(one), med(par),
                          r["parallel_over_one"], med(seq)))
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(r, f, indent=1)
    f.write("\n")
    f.flush()
    os.fsync(f.fileno())
os.rename(tmp, out)
print("figures written to %s" % out)
EOF
lw_finish
