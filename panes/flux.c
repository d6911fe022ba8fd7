/* flux.c - the Flux pane: controllers and a summary on top, then sources
 * and kustomizations (failed first) with state, revision, suspension and
 * message (the root cause for DependencyNotReady) and a Kustomization's
 * last reconciliations as marks; a detail view with conditions, the
 * reconciliations, the dependency tree and the object's events; reconcile,
 * suspend and resume, confirmed and audited, with live progress. */
#include "tui/app.h"
#include "backend/session.h"
#include "tui/detail.h"
#include "tui/list.h"
#include "tui/screen.h"
#include "backend/config.h"
#include "backend/flux.h"
#include "backend/flux_drift.h"
#include "backend/flux_ops.h"
#include "backend/flux_watch.h"
#include "backend/kube_name.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"
#include "flux_timeline.h"
#include "why_view.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct pane_ops flux_pane;

enum { COL_KIND, COL_NAME, COL_STATE, COL_RECENT, COL_FROM, COL_WHAT, COL_REV,
       COL_ATTEMPTED, COL_SYNC, COL_SUSP, COL_INTERVAL, COL_AGE, COL_MSG,
       NCOLS };

/* Kind, name and state first, then the message (an incident's first
 * question is why), then the rest as the width allows. */
static const struct list_col all_cols[NCOLS] = {
	[COL_KIND] = {"KIND", .prio = LIST_KEY},
	[COL_NAME] = {"NAME", .prio = LIST_KEY, .min = 16,
		      .cut = LIST_CUT_MIDDLE},
	[COL_STATE] = {"READY", .prio = LIST_KEY},
	[COL_MSG] = {"MESSAGE", 100, .prio = LIST_MESSAGE, .flex = 1},
	[COL_SUSP] = {"SUSP", .prio = LIST_EXTRA, .drop = 1},
	[COL_REV] = {"REVISION", .prio = LIST_EXTRA, .drop = 2},
	[COL_AGE] = {"AGE", .prio = LIST_EXTRA, .drop = 3},
	/* the last reconciliations: whole or not at all, after the age */
	[COL_RECENT] = {"RECENT", .prio = LIST_EXTRA, .drop = 4},
	[COL_SYNC] = {"REMOTE", .prio = LIST_EXTRA, .drop = 5},
	[COL_ATTEMPTED] = {"ATTEMPTED", .prio = LIST_EXTRA, .drop = 6},
	[COL_INTERVAL] = {"INTERVAL", .prio = LIST_EXTRA, .drop = 7},
	[COL_WHAT] = {"REF/PATH", 28, .prio = LIST_EXTRA, .drop = 8},
	[COL_FROM] = {"URL/SOURCE", 40, .prio = LIST_EXTRA, .drop = 9,
		      .cut = LIST_CUT_MIDDLE},
};

/* An action in flight on one object. */
struct flux_run {
	struct pane *pane;
	struct app *a;
	struct flux_action *act;
	enum flux_action_kind what;
	enum flux_kind kind;
	char ns[256];
	char name[256];
	char target[600];
	char progress[160];
	long long started;
	int with_source;
	struct flux_run *next;
};

struct fluxpane_state {
	struct flux_object *v;
	size_t n;
	struct flux_dep_index *deps; /* over v, rebuilt with it */
	struct flux_controller *c;
	size_t nc;
	size_t *rows;
	struct list_view view;
	struct flux_summary sum;
	char selected[600];
	struct flux_run *runs;
	const struct flux_drift *drift; /* the session's, for this frame */
	struct detail detail;
	struct why_view why; /* the chain's lines in the detail view */
	const struct flux_history *history; /* the watch's, this frame */
	int ascii;
	char cell[700];
};

static void flux_init(struct pane *p, struct app *a)
{
	struct fluxpane_state *st = xcalloc(1, sizeof(*st));

	st->ascii = app_ascii(a);
	st->view.sort_col = -1; /* a fixed order: failed first */
	p->st = st;
	p->detail = &st->detail;
}

static void drop_runs(struct fluxpane_state *st)
{
	while (st->runs) {
		struct flux_run *r = st->runs;

		st->runs = r->next;
		flux_action_cancel(r->act); /* the change ends as failed */
		free(r);
	}
}

