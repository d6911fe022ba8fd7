/* why_parse.c - reads the Kubernetes objects a why-chain is made of:
 * inventory ids, health-check messages, a workload's rollout and
 * selector, pod ownership and what keeps a pod from being ready, Warning
 * events and log tails. Pure functions over cJSON; no requests. */
#include "why.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "timefmt.h"
#include "json.h"
#include "xalloc.h"

/* ---- small getters ------------------------------------------------------ */

/* A string member, "" when missing. */
static const char *str(const cJSON *o, const char *key)
{
	const char *s = json_str(o, key);

	return s ? s : "";
}

/* A count from a number member; fallback when missing or absurd. */
static long num(const cJSON *o, const char *key, long fallback)
{
	const cJSON *v = json_get(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9)
		return fallback;
	return (long)v->valuedouble;
}

void why_fmt(char *dst, size_t sz, const char *fmt, ...)
{
	va_list ap;

	if (!sz)
		return;
	va_start(ap, fmt);
	vsnprintf(dst, sz, fmt, ap);
	va_end(ap);
}

static void copy(char *dst, size_t sz, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!sz)
		return;
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, s ? s : "", n);
	dst[n] = '\0';
}

static void copyn(char *dst, size_t sz, const char *s, size_t n)
{
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* ---- references --------------------------------------------------------- */

int why_inventory_id(const char *id, struct why_ref *out)
{
	const char *p[3];
	const char *s = id;
	int i;

	memset(out, 0, sizeof(*out));
	if (!id)
		return -1;
	/* Names, namespaces and groups hold no '_', so the id splits in
	 * exactly four: namespace, name, group, kind. */
	for (i = 0; i < 3; i++) {
		p[i] = strchr(s, '_');
		if (!p[i])
			return -1;
		s = p[i] + 1;
	}
	if (strchr(s, '_') || !*s || p[1] == p[0] + 1)
		return -1;
	copyn(out->ns, sizeof(out->ns), id, (size_t)(p[0] - id));
	copyn(out->name, sizeof(out->name), p[0] + 1,
	      (size_t)(p[1] - p[0] - 1));
	copyn(out->group, sizeof(out->group), p[1] + 1,
	      (size_t)(p[2] - p[1] - 1));
	copy(out->kind, sizeof(out->kind), s);
	return 0;
}

static const char *const workload_kinds[][2] = {
    {"Deployment", "deployments"},
    {"DaemonSet", "daemonsets"},
    {"StatefulSet", "statefulsets"},
};

const char *why_workload_plural(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(workload_kinds) / sizeof(workload_kinds[0]);
	     i++)
		if (kind && strcmp(kind, workload_kinds[i][0]) == 0)
			return workload_kinds[i][1];
	return NULL;
}

int why_is_workload(const char *group, const char *kind)
{
	return group && strcmp(group, "apps") == 0 &&
	       why_workload_plural(kind) != NULL;
}

/* The end of a reference's first word: a space, ',' or ']'. */
static const char *word_end(const char *p)
{
	while (*p && *p != ' ' && *p != ',' && *p != ']')
		p++;
	return p;
}

/* "deployments.apps" -> Deployment/apps; "Deployment" -> Deployment/"". */
static void kind_word(const char *w, size_t n, struct why_ref *r)
{
	char word[200];
	const char *dot;
	size_t i;

	copyn(word, sizeof(word), w, n);
	dot = strchr(word, '.');
	if (dot && word[0] >= 'a' && word[0] <= 'z') {
		for (i = 0;
		     i < sizeof(workload_kinds) / sizeof(workload_kinds[0]);
		     i++) {
			size_t pl = strlen(workload_kinds[i][1]);

			if ((size_t)(dot - word) == pl &&
			    strncmp(word, workload_kinds[i][1], pl) == 0) {
				copy(r->kind, sizeof(r->kind),
				     workload_kinds[i][0]);
				copy(r->group, sizeof(r->group), dot + 1);
				return;
			}
		}
		copy(r->group, sizeof(r->group), dot + 1);
		copyn(r->kind, sizeof(r->kind), word, (size_t)(dot - word));
		return;
	}
	copy(r->kind, sizeof(r->kind), word);
	if (why_workload_plural(r->kind))
		copy(r->group, sizeof(r->group), "apps");
}

