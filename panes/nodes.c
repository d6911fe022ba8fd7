/* nodes.c - the node readiness pane: summary, a sortable and filterable
 * table (not-ready first), a detail view, and cordon/uncordon through the
 * confirm dialog. Rows come from the session's node store (node_rows.c
 * keeps them in order; nodes_spark.c draws the summary line); no I/O
 * here. */
#include "tui/app.h"
#include "node_rows.h"
#include "nodes_spark.h"
#include "backend/session.h"
#include "tui/detail.h"
#include "tui/list.h"
#include "tui/screen.h"
#include "backend/kube_name.h"
#include "backend/node_ops.h"
#include "backend/nodes.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct pane_ops nodes_pane;

enum { COL_NAME = NODE_COL_NAME, COL_STATUS = NODE_COL_STATUS,
       COL_POOL = NODE_COL_POOL, COL_MODE = NODE_COL_MODE,
       COL_ROLES = NODE_COL_ROLES, COL_VERSION = NODE_COL_VERSION,
       COL_AGE = NODE_COL_AGE, COL_FLAGS = NODE_COL_FLAGS,
       NCOLS = NODE_NCOLS };

/* Name and status first (a long name loses its middle: its end tells
 * the nodes of a pool apart), then the pressure flags and the rest. */
static const struct list_col cols[NCOLS] = {
	[COL_NAME] = {"NAME", .prio = LIST_KEY, .min = 20,
		      .cut = LIST_CUT_MIDDLE},
	[COL_STATUS] = {"STATUS", .prio = LIST_KEY},
	[COL_POOL] = {"POOL", 20, .prio = LIST_EXTRA, .drop = 3},
	[COL_MODE] = {"MODE", .prio = LIST_EXTRA, .drop = 5},
	[COL_ROLES] = {"ROLES", 16, .prio = LIST_EXTRA, .drop = 6},
	[COL_VERSION] = {"VERSION", .prio = LIST_EXTRA, .drop = 4},
	[COL_AGE] = {"AGE", .prio = LIST_EXTRA, .drop = 2},
	[COL_FLAGS] = {"PRESSURE", .prio = LIST_EXTRA, .drop = 1},
};

/* Column -> sort key; PRESSURE sorts as STATUS. */
static const enum node_sort_key col_key[NCOLS] = {
	NODE_SORT_NAME, NODE_SORT_STATUS, NODE_SORT_POOL, NODE_SORT_MODE,
	NODE_SORT_ROLES, NODE_SORT_VERSION, NODE_SORT_AGE, NODE_SORT_STATUS,
};

struct nodes_state {
	struct node_rows rows; /* from the session's node store */
	struct list_view view;
	char selected[256];
	struct cordon_req *pending; /* cordons in flight */
	struct detail detail;
	char cell[128];
};

struct cordon_req {
	struct app *a;
	struct nodes_state *st; /* to unlink itself */
	struct node_op *op;
	int on;
	char name[256];
	struct cordon_req *next;
};

static void nodes_init(struct pane *p, struct app *a)
{
	struct nodes_state *st = xcalloc(1, sizeof(*st));

	(void)a;
	st->view.sort_col = COL_NAME;
	p->st = st;
	p->detail = &st->detail;
}

static void nodes_fini(struct pane *p)
{
	struct nodes_state *st = p->st;

	node_rows_free(&st->rows);
	detail_free(&st->detail);
	free(st);
	p->st = NULL;
}

static const struct node *selected_node(struct nodes_state *st)
{
	if (!st->view.nrows || st->view.sel >= st->view.nrows)
		return NULL;
	return node_rows_node(&st->rows, st->view.sel);
}

