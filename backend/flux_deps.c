/* flux_deps.c - dependsOn: the first dependency not Ready, cycles, missing
 * objects, and the detail view's tree. Not the parsing of objects. */
#include "flux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flux_int.h"
#include "text.h"
#include "xalloc.h"

#define TREE_MAX_DEPTH 32
#define TREE_MAX_LINES 1000

/* ---- dependencies ------------------------------------------------------- */

static int dep_is_ready(const struct flux_object *d)
{
	return strcmp(s0(d->ready_status), "True") == 0 &&
	       !flux_generation_behind(d);
}

static long find_index(const struct flux_object *all, size_t n,
		       enum flux_kind kind, const char *ns, const char *name)
{
	const struct flux_object *o = flux_object_find(all, n, kind, ns, name);

	return o ? (long)(o - all) : -1;
}

struct dep_walk {
	const struct flux_object *all;
	size_t n;
	unsigned char *on_path;		  /* per index of all */
	const struct flux_object **stack; /* the current chain */
	size_t depth;
	struct flux_dep_root *out;
};

static void cycle_path(struct dep_walk *w, const struct flux_object *d)
{
	size_t i, start = 0, o = 0;
	char *p = w->out->path;
	size_t sz = sizeof(w->out->path);
	int k;

	for (i = 0; i < w->depth; i++)
		if (w->stack[i] == d)
			start = i;
	for (i = start; i <= w->depth; i++) {
		const struct flux_object *x = i < w->depth ? w->stack[i] : d;

		k = snprintf(p + o, sz - o, "%s%s/%s", i > start ? " -> " : "",
			     x->namespace, x->name);
		if (k < 0 || (size_t)k >= sz - o)
			break;
		o += (size_t)k;
	}
}

/* 1 when a root was found below obj (w->out filled). */
static int dep_walk(struct dep_walk *w, const struct flux_object *obj)
{
	size_t i;

	for (i = 0; i < obj->ndepends_on; i++) {
		const struct flux_ref *r = &obj->depends_on[i];
		long idx =
		    find_index(w->all, w->n, obj->kind, r->namespace, r->name);
		const struct flux_object *d;

		w->out->referrer = obj;
		w->out->ref = r;
		w->out->depth = w->depth;
		if (idx < 0) {
			w->out->status = FLUX_DEP_MISSING;
			return 1;
		}
		d = &w->all[idx];
		if (w->on_path[idx]) {
			w->out->status = FLUX_DEP_CYCLE;
			w->out->object = d;
			cycle_path(w, d);
			return 1;
		}
		if (dep_is_ready(d))
			continue;
		w->on_path[idx] = 1;
		w->stack[w->depth++] = d;
		if (dep_walk(w, d))
			return 1;
		w->depth--;
		w->on_path[idx] = 0;
		w->out->status = FLUX_DEP_NOT_READY;
		w->out->object = d;
		w->out->referrer = obj;
		w->out->ref = r;
		w->out->depth = w->depth;
		return 1;
	}
	return 0;
}

enum flux_dep_status flux_dependency_root(const struct flux_object *obj,
					  const struct flux_object *all,
					  size_t n, struct flux_dep_root *out)
{
	struct dep_walk w;
	long self;

	memset(out, 0, sizeof(*out));
	if (!obj || obj->ndepends_on == 0)
		return FLUX_DEP_OK;
	memset(&w, 0, sizeof(w));
	w.all = all;
	w.n = n;
	w.on_path = xcalloc(n + 1, 1);
	w.stack = xcalloc(n + 2, sizeof(*w.stack));
	w.out = out;
	self = find_index(all, n, obj->kind, obj->namespace, obj->name);
	if (self >= 0)
		w.on_path[self] = 1;
	w.stack[w.depth++] = self >= 0 ? &all[self] : obj;
	if (!dep_walk(&w, obj)) {
		memset(out, 0, sizeof(*out));
		out->status = FLUX_DEP_OK;
	}
	free(w.on_path);
	free(w.stack);
	return out->status;
}

/* ---- the dependency index ---------------------------------------------- */

#define DEP_NONE    (-1L) /* no dependency holds the object back */
#define DEP_MISSING (-2L) /* succ_ref names an object that does not exist */

struct flux_dep_index {
	const struct flux_object *all;
	size_t n;
	size_t *slot; /* open addressing by key: index + 1, 0 empty */
	size_t nslot; /* a power of two, at least 2n */
	long *succ;   /* the first dependency missing or not Ready */
	const struct flux_ref **succ_ref;
	unsigned char *state; /* 0 new, 1 on the current walk, 2 done */
	long *last;	      /* the chain's end (its succ is NONE/MISSING) */
	long *pred_last;      /* the node before last on the chain, or -1 */
	size_t *dist;	      /* steps to last, or to entry */
	long *entry;	      /* the first node of a loop reached, or -1 */
	long *loop_prev;      /* on a loop: the node whose succ it is */
	size_t *loop_len;     /* on a loop: its length */
};

