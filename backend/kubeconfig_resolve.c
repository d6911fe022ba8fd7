/* kubeconfig_resolve.c - resolves one context of a loaded kubeconfig into
 * a kube_target, with kubectl's checks. Not the reading of YAML. */
#include "kubeconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kubeconfig_int.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_PEM_BYTES	 ((size_t)4 << 20)
#define MAX_NAMES_LISTED 20

#define EXEC_V1	      "client.authentication.k8s.io/v1"
#define EXEC_V1BETA1  "client.authentication.k8s.io/v1beta1"
#define EXEC_V1ALPHA1 "client.authentication.k8s.io/v1alpha1"

static unsigned char *dup_bytes(const unsigned char *p, size_t n)
{
	unsigned char *q;

	if (!p)
		return NULL;
	q = xmalloc(n + 1);
	memcpy(q, p, n);
	q[n] = '\0';
	return q;
}

static void add_files(struct strbuf *b, const struct kubeconfig *kc)
{
	size_t i;

	for (i = 0; i < kc->nfiles; i++)
		strbuf_addf(b, "%s%s", i ? ", " : "", kc->files[i]);
}

/* "contexts in /a, /b: x, y" or "no contexts in /a", for messages. */
static char *names_note(const struct kubeconfig *kc, enum list_kind kind)
{
	struct strbuf b = {0};
	size_t i, n;
	const char *name;

	n = kind == LIST_CLUSTERS ? kc->nclusters
	    : kind == LIST_USERS  ? kc->nusers
				  : kc->ncontexts;
	strbuf_addf(&b, "%s%s in ", n ? "" : "no ",
		    kubeconfig_list_name(kind));
	add_files(&b, kc);
	for (i = 0; i < n && i < MAX_NAMES_LISTED; i++) {
		name = kind == LIST_CLUSTERS ? kc->clusters[i].name
		       : kind == LIST_USERS  ? kc->users[i].name
					     : kc->contexts[i].name;
		strbuf_addf(&b, "%s%s", i ? ", " : ": ", name);
	}
	if (n > MAX_NAMES_LISTED)
		strbuf_addf(&b, ", and %zu more", n - MAX_NAMES_LISTED);
	return strbuf_take(&b);
}

/* Reads a PEM (or any) file named by a kubeconfig key. */
static int read_referenced(const char *file, int line, const char *path,
			   const char *key, const char *target,
			   unsigned char **buf, size_t *len, struct err *e)
{
	char *text;
	int rc = kubeconfig_read_file(target, MAX_PEM_BYTES, &text, len);

	if (rc != 0)
		return err_set(e, ERR_IO, "%s:%d: %s.%s: cannot read %s: %s",
			       file, line, path, key, target,
			       strbuf_file_error(rc));
	*buf = (unsigned char *)text;
	return 0;
}

static void exec_copy(struct kubeconfig_exec *dst,
		      const struct kubeconfig_exec *src)
{
	size_t i;

	*dst = *src;
	dst->api_version = xstrdup(src->api_version);
	dst->command = xstrdup(src->command);
	dst->install_hint = xstrdup(src->install_hint);
	dst->args = xcalloc(src->nargs + 1, sizeof(*dst->args));
	for (i = 0; i < src->nargs; i++)
		dst->args[i] = xstrdup(src->args[i]);
	dst->env = xcalloc(src->nenv ? src->nenv : 1, sizeof(*dst->env));
	for (i = 0; i < src->nenv; i++) {
		dst->env[i].name = xstrdup(src->env[i].name);
		dst->env[i].value = xstrdup(src->env[i].value);
		dst->env[i].line = src->env[i].line;
	}
}

/* kubectl's checks of an exec block; *mode gets the effective mode. */
static int check_exec(const struct kubeconfig_user *u, const char *upath,
		      enum kube_interactive *mode, struct err *e)
{
	const struct kubeconfig_exec *x = u->exec;
	const char *f = u->from.file;
	const char *v = x->api_version;
	size_t i;

	if (!v)
		return err_set(
		    e, ERR_USAGE,
		    "%s:%d: %s.exec.apiVersion: missing; use " EXEC_V1
		    " or " EXEC_V1BETA1,
		    f, x->line, upath);
	if (strcmp(v, EXEC_V1ALPHA1) == 0)
		return err_set(e, ERR_USAGE,
			       "%s:%d: %s.exec.apiVersion: %s is no longer"
			       " supported; use " EXEC_V1 " or " EXEC_V1BETA1,
			       f, x->line, upath, v);
	if (strcmp(v, EXEC_V1) != 0 && strcmp(v, EXEC_V1BETA1) != 0)
		return err_set(e, ERR_USAGE,
			       "%s:%d: %s.exec.apiVersion: unknown version"
			       " \"%s\"; use " EXEC_V1 " or " EXEC_V1BETA1,
			       f, x->line, upath, v);
	if (!x->command)
		return err_set(e, ERR_USAGE, "%s:%d: %s.exec.command: missing",
			       f, x->line, upath);
	for (i = 0; i < x->nenv; i++)
		if (!x->env[i].name)
			return err_set(e, ERR_USAGE,
				       "%s:%d: %s.exec.env[%zu].name: missing",
				       f, x->env[i].line, upath, i);
	*mode = x->interactive_mode;
	if (*mode == KUBE_INTERACTIVE_INVALID)
		return err_set(e, ERR_USAGE,
			       "%s:%d: %s.exec.interactiveMode: must be Never,"
			       " IfAvailable or Always",
			       f, x->interactive_mode_line, upath);
	if (*mode == KUBE_INTERACTIVE_UNSET && strcmp(v, EXEC_V1) == 0)
		return err_set(
		    e, ERR_USAGE,
		    "%s:%d: %s.exec.interactiveMode: missing; " EXEC_V1
		    " requires Never, IfAvailable or Always",
		    f, x->line, upath);
	if (*mode == KUBE_INTERACTIVE_UNSET)
		*mode = KUBE_INTERACTIVE_IF_AVAILABLE;
	return 0;
}

