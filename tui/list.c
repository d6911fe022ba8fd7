/* list.c - draws a table of cells with a header, selection and scrolling,
 * and moves the selection. Widths are measured on the safe text and fitted
 * by list_fit (list_fit.c); what the cells say is the pane's business. */
#include "list.h"
#include "pane.h"
#include "screen.h"
#include "backend/text.h"

#include <stdio.h>
#include <string.h>

#define MAX_COLS 16

void list_clamp(struct list_view *v)
{
	size_t page = v->page > 0 ? (size_t)v->page : 1;

	if (v->nrows == 0) {
		v->sel = v->top = 0;
		return;
	}
	if (v->sel >= v->nrows)
		v->sel = v->nrows - 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + page)
		v->top = v->sel - page + 1;
	if (v->top + page > v->nrows)
		v->top = v->nrows > page ? v->nrows - page : 0;
}

int list_move(struct list_view *v, enum action_id act)
{
	size_t page = v->page > 1 ? (size_t)v->page - 1 : 1;

	switch (act) {
	case ACT_UP:
		if (v->sel > 0)
			v->sel--;
		break;
	case ACT_DOWN:
		if (v->sel + 1 < v->nrows)
			v->sel++;
		break;
	case ACT_PAGE_UP:
		v->sel = v->sel > page ? v->sel - page : 0;
		break;
	case ACT_PAGE_DOWN:
		v->sel += page;
		if (v->nrows && v->sel >= v->nrows)
			v->sel = v->nrows - 1;
		break;
	case ACT_TOP:
		v->sel = 0;
		break;
	case ACT_BOTTOM:
		v->sel = v->nrows ? v->nrows - 1 : 0;
		break;
	default:
		return PANE_NOT_MINE;
	}
	list_clamp(v);
	return UPD_DRAW;
}

/* The widest cell of each column, measured on the safe text, or as the
 * pane keeps it (content_w: one pass over the columns, not the rows). */
static void measure(int ncols, const struct list_view *v, list_cell_fn cell,
		    void *ud, int *want)
{
	size_t r;
	int c;

	for (c = 0; c < ncols; c++)
		want[c] = v->content_w && v->nrows ? v->content_w[c] : 0;
	if (v->content_w)
		return;
	for (r = 0; r < v->nrows; r++)
		for (c = 0; c < ncols; c++) {
			enum role role;
			int w = text_width(cell(ud, r, c, &role));

			if (w > want[c])
				want[c] = w;
		}
}

/* One cell, shortened as its column says. */
static void put_cell(int y, int x, int w, enum role role, const char *s,
		     enum list_cut how)
{
	char safe[2048], out[2048];

	text_safe_buf(safe, sizeof(safe), s, -1);
	list_shorten(out, sizeof(out), safe, w, how);
	scr_put(y, x, w, role, out);
}

void list_draw(const struct rect *area, const struct list_col *cols, int ncols,
	       struct list_view *v, list_cell_fn cell, void *ud, int focused)
{
	list_draw_pictures(area, cols, ncols, v, cell, NULL, ud, focused);
}

void list_draw_pictures(const struct rect *area, const struct list_col *cols,
			int ncols, struct list_view *v, list_cell_fn cell,
			list_picture_fn picture, void *ud, int focused)
{
	int width[MAX_COLS], want[MAX_COLS] = {0}, c, x;
	size_t r;

	if (ncols > MAX_COLS)
		ncols = MAX_COLS;
	v->page = area->h - 1;
	if (v->page < 1)
		v->page = 1;
	list_clamp(v);
	measure(ncols, v, cell, ud, want);
	list_fit(cols, ncols, want, area->w, width);
	scr_fill(area->y, area->x, area->w, ROLE_HEADER);
	for (c = 0, x = area->x; c < ncols; c++) {
		char title[64];

		if (!width[c])
			continue;
		snprintf(title, sizeof(title), "%s%s", cols[c].title,
			 c == v->sort_col
			     ? (v->sort_desc ? glyph(G_DOWN) : glyph(G_UP))
			     : "");
		scr_put(area->y, x, width[c], ROLE_HEADER, title);
		x += width[c] + LIST_GAP;
	}
	for (r = v->top; r < v->nrows && (int)(r - v->top) < v->page; r++) {
		int y = area->y + 1 + (int)(r - v->top);
		int sel = r == v->sel;

		if (sel)
			scr_fill(y, area->x, area->w,
				 focused ? ROLE_SELECTED : ROLE_TAB);
		for (c = 0, x = area->x; c < ncols; c++) {
			enum role role = ROLE_NORMAL;
			const char *s;

			if (!width[c])
				continue;
			if (picture &&
			    picture(ud, r, c, y, x, width[c],
				    sel && focused)) {
				x += width[c] + LIST_GAP;
				continue;
			}
			s = cell(ud, r, c, &role);
			if (sel && focused)
				role = ROLE_SELECTED;
			put_cell(y, x, width[c], role, s, cols[c].cut);
			x += width[c] + LIST_GAP;
		}
	}
}
