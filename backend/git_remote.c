/* git_remote.c - reads a remote ref: the call's life, URLs, smart HTTPS
 * on the loop. Not the SSH transport (git_remote_ssh.c), not pktlines. */
#include "git_remote.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git_remote_int.h"
#include "http.h"
#include "pktline.h"
#include "xalloc.h"

#define MAX_REDIRECTS  5
#define UPLOAD_PACK_CT "application/x-git-upload-pack-advertisement"

/* ---- small helpers --------------------------------------------------- */

void git_remote_call_free(struct git_remote_call *c)
{
	free(c->url);
	free(c->shown);
	free(c->ref);
	xfree_secret_str(c->password);
	xfree_secret_str(c->identity);
	free(c->known_hosts);
	free(c->ca);
	xfree_secret_str(c->userpwd);
	free(c->req_url);
	free(c->origin);
	free(c->t.user);
	free(c->t.host);
	free(c->t.path);
	if (c->kind == CALL_SSH)
		pthread_mutex_destroy(&c->lock);
	free(c);
}

void git_remote_deliver(struct git_remote_call *c)
{
	c->in_callback = 1;
	c->done(&c->res, c->ud);
	git_remote_call_free(c);
}

long git_remote_remaining_ms(const struct git_remote_call *c)
{
	long long left = c->deadline - loop_now_ms();

	return left > 0 ? (long)left : 0;
}

/* ---- URLs ------------------------------------------------------------ */

static int is_http_url(const char *u)
{
	return strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0;
}

/* scheme://host[:port]/path with userinfo, query and fragment removed. */
static char *shown_http_url(const char *url)
{
	const char *host = strstr(url, "://") + 3;
	const char *slash = strchr(host, '/');
	const char *at, *end;
	size_t hlen = slash ? (size_t)(slash - host) : strlen(host);
	char *out;

	at = memchr(host, '@', hlen);
	while (at) {
		const char *next =
		    memchr(at + 1, '@', hlen - (size_t)(at + 1 - host));

		if (!next)
			break;
		at = next;
	}
	end = slash ? slash + strcspn(slash, "?#") : host + hlen;
	if (at) {
		out = xasprintf("%.*s%.*s", (int)(host - url), url,
				(int)(end - at - 1), at + 1);
	} else {
		out = xstrndup(url, (size_t)(end - url));
	}
	return out;
}

static char *http_origin(const char *url)
{
	const char *p = strstr(url, "://");
	const char *slash;

	if (!p)
		return xstrdup(url);
	slash = strchr(p + 3, '/');
	return slash ? xstrndup(url, (size_t)(slash - url)) : xstrdup(url);
}

/* ---- HTTPS ----------------------------------------------------------- */

static void on_http_done(const struct http_response *r, void *ud);

static int start_http(struct git_remote_call *c, struct err *e)
{
	static const char *const headers[] = {
	    "Accept: " UPLOAD_PACK_CT ", */*",
	    /* Some hosts answer the smart protocol only to git/... */
	    "User-Agent: git/2.0 (jumpdeck)",
	    "Pragma: no-cache",
	    NULL,
	};
	struct http_request rq;
	long left = git_remote_remaining_ms(c);

	if (left <= 0)
		return err_set(e, ERR_TIMEOUT, "%s: timed out", c->shown);
	memset(&rq, 0, sizeof(rq));
	rq.url = c->req_url;
	rq.headers = headers;
	rq.tls.ca = c->ca;
	rq.tls.ca_len = c->ca_len;
	rq.userpwd = c->userpwd;
	rq.timeout_ms = left;
	rq.connect_timeout_ms = left < 10000 ? left : 10000;
	rq.idempotent = 1;
	rq.max_error_retries = 1;
	rq.max_429_retries = 2;
	rq.on_done = on_http_done;
	rq.ud = c;
	c->http = http_start(c->loop, &rq, e);
	return c->http ? 0 : -e->code;
}

/* Follows a redirect; credentials only go to the same origin. */
static int follow_redirect(struct git_remote_call *c, const char *loc,
			   struct err *e)
{
	char *next, *origin;

	if (is_http_url(loc)) {
		next = xstrdup(loc);
	} else if (loc[0] == '/' && loc[1] != '/') {
		origin = http_origin(c->req_url);
		next = xasprintf("%s%s", origin, loc);
		free(origin);
	} else {
		return err_set(e, ERR_HTTP, "%s: unusable redirect", c->shown);
	}
	if (strncmp(c->req_url, "https://", 8) == 0 &&
	    strncmp(next, "https://", 8) != 0) {
		free(next);
		return err_set(e, ERR_HTTP,
			       "%s: the server redirects from HTTPS to "
			       "plain HTTP; not followed",
			       c->shown);
	}
	origin = http_origin(next);
	if (strcmp(origin, c->origin) != 0) {
		xfree_secret_str(c->userpwd);
		c->userpwd = NULL;
	}
	free(origin);
	free(c->req_url);
	c->req_url = next;
	c->redirects++;
	return start_http(c, e);
}

