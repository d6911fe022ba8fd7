#!/usr/bin/env python3
"""whyworld.py - the failures `jumpdeck why` explains, seeded into the
simulated cluster through its API: Flux (fluxworld.py) with Kustomizations
whose status says what kustomize-controller would say, and the workloads,
pods, events and logs behind them (workloads.py).

  whyworld.py seed --dir D --scenario S [--registry HOST] [--era ERA]

Scenarios:
  falco          the walkthrough's failure: Kustomization falco-system,
                 "Health check failed ... timeout waiting for:
                 [DaemonSet/falco-system/falco status: 'InProgress']", its
                 pods in ImagePullBackOff on live/falcosecurity/falco
  crashloop      Kustomization a0005-i: Deployment web crash-looping, the
                 previous container's log carrying escape sequences
  unschedulable  Kustomization a0005-o: Deployment batch, a pod the
                 scheduler cannot place
  healthy        Kustomization baseline: Ready, its workloads ready
  many           Kustomization many: 300 Deployments in 30 namespaces,
                 one of them not ready and named by the health check
  dependency     Kustomization apps, waiting on falco-system (seed falco
                 first)

--registry is the registry host the workloads pull from (default the
acr_name of a registry.py directory given with --registry-dir, else
acraksdemo.azurecr.io). Flux's CRDs and GitRepository flux-system are
created when missing.
"""
import argparse
import http.client
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fluxworld  # noqa: E402
import registry  # noqa: E402
import workloads  # noqa: E402
import world  # noqa: E402

NS = fluxworld.NS
SHA = fluxworld.SHA


def flux(api, era):
    """CRDs, the controllers and a Ready GitRepository, once."""
    fluxworld.ensure_ns(api)
    try:
        api.call("GET", "/apis/source.toolkit.fluxcd.io")
        return
    except world.WorldError:
        pass
    fluxworld.post_crds(api, era)
    fluxworld.wait_established(api, era)
    fluxworld.seed_controllers(api, era)
    fluxworld.create(api, fluxworld.gitrepo("flux-system", era,
                                            fluxworld.DEFAULT_GIT_URL),
                     fluxworld.gitrepo_status(era, True, SHA))


def ks(api, era, name, ready, reason, message, inventory, depends=None):
    """A Kustomization as kustomize-controller leaves it: the Ready
    condition and the inventory of what it applied (v1beta2/v1 ids
    "<ns>_<name>_<group>_<kind>")."""
    o = fluxworld.kustomization(name, era, "./cluster-manifests/" + name,
                                depends=depends)
    o["spec"]["wait"] = True
    o["spec"]["timeout"] = "5m"
    rev = fluxworld.revision(era, SHA)
    st = {"observedGeneration": 1, "lastAttemptedRevision": rev,
          "conditions": [fluxworld.cond("Ready", ready, reason, message)]}
    if ready == "True":
        st["lastAppliedRevision"] = rev
    if fluxworld.ERAS[era]["style"] == "v1beta1":
        kinds = {}
        for i in inventory:
            n, _, g, k = i.split("_")
            kinds.setdefault(n, {})["%s/v1, Kind=%s" % (g, k) if g else
                                    "/v1, Kind=%s" % k] = k
        st["snapshot"] = {"checksum": "ef" * 20, "entries": [
            {"namespace": n, "kinds": v} for n, v in sorted(kinds.items())]}
    else:
        st["inventory"] = {"entries": [{"id": i, "v": "v1"}
                                       for i in inventory]}
    fluxworld.create(api, o, {"status": st})


def health_failed(kind_ns_name):
    return ("Health check failed after 5m0.012345678s: timeout waiting for: "
            "[%s status: 'InProgress']" % kind_ns_name)


def seed_falco(api, era):
    workloads.seed_falco(api)
    ks(api, era, "falco-system", "False", "HealthCheckFailed",
       health_failed("DaemonSet/falco-system/falco"),
       ["_falco-system__Namespace", "falco-system_falco__ServiceAccount",
        "falco-system_falco_apps_DaemonSet"])


# Escape sequences a hostile or broken program may write to its log: a
# window-title OSC, a clipboard OSC 52, a screen clear and colours, a C1
# CSI (U+009B) and a bidi override.
HOSTILE = ("\x1b]0;owned\x07\x1b]52;c;ZWNobyBoaQ==\x07\x1b[2J"
           "\x1b[31mFATAL\x1b[0m \u009b6n \u202eevil\u202c config missing\n")


