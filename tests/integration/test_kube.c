/* test_kube.c - integration tests of the Kubernetes client and informer
 * against the simulator (tests/sim): paging, watches, 410, 429, 5xx, 401
 * with exec plugins, 403, restarts, client certificates and TLS. Each
 * test drives the real event loop; none talks to a real cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/http.h"
#include "backend/informer.h"
#include "backend/kube.h"
#include "backend/loop.h"
#include "backend/xalloc.h"
#include "simworld.h"

#define WAIT_MS 15000 /* the longest any one wait may take */
#define NPAGED 1203   /* ConfigMaps for the paging test: three pages */
#define SEED_PARALLEL 16

#define NODE_IN0 "aks-npinscope01-26621167-vmss000000"
#define NODE_IN1 "aks-npinscope01-26621167-vmss000001"
#define NODE_OO0 "aks-npooscope01-26621167-vmss000000"
#define NODE_SY0 "aks-npsystem-26621167-vmss000000"

static struct simworld world;
static struct loop *L;
static int server_stopped;

/* Nodes a test changed, put back to Ready by the teardown. */
static const char *touched[8];
static size_t ntouched;

/* ---- waiting on the loop -------------------------------------------- */

typedef int (*cond_fn)(void *ud);

/* Runs the loop until cond(ud) holds or ms have passed; returns whether
 * it holds. */
static int run_until(cond_fn cond, void *ud, long ms)
{
	long long end = loop_now_ms() + ms;

	while (!cond(ud)) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			return 0;
		loop_run_once(L, left > 200 ? 200 : (long)left);
	}
	return 1;
}

struct result {
	int done;
	long status;
	int ok;
	struct err err;
	cJSON *json;
	long long at;
};

static void on_result(struct kube_result *r, void *ud)
{
	struct result *res = ud;

	res->done = 1;
	res->status = r->status;
	res->ok = r->ok;
	res->err = r->err;
	res->json = r->json;
	r->json = NULL;
	res->at = loop_now_ms();
}

static int result_done(void *ud)
{
	return ((struct result *)ud)->done;
}

static void result_clear(struct result *res)
{
	cJSON_Delete(res->json);
	memset(res, 0, sizeof(*res));
}

static void wait_result(struct result *res)
{
	if (!run_until(result_done, res, WAIT_MS))
		fail_msg("no answer within %d ms", WAIT_MS);
}

static struct kube_client *client_for(const char *context)
{
	struct kube_conn conn;
	struct kube_client *c = NULL;
	struct err e;

	err_clear(&e);
	if (simworld_conn(&world, NULL, context, &conn, &e) < 0)
		fail_msg("context %s: %s", context, e.msg);
	if (kube_client_new(&c, L, &conn, &e) < 0)
		fail_msg("client for %s: %s", context, e.msg);
	kube_conn_clear(&conn);
	return c;
}

static void list_sync(struct kube_client *c, const char *path,
		      struct result *res)
{
	memset(res, 0, sizeof(*res));
	kube_list(c, path, on_result, res);
	wait_result(res);
}

static void request_sync(struct kube_client *c, const char *method,
			 const char *path, const char *ctype,
			 const char *body, struct result *res)
{
	memset(res, 0, sizeof(*res));
	kube_request(c, method, path, ctype, body, on_result, res);
	wait_result(res);
}

static int list_len(const cJSON *list)
{
	return cJSON_GetArraySize(
		cJSON_GetObjectItemCaseSensitive(list, "items"));
}

static const char *meta_str(const cJSON *obj, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The status of a node's Ready condition ("True", "False"), or NULL. */
static const char *ready_of(const cJSON *node)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(node, "status");
	const cJSON *conds = cJSON_GetObjectItemCaseSensitive(st,
							      "conditions");
	const cJSON *c;

	cJSON_ArrayForEach(c, conds)
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "type");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "status");

		if (cJSON_IsString(t) && strcmp(t->valuestring, "Ready") == 0)
			return cJSON_IsString(s) ? s->valuestring : NULL;
	}
	return NULL;
}

static void touch_node(const char *name)
{
	if (ntouched < sizeof(touched) / sizeof(touched[0]))
		touched[ntouched++] = name;
}

static void set_ready(const char *node, int ready)
{
	touch_node(node);
	if (simworld_set_ready(&world, node, ready) < 0)
		fail_msg("cannot set %s Ready=%d through the API", node,
			 ready);
}

/* ---- an informer and what it told us -------------------------------- */

struct watcher {
	struct informer *inf;
	int changes;
	int statuses;
	int healthy;       /* the last on_status had no error */
	int nerrors;
	struct err last;   /* the last error reported */
	long last_retry;
	int refused;       /* saw "connection refused" */
	long refused_retry;
	char refused_msg[512];
	/* what a predicate waits for */
	const char *node;
	const char *want;
	size_t want_count;
	int want_errors;
};

static void w_change(struct informer *inf, void *ud)
{
	struct watcher *w = ud;

	(void)inf;
	w->changes++;
}

static void w_status(struct informer *inf, const struct err *e,
		     long retry_ms, void *ud)
{
	struct watcher *w = ud;

	(void)inf;
	w->statuses++;
	if (!e) {
		w->healthy = 1;
		return;
	}
	w->healthy = 0;
	w->nerrors++;
	w->last = *e;
	w->last_retry = retry_ms;
	if (strstr(e->msg, "connection refused") && !w->refused) {
		w->refused = 1;
		w->refused_retry = retry_ms;
		snprintf(w->refused_msg, sizeof(w->refused_msg), "%s",
			 e->msg);
	}
}

static const struct informer_ops watcher_ops = {
	.on_change = w_change,
	.on_status = w_status,
};

