/* node_rows.h - the nodes pane's rows without curses: the nodes that pass
 * the filter, in the chosen order, and the widest cell of each column;
 * brought up to date from the node store's journal one node at a time
 * (a full rebuild only when the order, the filter or the minute changes,
 * or too much changed at once). Not the drawing (panes/nodes.c). */
#ifndef JD_NODE_ROWS_H
#define JD_NODE_ROWS_H

#include <stddef.h>
#include <time.h>

#include "backend/node_store.h"
#include "backend/nodes.h"

enum node_col {
	NODE_COL_NAME,
	NODE_COL_STATUS,
	NODE_COL_POOL,
	NODE_COL_MODE,
	NODE_COL_ROLES,
	NODE_COL_VERSION,
	NODE_COL_AGE,
	NODE_COL_FLAGS,
	NODE_NCOLS
};

/* Widths are counted up to this many columns (wider cells count as it). */
#define NODE_ROWS_MAX_W 255

struct node_rows {
	unsigned *ids; /* the rows: store ids, in order */
	size_t n, cap;
	int content_w[NODE_NCOLS]; /* widest cell of the rows, per column */
	/* What the rows were made from. */
	const struct node_store *store;
	unsigned long long gen;
	enum node_sort_key key;
	int desc;
	char filter[256];
	long long minute;
	/* Per column, how many rows have a cell of each width; per id, the
	 * widths its row was counted with. */
	unsigned hist[NODE_NCOLS][NODE_ROWS_MAX_W + 1];
	unsigned char (*cell_w)[NODE_NCOLS];
	size_t cell_w_cap;
	unsigned *scratch;
	size_t scratch_cap;
	unsigned full_builds, partial_updates; /* for tests */
};

/* Bring r up to date with s (r zeroed before the first call). now gives
 * the AGE column; a new minute rebuilds every row. */
void node_rows_update(struct node_rows *r, const struct node_store *s,
		      enum node_sort_key key, int desc, const char *filter,
		      time_t now);
/* Free what r holds and zero it. */
void node_rows_free(struct node_rows *r);
/* The node of a row (borrowed from the store), NULL when out of range. */
const struct node *node_rows_node(const struct node_rows *r, size_t row);
/* The position of the row of the node with that store id, or -1. */
long node_rows_find(const struct node_rows *r, unsigned id);

/* A cell's text as the pane shows it (raw server text: make it safe to
 * draw): "-" for an empty pool or mode, the status and pressure texts,
 * the age at now. Returns a pointer into n or into buf. */
const char *node_cell(const struct node *n, enum node_col col, time_t now,
		      char *buf, size_t sz);

#endif
