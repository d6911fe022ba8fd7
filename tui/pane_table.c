/* pane_table.c - the one list of panes. Their order here is their focus
 * key (1, 2, ...), their tab order and, for those marked .grid, their
 * place in the grid. The rest of tui/ names no pane. */
#include "pane.h"

extern const struct pane_ops images_pane;
extern const struct pane_ops scans_pane;
extern const struct pane_ops nodes_pane;
extern const struct pane_ops flux_pane;
extern const struct pane_ops bootstrap_pane;
extern const struct pane_ops activity_pane;

const struct pane_ops *const pane_table[] = {
	&images_pane, &scans_pane, &nodes_pane,
	&flux_pane,   &bootstrap_pane, &activity_pane,
};

const int pane_count = (int)(sizeof(pane_table) / sizeof(pane_table[0]));
