/* azure_auth.c - the Entra ID credential chain: sources tried in order,
 * tokens cached per resource, callers answered. Not the sources. */
#include "azure_auth.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "azure_auth_int.h"
#include "http.h"
#include "json.h"
#include "jwt.h"
#include "proc.h"
#include "strbuf.h"
#include "text.h"
#include "xalloc.h"

#define DEFAULT_AUTHORITY "https://login.microsoftonline.com"
#define DEFAULT_IMDS	  "http://169.254.169.254"
#define AZ_CLI_CLIENT_ID  "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
#define STALE_OK_S	  30 /* a token this close to expiry is not served */
#define RETRY_REFRESH_MS  30000 /* after a failed refresh, serve the old */

static void start_fetch(struct entry *en);
static void run_source(struct entry *en, unsigned src);

/* ---- small helpers ------------------------------------------------- */

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

const char *azure_source_name(unsigned source)
{
	switch (source) {
	case AZURE_SRC_ENV:
		return "environment (client secret)";
	case AZURE_SRC_IMDS:
		return "managed identity";
	case AZURE_SRC_CLI:
		return "Azure CLI";
	case AZURE_SRC_DEVICE:
		return "device code";
	default:
		return "unknown source";
	}
}

/* The short label in the list of reasons. */
static const char *source_label(unsigned source)
{
	return source == AZURE_SRC_ENV ? "environment"
				       : azure_source_name(source);
}

char *azure_scope_for(const char *resource)
{
	size_t n = strlen(resource);
	static const char suffix[] = "/.default";

	if (n >= sizeof(suffix) - 1 &&
	    strcmp(resource + n - (sizeof(suffix) - 1), suffix) == 0)
		return xstrdup(resource);
	/* Always "/.default" appended, also after a slash: the token's aud
	 * is then exactly the resource, as with a v1 resource= request. */
	return xasprintf("%s/.default", resource);
}

/* The first line of server text, safe for the status bar and short. */
void az_first_line_safe(const char *s, char *dst, size_t sz, int cols)
{
	char line[400];
	size_t n = strcspn(s, "\r\n");

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	text_safe_buf(dst, sz, line, cols);
}

/* Entra's error code ("invalid_client") and a sentence for an error
 * answer. The description's first line carries the AADSTS number. */
void az_entra_error(const struct http_response *r, char *code, size_t code_sz,
		    char *msg, size_t msg_sz)
{
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
	const char *c = json_text(j, "error");
	const char *d = json_text(j, "error_description");
	char safe_code[64], safe_desc[240];

	text_safe_buf(safe_code, sizeof(safe_code), c ? c : "", 60);
	snprintf(code, code_sz, "%s", safe_code);
	if (d)
		az_first_line_safe(d, safe_desc, sizeof(safe_desc), 200);
	if (c && d)
		snprintf(msg, msg_sz, "Entra ID answered HTTP %ld %s: %s",
			 r->status, safe_code, safe_desc);
	else if (c)
		snprintf(msg, msg_sz, "Entra ID answered HTTP %ld %s",
			 r->status, safe_code);
	else
		snprintf(msg, msg_sz, "Entra ID answered HTTP %ld", r->status);
	cJSON_Delete(j);
}

/* ---- entries and delivery ------------------------------------------ */

static struct entry *entry_for(struct azure_auth *a, const char *resource)
{
	struct entry *en;

	for (en = a->entries; en; en = en->next)
		if (strcmp(en->resource, resource) == 0)
			return en;
	en = xcalloc(1, sizeof(*en));
	en->a = a;
	en->resource = xstrdup(resource);
	en->next = a->entries;
	a->entries = en;
	return en;
}

static void entry_stop_io(struct entry *en)
{
	struct loop *l = en->a->loop;

	if (en->req) {
		http_cancel(en->req);
		en->req = NULL;
	}
	if (en->proc) {
		proc_cancel(en->proc);
		en->proc = NULL;
	}
	loop_timer_cancel(l, en->timer);
	en->timer = 0;
	free_secret(&en->device_code);
	en->device = 0;
}

static void free_calls(struct azure_token_call *c)
{
	while (c) {
		struct azure_token_call *next = c->next;

		free(c);
		c = next;
	}
}

