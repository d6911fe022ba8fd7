/* test_registry.c - integration tests of backend/registry against two real
 * docker-registry instances and the ACR token service of tests/sim. Each
 * test drives the real event loop; nothing leaves this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tests/integration/simworld.h"

#include "backend/challenge.h"
#include "backend/http.h"
#include "backend/loop.h"
#include "backend/registry.h"

#define WAIT_MS 60000 /* the longest any one call may take */

#define BUSYBOX "docker.io/library/busybox"
#define KURED "docker.io/weaveworks/kured"
#define PAGING_REPO "quarantine/paging/app"
#define NPAGING 5

struct azworld {
	char top[512];
	char regdir[600];
	char azdir[600];
	char src[512];
	char acr_url[256];
	char upstream_url[256];
	char auth_url[64];
	char realm[300];
	char service[128];
	char tenant[64];
	char client_id[128];
	char client_secret[128];
	char ca_path[700];
	char *ca;
	size_t ca_len;
	cJSON *seed; /* images.py seed-upstream's answer */
	char *aad;   /* an Entra token for the exchange */
	struct simworld sim; /* only base and ca: the /_sim control API */
	/* The same for the registry proxies (tests/sim/regproxy.py): in
	 * front of acr, in front of upstream, and upstream's token service
	 * (Docker Hub's auth.docker.io). */
	struct simworld acr_proxy, up_proxy, up_auth;
};

static struct azworld W;
static struct loop *L;

/* ---- the world ------------------------------------------------------- */

/* Runs argv; all of its stdout into *out (may be NULL; caller frees). */
static int run(const char *const argv[], char **out)
{
	char *text = NULL;
	size_t len = 0;
	int code = -1;
	struct err e;

	err_clear(&e);
	if (proc_run_foreground(argv, NULL, &text, &len, &code, &e) < 0) {
		fprintf(stderr, "azworld: %s\n", e.msg);
		return -1;
	}
	if (out)
		*out = text;
	else
		free(text);
	if (code != 0)
		fprintf(stderr, "azworld: %s %s %s exited %d\n", argv[0],
			argv[1], argv[2], code);
	return code == 0 ? 0 : -1;
}

static int sim_py(const char *script, const char *cmd, const char *dir,
		  const char *const extra[], char **out)
{
	char path[700];
	const char *argv[24];
	size_t n = 0, i;

	snprintf(path, sizeof(path), "%s/tests/sim/%s", W.src, script);
	argv[n++] = "python3";
	argv[n++] = path;
	argv[n++] = cmd;
	argv[n++] = "--dir";
	argv[n++] = dir;
	for (i = 0; extra && extra[i] && n < 23; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	return run(argv, out);
}

static int read_line(const char *dir, const char *leaf, char *buf,
		     size_t sz)
{
	char path[800];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	s = simworld_read_file(path, NULL);
	if (!s)
		return -1;
	s[strcspn(s, "\r\n")] = '\0';
	snprintf(buf, sz, "%s", s);
	free(s);
	return 0;
}

/* KEY=value from the env file the Azure simulator writes. */
static int env_value(const char *env, const char *key, char *buf, size_t sz)
{
	size_t klen = strlen(key);
	const char *p = env;

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			snprintf(buf, sz, "%.*s", (int)(n - klen - 1),
				 p + klen + 1);
			return 0;
		}
		p += n;
		if (*p)
			p++;
	}
	fprintf(stderr, "azworld: %s missing from jumpdeck-azure.env\n", key);
	return -1;
}

/* An Entra token by client credentials, as a pipeline would get one. */
static char *entra_token(void)
{
	char path[200], body[600], *out = NULL, *tok = NULL;
	cJSON *j;
	long st;

	snprintf(path, sizeof(path), "/%s/oauth2/v2.0/token", W.tenant);
	snprintf(body, sizeof(body),
		 "grant_type=client_credentials&client_id=%s&client_secret=%s"
		 "&scope=https%%3A%%2F%%2Fmanagement.azure.com%%2F.default",
		 W.client_id, W.client_secret);
	st = simworld_http(&W.sim, "POST", path,
			   "application/x-www-form-urlencoded", body, &out);
	j = cJSON_Parse(out);
	if (st == 200 && cJSON_IsString(cJSON_GetObjectItem(j,
							   "access_token")))
		tok = strdup(cJSON_GetObjectItem(j, "access_token")
				     ->valuestring);
	else
		fprintf(stderr, "azworld: client credentials: %ld %s\n", st,
			out);
	cJSON_Delete(j);
	free(out);
	return tok;
}

/* A minted Entra token (ttl seconds; negative: already expired). */
static char *minted_token(int ttl)
{
	char body[100], *out = NULL, *tok = NULL;
	cJSON *j;

	snprintf(body, sizeof(body), "{\"ttl\":%d}", ttl);
	if (simworld_http(&W.sim, "POST", "/_sim/token", NULL, body, &out) ==
	    200) {
		j = cJSON_Parse(out);
		if (cJSON_IsString(cJSON_GetObjectItem(j, "access_token")))
			tok = strdup(cJSON_GetObjectItem(j, "access_token")
					     ->valuestring);
		cJSON_Delete(j);
	}
	free(out);
	return tok;
}

static int push_acr(const char *repo, const char *tag, const char *content)
{
	const char *extra[] = {"--registry", "acr",     "--repo", repo,
			       "--tag",	     tag,	"--content", content,
			       NULL};

	return sim_py("images.py", "push", W.regdir, extra, NULL);
}

