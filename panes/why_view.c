/* why_view.c - draws a why-chain into a detail view: each link as what it
 * is, then one line of why under it, a crash loop's log lines, the fix;
 * the likely cause marked; colours by severity. Remembers which line
 * shows which link, for Enter. No I/O. */
#include "why_view.h"

#include <stdlib.h>
#include <string.h>

#include "backend/xalloc.h"
#include "tui/screen.h"

void why_view_free(struct why_view *v)
{
	free(v->link);
	v->link = NULL;
	v->cap = 0;
}

void why_view_clear(struct why_view *v)
{
	size_t i;

	for (i = 0; i < v->cap; i++)
		v->link[i] = -1;
}

/* Line d->n (about to be added) shows link k. */
static void mark(struct why_view *v, const struct detail *d, long k)
{
	size_t i, old = v->cap;

	if (d->n >= v->cap) {
		v->link = xgrow(v->link, &v->cap, d->n + 1, sizeof(*v->link));
		for (i = old; i < v->cap; i++)
			v->link[i] = -1;
	}
	v->link[d->n] = k;
}

static enum role role_of(enum why_severity s)
{
	switch (s) {
	case WHY_OK:
		return ROLE_OK;
	case WHY_BAD:
		return ROLE_ERROR;
	case WHY_WARN:
		return ROLE_WARN;
	default:
		return ROLE_NORMAL;
	}
}

static const char *where(const struct why_link *l)
{
	switch (l->go) {
	case WHY_GOTO_NODE:
		return "Enter: the node";
	case WHY_GOTO_IMAGE:
		return l->fix == WHY_FIX_PROMOTE    ? "Enter, then p"
		       : l->fix == WHY_FIX_IMPORT   ? "Enter, then i and p"
		       : l->fix == WHY_FIX_OVERRIDE ? "Enter, then o"
						    : "Enter: the image";
	case WHY_GOTO_FLUX:
		return "Enter: its chain";
	default:
		return l->fix == WHY_FIX_RECONCILE ? "r" : NULL;
	}
}

void why_view_add(struct why_view *v, struct detail *d,
		  const struct why_chain *c, int loading, const char *why_not)
{
	const char *arrow = glyph(G_ARROW);
	size_t i, k;

	if (!c) {
		mark(v, d, -1);
		detail_add(d, why_not ? ROLE_ERROR : ROLE_PENDING, "  %s",
			   why_not ? why_not : "finding out why...");
		return;
	}
	for (i = 0; i < c->n; i++) {
		const struct why_link *l = &c->links[i];
		int ind = 2 + 2 * l->depth;
		const char *w = where(l);

		mark(v, d, (long)i);
		detail_add(d, l->likely ? ROLE_ERROR : role_of(l->severity),
			   "%*s%s %s", ind, "", l->likely ? arrow : " ",
			   l->what);
		/* said first: a narrow pane cuts the end of a line */
		if (*l->why || l->likely) {
			mark(v, d, (long)i);
			detail_add(d, ROLE_NORMAL, "%*s  %s%s", ind, "",
				   l->likely ? "likely cause: " : "", l->why);
		}
		for (k = 0; k < l->nlines; k++) {
			mark(v, d, (long)i);
			detail_add(d, ROLE_MUTED, "%*s  | %s", ind, "",
				   l->lines[k]);
		}
		if (l->fix || (w && l->likely)) {
			mark(v, d, (long)i);
			detail_add(d, ROLE_PENDING, "%*s  %s%s%s%s", ind, "",
				   l->fix ? "fix: " : "",
				   l->fix ? l->fix_text : "",
				   l->fix && w ? " - " : "", w ? w : "");
		}
	}
	mark(v, d, -1);
	detail_add(d, ROLE_MUTED, "  %s%s",
		   c->healthy ? "healthy"
			      : "Enter on a line goes where it points",
		   loading ? " (checking again...)" : "");
}

const struct why_link *why_view_link(const struct why_view *v,
				     const struct why_chain *c, size_t line)
{
	long k;

	if (!c || line >= v->cap)
		return NULL;
	k = v->link[line];
	return k >= 0 && (size_t)k < c->n ? &c->links[k] : NULL;
}

int why_view_enter(struct app *a, const struct why_link *l)
{
	if (!l)
		return -1;
	switch (l->go) {
	case WHY_GOTO_NODE:
		if (app_goto(a, "nodes", l->target) == 0)
			app_status(a, ROLE_OK, "node %s", l->target);
		return 1;
	case WHY_GOTO_IMAGE:
		if (app_goto(a, "images", l->target) < 0)
			return 1;
		/* the key first: the status bar cuts the end */
		if (l->fix == WHY_FIX_PROMOTE)
			app_status(a, ROLE_WARN,
				   "press p to promote %s (audited): %s",
				   l->target, l->why);
		else if (l->fix == WHY_FIX_IMPORT)
			app_status(
			    a, ROLE_WARN,
			    "press i to import %s, then p to promote it "
			    "(audited): %s",
			    l->target, l->why);
		else if (l->fix == WHY_FIX_OVERRIDE)
			app_status(a, ROLE_WARN,
				   "the scan gate blocks %s; o overrides it "
				   "with a reason (audited): %s",
				   l->target, l->why);
		else
			app_status(a, ROLE_MUTED, "%s: %s", l->target, l->why);
		return 1;
	case WHY_GOTO_FLUX:
		return 0;
	default:
		if (l->fix == WHY_FIX_RECONCILE) {
			app_status(a, ROLE_WARN, "r reconciles it (audited)");
			return 1;
		}
		return -1;
	}
}