static void destroy(struct azure_auth *a)
{
	struct entry *en = a->entries;

	while (en) {
		struct entry *next = en->next;

		entry_stop_io(en);
		loop_timer_cancel(a->loop, en->deliver_timer);
		free_calls(en->waiters);
		free_calls(en->delivering);
		free_secret(&en->token);
		free(en->resource);
		free(en);
		en = next;
	}
	loop_timer_cancel(a->loop, a->ui_done_timer);
	free(a->authority);
	free(a->imds);
	free(a->tenant);
	free(a->client_id);
	free_secret(&a->client_secret);
	free(a->device_client_id);
	free(a->az);
	free(a->ca);
	free_secret(&a->refresh_token);
	free(a->identity);
	free(a->tid);
	free(a);
}

void az_enter(struct azure_auth *a)
{
	a->depth++;
}

/* After a user callback: non-zero when a was freed meanwhile (and is
 * gone now if this was the outermost callback). */
int az_leave(struct azure_auth *a)
{
	int dead = a->dead;

	a->depth--;
	if (dead && a->depth == 0)
		destroy(a);
	return dead;
}

static int fresh(const struct entry *en, time_t now)
{
	long long life, margin;

	if (!en->token)
		return 0;
	life = (long long)(en->expires_at - en->fetched_at);
	margin = en->a->margin_s;
	if (life > 0 && margin > life / 2)
		margin = life / 2;
	return (long long)now < (long long)en->expires_at - margin;
}

static int still_valid(const struct entry *en, time_t now)
{
	return en->token && (long long)now + STALE_OK_S < en->expires_at;
}

static void on_deliver(void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	struct azure_token t;
	char *tok = NULL;
	char *res = xstrdup(en->resource);

	en->deliver_timer = 0;
	memset(&t, 0, sizeof(t));
	t.status = en->result_status;
	t.resource = res;
	if (t.status == 0 && en->token) {
		tok = xstrdup(en->token);
		t.token = tok;
		t.expires_at = en->expires_at;
	} else {
		if (t.status == 0)
			t.status = err_set(&t.err, ERR_AUTH,
					   "the Azure token was forgotten");
		else
			t.err = en->result_err;
	}
	/* Callers that arrive from the callbacks wait for the next round. */
	en->delivering = en->waiters;
	en->waiters = NULL;
	az_enter(a);
	for (;;) {
		struct azure_token_call *c = en->delivering;

		if (!c || a->dead)
			break;
		en->delivering = c->next;
		c->firing = 1;
		c->done(&t, c->ud);
		free(c);
	}
	if (tok)
		free_secret(&tok);
	free(res);
	az_leave(a);
}

/* Answer every waiting caller from the loop, with the entry's token
 * (status 0) or the failure. */
static void schedule_delivery(struct entry *en, int status,
			      const struct err *e)
{
	en->result_status = status;
	if (e)
		en->result_err = *e;
	else
		err_clear(&en->result_err);
	if (!en->deliver_timer)
		en->deliver_timer =
		    loop_timer_add(en->a->loop, 0, on_deliver, en);
}

static void on_ui_done(void *ud)
{
	struct azure_auth *a = ud;
	struct err e = a->ui_err;

	a->ui_done_timer = 0;
	if (!a->ui_done)
		return;
	az_enter(a);
	a->ui_done(a->ui_status, &e, a->ui_ud);
	az_leave(a);
}

/* The device-code dialog should close: tell the UI from the loop. */
static void device_ended(struct entry *en, int status, const struct err *e)
{
	struct azure_auth *a = en->a;

	if (!en->device)
		return;
	free_secret(&en->device_code);
	en->device = 0;
	a->ui_status = status;
	if (e)
		a->ui_err = *e;
	else
		err_clear(&a->ui_err);
	if (!a->ui_done_timer)
		a->ui_done_timer = loop_timer_add(a->loop, 0, on_ui_done, a);
}

static void remember_identity(struct azure_auth *a, const char *token)
{
	struct jwt_info info;

	if (jwt_info_from_token(token, &info, NULL) < 0)
		return;
	if (info.identity) {
		char safe[256];

		text_safe_buf(safe, sizeof(safe), info.identity, 120);
		free(a->identity);
		a->identity = xstrdup(safe);
	}
	if (info.tenant) {
		char safe[80];

		text_safe_buf(safe, sizeof(safe), info.tenant, 64);
		free(a->tid);
		a->tid = xstrdup(safe);
	}
	jwt_info_clear(&info);
}

