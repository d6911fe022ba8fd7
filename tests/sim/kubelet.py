#!/usr/bin/env python3
"""kubelet.py - a stand-in for the kubelets of the simulated cluster, as far
as pulling images goes: it watches the pods through kubesim's API and, for
every container of a scheduled pod that has not started or is waiting on an
image pull, pulls the image from the local registry and writes what the
kubelet would write. Also the daemon set controller's status count, so
that a DaemonSet says how many of its pods are ready.

  kubelet.py run --dir D --registry-dir R [--host NAME.azurecr.io]
                 [--namespace NS] [--backoff S] [--max-backoff S]

--host (repeatable) names the registry host that the local "acr" registry
of R stands for (as containerd's hosts.toml mirrors one); an image from any
other host cannot be pulled. Runs until killed.

What it follows:
- pkg/kubelet/images/image_manager.go (EnsureImageExists): a Normal
  "Pulling" event 'Pulling image "X"', then on success "Pulled"
  'Successfully pulled image "X" in 1.2s ...'; on failure a Warning
  "Failed" 'Failed to pull image "X": <error>' and the container waiting
  with reason ErrImagePull; while the back-off lasts, a Normal "BackOff"
  'Back-off pulling image "X"', a Warning "Failed" 'Error:
  ImagePullBackOff' and reason ImagePullBackOff.
- The pull back-off: pkg/kubelet/kubelet.go makes it with
  flowcontrol.NewBackOff(backOffPeriod = 10s, MaxContainerBackOff = 300s),
  doubling per failure.
- containerd's error for a tag the registry does not have (the message
  workloads.pull_failure writes).
- pkg/kubelet/kuberuntime/kuberuntime_container.go: "Created" 'Created
  container C' and "Started" 'Started container C'; the status manager
  (pkg/kubelet/status) then writes the container running and ready (no
  readiness probe here), imageID "<repository>@sha256:..." as containerd
  reports it, the pod Running with Ready and ContainersReady True.
- Events are recorded the way client-go's recorder does: a repeat of the
  same reason and message on the same object raises the event's count and
  lastTimestamp instead of making a new one.
- pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus:
  numberReady, numberAvailable and numberUnavailable counted from the
  DaemonSet's pods (desiredNumberScheduled is left as it is).
"""
import argparse
import datetime
import hashlib
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fluxworld  # noqa: E402
import images  # noqa: E402
import registry  # noqa: E402
import workloads  # noqa: E402
import world  # noqa: E402

PULL_REASONS = ("ErrImagePull", "ImagePullBackOff")


def now_ts():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def split_image(image):
    """host, repository, reference (tag or digest) of an image."""
    first, _, rest = image.partition("/")
    if not rest or not ("." in first or ":" in first or first == "localhost"):
        first, rest = "docker.io", image
    if "@" in rest:
        repo, ref = rest.split("@", 1)
    else:
        head, _, last = rest.rpartition("/")
        name, colon, tag = last.partition(":")
        repo = (head + "/" if head else "") + name
        ref = tag if colon else "latest"
    return first, repo, ref


