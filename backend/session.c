/* session.c - owns the connection and the models a front end shows: the
 * kube client for the chosen context, the node informer, the Flux watch
 * with its drift checker and an object's events, the image pipeline and
 * the change log; reports which models changed. No drawing, no keys. */
#include "session.h"
#include "pods_watch.h"
#include "ready_trend.h"
#include "scans_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kubeconfig.h"
#include "why_image.h"
#include "why_load.h"
#include "xalloc.h"

#define DRIFT_DEFAULT_MS 30000
#define WHY_REFRESH_MS 5000 /* a chain on screen is built again */

struct events {
	char kind[64];
	char ns[256];
	char name[256];
	struct kube_call *call;
	cJSON *json;
	char error[600];
	int asked;
};

struct whystate {
	int wanted;
	enum flux_kind kind;
	char ns[256];
	char name[256];
	struct why_load *load;
	struct why_chain *chain;
	unsigned timer;
};

struct session {
	struct loop *loop;
	struct session_opts o;
	struct session_hooks h;
	void *ud;
	struct kubeconfig *kc;
	struct err conn_err;
	int have_conn_err;
	struct kube_client *kube;
	struct node_store *nodes;
	struct ready_trend trend; /* Ready per pool over the session */
	unsigned trend_timer;
	struct flux_watch *flux;
	struct flux_drift *drift;
	struct boot_model *boot;
	struct events ev;
	struct whystate why;
	struct pipeline *pipeline;
	char pipeline_err[512];
	struct scans *scans;	    /* fed by the pipeline */
	char scans_err[512];
	struct pods_watch *pods;    /* where digests run */
	struct change_log *changes;
	char context[256];
	char server[512];
};

static void tell(struct session *s, unsigned models)
{
	if (s->h.changed)
		s->h.changed(models, s->ud);
}

/* ---- nodes ------------------------------------------------------------ */

static void trend_arm(struct session *s);

static void on_trend_timer(void *ud)
{
	struct session *s = ud;

	s->trend_timer = 0;
	if (ready_trend_tick(&s->trend, loop_now_ms()))
		tell(s, MODEL_NODES);
	trend_arm(s);
}

/* A sample waits for its interval: one timer, none when nothing waits. */
static void trend_arm(struct session *s)
{
	long long ms = ready_trend_due_ms(&s->trend, loop_now_ms());

	if (ms >= 0 && !s->trend_timer)
		s->trend_timer =
		    loop_timer_add(s->loop, (long)ms, on_trend_timer, s);
}

static void nodes_changed(struct node_store *ns, void *ud)
{
	struct session *s = ud;

	if (node_store_synced(ns)) {
		ready_trend_observe(&s->trend, node_store_summary(ns));
		ready_trend_tick(&s->trend, loop_now_ms());
		trend_arm(s);
	}
	tell(s, MODEL_NODES);
}

static void nodes_status(struct node_store *ns, const struct err *e,
			 long retry_ms, void *ud)
{
	struct session *s = ud;

	(void)ns;
	if (s->h.conn_status)
		s->h.conn_status(e, retry_ms, s->ud);
	tell(s, MODEL_NODES | MODEL_CONN);
}

static const struct node_store_ops nodes_ops = {
	.on_change = nodes_changed,
	.on_status = nodes_status,
};

static void boot_sources(struct session *s);

/* ---- Flux and drift ----------------------------------------------------- */

static void drift_changed(void *ud)
{
	tell(ud, MODEL_FLUX);
}

/* Drift is checked no more often than each source's interval, and not
 * more than once every drift_interval whatever a source says. */
static void update_drift(struct session *s)
{
	struct flux_object *v = NULL;
	size_t n = 0;
	long long min_ms = s->o.config ? config_get_ms(s->o.config,
						       CFG_DRIFT_INTERVAL)
				       : 0;

	if (!s->kube || !s->flux)
		return;
	if (!s->drift) {
		s->drift = flux_drift_new(s->kube, drift_changed, s);
		boot_sources(s);
	}
	flux_watch_objects_view(s->flux, &v, &n);
	flux_drift_update(s->drift, v, n,
			  min_ms > 0 ? min_ms : DRIFT_DEFAULT_MS);
	free(v);
}

static void flux_changed(struct flux_watch *w, void *ud)
{
	struct session *s = ud;

	(void)w;
	update_drift(s);
	tell(s, MODEL_FLUX);
}

