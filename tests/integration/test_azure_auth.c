/* test_azure_auth.c - integration tests of the Azure credential chain
 * against the simulator (tests/sim/azuresim.py) and tests/integration/
 * fake-az: every source, its failures, the cache and the chain order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backend/azure_auth.h"
#include "backend/http.h"
#include "backend/jwt.h"
#include "backend/loop.h"
#include "backend/xalloc.h"
#include "simworld.h"

#define WAIT_MS	 15000
#define ARM	 AZURE_RESOURCE_ARM
#define ACR_RES	 "https://containerregistry.azure.net"
#define SIM_USER "opsuser01@contoso.example"

static struct loop *L;
static struct simworld W; /* only base and ca are used (control API) */
static char top[512];	  /* our temporary directory */
static char reg_dir[600], az_dir[600], bin_dir[600], az_log[600];
static char tenant[80], client_id[80], client_secret[80];
static char authority[128], imds[128], ca[700];
static char *identities_json; /* the default managed identities */
static char *old_path;

/* ---- the simulators ------------------------------------------------ */

static int run_py(const char *script, const char *cmd, const char *dir,
		  const char *extra1, const char *extra2)
{
	const char *src = getenv("JD_SRCDIR");
	char path[700];
	const char *argv[] = {"python3", path,	 cmd,	 "--dir",
			      dir,	 extra1, extra2, NULL};
	char *out = NULL;
	size_t len = 0;
	int code = -1;
	struct err e;

	snprintf(path, sizeof(path), "%s/tests/sim/%s",
		 src && *src ? src : ".", script);
	err_clear(&e);
	if (proc_run_foreground(argv, NULL, &out, &len, &code, &e) < 0) {
		fprintf(stderr, "%s: %s\n", script, e.msg);
		return -1;
	}
	free(out);
	return code == 0 ? 0 : -1;
}

static int read_env_file(void)
{
	char path[700];
	char *text, *line, *next;

	snprintf(path, sizeof(path), "%s/jumpdeck-azure.env", az_dir);
	text = simworld_read_file(path, NULL);
	if (!text)
		return -1;
	for (line = text; line && *line; line = next) {
		char *eq, *nl = strchr(line, '\n');

		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		eq = strchr(line, '=');
		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		/* For fake-az (simulator URL, CA) and the from_env test. */
		setenv(line, eq + 1, 1);
		if (strcmp(line, "AZURE_TENANT_ID") == 0)
			snprintf(tenant, sizeof(tenant), "%s", eq + 1);
		else if (strcmp(line, "AZURE_AUTHORITY_HOST") == 0)
			snprintf(authority, sizeof(authority), "%s", eq + 1);
		else if (strcmp(line, "JUMPDECK_IMDS_ENDPOINT") == 0)
			snprintf(imds, sizeof(imds), "%s", eq + 1);
		else if (strcmp(line, "JUMPDECK_CA_BUNDLE") == 0)
			snprintf(ca, sizeof(ca), "%s", eq + 1);
		else if (strcmp(line, "JUMPDECK_SIM_CLIENT_ID") == 0)
			snprintf(client_id, sizeof(client_id), "%s", eq + 1);
		else if (strcmp(line, "JUMPDECK_SIM_CLIENT_SECRET") == 0)
			snprintf(client_secret, sizeof(client_secret), "%s",
				 eq + 1);
		else if (strcmp(line, "JUMPDECK_SIM_CONTROL_URL") == 0) {
			char *s = strstr(eq + 1, "/_sim");

			if (s)
				*s = '\0';
			snprintf(W.base, sizeof(W.base), "%s", eq + 1);
		}
	}
	free(text);
	snprintf(W.ca, sizeof(W.ca), "%s", ca);
	return tenant[0] && authority[0] && imds[0] && ca[0] && W.base[0] ? 0
									  : -1;
}

