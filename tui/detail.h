/* detail.h - the scrollable text of a pane's detail view: lines with a
 * role each, built by the pane, drawn and scrolled by the list widget.
 * Shared by every pane that has a detail view. */
#ifndef JD_DETAIL_H
#define JD_DETAIL_H

#include <stddef.h>

#include "actions.h"
#include "layout.h"
#include "list.h"
#include "theme.h"

struct detail_line {
	enum role role;
	char *text; /* raw: made safe when drawn */
};

struct detail {
	int open;
	struct detail_line *lines;
	size_t n, cap;
	struct list_view view;
};

void detail_clear(struct detail *d);
void detail_free(struct detail *d);
void detail_add(struct detail *d, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Open at the top (the caller then builds the lines). */
void detail_open(struct detail *d);
/* Lines are complete: keep the scroll position inside them. */
void detail_done(struct detail *d);
void detail_draw(struct detail *d, const struct rect *area, int focused);
/* Esc closes (UPD_DRAW), movement keys scroll; PANE_NOT_MINE else. */
int detail_key(struct detail *d, enum action_id act);

#endif
