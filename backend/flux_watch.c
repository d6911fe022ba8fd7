/* flux_watch.c - Flux in the cluster, kept current: per-kind discovery
 * (flux_discover), then one informer per served kind at the version the
 * cluster serves it, and one on the Deployments of the controllers'
 * namespace; sentences for whatever fails, never "not installed" for a
 * 403. */
#include "flux_watch.h"
#include "json.h"
#include "flux_discover.h"
#include "flux_history.h"
#include "http.h"
#include "informer.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PROBLEMS (FLUX_KIND_COUNT + 4)

/* What each kind's informer is told it serves (its ud). */
struct kind_ud {
	struct flux_watch *w;
	enum flux_kind kind;
};

/* What a kind's informer holds per object: the model, and for a
 * Kustomization what it applied (status.inventory, v1beta1's
 * status.snapshot) as compact JSON text, read by flux_watch_find. */
struct kind_item {
	struct flux_object o; /* first: the item is also the model */
	char *applied;	      /* {"status":{...}} or NULL */
};

struct flux_watch {
	struct kube_client *c;
	struct loop *loop;
	struct flux_watch_ops ops;
	void *ud;
	char *ns;
	struct flux_discovery *disc;
	int discovered;
	int installed;
	int failures;
	unsigned timer;
	const char *version[FLUX_KIND_COUNT]; /* NULL: not served */
	struct informer *inf[FLUX_KIND_COUNT]; /* of struct flux_object */
	struct kind_ud kud[FLUX_KIND_COUNT];
	struct informer *deploy;
	struct err discovery_err;
	int has_discovery_err;
	char problem_buf[MAX_PROBLEMS][600];
	const char *problems[MAX_PROBLEMS];
	cJSON *found; /* flux_watch_find's last answer */
	/* flux_watch_item's parsed texts, per kind, as of cache_gen */
	cJSON **cache[FLUX_KIND_COUNT];
	size_t ncache[FLUX_KIND_COUNT];
	unsigned long long cache_gen[FLUX_KIND_COUNT];
	struct flux_history *history; /* of the Kustomizations */
};

static void start_discovery(struct flux_watch *w);

static void changed(struct flux_watch *w)
{
	if (w->ops.on_change)
		w->ops.on_change(w, w->ud);
}

static void inf_change(struct informer *inf, void *ud)
{
	(void)inf;
	changed(ud);
}

static void inf_status(struct informer *inf, const struct err *e,
		       long retry_ms, void *ud)
{
	(void)inf;
	(void)e;
	(void)retry_ms;
	changed(ud);
}

static const struct informer_ops inf_ops = {
	.on_change = inf_change,
	.on_status = inf_status,
};

/* The Flux kinds' informers keep models, parsed once per version. */
static void kind_change(struct informer *inf, void *ud)
{
	(void)inf;
	changed(((struct kind_ud *)ud)->w);
}

static void kind_status(struct informer *inf, const struct err *e,
			long retry_ms, void *ud)
{
	(void)inf;
	(void)e;
	(void)retry_ms;
	changed(((struct kind_ud *)ud)->w);
}

/* A Kustomization's metadata.namespace and .name, status.inventory and
 * status.snapshot alone, as compact text; NULL when it has neither. */
static char *applied_text(const cJSON *obj)
{
	const cJSON *st = json_get(obj, "status");
	const cJSON *inv = json_get(st, "inventory");
	const cJSON *snap = json_get(st, "snapshot");
	const char *ns = json_path_str(obj, "metadata.namespace");
	const char *name = json_path_str(obj, "metadata.name");
	cJSON *keep, *to, *meta;
	char *text;

	if (!inv && !snap)
		return NULL;
	keep = cJSON_CreateObject();
	meta = cJSON_AddObjectToObject(keep, "metadata");
	cJSON_AddStringToObject(meta, "namespace", ns ? ns : "");
	cJSON_AddStringToObject(meta, "name", name ? name : "");
	to = cJSON_AddObjectToObject(keep, "status");
	if (inv)
		cJSON_AddItemToObject(to, "inventory",
				      cJSON_Duplicate(inv, 1));
	if (snap)
		cJSON_AddItemToObject(to, "snapshot",
				      cJSON_Duplicate(snap, 1));
	text = cJSON_PrintUnformatted(keep);
	cJSON_Delete(keep);
	return text;
}

static void *kind_parse(const cJSON *obj, void *ud)
{
	enum flux_kind kind = ((struct kind_ud *)ud)->kind;
	struct flux_object parsed;
	struct kind_item *it;

	memset(&parsed, 0, sizeof(parsed));
	if (flux_object_from_json(&parsed, kind, obj, NULL) < 0)
		return NULL;
	/* Kept packed: one block, repeated strings pooled. */
	it = xcalloc(1, sizeof(*it));
	flux_object_copy(&it->o, &parsed);
	flux_object_clear(&parsed);
	if (kind == FLUX_KUSTOMIZATION)
		it->applied = applied_text(obj);
	return it;
}

static void kind_free(void *item, void *ud)
{
	struct kind_item *it = item;

	(void)ud;
	flux_object_clear(&it->o);
	cJSON_free(it->applied);
	free(it);
}