static int world_up(void)
{
	const char *src = getenv("JD_SRCDIR");
	const char *tmp = getenv("TMPDIR");
	const char *azextra[] = {"--registry-dir", W.regdir, NULL};
	char *seed = NULL, *env = NULL, path[800], tag[16], content[64];
	int i;

	memset(&W, 0, sizeof(W));
	snprintf(W.src, sizeof(W.src), "%s", src && *src ? src : ".");
	snprintf(W.top, sizeof(W.top), "%s/jd-registry.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(W.top))
		return -1;
	snprintf(W.regdir, sizeof(W.regdir), "%s/R", W.top);
	snprintf(W.azdir, sizeof(W.azdir), "%s/A", W.top);
	if (sim_py("registry.py", "up", W.regdir, NULL, NULL) < 0 ||
	    sim_py("images.py", "seed-upstream", W.regdir, NULL, &seed) < 0 ||
	    sim_py("azuresim.py", "up", W.azdir, azextra, NULL) < 0) {
		free(seed);
		return -1;
	}
	W.seed = cJSON_Parse(seed);
	free(seed);
	snprintf(path, sizeof(path), "%s/jumpdeck-azure.env", W.azdir);
	env = simworld_read_file(path, NULL);
	if (!W.seed || !env ||
	    env_value(env, "JUMPDECK_REGISTRY_URL", W.acr_url,
		      sizeof(W.acr_url)) < 0 ||
	    env_value(env, "JUMPDECK_UPSTREAM_REGISTRY_URL", W.upstream_url,
		      sizeof(W.upstream_url)) < 0 ||
	    env_value(env, "JUMPDECK_ACR_AUTH_URL", W.auth_url,
		      sizeof(W.auth_url)) < 0 ||
	    env_value(env, "JUMPDECK_REGISTRY_LOGIN_SERVER", W.service,
		      sizeof(W.service)) < 0 ||
	    env_value(env, "AZURE_TENANT_ID", W.tenant, sizeof(W.tenant)) <
		    0 ||
	    env_value(env, "JUMPDECK_SIM_CLIENT_ID", W.client_id,
		      sizeof(W.client_id)) < 0 ||
	    env_value(env, "JUMPDECK_SIM_CLIENT_SECRET", W.client_secret,
		      sizeof(W.client_secret)) < 0 ||
	    env_value(env, "JUMPDECK_CA_BUNDLE", W.ca_path,
		      sizeof(W.ca_path)) < 0 ||
	    read_line(W.regdir, "acr_realm", W.realm, sizeof(W.realm)) < 0) {
		free(env);
		return -1;
	}
	free(env);
	W.ca = simworld_read_file(W.ca_path, &W.ca_len);
	snprintf(W.sim.base, sizeof(W.sim.base), "%s", W.auth_url);
	snprintf(W.sim.ca, sizeof(W.sim.ca), "%s", W.ca_path);
	snprintf(W.acr_proxy.base, sizeof(W.acr_proxy.base), "%.63s",
		 W.acr_url);
	snprintf(W.up_proxy.base, sizeof(W.up_proxy.base), "%.63s",
		 W.upstream_url);
	if (read_line(W.regdir, "upstream_auth_url", W.up_auth.base,
		      sizeof(W.up_auth.base)) < 0)
		return -1;
	snprintf(W.acr_proxy.ca, sizeof(W.acr_proxy.ca), "%s", W.ca_path);
	snprintf(W.up_proxy.ca, sizeof(W.up_proxy.ca), "%s", W.ca_path);
	snprintf(W.up_auth.ca, sizeof(W.up_auth.ca), "%s", W.ca_path);
	W.aad = entra_token();
	if (!W.ca || !W.aad)
		return -1;
	for (i = 0; i < NPAGING; i++) {
		snprintf(tag, sizeof(tag), "v%d", i + 1);
		snprintf(content, sizeof(content), "paging %d", i + 1);
		if (push_acr(PAGING_REPO, tag, content) < 0)
			return -1;
	}
	return 0;
}

static void world_down(void)
{
	if (!W.top[0])
		return;
	sim_py("azuresim.py", "down", W.azdir, NULL, NULL);
	sim_py("registry.py", "down", W.regdir, NULL, NULL);
	nftw(W.top, simworld_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(W.ca);
	if (W.aad) {
		memset(W.aad, 0, strlen(W.aad));
		free(W.aad);
	}
	cJSON_Delete(W.seed);
	memset(&W, 0, sizeof(W));
}

/* What images.py said about upstream repo:tag: its digest, or a
 * platform's. */
static const char *seed_digest(const char *image, const char *platform)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(W.seed, image);

	if (platform)
		it = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(it, "platforms"),
			platform);
	else
		it = cJSON_GetObjectItemCaseSensitive(it, "digest");
	assert_true(cJSON_IsString(it));
	return it->valuestring;
}

/* A loopback port nobody listens on. */
static int closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* ---- registries -------------------------------------------------------- */

static struct registry *upstream(void)
{
	struct registry_opts o;

	memset(&o, 0, sizeof(o));
	o.url = W.upstream_url;
	o.ca = (const unsigned char *)W.ca;
	o.ca_len = W.ca_len;
	return registry_new(L, &o);
}

static struct registry *acr_with(const char *aad)
{
	struct registry_opts o;

	memset(&o, 0, sizeof(o));
	o.url = W.acr_url;
	o.name = W.service;
	o.ca_path = W.ca_path;
	o.auth = REGISTRY_AUTH_ACR;
	o.aad_token = aad;
	o.tenant = W.tenant;
	o.auth_url = W.auth_url;
	return registry_new(L, &o);
}

static struct registry *acr(void)
{
	return acr_with(W.aad);
}

/* ---- calling the registry ------------------------------------------- */

struct outcome {
	int done;
	int calls;
	int status;
	struct err err;
	char **names;
	size_t nnames;
	struct registry_manifest_info info;
	int is_index;
	struct registry_platform plats[8];
	size_t nplats;
	char *body;
	struct registry_copy_result copy;
	struct registry_progress last;
	int progress_calls;
	int progress_monotonic;
};

static void outcome_reset(struct outcome *o)
{
	size_t i;

	for (i = 0; i < o->nnames; i++)
		free(o->names[i]);
	free(o->names);
	free(o->body);
	memset(o, 0, sizeof(*o));
	o->progress_monotonic = 1;
}

static void finish(struct outcome *o, int status, const struct err *e)
{
	o->done = 1;
	o->calls++;
	o->status = status;
	if (e)
		o->err = *e;
	if (status != 0)
		printf("  (sentence: %s)\n", o->err.msg);
}

static void on_done(int status, const struct err *e, void *ud)
{
	finish(ud, status, e);
}