/* bin/az -> tests/integration/fake-az, first on PATH. */
static int install_fake_az(void)
{
	const char *src = getenv("JD_SRCDIR");
	char target[PATH_MAX], rel[700], link[700];
	const char *path = getenv("PATH");
	char *np;

	snprintf(rel, sizeof(rel), "%s/tests/integration/fake-az",
		 src && *src ? src : ".");
	if (!realpath(rel, target))
		return -1;
	snprintf(bin_dir, sizeof(bin_dir), "%s/bin", top);
	if (mkdir(bin_dir, 0700) < 0)
		return -1;
	snprintf(link, sizeof(link), "%s/az", bin_dir);
	if (symlink(target, link) < 0)
		return -1;
	old_path = xstrdup(path ? path : "/usr/bin:/bin");
	np = xasprintf("%s:%s", bin_dir, old_path);
	setenv("PATH", np, 1);
	free(np);
	snprintf(az_log, sizeof(az_log), "%s/az.log", top);
	return 0;
}

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct err e;

	(void)state;
	err_clear(&e);
	if (http_global_init(&e) < 0)
		return -1;
	snprintf(top, sizeof(top), "%s/jd-azauth.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top))
		return -1;
	snprintf(reg_dir, sizeof(reg_dir), "%s/reg", top);
	snprintf(az_dir, sizeof(az_dir), "%s/az", top);
	if (run_py("registry.py", "up", reg_dir, NULL, NULL) < 0 ||
	    run_py("azuresim.py", "up", az_dir, "--registry-dir", reg_dir) <
		0 ||
	    read_env_file() < 0 || install_fake_az() < 0) {
		fprintf(stderr, "test_azure_auth: cannot start simulators\n");
		return -1;
	}
	if (simworld_http(&W, "GET", "/_sim/identities", NULL, NULL,
			  &identities_json) != 200)
		return -1;
	L = loop_new();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	loop_free(&L);
	run_py("azuresim.py", "down", az_dir, NULL, NULL);
	run_py("registry.py", "down", reg_dir, NULL, NULL);
	if (top[0])
		nftw(top, simworld_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(identities_json);
	if (old_path)
		setenv("PATH", old_path, 1);
	free(old_path);
	http_global_cleanup();
	return 0;
}

static int sim_post(const char *path, const char *body)
{
	return simworld_http(&W, "POST", path, NULL, body, NULL) == 200 ? 0
									: -1;
}

/* Before each test: default settings, identities, no faults, an empty
 * request log, fake-az in its normal mode. */
static int test_setup(void **state)
{
	(void)state;
	if (simworld_reset(&W) < 0)
		return -1;
	if (sim_post("/_sim/config",
		     "{\"token_ttl\":3600,\"device_interval\":0.3,"
		     "\"device_expires_in\":900,\"device_message\":true,"
		     "\"imds_no_identity_status\":400}") < 0)
		return -1;
	if (simworld_http(&W, "DELETE", "/_sim/identities", NULL, NULL,
			  NULL) != 200 ||
	    sim_post("/_sim/identities", identities_json) < 0)
		return -1;
	unsetenv("FAKE_AZ_MODE");
	unsetenv("FAKE_AZ_TOKEN_FILE");
	unsetenv("FAKE_AZ_TTL");
	unsetenv("FAKE_AZ_UPN");
	setenv("FAKE_AZ_HANG_S", "20", 1);
	unlink(az_log);
	setenv("FAKE_AZ_LOG", az_log, 1);
	return 0;
}

/* ---- waiting on the loop ------------------------------------------- */

typedef int (*cond_fn)(void *ud);

static int run_until(cond_fn cond, void *ud, long ms)
{
	long long end = loop_now_ms() + ms;

	while (!cond(ud)) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			return 0;
		loop_run_once(L, left > 100 ? 100 : (long)left);
	}
	return 1;
}

static void run_for(long ms)
{
	long long end = loop_now_ms() + ms;

	for (;;) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			break;
		loop_run_once(L, left > 100 ? 100 : (long)left);
	}
}

struct got {
	int done;
	int status;
	char *token;
	time_t expires_at;
	struct err err;
	long long at;
};

static void on_token(const struct azure_token *t, void *ud)
{
	struct got *g = ud;

	g->done++;
	g->status = t->status;
	g->err = t->err;
	g->expires_at = t->expires_at;
	g->at = loop_now_ms();
	free(g->token);
	g->token = t->token ? xstrdup(t->token) : NULL;
}

static int got_done(void *ud)
{
	return ((struct got *)ud)->done > 0;
}

static void got_clear(struct got *g)
{
	free(g->token);
	memset(g, 0, sizeof(*g));
}

/* Gets one token and waits for it. */
static void get_wait(struct azure_auth *a, const char *resource, struct got *g)
{
	got_clear(g);
	azure_auth_get(a, resource, on_token, g);
	assert_true(run_until(got_done, g, WAIT_MS));
	assert_int_equal(g->done, 1);
}

static struct azure_endpoints sim_endpoints(void)
{
	struct azure_endpoints ep;

	memset(&ep, 0, sizeof(ep));
	ep.authority_host = authority;
	ep.imds = imds;
	ep.tenant = tenant;
	ep.ca_bundle = ca;
	ep.cli_timeout_ms = 10000;
	ep.imds_backoff_ms = 50;
	return ep;
}

/* ---- the request log ----------------------------------------------- */

static const char *form_field(const cJSON *it, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "form");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, name);

	v = cJSON_GetArrayItem(v, 0);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Token endpoint POSTs with this grant_type (NULL: any). */
static int count_token_posts(const char *grant)
{
	cJSON *log = simworld_requests(&W);
	const cJSON *it;
	char path[200];
	int n = 0;

	snprintf(path, sizeof(path), "/%s/oauth2/v2.0/token", tenant);
	cJSON_ArrayForEach(it, log)
	{
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
		const char *g = form_field(it, "grant_type");

		if (!cJSON_IsString(p) || strcmp(p->valuestring, path) != 0)
			continue;
		if (grant && (!g || strcmp(g, grant) != 0))
			continue;
		n++;
	}
	cJSON_Delete(log);
	return n;
}

/* IMDS requests answered with status (0: any). */
static int count_imds(long status)
{
	cJSON *log = simworld_requests(&W);
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, log)
	{
		const cJSON *f =
		    cJSON_GetObjectItemCaseSensitive(it, "family");
		const cJSON *s =
		    cJSON_GetObjectItemCaseSensitive(it, "status");

		if (!cJSON_IsString(f) || strcmp(f->valuestring, "imds") != 0)
			continue;
		if (status && (!cJSON_IsNumber(s) || s->valueint != status))
			continue;
		n++;
	}
	cJSON_Delete(log);
	return n;
}

