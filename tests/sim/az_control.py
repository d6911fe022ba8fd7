# az_control.py - the simulator's control API under /_sim/ (tests only):
# settings, device-code approval, seeded deployments, identities, clients,
# RBAC denials, subscriptions, Defender findings, minted tokens and the
# importImage log. Fault rules and the request log come from simhttp.
"""Control API of the Azure simulator."""

import os
import random
import re
import uuid

import az_arm
import az_defender
from az_core import (DEFAULT_CONFIG, DEFAULT_USER, HttpError, RESOURCE_GROUP,
                     SUBSCRIPTION, first, iso)


def control(h, method, path, q, data):
    """Everything under /_sim/ except faults and requests (simhttp)."""
    sim = h.sim
    p = path[len("/_sim/"):].rstrip("/")
    if p == "info" and method == "GET":
        return h.send_json(200, {
            "pid": os.getpid(), "tenant": sim.tenant,
            "subscription": SUBSCRIPTION, "resourceGroup":
            RESOURCE_GROUP, "registry": sim.acr_name,
            "loginServer": sim.service, "registryId": az_arm.acr_id(h),
            "registryDir": sim.reg_dir})
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
            return h.send_json(200, sim.config)
    if p == "devicecode" and method == "GET":
        with sim.lock:
            return h.send_json(200, [{k: v for k, v in r.items()
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
            return h.send_json(200, {"user_code": rec["user_code"],
                                     "state": rec["state"]})
    if p == "deployments":
        return ctl_deployments(h, method, q, data)
    if p in ("identities", "clients", "deny", "findings", "subscriptions"):
        return ctl_list(h, p, method, q, data)
    if p == "token" and method == "POST":
        data = data or {}
        tok, c = sim.entra_token(
            data.get("aud", "https://management.azure.com/"),
            data.get("oid", DEFAULT_USER["oid"]), data.get("tid"),
            upn=data.get("upn", DEFAULT_USER["upn"]) if not
            data.get("appid") else None, appid=data.get("appid"),
            ttl=data.get("ttl"), nbf=data.get("nbf"))
        return h.send_json(200, {"access_token": tok, "claims": c})
    if p == "imports" and method == "GET":
        with sim.lock:
            return h.send_json(200, [dict(o) for o in
                                     sim.ops.values()])
    raise HttpError(404, "NotFound", "no such control endpoint")


def ctl_deployments(h, method, q, data):
    sim = h.sim
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
        return h.send_json(200, list(sim.deployments.values()))


def ctl_list(h, what, method, q, data):
    sim = h.sim
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
                    sim.findings.extend(az_defender.make_findings(h, x))
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
                                row_repo(r) != repo]
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
        return h.send_json(200, out)


def row_repo(r):
    a = r["properties"]["additionalData"]
    return a.get("repositoryName") or a.get("artifactDetails", {}).get(
        "repositoryName")
