#!/bin/sh
# test_config.sh - the one config file end to end: the documented sample
# against the program's key table, `config --check` naming the line of
# every problem, a bad file stopping every command before it acts, where
# each value comes from, key overrides in `keys`, --help and the TUI's
# help overlay, and read_only and the cluster settings taken from the
# file.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
e2e_require python3 tmux

SAMPLE=$E2E_ROOT/doc/config.sample
OUT=$E2E_TMP/out
STDOUT=$E2E_TMP/stdout
ERR=$E2E_TMP/stderr
CFG=$E2E_TMP/config
LIMIT=""
command -v timeout >/dev/null 2>&1 && LIMIT="timeout 30"

# jd ARGS...: jumpdeck without lib.sh's loopback Azure endpoints, so that
# `config` shows the built-in defaults and where each value comes from.
jd() {
	# shellcheck disable=SC2086
	(unset $LB_AZURE_NAMES; exec $LIMIT "$JD" "$@") </dev/null \
		>"$STDOUT" 2>"$ERR"
	rc=$?
	cat "$STDOUT" "$ERR" >"$OUT"
}
has() { grep -qF -- "$1" "$OUT"; }
lacks() { ! grep -qF -- "$1" "$OUT"; }
rc_is() { test "$rc" -eq "$1"; }

# ------------------------------------------------- the sample and the table
# The table as the program has it: `jumpdeck config` on an empty file
# prints every key, its default (or - when unset) and "default"/"unset".
jd --config /dev/null config
sed -n '3,/^$/p' "$STDOUT" | sed '/^$/d' | awk '{print $1, $2}' \
	>"$E2E_TMP/table"
check "config lists the key table (more than 20 keys)" \
	test "$(wc -l <"$E2E_TMP/table")" -gt 20
# The sample's settings: "#key = value" or "key = value", minus images,
# allow-list lines and key bindings.
sed -n 's/^#\{0,1\}\([a-z_]*\) = \(.*\)$/\1 \2/p' "$SAMPLE" |
	grep -v '^image \|^scan_gate_allow ' >"$E2E_TMP/sample"
missing="" wrong="" unknown=""
while read -r key def; do
	line=$(grep "^$key " "$E2E_TMP/sample" | head -1)
	if [ -z "$line" ]; then
		missing="$missing $key"
	elif [ "$def" != "-" ] && [ "$line" != "$key $def" ]; then
		wrong="$wrong $key"
	fi
done <"$E2E_TMP/table"
while read -r key _; do
	grep -q "^$key " "$E2E_TMP/table" || unknown="$unknown $key"
done <"$E2E_TMP/sample"
check "doc/config.sample documents every key of the table${missing:+ (missing:$missing)}" \
	test -z "$missing"
check "doc/config.sample shows each key's default${wrong:+ (wrong:$wrong)}" \
	test -z "$wrong"
check "doc/config.sample names no key the program lacks${unknown:+ (unknown:$unknown)}" \
	test -z "$unknown"
# The images it lists are the program's defaults.
sed -n 's/^#image = //p' "$SAMPLE" >"$E2E_TMP/sample-images"
sed -n '/^images (default):/,$p' "$STDOUT" | sed -n 's/^  //p' \
	>"$E2E_TMP/images"
check "doc/config.sample lists the default images" \
	cmp -s "$E2E_TMP/sample-images" "$E2E_TMP/images"
undoc=""
while read -r key _; do
	grep '^\.BR\{0,1\} ' doc/jumpdeck.1 | grep -qw -- "$key" ||
		undoc="$undoc $key"
done <"$E2E_TMP/table"
check "the man page's CONFIGURATION names every key${undoc:+ (missing:$undoc)}" \
	test -z "$undoc"
jd config --check "$SAMPLE"
check "config --check accepts the sample as shipped" rc_is 0
check "config --check says ok" has "$SAMPLE: ok"
# Every example value, uncommented, passes the checks.
sed 's/^#\([a-z_.]* = \)/\1/' "$SAMPLE" >"$CFG"
jd config --check "$CFG"
check "config --check accepts every example of the sample" rc_is 0
n=$(wc -l <"$E2E_TMP/table")
check "config --check counts the settings, images and key bindings" \
	has "ok ($n settings, 6 images, 4 key bindings)"

# ------------------------------------------------- problems, with lines
cat >"$CFG" <<'EOF'
registry = acrexample
import_concurrency = lots
colour = blue
copy_mode = scp
key.cordon = u
key.frobnicate = x
theme = no-such-theme
EOF
jd config --check "$CFG"
check "config --check: a bad file exits 2" rc_is 2
check "config --check: a wrong type names file:line" \
	has "$CFG:2: import_concurrency: \"lots\" is not a whole number"
check "config --check: an unknown key names file:line" \
	has "$CFG:3: unknown key \"colour\""
check "config --check: a bad value names file:line and the choices" \
	has "$CFG:4: copy_mode: \"scp\" is not one of arm|registry"
check "config --check: a key clash names file:line and both actions" \
	has "$CFG:5: key.cordon: u is also the key of uncordon (Nodes pane)"
check "config --check: an unknown action names file:line" \
	has "$CFG:6: key.frobnicate: no action \"frobnicate\""
check "config --check: a missing theme names file:line" \
	has "$CFG:7: theme:"
check "config --check: the count of problems" has "$CFG: 6 problems"
printf 'key.cordon = j\n' >"$CFG"
jd config --check "$CFG"
check "config --check: a pane key hiding a list key is a clash" \
	has "$CFG:1: key.cordon: j is also the key of down (Lists)"
