#!/usr/bin/env python3
"""demo-findings.py - what `make demo` shows in the scans pane: Defender
rows for the images it imported, seeded through the Azure simulator's
control API (both generations, one image blocked by the gate), and, with
the argument `pods`, pods in the simulated cluster whose container
statuses run those images (one of them the kured that drifted in live/),
created and given their status through the Kubernetes API as a kubelet
would. Standard library only."""
import json
import os
import ssl
import sys
import urllib.request


def env_of(d):
    env = {}
    for line in open(os.path.join(d, "az", "jumpdeck-azure.env")):
        if "=" in line:
            k, v = line.strip().split("=", 1)
            env[k] = v
    return env


def call(url, ca, method="POST", body=None, headers=None):
    req = urllib.request.Request(url, method=method, headers=headers or {},
                                 data=json.dumps(body).encode()
                                 if body is not None else None)
    ctx = ssl.create_default_context(cafile=ca)
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.loads(r.read() or b"null")


def findings(d):
    env = env_of(d)
    seed = json.load(open(os.path.join(d, "seed.json")))
    ca = env["JUMPDECK_CA_BUNDLE"]

    def post(ref, repo, gen, rows, platform=None):
        digest = seed[ref]["digest"]
        if platform:
            digest = seed[ref]["platforms"][platform]
        call(env["JUMPDECK_SIM_CONTROL_URL"] + "/findings", ca,
             body={"repository": "quarantine/" + repo, "digest": digest,
                   "generation": gen, "findings": rows},
             headers={"Content-Type": "application/json"})

    post("ghcr.io/fluxcd/kustomize-controller:v0.6.3",
         "fluxcd/kustomize-controller", "mdvm",
         [{"severity": "Low", "id": "CVE-2020-28928", "package": "musl",
           "version": "1.2.2-r0", "fixedVersion": "1.2.2-r1",
           "status": "Healthy"}])
    post("ghcr.io/fluxcd/source-controller:v0.6.3",
         "fluxcd/source-controller", "mdvm",
         [{"severity": "Low", "id": "CVE-2021-36159", "package": "apk-tools",
           "version": "2.12.5-r0"},
          {"severity": "Medium", "id": "CVE-2021-22945", "package": "curl",
           "version": "7.77.0-r1"}])
    post("docker.io/weaveworks/kured:1.6.1", "weaveworks/kured", "qualys",
         [{"severity": "Medium", "id": "CVE-2020-8177", "qid": "178411",
           "fixedVersion": "7.71.0"}])
    post("docker.io/falcosecurity/falco:0.26.2", "falcosecurity/falco",
         "mdvm",
         [{"severity": "Critical", "id": "CVE-2021-3711",
           "package": "openssl", "version": "1.1.1k-r0",
           "fixedVersion": "1.1.1l-r0", "cvss": 9.8},
          {"severity": "High", "id": "CVE-2021-3712", "package": "openssl",
           "version": "1.1.1k-r0", "fixedVersion": "1.1.1l-r0"},
          {"severity": "Medium", "id": "CVE-2021-23840",
           "package": "libcrypto1.1", "version": "1.1.1k-r0"},
          {"severity": "Low", "id": "CVE-2021-28831", "package": "busybox",
           "version": "1.32.1-r6"}])
    print("seeded Defender rows for four images")


def pods(d):
    k8s = os.path.join(d, "k8s")
    port = open(os.path.join(k8s, "port")).read().strip()
    base = "https://127.0.0.1:%s" % port
    ca = os.path.join(k8s, "ca.crt")
    hdr = {"Authorization": "Bearer admin-token",
           "Content-Type": "application/json"}
    seed = json.load(open(os.path.join(d, "seed.json")))
    drift = json.load(open(os.path.join(d, "drift.json")))["digest"]
    host = "acrakstest.azurecr.io"
    src = seed["ghcr.io/fluxcd/source-controller:v0.6.3"]["digest"]
    ks = seed["ghcr.io/fluxcd/kustomize-controller:v0.6.3"]["digest"]
    todo = [
        ("flux-system", "source-controller-7d4b9c8f6d-x2x9z",
         "%s/live/fluxcd/source-controller:v0.6.3" % host, src,
         {"app": "source-controller", "pod-template-hash": "7d4b9c8f6d",
          "kustomize.toolkit.fluxcd.io/name": "flux-system",
          "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}),
        ("flux-system", "kustomize-controller-5b9f7c6d8-k4l2m",
         "%s/live/fluxcd/kustomize-controller:v0.6.3" % host, ks,
         {"app": "kustomize-controller", "pod-template-hash": "5b9f7c6d8",
          "kustomize.toolkit.fluxcd.io/name": "flux-system",
          "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}),
        ("cluster-baseline-settings", "kured-8xk2p",
         "%s/live/weaveworks/kured:1.6.1" % host, drift,
         {"name": "kured"}),
    ]
    for ns, name, image, digest, labels in todo:
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": ns,
                            "labels": labels},
               "spec": {"nodeName": "aks-npsystem-26621167-vmss000000",
                        "containers": [{"name": "main", "image": image}]}}
        call("%s/api/v1/namespaces/%s/pods" % (base, ns), ca, body=pod,
             headers=hdr)
        repo = image.rsplit(":", 1)[0]
        status = {"status": {"phase": "Running", "containerStatuses": [{
            "name": "main", "image": image,
            "imageID": "%s@%s" % (repo, digest), "ready": True,
            "restartCount": 0, "started": True,
            "state": {"running": {"startedAt": "2026-12-01T08:00:00Z"}}}]}}
        call("%s/api/v1/namespaces/%s/pods/%s/status" % (base, ns, name), ca,
             method="PATCH", body=status,
             headers=dict(hdr, **{"Content-Type":
                                  "application/merge-patch+json"}))
    print("created %d pods" % len(todo))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "pods":
        pods(sys.argv[1])
    else:
        findings(sys.argv[1])
