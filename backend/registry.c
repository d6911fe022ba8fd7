/* registry.c - registry HTTP API v2 on the loop: Bearer/Basic/ACR token
 * flows with caches, listings, manifests, blob copies. No ARM, no UI. */
#include "registry.h"
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
#define PROGRESS_EVERY_MS 100
#define ACCEPT_ALL                                                          \
	"Accept: " REGISTRY_MT_DOCKER_MANIFEST ", " REGISTRY_MT_DOCKER_LIST  \
	", " REGISTRY_MT_OCI_MANIFEST ", " REGISTRY_MT_OCI_INDEX

/* ---- small helpers ------------------------------------------------------ */

/* scheme://host[:port] of url as a new string. */
static char *origin_of(const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (!p)
		return xstrdup(url);
	n = strcspn(p + 3, "/?#");
	return xstrndup(url, (size_t)(p + 3 - url) + n);
}

/* ref resolved against base (a Link or Location may be relative). */
static char *resolve_url(const char *base, const char *ref)
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

static void sha256_hex(const unsigned char md[32], char out[80])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
}

static void digest_of(const char *data, size_t len, char out[80])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32)
		sha256_hex(md, out);
}

static void copy_str(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

/* Media type without parameters ("…+json; charset=utf-8"). */
static void media_type(char *dst, size_t sz, const char *ctype)
{
	size_t n;

	if (!ctype) {
		dst[0] = '\0';
		return;
	}
	n = strcspn(ctype, "; \t");
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, ctype, n);
	dst[n] = '\0';
}

/* exp of a JWT (seconds since the epoch), or -1. */
static long long jwt_exp(const char *jwt)
{
	const char *a = strchr(jwt, '.'), *b;
	char *seg;
	unsigned char *raw = NULL;
	size_t i, rawlen = 0;
	cJSON *j;
	long long exp = -1;

	if (!a)
		return -1;
	b = strchr(a + 1, '.');
	if (!b)
		return -1;
	seg = xstrndup(a + 1, (size_t)(b - a - 1));
	for (i = 0; seg[i]; i++) {
		if (seg[i] == '-')
			seg[i] = '+';
		else if (seg[i] == '_')
			seg[i] = '/';
	}
	if (base64_decode(seg, strlen(seg), &raw, &rawlen, NULL) == 0) {
		j = cJSON_ParseWithLength((const char *)raw, rawlen);
		exp = json_num(j, "exp", -1);
		cJSON_Delete(j);
		memset(raw, 0, rawlen);
	}
	free(raw);
	free(seg);
	return exp;
}

/* When a token stops being used (loop_now_ms clock): its JWT exp, else
 * expires_in, else 60 s, less a tenth of its life (at most a minute). */
static long long token_deadline(const char *token, long long expires_in)
{
	long long exp = jwt_exp(token), life, margin;

	if (exp > 0)
		life = exp - (long long)time(NULL);
	else if (expires_in > 0)
		life = expires_in;
	else
		life = 60;
	margin = life / 10;
	if (margin > 60)
		margin = 60;
	if (margin < 0)
		margin = 0;
	return loop_now_ms() + (life - margin) * 1000;
}

/* The first registry error of a body: {"errors":[{"code","message"}]},
 * or the OAuth/ARM shapes token services use. */
static int body_error(const char *body, char *code, size_t csz, char *msg,
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
		copy_str(code, csz, json_str(first, "code"));
		copy_str(msg, msz, json_str(first, "message"));
		found = 1;
	} else if (cJSON_IsObject(errobj)) {
		copy_str(code, csz, json_str(errobj, "code"));
		copy_str(msg, msz, json_str(errobj, "message"));
		found = 1;
	} else if (cJSON_IsString(errobj)) {
		copy_str(code, csz, errobj->valuestring);
		copy_str(msg, msz, json_str(j, "error_description"));
		msg[strcspn(msg, "\r\n")] = '\0';
		found = 1;
	}
	cJSON_Delete(j);
	return found && (code[0] || msg[0]);
}

/* ": CODE: message" or "" for sentences. */
static void error_suffix(const char *body, char *out, size_t sz)
{
	char code[64], msg[300];

	out[0] = '\0';
	if (!body_error(body, code, sizeof(code), msg, sizeof(msg)))
		return;
	if (code[0] && msg[0])
		snprintf(out, sz, ": %s: %s", code, msg);
	else
		snprintf(out, sz, ": %s", code[0] ? code : msg);
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static int valid_component(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0, sep = i;

		while (i < n && (islower((unsigned char)s[i]) ||
				 isdigit((unsigned char)s[i]))) {
			i++;
			run++;
		}
		if (!run)
			return 0;
		if (i == n)
			return 1;
		sep = i;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return 0;
		}
		if (i == n || i == sep)
			return 0;
	}
	return n > 0;
}

