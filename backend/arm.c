/* arm.c - the ARM client over backend/http: calls, requests, quota and
 * error sentences. Not deployments, importImage or Resource Graph. */
#include "arm.h"
#include "arm_int.h"
#include "http.h"
#include "json.h"
#include "strbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CA_BYTES (4L * 1024L * 1024L)

/* ---- small helpers ------------------------------------------------------ */

/* Replace control characters (C0, DEL) from server text by spaces. */
void arm_sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = ' ';
}

/* Percent-encode a path segment (caller frees). */
char *arm_escape_segment(const char *s)
{
	struct strbuf b = {0};

	strbuf_add_pct(&b, s);
	return strbuf_take(&b);
}

/* Append to a fixed buffer, truncating. */
void arm_buf_append(char *buf, size_t sz, const char *s)
{
	size_t n = strlen(buf);

	if (n + 1 >= sz)
		return;
	snprintf(buf + n, sz - n, "%s", s);
}

long arm_parse_long(const char *s, long fallback)
{
	char *end;
	long v;

	if (!s || !*s)
		return fallback;
	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno)
		return fallback;
	return v;
}

/* "hh:mm:ss" (or "d.hh:mm:ss") into seconds; -1 when unparsable. */
long arm_parse_hms(const char *s)
{
	static const long unit3[] = {3600, 60, 1},
			  unit4[] = {86400, 3600, 60, 1};
	const long *unit;
	long part[4], total = 0;
	int n = 0, i;
	const char *p = s;
	char *end = NULL;

	if (!s || !*s)
		return -1;
	while (n < 4) {
		errno = 0;
		part[n] = strtol(p, &end, 10);
		if (end == p || errno || part[n] < 0)
			return -1;
		n++;
		if (*end == '\0')
			break;
		if (*end != ':' && *end != '.')
			return -1;
		p = end + 1;
	}
	/* Nothing may follow the last part ("1.02:03:04:05" is no time). */
	if (*end != '\0' || n < 3)
		return -1;
	unit = n == 3 ? unit3 : unit4;
	for (i = 0; i < n; i++) {
		if (part[i] > (LONG_MAX - total) / unit[i])
			return -1; /* past what a long holds */
		total += part[i] * unit[i];
	}
	return total;
}

void arm_format_duration(long long ms, char *buf, size_t sz)
{
	long long s, h, m;
	size_t n;

	if (!buf || !sz)
		return;
	buf[0] = '\0';
	if (ms < 0)
		ms = 0;
	if (ms < 1000) {
		snprintf(buf, sz, "%lldms", ms);
		return;
	}
	if (ms < 60000 && (ms % 1000) / 100) {
		snprintf(buf, sz, "%lld.%llds", ms / 1000, (ms % 1000) / 100);
		return;
	}
	s = ms / 1000;
	h = s / 3600;
	m = s % 3600 / 60;
	s %= 60;
	if (h)
		snprintf(buf, sz, "%lldh", h);
	n = strlen(buf);
	if (m && n < sz)
		snprintf(buf + n, sz - n, "%lldm", m);
	n = strlen(buf);
	if ((s || (!h && !m)) && n < sz)
		snprintf(buf + n, sz - n, "%llds", s);
}

/* ---- ARM error bodies --------------------------------------------------- */

static const cJSON *error_object(const cJSON *root)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "error");

	if (cJSON_IsObject(o))
		return o;
	/* Some providers answer the inner object alone. */
	if (cJSON_IsObject(root) &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "code")))
		return root;
	return NULL;
}

void arm_error_code(const char *body, char *buf, size_t sz)
{
	cJSON *root = body && *body ? cJSON_Parse(body) : NULL;
	const char *code = json_text(error_object(root), "code");

	snprintf(buf, sz, "%s", code ? code : "");
	cJSON_Delete(root);
}

static int code_for_status(long status)
{
	switch (status) {
	case 401:
		return ERR_AUTH;
	case 403:
		return ERR_DENIED;
	case 404:
		return ERR_NOTFOUND;
	case 409:
		return ERR_CONFLICT;
	default:
		return ERR_HTTP;
	}
}

/* The error sentence from an already parsed error object. */
int arm_error_sentence_obj(long status, const cJSON *eo, struct err *e)
{
	const char *code = json_text(eo, "code");
	const char *msg = json_text(eo, "message");
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(eo, "details");
	const cJSON *d0 = cJSON_IsArray(details)
				  ? cJSON_GetArrayItem(details, 0)
				  : NULL;
	const char *dcode = json_text(d0, "code");
	const char *dmsg = json_text(d0, "message");
	int ec = code_for_status(status);

	if (status == 401 && code &&
	    strcmp(code, "ExpiredAuthenticationToken") == 0) {
		err_set(e, ec, "the Azure access token has expired; sign in "
			       "again");
	} else if (status == 401) {
		err_set(e, ec, "Azure did not accept the sign-in: %s (%s)",
			msg ? msg : "no reason given",
			code ? code : "HTTP 401");
	} else if (status == 403 && msg) {
		err_set(e, ec, "%s", msg);
	} else if (code && msg && dmsg && strcmp(dmsg, msg) != 0) {
		err_set(e, ec, "%s: %s (%s%s%s)", code, msg,
			dcode ? dcode : "", dcode ? ": " : "", dmsg);
	} else if (code && msg) {
		err_set(e, ec, "%s: %s", code, msg);
	} else if (msg) {
		err_set(e, ec, "%s", msg);
	} else if (code) {
		err_set(e, ec, "%s (HTTP %ld)", code, status);
	} else {
		err_set(e, ec, "Azure Resource Manager answered HTTP %ld",
			status);
	}
	if (e)
		arm_sanitize(e->msg);
	return -ec;
}

