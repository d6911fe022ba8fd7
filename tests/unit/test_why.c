/* test_why.c - unit tests for the why-chain: the readers of inventory
 * ids, health-check messages, selectors, pods, events and logs, and whole
 * chains built by the loader from JSON fixtures (tests/unit/data/why)
 * through a fake fetcher that records every request. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/flux.h"
#include "backend/kube.h"
#include "backend/text.h"
#include "backend/why.h"
#include "backend/why_load.h"

/* 2026-12-07T12:00:00Z */
#define NOW	  ((time_t)1796644800)
#define REG	  "acraksdemo.azurecr.io"
#define FALCO_IMG REG "/live/falcosecurity/falco:0.26.2"

static char *read_file(const char *leaf, size_t *len)
{
	const char *dir = getenv("JD_SRCDIR");
	char path[1024];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/tests/unit/data/why/%s",
		 dir && dir[0] ? dir : ".", leaf);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static cJSON *load_json(const char *leaf)
{
	char *t = read_file(leaf, NULL);
	cJSON *j = cJSON_Parse(t);

	free(t);
	assert_non_null(j);
	return j;
}

/* ---- the fake fetcher ------------------------------------------------------
 */

struct route {
	const char *path; /* exact path with its query */
	long status;
	const char *file; /* answer body, from the fixtures */
};

struct pending {
	char *path;
	int text;
	size_t max;
	why_answer_fn done;
	void *ud;
	int cancelled;
	struct pending *next;
};

/* Answers a path no route names; NULL: 404. */
typedef cJSON *(*gen_fn)(const char *path);

struct fake {
	const struct route *routes;
	gen_fn gen;
	struct pending *head;
	char *log[128];
	size_t nlog;
	size_t unrouted;
	size_t cancels;
};

static void *fake_get(void *fud, const char *path, int text, size_t max,
		      why_answer_fn done, void *ud)
{
	struct fake *f = fud;
	struct pending *p = calloc(1, sizeof(*p)), **pp;

	assert_non_null(p);
	p->path = strdup(path);
	p->text = text;
	p->max = max;
	p->done = done;
	p->ud = ud;
	for (pp = &f->head; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	if (f->nlog < 128)
		f->log[f->nlog++] = strdup(path);
	return p;
}

static void fake_cancel(void *fud, void *handle)
{
	struct fake *f = fud;
	struct pending *p = handle;

	p->cancelled = 1;
	f->cancels++;
}

static const struct route *route_for(struct fake *f, const char *path)
{
	const struct route *r;

	for (r = f->routes; r && r->path; r++)
		if (strcmp(r->path, path) == 0)
			return r;
	return NULL;
}

static void answer_one(struct fake *f, struct pending *p)
{
	const struct route *r = route_for(f, p->path);
	struct why_answer a;
	struct err e;
	cJSON *j = NULL;
	char *body = NULL;
	size_t len = 0;

	memset(&a, 0, sizeof(a));
	err_clear(&e);
	if (!r) {
		j = f->gen ? f->gen(p->path) : NULL;
		if (!j) {
			f->unrouted++;
			a.status = 404;
			a.error = "the server could not find the requested "
				  "resource";
			p->done(&a, p->ud);
			return;
		}
		a.status = 200;
		a.ok = 1;
		a.json = j;
		p->done(&a, p->ud);
		cJSON_Delete(j);
		return;
	}
	body = read_file(r->file, &len);
	a.status = r->status;
	if (r->status >= 200 && r->status < 300) {
		a.ok = 1;
		if (p->text) {
			a.text = body;
			a.text_len = len < p->max ? len : p->max;
			a.text_cut = len > p->max;
		} else {
			j = cJSON_Parse(body);
			assert_non_null(j);
			a.json = j;
		}
	} else {
		/* the real client's sentence for the real Status */
		kube_status_sentence(r->status, body, p->path, &e);
		a.error = e.msg;
	}
	p->done(&a, p->ud);
	cJSON_Delete(j);
	free(body);
}

/* Answer everything, in request order, until nothing is pending. */
static void fake_flush(struct fake *f)
{
	while (f->head) {
		struct pending *p = f->head;

		f->head = p->next;
		if (!p->cancelled)
			answer_one(f, p);
		free(p->path);
		free(p);
	}
}

static void fake_free(struct fake *f)
{
	size_t i;

	fake_flush(f);
	for (i = 0; i < f->nlog; i++)
		free(f->log[i]);
}

static int asked(const struct fake *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->nlog; i++)
		if (strcmp(f->log[i], path) == 0)
			return 1;
	return 0;
}

/* ---- the Flux world --------------------------------------------------------
 */

static cJSON *ks_list, *git_list;
static struct flux_object *objs;
static size_t nobjs;

static int setup(void **state)
{
	struct err e;

	(void)state;
	ks_list = load_json("kustomizations.json");
	git_list = load_json("gitrepositories.json");
	err_clear(&e);
	assert_int_equal(flux_objects_append_list(
			     &objs, &nobjs, FLUX_GIT_REPOSITORY, git_list, &e),
			 0);
	assert_int_equal(flux_objects_append_list(
			     &objs, &nobjs, FLUX_KUSTOMIZATION, ks_list, &e),
			 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	flux_objects_free(&objs, nobjs);
	nobjs = 0;
	cJSON_Delete(ks_list);
	cJSON_Delete(git_list);
	return 0;
}

static const cJSON *find_raw(void *ud, enum flux_kind kind, const char *ns,
			     const char *name)
{
	const cJSON *list = ud				 ? ud
			    : kind == FLUX_KUSTOMIZATION ? ks_list
							 : git_list;
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(list, "items"))
	{
		const cJSON *md = cJSON_GetObjectItem(it, "metadata");

		if (strcmp(cJSON_GetObjectItem(md, "name")->valuestring,
			   name) == 0 &&
		    strcmp(cJSON_GetObjectItem(md, "namespace")->valuestring,
			   ns) == 0)
			return it;
	}
	return NULL;
}

static void on_done(struct why_chain *c, void *ud)
{
	struct why_chain **out = ud;

	assert_null(*out); /* exactly once */
	*out = c;
}

static struct why_chain *run_full(struct fake *f, const char *name,
				  const struct why_limits *lim,
				  const struct flux_object *all, size_t n,
				  cJSON *raw)
{
	struct why_opts o;
	struct why_chain *c = NULL;
	struct why_load *w;

	memset(&o, 0, sizeof(o));
	o.kind = FLUX_KUSTOMIZATION;
	o.ns = "flux-system";
	o.name = name;
	o.all = all;
	o.n = n;
	o.find = find_raw;
	o.find_ud = raw;
	o.fetch.get = fake_get;
	o.fetch.cancel = fake_cancel;
	o.fetch.fud = f;
	o.now = NOW;
	o.limits = lim;
	o.done = on_done;
	o.ud = &c;
	w = why_start(&o);
	if (w)
		fake_flush(f); /* done runs, and the load frees itself */
	assert_non_null(c);
	return c;
}

