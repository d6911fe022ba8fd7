/* registry.c - the registry API v2 client: operations, requests, error
 * sentences, listings and manifests. Not tokens, copies or references. */
#include "registry.h"
#include "registry_int.h"
#include "base64.h"
#include "challenge.h"
#include "http.h"
#include "json.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#define MAX_HOPS 5
#define MAX_PAGES 100000
#define ACCEPT_ALL                                                          \
	"Accept: " REGISTRY_MT_DOCKER_MANIFEST ", " REGISTRY_MT_DOCKER_LIST  \
	", " REGISTRY_MT_OCI_MANIFEST ", " REGISTRY_MT_OCI_INDEX

/* ---- small helpers ------------------------------------------------------ */

/* ref resolved against base (a Link or Location may be relative). */
char *registry_resolve_url(const char *base, const char *ref)
{
	CURLU *u = curl_url();
	char *out = NULL, *res = NULL;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		res = xstrdup(out);
	curl_free(out);
	curl_url_cleanup(u);
	return res;
}

void registry_copy_str(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

/* The first registry error of a body: {"errors":[{"code","message"}]},
 * or the OAuth/ARM shapes token services use. */
int registry_body_error(const char *body, char *code, size_t csz, char *msg,
			size_t msz)
{
	cJSON *j = body && *body ? cJSON_Parse(body) : NULL;
	const cJSON *arr, *first, *errobj;
	int found = 0;

	code[0] = msg[0] = '\0';
	arr = cJSON_GetObjectItemCaseSensitive(j, "errors");
	first = cJSON_IsArray(arr) ? cJSON_GetArrayItem(arr, 0) : NULL;
	errobj = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsObject(first)) {
		registry_copy_str(code, csz, json_str(first, "code"));
		registry_copy_str(msg, msz, json_str(first, "message"));
		found = 1;
	} else if (cJSON_IsObject(errobj)) {
		registry_copy_str(code, csz, json_str(errobj, "code"));
		registry_copy_str(msg, msz, json_str(errobj, "message"));
		found = 1;
	} else if (cJSON_IsString(errobj)) {
		registry_copy_str(code, csz, errobj->valuestring);
		registry_copy_str(msg, msz, json_str(j, "error_description"));
		msg[strcspn(msg, "\r\n")] = '\0';
		found = 1;
	}
	cJSON_Delete(j);
	return found && (code[0] || msg[0]);
}

/* ---- the registry and its token caches ---------------------------------- */

struct registry *registry_new(struct loop *l, const struct registry_opts *o)
{
	struct registry *r = xcalloc(1, sizeof(*r));
	const char *url = o->url ? o->url : "";
	size_t n = strlen(url);

	r->loop = l;
	while (n && url[n - 1] == '/')
		n--;
	r->base = xstrndup(url, n);
	if (o->name && *o->name) {
		r->name = xstrdup(o->name);
	} else {
		const char *p = strstr(r->base, "://");

		r->name = xstrdup(p ? p + 3 : r->base);
	}
	if (strncmp(r->base, "https://", 8) != 0 &&
	    strncmp(r->base, "http://", 7) != 0)
		err_set(&r->setup_err, ERR_USAGE,
			"registry URL \"%s\" must start with https://",
			r->base);
	if (o->ca && o->ca_len) {
		r->ca = xmalloc(o->ca_len + 1);
		memcpy(r->ca, o->ca, o->ca_len);
		r->ca[o->ca_len] = '\0';
		r->ca_len = o->ca_len;
	} else if (o->ca_path && *o->ca_path) {
		struct strbuf ca = {0};
		int rc = strbuf_read_file(&ca, o->ca_path, SIZE_MAX);

		if (rc != 0) {
			strbuf_free(&ca);
			if (!r->setup_err.code)
				err_set(&r->setup_err, ERR_IO,
					"registry %s: CA bundle: cannot read "
					"%s: %s", r->name, o->ca_path,
					strbuf_file_error(rc));
		} else {
			r->ca_len = ca.len;
			r->ca = (unsigned char *)strbuf_take(&ca);
		}
	}
	r->auth = o->auth;
	r->username = xstrdup(o->username);
	r->password = xstrdup(o->password);
	r->get_aad = o->get_aad_token;
	r->aad_ud = o->aad_ud;
	registry_set_aad_token(r, o->aad_token);
	r->tenant = o->tenant && *o->tenant ? xstrdup(o->tenant) : NULL;
	if (o->auth_url && *o->auth_url) {
		n = strlen(o->auth_url);
		while (n && o->auth_url[n - 1] == '/')
			n--;
		r->auth_url = xstrndup(o->auth_url, n);
	}
	r->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms
					  : REGISTRY_TIMEOUT_MS;
	return r;
}

