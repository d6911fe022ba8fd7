/* azure_auth.c - the Entra ID credential chain: client secret, IMDS, the
 * Azure CLI and device code, with a per-resource token cache in memory. */
#include "azure_auth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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
#define DEVICE_GRANT	  "urn:ietf:params:oauth:grant-type:device_code"
#define STALE_OK_S	  30 /* a token this close to expiry is not served */
#define RETRY_REFRESH_MS  30000 /* after a failed refresh, serve the old */
#define REASONS_LEN	  440

enum fetch_state { IDLE, QUEUED, FETCHING };

/* What a source reports when it ends. */
enum outcome {
	OK,
	UNAVAILABLE, /* not set up here: the chain moves on */
	FAILED,	     /* set up but broken: the chain stops here */
};

struct azure_token_call {
	struct azure_auth *a;
	struct entry *en;
	azure_token_fn done;
	void *ud;
	int firing;
	struct azure_token_call *next;
};

/* One resource: its token, its waiting callers and its fetch. */
struct entry {
	struct azure_auth *a;
	struct entry *next;
	char *resource;
	char *token; /* secret: wiped when replaced */
	time_t expires_at;
	time_t fetched_at;
	long long next_try_ms; /* no refetch before (after a failure) */

	struct azure_token_call *waiters;
	struct azure_token_call *delivering;
	unsigned deliver_timer;
	int result_status;
	struct err result_err;

	enum fetch_state state;
	int chain;    /* trying sources in order */
	unsigned src; /* the source bit being tried */
	char reasons[REASONS_LEN];
	struct http_req *req;
	struct proc *proc;
	unsigned timer; /* IMDS retry, device-code poll */
	int attempt;
	long long started_ms; /* when the source was first asked */

	/* Device code (secret: device_code). */
	int device; /* a device-code flow runs */
	char *device_code;
	long interval_ms;
	time_t device_expires;
};

struct azure_auth {
	struct loop *loop;
	unsigned sources;
	char *authority; /* without a trailing slash */
	char *imds;
	char *tenant;
	char *client_id;
	char *client_secret; /* secret */
	char *device_client_id;
	char *az;
	long cli_timeout_ms;
	long margin_s;
	int imds_retries;
	long imds_backoff_ms;
	long http_timeout_ms;
	unsigned char *ca;
	size_t ca_len;
	char ca_error[300];

	unsigned chosen;     /* the source that worked, 0 before */
	char *refresh_token; /* from device code; secret */
	char *identity;
	char *tid;
	struct entry *entries;
	struct entry *chain_owner; /* the entry trying sources in order */

	azure_device_show_fn show;
	azure_device_done_fn ui_done;
	void *ui_ud;
	unsigned ui_done_timer;
	int ui_status;
	struct err ui_err;

	int depth; /* inside a user callback */
	int dead;  /* freed from a callback: destroy later */
};

static void start_fetch(struct entry *en);
static void run_source(struct entry *en, unsigned src);
static void device_start(struct entry *en);

/* ---- small helpers ------------------------------------------------- */

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