static int count_devicecode_posts(void)
{
	char path[200];
	cJSON *log = simworld_requests(&W);
	int n;

	snprintf(path, sizeof(path), "/%s/oauth2/v2.0/devicecode", tenant);
	n = simworld_count_requests(log, "POST", path, NULL);
	cJSON_Delete(log);
	return n;
}

/* Calls of fake-az so far (one line each in its log). */
static int az_calls(void)
{
	char *s = simworld_read_file(az_log, NULL);
	int n = 0;
	const char *p;

	if (!s)
		return 0;
	for (p = s; *p; p++)
		if (*p == '\n')
			n++;
	free(s);
	return n;
}

/* ---- assertions on tokens ------------------------------------------ */

static void assert_claim(const char *token, const char *name, const char *want)
{
	cJSON *c = NULL;
	struct err e;

	assert_int_equal(jwt_decode_claims(token, &c, &e), 0);
	assert_non_null(jwt_claim_string(c, name));
	assert_string_equal(jwt_claim_string(c, name), want);
	cJSON_Delete(c);
}

/* ---- environment client credentials -------------------------------- */

static void test_env_ok(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};
	char app[120];

	(void)state;
	ep.client_id = client_id;
	ep.client_secret = client_secret;
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	assert_null(azure_auth_source(a));
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_non_null(g.token);
	assert_true(g.expires_at > time(NULL) + 3000);
	assert_claim(g.token, "aud", "https://management.azure.com/");
	assert_string_equal(azure_auth_source(a),
			    "environment (client secret)");
	snprintf(app, sizeof(app), "app %s", client_id);
	assert_string_equal(azure_auth_identity(a), app);
	assert_string_equal(azure_auth_tenant(a), tenant);
	assert_int_equal(count_token_posts("client_credentials"), 1);
	/* The environment wins: managed identity was never asked. */
	assert_int_equal(count_imds(0), 0);
	assert_int_equal(az_calls(), 0);
	{
		cJSON *log = simworld_requests(&W);
		const cJSON *it = cJSON_GetArrayItem(log, 0);

		assert_string_equal(form_field(it, "scope"),
				    "https://management.azure.com//.default");
		assert_string_equal(form_field(it, "client_id"), client_id);
		cJSON_Delete(log);
	}
	got_clear(&g);
	azure_auth_free(&a);
	assert_null(a);
}

static void test_env_wrong_secret(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	ep.client_id = client_id;
	ep.client_secret = "not-the-secret-xyz";
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_AUTH);
	assert_null(g.token);
	assert_non_null(strstr(g.err.msg, "environment (client secret)"));
	assert_non_null(strstr(g.err.msg, "client secret of app"));
	assert_non_null(strstr(g.err.msg, "AADSTS7000215"));
	assert_null(strchr(g.err.msg, '\r'));
	assert_null(strchr(g.err.msg, '\n'));
	/* The secret never shows. */
	assert_null(strstr(g.err.msg, "not-the-secret-xyz"));
	/* A configured source that fails stops the chain. */
	assert_int_equal(count_imds(0), 0);
	assert_null(azure_auth_source(a));
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_env_unknown_app(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	ep.client_id = "00000000-1111-2222-3333-444444444444";
	ep.client_secret = "whatever";
	a = azure_auth_new(L, &ep, AZURE_SRC_ENV);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_AUTH);
	assert_non_null(strstr(g.err.msg, "is not known in tenant"));
	assert_non_null(strstr(g.err.msg, "AADSTS700016"));
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_endpoints_from_env(void **state)
{
	struct azure_endpoints ep;

	(void)state;
	setenv("AZURE_CLIENT_ID", "cid", 1);
	setenv("AZURE_CLIENT_SECRET", "sec", 1);
	setenv("JUMPDECK_AZ_COMMAND", "", 1);
	ep = azure_endpoints_from_env();
	assert_string_equal(ep.authority_host, authority);
	assert_string_equal(ep.tenant, tenant);
	assert_string_equal(ep.imds, imds);
	assert_string_equal(ep.ca_bundle, ca);
	assert_string_equal(ep.client_id, "cid");
	assert_string_equal(ep.client_secret, "sec");
	assert_null(ep.az_command);
	assert_null(ep.device_client_id);
	unsetenv("AZURE_CLIENT_ID");
	unsetenv("AZURE_CLIENT_SECRET");
	unsetenv("JUMPDECK_AZ_COMMAND");
	ep = azure_endpoints_from_env();
	assert_null(ep.client_id);
	assert_null(ep.client_secret);
}

/* ---- managed identity ---------------------------------------------- */

static void test_imds_ok(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};
	cJSON *ids = cJSON_Parse(identities_json);
	const char *mi = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(ids, 0), "client_id"));
	char app[120];

	(void)state;
	assert_non_null(mi);
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_string_equal(azure_auth_source(a), "managed identity");
	snprintf(app, sizeof(app), "app %s", mi);
	assert_string_equal(azure_auth_identity(a), app);
	assert_claim(g.token, "aud", ARM);
	assert_int_equal(count_imds(200), 1);
	/* We always send "Metadata: true": IMDS never refused us. */
	assert_int_equal(count_imds(400), 0);
	{
		cJSON *log = simworld_requests(&W);

		assert_int_equal(
		    simworld_count_requests(
			log, "GET", "/metadata/identity/oauth2/token",
			"api-version=2018-02-01&resource=https%3A%2F%2F"
			"management.azure.com%2F"),
		    1);
		cJSON_Delete(log);
	}
	/* Environment was skipped without a request, the CLI never ran. */
	assert_int_equal(count_token_posts(NULL), 0);
	assert_int_equal(az_calls(), 0);
	cJSON_Delete(ids);
	got_clear(&g);
	azure_auth_free(&a);
}

