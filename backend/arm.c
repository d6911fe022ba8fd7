/* arm.c - ARM requests over backend/http: deployments, importImage and
 * its operation polling, Resource Graph paging, ARM error sentences. */
#include "arm.h"
#include "http.h"
#include "json.h"
#include "strbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_CA_BYTES (4L * 1024L * 1024L)
#define REQ_TIMEOUT_MS 60000L
#define GRAPH_TIMEOUT_MS 120000L
#define POLL_FAILURES_MAX 5     /* status requests that got no answer */
#define RETRY_AFTER_MIN_MS 250L
#define RETRY_AFTER_MAX_MS 120000L
#define GRAPH_429_MAX 10
#define GRAPH_WAIT_MAX_MS 300000L
#define GRAPH_PAGES_MAX 2000

enum call_kind { CALL_OUTPUTS, CALL_REGISTRIES, CALL_IMPORT, CALL_GRAPH };

struct arm {
	struct loop *loop;
	char *endpoint;           /* no trailing slash */
	unsigned char *ca;
	size_t ca_len;
	char *token;
	long ceiling_ms;
	long poll_first_ms, poll_max_ms;
	struct arm_quota quota;
	struct arm_call *calls;
};

struct arm_call {
	struct arm *arm;          /* NULL once unlinked */
	struct loop *loop;
	struct arm_call *prev, *next;
	enum call_kind kind;
	struct http_req *req;
	unsigned timer;
	int in_cb;                /* a callback of the caller is running */
	int dead;                 /* free once that callback returns */
	int finished;             /* done was called, or never will be */
	void *ud;
	struct err err;
	long status;

	/* deployments */
	arm_outputs_fn outputs_done;
	arm_registries_fn registries_done;
	char *sub, *rg;
	char *names[2];
	size_t nnames, iname;
	char notes[512];          /* why earlier deployments did not do */

	/* importImage */
	arm_progress_fn progress;
	arm_import_fn import_done;
	char *image;
	char *source; /* "docker.io/library/x:1" for sentences */
	char *status_url;
	int async_op;             /* status_url is an Azure-AsyncOperation */
	int accepted;
	long long started_ms, deadline_ms;
	long ceiling_ms;
	long interval_ms;
	long retry_after_s;
	int polls, poll_failures;
	char op_status[64];

	/* Resource Graph */
	arm_graph_fn graph_done;
	cJSON *request;
	cJSON *rows;
	char *skip_token;
	long total;
	int pages, truncated, throttled, n429;
};

/* ---- small helpers ------------------------------------------------------ */

/* Replace control characters (C0, DEL) from server text by spaces. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = ' ';
}

/* Percent-encode a path segment (caller frees). */
static char *escape_segment(const char *s)
{
	struct strbuf b = {0};

	strbuf_add_pct(&b, s);
	return strbuf_take(&b);
}

