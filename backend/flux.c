/* flux.c - Flux objects from JSON: states, revisions, reconcile requests,
 * summaries, order and filter. Not kinds, dependsOn or controllers. */
#include "flux.h"

#include <stdlib.h>
#include <string.h>

#include "flux_int.h"
#include "json.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#define ANN_REQUESTED_AT "reconcile.fluxcd.io/requestedAt"
#define REASON_DEP	 "DependencyNotReady"
#define MSG_WAITING	 "waiting to be reconciled"
#define MIDDOT		 "\xc2\xb7"
#define SHORT_DIGEST_LEN 8

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

int flux_generation_behind(const struct flux_object *o)
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
	if (cond_is(o, "Reconciling", "True") || flux_generation_behind(o))
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
		parse_ref(&o->depends_on[i++], it,
			  flux_kind_get(o->kind)->kind, o->namespace);
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
	if (o->block) {
		/* A copy: everything is in the one block (or the pool). */
		free(o->block);
		memset(o, 0, sizeof(*o));
		return;
	}
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
	if (!ready || flux_generation_behind(o) ||
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
		return err_set(e, ERR_USAGE,
			       "%s %s/%s is suspended; resume it first",
			       flux_kind_get(o->kind)->kind, s0(o->namespace),
			       s0(o->name));
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

		if (flux_kind_get(v[i].kind)->is_source) {
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
	    flux_kind_get(o->kind)->kind,
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
	if (o->suspended && flux_eq_nocase(filter, "suspended"))
		return 1;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (text_contains_nocase(fields[i], filter))
			return 1;
	return 0;
}
