#!/bin/sh
# test_tui_exec.sh - kubelogin's device-code sign-in from the TUI: the
# kubeconfig `az aks get-credentials` writes (command kubelogin, found on
# PATH; v1beta1; no interactiveMode), with tests/sim/exec_plugin.py
# standing in for kubelogin. The TUI leaves the screen, the plugin prints
# its prompt and reads the code from the terminal (a wrong one first),
# and the TUI comes back signed in, having run the plugin once.
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
bin=$PWD/$BUILD/jumpdeck
fail=0
dir=$(mktemp -d "${TMPDIR:-/tmp}/jd-exec.XXXXXX")
sock=jd-exec-$$
ok() { echo "ok - $1"; }
nok() {
	echo "not ok - $1"
	fail=1
	tmux -L "$sock" capture-pane -p 2>/dev/null | sed 's/^/#   |/'
}
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	python3 tests/sim/world.py down --dir "$dir/world" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
for tool in tmux python3; do
	command -v $tool >/dev/null 2>&1 || {
		echo "skip - $(basename "$0"): $tool not installed"
		exit 0
	}
done
python3 tests/sim/world.py up --dir "$dir/world" --scenario nodes \
	>/dev/null 2>&1 || { nok "simulator starts"; exit 1; }

# kubelogin on PATH, as the jump box has it
mkdir -p "$dir/bin" "$dir/state"
cat >"$dir/bin/kubelogin" <<EOF
#!/bin/sh
JD_EXEC_STATE=$dir/state exec python3 $PWD/tests/sim/exec_plugin.py "\$@"
EOF
chmod +x "$dir/bin/kubelogin"
port=$(cat "$dir/world/port")
ca=$(base64 -w0 "$dir/world/ca.crt")
cat >"$dir/kc" <<KC
apiVersion: v1
kind: Config
clusters:
- name: aks-bu0001a0005
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $ca
users:
- name: clusterUser_rg-bu0001a0005_aks-bu0001a0005
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - 11111111-2222-3333-4444-555555555555
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: kubelogin is not installed which is required to connect to AAD enabled cluster.
      provideClusterInfo: false
contexts:
- name: aks-bu0001a0005
  context: {cluster: aks-bu0001a0005, user: clusterUser_rg-bu0001a0005_aks-bu0001a0005}
current-context: aks-bu0001a0005
KC

screen() { tmux -L "$sock" capture-pane -p -J 2>/dev/null; }
wait_screen() { # TEXT [SECONDS]
	i=0
	while [ $i -lt $((${2:-10} * 10)) ]; do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
tmux -L "$sock" new-session -d -x 100 -y 30 \
	"PATH=$dir/bin:\$PATH JUMPDECK_AUDIT_LOG=$dir/audit.log $bin --kubeconfig $dir/kc; echo EXIT=\$?; sleep 5"
if wait_screen "and enter the code"; then
	ok "kubelogin's device-code prompt is on the terminal"
else
	nok "kubelogin's device-code prompt is on the terminal"
fi
code=$(screen | sed -n 's/.*enter the code \([A-Z0-9]*\) to authenticate.*/\1/p' |
	head -1)
[ -n "$code" ] && ok "the prompt names the code" ||
	nok "the prompt names the code"
tmux -L "$sock" send-keys -l "WRONGCODE"
tmux -L "$sock" send-keys Enter
if wait_screen "That is not the code"; then
	ok "what is typed reaches the plugin (a wrong code is refused)"
else
	nok "what is typed reaches the plugin (a wrong code is refused)"
fi
tmux -L "$sock" send-keys -l "$code"
tmux -L "$sock" send-keys Enter
if wait_screen "7/7 Ready" 15; then
	ok "after the sign-in the TUI comes back signed in and shows the nodes"
else
	nok "after the sign-in the TUI comes back signed in and shows the nodes"
fi
if screen | grep -q "exec kubelogin"; then
	ok "the title bar says the user signs in through kubelogin"
else
	nok "the title bar says the user signs in through kubelogin"
fi
if screen | grep -q "enter the code"; then
	nok "the plugin's prompt is gone from the screen"
else
	ok "the plugin's prompt is gone from the screen"
fi
runs=$(wc -l <"$dir/state/calls" 2>/dev/null || echo 0)
[ "$runs" -eq 1 ] && ok "the plugin ran once (its token is cached)" ||
	nok "the plugin ran once (its token is cached), ran $runs times"
if grep -q 'tty=yes' "$dir/state/calls" &&
	grep -q '\\"interactive\\": *true' "$dir/state/calls"; then
	ok "it had the terminal, and KUBERNETES_EXEC_INFO said interactive"
else
	nok "it had the terminal, and KUBERNETES_EXEC_INFO said interactive"
	sed 's/^/#   /' "$dir/state/calls"
fi
tmux -L "$sock" send-keys q
if wait_screen "EXIT=0"; then ok "quits cleanly"; else nok "quits cleanly"; fi
exit $fail
