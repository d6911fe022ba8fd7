/* pipeline.c - resolve registries, check digests, import and promote with
 * verification; a small queue with bounded concurrency. Everything runs
 * on the loop through azure_auth, arm and registry. */
#include "pipeline.h"
#include "arm.h"
#include "image_copy_time.h"
#include "registry.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum resolve_state { RES_NONE, RES_RUNNING, RES_DONE, RES_FAILED };

struct job {
	struct pipeline *p;
	size_t row;
	enum pipeline_action action;
	int force;
	int queued;
	int running;
	struct change *ch; /* the audited change this job runs under */
	struct arm_call *arm;
	struct registry_op *op;
	struct azure_token_call *tok;
	char expect_digest[80]; /* what the target must hold afterwards */
};

struct check {
	struct pipeline *p;
	size_t row;
	int which; /* 0 upstream, 1 quarantine, 2 live */
	struct registry_op *op;
};

struct pipeline {
	struct loop *loop;
	char actor[300];
	struct config cfg; /* values copied */
	unsigned sources;
	struct pipeline_ops ops;
	void *ud;
	struct azure_auth *auth;
	struct arm *arm;
	struct registry *live_reg, *quar_reg, *upstream;
	char registry[256], quarantine_registry[256];
	enum resolve_state res;
	struct arm_call *lookup;
	struct azure_token_call *lookup_tok;
	struct image_row *rows;
	size_t nrows;
	struct job *jobs;    /* one per row */
	struct check *checks; /* 3 per row */
	int checks_pending;
	int refresh_wanted;
	char status[1400];
	int status_error;
	int concurrency;
	long long timeout_ms;
	int copy_mode_registry;
};

static void changed(struct pipeline *p)
{
	size_t i;

	/* whoever follows a change sees the row's progress */
	for (i = 0; i < p->nrows; i++) {
		struct job *j = &p->jobs[i];

		if (change_running(j->ch) && p->rows[i].op_progress[0] &&
		    strcmp(j->ch->progress, p->rows[i].op_progress) != 0)
			change_progress(j->ch, p->rows[i].op_progress);
	}
	if (p->ops.on_change)
		p->ops.on_change(p->ud);
}

static void set_status(struct pipeline *p, int is_error, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

static void set_status(struct pipeline *p, int is_error, const char *fmt,
		       ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->status, sizeof(p->status), fmt, ap);
	va_end(ap);
	p->status_error = is_error;
	changed(p);
}

static char *dup_cfg(const struct config *c, enum config_key k)
{
	return xstrdup(config_get(c, k));
}

static void copy_config(struct config *dst, const struct config *src)
{
	size_t i;
	int k;

	memset(dst, 0, sizeof(*dst));
	for (k = 0; k < CFG_COUNT; k++) {
		dst->v[k].value = dup_cfg(src, (enum config_key)k);
		dst->v[k].source = src->v[k].source;
	}
	for (i = 0; i < src->nimages; i++)
		dst->images[i] = xstrdup(src->images[i]);
	dst->nimages = src->nimages;
}

/* ---- registries ----------------------------------------------------- */

static void aad_for_registry(void *ud, struct registry_aad_wait *w);

struct aad_wait {
	struct registry_aad_wait *w;
};

static void on_aad_token(const struct azure_token *t, void *ud)
{
	struct aad_wait *aw = ud;

	registry_aad_done(aw->w, t->status == 0 ? t->token : NULL, &t->err);
	free(aw);
}

static void aad_for_registry(void *ud, struct registry_aad_wait *w)
{
	struct pipeline *p = ud;
	struct aad_wait *aw = xmalloc(sizeof(*aw));

	aw->w = w;
	/* ACR exchanges an ARM-audience Entra token for its own. */
	azure_auth_get(p->auth, AZURE_RESOURCE_ARM, on_aad_token, aw);
}

static struct registry *make_registry(struct pipeline *p, const char *name)
{
	struct registry_opts o;
	char url[512];
	const char *override = config_get(&p->cfg, CFG_REGISTRY_URL);

