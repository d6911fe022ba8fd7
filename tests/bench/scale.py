#!/usr/bin/env python3
"""scale.py - the scale scenario of `make bench`: a simulated cluster with
thousands of nodes and Flux objects, seeded through the Kubernetes API of
kubesim (POST, then PATCH /status, never behind its back), a steady stream
of changes at a stated rate, and latency added to every request through
kubesim's fault rules.

  scale.py up     --dir D [--nodes 5000] [--pools 20] [--sources 300]
                  [--kustomizations 3000] [--threads 4]
  scale.py churn  --dir D --rate R --seconds S [--seed N]
                  (flips the Ready condition of random nodes, R a second;
                  prints one JSON line: changes made, achieved rate)
  scale.py latency --dir D --ms MS   (0 removes it)
  scale.py down   --dir D
"""
import argparse
import http.client
import json
import os
import random
import ssl
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "..", "sim")
sys.path.insert(0, SIM)
import fluxworld  # noqa: E402
import world  # noqa: E402

ERA = "current"
CLUSTER = world.CLUSTER_ID


class Conn:
    """One keep-alive TLS connection to kubesim (one per thread)."""

    def __init__(self, d):
        self.port = int(world.read(os.path.join(d, "port")))
        self.ctx = ssl.create_default_context(
            cafile=os.path.join(d, "ca.crt"))
        self.c = None

    def call(self, method, path, body=None,
             ctype="application/json", auth=True):
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(3):
            if self.c is None:
                self.c = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, context=self.ctx, timeout=60)
            hdr = {"Content-Type": ctype}
            if auth:
                hdr["Authorization"] = "Bearer admin-token"
            try:
                self.c.request(method, path, body=data, headers=hdr)
                r = self.c.getresponse()
                text = r.read()
            except (OSError, http.client.HTTPException):
                self.c.close()
                self.c = None
                if attempt == 2:
                    raise
                continue
            if r.status >= 300:
                raise world.WorldError("%s %s: %d %s" % (
                    method, path, r.status, text[:200]))
            return json.loads(text) if text else None
        return None


def parallel(d, jobs, threads):
    """Run the callables of jobs (each takes a Conn) on threads."""
    lock = threading.Lock()
    it = iter(jobs)
    errors = []

    def work():
        c = Conn(d)
        while True:
            with lock:
                if errors:
                    return
                job = next(it, None)
            if job is None:
                return
            try:
                job(c)
            except Exception as e:  # reported once, below
                with lock:
                    errors.append(e)
                return

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- nodes

def node_name(i, pools):
    return "aks-np%02d-%s-vmss%06d" % (i % pools, CLUSTER, i)


def pool_of(i, pools):
    return "np%02d" % (i % pools)


def node_job(i, pools):
    def job(c):
        name, pool = node_name(i, pools), pool_of(i, pools)
        o = world.node_object(name, pool)
        # The kubelet registers its node with a status, as here.
        o.update(world.node_status(name, pool, True))
        if i % pools == 0:
            o["metadata"]["labels"]["kubernetes.azure.com/mode"] = "system"
        c.call("POST", "/api/v1/nodes", o)
    return job


# ---------------------------------------------------------------- Flux

def source_name(i):
    return "source-%03d" % i


def ks_job(i, sources):
    def job(c):
        src = source_name(i % sources)
        deps = ["ks-%04d" % (i - 1)] if i % 10 == 9 else None
        o = fluxworld.kustomization("ks-%04d" % i, ERA,
                                    "./apps/app-%04d" % i, depends=deps,
                                    source=src)
        fluxworld.create(_Adapter(c), o, fluxworld.ks_status(
            ERA, "failed" if i % 97 == 0 else "ready", fluxworld.SHA,
            "kustomize build failed: no such file or directory"
            if i % 97 == 0 else None, count=8))
    return job


def source_job(i):
    def job(c):
        o = fluxworld.gitrepo(source_name(i), ERA,
                              "https://127.0.0.1:1/app-%03d.git" % i)
        fluxworld.create(_Adapter(c), o, fluxworld.gitrepo_status(
            ERA, True, fluxworld.SHA))
    return job


class _Adapter:
    """world.Api's call() on a keep-alive Conn, for fluxworld's helpers."""

    def __init__(self, c):
        self.c = c

    def call(self, method, path, body=None, ctype="application/json",
             auth=True, ok=(200, 201)):
        return self.c.call(method, path, body, ctype, auth)


