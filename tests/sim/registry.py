#!/usr/bin/env python3
# registry.py - starts two of Debian's docker-registry (distribution) on
# loopback for jumpdeck's tests: "acr" (token auth as Azure Container Registry
# does it) and "upstream" (stands in for docker.io, ghcr.io, ...: anonymous
# pulls with tokens from a token service, as Docker Hub does), each behind
# regproxy.py, which can make it answer 429 and 503.
"""Local registries for the Azure simulation (Python standard library only).

  python3 registry.py up   --dir D [--acr-name acrakstest] [--token-port P]
  python3 registry.py down --dir D

Also a small library for azuresim.py and images.py: the openssl helper, the
test CA, process control and registry token minting. See README-azure.md.
"""

import argparse
import base64
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

DEFAULT_ACR = "acrakstest"
# What real ACR puts in "iss"; the acr registry is configured to expect it.
TOKEN_ISSUER = "Azure Container Registry"
# The upstream registry plays Docker Hub: its tokens come from an anonymous
# token service (regproxy.py) for this service, as auth.docker.io issues
# them for registry.docker.io.
UPSTREAM_ISSUER = "auth.docker.io"
UPSTREAM_SERVICE = "registry.docker.io"
INSTANCES = ("acr", "upstream")
PROCS = {"acr": "docker-registry", "upstream": "docker-registry",
         "regproxy": "regproxy.py"}  # name -> what its command line holds


class SimError(Exception):
    pass


# ---------------------------------------------------------------- small files

def write_atomic(path, data, mode=None):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- openssl

def openssl(*args, stdin=None):
    r = subprocess.run(["openssl"] + list(args), input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SimError("openssl %s failed: %s" % (
            args[0], r.stderr.decode(errors="replace").strip()))
    return r.stdout


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    s = s + "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s.encode())


def make_ca(d, cn="jumpdeck-sim-ca"):
    """The test CA (EC P-256), shared by the registries and azuresim."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
            "-keyout", os.path.join(d, "ca.key"),
            "-out", os.path.join(d, "ca.crt"), "-subj", "/CN=" + cn,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature")
    os.chmod(os.path.join(d, "ca.key"), 0o600)


def make_server_cert(d, name, ca_dir, sans):
    """Writes d/name.crt and d/name.key signed by ca_dir/ca.{crt,key}."""
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".crt")
    csr, ext = os.path.join(d, name + ".csr"), os.path.join(d, name + ".ext")
    openssl("req", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
            "-out", csr, "-subj", "/CN=" + name)
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,"
                "digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n" %
                ",".join(sans))
    openssl("x509", "-req", "-in", csr, "-CA", os.path.join(ca_dir, "ca.crt"),
            "-CAkey", os.path.join(ca_dir, "ca.key"), "-set_serial",
            str(random.randint(1 << 32, 1 << 62)), "-days", "3650",
            "-out", crt, "-extfile", ext)
    os.unlink(csr)
    os.unlink(ext)
    os.chmod(key, 0o600)


def make_signing_cert(d, name, cn):
    """An RSA key and a self-signed certificate for RS256 token signing."""
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".crt")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
            "-keyout", key, "-out", crt, "-subj", "/CN=" + cn)
    os.chmod(key, 0o600)


def cert_der_b64(crt_path):
    der = openssl("x509", "-in", crt_path, "-outform", "DER")
    return base64.b64encode(der).decode()


def rs256_sign(key_path, data):
    return openssl("dgst", "-sha256", "-sign", key_path, stdin=data)


def rs256_verify(pub_path, data, sig):
    with tempfile.NamedTemporaryFile(prefix="jd-sig-") as f:
        f.write(sig)
        f.flush()
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub_path,
                            "-signature", f.name], input=data,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode == 0


def jwt_encode(header, claims, key_path):
    signing_input = (b64url(json.dumps(header, separators=(",", ":"))) + "." +
                     b64url(json.dumps(claims, separators=(",", ":"))))
    sig = rs256_sign(key_path, signing_input.encode())
    return signing_input + "." + b64url(sig)


def jwt_decode(token):
    """(header, claims, signing_input, signature) without verifying."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    header = json.loads(b64url_decode(parts[0]))
    claims = json.loads(b64url_decode(parts[1]))
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("not a JWT")
    return header, claims, (parts[0] + "." + parts[1]).encode(), \
        b64url_decode(parts[2])


def registry_token(d, access, subject="jumpdeck-sim", ttl=3600,
                   service=None, issuer=TOKEN_ISSUER):
    """A token the acr registry of registry dir `d` accepts (or, with the
    upstream service and issuer, the upstream registry).

    access: [{"type": "repository", "name": "...", "actions": [...]}, ...]
    """
    service = service or read(os.path.join(d, "acr_service"))
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256",
              "x5c": [cert_der_b64(os.path.join(d, "token.crt"))]}
    claims = {"jti": str(uuid.uuid4()), "sub": subject, "nbf": now - 5,
              "exp": now + ttl, "iat": now, "iss": issuer,
              "aud": service, "version": "1.0", "access": access}
    return jwt_encode(header, claims, os.path.join(d, "token.key"))


