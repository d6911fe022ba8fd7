#!/bin/sh
# test_sim_api.sh - checks the Kubernetes API simulator's own behaviour at
# the HTTP level (watch, 410, paging, patches, /status, faults). TAP-like.
# shellcheck disable=SC2317  # cleanup runs from a trap
set -u
cd "$(dirname "$0")/../.." || exit 2
T=$(mktemp -d "${TMPDIR:-/tmp}/jd-simapi.XXXXXX") || exit 2
D=$T/world
cleanup() {
	python3 tests/sim/world.py down --dir "$D" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! python3 tests/sim/world.py up --dir "$D" --scenario nodes \
	--bookmark-interval 0.5 >"$T/up" 2>&1; then
	echo "not ok - world up"
	sed 's/^/#   /' "$T/up"
	exit 1
fi
echo "ok - world up"

python3 - "$D" <<'EOF'
import http.client, json, os, ssl, subprocess, sys, time

D = sys.argv[1]
PORT = int(open(os.path.join(D, "port")).read())
CTX = ssl.create_default_context(cafile=os.path.join(D, "ca.crt"))
failed = 0


def check(desc, cond, info=""):
    global failed
    print(("ok - " if cond else "not ok - ") + desc)
    if not cond:
        failed += 1
        if info:
            print("#   " + str(info)[:400])


def req(method, path, body=None, ctype="application/json",
        token="admin-token", headers=None):
    c = http.client.HTTPSConnection("127.0.0.1", PORT, context=CTX,
                                    timeout=10)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        h["Content-Type"] = ctype
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    raw = r.read()
    c.close()
    try:
        return r.status, json.loads(raw), r
    except ValueError:
        return r.status, raw, r


def watch(path, seconds):
    """Read watch events for up to `seconds`; returns (events, closed)."""
    c = http.client.HTTPSConnection("127.0.0.1", PORT, context=CTX,
                                    timeout=seconds)
    c.request("GET", path, headers={"Authorization": "Bearer admin-token"})
    r = c.getresponse()
    evs, closed = [], False
    end = time.time() + seconds
    try:
        while time.time() < end:
            line = r.fp.readline()
            if not line:
                closed = True
                break
            line = line.strip()
            if line.startswith(b"{"):
                evs.append(json.loads(line))
            elif line == b"0":
                closed = True
                break
    except (OSError, ValueError, http.client.HTTPException):
        closed = True
    c.close()
    return evs, closed


def ctl(method, path, body=None):
    return req(method, path, body, token=None)


# --- authentication and Status bodies
st, b, _ = req("GET", "/api/v1/nodes", token=None)
check("no credentials: 401 Status", st == 401 and b == {
    "kind": "Status", "apiVersion": "v1", "metadata": {},
    "status": "Failure", "message": "Unauthorized",
    "reason": "Unauthorized", "code": 401}, b)
st, b, _ = req("GET", "/api/v1/nodes", token="nope")
check("bad token: 401", st == 401, b)
st, b, _ = req("GET", "/api/v1/nodes/missing")
check("missing node: 404 with the real message",
      st == 404 and b["message"] == 'nodes "missing" not found' and
      b["details"]["kind"] == "nodes", b)
with open(os.path.join(D, "deny.json"), "w") as f:
    json.dump([{"user": "viewer", "verb": "*", "resource": "deployments",
                "namespace": "kube-system"}], f)
st, b, _ = req("GET", "/apis/apps/v1/namespaces/kube-system/deployments",
               token="viewer-token")
check("deny rule: 403 namespaced message", st == 403 and b["message"] ==
      'deployments.apps is forbidden: User "viewer" cannot list resource '
      '"deployments" in API group "apps" in the namespace "kube-system"', b)
st, b, _ = req("GET", "/apis/apps/v1/namespaces/default/deployments",
               token="viewer-token")
check("deny rule limited to its namespace", st == 200, b)
os.unlink(os.path.join(D, "deny.json"))
st, b, _ = req("POST", "/api/v1/namespaces/default/configmaps", b"{nope")
check("malformed JSON: 400 BadRequest", st == 400 and
      b["reason"] == "BadRequest", b)

# --- discovery
st, b, _ = req("GET", "/api/v1")
names = [r["name"] for r in b["resources"]]
check("/api/v1 lists nodes and nodes/status",
      "nodes" in names and "nodes/status" in names, names)
st, b, _ = req("GET", "/version")
check("/version is v1.30.6", b.get("gitVersion") == "v1.30.6", b)

# --- paging and continue tokens
st, b, _ = req("GET", "/api/v1/nodes?limit=3")
tok = b["metadata"].get("continue")
check("limit=3: three items and a continue token",
      len(b["items"]) == 3 and tok and
      b["metadata"]["remainingItemCount"] == 4, b["metadata"])
seen = [i["metadata"]["name"] for i in b["items"]]
req("POST", "/api/v1/namespaces/default/configmaps",
    {"metadata": {"name": "between"}})
while tok:
    st, b, _ = req("GET", "/api/v1/nodes?limit=3&continue=" + tok)
    seen += [i["metadata"]["name"] for i in b["items"]]
    tok = b["metadata"].get("continue")
check("following continue yields all seven nodes once",
      len(seen) == 7 and len(set(seen)) == 7, seen)

# --- status subresource semantics and generation
st, n, _ = req("GET", "/api/v1/nodes/aks-npsystem-26621167-vmss000000")
n["status"]["nodeInfo"]["kubeletVersion"] = "v9"
n["metadata"]["labels"]["extra"] = "yes"
st, b, _ = req("PUT", "/api/v1/nodes/aks-npsystem-26621167-vmss000000", n)
check("PUT on the main resource ignores status", st == 200 and
      b["status"]["nodeInfo"]["kubeletVersion"] == "v1.30.6" and
      b["metadata"]["labels"]["extra"] == "yes", b.get("status"))
st, b, _ = req("PATCH",
               "/api/v1/nodes/aks-npsystem-26621167-vmss000000/status",
               {"spec": {"unschedulable": True},
                "status": {"phase": "Running"}},
               "application/merge-patch+json")
check("PATCH on /status ignores spec", st == 200 and
      not b["spec"].get("unschedulable") and
      b["status"]["phase"] == "Running", b.get("spec"))
dep = {"apiVersion": "apps/v1", "kind": "Deployment",
       "metadata": {"name": "web"},
       "spec": {"replicas": 1, "template": {"spec": {"containers": [
           {"name": "a", "image": "a:1", "ports": [{"containerPort": 80}]},
           {"name": "b", "image": "b:1"}]}}},
       "status": {"replicas": 5}}
st, b, _ = req("POST", "/apis/apps/v1/namespaces/default/deployments", dep)
check("create deployment: 201, generation 1, status dropped",
      st == 201 and b["metadata"]["generation"] == 1 and
      b["status"] == {}, b)
st, b, _ = req("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
               {"spec": {"template": {"spec": {
                   "$setElementOrder/containers": [{"name": "a"},
                                                   {"name": "b"}],
                   "containers": [{"name": "b", "image": "b:2"}]}}}},
               "application/strategic-merge-patch+json")
cs = b["spec"]["template"]["spec"]["containers"]
check("strategic merge patch merges containers by name", [
    (c["name"], c["image"]) for c in cs] == [("a", "a:1"), ("b", "b:2")] and
    cs[0]["ports"] == [{"containerPort": 80}], cs)
check("spec change bumps generation", b["metadata"]["generation"] == 2,
      b["metadata"])
st, b, _ = req("PATCH",
               "/apis/apps/v1/namespaces/default/deployments/web/status",
               {"status": {"readyReplicas": 1}},
               "application/merge-patch+json")
check("status change keeps generation",
      b["metadata"]["generation"] == 2 and
      b["status"]["readyReplicas"] == 1, b["metadata"])
st, b, _ = req("PATCH", "/api/v1/namespaces/default/configmaps/between",
               [{"op": "add", "path": "/data", "value": {"a": "1"}},
                {"op": "copy", "from": "/data/a", "path": "/data/b"},
                {"op": "test", "path": "/data/b", "value": "1"}],
               "application/json-patch+json")
check("JSON patch add/copy/test", st == 200 and
      b["data"] == {"a": "1", "b": "1"}, b)
st, b, _ = req("PATCH", "/api/v1/namespaces/default/configmaps/between",
               {"data": {"a": None}}, "application/merge-patch+json")
check("merge patch null removes a key", b.get("data") == {"b": "1"}, b)
st, b, _ = req("PATCH", "/api/v1/namespaces/default/configmaps/applied",
               b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied"
               b"\ndata:\n  k: v\n", "application/apply-patch+yaml")
check("apply without fieldManager: 422", st == 422, b)
st, b, _ = req("PATCH", "/api/v1/namespaces/default/configmaps/applied"
               "?fieldManager=test",
               b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied"
               b"\ndata:\n  k: v\n", "application/apply-patch+yaml")
check("server-side apply of YAML creates", st == 201 and
      b["data"] == {"k": "v"}, b)

# --- watch: events, selectors, bookmarks, 410, timeout
st, b, _ = req("GET", "/api/v1/nodes")
rv = b["metadata"]["resourceVersion"]
subprocess.run([sys.executable, "tests/sim/world.py", "set-ready", "--dir",
                D, "aks-npsystem-26621167-vmss000001", "false"], check=True)
evs, closed = watch("/api/v1/nodes?watch=1&resourceVersion=%s"
                    "&allowWatchBookmarks=true&timeoutSeconds=2" % rv, 4)
types = [e["type"] for e in evs]
check("watch from RV replays the change", types[:1] == ["MODIFIED"] and
      evs[0]["object"]["metadata"]["name"] ==
      "aks-npsystem-26621167-vmss000001", types)
check("bookmarks arrive", "BOOKMARK" in types and all(
    set(e["object"]) == {"kind", "apiVersion", "metadata"}
    for e in evs if e["type"] == "BOOKMARK"), evs[-1:])
check("timeoutSeconds ends the watch cleanly", closed)
evs, _ = watch("/api/v1/nodes?watch=true&labelSelector=kubernetes.azure.com"
               "%2Fmode%3Dsystem&timeoutSeconds=1", 3)
check("watch without RV: synthetic ADDED, label selector applied",
      [e["type"] for e in evs] == ["ADDED"] * 3, [e["type"] for e in evs])
ctl("POST", "/_sim/compact")
evs, closed = watch("/api/v1/nodes?watch=1&resourceVersion=%s" % rv, 3)
check("watch from a compacted RV: one ERROR 410 Expired, then close",
      len(evs) == 1 and evs[0]["type"] == "ERROR" and
      evs[0]["object"]["code"] == 410 and
      evs[0]["object"]["reason"] == "Expired" and
      evs[0]["object"]["message"].startswith("too old resource version: ")
      and closed, evs)
st, b, _ = req("GET", "/api/v1/nodes?limit=2")
tok = b["metadata"]["continue"]
req("PATCH", "/api/v1/namespaces/default/configmaps/between",
    {"data": {"c": "3"}}, "application/merge-patch+json")
ctl("POST", "/_sim/compact")
st, b, _ = req("GET", "/api/v1/nodes?limit=2&continue=" + tok)
check("continue token older than the history: 410 Expired",
      st == 410 and b["reason"] == "Expired" and
      b["message"].startswith("The provided continue parameter is too old"),
      b)

# --- faults and the request log
ctl("DELETE", "/_sim/requests")
ctl("POST", "/_sim/faults", [
    {"path_prefix": "/api/v1/namespaces", "action": "status", "status": 429,
     "retry_after": "2", "times": 1},
    {"path_prefix": "/api/v1/nodes", "method": "GET", "action": "status",
     "status": 503, "times": 2}])
st, b, r = req("GET", "/api/v1/namespaces")
check("429 as the max-in-flight limiter and APF send it: text/plain, "
      "Retry-After", st == 429 and r.getheader("Retry-After") == "2" and
      r.getheader("Content-Type") == "text/plain; charset=utf-8" and
      b == b"Too many requests, please try again later.\n", (b, r.headers))
st2, _, _ = req("GET", "/api/v1/nodes")
st3, _, _ = req("GET", "/api/v1/nodes")
st4, _, _ = req("GET", "/api/v1/nodes")
check("503 fault twice, then normal", (st2, st3, st4) == (503, 503, 200),
      (st2, st3, st4))
st, log, _ = ctl("GET", "/_sim/requests")
check("request log counts the requests, with users",
      [x["status"] for x in log] == [429, 503, 503, 200] and
      all(x["user"] == "admin" for x in log), log)
check("the request log holds no tokens", "admin-token" not in json.dumps(log))
ctl("POST", "/_sim/faults", [{"path_prefix": "/api/v1/nodes",
                              "action": "drop"}])
try:
    req("GET", "/api/v1/nodes")
    dropped = False
except (OSError, http.client.HTTPException):
    dropped = True
check("drop fault closes the connection", dropped)
ctl("POST", "/_sim/faults", [{"path_prefix": "/api/v1/nodes",
                              "action": "truncate"}])
try:
    req("GET", "/api/v1/nodes")
    truncated = False
except (OSError, http.client.HTTPException):
    truncated = True
check("truncate fault cuts the body short", truncated)

# --- paging: expired continue tokens, filtered pages
for i in range(6):
    req("POST", "/api/v1/namespaces/default/configmaps",
        {"metadata": {"name": "page-%d" % i,
                      "labels": {"odd": str(i % 2)}}})
st, b, _ = req("GET", "/api/v1/namespaces/default/configmaps?limit=2")
tok = b["metadata"]["continue"]
req("POST", "/api/v1/namespaces/default/configmaps",
    {"metadata": {"name": "page-later"}})
ctl("POST", "/_sim/compact")
st, b, _ = req("GET", "/api/v1/namespaces/default/configmaps?limit=2&"
               "continue=" + tok)
check("expired continue: 410 whose metadata.continue goes on at the latest",
      st == 410 and b["metadata"].get("continue"), b)
st2, b2, _ = req("GET", "/api/v1/namespaces/default/configmaps?limit=2&"
                 "continue=" + b["metadata"]["continue"])
check("... and that token lists the next page", st2 == 200 and
      len(b2["items"]) == 2, b2)
seen, cont, pages, empty = [], "", 0, 0
while pages < 20:
    st, b, _ = req("GET", "/api/v1/namespaces/default/configmaps?limit=2&"
                   "labelSelector=odd%3D1" +
                   ("&continue=" + cont if cont else ""))
    pages += 1
    seen += [i["metadata"]["name"] for i in b["items"]]
    empty += not b["items"]
    cont = b["metadata"].get("continue")
    if not cont:
        break
check("a selector filters after each storage read: short or empty pages "
      "with continue, all matches once", sorted(seen) == [
          "page-1", "page-3", "page-5"] and empty >= 1 and pages > 3,
      (seen, pages, empty))

# --- too large resourceVersion
st, b, _ = req("GET", "/api/v1/nodes")
future = int(b["metadata"]["resourceVersion"]) + 1000
t0 = time.time()
st, b, r = req("GET", "/api/v1/nodes?resourceVersion=%d" % future)
check("a list from a future resourceVersion: 504 after ~3 s, Retry-After 1",
      st == 504 and b["reason"] == "Timeout" and
      b["message"].startswith("Too large resource version: %d" % future) and
      r.getheader("Retry-After") == "1" and
      b["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge" and
      2.5 < time.time() - t0 < 6, (b, time.time() - t0))
evs, closed = watch("/api/v1/nodes?watch=1&sendInitialEvents=true&"
                    "allowWatchBookmarks=true&resourceVersionMatch="
                    "NotOlderThan&resourceVersion=%d" % future, 6)
check("sendInitialEvents from a future resourceVersion: an ERROR event 504",
      len(evs) == 1 and evs[0]["type"] == "ERROR" and
      evs[0]["object"]["code"] == 504 and closed, evs)

# --- patch types, field selectors
req("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
    "metadata": {"name": "widgets.sim.test"},
    "spec": {"group": "sim.test", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget",
                       "kind": "Widget"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {
                               "type": "object",
                               "x-kubernetes-preserve-unknown-fields":
                               True}}}]}})
