/* layout.c - screen geometry for the title bar, panes and status bar.
 * Pure arithmetic: no curses, no state. */
#include "layout.h"

#include <stdio.h>
#include <string.h>

static struct rect mk(int y, int x, int h, int w)
{
	struct rect r;

	r.y = y;
	r.x = x;
	r.h = h < 0 ? 0 : h;
	r.w = w < 0 ? 0 : w;
	return r;
}

void layout_compute(struct layout *l, int cols, int rows, int npanes,
		    unsigned grid, int focus, int zoom)
{
	int body_y, body_h, i, slot[LAYOUT_GRID_PANES], nslots = 0;
	int focus_in_grid = 0;

	memset(l, 0, sizeof(*l));
	l->cols = cols;
	l->rows = rows;
	if (npanes < 1)
		npanes = 1;
	if (npanes > LAYOUT_MAX_PANES)
		npanes = LAYOUT_MAX_PANES;
	l->npanes = npanes;
	if (focus < 0 || focus >= npanes)
		focus = 0;
	for (i = 0; i < npanes && nslots < LAYOUT_GRID_PANES; i++)
		if (grid & (1u << i)) {
			focus_in_grid |= i == focus;
			slot[nslots++] = i;
		}
	if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
		l->mode = LAYOUT_TOO_SMALL;
		return;
	}
	l->title = mk(0, 0, 1, cols);
	l->status = mk(rows - 1, 0, 1, cols);
	body_y = 1;
	body_h = rows - 2;
	l->body = mk(body_y, 0, body_h, cols);
	if (cols >= LAYOUT_GRID_COLS && rows >= LAYOUT_GRID_ROWS && !zoom &&
	    nslots == LAYOUT_GRID_PANES && focus_in_grid) {
		int lw = cols / 2, rw = cols - lw;
		int th = body_h / 2, bh = body_h - th;

		l->mode = LAYOUT_GRID;
		l->panes[slot[0]] = mk(body_y, 0, th, lw);
		l->panes[slot[1]] = mk(body_y, lw, th, rw);
		l->panes[slot[2]] = mk(body_y + th, 0, bh, lw);
		l->panes[slot[3]] = mk(body_y + th, lw, bh, rw);
		return;
	}
	l->mode = LAYOUT_TABS;
	l->tabs = mk(body_y, 0, 1, cols);
	for (i = 0; i < npanes; i++)
		l->panes[i] = mk(0, 0, 0, 0);
	l->panes[focus] = mk(body_y + 1, 0, body_h - 1, cols);
}

static size_t put_rect(char *buf, size_t sz, size_t off, const char *name,
		       const struct rect *r)
{
	int n;

	if (off >= sz || !r->h)
		return off;
	n = snprintf(buf + off, sz - off, " %s %d,%d %dx%d;", name, r->y, r->x,
		     r->w, r->h);
	return n < 0 ? off : off + (size_t)n;
}

void layout_describe(const struct layout *l, char *buf, size_t sz)
{
	static const char *const modes[] = {"too-small", "grid", "tabs"};
	size_t off;
	int n, i;
	char name[16];

	n = snprintf(buf, sz, "%s %dx%d:", modes[l->mode], l->cols, l->rows);
	off = n < 0 ? 0 : (size_t)n;
	off = put_rect(buf, sz, off, "title", &l->title);
	off = put_rect(buf, sz, off, "tabs", &l->tabs);
	for (i = 0; i < l->npanes; i++) {
		snprintf(name, sizeof(name), "pane%d", i % 10);
		off = put_rect(buf, sz, off, name, &l->panes[i]);
	}
	put_rect(buf, sz, off, "status", &l->status);
}