static void build_detail(struct nodes_state *st, time_t now)
{
	const struct node *n = selected_node(st);
	char status[NODE_STATUS_LEN], age[TIMEFMT_AGE_LEN];
	struct detail *dv = &st->detail;
	size_t i;

	detail_clear(dv);
	if (!n) {
		detail_add(dv, ROLE_MUTED, "The node is gone.");
		detail_done(dv);
		return;
	}
	detail_add(dv, ROLE_HEADER, "Node %s", n->name);
	detail_add(dv, n->ready == NODE_READY ? ROLE_OK : ROLE_ERROR,
		   "  Status    %s",
		   node_status_text(n, status, sizeof(status)));
	detail_add(dv, ROLE_NORMAL, "  Pool      %s (%s)",
		   *n->pool ? n->pool : "-", *n->mode ? n->mode : "-");
	detail_add(dv, ROLE_NORMAL, "  Roles     %s", n->roles);
	detail_add(dv, ROLE_NORMAL, "  Created   %s (%s ago)", n->created,
		   timefmt_age(n->created_at, now, age, sizeof(age)));
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Conditions");
	for (i = 0; i < n->nconditions; i++) {
		const struct node_condition *c = &n->conditions[i];
		int bad = strcmp(c->type, "Ready") == 0
			      ? strcmp(c->status, "True") != 0
			      : strcmp(c->status, "False") != 0;
		time_t t = 0;

		timefmt_parse_rfc3339(c->last_transition, &t, NULL, NULL);
		detail_add(dv, bad ? ROLE_ERROR : ROLE_OK,
			   "  %-18s %-7s %-26s %s ago", c->type, c->status,
			   c->reason, timefmt_age(t, now, age, sizeof(age)));
		if (*c->message)
			detail_add(dv, ROLE_MUTED, "      %s", c->message);
	}
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Taints");
	if (!n->ntaints)
		detail_add(dv, ROLE_MUTED, "  none");
	for (i = 0; i < n->ntaints; i++)
		detail_add(dv, ROLE_NORMAL, "  %s%s%s:%s", n->taints[i].key,
			   *n->taints[i].value ? "=" : "", n->taints[i].value,
			   n->taints[i].effect);
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Capacity / allocatable");
	for (i = 0; i < n->ncapacity; i++) {
		const char *alloc = "-";
		size_t k;

		for (k = 0; k < n->nallocatable; k++)
			if (strcmp(n->allocatable[k].key,
				   n->capacity[i].key) == 0)
				alloc = n->allocatable[k].value;
		detail_add(dv, ROLE_NORMAL, "  %-20s %-14s %s",
			   n->capacity[i].key, n->capacity[i].value, alloc);
	}
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Addresses");
	for (i = 0; i < n->naddresses; i++)
		detail_add(dv, ROLE_NORMAL, "  %-12s %s", n->addresses[i].type,
			   n->addresses[i].address);
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "System");
	detail_add(dv, ROLE_NORMAL, "  Kubelet   %s", n->info.kubelet);
	detail_add(dv, ROLE_NORMAL, "  OS image  %s (%s/%s)", n->info.os_image,
		   n->info.os, n->info.arch);
	detail_add(dv, ROLE_NORMAL, "  Kernel    %s", n->info.kernel);
	detail_add(dv, ROLE_NORMAL, "  Runtime   %s",
		   n->info.container_runtime);
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Labels");
	for (i = 0; i < n->nlabels; i++)
		detail_add(dv, ROLE_NORMAL, "  %s=%s", n->labels[i].key,
			   n->labels[i].value);
	detail_done(dv);
}

static void nodes_recalc(struct pane *p, struct app *a)
{
	struct nodes_state *st = p->st;
	struct node_store *ns = app_nodes(a);
	const struct node *keep = selected_node(st);
	long id, row;

	if (keep)
		snprintf(st->selected, sizeof(st->selected), "%s", keep->name);
	node_rows_update(&st->rows, ns, col_key[st->view.sort_col],
			 st->view.sort_desc, p->filter, time(NULL));
	st->view.nrows = st->rows.n;
	st->view.content_w = st->rows.content_w;
	/* The selection follows its node wherever it moved. */
	id = ns && st->selected[0] ? node_store_find_id(ns, st->selected)
				   : -1;
	row = id >= 0 ? node_rows_find(&st->rows, (unsigned)id) : -1;
	if (row >= 0)
		st->view.sel = (size_t)row;
	list_clamp(&st->view);
	if (st->detail.open)
		build_detail(st, time(NULL));
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct nodes_state *st = ud;
	const struct node *n = node_rows_node(&st->rows, row);

	*role = ROLE_NORMAL;
	if (!n)
		return "";
	if (col == COL_STATUS)
		*role = n->ready == NODE_READY
				? (n->unschedulable ? ROLE_WARN : ROLE_OK)
				: ROLE_ERROR;
	else if (col == COL_FLAGS && n->pressure)
		*role = ROLE_WARN;
	return node_cell(n, col, time(NULL), st->cell, sizeof(st->cell));
}

static void draw_message(const struct rect *area, enum role r,
			 const char *msg)
{
	scr_put(area->y + 1, area->x + 1, area->w - 2, r, msg);
}

