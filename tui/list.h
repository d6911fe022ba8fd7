/* list.h - the table widget the list panes share: column widths by the
 * priority each pane declares per column (list_fit, pure and tested
 * without curses), cells shortened in their least useful part, a header
 * with the sort marker, selection, scrolling and the movement keys. Panes
 * give it cells; it does the drawing. It knows nothing of what they say. */
#ifndef JD_LIST_H
#define JD_LIST_H

#include <stddef.h>

#include "actions.h"
#include "layout.h"
#include "theme.h"

/* Which columns keep their room when the width runs short. */
enum list_prio {
	LIST_PRIO_AUTO = 0, /* from the older fields: flex is the message,
			     * drop 0 a key, else an extra */
	LIST_KEY,	    /* identity and state: always shown, never cut
			     * below min */
	LIST_MESSAGE,	    /* what is wrong: shown once the keys have
			     * their minimum, if min columns are left */
	LIST_EXTRA,	    /* the rest, lowest drop first, each shown
			     * whole or not at all */
};

/* How a cell wider than its column is shortened. */
enum list_cut {
	LIST_CUT_END = 0, /* "kustomize build fa…" */
	LIST_CUT_MIDDLE,  /* "aks-npsys…vmss000000": the end tells apart */
	LIST_CUT_REF,	  /* an image reference: the registry host goes
			   * first ("…/fluxcd/kured:1.6.1"), then the path,
			   * then the middle of the name, the tag last */
};

struct list_col {
	const char *title;
	int max;  /* widest it claims (0: no limit; a message without
		   * one claims LIST_MESSAGE_WANT before extras get room) */
	int flex; /* takes what is left over at the end (one column) */
	int drop; /* extras: the highest is dropped first */
	enum list_prio prio;
	int min; /* readable minimum; 0: keys and extras are never cut,
		  * a message needs LIST_MESSAGE_MIN */
	enum list_cut cut;
};

#define LIST_GAP	  2 /* columns between two columns */
#define LIST_MESSAGE_MIN  20
#define LIST_MESSAGE_WANT 40

struct list_view {
	size_t sel; /* selected row */
	size_t top; /* first row shown */
	size_t nrows;
	int page; /* rows visible at last draw */
	int sort_col;
	int sort_desc;
	/* Optional, per column: the widest cell of all rows (text_width),
	 * kept by a pane with many rows so that a frame does not measure
	 * every cell. NULL: list_draw measures them. */
	const int *content_w;
};

/* A cell's text (raw: the widget makes it safe) and role. */
typedef const char *(*list_cell_fn)(void *ud, size_t row, int col,
				    enum role *role);

/* Widths of ncols columns in avail screen columns, LIST_GAP apart.
 * want[c] is the widest cell of column c (the title, plus one column for
 * the sort marker, counts too). In order: keys get their minimum, then
 * the message its minimum, keys grow to their whole width, the message to
 * what it claims, extras come in whole by drop order, the message grows
 * to its whole width, and what is left goes to the flex column. width[c]
 * is 0 for a column not shown. Returns how many are shown. Pure. */
int list_fit(const struct list_col *cols, int ncols, const int *want,
	     int avail, int *width);
/* safe (terminal-safe text) shortened to at most w columns as how says,
 * into dst (always terminated). Returns the width written. Pure. */
int list_shorten(char *dst, size_t dstsz, const char *safe, int w,
		 enum list_cut how);

/* Bytes of the longest start of safe that is at most w columns wide
 * (combining marks stay with their character); its width in *used. */
size_t list_prefix(const char *safe, int w, int *used);

/* Movement keys; returns UPD_DRAW, or PANE_NOT_MINE for other actions. */
int list_move(struct list_view *v, enum action_id act);
/* Keep sel and top inside nrows and the page. */
void list_clamp(struct list_view *v);
void list_draw(const struct rect *area, const struct list_col *cols, int ncols,
	       struct list_view *v, list_cell_fn cell, void *ud, int focused);
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