static void flux_disconnect(struct pane *p, struct app *a)
{
	struct fluxpane_state *st = p->st;

	(void)a;
	if (!st)
		return;
	drop_runs(st);
	st->drift = NULL;
	st->history = NULL;
}

static void flux_fini(struct pane *p)
{
	struct fluxpane_state *st = p->st;

	drop_runs(st);
	flux_dep_index_free(&st->deps);
	flux_objects_free(&st->v, st->n);
	flux_controllers_free(&st->c, st->nc);
	free(st->rows);
	detail_free(&st->detail);
	why_view_free(&st->why);
	free(st);
	p->st = NULL;
}

static const struct flux_object *selected(struct fluxpane_state *st)
{
	if (!st->view.nrows || st->view.sel >= st->view.nrows)
		return NULL;
	return &st->v[st->rows[st->view.sel]];
}

static void key_of(const struct flux_object *o, char *buf, size_t sz)
{
	snprintf(buf, sz, "%d/%s/%s", (int)o->kind, o->namespace, o->name);
}

static struct flux_run *run_for(struct fluxpane_state *st,
				const struct flux_object *o)
{
	struct flux_run *r;

	for (r = st->runs; r; r = r->next)
		if (r->kind == o->kind && strcmp(r->ns, o->namespace) == 0 &&
		    strcmp(r->name, o->name) == 0)
			return r;
	return NULL;
}

/* The why-chain of o (backend/why.h), loaded by the session. */
static void why_section(struct fluxpane_state *st, struct app *a,
			const struct flux_object *o, const char *title)
{
	const struct why_chain *c;
	int loading = 0;

	c = session_why(app_session(a), o->kind, o->namespace, o->name,
			&loading);
	detail_add(&st->detail, ROLE_HEADER, "%s", title);
	why_view_add(&st->why, &st->detail, c, loading,
		     app_kube(a) ? NULL : "not connected to a cluster");
	if (o->state != FLUX_STATE_READY)
		detail_add(&st->detail, ROLE_NORMAL, " ");
}

