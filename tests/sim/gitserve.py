#!/usr/bin/env python3
# gitserve.py - test Git servers: bare repositories over HTTPS (git
# http-backend as CGI) and SSH (Debian's sshd). Tests only, not a Git host.
"""Usage:
  gitserve.py up --dir D        make repositories, keys, certificates; start
  gitserve.py down --dir D      stop both servers (SIGTERM, SIGKILL after 5 s)
  gitserve.py commit --dir D [--repo demo.git] [--message M] [--branch B]
                                commit to a branch through a work clone and
                                push it; prints the new commit
  gitserve.py serve-https --dir D   the HTTPS server itself (run by up)
See README-git.md for the files written into D."""

import argparse
import base64
import getpass
import hashlib
import hmac
import http.server
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time

SSHD = "/usr/sbin/sshd"
HTTPS_USER = "flux"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Gitserve",
    "GIT_AUTHOR_EMAIL": "gitserve@example.test",
    "GIT_COMMITTER_NAME": "Gitserve",
    "GIT_COMMITTER_EMAIL": "gitserve@example.test",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def die(msg):
    sys.stderr.write("gitserve: %s\n" % msg)
    sys.exit(1)


def run(argv, cwd=None, env_extra=None, capture=False):
    env = dict(os.environ)
    env.update(GIT_ENV)
    if env_extra:
        env.update(env_extra)
    r = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        die("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                     r.stderr.decode(errors="replace")))
    return r.stdout.decode().strip() if capture else None


def write(path, text, mode=0o644):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def read(path):
    with open(path) as f:
        return f.read().strip()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- repositories -------------------------------------------------------

def git(*args, cwd=None, capture=False):
    return run(["git", "-c", "init.defaultBranch=main",
                "-c", "safe.directory=*"] + list(args), cwd=cwd,
               capture=capture)


def work_clone(d, repo):
    work = os.path.join(d, "work", repo)
    if not os.path.isdir(work):
        os.makedirs(os.path.dirname(work), exist_ok=True)
        git("clone", "-q", os.path.join(d, "repos", repo), work)
    return work


def commit(d, repo, message, branch="main"):
    work = work_clone(d, repo)
    git("fetch", "-q", "origin", cwd=work)
    exists = subprocess.run(
        ["git", "-C", work, "rev-parse", "-q", "--verify",
         "origin/" + branch], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0
    if exists:
        git("checkout", "-q", "-B", branch, "origin/" + branch, cwd=work)
    else:
        git("checkout", "-q", "--orphan", branch, cwd=work)
    with open(os.path.join(work, "log.txt"), "a") as f:
        f.write("%s %s\n" % (message, secrets.token_hex(4)))
    git("add", "log.txt", cwd=work)
    git("commit", "-q", "-m", message, cwd=work)
    git("push", "-q", "origin", "HEAD:refs/heads/" + branch, cwd=work)
    return git("rev-parse", "HEAD", cwd=work, capture=True)


def make_repos(d):
    repos = os.path.join(d, "repos")
    os.makedirs(repos, exist_ok=True)
    for name in ("demo.git", "empty.git"):
        git("init", "-q", "--bare", os.path.join(repos, name))
        # http-backend serves only repositories that allow it (or with
        # GIT_HTTP_EXPORT_ALL); say so in the repository too.
        open(os.path.join(repos, name, "git-daemon-export-ok"), "w").close()
    first = commit(d, "demo.git", "first")
    work = work_clone(d, "demo.git")
    git("tag", "-a", "-m", "release 1.0", "v1.0", first, cwd=work)
    git("tag", "v0.9", first, cwd=work)
    commit(d, "demo.git", "second")
    commit(d, "demo.git", "develop work", branch="develop")
    git("push", "-q", "origin", "v1.0", "v0.9", cwd=work)


# ---- keys and certificates ----------------------------------------------

def keygen(path, kind="ed25519", pem=False):
    argv = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "gitserve",
            "-f", path]
    if kind == "rsa":
        argv += ["-b", "2048"]
    if pem:
        argv += ["-m", "PEM"]
    run(argv)
    return read(path + ".pub")


def hashed_host(name):
    salt = secrets.token_bytes(20)
    mac = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return "|1|%s|%s" % (base64.b64encode(salt).decode(),
                         base64.b64encode(mac).decode())


def make_certs(d):
    def ossl(*args):
        run(["openssl"] + list(args))
    ca_key, ca_crt = os.path.join(d, "ca.key"), os.path.join(d, "ca.crt")
    key, csr = os.path.join(d, "server.key"), os.path.join(d, "server.csr")
    crt, ext = os.path.join(d, "server.crt"), os.path.join(d, "server.ext")
    ossl("req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
         "-out", ca_crt, "-days", "3", "-subj", "/CN=gitserve test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    write(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
          "extendedKeyUsage=serverAuth\n"
          "basicConstraints=critical,CA:FALSE\n")
    ossl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
         "-CAcreateserial", "-out", crt, "-days", "3", "-extfile", ext)


