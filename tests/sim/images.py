#!/usr/bin/env python3
# images.py - builds small container images without docker (a config blob,
# one gzip layer with a file, a manifest, optionally a two-platform index with
# BuildKit-style attestation manifests) and pushes them through the registry
# HTTP API. Also the registry client that azuresim.py uses to copy images for
# importImage.
"""Small images for the local registries (Python standard library only).

  python3 images.py seed-upstream --dir REGDIR
  python3 images.py push --dir REGDIR --registry acr|upstream --repo R --tag T
                         [--content X] [--format oci|docker]
                         [--platforms linux/amd64,linux/arm64 [--attest]]
  python3 images.py digest --dir REGDIR --registry acr|upstream --repo R
                           --ref TAG_OR_DIGEST

REGDIR is the directory of `registry.py up`. See README-azure.md.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import ssl
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import registry  # noqa: E402  (the sibling module)

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
IN_TOTO = "application/vnd.in-toto+json"
ALL_MANIFESTS = [DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX]
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)

# The walkthrough's six images: (upstream repository, tag, format, platforms)
WALKTHROUGH = [
    ("ghcr.io/fluxcd/kustomize-controller", "v0.6.3", "oci", None),
    ("ghcr.io/fluxcd/source-controller", "v0.6.3", "oci", None),
    ("docker.io/falcosecurity/falco", "0.26.2", "docker", None),
    ("docker.io/library/busybox", "1.33.0", "docker",
     ["linux/amd64", "linux/arm64"]),
    ("docker.io/weaveworks/kured", "1.6.1", "docker", None),
    ("docker.io/envoyproxy/envoy-alpine", "v1.15.0", "docker", None),
]


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryError(Exception):
    def __init__(self, status, message, body=b""):
        Exception.__init__(self, "HTTP %s: %s" % (status, message))
        self.status = status
        self.body = body


# ---------------------------------------------------------------- client

class Client:
    """A minimal registry v2 client. `token` is a callable(scopes) -> str
    (a token minted for those scopes), or the string "anonymous": then a
    401's Bearer challenge is answered by asking its realm for a token
    without credentials (the Docker token flow, as for Docker Hub and
    ghcr.io), or None: no authentication."""

    def __init__(self, base, cafile, token=None):
        self.base = base.rstrip("/")
        self.cafile = cafile
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.token_fn = token
        self.bearer = None

    def anonymous_token(self, challenge):
        """A token from the challenge's realm, asked anonymously."""
        params = parse_challenge(challenge)
        realm = params.get("realm")
        if not realm:
            raise RegistryError(401, "challenge without a realm: %s" %
                                challenge)
        q = [(k, params[k]) for k in ("service", "scope") if params.get(k)]
        url = realm + ("&" if "?" in realm else "?") + \
            urllib.parse.urlencode(q)
        try:
            with urllib.request.urlopen(url, context=self.ctx,
                                        timeout=30) as r:
                js = json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise RegistryError(e.code, "token service: %s" %
                                e.read()[:300].decode(errors="replace"))
        return js.get("token") or js.get("access_token")

    def request(self, method, path, body=None, headers=None, scopes=(),
                ok=(200, 201, 202, 204)):
        url = path if path.startswith("http") else self.base + path
        h = dict(headers or {})
        for attempt in (0, 1):
            if self.bearer:
                h["Authorization"] = "Bearer " + self.bearer
            req = urllib.request.Request(url, data=body, method=method,
                                         headers=h)
            try:
                with urllib.request.urlopen(req, context=self.ctx,
                                            timeout=30) as r:
                    return r.status, dict(r.headers), r.read()
            except urllib.error.HTTPError as e:
                data = e.read()
                if e.code == 401 and attempt == 0 and \
                        self.token_fn == "anonymous":
                    self.bearer = self.anonymous_token(
                        e.headers.get("WWW-Authenticate", ""))
                    continue
                if e.code == 401 and attempt == 0 and self.token_fn:
                    self.bearer = self.token_fn(list(scopes))
                    continue
                if e.code in ok:
                    return e.code, dict(e.headers), data
                raise RegistryError(e.code, "%s %s: %s" % (
                    method, path, data[:300].decode(errors="replace")), data)
        raise RegistryError(401, "%s %s: unauthorized" % (method, path))

    @staticmethod
    def pull_scope(repo):
        return ["repository:%s:pull" % repo]

    @staticmethod
    def push_scope(repo):
        return ["repository:%s:pull,push" % repo]

    def blob_exists(self, repo, digest):
        try:
            self.request("HEAD", "/v2/%s/blobs/%s" % (repo, digest),
                         scopes=self.pull_scope(repo))
            return True
        except RegistryError as e:
            if e.status == 404:
                return False
            raise

    def get_blob(self, repo, digest):
        _, _, data = self.request("GET", "/v2/%s/blobs/%s" % (repo, digest),
                                  scopes=self.pull_scope(repo))
        if sha256(data) != digest:
            raise RegistryError(500, "blob %s: digest mismatch" % digest)
        return data

    def push_blob(self, repo, data):
        """Monolithic upload: POST /blobs/uploads/ then PUT ?digest=."""
        digest = sha256(data)
        if self.blob_exists(repo, digest):
            return digest
        _, h, _ = self.request("POST", "/v2/%s/blobs/uploads/" % repo,
                               body=b"", scopes=self.push_scope(repo),
                               headers={"Content-Length": "0"})
        loc = h.get("Location") or h.get("location")
        if not loc:
            raise RegistryError(500, "upload without Location")
        loc = urllib.parse.urljoin(self.base + "/", loc)
        sep = "&" if "?" in loc else "?"
        self.request("PUT", loc + sep + "digest=" + urllib.parse.quote(digest),
                     body=data, scopes=self.push_scope(repo),
                     headers={"Content-Type": "application/octet-stream",
                              "Content-Length": str(len(data))})
        return digest

    def get_manifest(self, repo, ref):
        _, h, data = self.request(
            "GET", "/v2/%s/manifests/%s" % (repo, ref),
            headers={"Accept": ", ".join(ALL_MANIFESTS)},
            scopes=self.pull_scope(repo))
        ctype = (h.get("Content-Type") or "").split(";")[0].strip()
        if not ctype:
            ctype = json.loads(data).get("mediaType", "")
        return data, ctype, sha256(data)

    def head_manifest(self, repo, ref):
        """The digest of repo:ref, or None when it does not exist."""
        try:
            _, h, _ = self.request(
                "HEAD", "/v2/%s/manifests/%s" % (repo, ref),
                headers={"Accept": ", ".join(ALL_MANIFESTS)},
                scopes=self.pull_scope(repo))
        except RegistryError as e:
            if e.status == 404:
                return None
            raise
        return h.get("Docker-Content-Digest") or \
            h.get("docker-content-digest")

    def put_manifest(self, repo, ref, data, ctype):
        _, h, _ = self.request(
            "PUT", "/v2/%s/manifests/%s" % (repo, ref), body=data,
            headers={"Content-Type": ctype}, scopes=self.push_scope(repo))
        return h.get("Docker-Content-Digest") or sha256(data)


