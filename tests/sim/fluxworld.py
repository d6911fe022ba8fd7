#!/usr/bin/env python3
"""fluxworld.py - Flux in the simulated cluster: its CRDs as three real
releases serve them, the controller Deployments, objects of every kind in
every state, and a stand-in controller that answers reconcile requests the
way the controllers of that release do. Everything goes through the
Kubernetes API of kubesim, never behind its back.

  fluxworld.py crds       --dir D [--era v0.8|2.0|current]
  fluxworld.py seed       --dir D [--era ERA] [--scenario demo|states|kinds]
                          [--git-url URL] [--sha SHA]
  fluxworld.py seed-drift --dir D --gitdir G [--era ERA]
  fluxworld.py controller --dir D [--delay S]   (runs until killed)

--api v1beta1 and --api v1 are the older names of --era v0.8 and
--era current.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

SOURCE = "source.toolkit.fluxcd.io"
KUSTOMIZE = "kustomize.toolkit.fluxcd.io"
HELM = "helm.toolkit.fluxcd.io"
NS = "flux-system"
SHA = "5f3c2a1b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"
DEFAULT_GIT_URL = ("https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME"
                   "/aks-baseline-regulated")
OLD_SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
ANN_REQUESTED = "reconcile.fluxcd.io/requestedAt"
ANN_FAIL = "sim.jumpdeck.dev/fail"   # the stand-in fails with this message
ANN_SHA = "sim.jumpdeck.dev/sha"     # ... or applies this commit

# plural -> (group, kind, singular, short names), as the CRDs name them.
KINDS = {
    "gitrepositories": (SOURCE, "GitRepository", "gitrepository",
                        ["gitrepo"]),
    "ocirepositories": (SOURCE, "OCIRepository", "ocirepository",
                        ["ocirepo"]),
    "helmrepositories": (SOURCE, "HelmRepository", "helmrepository",
                         ["helmrepo"]),
    "helmcharts": (SOURCE, "HelmChart", "helmchart", ["hc"]),
    "buckets": (SOURCE, "Bucket", "bucket", []),
    "kustomizations": (KUSTOMIZE, "Kustomization", "kustomization", ["ks"]),
    "helmreleases": (HELM, "HelmRelease", "helmrelease", ["hr"]),
}
PLURAL_OF = {v[1]: k for k, v in KINDS.items()}

# Which versions each release serves, per kind, the storage version
# first; a kind absent from an era has no CRD in it.
ERAS = {
    # The walkthrough's flux-system/gotk-crds.yaml (source- and
    # kustomize-controller v0.8.1, controller-gen v0.3.0): Bucket,
    # GitRepository, HelmChart, HelmRepository and Kustomization, each
    # serving v1beta1 only; no helm-controller (upstream-facts 1.3).
    "v0.8": {
        "versions": {
            "gitrepositories": ["v1beta1"],
            "helmrepositories": ["v1beta1"],
            "helmcharts": ["v1beta1"],
            "buckets": ["v1beta1"],
            "kustomizations": ["v1beta1"],
        },
        "controllers": [("source-controller", "v0.8.1"),
                        ("kustomize-controller", "v0.8.1")],
        "style": "v1beta1",
        "labels": False,
    },
    # Flux 2.0.x: source-controller v1.0.0 promoted only GitRepository to
    # v1 (CHANGELOG 1.0.0-rc.1: the gitrepositories CRD serves v1 as
    # storage, v1beta2 and v1beta1 deprecated); HelmRepository, HelmChart
    # and Bucket stay v1beta2 (+v1beta1) until HelmRepository/HelmChart v1
    # in 1.3.0 (2024-05-03) and Bucket v1 in 1.4.0; OCIRepository was born
    # at v1beta2 and stays there until 1.6.0. kustomize-controller v1.0.0:
    # v1, v1beta2, v1beta1. helm-controller v0.35.0: v2beta1 only (v2beta2
    # comes with Flux 2.2, v2 with 2.3).
    "2.0": {
        "versions": {
            "gitrepositories": ["v1", "v1beta2", "v1beta1"],
            "ocirepositories": ["v1beta2"],
            "helmrepositories": ["v1beta2", "v1beta1"],
            "helmcharts": ["v1beta2", "v1beta1"],
            "buckets": ["v1beta2", "v1beta1"],
            "kustomizations": ["v1", "v1beta2", "v1beta1"],
            "helmreleases": ["v2beta1"],
        },
        "controllers": [("source-controller", "v1.0.0"),
                        ("kustomize-controller", "v1.0.0"),
                        ("helm-controller", "v0.35.0")],
        "style": "v1",
        "labels": True,
    },
    # Current Flux (source- and kustomize-controller API v1.8.0): v1beta1
    # stopped being served in API v1.7.0 and v1beta2 in v1.8.0, so every
    # kind is v1 only. As the AKS microsoft.flux extension runs it for the
    # walkthrough today: helm-controller disabled (upstream-facts 1.3).
    "current": {
        "versions": {
            "gitrepositories": ["v1"],
            "ocirepositories": ["v1"],
            "helmrepositories": ["v1"],
            "helmcharts": ["v1"],
            "buckets": ["v1"],
            "kustomizations": ["v1"],
        },
        "controllers": [("source-controller", "v1.8.0"),
                        ("kustomize-controller", "v1.8.0")],
        "style": "v1",
        "labels": True,
    },
}
ERA_ALIASES = {"v1beta1": "v0.8", "v1": "current"}


def era_of(name):
    name = ERA_ALIASES.get(name, name)
    if name not in ERAS:
        raise world.WorldError("unknown Flux era %r (v0.8, 2.0, current)"
                               % name)
    return name


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def served(era, plural):
    return ERAS[era]["versions"].get(plural)


def api_version(era, plural):
    """group/version an object of that kind is created with: the storage
    version, as the release's own manifests write it."""
    return "%s/%s" % (KINDS[plural][0], served(era, plural)[0])