static void build_detail(struct fluxpane_state *st, struct app *a)
{
	const struct flux_object *o = selected(st);
	char rev[FLUX_REVISION_SHORT_LEN], ref[600], age[TIMEFMT_AGE_LEN];
	char **tree = NULL;
	size_t i, nt;
	time_t now = time(NULL);
	const cJSON *it, *items = NULL;
	const char *events_err = NULL;
	struct detail *dv = &st->detail;

	detail_clear(dv);
	why_view_clear(&st->why);
	if (!o) {
		detail_add(dv, ROLE_MUTED, "The object is gone.");
		detail_done(dv);
		return;
	}
	detail_add(dv, ROLE_HEADER, "%s %s/%s", flux_kind_get(o->kind)->kind,
		   o->namespace, o->name);
	if (o->state != FLUX_STATE_READY)
		why_section(st, a, o, "Why");
	detail_add(dv,
		   flux_state_is_failed(o->state) ? ROLE_ERROR
		   : o->state == FLUX_STATE_READY ? ROLE_OK
						  : ROLE_PENDING,
		   "  State       %s%s", flux_state_text(o->state),
		   o->suspended ? " (suspended)" : "");
	detail_add(dv, ROLE_NORMAL, "  Message     %s",
		   flux_object_message(o));
	detail_add(dv, ROLE_NORMAL, "  API         %s", o->api_version);
	if (*o->url)
		detail_add(dv, ROLE_NORMAL, "  URL         %s", o->url);
	if (*o->ref_text)
		detail_add(dv, ROLE_NORMAL, "  Ref         %s", o->ref_text);
	if (*o->source_ref.name)
		detail_add(dv, ROLE_NORMAL, "  Source      %s",
			   flux_ref_text(&o->source_ref, o->namespace, ref,
					 sizeof(ref)));
	if (*o->path)
		detail_add(dv, ROLE_NORMAL, "  Path        %s", o->path);
	detail_add(dv, ROLE_NORMAL, "  Interval    %s", o->interval);
	detail_add(dv, ROLE_NORMAL, "  Revision    %s", o->revision);
	if (*o->attempted_revision)
		detail_add(dv, ROLE_NORMAL, "  Attempted   %s",
			   o->attempted_revision);
	detail_add(dv, ROLE_NORMAL, "  Updated     %s ago",
		   timefmt_age(o->last_update, now, age, sizeof(age)));
	if (*o->secret_ref)
		detail_add(dv, ROLE_NORMAL, "  Secret      %s", o->secret_ref);
	if (o->kind == FLUX_GIT_REPOSITORY) {
		const struct drift_result *d =
		    st->drift
			? flux_drift_get(st->drift, o->namespace, o->name)
			: NULL;

		detail_add(dv,
			   !d || d->state == DRIFT_CHECKING ? ROLE_PENDING
			   : d->state == DRIFT_IN_SYNC	    ? ROLE_OK
			   : d->state == DRIFT_BEHIND	    ? ROLE_WARN
							    : ROLE_ERROR,
			   "  Remote      %s",
			   !d				? "not checked yet"
			   : d->state == DRIFT_CHECKING ? "checking..."
							: d->message);
		if (d && d->host_key_mismatch)
			detail_add(dv, ROLE_ERROR,
				   "  Host key    the server presented %s; "
				   "known_hosts expects %s",
				   d->presented_fp, d->expected_fp);
	}
	if (o->kind == FLUX_KUSTOMIZATION) {
		detail_add(dv, ROLE_NORMAL, " ");
		flux_timeline_detail(dv,
				     flux_history_find(st->history,
						       o->namespace, o->name),
				     now, st->ascii);
	}
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Conditions");
	if (!o->nconditions)
		detail_add(dv, ROLE_MUTED, "  none: waiting to be reconciled");
	for (i = 0; i < o->nconditions; i++) {
		const struct flux_condition *c = &o->conditions[i];
		time_t t = 0;

		timefmt_parse_rfc3339(c->last_transition, &t, NULL, NULL);
		detail_add(dv, ROLE_NORMAL, "  %-12s %-7s %-24s %s ago",
			   c->type, c->status, c->reason,
			   timefmt_age(t, now, age, sizeof(age)));
		if (*c->message)
			detail_add(dv, ROLE_MUTED, "      %s", c->message);
	}
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Dependencies");
	nt = flux_tree_lines(o, st->v, st->n, &tree);
	for (i = 0; i < nt; i++)
		detail_add(dv, ROLE_NORMAL, "  %s", tree[i]);
	flux_lines_free(&tree, nt);
	flux_revision_short(o->revision, rev, sizeof(rev));
	detail_add(dv, ROLE_NORMAL, " ");
	detail_add(dv, ROLE_HEADER, "Events (newest first)");
	session_events(app_session(a), flux_kind_get(o->kind)->kind,
		       o->namespace, o->name, &items, &events_err);
	if (events_err)
		detail_add(dv, ROLE_ERROR, "  %s", events_err);
	else if (!items)
		detail_add(dv, ROLE_PENDING, "  loading...");
	else {
		size_t ne = 0;
		int k, cnt = cJSON_GetArraySize(items);

		/* Newest first: the list comes oldest first. */
		for (k = cnt - 1; k >= 0; k--) {
			const cJSON *ev = cJSON_GetArrayItem(items, k);
			const cJSON *ty =
			    cJSON_GetObjectItemCaseSensitive(ev, "type");
			const cJSON *re =
			    cJSON_GetObjectItemCaseSensitive(ev, "reason");
			const cJSON *me =
			    cJSON_GetObjectItemCaseSensitive(ev, "message");
			const cJSON *lt = cJSON_GetObjectItemCaseSensitive(
			    ev, "lastTimestamp");
			time_t t = 0;

			if (cJSON_IsString(lt))
				timefmt_parse_rfc3339(lt->valuestring, &t,
						      NULL, NULL);
			detail_add(
			    dv,
			    cJSON_IsString(ty) &&
				    strcmp(ty->valuestring, "Warning") == 0
				? ROLE_WARN
				: ROLE_NORMAL,
			    "  %-6s %-8s %-24s %s",
			    timefmt_age(t, now, age, sizeof(age)),
			    cJSON_IsString(ty) ? ty->valuestring : "",
			    cJSON_IsString(re) ? re->valuestring : "",
			    cJSON_IsString(me) ? me->valuestring : "");
			ne++;
		}
		if (!ne)
			detail_add(dv, ROLE_MUTED, "  none");
	}
	(void)it;
	if (o->state == FLUX_STATE_READY) {
		detail_add(dv, ROLE_NORMAL, " ");
		why_section(st, a, o, "Health");
	}
	detail_done(dv);
}

