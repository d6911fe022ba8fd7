/* informer.c - list+watch cache of one resource: items (models or JSON
 * copies) in id slots with a by-key order, a journal of changed ids, each
 * list page merged as it arrives, relist on 410 and backoff. */
#include "informer.h"
#include "loop.h"
#include "http.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define BACKOFF_BASE_MS	 800
#define BACKOFF_CAP_MS	 30000
#define HEALTHY_RESET_MS 120000
/* A watch the server ends cleanly sooner than this was not a real watch
 * (the apiserver ends them after timeoutSeconds, 5-10 min here): it goes
 * through the backoff, or an empty answer would be asked for again at
 * once, thousands of times a second. */
#define SHORT_WATCH_MS 10000
/* Changes remembered for views that follow them (16 bytes each). */
#define JOURNAL_LEN 4096

struct slot {
	void *item;    /* NULL: a free id */
	char *rv;      /* the object's resourceVersion */
	unsigned seen; /* the list (epoch) that last saw it */
};

struct jentry {
	unsigned long long gen;
	unsigned id;
};

struct informer {
	struct kube_client *c;
	struct loop *loop;
	char *path;
	struct informer_ops ops;
	void *ud;
	struct slot *slots;
	size_t nslots, slots_cap;
	unsigned *free_ids;
	size_t nfree, free_cap;
	unsigned *order; /* ids by namespace/name */
	size_t n, order_cap;
	struct jentry journal[JOURNAL_LEN];
	size_t jcount; /* entries in the ring, at most JOURNAL_LEN */
	unsigned long long gen;
	unsigned epoch; /* of the list running or last run */
	int listing;
	int page_changed; /* the page being read changed the store */
	size_t listed;
	long expected;
	char *rv;
	int synced;
	struct kube_call *call;
	unsigned timer;
	int failures;
	long long watch_since;
	unsigned watch_events; /* events of the current watch */
	int gone_streak;       /* 410s in a row without a good event */
	struct err err;
	int has_err;
	struct informer_stats stats;
};

static void do_list(struct informer *inf);
static void do_watch(struct informer *inf);

/* ---- keys -----------------------------------------------------------------
 */

static void json_key(const cJSON *o, const char **ns, const char **name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const cJSON *a =
	    m ? cJSON_GetObjectItemCaseSensitive(m, "namespace") : NULL;
	const cJSON *b =
	    m ? cJSON_GetObjectItemCaseSensitive(m, "name") : NULL;

	*ns = cJSON_IsString(a) ? a->valuestring : "";
	*name = cJSON_IsString(b) ? b->valuestring : "";
}

static const char *json_rv(const cJSON *o)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const cJSON *rv =
	    m ? cJSON_GetObjectItemCaseSensitive(m, "resourceVersion") : NULL;

	return cJSON_IsString(rv) ? rv->valuestring : "";
}

static void item_key(const struct informer *inf, const void *item,
		     const char **ns, const char **name)
{
	if (inf->ops.parse) {
		inf->ops.key(item, ns, name);
		if (!*ns)
			*ns = "";
		if (!*name)
			*name = "";
	} else {
		json_key(item, ns, name);
	}
}

static int key_cmp(const char *ns1, const char *n1, const char *ns2,
		   const char *n2)
{
	int r = strcmp(ns1, ns2);

	return r ? r : strcmp(n1, n2);
}

/* Position in order of the item with this key, or where it would go
 * (*found 0). */
