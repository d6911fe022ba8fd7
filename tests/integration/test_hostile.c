/* test_hostile.c - the Kubernetes client and informer against a server
 * that misbehaves on purpose (tests/sim/hostile.py): a watch line without
 * an end, continue tokens that never end or repeat, watches that end at
 * once. Each test asserts the bound and the sentence the pane shows. Not
 * a fault-injection suite for healthy servers (test_kube.c is). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "backend/http.h"
#include "backend/informer.h"
#include "backend/kube.h"
#include "backend/kubeconfig.h"
#include "backend/loop.h"
#include "backend/xalloc.h"

#define WAIT_MS 30000

struct hostile {
	char dir[512];
	char base[64];
	char ca[600];
	pid_t pid;
};

static struct hostile H;
static struct loop *L;
static struct kube_client *C;

/* ---- the stand-in --------------------------------------------------- */

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int hostile_up(struct hostile *h)
{
	char port_path[600], log[600], buf[32];
	int i, fd;
	FILE *f;

	snprintf(h->dir, sizeof(h->dir), "%s/jd-hostile.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(h->dir))
		return -1;
	snprintf(port_path, sizeof(port_path), "%s/port", h->dir);
	snprintf(log, sizeof(log), "%s/hostile.log", h->dir);
	snprintf(h->ca, sizeof(h->ca), "%s/ca.crt", h->dir);
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (h->pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("python3", "python3", "tests/sim/hostile.py", "--dir",
		       h->dir, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		f = fopen(port_path, "r");
		if (f && fgets(buf, sizeof(buf), f) && buf[0]) {
			fclose(f);
			snprintf(h->base, sizeof(h->base),
				 "https://127.0.0.1:%d",
				 (int)strtol(buf, NULL, 10));
			return 0;
		}
		if (f)
			fclose(f);
		usleep(100000);
	}
	return -1;
}

static void hostile_down(struct hostile *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGTERM);
		waitpid(h->pid, NULL, 0);
		h->pid = 0;
	}
	if (h->dir[0])
		nftw(h->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	h->dir[0] = '\0';
}

struct membuf {
	char *p;
	size_t n;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct membuf *m = ud;
	size_t n = size * nmemb;

	m->p = xrealloc(m->p, m->n + n + 1);
	memcpy(m->p + m->n, ptr, n);
	m->n += n;
	m->p[m->n] = '\0';
	return n;
}

/* A control request, blocking; the answer (caller frees) or NULL. */
static char *control(const char *method, const char *path, const char *body)
{
	CURL *e = curl_easy_init();
	struct membuf m = {NULL, 0};
	char url[700];
	struct curl_slist *hd = NULL;
	CURLcode rc = CURLE_OK;

	snprintf(url, sizeof(url), "%s%s", H.base, path);
	if (body)
		hd = curl_slist_append(hd, "Content-Type: application/json");
/* each option only while the ones before were taken */
#define SETOPT(o, v)                                                          \
	if (rc == CURLE_OK)                                                   \
	rc = curl_easy_setopt(e, o, v)
	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_CAINFO, H.ca);
	SETOPT(CURLOPT_CUSTOMREQUEST, method);
	SETOPT(CURLOPT_TIMEOUT, 10L);
	SETOPT(CURLOPT_WRITEFUNCTION, collect);
	SETOPT(CURLOPT_WRITEDATA, &m);
	if (body) {
		SETOPT(CURLOPT_HTTPHEADER, hd);
		SETOPT(CURLOPT_POSTFIELDS, body);
	}
#undef SETOPT
	if (rc == CURLE_OK)
		rc = curl_easy_perform(e);
	curl_slist_free_all(hd);
	curl_easy_cleanup(e);
	if (rc != CURLE_OK) {
		free(m.p);
		return NULL;
	}
	return m.p ? m.p : xstrdup("");
}

static void hostile_set(const char *json)
{
	char *r = control("POST", "/_sim/config", json);

	assert_non_null(r);
	free(r);
}