static void flux_recalc(struct pane *p, struct app *a)
{
	struct fluxpane_state *st = p->st;
	struct flux_watch *w = app_flux(a);
	const struct flux_object *keep = selected(st);
	size_t i;

	if (keep)
		key_of(keep, st->selected, sizeof(st->selected));
	flux_dep_index_free(&st->deps);
	flux_objects_free(&st->v, st->n);
	flux_controllers_free(&st->c, st->nc);
	st->n = st->nc = 0;
	free(st->rows);
	st->rows = NULL;
	st->history = flux_watch_history(w);
	if (w) {
		flux_watch_objects(w, &st->v, &st->n);
		flux_watch_controllers(w, &st->c, &st->nc);
	}
	flux_objects_sort(st->v, st->n);
	st->deps = flux_dep_index_new(st->v, st->n);
	flux_summarize(st->c, st->nc, st->v, st->n, &st->sum);
	/* the session checks drift whenever Flux changes */
	st->drift = session_drift(app_session(a));
	st->rows = xcalloc(st->n ? st->n : 1, sizeof(*st->rows));
	st->view.nrows = 0;
	for (i = 0; i < st->n; i++) {
		char key[600];

		if (!flux_matches(&st->v[i], p->filter))
			continue;
		key_of(&st->v[i], key, sizeof(key));
		if (st->selected[0] && strcmp(key, st->selected) == 0)
			st->view.sel = st->view.nrows;
		st->rows[st->view.nrows++] = i;
	}
	list_clamp(&st->view);
	if (st->detail.open)
		build_detail(st, a);
}

static const char *kind_short(enum flux_kind k)
{
	static const char *const s[FLUX_KIND_COUNT] = {
		"git", "oci", "helmrepo", "bucket", "ks", "hr"};

	return k < FLUX_KIND_COUNT ? s[k] : "?";
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct fluxpane_state *st = ud;
	const struct flux_object *o = &st->v[st->rows[row]];
	struct flux_run *run = run_for(st, o);
	char age[TIMEFMT_AGE_LEN];

	*role = ROLE_NORMAL;
	switch (col) {
	case COL_KIND:
		*role = ROLE_MUTED;
		return kind_short(o->kind);
	case COL_NAME:
		if (strcmp(o->namespace, "flux-system") == 0)
			return o->name;
		snprintf(st->cell, sizeof(st->cell), "%s/%s", o->namespace,
			 o->name);
		return st->cell;
	case COL_STATE:
		*role = flux_state_is_failed(o->state) ? ROLE_ERROR
			: o->state == FLUX_STATE_READY  ? ROLE_OK
							: ROLE_PENDING;
		return flux_state_text(o->state);
	case COL_REV:
		return flux_revision_short(o->revision, st->cell,
					   sizeof(st->cell));
	case COL_FROM:
		if (flux_kind_get(o->kind)->is_source)
			return o->url;
		return flux_ref_text(&o->source_ref, o->namespace, st->cell,
				     sizeof(st->cell));
	case COL_WHAT:
		return flux_kind_get(o->kind)->is_source ? o->ref_text
		       : *o->path			  ? o->path
							  : o->chart;
	case COL_ATTEMPTED:
		if (!*o->attempted_revision ||
		    strcmp(o->attempted_revision, o->revision) == 0)
			return "";
		*role = ROLE_WARN;
		return flux_revision_short(o->attempted_revision, st->cell,
					   sizeof(st->cell));
	case COL_INTERVAL:
		*role = ROLE_MUTED;
		return o->interval;
	case COL_SYNC: {
		const struct drift_result *d;

		if (o->kind != FLUX_GIT_REPOSITORY || !st->drift)
			return "";
		d = flux_drift_get(st->drift, o->namespace, o->name);
		if (!d)
			return "";
		*role = d->state == DRIFT_IN_SYNC    ? ROLE_OK
			: d->state == DRIFT_BEHIND   ? ROLE_WARN
			: d->state == DRIFT_ERROR    ? ROLE_ERROR
						     : ROLE_PENDING;
		return drift_state_text(d->state);
	}
	case COL_SUSP:
		*role = o->suspended ? ROLE_WARN : ROLE_MUTED;
		return o->suspended ? "yes" : "-";
	case COL_RECENT: /* recent_cell draws it; this is its width */
		if (o->kind != FLUX_KUSTOMIZATION)
			return "";
		return flux_timeline_text(
		    flux_history_find(st->history, o->namespace, o->name),
		    st->ascii, st->cell, sizeof(st->cell));
	case COL_AGE:
		snprintf(st->cell, sizeof(st->cell), "%s",
			 timefmt_age(o->last_update, time(NULL), age,
				     sizeof(age)));
		return st->cell;
	default:
		if (run) {
			*role = ROLE_PENDING;
			snprintf(st->cell, sizeof(st->cell), "%s: %s (%llds)",
				 run->what == FLUX_ACT_SUSPEND ? "suspending"
				 : run->what == FLUX_ACT_RESUME
					 ? "resuming"
					 : "reconciling",
				 run->progress,
				 (app_now_ms() - run->started) / 1000);
			return st->cell;
		}
		if (o->state == FLUX_STATE_WAITING && o->ndepends_on) {
			struct flux_dep_root root;
			char *t;

			if (flux_dep_index_root(st->deps, o, &root) !=
			    FLUX_DEP_OK) {
				t = flux_dependency_text(&root);
				snprintf(st->cell, sizeof(st->cell), "%s", t);
				free(t);
				*role = ROLE_WARN;
				return st->cell;
			}
		}
		if (flux_state_is_failed(o->state))
			*role = ROLE_ERROR;
		return flux_object_message(o);
	}
}

