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
import az_import
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
    m = re.match(r"^devicecode/(approve|decline|expire|forget)$", p)
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
            if m.group(1) == "forget":
                # The service no longer knows the code (as after a restart
                # of this simulator): polls get bad_verification_code.
                for k in [k for k, v in sim.devicecodes.items()
                          if v is rec]:
                    del sim.devicecodes[k]
                return h.send_json(200, {"user_code": rec["user_code"],
                                         "state": "forgotten"})
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
    if p in ("identities", "clients", "deny", "subscriptions"):
        return ctl_list(h, p, method, q, data)
    if p in ("findings", "scans"):
        return ctl_scans(h, p, method, q, data)
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
    if p == "imports/release" and method == "POST":
        return h.send_json(200, {"released": az_import.release(sim)})
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
        elif method == "DELETE":
            if what == "identities":
                sim.identities = []
            elif what == "clients":
                sim.clients = {}
            elif what == "deny":
                sim.deny = []
        if what == "identities":
            out = sim.identities
        elif what == "clients":
            out = [{k: v for k, v in c.items() if k != "client_secret"}
                   for c in sim.clients.values()]
        elif what == "deny":
            out = sim.deny
        else:
            out = list(sim.subscriptions.values())
        return h.send_json(200, out)


def ctl_scans(h, what, method, q, data):
    """/_sim/findings adds rows to a digest's scan; /_sim/scans sets its
    state (az_defender.py). GET findings: the rows Resource Graph shows
    now; GET scans: one summary per digest. DELETE ?repository= and/or
    ?digest=, or everything."""
    sim = h.sim
    if method == "POST":
        items = data if isinstance(data, list) else [data]
        if what == "findings":
            n = sum(az_defender.add_findings(sim, x) for x in items)
            with sim.lock:
                total = sum(len(s.rows) for s in sim.scans.values())
            return h.send_json(200, {"added": n, "total": total})
        return h.send_json(200, [az_defender.set_scan(sim, x)
                                 for x in items])
    if method == "DELETE":
        az_defender.delete_scans(sim, first(q, "repository"),
                                 first(q, "digest"))
    elif method != "GET":
        raise HttpError(405, "BadRequest", "GET, POST or DELETE")
    if what == "findings":
        return h.send_json(200, az_defender.visible_rows(sim))
    with sim.lock:
        return h.send_json(200, [s.summary() for s in sim.scans.values()])