static const struct flux_watch_ops flux_ops = {
	.on_change = flux_changed,
};

/* ---- events ------------------------------------------------------------- */

static void events_drop(struct events *ev)
{
	kube_call_cancel(ev->call);
	ev->call = NULL;
	cJSON_Delete(ev->json);
	ev->json = NULL;
	ev->error[0] = '\0';
}

static void on_events(struct kube_result *r, void *ud)
{
	struct session *s = ud;

	s->ev.call = NULL;
	if (r->ok) {
		s->ev.json = r->json;
		r->json = NULL;
	} else {
		snprintf(s->ev.error, sizeof(s->ev.error), "events: %s",
			 r->err.msg);
	}
	tell(s, MODEL_EVENTS);
}

void session_events_load(struct session *s, const char *kind,
			 const char *ns, const char *name)
{
	char path[2400], sel[700], esc[900], nsesc[300];

	events_drop(&s->ev);
	snprintf(s->ev.kind, sizeof(s->ev.kind), "%s", kind);
	snprintf(s->ev.ns, sizeof(s->ev.ns), "%s", ns);
	snprintf(s->ev.name, sizeof(s->ev.name), "%s", name);
	s->ev.asked = 1;
	if (!s->kube) {
		snprintf(s->ev.error, sizeof(s->ev.error),
			 "events: not connected to a cluster");
		tell(s, MODEL_EVENTS);
		return;
	}
	snprintf(sel, sizeof(sel),
		 "involvedObject.name=%s,involvedObject.kind=%s", name, kind);
	kube_escape(esc, sizeof(esc), sel);
	kube_escape(nsesc, sizeof(nsesc), ns);
	snprintf(path, sizeof(path),
		 "/api/v1/namespaces/%s/events?fieldSelector=%s", nsesc, esc);
	s->ev.call = kube_list(s->kube, path, on_events, s);
}

int session_events(const struct session *s, const char *kind,
		   const char *ns, const char *name, const cJSON **items,
		   const char **error)
{
	*items = NULL;
	*error = NULL;
	if (!s->ev.asked || strcmp(s->ev.kind, kind) != 0 ||
	    strcmp(s->ev.ns, ns) != 0 || strcmp(s->ev.name, name) != 0)
		return 0;
	if (s->ev.error[0])
		*error = s->ev.error;
	else if (s->ev.json)
		*items = cJSON_GetObjectItemCaseSensitive(s->ev.json, "items");
	return 1;
}

/* ---- why --------------------------------------------------------------- */

/* The scan gate's word on a row in quarantine/, once the scans have an
 * answer (why_image.h). */
static int why_gate(const struct image_row *r, char *why, size_t sz,
		    void *ud)
{
	struct session *s = ud;
	struct scan_gate g;
	size_t i;

	if (!s->scans || !scans_done_once(s->scans) ||
	    scans_find(s->scans, r->ref, &i) < 0)
		return -1;
	scans_gate(s->scans, i, &g);
	if (!g.blocked)
		return 0;
	snprintf(why, sz, "%s", g.why);
	return 1;
}

static void lookup_image(const char *image, struct why_image *out, void *ud)
{
	struct session *s = ud;

	why_image_lookup(s->pipeline, s->o.config,
			 s->pipeline_err[0] ? s->pipeline_err : NULL, why_gate,
			 s, image, out);
}

/* The chain's images as the pipeline knows them now. */
static void why_images(struct session *s)
{
	if (!s->why.chain)
		return;
	why_chain_resolve_images(s->why.chain, lookup_image, s);
	tell(s, MODEL_WHY);
}

static void why_start_load(struct session *s);

static void on_why_timer(void *ud)
{
	struct session *s = ud;

	s->why.timer = 0;
	if (s->why.wanted && !s->why.load)
		why_start_load(s);
}

static void on_why(struct why_chain *c, void *ud)
{
	struct session *s = ud;

	s->why.load = NULL; /* freed before this call */
	why_chain_free(&s->why.chain);
	s->why.chain = c;
	why_chain_resolve_images(c, lookup_image, s);
	if (s->why.wanted && !s->why.timer)
		s->why.timer = loop_timer_add(s->loop, WHY_REFRESH_MS,
					      on_why_timer, s);
	tell(s, MODEL_WHY);
}

