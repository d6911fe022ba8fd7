/* jumpbox.c - the jump-box checks: an Azure token and who it names, the
 * deployment's cluster and its AKS resource (private or public API
 * server), the kubeconfig's context for it, and IMDS. Read-only; every
 * request bounded in time. Not a sign-in dialog. */
#include "jumpbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "http.h"
#include "json.h"
#include "kubeconfig.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_CA_BYTES (4UL * 1024 * 1024)

struct jumpbox_check {
	struct loop *loop;
	struct azure_auth *auth;
	char *arm_endpoint, *ca_bundle, *imds, *sub, *rg, *deployment;
	unsigned char *ca;
	size_t ca_len;
	char *token;
	struct azure_token_call *tok;
	struct arm *arm;
	struct arm_call *outputs;
	struct http_req *imds_req, *aks_req;
	unsigned timer;
	int pending;
	jumpbox_done_fn done;
	void *ud;
	struct jumpbox_state st;
	/* kubeconfig contexts, to find the cluster's */
	struct kubeconfig *kc;
};

void jumpbox_url_host(const char *url, char *dst, size_t sz)
{
	const char *h = url ? strstr(url, "://") : NULL, *e;
	size_t n;

	if (sz)
		dst[0] = '\0';
	if (!h || !sz)
		return;
	h += 3;
	if (*h == '[') { /* [v6]:port */
		e = strchr(h, ']');
		if (!e)
			return;
		h++;
	} else {
		e = h + strcspn(h, ":/?#");
	}
	n = (size_t)(e - h);
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, h, n);
	dst[n] = '\0';
}

static void free_check(struct jumpbox_check *c)
{
	free(c->arm_endpoint);
	free(c->ca_bundle);
	free(c->imds);
	free(c->sub);
	free(c->rg);
	free(c->deployment);
	free(c->ca);
	xfree_secret_str(c->token);
	kubeconfig_free(&c->kc);
	free(c);
}

static void on_finish(void *ud)
{
	struct jumpbox_check *c = ud;

	c->timer = 0;
	c->done(&c->st, c->ud);
	arm_free(&c->arm);
	free_check(c);
}

/* One part ended; the last one reports (from the loop, never inside
 * jumpbox_check()). */
static void part_done(struct jumpbox_check *c)
{
	if (--c->pending == 0 && !c->timer)
		c->timer = loop_timer_add(c->loop, 0, on_finish, c);
}

/* ---- kubeconfig ------------------------------------------------------- */

static int ci_equal(const char *a, const char *b)
{
	return a && b && a[0] && strcasecmp(a, b) == 0;
}

/* The context names the cluster: by the context's name (az aks
 * get-credentials names it after the cluster), its cluster entry's
 * name, or its server's host. */
static int context_is_cluster(const struct kubeconfig *kc,
			      const struct kubeconfig_context *x,
			      const struct jumpbox_state *s)
{
	const struct kubeconfig_cluster *cl =
	    x->cluster ? kubeconfig_find_cluster(kc, x->cluster) : NULL;
	char host[256];

	if (ci_equal(x->name, s->cluster_name) ||
	    ci_equal(x->cluster, s->cluster_name))
		return 1;
	if (!cl || !cl->server)
		return 0;
	jumpbox_url_host(cl->server, host, sizeof(host));
	return ci_equal(host, s->fqdn) || ci_equal(host, s->private_fqdn);
}

