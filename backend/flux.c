/* flux.c - Flux JSON into structs; states, root causes, summaries and
 * trees from them. Not an API client, not a printer; no curses. */
#include "flux.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#define GROUP_SOURCE	 "source.toolkit.fluxcd.io"
#define GROUP_KUSTOMIZE	 "kustomize.toolkit.fluxcd.io"
#define GROUP_HELM	 "helm.toolkit.fluxcd.io"
#define ANN_REQUESTED_AT "reconcile.fluxcd.io/requestedAt"
#define LABEL_PART_OF	 "app.kubernetes.io/part-of"
#define REASON_DEP	 "DependencyNotReady"
#define MSG_WAITING	 "waiting to be reconciled"
#define MIDDOT		 "\xc2\xb7"
#define TREE_MAX_DEPTH	 32
#define TREE_MAX_LINES	 1000
#define SHORT_DIGEST_LEN 8

/* ---- kinds -------------------------------------------------------------- */

static const struct flux_kind_info kind_table[FLUX_KIND_COUNT] = {
    [FLUX_GIT_REPOSITORY] =
	{
	    .kind = "GitRepository",
	    .group = GROUP_SOURCE,
	    .plural = "gitrepositories",
	    .singular = "gitrepository",
	    .short_name = "gitrepo",
	    .cli = "source git",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_OCI_REPOSITORY] =
	{
	    .kind = "OCIRepository",
	    .group = GROUP_SOURCE,
	    .plural = "ocirepositories",
	    .singular = "ocirepository",
	    .short_name = "ocirepo",
	    .cli = "source oci",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_HELM_REPOSITORY] =
	{
	    .kind = "HelmRepository",
	    .group = GROUP_SOURCE,
	    .plural = "helmrepositories",
	    .singular = "helmrepository",
	    .short_name = "helmrepo",
	    .cli = "source helm",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_BUCKET] =
	{
	    .kind = "Bucket",
	    .group = GROUP_SOURCE,
	    .plural = "buckets",
	    .singular = "bucket",
	    .short_name = "",
	    .cli = "source bucket",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_KUSTOMIZATION] =
	{
	    .kind = "Kustomization",
	    .group = GROUP_KUSTOMIZE,
	    .plural = "kustomizations",
	    .singular = "kustomization",
	    .short_name = "ks",
	    .cli = "kustomization",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 0,
	},
    [FLUX_HELM_RELEASE] =
	{
	    .kind = "HelmRelease",
	    .group = GROUP_HELM,
	    .plural = "helmreleases",
	    .singular = "helmrelease",
	    .short_name = "hr",
	    .cli = "helmrelease",
	    .versions = {"v2", "v2beta2", "v2beta1"},
	    .is_source = 0,
	},
};

static const char *const default_versions[3] = {"v1", "v1beta2", "v1beta1"};

const struct flux_kind_info *flux_kind_get(enum flux_kind k)
{
	if ((int)k < 0 || k >= FLUX_KIND_COUNT)
		return NULL;
	return &kind_table[k];
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int eq_nocase(const char *a, const char *b)
{
	while (*a && *b) {
		if (lower(*a) != lower(*b))
			return 0;
		a++;
		b++;
	}
	return *a == *b;
}

/* "plural.group" or "singular.group" */
static int eq_qualified(const char *s, const char *name, const char *group)
{
	size_t nl = strlen(name);
	size_t i;

	for (i = 0; i < nl; i++)
		if (lower(s[i]) != name[i])
			return 0;
	return s[nl] == '.' && eq_nocase(s + nl + 1, group);
}

int flux_kind_parse(const char *s, enum flux_kind *out)
{
	int k;

	if (!s || !s[0])
		return -ERR_USAGE;
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const struct flux_kind_info *t = &kind_table[k];

		if (eq_nocase(s, t->kind) || eq_nocase(s, t->singular) ||
		    eq_nocase(s, t->plural) || eq_nocase(s, t->cli) ||
		    (t->short_name[0] && eq_nocase(s, t->short_name)) ||
		    eq_qualified(s, t->plural, t->group) ||
		    eq_qualified(s, t->singular, t->group)) {
			*out = (enum flux_kind)k;
			return 0;
		}
	}
	if (eq_nocase(s, "git")) {
		*out = FLUX_GIT_REPOSITORY;
		return 0;
	}
	if (eq_nocase(s, "oci")) {
		*out = FLUX_OCI_REPOSITORY;
		return 0;
	}
	return -ERR_USAGE;
}

static const char *const *versions_for_group(const char *group)
{
	int k;

	if (group)
		for (k = 0; k < FLUX_KIND_COUNT; k++)
			if (strcmp(kind_table[k].group, group) == 0)
				return kind_table[k].versions;
	return default_versions;
}

static int version_listed(const cJSON *versions, const char *want)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, versions)
	{
		const char *v = json_str(it, "version");

		if (v && strcmp(v, want) == 0)
			return 1;
	}
	return 0;
}

const char *flux_pick_version(const cJSON *api_group)
{
	const char *const *pref;
	const cJSON *versions;
	int i;

	if (!cJSON_IsObject(api_group))
		return NULL;
	versions = json_get(api_group, "versions");
	if (!cJSON_IsArray(versions))
		return NULL;
	pref = versions_for_group(json_str(api_group, "name"));
	for (i = 0; i < 3; i++)
		if (version_listed(versions, pref[i]))
			return pref[i];
	return NULL;
}

const char *flux_pick_version_in_list(const cJSON *group_list,
				      const char *group)
{
	const cJSON *it;

	if (!group)
		return NULL;
	cJSON_ArrayForEach(it, json_get(group_list, "groups"))
	{
		const char *name = json_str(it, "name");

		if (name && strcmp(name, group) == 0)
			return flux_pick_version(it);
	}
	return NULL;
}