static const cJSON *why_find(void *ud, enum flux_kind kind, const char *ns,
			     const char *name)
{
	return flux_watch_find(ud, kind, ns, name);
}

static void why_start_load(struct session *s)
{
	struct flux_object *v = NULL;
	struct why_opts o;
	size_t n = 0;

	if (!s->kube || !s->flux)
		return;
	flux_watch_objects(s->flux, &v, &n);
	memset(&o, 0, sizeof(o));
	o.kind = s->why.kind;
	o.ns = s->why.ns;
	o.name = s->why.name;
	o.all = v;
	o.n = n;
	o.find = why_find;
	o.find_ud = s->flux;
	why_fetch_kube(&o.fetch, s->kube);
	o.loop = s->loop;
	o.done = on_why;
	o.ud = s;
	s->why.load = why_start(&o);
	flux_objects_free(&v, n);
}

static void why_drop(struct session *s)
{
	why_cancel(&s->why.load);
	why_chain_free(&s->why.chain);
	if (s->why.timer)
		loop_timer_cancel(s->loop, s->why.timer);
	s->why.timer = 0;
}

void session_why_load(struct session *s, enum flux_kind kind,
		      const char *ns, const char *name)
{
	why_drop(s);
	s->why.wanted = 1;
	s->why.kind = kind;
	snprintf(s->why.ns, sizeof(s->why.ns), "%s", ns);
	snprintf(s->why.name, sizeof(s->why.name), "%s", name);
	why_start_load(s);
}

void session_why_close(struct session *s)
{
	why_drop(s);
	s->why.wanted = 0;
}

const struct why_chain *session_why(const struct session *s,
				    enum flux_kind kind, const char *ns,
				    const char *name, int *loading)
{
	int same = s->why.wanted && s->why.kind == kind &&
		   strcmp(s->why.ns, ns) == 0 &&
		   strcmp(s->why.name, name) == 0;

	if (loading)
		*loading = same && s->why.load != NULL;
	return same ? s->why.chain : NULL;
}

/* ---- images ------------------------------------------------------------- */

static void why_images(struct session *s);

static void pipeline_changed(void *ud)
{
	struct session *s = ud;

	why_images(s);
	scans_feed(s->scans, s->pipeline, change_log_path(s->changes));
	tell(s, MODEL_IMAGES);
}

static void scans_changed(void *ud)
{
	why_images(ud); /* a verdict may keep a chain's image back */
	tell(ud, MODEL_SCANS);
}

static void pods_changed(struct pods_watch *w, void *ud)
{
	(void)w;
	tell(ud, MODEL_SCANS);
}

static const struct pods_watch_ops pods_ops = {.on_change = pods_changed};

static void start_scans(struct session *s)
{
	struct scans_ops ops = {.on_change = scans_changed};
	struct err e;

	if (!s->pipeline || !(s->o.models & MODEL_SCANS))
		return;
	err_clear(&e);
	s->scans = scans_feed_new(
		s->loop, s->pipeline, s->o.config, NULL,
		(long)(config_get_ms(s->o.config, CFG_SCAN_REFRESH) / 1000),
		&ops, s, &e);
	if (!s->scans)
		snprintf(s->scans_err, sizeof(s->scans_err), "%s", e.msg);
}

static void pipeline_done(size_t row, enum pipeline_action a, int ok,
			  const char *message, void *ud)
{
	struct session *s = ud;

	if (s->h.image_done)
		s->h.image_done(row, a, ok, message, s->ud);
	why_images(s);
	tell(s, MODEL_IMAGES);
}

static void device_show(const struct azure_device_prompt *p, void *ud)
{
	struct session *s = ud;

	s->h.device_code(p, s->ud);
}

static void device_done(int status, const struct err *e, void *ud)
{
	struct session *s = ud;

	s->h.device_done(status, e, s->ud);
}

static void start_pipeline(struct session *s)
{
	struct pipeline_ops ops;
	struct err e;

	if (!s->o.config || !(s->o.models & MODEL_IMAGES))
		return;
	memset(&ops, 0, sizeof(ops));
	ops.on_change = pipeline_changed;
	ops.on_done = pipeline_done;
	/* The pipeline calls back with the session; the owner's hooks get
	 * the owner's ud. */
	ops.on_device_code = s->h.device_code ? device_show : NULL;
	ops.on_device_done = s->h.device_done ? device_done : NULL;
	err_clear(&e);
	s->pipeline = pipeline_new(s->loop, s->o.config,
				   s->o.azure_sources ? s->o.azure_sources
						      : AZURE_SRC_ALL,
				   &ops, s, &e);
	if (!s->pipeline) {
		snprintf(s->pipeline_err, sizeof(s->pipeline_err), "%s",
			 e.msg);
		return;
	}
	start_scans(s);
	pipeline_refresh(s->pipeline);
}