int arm_error_sentence(long status, const char *body, struct err *e)
{
	cJSON *root = body && *body ? cJSON_Parse(body) : NULL;
	int rc = arm_error_sentence_obj(status, error_object(root), e);

	cJSON_Delete(root);
	return rc;
}

/* ---- the client --------------------------------------------------------- */

int arm_new(struct arm **out, struct loop *l, const char *endpoint,
	    struct err *e)
{
	struct arm *a;
	size_t n;

	*out = NULL;
	if (!l)
		return err_set(e, ERR_USAGE, "arm_new: no loop");
	if (!endpoint || !*endpoint)
		endpoint = ARM_DEFAULT_ENDPOINT;
	if (strncmp(endpoint, "https://", 8) != 0 &&
	    strncmp(endpoint, "http://", 7) != 0)
		return err_set(e, ERR_USAGE,
			       "the ARM endpoint %s is not an http(s) URL",
			       endpoint);
	a = xcalloc(1, sizeof(*a));
	a->loop = l;
	a->endpoint = xstrdup(endpoint);
	n = strlen(a->endpoint);
	while (n > 8 && a->endpoint[n - 1] == '/')
		a->endpoint[--n] = '\0';
	a->ceiling_ms = ARM_IMPORT_CEILING_MS;
	a->poll_first_ms = ARM_POLL_FIRST_MS;
	a->poll_max_ms = ARM_POLL_MAX_MS;
	a->quota.reads = -1;
	a->quota.writes = -1;
	a->quota.graph_remaining = -1;
	a->quota.graph_resets_s = -1;
	*out = a;
	return 0;
}

int arm_set_ca_file(struct arm *a, const char *path, struct err *e)
{
	struct strbuf b = {0};
	int rc;

	if (!path || !*path) {
		free(a->ca);
		a->ca = NULL;
		a->ca_len = 0;
		return 0;
	}
	rc = strbuf_read_file(&b, path, (size_t)MAX_CA_BYTES);
	if (rc != 0) {
		strbuf_free(&b);
		if (rc == EFBIG)
			return err_set(e, ERR_IO, "the CA bundle %s is too "
						  "large",
				       path);
		return err_set(e, ERR_IO, "cannot open the CA bundle %s: %s",
			       path, strbuf_file_error(rc));
	}
	free(a->ca);
	a->ca_len = b.len;
	a->ca = (unsigned char *)strbuf_take(&b);
	return 0;
}

void arm_set_token(struct arm *a, const char *token)
{
	xfree_secret_str(a->token);
	a->token = token && *token ? xstrdup(token) : NULL;
}

void arm_set_import_ceiling_ms(struct arm *a, long ms)
{
	a->ceiling_ms = ms > 0 ? ms : ARM_IMPORT_CEILING_MS;
}

void arm_set_poll_interval_ms(struct arm *a, long first_ms, long max_ms)
{
	a->poll_first_ms = first_ms > 0 ? first_ms : ARM_POLL_FIRST_MS;
	a->poll_max_ms = max_ms > 0 ? max_ms : ARM_POLL_MAX_MS;
	if (a->poll_max_ms < a->poll_first_ms)
		a->poll_max_ms = a->poll_first_ms;
}

void arm_quota_get(const struct arm *a, struct arm_quota *out)
{
	*out = a->quota;
}

void arm_note_quota(struct arm *a, const struct http_response *r)
{
	const char *v;
	int seen = 0;

	if (!a || !r->status)
		return;
	v = http_header_get(r, "x-ms-ratelimit-remaining-subscription-reads");
	if (v) {
		a->quota.reads = arm_parse_long(v, -1);
		seen = 1;
	}
	v = http_header_get(r,
			    "x-ms-ratelimit-remaining-subscription-writes");
	if (v) {
		a->quota.writes = arm_parse_long(v, -1);
		seen = 1;
	}
	v = http_header_get(r, "x-ms-user-quota-remaining");
	if (v) {
		a->quota.graph_remaining = arm_parse_long(v, -1);
		seen = 1;
	}
	v = http_header_get(r, "x-ms-user-quota-resets-after");
	if (v) {
		a->quota.graph_resets_s = arm_parse_hms(v);
		seen = 1;
	}
	if (seen)
		a->quota.updated_ms = loop_now_ms();
}

