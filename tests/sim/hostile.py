#!/usr/bin/env python3
# hostile.py - a Kubernetes API server that misbehaves on purpose: streams
# without line ends, lists that never end, empty watches, escape sequences
# in Status messages, invalid UTF-8 in names, hanging discovery. For the
# tests that try jumpdeck as a hostile or broken server would. Not a
# simulator of a healthy cluster (kubesim.py is).
"""Hostile Kubernetes API stand-in (Python standard library + openssl).

Run:
  python3 tests/sim/hostile.py --dir DIR [--plain] [--port 0]
                               [--set KEY=JSON ...]

DIR receives: `port`, `pid` (written once listening), `ca.crt` (TLS only,
a fresh CA and a server certificate for 127.0.0.1), `kubeconfig` (cluster
"hostile", user "hostile" with the bearer token "hostile-token", context
"hostile", current) and `hostile.log` (stderr, when started by a test).
With --plain the server speaks plain HTTP and the kubeconfig's server is
http://...; nothing else changes.

Every request gets an answer shaped by the settings below. The settings
can be given at start (--set list='"continue-same"', a JSON value per
key) and changed at any time through the control API, without
authentication, on the same port:

  GET    /_sim/config   the settings in force
  POST   /_sim/config   merge a JSON object into them
  DELETE /_sim/config   back to the defaults
  GET    /_sim/requests the last 2000 requests, oldest first: method, path,
                        query, status, auth ("bearer", "basic" or "none";
                        never the credential), bytes (body bytes sent),
                        time, duration_ms
  DELETE /_sim/requests forget them
  /_sim/faults          simhttp's fault rules (delay, drop, truncate,
                        status), applied before the settings

Settings (defaults first):

  fail      null | {"code": 500, "message": "..."}: every API request is
            answered with this Status (kind Status, reason from the code)
  list      "ok" | "continue-fresh" (every page carries a new continue
            token and one item padded to page_bytes) | "continue-same"
            (every page carries the same token) | "hang"
  page_bytes 10000
  watch     "quiet" (headers, then a BOOKMARK every bookmark_s until the
            client leaves) | "no-newline" (an endless stream of bytes with
            no line end, up to stream_limit bytes) | "empty" (200 with an
            empty body) | "hang" (headers, then nothing)
  bookmark_s 5
  stream_limit 268435456
  apis      "none" (discovery lists no group: Flux is not installed) |
            "404" | "hang" | "flux" (the Flux groups at v1, each list
            empty)
  patch     "ok" (the node or object, echoed) | "fail" (the Status of
            patch_code/message)
  patch_code 500
  message   the text of every Status this server sends
  nodes     ["hostile-node-1"]: the node names /api/v1/nodes lists
  hang_s    600: how long "hang" waits before closing
  flux_items 0: how many objects each list of a Flux kind holds (with
            apis "flux"), named obj-0, obj-1 ... in flux-system
  flux_names null, or the names of the objects of each Flux list (they
            replace flux_items)
  generation 1: metadata.generation of every Flux object (any JSON
            number: 1e56 is one)
  interval  "10m": spec.interval of every Flux object
  token     "hostile-access-token": the access_token every POST to a path
            ending in /oauth2/v2.0/token gets (an Entra ID token answer;
            point AZURE_AUTHORITY_HOST here)

Strings in settings may carry lone surrogates \\udc80-\\udcff: each is sent
as that raw byte (Python's surrogateescape), which is how a test puts
invalid UTF-8 into a name or a message.

Listens on 127.0.0.1 only.
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simhttp  # noqa: E402

TOKEN = "hostile-token"
DEFAULTS = {
    "fail": None,
    "list": "ok",
    "page_bytes": 10000,
    "watch": "quiet",
    "bookmark_s": 5,
    "stream_limit": 256 << 20,
    "apis": "none",
    "patch": "ok",
    "patch_code": 500,
    "message": "hostile server",
    "nodes": ["hostile-node-1"],
    "hang_s": 600,
    "token": "hostile-access-token",
    "flux_items": 0,
    "flux_names": None,
    "generation": 1,
    "interval": "10m",
}
FLUX_GROUPS = {
    "source.toolkit.fluxcd.io": ["gitrepositories", "helmrepositories",
                                 "buckets", "ocirepositories",
                                 "helmcharts"],
    "kustomize.toolkit.fluxcd.io": ["kustomizations"],
    "helm.toolkit.fluxcd.io": ["helmreleases"],
}
REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
           404: "NotFound", 409: "Conflict", 410: "Expired",
           422: "Invalid", 429: "TooManyRequests", 500: "InternalError",
           503: "ServiceUnavailable"}


def encode(obj):
    """JSON bytes; lone surrogates become the raw bytes they stand for."""
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode(
        "utf-8", "surrogateescape")


def status_obj(code, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": message,
            "reason": REASONS.get(code, "Unknown"), "code": code}


def node_obj(name, rv="100"):
    return {"kind": "Node", "apiVersion": "v1",
            "metadata": {"name": name, "resourceVersion": rv,
                         "uid": "u-" + str(abs(hash(name))),
                         "creationTimestamp": "2026-11-28T12:00:00Z",
                         "labels": {"kubernetes.azure.com/agentpool":
                                    "hostile"}},
            "spec": {},
            "status": {"conditions": [
                {"type": "Ready", "status": "True",
                 "reason": "KubeletReady", "message": "kubelet is ready",
                 "lastTransitionTime": "2026-11-28T12:00:00Z"}],
                "nodeInfo": {"kubeletVersion": "v1.30.6"}}}


def flux_obj(group, version, plural, ns, name, generation=1,
             interval="10m"):
    kind = {"gitrepositories": "GitRepository",
            "helmrepositories": "HelmRepository",
            "ocirepositories": "OCIRepository", "buckets": "Bucket",
            "helmcharts": "HelmChart", "kustomizations": "Kustomization",
            "helmreleases": "HelmRelease"}.get(plural, "Unknown")
    return {"kind": kind, "apiVersion": group + "/" + version,
            "metadata": {"name": name, "namespace": ns,
                         "resourceVersion": "100",
                         "generation": generation,
                         "creationTimestamp": "2026-11-28T12:00:00Z"},
            "spec": {"interval": interval,
                     "url": "https://127.0.0.1:1/none.git",
                     "ref": {"branch": "main"}},
            "status": {"observedGeneration": generation, "conditions": [
                {"type": "Ready", "status": "True", "reason": "Succeeded",
                 "message": "ok",
                 "lastTransitionTime": "2026-11-28T12:00:00Z"}]}}


class Api(simhttp.HttpError):
    """A Status answer."""

    def __init__(self, code, message):
        simhttp.HttpError.__init__(self, code, b"")
        self.message = message

    def payload(self):
        return ("application/json",
                encode(status_obj(self.status, self.message)))


class Handler(simhttp.Handler):
    server_version = "hostile"
    verbose_env = "HOSTILE_VERBOSE"
    timeout = 30

    def cfg(self, key):
        with self.server.lock:
            return copy.deepcopy(self.server.cfg[key])

    def new_log_entry(self, method, path, query):
        if path.startswith("/_sim/"):
            return None
        a = self.headers.get("Authorization", "")
        auth = "bearer" if a.startswith("Bearer ") else \
            "basic" if a.startswith("Basic ") else "none" if not a else \
            "other"
        return {"method": method, "path": path, "query": query,
                "status": 0, "auth": auth, "bytes": 0,
                "time": round(self.started, 3)}

    def count(self, n):
        if self.log_entry is not None:
            self.log_entry["bytes"] += n

    # ---- control
    def control(self, method, path, body):
        data = json.loads(body or b"null") if body else None
        if path == "/_sim/config":
            with self.server.lock:
                if method == "POST":
                    if not isinstance(data, dict):
                        raise simhttp.HttpError(400, {"error": "an object"})
                    self.server.cfg.update(data)
                elif method == "DELETE":
                    self.server.cfg = copy.deepcopy(DEFAULTS)
                snapshot = copy.deepcopy(self.server.cfg)
            self.send_raw(200, encode(snapshot))
            return
        if self.control_common(method, path, data):
            return
        raise simhttp.HttpError(404, {"error": "no such control path"})

    # ---- streams
    def stream_start(self):
        self.status_code = 200
        if self.log_entry is not None:
            self.log_entry["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()
        self.count(len(data))

    def hang(self):
        end = time.time() + float(self.cfg("hang_s"))
        while time.time() < end and not self.server.stopping:
            time.sleep(0.2)
        raise simhttp.Dropped()

    def serve_watch(self):
        mode = self.cfg("watch")
        if mode == "empty":
            self.send_raw(200, b"")
            return
        self.stream_start()
        try:
            if mode == "no-newline":
                piece = b"x" * 65536
                limit = int(self.cfg("stream_limit"))
                self.chunk(b'{"type":"ADDED","object":{"pad":"')
                sent = 0
                while sent < limit and not self.server.stopping:
                    self.chunk(piece)
                    sent += len(piece)
            elif mode == "hang":
                end = time.time() + float(self.cfg("hang_s"))
                while time.time() < end and not self.server.stopping:
                    time.sleep(0.2)
            else:
                while not self.server.stopping:
                    time.sleep(float(self.cfg("bookmark_s")))
                    self.chunk(encode({"type": "BOOKMARK", "object": {
                        "kind": "Node", "apiVersion": "v1",
                        "metadata": {"resourceVersion": "100"}}}))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    def serve_list(self, path):
        mode = self.cfg("list")
        if mode == "hang":
            self.hang()
        items = []
        if path == "/api/v1/nodes":
            items = [node_obj(n) for n in self.cfg("nodes")]
        meta = {"resourceVersion": "100"}
        if mode in ("continue-fresh", "continue-same"):
            with self.server.lock:
                self.server.pages += 1
                page = self.server.pages
            pad = "p" * int(self.cfg("page_bytes"))
            item = node_obj("page-%d" % page)
            item["metadata"]["annotations"] = {"pad": pad}
            items = [item]
            meta["continue"] = "again" if mode == "continue-same" \
                else "token-%d" % page
        body = encode({"kind": "List", "apiVersion": "v1",
                       "metadata": meta, "items": items})
        self.send_raw(200, body)
        self.count(len(body))

    def serve_apis(self, path):
        mode = self.cfg("apis")
        if mode == "404":
            raise Api(404, "the server could not find the requested "
                      "resource")
        if mode == "hang":
            self.hang()
        if path == "/apis":
            groups = []
            if mode == "flux":
                for g in sorted(FLUX_GROUPS):
                    v = {"groupVersion": g + "/v1", "version": "v1"}
                    groups.append({"name": g, "versions": [v],
                                   "preferredVersion": v})
            self.send_raw(200, encode({"kind": "APIGroupList",
                                       "apiVersion": "v1",
                                       "groups": groups}))
            return
        parts = path.strip("/").split("/")
        if mode == "flux" and len(parts) == 3 and parts[1] in FLUX_GROUPS:
            res = [{"name": r, "namespaced": True, "kind": r.title(),
                    "verbs": ["get", "list", "watch", "patch"]}
                   for r in FLUX_GROUPS[parts[1]]]
            self.send_raw(200, encode({"kind": "APIResourceList",
                                       "groupVersion": parts[1] + "/" +
                                       parts[2], "resources": res}))
            return
        if mode == "flux" and len(parts) == 7 and parts[3] == "namespaces":
            self.send_raw(200, encode(flux_obj(parts[1], parts[2], parts[5],
                                               parts[4], parts[6],
                                               self.cfg("generation"),
                                               self.cfg("interval"))))
            return
        if mode == "flux" and len(parts) == 4 and parts[1] in FLUX_GROUPS:
            names = self.cfg("flux_names") or [
                "obj-%d" % i for i in range(int(self.cfg("flux_items")))]
            items = [flux_obj(parts[1], parts[2], parts[3], "flux-system",
                              n, self.cfg("generation"),
                              self.cfg("interval"))
                     for n in names]
            self.send_raw(200, encode({"kind": "List", "apiVersion": "v1",
                                       "metadata": {"resourceVersion":
                                                    "100"},
                                       "items": items}))
            return
        self.serve_list(path)

    def serve(self, method, path, query, body):
        if path.startswith("/_sim/"):
            self.control(method, path, body)
            return
        rule = self.server.faults.take(method, path, query)
        if rule:
            self.apply_fault(rule)
        fail = self.cfg("fail")
        if fail:
            raise Api(int(fail.get("code", 500)),
                      fail.get("message", self.cfg("message")))
        if method == "POST" and path.endswith("/oauth2/v2.0/token"):
            body = encode({"token_type": "Bearer", "expires_in": 3599,
                           "ext_expires_in": 3599,
                           "access_token": self.cfg("token")})
            self.send_raw(200, body)
            return
        if method in ("PATCH", "POST", "PUT", "DELETE"):
            if self.cfg("patch") == "fail":
                raise Api(int(self.cfg("patch_code")), self.cfg("message"))
            name = path.rstrip("/").rsplit("/", 1)[-1]
            self.send_raw(200, encode(node_obj(name)))
            return
        if "watch=1" in query.split("&") or "watch=true" in query:
            self.serve_watch()
            return
        if path == "/apis" or path.startswith("/apis/"):
            self.serve_apis(path)
            return
        if path in ("/version", "/readyz", "/healthz"):
            self.send_raw(200, encode({"gitVersion": "v1.30.6"}))
            return
        if path.startswith("/api/v1/nodes/"):
            self.send_raw(200, encode(node_obj(path.rsplit("/", 1)[-1])))
            return
        if path == "/api":
            self.send_raw(200, encode({"kind": "APIVersions",
                                       "versions": ["v1"]}))
            return
        self.serve_list(path)


def make_certs(d):
    def ssl_cmd(*args):
        subprocess.run(["openssl"] + list(args), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def p(n):
        return os.path.join(d, n)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    ssl_cmd("req", "-x509", *ec, "-days", "30", "-keyout", p("ca.key"),
            "-out", p("ca.crt"), "-subj", "/CN=hostile-ca",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,digitalSignature")
    ssl_cmd("req", *ec, "-keyout", p("server.key"), "-out",
            p("server.csr"), "-subj", "/CN=hostile")
    with open(p("server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    ssl_cmd("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"),
            "-CAkey", p("ca.key"), "-set_serial", str(os.getpid()),
            "-days", "30", "-out", p("server.crt"), "-extfile",
            p("server.ext"))
    for n in ("server.csr", "server.ext"):
        os.unlink(p(n))


def write_kubeconfig(d, scheme, port):
    ca = ""
    if scheme == "https":
        ca = "    certificate-authority: %s\n" % os.path.join(d, "ca.crt")
    text = ("apiVersion: v1\nkind: Config\nclusters:\n- name: hostile\n"
            "  cluster:\n    server: %s://127.0.0.1:%d\n%s"
            "users:\n- name: hostile\n  user:\n    token: %s\n"
            "contexts:\n- name: hostile\n  context:\n    cluster: hostile\n"
            "    user: hostile\ncurrent-context: hostile\n"
            % (scheme, port, ca, TOKEN))
    with open(os.path.join(d, "kubeconfig"), "w") as f:
        f.write(text)
    os.chmod(os.path.join(d, "kubeconfig"), 0o600)


def main():
    ap = argparse.ArgumentParser(description="hostile Kubernetes API")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--set", action="append", default=[])
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    cfg = copy.deepcopy(DEFAULTS)
    for kv in a.set:
        k, _, v = kv.partition("=")
        cfg[k] = json.loads(v)
    ctx = None
    if not a.plain:
        make_certs(d)
        ctx = simhttp.tls_context(os.path.join(d, "server.crt"),
                                  os.path.join(d, "server.key"))
    srv = simhttp.listen(a.port, Handler, ctx, cfg=cfg,
                         lock=threading.Lock(), pages=0, stopping=False,
                         requests=simhttp.RequestLog(2000))
    port = srv.server_address[1]
    write_kubeconfig(d, "http" if a.plain else "https", port)
    with open(os.path.join(d, "pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    with open(os.path.join(d, "port"), "w") as f:
        f.write("%d\n" % port)

    def stop():
        srv.stopping = True
    return simhttp.run([srv], on_stop=stop)


if __name__ == "__main__":
    sys.exit(main())
