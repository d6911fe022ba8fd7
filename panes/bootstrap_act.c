/* bootstrap_act.c - the bootstrap pane's actions: import and promote every
 * image, the manifest rewrite (diff first), the walkthrough's commits, the
 * push, the Flux install and the reconcile of flux-system. Each checks
 * what it can before any dialog, is confirmed by typing, and goes through
 * the one audited path. No drawing, no I/O of its own. */
#include "bootstrap_act.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/bootstrap_model.h"
#include "backend/flux_install.h"
#include "backend/flux_ops.h"
#include "backend/flux_watch.h"
#include "backend/gitlocal.h"
#include "backend/manifests.h"
#include "backend/pipeline.h"
#include "backend/session.h"
#include "backend/xalloc.h"

struct boot_ops {
	struct app *a;
	struct manifests_plan plan; /* the rewrite being confirmed */
	int have_plan;
	struct git_op *git;	/* a commit or the push */
	char commit_root[1024]; /* the second commit, when one */
	char **second;		/* its paths (owned), NULL-ended */
	struct flux_install *install;
	struct flux_action *reconcile;
};

struct boot_ops *boot_ops_new(void)
{
	return xcalloc(1, sizeof(struct boot_ops));
}

static void free_paths(char ***v)
{
	size_t i;

	for (i = 0; *v && (*v)[i]; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
}

void boot_ops_disconnect(struct boot_ops *o)
{
	flux_install_cancel(o->install);
	o->install = NULL;
	flux_action_cancel(o->reconcile);
	o->reconcile = NULL;
}

void boot_ops_free(struct boot_ops **po)
{
	struct boot_ops *o = *po;

	if (!o)
		return;
	boot_ops_disconnect(o);
	gitlocal_op_cancel(o->git);
	free_paths(&o->second);
	manifests_plan_free(&o->plan);
	free(o);
	*po = NULL;
}

/* ---- shared ----------------------------------------------------------- */

static struct boot_model *model(struct app *a)
{
	return session_bootstrap(app_session(a));
}

void boot_ops_reread(struct app *a)
{
	struct session *s = app_session(a);

	/* Steps 1-3 come from the image rows and the scans: ask them too. */
	if (session_pipeline(s))
		pipeline_refresh(session_pipeline(s));
	if (session_scans(s))
		scans_refresh(session_scans(s));
	if (model(a))
		bootstrap_model_refresh(model(a));
}

static void local_identity(char *buf, size_t sz)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(buf, sz, "local user %s",
		 pw && pw->pw_name ? pw->pw_name : "?");
}

static struct change *begin(struct app *a, const char *action,
			    const char *target, const char *identity,
			    const char *detail)
{
	struct change_req r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.target = target;
	r.identity = identity;
	r.detail = detail;
	return app_change_begin(a, &r);
}

/* The step's own sentence when there is nothing to do for this key. */
static int nothing(struct app *a, const struct boot_step *s)
{
	app_status(a, s->state == BOOT_DONE ? ROLE_OK : ROLE_MUTED,
		   "step %d: %s", (int)s->id + 1, s->why);
	return UPD_DRAW;
}

/* ---- images ----------------------------------------------------------- */

struct img_all {
	enum pipeline_action act;
};

/* The scan gate's verdict on a pipeline row, as the images pane and
 * `jumpdeck promote` take it. */
static void gate_of(struct app *a, const struct image_row *r,
		    struct scan_gate *g)
{
	struct session *s = app_session(a);

	scans_gate_of(session_scans(s), r->ref, session_scans_error(s), g);
}

/* A promotion the gate blocks: recorded as refused with the gate's
 * sentence, never started. */
static void refuse_gate(struct app *a, const char *target,
			const struct scan_gate *g)
{
	struct change_req cr;

	memset(&cr, 0, sizeof(cr));
	cr.action = "image.promote";
	cr.target = target;
	cr.identity = pipeline_actor(app_pipeline(a));
	change_refuse(app_changes(a), &cr, g->why, NULL);
}

