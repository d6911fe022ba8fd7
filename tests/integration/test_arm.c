/* test_arm.c - integration tests of backend/arm against the simulated
 * Azure (tests/sim: registry.py, images.py, azuresim.py): deployment
 * outputs, importImage operations, throttling and Resource Graph paging.
 * Nothing here talks to real Azure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "backend/arm.h"
#include "backend/http.h"
#include "backend/loop.h"
#include "backend/proc.h"
#include "backend/xalloc.h"

#define WAIT_MS 20000 /* the longest any one wait may take */
#define RG "rg-bu0001a0005"
#define BUSYBOX "library/busybox:1.33.0"

static struct {
	char top[512];
	char reg_dir[600];
	char az_dir[600];
	char sim_dir[600];   /* tests/sim */
	char endpoint[256];
	char authority[256];
	char tenant[64];
	char sub[64];
	char registry[64];
	char ca[700];
	char control[256];
	char client_id[128];
	char client_secret[128];
	char *token;
	char upstream_digest[128];
} W;

static struct loop *L;
static struct arm *A;

/* ---- processes and files ------------------------------------------------ */

static int run_py(const char *script, const char *const args[], char **out)
{
	const char *argv[24];
	char path[700];
	size_t n = 0, i;
	char *o = NULL;
	size_t olen = 0;
	int code = -1;
	struct err e;

	snprintf(path, sizeof(path), "%s/%s", W.sim_dir, script);
	argv[n++] = "python3";
	argv[n++] = path;
	for (i = 0; args[i] && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	err_clear(&e);
	if (proc_run_foreground(argv, NULL, &o, &olen, &code, &e) < 0) {
		fprintf(stderr, "test_arm: %s\n", e.msg);
		return -1;
	}
	if (out) {
		while (olen && (o[olen - 1] == '\n' || o[olen - 1] == ' '))
			o[--olen] = '\0';
		*out = o;
	} else {
		free(o);
	}
	return code;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void copy_value(char *dst, size_t sz, const char *v)
{
	snprintf(dst, sz, "%s", v);
}

static int read_env_file(void)
{
	char path[800], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/jumpdeck-azure.env", W.az_dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		char *v;
		size_t n;

		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		v = eq + 1;
		n = strlen(v);
		while (n && (v[n - 1] == '\n' || v[n - 1] == '\r'))
			v[--n] = '\0';
		if (strcmp(line, "JUMPDECK_ARM_ENDPOINT") == 0)
			copy_value(W.endpoint, sizeof(W.endpoint), v);
		else if (strcmp(line, "AZURE_AUTHORITY_HOST") == 0)
			copy_value(W.authority, sizeof(W.authority), v);
		else if (strcmp(line, "AZURE_TENANT_ID") == 0)
			copy_value(W.tenant, sizeof(W.tenant), v);
		else if (strcmp(line, "AZURE_SUBSCRIPTION_ID") == 0)
			copy_value(W.sub, sizeof(W.sub), v);
		else if (strcmp(line, "JUMPDECK_REGISTRY") == 0)
			copy_value(W.registry, sizeof(W.registry), v);
		else if (strcmp(line, "JUMPDECK_CA_BUNDLE") == 0)
			copy_value(W.ca, sizeof(W.ca), v);
		else if (strcmp(line, "JUMPDECK_SIM_CONTROL_URL") == 0)
			copy_value(W.control, sizeof(W.control), v);
		else if (strcmp(line, "JUMPDECK_SIM_CLIENT_ID") == 0)
			copy_value(W.client_id, sizeof(W.client_id), v);
		else if (strcmp(line, "JUMPDECK_SIM_CLIENT_SECRET") == 0)
			copy_value(W.client_secret, sizeof(W.client_secret),
				   v);
	}
	fclose(f);
	return W.endpoint[0] && W.sub[0] && W.ca[0] && W.control[0] &&
		       W.client_id[0] && W.authority[0]
		   ? 0
		   : -1;
}

/* ---- blocking HTTP for the test itself ---------------------------------- */

struct buf {
	char *p;
	size_t len;
};

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb;

	b->p = xrealloc(b->p, b->len + n + 1);
	memcpy(b->p + b->len, ptr, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* One blocking request; returns the status (0 none), body in *out. */
static long blocking_http(const char *method, const char *url,
			  const char *ctype, const char *body, char **out)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	struct buf b = {NULL, 0};
	char ct[128];
	long code = 0;

	if (!h)
		return 0;
	if (body) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		hdrs = curl_slist_append(hdrs, ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CAINFO, W.ca);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (out)
		*out = b.p ? b.p : xstrdup("");
	else
		free(b.p);
	return code;
}

/* A control API call (path after /_sim/); 0 on 200. */
static int ctl(const char *method, const char *path, const char *json,
	       cJSON **out)
{
	char url[512];
	char *body = NULL;
	long st;

	snprintf(url, sizeof(url), "%s/%s", W.control, path);
	st = blocking_http(method, url, "application/json", json, &body);
	if (out)
		*out = cJSON_Parse(body);
	if (st != 200)
		fprintf(stderr, "test_arm: %s /_sim/%s: HTTP %ld %s\n", method,
			path, st, body);
	free(body);
	return st == 200 ? 0 : -1;
}

static char *client_credentials_token(void)
{
	CURL *h = curl_easy_init();
	char *id = curl_easy_escape(h, W.client_id, 0);
	char *secret = curl_easy_escape(h, W.client_secret, 0);
	char *scope = curl_easy_escape(h, "https://management.azure.com/"
					  ".default",
				       0);
	char *form = xasprintf("grant_type=client_credentials&client_id=%s"
			       "&client_secret=%s&scope=%s",
			       id, secret, scope);
	char *url = xasprintf("%s%s/oauth2/v2.0/token", W.authority,
			      W.tenant);
	char *body = NULL, *tok = NULL;
	cJSON *j;
	long st;

	curl_free(id);
	curl_free(secret);
	curl_free(scope);
	curl_easy_cleanup(h);
	st = blocking_http("POST", url, "application/x-www-form-urlencoded",
			   form, &body);
	j = cJSON_Parse(body);
	if (st == 200 &&
	    cJSON_IsString(cJSON_GetObjectItem(j, "access_token")))
		tok = xstrdup(cJSON_GetObjectItem(j, "access_token")
				      ->valuestring);
	else
		fprintf(stderr, "test_arm: token: HTTP %ld\n", st);
	cJSON_Delete(j);
	free(body);
	free(form);
	free(url);
	return tok;
}

/* ---- the request log ---------------------------------------------------- */

static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static int count_requests(const char *method, const char *path_part)
{
	cJSON *log = NULL, *it;
	int n = 0;

	if (ctl("GET", "requests", NULL, &log) < 0)
		return -1;
	cJSON_ArrayForEach(it, log)
	{
		const cJSON *m = cJSON_GetObjectItem(it, "method");
		const cJSON *p = cJSON_GetObjectItem(it, "path");

		if (!cJSON_IsString(m) || !cJSON_IsString(p) ||
		    strcmp(m->valuestring, method) != 0)
			continue;
		if (path_part && !contains_nocase(p->valuestring, path_part))
			continue;
		n++;
	}
	cJSON_Delete(log);
	return n;
}

static void fault(const char *rule)
{
	assert_int_equal(ctl("POST", "faults", rule, NULL), 0);
}

static void config(const char *json)
{
	assert_int_equal(ctl("POST", "config", json, NULL), 0);
}

/* The digest of repo:ref in the acr registry, or NULL (caller frees). */
static char *acr_digest(const char *repo, const char *ref)
{
	const char *args[] = {"digest", "--dir",  W.reg_dir, "--registry",
			      "acr",    "--repo", repo,      "--ref",
			      ref,      NULL};
	char *out = NULL;

	if (run_py("images.py", args, &out) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- waiting on the loop ------------------------------------------------ */

static int run_until(const int *flag, long ms)
{
	long long end = loop_now_ms() + ms;

	while (!*flag) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			return 0;
		loop_run_once(L, left > 200 ? 200 : (long)left);
	}
	return 1;
}

static void run_for(long ms)
{
	long long end = loop_now_ms() + ms;

	for (;;) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			return;
		loop_run_once(L, left > 200 ? 200 : (long)left);
	}
}

/* ---- results ------------------------------------------------------------ */

struct out_res {
	int done, ok;
	long status;
	struct err err;
	char deployment[64];
	cJSON *outputs;
};

static void on_outputs(struct arm_outputs *o, void *ud)
{
	struct out_res *r = ud;

	r->done = 1;
	r->ok = o->ok;
	r->status = o->status;
	r->err = o->err;
	snprintf(r->deployment, sizeof(r->deployment), "%s",
		 o->deployment ? o->deployment : "");
	r->outputs = o->outputs;
	o->outputs = NULL;
}

static void outputs_sync(const char *name, struct out_res *r)
{
	memset(r, 0, sizeof(*r));
	assert_non_null(arm_deployment_outputs(A, W.sub, RG, name,
					       on_outputs, r));
	assert_true(run_until(&r->done, WAIT_MS));
}

struct reg_res {
	int done, ok, same;
	struct err err;
	char deployment[64], quarantine[64], live[64];
};

static void on_registries(const struct arm_registries *x, void *ud)
{
	struct reg_res *r = ud;

	r->done = 1;
	r->ok = x->ok;
	r->err = x->err;
	if (x->ok) {
		snprintf(r->deployment, sizeof(r->deployment), "%s",
			 x->deployment);
		snprintf(r->quarantine, sizeof(r->quarantine), "%s",
			 x->quarantine);
		snprintf(r->live, sizeof(r->live), "%s", x->live);
		r->same = x->same;
	}
}

static void lookup_sync(const char *name, struct reg_res *r)
{
	memset(r, 0, sizeof(*r));
	assert_non_null(
		arm_registry_lookup(A, W.sub, RG, name, on_registries, r));
	assert_true(run_until(&r->done, WAIT_MS));
}

struct imp_res {
	int done, ok, accepted, polls, progress_calls;
	long status, retry_after_s;
	long long elapsed_ms;
	struct err err;
	char op_status[32];
	char progress_status[8][32];
	int stop_after_progress; /* arm_import_stop() in the Nth call */
	int cancel_after_progress; /* arm_call_cancel() in the Nth call */
	struct arm_call *call;
};

static void on_progress(const struct arm_progress *p, void *ud)
{
	struct imp_res *r = ud;

	if (r->progress_calls < 8)
		snprintf(r->progress_status[r->progress_calls], 32, "%s",
			 p->status);
	r->progress_calls++;
	assert_true(p->elapsed_ms >= 0);
	assert_true(p->next_poll_ms > 0);
	if (r->stop_after_progress == r->progress_calls)
		arm_import_stop(r->call);
	if (r->cancel_after_progress == r->progress_calls) {
		arm_call_cancel(r->call);
		r->call = NULL;
	}
}

static void on_import(const struct arm_import_result *x, void *ud)
{
	struct imp_res *r = ud;

	r->done++;
	r->ok = x->ok;
	r->accepted = x->accepted;
	r->polls = x->polls;
	r->status = x->status;
	r->retry_after_s = x->retry_after_s;
	r->elapsed_ms = x->elapsed_ms;
	r->err = x->err;
	snprintf(r->op_status, sizeof(r->op_status), "%s",
		 x->op_status ? x->op_status : "");
	r->call = NULL;
}

static void import_start(const struct arm_import *p, struct imp_res *r)
{
	r->call = arm_import_image(A, W.sub, RG, W.registry, p, on_progress,
				   on_import, r);
	assert_non_null(r->call);
}

static void import_sync(const struct arm_import *p, struct imp_res *r)
{
	import_start(p, r);
	assert_true(run_until(&r->done, WAIT_MS));
}

static char *registry_id(void)
{
	return xasprintf("/subscriptions/%s/resourceGroups/%s/providers/"
			 "Microsoft.ContainerRegistry/registries/%s",
			 W.sub, RG, W.registry);
}

/* Import busybox from "docker.io" into target with Force. */
static void seed_tag(const char *target)
{
	const char *tags[] = {target, NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags,
			       .mode = ARM_IMPORT_FORCE};
	struct imp_res r;

	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_true(r.ok);
}

struct graph_res {
	int done, ok, pages, truncated, throttled;
	long total;
	struct err err;
	cJSON *rows;
};

static void on_graph(struct arm_graph_result *x, void *ud)
{
	struct graph_res *r = ud;

	r->done = 1;
	r->ok = x->ok;
	r->pages = x->pages;
	r->truncated = x->truncated;
	r->throttled = x->throttled;
	r->total = x->total_records;
	r->err = x->err;
	r->rows = x->rows;
	x->rows = NULL;
}

/* ---- fixtures ----------------------------------------------------------- */

static const char *default_deployments =
	"[{\"name\":\"cluster-stamp\",\"outputs\":{"
	"\"aksClusterName\":\"aks-sim2k7yhz4l3p6mq\","
	"\"agwName\":\"apw-aks-sim2k7yhz4l3p6mq\","
	"\"keyVaultName\":\"kv-aks-sim2k7yhz4l3p6mq\","
	"\"containerRegistryName\":\"acrakstest\","
	"\"quarantineContainerRegistryName\":\"acrakstest\"}},"
	"{\"name\":\"pre-cluster-stamp\",\"outputs\":{"
	"\"containerRegistryName\":\"acrakstest\","
	"\"quarantineContainerRegistryName\":\"acrakstest\","
	"\"keyVaultName\":\"kv-aks-sim2k7yhz4l3p6mq\"}}]";

static int group_setup(void **state)
{
	const char *src = getenv("JD_SRCDIR");
	const char *tmp = getenv("TMPDIR");
	const char *reg_up[] = {"up", "--dir", W.reg_dir, NULL};
	const char *seed[] = {"seed-upstream", "--dir", W.reg_dir, NULL};
	const char *az_up[] = {"up",		 "--dir", W.az_dir,
			       "--registry-dir", W.reg_dir, NULL};
	const char *dig[] = {"digest",	  "--dir",
			     W.reg_dir,	  "--registry",
			     "upstream",  "--repo",
			     "docker.io/library/busybox",
			     "--ref",	  "1.33.0",
			     NULL};
	char *out = NULL;
	struct err e;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	err_clear(&e);
	if (http_global_init(&e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	snprintf(W.sim_dir, sizeof(W.sim_dir), "%s/tests/sim",
		 src && *src ? src : ".");
	snprintf(W.top, sizeof(W.top), "%s/jd-arm.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(W.top)) {
		fprintf(stderr, "test_arm: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	snprintf(W.reg_dir, sizeof(W.reg_dir), "%s/R", W.top);
	snprintf(W.az_dir, sizeof(W.az_dir), "%s/A", W.top);
	if (run_py("registry.py", reg_up, NULL) != 0 ||
	    run_py("images.py", seed, NULL) != 0 ||
	    run_py("azuresim.py", az_up, NULL) != 0 || read_env_file() < 0) {
		fprintf(stderr, "test_arm: cannot start the simulators\n");
		return -1;
	}
	if (run_py("images.py", dig, &out) != 0 || !out ||
	    strncmp(out, "sha256:", 7) != 0) {
		free(out);
		return -1;
	}
	copy_value(W.upstream_digest, sizeof(W.upstream_digest), out);
	free(out);
	W.token = client_credentials_token();
	if (!W.token)
		return -1;
	L = loop_new();
	return L ? 0 : -1;
}

static int group_teardown(void **state)
{
	const char *az_down[] = {"down", "--dir", W.az_dir, NULL};
	const char *reg_down[] = {"down", "--dir", W.reg_dir, NULL};

	(void)state;
	if (W.az_dir[0])
		run_py("azuresim.py", az_down, NULL);
	if (W.reg_dir[0])
		run_py("registry.py", reg_down, NULL);
	if (W.top[0])
		nftw(W.top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (W.token) {
		memset(W.token, 0, strlen(W.token));
		free(W.token);
	}
	loop_free(&L);
	http_global_cleanup();
	return 0;
}

static int setup(void **state)
{
	struct err e;

	(void)state;
	if (ctl("DELETE", "faults", NULL, NULL) < 0 ||
	    ctl("DELETE", "requests", NULL, NULL) < 0 ||
	    ctl("DELETE", "deny", NULL, NULL) < 0 ||
	    ctl("DELETE", "deployments", NULL, NULL) < 0 ||
	    ctl("POST", "deployments", default_deployments, NULL) < 0 ||
	    ctl("POST", "config",
		"{\"import_delay_s\":0,\"import_async_header\":false,"
		"\"lro_retry_after\":1,\"arg_quota\":15,\"arg_window_s\":5}",
		NULL) < 0)
		return -1;
	err_clear(&e);
	if (arm_new(&A, L, W.endpoint, &e) < 0 ||
	    arm_set_ca_file(A, W.ca, &e) < 0) {
		fprintf(stderr, "test_arm: %s\n", e.msg);
		return -1;
	}
	arm_set_token(A, W.token);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arm_free(&A);
	/* Let cancelled transfers wind down. */
	run_for(50);
	return 0;
}

/* ---- deployments -------------------------------------------------------- */

static void test_outputs_cluster_stamp(void **state)
{
	struct out_res r;
	const char *type = NULL;
	struct reg_res g;
	struct arm_quota q;

	(void)state;
	outputs_sync("cluster-stamp", &r);
	assert_true(r.ok);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.deployment, "cluster-stamp");
	assert_string_equal(arm_output_string(r.outputs, "aksClusterName"),
			    "aks-sim2k7yhz4l3p6mq");
	assert_non_null(arm_output_value(r.outputs, "containerRegistryName",
					 &type));
	assert_string_equal(type, "String");
	assert_null(arm_output_string(r.outputs, "noSuchOutput"));
	cJSON_Delete(r.outputs);

	arm_quota_get(A, &q);
	assert_true(q.reads >= 0);

	/* The type is compared without case; non-strings are not strings. */
	assert_int_equal(
		ctl("POST", "deployments",
		    "{\"name\":\"typed\",\"outputs\":{"
		    "\"lower\":{\"type\":\"string\",\"value\":\"v\"},"
		    "\"upper\":{\"type\":\"STRING\",\"value\":\"w\"},"
		    "\"count\":{\"type\":\"Int\",\"value\":3}}}",
		    NULL),
		0);
	outputs_sync("typed", &r);
	assert_true(r.ok);
	assert_string_equal(arm_output_string(r.outputs, "lower"), "v");
	assert_string_equal(arm_output_string(r.outputs, "upper"), "w");
	assert_null(arm_output_string(r.outputs, "count"));
	assert_int_equal(arm_output_value(r.outputs, "count", NULL)->valueint,
			 3);
	cJSON_Delete(r.outputs);

	lookup_sync(NULL, &g);
	assert_true(g.ok);
	assert_string_equal(g.deployment, "cluster-stamp");
	assert_string_equal(g.quarantine, "acrakstest");
	assert_string_equal(g.live, "acrakstest");
	assert_true(g.same);
	assert_int_equal(count_requests("GET", "/deployments/"), 3);
}

static void test_lookup_falls_back_when_outputs_missing(void **state)
{
	struct reg_res g;

	(void)state;
	assert_int_equal(
		ctl("POST", "deployments",
		    "[{\"name\":\"cluster-stamp\",\"outputs\":{"
		    "\"aksClusterName\":\"aks-x\",\"agwName\":\"apw-x\"}},"
		    "{\"name\":\"pre-cluster-stamp\",\"outputs\":{"
		    "\"containerRegistryName\":\"acrlive01\","
		    "\"quarantineContainerRegistryName\":\"acrquar01\"}}]",
		    NULL),
		0);
	lookup_sync(NULL, &g);
	assert_true(g.ok);
	assert_string_equal(g.deployment, "pre-cluster-stamp");
	assert_string_equal(g.quarantine, "acrquar01");
	assert_string_equal(g.live, "acrlive01");
	assert_false(g.same);

	/* Asked for one deployment by name: no fallback. */
	lookup_sync("cluster-stamp", &g);
	assert_false(g.ok);
	assert_int_equal(g.err.code, ERR_NOTFOUND);
	assert_string_equal(g.err.msg,
			    "deployment cluster-stamp has no output "
			    "quarantineContainerRegistryName or "
			    "containerRegistryName");
}

static void test_lookup_falls_back_when_stamp_missing(void **state)
{
	struct reg_res g;

	(void)state;
	assert_int_equal(ctl("DELETE", "deployments?name=cluster-stamp", NULL,
			     NULL),
			 0);
	lookup_sync(NULL, &g);
	assert_true(g.ok);
	assert_string_equal(g.deployment, "pre-cluster-stamp");
	assert_string_equal(g.quarantine, "acrakstest");

	/* Only one of the two outputs left. */
	assert_int_equal(ctl("POST", "deployments",
			     "{\"name\":\"pre-cluster-stamp\",\"outputs\":{"
			     "\"containerRegistryName\":\"acrakstest\"}}",
			     NULL),
			 0);
	lookup_sync(NULL, &g);
	assert_false(g.ok);
	assert_int_equal(g.err.code, ERR_NOTFOUND);
	assert_string_equal(g.err.msg,
			    "deployment cluster-stamp not found in resource "
			    "group rg-bu0001a0005; deployment "
			    "pre-cluster-stamp has no output "
			    "quarantineContainerRegistryName");

	assert_int_equal(ctl("DELETE", "deployments", NULL, NULL), 0);
	lookup_sync(NULL, &g);
	assert_false(g.ok);
	assert_string_equal(g.err.msg,
			    "deployment cluster-stamp not found in resource "
			    "group rg-bu0001a0005; deployment "
			    "pre-cluster-stamp not found in resource group "
			    "rg-bu0001a0005");
}

static void test_missing_deployment_sentence(void **state)
{
	struct out_res r;

	(void)state;
	assert_int_equal(ctl("DELETE", "deployments?name=cluster-stamp", NULL,
			     NULL),
			 0);
	outputs_sync("cluster-stamp", &r);
	assert_false(r.ok);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.err.code, ERR_NOTFOUND);
	assert_string_equal(r.err.msg, "deployment cluster-stamp not found "
				       "in resource group rg-bu0001a0005");
	assert_null(r.outputs);
}

static void test_expired_token_sentence(void **state)
{
	cJSON *j = NULL;
	const cJSON *tok;
	struct out_res r;
	struct reg_res g;

	(void)state;
	assert_int_equal(ctl("POST", "token",
			     "{\"ttl\":-600,\"appid\":\"0c6f5e3a-9b8d-4e7f-"
			     "a1c2-d3e4f5a6b7c8\"}",
			     &j),
			 0);
	tok = cJSON_GetObjectItem(j, "access_token");
	assert_true(cJSON_IsString(tok));
	arm_set_token(A, tok->valuestring);
	outputs_sync("cluster-stamp", &r);
	assert_false(r.ok);
	assert_int_equal(r.status, 401);
	assert_int_equal(r.err.code, ERR_AUTH);
	assert_string_equal(r.err.msg,
			    "the Azure access token has expired; sign in "
			    "again");
	/* The lookup stops at once: no fallback after a 401. */
	lookup_sync(NULL, &g);
	assert_false(g.ok);
	assert_int_equal(g.err.code, ERR_AUTH);
	assert_null(strstr(g.err.msg, tok->valuestring));
	assert_int_equal(count_requests("GET", "pre-cluster-stamp"), 0);
	cJSON_Delete(j);

	/* A token that is not one. */
	arm_set_token(A, "not-a-jwt");
	outputs_sync("cluster-stamp", &r);
	assert_int_equal(r.err.code, ERR_AUTH);
	assert_string_equal(r.err.msg,
			    "Azure did not accept the sign-in: The access "
			    "token is invalid. (InvalidAuthenticationToken)");
	assert_null(strstr(r.err.msg, "not-a-jwt"));

	/* No token at all: nothing is sent. */
	assert_int_equal(ctl("DELETE", "requests", NULL, NULL), 0);
	arm_set_token(A, NULL);
	outputs_sync("cluster-stamp", &r);
	assert_int_equal(r.err.code, ERR_AUTH);
	assert_string_equal(r.err.msg, "not signed in to Azure: there is no "
				       "access token for Azure Resource "
				       "Manager");
	assert_int_equal(count_requests("GET", NULL), 0);
}

static void test_forbidden_says_server_message(void **state)
{
	struct out_res r;

	(void)state;
	assert_int_equal(ctl("POST", "deny",
			     "{\"who\":\"*\",\"action_contains\":"
			     "\"deployments/read\"}",
			     NULL),
			 0);
	outputs_sync("cluster-stamp", &r);
	assert_false(r.ok);
	assert_int_equal(r.err.code, ERR_DENIED);
	assert_non_null(strstr(r.err.msg, "does not have authorization to "
					  "perform action 'Microsoft."
					  "Resources/deployments/read'"));
	assert_true(strncmp(r.err.msg, "The client ", 11) == 0);
}

static void test_429_on_get_is_retried(void **state)
{
	struct out_res r;
	long long t0;
	char rule[600];

	(void)state;
	snprintf(rule, sizeof(rule),
		 "{\"method\":\"GET\",\"path_prefix\":\"/subscriptions/%s/"
		 "resourcegroups/" RG "/providers/Microsoft.Resources/"
		 "deployments/cluster-stamp\",\"status\":429,"
		 "\"retry_after\":1}",
		 W.sub);
	fault(rule);
	t0 = loop_now_ms();
	outputs_sync("cluster-stamp", &r);
	assert_true(r.ok);
	assert_true(loop_now_ms() - t0 >= 1000);
	assert_int_equal(count_requests("GET", "/deployments/cluster-stamp"),
			 2);
	cJSON_Delete(r.outputs);
}

/* ---- importImage -------------------------------------------------------- */

static void test_import_from_upstream(void **state)
{
	const char *tags[] = {"quarantine/" BUSYBOX, NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags,
			       .mode = ARM_IMPORT_NO_FORCE};
	struct imp_res r;
	char *d;
	struct arm_quota q;

	(void)state;
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_int_equal(r.done, 1);
	assert_true(r.ok);
	assert_true(r.accepted);
	assert_string_equal(r.op_status, "Succeeded");
	assert_true(r.polls >= 1);
	assert_true(r.progress_calls >= 1);
	assert_string_equal(r.progress_status[0], "Accepted");
	assert_int_equal(count_requests("POST", "/importImage"), 1);
	assert_true(count_requests("GET", "/operationResults/") >= 1);
	arm_quota_get(A, &q);
	assert_true(q.writes >= 0);

	d = acr_digest("quarantine/library/busybox", "1.33.0");
	assert_non_null(d);
	assert_string_equal(d, W.upstream_digest);
	free(d);
}

/* Within the registry ACR may answer 200 at once (the spec allows 200
 * or 202): the import is done, with no status requests. */
static void test_import_quarantine_to_live(void **state)
{
	const char *tags[] = {"live/" BUSYBOX, NULL};
	char *rid = registry_id();
	struct arm_import p = {.resource_id = rid,
			       .source_image = "quarantine/promote/busybox:"
					       "1.33.0",
			       .target_tags = tags,
			       .mode = ARM_IMPORT_FORCE};
	struct imp_res r;
	char *d;

	(void)state;
	seed_tag("quarantine/promote/busybox:1.33.0");
	assert_int_equal(ctl("DELETE", "requests", NULL, NULL), 0);
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_true(r.ok);
	assert_true(r.accepted);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.polls, 0);
	assert_string_equal(r.op_status, "Succeeded");
	assert_int_equal(count_requests("GET", "/operation"), 0);
	d = acr_digest("live/library/busybox", "1.33.0");
	assert_non_null(d);
	assert_string_equal(d, W.upstream_digest);
	free(d);
	free(rid);
}

/* NoForce onto a tag that exists: ACR accepts the import and the
 * operation fails ("Tag … already exists in target registry"). The
 * caller gets a conflict in one sentence; the POST is not sent again and
 * the tag keeps its image. */
static void test_noforce_conflict_not_reposted(void **state)
{
	const char *tags[] = {"quarantine/conflict/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = "library/busybox:1.33.0",
			       .target_tags = tags,
			       .mode = ARM_IMPORT_NO_FORCE};
	struct imp_res r;
	char *before, *after;

	(void)state;
	seed_tag(tags[0]);
	before = acr_digest("quarantine/conflict/busybox", "1.33.0");
	assert_int_equal(ctl("DELETE", "requests", NULL, NULL), 0);
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_true(r.accepted);
	assert_string_equal(r.op_status, "Failed");
	assert_int_equal(r.err.code, ERR_CONFLICT);
	assert_string_equal(r.err.msg,
			    "quarantine/conflict/busybox:1.33.0 already "
			    "exists in the target registry, and the import "
			    "was not forced");
	run_for(1500);
	assert_int_equal(r.done, 1);
	assert_int_equal(count_requests("POST", "/importImage"), 1);
	after = acr_digest("quarantine/conflict/busybox", "1.33.0");
	assert_non_null(before);
	assert_non_null(after);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* The same when the status comes from Azure-AsyncOperation. */
	config("{\"import_async_header\":true}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	config("{\"import_async_header\":false}");
	assert_false(r.ok);
	assert_int_equal(r.err.code, ERR_CONFLICT);
	assert_non_null(strstr(r.err.msg, "already exists in the target "
					  "registry"));
}

static void test_failed_operation(void **state)
{
	const char *tags[] = {"quarantine/failed/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags};
	struct imp_res r;

	(void)state;
	/* Location pattern: the status URL answers the failure. */
	fault("{\"action\":\"lro_fail\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"status\":500,"
	      "\"code\":\"ImportFailed\",\"message\":\"The layer could not "
	      "be copied.\"}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_true(r.accepted);
	assert_int_equal(r.err.code, ERR_HTTP);
	assert_string_equal(r.err.msg,
			    "ImportFailed: The layer could not be copied.");
	assert_int_equal(count_requests("POST", "/importImage"), 1);

	/* Azure-AsyncOperation pattern: the body says Failed. */
	config("{\"import_async_header\":true}");
	fault("{\"action\":\"lro_fail\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"status\":500,"
	      "\"code\":\"ImportFailed\",\"message\":\"The manifest is "
	      "invalid.\"}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_string_equal(r.op_status, "Failed");
	assert_string_equal(r.err.msg,
			    "ImportFailed: The manifest is invalid.");
	assert_true(count_requests("GET", "/operationStatuses/") >= 1);

	/* A source image that does not exist: the operation fails with the
	 * source registry's MANIFEST_UNKNOWN; one sentence naming it. */
	config("{\"import_async_header\":false}");
	p.source_image = "library/nosuchimage:1";
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_true(r.accepted);
	assert_int_equal(r.err.code, ERR_NOTFOUND);
	assert_string_equal(r.err.msg,
			    "docker.io/library/nosuchimage:1 was not found "
			    "in its registry (MANIFEST_UNKNOWN)");
}

static void test_slow_operation_reports_progress(void **state)
{
	const char *tags[] = {"quarantine/slow/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags,
			       .mode = ARM_IMPORT_FORCE};
	struct imp_res r;

	(void)state;
	fault("{\"action\":\"lro_delay\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"delay_s\":3}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_true(r.ok);
	assert_true(r.progress_calls >= 3);
	assert_string_equal(r.progress_status[0], "Accepted");
	assert_string_equal(r.progress_status[1], "InProgress");
	assert_true(r.elapsed_ms >= 3000);
	assert_true(r.polls >= 3);
	assert_int_equal(count_requests("POST", "/importImage"), 1);

	/* The same through Azure-AsyncOperation, without Retry-After
	 * guidance beyond the server's. */
	config("{\"import_async_header\":true}");
	fault("{\"action\":\"lro_delay\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"delay_s\":2}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_true(r.ok);
	assert_string_equal(r.op_status, "Succeeded");
	assert_true(r.progress_calls >= 2);
	assert_true(count_requests("GET", "/operationStatuses/") >= 2);
}

static void test_429_on_import_post_not_retried(void **state)
{
	const char *tags[] = {"quarantine/throttled/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags};
	struct imp_res r;

	(void)state;
	fault("{\"method\":\"POST\",\"path_prefix\":\"/subscriptions/\","
	      "\"status\":429,\"retry_after\":1}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_false(r.accepted);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after_s, 1);
	assert_non_null(strstr(r.err.msg, "SubscriptionRequestsThrottled: "));
	assert_non_null(strstr(r.err.msg, "(the import was not sent again; "
					  "retry after 1 s)"));
	run_for(2000);
	assert_int_equal(r.done, 1);
	assert_int_equal(count_requests("POST", "/importImage"), 1);
}

static void test_5xx_on_import_post_not_retried(void **state)
{
	const char *tags[] = {"quarantine/fivexx/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags};
	struct imp_res r;

	(void)state;
	fault("{\"method\":\"POST\",\"path_prefix\":\"/subscriptions/\","
	      "\"status\":503}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_int_equal(r.status, 503);
	run_for(1500);
	assert_int_equal(count_requests("POST", "/importImage"), 1);
}

/* The 202 is lost: the import runs in Azure and must not be sent again.
 * libcurl itself re-sends a request that died on a reused keep-alive
 * connection, so this needs backend/http to open a fresh connection for
 * requests that are not idempotent. */
static void test_lost_answer_not_resent(void **state)
{
	const char *tags[] = {"quarantine/lost/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags};
	struct out_res o;
	struct imp_res r;

	(void)state;
	/* Leave a kept-alive connection behind, as a real session would. */
	outputs_sync("cluster-stamp", &o);
	assert_true(o.ok);
	cJSON_Delete(o.outputs);
	fault("{\"action\":\"drop_response\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\"}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err.msg, "Azure may or may not have started "
					  "the import, and it was not sent "
					  "again"));
	run_for(1500);
	assert_int_equal(count_requests("POST", "/importImage"), 1);
}

static void test_ceiling_reached(void **state)
{
	const char *tags[] = {"quarantine/ceiling/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags,
			       .mode = ARM_IMPORT_FORCE};
	struct imp_res r;
	char d[32];

	(void)state;
	arm_format_duration(ARM_IMPORT_CEILING_MS, d, sizeof(d));
	assert_string_equal(d, "30m");
	arm_format_duration(5400000, d, sizeof(d));
	assert_string_equal(d, "1h30m");
	arm_format_duration(2500, d, sizeof(d));
	assert_string_equal(d, "2.5s");

	arm_set_import_ceiling_ms(A, 2000);
	fault("{\"action\":\"lro_delay\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"delay_s\":8}");
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_false(r.ok);
	assert_true(r.accepted);
	assert_int_equal(r.err.code, ERR_TIMEOUT);
	assert_string_equal(r.err.msg,
			    "the import did not finish within 2s; it may "
			    "still complete in Azure");
	assert_true(r.elapsed_ms >= 2000 && r.elapsed_ms < 5000);
	assert_int_equal(count_requests("POST", "/importImage"), 1);
}

static void test_cancel_stops_polling(void **state)
{
	const char *tags[] = {"quarantine/cancel/busybox:1.33.0", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = BUSYBOX,
			       .target_tags = tags,
			       .mode = ARM_IMPORT_FORCE};
	struct imp_res r;
	int gets;
	long long t0;

	(void)state;
	fault("{\"action\":\"lro_delay\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"delay_s\":6}");
	memset(&r, 0, sizeof(r));
	r.stop_after_progress = 2; /* after the first status answer */
	import_sync(&p, &r);
	assert_int_equal(r.done, 1);
	assert_false(r.ok);
	assert_true(r.accepted);
	assert_int_equal(r.err.code, ERR_CANCELLED);
	assert_string_equal(r.err.msg,
			    "stopped following the import of "
			    "library/busybox:1.33.0; the operation may go on "
			    "in Azure");
	gets = count_requests("GET", "/operationResults/");
	assert_int_equal(gets, 1);
	run_for(2500);
	assert_int_equal(count_requests("GET", "/operationResults/"), gets);

	/* Stopping from outside a callback, while a timer waits. */
	assert_int_equal(ctl("DELETE", "requests", NULL, NULL), 0);
	fault("{\"action\":\"lro_delay\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"delay_s\":6}");
	memset(&r, 0, sizeof(r));
	import_start(&p, &r);
	t0 = loop_now_ms();
	while (r.progress_calls < 1 && !r.done &&
	       loop_now_ms() - t0 < WAIT_MS)
		loop_run_once(L, 200);
	assert_int_equal(r.progress_calls, 1);
	assert_int_equal(r.done, 0);
	arm_import_stop(r.call);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.err.code, ERR_CANCELLED);
	gets = count_requests("GET", "/operationResults/");
	run_for(2500);
	assert_int_equal(count_requests("GET", "/operationResults/"), gets);

	/* A silent cancel: no callback at all. */
	fault("{\"action\":\"lro_delay\",\"method\":\"POST\","
	      "\"path_prefix\":\"/subscriptions/\",\"delay_s\":6}");
	memset(&r, 0, sizeof(r));
	r.cancel_after_progress = 1;
	import_start(&p, &r);
	run_for(3000);
	assert_int_equal(r.done, 0);
	assert_int_equal(r.progress_calls, 1);
}

static void test_bad_import_parameters(void **state)
{
	const char *tags[] = {"quarantine/x:1", NULL};
	const char *untagged[] = {"quarantine/y", NULL};
	struct arm_import p = {.registry_uri = "docker.io",
			       .source_image = "library/busybox:1.33.0",
			       .username = "u",
			       .password = "p4ss",
			       .target_tags = tags,
			       .untagged_repos = untagged,
			       .mode = ARM_IMPORT_FORCE};
	struct imp_res r;
	struct err e;
	char *body;

	(void)state;
	err_clear(&e);
	body = arm_import_body(&p, &e);
	assert_non_null(body);
	assert_string_equal(body,
			    "{\"source\":{\"registryUri\":\"docker.io\","
			    "\"sourceImage\":\"library/busybox:1.33.0\","
			    "\"credentials\":{\"username\":\"u\","
			    "\"password\":\"p4ss\"}},"
			    "\"targetTags\":[\"quarantine/x:1\"],"
			    "\"untaggedTargetRepositories\":"
			    "[\"quarantine/y\"],\"mode\":\"Force\"}");
	free(body);

	p.resource_id = "/subscriptions/x";
	assert_null(arm_import_body(&p, &e));
	assert_int_equal(e.code, ERR_USAGE);
	memset(&r, 0, sizeof(r));
	import_sync(&p, &r);
	assert_int_equal(r.err.code, ERR_USAGE);
	assert_string_equal(r.err.msg,
			    "an import needs either a source registry or a "
			    "source registry's resource id, not both");
	assert_int_equal(count_requests("POST", NULL), 0);
}

/* ---- Resource Graph ----------------------------------------------------- */

static void test_graph_paging(void **state)
{
	const char *subs[] = {W.sub, NULL};
	struct graph_res r;
	struct arm_quota q;

	(void)state;
	assert_int_equal(ctl("DELETE", "findings", NULL, NULL), 0);
	assert_int_equal(
		ctl("POST", "findings",
		    "{\"repository\":\"live/paging\",\"digest\":\"sha256:"
		    "1111111111111111111111111111111111111111111111111111"
		    "111111111111\",\"generate\":{\"count\":1500,"
		    "\"severity\":\"Low\"}}",
		    NULL),
		0);
	memset(&r, 0, sizeof(r));
	assert_non_null(arm_graph_query(A, subs,
					"securityresources | where type == "
					"'microsoft.security/assessments/"
					"subassessments'",
					on_graph, &r));
	assert_true(run_until(&r.done, WAIT_MS));
	assert_true(r.ok);
	assert_int_equal(r.pages, 2);
	assert_int_equal(r.total, 1500);
	assert_false(r.truncated);
	assert_int_equal(cJSON_GetArraySize(r.rows), 1500);
	assert_true(cJSON_IsObject(cJSON_GetArrayItem(r.rows, 1499)));
	cJSON_Delete(r.rows);
	assert_int_equal(count_requests("POST", "/providers/Microsoft."
						"ResourceGraph/resources"),
			 2);
	arm_quota_get(A, &q);
	assert_true(q.graph_remaining >= 0);
	assert_true(q.graph_resets_s >= 0);

	/* A 429 with Retry-After is waited out. */
	fault("{\"method\":\"POST\",\"path_prefix\":\"/providers/Microsoft."
	      "ResourceGraph\",\"status\":429,\"retry_after\":1}");
	memset(&r, 0, sizeof(r));
	assert_non_null(arm_graph_query(A, subs, "securityresources",
					on_graph, &r));
	assert_true(run_until(&r.done, WAIT_MS));
	assert_true(r.ok);
	assert_int_equal(r.throttled, 1);
	assert_int_equal(cJSON_GetArraySize(r.rows), 1500);
	cJSON_Delete(r.rows);
	assert_int_equal(ctl("DELETE", "findings", NULL, NULL), 0);
}

static void test_graph_waits_for_quota_reset(void **state)
{
	struct graph_res r;
	long long t0;

	(void)state;
	assert_int_equal(ctl("DELETE", "findings", NULL, NULL), 0);
	assert_int_equal(
		ctl("POST", "findings",
		    "{\"repository\":\"live/quota\",\"digest\":\"sha256:"
		    "2222222222222222222222222222222222222222222222222222"
		    "222222222222\",\"generate\":{\"count\":1001}}",
		    NULL),
		0);
	/* One query per two seconds: the second page must wait. */
	config("{\"arg_quota\":1,\"arg_window_s\":2}");
	memset(&r, 0, sizeof(r));
	t0 = loop_now_ms();
	assert_non_null(arm_graph_query(A, NULL, "securityresources",
					on_graph, &r));
	assert_true(run_until(&r.done, WAIT_MS));
	assert_true(r.ok);
	assert_int_equal(r.pages, 2);
	assert_int_equal(cJSON_GetArraySize(r.rows), 1001);
	assert_true(loop_now_ms() - t0 >= 1000);
	cJSON_Delete(r.rows);

	/* No query: refused before anything is sent. */
	assert_int_equal(ctl("DELETE", "requests", NULL, NULL), 0);
	memset(&r, 0, sizeof(r));
	assert_non_null(arm_graph_query(A, NULL, "", on_graph, &r));
	assert_true(run_until(&r.done, WAIT_MS));
	assert_false(r.ok);
	assert_int_equal(r.err.code, ERR_USAGE);
	assert_null(r.rows);
	assert_int_equal(count_requests("POST", NULL), 0);
	assert_int_equal(ctl("DELETE", "findings", NULL, NULL), 0);
}

/* ---- sentences ---------------------------------------------------------- */

static void test_error_sentences(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	arm_error_sentence(409,
			   "{\"error\":{\"code\":\"Conflict\",\"message\":"
			   "\"Tag quarantine/x:1 already exists in target "
			   "registry.\"}}",
			   &e);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_string_equal(e.msg, "Conflict: Tag quarantine/x:1 already "
				   "exists in target registry.");
	arm_error_sentence(400,
			   "{\"error\":{\"code\":\"BadRequest\",\"message\":"
			   "\"Please provide a query.\",\"details\":[{"
			   "\"code\":\"InvalidQuery\",\"message\":\"Query is "
			   "missing.\"}]}}",
			   &e);
	assert_int_equal(e.code, ERR_HTTP);
	assert_string_equal(e.msg, "BadRequest: Please provide a query. "
				   "(InvalidQuery: Query is missing.)");
	arm_error_sentence(403,
			   "{\"error\":{\"code\":\"AuthorizationFailed\","
			   "\"message\":\"The client 'x' may not.\"}}",
			   &e);
	assert_int_equal(e.code, ERR_DENIED);
	assert_string_equal(e.msg, "The client 'x' may not.");
	arm_error_sentence(502, "<html>bad gateway</html>", &e);
	assert_string_equal(e.msg, "Azure Resource Manager answered HTTP 502");
	arm_error_sentence(400,
			   "{\"error\":{\"code\":\"X\",\"message\":"
			   "\"line\\u001b[2Jone\\ntwo\"}}",
			   &e);
	assert_string_equal(e.msg, "X: line [2Jone two");
	arm_error_sentence(401,
			   "{\"error\":{\"code\":\"AuthenticationFailed\","
			   "\"message\":\"Authentication failed. The "
			   "'Authorization' header is missing.\"}}",
			   &e);
	assert_int_equal(e.code, ERR_AUTH);
	assert_string_equal(e.msg, "Azure did not accept the sign-in: "
				   "Authentication failed. The "
				   "'Authorization' header is missing. "
				   "(AuthenticationFailed)");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_outputs_cluster_stamp),
		T(test_lookup_falls_back_when_outputs_missing),
		T(test_lookup_falls_back_when_stamp_missing),
		T(test_missing_deployment_sentence),
		T(test_expired_token_sentence),
		T(test_forbidden_says_server_message),
		T(test_429_on_get_is_retried),
		T(test_import_from_upstream),
		T(test_import_quarantine_to_live),
		T(test_noforce_conflict_not_reposted),
		T(test_failed_operation),
		T(test_slow_operation_reports_progress),
		T(test_429_on_import_post_not_retried),
		T(test_5xx_on_import_post_not_retried),
		T(test_lost_answer_not_resent),
		T(test_ceiling_reached),
		T(test_cancel_stops_polling),
		T(test_bad_import_parameters),
		T(test_graph_paging),
		T(test_graph_waits_for_quota_reset),
		T(test_error_sentences),
	};

	if (getenv("JD_TEST_FILTER"))
		cmocka_set_test_filter(getenv("JD_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