/* The RECENT column: each mark in its own role. */
static int recent_cell(void *ud, size_t row, int col, int y, int x, int w,
		       int sel)
{
	struct fluxpane_state *st = ud;
	const struct flux_object *o = &st->v[st->rows[row]];

	(void)sel;
	if (col != COL_RECENT)
		return 0;
	if (o->kind == FLUX_KUSTOMIZATION)
		flux_timeline_draw(
		    y, x, w,
		    flux_history_find(st->history, o->namespace, o->name),
		    st->ascii);
	return 1;
}

static void flux_draw(struct pane *p, struct app *a, const struct rect *area,
		      int focused)
{
	struct fluxpane_state *st = p->st;
	struct flux_watch *w = app_flux(a);
	struct rect body = *area;
	const char **msgs;
	size_t np = 0, i;
	char *sum;
	int x;

	if (!w) {
		scr_put(body.y, body.x, body.w, ROLE_ERROR,
			"No cluster connection.");
		return;
	}
	if (st->detail.open) {
		detail_draw(&st->detail, area, focused);
		return;
	}
	np = flux_watch_problems(w, &msgs);
	if (flux_watch_not_installed(w)) {
		scr_put(body.y, body.x, body.w, ROLE_WARN,
			"Flux is not installed: the cluster serves no "
			"*.toolkit.fluxcd.io API group.");
		scr_put(body.y + 1, body.x, body.w, ROLE_MUTED,
			"The bootstrap pane (5) shows how to install it.");
		return;
	}
	if (!flux_watch_settled(w) && !st->n) {
		scr_put(body.y, body.x, body.w, ROLE_PENDING,
			np ? msgs[0] : "Loading Flux objects...");
		return;
	}
	sum = flux_summary_text(&st->sum, app_ascii(a));
	scr_put(body.y, body.x, body.w,
		st->sum.failed ? ROLE_ERROR
		: st->sum.waiting || st->sum.progressing ? ROLE_WARN
							  : ROLE_OK,
		sum);
	free(sum);
	body.y++;
	body.h--;
	/* Controllers on one line: name and ✓/✗. */
	x = body.x;
	if (!st->nc)
		scr_put(body.y, x, body.w, ROLE_WARN,
			"no Flux controllers found in flux-system");
	for (i = 0; i < st->nc && x < body.x + body.w; i++) {
		char t[300];
		int ok = flux_controller_ok(&st->c[i]);

		snprintf(t, sizeof(t), "%s %s %s  ", glyph(ok ? G_CHECK
							  : G_CROSS),
			 st->c[i].name, st->c[i].tag);
		x += scr_put(body.y, x, body.x + body.w - x,
			     ok ? ROLE_OK : ROLE_ERROR, t);
	}
	body.y++;
	body.h--;
	for (i = 0; i < np && body.h > 3; i++) {
		scr_put(body.y, body.x, body.w, ROLE_ERROR, msgs[i]);
		body.y++;
		body.h--;
	}
	if (p->filter[0]) {
		char f[400];

		snprintf(f, sizeof(f), "filter: %s (%zu of %zu)", p->filter,
			 st->view.nrows, st->n);
		scr_put(body.y, body.x, body.w, ROLE_WARN, f);
		body.y++;
		body.h--;
	}
	if (body.h < 2)
		return;
	if (!st->n) {
		scr_put(body.y, body.x, body.w, ROLE_MUTED,
			"No sources or kustomizations.");
		return;
	}
	list_draw_pictures(&body, all_cols, NCOLS, &st->view, cell,
			   recent_cell, st, focused);
}