/* ---- states ------------------------------------------------------------- */

const char *flux_state_text(enum flux_state s)
{
	switch (s) {
	case FLUX_STATE_READY:
		return "Ready";
	case FLUX_STATE_FAILED:
		return "Failed";
	case FLUX_STATE_PROGRESSING:
		return "Progressing";
	case FLUX_STATE_STALLED:
		return "Stalled";
	case FLUX_STATE_WAITING:
		return "Waiting";
	}
	return "Unknown";
}

int flux_state_is_failed(enum flux_state s)
{
	return s == FLUX_STATE_FAILED || s == FLUX_STATE_STALLED;
}

const struct flux_condition *flux_condition_find(const struct flux_object *o,
						 const char *type)
{
	size_t i;

	for (i = 0; i < o->nconditions; i++)
		if (strcmp(o->conditions[i].type, type) == 0)
			return &o->conditions[i];
	return NULL;
}

static int cond_is(const struct flux_object *o, const char *type,
		   const char *status)
{
	const struct flux_condition *c = flux_condition_find(o, type);

	return c && strcmp(c->status, status) == 0;
}

static int generation_behind(const struct flux_object *o)
{
	return o->generation > 0 && o->observed_generation >= 0 &&
	       o->observed_generation < o->generation;
}

static enum flux_state compute_state(const struct flux_object *o)
{
	const struct flux_condition *ready = flux_condition_find(o, "Ready");

	if (cond_is(o, "Stalled", "True"))
		return FLUX_STATE_STALLED;
	if (!ready)
		return FLUX_STATE_WAITING;
	if (strcmp(ready->status, "True") != 0 &&
	    strcmp(ready->reason, REASON_DEP) == 0)
		return FLUX_STATE_WAITING;
	if (strcmp(ready->status, "False") == 0)
		return FLUX_STATE_FAILED;
	if (strcmp(ready->status, "True") != 0)
		return FLUX_STATE_PROGRESSING;
	if (cond_is(o, "Reconciling", "True") || generation_behind(o))
		return FLUX_STATE_PROGRESSING;
	return FLUX_STATE_READY;
}

/* ---- parsing ------------------------------------------------------------ */

static time_t parse_time(const char *s)
{
	time_t t = 0;

	if (!s || !s[0] || timefmt_parse_rfc3339(s, &t, NULL, NULL) != 0)
		return 0;
	return t;
}

static void parse_conditions(struct flux_object *o, const cJSON *arr)
{
	const cJSON *it;
	size_t count, i = 0;

	count = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	if (count == 0)
		return;
	o->conditions = xcalloc(count, sizeof(*o->conditions));
	cJSON_ArrayForEach(it, arr)
	{
		struct flux_condition *c;

		if (!cJSON_IsObject(it))
			continue;
		c = &o->conditions[i++];
		c->type = json_dup(it, "type", "");
		c->status = json_dup(it, "status", "");
		c->reason = json_dup(it, "reason", "");
		c->message = json_dup(it, "message", "");
		c->last_transition = json_dup(it, "lastTransitionTime", "");
	}
	o->nconditions = i;
}

/* A reference object {kind?, name, namespace?}. */
static void parse_ref(struct flux_ref *r, const cJSON *obj,
		      const char *def_kind, const char *def_ns)
{
	const char *kind = json_str(obj, "kind");
	const char *ns = json_str(obj, "namespace");

	r->kind = xstrdup(kind && kind[0] ? kind : def_kind);
	r->name = json_dup(obj, "name", "");
	r->namespace = xstrdup(ns && ns[0] ? ns : def_ns);
}

static void empty_ref(struct flux_ref *r)
{
	r->kind = xstrdup("");
	r->name = xstrdup("");
	r->namespace = xstrdup("");
}

static void ref_clear(struct flux_ref *r)
{
	free(r->kind);
	free(r->name);
	free(r->namespace);
	memset(r, 0, sizeof(*r));
}

static void parse_depends_on(struct flux_object *o, const cJSON *arr)
{
	const cJSON *it;
	size_t count, i = 0;

	count = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	if (count == 0)
		return;
	o->depends_on = xcalloc(count, sizeof(*o->depends_on));
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsObject(it) || !json_str(it, "name"))
			continue;
		parse_ref(&o->depends_on[i++], it, kind_table[o->kind].kind,
			  o->namespace);
	}
	o->ndepends_on = i;
}

static char *git_ref_text(const cJSON *ref)
{
	static const char *const order[] = {"commit", "name", "semver", "tag",
					    "branch"};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *v = json_str(ref, order[i]);

		if (v && v[0])
			return xasprintf("%s %s", order[i], v);
	}
	return xstrdup("");
}

static char *oci_ref_text(const cJSON *ref)
{
	static const char *const order[] = {"digest", "semver", "tag"};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *v = json_str(ref, order[i]);

		if (v && v[0])
			return xasprintf("%s %s", order[i], v);
	}
	return xstrdup("tag latest");
}

static void parse_source_spec(struct flux_object *o, const cJSON *spec)
{
	const char *v;

	switch (o->kind) {
	case FLUX_GIT_REPOSITORY:
		o->url = json_dup(spec, "url", "");
		o->ref_text = git_ref_text(json_get(spec, "ref"));
		break;
	case FLUX_OCI_REPOSITORY:
		o->url = json_dup(spec, "url", "");
		o->ref_text = oci_ref_text(json_get(spec, "ref"));
		break;
	case FLUX_HELM_REPOSITORY:
		o->url = json_dup(spec, "url", "");
		v = json_str(spec, "type");
		o->ref_text =
		    xstrdup(v && strcmp(v, "oci") == 0 ? "type oci" : "");
		break;
	case FLUX_BUCKET:
		o->url = json_dup(spec, "endpoint", "");
		v = json_str(spec, "bucketName");
		o->ref_text =
		    v && v[0] ? xasprintf("bucket %s", v) : xstrdup("");
		break;
	default:
		break;
	}
}