static size_t dep_hash(enum flux_kind kind, const char *ns, const char *name)
{
	size_t h = 1469598103934665603u ^ (size_t)kind;
	const char *p;

	for (p = ns; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	h = (h ^ 0xff) * 1099511628211u;
	for (p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

static long dep_lookup(const struct flux_dep_index *x, enum flux_kind kind,
		       const char *ns, const char *name)
{
	size_t i = dep_hash(kind, s0(ns), s0(name)) & (x->nslot - 1);

	for (; x->slot[i]; i = (i + 1) & (x->nslot - 1)) {
		const struct flux_object *o = &x->all[x->slot[i] - 1];

		if (o->kind == kind && strcmp(s0(o->namespace), s0(ns)) == 0 &&
		    strcmp(s0(o->name), s0(name)) == 0)
			return (long)(x->slot[i] - 1);
	}
	return -1;
}

/* The first of obj's dependencies that is missing or not Ready (its
 * index, DEP_MISSING or DEP_NONE), and the reference that names it. */
static long dep_succ(const struct flux_dep_index *x,
		     const struct flux_object *obj,
		     const struct flux_ref **ref)
{
	size_t i;

	*ref = NULL;
	for (i = 0; i < obj->ndepends_on; i++) {
		const struct flux_ref *r = &obj->depends_on[i];
		long d = dep_lookup(x, obj->kind, r->namespace, r->name);

		if (d < 0) {
			*ref = r;
			return DEP_MISSING;
		}
		if (!dep_is_ready(&x->all[d])) {
			*ref = r;
			return d;
		}
	}
	return DEP_NONE;
}

/* Follow succ from start, without recursion, and fill the chain's
 * answers for every node met (each node is walked once over all calls). */
static void dep_resolve(struct flux_dep_index *x, long start, long *stack)
{
	size_t top = 0, i, k;
	long v = start;

	while (v >= 0 && x->state[v] == 0) {
		x->state[v] = 1;
		stack[top++] = v;
		v = x->succ[v];
	}
	if (v >= 0 && x->state[v] == 1) {
		/* a loop: from v's place on the stack to the top */
		for (k = 0; stack[k] != v; k++)
			;
		for (i = k; i < top; i++) {
			long u = stack[i];

			x->entry[u] = u;
			x->dist[u] = 0;
			x->loop_prev[u] = stack[i == k ? top - 1 : i - 1];
			x->loop_len[u] = top - k;
			x->state[u] = 2;
		}
		top = k;
	}
	while (top > 0) {
		long u = stack[--top];
		long s = x->succ[u];

		x->state[u] = 2;
		if (s < 0) {
			x->last[u] = u;
			x->pred_last[u] = -1;
			x->dist[u] = 0;
		} else if (x->entry[s] >= 0) {
			x->entry[u] = x->entry[s];
			x->dist[u] = x->dist[s] + 1;
		} else {
			x->last[u] = x->last[s];
			x->pred_last[u] =
			    x->pred_last[s] >= 0 ? x->pred_last[s] : u;
			x->dist[u] = x->dist[s] + 1;
		}
	}
}

struct flux_dep_index *flux_dep_index_new(const struct flux_object *all,
					  size_t n)
{
	struct flux_dep_index *x = xcalloc(1, sizeof(*x));
	long *stack;
	size_t i, j;

	x->all = all;
	x->n = n;
	x->nslot = 16;
	while (x->nslot < 2 * n)
		x->nslot *= 2;
	x->slot = xcalloc(x->nslot, sizeof(*x->slot));
	for (i = 0; i < n; i++) {
		/* the first of two equal keys wins, as flux_object_find */
		if (dep_lookup(x, all[i].kind, all[i].namespace,
			       all[i].name) >= 0)
			continue;
		j = dep_hash(all[i].kind, s0(all[i].namespace),
			     s0(all[i].name)) &
		    (x->nslot - 1);
		while (x->slot[j])
			j = (j + 1) & (x->nslot - 1);
		x->slot[j] = i + 1;
	}
	x->succ = xcalloc(n + 1, sizeof(*x->succ));
	x->succ_ref = xcalloc(n + 1, sizeof(*x->succ_ref));
	x->state = xcalloc(n + 1, 1);
	x->last = xcalloc(n + 1, sizeof(*x->last));
	x->pred_last = xcalloc(n + 1, sizeof(*x->pred_last));
	x->dist = xcalloc(n + 1, sizeof(*x->dist));
	x->entry = xcalloc(n + 1, sizeof(*x->entry));
	x->loop_prev = xcalloc(n + 1, sizeof(*x->loop_prev));
	x->loop_len = xcalloc(n + 1, sizeof(*x->loop_len));
	for (i = 0; i < n; i++) {
		x->succ[i] = dep_succ(x, &all[i], &x->succ_ref[i]);
		x->entry[i] = -1;
	}
	stack = xcalloc(n + 1, sizeof(*stack));
	for (i = 0; i < n; i++)
		if (!x->state[i])
			dep_resolve(x, (long)i, stack);
	free(stack);
	return x;
}

void flux_dep_index_free(struct flux_dep_index **xp)
{
	struct flux_dep_index *x = xp ? *xp : NULL;

	if (!x)
		return;
	free(x->slot);
	free(x->succ);
	free(x->succ_ref);
	free(x->state);
	free(x->last);
	free(x->pred_last);
	free(x->dist);
	free(x->entry);
	free(x->loop_prev);
	free(x->loop_len);
	free(x);
	*xp = NULL;
}

/* "ns/a -> ns/b -> ns/a" around the loop through e, cut to fit. */
static void loop_path(const struct flux_dep_index *x, long e, char *p,
		      size_t sz)
{
	size_t o = 0, i, len = x->loop_len[e];
	long *order = xcalloc(len + 1, sizeof(*order));
	long u = e;
	int k;

	/* loop_prev runs backwards: collect, then print forwards */
	for (i = len; i > 0; i--) {
		order[i - 1] = u;
		u = x->loop_prev[u];
	}
	/* order[len - 1] is e; start the text at e */
	for (i = 0; i <= len; i++) {
		long w = i == 0 ? e : order[i - 1];

		k = snprintf(p + o, sz - o, "%s%s/%s", i ? " -> " : "",
			     x->all[w].namespace, x->all[w].name);
		if (k < 0 || (size_t)k >= sz - o)
			break;
		o += (size_t)k;
	}
	free(order);
}

enum flux_dep_status flux_dep_index_root(struct flux_dep_index *x,
					 const struct flux_object *obj,
					 struct flux_dep_root *out)
{
	const struct flux_ref *ref;
	long self, s, last, pred;
	size_t lead = 0;

	memset(out, 0, sizeof(*out));
	if (!x || !obj || obj->ndepends_on == 0)
		return FLUX_DEP_OK;
	self = dep_lookup(x, obj->kind, obj->namespace, obj->name);
	if (self >= 0 && &x->all[self] != obj &&
	    dep_succ(x, obj, &ref) != x->succ[self])
		self = -1; /* another object by the same name */
	if (self >= 0) {
		s = self;
	} else {
		/* not in the list: one step of its own, then the chain */
		s = dep_succ(x, obj, &ref);
		if (s == DEP_NONE)
			return FLUX_DEP_OK;
		if (s == DEP_MISSING) {
			out->status = FLUX_DEP_MISSING;
			out->referrer = obj;
			out->ref = ref;
			out->depth = 1;
			return out->status;
		}
		lead = 1;
	}
	if (x->entry[s] >= 0) {
		long e = x->entry[s];
		long closer = x->loop_prev[e];

		out->status = FLUX_DEP_CYCLE;
		out->object = &x->all[e];
		out->referrer = &x->all[closer];
		out->ref = x->succ_ref[closer];
		out->depth = lead + x->dist[s] + x->loop_len[e];
		loop_path(x, e, out->path, sizeof(out->path));
		return out->status;
	}
	last = x->last[s];
	if (x->succ[last] == DEP_MISSING) {
		out->status = FLUX_DEP_MISSING;
		out->referrer = &x->all[last];
		out->ref = x->succ_ref[last];
		out->depth = lead + x->dist[s] + 1;
		return out->status;
	}
	if (last == s && !lead) {
		memset(out, 0, sizeof(*out));
		return FLUX_DEP_OK;
	}
	pred = last == s ? -1 : x->pred_last[s];
	out->status = FLUX_DEP_NOT_READY;
	out->object = &x->all[last];
	out->referrer = pred >= 0 ? &x->all[pred] : obj;
	out->ref = pred >= 0 ? x->succ_ref[pred] : ref;
	out->depth = lead + x->dist[s];
	return out->status;
}

char *flux_dependency_text(const struct flux_dep_root *r)
{
	switch (r->status) {
	case FLUX_DEP_OK:
		break;
	case FLUX_DEP_MISSING:
		return xasprintf("dependency %s/%s not found",
				 s0(r->ref->namespace), s0(r->ref->name));
	case FLUX_DEP_NOT_READY:
		return xasprintf("waiting for dependency %s/%s: %s",
				 r->object->namespace, r->object->name,
				 flux_object_message(r->object));
	case FLUX_DEP_CYCLE:
		return xasprintf("dependency cycle: %s", r->path);
	}
	return xstrdup("");
}

/* ---- tree --------------------------------------------------------------- */

struct tree {
	char **lines;
	size_t n, cap;
	const struct flux_object *all;
	size_t nall;
	const struct flux_object *path[TREE_MAX_DEPTH + 1];
	size_t depth;
	int full; /* TREE_MAX_LINES reached */
};

static void tree_add(struct tree *t, char *line)
{
	t->lines = xgrow(t->lines, &t->cap, t->n + 1, sizeof(*t->lines));
	t->lines[t->n++] = line;
}

/* "Kind/ns/name  State[  suspended][  (N objects)]", terminal-safe. */
static char *node_label(const struct flux_object *o)
{
	char inv[96] = "";
	char *raw, *safe;

	if (o->inventory_is_snapshot)
		snprintf(inv, sizeof(inv), "  (%ld kind%s in %ld namespace%s)",
			 o->inventory_count,
			 o->inventory_count == 1 ? "" : "s",
			 o->inventory_namespaces,
			 o->inventory_namespaces == 1 ? "" : "s");
	else if (o->inventory_count >= 0)
		snprintf(inv, sizeof(inv), "  (%ld object%s)",
			 o->inventory_count,
			 o->inventory_count == 1 ? "" : "s");
	raw = xasprintf("%s/%s/%s  %s%s%s", flux_kind_get(o->kind)->kind,
			o->namespace, o->name, flux_state_text(o->state),
			o->suspended ? "  suspended" : "", inv);
	safe = text_safe(raw, -1, NULL);
	free(raw);
	return safe;
}

static int tree_on_path(const struct tree *t, const struct flux_object *o)
{
	size_t i;

	for (i = 0; i < t->depth; i++)
		if (t->path[i] == o)
			return 1;
	return 0;
}

static void tree_children(struct tree *t, const struct flux_object *o,
			  const char *prefix)
{
	int ascii = text_ascii();
	const char *tee = ascii ? "|- " : "\xe2\x94\x9c\xe2\x94\x80 ";
	const char *elbow = ascii ? "`- " : "\xe2\x94\x94\xe2\x94\x80 ";
	const char *bar = ascii ? "|  " : "\xe2\x94\x82  ";
	size_t i;

	for (i = 0; i < o->ndepends_on && !t->full; i++) {
		const struct flux_ref *r = &o->depends_on[i];
		const struct flux_object *d = flux_object_find(
		    t->all, t->nall, o->kind, r->namespace, r->name);
		int last = i + 1 == o->ndepends_on;
		const char *conn = last ? elbow : tee;
		char *label, *raw, *child_prefix;

		if (t->n >= TREE_MAX_LINES) {
			tree_add(t, xasprintf("%s%s", prefix,
					      ascii ? "..." : "\xe2\x80\xa6"));
			t->full = 1;
			break;
		}
		if (!d) {
			raw = xasprintf("%s/%s/%s  not found", r->kind,
					r->namespace, r->name);
			label = text_safe(raw, -1, NULL);
			free(raw);
			tree_add(t, xasprintf("%s%s%s", prefix, conn, label));
			free(label);
			continue;
		}
		label = node_label(d);
		if (tree_on_path(t, d)) {
			tree_add(t, xasprintf("%s%s%s  (cycle)", prefix, conn,
					      label));
			free(label);
			continue;
		}
		tree_add(t, xasprintf("%s%s%s", prefix, conn, label));
		free(label);
		if (t->depth >= TREE_MAX_DEPTH)
			continue;
		child_prefix = xasprintf("%s%s", prefix, last ? "   " : bar);
		t->path[t->depth++] = d;
		tree_children(t, d, child_prefix);
		t->depth--;
		free(child_prefix);
	}
}

size_t flux_tree_lines(const struct flux_object *root,
		       const struct flux_object *all, size_t n, char ***lines)
{
	struct tree t;
	const struct flux_object *self;

	memset(&t, 0, sizeof(t));
	t.all = all;
	t.nall = n;
	tree_add(&t, node_label(root));
	self =
	    flux_object_find(all, n, root->kind, root->namespace, root->name);
	t.path[t.depth++] = self ? self : root;
	tree_children(&t, root, "");
	*lines = t.lines;
	return t.n;
}

void flux_lines_free(char ***lines, size_t n)
{
	size_t i;

	if (!lines || !*lines)
		return;
	for (i = 0; i < n; i++)
		free((*lines)[i]);
	free(*lines);
	*lines = NULL;
}
