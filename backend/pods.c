/* pods.c - compact pods, imageID digests, Kustomization ownership and
 * the match of containers against an image's vetted digests. */
#include "pods.h"
#include "images.h"
#include "scan.h"
#include "json.h"
#include "text.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LABEL_KS_NAME "kustomize.toolkit.fluxcd.io/name"
#define LABEL_KS_NS   "kustomize.toolkit.fluxcd.io/namespace"
#define LABEL_HASH    "pod-template-hash"

/* ---- compacting --------------------------------------------------------- */

/* Remove every member of o whose name is not in keep (NULL-ended). */
static void keep_only(cJSON *o, const char *const *keep)
{
	cJSON *it = o ? o->child : NULL, *next;
	size_t i;

	if (!cJSON_IsObject(o))
		return;
	for (; it; it = next) {
		next = it->next;
		for (i = 0; keep[i]; i++) {
			if (it->string && strcmp(it->string, keep[i]) == 0)
				break;
		}
		if (!keep[i])
			cJSON_Delete(cJSON_DetachItemViaPointer(o, it));
	}
}

static void compact_statuses(cJSON *list)
{
	static const char *const keep[] = {"name", "image", "imageID", NULL};
	cJSON *c;

	cJSON_ArrayForEach(c, list)
	{
		keep_only(c, keep);
	}
}

void pods_compact(cJSON *pod)
{
	static const char *const top[] = {"metadata", "spec", "status", NULL};
	static const char *const meta[] = {
	    "name",   "namespace",	 "resourceVersion",
	    "labels", "ownerReferences", NULL};
	static const char *const labels[] = {LABEL_KS_NAME, LABEL_KS_NS,
					     LABEL_HASH, NULL};
	static const char *const owner[] = {"kind", "name", "controller",
					    NULL};
	static const char *const spec[] = {"nodeName", NULL};
	static const char *const status[] = {"phase", "containerStatuses",
					     "initContainerStatuses", NULL};
	cJSON *m = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
	cJSON *refs = cJSON_GetObjectItemCaseSensitive(m, "ownerReferences");
	cJSON *st = cJSON_GetObjectItemCaseSensitive(pod, "status");
	cJSON *r, *next;

	keep_only(pod, top);
	keep_only(m, meta);
	keep_only(cJSON_GetObjectItemCaseSensitive(m, "labels"), labels);
	/* Only the controller reference says who owns the pod. */
	for (r = refs ? refs->child : NULL; r; r = next) {
		next = r->next;
		if (!cJSON_IsTrue(
			cJSON_GetObjectItemCaseSensitive(r, "controller")))
			cJSON_Delete(cJSON_DetachItemViaPointer(refs, r));
		else
			keep_only(r, owner);
	}
	keep_only(cJSON_GetObjectItemCaseSensitive(pod, "spec"), spec);
	keep_only(st, status);
	compact_statuses(
	    cJSON_GetObjectItemCaseSensitive(st, "containerStatuses"));
	compact_statuses(
	    cJSON_GetObjectItemCaseSensitive(st, "initContainerStatuses"));
}

int pods_image_digest(const char *image_id, char *out, size_t sz)
{
	const char *at = image_id ? strrchr(image_id, '@') : NULL;

	if (sz)
		out[0] = '\0';
	if (!at || !scan_digest_valid(at + 1))
		return -1;
	snprintf(out, sz, "%s", at + 1);
	return 0;
}

/* ---- inventories -------------------------------------------------------- */

struct inv_entry {
	char *id; /* "<ns>_<name>_<group>_<kind>" */
	char *ks_ns, *ks_name;
};

struct pods_inventory {
	struct inv_entry *v;
	size_t n, cap; /* sorted by id */
};

static int entry_cmp(const void *a, const void *b);

struct pods_inventory *pods_inventory_new(void)
{
	return xcalloc(1, sizeof(struct pods_inventory));
}

void pods_inventory_add(struct pods_inventory *inv, const cJSON *ks)
{
	const char *ns = json_path_str(ks, "metadata.namespace");
	const char *name = json_path_str(ks, "metadata.name");
	const cJSON *e;

	if (!inv || !ns || !name)
		return;
	cJSON_ArrayForEach(e, json_path(ks, "status.inventory.entries"))
	{
		const char *id = json_path_str(e, "id");

		if (!id)
			continue;
		inv->v = xgrow(inv->v, &inv->cap, inv->n + 1, sizeof(*inv->v));
		inv->v[inv->n].id = xstrdup(id);
		inv->v[inv->n].ks_ns = xstrdup(ns);
		inv->v[inv->n].ks_name = xstrdup(name);
		inv->n++;
	}
	qsort(inv->v, inv->n, sizeof(*inv->v), entry_cmp);
}