static void parse_helm_release(struct flux_object *o, const cJSON *spec,
			       const cJSON *status)
{
	const cJSON *cspec = json_get(json_get(spec, "chart"), "spec");
	const cJSON *chart_ref = json_get(spec, "chartRef");
	const cJSON *hist = json_get(status, "history");
	const cJSON *first =
	    cJSON_IsArray(hist) ? cJSON_GetArrayItem(hist, 0) : NULL;
	const char *name = json_str(cspec, "chart");
	const char *version = json_str(cspec, "version");
	const char *applied = json_str(status, "lastAppliedRevision");

	if (cJSON_IsObject(chart_ref)) {
		parse_ref(&o->source_ref, chart_ref, "", o->namespace);
		o->chart = json_dup(chart_ref, "name", "");
	} else {
		parse_ref(&o->source_ref, json_get(cspec, "sourceRef"), "",
			  o->namespace);
		if (name && version && version[0])
			o->chart = xasprintf("%s@%s", name, version);
		else
			o->chart = xstrdup(name ? name : "");
	}
	if (applied && applied[0])
		o->revision = xstrdup(applied);
	else
		o->revision = json_dup(first, "chartVersion", "");
	o->last_update = parse_time(json_str(first, "lastDeployed"));
}

static void parse_inventory(struct flux_object *o, const cJSON *status)
{
	const cJSON *inv = json_get(status, "inventory");
	const cJSON *snap = json_get(status, "snapshot");
	const cJSON *it, *k;

	o->inventory_count = -1;
	if (cJSON_IsObject(inv)) {
		const cJSON *entries = json_get(inv, "entries");

		o->inventory_count =
		    cJSON_IsArray(entries) ? cJSON_GetArraySize(entries) : 0;
		return;
	}
	if (!cJSON_IsObject(snap))
		return;
	o->inventory_is_snapshot = 1;
	o->inventory_count = 0;
	cJSON_ArrayForEach(it, json_get(snap, "entries"))
	{
		if (!cJSON_IsObject(it))
			continue;
		o->inventory_namespaces++;
		cJSON_ArrayForEach(k, json_get(it, "kinds"))
		{
			o->inventory_count++;
		}
	}
}

static void parse_kustomization(struct flux_object *o, const cJSON *spec,
				const cJSON *status)
{
	const cJSON *hist = json_get(status, "history");
	const cJSON *first =
	    cJSON_IsArray(hist) ? cJSON_GetArrayItem(hist, 0) : NULL;

	parse_ref(&o->source_ref, json_get(spec, "sourceRef"), "",
		  o->namespace);
	o->path = json_dup(spec, "path", "");
	o->prune = cJSON_IsTrue(json_get(spec, "prune"));
	o->revision = json_dup(status, "lastAppliedRevision", "");
	o->last_update = parse_time(json_str(first, "lastReconciled"));
	parse_inventory(o, status);
}

/* Give every string that the kind-specific parsers left alone a "". */
static void fill_empty(struct flux_object *o)
{
	char **fields[] = {&o->url,  &o->ref_text, &o->revision,
			   &o->path, &o->chart,	   &o->attempted_revision,
			   &o->sha};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!*fields[i])
			*fields[i] = xstrdup("");
	if (!o->source_ref.kind)
		empty_ref(&o->source_ref);
}

int flux_object_from_json(struct flux_object *out, enum flux_kind kind,
			  const cJSON *obj, struct err *e)
{
	const struct flux_kind_info *info = flux_kind_get(kind);
	const cJSON *k, *meta, *spec, *status;
	const struct flux_condition *ready;
	const char *name;
	char sha[80];

	memset(out, 0, sizeof(*out));
	if (!info)
		return err_set(e, ERR_USAGE, "unknown Flux kind %d",
			       (int)kind);
	if (!cJSON_IsObject(obj))
		return err_set(e, ERR_PARSE, "%s is not a JSON object",
			       info->kind);
	k = json_get(obj, "kind");
	if (k && !cJSON_IsNull(k) &&
	    !(cJSON_IsString(k) && strcmp(k->valuestring, info->kind) == 0))
		return err_set(e, ERR_PARSE, "object is a %.64s, not a %s",
			       cJSON_IsString(k) ? k->valuestring
						 : "(bad kind)",
			       info->kind);
	meta = json_get(obj, "metadata");
	name = json_str(meta, "name");
	if (!name || !name[0])
		return err_set(e, ERR_PARSE, "%s has no metadata.name",
			       info->kind);
	spec = json_get(obj, "spec");
	status = json_get(obj, "status");

	out->kind = kind;
	out->api_version = json_dup(obj, "apiVersion", "");
	out->namespace = json_dup(meta, "namespace", "");
	out->name = xstrdup(name);
	out->resource_version = json_dup(meta, "resourceVersion", "");
	out->created = json_dup(meta, "creationTimestamp", "");
	out->created_at = parse_time(out->created);
	out->generation = json_num(meta, "generation", 0);
	out->observed_generation = json_num(status, "observedGeneration", -1);
	out->requested_at =
	    json_dup(json_get(meta, "annotations"), ANN_REQUESTED_AT, "");
	out->suspended = cJSON_IsTrue(json_get(spec, "suspend"));
	out->interval = json_dup(spec, "interval", "");
	out->timeout = json_dup(spec, "timeout", "");
	out->secret_ref = json_dup(json_get(spec, "secretRef"), "name", "");
	out->last_handled_reconcile_at =
	    json_dup(status, "lastHandledReconcileAt", "");
	out->inventory_count = -1;
	parse_conditions(out, json_get(status, "conditions"));

	if (info->is_source) {
		const cJSON *art = json_get(status, "artifact");

		parse_source_spec(out, spec);
		out->revision = json_dup(art, "revision", "");
		out->last_update = parse_time(json_str(art, "lastUpdateTime"));
	} else if (kind == FLUX_KUSTOMIZATION) {
		parse_kustomization(out, spec, status);
	} else {
		parse_helm_release(out, spec, status);
	}
	if (!info->is_source) {
		out->attempted_revision =
		    json_dup(status, "lastAttemptedRevision", "");
		parse_depends_on(out, json_get(spec, "dependsOn"));
	}
	fill_empty(out);
	flux_revision_sha(out->revision, sha, sizeof(sha));
	free(out->sha);
	out->sha = xstrdup(sha);

	ready = flux_condition_find(out, "Ready");
	out->ready_status = xstrdup(ready ? ready->status : "");
	out->ready_reason = xstrdup(ready ? ready->reason : "");
	out->ready_message = xstrdup(ready ? ready->message : "");
	if (out->last_update == 0 && ready)
		out->last_update = parse_time(ready->last_transition);
	out->state = compute_state(out);
	return 0;
}