static void on_list(int status, const struct err *e,
		    const char *const *names, size_t n, void *ud)
{
	struct outcome *o = ud;
	size_t i;

	o->names = calloc(n + 1, sizeof(*o->names));
	for (i = 0; i < n; i++)
		o->names[i] = strdup(names[i]);
	o->nnames = n;
	finish(o, status, e);
}

static void on_head(int status, const struct err *e,
		    const struct registry_manifest_info *m, void *ud)
{
	struct outcome *o = ud;

	if (m)
		o->info = *m;
	finish(o, status, e);
}

static void on_manifest(int status, const struct err *e,
			const struct registry_manifest *m, void *ud)
{
	struct outcome *o = ud;
	size_t i;

	if (m) {
		o->info = m->info;
		o->is_index = m->is_index;
		o->body = strndup(m->body, m->body_len);
		for (i = 0; i < m->nplatforms && i < 8; i++)
			o->plats[i] = m->platforms[i];
		o->nplats = m->nplatforms;
	}
	finish(o, status, e);
}

static void on_copy(int status, const struct err *e,
		    const struct registry_copy_result *c, void *ud)
{
	struct outcome *o = ud;

	if (c)
		o->copy = *c;
	finish(o, status, e);
}

static void on_progress(const struct registry_progress *p, void *ud)
{
	struct outcome *o = ud;

	if (p->bytes_done < o->last.bytes_done ||
	    p->blobs_done < o->last.blobs_done ||
	    p->bytes_done > p->bytes_total || p->blobs_done > p->blobs_total)
		o->progress_monotonic = 0;
	o->last = *p;
	o->last.current = NULL;
	o->progress_calls++;
}

static int wait_done(struct outcome *o, long ms)
{
	long long end = loop_now_ms() + ms;

	while (!o->done) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			return 0;
		loop_run_once(L, left > 100 ? 100 : (long)left);
	}
	/* A few more turns: nothing may call back twice. */
	loop_run_once(L, 0);
	loop_run_once(L, 0);
	return 1;
}

static void expect_started(struct registry_op *op, const struct err *e)
{
	if (!op)
		fprintf(stderr, "could not start: %s\n", e->msg);
	assert_non_null(op);
}

static void ping(struct registry *r, struct outcome *o)
{
	struct err e;

	outcome_reset(o);
	err_clear(&e);
	expect_started(registry_ping(r, on_done, o, &e), &e);
	assert_true(wait_done(o, WAIT_MS));
	assert_int_equal(o->calls, 1);
}

static void tags(struct registry *r, const char *repo, int n,
		 struct outcome *o)
{
	struct err e;

	outcome_reset(o);
	err_clear(&e);
	expect_started(registry_tags(r, repo, n, on_list, o, &e), &e);
	assert_true(wait_done(o, WAIT_MS));
	assert_int_equal(o->calls, 1);
}

static void head(struct registry *r, const char *repo, const char *ref,
		 struct outcome *o)
{
	struct err e;

	outcome_reset(o);
	err_clear(&e);
	expect_started(registry_manifest_head(r, repo, ref, on_head, o, &e),
		       &e);
	assert_true(wait_done(o, WAIT_MS));
	assert_int_equal(o->calls, 1);
}

static void get(struct registry *r, const char *repo, const char *ref,
		struct outcome *o)
{
	struct err e;

	outcome_reset(o);
	err_clear(&e);
	expect_started(registry_manifest_get(r, repo, ref, on_manifest, o,
					     &e),
		       &e);
	assert_true(wait_done(o, WAIT_MS));
	assert_int_equal(o->calls, 1);
}

static void copy(struct registry *src, const char *src_repo,
		 const char *src_ref, struct registry *dst,
		 const char *dst_repo, const char *dst_tag,
		 struct outcome *o)
{
	struct err e;

	outcome_reset(o);
	err_clear(&e);
	expect_started(registry_copy(src, src_repo, src_ref, dst, dst_repo,
				     dst_tag, on_progress, on_copy, o, &e),
		       &e);
	assert_true(wait_done(o, WAIT_MS));
	assert_int_equal(o->calls, 1);
}

/* Token service requests in the simulator's log: exchanges, and token
 * requests whose logged scope list equals scopes ("" for none). */
static int count_exchanges(const cJSON *log)
{
	return simworld_count_requests(log, "POST", "/oauth2/exchange",
				       NULL);
}

static int count_token_requests(const cJSON *log, const char *scopes)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, log)
	{
		const cJSON *p = cJSON_GetObjectItem(it, "path");
		const cJSON *form = cJSON_GetObjectItem(it, "form");
		const cJSON *sc = cJSON_GetObjectItem(form, "scope"), *s;
		char joined[600] = "";
		size_t len = 0;

		if (!cJSON_IsString(p) ||
		    strcmp(p->valuestring, "/oauth2/token") != 0)
			continue;
		cJSON_ArrayForEach(s, sc)
		{
			if (!cJSON_IsString(s))
				continue;
			len += (size_t)snprintf(joined + len,
						sizeof(joined) - len, "%s%s",
						len ? " " : "",
						s->valuestring);
			if (len >= sizeof(joined))
				len = sizeof(joined) - 1;
		}
		if (strcmp(joined, scopes) == 0)
			n++;
	}
	return n;
}

static int count_path(const cJSON *log, const char *path)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, log)
	{
		const cJSON *p = cJSON_GetObjectItem(it, "path");

		if (cJSON_IsString(p) && strcmp(p->valuestring, path) == 0)
			n++;
	}
	return n;
}

static void clear_log(void)
{
	assert_int_equal(simworld_reset(&W.sim), 0);
}

/* ---- tests ------------------------------------------------------------- */

static void test_ping(void **state)
{
	struct registry *up = upstream(), *a = acr();
	struct outcome o = {0};

	(void)state;
	ping(up, &o);
	assert_int_equal(o.status, 0);
	ping(a, &o);
	assert_int_equal(o.status, 0);
	outcome_reset(&o);
	registry_free(&up);
	registry_free(&a);
	assert_null(up);
}