/* ---- actions ------------------------------------------------------- */

static const char *verb(enum flux_action_kind w)
{
	return w == FLUX_ACT_SUSPEND ? "suspend"
	       : w == FLUX_ACT_RESUME ? "resume"
				      : "reconcile";
}

static void unlink_run(struct fluxpane_state *st, struct flux_run *r)
{
	struct flux_run **pp;

	for (pp = &st->runs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			return;
		}
}

static void on_run_progress(const char *object, const char *text, void *ud)
{
	struct flux_run *r = ud;

	snprintf(r->progress, sizeof(r->progress), "%s%s%s",
		 r->with_source ? object : "", r->with_source ? ": " : "",
		 text);
	app_touch(r->a, &flux_pane);
}

static void on_run_done(int ok, const struct err *e, const char *result,
			void *ud)
{
	struct flux_run *r = ud;
	struct fluxpane_state *st = r->pane->st;

	if (ok)
		app_status(r->a, ROLE_OK, "%s: %s", r->target, result);
	else
		app_status(r->a, ROLE_ERROR, "%s failed: %s", verb(r->what),
			   e->msg);
	unlink_run(st, r);
	app_touch(r->a, &flux_pane);
	free(r);
}

struct flux_confirm {
	struct pane *pane;
	enum flux_action_kind what;
	enum flux_kind kind;
	int with_source;
	char ns[256];
	char name[256];
};

static void do_action(struct app *a, void *ud)
{
	struct flux_confirm *c = ud;
	struct fluxpane_state *st = c->pane->st;
	struct flux_watch *w = app_flux(a);
	struct flux_action_opts o;
	struct flux_run *r;
	struct change *ch;
	struct change_req cr;
	struct err e;
	char action[64], target[600];
	int k;

	if (!w || !app_kube(a))
		return;
	snprintf(action, sizeof(action), "flux.%s", verb(c->what));
	snprintf(target, sizeof(target), "%s/%s/%s",
		 flux_kind_get(c->kind)->singular, c->ns, c->name);
	memset(&cr, 0, sizeof(cr));
	cr.action = action;
	cr.target = target;
	cr.identity = kube_client_identity(app_kube(a));
	ch = app_change_begin(a, &cr);
	if (!ch)
		return; /* refused, and the status bar says why */
	r = xcalloc(1, sizeof(*r));
	r->pane = c->pane;
	r->a = a;
	r->what = c->what;
	r->kind = c->kind;
	r->with_source = c->with_source;
	snprintf(r->ns, sizeof(r->ns), "%s", c->ns);
	snprintf(r->name, sizeof(r->name), "%s", c->name);
	snprintf(r->target, sizeof(r->target), "%s", target);
	snprintf(r->progress, sizeof(r->progress), "starting");
	r->started = app_now_ms();
	memset(&o, 0, sizeof(o));
	o.what = c->what;
	o.kind = c->kind;
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		o.versions[k] = flux_watch_version(w, k);
	o.ns = c->ns;
	o.name = c->name;
	o.with_source = c->with_source;
	err_clear(&e);
	r->act = flux_action_start(app_kube(a), ch, &o, on_run_progress,
				   on_run_done, r, &e);
	if (!r->act) {
		/* the change was ended as failed with this sentence */
		app_status(a, ROLE_ERROR, "%s", e.msg);
		free(r);
		return;
	}
	r->next = st->runs;
	st->runs = r;
	app_touch(a, &flux_pane);
}

