# az_graph.py - the simulated Azure Resource Graph endpoint: the per-user
# quota, paging with $skipToken and the answer's shape. The query itself is
# evaluated by kql.py over the rows az_defender.py seeds.
"""Resource Graph for the Azure simulator."""

import hashlib
import json
import math
import time

import registry as R
from az_core import HttpError, hms, iso


def resource_graph(h, claims, q, body):
    sim = h.sim
    key = claims.get("oid") or claims.get("appid") or "?"
    now = time.time()
    quota = int(sim.config["arg_quota"])
    window = float(sim.config["arg_window_s"])
    with sim.lock:
        calls = [t for t in sim.arg_calls.get(key, []) if t > now - window]
        if len(calls) >= quota:
            reset = calls[0] + window - now
            sim.arg_calls[key] = calls
            raise HttpError(429, "RateLimiting", "Please provide below "
                            "info when asking for support: timestamp = "
                            "%s, correlationId = %s. Details: Client "
                            "application has been throttled and should "
                            "not attempt to repeat the request until an "
                            "amount of time has elapsed. Please see "
                            "https://aka.ms/resourcegraph-throttling for "
                            "help." % (iso(), h.request_id), headers={
                                "Retry-After": str(int(math.ceil(reset))),
                                "x-ms-user-quota-remaining": "0",
                                "x-ms-user-quota-resets-after":
                                hms(reset)})
        calls.append(now)
        sim.arg_calls[key] = calls
        hdr = {"x-ms-user-quota-remaining": str(quota - len(calls)),
               "x-ms-user-quota-resets-after":
               hms(calls[0] + window - now)}
    try:
        req = json.loads(body.decode() or "null")
    except ValueError as e:
        raise HttpError(400, "BadRequest", "The request content was "
                        "invalid and could not be deserialized: %s" % e,
                        headers=hdr)
    if not isinstance(req, dict) or not isinstance(req.get("query"),
                                                   str) or \
            not req["query"].strip():
        raise HttpError(400, "BadRequest", "Please provide a query.",
                        headers=hdr, extra={"details": [{
                            "code": "InvalidQuery",
                            "message": "Query is missing."}]})
    opts = req.get("options") or {}
    top = opts.get("$top", sim.config["arg_default_top"])
    if not isinstance(top, int) or not 1 <= top <= 1000:
        raise HttpError(400, "BadRequest", "Invalid '$top' value: it "
                        "must be between 1 and 1000.", headers=hdr,
                        extra={"details": [{"code": "InvalidParameter",
                                            "message": "$top"}]})
    subs = [s.lower() for s in (req.get("subscriptions") or [])]
    with sim.lock:
        rows = [r for r in sim.findings
                if not subs or r["subscriptionId"].lower() in subs]
    fp = hashlib.sha256(json.dumps([req["query"], subs]).encode()
                        ).hexdigest()[:16]
    offset = int(opts.get("$skip") or 0)
    tokn = opts.get("$skipToken")
    if tokn:
        try:
            t = json.loads(R.b64url_decode(tokn))
            if t["h"] != fp:
                raise ValueError("query changed")
            offset = int(t["o"])
        except (ValueError, KeyError, TypeError) as e:
            raise HttpError(400, "BadRequest", "Invalid $skipToken: %s"
                            % e, headers=hdr, extra={"details": [{
                                "code": "InvalidSkipToken",
                                "message": "The skip token is invalid"}]})
    page = rows[offset:offset + top]
    out = {"totalRecords": len(rows), "count": len(page),
           "resultTruncated": "false", "facets": []}
    if offset + top < len(rows):
        out["$skipToken"] = R.b64url(json.dumps(
            {"o": offset + top, "h": fp}))
    if opts.get("resultFormat") == "table":
        cols = list(page[0].keys()) if page else []
        out["data"] = {"columns": [{"name": c, "type": (
            "object" if isinstance(page[0][c], (dict, list)) else
            "string")} for c in cols],
            "rows": [[r.get(c) for c in cols] for r in page]}
    else:
        out["data"] = page
    h.send_json(200, out, hdr)