static struct why_chain *run(struct fake *f, const char *name)
{
	return run_full(f, name, NULL, objs, nobjs, NULL);
}

/* The first link of that kind whose what or why holds s. */
static const struct why_link *find_link(const struct why_chain *c,
					enum why_link_kind kind, const char *s)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->links[i].kind == kind && (strstr(c->links[i].what, s) ||
						 strstr(c->links[i].why, s)))
			return &c->links[i];
	return NULL;
}

static size_t count_kind(const struct why_chain *c, enum why_link_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += c->links[i].kind == kind;
	return n;
}

static int mentions(const struct why_chain *c, const char *s)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strstr(c->links[i].what, s) || strstr(c->links[i].why, s))
			return 1;
	return 0;
}

static void dump(const struct why_chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		print_message("%*s%s%s: %s\n", c->links[i].depth * 2, "",
			      c->links[i].likely ? "=> " : "",
			      c->links[i].what, c->links[i].why);
}

/* ---- the image pipeline, faked -------------------------------------------
 */

static enum why_image_state falco_state = WHY_IMG_QUARANTINED;

static void lookup(const char *image, struct why_image *out, void *ud)
{
	(void)ud;
	memset(out, 0, sizeof(*out));
	if (strcmp(image, FALCO_IMG) != 0) {
		out->state = WHY_IMG_OTHER_REGISTRY;
		snprintf(out->text, sizeof(out->text), "another registry");
		return;
	}
	out->state = falco_state;
	snprintf(out->key, sizeof(out->key), "falcosecurity/falco:0.26.2");
	snprintf(out->text, sizeof(out->text), "state %d", (int)falco_state);
}

/* ---- readers ------------------------------------------------------------ */

static void test_inventory_ids(void **state)
{
	struct why_ref r;

	(void)state;
	assert_int_equal(
	    why_inventory_id("falco-system_falco_apps_DaemonSet", &r), 0);
	assert_string_equal(r.ns, "falco-system");
	assert_string_equal(r.name, "falco");
	assert_string_equal(r.group, "apps");
	assert_string_equal(r.kind, "DaemonSet");
	assert_true(why_is_workload(r.group, r.kind));
	assert_int_equal(why_inventory_id("_falco-system__Namespace", &r), 0);
	assert_string_equal(r.ns, "");
	assert_string_equal(r.group, "");
	assert_string_equal(r.kind, "Namespace");
	assert_false(why_is_workload(r.group, r.kind));
	assert_int_equal(
	    why_inventory_id("a_b_rbac.authorization.k8s.io_Role", &r), 0);
	assert_string_equal(r.group, "rbac.authorization.k8s.io");
	assert_int_equal(why_inventory_id("too_few_parts", &r), -1);
	assert_int_equal(why_inventory_id("a_b_c_d_e", &r), -1);
	assert_int_equal(why_inventory_id("ns__apps_Deployment", &r), -1);
	assert_int_equal(why_inventory_id("ns_name_apps_", &r), -1);
	assert_int_equal(why_inventory_id(NULL, &r), -1);
	/* a core-group workload kind is not an apps workload */
	assert_int_equal(why_inventory_id("x_y__Deployment", &r), 0);
	assert_false(why_is_workload(r.group, r.kind));
}

static void test_health_refs(void **state)
{
	struct why_ref r[8];
	size_t n;

	(void)state;
	/* fluxcd/pkg ssa, with an error text holding ", " */
	n = why_health_refs(
	    "Health check failed after 5m0.01s: timeout waiting for: "
	    "[DaemonSet/falco-system/falco status: 'InProgress', "
	    "Deployment/a0005-i/web status: 'Failed': deadline, exceeded, "
	    "ClusterRole/falco (unknown status), "
	    "HelmRelease/flux-system/podinfo status: 'InProgress']",
	    r, 8);
	assert_int_equal(n, 4);
	assert_string_equal(r[0].kind, "DaemonSet");
	assert_string_equal(r[0].group, "apps");
	assert_string_equal(r[0].ns, "falco-system");
	assert_string_equal(r[0].name, "falco");
	assert_string_equal(r[0].status, "InProgress");
	assert_string_equal(r[1].name, "web");
	assert_string_equal(r[1].status, "Failed");
	assert_string_equal(r[2].kind, "ClusterRole");
	assert_string_equal(r[2].ns, "");
	assert_string_equal(r[2].name, "falco");
	assert_string_equal(r[2].status, "Unknown");
	assert_string_equal(r[3].kind, "HelmRelease");
	assert_false(why_is_workload(r[3].group, r[3].kind));
	/* v0.8 */
	n = why_health_refs("Health check timed out for [Deployment "
			    "'a0005-i/web', DaemonSet 'kured/kured']",
			    r, 8);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].kind, "Deployment");
	assert_string_equal(r[0].ns, "a0005-i");
	assert_string_equal(r[0].name, "web");
	assert_string_equal(r[1].kind, "DaemonSet");
	assert_string_equal(r[1].group, "apps");
	/* v0.7: the resource and group */
	n = why_health_refs("Health check timed out for [deployments.apps "
			    "'keycloak/keycloak-operator']",
			    r, 8);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].kind, "Deployment");
	assert_string_equal(r[0].group, "apps");
	assert_string_equal(r[0].name, "keycloak-operator");
	/* none, and the cap */
	assert_int_equal(why_health_refs("kustomize build failed", r, 8), 0);
	assert_int_equal(why_health_refs(NULL, r, 8), 0);
	n = why_health_refs("timeout waiting for: [Deployment/a/b status: "
			    "'InProgress', Deployment/a/c status: "
			    "'InProgress']",
			    r, 1);
	assert_int_equal(n, 1);
}

