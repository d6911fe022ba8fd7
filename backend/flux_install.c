/* flux_install.c - Flux bootstrapped from a clone's flux-system folder by
 * server-side apply: split the manifests (libyaml), render the
 * kustomization (kubectl kustomize), discover each kind's resource, apply
 * only what a server-side dry run shows would change, and wait for the
 * CRDs and source-controller. Not the Flux model, not the checks. */
#include "flux_install.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "json.h"
#include "manifests.h"
#include "proc.h"
#include "strbuf.h"
#include "xalloc.h"

#define POLL_CRD_MS    500L
#define POLL_DEPLOY_MS 1000L
#define MAX_RENDER     (32UL * 1024 * 1024)
#define MAX_FILE       (8UL * 1024 * 1024)

/* ---- splitting a stream ----------------------------------------------- */

void fi_objects_free(struct fi_object **v, size_t n)
{
	size_t i;

	if (!*v)
		return;
	for (i = 0; i < n; i++) {
		free((*v)[i].api_version);
		free((*v)[i].kind);
		free((*v)[i].name);
		free((*v)[i].namespace);
		free((*v)[i].yaml);
	}
	free(*v);
	*v = NULL;
}

static yaml_node_t *ymap_get(yaml_document_t *d, yaml_node_t *map,
			     const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;
	size_t kl = strlen(key);

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(d, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == kl &&
		    memcmp(k->data.scalar.value, key, kl) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static char *yscalar(yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return NULL;
	return xstrndup((const char *)n->data.scalar.value,
			n->data.scalar.length);
}

int fi_split(const char *name, const char *buf, size_t len,
	     struct fi_object **v, size_t *n, struct err *e)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	size_t cap = *n, start;
	int rc = 0;

	rc = manifests_check_yaml(name, buf, len, e);
	if (rc < 0)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return err_set(e, ERR_INTERNAL,
			       "cannot start the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root, *md;
		struct fi_object o;

		if (!yaml_parser_load(&parser, &doc)) {
			rc = err_set(e, ERR_PARSE, "%s:%zu:%zu: %s", name,
				     parser.problem_mark.line + 1,
				     parser.problem_mark.column + 1,
				     parser.problem ? parser.problem
						    : "invalid YAML");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) { /* the end of the stream */
			yaml_document_delete(&doc);
			break;
		}
		start = doc.start_mark.index;
		if (root->type == YAML_SCALAR_NODE &&
		    root->data.scalar.length == 0) {
			yaml_document_delete(&doc); /* an empty document */
			continue;
		}
		memset(&o, 0, sizeof(o));
		md = ymap_get(&doc, root, "metadata");
		o.api_version = yscalar(ymap_get(&doc, root, "apiVersion"));
		o.kind = yscalar(ymap_get(&doc, root, "kind"));
		o.name = yscalar(ymap_get(&doc, md, "name"));
		o.namespace = yscalar(ymap_get(&doc, md, "namespace"));
		if (!o.namespace)
			o.namespace = xstrdup("");
		o.line = root->start_mark.line + 1;
		if (doc.end_mark.index > start && doc.end_mark.index <= len)
			o.yaml =
			    xstrndup(buf + start, doc.end_mark.index - start);
		yaml_document_delete(&doc);
		if (!o.api_version || !o.kind || !o.name || !o.yaml) {
			rc = err_set(e, ERR_PARSE,
				     "%s:%zu: not a Kubernetes object "
				     "(apiVersion, kind and metadata.name "
				     "are needed)",
				     name, o.line);
			free(o.api_version);
			free(o.kind);
			free(o.name);
			free(o.namespace);
			free(o.yaml);
			break;
		}
		if (strcmp(o.kind, "List") == 0 ||
		    *n >= FLUX_INSTALL_MAX_OBJECTS) {
			rc = err_set(e, ERR_PARSE, "%s:%zu: %s", name, o.line,
				     *n >= FLUX_INSTALL_MAX_OBJECTS
					 ? "too many objects"
					 : "a List is not supported; give "
					   "its items as documents");
			free(o.api_version);
			free(o.kind);
			free(o.name);
			free(o.namespace);
			free(o.yaml);
			break;
		}
		*v = xgrow(*v, &cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = o;
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* ---- the install ------------------------------------------------------ */

enum fi_phase {
	PH_RENDER,   /* kubectl kustomize running */
	PH_CRDS,     /* applying gotk-crds.yaml */
	PH_WAIT_CRD, /* every CRD Established */
	PH_REST,     /* the rest of flux-system */
	PH_WAIT_SC,  /* source-controller Available */
	PH_DONE,
};

/* Per object: discover, read, dry-run, apply. */
enum fi_obj_step { OS_DISCOVER, OS_GET, OS_DRY, OS_APPLY };

struct gv_cache {
	char *gv;
	cJSON *resources; /* the APIResourceList, or NULL: not served */
};

struct flux_install {
	struct kube_client *kc;
	struct loop *loop;
	struct change *ch;
	flux_install_progress_fn progress;
	flux_install_done_fn done;
	void *ud;
	char *flux_dir; /* .../cluster-manifests/flux-system */
	char *kubectl;
	long crd_ms, ready_ms;
	enum fi_phase phase;
	struct proc *proc;
	struct kube_call *call;
	unsigned timer;
	long long wait_start;

	struct fi_object *crds, *rest;
	size_t ncrds, nrest;
	size_t i; /* the object being applied in this phase */
	enum fi_obj_step os;
	cJSON *current; /* the object as the cluster has it, or NULL */
	char *path;	/* its URL path */
	int exists;

	struct gv_cache *gvs;
	size_t ngvs, capgvs;

	size_t created, configured, unchanged;
	size_t crd_wait_i, established;
	char sc_ns[128];
	char text[600];
};

static void advance(struct flux_install *fi);

static void say(struct flux_install *fi, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(struct flux_install *fi, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fi->text, sizeof(fi->text), fmt, ap);
	va_end(ap);
	change_progress(fi->ch, fi->text);
	if (fi->progress)
		fi->progress(fi->text, fi->ud);
}

static void fi_free(struct flux_install *fi)
{
	size_t i;

	if (fi->call)
		kube_call_cancel(fi->call);
	proc_cancel(fi->proc);
	if (fi->timer)
		loop_timer_cancel(fi->loop, fi->timer);
	fi_objects_free(&fi->crds, fi->ncrds);
	fi_objects_free(&fi->rest, fi->nrest);
	for (i = 0; i < fi->ngvs; i++) {
		free(fi->gvs[i].gv);
		cJSON_Delete(fi->gvs[i].resources);
	}
	free(fi->gvs);
	cJSON_Delete(fi->current);
	free(fi->path);
	free(fi->flux_dir);
	free(fi->kubectl);
	free(fi);
}

static void finish(struct flux_install *fi, int ok, const struct err *why)
{
	struct flux_install_result r;
	char summary[300];
	struct err audit;

	memset(&r, 0, sizeof(r));
	fi->phase = PH_DONE;
	r.ok = ok;
	r.created = fi->created;
	r.configured = fi->configured;
	r.unchanged = fi->unchanged;
	r.changed = fi->created + fi->configured > 0;
	if (!ok && why)
		r.err = *why;
	if (r.changed)
		snprintf(summary, sizeof(summary),
			 "created %zu, configured %zu, unchanged %zu",
			 fi->created, fi->configured, fi->unchanged);
	else
		snprintf(summary, sizeof(summary),
			 "nothing to change: Flux is installed as the clone "
			 "says (%zu objects unchanged)",
			 fi->unchanged);
	r.summary = summary;
	err_clear(&audit);
	if (change_end(fi->ch, ok, ok ? summary : r.err.msg, &audit) < 0 &&
	    ok) {
		r.ok = 0;
		r.err = audit;
	}
	fi->done(&r, fi->ud);
	fi_free(fi);
}

static void fail(struct flux_install *fi, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct flux_install *fi, int code, const char *fmt, ...)
{
	struct err e;
	va_list ap;

	va_start(ap, fmt);
	e.code = code;
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	finish(fi, 0, &e);
}

/* ---- reading the folder ----------------------------------------------- */

static int split_file(const char *path, const char *rel, struct fi_object **v,
		      size_t *n, struct err *e)
{
	struct strbuf b = {0};
	int rc = strbuf_read_file(&b, path, MAX_FILE);

	if (rc == EFBIG)
		return err_set(e, ERR_IO, "%s is larger than %lu bytes", path,
			       MAX_FILE);
	if (rc)
		return err_set(e, ERR_IO, "cannot read %s: %s", path,
			       strerror(rc));
	rc = fi_split(rel, strbuf_str(&b), b.len, v, n, e);
	strbuf_free(&b);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* No kustomization: every *.yaml and *.yml but the CRDs, by name. */
static int read_plain(struct flux_install *fi, struct err *e)
{
	DIR *d = opendir(fi->flux_dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d)
		return err_set(e, ERR_IO, "cannot read %s", fi->flux_dir);
	for (;;) {
		size_t l;

		de = readdir(d);
		if (!de)
			break;
		l = strlen(de->d_name);
		if (strcmp(de->d_name, "gotk-crds.yaml") == 0 ||
		    !((l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) ||
		      (l > 4 && strcmp(de->d_name + l - 4, ".yml") == 0)))
			continue;
		if (n >= 512)
			break;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n && rc == 0; i++) {
		char *p = xasprintf("%s/%s", fi->flux_dir, names[i]);
		char *rel = xasprintf("flux-system/%s", names[i]);

		rc = split_file(p, rel, &fi->rest, &fi->nrest, e);
		free(p);
		free(rel);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int same_object(const struct fi_object *a, const struct fi_object *b)
{
	return strcmp(a->api_version, b->api_version) == 0 &&
	       strcmp(a->kind, b->kind) == 0 &&
	       strcmp(a->name, b->name) == 0 &&
	       strcmp(a->namespace, b->namespace) == 0;
}

static int rank(const struct fi_object *o)
{
	if (strcmp(o->kind, "Namespace") == 0)
		return 0;
	if (strcmp(o->kind, "CustomResourceDefinition") == 0)
		return 1;
	return 2;
}

static void fi_object_clear(struct fi_object *o)
{
	free(o->api_version);
	free(o->kind);
	free(o->name);
	free(o->namespace);
	free(o->yaml);
	memset(o, 0, sizeof(*o));
}

/* The rest: without what gotk-crds.yaml already applied, Namespaces and
 * CRDs first, otherwise in the order given. */
static void order_rest(struct flux_install *fi)
{
	struct fi_object *v = xcalloc(fi->nrest + 1, sizeof(*v));
	size_t i, j, n = 0, kept = 0;
	int r;

	for (i = 0; i < fi->nrest; i++) {
		int dup = 0;

		for (j = 0; j < fi->ncrds && !dup; j++)
			dup = same_object(&fi->rest[i], &fi->crds[j]);
		if (dup)
			fi_object_clear(&fi->rest[i]);
		else
			fi->rest[kept++] = fi->rest[i];
	}
	for (r = 0; r <= 2; r++)
		for (i = 0; i < kept; i++)
			if (rank(&fi->rest[i]) == r)
				v[n++] = fi->rest[i];
	free(fi->rest);
	fi->rest = v;
	fi->nrest = n;
}

static void start_objects(struct flux_install *fi, enum fi_phase ph)
{
	fi->phase = ph;
	fi->i = 0;
	fi->os = OS_DISCOVER;
	advance(fi);
}

static void on_render(const struct proc_result *r, void *ud)
{
	struct flux_install *fi = ud;
	struct err e;

	fi->proc = NULL;
	err_clear(&e);
	if (r->err.code || r->exit_code != 0) {
		const char *s = r->err_len ? r->errout : r->out;
		size_t n = strcspn(s, "\n");

		fail(fi, ERR_IO, "kubectl kustomize %s failed: %.*s",
		     fi->flux_dir, (int)(n > 300 ? 300 : n),
		     r->err.code ? r->err.msg : s);
		return;
	}
	if (fi_split("kubectl kustomize flux-system", r->out, r->out_len,
		     &fi->rest, &fi->nrest, &e) < 0) {
		finish(fi, 0, &e);
		return;
	}
	order_rest(fi);
	say(fi, "applying %zu CRDs from flux-system/gotk-crds.yaml",
	    fi->ncrds);
	start_objects(fi, PH_CRDS);
}

/* ---- discovery and the object's URL ----------------------------------- */

static struct gv_cache *gv_find(struct flux_install *fi, const char *gv)
{
	size_t i;

	for (i = 0; i < fi->ngvs; i++)
		if (strcmp(fi->gvs[i].gv, gv) == 0)
			return &fi->gvs[i];
	return NULL;
}

static struct fi_object *cur_obj(struct flux_install *fi)
{
	if (fi->phase == PH_CRDS)
		return fi->i < fi->ncrds ? &fi->crds[fi->i] : NULL;
	return fi->i < fi->nrest ? &fi->rest[fi->i] : NULL;
}

/* The object's path from discovery; 0, or -1 after failing the install. */
static int object_path(struct flux_install *fi, struct fi_object *o)
{
	struct gv_cache *g = gv_find(fi, o->api_version);
	const cJSON *res, *r;
	const char *plural = NULL;
	int namespaced = 0;
	char ns[300], name[300];
	const char *dns;

	res = g ? json_get(g->resources, "resources") : NULL;
	cJSON_ArrayForEach(r, res)
	{
		const char *k = json_str(r, "kind");
		const char *nm = json_str(r, "name");

		/* "deployments/scale" and the like are subresources. */
		if (k && nm && strcmp(k, o->kind) == 0 && !strchr(nm, '/')) {
			plural = nm;
			namespaced = cJSON_IsTrue(json_get(r, "namespaced"));
			break;
		}
	}
	if (!plural) {
		fail(fi, ERR_NOTFOUND,
		     "the cluster does not serve %s %s (for %s %s)",
		     o->api_version, o->kind, o->kind, o->name);
		return -1;
	}
	dns = kube_client_conn(fi->kc)->namespace;
	kube_escape(ns, sizeof(ns),
		    o->namespace[0] ? o->namespace
				    : (dns && dns[0] ? dns : "default"));
	kube_escape(name, sizeof(name), o->name);
	free(fi->path);
	fi->path = xasprintf("/%s/%s%s%s/%s/%s",
			     strchr(o->api_version, '/') ? "apis" : "api",
			     o->api_version, namespaced ? "/namespaces/" : "",
			     namespaced ? ns : "", plural, name);
	return 0;
}

/* ---- comparing -------------------------------------------------------- */

/* Only what the apply is about: no status, no server bookkeeping. */
static void strip(cJSON *o)
{
	static const char *const meta[] = {"resourceVersion",
					   "generation",
					   "managedFields",
					   "creationTimestamp",
					   "uid",
					   "selfLink",
					   NULL};
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	size_t i;

	cJSON_DeleteItemFromObjectCaseSensitive(o, "status");
	for (i = 0; meta[i]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(md, meta[i]);
}

static int differs(const cJSON *current, cJSON *dry)
{
	cJSON *a = cJSON_Duplicate(current, 1);
	int d;

	strip(a);
	strip(dry);
	d = !cJSON_Compare(a, dry, 1);
	cJSON_Delete(a);
	return d;
}

/* ---- the object steps ------------------------------------------------- */

static void on_obj(struct kube_result *r, void *ud)
{
	struct flux_install *fi = ud;
	struct fi_object *o = cur_obj(fi);
	struct gv_cache *g;

	fi->call = NULL;
	switch (fi->os) {
	case OS_DISCOVER:
		if (!r->ok && r->status != 404) {
			fail(fi, r->err.code ? r->err.code : ERR_HTTP,
			     "discovery of %s: %s", o->api_version,
			     r->err.msg);
			return;
		}
		fi->gvs = xgrow(fi->gvs, &fi->capgvs, fi->ngvs + 1,
				sizeof(*fi->gvs));
		g = &fi->gvs[fi->ngvs++];
		g->gv = xstrdup(o->api_version);
		g->resources = r->ok ? r->json : NULL;
		r->json = NULL;
		break;
	case OS_GET:
		cJSON_Delete(fi->current);
		fi->current = NULL;
		if (r->ok) {
			fi->current = r->json;
			r->json = NULL;
			fi->exists = 1;
		} else if (r->status == 404) {
			fi->exists = 0;
		} else {
			fail(fi, r->err.code ? r->err.code : ERR_HTTP,
			     "cannot read %s %s: %s", o->kind, o->name,
			     r->err.msg);
			return;
		}
		break;
	case OS_DRY:
		if (!r->ok) {
			fail(fi, r->err.code ? r->err.code : ERR_HTTP,
			     "%s %s%s%s (line %zu): %s", o->kind, o->namespace,
			     o->namespace[0] ? "/" : "", o->name, o->line,
			     r->err.msg);
			return;
		}
		if (fi->exists && !differs(fi->current, r->json)) {
			fi->unchanged++;
			fi->i++;
			fi->os = OS_DISCOVER;
			advance(fi);
			return;
		}
		break;
	case OS_APPLY:
		if (!r->ok) {
			fail(fi, r->err.code ? r->err.code : ERR_HTTP,
			     "applying %s %s: %s", o->kind, o->name,
			     r->err.msg);
			return;
		}
		if (fi->exists)
			fi->configured++;
		else
			fi->created++;
		say(fi, "%s %s%s%s %s", o->kind, o->namespace,
		    o->namespace[0] ? "/" : "", o->name,
		    fi->exists ? "configured" : "created");
		fi->i++;
		fi->os = OS_DISCOVER;
		advance(fi);
		return;
	}
	fi->os++;
	advance(fi);
}

static void object_step(struct flux_install *fi, struct fi_object *o)
{
	char *p;

	switch (fi->os) {
	case OS_DISCOVER:
		if (gv_find(fi, o->api_version)) {
			fi->os = OS_GET;
			object_step(fi, o);
			return;
		}
		p = xasprintf("/%s/%s",
			      strchr(o->api_version, '/') ? "apis" : "api",
			      o->api_version);
		fi->call =
		    kube_request(fi->kc, "GET", p, NULL, NULL, on_obj, fi);
		free(p);
		return;
	case OS_GET:
		if (object_path(fi, o) < 0)
			return;
		fi->call = kube_request(fi->kc, "GET", fi->path, NULL, NULL,
					on_obj, fi);
		return;
	case OS_DRY:
	case OS_APPLY:
		p = xasprintf("%s?fieldManager=" FLUX_INSTALL_MANAGER
			      "&force=true%s",
			      fi->path, fi->os == OS_DRY ? "&dryRun=All" : "");
		fi->call = kube_request(fi->kc, "PATCH", p,
					"application/apply-patch+yaml",
					o->yaml, on_obj, fi);
		free(p);
		return;
	}
}

/* ---- waiting ---------------------------------------------------------- */

static int condition_true(const cJSON *obj, const char *type,
			  const char **message)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_path(obj, "status.conditions"))
	{
		const char *t = json_str(c, "type");
		const char *s = json_str(c, "status");
		const char *m = json_str(c, "message");

		if (!t || strcmp(t, type) != 0)
			continue;
		if (message && m)
			*message = m;
		return s && strcmp(s, "True") == 0;
	}
	return 0;
}

static void on_poll_timer(void *ud)
{
	struct flux_install *fi = ud;

	fi->timer = 0;
	advance(fi);
}

static void poll_later(struct flux_install *fi, long ms)
{
	fi->timer = loop_timer_add(fi->loop, ms, on_poll_timer, fi);
}

static long long waited_ms(const struct flux_install *fi)
{
	return loop_now_ms() - fi->wait_start;
}

static void on_crd(struct kube_result *r, void *ud)
{
	struct flux_install *fi = ud;
	struct fi_object *o = &fi->crds[fi->crd_wait_i];

	fi->call = NULL;
	if (r->ok && condition_true(r->json, "Established", NULL)) {
		fi->established++;
		fi->crd_wait_i++;
		advance(fi);
		return;
	}
	if (waited_ms(fi) > fi->crd_ms) {
		fail(fi, ERR_TIMEOUT,
		     "CRD %s did not become Established in %ld s%s%s", o->name,
		     fi->crd_ms / 1000, r->ok ? "" : ": ",
		     r->ok ? "" : r->err.msg);
		return;
	}
	say(fi, "waiting for the CRDs to be Established: %zu/%zu (%lld s)",
	    fi->established, fi->ncrds, waited_ms(fi) / 1000);
	poll_later(fi, POLL_CRD_MS);
}

static void wait_crds(struct flux_install *fi)
{
	char name[300], *p;

	while (fi->crd_wait_i < fi->ncrds &&
	       strcmp(fi->crds[fi->crd_wait_i].kind,
		      "CustomResourceDefinition") != 0)
		fi->crd_wait_i++;
	if (fi->crd_wait_i >= fi->ncrds) {
		say(fi,
		    "%zu CRDs Established; applying the rest of "
		    "flux-system (%zu objects)",
		    fi->established, fi->nrest);
		start_objects(fi, PH_REST);
		return;
	}
	kube_escape(name, sizeof(name), fi->crds[fi->crd_wait_i].name);
	p = xasprintf("/apis/apiextensions.k8s.io/v1/"
		      "customresourcedefinitions/%s",
		      name);
	fi->call = kube_request(fi->kc, "GET", p, NULL, NULL, on_crd, fi);
	free(p);
}

/* A replica count as the server gave it, else fallback (also for a
 * number no Deployment can have). */
static int replicas(const cJSON *obj, const char *path, int fallback)
{
	double v = json_path_num(obj, path, fallback);

	return v >= 0 && v <= 100000 ? (int)v : fallback;
}

static void on_deploy(struct kube_result *r, void *ud)
{
	struct flux_install *fi = ud;
	const char *msg = NULL;
	int ready = 0, want = 1;

	fi->call = NULL;
	if (r->ok && condition_true(r->json, "Available", &msg)) {
		say(fi, "source-controller is Available");
		finish(fi, 1, NULL);
		return;
	}
	if (r->ok) {
		ready = replicas(r->json, "status.readyReplicas", 0);
		want = replicas(r->json, "spec.replicas", 1);
	}
	if (waited_ms(fi) > fi->ready_ms) {
		fail(fi, ERR_TIMEOUT,
		     "source-controller did not become Available in %ld s "
		     "(%d/%d ready)%s%s",
		     fi->ready_ms / 1000, ready, want,
		     msg || !r->ok ? ": " : "",
		     msg ? msg : (r->ok ? "" : r->err.msg));
		return;
	}
	say(fi,
	    "waiting for source-controller to become Available: %d/%d "
	    "ready (%lld s)",
	    ready, want, waited_ms(fi) / 1000);
	poll_later(fi, POLL_DEPLOY_MS);
}

static void wait_source_controller(struct flux_install *fi)
{
	char *p;

	p = xasprintf("/apis/apps/v1/namespaces/%s/deployments/"
		      "source-controller",
		      fi->sc_ns);
	fi->call = kube_request(fi->kc, "GET", p, NULL, NULL, on_deploy, fi);
	free(p);
}

static void advance(struct flux_install *fi)
{
	struct fi_object *o;
	size_t i;

	switch (fi->phase) {
	case PH_CRDS:
	case PH_REST:
		o = cur_obj(fi);
		if (o) {
			object_step(fi, o);
			return;
		}
		fi->wait_start = loop_now_ms();
		if (fi->phase == PH_CRDS) {
			fi->phase = PH_WAIT_CRD;
			fi->crd_wait_i = 0;
			fi->established = 0;
			wait_crds(fi);
			return;
		}
		fi->phase = PH_WAIT_SC;
		snprintf(fi->sc_ns, sizeof(fi->sc_ns), "flux-system");
		for (i = 0; i < fi->nrest; i++)
			if (strcmp(fi->rest[i].kind, "Deployment") == 0 &&
			    strcmp(fi->rest[i].name, "source-controller") ==
				0 &&
			    fi->rest[i].namespace[0])
				snprintf(fi->sc_ns, sizeof(fi->sc_ns), "%s",
					 fi->rest[i].namespace);
		wait_source_controller(fi);
		return;
	case PH_WAIT_CRD:
		wait_crds(fi);
		return;
	case PH_WAIT_SC:
		wait_source_controller(fi);
		return;
	default:
		return;
	}
}

/* ---- start ------------------------------------------------------------ */

static void on_start(void *ud)
{
	struct flux_install *fi = ud;
	struct err e;
	struct stat st;
	char *crds, *kz;

	fi->timer = 0;
	err_clear(&e);
	crds = xasprintf("%s/gotk-crds.yaml", fi->flux_dir);
	kz = xasprintf("%s/kustomization.yaml", fi->flux_dir);
	if (split_file(crds, "flux-system/gotk-crds.yaml", &fi->crds,
		       &fi->ncrds, &e) < 0) {
		free(crds);
		free(kz);
		finish(fi, 0, &e);
		return;
	}
	free(crds);
	if (stat(kz, &st) == 0) {
		const char *argv[] = {fi->kubectl, "kustomize", fi->flux_dir,
				      NULL};
		struct proc_opts po;

		free(kz);
		memset(&po, 0, sizeof(po));
		po.no_tty = 1;
		po.max_output = MAX_RENDER;
		say(fi, "rendering flux-system with kubectl kustomize");
		fi->proc = proc_start_opts(fi->loop, argv, NULL,
					   FLUX_INSTALL_RENDER_MS, &po,
					   on_render, fi, &e);
		if (!fi->proc)
			finish(fi, 0, &e);
		return;
	}
	free(kz);
	if (read_plain(fi, &e) < 0) {
		finish(fi, 0, &e);
		return;
	}
	order_rest(fi);
	say(fi, "applying %zu CRDs from flux-system/gotk-crds.yaml",
	    fi->ncrds);
	start_objects(fi, PH_CRDS);
}

struct flux_install *flux_install_start(struct kube_client *kc,
					struct change *ch,
					const struct flux_install_opts *o,
					flux_install_progress_fn progress,
					flux_install_done_fn done, void *ud)
{
	struct flux_install *fi;
	struct manifests_where w;
	struct err e;

	if (!ch || !change_running(ch))
		return NULL;
	fi = xcalloc(1, sizeof(*fi));
	fi->kc = kc;
	fi->loop = kube_client_loop(kc);
	fi->ch = ch;
	fi->progress = progress;
	fi->done = done;
	fi->ud = ud;
	fi->kubectl = xstrdup(o->kubectl ? o->kubectl : "kubectl");
	fi->crd_ms =
	    o->crd_timeout_ms > 0 ? o->crd_timeout_ms : FLUX_INSTALL_CRD_MS;
	fi->ready_ms = o->ready_timeout_ms > 0 ? o->ready_timeout_ms
					       : FLUX_INSTALL_READY_MS;
	fi->phase = PH_RENDER;
	err_clear(&e);
	if (manifests_locate(o->dir, &w, &e) == 0) {
		fi->flux_dir = xasprintf("%s/flux-system", w.dir);
		manifests_where_clear(&w);
	} else {
		fi->flux_dir = xstrdup(o->dir ? o->dir : ".");
	}
	/* Everything, errors included, is reported from the loop. */
	fi->timer = loop_timer_add(fi->loop, 0, on_start, fi);
	return fi;
}

void flux_install_cancel(struct flux_install *fi)
{
	if (!fi)
		return;
	change_end(fi->ch, 0, "jumpdeck stopped following it", NULL);
	fi_free(fi);
}
