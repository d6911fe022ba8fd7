/* bootstrap_probe.c - reads the world into bootstrap facts, every part at
 * once on the loop: the clone and its remote, the fork's URL, the jump
 * box, the cluster (version, admin review, CRDs), the nodes and Flux.
 * Read-only; bounded by the modules' timeouts. */
#include "bootstrap_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flux_install.h"
#include "git_remote.h"
#include "json.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_CA	 (4UL * 1024 * 1024)
#define MAX_CRDS (16UL * 1024 * 1024) /* gotk-crds.yaml, at most */

/* SelfSubjectAccessReview for every verb on every resource of every
 * group: what cluster-admin is allowed. */
static const char ssar_body[] =
    "{\"apiVersion\":\"authorization.k8s.io/v1\","
    "\"kind\":\"SelfSubjectAccessReview\","
    "\"spec\":{\"resourceAttributes\":{\"verb\":\"*\",\"group\":\"*\","
    "\"resource\":\"*\"}}}";

enum flux_list { FL_DEPLOY, FL_APIS, FL_REPOS, FL_KS, FL_DONE };

struct boot_probe {
	struct loop *loop;
	struct kube_client *kube;
	struct boot_facts *f;
	boot_probe_fn done;
	void *ud;
	int pending;
	unsigned timer;
	char *ca;
	size_t ca_len;
	/* repo */
	struct git_probe *git;
	struct git_remote_call *url_call;
	char **crd_names;
	size_t ncrd_names;
	/* jump box */
	struct jumpbox_check *jb;
	/* cluster */
	struct kube_call *version_call, *ssar_call, *crd_call, *nodes_call;
	/* Flux */
	struct kube_call *flux_call;
	enum flux_list fl;
	const char *src_ver, *ks_ver;
	struct flux_controller *ctl;
	size_t nctl;
	struct flux_object *objs;
	size_t nobjs;
	int objects_failed;
};

static void on_finish(void *ud)
{
	struct boot_probe *p = ud;

	p->timer = 0;
	p->done(p->f, p->ud);
	bootstrap_probe_cancel(p);
}

static void part_done(struct boot_probe *p)
{
	if (--p->pending == 0 && !p->timer)
		p->timer = loop_timer_add(p->loop, 0, on_finish, p);
}

/* ---- the clone -------------------------------------------------------- */

static void on_git(const struct git_state *s, void *ud)
{
	struct boot_probe *p = ud;

	p->git = NULL;
	gitlocal_state_clear(&p->f->repo.git);
	gitlocal_state_copy(&p->f->repo.git, s);
	p->f->repo.git_known = 1;
	part_done(p);
}

static void on_url(const struct git_remote_result *r, void *ud)
{
	struct boot_probe *p = ud;
	struct boot_repo *repo = &p->f->repo;

	p->url_call = NULL;
	repo->url_checked = 1;
	repo->url_ok = r->ok;
	if (r->ok)
		snprintf(repo->url_head, sizeof(repo->url_head), "%s", r->sha);
	else
		repo->url_err = r->err;
	part_done(p);
}

static void expected_crds(struct boot_probe *p, const char *dir)
{
	struct fi_object *v = NULL;
	size_t n = 0, i;
	char *path = xasprintf("%s/" MANIFESTS_CRDS_FILE, dir);
	struct strbuf b = {0};
	int rc = strbuf_read_file(&b, path, MAX_CRDS);
	struct err e;

	free(path);
	if (rc)
		return; /* no list: every CRD found is taken as expected */
	err_clear(&e);
	rc = fi_split(MANIFESTS_CRDS_FILE, strbuf_str(&b), b.len, &v, &n, &e);
	if (rc == 0) {
		p->crd_names = xcalloc(n + 1, sizeof(*p->crd_names));
		for (i = 0; i < n; i++)
			if (strcmp(v[i].kind, "CustomResourceDefinition") == 0)
				p->crd_names[p->ncrd_names++] =
				    xstrdup(v[i].name);
	}
	fi_objects_free(&v, n);
	strbuf_free(&b);
}