/* Whether two absolute URLs share scheme, host and port. */
static int same_origin(const char *a, const char *b)
{
	CURLU *ua = curl_url(), *ub = curl_url();
	char *sa = NULL, *sb = NULL, *ha = NULL, *hb = NULL;
	char *pa = NULL, *pb = NULL;
	int same = 0;

	if (!ua || !ub)
		goto out;
	if (curl_url_set(ua, CURLUPART_URL, a, 0) != CURLUE_OK ||
	    curl_url_set(ub, CURLUPART_URL, b, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(ua, CURLUPART_SCHEME, &sa, 0) != CURLUE_OK ||
	    curl_url_get(ub, CURLUPART_SCHEME, &sb, 0) != CURLUE_OK ||
	    curl_url_get(ua, CURLUPART_HOST, &ha, 0) != CURLUE_OK ||
	    curl_url_get(ub, CURLUPART_HOST, &hb, 0) != CURLUE_OK ||
	    curl_url_get(ua, CURLUPART_PORT, &pa, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK ||
	    curl_url_get(ub, CURLUPART_PORT, &pb, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK)
		goto out;
	same = strcasecmp(sa, sb) == 0 && strcasecmp(ha, hb) == 0 &&
	       strcmp(pa, pb) == 0;
out:
	curl_free(sa);
	curl_free(sb);
	curl_free(ha);
	curl_free(hb);
	curl_free(pa);
	curl_free(pb);
	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return same;
}

/* "scheme://host[:port]" of a URL, for sentences (never a query). */
static void origin_of(const char *url, char *buf, size_t sz)
{
	const char *p = strstr(url, "://");
	const char *end = p ? strpbrk(p + 3, "/?#") : NULL;
	size_t n = end ? (size_t)(end - url) : strlen(url);

	if (n >= sz)
		n = sz - 1;
	memcpy(buf, url, n);
	buf[n] = '\0';
}

/* Append to a fixed buffer, truncating. */
static void buf_append(char *buf, size_t sz, const char *s)
{
	size_t n = strlen(buf);

	if (n + 1 >= sz)
		return;
	snprintf(buf + n, sz - n, "%s", s);
}

static long parse_long(const char *s, long fallback)
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
static long parse_hms(const char *s)
{
	long part[4];
	int n = 0;
	const char *p = s;
	char *end;

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
	if (n == 3)
		return part[0] * 3600 + part[1] * 60 + part[2];
	if (n == 4)
		return part[0] * 86400 + part[1] * 3600 + part[2] * 60 +
		       part[3];
	return -1;
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
static int error_sentence_obj(long status, const cJSON *eo, struct err *e)
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
		sanitize(e->msg);
	return -ec;
}

int arm_error_sentence(long status, const char *body, struct err *e)
{
	cJSON *root = body && *body ? cJSON_Parse(body) : NULL;
	int rc = error_sentence_obj(status, error_object(root), e);

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
			       path, strerror(rc));
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

static void note_quota(struct arm *a, const struct http_response *r)
{
	const char *v;
	int seen = 0;

	if (!a || !r->status)
		return;
	v = http_header_get(r, "x-ms-ratelimit-remaining-subscription-reads");
	if (v) {
		a->quota.reads = parse_long(v, -1);
		seen = 1;
	}
	v = http_header_get(r,
			    "x-ms-ratelimit-remaining-subscription-writes");
	if (v) {
		a->quota.writes = parse_long(v, -1);
		seen = 1;
	}
	v = http_header_get(r, "x-ms-user-quota-remaining");
	if (v) {
		a->quota.graph_remaining = parse_long(v, -1);
		seen = 1;
	}
	v = http_header_get(r, "x-ms-user-quota-resets-after");
	if (v) {
		a->quota.graph_resets_s = parse_hms(v);
		seen = 1;
	}
	if (seen)
		a->quota.updated_ms = loop_now_ms();
}

/* ---- call lifetime ------------------------------------------------------ */

static struct arm_call *call_new(struct arm *a, enum call_kind kind,
				 void *ud)
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

static void call_unlink(struct arm_call *c)
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

static void call_stop_io(struct arm_call *c)
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

static void call_free(struct arm_call *c)
{
	size_t i;

	call_stop_io(c);
	call_unlink(c);
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
static void call_release(struct arm_call *c)
{
	if (c->in_cb)
		c->dead = 1;
	else
		call_free(c);
}

void arm_call_cancel(struct arm_call *c)
{
	if (!c || c->finished)
		return;
	call_stop_io(c);
	call_unlink(c);
	c->finished = 1;
	call_release(c);
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
static struct arm_call *fail_later(struct arm_call *c)
{
	call_stop_io(c);
	c->timer = loop_timer_add(c->loop, 0, on_fail_timer, c);
	return c;
}

/* Start one request for c. Returns 0, or fills c->err. */
static int call_send(struct arm_call *c, const char *method,
		     const char *url, const char *body, int idempotent,
		     int max_429, int max_err, long timeout_ms,
		     http_done_fn on_done)
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

/* ---- deployments -------------------------------------------------------- */

static char *deployment_url(const struct arm_call *c, const char *name)
{
	char *s = escape_segment(c->sub), *r = escape_segment(c->rg);
	char *n = escape_segment(name);
	char *url = xasprintf("%s/subscriptions/%s/resourcegroups/%s/"
			      "providers/Microsoft.Resources/deployments/%s"
			      "?api-version=%s",
			      c->arm->endpoint, s, r, n, ARM_API_DEPLOYMENTS);

	free(s);
	free(r);
	free(n);
	return url;
}

/* The sentence for a failed deployments GET. Returns whether it was "not
 * found" (the deployment, not its resource group). */
static int deployment_error(const struct arm_call *c, const char *name,
			    long status, const char *body, struct err *e)
{
	char code[128];

	arm_error_code(body, code, sizeof(code));
	if (status == 404 && (strcmp(code, "DeploymentNotFound") == 0 ||
			      !code[0])) {
		err_set(e, ERR_NOTFOUND,
			"deployment %s not found in resource group %s", name,
			c->rg);
		return 1;
	}
	arm_error_sentence(status, body, e);
	return 0;
}

const cJSON *arm_output_value(const cJSON *outputs, const char *name,
			      const char **type)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(outputs, name);
	const cJSON *t;

	if (!o)
		o = cJSON_GetObjectItem(outputs, name);
	if (type)
		*type = NULL;
	if (!cJSON_IsObject(o))
		return NULL;
	t = cJSON_GetObjectItem(o, "type");
	if (type && cJSON_IsString(t))
		*type = t->valuestring;
	return cJSON_GetObjectItem(o, "value");
}

const char *arm_output_string(const cJSON *outputs, const char *name)
{
	const char *type;
	const cJSON *v = arm_output_value(outputs, name, &type);

	if (!cJSON_IsString(v))
		return NULL;
	if (type && strcasecmp(type, "string") != 0 &&
	    strcasecmp(type, "securestring") != 0)
		return NULL;
	return v->valuestring;
}

static void finish_outputs(struct arm_call *c, cJSON *doc)
{
	struct arm_outputs o;
	cJSON *props = cJSON_GetObjectItemCaseSensitive(doc, "properties");

	memset(&o, 0, sizeof(o));
	o.status = c->status;
	o.err = c->err;
	o.deployment = c->names[0];
	o.ok = c->err.code == 0 && doc != NULL;
	if (o.ok) {
		cJSON *outs = cJSON_DetachItemFromObjectCaseSensitive(
			props, "outputs");

		o.provisioning_state = json_text(props, "provisioningState");
		if (!cJSON_IsObject(outs)) {
			cJSON_Delete(outs);
			outs = cJSON_CreateObject();
		}
		o.outputs = outs;
	}
	c->in_cb++;
	c->outputs_done(&o, c->ud);
	c->in_cb--;
	cJSON_Delete(o.outputs);
}

static void on_outputs_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	cJSON *doc = NULL;

	c->req = NULL;
	c->status = r->status;
	note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
	} else if (r->status != 200) {
		deployment_error(c, c->names[0], r->status, r->body, &c->err);
	} else {
		doc = cJSON_Parse(r->body);
		if (!cJSON_IsObject(doc))
			err_set(&c->err, ERR_PARSE,
				"the answer for deployment %s is not JSON",
				c->names[0]);
	}
	if (c->err.code) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	call_stop_io(c);
	call_unlink(c);
	c->finished = 1;
	finish_outputs(c, doc);
	cJSON_Delete(doc);
	call_release(c);
}

static int have_args(struct arm_call *c, const char *sub, const char *rg)
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

struct arm_call *arm_deployment_outputs(struct arm *a, const char *sub,
					const char *rg, const char *name,
					arm_outputs_fn done, void *ud)
{
	struct arm_call *c = call_new(a, CALL_OUTPUTS, ud);
	char *url;
	int rc;

	c->outputs_done = done;
	c->names[0] = xstrdup(name ? name : "");
	c->nnames = 1;
	if (!have_args(c, sub, rg))
		return fail_later(c);
	if (!name || !*name) {
		err_set(&c->err, ERR_USAGE, "no deployment name given");
		return fail_later(c);
	}
	url = deployment_url(c, name);
	rc = call_send(c, "GET", url, NULL, 1, 0, 0, REQ_TIMEOUT_MS,
		       on_outputs_done);
	free(url);
	return rc < 0 ? fail_later(c) : c;
}

/* ---- registry lookup ---------------------------------------------------- */

static void finish_registries(struct arm_call *c, const char *deployment,
			      const char *quarantine, const char *live)
{
	struct arm_registries r;

	memset(&r, 0, sizeof(r));
	r.err = c->err;
	r.ok = c->err.code == 0;
	if (r.ok) {
		r.deployment = deployment;
		r.quarantine = quarantine;
		r.live = live;
		r.same = strcasecmp(quarantine, live) == 0;
	}
	c->in_cb++;
	c->registries_done(&r, c->ud);
	c->in_cb--;
}

static void add_note(struct arm_call *c, const char *note)
{
	if (c->notes[0])
		buf_append(c->notes, sizeof(c->notes), "; ");
	buf_append(c->notes, sizeof(c->notes), note);
}

static void lookup_next(struct arm_call *c);

static void on_lookup_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	const char *name = c->names[c->iname];
	cJSON *doc = NULL;
	const cJSON *outs;
	const char *q = NULL, *live = NULL;
	char note[300];

	c->req = NULL;
	c->status = r->status;
	note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
		goto done;
	}
	if (r->status != 200) {
		struct err e;

		err_clear(&e);
		if (!deployment_error(c, name, r->status, r->body, &e)) {
			c->err = e;
			goto done;
		}
		add_note(c, e.msg);
		goto next;
	}
	doc = cJSON_Parse(r->body);
	if (!cJSON_IsObject(doc)) {
		err_set(&c->err, ERR_PARSE, "the answer for deployment %s is "
					    "not JSON",
			name);
		goto done;
	}
	outs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "properties"),
		"outputs");
	q = arm_output_string(outs, "quarantineContainerRegistryName");
	live = arm_output_string(outs, "containerRegistryName");
	if (q && live && *q && *live)
		goto done;
	snprintf(note, sizeof(note), "deployment %s has no output %s", name,
		 !q || !*q ? "quarantineContainerRegistryName"
			   : "containerRegistryName");
	if ((!q || !*q) && (!live || !*live))
		snprintf(note, sizeof(note), "deployment %s has no output "
					     "quarantineContainerRegistryName "
					     "or containerRegistryName",
			 name);
	add_note(c, note);
	q = live = NULL;
