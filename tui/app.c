/* app.c - the TUI's life: start-up (locale, theme, kubeconfig, client,
 * informers), the poll loop's handlers (keys, signals, frame timer), key
 * dispatch (focused pane first, then global), and the services panes use.
 */
#include "app_impl.h"
#include "screen.h"
#include "backend/config.h"
#include "backend/flux_watch.h"
#include "backend/pipeline.h"
#include "backend/http.h"
#include "backend/proc.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MS 100 /* at most ten frames a second */

long long app_now_ms(void)
{
	return loop_now_ms();
}

/* ---- services for panes --------------------------------------------- */

struct session *app_session(struct app *a)
{
	return a->session;
}

struct kube_client *app_kube(struct app *a)
{
	return session_kube(a->session);
}

struct node_store *app_nodes(struct app *a)
{
	return session_nodes(a->session);
}

struct flux_watch *app_flux(struct app *a)
{
	return session_flux(a->session);
}

struct pipeline *app_pipeline(struct app *a)
{
	return session_pipeline(a->session);
}

int app_read_only(const struct app *a)
{
	return a->o.read_only;
}

const char *app_context(const struct app *a)
{
	return session_context(a->session);
}

const struct config *app_config(const struct app *a)
{
	return a->o.config;
}

int app_ascii(const struct app *a)
{
	return a->o.ascii;
}

const char *app_audit_path(struct app *a)
{
	const char *p = change_log_path(session_changes(a->session));

	return p ? p : "(no audit log path)";
}

struct change_log *app_changes(const struct app *a)
{
	return session_changes(a->session);
}

static void on_frame_timer(void *ud);

/* The shortest time between two frames (the config's frame_rate). */
static long frame_ms(const struct app *a)
{
	long long rate = a->o.config
				 ? config_get_int(a->o.config, CFG_FRAME_RATE)
				 : 0;

	return rate > 0 ? (long)(1000 / rate) : FRAME_MS;
}

void app_mark(struct app *a)
{
	long long wait;

	a->dirty = 1;
	if (a->frame_timer)
		return;
	wait = a->last_frame + frame_ms(a) - loop_now_ms();
	a->frame_timer = loop_timer_add(a->loop, wait > 0 ? wait : 0,
					on_frame_timer, a);
}

void *app_pane_state(struct app *a, const struct pane_ops *ops)
{
	int i;

	for (i = 0; i < pane_count; i++)
		if (a->panes[i].ops == ops)
			return a->panes[i].st;
	return NULL;
}

void app_touch(struct app *a, const struct pane_ops *ops)
{
	int i;

	for (i = 0; i < pane_count; i++)
		if (a->panes[i].ops == ops)
			a->panes[i].recalc = 1;
	app_mark(a);
}

int app_goto(struct app *a, const char *pane, const char *key)
{
	int i;

	for (i = 0; i < pane_count; i++) {
		struct pane *p = &a->panes[i];

		if (!p->ops || strcmp(p->ops->name, pane) != 0)
			continue;
		if (!p->ops->select || p->ops->select(p, a, key) < 0)
			break;
		p->recalc = 1;
		app_set_focus(a, i);
		return 0;
	}
	app_status(a, ROLE_WARN, "%s: not in the %s pane", key, pane);
	return -1;
}

/* Models changed: every pane that shows one of them is recalculated. */
static void models_changed(struct app *a, unsigned models)
{
	int i;

	for (i = 0; i < pane_count; i++)
		if (a->panes[i].ops && (a->panes[i].ops->models & models))
			a->panes[i].recalc = 1;
	app_mark(a);
}

void app_status(struct app *a, enum role r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_role = r;
	a->status_at = loop_now_ms();
	a->status_held = 1;
	app_mark(a);
}

/* A line from something the operator did not just ask for (a sign-in
 * ending, the connection coming and going): it waits until the answer to
 * the operator's last key has been up STATUS_HOLD_MS, so that answer is
 * never replaced before it could be read; a later one replaces it. */
#define STATUS_HOLD_MS 4000

static void on_status_hold(void *ud)
{
	struct app *a = ud;
	long long left = STATUS_HOLD_MS - (loop_now_ms() - a->status_at);

	a->status_timer = 0;
	if (a->status_held && left > 0) { /* another key's answer came */
		a->status_timer =
		    loop_timer_add(a->loop, (long)left, on_status_hold, a);
		return;
	}
	a->status_held = 0;
	if (!a->status_next[0])
		return;
	memcpy(a->status, a->status_next, sizeof(a->status));
	a->status_role = a->status_next_role;
	a->status_at = loop_now_ms();
	a->status_next[0] = '\0';
	app_mark(a);
}

