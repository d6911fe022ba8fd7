/* flux_discover.c - per-kind Flux API versions from discovery: GET /apis,
 * then GET /apis/<group>/<version> for the versions the kind table knows,
 * then the newest version that serves each kind. No watch, no curses. */
#include "flux_discover.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define MAX_GROUPS   4
#define MAX_VERSIONS 3

struct gv_req {
	struct flux_discovery *d;
	struct kube_call *call;
	cJSON *list; /* the APIResourceList, owned */
};

struct flux_discovery {
	struct kube_client *c;
	flux_discover_fn done;
	void *ud;
	struct kube_call *apis;
	const char *groups[MAX_GROUPS]; /* literals from the kind table */
	size_t ngroups;
	struct gv_req req[MAX_GROUPS][MAX_VERSIONS];
	int pending;
	int installed;
	int failed;
	struct err err;
};

const char *flux_kind_version(enum flux_kind kind,
			      const char *const versions[],
			      const cJSON *const lists[], size_t n)
{
	const struct flux_kind_info *ki = flux_kind_get(kind);
	const cJSON *res, *it;
	size_t p, i;

	if (!ki || !versions || !lists)
		return NULL;
	for (p = 0; p < MAX_VERSIONS; p++) {
		for (i = 0; i < n; i++) {
			if (!lists[i] || !versions[i] ||
			    strcmp(versions[i], ki->versions[p]) != 0)
				continue;
			res = cJSON_GetObjectItemCaseSensitive(lists[i],
							       "resources");
			cJSON_ArrayForEach(it, res)
			{
				const cJSON *name =
				    cJSON_GetObjectItemCaseSensitive(it,
								     "name");

				if (cJSON_IsString(name) &&
				    strcmp(name->valuestring, ki->plural) == 0)
					return ki->versions[p];
			}
		}
	}
	return NULL;
}

/* The version list the kind table has for a group (every kind of a group
 * lists the same versions). */
static const char *const *group_versions(const char *group)
{
	int k;

	for (k = 0; k < FLUX_KIND_COUNT; k++)
		if (strcmp(flux_kind_get(k)->group, group) == 0)
			return flux_kind_get(k)->versions;
	return NULL;
}

/* Whether an APIGroupList lists group at version. */
static int group_lists(const cJSON *apis, const char *group,
		       const char *version, int *group_found)
{
	const cJSON *g, *v;

	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(apis, "groups"))
	{
		const cJSON *name =
		    cJSON_GetObjectItemCaseSensitive(g, "name");

		if (!cJSON_IsString(name) || strcmp(name->valuestring, group))
			continue;
		*group_found = 1;
		cJSON_ArrayForEach(
		    v, cJSON_GetObjectItemCaseSensitive(g, "versions"))
		{
			const cJSON *s =
			    cJSON_GetObjectItemCaseSensitive(v, "version");

			if (cJSON_IsString(s) &&
			    strcmp(s->valuestring, version) == 0)
				return 1;
		}
	}
	return 0;
}

static void discovery_free(struct flux_discovery *d)
{
	size_t g, v;

	kube_call_cancel(d->apis);
	for (g = 0; g < MAX_GROUPS; g++)
		for (v = 0; v < MAX_VERSIONS; v++) {
			kube_call_cancel(d->req[g][v].call);
			cJSON_Delete(d->req[g][v].list);
		}
	free(d);
}

static void finish(struct flux_discovery *d)
{
	const char *versions[FLUX_KIND_COUNT];
	flux_discover_fn done = d->done;
	void *ud = d->ud;
	struct err e = d->err;
	int installed = d->installed, failed = d->failed;
	size_t g;
	int k;

	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const struct flux_kind_info *ki = flux_kind_get(k);
		const cJSON *lists[MAX_VERSIONS] = {NULL, NULL, NULL};
		const char *const *vs = NULL;
		size_t v;

		versions[k] = NULL;
		for (g = 0; g < d->ngroups; g++)
			if (strcmp(d->groups[g], ki->group) == 0)
				break;
		if (g == d->ngroups)
			continue;
		vs = group_versions(ki->group);
		for (v = 0; v < MAX_VERSIONS; v++)
			lists[v] = d->req[g][v].list;
		versions[k] = flux_kind_version(k, vs, lists, MAX_VERSIONS);
	}
	discovery_free(d);
	if (failed)
		done(NULL, installed, &e, ud);
	else
		done(versions, installed, NULL, ud);
}

static void on_list(struct kube_result *r, void *ud)
{
	struct gv_req *q = ud;
	struct flux_discovery *d = q->d;

	q->call = NULL;
	if (r->ok && cJSON_IsObject(r->json)) {
		q->list = r->json;
		r->json = NULL;
	} else if (!d->failed) {
		d->failed = 1;
		d->err = r->err;
		if (!d->err.msg[0])
			err_set(&d->err, ERR_PARSE,
				"the resource list is not a JSON object");
	}
	if (--d->pending == 0)
		finish(d);
}

static void on_apis(struct kube_result *r, void *ud)
{
	struct flux_discovery *d = ud;
	char path[256];
	size_t g, v;

	d->apis = NULL;
	if (!r->ok) {
		d->failed = 1;
		d->err = r->err;
		err_prefix(&d->err, "Flux API discovery");
		finish(d);
		return;
	}
	d->pending = 1; /* held until every request is sent */
	for (g = 0; g < d->ngroups; g++) {
		const char *const *vs = group_versions(d->groups[g]);

		for (v = 0; v < MAX_VERSIONS; v++) {
			struct gv_req *q = &d->req[g][v];

			if (!group_lists(r->json, d->groups[g], vs[v],
					 &d->installed))
				continue;
			q->d = d;
			snprintf(path, sizeof(path), "/apis/%s/%s",
				 d->groups[g], vs[v]);
			d->pending++;
			q->call = kube_request(d->c, "GET", path, NULL, NULL,
					       on_list, q);
		}
	}
	if (--d->pending == 0)
		finish(d);
}

struct flux_discovery *flux_discover_start(struct kube_client *c,
					   flux_discover_fn done, void *ud)
{
	struct flux_discovery *d = xcalloc(1, sizeof(*d));
	size_t g;
	int k;

	d->c = c;
	d->done = done;
	d->ud = ud;
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const char *group = flux_kind_get(k)->group;

		for (g = 0; g < d->ngroups; g++)
			if (strcmp(d->groups[g], group) == 0)
				break;
		if (g == d->ngroups && d->ngroups < MAX_GROUPS)
			d->groups[d->ngroups++] = group;
	}
	d->apis = kube_request(c, "GET", "/apis", NULL, NULL, on_apis, d);
	return d;
}

void flux_discover_cancel(struct flux_discovery **d)
{
	if (!d || !*d)
		return;
	discovery_free(*d);
	*d = NULL;
}
