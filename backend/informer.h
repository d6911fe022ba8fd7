/* informer.h - keeps a local copy of one kind of Kubernetes object: list
 * page by page, then watch from the list's resourceVersion with bookmarks;
 * relist on 410 Gone; reconnect with bounded backoff. Like client-go's
 * reflector and store. Holds models made by the owner's parse function
 * (or copies of the JSON objects); knows nothing of what they mean. */
#ifndef JD_INFORMER_H
#define JD_INFORMER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"

struct informer;

struct informer_ops {
	/* The store changed (a list page merged, a list ended, an event
	 * applied). Not called when a relist found nothing new. */
	void (*on_change)(struct informer *inf, void *ud);
	/* Health: err NULL when synced and watching; otherwise the sentence
	 * and the delay before the next attempt (ms, 0 when none). */
	void (*on_status)(struct informer *inf, const struct err *err,
			  long retry_ms, void *ud);
	/* May be NULL. Called on every object (each list page's items as
	 * they arrive, each watch event's object) before it is stored (JSON
	 * copies only, without parse); it
	 * may remove members to keep the store small. It must keep
	 * metadata.namespace, metadata.name and metadata.resourceVersion. */
	void (*transform)(cJSON *obj, void *ud);
	/* The model kept for one object (borrowed, freed after the call).
	 * NULL parse: a copy of the JSON object (a cJSON *) is kept. A
	 * parse that returns NULL leaves the object out (not a valid one).
	 * With parse, free_item and key are required. */
	void *(*parse)(const cJSON *obj, void *ud);
	void (*free_item)(void *item, void *ud);
	/* The item's namespace ("" when cluster-scoped) and name, pointing
	 * into the item. */
	void (*key)(const void *item, const char **ns, const char **name);
	/* May be NULL. One item is about to change: old is NULL when it is
	 * added, item NULL when it is removed; both valid during the call. */
	void (*on_item)(struct informer *inf, const void *old,
			const void *item, void *ud);
};

/* list_path is a collection path ("/api/v1/nodes", possibly with a
 * labelSelector query). The informer starts at once. */
struct informer *informer_start(struct kube_client *c, const char *list_path,
				const struct informer_ops *ops, void *ud);
/* An informer without a server, filled by informer_apply and
 * informer_replace (tests, and models built from other sources). */
struct informer *informer_new_local(const struct informer_ops *ops, void *ud);
void informer_stop(struct informer **inf);

/* Apply one watch event by hand: type ADDED, MODIFIED or DELETED; obj is
 * borrowed. Calls on_item and on_change like a real event. */
void informer_apply(struct informer *inf, const char *type, const cJSON *obj);
/* Add or replace the objects of a JSON array (one list page), removing
 * none. */
void informer_merge(struct informer *inf, const cJSON *items);
/* Replace the whole store by the objects of a JSON array, as a list
 * does (unchanged objects are kept, missing ones removed), and mark it
 * synced. */
void informer_replace(struct informer *inf, const cJSON *items);

/* The items, sorted by namespace/name: models from parse, or const
 * cJSON * without it. Borrowed: valid until the next return to the
 * loop. */
size_t informer_count(const struct informer *inf);
const void *informer_item(const struct informer *inf, size_t i);
const void *informer_find(const struct informer *inf, const char *ns,
			  const char *name);
/* Synced: a list has completed at least once. Before that the items
 * listed so far are there already. */
int informer_synced(const struct informer *inf);
/* While a list runs: the items it has handed over so far and how many
 * the server says there are in all (-1 when it did not say). Returns 1
 * while a list runs, else 0 (both set to the store's count). */
int informer_progress(const struct informer *inf, size_t *listed,
		      long *expected);
/* The last error sentence, or NULL when healthy. */
const struct err *informer_error(const struct informer *inf);

/* ---- following changes without looking at every item ------------------
 * Every item has an id, stable while it exists (an id is reused only
 * after its item is removed). Every change bumps the generation and is
 * journaled (a bounded ring), so that a view sorted its own way can
 * update just the rows that changed. */
unsigned informer_id(const struct informer *inf, size_t i);
/* The item with that id, or NULL when there is none now. */
const void *informer_by_id(const struct informer *inf, unsigned id);
/* Ids are below this bound (for arrays indexed by id). */
unsigned informer_id_bound(const struct informer *inf);
/* The id of the item with that key, or -1. */
long informer_find_id(const struct informer *inf, const char *ns,
		      const char *name);
/* The generation: every change bumps it. It starts at a number no other
 * informer of the process started at, so a view made from one store is
 * never taken for up to date with another. */
unsigned long long informer_gen(const struct informer *inf);
/* The ids of the items added, changed or removed after generation since
 * (oldest first; an id may repeat) into ids[0..max). Returns how many, or
 * -1 when there were more than max or the journal no longer reaches back
 * that far: then look at the whole store. */
long informer_changed_since(const struct informer *inf,
			    unsigned long long since, unsigned *ids,
			    size_t max);

/* Counters for tests and the activity pane. */
struct informer_stats {
	unsigned lists, watches, relists_410, events, reconnects;
	unsigned parsed; /* objects turned into models (not kept as is) */
};
const struct informer_stats *informer_stats(const struct informer *inf);
/* The longest wait between reconnection attempts, for every informer of
 * the process (the config's retry_max; default 30 s, at least 1 s). */
void informer_set_backoff_cap(long ms);
/* Forget the backoff and reconnect now (the operator pressed refresh). */
void informer_retry_now(struct informer *inf);

#endif