printf 'key.cordon = x\nkey.uncordon = x\n' >"$CFG"
jd config --check "$CFG"
check "config --check: two rebound actions on one key: the later line" \
	has "$CFG:2: key.uncordon: x is also the key of cordon"
printf 'key.cordon = u\nkey.uncordon = c\n' >"$CFG"
jd config --check "$CFG"
check "config --check: swapping two keys is fine" rc_is 0
jd config --check "$E2E_TMP/nonexistent"
check "config --check: a missing file exits 2 and says so" \
	sh -c "test $rc -eq 2 && grep -q 'cannot read config' '$OUT'"

# A bad file stops every command before it does anything.
printf 'read_only = sometimes\n' >"$CFG"
jd --config "$CFG" nodes
check "a bad config: nodes exits 2" rc_is 2
check "a bad config: the problem with file:line" \
	has "$CFG:1: read_only: \"sometimes\" is not true or false"
check "a bad config: nothing else was tried" lacks "cannot reach"
jd --config "$CFG" --help
check "a bad config: --help still works" rc_is 0
# The default file is read when there is no --config.
mkdir -p "$HOME/.config/jumpdeck"
printf 'import_concurrency = 0\n' >"$HOME/.config/jumpdeck/config"
jd images
check "the default file (~/.config/jumpdeck/config) is read and checked" \
	has "$HOME/.config/jumpdeck/config:1: import_concurrency: \"0\" is out of range (1 to 32)"
rm "$HOME/.config/jumpdeck/config"
# A bad environment value or flag is named too.
JUMPDECK_COPY_MODE=ftp jd --config /dev/null config
check "a bad environment value names the variable" \
	has "JUMPDECK_COPY_MODE: \"ftp\" is not one of arm|registry"
jd --config /dev/null --registry-url acr.example config
check "a bad flag value names the flag" \
	has "--registry-url: \"acr.example\" is not an http:// or https://"

# ------------------------------------------------- where values come from
printf '# ops\nregistry = acrfile\nresource_group = rg-file\ntheme = monochrome\n' \
	>"$CFG"
JUMPDECK_RESOURCE_GROUP=rg-env jd --config "$CFG" --subscription sub-flag \
	config
check "config: a file value with its file:line" \
	grep -Eq "^registry +acrfile +file \($CFG:2\)" "$STDOUT"
check "config: an environment value with its variable" \
	grep -Eq "^resource_group +rg-env +environment \(JUMPDECK_RESOURCE_GROUP\)" "$STDOUT"
check "config: a flag value" \
	grep -Eq "^subscription +sub-flag +command line" "$STDOUT"
check "config: a default" grep -Eq "^live_prefix +live/ +default" "$STDOUT"

# ------------------------------------------------- key overrides
printf 'key.cordon = C F5\nkey.help = F2\n' >"$CFG"
jd --config "$CFG" keys
check "keys shows a rebound action's keys in force" \
	grep -Eq '^    C F5 +cordon +Cordon the selected node' "$STDOUT"
check "keys shows help on F2 only" grep -Eq '^    F2 +help ' "$STDOUT"
jd --config "$CFG" --help
check "--help shows the keys in force" \
	grep -Eq '^    C F5 +Cordon the selected node' "$STDOUT"
jd --config "$CFG" keys --markdown
check "keys --markdown shows the keys in force" \
	has '| `C F5` | Cordon the selected node'

# ------------------------------------------------- with a cluster
world_up
# The cluster settings from the file alone: no KUBECONFIG, no flags.
cat >"$CFG" <<EOF
kubeconfig = $D/kubeconfig
context = sim-viewer
audit_log = $AUDIT
read_only = yes
EOF
jd --config "$CFG" nodes
check "kubeconfig and context from the file: nodes works" rc_is 0
jd --config "$CFG" config
check "config: the context comes from the file" \
	grep -Eq "^context +sim-viewer +file \($CFG:2\)" "$STDOUT"
NODE=aks-npinscope01-26621167-vmss000000
printf 'kubeconfig = %s\naudit_log = %s\nread_only = true\n' \
	"$D/kubeconfig" "$AUDIT" >"$CFG"
jd --config "$CFG" cordon "$NODE"
check "read_only in the file: cordon is refused (exit 1)" rc_is 1
check "read_only in the file: says read-only" has "read-only"
check "read_only in the file: the refusal is audited" \
	audit_has node.cordon refused "node/$NODE"
unsched=$(api GET "/api/v1/nodes/$NODE" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"].get("unschedulable", False))')
check "read_only in the file: the node is not cordoned" \
	test "$unsched" = False

# The TUI: the help overlay shows the bindings in force, and they work.
printf 'key.help = F2\nkey.cordon = C\n' >"$CFG"
jd_start 120 40 --config "$CFG"
assert_screen_has "TUI with key overrides: nodes listed" "7/7 Ready" 10
send '?'
sleep 0.5
assert_screen_lacks "TUI: ? no longer opens the help" "Keys (j/k"
send F2
assert_screen_has "TUI: F2 opens the help overlay" "Keys (j/k"
check "TUI: the overlay shows C for cordon" \
	wait_screen 3 grep -q ' C  *Cordon the selected node'
check "TUI: the overlay shows F2 for help" \
	wait_screen 3 grep -q ' F2  *Show or hide this help'
send Escape
send q
check "TUI with key overrides: q quits" test "$(wait_exit 5)" = EXIT=0

e2e_finish
