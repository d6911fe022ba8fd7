/* flux_drift.c - per GitRepository: optionally GET its secret, then ask
 * the remote for the ref's commit (backend/git_remote) and compare with
 * Flux's artifact revision. One check at a time per repository. */
#include "flux_drift.h"
#include "base64.h"
#include "git_remote.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct repo {
	char ns[256];
	char name[256];
	struct drift_result r;
	struct flux_drift *d;
	struct kube_call *secret_call;
	struct git_remote_call *git;
	/* what to check, copied from the object when the check starts */
	char url[1024];
	char ref[300];
	char secret[256];
	char flux_sha[65];
	char note[900]; /* why the secret was not used, or "" */
	int seen; /* in the last update */
};

struct flux_drift {
	struct kube_client *c;
	struct loop *loop;
	flux_drift_fn on_change;
	void *ud;
	struct repo **repos;
	size_t n, cap;
};

const char *drift_state_text(enum drift_state s)
{
	switch (s) {
	case DRIFT_CHECKING:
		return "checking";
	case DRIFT_IN_SYNC:
		return "in sync";
	case DRIFT_BEHIND:
		return "behind";
	case DRIFT_PINNED:
		return "pinned";
	case DRIFT_ERROR:
		return "unknown";
	default:
		return "?";
	}
}

struct flux_drift *flux_drift_new(struct kube_client *c,
				  flux_drift_fn on_change, void *ud)
{
	struct flux_drift *d = xcalloc(1, sizeof(*d));

	d->c = c;
	d->loop = kube_client_loop(c);
	d->on_change = on_change;
	d->ud = ud;
	return d;
}

static void repo_stop(struct repo *r)
{
	kube_call_cancel(r->secret_call);
	r->secret_call = NULL;
	git_remote_cancel(r->git);
	r->git = NULL;
}

void flux_drift_free(struct flux_drift **dp)
{
	struct flux_drift *d = dp ? *dp : NULL;
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		repo_stop(d->repos[i]);
		free(d->repos[i]);
	}
	free(d->repos);
	free(d);
	*dp = NULL;
}

static struct repo *find(const struct flux_drift *d, const char *ns,
			 const char *name)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->repos[i]->ns, ns) == 0 &&
		    strcmp(d->repos[i]->name, name) == 0)
			return d->repos[i];
	return NULL;
}

const struct drift_result *flux_drift_get(const struct flux_drift *d,
					  const char *ns, const char *name)
{
	struct repo *r = find(d, ns, name);

	return r ? &r->r : NULL;
}

int flux_drift_busy(const struct flux_drift *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->repos[i]->r.state == DRIFT_CHECKING)
			return 1;
	return 0;
}

static void changed(struct flux_drift *d)
{
	if (d->on_change)
		d->on_change(d->ud);
}

static void short_sha(const char *sha, char *buf, size_t sz)
{
	snprintf(buf, sz, "%.8s", sha);
}

static void on_git(const struct git_remote_result *g, void *ud)
{
	struct repo *r = ud;
	char a[16], b[16];

	r->git = NULL;
	r->r.checked_ms = loop_now_ms();
	r->r.host_key_mismatch = g->host_key_mismatch;
	snprintf(r->r.presented_fp, sizeof(r->r.presented_fp), "%s",
		 g->presented_fp);
	snprintf(r->r.expected_fp, sizeof(r->r.expected_fp), "%s",
		 g->expected_fp);
	if (!g->ok) {
		r->r.state = DRIFT_ERROR;
		snprintf(r->r.message, sizeof(r->r.message),
			 "could not check: %s%s", g->err.msg, r->note);
		changed(r->d);
		return;
	}
	snprintf(r->r.remote_sha, sizeof(r->r.remote_sha), "%s", g->sha);
	snprintf(r->r.flux_sha, sizeof(r->r.flux_sha), "%s", r->flux_sha);
	short_sha(g->sha, a, sizeof(a));
	short_sha(r->flux_sha, b, sizeof(b));
	if (!r->flux_sha[0]) {
		r->r.state = DRIFT_BEHIND;
		snprintf(r->r.message, sizeof(r->r.message),
			 "remote at %s, Flux has fetched nothing yet", a);
	} else if (strcmp(g->sha, r->flux_sha) == 0) {
		r->r.state = DRIFT_IN_SYNC;
		snprintf(r->r.message, sizeof(r->r.message),
			 "in sync at %s", a);
	} else {
		r->r.state = DRIFT_BEHIND;
		snprintf(r->r.message, sizeof(r->r.message),
			 "behind: remote at %s, Flux at %s", a, b);
	}
	changed(r->d);
}

static char *secret_value(const cJSON *data, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);
	unsigned char *out = NULL;
	size_t len = 0;

	if (!cJSON_IsString(v))
		return NULL;
	if (base64_decode(v->valuestring, strlen(v->valuestring), &out, &len,
			  NULL) < 0)
		return NULL;
	return (char *)out; /* NUL-terminated by base64_decode */
}