static int ask(struct pane *p, struct app *a, enum flux_action_kind what,
	       int with_source)
{
	struct fluxpane_state *st = p->st;
	const struct flux_object *o = selected(st);
	struct flux_confirm *c;
	char target[600], question[900], action[64];
	struct err e;

	if (!o)
		return UPD_NONE;
	/* a name the API server would not have made (a hostile or broken
	 * server's): no dialog, no audit record, no request */
	err_clear(&e);
	if (kube_name_check(flux_kind_get(o->kind)->kind, o->name,
			    KUBE_NAME_SUBDOMAIN, &e) < 0 ||
	    kube_name_check("namespace", o->namespace, KUBE_NAME_LABEL,
			    &e) < 0) {
		app_status(a, ROLE_ERROR, "%s", e.msg);
		return UPD_DRAW;
	}
	snprintf(target, sizeof(target), "%s/%s/%s",
		 flux_kind_get(o->kind)->singular, o->namespace, o->name);
	snprintf(action, sizeof(action), "flux.%s", verb(what));
	if (app_read_only(a))
		return app_refuse_read_only(a, action, target,
					    app_kube(a) ? kube_client_identity(
							      app_kube(a))
							: NULL);
	if (run_for(st, o)) {
		app_status(a, ROLE_WARN, "%s: an action is already running",
			   target);
		return UPD_DRAW;
	}
	if (what == FLUX_ACT_RECONCILE && o->suspended) {
		app_status(a, ROLE_WARN,
			   "%s is suspended: resume it first (P)", target);
		return UPD_DRAW;
	}
	if (what == FLUX_ACT_SUSPEND && o->suspended) {
		app_status(a, ROLE_WARN, "%s is already suspended", target);
		return UPD_DRAW;
	}
	if (what == FLUX_ACT_RESUME && !o->suspended) {
		app_status(a, ROLE_WARN, "%s is not suspended", target);
		return UPD_DRAW;
	}
	if (!app_flux(a) || !app_kube(a)) {
		app_status(a, ROLE_ERROR, "%s: not connected to a cluster",
			   target);
		return UPD_DRAW;
	}
	c = xcalloc(1, sizeof(*c));
	c->pane = p;
	c->what = what;
	c->kind = o->kind;
	c->with_source = with_source;
	snprintf(c->ns, sizeof(c->ns), "%s", o->namespace);
	snprintf(c->name, sizeof(c->name), "%s", o->name);
	snprintf(question, sizeof(question), "%s %s %s/%s%s?",
		 what == FLUX_ACT_SUSPEND ? "Suspend"
		 : what == FLUX_ACT_RESUME ? "Resume"
					   : "Reconcile",
		 flux_kind_get(o->kind)->kind, o->namespace, o->name,
		 with_source ? " and its source first" : "");
	app_confirm(a, action, target, question, o->name, do_action, c);
	return UPD_ALL;
}

/* The detail view of the selected object; the session loads its events
 * and its why-chain (MODEL_EVENTS, MODEL_WHY bring them here). */
static int open_detail(struct fluxpane_state *st, struct app *a)
{
	const struct flux_object *o = selected(st);

	if (!o || !app_kube(a))
		return UPD_NONE;
	detail_open(&st->detail);
	session_events_load(app_session(a), flux_kind_get(o->kind)->kind,
			    o->namespace, o->name);
	session_why_load(app_session(a), o->kind, o->namespace, o->name);
	build_detail(st, a);
	return UPD_DRAW;
}

