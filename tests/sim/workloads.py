#!/usr/bin/env python3
"""workloads.py - workloads in the simulated cluster, written the way the
controllers and the kubelet write them, through kubesim's API: Deployments
and DaemonSets with their rollout status, Pods with container statuses
(running, waiting in ImagePullBackOff or CrashLoopBackOff, terminated),
core/v1 Events as the kubelet and the scheduler record them, container
logs (through the control API: the kubelet is not part of the API), and a
stand-in for the deployment controller that marks what is applied
Available. No real scheduling, no real containers.

  workloads.py controller --dir D [--delay S]     (runs until killed)
  workloads.py seed --dir D --scenario falco|crashloop|unschedulable
  workloads.py log --dir D -n NS POD CONTAINER [--previous] TEXT

As a library (api = world.Api(dir)):
  deployment(api, ns, name, image, replicas=1, labels=None)
  daemonset(api, ns, name, image, labels=None)
  rollout_status(api, kind, ns, name, desired, ready, available=None)
  pod(api, ns, name, owner, node, containers, phase="Running")
  event(api, ns, obj, reason, message, type="Normal", count=1,
        component="kubelet", host=None, age_s=0)
  log(dir, ns, pod, container, text, previous=False)
  waiting(reason, message), running(image, digest), crashed(...)
"""
import argparse
import datetime
import hashlib
import json
import os
import ssl
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

REGISTRY = "acraksdemo.azurecr.io"


def ts(age_s=0):
    t = datetime.datetime.now(datetime.timezone.utc) - \
        datetime.timedelta(seconds=age_s)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def short_hash(text, n=10):
    """A stable pod-template-hash-like suffix."""
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    h = int(hashlib.sha256(text.encode()).hexdigest(), 16)
    out = ""
    for _ in range(n):
        out += alphabet[h % len(alphabet)]
        h //= len(alphabet)
    return out


def apps_path(kind, ns, name=""):
    plural = {"Deployment": "deployments", "DaemonSet": "daemonsets",
              "StatefulSet": "statefulsets",
              "ReplicaSet": "replicasets"}[kind]
    return "/apis/apps/v1/namespaces/%s/%s%s" % (ns, plural,
                                                  "/" + name if name else "")


def ensure_ns(api, ns):
    api.call("POST", "/api/v1/namespaces",
             {"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": ns}}, ok=(200, 201, 409))


# ---------------------------------------------------------------- workloads

def template(name, image, labels):
    return {"metadata": {"labels": dict(labels)},
            "spec": {"containers": [{"name": name, "image": image}]}}


def deployment(api, ns, name, image, replicas=1, labels=None):
    labels = labels or {"app.kubernetes.io/name": name}
    ensure_ns(api, ns)
    return api.call("POST", apps_path("Deployment", ns), {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"replicas": replicas,
                 "selector": {"matchLabels": labels},
                 "template": template(name, image, labels)}})


def daemonset(api, ns, name, image, labels=None):
    labels = labels or {"app.kubernetes.io/name": name}
    ensure_ns(api, ns)
    return api.call("POST", apps_path("DaemonSet", ns), {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"selector": {"matchLabels": labels},
                 "template": template(name, image, labels)}})


