#!/usr/bin/env python3
# regproxy.py - a small HTTPS proxy in front of each of registry.py's
# docker-registry instances, so that tests can make a registry answer 429
# and 503 the way real registries do, plus the anonymous token service the
# upstream registry challenges for (as Docker Hub's auth.docker.io does).
# Not a cache and not a registry: every /v2/ request goes to the real
# docker-registry behind it.
"""Registry fault proxy and anonymous token service (standard library).

  python3 regproxy.py serve --dir REGDIR     (registry.py up starts it)

Listens on three loopback ports of the registry directory's CA:
  acr proxy       -> REGDIR/acr_url       (in front of acr_backend_url)
  upstream proxy  -> REGDIR/upstream_url  (in front of upstream_backend_url)
  upstream auth   -> REGDIR/upstream_auth_url: GET /token?service=&scope=
Each proxy has its own control API (simhttp): POST/GET/DELETE
/_sim/faults and GET/DELETE /_sim/requests. A fault rule {"method"?,
"path_prefix"?, "query_contains"?, "action", "times"} with action
"status" answers in the registry's error shape:
  429 {"errors":[{"code":"TOOMANYREQUESTS",...}]} with Retry-After
  503 {"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}
(distribution spec error codes; Docker Hub's pull limit adds its own
message and ratelimit-* headers, which a rule may give as "headers").
delay, drop, truncate and drop_response work as in every simulator.
"""

import argparse
import datetime
import http.client
import json
import os
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import registry as R  # noqa: E402
import simhttp  # noqa: E402

# Distribution's error codes for these statuses (docs/spec/api.md "Errors",
# and the OCI distribution spec's TOOMANYREQUESTS).
ERRORS = {
    429: ("TOOMANYREQUESTS", "too many requests"),
    503: ("UNAVAILABLE", "service unavailable"),
    500: ("UNKNOWN", "unknown error"),
    401: ("UNAUTHORIZED", "authentication required"),
    404: ("NAME_UNKNOWN", "repository name not known to registry"),
}
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer",
       "upgrade", "proxy-authorization", "proxy-authenticate"}
ANON_TTL = 300  # Docker Hub's anonymous tokens: "expires_in": 300


class ProxyHandler(simhttp.Handler):
    server_version = "regproxy"
    verbose_env = "REGPROXY_VERBOSE"

    def fault_error(self, rule):
        code = int(rule.get("status", 503))
        ecode, msg = ERRORS.get(code, ("UNKNOWN", "unknown error"))
        hdr = dict(rule.get("headers") or {})
        if rule.get("retry_after") is not None:
            hdr["Retry-After"] = str(rule["retry_after"])
        return simhttp.HttpError(code, {"errors": [{
            "code": rule.get("code") or ecode,
            "message": rule.get("message") or msg,
            "detail": rule.get("detail")}]}, hdr,
            "application/json; charset=utf-8")

    def serve(self, method, path, query, body):
        if control_or_fault(self, method, path, query, body):
            return
        self.forward(method, body)

    def forward(self, method, body):
        srv = self.server
        conn = http.client.HTTPSConnection(srv.backend_host,
                                           srv.backend_port,
                                           context=srv.backend_ctx,
                                           timeout=60)
        hdr = {k: v for k, v in self.headers.items()
               if k.lower() not in HOP and k.lower() != "content-length"}
        if body or method in ("POST", "PUT", "PATCH"):
            hdr["Content-Length"] = str(len(body))
        try:
            conn.request(method, self.path, body=body or None,
                         headers=hdr)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            raise simhttp.HttpError(502, {"errors": [{
                "code": "UNAVAILABLE", "message": "registry behind the "
                "proxy: %s" % e}]})
        finally:
            conn.close()
        out = {k: v for k, v in resp.getheaders()
               if k.lower() not in HOP and k.lower() not in (
                   "content-length", "content-type", "date", "server")}
        if method == "HEAD":
            # Keep the registry's Content-Length: it is the manifest's.
            self.status_code = resp.status
            if self.log_entry is not None:
                self.log_entry["status"] = resp.status
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in HOP and k.lower() not in ("date",
                                                              "server"):
                    self.send_header(k, v)
            self.end_headers()
            return
        self.send_raw(resp.status, data, resp.getheader(
            "Content-Type", "application/octet-stream"), out)


