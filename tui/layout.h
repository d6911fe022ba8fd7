/* layout.h - where things go on the screen, computed without curses:
 * title bar, panes (grid or tabs, zoomed or not), status bar. Unit-tested
 * by printing the layout as a string. */
#ifndef JD_LAYOUT_H
#define JD_LAYOUT_H

#include <stddef.h>

#define LAYOUT_MAX_PANES 9  /* focus keys 1 to 9 */
#define LAYOUT_GRID_PANES 4 /* slots of the grid */
#define LAYOUT_MIN_COLS 60
#define LAYOUT_MIN_ROWS 16
#define LAYOUT_GRID_COLS 120
#define LAYOUT_GRID_ROWS 35

struct rect {
	int y, x, h, w; /* h == 0: not shown */
};

enum layout_mode {
	LAYOUT_TOO_SMALL,
	LAYOUT_GRID,   /* the four main panes share the screen */
	LAYOUT_TABS,   /* one pane at a time under a tab strip */
};

struct layout {
	enum layout_mode mode;
	int cols, rows;
	struct rect title;
	struct rect tabs;   /* tab strip (tabs mode, or a zoomed pane) */
	struct rect status;
	int npanes;
	struct rect panes[LAYOUT_MAX_PANES];
	struct rect body;   /* everything between title and status */
};

/* Compute the layout for a cols x rows terminal of npanes panes with pane
 * `focus` focused; `zoom` shows the focused pane alone. grid is a bitmask
 * of the panes that may share the grid (the first LAYOUT_GRID_PANES of
 * them do, left to right, top to bottom); focusing any other pane shows it
 * full size under the tab strip. */
void layout_compute(struct layout *l, int cols, int rows, int npanes,
		    unsigned grid, int focus, int zoom);

/* The layout as text ("grid 200x50: title 0,0 200x1; pane0 ...") for
 * tests. */
void layout_describe(const struct layout *l, char *buf, size_t sz);

#endif