static void kube_read(struct jumpbox_check *c, const char *path,
		      const char *context)
{
	struct jumpbox_state *s = &c->st;
	struct kube_target t;

	memset(&t, 0, sizeof(t));
	s->kube_for_cluster = -1;
	if (kubeconfig_load(&c->kc, path, &s->kube_err) < 0)
		return;
	if (kubeconfig_resolve(c->kc, context, &t, &s->kube_err) < 0)
		return;
	snprintf(s->context, sizeof(s->context), "%s",
		 t.context ? t.context : "");
	snprintf(s->server, sizeof(s->server), "%s", t.server ? t.server : "");
	snprintf(s->user, sizeof(s->user), "%s", t.user ? t.user : "");
	switch (t.auth) {
	case KUBE_AUTH_TOKEN:
	case KUBE_AUTH_TOKEN_FILE:
		snprintf(s->auth, sizeof(s->auth), "token");
		break;
	case KUBE_AUTH_CLIENT_CERT:
		snprintf(s->auth, sizeof(s->auth), "client certificate");
		break;
	case KUBE_AUTH_BASIC:
		snprintf(s->auth, sizeof(s->auth), "basic auth");
		break;
	case KUBE_AUTH_EXEC: {
		const char *cmd = t.exec.command ? t.exec.command : "?";
		const char *slash = strrchr(cmd, '/');

		snprintf(s->auth, sizeof(s->auth), "exec %.26s",
			 slash ? slash + 1 : cmd);
		break;
	}
	default:
		break;
	}
	if (t.auth == KUBE_AUTH_NONE)
		err_set(&s->kube_err, ERR_AUTH,
			"context %s has no credentials (user %s)", s->context,
			s->user[0] ? s->user : "(none)");
	else
		s->kube_ok = 1;
	kube_target_clear(&t);
}

/* Once the cluster is known: is the context its own, or is another? */
static void kube_match(struct jumpbox_check *c)
{
	struct jumpbox_state *s = &c->st;
	const struct kubeconfig_context *cur;
	size_t i;

	if (!c->kc || !s->cluster_known || !s->context[0])
		return;
	cur = kubeconfig_find_context(c->kc, s->context);
	s->kube_for_cluster = cur && context_is_cluster(c->kc, cur, s);
	if (s->kube_for_cluster)
		return;
	for (i = 0; i < c->kc->ncontexts; i++)
		if (context_is_cluster(c->kc, &c->kc->contexts[i], s)) {
			snprintf(s->cluster_context,
				 sizeof(s->cluster_context), "%s",
				 c->kc->contexts[i].name);
			break;
		}
}

/* ---- IMDS ------------------------------------------------------------- */

static void on_imds(const struct http_response *r, void *ud)
{
	struct jumpbox_check *c = ud;
	struct jumpbox_state *s = &c->st;
	cJSON *j;
	const cJSON *comp;
	const char *v;

	c->imds_req = NULL;
	s->imds_known = 1;
	if (r->status != 200) {
		if (r->status)
			err_set(&s->imds_err, ERR_HTTP,
				"IMDS at %s answered HTTP %ld", c->imds,
				r->status);
		else
			err_set(&s->imds_err, ERR_NET,
				"IMDS at %s did not answer", c->imds);
		part_done(c);
		return;
	}
	j = cJSON_ParseWithLength(r->body, r->body_len);
	comp = json_get(j, "compute");
	if (!cJSON_IsObject(comp)) {
		err_set(&s->imds_err, ERR_PARSE,
			"IMDS at %s answered without a compute document",
			c->imds);
	} else {
		s->on_azure_vm = 1;
		v = json_str(comp, "name");
		if (v)
			snprintf(s->vm_name, sizeof(s->vm_name), "%s", v);
		v = json_str(comp, "vmScaleSetName");
		if (v)
			snprintf(s->vmss, sizeof(s->vmss), "%s", v);
	}
	cJSON_Delete(j);
	part_done(c);
}

static void imds_start(struct jumpbox_check *c, long timeout_ms)
{
	static const char *const hdr[] = {"Metadata: true", NULL};
	struct http_request rq;
	struct err e;
	char *url;

	memset(&rq, 0, sizeof(rq));
	url =
	    xasprintf("%s/metadata/instance?api-version=2021-02-01", c->imds);
	rq.url = url;
	rq.headers = hdr;
	rq.timeout_ms = timeout_ms;
	rq.connect_timeout_ms = timeout_ms;
	rq.max_429_retries = -1;
	rq.on_done = on_imds;
	rq.ud = c;
	/* IMDS is plain HTTP on a link-local address: no proxy, no TLS. */
	err_clear(&e);
	c->pending++;
	c->imds_req = http_start(c->loop, &rq, &e);
	free(url);
	if (!c->imds_req) {
		c->st.imds_known = 1;
		c->st.imds_err = e;
		part_done(c);
	}
}

/* ---- the AKS resource ------------------------------------------------- */

/* ARM property names, matched without regard to case as ARM does. */
static int prop_true(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItem(o, a);

	if (!v && b)
		v = cJSON_GetObjectItem(o, b);
	return cJSON_IsTrue(v);
}

