/* app.h - the running TUI: options, the backend objects it owns, the panes
 * and the services panes may call (status line, confirm dialog, audit,
 * operations). Panes include this; the main loop is in tui/app.c. */
#ifndef JD_APP_H
#define JD_APP_H

#include <stddef.h>

#include "backend/change.h"
#include "backend/informer.h"
#include "backend/node_store.h"
#include "backend/kube.h"
#include "pane.h"
#include "theme.h"

struct config;
struct pipeline;

struct app_opts {
	const char *kubeconfig; /* --kubeconfig */
	const char *context;    /* --context */
	const char *theme;      /* --theme */
	const char *audit_log;  /* NULL: the default */
	int read_only;
	int no_color;
	int ascii;
	int demo;
	const struct config *config; /* endpoints, registry, images */
};

typedef void (*app_confirm_fn)(struct app *a, void *ud);
typedef void (*app_answer_fn)(struct app *a, const char *text, void *ud);

struct app;

int app_run(const struct app_opts *o);

/* Services for panes. */
struct session;
/* The backend session: models, connection, changes. */
struct session *app_session(struct app *a);
struct kube_client *app_kube(struct app *a);
struct node_store *app_nodes(struct app *a);
struct flux_watch *app_flux(struct app *a);
struct pipeline *app_pipeline(struct app *a);
/* Why there is no pipeline (config error), or NULL. */
const char *app_pipeline_error(struct app *a);
int app_read_only(const struct app *a);
const char *app_context(const struct app *a);
void app_status(struct app *a, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ask the operator to type `expect` to confirm. ud is freed with free()
 * after fn runs or when the dialog is cancelled. */
void app_confirm(struct app *a, const char *action, const char *target,
		 const char *question, const char *expect, app_confirm_fn fn,
		 void *ud);
/* Ask the operator for a line of text in the same dialog (a reason for
 * the audit log): label says what to type; any answer that is not blank
 * is taken, Esc cancels (recorded as a refusal). ud as for app_confirm. */
void app_ask(struct app *a, const char *action, const char *target,
	     const char *question, const char *label, app_answer_fn fn,
	     void *ud);
/* The audit log's path, for showing it. */
const char *app_audit_path(struct app *a);
/* The session's changes (the one audited path, change.h). */
struct change_log *app_changes(const struct app *a);
/* Begin the change the operator confirmed; when it is refused (read-only,
 * the audit log cannot be written) the status bar says why and NULL is
 * returned: then nothing may be done. */
struct change *app_change_begin(struct app *a, const struct change_req *r);
/* Refuse an action at once under read-only, before any question:
 * recorded, and said on the status bar. Returns UPD_DRAW. */
int app_refuse_read_only(struct app *a, const char *action,
			 const char *target, const char *identity);
/* Focus the pane of that name (pane_ops.name); 0, or -1 when there is
 * none. */
int app_focus_pane(struct app *a, const char *name);
/* Go where a link points: focus the pane whose ops are named pane
 * ("nodes", "images") and select the row key there. 0, or -1 when there is
 * no such pane or row (the status bar then says so). */
int app_goto(struct app *a, const char *pane, const char *key);
/* Mark a pane for recalculation (by its ops). */
void app_touch(struct app *a, const struct pane_ops *ops);
/* The state of the pane with these ops (NULL before init). */
void *app_pane_state(struct app *a, const struct pane_ops *ops);
/* The configuration (settings from the config file), or NULL. */
const struct config *app_config(const struct app *a);
/* Whether ASCII glyphs are in use. */
int app_ascii(const struct app *a);
long long app_now_ms(void);

#endif