/* The logged requests whose query contains q (NULL: all). */
static int requests_matching(const char *q, long long *bytes)
{
	char *r = control("GET", "/_sim/requests", NULL);
	cJSON *j = r ? cJSON_Parse(r) : NULL, *it;
	int n = 0;

	free(r);
	if (bytes)
		*bytes = 0;
	cJSON_ArrayForEach(it, j)
	{
		const cJSON *qq =
		    cJSON_GetObjectItemCaseSensitive(it, "query");
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(it, "bytes");

		if (q && (!cJSON_IsString(qq) || !strstr(qq->valuestring, q)))
			continue;
		n++;
		if (bytes && cJSON_IsNumber(b))
			*bytes += (long long)b->valuedouble;
	}
	cJSON_Delete(j);
	return n;
}

/* ---- the loop ------------------------------------------------------- */

typedef int (*cond_fn)(void *ud);

static int run_until(cond_fn cond, void *ud, long ms)
{
	long long end = loop_now_ms() + ms;

	while (!cond || !cond(ud)) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			return 0;
		loop_run_once(L, left > 200 ? 200 : (long)left);
	}
	return 1;
}

struct result {
	int done;
	int ok;
	long status;
	struct err err;
	cJSON *json;
	unsigned events;
};

static void on_result(struct kube_result *r, void *ud)
{
	struct result *res = ud;

	res->done = 1;
	res->ok = r->ok;
	res->status = r->status;
	res->err = r->err;
	res->json = r->json;
	r->json = NULL;
}

/* Events from the stream (not OPEN, which only says the server answered
 * 200). */
static void on_event(const char *type, cJSON *obj, void *ud)
{
	(void)obj;
	if (strcmp(type, "OPEN") != 0)
		((struct result *)ud)->events++;
}

static int result_done(void *ud)
{
	return ((struct result *)ud)->done;
}