int flux_objects_append_list(struct flux_object **v, size_t *n,
			     enum flux_kind kind, const cJSON *list,
			     struct err *e)
{
	const struct flux_kind_info *info = flux_kind_get(kind);
	const cJSON *items = json_get(list, "items");
	const cJSON *it;
	struct flux_object *grown;
	size_t count, i = 0;
	int rc;

	if (!info)
		return err_set(e, ERR_USAGE, "unknown Flux kind %d",
			       (int)kind);
	if (!cJSON_IsObject(list))
		return err_set(e, ERR_PARSE, "%s list is not a JSON object",
			       info->kind);
	if (!items || cJSON_IsNull(items))
		return 0;
	if (!cJSON_IsArray(items))
		return err_set(e, ERR_PARSE, "%s list items is not an array",
			       info->kind);
	count = (size_t)cJSON_GetArraySize(items);
	if (count == 0)
		return 0;
	grown = xrealloc(*v, (*n + count) * sizeof(**v));
	*v = grown;
	cJSON_ArrayForEach(it, items)
	{
		rc = flux_object_from_json(&grown[*n + i], kind, it, e);
		if (rc != 0) {
			size_t j;

			if (e)
				err_prefix(e, "%s item %zu", info->kind,
					   i + 1);
			for (j = 0; j < i; j++)
				flux_object_clear(&grown[*n + j]);
			return rc;
		}
		i++;
	}
	*n += i;
	return 0;
}

/* ---- lifetime ----------------------------------------------------------- */

void flux_object_clear(struct flux_object *o)
{
	size_t i;

	if (!o)
		return;
	free(o->api_version);
	free(o->namespace);
	free(o->name);
	free(o->resource_version);
	free(o->created);
	free(o->interval);
	free(o->timeout);
	free(o->url);
	free(o->ref_text);
	free(o->secret_ref);
	free(o->revision);
	free(o->attempted_revision);
	free(o->sha);
	free(o->ready_status);
	free(o->ready_reason);
	free(o->ready_message);
	for (i = 0; i < o->nconditions; i++) {
		struct flux_condition *c = &o->conditions[i];

		free(c->type);
		free(c->status);
		free(c->reason);
		free(c->message);
		free(c->last_transition);
	}
	free(o->conditions);
	free(o->last_handled_reconcile_at);
	free(o->requested_at);
	ref_clear(&o->source_ref);
	free(o->path);
	free(o->chart);
	for (i = 0; i < o->ndepends_on; i++)
		ref_clear(&o->depends_on[i]);
	free(o->depends_on);
	memset(o, 0, sizeof(*o));
}

void flux_objects_free(struct flux_object **v, size_t n)
{
	size_t i;

	if (!v || !*v)
		return;
	for (i = 0; i < n; i++)
		flux_object_clear(&(*v)[i]);
	free(*v);
	*v = NULL;
}

static const char *s0(const char *s)
{
	return s ? s : "";
}

const struct flux_object *flux_object_find(const struct flux_object *all,
					   size_t n, enum flux_kind kind,
					   const char *namespace,
					   const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (all[i].kind == kind &&
		    strcmp(s0(all[i].namespace), s0(namespace)) == 0 &&
		    strcmp(s0(all[i].name), s0(name)) == 0)
			return &all[i];
	return NULL;
}

const char *flux_ref_text(const struct flux_ref *r, const char *ns, char *buf,
			  size_t sz)
{
	if (sz == 0)
		return buf;
	if (!r->name || !r->name[0]) {
		buf[0] = '\0';
		return buf;
	}
	if (ns && strcmp(s0(r->namespace), ns) == 0)
		snprintf(buf, sz, "%s/%s", s0(r->kind), r->name);
	else
		snprintf(buf, sz, "%s/%s/%s", s0(r->kind), s0(r->namespace),
			 r->name);
	return buf;
}

const char *flux_object_message(const struct flux_object *o)
{
	if (!o->ready_status || !o->ready_status[0])
		return MSG_WAITING;
	return s0(o->ready_message);
}

/* ---- revisions ---------------------------------------------------------- */

