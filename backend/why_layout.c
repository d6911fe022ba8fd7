/* why_layout.c - lays a why-chain out from what a load kept: the Flux
 * object (and the dependency it waits for, and its source), the workloads
 * that are not healthy with their pods, events, log tails and images, and
 * a note for every limit that left something out and every answer that
 * was refused. Decides which links explain the failure on their own. No
 * requests. */
#include "why_load_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xalloc.h"

struct lay {
	struct why_load *w;
	struct why_chain *c;
	char events_err[600]; /* said once: the same refusal repeats */
};

static enum why_severity flux_severity(enum flux_state s)
{
	if (s == FLUX_STATE_READY)
		return WHY_OK;
	return flux_state_is_failed(s) ? WHY_BAD : WHY_WARN;
}

static struct why_link *flux_link(struct lay *y, const struct fluxinfo *fi,
				  int depth, const char *message)
{
	char what[700], why[1400], target[700];
	const char *kind = flux_kind_get(fi->kind)->kind;
	struct why_link *l;

	why_fmt(what, sizeof(what), "%s %s/%s", kind, fi->ns, fi->name);
	why_fmt(why, sizeof(why), "%s%s: %s", flux_state_text(fi->state),
		fi->suspended ? " (suspended)" : "",
		message ? message : fi->message);
	l = why_add(y->c, WHY_FLUX, depth, flux_severity(fi->state), what,
		    why);
	why_fmt(target, sizeof(target), "%s/%s/%s", kind, fi->ns, fi->name);
	why_link_set_goto(l, WHY_GOTO_FLUX, target);
	return l;
}

static void source_link(struct lay *y, const struct fluxinfo *fi, int depth)
{
	char what[700], why[1400], target[700];
	struct why_link *l;

	if (!fi->have_source ||
	    (fi->src_found && fi->src_state == FLUX_STATE_READY))
		return;
	why_fmt(what, sizeof(what), "%s %s/%s", fi->src_kind, fi->src_ns,
		fi->src_name);
	if (fi->src_found)
		why_fmt(why, sizeof(why), "%s: %s",
			flux_state_text(fi->src_state), fi->src_message);
	else
		why_fmt(why, sizeof(why),
			"not found: nothing can be "
			"applied without its source");
	l = why_add(y->c, WHY_SOURCE, depth,
		    !fi->src_found ? WHY_BAD : flux_severity(fi->src_state),
		    what, why);
	l->explains = !fi->src_found || flux_state_is_failed(fi->src_state);
	why_fmt(target, sizeof(target), "%s/%s/%s", fi->src_kind, fi->src_ns,
		fi->src_name);
	why_link_set_goto(l, WHY_GOTO_FLUX, target);
}