static void test_selector(void **state)
{
	cJSON *w = cJSON_Parse(
	    "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\"},"
	    "\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\","
	    "\"values\":[\"a\",\"b\"]},{\"key\":\"x\",\"operator\":"
	    "\"Exists\"},{\"key\":\"y\",\"operator\":\"DoesNotExist\"},"
	    "{\"key\":\"z\",\"operator\":\"NotIn\",\"values\":[\"q\"]}]}}}");
	char buf[256], tiny[8];

	(void)state;
	assert_int_equal(why_selector(w, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "app=web,tier in (a,b),x,!y,z notin (q)");
	assert_int_equal(why_selector(w, tiny, sizeof(tiny)), -1);
	cJSON_Delete(w);
	w = cJSON_Parse("{\"spec\":{}}");
	assert_int_equal(why_selector(w, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	cJSON_Delete(w);
}

static void test_pod_owner(void **state)
{
	cJSON *ds = load_json("daemonsets_falco-system.json");
	cJSON *pods = load_json("pods_falco.json");
	cJSON *deps = load_json("deployments_a0005-i.json");
	cJSON *wpods = load_json("pods_web.json");
	cJSON *falco = cJSON_GetArrayItem(cJSON_GetObjectItem(ds, "items"), 0);
	cJSON *web = cJSON_GetArrayItem(cJSON_GetObjectItem(deps, "items"), 0);
	const cJSON *pi = cJSON_GetObjectItem(pods, "items");
	const cJSON *wi = cJSON_GetObjectItem(wpods, "items");

	(void)state;
	cJSON_AddStringToObject(falco, "kind", "DaemonSet");
	cJSON_AddStringToObject(web, "kind", "Deployment");
	assert_true(why_pod_owned_by(cJSON_GetArrayItem(pi, 0), falco));
	assert_true(why_pod_owned_by(cJSON_GetArrayItem(pi, 2), falco));
	/* same labels, another DaemonSet */
	assert_false(why_pod_owned_by(cJSON_GetArrayItem(pi, 3), falco));
	/* through the ReplicaSet and its hash */
	assert_true(why_pod_owned_by(cJSON_GetArrayItem(wi, 0), web));
	assert_true(why_pod_owned_by(cJSON_GetArrayItem(wi, 1), web));
	/* "web-api-<hash>" belongs to deployment web-api, not web */
	assert_false(why_pod_owned_by(cJSON_GetArrayItem(wi, 2), web));
	assert_false(why_pod_owned_by(cJSON_GetArrayItem(wi, 0), falco));
	cJSON_Delete(ds);
	cJSON_Delete(pods);
	cJSON_Delete(deps);
	cJSON_Delete(wpods);
}

static void test_pod_reading(void **state)
{
	cJSON *pods = load_json("pods_falco.json");
	cJSON *wpods = load_json("pods_web.json");
	cJSON *bpods = load_json("pods_batch.json");
	struct why_pod p;

	(void)state;
	why_pod_of(cJSON_GetArrayItem(cJSON_GetObjectItem(pods, "items"), 0),
		   &p);
	assert_false(p.ready);
	assert_int_equal(p.problem, WHY_P_PULL);
	assert_string_equal(p.reason, "ImagePullBackOff");
	assert_string_equal(p.container, "falco");
	assert_string_equal(p.image, FALCO_IMG);
	assert_string_equal(p.node, "aks-npsystem-26621167-vmss000000");
	assert_non_null(strstr(p.text, "Pending: falco ImagePullBackOff: "
				       "Back-off pulling image"));
	why_pod_of(cJSON_GetArrayItem(cJSON_GetObjectItem(wpods, "items"), 0),
		   &p);
	assert_int_equal(p.problem, WHY_P_CRASH);
	assert_int_equal(p.restarts, 7);
	assert_true(p.has_last);
	assert_string_equal(p.last_reason, "Error");
	assert_int_equal(p.last_exit, 1);
	assert_non_null(strstr(p.text, "CrashLoopBackOff (last exit: Error, "
				       "code 1)"));
	assert_non_null(strstr(p.text, "7 restarts"));
	why_pod_of(cJSON_GetArrayItem(cJSON_GetObjectItem(wpods, "items"), 1),
		   &p);
	assert_true(p.ready);
	why_pod_of(cJSON_GetArrayItem(cJSON_GetObjectItem(bpods, "items"), 0),
		   &p);
	assert_int_equal(p.problem, WHY_P_UNSCHEDULABLE);
	assert_string_equal(p.node, "");
	assert_non_null(strstr(p.text, "Pending: Unschedulable: 0/7 nodes"));
	cJSON_Delete(pods);
	cJSON_Delete(wpods);
	cJSON_Delete(bpods);
}

/* The other reasons a pod is not ready, as the kubelet writes them. */
static void test_pod_kinds(void **state)
{
	cJSON *pods = load_json("pods_kinds.json");
	const cJSON *items = cJSON_GetObjectItem(pods, "items");
	struct why_pod p;

	(void)state;
	/* OOMKilled, restarted into a back-off */
	why_pod_of(cJSON_GetArrayItem(items, 0), &p);
	assert_int_equal(p.problem, WHY_P_CRASH);
	assert_string_equal(p.last_reason, "OOMKilled");
	assert_int_equal(p.last_exit, 137);
	assert_true(p.has_last);
	assert_non_null(strstr(p.text, "Running: app CrashLoopBackOff (last "
				       "exit: OOMKilled, code 137)"));
	assert_non_null(strstr(p.text, "5 restarts"));
	/* a missing Secret */
	why_pod_of(cJSON_GetArrayItem(items, 1), &p);
	assert_int_equal(p.problem, WHY_P_CONFIG);
	assert_string_equal(p.reason, "CreateContainerConfigError");
	assert_non_null(strstr(p.text, "CreateContainerConfigError: secret "
				       "\"db-password\" not found"));
	assert_false(p.has_last);
	/* the init container is named, not the app waiting behind it */
	why_pod_of(cJSON_GetArrayItem(items, 2), &p);
	assert_int_equal(p.problem, WHY_P_CRASH);
	assert_true(p.init);
	assert_string_equal(p.container, "migrate");
	assert_string_equal(p.image, REG "/live/a0005/migrate:2.1");
	assert_non_null(strstr(p.text, "Pending: init container migrate "
				       "CrashLoopBackOff (last exit: Error, "
				       "code 2)"));
	assert_null(strstr(p.text, "PodInitializing"));
	/* evicted: the pod's own reason and message */
	why_pod_of(cJSON_GetArrayItem(items, 3), &p);
	assert_int_equal(p.problem, WHY_P_FAILED);
	assert_string_equal(p.reason, "Evicted");
	assert_non_null(strstr(p.text, "Failed: Evicted"));
	assert_non_null(strstr(p.text, "low on resource: memory"));
	/* running, the readiness probe failing */
	why_pod_of(cJSON_GetArrayItem(items, 4), &p);
	assert_int_equal(p.problem, WHY_P_NOT_READY);
	assert_false(p.ready);
	assert_non_null(strstr(p.text, "Running: app Running, not ready"));
	assert_string_equal(why_problem_name(WHY_P_CONFIG), "configuration");
	cJSON_Delete(pods);
}

/* Rollouts as kstatus reads them: StatefulSets, a progress deadline, a
 * generation the controller has not seen, a ReplicaSet that cannot
 * create pods. */
static void test_rollouts(void **state)
{
	cJSON *list = load_json("workloads_kinds.json");
	const cJSON *items = cJSON_GetObjectItem(list, "items");
	struct why_rollout r;

	(void)state;
	why_rollout_of(cJSON_GetArrayItem(items, 0), &r);
	assert_false(r.healthy);
	assert_int_equal(r.desired, 3);
	assert_int_equal(r.ready, 1);
	assert_string_equal(r.text, "1/3 ready, 1 available, 3 updated");
	why_rollout_of(cJSON_GetArrayItem(items, 1), &r);
	assert_true(r.healthy);
	assert_string_equal(r.text, "2/2 ready, 2 available, 2 updated");
	why_rollout_of(cJSON_GetArrayItem(items, 2), &r);
	assert_false(r.healthy);
	assert_non_null(strstr(r.text, "2/2 ready, 2 available, 1 updated"));
	assert_non_null(strstr(r.text, "ProgressDeadlineExceeded: ReplicaSet "
				       "\"api-7d9c6f5b4\" has timed out"));
	why_rollout_of(cJSON_GetArrayItem(items, 3), &r);
	assert_false(r.healthy);
	assert_false(r.observed);
	assert_non_null(strstr(r.text, "has not seen generation 5 yet"));
	why_rollout_of(cJSON_GetArrayItem(items, 4), &r);
	assert_false(r.healthy);
	assert_non_null(strstr(r.text, "0/2 ready"));
	assert_non_null(strstr(r.text, "FailedCreate: pods \"quota-5c4b3a2d1-"
				       "\" is forbidden: exceeded quota"));
	assert_true(why_is_workload("apps", "StatefulSet"));
	assert_false(why_is_workload("batch", "Job"));
	assert_string_equal(why_workload_plural("StatefulSet"),
			    "statefulsets");
	cJSON_Delete(list);
}

static void test_events_pick(void **state)
{
	cJSON *evs = load_json("events_falco-7xk2p.json");
	struct why_event ev[4];
	size_t n;

	(void)state;
	n = why_events_pick(cJSON_GetObjectItem(evs, "items"), ev, 4);
	/* three Warning "Failed" events, one kept; "BackOff" of a pull is a
	 * Normal event (pkg/kubelet/images/image_manager.go) */
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].reason, "Failed");
	/* the message that says why, not the echo "Error: ..." */
	assert_non_null(strstr(ev[0].message, "Failed to pull image"));
	assert_non_null(strstr(ev[0].message, ": not found"));
	assert_string_equal(ev[0].source, "kubelet");
	assert_int_equal(ev[0].count, 5);
	cJSON_Delete(evs);
	/* newest first, one per reason, and the cap keeps the newest */
	evs = cJSON_Parse(
	    "{\"items\":[{\"type\":\"Warning\",\"reason\":\"A\","
	    "\"message\":\"a\",\"lastTimestamp\":\"2026-12-07T11:00:00Z\"},"
	    "{\"type\":\"Warning\",\"reason\":\"B\",\"message\":\"b\","
	    "\"lastTimestamp\":\"2026-12-07T11:30:00Z\"},{\"type\":"
	    "\"Warning\",\"reason\":\"A\",\"message\":\"a2\","
	    "\"lastTimestamp\":\"2026-12-07T11:40:00Z\"},{\"type\":"
	    "\"Warning\",\"reason\":\"C\",\"message\":\"c\",\"eventTime\":"
	    "\"2026-12-07T11:50:00.000000Z\",\"series\":{\"count\":9}}]}");
	n = why_events_pick(cJSON_GetObjectItem(evs, "items"), ev, 2);
	assert_int_equal(n, 2);
	assert_string_equal(ev[0].reason, "C");
	assert_int_equal(ev[0].count, 9);
	assert_string_equal(ev[1].message, "a2");
	cJSON_Delete(evs);
}

static void test_log_tail(void **state)
{
	size_t len, n, i;
	char *text = read_file("log_web.txt", &len);
	char **lines;

	(void)state;
	n = why_log_tail(text, len, 20, &lines);
	assert_int_equal(n, 5);
	assert_string_equal(lines[0], "starting web 1.0");
	for (i = 0; i < n; i++) {
		/* no ESC, BEL, CR or C1 (U+009B is C2 9B) survives */
		assert_null(strchr(lines[i], 0x1b));
		assert_null(strchr(lines[i], 0x07));
		assert_null(strchr(lines[i], '\r'));
		assert_null(strstr(lines[i], "\xc2\x9b"));
	}
	assert_non_null(strstr(lines[2], "panic: cannot open"));
	why_lines_free(&lines, n);
	assert_null(lines);
	n = why_log_tail(text, len, 2, &lines);
	assert_int_equal(n, 2);
	assert_non_null(strstr(lines[0], "goroutine 1"));
	assert_non_null(strstr(lines[1], "main.main()"));
	why_lines_free(&lines, n);
	assert_int_equal(why_log_tail("", 0, 5, &lines), 0);
	assert_int_equal(why_log_tail("one line, no newline", 20, 5, &lines),
			 1);
	assert_string_equal(lines[0], "one line, no newline");
	why_lines_free(&lines, 1);
	free(text);
}

/* ---- chains ------------------------------------------------------------- */

#define KS_EVENTS(name)                                                       \
	"/api/v1/namespaces/flux-system/events?fieldSelector=involvedObject." \
	"kind%3DKustomization%2CinvolvedObject.name%3D" name                  \
	"%2Ctype%3DWarning&limit=500"
#define EVENTS(ns, kind, name)                                                \
	"/api/v1/namespaces/" ns "/events?fieldSelector=involvedObject.kind%" \
	"3D" kind "%2CinvolvedObject.name%3D" name "%2Ctype%3DWarning"        \
	"&limit=500"

static const struct route falco_routes[] = {
    {"/apis/apps/v1/namespaces/falco-system/daemonsets?limit=500", 200,
     "daemonsets_falco-system.json"},
    {KS_EVENTS("falco-system"), 200, "events_falco-system_ks.json"},
    {"/api/v1/namespaces/falco-system/pods?limit=500&labelSelector=app."
     "kubernetes.io%2Fname%3Dfalco",
     200, "pods_falco.json"},
    {EVENTS("falco-system", "Pod", "falco-7xk2p"), 200,
     "events_falco-7xk2p.json"},
    {EVENTS("falco-system", "DaemonSet", "falco"), 200, "events_empty.json"},
    {NULL, 0, NULL},
};

static void test_chain_falco(void **state)
{
	struct fake f = {.routes = falco_routes};
	struct why_chain *c = run(&f, "falco-system");
	const struct why_link *l, *img, *pod;
	char *js;
	cJSON *doc;

	(void)state;
	dump(c);
	assert_true(c->found);
	assert_false(c->healthy);
	assert_int_equal(f.unrouted, 0);
	assert_int_equal(c->requests, 5);
	assert_int_equal(f.nlog, 5);
	l = &c->links[0];
	assert_int_equal(l->kind, WHY_FLUX);
	assert_string_equal(l->what, "Kustomization flux-system/falco-system");
	assert_non_null(strstr(l->why, "Failed: Health check failed"));
	/* the DaemonSet the health check named */
	l = find_link(c, WHY_WORKLOAD, "DaemonSet falco-system/falco");
	assert_non_null(l);
	assert_int_equal(l->depth, 1);
	assert_non_null(strstr(l->why, "0/3 ready"));
	assert_non_null(strstr(l->why, "InProgress"));
	/* the pod, its reason and where it runs */
	pod = find_link(c, WHY_POD, "falco-7xk2p");
	assert_non_null(pod);
	assert_int_equal(pod->depth, 2);
	assert_non_null(strstr(pod->why, "ImagePullBackOff"));
	assert_int_equal(pod->go, WHY_GOTO_NODE);
	assert_string_equal(pod->target, "aks-npsystem-26621167-vmss000000");
	/* the kubelet's event that says why, not its echo */
	l = find_link(c, WHY_EVENT, "Failed to pull image");
	assert_non_null(l);
	assert_non_null(strstr(l->why, ": not found"));
	assert_null(find_link(c, WHY_EVENT, "Error: ErrImagePull"));
	assert_null(find_link(c, WHY_EVENT, "Back-off pulling"));
	/* the Kustomization's own event repeats its message: left out */
	assert_null(find_link(c, WHY_EVENT, "HealthCheckFailed"));
	/* the other two pods, and not the other DaemonSet's pod */
	l = find_link(c, WHY_PODS, "2 more pods like it");
	assert_non_null(l);
	assert_non_null(strstr(l->why, "falco-b9qzl"));
	assert_false(mentions(c, "falco-old"));
	assert_false(mentions(c, "falco-exporter"));
	/* before the pipeline answers: the pod is the likely cause */
	img = find_link(c, WHY_IMAGE, FALCO_IMG);
	assert_non_null(img);
	assert_true(img->image_pending);
	assert_true(pod->likely);
	/* in quarantine only: the image is, and promoting fixes it */
	falco_state = WHY_IMG_QUARANTINED;
	why_chain_resolve_images(c, lookup, NULL);
	img = find_link(c, WHY_IMAGE, FALCO_IMG);
	pod = find_link(c, WHY_POD, "falco-7xk2p");
	assert_true(img->likely);
	assert_false(pod->likely);
	assert_int_equal(img->fix, WHY_FIX_PROMOTE);
	assert_string_equal(img->fix_text, "promote it");
	assert_string_equal(img->fix_args,
			    "promote falcosecurity/falco:0.26.2");
	assert_int_equal(img->go, WHY_GOTO_IMAGE);
	assert_string_equal(img->target, "falcosecurity/falco:0.26.2");
	assert_ptr_equal(why_chain_likely(c), img);
	/* not imported at all: import, then promote */
	falco_state = WHY_IMG_NOT_IMPORTED;
	why_chain_resolve_images(c, lookup, NULL);
	img = find_link(c, WHY_IMAGE, FALCO_IMG);
	assert_true(img->likely);
	assert_int_equal(img->fix, WHY_FIX_IMPORT);
	/* in quarantine/, and the scan gate keeps it there: promoting
	 * would be refused, so the fix is a fixed image or an override */
	falco_state = WHY_IMG_SCAN_BLOCKED;
	why_chain_resolve_images(c, lookup, NULL);
	img = find_link(c, WHY_IMAGE, FALCO_IMG);
	assert_true(img->likely);
	assert_int_equal(img->severity, WHY_BAD);
	assert_int_equal(img->fix, WHY_FIX_OVERRIDE);
	assert_string_equal(why_fix_name(img->fix), "override");
	assert_string_equal(img->fix_args,
			    "promote falcosecurity/falco:0.26.2 "
			    "--override-gate --reason TEXT");
	assert_non_null(strstr(img->fix_text, "scan gate blocks it"));
	/* promoted already: the pull failed for another reason, the pod
	 * (with the kubelet's event under it) is the cause */
	falco_state = WHY_IMG_PROMOTED;
	why_chain_resolve_images(c, lookup, NULL);
	img = find_link(c, WHY_IMAGE, FALCO_IMG);
	pod = find_link(c, WHY_POD, "falco-7xk2p");
	assert_false(img->likely);
	assert_int_equal(img->fix, WHY_FIX_NONE);
	assert_true(pod->likely);
	/* JSON: valid, the likely cause by index */
	falco_state = WHY_IMG_QUARANTINED;
	why_chain_resolve_images(c, lookup, NULL);
	js = why_chain_to_json(c, "Kustomization", "flux-system",
			       "falco-system");
	doc = cJSON_Parse(js);
	assert_non_null(doc);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "healthy")));
	l = &c->links[(size_t)cJSON_GetObjectItem(doc, "likelyCause")
			  ->valuedouble];
	assert_int_equal(l->kind, WHY_IMAGE);
	l = NULL;
	{
		const cJSON *lk = cJSON_GetArrayItem(
		    cJSON_GetObjectItem(doc, "links"),
		    (int)cJSON_GetObjectItem(doc, "likelyCause")->valuedouble);
		const cJSON *fix = cJSON_GetObjectItem(lk, "fix");

		assert_string_equal(
		    cJSON_GetObjectItem(fix, "command")->valuestring,
		    "jumpdeck promote falcosecurity/falco:0.26.2");
		assert_string_equal(
		    cJSON_GetObjectItem(fix, "action")->valuestring,
		    "promote");
		assert_string_equal(
		    cJSON_GetObjectItem(lk, "image")->valuestring, FALCO_IMG);
	}
	cJSON_Delete(doc);
	free(js);
	why_chain_free(&c);
	assert_null(c);
	fake_free(&f);
}