# ---------------------------------------------------------------- CRDs

def ready_columns():
    # additionalPrinterColumns of the real CRDs (Age, Ready, Status)
    return [{"name": "Age", "type": "date",
             "jsonPath": ".metadata.creationTimestamp"},
            {"name": "Ready", "type": "string",
             "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
            {"name": "Status", "type": "string",
             "jsonPath": '.status.conditions[?(@.type=="Ready")].message'}]


def crd(era, plural):
    group, kind, singular, short = KINDS[plural]
    versions = served(era, plural)
    labels = {}
    if ERAS[era]["labels"]:
        labels = {"app.kubernetes.io/part-of": "flux",
                  "app.kubernetes.io/instance": NS}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "%s.%s" % (plural, group), "labels": labels},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": singular,
                      "shortNames": short, "listKind": kind + "List"},
            "scope": "Namespaced",
            "versions": [{
                "name": v, "served": True, "storage": i == 0,
                # v1.0.0 marks the older versions deprecated
                "deprecated": i > 0 and era != "v0.8",
                "subresources": {"status": {}},
                "additionalPrinterColumns": ready_columns(),
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True}},
            } for i, v in enumerate(versions)],
        },
    }


def post_crds(api, era):
    for plural in ERAS[era]["versions"]:
        api.call("POST",
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                 crd(era, plural), ok=(200, 201, 409))
    wait_established(api, era)


def wait_established(api, era, timeout=10.0):
    """Wait, as `kubectl wait --for=condition=Established` would, until
    every CRD of the era is served (the apiextensions controller takes a
    moment)."""
    end = time.time() + timeout
    for plural in ERAS[era]["versions"]:
        name = "%s.%s" % (plural, KINDS[plural][0])
        while True:
            c = api.call("GET", "/apis/apiextensions.k8s.io/v1/"
                         "customresourcedefinitions/" + name)
            conds = (c.get("status") or {}).get("conditions") or []
            if any(x.get("type") == "Established" and
                   x.get("status") == "True" for x in conds):
                break
            if time.time() > end:
                raise world.WorldError("CRD %s not Established after %ds"
                                       % (name, timeout))
            time.sleep(0.05)


# ---------------------------------------------------------------- statuses

def revision(era, sha, branch="main"):
    """RFC-0005 revisions from source-controller v0.35.0 on (every era
    but v0.8): main@sha1:<sha>; before: main/<sha>."""
    return ("%s@sha1:%s" % (branch, sha)) if ERAS[era]["style"] == "v1" \
        else ("%s/%s" % (branch, sha))


def digest_of(text):
    return hashlib.sha256(text.encode()).hexdigest()


def cond(ctype, status, reason, message, when=None, gen=1):
    return {"type": ctype, "status": status, "reason": reason,
            "message": message, "lastTransitionTime": when or now(),
            "observedGeneration": gen}


