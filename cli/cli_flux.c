/* cli_flux.c - `jumpdeck flux`, `jumpdeck check` and `jumpdeck
 * reconcile|suspend|resume`: the Flux pane's data and actions, once, with
 * tables or JSON and exit codes for pipelines. No internet lookups. */
#include "cli.h"
#include "cli_session.h"
#include "print.h"
#include "backend/health.h"
#include "backend/flux.h"
#include "backend/flux_drift.h"
#include "backend/flux_ops.h"
#include "backend/flux_watch.h"
#include "backend/kube_name.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SETTLE_MS 30000

struct settle {
	int done;
	struct flux_watch *w;
};

static void on_timeout(void *ud)
{
	((struct settle *)ud)->done = 1;
}

static void on_change(struct flux_watch *w, void *ud)
{
	struct settle *st = ud;

	if (flux_watch_settled(w))
		st->done = 1;
}

static const struct flux_watch_ops settle_ops = {.on_change = on_change};

/* Start a watch and wait until it has listed everything (or 30 s). */
static struct flux_watch *watch_settled(struct cli_session *s,
					struct settle *st)
{
	unsigned t;

	memset(st, 0, sizeof(*st));
	st->w = flux_watch_start(s->kube, NULL, &settle_ops, st);
	t = loop_timer_add(s->loop, SETTLE_MS, on_timeout, st);
	cli_wait(s, &st->done);
	loop_timer_cancel(s->loop, t);
	return st->w;
}

static size_t print_problems(struct flux_watch *w)
{
	const char **msgs;
	size_t n = flux_watch_problems(w, &msgs), i;

	for (i = 0; i < n; i++)
		cli_error("%s", msgs[i]);
	return n;
}

/* Check every GitRepository against its remote once (30 s at most). */
static struct flux_drift *drift_once(struct cli_session *s,
				     const struct flux_object *v, size_t n)
{
	struct flux_drift *d = flux_drift_new(s->kube, NULL, NULL);
	struct settle st;
	unsigned t;

	memset(&st, 0, sizeof(st));
	flux_drift_update(d, v, n, 0);
	t = loop_timer_add(s->loop, SETTLE_MS, on_timeout, &st);
	while (!st.done && flux_drift_busy(d))
		loop_run_once(s->loop, -1);
	loop_timer_cancel(s->loop, t);
	return d;
}

/* The verdict in `flux --json`, and the error when it is not ok. */
static void add_health(cJSON *doc, const struct health *h)
{
	cJSON *j = cJSON_AddObjectToObject(doc, "health");

	cJSON_AddStringToObject(j, "state", health_state_name(h->state));
	cJSON_AddStringToObject(j, "text", h->text);
	if (h->state != HEALTH_OK)
		cJSON_AddStringToObject(doc, "error", h->text);
}

/* Flux could not be read (discovery failed, or no answer in time): say
 * so in one sentence, as JSON too. */
static void unreadable(const struct cli_opts *o, struct flux_watch *w)
{
	struct health h;

	health_flux(w, NULL, cli_ascii(o), &h);
	if (!flux_watch_settled(w))
		snprintf(h.text, sizeof(h.text),
			 "Flux cannot be read: no answer within %d s (%s)",
			 SETTLE_MS / 1000,
			 flux_watch_discovered(w) ? "the lists of Flux objects"
						  : "the API discovery");
	if (h.state == HEALTH_OK || h.state == HEALTH_PENDING)
		h.state = HEALTH_UNKNOWN;
	if (o->json) {
		cJSON *doc = cJSON_CreateObject();
		char *js;

		add_health(doc, &h);
		js = cJSON_Print(doc);
		cli_json(js);
		free(js);
		cJSON_Delete(doc);
	}
	cli_error("%s", h.text);
}