static void free_secret(char **s)
{
	if (!*s)
		return;
	wipe(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

static time_t now_s(void)
{
	return time(NULL);
}

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
static void first_line_safe(const char *s, char *dst, size_t sz, int cols)
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
static void entra_error(const struct http_response *r, char *code,
			size_t code_sz, char *msg, size_t msg_sz)
{
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
	const char *c = json_text(j, "error");
	const char *d = json_text(j, "error_description");
	char safe_code[64], safe_desc[240];

	text_safe_buf(safe_code, sizeof(safe_code), c ? c : "", 60);
	snprintf(code, code_sz, "%s", safe_code);
	if (d)
		first_line_safe(d, safe_desc, sizeof(safe_desc), 200);
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

static void enter(struct azure_auth *a)
{
	a->depth++;
}

/* After a user callback: non-zero when a was freed meanwhile (and is
 * gone now if this was the outermost callback). */
static int leave(struct azure_auth *a)
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
	enter(a);
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
	leave(a);
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
	enter(a);
	a->ui_done(a->ui_status, &e, a->ui_ud);
	leave(a);
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

static void fetch_ok(struct entry *en, const char *token, time_t expires_at)
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

static void fetch_fail(struct entry *en, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The source failed for good: stop (no other source is tried). */
static void fetch_fail(struct entry *en, int code, const char *fmt, ...)
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
static void fetch_unavailable(struct entry *en, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fetch_unavailable(struct entry *en, const char *fmt, ...)
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
		fetch_fail(en, ERR_AUTH, "%s", why);
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

static int http_go(struct entry *en, const char *method, const char *url,
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
		fetch_fail(en, ERR_INTERNAL, "%s", e.msg);
		return -1;
	}
	return 0;
}

static const char *const form_headers[] = {
    "Content-Type: application/x-www-form-urlencoded",
    "Accept: application/json",
    NULL,
};

static int need_ca(struct entry *en)
{
	if (en->a->ca_error[0]) {
		fetch_fail(en, ERR_IO, "%s", en->a->ca_error);
		return -1;
	}
	return 0;
}

/* An Entra token answer: access_token + expires_in, and for user
 * sign-ins a refresh_token to keep (rotated on every use). */
static void entra_token_ok(struct entry *en, const struct http_response *r)
{
	struct azure_auth *a = en->a;
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
	const char *tok = json_text(j, "access_token");
	const char *rt = json_text(j, "refresh_token");
	long long secs = 0;
	time_t exp = 0;

	if (!tok) {
		cJSON_Delete(j);
		fetch_fail(en, ERR_PARSE,
			   "Entra ID answered without an access token");
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
		fetch_fail(en, ERR_PARSE,
			   "Entra ID answered without an expiry");
		return;
	}
	if (rt && en->src == AZURE_SRC_DEVICE) {
		free_secret(&a->refresh_token);
		a->refresh_token = xstrdup(rt);
	}
	fetch_ok(en, tok, exp);
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

static char *token_url(const struct azure_auth *a, const char *tenant,
		       const char *leaf)
{
	return xasprintf("%s/%s/oauth2/v2.0/%s", a->authority, tenant, leaf);
}

/* ---- source 1: environment client credentials ---------------------- */

static void env_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	char code[64], msg[400];

	en->req = NULL;
	if (r->status == 0) {
		fetch_fail(en, r->err.code ? r->err.code : ERR_NET, "%s",
			   r->err.msg);
		return;
	}
	if (r->status == 200) {
		entra_token_ok(en, r);
		return;
	}
	entra_error(r, code, sizeof(code), msg, sizeof(msg));
	if (strcmp(code, "invalid_client") == 0)
		fetch_fail(en, ERR_AUTH,
			   "the client secret of app %s was refused (%s)",
			   en->a->client_id, msg);
	else if (strcmp(code, "unauthorized_client") == 0)
		fetch_fail(en, ERR_AUTH,
			   "app %s is not known in tenant %s (%s)",
			   en->a->client_id, en->a->tenant, msg);
	else
		fetch_fail(en,
			   r->status == 401 || r->status == 400 ? ERR_AUTH
								: ERR_HTTP,
			   "%s", msg);
}

static void env_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url, *scope;

	if (!a->client_secret) {
		fetch_unavailable(en, "AZURE_CLIENT_SECRET not set");
		return;
	}
	if (!a->client_id) {
		fetch_unavailable(en, "AZURE_CLIENT_ID not set");
		return;
	}
	if (!a->tenant) {
		fetch_unavailable(en, "AZURE_TENANT_ID not set");
		return;
	}
	if (need_ca(en) < 0)
		return;
	scope = azure_scope_for(en->resource);
	strbuf_add_form(&body, "grant_type", "client_credentials");
	strbuf_add_form(&body, "client_id", a->client_id);
	strbuf_add_form(&body, "client_secret", a->client_secret);
	strbuf_add_form(&body, "scope", scope);
	url = token_url(a, a->tenant, "token");
	http_go(en, "POST", url, form_headers, &body, 1, 0, env_done);
	strbuf_free(&body);
	free(url);
	free(scope);
}

/* ---- source 2: managed identity (IMDS) ----------------------------- */

static void imds_start(struct entry *en);

static void imds_retry(void *ud)
{
	struct entry *en = ud;

	en->timer = 0;
	imds_start(en);
}

static void imds_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	cJSON *j;
	const char *tok;
	long long exp = 0;
	char desc[160] = "";

	en->req = NULL;
	if (r->status == 0) {
		fetch_unavailable(en, "IMDS not reachable (%s)", r->err.msg);
		return;
	}
	j = cJSON_ParseWithLength(r->body, r->body_len);
	if (r->status == 200) {
		tok = json_text(j, "access_token");
		if (json_seconds(json_get(j, "expires_on"), &exp) < 0 &&
		    json_seconds(json_get(j, "expires_in"), &exp) == 0)
			exp += now_s();
		if (!tok || exp <= 0) {
			cJSON_Delete(j);
			fetch_unavailable(en, "IMDS answered without a token");
			return;
		}
		fetch_ok(en, tok, (time_t)exp);
		wipe(cJSON_GetObjectItemCaseSensitive(j, "access_token")
			 ->valuestring,
		     strlen(tok));
		cJSON_Delete(j);
		return;
	}
	if (json_text(j, "error_description"))
		first_line_safe(json_text(j, "error_description"), desc,
				sizeof(desc), 120);
	cJSON_Delete(j);
	if (r->status == 404 || r->status == 410 || r->status == 429 ||
	    r->status >= 500) {
		int max = a->imds_retries;
		/* 410: IMDS is updating and back within 70 s. */
		int updating = r->status == 410 && a->imds_retries > 0 &&
			       loop_now_ms() - en->started_ms < 70000;

		if (en->attempt < max || updating) {
			long ms =
			    http_backoff_ms(en->attempt, a->imds_backoff_ms,
					    updating ? 10000 : 30000);
			long ra = http_retry_after_s(
			    http_header_get(r, "retry-after"),
			    (long long)now_s());

			if (ra > 0 && ra * 1000 > ms)
				ms = (ra > 60 ? 60 : ra) * 1000;
			en->attempt++;
			en->timer =
			    loop_timer_add(a->loop, ms, imds_retry, en);
			return;
		}
		fetch_unavailable(en,
				  "IMDS answered HTTP %ld after %d "
				  "attempts%s%s",
				  r->status, en->attempt + 1,
				  desc[0] ? ": " : "", desc);
		return;
	}
	if (a->client_id && !a->client_secret)
		fetch_unavailable(en,
				  "no identity with client id %s (HTTP "
				  "%ld%s%s)",
				  a->client_id, r->status, desc[0] ? ": " : "",
				  desc);
	else
		fetch_unavailable(en, "no identity (HTTP %ld%s%s)", r->status,
				  desc[0] ? ": " : "", desc);
}

static void imds_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	static const char *const hdrs[] = {"Metadata: true",
					   "Accept: application/json", NULL};
	struct strbuf url = {0};

	strbuf_add(&url, a->imds);
	strbuf_add(&url, "/metadata/identity/oauth2/token?api-version="
			 "2018-02-01&resource=");
	strbuf_add_pct(&url, en->resource);
	/* A client id without a secret names a user-assigned identity. */
	if (a->client_id && !a->client_secret) {
		strbuf_add(&url, "&client_id=");
		strbuf_add_pct(&url, a->client_id);
	}
	http_go(en, "GET", url.p, hdrs, NULL, 0, 2000, imds_done);
	strbuf_free(&url);
}

/* ---- source 3: the Azure CLI --------------------------------------- */

/* "2026-11-28 13:00:00.000000" in local time, as az prints expiresOn. */
static int parse_local_time(const char *s, time_t *out)
{
	struct tm tm;
	int n[6], i;
	const char seps[] = "-- ::";
	const char *p = s;

	for (i = 0; i < 6; i++) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < 0 || v > 9999)
			return -1;
		n[i] = (int)v;
		p = end;
		if (i < 5) {
			if (*p != seps[i])
				return -1;
			p++;
		}
	}
	if (*p && *p != '.')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = n[0] - 1900;
	tm.tm_mon = n[1] - 1;
	tm.tm_mday = n[2];
	tm.tm_hour = n[3];
	tm.tm_min = n[4];
	tm.tm_sec = n[5];
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