static void kind_key(const void *item, const char **ns, const char **name)
{
	const struct flux_object *o = item;

	*ns = o->namespace;
	*name = o->name;
}

/* Each new status of a Kustomization may end a reconciliation. */
static void kind_item(struct informer *inf, const void *old,
		      const void *item, void *ud)
{
	const struct kind_ud *k = ud;
	const struct flux_object *o = item ? item : old;

	(void)inf;
	if (k->kind != FLUX_KUSTOMIZATION || !o)
		return;
	if (item)
		flux_history_observe(k->w->history, o, time(NULL));
	else
		flux_history_forget(k->w->history, o->namespace, o->name);
}

static const struct informer_ops kind_ops = {
	.on_change = kind_change,
	.on_status = kind_status,
	.parse = kind_parse,
	.free_item = kind_free,
	.key = kind_key,
	.on_item = kind_item,
};

static void start_informers(struct flux_watch *w)
{
	char path[512];
	int k;

	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const struct flux_kind_info *ki = flux_kind_get(k);

		if (!w->version[k] || w->inf[k])
			continue;
		snprintf(path, sizeof(path), "/apis/%s/%s/%s", ki->group,
			 w->version[k], ki->plural);
		w->kud[k].w = w;
		w->kud[k].kind = k;
		w->inf[k] = informer_start(w->c, path, &kind_ops, &w->kud[k]);
	}
	snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/deployments",
		 w->ns);
	if (!w->deploy)
		w->deploy = informer_start(w->c, path, &inf_ops, w);
	w->discovered = 1;
	changed(w);
}

static void on_retry(void *ud)
{
	struct flux_watch *w = ud;

	w->timer = 0;
	start_discovery(w);
}

static void on_discovered(const char *const *versions, int installed,
			  const struct err *e, void *ud)
{
	struct flux_watch *w = ud;
	long ms;
	int k;

	w->disc = NULL;
	if (!versions) {
		ms = http_backoff_ms(w->failures++, 1000, 30000);
		w->discovery_err = *e;
		w->has_discovery_err = 1;
		w->timer = loop_timer_add(w->loop, ms, on_retry, w);
		changed(w);
		return;
	}
	w->failures = 0;
	w->has_discovery_err = 0;
	w->installed = installed;
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		w->version[k] = versions[k];
	start_informers(w);
	/* Not installed (yet): look again now and then, so that a Flux
	 * installed meanwhile (bootstrap-flux, someone else) shows up;
	 * flux_watch_retry_now looks at once. */
	if (!installed && !w->timer)
		w->timer = loop_timer_add(w->loop, FLUX_WATCH_REDISCOVER_MS,
					  on_retry, w);
}

static void start_discovery(struct flux_watch *w)
{
	w->disc = flux_discover_start(w->c, on_discovered, w);
}

struct flux_watch *flux_watch_start(struct kube_client *c, const char *ns,
				    const struct flux_watch_ops *ops,
				    void *ud)
{
	struct flux_watch *w = xcalloc(1, sizeof(*w));

	w->c = c;
	w->loop = kube_client_loop(c);
	if (ops)
		w->ops = *ops;
	w->ud = ud;
	w->ns = xstrdup(ns ? ns : "flux-system");
	w->history = flux_history_new();
	start_discovery(w);
	return w;
}

void flux_watch_stop(struct flux_watch **wp)
{
	struct flux_watch *w = wp ? *wp : NULL;
	int k;

	if (!w)
		return;
	flux_discover_cancel(&w->disc);
	loop_timer_cancel(w->loop, w->timer);
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		informer_stop(&w->inf[k]);
	informer_stop(&w->deploy);
	cJSON_Delete(w->found);
	flux_history_free(&w->history);
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		size_t i;

		for (i = 0; i < w->ncache[k]; i++)
			cJSON_Delete(w->cache[k][i]);
		free(w->cache[k]);
	}
	free(w->ns);
	free(w);
	*wp = NULL;
}

int flux_watch_settled(const struct flux_watch *w)
{
	int k;

	if (!w->discovered)
		return w->has_discovery_err;
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		if (w->inf[k] && !informer_synced(w->inf[k]) &&
		    !informer_error(w->inf[k]))
			return 0;
	if (w->deploy && !informer_synced(w->deploy) &&
	    !informer_error(w->deploy))
		return 0;
	return 1;
}

int flux_watch_discovered(const struct flux_watch *w)
{
	return w->discovered;
}

int flux_watch_not_installed(const struct flux_watch *w)
{
	return w->discovered && !w->installed;
}

const char *flux_watch_version(const struct flux_watch *w,
			       enum flux_kind kind)
{
	if (kind >= FLUX_KIND_COUNT)
		return NULL;
	return w->version[kind];
}

