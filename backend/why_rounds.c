/* why_rounds.c - what a why-chain load asks for and keeps: the Flux
 * object, its dependency root, source, inventory (or v1beta1 snapshot)
 * and health-check message, read from the model; then the workload lists,
 * the pods of the unhealthy workloads, and the events and logs of the
 * pods that show why. Paths follow the Kubernetes API; the requests
 * themselves are why_load.c's. */
#include "why_load_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "xalloc.h"

/* ---- the Flux model --------------------------------------------------- */

/* A string member, "" when missing. */
static const char *str(const cJSON *o, const char *key)
{
	const char *s = json_str(o, key);

	return s ? s : "";
}

static void fill_info(struct fluxinfo *fi, const struct flux_object *o)
{
	fi->found = 1;
	fi->kind = o->kind;
	why_fmt(fi->ns, sizeof(fi->ns), "%s", o->namespace);
	why_fmt(fi->name, sizeof(fi->name), "%s", o->name);
	fi->state = o->state;
	fi->suspended = o->suspended;
	why_fmt(fi->message, sizeof(fi->message), "%s",
		flux_object_message(o));
	why_fmt(fi->reason, sizeof(fi->reason), "%s", o->ready_reason);
	fi->inventory = o->inventory_count;
}

/* The object's source, when it names one that is not Ready. */
static void fill_source(struct fluxinfo *fi, const struct flux_object *o,
			const struct flux_object *all, size_t n)
{
	const struct flux_object *src;
	enum flux_kind k;
	const char *ns;

	if (!o->source_ref.name || !*o->source_ref.name ||
	    flux_kind_parse(o->source_ref.kind, &k) < 0)
		return;
	ns = o->source_ref.namespace && *o->source_ref.namespace
		 ? o->source_ref.namespace
		 : o->namespace;
	why_fmt(fi->src_kind, sizeof(fi->src_kind), "%s",
		flux_kind_get(k)->kind);
	why_fmt(fi->src_ns, sizeof(fi->src_ns), "%s", ns);
	why_fmt(fi->src_name, sizeof(fi->src_name), "%s", o->source_ref.name);
	src = flux_object_find(all, n, k, ns, o->source_ref.name);
	fi->have_source = 1;
	fi->src_found = src != NULL;
	if (!src)
		return;
	fi->src_state = src->state;
	why_fmt(fi->src_message, sizeof(fi->src_message), "%s",
		flux_object_message(src));
}

static struct wl *find_wl(struct why_load *w, const struct why_ref *r)
{
	size_t i;

	for (i = 0; i < w->nwl; i++)
		if (strcmp(w->wl[i].ref.kind, r->kind) == 0 &&
		    strcmp(w->wl[i].ref.ns, r->ns) == 0 &&
		    strcmp(w->wl[i].ref.name, r->name) == 0)
			return &w->wl[i];
	return NULL;
}

static struct wl *add_wl(struct why_load *w, const struct why_ref *r)
{
	struct wl *x;

	w->wl = xgrow(w->wl, &w->capwl, w->nwl + 1, sizeof(*w->wl));
	x = &w->wl[w->nwl++];
	memset(x, 0, sizeof(*x));
	x->ref = *r;
	x->evt = -1;
	return x;
}

/* Inventory entries (v1beta2, v1): the workloads among them. */
static void read_inventory(struct why_load *w, const cJSON *inv)
{
	const cJSON *e;
	struct why_ref r;

	cJSON_ArrayForEach(e, json_get(inv, "entries"))
	{
		w->inv_objects++;
		if (why_inventory_id(str(e, "id"), &r) < 0 ||
		    !why_is_workload(r.group, r.kind) || find_wl(w, &r))
			continue;
		w->inv_workloads++;
		add_wl(w, &r);
	}
}

