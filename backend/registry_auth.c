/* registry_auth.c - registry tokens: Bearer and Basic challenges, Docker
 * and ACR token flows, one job per scope, the cache. Not the operations. */
#include "registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "base64.h"
#include "challenge.h"
#include "json.h"
#include "registry_int.h"
#include "strbuf.h"
#include "xalloc.h"

static void job_run(struct registry *r);

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

/* The claims of a JWT (caller frees), or NULL when it is not one. */
static cJSON *jwt_claims(const char *jwt)
{
	const char *a = strchr(jwt, '.'), *b;
	char *seg;
	unsigned char *raw = NULL;
	size_t i, rawlen = 0;
	cJSON *j = NULL;

	if (!a)
		return NULL;
	b = strchr(a + 1, '.');
	if (!b)
		return NULL;
	seg = xstrndup(a + 1, (size_t)(b - a - 1));
	for (i = 0; seg[i]; i++) {
		if (seg[i] == '-')
			seg[i] = '+';
		else if (seg[i] == '_')
			seg[i] = '/';
	}
	if (base64_decode(seg, strlen(seg), &raw, &rawlen, NULL) == 0) {
		j = cJSON_ParseWithLength((const char *)raw, rawlen);
		memset(raw, 0, rawlen);
	}
	free(raw);
	free(seg);
	return j;
}

/* exp of a JWT (seconds since the epoch), or -1. */
static long long jwt_exp(const char *jwt)
{
	cJSON *j = jwt_claims(jwt);
	long long exp = json_num(j, "exp", -1);

	cJSON_Delete(j);
	return exp;
}

/* The longest a token is kept, whatever it says of itself (ACR's live
 * about an hour); also keeps the sum below from overflowing. */
#define TOKEN_LIFE_MAX_S 86400LL

/* Does the actions array hold action (or "*")? */
static int actions_have(const cJSON *acts, const char *action, size_t n)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, acts)
	{
		if (!cJSON_IsString(a))
			continue;
		if (strcmp(a->valuestring, "*") == 0 ||
		    (strlen(a->valuestring) == n &&
		     strncmp(a->valuestring, action, n) == 0))
			return 1;
	}
	return 0;
}

/* Does the access claim (Docker's token spec, as ACR issues it) grant
 * every action of scope "type:name:action[,action]"? */
static int claims_grant(const cJSON *claims, const char *scope)
{
	const char *c1 = strchr(scope, ':'), *c2 = strrchr(scope, ':');
	const cJSON *e;

	if (!c1 || c2 == c1)
		return 0;
	cJSON_ArrayForEach(e, json_get(claims, "access"))
	{
		const char *type = json_str(e, "type");
		const char *name = json_str(e, "name");
		const cJSON *acts = json_get(e, "actions");
		const char *p = c2 + 1;
		int all = 1;

		if (!type || !name || strlen(type) != (size_t)(c1 - scope) ||
		    strncmp(type, scope, (size_t)(c1 - scope)) != 0 ||
		    strlen(name) != (size_t)(c2 - c1 - 1) ||
		    strncmp(name, c1 + 1, (size_t)(c2 - c1 - 1)) != 0)
			continue;
		while (*p && all) {
			size_t n = strcspn(p, ",");

			all = actions_have(acts, p, n);
			p += n;
			if (*p == ',')
				p++;
		}
		if (all)
			return 1;
	}
	return 0;
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
	if (life > TOKEN_LIFE_MAX_S)
		life = TOKEN_LIFE_MAX_S;
	margin = life / 10;
	if (margin > 60)
		margin = 60;
	if (margin < 0)
		margin = 0;
	return loop_now_ms() + (life - margin) * 1000;
}

/* ": CODE: message" or "" for sentences. */
static void error_suffix(const char *body, char *out, size_t sz)
{
	char code[64], msg[300];

	out[0] = '\0';
	if (!registry_body_error(body, code, sizeof(code), msg, sizeof(msg)))
		return;
	if (code[0] && msg[0])
		snprintf(out, sz, ": %s: %s", code, msg);
	else
		snprintf(out, sz, ": %s", code[0] ? code : msg);
}

const char *registry_tok_get(struct registry *r, const char *key)
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

void registry_scope_hint(struct registry *r, const char *const *scopes,
			 size_t n)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nhints; i++)
		free(r->hints[i]);
	free(r->hints);
	r->hints = NULL;
	r->nhints = 0;
	if (n > REGISTRY_MAX_HINTS)
		n = REGISTRY_MAX_HINTS;
	if (!scopes || !n)
		return;
	r->hints = xcalloc(n, sizeof(*r->hints));
	for (i = 0; i < n; i++)
		if (scopes[i] && *scopes[i] && !strchr(scopes[i], ' '))
			r->hints[r->nhints++] = xstrdup(scopes[i]);
}

void registry_job_forget_op(struct token_job *j, struct registry_op *op)
{
	size_t i;

	for (i = 0; i < j->nwait; i++) {
		if (j->waiters[i] == op) {
			j->waiters[i] = j->waiters[--j->nwait];
			return;
		}
	}
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
int registry_answer_challenge(struct registry_op *op,
			      const struct http_response *resp)
{
	struct registry *r = op->rr;
	const char *hdr = http_header_get(resp, "www-authenticate");
	struct challenge c;
	const char *realm, *scope;

	if (!hdr || !registry_url_is_registry(r, op->url))
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
		/* A token refused is dropped; one that came while this
		 * request went out without it is kept for it. */
		if (op->sent_token)
			tok_drop(r, op->scope ? op->scope : "");
		scope = challenge_get(&c, "scope");
		if (scope && *scope && !scope_has(op->scope, scope)) {
			char *merged =
			    op->scope && *op->scope
				? xasprintf("%s %s", op->scope, scope)
				: xstrdup(scope);

			free(op->scope);
			op->scope = merged;
		}
		challenge_clear(&c);
		op->authed = 2;
		registry_job_join(r, op->scope ? op->scope : "", op);
		return 1;
	}
	if (challenge_parse_scheme(hdr, "Basic", &c, NULL) == 0) {
		challenge_clear(&c);
		if (r->username && !r->basic_challenge && op->authed < 2) {
			r->basic_challenge = 1;
			op->authed = 2;
			registry_op_send(op);
			return 1;
		}
	}
	return 0;
}