def rollout_status(api, kind, ns, name, desired, ready, available=None):
    """The status the deployment or daemonset controller writes (apps/v1
    DeploymentStatus / DaemonSetStatus; the Deployment conditions as
    pkg/controller/deployment/util sets them)."""
    obj = api.call("GET", apps_path(kind, ns, name))
    gen = obj["metadata"].get("generation", 1)
    available = ready if available is None else available
    if kind == "DaemonSet":
        st = {"observedGeneration": gen, "desiredNumberScheduled": desired,
              "currentNumberScheduled": desired, "numberMisscheduled": 0,
              "numberReady": ready, "numberAvailable": available,
              "updatedNumberScheduled": desired}
        if desired - available:
            st["numberUnavailable"] = desired - available
    else:
        rs = "%s-%s" % (name, short_hash(json.dumps(
            obj["spec"].get("template"), sort_keys=True)))
        ok = available >= desired
        st = {"observedGeneration": gen, "replicas": desired,
              "updatedReplicas": desired, "readyReplicas": ready,
              "availableReplicas": available,
              "conditions": [
                  {"type": "Available", "status": "True" if ok else "False",
                   "reason": "MinimumReplicasAvailable" if ok
                   else "MinimumReplicasUnavailable",
                   "message": "Deployment has minimum availability." if ok
                   else "Deployment does not have minimum availability.",
                   "lastUpdateTime": ts(), "lastTransitionTime": ts()},
                  {"type": "Progressing", "status": "True",
                   "reason": "NewReplicaSetAvailable" if ok
                   else "ReplicaSetUpdated",
                   "message": ('ReplicaSet "%s" has successfully '
                               'progressed.' if ok else
                               'ReplicaSet "%s" is progressing.') % rs,
                   "lastUpdateTime": ts(), "lastTransitionTime": ts()}]}
        if desired - available:
            st["unavailableReplicas"] = desired - available
    return api.call("PATCH", apps_path(kind, ns, name) + "/status",
                    {"status": st}, ctype="application/merge-patch+json")


# ---------------------------------------------------------------- pods

def repository(image):
    """registry/path without the tag or digest."""
    repo = image.split("@")[0]
    head, _, last = repo.rpartition("/")
    return (head + "/" if head else "") + last.split(":")[0]


def running(image, digest, started_age_s=60, restarts=0, last=None):
    """A running container's status: imageID is the repository digest the
    runtime resolved (containerd reports REPO@sha256:...)."""
    st = {"image": image, "imageID": "%s@%s" % (repository(image), digest),
          "ready": True, "started": True, "restartCount": restarts,
          "state": {"running": {"startedAt": ts(started_age_s)}}}
    if last:
        st["lastState"] = last
    return st


def waiting(image, reason, message=None, restarts=0, last=None,
            image_id=""):
    """A container that is not running: ErrImagePull / ImagePullBackOff
    (never started: imageID empty), CrashLoopBackOff (restarts, and the
    last termination in lastState), CreateContainerConfigError, ..."""
    st = {"image": image, "imageID": image_id, "ready": False,
          "started": False, "restartCount": restarts,
          "state": {"waiting": {"reason": reason}}}
    if message:
        st["state"]["waiting"]["message"] = message
    if last:
        st["lastState"] = last
    return st


def terminated(reason="Error", exit_code=1, age_s=30, ran_s=5):
    return {"terminated": {"exitCode": exit_code, "reason": reason,
                           "startedAt": ts(age_s + ran_s),
                           "finishedAt": ts(age_s),
                           "containerID": "containerd://" +
                           hashlib.sha256(str(age_s).encode()).hexdigest()}}


