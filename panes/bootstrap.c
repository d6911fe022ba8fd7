/* bootstrap.c - the guided walkthrough: the ten steps as the bootstrap
 * model reads them from the world (done, not done, in progress, cannot
 * tell), one line of why and the next action each; the first step not
 * done is selected when the steps are first read; Enter opens the step's
 * pane (or its detail); the step's key does the action (bootstrap_act). */
#include "tui/app.h"
#include "tui/detail.h"
#include "tui/list.h"
#include "tui/screen.h"
#include "backend/bootstrap_model.h"
#include "backend/session.h"
#include "backend/text.h"
#include "backend/xalloc.h"
#include "bootstrap_act.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct pane_ops bootstrap_pane;

enum { COL_N, COL_MARK, COL_STEP, COL_WHY, COL_NEXT, NCOLS };

/* The step, its mark and why first (a long title is cut, not dropped),
 * then what to do next as the width allows. */
static const struct list_col cols[NCOLS] = {
	[COL_N] = {"#", .prio = LIST_KEY},
	[COL_MARK] = {" ", .prio = LIST_KEY},
	[COL_STEP] = {"STEP", 37, .prio = LIST_KEY, .min = 20},
	[COL_WHY] = {"WHY", .prio = LIST_MESSAGE, .flex = 1},
	[COL_NEXT] = {"NEXT", 24, .prio = LIST_EXTRA, .drop = 1},
};

struct bootpane {
	struct list_view view;
	struct detail detail;
	struct boot_step steps[BOOT_NSTEPS];
	int placed; /* the first open step was selected */
	int read;   /* the model had read when recalculated */
	struct boot_ops *ops;
	char cell[700];
};

/* Which key does a step's action. */
static enum action_id key_of(enum boot_act a)
{
	switch (a) {
	case BOOT_ACT_IMPORT:
		return ACT_BOOT_IMPORT;
	case BOOT_ACT_PROMOTE:
		return ACT_BOOT_PROMOTE;
	case BOOT_ACT_REWRITE_REGISTRY:
	case BOOT_ACT_REWRITE_ACCOUNT:
		return ACT_BOOT_REWRITE;
	case BOOT_ACT_COMMIT:
		return ACT_BOOT_COMMIT;
	case BOOT_ACT_PUSH:
		return ACT_BOOT_PUSH;
	case BOOT_ACT_INSTALL_FLUX:
		return ACT_BOOT_INSTALL_FLUX;
	case BOOT_ACT_RECONCILE:
		return ACT_BOOT_RECONCILE;
	default:
		return ACT_NONE;
	}
}

static const char *verb_of(enum boot_act a)
{
	switch (a) {
	case BOOT_ACT_IMPORT:
		return "import all";
	case BOOT_ACT_PROMOTE:
		return "promote all";
	case BOOT_ACT_REWRITE_REGISTRY:
	case BOOT_ACT_REWRITE_ACCOUNT:
		return "rewrite";
	case BOOT_ACT_COMMIT:
		return "commit";
	case BOOT_ACT_PUSH:
		return "push";
	case BOOT_ACT_INSTALL_FLUX:
		return "install Flux";
	case BOOT_ACT_RECONCILE:
		return "reconcile";
	default:
		return "";
	}
}

/* "w" for an action: the first of the keys in force, "" without one. */
static void key_text(enum boot_act a, char *buf, size_t sz)
{
	enum action_id id = key_of(a);
	const char *k = id == ACT_NONE ? "" : action_keys(id);
	size_t n = k ? strcspn(k, " ") : 0;

	snprintf(buf, sz, "%.*s", (int)n, k ? k : "");
}

static void boot_init(struct pane *p, struct app *a)
{
	struct bootpane *st = xcalloc(1, sizeof(*st));

	(void)a;
	st->view.sort_col = -1; /* the walkthrough's order */
	st->ops = boot_ops_new();
	p->st = st;
	p->detail = &st->detail;
}

static void boot_fini(struct pane *p)
{
	struct bootpane *st = p->st;

	boot_ops_free(&st->ops);
	detail_free(&st->detail);
	free(st);
	p->st = NULL;
}

static struct boot_model *model_of(struct app *a)
{
	return app_session(a) ? session_bootstrap(app_session(a)) : NULL;
}

static void build_detail(struct bootpane *st)
{
	const struct boot_step *s = &st->steps[st->view.sel];
	char key[16];
	size_t i;

	detail_clear(&st->detail);
	detail_add(&st->detail, ROLE_HEADER, "Step %d: %s", (int)s->id + 1,
		   s->title);
	detail_add(&st->detail,
		   s->state == BOOT_DONE   ? (s->warn ? ROLE_WARN : ROLE_OK)
		   : s->state == BOOT_TODO ? ROLE_WARN
					   : ROLE_MUTED,
		   "  %s: %s", boot_state_text(s->state), s->why);
	for (i = 0; i < s->nnotes; i++)
		detail_add(&st->detail, ROLE_NORMAL, "  %s", s->notes[i]);
	detail_add(&st->detail, ROLE_NORMAL, " ");
	key_text(s->act, key, sizeof(key));
	if (s->state == BOOT_DONE)
		detail_add(&st->detail, ROLE_MUTED, "  Nothing to do.");
	else if (key[0])
		detail_add(&st->detail, ROLE_KEY, "  Next: press %s to %s",
			   key, verb_of(s->act));
	if (s->command[0] && s->state != BOOT_DONE)
		detail_add(&st->detail, ROLE_NORMAL, "  %s: %s",
			   key[0] ? "Or from a shell" : "By hand", s->command);
	detail_done(&st->detail);
}