static void add_group(struct why_load *w, const char *ns, const char *kind,
		      const char *label)
{
	struct group *g;
	size_t i;

	for (i = 0; i < w->ngroups; i++)
		if (strcmp(w->groups[i].ns, ns) == 0 &&
		    strcmp(w->groups[i].kind, kind) == 0)
			return;
	if (w->ngroups >= w->lim.lists) {
		/* counted once per namespace and kind */
		for (i = 0; i < w->nleft; i++)
			if (strcmp(w->left[i].ns, ns) == 0 &&
			    strcmp(w->left[i].kind, kind) == 0)
				return;
		w->left = xgrow(w->left, &w->capleft, w->nleft + 1,
				sizeof(*w->left));
		memset(&w->left[w->nleft], 0, sizeof(w->left[0]));
		why_fmt(w->left[w->nleft].ns, sizeof(w->left[0].ns), "%s", ns);
		why_fmt(w->left[w->nleft].kind, sizeof(w->left[0].kind), "%s",
			kind);
		w->nleft++;
		return;
	}
	w->groups = xgrow(w->groups, &w->capgroups, w->ngroups + 1,
			  sizeof(*w->groups));
	g = &w->groups[w->ngroups++];
	memset(g, 0, sizeof(*g));
	why_fmt(g->ns, sizeof(g->ns), "%s", ns);
	why_fmt(g->kind, sizeof(g->kind), "%s", kind);
	why_fmt(g->label, sizeof(g->label), "%s", label ? label : "");
}

/* v1beta1 snapshot: {"entries":[{"namespace","kinds":{"apps/v1,
 * Kind=Deployment":"Deployment"}}]}: the objects are found by the labels
 * the controller put on them. */
static void read_snapshot(struct why_load *w, const cJSON *snap)
{
	const cJSON *e, *k;
	char label[600];

	why_fmt(label, sizeof(label),
		"kustomize.toolkit.fluxcd.io/name=%s,"
		"kustomize.toolkit.fluxcd.io/namespace=%s",
		w->ex->name, w->ex->ns);
	w->snapshot = 1;
	cJSON_ArrayForEach(e, json_get(snap, "entries"))
	{
		cJSON_ArrayForEach(k, json_get(e, "kinds"))
		{
			const char *gvk = k->string ? k->string : "";

			w->inv_objects++;
			if (!cJSON_IsString(k) ||
			    strncmp(gvk, "apps/", 5) != 0 ||
			    !why_workload_plural(k->valuestring))
				continue;
			add_group(w, str(e, "namespace"), k->valuestring,
				  label);
		}
	}
}

static void read_examined(struct why_load *w, const struct why_opts *o)
{
	const cJSON *obj = NULL, *st;
	struct why_ref refs[64];
	size_t n, i, pass;

	if (w->ex->kind != FLUX_KUSTOMIZATION)
		return;
	if (o->find)
		obj = o->find(o->find_ud, w->ex->kind, w->ex->ns, w->ex->name);
	st = json_get(obj, "status");
	if (json_get(st, "inventory"))
		read_inventory(w, json_get(st, "inventory"));
	else if (json_get(st, "snapshot"))
		read_snapshot(w, json_get(st, "snapshot"));
	/* what the health check named: followed first */
	n = why_health_refs(w->ex->message, refs, 64);
	w->health = xcalloc(n ? n : 1, sizeof(*w->health));
	for (i = 0; i < n; i++) {
		struct wl *x;

		if (!why_is_workload(refs[i].group, refs[i].kind)) {
			w->health[w->nhealth++] = refs[i];
			continue;
		}
		x = find_wl(w, &refs[i]);
		if (!x)
			x = add_wl(w, &refs[i]);
		x->from_health = 1;
		why_fmt(x->ref.status, sizeof(x->ref.status), "%s",
			refs[i].status);
	}
	/* the lists: those with a named workload first */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < w->nwl; i++)
			if (w->wl[i].from_health == (pass == 0))
				add_group(w, w->wl[i].ref.ns,
					  w->wl[i].ref.kind, NULL);
	for (i = 0; i < w->nwl; i++) {
		size_t g;

		for (g = 0; g < w->ngroups; g++)
			if (strcmp(w->groups[g].ns, w->wl[i].ref.ns) == 0 &&
			    strcmp(w->groups[g].kind, w->wl[i].ref.kind) == 0)
				w->wl[i].listed = 1;
	}
}

