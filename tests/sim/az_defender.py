# az_defender.py - Defender for Cloud container-registry vulnerability
# sub-assessments as Resource Graph returns them (securityresources rows),
# in both generations: Qualys-era and MDVM. Seeded through the control API;
# not Defender's scanner.
"""Defender sub-assessment rows for the Azure simulator."""

import uuid

import images as I
from az_core import (MDVM_KEY, QUALYS_KEY, RESOURCE_GROUP, SUBSCRIPTION,
                     HttpError, iso)


def make_findings(h, x):
    """Defender sub-assessment rows as Resource Graph returns them."""
    sim = h.sim
    repo = x.get("repository")
    digest = x.get("digest")
    if not repo or not digest:
        raise HttpError(400, "BadRequest", "repository and digest are "
                        "required")
    gen = x.get("generation", "mdvm")
    if gen not in ("mdvm", "qualys"):
        raise HttpError(400, "BadRequest", "generation is mdvm or qualys")
    sub = x.get("subscription", SUBSCRIPTION)
    rg = x.get("resourceGroup", RESOURCE_GROUP)
    reg = x.get("registry", sim.acr_name)
    reg_id = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft."
              "ContainerRegistry/registries/%s" % (sub, rg, reg))
    host = "%s.azurecr.io" % reg
    items = list(x.get("findings") or [])
    g = x.get("generate")
    if isinstance(g, dict):
        for i in range(int(g.get("count", 0))):
            items.append({"severity": g.get("severity", "Low"),
                          "id": "CVE-2021-%05d" % (10000 + i),
                          "package": "pkg%d" % (i % 50)})
    rows = []
    when = iso()
    for f in items:
        sev_in = f.get("severity", "Medium")
        sev = "High" if sev_in in ("Critical", "High") else sev_in
        key = MDVM_KEY if gen == "mdvm" else QUALYS_KEY
        cve = f.get("id") or "CVE-2021-0001"
        sub_key = str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(
            [gen, reg_id, repo, digest, cve])))
        title = f.get("title") or "%s in %s" % (cve, f.get("package",
                                                           "a package"))
        status = {"code": f.get("status", "Unhealthy"), "severity": sev}
        if status["code"] == "NotApplicable":
            status.update({"cause": "Exempt", "description":
                           "Disabled parent assessment"})
        props = {"id": cve if gen == "mdvm" else
                 str(f.get("qid", 100000 + len(rows))),
                 "displayName": title,
                 "description": f.get("description", title),
                 "remediation": f.get("remediation", "Upgrade %s to %s" %
                                      (f.get("package", "the package"),
                                       f.get("fixedVersion", "a fixed "
                                             "version"))),
                 "impact": f.get("impact", ""),
                 "category": "Vulnerability" if gen == "mdvm" else
                 "Security Policy",
                 "timeGenerated": when, "status": status}
        score = float(f.get("cvss", {"Critical": 9.8, "High": 7.5,
                                     "Medium": 5.3, "Low": 3.1}.get(
            sev_in, 5.0)))
        if gen == "mdvm":
            props["resourceDetails"] = {
                "source": "Azure", "id": "%s/repositories/%s/images/%s"
                % (reg_id, repo, digest), "ResourceProvider": "acr",
                "ResourceType": "repositories", "ResourceName": repo}
            fixed = f.get("fixedVersion")
            props["additionalData"] = {
                "assessedResourceType":
                    "AzureContainerRegistryVulnerability",
                "cvssV30Score": score,
                "vulnerabilityDetails": {
                    "cveId": cve, "severity": sev_in,
                    "cvss": {"2.0": None, "3.0": {
                        "cvssVectorString": "CVSS:3.0/AV:N/AC:L/PR:N/"
                        "UI:N/S:U/C:H/I:H/A:H", "base": score}},
                    "references": [{"title": cve, "link":
                                    "https://nvd.nist.gov/vuln/detail/"
                                    + cve}],
                    "weaknesses": {"cwe": [{"id": "CWE-787"}]},
                    "exploitabilityAssessment": {
                        "exploitStepsPublished": False,
                        "exploitStepsVerified": False,
                        "isInExploitKit": False, "exploitUris": [],
                        "types": []},
                    "publishedDate": "2021-03-15T00:00:00.0000000Z",
                    "lastModifiedDate": "2021-04-01T00:00:00.0000000Z",
                    "workarounds": [],
                    "cpe": {"uri": "cpe:2.3:a:*:%s:*" % f.get(
                        "package", "pkg")}},
                "artifactDetails": {
                    "repositoryName": repo, "registryHost": host,
                    "digest": digest, "tags": list(x.get("tags", [])),
                    "artifactType": "ContainerImage",
                    "mediaType": x.get("mediaType", I.DOCKER_MANIFEST),
                    "lastPushedToRegistryUTC": when},
                "softwareDetails": {
                    "packageName": f.get("package", "pkg"),
                    "version": f.get("version", "1.0"),
                    "fixedVersion": fixed or "",
                    "vendor": "debian", "category": "OS",
                    "language": "", "osDetails": {
                        "osPlatform": "linux", "osVersion": "debian_10"},
                    "fixStatus": "FixAvailable" if fixed else
                    "NoFixAvailable",
                    "fixReference": {}, "evidence": {}}}
        else:
            props["resourceDetails"] = {"source": "Azure", "id": reg_id}
            props["additionalData"] = {
                "assessedResourceType": "ContainerRegistryVulnerability",
                "type": "Vulnerability",
                "cvss": {"2.0": None, "3.0": {"base": score}},
                "patchable": bool(f.get("fixedVersion")),
                "cve": [{"title": cve, "link":
                         "https://nvd.nist.gov/vuln/detail/" + cve}],
                "publishedTime": "2021-03-15T00:00:00.0000000Z",
                "vendorReferences": [],
                "repositoryName": repo, "imageDigest": digest,
                "registryHost": host}
        rows.append({
            "id": "%s/providers/Microsoft.Security/assessments/%s/"
                  "subAssessments/%s" % (reg_id, key, sub_key),
            "name": sub_key,
            "type": "microsoft.security/assessments/subassessments",
            "tenantId": sim.tenant, "kind": "", "location": "",
            "resourceGroup": rg.lower(), "subscriptionId": sub,
            "managedBy": "", "sku": None, "plan": None,
            "properties": props, "tags": None, "identity": None,
            "zones": None, "extendedLocation": None})
    return rows