static void repo_start(struct boot_probe *p, const struct boot_probe_opts *o)
{
	struct boot_repo *r = &p->f->repo;
	struct manifests_where w;
	struct git_remote_opts go;
	char *url = NULL;
	const char *dir = o->repo_dir && o->repo_dir[0] ? o->repo_dir : ".";

	gitlocal_state_clear(&r->git);
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	if (manifests_locate(dir, &w, &r->err) < 0)
		return;
	r->located = 1;
	r->scanned = manifests_scan_dir(w.dir, &r->scan, &r->scan_err) == 0;
	expected_crds(p, w.dir);
	if (manifests_sync_url(&w, &url, &r->url_err) == 0) {
		snprintf(r->sync_url, sizeof(r->sync_url), "%s", url);
		if (!strstr(url, MANIFESTS_ACCOUNT_PLACEHOLDER)) {
			memset(&go, 0, sizeof(go));
			go.url = url;
			go.ca = (const unsigned char *)p->ca;
			go.ca_len = p->ca_len;
			go.use_agent = 1;
			p->pending++;
			p->url_call = git_remote_head(p->loop, &go, on_url, p,
						      &r->url_err);
			if (!p->url_call) {
				r->url_checked = 1;
				p->pending--;
			}
		}
	}
	free(url);
	p->pending++;
	p->git = gitlocal_probe(p->loop, w.root, on_git, p, &r->git.err);
	if (!p->git) {
		r->git_known = 1;
		p->pending--;
	}
	manifests_where_clear(&w);
}

/* ---- the jump box ----------------------------------------------------- */

static void on_jumpbox(const struct jumpbox_state *s, void *ud)
{
	struct boot_probe *p = ud;

	p->jb = NULL;
	p->f->jb = *s;
	p->f->jumpbox_known = 1;
	part_done(p);
}

/* ---- the cluster ------------------------------------------------------ */

static void on_crds(struct kube_result *r, void *ud)
{
	struct boot_probe *p = ud;
	struct boot_flux *x = &p->f->flux;

	p->crd_call = NULL;
	if (r->ok) {
		bootstrap_facts_crds(p->f, r->json, p->crd_names,
				     p->ncrd_names);
	} else {
		x->crds_known = 0;
		x->crds_err = r->err;
	}
	part_done(p);
}

static void on_ssar(struct kube_result *r, void *ud)
{
	struct boot_probe *p = ud;
	struct boot_cluster *c = &p->f->cluster;
	const char *why;

	p->ssar_call = NULL;
	if (r->ok) {
		c->admin_known = 1;
		c->admin = cJSON_IsTrue(json_path(r->json, "status.allowed"));
		why = json_path_str(r->json, "status.reason");
		if (why)
			snprintf(c->admin_reason, sizeof(c->admin_reason),
				 "%s", why);
	} else if (r->status == 403) {
		/* Not even allowed to ask: not an admin either. */
		c->admin_known = 1;
		c->admin = 0;
		c->admin_err = r->err;
	} else {
		c->admin_err = r->err;
	}
	part_done(p);
}

static void on_version(struct kube_result *r, void *ud)
{
	struct boot_probe *p = ud;
	struct boot_cluster *c = &p->f->cluster;
	const char *v;

	p->version_call = NULL;
	c->known = 1;
	c->reachable = r->ok;
	if (!r->ok) {
		c->err = r->err;
		part_done(p);
		return;
	}
	v = json_str(r->json, "gitVersion");
	snprintf(c->version, sizeof(c->version), "%s", v ? v : "?");
	p->pending += 2;
	p->ssar_call = kube_request(p->kube, "POST",
				    "/apis/authorization.k8s.io/v1/"
				    "selfsubjectaccessreviews",
				    "application/json", ssar_body, on_ssar, p);
	p->crd_call = kube_list(p->kube,
				"/apis/apiextensions.k8s.io/v1/"
				"customresourcedefinitions",
				on_crds, p);
	part_done(p);
}

