/* frame.c - draws one frame: title bar, tab strip or grid of panes (each
 * recalculated first if marked), status bar, and on top the help overlay
 * or the confirm dialog. Reads app state; changes nothing but dirty flags.
 */
#include "app_impl.h"
#include "detail.h"
#include "screen.h"
#include "backend/pipeline.h"
#include "backend/text.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void draw_title(struct app *a, const struct rect *r)
{
	char buf[1024];
	int x = r->x, w = r->w;
	struct kube_client *kube = app_kube(a);
	struct pipeline *pl = app_pipeline(a);
	const char *ctx = app_context(a);
	const char *server = session_server(a->session);
	const struct kube_conn *c = kube ? kube_client_conn(kube) : NULL;
	const char *auth = kube ? kube_client_auth_label(kube)
				: "not signed in";
	const char *slash = strrchr(auth, '/');
	char short_auth[160];

	/* "exec /long/path/kubelogin" -> "exec kubelogin" */
	if (strncmp(auth, "exec ", 5) == 0 && slash) {
		snprintf(short_auth, sizeof(short_auth), "exec %s", slash + 1);
		auth = short_auth;
	}

	scr_fill(r->y, r->x, r->w, ROLE_TITLE);
	x += scr_put(r->y, x, w, ROLE_TITLE, " jumpdeck ");
	if (a->o.read_only)
		x += scr_put(r->y, x, r->x + w - x, ROLE_BADGE, " READ-ONLY ");
	if (c && c->insecure)
		x += scr_put(r->y, x, r->x + w - x, ROLE_BADGE,
			     " TLS NOT VERIFIED ");
	if (kube && kube_client_plain_http(kube))
		x += scr_put(r->y, x, r->x + w - x, ROLE_BADGE,
			     " NOT ENCRYPTED ");
	if (a->o.demo)
		x += scr_put(r->y, x, r->x + w - x, ROLE_BADGE, " DEMO ");
	snprintf(buf, sizeof(buf), " %s %s %s %s %s ",
		 ctx[0] ? ctx : "(no context)", glyph(G_DOT),
		 server[0] ? server : "(no server)", glyph(G_DOT), auth);
	x += scr_put(r->y, x, r->x + w - x, ROLE_TITLE, buf);
	if (pl && pipeline_auth_source(pl)) {
		const char *who = pipeline_identity(pl);

		snprintf(buf, sizeof(buf), "%s Azure: %s (%s) ", glyph(G_DOT),
			 who ? who : "?", pipeline_auth_source(pl));
		scr_put(r->y, x, r->x + w - x, ROLE_TITLE, buf);
	}
}

static void pane_title(struct app *a, int i, char *buf, size_t sz)
{
	struct pane *p = &a->panes[i];
	char head[128] = "";

	if (p->ops->headline)
		p->ops->headline(p, a, head, sizeof(head));
	if (head[0])
		snprintf(buf, sz, "%d %s %s %s", i + 1, p->ops->title,
			 glyph(G_DOT), head);
	else
		snprintf(buf, sz, "%d %s", i + 1, p->ops->title);
}

static void draw_tabs(struct app *a, const struct rect *r)
{
	int i, x = r->x, full = 0, brief;
	char t[160];

	/* Headlines on every tab if they fit, else only on the focused. */
	for (i = 0; i < pane_count; i++) {
		pane_title(a, i, t, sizeof(t));
		full += text_width(t) + 3;
	}
	brief = full > r->w;
	scr_fill(r->y, r->x, r->w, ROLE_TAB);
	for (i = 0; i < pane_count && x < r->x + r->w; i++) {
		if (brief && i != a->focus)
			snprintf(t, sizeof(t), "%d %s", i + 1,
				 a->panes[i].ops->title);
		else
			pane_title(a, i, t, sizeof(t));
		x += scr_put(r->y, x, r->x + r->w - x,
			     i == a->focus ? ROLE_TAB_ACTIVE : ROLE_TAB, " ");
		x += scr_put(r->y, x, r->x + r->w - x,
			     i == a->focus ? ROLE_TAB_ACTIVE : ROLE_TAB, t);
		x += scr_put(r->y, x, r->x + r->w - x,
			     i == a->focus ? ROLE_TAB_ACTIVE : ROLE_TAB, " ");
		x += scr_put(r->y, x, r->x + r->w - x, ROLE_TAB, " ");
	}
}

