#!/usr/bin/env python3
# kubesim.py - a small Kubernetes API server for jumpdeck's tests and demo:
# TLS, real discovery/list/watch/patch/Status shapes. Not a real apiserver.
"""Kubernetes API server simulator (Python standard library only).

Run: python3 kubesim.py --dir DIR [--port 0] [--bookmark-interval 5]
                        [--history 1000]
See README.md beside this file for the control API and the simplifications.
"""

import argparse
import base64
import collections
import copy
import datetime
import hashlib
import http.server
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simhttp  # noqa: E402

GIT_VERSION = "v1.30.6"
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch",
             "update", "watch"]
STATUS_VERBS = ["get", "patch", "update"]


# ---------------------------------------------------------------- helpers

def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339(t=None):
    return (t or utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(s):
    try:
        return datetime.datetime.strptime(
            s[:19], "%Y-%m-%dT%H:%M:%S").replace(
                tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def human_duration(seconds):
    """Same rounding as apimachinery's duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm" % m if s % 60 == 0 else "%dm%ds" % (m, s % 60)
    if m < 180:
        return "%dm" % m
    h = s // 3600
    if h < 8:
        return "%dh" % h if m % 60 == 0 else "%dh%dm" % (h, m % 60)
    if h < 48:
        return "%dh" % h
    if h < 24 * 8:
        return "%dd" % (h // 24) if h % 24 == 0 else \
            "%dd%dh" % (h // 24, h % 24)
    if h < 24 * 365 * 2:
        return "%dd" % (h // 24)
    if h < 24 * 365 * 8:
        dy = (h // 24) % 365
        return "%dy" % (h // 24 // 365) if dy == 0 else \
            "%dy%dd" % (h // 24 // 365, dy)
    return "%dy" % (h // 24 // 365)


def age_of(ts):
    t = parse_time(ts)
    if t is None:
        return "<unknown>"
    return human_duration((utcnow() - t).total_seconds())


def write_atomic(path, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_json_file(path, default):
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode())
    except (OSError, ValueError):
        return default


def version_key(v):
    """Kubernetes version priority: GA > beta > alpha, higher first."""
    m = re.match(r"^v(\d+)(?:(alpha|beta)(\d+))?$", v)
    if not m:
        return (3, 0, 0, v)
    major = int(m.group(1))
    kind = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    minor = int(m.group(3) or 0)
    return (kind, -major, -minor, v)


class ApiError(simhttp.HttpError):
    """An answer with a metav1.Status body (apimachinery's StatusError)."""

    def __init__(self, code, reason, message, details=None, headers=None,
                 list_meta=None):
        simhttp.HttpError.__init__(self, code, b"", headers,
                                   "application/json")
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.list_meta = list_meta or {}

    def to_status(self):
        st = {"kind": "Status", "apiVersion": "v1",
              "metadata": dict(self.list_meta),
              "status": "Failure", "message": self.message,
              "reason": self.reason, "code": self.code}
        if self.details:
            st["details"] = self.details
        return st

    def payload(self):
        return "application/json", (json.dumps(self.to_status()) +
                                    "\n").encode()


def continue_token(rv, last_key):
    return base64.urlsafe_b64encode(json.dumps(
        {"rv": rv, "start": list(last_key)}).encode()).decode().rstrip("=")


def qualified(rt):
    return rt.plural + ("." + rt.group if rt.group else "")


def not_found(rt, name):
    return ApiError(404, "NotFound",
                    '%s "%s" not found' % (qualified(rt), name),
                    {"name": name, "group": rt.group, "kind": rt.plural})


def bad_request(msg):
    return ApiError(400, "BadRequest", msg)


def invalid(rt, name, causes):
    kind = rt.kind + ("." + rt.group if rt.group else "")
    errs = ["%s: %s" % c for c in causes]
    what = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (
        kind, name, what), {
        "name": name, "group": rt.group, "kind": rt.kind,
        "causes": [{"reason": "FieldValueInvalid", "message": c[1],
                    "field": c[0]} for c in causes]})


def conflict(rt, name):
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object has '
                    'been modified; please apply your changes to the latest '
                    'version and try again' % (qualified(rt), name),
                    {"name": name, "group": rt.group, "kind": rt.plural})


# ------------------------------------------------------------ resource types

class RType:
    """One served resource (all of its versions share one object store)."""

    def __init__(self, group, versions, plural, singular, kind, namespaced,
                 short=(), status=False, categories=(), gen=False, crd=None,
                 extra_sub=(), verbs=None):
        self.group = group
        self.verbs = list(verbs or ALL_VERBS)
        self.versions = list(versions)
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.short = list(short)
        self.status = status
        self.categories = list(categories)
        self.gen = gen
        self.crd = crd              # the CRD object for custom resources
        self.extra_sub = list(extra_sub)

    @property
    def key(self):
        return self.group + "/" + self.plural

    def api_version(self, version):
        return (self.group + "/" + version) if self.group else version

    def printer_columns(self, version):
        if not self.crd:
            return None
        for v in self.crd.get("spec", {}).get("versions", []):
            if v.get("name") == version:
                return v.get("additionalPrinterColumns")
        return None


def builtin_types():
    apps = dict(status=True, categories=["all"], gen=True)
    return [
        RType("", ["v1"], "namespaces", "namespace", "Namespace", False,
              ["ns"], status=True, extra_sub=[("finalize", ["update"])]),
        RType("", ["v1"], "nodes", "node", "Node", False, ["no"],
              status=True),
        RType("", ["v1"], "pods", "pod", "Pod", True, ["po"], status=True,
              categories=["all"], extra_sub=[("log", ["get"])]),
        RType("", ["v1"], "services", "service", "Service", True, ["svc"],
              status=True, categories=["all"]),
        RType("", ["v1"], "configmaps", "configmap", "ConfigMap", True,
              ["cm"]),
        RType("", ["v1"], "secrets", "secret", "Secret", True),
        RType("", ["v1"], "events", "event", "Event", True, ["ev"]),
        RType("", ["v1"], "serviceaccounts", "serviceaccount",
              "ServiceAccount", True, ["sa"]),
        RType("", ["v1"], "limitranges", "limitrange", "LimitRange", True,
              ["limits"]),
        RType("", ["v1"], "resourcequotas", "resourcequota",
              "ResourceQuota", True, ["quota"], status=True),
        RType("apps", ["v1"], "deployments", "deployment", "Deployment",
              True, ["deploy"], **apps),
        RType("apps", ["v1"], "daemonsets", "daemonset", "DaemonSet", True,
              ["ds"], **apps),
        RType("apps", ["v1"], "statefulsets", "statefulset", "StatefulSet",
              True, ["sts"], **apps),
        RType("apps", ["v1"], "replicasets", "replicaset", "ReplicaSet",
              True, ["rs"], **apps),
        RType("rbac.authorization.k8s.io", ["v1"], "roles", "role", "Role",
              True),
        RType("rbac.authorization.k8s.io", ["v1"], "rolebindings",
              "rolebinding", "RoleBinding", True),
        RType("rbac.authorization.k8s.io", ["v1"], "clusterroles",
              "clusterrole", "ClusterRole", False),
        RType("rbac.authorization.k8s.io", ["v1"], "clusterrolebindings",
              "clusterrolebinding", "ClusterRoleBinding", False),
        RType("networking.k8s.io", ["v1"], "networkpolicies",
              "networkpolicy", "NetworkPolicy", True, ["netpol"]),
        RType("coordination.k8s.io", ["v1"], "leases", "lease", "Lease",
              True),
        # answered at once, never stored (pkg/registry/authorization/
        # selfsubjectaccessreview/rest.go)
        RType("authorization.k8s.io", ["v1"], "selfsubjectaccessreviews",
              "", "SelfSubjectAccessReview", False, verbs=["create"]),
        RType("apiextensions.k8s.io", ["v1"], "customresourcedefinitions",
              "customresourcedefinition", "CustomResourceDefinition", False,
              ["crd", "crds"], status=True, categories=["api-extensions"],
              gen=True),
    ]


def rtype_from_crd(crd):
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    served = [v for v in spec.get("versions", []) if v.get("served", True)]
    if not served:
        return None
    status = any((v.get("subresources") or {}).get("status") is not None
                 for v in served)
    versions = sorted([v["name"] for v in served], key=version_key)
    return RType(spec.get("group", ""), versions, names.get("plural", ""),
                 names.get("singular") or names.get("kind", "").lower(),
                 names.get("kind", ""), spec.get("scope") != "Cluster",
                 names.get("shortNames") or [], status=status,
                 categories=names.get("categories") or [], gen=True, crd=crd)


def crd_is_established(crd):
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or [])


# ---------------------------------------------------------------- selectors

def split_top(s, sep=","):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [p.strip() for p in out if p.strip()]


LABEL_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"


def parse_label_selector(sel):
    reqs = []
    for part in split_top(sel or ""):
        m = re.match(r"^(%s)\s+(in|notin)\s+\((.*)\)$" % LABEL_KEY, part)
        if m:
            vals = set(v.strip() for v in m.group(3).split(",") if v.strip())
            reqs.append((m.group(2), m.group(1), vals))
            continue
        m = re.match(r"^(%s)\s*(==|!=|=)\s*(.*)$" % LABEL_KEY, part)
        if m:
            op = "=" if m.group(2) in ("=", "==") else "!="
            reqs.append((op, m.group(1), m.group(3).strip()))
            continue
        m = re.match(r"^!\s*(%s)$" % LABEL_KEY, part)
        if m:
            reqs.append(("!", m.group(1), None))
            continue
        m = re.match(r"^(%s)$" % LABEL_KEY, part)
        if m:
            reqs.append(("exists", m.group(1), None))
            continue
        raise bad_request('unable to parse requirement: "%s"' % part)
    return reqs


def labels_match(reqs, obj):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for op, key, val in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and v != val:
            return False
        if op == "!=" and has and v == val:
            return False
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
        if op == "in" and (not has or v not in val):
            return False
        if op == "notin" and has and v in val:
            return False
    return True


# Field labels each builtin resource can be selected by, besides
# metadata.name and metadata.namespace (pkg/apis/core/v1/conversion.go,
# pkg/apis/apps/v1/conversion.go AddFieldLabelConversionFunc... and the
# registries' ToSelectableFields); custom resources only have those two
# (apimachinery runtime.DefaultMetaV1FieldSelectorConversion).
FIELD_LABELS = {
    "/nodes": ["spec.unschedulable"],
    "/pods": ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
              "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
              "status.podIP", "status.nominatedNodeName"],
    "/events": ["involvedObject.kind", "involvedObject.namespace",
                "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath", "reason", "reportingComponent",
                "source", "type"],
    "/namespaces": ["status.phase"],
    "/secrets": ["type"],
    "apps/replicasets": ["status.replicas"],
}
FIELD_PATHS = {"source": ["source", "component"]}


def parse_field_selector(sel, rt=None):
    reqs = []
    for part in split_top(sel or ""):
        m = re.match(r"^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$", part)
        if not m:
            raise bad_request('invalid selector: \'%s\'; can\'t understand '
                              '\'%s\'' % (sel, part))
        label = m.group(1)
        if rt is not None and label not in (
                "metadata.name", "metadata.namespace") and \
                label not in FIELD_LABELS.get(rt.key, []):
            if rt.crd:
                raise bad_request('"%s" is not a known field selector: '
                                  'only "metadata.name", '
                                  '"metadata.namespace"' % label)
            raise bad_request("field label not supported: %s" % label)
        reqs.append((m.group(2) != "!=",
                     FIELD_PATHS.get(label, label.split(".")), m.group(3)))
    return reqs


