/* images.c - the images pane: one row per image with the pipeline drawn as
 * stages (upstream -> quarantine -> scan -> live), short digests, state
 * (alerts in the error colour) and the running operation with its
 * elapsed time; a detail view; import, import all, promote (confirmed,
 * audited, forced only with a second typed confirmation), re-check. */
#include "tui/app.h"
#include "backend/session.h"
#include "tui/detail.h"
#include "tui/list.h"
#include "tui/screen.h"
#include "panes/scans_bar.h"
#include "backend/image_copy_time.h"
#include "backend/pipeline.h"
#include "backend/scans.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct pane_ops images_pane;

enum { COL_IMAGE, COL_PIPE, COL_STATE, COL_SCAN, COL_Q, COL_L, COL_MSG,
       NCOLS };

/* The state and the image it is about first (the reference shortened
 * from its registry host), then why (24 columns of it before the stages
 * and digests get room, the rest after them). */
static const struct list_col cols[NCOLS] = {
	[COL_IMAGE] = {"IMAGE", .prio = LIST_KEY, .min = 24,
		       .cut = LIST_CUT_REF},
	[COL_PIPE] = {"PIPELINE", .prio = LIST_EXTRA, .drop = 1},
	[COL_STATE] = {"STATE", .prio = LIST_KEY},
	[COL_SCAN] = {"SCAN", 20, .prio = LIST_EXTRA, .drop = 2},
	[COL_Q] = {"QUARANTINE", .prio = LIST_EXTRA, .drop = 3},
	[COL_L] = {"LIVE", .prio = LIST_EXTRA, .drop = 4},
	[COL_MSG] = {"MESSAGE", 24, .prio = LIST_MESSAGE, .flex = 1,
		     .min = 24},
};

/* A pipeline row's scan, worked out when the models change rather than
 * for each cell of each frame. */
struct row_scan {
	size_t idx;  /* into the scans' images, or (size_t)-1: no verdict */
	int blocked; /* the gate's verdict */
};

struct images_state {
	struct list_view view;
	size_t *rows; /* shown row -> pipeline row (after the filter) */
	size_t rows_cap;
	struct row_scan *scan; /* per pipeline row */
	size_t scan_cap, nscan;
	struct detail detail;
	char cell[900];
};

static void img_init(struct pane *p, struct app *a)
{
	struct images_state *st = xcalloc(1, sizeof(*st));

	(void)a;
	st->view.sort_col = -1;
	p->st = st;
	p->detail = &st->detail;
}

/* The pipeline row shown at list row i, or (size_t)-1. */
static size_t at(const struct images_state *st, size_t i)
{
	return i < st->view.nrows ? st->rows[i] : (size_t)-1;
}

static void img_fini(struct pane *p)
{
	struct images_state *st = p->st;

	detail_free(&st->detail);
	free(st->rows);
	free(st->scan);
	free(st);
	p->st = NULL;
}

static size_t rows_of(struct app *a, const struct image_row **v)
{
	struct pipeline *pl = app_pipeline(a);

	*v = NULL;
	return pl ? pipeline_rows(pl, v) : 0;
}

/* The scan verdict of a pipeline row, or NULL while there is none. */
static const struct scan_image *scan_of(struct app *a,
					const struct image_row *r, size_t *idx)
{
	struct scans *sc = session_scans(app_session(a));
	const struct scan_image *v;
	size_t i;

	if (!sc || !scans_done_once(sc) || scans_find(sc, r->ref, &i) < 0)
		return NULL;
	scans_images(sc, &v);
	if (idx)
		*idx = i;
	return &v[i];
}

/* The gate's verdict on a row; blocked with why when there is none. */
static void gate_of(struct app *a, const struct image_row *r,
		    struct scan_gate *g)
{
	struct session *s = app_session(a);

	scans_gate_of(session_scans(s), r->ref, session_scans_error(s), g);
}