int cli_flux(const struct cli_opts *o)
{
	struct cli_session s;
	struct settle st;
	struct flux_watch *w;
	struct flux_object *v = NULL;
	struct flux_controller *c = NULL;
	struct flux_drift *drift = NULL;
	size_t n = 0, nc = 0, problems, i;
	struct flux_summary sum;
	struct health h;
	int rc, remote_header = 0;

	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	w = watch_settled(&s, &st);
	if (flux_watch_not_installed(w)) {
		cli_error("Flux is not installed: the cluster serves no "
			  "*.toolkit.fluxcd.io API group");
		rc = 1;
		goto out;
	}
	if (!flux_watch_discovered(w) || !flux_watch_settled(w)) {
		/* Nothing (or not all) could be read: no tables that look
		 * like an empty Flux, and never exit 0. */
		unreadable(o, w);
		rc = 1;
		goto out;
	}
	/* a part that cannot be read (a 403 on one kind): said first */
	problems = print_problems(w);
	flux_watch_objects(w, &v, &n);
	flux_watch_controllers(w, &c, &nc);
	flux_objects_sort(v, n);
	flux_summarize(c, nc, v, n, &sum);
	drift = drift_once(&s, v, n);
	health_flux(w, drift, cli_ascii(o), &h);
	rc = h.state == HEALTH_OK ? 0 : 1;
	if (o->json) {
		char *js = flux_to_json(c, nc, v, n, &sum);
		cJSON *doc = cJSON_Parse(js), *arr;

		free(js);
		add_health(doc, &h);
		arr = cJSON_AddArrayToObject(doc, "remote");
		for (i = 0; i < n; i++) {
			const struct drift_result *d = flux_drift_get(
				drift, v[i].namespace, v[i].name);
			cJSON *it;

			if (v[i].kind != FLUX_GIT_REPOSITORY || !d)
				continue;
			it = cJSON_CreateObject();
			cJSON_AddStringToObject(it, "namespace",
						v[i].namespace);
			cJSON_AddStringToObject(it, "name", v[i].name);
			cJSON_AddStringToObject(it, "state",
						drift_state_text(d->state));
			cJSON_AddStringToObject(it, "remoteRevision",
						d->remote_sha);
			cJSON_AddStringToObject(it, "fluxRevision", v[i].sha);
			cJSON_AddStringToObject(it, "message", d->message);
			cJSON_AddItemToArray(arr, it);
		}
		js = cJSON_Print(doc);
		cli_json(js);
		free(js);
		cJSON_Delete(doc);
	} else {
		char *line = flux_summary_text(&sum, cli_ascii(o));

		flux_print_controllers(stdout, c, nc);
		cli_say(stdout, "%s", "");
		flux_print_table(stdout, FLUX_TABLE_SOURCES, v, n, time(NULL));
		cli_say(stdout, "%s", "");
		flux_print_table(stdout, FLUX_TABLE_KUSTOMIZATIONS, v, n,
				 time(NULL));
		for (i = 0; i < n; i++) {
			const struct drift_result *d = flux_drift_get(
				drift, v[i].namespace, v[i].name);

			if (v[i].kind != FLUX_GIT_REPOSITORY || !d)
				continue;
			if (!remote_header++) {
				cli_say(stdout, "%s", "");
				cli_say(stdout, "REMOTE");
			}
			cli_say(stdout, "%s/%s: %s", v[i].namespace,
				v[i].name, d->message);
		}
		cli_say(stdout, "%s", "");
		cli_say(stdout, "%s", line);
		free(line);
	}
	(void)problems;
out:
	flux_drift_free(&drift);
	flux_objects_free(&v, n);
	flux_controllers_free(&c, nc);
	flux_watch_stop(&w);
	cli_session_close(&s);
	return rc;
}

/* ---- check --------------------------------------------------------- */

struct check {
	char name[64];
	int ok;
	int warn; /* ok, but something could not be verified */
	char message[700];
};

struct checks {
	struct check *v;
	size_t n, cap;
};

static void add(struct checks *cs, const char *name, int ok, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static void add(struct checks *cs, const char *name, int ok, const char *fmt,
		...)
{
	struct check *c;
	va_list ap;

	cs->v = xgrow(cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v));
	c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ok = ok;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
}

static int version_at_least(const char *v, int major, int minor)
{
	long a = 0, b = 0;
	char *end;

	if (*v == 'v')
		v++;
	a = strtol(v, &end, 10);
	if (*end == '.')
		b = strtol(end + 1, &end, 10);
	return a > major || (a == major && b >= minor);
}

