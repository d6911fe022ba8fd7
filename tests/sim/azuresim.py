#!/usr/bin/env python3
# azuresim.py - simulates the Azure endpoints jumpdeck talks to: Entra ID
# (client credentials, device code), managed identity (IMDS), ARM
# (deployments, registries, importImage as a long-running operation that
# really copies images between the local docker-registry instances), Resource
# Graph (Defender sub-assessments) and ACR's /oauth2/exchange and
# /oauth2/token. For tests and the demo only; not Azure.
"""Azure simulator (Python standard library plus the openssl command).

  python3 azuresim.py up   --dir D [--registry-dir R] [--port P]
  python3 azuresim.py down --dir D
  python3 azuresim.py serve --dir D ...      (what `up` runs, detached)

See README-azure.md beside this file for endpoints and the control API.
"""

import argparse
import base64
import collections
import datetime
import hashlib
import http.server
import json
import math
import os
import random
import re
import signal
import socket
import ssl
import string
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import registry as R  # noqa: E402
import images as I    # noqa: E402

TENANT = "8d1c3f5e-2b4a-4c6d-9e8f-0a1b2c3d4e5f"
SUBSCRIPTION = "5f2b9c1d-7e3a-4b8c-9d0e-1f2a3b4c5d6e"
RESOURCE_GROUP = "rg-bu0001a0005"
LOCATION = "centralus"
DEFAULT_USER = {"upn": "opsuser01@contoso.example",
                "oid": "3e0f5a7c-1d2b-4c9e-8f6a-5b4c3d2e1f00",
                "name": "Ops User 01"}
DEFAULT_CLIENT = {"client_id": "0c6f5e3a-9b8d-4e7f-a1c2-d3e4f5a6b7c8",
                  "client_secret": "sim-pipeline-secret",
                  "object_id": "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
                  "name": "jumpdeck-pipeline"}
