/* pane.h - what a pane is: an ops struct (designated initializers, one per
 * file in panes/) plus its per-instance state and dirty flags. Panes turn
 * models into rows and keys into backend actions; they do no I/O. */
#ifndef JD_PANE_H
#define JD_PANE_H

#include <stddef.h>

#include "actions.h"
#include "layout.h"

struct app;
struct pane;

/* What an action handler returns: what needs updating (bits), or
 * PANE_NOT_MINE so that the global table gets the key. */
enum pane_update {
	UPD_NONE = 0,
	UPD_DRAW = 1,   /* redraw this pane */
	UPD_RECALC = 2, /* rebuild rows from the models, then redraw */
	UPD_ALL = 4,    /* redraw everything (layout changed) */
};
#define PANE_NOT_MINE (-1)

struct pane_ops {
	const char *name;   /* command-line name: ":nodes" */
	const char *title;  /* box and tab title */
	enum action_scope scope;
	int is_list;        /* the LIST scope's keys apply */
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
};

struct pane {
	const struct pane_ops *ops;
	void *st;
	int recalc;
	int redraw;
	char filter[256];
};

extern const struct pane_ops images_pane;
extern const struct pane_ops scans_pane;
extern const struct pane_ops nodes_pane;
extern const struct pane_ops flux_pane;
extern const struct pane_ops bootstrap_pane;
extern const struct pane_ops activity_pane;

#endif