	memset(&o, 0, sizeof(o));
	if (override && *override)
		snprintf(url, sizeof(url), "%s", override);
	else
		snprintf(url, sizeof(url), "https://%s.azurecr.io", name);
	o.url = url;
	o.name = name;
	o.ca_path = config_get(&p->cfg, CFG_CA_BUNDLE);
	o.auth = REGISTRY_AUTH_ACR;
	o.get_aad_token = aad_for_registry;
	o.aad_ud = p;
	o.tenant = config_get(&p->cfg, CFG_TENANT);
	o.auth_url = config_get(&p->cfg, CFG_ACR_AUTH_URL);
	return registry_new(p->loop, &o);
}

static void start_checks(struct pipeline *p);

static void registries_ready(struct pipeline *p)
{
	const char *up = config_get(&p->cfg, CFG_UPSTREAM_REGISTRY_URL);

	p->res = RES_DONE;
	p->live_reg = make_registry(p, p->registry);
	p->quar_reg = strcmp(p->registry, p->quarantine_registry) == 0
			      ? NULL
			      : make_registry(p, p->quarantine_registry);
	if (up && *up) {
		struct registry_opts o;

		memset(&o, 0, sizeof(o));
		o.url = up;
		o.name = "upstream";
		o.ca_path = config_get(&p->cfg, CFG_CA_BUNDLE);
		o.auth = REGISTRY_AUTH_ANONYMOUS;
		p->upstream = registry_new(p->loop, &o);
	}
	set_status(p, 0, "registry %s%s%s", p->registry,
		   p->quar_reg ? ", quarantine in " : "",
		   p->quar_reg ? p->quarantine_registry : "");
	start_checks(p);
}

static struct registry *quar(struct pipeline *p)
{
	return p->quar_reg ? p->quar_reg : p->live_reg;
}

static void on_lookup(const struct arm_registries *r, void *ud)
{
	struct pipeline *p = ud;

	p->lookup = NULL;
	if (!r->ok) {
		p->res = RES_FAILED;
		set_status(p, 1, "cannot find the registry: %s", r->err.msg);
		return;
	}
	snprintf(p->registry, sizeof(p->registry), "%s", r->live);
	snprintf(p->quarantine_registry, sizeof(p->quarantine_registry), "%s",
		 r->quarantine);
	registries_ready(p);
}

static void on_lookup_token(const struct azure_token *t, void *ud)
{
	struct pipeline *p = ud;
	const char *sub = config_get(&p->cfg, CFG_SUBSCRIPTION);

	p->lookup_tok = NULL;
	if (t->status < 0) {
		p->res = RES_FAILED;
		set_status(p, 1, "%s", t->err.msg);
		return;
	}
	arm_set_token(p->arm, t->token);
	set_status(p, 0, "reading the registry names from deployment %s...",
		   config_get(&p->cfg, CFG_DEPLOYMENT)
			   ? config_get(&p->cfg, CFG_DEPLOYMENT)
			   : "cluster-stamp (or pre-cluster-stamp)");
	p->lookup = arm_registry_lookup(p->arm, sub,
					config_get(&p->cfg,
						   CFG_RESOURCE_GROUP),
					config_get(&p->cfg, CFG_DEPLOYMENT),
					on_lookup, p);
}

static void on_signed_in(const struct azure_token *t, void *ud)
{
	struct pipeline *p = ud;

	p->lookup_tok = NULL;
	if (t->status < 0) {
		p->res = RES_FAILED;
		set_status(p, 1, "%s", t->err.msg);
		return;
	}
	registries_ready(p);
}