static void test_anonymous_challenge(void **state)
{
	struct registry_opts ro;
	struct registry *r;
	struct outcome o = {0};
	struct challenge c;
	char *out = NULL;
	CURL *h;
	struct curl_slist *hdrs = NULL;
	char url[400];
	cJSON *log;

	(void)state;
	/* What the acr registry announces, read with plain libcurl and
	 * parsed. */
	h = curl_easy_init();
	snprintf(url, sizeof(url), "%s/v2/%s/tags/list", W.acr_url,
		 PAGING_REPO);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, W.ca_path);
	curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	{
		struct curl_header *hd = NULL;
		long code = 0;

		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		assert_int_equal(code, 401);
		assert_int_equal(curl_easy_header(h, "WWW-Authenticate", 0,
						  CURLH_HEADER, -1, &hd),
				 CURLHE_OK);
		assert_int_equal(challenge_parse(hd->value, &c, NULL), 0);
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	assert_true(challenge_is(&c, "Bearer"));
	assert_string_equal(challenge_get(&c, "realm"), W.realm);
	assert_string_equal(challenge_get(&c, "service"), W.service);
	assert_string_equal(challenge_get(&c, "scope"),
			    "repository:" PAGING_REPO ":pull");
	challenge_clear(&c);

	/* An anonymous client follows the challenge to the realm and is
	 * turned away there: one clear sentence. */
	clear_log();
	memset(&ro, 0, sizeof(ro));
	ro.url = W.acr_url;
	ro.name = W.service;
	ro.ca = (const unsigned char *)W.ca;
	ro.ca_len = W.ca_len;
	r = registry_new(L, &ro);
	tags(r, PAGING_REPO, 0, &o);
	assert_int_equal(o.status, -ERR_AUTH);
	assert_string_equal(o.err.msg,
			    "registry acrakstest.azurecr.io: authentication "
			    "required (token request failed: HTTP 401: "
			    "UNAUTHORIZED: authentication required)");
	log = simworld_requests(&W.sim);
	assert_int_equal(simworld_count_requests(
				 log, "GET", "/oauth2/token",
				 "service=acrakstest.azurecr.io"),
			 1);
	assert_int_equal(simworld_count_requests(
				 log, "GET", "/oauth2/token",
				 "scope=repository%3Aquarantine%2Fpaging"),
			 1);
	cJSON_Delete(log);
	outcome_reset(&o);
	registry_free(&r);
	free(out);
}

static void test_acr_tokens_cached(void **state)
{
	struct registry *r = acr();
	struct outcome o = {0};
	cJSON *log;
	int i;

	(void)state;
	clear_log();
	ping(r, &o);
	assert_int_equal(o.status, 0);
	for (i = 0; i < 2; i++) {
		tags(r, PAGING_REPO, 0, &o);
		assert_int_equal(o.status, 0);
		assert_int_equal(o.nnames, NPAGING);
		head(r, PAGING_REPO, "v1", &o);
		assert_int_equal(o.status, 0);
		assert_true(o.info.exists);
	}
	tags(r, "quarantine/library/nothing", 0, &o);
	assert_int_equal(o.status, -ERR_NOTFOUND);
	assert_string_equal(o.err.msg, "quarantine/library/nothing: "
				       "repository not found");

	log = simworld_requests(&W.sim);
	assert_non_null(log);
	assert_int_equal(count_exchanges(log), 1);
	assert_int_equal(count_token_requests(log, ""), 1);
	assert_int_equal(
		count_token_requests(log, "repository:" PAGING_REPO ":pull"),
		1);
	assert_int_equal(count_token_requests(
				 log, "repository:quarantine/library/"
				      "nothing:pull"),
			 1);
	assert_int_equal(count_path(log, "/oauth2/token"), 3);
	cJSON_Delete(log);
	outcome_reset(&o);
	registry_free(&r);
}

/* An Entra token from a provider callback, answered later. */
struct provider {
	int asked;
	struct registry_aad_wait *w;
	const char *token;
};

static void provider_answer(void *ud)
{
	struct provider *p = ud;

	registry_aad_done(p->w, p->token, NULL);
	p->w = NULL;
}

static void provide(void *ud, struct registry_aad_wait *w)
{
	struct provider *p = ud;

	p->asked++;
	p->w = w;
	loop_timer_add(L, 10, provider_answer, p);
}

static void test_aad_provider(void **state)
{
	struct registry_opts ro;
	struct registry *r;
	struct outcome o = {0};
	struct provider p = {0, NULL, NULL};

	(void)state;
	p.token = W.aad;
	memset(&ro, 0, sizeof(ro));
	ro.url = W.acr_url;
	ro.ca = (const unsigned char *)W.ca;
	ro.ca_len = W.ca_len;
	ro.auth = REGISTRY_AUTH_ACR;
	ro.get_aad_token = provide;
	ro.aad_ud = &p;
	r = registry_new(L, &ro);
	head(r, PAGING_REPO, "v2", &o);
	assert_int_equal(o.status, 0);
	assert_true(o.info.exists);
	head(r, PAGING_REPO, "v3", &o);
	assert_int_equal(o.status, 0);
	assert_int_equal(p.asked, 1);
	outcome_reset(&o);
	registry_free(&r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_tags_paging(void **state)
{
	struct registry *r = acr(), *up = upstream();
	struct outcome o = {0};
	size_t i;
	char want[8];
	struct err e;

	(void)state;
	/* Debian's docker-registry (distribution 2.8) ignores n for tags
	 * and answers one page in no particular order; ACR pages them.
	 * The paging itself is shown with the catalog below. */
	tags(r, PAGING_REPO, 2, &o);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.nnames, NPAGING);
	qsort(o.names, o.nnames, sizeof(*o.names), cmp_str);
	for (i = 0; i < NPAGING; i++) {
		snprintf(want, sizeof(want), "v%zu", i + 1);
		assert_string_equal(o.names[i], want);
	}

	/* Docker Hub has no catalog for anonymous clients: the upstream
	 * registry refuses it after the token dance, in one sentence. */
	outcome_reset(&o);
	err_clear(&e);
	expect_started(registry_catalog(up, 2, on_list, &o, &e), &e);
	assert_true(wait_done(&o, WAIT_MS));
	assert_int_equal(o.status, -ERR_DENIED);
	assert_non_null(strstr(o.err.msg, "not authorized for registry"));
	assert_non_null(strstr(o.err.msg, "catalog"));

	tags(up, BUSYBOX, 1, &o);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.nnames, 1);
	assert_string_equal(o.names[0], "1.33.0");
	outcome_reset(&o);
	registry_free(&r);
	registry_free(&up);
}