static void test_chain_dependency(void **state)
{
	struct fake f = {.routes = falco_routes};
	struct why_chain *c = run(&f, "apps");
	const struct why_link *l;

	(void)state;
	dump(c);
	assert_false(c->healthy);
	assert_int_equal(f.unrouted, 0);
	assert_string_equal(c->links[0].what,
			    "Kustomization flux-system/apps");
	assert_non_null(strstr(c->links[0].why, "Waiting"));
	/* the root it waits for, then the root's chain one step deeper */
	l = &c->links[1];
	assert_int_equal(l->kind, WHY_FLUX);
	assert_int_equal(l->depth, 1);
	assert_string_equal(l->what, "Kustomization flux-system/falco-system");
	assert_int_equal(l->go, WHY_GOTO_FLUX);
	assert_string_equal(l->target,
			    "Kustomization/flux-system/falco-system");
	l = find_link(c, WHY_WORKLOAD, "DaemonSet falco-system/falco");
	assert_non_null(l);
	assert_int_equal(l->depth, 2);
	assert_int_equal(find_link(c, WHY_POD, "falco-7xk2p")->depth, 3);
	why_chain_resolve_images(c, lookup, NULL);
	assert_true(find_link(c, WHY_IMAGE, FALCO_IMG)->likely);
	why_chain_free(&c);
	fake_free(&f);
}