/* ---- the walkthrough's steps -------------------------------------------- */

static void boot_changed(void *ud)
{
	tell(ud, MODEL_BOOTSTRAP);
}

/* The bootstrap model reads through the session's models: tell it which
 * (again after every reconnect). */
static void boot_sources(struct session *s)
{
	if (!s->boot)
		return;
	bootstrap_model_set_sources(s->boot, s->kube,
				    s->have_conn_err ? s->conn_err.msg
						     : "not connected",
				    s->pipeline, s->nodes, s->flux, s->drift,
				    s->changes);
	bootstrap_model_set_scans(s->boot, s->scans,
				  s->scans_err[0] ? s->scans_err : NULL);
}

static void start_bootstrap(struct session *s)
{
	if (!(s->o.models & MODEL_BOOTSTRAP))
		return;
	s->boot = bootstrap_model_new(
	    s->loop, s->o.config, s->o.kubeconfig, s->o.context,
	    s->pipeline ? pipeline_auth(s->pipeline) : NULL, boot_changed, s);
	/* Reading the steps never opens a sign-in dialog: with one, only
	 * a token someone signed in for is used. */
	bootstrap_model_set_interactive(s->boot, s->h.device_code != NULL);
	boot_sources(s);
	/* read when someone first looks at the steps */
}

/* ---- changes ------------------------------------------------------------ */

static void change_seen(const struct change *c, void *ud)
{
	(void)c;
	tell(ud, MODEL_CHANGES);
}

/* ---- the connection ----------------------------------------------------- */

static void disconnect(struct session *s)
{
	if (s->boot)
		bootstrap_model_set_sources(s->boot, NULL, "not connected",
					    s->pipeline, NULL, NULL, NULL,
					    s->changes);
	why_drop(s);
	events_drop(&s->ev);
	s->ev.asked = 0;
	flux_drift_free(&s->drift);
	pods_watch_stop(&s->pods);
	flux_watch_stop(&s->flux);
	node_store_free(&s->nodes);
	if (s->trend_timer)
		loop_timer_cancel(s->loop, s->trend_timer);
	s->trend_timer = 0;
	ready_trend_init(&s->trend, 0); /* another cluster, another trend */
	kube_client_free(&s->kube);
}

static int foreground(const char *const argv[], const char *const env[],
		      char **out, size_t *out_len, int *code, struct err *e,
		      void *ud)
{
	struct session *s = ud;

	return s->h.foreground(argv, env, out, out_len, code, e, s->ud);
}

static int connect_context(struct session *s, const char *ctx)
{
	struct kube_target t;
	struct kube_conn conn;
	struct err e;

	memset(&t, 0, sizeof(t));
	err_clear(&e);
	s->have_conn_err = 0;
	if (!s->kc)
		return -1; /* the load error is kept in conn_err */
	if (kubeconfig_resolve(s->kc, ctx, &t, &e) < 0) {
		s->conn_err = e;
		s->have_conn_err = 1;
		return -1;
	}
	kube_conn_from_target(&conn, &t);
	kube_target_clear(&t);
	if (kube_client_new(&s->kube, s->loop, &conn, &e) < 0) {
		kube_conn_clear(&conn);
		s->conn_err = e;
		s->have_conn_err = 1;
		return -1;
	}
	if (s->h.foreground)
		kube_client_set_foreground(s->kube, foreground, s, 1);
	else
		kube_client_set_foreground(s->kube, NULL, NULL,
					   s->o.have_terminal);
	snprintf(s->context, sizeof(s->context), "%s",
		 conn.context ? conn.context : "");
	snprintf(s->server, sizeof(s->server), "%s",
		 conn.server ? conn.server : "");
	kube_conn_clear(&conn);
	change_log_set_context(s->changes, s->context);
	if (s->o.models & MODEL_NODES)
		s->nodes = node_store_start(s->kube, &nodes_ops, s);
	if (s->o.models & MODEL_FLUX)
		s->flux = flux_watch_start(s->kube, NULL, &flux_ops, s);
	boot_sources(s);
	if (s->o.models & MODEL_SCANS)
		s->pods = pods_watch_start(s->kube, &pods_ops, s);
	return 0;
}