static size_t find_pos(const struct informer *inf, const char *ns,
		       const char *name, int *found)
{
	size_t lo = 0, hi = inf->n;

	*found = 0;
	/* Lists come in key order: try the end first. */
	if (inf->n) {
		const char *mns, *mname;

		item_key(inf, inf->slots[inf->order[inf->n - 1]].item, &mns,
			 &mname);
		if (key_cmp(mns, mname, ns, name) < 0)
			return inf->n;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *mns, *mname;
		int r;

		item_key(inf, inf->slots[inf->order[mid]].item, &mns, &mname);
		r = key_cmp(mns, mname, ns, name);
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

/* ---- slots, order and journal ---------------------------------------------
 */

static void journal(struct informer *inf, unsigned id)
{
	inf->gen++;
	inf->journal[inf->gen % JOURNAL_LEN].gen = inf->gen;
	inf->journal[inf->gen % JOURNAL_LEN].id = id;
	if (inf->jcount < JOURNAL_LEN)
		inf->jcount++;
}

static void free_item(struct informer *inf, void *item)
{
	if (!item)
		return;
	if (inf->ops.parse)
		inf->ops.free_item(item, inf->ud);
	else
		cJSON_Delete(item);
}

static void *make_item(struct informer *inf, const cJSON *obj)
{
	if (!inf->ops.parse) {
		cJSON *copy = cJSON_Duplicate(obj, 1);

		if (inf->ops.transform)
			inf->ops.transform(copy, inf->ud);
		return copy;
	}
	inf->stats.parsed++;
	return inf->ops.parse(obj, inf->ud);
}

static unsigned new_id(struct informer *inf)
{
	if (inf->nfree)
		return inf->free_ids[--inf->nfree];
	inf->slots = xgrow(inf->slots, &inf->slots_cap, inf->nslots + 1,
			   sizeof(*inf->slots));
	memset(&inf->slots[inf->nslots], 0, sizeof(*inf->slots));
	return (unsigned)inf->nslots++;
}

static void notify(struct informer *inf, const void *old, const void *item)
{
	if (inf->ops.on_item)
		inf->ops.on_item(inf, old, item, inf->ud);
}

/* Remove the item at position pos of the order. */
static void remove_at(struct informer *inf, size_t pos)
{
	unsigned id = inf->order[pos];
	struct slot *s = &inf->slots[id];

	notify(inf, s->item, NULL);
	free_item(inf, s->item);
	free(s->rv);
	memset(s, 0, sizeof(*s));
	memmove(&inf->order[pos], &inf->order[pos + 1],
		(inf->n - pos - 1) * sizeof(*inf->order));
	inf->n--;
	inf->free_ids = xgrow(inf->free_ids, &inf->free_cap, inf->nfree + 1,
			      sizeof(*inf->free_ids));
	inf->free_ids[inf->nfree++] = id;
	journal(inf, id);
}

/* Put obj into the store: replace the item with its key, or add it. An
 * object whose resourceVersion is the one held is not parsed again.
 * Returns 1 when the store changed. */
static int upsert(struct informer *inf, const cJSON *obj)
{
	const char *ns, *name, *rv = json_rv(obj);
	size_t pos;
	int found;
	struct slot *s;
	void *item;
	unsigned id;

	json_key(obj, &ns, &name);
	if (!*name)
		return 0;
	pos = find_pos(inf, ns, name, &found);
	if (found) {
		s = &inf->slots[inf->order[pos]];
		s->seen = inf->epoch;
		if (*rv && s->rv && strcmp(s->rv, rv) == 0)
			return 0;
	}
	item = make_item(inf, obj);
	if (!item) {
		/* Not a valid object (any more): drop what we had. */
		if (found)
			remove_at(inf, pos);
		return found;
	}
	if (found) {
		id = inf->order[pos];
		s = &inf->slots[id];
		notify(inf, s->item, item);
		free_item(inf, s->item);
		s->item = item;
		free(s->rv);
		s->rv = xstrdup(rv);
		journal(inf, id);
		return 1;
	}
	id = new_id(inf);
	s = &inf->slots[id];
	s->item = item;
	s->rv = xstrdup(rv);
	s->seen = inf->epoch;
	notify(inf, NULL, item);
	inf->order = xgrow(inf->order, &inf->order_cap, inf->n + 1,
			   sizeof(*inf->order));
	memmove(&inf->order[pos + 1], &inf->order[pos],
		(inf->n - pos) * sizeof(*inf->order));
	inf->order[pos] = id;
	inf->n++;
	journal(inf, id);
	return 1;
}

static int delete_obj(struct informer *inf, const cJSON *obj)
{
	const char *ns, *name;
	size_t pos;
	int found;

	json_key(obj, &ns, &name);
	pos = find_pos(inf, ns, name, &found);
	if (!found)
		return 0;
	remove_at(inf, pos);
	return 1;
}

/* After a complete list: whatever it did not mention is gone. */
static int sweep(struct informer *inf)
{
	size_t i = inf->n;
	int changed = 0;

	while (i > 0) {
		i--;
		if (inf->slots[inf->order[i]].seen != inf->epoch) {
			remove_at(inf, i);
			changed = 1;
		}
	}
	return changed;
}

static void clear_items(struct informer *inf)
{
	size_t i;

	for (i = 0; i < inf->nslots; i++) {
		free_item(inf, inf->slots[i].item);
		free(inf->slots[i].rv);
	}
	free(inf->slots);
	free(inf->free_ids);
	free(inf->order);
	inf->slots = NULL;
	inf->free_ids = NULL;
	inf->order = NULL;
	inf->nslots = inf->slots_cap = inf->nfree = inf->free_cap = 0;
	inf->n = inf->order_cap = 0;
}

static void set_rv(struct informer *inf, const cJSON *obj)
{
	const char *rv = json_rv(obj);

	if (*rv) {
		free(inf->rv);
		inf->rv = xstrdup(rv);
	}
}

static void changed(struct informer *inf)
{
	if (inf->ops.on_change)
		inf->ops.on_change(inf, inf->ud);
}

/* ---- list and watch --------------------------------------------------------
 */

static void report(struct informer *inf, const struct err *e, long retry)
{
	if (e) {
		inf->err = *e;
		inf->has_err = 1;
	} else {
		inf->has_err = 0;
	}
	if (inf->ops.on_status)
		inf->ops.on_status(inf, e, retry, inf->ud);
}

static void on_timer_list(void *ud)
{
	struct informer *inf = ud;

	inf->timer = 0;
	do_list(inf);
}

static void on_timer_watch(void *ud)
{
	struct informer *inf = ud;

	inf->timer = 0;
	do_watch(inf);
}

static long backoff_cap_ms = BACKOFF_CAP_MS;

void informer_set_backoff_cap(long ms)
{
	backoff_cap_ms = ms < 1000 ? 1000 : ms;
}

static void backoff(struct informer *inf, const struct err *e, int relist)
{
	long ms;

	if (inf->watch_since &&
	    loop_now_ms() - inf->watch_since > HEALTHY_RESET_MS)
		inf->failures = 0;
	ms = http_backoff_ms(inf->failures, BACKOFF_BASE_MS, backoff_cap_ms);
	/* Never retry faster than the base, whatever the jitter. */
	if (ms < BACKOFF_BASE_MS / 2)
		ms = BACKOFF_BASE_MS / 2;
	inf->failures++;
	inf->stats.reconnects++;
	report(inf, e, ms);
	inf->timer = loop_timer_add(
	    inf->loop, ms, relist ? on_timer_list : on_timer_watch, inf);
}

/* Each item of the list as it is read: merged at once. */
static void on_list_item(const cJSON *item, void *ud)
{
	struct informer *inf = ud;

	if (!cJSON_IsObject(item))
		return;
	inf->listed++;
	inf->page_changed |= upsert(inf, item);
}

/* After each page: one change for the whole page. */
static void on_list_page(long remaining, void *ud)
{
	struct informer *inf = ud;

	inf->expected = remaining < 0 ? -1 : (long)inf->listed + remaining;
	if (inf->page_changed)
		changed(inf);
	inf->page_changed = 0;
}

static const struct kube_page_ops list_ops = {
	.item = on_list_item,
	.page = on_list_page,
};

static void on_list_done(struct kube_result *r, void *ud)
{
	struct informer *inf = ud;
	int any;

	inf->call = NULL;
	inf->listing = 0;
	if (!r->ok) {
		backoff(inf, &r->err, 1);
		return;
	}
	any = sweep(inf);
	set_rv(inf, r->json);
	any |= !inf->synced;
	inf->synced = 1;
	report(inf, NULL, 0);
	if (any)
		changed(inf);
	do_watch(inf);
}

static void do_list(struct informer *inf)
{
	inf->stats.lists++;
	inf->epoch++;
	inf->listing = 1;
	inf->listed = 0;
	inf->expected = -1;
	inf->call = kube_list_pages(inf->c, inf->path, &list_ops, inf,
				    on_list_done, inf);
}

static int apply_event(struct informer *inf, const char *type,
		       const cJSON *obj)
{
	if (strcmp(type, "DELETED") == 0)
		return delete_obj(inf, obj);
	if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0)
		return upsert(inf, obj);
	return 0;
}

static int status_code(const cJSON *obj)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");

	return cJSON_IsNumber(code) ? code->valueint : 0;
}

