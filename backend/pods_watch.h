/* pods_watch.h - the cluster's pods kept current and compact: one
 * informer on /api/v1/pods (paged list, then a watch) that stores each
 * pod reduced by pods_compact, for "where does this digest run". Not the
 * matching (pods.h) nor the Kustomizations (flux_watch.h). */
#ifndef JD_PODS_WATCH_H
#define JD_PODS_WATCH_H

#include <stddef.h>

#include "err.h"
#include "kube.h"
#include "pods.h"

struct pods_watch;

struct pods_watch_ops {
	/* Pods changed or the watch's health changed. */
	void (*on_change)(struct pods_watch *w, void *ud);
};

/* Starts at once; keeps going (reconnecting with backoff) until
 * stopped. c must outlive the watch. */
struct pods_watch *pods_watch_start(struct kube_client *c,
				    const struct pods_watch_ops *ops,
				    void *ud);
void pods_watch_stop(struct pods_watch **w);

/* A list has completed at least once. */
int pods_watch_synced(const struct pods_watch *w);
/* Why the pods cannot be read now ("pods is forbidden: ..."), or NULL. */
const struct err *pods_watch_error(const struct pods_watch *w);
size_t pods_watch_count(const struct pods_watch *w);

/* pods_runs() over the pods held now (see pods.h); *out is the
 * caller's. */
size_t pods_watch_runs(const struct pods_watch *w,
		       const struct pods_image *img,
		       const struct pods_inventory *inv, struct pod_run **out);

/* Reconnect now instead of waiting for the retry. */
void pods_watch_retry_now(struct pods_watch *w);

#endif