def field_value(obj, path):
    cur = obj
    for p in path:
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def fields_match(reqs, obj):
    for eq, path, val in reqs:
        if (field_value(obj, path) == val) != eq:
            return False
    return True


# ---------------------------------------------------------------- patches

def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# list field name -> merge key, for the strategic-merge approximation
MERGE_KEYS = {
    "containers": "name", "initContainers": "name",
    "ephemeralContainers": "name", "env": "name", "volumes": "name",
    "volumeMounts": "mountPath", "imagePullSecrets": "name",
    "conditions": "type", "taints": "key", "addresses": "type",
    "ownerReferences": "uid", "ports": None,
}


def strategic_merge(target, patch, field=None):
    """Merge patch that merges the well-known keyed lists by their key and
    understands kubectl's $setElementOrder/$deleteFromPrimitiveList/$patch
    directives. Other lists are replaced (as in a merge patch)."""
    if isinstance(patch, list):
        return strategic_list(target, patch, field)
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items()
                if not k.startswith("$")}
    if patch.get("$patch") == "delete":
        return None
    out = dict(target) if isinstance(target, dict) else {}
    orders = {}
    for k, v in patch.items():
        if k.startswith("$setElementOrder/"):
            orders[k.split("/", 1)[1]] = v
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            name = k.split("/", 1)[1]
            if isinstance(out.get(name), list) and isinstance(v, list):
                out[name] = [x for x in out[name] if x not in v]
            continue
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
        else:
            out[k] = strategic_merge(out.get(k), v, k)
    for name, order in orders.items():
        key = merge_key_for(name, out.get(name))
        if key and isinstance(out.get(name), list):
            want = [o.get(key) for o in order if isinstance(o, dict)]
            items = out[name]
            ordered = [i for w in want for i in items
                       if isinstance(i, dict) and i.get(key) == w]
            rest = [i for i in items if i not in ordered]
            out[name] = ordered + rest
    return out


def merge_key_for(field, items):
    key = MERGE_KEYS.get(field, "")
    if key is None:     # ports: containerPort (pods) or port (services)
        if items and all(isinstance(i, dict) and "containerPort" in i
                         for i in items):
            return "containerPort"
        return "port"
    return key


def strategic_list(target, patch, field):
    key = merge_key_for(field, patch)
    if not key or not isinstance(target, list) or not all(
            isinstance(p, dict) and (key in p) for p in patch):
        return [strategic_merge(None, p, None) if isinstance(p, dict)
                else copy.deepcopy(p) for p in patch
                if not (isinstance(p, dict) and p.get("$patch") == "delete")]
    out = list(target)
    for p in patch:
        idx = next((i for i, t in enumerate(out) if isinstance(t, dict)
                    and t.get(key) == p.get(key)), None)
        if p.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(strategic_merge(None, p, None))
        else:
            out[idx] = strategic_merge(out[idx], p, None)
    return out


def pointer_parts(ptr):
    if ptr == "":
        return []
    if not ptr.startswith("/"):
        raise ValueError("invalid JSON pointer %r" % ptr)
    return [p.replace("~1", "/").replace("~0", "~")
            for p in ptr[1:].split("/")]


def pointer_parent(doc, parts):
    cur = doc
    for p in parts[:-1]:
        if isinstance(cur, dict):
            if p not in cur:
                raise ValueError("path not found: %s" % p)
            cur = cur[p]
        elif isinstance(cur, list):
            cur = cur[list_index(cur, p, False)]
        else:
            raise ValueError("path not found: %s" % p)
    return cur


def list_index(lst, p, allow_end):
    if p == "-" and allow_end:
        return len(lst)
    if not re.match(r"^(0|[1-9][0-9]*)$", p):
        raise ValueError("invalid array index %r" % p)
    i = int(p)
    if i > len(lst) or (i == len(lst) and not allow_end):
        raise ValueError("array index %d out of range" % i)
    return i


def pointer_get(doc, ptr):
    parts = pointer_parts(ptr)
    if not parts:
        return doc
    parent = pointer_parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise ValueError("path %s not found" % ptr)
        return parent[last]
    if isinstance(parent, list):
        return parent[list_index(parent, last, False)]
    raise ValueError("path %s not found" % ptr)


def pointer_add(doc, ptr, value):
    parts = pointer_parts(ptr)
    if not parts:
        return value
    parent = pointer_parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(list_index(parent, last, True), value)
    else:
        raise ValueError("cannot add at %s" % ptr)
    return doc


def pointer_remove(doc, ptr):
    parts = pointer_parts(ptr)
    if not parts:
        raise ValueError("cannot remove the whole document")
    parent = pointer_parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise ValueError("unable to remove nonexistent key: %s" % last)
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(list_index(parent, last, False))
    raise ValueError("cannot remove %s" % ptr)


def json_patch(doc, ops):
    """RFC 6902 JSON patch."""
    if not isinstance(ops, list):
        raise TypeError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise TypeError("invalid JSON patch operation: %r" % (op,))
        kind, path = op["op"], op["path"]
        if kind == "add":
            doc = pointer_add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            pointer_remove(doc, path)
        elif kind == "replace":
            pointer_get(doc, path)
            if pointer_parts(path):
                pointer_remove(doc, path)
            doc = pointer_add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "test":
            if pointer_get(doc, path) != op.get("value"):
                raise ValueError("testing value %s failed" % path)
        elif kind in ("move", "copy"):
            val = copy.deepcopy(pointer_get(doc, op.get("from", "")))
            if kind == "move":
                pointer_remove(doc, op["from"])
            doc = pointer_add(doc, path, val)
        else:
            raise TypeError("unknown JSON patch operation %r" % kind)
    return doc


# ---------------------------------------------------------------- bodies