/* After the copies: the acr catalog, paged two at a time with a
 * registry:catalog:* token. */
static void test_catalog_acr(void **state)
{
	struct registry *r = acr();
	struct outcome o = {0};
	struct err e;
	size_t i;
	int have_live = 0, have_paging = 0;
	cJSON *log;

	(void)state;
	clear_log();
	assert_int_equal(simworld_reset(&W.acr_proxy), 0);
	err_clear(&e);
	expect_started(registry_catalog(r, 2, on_list, &o, &e), &e);
	assert_true(wait_done(&o, WAIT_MS));
	assert_int_equal(o.status, 0);
	assert_true(o.nnames >= 5);
	/* Two names a page: the client followed the Link headers (the
	 * registry's own log, in the proxy in front of it). */
	log = simworld_requests(&W.acr_proxy);
	assert_true(
	    simworld_count_requests(log, "GET", "/v2/_catalog", "last=") >=
	    (int)(o.nnames - 1) / 2);
	cJSON_Delete(log);
	for (i = 0; i < o.nnames; i++) {
		if (i)
			assert_true(strcmp(o.names[i - 1], o.names[i]) < 0);
		if (strcmp(o.names[i], "live/library/busybox") == 0)
			have_live = 1;
		if (strcmp(o.names[i], PAGING_REPO) == 0)
			have_paging = 1;
	}
	assert_true(have_live);
	assert_true(have_paging);
	log = simworld_requests(&W.sim);
	assert_int_equal(count_token_requests(log, "registry:catalog:*"), 1);
	cJSON_Delete(log);
	outcome_reset(&o);
	registry_free(&r);
}

/* The upstream registry challenges like Docker Hub: Bearer with a realm
 * on another host (the token service) and the pull scope. The client asks
 * that realm for a token without credentials and pulls with it. */
static void test_upstream_anonymous_token(void **state)
{
	struct registry *up = upstream();
	struct outcome o = {0};
	cJSON *log;
	const cJSON *it;
	int anon = 0;

	(void)state;
	assert_int_equal(simworld_reset(&W.up_auth), 0);
	head(up, BUSYBOX, "1.33.0", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.info.digest,
			    seed_digest(BUSYBOX ":1.33.0", NULL));
	head(up, BUSYBOX, "1.33.0", &o);
	assert_int_equal(o.status, 0);
	log = simworld_requests(&W.up_auth);
	/* One token for the repository (cached for the second HEAD),
	 * asked for the service and scope of the challenge, anonymously. */
	assert_int_equal(simworld_count_requests(log, "GET", "/token", NULL),
			 1);
	assert_int_equal(simworld_count_requests(log, "GET", "/token",
						 "service=registry.docker.io"),
			 1);
	assert_int_equal(
	    simworld_count_requests(log, "GET", "/token",
				    "scope=repository%3Adocker.io%2Flibrary%2F"
				    "busybox%3Apull"),
	    1);
	cJSON_ArrayForEach(it, log)
	{
		const cJSON *a = cJSON_GetObjectItem(it, "authorization");

		if (cJSON_IsNull(a))
			anon++;
	}
	assert_int_equal(anon, 1);
	cJSON_Delete(log);
	outcome_reset(&o);
	registry_free(&up);
}

/* An OCI index with BuildKit's attestation manifests (platform
 * unknown/unknown, vnd.docker.reference.type attestation-manifest): the
 * index lists them as entries of their own, and a copy takes them along,
 * so the digest stays the same. */
static void test_attested_index(void **state)
{
	const char *extra[] = {"--registry",  "upstream",
			       "--repo",      "docker.io/library/alpine",
			       "--tag",	      "3.20",
			       "--platforms", "linux/amd64,linux/arm64",
			       "--attest",    NULL};
	struct registry *up = upstream(), *a = acr();
	struct outcome o = {0};
	char *out = NULL, idx[80], att[80];
	cJSON *j;
	size_t i, unknown = 0;

	(void)state;
	assert_int_equal(sim_py("images.py", "push", W.regdir, extra, &out),
			 0);
	j = cJSON_Parse(out);
	free(out);
	snprintf(idx, sizeof(idx), "%s",
		 cJSON_GetObjectItem(j, "digest")->valuestring);
	snprintf(att, sizeof(att), "%s",
		 cJSON_GetObjectItem(cJSON_GetObjectItem(j, "attestations"),
				     "linux/amd64")
		     ->valuestring);
	cJSON_Delete(j);

	get(up, "docker.io/library/alpine", "3.20", &o);
	assert_int_equal(o.status, 0);
	assert_true(o.is_index);
	assert_string_equal(o.info.digest, idx);
	assert_int_equal(o.nplats, 4);
	for (i = 0; i < o.nplats; i++) {
		if (strcmp(o.plats[i].os, "unknown") == 0 &&
		    strcmp(o.plats[i].arch, "unknown") == 0)
			unknown++;
	}
	assert_int_equal(unknown, 2);

	copy(up, "docker.io/library/alpine", "3.20", a,
	     "quarantine/library/alpine", "3.20", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.copy.digest, idx);
	head(a, "quarantine/library/alpine", "3.20", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.info.digest, idx);
	head(a, "quarantine/library/alpine", att, &o);
	assert_int_equal(o.status, 0);
	assert_true(o.info.exists);
	outcome_reset(&o);
	registry_free(&up);
	registry_free(&a);
}

/* A registry that answers 429 with Retry-After: a read waits and asks
 * again; one that keeps answering 503: a sentence, after a bounded
 * number of tries. */
