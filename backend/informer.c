/* informer.c - list+watch cache of one resource: a sorted array of
 * objects updated from watch events, with relist on 410 and backoff. */
#include "informer.h"
#include "loop.h"
#include "http.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define BACKOFF_BASE_MS 800
#define BACKOFF_CAP_MS 30000
#define HEALTHY_RESET_MS 120000
/* A watch the server ends cleanly sooner than this was not a real watch
 * (the apiserver ends them after timeoutSeconds, 5-10 min here): it goes
 * through the backoff, or an empty answer would be asked for again at
 * once, thousands of times a second. */
#define SHORT_WATCH_MS 10000

struct informer {
	struct kube_client *c;
	struct loop *loop;
	char *path;
	struct informer_ops ops;
	void *ud;
	cJSON **items;
	size_t n, cap;
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

static void obj_key(const cJSON *o, const char **ns, const char **name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const cJSON *a = m ? cJSON_GetObjectItemCaseSensitive(m, "namespace")
			   : NULL;
	const cJSON *b = m ? cJSON_GetObjectItemCaseSensitive(m, "name")
			   : NULL;

	*ns = cJSON_IsString(a) ? a->valuestring : "";
	*name = cJSON_IsString(b) ? b->valuestring : "";
}

static int key_cmp(const char *ns1, const char *n1, const char *ns2,
		   const char *n2)
{
	int r = strcmp(ns1, ns2);

	return r ? r : strcmp(n1, n2);
}

static int item_cmp(const void *a, const void *b)
{
	const char *ns1, *n1, *ns2, *n2;

	obj_key(*(cJSON *const *)a, &ns1, &n1);
	obj_key(*(cJSON *const *)b, &ns2, &n2);
	return key_cmp(ns1, n1, ns2, n2);
}

/* Index of the item with this key, or where it would go (*found 0). */
static size_t find_pos(const struct informer *inf, const char *ns,
		       const char *name, int *found)
{
	size_t lo = 0, hi = inf->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *mns, *mname;
		int r;

		obj_key(inf->items[mid], &mns, &mname);
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

static void clear_items(struct informer *inf)
{
	size_t i;

	for (i = 0; i < inf->n; i++)
		cJSON_Delete(inf->items[i]);
	inf->n = 0;
}

static void set_rv(struct informer *inf, const cJSON *obj)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *rv = m ? cJSON_GetObjectItemCaseSensitive(
				      m, "resourceVersion")
			    : NULL;

	if (cJSON_IsString(rv) && *rv->valuestring) {
		free(inf->rv);
		inf->rv = xstrdup(rv->valuestring);
	}
}

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
	inf->timer = loop_timer_add(inf->loop, ms,
				    relist ? on_timer_list : on_timer_watch,
				    inf);
}

static void on_list_done(struct kube_result *r, void *ud)
{
	struct informer *inf = ud;
	cJSON *items, *it;

	inf->call = NULL;
	if (!r->ok) {
		backoff(inf, &r->err, 1);
		return;
	}
	clear_items(inf);
	items = cJSON_GetObjectItemCaseSensitive(r->json, "items");
	for (;;) {
		it = cJSON_DetachItemFromArray(items, 0);
		if (!it)
			break;
		inf->items = xgrow(inf->items, &inf->cap, inf->n + 1,
				   sizeof(*inf->items));
		inf->items[inf->n++] = it;
	}
	if (inf->n > 1) /* qsort(NULL, 0, ...) is undefined */
		qsort(inf->items, inf->n, sizeof(*inf->items), item_cmp);
	set_rv(inf, r->json);
	inf->synced = 1;
	report(inf, NULL, 0);
	if (inf->ops.on_change)
		inf->ops.on_change(inf, inf->ud);
	do_watch(inf);
}

static void transform_item(cJSON *item, void *ud)
{
	struct informer *inf = ud;

	inf->ops.transform(item, inf->ud);
}

static void do_list(struct informer *inf)
{
	inf->stats.lists++;
	inf->call = kube_list_each(inf->c, inf->path,
				   inf->ops.transform ? transform_item : NULL,
				   inf, on_list_done, inf);
}

/* Put obj (owned) at pos, replacing the item there when found. */
static void store(struct informer *inf, size_t pos, int found, cJSON *obj)
{
	if (found) {
		cJSON_Delete(inf->items[pos]);
		inf->items[pos] = obj;
		return;
	}
	inf->items = xgrow(inf->items, &inf->cap, inf->n + 1,
			   sizeof(*inf->items));
	memmove(&inf->items[pos + 1], &inf->items[pos],
		(inf->n - pos) * sizeof(*inf->items));
	inf->items[pos] = obj;
	inf->n++;
}

static void apply_event(struct informer *inf, const char *type, cJSON *obj)
{
	const char *ns, *name;
	size_t pos;
	int found;
	cJSON *copy;

	obj_key(obj, &ns, &name);
	pos = find_pos(inf, ns, name, &found);
	if (strcmp(type, "DELETED") == 0) {
		if (found) {
			cJSON_Delete(inf->items[pos]);
			memmove(&inf->items[pos], &inf->items[pos + 1],
				(inf->n - pos - 1) * sizeof(*inf->items));
			inf->n--;
		}
		return;
	}
	copy = cJSON_Duplicate(obj, 1);
	if (inf->ops.transform)
		inf->ops.transform(copy, inf->ud);
	store(inf, pos, found, copy);
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
	apply_event(inf, type, obj);
	if (inf->ops.on_change)
		inf->ops.on_change(inf, inf->ud);
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

struct informer *informer_start(struct kube_client *c, const char *list_path,
				const struct informer_ops *ops, void *ud)
{
	struct informer *inf = xcalloc(1, sizeof(*inf));

	inf->c = c;
	inf->loop = NULL;
	inf->path = xstrdup(list_path);
	inf->ops = *ops;
	inf->ud = ud;
	inf->loop = kube_client_loop(c);
	do_list(inf);
	return inf;
}

void informer_stop(struct informer **p)
{
	struct informer *inf = p ? *p : NULL;

	if (!inf)
		return;
	kube_call_cancel(inf->call);
	loop_timer_cancel(inf->loop, inf->timer);
	clear_items(inf);
	free(inf->items);
	free(inf->rv);
	free(inf->path);
	free(inf);
	*p = NULL;
}

size_t informer_count(const struct informer *inf)
{
	return inf->n;
}

const cJSON *informer_item(const struct informer *inf, size_t i)
{
	return i < inf->n ? inf->items[i] : NULL;
}

const cJSON *informer_find(const struct informer *inf, const char *ns,
			   const char *name)
{
	int found;
	size_t pos = find_pos(inf, ns ? ns : "", name, &found);

	return found ? inf->items[pos] : NULL;
}

int informer_synced(const struct informer *inf)
{
	return inf->synced;
}

const struct err *informer_error(const struct informer *inf)
{
	return inf->has_err ? &inf->err : NULL;
}

const struct informer_stats *informer_stats(const struct informer *inf)
{
	return &inf->stats;
}

void informer_retry_now(struct informer *inf)
{
	if (!inf->timer)
		return;
	loop_timer_cancel(inf->loop, inf->timer);
	inf->timer = 0;
	inf->failures = 0;
	do_list(inf);
}
