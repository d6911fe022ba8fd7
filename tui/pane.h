/* pane.h - what a pane is: an ops struct (designated initializers, one per
 * file in panes/) plus its per-instance state and dirty flags, and the one
 * table of panes (tui/pane_table.c) that focus keys, `:` commands, tabs
 * and the grid are derived from. Panes turn models into rows and keys into
 * backend actions; they do no I/O. */
#ifndef JD_PANE_H
#define JD_PANE_H

#include <stddef.h>

#include "actions.h"
#include "layout.h"

struct app;
struct detail;
struct pane;

/* What an action handler returns: what needs updating (bits), or
 * PANE_NOT_MINE so that the global table gets the key. */
enum pane_update {
	UPD_NONE = 0,
	UPD_DRAW = 1,   /* redraw this pane */
	UPD_RECALC = 2, /* rebuild rows from the models, then redraw */
	UPD_ALL = 4,    /* redraw the whole screen (a dialog opened or
			 * closed, the layout changed) */
};
#define PANE_NOT_MINE (-1)

struct pane_ops {
	const char *name;   /* command-line name: ":nodes" */
	const char *title;  /* box and tab title */
	enum action_scope scope;
	int is_list;        /* the LIST scope's keys apply */
	int grid;           /* shares the grid on a large terminal (the first
			     * LAYOUT_GRID_PANES such panes do) */
	int filterable;     /* `/` filters its rows (else `/` says so) */
	int start_focused;  /* focused at start (the first such pane) */
	unsigned models;    /* the models it shows (enum session_model): it
			     * is recalculated when one of them changes */
	void (*init)(struct pane *p, struct app *a);
	void (*fini)(struct pane *p);
	/* Models -> rows (sorting, filtering). Called before draw when
	 * p->recalc is set. */
	void (*recalc)(struct pane *p, struct app *a);
	/* Rows -> screen, inside area (the box is drawn by the app). */
	void (*draw)(struct pane *p, struct app *a, const struct rect *area,
		     int focused);
	int (*action)(struct pane *p, struct app *a, enum action_id act);
	/* A short state for the box title or tab: "7/7 Ready". */
	void (*headline)(struct pane *p, struct app *a, char *buf, size_t sz);
	/* The cluster connection is going away: drop calls made on it. */
	void (*disconnect)(struct pane *p, struct app *a);
	/* Select the row named key (a node's name, an image as the pipeline
	 * names it), leaving a detail view or a filter that hides it: 0, or
	 * -1 when there is no such row. May be NULL (app_goto says so). */
	int (*select)(struct pane *p, struct app *a, const char *key);
};

struct pane {
	const struct pane_ops *ops;
	void *st;
	int recalc; /* rows must be rebuilt from the models */
	int redraw; /* its box must be drawn again */
	char filter[256];
	/* Its detail view, if it has one (set by init): while open, the
	 * pane takes the whole body, as zoomed, until it is closed. */
	const struct detail *detail;
};

/* The panes, in focus-key order (pane i is focused by key i+1). Adding a
 * pane is a file in panes/ and a line in tui/pane_table.c. */
extern const struct pane_ops *const pane_table[];
extern const int pane_count;

#endif
