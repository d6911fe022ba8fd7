/* flux_ops.c - reconcile / suspend / resume as a small state machine:
 * GET the object, PATCH it, then watch it (a name-scoped informer) until
 * the controller has handled the request and the object settles, with a
 * timeout. */
#include "flux_ops.h"
#include "informer.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS (5L * 60 * 1000)

struct target {
	enum flux_kind kind;
	char version[16];
	char ns[256];
	char name[256];
};

struct flux_action {
	struct kube_client *c;
	struct change *ch;
	struct loop *loop;
	enum flux_action_kind what;
	const char *versions[FLUX_KIND_COUNT];
	int with_source;
	long timeout_ms;
	struct target obj;    /* what the operator named */
	struct target source; /* its source, when with_source */
	struct target *cur;   /* being reconciled now */
	int source_done;
	char requested_at[TIMEFMT_RFC3339_NANO_LEN];
	struct kube_call *call;
	struct informer *inf;
	unsigned timer;
	unsigned settle_timer; /* settles outside the informer's callback */
	enum flux_reconcile_phase phase;
	flux_action_progress_fn progress;
	flux_action_done_fn done;
	void *ud;
};

static void reconcile(struct flux_action *a, struct target *t);

static void label(const struct target *t, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s/%s", flux_kind_get(t->kind)->kind, t->ns,
		 t->name);
}

static void path_of(const struct target *t, char *buf, size_t sz,
		    const char *suffix)
{
	const struct flux_kind_info *ki = flux_kind_get(t->kind);
	char ns[300], name[300];

	kube_escape(ns, sizeof(ns), t->ns);
	kube_escape(name, sizeof(name), t->name);
	snprintf(buf, sz, "/apis/%s/%s/namespaces/%s/%s/%s%s", ki->group,
		 t->version, ns, ki->plural, name, suffix ? suffix : "");
}

static void stop_following(struct flux_action *a)
{
	informer_stop(&a->inf);
	loop_timer_cancel(a->loop, a->timer);
	loop_timer_cancel(a->loop, a->settle_timer);
	a->timer = 0;
	a->settle_timer = 0;
}

static void finish(struct flux_action *a, int ok, const struct err *e,
		   const char *result)
{
	struct err ae;

	stop_following(a);
	kube_call_cancel(a->call);
	a->call = NULL;
	err_clear(&ae);
	if (change_end(a->ch, ok, ok ? result : e->msg, &ae) < 0 && ok) {
		/* done, but the trail is broken: say so */
		char why[sizeof(ae.msg)];

		memcpy(why, ae.msg, sizeof(why));
		ok = 0;
		err_set(&ae, ERR_IO, "%.200s, but %.300s",
			result ? result : "done", why);
		e = &ae;
	}
	a->done(ok, e, result, a->ud);
	free(a);
}

static void fail(struct flux_action *a, const struct err *e)
{
	finish(a, 0, e, NULL);
}

static void report(struct flux_action *a, const char *text)
{
	char who[600];

	label(a->cur ? a->cur : &a->obj, who, sizeof(who));
	change_progress(a->ch, text);
	if (a->progress)
		a->progress(who, text, a->ud);
}

static void on_timeout(void *ud)
{
	struct flux_action *a = ud;
	struct err e;
	char who[600], dur[TIMEFMT_AGE_LEN];

	a->timer = 0;
	label(a->cur, who, sizeof(who));
	timefmt_duration(a->timeout_ms / 1000, dur, sizeof(dur));
	if (a->phase == FLUX_RECONCILE_WAITING_HANDLED)
		err_set(&e, ERR_TIMEOUT,
			"%s: the controller did not handle the reconcile "
			"request within %s (is %s running?)",
			who, dur,
			flux_kind_get(a->cur->kind)->is_source
				? "source-controller"
				: "kustomize-controller");
	else
		err_set(&e, ERR_TIMEOUT, "%s: not Ready within %s", who, dur);
	fail(a, &e);
}