void pods_inventory_free(struct pods_inventory **p)
{
	struct pods_inventory *inv = p ? *p : NULL;
	size_t i;

	if (!inv)
		return;
	for (i = 0; i < inv->n; i++) {
		free(inv->v[i].id);
		free(inv->v[i].ks_ns);
		free(inv->v[i].ks_name);
	}
	free(inv->v);
	free(inv);
	*p = NULL;
}

size_t pods_inventory_count(const struct pods_inventory *inv)
{
	return inv ? inv->n : 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct inv_entry *)a)->id,
		      ((const struct inv_entry *)b)->id);
}

static int key_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct inv_entry *)e)->id);
}

static const struct inv_entry *inv_find(const struct pods_inventory *inv,
					const char *id)
{
	if (!inv || !inv->n)
		return NULL;
	return bsearch(id, inv->v, inv->n, sizeof(*inv->v), key_cmp);
}

/* ---- ownership ---------------------------------------------------------- */

/* A label's value (label names hold dots: no dotted path). */
static const char *label(const cJSON *labels, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The workload that controls the pod: kind and name, with a ReplicaSet
 * "<deployment>-<pod-template-hash>" taken back to its Deployment. */
static int workload(const cJSON *pod, char *kind, size_t ksz, char *name,
		    size_t nsz)
{
	const cJSON *r =
	    cJSON_GetArrayItem(json_path(pod, "metadata.ownerReferences"), 0);
	const char *k = json_path_str(r, "kind"),
		   *n = json_path_str(r, "name");
	const cJSON *labels = json_path(pod, "metadata.labels");
	const char *hash = label(labels, LABEL_HASH);
	size_t ln, lh;

	if (!k || !n)
		return -1;
	snprintf(kind, ksz, "%s", k);
	snprintf(name, nsz, "%s", n);
	if (strcmp(k, "ReplicaSet") != 0 || !hash)
		return 0;
	ln = strlen(n);
	lh = strlen(hash);
	if (ln > lh + 1 && n[ln - lh - 1] == '-' &&
	    strcmp(n + ln - lh, hash) == 0) {
		snprintf(kind, ksz, "Deployment");
		name[ln - lh - 1] = '\0';
	}
	return 0;
}

static const char *group_of(const char *kind)
{
	if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") ||
	    !strcmp(kind, "DaemonSet") || !strcmp(kind, "ReplicaSet"))
		return "apps";
	if (!strcmp(kind, "Job") || !strcmp(kind, "CronJob"))
		return "batch";
	return "";
}

static void owner(const cJSON *pod, const struct pods_inventory *inv,
		  struct pod_run *r)
{
	const cJSON *labels = json_path(pod, "metadata.labels");
	const char *name = label(labels, LABEL_KS_NAME);
	const char *ns = label(labels, LABEL_KS_NS);
	char kind[64], wname[254], id[512];
	const struct inv_entry *e;

	r->ks_how = "";
	if (name && *name) {
		text_safe_buf(r->ks_name, sizeof(r->ks_name), name, 200);
		text_safe_buf(r->ks_ns, sizeof(r->ks_ns), ns ? ns : "", 60);
		r->ks_how = "label";
		return;
	}
	if (workload(pod, kind, sizeof(kind), wname, sizeof(wname)) < 0)
		return;
	snprintf(id, sizeof(id), "%s_%s_%s_%s",
		 json_path_str(pod, "metadata.namespace")
		     ? json_path_str(pod, "metadata.namespace")
		     : "",
		 wname, group_of(kind), kind);
	e = inv_find(inv, id);
	if (!e)
		return;
	text_safe_buf(r->ks_name, sizeof(r->ks_name), e->ks_name, 200);
	text_safe_buf(r->ks_ns, sizeof(r->ks_ns), e->ks_ns, 60);
	r->ks_how = "inventory";
}

/* ---- matching ----------------------------------------------------------- */

enum repo_kind { REPO_NONE, REPO_LIVE, REPO_QUARANTINE, REPO_UPSTREAM };

static enum repo_kind repo_of(const struct pods_image *img, const char *ref)
{
	struct image_ref ir;
	struct err e;
	int ours;

	if (!ref || image_ref_parse(ref, &ir, &e) < 0)
		return REPO_NONE;
	ours = !img->registry_host || !*img->registry_host ||
	       strcasecmp(ir.registry, img->registry_host) == 0;
	if (ours && img->live_repo && strcmp(ir.path, img->live_repo) == 0)
		return REPO_LIVE;
	if (ours && img->quarantine_repo &&
	    strcmp(ir.path, img->quarantine_repo) == 0)
		return REPO_QUARANTINE;
	if (img->upstream_registry && img->path &&
	    strcasecmp(ir.registry, img->upstream_registry) == 0 &&
	    strcmp(ir.path, img->path) == 0)
		return REPO_UPSTREAM;
	return REPO_NONE;
}