/* ---- operations: common state ------------------------------------------- */

void registry_op_link(struct registry *r, struct registry_op *op)
{
	r->ops = xgrow(r->ops, &r->capops, r->nops + 1, sizeof(*r->ops));
	r->ops[r->nops++] = op;
}

void registry_op_unlink(struct registry_op *op)
{
	size_t k, i;

	for (k = 0; k < 2; k++) {
		struct registry *r = op->regs[k];

		if (!r)
			continue;
		for (i = 0; i < r->nops; i++) {
			if (r->ops[i] == op) {
				memmove(&r->ops[i], &r->ops[i + 1],
					(r->nops - i - 1) * sizeof(*r->ops));
				r->nops--;
				break;
			}
		}
	}
}

/* Stops whatever the op is waiting for (request, token, timer). */
static void op_stop(struct registry_op *op)
{
	if (op->req) {
		http_cancel(op->req);
		op->req = NULL;
	}
	if (op->job) {
		registry_job_forget_op(op->job, op);
		op->job = NULL;
	}
	if (op->timer) {
		loop_timer_cancel(op->regs[0]->loop, op->timer);
		op->timer = 0;
	}
}

void registry_op_free(struct registry_op *op)
{
	size_t i;

	op_stop(op);
	free(op->url);
	free(op->scope);
	free(op->ctype);
	free(op->repo);
	free(op->ref);
	for (i = 0; i < op->nnames; i++)
		free(op->names[i]);
	free(op->names);
	free(op->dst_repo);
	free(op->dst_tag);
	free(op->src_scope);
	free(op->dst_scope);
	free(op->top_body);
	for (i = 0; i < op->nkids; i++)
		free(op->kids[i].body);
	free(op->kids);
	free(op->blobs);
	free(op->upload_url);
	if (op->fd >= 0)
		close(op->fd);
	if (op->md)
		EVP_MD_CTX_free(op->md);
	free(op);
}

void registry_cancel(struct registry_op *op)
{
	if (!op)
		return;
	registry_op_unlink(op);
	registry_op_free(op);
}

/* Ends the op with a failure: the callback, then free. */
void registry_op_fail(struct registry_op *op, const struct err *e)
{
	int st = -(e->code ? e->code : ERR_INTERNAL);

	op_stop(op);
	registry_op_unlink(op);
	switch (op->kind) {
	case OP_PING:
		op->done_fn(st, e, op->ud);
		break;
	case OP_LIST:
		op->list_fn(st, e, NULL, 0, op->ud);
		break;
	case OP_HEAD:
		op->head_fn(st, e, NULL, op->ud);
		break;
	case OP_GET:
		op->manifest_fn(st, e, NULL, op->ud);
		break;
	case OP_COPY:
		op->copy_fn(st, e, NULL, op->ud);
		break;
	}
	registry_op_free(op);
}

void registry_op_failf(struct registry_op *op, int code, const char *fmt, ...)
{
	struct err e;
	va_list ap;

	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	registry_op_fail(op, &e);
}

static void op_timer_fired(void *ud)
{
	struct registry_op *op = ud;

	op->timer = 0;
	if (op->pending.code) {
		struct err e = op->pending;

		registry_op_fail(op, &e);
		return;
	}
	registry_op_send(op);
}

/* Send (again) or fail from the loop, not from the current stack. */
void registry_op_later(struct registry_op *op, const struct err *e)
{
	if (e)
		op->pending = *e;
	else
		err_clear(&op->pending);
	if (op->timer)
		loop_timer_cancel(op->regs[0]->loop, op->timer);
	op->timer = loop_timer_add(op->regs[0]->loop, 0, op_timer_fired, op);
}

