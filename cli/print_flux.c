/* print_flux.c - `jumpdeck flux`: the JSON document and the flux-get-like
 * tables of controllers, sources and kustomizations. Not the model. */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"

static const char *s0(const char *s)
{
	return s ? s : "";
}

/* ---- JSON --------------------------------------------------------------- */

static void add_str(cJSON *obj, const char *key, const char *val)
{
	cJSON_AddStringToObject(obj, key, s0(val));
}

static void add_time(cJSON *obj, const char *key, time_t t)
{
	char buf[TIMEFMT_RFC3339_LEN];

	add_str(obj, key, t ? timefmt_rfc3339(t, buf, sizeof(buf)) : "");
}

static cJSON *controller_json(const struct flux_controller *c)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "namespace", c->namespace);
	add_str(o, "name", c->name);
	cJSON_AddNumberToObject(o, "ready", c->ready);
	cJSON_AddNumberToObject(o, "desired", c->desired);
	cJSON_AddBoolToObject(o, "available", c->available != 0);
	cJSON_AddNumberToObject(o, "availableReplicas", c->available_replicas);
	add_str(o, "image", c->image);
	add_str(o, "tag", c->tag);
	add_str(o, "digest", c->digest);
	cJSON_AddBoolToObject(o, "labeled", c->labeled != 0);
	add_str(o, "message", c->available_message);
	return o;
}

/* What every Flux object's document starts with: kind, apiVersion,
 * namespace and name. */
static cJSON *object_json(const struct flux_object *o)
{
	cJSON *j = cJSON_CreateObject();

	add_str(j, "kind", flux_kind_get(o->kind)->kind);
	add_str(j, "apiVersion", o->api_version);
	add_str(j, "namespace", o->namespace);
	add_str(j, "name", o->name);
	return j;
}

static cJSON *source_json(const struct flux_object *o)
{
	cJSON *j = object_json(o);

	add_str(j, "url", o->url);
	add_str(j, "ref", o->ref_text);
	cJSON_AddBoolToObject(j, "ready",
			      strcmp(s0(o->ready_status), "True") == 0);
	add_str(j, "state", flux_state_text(o->state));
	add_str(j, "revision", o->revision);
	add_str(j, "sha", o->sha);
	cJSON_AddBoolToObject(j, "suspended", o->suspended != 0);
	add_time(j, "lastUpdate", o->last_update);
	add_str(j, "message", flux_object_message(o));
	return j;
}

static const char *dep_status_name(enum flux_dep_status s)
{
	switch (s) {
	case FLUX_DEP_NOT_READY:
		return "notReady";
	case FLUX_DEP_MISSING:
		return "missing";
	case FLUX_DEP_CYCLE:
		return "cycle";
	case FLUX_DEP_OK:
		break;
	}
	return "ok";
}

static cJSON *dep_root_json(const struct flux_object *o,
			    struct flux_dep_index *x)
{
	struct flux_dep_root r;
	cJSON *j;
	char *msg;

	if (flux_dep_index_root(x, o, &r) == FLUX_DEP_OK)
		return cJSON_CreateNull();
	j = cJSON_CreateObject();
	add_str(j, "status", dep_status_name(r.status));
	add_str(j, "kind", r.ref->kind);
	add_str(j, "namespace",
		r.object ? r.object->namespace : r.ref->namespace);
	add_str(j, "name", r.object ? r.object->name : r.ref->name);
	msg = flux_dependency_text(&r);
	add_str(j, "message", msg);
	free(msg);
	return j;
}

static cJSON *kustomization_json(const struct flux_object *o,
				 struct flux_dep_index *x)
{
	cJSON *j = object_json(o);
	cJSON *deps;
	char ref[512];
	size_t i;

	add_str(j, "source",
		flux_ref_text(&o->source_ref, NULL, ref, sizeof(ref)));
	add_str(j, "path", o->kind == FLUX_HELM_RELEASE ? o->chart : o->path);
	cJSON_AddBoolToObject(j, "ready",
			      strcmp(s0(o->ready_status), "True") == 0);
	add_str(j, "state", flux_state_text(o->state));
	add_str(j, "appliedRevision", o->revision);
	add_str(j, "attemptedRevision", o->attempted_revision);
	cJSON_AddBoolToObject(j, "suspended", o->suspended != 0);
	add_str(j, "interval", o->interval);
	add_time(j, "lastReconcile", o->last_update);
	add_str(j, "message", flux_object_message(o));
	if (o->inventory_count >= 0)
		cJSON_AddNumberToObject(j, "inventory",
					(double)o->inventory_count);
	else
		cJSON_AddNullToObject(j, "inventory");
	deps = cJSON_AddArrayToObject(j, "dependsOn");
	for (i = 0; i < o->ndepends_on; i++) {
		snprintf(ref, sizeof(ref), "%s/%s", o->depends_on[i].namespace,
			 o->depends_on[i].name);
		cJSON_AddItemToArray(deps, cJSON_CreateString(ref));
	}
	cJSON_AddItemToObject(j, "dependencyRoot", dep_root_json(o, x));
	return j;
}