static void watcher_start(struct watcher *w, struct kube_client *c,
			  const char *path)
{
	memset(w, 0, sizeof(*w));
	w->inf = informer_start(c, path, &watcher_ops, w);
	assert_non_null(w->inf);
}

static int synced_with_count(void *ud)
{
	struct watcher *w = ud;

	return informer_synced(w->inf) &&
	       informer_count(w->inf) == w->want_count;
}

static int node_is(void *ud)
{
	struct watcher *w = ud;
	const cJSON *n = informer_find(w->inf, NULL, w->node);
	const char *r = n ? ready_of(n) : NULL;

	return r && strcmp(r, w->want) == 0;
}

static int node_is_and_healthy(void *ud)
{
	struct watcher *w = ud;

	return node_is(ud) && w->healthy && !informer_error(w->inf);
}

static int errors_seen(void *ud)
{
	struct watcher *w = ud;

	return w->nerrors >= w->want_errors;
}

static int refused_seen(void *ud)
{
	return ((struct watcher *)ud)->refused;
}

static void wait_synced(struct watcher *w, size_t count)
{
	w->want_count = count;
	if (!run_until(synced_with_count, w, WAIT_MS))
		fail_msg("informer not synced with %zu objects (has %zu, "
			 "synced %d, last error: %s)",
			 count, informer_count(w->inf),
			 informer_synced(w->inf),
			 w->nerrors ? w->last.msg : "none");
}

static void wait_node(struct watcher *w, const char *node, const char *want)
{
	w->node = node;
	w->want = want;
	if (!run_until(node_is_and_healthy, w, WAIT_MS))
		fail_msg("the informer never saw %s Ready=%s (healthy %d, "
			 "last error: %s)",
			 node, want, w->healthy,
			 w->nerrors ? w->last.msg : "none");
}

/* ---- fixtures ------------------------------------------------------- */

