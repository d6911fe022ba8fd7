/* arm_graph.c - Azure Resource Graph queries through ARM: paged, waiting
 * out 429s and the user quota. Not what the rows mean (scans). */
#include "arm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arm_int.h"
#include "json.h"
#include "xalloc.h"

#define GRAPH_TIMEOUT_MS  120000L
#define GRAPH_429_MAX	  10
#define GRAPH_WAIT_MAX_MS 300000L
#define GRAPH_PAGES_MAX	  2000

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

void arm_graph_end(struct arm_call *c)
{
	arm_call_stop_io(c);
	arm_call_unlink(c);
	c->finished = 1;
	finish_graph(c);
	arm_call_release(c);
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
	const cJSON *tr =
	    cJSON_GetObjectItemCaseSensitive(doc, "resultTruncated");
	const cJSON *tot =
	    cJSON_GetObjectItemCaseSensitive(doc, "totalRecords");
	const char *skip = json_text(doc, "$skipToken");
	cJSON *it;

	if (!cJSON_IsArray(data)) {
		cJSON_Delete(doc);
		return err_set(&c->err, ERR_PARSE,
			       "the Resource Graph answer "
			       "has no data rows");
	}
	c->pages++;
	/* json_num: a count past a long is cut, not undefined behaviour */
	if (c->total < 0 && cJSON_IsNumber(tot) && tot->valuedouble >= 0)
		c->total = (long)json_num(doc, "totalRecords", -1);
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
	long s =
	    arm_parse_hms(http_header_get(r, "x-ms-user-quota-resets-after"));

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
	arm_note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
		arm_graph_end(c);
		return;
	}
	if (r->status == 429 && c->n429 < GRAPH_429_MAX) {
		long secs = http_retry_after_s(
		    http_header_get(r, "retry-after"), (long long)time(NULL));

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
		arm_graph_end(c);
		return;
	}
	c->n429 = 0;
	if (graph_page(c, r->body) < 0 || !c->skip_token) {
		arm_graph_end(c);
		return;
	}
	if (c->pages >= GRAPH_PAGES_MAX) {
		err_set(&c->err, ERR_HTTP,
			"the Resource Graph query has more "
			"than %d pages; narrow it",
			GRAPH_PAGES_MAX);
		arm_graph_end(c);
		return;
	}
	wait = 0;
	if (arm_parse_long(http_header_get(r, "x-ms-user-quota-remaining"),
			   -1) == 0) {
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
	rc = arm_call_send(c, "POST", url, body ? body : "{}", 1, -1, 0,
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
		arm_graph_end(c);
}

struct arm_call *arm_graph_query(struct arm *a,
				 const char *const *subscriptions,
				 const char *query, arm_graph_fn done,
				 void *ud)
{
	struct arm_call *c = arm_call_new(a, CALL_GRAPH, ud);
	cJSON *opts, *subs;
	size_t i;

	c->graph_done = done;
	c->rows = cJSON_CreateArray();
	if (!query || !*query) {
		err_set(&c->err, ERR_USAGE, "no Resource Graph query given");
		return arm_fail_later(c);
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
	return graph_send_now(c) < 0 ? arm_fail_later(c) : c;
}