/* Sets up the op's next request; registry_op_send() starts it. */
void registry_op_prepare(struct registry_op *op, struct registry *r,
			 const char *method, char *url, const char *scope,
			 resp_fn on_resp)
{
	free(op->url);
	op->url = url;
	free(op->scope);
	op->scope = xstrdup(scope);
	op->rr = r;
	op->method = method;
	op->accept_all = 0;
	free(op->ctype);
	op->ctype = NULL;
	op->body = NULL;
	op->body_len = 0;
	op->spool_in = 0;
	op->upload = 0;
	op->authed = 0;
	op->hops = 0;
	op->on_resp = on_resp;
}

void registry_op_go(struct registry_op *op, struct registry *r,
		    const char *method, char *url, const char *scope,
		    resp_fn on_resp)
{
	registry_op_prepare(op, r, method, url, scope, on_resp);
	registry_op_send(op);
}

/* ---- the request layer: auth, redirects --------------------------------- */

static void on_http_done(const struct http_response *resp, void *ud);

int registry_url_is_registry(const struct registry *r, const char *url)
{
	size_t n = strlen(r->base);

	return strncasecmp(url, r->base, n) == 0 &&
	       (url[n] == '/' || url[n] == '?' || url[n] == '\0');
}

void registry_op_send(struct registry_op *op)
{
	struct registry *r = op->rr;
	const char *hdrs[6];
	size_t nh = 0;
	char *auth = NULL, *userpwd = NULL;
	struct http_request rq;
	struct err e;
	int to_registry = registry_url_is_registry(r, op->url);
	int basic = to_registry && r->basic_challenge && r->username;

	if (r->setup_err.code) {
		registry_op_fail(op, &r->setup_err);
		return;
	}
	op->sent_token = 0;
	if (to_registry && !basic) {
		const char *tok =
		    registry_tok_get(r, op->scope ? op->scope : "");

		if (tok) {
			auth = xasprintf("Authorization: Bearer %s", tok);
			op->sent_token = 1;
		} else if (r->realm && !op->authed) {
			/* This registry wants tokens: get one first. */
			op->authed = 1;
			registry_job_join(r, op->scope ? op->scope : "", op);
			return;
		}
	}
	if (auth)
		hdrs[nh++] = auth;
	if (op->accept_all)
		hdrs[nh++] = ACCEPT_ALL;
	if (op->ctype)
		hdrs[nh++] = op->ctype;
	hdrs[nh] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.method = op->method;
	rq.url = op->url;
	rq.headers = hdrs;
	rq.tls.ca = r->ca;
	rq.tls.ca_len = r->ca_len;
	rq.idempotent = strcmp(op->method, "POST") != 0;
	if (op->spool_in || op->upload) {
		/* Big blobs: no total limit, but give up when stalled. */
		rq.idle_timeout_s = r->timeout_ms / 1000 > 0
					    ? r->timeout_ms / 1000
					    : 1;
	} else {
		rq.timeout_ms = r->timeout_ms;
	}
	rq.body = op->body;
	rq.body_len = op->body_len;
	if (op->spool_in) {
		rq.on_data = registry_on_spool_data;
		op->got = 0;
		op->spool_failed = 0;
		if (ftruncate(op->fd, 0) < 0 ||
		    EVP_DigestInit_ex(op->md, EVP_sha256(), NULL) != 1) {
			xfree_secret_str(auth);
			registry_op_failf(op, ERR_IO,
					  "cannot prepare a temporary "
					  "file for %s",
					  op->subject);
			return;
		}
	}
	if (op->upload) {
		rq.on_read = registry_on_upload_read;
		rq.body = NULL;
		rq.body_len = (size_t)op->up_len;
		op->up_off = 0;
	}
	rq.on_done = on_http_done;
	rq.ud = op;
	if (basic) {
		userpwd = xasprintf("%s:%s", r->username,
				    r->password ? r->password : "");
		rq.userpwd = userpwd;
	}
	err_clear(&e);
	op->req = http_start(r->loop, &rq, &e);
	xfree_secret_str(userpwd);
	xfree_secret_str(auth);
	if (!op->req)
		registry_op_fail(op, &e);
}

