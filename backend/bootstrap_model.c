/* bootstrap_model.c - the bootstrap steps kept current: a probe of the
 * clone, the jump box and the cluster every BOOT_MODEL_REFRESH_MS, laid
 * over the session's own models (pipeline, scans, nodes, Flux, running
 * changes) when the steps are asked for. No drawing. */
#include "bootstrap_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap_probe.h"
#include "health.h"
#include "nodes.h"
#include "xalloc.h"

struct boot_model {
	struct loop *loop;
	const struct config *cfg;
	const char *kubeconfig, *context;
	struct azure_auth *auth;
	int interactive;
	void (*on_change)(void *ud);
	void *ud;

	struct kube_client *kube;
	char kube_error[512];
	struct pipeline *pipeline;
	struct node_store *nodes;
	struct flux_watch *flux;
	struct flux_drift *drift;
	struct change_log *changes;
	struct scans *scans;
	char scans_error[512];

	struct boot_probe *probe;
	struct boot_facts next;	 /* being read */
	struct boot_facts facts; /* the last reading */
	int have_read;
	unsigned timer;
	long long asked_ms; /* when the steps were last asked for */
	char registry[128];
};

static void on_probe(struct boot_facts *f, void *ud);

static void stop_probe(struct boot_model *m)
{
	bootstrap_probe_cancel(m->probe);
	m->probe = NULL;
	bootstrap_facts_clear(&m->next);
}

static const char *cfg(const struct boot_model *m, enum config_key k)
{
	return m->cfg ? config_get(m->cfg, k) : NULL;
}

static void start_probe(struct boot_model *m)
{
	struct boot_probe_opts po;
	unsigned parts =
	    BOOT_PROBE_REPO | BOOT_PROBE_JUMPBOX | BOOT_PROBE_CLUSTER;

	stop_probe(m);
	/* The shared models give nodes and Flux; read them only when the
	 * session has none. */
	if (!m->nodes)
		parts |= BOOT_PROBE_NODES;
	if (!m->flux)
		parts |= BOOT_PROBE_FLUX;
	memset(&po, 0, sizeof(po));
	po.parts = parts;
	po.kube = m->kube;
	po.kube_error = m->kube_error;
	po.repo_dir = bootstrap_model_repo(m);
	po.ca_bundle = cfg(m, CFG_CA_BUNDLE);
	po.jumpbox.auth = m->auth;
	po.jumpbox.cached_only = m->interactive;
	po.jumpbox.arm_endpoint = cfg(m, CFG_ARM_ENDPOINT);
	po.jumpbox.ca_bundle = cfg(m, CFG_CA_BUNDLE);
	po.jumpbox.imds_endpoint = cfg(m, CFG_IMDS_ENDPOINT);
	po.jumpbox.subscription = cfg(m, CFG_SUBSCRIPTION);
	po.jumpbox.resource_group = cfg(m, CFG_RESOURCE_GROUP);
	po.jumpbox.deployment = cfg(m, CFG_DEPLOYMENT);
	po.jumpbox.kubeconfig = m->kubeconfig;
	po.jumpbox.context = m->context;
	/* Parts not read keep what the last reading found. */
	m->next = m->facts;
	m->next.repo.git.dirty = NULL;
	m->next.repo.git.nkept = 0;
	gitlocal_state_copy(&m->next.repo.git, &m->facts.repo.git);
	m->probe = bootstrap_probe_start(m->loop, &po, &m->next, on_probe, m);
}

static void on_timer(void *ud)
{
	struct boot_model *m = ud;

	m->timer = 0;
	/* Read again only while someone looks at the steps. */
	if (loop_now_ms() - m->asked_ms <= 2 * BOOT_MODEL_REFRESH_MS)
		bootstrap_model_refresh(m);
}

static void on_probe(struct boot_facts *f, void *ud)
{
	struct boot_model *m = ud;

	(void)f;
	m->probe = NULL; /* it frees itself after this */
	bootstrap_facts_clear(&m->facts);
	m->facts = m->next;
	memset(&m->next, 0, sizeof(m->next));
	m->have_read = 1;
	if (!m->timer)
		m->timer = loop_timer_add(m->loop, BOOT_MODEL_REFRESH_MS,
					  on_timer, m);
	if (m->on_change)
		m->on_change(m->ud);
}

struct boot_model *bootstrap_model_new(struct loop *l, const struct config *c,
				       const char *kubeconfig,
				       const char *context,
				       struct azure_auth *auth,
				       void (*on_change)(void *ud), void *ud)
{
	struct boot_model *m = xcalloc(1, sizeof(*m));

	m->loop = l;
	m->cfg = c;
	m->kubeconfig = kubeconfig;
	m->context = context;
	m->auth = auth;
	m->on_change = on_change;
	m->ud = ud;
	snprintf(m->kube_error, sizeof(m->kube_error), "not connected");
	return m;
}