# ---- HTTPS: git http-backend as CGI -------------------------------------

class GitHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gitserve"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send_plain(self, status, text, extra=()):
        body = text.encode()
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                line = self.rfile.readline().strip()
                n = int(line.split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(n) if n > 0 else b""

    def authorized(self):
        want = "%s:%s" % (HTTPS_USER, self.server.password)
        got = self.headers.get("Authorization", "")
        if not got.startswith("Basic "):
            return False
        try:
            pair = base64.b64decode(got[6:].strip()).decode()
        except ValueError:
            return False
        return hmac.compare_digest(pair, want)

    def handle_git(self):
        path, _, query = self.path.partition("?")
        if path.startswith("/redirect/"):
            loc = "/git/" + path[len("/redirect/"):]
            if query:
                loc += "?" + query
            self.read_body()
            self.send_plain(301, "moved\n", [("Location", loc)])
            return
        if path.startswith("/private/"):
            prefix, user = "/private", HTTPS_USER
            if not self.authorized():
                self.read_body()
                self.send_plain(401, "authentication required\n",
                                [("WWW-Authenticate",
                                  'Basic realm="gitserve"')])
                return
        elif path.startswith("/git/"):
            prefix, user = "/git", ""
        else:
            self.read_body()
            self.send_plain(404, "not found\n")
            return
        body = self.read_body()
        env = dict(os.environ)
        env.update({
            "GIT_PROJECT_ROOT": self.server.repos,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "PATH_INFO": path[len(prefix):],
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_USER": user,
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
        })
        for h, var in (("Git-Protocol", "GIT_PROTOCOL"),
                       ("Content-Encoding", "HTTP_CONTENT_ENCODING")):
            if self.headers.get(h):
                env[var] = self.headers[h]
        r = subprocess.run(["git", "-c", "safe.directory=*", "http-backend"],
                           input=body, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        out = r.stdout
        # CGI headers end with an empty line, CRLF or LF.
        ends = [(i, n) for i, n in ((out.find(b"\r\n\r\n"), 4),
                                    (out.find(b"\n\n"), 2)) if i >= 0]
        sep, seplen = min(ends) if ends else (-1, 0)
        if sep < 0:
            self.send_plain(500, "http-backend failed: %s\n" %
                            r.stderr.decode(errors="replace"))
            return
        status, headers = 200, []
        for line in out[:sep].decode().splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.split()[0])
            elif k:
                headers.append((k, v.strip()))
        payload = out[sep + seplen:]
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = handle_git
    do_POST = handle_git


class GitServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def cmd_serve_https(a):
    d = os.path.abspath(a.dir)
    srv = GitServer(("127.0.0.1", 0), GitHandler)
    srv.repos = os.path.join(d, "repos")
    srv.password = read(os.path.join(d, "https_password"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "server.crt"),
                        os.path.join(d, "server.key"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    write(os.path.join(d, "https_port"), "%d\n" % srv.server_address[1])
    srv.serve_forever()


# ---- SSH: sshd on a loopback port ---------------------------------------

def sshd_config(d, port):
    return "\n".join([
        "Port %d" % port,
        "ListenAddress 127.0.0.1",
        "HostKey %s" % os.path.join(d, "ssh_host_ed25519_key"),
        "PidFile %s" % os.path.join(d, "sshd.pidfile"),
        "AuthorizedKeysFile %s" % os.path.join(d, "authorized_keys"),
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        "AllowTcpForwarding no",
        "X11Forwarding no",
        "PrintMotd no",
        "LogLevel VERBOSE",
        "",
    ])


def wait_port(port, seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def start_detached(d, name, argv):
    log = open(os.path.join(d, name + ".log"), "ab")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                         stderr=log, start_new_session=True, close_fds=True)
    log.close()
    write(os.path.join(d, name + ".pid"), "%d\n" % p.pid)
    return p


def start_sshd(d):
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    for attempt in range(5):
        port = free_port()
        cfg = os.path.join(d, "sshd_config")
        write(cfg, sshd_config(d, port))
        p = start_detached(d, "sshd", [SSHD, "-D", "-e", "-f", cfg])
        if wait_port(port, 10):
            return port
        if p.poll() is None:
            p.kill()
        p.wait()
    die("sshd did not start; see %s" % os.path.join(d, "sshd.log"))


def start_https(d):
    port_file = os.path.join(d, "https_port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    p = start_detached(d, "https", [sys.executable,
                                    os.path.abspath(__file__),
                                    "serve-https", "--dir", d])
    end = time.time() + 10
    while time.time() < end:
        if os.path.exists(port_file):
            return int(read(port_file))
        if p.poll() is not None:
            break
        time.sleep(0.05)
    die("the HTTPS server did not start; see %s" %
        os.path.join(d, "https.log"))


def cmd_up(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    try:
        make_repos(d)
        make_certs(d)
        write(os.path.join(d, "https_password"), secrets.token_hex(12) + "\n",
              0o600)
        write(os.path.join(d, "https_user"), HTTPS_USER + "\n")
        host_pub = keygen(os.path.join(d, "ssh_host_ed25519_key"))
        wrong_pub = keygen(os.path.join(d, "wrong_host_key"))
        client_pub = keygen(os.path.join(d, "client_key"))
        rsa_pub = keygen(os.path.join(d, "client_key_rsa_pem"), "rsa",
                         pem=True)
        keygen(os.path.join(d, "unauthorized_key"))
        write(os.path.join(d, "authorized_keys"),
              client_pub + "\n" + rsa_pub + "\n", 0o600)
        https_port = start_https(d)
        ssh_port = start_sshd(d)
    except BaseException:
        cmd_down(a)
        raise
    host = "[127.0.0.1]:%d" % ssh_port
    key = " ".join(host_pub.split()[:2])
    wrong = " ".join(wrong_pub.split()[:2])
    write(os.path.join(d, "known_hosts"), "%s %s\n" % (host, key))
    write(os.path.join(d, "known_hosts_wrong"), "%s %s\n" % (host, wrong))
    write(os.path.join(d, "known_hosts_hashed"),
          "%s %s\n" % (hashed_host(host), key))
    https_base = "https://127.0.0.1:%d" % https_port
    ssh_base = "ssh://%s@127.0.0.1:%d" % (getpass.getuser(), ssh_port)
    repo = os.path.join(d, "repos", "demo.git")
    write(os.path.join(d, "https_base"), https_base + "\n")
    write(os.path.join(d, "ssh_base"), ssh_base + "\n")
    write(os.path.join(d, "https_url"), https_base + "/git/demo.git\n")
    write(os.path.join(d, "https_private_url"),
          https_base + "/private/demo.git\n")
    write(os.path.join(d, "ssh_url"), ssh_base + repo + "\n")
    write(os.path.join(d, "repo"), repo + "\n")
    write(os.path.join(d, "ssh_port"), "%d\n" % ssh_port)
    write(os.path.join(d, "pid"), "%s\n%s\n" % (
        read(os.path.join(d, "https.pid")), read(os.path.join(d, "sshd.pid"))))


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie of ours counts as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


def stop(pid):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for target in (lambda s: os.killpg(pid, s),
                       lambda s: os.kill(pid, s)):
            try:
                target(sig)
            except (ProcessLookupError, PermissionError):
                pass
        end = time.time() + 5
        while time.time() < end and alive(pid):
            time.sleep(0.05)
        if not alive(pid):
            return


def cmd_down(a):
    d = os.path.abspath(a.dir)
    for name in ("https.pid", "sshd.pid"):
        path = os.path.join(d, name)
        try:
            pid = int(read(path))
        except (OSError, ValueError):
            continue
        stop(pid)
        os.unlink(path)
    for name in ("pid", "sshd.pidfile"):
        try:
            os.unlink(os.path.join(d, name))
        except OSError:
            pass


def cmd_commit(a):
    d = os.path.abspath(a.dir)
    print(commit(d, a.repo, a.message, a.branch))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.
                                 RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("up", "down", "serve-https", "commit"):
        p = sub.add_parser(name)
        p.add_argument("--dir", required=True)
        if name == "commit":
            p.add_argument("--repo", default="demo.git")
            p.add_argument("--message", default="another commit")
            p.add_argument("--branch", default="main")
    a = ap.parse_args()
    {"up": cmd_up, "down": cmd_down, "serve-https": cmd_serve_https,
     "commit": cmd_commit}[a.cmd](a)


if __name__ == "__main__":
    main()