static void nodes_draw(struct pane *p, struct app *a, const struct rect *area,
		       int focused)
{
	struct nodes_state *st = p->st;
	struct node_store *ns = app_nodes(a);
	const struct err *e = ns ? node_store_error(ns) : NULL;
	const struct node_summary *sum = ns ? node_store_summary(ns) : NULL;
	struct rect body = *area;
	size_t listed = 0;
	long expected = -1;

	if (!ns) {
		draw_message(area, ROLE_ERROR, "No cluster connection.");
		return;
	}
	if (!node_store_synced(ns) && !node_store_count(ns)) {
		draw_message(area, e ? ROLE_ERROR : ROLE_PENDING,
			     e ? e->msg : "Loading nodes...");
		return;
	}
	if (st->detail.open) {
		detail_draw(&st->detail, area, focused);
		return;
	}
	if (!node_store_synced(ns)) {
		/* The first pages are in: show them while the rest come. */
		char line[128];

		node_store_progress(ns, &listed, &expected);
		if (expected >= 0)
			snprintf(line, sizeof(line),
				 "Loading nodes... %zu of %ld", listed,
				 expected);
		else
			snprintf(line, sizeof(line), "Loading nodes... %zu",
				 listed);
		scr_put(body.y, body.x, body.w, ROLE_PENDING, line);
	} else {
		nodes_summary_draw(body.y, body.x, body.w, sum,
				   session_ready_trend(app_session(a)),
				   app_ascii(a));
	}
	body.y++;
	body.h--;
	if (e) {
		/* Stale data: say so above the table, keep the table. */
		scr_put(body.y, body.x, body.w, ROLE_ERROR, e->msg);
		body.y++;
		body.h--;
	}
	if (p->filter[0]) {
		char f[400];

		snprintf(f, sizeof(f), "filter: %s (%zu of %zu)", p->filter,
			 st->view.nrows, node_store_count(ns));
		scr_put(body.y, body.x, body.w, ROLE_WARN, f);
		body.y++;
		body.h--;
	}
	if (body.h < 2)
		return;
	if (!node_store_count(ns)) {
		draw_message(&body, ROLE_MUTED, "No nodes.");
		return;
	}
	list_draw(&body, cols, NCOLS, &st->view, cell, st, focused);
}

static void unlink_req(struct cordon_req *rq)
{
	struct cordon_req **pp;

	for (pp = &rq->st->pending; *pp; pp = &(*pp)->next)
		if (*pp == rq) {
			*pp = rq->next;
			return;
		}
}

/* The connection goes away: its calls are cancelled with it, and the
 * rows, which point into its node store, are dropped with the store. */
static void nodes_disconnect(struct pane *p, struct app *a)
{
	struct nodes_state *st = p->st;
	(void)a;

	while (st && st->pending) {
		struct cordon_req *rq = st->pending;

		st->pending = rq->next;
		node_op_cancel(rq->op); /* the change ends as failed */
		free(rq);
	}
	if (st) {
		node_rows_free(&st->rows);
		st->view.nrows = 0;
	}
}

static void on_cordon_done(struct kube_result *r, void *ud)
{
	struct cordon_req *rq = ud;
	const char *verb = rq->on ? "cordon" : "uncordon";

	unlink_req(rq);
	if (r->ok)
		app_status(rq->a, ROLE_OK, "%s: %sed", rq->name, verb);
	else
		app_status(rq->a, ROLE_ERROR, "%s %s failed: %s", verb,
			   rq->name, r->err.msg);
	free(rq);
}

static void do_cordon(struct app *a, void *ud)
{
	const struct cordon_req *tmpl = ud;
	struct cordon_req *rq;
	struct change *ch;
	struct change_req cr;
	char target[300];

	if (!app_kube(a)) {
		app_status(a, ROLE_ERROR, "not connected to a cluster");
		return;
	}
	snprintf(target, sizeof(target), "node/%s", tmpl->name);
	memset(&cr, 0, sizeof(cr));
	cr.action = tmpl->on ? "node.cordon" : "node.uncordon";
	cr.target = target;
	cr.identity = kube_client_identity(app_kube(a));
	ch = app_change_begin(a, &cr);
	if (!ch)
		return; /* refused, and the status bar says why */
	rq = xmalloc(sizeof(*rq));
	*rq = *tmpl;
	rq->a = a;
	app_status(a, ROLE_PENDING, "%s %s...",
		   rq->on ? "cordoning" : "uncordoning", rq->name);
	rq->st = app_pane_state(a, &nodes_pane);
	rq->op = node_set_unschedulable(app_kube(a), ch, rq->name, rq->on,
					on_cordon_done, rq);
	rq->next = rq->st->pending;
	rq->st->pending = rq;
}

