#!/usr/bin/env python3
# azuresim.py - simulates the Azure endpoints jumpdeck talks to: Entra ID
# (client credentials, device code), managed identity (IMDS), ARM
# (deployments, registries, importImage as a long-running operation that
# really copies images between the local docker-registry instances), Resource
# Graph (Defender sub-assessments) and ACR's /oauth2/exchange and
# /oauth2/token. This file routes requests and starts and stops the server;
# each service lives in its own az_*.py module. For tests and the demo
# only; not Azure.
"""Azure simulator (Python standard library plus the openssl command).

  python3 azuresim.py up   --dir D [--registry-dir R] [--port P]
  python3 azuresim.py down --dir D
  python3 azuresim.py serve --dir D ...      (what `up` runs, detached)

See README-azure.md beside this file for endpoints and the control API.
"""

import argparse
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import registry as R  # noqa: E402
import simhttp  # noqa: E402
import az_acr  # noqa: E402
import az_arm  # noqa: E402
import az_control  # noqa: E402
import az_entra  # noqa: E402
import az_imds  # noqa: E402
from az_core import (DEFAULT_CLIENT, DEFAULT_IDENTITY,  # noqa: E402
                     FAULT_CODES, RESOURCE_GROUP, SUBSCRIPTION, HttpError,
                     Sim, family_of, parse_form)

# Form fields that may be logged; secrets and tokens never are.
SAFE_FORM = ("grant_type", "scope", "service", "client_id", "tenant")
SECRET_QUERY = ("client_secret", "password", "access_token", "refresh_token",
                "code", "device_code")


class Handler(simhttp.Handler):
    server_version = "azuresim"
    verbose_env = "AZURESIM_VERBOSE"

    @property
    def sim(self):
        return self.server.sim

    def extra_headers(self):
        return {"Cache-Control": "no-cache",
                "x-ms-request-id": self.request_id,
                "x-ms-correlation-request-id": self.request_id}

    def new_log_entry(self, method, path, query):
        self.who = None
        if path.startswith("/_sim/"):
            return None
        q = urllib.parse.parse_qs(query, keep_blank_values=True)
        for k in list(q):
            if k.lower() in SECRET_QUERY:
                q[k] = ["(redacted)"]
        return {"method": method, "path": path,
                "query": urllib.parse.urlencode(q, doseq=True),
                "family": family_of(path), "who": None, "status": 0,
                "time": round(self.started, 3),
                "user_agent": self.headers.get("User-Agent", "")}

    def internal_error(self, exc):
        return HttpError(500, "InternalServerError", "internal error: %s" %
                         exc)

    def send_error_answer(self, e):
        if isinstance(e, HttpError) and e.status == 401 and \
                e.family == "arm" and "WWW-Authenticate" not in e.headers:
            e.headers["WWW-Authenticate"] = (
                'Bearer authorization_uri="https://login.windows.net/%s", '
                'error="invalid_token", error_description="%s"' % (
                    self.sim.tenant, e.message.replace('"', "'")))
        simhttp.Handler.send_error_answer(self, e)

    def fault_error(self, fault):
        """A "status" fault in the shape of the path's family."""
        fam = family_of(self.url_path)
        code = int(fault.get("status", 500))
        hdr = {}
        if fault.get("retry_after") is not None:
            hdr["Retry-After"] = str(fault["retry_after"])
        ecode = fault.get("code") or FAULT_CODES.get(fam, {}).get(
            code, "InternalServerError" if fam == "arm" else "error")
        msg = fault.get("message") or ("injected fault %d" % code)
        if code == 429 and fam == "arm" and not fault.get("message"):
            msg = ("Number of requests for subscription '%s' exceeded. "
                   "Please try again after '%s' seconds." % (
                       SUBSCRIPTION, fault.get("retry_after", 1)))
        ex = {"error_codes": [int(fault.get("error_code", 0))]} \
            if fam == "entra" and fault.get("error_code") else {}
        return HttpError(code, ecode, msg, fam, hdr, ex)

    def serve(self, method, path, query, body):
        self.url_path = path
        try:
            self.route_all(method, path, query, body)
        finally:
            if self.log_entry is not None and self.who:
                self.log_entry["who"] = self.who

    def route_all(self, method, path, query, body):
        imds_port = getattr(self.server, "imds_only", False)
        if path.startswith("/_sim/") and not imds_port:
            try:
                data = json.loads(body.decode() or "null")
            except ValueError as e:
                raise HttpError(400, "BadRequest", "bad JSON: %s" % e)
            if not self.control_common(method, path, data):
                az_control.control(self, method, path, self.q, data)
            return
        if imds_port and not path.startswith("/metadata/"):
            raise HttpError(404, "not_found", "no such endpoint", "imds")
        if self.log_entry is not None and method == "POST" and \
                "form-urlencoded" in self.headers.get("Content-Type", ""):
            safe = {k: v for k, v in parse_form(body).items()
                    if k in SAFE_FORM}
            if safe:
                self.log_entry["form"] = safe
        # Faults come before authentication, on both ports.
        fault = self.sim.take_fault(method, path, query)
        if fault:
            self.apply_fault(fault)
        fam = family_of(path)
        if path == "/healthz":
            return self.send_raw(200, b"ok", "text/plain")
        if fam == "imds":
            return az_imds.imds(self, method, path, self.q)
        if fam == "acr":
            return az_acr.acr_oauth(self, method, path, self.q, body)
        if fam == "entra":
            return az_entra.entra(self, method, path, self.q, body)
        return az_arm.arm(self, method, path, self.q, body)


