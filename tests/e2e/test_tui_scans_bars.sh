#!/bin/sh
# test_tui_scans_bars.sh - the severity bars of the scans pane under a
# private tmux server: one bar per image, scaled to the image with the
# most findings, and one for the registry, against the registries, the
# Azure simulator's Resource Graph (Defender rows seeded per digest) and
# a Grype report. Read from the screen with its escapes: at 120x40 in the
# default theme (critical as blocks of its red background, the others as
# shades in their colours), at 80x24 with --ascii, and at 80x24 with
# --no-color (critical reversed, the shades apart, no colour at all).
# The cells follow from the seeded findings: busybox 1 critical, 1 high,
# 1 medium (3 findings, half of source-controller's 6: 4 of 8 cells,
# 2/1/1); source-controller 1 medium, 5 low (8 cells, 2/6); the
# registry 1/1/2/5 over 20 cells (3/3/4/10), or 12 at 80 columns
# (2/2/3/5).
# shellcheck disable=SC1091,SC2317,SC2034,SC2016  # JD_ENV is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require tmux python3 curl
. tests/integration/lib_azure.sh
. tests/e2e/lib_scans.sh

BUSYBOX=docker.io/library/busybox:1.33.0
SRC=ghcr.io/fluxcd/source-controller:v0.6.3
REPORTS=$E2E_TMP/reports
mkdir -p "$REPORTS" "$HOME/.config/jumpdeck"
printf 'scan_reports = %s\n' "$REPORTS" >"$HOME/.config/jumpdeck/config"

# row NAME: the scans pane's row of that image ("│ NAME " or "| NAME ").
row() { grep -E "^[│|] $1 "; }
row_re() { row "$1" | grep -Eq -- "$2"; }
# arrived: busybox and source-controller have their verdicts (the screen
# on stdin).
arrived() {
	s=$(cat)
	printf '%s\n' "$s" | row_re busybox:1.33.0 unhealthy &&
		printf '%s\n' "$s" | row_re source-controller:v0.6.3 unhealthy
}
# shot: the screen with its escapes, for bar.
shot() { tm capture-pane -e -p -t "$JD_SESSION" >"$E2E_TMP/esc" 2>/dev/null; }

# bar WHAT [WIDTH]: a bar of the last shot as one letter a cell, read from its
# character and attributes (the escapes tmux captured): C critical (a
# blank of the critical style: a background, or reverse without colour),
# H high, M medium, L low (their glyphs, "▓▒░" or "=-."), _ nothing. WHAT
# is an image (its row's SEVERITY column, 8 cells) or "registry" (the
# WIDTH cells after "registry ", default 20). Then the style seen for each letter:
# "CCHHM_____ C:bg41 H:bold,fg31 M:fg33".
bar() {
	python3 "$E2E_TMP/bar.py" "$1" "$E2E_TMP/esc" "${2:-20}"
}
cat >"$E2E_TMP/bar.py" <<'PY'
import re, sys
what, path, reg_width = sys.argv[1], sys.argv[2], int(sys.argv[3])
sgr = re.compile(r"\x1b\[([0-9;]*)m")
NAMES = {1: "bold", 4: "ul", 7: "rev"}
OFF = {22: "bold", 24: "ul", 27: "rev"}


def cells(line):
    out, st, i = [], {}, 0
    while i < len(line):
        m = sgr.match(line, i)
        if not m:
            if line[i] != "\n":
                out.append((line[i], dict(st)))
            i += 1
            continue
        codes = [int(c) if c else 0 for c in m.group(1).split(";")]
        j = 0
        while j < len(codes):
            c = codes[j]
            if c == 0:
                st = {}
            elif c in NAMES:
                st[NAMES[c]] = ""
            elif c in OFF:
                st.pop(OFF[c], None)
            elif 30 <= c <= 37 or 90 <= c <= 97:
                st["fg"] = str(c)
            elif 40 <= c <= 47 or 100 <= c <= 107:
                st["bg"] = str(c)
            elif c == 39:
                st.pop("fg", None)
            elif c == 49:
                st.pop("bg", None)
            elif c in (38, 48) and j + 2 < len(codes):
                st["fg" if c == 38 else "bg"] = "5:%d" % codes[j + 2]
                j += 2
            j += 1
        i = m.end()
    return out


lines = [cells(l) for l in open(path, encoding="utf-8")]
plain = ["".join(ch for ch, _ in l) for l in lines]
start = width = row = col = None
for n, p in enumerate(plain):
    if what == "registry":
        if re.match(r"^[│|] registry ", p):
            start, width, row = p.index("registry ") + 9, reg_width, n
            break
        continue
    if re.match(r"^[│|] IMAGE ", p) and "SEVERITY" in p:
        col = p.index("SEVERITY")
    if col is not None and re.match(r"^[│|] " + re.escape(what) + " ", p):
        start, width, row = col, 8, n
        break
if start is None:
    print("no bar for " + what)
    sys.exit(0)
glyph = {"█": "C", "#": "C", "▓": "H", "=": "H", "▒": "M", "-": "M",
         "░": "L", ".": "L"}