static int group_setup(void **state)
{
	struct err e;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	err_clear(&e);
	if (http_global_init(&e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	if (simworld_up(&world, "nodes") < 0) {
		fprintf(stderr, "cannot start the simulated world\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	simworld_down(&world);
	http_global_cleanup();
	return 0;
}

static void reset_exec_state(void)
{
	simworld_write(&world, "exec/calls", NULL);
	simworld_write(&world, "exec/token", NULL);
	simworld_write(&world, "exec/tokens", NULL);
	simworld_write(&world, "exec/fail", NULL);
	simworld_write(&world, "exec/ttl", NULL);
}

static int setup(void **state)
{
	(void)state;
	L = loop_new();
	if (!L)
		return -1;
	ntouched = 0;
	reset_exec_state();
	return simworld_reset(&world);
}

static int teardown(void **state)
{
	size_t i;
	int rc = 0;

	(void)state;
	loop_free(&L);
	/* Put the world back the way the next test expects it. */
	if (server_stopped) {
		if (simworld_start(&world) < 0)
			rc = -1;
		server_stopped = 0;
	}
	simworld_write(&world, "deny.json", NULL);
	reset_exec_state();
	for (i = 0; i < ntouched; i++)
		if (simworld_set_ready(&world, touched[i], 1) < 0)
			rc = -1;
	ntouched = 0;
	if (simworld_reset(&world) < 0)
		rc = -1;
	return rc;
}

/* ---- 1. paged lists ------------------------------------------------- */

struct seeder {
	struct kube_client *c;
	const char *path;
	int total, next, inflight, created, failed;
	struct err first_err;
};

static void seed_fill(struct seeder *s);

static void on_seeded(struct kube_result *r, void *ud)
{
	struct seeder *s = ud;

	s->inflight--;
	if (r->ok) {
		s->created++;
	} else {
		if (!s->failed)
			s->first_err = r->err;
		s->failed++;
	}
	seed_fill(s);
}

static void seed_fill(struct seeder *s)
{
	char body[256];

	while (s->inflight < SEED_PARALLEL && s->next < s->total) {
		snprintf(body, sizeof(body),
			 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			 "\"metadata\":{\"name\":\"cm-%04d\"},"
			 "\"data\":{\"n\":\"%d\"}}",
			 s->next, s->next);
		s->next++;
		s->inflight++;
		kube_request(s->c, "POST", s->path, NULL, body, on_seeded, s);
	}
}

static int seeding_done(void *ud)
{
	struct seeder *s = ud;

	return s->inflight == 0 && s->next == s->total;
}

static void test_list_follows_continue(void **state)
{
	const char *path = "/api/v1/namespaces/paging/configmaps";
	struct kube_client *c = client_for("sim");
	struct seeder s;
	struct result res;
	const cJSON *items, *it;
	cJSON *log;
	int i = 0;
	char want[32];

	(void)state;
	request_sync(c, "POST", "/api/v1/namespaces", NULL,
		     "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
		     "\"metadata\":{\"name\":\"paging\"}}",
		     &res);
	assert_true(res.ok);
	result_clear(&res);

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.path = path;
	s.total = NPAGED;
	seed_fill(&s);
	if (!run_until(seeding_done, &s, 45000))
		fail_msg("seeding stopped at %d of %d", s.created, NPAGED);
	if (s.failed)
		fail_msg("%d creations failed, first: %s", s.failed,
			 s.first_err.msg);
	assert_int_equal(s.created, NPAGED);
	assert_int_equal(simworld_reset(&world), 0);

	list_sync(c, path, &res);
	if (!res.ok)
		fail_msg("list failed: %s", res.err.msg);
	assert_int_equal(list_len(res.json), NPAGED);
	/* Merged in order, nothing lost or repeated at page boundaries. */
	items = cJSON_GetObjectItemCaseSensitive(res.json, "items");
	cJSON_ArrayForEach(it, items)
	{
		snprintf(want, sizeof(want), "cm-%04d", i++);
		assert_string_equal(meta_str(it, "name"), want);
	}
	assert_non_null(meta_str(res.json, "resourceVersion"));
	assert_null(meta_str(res.json, "continue"));
	result_clear(&res);

	log = simworld_requests(&world);
	assert_non_null(log);
	assert_int_equal(simworld_count_requests(log, "GET", path, NULL), 3);
	assert_int_equal(
		simworld_count_requests(log, "GET", path, "limit=500"), 3);
	assert_int_equal(
		simworld_count_requests(log, "GET", path, "&continue="), 2);
	cJSON_Delete(log);
	kube_client_free(&c);
}

/* ---- 2. watch updates ----------------------------------------------- */

static void test_informer_sees_update(void **state)
{
	struct kube_client *c = client_for("sim");
	struct watcher w;
	const struct informer_stats *st;

	(void)state;
	watcher_start(&w, c, "/api/v1/nodes");
	wait_synced(&w, 7);
	assert_string_equal(ready_of(informer_find(w.inf, NULL, NODE_IN0)),
			    "True");

	set_ready(NODE_IN0, 0);
	wait_node(&w, NODE_IN0, "False");
	/* Another node was not touched by the event. */
	assert_string_equal(ready_of(informer_find(w.inf, NULL, NODE_SY0)),
			    "True");
	set_ready(NODE_IN0, 1);
	wait_node(&w, NODE_IN0, "True");

	st = informer_stats(w.inf);
	assert_int_equal(st->lists, 1);
	assert_true(st->events >= 2);
	assert_int_equal(st->relists_410, 0);
	assert_int_equal(informer_count(w.inf), 7);
	assert_null(informer_error(w.inf));
	informer_stop(&w.inf);
	kube_client_free(&c);
}

/* ---- 3. 410 Gone -> relist ------------------------------------------ */

static void test_informer_relists_after_410(void **state)
{
	struct kube_client *c = client_for("sim");
	struct watcher w;
	const struct informer_stats *st;

	(void)state;
	/* The first watch (twice, in case curl retries a dropped reused
	 * connection by itself) is cut off, so the informer must come back
	 * with the resourceVersion of its list. */
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"GET\","
					"\"path_prefix\":\"/api/v1/nodes\","
					"\"query_contains\":\"watch=1\","
					"\"action\":\"drop\",\"times\":2}"),
			 0);
	watcher_start(&w, c, "/api/v1/nodes");
	w.want_errors = 1;
	if (!run_until(errors_seen, &w, WAIT_MS))
		fail_msg("the dropped watch was not reported");
	assert_true(informer_synced(w.inf));
	assert_true(w.last_retry > 0);

	/* While it waits to reconnect: a change it cannot see, then the
	 * history it would resume from is compacted away. */
	set_ready(NODE_IN1, 0);
	assert_int_equal(simworld_compact(&world), 0);

	wait_node(&w, NODE_IN1, "False");
	st = informer_stats(w.inf);
	assert_true(st->relists_410 >= 1);
	assert_true(st->lists >= 2);
	assert_int_equal(informer_count(w.inf), 7);

	/* And it keeps watching after the relist. */
	set_ready(NODE_IN1, 1);
	wait_node(&w, NODE_IN1, "True");
	assert_null(informer_error(w.inf));
	informer_stop(&w.inf);
	kube_client_free(&c);
}

/* ---- 4. 429 with Retry-After ---------------------------------------- */

static void test_429_waits_retry_after(void **state)
{
	struct kube_client *c = client_for("sim");
	struct result res;
	long long t0;
	cJSON *log;
	const cJSON *first, *second;

	(void)state;
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"GET\","
					"\"path_prefix\":\"/api/v1/nodes\","
					"\"status\":429,\"retry_after\":\"1\","
					"\"times\":1}"),
			 0);
	t0 = loop_now_ms();
	list_sync(c, "/api/v1/nodes", &res);
	if (!res.ok)
		fail_msg("list failed: %s", res.err.msg);
	assert_int_equal(list_len(res.json), 7);
	assert_true(res.at - t0 >= 990);
	result_clear(&res);

	log = simworld_requests(&world);
	assert_int_equal(
		simworld_count_requests(log, "GET", "/api/v1/nodes", NULL), 2);
	first = cJSON_GetArrayItem(log, 0);
	second = cJSON_GetArrayItem(log, 1);
	assert_int_equal(
		cJSON_GetObjectItemCaseSensitive(first, "status")->valueint,
		429);
	assert_int_equal(
		cJSON_GetObjectItemCaseSensitive(second, "status")->valueint,
		200);
	cJSON_Delete(log);
	kube_client_free(&c);
}

/* ---- 5. 5xx: retried for reads, never for writes -------------------- */