/* The chain lock was released: entries that waited for it go on, or
 * share the chain's failure. */
static void release_chain(struct azure_auth *a, int status,
			  const struct err *e)
{
	struct entry *en;

	a->chain_owner = NULL;
	for (en = a->entries; en; en = en->next) {
		if (en->state != QUEUED)
			continue;
		if (status == 0 && a->chosen) {
			en->state = IDLE;
			start_fetch(en);
		} else if (status < 0) {
			en->state = IDLE;
			en->next_try_ms = 0;
			schedule_delivery(en, status, e);
		}
	}
}

void az_fetch_ok(struct entry *en, const char *token, time_t expires_at)
{
	struct azure_auth *a = en->a;
	int owner = a->chain_owner == en;

	free_secret(&en->token);
	en->token = xstrdup(token);
	en->fetched_at = now_s();
	en->expires_at = expires_at;
	en->next_try_ms = 0;
	en->state = IDLE;
	en->chain = 0;
	a->chosen = en->src;
	remember_identity(a, token);
	if (en->device)
		device_ended(en, 0, NULL);
	schedule_delivery(en, 0, NULL);
	if (owner)
		release_chain(a, 0, NULL);
}

/* The source failed for good: stop (no other source is tried). */
void az_fetch_fail(struct entry *en, int code, const char *fmt, ...)
{
	struct azure_auth *a = en->a;
	struct err e;
	char what[REASONS_LEN];
	va_list ap;
	int owner = a->chain_owner == en;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!en->src)
		err_set(&e, code, "Azure sign-in failed: %s", what);
	else if (en->chain && en->reasons[0])
		err_set(&e, code, "Azure sign-in failed: %s: %s (before: %s)",
			azure_source_name(en->src), what, en->reasons);
	else
		err_set(&e, code, "Azure sign-in failed: %s: %s",
			azure_source_name(en->src), what);
	en->state = IDLE;
	en->chain = 0;
	if (en->device)
		device_ended(en, -code, &e);
	if (still_valid(en, now_s())) {
		/* Keep serving the old token for a while. */
		en->next_try_ms = loop_now_ms() + RETRY_REFRESH_MS;
		schedule_delivery(en, 0, NULL);
	} else {
		schedule_delivery(en, -code, &e);
	}
	if (owner)
		release_chain(a, -code, &e);
}

static unsigned next_source(unsigned sources, unsigned after)
{
	static const unsigned order[] = {AZURE_SRC_ENV, AZURE_SRC_IMDS,
					 AZURE_SRC_CLI, AZURE_SRC_DEVICE};
	size_t i;
	int seen = after == 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!seen) {
			seen = order[i] == after;
			continue;
		}
		if (sources & order[i])
			return order[i];
	}
	return 0;
}

/* The source is not set up here: note why and try the next one. */
void az_fetch_unavailable(struct entry *en, const char *fmt, ...)
{
	struct azure_auth *a = en->a;
	char why[300];
	size_t n = strlen(en->reasons);
	unsigned next;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!en->chain) {
		/* The chosen source went away: the next call starts over. */
		if (a->chosen == en->src)
			a->chosen = 0;
		az_fetch_fail(en, ERR_AUTH, "%s", why);
		return;
	}
	snprintf(en->reasons + n, sizeof(en->reasons) - n, "%s%s: %s",
		 n ? "; " : "", source_label(en->src), why);
	next = next_source(a->sources, en->src);
	if (next) {
		run_source(en, next);
		return;
	}
	{
		struct err e;

		err_set(&e, ERR_AUTH, "no Azure credentials: %s", en->reasons);
		en->state = IDLE;
		en->chain = 0;
		if (still_valid(en, now_s())) {
			en->next_try_ms = loop_now_ms() + RETRY_REFRESH_MS;
			schedule_delivery(en, 0, NULL);
		} else {
			schedule_delivery(en, -ERR_AUTH, &e);
		}
		release_chain(a, -ERR_AUTH, &e);
	}
}

static void start_fetch(struct entry *en)
{
	struct azure_auth *a = en->a;

	en->reasons[0] = '\0';
	if (a->chosen &&
	    !(a->chosen == AZURE_SRC_DEVICE && !a->refresh_token)) {
		en->state = FETCHING;
		en->chain = 0;
		run_source(en, a->chosen);
		return;
	}
	/* Trying sources in order, or a sign-in dialog: one at a time. */
	if (a->chain_owner && a->chain_owner != en) {
		en->state = QUEUED;
		return;
	}
	a->chain_owner = en;
	en->state = FETCHING;
	en->chain = !a->chosen;
	run_source(en, a->chosen ? a->chosen : next_source(a->sources, 0));
}