DEFAULT_IDENTITY = {"system": True,
                    "client_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
                    "object_id": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"}
ARM_AUDIENCES = ("https://management.azure.com", "https://management.azure.com/",
                 "https://management.core.windows.net",
                 "https://management.core.windows.net/")
ACR_AUDIENCES = ARM_AUDIENCES + ("https://containerregistry.azure.net",
                                 "https://containerregistry.azure.net/")
ACR_NULL_USER = "00000000-0000-0000-0000-000000000000"
QUALYS_KEY = "dbd0cb49-b563-45e7-9724-889e799fa648"
MDVM_KEY = "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# Hosts whose images live in the upstream registry as "<host>/<repo>".
UPSTREAM_HOSTS = {
    "docker.io": "docker.io", "registry.hub.docker.com": "docker.io",
    "index.docker.io": "docker.io", "registry-1.docker.io": "docker.io",
    "ghcr.io": "ghcr.io", "registry.k8s.io": "registry.k8s.io",
    "k8s.gcr.io": "registry.k8s.io", "mcr.microsoft.com": "mcr.microsoft.com",
    "quay.io": "quay.io",
}

DEFAULT_CONFIG = {
    "token_ttl": 3600,            # Entra access tokens (s)
    "device_interval": 5,         # devicecode "interval"
    "device_expires_in": 900,     # devicecode "expires_in"
    "device_verification_uri": "https://microsoft.com/devicelogin",
    "imds_no_identity_status": 400,
    "import_delay_s": 0.0,        # every importImage waits this long
    "import_async_header": False,  # also send Azure-AsyncOperation
    "lro_retry_after": 1,         # Retry-After on 202s (s)
    "arg_quota": 15,              # Resource Graph queries per window
    "arg_window_s": 5,
    "arg_default_top": 100,
    "arm_read_burst": 250, "arm_read_refill": 25,
    "arm_write_burst": 200, "arm_write_refill": 10,
    "acr_refresh_ttl": 10800,     # ACR refresh token (s)
    "acr_access_ttl": 4500,       # ACR access token (s)
    "acr_roles": {},              # oid/appid -> allowed actions
}


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(t=None):
    t = t or utcnow()
    if isinstance(t, (int, float)):
        t = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def hms(seconds):
    s = max(0, int(math.ceil(seconds)))
    return "%02d:%02d:%02d" % (s // 3600, s % 3600 // 60, s % 60)


# ---------------------------------------------------------------- errors

class HttpError(Exception):
    """An error answer; `family` picks the body shape."""

    def __init__(self, status, code, message, family="arm", headers=None,
                 extra=None):
        Exception.__init__(self, message)
        self.status = status
        self.code = code
        self.message = message
        self.family = family
        self.headers = dict(headers or {})
        self.extra = extra or {}

    def body(self):
        if self.family == "entra":
            num = self.extra.get("error_codes") or []
            desc = self.message
            if num and not desc.startswith("AADSTS"):
                desc = "AADSTS%d: %s" % (num[0], desc)
            return {"error": self.code, "error_description":
                    desc + "\r\nTrace ID: %s\r\nCorrelation ID: %s\r\n"
                    "Timestamp: %s" % (uuid.uuid4(), uuid.uuid4(),
                                       iso()[:19] + "Z"),
                    "error_codes": num, "timestamp": iso()[:19] + "Z",
                    "trace_id": str(uuid.uuid4()),
                    "correlation_id": str(uuid.uuid4())}
        if self.family == "imds":
            return {"error": self.code, "error_description": self.message}
        if self.family == "acr":
            e = {"code": self.code, "message": self.message}
            if "detail" in self.extra:
                e["detail"] = self.extra["detail"]
            return {"errors": [e]}
        err = {"code": self.code, "message": self.message}
        if self.extra.get("details"):
            err["details"] = self.extra["details"]
        return {"error": err}


def family_of(path):
    if path.startswith("/metadata/"):
        return "imds"
    if path.startswith("/oauth2/"):
        return "acr"
    if re.match(r"^/[^/]+/(oauth2|discovery|v2\.0)/", path):
        return "entra"
    return "arm"


FAULT_CODES = {
    "arm": {429: "SubscriptionRequestsThrottled", 500: "InternalServerError",
            503: "ServiceUnavailable", 401: "ExpiredAuthenticationToken",
            403: "AuthorizationFailed", 404: "NotFound",
            504: "GatewayTimeout"},
    "entra": {429: "temporarily_unavailable", 500: "server_error",
              503: "temporarily_unavailable", 400: "invalid_request"},
    "imds": {429: "too_many_requests", 500: "unknown_error",
             410: "gone", 404: "not_found", 503: "unknown_error"},
    "acr": {429: "TOOMANYREQUESTS", 500: "UNKNOWN", 401: "UNAUTHORIZED",
            503: "UNAVAILABLE"},
}


# ---------------------------------------------------------------- keys/JWT

class Keys:
    def __init__(self, d):
        self.key = os.path.join(d, "entra.key")
        self.crt = os.path.join(d, "entra.crt")
        self.pub = os.path.join(d, "entra.pub")
        with open(self.pub, "wb") as f:
            f.write(R.openssl("x509", "-in", self.crt, "-pubkey", "-noout"))
        der = R.openssl("x509", "-in", self.crt, "-outform", "DER")
        self.x5c = base64.b64encode(der).decode()
        self.kid = R.b64url(hashlib.sha1(der).digest())
        mod = R.openssl("rsa", "-in", self.key, "-noout", "-modulus").decode()
        self.n = R.b64url(bytes.fromhex(mod.strip().split("=", 1)[1]))
        self.cache = {}
        self.lock = threading.Lock()

    def sign(self, claims):
        return R.jwt_encode({"typ": "JWT", "alg": "RS256", "kid": self.kid,
                             "x5t": self.kid}, claims, self.key)

    def verify(self, token):
        """Claims of a token this simulator signed, or None. Does not look
        at the times."""
        with self.lock:
            if token in self.cache:
                return self.cache[token]
        try:
            header, claims, signing_input, sig = R.jwt_decode(token)
        except (ValueError, UnicodeDecodeError):
            return None
        if header.get("alg") != "RS256" or header.get("kid") != self.kid:
            return None
        if not R.rs256_verify(self.pub, signing_input, sig):
            return None
        with self.lock:
            if len(self.cache) > 5000:
                self.cache.clear()
            self.cache[token] = claims
        return claims

    def jwks(self):
        return {"keys": [{"kty": "RSA", "use": "sig", "kid": self.kid,
                          "x5t": self.kid, "n": self.n, "e": "AQAB",
                          "x5c": [self.x5c]}]}


# ---------------------------------------------------------------- state

class Sim:
    def __init__(self, args):
        self.dir = os.path.abspath(args.dir)
        self.reg_dir = os.path.abspath(args.registry_dir) \
            if args.registry_dir else None
        self.keys = Keys(self.dir)
        self.lock = threading.RLock()
        self.config = json.loads(json.dumps(DEFAULT_CONFIG))
        self.tenant = TENANT
        self.subscriptions = {SUBSCRIPTION.lower(): {
            "subscriptionId": SUBSCRIPTION, "displayName": "bu0001a0005-sim",
            "tenantId": TENANT}}
        self.resource_groups = {(SUBSCRIPTION.lower(), RESOURCE_GROUP)}
        self.acr_name = R.read(os.path.join(self.reg_dir, "acr_name")) \
            if self.reg_dir else R.DEFAULT_ACR
        self.acr_name = self.acr_name or R.DEFAULT_ACR
        self.acr_rg = (SUBSCRIPTION.lower(), RESOURCE_GROUP)
        self.service = "%s.azurecr.io" % self.acr_name
        self.deployments = {}
        self.identities = []
        self.clients = {}
        self.devicecodes = {}
        self.refresh_tokens = {}
        self.findings = []
        self.deny = []
        self.ops = collections.OrderedDict()
        self.faults = []
        self.requests = collections.deque(maxlen=500)
        self.arg_calls = {}
        self.buckets = {}

    # -- faults
    def take_fault(self, method, path, query, lro=False):
        with self.lock:
            for rule in self.faults:
                act = rule.get("action", "status")
                if act.startswith("lro_") != lro:
                    continue
                if rule.get("method") and rule["method"].upper() != method:
                    continue
                if not path.lower().startswith(
                        rule.get("path_prefix", "").lower()):
                    continue
                if rule.get("query_contains") and \
                        rule["query_contains"] not in query:
                    continue
                rule["times"] = rule.get("times", 1) - 1
                if rule["times"] <= 0:
                    self.faults.remove(rule)
                return dict(rule)
        return None

    # -- Entra tokens
    def entra_token(self, aud, oid, tid=None, upn=None, appid=None,
                    name=None, ttl=None, scp=None, idtyp=None, nbf=None):
        now = int(time.time())
        ttl = int(self.config["token_ttl"] if ttl is None else ttl)
        tid = tid or self.tenant
        c = {"aud": aud, "iss": "https://sts.windows.net/%s/" % tid,
             "iat": now, "nbf": now if nbf is None else int(nbf),
             "exp": now + ttl, "tid": tid, "oid": oid, "sub": oid,
             "ver": "1.0", "uti": R.b64url(os.urandom(12)),
             "idtyp": idtyp or ("user" if upn else "app")}
        if upn:
            c["upn"] = upn
            c["unique_name"] = upn
            c["name"] = name or upn
            c["scp"] = scp or "user_impersonation"
            c["appid"] = appid or "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
        elif appid:
            c["appid"] = appid
        return self.keys.sign(c), c

    # -- ARM throttling bucket (per subscription and read/write)
    def arm_bucket(self, sub, write):
        kind = "write" if write else "read"
        burst = float(self.config["arm_%s_burst" % kind])
        refill = float(self.config["arm_%s_refill" % kind])
        now = time.time()
        with self.lock:
            level, t = self.buckets.get((sub, kind), (burst, now))
            level = min(burst, level + (now - t) * refill)
            if level < 1:
                self.buckets[(sub, kind)] = (level, now)
                return kind, -1, int(math.ceil((1 - level) / refill))
            level -= 1
            self.buckets[(sub, kind)] = (level, now)
            return kind, int(level), 0


# ---------------------------------------------------------------- helpers

def guid_like(s):
    return re.match(r"^[0-9a-fA-F-]{36}$", s or "") is not None


def parse_form(body):
    return urllib.parse.parse_qs(body.decode(errors="replace"),
                                 keep_blank_values=True)


def first(q, k, default=""):
    v = q.get(k)
    return v[0] if v else default


def aud_from_scope(scope):
    for s in scope.split():
        if s in ("openid", "profile", "offline_access"):
            continue
        if s.endswith("/.default"):
            s = s[:-len("/.default")]
        if s.endswith("//"):
            s = s[:-1]
        return s
    return ""


def split_image(ref):
    """"repo:tag" / "repo@sha256:..." / "repo" -> (repo, ref, is_digest)."""
    if "@" in ref:
        repo, dig = ref.split("@", 1)
        return repo, dig, True
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1:], False
    return ref, "latest", False


# ---------------------------------------------------------------- HTTP

class Dropped(Exception):
    pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "azuresim"
    sys_version = ""
    timeout = 60

    def log_message(self, fmt, *args):
        if os.environ.get("AZURESIM_VERBOSE"):
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def setup(self):
        http.server.BaseHTTPRequestHandler.setup(self)
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(20)
            self.connection.do_handshake()
            self.connection.settimeout(self.timeout)

    @property
    def sim(self):
        return self.server.sim

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_HEAD(self):
        self.handle_any("HEAD")

    # -- low level
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(16)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send_raw(self, code, body, ctype="application/json; charset=utf-8",
                 headers=None):
        if self.log_entry is not None:
            self.log_entry["status"] = code
        act = self.fault.get("action") if self.fault else None
        if act == "drop_response":
            self.close_connection = True
            raise Dropped()
        self.send_response(code)
        if body or code not in (204,):
            self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-ms-request-id", self.request_id)
        self.send_header("x-ms-correlation-request-id", self.request_id)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if act == "truncate":
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def send_json(self, code, obj, headers=None):
        self.send_raw(code, json.dumps(obj).encode() + b"\n",
                      headers=headers)

    def send_error_obj(self, e):
        h = dict(e.headers)
        if e.status == 401 and e.family == "arm" and \
                "WWW-Authenticate" not in h:
            h["WWW-Authenticate"] = (
                'Bearer authorization_uri="https://login.windows.net/%s", '
                'error="invalid_token", error_description="%s"' % (
                    self.sim.tenant, e.message.replace('"', "'")))
        self.send_json(e.status, e.body(), headers=h)

    # -- entry
    def handle_any(self, method):
        self.fault = None
        self.who = None
        self.request_id = str(uuid.uuid4())
        started = time.time()
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = url.query
        self.log_entry = None
        imds_port = getattr(self.server, "imds_only", False)
        if not path.startswith("/_sim/"):
            q = urllib.parse.parse_qs(query, keep_blank_values=True)
            for k in list(q):
                if k.lower() in ("client_secret", "password", "access_token",
                                 "refresh_token", "code", "device_code"):
                    q[k] = ["(redacted)"]
            self.log_entry = {
                "method": method, "path": path,
                "query": urllib.parse.urlencode(q, doseq=True),
                "family": family_of(path), "who": None, "status": 0,
                "time": round(started, 3),
                "user_agent": self.headers.get("User-Agent", "")}
            with self.sim.lock:
                self.sim.requests.append(self.log_entry)
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        try:
            if path.startswith("/_sim/") and not imds_port:
                self.control(method, path, urllib.parse.parse_qs(query),
                             body)
                return
            if imds_port and not path.startswith("/metadata/"):
                raise HttpError(404, "not_found", "no such endpoint", "imds")
            if self.log_entry is not None and method == "POST":
                form = parse_form(body) if "form-urlencoded" in \
                    self.headers.get("Content-Type", "") else {}
                safe = {k: v for k, v in form.items() if k in (
                    "grant_type", "scope", "service", "client_id",
                    "tenant")}
                if safe:
                    self.log_entry["form"] = safe
            fault = self.sim.take_fault(method, path, query)
            if fault:
                self.apply_fault(fault, path)
            self.route(method, path, urllib.parse.parse_qs(
                query, keep_blank_values=True), body)
        except HttpError as e:
            self.send_error_obj(e)
        except Dropped:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                socket.timeout):
            self.close_connection = True
        except Exception as e:  # never crash on bad input
            traceback.print_exc()
            try:
                self.send_error_obj(HttpError(500, "InternalServerError",
                                              "internal error: %s" % e))
            except (OSError, Dropped):
                self.close_connection = True
        finally:
            if self.log_entry is not None:
                self.log_entry["duration_ms"] = int(
                    (time.time() - started) * 1000)
                if self.who:
                    self.log_entry["who"] = self.who

    def apply_fault(self, fault, path):
        act = fault.get("action", "status")
        if act == "delay":
            time.sleep(float(fault.get("delay_ms", 0)) / 1000.0)
        elif act == "drop":
            self.close_connection = True
            if self.log_entry is not None:
                self.log_entry["status"] = 0
            raise Dropped()
        elif act in ("truncate", "drop_response"):
            self.fault = fault
        else:
            fam = family_of(path)
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
            raise HttpError(code, ecode, msg, fam, hdr, ex)

    # -- routing
    def route(self, method, path, q, body):
        fam = family_of(path)
        if path == "/healthz":
            return self.send_raw(200, b"ok", "text/plain")
        if fam == "imds":
            return self.imds(method, path, q)
        if fam == "acr":
            return self.acr_oauth(method, path, q, body)
        if fam == "entra":
            return self.entra(method, path, q, body)
        return self.arm(method, path, q, body)

    # ============================================================ Entra ID
    def entra(self, method, path, q, body):
        parts = path.strip("/").split("/")
        tenant = parts[0]
        tid = tenant if guid_like(tenant) else self.sim.tenant
        rest = "/".join(parts[1:])
        base = "https://%s" % self.headers.get("Host", "127.0.0.1")
        if rest in ("v2.0/.well-known/openid-configuration",
                    ".well-known/openid-configuration") and method == "GET":
            return self.send_json(200, {
                "issuer": "%s/%s/v2.0" % (base, tid),
                "token_endpoint": "%s/%s/oauth2/v2.0/token" % (base, tenant),
                "device_authorization_endpoint":
                    "%s/%s/oauth2/v2.0/devicecode" % (base, tenant),
                "authorization_endpoint":
                    "%s/%s/oauth2/v2.0/authorize" % (base, tenant),
                "jwks_uri": "%s/%s/discovery/v2.0/keys" % (base, tenant),
                "grant_types_supported": ["client_credentials",
                                          DEVICE_GRANT, "refresh_token"],
                "tenant_region_scope": "NA"})
        if rest in ("discovery/v2.0/keys", "discovery/keys") and \
                method == "GET":
            return self.send_json(200, self.sim.keys.jwks())
        if method != "POST":
            raise HttpError(405, "invalid_request", "method not allowed",
                            "entra", extra={"error_codes": [900561]})
        form = parse_form(body)
        if rest == "oauth2/v2.0/devicecode":
            return self.devicecode(tid, form)
        if rest in ("oauth2/v2.0/token", "oauth2/token"):
            return self.token(tid, form, v1=(rest == "oauth2/token"))
        raise HttpError(404, "invalid_request", "unknown endpoint", "entra",
                        extra={"error_codes": [90002]})

    def devicecode(self, tid, form):
        client_id = first(form, "client_id")
        if not client_id:
            raise HttpError(400, "invalid_request", "AADSTS900144: The "
                            "request body must contain the following "
                            "parameter: 'client_id'.", "entra",
                            extra={"error_codes": [900144]})
        cfg = self.sim.config
        user_code = "".join(random.choice(string.ascii_uppercase +
                                          string.digits) for _ in range(9))
        device_code = R.b64url(os.urandom(48))
        uri = cfg["device_verification_uri"]
        rec = {"user_code": user_code, "device_code": device_code,
               "client_id": client_id, "tenant": tid,
               "scope": first(form, "scope"), "state": "pending",
               "created": time.time(),
               "expires_at": time.time() + float(cfg["device_expires_in"]),
               "user": None, "polls": 0}
        with self.sim.lock:
            self.sim.devicecodes[device_code] = rec
        self.send_json(200, {
            "user_code": user_code, "device_code": device_code,
            "verification_uri": uri,
            "expires_in": int(cfg["device_expires_in"]),
            "interval": cfg["device_interval"],
            "message": "To sign in, use a web browser to open the page %s "
                       "and enter the code %s to authenticate." % (
                           uri, user_code)})

    def token(self, tid, form, v1=False):
        grant = first(form, "grant_type")
        scope = first(form, "scope")
        aud = first(form, "resource") if v1 else aud_from_scope(scope)
        sim = self.sim
        ttl = int(sim.config["token_ttl"])
        if grant == "client_credentials":
            cid = first(form, "client_id")
            with sim.lock:
                cl = sim.clients.get(cid)
            if not cl:
                raise HttpError(400, "unauthorized_client", "Application "
                                "with identifier '%s' was not found in the "
                                "directory '%s'." % (cid, tid), "entra",
                                extra={"error_codes": [700016]})
            if first(form, "client_secret") != cl["client_secret"]:
                raise HttpError(401, "invalid_client", "Invalid client "
                                "secret provided. Ensure the secret being "
                                "sent in the request is the client secret "
                                "value, not the client secret ID, for a "
                                "secret added to app '%s'." % cid, "entra",
                                extra={"error_codes": [7000215]})
            if not aud:
                raise HttpError(400, "invalid_scope", "The provided value "
                                "for the input parameter 'scope' is not "
                                "valid.", "entra",
                                extra={"error_codes": [1002012]})
            tok, _ = sim.entra_token(aud, cl["object_id"], tid,
                                     appid=cid, ttl=ttl)
            self.who = "app:" + cid
            out = {"token_type": "Bearer", "expires_in": ttl,
                   "ext_expires_in": ttl, "access_token": tok}
            if v1:
                out.update({"expires_on": str(int(time.time()) + ttl),
                            "resource": aud})
            return self.send_json(200, out)
        if grant == DEVICE_GRANT:
            dc = first(form, "device_code")
            with sim.lock:
                rec = sim.devicecodes.get(dc)
                if rec:
                    rec["polls"] += 1
            if not rec or rec["client_id"] != first(form, "client_id"):
                raise HttpError(400, "invalid_grant", "The provided value "
                                "for the input parameter 'device_code' is "
                                "not valid.", "entra",
                                extra={"error_codes": [70000]})
            st = rec["state"]
            if st == "pending" and time.time() > rec["expires_at"]:
                st = rec["state"] = "expired"
            if st == "pending":
                raise HttpError(400, "authorization_pending", "OAuth 2.0 "
                                "device flow error. Authorization is "
                                "pending. Continue polling.", "entra",
                                extra={"error_codes": [70016]})
            if st == "expired":
                raise HttpError(400, "expired_token", "The provided value "
                                "for the input parameter 'device_code' is "
                                "not valid. This device code has expired.",
                                "entra", extra={"error_codes": [70020]})
            if st == "declined":
                raise HttpError(400, "authorization_declined", "The end "
                                "user denied the authorization request.",
                                "entra", extra={"error_codes": [70000]})
            if st == "redeemed":
                raise HttpError(400, "invalid_grant", "OAuth2 "
                                "Authorization code was already redeemed, "
                                "please retry with a new valid code or use "
                                "an existing refresh token.", "entra",
                                extra={"error_codes": [54005]})
            rec["state"] = "redeemed"
            return self.user_tokens(rec["user"], rec["client_id"], tid,
                                    rec["scope"] or scope)
        if grant == "refresh_token":
            rt = first(form, "refresh_token")
            with sim.lock:
                ent = sim.refresh_tokens.pop(rt, None)
            if not ent or ent["client_id"] != first(form, "client_id"):
                raise HttpError(400, "invalid_grant", "The refresh token "
                                "is invalid or has expired.", "entra",
                                extra={"error_codes": [700082]})
            return self.user_tokens(ent["user"], ent["client_id"], tid,
                                    scope or ent["scope"])
        raise HttpError(400, "unsupported_grant_type", "The provided value "
                        "for the input parameter 'grant_type' is not valid.",
                        "entra", extra={"error_codes": [70003]})

    def user_tokens(self, user, client_id, tid, scope):
        sim = self.sim
        ttl = int(sim.config["token_ttl"])
        aud = aud_from_scope(scope) or "https://management.azure.com"
        tok, _ = sim.entra_token(aud, user["oid"], user.get("tid") or tid,
                                 upn=user["upn"], name=user.get("name"),
                                 appid=client_id, ttl=ttl)
        idt = sim.keys.sign({"aud": client_id, "iss": "https://login."
                             "microsoftonline.com/%s/v2.0" % tid,
                             "iat": int(time.time()),
                             "nbf": int(time.time()),
                             "exp": int(time.time()) + ttl,
                             "oid": user["oid"], "sub": user["oid"],
                             "tid": tid, "name": user.get("name"),
                             "preferred_username": user["upn"], "ver": "2.0"})
        rt = R.b64url(os.urandom(64))
        with sim.lock:
            sim.refresh_tokens[rt] = {"user": user, "client_id": client_id,
                                      "scope": scope}
        self.who = "user:" + user["upn"]
        self.send_json(200, {"token_type": "Bearer", "scope": scope,
                             "expires_in": ttl, "ext_expires_in": ttl,
                             "access_token": tok, "refresh_token": rt,
                             "id_token": idt})

    # ============================================================ IMDS
    def imds(self, method, path, q):
        sim = self.sim
        if method != "GET":
            raise HttpError(405, "invalid_request", "method not allowed",
                            "imds")
        if self.headers.get("Metadata", "").lower() != "true":
            raise HttpError(400, "invalid_request", "Required metadata "
                            "header not specified", "imds")
        if not first(q, "api-version"):
            raise HttpError(400, "invalid_request", "Required query variable"
                            " 'api-version' is missing", "imds")
        if path == "/metadata/instance":
            return self.send_json(200, {"compute": {
                "azEnvironment": "AzurePublicCloud", "location": LOCATION,
                "name": "vmss-jumpboxes_0", "osType": "Linux",
                "resourceGroupName": RESOURCE_GROUP,
                "subscriptionId": SUBSCRIPTION, "vmScaleSetName":
                "vmss-jumpboxes", "tenantId": sim.tenant}})
        if path != "/metadata/identity/oauth2/token":
            raise HttpError(404, "not_found", "no such metadata endpoint",
                            "imds")
        resource = first(q, "resource")
        if not resource:
            raise HttpError(400, "invalid_request", "Required audience "
                            "parameter not specified", "imds")
        cid, oid, rid = first(q, "client_id"), first(q, "object_id"), \
            first(q, "msi_res_id") or first(q, "mi_res_id")
        with sim.lock:
            ids = list(sim.identities)
        ident = None
        if cid or oid or rid:
            for i in ids:
                if (cid and i.get("client_id", "").lower() == cid.lower()) or \
                        (oid and i.get("object_id", "").lower() ==
                         oid.lower()) or \
                        (rid and i.get("resource_id", "").lower() ==
                         rid.lower()):
                    ident = i
                    break
            if not ident:
                raise HttpError(400, "invalid_request", "Identity not found",
                                "imds")
        else:
            system = [i for i in ids if i.get("system")]
            if system:
                ident = system[0]
            elif len(ids) == 1:
                ident = ids[0]
            elif len(ids) > 1:
                raise HttpError(400, "invalid_request", "Multiple user "
                                "assigned identities exist, please specify "
                                "the clientId / resourceId of the identity "
                                "in the token request", "imds")
            else:
                raise HttpError(int(sim.config["imds_no_identity_status"]),
                                "invalid_request", "Identity not found",
                                "imds")
        ttl = int(sim.config["token_ttl"])
        tok, c = sim.entra_token(resource, ident["object_id"],
                                 appid=ident["client_id"], ttl=ttl,
                                 idtyp="app")
        self.who = "mi:" + ident["client_id"]
        self.send_json(200, {
            "access_token": tok, "client_id": ident["client_id"],
            "expires_in": str(ttl), "expires_on": str(c["exp"]),
            "ext_expires_in": str(ttl), "not_before": str(c["nbf"]),
            "resource": resource, "token_type": "Bearer"})

    # ============================================================ ARM
    def arm_auth(self):
        auth = self.headers.get("Authorization", "")
        if not auth:
            raise HttpError(401, "AuthenticationFailed", "Authentication "
                            "failed. The 'Authorization' header is missing.")
        if not auth.lower().startswith("bearer "):
            raise HttpError(401, "AuthenticationFailed", "Authentication "
                            "failed. The 'Authorization' header is provided "
                            "in an invalid format.")
        claims = self.sim.keys.verify(auth[7:].strip())
        if claims is None:
            raise HttpError(401, "InvalidAuthenticationToken",
                            "The access token is invalid.")
        now = time.time()
        if now >= claims.get("exp", 0):
            raise HttpError(401, "ExpiredAuthenticationToken", "The access "
                            "token expiry UTC time '%s' is earlier than "
                            "current UTC time '%s'." % (
                                iso(claims.get("exp", 0))[:19],
                                iso(now)[:19]))
        if now + 300 < claims.get("nbf", 0):
            raise HttpError(401, "InvalidAuthenticationToken", "The access "
                            "token is not yet valid.")
        if claims.get("aud") not in ARM_AUDIENCES:
            raise HttpError(401, "InvalidAuthenticationTokenAudience",
                            "The access token has been obtained for wrong "
                            "audience or resource '%s'. It should exactly "
                            "match with one of the allowed audiences '%s'." %
                            (claims.get("aud"), "','".join(ARM_AUDIENCES)))
        self.who = claims.get("upn") or ("app:" + str(
            claims.get("appid") or claims.get("oid")))
        return claims

    def arm_authorize(self, claims, action, scope):
        with self.sim.lock:
            rules = list(self.sim.deny)
        for r in rules:
            w = r.get("who", "*")
            if w != "*" and w not in (claims.get("upn"), claims.get("oid"),
                                      claims.get("appid")):
                continue
            if r.get("action_contains", "").lower() not in action.lower():
                continue
            raise HttpError(403, "AuthorizationFailed", "The client '%s' "
                            "with object id '%s' does not have authorization"
                            " to perform action '%s' over scope '%s' or the "
                            "scope is invalid. If access was recently "
                            "granted, please refresh your credentials." % (
                                claims.get("upn") or claims.get("appid"),
                                claims.get("oid"), action, scope))

    def arm(self, method, path, q, body):
        if not first(q, "api-version"):
            raise HttpError(400, "MissingApiVersionParameter", "The "
                            "api-version query parameter (?api-version=) is "
                            "required for all requests.")
        claims = self.arm_auth()
        p = path.rstrip("/")
        seg = p.strip("/").split("/")
        low = [s.lower() for s in seg]
        sim = self.sim
        write = method not in ("GET", "HEAD")
        sub = low[1] if len(low) > 1 and low[0] == "subscriptions" else "-"
        kind, left, wait = sim.arm_bucket(sub, write)
        hdr = {}
        if wait:
            raise HttpError(429, "SubscriptionRequestsThrottled", "Number of "
                            "'%s' requests for subscription '%s' exceeded. "
                            "Please try again after '%d' seconds." % (
                                kind, sub, wait),
                            headers={"Retry-After": str(wait)})
        hdr["x-ms-ratelimit-remaining-subscription-%ss" % kind] = str(left)
        self.arm_headers = hdr
        if low[:3] == ["providers", "microsoft.resourcegraph", "resources"] \
                and len(low) == 3:
            if method != "POST":
                raise HttpError(405, "MethodNotAllowed", "use POST")
            return self.resource_graph(claims, q, body)
        if low == ["subscriptions"] and method == "GET":
            with sim.lock:
                subs = list(sim.subscriptions.values())
            return self.send_json(200, {"value": [dict(
                s, id="/subscriptions/" + s["subscriptionId"],
                state="Enabled") for s in subs]}, hdr)
        if len(low) < 2 or low[0] != "subscriptions":
            raise HttpError(404, "NoRegisteredProviderFound", "No registered "
                            "resource provider found for path '%s'." % path)
        with sim.lock:
            s = sim.subscriptions.get(sub)
        if not s:
            raise HttpError(404, "SubscriptionNotFound", "The subscription "
                            "'%s' could not be found." % seg[1])
        if len(low) == 2 and method == "GET":
            return self.send_json(200, dict(
                s, id="/subscriptions/" + s["subscriptionId"],
                state="Enabled"), hdr)
        # operation status URLs (not under a resource group)
        if len(low) >= 8 and low[2:6] == ["providers",
                                          "microsoft.containerregistry",
                                          "locations", low[5]] and \
                low[6] in ("operationresults", "operationstatuses"):
            return self.lro_status(claims, low, seg, hdr)
        if len(low) < 4 or low[2] != "resourcegroups":
            raise HttpError(404, "NotFound", "no such ARM path in the "
                            "simulator: %s" % path)
        rg = low[3]
        with sim.lock:
            rg_known = (sub, rg) in sim.resource_groups
        if not rg_known:
            raise HttpError(404, "ResourceGroupNotFound", "Resource group "
                            "'%s' could not be found." % seg[3])
        rest = low[4:]
        scope = "/" + "/".join(seg)
        if rest[:3] == ["providers", "microsoft.resources", "deployments"]:
            if method != "GET":
                raise HttpError(405, "MethodNotAllowed", "the simulator only "
                                "reads deployments")
            self.arm_authorize(claims, "Microsoft.Resources/deployments/read",
                               scope)
            if len(rest) == 3:
                with sim.lock:
                    deps = [d for k, d in sim.deployments.items()
                            if k[0] == sub and k[1] == rg]
                return self.send_json(200, {"value": deps}, hdr)
            if len(rest) == 4:
                with sim.lock:
                    d = sim.deployments.get((sub, rg, rest[3]))
                if not d:
                    raise HttpError(404, "DeploymentNotFound", "Deployment "
                                    "'%s' could not be found." % seg[7])
                return self.send_json(200, d, hdr)
        if rest[:3] == ["providers", "microsoft.containerregistry",
                        "registries"] and len(rest) >= 4:
            name = seg[7]
            if rest[3] != sim.acr_name.lower() or (sub, rg) != sim.acr_rg:
                raise HttpError(404, "ResourceNotFound", "The Resource "
                                "'Microsoft.ContainerRegistry/registries/%s'"
                                " under resource group '%s' was not found. "
                                "For more details please go to "
                                "https://aka.ms/ARMResourceNotFoundFix" % (
                                    name, seg[3]))
            if len(rest) == 4 and method == "GET":
                self.arm_authorize(
                    claims, "Microsoft.ContainerRegistry/registries/read",
                    scope)
                return self.send_json(200, self.registry_resource(), hdr)
            if len(rest) == 5 and rest[4] == "importimage":
                if method != "POST":
                    raise HttpError(405, "MethodNotAllowed", "use POST")
                self.arm_authorize(
                    claims, "Microsoft.ContainerRegistry/registries/"
                    "importImage/action", scope)
                return self.import_image(claims, q, body, hdr)
        raise HttpError(404, "NotFound", "no such ARM path in the simulator:"
                        " %s" % path)

    def acr_id(self):
        return ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft."
                "ContainerRegistry/registries/%s" % (
                    SUBSCRIPTION, RESOURCE_GROUP, self.sim.acr_name))

    def registry_resource(self):
        return {"id": self.acr_id(), "name": self.sim.acr_name,
                "type": "Microsoft.ContainerRegistry/registries",
                "location": LOCATION,
                "sku": {"name": "Premium", "tier": "Premium"},
                "properties": {
                    "loginServer": self.sim.service,
                    "provisioningState": "Succeeded",
                    "adminUserEnabled": False,
                    "publicNetworkAccess": "Disabled",
                    "dataEndpointEnabled": True,
                    "networkRuleSet": {"defaultAction": "Deny"},
                    "policies": {"quarantinePolicy": {"status": "disabled"},
                                 "trustPolicy": {"type": "Notary",
                                                 "status": "enabled"},
                                 "retentionPolicy": {"days": 15,
                                                     "status": "enabled"}},
                    "zoneRedundancy": "Enabled"}}

    # -- importImage
    def import_image(self, claims, q, body, hdr):
        sim = self.sim
        try:
            req = json.loads(body.decode() or "null")
        except ValueError as e:
            raise HttpError(400, "InvalidRequestContent", "The request "
                            "content was invalid and could not be "
                            "deserialized: %s" % e)
        if not isinstance(req, dict) or not isinstance(req.get("source"),
                                                       dict):
            raise HttpError(400, "InvalidRequestContent", "The request "
                            "content was invalid: 'source' is required.")
        src = req["source"]
        image = src.get("sourceImage")
        if not image or not isinstance(image, str):
            raise HttpError(400, "InvalidParameter", "The parameter "
                            "'source.sourceImage' is required.")
        uri, rid = src.get("registryUri"), src.get("resourceId")
        if bool(uri) == bool(rid):
            raise HttpError(400, "InvalidParameter", "Exactly one of "
                            "'source.registryUri' and 'source.resourceId' "
                            "must be given.")
        mode = req.get("mode", "NoForce")
        if mode not in ("NoForce", "Force"):
            raise HttpError(400, "InvalidParameter", "The value '%s' of "
                            "'mode' is not valid; expected NoForce or "
                            "Force." % mode)
        tags = req.get("targetTags") or []
        untagged = req.get("untaggedTargetRepositories") or []
        if not isinstance(tags, list) or not isinstance(untagged, list):
            raise HttpError(400, "InvalidRequestContent", "targetTags and "
                            "untaggedTargetRepositories must be arrays.")
        src_repo, src_ref, by_digest = split_image(image)
        if uri:
            host = uri.lower().split("://")[-1].rstrip("/")
            mapped = UPSTREAM_HOSTS.get(host)
            if not mapped:
                raise HttpError(400, "InvalidParameter", "The source "
                                "registry '%s' is not reachable from the "
                                "simulator (known: %s)." % (
                                    uri, ", ".join(sorted(UPSTREAM_HOSTS))))
            if mapped == "docker.io" and "/" not in src_repo:
                src_repo = "library/" + src_repo
            source = ("upstream", "%s/%s" % (mapped, src_repo))
            src_desc = "%s/%s" % (mapped, image)
        else:
            m = re.match(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/"
                         r"providers/microsoft\.containerregistry/"
                         r"registries/([^/]+)$", rid.lower())
            if not m or m.group(1) != sim.acr_name.lower():
                raise HttpError(400, "InvalidParameter", "The source "
                                "registry '%s' was not found; the simulator"
                                " has only '%s'." % (rid, self.acr_id()))
            source = ("acr", src_repo)
            src_desc = "%s/%s" % (sim.service, image)
        targets = []
        for t in tags:
            repo, tag, dig = split_image(str(t))
            if dig:
                raise HttpError(400, "InvalidParameter", "Target tag '%s' "
                                "must not be a digest." % t)
            targets.append((repo, tag))
        if not targets and not untagged:
            if by_digest:
                untagged = [src_repo]
            else:
                targets = [(src_repo, src_ref)]
        if not sim.reg_dir:
            raise HttpError(500, "InternalServerError", "the simulator was "
                            "started without --registry-dir; importImage "
                            "needs the local registries")
        if mode == "NoForce":
            acr = self.acr_client([r for r, _ in targets], [])
            for repo, tag in targets:
                try:
                    exists = acr.head_manifest(repo, tag)
                except (I.RegistryError, OSError) as e:
                    raise HttpError(500, "InternalServerError",
                                    "registry check failed: %s" % e)
                if exists:
                    # Real ACR's code for this is not verified; its message
                    # contains "already exists in target registry".
                    raise HttpError(409, "Conflict", "Tag %s:%s already "
                                    "exists in target registry." % (repo, tag))
        lro = sim.take_fault("POST", self.path.split("?")[0], "", lro=True)
        op_id = "registries-" + str(uuid.uuid4())
        api = first(q, "api-version")
        base = "https://%s" % self.headers.get("Host", "127.0.0.1")
        loc_path = ("/subscriptions/%s/providers/Microsoft.ContainerRegistry/"
                    "locations/%s/operationResults/operationStatuses/%s" % (
                        SUBSCRIPTION, LOCATION, op_id))
        async_path = ("/subscriptions/%s/providers/Microsoft."
                      "ContainerRegistry/locations/%s/operationStatuses/%s" %
                      (SUBSCRIPTION, LOCATION, op_id))
        delay = float(sim.config["import_delay_s"])
        fail = None
        if lro:
            if lro.get("action") == "lro_delay":
                delay = float(lro.get("delay_s", delay))
            elif lro.get("action") == "lro_fail":
                delay = float(lro.get("delay_s", delay))
                fail = (int(lro.get("status", 500)),
                        lro.get("code", "InternalServerError"),
                        lro.get("message", "The import operation failed "
                                "(injected fault)."))
        op = {"id": op_id, "status": "InProgress", "startTime": iso(),
              "endTime": None, "error": None, "http_status": None,
              "executions": 0, "who": self.who, "mode": mode,
              "source": src_desc, "source_kind": source[0],
              "source_repo": source[1], "source_ref": src_ref,
              "targetTags": ["%s:%s" % t for t in targets],
              "untaggedTargetRepositories": list(untagged),
              "digest": None, "delay_s": delay, "copied_blobs": 0,
              "location": base + loc_path + "?api-version=" + api,
              "async": base + async_path + "?api-version=" + api}
        with sim.lock:
            sim.ops[op_id] = op
            while len(sim.ops) > 500:
                sim.ops.popitem(last=False)
        threading.Thread(target=self.run_import, args=(sim, op, fail),
                         daemon=True).start()
        h = dict(hdr)
        h["Location"] = op["location"]
        h["Retry-After"] = str(sim.config["lro_retry_after"])
        if sim.config["import_async_header"]:
            h["Azure-AsyncOperation"] = op["async"]
        self.send_raw(202, b"", headers=h)

    def acr_client(self, push_repos, pull_repos):
        sim = self.sim
        access = [{"type": "repository", "name": r, "actions": ["pull",
                                                                "push"]}
                  for r in sorted(set(push_repos))]
        access += [{"type": "repository", "name": r, "actions": ["pull"]}
                   for r in sorted(set(pull_repos) - set(push_repos))]
        tok = R.registry_token(sim.reg_dir, access, subject="azuresim-import",
                               ttl=600)
        return I.Client(R.read(os.path.join(sim.reg_dir, "acr_url")),
                        os.path.join(sim.reg_dir, "ca.crt"),
                        lambda scopes: tok)

    def run_import(self, sim, op, fail):
        """Runs once per accepted POST, on its own thread."""
        try:
            if op["delay_s"] > 0:
                time.sleep(op["delay_s"])
            if fail:
                raise HttpError(fail[0], fail[1], fail[2])
            with sim.lock:
                op["executions"] += 1
            tag_repos = [t.rsplit(":", 1)[0] for t in op["targetTags"]]
            repos = tag_repos + op["untaggedTargetRepositories"]
            pull = [op["source_repo"]] if op["source_kind"] == "acr" else []
            dst = self.acr_client(repos, pull)
            if op["source_kind"] == "acr":
                src = dst
            else:
                src = I.Client(R.read(os.path.join(sim.reg_dir,
                                                   "upstream_url")),
                               os.path.join(sim.reg_dir, "ca.crt"))
            try:
                src.head_manifest(op["source_repo"], op["source_ref"]) or \
                    self.missing(op)
            except I.RegistryError as e:
                if e.status in (401, 403, 404):
                    self.missing(op)
                raise
            digest = None

            def progress(_d):
                op["copied_blobs"] += 1

            by_repo = collections.OrderedDict()
            for t in op["targetTags"]:
                r, tag = t.rsplit(":", 1)
                by_repo.setdefault(r, []).append(tag)
            for r in op["untaggedTargetRepositories"]:
                by_repo.setdefault(r, [])
            for r, tags in by_repo.items():
                digest = I.copy_image(src, op["source_repo"],
                                      op["source_ref"], dst, r, tags,
                                      progress)
            with sim.lock:
                op["digest"] = digest
                op["status"] = "Succeeded"
                op["endTime"] = iso()
        except HttpError as e:
            with sim.lock:
                op["status"] = "Failed"
                op["endTime"] = iso()
                op["http_status"] = e.status
                op["error"] = {"code": e.code, "message": e.message}
        except Exception as e:  # registry trouble: a failed operation
            with sim.lock:
                op["status"] = "Failed"
                op["endTime"] = iso()
                op["http_status"] = 500
                op["error"] = {"code": "InternalServerError",
                               "message": "The import failed: %s" % e}

    @staticmethod
    def missing(op):
        # The exact code real ACR uses here is not verified.
        raise HttpError(400, "InvalidParameter", "Image '%s' not found in "
                        "source registry." % op["source"])

    def lro_status(self, claims, low, seg, hdr):
        sim = self.sim
        op_id = seg[-1]
        with sim.lock:
            op = sim.ops.get(op_id)
            op = dict(op) if op else None
        if not op or low[1] != SUBSCRIPTION.lower():
            raise HttpError(404, "ResourceNotFound", "The operation '%s' "
                            "was not found." % op_id)
        h = dict(hdr)
        if low[6] == "operationstatuses" and len(low) == 8:
            out = {"id": "/" + "/".join(seg), "name": op_id,
                   "status": op["status"], "startTime": op["startTime"]}
            if op["endTime"]:
                out["endTime"] = op["endTime"]
            if op["status"] == "InProgress":
                h["Retry-After"] = str(sim.config["lro_retry_after"])
            if op["error"]:
                out["error"] = op["error"]
            return self.send_json(200, out, h)
        if op["status"] == "InProgress":
            h["Location"] = op["location"]
            h["Retry-After"] = str(sim.config["lro_retry_after"])
            return self.send_raw(202, b"", headers=h)
        if op["status"] == "Failed":
            raise HttpError(op["http_status"] or 500, op["error"]["code"],
                            op["error"]["message"], headers=h)
        return self.send_raw(200, b"", headers=h)

    # -- Resource Graph
    def resource_graph(self, claims, q, body):
        sim = self.sim
        key = claims.get("oid") or claims.get("appid") or "?"
        now = time.time()
        quota = int(sim.config["arg_quota"])
        window = float(sim.config["arg_window_s"])
        with sim.lock:
            calls = [t for t in sim.arg_calls.get(key, []) if t > now - window]
            if len(calls) >= quota:
                reset = calls[0] + window - now
                sim.arg_calls[key] = calls
                raise HttpError(429, "RateLimiting", "Please provide below "
                                "info when asking for support: timestamp = "
                                "%s, correlationId = %s. Details: Client "
                                "application has been throttled and should "
                                "not attempt to repeat the request until an "
                                "amount of time has elapsed. Please see "
                                "https://aka.ms/resourcegraph-throttling for "
                                "help." % (iso(), self.request_id), headers={
                                    "Retry-After": str(int(math.ceil(reset))),
                                    "x-ms-user-quota-remaining": "0",
                                    "x-ms-user-quota-resets-after":
                                    hms(reset)})
            calls.append(now)
            sim.arg_calls[key] = calls
            hdr = {"x-ms-user-quota-remaining": str(quota - len(calls)),
                   "x-ms-user-quota-resets-after":
                   hms(calls[0] + window - now)}
        try:
            req = json.loads(body.decode() or "null")
        except ValueError as e:
            raise HttpError(400, "BadRequest", "The request content was "
                            "invalid and could not be deserialized: %s" % e,
                            headers=hdr)
        if not isinstance(req, dict) or not isinstance(req.get("query"),
                                                       str) or \
                not req["query"].strip():
            raise HttpError(400, "BadRequest", "Please provide a query.",
                            headers=hdr, extra={"details": [{
                                "code": "InvalidQuery",
                                "message": "Query is missing."}]})
        opts = req.get("options") or {}
        top = opts.get("$top", sim.config["arg_default_top"])
        if not isinstance(top, int) or not 1 <= top <= 1000:
            raise HttpError(400, "BadRequest", "Invalid '$top' value: it "
                            "must be between 1 and 1000.", headers=hdr,
                            extra={"details": [{"code": "InvalidParameter",
                                                "message": "$top"}]})
        subs = [s.lower() for s in (req.get("subscriptions") or [])]
        with sim.lock:
            rows = [r for r in sim.findings
                    if not subs or r["subscriptionId"].lower() in subs]
        fp = hashlib.sha256(json.dumps([req["query"], subs]).encode()
                            ).hexdigest()[:16]
        offset = int(opts.get("$skip") or 0)
        tokn = opts.get("$skipToken")
        if tokn:
            try:
                t = json.loads(R.b64url_decode(tokn))
                if t["h"] != fp:
                    raise ValueError("query changed")
                offset = int(t["o"])
            except (ValueError, KeyError, TypeError) as e:
                raise HttpError(400, "BadRequest", "Invalid $skipToken: %s"
                                % e, headers=hdr, extra={"details": [{
                                    "code": "InvalidSkipToken",
                                    "message": "The skip token is invalid"}]})
        page = rows[offset:offset + top]
        out = {"totalRecords": len(rows), "count": len(page),
               "resultTruncated": "false", "facets": []}
        if offset + top < len(rows):
            out["$skipToken"] = R.b64url(json.dumps(
                {"o": offset + top, "h": fp}))
        if opts.get("resultFormat") == "table":
            cols = list(page[0].keys()) if page else []
            out["data"] = {"columns": [{"name": c, "type": (
                "object" if isinstance(page[0][c], (dict, list)) else
                "string")} for c in cols],
                "rows": [[r.get(c) for c in cols] for r in page]}
        else:
            out["data"] = page
        self.send_json(200, out, hdr)

    # ============================================================ ACR auth
    def acr_error(self, status, code, message):
        h = {}
        if status == 401:
            h["WWW-Authenticate"] = 'Bearer realm="https://%s/oauth2/token",'\
                'service="%s"' % (self.headers.get("Host", ""),
                                  self.sim.service)
        return HttpError(status, code, message, "acr", h)

    def acr_oauth(self, method, path, q, body):
        sim = self.sim
        if path == "/oauth2/exchange" and method == "POST":
            f = parse_form(body)
            if first(f, "grant_type") != "access_token":
                raise self.acr_error(400, "BAD_REQUEST", "grant_type must be "
                                     "access_token")
            if first(f, "service") != sim.service:
                raise self.acr_error(400, "BAD_REQUEST", "unknown service "
                                     "'%s'" % first(f, "service"))
            claims = sim.keys.verify(first(f, "access_token"))
            if claims is None:
                raise self.acr_error(401, "UNAUTHORIZED", "the access token "
                                     "is invalid")
            if time.time() >= claims.get("exp", 0):
                raise self.acr_error(401, "UNAUTHORIZED", "the access token "
                                     "has expired")
            if claims.get("aud") not in ACR_AUDIENCES:
                raise self.acr_error(401, "UNAUTHORIZED", "the access token "
                                     "was issued for audience '%s'" %
                                     claims.get("aud"))
            ten = first(f, "tenant")
            if ten and ten.lower() != str(claims.get("tid")).lower():
                raise self.acr_error(401, "UNAUTHORIZED", "the access token "
                                     "is from another tenant")
            self.who = claims.get("upn") or "app:%s" % claims.get("appid")
            now = int(time.time())
            rt = sim.keys.sign({
                "jti": str(uuid.uuid4()), "sub": claims.get("upn") or
                claims.get("oid"), "oid": claims.get("oid"),
                "appid": claims.get("appid"), "nbf": now, "iat": now,
                "exp": now + int(sim.config["acr_refresh_ttl"]),
                "iss": R.TOKEN_ISSUER, "aud": sim.service, "version": "1.0",
                "grant_type": "refresh_token", "tenant": claims.get("tid"),
                "permissions": {"actions": ["read", "write", "delete"]},
                "roles": []})
            return self.send_json(200, {"refresh_token": rt})
        if path == "/oauth2/token" and method in ("POST", "GET"):
            if method == "POST":
                f = parse_form(body)
                if first(f, "grant_type") != "refresh_token":
                    raise self.acr_error(400, "BAD_REQUEST", "grant_type "
                                         "must be refresh_token")
                rt = first(f, "refresh_token")
            else:
                f = q
                auth = self.headers.get("Authorization", "")
                if not auth.lower().startswith("basic "):
                    raise self.acr_error(401, "UNAUTHORIZED", "authentication"
                                         " required")
                try:
                    user, rt = base64.b64decode(auth[6:].strip()).decode(
                    ).split(":", 1)
                except (ValueError, UnicodeDecodeError):
                    raise self.acr_error(401, "UNAUTHORIZED", "bad Basic "
                                         "credentials")
                if user != ACR_NULL_USER:
                    raise self.acr_error(401, "UNAUTHORIZED", "unknown user "
                                         "'%s'" % user)
            if first(f, "service") != sim.service:
                raise self.acr_error(400, "BAD_REQUEST", "unknown service "
                                     "'%s'" % first(f, "service"))
            claims = sim.keys.verify(rt)
            if claims is None or claims.get("grant_type") != "refresh_token" \
                    or claims.get("aud") != sim.service:
                raise self.acr_error(401, "UNAUTHORIZED", "the refresh token "
                                     "is invalid")
            if time.time() >= claims.get("exp", 0):
                raise self.acr_error(401, "UNAUTHORIZED", "the refresh token "
                                     "has expired")
            self.who = claims.get("sub")
            roles = sim.config.get("acr_roles") or {}
            allowed = None
            for k in (claims.get("oid"), claims.get("appid"),
                      claims.get("sub")):
                if k and k in roles:
                    allowed = set(roles[k])
            access = []
            for s in f.get("scope", []):
                for one in s.split(" "):
                    parts = one.split(":")
                    if len(parts) < 3:
                        continue
                    acts = [a for a in parts[-1].split(",") if a and (
                        allowed is None or a in allowed or "*" in allowed)]
                    access.append({"type": parts[0],
                                   "name": ":".join(parts[1:-1]),
                                   "actions": acts})
            now = int(time.time())
            header = {"typ": "JWT", "alg": "RS256", "x5c": [
                R.cert_der_b64(os.path.join(sim.reg_dir, "token.crt"))]} \
                if sim.reg_dir else None
            claims_out = {"jti": str(uuid.uuid4()), "sub": claims.get("sub"),
                          "nbf": now - 5, "exp": now + int(
                              sim.config["acr_access_ttl"]),
                          "iat": now, "iss": R.TOKEN_ISSUER,
                          "aud": sim.service, "version": "1.0",
                          "rid": R.b64url(os.urandom(8)),
                          "access": access, "roles": [],
                          "grant_type": "refresh_token",
                          "tenant": claims.get("tenant")}
            if header:
                tok = R.jwt_encode(header, claims_out,
                                   os.path.join(sim.reg_dir, "token.key"))
            else:
                tok = sim.keys.sign(claims_out)
            return self.send_json(200, {"access_token": tok})
        raise self.acr_error(404, "NOT_FOUND", "no such endpoint")

    # ============================================================ control
    def control(self, method, path, q, body):
        sim = self.sim
        try:
            data = json.loads(body.decode() or "null")
        except ValueError as e:
            raise HttpError(400, "BadRequest", "bad JSON: %s" % e)
        p = path[len("/_sim/"):].rstrip("/")
        if p == "info" and method == "GET":
            return self.send_json(200, {
                "pid": os.getpid(), "tenant": sim.tenant,
                "subscription": SUBSCRIPTION, "resourceGroup":
                RESOURCE_GROUP, "registry": sim.acr_name,
                "loginServer": sim.service, "registryId": self.acr_id(),
                "registryDir": sim.reg_dir})
        if p == "faults":
            with sim.lock:
                if method == "POST":
                    rules = data if isinstance(data, list) else [data]
                    if not all(isinstance(r, dict) for r in rules):
                        raise HttpError(400, "BadRequest", "expected fault "
                                        "rules")
                    for r in rules:
                        r.setdefault("times", 1)
                        sim.faults.append(r)
                elif method == "DELETE":
                    sim.faults = []
                return self.send_json(200, list(sim.faults))
        if p == "requests":
            with sim.lock:
                if method == "DELETE":
                    sim.requests.clear()
                return self.send_json(200, list(sim.requests))
        if p == "config":
            with sim.lock:
                if method == "POST":
                    if not isinstance(data, dict):
                        raise HttpError(400, "BadRequest", "expected an "
                                        "object")
                    for k, v in data.items():
                        if k not in DEFAULT_CONFIG:
                            raise HttpError(400, "BadRequest", "unknown "
                                            "setting %r" % k)
                        sim.config[k] = v
                return self.send_json(200, sim.config)
        if p == "devicecode" and method == "GET":
            with sim.lock:
                return self.send_json(200, [{k: v for k, v in r.items()
                                             if k != "device_code"}
                                            for r in sim.devicecodes.values()])
        m = re.match(r"^devicecode/(approve|decline|expire)$", p)
        if m and method == "POST":
            data = data or {}
            with sim.lock:
                pend = [r for r in sim.devicecodes.values()
                        if r["state"] == "pending" and (
                            not data.get("user_code") or
                            r["user_code"] == data["user_code"])]
                if not pend:
                    raise HttpError(404, "NotFound", "no pending device code")
                rec = max(pend, key=lambda r: r["created"])
                rec["state"] = {"approve": "approved", "decline": "declined",
                                "expire": "expired"}[m.group(1)]
                if m.group(1) == "approve":
                    rec["user"] = {k: data.get(k) or DEFAULT_USER[k]
                                   for k in ("upn", "oid", "name")}
                    if data.get("tid"):
                        rec["user"]["tid"] = data["tid"]
                return self.send_json(200, {"user_code": rec["user_code"],
                                            "state": rec["state"]})
        if p == "deployments":
            return self.ctl_deployments(method, q, data)
        if p in ("identities", "clients", "deny", "findings", "subscriptions"):
            return self.ctl_list(p, method, q, data)
        if p == "token" and method == "POST":
            data = data or {}
            tok, c = sim.entra_token(
                data.get("aud", "https://management.azure.com/"),
                data.get("oid", DEFAULT_USER["oid"]), data.get("tid"),
                upn=data.get("upn", DEFAULT_USER["upn"]) if not
                data.get("appid") else None, appid=data.get("appid"),
                ttl=data.get("ttl"), nbf=data.get("nbf"))
            return self.send_json(200, {"access_token": tok, "claims": c})
        if p == "imports" and method == "GET":
            with sim.lock:
                return self.send_json(200, [dict(o) for o in
                                            sim.ops.values()])
        raise HttpError(404, "NotFound", "no such control endpoint")

    def ctl_deployments(self, method, q, data):
        sim = self.sim
        if method == "POST":
            items = data if isinstance(data, list) else [data]
            for d in items:
                if not isinstance(d, dict) or not d.get("name"):
                    raise HttpError(400, "BadRequest", "a deployment needs "
                                    "a name")
                sub = d.get("subscription", SUBSCRIPTION)
                rg = d.get("resourceGroup", RESOURCE_GROUP)
                outs = {}
                for k, v in (d.get("outputs") or {}).items():
                    if isinstance(v, dict) and "value" in v:
                        outs[k] = v
                    else:
                        outs[k] = {"type": "Object" if isinstance(
                            v, dict) else "Array" if isinstance(v, list)
                            else "Bool" if isinstance(v, bool) else "Int"
                            if isinstance(v, int) else "String", "value": v}
                rid = ("/subscriptions/%s/resourceGroups/%s/providers/"
                       "Microsoft.Resources/deployments/%s" % (sub, rg,
                                                               d["name"]))
                obj = {"id": rid, "name": d["name"],
                       "type": "Microsoft.Resources/deployments",
                       "properties": {
                           "templateHash": str(random.randint(1 << 40,
                                                              1 << 60)),
                           "parameters": {}, "mode": "Incremental",
                           "provisioningState": d.get("provisioningState",
                                                      "Succeeded"),
                           "timestamp": iso(), "duration": "PT4M12.3S",
                           "correlationId": str(uuid.uuid4()),
                           "providers": [], "dependencies": [],
                           "outputs": outs,
                           "outputResources": [{"id": x} for x in
                                               d.get("outputResources",
                                                     [])]}}
                if d.get("error"):
                    obj["properties"]["error"] = d["error"]
                with sim.lock:
                    sim.subscriptions.setdefault(sub.lower(), {
                        "subscriptionId": sub, "displayName": sub,
                        "tenantId": sim.tenant})
                    sim.resource_groups.add((sub.lower(), rg.lower()))
                    sim.deployments[(sub.lower(), rg.lower(),
                                     d["name"].lower())] = obj
        elif method == "DELETE":
            name = first(q, "name").lower()
            with sim.lock:
                for k in list(sim.deployments):
                    if not name or k[2] == name:
                        del sim.deployments[k]
        with sim.lock:
            return self.send_json(200, list(sim.deployments.values()))

    def ctl_list(self, what, method, q, data):
        sim = self.sim
        with sim.lock:
            if method == "POST":
                items = data if isinstance(data, list) else [data]
                if not all(isinstance(x, dict) for x in items):
                    raise HttpError(400, "BadRequest", "expected objects")
                for x in items:
                    if what == "identities":
                        x.setdefault("client_id", str(uuid.uuid4()))
                        x.setdefault("object_id", str(uuid.uuid4()))
                        sim.identities.append(x)
                    elif what == "clients":
                        if not x.get("client_id") or not x.get(
                                "client_secret"):
                            raise HttpError(400, "BadRequest", "client_id "
                                            "and client_secret required")
                        x.setdefault("object_id", str(uuid.uuid4()))
                        sim.clients[x["client_id"]] = x
                    elif what == "deny":
                        sim.deny.append(x)
                    elif what == "subscriptions":
                        sid = x.get("subscriptionId") or str(uuid.uuid4())
                        sim.subscriptions[sid.lower()] = {
                            "subscriptionId": sid, "displayName":
                            x.get("displayName", sid), "tenantId":
                            x.get("tenantId", sim.tenant)}
                        for rg in x.get("resourceGroups", []):
                            sim.resource_groups.add((sid.lower(),
                                                     rg.lower()))
                    else:
                        sim.findings.extend(self.make_findings(x))
            elif method == "DELETE":
                if what == "identities":
                    sim.identities = []
                elif what == "clients":
                    sim.clients = {}
                elif what == "deny":
                    sim.deny = []
                elif what == "findings":
                    repo = first(q, "repository")
                    sim.findings = [r for r in sim.findings if repo and
                                    self.row_repo(r) != repo]
            if what == "identities":
                out = sim.identities
            elif what == "clients":
                out = [{k: v for k, v in c.items() if k != "client_secret"}
                       for c in sim.clients.values()]
            elif what == "deny":
                out = sim.deny
            elif what == "subscriptions":
                out = list(sim.subscriptions.values())
            else:
                out = {"total": len(sim.findings)} if method != "GET" \
                    else sim.findings
            return self.send_json(200, out)

    @staticmethod
    def row_repo(r):
        a = r["properties"]["additionalData"]
        return a.get("repositoryName") or a.get("artifactDetails", {}).get(
            "repositoryName")

    def make_findings(self, x):
        """Defender sub-assessment rows as Resource Graph returns them."""
        sim = self.sim
        repo = x.get("repository")
        digest = x.get("digest")
        if not repo or not digest:
            raise HttpError(400, "BadRequest", "repository and digest are "
                            "required")
        gen = x.get("generation", "mdvm")
        if gen not in ("mdvm", "qualys"):
            raise HttpError(400, "BadRequest", "generation is mdvm or qualys")
        sub = x.get("subscription", SUBSCRIPTION)
        rg = x.get("resourceGroup", RESOURCE_GROUP)
        reg = x.get("registry", sim.acr_name)
        reg_id = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft."
                  "ContainerRegistry/registries/%s" % (sub, rg, reg))
        host = "%s.azurecr.io" % reg
        items = list(x.get("findings") or [])
        g = x.get("generate")
        if isinstance(g, dict):
            for i in range(int(g.get("count", 0))):
                items.append({"severity": g.get("severity", "Low"),
                              "id": "CVE-2021-%05d" % (10000 + i),
                              "package": "pkg%d" % (i % 50)})
        rows = []
        when = iso()
        for f in items:
            sev_in = f.get("severity", "Medium")
            sev = "High" if sev_in in ("Critical", "High") else sev_in
            key = MDVM_KEY if gen == "mdvm" else QUALYS_KEY
            cve = f.get("id") or "CVE-2021-0001"
            sub_key = str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(
                [gen, reg_id, repo, digest, cve])))
            title = f.get("title") or "%s in %s" % (cve, f.get("package",
                                                               "a package"))
            status = {"code": f.get("status", "Unhealthy"), "severity": sev}
            if status["code"] == "NotApplicable":
                status.update({"cause": "Exempt", "description":
                               "Disabled parent assessment"})
            props = {"id": cve if gen == "mdvm" else
                     str(f.get("qid", 100000 + len(rows))),
                     "displayName": title,
                     "description": f.get("description", title),
                     "remediation": f.get("remediation", "Upgrade %s to %s" %
                                          (f.get("package", "the package"),
                                           f.get("fixedVersion", "a fixed "
                                                 "version"))),
                     "impact": f.get("impact", ""),
                     "category": "Vulnerability" if gen == "mdvm" else
                     "Security Policy",
                     "timeGenerated": when, "status": status}
            score = float(f.get("cvss", {"Critical": 9.8, "High": 7.5,
                                         "Medium": 5.3, "Low": 3.1}.get(
                sev_in, 5.0)))
            if gen == "mdvm":
                props["resourceDetails"] = {
                    "source": "Azure", "id": "%s/repositories/%s/images/%s"
                    % (reg_id, repo, digest), "ResourceProvider": "acr",
                    "ResourceType": "repositories", "ResourceName": repo}
                fixed = f.get("fixedVersion")
                props["additionalData"] = {
                    "assessedResourceType":
                        "AzureContainerRegistryVulnerability",
                    "cvssV30Score": score,
                    "vulnerabilityDetails": {
                        "cveId": cve, "severity": sev_in,
                        "cvss": {"2.0": None, "3.0": {
                            "cvssVectorString": "CVSS:3.0/AV:N/AC:L/PR:N/"
                            "UI:N/S:U/C:H/I:H/A:H", "base": score}},
                        "references": [{"title": cve, "link":
                                        "https://nvd.nist.gov/vuln/detail/"
                                        + cve}],
                        "weaknesses": {"cwe": [{"id": "CWE-787"}]},
                        "exploitabilityAssessment": {
                            "exploitStepsPublished": False,
                            "exploitStepsVerified": False,
                            "isInExploitKit": False, "exploitUris": [],
                            "types": []},
                        "publishedDate": "2021-03-15T00:00:00.0000000Z",
                        "lastModifiedDate": "2021-04-01T00:00:00.0000000Z",
                        "workarounds": [],
                        "cpe": {"uri": "cpe:2.3:a:*:%s:*" % f.get(
                            "package", "pkg")}},
                    "artifactDetails": {
                        "repositoryName": repo, "registryHost": host,
                        "digest": digest, "tags": list(x.get("tags", [])),
                        "artifactType": "ContainerImage",
                        "mediaType": x.get("mediaType", I.DOCKER_MANIFEST),
                        "lastPushedToRegistryUTC": when},
                    "softwareDetails": {
                        "packageName": f.get("package", "pkg"),
                        "version": f.get("version", "1.0"),
                        "fixedVersion": fixed or "",
                        "vendor": "debian", "category": "OS",
                        "language": "", "osDetails": {
                            "osPlatform": "linux", "osVersion": "debian_10"},
                        "fixStatus": "FixAvailable" if fixed else
                        "NoFixAvailable",
                        "fixReference": {}, "evidence": {}}}
            else:
                props["resourceDetails"] = {"source": "Azure", "id": reg_id}
                props["additionalData"] = {
                    "assessedResourceType": "ContainerRegistryVulnerability",
                    "type": "Vulnerability",
                    "cvss": {"2.0": None, "3.0": {"base": score}},
                    "patchable": bool(f.get("fixedVersion")),
                    "cve": [{"title": cve, "link":
                             "https://nvd.nist.gov/vuln/detail/" + cve}],
                    "publishedTime": "2021-03-15T00:00:00.0000000Z",
                    "vendorReferences": [],
                    "repositoryName": repo, "imageDigest": digest,
                    "registryHost": host}
            rows.append({
                "id": "%s/providers/Microsoft.Security/assessments/%s/"
                      "subAssessments/%s" % (reg_id, key, sub_key),
                "name": sub_key,
                "type": "microsoft.security/assessments/subassessments",
                "tenantId": sim.tenant, "kind": "", "location": "",
                "resourceGroup": rg.lower(), "subscriptionId": sub,
                "managedBy": "", "sku": None, "plan": None,
                "properties": props, "tags": None, "identity": None,
                "zones": None, "extendedLocation": None})
        return rows


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, sim, ctx=None, imds_only=False):
        self.sim = sim
        self.ctx = ctx
        self.imds_only = imds_only
        http.server.ThreadingHTTPServer.__init__(self, addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx is None:
            return sock, addr
        return self.ctx.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if isinstance(e, (ssl.SSLError, OSError, ConnectionError)):
            return
        http.server.ThreadingHTTPServer.handle_error(self, request,
                                                     client_address)


# ---------------------------------------------------------------- serve

def listen(port, sim, ctx, imds_only=False):
    deadline = time.time() + 10
    while True:
        try:
            return Server(("127.0.0.1", port), sim, ctx, imds_only)
        except OSError as e:
            if port == 0 or time.time() > deadline:
                raise R.SimError("cannot listen on 127.0.0.1:%d: %s" % (
                    port, e))
            time.sleep(0.2)


def cmd_serve(a):
    d = os.path.abspath(a.dir)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(d, "server.crt"),
                        os.path.join(d, "server.key"))
    ctx.set_alpn_protocols(["http/1.1"])
    sim = Sim(a)
    main = listen(a.port, sim, ctx)
    imds = listen(a.imds_port, sim, None, imds_only=True)
    R.write_atomic(os.path.join(d, "pid"), "%d\n" % os.getpid())
    R.write_atomic(os.path.join(d, "imds_port"),
                   "%d\n" % imds.server_address[1])
    R.write_atomic(os.path.join(d, "port"), "%d\n" % main.server_address[1])
    sys.stderr.write("azuresim: https://127.0.0.1:%d, IMDS http://127.0.0.1:"
                     "%d (pid %d)\n" % (main.server_address[1],
                                        imds.server_address[1], os.getpid()))
    sys.stderr.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    for srv in (main, imds):
        threading.Thread(target=srv.serve_forever, kwargs={
            "poll_interval": 0.2}, daemon=True).start()
    while not stop.wait(1.0):
        pass
    for srv in (main, imds):
        srv.shutdown()
        srv.server_close()
    sys.stderr.write("azuresim: stopped\n")
    return 0


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