static void boot_recalc(struct pane *p, struct app *a)
{
	struct bootpane *st = p->st;
	struct boot_model *m = model_of(a);
	size_t i;

	if (!m) {
		memset(st->steps, 0, sizeof(st->steps));
		for (i = 0; i < BOOT_NSTEPS; i++) {
			st->steps[i].id = (enum boot_step_id)i;
			st->steps[i].state = BOOT_UNKNOWN;
			snprintf(st->steps[i].why, sizeof(st->steps[i].why),
				 "no session");
		}
	} else {
		bootstrap_model_steps(m, st->steps);
		st->read = bootstrap_model_read(m);
	}
	st->view.nrows = BOOT_NSTEPS;
	/* When the steps are first read: the first one not done. */
	if (st->read && !st->placed) {
		size_t open = bootstrap_first_open(st->steps);

		st->view.sel = open < BOOT_NSTEPS ? open : 0;
		st->placed = 1;
	}
	list_clamp(&st->view);
	if (st->detail.open)
		build_detail(st);
}

static const char *mark_of(const struct boot_step *s, enum role *role)
{
	if (s->state == BOOT_DONE) {
		*role = s->warn ? ROLE_WARN : ROLE_OK;
		return s->warn ? glyph(G_WARN) : glyph(G_CHECK);
	}
	if (s->state == BOOT_RUNNING) {
		*role = ROLE_PENDING;
		return glyph(G_DOT);
	}
	if (s->state == BOOT_UNKNOWN) {
		*role = ROLE_MUTED;
		return "?";
	}
	*role = ROLE_WARN;
	return glyph(G_CROSS);
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct bootpane *st = ud;
	const struct boot_step *s = &st->steps[row];
	char key[16];

	*role = ROLE_NORMAL;
	switch (col) {
	case COL_N:
		snprintf(st->cell, sizeof(st->cell), "%zu", row + 1);
		return st->cell;
	case COL_MARK:
		return mark_of(s, role);
	case COL_STEP:
		return s->title;
	case COL_WHY:
		mark_of(s, role);
		if (s->state == BOOT_DONE && !s->warn)
			*role = ROLE_NORMAL;
		return s->why;
	default:
		*role = ROLE_KEY;
		if (s->state == BOOT_DONE)
			return "";
		key_text(s->act, key, sizeof(key));
		if (key[0]) {
			snprintf(st->cell, sizeof(st->cell), "%s: %s", key,
				 verb_of(s->act));
			return st->cell;
		}
		*role = ROLE_MUTED;
		return s->command[0] ? "by hand" : "";
	}
}

/* Put text in at most maxl lines of w columns, cut at spaces. Returns
 * the lines used. */
static int put_wrapped(int y, int x, int w, int maxl, enum role r,
		       const char *text)
{
	char *safe = text_safe(text, -1, NULL);
	const char *p = safe;
	char line[1400];
	int used = 0;

	while (*p && used < maxl && w > 4) {
		size_t n = strlen(p), cut = n;

		if (text_width(p) > w) {
			/* the longest prefix that fits, ended at a space */
			cut = 0;
			while (cut < n) {
				size_t next = cut + 1;

				while (next < n && p[next] != ' ')
					next++;
				snprintf(line, sizeof(line), "%.*s", (int)next,
					 p);
				if (text_width(line) > w)
					break;
				cut = next;
			}
			if (cut == 0 || used + 1 == maxl)
				cut = n; /* scr_put cuts it with an ellipsis */
		}
		snprintf(line, sizeof(line), "%.*s", (int)cut, p);
		scr_put(y + used++, x, w, r, line);
		p += cut;
		while (*p == ' ')
			p++;
	}
	free(safe);
	return used;
}

/* Under the steps: the selected step's why, whole, its next action and
 * the command. */
static void draw_footer(struct bootpane *st, int y, int x, int w, int h)
{
	const struct boot_step *s = &st->steps[st->view.sel];
	char line[1400], key[16];
	int used;
	enum role r;

	mark_of(s, &r);
	snprintf(line, sizeof(line), "%d. %s: %s", (int)s->id + 1,
		 boot_state_text(s->state), s->why);
	used = put_wrapped(y, x, w, h > 3 ? 2 : 1, r, line);
	if (used >= h)
		return;
	key_text(s->act, key, sizeof(key));
	if (s->state == BOOT_DONE)
		snprintf(line, sizeof(line), "   Nothing to do.");
	else if (key[0])
		snprintf(line, sizeof(line), "   Next: press %s to %s", key,
			 verb_of(s->act));
	else
		snprintf(line, sizeof(line), "   Next: by hand");
	scr_put_raw(y + used++, x, w, key[0] ? ROLE_KEY : ROLE_NORMAL, line);
	if (s->command[0] && s->state != BOOT_DONE && used < h) {
		snprintf(line, sizeof(line), "   $ %s", s->command);
		scr_put_raw(y + used++, x, w, ROLE_MUTED, line);
	}
	if (s->warn && s->nnotes && used < h) {
		snprintf(line, sizeof(line), "   %s", s->notes[0]);
		scr_put_raw(y + used, x, w, ROLE_MUTED, line);
	}
}