next:
	cJSON_Delete(doc);
	doc = NULL;
	if (c->iname + 1 < c->nnames) {
		c->iname++;
		lookup_next(c);
		return;
	}
	err_set(&c->err, ERR_NOTFOUND, "%s", c->notes);
done:
	call_stop_io(c);
	call_unlink(c);
	c->finished = 1;
	finish_registries(c, name, q, live);
	cJSON_Delete(doc);
	call_release(c);
}

static void lookup_next(struct arm_call *c)
{
	char *url = deployment_url(c, c->names[c->iname]);
	int rc = call_send(c, "GET", url, NULL, 1, 0, 0, REQ_TIMEOUT_MS,
			   on_lookup_done);

	free(url);
	if (rc < 0)
		fail_later(c);
}

struct arm_call *arm_registry_lookup(struct arm *a, const char *sub,
				     const char *rg, const char *name,
				     arm_registries_fn done, void *ud)
{
	struct arm_call *c = call_new(a, CALL_REGISTRIES, ud);

	c->registries_done = done;
	if (name && *name) {
		c->names[c->nnames++] = xstrdup(name);
	} else {
		c->names[c->nnames++] = xstrdup(ARM_STAMP_DEPLOYMENT);
		c->names[c->nnames++] = xstrdup(ARM_PRE_STAMP_DEPLOYMENT);
	}
	if (!have_args(c, sub, rg))
		return fail_later(c);
	lookup_next(c);
	return c;
}

