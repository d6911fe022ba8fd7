/* flux_copy.c - a deep copy of a Flux object model in one block, the
 * strings objects repeat taken from the string pool: what the Flux store
 * keeps and what callers keep beyond it. Not parsing, not texts. */
#include "flux.h"

#include <stdlib.h>
#include <string.h>

#include "strpool.h"
#include "xalloc.h"

/* Where the copy writes: measuring (base NULL) or filling the block.
 * Arrays first, then strings. */
struct sink {
	char *base;
	size_t arrays, strings, arrays_total;
};

static void *take(struct sink *k, size_t bytes)
{
	void *p = NULL;

	bytes = (bytes + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
	if (k->base)
		p = k->base + k->arrays;
	k->arrays += bytes;
	return p;
}

/* A string of this object alone (a name, a time): in the block. */
static char *own(struct sink *k, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *p = NULL;

	if (k->base) {
		p = k->base + k->arrays_total + k->strings;
		memcpy(p, s ? s : "", n);
	}
	k->strings += n;
	return p;
}

/* A string objects repeat (a reason, a revision, an interval): pooled
 * while the pool takes more. Both passes decide alike. */
static char *shared(struct sink *k, const char *s)
{
	char *p = strpool_intern(s ? s : "");

	return p ? p : own(k, s);
}

static void ref_copy(struct sink *k, struct flux_ref *d,
		     const struct flux_ref *s)
{
	d->kind = shared(k, s->kind);
	d->name = shared(k, s->name);
	d->namespace = shared(k, s->namespace);
}

static void copy(struct sink *k, struct flux_object *d,
		 const struct flux_object *s)
{
	struct flux_condition *conds;
	struct flux_ref *deps;
	size_t i;

	*d = *s; /* scalars and counts; every pointer is replaced below */
	d->block = NULL;
	d->api_version = shared(k, s->api_version);
	d->namespace = shared(k, s->namespace);
	d->name = own(k, s->name);
	d->resource_version = own(k, s->resource_version);
	d->created = own(k, s->created);
	d->interval = shared(k, s->interval);
	d->timeout = shared(k, s->timeout);
	d->url = shared(k, s->url);
	d->ref_text = shared(k, s->ref_text);
	d->secret_ref = shared(k, s->secret_ref);
	d->revision = shared(k, s->revision);
	d->attempted_revision = shared(k, s->attempted_revision);
	d->sha = shared(k, s->sha);
	d->ready_status = shared(k, s->ready_status);
	d->ready_reason = shared(k, s->ready_reason);
	d->ready_message = shared(k, s->ready_message);
	conds = s->nconditions
		    ? take(k, s->nconditions * sizeof(*d->conditions))
		    : NULL;
	for (i = 0; i < s->nconditions; i++) {
		const struct flux_condition *a = &s->conditions[i];
		struct flux_condition tmp = {0};
		struct flux_condition *b = conds ? &conds[i] : &tmp;

		b->type = shared(k, a->type);
		b->status = shared(k, a->status);
		b->reason = shared(k, a->reason);
		b->message = shared(k, a->message);
		b->last_transition = own(k, a->last_transition);
	}
	d->conditions = conds;
	d->last_handled_reconcile_at = own(k, s->last_handled_reconcile_at);
	d->requested_at = own(k, s->requested_at);
	ref_copy(k, &d->source_ref, &s->source_ref);
	d->path = own(k, s->path);
	d->chart = shared(k, s->chart);
	deps = s->ndepends_on
		   ? take(k, s->ndepends_on * sizeof(*d->depends_on))
		   : NULL;
	for (i = 0; i < s->ndepends_on; i++) {
		struct flux_ref tmp;

		ref_copy(k, deps ? &deps[i] : &tmp, &s->depends_on[i]);
	}
	d->depends_on = deps;
}

void flux_object_copy(struct flux_object *d, const struct flux_object *s)
{
	struct sink k;
	struct flux_object scratch;

	memset(&k, 0, sizeof(k));
	copy(&k, &scratch, s);
	k.arrays_total = k.arrays;
	k.base = xmalloc(k.arrays + k.strings);
	k.arrays = 0;
	k.strings = 0;
	copy(&k, d, s);
	d->block = k.base;
}