class Kubelet:
    def __init__(self, api, regdir, hosts, namespace, backoff, max_backoff):
        self.api = api
        self.regdir = regdir
        self.hosts = set(h.lower() for h in hosts)
        self.namespace = namespace
        self.backoff0, self.max_backoff = backoff, max_backoff
        self.lock = threading.Lock()
        self.pods = {}     # (ns, name) -> pod
        self.retry = {}    # (ns, name, container) -> (when, backoff)
        self.stop = threading.Event()

    # -------------------------------------------------------------- pods

    def on_pod(self, p):
        md = p.get("metadata") or {}
        if self.namespace and md.get("namespace") != self.namespace:
            return
        with self.lock:
            self.pods[(md.get("namespace"), md.get("name"))] = p

    def wanted(self, p):
        """The containers this kubelet has to start: scheduled, and not
        started yet or waiting on their image."""
        if not (p.get("spec") or {}).get("nodeName"):
            return []
        st = {c.get("name"): c for c in
              (p.get("status") or {}).get("containerStatuses") or []}
        out = []
        for c in (p.get("spec") or {}).get("containers") or []:
            cs = st.get(c["name"])
            if cs is None:
                out.append(c)
                continue
            waiting = (cs.get("state") or {}).get("waiting")
            if waiting and waiting.get("reason") in PULL_REASONS + (
                    "ContainerCreating",):
                out.append(c)
        return out

    def run(self):
        stop = threading.Event()
        path = "/api/v1/namespaces/%s/pods" % self.namespace \
            if self.namespace else "/api/v1/pods"
        fluxworld.Watcher(self.api, path, self.on_pod, stop).start()
        while True:
            with self.lock:
                pods = list(self.pods.values())
            for p in pods:
                try:
                    self.sync(p)
                except (world.WorldError, OSError, ValueError) as e:
                    print("kubelet: %s" % e, file=sys.stderr, flush=True)
            time.sleep(0.2)

    # -------------------------------------------------------------- pulls

    def pull(self, image):
        """None when the image can be pulled, else containerd's error."""
        host, repo, ref = split_image(image)
        if host.lower() not in self.hosts:
            return ('failed to pull and unpack image "%s": failed to '
                    'resolve reference "%s": failed to do request: Head '
                    '"https://%s/v2/%s/manifests/%s": dial tcp: lookup %s: '
                    'no such host' % (image, image, host, repo, ref, host))
        c = images.client_for(self.regdir, "acr")
        try:
            data, ctype, digest = c.get_manifest(repo, ref)
            m = json.loads(data)
            if ctype in images.INDEX_TYPES:
                child = next((x for x in m.get("manifests", [])
                              if (x.get("platform") or {}).get(
                                  "architecture") == "amd64"), None)
                if child is None:
                    return ('failed to pull and unpack image "%s": no '
                            'match for platform in manifest: not found'
                            % image)
                data, ctype, _ = c.get_manifest(repo, child["digest"])
                m = json.loads(data)
            for b in [m.get("config") or {}] + (m.get("layers") or []):
                if b.get("digest") and not c.blob_exists(repo, b["digest"]):
                    return ('failed to pull and unpack image "%s": failed '
                            'to copy: %s: not found' % (image, b["digest"]))
        except images.RegistryError as e:
            if e.status == 404:
                return workloads.pull_failure(image)
            return 'failed to pull and unpack image "%s": %s' % (image, e)
        return digest

    # -------------------------------------------------------------- sync

    def sync(self, p):
        want = self.wanted(p)
        if not want:
            return
        md = p["metadata"]
        ns, name = md["namespace"], md["name"]
        now = time.time()
        statuses = {c.get("name"): c for c in
                    (p.get("status") or {}).get("containerStatuses") or []}
        changed = False
        for c in want:
            key = (ns, name, c["name"])
            when, backoff = self.retry.get(key, (0, 0))
            cur = ((statuses.get(c["name"]) or {}).get("state") or {}) \
                .get("waiting") or {}
            if now < when:
                # in the back-off: the next sync reports it
                if cur.get("reason") == "ErrImagePull" and \
                        now >= when - backoff / 2.0:
                    self.event(p, "BackOff", 'Back-off pulling image "%s"'
                               % c["image"], "Normal", c["name"])
                    self.event(p, "Failed", "Error: ImagePullBackOff",
                               "Warning", c["name"])
                    statuses[c["name"]] = self.waiting(
                        c, "ImagePullBackOff",
                        'Back-off pulling image "%s"' % c["image"])
                    changed = True
                continue
            self.event(p, "Pulling", 'Pulling image "%s"' % c["image"],
                       "Normal", c["name"])
            started = time.time()
            got = self.pull(c["image"])
            if got and got.startswith("sha256:"):
                self.retry.pop(key, None)
                self.event(p, "Pulled", 'Successfully pulled image "%s" in '
                           '%.3fs' % (c["image"], time.time() - started),
                           "Normal", c["name"])
                self.event(p, "Created", "Created container %s" % c["name"],
                           "Normal", c["name"])
                self.event(p, "Started", "Started container %s" % c["name"],
                           "Normal", c["name"])
                statuses[c["name"]] = self.running(c, got)
            else:
                backoff = min(max(backoff * 2, self.backoff0),
                              self.max_backoff)
                self.retry[key] = (time.time() + backoff, backoff)
                self.event(p, "Failed", 'Failed to pull image "%s": %s' % (
                    c["image"], got), "Warning", c["name"])
                self.event(p, "Failed", "Error: ErrImagePull", "Warning",
                           c["name"])
                statuses[c["name"]] = self.waiting(c, "ErrImagePull", got)
            changed = True
        if changed:
            self.write_status(p, statuses)

    @staticmethod
    def waiting(c, reason, message):
        return {"name": c["name"], "image": c["image"], "imageID": "",
                "ready": False, "started": False, "restartCount": 0,
                "state": {"waiting": {"reason": reason,
                                      "message": message}}}

    @staticmethod
    def running(c, digest):
        repo = c["image"].split("@")[0]
        head, _, last = repo.rpartition("/")
        repo = (head + "/" if head else "") + last.split(":")[0]
        return {"name": c["name"], "image": c["image"],
                "imageID": "%s@%s" % (repo, digest), "ready": True,
                "started": True, "restartCount": 0,
                "containerID": "containerd://" + hashlib.sha256(
                    (repo + digest + now_ts()).encode()).hexdigest(),
                "state": {"running": {"startedAt": now_ts()}}}

    def write_status(self, p, statuses):
        md = p["metadata"]
        ns, name = md["namespace"], md["name"]
        order = [c["name"] for c in p["spec"]["containers"]]
        cs = [statuses[n] for n in order if n in statuses]
        ready = len(cs) == len(order) and all(c.get("ready") for c in cs)
        notready = [c["name"] for c in cs if not c.get("ready")]
        conds = []
        for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready"):
            c = {"type": t, "status": "True", "lastProbeTime": None,
                 "lastTransitionTime": now_ts()}
            if t in ("ContainersReady", "Ready") and not ready:
                c["status"] = "False"
                c["reason"] = "ContainersNotReady"
                c["message"] = "containers with unready status: [%s]" % \
                    " ".join(notready)
            conds.append(c)
        st = {"phase": "Running" if ready else "Pending",
              "conditions": conds, "containerStatuses": cs}
        if ready:
            st["startTime"] = (p.get("status") or {}).get("startTime") or \
                now_ts()
        got = self.api.call("PATCH", "/api/v1/namespaces/%s/pods/%s/status"
                            % (ns, name), {"status": st},
                            ctype="application/merge-patch+json")
        with self.lock:
            self.pods[(ns, name)] = got
        self.count_daemonset(got)

    # -------------------------------------------------------------- events

    def event(self, p, reason, message, typ, container):
        md = p["metadata"]
        ns = md["namespace"]
        name = "%s.%x" % (md["name"], int(hashlib.sha256(
            (md["name"] + reason + message).encode()).hexdigest()[:12], 16))
        base = "/api/v1/namespaces/%s/events" % ns
        try:
            old = self.api.call("GET", "%s/%s" % (base, name))
        except world.WorldError:
            old = None
        if isinstance(old, dict) and old.get("count"):
            self.api.call("PATCH", "%s/%s" % (base, name),
                          {"count": old["count"] + 1,
                           "lastTimestamp": now_ts()},
                          ctype="application/merge-patch+json")
            return
        node = (p.get("spec") or {}).get("nodeName") or ""
        self.api.call("POST", base, {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": {
                "kind": "Pod", "namespace": ns, "name": md["name"],
                "uid": md.get("uid", ""), "apiVersion": "v1",
                "resourceVersion": md.get("resourceVersion", ""),
                "fieldPath": "spec.containers{%s}" % container},
            "reason": reason, "message": message, "type": typ, "count": 1,
            "source": {"component": "kubelet", "host": node},
            "firstTimestamp": now_ts(), "lastTimestamp": now_ts(),
            "reportingComponent": "kubelet", "reportingInstance": node},
            ok=(200, 201, 409))

    # -------------------------------------------------------------- owners

    def count_daemonset(self, pod):
        ref = next((r for r in (pod["metadata"].get("ownerReferences") or [])
                    if r.get("controller") and r.get("kind") == "DaemonSet"),
                   None)
        if ref is None:
            return
        ns = pod["metadata"]["namespace"]
        pods = self.api.call("GET", "/api/v1/namespaces/%s/pods" % ns)
        ready = 0
        for q in pods.get("items", []):
            owned = any(r.get("uid") == ref.get("uid") and r.get("controller")
                        for r in q["metadata"].get("ownerReferences") or [])
            if owned and any(c.get("type") == "Ready" and
                             c.get("status") == "True" for c in
                             (q.get("status") or {}).get("conditions") or []):
                ready += 1
        path = workloads.apps_path("DaemonSet", ns, ref["name"])
        ds = self.api.call("GET", path)
        st = ds.get("status") or {}
        desired = st.get("desiredNumberScheduled", ready)
        patch = {"numberReady": ready, "numberAvailable": ready,
                 "numberUnavailable": max(desired - ready, 0),
                 "observedGeneration": ds["metadata"].get("generation", 1)}
        self.api.call("PATCH", path + "/status", {"status": patch},
                      ctype="application/merge-patch+json")


def main():
    ap = argparse.ArgumentParser(description="a stand-in kubelet that "
                                 "pulls images from the local registry")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("--dir", required=True)
    p.add_argument("--registry-dir", required=True)
    p.add_argument("--host", action="append", default=[])
    p.add_argument("--namespace", default="")
    p.add_argument("--backoff", type=float, default=10.0)
    p.add_argument("--max-backoff", type=float, default=300.0)
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    rd = os.path.abspath(a.registry_dir)
    hosts = a.host or ["%s.azurecr.io" % (registry.read(
        os.path.join(rd, "acr_name")) or registry.DEFAULT_ACR)]
    try:
        Kubelet(world.Api(d), rd, hosts, a.namespace, a.backoff,
                a.max_backoff).run()
    except world.WorldError as e:
        print("kubelet: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
