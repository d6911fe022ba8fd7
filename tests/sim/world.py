#!/usr/bin/env python3
# world.py - starts, seeds and stops a simulated AKS cluster (kubesim.py)
# for tests and `make demo`. Seeds only through the API; holds no state.
"""Launcher for the Kubernetes API simulator.

  world.py up      --dir DIR [--scenario empty|nodes|demo]
                   [--bookmark-interval S] [--flap-seconds S] [--port P]
  world.py down    --dir DIR
  world.py restart --dir DIR
  world.py seed-node --dir DIR NAME [--pool P] [--ready true|false]
  world.py set-ready --dir DIR NAME true|false
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
KUBESIM = os.path.join(HERE, "kubesim.py")
EXEC_PLUGIN = os.path.join(HERE, "exec_plugin.py")

CLUSTER_ID = "26621167"
POOLS = [("npinscope01", 2, "user", "Standard_DS3_v2"),
         ("npooscope01", 2, "user", "Standard_DS3_v2"),
         ("npsystem", 3, "system", "Standard_DS2_v2")]
FLAP_NODE = "aks-npooscope01-%s-vmss000001" % CLUSTER_ID
DEMO_NAMESPACES = ["flux-system", "a0005-i", "a0005-o",
                   "cluster-baseline-settings"]
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
NODE_RG = "rg-bu0001a0005-nodepools"


class WorldError(Exception):
    pass


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


# ---------------------------------------------------------------- API client

class Api:
    def __init__(self, d, token="admin-token"):
        self.dir = d
        port = read(os.path.join(d, "port"))
        if not port:
            raise WorldError("no simulator port in %s (is the world up?)" % d)
        self.base = "https://127.0.0.1:%s" % port
        self.ctx = ssl.create_default_context(cafile=os.path.join(d,
                                                                  "ca.crt"))
        self.token = token

    def call(self, method, path, body=None, ctype="application/json",
             auth=True, ok=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        if data is not None:
            req.add_header("Content-Type", ctype)
        if auth:
            req.add_header("Authorization", "Bearer " + self.token)
        req.add_header("User-Agent", "jumpdeck-world/1")
        try:
            with urllib.request.urlopen(req, context=self.ctx,
                                        timeout=10) as r:
                raw = r.read()
                code = r.status
        except urllib.error.HTTPError as e:
            raw = e.read()
            code = e.code
        text = raw.decode(errors="replace")
        if code not in ok:
            try:
                msg = json.loads(text).get("message", text)
            except ValueError:
                msg = text
            raise WorldError("%s %s: %d %s" % (method, path, code, msg))
        try:
            return json.loads(text)
        except ValueError:
            return text


# ---------------------------------------------------------------- objects

def node_names():
    for pool, count, _, _ in POOLS:
        for i in range(count):
            yield "aks-%s-%s-vmss%06d" % (pool, CLUSTER_ID, i), pool


def pool_info(pool):
    for p, _, mode, size in POOLS:
        if p == pool:
            return mode, size
    return "user", "Standard_DS3_v2"


def node_index(name):
    try:
        return int(name.rsplit("vmss", 1)[1])
    except (IndexError, ValueError):
        return 0


def node_object(name, pool):
    mode, size = pool_info(pool)
    i = node_index(name)
    zone = "eastus2-%d" % (i % 3 + 1)
    labels = {
        "agentpool": pool,
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": size,
        "beta.kubernetes.io/os": "linux",
        "failure-domain.beta.kubernetes.io/region": "eastus2",
        "failure-domain.beta.kubernetes.io/zone": zone,
        "kubernetes.azure.com/agentpool": pool,
        "kubernetes.azure.com/cluster": "MC_rg-bu0001a0005_aks-%s_eastus2"
                                        % CLUSTER_ID,
        "kubernetes.azure.com/mode": mode,
        "kubernetes.azure.com/node-image-version":
            "AKSUbuntu-2204gen2containerd-202411.12.0",
        "kubernetes.azure.com/os-sku": "Ubuntu",
        "kubernetes.azure.com/role": "agent",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/role": "agent",
        "node-role.kubernetes.io/agent": "",
        "node.kubernetes.io/instance-type": size,
        "topology.disk.csi.azure.com/zone": zone,
        "topology.kubernetes.io/region": "eastus2",
        "topology.kubernetes.io/zone": zone,
    }
    vmss = name.rsplit("vmss", 1)[0] + "vmss"
    spec = {"providerID": "azure:///subscriptions/%s/resourceGroups/%s/"
            "providers/Microsoft.Compute/virtualMachineScaleSets/%s/"
            "virtualMachines/%d" % (SUBSCRIPTION, NODE_RG.lower(), vmss, i)}
    if mode == "system":
        spec["taints"] = [{"key": "CriticalAddonsOnly", "value": "true",
                           "effect": "NoSchedule"}]
    return {"apiVersion": "v1", "kind": "Node", "metadata": {
        "name": name, "labels": labels, "annotations": {
            "csi.volume.kubernetes.io/nodeid":
                json.dumps({"disk.csi.azure.com": name,
                            "file.csi.azure.com": name}),
            "node.alpha.kubernetes.io/ttl": "0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": spec}


def ready_condition(ready, when):
    if ready:
        return {"type": "Ready", "status": "True", "reason": "KubeletReady",
                "message": "kubelet is posting ready status. AppArmor "
                           "enabled",
                "lastHeartbeatTime": when, "lastTransitionTime": when}
    return {"type": "Ready", "status": "False", "reason": "KubeletNotReady",
            "message": "container runtime network not ready: NetworkReady="
                       "false reason:NetworkPluginNotReady message:Network "
                       "plugin returns error: cni plugin not initialized",
            "lastHeartbeatTime": when, "lastTransitionTime": when}


def node_status(name, pool, ready):
    mode, size = pool_info(pool)
    # a stable address in the node subnet: known nodes in walkthrough order
    known = [n for n, _ in node_names()]
    idx = known.index(name) + 4 if name in known else \
        int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) % 200 + 20
    when = now()
    big = size != "Standard_DS2_v2"
    cpu = "4" if big else "2"
    mem = "16393244Ki" if big else "7097676Ki"
    alloc_cpu = "3860m" if big else "1900m"
    alloc_mem = "12880412Ki" if big else "4652364Ki"
    h = hashlib.sha256(name.encode()).hexdigest()
    conds = []
    for t, r, m in (("MemoryPressure", "KubeletHasSufficientMemory",
                     "kubelet has sufficient memory available"),
                    ("DiskPressure", "KubeletHasNoDiskPressure",
                     "kubelet has no disk pressure"),
                    ("PIDPressure", "KubeletHasSufficientPID",
                     "kubelet has sufficient PID available")):
        conds.append({"type": t, "status": "False", "reason": r,
                      "message": m, "lastHeartbeatTime": when,
                      "lastTransitionTime": when})
    conds.insert(0, {"type": "NetworkUnavailable", "status": "False",
                     "reason": "RouteCreated",
                     "message": "RouteController created a route",
                     "lastHeartbeatTime": when, "lastTransitionTime": when})
    conds.append(ready_condition(ready, when))
    return {"status": {
        "addresses": [{"type": "InternalIP", "address": "10.240.0.%d" % idx},
                      {"type": "Hostname", "address": name}],
        "capacity": {"cpu": cpu, "ephemeral-storage": "129886128Ki",
                     "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                     "memory": mem, "pods": "30"},
        "allocatable": {"cpu": alloc_cpu,
                        "ephemeral-storage": "119703055367",
                        "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                        "memory": alloc_mem, "pods": "30"},
        "conditions": conds,
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "architecture": "amd64", "bootID": "%s-%s-%s-%s-%s" % (
                h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]),
            "containerRuntimeVersion": "containerd://1.7.23-1",
            "kernelVersion": "5.15.0-1075-azure",
            "kubeProxyVersion": "v1.30.6", "kubeletVersion": "v1.30.6",
            "machineID": h[32:64], "operatingSystem": "linux",
            "osImage": "Ubuntu 22.04.5 LTS",
            "systemUUID": "%s-%s-%s-%s-%s" % (h[32:40], h[40:44], h[44:48],
                                              h[48:52], h[52:64])}}}


def seed_node(api, name, pool, ready=True):
    api.call("POST", "/api/v1/nodes", node_object(name, pool))
    api.call("PATCH", "/api/v1/nodes/%s/status" % name,
             node_status(name, pool, ready),
             ctype="application/merge-patch+json")


def set_ready(api, name, ready):
    node = api.call("GET", "/api/v1/nodes/%s" % name)
    when = now()
    conds = []
    found = False
    for c in (node.get("status") or {}).get("conditions") or []:
        c = dict(c)
        if c.get("type") == "Ready":
            found = True
            was = c.get("status") == "True"
            new = ready_condition(ready, when)
            if was == ready:
                new["lastTransitionTime"] = c.get("lastTransitionTime", when)
            c = new
        else:
            c["lastHeartbeatTime"] = when
        conds.append(c)
    if not found:
        conds.append(ready_condition(ready, when))
    api.call("PATCH", "/api/v1/nodes/%s/status" % name,
             {"metadata": {"resourceVersion":
                           node["metadata"]["resourceVersion"]},
              "status": {"conditions": conds}},
             ctype="application/merge-patch+json")


def seed(api, scenario):
    if scenario in ("nodes", "demo"):
        for name, pool in node_names():
            seed_node(api, name, pool, True)
    if scenario == "demo":
        for ns in DEMO_NAMESPACES:
            api.call("POST", "/api/v1/namespaces", {
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns}})
        # Flux as the walkthrough bootstraps it (v1beta1 APIs, v0.8
        # controllers): one healthy and one failing Kustomization.
        import fluxworld
        fluxworld.seed(api, "v1beta1", "demo", fluxworld.DEFAULT_GIT_URL,
                       fluxworld.SHA)


# ---------------------------------------------------------------- kubeconfig

def yaml_dump(v, indent=0):
    """Block-style YAML for plain data; strings are JSON-quoted."""
    pad = " " * indent
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                out.append("%s%s:" % (pad, k))
                out.append(yaml_dump(x, indent + 2))
            else:
                out.append("%s%s: %s" % (pad, k, scalar(x)))
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, (dict, list)) and x:
                sub = yaml_dump(x, indent + 2).split("\n")
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.append("\n".join(sub))
            else:
                out.append("%s- %s" % (pad, scalar(x)))
    return "\n".join(out)


def scalar(x):
    if isinstance(x, dict):
        return "{}"
    if isinstance(x, list):
        return "[]"
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return str(x)
    return json.dumps(x)


def write_kubeconfig(d):
    port = read(os.path.join(d, "port"))

    def b64(name):
        with open(os.path.join(d, name), "rb") as f:
            return base64.b64encode(f.read()).decode()

    cfg = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "sim", "cluster": {
            "server": "https://127.0.0.1:%s" % port,
            "certificate-authority-data": b64("ca.crt")}}],
        "users": [
            {"name": "admin", "user": {"token": "admin-token"}},
            {"name": "cert-admin", "user": {
                "client-certificate-data": b64("admin.crt"),
                "client-key-data": b64("admin.key")}},
            {"name": "viewer", "user": {"token": "viewer-token"}},
            {"name": "exec-user", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": "python3", "args": [EXEC_PLUGIN],
                "env": [{"name": "JD_EXEC_STATE",
                         "value": os.path.join(d, "exec")}],
                "interactiveMode": "Never",
                "provideClusterInfo": False}}},
        ],
        "contexts": [
            {"name": "sim", "context": {"cluster": "sim", "user": "admin",
                                        "namespace": "default"}},
            {"name": "sim-cert", "context": {"cluster": "sim",
                                             "user": "cert-admin"}},
            {"name": "sim-viewer", "context": {"cluster": "sim",
                                               "user": "viewer"}},
            {"name": "sim-exec", "context": {"cluster": "sim",
                                             "user": "exec-user"}},
        ],
        "current-context": "sim",
        "preferences": {},
    }
    path = os.path.join(d, "kubeconfig")
    write_atomic(path, yaml_dump(cfg) + "\n")
    os.chmod(path, 0o600)
    return path


# ---------------------------------------------------------------- processes

def alive(pid, marker):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().decode(errors="replace")
    except OSError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    except (OSError, IndexError):
        pass
    return marker in cmd


def stop_pid(pidfile, marker, grace=5.0):
    pid = read(pidfile)
    if not pid or not pid.isdigit():
        return False
    pid = int(pid)
    if not alive(pid, marker):
        try:
            os.unlink(pidfile)
        except OSError:
            pass
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
    end = time.time() + grace
    while time.time() < end and alive(pid, marker):
        time.sleep(0.05)
    if alive(pid, marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        end = time.time() + 2
        while time.time() < end and alive(pid, marker):
            time.sleep(0.05)
    try:
        os.unlink(pidfile)
    except OSError:
        pass
    return True


def wait_ready(d, proc, timeout=20.0):
    end = time.time() + timeout
    last = "no answer yet"
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise WorldError("kubesim exited with status %d; see %s:\n%s" % (
                proc.returncode, os.path.join(d, "kubesim.log"),
                tail(os.path.join(d, "kubesim.log"))))
        if read(os.path.join(d, "port")):
            try:
                r = Api(d).call("GET", "/readyz", auth=False)
                if r == "ok":
                    return
            except (WorldError, OSError, ssl.SSLError) as e:
                last = str(e)
        time.sleep(0.1)
    raise WorldError("kubesim did not become ready within %ds (%s); see "
                     "%s:\n%s" % (timeout, last,
                                  os.path.join(d, "kubesim.log"),
                                  tail(os.path.join(d, "kubesim.log"))))


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def start_kubesim(d, port, bookmark, plain_port=None):
    """kubesim on port (0: any free one); with plain_port (0: any) also
    plain HTTP on loopback, for a TLS-terminating front (nghttpx)."""
    for f in ("port", "plain_port"):
        try:
            os.unlink(os.path.join(d, f))
        except OSError:
            pass
    log = open(os.path.join(d, "kubesim.log"), "ab")
    cmd = [sys.executable, KUBESIM, "--dir", d, "--port", str(port)]
    if bookmark is not None:
        cmd += ["--bookmark-interval", str(bookmark)]
    if plain_port is not None:
        cmd += ["--plain-port", str(plain_port)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=log, start_new_session=True,
                            close_fds=True)
    log.close()
    try:
        wait_ready(d, proc)
    except WorldError:
        if proc.poll() is None:
            proc.kill()
        raise
    if plain_port is not None:
        # a restart listens on the same plain port again
        plain_port = int(read(os.path.join(d, "plain_port")) or 0)
    with open(os.path.join(d, "kubesim.args"), "w") as f:
        json.dump({"bookmark_interval": bookmark,
                   "plain_port": plain_port}, f)
    return proc


def start_background(d, name, args):
    """A helper process of the world (its pid in D/NAME.pid, its output
    in D/NAME.log), stopped by `down`."""
    log = open(os.path.join(d, name + ".log"), "ab")
    proc = subprocess.Popen([sys.executable] + args,
                            stdin=subprocess.DEVNULL, stdout=log,
                            stderr=log, start_new_session=True,
                            close_fds=True)
    log.close()
    write_atomic(os.path.join(d, name + ".pid"), "%d\n" % proc.pid)


def start_flapper(d, node, seconds):
    log = open(os.path.join(d, "flapper.log"), "ab")
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "flap", "--dir", d,
         "--node", node, "--seconds", str(seconds)],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        start_new_session=True, close_fds=True)
    log.close()
    write_atomic(os.path.join(d, "flapper.pid"), "%d\n" % proc.pid)


def start_flux_controller(d):
    """The demo's stand-in Flux controllers answer reconcile requests."""
    start_background(d, "fluxctl", [os.path.join(HERE, "fluxworld.py"),
                                    "controller", "--dir", d, "--delay",
                                    "2"])