static void images_confirmed(struct app *a, void *ud)
{
	struct img_all *c = ud;
	struct pipeline *pl = app_pipeline(a);
	const struct image_row *v;
	size_t n, i, started = 0, blocked = 0;
	char target[1300], first[1300] = "";
	struct scan_gate g;
	struct err e;

	if (!pl)
		return;
	n = pipeline_rows(pl, &v);
	for (i = 0; i < n; i++) {
		struct change *ch;

		err_clear(&e);
		if (pipeline_check(pl, c->act, i, 0, &e) != 0)
			continue; /* nothing to do, or not now */
		snprintf(target, sizeof(target), "%s:%s",
			 c->act == PIPE_IMPORT ? v[i].quarantine_repo
					       : v[i].live_repo,
			 v[i].up.tag);
		if (c->act == PIPE_PROMOTE) {
			gate_of(a, &v[i], &g);
			if (g.blocked) {
				refuse_gate(a, target, &g);
				if (!blocked++)
					snprintf(first, sizeof(first),
						 "%.300s: scan gate: %.900s",
						 target, g.why);
				continue;
			}
		}
		ch = begin(a,
			   c->act == PIPE_IMPORT ? "image.import"
						 : "image.promote",
			   target, pipeline_actor(pl), NULL);
		if (!ch)
			return; /* refused; the status bar says why */
		if (pipeline_start(pl, ch, c->act, i, 0, &e) != 0) {
			app_status(a, ROLE_ERROR, "%s", e.msg);
			continue;
		}
		started++;
	}
	if (blocked)
		app_status(a, ROLE_ERROR,
			   "promoting %zu image%s; refused %zu: %s", started,
			   started == 1 ? "" : "s", blocked, first);
	else
		app_status(a, ROLE_PENDING, "%s %zu image%s",
			   c->act == PIPE_IMPORT ? "importing" : "promoting",
			   started, started == 1 ? "" : "s");
}

static int images(struct app *a, enum pipeline_action act,
		  const struct boot_step *s)
{
	struct pipeline *pl = app_pipeline(a);
	const struct image_row *v;
	size_t n, i, todo = 0, blocked = 0;
	struct img_all *c;
	char q[300];
	struct err e;

	if (!pl || s->act != (act == PIPE_IMPORT ? BOOT_ACT_IMPORT
						 : BOOT_ACT_PROMOTE))
		return nothing(a, s);
	n = pipeline_rows(pl, &v);
	for (i = 0; i < n; i++) {
		struct scan_gate g;

		err_clear(&e);
		if (pipeline_check(pl, act, i, 0, &e) != 0)
			continue;
		if (act == PIPE_PROMOTE) {
			gate_of(a, &v[i], &g);
			if (g.blocked) {
				blocked++;
				continue;
			}
		}
		todo++;
	}
	if (!todo && !blocked)
		return nothing(a, s);
	if (app_read_only(a))
		return app_refuse_read_only(
		    a, act == PIPE_IMPORT ? "image.import" : "image.promote",
		    "all", pipeline_actor(pl));
	if (!todo) {
		/* Every image waiting is blocked: refused before a question
		 * (audited), naming the first one's findings. */
		struct img_all all = {.act = act};

		images_confirmed(a, &all);
		return UPD_ALL;
	}
	snprintf(q, sizeof(q),
		 act == PIPE_IMPORT
		     ? "Import %zu image%s into quarantine/ of %s?"
		     : "Promote %zu image%s from quarantine/ to live/ of %s "
		       "(the scan gate passes them)?",
		 todo, todo == 1 ? "" : "s", pipeline_registry(pl));
	c = xcalloc(1, sizeof(*c));
	c->act = act;
	app_confirm(a, act == PIPE_IMPORT ? "image.import" : "image.promote",
		    "all", q, act == PIPE_IMPORT ? "import" : "promote",
		    images_confirmed, c);
	return UPD_ALL;
}

/* ---- the rewrite ------------------------------------------------------ */

struct rewrite_confirm {
	struct boot_ops *o;
};

