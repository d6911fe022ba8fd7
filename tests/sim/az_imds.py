# az_imds.py - the simulated Azure Instance Metadata Service: managed
# identity tokens and a small instance document, on a plain-HTTP port as
# real IMDS is. Not the rest of IMDS (no attested data, no scheduled events).
"""IMDS for the Azure simulator."""

from az_core import HttpError, LOCATION, RESOURCE_GROUP, SUBSCRIPTION, first


def imds(h, method, path, q):
    sim = h.sim
    if method != "GET":
        raise HttpError(405, "invalid_request", "method not allowed",
                        "imds")
    if h.headers.get("Metadata", "").lower() != "true":
        raise HttpError(400, "invalid_request", "Required metadata "
                        "header not specified", "imds")
    if not first(q, "api-version"):
        raise HttpError(400, "invalid_request", "Required query variable"
                        " 'api-version' is missing", "imds")
    if path == "/metadata/instance":
        return h.send_json(200, {"compute": {
            "azEnvironment": "AzurePublicCloud", "location": LOCATION,
            "name": "vmss-jumpboxes_0", "osType": "Linux",
            "resourceGroupName": RESOURCE_GROUP,
            "subscriptionId": SUBSCRIPTION, "vmScaleSetName":
            "vmss-jumpboxes", "tenantId": sim.tenant}})
    if path != "/metadata/identity/oauth2/token":
        raise HttpError(404, "not_found", "no such metadata endpoint",
                        "imds")
    resource = first(q, "resource")
    if not resource:
        raise HttpError(400, "invalid_request", "Required audience "
                        "parameter not specified", "imds")
    cid, oid, rid = first(q, "client_id"), first(q, "object_id"), \
        first(q, "msi_res_id") or first(q, "mi_res_id")
    with sim.lock:
        ids = list(sim.identities)
    ident = None
    if cid or oid or rid:
        for i in ids:
            if (cid and i.get("client_id", "").lower() == cid.lower()) or \
                    (oid and i.get("object_id", "").lower() ==
                     oid.lower()) or \
                    (rid and i.get("resource_id", "").lower() ==
                     rid.lower()):
                ident = i
                break
        if not ident:
            raise HttpError(400, "invalid_request", "Identity not found",
                            "imds")
    else:
        system = [i for i in ids if i.get("system")]
        if system:
            ident = system[0]
        elif len(ids) == 1:
            ident = ids[0]
        elif len(ids) > 1:
            raise HttpError(400, "invalid_request", "Multiple user "
                            "assigned identities exist, please specify "
                            "the clientId / resourceId of the identity "
                            "in the token request", "imds")
        else:
            raise HttpError(int(sim.config["imds_no_identity_status"]),
                            "invalid_request", "Identity not found",
                            "imds")
    ttl = int(sim.config["token_ttl"])
    tok, c = sim.entra_token(resource, ident["object_id"],
                             appid=ident["client_id"], ttl=ttl,
                             idtyp="app")
    h.who = "mi:" + ident["client_id"]
    h.send_json(200, {
        "access_token": tok, "client_id": ident["client_id"],
        "expires_in": str(ttl), "expires_on": str(c["exp"]),
        "ext_expires_in": str(ttl), "not_before": str(c["nbf"]),
        "resource": resource, "token_type": "Bearer"})