# ---------------------------------------------------------------- processes

def alive(pid, marker):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().decode(errors="replace")
    except OSError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    except (OSError, IndexError):
        pass
    return marker in cmd


def stop_pid(pidfile, marker, grace=5.0):
    pid = read(pidfile)
    if not pid.isdigit():
        return False
    pid = int(pid)
    was = alive(pid, marker)
    if was:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        end = time.time() + grace
        while time.time() < end and alive(pid, marker):
            time.sleep(0.05)
        if alive(pid, marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            end = time.time() + 2
            while time.time() < end and alive(pid, marker):
                time.sleep(0.05)
    try:
        os.unlink(pidfile)
    except OSError:
        pass
    return was


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


# ---------------------------------------------------------------- registries

def ensure_docker_registry():
    exe = shutil.which("docker-registry")
    if exe:
        return exe
    sys.stderr.write("registry.py: installing Debian's docker-registry\n")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], env=env,
                   stdout=subprocess.DEVNULL)
    # --no-install-recommends: no system service is wanted, only the binary.
    subprocess.run(["apt-get", "install", "-y", "-q",
                    "--no-install-recommends", "docker-registry"], env=env,
                   stdout=subprocess.DEVNULL)
    exe = shutil.which("docker-registry")
    if not exe:
        raise SimError("docker-registry is not installed and apt-get could "
                       "not install it")
    return exe


def registry_config(d, name, port, auth):
    # Hand-written YAML: docker-registry reads it, the stdlib has no writer.
    lines = [
        "version: 0.1",
        "log:",
        "  level: warn",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        "    rootdirectory: %s" % os.path.join(d, name + "-data"),
        "  delete:",
        "    enabled: true",
        "  maintenance:",
        "    uploadpurging:",
        "      enabled: false",
        "http:",
        "  addr: 127.0.0.1:%d" % port,
        "  secret: %s" % uuid.uuid4().hex,
        "  tls:",
        "    certificate: %s" % os.path.join(d, "server.crt"),
        "    key: %s" % os.path.join(d, "server.key"),
        "  headers:",
        "    X-Content-Type-Options: [nosniff]",
    ]
    if auth:
        lines += [
            "auth:",
            "  token:",
            "    realm: \"%s\"" % auth["realm"],
            "    service: \"%s\"" % auth["service"],
            "    issuer: \"%s\"" % auth["issuer"],
            "    rootcertbundle: %s" % os.path.join(d, "token.crt"),
        ]
    path = os.path.join(d, name + ".yml")
    write_atomic(path, "\n".join(lines) + "\n")
    return path


def wait_registry(d, name, proc, url, timeout=20.0):
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
    end = time.time() + timeout
    last = "no answer"
    while time.time() < end:
        if proc.poll() is not None:
            raise SimError("docker-registry %s exited with status %d:\n%s" % (
                name, proc.returncode,
                tail(os.path.join(d, name + ".log"))))
        try:
            urllib.request.urlopen(url + "/v2/", context=ctx, timeout=2)
            return
        except urllib.error.HTTPError as e:
            if e.code == 401:
                return
            last = "HTTP %d" % e.code
        except (OSError, ssl.SSLError) as e:
            last = str(e)
        time.sleep(0.1)
    raise SimError("docker-registry %s not ready in %ds (%s):\n%s" % (
        name, timeout, last, tail(os.path.join(d, name + ".log"))))


def start_instance(d, exe, name, auth):
    port = free_port()
    cfg = registry_config(d, name, port, auth)
    log = open(os.path.join(d, name + ".log"), "ab")
    proc = subprocess.Popen([exe, "serve", cfg], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log, start_new_session=True,
                            close_fds=True)
    log.close()
    write_atomic(os.path.join(d, name + ".pid"), "%d\n" % proc.pid)
    url = "https://127.0.0.1:%d" % port
    try:
        wait_registry(d, name, proc, url)
    except SimError:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        raise
    write_atomic(os.path.join(d, name + "_backend_url"), url + "\n")
    return url


def start_proxy(d, timeout=20.0):
    """regproxy.py in front of both registries (and the upstream's token
    service); returns when all three addresses are written."""
    for f in ("acr_url", "upstream_url", "upstream_auth_url"):
        try:
            os.unlink(os.path.join(d, f))
        except OSError:
            pass
    log = open(os.path.join(d, "regproxy.log"), "ab")
    proc = subprocess.Popen([sys.executable, os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "regproxy.py"),
        "serve", "--dir", d], stdin=subprocess.DEVNULL, stdout=log,
        stderr=log, start_new_session=True, close_fds=True)
    log.close()
    write_atomic(os.path.join(d, "regproxy.pid"), "%d\n" % proc.pid)
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SimError("regproxy.py exited with status %d:\n%s" % (
                proc.returncode, tail(os.path.join(d, "regproxy.log"))))
        if all(read(os.path.join(d, f)) for f in (
                "acr_url", "upstream_url", "upstream_auth_url")):
            wait_registry(d, "regproxy", proc, read(os.path.join(
                d, "upstream_url")), timeout)
            return
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise SimError("regproxy.py did not start within %ds:\n%s" % (
        timeout, tail(os.path.join(d, "regproxy.log"))))