static void on_http_done(const struct http_response *resp, void *ud)
{
	struct registry_op *op = ud;
	long st = resp->status;
	const char *loc;

	op->req = NULL;
	if (st == 0) {
		struct err e = resp->err;

		if (e.code == ERR_CANCELLED && op->spool_failed)
			err_set(&e, ERR_IO, "cannot write a temporary file "
				"for %s: %s", op->subject,
				strerror(op->spool_failed));
		registry_op_fail(op, &e);
		return;
	}
	loc = http_header_get(resp, "location");
	if ((st == 301 || st == 302 || st == 303 || st == 307 ||
	     st == 308) &&
	    loc && (strcmp(op->method, "GET") == 0 ||
		    strcmp(op->method, "HEAD") == 0)) {
		char *next = registry_resolve_url(op->url, loc);

		if (!next || op->hops >= MAX_HOPS) {
			free(next);
			registry_op_failf(op, ERR_HTTP,
					  "%s: too many redirects",
					  op->subject);
			return;
		}
		/* A blob on a data endpoint: its URL carries its own
		 * authorisation, and registry_url_is_registry() keeps our
		 * token to ourselves. */
		free(op->url);
		op->url = next;
		op->hops++;
		registry_op_send(op);
		return;
	}
	if (st == 401 && registry_answer_challenge(op, resp))
		return;
	op->on_resp(op, resp);
}

/* A sentence for an unexpected answer about subject. */
void registry_op_http_error(struct registry_op *op,
			    const struct http_response *resp,
			    const char *subject)
{
	struct registry *r = op->rr;
	char code[64], msg[300];
	int have = registry_body_error(resp->body, code, sizeof(code), msg,
				       sizeof(msg));
	long st = resp->status;

	if (st == 401) {
		char why[400] = "";

		if (have)
			snprintf(why, sizeof(why), " (%s%s%s)", code,
				 code[0] && msg[0] ? ": " : "", msg);
		if (op->authed == 2 && r->realm)
			/* A token was issued for exactly this and still
			 * refused: the identity lacks the right. */
			registry_op_failf(
			    op, ERR_DENIED,
			    "registry %s: not authorized for %s%s; the "
			    "identity may lack pull or push rights",
			    r->name, subject, why);
		else
			registry_op_failf(
			    op, ERR_AUTH,
			    "registry %s: authentication required for "
			    "%s%s",
			    r->name, subject, why);
		return;
	}
	if (st == 404) {
		if (have && strcmp(code, "NAME_UNKNOWN") == 0) {
			/* Repository names have neither ":" nor "@". */
			registry_op_failf(
			    op, ERR_NOTFOUND, "%.*s: repository not found",
			    (int)strcspn(subject, ":@"), subject);
			return;
		}
		if (have && strcmp(code, "MANIFEST_UNKNOWN") == 0) {
			registry_op_failf(op, ERR_NOTFOUND,
					  "%s: manifest not found", subject);
			return;
		}
		if (have && strcmp(code, "BLOB_UNKNOWN") == 0) {
			registry_op_failf(op, ERR_NOTFOUND,
					  "%s: blob not found", subject);
			return;
		}
		registry_op_failf(op, ERR_NOTFOUND,
				  "%s: not found (HTTP 404 from "
				  "registry %s)",
				  subject, r->name);
		return;
	}
	if (have)
		registry_op_failf(op,
				  st == 403   ? ERR_DENIED
				  : st == 409 ? ERR_CONFLICT
					      : ERR_HTTP,
				  "%s: %s%s%s", subject, code,
				  code[0] && msg[0] ? ": " : "", msg);
	else
		registry_op_failf(op, st == 403 ? ERR_DENIED : ERR_HTTP,
				  "%s: HTTP %ld from registry %s", subject, st,
				  r->name);
}

void registry_free(struct registry **rp)
{
	struct registry *r = rp ? *rp : NULL;

	if (!r)
		return;
	while (r->nops)
		registry_cancel(r->ops[0]);
	while (r->jobs) {
		struct token_job *j = r->jobs;

		r->jobs = j->next;
		registry_job_free(j);
	}
	if (r->aad_wait)
		r->aad_wait->reg = NULL;
	registry_forget_tokens(r);
	registry_scope_hint(r, NULL, 0);
	free(r->toks);
	free(r->base);
	free(r->name);
	free(r->ca);
	free(r->username);
	xfree_secret_str(r->password);
	xfree_secret_str(r->aad_token);
	free(r->tenant);
	free(r->auth_url);
	free(r->realm);
	free(r->service);
	free(r->ops);
	free(r);
	*rp = NULL;
}