# ---------------------------------------------------------------- serve

def cmd_serve(a):
    d = os.path.abspath(a.dir)
    ctx = simhttp.tls_context(os.path.join(d, "server.crt"),
                              os.path.join(d, "server.key"))
    sim = Sim(a)
    try:
        main = simhttp.listen(a.port, Handler, ctx, sim=sim,
                              faults=sim.faults, requests=sim.requests)
        imds = simhttp.listen(a.imds_port, Handler, None, sim=sim,
                              faults=sim.faults, requests=sim.requests,
                              imds_only=True)
    except OSError as e:
        raise R.SimError(str(e))
    R.write_atomic(os.path.join(d, "pid"), "%d\n" % os.getpid())
    R.write_atomic(os.path.join(d, "imds_port"),
                   "%d\n" % imds.server_address[1])
    R.write_atomic(os.path.join(d, "port"), "%d\n" % main.server_address[1])
    sys.stderr.write("azuresim: https://127.0.0.1:%d, IMDS http://127.0.0.1:"
                     "%d (pid %d)\n" % (main.server_address[1],
                                        imds.server_address[1], os.getpid()))
    sys.stderr.flush()
    return simhttp.run([main, imds], lambda: sys.stderr.write(
        "azuresim: stopped\n"))


# ---------------------------------------------------------------- launcher