static void object_settled(struct flux_action *a,
			   const struct flux_object *o)
{
	char rev[FLUX_REVISION_SHORT_LEN], result[300], who[600];
	struct err e;

	label(a->cur, who, sizeof(who));
	if (a->phase == FLUX_RECONCILE_DONE_FAILED) {
		err_set(&e, ERR_HTTP, "%s: %s", who,
			*o->ready_message ? o->ready_message
					  : "reconciliation failed");
		fail(a, &e);
		return;
	}
	if (a->phase == FLUX_RECONCILE_DONE_WAITING) {
		err_set(&e, ERR_HTTP, "%s: handled, but %s", who,
			*o->ready_message ? o->ready_message
					  : "a dependency is not ready");
		fail(a, &e);
		return;
	}
	if (a->cur == &a->source && !a->source_done) {
		a->source_done = 1;
		stop_following(a);
		reconcile(a, &a->obj);
		return;
	}
	flux_revision_short(o->revision, rev, sizeof(rev));
	snprintf(result, sizeof(result), "%s revision %s",
		 flux_kind_get(o->kind)->is_source ? "fetched" : "applied",
		 *rev ? rev : "(none)");
	finish(a, 1, NULL, result);
}

/* The object as the informer holds it now; 0 when it is absent. */
static int current(struct flux_action *a, struct flux_object *o)
{
	const cJSON *j = informer_find(a->inf, a->cur->ns, a->cur->name);

	memset(o, 0, sizeof(*o));
	return j && flux_object_from_json(o, a->cur->kind, j, NULL) == 0;
}

static void on_settle(void *ud)
{
	struct flux_action *a = ud;
	struct flux_object o;

	a->settle_timer = 0;
	if (!current(a, &o))
		return;
	object_settled(a, &o); /* may free a */
	flux_object_clear(&o);
}

static void on_obj_change(struct informer *inf, void *ud)
{
	struct flux_action *a = ud;
	struct flux_object o;
	enum flux_reconcile_phase ph;

	(void)inf;
	if (!current(a, &o))
		return;
	ph = flux_reconcile_phase(&o, a->requested_at);
	flux_object_clear(&o);
	if (ph != a->phase) {
		a->phase = ph;
		report(a, flux_reconcile_phase_text(ph));
	}
	/* Not from inside the informer: settling stops it. */
	if (ph >= FLUX_RECONCILE_DONE_READY && !a->settle_timer)
		a->settle_timer = loop_timer_add(a->loop, 0, on_settle, a);
}

static const struct informer_ops follow_ops = {
	.on_change = on_obj_change,
};

static void follow(struct flux_action *a)
{
	const struct flux_kind_info *ki = flux_kind_get(a->cur->kind);
	char path[1024], ns[300], sel[400], name[300];

	kube_escape(ns, sizeof(ns), a->cur->ns);
	snprintf(name, sizeof(name), "metadata.name=%s", a->cur->name);
	kube_escape(sel, sizeof(sel), name);
	snprintf(path, sizeof(path),
		 "/apis/%s/%s/namespaces/%s/%s?fieldSelector=%s", ki->group,
		 a->cur->version, ns, ki->plural, sel);
	a->phase = FLUX_RECONCILE_WAITING_HANDLED;
	report(a, flux_reconcile_phase_text(a->phase));
	a->timer = loop_timer_add(a->loop, a->timeout_ms, on_timeout, a);
	a->inf = informer_start(a->c, path, &follow_ops, a);
}

static void on_annotated(struct kube_result *r, void *ud)
{
	struct flux_action *a = ud;

	a->call = NULL;
	if (!r->ok) {
		fail(a, &r->err);
		return;
	}
	report(a, "requested");
	follow(a);
}

static void reconcile(struct flux_action *a, struct target *t)
{
	char path[1024];
	char *patch;

	a->cur = t;
	timefmt_now_rfc3339_nano(a->requested_at, sizeof(a->requested_at));
	patch = flux_reconcile_patch(a->requested_at);
	path_of(t, path, sizeof(path), NULL);
	a->call = kube_request(a->c, "PATCH", path,
			       "application/merge-patch+json", patch,
			       on_annotated, a);
	free(patch);
}

static void on_suspend_patched(struct kube_result *r, void *ud)
{
	struct flux_action *a = ud;

	a->call = NULL;
	if (!r->ok) {
		fail(a, &r->err);
		return;
	}
	if (a->what == FLUX_ACT_SUSPEND) {
		finish(a, 1, NULL, "suspended");
		return;
	}
	report(a, "resumed");
	reconcile(a, &a->obj);
}