static void on_nodes(struct kube_result *r, void *ud)
{
	struct boot_probe *p = ud;
	struct boot_cluster *c = &p->f->cluster;
	struct node *v = NULL;
	size_t n = 0;

	p->nodes_call = NULL;
	if (!r->ok) {
		c->nodes_known = 0;
		c->nodes_err = r->err;
	} else if (nodes_from_list_json(r->json, &v, &n, &c->nodes_err) == 0) {
		bootstrap_facts_nodes(p->f, v, n);
		nodes_free(&v, n);
	}
	part_done(p);
}

/* ---- Flux ------------------------------------------------------------- */

static void flux_next(struct boot_probe *p);

static void on_flux(struct kube_result *r, void *ud)
{
	struct boot_probe *p = ud;
	struct boot_flux *x = &p->f->flux;
	struct err e;

	p->flux_call = NULL;
	err_clear(&e);
	switch (p->fl) {
	case FL_DEPLOY:
		if (!r->ok && r->status != 404) {
			x->controllers_err = r->err;
			p->fl = FL_APIS;
			break;
		}
		if (r->ok && flux_controllers_from_list(r->json, &p->ctl,
							&p->nctl, &e) < 0)
			x->controllers_err = e;
		else
			x->controllers_known = 1;
		p->fl = FL_APIS;
		break;
	case FL_APIS:
		if (!r->ok) {
			x->objects_err = r->err;
			p->objects_failed = 1;
			p->fl = FL_DONE;
			break;
		}
		p->src_ver = flux_pick_version_in_list(
		    r->json, "source.toolkit.fluxcd.io");
		p->ks_ver = flux_pick_version_in_list(
		    r->json, "kustomize.toolkit.fluxcd.io");
		p->fl = p->src_ver ? FL_REPOS : p->ks_ver ? FL_KS : FL_DONE;
		break;
	case FL_REPOS:
	case FL_KS:
		if (!r->ok) {
			x->objects_err = r->err;
			p->objects_failed = 1;
			p->fl = FL_DONE;
			break;
		}
		if (flux_objects_append_list(&p->objs, &p->nobjs,
					     p->fl == FL_REPOS
						 ? FLUX_GIT_REPOSITORY
						 : FLUX_KUSTOMIZATION,
					     r->json, &e) < 0) {
			x->objects_err = e;
			p->objects_failed = 1;
		}
		p->fl = p->fl == FL_REPOS && p->ks_ver ? FL_KS : FL_DONE;
		break;
	default:
		break;
	}
	flux_next(p);
}

static void flux_next(struct boot_probe *p)
{
	struct boot_flux *x = &p->f->flux;
	int ctl_known = x->controllers_known;
	struct err ctl_err = x->controllers_err;
	char *path;

	switch (p->fl) {
	case FL_DEPLOY:
		p->flux_call = kube_list(p->kube,
					 "/apis/apps/v1/namespaces/"
					 "flux-system/deployments",
					 on_flux, p);
		return;
	case FL_APIS:
		p->flux_call = kube_request(p->kube, "GET", "/apis", NULL,
					    NULL, on_flux, p);
		return;
	case FL_REPOS:
	case FL_KS:
		path = p->fl == FL_REPOS
			   ? xasprintf("/apis/source.toolkit.fluxcd.io/%s/"
				       "gitrepositories",
				       p->src_ver)
			   : xasprintf("/apis/kustomize.toolkit.fluxcd.io/%s/"
				       "kustomizations",
				       p->ks_ver);
		p->flux_call = kube_list(p->kube, path, on_flux, p);
		free(path);
		return;
	default:
		break;
	}
	/* The fillers reset both parts; keep what failed. */
	if (p->objects_failed) {
		struct err oe = x->objects_err;

		bootstrap_facts_flux(p->f, p->ctl, p->nctl, NULL, 0);
		x->objects_known = 0;
		x->objects_err = oe;
	} else {
		bootstrap_facts_flux(p->f, p->ctl, p->nctl, p->objs, p->nobjs);
	}
	x->controllers_known = ctl_known;
	x->controllers_err = ctl_err;
	part_done(p);
}