def start_workload_controller(d):
    """The stand-in deployment controller (workloads.py): applied
    Deployments become Available."""
    start_background(d, "workloadctl", [os.path.join(HERE, "workloads.py"),
                                        "controller", "--dir", d,
                                        "--delay", "1"])


# ---------------------------------------------------------------- commands

def cmd_up(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    pid = read(os.path.join(d, "pid"))
    if pid and pid.isdigit() and alive(int(pid), "kubesim.py"):
        raise WorldError("a simulator already runs for %s (pid %s); run "
                         "`world.py down --dir %s` first" % (d, pid, d))
    os.makedirs(os.path.join(d, "exec"), exist_ok=True)
    if not a.keep_state:
        for f in ("state.json", "deny.json"):
            try:
                os.unlink(os.path.join(d, f))
            except OSError:
                pass
    start_kubesim(d, a.port, a.bookmark_interval, a.plain_port)
    try:
        api = Api(d)
        if not a.keep_state:
            seed(api, a.scenario)
        kc = write_kubeconfig(d)
        if a.scenario == "demo" and a.flap_seconds > 0:
            start_flapper(d, FLAP_NODE, a.flap_seconds)
        if a.scenario == "demo":
            start_flux_controller(d)
        if a.controllers:
            start_workload_controller(d)
    except BaseException:
        stop_pid(os.path.join(d, "pid"), "kubesim.py")
        raise
    print("kubesim is up on %s (scenario %s)" % (api.base, a.scenario))
    print("export KUBECONFIG=%s" % kc)
    print("# contexts: sim (token), sim-cert (client certificate), "
          "sim-viewer, sim-exec (exec plugin)")
    print("# stop with: python3 %s down --dir %s" % (
        os.path.abspath(__file__), d))
    return 0


def cmd_down(a):
    d = os.path.abspath(a.dir)
    stop_pid(os.path.join(d, "fluxctl.pid"), "fluxworld.py")
    stop_pid(os.path.join(d, "workloadctl.pid"), "workloads.py")
    f = stop_pid(os.path.join(d, "flapper.pid"), "world.py")
    k = stop_pid(os.path.join(d, "pid"), "kubesim.py")
    print("stopped:%s%s" % (" flapper" if f else "", " kubesim" if k else "")
          if (f or k) else "nothing was running")
    return 0


def cmd_restart(a):
    d = os.path.abspath(a.dir)
    port = read(os.path.join(d, "port"))
    if not port:
        raise WorldError("no port recorded in %s; use `up`" % d)
    try:
        with open(os.path.join(d, "kubesim.args")) as f:
            args = json.load(f)
    except (OSError, ValueError):
        args = {}
    stop_pid(os.path.join(d, "pid"), "kubesim.py")
    start_kubesim(d, int(port), args.get("bookmark_interval"),
                  args.get("plain_port"))
    print("kubesim restarted on https://127.0.0.1:%s" % port)
    return 0


def parse_bool(s):
    if s.lower() in ("true", "1", "yes"):
        return True
    if s.lower() in ("false", "0", "no"):
        return False
    raise WorldError("expected true or false, got %r" % s)


def cmd_seed_node(a):
    pool = a.pool
    if not pool:
        parts = a.name.split("-")
        pool = parts[1] if len(parts) >= 4 and parts[0] == "aks" else \
            "npuser01"
    seed_node(Api(os.path.abspath(a.dir)), a.name, pool,
              parse_bool(a.ready))
    return 0


def cmd_set_ready(a):
    set_ready(Api(os.path.abspath(a.dir)), a.name, parse_bool(a.ready))
    return 0


def cmd_flap(a):
    d = os.path.abspath(a.dir)
    stop = []
    signal.signal(signal.SIGTERM, lambda s, f: stop.append(1))
    ready = True
    while not stop:
        end = time.time() + a.seconds
        while not stop and time.time() < end:
            time.sleep(0.2)
        if stop:
            break
        try:
            api = Api(d)
            node = api.call("GET", "/api/v1/nodes/%s" % a.node)
            ready = not any(c.get("type") == "Ready" and
                            c.get("status") == "True" for c in
                            (node.get("status") or {}).get("conditions")
                            or [])
            set_ready(api, a.node, ready)
            print("%s %s -> %s" % (now(), a.node,
                                   "Ready" if ready else "NotReady"),
                  flush=True)
        except (WorldError, OSError) as e:
            print("%s flap failed: %s" % (now(), e), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description="simulated AKS world")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up")
    p.add_argument("--dir", required=True)
    p.add_argument("--scenario", choices=["empty", "nodes", "demo"],
                   default="nodes")
    p.add_argument("--bookmark-interval", type=float, default=None)
    p.add_argument("--flap-seconds", type=float, default=20.0)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--keep-state", action="store_true",
                   help="keep the objects of a previous run, do not seed")
    p.add_argument("--plain-port", type=int, default=None,
                   help="also serve plain HTTP on this loopback port (0: "
                   "any), for a TLS-terminating front such as nghttpx")
    p.add_argument("--controllers", action="store_true",
                   help="run the stand-in deployment controller "
                   "(workloads.py)")
    p.set_defaults(fn=cmd_up)
    p = sub.add_parser("down")
    p.add_argument("--dir", required=True)
    p.set_defaults(fn=cmd_down)
    p = sub.add_parser("restart")
    p.add_argument("--dir", required=True)
    p.set_defaults(fn=cmd_restart)
    p = sub.add_parser("seed-node")
    p.add_argument("--dir", required=True)
    p.add_argument("name")
    p.add_argument("--pool")
    p.add_argument("--ready", default="true")
    p.set_defaults(fn=cmd_seed_node)
    p = sub.add_parser("set-ready")
    p.add_argument("--dir", required=True)
    p.add_argument("name")
    p.add_argument("ready")
    p.set_defaults(fn=cmd_set_ready)
    p = sub.add_parser("flap")
    p.add_argument("--dir", required=True)
    p.add_argument("--node", default=FLAP_NODE)
    p.add_argument("--seconds", type=float, default=20.0)
    p.set_defaults(fn=cmd_flap)
    a = ap.parse_args()
    try:
        return a.fn(a)
    except WorldError as e:
        sys.stderr.write("world.py %s: %s\n" % (a.cmd, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