char *flux_to_json(const struct flux_controller *c, size_t nc,
		   const struct flux_object *v, size_t n,
		   const struct flux_summary *s)
{
	struct flux_summary own;
	cJSON *root = cJSON_CreateObject();
	cJSON *ctl, *src, *ks, *sum;
	struct flux_dep_index *x;
	size_t i;

	if (!root)
		return NULL;
	x = flux_dep_index_new(v, n);
	if (!s) {
		flux_summarize(c, nc, v, n, &own);
		s = &own;
	}
	ctl = cJSON_AddArrayToObject(root, "controllers");
	for (i = 0; i < nc; i++)
		cJSON_AddItemToArray(ctl, controller_json(&c[i]));
	src = cJSON_AddArrayToObject(root, "sources");
	ks = cJSON_AddArrayToObject(root, "kustomizations");
	for (i = 0; i < n; i++) {
		if (flux_kind_get(v[i].kind)->is_source)
			cJSON_AddItemToArray(src, source_json(&v[i]));
		else
			cJSON_AddItemToArray(ks, kustomization_json(&v[i], x));
	}
	flux_dep_index_free(&x);
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "controllers", (double)s->controllers);
	cJSON_AddNumberToObject(sum, "controllersReady",
				(double)s->controllers_ok);
	cJSON_AddNumberToObject(sum, "sources", (double)s->sources);
	cJSON_AddNumberToObject(sum, "sourcesReady", (double)s->sources_ready);
	cJSON_AddNumberToObject(sum, "kustomizations",
				(double)s->kustomizations);
	cJSON_AddNumberToObject(sum, "kustomizationsReady",
				(double)s->kustomizations_ready);
	cJSON_AddNumberToObject(sum, "helmreleases", (double)s->helmreleases);
	cJSON_AddNumberToObject(sum, "helmreleasesReady",
				(double)s->helmreleases_ready);
	cJSON_AddNumberToObject(sum, "suspended", (double)s->suspended);
	cJSON_AddNumberToObject(sum, "failed", (double)s->failed);
	cJSON_AddNumberToObject(sum, "waiting", (double)s->waiting);
	cJSON_AddNumberToObject(sum, "progressing", (double)s->progressing);
	return json_print_free(root, 1);
}

/* ---- tables ------------------------------------------------------------- */

static void set_cell(struct table_cell *c, const char *s)
{
	table_cell_set(c, s, "-");
}

static int in_table(enum flux_table which, const struct flux_object *o)
{
	int src = flux_kind_get(o->kind)->is_source;

	return which == FLUX_TABLE_SOURCES ? src : !src;
}

static const char *const source_cols[] = {
    "NAMESPACE", "NAME",  "URL",   "REF",     "REVISION",
    "SUSPENDED", "READY", "STATE", "UPDATED", "MESSAGE",
};

static const char *const ks_cols[] = {
    "NAMESPACE", "NAME",  "SOURCE", "PATH",	"REVISION",   "ATTEMPTED",
    "SUSPENDED", "READY", "STATE",  "INTERVAL", "RECONCILED", "MESSAGE",
};

/* The message column; a new string. */
static char *message_of(const struct flux_object *o, struct flux_dep_index *x)
{
	struct flux_dep_root r;

	if (o->state == FLUX_STATE_WAITING && o->ndepends_on > 0 &&
	    flux_dep_index_root(x, o, &r) != FLUX_DEP_OK)
		return flux_dependency_text(&r);
	return xstrdup(flux_object_message(o));
}

