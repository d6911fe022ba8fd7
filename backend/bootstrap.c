/* bootstrap.c - the walkthrough's ten steps from facts alone: state, one
 * sentence of why, the next action (what jumpdeck can do, or the exact
 * command). No I/O: the probe reads the world; no printing (cli/). */
#include "bootstrap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const titles[BOOT_NSTEPS] = {
    "Images in quarantine/",
    "Scan results and the gate's verdict",
    "Images promoted to live/",
    "Manifests point at your registry",
    "Flux points at your fork",
    "Changes committed and pushed",
    "The jump box",
    "Cluster reachable, admin, nodes Ready",
    "Flux installed",
    "Flux reconciles your fork",
};

static const char *const panes[BOOT_NSTEPS] = {
    "images", "scans", "images", NULL,	 NULL,
    NULL,     NULL,    "nodes",	 "flux", "flux",
};

const char *boot_state_text(enum boot_state s)
{
	switch (s) {
	case BOOT_DONE:
		return "done";
	case BOOT_RUNNING:
		return "in progress";
	case BOOT_UNKNOWN:
		return "cannot tell";
	default:
		return "not done";
	}
}

const char *boot_state_word(enum boot_state s)
{
	switch (s) {
	case BOOT_DONE:
		return "done";
	case BOOT_RUNNING:
		return "running";
	case BOOT_UNKNOWN:
		return "unknown";
	default:
		return "todo";
	}
}

const char *boot_act_word(enum boot_act a)
{
	static const char *const w[BOOT_ACT_COUNT] = {
	    "",
	    "import",
	    "promote",
	    "rewrite-registry",
	    "rewrite-account",
	    "commit",
	    "push",
	    "install-flux",
	    "reconcile",
	};

	return a < BOOT_ACT_COUNT ? w[a] : "";
}

void bootstrap_facts_clear(struct boot_facts *f)
{
	gitlocal_state_clear(&f->repo.git);
	memset(f, 0, sizeof(*f));
}

/* ---- text helpers ----------------------------------------------------- */