/* ---- starting operations ------------------------------------------------ */

struct registry_op *registry_op_new(struct registry *r, enum op_kind kind,
				    void *ud)
{
	struct registry_op *op = xcalloc(1, sizeof(*op));

	op->kind = kind;
	op->regs[0] = r;
	op->ud = ud;
	op->fd = -1;
	registry_op_link(r, op);
	return op;
}

/* Every op starts from the loop, so callbacks never run inside the
 * starting call. */
void registry_op_begin(struct registry_op *op)
{
	registry_op_later(op, NULL);
}

int registry_check_args(struct registry *r, const char *repo, const char *ref,
			const void *done, struct err *e)
{
	if (!r || !done)
		return err_set(e, ERR_USAGE, "registry: missing argument");
	if (repo && !registry_valid_repo(repo))
		return err_set(e, ERR_USAGE,
			       "\"%s\" is not a valid repository name", repo);
	if (ref && !registry_valid_ref(ref))
		return err_set(e, ERR_USAGE,
			       "\"%s\" is not a valid tag or digest", ref);
	return 0;
}

void registry_set_subject(struct registry_op *op, const char *repo,
			  const char *ref)
{
	if (!ref)
		registry_copy_str(op->subject, sizeof(op->subject), repo);
	else
		snprintf(op->subject, sizeof(op->subject), "%s%s%s", repo,
			 registry_is_digest(ref) ? "@" : ":", ref);
}

char *registry_pull_scope(const char *repo)
{
	return xasprintf("repository:%s:pull", repo);
}

/* ping */

static void ping_resp(struct registry_op *op,
		      const struct http_response *resp)
{
	struct err e;

	if (resp->status != 200) {
		registry_op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	registry_op_unlink(op);
	op->done_fn(0, &e, op->ud);
	registry_op_free(op);
}

struct registry_op *registry_ping(struct registry *r, registry_done_fn done,
				  void *ud, struct err *e)
{
	struct registry_op *op;

	if (registry_check_args(r, NULL, NULL, (const void *)done, e) < 0)
		return NULL;
	op = registry_op_new(r, OP_PING, ud);
	op->done_fn = done;
	snprintf(op->subject, sizeof(op->subject), "registry %s", r->name);
	registry_op_prepare(op, r, "GET", xasprintf("%s/v2/", r->base), NULL,
			    ping_resp);
	registry_op_begin(op);
	return op;
}

/* tags and catalog */

static void list_resp(struct registry_op *op,
		      const struct http_response *resp)
{
	cJSON *js, *arr, *it;
	const char *link;
	char *next = NULL, *abs;
	struct err e;

	if (resp->status != 200) {
		registry_op_http_error(op, resp, op->subject);
		return;
	}
	js = cJSON_Parse(resp->body);
	arr = cJSON_GetObjectItemCaseSensitive(js, op->list_key);
	if (!js || !(cJSON_IsArray(arr) || cJSON_IsNull(arr) || !arr)) {
		cJSON_Delete(js);
		registry_op_failf(op, ERR_PARSE,
				  "%s: the registry's listing is not "
				  "valid JSON",
				  op->subject);
		return;
	}
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it))
			continue;
		op->names = xgrow(op->names, &op->capnames, op->nnames + 1,
				  sizeof(*op->names));
		op->names[op->nnames++] = xstrdup(it->valuestring);
	}
	cJSON_Delete(js);
	err_clear(&e);
	link = http_header_get(resp, "link");
	if (link && link_next(link, &next, &e) < 0) {
		registry_op_failf(op, ERR_PARSE, "%s: %s", op->subject, e.msg);
		return;
	}
	if (next) {
		abs = registry_resolve_url(op->url, next);
		free(next);
		if (!abs || strcmp(abs, op->url) == 0 ||
		    ++op->pages > MAX_PAGES ||
		    !registry_url_is_registry(op->rr, abs)) {
			free(abs);
			registry_op_failf(op, ERR_HTTP,
					  "%s: the registry's next-page "
					  "link goes nowhere useful",
					  op->subject);
			return;
		}
		free(op->url);
		op->url = abs;
		op->authed = 0;
		op->hops = 0;
		registry_op_send(op);
		return;
	}
	registry_op_unlink(op);
	op->list_fn(0, &e, (const char *const *)op->names, op->nnames,
		    op->ud);
	registry_op_free(op);
}

