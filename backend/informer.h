/* informer.h - keeps a local copy of one kind of Kubernetes object: list,
 * then watch from the list's resourceVersion with bookmarks; relist on
 * 410 Gone; reconnect with bounded backoff. Like client-go's reflector. */
#ifndef JD_INFORMER_H
#define JD_INFORMER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"

struct informer;

struct informer_ops {
	/* The store changed (list replaced, or an event applied). */
	void (*on_change)(struct informer *inf, void *ud);
	/* Health: err NULL when synced and watching; otherwise the sentence
	 * and the delay before the next attempt (ms, 0 when none). */
	void (*on_status)(struct informer *inf, const struct err *err,
			  long retry_ms, void *ud);
	/* May be NULL. Called on every object (each list page's items as
	 * they arrive, each watch event's object) before it is stored; it
	 * may remove members to keep the store small. It must keep
	 * metadata.namespace, metadata.name and metadata.resourceVersion. */
	void (*transform)(cJSON *obj, void *ud);
};

/* list_path is a collection path ("/api/v1/nodes", possibly with a
 * labelSelector query). The informer starts at once. */
struct informer *informer_start(struct kube_client *c, const char *list_path,
				const struct informer_ops *ops, void *ud);
void informer_stop(struct informer **inf);

/* The objects, sorted by namespace/name. Borrowed: valid until the next
 * return to the loop. */
size_t informer_count(const struct informer *inf);
const cJSON *informer_item(const struct informer *inf, size_t i);
const cJSON *informer_find(const struct informer *inf, const char *ns,
			   const char *name);
/* Synced: a list has completed at least once. */
int informer_synced(const struct informer *inf);
/* The last error sentence, or NULL when healthy. */
const struct err *informer_error(const struct informer *inf);
/* Counters for tests and the activity pane. */
struct informer_stats {
	unsigned lists, watches, relists_410, events, reconnects;
};
const struct informer_stats *informer_stats(const struct informer *inf);
/* The longest wait between reconnection attempts, for every informer of
 * the process (the config's retry_max; default 30 s, at least 1 s). */
void informer_set_backoff_cap(long ms);
/* Forget the backoff and reconnect now (the operator pressed refresh). */
void informer_retry_now(struct informer *inf);

#endif