static int is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return 0;
	}
	return len > 0;
}

/* Where the digest of rev starts (algorithm included), its pointer length
 * in *plen (the text before '@' or '/'); NULL when rev has no digest. */
static const char *find_digest(const char *rev, size_t *plen)
{
	const char *at = strrchr(rev, '@');
	const char *slash, *tail;
	size_t tl;

	*plen = 0;
	if (at) {
		*plen = (size_t)(at - rev);
		return at + 1;
	}
	if (strncmp(rev, "sha1:", 5) == 0 || strncmp(rev, "sha256:", 7) == 0)
		return rev;
	slash = strrchr(rev, '/');
	tail = slash ? slash + 1 : rev;
	tl = strlen(tail);
	if ((tl == 40 || tl == 64) && is_hex(tail, tl)) {
		*plen = slash ? (size_t)(slash - rev) : 0;
		return tail;
	}
	return NULL;
}

/* digest without "<algo>:" */
static const char *digest_hex(const char *d)
{
	const char *colon = strchr(d, ':');

	return colon ? colon + 1 : d;
}

const char *flux_revision_sha(const char *revision, char *buf, size_t sz)
{
	const char *d;
	size_t plen;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	if (!revision || !revision[0])
		return buf;
	d = find_digest(revision, &plen);
	if (d)
		snprintf(buf, sz, "%s", digest_hex(d));
	return buf;
}

const char *flux_revision_short(const char *revision, char *buf, size_t sz)
{
	const char *d, *hex, *ptr;
	size_t plen;
	int hl;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	if (!revision || !revision[0])
		return buf;
	d = find_digest(revision, &plen);
	if (!d) {
		snprintf(buf, sz, "%s", revision);
		return buf;
	}
	hex = digest_hex(d);
	hl = (int)strnlen(hex, SHORT_DIGEST_LEN);
	ptr = revision;
	if (plen > 11 && strncmp(ptr, "refs/heads/", 11) == 0) {
		ptr += 11;
		plen -= 11;
	} else if (plen > 10 && strncmp(ptr, "refs/tags/", 10) == 0) {
		ptr += 10;
		plen -= 10;
	}
	if (plen > 0)
		snprintf(buf, sz, "%.*s@%.*s", (int)plen, ptr, hl, hex);
	else
		snprintf(buf, sz, "%.*s", hl, hex);
	return buf;
}

/* ---- dependencies ------------------------------------------------------- */

static int dep_is_ready(const struct flux_object *d)
{
	return strcmp(s0(d->ready_status), "True") == 0 &&
	       !generation_behind(d);
}

static long find_index(const struct flux_object *all, size_t n,
		       enum flux_kind kind, const char *ns, const char *name)
{
	const struct flux_object *o = flux_object_find(all, n, kind, ns, name);

	return o ? (long)(o - all) : -1;
}

struct dep_walk {
	const struct flux_object *all;
	size_t n;
	unsigned char *on_path;		  /* per index of all */
	const struct flux_object **stack; /* the current chain */
	size_t depth;
	struct flux_dep_root *out;
};

static void cycle_path(struct dep_walk *w, const struct flux_object *d)
{
	size_t i, start = 0, o = 0;
	char *p = w->out->path;
	size_t sz = sizeof(w->out->path);
	int k;

	for (i = 0; i < w->depth; i++)
		if (w->stack[i] == d)
			start = i;
	for (i = start; i <= w->depth; i++) {
		const struct flux_object *x = i < w->depth ? w->stack[i] : d;

		k = snprintf(p + o, sz - o, "%s%s/%s", i > start ? " -> " : "",
			     x->namespace, x->name);
		if (k < 0 || (size_t)k >= sz - o)
			break;
		o += (size_t)k;
	}
}

/* 1 when a root was found below obj (w->out filled). */
static int dep_walk(struct dep_walk *w, const struct flux_object *obj)
{
	size_t i;

	for (i = 0; i < obj->ndepends_on; i++) {
		const struct flux_ref *r = &obj->depends_on[i];
		long idx =
		    find_index(w->all, w->n, obj->kind, r->namespace, r->name);
		const struct flux_object *d;

		w->out->referrer = obj;
		w->out->ref = r;
		w->out->depth = w->depth;
		if (idx < 0) {
			w->out->status = FLUX_DEP_MISSING;
			return 1;
		}
		d = &w->all[idx];
		if (w->on_path[idx]) {
			w->out->status = FLUX_DEP_CYCLE;
			w->out->object = d;
			cycle_path(w, d);
			return 1;
		}
		if (dep_is_ready(d))
			continue;
		w->on_path[idx] = 1;
		w->stack[w->depth++] = d;
		if (dep_walk(w, d))
			return 1;
		w->depth--;
		w->on_path[idx] = 0;
		w->out->status = FLUX_DEP_NOT_READY;
		w->out->object = d;
		w->out->referrer = obj;
		w->out->ref = r;
		w->out->depth = w->depth;
		return 1;
	}
	return 0;
}

enum flux_dep_status flux_dependency_root(const struct flux_object *obj,
					  const struct flux_object *all,
					  size_t n, struct flux_dep_root *out)
{
	struct dep_walk w;
	long self;

	memset(out, 0, sizeof(*out));
	if (!obj || obj->ndepends_on == 0)
		return FLUX_DEP_OK;
	memset(&w, 0, sizeof(w));
	w.all = all;
	w.n = n;
	w.on_path = xcalloc(n + 1, 1);
	w.stack = xcalloc(n + 2, sizeof(*w.stack));
	w.out = out;
	self = find_index(all, n, obj->kind, obj->namespace, obj->name);
	if (self >= 0)
		w.on_path[self] = 1;
	w.stack[w.depth++] = self >= 0 ? &all[self] : obj;
	if (!dep_walk(&w, obj)) {
		memset(out, 0, sizeof(*out));
		out->status = FLUX_DEP_OK;
	}
	free(w.on_path);
	free(w.stack);
	return out->status;
}