/* AZURE_CLIENT_ID without a secret picks a user-assigned identity. */
static void test_imds_user_assigned(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};
	const char *uai = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";

	(void)state;
	assert_int_equal(sim_post("/_sim/identities",
				  "{\"client_id\":\"7a6b5c4d-3e2f-4a1b-9c8d-"
				  "7e6f5a4b3c2d\"}"),
			 0);
	ep.client_id = uai;
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_string_equal(azure_auth_source(a), "managed identity");
	assert_string_equal(azure_auth_identity(a),
			    "app 7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d");
	{
		cJSON *log = simworld_requests(&W);

		assert_int_equal(
		    simworld_count_requests(log, "GET",
					    "/metadata/identity/oauth2/token",
					    "client_id=7a6b5c4d-3e2f"),
		    1);
		cJSON_Delete(log);
	}
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_imds_no_identity(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	assert_int_equal(
	    simworld_http(&W, "DELETE", "/_sim/identities", NULL, NULL, NULL),
	    200);
	ep.az_command = "jd-no-such-az";
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS | AZURE_SRC_CLI);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_AUTH);
	assert_string_equal(g.err.msg,
			    "no Azure credentials: managed identity: no "
			    "identity (HTTP 400: Identity not found); Azure "
			    "CLI: az not installed");
	/* No retries for "no identity". */
	assert_int_equal(count_imds(0), 1);
	assert_null(azure_auth_source(a));
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_imds_retry(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	assert_int_equal(simworld_fault(&W,
					"[{\"path_prefix\":\"/metadata/\","
					"\"status\":500,\"times\":2},"
					"{\"path_prefix\":\"/metadata/\","
					"\"status\":410},"
					"{\"path_prefix\":\"/metadata/\","
					"\"status\":429,\"retry_after\":1}]"),
			 0);
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_non_null(g.token);
	assert_int_equal(count_imds(500), 2);
	assert_int_equal(count_imds(410), 1);
	assert_int_equal(count_imds(429), 1);
	assert_int_equal(count_imds(200), 1);
	got_clear(&g);
	azure_auth_free(&a);
}

/* Retries are bounded: then the chain moves on with the reason. */
static void test_imds_retry_bounded(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	assert_int_equal(simworld_fault(&W, "{\"path_prefix\":\"/metadata/\","
					    "\"status\":503,\"times\":50}"),
			 0);
	ep.imds_max_retries = 2;
	ep.az_command = "jd-no-such-az";
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS | AZURE_SRC_CLI);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_AUTH);
	assert_non_null(strstr(g.err.msg, "managed identity: IMDS answered "
					  "HTTP 503 after 3 attempts"));
	assert_non_null(strstr(g.err.msg, "Azure CLI: az not installed"));
	assert_int_equal(count_imds(503), 3);
	got_clear(&g);
	azure_auth_free(&a);
}

/* ---- the Azure CLI -------------------------------------------------- */

static void test_cli_ok(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	assert_int_equal(
	    simworld_http(&W, "DELETE", "/_sim/identities", NULL, NULL, NULL),
	    200);
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_string_equal(azure_auth_source(a), "Azure CLI");
	assert_string_equal(azure_auth_identity(a), SIM_USER);
	assert_claim(g.token, "upn", SIM_USER);
	assert_true(g.expires_at > time(NULL) + 3000);
	assert_int_equal(az_calls(), 1);
	/* Once per token lifetime, never per request. */
	get_wait(a, ARM, &g);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(az_calls(), 1);
	assert_non_null(azure_auth_cached(a, ARM));
	/* The chosen source is used alone: IMDS is not asked again. */
	assert_int_equal(count_imds(0), 1);
	got_clear(&g);
	azure_auth_free(&a);
}

/* Before az 2.54 only expiresOn (local time) was printed. */
static void test_cli_local_expiry(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};
	const char *old_tz = getenv("TZ");
	char *saved = old_tz ? xstrdup(old_tz) : NULL;
	cJSON *c = NULL;
	long long exp = 0;
	struct err e;

	(void)state;
	setenv("TZ", "America/New_York", 1);
	tzset();
	setenv("FAKE_AZ_MODE", "ok-local", 1);
	a = azure_auth_new(L, &ep, AZURE_SRC_CLI);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(jwt_decode_claims(g.token, &c, &e), 0);
	assert_int_equal(jwt_claim_time(c, "exp", &exp), 0);
	assert_int_equal((long long)g.expires_at, exp);
	cJSON_Delete(c);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	got_clear(&g);
	azure_auth_free(&a);
}

