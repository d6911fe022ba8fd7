# az_entra.py - the simulated Entra ID (login.microsoftonline.com): the v2.0
# and v1 token endpoints (client credentials, device code, refresh token),
# the device authorization endpoint, OpenID configuration and JWKS. Not
# interactive sign-in: a device code is approved through the control API.
"""Entra ID for the Azure simulator."""

import os
import random
import string
import time

import registry as R
from az_core import (DEVICE_GRANT, HttpError, aud_from_scope, first,
                     guid_like, parse_form)


def entra(h, method, path, q, body):
    parts = path.strip("/").split("/")
    tenant = parts[0]
    tid = tenant if guid_like(tenant) else h.sim.tenant
    rest = "/".join(parts[1:])
    base = "https://%s" % h.headers.get("Host", "127.0.0.1")
    if rest in ("v2.0/.well-known/openid-configuration",
                ".well-known/openid-configuration") and method == "GET":
        return h.send_json(200, {
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
        return h.send_json(200, h.sim.keys.jwks())
    if method != "POST":
        raise HttpError(405, "invalid_request", "method not allowed",
                        "entra", extra={"error_codes": [900561]})
    form = parse_form(body)
    if rest == "oauth2/v2.0/devicecode":
        return devicecode(h, tid, form)
    if rest in ("oauth2/v2.0/token", "oauth2/token"):
        return token(h, tid, form, v1=(rest == "oauth2/token"))
    raise HttpError(404, "invalid_request", "unknown endpoint", "entra",
                    extra={"error_codes": [90002]})


def devicecode(h, tid, form):
    client_id = first(form, "client_id")
    if not client_id:
        raise HttpError(400, "invalid_request", "AADSTS900144: The "
                        "request body must contain the following "
                        "parameter: 'client_id'.", "entra",
                        extra={"error_codes": [900144]})
    cfg = h.sim.config
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
    with h.sim.lock:
        h.sim.devicecodes[device_code] = rec
    answer = {
        "user_code": user_code, "device_code": device_code,
        "verification_uri": uri,
        "expires_in": int(cfg["device_expires_in"]),
        "interval": cfg["device_interval"]}
    # "message" is optional (RFC 8628 has none): a client must say it
    # itself when it is missing.
    if cfg["device_message"]:
        answer["message"] = ("To sign in, use a web browser to open the "
                             "page %s and enter the code %s to "
                             "authenticate." % (uri, user_code))
    h.send_json(200, answer)


def token(h, tid, form, v1=False):
    grant = first(form, "grant_type")
    scope = first(form, "scope")
    aud = first(form, "resource") if v1 else aud_from_scope(scope)
    sim = h.sim
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
        h.who = "app:" + cid
        out = {"token_type": "Bearer", "expires_in": ttl,
               "ext_expires_in": ttl, "access_token": tok}
        if v1:
            out.update({"expires_on": str(int(time.time()) + ttl),
                        "resource": aud})
        return h.send_json(200, out)
    if grant == DEVICE_GRANT:
        dc = first(form, "device_code")
        with sim.lock:
            rec = sim.devicecodes.get(dc)
            if rec:
                rec["polls"] += 1
        if not rec or rec["client_id"] != first(form, "client_id"):
            # An unknown or wrong device_code: "bad_verification_code" in
            # the Microsoft identity platform's device-code error table
            # (learn.microsoft.com entra/identity-platform/
            # v2-oauth2-device-code). The AADSTS number is not verified.
            raise HttpError(400, "bad_verification_code", "The provided "
                            "value for the input parameter 'device_code' "
                            "is not valid.", "entra",
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
        return user_tokens(h, rec["user"], rec["client_id"], tid,
                           rec["scope"] or scope)
    if grant == "refresh_token":
        rt = first(form, "refresh_token")
        with sim.lock:
            ent = sim.refresh_tokens.pop(rt, None)
        if not ent or ent["client_id"] != first(form, "client_id"):
            raise HttpError(400, "invalid_grant", "The refresh token "
                            "is invalid or has expired.", "entra",
                            extra={"error_codes": [700082]})
        return user_tokens(h, ent["user"], ent["client_id"], tid,
                           scope or ent["scope"], refreshing=True)
    raise HttpError(400, "unsupported_grant_type", "The provided value "
                    "for the input parameter 'grant_type' is not valid.",
                    "entra", extra={"error_codes": [70003]})


def user_tokens(h, user, client_id, tid, scope, refreshing=False):
    """Tokens for a signed-in user. A refresh token only when the scope
    asks for offline_access and an id token only when it asks for openid
    (Microsoft identity platform: v2-oauth2-device-code and
    scopes-oidc "OpenID Connect scopes"); a refresh grant rotates the
    refresh token it used."""
    sim = h.sim
    ttl = int(sim.config["token_ttl"])
    asked = scope.split()
    aud = aud_from_scope(scope) or "https://management.azure.com"
    tok, _ = sim.entra_token(aud, user["oid"], user.get("tid") or tid,
                             upn=user["upn"], name=user.get("name"),
                             appid=client_id, ttl=ttl)
    out = {"token_type": "Bearer", "scope": scope, "expires_in": ttl,
           "ext_expires_in": ttl, "access_token": tok}
    if "openid" in asked:
        now = int(time.time())
        out["id_token"] = sim.keys.sign({
            "aud": client_id, "iss": "https://login.microsoftonline.com/"
            "%s/v2.0" % tid, "iat": now, "nbf": now, "exp": now + ttl,
            "oid": user["oid"], "sub": user["oid"], "tid": tid,
            "name": user.get("name"), "preferred_username": user["upn"],
            "ver": "2.0"})
    if "offline_access" in asked or refreshing:
        rt = R.b64url(os.urandom(64))
        with sim.lock:
            sim.refresh_tokens[rt] = {"user": user, "client_id": client_id,
                                      "scope": scope}
        out["refresh_token"] = rt
    h.who = "user:" + user["upn"]
    h.send_json(200, out)
