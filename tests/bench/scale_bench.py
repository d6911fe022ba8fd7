#!/usr/bin/env python3
"""scale_bench.py - `make bench` at cluster scale: jumpdeck's TUI on a
pseudo-terminal (a VT emulator, pyte, reads what it draws) and its CLI,
with kubectl beside it, against the scale scenario of scale.py (nodes,
Flux sources and Kustomizations seeded through kubesim's API). Prints a
table and writes the figures to a JSON file. Measures only: it asserts
nothing (tests check behaviour; this says how fast and how big).

  scale_bench.py --jumpdeck BIN --out FILE [--nodes 5000] [--pools 20]
                 [--sources 300] [--kustomizations 3000] [--runs 5]
                 [--rate 200] [--churn-seconds 10] [--idle-seconds 30]

Figures (the numbers of issue 12): 1 first full paint at 200x50 with 0
and 50 ms added per request, and the requests made until then; 2 peak
memory (VmHWM from wait4) of the TUI and of nodes --json, flux --json,
status --json; 3 CPU per 1,000 watch events applied and drawn; 4 bytes
written to the terminal (first paint, one node changing state, 10 s
idle, a resize); 5 CPU over 30 s idle; 7 the CLI beside kubectl, medians
of --runs runs in this one run. Figure 6 (parallel imports) is measured
by imports_bench.sh.
"""
import argparse
import json
import os
import platform
import pty
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

try:
    import fcntl
    import termios
except ImportError:  # not on Linux: nothing to measure here
    sys.exit("scale_bench.py: needs a POSIX pseudo-terminal")

try:
    import pyte
except ImportError:
    sys.exit("scale_bench.py: needs python3-pyte (scripts/deps.sh bench)")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scale  # noqa: E402

CLK_NS = 1e9


def log(msg):
    print("bench: %s" % msg, file=sys.stderr, flush=True)


def cpu_ns(pid):
    """Time the process ran on a CPU, in ns (/proc/PID/schedstat)."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class Tui:
    """jumpdeck on a pseudo-terminal of its own, its output fed to a VT
    emulator; every byte it writes is counted."""

    def __init__(self, argv, env, cols, rows):
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes = 0
        self.writes = []  # (time, bytes) of each read
        self.started = time.time()
        self.t0 = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ,
                            struct.pack("HHHH", rows, cols, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.rusage = None
        self.status = None
        fcntl.ioctl(fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, 0, 0))

    def text(self):
        return "\n".join(self.screen.display)

    def pump(self, seconds):
        """Read for that long (or until the program ends)."""
        self.until(lambda: False, seconds)

    def until(self, pred, timeout):
        """Read until pred() holds; returns the monotonic time it first
        held, or None at the timeout."""
        end = time.monotonic() + timeout
        if pred():
            return time.monotonic()
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            if not data:
                return None
            now = time.monotonic()
            self.bytes += len(data)
            self.writes.append((now, len(data)))
            self.stream.feed(data)
            if pred():
                return now

    def quiet(self, gap, timeout):
        """Read until nothing has come for gap seconds."""
        end = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < end:
            n = self.bytes
            self.pump(0.05)
            if self.bytes != n:
                last = time.monotonic()
            elif time.monotonic() - last >= gap:
                return True
        return False

    def resize(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.screen.resize(rows, cols)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, 0, 0))

    def send(self, keys):
        os.write(self.fd, keys)

    def stop(self):
        """q, then TERM if it does not go; the rusage of the child."""
        try:
            self.send(b"q")
        except OSError:
            pass
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig:
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
            end = time.monotonic() + 3
            while time.monotonic() < end:
                pid, status, ru = os.wait4(self.pid, os.WNOHANG)
                if pid == self.pid:
                    self.status, self.rusage = status, ru
                    os.close(self.fd)
                    return ru
                self.pump(0.05)
        return None


# ---------------------------------------------------------------- helpers

def run_measured(argv, env):
    """Run to the end; (wall s, peak RSS KiB, exit code, CPU s)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return (time.monotonic() - t0, ru.ru_maxrss, p.returncode,
            ru.ru_utime + ru.ru_stime)


def sim_requests(conn):
    return conn.call("GET", "/_sim/requests", auth=False) or []


