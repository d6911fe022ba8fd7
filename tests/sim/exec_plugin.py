#!/usr/bin/env python3
# exec_plugin.py - a stand-in exec credential plugin for tests: prints an
# ExecCredential; its behaviour is steered by files. With kubelogin's
# arguments it also plays kubelogin's device-code sign-in on the terminal.
"""Stand-in client-go exec credential plugin.

State directory: $JD_EXEC_STATE (default: the current directory).
  calls  one line appended per run (tests count invocations)
  token  the token to hand out (default "admin-token")
  tokens if present and not empty: each run takes (and removes) its first
         line as the token, before falling back to `token`
  ttl    token lifetime in seconds (default 3600)
  fail   if present: print its content to stderr and exit 1
  code   the device code to ask for (default: a random one)

Called as kubelogin is by the kubeconfig `az aks get-credentials` writes
(`get-token --login devicecode --server-id ... --client-id ...
--tenant-id ... --environment ...`, in any order), it behaves like
kubelogin's device-code flow: the sign-in prompt goes to stderr ("To sign
in, use a web browser to open the page https://microsoft.com/devicelogin
and enter the code XXXXXXXXX to authenticate."), and it blocks until the
sign-in is done before it prints the credential. Here, signing in is
typing the code on the terminal the plugin was given (three tries); a
plugin that was not given a terminal says so and fails, which is how a
test proves that the client handed it the terminal and came back.
"""

import datetime
import json
import os
import random
import sys

# kubelogin's AAD server app id for AKS (upstream-facts 5)
AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"


def read(path, default):
    try:
        with open(path) as f:
            v = f.read().strip()
        return v if v else default
    except OSError:
        return default


def pop_token(path):
    """The first line of path, removed from the file; None when empty."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None
    first = lines.pop(0).strip()
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    os.replace(tmp, path)
    return first


def kubelogin_args(argv):
    """kubelogin get-token flags (--flag value or --flag=value, in any
    order, -l for --login); None when argv is not a get-token call."""
    if not argv or argv[0] != "get-token":
        return None
    out, i = {}, 1
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and "=" in a:
            k, v = a[2:].split("=", 1)
        elif a in ("-l", "-e", "-t") or a.startswith("--"):
            k = {"-l": "login", "-e": "environment",
                 "-t": "tenant-id"}.get(a, a[2:])
            i += 1
            v = argv[i] if i < len(argv) else ""
        else:
            k, v = "", a
        out[k] = v
        i += 1
    return out


def device_code_sign_in(state, args):
    """kubelogin's devicecode login: prompt on stderr, wait for the
    sign-in (here: the code typed on the terminal)."""
    for need in ("server-id", "client-id", "tenant-id"):
        if not args.get(need):
            sys.stderr.write("Error: --%s is required\n" % need)
            return False
    code = read(os.path.join(state, "code"), "".join(
        random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        for _ in range(9)))
    if not os.isatty(0):
        sys.stderr.write("stdin is not a terminal: the device-code "
                         "sign-in cannot be completed\n")
        return False
    sys.stderr.write("To sign in, use a web browser to open the page "
                     "https://microsoft.com/devicelogin and enter the code "
                     "%s to authenticate.\n" % code)
    sys.stderr.flush()
    for _ in range(3):
        line = sys.stdin.readline()
        if not line:
            break
        if line.strip() == code:
            return True
        sys.stderr.write("That is not the code; enter %s\n" % code)
        sys.stderr.flush()
    sys.stderr.write("Error: failed to get token: device code sign-in "
                     "was not completed\n")
    return False


def main():
    state = os.environ.get("JD_EXEC_STATE") or "."
    os.makedirs(state, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    info = os.environ.get("KUBERNETES_EXEC_INFO")
    with open(os.path.join(state, "calls"), "a") as f:
        f.write("%s pid=%d tty=%s args=%s info=%s\n" % (
            now.strftime("%Y-%m-%dT%H:%M:%SZ"), os.getpid(),
            "yes" if os.isatty(0) else "no", json.dumps(sys.argv[1:]),
            json.dumps(info)))
    fail = os.path.join(state, "fail")
    if os.path.exists(fail):
        sys.stderr.write(read(fail, "exec plugin failed") + "\n")
        return 1
    kl = kubelogin_args(sys.argv[1:])
    if kl is not None and kl.get("login", "devicecode") == "devicecode":
        if not device_code_sign_in(state, kl):
            return 1
    api_version = "client.authentication.k8s.io/v1beta1"
    if info:
        try:
            api_version = json.loads(info).get("apiVersion") or api_version
        except (ValueError, AttributeError):
            pass
    try:
        ttl = int(read(os.path.join(state, "ttl"), "3600"))
    except ValueError:
        ttl = 3600
    expires = now + datetime.timedelta(seconds=ttl)
    token = pop_token(os.path.join(state, "tokens")) or \
        read(os.path.join(state, "token"), "admin-token")
    print(json.dumps({
        "kind": "ExecCredential", "apiVersion": api_version,
        "spec": {"interactive": False},
        "status": {"token": token,
                   "expirationTimestamp":
                       expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