static void test_throttled_and_unavailable(void **state)
{
	struct registry *a = acr();
	struct outcome o = {0};
	char path[300], rule[600];
	cJSON *log;
	long long t0;
	int n;

	(void)state;
	head(a, PAGING_REPO, "v1", &o);
	assert_int_equal(o.status, 0);
	assert_int_equal(simworld_reset(&W.acr_proxy), 0);
	snprintf(path, sizeof(path), "/v2/%s/manifests/v1", PAGING_REPO);
	snprintf(rule, sizeof(rule),
		 "{\"path_prefix\": \"%s\", \"status\": 429, "
		 "\"retry_after\": \"1\", \"times\": 1}",
		 path);
	assert_int_equal(simworld_fault(&W.acr_proxy, rule), 0);
	t0 = loop_now_ms();
	head(a, PAGING_REPO, "v1", &o);
	assert_int_equal(o.status, 0);
	assert_true(o.info.exists);
	assert_true(loop_now_ms() - t0 >= 900);
	log = simworld_requests(&W.acr_proxy);
	n = simworld_count_requests(log, "HEAD", path, NULL);
	assert_int_equal(n, 2);
	cJSON_Delete(log);

	assert_int_equal(simworld_reset(&W.acr_proxy), 0);
	snprintf(rule, sizeof(rule),
		 "{\"path_prefix\": \"%s\", \"status\": 503, "
		 "\"times\": 100}",
		 path);
	assert_int_equal(simworld_fault(&W.acr_proxy, rule), 0);
	head(a, PAGING_REPO, "v1", &o);
	assert_true(o.status < 0);
	if (!strstr(o.err.msg, "503"))
		fail_msg("no 503 in \"%s\"", o.err.msg);
	log = simworld_requests(&W.acr_proxy);
	n = simworld_count_requests(log, "HEAD", path, NULL);
	assert_true(n >= 1 && n <= 6);
	cJSON_Delete(log);
	assert_int_equal(simworld_reset(&W.acr_proxy), 0);
	outcome_reset(&o);
	registry_free(&a);
}

static void test_head_digests(void **state)
{
	struct registry *up = upstream();
	struct outcome o = {0};
	const char *idx = seed_digest(BUSYBOX ":1.33.0", NULL);

	(void)state;
	head(up, KURED, "1.6.1", &o);
	assert_int_equal(o.status, 0);
	assert_true(o.info.exists);
	assert_string_equal(o.info.digest, seed_digest(KURED ":1.6.1", NULL));
	assert_string_equal(o.info.media_type, REGISTRY_MT_DOCKER_MANIFEST);
	assert_true(o.info.size > 0);

	head(up, BUSYBOX, "1.33.0", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.info.digest, idx);
	assert_string_equal(o.info.media_type, REGISTRY_MT_DOCKER_LIST);

	head(up, "ghcr.io/fluxcd/source-controller", "v0.6.3", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.info.media_type, REGISTRY_MT_OCI_MANIFEST);
	assert_string_equal(o.info.digest,
			    seed_digest("ghcr.io/fluxcd/source-controller:"
					"v0.6.3",
					NULL));

	/* By digest too. */
	head(up, BUSYBOX, idx, &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.info.digest, idx);

	/* Missing tag, missing repository: not errors. */
	head(up, BUSYBOX, "9.9.9", &o);
	assert_int_equal(o.status, 0);
	assert_false(o.info.exists);
	head(up, "docker.io/library/nothing", "1", &o);
	assert_int_equal(o.status, 0);
	assert_false(o.info.exists);

	/* The index itself, with its platforms. */
	get(up, BUSYBOX, "1.33.0", &o);
	assert_int_equal(o.status, 0);
	assert_true(o.is_index);
	assert_string_equal(o.info.digest, idx);
	assert_int_equal(o.nplats, 2);
	assert_string_equal(o.plats[0].os, "linux");
	assert_string_equal(o.plats[0].arch, "amd64");
	assert_string_equal(o.plats[0].digest,
			    seed_digest(BUSYBOX ":1.33.0", "linux/amd64"));
	assert_string_equal(o.plats[1].arch, "arm64");
	assert_string_equal(o.plats[1].digest,
			    seed_digest(BUSYBOX ":1.33.0", "linux/arm64"));
	assert_non_null(strstr(o.body, "\"manifests\""));

	get(up, BUSYBOX, "9.9.9", &o);
	assert_int_equal(o.status, -ERR_NOTFOUND);
	assert_string_equal(o.err.msg,
			    BUSYBOX ":9.9.9: manifest not found");
	get(up, "docker.io/library/nothing", "1", &o);
	assert_int_equal(o.status, -ERR_NOTFOUND);
	assert_string_equal(o.err.msg,
			    "docker.io/library/nothing:1: manifest not found");
	outcome_reset(&o);
	registry_free(&up);
}

static void test_invalid_arguments(void **state)
{
	struct registry *up = upstream();
	struct err e;
	struct outcome o = {0};

	(void)state;
	err_clear(&e);
	assert_null(registry_manifest_head(up, "Bad/Name", "1", on_head, &o,
					   &e));
	assert_int_equal(e.code, ERR_USAGE);
	assert_null(registry_manifest_head(up, "a/b", "1?x=y", on_head, &o,
					   &e));
	assert_null(registry_tags(up, "a//b", 0, on_list, &o, &e));
	assert_null(registry_copy(up, "a", "1", up, "b", "sha256:0", NULL,
				  on_copy, &o, &e));
	assert_true(registry_valid_repo("live/fluxcd/source-controller"));
	assert_true(registry_valid_repo("a__b/c-d.e/f--g"));
	assert_false(registry_valid_repo("a/"));
	assert_false(registry_valid_repo("-a"));
	assert_false(registry_valid_repo("a..b"));
	assert_true(registry_valid_ref("v0.6.3"));
	assert_false(registry_valid_ref(".hidden"));
	registry_free(&up);
	assert_int_equal(o.calls, 0);
}

static void expect_child(struct registry *r, const char *repo,
			 const char *digest)
{
	struct outcome o = {0};

	head(r, repo, digest, &o);
	assert_int_equal(o.status, 0);
	assert_true(o.info.exists);
	assert_string_equal(o.info.digest, digest);
	outcome_reset(&o);
}