def mib(kib):
    return round(kib / 1024.0, 1)


class Scenario:
    def __init__(self, a, tmp):
        self.a = a
        self.dir = os.path.join(tmp, "k8s")
        self.home = os.path.join(tmp, "home")
        os.makedirs(self.home, exist_ok=True)
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith(("JUMPDECK_", "AZURE_", "KUBECONFIG")):
                del self.env[k]
        self.env.update({
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "KUBECONFIG": os.path.join(self.dir, "kubeconfig"),
            "JUMPDECK_AUDIT_LOG": os.path.join(tmp, "audit.log"),
            "TERM": "xterm-256color", "LANG": "C.UTF-8",
        })
        self.env.pop("NO_COLOR", None)

    def up(self):
        a = self.a
        argv = [sys.executable, os.path.join(HERE, "scale.py"), "up",
                "--dir", self.dir, "--nodes", str(a.nodes),
                "--pools", str(a.pools), "--sources", str(a.sources),
                "--kustomizations", str(a.kustomizations)]
        out = subprocess.run(argv, check=True, stdout=subprocess.PIPE,
                             text=True).stdout
        self.conn = scale.Conn(self.dir)
        return json.loads(out.strip().splitlines()[-1])

    def down(self):
        subprocess.run([sys.executable, os.path.join(HERE, "scale.py"),
                        "down", "--dir", self.dir],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def latency(self, ms):
        subprocess.run([sys.executable, os.path.join(HERE, "scale.py"),
                        "latency", "--dir", self.dir, "--ms", str(ms)],
                       check=True)

    def set_ready(self, name, ready):
        self.conn.call("PATCH", "/api/v1/nodes/%s/status" % name,
                       {"status": {"conditions": [
                           scale.world.ready_condition(
                               ready, scale.fluxworld.now())]}},
                       ctype="application/strategic-merge-patch+json")


# What the screen says once a pane has its rows, and once all is loaded.
NODES_RE = re.compile(r"Nodes · (\d+)/(\d+) Ready")
FLUX_RE = re.compile(r"sources (\d+)/(\d+) Ready · kustomizations "
                     r"(\d+)/(\d+) Ready")


def populated(t):
    """Every pane of the grid shows its first rows."""
    s = t.text()
    return ("aks-np" in s and re.search(r"│ ks +ks-\d", s) is not None
            and "IMAGE" in s and "Scans" in s)


def loaded(t, nodes, ks, ready=None):
    s = t.text()
    m = NODES_RE.search(s)
    f = FLUX_RE.search(s)
    if not m or not f or int(m.group(2)) != nodes:
        return False
    if ready is not None and int(m.group(1)) != ready:
        return False
    return int(f.group(4)) == ks


# ---------------------------------------------------------------- figures

def first_paint(sc, ms):
    """Figure 1 (and the TUI's peak memory): start the TUI at 200x50 and
    time the first full paint and the end of loading."""
    a = sc.a
    sc.latency(ms)
    sc.conn.call("DELETE", "/_sim/requests", auth=False)
    t = Tui([a.jumpdeck], sc.env, 200, 50)
    t_pop = t.until(lambda: populated(t), 120)
    t_load = t.until(lambda: loaded(t, a.nodes, a.kustomizations), 300)
    reqs = sim_requests(sc.conn)
    sc.latency(0)
    res = {"added_ms": ms}
    if t_pop is None or t_load is None:
        log("the TUI did not finish loading (%s)" % t.text()[:400])
        res["error"] = "did not load"
        t.stop()
        return res, None

    def count(until):
        return sum(1 for r in reqs
                   if r.get("time", 0) <= t.started + (until - t.t0))

    res.update({
        "first_full_paint_s": round(t_pop - t.t0, 3),
        "requests_until_paint": count(t_pop),
        "loaded_s": round(t_load - t.t0, 3),
        "requests_until_loaded": count(t_load),
    })
    return res, t


def tui_figures(sc, t):
    """Figures 2 (TUI), 3, 4 and 5 on a loaded TUI."""
    a = sc.a
    out = {}
    t.quiet(1.0, 30)
    out["bytes_first_paint"] = t.bytes
    name = scale.node_name(0, a.pools)
    # 4: one node changes state, and back
    n0 = t.bytes
    w0 = len(t.writes)
    sc.set_ready(name, False)
    t.until(lambda: loaded(t, a.nodes, a.kustomizations, a.nodes - 1), 30)
    t.quiet(1.0, 10)
    out["bytes_one_node_notready"] = t.bytes - n0
    out["writes_one_node_notready"] = len(t.writes) - w0
    n0 = t.bytes
    sc.set_ready(name, True)
    t.until(lambda: loaded(t, a.nodes, a.kustomizations, a.nodes), 30)
    t.quiet(1.0, 10)
    out["bytes_one_node_ready"] = t.bytes - n0
    # a node further down the list: NotReady rows sort first, so it
    # moves to the top and the rows under it move down one
    other = scale.node_name(a.nodes // 2 + 7, a.pools)
    n0 = t.bytes
    sc.set_ready(other, False)
    t.until(lambda: loaded(t, a.nodes, a.kustomizations, a.nodes - 1), 30)
    t.quiet(1.0, 10)
    out["bytes_other_node_notready_moves_up"] = t.bytes - n0
    sc.set_ready(other, True)
    t.until(lambda: loaded(t, a.nodes, a.kustomizations, a.nodes), 30)
    t.quiet(1.0, 10)
    # 4 and 5: idle
    n0, c0 = t.bytes, cpu_ns(t.pid)
    t.pump(10)
    out["bytes_idle_10s"] = t.bytes - n0
    t.pump(max(0, a.idle_seconds - 10))
    c1 = cpu_ns(t.pid)
    out["idle_seconds"] = a.idle_seconds
    out["cpu_ms_idle"] = round((c1 - c0) / 1e6, 1) if c0 and c1 else None
    out["bytes_idle_total"] = t.bytes - n0
    # 4: a resize to 160x45 and back
    n0 = t.bytes
    t.resize(160, 45)
    t.quiet(0.5, 10)
    out["bytes_resize_160x45"] = t.bytes - n0
    n0 = t.bytes
    t.resize(200, 50)
    t.quiet(0.5, 10)
    out["bytes_resize_200x50"] = t.bytes - n0
    # 3: a stream of node changes
    n0, c0, w0 = t.bytes, cpu_ns(t.pid), len(t.writes)
    t_start = time.monotonic()
    churn = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "scale.py"), "churn",
         "--dir", sc.dir, "--rate", str(a.rate),
         "--seconds", str(a.churn_seconds)],
        stdout=subprocess.PIPE, text=True)
    while churn.poll() is None:
        t.pump(0.1)
    res = json.loads(churn.stdout.read().strip().splitlines()[-1])
    t_churn = time.monotonic() - t_start
    ready = a.nodes - res["not_ready"]
    applied = t.until(lambda: loaded(t, a.nodes, a.kustomizations, ready),
                      60)
    t.quiet(1.0, 20)
    c1 = cpu_ns(t.pid)
    out["churn"] = {
        "events": res["changes"], "rate": res["rate"],
        "seconds": res["seconds"], "all_shown": applied is not None,
        "cpu_ms": round((c1 - c0) / 1e6, 1),
        "cpu_ms_per_1000": round((c1 - c0) / 1e6 * 1000.0
                                 / max(1, res["changes"]), 1),
        "bytes": t.bytes - n0,
        "writes_per_s": round(sum(1 for w in t.writes[w0:]
                                  if w[0] <= t_start + t_churn)
                              / t_churn, 1),
        "frames_per_s": round(frames(t.writes[w0:], t_start,
                                     t_start + t_churn) / t_churn, 1),
    }
    ru = t.stop()
    out["tui_peak_kib"] = ru.ru_maxrss if ru else None
    return out