def artifact(era, plural, name, rev, seed):
    """status.artifact: v1 shape (digest, size) or v1beta1 (checksum)."""
    kind_dir = KINDS[plural][2]
    path = "%s/%s/%s/%s.tar.gz" % (kind_dir, NS, name, digest_of(seed)[:12])
    art = {"path": path,
           "url": "http://source-controller.flux-system.svc.cluster."
                  "local./" + path,
           "revision": rev, "lastUpdateTime": now()}
    if ERAS[era]["style"] == "v1":
        art["digest"] = "sha256:" + digest_of(seed + "artifact")
        art["size"] = 12345
    else:
        art["checksum"] = hashlib.sha1(seed.encode()).hexdigest()
    return art


# Ready reasons and messages on success, per kind: v1beta1 API
# (source-controller v0.8.1 api/v1beta1/condition_types.go) and v1 style
# (meta.SucceededReason and the "stored artifact" messages of 1.x).
def source_ready(era, plural, rev):
    if ERAS[era]["style"] == "v1":
        if plural == "helmcharts":
            return ("ChartPullSucceeded", "pulled 'podinfo' chart with "
                    "version '%s'" % rev)
        if plural == "helmrepositories":
            return ("Succeeded", "stored artifact: revision '%s'" % rev)
        if plural == "ocirepositories":
            return ("Succeeded", "stored artifact for digest '%s'" % rev)
        return ("Succeeded", "stored artifact for revision '%s'" % rev)
    reason = {"gitrepositories": "GitOperationSucceed",
              "helmrepositories": "IndexationSucceed",
              "helmcharts": "ChartPullSucceeded",
              "buckets": "BucketOperationSucceed"}[plural]
    return reason, "Fetched revision: %s" % rev


def source_revision(era, plural, sha):
    v1 = ERAS[era]["style"] == "v1"
    if plural == "gitrepositories":
        return revision(era, sha)
    if plural == "ocirepositories":
        return "latest@sha256:" + digest_of(sha + "oci")
    if plural == "helmcharts":
        return "6.5.4"
    if plural in ("helmrepositories", "buckets"):
        return ("sha256:" + digest_of(sha + plural)) if v1 else \
            hashlib.sha1((sha + plural).encode()).hexdigest()
    raise ValueError(plural)


def source_status(era, plural, name, ready, sha, message=None, reason=None,
                  gen=1):
    st = {"observedGeneration": gen, "conditions": []}
    if ready:
        rev = source_revision(era, plural, sha)
        why, msg = source_ready(era, plural, rev)
        st["conditions"].append(cond("Ready", "True", why, msg, gen=gen))
        if ERAS[era]["style"] == "v1":
            st["conditions"].append(cond("ArtifactInStorage", "True", why,
                                         msg, gen=gen))
        st["artifact"] = artifact(era, plural, name, rev, sha + name)
        if ERAS[era]["style"] != "v1":
            st["url"] = st["artifact"]["url"]
        if plural == "helmcharts":
            st["observedChartName"] = "podinfo"
    else:
        fail = {"gitrepositories": "GitOperationFailed",
                "helmrepositories": "IndexationFailed",
                "helmcharts": "ChartPullFailed",
                "ocirepositories": "OCIArtifactPullFailed",
                "buckets": "BucketOperationFailed"}[plural]
        st["conditions"].append(cond(
            "Ready", "False", reason or fail,
            message or "failed to checkout and determine revision",
            gen=gen))
        if ERAS[era]["style"] == "v1":
            st["conditions"].append(cond("FetchFailed", "True",
                                         reason or fail, message or "",
                                         gen=gen))
    return {"status": st}


def gitrepo_status(era, ready, sha, message=None, reason=None):
    return source_status(era, "gitrepositories", "flux-system", ready, sha,
                         message, reason)