/* Enter in the detail view: the chain's link on that line goes where it
 * points; a Flux object (the dependency waited for, the source) opens
 * here. */
static int open_link(struct pane *p, struct app *a)
{
	struct fluxpane_state *st = p->st;
	const struct flux_object *o = selected(st);
	const struct why_link *l;
	const struct why_chain *c;
	char kind[64], ns[256], name[256];
	enum flux_kind k;
	size_t i;
	int r;

	if (!o)
		return UPD_NONE;
	c = session_why(app_session(a), o->kind, o->namespace, o->name, NULL);
	l = why_view_link(&st->why, c, detail_selected_line(&st->detail));
	r = why_view_enter(a, l);
	if (r > 0)
		return UPD_ALL;
	if (r < 0 || sscanf(l->target, "%63[^/]/%255[^/]/%255s", kind, ns,
			    name) != 3 ||
	    flux_kind_parse(kind, &k) < 0)
		return UPD_NONE;
	p->filter[0] = '\0';
	snprintf(st->selected, sizeof(st->selected), "%d/%s/%s", (int)k, ns,
		 name);
	st->view.sel = st->view.nrows;
	flux_recalc(p, a);
	for (i = 0; i < st->view.nrows; i++) {
		o = &st->v[st->rows[i]];
		if (o->kind == k && strcmp(o->namespace, ns) == 0 &&
		    strcmp(o->name, name) == 0)
			break;
	}
	if (i == st->view.nrows) {
		app_status(a, ROLE_WARN, "%s: not found", l->target);
		return UPD_DRAW;
	}
	st->view.sel = i;
	return open_detail(st, a);
}

static int flux_action(struct pane *p, struct app *a, enum action_id act)
{
	struct fluxpane_state *st = p->st;
	int r;

	if (st->detail.open) {
		if (act == ACT_OPEN)
			return open_link(p, a);
		r = detail_key(&st->detail, act);
		if (!st->detail.open)
			session_why_close(app_session(a)); /* Esc */
		if (r != PANE_NOT_MINE)
			return r;
	}
	switch (act) {
	case ACT_OPEN:
		return open_detail(st, a);
	case ACT_RECONCILE:
		return ask(p, a, FLUX_ACT_RECONCILE, 0);
	case ACT_RECONCILE_SOURCE:
		return ask(p, a, FLUX_ACT_RECONCILE, 1);
	case ACT_SUSPEND:
		return ask(p, a, FLUX_ACT_SUSPEND, 0);
	case ACT_RESUME:
		return ask(p, a, FLUX_ACT_RESUME, 0);
	case ACT_SORT_NEXT:
	case ACT_SORT_REVERSE:
		app_status(a, ROLE_MUTED,
			   "Flux objects are ordered failed first, then "
			   "waiting, then by name");
		return UPD_DRAW;
	default:
		return list_move(&st->view, act);
	}
}

static void flux_headline(struct pane *p, struct app *a, char *buf,
			  size_t sz)
{
	struct fluxpane_state *st = p->st;
	struct flux_watch *w = app_flux(a);

	if (!w || !flux_watch_settled(w))
		snprintf(buf, sz, "...");
	else if (flux_watch_not_installed(w))
		snprintf(buf, sz, "not installed");
	else if (st->sum.failed)
		snprintf(buf, sz, "%zu failed", st->sum.failed);
	else
		snprintf(buf, sz, "%zu/%zu Ready",
			 st->sum.sources_ready + st->sum.kustomizations_ready +
				 st->sum.helmreleases_ready,
			 st->sum.sources + st->sum.kustomizations +
				 st->sum.helmreleases);
}

const struct pane_ops flux_pane = {
	.grid = 1,
	.filterable = 1,
	.models = MODEL_CONN | MODEL_FLUX | MODEL_EVENTS | MODEL_CHANGES |
		  MODEL_CLOCK | MODEL_WHY,
	.name = "flux",
	.title = "Flux",
	.scope = SCOPE_FLUX,
	.is_list = 1,
	.init = flux_init,
	.fini = flux_fini,
	.recalc = flux_recalc,
	.draw = flux_draw,
	.action = flux_action,
	.headline = flux_headline,
	.disconnect = flux_disconnect,
};
