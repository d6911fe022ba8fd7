/* activity.c - the activity pane: this session's changes (running, done,
 * failed, refused, with elapsed time and progress, from the change log)
 * above the tail of the audit log. Reads the log through backend/audit
 * when recalculated; draws rows only. */
#include "tui/app.h"
#include "backend/session.h"
#include "tui/list.h"
#include "tui/screen.h"
#include "backend/audit.h"
#include "backend/change.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct pane_ops activity_pane;

struct activity_state {
	struct audit_entry *audit;
	size_t naudit;
	struct err err;
	int has_err;
	struct list_view view;
	/* shown row -> natural row (changes newest first, then the audit
	 * records newest first), after the filter */
	size_t *rows;
	size_t rows_cap;
	struct app *app;
	char cell[320];
};

static void act_init(struct pane *p, struct app *a)
{
	struct activity_state *st = xcalloc(1, sizeof(*st));

	st->app = a;
	st->view.sort_col = -1; /* a fixed order: newest first */
	p->st = st;
}

static void act_fini(struct pane *p)
{
	struct activity_state *st = p->st;

	audit_entries_free(&st->audit, st->naudit);
	free(st->rows);
	free(st);
	p->st = NULL;
}

static void act_recalc(struct pane *p, struct app *a)
{
	struct activity_state *st = p->st;
	const struct change_log *l = app_changes(a);
	size_t nops = change_log_count(l), i, n;

	audit_entries_free(&st->audit, st->naudit);
	st->naudit = 0;
	err_clear(&st->err);
	st->has_err = audit_read_tail(app_audit_path(a), 200, &st->audit,
				      &st->naudit, &st->err) < 0;
	n = nops + st->naudit;
	st->rows = xgrow(st->rows, &st->rows_cap, n ? n : 1,
			 sizeof(*st->rows));
	st->view.nrows = 0;
	for (i = 0; i < n; i++) {
		const char *f = p->filter;
		int hit;

		if (!f[0]) {
			hit = 1;
		} else if (i < nops) {
			const struct change *c =
			    change_log_at(l, nops - 1 - i);

			hit = text_contains_nocase(c->action, f) ||
			      text_contains_nocase(c->target, f) ||
			      text_contains_nocase(c->message, f) ||
			      text_contains_nocase(
				  change_state_name(c->state), f);
		} else {
			const struct audit_entry *e =
			    &st->audit[st->naudit - 1 - (i - nops)];

			hit = text_contains_nocase(e->action, f) ||
			      text_contains_nocase(e->target, f) ||
			      text_contains_nocase(e->outcome, f) ||
			      text_contains_nocase(e->detail, f) ||
			      text_contains_nocase(e->user, f);
		}
		if (hit)
			st->rows[st->view.nrows++] = i;
	}
	list_clamp(&st->view);
}

/* "2026-12-07T15:04:05Z (2m ago)": the time as written, and how long
 * ago, which is what an operator reads first. */
static const char *when(struct activity_state *st,
			const struct audit_entry *e)
{
	char ago[TIMEFMT_AGE_LEN];
	time_t now = time(NULL);

	if (!e->time)
		return "";
	if (!e->when || e->when > now) {
		snprintf(st->cell, sizeof(st->cell), "%s", e->time);
		return st->cell;
	}
	timefmt_duration((long long)(now - e->when), ago, sizeof(ago));
	snprintf(st->cell, sizeof(st->cell), "%.19sZ (%s ago)", e->time,
		 ago);
	return st->cell;
}

/* Rows: this session's changes newest first, then audit records newest
 * first. */