static void app_status_bg(struct app *a, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void app_status_bg(struct app *a, enum role r, const char *fmt, ...)
{
	long long left = STATUS_HOLD_MS - (loop_now_ms() - a->status_at);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status_next, sizeof(a->status_next), fmt, ap);
	va_end(ap);
	a->status_next_role = r;
	if (a->status_held && left > 0) {
		if (!a->status_timer)
			a->status_timer = loop_timer_add(a->loop, (long)left,
							 on_status_hold, a);
		return;
	}
	loop_timer_cancel(a->loop, a->status_timer);
	a->status_held = 0;
	on_status_hold(a);
}

void app_confirm(struct app *a, const char *action, const char *target,
		 const char *question, const char *expect, app_confirm_fn fn,
		 void *ud)
{
	free(a->confirm.ud);
	memset(&a->confirm, 0, sizeof(a->confirm));
	snprintf(a->confirm.action, sizeof(a->confirm.action), "%s", action);
	snprintf(a->confirm.target, sizeof(a->confirm.target), "%s", target);
	snprintf(a->confirm.question, sizeof(a->confirm.question), "%s",
		 question);
	snprintf(a->confirm.expect, sizeof(a->confirm.expect), "%s", expect);
	a->confirm.fn = fn;
	a->confirm.ud = ud;
	app_prompt_open(a, IN_CONFIRM);
}

void app_ask(struct app *a, const char *action, const char *target,
	     const char *question, const char *label, app_answer_fn fn,
	     void *ud)
{
	app_confirm(a, action, target, question, "", NULL, ud);
	snprintf(a->confirm.label, sizeof(a->confirm.label), "%s", label);
	a->confirm.answer = fn;
}

struct change *app_change_begin(struct app *a, const struct change_req *r)
{
	struct change *c;
	struct err e;

	err_clear(&e);
	c = change_begin(app_changes(a), r, &e);
	if (!c)
		app_status(a, ROLE_ERROR, "%s", e.msg);
	return c;
}

int app_refuse_read_only(struct app *a, const char *action,
			 const char *target, const char *identity)
{
	struct change_req r;
	struct err e;

	const char *verb = strchr(action, '.');

	/* "image.import" is said "import" */
	verb = verb ? verb + 1 : action;
	memset(&r, 0, sizeof(r));
	r.action = action;
	r.target = target;
	r.identity = identity;
	err_clear(&e);
	if (change_refuse(app_changes(a), &r, "read-only mode", &e) ==
	    -ERR_IO)
		app_status(a, ROLE_ERROR,
			   "read-only mode: %s refused (and not recorded: "
			   "%s)",
			   verb, e.msg);
	else
		app_status(a, ROLE_ERROR,
			   "read-only mode: %s refused (restart without "
			   "--read-only to make changes)",
			   verb);
	return UPD_DRAW;
}

static void on_tick(void *ud);

/* ---- the session's news ------------------------------------------------ */

static void session_changed(unsigned models, void *ud)
{
	struct app *a = ud;

	models_changed(a, models);
	/* running changes show their elapsed time: tick while any runs */
	if ((models & MODEL_CHANGES) && !a->tick_timer &&
	    change_log_running(app_changes(a)))
		a->tick_timer = loop_timer_add(a->loop, 1000, on_tick, a);
}

static void conn_status(const struct err *e, long retry_ms, void *ud)
{
	struct app *a = ud;

	if (e)
		app_status_bg(a, ROLE_ERROR, "%s %s retrying in %ld s", e->msg,
			      app_ascii(a) ? "-" : "\u2014",
			      (retry_ms + 999) / 1000);
	else if (a->status_role == ROLE_ERROR ||
		 (a->status_next[0] && a->status_next_role == ROLE_ERROR))
		app_status_bg(a, ROLE_OK, "connected to %s",
			      session_server(a->session));
}

static int foreground(const char *const argv[], const char *const env[],
		      char **out, size_t *out_len, int *code, struct err *e,
		      void *ud)
{
	int rc;

	(void)ud;
	screen_suspend();
	fprintf(stderr, "\njumpdeck: running %s to sign in...\n", argv[0]);
	rc = proc_run_foreground(argv, env, out, out_len, code, e);
	screen_resume();
	return rc;
}

