/* list.c - draws a table of cells with a header, selection and scrolling,
 * and moves the selection. Widths are measured on the safe text. */
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

void list_draw(const struct rect *area, const struct list_col *cols,
	       int ncols, struct list_view *v, list_cell_fn cell, void *ud,
	       int focused)
{
	list_draw_pictures(area, cols, ncols, v, cell, NULL, ud, focused);
}

void list_draw_pictures(const struct rect *area, const struct list_col *cols,
			int ncols, struct list_view *v, list_cell_fn cell,
			list_picture_fn picture, void *ud, int focused)
{
	int width[MAX_COLS], shown[MAX_COLS], total = 0, c, flex = -1, x;
	size_t r;

	if (ncols > MAX_COLS)
		ncols = MAX_COLS;
	v->page = area->h - 1;
	if (v->page < 1)
		v->page = 1;
	list_clamp(v);
	/* Widths: the widest of the header and the rows. */
	for (c = 0; c < ncols; c++) {
		width[c] = text_width(cols[c].title) + 1;
		if (cols[c].flex)
			flex = c;
	}
	for (r = 0; r < v->nrows; r++) {
		for (c = 0; c < ncols; c++) {
			enum role role;
			const char *s = cell(ud, r, c, &role);
			int w = text_width(s);

			if (cols[c].max && w > cols[c].max)
				w = cols[c].max;
			/* The flexible column takes what is left over; its
			 * content must not push the others out. */
			if (cols[c].flex && w > 16)
				w = 16;
			if (w > width[c])
				width[c] = w;
		}
	}
	for (c = 0; c < ncols; c++) {
		shown[c] = 1;
		total += width[c] + (c ? 2 : 0);
	}
	/* Too wide: hide the least important columns before cutting text
	 * (a node name cut short hides the part that tells them apart). */
	while (total > area->w) {
		int worst = -1;

		for (c = 0; c < ncols; c++)
			if (shown[c] && cols[c].drop &&
			    (worst < 0 || cols[c].drop > cols[worst].drop))
				worst = c;
		if (worst < 0)
			break;
		shown[worst] = 0;
		total -= width[worst] + 2;
		width[worst] = -2;
	}
	if (flex >= 0 && total < area->w)
		width[flex] += area->w - total;
	/* Too wide: shrink the flexible column, then the last ones. */
	for (c = ncols - 1; total > area->w && c >= 0; c--) {
		int i = c == ncols - 1 && flex >= 0 ? flex : c;

		if (!shown[i])
			continue;
		int cut = total - area->w;

		if (width[i] - cut < 4)
			cut = width[i] > 4 ? width[i] - 4 : 0;
		width[i] -= cut;
		total -= cut;
	}
	scr_fill(area->y, area->x, area->w, ROLE_HEADER);
	for (c = 0, x = area->x; c < ncols && x < area->x + area->w; c++) {
		char title[64];
		int avail = area->x + area->w - x;

		if (!shown[c])
			continue;
		snprintf(title, sizeof(title), "%s%s", cols[c].title,
			 c == v->sort_col ? (v->sort_desc ? glyph(G_DOWN)
							  : glyph(G_UP))
					  : "");
		scr_put(area->y, x, width[c] < avail ? width[c] : avail,
			ROLE_HEADER, title);
		x += width[c] + 2;
	}
	for (r = v->top; r < v->nrows && (int)(r - v->top) < v->page; r++) {
		int y = area->y + 1 + (int)(r - v->top);
		int sel = r == v->sel;

		if (sel)
			scr_fill(y, area->x, area->w,
				 focused ? ROLE_SELECTED : ROLE_TAB);
		for (c = 0, x = area->x; c < ncols && x < area->x + area->w;
		     c++) {
			enum role role = ROLE_NORMAL;
			const char *s;
			int avail = area->x + area->w - x;

			if (!shown[c])
				continue;
			if (picture &&
			    picture(ud, r, c, y, x,
				    width[c] < avail ? width[c] : avail,
				    sel && focused)) {
				x += width[c] + 2;
				continue;
			}
			s = cell(ud, r, c, &role);
			if (sel && focused)
				role = ROLE_SELECTED;
			scr_put(y, x, width[c] < avail ? width[c] : avail,
				role, s);
			x += width[c] + 2;
		}
	}
}