char *flux_dependency_text(const struct flux_dep_root *r)
{
	switch (r->status) {
	case FLUX_DEP_OK:
		break;
	case FLUX_DEP_MISSING:
		return xasprintf("dependency %s/%s not found",
				 s0(r->ref->namespace), s0(r->ref->name));
	case FLUX_DEP_NOT_READY:
		return xasprintf("waiting for dependency %s/%s: %s",
				 r->object->namespace, r->object->name,
				 flux_object_message(r->object));
	case FLUX_DEP_CYCLE:
		return xasprintf("dependency cycle: %s", r->path);
	}
	return xstrdup("");
}

/* ---- reconcile ---------------------------------------------------------- */

enum flux_reconcile_phase flux_reconcile_phase(const struct flux_object *o,
					       const char *requested_at)
{
	const struct flux_condition *ready = flux_condition_find(o, "Ready");
	const char *req = requested_at ? requested_at : s0(o->requested_at);

	if (strcmp(s0(o->last_handled_reconcile_at), req) != 0)
		return FLUX_RECONCILE_WAITING_HANDLED;
	if (cond_is(o, "Stalled", "True"))
		return FLUX_RECONCILE_DONE_FAILED;
	if (ready && strcmp(ready->status, "True") != 0 &&
	    strcmp(ready->reason, REASON_DEP) == 0)
		return FLUX_RECONCILE_DONE_WAITING;
	if (!ready || generation_behind(o) ||
	    (o->generation > 0 && o->observed_generation < 0))
		return FLUX_RECONCILE_WAITING_READY;
	if (strcmp(ready->status, "False") == 0)
		return FLUX_RECONCILE_DONE_FAILED;
	if (strcmp(ready->status, "True") != 0)
		return FLUX_RECONCILE_WAITING_READY;
	if (cond_is(o, "Reconciling", "True"))
		return FLUX_RECONCILE_WAITING_READY;
	return FLUX_RECONCILE_DONE_READY;
}

const char *flux_reconcile_phase_text(enum flux_reconcile_phase p)
{
	switch (p) {
	case FLUX_RECONCILE_WAITING_HANDLED:
		return "waiting for the controller";
	case FLUX_RECONCILE_WAITING_READY:
		return "waiting for Ready";
	case FLUX_RECONCILE_DONE_READY:
		return "Ready";
	case FLUX_RECONCILE_DONE_FAILED:
		return "failed";
	case FLUX_RECONCILE_DONE_WAITING:
		return "waiting for a dependency";
	}
	return "unknown";
}

int flux_reconcile_check(const struct flux_object *o, struct err *e)
{
	if (o->suspended)
		return err_set(
		    e, ERR_USAGE, "%s %s/%s is suspended; resume it first",
		    kind_table[o->kind].kind, s0(o->namespace), s0(o->name));
	return 0;
}

char *flux_reconcile_patch(const char *requested_at)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *ann = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(root, "metadata"), "annotations");

	cJSON_AddStringToObject(ann, ANN_REQUESTED_AT, s0(requested_at));
	return json_print_free(root, 0);
}

char *flux_suspend_patch(int suspend)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddBoolToObject(cJSON_AddObjectToObject(root, "spec"), "suspend",
			      suspend != 0);
	return json_print_free(root, 0);
}

/* ---- controllers -------------------------------------------------------- */

static const char *const controller_names[] = {
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
};

int flux_is_controller(const cJSON *deployment)
{
	const cJSON *meta = json_get(deployment, "metadata");
	const char *part_of =
	    json_str(json_get(meta, "labels"), LABEL_PART_OF);
	const char *name = json_str(meta, "name");
	size_t i;

	if (part_of && strcmp(part_of, "flux") == 0)
		return 1;
	if (!name)
		return 0;
	for (i = 0; i < sizeof(controller_names) / sizeof(controller_names[0]);
	     i++)
		if (strcmp(name, controller_names[i]) == 0)
			return 1;
	return 0;
}

/* "reg:5000/a/b:tag@sha256:..." into repo, tag and digest. */
static void split_image(struct flux_controller *c)
{
	const char *img = c->image;
	const char *at = strchr(img, '@');
	const char *end = at ? at : img + strlen(img);
	const char *slash = NULL, *colon = NULL, *p;

	for (p = img; p < end; p++)
		if (*p == '/')
			slash = p;
	for (p = slash ? slash : img; p < end; p++)
		if (*p == ':')
			colon = p;
	c->digest = xstrdup(at ? at + 1 : "");
	if (colon) {
		c->repo = xstrndup(img, (size_t)(colon - img));
		c->tag = xstrndup(colon + 1, (size_t)(end - colon - 1));
	} else {
		c->repo = xstrndup(img, (size_t)(end - img));
		c->tag = xstrdup("");
	}
}