/* The scan stage of the pipeline: checked, crossed, waiting, unsure. */
static enum glyph verdict_glyph(const struct scan_image *im)
{
	if (!im || !im->digest[0])
		return G_EMPTY;
	switch (im->verdict) {
	case SCAN_HEALTHY:
		return G_CHECK;
	case SCAN_UNHEALTHY:
		return G_CROSS;
	case SCAN_PENDING:
		return G_DOT;
	case SCAN_UNVERIFIED:
	case SCAN_UNKNOWN:
		break;
	}
	return G_WARN;
}

static void copy_lines(struct detail *d, const char *what, const char *repo,
		       const char *tag, const struct image_copy *c)
{
	if (!c->checked) {
		detail_add(d, c->error[0] ? ROLE_ERROR : ROLE_MUTED,
			   "  %-11s %s:%s  %s", what, repo, tag,
			   c->error[0] ? c->error : "not checked");
		return;
	}
	if (!c->exists) {
		detail_add(d, ROLE_MUTED, "  %-11s %s:%s  not there", what,
			   repo, tag);
		return;
	}
	detail_add(d, ROLE_NORMAL, "  %-11s %s:%s", what, repo, tag);
	detail_add(d, ROLE_NORMAL, "              %s", c->digest);
	detail_add(d, ROLE_MUTED, "              %s%s", c->media_type,
		   c->platforms ? " (multi-platform index)" : "");
}

static void scan_lines(struct detail *d, struct app *a,
		       const struct image_row *r)
{
	const struct scan_image *im = scan_of(a, r, NULL);
	struct scan_gate g;
	char counts[200];

	if (!im) {
		detail_add(d, ROLE_MUTED, "  %-11s %s", "Scan",
			   "the scanners have not answered yet");
		return;
	}
	detail_add(d, scans_verdict_role(im->verdict), "  %-11s %s%s%s",
		   "Scan", scan_verdict_name(im->verdict),
		   im->why[0] ? ": " : "", im->why);
	if (im->verdict == SCAN_UNHEALTHY || im->verdict == SCAN_HEALTHY)
		detail_add(
		    d, ROLE_NORMAL, "              %s, %u with a fix%s",
		    scan_counts_text(im->counts, counts, sizeof(counts)),
		    im->fixable, im->disagree ? "; the sources disagree" : "");
	gate_of(a, r, &g);
	detail_add(d, g.blocked ? ROLE_ERROR : ROLE_OK,
		   "              gate: %s", g.why);
	detail_add(d, ROLE_MUTED,
		   "              (the scans pane, 2, has every finding)");
}

static void build_detail(struct images_state *st, struct app *a)
{
	const struct image_row *v;
	size_t n = rows_of(a, &v);
	const struct image_row *r;
	struct detail *d = &st->detail;
	char reason[900], up[1200], took[IMAGE_COPY_TIME_LEN];

	detail_clear(d);
	if (at(st, st->view.sel) >= n) {
		detail_add(d, ROLE_MUTED, "No image selected.");
		detail_done(d);
		return;
	}
	r = &v[at(st, st->view.sel)];
	detail_add(d, ROLE_HEADER, "%s", r->ref);
	detail_add(d,
		   image_state_alert(r->state) ? ROLE_ERROR
		   : r->state == IMG_PROMOTED  ? ROLE_OK
					       : ROLE_PENDING,
		   "  State       %s: %s", image_state_text(r->state),
		   image_state_reason(r, reason, sizeof(reason)));
	detail_add(d, ROLE_NORMAL, " ");
	snprintf(up, sizeof(up), "%s/%s", r->up.registry, r->up.path);
	copy_lines(d, "Upstream", up, r->up.tag, &r->upstream);
	copy_lines(d, "Quarantine", r->quarantine_repo, r->up.tag,
		   &r->quarantine);
	scan_lines(d, a, r);
	copy_lines(d, "Live", r->live_repo, r->up.tag, &r->live);
	detail_add(d, ROLE_NORMAL, " ");
	detail_add(d, ROLE_HEADER, "Last operation");
	if (r->op[0])
		detail_add(d, ROLE_PENDING, "  %s: %s", r->op, r->op_progress);
	else if (r->last_result[0])
		detail_add(d, r->last_ok ? ROLE_OK : ROLE_ERROR, "  %s",
			   r->last_result);
	else
		detail_add(d, ROLE_MUTED, "  none in this session");
	if (r->last_copy.known)
		detail_add(d, r->last_copy.ok ? ROLE_NORMAL : ROLE_ERROR,
			   "  %-11s %s", "Last copy",
			   image_copy_time_text(&r->last_copy, app_now_ms(),
						took, sizeof(took)));
	detail_add(d, ROLE_MUTED,
		   "  (the activity pane, 6, has the audit "
		   "records)");
	detail_done(d);
}