static const struct route web_routes[] = {
    {"/apis/apps/v1/namespaces/a0005-i/deployments?limit=500", 200,
     "deployments_a0005-i.json"},
    {KS_EVENTS("web"), 200, "events_empty.json"},
    {"/api/v1/namespaces/a0005-i/pods?limit=500&labelSelector=app."
     "kubernetes.io%2Fname%3Dweb",
     200, "pods_web.json"},
    {EVENTS("a0005-i", "Pod", "web-5d8f7c9b6-q2x4z"), 200,
     "events_web-pod.json"},
    {EVENTS("a0005-i", "Deployment", "web"), 200, "events_empty.json"},
    {"/api/v1/namespaces/a0005-i/pods/web-5d8f7c9b6-q2x4z/log?container="
     "web&previous=true&tailLines=20&limitBytes=16384",
     200, "log_web.txt"},
    {NULL, 0, NULL},
};

static void test_chain_crashloop(void **state)
{
	struct fake f = {.routes = web_routes};
	struct why_chain *c = run(&f, "web");
	const struct why_link *l, *pod;
	size_t i;

	(void)state;
	dump(c);
	assert_int_equal(f.unrouted, 0);
	assert_int_equal(c->requests, 6);
	pod = find_link(c, WHY_POD, "web-5d8f7c9b6-q2x4z");
	assert_non_null(pod);
	assert_non_null(strstr(pod->why, "CrashLoopBackOff"));
	assert_non_null(strstr(pod->why, "7 restarts"));
	assert_true(pod->likely);
	/* the old ReplicaSet's ready pod and web-api's pod are not shown */
	assert_false(mentions(c, "web-77c4f9d8b"));
	assert_false(mentions(c, "web-api"));
	assert_null(find_link(c, WHY_IMAGE, "web"));
	l = find_link(c, WHY_EVENT, "Back-off restarting failed container");
	assert_non_null(l);
	/* the previous container's log: its last line is the why, and no
	 * escape sequence reaches a line */
	l = find_link(c, WHY_LOG, "Log of web");
	assert_non_null(l);
	assert_int_equal(l->depth, pod->depth + 1);
	assert_int_equal(l->nlines, 5);
	assert_non_null(strstr(l->why, "main.main()"));
	for (i = 0; i < l->nlines; i++) {
		assert_null(strchr(l->lines[i], 0x1b));
		assert_null(strchr(l->lines[i], 0x07));
		assert_null(strstr(l->lines[i], "\xc2\x9b"));
	}
	assert_non_null(strstr(l->lines[2], "panic: cannot open "
					    "/etc/web/config.yaml"));
	why_chain_free(&c);
	fake_free(&f);
}