static void image_done(size_t row, enum pipeline_action act, int ok,
		       const char *message, void *ud)
{
	struct app *a = ud;
	const struct image_row *v;
	char target[1300];

	pipeline_rows(app_pipeline(a), &v);
	snprintf(target, sizeof(target), "%s:%s",
		 act == PIPE_IMPORT ? v[row].quarantine_repo
				    : v[row].live_repo,
		 v[row].up.tag);
	if (ok)
		app_status(a, ROLE_OK, "%s", message);
	else
		app_status(a, ROLE_ERROR, "%s: %s", target, message);
}

static void on_device_tick(void *ud)
{
	struct app *a = ud;

	a->device_timer = 0;
	if (!a->device_open)
		return;
	app_mark(a);
	a->device_timer = loop_timer_add(a->loop, 1000, on_device_tick, a);
}

static void on_device_code(const struct azure_device_prompt *p, void *ud)
{
	struct app *a = ud;

	a->device_open = 1;
	snprintf(a->device_code, sizeof(a->device_code), "%s", p->user_code);
	snprintf(a->device_uri, sizeof(a->device_uri), "%s",
		 p->verification_uri);
	snprintf(a->device_message, sizeof(a->device_message), "%s",
		 p->message);
	a->device_expires = (long long)p->expires_at;
	if (!a->device_timer)
		a->device_timer = loop_timer_add(a->loop, 1000, on_device_tick,
						 a);
	a->redraw_all = 1;
	app_mark(a);
}

static void on_device_done(int status, const struct err *e, void *ud)
{
	struct app *a = ud;

	a->device_open = 0;
	a->redraw_all = 1;
	if (status < 0)
		app_status_bg(a, ROLE_ERROR, "Azure sign-in: %s", e->msg);
	else
		app_status_bg(a, ROLE_OK, "signed in to Azure");
	app_mark(a);
}

/* The connection is about to go: panes drop the calls made on it. */
static void panes_disconnect(struct app *a)
{
	int i;

	for (i = 0; i < pane_count; i++)
		if (a->panes[i].ops && a->panes[i].ops->disconnect)
			a->panes[i].ops->disconnect(&a->panes[i], a);
}

int app_switch_context(struct app *a, const char *name)
{
	struct err e;

	panes_disconnect(a);
	err_clear(&e);
	if (session_switch_context(a->session, name, &e) < 0) {
		app_status(a, ROLE_ERROR, "%s", e.msg);
		return -1;
	}
	app_status(a, ROLE_OK, "switched to context %s", app_context(a));
	return 0;
}

int app_set_theme(struct app *a, const char *name)
{
	struct theme t;
	struct err e;

	err_clear(&e);
	if (theme_load(&t, name, &e) < 0) {
		app_status(a, ROLE_ERROR, "%s", e.msg);
		return -1;
	}
	a->theme = t;
	screen_apply_theme(&a->theme);
	clearok(stdscr, TRUE);
	a->redraw_all = 1;
	app_status(a, ROLE_OK, "theme %s", t.name);
	return 0;
}

const char *app_pipeline_error(struct app *a)
{
	return session_pipeline_error(a->session);
}

/* ---- keys ------------------------------------------------------------ */

void app_set_focus(struct app *a, int pane)
{
	if (pane < 0 || pane >= pane_count)
		return;
	a->focus = pane;
	a->panes[pane].recalc = 1;
	a->redraw_all = 1; /* the layout may change */
	app_mark(a);
}

int app_focus_pane(struct app *a, const char *name)
{
	int i;

	for (i = 0; i < pane_count; i++)
		if (strcmp(pane_table[i]->name, name) == 0) {
			app_set_focus(a, i);
			return 0;
		}
	return -1;
}

static void apply_update(struct app *a, struct pane *p, int upd)
{
	if (upd < 0)
		return;
	if (upd & UPD_RECALC)
		p->recalc = 1;
	if (upd & (UPD_DRAW | UPD_RECALC))
		p->redraw = 1;
	if (upd & UPD_ALL)
		a->redraw_all = 1;
	app_mark(a);
}