static int ask_cordon(struct pane *p, struct app *a, int on)
{
	struct nodes_state *st = p->st;
	const struct node *n = selected_node(st);
	struct cordon_req *rq;
	char target[300], question[512];
	const char *action = on ? "node.cordon" : "node.uncordon";
	struct err e;

	if (!n)
		return UPD_NONE;
	/* a name the API server would not have made (a hostile or broken
	 * server's): no dialog, no audit record, no request */
	err_clear(&e);
	if (kube_name_check("node", n->name, KUBE_NAME_SUBDOMAIN, &e) < 0) {
		app_status(a, ROLE_ERROR, "%s", e.msg);
		return UPD_DRAW;
	}
	snprintf(target, sizeof(target), "node/%s", n->name);
	if (app_read_only(a))
		return app_refuse_read_only(a, action, target,
					    app_kube(a) ? kube_client_identity(
							      app_kube(a))
							: NULL);
	if (on == n->unschedulable) {
		app_status(a, ROLE_WARN, "%s is already %s", n->name,
			   on ? "cordoned" : "schedulable");
		return UPD_DRAW;
	}
	/* Known before asking: said at once, no dialog. */
	for (rq = st->pending; rq; rq = rq->next)
		if (strcmp(rq->name, n->name) == 0) {
			app_status(a, ROLE_WARN, "%s: %s is already running",
				   target,
				   rq->on ? "a cordon" : "an uncordon");
			return UPD_DRAW;
		}
	if (!app_kube(a)) {
		app_status(a, ROLE_ERROR, "%s: not connected to a cluster",
			   target);
		return UPD_DRAW;
	}
	rq = xcalloc(1, sizeof(*rq));
	rq->on = on;
	snprintf(rq->name, sizeof(rq->name), "%s", n->name);
	snprintf(question, sizeof(question),
		 on ? "Cordon %s? No new pods will be scheduled on it."
		    : "Uncordon %s? Pods may be scheduled on it again.",
		 n->name);
	app_confirm(a, action, target, question, n->name, do_cordon, rq);
	return UPD_ALL;
}

static int nodes_action(struct pane *p, struct app *a, enum action_id act)
{
	struct nodes_state *st = p->st;
	int r;

	if (st->detail.open) {
		r = detail_key(&st->detail, act);
		if (r != PANE_NOT_MINE)
			return r;
		if (act != ACT_CORDON && act != ACT_UNCORDON)
			return act == ACT_OPEN ? UPD_NONE : PANE_NOT_MINE;
	}
	switch (act) {
	case ACT_OPEN:
		if (!selected_node(st))
			return UPD_NONE;
		detail_open(&st->detail);
		build_detail(st, time(NULL));
		return UPD_DRAW;
	case ACT_SORT_NEXT:
		st->view.sort_col = (st->view.sort_col + 1) % (NCOLS - 1);
		return UPD_RECALC;
	case ACT_SORT_REVERSE:
		st->view.sort_desc = !st->view.sort_desc;
		return UPD_RECALC;
	case ACT_CORDON:
		return ask_cordon(p, a, 1);
	case ACT_UNCORDON:
		return ask_cordon(p, a, 0);
	default:
		return list_move(&st->view, act);
	}
}

static void nodes_headline(struct pane *p, struct app *a, char *buf,
			   size_t sz)
{
	struct node_store *ns = app_nodes(a);
	const struct node_summary *sum;

	(void)p;
	if (!ns || !node_store_synced(ns)) {
		snprintf(buf, sz, "%s",
			 ns && node_store_error(ns) ? "error" : "...");
		return;
	}
	sum = node_store_summary(ns);
	snprintf(buf, sz, "%zu/%zu Ready", sum->ready, sum->total);
}

/* Select a node by name: a link from elsewhere (the why-chain's pod). */
static int nodes_select(struct pane *p, struct app *a, const char *key)
{
	struct nodes_state *st = p->st;
	const struct node *n;

	st->detail.open = 0;
	p->filter[0] = '\0';
	st->view.sel = st->view.nrows; /* recalc keeps no old selection */
	snprintf(st->selected, sizeof(st->selected), "%s", key);
	nodes_recalc(p, a);
	n = selected_node(st);
	return n && strcmp(n->name, key) == 0 ? 0 : -1;
}

const struct pane_ops nodes_pane = {
	.grid = 1,
	.filterable = 1,
	.start_focused = 1,
	.models = MODEL_CONN | MODEL_NODES | MODEL_CHANGES | MODEL_CLOCK,
	.name = "nodes",
	.title = "Nodes",
	.scope = SCOPE_NODES,
	.is_list = 1,
	.init = nodes_init,
	.fini = nodes_fini,
	.recalc = nodes_recalc,
	.draw = nodes_draw,
	.action = nodes_action,
	.headline = nodes_headline,
	.disconnect = nodes_disconnect,
	.select = nodes_select,
};