static void test_503_retried_for_get_only(void **state)
{
	const char *cms = "/api/v1/namespaces/default/configmaps";
	struct kube_client *c = client_for("sim");
	struct result res;
	cJSON *log;

	(void)state;
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"GET\","
					"\"path_prefix\":\"/api/v1/nodes\","
					"\"status\":503,\"times\":2}"),
			 0);
	list_sync(c, "/api/v1/nodes", &res);
	if (!res.ok)
		fail_msg("list failed: %s", res.err.msg);
	assert_int_equal(list_len(res.json), 7);
	result_clear(&res);
	log = simworld_requests(&world);
	assert_int_equal(
		simworld_count_requests(log, "GET", "/api/v1/nodes", NULL), 3);
	cJSON_Delete(log);

	assert_int_equal(simworld_reset(&world), 0);
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"POST\","
					"\"path_prefix\":\"/api/v1/namespaces/"
					"default/configmaps\","
					"\"status\":503,\"times\":1}"),
			 0);
	request_sync(c, "POST", cms, NULL,
		     "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
		     "\"metadata\":{\"name\":\"once-only\"}}",
		     &res);
	assert_false(res.ok);
	assert_int_equal(res.status, 503);
	assert_string_equal(res.err.msg, "the server is currently unable to "
					 "handle the request (HTTP 503)");
	result_clear(&res);
	log = simworld_requests(&world);
	assert_int_equal(simworld_count_requests(log, "POST", cms, NULL), 1);
	cJSON_Delete(log);
	/* Nothing was created behind the operator's back. */
	request_sync(c, "GET", "/api/v1/namespaces/default/configmaps/"
			       "once-only",
		     NULL, NULL, &res);
	assert_int_equal(res.status, 404);
	result_clear(&res);
	kube_client_free(&c);
}

/* ---- 6. exec credential plugins ------------------------------------- */

static void test_exec_401_reruns_plugin_once(void **state)
{
	struct kube_client *c;
	struct result res;

	(void)state;
	/* The first token the plugin hands out is rejected; the second is
	 * good. */
	assert_int_equal(simworld_write(&world, "exec/tokens",
					"revoked-token\nadmin-token\n"),
			 0);
	c = client_for("sim-exec");
	list_sync(c, "/api/v1/nodes", &res);
	if (!res.ok)
		fail_msg("list failed: %s", res.err.msg);
	assert_int_equal(list_len(res.json), 7);
	result_clear(&res);
	assert_int_equal(simworld_count_lines(&world, "exec/calls"), 2);
	kube_client_free(&c);
}

static void test_exec_401_gives_up_after_one_rerun(void **state)
{
	struct kube_client *c;
	struct result res;

	(void)state;
	assert_int_equal(simworld_write(&world, "exec/token", "bad-token\n"),
			 0);
	c = client_for("sim-exec");
	list_sync(c, "/api/v1/nodes", &res);
	assert_false(res.ok);
	assert_int_equal(res.status, 401);
	assert_int_equal(res.err.code, ERR_AUTH);
	assert_string_equal(res.err.msg,
			    "You must be logged in to the server "
			    "(Unauthorized)");
	result_clear(&res);
	assert_int_equal(simworld_count_lines(&world, "exec/calls"), 2);
	kube_client_free(&c);
}

static void test_exec_plugin_failure_sentence(void **state)
{
	struct kube_client *c;
	struct result res;

	(void)state;
	assert_int_equal(simworld_write(&world, "exec/fail",
					"AADSTS700082: the refresh token has "
					"expired; run az login\n"),
			 0);
	c = client_for("sim-exec");
	list_sync(c, "/api/v1/nodes", &res);
	assert_false(res.ok);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.err.code, ERR_AUTH);
	assert_string_equal(res.err.msg,
			    "exec plugin python3 failed (exit 1): "
			    "AADSTS700082: the refresh token has expired; "
			    "run az login");
	result_clear(&res);
	assert_int_equal(simworld_count_lines(&world, "exec/calls"), 1);
	kube_client_free(&c);
}

/* Found by fuzz_kube: a token with CR/LF in it went into the
 * Authorization header as it was, so a plugin (or whoever writes its
 * output) could add headers of its own. It is refused before any
 * request. */
static void test_exec_token_with_newline_refused(void **state)
{
	struct kube_client *c;
	struct result res;

	(void)state;
	assert_int_equal(simworld_write(&world, "exec/token",
					"admin-token\r\nX-Injected: yes\n"),
			 0);
	c = client_for("sim-exec");
	list_sync(c, "/api/v1/nodes", &res);
	assert_false(res.ok);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.err.code, ERR_AUTH);
	assert_string_equal(res.err.msg,
			    "exec plugin python3 returned a token with a "
			    "line break or another control character; it "
			    "was not used");
	result_clear(&res);
	assert_int_equal(simworld_count_lines(&world, "exec/calls"), 1);
	kube_client_free(&c);
}

static void test_exec_credential_cached(void **state)
{
	struct kube_client *c;
	struct result res;

	(void)state;
	assert_int_equal(simworld_write(&world, "exec/ttl", "3600\n"), 0);
	c = client_for("sim-exec");
	list_sync(c, "/api/v1/nodes", &res);
	assert_true(res.ok);
	result_clear(&res);
	request_sync(c, "GET", "/api/v1/nodes/" NODE_SY0, NULL, NULL, &res);
	assert_true(res.ok);
	assert_string_equal(meta_str(res.json, "name"), NODE_SY0);
	result_clear(&res);
	assert_int_equal(simworld_count_lines(&world, "exec/calls"), 1);
	kube_client_free(&c);
}

/* ---- 7. 403 --------------------------------------------------------- */

#define FORBIDDEN_NODES                                                  \
	"nodes is forbidden: User \"viewer\" cannot list resource "       \
	"\"nodes\" in API group \"\" at the cluster scope"

