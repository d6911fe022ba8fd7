# lib_readonly.sh - what --read-only must leave in the simulators' request
# logs: nothing but reads. Sourced by tests/integration/test_read_only.sh
# and tests/e2e/test_tui_read_only.sh after lib_azure.sh. POSIX sh.
# shellcheck shell=sh

# ro_writes LOG-JSON-FILE...: prints each request jumpdeck sent (its
# User-Agent) that is not a read,
# one a line ("METHOD PATH (file)"). Reads are GET and HEAD, and the POSTs
# that change nothing: the token requests (Entra ID's token endpoint, v1 and
# v2, ACR's /oauth2/exchange and /oauth2/token), a Resource Graph query
# (POST .../Microsoft.ResourceGraph/resources, a read by its REST spec) and
# a SelfSubjectAccessReview (the apiserver answers it and stores nothing:
# kubernetes pkg/registry/authorization/selfsubjectaccessreview/rest.go).
ro_writes() {
	python3 -c '
import json, sys
reads = ("/oauth2/v2.0/token", "/oauth2/token", "/oauth2/exchange",
         "/providers/Microsoft.ResourceGraph/resources",
         "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        # the requests jumpdeck sent (libcurl says "jumpdeck/VERSION"); the
        # test world seeding beside it is not under test.
        if not r.get("user_agent", "").startswith("jumpdeck/"):
            continue
        m, p = r.get("method", ""), r.get("path", "").split("?")[0]
        if m in ("GET", "HEAD"):
            continue
        if m == "POST" and p.endswith(reads):
            continue
        print("%s %s (%s)" % (m, p, path))
' "$@"
}

# ro_fetch URL CA FILE: one simulator's request log into FILE; fails
# when the log no longer holds every request it saw since it was emptied
# (X-Sim-Requests-Seen larger than the list: some fell out of it, and the
# proof would miss them), saying so on stderr.
ro_fetch() {
	curl -sSf --max-time 10 --cacert "$2" -D "$3.headers" "$1" >"$3" ||
		return 1
	python3 -c '
import json, sys
seen = None
for line in open(sys.argv[2]):
    k, _, v = line.partition(":")
    if k.strip().lower() == "x-sim-requests-seen":
        seen = int(v.strip())
held = len(json.load(open(sys.argv[1])))
if seen is None:
    sys.exit("%s: no X-Sim-Requests-Seen header" % sys.argv[1])
if seen != held:
    sys.exit("%s: %d requests seen, only the last %d kept" %
             (sys.argv[1], seen, held))
' "$3" "$3.headers" || return 1
	rm -f "$3.headers"
}

# ro_save_logs DIR KUBE-URL KUBE-CA: every simulator's request log as JSON
# files in DIR: the cluster's, the Azure simulator's and both registry
# proxies'. Fails when one of them is not whole (see ro_fetch).
ro_save_logs() {
	mkdir -p "$1"
	ro_fetch "$2/_sim/requests" "$3" "$1/kube.json" || return 1
	ro_fetch "$AZ_URL/_sim/requests" "$AZ_CA" "$1/azure.json" || return 1
	for r in acr upstream; do
		ro_fetch "$(cat "$AZ_REG/${r}_url")/_sim/requests" "$AZ_CA" \
			"$1/$r.json" || return 1
	done
}

# ro_clear_logs KUBE-URL KUBE-CA: every simulator's request log emptied.
ro_clear_logs() {
	curl -sSf --max-time 10 --cacert "$2" -X DELETE "$1/_sim/requests" \
		>/dev/null && az_sim DELETE /requests >/dev/null && az_reg_reset
}

# ro_count DIR: how many requests the logs in DIR hold in all.
ro_count() {
	python3 -c '
import json, sys
print(sum(1 for p in sys.argv[1:] for r in json.load(open(p))
          if r.get("user_agent", "").startswith("jumpdeck/")))' "$1"/*.json
}