static int is_vetted(const struct pods_image *img, const char *digest)
{
	size_t i;

	for (i = 0; digest[0] && img->vetted && img->vetted[i]; i++) {
		if (strcmp(img->vetted[i], digest) == 0)
			return 1;
	}
	return 0;
}

static void set_alert(struct pod_run *r, const struct pods_image *img,
		      enum repo_kind kind)
{
	const char *first =
	    img->vetted && img->vetted[0] ? img->vetted[0] : NULL;

	if (!r->digest[0]) {
		snprintf(r->alert, sizeof(r->alert),
			 "its imageID names no registry digest: an image "
			 "from the node, not from the registry");
		return;
	}
	if (kind == REPO_UPSTREAM) {
		snprintf(r->alert, sizeof(r->alert),
			 "pulled straight from %s, not from live/ (%.19s%s)",
			 img->upstream_registry, r->digest,
			 r->vetted ? ", the vetted digest" : "");
		return;
	}
	if (!r->vetted) {
		if (first)
			snprintf(r->alert, sizeof(r->alert),
				 "runs %.19s, not the vetted %.19s", r->digest,
				 first);
		else
			snprintf(r->alert, sizeof(r->alert),
				 "runs %.19s; nothing of this image is "
				 "vetted in quarantine/",
				 r->digest);
		return;
	}
	if (kind == REPO_QUARANTINE)
		snprintf(r->alert, sizeof(r->alert),
			 "pulled from quarantine/, not from live/");
}

static void add_run(struct pod_run **out, size_t *n, size_t *cap,
		    const cJSON *pod, const cJSON *cs,
		    const struct pods_image *img,
		    const struct pods_inventory *inv, const char *digest,
		    enum repo_kind kind)
{
	struct pod_run *r;

	*out = xgrow(*out, cap, *n + 1, sizeof(**out));
	r = &(*out)[(*n)++];
	memset(r, 0, sizeof(*r));
	text_safe_buf(r->ns, sizeof(r->ns),
		      json_path_str(pod, "metadata.namespace"), 60);
	text_safe_buf(r->name, sizeof(r->name),
		      json_path_str(pod, "metadata.name"), 250);
	text_safe_buf(r->node, sizeof(r->node),
		      json_path_str(pod, "spec.nodeName"), 250);
	text_safe_buf(r->phase, sizeof(r->phase),
		      json_path_str(pod, "status.phase"), 14);
	text_safe_buf(r->container, sizeof(r->container),
		      json_path_str(cs, "name"), 60);
	text_safe_buf(r->image, sizeof(r->image), json_path_str(cs, "image"),
		      290);
	snprintf(r->digest, sizeof(r->digest), "%s", digest);
	r->vetted = is_vetted(img, digest);
	owner(pod, inv, r);
	set_alert(r, img, kind);
}

static void match_statuses(const cJSON *pod, const cJSON *list,
			   const struct pods_image *img,
			   const struct pods_inventory *inv,
			   struct pod_run **out, size_t *n, size_t *cap)
{
	const cJSON *cs;

	cJSON_ArrayForEach(cs, list)
	{
		const char *id = json_path_str(cs, "imageID");
		char digest[80];
		enum repo_kind kind;

		/* Not started yet: it runs nothing. */
		if (!id || !*id)
			continue;
		pods_image_digest(id, digest, sizeof(digest));
		kind = repo_of(img, json_path_str(cs, "image"));
		if (kind == REPO_NONE && !is_vetted(img, digest))
			continue;
		add_run(out, n, cap, pod, cs, img, inv, digest, kind);
	}
}

size_t pods_runs(const cJSON *const *pods, size_t n,
		 const struct pods_image *img,
		 const struct pods_inventory *inv, struct pod_run **out)
{
	size_t i, count = 0, cap = 0;

	*out = NULL;
	for (i = 0; i < n; i++) {
		const cJSON *st = json_path(pods[i], "status");

		match_statuses(pods[i], json_path(st, "initContainerStatuses"),
			       img, inv, out, &count, &cap);
		match_statuses(pods[i], json_path(st, "containerStatuses"),
			       img, inv, out, &count, &cap);
	}
	return count;
}

const cJSON **pods_vector(const cJSON *array, size_t *n)
{
	const cJSON **v = NULL, *it;
	size_t i = 0, count = (size_t)cJSON_GetArraySize(array);

	*n = 0;
	if (!count)
		return NULL;
	v = xcalloc(count, sizeof(*v));
	cJSON_ArrayForEach(it, array)
	{
		if (i < count)
			v[i++] = it;
	}
	*n = i;
	return v;
}

size_t pods_alerts(const struct pod_run *v, size_t n)
{
	size_t i, a = 0;

	for (i = 0; i < n; i++)
		a += v[i].alert[0] != '\0';
	return a;
}