def pod(api, ns, name, owner, node, containers, phase="Running",
        labels=None, scheduled=True, unschedulable_message=None):
    """A pod as its controller creates it, then its status as the kubelet
    (or, unscheduled, the scheduler) writes it. owner: (kind, name, uid)
    or None; containers: [(name, image, status)] with status from
    running()/waiting(). Returns the pod."""
    ensure_ns(api, ns)
    md = {"name": name, "namespace": ns, "labels": labels or {}}
    if owner:
        md["ownerReferences"] = [{
            "apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
            "uid": owner[2], "controller": True,
            "blockOwnerDeletion": True}]
    spec = {"containers": [{"name": c[0], "image": c[1]}
                           for c in containers],
            "restartPolicy": "Always"}
    if scheduled and node:
        spec["nodeName"] = node
    p = api.call("POST", "/api/v1/namespaces/%s/pods" % ns, {
        "apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec})
    if not scheduled:
        # the scheduler's PodScheduled=False (pkg/scheduler/schedule_one.go)
        st = {"phase": "Pending", "conditions": [{
            "type": "PodScheduled", "status": "False",
            "reason": "Unschedulable",
            "message": unschedulable_message or "0/7 nodes are available",
            "lastProbeTime": None, "lastTransitionTime": ts()}]}
    else:
        statuses = []
        for cname, image, cst in containers:
            cst = dict(cst)
            cst["name"] = cname
            cst.setdefault("image", image)
            statuses.append(cst)
        ready = all(c.get("ready") for c in statuses)
        st = {"phase": phase, "hostIP": "10.240.0.4",
              "podIP": "10.244.%d.%d" % (len(name) % 200, len(ns) % 200),
              "startTime": ts(120), "qosClass": "BestEffort",
              "conditions": [
                  {"type": "PodScheduled", "status": "True",
                   "lastTransitionTime": ts(120)},
                  {"type": "Initialized", "status": "True",
                   "lastTransitionTime": ts(120)},
                  {"type": "ContainersReady",
                   "status": "True" if ready else "False",
                   "lastTransitionTime": ts(60)},
                  {"type": "Ready", "status": "True" if ready else "False",
                   "lastTransitionTime": ts(60)}],
              "containerStatuses": statuses}
        if not ready:
            notready = [c["name"] for c in statuses if not c.get("ready")]
            for c in st["conditions"][2:]:
                c["reason"] = "ContainersNotReady"
                c["message"] = "containers with unready status: [%s]" % \
                    " ".join(notready)
    return api.call("PATCH", "/api/v1/namespaces/%s/pods/%s/status" % (
        ns, name), {"status": st}, ctype="application/merge-patch+json") \
        or p


# ---------------------------------------------------------------- events

def event(api, ns, obj, reason, message, type="Normal", count=1,
          component="kubelet", host=None, age_s=0, first_age_s=None,
          field_path=None):
    """A core/v1 Event as client-go's event recorder writes it: name
    <object>.<hex>, involvedObject, reason, message, type, count,
    firstTimestamp/lastTimestamp, source {component, host}. obj is the
    object (a dict from the API) the event is about."""
    md = obj["metadata"]
    inv = {"kind": obj.get("kind"), "namespace": md.get("namespace", ns),
           "name": md["name"], "uid": md.get("uid", ""),
           "apiVersion": obj.get("apiVersion", "v1"),
           "resourceVersion": md.get("resourceVersion", "")}
    if field_path:
        inv["fieldPath"] = field_path
    name = "%s.%x" % (md["name"], int(hashlib.sha256(
        (md["name"] + reason + message).encode()).hexdigest()[:12], 16))
    src = {"component": component}
    if host:
        src["host"] = host
    return api.call("POST", "/api/v1/namespaces/%s/events" % ns, {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": inv, "reason": reason, "message": message,
        "type": type, "count": count, "source": src,
        "firstTimestamp": ts(first_age_s if first_age_s is not None
                             else age_s),
        "lastTimestamp": ts(age_s), "reportingComponent": component,
        "reportingInstance": host or ""})


def log(d, ns, pod_name, container, text, previous=False):
    """Append to a container's log (the kubelet's side of pods/log)."""
    port = world.read(os.path.join(d, "port"))
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
    req = urllib.request.Request(
        "https://127.0.0.1:%s/_sim/logs/%s/%s" % (port, ns, pod_name),
        data=json.dumps({"container": container, "previous": previous,
                         "text": text}).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.loads(r.read().decode())


# ---------------------------------------------------------------- scenarios

NODES = ["aks-npsystem-26621167-vmss000000",
         "aks-npinscope01-26621167-vmss000000",
         "aks-npooscope01-26621167-vmss000000"]


def pull_failure(image):
    # containerd's answer for a tag the registry does not have, as the
    # kubelet records it (pkg/kubelet/images/image_manager.go)
    host = image.split("/")[0]
    return ('rpc error: code = NotFound desc = failed to pull and unpack '
            'image "%s": failed to resolve reference "%s": %s: not found'
            % (image, image, image if host else image))


def seed_falco(api):
    """The walkthrough's failure: the falco DaemonSet's pods cannot pull
    live/falcosecurity/falco (imported to quarantine/, never promoted)."""
    ns, image = "falco-system", "%s/live/falcosecurity/falco:0.26.2" % \
        REGISTRY
    ds = daemonset(api, ns, "falco", image)
    rollout_status(api, "DaemonSet", ns, "falco", len(NODES), 0)
    for i, node in enumerate(NODES):
        name = "falco-%s" % short_hash(node, 5)
        p = pod(api, ns, name, ("DaemonSet", "falco",
                                ds["metadata"]["uid"]), node,
                [("falco", image, waiting(
                    image, "ImagePullBackOff",
                    'Back-off pulling image "%s"' % image))],
                phase="Pending",
                labels={"app.kubernetes.io/name": "falco"})
        fp = "spec.containers{falco}"
        event(api, ns, p, "Scheduled", "Successfully assigned %s/%s to %s"
              % (ns, name, node), component="default-scheduler",
              age_s=300)
        event(api, ns, p, "Pulling", 'Pulling image "%s"' % image,
              count=5, host=node, age_s=40, first_age_s=290,
              field_path=fp)
        event(api, ns, p, "Failed", 'Failed to pull image "%s": %s' % (
            image, pull_failure(image)), type="Warning", count=5,
            host=node, age_s=40, first_age_s=290, field_path=fp)
        event(api, ns, p, "Failed", "Error: ErrImagePull", type="Warning",
              count=5, host=node, age_s=40, first_age_s=290,
              field_path=fp)
        event(api, ns, p, "BackOff", 'Back-off pulling image "%s"' % image,
              count=20, host=node, age_s=5, first_age_s=280,
              field_path=fp)
        event(api, ns, p, "Failed", "Error: ImagePullBackOff",
              type="Warning", count=20, host=node, age_s=5,
              first_age_s=280, field_path=fp)


def seed_crashloop(api):
    ns, image = "a0005-i", "%s/live/a0005/web:1.0" % REGISTRY
    digest = "sha256:" + hashlib.sha256(b"web").hexdigest()
    dep = deployment(api, ns, "web", image)
    rollout_status(api, "Deployment", ns, "web", 1, 0)
    name = "web-%s-%s" % (short_hash("web"), short_hash("web-pod", 5))
    last = terminated("Error", 1, age_s=20)
    p = pod(api, ns, name, ("ReplicaSet", "web-" + short_hash("web"),
                            dep["metadata"]["uid"]), NODES[1],
            [("web", image, waiting(
                image, "CrashLoopBackOff",
                "back-off 5m0s restarting failed container=web pod=%s_%s"
                "(%s)" % (name, ns, "uid"), restarts=7, last=last,
                image_id="%s@%s" % (repository(image), digest)))],
            labels={"app.kubernetes.io/name": "web"})
    event(api, ns, p, "BackOff", "Back-off restarting failed container "
          "web in pod %s_%s(%s)" % (name, ns, p["metadata"]["uid"]),
          type="Warning", count=31, host=NODES[1], age_s=10,
          first_age_s=900, field_path="spec.containers{web}")
    log(api.dir, ns, name, "web", "starting web 1.0\nlistening on :8080\n"
        "panic: cannot open /etc/web/config.yaml: no such file or "
        "directory\n", previous=True)


def seed_unschedulable(api):
    ns, image = "a0005-o", "%s/live/a0005/batch:2.1" % REGISTRY
    dep = deployment(api, ns, "batch", image)
    rollout_status(api, "Deployment", ns, "batch", 1, 0)
    msg = ("0/7 nodes are available: 3 node(s) had untolerated taint "
           "{CriticalAddonsOnly: true}, 4 Insufficient cpu. preemption: "
           "0/7 nodes are available: 3 Preemption is not helpful for "
           "scheduling, 4 No preemption victims found for incoming pod.")
    name = "batch-%s-%s" % (short_hash("batch"), short_hash("b-pod", 5))
    p = pod(api, ns, name, ("ReplicaSet", "batch-" + short_hash("batch"),
                            dep["metadata"]["uid"]), None,
            [("batch", image, {})], phase="Pending", scheduled=False,
            unschedulable_message=msg,
            labels={"app.kubernetes.io/name": "batch"})
    event(api, ns, p, "FailedScheduling", msg, type="Warning", count=12,
          component="default-scheduler", age_s=30, first_age_s=600)


# ---------------------------------------------------------------- controller

class DeploymentController:
    """Stands in for the deployment controller and the kubelets behind it:
    a Deployment whose status does not describe its current generation
    (new, or changed by an apply) is, `delay` seconds later, rolled out:
    every replica updated, ready and available, Available True
    "MinimumReplicasAvailable" and Progressing True
    "NewReplicaSetAvailable" (pkg/controller/deployment). A Deployment
    annotated sim.jumpdeck.dev/unavailable stays unavailable."""

    def __init__(self, api, delay):
        self.api, self.delay = api, delay
        self.seen = {}

    def run(self):
        stop = threading.Event()
        w = _Watch(self.api, "/apis/apps/v1/deployments", self.on_object,
                   stop)
        w.start()
        while True:
            now = time.time()
            for key, (gen, t) in list(self.seen.items()):
                if t is not None and now - t >= self.delay:
                    self.seen[key] = (gen, None)
                    self.roll_out(key, gen)
            time.sleep(0.1)

    def on_object(self, o):
        md = o["metadata"]
        st = o.get("status") or {}
        gen = md.get("generation", 1)
        if st.get("observedGeneration") == gen and any(
                c.get("type") == "Available" for c in
                st.get("conditions") or []):
            return
        if (md.get("annotations") or {}).get("sim.jumpdeck.dev/unavailable"):
            return
        key = (md["namespace"], md["name"])
        if self.seen.get(key, (None,))[0] == gen:
            return
        self.seen[key] = (gen, time.time())

    def roll_out(self, key, gen):
        ns, name = key
        try:
            o = self.api.call("GET", apps_path("Deployment", ns, name))
            if o["metadata"].get("generation", 1) != gen:
                return
            n = (o.get("spec") or {}).get("replicas", 1)
            rollout_status(self.api, "Deployment", ns, name, n, n)
        except world.WorldError as e:
            print("workloads: %s" % e, file=sys.stderr, flush=True)


class _Watch(threading.Thread):
    """List then watch one path (all namespaces), like an informer."""

    def __init__(self, api, path, on_object, stop):
        threading.Thread.__init__(self, daemon=True)
        self.api, self.path, self.on_object, self.stop = \
            api, path, on_object, stop

    def run(self):
        import fluxworld
        fluxworld.Watcher(self.api, self.path, self.on_object,
                          self.stop).run()


def main():
    ap = argparse.ArgumentParser(description="workloads in the simulated "
                                 "cluster")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("controller")
    p.add_argument("--dir", required=True)
    p.add_argument("--delay", type=float, default=1.0)
    p = sub.add_parser("seed")
    p.add_argument("--dir", required=True)
    p.add_argument("--scenario", required=True,
                   choices=["falco", "crashloop", "unschedulable"])
    p = sub.add_parser("log")
    p.add_argument("--dir", required=True)
    p.add_argument("-n", "--namespace", default="default")
    p.add_argument("pod")
    p.add_argument("container")
    p.add_argument("text")
    p.add_argument("--previous", action="store_true")
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    try:
        api = world.Api(d)
        if a.cmd == "controller":
            DeploymentController(api, a.delay).run()
        elif a.cmd == "seed":
            {"falco": seed_falco, "crashloop": seed_crashloop,
             "unschedulable": seed_unschedulable}[a.scenario](api)
        else:
            log(d, a.namespace, a.pod, a.container, a.text, a.previous)
    except world.WorldError as e:
        print("workloads: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
