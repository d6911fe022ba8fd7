#!/bin/sh
# test_tui_exec.sh - an interactive exec credential plugin (like kubelogin's
# device-code flow) gets the terminal: the TUI leaves the screen, the plugin
# prompts and reads a line, and the TUI comes back signed in.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$PWD/$BUILD/jumpdeck
fail=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; tmux -L "$sock" capture-pane -p 2>/dev/null; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/jd-exec.XXXXXX")
sock=jd-exec-$$
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	python3 tests/sim/world.py down --dir "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
python3 tests/sim/world.py up --dir "$dir" --scenario nodes >/dev/null 2>&1 ||
	{ nok "simulator starts"; exit 1; }

cat >"$dir/login.sh" <<'PLUGIN'
#!/bin/sh
# A stand-in for kubelogin --login devicecode: prompt, wait, print a token.
echo "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code TEST-CODE to authenticate." >&2
echo "Press Enter when done." >&2
read -r line
echo "$(date +%s)" >>"$(dirname "$0")/runs"
printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"token":"admin-token","expirationTimestamp":"2099-01-01T00:00:00Z"}}\n'
PLUGIN
chmod +x "$dir/login.sh"
port=$(cat "$dir/port")
ca=$(base64 -w0 "$dir/ca.crt")
cat >"$dir/kc" <<KC
apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $ca
users:
- name: clusterUser_rg-bu0001a0005_aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $dir/login.sh
      args: [get-token, --login, devicecode]
      env: null
      installHint: kubelogin is not installed
      provideClusterInfo: false
contexts:
- name: aks
  context: {cluster: aks, user: clusterUser_rg-bu0001a0005_aks}
current-context: aks
KC

wait_screen() {
	i=0
	while [ $i -lt 100 ]; do
		tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
tmux -L "$sock" new-session -d -x 100 -y 30 \
	"JUMPDECK_AUDIT_LOG=$dir/audit.log $bin --kubeconfig $dir/kc; echo EXIT=\$?; sleep 5"
if wait_screen "TEST-CODE"; then
	ok "the plugin's device-code prompt is shown on the terminal"
else
	nok "the plugin's device-code prompt is shown on the terminal"
fi
tmux -L "$sock" send-keys Enter
if wait_screen "7/7 Ready"; then
	ok "after the plugin the TUI comes back signed in and shows the nodes"
else
	nok "after the plugin the TUI comes back signed in and shows the nodes"
fi
if tmux -L "$sock" capture-pane -p | grep -q "exec login.sh"; then
	ok "the title bar says the user signs in through the exec plugin"
else
	nok "the title bar says the user signs in through the exec plugin"
fi
runs=$(wc -l <"$dir/runs" 2>/dev/null || echo 0)
[ "$runs" -eq 1 ] && ok "the plugin ran once (its token is cached)" ||
	nok "the plugin ran once (its token is cached), ran $runs times"
tmux -L "$sock" send-keys q
if wait_screen "EXIT=0"; then ok "quits cleanly"; else nok "quits cleanly"; fi
exit $fail