static void img_recalc(struct pane *p, struct app *a)
{
	struct images_state *st = p->st;
	const struct image_row *v;
	size_t n = rows_of(a, &v), i;

	/* the filter matches the reference, the state or the message */
	st->rows = xgrow(st->rows, &st->rows_cap, n ? n : 1,
			 sizeof(*st->rows));
	st->scan = xgrow(st->scan, &st->scan_cap, n ? n : 1,
			 sizeof(*st->scan));
	st->nscan = n;
	for (i = 0; i < n; i++) {
		struct scan_gate g;

		if (!scan_of(a, &v[i], &st->scan[i].idx))
			st->scan[i].idx = (size_t)-1;
		gate_of(a, &v[i], &g);
		st->scan[i].blocked = g.blocked;
	}
	st->view.nrows = 0;
	for (i = 0; i < n; i++) {
		if (p->filter[0] &&
		    !text_contains_nocase(v[i].ref, p->filter) &&
		    !text_contains_nocase(image_state_text(v[i].state),
					  p->filter) &&
		    !text_contains_nocase(v[i].last_result, p->filter))
			continue;
		st->rows[st->view.nrows++] = i;
	}
	list_clamp(&st->view);
	if (st->detail.open)
		build_detail(st, a);
}

/* The scan of pipeline row i as the last recalc found it, or NULL. */
static const struct scan_image *row_scan(struct app *a,
					 const struct images_state *st,
					 size_t i)
{
	struct scans *sc = session_scans(app_session(a));
	const struct scan_image *v;

	if (!sc || i >= st->nscan || st->scan[i].idx >= scans_images(sc, &v))
		return NULL;
	return &v[st->scan[i].idx];
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct app *a = ud;
	struct images_state *st = app_pane_state(a, &images_pane);
	const struct image_row *v;
	const struct image_row *r;
	int ascii = app_ascii(a);

	rows_of(a, &v);
	r = &v[at(st, row)];
	*role = ROLE_NORMAL;
	switch (col) {
	case COL_IMAGE:
		return r->ref;
	case COL_PIPE: {
		const char *arrow = ascii ? ">" : glyph(G_ARROW);

		snprintf(st->cell, sizeof(st->cell), "%s%s%s%s%s%s%s",
			 glyph(r->upstream.exists || !r->upstream.checked
				       ? G_FULL
				       : G_EMPTY),
			 arrow,
			 glyph(r->quarantine.exists ? G_FULL : G_EMPTY),
			 arrow,
			 glyph(r->quarantine.exists
				       ? verdict_glyph(
					     row_scan(a, st, at(st, row)))
				       : G_EMPTY),
			 arrow,
			 glyph(r->live.exists ? G_FULL : G_EMPTY));
		*role = image_state_alert(r->state) ? ROLE_ERROR
			: r->state == IMG_PROMOTED  ? ROLE_OK
						    : ROLE_PENDING;
		return st->cell;
	}
	case COL_STATE:
		*role = image_state_alert(r->state) ? ROLE_ERROR
			: r->state == IMG_PROMOTED  ? ROLE_OK
			: r->state == IMG_UNKNOWN   ? ROLE_MUTED
						    : ROLE_WARN;
		return image_state_text(r->state);
	case COL_SCAN: {
		const struct scan_image *im = row_scan(a, st, at(st, row));
		int blocked = st->scan[at(st, row)].blocked;

		if (!r->quarantine.exists || !im) {
			*role = ROLE_MUTED;
			return "-";
		}
		*role = blocked ? ROLE_ERROR : scans_verdict_role(im->verdict);
		snprintf(st->cell, sizeof(st->cell), "%s%s",
			 scan_verdict_name(im->verdict),
			 blocked ? ", blocked" : "");
		return st->cell;
	}
	case COL_Q:
		return image_short_digest(r->quarantine.digest, st->cell,
					  sizeof(st->cell));
	case COL_L:
		*role = r->state == IMG_DRIFTED ? ROLE_ERROR : ROLE_NORMAL;
		return image_short_digest(r->live.digest, st->cell,
					  sizeof(st->cell));
	default:
		if (r->op[0]) {
			*role = ROLE_PENDING;
			snprintf(st->cell, sizeof(st->cell), "%s: %s (%llds)",
				 r->op, r->op_progress,
				 r->op_started_ms
					 ? (app_now_ms() - r->op_started_ms) /
						   1000
					 : 0);
			return st->cell;
		}
		if (image_state_alert(r->state))
			*role = ROLE_ERROR;
		else if (r->last_result[0] && !r->last_ok)
			*role = ROLE_ERROR;
		if (r->last_result[0] && !r->last_ok &&
		    !image_state_alert(r->state))
			return r->last_result;
		image_state_reason(r, st->cell, sizeof(st->cell));
		/* The key that does the next step. */
		if (r->state == IMG_NOT_IMPORTED ||
		    r->state == IMG_QUARANTINED)
			snprintf(st->cell + strlen(st->cell),
				 sizeof(st->cell) - strlen(st->cell), " (%s)",
				 r->state == IMG_NOT_IMPORTED ? "i" : "p");
		return st->cell;
	}
}