/* ---- importImage -------------------------------------------------------- */

static int add_string_array(cJSON *obj, const char *key,
			    const char *const *items, struct err *e)
{
	cJSON *arr;
	size_t i;

	if (!items || !items[0])
		return 0;
	arr = cJSON_AddArrayToObject(obj, key);
	for (i = 0; items[i]; i++) {
		if (!*items[i])
			return err_set(e, ERR_USAGE, "an empty entry in %s",
				       key);
		cJSON_AddItemToArray(arr, cJSON_CreateString(items[i]));
	}
	return 0;
}

char *arm_import_body(const struct arm_import *p, struct err *e)
{
	cJSON *root, *src, *cred;
	char *out;
	int have_uri = p && p->registry_uri && *p->registry_uri;
	int have_id = p && p->resource_id && *p->resource_id;

	if (!p || !p->source_image || !*p->source_image) {
		err_set(e, ERR_USAGE, "no source image to import");
		return NULL;
	}
	if (have_uri == have_id) {
		err_set(e, ERR_USAGE, "an import needs either a source "
				      "registry or a source registry's "
				      "resource id, not %s",
			have_uri ? "both" : "neither");
		return NULL;
	}
	if (p->username && *p->username && !(p->password && *p->password)) {
		err_set(e, ERR_USAGE, "source credentials need a password");
		return NULL;
	}
	root = cJSON_CreateObject();
	src = cJSON_AddObjectToObject(root, "source");
	if (have_uri)
		cJSON_AddStringToObject(src, "registryUri", p->registry_uri);
	else
		cJSON_AddStringToObject(src, "resourceId", p->resource_id);
	cJSON_AddStringToObject(src, "sourceImage", p->source_image);
	if (p->password && *p->password) {
		cred = cJSON_AddObjectToObject(src, "credentials");
		if (p->username && *p->username)
			cJSON_AddStringToObject(cred, "username",
						p->username);
		cJSON_AddStringToObject(cred, "password", p->password);
	}
	if (add_string_array(root, "targetTags", p->target_tags, e) < 0 ||
	    add_string_array(root, "untaggedTargetRepositories",
			     p->untagged_repos, e) < 0) {
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_AddStringToObject(root, "mode", p->mode == ARM_IMPORT_FORCE
						      ? "Force"
						      : "NoForce");
	out = cJSON_PrintUnformatted(root);
	if (!out) {
		cJSON_Delete(root);
		err_set(e, ERR_INTERNAL, "cannot build the import request");
		return NULL;
	}
	/* The printed copy is what leaves; wipe the tree's password. */
	cred = cJSON_GetObjectItemCaseSensitive(src, "credentials");
	if (cred) {
		cJSON *pw = cJSON_GetObjectItemCaseSensitive(cred,
							     "password");

		if (cJSON_IsString(pw))
			memset(pw->valuestring, 0, strlen(pw->valuestring));
	}
	cJSON_Delete(root);
	return out;
}

static void finish_import(struct arm_call *c)
{
	struct arm_import_result r;

	memset(&r, 0, sizeof(r));
	r.err = c->err;
	r.ok = c->err.code == 0;
	r.accepted = c->accepted;
	r.status = c->status;
	r.op_status = c->op_status[0] ? c->op_status : NULL;
	r.retry_after_s = c->retry_after_s;
	r.elapsed_ms = c->started_ms ? loop_now_ms() - c->started_ms : 0;
	r.polls = c->polls;
	r.status_url = c->status_url;
	c->in_cb++;
	c->import_done(&r, c->ud);
	c->in_cb--;
}

/* Ends an import call with c->err (code 0: success). */
static void import_end(struct arm_call *c)
{
	call_stop_io(c);
	call_unlink(c);
	c->finished = 1;
	finish_import(c);
	call_release(c);
}

/* Adds "; it may still complete in Azure" to c->err. */
static void may_still_complete(struct arm_call *c)
{
	buf_append(c->err.msg, sizeof(c->err.msg),
		   "; the import may still complete in Azure");
}

/* Calls progress; returns non-zero when the call is gone afterwards. */
static int report_progress(struct arm_call *c, long next_ms)
{
	struct arm_progress p;

	if (!c->progress)
		return 0;
	memset(&p, 0, sizeof(p));
	p.status = c->op_status[0] ? c->op_status : "InProgress";
	p.elapsed_ms = loop_now_ms() - c->started_ms;
	p.polls = c->polls;
	p.next_poll_ms = next_ms;
	c->in_cb++;
	c->progress(&p, c->ud);
	c->in_cb--;
	if (c->dead) {
		call_free(c);
		return 1;
	}
	return c->finished;
}

static void poll_now(void *ud);

/* The wait before the next status request: the answer's Retry-After,
 * else the growing interval. */
static long next_delay(struct arm_call *c, const struct http_response *r)
{
	long secs = r ? http_retry_after_s(http_header_get(r, "retry-after"),
					   (long long)time(NULL))
		      : -1;
	long ms;

	if (secs >= 0) {
		ms = secs * 1000;
		if (ms < RETRY_AFTER_MIN_MS)
			ms = RETRY_AFTER_MIN_MS;
		if (ms > RETRY_AFTER_MAX_MS)
			ms = RETRY_AFTER_MAX_MS;
		return ms;
	}
	ms = c->interval_ms;
	c->interval_ms += c->interval_ms / 2;
	if (c->arm && c->interval_ms > c->arm->poll_max_ms)
		c->interval_ms = c->arm->poll_max_ms;
	return ms;
}

static void import_timed_out(struct arm_call *c)
{
	char d[32];

	arm_format_duration(c->ceiling_ms, d, sizeof(d));
	err_set(&c->err, ERR_TIMEOUT,
		"the import did not finish within %s; it may still complete "
		"in Azure",
		d);
	import_end(c);
}

/* Schedules the next status request (or gives up at the ceiling) and
 * tells the caller. */
static void schedule_poll(struct arm_call *c, const struct http_response *r)
{
	long long left = c->deadline_ms - loop_now_ms();
	long ms;

	if (left <= 0) {
		import_timed_out(c);
		return;
	}
	ms = next_delay(c, r);
	if (ms > left)
		ms = (long)left;
	c->timer = loop_timer_add(c->loop, ms, poll_now, c);
	report_progress(c, ms);
}

/* Takes a status URL from an answer; 0, or c->err filled. */
static int take_status_url(struct arm_call *c, const char *url, int async_op)
{
	char origin[256];

	if (!same_origin(url, c->arm->endpoint)) {
		origin_of(url, origin, sizeof(origin));
		err_set(&c->err, ERR_DENIED,
			"the import's status address is on another host "
			"(%s), so the Azure token was not sent there",
			origin);
		return -1;
	}
	free(c->status_url);
	c->status_url = xstrdup(url);
	c->async_op = async_op;
	return 0;
}

/* A status request that got no usable answer: try again a few times. */
static void poll_trouble(struct arm_call *c, const struct http_response *r,
			 const struct err *why)
{
	if (++c->poll_failures >= POLL_FAILURES_MAX) {
		c->err = *why;
		may_still_complete(c);
		import_end(c);
		return;
	}
	schedule_poll(c, r);
}

/* ACR words a failed import "Operation <id> failed. Resource <registry
 * id> <detail>" (as az acr import prints it). Keep the detail, and give
 * the two failures an operator acts on a sentence of their own: a target
 * tag that exists (NoForce) and a source image that is not there. */
static void import_failure_sentence(struct arm_call *c)
{
	char code[64] = "", detail[sizeof(c->err.msg)], tag[256];
	const char *m = c->err.msg, *colon, *op, *res, *t, *end;
	size_t n;

	if (strstr(m, "MANIFEST_UNKNOWN")) {
		err_set(&c->err, ERR_NOTFOUND,
			"%s was not found in its registry (MANIFEST_UNKNOWN)",
			c->source);
		return;
	}
	t = strstr(m, " Tag ");
	end = t ? strstr(t + 5, " already exists in target registry") : NULL;
	if (t && end) {
		n = (size_t)(end - (t + 5));
		snprintf(tag, sizeof(tag), "%.*s", (int)n, t + 5);
		err_set(&c->err, ERR_CONFLICT,
			"%s already exists in the target registry, and the "
			"import was not forced",
			tag);
		return;
	}
	colon = strstr(m, ": ");
	op = strstr(m, "Operation ");
	res = op ? strstr(op, " failed. Resource ") : NULL;
	if (!colon || !op || !res || colon > op)
		return;
	snprintf(code, sizeof(code), "%.*s", (int)(colon - m), m);
	res += strlen(" failed. Resource ");
	res += strcspn(res, " ");
	while (*res == ' ')
		res++;
	if (!*res)
		return;
	snprintf(detail, sizeof(detail), "%s", res);
	err_set(&c->err, c->err.code, "%s: %s", code, detail);
}

static void on_async_status(struct arm_call *c, const struct http_response *r)
{
	cJSON *doc = cJSON_Parse(r->body);
	const char *st = json_text(doc, "status");
	struct err e;

	if (!st) {
		cJSON_Delete(doc);
		err_set(&e, ERR_PARSE, "the import's status answer has no "
				       "status");
		poll_trouble(c, r, &e);
		return;
	}
	c->poll_failures = 0;
	snprintf(c->op_status, sizeof(c->op_status), "%s", st);
	sanitize(c->op_status);
	if (strcasecmp(st, "Succeeded") == 0) {
		cJSON_Delete(doc);
		import_end(c);
		return;
	}
	if (strcasecmp(st, "Failed") == 0 || strcasecmp(st, "Canceled") == 0) {
		const cJSON *eo = cJSON_GetObjectItemCaseSensitive(doc,
								   "error");

		int canceled = strcasecmp(st, "Canceled") == 0;

		if (cJSON_IsObject(eo))
			error_sentence_obj(500, eo, &c->err);
		else
			err_set(&c->err, ERR_HTTP, "the import %s in Azure",
				canceled ? "was canceled" : "failed");
		if (canceled && cJSON_IsObject(eo))
			err_prefix(&c->err, "the import was canceled in "
					    "Azure");
		else
			import_failure_sentence(c);
		cJSON_Delete(doc);
		import_end(c);
		return;
	}
	cJSON_Delete(doc);
	schedule_poll(c, r);
}

static int has_arm_error(const char *body)
{
	char code[8];

	arm_error_code(body, code, sizeof(code));
	return code[0] != '\0';
}

static void on_poll_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	const char *loc;

	c->req = NULL;
	c->status = r->status;
	c->polls++;
	note_quota(c->arm, r);
	if (r->status == 0) {
		poll_trouble(c, r, &r->err);
		return;
	}
	if (r->status >= 500 && !has_arm_error(r->body)) {
		struct err e;

		err_set(&e, ERR_HTTP, "the import's status request failed "
				      "(HTTP %ld)",
			r->status);
		poll_trouble(c, r, &e);
		return;
	}
	if (r->status == 429) {
		struct err e;

		/* Still throttled after the http layer's own retries. */
		err_set(&e, ERR_HTTP, "the import's status requests are "
				      "throttled (HTTP 429)");
		poll_trouble(c, r, &e);
		return;
	}
	if (r->status == 401 || r->status == 403 ||
	    (c->async_op && r->status != 200)) {
		/* About our request, not about the operation. */
		arm_error_sentence(r->status, r->body, &c->err);
		may_still_complete(c);
		import_end(c);
		return;
	}
	if (c->async_op) {
		on_async_status(c, r);
		return;
	}
	if (r->status == 202) {
		c->poll_failures = 0;
		snprintf(c->op_status, sizeof(c->op_status), "InProgress");
		loc = http_header_get(r, "location");
		if (loc && *loc && strcmp(loc, c->status_url) != 0 &&
		    take_status_url(c, loc, 0) < 0) {
			may_still_complete(c);
			import_end(c);
			return;
		}
		schedule_poll(c, r);
		return;
	}
	if (r->status >= 200 && r->status < 300) {
		snprintf(c->op_status, sizeof(c->op_status), "Succeeded");
		import_end(c);
		return;
	}
	snprintf(c->op_status, sizeof(c->op_status), "Failed");
	arm_error_sentence(r->status, r->body, &c->err);
	import_failure_sentence(c);
	import_end(c);
}