/* ---- HTTP plumbing ------------------------------------------------- */

int az_http_go(struct entry *en, const char *method, const char *url,
	       const char *const *headers, const struct strbuf *body,
	       int idempotent, long connect_ms, http_done_fn done)
{
	struct azure_auth *a = en->a;
	struct http_request rq;
	struct err e;

	memset(&rq, 0, sizeof(rq));
	err_clear(&e);
	rq.method = method;
	rq.url = url;
	rq.headers = headers;
	if (body) {
		rq.body = body->p ? body->p : "";
		rq.body_len = body->len;
	}
	rq.tls.ca = a->ca;
	rq.tls.ca_len = a->ca_len;
	rq.timeout_ms = a->http_timeout_ms;
	rq.connect_timeout_ms = connect_ms;
	rq.idempotent = idempotent;
	rq.max_429_retries = idempotent ? 3 : -1;
	rq.max_error_retries = idempotent ? 0 : -1;
	rq.on_done = done;
	rq.ud = en;
	en->req = http_start(a->loop, &rq, &e);
	if (!en->req) {
		az_fetch_fail(en, ERR_INTERNAL, "%s", e.msg);
		return -1;
	}
	return 0;
}

const char *const az_form_headers[] = {
    "Content-Type: application/x-www-form-urlencoded",
    "Accept: application/json",
    NULL,
};

int az_need_ca(struct entry *en)
{
	if (en->a->ca_error[0]) {
		az_fetch_fail(en, ERR_IO, "%s", en->a->ca_error);
		return -1;
	}
	return 0;
}

/* An Entra token answer: access_token + expires_in, and for user
 * sign-ins a refresh_token to keep (rotated on every use). */
void az_entra_token_ok(struct entry *en, const struct http_response *r)
{
	struct azure_auth *a = en->a;
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
	const char *tok = json_text(j, "access_token");
	const char *rt = json_text(j, "refresh_token");
	long long secs = 0;
	time_t exp = 0;

	if (!tok) {
		cJSON_Delete(j);
		az_fetch_fail(en, ERR_PARSE,
			      "Entra ID answered without an access token");
		return;
	}
	if (http_has_control(tok)) {
		/* it would end the Authorization header and add its own */
		wipe((void *)(uintptr_t)tok, strlen(tok));
		cJSON_Delete(j);
		az_fetch_fail(en, ERR_AUTH,
			      "Entra ID answered with a token that holds a "
			      "line break or another control character; it "
			      "was not used");
		return;
	}
	if (json_seconds(json_get(j, "expires_in"), &secs) == 0)
		exp = now_s() + (time_t)secs;
	if (!exp) {
		struct jwt_info info;

		if (jwt_info_from_token(tok, &info, NULL) == 0 && info.exp)
			exp = (time_t)info.exp;
		jwt_info_clear(&info);
	}
	if (!exp) {
		cJSON_Delete(j);
		az_fetch_fail(en, ERR_PARSE,
			      "Entra ID answered without an expiry");
		return;
	}
	if (rt && en->src == AZURE_SRC_DEVICE) {
		free_secret(&a->refresh_token);
		a->refresh_token = xstrdup(rt);
	}
	az_fetch_ok(en, tok, exp);
	/* cJSON keeps the token in its own buffers: wipe them too. */
	{
		cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "access_token");

		wipe(v->valuestring, strlen(v->valuestring));
		v = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
		if (cJSON_IsString(v))
			wipe(v->valuestring, strlen(v->valuestring));
	}
	cJSON_Delete(j);
}

char *az_token_url(const struct azure_auth *a, const char *tenant,
		   const char *leaf)
{
	return xasprintf("%s/%s/oauth2/v2.0/%s", a->authority, tenant, leaf);
}

static void run_source(struct entry *en, unsigned src)
{
	en->src = src;
	en->attempt = 0;
	en->started_ms = loop_now_ms();
	switch (src) {
	case AZURE_SRC_ENV:
		az_env_start(en);
		break;
	case AZURE_SRC_IMDS:
		az_imds_start(en);
		break;
	case AZURE_SRC_CLI:
		az_cli_start(en);
		break;
	case AZURE_SRC_DEVICE:
		if (en->a->refresh_token)
			az_refresh_start(en);
		else
			az_device_start(en);
		break;
	default:
		az_fetch_fail(en, ERR_USAGE,
			      "no credential source is enabled");
		break;
	}
}