static int setup(void **state)
{
	struct kubeconfig *kc = NULL;
	struct kube_target t;
	struct kube_conn conn;
	struct err e;
	char path[700];

	(void)state;
	err_clear(&e);
	if (hostile_up(&H) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/kubeconfig", H.dir);
	memset(&t, 0, sizeof(t));
	if (kubeconfig_load(&kc, path, &e) < 0 ||
	    kubeconfig_resolve(kc, NULL, &t, &e) < 0) {
		fprintf(stderr, "kubeconfig: %s\n", e.msg);
		kubeconfig_free(&kc);
		return -1;
	}
	kube_conn_from_target(&conn, &t);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	L = loop_new();
	if (kube_client_new(&C, L, &conn, &e) < 0) {
		fprintf(stderr, "client: %s\n", e.msg);
		kube_conn_clear(&conn);
		return -1;
	}
	kube_conn_clear(&conn);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kube_client_free(&C);
	loop_free(&L);
	hostile_down(&H);
	return 0;
}

/* ---- tests ---------------------------------------------------------- */

/* A watch stream that never sends a line end: the line buffer stops at
 * its cap, the watch ends with a sentence, and the client stops reading
 * (the server could send 256 MiB). */
static void test_watch_line_capped(void **state)
{
	struct result res;
	long long bytes = 0;

	(void)state;
	memset(&res, 0, sizeof(res));
	hostile_set("{\"watch\": \"no-newline\"}");
	kube_watch(C, "/api/v1/nodes", "100", 300, on_event, on_result, &res);
	if (!run_until(result_done, &res, WAIT_MS))
		fail_msg("the watch did not end within %d ms", WAIT_MS);
	assert_false(res.ok);
	assert_int_equal(res.events, 0);
	if (!strstr(res.err.msg, "MiB without a line end"))
		fail_msg("sentence: %s", res.err.msg);
	assert_int_equal(requests_matching("watch=1", &bytes), 1);
	/* the cap (8 MiB) plus what was in flight */
	if (bytes > 24ll << 20)
		fail_msg("the server sent %lld bytes before the client "
			 "stopped reading",
			 bytes);
}

struct seen {
	unsigned changes;
	int errors;
	char last[512];
};

static void inf_change(struct informer *inf, void *ud)
{
	(void)inf;
	((struct seen *)ud)->changes++;
}

static void inf_status(struct informer *inf, const struct err *err,
		       long retry_ms, void *ud)
{
	struct seen *s = ud;

	(void)inf;
	(void)retry_ms;
	if (err) {
		s->errors++;
		snprintf(s->last, sizeof(s->last), "%s", err->msg);
	}
}

/* A watch answered 200 with an empty body, over and over: the informer
 * backs off (800 ms doubling) instead of asking again at once, and says
 * so. Before: about 2,000 watches a second, nothing said. */
static void test_empty_watch_backs_off(void **state)
{
	static const struct informer_ops ops = {.on_change = inf_change,
						.on_status = inf_status};
	struct seen s;
	struct informer *inf;
	int watches;

	(void)state;
	memset(&s, 0, sizeof(s));
	hostile_set("{\"watch\": \"empty\"}");
	inf = informer_start(C, "/api/v1/nodes", &ops, &s);
	run_until(NULL, NULL, 5000);
	watches = requests_matching("watch=1", NULL);
	informer_stop(&inf);
	/* 0.4-0.8 s, then 0.8-1.6 s, 1.6-3.2 s ... : at most 6 in 5 s */
	if (watches < 2 || watches > 6)
		fail_msg("%d watches in 5 s", watches);
	assert_true(s.errors >= 1);
	if (!strstr(s.last, "ended the watch at once"))
		fail_msg("sentence: %s", s.last);
}

/* A list whose every page names the same continue token: stopped at the
 * second page with a sentence. Before: pages for ever. */
static void test_list_repeated_token(void **state)
{
	struct result res;
	int pages;

	(void)state;
	memset(&res, 0, sizeof(res));
	hostile_set("{\"list\": \"continue-same\", \"page_bytes\": 100}");
	kube_list(C, "/api/v1/nodes", on_result, &res);
	if (!run_until(result_done, &res, WAIT_MS))
		fail_msg("the list did not end within %d ms", WAIT_MS);
	assert_false(res.ok);
	assert_null(res.json);
	if (!strstr(res.err.msg, "the same continue token"))
		fail_msg("sentence: %s", res.err.msg);
	pages = requests_matching("limit=500", NULL);
	if (pages != 2)
		fail_msg("%d pages asked for", pages);
}

/* A list whose every page names a new continue token: stopped at the
 * page cap with a sentence. Before: about 10 MB/s for ever. */
static void test_list_page_cap(void **state)
{
	struct result res;
	int pages;

	(void)state;
	memset(&res, 0, sizeof(res));
	hostile_set("{\"list\": \"continue-fresh\", \"page_bytes\": 10}");
	kube_list(C, "/api/v1/nodes", on_result, &res);
	if (!run_until(result_done, &res, 120000))
		fail_msg("the list did not end within 120 s");
	assert_false(res.ok);
	if (!strstr(res.err.msg, "pages"))
		fail_msg("sentence: %s", res.err.msg);
	pages = requests_matching("limit=500", NULL);
	if (pages != KUBE_LIST_MAX_PAGES)
		fail_msg("%d pages asked for", pages);
}

/* A path with a "." or ".." segment is refused, whatever built it:
 * libcurl would resolve it and send PATCH /api/v1/ for a node "..". */
static void test_dot_segment_refused(void **state)
{
	static const char *const paths[] = {
	    "/api/v1/nodes/..", "/api/v1/nodes/.", "/api/v1/../nodes",
	    "/api/v1/nodes/../x?fieldSelector=a"};
	struct result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		memset(&res, 0, sizeof(res));
		kube_request(C, "PATCH", paths[i], NULL, "{}", on_result,
			     &res);
		if (!run_until(result_done, &res, WAIT_MS))
			fail_msg("%s: no answer", paths[i]);
		assert_false(res.ok);
		if (!strstr(res.err.msg, "path segment"))
			fail_msg("%s: %s", paths[i], res.err.msg);
	}
	assert_int_equal(requests_matching(NULL, NULL), 0);
	/* dots inside a name and in the query are fine */
	memset(&res, 0, sizeof(res));
	kube_request(C, "GET", "/api/v1/nodes/a..b?x=../y", NULL, NULL,
		     on_result, &res);
	run_until(result_done, &res, WAIT_MS);
	assert_true(res.ok);
	cJSON_Delete(res.json);
}

