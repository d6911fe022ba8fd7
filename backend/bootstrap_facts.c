/* bootstrap_facts.c - bootstrap facts from models other parts of jumpdeck
 * hold: the pipeline's image rows, the nodes, the Flux controllers and
 * objects, the cluster's CRDs. No I/O. */
#include "bootstrap_probe.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

/* "busybox:1.33.0" from "docker.io/library/busybox:1.33.0". */
static void short_ref(char *dst, size_t sz, const char *ref)
{
	const char *slash = strrchr(ref, '/');

	snprintf(dst, sz, "%s", slash ? slash + 1 : ref);
}

void bootstrap_facts_images(struct boot_facts *f, const struct image_row *v,
			    size_t n, const char *registry,
			    const struct err *err)
{
	struct boot_images *im = &f->images;
	size_t i, unknown = 0;

	memset(im, 0, sizeof(*im));
	snprintf(im->registry, sizeof(im->registry), "%s",
		 registry ? registry : "");
	if (err && err->msg[0]) {
		im->err = *err;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct image_row *r = &v[i];

		im->total++;
		unknown += r->state == IMG_UNKNOWN;
		im->running += r->op[0] != '\0';
		if (r->quarantine.exists)
			im->quarantined++;
		else if (!im->first_missing[0])
			short_ref(im->first_missing, sizeof(im->first_missing),
				  r->ref);
		if (r->state == IMG_PROMOTED)
			im->promoted++;
		else if (!im->first_unpromoted[0])
			short_ref(im->first_unpromoted,
				  sizeof(im->first_unpromoted), r->ref);
		if (image_state_alert(r->state)) {
			im->alerts++;
			if (!im->first_alert[0])
				short_ref(im->first_alert,
					  sizeof(im->first_alert), r->ref);
		}
	}
	if (unknown && !im->running) {
		err_set(&im->err, ERR_IO,
			"%zu of %zu images could not be "
			"read from %s",
			unknown, n,
			im->registry[0] ? im->registry : "the registry");
		return;
	}
	im->known = n > 0;
	if (!n)
		err_set(&im->err, ERR_USAGE, "no images are configured");
}