size_t flux_watch_problems(const struct flux_watch *w, const char ***msgs)
{
	struct flux_watch *m = (struct flux_watch *)(uintptr_t)w;
	size_t n = 0;
	int k;

	if (w->has_discovery_err) {
		snprintf(m->problem_buf[n], sizeof(m->problem_buf[n]), "%s",
			 w->discovery_err.msg);
		m->problems[n] = m->problem_buf[n];
		n++;
	}
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const struct err *e = w->inf[k] ? informer_error(w->inf[k])
						: NULL;

		if (!e)
			continue;
		snprintf(m->problem_buf[n], sizeof(m->problem_buf[n]),
			 "%s: %s", flux_kind_get(k)->plural, e->msg);
		m->problems[n] = m->problem_buf[n];
		n++;
	}
	if (w->deploy && informer_error(w->deploy)) {
		snprintf(m->problem_buf[n], sizeof(m->problem_buf[n]),
			 "controllers: %s", informer_error(w->deploy)->msg);
		m->problems[n] = m->problem_buf[n];
		n++;
	}
	*msgs = m->problems;
	return n;
}

/* Every object of every kind: deep copies (deep 1) or the models
 * themselves, shallow. */
static void objects(const struct flux_watch *w, struct flux_object **v,
		    size_t *n, int deep)
{
	size_t total = 0, i;
	int k;

	*v = NULL;
	*n = 0;
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		total += w->inf[k] ? informer_count(w->inf[k]) : 0;
	if (!total)
		return;
	*v = xcalloc(total, sizeof(**v));
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		struct informer *inf = w->inf[k];

		for (i = 0; inf && i < informer_count(inf); i++) {
			const struct flux_object *o = informer_item(inf, i);

			if (deep)
				flux_object_copy(&(*v)[(*n)++], o);
			else
				(*v)[(*n)++] = *o;
		}
	}
}

void flux_watch_objects(const struct flux_watch *w, struct flux_object **v,
			size_t *n)
{
	objects(w, v, n, 1);
}

void flux_watch_objects_view(const struct flux_watch *w,
			     struct flux_object **v, size_t *n)
{
	objects(w, v, n, 0);
}

void flux_watch_controllers(const struct flux_watch *w,
			    struct flux_controller **v, size_t *n)
{
	size_t cap = 0, i;

	*v = NULL;
	*n = 0;
	if (!w->deploy)
		return;
	for (i = 0; i < informer_count(w->deploy); i++) {
		const cJSON *d = informer_item(w->deploy, i);

		if (!flux_is_controller(d))
			continue;
		*v = xgrow(*v, &cap, *n + 1, sizeof(**v));
		memset(&(*v)[*n], 0, sizeof(**v));
		if (flux_controller_from_json(&(*v)[*n], d, NULL) == 0)
			(*n)++;
	}
}

/* The text of every item of a kind, parsed once per change of its
 * informer, for readers of what the models leave out. */
static void cache_check(struct flux_watch *w, enum flux_kind kind)
{
	unsigned long long gen = informer_gen(w->inf[kind]);
	size_t i;

	if (w->cache[kind] && w->cache_gen[kind] == gen)
		return;
	for (i = 0; i < w->ncache[kind]; i++)
		cJSON_Delete(w->cache[kind][i]);
	free(w->cache[kind]);
	w->ncache[kind] = informer_count(w->inf[kind]);
	w->cache[kind] = xcalloc(w->ncache[kind] + 1, sizeof(cJSON *));
	w->cache_gen[kind] = gen;
}

size_t flux_watch_count(struct flux_watch *w, enum flux_kind kind)
{
	if (!w || (unsigned)kind >= FLUX_KIND_COUNT || !w->inf[kind])
		return 0;
	cache_check(w, kind);
	return w->ncache[kind];
}

const cJSON *flux_watch_item(struct flux_watch *w, enum flux_kind kind,
			     size_t i)
{
	const struct kind_item *it;

	if (!w || (unsigned)kind >= FLUX_KIND_COUNT || !w->inf[kind])
		return NULL;
	cache_check(w, kind);
	if (i >= w->ncache[kind])
		return NULL;
	it = informer_item(w->inf[kind], i);
	if (!w->cache[kind][i] && it && it->applied)
		w->cache[kind][i] = cJSON_Parse(it->applied);
	return w->cache[kind][i];
}

const cJSON *flux_watch_find(struct flux_watch *w, enum flux_kind kind,
			     const char *ns, const char *name)
{
	const struct kind_item *it;

	cJSON_Delete(w->found);
	w->found = NULL;
	if (kind >= FLUX_KIND_COUNT || !w->inf[kind])
		return NULL;
	it = informer_find(w->inf[kind], ns, name);
	if (it && it->applied)
		w->found = cJSON_Parse(it->applied);
	return w->found;
}

const struct flux_history *flux_watch_history(const struct flux_watch *w)
{
	return w ? w->history : NULL;
}

const char *flux_watch_namespace(const struct flux_watch *w)
{
	return w->ns;
}

void flux_watch_retry_now(struct flux_watch *w)
{
	int k;

	if (w->timer) {
		loop_timer_cancel(w->loop, w->timer);
		w->timer = 0;
		w->failures = 0;
		start_discovery(w);
	}
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		if (w->inf[k])
			informer_retry_now(w->inf[k]);
	if (w->deploy)
		informer_retry_now(w->deploy);
}