void why_read_flux(struct why_load *w, const struct why_opts *o)
{
	const struct flux_object *obj;
	struct flux_dep_root root;

	w->subj_evt = -1;
	w->ex = &w->subj;
	w->subj.kind = o->kind;
	w->subj.inventory = -1;
	why_fmt(w->subj.ns, sizeof(w->subj.ns), "%s", o->ns ? o->ns : "");
	why_fmt(w->subj.name, sizeof(w->subj.name), "%s",
		o->name ? o->name : "");
	obj =
	    flux_object_find(o->all, o->n, o->kind, w->subj.ns, w->subj.name);
	if (!obj)
		return;
	fill_info(&w->subj, obj);
	fill_source(&w->subj, obj, o->all, o->n);
	if (obj->ndepends_on &&
	    flux_dependency_root(obj, o->all, o->n, &root) != FLUX_DEP_OK) {
		char *t = flux_dependency_text(&root);

		w->subj.waiting_dep = obj->state == FLUX_STATE_WAITING;
		w->subj.dep = root.status;
		why_fmt(w->subj.dep_text, sizeof(w->subj.dep_text), "%s", t);
		free(t);
		if (root.status == FLUX_DEP_NOT_READY && root.object) {
			fill_info(&w->root, root.object);
			fill_source(&w->root, root.object, o->all, o->n);
			w->have_root = 1;
			w->ex = &w->root;
		} else {
			return; /* missing or a cycle: that is the answer */
		}
	}
	read_examined(w, o);
}

/* ---- round 1: the workloads ----------------------------------------------
 */

static char *events_path(struct why_load *w, const char *ns, const char *kind,
			 const char *name)
{
	char sel[900], esc[2800], nsesc[800];

	why_fmt(sel, sizeof(sel),
		"involvedObject.kind=%s,involvedObject.name=%s,"
		"type=Warning",
		kind, name);
	kube_escape(esc, sizeof(esc), sel);
	kube_escape(nsesc, sizeof(nsesc), ns);
	return xasprintf("/api/v1/namespaces/%s/events?fieldSelector=%s"
			 "&limit=%zu",
			 nsesc, esc, w->lim.page);
}

static long add_evtarget(struct why_load *w, const char *kind, const char *ns,
			 const char *name)
{
	struct evtarget *t;

	if (w->nev >= w->lim.event_objects) {
		w->events_left++;
		return -1;
	}
	w->ev = xgrow(w->ev, &w->capev, w->nev + 1, sizeof(*w->ev));
	t = &w->ev[w->nev];
	memset(t, 0, sizeof(*t));
	why_fmt(t->kind, sizeof(t->kind), "%s", kind);
	why_fmt(t->ns, sizeof(t->ns), "%s", ns);
	why_fmt(t->name, sizeof(t->name), "%s", name);
	if (why_enqueue(w, RQ_EVENTS, w->nev, events_path(w, ns, kind, name),
			0, 0) < 0)
		return -1;
	t->asked = 1;
	return (long)w->nev++;
}

void why_round_lists(struct why_load *w)
{
	size_t i;

	if (!w->subj.found || (w->subj.dep != FLUX_DEP_OK && !w->have_root))
		return;
	for (i = 0; i < w->ngroups; i++) {
		const struct group *g = &w->groups[i];
		char nsesc[800], lesc[1800];

		kube_escape(nsesc, sizeof(nsesc), g->ns);
		kube_escape(lesc, sizeof(lesc), g->label);
		w->groups[i].skipped = why_enqueue(
		    w, RQ_LIST, i,
		    xasprintf("/apis/apps/v1/namespaces/%s/%s?limit=%zu"
			      "%s%s",
			      nsesc, why_workload_plural(g->kind), w->lim.page,
			      g->label[0] ? "&labelSelector=" : "", lesc),
		    0, 0);
	}
	w->subj_evt = add_evtarget(w, flux_kind_get(w->ex->kind)->kind,
				   w->ex->ns, w->ex->name);
}

static int has_more(const cJSON *list)
{
	return *str(json_get(list, "metadata"), "continue") != '\0';
}