def ks_status(era, state, sha, message=None, count=12):
    rev = revision(era, sha)
    st = {"observedGeneration": 1, "conditions": [],
          "lastAttemptedRevision": rev}
    if state == "ready":
        st["lastAppliedRevision"] = rev
        st["conditions"].append(cond(
            "Ready", "True", "ReconciliationSucceeded",
            "Applied revision: %s" % rev))
    elif state == "failed":
        st["lastAppliedRevision"] = revision(era, OLD_SHA)
        st["conditions"].append(cond(
            "Ready", "False", "BuildFailed", message))
    elif state == "reconciling":
        st["conditions"].append(cond(
            "Reconciling", "True", "Progressing",
            "Reconciliation in progress"))
        st["conditions"].append(cond(
            "Ready", "Unknown", "Progressing",
            "Reconciliation in progress"))
    elif state == "stalled":
        st["conditions"].append(cond(
            "Stalled", "True", "BuildFailed", message))
        st["conditions"].append(cond("Ready", "False", "BuildFailed",
                                     message))
    elif state == "dependency":
        st["conditions"].append(cond(
            "Ready", "False", "DependencyNotReady", message))
    if state in ("ready", "failed"):
        if ERAS[era]["style"] == "v1beta1":
            st["snapshot"] = {"checksum": "ef" * 20, "entries": [
                {"namespace": "", "kinds": {
                    "/v1, Kind=Namespace": "Namespace"}},
                {"namespace": "a0005-i", "kinds": {
                    "/v1, Kind=ResourceQuota": "ResourceQuota"}}]}
        else:
            st["inventory"] = {"entries": [
                {"id": "a0005-i_quota%d__ResourceQuota" % i, "v": "v1"}
                for i in range(count)]}
    return {"status": st}


def hr_status(era, ready, message=None, gen=1):
    """HelmRelease v2beta1 (helm-controller v0.35): lastAppliedRevision is
    the chart version; v2 keeps it in status.history instead."""
    st = {"observedGeneration": gen, "conditions": [],
          "helmChart": "%s/%s-podinfo" % (NS, NS),
          "lastAttemptedRevision": "6.5.4"}
    if ready:
        st["lastAppliedRevision"] = "6.5.4"
        st["lastReleaseRevision"] = 1
        st["conditions"].append(cond("Ready", "True",
                                     "ReconciliationSucceeded",
                                     "Release reconciliation succeeded",
                                     gen=gen))
        st["conditions"].append(cond("Released", "True", "InstallSucceeded",
                                     "Helm install succeeded", gen=gen))
    else:
        st["conditions"].append(cond("Ready", "False", "InstallFailed",
                                     message or "Helm install failed",
                                     gen=gen))
    return {"status": st}


# ---------------------------------------------------------------- objects

def deployment(name, era, image_tag):
    labels = {"app": name, "control-plane": "controller",
              "app.kubernetes.io/instance": "flux-system"}
    if ERAS[era]["labels"]:
        labels["app.kubernetes.io/part-of"] = "flux"
        labels["app.kubernetes.io/component"] = name
    else:
        labels["pci-scope"] = "out-of-scope"
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS, "labels": labels},
        "spec": {"replicas": 1,
                 "selector": {"matchLabels": {"app": name}},
                 "template": {
                     "metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{
                         "name": "manager",
                         "image": "acraksdemo.azurecr.io/live/fluxcd/%s:%s"
                                  % (name, image_tag)}]}}},
    }


def deployment_status(ready):
    return {"status": {
        "observedGeneration": 1, "replicas": 1,
        "readyReplicas": 1 if ready else 0,
        "availableReplicas": 1 if ready else 0,
        "updatedReplicas": 1,
        "conditions": [
            cond("Available", "True" if ready else "False",
                 "MinimumReplicasAvailable" if ready
                 else "MinimumReplicasUnavailable",
                 "Deployment has minimum availability." if ready
                 else "Deployment does not have minimum availability."),
            cond("Progressing", "True", "NewReplicaSetAvailable",
                 'ReplicaSet "%s" has successfully progressed.' % "x")]}}


def obj(era, plural, name, spec):
    return {"apiVersion": api_version(era, plural),
            "kind": KINDS[plural][1],
            "metadata": {"name": name, "namespace": NS}, "spec": spec}


def gitrepo(name, era, url, branch="main", suspend=False, secret=None):
    spec = {"interval": "1m", "url": url, "ref": {"branch": branch},
            "timeout": "60s"}
    if suspend:
        spec["suspend"] = True
    if secret:
        spec["secretRef"] = {"name": secret}
    return obj(era, "gitrepositories", name, spec)


