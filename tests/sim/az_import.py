# az_import.py - importImage as a long-running operation that really copies
# images between the local docker-registry instances, and its status URLs
# (Location and Azure-AsyncOperation). Not ACR's other operations.
"""importImage for the Azure simulator."""

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
    if mode == "NoForce":
        acr = acr_client(sim, [r for r, _ in targets], [])
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
    lro = sim.take_fault("POST", h.path.split("?")[0], "", lro=True)
    op_id = "registries-" + str(uuid.uuid4())
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
          "executions": 0, "who": h.who, "mode": mode,
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
    threading.Thread(target=run_import, args=(sim, op, fail),
                     daemon=True).start()
    hh = dict(hdr)
    hh["Location"] = op["location"]
    hh["Retry-After"] = str(sim.config["lro_retry_after"])
    if sim.config["import_async_header"]:
        hh["Azure-AsyncOperation"] = op["async"]
    h.send_raw(202, b"", headers=hh)


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


def run_import(sim, op, fail):
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
        dst = acr_client(sim, repos, pull)
        if op["source_kind"] == "acr":
            src = dst
        else:
            src = I.Client(R.read(os.path.join(sim.reg_dir,
                                               "upstream_url")),
                           os.path.join(sim.reg_dir, "ca.crt"))
        try:
            src.head_manifest(op["source_repo"], op["source_ref"]) or \
                missing(op)
        except I.RegistryError as e:
            if e.status in (401, 403, 404):
                missing(op)
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


def missing(op):
    # The exact code real ACR uses here is not verified.
    raise HttpError(400, "InvalidParameter", "Image '%s' not found in "
                    "source registry." % op["source"])


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