struct http_done {
	int done;
	long status;
	struct err err;
};

static void on_http(const struct http_response *r, void *ud)
{
	struct http_done *d = ud;

	d->done = 1;
	d->status = r->status;
	d->err = r->err;
}

static int http_finished(void *ud)
{
	return ((struct http_done *)ud)->done;
}

/* A timeout after a retry says how long the person waited since the
 * first attempt, not curl's count for the last one ("after 2003 ms"). */
static void test_timeout_counts_from_the_start(void **state)
{
	struct http_request rq;
	struct http_done d;
	struct err e;
	char url[128], *r;
	const char *p;
	long secs;

	(void)state;
	r = control("POST", "/_sim/faults",
		    "[{\"path_prefix\": \"/slow\", \"action\": \"status\","
		    " \"status\": 429, \"retry_after\": \"3\"},"
		    " {\"path_prefix\": \"/slow\", \"action\": \"delay\","
		    " \"delay_ms\": 10000}]");
	assert_non_null(r);
	free(r);
	memset(&rq, 0, sizeof(rq));
	memset(&d, 0, sizeof(d));
	snprintf(url, sizeof(url), "%s/slow", H.base);
	rq.url = url;
	rq.tls.ca = NULL;
	rq.tls.insecure = 1;
	rq.timeout_ms = 2000;
	rq.idempotent = 1;
	rq.max_error_retries = -1;
	rq.on_done = on_http;
	rq.ud = &d;
	err_clear(&e);
	assert_non_null(http_start(L, &rq, &e));
	if (!run_until(http_finished, &d, WAIT_MS))
		fail_msg("no answer within %d ms", WAIT_MS);
	assert_int_equal(d.status, 0);
	p = strstr(d.err.msg, "timed out (after ");
	if (!p)
		fail_msg("sentence: %s", d.err.msg);
	secs = strtol(p + strlen("timed out (after "), NULL, 10);
	/* 3 s of Retry-After, then the 2 s attempt */
	if (secs < 4 || !strstr(d.err.msg, "2 attempts"))
		fail_msg("sentence: %s", d.err.msg);
}

/* An answer whose Content-Length says 100 MiB (simhttp's huge action:
 * a broken or hostile server, or a proxy's error page gone wrong): it
 * is refused from its headers, not after 64 MiB of it came over the
 * link. Before: the client read the cap's 64 MiB each time. */
static void test_declared_huge_refused_at_once(void **state)
{
	struct http_request rq;
	struct http_done d;
	struct err e;
	char url[128], *r;
	long long bytes = 0;

	(void)state;
	r = control("POST", "/_sim/faults",
		    "{\"path_prefix\": \"/huge\", \"action\": \"huge\"}");
	assert_non_null(r);
	free(r);
	memset(&rq, 0, sizeof(rq));
	memset(&d, 0, sizeof(d));
	snprintf(url, sizeof(url), "%s/huge", H.base);
	rq.url = url;
	rq.tls.insecure = 1;
	rq.timeout_ms = 20000;
	rq.idempotent = 1;
	rq.on_done = on_http;
	rq.ud = &d;
	err_clear(&e);
	assert_non_null(http_start(L, &rq, &e));
	if (!run_until(http_finished, &d, WAIT_MS))
		fail_msg("no answer within %d ms", WAIT_MS);
	assert_int_equal(d.status, 0);
	if (!strstr(d.err.msg, "larger than 64 MiB"))
		fail_msg("sentence: %s", d.err.msg);
	/* one attempt, and what was in flight when the client hung up */
	assert_int_equal(requests_matching(NULL, &bytes), 1);
	if (bytes > 16ll << 20)
		fail_msg("the server sent %lld bytes before the client "
			 "stopped reading",
			 bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_watch_line_capped, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_empty_watch_backs_off, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_list_repeated_token, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_list_page_cap, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dot_segment_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_timeout_counts_from_the_start,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_declared_huge_refused_at_once,
					    setup, teardown),
	};
	struct err e;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	err_clear(&e);
	if (http_global_init(&e) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	http_global_cleanup();
	return rc;
}