static void check_crds(struct cli_session *s, struct checks *cs)
{
	cJSON *list = NULL, *it;
	struct err e;
	int found = 0;

	if (cli_list(s, "/apis/apiextensions.k8s.io/v1/"
			"customresourcedefinitions",
		     &list, &e) < 0) {
		add(cs, "crds", 0, "cannot list CRDs: %s", e.msg);
		return;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list,
								 "items"))
	{
		const cJSON *md = cJSON_GetObjectItemCaseSensitive(it,
								   "metadata");
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(md, "name");
		const cJSON *spec =
		    cJSON_GetObjectItemCaseSensitive(it, "spec");
		const cJSON *vs = cJSON_GetObjectItemCaseSensitive(spec,
								   "versions");
		const cJSON *ver;
		char served[128] = "", stored[32] = "";
		size_t off = 0;

		if (!cJSON_IsString(nm) ||
		    !strstr(nm->valuestring, ".toolkit.fluxcd.io"))
			continue;
		found++;
		cJSON_ArrayForEach(ver, vs)
		{
			const cJSON *vn =
				cJSON_GetObjectItemCaseSensitive(ver, "name");

			if (!cJSON_IsString(vn))
				continue;
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				    ver, "served")) &&
			    off + strlen(vn->valuestring) + 2 <
				    sizeof(served))
				off += (size_t)snprintf(served + off,
							sizeof(served) - off,
							"%s%s", off ? "," : "",
							vn->valuestring);
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				    ver, "storage")))
				snprintf(stored, sizeof(stored), "%s",
					 vn->valuestring);
		}
		add(cs, "crd", served[0] != '\0', "%s: served %s, stored %s",
		    nm->valuestring, served[0] ? served : "none",
		    stored[0] ? stored : "none");
	}
	if (!found)
		add(cs, "crds", 0, "no Flux CRDs (*.toolkit.fluxcd.io) found");
	cJSON_Delete(list);
}

static void check_flux(struct cli_session *s, struct checks *cs)
{
	struct settle st;
	struct flux_watch *w = watch_settled(s, &st);
	struct flux_object *v = NULL;
	struct flux_controller *c = NULL;
	struct flux_drift *drift;
	size_t n = 0, nc = 0, i, np;
	const char **msgs;
	char rev[FLUX_REVISION_SHORT_LEN];
	struct flux_dep_index *x;

	np = flux_watch_problems(w, &msgs);
	for (i = 0; i < np; i++)
		add(cs, "access", 0, "%s", msgs[i]);
	flux_watch_objects(w, &v, &n);
	flux_watch_controllers(w, &c, &nc);
	flux_objects_sort(v, n);
	x = flux_dep_index_new(v, n);
	if (!nc)
		add(cs, "controllers", 0,
		    "no Flux controllers found in %s (looked for the label "
		    "app.kubernetes.io/part-of=flux and the known names)",
		    flux_watch_namespace(w));
	for (i = 0; i < nc; i++)
		add(cs, "controller", flux_controller_ok(&c[i]),
		    "%s: %d/%d available%s%s%s%s", c[i].name, c[i].ready,
		    c[i].desired, *c[i].repo ? " (" : "", c[i].repo,
		    *c[i].tag ? ":" : "", *c[i].repo ? c[i].tag : "");
	for (i = 0; i < nc; i++) {
		size_t k = strlen(cs->v[cs->n - nc + i].message);

		if (*c[i].repo && k + 2 < sizeof(cs->v[0].message))
			snprintf(cs->v[cs->n - nc + i].message + k,
				 sizeof(cs->v[0].message) - k, ")");
	}
	for (i = 0; i < n; i++) {
		const struct flux_object *ob = &v[i];
		const char *kind = flux_kind_get(ob->kind)->kind;
		int ok = ob->state == FLUX_STATE_READY || ob->suspended;
		char *why = NULL;
		struct flux_dep_root root;

		flux_revision_short(ob->revision, rev, sizeof(rev));
		if (ob->state == FLUX_STATE_WAITING && ob->ndepends_on &&
		    flux_dep_index_root(x, ob, &root) != FLUX_DEP_OK)
			why = flux_dependency_text(&root);
		if (ok)
			add(cs, "object", 1, "%s %s/%s: %s%s%s", kind,
			    ob->namespace, ob->name,
			    ob->suspended ? "suspended" : "Ready",
			    *rev ? " at " : "", rev);
		else
			add(cs, "object", 0, "%s %s/%s: %s: %s", kind,
			    ob->namespace, ob->name,
			    flux_state_text(ob->state),
			    why ? why : flux_object_message(ob));
		free(why);
	}
	flux_dep_index_free(&x);
	drift = drift_once(s, v, n);
	for (i = 0; i < n; i++) {
		const struct drift_result *d =
			flux_drift_get(drift, v[i].namespace, v[i].name);

		if (v[i].kind != FLUX_GIT_REPOSITORY || !d)
			continue;
		/* Not reaching the remote is a warning; a host key mismatch
		 * or a Flux behind its branch is a failure. */
		add(cs, "remote",
		    d->state == DRIFT_IN_SYNC || d->state == DRIFT_PINNED ||
			    (d->state == DRIFT_ERROR && !d->host_key_mismatch),
		    "GitRepository %s/%s against its remote: %s",
		    v[i].namespace, v[i].name, d->message);
		cs->v[cs->n - 1].warn = d->state == DRIFT_ERROR &&
					!d->host_key_mismatch;
	}
	flux_drift_free(&drift);
	flux_objects_free(&v, n);
	flux_controllers_free(&c, nc);
	flux_watch_stop(&w);
}

