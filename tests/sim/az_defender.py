# az_defender.py - Defender for Cloud container-registry vulnerability
# sub-assessments as Resource Graph returns them (securityresources rows),
# in both generations: Qualys-era and MDVM, and the scan state of each
# image digest (results, healthy, unverified, pending). Seeded through the
# control API (/_sim/findings, /_sim/scans); not Defender's scanner.
"""Defender sub-assessment rows for the Azure simulator.

Shapes followed:
- MDVM: MicrosoftDocs azure-docs
  articles/defender-for-cloud/subassessment-rest-api.md (the query result
  example): type lower case, id ".../assessments/<key>/subassessments/<n>",
  location "global", resourceDetails {"id": "/repositories/<repo>/images/
  sha256:<digest>", "source": "Azure"}, additionalData with
  vulnerabilityDetails, artifactDetails, softwareDetails (evidence [],
  fixStatus FixAvailable with fixedVersion "" possible), cvssV30Score.
- Qualys: azure-rest-api-specs Microsoft.Security 2019-01-01-preview
  examples/SubAssessments/ListSubscriptionSubAssessments_example.json:
  resourceDetails.id "<registry id>/repository/<repo>/imageDigest/<digest>
  /providers/Microsoft.Security/assessments/<key>/subAssessments/<n>",
  status {code, cause, severity, description}, impact, category,
  additionalData {assessedResourceType ContainerRegistryVulnerability,
  imageDigest, repositoryName, type, cvss {"2.0", "3.0"}, patchable, cve,
  publishedTime, vendorReferences}; registryHost as community scripts read
  it (not in the 2019 schema).
Not verified against the service, and marked so where they are made:
"Critical" in MDVM's vulnerabilityDetails.severity (status.severity then
says High, the schema's highest), the Healthy row of a clean image, and
the NotApplicable row of an image that cannot be scanned.
"""

import time
import uuid

import images as I
from az_core import (MDVM_KEY, QUALYS_KEY, RESOURCE_GROUP, SUBSCRIPTION,
                     HttpError, iso)

SEVERITIES = ("Critical", "High", "Medium", "Low")
STATES = ("unhealthy", "healthy", "unverified", "pending")
CVSS_OF = {"Critical": 9.8, "High": 7.5, "Medium": 5.3, "Low": 3.1}


class Scan:
    """What Defender knows about one image digest in one generation."""

    def __init__(self, repo, digest, gen, tags, media_type, reg, sub, rg,
                 tenant):
        self.repo = repo
        self.digest = digest
        self.gen = gen
        self.tags = tags
        self.media_type = media_type
        self.reg = reg
        self.sub = sub
        self.rg = rg
        self.tenant = tenant
        self.state = "pending"
        self.rows = []
        self.visible_at = 0.0
        self.reason = ""

    def key(self):
        return (self.gen, self.reg.lower(), self.repo, self.digest)

    def summary(self):
        return {"repository": self.repo, "digest": self.digest,
                "generation": self.gen, "registry": self.reg,
                "state": self.state if time.time() >= self.visible_at
                else "pending", "rows": len(self.rows),
                "visibleAt": iso(self.visible_at) if self.visible_at
                else None}


def visible_rows(sim):
    """The securityresources rows Resource Graph shows now."""
    now = time.time()
    with sim.lock:
        return [r for s in sim.scans.values() if now >= s.visible_at
                for r in s.rows]


def parse_scan(sim, x):
    if not isinstance(x, dict):
        raise HttpError(400, "BadRequest", "expected an object")
    repo, digest = x.get("repository"), x.get("digest")
    if not isinstance(repo, str) or not repo or \
            not isinstance(digest, str) or not digest.startswith("sha256:"):
        raise HttpError(400, "BadRequest", "repository and digest "
                        "(sha256:...) are required")
    gen = x.get("generation", "mdvm")
    if gen not in ("mdvm", "qualys"):
        raise HttpError(400, "BadRequest", "generation is mdvm or qualys")
    tags = x.get("tags") or []
    if not isinstance(tags, list):
        raise HttpError(400, "BadRequest", "tags is a list")
    return Scan(repo, digest, gen, [str(t) for t in tags],
                x.get("mediaType", I.DOCKER_MANIFEST),
                x.get("registry", sim.acr_name),
                x.get("subscription", SUBSCRIPTION),
                x.get("resourceGroup", RESOURCE_GROUP), sim.tenant)


def findings_of(x):
    items = x.get("findings") or []
    if not isinstance(items, list) or \
            not all(isinstance(f, dict) for f in items):
        raise HttpError(400, "BadRequest", "findings is a list of objects")
    items = list(items)
    g = x.get("generate")
    if isinstance(g, dict):
        for i in range(int(g.get("count", 0))):
            items.append({"severity": g.get("severity", "Low"),
                          "id": "CVE-2021-%05d" % (10000 + i),
                          "package": "pkg%d" % (i % 50)})
    for f in items:
        if f.get("severity", "Medium") not in SEVERITIES:
            raise HttpError(400, "BadRequest", "severity is one of %s" %
                            ", ".join(SEVERITIES))
    return items


