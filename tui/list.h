/* list.h - the table widget the list panes share: column widths from
 * content, a header with the sort marker, selection, scrolling and the
 * movement keys. Panes give it cells; it does the drawing. */
#ifndef JD_LIST_H
#define JD_LIST_H

#include <stddef.h>

#include "actions.h"
#include "layout.h"
#include "theme.h"

struct list_col {
	const char *title;
	int max;    /* widest it may get (0: no limit) */
	int flex;   /* takes what is left over (one column) */
	int drop;   /* when too narrow, hide columns with the highest drop
		     * first; 0: never hidden */
};

struct list_view {
	size_t sel;   /* selected row */
	size_t top;   /* first row shown */
	size_t nrows;
	int page;     /* rows visible at last draw */
	int sort_col;
	int sort_desc;
};

/* A cell's text (raw: the widget makes it safe) and role. */
typedef const char *(*list_cell_fn)(void *ud, size_t row, int col,
				    enum role *role);

/* Movement keys; returns UPD_DRAW, or PANE_NOT_MINE for other actions. */
int list_move(struct list_view *v, enum action_id act);
/* Keep sel and top inside nrows and the page. */
void list_clamp(struct list_view *v);
void list_draw(const struct rect *area, const struct list_col *cols,
	       int ncols, struct list_view *v, list_cell_fn cell, void *ud,
	       int focused);
/* A cell that is a picture (a bar): draws it at y, x in w columns, after
 * the row's background, and returns 1; 0 leaves it to the cell's text
 * (which still gives every column its width). sel: the focused list's
 * selected row. */
typedef int (*list_picture_fn)(void *ud, size_t row, int col, int y, int x,
			       int w, int sel);
/* list_draw, with picture asked first for every cell of the rows. */
void list_draw_pictures(const struct rect *area, const struct list_col *cols,
			int ncols, struct list_view *v, list_cell_fn cell,
			list_picture_fn picture, void *ud, int focused);

#endif