static void expect_cli_failure(const char *mode, long timeout_ms, int status,
			       const char *words)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	if (mode)
		setenv("FAKE_AZ_MODE", mode, 1);
	if (timeout_ms)
		ep.cli_timeout_ms = timeout_ms;
	a = azure_auth_new(L, &ep, AZURE_SRC_CLI);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, status);
	assert_null(g.token);
	if (!strstr(g.err.msg, words))
		fail_msg("\"%s\" not in \"%s\"", words, g.err.msg);
	assert_null(azure_auth_source(a));
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_cli_not_logged_in(void **state)
{
	(void)state;
	expect_cli_failure("notloggedin", 0, -ERR_AUTH,
			   "no Azure credentials: Azure CLI: not signed in "
			   "(run az login)");
}

static void test_cli_hang(void **state)
{
	long long t0 = loop_now_ms();

	(void)state;
	expect_cli_failure("hang", 1000, -ERR_TIMEOUT,
			   "Azure CLI: az account get-access-token did not "
			   "answer within 1 s");
	assert_true(loop_now_ms() - t0 < 5000);
}

/* Like the real az, a shell whose child hangs: killing the shell does
 * not close the pipes, the chain still gives up in time. */
static void test_cli_hang_child(void **state)
{
	long long t0 = loop_now_ms();

	(void)state;
	setenv("FAKE_AZ_HANG_S", "8", 1);
	expect_cli_failure("hang-child", 1000, -ERR_TIMEOUT,
			   "Azure CLI: az account get-access-token did not "
			   "answer within 1 s");
	assert_true(loop_now_ms() - t0 < 6000);
	unsetenv("FAKE_AZ_HANG_S");
}

static void test_cli_garbage(void **state)
{
	(void)state;
	expect_cli_failure("garbage", 0, -ERR_PARSE,
			   "Azure CLI: az printed no access token");
}

static void test_cli_fails(void **state)
{
	(void)state;
	expect_cli_failure("fail", 0, -ERR_AUTH,
			   "Azure CLI: az exited with status 1: ERROR: "
			   "AADSTS50076");
}

static void test_cli_not_installed(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	ep.az_command = "jd-no-such-az";
	a = azure_auth_new(L, &ep, AZURE_SRC_CLI);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_AUTH);
	assert_string_equal(g.err.msg,
			    "no Azure credentials: Azure CLI: az not "
			    "installed");
	got_clear(&g);
	azure_auth_free(&a);
}

/* ---- device code ---------------------------------------------------- */

struct ui {
	int shown;
	char user_code[64];
	char uri[300];
	char message[512];
	time_t expires_at;
	int done;
	int done_status;
	char done_msg[512];
	int cancel_in_show;
	struct azure_auth *a;
};

static void ui_show(const struct azure_device_prompt *p, void *ud)
{
	struct ui *u = ud;

	u->shown++;
	snprintf(u->user_code, sizeof(u->user_code), "%s", p->user_code);
	snprintf(u->uri, sizeof(u->uri), "%s", p->verification_uri);
	snprintf(u->message, sizeof(u->message), "%s", p->message);
	u->expires_at = p->expires_at;
}

static void ui_done(int status, const struct err *e, void *ud)
{
	struct ui *u = ud;

	u->done++;
	u->done_status = status;
	snprintf(u->done_msg, sizeof(u->done_msg), "%s", e ? e->msg : "");
}

static int ui_shown(void *ud)
{
	return ((struct ui *)ud)->shown > 0;
}

static int ui_closed(void *ud)
{
	return ((struct ui *)ud)->done > 0;
}

/* A chain with only the device-code source and a dialog. */
static struct azure_auth *device_chain(struct ui *u)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;

	memset(u, 0, sizeof(*u));
	a = azure_auth_new(L, &ep, AZURE_SRC_DEVICE);
	azure_auth_set_device_code_ui(a, ui_show, ui_done, u);
	u->a = a;
	return a;
}

static void sim_device(const char *what, const char *user_code)
{
	char path[100], body[200];

	snprintf(path, sizeof(path), "/_sim/devicecode/%s", what);
	snprintf(body, sizeof(body), "{\"user_code\":\"%s\"}", user_code);
	assert_int_equal(sim_post(path, body), 0);
}

