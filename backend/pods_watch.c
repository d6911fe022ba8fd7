/* pods_watch.c - an informer on pods with pods_compact as its transform,
 * and the runs of an image over what it holds. */
#include "pods_watch.h"
#include "informer.h"
#include "xalloc.h"

#include <stdlib.h>

struct pods_watch {
	struct informer *inf;
	struct pods_watch_ops ops;
	void *ud;
};

static void on_change(struct informer *inf, void *ud)
{
	struct pods_watch *w = ud;

	(void)inf;
	if (w->ops.on_change)
		w->ops.on_change(w, w->ud);
}

static void on_status(struct informer *inf, const struct err *e, long retry_ms,
		      void *ud)
{
	(void)e;
	(void)retry_ms;
	on_change(inf, ud);
}

static void transform(cJSON *pod, void *ud)
{
	(void)ud;
	pods_compact(pod);
}

static const struct informer_ops ops = {
    .on_change = on_change,
    .on_status = on_status,
    .transform = transform,
};

struct pods_watch *pods_watch_start(struct kube_client *c,
				    const struct pods_watch_ops *o, void *ud)
{
	struct pods_watch *w = xcalloc(1, sizeof(*w));

	if (o)
		w->ops = *o;
	w->ud = ud;
	w->inf = informer_start(c, "/api/v1/pods", &ops, w);
	return w;
}

void pods_watch_stop(struct pods_watch **p)
{
	struct pods_watch *w = p ? *p : NULL;

	if (!w)
		return;
	informer_stop(&w->inf);
	free(w);
	*p = NULL;
}

int pods_watch_synced(const struct pods_watch *w)
{
	return w && informer_synced(w->inf);
}

const struct err *pods_watch_error(const struct pods_watch *w)
{
	return w ? informer_error(w->inf) : NULL;
}

size_t pods_watch_count(const struct pods_watch *w)
{
	return w ? informer_count(w->inf) : 0;
}

size_t pods_watch_runs(const struct pods_watch *w,
		       const struct pods_image *img,
		       const struct pods_inventory *inv, struct pod_run **out)
{
	size_t n = pods_watch_count(w), i, count;
	const cJSON **v;

	*out = NULL;
	if (!n)
		return 0;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = informer_item(w->inf, i);
	count = pods_runs(v, n, img, inv, out);
	free(v);
	return count;
}

void pods_watch_retry_now(struct pods_watch *w)
{
	if (w)
		informer_retry_now(w->inf);
}