letters, styles = "", {}
for ch, st in lines[row][start:start + width]:
    if ch == " ":
        k = "C" if ("bg" in st or "rev" in st) else "_"
    else:
        k = glyph.get(ch, "?")
    letters += k
    if k != "_":
        styles[k] = ",".join(a + v for a, v in sorted(st.items())) or "-"
print(letters, " ".join("%s:%s" % kv for kv in sorted(styles.items())))
PY
# bar_is WHAT EXPECTED [WIDTH]: the bar reads EXPECTED (letters, then
# styles).
bar_is() {
	got=$(bar "$1" "${3:-20}")
	echo "# $1: $got" >>"$E2E_TMP/out"
	test "$got" = "$2"
}

if ! az_up; then
	cp "$AZ_LOG" "$E2E_TMP/out"
	not_ok "registries, upstream images and the Azure simulator start"
	e2e_finish
fi
world_up
ok "registries, the Azure simulator and the cluster start"
JD_ENV=$(az_env_words)

SRC_D=$(az_seed_digest $SRC)

import3() {
	JUMPDECK_AUDIT_LOG=$AUDIT timeout 120 "$JD" import busybox kured \
		source-controller >"$E2E_TMP/out" 2>&1
}
check "busybox, kured and source-controller imported (CLI)" import3
scans_seed_defender
lows=""
for n in 1 2 3 4 5; do
	lows="$lows, {\"severity\": \"Low\", \"id\": \"CVE-2020-1000$n\", \"package\": \"musl\", \"version\": \"1.2.2-r0\"}"
done
az_sim POST /findings "{\"repository\": \"quarantine/fluxcd/source-controller\", \"digest\": \"$SRC_D\", \"generation\": \"mdvm\", \"findings\": [{\"severity\": \"Medium\", \"id\": \"CVE-2020-28928\", \"package\": \"musl\", \"version\": \"1.2.2-r0\"}$lows]}" >/dev/null
scans_grype_busybox_arm64 "$REPORTS"


# ================================================================ 120x40
jd_start 120 40
send 2 z
check "120x40: the scans arrived (busybox and source-controller unhealthy)" \
	wait_screen 40 arrived
shot
check "120x40: busybox 3 findings of 6: 4 cells, critical as red blocks, high and medium shades" \
	bar_is busybox:1.33.0 "CCHM____ C:bg41,bold,fg37 H:bold,fg31 M:fg33"
check "120x40: source-controller (the scale) fills its 8 cells: 2 medium, 6 low" \
	bar_is source-controller:v0.6.3 "MMLLLLLL L:- M:fg33"
check "120x40: kured, healthy, has no bar" bar_is kured:1.6.1 "________ "
check "120x40: the registry's bar over 20 cells" \
	bar_is registry "CCCHHHMMMMLLLLLLLLLL C:bg41,bold,fg37 H:bold,fg31 L:- M:fg33"
check "120x40: the registry's counts beside it" \
	wait_for "1 critical, 1 high, 2 medium, 5 low in 2/6 images" 3
check "120x40: UTF-8 shades" \
	wait_screen 3 row_re source-controller:v0.6.3 ' ▒▒░░░░░░ '
send q
check "q quits" wait_exit 5

# ================================================================ 80x24
jd_start 80 24 --ascii
send 2
check "80x24 --ascii: the scans arrived" \
	wait_screen 40 arrived
shot
check "80x24 --ascii: busybox's bar in ASCII" \
	bar_is busybox:1.33.0 "CCHM____ C:bg41,bold,fg37 H:bold,fg31 M:fg33"
check "80x24 --ascii: the glyphs are ASCII" \
	wait_screen 3 row_re source-controller:v0.6.3 ' --\.\.\.\.\.\. '
check "80x24 --ascii: the registry's bar in 12 cells" \
	bar_is registry "CCHHMMMLLLLL C:bg41,bold,fg37 H:bold,fg31 L:- M:fg33" 12
check "80x24 --ascii: the registry's counts read whole" \
	wait_for "1 critical, 1 high, 2 medium, 5 low in 2/6 images" 3
check "80x24 --ascii: verdict, bar and gate on busybox's row" \
	wait_screen 3 row_re busybox:1.33.0 'unhealthy +=- .*blocked'
send q
check "q quits (--ascii)" wait_exit 5

jd_start 80 24 --no-color
send 2
check "80x24 --no-color: the scans arrived" \
	wait_screen 40 arrived
shot
check "80x24 --no-color: critical reversed, high bold, medium underlined" \
	bar_is busybox:1.33.0 "CCHM____ C:bold,rev H:bold M:ul"
check "80x24 --no-color: the registry's bar" \
	bar_is registry "CCHHMMMLLLLL C:bold,rev H:bold L:- M:ul" 12
check "80x24 --no-color: no colour at all on the screen" \
	sh -c '! grep -q "$(printf "\033")\[[0-9;]*\(3[0-7]\|4[0-7]\|38;5\|48;5\)[;m]" "$1"' _ "$E2E_TMP/esc"
send q
check "q quits (--no-color)" wait_exit 5

e2e_finish