def control_or_fault(h, method, path, query, body):
    """What both handlers do first: /_sim/... is the control API (True:
    answered); any other request takes the first fault rule it matches,
    if any (apply_fault raises or delays)."""
    if path.startswith("/_sim/"):
        try:
            data = json.loads(body.decode() or "null")
        except ValueError:
            raise simhttp.HttpError(400, {"error": "bad JSON"})
        if not h.control_common(method, path, data):
            raise simhttp.HttpError(404, {"error": "no such control "
                                          "endpoint"})
        return True
    fault = h.server.faults.take(method, path, query)
    if fault:
        h.apply_fault(fault)
    return False


class AuthHandler(simhttp.Handler):
    """GET /token as Docker Hub's token service answers an anonymous
    client: pull access only, {"token", "access_token", "expires_in",
    "issued_at"} (docs.docker.com registry token authentication)."""
    server_version = "regproxy-auth"
    verbose_env = "REGPROXY_VERBOSE"

    def new_log_entry(self, method, path, query):
        e = simhttp.Handler.new_log_entry(self, method, path, query)
        if e is not None:
            # the scheme of any credentials sent, never the credentials
            auth = self.headers.get("Authorization", "")
            e["authorization"] = auth.split(" ", 1)[0] if auth else None
        return e

    def serve(self, method, path, query, body):
        if control_or_fault(self, method, path, query, body):
            return
        if path != "/token" or method != "GET":
            raise simhttp.HttpError(404, {"details": "not found"})
        d = self.server.dir
        service = R.read(os.path.join(d, "upstream_service"))
        if self.q.get("service", [""])[0] != service:
            raise simhttp.HttpError(400, {"details": "unknown service"})
        access = []
        for s in self.q.get("scope", []):
            for one in s.split(" "):
                parts = one.split(":")
                if len(parts) < 3 or parts[0] != "repository":
                    continue
                acts = [a for a in parts[-1].split(",") if a == "pull"]
                access.append({"type": "repository",
                               "name": ":".join(parts[1:-1]),
                               "actions": acts})
        tok = R.registry_token(d, access, subject="", ttl=ANON_TTL,
                               service=service,
                               issuer=R.UPSTREAM_ISSUER)
        self.send_json(200, {
            "token": tok, "access_token": tok, "expires_in": ANON_TTL,
            "issued_at": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%S.%fZ")})


def proxy_for(d, ctx, name):
    url = R.read(os.path.join(d, name + "_backend_url"))
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    backend_ctx = ssl.create_default_context(
        cafile=os.path.join(d, "ca.crt"))
    return simhttp.listen(0, ProxyHandler, ctx, backend_host=host,
                          backend_port=int(port), backend_ctx=backend_ctx,
                          dir=d)


def cmd_serve(a):
    d = os.path.abspath(a.dir)
    ctx = simhttp.tls_context(os.path.join(d, "server.crt"),
                              os.path.join(d, "server.key"))
    try:
        acr = proxy_for(d, ctx, "acr")
        up = proxy_for(d, ctx, "upstream")
        auth = simhttp.listen(int(R.read(os.path.join(
            d, "upstream_auth_port")) or 0), AuthHandler, ctx, dir=d)
    except OSError as e:
        sys.stderr.write("regproxy: %s\n" % e)
        return 1
    for name, srv in (("acr", acr), ("upstream", up),
                      ("upstream_auth", auth)):
        R.write_atomic(os.path.join(d, name + "_url"),
                       "https://127.0.0.1:%d\n" % srv.server_address[1])
    R.write_atomic(os.path.join(d, "regproxy.pid"), "%d\n" % os.getpid())
    sys.stderr.write("regproxy: acr %s, upstream %s, auth %s (pid %d)\n" % (
        acr.server_address[1], up.server_address[1],
        auth.server_address[1], os.getpid()))
    sys.stderr.flush()
    return simhttp.run([acr, up, auth])


def main():
    ap = argparse.ArgumentParser(description="registry fault proxy")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("serve", help="run in the foreground")
    p.add_argument("--dir", required=True)
    a = ap.parse_args()
    return cmd_serve(a)


if __name__ == "__main__":
    sys.exit(main())