static void cli_done(const struct proc_result *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	cJSON *j;
	const char *tok;
	long long exp = 0;
	time_t t;
	char line[200];

	en->proc = NULL;
	loop_timer_cancel(a->loop, en->timer);
	en->timer = 0;
	if (r->err.code == ERR_TIMEOUT) {
		fetch_fail(en, ERR_TIMEOUT,
			   "az account get-access-token did not answer "
			   "within %ld s",
			   (a->cli_timeout_ms + 999) / 1000);
		return;
	}
	if (r->err.code == ERR_NOTFOUND || r->exit_code == 127) {
		fetch_unavailable(en, "az not installed");
		return;
	}
	if (r->err.code) {
		fetch_fail(en, r->err.code, "%s", r->err.msg);
		return;
	}
	if (r->exit_code != 0) {
		const char *s = r->errout;

		if (strstr(s, "az login") || strstr(s, "az account set"))
			fetch_unavailable(en, "not signed in (run az login)");
		else {
			while (*s == '\n' || *s == '\r' || *s == ' ')
				s++;
			first_line_safe(s, line, sizeof(line), 160);
			fetch_fail(en, ERR_AUTH,
				   "az exited with status %d%s%s",
				   r->exit_code, line[0] ? ": " : "", line);
		}
		return;
	}
	j = cJSON_ParseWithLength(r->out, r->out_len);
	tok = json_text(j, "accessToken");
	if (!j || !tok) {
		cJSON_Delete(j);
		fetch_fail(en, ERR_PARSE,
			   "az printed no access token (expected JSON with "
			   "accessToken)");
		return;
	}
	if (json_seconds(json_get(j, "expires_on"), &exp) < 0) {
		exp = 0;
		if (json_text(j, "expiresOn") &&
		    parse_local_time(json_text(j, "expiresOn"), &t) == 0)
			exp = (long long)t;
	}
	if (exp <= 0) {
		struct jwt_info info;

		if (jwt_info_from_token(tok, &info, NULL) == 0)
			exp = info.exp;
		jwt_info_clear(&info);
	}
	if (exp <= 0) {
		wipe(cJSON_GetObjectItemCaseSensitive(j, "accessToken")
			 ->valuestring,
		     strlen(tok));
		cJSON_Delete(j);
		fetch_fail(en, ERR_PARSE,
			   "az printed a token without an expiry");
		return;
	}
	fetch_ok(en, tok, (time_t)exp);
	wipe(cJSON_GetObjectItemCaseSensitive(j, "accessToken")->valuestring,
	     strlen(tok));
	cJSON_Delete(j);
}