static void img_draw(struct pane *p, struct app *a, const struct rect *area,
		     int focused)
{
	struct images_state *st = p->st;
	struct pipeline *pl = app_pipeline(a);
	struct rect body = *area;
	const struct image_row *v;
	size_t n, i, alerts = 0, promoted = 0;
	const char *status;
	int is_err = 0;
	char head[300];

	if (!pl) {
		scr_put(body.y, body.x, body.w, ROLE_ERROR,
			app_pipeline_error(a) ? app_pipeline_error(a)
					      : "No image pipeline.");
		return;
	}
	if (st->detail.open) {
		detail_draw(&st->detail, area, focused);
		return;
	}
	n = pipeline_rows(pl, &v);
	for (i = 0; i < n; i++) {
		alerts += image_state_alert(v[i].state);
		promoted += v[i].state == IMG_PROMOTED;
	}
	snprintf(head, sizeof(head), "%zu/%zu promoted%s%s", promoted, n,
		 alerts ? (app_ascii(a) ? " - " : " \u00b7 ") : "",
		 alerts ? "" : "");
	if (alerts) {
		size_t k = strlen(head);

		snprintf(head + k, sizeof(head) - k, "%zu alert%s", alerts,
			 alerts == 1 ? "" : "s");
	}
	i = (size_t)scr_put(body.y, body.x, body.w,
			    alerts	       ? ROLE_ERROR
			    : promoted == n ? ROLE_OK
					    : ROLE_WARN,
			    head);
	status = pipeline_status(pl, &is_err);
	if (body.w > (int)i + 3)
		scr_put(body.y, body.x + (int)i + 3, body.w - (int)i - 3,
			is_err ? ROLE_ERROR : ROLE_MUTED, status);
	body.y++;
	body.h--;
	if (p->filter[0]) {
		char f[400];

		snprintf(f, sizeof(f), "filter: %s (%zu of %zu)", p->filter,
			 st->view.nrows, n);
		scr_put(body.y, body.x, body.w, ROLE_WARN, f);
		body.y++;
		body.h--;
	}
	if (body.h < 2)
		return;
	list_draw(&body, cols, NCOLS, &st->view, cell, a, focused);
}

/* ---- actions ------------------------------------------------------- */

struct img_confirm {
	enum pipeline_action act;
	size_t row;
	int force;
	char gate[1200]; /* override: what the gate said */
};