static void fill_row(struct table_cell *row, enum flux_table which,
		     const struct flux_object *o, struct flux_dep_index *x,
		     int mixed, time_t now)
{
	char name[512], rev[FLUX_REVISION_SHORT_LEN];
	char att[FLUX_REVISION_SHORT_LEN], age[TIMEFMT_AGE_LEN];
	char src[512];
	char *msg = message_of(o, x);
	const char *ready = o->ready_status[0] ? o->ready_status : "Unknown";
	int c = 0;

	if (mixed)
		snprintf(name, sizeof(name), "%s/%s",
			 flux_kind_get(o->kind)->singular, o->name);
	else
		snprintf(name, sizeof(name), "%s", o->name);
	flux_revision_short(o->revision, rev, sizeof(rev));
	timefmt_age(o->last_update, now, age, sizeof(age));
	set_cell(&row[c++], o->namespace);
	set_cell(&row[c++], name);
	if (which == FLUX_TABLE_SOURCES) {
		set_cell(&row[c++], o->url);
		set_cell(&row[c++], o->ref_text);
		set_cell(&row[c++], rev);
		set_cell(&row[c++], o->suspended ? "True" : "False");
		set_cell(&row[c++], ready);
		set_cell(&row[c++], flux_state_text(o->state));
		set_cell(&row[c++], age);
	} else {
		flux_ref_text(&o->source_ref, o->namespace, src, sizeof(src));
		flux_revision_short(o->attempted_revision, att, sizeof(att));
		set_cell(&row[c++], src);
		set_cell(&row[c++],
			 o->kind == FLUX_HELM_RELEASE ? o->chart : o->path);
		set_cell(&row[c++], rev);
		set_cell(&row[c++], att);
		set_cell(&row[c++], o->suspended ? "True" : "False");
		set_cell(&row[c++], ready);
		set_cell(&row[c++], flux_state_text(o->state));
		set_cell(&row[c++], o->interval);
		set_cell(&row[c++], age);
	}
	set_cell(&row[c], msg);
	free(msg);
}

void flux_print_table(FILE *f, enum flux_table which,
		      const struct flux_object *v, size_t n, time_t now)
{
	const char *const *cols =
	    which == FLUX_TABLE_SOURCES ? source_cols : ks_cols;
	int ncols = which == FLUX_TABLE_SOURCES
			? (int)(sizeof(source_cols) / sizeof(source_cols[0]))
			: (int)(sizeof(ks_cols) / sizeof(ks_cols[0]));
	size_t i, rows = 1;
	int c, mixed = 0, first_kind = -1;
	struct table_cell *cells;
	struct flux_dep_index *x;

	for (i = 0; i < n; i++) {
		if (!in_table(which, &v[i]))
			continue;
		rows++;
		if (first_kind < 0)
			first_kind = (int)v[i].kind;
		else if ((int)v[i].kind != first_kind)
			mixed = 1;
	}
	cells = xcalloc(rows * (size_t)ncols, sizeof(*cells));
	for (c = 0; c < ncols; c++)
		set_cell(&cells[c], cols[c]);
	rows = 1;
	x = flux_dep_index_new(v, n);
	for (i = 0; i < n; i++) {
		if (!in_table(which, &v[i]))
			continue;
		fill_row(&cells[rows * (size_t)ncols], which, &v[i], x, mixed,
			 now);
		rows++;
	}
	flux_dep_index_free(&x);
	table_print(f, cells, rows, ncols);
	free(cells);
}

void flux_print_controllers(FILE *f, const struct flux_controller *c, size_t n)
{
	static const char *const cols[] = {
	    "NAMESPACE", "NAME", "READY",   "AVAILABLE",
	    "IMAGE",	 "TAG",	 "MESSAGE",
	};
	const int ncols = (int)(sizeof(cols) / sizeof(cols[0]));
	struct table_cell *cells =
	    xcalloc((n + 1) * (size_t)ncols, sizeof(*cells));
	size_t i;
	int k;

	for (k = 0; k < ncols; k++)
		set_cell(&cells[k], cols[k]);
	for (i = 0; i < n; i++) {
		struct table_cell *row = &cells[(i + 1) * (size_t)ncols];
		char ready[48], tag[256];

		snprintf(ready, sizeof(ready), "%d/%d", c[i].ready,
			 c[i].desired);
		set_cell(&row[0], c[i].namespace);
		set_cell(&row[1], c[i].name);
		set_cell(&row[2], ready);
		set_cell(&row[3], c[i].available_status[0]
				      ? c[i].available_status
				      : "Unknown");
		set_cell(&row[4], c[i].repo);
		/* "sha256:" and 12 hex digits are enough to tell */
		snprintf(tag, sizeof(tag), "%.19s",
			 c[i].tag[0] ? c[i].tag : c[i].digest);
		if (c[i].tag[0])
			snprintf(tag, sizeof(tag), "%s", c[i].tag);
		set_cell(&row[5], tag);
		set_cell(&row[6], c[i].available_message);
	}
	table_print(f, cells, n + 1, ncols);
	free(cells);
}
