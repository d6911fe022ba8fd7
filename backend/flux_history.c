/* flux_history.c - outcomes of reconciliations from status changes: a
 * ring per object, objects found by a hash of namespace and name, a
 * signature of the last final status so that the same status seen again
 * (a relist, an unrelated update) is not a new outcome. No drawing. */
#include "flux_history.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the ring ---------------------------------------------------------- */

void flux_ring_push(struct flux_ring *r, const struct flux_outcome *o)
{
	struct flux_outcome *slot = &r->v[r->head];
	const char *m = o->message ? o->message : "";
	size_t len = strlen(m);

	free(slot->message);
	*slot = *o;
	if (len > FLUX_OUTCOME_MSG_MAX) {
		len = FLUX_OUTCOME_MSG_MAX;
		/* not inside a UTF-8 sequence */
		while (len > 0 && ((unsigned char)m[len] & 0xc0) == 0x80)
			len--;
	}
	slot->message = xstrndup(m, len);
	slot->revision[sizeof(slot->revision) - 1] = '\0';
	r->head = (r->head + 1) % FLUX_RING_LEN;
	if (r->n < FLUX_RING_LEN)
		r->n++;
}

size_t flux_ring_count(const struct flux_ring *r)
{
	return r ? r->n : 0;
}

const struct flux_outcome *flux_ring_at(const struct flux_ring *r, size_t i)
{
	if (!r || i >= r->n)
		return NULL;
	return &r->v[(r->head + FLUX_RING_LEN - 1 - i) % FLUX_RING_LEN];
}

void flux_ring_clear(struct flux_ring *r)
{
	size_t i;

	for (i = 0; i < FLUX_RING_LEN; i++) {
		free(r->v[i].message);
		r->v[i].message = NULL;
	}
	r->head = r->n = 0;
}

const char *flux_outcome_mark(int ok, int ascii)
{
	if (ascii)
		return ok ? "+" : "x";
	return ok ? "\u2713" : "\u2717";
}

const char *flux_ring_marks(const struct flux_ring *r, size_t n, int ascii,
			    char *buf, size_t sz)
{
	size_t i, used = 0;

	if (!sz)
		return buf;
	buf[0] = '\0';
	if (n > flux_ring_count(r))
		n = flux_ring_count(r);
	/* what fits, the newest kept (every mark is as long as the first) */
	if (n && n * strlen(flux_outcome_mark(1, ascii)) >= sz)
		n = (sz - 1) / strlen(flux_outcome_mark(1, ascii));
	for (i = n; i > 0; i--) {
		const struct flux_outcome *o = flux_ring_at(r, i - 1);
		const char *m = flux_outcome_mark(o->ok, ascii);
		size_t len = strlen(m);

		if (used + len >= sz)
			break;
		memcpy(buf + used, m, len + 1);
		used += len;
	}
	return buf;
}

/* ---- objects ----------------------------------------------------------- */

struct entry {
	char *ns;
	char *name;
	struct flux_ring ring;
	uint64_t sig;	    /* of the last final status recorded; 0: none */
	time_t ready_at;    /* its Ready transition */
	time_t updated_at;  /* its last_update */
	time_t prog_since;  /* the start seen; 0: none */
	struct entry *next; /* in its bucket */
};

struct flux_history {
	struct entry **b;
	size_t nb; /* a power of two */
	size_t n;
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff; /* a separator no string holds */
	h *= 0x100000001b3ULL;
	return h;
}

static uint64_t key_hash(const char *ns, const char *name)
{
	return fnv(fnv(0xcbf29ce484222325ULL, ns), name);
}

struct flux_history *flux_history_new(void)
{
	struct flux_history *h = xcalloc(1, sizeof(*h));

	h->nb = 64;
	h->b = xcalloc(h->nb, sizeof(*h->b));
	return h;
}

static void entry_free(struct entry *e)
{
	flux_ring_clear(&e->ring);
	free(e->ns);
	free(e->name);
	free(e);
}

void flux_history_free(struct flux_history **hp)
{
	struct flux_history *h = hp ? *hp : NULL;
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nb; i++)
		while (h->b[i]) {
			struct entry *e = h->b[i];

			h->b[i] = e->next;
			entry_free(e);
		}
	free(h->b);
	free(h);
	*hp = NULL;
}

static struct entry **slot_of(const struct flux_history *h, const char *ns,
			      const char *name)
{
	struct entry **pp = &h->b[key_hash(ns, name) & (h->nb - 1)];

	while (*pp && (strcmp((*pp)->ns, ns) != 0 ||
		       strcmp((*pp)->name, name) != 0))
		pp = &(*pp)->next;
	return pp;
}