def frames(writes, start, end, gap=0.02):
    """Bursts of output (reads less than gap apart are one frame)."""
    n, last = 0, None
    for w, _ in writes:
        if w < start or w > end:
            continue
        if last is None or w - last > gap:
            n += 1
        last = w
    return n


def cli_figures(sc):
    """Figures 2 (CLI) and 7: each command --runs times, interleaved, so
    that the load of the machine falls on all alike."""
    a = sc.a
    jobs = {
        "jumpdeck nodes --json": [a.jumpdeck, "nodes", "--json"],
        "kubectl get nodes -o json": ["kubectl", "get", "nodes", "-o",
                                      "json"],
        "jumpdeck status --json": [a.jumpdeck, "status", "--json"],
        "kubectl get nodes,gitrepositories,kustomizations -A -o json": [
            "kubectl", "get", "nodes,gitrepositories,kustomizations",
            "-A", "-o", "json"],
        "jumpdeck flux --json": [a.jumpdeck, "flux", "--json"],
        "jumpdeck nodes": [a.jumpdeck, "nodes"],
        "kubectl get nodes": ["kubectl", "get", "nodes"],
    }
    raw = {k: [] for k in jobs}
    for i in range(a.runs):
        for k, argv in jobs.items():
            wall, rss, rc, cpu = run_measured(argv, sc.env)
            raw[k].append({"wall_s": round(wall, 3), "peak_kib": rss,
                           "exit": rc, "cpu_s": round(cpu, 3)})
        log("CLI run %d of %d done" % (i + 1, a.runs))
    out = {}
    for k, v in raw.items():
        out[k] = {
            "wall_s_median": round(statistics.median(
                r["wall_s"] for r in v), 3),
            "peak_mib_median": mib(statistics.median(
                r["peak_kib"] for r in v)),
            "cpu_s_median": round(statistics.median(
                r["cpu_s"] for r in v), 3),
            "runs": v,
        }
    return out