/* ---- start and stop --------------------------------------------------- */

/* The CA bundle, when it can be read; else the requests say why TLS
 * failed. */
static void read_ca(struct boot_probe *p, const char *path)
{
	struct strbuf b = {0};

	if (!path || !path[0])
		return;
	if (strbuf_read_file(&b, path, MAX_CA) == 0 && b.len) {
		p->ca_len = b.len;
		p->ca = strbuf_take(&b);
	}
	strbuf_free(&b);
}

static void no_cluster(struct boot_facts *f, const char *why)
{
	f->cluster.known = 0; /* not asked: cannot tell */
	f->cluster.reachable = 0;
	err_set(&f->cluster.err, ERR_USAGE, "%s",
		why && why[0] ? why : "no kubeconfig context");
	f->flux.crds_known = 0;
	f->flux.controllers_known = 0;
	f->flux.objects_known = 0;
	err_set(&f->flux.crds_err, ERR_USAGE, "%s", f->cluster.err.msg);
	f->flux.controllers_err = f->flux.crds_err;
	f->flux.objects_err = f->flux.crds_err;
}

struct boot_probe *bootstrap_probe_start(struct loop *l,
					 const struct boot_probe_opts *o,
					 struct boot_facts *f,
					 boot_probe_fn done, void *ud)
{
	struct boot_probe *p = xcalloc(1, sizeof(*p));
	unsigned parts = o->parts ? o->parts : BOOT_PROBE_ALL;

	p->loop = l;
	p->kube = o->kube;
	p->f = f;
	p->done = done;
	p->ud = ud;
	p->pending = 1; /* held until everything has started */
	read_ca(p, o->ca_bundle);
	if (parts & BOOT_PROBE_REPO)
		repo_start(p, o);
	if (parts & BOOT_PROBE_JUMPBOX) {
		p->pending++;
		p->jb = jumpbox_check(l, &o->jumpbox, on_jumpbox, p);
	}
	if (!p->kube && (parts & (BOOT_PROBE_CLUSTER | BOOT_PROBE_NODES |
				  BOOT_PROBE_FLUX))) {
		no_cluster(f, o->kube_error);
	} else {
		if (parts & BOOT_PROBE_CLUSTER) {
			memset(&f->cluster, 0,
			       offsetof(struct boot_cluster, nodes_known));
			f->flux.crds_known = 0;
			p->pending++;
			p->version_call =
			    kube_request(p->kube, "GET", "/version", NULL,
					 NULL, on_version, p);
		}
		if (parts & BOOT_PROBE_NODES) {
			p->pending++;
			p->nodes_call =
			    kube_list(p->kube, "/api/v1/nodes", on_nodes, p);
		}
		if (parts & BOOT_PROBE_FLUX) {
			f->flux.controllers_known = 0;
			f->flux.objects_known = 0;
			err_clear(&f->flux.controllers_err);
			err_clear(&f->flux.objects_err);
			p->pending++;
			p->fl = FL_DEPLOY;
			flux_next(p);
		}
	}
	part_done(p);
	return p;
}

void bootstrap_probe_cancel(struct boot_probe *p)
{
	size_t i;

	if (!p)
		return;
	gitlocal_probe_cancel(p->git);
	git_remote_cancel(p->url_call);
	jumpbox_cancel(p->jb);
	if (p->version_call)
		kube_call_cancel(p->version_call);
	if (p->ssar_call)
		kube_call_cancel(p->ssar_call);
	if (p->crd_call)
		kube_call_cancel(p->crd_call);
	if (p->nodes_call)
		kube_call_cancel(p->nodes_call);
	if (p->flux_call)
		kube_call_cancel(p->flux_call);
	if (p->timer)
		loop_timer_cancel(p->loop, p->timer);
	for (i = 0; i < p->ncrd_names; i++)
		free(p->crd_names[i]);
	free(p->crd_names);
	flux_controllers_free(&p->ctl, p->nctl);
	flux_objects_free(&p->objs, p->nobjs);
	free(p->ca);
	free(p);
}