int flux_controller_from_json(struct flux_controller *out,
			      const cJSON *deployment, struct err *e)
{
	const cJSON *meta, *spec, *status, *it, *containers;
	const char *name, *part_of;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(deployment))
		return err_set(e, ERR_PARSE,
			       "Deployment is not a JSON object");
	meta = json_get(deployment, "metadata");
	name = json_str(meta, "name");
	if (!name || !name[0])
		return err_set(e, ERR_PARSE,
			       "Deployment has no metadata.name");
	spec = json_get(deployment, "spec");
	status = json_get(deployment, "status");
	out->namespace = json_dup(meta, "namespace", "");
	out->name = xstrdup(name);
	part_of = json_str(json_get(meta, "labels"), LABEL_PART_OF);
	out->labeled = part_of && strcmp(part_of, "flux") == 0;
	out->desired = (int)json_num(spec, "replicas", 1);
	out->ready = (int)json_num(status, "readyReplicas", 0);
	out->available_replicas =
	    (int)json_num(status, "availableReplicas", 0);
	cJSON_ArrayForEach(it, json_get(status, "conditions"))
	{
		const char *type = json_str(it, "type");

		if (!type || strcmp(type, "Available") != 0 ||
		    out->available_status)
			continue;
		out->available_status = json_dup(it, "status", "");
		out->available_reason = json_dup(it, "reason", "");
		out->available_message = json_dup(it, "message", "");
	}
	if (!out->available_status) {
		out->available_status = xstrdup("");
		out->available_reason = xstrdup("");
		out->available_message = xstrdup("");
	}
	out->available = strcmp(out->available_status, "True") == 0;
	containers = json_get(json_get(json_get(spec, "template"), "spec"),
			      "containers");
	out->image = json_dup(cJSON_IsArray(containers)
				  ? cJSON_GetArrayItem(containers, 0)
				  : NULL,
			      "image", "");
	split_image(out);
	return 0;
}

static int controller_cmp(const void *a, const void *b)
{
	const struct flux_controller *x = a;
	const struct flux_controller *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->namespace, y->namespace);
}

int flux_controllers_from_list(const cJSON *list, struct flux_controller **out,
			       size_t *n, struct err *e)
{
	const cJSON *items = json_get(list, "items");
	const cJSON *it;
	struct flux_controller *v;
	size_t count, i = 0, pos = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(list))
		return err_set(e, ERR_PARSE,
			       "Deployment list is not a JSON object");
	if (!items || cJSON_IsNull(items))
		return 0;
	if (!cJSON_IsArray(items))
		return err_set(e, ERR_PARSE,
			       "Deployment list items is not an array");
	count = (size_t)cJSON_GetArraySize(items);
	v = xcalloc(count ? count : 1, sizeof(*v));
	cJSON_ArrayForEach(it, items)
	{
		pos++;
		if (!flux_is_controller(it))
			continue;
		rc = flux_controller_from_json(&v[i], it, e);
		if (rc != 0) {
			if (e)
				err_prefix(e, "Deployment item %zu", pos);
			flux_controllers_free(&v, i);
			return rc;
		}
		i++;
	}
	if (i == 0) {
		free(v);
		return 0;
	}
	qsort(v, i, sizeof(*v), controller_cmp);
	*out = v;
	*n = i;
	return 0;
}

int flux_controller_ok(const struct flux_controller *c)
{
	return c->available && c->ready >= c->desired;
}

void flux_controller_clear(struct flux_controller *c)
{
	if (!c)
		return;
	free(c->namespace);
	free(c->name);
	free(c->available_status);
	free(c->available_reason);
	free(c->available_message);
	free(c->image);
	free(c->repo);
	free(c->tag);
	free(c->digest);
	memset(c, 0, sizeof(*c));
}

void flux_controllers_free(struct flux_controller **v, size_t n)
{
	size_t i;

	if (!v || !*v)
		return;
	for (i = 0; i < n; i++)
		flux_controller_clear(&(*v)[i]);
	free(*v);
	*v = NULL;
}

/* ---- summary, order, filter -------------------------------------------- */

void flux_summarize(const struct flux_controller *c, size_t nc,
		    const struct flux_object *v, size_t n,
		    struct flux_summary *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nc; i++) {
		out->controllers++;
		if (flux_controller_ok(&c[i]))
			out->controllers_ok++;
	}
	for (i = 0; i < n; i++) {
		int ready = v[i].state == FLUX_STATE_READY;

		if (kind_table[v[i].kind].is_source) {
			out->sources++;
			out->sources_ready += (size_t)ready;
		} else if (v[i].kind == FLUX_KUSTOMIZATION) {
			out->kustomizations++;
			out->kustomizations_ready += (size_t)ready;
		} else {
			out->helmreleases++;
			out->helmreleases_ready += (size_t)ready;
		}
		if (v[i].suspended)
			out->suspended++;
		if (flux_state_is_failed(v[i].state))
			out->failed++;
		else if (v[i].state == FLUX_STATE_WAITING)
			out->waiting++;
		else if (v[i].state == FLUX_STATE_PROGRESSING)
			out->progressing++;
	}
}

char *flux_summary_text(const struct flux_summary *s, int ascii)
{
	const char *sep = ascii ? " - " : " " MIDDOT " ";
	char hr[96] = "", susp[48] = "";

	if (s->helmreleases)
		snprintf(hr, sizeof(hr), "%shelmreleases %zu/%zu Ready", sep,
			 s->helmreleases_ready, s->helmreleases);
	if (s->suspended)
		snprintf(susp, sizeof(susp), "%s%zu suspended", sep,
			 s->suspended);
	return xasprintf("sources %zu/%zu Ready%skustomizations %zu/%zu "
			 "Ready%s%s",
			 s->sources_ready, s->sources, sep,
			 s->kustomizations_ready, s->kustomizations, hr, susp);
}

static int state_rank(enum flux_state s)
{
	if (flux_state_is_failed(s))
		return 0;
	if (s == FLUX_STATE_WAITING)
		return 1;
	return 2;
}