static void target_of(const struct image_row *r, enum pipeline_action act,
		      char *buf, size_t sz)
{
	snprintf(buf, sz, "%s:%s",
		 act == PIPE_IMPORT ? r->quarantine_repo : r->live_repo,
		 r->up.tag);
}

static const char *action_name(enum pipeline_action act)
{
	return act == PIPE_IMPORT ? "image.import" : "image.promote";
}

static void start(struct app *a, enum pipeline_action act, size_t row,
		  int force, const char *detail)
{
	struct pipeline *pl = app_pipeline(a);
	const struct image_row *v;
	struct change_req cr;
	struct change *ch;
	char target[1300];
	struct err e;

	pipeline_rows(pl, &v);
	target_of(&v[row], act, target, sizeof(target));
	memset(&cr, 0, sizeof(cr));
	cr.action = action_name(act);
	cr.target = target;
	cr.identity = pipeline_actor(pl);
	cr.detail = detail ? detail : force ? "forced" : NULL;
	ch = app_change_begin(a, &cr);
	if (!ch)
		return; /* refused, and the status bar says why */
	err_clear(&e);
	if (pipeline_start(pl, ch, act, row, force, &e) != 0) {
		/* changed since the question; the change is ended */
		app_status(a, ROLE_ERROR, "%s", e.msg);
		return;
	}
	if (act == PIPE_PROMOTE)
		app_status(a, ROLE_PENDING, "promoting %s%s", target,
			   detail ? " past the scan gate" : "");
}

static void confirmed(struct app *a, void *ud)
{
	struct img_confirm *c = ud;

	start(a, c->act, c->row, c->force, NULL);
}

/* The gate blocks a promotion: recorded as refused, and said with the
 * findings that block it, before any question. */
static void refuse_gate(struct app *a, const char *target,
			const struct scan_gate *g)
{
	struct change_req cr;

	memset(&cr, 0, sizeof(cr));
	cr.action = "image.promote";
	cr.target = target;
	cr.identity = pipeline_actor(app_pipeline(a));
	change_refuse(app_changes(a), &cr, g->why, NULL);
	app_status(a, ROLE_ERROR, "%s: scan gate: %s (o: override)", target,
		   g->why);
}

static void override_reason(struct app *a, const char *text, void *ud)
{
	struct img_confirm *c = ud;
	char detail[1800];

	snprintf(detail, sizeof(detail),
		 "scan gate overridden, reason: %.500s; %.1200s", text,
		 c->gate);
	start(a, PIPE_PROMOTE, c->row, c->force, detail);
}

static void override_named(struct app *a, void *ud)
{
	struct img_confirm *c = ud, *next = xcalloc(1, sizeof(*next));
	const struct image_row *v;
	char q[600], target[1300];

	*next = *c;
	pipeline_rows(app_pipeline(a), &v);
	target_of(&v[c->row], PIPE_PROMOTE, target, sizeof(target));
	snprintf(q, sizeof(q),
		 "Why may %.300s pass the scan gate? (Written with what the "
		 "gate said.)",
		 target);
	app_ask(a, "image.promote", target, q, "reason", override_reason,
		next);
}

/* Said at once, before any question: read-only, nothing to do, a
 * precondition that fails. -1 after saying it; else 0, or 1 when the tag
 * holds another image (only a forced copy replaces it). */
static int precheck(struct app *a, enum pipeline_action act, size_t row,
		    const char *target)
{
	struct pipeline *pl = app_pipeline(a);
	struct err e;
	int s;

	if (app_read_only(a)) {
		app_refuse_read_only(a, action_name(act), target,
				     pipeline_actor(pl));
		return -1;
	}
	err_clear(&e);
	s = pipeline_check(pl, act, row, 0, &e);
	if (s == 1) {
		app_status(a, ROLE_OK, "%s", e.msg);
		return -1;
	}
	if (s < 0 && e.code != ERR_EXISTS) {
		app_status(a, ROLE_ERROR, "%s", e.msg);
		return -1;
	}
	return s < 0;
}