def parse_body(raw, content_type):
    """A request body: JSON, or YAML for the YAML media types (the
    apiserver decodes application/yaml and application/apply-patch+yaml
    with sigs.k8s.io/yaml; Debian's python3-yaml reads the same YAML)."""
    if not raw.strip():
        raise bad_request("the request body is empty")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        if "yaml" in (content_type or ""):
            try:
                return yaml.safe_load(raw.decode("utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as e2:
                raise bad_request("error decoding YAML: %s" % e2)
        raise bad_request("the body of the request was in an unknown "
                          "format - accepted media types include: "
                          "application/json, application/yaml (%s)" % e)


# ---------------------------------------------------------------- tables

def node_status(obj):
    st = []
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            st.append("Ready" if c.get("status") == "True" else "NotReady")
    if not st:
        st.append("Unknown")
    if (obj.get("spec") or {}).get("unschedulable"):
        st.append("SchedulingDisabled")
    return ",".join(st)


def node_roles(obj):
    roles = set()
    for k, v in ((obj.get("metadata") or {}).get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/"):
            r = k[len("node-role.kubernetes.io/"):]
            if r:
                roles.add(r)
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    return ",".join(sorted(roles)) or "<none>"


def node_address(obj, kind):
    for a in (obj.get("status") or {}).get("addresses") or []:
        if a.get("type") == kind:
            return a.get("address", "<none>")
    return "<none>"


def node_info(obj, field):
    return ((obj.get("status") or {}).get("nodeInfo") or {}).get(field) \
        or "<unknown>"


def meta(obj, field):
    return (obj.get("metadata") or {}).get(field)


def col(name, fn, desc="", typ="string", prio=0, fmt=""):
    return {"name": name, "type": typ, "format": fmt, "description": desc,
            "priority": prio, "fn": fn}


NAME_COL = col("Name", lambda o: meta(o, "name"), "Name must be unique "
               "within a namespace.", fmt="name")
AGE_COL = col("Age", lambda o: age_of(meta(o, "creationTimestamp")),
              "CreationTimestamp is a timestamp representing the server "
              "time when this object was created.")


def container_ready(o):
    spec = len(((o.get("spec") or {}).get("containers")) or [])
    ready = sum(1 for c in ((o.get("status") or {}).get(
        "containerStatuses") or []) if c.get("ready"))
    return "%d/%d" % (ready, spec)


def pod_status_text(o):
    """printPod's STATUS (pkg/printers/internalversion/printers.go): the
    phase, replaced by a container's waiting or terminated reason."""
    st = o.get("status") or {}
    reason = st.get("reason") or st.get("phase", "")
    running = False
    for c in reversed(st.get("containerStatuses") or []):
        state = c.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
        elif c.get("ready") and "running" in state:
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    if (o.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Terminating"
    return reason


def event_object(o):
    inv = o.get("involvedObject") or {}
    return "%s/%s" % ((inv.get("kind") or "").lower(), inv.get("name", ""))


def deploy_ready(o):
    st = o.get("status") or {}
    return "%d/%d" % (st.get("readyReplicas", 0),
                      (o.get("spec") or {}).get("replicas", 1))


def svc_ports(o):
    ports = (o.get("spec") or {}).get("ports") or []
    if not ports:
        return "<none>"
    return ",".join("%s/%s" % (p.get("port"), p.get("protocol", "TCP"))
                    for p in ports)


BUILTIN_COLUMNS = {
    "/nodes": [
        NAME_COL,
        col("Status", node_status, "The status of the node"),
        col("Roles", node_roles, "The roles of the node"),
        AGE_COL,
        col("Version", lambda o: node_info(o, "kubeletVersion"),
            "Kubelet Version reported by the node."),
        col("Internal-IP", lambda o: node_address(o, "InternalIP"),
            "List of internal IPs.", prio=1),
        col("External-IP", lambda o: node_address(o, "ExternalIP"),
            "List of external IPs.", prio=1),
        col("OS-Image", lambda o: node_info(o, "osImage"),
            "OS Image reported by the node.", prio=1),
        col("Kernel-Version", lambda o: node_info(o, "kernelVersion"),
            "Kernel Version reported by the node.", prio=1),
        col("Container-Runtime",
            lambda o: node_info(o, "containerRuntimeVersion"),
            "Container Runtime Version reported by the node.", prio=1),
    ],
    "/namespaces": [
        NAME_COL,
        col("Status", lambda o: (o.get("status") or {}).get("phase", ""),
            "The status of the namespace"),
        AGE_COL],
    "/pods": [
        NAME_COL,
        col("Ready", container_ready, "The aggregate readiness state of "
            "this pod for accepting traffic."),
        col("Status", pod_status_text,
            "The aggregate status of the containers in this pod."),
        col("Restarts", lambda o: sum(c.get("restartCount", 0) for c in (
            (o.get("status") or {}).get("containerStatuses") or [])),
            "The number of times the containers in this pod have been "
            "restarted.", typ="string"),
        AGE_COL,
        col("IP", lambda o: (o.get("status") or {}).get("podIP", "<none>"),
            "IP address allocated to the pod.", prio=1),
        col("Node", lambda o: (o.get("spec") or {}).get("nodeName",
                                                        "<none>"),
            "Name of the node where the pod is scheduled.", prio=1)],
    "/configmaps": [
        NAME_COL,
        col("Data", lambda o: len(o.get("data") or {}) +
            len(o.get("binaryData") or {}), "Number of data in configmap",
            typ="integer"),
        AGE_COL],
    "/events": [
        col("Last Seen", lambda o: age_of(o.get("lastTimestamp") or
                                          o.get("eventTime") or
                                          meta(o, "creationTimestamp")),
            "Time when this Event was last observed."),
        col("Type", lambda o: o.get("type", ""), "Type of this event "
            "(Normal, Warning), new types could be added in the future."),
        col("Reason", lambda o: o.get("reason", ""), "Reason why the "
            "action was taken."),
        col("Object", event_object, "The object that this event is "
            "about."),
        col("Message", lambda o: o.get("message", ""), "A human-readable "
            "description of the status of this operation.")],
    "apps/daemonsets": [
        NAME_COL,
        col("Desired", lambda o: (o.get("status") or {}).get(
            "desiredNumberScheduled", 0), "The desired number of pods.",
            typ="integer"),
        col("Current", lambda o: (o.get("status") or {}).get(
            "currentNumberScheduled", 0), "The current number of pods.",
            typ="integer"),
        col("Ready", lambda o: (o.get("status") or {}).get(
            "numberReady", 0), "The number of pods ready.", typ="integer"),
        col("Up-to-date", lambda o: (o.get("status") or {}).get(
            "updatedNumberScheduled", 0), "The number of pods updated.",
            typ="integer"),
        col("Available", lambda o: (o.get("status") or {}).get(
            "numberAvailable", 0), "The number of pods ready and "
            "available.", typ="integer"),
        AGE_COL],
    "/secrets": [
        NAME_COL,
        col("Type", lambda o: o.get("type", ""), "The type of the secret"),
        col("Data", lambda o: len(o.get("data") or {}),
            "The number of data in the secret", typ="integer"),
        AGE_COL],
    "/services": [
        NAME_COL,
        col("Type", lambda o: (o.get("spec") or {}).get("type", ""),
            "The type of the service."),
        col("Cluster-IP", lambda o: (o.get("spec") or {}).get(
            "clusterIP", "<none>"), "The cluster IP of the service."),
        col("External-IP", lambda o: "<none>", "The external IP of the "
            "service."),
        col("Port(s)", svc_ports, "The ports of the service."),
        AGE_COL],
    "apps/deployments": [
        NAME_COL,
        col("Ready", deploy_ready, "Number of the pod with ready state"),
        col("Up-to-date", lambda o: (o.get("status") or {}).get(
            "updatedReplicas", 0), "Total number of non-terminated pods "
            "targeted by this deployment that have the desired template "
            "spec.", typ="integer"),
        col("Available", lambda o: (o.get("status") or {}).get(
            "availableReplicas", 0), "Total number of available pods "
            "(ready for at least minReadySeconds) targeted by this "
            "deployment.", typ="integer"),
        AGE_COL],
    "apiextensions.k8s.io/customresourcedefinitions": [
        NAME_COL,
        col("Created At", lambda o: meta(o, "creationTimestamp"),
            "CreationTimestamp is a timestamp representing the server "
            "time when this object was created.", typ="date")],
}


def simple_jsonpath(obj, path):
    """The JSONPath subset used by additionalPrinterColumns:
    .a.b, [n], [*], [?(@.k=="v")]. Returns a list of matches."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    toks = re.findall(r"\.([A-Za-z0-9_\-$/]+)|\[(\d+|\*)\]|"
                      r"\[\?\(@\.([A-Za-z0-9_.\-]+)\s*==\s*['\"]([^'\"]*)"
                      r"['\"]\)\]|\['([^']+)'\]", path)
    cur = [obj]
    for field, idx, fk, fv, qfield in toks:
        nxt = []
        for c in cur:
            if field or qfield:
                f = field or qfield
                if isinstance(c, dict) and f in c:
                    nxt.append(c[f])
            elif idx:
                if isinstance(c, list):
                    if idx == "*":
                        nxt.extend(c)
                    elif int(idx) < len(c):
                        nxt.append(c[int(idx)])
            elif fk:
                if isinstance(c, list):
                    nxt.extend(x for x in c if isinstance(x, dict) and
                               field_value(x, fk.split(".")) == fv)
        cur = nxt
    return cur


def crd_columns(rt, version):
    cols = [NAME_COL]
    pcs = rt.printer_columns(version)
    if pcs is None:
        pcs = [{"name": "Age", "type": "date",
                "jsonPath": ".metadata.creationTimestamp"}]
    for pc in pcs:
        def fn(o, pc=pc):
            res = simple_jsonpath(o, pc.get("jsonPath", ""))
            if not res:
                return None
            v = res[0]
            t = pc.get("type", "string")
            if t == "date":
                return age_of(v) if isinstance(v, str) else "<invalid>"
            if t == "string":
                return v if isinstance(v, str) else json.dumps(v)
            return v
        cols.append(col(pc.get("name", ""), fn, pc.get("description", ""),
                        typ=pc.get("type", "string"),
                        prio=pc.get("priority", 0), fmt=pc.get("format", "")))
    return cols


def partial_meta(obj):
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata", {})}


def make_table(rt, version, objs, list_meta, include):
    cols = BUILTIN_COLUMNS.get(rt.key) if not rt.crd else \
        crd_columns(rt, version)
    if cols is None:
        cols = [NAME_COL, AGE_COL]
    rows = []
    for o in objs:
        row = {"cells": [c["fn"](o) for c in cols]}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = partial_meta(o)
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": list_meta,
            "columnDefinitions": [{k: c[k] for k in (
                "name", "type", "format", "description", "priority")}
                for c in cols],
            "rows": rows}


def wants_table(accept):
    for part in (accept or "").split(","):
        params = [p.strip() for p in part.split(";")]
        if "as=Table" in params and "g=meta.k8s.io" in params and (
                "v=v1" in params or "v=v1beta1" in params):
            return "v1beta1" if "v=v1beta1" in params and \
                "v=v1" not in params else "v1"
        if params and params[0] in ("application/json", "*/*", "") and \
                not any(p.startswith("as=") for p in params):
            return None
    return None


# ---------------------------------------------------------------- the store

class Event:
    __slots__ = ("rv", "rkey", "type", "obj", "prev")

    def __init__(self, rv, rkey, typ, obj, prev):
        self.rv, self.rkey, self.type, self.obj, self.prev = \
            rv, rkey, typ, obj, prev


class Store:
    """All objects, the global resourceVersion counter and the bounded
    event history watches and continue tokens are served from."""

    def __init__(self, state_path, history):
        self.cond = threading.Condition()
        self.state_path = state_path
        self.rv = 0
        self.types = {}
        self.objects = {}
        self.history = collections.deque()
        self.history_max = max(1, history)
        self.floor = 0
        self.stopping = False
        self.dirty = False
        self.save_interval = 0.05
        for rt in builtin_types():
            self.add_type(rt)
        self.load()

    # -- types
    def add_type(self, rt):
        self.types[rt.key] = rt
        self.objects.setdefault(rt.key, {})

    def find_type(self, group, version, plural):
        rt = self.types.get(group + "/" + plural)
        if rt and version in rt.versions:
            return rt
        return None

    def groups(self):
        g = collections.OrderedDict()
        for rt in self.types.values():
            if rt.group:
                vs = g.setdefault(rt.group, [])
                for v in rt.versions:
                    if v not in vs:
                        vs.append(v)
        for k in g:
            g[k].sort(key=version_key)
        return g

    # -- persistence
    def load(self):
        st = read_json_file(self.state_path, None)
        if not isinstance(st, dict):
            self.rv = 0
            self.floor = 0
            return
        self.rv = int(st.get("resourceVersion", 0))
        for key, objs in (st.get("objects") or {}).items():
            self.objects.setdefault(key, {})
            for o in objs:
                m = o.get("metadata", {})
                self.objects[key][(m.get("namespace", ""), m["name"])] = o
        for crd in self.objects.get(
                "apiextensions.k8s.io/customresourcedefinitions", {}).values():
            rt = rtype_from_crd(crd)
            if rt and crd_is_established(crd):
                self.add_type(rt)
        self.floor = self.rv

    def save(self):
        """Mark the state dirty; the saver thread writes it out soon (within
        about 50 ms) so that bursts of writes cost one snapshot."""
        self.dirty = True
        self.cond.notify_all()

    def saver(self):
        while True:
            with self.cond:
                while not self.dirty and not self.stopping:
                    self.cond.wait(1.0)
                if not self.dirty:
                    return
            time.sleep(self.save_interval)
            with self.cond:
                self.dirty = False
                self.write_snapshot()

    def flush(self):
        with self.cond:
            if self.dirty:
                self.dirty = False
                self.write_snapshot()

    def write_snapshot(self):
        st = {"resourceVersion": self.rv, "objects": {
            k: [v[kk] for kk in sorted(v)] for k, v in self.objects.items()
            if v}}
        write_atomic(self.state_path, json.dumps(st, separators=(",", ":"),
                                                 sort_keys=True))

    # -- writes (call with cond held)
    def commit(self, rt, typ, obj, prev):
        """Record a change: assigns the next resourceVersion, stores or
        deletes the object, appends the event, notifies watchers."""
        self.rv += 1
        obj = dict(obj)
        obj["metadata"] = dict(obj["metadata"])
        obj["metadata"]["resourceVersion"] = str(self.rv)
        key = (obj["metadata"].get("namespace", ""),
               obj["metadata"]["name"])
        if typ == "DELETED":
            self.objects[rt.key].pop(key, None)
        else:
            self.objects[rt.key][key] = obj
        if len(self.history) >= self.history_max:
            self.floor = self.history.popleft().rv
        self.history.append(Event(self.rv, rt.key, typ, obj, prev))
        self.cond.notify_all()
        return obj

    def compact(self):
        with self.cond:
            self.history.clear()
            self.floor = self.rv
            self.cond.notify_all()

    def snapshot(self, rt, at_rv):
        """The objects of one type as they were at resourceVersion at_rv
        (rebuilt by undoing newer events). Needs at_rv >= floor."""
        objs = dict(self.objects.get(rt.key, {}))
        for ev in reversed(self.history):
            if ev.rv <= at_rv:
                break
            if ev.rkey != rt.key:
                continue
            m = ev.obj["metadata"]
            k = (m.get("namespace", ""), m["name"])
            if ev.prev is None:
                objs.pop(k, None)
            else:
                objs[k] = ev.prev
        return objs

    def events_after(self, pos):
        """Events newer than pos, or None if some were already dropped."""
        if pos < self.floor:
            return None
        out = []
        for ev in reversed(self.history):
            if ev.rv <= pos:
                break
            out.append(ev)
        out.reverse()
        return out


# ---------------------------------------------------------------- certificates

def openssl(*args, stdin=None):
    r = subprocess.run(["openssl"] + list(args), input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (
            args[0], r.stderr.decode(errors="replace").strip()))
    return r.stdout


def make_certs(d):
    def p(n):
        return os.path.join(d, n)

    def new_ca(name, cn):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
                "-keyout", p(name + ".key"), "-out", p(name + ".crt"),
                "-subj", "/CN=" + cn,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign,"
                "digitalSignature")

    def leaf(name, subj, ca, ext):
        openssl("req", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", p(name + ".key"), "-out", p(name + ".csr"),
                "-subj", subj)
        with open(p(name + ".ext"), "w") as f:
            f.write(ext)
        openssl("x509", "-req", "-in", p(name + ".csr"), "-CA",
                p(ca + ".crt"), "-CAkey", p(ca + ".key"), "-set_serial",
                str(random.randint(1 << 32, 1 << 62)), "-days", "3650",
                "-out", p(name + ".crt"), "-extfile", p(name + ".ext"))
        os.unlink(p(name + ".csr"))
        os.unlink(p(name + ".ext"))

    client_ext = ("basicConstraints=CA:FALSE\nkeyUsage=critical,"
                  "digitalSignature,keyEncipherment\n"
                  "extendedKeyUsage=clientAuth\n")
    new_ca("rogue-ca", "kubesim-rogue-ca")
    new_ca("ca", "kubesim-ca")
    leaf("server", "/CN=kube-apiserver", "ca",
         "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,"
         "keyEncipherment\nextendedKeyUsage=serverAuth\n"
         "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubesim.test,"
         "DNS:kubernetes.default.svc\n")
    leaf("admin", "/O=system:masters/CN=admin", "ca", client_ext)
    leaf("viewer", "/O=viewers/CN=viewer", "ca", client_ext)
    leaf("rogue", "/O=system:masters/CN=admin", "rogue-ca", client_ext)
    for n in os.listdir(d):
        if n.endswith(".key"):
            os.chmod(p(n), 0o600)


# ---------------------------------------------------------------- server state

class Sim:
    def __init__(self, args):
        self.dir = os.path.abspath(args.dir)
        self.bookmark_interval = args.bookmark_interval
        self.store = Store(os.path.join(self.dir, "state.json"), args.history)
        self.store.save_interval = max(0.05, args.save_interval)
        self.cert_cache = {}
        self.start_time = time.time()
        self.watchers = 0
        self.watch_epoch = 0  # POST /_sim/drop-watches raises it
        self.establish_delay = max(0.0, args.establish_delay)
        self.crd_queue = {}
        self.logs = {}
        self.logs_lock = threading.Lock()
        with self.store.cond:
            for crd in self.store.objects[
                    "apiextensions.k8s.io/customresourcedefinitions"].values():
                if not crd_is_established(crd):
                    self.queue_crd(crd["metadata"]["name"])
        with self.store.cond:
            for ns in ("default", "kube-system", "kube-public",
                       "kube-node-lease"):
                if ("", ns) not in self.store.objects["/namespaces"]:
                    self.create(self.store.types["/namespaces"], "v1", "",
                                {"metadata": {"name": ns}}, save=False)
            self.store.write_snapshot()

    def start_background(self):
        threading.Thread(target=self.apiextensions, daemon=True).start()

    def tokens(self):
        path = os.path.join(self.dir, "tokens.json")
        t = read_json_file(path, None)
        return t if isinstance(t, dict) else {}

    def deny_rules(self):
        r = read_json_file(os.path.join(self.dir, "deny.json"), [])
        return r if isinstance(r, list) else []

    def verify_cert(self, der):
        h = hashlib.sha256(der).hexdigest()
        if h in self.cert_cache:
            return self.cert_cache[h]
        pem = ssl.DER_cert_to_PEM_cert(der).encode()
        r = subprocess.run(["openssl", "verify", "-purpose", "sslclient",
                            "-CAfile", os.path.join(self.dir, "ca.crt")],
                           input=pem, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        ok = r.returncode == 0
        self.cert_cache[h] = ok
        return ok

    # -- object writes; call with store.cond held
    def new_meta(self, rt, ns, obj):
        m = obj.setdefault("metadata", {})
        if not isinstance(m, dict):
            raise bad_request("metadata must be an object")
        if not m.get("name") and m.get("generateName"):
            m["name"] = m["generateName"] + "".join(
                random.choice("bcdfghjklmnpqrstvwxz2456789")
                for _ in range(5))
        name = m.get("name") or ""
        if not name:
            raise invalid(rt, "", [("metadata.name", "Required value: name "
                                    "or generateName is required")])
        if not re.match(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", name) or \
                len(name) > 253:
            raise invalid(rt, name, [("metadata.name", 'Invalid value: "%s"'
                                      ": a lowercase RFC 1123 subdomain "
                                      "must consist of lower case "
                                      "alphanumeric characters, '-' or '.'"
                                      % name)])
        if rt.namespaced:
            if m.get("namespace") and m["namespace"] != ns:
                raise bad_request("the namespace of the provided object "
                                  "does not match the namespace sent on "
                                  "the request")
            m["namespace"] = ns
        else:
            m.pop("namespace", None)
        for k in ("resourceVersion", "uid", "creationTimestamp",
                  "deletionTimestamp", "managedFields", "selfLink"):
            m.pop(k, None)
        m["uid"] = str(uuid.uuid4())
        m["creationTimestamp"] = rfc3339()
        if rt.gen:
            m["generation"] = 1
        return name

    def check_kind(self, rt, version, obj):
        if not isinstance(obj, dict):
            raise bad_request("the request body must be a JSON object")
        kind = obj.get("kind")
        if kind and kind != rt.kind:
            raise bad_request("the kind of the provided object (%s) does "
                              "not match the resource (%s)" % (kind, rt.kind))
        obj["kind"] = rt.kind
        obj["apiVersion"] = rt.api_version(version)

    def create(self, rt, version, ns, obj, save=True, dry=False):
        self.check_kind(rt, version, obj)
        name = self.new_meta(rt, ns, obj)
        store = self.store
        if rt.namespaced and ("", ns) not in store.objects["/namespaces"]:
            raise not_found(store.types["/namespaces"], ns)
        if (obj["metadata"].get("namespace", ""), name) in \
                store.objects[rt.key]:
            raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (
                qualified(rt), name), {"name": name, "group": rt.group,
                                       "kind": rt.plural})
        self.defaults(rt, obj, None)
        if rt.key == "apiextensions.k8s.io/customresourcedefinitions":
            self.validate_crd(rt, obj)
            self.crd_initial_status(obj)
        if dry:
            obj["metadata"]["resourceVersion"] = str(store.rv)
            return obj
        stored = store.commit(rt, "ADDED", obj, None)
        if rt.key == "apiextensions.k8s.io/customresourcedefinitions":
            self.queue_crd(name)
        if save:
            store.save()
        return stored

    def defaults(self, rt, obj, old):
        k = rt.key
        spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
        if k == "/namespaces":
            obj.setdefault("spec", {}).setdefault("finalizers",
                                                   ["kubernetes"])
            obj.setdefault("status", {}).setdefault("phase", "Active")
            obj["metadata"].setdefault("labels", {})[
                "kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        elif k == "/secrets":
            obj.setdefault("type", "Opaque")
        elif k == "/pods" and old is None:
            obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
        elif k == "/services":
            spec = obj.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            if spec["type"] != "ExternalName" and not spec.get("clusterIP"):
                ip = (old or {}).get("spec", {}).get("clusterIP") or \
                    "10.0.%d.%d" % (random.randint(1, 254),
                                    random.randint(1, 254))
                spec["clusterIP"] = ip
                spec["clusterIPs"] = [ip]
            spec.setdefault("sessionAffinity", "None")
            spec.setdefault("ipFamilies", ["IPv4"])
            obj.setdefault("status", {"loadBalancer": {}})
        elif k == "apps/deployments":
            spec = obj.setdefault("spec", {})
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
            spec.setdefault("strategy", {"type": "RollingUpdate",
                                         "rollingUpdate": {
                                             "maxSurge": "25%",
                                             "maxUnavailable": "25%"}})
        if old is None and rt.status and k not in ("/nodes", "/namespaces",
                                                   "/services", "/pods"):
            # the status of a new object is not the client's to set
            obj.pop("status", None)
            if k == "apps/deployments" or rt.crd is None:
                obj["status"] = {}

    def validate_crd(self, rt, obj):
        spec = obj.get("spec")
        name = obj["metadata"]["name"]
        if not isinstance(spec, dict):
            raise invalid(rt, name, [("spec", "Required value")])
        names = spec.get("names") or {}
        causes = []
        for f in ("group",):
            if not spec.get(f):
                causes.append(("spec." + f, "Required value"))
        for f in ("plural", "kind"):
            if not names.get(f):
                causes.append(("spec.names." + f, "Required value"))
        if spec.get("scope") not in ("Namespaced", "Cluster"):
            causes.append(("spec.scope", 'Unsupported value: "%s": '
                           'supported values: "Cluster", "Namespaced"'
                           % spec.get("scope")))
        vs = spec.get("versions")
        if not isinstance(vs, list) or not vs:
            causes.append(("spec.versions", "Invalid value: null: must have "
                           "exactly one version marked as storage version"))
        if names.get("plural") and spec.get("group") and \
                name != names["plural"] + "." + spec["group"]:
            causes.append(("metadata.name", 'Invalid value: "%s": must be '
                           'spec.names.plural+"."+spec.group' % name))
        if causes:
            raise invalid(rt, name, causes)

    # -- the apiextensions controllers
    # A new CRD is stored with an empty status (storedVersions only, from
    # the registry strategy's PrepareForCreate). Then, as in
    # apiextensions-apiserver: the naming controller
    # (pkg/controller/status/naming_controller.go) sets NamesAccepted True
    # "NoConflicts"/"no conflicts found", acceptedNames, and Established
    # False "Installing"; the establishing controller
    # (pkg/controller/establish/establishing_controller.go) then sets
    # Established True "InitialNamesAccepted"/"the initial names have been
    # accepted". Until Established the CRD's group-version is neither in
    # discovery nor served (customresource_handler.go answers 404), which
    # is why clients wait for it before creating objects.
    def crd_initial_status(self, crd):
        spec = crd.get("spec", {})
        storage = [v["name"] for v in spec.get("versions", [])
                   if v.get("storage")] or \
            [v["name"] for v in spec.get("versions", [])][:1]
        crd["status"] = {"acceptedNames": {"kind": "", "plural": ""},
                         "conditions": [], "storedVersions": storage}

    def queue_crd(self, name):
        now = time.time()
        self.crd_queue[name] = (now + self.establish_delay / 2,
                                now + self.establish_delay)
        self.store.cond.notify_all()

    def crd_conditions(self, crd, names, established):
        when = rfc3339()
        conds = []
        for c in (crd.get("status") or {}).get("conditions") or []:
            if c.get("type") not in ("NamesAccepted", "Established"):
                conds.append(c)
        old = {c.get("type"): c for c in
               (crd.get("status") or {}).get("conditions") or []}
        if names:
            conds.append(old.get("NamesAccepted") if old.get(
                "NamesAccepted", {}).get("status") == "True" else {
                "type": "NamesAccepted", "status": "True",
                "lastTransitionTime": when, "reason": "NoConflicts",
                "message": "no conflicts found"})
        if established:
            conds.append({"type": "Established", "status": "True",
                          "lastTransitionTime": when,
                          "reason": "InitialNamesAccepted",
                          "message": "the initial names have been "
                                     "accepted"})
        elif names:
            conds.append({"type": "Established", "status": "False",
                          "lastTransitionTime": when,
                          "reason": "Installing",
                          "message": "the initial names have been "
                                     "accepted"})
        return conds

    def crd_step(self, name, established):
        """One apiextensions controller step on CRD `name` (store.cond
        held)."""
        rt = self.store.types["apiextensions.k8s.io/customresourcedefinitions"]
        crd = self.store.objects[rt.key].get(("", name))
        if crd is None:
            return
        new = copy.deepcopy(crd)
        st = new.setdefault("status", {})
        st["acceptedNames"] = copy.deepcopy(new["spec"].get("names", {}))
        st["conditions"] = self.crd_conditions(crd, True, established)
        if established:
            crt = rtype_from_crd(new)
            if crt:
                self.store.add_type(crt)
        if new != crd:
            self.store.commit(rt, "MODIFIED", new, crd)
            self.store.save()

    def apiextensions(self):
        """The naming and establishing controllers, on their own thread."""
        with self.store.cond:
            while not self.store.stopping:
                now = time.time()
                for name, (t_names, t_est) in list(self.crd_queue.items()):
                    if now >= t_est:
                        del self.crd_queue[name]
                        self.crd_step(name, True)
                    elif t_names and now >= t_names:
                        self.crd_queue[name] = (0, t_est)
                        self.crd_step(name, False)
                due = [t for pair in self.crd_queue.values() for t in pair
                       if t]
                self.store.cond.wait(max(0.01, min(due) - now) if due
                                     else 1.0)

    def crd_served_update(self, crd):
        """An update of an Established CRD changes what is served at once
        (new versions, names)."""
        if crd_is_established(crd):
            crt = rtype_from_crd(crd)
            if crt:
                self.store.add_type(crt)

    def spec_changed(self, rt, old, new):
        if rt.status:
            skip = ("metadata", "status")
        else:
            skip = ("metadata",)
        a = {k: v for k, v in old.items() if k not in skip}
        b = {k: v for k, v in new.items() if k not in skip}
        return a != b

    def update(self, rt, version, ns, name, new, sub, check_rv=True,
               dry=False, field_manager=None):
        """Replace an object (PUT semantics); new is a complete object."""
        store = self.store
        key = (ns if rt.namespaced else "", name)
        old = store.objects[rt.key].get(key)
        if old is None:
            raise not_found(rt, name)
        new = copy.deepcopy(new)    # it may share parts with stored objects
        self.check_kind(rt, version, new)
        m = new.get("metadata")
        if not isinstance(m, dict):
            m = new["metadata"] = {}
        if m.get("name", name) != name:
            raise bad_request("the name of the object (%s) does not match "
                              "the name on the URL (%s)" % (m.get("name"),
                                                            name))
        if rt.namespaced and m.get("namespace", ns) != ns:
            raise bad_request("the namespace of the provided object does "
                              "not match the namespace sent on the request")
        if check_rv and m.get("resourceVersion") and \
                m["resourceVersion"] != old["metadata"]["resourceVersion"]:
            raise conflict(rt, name)
        if sub == "status":
            merged = copy.deepcopy(old)
            if "status" in new:
                merged["status"] = new["status"]
            else:
                merged.pop("status", None)
            new = merged
        else:
            if rt.status:
                if "status" in old:
                    new["status"] = old["status"]
                else:
                    new.pop("status", None)
            m = new["metadata"]
            m["name"] = name
            if rt.namespaced:
                m["namespace"] = ns
            else:
                m.pop("namespace", None)
            for f in ("uid", "creationTimestamp", "generation"):
                if f in old["metadata"]:
                    m[f] = old["metadata"][f]
                else:
                    m.pop(f, None)
            m.pop("managedFields", None)
            self.defaults(rt, new, old)
        new["metadata"]["resourceVersion"] = old["metadata"][
            "resourceVersion"]
        new["apiVersion"] = old["apiVersion"]
        if rt.key == "apiextensions.k8s.io/customresourcedefinitions" and \
                sub != "status":
            self.validate_crd(rt, new)
        if new == old:
            return old
        if rt.gen and sub != "status" and self.spec_changed(rt, old, new):
            new["metadata"]["generation"] = \
                old["metadata"].get("generation", 1) + 1
        if dry:
            return new
        stored = store.commit(rt, "MODIFIED", new, old)
        if rt.key == "apiextensions.k8s.io/customresourcedefinitions" and \
                sub != "status":
            self.crd_served_update(stored)
        store.save()
        return stored

    def delete(self, rt, ns, name, dry=False, save=True):
        store = self.store
        key = (ns if rt.namespaced else "", name)
        old = store.objects[rt.key].get(key)
        if old is None:
            raise not_found(rt, name)
        if dry:
            return old
        if rt.key == "/namespaces":
            for other in list(store.types.values()):
                if other.namespaced:
                    for k in sorted(store.objects[other.key]):
                        if k[0] == name:
                            self.delete(other, name, k[1], save=False)
        if rt.key == "apiextensions.k8s.io/customresourcedefinitions":
            crt = rtype_from_crd(old)
            if crt and crt.key in store.types:
                for k in sorted(store.objects[crt.key]):
                    self.delete(store.types[crt.key], k[0], k[1],
                                save=False)
                del store.types[crt.key]
                store.objects.pop(crt.key, None)
        gone = store.commit(rt, "DELETED", old, old)
        if save:
            store.save()
        return gone


# ---------------------------------------------------------------- HTTP

# Status reasons for injected faults (metav1.StatusReason* names).
FAULT_REASONS = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
    404: "NotFound", 409: "Conflict", 410: "Expired", 422: "Invalid",
    429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
    504: "Timeout",
}
FAULT_MESSAGES = {
    429: "Too many requests, please try again later.",
    500: "Internal error occurred: injected fault",
    503: "the server is currently unable to handle the request",
    504: "Timeout: request did not complete within the allowed duration",
}
# The max-in-flight limiter and API Priority and Fairness reject with Go's
# http.Error(w, "Too many requests, please try again later.", 429): a
# text/plain body, not a Status (apiserver/pkg/server/filters/
# maxinflight.go tooManyRequests; priority-and-fairness.go). APF's
# Retry-After grows with the queue, up to 32 s.
THROTTLED_BODY = b"Too many requests, please try again later.\n"


class Handler(simhttp.Handler):
    server_version = "kubesim"
    timeout = 120
    verbose_env = "KUBESIM_VERBOSE"

    @property
    def sim(self):
        return self.server.sim

    def extra_headers(self):
        # every apiserver answer carries these (filters/audit and APF)
        return {"Cache-Control": "no-cache, private",
                "Audit-Id": self.request_id}

    def new_log_entry(self, method, path, query):
        if path.startswith("/_sim/"):
            return None
        return {"method": method, "path": path, "query": query,
                "user": "system:anonymous", "status": 0,
                "time": round(self.started, 3),
                "user_agent": self.headers.get("User-Agent", ""),
                # a proxy in front says how the client spoke to it
                # ("2 nghttpx": HTTP/2)
                "via": self.headers.get("Via", "")}

    def internal_error(self, exc):
        return ApiError(500, "InternalError",
                        "Internal error occurred: %s" % exc)

    def fault_error(self, rule):
        code = int(rule.get("status", 500))
        hdr = {}
        if rule.get("retry_after") is not None:
            hdr["Retry-After"] = str(rule["retry_after"])
        if code == 429 and rule.get("body") != "status":
            return simhttp.HttpError(429, THROTTLED_BODY, hdr,
                                     "text/plain; charset=utf-8")
        det = {"retryAfterSeconds": int(rule["retry_after"])} \
            if str(rule.get("retry_after", "")).isdigit() else None
        return ApiError(code, rule.get("reason") or
                        FAULT_REASONS.get(code, "InternalError"),
                        rule.get("message") or FAULT_MESSAGES.get(
                            code, "injected fault"), det, hdr)

    def send_json(self, code, obj, headers=None):
        self.send_raw(code, (json.dumps(obj) + "\n").encode(),
                      "application/json", headers)

    def send_error_status(self, e):
        self.send_json(e.code, e.to_status(), headers=e.headers)

    # -- entry
    def serve(self, method, path, query, body):
        self.user = None
        self.groups = None
        if path.startswith("/_sim/"):
            return self.control(method, path, body)
        if not path.startswith(("/healthz", "/readyz", "/livez")):
            self.user, self.groups = self.authenticate()
            if self.log_entry is not None and self.user:
                self.log_entry["user"] = self.user
        # Faults are checked after authentication, as the apiserver's
        # priority and fairness filter runs after it, so the log shows
        # who was throttled.
        fault = self.server.faults.take(method, path, query)
        if fault:
            act = fault.get("action", "status")
            if act == "compact":
                self.sim.store.compact()
            elif act == "endless_pages":
                # a broken or hostile server: an empty page whose continue
                # token never runs out
                with self.sim.store.cond:
                    rv = self.sim.store.rv
                return self.send_json(200, {
                    "kind": "List", "apiVersion": "v1", "items": [],
                    "metadata": {"resourceVersion": str(rv),
                                 "continue": continue_token(
                                     rv, ("~", str(time.time())))}})
            else:
                self.apply_fault(fault)
        self.route(method, path, urllib.parse.parse_qs(
            query, keep_blank_values=True), body)

    # -- control API
    def control(self, method, path, body):
        sim = self.sim
        data = None
        if body.strip():
            try:
                data = json.loads(body.decode())
            except ValueError as e:
                raise bad_request("bad JSON: %s" % e)
        if self.control_common(method, path, data):
            return
        if path == "/_sim/compact" and method == "POST":
            sim.store.compact()
            return self.send_json(200, {"compacted": sim.store.rv})
        if path == "/_sim/drop-watches" and method == "POST":
            # An apiserver that restarts, or a load balancer in front of
            # it that cuts its streams: every open watch connection ends
            # without the chunked stream's last chunk (a reset, not the
            # end of a watch's timeoutSeconds).
            with sim.store.cond:
                sim.watch_epoch += 1
                n = sim.watchers
                sim.store.cond.notify_all()
            return self.send_json(200, {"dropped": n})
        if path == "/_sim/info" and method == "GET":
            return self.send_json(200, {
                "resourceVersion": sim.store.rv, "floor": sim.store.floor,
                "watchers": sim.watchers, "pid": os.getpid()})
        if path.startswith("/_sim/logs/") and method in ("POST", "GET"):
            return self.control_logs(method, path, data)
        raise ApiError(404, "NotFound", "no such control endpoint")

    # -- authentication and authorization
    def authenticate(self):
        der = None
        try:
            der = self.connection.getpeercert(binary_form=True)
        except (ValueError, AttributeError):
            der = None
        if der and self.sim.verify_cert(der):
            info = self.connection.getpeercert() or {}
            cn, orgs = None, []
            for rdn in info.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
                    elif k == "organizationName":
                        orgs.append(v)
            if cn:
                return cn, orgs + ["system:authenticated"]
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
            ent = self.sim.tokens().get(tok)
            if isinstance(ent, dict) and ent.get("user"):
                return ent["user"], list(ent.get("groups") or []) + [
                    "system:authenticated"]
        return None, None

    def denied_by(self, user, groups, verb, group, res, ns):
        """The first deny rule that refuses the request, or None. A "*"
        in the request (a review of "everything") is refused when any
        rule refuses some part of it."""
        plural = res.split("/")[0]
        for rule in self.sim.deny_rules():
            if not isinstance(rule, dict):
                continue
            u = rule.get("user", "*")
            if u != "*" and u != user:
                continue
            if rule.get("group") and rule["group"] not in groups:
                continue
            if "*" not in (rule.get("verb", "*"), verb) and \
                    rule.get("verb") != verb:
                continue
            r = rule.get("resource", "*")
            if "*" not in (r, plural) and r not in (plural, res):
                continue
            if rule.get("namespace") and rule["namespace"] != ns:
                continue
            return rule
        return None

    def authorize(self, user, groups, verb, rt, sub, ns, name):
        res = rt.plural + ("/" + sub if sub else "")
        if self.denied_by(user, groups, verb, rt.group, res, ns) is None:
            return
        scope = ('in the namespace "%s"' % ns) if ns else \
            "at the cluster scope"
        why = 'User "%s" cannot %s resource "%s" in API group "%s" %s' % (
            user, verb, res, rt.group, scope)
        q = qualified(rt)
        msg = ('%s "%s" is forbidden: %s' % (q, name, why)) if name else \
            ("%s is forbidden: %s" % (q, why))
        det = {"group": rt.group, "kind": rt.plural}
        if name:
            det["name"] = name
        raise ApiError(403, "Forbidden", msg, det)

    def serve_ssar(self, rt, version, body):
        """SelfSubjectAccessReview: the same decision a request with those
        attributes would get here. system:masters passes the privileged-
        group authorizer before any other (allowed, no reason); everyone
        else is allowed unless a deny rule refuses it. Nothing is
        stored."""
        review = parse_body(body, self.headers.get("Content-Type"))
        if not isinstance(review, dict):
            raise bad_request("the request body must be a JSON object")
        spec = review.get("spec") if isinstance(review.get("spec"),
                                                dict) else {}
        ra = spec.get("resourceAttributes")
        nra = spec.get("nonResourceAttributes")
        if bool(ra) == bool(nra):
            raise invalid(rt, "", [("spec.resourceAttributes", "Invalid "
                                    "value: \"null\": exactly one of "
                                    "nonResourceAttributes or "
                                    "resourceAttributes must be specified")])
        if ra:
            res = ra.get("resource") or ""
            if ra.get("subresource"):
                res += "/" + ra["subresource"]
            rule = self.denied_by(self.user, self.groups,
                                  ra.get("verb") or "", ra.get("group") or
                                  "", res, ra.get("namespace") or "")
        else:
            rule = self.denied_by(self.user, self.groups, nra.get("verb") or
                                  "", "", nra.get("path") or "", "")
        allowed = rule is None or "system:masters" in (self.groups or [])
        out = {"kind": "SelfSubjectAccessReview",
               "apiVersion": "authorization.k8s.io/" + version,
               "metadata": {"creationTimestamp": None},
               "spec": spec, "status": {"allowed": allowed}}
        if not allowed:
            out["status"]["reason"] = ""
        return self.send_json(201, out)

    def serve_log(self, ns, name, qv):
        """GET pods/NAME/log, answered by the kubelet through the
        apiserver (pkg/registry/core/pod/rest/log.go): text/plain, one
        container (required when the pod has several), the previous
        instance with previous=true, the last tailLines lines,
        limitBytes. Log text comes from the control API (/_sim/logs), as
        a container would write it."""
        store = self.sim.store
        with store.cond:
            pod = store.objects["/pods"].get((ns, name))
        if pod is None:
            raise not_found(store.types["/pods"], name)
        names = [c.get("name") for c in (pod.get("spec") or {}).get(
            "containers") or []]
        container = qv.get("container") or ""
        if not container:
            if len(names) != 1:
                raise bad_request("a container name must be specified for "
                                  "pod %s, choose one of: [%s]" % (
                                      name, " ".join(names)))
            container = names[0]
        if container not in names:
            raise bad_request("container %s is not valid for pod %s" % (
                container, name))
        previous = qv.get("previous") in ("1", "true", "True")
        st = next((c for c in (pod.get("status") or {}).get(
            "containerStatuses") or [] if c.get("name") == container), {})
        with self.sim.logs_lock:
            text = self.sim.logs.get((ns, name, container, previous))
        if text is None:
            # the kubelet's answers (pkg/kubelet/kubelet_pods.go
            # validateContainerLogStatus)
            if previous:
                raise bad_request('previous terminated container "%s" in '
                                  'pod "%s" not found' % (container, name))
            waiting = (st.get("state") or {}).get("waiting")
            if waiting is not None or not st:
                raise bad_request(
                    'container "%s" in pod "%s" is waiting to start: %s' % (
                        container, name,
                        (waiting or {}).get("reason") or
                        "ContainerCreating"))
            text = ""
        lines = text.splitlines(True)
        tail = qv.get("tailLines")
        if tail is not None:
            if not tail.lstrip("-").isdigit():
                raise bad_request("invalid tailLines %r" % tail)
            lines = lines[-int(tail):] if int(tail) > 0 else []
        out = "".join(lines).encode()
        lb = qv.get("limitBytes")
        if lb and lb.isdigit() and int(lb) > 0:
            out = out[:int(lb)]
        return self.send_raw(200, out, "text/plain")

    def control_logs(self, method, path, data):
        """/_sim/logs/NAMESPACE/POD: what a pod's containers wrote. POST
        {"container": C, "previous": false, "text": "..."} appends to that
        container's log (previous: the terminated instance's); GET lists
        what is stored."""
        parts = path.split("/")[3:]
        if len(parts) != 2 or not all(parts):
            raise ApiError(404, "NotFound", "use /_sim/logs/NAMESPACE/POD")
        ns, name = parts
        if method == "GET":
            with self.sim.logs_lock:
                return self.send_json(200, [
                    {"container": k[2], "previous": k[3], "text": v}
                    for k, v in self.sim.logs.items() if k[:2] == (ns, name)])
        if not isinstance(data, dict) or not data.get("container"):
            raise bad_request("expected {\"container\": ..., \"text\": ...}")
        key = (ns, name, data["container"], bool(data.get("previous")))
        with self.sim.logs_lock:
            self.sim.logs[key] = self.sim.logs.get(key, "") + str(
                data.get("text", ""))
        return self.send_json(200, {"bytes": len(self.sim.logs[key])})

    # -- routing
    def route(self, method, path, q, body):
        sim = self.sim
        if path in ("/healthz", "/readyz", "/livez") or \
                path.startswith(("/healthz/", "/readyz/", "/livez/")):
            return self.send_raw(200, b"ok", "text/plain; charset=utf-8")
        user, groups = self.user, self.groups
        if user is None:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        self.user = user
        if path == "/version" or path == "/version/":
            return self.send_json(200, {
                "major": "1", "minor": "30", "gitVersion": GIT_VERSION,
                "gitCommit": "7c9cd8f3aae5a5b2a0a3a0a1b6c4b6f6d0b0e4a1",
                "gitTreeState": "clean", "buildDate": "2024-10-22T21:40:07Z",
                "goVersion": "go1.22.8", "compiler": "gc",
                "platform": "linux/amd64"})
        if path in ("/api", "/api/"):
            return self.send_json(200, {
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{
                    "clientCIDR": "0.0.0.0/0",
                    "serverAddress": "127.0.0.1:%d" %
                    self.server.server_address[1]}]})
        if path in ("/apis", "/apis/"):
            return self.send_json(200, self.group_list())
        if path.rstrip("/") == "/openapi/v3":
            return self.send_json(200, self.openapi_index())
        if path.startswith("/openapi/v3/"):
            return self.send_json(200, self.openapi_doc(path[len(
                "/openapi/v3/"):].strip("/")))
        if path.startswith("/openapi/"):
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["api"]:
            group, rest = "", parts[1:]
        elif parts[:1] == ["apis"] and len(parts) >= 2:
            group, rest = parts[1], parts[2:]
            if not rest:
                return self.send_group(group)
        else:
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        version, rest = rest[0] if rest else "", rest[1:]
        with sim.store.cond:
            gv_ok = any(rt.group == group and version in rt.versions
                        for rt in sim.store.types.values())
        if not gv_ok:
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        if not rest:
            return self.send_json(200, self.resource_list(group, version))
        watch = False
        if rest[0] == "watch":
            watch, rest = True, rest[1:]
        ns = ""
        if len(rest) >= 3 and rest[0] == "namespaces" and not (
                group == "" and len(rest) == 3 and
                rest[2] in ("status", "finalize")):
            ns, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        plural, name, sub = rest[0], (rest[1:2] or [""])[0], \
            (rest[2:3] or [""])[0]
        with sim.store.cond:
            rt = sim.store.find_type(group, version, plural)
        if rt is None or (ns and not rt.namespaced):
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        if sub and sub != "status" and not any(
                s == sub for s, _ in rt.extra_sub):
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        if sub == "status" and not rt.status:
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        if sub == "finalize":
            sub = "status"   # good enough: finalize only touches spec
        qv = {k: v[-1] for k, v in q.items()}
        if qv.get("watch") in ("1", "true", "True"):
            watch = True
        if name and watch:
            qv["fieldSelector"] = ",".join(filter(None, [
                qv.get("fieldSelector"), "metadata.name=" + name]))
            name = ""
        if method == "GET":
            verb = "watch" if watch else ("get" if name else "list")
        elif method == "POST":
            verb = "create"
        elif method == "PUT":
            verb = "update"
        elif method == "PATCH":
            verb = "patch"
        elif method == "DELETE":
            verb = "delete" if name else "deletecollection"
        else:
            raise ApiError(405, "MethodNotAllowed", "the server does not "
                           "allow this method on the requested resource")
        if rt.namespaced and not ns and (name or verb in (
                "create", "update", "patch", "delete", "deletecollection")):
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        self.authorize(user, groups, verb, rt, sub, ns, name)
        if rt.key == "authorization.k8s.io/selfsubjectaccessreviews":
            if method != "POST" or name:
                raise ApiError(405, "MethodNotAllowed", "the server does "
                               "not allow this method on the requested "
                               "resource")
            return self.serve_ssar(rt, version, body)
        if sub == "log":
            if method != "GET":
                raise ApiError(405, "MethodNotAllowed", "the server does "
                               "not allow this method on the requested "
                               "resource")
            return self.serve_log(ns, name, qv)
        if method == "POST" and name:
            raise ApiError(405, "MethodNotAllowed", "the server does not "
                           "allow this method on the requested resource")
        if method in ("PUT", "PATCH") and not name:
            raise ApiError(405, "MethodNotAllowed", "the server does not "
                           "allow this method on the requested resource")
        dry = qv.get("dryRun") == "All"
        if verb == "watch":
            return self.serve_watch(rt, version, ns, qv)
        if verb == "list":
            return self.serve_list(rt, version, ns, qv)
        if verb == "get":
            with sim.store.cond:
                o = sim.store.objects[rt.key].get((ns, name))
                if o is None:
                    raise not_found(rt, name)
            return self.send_object(rt, version, o, qv)
        if verb == "create":
            obj = parse_body(body, self.headers.get("Content-Type"))
            with sim.store.cond:
                o = sim.create(rt, version, ns, obj, dry=dry)
            return self.send_object(rt, version, o, qv, 201)
        if verb == "update":
            obj = parse_body(body, self.headers.get("Content-Type"))
            with sim.store.cond:
                o = sim.update(rt, version, ns, name, obj, sub, dry=dry)
            return self.send_object(rt, version, o, qv)
        if verb == "patch":
            return self.serve_patch(rt, version, ns, name, sub, qv, body)
        if verb == "delete":
            with sim.store.cond:
                o = sim.delete(rt, ns, name, dry=dry)
            return self.send_json(200, {
                "kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Success", "details": {
                    "name": name, "group": rt.group, "kind": rt.plural,
                    "uid": o["metadata"].get("uid")}})
        if verb == "deletecollection":
            lsel = parse_label_selector(qv.get("labelSelector"))
            fsel = parse_field_selector(qv.get("fieldSelector"), rt)
            with sim.store.cond:
                for k in sorted(sim.store.objects[rt.key]):
                    o = sim.store.objects[rt.key][k]
                    if (not ns or k[0] == ns) and labels_match(lsel, o) and \
                            fields_match(fsel, o) and not dry:
                        sim.delete(rt, k[0], k[1], save=False)
                sim.store.save()
            return self.send_json(200, {
                "kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Success"})

    # -- OpenAPI v3: just enough for clients to see which kinds exist and
    # that PATCH takes fieldValidation (so kubectl validates server-side)
    def openapi_gvs(self):
        with self.sim.store.cond:
            types = list(self.sim.store.types.values())
        gvs = {}
        for rt in types:
            for v in rt.versions:
                key = ("apis/%s/%s" % (rt.group, v)) if rt.group else \
                    "api/" + v
                gvs.setdefault(key, []).append((rt, v))
        return gvs

    def openapi_index(self):
        out = {}
        for key in sorted(self.openapi_gvs()):
            h = hashlib.sha512(json.dumps(self.openapi_doc(key),
                                          sort_keys=True).encode())
            out[key] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (
                key, h.hexdigest().upper()[:128])}
        return {"paths": out}

    def openapi_doc(self, key):
        entries = self.openapi_gvs().get(key)
        if not entries:
            raise ApiError(404, "NotFound", "the server could not find the "
                           "requested resource")
        paths, schemas = {}, {}
        params = [{"name": n, "in": "query", "schema": {
            "type": "string", "uniqueItems": True}} for n in (
                "dryRun", "fieldManager", "fieldValidation", "force",
                "pretty")]
        for rt, v in sorted(entries, key=lambda e: e[0].plural):
            base = "/" + key + ("/namespaces/{namespace}/" if rt.namespaced
                                else "/") + rt.plural + "/{name}"
            gvk = {"group": rt.group, "version": v, "kind": rt.kind}
            sname = "%s.%s.%s" % (
                ".".join(reversed(rt.group.split("."))) if rt.group
                else "io.k8s.api.core", v, rt.kind)
            schemas[sname] = {
                "type": "object",
                "x-kubernetes-group-version-kind": [gvk],
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {"apiVersion": {"type": "string"},
                               "kind": {"type": "string"},
                               "metadata": {"type": "object"}}}
            for sub in [""] + (["/status"] if rt.status else []):
                ops = {}
                for verb in ("get", "put", "patch"):
                    ops[verb] = {
                        "operationId": verb + rt.kind + sub.replace("/", "_"),
                        "parameters": params if verb != "get" else [],
                        "responses": {"200": {"description": "OK",
                                              "content": {
                                                  "application/json": {
                                                      "schema": {
                                                          "$ref":
                                                          "#/components/"
                                                          "schemas/" +
                                                          sname}}}}},
                        "x-kubernetes-action": verb if verb != "put"
                        else "put",
                        "x-kubernetes-group-version-kind": gvk}
                paths[base + sub] = ops
        return {"openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": GIT_VERSION},
                "paths": paths, "components": {"schemas": schemas}}

    # -- discovery
    def group_list(self):
        with self.sim.store.cond:
            groups = self.sim.store.groups()
        out = []
        for g, vs in groups.items():
            out.append({"name": g, "versions": [
                {"groupVersion": g + "/" + v, "version": v} for v in vs],
                "preferredVersion": {"groupVersion": g + "/" + vs[0],
                                     "version": vs[0]}})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": out}

    def send_group(self, group):
        for g in self.group_list()["groups"]:
            if g["name"] == group:
                return self.send_json(200, dict(
                    {"kind": "APIGroup", "apiVersion": "v1"}, **g))
        raise ApiError(404, "NotFound", "the server could not find the "
                       "requested resource")

    def resource_list(self, group, version):
        res = []
        with self.sim.store.cond:
            types = [rt for rt in self.sim.store.types.values()
                     if rt.group == group and version in rt.versions]
        for rt in sorted(types, key=lambda r: r.plural):
            r = {"name": rt.plural, "singularName": rt.singular,
                 "namespaced": rt.namespaced, "kind": rt.kind,
                 "verbs": list(rt.verbs),
                 "storageVersionHash": base64.b64encode(hashlib.sha256(
                     rt.key.encode()).digest()[:8]).decode()}
            if rt.short:
                r["shortNames"] = rt.short
            if rt.categories:
                r["categories"] = rt.categories
            res.append(r)
            if rt.status:
                res.append({"name": rt.plural + "/status", "singularName": "",
                            "namespaced": rt.namespaced, "kind": rt.kind,
                            "verbs": list(STATUS_VERBS)})
            for sub, verbs in rt.extra_sub:
                res.append({"name": rt.plural + "/" + sub,
                            "singularName": "", "namespaced": rt.namespaced,
                            "kind": rt.kind, "verbs": verbs})
        gv = (group + "/" + version) if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": gv, "resources": res}

    # -- reads
    def present(self, rt, version, obj):
        o = {"kind": rt.kind, "apiVersion": rt.api_version(version)}
        for k, v in obj.items():
            if k not in o:
                o[k] = v
        return o

    def send_object(self, rt, version, obj, qv, code=200):
        o = self.present(rt, version, obj)
        tv = wants_table(self.headers.get("Accept"))
        if tv:
            t = make_table(rt, version, [o], {"resourceVersion": o[
                "metadata"].get("resourceVersion", "")},
                qv.get("includeObject", "Metadata"))
            t["apiVersion"] = "meta.k8s.io/" + tv
            return self.send_json(code, t)
        return self.send_json(code, o)

    def serve_list(self, rt, version, ns, qv):
        lsel = parse_label_selector(qv.get("labelSelector"))
        fsel = parse_field_selector(qv.get("fieldSelector"), rt)
        limit = qv.get("limit") or "0"
        if not limit.isdigit():
            raise bad_request("invalid limit %r" % limit)
        limit = int(limit)
        cont = qv.get("continue")
        store = self.sim.store
        want_rv = qv.get("resourceVersion") or ""
        if want_rv and not want_rv.isdigit():
            raise bad_request('invalid resource version: "%s"' % want_rv)
        if want_rv and want_rv != "0" and not cont:
            self.wait_fresh(int(want_rv))
        with store.cond:
            if cont:
                try:
                    tok = json.loads(base64.urlsafe_b64decode(
                        cont + "=" * (-len(cont) % 4)).decode())
                    at_rv, start = int(tok["rv"]), tok["start"]
                    start = (start[0], start[1])
                except (ValueError, KeyError, TypeError, IndexError):
                    raise bad_request("continue key is not valid: "
                                      "incorrect encoded start "
                                      "resourceVersion (version "
                                      "meta.k8s.io/v1)")
                if at_rv == -1:
                    # a token from an Expired answer: go on from the
                    # latest state, inconsistently
                    at_rv = store.rv
                    objs = store.objects[rt.key]
                elif at_rv < store.floor:
                    # etcd3 store.go handleCompactedErrorForPaging: 410
                    # Expired whose ListMeta carries a fresh token (its
                    # resourceVersion -1: "continue at the latest") for
                    # the client that accepts an inconsistent list.
                    raise ApiError(
                        410, "Expired", "The provided continue parameter "
                        "is too old to display a consistent list result. "
                        "You can start a new list without the continue "
                        "parameter, or use the continue token in this "
                        "response to retrieve the remainder of the results. "
                        "Continuing with the provided token results in an "
                        "inconsistent list - objects that were created, "
                        "modified, or deleted between the time the first "
                        "chunk was returned and now may show up in the "
                        "list.", list_meta={"continue": continue_token(
                            -1, start)})
                else:
                    objs = store.snapshot(rt, at_rv)
            else:
                at_rv, start = store.rv, None
                objs = store.objects[rt.key]
            keys = sorted(k for k in objs if (not ns or k[0] == ns) and
                          (start is None or k > start))
            # A page is one read of `limit` keys from storage, filtered
            # afterwards: with a label or field selector it may hold fewer
            # items than the limit, none at all, and still carry a
            # continue token (ListOptions.limit: "Setting a limit may
            # return fewer than the requested amount of items (up to zero
            # items) in the event all requested objects are filtered out
            # and clients should only use the presence of the continue
            # field to determine whether more results are available").
            # remainingItemCount is only given without selectors.
            scanned = keys[:limit] if limit else keys
            items = [objs[k] for k in scanned
                     if labels_match(lsel, objs[k]) and
                     fields_match(fsel, objs[k])]
            more = len(keys) - len(scanned)
        lm = {"resourceVersion": str(at_rv)}
        if more:
            lm["continue"] = continue_token(at_rv, scanned[-1])
            if not lsel and not fsel:
                lm["remainingItemCount"] = more
        items = [self.present(rt, version, o) for o in items]
        tv = wants_table(self.headers.get("Accept"))
        if tv:
            t = make_table(rt, version, items, lm,
                           qv.get("includeObject", "Metadata"))
            t["apiVersion"] = "meta.k8s.io/" + tv
            return self.send_json(200, t)
        if not rt.crd:
            items = [{k: v for k, v in o.items()
                      if k not in ("kind", "apiVersion")} for o in items]
        return self.send_json(200, {
            "kind": rt.kind + "List", "apiVersion": rt.api_version(version),
            "metadata": lm, "items": items})

    # -- writes
    def serve_patch(self, rt, version, ns, name, sub, qv, body):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        sim = self.sim
        dry = qv.get("dryRun") == "All"
        # The patch types a resource accepts (handlers/patch.go answers
        # anything else with negotiation.NewUnsupportedMediaTypeError):
        # custom resources have no Go struct to merge strategically, so
        # apiextensions-apiserver's customresource_handler.go offers only
        # JSON patch, merge patch and apply patch (415 for a strategic
        # merge patch); built-in types also take strategic merge patches.
        accepted = ["application/json-patch+json",
                    "application/merge-patch+json",
                    "application/apply-patch+yaml"]
        if not rt.crd:
            accepted.append("application/strategic-merge-patch+json")
        if ctype not in accepted:
            raise ApiError(415, "UnsupportedMediaType", "the body of the "
                           "request was in an unknown format - accepted "
                           "media types include: " + ", ".join(accepted))
        patch = parse_body(body, ctype)
        if ctype == "application/apply-patch+yaml":
            if not qv.get("fieldManager"):
                raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" '
                               'is invalid: fieldManager: Required value: is '
                               'required for apply patch')
            if not isinstance(patch, dict):
                raise bad_request("an apply patch must be an object")
        with sim.store.cond:
            old = sim.store.objects[rt.key].get((ns, name))
            if old is None:
                if ctype != "application/apply-patch+yaml" or sub:
                    raise not_found(rt, name)
                obj = copy.deepcopy(patch)
                m = obj.setdefault("metadata", {})
                if not isinstance(m, dict) or m.get("name", name) != name:
                    raise bad_request("the name of the object (%s) does not "
                                      "match the name on the URL (%s)" % (
                                          m.get("name"), name))
                m["name"] = name
                o = sim.create(rt, version, ns, obj, dry=dry)
                return self.send_object(rt, version, o, qv, 201)
            cur = self.present(rt, version, old)
            try:
                if ctype == "application/json-patch+json":
                    new = json_patch(cur, patch)
                elif ctype == "application/merge-patch+json":
                    if not isinstance(patch, dict):
                        raise TypeError("a merge patch must be an object")
                    new = merge_patch(cur, patch)
                else:
                    if not isinstance(patch, dict):
                        raise TypeError("a strategic merge patch must be an "
                                        "object")
                    p = patch
                    if ctype == "application/apply-patch+yaml":
                        p = dict(patch)
                        p.pop("apiVersion", None)
                        p.pop("kind", None)
                    new = strategic_merge(cur, p)
            except TypeError as e:
                raise bad_request(str(e))
            except (ValueError, IndexError, KeyError) as e:
                raise ApiError(422, "Invalid", "the server rejected our "
                               "request due to an error in our request: %s"
                               % e)
            if not isinstance(new, dict):
                raise bad_request("the patch must produce an object")
            nm = new.get("metadata") if isinstance(new.get("metadata"),
                                                   dict) else {}
            pm = patch.get("metadata") if isinstance(patch, dict) and \
                isinstance(patch.get("metadata"), dict) else {}
            check = bool(pm.get("resourceVersion")) or (
                ctype == "application/json-patch+json" and
                nm.get("resourceVersion") != old["metadata"].get(
                    "resourceVersion"))
            o = sim.update(rt, version, ns, name, new, sub, check_rv=check,
                           dry=dry)
        return self.send_object(rt, version, o, qv)

    # -- watch
    def watch_write(self, ev_type, obj):
        line = (json.dumps({"type": ev_type, "object": obj}) + "\n").encode()
        if self.fault and self.fault.get("action") == "truncate":
            self.wfile.write(b"%x\r\n" % len(line) + line[:len(line) // 2])
            self.wfile.flush()
            raise simhttp.Dropped()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        self.wfile.flush()

    def client_gone(self):
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(r)

    def next_bookmark(self, deadline):
        """cacher.go nextBookmarkTime: about every bookmark interval
        (defaultBookmarkFrequency, a minute) and once 2 s before the
        watch's own timeout."""
        t = time.time() + self.sim.bookmark_interval
        if deadline - 2 < t and deadline - 2 > time.time():
            t = deadline - 2
        return t

    def wait_fresh(self, rv):
        """A read that must see resourceVersion rv waits up to 3 s for it,
        then fails with storage.NewTooLargeResourceVersionError: 504
        Timeout "Too large resource version: RV, current: CUR", a
        ResourceVersionTooLarge cause and retryAfterSeconds 1, which the
        response writer copies into Retry-After (watch_cache.go
        waitUntilFreshAndBlock, blockTimeout 3 s,
        resourceVersionTooHighRetrySeconds 1)."""
        store = self.sim.store
        end = time.time() + 3.0
        with store.cond:
            while store.rv < rv and time.time() < end and \
                    not store.stopping:
                store.cond.wait(max(0.01, end - time.time()))
            if store.rv >= rv:
                return
            cur = store.rv
        raise ApiError(504, "Timeout", "Too large resource version: %d, "
                       "current: %d" % (rv, cur), {
                           "causes": [{"reason": "ResourceVersionTooLarge",
                                       "message": "Too large resource "
                                                  "version"}],
                           "retryAfterSeconds": 1},
                       headers={"Retry-After": "1"})

    def serve_watch(self, rt, version, ns, qv):
        store = self.sim.store
        lsel = parse_label_selector(qv.get("labelSelector"))
        fsel = parse_field_selector(qv.get("fieldSelector"), rt)
        rv = qv.get("resourceVersion", "")
        bookmarks = qv.get("allowWatchBookmarks") in ("1", "true", "True")
        initial = qv.get("sendInitialEvents") in ("1", "true", "True")
        try:
            timeout = float(qv.get("timeoutSeconds") or 1800)
        except ValueError:
            raise bad_request("invalid timeoutSeconds")
        if rv and not rv.isdigit():
            raise bad_request('invalid resource version: "%s"' % rv)
        table_v = wants_table(self.headers.get("Accept"))
        include = qv.get("includeObject", "Metadata")

        def match(o):
            return o is not None and (not ns or meta(o, "namespace") == ns) \
                and labels_match(lsel, o) and fields_match(fsel, o)

        def out(o):
            o = self.present(rt, version, o)
            if table_v:
                t = make_table(rt, version, [o], {"resourceVersion": o[
                    "metadata"].get("resourceVersion", "")}, include)
                t["apiVersion"] = "meta.k8s.io/" + table_v
                return t
            return o

        expired = None
        if initial and rv not in ("", "0"):
            # sendInitialEvents waits for the watch cache to reach rv
            # (cacher.go waitUntilWatchCacheFreshAndForceAllEvents); a
            # plain watch from a future rv is accepted and simply sees
            # nothing until then.
            try:
                self.wait_fresh(int(rv))
            except ApiError as e:
                expired = e
        with store.cond:
            if expired:
                first, pos = [], store.rv
            elif rv in ("", "0") or initial:
                first = [store.objects[rt.key][k]
                         for k in sorted(store.objects[rt.key])]
                first = [o for o in first if match(o)]
                pos = store.rv
            else:
                first = []
                pos = int(rv)
                if pos < store.floor:
                    # watch_cache.go getAllEventsSinceLocked
                    expired = ApiError(410, "Expired",
                                       "too old resource version: %s (%d)" %
                                       (rv, store.floor + 1))
        # Once the request is authorized and its resourceVersion parsed,
        # errors come as a watch event of type ERROR, not as an HTTP
        # status (cacher.go newErrWatcher).
        self.status_code = 200
        if self.log_entry is not None:
            self.log_entry["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        self.sim.watchers += 1
        epoch = self.sim.watch_epoch
        try:
            if expired:
                self.watch_write("ERROR", expired.to_status())
                self.wfile.write(b"0\r\n\r\n")
                return
            for o in first:
                self.watch_write("ADDED", out(o))
            if initial and bookmarks:
                self.watch_write("BOOKMARK", {
                    "kind": rt.kind, "apiVersion": rt.api_version(version),
                    "metadata": {"resourceVersion": str(pos), "annotations": {
                        "k8s.io/initial-events-end": "true"}}})
            deadline = time.time() + timeout
            next_bm = self.next_bookmark(deadline)
            while True:
                with store.cond:
                    while True:
                        if store.stopping:
                            return
                        if self.sim.watch_epoch != epoch:
                            raise simhttp.Dropped()
                        evs = store.events_after(pos)
                        now = time.time()
                        if evs is None or evs or now >= deadline or (
                                bookmarks and now >= next_bm):
                            break
                        store.cond.wait(min(1.0, deadline - now,
                                            max(0.01, next_bm - now)))
                        if self.client_gone():
                            return
                    head = store.rv
                if evs is None:
                    self.watch_write("ERROR", {
                        "kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message":
                        "too old resource version: %d (%d)" % (
                            pos, store.floor + 1),
                        "reason": "Expired", "code": 410})
                    break
                for ev in evs:
                    if ev.rkey == rt.key:
                        now_m = match(ev.obj) and ev.type != "DELETED"
                        was_m = match(ev.prev)
                        if ev.type == "DELETED":
                            if was_m:
                                self.watch_write("DELETED", out(ev.obj))
                        elif now_m and was_m:
                            self.watch_write("MODIFIED", out(ev.obj))
                        elif now_m:
                            self.watch_write("ADDED", out(ev.obj))
                        elif was_m:
                            self.watch_write("DELETED", out(ev.obj))
                    pos = ev.rv
                if time.time() >= deadline:
                    break
                if bookmarks and time.time() >= next_bm:
                    pos = max(pos, head) if not evs else pos
                    self.watch_write("BOOKMARK", {
                        "kind": rt.kind, "apiVersion": rt.api_version(version),
                        "metadata": {"resourceVersion": str(pos)}})
                    next_bm = self.next_bookmark(deadline)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        finally:
            self.sim.watchers -= 1


def ensure_files(d):
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(os.path.join(d, "ca.crt")):
        make_certs(d)
    tp = os.path.join(d, "tokens.json")
    if not os.path.exists(tp):
        write_atomic(tp, json.dumps({
            "admin-token": {"user": "admin", "groups": ["system:masters"]},
            "viewer-token": {"user": "viewer", "groups": ["viewers"]}},
            indent=1) + "\n")
        os.chmod(tp, 0o600)


def main():
    ap = argparse.ArgumentParser(description="Kubernetes API simulator")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--plain-port", type=int, default=None,
                    help="also serve plain HTTP on this loopback port (for "
                    "a TLS-terminating front such as nghttpx)")
    # cacher.go: defaultBookmarkFrequency = time.Minute
    ap.add_argument("--bookmark-interval", type=float, default=60.0)
    ap.add_argument("--history", type=int, default=1000)
    ap.add_argument("--establish-delay", type=float, default=0.3,
                    help="seconds before a new CRD is Established")
    ap.add_argument("--save-interval", type=float, default=0.05,
                    help="seconds between snapshots of state.json while "
                    "objects change (a snapshot of thousands of objects "
                    "takes the lock for a while; benchmarks at scale save "
                    "rarely)")
    args = ap.parse_args()
    d = os.path.abspath(args.dir)
    ensure_files(d)
    # Trust the rogue CA at the TLS layer too, so that its certificates
    # reach the authenticator and get a 401 there, as with kube-apiserver
    # (which requests but does not require client certificates).
    cas = [os.path.join(d, "ca.crt")]
    if os.path.exists(os.path.join(d, "rogue-ca.crt")):
        cas.append(os.path.join(d, "rogue-ca.crt"))
    ctx = simhttp.tls_context(os.path.join(d, "server.crt"),
                              os.path.join(d, "server.key"), client_ca=cas,
                              verify="optional")
    sim = Sim(args)
    servers = []
    # one fault list and one request log for both ports
    shared = dict(sim=sim, faults=simhttp.Faults(),
                  requests=simhttp.RequestLog())
    try:
        servers.append(simhttp.listen(args.port, Handler, ctx, **shared))
        if args.plain_port is not None:
            servers.append(simhttp.listen(args.plain_port, Handler, None,
                                          **shared))
    except OSError as e:
        sys.stderr.write("kubesim: %s\n" % e)
        return 1
    port = servers[0].server_address[1]
    write_atomic(os.path.join(d, "pid"), "%d\n" % os.getpid())
    if len(servers) > 1:
        write_atomic(os.path.join(d, "plain_port"),
                     "%d\n" % servers[1].server_address[1])
    write_atomic(os.path.join(d, "port"), "%d\n" % port)
    sys.stderr.write("kubesim: listening on https://127.0.0.1:%d (pid %d)\n"
                     % (port, os.getpid()))
    sys.stderr.flush()
    saver = threading.Thread(target=sim.store.saver, daemon=True)
    saver.start()
    sim.start_background()

    def on_stop():
        with sim.store.cond:
            sim.store.stopping = True
            sim.store.cond.notify_all()
        saver.join(2.0)
        sim.store.flush()
        sys.stderr.write("kubesim: stopped\n")

    return simhttp.run(servers, on_stop)


if __name__ == "__main__":
    sys.exit(main())
