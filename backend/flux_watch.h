/* flux_watch.h - Flux in the cluster, kept current: discovery of which Flux
 * kinds are served and at which version (v1, then v1beta2, then v1beta1),
 * an informer per installed kind (holding the models, parsed once) and
 * one on the controllers' Deployments. Knows no drawing; turns nothing
 * into rows (see flux.h for the model). */
#ifndef JD_FLUX_WATCH_H
#define JD_FLUX_WATCH_H

#include <stddef.h>

#include "err.h"
#include "flux.h"
#include "kube.h"

struct flux_watch;

struct flux_watch_ops {
	/* Something changed: discovery finished, an object changed, an
	 * informer's health changed. Called from the loop. */
	void (*on_change)(struct flux_watch *w, void *ud);
};

/* While no Flux group is served, discovery runs again this often. */
#define FLUX_WATCH_REDISCOVER_MS 30000L

/* Start discovery, then the informers. ns is where the controllers run
 * (NULL: "flux-system"). The watch keeps going until stopped; discovery is
 * retried with backoff when it fails. */
struct flux_watch *flux_watch_start(struct kube_client *c, const char *ns,
				    const struct flux_watch_ops *ops,
				    void *ud);
void flux_watch_stop(struct flux_watch **w);

/* Discovery finished and every informer has listed once or failed. */
int flux_watch_settled(const struct flux_watch *w);
/* Discovery has succeeded once: which kinds are served is known. Until
 * then nothing about Flux can be read. */
int flux_watch_discovered(const struct flux_watch *w);
/* No Flux group is served (discovery succeeded, found nothing). */
int flux_watch_not_installed(const struct flux_watch *w);
/* The served version of a kind ("v1", "v1beta1", ...), NULL when that
 * kind is not installed or discovery has not finished. */
const char *flux_watch_version(const struct flux_watch *w,
			       enum flux_kind kind);
/* Problems, one sentence each, newest state: discovery failures and each
 * informer's current error ("gitrepositories: <sentence>"). Valid until
 * the next return to the loop. */
size_t flux_watch_problems(const struct flux_watch *w, const char ***msgs);

/* Snapshots of the current state as models (caller frees with
 * flux_objects_free / flux_controllers_free). */
void flux_watch_objects(const struct flux_watch *w, struct flux_object **v,
			size_t *n);
/* The same without copying a string: *v is a new array (free it with
 * free(), not flux_objects_free) of shallow copies of the models the
 * informers hold, valid until the next return to the loop. */
void flux_watch_objects_view(const struct flux_watch *w,
			     struct flux_object **v, size_t *n);
void flux_watch_controllers(const struct flux_watch *w,
			    struct flux_controller **v, size_t *n);
/* What a Kustomization applied, as the server sent it: {"status":
 * {"inventory":...}} (or "snapshot", v1beta1); the models keep no more
 * of the object. Borrowed until the next call or flux_watch_stop; NULL
 * when the object is absent, not a Kustomization, or has neither. */
const cJSON *flux_watch_find(struct flux_watch *w, enum flux_kind kind,
			     const char *ns, const char *name);
/* What the models leave out, for their readers (inventories): per
 * object of a kind, {"metadata":{"namespace","name"},"status":
 * {"inventory"|"snapshot"}} as the server sent them, kept for
 * Kustomizations only (NULL for others and for one with neither).
 * Borrowed: valid until the next return to the loop; 0 and NULL when
 * that kind is not watched. */
size_t flux_watch_count(struct flux_watch *w, enum flux_kind kind);
const cJSON *flux_watch_item(struct flux_watch *w, enum flux_kind kind,
			     size_t i);
/* The last reconciliations of each Kustomization seen while watching
 * (flux_history.h), fed by every change the informer applies. Borrowed
 * until flux_watch_stop; NULL for a NULL watch. */
struct flux_history;
const struct flux_history *flux_watch_history(const struct flux_watch *w);
/* The controllers' namespace. */
const char *flux_watch_namespace(const struct flux_watch *w);
/* Reconnect everything now (the operator pressed refresh). */
void flux_watch_retry_now(struct flux_watch *w);

#endif