static void resolve(struct pipeline *p)
{
	const char *reg = config_get(&p->cfg, CFG_REGISTRY);
	const char *qreg = config_get(&p->cfg, CFG_QUARANTINE_REGISTRY);

	if (p->res == RES_RUNNING || p->res == RES_DONE)
		return;
	if (reg && *reg) {
		snprintf(p->registry, sizeof(p->registry), "%s", reg);
		snprintf(p->quarantine_registry,
			 sizeof(p->quarantine_registry), "%s",
			 qreg && *qreg ? qreg : reg);
		/* Sign in once first: a refused credential is one clear
		 * sentence, not one per registry request. */
		p->res = RES_RUNNING;
		set_status(p, 0, "signing in to Azure...");
		p->lookup_tok = azure_auth_get(p->auth, AZURE_RESOURCE_ARM,
					       on_signed_in, p);
		return;
	}
	if (!config_get(&p->cfg, CFG_SUBSCRIPTION)) {
		p->res = RES_FAILED;
		set_status(p, 1,
			   "no registry: give --registry, or --subscription "
			   "(AZURE_SUBSCRIPTION_ID) to read it from the "
			   "deployment's outputs");
		return;
	}
	p->res = RES_RUNNING;
	set_status(p, 0, "signing in to Azure...");
	p->lookup_tok = azure_auth_get(p->auth, AZURE_RESOURCE_ARM,
				       on_lookup_token, p);
}

/* ---- checks --------------------------------------------------------- */

static void update_state(struct pipeline *p, size_t row)
{
	p->rows[row].state = image_state_of(&p->rows[row]);
}

/* The repository of a row's copy in one of the three places. */
static void check_repo(const struct pipeline *p, size_t row, int which,
		       char *repo, size_t sz)
{
	const struct image_row *r = &p->rows[row];

	if (which == 0)
		snprintf(repo, sz, "%s/%s", r->up.registry, r->up.path);
	else
		snprintf(repo, sz, "%s",
			 which == 1 ? r->quarantine_repo : r->live_repo);
}

static void on_head(int status, const struct err *e,
		    const struct registry_manifest_info *m, void *ud)
{
	struct check *c = ud;
	struct pipeline *p = c->p;
	struct image_row *r = &p->rows[c->row];
	struct image_copy *cp = c->which == 0   ? &r->upstream
				: c->which == 1 ? &r->quarantine
						: &r->live;

	c->op = NULL;
	p->checks_pending--;
	memset(cp, 0, sizeof(*cp));
	if (status < 0) {
		snprintf(cp->error, sizeof(cp->error), "%s", e->msg);
	} else {
		cp->checked = 1;
		cp->exists = m->exists;
		snprintf(cp->digest, sizeof(cp->digest), "%s", m->digest);
		snprintf(cp->media_type, sizeof(cp->media_type), "%s",
			 m->media_type);
		cp->platforms = strstr(m->media_type, "index") ||
					strstr(m->media_type, "list")
				? 1
				: 0;
	}
	update_state(p, c->row);
	if (!p->checks_pending && p->refresh_wanted) {
		p->refresh_wanted = 0;
		start_checks(p);
		return;
	}
	changed(p);
}

static void head(struct pipeline *p, size_t row, int which)
{
	struct check *c = &p->checks[row * 3 + (size_t)which];
	struct image_row *r = &p->rows[row];
	struct registry *reg = which == 0   ? p->upstream
			       : which == 1 ? quar(p)
					    : p->live_reg;
	char repo[800];
	struct err e;

	if (!reg || c->op)
		return;
	check_repo(p, row, which, repo, sizeof(repo));
	c->p = p;
	c->row = row;
	c->which = which;
	err_clear(&e);
	c->op = registry_manifest_head(reg, repo, r->up.tag, on_head, c, &e);
	if (c->op)
		p->checks_pending++;
	else {
		struct image_copy *cp = which == 0   ? &r->upstream
					: which == 1 ? &r->quarantine
						     : &r->live;

		snprintf(cp->error, sizeof(cp->error), "%s", e.msg);
	}
}

/* Tell each registry which repositories the checks will read, so that
 * one token covers them all instead of one token request each. */
static void hint_scopes(struct pipeline *p)
{
	struct registry *regs[3];
	char **scopes = xcalloc(p->nrows * 3 + 1, sizeof(*scopes));
	char repo[800];
	size_t i, n, k;
	int w, x;

	regs[0] = p->upstream;
	regs[1] = quar(p);
	regs[2] = p->live_reg;
	for (w = 0; w < 3; w++) {
		if (!regs[w] || (w > 0 && regs[w] == regs[w - 1]) ||
		    (w == 2 && regs[2] == regs[0]))
			continue;
		n = 0;
		for (i = 0; i < p->nrows; i++) {
			for (x = w; x < 3; x++) {
				struct registry *rx = x == 0   ? p->upstream
						      : x == 1 ? quar(p)
							       : p->live_reg;

				if (rx != regs[w])
					continue;
				check_repo(p, i, x, repo, sizeof(repo));
				scopes[n++] =
				    xasprintf("repository:%s:pull", repo);
			}
		}
		registry_scope_hint(regs[w], (const char *const *)scopes, n);
		for (k = 0; k < n; k++)
			free(scopes[k]);
	}
	free(scopes);
}