static void test_403_says_what_is_forbidden(void **state)
{
	struct kube_client *c;
	struct result res;
	struct watcher w;
	cJSON *log;

	(void)state;
	assert_int_equal(simworld_write(&world, "deny.json",
					"[{\"user\":\"viewer\",\"verb\":"
					"\"list\",\"resource\":\"nodes\"}]\n"),
			 0);
	c = client_for("sim-viewer");
	list_sync(c, "/api/v1/nodes", &res);
	assert_false(res.ok);
	assert_int_equal(res.status, 403);
	assert_int_equal(res.err.code, ERR_DENIED);
	assert_string_equal(res.err.msg, FORBIDDEN_NODES);
	result_clear(&res);
	log = simworld_requests(&world);
	assert_int_equal(
		simworld_count_requests(log, "GET", "/api/v1/nodes", NULL), 1);
	cJSON_Delete(log);

	watcher_start(&w, c, "/api/v1/nodes");
	w.want_errors = 1;
	if (!run_until(errors_seen, &w, WAIT_MS))
		fail_msg("the informer reported nothing");
	assert_string_equal(w.last.msg, FORBIDDEN_NODES);
	assert_int_equal(w.last.code, ERR_DENIED);
	assert_true(w.last_retry > 0);
	assert_false(informer_synced(w.inf));
	assert_non_null(informer_error(w.inf));
	assert_string_equal(informer_error(w.inf)->msg, FORBIDDEN_NODES);
	informer_stop(&w.inf);

	/* What is not denied still works for the same user. */
	request_sync(c, "GET", "/api/v1/nodes/" NODE_SY0, NULL, NULL, &res);
	assert_true(res.ok);
	result_clear(&res);
	kube_client_free(&c);
}

/* ---- 8. server restart during a watch ------------------------------- */

static int watch_connected(void *ud)
{
	cJSON *log;
	int n;

	(void)ud;
	log = simworld_requests(&world);
	n = simworld_count_requests(log, "GET", "/api/v1/nodes", "watch=1");
	cJSON_Delete(log);
	return n > 0;
}

static void test_informer_survives_restart(void **state)
{
	struct kube_client *c = client_for("sim");
	struct watcher w;
	char want[128];

	(void)state;
	watcher_start(&w, c, "/api/v1/nodes");
	wait_synced(&w, 7);
	if (!run_until(watch_connected, NULL, WAIT_MS))
		fail_msg("the informer did not start watching");

	assert_int_equal(simworld_stop(&world), 0);
	server_stopped = 1;
	if (!run_until(refused_seen, &w, WAIT_MS))
		fail_msg("no \"connection refused\" while the server was "
			 "down (last: %s)",
			 w.nerrors ? w.last.msg : "none");
	snprintf(want, sizeof(want), "cannot reach %s: connection refused",
		 world.base);
	assert_string_equal(w.refused_msg, want);
	assert_true(w.refused_retry > 0);
	assert_false(w.healthy);
	assert_non_null(informer_error(w.inf));

	assert_int_equal(simworld_start(&world), 0);
	server_stopped = 0;
	set_ready(NODE_OO0, 0);
	wait_node(&w, NODE_OO0, "False");
	assert_int_equal(informer_count(w.inf), 7);
	assert_true(informer_stats(w.inf)->reconnects >= 2);
	informer_stop(&w.inf);
	kube_client_free(&c);
}

/* After a restart the informer is healthy again as soon as the server
 * accepts its watch, not only once something changes: a real apiserver
 * may then send nothing but a bookmark a minute. */
static int w_healthy(void *ud)
{
	struct watcher *w = ud;

	return w->healthy && !informer_error(w->inf);
}

static void test_informer_healthy_without_events(void **state)
{
	struct kube_client *c = client_for("sim");
	struct watcher w;
	long long t0;

	(void)state;
	watcher_start(&w, c, "/api/v1/nodes");
	wait_synced(&w, 7);
	if (!run_until(watch_connected, NULL, WAIT_MS))
		fail_msg("the informer did not start watching");
	assert_int_equal(simworld_stop(&world), 0);
	server_stopped = 1;
	if (!run_until(refused_seen, &w, WAIT_MS))
		fail_msg("no \"connection refused\" while the server was "
			 "down");
	assert_int_equal(simworld_start(&world), 0);
	server_stopped = 0;
	t0 = loop_now_ms();
	/* nothing changes; bookmarks come once a minute */
	if (!run_until(w_healthy, &w, 12000))
		fail_msg("still unhealthy %lld ms after the server came back "
			 "(last error: %s)",
			 loop_now_ms() - t0, w.last.msg);
	informer_stop(&w.inf);
	kube_client_free(&c);
}

/* A watch quiet for longer than the client's idle cut-off (90 s): the
 * watch cache's bookmark, once a minute, keeps it alive, and the change
 * that finally comes is seen at once. */
static void test_quiet_watch_outlives_idle_cutoff(void **state)
{
	struct kube_client *c;
	struct watcher w;
	cJSON *log;
	long long t0;

	(void)state;
	if (getenv("JD_SANITIZED"))
		skip(); /* 95 s: once, without sanitizers, is enough */
	c = client_for("sim");
	watcher_start(&w, c, "/api/v1/nodes");
	wait_synced(&w, 7);
	if (!run_until(watch_connected, NULL, WAIT_MS))
		fail_msg("the informer did not start watching");
	assert_int_equal(simworld_reset(&world), 0);
	t0 = loop_now_ms();
	while (loop_now_ms() - t0 < 95000)
		loop_run_once(L, 1000);
	assert_true(w_healthy(&w));
	log = simworld_requests(&world);
	assert_int_equal(simworld_count_requests(log, "GET", "/api/v1/nodes",
						 NULL),
			 0);
	cJSON_Delete(log);
	set_ready(NODE_SY0, 0);
	t0 = loop_now_ms();
	wait_node(&w, NODE_SY0, "False");
	assert_true(loop_now_ms() - t0 < 3000);
	informer_stop(&w.inf);
	kube_client_free(&c);
}

/* A watch answered 504 "Too large resource version" (the apiserver's
 * storage.NewTooLargeResourceVersionError): the pane says so, the
 * informer retries by itself and is current again. */