static void note(struct lay *y, int depth, enum why_severity s,
		 const char *what, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void note(struct lay *y, int depth, enum why_severity s,
		 const char *what, const char *fmt, ...)
{
	char why[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	why_add(y->c, WHY_NOTE, depth, s, what, why);
}

/* The events of target t (skip: a message already shown above). */
static void event_links(struct lay *y, long t, int depth, const char *skip)
{
	const struct evtarget *et;
	char what[400], age[TIMEFMT_AGE_LEN];
	size_t i;

	if (t < 0)
		return;
	et = &y->w->ev[t];
	if (et->failed) {
		if (strcmp(y->events_err, et->err) == 0)
			return;
		why_fmt(y->events_err, sizeof(y->events_err), "%s", et->err);
		note(y, depth, WHY_WARN, "Events", "%s", et->err);
		return;
	}
	for (i = 0; i < et->n; i++) {
		const struct why_event *e = &et->ev[i];

		if (skip && *skip && strstr(skip, e->message))
			continue;
		why_fmt(what, sizeof(what),
			"Event %s (%ld time%s, %s ago%s%s)", e->reason,
			e->count, e->count == 1 ? "" : "s",
			timefmt_age(e->last, y->w->now, age, sizeof(age)),
			e->source[0] ? ", " : "", e->source);
		why_add(y->c, WHY_EVENT, depth, WHY_WARN, what, e->message);
	}
}

static void log_link(struct lay *y, long li, int depth)
{
	const struct plog *lg;
	struct why_link *l;
	char what[600];
	const char *last = "";
	size_t i;

	if (li < 0)
		return;
	lg = &y->w->logs[li];
	if (lg->failed) {
		note(y, depth, WHY_WARN, "Log", "%s", lg->err);
		return;
	}
	for (i = lg->n; i > 0; i--)
		if (lg->lines[i - 1][strspn(lg->lines[i - 1], " ")]) {
			last = lg->lines[i - 1];
			break;
		}
	why_fmt(what, sizeof(what),
		"Log of %s before its last restart (%zu line%s%s)",
		lg->container, lg->n, lg->n == 1 ? "" : "s",
		lg->cut ? ", cut at the byte limit" : "");
	l = why_add(y->c, WHY_LOG, depth, WHY_INFO, what,
		    lg->n ? last : "(empty)");
	l->lines = xcalloc(lg->n ? lg->n : 1, sizeof(*l->lines));
	for (i = 0; i < lg->n; i++)
		l->lines[i] = xstrdup(lg->lines[i]); /* already safe */
	l->nlines = lg->n;
}

static void pod_links(struct lay *y, const struct pgroup *pg, int depth)
{
	const struct why_pod *p = &pg->pod;
	struct why_link *l;
	char what[800], why[1400];
	size_t i;

	why_fmt(what, sizeof(what), "Pod %s/%s%s%s", p->ns, p->name,
		p->node[0] ? " on " : "", p->node);
	l = why_add(y->c, WHY_POD, depth, WHY_BAD, what, p->text);
	l->explains = 1;
	why_link_set_goto(l, WHY_GOTO_NODE, p->node);
	event_links(y, pg->evt, depth + 1, NULL);
	log_link(y, pg->log, depth + 1);
	if (p->problem == WHY_P_PULL && p->image[0]) {
		why_fmt(what, sizeof(what), "Image %s", p->image);
		l = why_add(y->c, WHY_IMAGE, depth + 1, WHY_WARN, what,
			    "its pipeline state is not known yet");
		l->image = xstrdup(p->image);
		l->image_pending = 1;
	}
	if (pg->count > 1) {
		size_t len = 0;

		why[0] = '\0';
		for (i = 0; i < pg->nothers && len < sizeof(why); i++)
			len += (size_t)snprintf(why + len, sizeof(why) - len,
						"%s%s", i ? ", " : "",
						pg->others[i]);
		if (pg->count - 1 > pg->nothers && len < sizeof(why))
			why_fmt(why + len, sizeof(why) - len, ", ...");
		why_fmt(what, sizeof(what), "%zu more pod%s like it",
			pg->count - 1, pg->count == 2 ? "" : "s");
		why_add(y->c, WHY_PODS, depth, WHY_BAD, what, why);
	}
}

static void workload_links(struct lay *y, struct wl *x, int depth)
{
	struct why_link *l;
	char what[700], why[1000];
	size_t g;

	why_fmt(what, sizeof(what), "%s %s/%s", x->ref.kind, x->ref.ns,
		x->ref.name);
	why_fmt(why, sizeof(why), "%s%s%s%s", x->ro.text,
		x->from_health && x->ref.status[0]
		    ? "; the health check saw it "
		    : "",
		x->from_health ? x->ref.status : "",
		x->pods_answered && !x->pods_failed && !x->npg
		    ? "; no pod of it is failing now"
		    : "");
	l = why_add(y->c, WHY_WORKLOAD, depth, WHY_BAD, what, why);
	/* it explains itself when nothing below it can */
	l->explains = x->pods_failed || !x->npg;
	event_links(y, x->evt, depth + 1, NULL);
	if (x->pods_failed)
		note(y, depth + 1, WHY_WARN, "Pods", "%s", x->pods_err);
	for (g = 0; g < x->npg; g++)
		pod_links(y, &x->pg[g], depth + 1);
	if (x->other_pods)
		note(y, depth + 1, WHY_WARN, "Pods",
		     "%zu more pod%s not ready in other ways", x->other_pods,
		     x->other_pods == 1 ? " is" : "s are");
	if (x->pods_cut)
		note(y, depth + 1, WHY_WARN, "Pods",
		     "only the first %zu pods were read", y->w->lim.page);
}

/* The list a workload was looked for in, or NULL. */
static const struct group *group_of(const struct why_load *w,
				    const struct wl *x)
{
	size_t g;

	for (g = 0; g < w->ngroups; g++)
		if (strcmp(w->groups[g].ns, x->ref.ns) == 0 &&
		    strcmp(w->groups[g].kind, x->ref.kind) == 0)
			return &w->groups[g];
	return NULL;
}

/* A workload the health check named that is not in the cluster. */
static void missing_link(struct lay *y, const struct wl *x, int depth)
{
	char what[700];
	struct why_link *l;

	why_fmt(what, sizeof(what), "%s %s/%s", x->ref.kind, x->ref.ns,
		x->ref.name);
	l = why_add(y->c, WHY_WORKLOAD, depth, WHY_BAD, what,
		    "not found, but the health check waits for it");
	l->explains = 1;
}

/* Workloads: the unhealthy ones in full, the rest counted. Returns the
 * number of unhealthy or missing ones. */
static size_t workloads(struct lay *y, int depth, int *unread)
{
	struct why_load *w = y->w;
	size_t i, bad = 0, ready = 0, missing = 0, unlisted = 0;
	size_t unfollowed = 0, pass;
	const struct group *gr;
	char names[400] = "";
	size_t nl = 0;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < w->nwl; i++) {
			struct wl *x = &w->wl[i];

			if (x->from_health != (pass == 0))
				continue;
			gr = group_of(w, x);
			if (!x->listed || !gr || gr->skipped) {
				unlisted++;
				continue;
			}
			if (!x->found) {
				/* the list answered without it */
				if (!gr->failed) {
					missing++;
					if (x->from_health)
						missing_link(y, x, depth);
				}
				continue;
			}
			if (x->ro.healthy) {
				ready++;
				continue;
			}
			bad++;
			if (x->followed) {
				workload_links(y, x, depth);
				continue;
			}
			unfollowed++;
			if (nl < sizeof(names))
				nl += (size_t)snprintf(
				    names + nl, sizeof(names) - nl,
				    "%s%s %s/%s", nl ? ", " : "", x->ref.kind,
				    x->ref.ns, x->ref.name);
		}
	if (unfollowed)
		note(y, depth, WHY_BAD, "Workloads",
		     "%zu more not ready, not followed (the pods of %zu "
		     "are read at most): %s",
		     unfollowed, w->lim.workloads, names);
	if (ready)
		note(y, depth, bad ? WHY_INFO : WHY_OK, "Workloads",
		     "%s%zu ready", bad ? "" : "all ", ready);
	if (missing)
		note(y, depth, WHY_WARN, "Workloads",
		     "%zu of its inventory not found in the cluster", missing);
	if (w->nleft) {
		note(y, depth, WHY_WARN, "Workloads",
		     "%zu not checked: %zu more namespace lists would be "
		     "needed (%zu are made at most)",
		     unlisted, w->nleft, w->lim.lists);
		*unread = 1;
	} else if (unlisted) {
		note(y, depth, WHY_WARN, "Workloads", "%zu not checked",
		     unlisted);
		*unread = 1;
	}
	return bad;
}

/* Notes on what could not be read or was left out; 1 when a list of
 * workloads failed (then nothing can be called healthy). */
static int limits_notes(struct lay *y, int depth)
{
	struct why_load *w = y->w;
	int failed = 0;
	size_t g, shown = 0;

	for (g = 0; g < w->ngroups; g++) {
		const struct group *gr = &w->groups[g];

		if (gr->failed) {
			failed = 1;
			if (shown++ < 3)
				note(y, depth, WHY_WARN, "Workloads", "%s",
				     gr->err);
		} else if (gr->cut) {
			note(y, depth, WHY_WARN, "Workloads",
			     "only the first %zu %s in %s were read",
			     w->lim.page, why_workload_plural(gr->kind),
			     gr->ns);
		}
	}
	for (g = 0; g < w->nhealth; g++) {
		const struct why_ref *r = &w->health[g];
		char what[700];

		why_fmt(what, sizeof(what), "%s %s%s%s", r->kind, r->ns,
			r->ns[0] ? "/" : "", r->name);
		why_add(y->c, WHY_OBJECT, depth, WHY_WARN, what,
			r->status[0] ? r->status
				     : "named by the health check");
	}
	if (w->ex->kind == FLUX_KUSTOMIZATION && w->inv_objects &&
	    !w->inv_workloads && !w->ngroups && !w->nwl)
		note(y, depth, WHY_INFO, "Inventory",
		     "%zu object%s applied; none is a Deployment, DaemonSet "
		     "or StatefulSet",
		     w->inv_objects, w->inv_objects == 1 ? "" : "s");
	if (w->skipped)
		note(y, depth, WHY_WARN, "Requests",
		     "%zu left out: at most %zu requests are made for one "
		     "chain",
		     w->skipped, w->lim.requests);
	if (w->events_left)
		note(y, depth, WHY_INFO, "Events",
		     "the events of %zu more object%s were not read",
		     w->events_left, w->events_left == 1 ? "" : "s");
	if (w->timed_out)
		note(y, depth, WHY_WARN, "Requests",
		     "stopped after %ld s with %zu unanswered",
		     w->lim.deadline_ms / 1000, w->unanswered);
	return failed || w->timed_out;
}

static int any_explains(const struct why_chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->links[i].explains)
			return 1;
	return 0;
}