static void draw_pane(struct app *a, int i, const struct rect *r)
{
	struct pane *p = &a->panes[i];
	struct rect inner;
	char t[160];
	int focused = i == a->focus, y;

	if (!r->h)
		return;
	/* drawn alone (not after erase()): clear the box's area first */
	for (y = r->y; y < r->y + r->h; y++)
		scr_fill(y, r->x, r->w, ROLE_NORMAL);
	pane_title(a, i, t, sizeof(t));
	scr_box(r, focused ? ROLE_BORDER_FOCUS : ROLE_BORDER, t,
		focused ? ROLE_BORDER_FOCUS : ROLE_HEADER);
	inner.y = r->y + 1;
	inner.x = r->x + 2;
	inner.h = r->h - 2;
	inner.w = r->w - 4;
	if (inner.h > 0 && inner.w > 0 && p->ops->draw)
		p->ops->draw(p, a, &inner, focused);
}

static void draw_status(struct app *a, const struct rect *r)
{
	char buf[600];
	const char *hint = "? help";
	int hw;

	scr_fill(r->y, r->x, r->w, ROLE_STATUS);
	switch (a->mode) {
	case IN_FILTER:
		snprintf(buf, sizeof(buf), "/%s", a->input);
		scr_put(r->y, r->x, r->w, ROLE_KEY, buf);
		return;
	case IN_COMMAND:
		snprintf(buf, sizeof(buf), ":%s", a->input);
		hw = scr_put(r->y, r->x, r->w, ROLE_KEY, buf);
		if (a->completions[0] && r->w > hw + 4)
			scr_put(r->y, r->x + hw + 3, r->w - hw - 3, ROLE_MUTED,
				a->completions);
		return;
	case IN_CONFIRM:
		if (a->confirm.answer)
			snprintf(buf, sizeof(buf), "%s: %s", a->confirm.label,
				 a->input);
		else
			snprintf(buf, sizeof(buf), "type %s to confirm: %s",
				 a->confirm.expect, a->input);
		scr_put(r->y, r->x, r->w, ROLE_WARN, buf);
		return;
	default:
		break;
	}
	hw = text_width(hint) + 1;
	scr_put(r->y, r->x, r->w - hw, a->status_role, a->status);
	if (r->w > hw)
		scr_put(r->y, r->x + r->w - hw, hw, ROLE_KEY, hint);
}

/* Split text at spaces into lines of at most w columns (ASCII-width
 * approximation is fine: the text is ours plus a name). */
static int wrap(const char *text, int w, char lines[][256], int max)
{
	int n = 0;

	while (*text && n < max) {
		int len = (int)strlen(text), cut = len;

		if (len > w) {
			cut = w;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = w;
		}
		if (cut > 255)
			cut = 255;
		memcpy(lines[n], text, (size_t)cut);
		lines[n][cut] = '\0';
		n++;
		text += cut;
		while (*text == ' ')
			text++;
	}
	return n;
}

static void draw_confirm(struct app *a)
{
	struct rect r;
	char q[4][256], line[400];
	int w = a->cols - 8 > 72 ? 72 : a->cols - 8;
	int nq = wrap(a->confirm.question, w - 4, q, 4), i, y;

	r.w = w;
	r.h = 6 + nq;
	r.x = (a->cols - w) / 2;
	r.y = (a->rows - r.h) / 2;
	for (y = r.y; y < r.y + r.h; y++)
		scr_fill(y, r.x, r.w, ROLE_DIALOG);
	scr_box(&r, ROLE_WARN, "Confirm", ROLE_WARN);
	y = r.y + 1;
	for (i = 0; i < nq; i++)
		scr_put(y++, r.x + 2, r.w - 4, ROLE_DIALOG, q[i]);
	scr_put(y++, r.x + 2, r.w - 4, ROLE_MUTED,
		"This is written to the audit log.");
	if (a->confirm.answer)
		snprintf(line, sizeof(line), "Type the %s and press Enter:",
			 a->confirm.label);
	else
		snprintf(line, sizeof(line), "Type %s and press Enter:",
			 a->confirm.expect);
	scr_put(y++, r.x + 2, r.w - 4, ROLE_DIALOG, line);
	snprintf(line, sizeof(line), "> %s", a->input);
	scr_put(y++, r.x + 2, r.w - 4, ROLE_KEY, line);
	if (a->confirm.error[0])
		scr_put(y, r.x + 2, r.w - 4, ROLE_ERROR, a->confirm.error);
	else
		scr_put(y, r.x + 2, r.w - 4, ROLE_MUTED, "Esc cancels.");
}