/* What the operator types to confirm: "busybox" or "force busybox". */
static void expect_of(const struct image_row *r, int force, char *buf,
		      size_t sz)
{
	const char *base = strrchr(r->up.path, '/');

	snprintf(buf, sz, "%s%s", force ? "force " : "",
		 base ? base + 1 : r->up.path);
}

/* o: the gate's verdict is said first; only a blocked image asks for its
 * name and then a reason. */
static void ask_override(struct app *a, size_t row)
{
	const struct image_row *v;
	struct img_confirm *c;
	struct scan_gate g;
	char q[1400], target[1300], expect[700];
	int force;

	pipeline_rows(app_pipeline(a), &v);
	target_of(&v[row], PIPE_PROMOTE, target, sizeof(target));
	force = precheck(a, PIPE_PROMOTE, row, target);
	if (force < 0)
		return;
	gate_of(a, &v[row], &g);
	if (!g.blocked) {
		app_status(a, ROLE_OK,
			   "the scan gate passes %s: p promotes it", target);
		return;
	}
	expect_of(&v[row], force, expect, sizeof(expect));
	snprintf(q, sizeof(q),
		 "The scan gate blocks %.300s: %.900s. Promote it anyway%s? "
		 "You will be asked why.",
		 target, g.why,
		 force ? ", replacing the other image in live/" : "");
	c = xcalloc(1, sizeof(*c));
	c->act = PIPE_PROMOTE;
	c->row = row;
	c->force = force;
	snprintf(c->gate, sizeof(c->gate), "%s", g.why);
	app_confirm(a, "image.promote", target, q, expect, override_named, c);
}

/* Everything known beforehand is said at once; the dialog is only for
 * what the operator must confirm. */
static void ask(struct app *a, enum pipeline_action act, size_t row)
{
	const struct image_row *v;
	struct img_confirm *c;
	char q[3200], target[1300], expect[700];
	int force;

	pipeline_rows(app_pipeline(a), &v);
	target_of(&v[row], act, target, sizeof(target));
	force = precheck(a, act, row, target);
	if (force < 0)
		return;
	if (act == PIPE_PROMOTE) {
		struct scan_gate g;

		gate_of(a, &v[row], &g);
		if (g.blocked) {
			refuse_gate(a, target, &g);
			return;
		}
	}
	/* A tag that holds another image: only a forced copy replaces it. */
	expect_of(&v[row], force, expect, sizeof(expect));
	if (force)
		snprintf(q, sizeof(q),
			 "%s already holds another image. Replace it with "
			 "the %s one?",
			 target,
			 act == PIPE_IMPORT ? "upstream" : "quarantine");
	else if (act == PIPE_IMPORT)
		snprintf(q, sizeof(q), "Import %s into %s?", v[row].ref,
			 target);
	else
		snprintf(q, sizeof(q),
			 "Promote %s:%s to %s? The scan gate passes it.",
			 v[row].quarantine_repo, v[row].up.tag, target);
	c = xcalloc(1, sizeof(*c));
	c->act = act;
	c->row = row;
	c->force = force;
	app_confirm(a, action_name(act), target, q, expect, confirmed, c);
}

static void import_all(struct app *a, void *ud)
{
	struct pipeline *pl = app_pipeline(a);
	const struct image_row *v;
	size_t n = pipeline_rows(pl, &v), i;

	(void)ud;
	for (i = 0; i < n; i++)
		if (v[i].state == IMG_NOT_IMPORTED)
			start(a, PIPE_IMPORT, i, 0, NULL);
}

