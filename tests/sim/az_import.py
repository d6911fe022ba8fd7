# az_import.py - importImage as a long-running operation that really copies
# images between the local docker-registry instances, and its status URLs
# (Location and Azure-AsyncOperation). Not ACR's other operations.
"""importImage for the Azure simulator.

Sources followed: azure-rest-api-specs containerregistry 2023-07-01
(Registries_ImportImage: 200 or 202 with Location, final-state-via
location; ImportImageParameters); learn.microsoft.com "Track asynchronous
Azure operations" (Location answers 202 until done, then 200, or the
failure's status with an ARM error body; Azure-AsyncOperation answers a
status document). What ACR itself says, from reported output:
- NoForce onto an existing tag is accepted and the operation then fails
  with "Operation registries-<id> failed. Resource <registry id> <tag>
  Tag <tag> already exists in target registry." (Azure/azure-cli#10938);
  the error code and HTTP status of that failure are not verified (409
  Conflict here).
- A source that is not there fails the operation with the source
  registry's own answer embedded: "Invalid message NotFound Not Found
  {"errors":[{"code":"MANIFEST_UNKNOWN",...}]}" (MicrosoftDocs/azure-docs
  #90060); code and status not verified (400 BadRequest here).
- The operation id is "registries-" and the caller's
  x-ms-client-request-id (Azure/azure-cli#23142).
"""

import collections
import json
import os
import re
import threading
import time
import uuid

import az_arm
import images as I
import registry as R
from az_core import (HttpError, LOCATION, SUBSCRIPTION, UPSTREAM_HOSTS, first,
                     iso, split_image)

HOLD_MAX_S = 120  # a held operation goes on by itself after this long
REASONS = {401: ("Unauthorized", "Unauthorized"),
           403: ("Forbidden", "Forbidden"), 404: ("NotFound", "Not Found")}


def import_image(h, claims, q, body, hdr):
    sim = h.sim
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
                            " has only '%s'." % (rid, az_arm.acr_id(h)))
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
    lro = sim.take_fault("POST", h.path.split("?")[0], "", lro=True)
    crid = h.headers.get("x-ms-client-request-id", "")
    op_id = "registries-" + (crid.lower() if re.match(
        r"^[0-9a-fA-F-]{36}$", crid) else str(uuid.uuid1()))
    with sim.lock:
        if op_id in sim.ops:
            op_id = "registries-" + str(uuid.uuid1())
    api = first(q, "api-version")
    base = "https://%s" % h.headers.get("Host", "127.0.0.1")
    loc_path = ("/subscriptions/%s/providers/Microsoft.ContainerRegistry/"
                "locations/%s/operationResults/operationStatuses/%s" % (
                    SUBSCRIPTION, LOCATION, op_id))
    async_path = ("/subscriptions/%s/providers/Microsoft."
                  "ContainerRegistry/locations/%s/operationStatuses/%s" %
                  (SUBSCRIPTION, LOCATION, op_id))
    delay = float(sim.config["import_delay_s"])
    fail = None
    if lro:
        delay = float(lro.get("delay_s", delay))
        if lro.get("action") == "lro_fail":
            fail = (int(lro.get("status", 500)),
                    lro.get("code", "InternalServerError"),
                    lro.get("message", "The import operation failed "
                            "(injected fault)."))
    op = {"id": op_id, "status": "InProgress", "startTime": iso(),
          "endTime": None, "error": None, "http_status": None,
          "executions": 0, "who": h.who, "mode": mode,
          "source": src_desc, "source_kind": source[0],
          "source_repo": source[1], "source_ref": src_ref,
          "targetTags": ["%s:%s" % t for t in targets],
          "untaggedTargetRepositories": list(untagged),
          "digest": None, "delay_s": delay, "copied_blobs": 0,
          "held": bool(lro and lro.get("action") == "lro_hold"),
          "answered": None, "registry_id": az_arm.acr_id(h),
          "location": base + loc_path + "?api-version=" + api,
          "async": base + async_path + "?api-version=" + api}
    with sim.lock:
        sim.ops[op_id] = op
        while len(sim.ops) > 500:
            sim.ops.popitem(last=False)
    # The spec allows 200 (done) as the first answer. This simulator gives
    # it to an import within the registry (ACR shares the blobs, so only
    # manifests are written) unless a delay or an operation fault asks for
    # the long-running path; setting import_sync_same_registry false turns
    # it off.
    if source[0] == "acr" and sim.config["import_sync_same_registry"] and \
            not lro and delay <= 0:
        run_import(sim, op, None)
        if op["status"] == "Succeeded":
            op["answered"] = 200
            return h.send_raw(200, b"", headers=hdr)
    else:
        threading.Thread(target=run_import, args=(sim, op, fail),
                         daemon=True).start()
    op["answered"] = 202
    hh = dict(hdr)
    hh["Location"] = op["location"]
    hh["Retry-After"] = str(sim.config["lro_retry_after"])
    if sim.config["import_async_header"]:
        hh["Azure-AsyncOperation"] = op["async"]
    h.send_raw(202, b"", headers=hh)


