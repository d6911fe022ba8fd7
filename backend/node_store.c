/* node_store.c - an informer of Node models (parsed once per object
 * version) and a summary adjusted by each node that comes, changes or
 * goes. No drawing, no printing. */
#include "node_store.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define NO_POOL "<none>"

/* How many nodes of a pool have one mode. */
struct mode_count {
	char *mode;
	size_t n;
};

/* Beside each pool_summary of the public summary, at the same index. */
struct pool_acc {
	struct mode_count *modes;
	size_t nmodes, cap;
};

struct node_store {
	struct informer *inf;
	struct node_store_ops ops;
	void *ud;
	struct node_summary sum;
	struct pool_acc *acc;
	size_t pools_cap;
	int rows_only;
};

/* ---- the summary, one node at a time ------------------------------------ */

static const char *pool_of(const struct node *n)
{
	return n->pool && n->pool[0] ? n->pool : NO_POOL;
}

/* Index of the pool, or where it goes (*found 0). */
static size_t pool_pos(const struct node_store *s, const char *name,
		       int *found)
{
	size_t lo = 0, hi = s->sum.npools;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(s->sum.pools[mid].name, name);

		if (r == 0) {
			*found = 1;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The non-empty mode most nodes of the pool have (ties: first by name). */
static void pick_mode(struct pool_summary *p, const struct pool_acc *a)
{
	const char *best = "";
	size_t best_n = 0, i;

	for (i = 0; i < a->nmodes; i++) {
		const struct mode_count *m = &a->modes[i];

		if (!m->mode[0] || !m->n)
			continue;
		if (m->n > best_n ||
		    (m->n == best_n && strcmp(m->mode, best) < 0)) {
			best = m->mode;
			best_n = m->n;
		}
	}
	if (strcmp(p->mode, best) != 0) {
		free(p->mode);
		p->mode = xstrdup(best);
	}
}

static void count_mode(struct pool_acc *a, const char *mode, int delta)
{
	size_t i;

	for (i = 0; i < a->nmodes; i++) {
		if (strcmp(a->modes[i].mode, mode) != 0)
			continue;
		if (delta < 0) {
			if (--a->modes[i].n == 0) {
				free(a->modes[i].mode);
				a->modes[i] = a->modes[--a->nmodes];
			}
		} else {
			a->modes[i].n++;
		}
		return;
	}
	if (delta < 0)
		return;
	a->modes = xgrow(a->modes, &a->cap, a->nmodes + 1, sizeof(*a->modes));
	a->modes[a->nmodes].mode = xstrdup(mode);
	a->modes[a->nmodes].n = 1;
	a->nmodes++;
}

static void acc_clear(struct pool_acc *a)
{
	size_t i;

	for (i = 0; i < a->nmodes; i++)
		free(a->modes[i].mode);
	free(a->modes);
	memset(a, 0, sizeof(*a));
}

static void count(struct node_store *s, const struct node *n, int delta)
{
	const char *name = pool_of(n);
	const char *mode = n->mode ? n->mode : "";
	int ready = n->ready == NODE_READY;
	struct pool_summary *p;
	size_t pos;
	int found;

	pos = pool_pos(s, name, &found);
	if (!found) {
		if (delta < 0)
			return;
		s->sum.pools = xgrow(s->sum.pools, &s->pools_cap,
				     s->sum.npools + 1, sizeof(*s->sum.pools));
		s->acc = xrealloc(s->acc, s->pools_cap * sizeof(*s->acc));
		memmove(&s->sum.pools[pos + 1], &s->sum.pools[pos],
			(s->sum.npools - pos) * sizeof(*s->sum.pools));
		memmove(&s->acc[pos + 1], &s->acc[pos],
			(s->sum.npools - pos) * sizeof(*s->acc));
		memset(&s->sum.pools[pos], 0, sizeof(*s->sum.pools));
		memset(&s->acc[pos], 0, sizeof(*s->acc));
		s->sum.pools[pos].name = xstrdup(name);
		s->sum.pools[pos].mode = xstrdup("");
		s->sum.npools++;
	}
	p = &s->sum.pools[pos];
	if (delta > 0) {
		s->sum.total++;
		p->total++;
		if (ready) {
			s->sum.ready++;
			p->ready++;
		}
	} else {
		s->sum.total--;
		p->total--;
		if (ready) {
			s->sum.ready--;
			p->ready--;
		}
	}
	count_mode(&s->acc[pos], mode, delta);
	if (p->total == 0) {
		free(p->name);
		free(p->mode);
		acc_clear(&s->acc[pos]);
		memmove(&s->sum.pools[pos], &s->sum.pools[pos + 1],
			(s->sum.npools - pos - 1) * sizeof(*s->sum.pools));
		memmove(&s->acc[pos], &s->acc[pos + 1],
			(s->sum.npools - pos - 1) * sizeof(*s->acc));
		s->sum.npools--;
		return;
	}
	pick_mode(p, &s->acc[pos]);
}

/* ---- the informer's model --------------------------------------------------
 */

static void *parse(const cJSON *obj, void *ud)
{
	struct node_store *s = ud;
	struct node *n = xcalloc(1, sizeof(*n));
	int rc = s->rows_only ? node_row_from_json(n, obj, NULL)
			      : node_from_json(n, obj, NULL);

	if (rc < 0) {
		free(n);
		return NULL;
	}
	return n;
}

static void free_node(void *item, void *ud)
{
	(void)ud;
	node_clear(item);
	free(item);
}

static void key(const void *item, const char **ns, const char **name)
{
	const struct node *n = item;

	*ns = "";
	*name = n->name;
}

static void on_item(struct informer *inf, const void *old, const void *item,
		    void *ud)
{
	struct node_store *s = ud;

	(void)inf;
	if (old)
		count(s, old, -1);
	if (item)
		count(s, item, 1);
}

static void on_change(struct informer *inf, void *ud)
{
	struct node_store *s = ud;

	(void)inf;
	if (s->ops.on_change)
		s->ops.on_change(s, s->ud);
}

static void on_status(struct informer *inf, const struct err *e, long retry_ms,
		      void *ud)
{
	struct node_store *s = ud;

	(void)inf;
	if (s->ops.on_status)
		s->ops.on_status(s, e, retry_ms, s->ud);
}

static const struct informer_ops store_ops = {
    .on_change = on_change,
    .on_status = on_status,
    .parse = parse,
    .free_item = free_node,
    .key = key,
    .on_item = on_item,
};

static struct node_store *store_new(const struct node_store_ops *ops, void *ud)
{
	struct node_store *s = xcalloc(1, sizeof(*s));

	if (ops)
		s->ops = *ops;
	s->ud = ud;
	return s;
}

struct node_store *node_store_start(struct kube_client *c,
				    const struct node_store_ops *ops, void *ud)
{
	struct node_store *s = store_new(ops, ud);

	s->inf = informer_start(c, "/api/v1/nodes", &store_ops, s);
	return s;
}

struct node_store *node_store_new_local(const struct node_store_ops *ops,
					void *ud, int rows_only)
{
	struct node_store *s = store_new(ops, ud);

	s->rows_only = rows_only;
	s->inf = informer_new_local(&store_ops, s);
	return s;
}

void node_store_free(struct node_store **sp)
{
	struct node_store *s = sp ? *sp : NULL;
	size_t i;

	if (!s)
		return;
	/* No summary updates while the items go. */
	s->ops.on_change = NULL;
	s->ops.on_status = NULL;
	informer_stop(&s->inf);
	for (i = 0; i < s->sum.npools; i++)
		acc_clear(&s->acc[i]);
	free(s->acc);
	node_summary_clear(&s->sum);
	free(s);
	*sp = NULL;
}

void node_store_apply(struct node_store *s, const char *type, const cJSON *obj)
{
	informer_apply(s->inf, type, obj);
}

void node_store_merge(struct node_store *s, const cJSON *items)
{
	informer_merge(s->inf, items);
}

void node_store_replace(struct node_store *s, const cJSON *items)
{
	informer_replace(s->inf, items);
}

/* ---- reading
 * ---------------------------------------------------------------- */

size_t node_store_count(const struct node_store *s)
{
	return informer_count(s->inf);
}

const struct node *node_store_at(const struct node_store *s, size_t i)
{
	return informer_item(s->inf, i);
}

const struct node *node_store_find(const struct node_store *s,
				   const char *name)
{
	return informer_find(s->inf, "", name);
}

const struct node_summary *node_store_summary(const struct node_store *s)
{
	return &s->sum;
}

int node_store_synced(const struct node_store *s)
{
	return informer_synced(s->inf);
}

int node_store_progress(const struct node_store *s, size_t *listed,
			long *expected)
{
	return informer_progress(s->inf, listed, expected);
}

const struct err *node_store_error(const struct node_store *s)
{
	return informer_error(s->inf);
}

void node_store_retry_now(struct node_store *s)
{
	informer_retry_now(s->inf);
}

unsigned node_store_id(const struct node_store *s, size_t i)
{
	return informer_id(s->inf, i);
}

const struct node *node_store_by_id(const struct node_store *s, unsigned id)
{
	return informer_by_id(s->inf, id);
}

unsigned node_store_id_bound(const struct node_store *s)
{
	return informer_id_bound(s->inf);
}

long node_store_find_id(const struct node_store *s, const char *name)
{
	return informer_find_id(s->inf, "", name);
}

unsigned long long node_store_gen(const struct node_store *s)
{
	return informer_gen(s->inf);
}

long node_store_changed_since(const struct node_store *s,
			      unsigned long long since, unsigned *ids,
			      size_t max)
{
	return informer_changed_since(s->inf, since, ids, max);
}

const struct informer_stats *node_store_stats(const struct node_store *s)
{
	return informer_stats(s->inf);
}