static void poll_now(void *ud)
{
	struct arm_call *c = ud;

	c->timer = 0;
	if (call_send(c, "GET", c->status_url, NULL, 1, 0, -1, REQ_TIMEOUT_MS,
		      on_poll_done) < 0) {
		may_still_complete(c);
		import_end(c);
	}
}

static void on_post_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	const char *async_url, *loc;
	long secs;

	c->req = NULL;
	c->status = r->status;
	note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
		buf_append(c->err.msg, sizeof(c->err.msg),
			   "; Azure may or may not have started the import, "
			   "and it was not sent again");
		import_end(c);
		return;
	}
	if (r->status == 429) {
		char wait[64] = "";

		secs = http_retry_after_s(http_header_get(r, "retry-after"),
					  (long long)time(NULL));
		c->retry_after_s = secs;
		arm_error_sentence(r->status, r->body, &c->err);
		if (secs >= 0)
			snprintf(wait, sizeof(wait), "; retry after %ld s",
				 secs);
		buf_append(c->err.msg, sizeof(c->err.msg),
			   " (the import was not sent again");
		buf_append(c->err.msg, sizeof(c->err.msg), wait);
		buf_append(c->err.msg, sizeof(c->err.msg), ")");
		import_end(c);
		return;
	}
	if (r->status < 200 || r->status >= 300) {
		arm_error_sentence(r->status, r->body, &c->err);
		import_end(c);
		return;
	}
	c->accepted = 1;
	async_url = http_header_get(r, "azure-asyncoperation");
	loc = http_header_get(r, "location");
	if (r->status == 200 && !(async_url && *async_url)) {
		snprintf(c->op_status, sizeof(c->op_status), "Succeeded");
		import_end(c);
		return;
	}
	if (async_url && *async_url) {
		if (take_status_url(c, async_url, 1) < 0) {
			may_still_complete(c);
			import_end(c);
			return;
		}
	} else if (loc && *loc) {
		if (take_status_url(c, loc, 0) < 0) {
			may_still_complete(c);
			import_end(c);
			return;
		}
	} else if (r->status == 201 || r->status == 204) {
		snprintf(c->op_status, sizeof(c->op_status), "Succeeded");
		import_end(c);
		return;
	} else {
		err_set(&c->err, ERR_HTTP, "Azure accepted the import but "
					   "gave no address to follow it");
		may_still_complete(c);
		import_end(c);
		return;
	}
	snprintf(c->op_status, sizeof(c->op_status), "Accepted");
	schedule_poll(c, r);
}