/* ---- public API ---------------------------------------------------- */

struct azure_endpoints azure_endpoints_from_env(void)
{
	struct azure_endpoints ep;

	memset(&ep, 0, sizeof(ep));
	ep.authority_host = nonempty(getenv("AZURE_AUTHORITY_HOST"));
	ep.tenant = nonempty(getenv("AZURE_TENANT_ID"));
	ep.client_id = nonempty(getenv("AZURE_CLIENT_ID"));
	ep.client_secret = nonempty(getenv("AZURE_CLIENT_SECRET"));
	ep.imds = nonempty(getenv("JUMPDECK_IMDS_ENDPOINT"));
	ep.ca_bundle = nonempty(getenv("JUMPDECK_CA_BUNDLE"));
	ep.az_command = nonempty(getenv("JUMPDECK_AZ_COMMAND"));
	return ep;
}

static char *without_slash(const char *s)
{
	char *c = xstrdup(s);
	size_t n = strlen(c);

	while (n && c[n - 1] == '/')
		c[--n] = '\0';
	return c;
}

static void load_ca(struct azure_auth *a, const char *path)
{
	struct strbuf b = {0};
	int rc = strbuf_read_file(&b, path, SIZE_MAX);

	if (rc != 0) {
		snprintf(a->ca_error, sizeof(a->ca_error),
			 "cannot read the CA bundle %s: %s", path,
			 strbuf_file_error(rc));
		strbuf_free(&b);
		return;
	}
	a->ca_len = b.len;
	a->ca = (unsigned char *)strbuf_take(&b);
}

struct azure_auth *azure_auth_new(struct loop *l,
				  const struct azure_endpoints *ep,
				  unsigned sources)
{
	struct azure_auth *a = xcalloc(1, sizeof(*a));
	struct azure_endpoints none;

	if (!ep) {
		memset(&none, 0, sizeof(none));
		ep = &none;
	}
	a->loop = l;
	a->sources = sources & AZURE_SRC_ALL;
	a->authority =
	    without_slash(nonempty(ep->authority_host) ? ep->authority_host
						       : DEFAULT_AUTHORITY);
	a->imds = without_slash(nonempty(ep->imds) ? ep->imds : DEFAULT_IMDS);
	a->tenant = xstrdup(nonempty(ep->tenant));
	a->client_id = xstrdup(nonempty(ep->client_id));
	a->client_secret = xstrdup(nonempty(ep->client_secret));
	a->device_client_id =
	    xstrdup(nonempty(ep->device_client_id) ? ep->device_client_id
						   : AZ_CLI_CLIENT_ID);
	a->az = xstrdup(nonempty(ep->az_command) ? ep->az_command : "az");
	a->cli_timeout_ms =
	    ep->cli_timeout_ms > 0 ? ep->cli_timeout_ms : 30000;
	a->margin_s = ep->refresh_margin_s > 0 ? ep->refresh_margin_s : 300;
	a->imds_retries = ep->imds_max_retries < 0    ? 0
			  : ep->imds_max_retries == 0 ? 5
						      : ep->imds_max_retries;
	a->imds_backoff_ms =
	    ep->imds_backoff_ms > 0 ? ep->imds_backoff_ms : 1000;
	a->http_timeout_ms =
	    ep->http_timeout_ms > 0 ? ep->http_timeout_ms : 30000;
	if (nonempty(ep->ca_bundle))
		load_ca(a, ep->ca_bundle);
	return a;
}

void azure_auth_free(struct azure_auth **pa)
{
	struct azure_auth *a;
	struct entry *en;

	if (!pa || !*pa)
		return;
	a = *pa;
	*pa = NULL;
	if (a->depth == 0) {
		destroy(a);
		return;
	}
	/* Inside one of our callbacks: stop everything, free on return. */
	a->dead = 1;
	for (en = a->entries; en; en = en->next) {
		entry_stop_io(en);
		loop_timer_cancel(a->loop, en->deliver_timer);
		en->deliver_timer = 0;
	}
	loop_timer_cancel(a->loop, a->ui_done_timer);
	a->ui_done_timer = 0;
}