/* proc's timeout kills az itself; when az is a wrapper script whose
 * child (python) holds the pipes open, no result would come. Give up on
 * it a little later regardless. */
static void cli_watchdog(void *ud)
{
	struct entry *en = ud;

	en->timer = 0;
	proc_cancel(en->proc);
	en->proc = NULL;
	fetch_fail(en, ERR_TIMEOUT,
		   "az account get-access-token did not answer within %ld s",
		   (en->a->cli_timeout_ms + 999) / 1000);
}

static void cli_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	const char *argv[] = {a->az,	    "account",	  "get-access-token",
			      "--resource", en->resource, "-o",
			      "json",	    NULL};
	static const char *const env[] = {"AZURE_CORE_ONLY_SHOW_ERRORS=true",
					  "AZURE_CORE_NO_COLOR=true", NULL};
	struct err e;

	err_clear(&e);
	en->proc = proc_start(a->loop, argv, env, a->cli_timeout_ms, cli_done,
			      en, &e);
	if (!en->proc) {
		fetch_fail(en, e.code ? e.code : ERR_IO, "%s", e.msg);
		return;
	}
	en->timer = loop_timer_add(a->loop, a->cli_timeout_ms + 1500,
				   cli_watchdog, en);
}

/* ---- source 4: device code ----------------------------------------- */