static void http_status_error(struct git_remote_call *c, long status)
{
	struct err *e = &c->res.err;

	switch (status) {
	case 401:
		if (c->userpwd)
			err_set(e, ERR_AUTH,
				"%s: authentication failed (HTTP 401); check "
				"the username and password or token",
				c->shown);
		else
			err_set(e, ERR_AUTH,
				"%s: authentication required (HTTP 401)",
				c->shown);
		break;
	case 403:
		err_set(e, ERR_DENIED, "%s: access denied (HTTP 403)",
			c->shown);
		break;
	case 404:
		err_set(e, ERR_NOTFOUND, "%s: repository not found (HTTP 404)",
			c->shown);
		break;
	default:
		err_set(e, ERR_HTTP, "%s: the server answered HTTP %ld",
			c->shown, status);
		break;
	}
}

void git_remote_resolve_into(struct git_remote_call *c,
			     const struct pkt_adv *a)
{
	struct git_remote_result *res = &c->res;

	if (pkt_adv_resolve(a, c->ref, res->sha, res->resolved_ref,
			    sizeof(res->resolved_ref), &res->err) == 0)
		res->ok = 1;
}

static void on_http_done(const struct http_response *r, void *ud)
{
	struct git_remote_call *c = ud;
	struct git_remote_result *res = &c->res;
	const char *ct, *loc;
	struct pkt_adv adv;

	c->http = NULL;
	if (r->status == 0) {
		res->err = r->err;
		git_remote_deliver(c);
		return;
	}
	loc = http_header_get(r, "location");
	if ((r->status == 301 || r->status == 302 || r->status == 303 ||
	     r->status == 307 || r->status == 308) &&
	    loc && *loc) {
		if (c->redirects >= MAX_REDIRECTS)
			err_set(&res->err, ERR_HTTP, "%s: too many redirects",
				c->shown);
		else if (follow_redirect(c, loc, &res->err) == 0)
			return;
		git_remote_deliver(c);
		return;
	}
	if (r->status != 200) {
		http_status_error(c, r->status);
		git_remote_deliver(c);
		return;
	}
	ct = http_header_get(r, "content-type");
	if (!ct || strncmp(ct, UPLOAD_PACK_CT, strlen(UPLOAD_PACK_CT)) != 0) {
		err_set(&res->err, ERR_PARSE,
			"%s: the server does not speak Git's smart HTTP "
			"protocol",
			c->shown);
		git_remote_deliver(c);
		return;
	}
	if (pkt_adv_parse(r->body, r->body_len, 1, &adv, &res->err) < 0) {
		err_prefix(&res->err, "%s", c->shown);
		git_remote_deliver(c);
		return;
	}
	git_remote_resolve_into(c, &adv);
	pkt_adv_clear(&adv);
	git_remote_deliver(c);
}

/* ---- public ----------------------------------------------------------- */

static struct git_remote_call *call_new(struct loop *l,
					const struct git_remote_opts *o,
					git_remote_done_fn done, void *ud)
{
	struct git_remote_call *c = xcalloc(1, sizeof(*c));
	long timeout =
	    o->timeout_ms > 0 ? o->timeout_ms : GIT_REMOTE_TIMEOUT_MS;

	c->loop = l;
	c->done = done;
	c->ud = ud;
	c->url = xstrdup(o->url);
	c->ref = xstrdup(o->ref);
	c->password = xstrdup(o->password);
	c->identity = xstrdup(o->identity);
	c->known_hosts = xstrdup(o->known_hosts);
	if (o->ca && o->ca_len) {
		c->ca = xmalloc(o->ca_len);
		memcpy(c->ca, o->ca, o->ca_len);
		c->ca_len = o->ca_len;
	}
	c->use_agent = o->use_agent;
	c->deadline = loop_now_ms() + timeout;
	return c;
}

static struct git_remote_call *start_https(struct git_remote_call *c,
					   const struct git_remote_opts *o,
					   struct err *e)
{
	size_t n = strlen(c->url);

	c->kind = CALL_HTTPS;
	c->shown = shown_http_url(c->url);
	while (n && c->url[n - 1] == '/')
		n--;
	c->req_url = xasprintf("%.*s/info/refs?service=git-upload-pack",
			       (int)n, c->url);
	c->origin = http_origin(c->req_url);
	if (o->username && *o->username)
		c->userpwd = xasprintf("%s:%s", o->username,
				       o->password ? o->password : "");
	else if (o->password && *o->password)
		c->userpwd = xasprintf("git:%s", o->password);
	if (start_http(c, e) < 0) {
		git_remote_call_free(c);
		return NULL;
	}
	return c;
}

struct git_remote_call *git_remote_head(struct loop *l,
					const struct git_remote_opts *o,
					git_remote_done_fn done, void *ud,
					struct err *e)
{
	struct git_remote_call *c;

	if (!o || !o->url || !*o->url || !done) {
		err_set(e, ERR_USAGE, "no Git URL given");
		return NULL;
	}
	c = call_new(l, o, done, ud);
	if (is_http_url(c->url))
		return start_https(c, o, e);
	if (strstr(c->url, "://") && strncmp(c->url, "ssh://", 6) != 0) {
		char *shown = shown_http_url(c->url);

		err_set(e, ERR_USAGE,
			"cannot use the Git URL %s (only "
			"https://, http:// and ssh:// are supported)",
			shown);
		free(shown);
		git_remote_call_free(c);
		return NULL;
	}
	return git_remote_ssh_start(c, e);
}

void git_remote_cancel(struct git_remote_call *c)
{
	if (!c || c->in_callback)
		return;
	if (c->kind == CALL_HTTPS) {
		http_cancel(c->http);
		git_remote_call_free(c);
		return;
	}
	git_remote_ssh_cancel(c);
}