static void ask_remote(struct repo *r, const cJSON *secret_data,
		       const char *secret_note)
{
	struct git_remote_opts o;
	struct err e;
	char *user = NULL, *pass = NULL, *ident = NULL, *kh = NULL;
	char *token = NULL, *ca = NULL;

	memset(&o, 0, sizeof(o));
	snprintf(r->note, sizeof(r->note), "%s",
		 secret_note ? secret_note : "");
	if (secret_data) {
		user = secret_value(secret_data, "username");
		pass = secret_value(secret_data, "password");
		token = secret_value(secret_data, "bearerToken");
		ident = secret_value(secret_data, "identity");
		kh = secret_value(secret_data, "known_hosts");
		/* v1 secrets call it ca.crt, v1beta1 ones caFile. */
		ca = secret_value(secret_data, "ca.crt");
		if (!ca)
			ca = secret_value(secret_data, "caFile");
	}
	o.url = r->url;
	o.ref = r->ref[0] ? r->ref : NULL;
	o.username = user;
	o.password = pass ? pass : token;
	o.identity = ident;
	o.known_hosts = kh;
	o.ca = (const unsigned char *)ca;
	o.ca_len = ca ? strlen(ca) : 0;
	o.use_agent = 1;
	err_clear(&e);
	r->git = git_remote_head(r->d->loop, &o, on_git, r, &e);
	xfree_secret_str(user);
	xfree_secret_str(pass);
	xfree_secret_str(token);
	xfree_secret_str(ident);
	xfree_secret_str(kh);
	free(ca);
	if (!r->git) {
		r->r.state = DRIFT_ERROR;
		r->r.checked_ms = loop_now_ms();
		snprintf(r->r.message, sizeof(r->r.message),
			 "could not check: %s%s", e.msg, r->note);
		changed(r->d);
	}
}

static void on_secret(struct kube_result *res, void *ud)
{
	struct repo *r = ud;
	char note[900];

	r->secret_call = NULL;
	if (!res->ok) {
		/* Not fatal: the operator's own keys may still work. */
		snprintf(note, sizeof(note), " (secret %s: %s)", r->secret,
			 res->err.msg);
		ask_remote(r, NULL, note);
		return;
	}
	ask_remote(r, cJSON_GetObjectItemCaseSensitive(res->json, "data"),
		   NULL);
}

/* "branch main" -> "main"; "tag v1" -> "refs/tags/v1"; "name X" -> X. */
static void ref_from_text(const char *t, char *buf, size_t sz)
{
	if (strncmp(t, "branch ", 7) == 0)
		snprintf(buf, sz, "%s", t + 7);
	else if (strncmp(t, "tag ", 4) == 0)
		snprintf(buf, sz, "refs/tags/%s", t + 4);
	else if (strncmp(t, "name ", 5) == 0)
		snprintf(buf, sz, "%s", t + 5);
	else
		buf[0] = '\0';
}

static void start_check(struct repo *r, const struct flux_object *o)
{
	char path[800], ns[300], name[300];

	repo_stop(r);
	snprintf(r->url, sizeof(r->url), "%s", o->url);
	snprintf(r->flux_sha, sizeof(r->flux_sha), "%s", o->sha);
	snprintf(r->secret, sizeof(r->secret), "%s", o->secret_ref);
	if (strncmp(o->ref_text, "commit ", 7) == 0 ||
	    strncmp(o->ref_text, "semver ", 7) == 0) {
		r->r.state = DRIFT_PINNED;
		r->r.checked_ms = loop_now_ms();
		snprintf(r->r.message, sizeof(r->r.message),
			 "follows %s: no branch to compare with", o->ref_text);
		changed(r->d);
		return;
	}
	ref_from_text(o->ref_text, r->ref, sizeof(r->ref));
	r->r.state = DRIFT_CHECKING;
	changed(r->d);
	if (!r->secret[0]) {
		ask_remote(r, NULL, NULL);
		return;
	}
	kube_escape(ns, sizeof(ns), o->namespace);
	kube_escape(name, sizeof(name), o->secret_ref);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/secrets/%s", ns,
		 name);
	r->secret_call = kube_request(r->d->c, "GET", path, NULL, NULL,
				      on_secret, r);
}

static struct repo *get_repo(struct flux_drift *d,
			     const struct flux_object *o)
{
	struct repo *r = find(d, o->namespace, o->name);

	if (r)
		return r;
	r = xcalloc(1, sizeof(*r));
	r->d = d;
	snprintf(r->ns, sizeof(r->ns), "%s", o->namespace);
	snprintf(r->name, sizeof(r->name), "%s", o->name);
	d->repos = xgrow(d->repos, &d->cap, d->n + 1, sizeof(*d->repos));
	d->repos[d->n++] = r;
	return r;
}

void flux_drift_update(struct flux_drift *d, const struct flux_object *v,
		       size_t n, long long min_interval_ms)
{
	long long now = loop_now_ms();
	size_t i, j;

	for (i = 0; i < d->n; i++)
		d->repos[i]->seen = 0;
	for (i = 0; i < n; i++) {
		const struct flux_object *o = &v[i];
		struct repo *r;
		long long every = 0;

		if (o->kind != FLUX_GIT_REPOSITORY || !*o->url)
			continue;
		r = get_repo(d, o);
		r->seen = 1;
		if (r->r.state == DRIFT_CHECKING)
			continue;
		if (timefmt_parse_duration(o->interval, &every, NULL) < 0 ||
		    every < min_interval_ms)
			every = min_interval_ms;
		if (r->r.checked_ms && now - r->r.checked_ms < every) {
			/* Flux may have caught up since: compare again. */
			if (r->r.state == DRIFT_BEHIND && *o->sha &&
			    strcmp(o->sha, r->r.remote_sha) == 0) {
				r->r.state = DRIFT_IN_SYNC;
				snprintf(r->flux_sha, sizeof(r->flux_sha),
					 "%s", o->sha);
				snprintf(r->r.message, sizeof(r->r.message),
					 "in sync at %.8s", o->sha);
				changed(d);
			}
			continue;
		}
		start_check(r, o);
	}
	/* Forget repositories that are gone. */
	for (i = j = 0; i < d->n; i++) {
		if (d->repos[i]->seen || d->repos[i]->r.state ==
						 DRIFT_CHECKING) {
			d->repos[j++] = d->repos[i];
			continue;
		}
		repo_stop(d->repos[i]);
		free(d->repos[i]);
	}
	d->n = j;
}