def kustomization(name, era, path, depends=None, suspend=False,
                  source="flux-system", source_kind="GitRepository"):
    spec = {"interval": "10m", "path": path, "prune": True,
            "sourceRef": {"kind": source_kind, "name": source}}
    if ERAS[era]["style"] == "v1beta1":
        spec["validation"] = "client"
    if depends:
        spec["dependsOn"] = [{"name": d} for d in depends]
    if suspend:
        spec["suspend"] = True
    return obj(era, "kustomizations", name, spec)


def ensure_ns(api):
    api.call("POST", "/api/v1/namespaces",
             {"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": NS}}, ok=(200, 201, 409))


def create(api, o, status=None):
    plural = PLURAL_OF.get(o["kind"], "deployments")
    base = ("/apis/%s/namespaces/%s/%s" %
            (o["apiVersion"], o["metadata"]["namespace"], plural))
    api.call("POST", base, o)
    if status is not None:
        api.call("PATCH", "%s/%s/status" % (base, o["metadata"]["name"]),
                 status, ctype="application/merge-patch+json")


def seed_controllers(api, era):
    for name, tag in ERAS[era]["controllers"]:
        create(api, deployment(name, era, tag), deployment_status(True))


def seed(api, era, scenario, git_url, sha):
    era = era_of(era)
    ensure_ns(api)
    post_crds(api, era)
    seed_controllers(api, era)
    create(api, gitrepo("flux-system", era, git_url),
           gitrepo_status(era, True, sha))
    create(api, kustomization("flux-system", era, "./cluster-manifests"),
           ks_status(era, "ready", sha))
    if scenario == "demo":
        msg = ("kustomize build failed: accumulating resources: "
               "accumulation err='accumulating resources from "
               "'falco-system': missing Resource metadata'")
        create(api, kustomization("cluster-baseline-settings", era,
                                  "./cluster-manifests/cluster-baseline-"
                                  "settings"),
               ks_status(era, "failed", sha, msg))
        create(api, kustomization("a0005-i", era, "./cluster-manifests/"
                                  "a0005-i",
                                  depends=["cluster-baseline-settings"]),
               ks_status(era, "dependency", sha,
                         "dependency 'flux-system/cluster-baseline-"
                         "settings' is not ready"))
        return
    if scenario == "kinds":
        seed_kinds(api, era, sha)
        return
    if scenario == "states":
        create(api, gitrepo("broken-repo", era,
                            "https://127.0.0.1:1/nowhere.git"),
               gitrepo_status(era, False, sha,
                              "failed to checkout and determine revision: "
                              "unable to clone: connection refused"))
        create(api, gitrepo("paused-repo", era, git_url, suspend=True),
               gitrepo_status(era, True, sha))
        create(api, gitrepo("new-repo", era, git_url))
        create(api, kustomization("failing", era, "./broken"),
               ks_status(era, "failed", sha,
                         "kustomize build failed: no such file or "
                         "directory"))
        create(api, kustomization("reconciling", era, "./apps"),
               ks_status(era, "reconciling", sha))
        create(api, kustomization("stalled", era, "./stalled"),
               ks_status(era, "stalled", sha,
                         "invalid 'path': directory not found"))
        create(api, kustomization("paused", era, "./paused", suspend=True),
               ks_status(era, "ready", sha))
        create(api, kustomization("waiting", era, "./waiting",
                                  depends=["middle"]),
               ks_status(era, "dependency", sha,
                         "dependency 'flux-system/middle' is not ready"))
        create(api, kustomization("middle", era, "./middle",
                                  depends=["failing"]),
               ks_status(era, "dependency", sha,
                         "dependency 'flux-system/failing' is not ready"))
        create(api, kustomization("fresh", era, "./fresh"))