static void on_got_object(struct kube_result *r, void *ud)
{
	struct flux_action *a = ud;
	struct flux_object o;
	struct err e;
	char path[1024];
	char *patch;

	a->call = NULL;
	if (!r->ok) {
		fail(a, &r->err);
		return;
	}
	memset(&o, 0, sizeof(o));
	err_clear(&e);
	if (flux_object_from_json(&o, a->obj.kind, r->json, &e) < 0) {
		fail(a, &e);
		return;
	}
	if (a->what == FLUX_ACT_SUSPEND || a->what == FLUX_ACT_RESUME) {
		patch = flux_suspend_patch(a->what == FLUX_ACT_SUSPEND);
		path_of(&a->obj, path, sizeof(path), NULL);
		a->call = kube_request(a->c, "PATCH", path,
				       "application/merge-patch+json", patch,
				       on_suspend_patched, a);
		free(patch);
		flux_object_clear(&o);
		return;
	}
	if (flux_reconcile_check(&o, &e) < 0) {
		flux_object_clear(&o);
		fail(a, &e);
		return;
	}
	if (a->with_source && *o.source_ref.name) {
		enum flux_kind sk;

		if (flux_kind_parse(o.source_ref.kind, &sk) < 0 ||
		    !a->versions[sk]) {
			err_set(&e, ERR_USAGE,
				"the source kind %s is not served by this "
				"cluster",
				o.source_ref.kind);
			flux_object_clear(&o);
			fail(a, &e);
			return;
		}
		a->source.kind = sk;
		snprintf(a->source.version, sizeof(a->source.version), "%s",
			 a->versions[sk]);
		snprintf(a->source.ns, sizeof(a->source.ns), "%s",
			 o.source_ref.namespace);
		snprintf(a->source.name, sizeof(a->source.name), "%s",
			 o.source_ref.name);
		flux_object_clear(&o);
		reconcile(a, &a->source);
		return;
	}
	flux_object_clear(&o);
	a->source_done = 1;
	reconcile(a, &a->obj);
}

struct flux_action *flux_action_start(struct kube_client *c,
				      struct change *ch,
				      const struct flux_action_opts *o,
				      flux_action_progress_fn progress,
				      flux_action_done_fn done, void *ud,
				      struct err *e)
{
	struct flux_action *a;
	char path[1024];
	int k;

	if (!change_running(ch)) {
		err_set(e, ERR_USAGE, "flux action: not audited");
		return NULL;
	}
	if (o->kind >= FLUX_KIND_COUNT || !o->ns || !o->name || !done) {
		err_set(e, ERR_USAGE, "flux action: kind, namespace and name "
				      "are needed");
		change_end(ch, 0, e ? e->msg : "bad options", NULL);
		return NULL;
	}
	if (!o->versions[o->kind]) {
		err_set(e, ERR_NOTFOUND, "%s is not served by this cluster "
					 "(is Flux installed?)",
			flux_kind_get(o->kind)->kind);
		change_end(ch, 0, e ? e->msg : "not served", NULL);
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	a->c = c;
	a->ch = ch;
	a->loop = kube_client_loop(c);
	a->what = o->what;
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		a->versions[k] = o->versions[k];
	a->with_source = o->with_source &&
			 !flux_kind_get(o->kind)->is_source;
	a->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	a->obj.kind = o->kind;
	snprintf(a->obj.version, sizeof(a->obj.version), "%s",
		 o->versions[o->kind]);
	snprintf(a->obj.ns, sizeof(a->obj.ns), "%s", o->ns);
	snprintf(a->obj.name, sizeof(a->obj.name), "%s", o->name);
	a->cur = &a->obj;
	a->progress = progress;
	a->done = done;
	a->ud = ud;
	path_of(&a->obj, path, sizeof(path), NULL);
	a->call = kube_request(c, "GET", path, NULL, NULL, on_got_object, a);
	return a;
}

void flux_action_cancel(struct flux_action *a)
{
	if (!a)
		return;
	stop_following(a);
	kube_call_cancel(a->call);
	change_end(a->ch, 0,
		   "stopped following; the request may still take effect",
		   NULL);
	free(a);
}

struct discover {
	flux_versions_fn done;
	void *ud;
};

static void on_discovered(const char *const *versions, int installed,
			  const struct err *e, void *ud)
{
	struct discover *d = ud;

	(void)installed;
	d->done(versions, e, d->ud);
	free(d);
}

struct flux_discovery *flux_discover_versions(struct kube_client *c,
					      flux_versions_fn done, void *ud)
{
	struct discover *d = xmalloc(sizeof(*d));

	d->done = done;
	d->ud = ud;
	return flux_discover_start(c, on_discovered, d);
}
