# az_graph.py - the simulated Azure Resource Graph endpoint: the per-user
# quota, the query evaluated (kql.py) over the securityresources rows
# az_defender.py seeds and a resources table holding the registry, paging
# with $skipToken, and the answer's shape. Not the rest of Resource Graph
# (no other tables, no facets, no management-group scopes).
"""Resource Graph for the Azure simulator.

Sources followed:
- request and response: azure-rest-api-specs resourcegraph
  stable/2021-03-01/resourcegraph.json (QueryRequest, QueryResponse with
  resultTruncated a string, table format {columns, rows}).
- paging: learn.microsoft.com governance/resource-graph/concepts/
  paging-results: at most 1,000 rows a page; resultTruncated is true and
  no $skipToken is sent when the query has limit/take (or top), or when
  every output column is dynamic; work-with-data: $skip is ignored when
  the query limits itself.
- throttling: governance/resource-graph/concepts/
  guidance-for-throttled-requests: x-ms-user-quota-remaining,
  x-ms-user-quota-resets-after (hh:mm:ss), 15 queries per 5 s by default.
- errors: 400 {"error": {"code": "BadRequest", "message": "Please provide
  below info when asking for support: timestamp = ..., correlationId =
  ...", "details": [{"code": "InvalidQuery", "message": "Query is
  invalid. ..."}, {"code": "ParserFailure", "message": "ParserFailure",
  "line", "characterPositionInLine", "token"}]}} as reported in
  Azure/azure-powershell#13762 and Azure/aztfexport#485. A name that does
  not resolve gets a second detail with code "Default" and Kusto's
  sentence (that code is not verified).
"""

import hashlib
import json
import math
import time

import az_arm
import az_defender
import kql
import registry as R
from az_core import HttpError, RESOURCE_GROUP, SUBSCRIPTION, hms, iso

INVALID = ("Query is invalid. Please refer to the documentation for the "
           "Azure Resource Graph service and fix the error before "
           "retrying.")


def support_message(h):
    return ("Please provide below info when asking for support: timestamp "
            "= %s, correlationId = %s." % (iso(), h.request_id))


def throttle(h, claims):
    """Counts the query against the caller's quota; the quota headers."""
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
            raise HttpError(429, "RateLimiting", "%s Details: Client "
                            "application has been throttled and should "
                            "not attempt to repeat the request until an "
                            "amount of time has elapsed. Please see "
                            "https://aka.ms/resourcegraph-throttling for "
                            "help." % support_message(h), headers={
                                "Retry-After": str(int(math.ceil(reset))),
                                "x-ms-user-quota-remaining": "0",
                                "x-ms-user-quota-resets-after":
                                hms(reset)})
        calls.append(now)
        sim.arg_calls[key] = calls
        return {"x-ms-user-quota-remaining": str(quota - len(calls)),
                "x-ms-user-quota-resets-after":
                hms(calls[0] + window - now)}


def query_error(h, e, hdr):
    details = [{"code": "InvalidQuery", "message": INVALID}]
    if e.syntax:
        details.append({"code": "ParserFailure", "message": "ParserFailure",
                        "line": e.line, "characterPositionInLine": e.pos,
                        "token": e.token})
    else:
        details.append({"code": "Default", "message": str(e)})
    return HttpError(400, "BadRequest", support_message(h), headers=hdr,
                     extra={"details": details})


def tables(h, subs):
    """The tables a query can name, restricted to the subscriptions."""
    def mine(r):
        return not subs or str(r.get("subscriptionId")).lower() in subs
    reg = az_arm.registry_resource(h)
    res = dict(reg, type=reg["type"].lower(), tenantId=h.sim.tenant,
               kind="", resourceGroup=RESOURCE_GROUP.lower(),
               subscriptionId=SUBSCRIPTION, managedBy="",
               plan=None, tags={}, identity=None, zones=None,
               extendedLocation=None)
    return {"securityresources": [r for r in az_defender.visible_rows(h.sim)
                                  if mine(r)],
            "resources": [r for r in [res] if mine(r)]}


def resource_graph(h, claims, q, body):
    sim = h.sim
    hdr = throttle(h, claims)
    try:
        req = json.loads(body.decode() or "null")
    except ValueError as e:
        raise HttpError(400, "BadRequest", "The request content was "
                        "invalid and could not be deserialized: %s" % e,
                        headers=hdr)
    if not isinstance(req, dict):
        raise HttpError(400, "BadRequest", "The request content was "
                        "invalid: expected a QueryRequest object.",
                        headers=hdr)
    opts = req.get("options") or {}
    if not isinstance(opts, dict):
        raise HttpError(400, "BadRequest", "options must be an object",
                        headers=hdr)
    top = opts.get("$top", sim.config["arg_default_top"])
    if not isinstance(top, int) or isinstance(top, bool) or \
            not 1 <= top <= 1000:
        raise HttpError(400, "BadRequest", "Invalid '$top' value: it "
                        "must be between 1 and 1000.", headers=hdr,
                        extra={"details": [{"code": "InvalidParameter",
                                            "message": "$top"}]})
    subs = [str(s).lower() for s in (req.get("subscriptions") or [])]
    try:
        query = kql.parse(req.get("query"))
        rows = query.run(tables(h, subs))
    except kql.KqlError as e:
        raise query_error(h, e, hdr)
    fp = hashlib.sha256(json.dumps([req.get("query"), subs]).encode()
                        ).hexdigest()[:16]
    dynamic_only = bool(query.columns) and all(
        all(kql.is_dynamic(r.get(c)) for r in rows) for c in query.columns)
    no_paging = query.limited or dynamic_only
    offset = 0 if query.limited else int(opts.get("$skip") or 0)
    tokn = opts.get("$skipToken")
    if tokn and not no_paging:
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
           "resultTruncated": "true" if no_paging else "false",
           "facets": []}
    if not no_paging and offset + top < len(rows):
        out["$skipToken"] = R.b64url(json.dumps(
            {"o": offset + top, "h": fp}))
    if opts.get("resultFormat") == "table":
        cols = query.columns
        out["data"] = {"columns": [{"name": c, "type": kql.column_type(
            r.get(c) for r in rows)} for c in cols],
            "rows": [[r.get(c) for c in cols] for r in page]}
    else:
        out["data"] = page
    h.send_json(200, out, hdr)