def seed_kinds(api, era, sha):
    """One Ready object of every other kind the era serves, as the
    release's own examples write them."""
    vs = ERAS[era]["versions"]
    if "ocirepositories" in vs:
        create(api, obj(era, "ocirepositories", "podinfo-oci", {
            "interval": "5m",
            "url": "oci://ghcr.io/stefanprodan/manifests/podinfo",
            "ref": {"tag": "latest"}}),
            source_status(era, "ocirepositories", "podinfo-oci", True, sha))
        create(api, kustomization("podinfo-oci", era, "./", source=
                                  "podinfo-oci",
                                  source_kind="OCIRepository"),
               ks_status(era, "ready", sha))
    create(api, obj(era, "helmrepositories", "podinfo", {
        "interval": "10m", "url": "https://stefanprodan.github.io/podinfo"}),
        source_status(era, "helmrepositories", "podinfo", True, sha))
    create(api, obj(era, "buckets", "manifests", {
        "interval": "5m", "provider": "generic", "bucketName": "manifests",
        "endpoint": "minio.minio.svc.cluster.local:9000",
        "insecure": True}),
        source_status(era, "buckets", "manifests", True, sha))
    if "helmreleases" in vs:
        create(api, obj(era, "helmreleases", "podinfo", {
            "interval": "10m", "chart": {"spec": {
                "chart": "podinfo", "version": "6.5.x",
                "sourceRef": {"kind": "HelmRepository",
                              "name": "podinfo"}}}}),
            hr_status(era, True))
        # helm-controller makes the chart object of a HelmRelease
        create(api, obj(era, "helmcharts", "%s-podinfo" % NS, {
            "interval": "10m", "chart": "podinfo", "version": "6.5.x",
            "sourceRef": {"kind": "HelmRepository", "name": "podinfo"},
            "reconcileStrategy": "ChartVersion"}),
            source_status(era, "helmcharts", "%s-podinfo" % NS, True, sha))


# ---------------------------------------------------------------- drift

def secret(api, name, data):
    api.call("POST", "/api/v1/namespaces/%s/secrets" % NS, {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": name, "namespace": NS},
        "data": {k: base64.b64encode(v.encode()).decode()
                 for k, v in data.items()}})