# ---------------------------------------------------------------- commands

def cmd_up(a):
    d = os.path.abspath(a.dir)
    os.makedirs(os.path.join(d, "exec"), exist_ok=True)
    for f in ("state.json", "deny.json"):
        try:
            os.unlink(os.path.join(d, f))
        except OSError:
            pass
    log = open(os.path.join(d, "kubesim.log"), "ab")
    cmd = [sys.executable, world.KUBESIM, "--dir", d, "--port", "0",
           "--bookmark-interval", "60", "--history", "20000",
           "--save-interval", "3600"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=log, start_new_session=True,
                            close_fds=True)
    log.close()
    world.wait_ready(d, proc)
    world.write_kubeconfig(d)
    t0 = time.time()
    api = world.Api(d)
    fluxworld.ensure_ns(api)
    fluxworld.post_crds(api, ERA)
    fluxworld.seed_controllers(api, ERA)
    jobs = [node_job(i, a.pools) for i in range(a.nodes)]
    jobs += [source_job(i) for i in range(a.sources)]
    jobs += [ks_job(i, max(1, a.sources)) for i in range(a.kustomizations)]
    parallel(d, jobs, a.threads)
    print(json.dumps({"nodes": a.nodes, "pools": a.pools,
                      "sources": a.sources,
                      "kustomizations": a.kustomizations,
                      "seeded_s": round(time.time() - t0, 1)}))
    return 0


def cmd_churn(a):
    """Flip the Ready condition of random nodes at a.rate a second. Each
    thread owns its own share of the nodes, so that two changes of one
    node never race and the final state is known."""
    d = os.path.abspath(a.dir)
    names = [n["metadata"]["name"] for n in Conn(d).call(
        "GET", "/api/v1/nodes")["items"]]
    state = {}
    interval = 1.0 / a.rate
    lock = threading.Lock()
    done = [0]
    start = time.time()
    end = start + a.seconds
    next_at = [start]

    def work(k):
        c = Conn(d)
        rng = random.Random(a.seed + k)
        mine = names[k::a.threads]
        while True:
            with lock:
                at = next_at[0]
                if at >= end:
                    return
                next_at[0] = at + interval
                name = rng.choice(mine)
                ready = not state.get(name, True)
                state[name] = ready
            wait = at - time.time()
            if wait > 0:
                time.sleep(wait)
            when = fluxworld.now()
            c.call("PATCH", "/api/v1/nodes/%s/status" % name,
                   {"status": {"conditions": [
                       world.ready_condition(ready, when)]}},
                   ctype="application/strategic-merge-patch+json")
            with lock:
                done[0] += 1

    ts = [threading.Thread(target=work, args=(k,))
          for k in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    took = time.time() - start
    print(json.dumps({"changes": done[0], "seconds": round(took, 2),
                      "rate": round(done[0] / took, 1),
                      "not_ready": sum(1 for v in state.values()
                                       if not v)}))
    return 0


def cmd_latency(a):
    c = Conn(os.path.abspath(a.dir))
    c.call("DELETE", "/_sim/faults", auth=False)
    if a.ms > 0:
        c.call("POST", "/_sim/faults", {
            "path_prefix": "/", "action": "delay", "delay_ms": a.ms,
            "times": 1 << 40}, auth=False)
    return 0


def cmd_down(a):
    world.stop_pid(os.path.join(os.path.abspath(a.dir), "pid"),
                   "kubesim.py")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up")
    p.add_argument("--dir", required=True)
    p.add_argument("--nodes", type=int, default=5000)
    p.add_argument("--pools", type=int, default=20)
    p.add_argument("--sources", type=int, default=300)
    p.add_argument("--kustomizations", type=int, default=3000)
    p.add_argument("--threads", type=int, default=4)
    p = sub.add_parser("churn")
    p.add_argument("--dir", required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--threads", type=int, default=4)
    p = sub.add_parser("latency")
    p.add_argument("--dir", required=True)
    p.add_argument("--ms", type=int, required=True)
    p = sub.add_parser("down")
    p.add_argument("--dir", required=True)
    a = ap.parse_args()
    try:
        return {"up": cmd_up, "churn": cmd_churn, "latency": cmd_latency,
                "down": cmd_down}[a.cmd](a)
    except world.WorldError as e:
        print("scale.py: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