static void on_event(const char *type, cJSON *obj, void *ud)
{
	struct informer *inf = ud;

	/* Healthy again once the server accepts the watch: the apiserver
	 * answers 200 at once, then may send nothing but a bookmark a
	 * minute (watch cache defaultBookmarkFrequency). */
	if (strcmp(type, "OPEN") == 0) {
		if (inf->has_err)
			report(inf, NULL, 0);
		return;
	}
	inf->stats.events++;
	inf->watch_events++;
	if (strcmp(type, "ERROR") != 0) {
		inf->gone_streak = 0;
		if (inf->has_err)
			report(inf, NULL, 0);
	}
	if (strcmp(type, "ERROR") == 0) {
		/* 410 Gone / Expired: our resourceVersion is too old. */
		if (status_code(obj) == 410) {
			inf->stats.relists_410++;
			free(inf->rv);
			inf->rv = NULL;
		}
		return;
	}
	set_rv(inf, obj);
	if (strcmp(type, "BOOKMARK") == 0)
		return;
	if (apply_event(inf, type, obj))
		changed(inf);
}

static void on_watch_done(struct kube_result *r, void *ud)
{
	struct informer *inf = ud;

	long long lasted = loop_now_ms() - inf->watch_since;
	struct err e;

	inf->call = NULL;
	if (!inf->rv || r->status == 410) {
		/* The watch said 410: start over with a fresh list, at once
		 * the first time; a server that says it again right after a
		 * fresh list gets the backoff. */
		if (r->status == 410)
			inf->stats.relists_410++;
		free(inf->rv);
		inf->rv = NULL;
		if (inf->gone_streak++ == 0) {
			do_list(inf);
			return;
		}
		err_set(&e, ERR_HTTP,
			"the server keeps answering 410 Gone to the watch of "
			"%s, even after a fresh list",
			inf->path);
		backoff(inf, &e, 1);
		return;
	}
	if (r->ok && lasted < SHORT_WATCH_MS) {
		err_set(&e, ERR_HTTP,
			"the server ended the watch at once (after %lld ms, "
			"%u event%s) for %s",
			lasted, inf->watch_events,
			inf->watch_events == 1 ? "" : "s", inf->path);
		backoff(inf, &e, 0);
		return;
	}
	if (r->ok) {
		/* timeoutSeconds ran out: carry on from where we are. */
		if (inf->has_err)
			report(inf, NULL, 0);
		do_watch(inf);
		return;
	}
	backoff(inf, &r->err, r->status == 0 ? 0 : 1);
}

