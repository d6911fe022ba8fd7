/* detail.c - detail-view lines: building, wrapping to the width drawn in,
 * scrolling and drawing through the list widget. No knowledge of what the
 * lines say. */
#include "detail.h"
#include "pane.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void detail_clear(struct detail *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->lines[i].text);
	d->n = 0;
	d->wrap_w = 0;
}

void detail_free(struct detail *d)
{
	detail_clear(d);
	free(d->lines);
	d->lines = NULL;
	d->cap = 0;
	free(d->rows);
	d->rows = NULL;
	d->nrows = d->rows_cap = 0;
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
	d->lines[d->n].text = text_safe(buf, -1, NULL);
	d->n++;
	d->wrap_w = 0;
}

void detail_open(struct detail *d)
{
	d->open = 1;
	d->view.sel = d->view.top = 0;
	d->view.sort_col = -1;
}

void detail_done(struct detail *d)
{
	d->wrap_w = 0;
}

/* Where a line's value starts: after the first run of two or more spaces
 * that follows its label ("  Message     the value"), else two columns in
 * from its own indent; never more than half the width. */
static int hang_of(const char *s, int w)
{
	char pre[256];
	size_t lead = strspn(s, " "), i;
	const char *run = strstr(s + lead, "  ");
	int hang = (int)lead + 2;

	if (run) {
		i = (size_t)(run - s) + strspn(run, " ");
		if (i < sizeof(pre)) {
			memcpy(pre, s, i);
			pre[i] = '\0';
			hang = text_width(pre);
		}
	}
	if (hang * 2 > w)
		hang = (int)lead * 2 > w ? 0 : (int)lead;
	return hang;
}

/* Bytes of s that make one row of at most w columns: up to the last space
 * that fits when the rest goes on, else cut hard (at least one
 * character, so that wrapping always moves on). */
static size_t row_cut(const char *s, int w)
{
	int used;
	size_t n = list_prefix(s, w, &used), k;
	unsigned char b = (unsigned char)s[0];

	if (!s[n])
		return n;
	for (k = n; k > 0 && s[k] != ' '; k--)
		;
	if (k > 0)
		return k;
	if (n)
		return n;
	return b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
}

static void add_row(struct detail *d, size_t line, size_t off, size_t len,
		    int indent)
{
	d->rows = xgrow(d->rows, &d->rows_cap, d->nrows + 1, sizeof(*d->rows));
	d->rows[d->nrows].line = line;
	d->rows[d->nrows].off = off;
	d->rows[d->nrows].len = len;
	d->rows[d->nrows].indent = indent;
	d->nrows++;
}

size_t detail_wrap(struct detail *d, int w)
{
	size_t i;

	d->nrows = 0;
	if (w < 8)
		w = 8;
	for (i = 0; i < d->n; i++) {
		const char *s = d->lines[i].text, *p = s;
		int hang = hang_of(s, w), indent = 0;

		do {
			size_t len = row_cut(p, w - indent);

			add_row(d, i, (size_t)(p - s), len, indent);
			p += len;
			while (*p == ' ')
				p++;
			indent = hang;
		} while (*p);
	}
	d->wrap_w = w;
	return d->nrows;
}

size_t detail_selected_line(const struct detail *d)
{
	return d->view.sel < d->nrows ? d->rows[d->view.sel].line
				      : (size_t)-1;
}

const char *detail_row_text(struct detail *d, size_t i)
{
	const struct detail_row *r;

	if (i >= d->nrows)
		return "";
	r = &d->rows[i];
	snprintf(d->cell, sizeof(d->cell), "%*s%.*s", r->indent, "",
		 (int)r->len, d->lines[r->line].text + r->off);
	return d->cell;
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct detail *d = ud;

	(void)col;
	*role =
	    row < d->nrows ? d->lines[d->rows[row].line].role : ROLE_NORMAL;
	return detail_row_text(d, row);
}

void detail_draw(struct detail *d, const struct rect *area, int focused)
{
	static const struct list_col col[1] = {
	    {"DETAIL (Esc back)", .prio = LIST_KEY, .flex = 1}};

	if (d->wrap_w != area->w) {
		/* keep the line at the top of the view at the top */
		size_t top = d->view.top < d->nrows ? d->rows[d->view.top].line
						    : 0,
		       sel = d->view.sel < d->nrows ? d->rows[d->view.sel].line
						    : 0,
		       i;

		detail_wrap(d, area->w);
		for (i = 0; i < d->nrows && d->rows[i].line < top; i++)
			;
		d->view.top = i;
		for (i = 0; i < d->nrows && d->rows[i].line < sel; i++)
			;
		d->view.sel = i;
	}
	d->view.nrows = d->nrows;
	list_draw(area, col, 1, &d->view, cell, d, focused);
}

int detail_key(struct detail *d, enum action_id act)
{
	if (act == ACT_BACK) {
		d->open = 0;
		return UPD_ALL;
	}
	return list_move(&d->view, act);
}