int cli_check(const struct cli_opts *o)
{
	struct cli_session s;
	struct checks cs = {0};
	cJSON *ver = NULL, *apis = NULL;
	struct err e;
	size_t i, failed = 0;
	int rc, k, any = 0;

	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	if (cli_call(&s, "GET", "/version", NULL, NULL, &ver, &e) < 0) {
		add(&cs, "api", 0, "Kubernetes API %s: %s", s.server, e.msg);
		goto print;
	}
	{
		const cJSON *gv =
		    cJSON_GetObjectItemCaseSensitive(ver, "gitVersion");
		const char *v = cJSON_IsString(gv) ? gv->valuestring : "?";

		add(&cs, "api", 1, "Kubernetes API %s answers (%s)", s.server,
		    v);
		add(&cs, "version", version_at_least(v, 1, 16),
		    "Kubernetes %s %s 1.16.0 (the oldest Flux v0.8 supports)",
		    v, version_at_least(v, 1, 16) ? ">=" : "<");
	}
	if (cli_call(&s, "GET", "/apis", NULL, NULL, &apis, &e) < 0) {
		add(&cs, "auth", 0, "API discovery as %s: %s",
		    kube_client_identity(s.kube), e.msg);
		goto print;
	}
	add(&cs, "auth", 1, "authenticated (context %s, %s)", s.context,
	    kube_client_identity(s.kube));
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const struct flux_kind_info *ki = flux_kind_get(k);
		const char *v = flux_pick_version_in_list(apis, ki->group);

		if (!v)
			continue;
		any = 1;
		if (k == FLUX_GIT_REPOSITORY || k == FLUX_KUSTOMIZATION)
			add(&cs, "api-version", 1, "%s served at %s",
			    ki->group, v);
	}
	if (!any) {
		add(&cs, "flux", 0, "Flux is not installed: no "
				    "*.toolkit.fluxcd.io API group");
		goto print;
	}
	check_crds(&s, &cs);
	check_flux(&s, &cs);
print:
	for (i = 0; i < cs.n; i++)
		failed += !cs.v[i].ok;
	if (o->json) {
		cJSON *j = cJSON_CreateObject(), *arr;
		char *out;

		cJSON_AddBoolToObject(j, "ok", failed == 0);
		arr = cJSON_AddArrayToObject(j, "checks");
		for (i = 0; i < cs.n; i++) {
			cJSON *c = cJSON_CreateObject();

			cJSON_AddStringToObject(c, "check", cs.v[i].name);
			cJSON_AddBoolToObject(c, "ok", cs.v[i].ok);
			cJSON_AddBoolToObject(c, "warning", cs.v[i].warn);
			cJSON_AddStringToObject(c, "message", cs.v[i].message);
			cJSON_AddItemToArray(arr, c);
		}
		out = cJSON_Print(j);
		cli_json(out);
		free(out);
		cJSON_Delete(j);
	} else {
		for (i = 0; i < cs.n; i++)
			cli_say(stdout, "%s %s",
				cs.v[i].warn ? (cli_ascii(o) ? "[!]" : "!")
					     : cli_mark(o, cs.v[i].ok),
				cs.v[i].message);
		cli_say(stdout, "%s",
			failed ? "check failed" : "all checks passed");
	}
	free(cs.v);
	cJSON_Delete(ver);
	cJSON_Delete(apis);
	cli_session_close(&s);
	return failed ? 1 : 0;
}