static int prop_false(const cJSON *o, const char *a)
{
	return cJSON_IsFalse(cJSON_GetObjectItem(o, a));
}

static void copy_str(char *dst, size_t sz, const cJSON *o, const char *k)
{
	const char *v = json_str(o, k);

	snprintf(dst, sz, "%s", v ? v : "");
}

static void on_aks(const struct http_response *r, void *ud)
{
	struct jumpbox_check *c = ud;
	struct jumpbox_state *s = &c->st;
	cJSON *j;
	const cJSON *props, *acc;

	c->aks_req = NULL;
	if (r->status != 200) {
		if (r->status)
			arm_error_sentence(r->status, r->body,
					   &s->cluster_err);
		else
			s->cluster_err = r->err;
		err_prefix(&s->cluster_err, "AKS cluster %s", s->cluster_name);
		part_done(c);
		return;
	}
	j = cJSON_ParseWithLength(r->body, r->body_len);
	props = json_get(j, "properties");
	if (!cJSON_IsObject(props)) {
		err_set(&s->cluster_err, ERR_PARSE,
			"AKS cluster %s: the answer has no properties",
			s->cluster_name);
	} else {
		acc = json_get(props, "apiServerAccessProfile");
		copy_str(s->fqdn, sizeof(s->fqdn), props, "fqdn");
		copy_str(s->private_fqdn, sizeof(s->private_fqdn), props,
			 "privateFQDN");
		s->is_private = prop_true(acc, "enablePrivateCluster", NULL);
		/* A private cluster keeps a public FQDN unless it was
		 * turned off (enablePrivateClusterPublicFQDN false). */
		s->has_public_fqdn =
		    s->fqdn[0] &&
		    (!s->is_private ||
		     !prop_false(acc, "enablePrivateClusterPublicFQDN"));
		s->cluster_known = 1;
		kube_match(c);
	}
	cJSON_Delete(j);
	part_done(c);
}

static void aks_start(struct jumpbox_check *c)
{
	struct http_request rq;
	const char *hdr[3];
	char *url, *auth;
	struct err e;

	auth = xasprintf("Authorization: Bearer %s", c->token);
	hdr[0] = auth;
	hdr[1] = "Accept: application/json";
	hdr[2] = NULL;
	url = xasprintf("%s/subscriptions/%s/resourceGroups/%s/providers/"
			"Microsoft.ContainerService/managedClusters/%s"
			"?api-version=" JUMPBOX_AKS_API,
			c->arm_endpoint, c->sub, c->rg, c->st.cluster_name);
	memset(&rq, 0, sizeof(rq));
	rq.url = url;
	rq.headers = hdr;
	rq.tls.ca = c->ca;
	rq.tls.ca_len = c->ca_len;
	rq.timeout_ms = JUMPBOX_ARM_TIMEOUT_MS;
	rq.idempotent = 1;
	rq.on_done = on_aks;
	rq.ud = c;
	err_clear(&e);
	c->aks_req = http_start(c->loop, &rq, &e);
	xfree_secret_str(auth);
	free(url);
	if (!c->aks_req) {
		c->st.cluster_err = e;
		part_done(c);
	}
}

static void on_outputs(struct arm_outputs *o, void *ud)
{
	struct jumpbox_check *c = ud;
	const char *name;

	c->outputs = NULL;
	if (!o->ok) {
		c->st.cluster_err = o->err;
		part_done(c);
		return;
	}
	name = arm_output_string(o->outputs, "aksClusterName");
	if (!name || !name[0]) {
		err_set(&c->st.cluster_err, ERR_NOTFOUND,
			"deployment %s has no output aksClusterName",
			c->deployment);
		part_done(c);
		return;
	}
	snprintf(c->st.cluster_name, sizeof(c->st.cluster_name), "%s", name);
	aks_start(c);
}

/* ---- Azure ------------------------------------------------------------ */