void bootstrap_model_free(struct boot_model **pm)
{
	struct boot_model *m = *pm;

	if (!m)
		return;
	stop_probe(m);
	if (m->timer)
		loop_timer_cancel(m->loop, m->timer);
	bootstrap_facts_clear(&m->facts);
	free(m);
	*pm = NULL;
}

void bootstrap_model_set_interactive(struct boot_model *m, int on)
{
	m->interactive = on;
}

void bootstrap_model_set_sources(
    struct boot_model *m, struct kube_client *kube, const char *kube_error,
    struct pipeline *p, struct node_store *nodes, struct flux_watch *flux,
    struct flux_drift *drift, struct change_log *changes)
{
	if (m->kube != kube && m->probe)
		stop_probe(m); /* its calls belong to the old client */
	m->kube = kube;
	snprintf(m->kube_error, sizeof(m->kube_error), "%s",
		 kube_error ? kube_error : "not connected");
	m->pipeline = p;
	m->nodes = nodes;
	m->flux = flux;
	m->drift = drift;
	m->changes = changes;
}

void bootstrap_model_set_scans(struct boot_model *m, struct scans *sc,
			       const char *why_none)
{
	m->scans = sc;
	snprintf(m->scans_error, sizeof(m->scans_error), "%s",
		 why_none && why_none[0] ? why_none : "no image pipeline");
}

void bootstrap_model_refresh(struct boot_model *m)
{
	if (m->timer) {
		loop_timer_cancel(m->loop, m->timer);
		m->timer = 0;
	}
	start_probe(m);
}

int bootstrap_model_busy(const struct boot_model *m)
{
	return m->probe != NULL;
}

int bootstrap_model_read(const struct boot_model *m)
{
	return m->have_read;
}

const struct boot_facts *bootstrap_model_facts(const struct boot_model *m)
{
	return &m->facts;
}

const char *bootstrap_model_repo(const struct boot_model *m)
{
	const char *r = cfg(m, CFG_REPO);

	return r ? r : "";
}

const char *bootstrap_model_account(const struct boot_model *m)
{
	return cfg(m, CFG_GITHUB_ACCOUNT);
}

const char *bootstrap_model_registry(struct boot_model *m)
{
	const char *r = cfg(m, CFG_REGISTRY);

	if (!r && m->pipeline)
		r = pipeline_registry(m->pipeline);
	snprintf(m->registry, sizeof(m->registry), "%s", r ? r : "");
	return m->registry;
}

/* ---- laying the session's models over the reading --------------------- */

static void overlay_images(struct boot_model *m, struct boot_facts *f)
{
	const struct image_row *v;
	size_t n;
	int is_err = 0;
	const char *st;
	struct err e;

	if (!m->pipeline) {
		memset(&f->images, 0, sizeof(f->images));
		err_set(&f->images.err, ERR_USAGE, "%s",
			"no image pipeline (see the images pane)");
		return;
	}
	n = pipeline_rows(m->pipeline, &v);
	st = pipeline_status(m->pipeline, &is_err);
	err_clear(&e);
	if (is_err)
		err_set(&e, ERR_IO, "%s", st);
	else if (pipeline_busy(m->pipeline) && !n)
		err_set(&e, ERR_IO, "%s", st && st[0] ? st : "reading...");
	bootstrap_facts_images(f, v, n, pipeline_registry(m->pipeline),
			       e.msg[0] ? &e : NULL);
}

static void overlay_scans(struct boot_model *m, struct boot_facts *f)
{
	const struct scan_image *v = NULL;
	struct scan_gate *g;
	size_t i, n;
	int is_err = 0;
	const char *st;
	struct err e;

	if (!m->scans) {
		memset(&f->scans, 0, sizeof(f->scans));
		err_set(&f->scans.err, ERR_USAGE, "%s", m->scans_error);
		return;
	}
	err_clear(&e);
	st = scans_status(m->scans, &is_err);
	if (!scans_done_once(m->scans)) {
		err_set(&e, ERR_IO, "%s", st);
		bootstrap_facts_scans(f, NULL, NULL, 0, &e);
		return;
	}
	if (is_err)
		err_set(&e, ERR_IO, "%s", st);
	n = scans_images(m->scans, &v);
	g = xcalloc(n + 1, sizeof(*g));
	for (i = 0; i < n; i++)
		scans_gate(m->scans, i, &g[i]);
	bootstrap_facts_scans(f, v, g, n, &e);
	free(g);
}