static void boot_draw(struct pane *p, struct app *a, const struct rect *area,
		      int focused)
{
	struct bootpane *st = p->st;
	struct rect list = *area;
	int footer = area->h >= BOOT_NSTEPS + 7 ? 5 : area->h >= 8 ? 2 : 0;

	(void)a;
	if (st->detail.open) {
		detail_draw(&st->detail, area, focused);
		return;
	}
	list.h = area->h - footer - (footer ? 1 : 0);
	if (list.h > BOOT_NSTEPS + 1)
		list.h = BOOT_NSTEPS + 1;
	list_draw(&list, cols, NCOLS, &st->view, cell, st, focused);
	if (footer) {
		int y = list.y + list.h, i;

		for (i = y; i < area->y + area->h; i++)
			scr_fill(i, area->x, area->w, ROLE_NORMAL);
		draw_footer(st, y + 1, area->x + 1, area->w - 1,
			    area->y + area->h - y - 1);
	}
}

static int boot_action(struct pane *p, struct app *a, enum action_id act)
{
	struct bootpane *st = p->st;
	const struct boot_step *s = &st->steps[st->view.sel];
	int r;

	if (st->detail.open) {
		r = detail_key(&st->detail, act);
		if (r != PANE_NOT_MINE)
			return r;
		if (act == ACT_OPEN)
			return UPD_NONE;
	}
	switch (act) {
	case ACT_OPEN:
		if (s->pane && app_focus_pane(a, s->pane) == 0)
			return UPD_ALL;
		detail_open(&st->detail);
		build_detail(st);
		return UPD_DRAW;
	case ACT_SORT_NEXT:
	case ACT_SORT_REVERSE:
		app_status(a, ROLE_MUTED,
			   "the steps keep the walkthrough's "
			   "order");
		return UPD_DRAW;
	case ACT_BOOT_IMPORT:
		return boot_ops_do(a, st->ops, BOOT_ACT_IMPORT, st->steps,
				   &st->detail);
	case ACT_BOOT_PROMOTE:
		return boot_ops_do(a, st->ops, BOOT_ACT_PROMOTE, st->steps,
				   &st->detail);
	case ACT_BOOT_REWRITE:
		return boot_ops_do(a, st->ops, BOOT_ACT_REWRITE_REGISTRY,
				   st->steps, &st->detail);
	case ACT_BOOT_COMMIT:
		return boot_ops_do(a, st->ops, BOOT_ACT_COMMIT, st->steps,
				   &st->detail);
	case ACT_BOOT_PUSH:
		return boot_ops_do(a, st->ops, BOOT_ACT_PUSH, st->steps,
				   &st->detail);
	case ACT_BOOT_INSTALL_FLUX:
		return boot_ops_do(a, st->ops, BOOT_ACT_INSTALL_FLUX,
				   st->steps, &st->detail);
	case ACT_BOOT_RECONCILE:
		return boot_ops_do(a, st->ops, BOOT_ACT_RECONCILE, st->steps,
				   &st->detail);
	case ACT_BOOT_REREAD:
		boot_ops_reread(a);
		app_status(a, ROLE_MUTED, "reading every step again");
		return UPD_DRAW;
	default:
		return list_move(&st->view, act);
	}
}

static void boot_headline(struct pane *p, struct app *a, char *buf, size_t sz)
{
	struct bootpane *st = p->st;

	(void)a;
	if (!st->read)
		snprintf(buf, sz, "reading...");
	else
		snprintf(buf, sz, "%zu/%d steps done",
			 bootstrap_done_count(st->steps), BOOT_NSTEPS);
}

static void boot_disconnect(struct pane *p, struct app *a)
{
	(void)a;
	boot_ops_disconnect(((struct bootpane *)p->st)->ops);
}

const struct pane_ops bootstrap_pane = {
    .grid = 0,
    .filterable = 0,
    .models = MODEL_CONN | MODEL_NODES | MODEL_FLUX | MODEL_IMAGES |
	      MODEL_SCANS | MODEL_CHANGES | MODEL_BOOTSTRAP,
    .name = "bootstrap",
    .title = "Bootstrap",
    .scope = SCOPE_BOOTSTRAP,
    .is_list = 1,
    .init = boot_init,
    .fini = boot_fini,
    .recalc = boot_recalc,
    .draw = boot_draw,
    .action = boot_action,
    .headline = boot_headline,
    .disconnect = boot_disconnect,
};