static int resolve_user(const struct kubeconfig_user *u, struct kube_target *t,
			struct err *e)
{
	const char *f = u->from.file;
	int has_cert = u->client_cert_data || u->client_cert_file;
	int has_key = u->client_key_data || u->client_key_file;
	int has_basic = u->username || u->password;
	int has_token = u->token || u->token_file;
	enum kube_interactive mode = KUBE_INTERACTIVE_UNSET;
	unsigned char *tmp = NULL;
	size_t tmp_len = 0;
	char *upath;
	int rc = 0;

	upath = xasprintf("users[%d] (\"%s\").user", u->from.index, u->name);
	if (u->auth_provider)
		rc =
		    err_set(e, ERR_USAGE,
			    "%s:%d: %s.auth-provider: \"%s\" is not supported"
			    " (client-go removed the azure and gcp providers);"
			    " use an exec plugin, for AKS run \"kubelogin"
			    " convert-kubeconfig\"",
			    f, u->auth_provider_line, upath, u->auth_provider);
	else if (has_token && has_basic)
		rc = err_set(e, ERR_USAGE,
			     "%s:%d: %s: more than one authentication method"
			     " (token and username/password); keep one",
			     f, u->from.line, upath);
	else if (has_cert && !has_key)
		rc =
		    err_set(e, ERR_USAGE,
			    "%s:%d: %s: client-certificate%s without"
			    " client-key or client-key-data",
			    f,
			    u->client_cert_file_line ? u->client_cert_file_line
						     : u->from.line,
			    upath, u->client_cert_data ? "-data" : "");
	else if (has_key && !has_cert)
		rc = err_set(e, ERR_USAGE,
			     "%s:%d: %s: client-key%s without"
			     " client-certificate or client-certificate-data",
			     f,
			     u->client_key_file_line ? u->client_key_file_line
						     : u->from.line,
			     upath, u->client_key_data ? "-data" : "");
	if (rc == 0 && u->exec)
		rc = check_exec(u, upath, &mode, e);

	/* client certificate: inline data wins over a file, like kubectl */
	if (rc == 0 && has_cert && u->client_cert_data) {
		t->client_cert =
		    dup_bytes(u->client_cert_data, u->client_cert_data_len);
		t->client_cert_len = u->client_cert_data_len;
	} else if (rc == 0 && has_cert) {
		rc = read_referenced(f, u->client_cert_file_line, upath,
				     "client-certificate", u->client_cert_file,
				     &t->client_cert, &t->client_cert_len, e);
	}
	if (rc == 0 && has_key && u->client_key_data) {
		t->client_key =
		    dup_bytes(u->client_key_data, u->client_key_data_len);
		t->client_key_len = u->client_key_data_len;
	} else if (rc == 0 && has_key) {
		rc = read_referenced(f, u->client_key_file_line, upath,
				     "client-key", u->client_key_file,
				     &t->client_key, &t->client_key_len, e);
	}
	if (rc == 0 && u->token_file) {
		/* checked now, read again at every use */
		rc = read_referenced(f, u->token_file_line, upath, "tokenFile",
				     u->token_file, &tmp, &tmp_len, e);
		if (rc == 0)
			xfree_secret(tmp, tmp_len);
	}
	if (rc == 0) {
		if (u->token_file) {
			t->auth = KUBE_AUTH_TOKEN_FILE;
			t->token_file = xstrdup(u->token_file);
		} else if (u->token) {
			t->auth = KUBE_AUTH_TOKEN;
			t->token = xstrdup(u->token);
		} else if (has_basic) {
			t->auth = KUBE_AUTH_BASIC;
			t->username = xstrdup(u->username ? u->username : "");
			t->password = xstrdup(u->password ? u->password : "");
		} else if (has_cert) {
			t->auth = KUBE_AUTH_CLIENT_CERT;
		} else if (u->exec) {
			t->auth = KUBE_AUTH_EXEC;
			exec_copy(&t->exec, u->exec);
			t->exec.interactive_mode = mode;
		}
	}
	free(upath);
	return rc;
}

static int resolve_cluster(const struct kubeconfig_cluster *c,
			   struct kube_target *t, struct err *e)
{
	char *cpath =
	    xasprintf("clusters[%d] (\"%s\").cluster", c->from.index, c->name);
	int rc = 0;

