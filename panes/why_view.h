/* why_view.h - a why-chain (backend/why.h) as lines of a detail view, and
 * Enter on one of them: the node in the nodes pane, the image in the
 * images pane with the key that fixes it said on the status bar. Used by
 * the Flux pane's detail view. No I/O. */
#ifndef JD_WHY_VIEW_H
#define JD_WHY_VIEW_H

#include <stddef.h>

#include "backend/why.h"
#include "tui/app.h"
#include "tui/detail.h"

struct why_view {
	long *link; /* per detail line: the chain's link, or -1 */
	size_t cap;
};

void why_view_free(struct why_view *v);
/* Forget the lines (the detail is being built again). */
void why_view_clear(struct why_view *v);
/* Add the chain's lines to d (c NULL: "loading", or why_not when it is
 * not NULL). */
void why_view_add(struct why_view *v, struct detail *d,
		  const struct why_chain *c, int loading, const char *why_not);
/* The link shown on detail line i of chain c, or NULL. */
const struct why_link *why_view_link(const struct why_view *v,
				     const struct why_chain *c, size_t line);
/* Enter on a link: go where it points (nodes, images) and say the key
 * that fixes it. Returns 1 when it went somewhere, 0 when the link does
 * not point into another pane (a Flux object: the caller's), -1 when it
 * points nowhere. */
int why_view_enter(struct app *a, const struct why_link *l);

#endif
