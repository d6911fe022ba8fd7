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