def add_findings(sim, x):
    """POST /_sim/findings: rows appended to the digest's scan (state
    unhealthy unless every finding is Healthy)."""
    s = parse_scan(sim, x)
    items = findings_of(x)
    with sim.lock:
        cur = sim.scans.get(s.key())
        if cur is None:
            sim.scans[s.key()] = cur = s
        start = len(cur.rows)
        cur.rows += [row(cur, f, start + i) for i, f in enumerate(items)]
        cur.state = "unhealthy" if any(
            r["properties"]["status"]["code"] == "Unhealthy"
            for r in cur.rows) else "healthy"
        return len(items)


def set_scan(sim, x):
    """POST /_sim/scans: the digest's scan replaced by one in `state`."""
    s = parse_scan(sim, x)
    state = x.get("state", "unhealthy")
    if state not in STATES:
        raise HttpError(400, "BadRequest", "state is one of %s" %
                        ", ".join(STATES))
    items = findings_of(x)
    delay = float(x.get("delay_s", 0) or 0)
    s.state = state
    s.reason = str(x.get("reason") or "")
    if state == "pending":
        # No scan has run: Resource Graph has nothing for the digest.
        # Findings given with delay_s appear when the delay is over.
        if items and delay > 0:
            s.state = "unhealthy" if any(f.get("status", "Unhealthy") ==
                                         "Unhealthy" for f in items) \
                else "healthy"
            s.rows = [row(s, f, i) for i, f in enumerate(items)]
    elif state == "unverified":
        s.rows = [unscannable_row(s, s.reason or "UnsupportedOS")]
    elif state == "healthy":
        for f in items:
            f.setdefault("status", "Healthy")
        s.rows = [row(s, f, i) for i, f in enumerate(items)] or \
            [clean_row(s)]
    else:
        s.rows = [row(s, f, i) for i, f in enumerate(items)]
    s.visible_at = time.time() + delay if delay > 0 else 0.0
    with sim.lock:
        sim.scans[s.key()] = s
    return s.summary()


def delete_scans(sim, repo=None, digest=None):
    with sim.lock:
        for k in list(sim.scans):
            s = sim.scans[k]
            if (not repo or s.repo == repo) and \
                    (not digest or s.digest == digest):
                del sim.scans[k]


def registry_id(s):
    return ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft."
            "ContainerRegistry/registries/%s" % (s.sub, s.rg, s.reg))


def envelope(s, key, n, props):
    rid = registry_id(s)
    sub_key = str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(
        [s.gen, rid, s.repo, s.digest, str(n), props.get("id", "")])))
    # MDVM rows in Resource Graph say "subassessments"; the Qualys-era REST
    # example says "subAssessments" (ARG keeps the id as written).
    seg = "subassessments" if s.gen == "mdvm" else "subAssessments"
    if s.gen == "qualys":
        props["resourceDetails"] = {
            "source": "Azure",
            "id": "%s/repository/%s/imageDigest/%s/providers/Microsoft."
                  "Security/assessments/%s/subAssessments/%s" % (
                      rid, s.repo, s.digest, key, sub_key)}
    return {"id": "%s/providers/Microsoft.Security/assessments/%s/%s/%s" %
            (rid, key, seg, sub_key),
            "name": sub_key,
            "type": "microsoft.security/assessments/subassessments",
            "tenantId": s.tenant, "kind": "", "location": "global",
            "resourceGroup": s.rg.lower(), "subscriptionId": s.sub,
            "managedBy": "", "sku": None, "plan": None,
            "properties": props, "tags": None, "identity": None,
            "zones": None, "extendedLocation": None}


def mdvm_resource(s):
    return {"id": "/repositories/%s/images/%s" % (s.repo, s.digest),
            "source": "Azure"}


def artifact(s, when):
    return {"lastPushedToRegistryUTC": when, "repositoryName": s.repo,
            "registryHost": "%s.azurecr.io" % s.reg,
            "artifactType": "ContainerImage", "mediaType": s.media_type,
            "digest": s.digest, "tags": list(s.tags)}


