# az_arm.py - the simulated Azure Resource Manager front door: bearer-token
# checks, throttling buckets, RBAC denials, subscriptions, deployments and
# the registry resource; importImage is handed to az_import.py and Resource
# Graph to az_graph.py. Not a general ARM: only these paths exist.
"""ARM for the Azure simulator."""

import time

import az_graph
import az_import
from az_core import (ARM_AUDIENCES, HttpError, LOCATION, RESOURCE_GROUP,
                     SUBSCRIPTION, first, iso)


def arm_auth(h):
    auth = h.headers.get("Authorization", "")
    if not auth:
        raise HttpError(401, "AuthenticationFailed", "Authentication "
                        "failed. The 'Authorization' header is missing.")
    if not auth.lower().startswith("bearer "):
        raise HttpError(401, "AuthenticationFailed", "Authentication "
                        "failed. The 'Authorization' header is provided "
                        "in an invalid format.")
    claims = h.sim.keys.verify(auth[7:].strip())
    if claims is None:
        raise HttpError(401, "InvalidAuthenticationToken",
                        "The access token is invalid.")
    now = time.time()
    if now >= claims.get("exp", 0):
        raise HttpError(401, "ExpiredAuthenticationToken", "The access "
                        "token expiry UTC time '%s' is earlier than "
                        "current UTC time '%s'." % (
                            iso(claims.get("exp", 0))[:19],
                            iso(now)[:19]))
    if now + 300 < claims.get("nbf", 0):
        raise HttpError(401, "InvalidAuthenticationToken", "The access "
                        "token is not yet valid.")
    if claims.get("aud") not in ARM_AUDIENCES:
        raise HttpError(401, "InvalidAuthenticationTokenAudience",
                        "The access token has been obtained for wrong "
                        "audience or resource '%s'. It should exactly "
                        "match with one of the allowed audiences '%s'." %
                        (claims.get("aud"), "','".join(ARM_AUDIENCES)))
    h.who = claims.get("upn") or ("app:" + str(
        claims.get("appid") or claims.get("oid")))
    return claims


def arm_authorize(h, claims, action, scope):
    with h.sim.lock:
        rules = list(h.sim.deny)
    for r in rules:
        w = r.get("who", "*")
        if w != "*" and w not in (claims.get("upn"), claims.get("oid"),
                                  claims.get("appid")):
            continue
        if r.get("action_contains", "").lower() not in action.lower():
            continue
        raise HttpError(403, "AuthorizationFailed", "The client '%s' "
                        "with object id '%s' does not have authorization"
                        " to perform action '%s' over scope '%s' or the "
                        "scope is invalid. If access was recently "
                        "granted, please refresh your credentials." % (
                            claims.get("upn") or claims.get("appid"),
                            claims.get("oid"), action, scope))


def arm(h, method, path, q, body):
    if not first(q, "api-version"):
        raise HttpError(400, "MissingApiVersionParameter", "The "
                        "api-version query parameter (?api-version=) is "
                        "required for all requests.")
    claims = arm_auth(h)
    p = path.rstrip("/")
    seg = p.strip("/").split("/")
    low = [s.lower() for s in seg]
    sim = h.sim
    write = method not in ("GET", "HEAD")
    sub = low[1] if len(low) > 1 and low[0] == "subscriptions" else "-"
    kind, left, wait = sim.arm_bucket(sub, write)
    hdr = {}
    if wait:
        raise HttpError(429, "SubscriptionRequestsThrottled", "Number of "
                        "'%s' requests for subscription '%s' exceeded. "
                        "Please try again after '%d' seconds." % (
                            kind, sub, wait),
                        headers={"Retry-After": str(wait)})
    hdr["x-ms-ratelimit-remaining-subscription-%ss" % kind] = str(left)
    h.arm_headers = hdr
    if low[:3] == ["providers", "microsoft.resourcegraph", "resources"] \
            and len(low) == 3:
        if method != "POST":
            raise HttpError(405, "MethodNotAllowed", "use POST")
        return az_graph.resource_graph(h, claims, q, body)
    if low == ["subscriptions"] and method == "GET":
        with sim.lock:
            subs = list(sim.subscriptions.values())
        return h.send_json(200, {"value": [dict(
            s, id="/subscriptions/" + s["subscriptionId"],
            state="Enabled") for s in subs]}, hdr)
    if len(low) < 2 or low[0] != "subscriptions":
        raise HttpError(404, "NoRegisteredProviderFound", "No registered "
                        "resource provider found for path '%s'." % path)
    with sim.lock:
        s = sim.subscriptions.get(sub)
    if not s:
        raise HttpError(404, "SubscriptionNotFound", "The subscription "
                        "'%s' could not be found." % seg[1])
    if len(low) == 2 and method == "GET":
        return h.send_json(200, dict(
            s, id="/subscriptions/" + s["subscriptionId"],
            state="Enabled"), hdr)
    # operation status URLs (not under a resource group)
    if len(low) >= 8 and low[2:6] == ["providers",
                                      "microsoft.containerregistry",
                                      "locations", low[5]] and \
            low[6] in ("operationresults", "operationstatuses"):
        return az_import.lro_status(h, claims, low, seg, hdr)
    if len(low) < 4 or low[2] != "resourcegroups":
        raise HttpError(404, "NotFound", "no such ARM path in the "
                        "simulator: %s" % path)
    rg = low[3]
    with sim.lock:
        rg_known = (sub, rg) in sim.resource_groups
    if not rg_known:
        raise HttpError(404, "ResourceGroupNotFound", "Resource group "
                        "'%s' could not be found." % seg[3])
    rest = low[4:]
    scope = "/" + "/".join(seg)
    if rest[:3] == ["providers", "microsoft.resources", "deployments"]:
        if method != "GET":
            raise HttpError(405, "MethodNotAllowed", "the simulator only "
                            "reads deployments")
        arm_authorize(h, claims, "Microsoft.Resources/deployments/read",
                      scope)
        if len(rest) == 3:
            with sim.lock:
                deps = [d for k, d in sim.deployments.items()
                        if k[0] == sub and k[1] == rg]
            return h.send_json(200, {"value": deps}, hdr)
        if len(rest) == 4:
            with sim.lock:
                d = sim.deployments.get((sub, rg, rest[3]))
            if not d:
                raise HttpError(404, "DeploymentNotFound", "Deployment "
                                "'%s' could not be found." % seg[7])
            return h.send_json(200, d, hdr)
    if rest[:3] == ["providers", "microsoft.containerregistry",
                    "registries"] and len(rest) >= 4:
        name = seg[7]
        if rest[3] != sim.acr_name.lower() or (sub, rg) != sim.acr_rg:
            raise HttpError(404, "ResourceNotFound", "The Resource "
                            "'Microsoft.ContainerRegistry/registries/%s'"
                            " under resource group '%s' was not found. "
                            "For more details please go to "
                            "https://aka.ms/ARMResourceNotFoundFix" % (
                                name, seg[3]))
        if len(rest) == 4 and method == "GET":
            arm_authorize(h, claims, "Microsoft.ContainerRegistry/"
                          "registries/read", scope)
            return h.send_json(200, registry_resource(h), hdr)
        if len(rest) == 5 and rest[4] == "importimage":
            if method != "POST":
                raise HttpError(405, "MethodNotAllowed", "use POST")
            arm_authorize(h, claims, "Microsoft.ContainerRegistry/"
                          "registries/importImage/action", scope)
            return az_import.import_image(h, claims, q, body, hdr)
    if rest[:3] == ["providers", "microsoft.containerservice",
                    "managedclusters"] and len(rest) == 4:
        if method != "GET":
            raise HttpError(405, "MethodNotAllowed", "the simulator only "
                            "reads managed clusters")
        arm_authorize(h, claims, "Microsoft.ContainerService/"
                      "managedClusters/read", scope)
        mc = managed_cluster(h, sub, rg, seg[7])
        if not mc:
            raise HttpError(404, "ResourceNotFound", "The Resource "
                            "'Microsoft.ContainerService/managedClusters/"
                            "%s' under resource group '%s' was not found. "
                            "For more details please go to "
                            "https://aka.ms/ARMResourceNotFoundFix" % (
                                seg[7], seg[3]))
        return h.send_json(200, mc, hdr)
    raise HttpError(404, "NotFound", "no such ARM path in the simulator:"
                    " %s" % path)