static void test_chain_log_cut(void **state)
{
	struct fake f = {.routes = web_routes};
	struct why_limits lim;
	struct why_chain *c;
	const struct why_link *l;
	struct route r[8];

	(void)state;
	memcpy(r, web_routes, sizeof(web_routes));
	/* a 40-byte limit: the path changes and so does the answer */
	r[5].path =
	    "/api/v1/namespaces/a0005-i/pods/web-5d8f7c9b6-q2x4z/"
	    "log?container=web&previous=true&tailLines=20&limitBytes=40";
	f.routes = r;
	memset(&lim, 0, sizeof(lim));
	lim.log_bytes = 40;
	c = run_full(&f, "web", &lim, objs, nobjs, NULL);
	l = find_link(c, WHY_LOG, "Log of web");
	assert_non_null(l);
	assert_non_null(strstr(l->what, "cut at the byte limit"));
	assert_int_equal(l->nlines, 2);
	assert_string_equal(l->lines[0], "starting web 1.0");
	why_chain_free(&c);
	fake_free(&f);
}

static const struct route batch_routes[] = {
    {"/apis/apps/v1/namespaces/a0005-o/deployments?limit=500", 200,
     "deployments_a0005-o.json"},
    {KS_EVENTS("batch"), 200, "events_empty.json"},
    {"/api/v1/namespaces/a0005-o/pods?limit=500&labelSelector=app."
     "kubernetes.io%2Fname%3Dbatch",
     200, "pods_batch.json"},
    {EVENTS("a0005-o", "Pod", "batch-7f9c6d5b4-kq8wz"), 200,
     "events_batch-pod.json"},
    {EVENTS("a0005-o", "Deployment", "batch"), 200, "events_empty.json"},
    {NULL, 0, NULL},
};

static void test_chain_unschedulable(void **state)
{
	struct fake f = {.routes = batch_routes};
	struct why_chain *c = run(&f, "batch");
	const struct why_link *pod;

	(void)state;
	dump(c);
	assert_int_equal(f.unrouted, 0);
	pod = find_link(c, WHY_POD, "batch-7f9c6d5b4-kq8wz");
	assert_non_null(pod);
	assert_non_null(strstr(pod->why, "Unschedulable"));
	assert_non_null(strstr(pod->why, "Insufficient cpu"));
	/* not on a node: nowhere to go */
	assert_int_equal(pod->go, WHY_GOTO_NONE);
	assert_true(pod->likely);
	assert_non_null(find_link(c, WHY_EVENT, "FailedScheduling"));
	assert_int_equal(count_kind(c, WHY_LOG), 0);
	why_chain_free(&c);
	fake_free(&f);
}

static const struct route baseline_routes[] = {
    {"/apis/apps/v1/namespaces/cluster-baseline-settings/daemonsets"
     "?limit=500",
     200, "daemonsets_cluster-baseline-settings.json"},
    {"/apis/apps/v1/namespaces/cluster-baseline-settings/deployments"
     "?limit=500",
     200, "deployments_cluster-baseline-settings.json"},
    {KS_EVENTS("baseline"), 200, "events_empty.json"},
    {NULL, 0, NULL},
};