int registry_valid_repo(const char *repo)
{
	const char *p = repo;

	if (!repo || !*repo || strlen(repo) > 255)
		return 0;
	for (;;) {
		size_t n = strcspn(p, "/");

		if (!valid_component(p, n))
			return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

int registry_valid_ref(const char *ref)
{
	const char *p;

	if (!ref || !*ref)
		return 0;
	if (strncmp(ref, "sha256:", 7) == 0) {
		if (strlen(ref) != 71)
			return 0;
		for (p = ref + 7; *p; p++)
			if (!isxdigit((unsigned char)*p) ||
			    isupper((unsigned char)*p))
				return 0;
		return 1;
	}
	if (strlen(ref) > 128 || !(isalnum((unsigned char)ref[0]) ||
				   ref[0] == '_'))
		return 0;
	for (p = ref; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return 0;
	return 1;
}

static int is_digest_ref(const char *ref)
{
	return strncmp(ref, "sha256:", 7) == 0;
}

/* ---- the registry and its token caches ---------------------------------- */

struct tok {
	char *key; /* the scopes as requested, space-separated */
	char *token;
	long long deadline_ms;
};

enum job_phase { JOB_QUEUED, JOB_AAD, JOB_EXCHANGE, JOB_TOKEN };

/* One token request. Jobs run one at a time per registry, so a burst of
 * operations shares a single exchange and one token per scope. */
struct token_job {
	struct token_job *next;
	char *key;
	struct registry_op **waiters;
	size_t nwait, capwait;
	struct http_req *req;
	enum job_phase phase;
	int fresh_refresh; /* the refresh token came from this job */
	int reexchanged;
};

struct registry_aad_wait {
	struct registry *reg; /* NULL once the registry is gone */
};

struct registry {
	struct loop *loop;
	char *base; /* no trailing slash */
	char *name;
	unsigned char *ca;
	size_t ca_len;
	struct err setup_err; /* code != 0: every op fails with it */
	enum registry_auth auth;
	char *username;
	char *password;
	registry_aad_fn get_aad;
	void *aad_ud;
	char *aad_token;
	char *tenant;
	char *auth_url;
	long timeout_ms;
	int basic_challenge; /* answered Basic: send credentials always */
	char *realm;	     /* from the last Bearer challenge */
	char *service;
	char *refresh; /* ACR refresh token */
	long long refresh_deadline_ms;
	struct tok *toks;
	size_t ntoks, captoks;
	struct token_job *jobs; /* FIFO; the head runs */
	struct registry_aad_wait *aad_wait;
	struct registry_op **ops;
	size_t nops, capops;
};

static const char *tok_get(struct registry *r, const char *key)
{
	size_t i;
	long long now = loop_now_ms();

	for (i = 0; i < r->ntoks; i++)
		if (strcmp(r->toks[i].key, key) == 0)
			return now < r->toks[i].deadline_ms ? r->toks[i].token
							    : NULL;
	return NULL;
}

static void tok_drop(struct registry *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->ntoks; i++) {
		if (strcmp(r->toks[i].key, key) != 0)
			continue;
		free(r->toks[i].key);
		xfree_secret_str(r->toks[i].token);
		r->toks[i] = r->toks[--r->ntoks];
		return;
	}
}

static void tok_put(struct registry *r, const char *key, const char *token,
		    long long deadline_ms)
{
	struct tok *t;

	tok_drop(r, key);
	r->toks = xgrow(r->toks, &r->captoks, r->ntoks + 1, sizeof(*r->toks));
	t = &r->toks[r->ntoks++];
	t->key = xstrdup(key);
	t->token = xstrdup(token);
	t->deadline_ms = deadline_ms;
}

void registry_forget_tokens(struct registry *r)
{
	if (!r)
		return;
	while (r->ntoks)
		tok_drop(r, r->toks[0].key);
	xfree_secret_str(r->refresh);
	r->refresh = NULL;
}

void registry_set_aad_token(struct registry *r, const char *token)
{
	if (!r)
		return;
	xfree_secret_str(r->aad_token);
	r->aad_token = token && *token ? xstrdup(token) : NULL;
}

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
					strerror(rc));
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

enum op_kind { OP_PING, OP_LIST, OP_HEAD, OP_GET, OP_COPY };

struct blob {
	char digest[80];
	long long size;
};

struct child {
	char digest[80];
	char media_type[128];
	char *body;
	size_t len;
};

typedef void (*resp_fn)(struct registry_op *op,
			const struct http_response *resp);

struct registry_op {
	enum op_kind kind;
	struct registry *regs[2];
	void *ud;
	registry_done_fn done_fn;
	registry_list_fn list_fn;
	registry_head_fn head_fn;
	registry_manifest_fn manifest_fn;
	registry_copy_fn copy_fn;
	registry_progress_fn progress_fn;
	unsigned timer;
	struct err pending; /* a failure delivered from the timer */
	int resume;	    /* timer: send the request again */

	/* the request in progress */
	struct registry *rr;
	const char *method;
	char *url;
	char *scope; /* token cache key; NULL: none */
	int accept_all;
	char *ctype; /* "Content-Type: …" */
	const char *body;
	size_t body_len;
	int spool_in;	   /* stream a 2xx body into the spool */
	int upload;	   /* send the spool as body */
	long long up_off;  /* bytes of the spool sent */
	long long up_len;
	int authed;	   /* a challenge was answered for this request */
	int hops;
	struct http_req *req;
	struct token_job *job;
	resp_fn on_resp;

	char *repo, *ref;
	char subject[400]; /* "repo:ref" for sentences */

	/* listings */
	char **names;
	size_t nnames, capnames;
	int pages;
	const char *list_key;

	/* copies */
	char *dst_repo, *dst_tag;
	char *src_scope, *dst_scope;
	int mount;
	char *top_body;
	size_t top_len;
	char top_mt[128];
	char top_digest[80];
	int top_index;
	struct child *kids;
	size_t nkids, capkids;
	struct blob *blobs;
	size_t nblobs, capblobs;
	size_t i; /* the child or blob being worked on */
	struct registry_progress prog;
	long long base_done; /* bytes of finished blobs */
	long long got;	     /* bytes spooled of the current blob */
	char *upload_url;
	int fd;
	EVP_MD_CTX *md;
	int spool_failed;
	long long last_progress_ms;
};

static void op_send(struct registry_op *op);
static void job_join(struct registry *r, const char *key,
		     struct registry_op *op);
static void job_run(struct registry *r);

static void op_link(struct registry *r, struct registry_op *op)
{
	r->ops = xgrow(r->ops, &r->capops, r->nops + 1, sizeof(*r->ops));
	r->ops[r->nops++] = op;
}

static void op_unlink(struct registry_op *op)
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

static void job_forget_op(struct token_job *j, struct registry_op *op)
{
	size_t i;

	for (i = 0; i < j->nwait; i++) {
		if (j->waiters[i] == op) {
			j->waiters[i] = j->waiters[--j->nwait];
			return;
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
		job_forget_op(op->job, op);
		op->job = NULL;
	}
	if (op->timer) {
		loop_timer_cancel(op->regs[0]->loop, op->timer);
		op->timer = 0;
	}
}

static void op_free(struct registry_op *op)
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
	op_unlink(op);
	op_free(op);
}

/* Ends the op with a failure: the callback, then free. */
static void op_fail(struct registry_op *op, const struct err *e)
{
	int st = -(e->code ? e->code : ERR_INTERNAL);

	op_stop(op);
	op_unlink(op);
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
	op_free(op);
}

static void op_failf(struct registry_op *op, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void op_failf(struct registry_op *op, int code, const char *fmt, ...)
{
	struct err e;
	va_list ap;

	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	op_fail(op, &e);
}

static void op_timer_fired(void *ud)
{
	struct registry_op *op = ud;

	op->timer = 0;
	if (op->pending.code) {
		struct err e = op->pending;

		op_fail(op, &e);
		return;
	}
	op_send(op);
}

/* Send (again) or fail from the loop, not from the current stack. */
static void op_later(struct registry_op *op, const struct err *e)
{
	if (e)
		op->pending = *e;
	else
		err_clear(&op->pending);
	if (op->timer)
		loop_timer_cancel(op->regs[0]->loop, op->timer);
	op->timer = loop_timer_add(op->regs[0]->loop, 0, op_timer_fired, op);
}

/* Sets up the op's next request; op_send() starts it. */
static void op_prepare(struct registry_op *op, struct registry *r,
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

static void op_go(struct registry_op *op, struct registry *r,
		  const char *method, char *url, const char *scope,
		  resp_fn on_resp)
{
	op_prepare(op, r, method, url, scope, on_resp);
	op_send(op);
}

/* ---- the request layer: auth, redirects --------------------------------- */

static int on_spool_data(const char *buf, size_t len, void *ud);
static size_t on_upload_read(char *buf, size_t len, void *ud);

static void on_http_done(const struct http_response *resp, void *ud);

static int url_is_registry(const struct registry *r, const char *url)
{
	size_t n = strlen(r->base);

	return strncasecmp(url, r->base, n) == 0 &&
	       (url[n] == '/' || url[n] == '?' || url[n] == '\0');
}

static void op_send(struct registry_op *op)
{
	struct registry *r = op->rr;
	const char *hdrs[6];
	size_t nh = 0;
	char *auth = NULL, *userpwd = NULL;
	struct http_request rq;
	struct err e;
	int to_registry = url_is_registry(r, op->url);
	int basic = to_registry && r->basic_challenge && r->username;

	if (r->setup_err.code) {
		op_fail(op, &r->setup_err);
		return;
	}
	if (to_registry && !basic) {
		const char *tok = tok_get(r, op->scope ? op->scope : "");

		if (tok) {
			auth = xasprintf("Authorization: Bearer %s", tok);
		} else if (r->realm && !op->authed) {
			/* This registry wants tokens: get one first. */
			op->authed = 1;
			job_join(r, op->scope ? op->scope : "", op);
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
		rq.on_data = on_spool_data;
		op->got = 0;
		op->spool_failed = 0;
		if (ftruncate(op->fd, 0) < 0 ||
		    EVP_DigestInit_ex(op->md, EVP_sha256(), NULL) != 1) {
			xfree_secret_str(auth);
			op_failf(op, ERR_IO, "cannot prepare a temporary "
				 "file for %s", op->subject);
			return;
		}
	}
	if (op->upload) {
		rq.on_read = on_upload_read;
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
		op_fail(op, &e);
}

/* Does the space-separated list have scope s? */
static int scope_has(const char *list, const char *s)
{
	size_t n = strlen(s);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, s, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* A 401 with a challenge we can answer: arrange it and return 1. */
static int answer_challenge(struct registry_op *op,
			    const struct http_response *resp)
{
	struct registry *r = op->rr;
	const char *hdr = http_header_get(resp, "www-authenticate");
	struct challenge c;
	const char *realm, *scope;

	if (!hdr || !url_is_registry(r, op->url))
		return 0;
	if (challenge_parse_scheme(hdr, "Bearer", &c, NULL) == 0) {
		realm = challenge_get(&c, "realm");
		if (!realm || !*realm || op->authed > 1) {
			challenge_clear(&c);
			return 0;
		}
		free(r->realm);
		r->realm = xstrdup(realm);
		free(r->service);
		r->service = xstrdup(challenge_get(&c, "service"));
		tok_drop(r, op->scope ? op->scope : "");
		scope = challenge_get(&c, "scope");
		if (scope && *scope && !scope_has(op->scope, scope)) {
			char *merged = op->scope && *op->scope
					       ? xasprintf("%s %s", op->scope,
							   scope)
					       : xstrdup(scope);

			free(op->scope);
			op->scope = merged;
		}
		challenge_clear(&c);
		op->authed = 2;
		job_join(r, op->scope ? op->scope : "", op);
		return 1;
	}
	if (challenge_parse_scheme(hdr, "Basic", &c, NULL) == 0) {
		challenge_clear(&c);
		if (r->username && !r->basic_challenge && op->authed < 2) {
			r->basic_challenge = 1;
			op->authed = 2;
			op_send(op);
			return 1;
		}
	}
	return 0;
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
		op_fail(op, &e);
		return;
	}
	loc = http_header_get(resp, "location");
	if ((st == 301 || st == 302 || st == 303 || st == 307 ||
	     st == 308) &&
	    loc && (strcmp(op->method, "GET") == 0 ||
		    strcmp(op->method, "HEAD") == 0)) {
		char *next = resolve_url(op->url, loc);

		if (!next || op->hops >= MAX_HOPS) {
			free(next);
			op_failf(op, ERR_HTTP, "%s: too many redirects",
				 op->subject);
			return;
		}
		/* A blob on a data endpoint: its URL carries its own
		 * authorisation, and url_is_registry() keeps our token
		 * to ourselves. */
		free(op->url);
		op->url = next;
		op->hops++;
		op_send(op);
		return;
	}
	if (st == 401 && answer_challenge(op, resp))
		return;
	op->on_resp(op, resp);
}

/* A sentence for an unexpected answer about subject. */
static void op_http_error(struct registry_op *op,
			  const struct http_response *resp,
			  const char *subject)
{
	struct registry *r = op->rr;
	char code[64], msg[300];
	int have = body_error(resp->body, code, sizeof(code), msg,
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
			op_failf(op, ERR_DENIED,
				 "registry %s: not authorized for %s%s; the "
				 "identity may lack pull or push rights",
				 r->name, subject, why);
		else
			op_failf(op, ERR_AUTH,
				 "registry %s: authentication required for "
				 "%s%s", r->name, subject, why);
		return;
	}
	if (st == 404) {
		if (have && strcmp(code, "NAME_UNKNOWN") == 0) {
			/* Repository names have neither ":" nor "@". */
			op_failf(op, ERR_NOTFOUND,
				 "%.*s: repository not found",
				 (int)strcspn(subject, ":@"), subject);
			return;
		}
		if (have && strcmp(code, "MANIFEST_UNKNOWN") == 0) {
			op_failf(op, ERR_NOTFOUND, "%s: manifest not found",
				 subject);
			return;
		}
		if (have && strcmp(code, "BLOB_UNKNOWN") == 0) {
			op_failf(op, ERR_NOTFOUND, "%s: blob not found",
				 subject);
			return;
		}
		op_failf(op, ERR_NOTFOUND, "%s: not found (HTTP 404 from "
			 "registry %s)", subject, r->name);
		return;
	}
	if (have)
		op_failf(op,
			 st == 403   ? ERR_DENIED
			 : st == 409 ? ERR_CONFLICT
				     : ERR_HTTP,
			 "%s: %s%s%s", subject, code, code[0] && msg[0]
							 ? ": " : "", msg);
	else
		op_failf(op, st == 403 ? ERR_DENIED : ERR_HTTP,
			 "%s: HTTP %ld from registry %s", subject, st,
			 r->name);
}

/* ---- token jobs ------------------------------------------------------ */

static void job_free(struct token_job *j)
{
	if (j->req)
		http_cancel(j->req);
	free(j->key);
	free(j->waiters);
	free(j);
}

/* The head job is done: cache the token (or not) and wake its waiters
 * from the loop. */
static void job_finish(struct registry *r, const char *token,
		       long long deadline_ms, const struct err *e)
{
	struct token_job *j = r->jobs;
	size_t i;

	r->jobs = j->next;
	j->req = NULL;
	if (token)
		tok_put(r, j->key, token, deadline_ms);
	for (i = 0; i < j->nwait; i++) {
		struct registry_op *op = j->waiters[i];

		op->job = NULL;
		op_later(op, token ? NULL : e);
	}
	job_free(j);
	if (r->jobs)
		job_run(r);
}

static void job_failf(struct registry *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void job_failf(struct registry *r, int code, const char *fmt, ...)
{
	struct err e;
	va_list ap;

	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	job_finish(r, NULL, 0, &e);
}

/* A token service's refusal as a sentence. */
static void job_refused(struct registry *r, const char *what,
			const struct http_response *resp)
{
	char why[400];

	if (resp->status == 0) {
		job_failf(r, resp->err.code ? resp->err.code : ERR_NET,
			  "registry %s: %s: %s", r->name, what,
			  resp->err.msg);
		return;
	}
	error_suffix(resp->body, why, sizeof(why));
	job_failf(r, resp->status == 403 ? ERR_DENIED : ERR_AUTH,
		  "registry %s: authentication required (%s failed: HTTP "
		  "%ld%s)", r->name, what, resp->status, why);
}

static void job_start_req(struct registry *r, const char *method,
			  const char *url, const struct strbuf *form,
			  int basic, http_done_fn done)
{
	struct token_job *j = r->jobs;
	struct http_request rq;
	const char *hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL};
	char *userpwd = NULL;
	struct err e;

	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = url;
	rq.headers = form ? hdrs : hdrs + 1;
	if (form) {
		rq.body = form->p;
		rq.body_len = form->len;
	}
	rq.tls.ca = r->ca;
	rq.tls.ca_len = r->ca_len;
	rq.timeout_ms = r->timeout_ms;
	rq.idempotent = 1;
	if (basic && r->username) {
		userpwd = xasprintf("%s:%s", r->username,
				    r->password ? r->password : "");
		rq.userpwd = userpwd;
	}
	rq.on_done = done;
	rq.ud = r;
	err_clear(&e);
	j->req = http_start(r->loop, &rq, &e);
	xfree_secret_str(userpwd);
	if (!j->req)
		job_failf(r, e.code, "registry %s: %s", r->name, e.msg);
}

/* Adds every scope of the space-separated key as its own field. */
static void form_scopes(struct strbuf *b, const char *key, int query)
{
	const char *p = key;

	while (p && *p) {
		const char *end = strchr(p, ' ');
		char *one = end ? xstrndup(p, (size_t)(end - p))
				: xstrdup(p);

		if (*one) {
			if (query)
				strbuf_add(b, "&");
			strbuf_add_form(b, "scope", one);
		}
		free(one);
		p = end ? end + 1 : NULL;
	}
}

static void on_token_answer(const struct http_response *resp, void *ud)
{
	struct registry *r = ud;
	struct token_job *j = r->jobs;
	cJSON *js;
	const char *tok;

	j->req = NULL;
	if (resp->status == 401 && r->auth == REGISTRY_AUTH_ACR &&
	    !j->fresh_refresh && !j->reexchanged) {
		/* The cached refresh token was refused: exchange again. */
		xfree_secret_str(r->refresh);
		r->refresh = NULL;
		j->reexchanged = 1;
		job_run(r);
		return;
	}
	if (resp->status != 200) {
		job_refused(r, "token request", resp);
		return;
	}
	js = cJSON_Parse(resp->body);
	tok = json_str(js, "access_token");
	if (!tok || !*tok)
		tok = json_str(js, "token");
	if (!tok || !*tok) {
		cJSON_Delete(js);
		job_failf(r, ERR_AUTH, "registry %s: authentication required "
			  "(the token service answered without a token)",
			  r->name);
		return;
	}
	job_finish(r, tok, token_deadline(tok, json_num(js, "expires_in", 0)),
		   NULL);
	cJSON_Delete(js);
}

static void job_token(struct registry *r)
{
	struct token_job *j = r->jobs;
	struct strbuf b = {.secret = 1};

	j->phase = JOB_TOKEN;
	if (r->auth == REGISTRY_AUTH_ACR) {
		strbuf_add_form(&b, "grant_type", "refresh_token");
		if (r->service)
			strbuf_add_form(&b, "service", r->service);
		form_scopes(&b, j->key, 0);
		strbuf_add_form(&b, "refresh_token", r->refresh);
		job_start_req(r, "POST", r->realm, &b, 0, on_token_answer);
		strbuf_free(&b);
		return;
	}
	/* Docker's token flow: GET realm?service=…&scope=…, anonymous or
	 * with Basic credentials. */
	strbuf_add(&b, r->realm);
	strbuf_add(&b, strchr(r->realm, '?') ? "&" : "?");
	if (r->service) {
		struct strbuf f = {.secret = 1};

		strbuf_add_form(&f, "service", r->service);
		strbuf_add(&b, f.p);
		strbuf_free(&f);
	}
	form_scopes(&b, j->key, 1);
	job_start_req(r, "GET", b.p, NULL, r->auth == REGISTRY_AUTH_BASIC,
		      on_token_answer);
	strbuf_free(&b);
}

static void on_exchange_answer(const struct http_response *resp, void *ud)
{
	struct registry *r = ud;
	struct token_job *j = r->jobs;
	cJSON *js;
	const char *rt;

	j->req = NULL;
	if (resp->status != 200) {
		job_refused(r, "token exchange", resp);
		return;
	}
	js = cJSON_Parse(resp->body);
	rt = json_str(js, "refresh_token");
	if (!rt || !*rt) {
		cJSON_Delete(js);
		job_failf(r, ERR_AUTH, "registry %s: authentication required "
			  "(the token exchange answered without a refresh "
			  "token)", r->name);
		return;
	}
	xfree_secret_str(r->refresh);
	r->refresh = xstrdup(rt);
	r->refresh_deadline_ms = token_deadline(rt, 0);
	cJSON_Delete(js);
	j->fresh_refresh = 1;
	job_token(r);
}

static void job_exchange(struct registry *r, const char *aad)
{
	struct token_job *j = r->jobs;
	struct strbuf b = {.secret = 1};
	char *origin, *url;

	j->phase = JOB_EXCHANGE;
	origin = r->auth_url ? xstrdup(r->auth_url) : origin_of(r->realm);
	url = xasprintf("%s/oauth2/exchange", origin);
	free(origin);
	strbuf_add_form(&b, "grant_type", "access_token");
	if (r->service)
		strbuf_add_form(&b, "service", r->service);
	if (r->tenant)
		strbuf_add_form(&b, "tenant", r->tenant);
	strbuf_add_form(&b, "access_token", aad);
	job_start_req(r, "POST", url, &b, 0, on_exchange_answer);
	strbuf_free(&b);
	free(url);
}

void registry_aad_done(struct registry_aad_wait *w, const char *token,
		       const struct err *e)
{
	struct registry *r;

	if (!w)
		return;
	r = w->reg;
	free(w);
	if (!r)
		return;
	r->aad_wait = NULL;
	if (!r->jobs || r->jobs->phase != JOB_AAD)
		return;
	if (!token || !*token) {
		job_failf(r, ERR_AUTH, "registry %s: authentication required "
			  "(no Entra ID token: %s)", r->name,
			  e && e->msg[0] ? e->msg : "none was given");
		return;
	}
	job_exchange(r, token);
}

static void job_run(struct registry *r)
{
	struct token_job *j = r->jobs;
	const char *have = tok_get(r, j->key);

	if (have) {
		char *copy = xstrdup(have);
		long long dl = 0;
		size_t i;

		for (i = 0; i < r->ntoks; i++)
			if (strcmp(r->toks[i].key, j->key) == 0)
				dl = r->toks[i].deadline_ms;
		job_finish(r, copy, dl, NULL);
		xfree_secret_str(copy);
		return;
	}
	if (!r->realm) {
		job_failf(r, ERR_AUTH, "registry %s: authentication required "
			  "(no token realm)", r->name);
		return;
	}
	if (r->auth != REGISTRY_AUTH_ACR) {
		job_token(r);
		return;
	}
	if (r->refresh && loop_now_ms() < r->refresh_deadline_ms) {
		job_token(r);
		return;
	}
	if (r->aad_token) {
		job_exchange(r, r->aad_token);
		return;
	}
	if (!r->get_aad) {
		job_failf(r, ERR_AUTH, "registry %s: authentication required "
			  "(no Entra ID token to exchange)", r->name);
		return;
	}
	j->phase = JOB_AAD;
	r->aad_wait = xcalloc(1, sizeof(*r->aad_wait));
	r->aad_wait->reg = r;
	r->get_aad(r->aad_ud, r->aad_wait);
}

static void job_join(struct registry *r, const char *key,
		     struct registry_op *op)
{
	struct token_job *j, **tail = &r->jobs;

	for (j = r->jobs; j; j = j->next)
		if (strcmp(j->key, key) == 0)
			break;
	if (!j) {
		j = xcalloc(1, sizeof(*j));
		j->key = xstrdup(key);
		while (*tail)
			tail = &(*tail)->next;
		*tail = j;
	}
	j->waiters = xgrow(j->waiters, &j->capwait, j->nwait + 1,
			   sizeof(*j->waiters));
	j->waiters[j->nwait++] = op;
	op->job = j;
	if (j == r->jobs && j->phase == JOB_QUEUED && j->nwait == 1)
		job_run(r);
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
		job_free(j);
	}
	if (r->aad_wait)
		r->aad_wait->reg = NULL;
	registry_forget_tokens(r);
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

static struct registry_op *op_new(struct registry *r, enum op_kind kind,
				  void *ud)
{
	struct registry_op *op = xcalloc(1, sizeof(*op));

	op->kind = kind;
	op->regs[0] = r;
	op->ud = ud;
	op->fd = -1;
	op_link(r, op);
	return op;
}

/* Every op starts from the loop, so callbacks never run inside the
 * starting call. */
static void op_begin(struct registry_op *op)
{
	op_later(op, NULL);
}

static int check_args(struct registry *r, const char *repo, const char *ref,
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

static void set_subject(struct registry_op *op, const char *repo,
			const char *ref)
{
	if (!ref)
		copy_str(op->subject, sizeof(op->subject), repo);
	else
		snprintf(op->subject, sizeof(op->subject), "%s%s%s", repo,
			 is_digest_ref(ref) ? "@" : ":", ref);
}

static char *pull_scope(const char *repo)
{
	return xasprintf("repository:%s:pull", repo);
}

/* ping */

static void ping_resp(struct registry_op *op,
		      const struct http_response *resp)
{
	struct err e;

	if (resp->status != 200) {
		op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	op_unlink(op);
	op->done_fn(0, &e, op->ud);
	op_free(op);
}

struct registry_op *registry_ping(struct registry *r, registry_done_fn done,
				  void *ud, struct err *e)
{
	struct registry_op *op;

	if (check_args(r, NULL, NULL, (const void *)done, e) < 0)
		return NULL;
	op = op_new(r, OP_PING, ud);
	op->done_fn = done;
	snprintf(op->subject, sizeof(op->subject), "registry %s", r->name);
	op_prepare(op, r, "GET", xasprintf("%s/v2/", r->base), NULL,
		   ping_resp);
	op_begin(op);
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
		op_http_error(op, resp, op->subject);
		return;
	}
	js = cJSON_Parse(resp->body);
	arr = cJSON_GetObjectItemCaseSensitive(js, op->list_key);
	if (!js || !(cJSON_IsArray(arr) || cJSON_IsNull(arr) || !arr)) {
		cJSON_Delete(js);
		op_failf(op, ERR_PARSE, "%s: the registry's listing is not "
			 "valid JSON", op->subject);
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
		op_failf(op, ERR_PARSE, "%s: %s", op->subject, e.msg);
		return;
	}
	if (next) {
		abs = resolve_url(op->url, next);
		free(next);
		if (!abs || strcmp(abs, op->url) == 0 ||
		    ++op->pages > MAX_PAGES || !url_is_registry(op->rr, abs)) {
			free(abs);
			op_failf(op, ERR_HTTP, "%s: the registry's next-page "
				 "link goes nowhere useful", op->subject);
			return;
		}
		free(op->url);
		op->url = abs;
		op->authed = 0;
		op->hops = 0;
		op_send(op);
		return;
	}
	op_unlink(op);
	op->list_fn(0, &e, (const char *const *)op->names, op->nnames,
		    op->ud);
	op_free(op);
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

	if (check_args(r, repo, NULL, (const void *)done, e) < 0)
		return NULL;
	op = op_new(r, OP_LIST, ud);
	op->list_fn = done;
	op->list_key = "tags";
	op->repo = xstrdup(repo);
	set_subject(op, repo, NULL);
	q = page_query(page_size);
	scope = pull_scope(repo);
	op_prepare(op, r, "GET", xasprintf("%s/v2/%s/tags/list%s", r->base,
					   repo, q),
		   scope, list_resp);
	free(scope);
	free(q);
	op_begin(op);
	return op;
}

struct registry_op *registry_catalog(struct registry *r, int page_size,
				     registry_list_fn done, void *ud,
				     struct err *e)
{
	struct registry_op *op;
	char *q;

	if (check_args(r, NULL, NULL, (const void *)done, e) < 0)
		return NULL;
	op = op_new(r, OP_LIST, ud);
	op->list_fn = done;
	op->list_key = "repositories";
	snprintf(op->subject, sizeof(op->subject), "registry %s catalog",
		 r->name);
	q = page_query(page_size);
	op_prepare(op, r, "GET", xasprintf("%s/v2/_catalog%s", r->base, q),
		   "registry:catalog:*", list_resp);
	free(q);
	op_begin(op);
	return op;
}

/* manifests */

static void info_from(const struct http_response *resp,
		      struct registry_manifest_info *m)
{
	const char *v;
	char *end;
	long long n;

	memset(m, 0, sizeof(*m));
	m->exists = 1;
	m->size = -1;
	copy_str(m->digest, sizeof(m->digest),
		 http_header_get(resp, "docker-content-digest"));
	media_type(m->media_type, sizeof(m->media_type),
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
		info_from(resp, &m);
		if (!m.digest[0] && is_digest_ref(op->ref))
			copy_str(m.digest, sizeof(m.digest), op->ref);
	} else {
		op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	op_unlink(op);
	op->head_fn(0, &e, &m, op->ud);
	op_free(op);
}

static struct registry_op *manifest_op(struct registry *r, enum op_kind kind,
				       const char *repo, const char *ref,
				       void *ud, resp_fn fn)
{
	struct registry_op *op = op_new(r, kind, ud);
	char *scope = pull_scope(repo);

	op->repo = xstrdup(repo);
	op->ref = xstrdup(ref);
	set_subject(op, repo, ref);
	op_prepare(op, r, kind == OP_HEAD ? "HEAD" : "GET",
		   xasprintf("%s/v2/%s/manifests/%s", r->base, repo, ref),
		   scope, fn);
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

	if (check_args(r, repo, ref, (const void *)done, e) < 0)
		return NULL;
	op = manifest_op(r, OP_HEAD, repo, ref, ud, head_resp);
	op->head_fn = done;
	op_begin(op);
	return op;
}

static int is_index_type(const char *mt)
{
	return strcmp(mt, REGISTRY_MT_OCI_INDEX) == 0 ||
	       strcmp(mt, REGISTRY_MT_DOCKER_LIST) == 0;
}

/* Digest and media type of a fetched manifest; checks the bytes against
 * the digest asked for or announced. 0 or a failure sentence in e. */
static int manifest_identity(const struct http_response *resp,
			     const char *ref, const char *subject,
			     struct registry_manifest_info *m, cJSON **json,
			     struct err *e)
{
	char computed[80];
	cJSON *js;

	info_from(resp, m);
	m->size = (long long)resp->body_len;
	digest_of(resp->body, resp->body_len, computed);
	if (is_digest_ref(ref) && strcmp(computed, ref) != 0)
		return err_set(e, ERR_PARSE, "%s: the manifest's bytes do not "
			       "match its digest", subject);
	if (m->digest[0] && strncmp(m->digest, "sha256:", 7) == 0 &&
	    strcmp(m->digest, computed) != 0)
		return err_set(e, ERR_PARSE, "%s: the manifest's bytes do not "
			       "match the digest the registry announced (%s)",
			       subject, m->digest);
	if (!m->digest[0])
		copy_str(m->digest, sizeof(m->digest), computed);
	js = cJSON_ParseWithLength(resp->body, resp->body_len);
	if (!cJSON_IsObject(js)) {
		cJSON_Delete(js);
		return err_set(e, ERR_PARSE, "%s: the manifest is not a JSON "
			       "object", subject);
	}
	if (!m->media_type[0] || strcmp(m->media_type, "application/json") ==
					 0)
		copy_str(m->media_type, sizeof(m->media_type),
			 json_str(js, "mediaType"));
	if (!m->media_type[0] && cJSON_GetObjectItem(js, "manifests"))
		copy_str(m->media_type, sizeof(m->media_type),
			 REGISTRY_MT_OCI_INDEX);
	else if (!m->media_type[0])
		copy_str(m->media_type, sizeof(m->media_type),
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
		op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	memset(&man, 0, sizeof(man));
	if (manifest_identity(resp, op->ref, op->subject, &man.info, &js,
			      &e) < 0) {
		op_fail(op, &e);
		return;
	}
	man.body = resp->body;
	man.body_len = resp->body_len;
	man.is_index = is_index_type(man.info.media_type);
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

			copy_str(p->digest, sizeof(p->digest),
				 json_str(it, "digest"));
			copy_str(p->media_type, sizeof(p->media_type),
				 json_str(it, "mediaType"));
			p->size = json_num(it, "size", -1);
			copy_str(p->os, sizeof(p->os), json_str(pf, "os"));
			copy_str(p->arch, sizeof(p->arch),
				 json_str(pf, "architecture"));
			copy_str(p->variant, sizeof(p->variant),
				 json_str(pf, "variant"));
		}
	}
	cJSON_Delete(js);
	man.platforms = plats;
	man.nplatforms = np;
	op_unlink(op);
	op->manifest_fn(0, &e, &man, op->ud);
	free(plats);
	op_free(op);
}

struct registry_op *registry_manifest_get(struct registry *r,
					  const char *repo, const char *ref,
					  registry_manifest_fn done, void *ud,
					  struct err *e)
{
	struct registry_op *op;

	if (check_args(r, repo, ref, (const void *)done, e) < 0)
		return NULL;
	op = manifest_op(r, OP_GET, repo, ref, ud, get_resp);
	op->manifest_fn = done;
	op_begin(op);
	return op;
}

/* ---- copy --------------------------------------------------------------- */

static void copy_next_child(struct registry_op *op);
static void copy_next_blob(struct registry_op *op);
static void copy_put_children(struct registry_op *op);
static void copy_verify(struct registry_op *op);

static void report(struct registry_op *op, const char *current, int force)
{
	long long now = loop_now_ms();

	if (!op->progress_fn)
		return;
	if (!force && now - op->last_progress_ms < PROGRESS_EVERY_MS)
		return;
	op->last_progress_ms = now;
	op->prog.current = current;
	op->progress_fn(&op->prog, op->ud);
	op->prog.current = NULL;
}

static void add_blob(struct registry_op *op, const cJSON *desc)
{
	const char *d = json_str(desc, "digest");
	const char *mt = json_str(desc, "mediaType");
	const cJSON *urls = cJSON_GetObjectItemCaseSensitive(desc, "urls");
	size_t i;

	if (!d || !registry_valid_ref(d) || !is_digest_ref(d))
		return;
	/* Foreign (non-distributable) layers stay where they are. */
	if ((cJSON_IsArray(urls) && cJSON_GetArraySize(urls) > 0) ||
	    (mt && (strstr(mt, "foreign") || strstr(mt, "nondistributable"))))
		return;
	for (i = 0; i < op->nblobs; i++)
		if (strcmp(op->blobs[i].digest, d) == 0)
			return;
	op->blobs = xgrow(op->blobs, &op->capblobs, op->nblobs + 1,
			  sizeof(*op->blobs));
	copy_str(op->blobs[op->nblobs].digest, 80, d);
	op->blobs[op->nblobs].size = json_num(desc, "size", 0);
	op->prog.bytes_total += op->blobs[op->nblobs].size;
	op->nblobs++;
	op->prog.blobs_total = op->nblobs;
}

/* Records the blobs of an image manifest; 0, or -1 for a nested index. */
static int collect_blobs(struct registry_op *op, const char *body,
			 size_t len, const char *mt)
{
	cJSON *js = cJSON_ParseWithLength(body, len), *it;
	const cJSON *layers;

	if (!js)
		return -1;
	if (is_index_type(mt) || cJSON_GetObjectItem(js, "manifests")) {
		cJSON_Delete(js);
		return -1;
	}
	add_blob(op, cJSON_GetObjectItemCaseSensitive(js, "config"));
	layers = cJSON_GetObjectItemCaseSensitive(js, "layers");
	cJSON_ArrayForEach(it, layers)
		add_blob(op, it);
	/* OCI artifact manifests list "blobs". */
	layers = cJSON_GetObjectItemCaseSensitive(js, "blobs");
	cJSON_ArrayForEach(it, layers)
		add_blob(op, it);
	cJSON_Delete(js);
	return 0;
}

static void copy_fail_manifest(struct registry_op *op, const char *what)
{
	op_failf(op, ERR_PARSE, "%s: %s", op->subject, what);
}

static void copy_child_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	struct child *k = &op->kids[op->i];
	struct registry_manifest_info m;
	cJSON *js = NULL;
	struct err e;
	char sub[200];

	snprintf(sub, sizeof(sub), "%s@%s", op->repo, k->digest);
	if (resp->status != 200) {
		op_http_error(op, resp, sub);
		return;
	}
	err_clear(&e);
	if (manifest_identity(resp, k->digest, sub, &m, &js, &e) < 0) {
		op_fail(op, &e);
		return;
	}
	cJSON_Delete(js);
	if (!k->media_type[0] || strcmp(m.media_type, k->media_type) != 0)
		copy_str(k->media_type, sizeof(k->media_type), m.media_type);
	k->body = xstrndup(resp->body, resp->body_len);
	k->len = resp->body_len;
	if (collect_blobs(op, k->body, k->len, k->media_type) < 0) {
		copy_fail_manifest(op, "an index inside an index cannot be "
				   "copied");
		return;
	}
	op->i++;
	copy_next_child(op);
}

static void copy_next_child(struct registry_op *op)
{
	struct child *k;

	if (op->i >= op->nkids) {
		op->i = 0;
		report(op, NULL, 1);
		copy_next_blob(op);
		return;
	}
	k = &op->kids[op->i];
	op_prepare(op, op->regs[0], "GET",
	      xasprintf("%s/v2/%s/manifests/%s", op->regs[0]->base, op->repo,
			k->digest),
	      op->src_scope, copy_child_resp);
	op->accept_all = 1;
	op_send(op);
}

static void copy_top_resp(struct registry_op *op,
			  const struct http_response *resp)
{
	struct registry_manifest_info m;
	cJSON *js = NULL, *arr, *it;
	struct err e;

	if (resp->status != 200) {
		op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	if (manifest_identity(resp, op->ref, op->subject, &m, &js, &e) < 0) {
		op_fail(op, &e);
		return;
	}
	copy_str(op->top_digest, sizeof(op->top_digest), m.digest);
	copy_str(op->top_mt, sizeof(op->top_mt), m.media_type);
	op->top_body = xstrndup(resp->body, resp->body_len);
	op->top_len = resp->body_len;
	op->top_index = is_index_type(m.media_type);
	if (strstr(m.media_type, "docker.distribution.manifest.v1")) {
		cJSON_Delete(js);
		copy_fail_manifest(op, "schema 1 manifests cannot be copied");
		return;
	}
	if (op->top_index) {
		arr = cJSON_GetObjectItemCaseSensitive(js, "manifests");
		cJSON_ArrayForEach(it, arr)
		{
			const char *d = json_str(it, "digest");
			struct child *k;

			if (!d || !is_digest_ref(d) || !registry_valid_ref(d))
				continue;
			op->kids = xgrow(op->kids, &op->capkids,
					 op->nkids + 1, sizeof(*op->kids));
			k = &op->kids[op->nkids++];
			memset(k, 0, sizeof(*k));
			copy_str(k->digest, sizeof(k->digest), d);
			copy_str(k->media_type, sizeof(k->media_type),
				 json_str(it, "mediaType"));
		}
		cJSON_Delete(js);
		op->i = 0;
		copy_next_child(op);
		return;
	}
	cJSON_Delete(js);
	if (collect_blobs(op, op->top_body, op->top_len, op->top_mt) < 0) {
		copy_fail_manifest(op, "the manifest cannot be read");
		return;
	}
	op->i = 0;
	report(op, NULL, 1);
	copy_next_blob(op);
}

/* One blob finished (however it got there). */
static void blob_done(struct registry_op *op, size_t *counter)
{
	struct blob *b = &op->blobs[op->i];

	(*counter)++;
	op->base_done += b->size;
	op->prog.bytes_done = op->base_done;
	op->prog.blobs_done++;
	free(op->upload_url);
	op->upload_url = NULL;
	report(op, b->digest, 1);
	op->i++;
	copy_next_blob(op);
}

static char *blob_subject(const char *repo, const char *digest)
{
	return xasprintf("%s@%s", repo, digest);
}

static void copy_upload_resp(struct registry_op *op,
			     const struct http_response *resp)
{
	struct blob *b = &op->blobs[op->i];
	char *sub;

	if (resp->status == 201 || resp->status == 204 ||
	    resp->status == 200) {
		blob_done(op, &op->prog.blobs_pushed);
		return;
	}
	sub = blob_subject(op->dst_repo, b->digest);
	op_http_error(op, resp, sub);
	free(sub);
}

static void copy_upload(struct registry_op *op)
{
	struct blob *b = &op->blobs[op->i];
	struct strbuf u = {0};

	strbuf_add(&u, op->upload_url);
	strbuf_add(&u, strchr(op->upload_url, '?') ? "&" : "?");
	strbuf_add_form(&u, "digest", b->digest);
	op_prepare(op, op->regs[1], "PUT", strbuf_take(&u), op->dst_scope,
		   copy_upload_resp);
	op->ctype = xstrdup("Content-Type: application/octet-stream");
	op->upload = 1;
	op->up_len = op->got;
	op_send(op);
}

static int take_upload_url(struct registry_op *op,
			   const struct http_response *resp)
{
	const char *loc = http_header_get(resp, "location");

	free(op->upload_url);
	op->upload_url = loc ? resolve_url(op->url, loc) : NULL;
	return op->upload_url ? 0 : -1;
}

static void copy_start_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	if (resp->status != 202 || take_upload_url(op, resp) < 0) {
		op_http_error(op, resp, op->dst_repo);
		return;
	}
	copy_upload(op);
}

static void copy_pulled_resp(struct registry_op *op,
			     const struct http_response *resp)
{
	struct blob *b = &op->blobs[op->i];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char got[80];
	char *sub;

	if (resp->status != 200) {
		sub = blob_subject(op->repo, b->digest);
		op_http_error(op, resp, sub);
		free(sub);
		return;
	}
	got[0] = '\0';
	if (EVP_DigestFinal_ex(op->md, md, &mdlen) == 1 && mdlen == 32)
		sha256_hex(md, got);
	if (strcmp(got, b->digest) != 0) {
		op_failf(op, ERR_PARSE, "%s@%s: the blob's bytes do not "
			 "match its digest", op->repo, b->digest);
		return;
	}
	if (b->size > 0 && op->got != b->size)
		b->size = op->got;
	if (op->upload_url) {
		/* A refused mount left an upload session open: use it. */
		copy_upload(op);
		return;
	}
	op_go(op, op->regs[1], "POST",
	      xasprintf("%s/v2/%s/blobs/uploads/", op->regs[1]->base,
			op->dst_repo),
	      op->dst_scope, copy_start_resp);
}

static void copy_pull(struct registry_op *op)
{
	struct blob *b = &op->blobs[op->i];

	if (op->fd < 0) {
		const char *tmp = getenv("TMPDIR");
		char *path = xasprintf("%s/jumpdeck-blob.XXXXXX",
				       tmp && *tmp ? tmp : "/tmp");

		op->fd = mkstemp(path);
		if (op->fd >= 0)
			unlink(path);
		if (op->fd < 0) {
			op_failf(op, ERR_IO, "cannot create a temporary file "
				 "in %s: %s", tmp && *tmp ? tmp : "/tmp",
				 strerror(errno));
			free(path);
			return;
		}
		free(path);
		op->md = EVP_MD_CTX_new();
	}
	op_prepare(op, op->regs[0], "GET",
		   xasprintf("%s/v2/%s/blobs/%s", op->regs[0]->base, op->repo,
			     b->digest),
		   op->src_scope, copy_pulled_resp);
	op->spool_in = 1;
	op_send(op);
}

static int on_spool_data(const char *buf, size_t len, void *ud)
{
	struct registry_op *op = ud;
	size_t off = 0;

	while (off < len) {
		ssize_t n = pwrite(op->fd, buf + off, len - off,
				   (off_t)(op->got + (long long)off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			op->spool_failed = n < 0 ? errno : EIO;
			return 1;
		}
		off += (size_t)n;
	}
	EVP_DigestUpdate(op->md, buf, len);
	op->got += (long long)len;
	op->prog.bytes_done = op->base_done + op->got / 2;
	report(op, op->blobs[op->i].digest, 0);
	return 0;
}

static size_t on_upload_read(char *buf, size_t len, void *ud)
{
	struct registry_op *op = ud;
	long long left = op->up_len - op->up_off;
	ssize_t n;

	if (left <= 0)
		return 0;
	if ((long long)len > left)
		len = (size_t)left;
	do
		n = pread(op->fd, buf, len, (off_t)op->up_off);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		op->spool_failed = n < 0 ? errno : EIO;
		return HTTP_READ_ABORT;
	}
	op->up_off += n;
	op->prog.bytes_done = op->base_done + op->got / 2 + op->up_off / 2;
	report(op, op->blobs[op->i].digest, 0);
	return (size_t)n;
}

static void copy_mount_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	if (resp->status == 201) {
		blob_done(op, &op->prog.blobs_mounted);
		return;
	}
	if (resp->status == 202 && take_upload_url(op, resp) == 0) {
		copy_pull(op);
		return;
	}
	op_http_error(op, resp, op->dst_repo);
}

static void copy_head_resp(struct registry_op *op,
			   const struct http_response *resp)
{
	struct blob *b = &op->blobs[op->i];
	struct strbuf u = {0};
	char *sub;

	if (resp->status == 200) {
		blob_done(op, &op->prog.blobs_skipped);
		return;
	}
	if (resp->status != 404) {
		sub = blob_subject(op->dst_repo, b->digest);
		op_http_error(op, resp, sub);
		free(sub);
		return;
	}
	if (!op->mount) {
		copy_pull(op);
		return;
	}
	strbuf_add(&u, op->regs[1]->base);
	strbuf_add(&u, "/v2/");
	strbuf_add(&u, op->dst_repo);
	strbuf_add(&u, "/blobs/uploads/?");
	strbuf_add_form(&u, "mount", b->digest);
	strbuf_add_form(&u, "from", op->repo);
	op_go(op, op->regs[1], "POST", strbuf_take(&u), op->dst_scope,
	      copy_mount_resp);
}

static void copy_next_blob(struct registry_op *op)
{
	struct blob *b;

	if (op->i >= op->nblobs) {
		op->i = 0;
		copy_put_children(op);
		return;
	}
	b = &op->blobs[op->i];
	op_go(op, op->regs[1], "HEAD",
	      xasprintf("%s/v2/%s/blobs/%s", op->regs[1]->base, op->dst_repo,
			b->digest),
	      op->dst_scope, copy_head_resp);
}

static void put_manifest(struct registry_op *op, const char *ref,
			 const char *body, size_t len, const char *mt,
			 resp_fn fn)
{
	op_prepare(op, op->regs[1], "PUT",
		   xasprintf("%s/v2/%s/manifests/%s", op->regs[1]->base,
			     op->dst_repo, ref),
		   op->dst_scope, fn);
	op->ctype = xasprintf("Content-Type: %s", mt);
	op->body = body;
	op->body_len = len;
	op_send(op);
}

static void copy_put_resp(struct registry_op *op,
			  const struct http_response *resp)
{
	char sub[200];

	if (resp->status != 201 && resp->status != 200) {
		if (op->i < op->nkids)
			snprintf(sub, sizeof(sub), "%s@%s", op->dst_repo,
				 op->kids[op->i].digest);
		else
			snprintf(sub, sizeof(sub), "%s:%s", op->dst_repo,
				 op->dst_tag);
		op_http_error(op, resp, sub);
		return;
	}
	op->prog.manifests_put++;
	if (op->i >= op->nkids) {
		report(op, NULL, 1);
		op->i = 0;
		copy_verify(op);
		return;
	}
	op->i++;
	copy_put_children(op);
}

/* Child manifests by digest, then the top one under the tag. */
static void copy_put_children(struct registry_op *op)
{
	if (op->i < op->nkids) {
		struct child *k = &op->kids[op->i];

		put_manifest(op, k->digest, k->body, k->len, k->media_type,
			     copy_put_resp);
		return;
	}
	put_manifest(op, op->dst_tag, op->top_body, op->top_len, op->top_mt,
		     copy_put_resp);
}

static void copy_succeed(struct registry_op *op)
{
	struct registry_copy_result res;
	struct err e;

	memset(&res, 0, sizeof(res));
	copy_str(res.digest, sizeof(res.digest), op->top_digest);
	copy_str(res.media_type, sizeof(res.media_type), op->top_mt);
	res.is_index = op->top_index;
	res.platforms = op->nkids;
	res.progress = op->prog;
	err_clear(&e);
	op_unlink(op);
	op->copy_fn(0, &e, &res, op->ud);
	op_free(op);
}

/* Verification, step 2..: every manifest the tag needs, by digest. */
static void verify_digest_resp(struct registry_op *op,
			       const struct http_response *resp)
{
	const char *d = op->i == 0 ? op->top_digest
				   : op->kids[op->i - 1].digest;

	if (resp->status == 404) {
		op_failf(op, ERR_CONFLICT, "%s:%s points at %s, a manifest "
			 "that is missing%s; the registry's tag and "
			 "manifest stores disagree (as after an interrupted "
			 "import): copy again", op->dst_repo, op->dst_tag, d,
			 op->i ? " (a platform of the index)" : "");
		return;
	}
	if (resp->status != 200) {
		char sub[200];

		snprintf(sub, sizeof(sub), "%s@%s", op->dst_repo, d);
		op_http_error(op, resp, sub);
		return;
	}
	op->i++;
	if (op->i > op->nkids) {
		copy_succeed(op);
		return;
	}
	op_prepare(op, op->regs[1], "HEAD",
	      xasprintf("%s/v2/%s/manifests/%s", op->regs[1]->base,
			op->dst_repo, op->kids[op->i - 1].digest),
	      op->dst_scope, verify_digest_resp);
	op->accept_all = 1;
	op_send(op);
}

static void verify_tag_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	struct registry_manifest_info m;
	char sub[200];

	snprintf(sub, sizeof(sub), "%s:%s", op->dst_repo, op->dst_tag);
	if (resp->status == 404) {
		op_failf(op, ERR_CONFLICT, "%s was written but cannot be "
			 "read back: the tag points at a missing manifest "
			 "(expected %s); copy again", sub, op->top_digest);
		return;
	}
	if (resp->status != 200) {
		op_http_error(op, resp, sub);
		return;
	}
	info_from(resp, &m);
	if (strcmp(m.digest, op->top_digest) != 0) {
		op_failf(op, ERR_CONFLICT, "%s points at %s after the copy, "
			 "not at the source's %s", sub,
			 m.digest[0] ? m.digest : "no digest",
			 op->top_digest);
		return;
	}
	op->i = 0;
	op_prepare(op, op->regs[1], "HEAD",
	      xasprintf("%s/v2/%s/manifests/%s", op->regs[1]->base,
			op->dst_repo, op->top_digest),
	      op->dst_scope, verify_digest_resp);
	op->accept_all = 1;
	op_send(op);
}

static void copy_verify(struct registry_op *op)
{
	op_prepare(op, op->regs[1], "HEAD",
	      xasprintf("%s/v2/%s/manifests/%s", op->regs[1]->base,
			op->dst_repo, op->dst_tag),
	      op->dst_scope, verify_tag_resp);
	op->accept_all = 1;
	op_send(op);
}

struct registry_op *registry_copy(struct registry *src, const char *src_repo,
				  const char *src_ref, struct registry *dst,
				  const char *dst_repo, const char *dst_tag,
				  registry_progress_fn progress,
				  registry_copy_fn done, void *ud,
				  struct err *e)
{
	struct registry_op *op;

	if (check_args(src, src_repo, src_ref, (const void *)done, e) < 0 ||
	    check_args(dst, dst_repo, dst_tag, (const void *)done, e) < 0)
		return NULL;
	if (is_digest_ref(dst_tag)) {
		err_set(e, ERR_USAGE, "the copy's destination must be a tag, "
			"not %s", dst_tag);
		return NULL;
	}
	op = op_new(src, OP_COPY, ud);
	op->regs[1] = dst;
	if (dst != src)
		op_link(dst, op);
	op->copy_fn = done;
	op->progress_fn = progress;
	op->repo = xstrdup(src_repo);
	op->ref = xstrdup(src_ref);
	op->dst_repo = xstrdup(dst_repo);
	op->dst_tag = xstrdup(dst_tag);
	set_subject(op, src_repo, src_ref);
	op->mount = (src == dst || strcmp(src->base, dst->base) == 0) &&
		    strcmp(src_repo, dst_repo) != 0;
	op->src_scope = pull_scope(src_repo);
	if (strcmp(src_repo, dst_repo) == 0 && src == dst)
		op->dst_scope = xasprintf("repository:%s:pull,push",
					  dst_repo);
	else if (op->mount)
		op->dst_scope = xasprintf("repository:%s:pull,push "
					  "repository:%s:pull",
					  dst_repo, src_repo);
	else
		op->dst_scope = xasprintf("repository:%s:pull,push",
					  dst_repo);
	op_prepare(op, src, "GET",
		   xasprintf("%s/v2/%s/manifests/%s", src->base, src_repo,
			     src_ref),
		   op->src_scope, copy_top_resp);
	op->accept_all = 1;
	op_begin(op);
	return op;
}