st, b, _ = req("GET", "/apis/sim.test/v1/namespaces/default/widgets")
check("a new CRD is not served at once", st == 404, b)
conds = []
for _ in range(50):
    st, b, _ = req("GET", "/apis/apiextensions.k8s.io/v1/"
                   "customresourcedefinitions/widgets.sim.test")
    conds = {c["type"]: c for c in b["status"].get("conditions") or []}
    if conds.get("Established", {}).get("status") == "True":
        break
    time.sleep(0.05)
check("... it becomes NamesAccepted and Established",
      conds.get("NamesAccepted", {}).get("reason") == "NoConflicts" and
      conds.get("Established", {}).get("reason") == "InitialNamesAccepted",
      conds)
req("POST", "/apis/sim.test/v1/namespaces/default/widgets",
    {"metadata": {"name": "w1"}})
st, b, _ = req("PATCH", "/apis/sim.test/v1/namespaces/default/widgets/w1",
               {"spec": {}}, "application/strategic-merge-patch+json")
check("a strategic merge patch on a custom resource: 415", st == 415 and
      b["reason"] == "UnsupportedMediaType" and
      "strategic" not in b["message"], b)
st, b, _ = req("GET", "/apis/sim.test/v1/namespaces/default/widgets?"
               "fieldSelector=spec.size%3D1")