static void on_token(const struct azure_token *t, void *ud)
{
	struct jumpbox_check *c = ud;
	struct jumpbox_state *s = &c->st;
	const char *id, *src;
	struct err e;

	c->tok = NULL;
	s->azure_known = 1;
	if (t->status < 0) {
		s->azure_err = t->err;
		err_set(&s->cluster_err, ERR_AUTH,
			"not signed in to Azure, so the cluster cannot be "
			"looked up");
		part_done(c);
		return;
	}
	s->azure_ok = 1;
	id = azure_auth_identity(c->auth);
	src = azure_auth_source(c->auth);
	snprintf(s->azure_identity, sizeof(s->azure_identity), "%s",
		 id ? id : "(unnamed)");
	snprintf(s->azure_source, sizeof(s->azure_source), "%s",
		 src ? src : "");
	if (!c->sub || !c->sub[0]) {
		err_set(&s->cluster_err, ERR_USAGE,
			"no subscription: give --subscription "
			"(AZURE_SUBSCRIPTION_ID) to look the cluster up");
		part_done(c);
		return;
	}
	c->token = xstrdup(t->token);
	err_clear(&e);
	if (arm_new(&c->arm, c->loop, c->arm_endpoint, &e) < 0 ||
	    (c->ca_bundle && arm_set_ca_file(c->arm, c->ca_bundle, &e) < 0)) {
		s->cluster_err = e;
		part_done(c);
		return;
	}
	arm_set_token(c->arm, c->token);
	c->outputs = arm_deployment_outputs(c->arm, c->sub, c->rg,
					    c->deployment, on_outputs, c);
}

/* ---- start ------------------------------------------------------------ */

static char *strip_slash(const char *s, const char *def)
{
	char *r = xstrdup(s && s[0] ? s : def);
	size_t n = strlen(r);

	while (n > 0 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

static void read_ca(struct jumpbox_check *c)
{
	struct strbuf b = {0};

	if (!c->ca_bundle)
		return;
	/* When it cannot be read, the requests say why TLS failed. */
	if (strbuf_read_file(&b, c->ca_bundle, MAX_CA_BYTES) == 0 && b.len) {
		c->ca_len = b.len;
		c->ca = (unsigned char *)strbuf_take(&b);
	}
	strbuf_free(&b);
}

struct jumpbox_check *jumpbox_check(struct loop *l,
				    const struct jumpbox_opts *o,
				    jumpbox_done_fn done, void *ud)
{
	struct jumpbox_check *c = xcalloc(1, sizeof(*c));

	c->loop = l;
	c->done = done;
	c->ud = ud;
	c->auth = o->auth;
	c->arm_endpoint = strip_slash(o->arm_endpoint, ARM_DEFAULT_ENDPOINT);
	c->imds = strip_slash(o->imds_endpoint, "http://169.254.169.254");
	c->ca_bundle = xstrdup(o->ca_bundle);
	c->sub = xstrdup(o->subscription);
	c->rg =
	    xstrdup(o->resource_group ? o->resource_group : "rg-bu0001a0005");
	c->deployment =
	    xstrdup(o->deployment ? o->deployment : ARM_STAMP_DEPLOYMENT);
	read_ca(c);
	c->pending = 1; /* held until everything has started */
	kube_read(c, o->kubeconfig, o->context);
	imds_start(c, o->imds_timeout_ms > 0 ? o->imds_timeout_ms
					     : JUMPBOX_IMDS_TIMEOUT_MS);
	if (c->auth && o->cached_only &&
	    !azure_auth_cached(c->auth, AZURE_RESOURCE_ARM)) {
		c->st.azure_known = 1;
		err_set(&c->st.azure_err, ERR_AUTH,
			"not signed in yet (the images pane signs in)");
		err_set(&c->st.cluster_err, ERR_AUTH,
			"not signed in to Azure, so the cluster cannot be "
			"looked up");
	} else if (c->auth) {
		c->pending++;
		c->tok =
		    azure_auth_get(c->auth, AZURE_RESOURCE_ARM, on_token, c);
	} else {
		err_set(&c->st.azure_err, ERR_USAGE, "Azure is not checked");
		err_set(&c->st.cluster_err, ERR_USAGE, "Azure is not checked");
	}
	part_done(c);
	return c;
}

void jumpbox_cancel(struct jumpbox_check *c)
{
	if (!c)
		return;
	if (c->tok)
		azure_auth_cancel(c->tok);
	if (c->outputs)
		arm_call_cancel(c->outputs);
	http_cancel(c->imds_req);
	http_cancel(c->aks_req);
	if (c->timer)
		loop_timer_cancel(c->loop, c->timer);
	arm_free(&c->arm);
	free_check(c);
}
