#!/usr/bin/env python3
"""fluxworld.py - Flux in the simulated cluster: its CRDs (as the walkthrough's
v0.8 controllers served them, v1beta1, or as current Flux does, v1), the
controller Deployments, sources and kustomizations in every state, and a
stand-in controller that answers reconcile requests. Everything goes through
the Kubernetes API of kubesim, never behind its back.

  fluxworld.py crds       --dir D [--api v1beta1|v1]
  fluxworld.py seed       --dir D [--api v1beta1|v1] [--scenario demo|states]
                          [--git-url URL] [--sha SHA]
  fluxworld.py controller --dir D [--delay S]   (runs until killed)
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

SOURCE = "source.toolkit.fluxcd.io"
KUSTOMIZE = "kustomize.toolkit.fluxcd.io"
NS = "flux-system"
SHA = "5f3c2a1b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"
DEFAULT_GIT_URL = ("https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME"
                   "/aks-baseline-regulated")
OLD_SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"

KINDS = [
    # group, kind, plural, singular, short names
    (SOURCE, "GitRepository", "gitrepositories", "gitrepository",
     ["gitrepo"]),
    (SOURCE, "HelmRepository", "helmrepositories", "helmrepository",
     ["helmrepo"]),
    (SOURCE, "Bucket", "buckets", "bucket", []),
    (SOURCE, "HelmChart", "helmcharts", "helmchart", ["hc"]),
    (KUSTOMIZE, "Kustomization", "kustomizations", "kustomization", ["ks"]),
]


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def crd(group, kind, plural, singular, short, api):
    if api == "v1":
        versions = [("v1", True), ("v1beta2", False)]
        if kind == "Bucket" or kind == "HelmChart":
            versions = [("v1", True)]
    else:
        versions = [("v1beta1", True)]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "%s.%s" % (plural, group),
                     "labels": {"app.kubernetes.io/part-of": "flux"}
                     if api == "v1" else {}},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": singular,
                      "shortNames": short, "listKind": kind + "List"},
            "scope": "Namespaced",
            "versions": [{
                "name": v, "served": True, "storage": storage,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True}},
            } for v, storage in versions],
        },
    }


def post_crds(api, era):
    for group, kind, plural, singular, short in KINDS:
        api.call("POST",
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                 crd(group, kind, plural, singular, short, era),
                 ok=(200, 201, 409))


def version(era, group):
    return "%s/%s" % (group, "v1" if era == "v1" else "v1beta1")


def revision(era, sha, branch="main"):
    return ("%s@sha1:%s" % (branch, sha)) if era == "v1" else \
        ("%s/%s" % (branch, sha))


def cond(ctype, status, reason, message, when=None):
    return {"type": ctype, "status": status, "reason": reason,
            "message": message, "lastTransitionTime": when or now(),
            "observedGeneration": 1}


def deployment(name, era, image_tag, ready=True):
    labels = {"app": name, "control-plane": "controller",
              "app.kubernetes.io/instance": "flux-system"}
    if era == "v1":
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


def gitrepo(name, era, url, branch="main", suspend=False, secret=None):
    spec = {"interval": "1m", "url": url, "ref": {"branch": branch},
            "timeout": "60s"}
    if suspend:
        spec["suspend"] = True
    if secret:
        spec["secretRef"] = {"name": secret}
    return {"apiVersion": version(era, SOURCE), "kind": "GitRepository",
            "metadata": {"name": name, "namespace": NS}, "spec": spec}


def gitrepo_status(era, ready, sha, message=None, reason=None):
    rev = revision(era, sha)
    st = {"observedGeneration": 1, "conditions": []}
    if ready:
        st["conditions"].append(cond(
            "Ready", "True", "Succeeded" if era == "v1"
            else "GitOperationSucceed",
            "stored artifact for revision '%s'" % rev if era == "v1"
            else "Fetched revision: %s" % rev))
        art = {"path": "gitrepository/flux-system/x/%s.tar.gz" % sha,
               "url": "http://source-controller.flux-system.svc.cluster."
                      "local./gitrepository/flux-system/x/%s.tar.gz" % sha,
               "revision": rev, "lastUpdateTime": now()}
        if era == "v1":
            art["digest"] = "sha256:" + "ab" * 32
            art["size"] = 12345
        else:
            art["checksum"] = "cd" * 20
        st["artifact"] = art
        if era != "v1":
            st["url"] = art["url"]
    else:
        st["conditions"].append(cond(
            "Ready", "False", reason or "GitOperationFailed",
            message or "failed to checkout and determine revision"))
    return {"status": st}


def kustomization(name, era, path, depends=None, suspend=False,
                  source="flux-system"):
    spec = {"interval": "10m", "path": path, "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": source}}
    if era != "v1":
        spec["validation"] = "client"
    if depends:
        spec["dependsOn"] = [{"name": d} for d in depends]
    if suspend:
        spec["suspend"] = True
    return {"apiVersion": version(era, KUSTOMIZE), "kind": "Kustomization",
            "metadata": {"name": name, "namespace": NS}, "spec": spec}


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
        if era == "v1beta1":
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


def ensure_ns(api):
    api.call("POST", "/api/v1/namespaces",
             {"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": NS}}, ok=(200, 201, 409))


def create(api, obj, status=None):
    group_version = obj["apiVersion"]
    plural = {"GitRepository": "gitrepositories",
              "Kustomization": "kustomizations",
              "Deployment": "deployments"}[obj["kind"]]
    base = ("/apis/%s/namespaces/%s/%s" %
            (group_version, obj["metadata"]["namespace"], plural))
    api.call("POST", base, obj)
    if status is not None:
        api.call("PATCH", "%s/%s/status" % (base, obj["metadata"]["name"]),
                 status, ctype="application/merge-patch+json")


def seed(api, era, scenario, git_url, sha):
    ensure_ns(api)
    post_crds(api, era)
    tag = "v1.4.1" if era == "v1" else "v0.8.1"
    create(api, deployment("source-controller", era, tag),
           deployment_status(True))
    create(api, deployment("kustomize-controller", era, tag),
           deployment_status(True))
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
    create(api, gitrepo("https-repo", era, rd("https_private_url"),
                        secret="https-cred"),
           gitrepo_status(era, True, head))
    create(api, gitrepo("ssh-repo", era, rd("ssh_url"), secret="ssh-cred"),
           gitrepo_status(era, True, OLD_SHA))
    create(api, gitrepo("ssh-mismatch", era, rd("ssh_url"),
                        secret="ssh-wrong"),
           gitrepo_status(era, True, head))
    create(api, gitrepo("unreachable", era,
                        "https://127.0.0.1:1/nowhere.git"),
           gitrepo_status(era, True, head))
    return head


# ---------------------------------------------------------------- controller

def controller(api, delay):
    """Play source- and kustomize-controller: answer every reconcile
    request (the requestedAt annotation) after `delay` seconds. An object
    annotated sim.jumpdeck.dev/fail gets Ready False with that message."""
    seen = {}
    while True:
        for group, plural in ((SOURCE, "gitrepositories"),
                              (KUSTOMIZE, "kustomizations")):
            for ver in ("v1", "v1beta1"):
                try:
                    lst = api.call("GET", "/apis/%s/%s/%s" %
                                   (group, ver, plural))
                    break
                except world.WorldError:
                    lst = None
            if not lst:
                continue
            for o in lst.get("items", []):
                handle(api, group, ver, plural, o, delay, seen)
        time.sleep(0.2)


def handle(api, group, ver, plural, o, delay, seen):
    md = o.get("metadata", {})
    ann = md.get("annotations") or {}
    req = ann.get("reconcile.fluxcd.io/requestedAt")
    st = o.get("status") or {}
    if not req or st.get("lastHandledReconcileAt") == req:
        return
    if (o.get("spec") or {}).get("suspend"):
        return
    key = (plural, md.get("namespace"), md.get("name"), req)
    first = seen.setdefault(key, time.time())
    if time.time() - first < delay:
        return
    fail = ann.get("sim.jumpdeck.dev/fail")
    era = "v1" if ver == "v1" else "v1beta1"
    sha = ann.get("sim.jumpdeck.dev/sha", SHA)
    if plural == "gitrepositories":
        patch = gitrepo_status(era, not fail, sha, fail)
    else:
        patch = ks_status(era, "failed" if fail else "ready", sha, fail)
    patch["status"]["lastHandledReconcileAt"] = req
    patch["status"]["observedGeneration"] = md.get("generation", 1)
    path = "/apis/%s/%s/namespaces/%s/%s/%s/status" % (
        group, ver, md["namespace"], plural, md["name"])
    try:
        api.call("PATCH", path, patch, ctype="application/merge-patch+json")
    except world.WorldError as e:
        print("controller: %s" % e, file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description="Flux in the simulated world")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("crds", "seed", "controller", "seed-drift"):
        s = sub.add_parser(name)
        s.add_argument("--dir", required=True)
        s.add_argument("--api", choices=["v1beta1", "v1"], default="v1")
        s.add_argument("--scenario", choices=["demo", "states"],
                       default="states")
        s.add_argument("--git-url", default=DEFAULT_GIT_URL)
        s.add_argument("--sha", default=SHA)
        s.add_argument("--delay", type=float, default=1.0)
        s.add_argument("--gitdir", help="a gitserve.py directory")
    a = p.parse_args()
    try:
        api = world.Api(os.path.abspath(a.dir))
        if a.cmd == "crds":
            post_crds(api, a.api)
        elif a.cmd == "seed":
            seed(api, a.api, a.scenario, a.git_url, a.sha)
        elif a.cmd == "seed-drift":
            print(seed_drift(api, a.api, os.path.abspath(a.gitdir)))
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
