/* flux_timeline.h - the Flux pane's pictures of reconciliations: the last
 * outcomes of a Kustomization as marks in its row, and the
 * "Reconciliations" section of its detail view. Drawing only; the
 * outcomes come from backend/flux_history.h. */
#ifndef JD_FLUX_TIMELINE_H
#define JD_FLUX_TIMELINE_H

#include <stddef.h>
#include <time.h>

#include "backend/flux_history.h"
#include "tui/detail.h"

/* Marks in a row: the last this many outcomes. */
#define FLUX_TIMELINE_MARKS 8

/* The row's marks as text (oldest first; its width is the column's),
 * into buf. */
const char *flux_timeline_text(const struct flux_ring *r, int ascii,
			       char *buf, size_t sz);
/* Draw the marks at y, x in at most w columns, each in the theme's ok or
 * error role (the glyph tells them apart without colour). Returns the
 * columns drawn. */
int flux_timeline_draw(int y, int x, int w, const struct flux_ring *r,
		       int ascii);
/* The detail view's section: a header, then one line per outcome, newest
 * first: mark, age, ok or failed, duration ("-" when unknown), revision,
 * message. r NULL: a line saying none was seen yet. */
void flux_timeline_detail(struct detail *d, const struct flux_ring *r,
			  time_t now, int ascii);

#endif