static char *page_query(int page_size)
{
	return page_size > 0 ? xasprintf("?n=%d", page_size) : xstrdup("");
}

struct registry_op *registry_tags(struct registry *r, const char *repo,
				  int page_size, registry_list_fn done,
				  void *ud, struct err *e)
{
	struct registry_op *op;
	char *q, *scope;

	if (registry_check_args(r, repo, NULL, (const void *)done, e) < 0)
		return NULL;
	op = registry_op_new(r, OP_LIST, ud);
	op->list_fn = done;
	op->list_key = "tags";
	op->repo = xstrdup(repo);
	registry_set_subject(op, repo, NULL);
	q = page_query(page_size);
	scope = registry_pull_scope(repo);
	registry_op_prepare(
	    op, r, "GET", xasprintf("%s/v2/%s/tags/list%s", r->base, repo, q),
	    scope, list_resp);
	free(scope);
	free(q);
	registry_op_begin(op);
	return op;
}

struct registry_op *registry_catalog(struct registry *r, int page_size,
				     registry_list_fn done, void *ud,
				     struct err *e)
{
	struct registry_op *op;
	char *q;

	if (registry_check_args(r, NULL, NULL, (const void *)done, e) < 0)
		return NULL;
	op = registry_op_new(r, OP_LIST, ud);
	op->list_fn = done;
	op->list_key = "repositories";
	snprintf(op->subject, sizeof(op->subject), "registry %s catalog",
		 r->name);
	q = page_query(page_size);
	registry_op_prepare(op, r, "GET",
			    xasprintf("%s/v2/_catalog%s", r->base, q),
			    "registry:catalog:*", list_resp);
	free(q);
	registry_op_begin(op);
	return op;
}

/* manifests */

void registry_info_from(const struct http_response *resp,
			struct registry_manifest_info *m)
{
	const char *v;
	char *end;
	long long n;

	memset(m, 0, sizeof(*m));
	m->exists = 1;
	m->size = -1;
	registry_copy_str(m->digest, sizeof(m->digest),
			  http_header_get(resp, "docker-content-digest"));
	registry_media_type(m->media_type, sizeof(m->media_type),
			    http_header_get(resp, "content-type"));
	v = http_header_get(resp, "content-length");
	if (v) {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (end != v && *end == '\0' && errno == 0 && n >= 0)
			m->size = n;
	}
}