/* ---- reconcile / suspend / resume ---------------------------------- */

struct act {
	int done;
	int ok;
	struct err err;
	char result[300];
	const struct cli_opts *o;
	int have_versions;
	const char *versions[FLUX_KIND_COUNT];
};

static void on_versions(const char *const *versions, const struct err *e,
			void *ud)
{
	struct act *a = ud;
	int k;

	a->done = 1;
	if (!versions) {
		a->err = *e;
		return;
	}
	a->have_versions = 1;
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		a->versions[k] = versions[k];
}

static void on_progress(const char *object, const char *text, void *ud)
{
	struct act *a = ud;

	cli_say(stderr, "%s %s: %s", cli_ascii(a->o) ? ">" : "\u25ba",
		object, text);
}

static void on_action_done(int ok, const struct err *e, const char *result,
			   void *ud)
{
	struct act *a = ud;

	a->done = 1;
	a->ok = ok;
	if (e)
		a->err = *e;
	snprintf(a->result, sizeof(a->result), "%s", result ? result : "");
}

int cli_flux_action(const struct cli_opts *o, const char *verb,
		    const char *kind_s, const char *name)
{
	struct cli_session s;
	struct flux_action_opts fo;
	struct change *ch;
	struct act a;
	enum flux_kind kind;
	char action[64], target[600];
	struct err e;
	int rc, k;

	if (flux_kind_parse(kind_s, &kind) < 0) {
		cli_error("unknown kind \"%s\" (try kustomization, "
			  "gitrepository, helmrelease, ocirepository, "
			  "helmrepository, bucket)",
			  kind_s);
		return 2;
	}
	err_clear(&e);
	if (kube_name_check(flux_kind_get(kind)->kind, name,
			    KUBE_NAME_SUBDOMAIN, &e) < 0 ||
	    kube_name_check("namespace", o->ns ? o->ns : "flux-system",
			    KUBE_NAME_LABEL, &e) < 0) {
		cli_error("%s", e.msg);
		return 2;
	}
	memset(&fo, 0, sizeof(fo));
	fo.what = strcmp(verb, "suspend") == 0	 ? FLUX_ACT_SUSPEND
		  : strcmp(verb, "resume") == 0 ? FLUX_ACT_RESUME
						 : FLUX_ACT_RECONCILE;
	fo.kind = kind;
	fo.ns = o->ns ? o->ns : "flux-system";
	fo.name = name;
	fo.with_source = o->with_source;
	fo.timeout_ms = o->timeout_ms;
	snprintf(action, sizeof(action), "flux.%s", verb);
	snprintf(target, sizeof(target), "%s/%s/%s",
		 flux_kind_get(kind)->singular, fo.ns, name);
	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	/* The intent is written before any request, or nothing happens. */
	ch = cli_change_begin(s.changes, action, target,
			      kube_client_identity(s.kube), NULL);
	if (!ch) {
		cli_session_close(&s);
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.o = o;
	flux_discover_versions(s.kube, on_versions, &a);
	cli_wait(&s, &a.done);
	if (!a.have_versions) {
		change_end(ch, 0, a.err.msg, NULL);
		cli_error("%s", a.err.msg);
		cli_session_close(&s);
		return 1;
	}
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		fo.versions[k] = a.versions[k];
	a.done = 0;
	err_clear(&e);
	if (!flux_action_start(s.kube, ch, &fo, on_progress, on_action_done,
			       &a, &e)) {
		cli_error("%s", e.msg);
		cli_session_close(&s);
		return 1;
	}
	cli_wait(&s, &a.done);
	if (a.ok) {
		cli_say(stdout, "%s %s: %s", cli_mark(o, 1), target, a.result);
		rc = 0;
	} else {
		cli_say(stderr, "%s %s", cli_mark(o, 0), a.err.msg);
		rc = 1;
	}
	cli_session_close(&s);
	return rc;
}