struct why_chain *why_layout(struct why_load *w)
{
	struct lay y;
	struct why_link *top;
	size_t ex;
	char subject[700];
	size_t bad;
	int depth = 0, unread = 0, failed;
	const char *kind = flux_kind_get(w->subj.kind)->kind;

	memset(&y, 0, sizeof(y));
	y.w = w;
	why_fmt(subject, sizeof(subject), "%s %s/%s", kind, w->subj.ns,
		w->subj.name);
	y.c = why_chain_new(subject);
	if (!w->subj.found) {
		top = why_add(y.c, WHY_FLUX, 0, WHY_BAD, subject, "not found");
		top->explains = 1;
		why_chain_mark_likely(y.c);
		return y.c;
	}
	y.c->found = 1;
	flux_link(&y, &w->subj, 0, NULL);
	ex = 0;
	if (w->subj.dep != FLUX_DEP_OK && !w->have_root) {
		/* a dependency that is missing or a cycle: nothing more */
		top = why_add(y.c, WHY_NOTE, 1, WHY_BAD, "Dependencies",
			      w->subj.dep_text);
		top->explains = 1;
		why_chain_mark_likely(y.c);
		return y.c;
	}
	if (w->have_root) {
		depth = 1;
		ex = y.c->n;
		flux_link(&y, &w->root, depth, NULL);
	}
	source_link(&y, w->ex, depth + 1);
	if (w->ex->suspended)
		note(&y, depth + 1, WHY_INFO, "Suspended",
		     "Flux does not apply it until it is resumed");
	event_links(&y, w->subj_evt, depth + 1, w->ex->message);
	bad = workloads(&y, depth + 1, &unread);
	failed = limits_notes(&y, depth + 1);
	y.c->cut = unread || w->skipped || w->events_left ||
		   w->unhealthy_left || w->timed_out;
	y.c->healthy = !w->have_root && w->subj.state == FLUX_STATE_READY &&
		       !bad && !failed && !unread;
	if (!y.c->healthy && !any_explains(y.c)) {
		if (!bad && !failed && !unread && w->nwl &&
		    w->ex->state != FLUX_STATE_READY &&
		    strstr(w->ex->message, "ealth check")) {
			struct why_link *l;
			char args[700];

			l = why_add(y.c, WHY_NOTE, depth + 1, WHY_WARN,
				    "Workloads",
				    "all ready now: the message is from its "
				    "last reconciliation");
			l->explains = 1;
			l->fix = WHY_FIX_RECONCILE;
			l->fix_text = xstrdup("reconcile it");
			why_fmt(args, sizeof(args), "reconcile %s %s -n %s",
				flux_kind_get(w->ex->kind)->short_name,
				w->ex->name, w->ex->ns);
			l->fix_args = xstrdup(args);
		} else {
			y.c->links[ex].explains = 1;
		}
	}
	why_chain_mark_likely(y.c);
	return y.c;
}