static void keep_list(struct why_load *w, struct group *g,
		      const struct why_answer *a)
{
	const cJSON *it;

	if (!a->ok) {
		g->failed = 1;
		why_fmt(g->err, sizeof(g->err), "%s",
			a->error ? a->error : "no answer");
		return;
	}
	g->cut = has_more(a->json);
	cJSON_ArrayForEach(it, json_get(a->json, "items"))
	{
		const cJSON *md = json_get(it, "metadata");
		struct why_ref r;
		struct wl *x;

		memset(&r, 0, sizeof(r));
		why_fmt(r.kind, sizeof(r.kind), "%s", g->kind);
		why_fmt(r.group, sizeof(r.group), "apps");
		why_fmt(r.ns, sizeof(r.ns), "%s",
			*str(md, "namespace") ? str(md, "namespace") : g->ns);
		why_fmt(r.name, sizeof(r.name), "%s", str(md, "name"));
		x = find_wl(w, &r);
		if (!x && g->label[0]) {
			/* v1beta1: every labelled object is the
			 * Kustomization's */
			x = add_wl(w, &r);
			x->listed = 1;
			w->inv_workloads++;
		}
		if (!x || x->found)
			continue;
		x->found = 1;
		x->obj = cJSON_Duplicate(it, 1);
		/* list items carry no kind; the rollout needs it */
		if (!json_get(x->obj, "kind"))
			cJSON_AddStringToObject(x->obj, "kind", g->kind);
	}
}

/* ---- round 2: the pods of unhealthy workloads ------------------------ */

void why_round_pods(struct why_load *w)
{
	size_t i, pass, followed = 0;

	for (i = 0; i < w->nwl; i++)
		if (w->wl[i].found)
			why_rollout_of(w->wl[i].obj, &w->wl[i].ro);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < w->nwl; i++) {
			struct wl *x = &w->wl[i];
			char sel[1200], esc[3600], nsesc[800];

			if (!x->found || x->ro.healthy ||
			    x->from_health != (pass == 0))
				continue;
			if (why_selector(x->obj, sel, sizeof(sel)) < 0 ||
			    !sel[0]) {
				x->pods_failed = 1;
				why_fmt(x->pods_err, sizeof(x->pods_err),
					"its selector cannot be used to "
					"find its pods");
				continue;
			}
			if (followed >= w->lim.workloads) {
				w->unhealthy_left++;
				continue;
			}
			kube_escape(esc, sizeof(esc), sel);
			kube_escape(nsesc, sizeof(nsesc), x->ref.ns);
			if (why_enqueue(w, RQ_PODS, i,
					xasprintf("/api/v1/namespaces/%s/pods"
						  "?limit=%zu&labelSelector="
						  "%s",
						  nsesc, w->lim.page, esc),
					0, 0) < 0) {
				x->pods_failed = 1;
				why_fmt(x->pods_err, sizeof(x->pods_err),
					"not read: at most %zu requests are "
					"made for one chain",
					w->lim.requests);
			}
			x->followed = 1;
			followed++;
		}
	}
}

static void keep_pods(struct why_load *w, struct wl *x,
		      const struct why_answer *a)
{
	const cJSON *it;

	x->pods_answered = 1;
	if (!a->ok) {
		x->pods_failed = 1;
		why_fmt(x->pods_err, sizeof(x->pods_err), "%s",
			a->error ? a->error : "no answer");
		return;
	}
	x->pods_cut = has_more(a->json);
	x->pg = xcalloc(w->lim.pod_groups, sizeof(*x->pg));
	cJSON_ArrayForEach(it, json_get(a->json, "items"))
	{
		struct why_pod p;
		size_t g;

		if (!why_pod_owned_by(it, x->obj))
			continue;
		why_pod_of(it, &p);
		if (p.ready)
			continue;
		if (!p.ns[0])
			why_fmt(p.ns, sizeof(p.ns), "%s", x->ref.ns);
		for (g = 0; g < x->npg; g++)
			if (strcmp(x->pg[g].pod.signature, p.signature) == 0)
				break;
		if (g == x->npg) {
			if (x->npg >= w->lim.pod_groups) {
				x->other_pods++;
				continue;
			}
			x->pg[g].pod = p;
			x->pg[g].evt = x->pg[g].log = -1;
			x->npg++;
		} else if (x->pg[g].nothers < 3) {
			why_fmt(x->pg[g].others[x->pg[g].nothers++],
				sizeof(x->pg[g].others[0]), "%s", p.name);
		}
		x->pg[g].count++;
	}
}