static void draw_device(struct app *a)
{
	struct rect r;
	char line[700];
	long long left = a->device_expires - (long long)time(NULL);
	int y;

	r.w = a->cols - 8 > 72 ? 72 : a->cols - 8;
	r.h = 9;
	r.x = (a->cols - r.w) / 2;
	r.y = (a->rows - r.h) / 2;
	for (y = r.y; y < r.y + r.h; y++)
		scr_fill(y, r.x, r.w, ROLE_DIALOG);
	scr_box(&r, ROLE_BORDER_FOCUS, "Sign in to Azure", ROLE_HEADER);
	scr_put(r.y + 1, r.x + 2, r.w - 4, ROLE_DIALOG,
		"On any device with a browser, open");
	scr_put(r.y + 2, r.x + 4, r.w - 6, ROLE_KEY, a->device_uri);
	scr_put(r.y + 3, r.x + 2, r.w - 4, ROLE_DIALOG, "and enter the code");
	scr_put(r.y + 4, r.x + 4, r.w - 6, ROLE_BADGE, a->device_code);
	snprintf(line, sizeof(line), "The code expires in %lld:%02lld.",
		 left > 0 ? left / 60 : 0, left > 0 ? left % 60 : 0);
	scr_put(r.y + 6, r.x + 2, r.w - 4, left > 60 ? ROLE_MUTED : ROLE_WARN,
		line);
	scr_put(r.y + 7, r.x + 2, r.w - 4, ROLE_MUTED,
		"Esc cancels the sign-in.");
}

static void draw_too_small(struct app *a)
{
	char buf[160];
	int y = a->rows / 2;

	erase();
	snprintf(buf, sizeof(buf), "Terminal too small: %dx%d", a->cols,
		 a->rows);
	scr_put(y > 0 ? y - 1 : 0, 0, a->cols, ROLE_ERROR, buf);
	snprintf(buf, sizeof(buf), "jumpdeck needs at least %dx%d (q quits)",
		 LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	scr_put(y, 0, a->cols, ROLE_NORMAL, buf);
}

/* The focused pane's detail view is open: it gets the body. */
static int detail_shown(const struct app *a)
{
	const struct pane *p = &a->panes[a->focus];

	return p->st && p->detail && p->detail->open;
}

/* Which panes may share the grid, as layout_compute wants it. */
static unsigned grid_mask(void)
{
	unsigned m = 0;
	int i;

	for (i = 0; i < pane_count && i < LAYOUT_MAX_PANES; i++)
		if (pane_table[i]->grid)
			m |= 1u << i;
	return m;
}

void app_draw_frame(struct app *a)
{
	struct layout old = a->layout;
	int i, all, overlay;

	a->cols = COLS;
	a->rows = LINES;
	layout_compute(&a->layout, a->cols, a->rows, pane_count, grid_mask(),
		       a->focus, a->zoom || detail_shown(a));
	if (a->layout.mode == LAYOUT_TOO_SMALL) {
		draw_too_small(a);
		scr_flush();
		a->redraw_all = 1; /* whatever comes next redraws it all */
		return;
	}
	/* Models to rows first, for the panes whose state is on screen: a
	 * visible pane, or every pane when the tab strip shows their
	 * headlines. A hidden pane keeps its flag until it is shown. */
	for (i = 0; i < pane_count; i++) {
		struct pane *p = &a->panes[i];

		if (!p->recalc ||
		    (!a->layout.panes[i].h && !a->layout.tabs.h))
			continue;
		if (p->ops->recalc)
			p->ops->recalc(p, a);
		p->recalc = 0;
		p->redraw = 1;
		/* the tab strip shows its headline */
		if (a->layout.tabs.h)
			a->redraw_all = 1;
	}
	/* The whole screen when the layout moved or something on top of
	 * the panes opened or closed; else only the panes that changed
	 * (ncurses then sends only the cells that differ). */
	overlay = a->help || a->mode != IN_NORMAL || a->device_open;
	all = a->redraw_all || memcmp(&old, &a->layout, sizeof(old)) != 0 ||
	      overlay || a->had_overlay;
	a->had_overlay = overlay;
	if (all)
		erase();
	draw_title(a, &a->layout.title);
	if (a->layout.tabs.h && all)
		draw_tabs(a, &a->layout.tabs);
	for (i = 0; i < pane_count; i++) {
		if (all || a->panes[i].redraw)
			draw_pane(a, i, &a->layout.panes[i]);
		a->panes[i].redraw = 0;
	}
	draw_status(a, &a->layout.status);
	if (a->help)
		app_draw_help(a);
	if (a->mode == IN_CONFIRM)
		draw_confirm(a);
	if (a->device_open)
		draw_device(a);
	a->redraw_all = 0;
	scr_flush();
}