/* One item at s (after "[" or ", "); *end past what was read. */
static int health_item(const char *s, struct why_ref *r, const char **end)
{
	const char *p = s, *w, *q;
	const char *slash1, *slash2;

	memset(r, 0, sizeof(*r));
	w = p;
	p = word_end(p);
	if (p == w)
		return -1;
	if (*p == ' ' && p[1] == '\'') {
		/* Kind 'ns/name' (v0.8) or plural.group 'ns/name' (v0.7) */
		kind_word(w, (size_t)(p - w), r);
		q = strchr(p + 2, '\'');
		if (!q)
			return -1;
		slash1 = memchr(p + 2, '/', (size_t)(q - p - 2));
		if (slash1) {
			copyn(r->ns, sizeof(r->ns), p + 2,
			      (size_t)(slash1 - p - 2));
			copyn(r->name, sizeof(r->name), slash1 + 1,
			      (size_t)(q - slash1 - 1));
		} else {
			copyn(r->name, sizeof(r->name), p + 2,
			      (size_t)(q - p - 2));
		}
		*end = q + 1;
		return r->name[0] ? 0 : -1;
	}
	/* Kind/ns/name or Kind/name, then " status: 'X'" */
	slash1 = memchr(w, '/', (size_t)(p - w));
	if (!slash1)
		return -1;
	slash2 = memchr(slash1 + 1, '/', (size_t)(p - slash1 - 1));
	kind_word(w, (size_t)(slash1 - w), r);
	if (slash2) {
		copyn(r->ns, sizeof(r->ns), slash1 + 1,
		      (size_t)(slash2 - slash1 - 1));
		copyn(r->name, sizeof(r->name), slash2 + 1,
		      (size_t)(p - slash2 - 1));
	} else {
		copyn(r->name, sizeof(r->name), slash1 + 1,
		      (size_t)(p - slash1 - 1));
	}
	*end = p;
	if (strncmp(p, " status: '", 10) == 0) {
		q = strchr(p + 10, '\'');
		if (q) {
			copyn(r->status, sizeof(r->status), p + 10,
			      (size_t)(q - p - 10));
			*end = q + 1;
		}
	} else if (strncmp(p, " (unknown status)", 17) == 0) {
		copy(r->status, sizeof(r->status), "Unknown");
		*end = p + 17;
	}
	return r->name[0] && r->kind[0] ? 0 : -1;
}

size_t why_health_refs(const char *message, struct why_ref *out, size_t max)
{
	const char *p, *end;
	size_t n = 0;

	if (!message)
		return 0;
	p = strstr(message, "timeout waiting for: [");
	if (p) {
		p += strlen("timeout waiting for: [");
	} else {
		p = strstr(message, "timed out for [");
		if (!p)
			return 0;
		p += strlen("timed out for [");
	}
	/* Items are ", "-separated; an item's error text may itself hold
	 * ", ", so a piece that does not read as a reference is skipped. */
	while (*p && *p != ']' && n < max) {
		if (health_item(p, &out[n], &end) == 0) {
			n++;
			p = end;
		}
		end = strstr(p, ", ");
		if (!end)
			break;
		p = end + 2;
	}
	return n;
}

/* ---- workloads ---------------------------------------------------------- */

static const cJSON *condition(const cJSON *obj, const char *type)
{
	const cJSON *conds = json_path(obj, "status.conditions");
	const cJSON *c;

	cJSON_ArrayForEach(c, conds)
	{
		if (strcmp(str(c, "type"), type) == 0)
			return c;
	}
	return NULL;
}