def git_head(gitdir):
    out = subprocess.run(["git", "--git-dir",
                          os.path.join(gitdir, "repos", "demo.git"),
                          "rev-parse", "main"], capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def seed_drift(api, era, gitdir):
    """GitRepositories against the test Git servers of gitserve.py: over
    HTTPS in sync (CA and basic auth from the secret), over SSH behind
    (identity and known_hosts from the secret), over SSH with a wrong
    known_hosts, and an unreachable one."""
    def rd(name):
        with open(os.path.join(gitdir, name)) as f:
            return f.read().strip()
    era = era_of(era)
    head = git_head(gitdir)
    ensure_ns(api)
    post_crds(api, era)
    secret(api, "https-cred", {"username": rd("https_user"),
                               "password": rd("https_password"),
                               "ca.crt": rd("ca.crt") + "\n"})
    secret(api, "ssh-cred", {"identity": rd("client_key") + "\n",
                             "known_hosts": rd("known_hosts") + "\n"})
    secret(api, "ssh-wrong", {"identity": rd("client_key") + "\n",
                              "known_hosts": rd("known_hosts_wrong") +
                              "\n"})
    for name, url, sec, sha in (
            ("https-repo", rd("https_private_url"), "https-cred", head),
            ("ssh-repo", rd("ssh_url"), "ssh-cred", OLD_SHA),
            ("ssh-mismatch", rd("ssh_url"), "ssh-wrong", head),
            ("unreachable", "https://127.0.0.1:1/nowhere.git", None, head)):
        create(api, gitrepo(name, era, url, secret=sec),
               source_status(era, "gitrepositories", name, True, sha))
    return head


# ---------------------------------------------------------------- controller

class Watcher(threading.Thread):
    """List, then watch one kind, as a controller's informer does: resume
    from the last resourceVersion, relist after a 410. Hands every object
    to on_object."""

    def __init__(self, api, path, on_object, stop):
        threading.Thread.__init__(self, daemon=True)
        self.api, self.path, self.on_object = api, path, on_object
        self.stop = stop

    def run(self):
        rv = None
        while not self.stop.is_set():
            try:
                if rv is None:
                    lst = self.api.call("GET", self.path)
                    for o in lst.get("items", []):
                        self.on_object(o)
                    rv = lst["metadata"]["resourceVersion"]
                rv = self.watch(rv)
            except (world.WorldError, OSError, ValueError,
                    http.client.HTTPException) as e:
                print("controller: %s: %s" % (self.path, e),
                      file=sys.stderr, flush=True)
                rv = None
                self.stop.wait(1.0)

    def watch(self, rv):
        u = urllib.parse.urlsplit(self.api.base)
        c = http.client.HTTPSConnection(u.hostname, u.port,
                                        context=self.api.ctx, timeout=90)
        try:
            c.request("GET", "%s?watch=1&allowWatchBookmarks=true&"
                      "resourceVersion=%s&timeoutSeconds=60" % (
                          self.path, rv),
                      headers={"Authorization": "Bearer " + self.api.token,
                               "User-Agent": "fluxworld-controller/1"})
            r = c.getresponse()
            if r.status != 200:
                r.read()
                return None
            while not self.stop.is_set():
                line = r.readline()
                if not line:
                    return rv
                ev = json.loads(line)
                o = ev.get("object") or {}
                if ev.get("type") == "ERROR":
                    return None          # 410 Expired: relist
                rv = (o.get("metadata") or {}).get("resourceVersion", rv)
                if ev.get("type") in ("ADDED", "MODIFIED"):
                    self.on_object(o)
            return rv
        finally:
            c.close()


class StandIn:
    """Plays source-, kustomize- and helm-controller for every kind the
    cluster serves. A reconcile request (the requestedAt annotation not
    yet in status.lastHandledReconcileAt) or a new generation of an object
    the controller has reconciled before starts a reconciliation; a
    suspended object is left alone. The object goes through the real
    intermediate state at once, and `delay` seconds later to the final
    one:

    - v1beta2/v1 controllers (kustomize-controller's reconcile(): Ready
      Unknown "Reconciliation in progress", Reconciling True "Fetching
      manifests for revision ..."; then finalizeStatus(): lastHandled-
      ReconcileAt set, and only on Ready True is Reconciling removed and
      observedGeneration brought up to date; a failure keeps Reconciling
      with reason ProgressingWithRetry and observedGeneration behind);
    - v0.8 controllers (KustomizationProgressing: Ready Unknown
      "reconciliation in progress"; then the final status, which carries
      lastHandledReconcileAt and observedGeneration, in one update).

    An object annotated sim.jumpdeck.dev/fail fails with that message;
    sim.jumpdeck.dev/sha names the commit a source fetches and a
    Kustomization applies."""

    def __init__(self, api, delay):
        self.api, self.delay = api, delay
        self.lock = threading.Lock()
        self.pending = {}
        self.done = set()
        self.stop = threading.Event()
        self.kinds = {}

    def discover(self):
        """Each Flux kind at the newest version this cluster serves it."""
        for plural, (group, _, _, _) in KINDS.items():
            try:
                g = self.api.call("GET", "/apis/" + group)
            except world.WorldError:
                continue
            for v in [x["version"] for x in g.get("versions", [])]:
                rl = self.api.call("GET", "/apis/%s/%s" % (group, v))
                if any(r.get("name") == plural
                       for r in rl.get("resources", [])):
                    self.kinds[plural] = v
                    break
        gv = self.kinds.get("gitrepositories") or \
            self.kinds.get("kustomizations") or "v1"
        self.style = "v1beta1" if gv == "v1beta1" else "v1"

    def era(self):
        return "v0.8" if self.style == "v1beta1" else "current"

    def run(self):
        self.discover()
        if not self.kinds:
            raise world.WorldError("no Flux kinds are served")
        for plural, v in self.kinds.items():
            path = "/apis/%s/%s/%s" % (KINDS[plural][0], v, plural)
            Watcher(self.api, path,
                    lambda o, p=plural: self.seen(p, o), self.stop).start()
        while True:
            self.tick()
            time.sleep(0.05)

    def seen(self, plural, o):
        md = o.get("metadata") or {}
        st = o.get("status") or {}
        if (o.get("spec") or {}).get("suspend"):
            return
        req = (md.get("annotations") or {}).get(ANN_REQUESTED)
        gen = md.get("generation", 1)
        obs = st.get("observedGeneration")
        asked = req and st.get("lastHandledReconcileAt") != req
        moved = isinstance(obs, int) and obs >= 1 and gen > obs
        if not asked and not moved:
            return
        key = (plural, md.get("namespace"), md.get("name"))
        token = (key, req, gen)
        with self.lock:
            if token in self.done or (key in self.pending and
                                      self.pending[key]["token"] == token):
                return
            self.pending[key] = {"token": token, "start": None}

    def tick(self):
        with self.lock:
            work = [(k, dict(v)) for k, v in self.pending.items()]
        for key, p in work:
            if p["start"] is None:
                self.begin(key)
                with self.lock:
                    if key in self.pending:
                        self.pending[key]["start"] = time.time()
            elif time.time() - p["start"] >= self.delay:
                self.finish(key)
                with self.lock:
                    self.done.add(p["token"])
                    if self.pending.get(key, {}).get("token") == \
                            p["token"]:
                        del self.pending[key]

    def path(self, key):
        plural, ns, name = key
        return "/apis/%s/%s/namespaces/%s/%s/%s" % (
            KINDS[plural][0], self.kinds[plural], ns, plural, name)

    def patch_status(self, key, status):
        try:
            self.api.call("PATCH", self.path(key) + "/status",
                          {"status": status},
                          ctype="application/merge-patch+json")
        except world.WorldError as e:
            print("controller: %s" % e, file=sys.stderr, flush=True)

    def get(self, key):
        try:
            return self.api.call("GET", self.path(key))
        except world.WorldError:
            return None

    def begin(self, key):
        o = self.get(key)
        if o is None:
            return
        conds = [c for c in (o.get("status") or {}).get("conditions") or []
                 if c.get("type") not in ("Ready", "Reconciling")]
        gen = (o.get("status") or {}).get("observedGeneration", 1)
        if self.style == "v1beta1":
            conds.append(cond("Ready", "Unknown", "Progressing",
                              "reconciliation in progress", gen=gen))
        else:
            rev = (((o.get("status") or {}).get("artifact") or {})
                   .get("revision") or
                   (o.get("status") or {}).get("lastAttemptedRevision") or
                   "")
            conds.append(cond("Ready", "Unknown", "Progressing",
                              "Reconciliation in progress", gen=gen))
            conds.append(cond("Reconciling", "True", "Progressing",
                              "Fetching manifests for revision %s with a "
                              "timeout of %s" % (
                                  rev, (o.get("spec") or {}).get(
                                      "timeout") or "5m0s"), gen=gen))
        self.patch_status(key, {"conditions": conds})

    def finish(self, key):
        o = self.get(key)
        if o is None:
            return
        plural = key[0]
        md = o["metadata"]
        ann = md.get("annotations") or {}
        fail = ann.get(ANN_FAIL)
        sha = ann.get(ANN_SHA, SHA)
        gen = md.get("generation", 1)
        old = o.get("status") or {}
        era = self.era()
        if plural == "kustomizations":
            st = ks_status(era, "failed" if fail else "ready", sha,
                           fail)["status"]
            if fail and old.get("lastAppliedRevision"):
                st["lastAppliedRevision"] = old["lastAppliedRevision"]
        elif plural == "helmreleases":
            st = hr_status(era, not fail, fail, gen)["status"]
        else:
            st = source_status(era, plural, key[2], not fail, sha, fail,
                               gen=gen)["status"]
        if ANN_REQUESTED in ann:
            st["lastHandledReconcileAt"] = ann[ANN_REQUESTED]
        if self.style == "v1beta1":
            st["observedGeneration"] = gen
        elif fail:
            st["observedGeneration"] = old.get("observedGeneration", 1)
            st["conditions"].append(cond(
                "Reconciling", "True", "ProgressingWithRetry",
                "Reconciliation in progress",
                gen=st["observedGeneration"]))
        else:
            st["observedGeneration"] = gen
        for c in st["conditions"]:
            c["observedGeneration"] = gen
        # the merge patch replaces the conditions list as a whole
        self.patch_status(key, st)


def controller(api, delay):
    StandIn(api, delay).run()


def main():
    p = argparse.ArgumentParser(description="Flux in the simulated world")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("crds", "seed", "controller", "seed-drift"):
        s = sub.add_parser(name)
        s.add_argument("--dir", required=True)
        s.add_argument("--era", "--api", dest="era", default="current",
                       choices=sorted(ERAS) + sorted(ERA_ALIASES))
        s.add_argument("--scenario", choices=["demo", "states", "kinds"],
                       default="states")
        s.add_argument("--git-url", default=DEFAULT_GIT_URL)
        s.add_argument("--sha", default=SHA)
        s.add_argument("--delay", type=float, default=1.0)
        s.add_argument("--gitdir", help="a gitserve.py directory")
    a = p.parse_args()
    try:
        api = world.Api(os.path.abspath(a.dir))
        if a.cmd == "crds":
            post_crds(api, era_of(a.era))
        elif a.cmd == "seed":
            seed(api, a.era, a.scenario, a.git_url, a.sha)
        elif a.cmd == "seed-drift":
            print(seed_drift(api, a.era, os.path.abspath(a.gitdir)))
        else:
            controller(api, a.delay)
    except world.WorldError as e:
        print("fluxworld: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