static void do_watch(struct informer *inf)
{
	/* Random 5-10 minutes, like kubectl, so watches do not align. */
	int timeout = 300 + (int)(random() % 300);

	inf->stats.watches++;
	inf->watch_since = loop_now_ms();
	inf->watch_events = 0;
	inf->call = kube_watch(inf->c, inf->path, inf->rv, timeout, on_event,
			       on_watch_done, inf);
}

/* ---- life
 * ------------------------------------------------------------------- */

static struct informer *informer_new(const struct informer_ops *ops, void *ud)
{
	struct informer *inf = xcalloc(1, sizeof(*inf));

	static unsigned long long next_base;

	inf->ops = *ops;
	inf->ud = ud;
	inf->expected = -1;
	/* Far apart: 2^32 changes before one informer reaches the next. */
	next_base += 1ull << 32;
	inf->gen = next_base;
	return inf;
}

struct informer *informer_start(struct kube_client *c, const char *list_path,
				const struct informer_ops *ops, void *ud)
{
	struct informer *inf = informer_new(ops, ud);

	inf->c = c;
	inf->path = xstrdup(list_path);
	inf->loop = kube_client_loop(c);
	do_list(inf);
	return inf;
}

struct informer *informer_new_local(const struct informer_ops *ops, void *ud)
{
	struct informer *inf = informer_new(ops, ud);