static void test_chain_healthy(void **state)
{
	struct fake f = {.routes = baseline_routes};
	struct why_chain *c = run(&f, "baseline");

	(void)state;
	dump(c);
	assert_int_equal(f.unrouted, 0);
	assert_true(c->healthy);
	assert_int_equal(c->requests, 3);
	assert_null(why_chain_likely(c));
	assert_int_equal(c->links[0].severity, WHY_OK);
	assert_non_null(find_link(c, WHY_NOTE, "all 2 ready"));
	assert_int_equal(count_kind(c, WHY_POD), 0);
	why_chain_free(&c);
	fake_free(&f);
}

static void test_chain_forbidden(void **state)
{
	struct route r[8];
	struct fake f;
	struct why_chain *c;
	const struct why_link *l;

	(void)state;
	memcpy(r, falco_routes, sizeof(falco_routes));
	r[1].status = 403;
	r[1].file = "status_403_events.json";
	r[2].status = 403;
	r[2].file = "status_403_pods.json";
	memset(&f, 0, sizeof(f));
	f.routes = r;
	c = run(&f, "falco-system");
	dump(c);
	assert_false(c->healthy);
	/* one sentence each: the server's */
	l = find_link(c, WHY_NOTE, "pods is forbidden");
	assert_non_null(l);
	assert_string_equal(l->why,
			    "pods is forbidden: User \"viewer\" cannot list "
			    "resource \"pods\" in API group \"\" in the "
			    "namespace \"falco-system\"");
	assert_non_null(find_link(c, WHY_NOTE, "events is forbidden"));
	assert_int_equal(count_kind(c, WHY_POD), 0);
	/* the rest of the chain still shows, the workload is as far as
	 * one can see */
	l = find_link(c, WHY_WORKLOAD, "DaemonSet falco-system/falco");
	assert_non_null(l);
	assert_true(l->likely);
	why_chain_free(&c);
	fake_free(&f);
}

static const struct route legacy_routes[] = {
    {"/apis/apps/v1/namespaces/kured/daemonsets?limit=500&labelSelector="
     "kustomize.toolkit.fluxcd.io%2Fname%3Dlegacy%2Ckustomize.toolkit."
     "fluxcd.io%2Fnamespace%3Dflux-system",
     200, "daemonsets_kured_legacy.json"},
    {KS_EVENTS("legacy"), 200, "events_empty.json"},
    {"/api/v1/namespaces/kured/pods?limit=500&labelSelector=app%3Dkured", 200,
     "events_empty.json"},
    {EVENTS("kured", "DaemonSet", "kured"), 200, "events_empty.json"},
    {NULL, 0, NULL},
};

static void test_chain_v1beta1_snapshot(void **state)
{
	struct fake f = {.routes = legacy_routes};
	struct why_chain *c = run(&f, "legacy");
	const struct why_link *l;

	(void)state;
	dump(c);
	assert_int_equal(f.unrouted, 0);
	l = find_link(c, WHY_WORKLOAD, "DaemonSet kured/kured");
	assert_non_null(l);
	assert_non_null(strstr(l->why, "5/7 ready"));
	/* no pod is failing (the list is empty): the workload says it */
	assert_non_null(strstr(l->why, "no pod of it is failing now"));
	assert_true(l->likely);
	why_chain_free(&c);
	fake_free(&f);
}

static const struct route recovered_routes[] = {
    {"/apis/apps/v1/namespaces/a0005-i/deployments?limit=500", 200,
     "deployments_a0005-i.json"},
    {KS_EVENTS("recovered"), 200, "events_empty.json"},
    {NULL, 0, NULL},
};

static void test_chain_recovered(void **state)
{
	struct fake f = {.routes = recovered_routes};
	struct why_chain *c = run(&f, "recovered");
	const struct why_link *l = why_chain_likely(c);

	(void)state;
	dump(c);
	assert_false(c->healthy);
	assert_non_null(l);
	assert_int_equal(l->kind, WHY_NOTE);
	assert_non_null(strstr(l->why, "ready now"));
	assert_int_equal(l->fix, WHY_FIX_RECONCILE);
	assert_string_equal(l->fix_args,
			    "reconcile ks recovered -n flux-system");
	why_chain_free(&c);
	fake_free(&f);
}

static const struct route config_routes[] = {
    {KS_EVENTS("config"), 200, "events_empty.json"},
    {NULL, 0, NULL},
};

static void test_chain_build_failed(void **state)
{
	struct fake f = {.routes = config_routes};
	struct why_chain *c = run(&f, "config");
	const struct why_link *l = why_chain_likely(c);

	(void)state;
	assert_int_equal(c->requests, 1);
	assert_ptr_equal(l, &c->links[0]);
	assert_non_null(strstr(l->why, "kustomize build failed"));
	why_chain_free(&c);
	fake_free(&f);
}

static void test_chain_not_found(void **state)
{
	struct fake f = {.routes = config_routes};
	struct why_chain *c = run(&f, "nope");

	(void)state;
	assert_false(c->found);
	assert_false(c->healthy);
	assert_int_equal(f.nlog, 0);
	assert_string_equal(c->links[0].why, "not found");
	assert_true(c->links[0].likely);
	why_chain_free(&c);
	fake_free(&f);
}

static void test_cancel(void **state)
{
	struct fake f = {.routes = falco_routes};
	struct why_chain *c = NULL;
	struct why_opts o;
	struct why_load *w;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.kind = FLUX_KUSTOMIZATION;
	o.ns = "flux-system";
	o.name = "falco-system";
	o.all = objs;
	o.n = nobjs;
	o.find = find_raw;
	o.fetch.get = fake_get;
	o.fetch.cancel = fake_cancel;
	o.fetch.fud = &f;
	o.done = on_done;
	o.ud = &c;
	w = why_start(&o);
	assert_non_null(w);
	assert_int_equal(why_requests(w), 2);
	why_cancel(&w);
	assert_null(w);
	assert_int_equal(f.cancels, 2);
	fake_flush(&f); /* nothing is answered: all were cancelled */
	assert_null(c);
	fake_free(&f);
}

/* ---- hundreds of objects ------------------------------------------------ */

#define MANY_NS	 20
#define MANY_PER 15