static const char *device_tenant(const struct azure_auth *a)
{
	return a->tenant ? a->tenant : "organizations";
}

static void device_poll(void *ud);

static void device_schedule(struct entry *en)
{
	en->timer =
	    loop_timer_add(en->a->loop, en->interval_ms, device_poll, en);
}

static void device_poll_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	char code[64], msg[400];

	en->req = NULL;
	if (r->status == 200) {
		entra_token_ok(en, r);
		return;
	}
	if (r->status == 0 || r->status >= 500 || r->status == 429) {
		/* Keep polling through blips until the code expires. */
		device_schedule(en);
		return;
	}
	entra_error(r, code, sizeof(code), msg, sizeof(msg));
	if (strcmp(code, "authorization_pending") == 0) {
		device_schedule(en);
	} else if (strcmp(code, "slow_down") == 0) {
		en->interval_ms += 5000;
		device_schedule(en);
	} else if (strcmp(code, "expired_token") == 0) {
		fetch_fail(en, ERR_TIMEOUT,
			   "the sign-in code expired before it was used");
	} else if (strcmp(code, "authorization_declined") == 0) {
		fetch_fail(en, ERR_DENIED, "the sign-in was declined");
	} else {
		fetch_fail(en, ERR_AUTH, "%s", msg);
	}
}

static void device_poll(void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url;

	en->timer = 0;
	if (now_s() >= en->device_expires) {
		fetch_fail(en, ERR_TIMEOUT,
			   "the sign-in code expired before it was used");
		return;
	}
	strbuf_add_form(&body, "grant_type", DEVICE_GRANT);
	strbuf_add_form(&body, "client_id", a->device_client_id);
	strbuf_add_form(&body, "device_code", en->device_code);
	url = token_url(a, device_tenant(a), "token");
	http_go(en, "POST", url, form_headers, &body, 0, 0, device_poll_done);
	strbuf_free(&body);
	free(url);
}

static void device_code_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	struct azure_device_prompt p;
	cJSON *j;
	const char *dc;
	const cJSON *iv;
	long long expires_in = 0;
	char code[64], msg[400], uc[64], uri[300], text[480];

	en->req = NULL;
	if (r->status == 0) {
		fetch_fail(en, r->err.code ? r->err.code : ERR_NET, "%s",
			   r->err.msg);
		return;
	}
	if (r->status != 200) {
		entra_error(r, code, sizeof(code), msg, sizeof(msg));
		fetch_fail(en, ERR_AUTH, "%s", msg);
		return;
	}
	j = cJSON_ParseWithLength(r->body, r->body_len);
	dc = json_text(j, "device_code");
	if (!dc || !json_text(j, "user_code") ||
	    !json_text(j, "verification_uri")) {
		cJSON_Delete(j);
		fetch_fail(en, ERR_PARSE,
			   "Entra ID answered the device-code "
			   "request without a code");
		return;
	}
	free_secret(&en->device_code);
	en->device_code = xstrdup(dc);
	wipe(cJSON_GetObjectItemCaseSensitive(j, "device_code")->valuestring,
	     strlen(dc));
	if (json_seconds(json_get(j, "expires_in"), &expires_in) < 0 ||
	    expires_in <= 0)
		expires_in = 900;
	en->device_expires = now_s() + (time_t)expires_in;
	iv = cJSON_GetObjectItemCaseSensitive(j, "interval");
	en->interval_ms = 5000;
	if (cJSON_IsNumber(iv) && iv->valuedouble > 0 &&
	    iv->valuedouble < 3600)
		en->interval_ms = (long)(iv->valuedouble * 1000);
	if (en->interval_ms < 200)
		en->interval_ms = 200;
	text_safe_buf(uc, sizeof(uc), json_text(j, "user_code"), 40);
	text_safe_buf(uri, sizeof(uri), json_text(j, "verification_uri"), 200);
	if (json_text(j, "message"))
		text_safe_buf(text, sizeof(text), json_text(j, "message"),
			      300);
	else
		snprintf(text, sizeof(text),
			 "To sign in, open %s and enter the code %s.", uri,
			 uc);
	cJSON_Delete(j);
	device_schedule(en);
	memset(&p, 0, sizeof(p));
	p.user_code = uc;
	p.verification_uri = uri;
	p.message = text;
	p.expires_at = en->device_expires;
	p.resource = en->resource;
	if (a->show) {
		enter(a);
		a->show(&p, a->ui_ud);
		leave(a);
	}
}