static void overlay_nodes(struct boot_model *m, struct boot_facts *f)
{
	const struct err *e;
	struct node *v;
	size_t i, cnt;

	if (!m->nodes)
		return;
	e = node_store_error(m->nodes);
	if (!node_store_synced(m->nodes)) {
		f->cluster.nodes_known = 0;
		if (e)
			f->cluster.nodes_err = *e;
		else
			err_set(&f->cluster.nodes_err, ERR_IO, "listing...");
		return;
	}
	/* The store's models, read in place (shallow copies). */
	cnt = node_store_count(m->nodes);
	v = xcalloc(cnt + 1, sizeof(*v));
	for (i = 0; i < cnt; i++)
		v[i] = *node_store_at(m->nodes, i);
	bootstrap_facts_nodes(f, v, cnt);
	free(v);
}

static void overlay_flux(struct boot_model *m, struct boot_facts *f)
{
	struct flux_object *v = NULL;
	struct flux_controller *c = NULL;
	size_t n = 0, nc = 0;
	const char **msgs;

	if (!m->flux)
		return;
	if (!flux_watch_settled(m->flux)) {
		f->flux.controllers_known = 0;
		f->flux.objects_known = 0;
		err_set(&f->flux.controllers_err, ERR_IO, "reading...");
		f->flux.objects_err = f->flux.controllers_err;
		return;
	}
	flux_watch_objects(m->flux, &v, &n);
	flux_watch_controllers(m->flux, &c, &nc);
	bootstrap_facts_flux(f, c, nc, v, n);
	{
		/* `check`'s verdict, drift against the remote included */
		struct health h;

		health_flux(m->flux, m->drift, 0, &h);
		f->flux.health_known = 1;
		f->flux.health_ok = h.state == HEALTH_OK;
		snprintf(f->flux.health_text, sizeof(f->flux.health_text),
			 "%s", h.text);
	}
	if (flux_watch_problems(m->flux, &msgs) > 0 && !n) {
		f->flux.objects_known = 0;
		err_set(&f->flux.objects_err, ERR_IO, "%s", msgs[0]);
	}
	flux_objects_free(&v, n);
	flux_controllers_free(&c, nc);
}

static void overlay_running(struct boot_model *m, struct boot_facts *f)
{
	size_t i, n;

	if (!m->changes)
		return;
	n = change_log_count(m->changes);
	for (i = 0; i < n; i++) {
		const struct change *c = change_log_at(m->changes, i);

		if (c->state != CHANGE_RUNNING)
			continue;
		if (strcmp(c->action, "manifests.rewrite") == 0)
			f->repo.rewrite_running = 1;
		else if (strcmp(c->action, "git.commit") == 0)
			f->repo.commit_running = 1;
		else if (strcmp(c->action, "git.push") == 0)
			f->repo.push_running = 1;
		else if (strcmp(c->action, "flux.install") == 0)
			f->flux.install_running = 1;
	}
}

void bootstrap_model_steps(struct boot_model *m, struct boot_step *out)
{
	m->asked_ms = loop_now_ms();
	/* The first look starts the readings (and one after they paused). */
	if (!m->probe && !m->timer)
		bootstrap_model_refresh(m);
	struct boot_facts f = m->facts;

	/* A shallow copy: the overlays replace parts, never free them. */
	snprintf(f.ctx.repo_dir, sizeof(f.ctx.repo_dir), "%s",
		 bootstrap_model_repo(m));
	snprintf(f.ctx.account, sizeof(f.ctx.account), "%s",
		 bootstrap_model_account(m) ? bootstrap_model_account(m) : "");
	snprintf(f.ctx.resource_group, sizeof(f.ctx.resource_group), "%s",
		 cfg(m, CFG_RESOURCE_GROUP) ? cfg(m, CFG_RESOURCE_GROUP) : "");
	snprintf(f.ctx.registry, sizeof(f.ctx.registry), "%s",
		 bootstrap_model_registry(m));
	overlay_images(m, &f);
	overlay_scans(m, &f);
	overlay_nodes(m, &f);
	overlay_flux(m, &f);
	overlay_running(m, &f);
	bootstrap_evaluate(&f, out);
	if (!m->have_read) {
		/* The clone, the jump box and the cluster are not read yet:
		 * "cannot tell", not "not done". */
		static const enum boot_step_id probed[] = {
		    BOOT_REGISTRY, BOOT_FORK, BOOT_PUSHED, BOOT_JUMPBOX,
		    BOOT_CLUSTER,  BOOT_FLUX, BOOT_SYNCED};
		size_t i;

		for (i = 0; i < sizeof(probed) / sizeof(probed[0]); i++) {
			struct boot_step *s = &out[probed[i]];

			s->state = BOOT_UNKNOWN;
			s->warn = 0;
			s->act = BOOT_ACT_NONE;
			s->command[0] = '\0';
			s->nnotes = 0;
			snprintf(s->why, sizeof(s->why), "reading...");
		}
	}
}