static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct activity_state *st = ud;
	const struct change_log *l = app_changes(st->app);
	size_t nops = change_log_count(l);

	*role = ROLE_NORMAL;
	if (row >= st->view.nrows)
		return "";
	row = st->rows[row];
	if (row < nops) {
		const struct change *o = change_log_at(l, nops - 1 - row);
		long long end = o->state == CHANGE_RUNNING ? app_now_ms()
							   : o->ended_ms;

		switch (col) {
		case 0:
			if (o->state == CHANGE_REFUSED)
				return "-";
			snprintf(st->cell, sizeof(st->cell), "%.1fs",
				 (double)(end - o->started_ms) / 1000.0);
			return st->cell;
		case 1:
			*role = o->state == CHANGE_RUNNING     ? ROLE_PENDING
				: o->state == CHANGE_SUCCEEDED ? ROLE_OK
							       : ROLE_ERROR;
			return change_state_name(o->state);
		case 2:
			return o->action;
		case 3:
			return o->target;
		default:
			return o->state == CHANGE_RUNNING ? o->progress
							  : o->message;
		}
	}
	row -= nops;
	if (row >= st->naudit)
		return "";
	{
		const struct audit_entry *e = &st->audit[st->naudit - 1 - row];
		const char *oc = e->outcome ? e->outcome : "";

		switch (col) {
		case 0:
			*role = ROLE_MUTED;
			return when(st, e);
		case 1:
			*role = strcmp(oc, "succeeded") == 0   ? ROLE_OK
				: strcmp(oc, "requested") == 0 ? ROLE_PENDING
							       : ROLE_ERROR;
			return oc;
		case 2:
			return e->action ? e->action : "";
		case 3:
			return e->target ? e->target : "";
		default:
			snprintf(st->cell, sizeof(st->cell), "%s%s%s",
				 e->user ? e->user : "",
				 e->detail ? ": " : "",
				 e->detail ? e->detail : "");
			return st->cell;
		}
	}
}

static void act_draw(struct pane *p, struct app *a, const struct rect *area,
		     int focused)
{
	/* What was done to what, when, and how it ended; then the
	 * detail. A long target loses its leading part first. */
	static const struct list_col cols[] = {
		{"WHEN", .prio = LIST_KEY},
		{"OUTCOME", .prio = LIST_KEY},
		{"ACTION", .prio = LIST_KEY},
		{"TARGET", .prio = LIST_KEY, .min = 16, .cut = LIST_CUT_REF},
		{"DETAIL", .prio = LIST_MESSAGE, .flex = 1},
	};
	struct activity_state *st = p->st;
	struct rect body = *area;

	scr_put(body.y, body.x, body.w, ROLE_MUTED, app_audit_path(a));
	body.y++;
	body.h--;
	if (st->has_err) {
		scr_put(body.y, body.x, body.w, ROLE_ERROR, st->err.msg);
		body.y++;
		body.h--;
	}
	if (p->filter[0]) {
		char f[400];

		snprintf(f, sizeof(f), "filter: %s (%zu rows)", p->filter,
			 st->view.nrows);
		scr_put(body.y, body.x, body.w, ROLE_WARN, f);
		body.y++;
		body.h--;
	}
	if (!st->view.nrows) {
		scr_put(body.y, body.x, body.w, ROLE_MUTED,
			p->filter[0]
			    ? "No record matches the filter (Esc clears it)."
			    : "Nothing yet: actions you take are listed "
			      "here.");
		return;
	}
	list_draw(&body, cols, 5, &st->view, cell, st, focused);
}

static int act_action(struct pane *p, struct app *a, enum action_id act)
{
	(void)a;
	return list_move(&((struct activity_state *)p->st)->view, act);
}

static void act_headline(struct pane *p, struct app *a, char *buf,
			 size_t sz)
{
	const struct change_log *l = app_changes(a);
	size_t n = change_log_count(l), running = change_log_running(l);

	(void)p;
	if (running)
		snprintf(buf, sz, "%zu running", running);
	else
		snprintf(buf, sz, "%zu this session", n);
}

const struct pane_ops activity_pane = {
	.grid = 0,
	.filterable = 1,
	.models = MODEL_CHANGES | MODEL_CLOCK,
	.name = "activity",
	.title = "Activity",
	.scope = SCOPE_GLOBAL,
	.is_list = 1,
	.init = act_init,
	.fini = act_fini,
	.recalc = act_recalc,
	.draw = act_draw,
	.action = act_action,
	.headline = act_headline,
};