def managed_cluster(h, sub, rg, name):
    """The AKS resource named by a deployment's aksClusterName output, in
    the shape of Microsoft.ContainerService/managedClusters (GET): a private
    cluster has privateFQDN and apiServerAccessProfile.enablePrivateCluster;
    its public FQDN (fqdn) exists only with enablePrivateClusterPublicFQDN;
    a public cluster has fqdn alone."""
    sim = h.sim
    with sim.lock:
        known = [d["properties"]["outputs"].get("aksClusterName", {})
                 .get("value") for k, d in sim.deployments.items()
                 if k[0] == sub and k[1] == rg]
        private = bool(sim.config["aks_private"])
        public_fqdn = bool(sim.config["aks_public_fqdn"])
    real = next((n for n in known if n and n.lower() == name.lower()), None)
    if not real:
        return None
    host = "%s-%s" % (real, "a1b2c3d4")
    props = {"provisioningState": "Succeeded", "powerState": {
        "code": "Running"}, "kubernetesVersion": "1.30.6",
        "dnsPrefix": real, "enableRBAC": True,
        "disableLocalAccounts": True,
        "aadProfile": {"managed": True, "enableAzureRBAC": False,
                       "tenantID": sim.tenant},
        "apiServerAccessProfile": {
            "enablePrivateCluster": private,
            "enablePrivateClusterPublicFQDN": public_fqdn}}
    if private:
        props["privateFQDN"] = "%s.privatelink.%s.azmk8s.io" % (
            host, LOCATION)
        props["apiServerAccessProfile"]["privateDNSZone"] = "system"
    if not private or public_fqdn:
        props["fqdn"] = "%s.hcp.%s.azmk8s.io" % (host, LOCATION)
    return {"id": "/subscriptions/%s/resourcegroups/%s/providers/"
            "Microsoft.ContainerService/managedClusters/%s" % (
                SUBSCRIPTION, RESOURCE_GROUP, real),
            "name": real, "type": "Microsoft.ContainerService/ManagedClusters",
            "location": LOCATION, "sku": {"name": "Base", "tier": "Standard"},
            "properties": props}


def acr_id(h):
    return ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft."
            "ContainerRegistry/registries/%s" % (
                SUBSCRIPTION, RESOURCE_GROUP, h.sim.acr_name))


def registry_resource(h):
    return {"id": acr_id(h), "name": h.sim.acr_name,
            "type": "Microsoft.ContainerRegistry/registries",
            "location": LOCATION,
            "sku": {"name": "Premium", "tier": "Premium"},
            "properties": {
                "loginServer": h.sim.service,
                "provisioningState": "Succeeded",
                "adminUserEnabled": False,
                "publicNetworkAccess": "Disabled",
                "dataEndpointEnabled": True,
                "networkRuleSet": {"defaultAction": "Deny"},
                "policies": {"quarantinePolicy": {"status": "disabled"},
                             "trustPolicy": {"type": "Notary",
                                             "status": "enabled"},
                             "retentionPolicy": {"days": 15,
                                                 "status": "enabled"}},
                "zoneRedundancy": "Enabled"}}