static void rewrite_confirmed(struct app *a, void *ud)
{
	struct boot_ops *o = ((struct rewrite_confirm *)ud)->o;
	struct change *ch;
	char who[300], detail[300], target[1100], *abs;
	struct err e;

	if (!o->have_plan)
		return;
	local_identity(who, sizeof(who));
	abs = realpath(o->plan.where.root, NULL);
	snprintf(target, sizeof(target), "%s", abs ? abs : o->plan.where.root);
	free(abs);
	snprintf(detail, sizeof(detail), "%zu file%s", o->plan.n,
		 o->plan.n == 1 ? "" : "s");
	ch = begin(a, "manifests.rewrite", target, who, detail);
	if (ch) {
		err_clear(&e);
		if (manifests_apply(&o->plan, ch, &e) < 0)
			app_status(a, ROLE_ERROR, "rewrite failed: %s", e.msg);
		else
			app_status(a, ROLE_OK, "%s; commit them next (c)",
				   ch->message);
	}
	manifests_plan_free(&o->plan);
	o->have_plan = 0;
	boot_ops_reread(a);
}

static int rewrite(struct app *a, struct boot_ops *o,
		   const struct boot_step *steps, struct detail *d)
{
	struct boot_model *m = model(a);
	const struct boot_step *reg = &steps[BOOT_REGISTRY];
	const struct boot_step *acc = &steps[BOOT_FORK];
	const char *registry, *account, *dir;
	unsigned which = 0;
	struct rewrite_confirm *c;
	char q[1400], *diff;
	const char *p, *nl;
	struct err e;

	if (!m || (reg->act != BOOT_ACT_REWRITE_REGISTRY &&
		   acc->act != BOOT_ACT_REWRITE_ACCOUNT))
		return nothing(a, reg->state != BOOT_DONE ? reg : acc);
	registry = bootstrap_model_registry(m);
	account = bootstrap_model_account(m);
	if (reg->act == BOOT_ACT_REWRITE_REGISTRY && registry[0])
		which |= MANIFESTS_REGISTRY;
	if (acc->act == BOOT_ACT_REWRITE_ACCOUNT && account && account[0])
		which |= MANIFESTS_ACCOUNT;
	if (!which) {
		app_status(a, ROLE_WARN, "%s",
			   reg->act == BOOT_ACT_REWRITE_REGISTRY
			       ? "the registry is not known yet: set "
				 "registry in the config, or wait for "
				 "the images pane to find it"
			       : "set github_account in the config (or "
				 "--github-account) to rewrite "
				 "gotk-sync.yaml");
		return UPD_DRAW;
	}
	if (app_read_only(a))
		return app_refuse_read_only(a, "manifests.rewrite",
					    bootstrap_model_repo(m), NULL);
	manifests_plan_free(&o->plan);
	o->have_plan = 0;
	dir = bootstrap_model_repo(m)[0] ? bootstrap_model_repo(m) : ".";
	err_clear(&e);
	if (manifests_plan(&o->plan, dir, which, registry, account, &e) < 0) {
		manifests_plan_free(&o->plan);
		app_status(a, ROLE_ERROR, "rewrite refused: %s", e.msg);
		return UPD_DRAW;
	}
	if (!o->plan.n) {
		manifests_plan_free(&o->plan);
		app_status(a, ROLE_MUTED, "nothing to rewrite");
		return UPD_DRAW;
	}
	o->have_plan = 1;
	/* The diff first, in the detail view, then the question. */
	detail_open(d);
	detail_clear(d);
	detail_add(d, ROLE_HEADER, "The rewrite, as a unified diff");
	diff = manifests_diff(&o->plan);
	for (p = diff; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		detail_add(d,
			   p[0] == '+'	 ? ROLE_OK
			   : p[0] == '-' ? ROLE_ERROR
			   : p[0] == '@' ? ROLE_HEADER
					 : ROLE_NORMAL,
			   "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
	}
	free(diff);
	detail_done(d);
	snprintf(q, sizeof(q),
		 "Rewrite %zu file%s in %s (registry %s%s%s)? The diff is "
		 "above.",
		 o->plan.n, o->plan.n == 1 ? "" : "s", o->plan.where.root,
		 which & MANIFESTS_REGISTRY ? registry : "unchanged",
		 which & MANIFESTS_ACCOUNT ? ", account " : "",
		 which & MANIFESTS_ACCOUNT ? account : "");
	c = xcalloc(1, sizeof(*c));
	c->o = o;
	app_confirm(a, "manifests.rewrite", o->plan.where.root, q, "rewrite",
		    rewrite_confirmed, c);
	return UPD_ALL;
}

/* ---- commit and push -------------------------------------------------- */

static void on_git(const struct git_op_result *r, void *ud);

/* Start one commit of the paths of one kind (1: the kustomization files,
 * 2: gotk-sync.yaml); 0 when there are none. */
static int commit_kind(struct app *a, struct boot_ops *o, const char *root,
		       char *const *dirty, size_t n, int kind)
{
	const char **paths = xcalloc(n + 1, sizeof(*paths));
	const char *msg =
	    kind == 1 ? MANIFESTS_MSG_REGISTRY : MANIFESTS_MSG_ACCOUNT;
	char who[300], target[1200];
	struct change *ch;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (gitlocal_manifest_path(dirty[i]) == kind)
			paths[k++] = dirty[i];
	if (!k) {
		free(paths);
		return 0;
	}
	local_identity(who, sizeof(who));
	snprintf(target, sizeof(target), "%s (%zu file%s)", root, k,
		 k == 1 ? "" : "s");
	ch = begin(a, "git.commit", target, who, msg);
	if (ch)
		o->git = gitlocal_commit(session_loop(app_session(a)), ch,
					 root, msg, paths, on_git, o);
	free(paths);
	return ch ? 1 : -1;
}

static void on_git(const struct git_op_result *r, void *ud)
{
	struct boot_ops *o = ud;
	struct app *a = o->a;
	const char *out = r->output, *last = out, *p;

	o->git = NULL;
	/* git's last line says what happened */
	for (p = out; *p; p++)
		if (*p == '\n' && p[1])
			last = p + 1;
	if (!r->ok) {
		free_paths(&o->second);
		app_status(a, ROLE_ERROR, "%s; nothing changed locally",
			   r->err.msg);
	} else {
		app_status(a, ROLE_OK, "%.*s", (int)strcspn(last, "\n"), last);
	}
	if (r->ok && o->second) {
		size_t n = 0;

		while (o->second[n])
			n++;
		commit_kind(a, o, o->commit_root, o->second, n, 2);
		free_paths(&o->second);
	}
	boot_ops_reread(a);
}

static void commit_confirmed(struct app *a, void *ud)
{
	struct boot_ops *o = *(struct boot_ops **)ud;
	const struct boot_facts *f = bootstrap_model_facts(model(a));
	const struct git_state *g = &f->repo.git;
	size_t i, k = 0;
	int r;

	snprintf(o->commit_root, sizeof(o->commit_root), "%s", g->root);
	/* The walkthrough's order: the kustomization files, then
	 * gotk-sync.yaml, each with its own message. */
	free_paths(&o->second);
	o->second = xcalloc(g->nkept + 1, sizeof(*o->second));
	for (i = 0; i < g->nkept; i++)
		if (gitlocal_manifest_path(g->dirty[i]) == 2)
			o->second[k++] = xstrdup(g->dirty[i]);
	r = commit_kind(a, o, g->root, g->dirty, g->nkept, 1);
	if (r == 0) { /* only gotk-sync.yaml */
		free_paths(&o->second);
		commit_kind(a, o, g->root, g->dirty, g->nkept, 2);
	} else if (r < 0) {
		free_paths(&o->second);
	}
}

static int commit(struct app *a, struct boot_ops *o, const struct boot_step *s)
{
	const struct boot_facts *f;
	struct boot_ops **c;
	size_t i, n = 0;
	char q[1400];

	if (s->act != BOOT_ACT_COMMIT || !model(a))
		return nothing(a, s);
	if (o->git) {
		app_status(a, ROLE_WARN, "git is already running");
		return UPD_DRAW;
	}
	f = bootstrap_model_facts(model(a));
	for (i = 0; i < f->repo.git.nkept; i++)
		n += gitlocal_manifest_path(f->repo.git.dirty[i]) != 0;
	if (!n)
		return nothing(a, s);
	if (app_read_only(a))
		return app_refuse_read_only(a, "git.commit", f->repo.git.root,
					    NULL);
	snprintf(q, sizeof(q),
		 "Commit %zu rewritten file%s in %s with the walkthrough's "
		 "messages?",
		 n, n == 1 ? "" : "s", f->repo.git.root);
	c = xcalloc(1, sizeof(*c));
	*c = o;
	app_confirm(a, "git.commit", f->repo.git.root, q, "commit",
		    commit_confirmed, c);
	return UPD_ALL;
}

static void push_confirmed(struct app *a, void *ud)
{
	struct boot_ops *o = *(struct boot_ops **)ud;
	const struct git_state *g = &bootstrap_model_facts(model(a))->repo.git;
	char who[300], target[2400];
	struct change *ch;

	local_identity(who, sizeof(who));
	snprintf(target, sizeof(target), "%s -> %s (%s)", g->root,
		 g->remote_url, g->upstream);
	ch = begin(a, "git.push", target, who, NULL);
	if (!ch)
		return;
	app_status(a, ROLE_PENDING, "pushing %s to %s", g->branch,
		   g->upstream);
	o->git = gitlocal_push(session_loop(app_session(a)), ch, g->root,
			       on_git, o);
}

static int push(struct app *a, struct boot_ops *o, const struct boot_step *s)
{
	const struct git_state *g;
	struct boot_ops **c;
	char q[2600];

	if (s->act != BOOT_ACT_PUSH || !model(a))
		return nothing(a, s);
	if (o->git) {
		app_status(a, ROLE_WARN, "git is already running");
		return UPD_DRAW;
	}
	g = &bootstrap_model_facts(model(a))->repo.git;
	if (app_read_only(a))
		return app_refuse_read_only(a, "git.push", g->root, NULL);
	snprintf(q, sizeof(q), "Push %s (%d commit%s) to %s at %s?", g->branch,
		 g->ahead, g->ahead == 1 ? "" : "s", g->upstream,
		 g->remote_url);
	c = xcalloc(1, sizeof(*c));
	*c = o;
	app_confirm(a, "git.push", g->root, q, "push", push_confirmed, c);
	return UPD_ALL;
}

/* ---- Flux ------------------------------------------------------------- */

static void on_install_progress(const char *text, void *ud)
{
	struct boot_ops *o = ud;

	(void)text; /* the change holds it; the pane shows the change */
	boot_ops_reread(o->a);
}

static void on_installed(const struct flux_install_result *r, void *ud)
{
	struct boot_ops *o = ud;

	o->install = NULL;
	/* Flux may be new to this cluster: the Flux model looks again. */
	if (r->ok && app_flux(o->a))
		flux_watch_retry_now(app_flux(o->a));
	if (r->ok)
		app_status(o->a, ROLE_OK, "Flux: %s", r->summary);
	else
		app_status(o->a, ROLE_ERROR, "Flux install failed: %s",
			   r->err.msg);
	boot_ops_reread(o->a);
}

static void install_confirmed(struct app *a, void *ud)
{
	struct boot_ops *o = *(struct boot_ops **)ud;
	struct boot_model *m = model(a);
	struct flux_install_opts fo;
	char target[1200];
	struct change *ch;

	if (!app_kube(a) || !m)
		return;
	snprintf(target, sizeof(target), "flux-system of %s",
		 bootstrap_model_repo(m)[0] ? bootstrap_model_repo(m) : ".");
	ch = begin(a, "flux.install", target,
		   kube_client_identity(app_kube(a)), NULL);
	if (!ch)
		return;
	memset(&fo, 0, sizeof(fo));
	fo.dir = bootstrap_model_repo(m)[0] ? bootstrap_model_repo(m) : ".";
	fo.kubectl = getenv("JUMPDECK_KUBECTL");
	o->install = flux_install_start(app_kube(a), ch, &fo,
					on_install_progress, on_installed, o);
	app_status(a, ROLE_PENDING, "installing Flux into %s", app_context(a));
}

static int install(struct app *a, struct boot_ops *o,
		   const struct boot_step *steps)
{
	const struct boot_step *s = &steps[BOOT_FLUX];
	const struct boot_step *sync = &steps[BOOT_SYNCED];
	struct boot_ops **c;
	char q[600];

	if (s->act != BOOT_ACT_INSTALL_FLUX &&
	    sync->act != BOOT_ACT_INSTALL_FLUX)
		return nothing(a, s->state != BOOT_DONE ? s : sync);
	if (!app_kube(a)) {
		app_status(a, ROLE_ERROR, "not connected to a cluster");
		return UPD_DRAW;
	}
	if (o->install) {
		app_status(a, ROLE_WARN, "the Flux install is running");
		return UPD_DRAW;
	}
	if (app_read_only(a))
		return app_refuse_read_only(a, "flux.install", app_context(a),
					    kube_client_identity(app_kube(a)));
	snprintf(q, sizeof(q),
		 "Install Flux into context %s from the clone's flux-system "
		 "(server-side apply)?",
		 app_context(a));
	c = xcalloc(1, sizeof(*c));
	*c = o;
	app_confirm(a, "flux.install", app_context(a), q, app_context(a),
		    install_confirmed, c);
	return UPD_ALL;
}

static void on_reconciled(int ok, const struct err *e, const char *result,
			  void *ud)
{
	struct boot_ops *o = ud;

	o->reconcile = NULL;
	if (ok)
		app_status(o->a, ROLE_OK, "flux-system: %s", result);
	else
		app_status(o->a, ROLE_ERROR, "flux-system: %s", e->msg);
	boot_ops_reread(o->a);
}

static void reconcile_confirmed(struct app *a, void *ud)
{
	struct boot_ops *o = *(struct boot_ops **)ud;
	struct flux_watch *w = app_flux(a);
	struct flux_action_opts fo;
	struct change *ch;
	struct err e;
	int k;

	if (!w || !app_kube(a))
		return;
	ch =
	    begin(a, "flux.reconcile", "kustomization/flux-system/flux-system",
		  kube_client_identity(app_kube(a)), "with source");
	if (!ch)
		return;
	memset(&fo, 0, sizeof(fo));
	fo.what = FLUX_ACT_RECONCILE;
	fo.kind = FLUX_KUSTOMIZATION;
	for (k = 0; k < FLUX_KIND_COUNT; k++)
		fo.versions[k] = flux_watch_version(w, k);
	fo.ns = "flux-system";
	fo.name = "flux-system";
	fo.with_source = 1;
	err_clear(&e);
	o->reconcile = flux_action_start(app_kube(a), ch, &fo, NULL,
					 on_reconciled, o, &e);
	if (!o->reconcile)
		app_status(a, ROLE_ERROR, "%s", e.msg);
	else
		app_status(a, ROLE_PENDING,
			   "reconciling flux-system with its "
			   "source");
}

static int reconcile(struct app *a, struct boot_ops *o,
		     const struct boot_step *s)
{
	struct boot_ops **c;

	if (s->act != BOOT_ACT_RECONCILE)
		return nothing(a, s);
	if (o->reconcile) {
		app_status(a, ROLE_WARN, "flux-system is being reconciled");
		return UPD_DRAW;
	}
	if (!app_kube(a) || !app_flux(a)) {
		app_status(a, ROLE_ERROR, "not connected to a cluster");
		return UPD_DRAW;
	}
	if (app_read_only(a))
		return app_refuse_read_only(
		    a, "flux.reconcile",
		    "kustomization/flux-system/flux-system",
		    kube_client_identity(app_kube(a)));
	c = xcalloc(1, sizeof(*c));
	*c = o;
	app_confirm(a, "flux.reconcile",
		    "kustomization/flux-system/flux-system",
		    "Reconcile Kustomization flux-system/flux-system and its "
		    "source now?",
		    "flux-system", reconcile_confirmed, c);
	return UPD_ALL;
}

int boot_ops_do(struct app *a, struct boot_ops *o, enum boot_act act,
		const struct boot_step *steps, struct detail *d)
{
	o->a = a;
	switch (act) {
	case BOOT_ACT_IMPORT:
		return images(a, PIPE_IMPORT, &steps[BOOT_QUARANTINE]);
	case BOOT_ACT_PROMOTE:
		return images(a, PIPE_PROMOTE, &steps[BOOT_PROMOTE]);
	case BOOT_ACT_REWRITE_REGISTRY:
	case BOOT_ACT_REWRITE_ACCOUNT:
		return rewrite(a, o, steps, d);
	case BOOT_ACT_COMMIT:
		return commit(a, o, &steps[BOOT_PUSHED]);
	case BOOT_ACT_PUSH:
		return push(a, o, &steps[BOOT_PUSHED]);
	case BOOT_ACT_INSTALL_FLUX:
		return install(a, o, steps);
	case BOOT_ACT_RECONCILE:
		return reconcile(a, o, &steps[BOOT_SYNCED]);
	default:
		return UPD_NONE;
	}
}
