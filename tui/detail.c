/* detail.c - detail-view lines: building, scrolling and drawing through
 * the list widget. No knowledge of what the lines say. */
#include "detail.h"
#include "pane.h"
#include "backend/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void detail_clear(struct detail *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->lines[i].text);
	d->n = 0;
}

void detail_free(struct detail *d)
{
	detail_clear(d);
	free(d->lines);
	d->lines = NULL;
	d->cap = 0;
}

void detail_add(struct detail *d, enum role r, const char *fmt, ...)
{
	va_list ap;
	char buf[2048];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->lines = xgrow(d->lines, &d->cap, d->n + 1, sizeof(*d->lines));
	d->lines[d->n].role = r;
	d->lines[d->n].text = xstrdup(buf);
	d->n++;
}

void detail_open(struct detail *d)
{
	d->open = 1;
	d->view.sel = d->view.top = 0;
	d->view.sort_col = -1;
}

void detail_done(struct detail *d)
{
	d->view.nrows = d->n;
	list_clamp(&d->view);
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct detail *d = ud;

	(void)col;
	*role = d->lines[row].role;
	return d->lines[row].text;
}

void detail_draw(struct detail *d, const struct rect *area, int focused)
{
	static const struct list_col col[1] = {
		{"DETAIL (Esc back)", .prio = LIST_KEY, .flex = 1}};

	list_draw(area, col, 1, &d->view, cell, d, focused);
}

int detail_key(struct detail *d, enum action_id act)
{
	if (act == ACT_BACK) {
		d->open = 0;
		return UPD_DRAW;
	}
	return list_move(&d->view, act);
}