/* ---- call lifetime ------------------------------------------------------ */

struct arm_call *arm_call_new(struct arm *a, enum call_kind kind, void *ud)
{
	struct arm_call *c = xcalloc(1, sizeof(*c));

	c->arm = a;
	c->loop = a->loop;
	c->kind = kind;
	c->ud = ud;
	c->retry_after_s = -1;
	c->total = -1;
	c->next = a->calls;
	if (a->calls)
		a->calls->prev = c;
	a->calls = c;
	return c;
}

void arm_call_unlink(struct arm_call *c)
{
	if (!c->arm)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->arm->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->arm = NULL;
}

void arm_call_stop_io(struct arm_call *c)
{
	if (c->req) {
		http_cancel(c->req);
		c->req = NULL;
	}
	if (c->timer) {
		loop_timer_cancel(c->loop, c->timer);
		c->timer = 0;
	}
}

void arm_call_free(struct arm_call *c)
{
	size_t i;

	arm_call_stop_io(c);
	arm_call_unlink(c);
	free(c->sub);
	free(c->rg);
	for (i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c->image);
	free(c->source);
	free(c->status_url);
	cJSON_Delete(c->request);
	cJSON_Delete(c->rows);
	free(c->skip_token);
	free(c);
}

/* Free now, or once the caller's callback that is running returns. */
void arm_call_release(struct arm_call *c)
{
	if (c->in_cb)
		c->dead = 1;
	else
		arm_call_free(c);
}

void arm_call_cancel(struct arm_call *c)
{
	if (!c || c->finished)
		return;
	arm_call_stop_io(c);
	arm_call_unlink(c);
	c->finished = 1;
	arm_call_release(c);
}

void arm_free(struct arm **ap)
{
	struct arm *a = ap ? *ap : NULL;

	if (!a)
		return;
	while (a->calls)
		arm_call_cancel(a->calls);
	free(a->endpoint);
	free(a->ca);
	xfree_secret_str(a->token);
	free(a);
	*ap = NULL;
}

static void finish(struct arm_call *c);

static void on_fail_timer(void *ud)
{
	struct arm_call *c = ud;

	c->timer = 0;
	finish(c);
}

/* Report c->err from the loop (the caller has the call pointer by
 * then). */
struct arm_call *arm_fail_later(struct arm_call *c)
{
	arm_call_stop_io(c);
	c->timer = loop_timer_add(c->loop, 0, on_fail_timer, c);
	return c;
}

/* Start one request for c. Returns 0, or fills c->err. */
int arm_call_send(struct arm_call *c, const char *method, const char *url,
		  const char *body, int idempotent, int max_429, int max_err,
		  long timeout_ms, http_done_fn on_done)
{
	struct arm *a = c->arm;
	struct http_request rq;
	const char *hdrs[5];
	char *auth;
	size_t n = 0;
	struct err e;

	if (!a->token) {
		err_set(&c->err, ERR_AUTH, "not signed in to Azure: there is "
					   "no access token for Azure "
					   "Resource Manager");
		return -1;
	}
	auth = xasprintf("Authorization: Bearer %s", a->token);
	hdrs[n++] = auth;
	hdrs[n++] = "Accept: application/json";
	if (body)
		hdrs[n++] = "Content-Type: application/json";
	hdrs[n] = NULL;
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = url;
	rq.headers = hdrs;
	rq.body = body;
	rq.body_len = body ? strlen(body) : 0;
	rq.tls.ca = a->ca;
	rq.tls.ca_len = a->ca_len;
	rq.timeout_ms = timeout_ms;
	rq.idempotent = idempotent;
	rq.max_429_retries = max_429;
	rq.max_error_retries = max_err;
	rq.on_done = on_done;
	rq.ud = c;
	err_clear(&e);
	c->req = http_start(a->loop, &rq, &e);
	xfree_secret_str(auth);
	if (!c->req) {
		c->err = e;
		return -1;
	}
	return 0;
}

int arm_have_args(struct arm_call *c, const char *sub, const char *rg)
{
	if (!sub || !*sub || !rg || !*rg) {
		err_set(&c->err, ERR_USAGE, "the subscription and resource "
					    "group are needed");
		return 0;
	}
	c->sub = xstrdup(sub);
	c->rg = xstrdup(rg);
	return 1;
}

/* ---- the one place a finished call reports ------------------------------ */

static void finish(struct arm_call *c)
{
	switch (c->kind) {
	case CALL_OUTPUTS:
		arm_call_stop_io(c);
		arm_call_unlink(c);
		c->finished = 1;
		arm_finish_outputs(c, NULL);
		arm_call_release(c);
		break;
	case CALL_REGISTRIES:
		arm_call_stop_io(c);
		arm_call_unlink(c);
		c->finished = 1;
		arm_finish_registries(c, NULL, NULL, NULL);
		arm_call_release(c);
		break;
	case CALL_IMPORT:
		arm_import_end(c);
		break;
	case CALL_GRAPH:
		arm_graph_end(c);
		break;
	}
}