def cmd_up(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    for n in INSTANCES + ("regproxy",):
        pid = read(os.path.join(d, n + ".pid"))
        if pid.isdigit() and alive(int(pid), PROCS[n]):
            raise SimError("%s already runs for %s (pid %s); run "
                           "`registry.py down --dir %s` first" % (
                               n, d, pid, d))
    exe = ensure_docker_registry()
    if not os.path.exists(os.path.join(d, "ca.key")):
        make_ca(d)
    if not os.path.exists(os.path.join(d, "server.crt")):
        make_server_cert(d, "server", d, [
            "IP:127.0.0.1", "DNS:localhost", "DNS:%s.azurecr.io" % a.acr_name,
            "DNS:upstream.test"])
    if not os.path.exists(os.path.join(d, "token.key")):
        make_signing_cert(d, "token", "acr-token-signer")
    if not a.keep_data:
        for n in INSTANCES:
            shutil.rmtree(os.path.join(d, n + "-data"), ignore_errors=True)
    token_port = a.token_port or int(read(os.path.join(d, "token_port")) or
                                     0) or free_port()
    service = "%s.azurecr.io" % a.acr_name
    write_atomic(os.path.join(d, "token_port"), "%d\n" % token_port)
    write_atomic(os.path.join(d, "acr_name"), a.acr_name + "\n")
    write_atomic(os.path.join(d, "acr_service"), service + "\n")
    realm = "https://127.0.0.1:%d/oauth2/token" % token_port
    write_atomic(os.path.join(d, "acr_realm"), realm + "\n")
    auth_port = int(read(os.path.join(d, "upstream_auth_port")) or 0) or \
        free_port()
    write_atomic(os.path.join(d, "upstream_auth_port"), "%d\n" % auth_port)
    write_atomic(os.path.join(d, "upstream_service"),
                 UPSTREAM_SERVICE + "\n")
    up_realm = "https://127.0.0.1:%d/token" % auth_port
    started = []
    try:
        start_instance(d, exe, "upstream", {
            "realm": up_realm, "service": UPSTREAM_SERVICE,
            "issuer": UPSTREAM_ISSUER})
        started.append("upstream")
        start_instance(d, exe, "acr", {"realm": realm, "service": service,
                                       "issuer": TOKEN_ISSUER})
        started.append("acr")
        start_proxy(d)
        started.append("regproxy")
    except BaseException:
        for n in started:
            stop_pid(os.path.join(d, n + ".pid"), PROCS[n])
        raise
    acr_url = read(os.path.join(d, "acr_url"))
    print("acr:      %s (service %s, token realm %s)" % (
        acr_url, service, realm))
    print("upstream: %s (anonymous tokens from %s)" % (
        read(os.path.join(d, "upstream_url")), up_realm))
    print("# CA: %s; stop with: python3 %s down --dir %s" % (
        os.path.join(d, "ca.crt"), os.path.abspath(__file__), d))
    return 0


def cmd_down(a):
    d = os.path.abspath(a.dir)
    stopped = [n for n in ("regproxy",) + INSTANCES
               if stop_pid(os.path.join(d, n + ".pid"), PROCS[n])]
    print("stopped: " + " ".join(stopped) if stopped
          else "nothing was running")
    return 0


def cmd_token(a):
    access = []
    for s in a.scope:
        parts = s.split(":")
        if len(parts) < 3:
            raise SimError("bad scope %r" % s)
        access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                       "actions": parts[-1].split(",")})
    print(registry_token(os.path.abspath(a.dir), access, ttl=a.ttl))
    return 0


def main():
    ap = argparse.ArgumentParser(description="local registries for the "
                                 "Azure simulation")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up", help="start the acr and upstream registries")
    p.add_argument("--dir", required=True)
    p.add_argument("--acr-name", default=DEFAULT_ACR)
    p.add_argument("--token-port", type=int, default=0,
                   help="port of the token service (azuresim); default: "
                   "the one recorded in DIR, else a free one")
    p.add_argument("--keep-data", action="store_true",
                   help="keep the images of an earlier run")
    p = sub.add_parser("down", help="stop both registries")
    p.add_argument("--dir", required=True)
    p = sub.add_parser("token", help="print a registry token for the acr "
                       "instance (tests only)")
    p.add_argument("--dir", required=True)
    p.add_argument("--ttl", type=int, default=3600)
    p.add_argument("scope", nargs="+",
                   help="e.g. registry:catalog:* repository:live/x:pull")
    a = ap.parse_args()
    try:
        return {"up": cmd_up, "down": cmd_down, "token": cmd_token}[a.cmd](a)
    except SimError as e:
        sys.stderr.write("registry.py: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