	inf->path = xstrdup("");
	return inf;
}

void informer_stop(struct informer **p)
{
	struct informer *inf = p ? *p : NULL;

	if (!inf)
		return;
	kube_call_cancel(inf->call);
	if (inf->loop)
		loop_timer_cancel(inf->loop, inf->timer);
	clear_items(inf);
	free(inf->rv);
	free(inf->path);
	free(inf);
	*p = NULL;
}

void informer_apply(struct informer *inf, const char *type, const cJSON *obj)
{
	inf->stats.events++;
	set_rv(inf, obj);
	if (apply_event(inf, type, obj))
		changed(inf);
}

void informer_merge(struct informer *inf, const cJSON *items)
{
	const cJSON *it;
	int any = 0;

	cJSON_ArrayForEach(it, items)
	{
		if (cJSON_IsObject(it))
			any |= upsert(inf, it);
	}
	if (any)
		changed(inf);
}

void informer_replace(struct informer *inf, const cJSON *items)
{
	const cJSON *it;
	int any = !inf->synced;

	inf->stats.lists++;
	inf->epoch++;
	cJSON_ArrayForEach(it, items)
	{
		if (cJSON_IsObject(it))
			any |= upsert(inf, it);
	}
	any |= sweep(inf);
	inf->synced = 1;
	if (any)
		changed(inf);
}

/* ---- reading
 * ------------------------------------------------------------------ */

size_t informer_count(const struct informer *inf)
{
	return inf->n;
}

const void *informer_item(const struct informer *inf, size_t i)
{
	return i < inf->n ? inf->slots[inf->order[i]].item : NULL;
}

const void *informer_find(const struct informer *inf, const char *ns,
			  const char *name)
{
	int found;
	size_t pos;

	if (!name)
		return NULL;
	pos = find_pos(inf, ns ? ns : "", name, &found);
	return found ? inf->slots[inf->order[pos]].item : NULL;
}

int informer_synced(const struct informer *inf)
{
	return inf->synced;
}

int informer_progress(const struct informer *inf, size_t *listed,
		      long *expected)
{
	if (!inf->listing) {
		*listed = inf->n;
		*expected = (long)inf->n;
		return 0;
	}
	*listed = inf->listed;
	*expected = inf->expected;
	return 1;
}

const struct err *informer_error(const struct informer *inf)
{
	return inf->has_err ? &inf->err : NULL;
}

unsigned informer_id(const struct informer *inf, size_t i)
{
	return i < inf->n ? inf->order[i] : 0;
}

const void *informer_by_id(const struct informer *inf, unsigned id)
{
	return id < inf->nslots ? inf->slots[id].item : NULL;
}

unsigned informer_id_bound(const struct informer *inf)
{
	return (unsigned)inf->nslots;
}

long informer_find_id(const struct informer *inf, const char *ns,
		      const char *name)
{
	int found;
	size_t pos;

	if (!name)
		return -1;
	pos = find_pos(inf, ns ? ns : "", name, &found);
	return found ? (long)inf->order[pos] : -1;
}

unsigned long long informer_gen(const struct informer *inf)
{
	return inf->gen;
}

long informer_changed_since(const struct informer *inf,
			    unsigned long long since, unsigned *ids,
			    size_t max)
{
	unsigned long long g;
	size_t k = 0;

	if (since > inf->gen || since < inf->gen - inf->jcount)
		return -1;
	if (inf->gen - since > inf->jcount || inf->gen - since > max)
		return -1;
	for (g = since + 1; g <= inf->gen; g++)
		ids[k++] = inf->journal[g % JOURNAL_LEN].id;
	return (long)k;
}

const struct informer_stats *informer_stats(const struct informer *inf)
{
	return &inf->stats;
}

void informer_retry_now(struct informer *inf)
{
	if (!inf->timer || !inf->loop)
		return;
	loop_timer_cancel(inf->loop, inf->timer);
	inf->timer = 0;
	inf->failures = 0;
	do_list(inf);
}