void why_rollout_of(const cJSON *w, struct why_rollout *o)
{
	const cJSON *st = json_get(w, "status"), *spec = json_get(w, "spec");
	const char *kind = str(w, "kind");
	long gen = num(json_get(w, "metadata"), "generation", 0);
	long obs = num(st, "observedGeneration", -1);
	const cJSON *c;
	size_t len;

	memset(o, 0, sizeof(*o));
	if (strcmp(kind, "DaemonSet") == 0) {
		o->desired = num(st, "desiredNumberScheduled", 0);
		o->ready = num(st, "numberReady", 0);
		o->available = num(st, "numberAvailable", 0);
		o->updated = num(st, "updatedNumberScheduled", 0);
	} else {
		o->desired = num(spec, "replicas", 1);
		o->ready = num(st, "readyReplicas", 0);
		o->available = num(st, "availableReplicas", 0);
		o->updated = num(st, "updatedReplicas", 0);
		if (strcmp(kind, "StatefulSet") == 0 &&
		    !json_get(st, "availableReplicas"))
			o->available = o->ready; /* before 1.22 */
	}
	o->observed = obs >= 0 && obs >= gen;
	o->healthy = o->observed && o->updated >= o->desired &&
		     o->ready >= o->desired && o->available >= o->desired;
	why_fmt(o->text, sizeof(o->text),
		"%ld/%ld ready, %ld available, %ld updated", o->ready,
		o->desired, o->available, o->updated);
	len = strlen(o->text);
	if (!o->observed && len < sizeof(o->text))
		why_fmt(o->text + len, sizeof(o->text) - len,
			"; the controller has not seen generation %ld yet",
			gen);
	/* A condition that says why (Deployments): ProgressDeadlineExceeded,
	 * ReplicaFailure. */
	c = condition(w, "ReplicaFailure");
	if (c && strcmp(str(c, "status"), "True") == 0) {
		len = strlen(o->text);
		why_fmt(o->text + len, sizeof(o->text) - len, "; %s: %s",
			str(c, "reason"), str(c, "message"));
		o->healthy = 0;
	}
	c = condition(w, "Progressing");
	if (c && strcmp(str(c, "status"), "False") == 0) {
		len = strlen(o->text);
		why_fmt(o->text + len, sizeof(o->text) - len, "; %s: %s",
			str(c, "reason"), str(c, "message"));
		o->healthy = 0;
	}
}

