/* flux_watch.c - Flux in the cluster, kept current: per-kind discovery
 * (flux_discover), then one informer per served kind at the version the
 * cluster serves it, and one on the Deployments of the controllers'
 * namespace; sentences for whatever fails, never "not installed" for a
 * 403. */
#include "flux_watch.h"
#include "flux_discover.h"
#include "http.h"
#include "informer.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROBLEMS (FLUX_KIND_COUNT + 4)

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
	struct informer *inf[FLUX_KIND_COUNT];
	struct informer *deploy;
	struct err discovery_err;
	int has_discovery_err;
	char problem_buf[MAX_PROBLEMS][600];
	const char *problems[MAX_PROBLEMS];
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
		w->inf[k] = informer_start(w->c, path, &inf_ops, w);
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
		snprintf(m->problem_buf[n], sizeof(m->problem_buf[n]), "%s: %s",
			 flux_kind_get(k)->plural, e->msg);
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

void flux_watch_objects(const struct flux_watch *w, struct flux_object **v,
			size_t *n)
{
	size_t cap = 0, i;
	int k;

	*v = NULL;
	*n = 0;
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		struct informer *inf = w->inf[k];

		if (!inf)
			continue;
		for (i = 0; i < informer_count(inf); i++) {
			*v = xgrow(*v, &cap, *n + 1, sizeof(**v));
			memset(&(*v)[*n], 0, sizeof(**v));
			if (flux_object_from_json(&(*v)[*n], k,
						  informer_item(inf, i),
						  NULL) == 0)
				(*n)++;
		}
	}
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

size_t flux_watch_count(const struct flux_watch *w, enum flux_kind kind)
{
	if (!w || (unsigned)kind >= FLUX_KIND_COUNT || !w->inf[kind])
		return 0;
	return informer_count(w->inf[kind]);
}

const cJSON *flux_watch_item(const struct flux_watch *w, enum flux_kind kind,
			     size_t i)
{
	if (!w || (unsigned)kind >= FLUX_KIND_COUNT || !w->inf[kind])
		return NULL;
	return informer_item(w->inf[kind], i);
}

const cJSON *flux_watch_find(const struct flux_watch *w, enum flux_kind kind,
			     const char *ns, const char *name)
{
	if (kind >= FLUX_KIND_COUNT || !w->inf[kind])
		return NULL;
	return informer_find(w->inf[kind], ns, name);
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