struct arm_call *arm_import_image(struct arm *a, const char *sub,
				  const char *rg, const char *registry,
				  const struct arm_import *params,
				  arm_progress_fn progress, arm_import_fn done,
				  void *ud)
{
	struct arm_call *c = call_new(a, CALL_IMPORT, ud);
	char *body, *s, *r, *n, *url;
	int rc;

	c->progress = progress;
	c->import_done = done;
	c->ceiling_ms = a->ceiling_ms;
	c->interval_ms = a->poll_first_ms;
	c->image = xstrdup(params && params->source_image
				   ? params->source_image
				   : "");
	c->source = params && params->registry_uri && params->source_image
			? xasprintf("%s/%s", params->registry_uri,
				    params->source_image)
			: xstrdup(c->image);
	if (!have_args(c, sub, rg))
		return fail_later(c);
	if (!registry || !*registry) {
		err_set(&c->err, ERR_USAGE, "no target registry for the "
					    "import");
		return fail_later(c);
	}
	body = arm_import_body(params, &c->err);
	if (!body)
		return fail_later(c);
	s = escape_segment(sub);
	r = escape_segment(rg);
	n = escape_segment(registry);
	url = xasprintf("%s/subscriptions/%s/resourceGroups/%s/providers/"
			"Microsoft.ContainerRegistry/registries/%s/"
			"importImage?api-version=%s",
			a->endpoint, s, r, n, ARM_API_REGISTRIES);
	free(s);
	free(r);
	free(n);
	c->started_ms = loop_now_ms();
	c->deadline_ms = c->started_ms + c->ceiling_ms;
	/* Sent once: no retry on 429, 5xx or transport errors. */
	rc = call_send(c, "POST", url, body, 0, -1, -1, REQ_TIMEOUT_MS,
		       on_post_done);
	free(url);
	xfree_secret_str(body);
	return rc < 0 ? fail_later(c) : c;
}