def parse_challenge(value):
    """{key: value} of a 'Bearer k="v",k2="v2"' challenge."""
    out = {}
    for m in re.finditer(r'(\w+)="([^"]*)"', value or ""):
        out[m.group(1)] = m.group(2)
    return out


def copy_image(src, src_repo, ref, dst, dst_repo, refs, progress=None):
    """Copies src_repo@ref (tag or digest) from `src` to `dst`, blobs first,
    then child manifests, then the top manifest under every name in `refs`
    (tags; a digest is always pushed). Returns the top manifest digest."""
    data, ctype, digest = src.get_manifest(src_repo, ref)
    copy_tree(src, src_repo, dst, dst_repo, data, ctype, progress)
    dst.put_manifest(dst_repo, digest, data, ctype)
    for t in refs:
        dst.put_manifest(dst_repo, t, data, ctype)
    return digest


def copy_tree(src, src_repo, dst, dst_repo, data, ctype, progress):
    m = json.loads(data)
    ctype = ctype or m.get("mediaType", "")
    if ctype in INDEX_TYPES or "manifests" in m:
        for child in m.get("manifests", []):
            cdata, cctype, cdigest = src.get_manifest(src_repo,
                                                      child["digest"])
            copy_tree(src, src_repo, dst, dst_repo, cdata, cctype, progress)
            dst.put_manifest(dst_repo, cdigest, cdata, cctype)
        return
    blobs = [m["config"]] if m.get("config") else []
    blobs += m.get("layers", [])
    for b in blobs:
        if dst.blob_exists(dst_repo, b["digest"]):
            continue
        dst.push_blob(dst_repo, src.get_blob(src_repo, b["digest"]))
        if progress:
            progress(b["digest"])


# ---------------------------------------------------------------- builder