	if (!c->server)
		rc = err_set(e, ERR_USAGE, "%s:%d: %s.server: missing",
			     c->from.file, c->from.line, cpath);
	else if (c->insecure && (c->ca_data || c->ca_file))
		rc = err_set(e, ERR_USAGE,
			     "%s:%d: %s: insecure-skip-tls-verify cannot be"
			     " combined with certificate-authority%s; remove"
			     " one of them",
			     c->from.file, c->from.line, cpath,
			     c->ca_data ? "-data" : "");
	if (rc == 0 && c->ca_data) {
		t->ca = dup_bytes(c->ca_data, c->ca_data_len);
		t->ca_len = c->ca_data_len;
	} else if (rc == 0 && c->ca_file) {
		rc = read_referenced(c->from.file, c->ca_file_line, cpath,
				     "certificate-authority", c->ca_file,
				     &t->ca, &t->ca_len, e);
	}
	if (rc == 0) {
		t->cluster = xstrdup(c->name);
		t->server = xstrdup(c->server);
		t->insecure = c->insecure;
		t->allow_plain_http = c->allow_plain_http;
		t->tls_server_name = xstrdup(c->tls_server_name);
		t->proxy_url = xstrdup(c->proxy_url);
	}
	free(cpath);
	return rc;
}

static int resolve_into(const struct kubeconfig *kc, const char *override,
			struct kube_target *t, struct err *e)
{
	const struct kubeconfig_context *ctx;
	const struct kubeconfig_cluster *cl;
	const struct kubeconfig_user *u = NULL;
	const char *name =
	    override && *override ? override : kc->current_context;
	char *note, *ctxpath;
	int rc = 0;

	if (!name) {
		note = names_note(kc, LIST_CONTEXTS);
		rc = err_set(e, ERR_USAGE,
			     "no context chosen: no file sets current-context"
			     " and no context was given (%s)",
			     note);
		free(note);
		return rc;
	}
	ctx = kubeconfig_find_context(kc, name);
	if (!ctx) {
		note = names_note(kc, LIST_CONTEXTS);
		if (name == kc->current_context)
			rc =
			    err_set(e, ERR_NOTFOUND,
				    "%s:%d: current-context \"%s\" not found"
				    " (%s)",
				    kc->current_context_from.file,
				    kc->current_context_from.line, name, note);
		else
			rc = err_set(e, ERR_NOTFOUND,
				     "context \"%s\" not found (%s)", name,
				     note);
		free(note);
		return rc;
	}
	ctxpath = xasprintf("contexts[%d] (\"%s\").context", ctx->from.index,
			    ctx->name);
	cl = kubeconfig_find_cluster(kc, ctx->cluster);
	if (!ctx->cluster) {
		rc = err_set(e, ERR_USAGE, "%s:%d: %s.cluster: missing",
			     ctx->from.file, ctx->from.line, ctxpath);
	} else if (!cl) {
		note = names_note(kc, LIST_CLUSTERS);
		rc =
		    err_set(e, ERR_NOTFOUND,
			    "%s:%d: %s.cluster: cluster \"%s\" not found (%s)",
			    ctx->from.file, ctx->cluster_line, ctxpath,
			    ctx->cluster, note);
		free(note);
	} else if (ctx->user) {
		u = kubeconfig_find_user(kc, ctx->user);
		if (!u) {
			note = names_note(kc, LIST_USERS);
			rc = err_set(e, ERR_NOTFOUND,
				     "%s:%d: %s.user: user \"%s\" not found"
				     " (%s)",
				     ctx->from.file, ctx->user_line, ctxpath,
				     ctx->user, note);
			free(note);
		}
	}
	free(ctxpath);
	if (rc == 0)
		rc = resolve_cluster(cl, t, e);
	if (rc == 0 && u)
		rc = resolve_user(u, t, e);
	if (rc == 0) {
		t->context = xstrdup(ctx->name);
		t->user = xstrdup(ctx->user);
		t->namespace =
		    xstrdup(ctx->namespace ? ctx->namespace : "default");
	}
	return rc;
}

int kubeconfig_resolve(const struct kubeconfig *kc,
		       const char *context_override, struct kube_target *out,
		       struct err *e)
{
	struct err local;
	int rc;

	if (!e)
		e = &local;
	memset(out, 0, sizeof(*out));
	rc = resolve_into(kc, context_override, out, e);
	if (rc < 0)
		kube_target_clear(out);
	return rc;
}

void kube_target_clear(struct kube_target *t)
{
	if (!t)
		return;
	free(t->context);
	free(t->cluster);
	free(t->user);
	free(t->namespace);
	free(t->server);
	free(t->ca);
	free(t->tls_server_name);
	free(t->proxy_url);
	xfree_secret_str(t->token);
	free(t->token_file);
	free(t->client_cert);
	xfree_secret(t->client_key, t->client_key_len);
	free(t->username);
	xfree_secret_str(t->password);
	kubeconfig_exec_clear(&t->exec);
	memset(t, 0, sizeof(*t));
}