void arm_import_stop(struct arm_call *c)
{
	if (!c || c->finished || c->kind != CALL_IMPORT)
		return;
	err_set(&c->err, ERR_CANCELLED,
		"stopped following the import of %s; the operation may go on "
		"in Azure",
		c->image);
	import_end(c);
}

/* ---- Resource Graph ----------------------------------------------------- */

static void finish_graph(struct arm_call *c)
{
	struct arm_graph_result r;

	memset(&r, 0, sizeof(r));
	r.err = c->err;
	r.ok = c->err.code == 0;
	r.status = c->status;
	r.total_records = c->total;
	r.pages = c->pages;
	r.truncated = c->truncated;
	r.throttled = c->throttled;
	if (r.ok) {
		r.rows = c->rows;
		c->rows = NULL;
	}
	c->in_cb++;
	c->graph_done(&r, c->ud);
	c->in_cb--;
	cJSON_Delete(r.rows);
}

static void graph_end(struct arm_call *c)
{
	call_stop_io(c);
	call_unlink(c);
	c->finished = 1;
	finish_graph(c);
	call_release(c);
}

static void graph_send(void *ud);
static int graph_send_now(struct arm_call *c);

static void graph_later(struct arm_call *c, long ms)
{
	c->timer = loop_timer_add(c->loop, ms < 0 ? 0 : ms, graph_send, c);
}

/* Moves one page's rows into c->rows; 0, or c->err filled. */
static int graph_page(struct arm_call *c, const char *body)
{
	cJSON *doc = cJSON_Parse(body);
	cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(doc,
							   "resultTruncated");
	const cJSON *tot = cJSON_GetObjectItemCaseSensitive(doc,
							    "totalRecords");
	const char *skip = json_text(doc, "$skipToken");
	cJSON *it;

	if (!cJSON_IsArray(data)) {
		cJSON_Delete(doc);
		return err_set(&c->err, ERR_PARSE, "the Resource Graph answer "
						   "has no data rows");
	}
	c->pages++;
	if (c->total < 0 && cJSON_IsNumber(tot))
		c->total = (long)tot->valuedouble;
	/* A string enum ("true"/"false"); a boolean is taken too. */
	if ((cJSON_IsString(tr) && strcasecmp(tr->valuestring, "true") == 0) ||
	    cJSON_IsTrue(tr))
		c->truncated = 1;
	for (;;) {
		it = cJSON_DetachItemFromArray(data, 0);
		if (!it)
			break;
		cJSON_AddItemToArray(c->rows, it);
	}
	if (skip && c->skip_token && strcmp(skip, c->skip_token) == 0) {
		cJSON_Delete(doc);
		return err_set(&c->err, ERR_HTTP,
			       "Resource Graph returned the same page token "
			       "twice");
	}
	free(c->skip_token);
	c->skip_token = skip ? xstrdup(skip) : NULL;
	cJSON_Delete(doc);
	return 0;
}

