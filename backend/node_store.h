/* node_store.h - the cluster's nodes as models, parsed once as each list
 * page or watch event arrives, with a summary kept up to date one node at
 * a time. The one copy the nodes pane, the bootstrap pane and `status`
 * read. Not the model itself (nodes.h), not drawing. */
#ifndef JD_NODE_STORE_H
#define JD_NODE_STORE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "informer.h"
#include "kube.h"
#include "nodes.h"

struct node_store;

struct node_store_ops {
	/* Nodes changed (a page merged, an event applied). */
	void (*on_change)(struct node_store *s, void *ud);
	/* Health, as informer_ops.on_status says it. */
	void (*on_status)(struct node_store *s, const struct err *e,
			  long retry_ms, void *ud);
};

/* List and watch /api/v1/nodes on c. ops may be NULL. */
struct node_store *node_store_start(struct kube_client *c,
				    const struct node_store_ops *ops,
				    void *ud);
/* A store without a server, filled with node_store_apply and
 * node_store_replace (tests; the CLI's one-shot list). rows_only keeps
 * only what a row and the summary need (node_row_from_json). */
struct node_store *node_store_new_local(const struct node_store_ops *ops,
					void *ud, int rows_only);
void node_store_free(struct node_store **s);

/* One watch event by hand (ADDED, MODIFIED, DELETED; obj borrowed). */
void node_store_apply(struct node_store *s, const char *type,
		      const cJSON *obj);
/* Merge one page of a list (a JSON array of Node objects, borrowed):
 * nodes are added or replaced, none removed. */
void node_store_merge(struct node_store *s, const cJSON *items);
/* The whole list: merge, remove the nodes it does not name, synced. */
void node_store_replace(struct node_store *s, const cJSON *items);

/* The nodes in name order. Borrowed: valid until the next return to the
 * loop (or the next call that changes the store). */
size_t node_store_count(const struct node_store *s);
const struct node *node_store_at(const struct node_store *s, size_t i);
const struct node *node_store_find(const struct node_store *s,
				   const char *name);

/* Every node counted, kept as nodes change (never recounted): total,
 * Ready, and per pool (sorted by name) its total, Ready and mode (the
 * non-empty mode most of its nodes have; on a tie the first by name).
 * Borrowed, like the nodes. */
const struct node_summary *node_store_summary(const struct node_store *s);

/* A list completed at least once (before that, the nodes listed so far
 * are there already). */
int node_store_synced(const struct node_store *s);
/* While a list runs: nodes listed so far and the total the server
 * announced (-1: unknown). 1 while listing. */
int node_store_progress(const struct node_store *s, size_t *listed,
			long *expected);
/* The last error sentence, or NULL when healthy. */
const struct err *node_store_error(const struct node_store *s);
void node_store_retry_now(struct node_store *s);

/* Following changes (see informer.h): ids stable while a node exists. */
unsigned node_store_id(const struct node_store *s, size_t i);
const struct node *node_store_by_id(const struct node_store *s, unsigned id);
unsigned node_store_id_bound(const struct node_store *s);
/* The id of the node with that name; -1 when there is none. */
long node_store_find_id(const struct node_store *s, const char *name);
unsigned long long node_store_gen(const struct node_store *s);
long node_store_changed_since(const struct node_store *s,
			      unsigned long long since, unsigned *ids,
			      size_t max);
const struct informer_stats *node_store_stats(const struct node_store *s);

#endif