static void test_device_ok(void **state)
{
	struct ui u;
	struct azure_auth *a = device_chain(&u);
	struct got g = {0}, g2 = {0};
	cJSON *log;
	const cJSON *it;

	(void)state;
	azure_auth_get(a, ARM, on_token, &g);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	assert_int_equal(strlen(u.user_code), 9);
	assert_string_equal(u.uri, "https://microsoft.com/devicelogin");
	assert_non_null(strstr(u.message, u.user_code));
	assert_true(u.expires_at > time(NULL) + 800);
	/* Still pending: it keeps polling. */
	run_for(800);
	assert_int_equal(g.done, 0);
	assert_true(count_token_posts(
			"urn:ietf:params:oauth:grant-type:device_code") >= 2);
	sim_device("approve", u.user_code);
	assert_true(run_until(got_done, &g, WAIT_MS));
	assert_int_equal(g.status, 0);
	assert_string_equal(azure_auth_source(a), "device code");
	assert_string_equal(azure_auth_identity(a), SIM_USER);
	assert_string_equal(azure_auth_tenant(a), tenant);
	assert_true(run_until(ui_closed, &u, WAIT_MS));
	assert_int_equal(u.done_status, 0);
	log = simworld_requests(&W);
	it = cJSON_GetArrayItem(log, 0);
	assert_string_equal(form_field(it, "client_id"),
			    "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
	assert_string_equal(form_field(it, "scope"),
			    "https://management.azure.com//.default "
			    "offline_access");
	cJSON_Delete(log);

	/* Another resource: the refresh token, no second dialog. */
	get_wait(a, ACR_RES, &g2);
	assert_int_equal(g2.status, 0);
	assert_claim(g2.token, "aud", ACR_RES);
	assert_int_equal(u.shown, 1);
	assert_int_equal(count_devicecode_posts(), 1);
	assert_int_equal(count_token_posts("refresh_token"), 1);
	got_clear(&g);
	got_clear(&g2);
	azure_auth_free(&a);
}

/* Entra ID may leave "message" out: the dialog then says it in our own
 * words, naming the page and the code. */
static void test_device_no_message(void **state)
{
	struct ui u;
	struct azure_auth *a = device_chain(&u);
	struct got g = {0};
	char want[512];

	(void)state;
	assert_int_equal(
	    sim_post("/_sim/config", "{\"device_message\":false}"), 0);
	azure_auth_get(a, ARM, on_token, &g);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	snprintf(want, sizeof(want),
		 "To sign in, open https://microsoft.com/devicelogin and "
		 "enter the code %s.",
		 u.user_code);
	assert_string_equal(u.message, want);
	sim_device("approve", u.user_code);
	assert_true(run_until(got_done, &g, WAIT_MS));
	assert_int_equal(g.status, 0);
	got_clear(&g);
	azure_auth_free(&a);
}

/* Two resources at once: one dialog, then the second via refresh. */
static void test_device_one_dialog(void **state)
{
	struct ui u;
	struct azure_auth *a = device_chain(&u);
	struct got g = {0}, g2 = {0};

	(void)state;
	azure_auth_get(a, ARM, on_token, &g);
	azure_auth_get(a, ACR_RES, on_token, &g2);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	sim_device("approve", u.user_code);
	assert_true(run_until(got_done, &g, WAIT_MS));
	assert_true(run_until(got_done, &g2, WAIT_MS));
	assert_int_equal(g.status, 0);
	assert_int_equal(g2.status, 0);
	assert_int_equal(u.shown, 1);
	assert_int_equal(count_devicecode_posts(), 1);
	got_clear(&g);
	got_clear(&g2);
	azure_auth_free(&a);
}

static void device_failure(const char *what, int status, const char *words)
{
	struct ui u;
	struct azure_auth *a = device_chain(&u);
	struct got g = {0};

	azure_auth_get(a, ARM, on_token, &g);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	sim_device(what, u.user_code);
	assert_true(run_until(got_done, &g, WAIT_MS));
	assert_int_equal(g.status, status);
	if (!strstr(g.err.msg, words))
		fail_msg("\"%s\" not in \"%s\"", words, g.err.msg);
	assert_true(run_until(ui_closed, &u, WAIT_MS));
	assert_int_equal(u.done_status, status);
	assert_non_null(strstr(u.done_msg, words));
	assert_null(azure_auth_source(a));
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_device_declined(void **state)
{
	(void)state;
	device_failure("decline", -ERR_DENIED,
		       "device code: the sign-in was declined");
}

static void test_device_expired(void **state)
{
	(void)state;
	device_failure("expire", -ERR_TIMEOUT,
		       "device code: the sign-in code expired before it was "
		       "used");
}

/* The service no longer knows the device code (Entra answers
 * bad_verification_code): the sign-in ends at once with Entra's sentence,
 * instead of polling until the code would have expired. */
static void test_device_unknown_code(void **state)
{
	struct ui u;
	struct azure_auth *a = device_chain(&u);
	struct got g = {0};
	long long t0;

	(void)state;
	azure_auth_get(a, ARM, on_token, &g);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	t0 = loop_now_ms();
	sim_device("forget", u.user_code);
	assert_true(run_until(got_done, &g, WAIT_MS));
	assert_true(loop_now_ms() - t0 < 15000);
	assert_int_equal(g.status, -ERR_AUTH);
	if (!strstr(g.err.msg, "device_code"))
		fail_msg("\"device_code\" not in \"%s\"", g.err.msg);
	assert_true(run_until(ui_closed, &u, WAIT_MS));
	assert_int_equal(u.done_status, -ERR_AUTH);
	assert_null(azure_auth_source(a));
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_device_cancel(void **state)
{
	struct ui u;
	struct azure_auth *a = device_chain(&u);
	struct got g = {0};
	int polls;

	(void)state;
	azure_auth_get(a, ARM, on_token, &g);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	azure_auth_cancel_device_code(a);
	assert_true(run_until(got_done, &g, WAIT_MS));
	assert_int_equal(g.status, -ERR_CANCELLED);
	assert_non_null(strstr(g.err.msg, "sign-in cancelled"));
	assert_true(run_until(ui_closed, &u, WAIT_MS));
	assert_int_equal(u.done_status, -ERR_CANCELLED);
	/* Polling stopped. */
	polls = count_token_posts(NULL);
	run_for(1000);
	assert_int_equal(count_token_posts(NULL), polls);
	assert_int_equal(g.done, 1);
	got_clear(&g);
	azure_auth_free(&a);
}

/* The caller that waited goes away: the dialog closes too. */
static void test_device_caller_cancels(void **state)
{
	struct ui u;
	struct azure_auth *a = device_chain(&u);
	struct got g = {0};
	struct azure_token_call *c;

	(void)state;
	c = azure_auth_get(a, ARM, on_token, &g);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	azure_auth_cancel(c);
	assert_true(run_until(ui_closed, &u, WAIT_MS));
	assert_int_equal(u.done_status, -ERR_CANCELLED);
	run_for(500);
	assert_int_equal(g.done, 0);
	azure_auth_free(&a);
}

static void test_device_not_allowed(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	a = azure_auth_new(L, &ep, AZURE_SRC_DEVICE);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_AUTH);
	assert_string_equal(g.err.msg, "no Azure credentials: device code: "
				       "not allowed here");
	assert_int_equal(count_devicecode_posts(), 0);
	got_clear(&g);
	azure_auth_free(&a);
}

/* ---- the chain ------------------------------------------------------ */

static void test_all_sources_fail(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	assert_int_equal(
	    simworld_http(&W, "DELETE", "/_sim/identities", NULL, NULL, NULL),
	    200);
	setenv("FAKE_AZ_MODE", "notloggedin", 1);
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_AUTH);
	assert_string_equal(g.err.msg,
			    "no Azure credentials: environment: "
			    "AZURE_CLIENT_SECRET not set; managed identity: "
			    "no identity (HTTP 400: Identity not found); "
			    "Azure CLI: not signed in (run az login); device "
			    "code: not allowed here");
	got_clear(&g);
	azure_auth_free(&a);
}

/* IMDS before the CLI, the CLI before device code. */
static void test_chain_order(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct ui u;
	struct got g = {0};

	(void)state;
	memset(&u, 0, sizeof(u));
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	azure_auth_set_device_code_ui(a, ui_show, ui_done, &u);
	get_wait(a, ARM, &g);
	assert_string_equal(azure_auth_source(a), "managed identity");
	assert_int_equal(az_calls(), 0);
	azure_auth_free(&a);

	assert_int_equal(
	    simworld_http(&W, "DELETE", "/_sim/identities", NULL, NULL, NULL),
	    200);
	a = azure_auth_new(L, &ep, AZURE_SRC_ALL);
	azure_auth_set_device_code_ui(a, ui_show, ui_done, &u);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_string_equal(azure_auth_source(a), "Azure CLI");
	assert_int_equal(u.shown, 0);
	assert_int_equal(count_devicecode_posts(), 0);
	azure_auth_free(&a);

	/* Sources left out of the mask are not tried. */
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS | AZURE_SRC_DEVICE);
	azure_auth_set_device_code_ui(a, ui_show, ui_done, &u);
	azure_auth_get(a, ARM, on_token, &g);
	assert_true(run_until(ui_shown, &u, WAIT_MS));
	assert_int_equal(az_calls(), 1);
	azure_auth_free(&a);
	/* Freed with a dialog open: no callback afterwards. */
	run_for(300);
	assert_int_equal(u.done, 0);
	got_clear(&g);
}