/* Appends ",term" (or "term" first) to buf; -1 when it does not fit. */
static int sel_add(char *buf, size_t sz, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int sel_add(char *buf, size_t sz, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len && *len + 1 < sz)
		buf[(*len)++] = ',';
	if (*len >= sz)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, sz - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

int why_selector(const cJSON *w, char *buf, size_t sz)
{
	const cJSON *sel = json_path(w, "spec.selector");
	const cJSON *it, *v;
	size_t len = 0;

	if (sz)
		buf[0] = '\0';
	cJSON_ArrayForEach(it, json_get(sel, "matchLabels"))
	{
		if (!cJSON_IsString(it) || !it->string)
			continue;
		if (sel_add(buf, sz, &len, "%s=%s", it->string,
			    it->valuestring ? it->valuestring : "") < 0)
			return -1;
	}
	cJSON_ArrayForEach(it, json_get(sel, "matchExpressions"))
	{
		const char *key = str(it, "key"), *op = str(it, "operator");
		char vals[1024];
		size_t vl = 0;

		if (!*key)
			continue;
		if (strcmp(op, "Exists") == 0) {
			if (sel_add(buf, sz, &len, "%s", key) < 0)
				return -1;
			continue;
		}
		if (strcmp(op, "DoesNotExist") == 0) {
			if (sel_add(buf, sz, &len, "!%s", key) < 0)
				return -1;
			continue;
		}
		vals[0] = '\0';
		cJSON_ArrayForEach(v, json_get(it, "values"))
		{
			if (!cJSON_IsString(v))
				continue;
			if (sel_add(vals, sizeof(vals), &vl, "%s",
				    v->valuestring) < 0)
				return -1;
		}
		if (strcmp(op, "In") == 0) {
			if (sel_add(buf, sz, &len, "%s in (%s)", key, vals) <
			    0)
				return -1;
		} else if (strcmp(op, "NotIn") == 0) {
			if (sel_add(buf, sz, &len, "%s notin (%s)", key,
				    vals) < 0)
				return -1;
		}
	}
	return 0;
}

static const cJSON *controller_ref(const cJSON *pod)
{
	const cJSON *refs = json_path(pod, "metadata.ownerReferences");
	const cJSON *r;

	cJSON_ArrayForEach(r, refs)
	{
		if (cJSON_IsTrue(json_get(r, "controller")))
			return r;
	}
	return NULL;
}

int why_pod_owned_by(const cJSON *pod, const cJSON *w)
{
	const cJSON *ref = controller_ref(pod), *md = json_get(w, "metadata");
	const char *kind = str(w, "kind"), *name = str(md, "name");
	const char *rk, *rn, *uid, *hash;
	size_t nl = strlen(name);

	if (!ref || !*name)
		return 0;
	rk = str(ref, "kind");
	rn = str(ref, "name");
	if (strcmp(kind, "Deployment") == 0) {
		if (strcmp(rk, "ReplicaSet") != 0 ||
		    strncmp(rn, name, nl) != 0 || rn[nl] != '-')
			return 0;
		hash = str(json_path(pod, "metadata.labels"),
			   "pod-template-hash");
		if (*hash)
			return strcmp(rn + nl + 1, hash) == 0;
		/* the hash has no '-': "web-api-x" is not "web"'s */
		return rn[nl + 1] && !strchr(rn + nl + 1, '-');
	}
	if (strcmp(rk, kind) != 0)
		return 0;
	uid = str(md, "uid");
	if (*uid && *str(ref, "uid"))
		return strcmp(uid, str(ref, "uid")) == 0;
	return strcmp(rn, name) == 0;
}

/* ---- pods -----------------------------------------------------------------
 */

static enum why_problem waiting_problem(const char *reason)
{
	static const char *const pull[] = {"ErrImagePull",
					   "ImagePullBackOff",
					   "InvalidImageName",
					   "ErrImageNeverPull",
					   "RegistryUnavailable",
					   "ErrImageInspect",
					   "SignatureValidationFailed"};
	static const char *const config[] = {
	    "CreateContainerConfigError", "CreateContainerError",
	    "RunContainerError",	  "PreStartHookError",
	    "PostStartHookError",	  "ContainerCannotRun"};
	size_t i;

	for (i = 0; i < sizeof(pull) / sizeof(pull[0]); i++)
		if (strcmp(reason, pull[i]) == 0)
			return WHY_P_PULL;
	for (i = 0; i < sizeof(config) / sizeof(config[0]); i++)
		if (strcmp(reason, config[i]) == 0)
			return WHY_P_CONFIG;
	if (strcmp(reason, "CrashLoopBackOff") == 0)
		return WHY_P_CRASH;
	return WHY_P_PENDING; /* ContainerCreating, PodInitializing */
}

const char *why_problem_name(enum why_problem p)
{
	static const char *const n[] = {
	    "ready",	     "image pull", "crash loop", "configuration",
	    "unschedulable", "pending",	   "not ready",	 "failed"};

	return (size_t)p < sizeof(n) / sizeof(n[0]) ? n[p] : "?";
}

/* Which problems explain more than others, for the container to name. */
static int problem_rank(enum why_problem p)
{
	switch (p) {
	case WHY_P_PULL:
	case WHY_P_CRASH:
	case WHY_P_CONFIG:
		return 3;
	case WHY_P_PENDING:
		return 2;
	case WHY_P_NOT_READY:
		return 1;
	default:
		return 0;
	}
}

/* One container status: its problem, and the pod fields it explains. */
static void container_of(const cJSON *cs, int init, struct why_pod *o)
{
	const cJSON *state = json_get(cs, "state"),
		    *last = json_get(cs, "lastState");
	const cJSON *wt = json_get(state, "waiting"),
		    *tm = json_get(state, "terminated");
	const cJSON *lt = json_get(last, "terminated");
	enum why_problem p = WHY_P_NONE;
	const char *reason = "", *msg = "";

	o->restarts += num(cs, "restartCount", 0);
	if (wt) {
		reason = str(wt, "reason");
		msg = str(wt, "message");
		p = waiting_problem(reason);
	} else if (tm) {
		long code = num(tm, "exitCode", 0);

		reason = str(tm, "reason");
		msg = str(tm, "message");
		if (init && code == 0)
			return; /* an init container that finished */
		p = code ? WHY_P_CRASH : WHY_P_NOT_READY;
	} else if (!cJSON_IsTrue(json_get(cs, "ready"))) {
		p = json_get(state, "running") ? WHY_P_NOT_READY
					       : WHY_P_PENDING;
		reason =
		    json_get(state, "running") ? "Running, not ready" : "";
	}
	if (p == WHY_P_NONE || problem_rank(p) <= problem_rank(o->problem))
		return;
	o->problem = p;
	o->init = init;
	copy(o->container, sizeof(o->container), str(cs, "name"));
	copy(o->reason, sizeof(o->reason), reason);
	copy(o->message, sizeof(o->message), msg);
	copy(o->image, sizeof(o->image), str(cs, "image"));
	o->has_last = lt != NULL;
	copy(o->last_reason, sizeof(o->last_reason), str(lt, "reason"));
	o->last_exit = (int)num(lt, "exitCode", 0);
}

static void pod_text(struct why_pod *o)
{
	char restarts[64] = "";
	char last[200] = "";

	if (o->restarts)
		why_fmt(restarts, sizeof(restarts), "; %ld restart%s",
			o->restarts, o->restarts == 1 ? "" : "s");
	if (o->problem == WHY_P_CRASH && o->last_reason[0])
		why_fmt(last, sizeof(last), " (last exit: %s, code %d)",
			o->last_reason, o->last_exit);
	if (o->problem == WHY_P_UNSCHEDULABLE) {
		why_fmt(o->text, sizeof(o->text), "%s: %s: %s", o->phase,
			o->reason, o->message);
		return;
	}
	if (!o->container[0]) {
		/* the pod's own reason: Evicted and the kubelet's why */
		why_fmt(o->text, sizeof(o->text), "%s%s%s%s%s%s", o->phase,
			o->reason[0] ? ": " : ", not ready", o->reason,
			o->message[0] ? ": " : "", o->message, restarts);
		return;
	}
	why_fmt(o->text, sizeof(o->text), "%s: %s%s %s%s%s%s%s", o->phase,
		o->init ? "init container " : "", o->container,
		o->reason[0] ? o->reason : "not ready", last,
		o->message[0] ? ": " : "", o->message, restarts);
}

void why_pod_of(const cJSON *pod, struct why_pod *o)
{
	const cJSON *md = json_get(pod, "metadata"),
		    *st = json_get(pod, "status");
	const cJSON *cs, *ready = condition(pod, "Ready");
	const cJSON *sched = condition(pod, "PodScheduled");

	memset(o, 0, sizeof(*o));
	copy(o->name, sizeof(o->name), str(md, "name"));
	copy(o->ns, sizeof(o->ns), str(md, "namespace"));
	copy(o->node, sizeof(o->node), str(json_get(pod, "spec"), "nodeName"));
	copy(o->phase, sizeof(o->phase),
	     *str(st, "phase") ? str(st, "phase") : "Pending");
	o->ready = ready && strcmp(str(ready, "status"), "True") == 0;
	if (strcmp(o->phase, "Succeeded") == 0)
		o->ready = 1; /* a finished pod is done, not broken */
	if (o->ready)
		return;
	if (strcmp(o->phase, "Failed") == 0) {
		o->problem = WHY_P_FAILED;
		copy(o->reason, sizeof(o->reason), str(st, "reason"));
		copy(o->message, sizeof(o->message), str(st, "message"));
	}
	if (sched && strcmp(str(sched, "status"), "False") == 0) {
		o->problem = WHY_P_UNSCHEDULABLE;
		copy(o->reason, sizeof(o->reason),
		     *str(sched, "reason") ? str(sched, "reason")
					   : "Unschedulable");
		copy(o->message, sizeof(o->message), str(sched, "message"));
	} else if (o->problem != WHY_P_FAILED) {
		cJSON_ArrayForEach(cs, json_get(st, "initContainerStatuses"))
		    container_of(cs, 1, o);
		if (!o->init || o->problem == WHY_P_NONE)
			cJSON_ArrayForEach(cs,
					   json_get(st, "containerStatuses"))
			    container_of(cs, 0, o);
		if (o->problem == WHY_P_NONE)
			o->problem = WHY_P_PENDING;
	}
	pod_text(o);
	/* ErrImagePull and ImagePullBackOff alternate: one problem */
	why_fmt(o->signature, sizeof(o->signature), "%d|%s|%s|%s",
		(int)o->problem, o->container,
		o->problem == WHY_P_PULL ? "" : o->reason, o->image);
}

/* ---- events ---------------------------------------------------------------
 */

static time_t event_time(const cJSON *ev)
{
	const char *c[4];
	time_t t = 0;
	size_t i;

	c[0] = str(ev, "lastTimestamp");
	c[1] = str(json_get(ev, "series"), "lastObservedTime");
	c[2] = str(ev, "eventTime");
	c[3] = str(json_get(ev, "metadata"), "creationTimestamp");
	for (i = 0; i < 4; i++)
		if (*c[i] && timefmt_parse_rfc3339(c[i], &t, NULL, NULL) == 0)
			return t;
	return 0;
}

/* The kubelet repeats a container's waiting reason as an event message
 * ("Error: ErrImagePull", pkg/kubelet/kuberuntime); the same reason's
 * other events ("Failed to pull image ...") say more. */
static int echo_only(const char *message)
{
	return strncmp(message, "Error: ", 7) == 0 &&
	       !strchr(message + 7, ' ');
}

/* 1 when event (t, echo) should replace the one kept in e. */
static int better(const struct why_event *e, time_t t, int echo)
{
	int kept_echo = echo_only(e->message);

	if (kept_echo != echo)
		return kept_echo;
	return t > e->last;
}

size_t why_events_pick(const cJSON *items, struct why_event *out, size_t max)
{
	const cJSON *ev;
	size_t n = 0, i;

	cJSON_ArrayForEach(ev, items)
	{
		const char *reason = str(ev, "reason");
		const char *msg = str(ev, "message");
		int echo = echo_only(msg);
		time_t t;
		long count;

		if (strcmp(str(ev, "type"), "Warning") != 0)
			continue;
		t = event_time(ev);
		count =
		    num(json_get(ev, "series"), "count", num(ev, "count", 1));
		for (i = 0; i < n; i++)
			if (strcmp(out[i].reason, reason) == 0)
				break;
		if (i < n) {
			/* one per reason: the newest that says most */
			if (!better(&out[i], t, echo))
				continue;
		} else if (n < max) {
			i = n++;
		} else {
			/* full: replace the oldest if this one is newer */
			size_t old = 0, k;

			for (k = 1; k < n; k++)
				if (out[k].last < out[old].last)
					old = k;
			if (t <= out[old].last)
				continue;
			i = old;
		}
		copy(out[i].reason, sizeof(out[i].reason), reason);
		copy(out[i].message, sizeof(out[i].message), msg);
		copy(out[i].source, sizeof(out[i].source),
		     *str(ev, "reportingComponent")
			 ? str(ev, "reportingComponent")
			 : str(json_get(ev, "source"), "component"));
		out[i].count = count;
		out[i].last = t;
	}
	/* newest first (insertion sort: n is small) */
	for (i = 1; i < n; i++) {
		struct why_event tmp = out[i];
		size_t k = i;

		while (k > 0 && out[k - 1].last < tmp.last) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = tmp;
	}
	return n;
}

/* ---- logs -----------------------------------------------------------------
 */

size_t why_log_tail(const char *text, size_t len, size_t max_lines,
		    char ***lines)
{
	size_t starts_cap = max_lines + 1, nstarts = 0, i, k, n = 0;
	size_t *starts;
	size_t end = len;

	*lines = NULL;
	if (!text || !len || !max_lines)
		return 0;
	/* a trailing newline ends the last line, it does not start one */
	if (end && text[end - 1] == '\n')
		end--;
	/* walk back, keeping the starts of the last max_lines lines */
	starts = xcalloc(starts_cap, sizeof(*starts));
	i = end;
	while (nstarts < starts_cap) {
		while (i > 0 && text[i - 1] != '\n')
			i--;
		starts[nstarts++] = i;
		if (i == 0)
			break;
		i--;
	}
	/* starts holds line starts, last line first */
	k = nstarts;
	if (nstarts > max_lines)
		k = max_lines;
	*lines = xcalloc(k ? k : 1, sizeof(**lines));
	while (k > 0) {
		size_t s = starts[k - 1];
		size_t e = k >= 2 ? starts[k - 2] - 1 : end;
		char *raw = xstrndup(text + s, e - s);

		(*lines)[n++] = text_safe(raw, -1, NULL);
		free(raw);
		k--;
	}
	free(starts);
	return n;
}

void why_lines_free(char ***lines, size_t n)
{
	size_t i;

	if (!lines || !*lines)
		return;
	for (i = 0; i < n; i++)
		free((*lines)[i]);
	free(*lines);
	*lines = NULL;
}