/* ---- token jobs ------------------------------------------------------ */

void registry_job_free(struct token_job *j)
{
	if (j->req)
		http_cancel(j->req);
	free(j->key);
	free(j->asked);
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
		registry_op_later(op, token ? NULL : e);
	}
	registry_job_free(j);
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
			  "registry %s: %s: %s", r->name, what, resp->err.msg);
		return;
	}
	error_suffix(resp->body, why, sizeof(why));
	job_failf(r, resp->status == 403 ? ERR_DENIED : ERR_AUTH,
		  "registry %s: authentication required (%s failed: HTTP "
		  "%ld%s)",
		  r->name, what, resp->status, why);
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
		char *one = end ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);

		if (*one) {
			if (query)
				strbuf_add(b, "&");
			strbuf_add_form(b, "scope", one);
		}
		free(one);
		p = end ? end + 1 : NULL;
	}
}

/* The job's own scopes, then hinted ones that have no fresh token yet,
 * up to REGISTRY_SCOPES_PER_TOKEN in all: a new string. */
static char *job_scopes(struct registry *r, const char *key)
{
	struct strbuf b = {0};
	size_t i, n = 0;
	const char *p;

	strbuf_add(&b, key);
	for (p = key; *p; p++)
		n += *p == ' ';
	n += *key != '\0';
	for (i = 0; i < r->nhints && n < REGISTRY_SCOPES_PER_TOKEN; i++) {
		if (scope_has(key, r->hints[i]) ||
		    registry_tok_get(r, r->hints[i]))
			continue;
		strbuf_add(&b, b.len ? " " : "");
		strbuf_add(&b, r->hints[i]);
		n++;
	}
	return b.p ? b.p : xstrdup("");
}

/* A token asked for with hinted scopes is kept for each of them that it
 * grants, so that their operations need no request of their own. */
static void cache_hinted(struct registry *r, const struct token_job *j,
			 const char *token, long long deadline_ms)
{
	cJSON *claims;
	const char *p = j->asked;

	if (!p || strcmp(p, j->key) == 0)
		return;
	claims = jwt_claims(token);
	while (claims && *p) {
		size_t n = strcspn(p, " ");
		char *one = xstrndup(p, n);

		if (*one && !scope_has(j->key, one) &&
		    claims_grant(claims, one))
			tok_put(r, one, token, deadline_ms);
		free(one);
		p += n;
		if (*p == ' ')
			p++;
	}
	cJSON_Delete(claims);
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
		job_failf(r, ERR_AUTH,
			  "registry %s: authentication required "
			  "(the token service answered without a token)",
			  r->name);
		return;
	}
	if (http_has_control(tok)) {
		cJSON_Delete(js);
		job_failf(r, ERR_AUTH,
			  "registry %s: the token service answered with a "
			  "token that holds a line break or another control "
			  "character; it was not used",
			  r->name);
		return;
	}
	{
		long long dl =
		    token_deadline(tok, json_num(js, "expires_in", 0));

		cache_hinted(r, j, tok, dl);
		job_finish(r, tok, dl, NULL);
	}
	cJSON_Delete(js);
}

static void job_token(struct registry *r)
{
	struct token_job *j = r->jobs;
	struct strbuf b = {.secret = 1};

	j->phase = JOB_TOKEN;
	free(j->asked);
	j->asked = job_scopes(r, j->key);
	if (r->auth == REGISTRY_AUTH_ACR) {
		strbuf_add_form(&b, "grant_type", "refresh_token");
		if (r->service)
			strbuf_add_form(&b, "service", r->service);
		form_scopes(&b, j->asked, 0);
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
	form_scopes(&b, j->asked, 1);
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
		job_failf(r, ERR_AUTH,
			  "registry %s: authentication required "
			  "(the token exchange answered without a refresh "
			  "token)",
			  r->name);
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
		job_failf(r, ERR_AUTH,
			  "registry %s: authentication required "
			  "(no Entra ID token: %s)",
			  r->name, e && e->msg[0] ? e->msg : "none was given");
		return;
	}
	job_exchange(r, token);
}

static void job_run(struct registry *r)
{
	struct token_job *j = r->jobs;
	const char *have = registry_tok_get(r, j->key);

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
		job_failf(r, ERR_AUTH,
			  "registry %s: authentication required "
			  "(no token realm)",
			  r->name);
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
		job_failf(r, ERR_AUTH,
			  "registry %s: authentication required "
			  "(no Entra ID token to exchange)",
			  r->name);
		return;
	}
	j->phase = JOB_AAD;
	r->aad_wait = xcalloc(1, sizeof(*r->aad_wait));
	r->aad_wait->reg = r;
	r->get_aad(r->aad_ud, r->aad_wait);
}

void registry_job_join(struct registry *r, const char *key,
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
	j->waiters =
	    xgrow(j->waiters, &j->capwait, j->nwait + 1, sizeof(*j->waiters));
	j->waiters[j->nwait++] = op;
	op->job = j;
	if (j == r->jobs && j->phase == JOB_QUEUED && j->nwait == 1)
		job_run(r);
}