static int img_action(struct pane *p, struct app *a, enum action_id act)
{
	struct images_state *st = p->st;
	struct pipeline *pl = app_pipeline(a);
	const struct image_row *v;
	size_t n = rows_of(a, &v), i, todo = 0, unknown = 0;
	int r;

	if (st->detail.open) {
		r = detail_key(&st->detail, act);
		if (r != PANE_NOT_MINE)
			return r;
		if (act == ACT_OPEN)
			return UPD_NONE;
	}
	if (!pl)
		return act == ACT_OPEN ? UPD_NONE : PANE_NOT_MINE;
	switch (act) {
	case ACT_OPEN:
		if (!n)
			return UPD_NONE;
		detail_open(&st->detail);
		build_detail(st, a);
		return UPD_DRAW;
	case ACT_IMPORT:
	case ACT_PROMOTE:
		if (at(st, st->view.sel) < n)
			ask(a, act == ACT_IMPORT ? PIPE_IMPORT : PIPE_PROMOTE,
			    at(st, st->view.sel));
		return UPD_ALL;
	case ACT_OVERRIDE_GATE:
		if (at(st, st->view.sel) < n)
			ask_override(a, at(st, st->view.sel));
		return UPD_ALL;
	case ACT_IMPORT_ALL:
		if (app_read_only(a))
			return app_refuse_read_only(a, "image.import", "all",
						    pipeline_actor(pl));
		for (i = 0; i < n; i++) {
			todo += v[i].state == IMG_NOT_IMPORTED;
			unknown += v[i].state == IMG_UNKNOWN;
		}
		if (!todo) {
			/* an image not checked yet may well be missing */
			if (unknown)
				app_status(a, ROLE_MUTED,
					   "nothing else to import; %zu "
					   "not checked yet (r: again)",
					   unknown);
			else
				app_status(a, ROLE_MUTED,
					   "every image is in quarantine "
					   "already");
			return UPD_DRAW;
		}
		{
			char q[200];

			snprintf(q, sizeof(q),
				 "Import the %zu images that are not in "
				 "quarantine yet?",
				 todo);
			app_confirm(a, "image.import", "all", q, "import",
				    import_all, NULL);
		}
		return UPD_ALL;
	case ACT_RECHECK:
		pipeline_refresh(pl);
		app_status(a, ROLE_PENDING, "reading the digests again...");
		return UPD_DRAW;
	case ACT_CANCEL_OP:
		if (at(st, st->view.sel) < n && v[at(st, st->view.sel)].op[0])
			pipeline_cancel(pl, at(st, st->view.sel));
		return UPD_DRAW;
	default:
		return list_move(&st->view, act);
	}
}

/* Select an image by the pipeline's name for it ("busybox",
 * "library/busybox:1.33.0", the reference): a link from elsewhere. */
static int img_select(struct pane *p, struct app *a, const char *key)
{
	struct images_state *st = p->st;
	struct pipeline *pl = app_pipeline(a);
	size_t row, i;

	if (!pl || pipeline_find(pl, key, &row) < 0)
		return -1;
	st->detail.open = 0;
	p->filter[0] = '\0';
	img_recalc(p, a);
	for (i = 0; i < st->view.nrows; i++)
		if (st->rows[i] == row)
			st->view.sel = i;
	list_clamp(&st->view);
	return 0;
}

static void img_headline(struct pane *p, struct app *a, char *buf,
			 size_t sz)
{
	const struct image_row *v;
	size_t n = rows_of(a, &v), i, alerts = 0, promoted = 0, running = 0;

	(void)p;
	if (!app_pipeline(a)) {
		snprintf(buf, sz, "not configured");
		return;
	}
	for (i = 0; i < n; i++) {
		alerts += image_state_alert(v[i].state);
		promoted += v[i].state == IMG_PROMOTED;
		running += v[i].op[0] != '\0';
	}
	if (running)
		snprintf(buf, sz, "%zu running", running);
	else if (alerts)
		snprintf(buf, sz, "%zu alert%s", alerts,
			 alerts == 1 ? "" : "s");
	else
		snprintf(buf, sz, "%zu/%zu promoted", promoted, n);
}

const struct pane_ops images_pane = {
	.grid = 1,
	.filterable = 1,
	.models = MODEL_IMAGES | MODEL_SCANS | MODEL_CHANGES | MODEL_CLOCK,
	.name = "images",
	.title = "Images",
	.scope = SCOPE_IMAGES,
	.is_list = 1,
	.init = img_init,
	.fini = img_fini,
	.recalc = img_recalc,
	.draw = img_draw,
	.action = img_action,
	.headline = img_headline,
	.select = img_select,
};