/* ---- the cache ------------------------------------------------------ */

static void test_cache_shared_fetch(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g1 = {0}, g2 = {0}, g3 = {0};

	(void)state;
	ep.client_id = client_id;
	ep.client_secret = client_secret;
	a = azure_auth_new(L, &ep, AZURE_SRC_ENV);
	assert_null(azure_auth_cached(a, ARM));
	azure_auth_get(a, ARM, on_token, &g1);
	azure_auth_get(a, ARM, on_token, &g2);
	/* Never called back from inside azure_auth_get(). */
	assert_int_equal(g1.done + g2.done, 0);
	assert_true(run_until(got_done, &g1, WAIT_MS));
	assert_true(run_until(got_done, &g2, WAIT_MS));
	assert_string_equal(g1.token, g2.token);
	assert_int_equal(count_token_posts(NULL), 1);
	get_wait(a, ARM, &g3);
	assert_string_equal(g3.token, g1.token);
	assert_int_equal(count_token_posts(NULL), 1);
	assert_string_equal(azure_auth_cached(a, ARM), g1.token);
	/* Another resource is another token. */
	get_wait(a, ACR_RES, &g3);
	assert_int_equal(count_token_posts(NULL), 2);
	assert_claim(g3.token, "aud", ACR_RES);
	/* Forgetting signs out. */
	azure_auth_forget(a);
	assert_null(azure_auth_cached(a, ARM));
	assert_null(azure_auth_source(a));
	assert_null(azure_auth_identity(a));
	get_wait(a, ARM, &g3);
	assert_int_equal(count_token_posts(NULL), 3);
	got_clear(&g1);
	got_clear(&g2);
	got_clear(&g3);
	azure_auth_free(&a);
}

