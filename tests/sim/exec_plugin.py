#!/usr/bin/env python3
# exec_plugin.py - a fake exec credential plugin (in the manner of kubelogin)
# for tests: prints an ExecCredential; its behaviour is steered by files.
"""Fake client-go exec credential plugin.

State directory: $JD_EXEC_STATE (default: the current directory).
  calls  one line appended per run (tests count invocations)
  token  the token to hand out (default "admin-token")
  tokens if present and not empty: each run takes (and removes) its first
         line as the token, before falling back to `token`
  ttl    token lifetime in seconds (default 3600)
  fail   if present: print its content to stderr and exit 1
"""

import datetime
import json
import os
import sys


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


def main():
    state = os.environ.get("JD_EXEC_STATE") or "."
    os.makedirs(state, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    with open(os.path.join(state, "calls"), "a") as f:
        f.write("%s pid=%d args=%s\n" % (
            now.strftime("%Y-%m-%dT%H:%M:%SZ"), os.getpid(),
            json.dumps(sys.argv[1:])))
    fail = os.path.join(state, "fail")
    if os.path.exists(fail):
        sys.stderr.write(read(fail, "exec plugin failed") + "\n")
        return 1
    api_version = "client.authentication.k8s.io/v1beta1"
    info = os.environ.get("KUBERNETES_EXEC_INFO")
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
        "kind": "ExecCredential", "apiVersion": api_version, "spec": {},
        "status": {"token": token,
                   "expirationTimestamp":
                       expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