check("custom resources select by metadata.name/namespace only: 400",
      st == 400 and b["message"] == '"spec.size" is not a known field '
      'selector: only "metadata.name", "metadata.namespace"', b)
st, b, _ = req("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dx")
check("pods select by spec.nodeName", st == 200, b)

# --- access reviews
def ssar(token, **attrs):
    st, b, _ = req("POST", "/apis/authorization.k8s.io/v1/"
                   "selfsubjectaccessreviews",
                   {"apiVersion": "authorization.k8s.io/v1",
                    "kind": "SelfSubjectAccessReview",
                    "spec": {"resourceAttributes": attrs}}, token=token)
    return st, b


with open(os.path.join(D, "deny.json"), "w") as f:
    json.dump([{"user": "viewer", "verb": "delete", "resource": "pods"}], f)
st, b = ssar("admin-token", verb="*", group="*", resource="*")
check("SSAR: system:masters may do * on *", st == 201 and
      b["status"]["allowed"] is True, b)
st, b = ssar("viewer-token", verb="*", group="*", resource="*")
check("SSAR: a user with a deny rule may not do * on *", st == 201 and
      b["status"]["allowed"] is False, b)
st, b = ssar("viewer-token", verb="list", resource="pods",
             namespace="default")
check("SSAR: ... but may list pods", b["status"]["allowed"] is True, b)
os.unlink(os.path.join(D, "deny.json"))

