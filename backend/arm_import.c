/* arm_import.c - ACR's importImage through ARM: the request body, the POST
 * sent once, the long-running operation followed. Not the registry API. */
#include "arm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arm_int.h"
#include "json.h"
#include "xalloc.h"

#define POLL_FAILURES_MAX  5 /* status requests that got no answer */
#define RETRY_AFTER_MIN_MS 250L
#define RETRY_AFTER_MAX_MS 120000L

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
		err_set(e, ERR_USAGE,
			"an import needs either a source "
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
			cJSON_AddStringToObject(cred, "username", p->username);
		cJSON_AddStringToObject(cred, "password", p->password);
	}
	if (add_string_array(root, "targetTags", p->target_tags, e) < 0 ||
	    add_string_array(root, "untaggedTargetRepositories",
			     p->untagged_repos, e) < 0) {
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_AddStringToObject(
	    root, "mode", p->mode == ARM_IMPORT_FORCE ? "Force" : "NoForce");
	out = cJSON_PrintUnformatted(root);
	if (!out) {
		cJSON_Delete(root);
		err_set(e, ERR_INTERNAL, "cannot build the import request");
		return NULL;
	}
	/* The printed copy is what leaves; wipe the tree's password. */
	cred = cJSON_GetObjectItemCaseSensitive(src, "credentials");
	if (cred) {
		cJSON *pw = cJSON_GetObjectItemCaseSensitive(cred, "password");

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
void arm_import_end(struct arm_call *c)
{
	arm_call_stop_io(c);
	arm_call_unlink(c);
	c->finished = 1;
	finish_import(c);
	arm_call_release(c);
}

/* Adds "; it may still complete in Azure" to c->err. */
static void may_still_complete(struct arm_call *c)
{
	arm_buf_append(c->err.msg, sizeof(c->err.msg),
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
		arm_call_free(c);
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
	arm_import_end(c);
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
		arm_import_end(c);
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
		err_set(&e, ERR_PARSE,
			"the import's status answer has no "
			"status");
		poll_trouble(c, r, &e);
		return;
	}
	c->poll_failures = 0;
	snprintf(c->op_status, sizeof(c->op_status), "%s", st);
	arm_sanitize(c->op_status);
	if (strcasecmp(st, "Succeeded") == 0) {
		cJSON_Delete(doc);
		arm_import_end(c);
		return;
	}
	if (strcasecmp(st, "Failed") == 0 || strcasecmp(st, "Canceled") == 0) {
		const cJSON *eo =
		    cJSON_GetObjectItemCaseSensitive(doc, "error");

		int canceled = strcasecmp(st, "Canceled") == 0;

		if (cJSON_IsObject(eo))
			arm_error_sentence_obj(500, eo, &c->err);
		else
			err_set(&c->err, ERR_HTTP, "the import %s in Azure",
				canceled ? "was canceled" : "failed");
		if (canceled && cJSON_IsObject(eo))
			err_prefix(&c->err, "the import was canceled in "
					    "Azure");
		else
			import_failure_sentence(c);
		cJSON_Delete(doc);
		arm_import_end(c);
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
	arm_note_quota(c->arm, r);
	if (r->status == 0) {
		poll_trouble(c, r, &r->err);
		return;
	}
	if (r->status >= 500 && !has_arm_error(r->body)) {
		struct err e;

		err_set(&e, ERR_HTTP,
			"the import's status request failed "
			"(HTTP %ld)",
			r->status);
		poll_trouble(c, r, &e);
		return;
	}
	if (r->status == 429) {
		struct err e;

		/* Still throttled after the http layer's own retries. */
		err_set(&e, ERR_HTTP,
			"the import's status requests are "
			"throttled (HTTP 429)");
		poll_trouble(c, r, &e);
		return;
	}
	if (r->status == 401 || r->status == 403 ||
	    (c->async_op && r->status != 200)) {
		/* About our request, not about the operation. */
		arm_error_sentence(r->status, r->body, &c->err);
		may_still_complete(c);
		arm_import_end(c);
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
			arm_import_end(c);
			return;
		}
		schedule_poll(c, r);
		return;
	}
	if (r->status >= 200 && r->status < 300) {
		snprintf(c->op_status, sizeof(c->op_status), "Succeeded");
		arm_import_end(c);
		return;
	}
	snprintf(c->op_status, sizeof(c->op_status), "Failed");
	arm_error_sentence(r->status, r->body, &c->err);
	import_failure_sentence(c);
	arm_import_end(c);
}

static void poll_now(void *ud)
{
	struct arm_call *c = ud;

	c->timer = 0;
	if (arm_call_send(c, "GET", c->status_url, NULL, 1, 0, -1,
			  REQ_TIMEOUT_MS, on_poll_done) < 0) {
		may_still_complete(c);
		arm_import_end(c);
	}
}

static void on_post_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	const char *async_url, *loc;
	long secs;

	c->req = NULL;
	c->status = r->status;
	arm_note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
		arm_buf_append(
		    c->err.msg, sizeof(c->err.msg),
		    "; Azure may or may not have started the import, "
		    "and it was not sent again");
		arm_import_end(c);
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
		arm_buf_append(c->err.msg, sizeof(c->err.msg),
			       " (the import was not sent again");
		arm_buf_append(c->err.msg, sizeof(c->err.msg), wait);
		arm_buf_append(c->err.msg, sizeof(c->err.msg), ")");
		arm_import_end(c);
		return;
	}
	if (r->status < 200 || r->status >= 300) {
		arm_error_sentence(r->status, r->body, &c->err);
		arm_import_end(c);
		return;
	}
	c->accepted = 1;
	async_url = http_header_get(r, "azure-asyncoperation");
	loc = http_header_get(r, "location");
	if (r->status == 200 && !(async_url && *async_url)) {
		snprintf(c->op_status, sizeof(c->op_status), "Succeeded");
		arm_import_end(c);
		return;
	}
	if (async_url && *async_url) {
		if (take_status_url(c, async_url, 1) < 0) {
			may_still_complete(c);
			arm_import_end(c);
			return;
		}
	} else if (loc && *loc) {
		if (take_status_url(c, loc, 0) < 0) {
			may_still_complete(c);
			arm_import_end(c);
			return;
		}
	} else if (r->status == 201 || r->status == 204) {
		snprintf(c->op_status, sizeof(c->op_status), "Succeeded");
		arm_import_end(c);
		return;
	} else {
		err_set(&c->err, ERR_HTTP,
			"Azure accepted the import but "
			"gave no address to follow it");
		may_still_complete(c);
		arm_import_end(c);
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
	struct arm_call *c = arm_call_new(a, CALL_IMPORT, ud);
	char *body, *s, *r, *n, *url;
	int rc;

	c->progress = progress;
	c->import_done = done;
	c->ceiling_ms = a->ceiling_ms;
	c->interval_ms = a->poll_first_ms;
	c->image = xstrdup(
	    params && params->source_image ? params->source_image : "");
	c->source = params && params->registry_uri && params->source_image
			? xasprintf("%s/%s", params->registry_uri,
				    params->source_image)
			: xstrdup(c->image);
	if (!arm_have_args(c, sub, rg))
		return arm_fail_later(c);
	if (!registry || !*registry) {
		err_set(&c->err, ERR_USAGE,
			"no target registry for the "
			"import");
		return arm_fail_later(c);
	}
	body = arm_import_body(params, &c->err);
	if (!body)
		return arm_fail_later(c);
	s = arm_escape_segment(sub);
	r = arm_escape_segment(rg);
	n = arm_escape_segment(registry);
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
	rc = arm_call_send(c, "POST", url, body, 0, -1, -1, REQ_TIMEOUT_MS,
			   on_post_done);
	free(url);
	xfree_secret_str(body);
	return rc < 0 ? arm_fail_later(c) : c;
}

void arm_import_stop(struct arm_call *c)
{
	if (!c || c->finished || c->kind != CALL_IMPORT)
		return;
	err_set(&c->err, ERR_CANCELLED,
		"stopped following the import of %s; the operation may go on "
		"in Azure",
		c->image);
	arm_import_end(c);
}
