# az_core.py - what every part of the Azure simulator shares: the default
# world's names, error answers in each Azure family's shape, the token
# signing keys, the simulator's state and small helpers. No HTTP routing
# here (azuresim.py) and no service logic (the az_*.py modules).
"""Shared state and helpers of the Azure simulator (see azuresim.py)."""

import base64
import collections
import datetime
import hashlib
import json
import math
import os
import re
import threading
import time
import urllib.parse
import uuid

import registry as R
import simhttp

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
ARM_AUDIENCES = ("https://management.azure.com",
                 "https://management.azure.com/",
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
    "device_message": True,       # devicecode carries "message"
    "imds_no_identity_status": 400,
    "import_delay_s": 0.0,        # every importImage waits this long
    "import_async_header": False,  # also send Azure-AsyncOperation
    "import_sync_same_registry": True,  # 200 at once within the registry
    "lro_retry_after": 1,         # Retry-After on 202s (s)
    "arg_quota": 15,              # Resource Graph queries per window
    "arg_window_s": 5,
    "arg_default_top": 100,
    "arm_read_burst": 250, "arm_read_refill": 25,
    "arm_write_burst": 200, "arm_write_refill": 10,
    "acr_refresh_ttl": 10800,     # ACR refresh token (s)
    "acr_access_ttl": 4500,       # ACR access token (s)
    "acr_roles": {},              # oid/appid -> allowed actions
    # The AKS cluster the deployment's aksClusterName names: private, with
    # no public FQDN, as the reference implementation deploys it.
    "aks_private": True,          # apiServerAccessProfile.enablePrivateCluster
    "aks_public_fqdn": False,     # ...enablePrivateClusterPublicFQDN
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

class HttpError(simhttp.HttpError):
    """An error answer; `family` (arm, entra, imds, acr) picks the body
    shape."""

    def __init__(self, status, code, message, family="arm", headers=None,
                 extra=None):
        simhttp.HttpError.__init__(self, status, headers=headers)
        self.args = (message,)
        self.code = code
        self.message = message
        self.family = family
        self.extra = extra or {}

    def payload(self):
        return ("application/json; charset=utf-8",
                json.dumps(self.error_body()).encode() + b"\n")

    def error_body(self):
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
        self.scans = collections.OrderedDict()  # az_defender.Scan
        self.deny = []
        self.ops = collections.OrderedDict()
        self.faults = simhttp.Faults()
        self.requests = simhttp.RequestLog(500)
        self.arg_calls = {}
        self.buckets = {}

    # -- faults: paths compare case-insensitively, as ARM's do; lro_*
    # rules are only for the next accepted importImage (az_import.py)
    def take_fault(self, method, path, query, lro=False):
        return self.faults.take(
            method, path, query, ci=True,
            kind=lambda r: r.get("action", "status").startswith("lro_") ==
            lro)

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