def machine():
    info = {"cpus": os.cpu_count(), "kernel": platform.release(),
            "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_mib"] = int(f.readline().split()[1]) // 1024
    except OSError:
        pass
    try:
        out = subprocess.run(["kubectl", "version", "--client", "-o",
                              "json"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        info["kubectl"] = json.loads(out)["clientVersion"]["gitVersion"]
    except (OSError, ValueError, KeyError):
        pass
    return info


# ---------------------------------------------------------------- output

def ratio(a, b):
    return round(b / a, 1) if a else None


def table(r):
    lines = []

    def row(job, value, target=""):
        lines.append("  %-52s %-24s %s" % (job, value, target))

    m = r["machine"]
    lines.append("scale: %d nodes in %d pools, %d sources, %d "
                 "Kustomizations (seeded through the API in %s s)" % (
                     r["scenario"]["nodes"], r["scenario"]["pools"],
                     r["scenario"]["sources"],
                     r["scenario"]["kustomizations"],
                     r["scenario"]["seeded_s"]))
    lines.append("machine: %s CPUs (%s), load average %s at start, %s at "
                 "the end" % (m.get("cpus"), m.get("cpu", "?"),
                              r["load_start"], r["load_end"]))
    for p in r["first_paint"]:
        if "error" in p:
            row("1 first full paint, +%d ms a request" % p["added_ms"],
                p["error"])
            continue
        row("1 first full paint 200x50, +%d ms a request" % p["added_ms"],
            "%.2f s, %d requests" % (p["first_full_paint_s"],
                                     p["requests_until_paint"]),
            "target %s" % ("<= 1 s" if p["added_ms"] == 0 else
                           "<= %d ms" % (2 * p["added_ms"] + 100)))
        row("  every node and Kustomization loaded",
            "%.2f s, %d requests" % (p["loaded_s"],
                                     p["requests_until_loaded"]))
    tf = r.get("tui", {})
    if tf.get("tui_peak_kib"):
        row("2 TUI peak memory", "%.1f MiB" % mib(tf["tui_peak_kib"]),
            "target <= 40 MiB")
    cli = r["cli"]
    for k in ("jumpdeck nodes --json", "jumpdeck flux --json",
              "jumpdeck status --json", "kubectl get nodes -o json"):
        row("2 peak memory: %s" % k, "%.1f MiB" % cli[k]["peak_mib_median"],
            "target <= 40 MiB" if k == "jumpdeck nodes --json" else "")
    if tf.get("churn"):
        c = tf["churn"]
        row("3 CPU per 1,000 watch events applied and drawn",
            "%.0f ms" % c["cpu_ms_per_1000"],
            "%d events at %.0f/s; %.1f frames/s" % (
                c["events"], c["rate"], c["frames_per_s"]))
    if tf:
        row("4 bytes to the terminal: first paint",
            "%d" % tf["bytes_first_paint"])
        row("4   one node NotReady (one row)",
            "%d" % tf["bytes_one_node_notready"], "target <= 300")
        row("4   the same node Ready again",
            "%d" % tf["bytes_one_node_ready"])
        row("4   a node further down NotReady (moves to the top)",
            "%d" % tf["bytes_other_node_notready_moves_up"])
        row("4   10 s idle", "%d" % tf["bytes_idle_10s"], "target 0")
        row("4   resize to 160x45 / back to 200x50",
            "%d / %d" % (tf["bytes_resize_160x45"],
                         tf["bytes_resize_200x50"]))
        row("5 CPU over %d s idle" % tf["idle_seconds"],
            "%s ms" % tf["cpu_ms_idle"])
    for jd, kc in (("jumpdeck nodes --json", "kubectl get nodes -o json"),
                   ("jumpdeck status --json",
                    "kubectl get nodes,gitrepositories,kustomizations "
                    "-A -o json"),
                   ("jumpdeck nodes", "kubectl get nodes")):
        a, b = cli[jd]["wall_s_median"], cli[kc]["wall_s_median"]
        row("7 %s" % jd, "%.2f s" % a,
            "kubectl %.2f s: %sx" % (b, ratio(a, b)) +
            (" (target >= 8x)" if jd == "jumpdeck nodes --json" else ""))
        a, b = cli[jd]["cpu_s_median"], cli[kc]["cpu_s_median"]
        row("7   its own CPU time", "%.2f s" % a,
            "kubectl %.2f s: %sx" % (b, ratio(a, b)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jumpdeck", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--pools", type=int, default=20)
    ap.add_argument("--sources", type=int, default=300)
    ap.add_argument("--kustomizations", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--churn-seconds", type=float, default=10)
    ap.add_argument("--idle-seconds", type=int, default=30)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--reuse", metavar="DIR",
                    help="a world scale.py up already seeded with these "
                    "numbers (left running)")
    a = ap.parse_args()
    a.jumpdeck = os.path.abspath(a.jumpdeck)
    r = {"load_start": [round(x, 2) for x in os.getloadavg()],
         "machine": machine()}
    tmp = tempfile.mkdtemp(prefix="jd-scale.")
    sc = Scenario(a, tmp)
    try:
        log("seeding %d nodes, %d sources, %d Kustomizations..." % (
            a.nodes, a.sources, a.kustomizations))
        if a.reuse:
            sc.dir = os.path.abspath(a.reuse)
            sc.env["KUBECONFIG"] = os.path.join(sc.dir, "kubeconfig")
            sc.conn = scale.Conn(sc.dir)
            r["scenario"] = {"nodes": a.nodes, "pools": a.pools,
                             "sources": a.sources,
                             "kustomizations": a.kustomizations,
                             "seeded_s": None}
        else:
            r["scenario"] = sc.up()
        r["scenario"]["rate"] = a.rate
        log("seeded in %s s" % r["scenario"]["seeded_s"])
        r["first_paint"] = []
        p, t = first_paint(sc, 0)
        r["first_paint"].append(p)
        if t:
            log("TUI loaded; measuring bytes, idle, resize and churn")
            r["tui"] = tui_figures(sc, t)
        p, t = first_paint(sc, a.latency_ms)
        r["first_paint"].append(p)
        if t:
            t.stop()
        log("CLI and kubectl, %d runs each" % a.runs)
        r["cli"] = cli_figures(sc)
    finally:
        if not a.reuse:
            sc.down()
        subprocess.run(["rm", "-rf", tmp])
    r["load_end"] = [round(x, 2) for x in os.getloadavg()]
    r["self_cpu_s"] = round(resource.getrusage(
        resource.RUSAGE_SELF).ru_utime, 1)
    text = table(r)
    print(text)
    tmpf = a.out + ".tmp"
    with open(tmpf, "w") as f:
        json.dump(r, f, indent=1)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmpf, a.out)
    print("figures written to %s" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