int flux_compare(const struct flux_object *a, const struct flux_object *b)
{
	int ra = state_rank(a->state), rb = state_rank(b->state);
	int c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	c = strcmp(s0(a->name), s0(b->name));
	if (c)
		return c;
	c = strcmp(s0(a->namespace), s0(b->namespace));
	if (c)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return 0;
}

static void merge_sort(struct flux_object *v, struct flux_object *tmp,
		       size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid);
	merge_sort(v + mid, tmp, n - mid);
	while (i < mid && j < n) {
		if (flux_compare(&v[j], &v[i]) < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

void flux_objects_sort(struct flux_object *v, size_t n)
{
	struct flux_object *tmp;

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	merge_sort(v, tmp, n);
	free(tmp);
}

int flux_matches(const struct flux_object *o, const char *filter)
{
	const char *fields[] = {
	    kind_table[o->kind].kind,
	    o->namespace,
	    o->name,
	    o->url,
	    o->ref_text,
	    o->revision,
	    flux_state_text(o->state),
	    o->ready_message,
	    o->path,
	    o->chart,
	    o->source_ref.name,
	};
	size_t i;

	if (!filter || !filter[0])
		return 1;
	if (o->suspended && eq_nocase(filter, "suspended"))
		return 1;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (text_contains_nocase(fields[i], filter))
			return 1;
	return 0;
}

/* ---- tree --------------------------------------------------------------- */

struct tree {
	char **lines;
	size_t n, cap;
	const struct flux_object *all;
	size_t nall;
	const struct flux_object *path[TREE_MAX_DEPTH + 1];
	size_t depth;
	int full; /* TREE_MAX_LINES reached */
};

static void tree_add(struct tree *t, char *line)
{
	t->lines = xgrow(t->lines, &t->cap, t->n + 1, sizeof(*t->lines));
	t->lines[t->n++] = line;
}

/* "Kind/ns/name  State[  suspended][  (N objects)]", terminal-safe. */
static char *node_label(const struct flux_object *o)
{
	char inv[96] = "";
	char *raw, *safe;

	if (o->inventory_is_snapshot)
		snprintf(inv, sizeof(inv), "  (%ld kind%s in %ld namespace%s)",
			 o->inventory_count,
			 o->inventory_count == 1 ? "" : "s",
			 o->inventory_namespaces,
			 o->inventory_namespaces == 1 ? "" : "s");
	else if (o->inventory_count >= 0)
		snprintf(inv, sizeof(inv), "  (%ld object%s)",
			 o->inventory_count,
			 o->inventory_count == 1 ? "" : "s");
	raw = xasprintf("%s/%s/%s  %s%s%s", kind_table[o->kind].kind,
			o->namespace, o->name, flux_state_text(o->state),
			o->suspended ? "  suspended" : "", inv);
	safe = text_safe(raw, -1, NULL);
	free(raw);
	return safe;
}

static int tree_on_path(const struct tree *t, const struct flux_object *o)
{
	size_t i;

	for (i = 0; i < t->depth; i++)
		if (t->path[i] == o)
			return 1;
	return 0;
}

static void tree_children(struct tree *t, const struct flux_object *o,
			  const char *prefix)
{
	int ascii = text_ascii();
	const char *tee = ascii ? "|- " : "\xe2\x94\x9c\xe2\x94\x80 ";
	const char *elbow = ascii ? "`- " : "\xe2\x94\x94\xe2\x94\x80 ";
	const char *bar = ascii ? "|  " : "\xe2\x94\x82  ";
	size_t i;

	for (i = 0; i < o->ndepends_on && !t->full; i++) {
		const struct flux_ref *r = &o->depends_on[i];
		const struct flux_object *d = flux_object_find(
		    t->all, t->nall, o->kind, r->namespace, r->name);
		int last = i + 1 == o->ndepends_on;
		const char *conn = last ? elbow : tee;
		char *label, *raw, *child_prefix;

		if (t->n >= TREE_MAX_LINES) {
			tree_add(t, xasprintf("%s%s", prefix,
					      ascii ? "..." : "\xe2\x80\xa6"));
			t->full = 1;
			break;
		}
		if (!d) {
			raw = xasprintf("%s/%s/%s  not found", r->kind,
					r->namespace, r->name);
			label = text_safe(raw, -1, NULL);
			free(raw);
			tree_add(t, xasprintf("%s%s%s", prefix, conn, label));
			free(label);
			continue;
		}
		label = node_label(d);
		if (tree_on_path(t, d)) {
			tree_add(t, xasprintf("%s%s%s  (cycle)", prefix, conn,
					      label));
			free(label);
			continue;
		}
		tree_add(t, xasprintf("%s%s%s", prefix, conn, label));
		free(label);
		if (t->depth >= TREE_MAX_DEPTH)
			continue;
		child_prefix = xasprintf("%s%s", prefix, last ? "   " : bar);
		t->path[t->depth++] = d;
		tree_children(t, d, child_prefix);
		t->depth--;
		free(child_prefix);
	}
}

size_t flux_tree_lines(const struct flux_object *root,
		       const struct flux_object *all, size_t n, char ***lines)
{
	struct tree t;
	const struct flux_object *self;

	memset(&t, 0, sizeof(t));
	t.all = all;
	t.nall = n;
	tree_add(&t, node_label(root));
	self =
	    flux_object_find(all, n, root->kind, root->namespace, root->name);
	t.path[t.depth++] = self ? self : root;
	tree_children(&t, root, "");
	*lines = t.lines;
	return t.n;
}

void flux_lines_free(char ***lines, size_t n)
{
	size_t i;

	if (!lines || !*lines)
		return;
	for (i = 0; i < n; i++)
		free((*lines)[i]);
	free(*lines);
	*lines = NULL;
}