static void test_copy_upstream_to_acr(void **state)
{
	struct registry *up = upstream(), *a = acr();
	struct outcome o = {0};
	const char *idx = seed_digest(BUSYBOX ":1.33.0", NULL);

	(void)state;
	/* A multi-platform index: children, their blobs, then the index. */
	copy(up, BUSYBOX, "1.33.0", a, "quarantine/library/busybox", "1.33.0",
	     &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.copy.digest, idx);
	assert_true(o.copy.is_index);
	assert_int_equal(o.copy.platforms, 2);
	assert_int_equal(o.copy.progress.blobs_total, 4);
	assert_int_equal(o.copy.progress.blobs_pushed, 4);
	assert_int_equal(o.copy.progress.blobs_mounted, 0);
	assert_int_equal(o.copy.progress.blobs_done, 4);
	assert_int_equal(o.copy.progress.manifests_put, 3);
	assert_true(o.copy.progress.bytes_total > 0);
	assert_true(o.copy.progress.bytes_done ==
		    o.copy.progress.bytes_total);
	assert_true(o.progress_calls >= 4);
	assert_true(o.progress_monotonic);
	assert_int_equal(o.last.blobs_done, 4);

	head(a, "quarantine/library/busybox", "1.33.0", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.info.digest, idx);
	assert_string_equal(o.info.media_type, REGISTRY_MT_DOCKER_LIST);
	expect_child(a, "quarantine/library/busybox",
		     seed_digest(BUSYBOX ":1.33.0", "linux/amd64"));
	expect_child(a, "quarantine/library/busybox",
		     seed_digest(BUSYBOX ":1.33.0", "linux/arm64"));

	/* A single-platform OCI image. */
	copy(up, "ghcr.io/fluxcd/source-controller", "v0.6.3", a,
	     "quarantine/fluxcd/source-controller", "v0.6.3", &o);
	assert_int_equal(o.status, 0);
	assert_false(o.copy.is_index);
	assert_string_equal(o.copy.digest,
			    seed_digest("ghcr.io/fluxcd/source-controller:"
					"v0.6.3",
					NULL));
	assert_int_equal(o.copy.progress.blobs_pushed, 2);
	assert_string_equal(o.copy.media_type, REGISTRY_MT_OCI_MANIFEST);

	/* Again: every blob is already there, nothing is pushed. */
	copy(up, BUSYBOX, "1.33.0", a, "quarantine/library/busybox", "1.33.0",
	     &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.copy.digest, idx);
	assert_int_equal(o.copy.progress.blobs_pushed, 0);
	assert_int_equal(o.copy.progress.blobs_mounted, 0);
	assert_int_equal(o.copy.progress.blobs_skipped, 4);
	assert_true(o.copy.progress.bytes_done ==
		    o.copy.progress.bytes_total);

	/* By digest, to another tag. */
	copy(up, BUSYBOX, idx, a, "quarantine/library/busybox", "pinned", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.copy.digest, idx);
	assert_int_equal(o.copy.progress.blobs_pushed, 0);

	/* A source that is not there. */
	copy(up, BUSYBOX, "0.0.1", a, "quarantine/library/busybox", "0.0.1",
	     &o);
	assert_int_equal(o.status, -ERR_NOTFOUND);
	assert_string_equal(o.err.msg, BUSYBOX ":0.0.1: manifest not found");
	outcome_reset(&o);
	registry_free(&up);
	registry_free(&a);
}

static void test_copy_within_acr_mounts(void **state)
{
	struct registry *up = upstream(), *a = acr();
	struct outcome o = {0};
	const char *idx = seed_digest(BUSYBOX ":1.33.0", NULL);
	const char *kured = seed_digest(KURED ":1.6.1", NULL);

	(void)state;
	/* Seed quarantine/ (idempotent when an earlier test did it). */
	copy(up, BUSYBOX, "1.33.0", a, "quarantine/library/busybox", "1.33.0",
	     &o);
	assert_int_equal(o.status, 0);
	copy(up, KURED, "1.6.1", a, "quarantine/weaveworks/kured", "1.6.1",
	     &o);
	assert_int_equal(o.status, 0);

	/* quarantine/ -> live/ in one registry: mounts, no blob moves. */
	copy(a, "quarantine/library/busybox", "1.33.0", a,
	     "live/library/busybox", "1.33.0", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.copy.digest, idx);
	assert_int_equal(o.copy.progress.blobs_mounted, 4);
	assert_int_equal(o.copy.progress.blobs_pushed, 0);
	expect_child(a, "live/library/busybox",
		     seed_digest(BUSYBOX ":1.33.0", "linux/amd64"));
	expect_child(a, "live/library/busybox",
		     seed_digest(BUSYBOX ":1.33.0", "linux/arm64"));

	copy(a, "quarantine/weaveworks/kured", "1.6.1", a,
	     "live/weaveworks/kured", "1.6.1", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.copy.digest, kured);
	assert_int_equal(o.copy.progress.blobs_mounted, 2);

	head(a, "live/weaveworks/kured", "1.6.1", &o);
	assert_int_equal(o.status, 0);
	assert_string_equal(o.info.digest, kured);

	/* Idempotent: nothing mounted the second time. */
	copy(a, "quarantine/weaveworks/kured", "1.6.1", a,
	     "live/weaveworks/kured", "1.6.1", &o);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.copy.progress.blobs_mounted, 0);
	assert_int_equal(o.copy.progress.blobs_skipped, 2);
	outcome_reset(&o);
	registry_free(&up);
	registry_free(&a);
}