static void global_action(struct app *a, enum action_id act, int key)
{
	struct pane *p = &a->panes[a->focus];

	switch (act) {
	case ACT_QUIT:
		a->quit = 1;
		loop_stop(a->loop);
		break;
	case ACT_HELP:
		a->help = !a->help;
		a->help_top = 0;
		break;
	case ACT_FOCUS_NEXT:
		app_set_focus(a, (a->focus + 1) % pane_count);
		break;
	case ACT_FOCUS_PREV:
		app_set_focus(a, (a->focus + pane_count - 1) % pane_count);
		break;
	case ACT_FOCUS_PANE: {
		int n = action_key_position(ACT_FOCUS_PANE, key);

		if (n >= 0 && n < pane_count)
			app_set_focus(a, n);
		else
			app_status(a, ROLE_MUTED, "there are %d panes",
				   pane_count);
		break;
	}
	case ACT_ZOOM:
	case ACT_OPEN:
		/* Panes without rows: Enter zooms, as on a title. */
		a->zoom = !a->zoom;
		a->redraw_all = 1;
		break;
	case ACT_BACK:
		if (a->zoom) {
			a->zoom = 0;
			a->redraw_all = 1;
		} else if (p->filter[0]) {
			p->filter[0] = '\0';
			p->recalc = 1;
		}
		break;
	case ACT_COMMAND:
		app_prompt_open(a, IN_COMMAND);
		break;
	case ACT_FILTER:
		if (!p->ops->filterable) {
			app_status(a, ROLE_MUTED,
				   "the %s pane has no rows to filter",
				   p->ops->title);
			break;
		}
		app_prompt_open(a, IN_FILTER);
		break;
	case ACT_REFRESH:
		session_retry_now(a->session);
		app_status(a, ROLE_PENDING, "reconnecting...");
		break;
	case ACT_REDRAW:
		clearok(stdscr, TRUE);
		a->redraw_all = 1;
		break;
	default:
		break;
	}
	app_mark(a);
}

static void handle_key(struct app *a, int key)
{
	struct pane *p = &a->panes[a->focus];
	enum action_id act;
	int upd = PANE_NOT_MINE;

	if (a->mode != IN_NORMAL) {
		app_prompt_key(a, key);
		app_mark(a);
		return;
	}
	if (a->device_open && key == 27) {
		pipeline_cancel_sign_in(app_pipeline(a));
		return;
	}
	if (a->help) {
		if (app_help_key(a, key))
			return;
	}
	act = action_for_key(key, p->ops->scope, p->ops->is_list);
	if (act == ACT_NONE) {
		char name[32];

		app_status(a, ROLE_MUTED, "%s: no action (? for help)",
			   action_key_name(key, name, sizeof(name)));
		return;
	}
	if (p->ops->action)
		upd = p->ops->action(p, a, act);
	if (upd != PANE_NOT_MINE) {
		apply_update(a, p, upd);
		return;
	}
	global_action(a, act, key);
}