static void device_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url, *scope, *scopes;

	if (!a->show) {
		fetch_unavailable(en, "not allowed here");
		return;
	}
	if (need_ca(en) < 0)
		return;
	en->device = 1;
	scope = azure_scope_for(en->resource);
	scopes = xasprintf("%s offline_access", scope);
	strbuf_add_form(&body, "client_id", a->device_client_id);
	strbuf_add_form(&body, "scope", scopes);
	url = token_url(a, device_tenant(a), "devicecode");
	http_go(en, "POST", url, form_headers, &body, 0, 0, device_code_done);
	strbuf_free(&body);
	free(url);
	free(scope);
	free(scopes);
}

static void refresh_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	char code[64], msg[400];

	en->req = NULL;
	if (r->status == 200) {
		entra_token_ok(en, r);
		return;
	}
	if (r->status == 0) {
		fetch_fail(en, r->err.code ? r->err.code : ERR_NET, "%s",
			   r->err.msg);
		return;
	}
	entra_error(r, code, sizeof(code), msg, sizeof(msg));
	if (strcmp(code, "invalid_grant") != 0) {
		fetch_fail(en, ERR_AUTH, "%s", msg);
		return;
	}
	/* The sign-in ran out: ask the user again, one dialog at a time. */
	free_secret(&a->refresh_token);
	if (a->chain_owner && a->chain_owner != en) {
		en->state = QUEUED;
		return;
	}
	a->chain_owner = en;
	device_start(en);
}

static void refresh_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url, *scope, *scopes;

	if (need_ca(en) < 0)
		return;
	scope = azure_scope_for(en->resource);
	scopes = xasprintf("%s offline_access", scope);
	strbuf_add_form(&body, "grant_type", "refresh_token");
	strbuf_add_form(&body, "client_id", a->device_client_id);
	strbuf_add_form(&body, "refresh_token", a->refresh_token);
	strbuf_add_form(&body, "scope", scopes);
	url = token_url(a, device_tenant(a), "token");
	http_go(en, "POST", url, form_headers, &body, 0, 0, refresh_done);
	strbuf_free(&body);
	free(url);
	free(scope);
	free(scopes);
}

static void run_source(struct entry *en, unsigned src)
{
	en->src = src;
	en->attempt = 0;
	en->started_ms = loop_now_ms();
	switch (src) {
	case AZURE_SRC_ENV:
		env_start(en);
		break;
	case AZURE_SRC_IMDS:
		imds_start(en);
		break;
	case AZURE_SRC_CLI:
		cli_start(en);
		break;
	case AZURE_SRC_DEVICE:
		if (en->a->refresh_token)
			refresh_start(en);
		else
			device_start(en);
		break;
	default:
		fetch_fail(en, ERR_USAGE, "no credential source is enabled");
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
			 strerror(rc));
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