/* ---- round 3: events and logs ------------------------------------------ */

static long add_log(struct why_load *w, const struct why_pod *p)
{
	struct plog *l;
	char ns[800], pod[800], c[800];

	if (w->nlogs >= w->lim.logs)
		return -1;
	w->logs = xgrow(w->logs, &w->caplogs, w->nlogs + 1, sizeof(*w->logs));
	l = &w->logs[w->nlogs];
	memset(l, 0, sizeof(*l));
	why_fmt(l->ns, sizeof(l->ns), "%s", p->ns);
	why_fmt(l->pod, sizeof(l->pod), "%s", p->name);
	why_fmt(l->container, sizeof(l->container), "%s", p->container);
	kube_escape(ns, sizeof(ns), p->ns);
	kube_escape(pod, sizeof(pod), p->name);
	kube_escape(c, sizeof(c), p->container);
	if (why_enqueue(w, RQ_LOG, w->nlogs,
			xasprintf("/api/v1/namespaces/%s/pods/%s/log?"
				  "container=%s&previous=true&tailLines=%zu"
				  "&limitBytes=%zu",
				  ns, pod, c, w->lim.log_lines,
				  w->lim.log_bytes),
			1, w->lim.log_bytes) < 0)
		return -1;
	return (long)w->nlogs++;
}

void why_round_details(struct why_load *w)
{
	size_t i, g;

	/* the pods that show why first, then the workloads themselves */
	for (i = 0; i < w->nwl; i++) {
		struct wl *x = &w->wl[i];

		for (g = 0; g < x->npg; g++) {
			struct pgroup *pg = &x->pg[g];

			pg->evt =
			    add_evtarget(w, "Pod", pg->pod.ns, pg->pod.name);
			if (pg->pod.problem == WHY_P_CRASH && pg->pod.has_last)
				pg->log = add_log(w, &pg->pod);
		}
	}
	for (i = 0; i < w->nwl; i++)
		if (w->wl[i].followed)
			w->wl[i].evt =
			    add_evtarget(w, w->wl[i].ref.kind, w->wl[i].ref.ns,
					 w->wl[i].ref.name);
}

static void keep_events(struct why_load *w, struct evtarget *t,
			const struct why_answer *a)
{
	t->answered = 1;
	if (!a->ok) {
		t->failed = 1;
		why_fmt(t->err, sizeof(t->err), "%s",
			a->error ? a->error : "no answer");
		return;
	}
	t->ev = xcalloc(w->lim.events, sizeof(*t->ev));
	t->n =
	    why_events_pick(json_get(a->json, "items"), t->ev, w->lim.events);
}

static void keep_log(struct why_load *w, struct plog *l,
		     const struct why_answer *a)
{
	l->answered = 1;
	if (!a->ok) {
		l->failed = 1;
		why_fmt(l->err, sizeof(l->err), "%s",
			a->error ? a->error : "no answer");
		return;
	}
	l->cut = a->text_cut;
	l->n = why_log_tail(a->text, a->text_len, w->lim.log_lines, &l->lines);
}

void why_keep(struct why_load *w, struct req *r, const struct why_answer *a)
{
	switch (r->what) {
	case RQ_LIST:
		keep_list(w, &w->groups[r->idx], a);
		break;
	case RQ_PODS:
		keep_pods(w, &w->wl[r->idx], a);
		break;
	case RQ_EVENTS:
		keep_events(w, &w->ev[r->idx], a);
		break;
	case RQ_LOG:
		keep_log(w, &w->logs[r->idx], a);
		break;
	}
}
