/* kube_conn.c - the settings for one cluster and user: copied, cleared,
 * filled from a resolved kubeconfig context. Not the client that uses them. */
#include "kube.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static char **strv_dup(char *const *v)
{
	size_t n = 0, i;
	char **out;

	if (!v)
		return NULL;
	while (v[n])
		n++;
	out = xcalloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static unsigned char *mem_dup(const unsigned char *p, size_t n)
{
	unsigned char *q;

	if (!p)
		return NULL;
	q = xmalloc(n + 1);
	memcpy(q, p, n);
	q[n] = 0;
	return q;
}

void kube_conn_clear(struct kube_conn *c)
{
	if (!c)
		return;
	free(c->context);
	free(c->cluster_name);
	free(c->user_name);
	free(c->namespace);
	free(c->server);
	free(c->ca);
	free(c->tls_server_name);
	xfree_secret_str(c->token);
	free(c->token_file);
	free(c->cert);
	xfree_secret(c->key, c->key_len);
	free(c->username);
	xfree_secret_str(c->password);
	if (c->exec) {
		free(c->exec->api_version);
		free(c->exec->command);
		strv_free(c->exec->args);
		strv_free(c->exec->env);
		free(c->exec->install_hint);
		free(c->exec);
	}
	memset(c, 0, sizeof(*c));
}

void kube_conn_copy(struct kube_conn *d, const struct kube_conn *s)
{
	memset(d, 0, sizeof(*d));
	d->context = xstrdup(s->context);
	d->cluster_name = xstrdup(s->cluster_name);
	d->user_name = xstrdup(s->user_name);
	d->namespace = xstrdup(s->namespace);
	d->server = xstrdup(s->server);
	d->ca = mem_dup(s->ca, s->ca_len);
	d->ca_len = s->ca_len;
	d->insecure = s->insecure;
	d->allow_plain_http = s->allow_plain_http;
	d->tls_server_name = xstrdup(s->tls_server_name);
	d->token = xstrdup(s->token);
	d->token_file = xstrdup(s->token_file);
	d->cert = mem_dup(s->cert, s->cert_len);
	d->cert_len = s->cert_len;
	d->key = mem_dup(s->key, s->key_len);
	d->key_len = s->key_len;
	d->username = xstrdup(s->username);
	d->password = xstrdup(s->password);
	if (s->exec) {
		d->exec = xcalloc(1, sizeof(*d->exec));
		d->exec->api_version = xstrdup(s->exec->api_version);
		d->exec->command = xstrdup(s->exec->command);
		d->exec->args = strv_dup(s->exec->args);
		d->exec->env = strv_dup(s->exec->env);
		d->exec->interactive = s->exec->interactive;
		d->exec->provide_cluster_info = s->exec->provide_cluster_info;
		d->exec->install_hint = xstrdup(s->exec->install_hint);
	}
}

void kube_conn_from_target(struct kube_conn *c, const struct kube_target *t)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->context = xstrdup(t->context);
	c->cluster_name = xstrdup(t->cluster);
	c->user_name = xstrdup(t->user);
	c->namespace = xstrdup(t->namespace);
	c->server = xstrdup(t->server);
	c->ca = mem_dup(t->ca, t->ca_len);
	c->ca_len = t->ca_len;
	c->insecure = t->insecure;
	c->allow_plain_http = t->allow_plain_http;
	c->tls_server_name = xstrdup(t->tls_server_name);
	switch (t->auth) {
	case KUBE_AUTH_TOKEN:
		c->token = xstrdup(t->token);
		break;
	case KUBE_AUTH_TOKEN_FILE:
		c->token_file = xstrdup(t->token_file);
		break;
	case KUBE_AUTH_CLIENT_CERT:
		c->cert = mem_dup(t->client_cert, t->client_cert_len);
		c->cert_len = t->client_cert_len;
		c->key = mem_dup(t->client_key, t->client_key_len);
		c->key_len = t->client_key_len;
		break;
	case KUBE_AUTH_BASIC:
		c->username = xstrdup(t->username);
		c->password = xstrdup(t->password);
		break;
	case KUBE_AUTH_EXEC:
		c->exec = xcalloc(1, sizeof(*c->exec));
		c->exec->api_version = xstrdup(t->exec.api_version);
		c->exec->command = xstrdup(t->exec.command);
		c->exec->args = strv_dup(t->exec.args);
		c->exec->env = xcalloc(t->exec.nenv + 1, sizeof(char *));
		for (i = 0; i < t->exec.nenv; i++)
			c->exec->env[i] = xasprintf(
			    "%s=%s", t->exec.env[i].name,
			    t->exec.env[i].value ? t->exec.env[i].value : "");
		c->exec->interactive = t->exec.interactive_mode;
		c->exec->provide_cluster_info = t->exec.provide_cluster_info;
		c->exec->install_hint = xstrdup(t->exec.install_hint);
		break;
	default:
		break;
	}
}