void azure_auth_set_device_code_ui(struct azure_auth *a,
				   azure_device_show_fn show,
				   azure_device_done_fn done, void *ud)
{
	a->show = show;
	a->ui_done = done;
	a->ui_ud = ud;
}

void azure_auth_cancel_device_code(struct azure_auth *a)
{
	struct entry *en;

	for (en = a->entries; en; en = en->next) {
		struct err e;

		if (!en->device)
			continue;
		entry_stop_io(en);
		en->device = 1; /* so that the dialog hears of it */
		err_set(&e, ERR_CANCELLED, "sign-in cancelled");
		en->state = IDLE;
		en->chain = 0;
		device_ended(en, -ERR_CANCELLED, &e);
		en->next_try_ms = 0;
		schedule_delivery(en, -ERR_CANCELLED, &e);
		if (a->chain_owner == en)
			release_chain(a, -ERR_CANCELLED, &e);
	}
}

struct azure_token_call *azure_auth_get(struct azure_auth *a,
					const char *resource,
					azure_token_fn done, void *ud)
{
	struct azure_token_call *c = xcalloc(1, sizeof(*c));
	struct entry *en = entry_for(a, resource);
	struct azure_token_call **tail;
	time_t now = now_s();

	c->a = a;
	c->en = en;
	c->done = done;
	c->ud = ud;
	tail = &en->waiters;
	while (*tail)
		tail = &(*tail)->next;
	*tail = c;
	if (en->state != IDLE)
		return c; /* a fetch runs or waits: share it */
	if (en->deliver_timer)
		return c; /* an answer is on its way */
	if (fresh(en, now) ||
	    (still_valid(en, now) && loop_now_ms() < en->next_try_ms)) {
		schedule_delivery(en, 0, NULL);
		return c;
	}
	start_fetch(en);
	return c;
}

static int unlink_call(struct azure_token_call **list,
		       struct azure_token_call *c)
{
	for (; *list; list = &(*list)->next) {
		if (*list == c) {
			*list = c->next;
			return 1;
		}
	}
	return 0;
}

void azure_auth_cancel(struct azure_token_call *c)
{
	struct entry *en;

	if (!c || c->firing)
		return;
	en = c->en;
	if (!unlink_call(&en->waiters, c) && !unlink_call(&en->delivering, c))
		return;
	free(c);
	/* Nobody waits for a sign-in dialog any more: stop it. */
	if (!en->waiters && en->device && !en->a->dead) {
		struct err e;

		entry_stop_io(en);
		en->device = 1;
		err_set(&e, ERR_CANCELLED, "sign-in cancelled");
		en->state = IDLE;
		en->chain = 0;
		device_ended(en, -ERR_CANCELLED, &e);
		if (en->a->chain_owner == en)
			release_chain(en->a, -ERR_CANCELLED, &e);
	}
}

const char *azure_auth_cached(struct azure_auth *a, const char *resource)
{
	struct entry *en;

	for (en = a->entries; en; en = en->next)
		if (strcmp(en->resource, resource) == 0)
			return fresh(en, now_s()) ? en->token : NULL;
	return NULL;
}

void azure_auth_forget(struct azure_auth *a)
{
	struct entry *en;

	for (en = a->entries; en; en = en->next) {
		free_secret(&en->token);
		en->expires_at = 0;
		en->next_try_ms = 0;
	}
	free_secret(&a->refresh_token);
	a->chosen = 0;
	free(a->identity);
	a->identity = NULL;
	free(a->tid);
	a->tid = NULL;
}

const char *azure_auth_waiting_for(const struct azure_auth *a)
{
	const struct entry *en;

	for (en = a->entries; en; en = en->next) {
		if (en->state != FETCHING)
			continue;
		switch (en->src) {
		case AZURE_SRC_IMDS:
			return "the managed identity endpoint (IMDS)";
		case AZURE_SRC_CLI:
			return "az (the Azure CLI)";
		default:
			return "Entra ID";
		}
	}
	return NULL;
}

const char *azure_auth_source(const struct azure_auth *a)
{
	return a->chosen ? azure_source_name(a->chosen) : NULL;
}

const char *azure_auth_identity(const struct azure_auth *a)
{
	return a->identity;
}

const char *azure_auth_tenant(const struct azure_auth *a)
{
	return a->tid;
}