static void start_checks(struct pipeline *p)
{
	size_t i;

	if (p->res != RES_DONE)
		return;
	if (p->checks_pending) {
		p->refresh_wanted = 1;
		return;
	}
	hint_scopes(p);
	for (i = 0; i < p->nrows; i++) {
		if (p->jobs[i].running)
			continue;
		head(p, i, 0);
		head(p, i, 1);
		head(p, i, 2);
	}
	changed(p);
}

/* ---- jobs ----------------------------------------------------------- */

static void run_queue(struct pipeline *p);

static int running_jobs(const struct pipeline *p)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->nrows; i++)
		n += p->jobs[i].running;
	return n;
}

static void job_end(struct job *j, int ok, const char *msg)
{
	struct pipeline *p = j->p;
	struct image_row *r = &p->rows[j->row];
	enum pipeline_action a = j->action;
	size_t row = j->row;
	char said[sizeof(r->last_result)];
	struct err ae;

	if (j->running) /* a queued job that never ran took no time */
		image_copy_time_record(
		    &r->last_copy, a == PIPE_IMPORT ? IMAGE_IMPORT
						    : IMAGE_PROMOTE,
		    ok, r->op_started_ms, loop_now_ms(), time(NULL));
	j->running = 0;
	j->queued = 0;
	r->op[0] = '\0';
	r->op_progress[0] = '\0';
	err_clear(&ae);
	if (change_end(j->ch, ok, msg, &ae) < 0) {
		/* it happened, but the trail is broken: the caller must say
		 * so, and a pipeline must not go on as if all was well */
		snprintf(said, sizeof(said), "%s, but %s", msg, ae.msg);
		msg = said;
		ok = 0;
	}
	j->ch = NULL;
	r->last_ok = ok;
	snprintf(r->last_result, sizeof(r->last_result), "%s", msg);
	/* Read the digests again: the row shows what is there now. */
	head(p, row, 1);
	head(p, row, 2);
	if (p->ops.on_done)
		p->ops.on_done(row, a, ok, msg, p->ud);
	run_queue(p);
	changed(p);
}

/* After a copy: the target tag must hold the expected digest and its
 * manifest must be fetchable (a tag can point at a missing manifest). */