static void test_refresh_before_expiry(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g1 = {0}, g2 = {0};

	(void)state;
	assert_int_equal(sim_post("/_sim/config", "{\"token_ttl\":4}"), 0);
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS);
	get_wait(a, ARM, &g1);
	get_wait(a, ARM, &g2);
	/* Fresh for a while... */
	assert_int_equal(count_imds(200), 1);
	assert_string_equal(g1.token, g2.token);
	/* ...and refetched before it runs out (the margin is at most half
	 * its lifetime). */
	run_for(2300);
	assert_null(azure_auth_cached(a, ARM));
	get_wait(a, ARM, &g2);
	assert_int_equal(g2.status, 0);
	assert_int_equal(count_imds(200), 2);
	assert_string_not_equal(g1.token, g2.token);
	got_clear(&g1);
	got_clear(&g2);
	azure_auth_free(&a);
}

/* The CLI is asked again only when its token is near expiry. */
static void test_cli_refresh(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	setenv("FAKE_AZ_TTL", "4", 1);
	a = azure_auth_new(L, &ep, AZURE_SRC_CLI);
	get_wait(a, ARM, &g);
	get_wait(a, ARM, &g);
	assert_int_equal(az_calls(), 1);
	run_for(2300);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(az_calls(), 2);
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_cancel_call(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g1 = {0}, g2 = {0};
	struct azure_token_call *c;

	(void)state;
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS);
	c = azure_auth_get(a, ARM, on_token, &g1);
	azure_auth_get(a, ARM, on_token, &g2);
	azure_auth_cancel(c);
	assert_true(run_until(got_done, &g2, WAIT_MS));
	run_for(200);
	assert_int_equal(g1.done, 0);
	assert_int_equal(g2.status, 0);
	got_clear(&g2);
	azure_auth_free(&a);
}

/* Freed with a fetch in flight: nothing is called, nothing leaks. */
static void test_free_in_flight(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	setenv("FAKE_AZ_MODE", "hang", 1);
	a = azure_auth_new(L, &ep, AZURE_SRC_CLI);
	azure_auth_get(a, ARM, on_token, &g);
	run_for(200);
	azure_auth_free(&a);
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS);
	azure_auth_get(a, ARM, on_token, &g);
	azure_auth_free(&a);
	run_for(300);
	assert_int_equal(g.done, 0);
}

/* A callback may free the chain. */
static void free_in_callback(const struct azure_token *t, void *ud)
{
	struct azure_auth **pa = ud;

	(void)t;
	azure_auth_free(pa);
}

static void test_free_in_callback(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	a = azure_auth_new(L, &ep, AZURE_SRC_IMDS);
	azure_auth_get(a, ARM, free_in_callback, &a);
	azure_auth_get(a, ARM, on_token, &g);
	run_for(1000);
	assert_null(a);
	assert_int_equal(g.done, 0);
}

static void test_bad_ca_bundle(void **state)
{
	struct azure_endpoints ep = sim_endpoints();
	struct azure_auth *a;
	struct got g = {0};

	(void)state;
	ep.client_id = client_id;
	ep.client_secret = client_secret;
	ep.ca_bundle = "/nonexistent/ca.pem";
	a = azure_auth_new(L, &ep, AZURE_SRC_ENV);
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_IO);
	assert_non_null(strstr(g.err.msg, "cannot read the CA bundle "
					  "/nonexistent/ca.pem"));
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_no_sources(void **state)
{
	struct azure_auth *a = azure_auth_new(L, NULL, 0);
	struct got g = {0};

	(void)state;
	get_wait(a, ARM, &g);
	assert_int_equal(g.status, -ERR_USAGE);
	assert_string_equal(g.err.msg, "Azure sign-in failed: no credential "
				       "source is enabled");
	got_clear(&g);
	azure_auth_free(&a);
}

static void test_scope_for(void **state)
{
	char *s;

	(void)state;
	s = azure_scope_for("https://management.azure.com/");
	assert_string_equal(s, "https://management.azure.com//.default");
	free(s);
	s = azure_scope_for("https://containerregistry.azure.net");
	assert_string_equal(s, "https://containerregistry.azure.net/.default");
	free(s);
	s = azure_scope_for("api://x/.default");
	assert_string_equal(s, "api://x/.default");
	free(s);
}

#define T(f) cmocka_unit_test_setup(f, test_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_env_ok),
	    T(test_env_wrong_secret),
	    T(test_env_unknown_app),
	    T(test_endpoints_from_env),
	    T(test_imds_ok),
	    T(test_imds_user_assigned),
	    T(test_imds_no_identity),
	    T(test_imds_retry),
	    T(test_imds_retry_bounded),
	    T(test_cli_ok),
	    T(test_cli_local_expiry),
	    T(test_cli_not_logged_in),
	    T(test_cli_hang),
	    T(test_cli_hang_child),
	    T(test_cli_garbage),
	    T(test_cli_fails),
	    T(test_cli_not_installed),
	    T(test_device_ok),
	    T(test_device_no_message),
	    T(test_device_one_dialog),
	    T(test_device_declined),
	    T(test_device_expired),
	    T(test_device_unknown_code),
	    T(test_device_cancel),
	    T(test_device_caller_cancels),
	    T(test_device_not_allowed),
	    T(test_all_sources_fail),
	    T(test_chain_order),
	    T(test_cache_shared_fetch),
	    T(test_refresh_before_expiry),
	    T(test_cli_refresh),
	    T(test_cancel_call),
	    T(test_free_in_flight),
	    T(test_free_in_callback),
	    T(test_bad_ca_bundle),
	    T(test_no_sources),
	    T(test_scope_for),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
