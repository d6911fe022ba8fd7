# az_acr.py - ACR's token service: /oauth2/exchange (Entra token to ACR
# refresh token) and /oauth2/token (refresh token to an access token the
# local docker-registry accepts). Not the registry API itself (that is
# Debian's docker-registry, started by registry.py).
"""ACR token exchange for the Azure simulator."""

import base64
import os
import time
import uuid

import registry as R
from az_core import ACR_AUDIENCES, ACR_NULL_USER, HttpError, first, parse_form


def acr_error(h, status, code, message):
    hdr = {}
    if status == 401:
        hdr["WWW-Authenticate"] = 'Bearer realm="https://%s/oauth2/token",'\
            'service="%s"' % (h.headers.get("Host", ""),
                              h.sim.service)
    return HttpError(status, code, message, "acr", hdr)


def acr_oauth(h, method, path, q, body):
    sim = h.sim
    if path == "/oauth2/exchange" and method == "POST":
        f = parse_form(body)
        if first(f, "grant_type") != "access_token":
            raise acr_error(h, 400, "BAD_REQUEST", "grant_type must be "
                            "access_token")
        if first(f, "service") != sim.service:
            raise acr_error(h, 400, "BAD_REQUEST", "unknown service "
                            "'%s'" % first(f, "service"))
        claims = sim.keys.verify(first(f, "access_token"))
        if claims is None:
            raise acr_error(h, 401, "UNAUTHORIZED", "the access token "
                            "is invalid")
        if time.time() >= claims.get("exp", 0):
            raise acr_error(h, 401, "UNAUTHORIZED", "the access token "
                            "has expired")
        if claims.get("aud") not in ACR_AUDIENCES:
            raise acr_error(h, 401, "UNAUTHORIZED", "the access token "
                            "was issued for audience '%s'" %
                            claims.get("aud"))
        ten = first(f, "tenant")
        if ten and ten.lower() != str(claims.get("tid")).lower():
            raise acr_error(h, 401, "UNAUTHORIZED", "the access token "
                            "is from another tenant")
        h.who = claims.get("upn") or "app:%s" % claims.get("appid")
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
        return h.send_json(200, {"refresh_token": rt})
    if path == "/oauth2/token" and method in ("POST", "GET"):
        if method == "POST":
            f = parse_form(body)
            if first(f, "grant_type") != "refresh_token":
                raise acr_error(h, 400, "BAD_REQUEST", "grant_type "
                                "must be refresh_token")
            rt = first(f, "refresh_token")
        else:
            f = q
            auth = h.headers.get("Authorization", "")
            if not auth.lower().startswith("basic "):
                raise acr_error(h, 401, "UNAUTHORIZED", "authentication"
                                " required")
            try:
                user, rt = base64.b64decode(auth[6:].strip()).decode(
                ).split(":", 1)
            except (ValueError, UnicodeDecodeError):
                raise acr_error(h, 401, "UNAUTHORIZED", "bad Basic "
                                "credentials")
            if user != ACR_NULL_USER:
                raise acr_error(h, 401, "UNAUTHORIZED", "unknown user "
                                "'%s'" % user)
        if first(f, "service") != sim.service:
            raise acr_error(h, 400, "BAD_REQUEST", "unknown service "
                            "'%s'" % first(f, "service"))
        claims = sim.keys.verify(rt)
        if claims is None or claims.get("grant_type") != "refresh_token" \
                or claims.get("aud") != sim.service:
            raise acr_error(h, 401, "UNAUTHORIZED", "the refresh token "
                            "is invalid")
        if time.time() >= claims.get("exp", 0):
            raise acr_error(h, 401, "UNAUTHORIZED", "the refresh token "
                            "has expired")
        h.who = claims.get("sub")
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
        return h.send_json(200, {"access_token": tok})
    raise acr_error(h, 404, "NOT_FOUND", "no such endpoint")