def make_layer(path, content):
    """A deterministic tar.gz with one file; returns (gz, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        data = content.encode()
        d = tarfile.TarInfo("etc")
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        d.mtime = 0
        t.addfile(d)
        info = tarfile.TarInfo(path)
        info.size = len(data)
        info.mode = 0o644
        info.mtime = 0
        t.addfile(info, io.BytesIO(data))
    tar = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, filename="") as g:
        g.write(tar)
    return gz.getvalue(), sha256(tar)


def build_image(content, fmt="oci", platform="linux/amd64"):
    """Returns (blobs: [bytes], manifest bytes, media type)."""
    os_, arch = platform.split("/", 1)
    layer, diff_id = make_layer("etc/jumpdeck-image", "%s\n%s\n" % (
        content, platform))
    config = json.dumps({
        "architecture": arch, "os": os_,
        "created": "2021-01-21T00:00:00Z",
        "config": {"Cmd": ["/bin/true"], "Labels": {
            "org.opencontainers.image.description": content}},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2021-01-21T00:00:00Z",
                     "created_by": "images.py"}]},
        sort_keys=True, separators=(",", ":")).encode()
    if fmt == "oci":
        mt, ct, lt = OCI_MANIFEST, OCI_CONFIG, OCI_LAYER
    else:
        mt, ct, lt = DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER
    manifest = {"schemaVersion": 2, "mediaType": mt,
                "config": {"mediaType": ct, "digest": sha256(config),
                           "size": len(config)},
                "layers": [{"mediaType": lt, "digest": sha256(layer),
                            "size": len(layer)}]}
    return [config, layer], json.dumps(manifest, indent=3).encode(), mt


def build_attestation(repo, tag, platform, subject_digest):
    """BuildKit's attestation manifest for one platform manifest
    (docs.docker.com build/metadata/attestations/attestation-storage): an
    OCI image manifest whose config is an image config for unknown/unknown
    and whose layers are in-toto statements (SLSA provenance, SPDX SBOM),
    each annotated with its in-toto.io/predicate-type. Returns (blobs,
    manifest bytes)."""
    subject = [{"name": "pkg:docker/%s@%s?platform=%s" % (
        repo, tag, urllib.parse.quote(platform, safe="")),
        "digest": {"sha256": subject_digest.split(":", 1)[1]}}]
    statements = [
        ("https://slsa.dev/provenance/v0.2", {
            "builder": {"id": ""}, "buildType":
            "https://mobyproject.org/buildkit@v1",
            "metadata": {"buildStartedOn": "2021-01-21T00:00:00Z"}}),
        ("https://spdx.dev/Document", {
            "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "sbom", "packages": []}),
    ]
    blobs, layers, diff_ids = [], [], []
    for ptype, predicate in statements:
        data = json.dumps({"_type": "https://in-toto.io/Statement/v0.1",
                           "predicateType": ptype, "subject": subject,
                           "predicate": predicate}, sort_keys=True,
                          separators=(",", ":")).encode()
        blobs.append(data)
        diff_ids.append(sha256(data))
        layers.append({"mediaType": IN_TOTO, "digest": sha256(data),
                       "size": len(data), "annotations": {
                           "in-toto.io/predicate-type": ptype}})
    config = json.dumps({"architecture": "unknown", "os": "unknown",
                         "config": {}, "rootfs": {"type": "layers",
                                                  "diff_ids": diff_ids}},
                        sort_keys=True, separators=(",", ":")).encode()
    blobs.insert(0, config)
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": sha256(config),
                           "size": len(config)},
                "layers": layers}
    return blobs, json.dumps(manifest, indent=2).encode()


def push_image(client, repo, tag, content, fmt="oci", platforms=None,
               attest=False):
    """Pushes one image (or an index over `platforms`, with BuildKit's
    attestation manifests when `attest`) and tags it. Returns {"digest",
    "mediaType", "platforms": {platform: digest}, "attestations":
    {platform: digest}}."""
    out = {"platforms": {}}
    if not platforms:
        blobs, man, mt = build_image(content, fmt)
        for b in blobs:
            client.push_blob(repo, b)
        out["digest"] = client.put_manifest(repo, tag, man, mt)
        out["mediaType"] = mt
        return out
    if attest:
        fmt = "oci"  # BuildKit stores attestations in an OCI index only
        out["attestations"] = {}
    entries, attestations = [], []
    for p in platforms:
        blobs, man, mt = build_image(content, fmt, p)
        for b in blobs:
            client.push_blob(repo, b)
        d = client.put_manifest(repo, sha256(man), man, mt)
        out["platforms"][p] = d
        os_, arch = p.split("/", 1)
        entries.append({"mediaType": mt, "digest": d, "size": len(man),
                        "platform": {"architecture": arch, "os": os_}})
        if attest:
            ablobs, aman = build_attestation(repo, tag, p, d)
            for b in ablobs:
                client.push_blob(repo, b)
            ad = client.put_manifest(repo, sha256(aman), aman, OCI_MANIFEST)
            out["attestations"][p] = ad
            attestations.append({
                "mediaType": OCI_MANIFEST, "digest": ad, "size": len(aman),
                "annotations": {"vnd.docker.reference.digest": d,
                                "vnd.docker.reference.type":
                                "attestation-manifest"},
                "platform": {"architecture": "unknown", "os": "unknown"}})
    it = OCI_INDEX if fmt == "oci" else DOCKER_LIST
    index = json.dumps({"schemaVersion": 2, "mediaType": it,
                        "manifests": entries + attestations},
                       indent=3).encode()
    out["digest"] = client.put_manifest(repo, tag, index, it)
    out["mediaType"] = it
    return out


def client_for(d, which):
    """A client for the acr or upstream instance of registry dir `d` that
    mints its own tokens (any action) with the key the registries trust,
    as a publisher would have."""
    d = os.path.abspath(d)
    url = registry.read(os.path.join(d, which + "_url"))
    if not url:
        raise registry.SimError("no %s_url in %s (are the registries up?)" %
                                (which, d))
    if which == "acr":
        mint = {}
    else:
        mint = {"service": registry.read(os.path.join(d,
                                                      "upstream_service")),
                "issuer": registry.UPSTREAM_ISSUER}

    def tok(scopes):
        access = []
        for s in scopes or ["registry:catalog:*"]:
            t, rest = s.split(":", 1)
            name, actions = rest.rsplit(":", 1)
            access.append({"type": t, "name": name,
                           "actions": actions.split(",")})
        return registry.registry_token(d, access, subject="images.py",
                                       **mint)
    return Client(url, os.path.join(d, "ca.crt"), tok)


# ---------------------------------------------------------------- commands

def cmd_seed_upstream(a):
    c = client_for(a.dir, "upstream")
    out = {}
    for repo, tag, fmt, plats in WALKTHROUGH:
        r = push_image(c, repo, tag, "%s:%s" % (repo, tag), fmt, plats)
        out["%s:%s" % (repo, tag)] = r
    print(json.dumps(out, indent=1, sort_keys=True))
    return 0


def cmd_push(a):
    c = client_for(a.dir, a.registry)
    plats = [p for p in (a.platforms or "").split(",") if p]
    r = push_image(c, a.repo, a.tag, a.content or "%s:%s" % (a.repo, a.tag),
                   a.format, plats, a.attest)
    print(json.dumps(r, sort_keys=True))
    return 0


def cmd_digest(a):
    c = client_for(a.dir, a.registry)
    d = c.head_manifest(a.repo, a.ref)
    if not d:
        sys.stderr.write("images.py: %s:%s not found\n" % (a.repo, a.ref))
        return 1
    print(d)
    return 0


def main():
    ap = argparse.ArgumentParser(description="small images for the local "
                                 "registries")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("seed-upstream", help="push the walkthrough's six "
                       "images to the upstream registry")
    p.add_argument("--dir", required=True)
    p = sub.add_parser("push", help="build and push one image")
    p.add_argument("--dir", required=True)
    p.add_argument("--registry", choices=("acr", "upstream"), required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--content", help="text in the image's file (different "
                   "text, different digest); default REPO:TAG")
    p.add_argument("--format", choices=("oci", "docker"), default="oci")
    p.add_argument("--platforms", help="e.g. linux/amd64,linux/arm64: push "
                   "an index over these")
    p.add_argument("--attest", action="store_true", help="with "
                   "--platforms: add BuildKit's attestation manifests "
                   "(unknown/unknown entries) to the index")
    p = sub.add_parser("digest", help="print the manifest digest of a tag")
    p.add_argument("--dir", required=True)
    p.add_argument("--registry", choices=("acr", "upstream"), required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--ref", required=True)
    a = ap.parse_args()
    try:
        return {"seed-upstream": cmd_seed_upstream, "push": cmd_push,
                "digest": cmd_digest}[a.cmd](a)
    except (registry.SimError, RegistryError, OSError) as e:
        sys.stderr.write("images.py: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