static void head_resp(struct registry_op *op,
		      const struct http_response *resp)
{
	struct registry_manifest_info m;
	struct err e;

	if (resp->status == 404) {
		memset(&m, 0, sizeof(m));
		m.size = -1;
	} else if (resp->status == 200) {
		registry_info_from(resp, &m);
		if (!m.digest[0] && registry_is_digest(op->ref))
			registry_copy_str(m.digest, sizeof(m.digest), op->ref);
	} else {
		registry_op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	registry_op_unlink(op);
	op->head_fn(0, &e, &m, op->ud);
	registry_op_free(op);
}

static struct registry_op *manifest_op(struct registry *r, enum op_kind kind,
				       const char *repo, const char *ref,
				       void *ud, resp_fn fn)
{
	struct registry_op *op = registry_op_new(r, kind, ud);
	char *scope = registry_pull_scope(repo);

	op->repo = xstrdup(repo);
	op->ref = xstrdup(ref);
	registry_set_subject(op, repo, ref);
	registry_op_prepare(
	    op, r, kind == OP_HEAD ? "HEAD" : "GET",
	    xasprintf("%s/v2/%s/manifests/%s", r->base, repo, ref), scope, fn);
	op->accept_all = 1;
	free(scope);
	return op;
}

struct registry_op *registry_manifest_head(struct registry *r,
					   const char *repo, const char *ref,
					   registry_head_fn done, void *ud,
					   struct err *e)
{
	struct registry_op *op;

	if (registry_check_args(r, repo, ref, (const void *)done, e) < 0)
		return NULL;
	op = manifest_op(r, OP_HEAD, repo, ref, ud, head_resp);
	op->head_fn = done;
	registry_op_begin(op);
	return op;
}

/* Digest and media type of a fetched manifest; checks the bytes against
 * the digest asked for or announced. 0 or a failure sentence in e. */
int registry_manifest_identity(const struct http_response *resp,
			       const char *ref, const char *subject,
			       struct registry_manifest_info *m, cJSON **json,
			       struct err *e)
{
	char computed[80];
	cJSON *js;

	registry_info_from(resp, m);
	m->size = (long long)resp->body_len;
	registry_digest_of(resp->body, resp->body_len, computed);
	if (registry_is_digest(ref) && strcmp(computed, ref) != 0)
		return err_set(e, ERR_PARSE, "%s: the manifest's bytes do not "
			       "match its digest", subject);
	if (m->digest[0] && strncmp(m->digest, "sha256:", 7) == 0 &&
	    strcmp(m->digest, computed) != 0)
		return err_set(e, ERR_PARSE, "%s: the manifest's bytes do not "
			       "match the digest the registry announced (%s)",
			       subject, m->digest);
	if (!m->digest[0])
		registry_copy_str(m->digest, sizeof(m->digest), computed);
	js = cJSON_ParseWithLength(resp->body, resp->body_len);
	if (!cJSON_IsObject(js)) {
		cJSON_Delete(js);
		return err_set(e, ERR_PARSE, "%s: the manifest is not a JSON "
			       "object", subject);
	}
	if (!m->media_type[0] || strcmp(m->media_type, "application/json") ==
					 0)
		registry_copy_str(m->media_type, sizeof(m->media_type),
				  json_str(js, "mediaType"));
	if (!m->media_type[0] && cJSON_GetObjectItem(js, "manifests"))
		registry_copy_str(m->media_type, sizeof(m->media_type),
				  REGISTRY_MT_OCI_INDEX);
	else if (!m->media_type[0])
		registry_copy_str(m->media_type, sizeof(m->media_type),
				  REGISTRY_MT_OCI_MANIFEST);
	*json = js;
	return 0;
}

static void get_resp(struct registry_op *op,
		     const struct http_response *resp)
{
	struct registry_manifest man;
	struct registry_platform *plats = NULL;
	size_t np = 0;
	cJSON *js = NULL, *arr, *it;
	struct err e;

	if (resp->status != 200) {
		registry_op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	memset(&man, 0, sizeof(man));
	if (registry_manifest_identity(resp, op->ref, op->subject, &man.info,
				       &js, &e) < 0) {
		registry_op_fail(op, &e);
		return;
	}
	man.body = resp->body;
	man.body_len = resp->body_len;
	man.is_index = registry_is_index_type(man.info.media_type);
	arr = cJSON_GetObjectItemCaseSensitive(js, "manifests");
	if (man.is_index && cJSON_IsArray(arr)) {
		plats = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
				sizeof(*plats));
		cJSON_ArrayForEach(it, arr)
		{
			const cJSON *pf =
				cJSON_GetObjectItemCaseSensitive(it,
								 "platform");
			struct registry_platform *p = &plats[np++];

			registry_copy_str(p->digest, sizeof(p->digest),
					  json_str(it, "digest"));
			registry_copy_str(p->media_type, sizeof(p->media_type),
					  json_str(it, "mediaType"));
			p->size = json_num(it, "size", -1);
			registry_copy_str(p->os, sizeof(p->os),
					  json_str(pf, "os"));
			registry_copy_str(p->arch, sizeof(p->arch),
					  json_str(pf, "architecture"));
			registry_copy_str(p->variant, sizeof(p->variant),
					  json_str(pf, "variant"));
		}
	}
	cJSON_Delete(js);
	man.platforms = plats;
	man.nplatforms = np;
	registry_op_unlink(op);
	op->manifest_fn(0, &e, &man, op->ud);
	free(plats);
	registry_op_free(op);
}

struct registry_op *registry_manifest_get(struct registry *r,
					  const char *repo, const char *ref,
					  registry_manifest_fn done, void *ud,
					  struct err *e)
{
	struct registry_op *op;

	if (registry_check_args(r, repo, ref, (const void *)done, e) < 0)
		return NULL;
	op = manifest_op(r, OP_GET, repo, ref, ud, get_resp);
	op->manifest_fn = done;
	registry_op_begin(op);
	return op;
}