static void on_stdin(int fd, short revents, void *ud)
{
	struct app *a = ud;
	wint_t ch;
	int r, n = 0;

	(void)fd;
	if (revents & (POLLHUP | POLLERR)) {
		/* The terminal went away (SSH dropped): leave cleanly. */
		a->quit = 1;
		loop_stop(a->loop);
		return;
	}
	for (;;) {
		r = get_wch(&ch);
		if (r == ERR)
			break;
		n++;
		if (r == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		handle_key(a, (int)ch);
		if (a->quit)
			return;
	}
	if (!n && (revents & POLLIN)) {
		/* Readable but nothing read: end of input. */
		a->quit = 1;
		loop_stop(a->loop);
	}
}

static void on_signal(int signo, void *ud)
{
	struct app *a = ud;

	if (signo == SIGWINCH) {
		screen_resize(&a->cols, &a->rows);
		clearok(stdscr, TRUE);
		a->redraw_all = 1;
		app_mark(a);
	} else if (signo == SIGINT || signo == SIGTERM || signo == SIGHUP) {
		a->quit = 1;
		loop_stop(a->loop);
	}
}

static void on_frame_timer(void *ud)
{
	struct app *a = ud;

	a->frame_timer = 0;
	if (!a->dirty)
		return;
	a->dirty = 0;
	a->last_frame = loop_now_ms();
	app_draw_frame(a);
}

static void on_tick(void *ud)
{
	struct app *a = ud;

	a->tick_timer = 0;
	models_changed(a, MODEL_CHANGES);
	/* Tick only while something visibly changes with time. */
	if (change_log_running(app_changes(a)))
		a->tick_timer = loop_timer_add(a->loop, 1000, on_tick, a);
}

static void on_age_tick(void *ud)
{
	struct app *a = ud;

	/* Ages ("20m") move slowly: a refresh a minute keeps them true. */
	models_changed(a, MODEL_CLOCK);
	loop_timer_add(a->loop, 60000, on_age_tick, a);
}

/* ---- life ------------------------------------------------------------ */

static int locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* The first pane marked to start focused, else the first. */
static int start_focus(void)
{
	int i;

	for (i = 0; i < pane_count; i++)
		if (pane_table[i]->start_focused)
			return i;
	return 0;
}

int app_run(const struct app_opts *o)
{
	struct app *a = xcalloc(1, sizeof(*a));
	struct session_opts so;
	struct session_hooks sh;
	struct screen_opts scr;
	const struct err *ce;
	struct err e;
	int i, rc = 0;

	a->o = *o;
	err_clear(&e);
	if (!locale_is_utf8())
		a->o.ascii = 1;
	text_set_ascii(a->o.ascii);
	if (theme_load(&a->theme, o->theme ? o->theme : "default", &e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		free(a);
		return 2;
	}
	a->loop = loop_new();
	if (!a->loop || http_global_init(&e) < 0) {
		fprintf(stderr, "jumpdeck: cannot start: %s\n",
			e.msg[0] ? e.msg : "out of resources");
		loop_free(&a->loop);
		free(a);
		return 1;
	}
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "jumpdeck: the TUI needs a terminal; for "
				"pipelines use a subcommand "
				"(jumpdeck --help)\n");
		rc = 2;
		goto out;
	}
	memset(&so, 0, sizeof(so));
	so.kubeconfig = o->kubeconfig;
	so.context = o->context;
	so.audit_log = o->audit_log;
	so.read_only = o->read_only;
	so.config = o->config;
	so.azure_sources = AZURE_SRC_ALL;
	so.have_terminal = 1;
	so.models = MODEL_ALL;
	memset(&sh, 0, sizeof(sh));
	sh.changed = session_changed;
	sh.conn_status = conn_status;
	sh.foreground = foreground;
	sh.device_code = on_device_code;
	sh.device_done = on_device_done;
	sh.image_done = image_done;
	a->session = session_open(a->loop, &so, &sh, a, &e);
	if (!a->session) {
		fprintf(stderr, "jumpdeck: cannot start: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	scr.no_color = o->no_color;
	scr.ascii = a->o.ascii;
	if (screen_start(&scr) < 0) {
		fprintf(stderr,
			"jumpdeck: cannot use this terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		rc = 2;
		goto out;
	}
	screen_apply_theme(&a->theme);
	a->cols = COLS;
	a->rows = LINES;
	for (i = 0; i < pane_count; i++) {
		a->panes[i].ops = pane_table[i];
		if (pane_table[i]->init)
			pane_table[i]->init(&a->panes[i], a);
		a->panes[i].recalc = 1;
	}
	a->focus = start_focus();
	a->redraw_all = 1;
	ce = session_conn_error(a->session);
	if (ce)
		app_status(a, ROLE_ERROR, "%s", ce->msg);
	else
		app_status(a, ROLE_MUTED,
			   "Tab or 1-%d: panes  Enter: details  /: filter  "
			   ":: command  q: quit",
			   pane_count);
	loop_add_fd(a->loop, 0, POLLIN, on_stdin, a);
	loop_on_signal(a->loop, SIGWINCH, on_signal, a);
	loop_on_signal(a->loop, SIGINT, on_signal, a);
	loop_on_signal(a->loop, SIGTERM, on_signal, a);
	loop_on_signal(a->loop, SIGHUP, on_signal, a);
	loop_on_signal(a->loop, SIGCHLD, on_signal, a);
	loop_timer_add(a->loop, 60000, on_age_tick, a);
	app_mark(a);
	loop_run(a->loop);
	screen_stop();
	panes_disconnect(a);
	loop_timer_cancel(a->loop, a->device_timer);
	loop_timer_cancel(a->loop, a->status_timer);
	for (i = 0; i < pane_count; i++)
		if (a->panes[i].ops && a->panes[i].ops->fini)
			a->panes[i].ops->fini(&a->panes[i]);
out:
	session_close(&a->session);
	free(a->confirm.ud);
	loop_free(&a->loop);
	http_global_cleanup();
	free(a);
	return rc;
}