static void test_watch_504_recovers(void **state)
{
	struct kube_client *c = client_for("sim");
	struct watcher w;

	(void)state;
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"GET\",\"path_prefix\":"
					"\"/api/v1/nodes\",\"query_contains\":"
					"\"watch=1\",\"status\":504,"
					"\"message\":\"Too large resource "
					"version: 9999, current: 42\","
					"\"retry_after\":\"1\",\"times\":2}"),
			 0);
	watcher_start(&w, c, "/api/v1/nodes");
	wait_synced(&w, 7);
	w.want_errors = 1;
	if (!run_until(errors_seen, &w, WAIT_MS))
		fail_msg("the 504 was not reported");
	if (!strstr(w.last.msg, "Too large resource version"))
		fail_msg("the 504 reads \"%s\"", w.last.msg);
	set_ready(NODE_IN1, 0);
	wait_node(&w, NODE_IN1, "False");
	informer_stop(&w.inf);
	kube_client_free(&c);
}

/* ---- paging against storage ------------------------------------------ */

struct expire_ctx {
	long long t0;
	int done;
};

static int time_passed(void *ud)
{
	struct expire_ctx *x = ud;

	return loop_now_ms() - x->t0 > 600;
}

/* The continue token expires between pages (storage compacted past it):
 * the list starts over once and comes back whole, as kubectl's does. */
static void test_list_restarts_after_expired_continue(void **state)
{
	const char *path = "/api/v1/namespaces/paging/configmaps";
	struct kube_client *c = client_for("sim");
	struct expire_ctx x;
	struct result res;
	cJSON *log;

	(void)state;
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"GET\",\"path_prefix\":"
					"\"/api/v1/namespaces/paging/"
					"configmaps\",\"query_contains\":"
					"\"continue=\",\"action\":\"delay\","
					"\"delay_ms\":1500}"),
			 0);
	memset(&res, 0, sizeof(res));
	kube_list(c, path, on_result, &res);
	x.t0 = loop_now_ms();
	run_until(time_passed, &x, 2000);
	/* while page 2 is on its way: a write, then a compaction */
	assert_int_equal(simworld_http(&world, "POST",
				       "/api/v1/namespaces/default/configmaps",
				       NULL,
				       "{\"metadata\":{\"generateName\":"
				       "\"between-\"}}",
				       NULL),
			 201);
	assert_int_equal(simworld_compact(&world), 0);
	wait_result(&res);
	if (!res.ok)
		fail_msg("list failed: %s", res.err.msg);
	assert_int_equal(list_len(res.json), NPAGED);
	result_clear(&res);
	log = simworld_requests(&world);
	/* 1 + the expired page 2 + a full list of 3 pages */
	assert_int_equal(simworld_count_requests(log, "GET", path, NULL), 5);
	cJSON_Delete(log);
	kube_client_free(&c);
}

/* With a selector, storage reads a page of keys and filters it: pages
 * come back empty with a continue token, and the one match is found on
 * the last page. */
static void test_list_follows_empty_pages(void **state)
{
	const char *path = "/api/v1/namespaces/paging/configmaps";
	struct kube_client *c = client_for("sim");
	struct result res;
	char sel[300];
	cJSON *log;

	(void)state;
	request_sync(c, "PATCH",
		     "/api/v1/namespaces/paging/configmaps/cm-1202",
		     "application/merge-patch+json",
		     "{\"metadata\":{\"labels\":{\"last\":\"yes\"}}}", &res);
	assert_true(res.ok);
	result_clear(&res);
	assert_int_equal(simworld_reset(&world), 0);
	snprintf(sel, sizeof(sel), "%s?labelSelector=last%%3Dyes", path);
	list_sync(c, sel, &res);
	if (!res.ok)
		fail_msg("list failed: %s", res.err.msg);
	assert_int_equal(list_len(res.json), 1);
	assert_string_equal(
		meta_str(cJSON_GetArrayItem(
			     cJSON_GetObjectItemCaseSensitive(res.json,
							      "items"),
			     0),
			 "name"),
		"cm-1202");
	result_clear(&res);
	log = simworld_requests(&world);
	assert_int_equal(simworld_count_requests(log, "GET", path, NULL), 3);
	cJSON_Delete(log);
	kube_client_free(&c);
}

/* A server whose pages never end: the list gives up with a sentence. */
static void test_list_page_cap(void **state)
{
	struct kube_client *c = client_for("sim");
	struct result res;

	(void)state;
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"GET\",\"path_prefix\":"
					"\"/api/v1/namespaces/paging/"
					"configmaps\",\"action\":"
					"\"endless_pages\",\"times\":100000}"),
			 0);
	memset(&res, 0, sizeof(res));
	kube_list(c, "/api/v1/namespaces/paging/configmaps", on_result,
		  &res);
	if (!run_until(result_done, &res, 60000))
		fail_msg("the endless list did not end within 60 s");
	assert_false(res.ok);
	if (!strstr(res.err.msg, "did not end after 1000 pages"))
		fail_msg("the endless list says \"%s\"", res.err.msg);
	result_clear(&res);
	kube_client_free(&c);
}

/* A write throttled by priority and fairness (429, text/plain): not
 * retried blindly, and the sentence says what happened. */
static void test_429_text_plain_on_write(void **state)
{
	struct kube_client *c = client_for("sim");
	struct result res;
	cJSON *log;
	char path[200];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/nodes/%s", NODE_IN1);
	assert_int_equal(simworld_fault(&world,
					"{\"method\":\"PATCH\","
					"\"path_prefix\":\"/api/v1/nodes\","
					"\"status\":429,"
					"\"retry_after\":\"1\"}"),
			 0);
	request_sync(c, "PATCH", path, "application/merge-patch+json",
		     "{\"spec\":{\"unschedulable\":true}}", &res);
	assert_int_equal(res.status, 429);
	assert_string_equal(res.err.msg, "the server is throttling requests "
					 "(HTTP 429 Too Many Requests)");
	result_clear(&res);
	log = simworld_requests(&world);
	assert_int_equal(simworld_count_requests(log, "PATCH", path, NULL), 1);
	cJSON_Delete(log);
	kube_client_free(&c);
}