static void why(struct boot_step *s, enum boot_state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void why(struct boot_step *s, enum boot_state st, const char *fmt, ...)
{
	va_list ap;

	s->state = st;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

static void note(struct boot_step *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct boot_step *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nnotes >= BOOT_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(s->notes[s->nnotes++], sizeof(s->notes[0]), fmt, ap);
	va_end(ap);
}

static void cmd(struct boot_step *s, enum boot_act a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cmd(struct boot_step *s, enum boot_act a, const char *fmt, ...)
{
	va_list ap;

	s->act = a;
	va_start(ap, fmt);
	vsnprintf(s->command, sizeof(s->command), fmt, ap);
	va_end(ap);
}

/* " DIR" quoted for a shell, or "" for the current folder. */
static void dir_arg(const struct boot_context *c, char *buf, size_t sz)
{
	const char *d = c->repo_dir;
	size_t i, o = 0;
	int plain = 1;

	if (!d[0]) {
		snprintf(buf, sz, "%s", "");
		return;
	}
	for (i = 0; d[i]; i++)
		if (!strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
			"YZ0123456789/._-+:@",
			d[i]))
			plain = 0;
	if (plain) {
		snprintf(buf, sz, " %s", d);
		return;
	}
	if (sz < 4)
		return;
	buf[o++] = ' ';
	buf[o++] = '\'';
	for (i = 0; d[i] && o + 6 < sz; i++) {
		if (d[i] == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = d[i];
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

static const char *dflt(const char *s, const char *def)
{
	return s && s[0] ? s : def;
}

static const char *short_sha(const char *sha, char *buf)
{
	size_t n = sha ? strnlen(sha, 8) : 0;

	memcpy(buf, sha ? sha : "", n);
	buf[n] = '\0';
	return buf;
}

/* ---- steps 1-3: the images -------------------------------------------- */

static void step_quarantine(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_images *im = &f->images;

	if (!im->known) {
		why(s, BOOT_UNKNOWN, "%s", dflt(im->err.msg, "not read yet"));
		cmd(s, BOOT_ACT_NONE, "jumpdeck images");
		return;
	}
	if (im->quarantined == im->total && im->total) {
		why(s, BOOT_DONE, "%zu/%zu images in quarantine/ of %s",
		    im->quarantined, im->total, im->registry);
		return;
	}
	if (im->running) {
		why(s, BOOT_RUNNING,
		    "importing: %zu/%zu images in "
		    "quarantine/ so far",
		    im->quarantined, im->total);
		return;
	}
	why(s, BOOT_TODO, "%zu/%zu images in quarantine/ of %s (missing: %s)",
	    im->quarantined, im->total, im->registry,
	    dflt(im->first_missing, "?"));
	cmd(s, BOOT_ACT_IMPORT, "jumpdeck import --all");
}

static void step_scans(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_scans *sc = &f->scans;

	if (!sc->available) {
		why(s, BOOT_UNKNOWN, "scan results are not read: %s",
		    dflt(sc->err.msg, "no image pipeline"));
		return;
	}
	if (!sc->known) {
		why(s, BOOT_UNKNOWN, "%s", dflt(sc->err.msg, "reading..."));
		cmd(s, BOOT_ACT_NONE, "jumpdeck scans");
		return;
	}
	if (!sc->images) {
		why(s, BOOT_TODO, "nothing in quarantine/ to scan yet");
		cmd(s, BOOT_ACT_IMPORT, "jumpdeck import --all");
		s->pane = "images";
		return;
	}
	if (sc->blocked) {
		why(s, BOOT_TODO,
		    "the scan gate blocks %zu of %zu images: %s %s",
		    sc->blocked, sc->images, dflt(sc->first_blocked, "?"),
		    dflt(sc->blocked_why, "is blocked"));
		cmd(s, BOOT_ACT_NONE, "jumpdeck scans");
		return;
	}
	if (sc->pending) {
		why(s, BOOT_RUNNING,
		    "%zu of %zu images have no scan result yet (Defender "
		    "reports within about 15 minutes of an import)",
		    sc->pending, sc->images);
		cmd(s, BOOT_ACT_NONE, "jumpdeck scans");
		return;
	}
	if (sc->unknown) {
		why(s, BOOT_UNKNOWN,
		    "%zu of %zu images have no scan verdict: %s %s",
		    sc->unknown, sc->images, dflt(sc->first_unknown, "?"),
		    dflt(sc->unknown_why, "was not scanned"));
		cmd(s, BOOT_ACT_NONE, "jumpdeck scans");
		return;
	}
	if (sc->allowed)
		why(s, BOOT_DONE,
		    "the scan gate passes all %zu images (%zu findings "
		    "allowed by the allow-list)",
		    sc->images, sc->allowed);
	else
		why(s, BOOT_DONE, "the scan gate passes all %zu images",
		    sc->images);
	if (sc->allowed)
		s->warn = 1;
	if (sc->err.msg[0])
		note(s, "%s", sc->err.msg);
}

static void step_promote(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_images *im = &f->images;

	if (!im->known) {
		why(s, BOOT_UNKNOWN, "%s", dflt(im->err.msg, "not read yet"));
		cmd(s, BOOT_ACT_NONE, "jumpdeck images");
		return;
	}
	if (im->alerts) {
		why(s, BOOT_TODO,
		    "%zu image%s in live/ hold%s another digest than "
		    "quarantine/ (%s): imported from elsewhere",
		    im->alerts, im->alerts == 1 ? "" : "s",
		    im->alerts == 1 ? "s" : "", dflt(im->first_alert, "?"));
		cmd(s, BOOT_ACT_NONE, "jumpdeck promote %s --force",
		    dflt(im->first_alert, "IMAGE"));
		return;
	}
	if (im->promoted == im->total && im->total) {
		why(s, BOOT_DONE,
		    "%zu/%zu promoted; live/ digests match quarantine/",
		    im->promoted, im->total);
		return;
	}
	if (im->running) {
		why(s, BOOT_RUNNING, "promoting: %zu/%zu in live/ so far",
		    im->promoted, im->total);
		return;
	}
	why(s, BOOT_TODO, "%zu/%zu promoted to live/ (not yet: %s)",
	    im->promoted, im->total, dflt(im->first_unpromoted, "?"));
	if (im->quarantined > im->promoted)
		cmd(s, BOOT_ACT_PROMOTE, "jumpdeck promote --all");
	else
		cmd(s, BOOT_ACT_NONE, "jumpdeck import --all");
}

/* ---- steps 4-6: the clone --------------------------------------------- */

/* The clone cannot be read: the same sentence for steps 4-6. */
static int no_clone(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_repo *r = &f->repo;

	if (!r->located) {
		why(s, BOOT_UNKNOWN, "%s",
		    dflt(r->err.msg, "no clone of the repository: give --repo "
				     "DIR or run jumpdeck inside one"));
		cmd(s, BOOT_ACT_NONE,
		    "git clone https://github.com/%s/aks-baseline-regulated",
		    dflt(f->ctx.account, "YOUR_GITHUB_ACCOUNT"));
		return 1;
	}
	if (!r->scanned) {
		why(s, BOOT_UNKNOWN, "%s",
		    dflt(r->scan_err.msg, "not read yet"));
		return 1;
	}
	return 0;
}

static void step_registry(const struct boot_facts *f, struct boot_step *s)
{
	const struct manifests_scan *sc = &f->repo.scan;
	char d[1100];

	if (no_clone(f, s))
		return;
	dir_arg(&f->ctx, d, sizeof(d));
	if (f->repo.rewrite_running && sc->registry_count) {
		why(s, BOOT_RUNNING, "rewriting the manifests");
		return;
	}
	if (sc->registry_count) {
		why(s, BOOT_TODO,
		    "%zu " MANIFESTS_ACR_PLACEHOLDER " left in %zu "
		    "kustomization file%s (first: %s)",
		    sc->registry_count, sc->registry_files,
		    sc->registry_files == 1 ? "" : "s", sc->first_registry);
		cmd(s, BOOT_ACT_REWRITE_REGISTRY,
		    "jumpdeck rewrite-manifests --registry %s%s",
		    dflt(f->ctx.registry, "NAME"), d);
		return;
	}
	why(s, BOOT_DONE,
	    "no " MANIFESTS_ACR_PLACEHOLDER " left in the %zu "
	    "kustomization files",
	    sc->files - (size_t)sc->have_sync);
}

static void step_fork(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_repo *r = &f->repo;
	char d[1100], sha[9];

	if (no_clone(f, s))
		return;
	dir_arg(&f->ctx, d, sizeof(d));
	if (!r->scan.have_sync) {
		why(s, BOOT_UNKNOWN,
		    "the clone has no cluster-manifests/" MANIFESTS_SYNC_FILE);
		return;
	}
	if (r->rewrite_running && r->scan.account_count) {
		why(s, BOOT_RUNNING, "rewriting the manifests");
		return;
	}
	if (r->scan.account_count) {
		why(s, BOOT_TODO,
		    "gotk-sync.yaml still "
		    "names " MANIFESTS_ACCOUNT_PLACEHOLDER);
		cmd(s, BOOT_ACT_REWRITE_ACCOUNT,
		    "jumpdeck rewrite-manifests --github-account %s%s",
		    dflt(f->ctx.account, "NAME"), d);
		return;
	}
	if (!r->url_checked) {
		why(s, BOOT_UNKNOWN, "%s does not answer yet (not asked)",
		    dflt(r->sync_url, "the fork"));
		return;
	}
	if (!r->url_ok) {
		why(s, BOOT_TODO,
		    "gotk-sync.yaml points at %s, which does not "
		    "answer: %s",
		    r->sync_url, r->url_err.msg);
		note(s, "fork the repository to that account, or fix the "
			"account name in gotk-sync.yaml");
		return;
	}
	why(s, BOOT_DONE, "gotk-sync.yaml points at %s (its HEAD is %s)",
	    r->sync_url, short_sha(r->url_head, sha));
}

static void step_pushed(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_repo *r = &f->repo;
	const struct git_state *g = &r->git;
	size_t i, manifests = 0;
	char d[1100], a[9], b[9];

	if (no_clone(f, s))
		return;
	dir_arg(&f->ctx, d, sizeof(d));
	if (!r->git_known) {
		why(s, BOOT_UNKNOWN, "the clone's git state is not read yet");
		return;
	}
	if (!g->ok) {
		why(s, BOOT_UNKNOWN, "%s", g->err.msg);
		return;
	}
	for (i = 0; i < g->nkept; i++)
		manifests += gitlocal_manifest_path(g->dirty[i]) != 0;
	if (r->commit_running || r->push_running) {
		why(s, BOOT_RUNNING, "%s",
		    r->push_running ? "pushing" : "committing");
		return;
	}
	/* The walkthrough commits after each rewrite: a rewritten file
	 * waits for its commit even while the other placeholder is left. */
	if (manifests) {
		why(s, BOOT_TODO, "%zu rewritten file%s not committed (%s)",
		    manifests, manifests == 1 ? "" : "s", g->dirty[0]);
		cmd(s, BOOT_ACT_COMMIT,
		    "jumpdeck rewrite-manifests --commit%s", d);
		return;
	}
	if (r->scan.registry_count || r->scan.account_count) {
		why(s, BOOT_TODO,
		    "the placeholders are not rewritten yet "
		    "(steps 4 and 5)");
		return;
	}
	if (!g->head[0]) {
		why(s, BOOT_TODO, "the clone has no commit yet");
		return;
	}
	if (!g->upstream[0]) {
		why(s, BOOT_TODO, "branch %s has no upstream to push to",
		    dflt(g->branch, "(detached HEAD)"));
		cmd(s, BOOT_ACT_NONE, "git -C %s push -u origin %s",
		    dflt(g->root, "."), dflt(g->branch, "HEAD"));
		return;
	}
	if (!g->remote_known) {
		why(s, BOOT_UNKNOWN, "cannot read %s: %s", g->remote_url,
		    g->remote_err.msg);
		return;
	}
	if (strcmp(g->head, g->remote_head) == 0) {
		why(s, BOOT_DONE, "%s at %s is pushed to %s", g->branch,
		    short_sha(g->head, a), g->upstream);
		if (g->ndirty > manifests) {
			s->warn = 1;
			note(s,
			     "%zu other file%s changed and not committed "
			     "(%s)",
			     g->ndirty - manifests,
			     g->ndirty - manifests == 1 ? "" : "s",
			     g->dirty[0]);
		}
		return;
	}
	if (!g->diverged) {
		why(s, BOOT_TODO, "%d commit%s not pushed to %s", g->ahead,
		    g->ahead == 1 ? "" : "s", g->upstream);
		cmd(s, BOOT_ACT_PUSH, "jumpdeck rewrite-manifests --push%s",
		    d);
		return;
	}
	why(s, BOOT_TODO,
	    "%s (at %s) has commits this clone (at %s) does not have",
	    g->upstream, short_sha(g->remote_head, a), short_sha(g->head, b));
	cmd(s, BOOT_ACT_NONE, "git -C %s pull --rebase --autostash",
	    dflt(g->root, "."));
}

/* ---- step 7: the jump box --------------------------------------------- */

static void step_jumpbox(const struct boot_facts *f, struct boot_step *s)
{
	const struct jumpbox_state *j = &f->jb;
	const char *rg = dflt(f->ctx.resource_group, "rg-bu0001a0005");

	if (!f->jumpbox_known) {
		why(s, BOOT_UNKNOWN, "not checked yet");
		return;
	}
	if (!j->azure_ok) {
		why(s, BOOT_TODO, "not signed in to Azure: %s",
		    dflt(j->azure_err.msg, "no credentials"));
		cmd(s, BOOT_ACT_NONE, "az login");
		return;
	}
	if (!j->kube_ok) {
		why(s, BOOT_TODO, "no kube credentials: %s", j->kube_err.msg);
		cmd(s, BOOT_ACT_NONE, "az aks get-credentials -g %s -n %s", rg,
		    dflt(j->cluster_name, "CLUSTER"));
		return;
	}
	if (j->kube_for_cluster == 0 && j->cluster_context[0]) {
		why(s, BOOT_TODO,
		    "context %s is not cluster %s's; context %s "
		    "is",
		    j->context, j->cluster_name, j->cluster_context);
		cmd(s, BOOT_ACT_NONE, "kubectl config use-context %s",
		    j->cluster_context);
		return;
	}
	if (j->kube_for_cluster == 0) {
		why(s, BOOT_TODO,
		    "no kube credentials for cluster %s (context "
		    "%s is another cluster's)",
		    j->cluster_name, j->context);
		cmd(s, BOOT_ACT_NONE, "az aks get-credentials -g %s -n %s", rg,
		    j->cluster_name);
		return;
	}
	/* Done; the first warning, if any, is the sentence. */
	s->state = BOOT_DONE;
	if (j->cluster_known && !j->is_private) {
		s->warn = 1;
		why(s, BOOT_DONE,
		    "the API server is public (%s): the "
		    "walkthrough's cluster is private",
		    j->fqdn);
	} else if (j->cluster_known && j->has_public_fqdn) {
		s->warn = 1;
		why(s, BOOT_DONE,
		    "the cluster is private but also has the public FQDN %s",
		    j->fqdn);
	} else if (!j->cluster_known) {
		s->warn = 1;
		why(s, BOOT_DONE,
		    "cannot tell whether the API server is "
		    "private: %s",
		    j->cluster_err.msg);
	} else if (!j->on_azure_vm) {
		s->warn = 1;
		why(s, BOOT_DONE,
		    "not on an Azure VM (%s): run this from the "
		    "jump box",
		    dflt(j->imds_err.msg, "IMDS did not answer"));
	} else {
		why(s, BOOT_DONE,
		    "signed in as %s; context %s for private "
		    "cluster %s; on %s",
		    j->azure_identity, j->context, j->cluster_name,
		    dflt(j->vm_name, dflt(j->vmss, "an Azure VM")));
	}
	note(s, "Azure: %s (%s)", j->azure_identity,
	     dflt(j->azure_source, "?"));
	note(s, "kube: context %s, user %s, %s, %s", j->context,
	     dflt(j->user, "(none)"), dflt(j->auth, "?"), j->server);
	if (j->cluster_known)
		note(s, "cluster %s: %s API server%s%s%s", j->cluster_name,
		     j->is_private ? "private" : "public",
		     j->private_fqdn[0] ? ", private FQDN " : "",
		     j->private_fqdn,
		     j->has_public_fqdn ? ", public FQDN" : "");
	if (j->on_azure_vm)
		note(s, "Azure VM %s%s%s", j->vm_name,
		     j->vmss[0] ? " of " : "", j->vmss);
	else if (s->why[0] && !strstr(s->why, "Azure VM"))
		note(s, "not on an Azure VM: %s",
		     dflt(j->imds_err.msg, "IMDS did not answer"));
}

/* ---- step 8: the cluster ---------------------------------------------- */

static void step_cluster(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_cluster *c = &f->cluster;

	if (!c->known) {
		why(s, BOOT_UNKNOWN, "%s",
		    dflt(c->err.msg, "not checked yet"));
		return;
	}
	if (!c->reachable) {
		why(s, BOOT_TODO, "%s", c->err.msg);
		cmd(s, BOOT_ACT_NONE, "kubectl get nodes");
		return;
	}
	if (!c->admin_known) {
		why(s, BOOT_UNKNOWN,
		    "cannot tell whether you are cluster "
		    "admin: %s",
		    dflt(c->admin_err.msg, "not asked"));
		return;
	}
	if (!c->admin) {
		if (c->admin_err.msg[0])
			why(s, BOOT_TODO, "not cluster admin: %s",
			    c->admin_err.msg);
		else
			why(s, BOOT_TODO,
			    "not cluster admin: the server says "
			    "you may not do everything%s%s",
			    c->admin_reason[0] ? ": " : "", c->admin_reason);
		note(s, "sign in as a member of the cluster's admin group");
		return;
	}
	if (!c->nodes_known) {
		why(s, BOOT_UNKNOWN, "cannot list the nodes: %s",
		    dflt(c->nodes_err.msg, "not read yet"));
		return;
	}
	if (c->ready < c->nodes || !c->nodes) {
		why(s, BOOT_TODO, "%zu/%zu nodes Ready (not: %s)", c->ready,
		    c->nodes, dflt(c->first_not_ready, "none listed"));
		return;
	}
	why(s, BOOT_DONE,
	    "Kubernetes %s answers, you are cluster admin, "
	    "%zu/%zu nodes Ready",
	    c->version, c->ready, c->nodes);
}

/* ---- steps 9 and 10: Flux --------------------------------------------- */

static void step_flux(const struct boot_facts *f, struct boot_step *s)
{
	const struct boot_flux *x = &f->flux;
	char d[1100];

	dir_arg(&f->ctx, d, sizeof(d));
	if (x->install_running) {
		why(s, BOOT_RUNNING, "installing Flux");
		return;
	}
	if (!x->crds_known) {
		why(s, BOOT_UNKNOWN, "cannot list the CRDs: %s",
		    dflt(x->crds_err.msg, "not read yet"));
		return;
	}
	if (!x->controllers_known) {
		why(s, BOOT_UNKNOWN, "cannot read the controllers: %s",
		    dflt(x->controllers_err.msg, "not read yet"));
		return;
	}
	if (!x->crds && !x->controllers) {
		why(s, BOOT_TODO, "Flux is not installed");
		cmd(s, BOOT_ACT_INSTALL_FLUX, "jumpdeck bootstrap-flux%s", d);
		return;
	}
	if (x->missing) {
		why(s, BOOT_TODO, "%zu of %zu Flux CRDs are missing (%s)",
		    x->missing, x->crds, x->first_waiting_crd);
		cmd(s, BOOT_ACT_INSTALL_FLUX, "jumpdeck bootstrap-flux%s", d);
		return;
	}
	if (x->established < x->crds) {
		why(s, BOOT_RUNNING,
		    "%zu/%zu Flux CRDs Established (waiting: "
		    "%s)",
		    x->established, x->crds, x->first_waiting_crd);
		return;
	}
	if (!x->have_source_controller || !x->have_kustomize_controller) {
		why(s, BOOT_TODO, "%s is missing",
		    !x->have_source_controller ? "source-controller"
					       : "kustomize-controller");
		cmd(s, BOOT_ACT_INSTALL_FLUX, "jumpdeck bootstrap-flux%s", d);
		return;
	}
	if (x->available < x->controllers) {
		why(s, BOOT_RUNNING, "waiting for %s to become Available%s%s",
		    x->first_unavailable, x->unavailable_why[0] ? ": " : "",
		    x->unavailable_why);
		return;
	}
	why(s, BOOT_DONE,
	    "%zu Flux CRDs Established, %zu/%zu controllers "
	    "Available",
	    x->crds, x->available, x->controllers);
}

static void step_synced(const struct boot_facts *f, struct boot_step *s,
			const struct boot_step *installed)
{
	const struct boot_flux *x = &f->flux;
	const char *fork = f->repo.sync_url;
	char d[1100];

	dir_arg(&f->ctx, d, sizeof(d));
	if (installed->state != BOOT_DONE) {
		why(s,
		    installed->state == BOOT_UNKNOWN ? BOOT_UNKNOWN
						     : BOOT_TODO,
		    "Flux is not installed and running yet (step 9)");
		return;
	}
	if (!x->objects_known) {
		why(s, BOOT_UNKNOWN, "cannot read Flux's objects: %s",
		    dflt(x->objects_err.msg, "not read yet"));
		return;
	}
	if (!x->have_repo) {
		why(s, BOOT_TODO, "no GitRepository flux-system/flux-system");
		cmd(s, BOOT_ACT_INSTALL_FLUX, "jumpdeck bootstrap-flux%s", d);
		return;
	}
	if (strstr(x->repo_url, MANIFESTS_ACCOUNT_PLACEHOLDER) ||
	    (fork[0] && !strstr(fork, MANIFESTS_ACCOUNT_PLACEHOLDER) &&
	     strcmp(fork, x->repo_url) != 0)) {
		why(s, BOOT_TODO, "GitRepository %s follows %s, not your fork",
		    x->repo_name, x->repo_url);
		if (fork[0])
			note(s, "your clone's gotk-sync.yaml says %s", fork);
		cmd(s, BOOT_ACT_INSTALL_FLUX, "jumpdeck bootstrap-flux%s", d);
		return;
	}
	if (!x->repo_ready) {
		why(s, BOOT_TODO, "GitRepository %s is not Ready: %s",
		    x->repo_name, dflt(x->repo_message, "no status yet"));
		cmd(s, BOOT_ACT_RECONCILE,
		    "jumpdeck reconcile ks flux-system --with-source");
		return;
	}
	if (x->ks_ready < x->ks) {
		why(s, BOOT_TODO, "%zu/%zu kustomizations Ready (%s: %s)",
		    x->ks_ready, x->ks, x->first_failing_ks,
		    dflt(x->ks_message, "not Ready"));
		cmd(s, BOOT_ACT_RECONCILE,
		    "jumpdeck reconcile ks flux-system --with-source");
		return;
	}
	if (x->health_known && !x->health_ok) {
		why(s, BOOT_TODO, "check does not pass: %s", x->health_text);
		cmd(s, BOOT_ACT_NONE, "jumpdeck check");
		return;
	}
	why(s, BOOT_DONE,
	    "GitRepository %s follows %s at %s; %zu/%zu "
	    "kustomizations Ready",
	    x->repo_name, x->repo_url, dflt(x->repo_revision, "?"),
	    x->ks_ready, x->ks);
}

void bootstrap_evaluate(const struct boot_facts *f, struct boot_step *out)
{
	size_t i;

	memset(out, 0, BOOT_NSTEPS * sizeof(*out));
	for (i = 0; i < BOOT_NSTEPS; i++) {
		out[i].id = (enum boot_step_id)i;
		out[i].title = titles[i];
		out[i].pane = panes[i];
	}
	step_quarantine(f, &out[BOOT_QUARANTINE]);
	step_scans(f, &out[BOOT_SCANS]);
	step_promote(f, &out[BOOT_PROMOTE]);
	step_registry(f, &out[BOOT_REGISTRY]);
	step_fork(f, &out[BOOT_FORK]);
	step_pushed(f, &out[BOOT_PUSHED]);
	step_jumpbox(f, &out[BOOT_JUMPBOX]);
	step_cluster(f, &out[BOOT_CLUSTER]);
	step_flux(f, &out[BOOT_FLUX]);
	step_synced(f, &out[BOOT_SYNCED], &out[BOOT_FLUX]);
}

size_t bootstrap_first_open(const struct boot_step *v)
{
	size_t i;

	for (i = 0; i < BOOT_NSTEPS; i++)
		if (v[i].state != BOOT_DONE)
			return i;
	return BOOT_NSTEPS;
}

size_t bootstrap_done_count(const struct boot_step *v)
{
	size_t i, n = 0;

	for (i = 0; i < BOOT_NSTEPS; i++)
		n += v[i].state == BOOT_DONE;
	return n;
}