def row(s, f, n):
    sev_in = f.get("severity", "Medium")
    # The status severity enum stops at High; MDVM's own severity may say
    # Critical (upstream-facts 2.5: not verified).
    sev = "High" if sev_in == "Critical" else sev_in
    code = f.get("status", "Unhealthy")
    status = {"code": code, "severity": sev}
    if code == "NotApplicable":
        # The MicrosoftDocs example's exempted row.
        status.update({"cause": "Exempt",
                       "description": "Disabled parent assessment"})
    when = iso()
    score = float(f.get("cvss", CVSS_OF.get(sev_in, 5.0)))
    pkg = f.get("package", "pkg")
    if s.gen == "mdvm":
        cve = f.get("id") or "CVE-2021-0001"
        fixed = f.get("fixedVersion", "")
        fix_status = f.get("fixStatus") or (
            "FixAvailable" if fixed else "NoFixAvailable")
        props = {
            "id": cve,
            "additionalData": {
                "assessedResourceType": "AzureContainerRegistryVulnerability",
                "vulnerabilityDetails": {
                    "severity": sev_in,
                    "exploitabilityAssessment": {
                        "exploitStepsPublished": False,
                        "exploitStepsVerified": False,
                        "isInExploitKit": False, "exploitUris": [],
                        "types": ["Remote"]},
                    "lastModifiedDate": "2021-04-01T00:00:00Z",
                    "publishedDate": "2021-03-15T00:00:00Z",
                    "workarounds": [],
                    "references": [{"title": cve, "link":
                                    "https://nvd.nist.gov/vuln/detail/" +
                                    cve}],
                    "weaknesses": {"cwe": [{"id": "CWE-787"}]},
                    "cveId": cve,
                    "cvss": {"2.0": None, "3.0": {
                        "cvssVectorString": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/"
                        "S:U/C:H/I:H/A:H", "base": score}},
                    "cpe": {"language": "*", "softwareEdition": "*",
                            "version": "*", "targetHardware": "*",
                            "targetSoftware": "*", "vendor": "debian",
                            "edition": "*", "product": pkg, "update": "*",
                            "other": "*", "part": "Applications",
                            "uri": "cpe:2.3:a:debian:%s:*:*:*:*:*:*:*:*" %
                            pkg}},
                "artifactDetails": artifact(s, when),
                "softwareDetails": {
                    "category": "OS", "language": "",
                    "fixedVersion": fixed or "",
                    "version": f.get("version", "1.0"),
                    "vendor": "debian", "packageName": pkg,
                    "osDetails": {"osPlatform": "linux",
                                  "osVersion": "debian_10"},
                    "fixStatus": fix_status, "evidence": []},
                "cvssV30Score": score},
            "description": f.get("description", "This vulnerability "
                                 "affects %s." % pkg),
            "displayName": f.get("title") or cve,
            "resourceDetails": mdvm_resource(s),
            "timeGenerated": when,
            "remediation": f.get("remediation") or (
                "Upgrade %s to %s" % (pkg, fixed) if fixed else
                "No remediation exists"),
            "status": status}
        return envelope(s, MDVM_KEY, n, props)
    qid = str(f.get("qid", 100000 + n))
    cve = f.get("id") or "CVE-2021-0001"
    if code in ("Unhealthy", "Healthy"):
        status.update({"cause": "", "description": "The resource is %s" %
                       code.lower()})
    props = {
        "displayName": f.get("title") or "%s: %s" % (pkg, cve),
        "id": qid, "status": status,
        "remediation": f.get("remediation", "Upgrade %s to %s" % (
            pkg, f.get("fixedVersion") or "a fixed version")),
        "impact": f.get("impact", "3"),
        "category": f.get("category", "Debian"),
        "description": f.get("description", "%s in %s" % (cve, pkg)),
        "timeGenerated": when,
        "additionalData": {
            "assessedResourceType": "ContainerRegistryVulnerability",
            "imageDigest": s.digest, "repositoryName": s.repo,
            "registryHost": "%s.azurecr.io" % s.reg,
            "type": "Vulnerability",
            "cvss": {"2.0": {"base": score}, "3.0": {"base": score}},
            "patchable": bool(f.get("fixedVersion")),
            "cve": [{"title": cve, "link":
                     "https://nvd.nist.gov/vuln/detail/" + cve}],
            "publishedTime": "2021-03-15T00:00:00.0000000Z",
            "vendorReferences": []}}
    return envelope(s, QUALYS_KEY, n, props)


def clean_row(s):
    """One Healthy row for an image scanned without findings (this
    simulator's stand-in: not verified against the service)."""
    r = row(s, {"status": "Healthy", "severity": "Low",
                "title": "No vulnerabilities found"}, 0)
    r["properties"]["id"] = ""
    return r


def unscannable_row(s, cause):
    """A NotApplicable row for an image Defender cannot scan (status cause
    and description as the schema has them; the wording is this
    simulator's, not verified against the service)."""
    r = row(s, {"status": "NotApplicable", "severity": "Low",
                "title": "Image could not be scanned"}, 0)
    r["properties"]["id"] = ""
    r["properties"]["status"].update({
        "cause": cause, "description": "The image could not be scanned: %s"
        % cause})
    return r