def seed_crashloop(api, era):
    workloads.seed_crashloop(api)
    name = "web-%s-%s" % (workloads.short_hash("web"),
                          workloads.short_hash("web-pod", 5))
    workloads.log(api.dir, "a0005-i", name, "web", HOSTILE, previous=True)
    ks(api, era, "a0005-i", "False", "HealthCheckFailed",
       health_failed("Deployment/a0005-i/web"),
       ["_a0005-i__Namespace", "a0005-i_web_apps_Deployment"])


def seed_unschedulable(api, era):
    workloads.seed_unschedulable(api)
    ks(api, era, "a0005-o", "False", "HealthCheckFailed",
       health_failed("Deployment/a0005-o/batch"),
       ["_a0005-o__Namespace", "a0005-o_batch_apps_Deployment"])


def seed_healthy(api, era):
    inv = []
    for name, image in (("kured", "weaveworks/kured:1.6.1"),
                        ("aad-pod-identity", "mic:1.8")):
        workloads.deployment(api, "cluster-baseline-settings", name,
                             "%s/live/%s" % (workloads.REGISTRY, image))
        workloads.rollout_status(api, "Deployment",
                                 "cluster-baseline-settings", name, 1, 1)
        inv.append("cluster-baseline-settings_%s_apps_Deployment" % name)
    ks(api, era, "baseline", "True", "ReconciliationSucceeded",
       "Applied revision: %s" % fluxworld.revision(era, SHA), inv)


class Keep:
    """world.Api's calls over one kept-alive connection: hundreds of
    objects are seeded in seconds, not in a TLS handshake each."""

    def __init__(self, api):
        self.api = api
        u = urllib.parse.urlsplit(api.base)
        self.c = http.client.HTTPSConnection(u.hostname, u.port,
                                             context=api.ctx, timeout=10)

    def call(self, method, path, body=None, ctype="application/json",
             ok=(200, 201)):
        self.c.request(method, path, body=json.dumps(body), headers={
            "Authorization": "Bearer " + self.api.token,
            "Content-Type": ctype, "User-Agent": "whyworld/1"})
        r = self.c.getresponse()
        data = r.read()
        if r.status not in ok:
            raise world.WorldError("%s %s: %d %s" % (
                method, path, r.status, data[:300].decode(errors="replace")))
        return json.loads(data)

    def close(self):
        self.c.close()


def seed_many(api, era, namespaces=30, per=10):
    """Deployments as the deployment controller leaves them: status
    written through /status (apps/v1 DeploymentStatus)."""
    inv = []
    bad = None
    k = Keep(api)
    for n in range(namespaces):
        ns = "many-%02d" % n
        workloads.ensure_ns(api, ns)
        for i in range(per):
            name = "svc-%03d" % (n * per + i)
            labels = {"app.kubernetes.io/name": name}
            ready = 0 if (n, i) == (namespaces - 1, per - 1) else 1
            path = workloads.apps_path("Deployment", ns)
            k.call("POST", path, {
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns,
                             "labels": labels},
                "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                         "template": workloads.template(
                             name, "%s/live/a0005/%s:1" % (
                                 workloads.REGISTRY, name), labels)}})
            k.call("PATCH", "%s/%s/status" % (path, name), {"status": {
                "observedGeneration": 1, "replicas": 1,
                "updatedReplicas": 1, "readyReplicas": ready,
                "availableReplicas": ready}},
                ctype="application/merge-patch+json")
            inv.append("%s_%s_apps_Deployment" % (ns, name))
            if not ready:
                bad = "Deployment/%s/%s" % (ns, name)
    k.close()
    ks(api, era, "many", "False", "HealthCheckFailed", health_failed(bad),
       inv)


def seed_dependency(api, era):
    ks(api, era, "apps", "False", "DependencyNotReady",
       "dependency 'flux-system/falco-system' is not ready", [],
       depends=["falco-system"])


SCENARIOS = {"falco": seed_falco, "crashloop": seed_crashloop,
             "unschedulable": seed_unschedulable, "healthy": seed_healthy,
             "many": seed_many, "dependency": seed_dependency}


def main():
    ap = argparse.ArgumentParser(description="failures for jumpdeck why")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--dir", required=True)
    p.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    p.add_argument("--registry", default="")
    p.add_argument("--registry-dir", default="")
    p.add_argument("--era", default="current",
                   choices=sorted(fluxworld.ERAS))
    a = ap.parse_args()
    if a.registry:
        workloads.REGISTRY = a.registry
    elif a.registry_dir:
        workloads.REGISTRY = "%s.azurecr.io" % (registry.read(
            os.path.join(a.registry_dir, "acr_name")) or registry.DEFAULT_ACR)
    try:
        api = world.Api(os.path.abspath(a.dir))
        flux(api, a.era)
        SCENARIOS[a.scenario](api, a.era)
    except world.WorldError as e:
        print("whyworld: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