static void on_verify_get(int status, const struct err *e,
			  const struct registry_manifest *m, void *ud)
{
	struct job *j = ud;
	struct image_row *r = &j->p->rows[j->row];
	const char *repo = j->action == PIPE_IMPORT ? r->quarantine_repo
						    : r->live_repo;
	char msg[1600], d[32];

	j->op = NULL;
	if (status < 0) {
		snprintf(msg, sizeof(msg),
			 "the copy finished but %s:%s cannot be read back: %s",
			 repo, r->up.tag, e->msg);
		job_end(j, 0, msg);
		return;
	}
	if (!m->info.exists) {
		snprintf(msg, sizeof(msg),
			 "the copy finished but %s:%s points at a manifest "
			 "that is not there",
			 repo, r->up.tag);
		job_end(j, 0, msg);
		return;
	}
	if (j->expect_digest[0] &&
	    strcmp(m->info.digest, j->expect_digest) != 0) {
		char d2[32];

		snprintf(msg, sizeof(msg),
			 "%s:%s holds %s, not the expected %s", repo,
			 r->up.tag, image_short_digest(m->info.digest, d,
						       sizeof(d)),
			 image_short_digest(j->expect_digest, d2,
					    sizeof(d2)));
		job_end(j, 0, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "%s %s:%s (%s%s)",
		 j->action == PIPE_IMPORT ? "imported to" : "promoted to",
		 repo, r->up.tag,
		 image_short_digest(m->info.digest, d, sizeof(d)),
		 m->is_index ? ", multi-platform" : "");
	job_end(j, 1, msg);
}

static void verify(struct job *j)
{
	struct pipeline *p = j->p;
	struct image_row *r = &p->rows[j->row];
	struct err e;

	snprintf(r->op_progress, sizeof(r->op_progress), "verifying");
	changed(p);
	err_clear(&e);
	j->op = registry_manifest_get(j->action == PIPE_IMPORT ? quar(p)
							       : p->live_reg,
				      j->action == PIPE_IMPORT
					      ? r->quarantine_repo
					      : r->live_repo,
				      r->up.tag, on_verify_get, j, &e);
	if (!j->op)
		job_end(j, 0, e.msg);
}

static void on_import_progress(const struct arm_progress *pr, void *ud)
{
	struct job *j = ud;
	struct image_row *r = &j->p->rows[j->row];
	char t[32];

	arm_format_duration(pr->elapsed_ms, t, sizeof(t));
	snprintf(r->op_progress, sizeof(r->op_progress), "%s %s",
		 pr->status ? pr->status : "", t);
	changed(j->p);
}

static void on_import_done(const struct arm_import_result *res, void *ud)
{
	struct job *j = ud;

	j->arm = NULL;
	if (!res->ok) {
		job_end(j, 0, res->err.msg);
		return;
	}
	verify(j);
}

static void on_copy_progress(const struct registry_progress *pr, void *ud)
{
	struct job *j = ud;
	struct image_row *r = &j->p->rows[j->row];

	snprintf(r->op_progress, sizeof(r->op_progress),
		 "blobs %zu/%zu, %lld/%lld KiB", pr->blobs_done,
		 pr->blobs_total, pr->bytes_done / 1024,
		 pr->bytes_total / 1024);
	changed(j->p);
}

static void on_copy_done(int status, const struct err *e,
			 const struct registry_copy_result *c, void *ud)
{
	struct job *j = ud;

	(void)c;
	j->op = NULL;
	if (status < 0) {
		job_end(j, 0, e->msg);
		return;
	}
	verify(j);
}

static void on_job_token(const struct azure_token *t, void *ud)
{
	struct job *j = ud;
	struct pipeline *p = j->p;
	struct image_row *r = &p->rows[j->row];
	struct arm_import im;
	char src[900], target[900], rid[800];
	const char *targets[2];
	const char *sub = config_get(&p->cfg, CFG_SUBSCRIPTION);
	const char *rg = config_get(&p->cfg, CFG_RESOURCE_GROUP);

	j->tok = NULL;
	if (t->status < 0) {
		job_end(j, 0, t->err.msg);
		return;
	}
	arm_set_token(p->arm, t->token);
	memset(&im, 0, sizeof(im));
	snprintf(src, sizeof(src), "%s:%s",
		 j->action == PIPE_IMPORT ? r->up.path : r->quarantine_repo,
		 r->up.tag);
	snprintf(target, sizeof(target), "%s:%s",
		 j->action == PIPE_IMPORT ? r->quarantine_repo : r->live_repo,
		 r->up.tag);
	targets[0] = target;
	targets[1] = NULL;
	if (j->action == PIPE_IMPORT) {
		im.registry_uri = r->up.registry;
	} else {
		snprintf(rid, sizeof(rid),
			 "/subscriptions/%s/resourceGroups/%s/providers/"
			 "Microsoft.ContainerRegistry/registries/%s",
			 sub ? sub : "", rg ? rg : "",
			 p->quarantine_registry);
		im.resource_id = rid;
	}
	im.source_image = src;
	im.target_tags = targets;
	im.mode = j->force ? ARM_IMPORT_FORCE : ARM_IMPORT_NO_FORCE;
	snprintf(r->op_progress, sizeof(r->op_progress), "requested");
	changed(p);
	j->arm = arm_import_image(p->arm, sub, rg,
				  j->action == PIPE_IMPORT
					  ? p->quarantine_registry
					  : p->registry,
				  &im, on_import_progress, on_import_done, j);
}

static void job_run(struct job *j)
{
	struct pipeline *p = j->p;
	struct image_row *r = &p->rows[j->row];
	struct err e;
	char src_repo[800];

	j->queued = 0;
	j->running = 1;
	snprintf(r->op, sizeof(r->op), "%s",
		 j->action == PIPE_IMPORT ? "importing" : "promoting");
	snprintf(r->op_progress, sizeof(r->op_progress), "starting");
	r->op_started_ms = loop_now_ms();
	changed(p);
	if (!p->copy_mode_registry) {
		if (!config_get(&p->cfg, CFG_SUBSCRIPTION)) {
			job_end(j, 0, "importImage needs the subscription "
				      "(--subscription or "
				      "AZURE_SUBSCRIPTION_ID)");
			return;
		}
		j->tok = azure_auth_get(p->auth, AZURE_RESOURCE_ARM,
					on_job_token, j);
		return;
	}
	/* A registry that is not an ACR: copy through the registry API. */
	err_clear(&e);
	if (j->action == PIPE_IMPORT) {
		if (!p->upstream) {
			job_end(j, 0, "copy mode \"registry\" needs "
				      "upstream_registry_url");
			return;
		}
		snprintf(src_repo, sizeof(src_repo), "%s/%s", r->up.registry,
			 r->up.path);
		j->op = registry_copy(p->upstream, src_repo, r->up.tag,
				      quar(p), r->quarantine_repo, r->up.tag,
				      on_copy_progress, on_copy_done, j, &e);
	} else {
		j->op = registry_copy(quar(p), r->quarantine_repo, r->up.tag,
				      p->live_reg, r->live_repo, r->up.tag,
				      on_copy_progress, on_copy_done, j, &e);
	}
	if (!j->op)
		job_end(j, 0, e.msg);
}

static void run_queue(struct pipeline *p)
{
	size_t i;

	for (i = 0; i < p->nrows && running_jobs(p) < p->concurrency; i++)
		if (p->jobs[i].queued)
			job_run(&p->jobs[i]);
}

int pipeline_check(const struct pipeline *p, enum pipeline_action a,
		   size_t row, int force, struct err *e)
{
	const struct image_row *r;
	const struct job *j;

	if (row >= p->nrows)
		return err_set(e, ERR_USAGE, "no such image");
	r = &p->rows[row];
	j = &p->jobs[row];
	if (p->res != RES_DONE)
		return err_set(e, ERR_USAGE,
			       "the registry is not known yet: %s", p->status);
	if (j->running || j->queued)
		return err_set(e, ERR_CONFLICT, "%s: already %s", r->ref,
			       r->op[0] ? r->op : "queued");
	return image_row_check(r,
			       a == PIPE_IMPORT ? IMAGE_IMPORT : IMAGE_PROMOTE,
			       force, e);
}

int pipeline_start(struct pipeline *p, struct change *ch,
		   enum pipeline_action a, size_t row, int force,
		   struct err *e)
{
	struct image_row *r;
	struct job *j;
	int rc;

	if (!change_running(ch))
		return err_set(e, ERR_USAGE, "not audited: nothing was done");
	rc = pipeline_check(p, a, row, force, e);
	if (rc != 0) {
		/* known now, though not when the change was asked for */
		change_end(ch, rc > 0, e ? e->msg : "not started", NULL);
		return rc;
	}
	r = &p->rows[row];
	j = &p->jobs[row];
	memset(j, 0, sizeof(*j));
	j->p = p;
	j->row = row;
	j->action = a;
	j->force = force;
	j->ch = ch;
	snprintf(j->expect_digest, sizeof(j->expect_digest), "%s",
		 a == PIPE_PROMOTE      ? r->quarantine.digest
		 : r->upstream.exists ? r->upstream.digest
				      : "");
	j->queued = 1;
	snprintf(r->op, sizeof(r->op), "queued");
	r->op_progress[0] = '\0';
	change_progress(ch, "queued");
	run_queue(p);
	changed(p);
	return 0;
}

void pipeline_cancel(struct pipeline *p, size_t row)
{
	struct job *j;
	struct image_row *r;

	if (row >= p->nrows)
		return;
	j = &p->jobs[row];
	r = &p->rows[row];
	if (j->queued) {
		j->queued = 0;
		r->op[0] = '\0';
		change_end(j->ch, 0, "cancelled before it started", NULL);
		j->ch = NULL;
		changed(p);
		return;
	}
	if (!j->running)
		return;
	azure_auth_cancel(j->tok);
	j->tok = NULL;
	if (j->arm) {
		struct arm_call *c = j->arm;

		j->arm = NULL;
		arm_call_cancel(c);
		job_end(j, 0, "stopped following the import; the operation "
			      "may go on in Azure");
		return;
	}
	registry_cancel(j->op);
	j->op = NULL;
	job_end(j, 0, "cancelled");
}

void pipeline_cancel_sign_in(struct pipeline *p)
{
	if (p)
		azure_auth_cancel_device_code(p->auth);
}

/* ---- life ----------------------------------------------------------- */

struct pipeline *pipeline_new(struct loop *l, const struct config *cfg,
			      unsigned sources,
			      const struct pipeline_ops *ops, void *ud,
			      struct err *e)
{
	struct pipeline *p = xcalloc(1, sizeof(*p));
	struct azure_endpoints ep = azure_endpoints_from_env();
	const char *ca;
	char *end;
	size_t i;

	p->loop = l;
	copy_config(&p->cfg, cfg);
	p->sources = sources;
	if (ops)
		p->ops = *ops;
	p->ud = ud;
	p->concurrency = (int)strtol(config_get(cfg, CFG_IMPORT_CONCURRENCY),
				     &end, 10);
	if (p->concurrency < 1 || p->concurrency > 32)
		p->concurrency = 4;
	if (timefmt_parse_duration(config_get(cfg, CFG_IMPORT_TIMEOUT),
				   &p->timeout_ms, NULL) < 0)
		p->timeout_ms = ARM_IMPORT_CEILING_MS;
	p->copy_mode_registry =
		strcmp(config_get(cfg, CFG_COPY_MODE), "registry") == 0;
	ep.authority_host = config_get(&p->cfg, CFG_AUTHORITY_HOST);
	ep.imds = config_get(&p->cfg, CFG_IMDS_ENDPOINT);
	ep.tenant = config_get(&p->cfg, CFG_TENANT);
	ca = config_get(&p->cfg, CFG_CA_BUNDLE);
	if (ca)
		ep.ca_bundle = ca;
	p->auth = azure_auth_new(l, &ep, sources);
	if (ops && ops->on_device_code)
		azure_auth_set_device_code_ui(p->auth, ops->on_device_code,
					      ops->on_device_done, ud);
	if (arm_new(&p->arm, l, config_get(&p->cfg, CFG_ARM_ENDPOINT), e) <
	    0) {
		pipeline_free(&p);
		return NULL;
	}
	if (ca && arm_set_ca_file(p->arm, ca, e) < 0) {
		pipeline_free(&p);
		return NULL;
	}
	arm_set_import_ceiling_ms(p->arm, (long)p->timeout_ms);
	p->nrows = cfg->nimages;
	p->rows = xcalloc(p->nrows ? p->nrows : 1, sizeof(*p->rows));
	p->jobs = xcalloc(p->nrows ? p->nrows : 1, sizeof(*p->jobs));
	p->checks = xcalloc(p->nrows ? p->nrows * 3 : 1, sizeof(*p->checks));
	for (i = 0; i < p->nrows; i++) {
		if (image_row_init(&p->rows[i], cfg->images[i],
				   config_get(cfg, CFG_QUARANTINE_PREFIX),
				   config_get(cfg, CFG_LIVE_PREFIX), e) < 0) {
			pipeline_free(&p);
			return NULL;
		}
	}
	return p;
}

void pipeline_free(struct pipeline **pp)
{
	struct pipeline *p = pp ? *pp : NULL;
	size_t i;

	if (!p)
		return;
	for (i = 0; p->jobs && i < p->nrows; i++) {
		azure_auth_cancel(p->jobs[i].tok);
		arm_call_cancel(p->jobs[i].arm);
		registry_cancel(p->jobs[i].op);
		change_end(p->jobs[i].ch, 0,
			   "stopped following; the operation may go on in "
			   "Azure",
			   NULL);
	}
	for (i = 0; p->checks && i < p->nrows * 3; i++)
		registry_cancel(p->checks[i].op);
	arm_call_cancel(p->lookup);
	azure_auth_cancel(p->lookup_tok);
	registry_free(&p->live_reg);
	registry_free(&p->quar_reg);
	registry_free(&p->upstream);
	arm_free(&p->arm);
	azure_auth_free(&p->auth);
	free(p->rows);
	free(p->jobs);
	free(p->checks);
	config_free(&p->cfg);
	free(p);
	*pp = NULL;
}

void pipeline_refresh(struct pipeline *p)
{
	if (p->res == RES_FAILED)
		p->res = RES_NONE;
	if (p->res != RES_DONE) {
		resolve(p);
		return;
	}
	start_checks(p);
}

int pipeline_busy(const struct pipeline *p)
{
	size_t i;

	if (p->res == RES_RUNNING || p->checks_pending)
		return 1;
	for (i = 0; i < p->nrows; i++)
		if (p->jobs[i].running || p->jobs[i].queued)
			return 1;
	return 0;
}

const char *pipeline_waiting_for(const struct pipeline *p, char *buf,
				 size_t sz)
{
	const char *who = azure_auth_waiting_for(p->auth);
	const char *dep = config_get(&p->cfg, CFG_DEPLOYMENT);
	size_t i;

	if (who)
		snprintf(buf, sz, "%s (signing in to Azure)", who);
	else if (p->lookup_tok)
		snprintf(buf, sz, "Azure sign-in");
	else if (p->lookup)
		snprintf(buf, sz, "ARM (the outputs of deployment %s)",
			 dep ? dep : "cluster-stamp or pre-cluster-stamp");
	else if (p->checks_pending)
		snprintf(buf, sz, "the registry %s", p->registry);
	else
		buf[0] = '\0';
	for (i = 0; !buf[0] && i < p->nrows; i++)
		if (p->jobs[i].running)
			snprintf(buf, sz,
				 "the registry %s and ARM (copying images)",
				 p->registry);
	return buf;
}

size_t pipeline_rows(const struct pipeline *p, const struct image_row **v)
{
	*v = p->rows;
	return p->nrows;
}

int pipeline_find(const struct pipeline *p, const char *name, size_t *row)
{
	size_t i;

	for (i = 0; i < p->nrows; i++) {
		const struct image_row *r = &p->rows[i];
		char pt[800];

		const char *base = strrchr(r->up.path, '/');
		char bt[800];

		base = base ? base + 1 : r->up.path;
		snprintf(pt, sizeof(pt), "%s:%s", r->up.path, r->up.tag);
		snprintf(bt, sizeof(bt), "%s:%s", base, r->up.tag);
		if (strcmp(name, r->ref) == 0 ||
		    strcmp(name, r->up.path) == 0 || strcmp(name, pt) == 0 ||
		    strcmp(name, base) == 0 || strcmp(name, bt) == 0) {
			*row = i;
			return 0;
		}
	}
	return -1;
}

const char *pipeline_status(const struct pipeline *p, int *is_error)
{
	if (is_error)
		*is_error = p->status_error;
	return p->status;
}

const char *pipeline_registry(const struct pipeline *p)
{
	return p->registry;
}

const char *pipeline_quarantine_registry(const struct pipeline *p)
{
	return p->quarantine_registry;
}

const char *pipeline_identity(const struct pipeline *p)
{
	return azure_auth_identity(p->auth);
}

const char *pipeline_auth_source(const struct pipeline *p)
{
	return azure_auth_source(p->auth);
}

struct azure_auth *pipeline_auth(struct pipeline *p)
{
	return p ? p->auth : NULL;
}

const char *pipeline_actor(struct pipeline *p)
{
	const char *id = pipeline_identity(p);

	snprintf(p->actor, sizeof(p->actor), "azure %s",
		 id && id[0] ? id : "(not signed in yet)");
	return p->actor;
}

struct registry *pipeline_quarantine_client(struct pipeline *p)
{
	return p->res == RES_DONE ? quar(p) : NULL;
}