/* ---- 9. client certificates and TLS --------------------------------- */

static void test_client_certificate(void **state)
{
	struct kube_client *c = client_for("sim-cert");
	struct result res;

	(void)state;
	list_sync(c, "/api/v1/nodes", &res);
	if (!res.ok)
		fail_msg("list failed: %s", res.err.msg);
	assert_int_equal(list_len(res.json), 7);
	result_clear(&res);
	kube_client_free(&c);
}

static void test_rogue_client_certificate(void **state)
{
	struct kube_conn conn;
	struct kube_client *c = NULL;
	struct result res;
	struct err e;
	char path[800];
	size_t len;

	(void)state;
	err_clear(&e);
	assert_int_equal(simworld_conn(&world, NULL, "sim-cert", &conn, &e),
			 0);
	/* Same subject, signed by a CA the cluster does not trust. */
	free(conn.cert);
	free(conn.key);
	simworld_path(&world, "rogue.crt", path, sizeof(path));
	conn.cert = (unsigned char *)simworld_read_file(path, &len);
	conn.cert_len = len;
	simworld_path(&world, "rogue.key", path, sizeof(path));
	conn.key = (unsigned char *)simworld_read_file(path, &len);
	conn.key_len = len;
	assert_non_null(conn.cert);
	assert_non_null(conn.key);
	assert_int_equal(kube_client_new(&c, L, &conn, &e), 0);
	kube_conn_clear(&conn);

	list_sync(c, "/api/v1/nodes", &res);
	assert_false(res.ok);
	assert_int_equal(res.status, 401);
	assert_string_equal(res.err.msg,
			    "You must be logged in to the server "
			    "(Unauthorized)");
	result_clear(&res);
	kube_client_free(&c);
}

static void write_tls_kubeconfig(char *path, size_t sz)
{
	char *text;
	FILE *f;

	snprintf(path, sz, "%s/tls.yaml", world.top);
	text = xasprintf(
		"apiVersion: v1\n"
		"kind: Config\n"
		"clusters:\n"
		"- name: noca\n"
		"  cluster:\n"
		"    server: %s\n"
		"- name: insecure\n"
		"  cluster:\n"
		"    server: %s\n"
		"    insecure-skip-tls-verify: true\n"
		"- name: byname\n"
		"  cluster:\n"
		"    server: %s\n"
		"    certificate-authority: %s\n"
		"    tls-server-name: kubesim.test\n"
		"- name: wrongname\n"
		"  cluster:\n"
		"    server: %s\n"
		"    certificate-authority: %s\n"
		"    tls-server-name: wrong.example\n"
		"users:\n"
		"- name: admin\n"
		"  user:\n"
		"    token: admin-token\n"
		"contexts:\n"
		"- name: noca\n"
		"  context: {cluster: noca, user: admin}\n"
		"- name: insecure\n"
		"  context: {cluster: insecure, user: admin}\n"
		"- name: byname\n"
		"  context: {cluster: byname, user: admin}\n"
		"- name: wrongname\n"
		"  context: {cluster: wrongname, user: admin}\n"
		"current-context: noca\n",
		world.base, world.base, world.base, world.ca, world.base,
		world.ca);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(text);
}

static void tls_list(const char *kubeconfig, const char *context,
		     struct result *res)
{
	struct kube_conn conn;
	struct kube_client *c = NULL;
	struct err e;

	err_clear(&e);
	if (simworld_conn(&world, kubeconfig, context, &conn, &e) < 0)
		fail_msg("context %s: %s", context, e.msg);
	assert_int_equal(kube_client_new(&c, L, &conn, &e), 0);
	kube_conn_clear(&conn);
	list_sync(c, "/api/v1/nodes", res);
	kube_client_free(&c);
}

struct http_got {
	int done;
	long status;
	int attempts;
	struct err err;
};

static void on_http_got(const struct http_response *r, void *ud)
{
	struct http_got *g = ud;

	g->done = 1;
	g->status = r->status;
	g->attempts = r->attempts;
	g->err = r->err;
}

static int http_got_done(void *ud)
{
	return ((struct http_got *)ud)->done;
}

/* An untrusted certificate does not become trusted by trying again: even
 * a request that may be retried is tried once. */
static void test_untrusted_certificate_not_retried(void **state)
{
	struct http_request rq;
	struct http_got g;
	struct err e;
	char url[128];

	(void)state;
	memset(&rq, 0, sizeof(rq));
	memset(&g, 0, sizeof(g));
	err_clear(&e);
	snprintf(url, sizeof(url), "%s/readyz", world.base);
	rq.url = url;
	rq.idempotent = 1;
	rq.timeout_ms = 10000;
	rq.on_done = on_http_got;
	rq.ud = &g;
	assert_non_null(http_start(L, &rq, &e));
	if (!run_until(http_got_done, &g, WAIT_MS))
		fail_msg("no answer within %d ms", WAIT_MS);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.attempts, 1);
	assert_non_null(strstr(g.err.msg, "is not trusted"));
}