/* src into dst, cut to fit at a UTF-8 character's start. */
static void copy_cut(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (n >= sz) {
		n = sz - 1;
		while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "busybox:1.33.0" from "quarantine/library/busybox" and its tag. */
static void short_repo(char *dst, size_t sz, const struct scan_image *im)
{
	const char *slash = strrchr(im->repo, '/');
	int len = snprintf(dst, sz, "%s%s%s", slash ? slash + 1 : im->repo,
			   im->tag[0] ? ":" : "", im->tag);

	/* A name cut to fit says so. */
	if (len > 0 && (size_t)len >= sz && sz > 4)
		memcpy(dst + sz - 4, "...", 4);
}

void bootstrap_facts_scans(struct boot_facts *f, const struct scan_image *v,
			   const struct scan_gate *g, size_t n,
			   const struct err *err)
{
	struct boot_scans *sc = &f->scans;
	size_t i;

	memset(sc, 0, sizeof(*sc));
	sc->available = 1;
	if (err && err->msg[0])
		sc->err = *err;
	if (!v) {
		if (!sc->err.msg[0])
			err_set(&sc->err, ERR_IO, "reading...");
		return;
	}
	sc->known = 1;
	for (i = 0; i < n; i++) {
		const struct scan_image *im = &v[i];

		if (!im->digest[0])
			continue; /* not in quarantine/: step 1's */
		sc->images++;
		sc->allowed += g[i].nallowed;
		if (!g[i].blocked) {
			sc->passing++;
		} else if (im->verdict == SCAN_PENDING) {
			sc->pending++;
		} else if (im->verdict == SCAN_UNKNOWN) {
			if (!sc->unknown++) {
				short_repo(sc->first_unknown,
					   sizeof(sc->first_unknown), im);
				copy_cut(sc->unknown_why,
					 sizeof(sc->unknown_why), im->why);
			}
		} else if (!sc->blocked++) {
			short_repo(sc->first_blocked,
				   sizeof(sc->first_blocked), im);
			copy_cut(sc->blocked_why, sizeof(sc->blocked_why),
				 g[i].why);
		}
	}
}

void bootstrap_facts_nodes(struct boot_facts *f, const struct node *v,
			   size_t n)
{
	struct boot_cluster *c = &f->cluster;
	size_t i;

	c->nodes_known = 1;
	c->nodes = n;
	c->ready = 0;
	c->first_not_ready[0] = '\0';
	err_clear(&c->nodes_err);
	for (i = 0; i < n; i++) {
		if (v[i].ready == NODE_READY)
			c->ready++;
		else if (!c->first_not_ready[0])
			snprintf(c->first_not_ready,
				 sizeof(c->first_not_ready), "%s", v[i].name);
	}
}

void bootstrap_facts_flux(struct boot_facts *f,
			  const struct flux_controller *c, size_t nc,
			  const struct flux_object *v, size_t n)
{
	struct boot_flux *x = &f->flux;
	size_t i;

	x->controllers_known = 1;
	x->controllers = 0;
	x->available = 0;
	x->have_source_controller = 0;
	x->have_kustomize_controller = 0;
	x->first_unavailable[0] = '\0';
	x->unavailable_why[0] = '\0';
	for (i = 0; i < nc; i++) {
		int sc = strcmp(c[i].name, "source-controller") == 0;
		int kc = strcmp(c[i].name, "kustomize-controller") == 0;

		if (!sc && !kc)
			continue;
		x->have_source_controller |= sc;
		x->have_kustomize_controller |= kc;
		x->controllers++;
		if (c[i].available) {
			x->available++;
		} else if (!x->first_unavailable[0]) {
			snprintf(x->first_unavailable,
				 sizeof(x->first_unavailable), "%s",
				 c[i].name);
			snprintf(x->unavailable_why,
				 sizeof(x->unavailable_why), "%d/%d ready%s%s",
				 c[i].ready, c[i].desired,
				 c[i].available_message[0] ? ", " : "",
				 c[i].available_message);
		}
	}
	x->objects_known = 1;
	x->have_repo = 0;
	x->ks = 0;
	x->ks_ready = 0;
	x->first_failing_ks[0] = '\0';
	x->ks_message[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct flux_object *o = &v[i];

		if (o->kind == FLUX_GIT_REPOSITORY &&
		    strcmp(o->name, "flux-system") == 0 &&
		    strcmp(o->namespace, "flux-system") == 0) {
			x->have_repo = 1;
			snprintf(x->repo_name, sizeof(x->repo_name), "%s/%s",
				 o->namespace, o->name);
			snprintf(x->repo_url, sizeof(x->repo_url), "%s",
				 o->url);
			x->repo_ready = o->state == FLUX_STATE_READY;
			snprintf(x->repo_message, sizeof(x->repo_message),
				 "%s", flux_object_message(o));
			snprintf(x->repo_revision, sizeof(x->repo_revision),
				 "%s", o->revision);
		}
		if (o->kind != FLUX_KUSTOMIZATION)
			continue;
		x->ks++;
		if (o->state == FLUX_STATE_READY && !o->suspended) {
			x->ks_ready++;
		} else if (!x->first_failing_ks[0]) {
			snprintf(x->first_failing_ks,
				 sizeof(x->first_failing_ks), "%s/%s%s",
				 o->namespace, o->name,
				 o->suspended ? " (suspended)" : "");
			snprintf(x->ks_message, sizeof(x->ks_message), "%s",
				 flux_object_message(o));
		}
	}
}

static int crd_established(const cJSON *crd)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_path(crd, "status.conditions"))
	{
		const char *t = json_str(c, "type");
		const char *s = json_str(c, "status");

		if (t && strcmp(t, "Established") == 0)
			return s && strcmp(s, "True") == 0;
	}
	return 0;
}

static const char *crd_name(const cJSON *crd)
{
	const char *n = json_path_str(crd, "metadata.name");

	return n ? n : "";
}

static int flux_group(const char *name)
{
	static const char sfx[] = ".toolkit.fluxcd.io";
	size_t n = strlen(name), s = sizeof(sfx) - 1;

	return n > s && strcmp(name + n - s, sfx) == 0;
}

void bootstrap_facts_crds(struct boot_facts *f, const cJSON *list,
			  char *const *expect, size_t nexpect)
{
	struct boot_flux *x = &f->flux;
	const cJSON *items = json_get(list, "items");
	const cJSON *it;
	size_t i;

	x->crds_known = 1;
	x->crds = 0;
	x->established = 0;
	x->missing = 0;
	x->first_waiting_crd[0] = '\0';
	err_clear(&x->crds_err);
	if (expect && nexpect) {
		for (i = 0; i < nexpect; i++) {
			const cJSON *found = NULL;

			cJSON_ArrayForEach(
			    it, items) if (strcmp(crd_name(it), expect[i]) ==
					   0) found = it;
			x->crds++;
			x->missing += !found;
			if (found && crd_established(found))
				x->established++;
			else if (!x->first_waiting_crd[0])
				snprintf(x->first_waiting_crd,
					 sizeof(x->first_waiting_crd), "%s%s",
					 expect[i], found ? "" : ", missing");
		}
		/* None at all is "not installed", not "waiting". */
		if (x->first_waiting_crd[0] && x->established == 0) {
			int any = 0;

			cJSON_ArrayForEach(it, items) any |=
			    flux_group(crd_name(it));
			if (!any)
				x->crds = x->missing = 0;
		}
		return;
	}
	cJSON_ArrayForEach(it, items)
	{
		if (!flux_group(crd_name(it)))
			continue;
		x->crds++;
		if (crd_established(it))
			x->established++;
		else if (!x->first_waiting_crd[0])
			snprintf(x->first_waiting_crd,
				 sizeof(x->first_waiting_crd), "%s",
				 crd_name(it));
	}
}
