/* health.c - the one definition of "healthy" for Flux, nodes and images,
 * as a state and a sentence. Reads the models; changes nothing. */
#include "health.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set(struct health *h, enum health_state s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set(struct health *h, enum health_state s, const char *fmt, ...)
{
	va_list ap;

	h->state = s;
	va_start(ap, fmt);
	vsnprintf(h->text, sizeof(h->text), fmt, ap);
	va_end(ap);
}

const char *health_state_name(enum health_state s)
{
	switch (s) {
	case HEALTH_OK:
		return "ok";
	case HEALTH_BAD:
		return "failing";
	case HEALTH_PENDING:
		return "pending";
	case HEALTH_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

void health_flux(const struct flux_watch *w, const struct flux_drift *drift,
		 int ascii, struct health *h)
{
	struct flux_object *v = NULL;
	struct flux_controller *c = NULL;
	struct flux_summary sum;
	const char **msgs = NULL;
	size_t n = 0, nc = 0, np, i, behind = 0;
	char *text;

	if (!w) {
		set(h, HEALTH_UNKNOWN, "not connected to a cluster");
		return;
	}
	np = flux_watch_problems(w, &msgs);
	if (np && !flux_watch_discovered(w)) {
		/* nothing was read: no count of objects to show */
		set(h, HEALTH_UNKNOWN, "Flux cannot be read: %s", msgs[0]);
		return;
	}
	if (!flux_watch_settled(w)) {
		if (np)
			set(h, HEALTH_UNKNOWN, "%s", msgs[0]);
		else
			set(h, HEALTH_PENDING, "reading Flux...");
		return;
	}
	if (flux_watch_not_installed(w)) {
		set(h, HEALTH_BAD, "Flux is not installed (no "
				   "*.toolkit.fluxcd.io API group)");
		return;
	}
	flux_watch_objects_view(w, &v, &n);
	flux_watch_controllers(w, &c, &nc);
	flux_summarize(c, nc, v, n, &sum);
	for (i = 0; drift && i < n; i++) {
		const struct drift_result *d;

		if (v[i].kind != FLUX_GIT_REPOSITORY)
			continue;
		d = flux_drift_get(drift, v[i].namespace, v[i].name);
		behind += d && d->state == DRIFT_BEHIND;
	}
	text = flux_summary_text(&sum, ascii);
	if (np)
		/* a part that cannot be read is not a healthy part */
		set(h, HEALTH_UNKNOWN, "%s; %s", msgs[0], text);
	else if (!sum.controllers)
		set(h, HEALTH_BAD, "no Flux controllers found in %s; %s",
		    flux_watch_namespace(w), text);
	else if (sum.controllers_ok < sum.controllers)
		set(h, HEALTH_BAD, "%zu/%zu controllers available; %s",
		    sum.controllers_ok, sum.controllers, text);
	else if (sum.failed || sum.waiting)
		set(h, HEALTH_BAD, "%s", text);
	else if (behind)
		set(h, HEALTH_BAD, "%s; %zu source%s behind %s remote", text,
		    behind, behind == 1 ? "" : "s",
		    behind == 1 ? "its" : "their");
	else if (sum.progressing)
		set(h, HEALTH_PENDING, "%s", text);
	else
		set(h, HEALTH_OK, "%s", text);
	free(text);
	free(v);
	flux_controllers_free(&c, nc);
}

void health_give_up(struct health *h, long waited_ms)
{
	char was[sizeof(h->text)];
	size_t n;

	if (h->state != HEALTH_PENDING)
		return;
	snprintf(was, sizeof(was), "%s", h->text);
	n = strlen(was);
	while (n && was[n - 1] == '.')
		was[--n] = '\0';
	set(h, HEALTH_UNKNOWN, "%s: no answer within %ld s", was,
	    waited_ms / 1000);
}

void health_nodes(const struct node_summary *sum, int synced,
		  const struct err *error, int ascii, struct health *h)
{
	char *text;

	if (error && (!synced || !sum->total)) {
		set(h, HEALTH_UNKNOWN, "%s", error->msg);
		return;
	}
	if (!synced) {
		set(h, HEALTH_PENDING, "reading the nodes...");
		return;
	}
	text = node_summary_text(sum, ascii);
	if (error)
		/* the last list is shown, but it may be stale */
		set(h, HEALTH_UNKNOWN, "%s (%s)", text, error->msg);
	else if (!sum->total)
		set(h, HEALTH_BAD, "no nodes");
	else if (sum->ready != sum->total)
		set(h, HEALTH_BAD, "%s", text);
	else
		set(h, HEALTH_OK, "%s", text);
	free(text);
}

void health_images(const struct pipeline *p, const char *no_pipeline,
		   int ascii, struct health *h)
{
	const struct image_row *v;
	size_t n, i, promoted = 0, alerts = 0, unknown = 0;
	int is_err = 0;
	const char *st;

	if (!p) {
		set(h, HEALTH_UNKNOWN, "%s",
		    no_pipeline ? no_pipeline : "no image pipeline");
		return;
	}
	st = pipeline_status(p, &is_err);
	if (is_err) {
		set(h, HEALTH_UNKNOWN, "%s", st);
		return;
	}
	n = pipeline_rows(p, &v);
	for (i = 0; i < n; i++) {
		promoted += v[i].state == IMG_PROMOTED;
		alerts += image_state_alert(v[i].state);
		unknown += v[i].state == IMG_UNKNOWN;
	}
	if (pipeline_busy(p) && unknown) {
		char who[400];

		/* the service named, so that a deadline names who hung */
		set(h, HEALTH_PENDING, "waiting for %s...",
		    pipeline_waiting_for(p, who, sizeof(who)));
		return;
	}
	set(h, alerts || promoted != n ? HEALTH_BAD : HEALTH_OK,
	    "%zu/%zu promoted%s%zu alert%s (registry %s)", promoted, n,
	    ascii ? " - " : " \u00b7 ", alerts, alerts == 1 ? "" : "s",
	    pipeline_registry(p));
	if (unknown && !pipeline_busy(p))
		h->state = HEALTH_UNKNOWN;
}