def control(d, method, path, body=None):
    port = R.read(os.path.join(d, "port"))
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("https://127.0.0.1:%s/_sim/%s" % (
        port, path), data=data, method=method,
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.loads(r.read() or b"null")


def default_world(acr):
    stamp = {"aksClusterName": "aks-sim2k7yhz4l3p6mq",
             "agwName": "apw-aks-sim2k7yhz4l3p6mq",
             "keyVaultName": "kv-aks-sim2k7yhz4l3p6mq",
             "containerRegistryName": acr,
             "quarantineContainerRegistryName": acr,
             "miIngressControllerClientId":
                 "4d3c2b1a-0f9e-4d8c-b7a6-958473625140"}
    pre = {"containerRegistryName": acr,
           "quarantineContainerRegistryName": acr,
           "keyVaultName": "kv-aks-sim2k7yhz4l3p6mq",
           "ingressClientid": "4d3c2b1a-0f9e-4d8c-b7a6-958473625140"}
    return [{"name": "cluster-stamp", "outputs": stamp},
            {"name": "pre-cluster-stamp", "outputs": pre}]


def cmd_up(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    pid = R.read(os.path.join(d, "pid"))
    if pid.isdigit() and R.alive(int(pid), "azuresim.py"):
        raise R.SimError("azuresim already runs for %s (pid %s); run "
                         "`azuresim.py down --dir %s` first" % (d, pid, d))
    rd = os.path.abspath(a.registry_dir) if a.registry_dir else None
    if rd and not os.path.exists(os.path.join(rd, "acr_url")):
        raise R.SimError("%s has no acr_url: run registry.py up first" % rd)
    ca_dir = d
    if rd and os.path.exists(os.path.join(rd, "ca.key")):
        ca_dir = rd
        with open(os.path.join(rd, "ca.crt"), "rb") as f:
            R.write_atomic(os.path.join(d, "ca.crt"), f.read())
    elif not os.path.exists(os.path.join(d, "ca.key")):
        R.make_ca(d)
    acr = (R.read(os.path.join(rd, "acr_name")) if rd else "") or \
        R.DEFAULT_ACR
    R.make_server_cert(d, "server", ca_dir, [
        "IP:127.0.0.1", "DNS:localhost", "DNS:login.microsoftonline.com",
        "DNS:management.azure.com", "DNS:%s.azurecr.io" % acr])
    if not os.path.exists(os.path.join(d, "entra.key")):
        R.make_signing_cert(d, "entra", "azuresim-entra-signer")
    port = a.port
    if not port and rd:
        port = int(R.read(os.path.join(rd, "token_port")) or 0)
    for f in ("port", "imds_port"):
        try:
            os.unlink(os.path.join(d, f))
        except OSError:
            pass
    cmd = [sys.executable, os.path.abspath(__file__), "serve", "--dir", d,
           "--port", str(port), "--imds-port", str(a.imds_port)]
    if rd:
        cmd += ["--registry-dir", rd]
    log = open(os.path.join(d, "azuresim.log"), "ab")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=log, start_new_session=True,
                            close_fds=True)
    log.close()
    end = time.time() + 20
    while True:
        if proc.poll() is not None:
            raise R.SimError("azuresim exited with status %d:\n%s" % (
                proc.returncode, R.tail(os.path.join(d, "azuresim.log"))))
        if R.read(os.path.join(d, "port")):
            try:
                info = control(d, "GET", "info")
                break
            except (OSError, ValueError, ssl.SSLError):
                pass
        if time.time() > end:
            proc.kill()
            raise R.SimError("azuresim did not answer within 20 s:\n%s" %
                             R.tail(os.path.join(d, "azuresim.log")))
        time.sleep(0.1)
    try:
        if not a.empty:
            control(d, "POST", "deployments", default_world(acr))
            control(d, "POST", "identities", DEFAULT_IDENTITY)
            control(d, "POST", "clients", DEFAULT_CLIENT)
    except BaseException:
        R.stop_pid(os.path.join(d, "pid"), "azuresim.py")
        raise
    port = R.read(os.path.join(d, "port"))
    url = "https://127.0.0.1:%s" % port
    imds = "http://127.0.0.1:%s" % R.read(os.path.join(d, "imds_port"))
    R.write_atomic(os.path.join(d, "url"), url + "\n")
    R.write_atomic(os.path.join(d, "imds_url"), imds + "\n")
    ca = os.path.join(d, "ca.crt")
    env = [
        "# written by azuresim.py up; KEY=value lines (sh: set -a; . FILE)",
        "AZURE_AUTHORITY_HOST=%s/" % url,
        "AZURE_TENANT_ID=%s" % info["tenant"],
        "AZURE_SUBSCRIPTION_ID=%s" % info["subscription"],
        "JUMPDECK_ARM_ENDPOINT=%s/" % url,
        "JUMPDECK_RESOURCE_GRAPH_ENDPOINT=%s/" % url,
        "JUMPDECK_IMDS_ENDPOINT=%s" % imds,
        "JUMPDECK_RESOURCE_GROUP=%s" % RESOURCE_GROUP,
        "JUMPDECK_DEPLOYMENT=cluster-stamp",
        "JUMPDECK_REGISTRY=%s" % acr,
        "JUMPDECK_REGISTRY_LOGIN_SERVER=%s" % info["loginServer"],
        "JUMPDECK_ACR_AUTH_URL=%s" % url,
        "JUMPDECK_CA_BUNDLE=%s" % ca,
        "CURL_CA_BUNDLE=%s" % ca,
        "JUMPDECK_SIM_CONTROL_URL=%s/_sim" % url,
        "JUMPDECK_SIM_CLIENT_ID=%s" % DEFAULT_CLIENT["client_id"],
        "JUMPDECK_SIM_CLIENT_SECRET=%s" % DEFAULT_CLIENT["client_secret"],
    ]
    if rd:
        env.insert(11, "JUMPDECK_REGISTRY_URL=%s" %
                   R.read(os.path.join(rd, "acr_url")))
        env.insert(12, "JUMPDECK_UPSTREAM_REGISTRY_URL=%s" %
                   R.read(os.path.join(rd, "upstream_url")))
    R.write_atomic(os.path.join(d, "jumpdeck-azure.env"), "\n".join(env) +
                   "\n", mode=0o600)
    print("azuresim is up on %s (IMDS %s)" % (url, imds))
    print("# endpoints for a client: %s" % os.path.join(
        d, "jumpdeck-azure.env"))
    print("# stop with: python3 %s down --dir %s" % (
        os.path.abspath(__file__), d))
    return 0


def cmd_down(a):
    d = os.path.abspath(a.dir)
    s = R.stop_pid(os.path.join(d, "pid"), "azuresim.py")
    print("stopped: azuresim" if s else "nothing was running")
    return 0


def main():
    ap = argparse.ArgumentParser(description="Azure simulator")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up", help="start detached and seed the default "
                       "world")
    p.add_argument("--dir", required=True)
    p.add_argument("--registry-dir", help="directory of registry.py up: "
                   "importImage copies between its registries, and the "
                   "server listens on its token port and uses its CA")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--imds-port", type=int, default=0)
    p.add_argument("--empty", action="store_true", help="seed nothing")
    p = sub.add_parser("down", help="stop it")
    p.add_argument("--dir", required=True)
    p = sub.add_parser("serve", help="run in the foreground")
    p.add_argument("--dir", required=True)
    p.add_argument("--registry-dir")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--imds-port", type=int, default=0)
    a = ap.parse_args()
    try:
        return {"up": cmd_up, "down": cmd_down, "serve": cmd_serve}[a.cmd](a)
    except R.SimError as e:
        sys.stderr.write("azuresim.py: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
