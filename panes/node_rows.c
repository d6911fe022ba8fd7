/* node_rows.c - the nodes pane's sorted, filtered rows and column widths,
 * updated from the node store's journal: rows of changed nodes are taken
 * out and put back in place; nothing is parsed, nothing else redone. */
#include "node_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/text.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"

/* More changes than this at once: rebuild instead. */
#define MAX_PARTIAL 1024
/* STATUS is never narrower than "NotReady": a node turning NotReady
 * must not widen the column and so move every row on the screen. */
#define STATUS_MIN_W 8

const char *node_cell(const struct node *n, enum node_col col, time_t now,
		      char *buf, size_t sz)
{
	switch (col) {
	case NODE_COL_NAME:
		return n->name;
	case NODE_COL_STATUS:
		return node_status_text(n, buf, sz);
	case NODE_COL_POOL:
		return *n->pool ? n->pool : "-";
	case NODE_COL_MODE:
		return *n->mode ? n->mode : "-";
	case NODE_COL_ROLES:
		return n->roles;
	case NODE_COL_VERSION:
		return n->version;
	case NODE_COL_AGE:
		return timefmt_age(n->created_at, now, buf, sz);
	case NODE_COL_FLAGS:
		return node_pressure_text(n->pressure, buf, sz);
	default:
		return "";
	}
}

/* ---- widths
 * ----------------------------------------------------------------- */

static void widths_reset(struct node_rows *r)
{
	memset(r->hist, 0, sizeof(r->hist));
	memset(r->content_w, 0, sizeof(r->content_w));
}

static void widths_count(struct node_rows *r, unsigned id,
			 const struct node *n, time_t now)
{
	char buf[64];
	int c;

	if (id >= r->cell_w_cap) {
		size_t old = r->cell_w_cap;

		r->cell_w = xgrow(r->cell_w, &r->cell_w_cap, (size_t)id + 1,
				  sizeof(*r->cell_w));
		memset(&r->cell_w[old], 0,
		       (r->cell_w_cap - old) * sizeof(*r->cell_w));
	}
	for (c = 0; c < NODE_NCOLS; c++) {
		int w = text_width(node_cell(n, c, now, buf, sizeof(buf)));

		if (w < 0)
			w = 0;
		if (c == NODE_COL_STATUS && w < STATUS_MIN_W)
			w = STATUS_MIN_W;
		if (w > NODE_ROWS_MAX_W)
			w = NODE_ROWS_MAX_W;
		r->cell_w[id][c] = (unsigned char)w;
		r->hist[c][w]++;
		if (w > r->content_w[c])
			r->content_w[c] = w;
	}
}

static void widths_uncount(struct node_rows *r, unsigned id)
{
	int c;

	for (c = 0; c < NODE_NCOLS; c++) {
		unsigned w = r->cell_w[id][c];

		if (r->hist[c][w])
			r->hist[c][w]--;
		while (r->content_w[c] > 0 && !r->hist[c][r->content_w[c]])
			r->content_w[c]--;
	}
}

/* ---- order
 * -------------------------------------------------------------------- */

static int row_cmp(const struct node_rows *r, const struct node_store *s,
		   unsigned a, unsigned b)
{
	return node_compare(node_store_by_id(s, a), node_store_by_id(s, b),
			    r->key, r->desc);
}

/* Stable merge sort of ids (no context argument in qsort). */
static void sort_ids(const struct node_rows *r, const struct node_store *s,
		     unsigned *v, unsigned *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_ids(r, s, v, tmp, mid);
	sort_ids(r, s, v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = row_cmp(r, s, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

static void scratch_want(struct node_rows *r, size_t n)
{
	r->scratch =
	    xgrow(r->scratch, &r->scratch_cap, n ? n : 1, sizeof(*r->scratch));
}

static void rebuild(struct node_rows *r, const struct node_store *s,
		    time_t now)
{
	size_t i, count = node_store_count(s);

	widths_reset(r);
	r->n = 0;
	r->ids = xgrow(r->ids, &r->cap, count ? count : 1, sizeof(*r->ids));
	for (i = 0; i < count; i++) {
		const struct node *n = node_store_at(s, i);
		unsigned id = node_store_id(s, i);

		if (!node_matches(n, r->filter))
			continue;
		widths_count(r, id, n, now);
		r->ids[r->n++] = id;
	}
	scratch_want(r, r->n);
	sort_ids(r, s, r->ids, r->scratch, r->n);
	r->full_builds++;
}

static int id_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static int touched(const unsigned *t, size_t nt, unsigned id)
{
	return bsearch(&id, t, nt, sizeof(*t), id_cmp) != NULL;
}

/* Where id goes among the rows (after equal ones: stable). */
static size_t insert_pos(const struct node_rows *r, const struct node_store *s,
			 unsigned id)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (row_cmp(r, s, id, r->ids[mid]) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void partial(struct node_rows *r, const struct node_store *s, size_t nt,
		    time_t now)
{
	unsigned *t = r->scratch;
	size_t i, k = 0, u = 0;

	qsort(t, nt, sizeof(*t), id_cmp);
	for (i = 0; i < nt; i++)
		if (!u || t[u - 1] != t[i])
			t[u++] = t[i];
	/* Out with the rows of every node that changed... */
	for (i = 0; i < r->n; i++) {
		if (touched(t, u, r->ids[i]))
			widths_uncount(r, r->ids[i]);
		else
			r->ids[k++] = r->ids[i];
	}
	r->n = k;
	/* ...and back in where they belong now, if they still exist. */
	for (i = 0; i < u; i++) {
		const struct node *n = node_store_by_id(s, t[i]);
		size_t pos;

		if (!n || !node_matches(n, r->filter))
			continue;
		widths_count(r, t[i], n, now);
		r->ids = xgrow(r->ids, &r->cap, r->n + 1, sizeof(*r->ids));
		pos = insert_pos(r, s, t[i]);
		memmove(&r->ids[pos + 1], &r->ids[pos],
			(r->n - pos) * sizeof(*r->ids));
		r->ids[pos] = t[i];
		r->n++;
	}
	r->partial_updates++;
}

void node_rows_update(struct node_rows *r, const struct node_store *s,
		      enum node_sort_key key, int desc, const char *filter,
		      time_t now)
{
	long long minute = (long long)now / 60;
	long nt = -1;

	if (!filter)
		filter = "";
	if (!s) {
		r->n = 0;
		r->store = NULL;
		widths_reset(r);
		return;
	}
	if (r->store == s && r->key == key && r->desc == desc &&
	    r->minute == minute && strcmp(r->filter, filter) == 0) {
		scratch_want(r, MAX_PARTIAL);
		nt = node_store_changed_since(s, r->gen, r->scratch,
					      MAX_PARTIAL);
	}
	r->store = s;
	r->key = key;
	r->desc = desc;
	r->minute = minute;
	snprintf(r->filter, sizeof(r->filter), "%s", filter);
	if (nt < 0)
		rebuild(r, s, now);
	else if (nt > 0)
		partial(r, s, (size_t)nt, now);
	r->gen = node_store_gen(s);
}

void node_rows_free(struct node_rows *r)
{
	free(r->ids);
	free(r->cell_w);
	free(r->scratch);
	memset(r, 0, sizeof(*r));
}

const struct node *node_rows_node(const struct node_rows *r, size_t row)
{
	if (!r->store || row >= r->n)
		return NULL;
	return node_store_by_id(r->store, r->ids[row]);
}

long node_rows_find(const struct node_rows *r, unsigned id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->ids[i] == id)
			return (long)i;
	return -1;
}
