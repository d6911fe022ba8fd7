/* detail.h - the scrollable text of a pane's detail view: lines with a
 * role each, built by the pane, wrapped to the width they are drawn in
 * (a label's value goes on under itself), scrolled and drawn by the list
 * widget. Shared by every pane that has a detail view; while one is open,
 * its pane takes the whole body (see struct pane's detail). */
#ifndef JD_DETAIL_H
#define JD_DETAIL_H

#include <stddef.h>

#include "actions.h"
#include "layout.h"
#include "list.h"
#include "theme.h"

struct detail_line {
	enum role role;
	char *text; /* terminal-safe (made so when added) */
};

/* One screen row: part of a line, indented when it goes on. */
struct detail_row {
	size_t line;
	size_t off, len; /* bytes of the line's text */
	int indent;
};

struct detail {
	int open;
	struct detail_line *lines;
	size_t n, cap;
	struct detail_row *rows;
	size_t nrows, rows_cap;
	int wrap_w; /* the width rows were wrapped to; 0: wrap again */
	struct list_view view;
	char cell[2200];
};

void detail_clear(struct detail *d);
void detail_free(struct detail *d);
void detail_add(struct detail *d, enum role r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Open at the top (the caller then builds the lines). */
void detail_open(struct detail *d);
/* Lines are complete: they are wrapped again when next drawn, keeping the
 * scroll position. */
void detail_done(struct detail *d);
/* Wrap the lines to w columns (detail_draw does it; for tests). Returns
 * the number of rows. */
size_t detail_wrap(struct detail *d, int w);
/* The line the selected row belongs to (lines are what the pane added;
 * rows are their wrapped parts), or (size_t)-1 before it is drawn. */
size_t detail_selected_line(const struct detail *d);
/* Row i as drawn (indent and text), valid until the next call. */
const char *detail_row_text(struct detail *d, size_t i);
void detail_draw(struct detail *d, const struct rect *area, int focused);
/* Esc closes (UPD_ALL: the layout comes back), movement keys scroll;
 * PANE_NOT_MINE else. */
int detail_key(struct detail *d, enum action_id act);

#endif