static void test_bad_entra_token(void **state)
{
	struct registry *r;
	struct outcome o = {0};
	char *expired = minted_token(-600);

	(void)state;
	assert_non_null(expired);
	r = acr_with(expired);
	head(r, PAGING_REPO, "v1", &o);
	assert_int_equal(o.status, -ERR_AUTH);
	assert_string_equal(o.err.msg,
			    "registry acrakstest.azurecr.io: authentication "
			    "required (token exchange failed: HTTP 401: "
			    "UNAUTHORIZED: the access token has expired)");
	assert_null(strstr(o.err.msg, expired));
	registry_free(&r);

	r = acr_with("not-a-token");
	ping(r, &o);
	assert_int_equal(o.status, -ERR_AUTH);
	assert_string_equal(o.err.msg,
			    "registry acrakstest.azurecr.io: authentication "
			    "required (token exchange failed: HTTP 401: "
			    "UNAUTHORIZED: the access token is invalid)");

	/* A fresh token fixes it. */
	registry_set_aad_token(r, W.aad);
	ping(r, &o);
	assert_int_equal(o.status, 0);
	registry_free(&r);

	/* No token at all. */
	r = acr_with(NULL);
	ping(r, &o);
	assert_int_equal(o.status, -ERR_AUTH);
	assert_string_equal(o.err.msg,
			    "registry acrakstest.azurecr.io: authentication "
			    "required (no Entra ID token to exchange)");
	outcome_reset(&o);
	registry_free(&r);
	memset(expired, 0, strlen(expired));
	free(expired);
}

/* An identity with pull rights only (AcrPull): the push is refused with
 * a sentence that says so. */
static void test_pull_only_identity(void **state)
{
	struct registry *up = upstream(), *a = acr();
	struct outcome o = {0};
	char body[300];

	(void)state;
	snprintf(body, sizeof(body), "{\"acr_roles\":{\"%s\":[\"pull\"]}}",
		 W.client_id);
	assert_int_equal(simworld_http(&W.sim, "POST", "/_sim/config", NULL,
				       body, NULL),
			 200);
	head(a, PAGING_REPO, "v1", &o);
	assert_int_equal(o.status, 0);
	assert_true(o.info.exists);
	copy(up, KURED, "1.6.1", a, "quarantine/denied/kured", "1.6.1", &o);
	assert_int_equal(o.status, -ERR_DENIED);
	assert_string_equal(o.err.msg,
			    "registry acrakstest.azurecr.io: not authorized "
			    "for quarantine/denied/kured (UNAUTHORIZED: "
			    "authentication required); the identity may lack "
			    "pull or push rights");
	assert_int_equal(simworld_http(&W.sim, "POST", "/_sim/config", NULL,
				       "{\"acr_roles\":{}}", NULL),
			 200);
	outcome_reset(&o);
	registry_free(&up);
	registry_free(&a);
}

static void test_registry_down(void **state)
{
	struct registry_opts ro;
	struct registry *r;
	struct outcome o = {0};
	char url[64], want[160];

	(void)state;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", closed_port());
	memset(&ro, 0, sizeof(ro));
	ro.url = url;
	ro.timeout_ms = 5000;
	r = registry_new(L, &ro);
	ping(r, &o);
	assert_int_equal(o.status, -ERR_NET);
	snprintf(want, sizeof(want), "cannot reach %s: connection refused",
		 url);
	assert_string_equal(o.err.msg, want);
	tags(r, "a/b", 0, &o);
	assert_int_equal(o.status, -ERR_NET);
	assert_string_equal(o.err.msg, want);
	registry_free(&r);

	/* An unreadable CA file: every call says so. */
	memset(&ro, 0, sizeof(ro));
	ro.url = W.acr_url;
	ro.ca_path = "/nonexistent/ca.crt";
	r = registry_new(L, &ro);
	ping(r, &o);
	assert_int_equal(o.status, -ERR_IO);
	assert_non_null(strstr(o.err.msg, "/nonexistent/ca.crt"));
	outcome_reset(&o);
	registry_free(&r);
}

static void test_cancel_and_free(void **state)
{
	struct registry *up = upstream(), *a = acr();
	struct outcome o1 = {0}, o2 = {0}, o3 = {0};
	struct registry_op *op;
	struct err e;
	int i, calls2, calls3;

	(void)state;
	err_clear(&e);
	/* Cancelled before it starts. */
	op = registry_ping(up, on_done, &o1, &e);
	assert_non_null(op);
	registry_cancel(op);
	for (i = 0; i < 3; i++)
		loop_run_once(L, 10);
	assert_int_equal(o1.calls, 0);

	/* Cancelled mid-flight (the token flow takes several round
	 * trips); registries freed with ops running: one listing, one
	 * copy between two registries. */
	op = registry_tags(a, PAGING_REPO, 1, on_list, &o1, &e);
	assert_non_null(op);
	assert_non_null(registry_tags(a, PAGING_REPO, 1, on_list, &o2, &e));
	assert_non_null(registry_copy(up, KURED, "1.6.1", a,
				      "quarantine/cancelled/kured", "1",
				      on_progress, on_copy, &o3, &e));
	loop_run_once(L, 0);
	if (!o1.done)
		registry_cancel(op);
	else
		printf("  (the listing finished before it could be "
		       "cancelled)\n");
	for (i = 0; i < 3; i++)
		loop_run_once(L, 20);
	calls2 = o2.calls;
	calls3 = o3.calls;
	registry_free(&a);
	assert_int_equal(o1.calls, o1.done ? 1 : 0);
	for (i = 0; i < 10; i++)
		loop_run_once(L, 10);
	registry_free(&up);
	for (i = 0; i < 10; i++)
		loop_run_once(L, 10);
	assert_int_equal(o1.calls, o1.done ? 1 : 0);
	assert_int_equal(o2.calls, calls2);
	assert_int_equal(o3.calls, calls3);
	outcome_reset(&o1);
	outcome_reset(&o2);
	outcome_reset(&o3);
}

/* ---- fixtures ---------------------------------------------------------- */

static int group_setup(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	if (http_global_init(&e) < 0)
		return -1;
	if (world_up() < 0) {
		world_down();
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	world_down();
	http_global_cleanup();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	L = loop_new();
	return L ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	loop_free(&L);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_anonymous_challenge, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_acr_tokens_cached, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_aad_provider, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_tags_paging, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_head_digests, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_arguments, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_copy_upstream_to_acr, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_copy_within_acr_mounts, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_acr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upstream_anonymous_token,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attested_index, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_throttled_and_unavailable,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_entra_token, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_pull_only_identity, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_registry_down, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_and_free, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