static void grow_table(struct flux_history *h)
{
	size_t nb = h->nb * 2, i;
	struct entry **b = xcalloc(nb, sizeof(*b));

	for (i = 0; i < h->nb; i++)
		while (h->b[i]) {
			struct entry *e = h->b[i];
			size_t k = key_hash(e->ns, e->name) & (nb - 1);

			h->b[i] = e->next;
			e->next = b[k];
			b[k] = e;
		}
	free(h->b);
	h->b = b;
	h->nb = nb;
}

static struct entry *entry_get(struct flux_history *h, const char *ns,
			       const char *name)
{
	struct entry **pp = slot_of(h, ns, name);
	struct entry *e = *pp;

	if (e)
		return e;
	if (h->n >= FLUX_HISTORY_MAX_OBJS)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->ns = xstrdup(ns);
	e->name = xstrdup(name);
	*pp = e;
	h->n++;
	if (h->n > h->nb)
		grow_table(h); /* e moves to another bucket, not in memory */
	return e;
}

void flux_history_forget(struct flux_history *h, const char *ns,
			 const char *name)
{
	struct entry **pp = slot_of(h, ns, name);
	struct entry *e = *pp;

	if (!e)
		return;
	*pp = e->next;
	entry_free(e);
	h->n--;
}

const struct flux_ring *flux_history_find(const struct flux_history *h,
					  const char *ns, const char *name)
{
	struct entry *e;

	if (!h || !ns || !name)
		return NULL;
	e = *slot_of(h, ns, name);
	return e && e->ring.n ? &e->ring : NULL;
}

size_t flux_history_count(const struct flux_history *h)
{
	return h ? h->n : 0;
}

/* ---- status to outcome ------------------------------------------------- */

static time_t cond_time(const struct flux_object *o, const char *type,
			const char *status)
{
	const struct flux_condition *c = flux_condition_find(o, type);
	time_t t = 0;

	if (!c || (status && strcmp(c->status, status) != 0))
		return 0;
	if (timefmt_parse_rfc3339(c->last_transition, &t, NULL, NULL) < 0)
		return 0;
	return t;
}

/* What makes one final status another. */
static uint64_t signature(const struct flux_object *o)
{
	const struct flux_condition *rd = flux_condition_find(o, "Ready");
	char num[64];
	uint64_t h = 0xcbf29ce484222325ULL;

	snprintf(num, sizeof(num), "%d/%lld/%lld", (int)o->state,
		 o->observed_generation, (long long)o->last_update);
	h = fnv(h, num);
	h = fnv(h, o->ready_status);
	h = fnv(h, o->ready_reason);
	h = fnv(h, o->ready_message);
	h = fnv(h, rd ? rd->last_transition : "");
	h = fnv(h, o->last_handled_reconcile_at);
	h = fnv(h, o->attempted_revision);
	h = fnv(h, o->revision);
	return h ? h : 1;
}

/* When the reconciliation now running started. */
static time_t start_of(const struct flux_object *o, const struct entry *e,
		       time_t now)
{
	const struct flux_outcome *last = flux_ring_at(&e->ring, 0);
	time_t t = cond_time(o, "Ready", "Unknown");

	if (!t)
		t = cond_time(o, "Reconciling", "True");
	/* a Reconciling left True by the last failure is not this start */
	if (!t || (last && t < last->at) || t > now)
		t = now;
	return t;
}

int flux_history_observe(struct flux_history *h, const struct flux_object *o,
			 time_t now)
{
	struct entry *e = entry_get(h, o->namespace, o->name);
	struct flux_outcome out;
	const char *rev;
	uint64_t sig;
	time_t ready_at, at = 0;

	if (!e)
		return 0;
	if (o->suspended || o->state == FLUX_STATE_WAITING) {
		e->prog_since = 0;
		return 0;
	}
	if (o->state == FLUX_STATE_PROGRESSING) {
		if (!e->prog_since)
			e->prog_since = start_of(o, e, now);
		return 0;
	}
	sig = signature(o);
	if (sig == e->sig)
		return 0;
	ready_at = cond_time(o, "Ready", NULL);
	if (ready_at && (!e->sig || ready_at != e->ready_at))
		at = ready_at;
	if (o->last_update && (!e->sig || o->last_update != e->updated_at) &&
	    o->last_update > at)
		at = o->last_update;
	if (!at || at > now)
		at = now;
	memset(&out, 0, sizeof(out));
	out.at = at;
	out.ok = o->state == FLUX_STATE_READY;
	out.duration = e->prog_since && at >= e->prog_since
			   ? (long)(at - e->prog_since)
			   : -1;
	rev = out.ok ? (*o->revision ? o->revision : o->attempted_revision)
	      : *o->attempted_revision ? o->attempted_revision
				       : o->revision;
	flux_revision_short(rev, out.revision, sizeof(out.revision));
	out.message = o->ready_message;
	flux_ring_push(&e->ring, &out);
	e->sig = sig;
	e->ready_at = ready_at;
	e->updated_at = o->last_update;
	e->prog_since = 0;
	return 1;
}