/* Milliseconds until the Resource Graph quota resets, or -1. */
static long quota_reset_ms(const struct http_response *r)
{
	long s = parse_hms(http_header_get(r, "x-ms-user-quota-resets-after"));

	if (s < 0)
		return -1;
	return s * 1000 > GRAPH_WAIT_MAX_MS ? GRAPH_WAIT_MAX_MS : s * 1000;
}

static void on_graph_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	long wait;

	c->req = NULL;
	c->status = r->status;
	note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
		graph_end(c);
		return;
	}
	if (r->status == 429 && c->n429 < GRAPH_429_MAX) {
		long secs = http_retry_after_s(
			http_header_get(r, "retry-after"),
			(long long)time(NULL));

		wait = secs >= 0 ? secs * 1000 : quota_reset_ms(r);
		if (wait < 0)
			wait = http_backoff_ms(c->n429, 1000, 30000);
		if (wait > GRAPH_WAIT_MAX_MS)
			wait = GRAPH_WAIT_MAX_MS;
		c->n429++;
		c->throttled++;
		graph_later(c, wait);
		return;
	}
	if (r->status != 200) {
		arm_error_sentence(r->status, r->body, &c->err);
		graph_end(c);
		return;
	}
	c->n429 = 0;
	if (graph_page(c, r->body) < 0 || !c->skip_token) {
		graph_end(c);
		return;
	}
	if (c->pages >= GRAPH_PAGES_MAX) {
		err_set(&c->err, ERR_HTTP, "the Resource Graph query has more "
					   "than %d pages; narrow it",
			GRAPH_PAGES_MAX);
		graph_end(c);
		return;
	}
	wait = 0;
	if (parse_long(http_header_get(r, "x-ms-user-quota-remaining"), -1) ==
	    0) {
		wait = quota_reset_ms(r);
		if (wait < 0)
			wait = 1000;
	}
	graph_later(c, wait);
}

static int graph_send_now(struct arm_call *c)
{
	cJSON *opts = cJSON_GetObjectItemCaseSensitive(c->request, "options");
	char *body, *url;
	int rc;

	cJSON_DeleteItemFromObjectCaseSensitive(opts, "$skipToken");
	if (c->skip_token)
		cJSON_AddStringToObject(opts, "$skipToken", c->skip_token);
	body = cJSON_PrintUnformatted(c->request);
	url = xasprintf("%s/providers/Microsoft.ResourceGraph/resources"
			"?api-version=%s",
			c->arm->endpoint, ARM_API_RESOURCE_GRAPH);
	/* A read: transport errors and 5xx may be retried; 429 is ours. */
	rc = call_send(c, "POST", url, body ? body : "{}", 1, -1, 0,
		       GRAPH_TIMEOUT_MS, on_graph_done);
	free(url);
	free(body);
	return rc;
}

static void graph_send(void *ud)
{
	struct arm_call *c = ud;

	c->timer = 0;
	if (graph_send_now(c) < 0)
		graph_end(c);
}

struct arm_call *arm_graph_query(struct arm *a,
				 const char *const *subscriptions,
				 const char *query, arm_graph_fn done,
				 void *ud)
{
	struct arm_call *c = call_new(a, CALL_GRAPH, ud);
	cJSON *opts, *subs;
	size_t i;

	c->graph_done = done;
	c->rows = cJSON_CreateArray();
	if (!query || !*query) {
		err_set(&c->err, ERR_USAGE, "no Resource Graph query given");
		return fail_later(c);
	}
	c->request = cJSON_CreateObject();
	if (subscriptions && subscriptions[0]) {
		subs = cJSON_AddArrayToObject(c->request, "subscriptions");
		for (i = 0; subscriptions[i]; i++)
			cJSON_AddItemToArray(
				subs, cJSON_CreateString(subscriptions[i]));
	}
	cJSON_AddStringToObject(c->request, "query", query);
	opts = cJSON_AddObjectToObject(c->request, "options");
	cJSON_AddNumberToObject(opts, "$top", ARM_GRAPH_PAGE);
	cJSON_AddStringToObject(opts, "resultFormat", "objectArray");
	return graph_send_now(c) < 0 ? fail_later(c) : c;
}

/* ---- the one place a finished call reports ------------------------------ */

static void finish(struct arm_call *c)
{
	switch (c->kind) {
	case CALL_OUTPUTS:
		call_stop_io(c);
		call_unlink(c);
		c->finished = 1;
		finish_outputs(c, NULL);
		call_release(c);
		break;
	case CALL_REGISTRIES:
		call_stop_io(c);
		call_unlink(c);
		c->finished = 1;
		finish_registries(c, NULL, NULL, NULL);
		call_release(c);
		break;
	case CALL_IMPORT:
		import_end(c);
		break;
	case CALL_GRAPH:
		graph_end(c);
		break;
	}
}