def release(sim):
    """Lets every held operation (fault action lro_hold) go on."""
    with sim.lock:
        held = [o for o in sim.ops.values() if o["held"]]
        for o in held:
            o["held"] = False
    return len(held)


def failed(op, status, code, detail):
    """A failure in ACR's words: "Operation <id> failed. Resource
    <registry id> <detail>" (Azure/azure-cli#10938, Azure/acr#422)."""
    return HttpError(status, code, "Operation %s failed. Resource %s %s" % (
        op["id"], op["registry_id"], detail))


def acr_client(sim, push_repos, pull_repos):
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


def upstream_client(sim):
    """The upstream registry, with anonymous bearer tokens fetched from
    the realm it announces, as ACR does for Docker Hub and ghcr.io."""
    return I.Client(R.read(os.path.join(sim.reg_dir, "upstream_url")),
                    os.path.join(sim.reg_dir, "ca.crt"), "anonymous")


def run_import(sim, op, fail):
    """Runs once per accepted POST (on its own thread unless answered at
    once)."""
    try:
        end = time.time() + HOLD_MAX_S
        while op["held"] and time.time() < end:
            time.sleep(0.05)
        op["held"] = False
        if op["delay_s"] > 0:
            time.sleep(op["delay_s"])
        if fail:
            raise HttpError(fail[0], fail[1], fail[2])
        with sim.lock:
            op["executions"] += 1
        tag_repos = [t.rsplit(":", 1)[0] for t in op["targetTags"]]
        repos = tag_repos + op["untaggedTargetRepositories"]
        pull = [op["source_repo"]] if op["source_kind"] == "acr" else []
        dst = acr_client(sim, repos, pull)
        src = dst if op["source_kind"] == "acr" else upstream_client(sim)
        # NoForce: the operation fails before copying anything when a
        # target tag exists.
        if op["mode"] == "NoForce":
            for t in op["targetTags"]:
                r, tag = t.rsplit(":", 1)
                if dst.head_manifest(r, tag):
                    raise failed(op, 409, "Conflict", "%s Tag %s already "
                                 "exists in target registry." % (t, t))
        try:
            src.get_manifest(op["source_repo"], op["source_ref"])
        except I.RegistryError as e:
            if e.status in REASONS:
                raise failed(op, 400, "BadRequest", "Invalid message %s %s"
                             " %s" % (REASONS[e.status] + (e.body.decode(
                                 errors="replace").strip(),)))
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


def lro_status(h, claims, low, seg, hdr):
    sim = h.sim
    op_id = seg[-1]
    with sim.lock:
        op = sim.ops.get(op_id)
        op = dict(op) if op else None
    if not op or low[1] != SUBSCRIPTION.lower():
        raise HttpError(404, "ResourceNotFound", "The operation '%s' "
                        "was not found." % op_id)
    hh = dict(hdr)
    if low[6] == "operationstatuses" and len(low) == 8:
        out = {"id": "/" + "/".join(seg), "name": op_id,
               "status": op["status"], "startTime": op["startTime"]}
        if op["endTime"]:
            out["endTime"] = op["endTime"]
        if op["status"] == "InProgress":
            hh["Retry-After"] = str(sim.config["lro_retry_after"])
        if op["error"]:
            out["error"] = op["error"]
        return h.send_json(200, out, hh)
    if op["status"] == "InProgress":
        hh["Location"] = op["location"]
        hh["Retry-After"] = str(sim.config["lro_retry_after"])
        return h.send_raw(202, b"", headers=hh)
    if op["status"] == "Failed":
        raise HttpError(op["http_status"] or 500, op["error"]["code"],
                        op["error"]["message"], headers=hh)
    return h.send_raw(200, b"", headers=hh)