static cJSON *many_ks(void)
{
	cJSON *list = cJSON_CreateObject(), *items, *ks, *entries;
	char id[128];
	int i;

	items = cJSON_AddArrayToObject(list, "items");
	ks = cJSON_Parse(
	    "{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\","
	    "\"kind\":\"Kustomization\",\"metadata\":{\"name\":\"many\","
	    "\"namespace\":\"flux-system\"},\"spec\":{\"interval\":\"10m\"},"
	    "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":"
	    "\"False\",\"reason\":\"HealthCheckFailed\",\"message\":"
	    "\"Health check failed after 5m0s: timeout waiting for: "
	    "[Deployment/m03/d045 status: 'InProgress']\"}],"
	    "\"inventory\":{\"entries\":[]}}}");
	entries = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(ks, "status"),
				"inventory"),
	    "entries");
	for (i = 0; i < MANY_NS * MANY_PER; i++) {
		cJSON *e = cJSON_CreateObject();

		snprintf(id, sizeof(id), "m%02d_d%03d_apps_Deployment",
			 i / MANY_PER, i);
		cJSON_AddStringToObject(e, "id", id);
		cJSON_AddStringToObject(e, "v", "v1");
		cJSON_AddItemToArray(entries, e);
		/* and a ConfigMap each: objects that are not workloads */
		e = cJSON_CreateObject();
		snprintf(id, sizeof(id), "m%02d_c%03d__ConfigMap",
			 i / MANY_PER, i);
		cJSON_AddStringToObject(e, "id", id);
		cJSON_AddItemToArray(entries, e);
	}
	cJSON_AddItemToArray(items, ks);
	return list;
}

/* Lists of 15 deployments per namespace, d045 not ready; its pods; no
 * events. */
static cJSON *many_gen(const char *path)
{
	int ns, i;
	char buf[4096];

	if (sscanf(path, "/apis/apps/v1/namespaces/m%d/deployments", &ns) ==
	    1) {
		cJSON *l = cJSON_CreateObject(), *items;

		items = cJSON_AddArrayToObject(l, "items");
		for (i = ns * MANY_PER; i < (ns + 1) * MANY_PER; i++) {
			snprintf(buf, sizeof(buf),
				 "{\"metadata\":{\"name\":\"d%03d\","
				 "\"namespace\":\"m%02d\",\"generation\":1},"
				 "\"spec\":{\"replicas\":1,\"selector\":{"
				 "\"matchLabels\":{\"app\":\"d%03d\"}}},"
				 "\"status\":{\"observedGeneration\":1,"
				 "\"readyReplicas\":%d,\"availableReplicas\":"
				 "%d,\"updatedReplicas\":1}}",
				 i, ns, i, i != 45, i != 45);
			cJSON_AddItemToArray(items, cJSON_Parse(buf));
		}
		return l;
	}
	if (strstr(path, "/pods?")) {
		snprintf(
		    buf, sizeof(buf),
		    "{\"items\":[{\"metadata\":{\"name\":\"d045-abc-x1\","
		    "\"namespace\":\"m03\",\"labels\":{"
		    "\"pod-template-hash\":\"abc\"},\"ownerReferences\":"
		    "[{\"kind\":\"ReplicaSet\",\"name\":\"d045-abc\","
		    "\"controller\":true}]},\"spec\":{\"nodeName\":\"n1\"},"
		    "\"status\":{\"phase\":\"Pending\",\"containerStatuses"
		    "\":[{\"name\":\"c\",\"image\":\"docker.io/x/y:1\","
		    "\"ready\":false,\"restartCount\":0,\"state\":{"
		    "\"waiting\":{\"reason\":\"ErrImagePull\"}}}]}}]}");
		return cJSON_Parse(buf);
	}
	if (strstr(path, "/events?"))
		return cJSON_Parse("{\"items\":[]}");
	return NULL;
}

static void test_chain_many(void **state)
{
	cJSON *list = many_ks();
	struct flux_object *v = NULL;
	size_t n = 0;
	struct err e;
	struct fake f;
	struct why_chain *c;
	const struct why_link *l;
	struct why_limits lim;

	(void)state;
	err_clear(&e);
	assert_int_equal(
	    flux_objects_append_list(&v, &n, FLUX_KUSTOMIZATION, list, &e), 0);
	memset(&f, 0, sizeof(f));
	f.gen = many_gen;
	c = run_full(&f, "many", NULL, v, n, list);
	dump(c);
	/* 12 namespace lists at most (d045's first), its pods, the events
	 * of the pod and the deployment, the Kustomization's events */
	assert_int_equal(c->requests, 12 + 1 + 2 + 1);
	assert_int_equal(f.unrouted, 0);
	assert_true(asked(&f, "/apis/apps/v1/namespaces/m03/deployments"
			      "?limit=500"));
	l = find_link(c, WHY_WORKLOAD, "Deployment m03/d045");
	assert_non_null(l);
	assert_non_null(find_link(c, WHY_POD, "d045-abc-x1"));
	/* 12 lists of 15: 179 ready; 8 namespaces not read */
	assert_non_null(find_link(c, WHY_NOTE, "179 ready"));
	l = find_link(c, WHY_NOTE, "not checked");
	assert_non_null(l);
	assert_non_null(strstr(l->why, "120 not checked"));
	assert_non_null(strstr(l->why, "8 more namespace lists"));
	assert_true(c->cut);
	assert_false(c->healthy);
	why_chain_free(&c);
	fake_free(&f);

	/* a request limit of 5: said, and never passed */
	memset(&f, 0, sizeof(f));
	f.gen = many_gen;
	memset(&lim, 0, sizeof(lim));
	lim.requests = 5;
	c = run_full(&f, "many", &lim, v, n, list);
	dump(c);
	assert_true(c->requests <= 5);
	assert_true(f.nlog <= 5);
	l = find_link(c, WHY_NOTE, "at most 5 requests");
	assert_non_null(l);
	/* the lists the limit left out are not "not found" */
	assert_false(mentions(c, "not found in the cluster"));
	assert_non_null(find_link(c, WHY_NOTE, "not checked"));
	why_chain_free(&c);
	fake_free(&f);
	flux_objects_free(&v, n);
	cJSON_Delete(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inventory_ids),
	    cmocka_unit_test(test_health_refs),
	    cmocka_unit_test(test_selector),
	    cmocka_unit_test(test_pod_owner),
	    cmocka_unit_test(test_pod_reading),
	    cmocka_unit_test(test_pod_kinds),
	    cmocka_unit_test(test_rollouts),
	    cmocka_unit_test(test_events_pick),
	    cmocka_unit_test(test_log_tail),
	    cmocka_unit_test(test_chain_falco),
	    cmocka_unit_test(test_chain_dependency),
	    cmocka_unit_test(test_chain_crashloop),
	    cmocka_unit_test(test_chain_log_cut),
	    cmocka_unit_test(test_chain_unschedulable),
	    cmocka_unit_test(test_chain_healthy),
	    cmocka_unit_test(test_chain_forbidden),
	    cmocka_unit_test(test_chain_v1beta1_snapshot),
	    cmocka_unit_test(test_chain_recovered),
	    cmocka_unit_test(test_chain_build_failed),
	    cmocka_unit_test(test_chain_not_found),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_chain_many),
	};

	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	return cmocka_run_group_tests(tests, setup, teardown);
}