# --- pods and their logs
req("POST", "/api/v1/namespaces/default/pods", {
    "metadata": {"name": "two"}, "spec": {"containers": [
        {"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}})
st, b, _ = req("GET", "/api/v1/namespaces/default/pods/two/log")
check("log of a pod with two containers needs one named", st == 400 and
      b["message"] == "a container name must be specified for pod two, "
      "choose one of: [a b]", b)
st, b, _ = req("GET", "/api/v1/namespaces/default/pods/two/log?container=a&"
               "previous=true")
check("no previous instance: the kubelet's sentence", st == 400 and
      b["message"] == 'previous terminated container "a" in pod "two" '
      'not found', b)
ctl("POST", "/_sim/logs/default/two", {"container": "a", "previous": True,
                                       "text": "1\n2\n3\n"})
st, b, r = req("GET", "/api/v1/namespaces/default/pods/two/log?container=a&"
               "previous=true&tailLines=2")
check("previous=true&tailLines=2: the last two lines, text/plain",
      st == 200 and b == b"2\n3\n" and
      r.getheader("Content-Type") == "text/plain", (st, b))

# --- restart: watches drop, objects and RV survive
st, b, _ = req("GET", "/api/v1/namespaces/default/configmaps/between")
before = int(b["metadata"]["resourceVersion"])
import threading
res = {}


def watcher():
    res["w"] = watch("/api/v1/nodes?watch=1&resourceVersion=%d" % before, 15)


t = threading.Thread(target=watcher)
t.start()
time.sleep(0.5)
t0 = time.time()
subprocess.run([sys.executable, "tests/sim/world.py", "restart", "--dir", D],
               check=True, stdout=subprocess.DEVNULL)
t.join(10)
check("a restart drops open watches", not t.is_alive() and res["w"][1])
st, b, _ = req("GET", "/api/v1/namespaces/default/configmaps/between")
check("objects survive a restart", st == 200 and b["data"]["c"] == "3", b)
st, b, _ = req("POST", "/api/v1/namespaces/default/configmaps",
               {"metadata": {"name": "after"}})
check("the resourceVersion counter survives a restart",
      int(b["metadata"]["resourceVersion"]) > before, b["metadata"])
sys.exit(1 if failed else 0)
EOF
rc=$?
pid=$(cat "$D/pid" 2>/dev/null)
python3 tests/sim/world.py down --dir "$D" >/dev/null 2>&1
# a zombie counts as gone: reaping it is the init process's business
state=$(ps -o stat= -p "${pid:-0}" 2>/dev/null)
if [ -n "$state" ] && [ "${state#Z}" = "$state" ]; then
	echo "not ok - world down leaves no kubesim process"
	rc=1
else
	echo "ok - world down leaves no kubesim process"
fi
exit $rc