static void test_tls_settings(void **state)
{
	char kc[800], want[200];
	struct result res;

	(void)state;
	write_tls_kubeconfig(kc, sizeof(kc));
	snprintf(want, sizeof(want),
		 "cannot reach %s: the server's TLS certificate is not "
		 "trusted",
		 world.base);

	/* No CA: the system store does not know the cluster's CA. */
	tls_list(kc, "noca", &res);
	assert_false(res.ok);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.err.code, ERR_NET);
	if (strncmp(res.err.msg, want, strlen(want)) != 0)
		fail_msg("got \"%s\"", res.err.msg);
	result_clear(&res);

	tls_list(kc, "insecure", &res);
	if (!res.ok)
		fail_msg("insecure-skip-tls-verify: %s", res.err.msg);
	assert_int_equal(list_len(res.json), 7);
	result_clear(&res);

	/* Connect to 127.0.0.1, verify the certificate as kubesim.test. */
	tls_list(kc, "byname", &res);
	if (!res.ok)
		fail_msg("tls-server-name kubesim.test: %s", res.err.msg);
	assert_int_equal(list_len(res.json), 7);
	result_clear(&res);

	/* The same, with a name the certificate does not carry. */
	tls_list(kc, "wrongname", &res);
	assert_false(res.ok);
	if (strncmp(res.err.msg, want, strlen(want)) != 0)
		fail_msg("got \"%s\"", res.err.msg);
	result_clear(&res);
}

/* ---- 10. Status sentences ------------------------------------------- */

static void test_status_sentences(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	kube_status_sentence(
		404,
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
		"\"status\":\"Failure\",\"message\":\"nodes \\\"nope\\\" not "
		"found\",\"reason\":\"NotFound\",\"details\":{\"name\":"
		"\"nope\",\"kind\":\"nodes\"},\"code\":404}",
		"https://k/api/v1/nodes/nope", &e);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_string_equal(e.msg, "nodes \"nope\" not found");

	err_clear(&e);
	kube_status_sentence(
		409,
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
		"\"Failure\",\"message\":\"Operation cannot be fulfilled on "
		"nodes \\\"n1\\\": the object has been modified; please apply "
		"your changes to the latest version and try again\","
		"\"reason\":\"Conflict\",\"code\":409}",
		"https://k/api/v1/nodes/n1", &e);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_string_equal(e.msg,
			    "Operation cannot be fulfilled on nodes \"n1\": "
			    "the object has been modified; please apply "
			    "your changes to the latest version and try "
			    "again");

	err_clear(&e);
	kube_status_sentence(500, "", "https://k/api/v1/nodes", &e);
	assert_int_equal(e.code, ERR_HTTP);
	assert_string_equal(e.msg, "the server failed (HTTP 500)");

	err_clear(&e);
	kube_status_sentence(500, NULL, "https://k/api/v1/nodes", &e);
	assert_string_equal(e.msg, "the server failed (HTTP 500)");

	/* A body that is not a Status (a proxy's HTML page) is not quoted. */
	err_clear(&e);
	kube_status_sentence(502, "<html><body>Bad Gateway</body></html>",
			     "https://k/api/v1/nodes", &e);
	assert_string_equal(e.msg, "the server failed (HTTP 502)");

	err_clear(&e);
	kube_status_sentence(404, "", "https://k/apis/x/v1/ys", &e);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_string_equal(e.msg,
			    "the server could not find the requested "
			    "resource");

	err_clear(&e);
	kube_status_sentence(
		500,
		"{\"kind\":\"Status\",\"message\":\"Internal error occurred: "
		"etcdserver: request timed out\",\"code\":500}",
		"https://k/api/v1/nodes", &e);
	assert_string_equal(e.msg, "Internal error occurred: etcdserver: "
				   "request timed out (HTTP 500)");
}

static void test_status_sentences_from_server(void **state)
{
	const char *cms = "/api/v1/namespaces/default/configmaps";
	const char *cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
			 "\"metadata\":{\"name\":\"twice\"}}";
	struct kube_client *c = client_for("sim");
	struct result res;

	(void)state;
	request_sync(c, "GET", "/api/v1/nodes/nope", NULL, NULL, &res);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.err.code, ERR_NOTFOUND);
	assert_string_equal(res.err.msg, "nodes \"nope\" not found");
	result_clear(&res);

	request_sync(c, "POST", cms, NULL, cm, &res);
	assert_true(res.ok);
	result_clear(&res);
	request_sync(c, "POST", cms, NULL, cm, &res);
	assert_int_equal(res.status, 409);
	assert_int_equal(res.err.code, ERR_CONFLICT);
	assert_string_equal(res.err.msg,
			    "configmaps \"twice\" already exists");
	result_clear(&res);
	request_sync(c, "DELETE", "/api/v1/namespaces/default/configmaps/"
				  "twice",
		     NULL, NULL, &res);
	assert_true(res.ok);
	result_clear(&res);
	kube_client_free(&c);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_list_follows_continue),
		T(test_list_restarts_after_expired_continue),
		T(test_list_follows_empty_pages),
		T(test_list_page_cap),
		T(test_informer_sees_update),
		T(test_informer_relists_after_410),
		T(test_429_waits_retry_after),
		T(test_503_retried_for_get_only),
		T(test_exec_401_reruns_plugin_once),
		T(test_exec_401_gives_up_after_one_rerun),
		T(test_exec_plugin_failure_sentence),
		T(test_exec_token_with_newline_refused),
		T(test_exec_credential_cached),
		T(test_403_says_what_is_forbidden),
		T(test_informer_survives_restart),
		T(test_informer_healthy_without_events),
		T(test_watch_504_recovers),
		T(test_quiet_watch_outlives_idle_cutoff),
		T(test_429_text_plain_on_write),
		T(test_client_certificate),
		T(test_rogue_client_certificate),
		T(test_tls_settings),
		T(test_untrusted_certificate_not_retried),
		T(test_status_sentences),
		T(test_status_sentences_from_server),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