struct session *session_open(struct loop *l, const struct session_opts *o,
			     const struct session_hooks *h, void *ud,
			     struct err *e)
{
	struct session *s;

	if (!l) {
		err_set(e, ERR_INTERNAL, "no event loop");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	ready_trend_init(&s->trend, 0);
	s->loop = l;
	s->o = *o;
	if (h)
		s->h = *h;
	s->ud = ud;
	s->changes = change_log_new(o->audit_log, o->read_only);
	change_log_set_observer(s->changes, change_seen, s);
	err_clear(&s->conn_err);
	if (kubeconfig_load(&s->kc, o->kubeconfig, &s->conn_err) < 0)
		s->have_conn_err = 1;
	else
		connect_context(s, o->context);
	start_pipeline(s);
	start_bootstrap(s);
	return s;
}

void session_close(struct session **sp)
{
	struct session *s = sp ? *sp : NULL;

	if (!s)
		return;
	bootstrap_model_free(&s->boot);
	disconnect(s);
	/* scans borrow the pipeline's sign-in chain and registry */
	scans_free(&s->scans);
	pipeline_free(&s->pipeline);
	kubeconfig_free(&s->kc);
	/* last: ending running changes records their outcome */
	change_log_set_observer(s->changes, NULL, NULL);
	change_log_free(&s->changes);
	free(s);
	*sp = NULL;
}

int session_switch_context(struct session *s, const char *context,
			   struct err *e)
{
	char old[256];

	snprintf(old, sizeof(old), "%s", s->context);
	disconnect(s);
	if (connect_context(s, context) < 0) {
		if (e)
			*e = s->conn_err;
		if (old[0])
			connect_context(s, old);
		tell(s, MODEL_ALL);
		return -(s->conn_err.code ? s->conn_err.code : ERR_USAGE);
	}
	tell(s, MODEL_ALL);
	return 0;
}

void session_retry_now(struct session *s)
{
	if (s->boot && bootstrap_model_read(s->boot))
		bootstrap_model_refresh(s->boot);
	if (s->pipeline)
		pipeline_refresh(s->pipeline);
	if (s->scans)
		scans_refresh(s->scans);
	if (s->pods)
		pods_watch_retry_now(s->pods);
	if (s->flux)
		flux_watch_retry_now(s->flux);
	if (s->nodes)
		node_store_retry_now(s->nodes);
	else if (s->kc)
		session_switch_context(s, s->o.context, NULL);
}

struct kube_client *session_kube(const struct session *s)
{
	return s->kube;
}

struct loop *session_loop(const struct session *s)
{
	return s->loop;
}

const struct ready_trend *session_ready_trend(const struct session *s)
{
	return s ? &s->trend : NULL;
}

struct node_store *session_nodes(const struct session *s)
{
	return s->nodes;
}

struct flux_watch *session_flux(const struct session *s)
{
	return s->flux;
}

struct flux_drift *session_drift(const struct session *s)
{
	return s->drift;
}

struct pipeline *session_pipeline(const struct session *s)
{
	return s->pipeline;
}

struct scans *session_scans(const struct session *s)
{
	return s->scans;
}

struct pods_watch *session_pods(const struct session *s)
{
	return s->pods;
}

const char *session_scans_error(const struct session *s)
{
	return s->scans_err[0] ? s->scans_err : NULL;
}

struct change_log *session_changes(const struct session *s)
{
	return s->changes;
}

struct boot_model *session_bootstrap(const struct session *s)
{
	return s->boot;
}

const struct config *session_config(const struct session *s)
{
	return s->o.config;
}

struct kubeconfig *session_kubeconfig(const struct session *s)
{
	return s->kc;
}

const char *session_context(const struct session *s)
{
	return s->context;
}

const char *session_server(const struct session *s)
{
	return s->server;
}

const struct err *session_conn_error(const struct session *s)
{
	return s->have_conn_err ? &s->conn_err : NULL;
}

const char *session_pipeline_error(const struct session *s)
{
	return s->pipeline_err[0] ? s->pipeline_err : NULL;
}
