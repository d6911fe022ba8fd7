/* test_kubeconfig.c - unit tests for kubeconfig loading, merging, context
 * resolution (fixtures in tests/unit/data/kubeconfig/). Not network tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/base64.h"
#include "backend/kubeconfig.h"
#include "backend/xalloc.h"

static char *data_dir; /* tests/unit/data/kubeconfig */
static char *tmp_dir;  /* scratch files of this run */

/* Path of a fixture; valid for the next seven calls. */
static const char *fixture(const char *name)
{
	static char ring[8][4096];
	static unsigned next;
	char *path = ring[next++ % 8];

	snprintf(path, sizeof(ring[0]), "%s/%s", data_dir, name);
	return path;
}

static char *fixture_text(const char *name)
{
	FILE *f = fopen(fixture(name), "rb");
	char *buf = xmalloc(65536);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Writes text to a file in the temporary directory; returns its path,
 * valid until the next call. */
static const char *write_tmp(const char *name, const char *text)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* Each test starts with no KUBECONFIG and a HOME without a kubeconfig. */
static int reset_env(void **state)
{
	(void)state;
	unsetenv("KUBECONFIG");
	setenv("HOME", "/nonexistent-home-for-tests", 1);
	return 0;
}

static struct kubeconfig *load_ok(const char *explicit_path)
{
	struct kubeconfig *kc = NULL;
	struct err e = {0};
	int rc = kubeconfig_load(&kc, explicit_path, &e);

	if (rc != 0)
		fail_msg("kubeconfig_load failed: %s", e.msg);
	assert_non_null(kc);
	return kc;
}

static void resolve_ok(const struct kubeconfig *kc, const char *ctx,
		       struct kube_target *t)
{
	struct err e = {0};

	if (kubeconfig_resolve(kc, ctx, t, &e) != 0)
		fail_msg("kubeconfig_resolve(%s) failed: %s", ctx, e.msg);
}

/* Loading must fail with a message containing each of the needles. */
static void load_fails(const char *explicit_path, const char *n1,
		       const char *n2)
{
	struct kubeconfig *kc = (struct kubeconfig *)1;
	struct err e = {0};

	assert_true(kubeconfig_load(&kc, explicit_path, &e) < 0);
	assert_null(kc);
	assert_true(e.code != 0);
	assert_contains(e.msg, n1);
	if (n2)
		assert_contains(e.msg, n2);
}

/* Loading works but resolving ctx fails with the needles. */
static void resolve_fails(const char *explicit_path, const char *ctx,
			  const char *n1, const char *n2)
{
	struct kubeconfig *kc = load_ok(explicit_path);
	struct kube_target t;
	struct err e = {0};

	assert_true(kubeconfig_resolve(kc, ctx, &t, &e) < 0);
	assert_null(t.server);
	assert_null(t.context);
	assert_contains(e.msg, n1);
	if (n2)
		assert_contains(e.msg, n2);
	kubeconfig_free(&kc);
	assert_null(kc);
}

/* ---- merging and choosing files --------------------------------------- */

static void test_merge_first_wins(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;
	char *env, *ca;

	(void)state;
	env = xasprintf("::%s:%s/missing.yaml::%s:", fixture("a.yaml"),
			data_dir, fixture("b.yaml"));
	setenv("KUBECONFIG", env, 1);
	free(env);
	kc = load_ok(NULL);
	assert_int_equal(kc->nfiles, 2);
	assert_contains(kc->files[0], "/a.yaml");
	assert_contains(kc->files[1], "/b.yaml");
	/* current-context from the first file that sets it */
	assert_string_equal(kc->current_context, "sim");
	assert_contains(kc->current_context_from.file, "/a.yaml");
	assert_int_equal(kc->current_context_from.line, 19);
	/* names: first definition wins, the rest are added */
	assert_int_equal(kc->nclusters, 2);
	assert_string_equal(kc->clusters[0].name, "sim");
	assert_string_equal(kc->clusters[0].server, "https://127.0.0.1:6443");
	assert_string_equal(kc->clusters[1].name, "other");
	assert_int_equal(kc->nusers, 2);
	assert_string_equal(kubeconfig_find_user(kc, "u-token")->token,
			    "token-from-a");
	assert_int_equal(kc->ncontexts, 2);
	assert_string_equal(kc->contexts[0].name, "sim");
	assert_string_equal(kc->contexts[0].cluster, "sim");
	assert_string_equal(kc->contexts[1].name, "basic");
	assert_contains(kc->contexts[1].from.file, "/b.yaml");
	assert_int_equal(kc->contexts[1].from.line, 23);
	assert_int_equal(kc->contexts[1].from.index, 1);

	resolve_ok(kc, NULL, &t);
	assert_string_equal(t.context, "sim");
	assert_string_equal(t.cluster, "sim");
	assert_string_equal(t.user, "u-token");
	assert_string_equal(t.server, "https://127.0.0.1:6443");
	assert_string_equal(t.namespace, "flux-system");
	assert_int_equal(t.auth, KUBE_AUTH_TOKEN);
	assert_string_equal(t.token, "token-from-a");
	ca = fixture_text("files/ca.crt");
	assert_int_equal(t.ca_len, strlen(ca));
	assert_memory_equal(t.ca, ca, t.ca_len);
	free(ca);
	kube_target_clear(&t);
	assert_null(t.server);

	resolve_ok(kc, "basic", &t);
	assert_string_equal(t.server, "https://other.example:6443");
	assert_string_equal(t.namespace, "default");
	assert_int_equal(t.auth, KUBE_AUTH_BASIC);
	assert_string_equal(t.username, "admin");
	assert_string_equal(t.password, "s3cret");
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	assert_null(kc);
	kubeconfig_free(&kc); /* twice is harmless */
}

static void test_merge_current_from_later_file(void **state)
{
	struct kubeconfig *kc;
	char *env;

	(void)state;
	/* the same file twice is read once; empty files are skipped */
	env = xasprintf("%s:%s:%s:%s", fixture("empty.yaml"),
			fixture("c-nocurrent.yaml"), fixture("b.yaml"),
			fixture("c-nocurrent.yaml"));
	setenv("KUBECONFIG", env, 1);
	free(env);
	kc = load_ok(NULL);
	assert_int_equal(kc->nfiles, 2);
	assert_string_equal(kc->current_context, "basic");
	assert_contains(kc->current_context_from.file, "/b.yaml");
	assert_int_equal(kc->ncontexts, 3);
	assert_string_equal(kc->contexts[0].name, "c-only");
	assert_non_null(kubeconfig_find_context(kc, "sim"));
	assert_null(kubeconfig_find_context(kc, "nope"));
	assert_non_null(kubeconfig_find_cluster(kc, "c-cluster"));
	kubeconfig_free(&kc);
}

static void test_explicit_wins(void **state)
{
	struct kubeconfig *kc;

	(void)state;
	setenv("KUBECONFIG", fixture("a.yaml"), 1);
	kc = load_ok(fixture("b.yaml"));
	assert_int_equal(kc->nfiles, 1);
	assert_string_equal(kc->current_context, "basic");
	assert_string_equal(kubeconfig_find_user(kc, "u-token")->token,
			    "token-from-b");
	kubeconfig_free(&kc);
	/* "" means not given */
	kc = load_ok("");
	assert_string_equal(kc->current_context, "sim");
	kubeconfig_free(&kc);
}

static void test_home_default(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;

	(void)state;
	setenv("HOME", fixture("home"), 1);
	kc = load_ok(NULL);
	assert_string_equal(kc->current_context, "home");
	assert_contains(kc->files[0], "/home/.kube/config");
	resolve_ok(kc, NULL, &t);
	assert_int_equal(t.auth, KUBE_AUTH_NONE);
	assert_null(t.user);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	/* an empty KUBECONFIG, or only separators, is the same as unset */
	setenv("KUBECONFIG", ":", 1);
	kc = load_ok(NULL);
	assert_string_equal(kc->current_context, "home");
	kubeconfig_free(&kc);
}

static void test_relative_explicit_path(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;
	char cwd[4096];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(data_dir), 0);
	kc = load_ok("./auth.yaml");
	assert_int_equal(chdir(cwd), 0);
	/* relative paths in the file are relative to the file, not cwd */
	resolve_ok(kc, "cert-files", &t);
	assert_non_null(t.ca);
	assert_non_null(t.client_cert);
	assert_true(kc->files[0][0] == '/');
	kube_target_clear(&t);
	kubeconfig_free(&kc);
}

/* ---- authentication methods ------------------------------------------- */

static void test_auth_token(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;

	(void)state;
	kc = load_ok(fixture("auth.yaml"));
	assert_string_equal(kc->current_context, "aks");
	resolve_ok(kc, "token", &t);
	assert_int_equal(t.auth, KUBE_AUTH_TOKEN);
	assert_string_equal(t.token, "abc.def.ghi");
	assert_string_equal(t.namespace, "a0005-i");
	assert_string_equal(t.server,
			    "https://aks-rg-abc123.hcp.eastus2.azmk8s.io:443");
	/* the CA data was split over two lines in a literal block */
	assert_non_null(t.ca);
	assert_memory_equal(t.ca, "-----BEGIN CERTIFICATE-----\n", 28);
	assert_false(t.insecure);
	assert_null(t.client_cert);
	kube_target_clear(&t);

	resolve_ok(kc, "token-file", &t);
	assert_int_equal(t.auth, KUBE_AUTH_TOKEN_FILE);
	assert_true(t.token_file[0] == '/');
	assert_contains(t.token_file, "/kubeconfig/files/token");
	assert_null(t.token);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
}

static void test_auth_client_cert(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;
	char *cert = fixture_text("files/client.crt");
	char *key = fixture_text("files/client.key");
	char *ca = fixture_text("files/ca.crt");

	(void)state;
	kc = load_ok(fixture("auth.yaml"));
	resolve_ok(kc, "cert-data", &t);
	assert_int_equal(t.auth, KUBE_AUTH_CLIENT_CERT);
	assert_int_equal(t.client_cert_len, strlen(cert));
	assert_memory_equal(t.client_cert, cert, strlen(cert));
	assert_int_equal(t.client_key_len, strlen(key));
	assert_memory_equal(t.client_key, key, strlen(key));
	/* a NUL follows the bytes, so PEM can be used as a string */
	assert_int_equal(t.client_key[t.client_key_len], 0);
	kube_target_clear(&t);

	resolve_ok(kc, "cert-files", &t);
	assert_int_equal(t.auth, KUBE_AUTH_CLIENT_CERT);
	assert_string_equal((char *)t.client_cert, cert);
	assert_string_equal((char *)t.client_key, key);
	assert_string_equal((char *)t.ca, ca);
	assert_int_equal(t.ca_len, strlen(ca));
	assert_string_equal(t.cluster, "files");
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	free(cert);
	free(key);
	free(ca);
}

static void test_auth_basic(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;

	(void)state;
	kc = load_ok(fixture("auth.yaml"));
	resolve_ok(kc, "basic", &t);
	assert_int_equal(t.auth, KUBE_AUTH_BASIC);
	assert_string_equal(t.username, "admin");
	assert_string_equal(t.password, "p@ss word");
	kube_target_clear(&t);
	kubeconfig_free(&kc);
}

static void test_auth_exec_aks(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;
	size_t i;
	int login = -1;

	(void)state;
	kc = load_ok(fixture("auth.yaml"));
	resolve_ok(kc, NULL, &t);
	assert_string_equal(t.context, "aks");
	assert_string_equal(t.user, "clusterUser_rg-aks_aks-cluster");
	assert_int_equal(t.auth, KUBE_AUTH_EXEC);
	assert_string_equal(t.exec.api_version,
			    "client.authentication.k8s.io/v1beta1");
	assert_string_equal(t.exec.command, "kubelogin");
	assert_int_equal(t.exec.nargs, 11);
	assert_null(t.exec.args[11]);
	assert_string_equal(t.exec.args[0], "get-token");
	for (i = 0; i < t.exec.nargs; i++)
		if (strcmp(t.exec.args[i], "--login") == 0)
			login = (int)i;
	assert_true(login > 0);
	assert_string_equal(t.exec.args[login + 1], "devicecode");
	assert_string_equal(t.exec.args[4],
			    "6dae42f8-4368-4678-94ff-3960e28e3630");
	assert_int_equal(t.exec.nenv, 0); /* env: null */
	/* v1beta1 without interactiveMode means IfAvailable */
	assert_int_equal(t.exec.interactive_mode,
			 KUBE_INTERACTIVE_IF_AVAILABLE);
	assert_string_equal(kube_interactive_name(t.exec.interactive_mode),
			    "IfAvailable");
	assert_false(t.exec.provide_cluster_info);
	assert_contains(t.exec.install_hint,
			"kubelogin is not installed which is required");
	assert_contains(t.exec.install_hint, "https://aka.ms/aks/kubelogin");
	assert_string_equal(t.namespace, "default");
	kube_target_clear(&t);

	/* kubelogin convert-kubeconfig puts the arguments in its own order */
	resolve_ok(kc, "converted", &t);
	assert_int_equal(t.auth, KUBE_AUTH_EXEC);
	assert_int_equal(t.exec.nargs, 5);
	assert_string_equal(t.exec.args[1], "--login");
	assert_string_equal(t.exec.args[2], "azurecli");
	assert_contains(t.exec.install_hint, "azure.github.io/kubelogin");
	kube_target_clear(&t);
	kubeconfig_free(&kc);
}

static void test_auth_exec_v1(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;

	(void)state;
	kc = load_ok(fixture("auth.yaml"));
	resolve_ok(kc, "exec-v1", &t);
	assert_int_equal(t.auth, KUBE_AUTH_EXEC);
	assert_string_equal(t.exec.api_version,
			    "client.authentication.k8s.io/v1");
	assert_int_equal(t.exec.interactive_mode, KUBE_INTERACTIVE_NEVER);
	assert_true(t.exec.provide_cluster_info);
	/* a command with a "/" is relative to the kubeconfig's directory */
	assert_true(t.exec.command[0] == '/');
	assert_contains(t.exec.command, "/kubeconfig/bin/get-token");
	assert_int_equal(t.exec.nargs, 1);
	assert_string_equal(t.exec.args[0], "--verbose");
	assert_int_equal(t.exec.nenv, 2);
	assert_string_equal(t.exec.env[0].name, "FOO");
	assert_string_equal(t.exec.env[0].value, "bar");
	assert_string_equal(t.exec.env[1].name, "EMPTY");
	assert_string_equal(t.exec.env[1].value, "");
	assert_null(t.exec.install_hint);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
}

static void test_insecure_and_anonymous(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;

	(void)state;
	kc = load_ok(fixture("auth.yaml"));
	resolve_ok(kc, "insecure", &t);
	assert_true(t.insecure);
	assert_null(t.ca);
	assert_string_equal(t.tls_server_name, "kubernetes.default.svc");
	assert_string_equal(t.proxy_url, "socks5://127.0.0.1:1080");
	assert_string_equal(t.namespace, "default");
	assert_int_equal(t.auth, KUBE_AUTH_NONE);
	assert_null(t.user);
	kube_target_clear(&t);

	resolve_ok(kc, "anonymous", &t);
	assert_int_equal(t.auth, KUBE_AUTH_NONE);
	assert_null(t.tls_server_name);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
}

static void test_context_list(void **state)
{
	static const char *const want[] = {
	    "token", "token-file", "cert-data", "cert-files", "basic",
	    "aks",   "converted",  "exec-v1",	"insecure",   "anonymous",
	};
	struct kubeconfig *kc;
	size_t i;

	(void)state;
	kc = load_ok(fixture("auth.yaml"));
	assert_int_equal(kc->ncontexts, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < kc->ncontexts; i++)
		assert_string_equal(kc->contexts[i].name, want[i]);
	assert_int_equal(kc->nclusters, 3);
	assert_int_equal(kc->nusers, 8);
	/* origins: file, line and index within the file */
	assert_int_equal(kc->users[1].from.line, 34);
	assert_int_equal(kc->users[1].from.index, 1);
	assert_int_equal(kc->users[1].token_file_line, 36);
	kubeconfig_free(&kc);
}

/* ---- errors ------------------------------------------------------------ */

static void test_missing_files(void **state)
{
	char *env;

	(void)state;
	load_fails(fixture("no-such.yaml"), "no-such.yaml (from --kubeconfig)",
		   "No such file or directory");
	env = xasprintf("%s:%s", fixture("gone1.yaml"), fixture("gone2.yaml"));
	setenv("KUBECONFIG", env, 1);
	free(env);
	load_fails(NULL, "no kubeconfig could be read from KUBECONFIG",
		   "gone1.yaml (No such file or directory), ");
	load_fails(NULL, "gone2.yaml (No such file or directory)", NULL);
	unsetenv("KUBECONFIG");
	load_fails(NULL, "/nonexistent-home-for-tests/.kube/config",
		   "No such file or directory");
	unsetenv("HOME");
	load_fails(NULL, "neither KUBECONFIG nor HOME is set", NULL);
	/* a directory exists but is not readable as a file */
	load_fails(data_dir, "cannot read kubeconfig", "not a regular file");
}

static void test_bad_yaml(void **state)
{
	(void)state;
	load_fails(fixture("bad-yaml.yaml"),
		   "bad-yaml.yaml:5: bad YAML: mapping values are not allowed"
		   " in this context (column ",
		   NULL);
}

/* A FIFO (or any file that is not regular) is refused at once instead of
 * blocking for ever; so is a certificate file that is a FIFO. */
static void test_not_a_regular_file(void **state)
{
	char fifo[4096], *text;
	const char *path;

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo-kubeconfig", tmp_dir);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	load_fails(fifo, "not a regular file", NULL);
	load_fails(tmp_dir, "not a regular file", NULL);
	text = xasprintf("apiVersion: v1\nkind: Config\nclusters:\n"
			 "- name: c\n  cluster:\n    server: https://x\n"
			 "    certificate-authority: %s\n"
			 "users:\n- name: u\n  user: {token: t}\n"
			 "contexts:\n- name: x\n  context: {cluster: c, "
			 "user: u}\ncurrent-context: x\n",
			 fifo);
	path = write_tmp("fifo-ca.yaml", text);
	resolve_fails(path, NULL, "certificate-authority", "not a regular");
	free(text);
	unlink(fifo);
}

/* Deeply nested collections stop at the depth cap with the line, instead
 * of costing minutes; an ordinary nesting (an exec env list, our
 * extension) loads. */
static void test_depth_cap(void **state)
{
	size_t n = 100000, i;
	char *text = xmalloc(2 * n + 64), *p = text;
	const char *path;
	struct kubeconfig *kc;
	struct kube_target t;

	(void)state;
	p += snprintf(p, 64, "apiVersion: v1\nkind: Config\nclusters: ");
	for (i = 0; i < n; i++)
		*p++ = '[';
	for (i = 0; i < n; i++)
		*p++ = ']';
	*p++ = '\n';
	*p = '\0';
	path = write_tmp("deep.yaml", text);
	load_fails(path, "deep.yaml:3: nested more than 32 levels deep", NULL);
	free(text);
	path = write_tmp(
	    "ext.yaml",
	    "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n"
	    "  cluster:\n    server: http://127.0.0.1:8080\n"
	    "    extensions:\n    - name: someone-else\n"
	    "      extension: {a: {b: [1, 2]}}\n    - name: jumpdeck\n"
	    "      extension:\n        allow-credentials-over-http: true\n"
	    "users:\n- name: u\n  user:\n    exec:\n"
	    "      apiVersion: client.authentication.k8s.io/v1\n"
	    "      command: kubelogin\n      interactiveMode: Never\n"
	    "      env:\n      - {name: A, value: b}\n"
	    "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
	    "current-context: x\n");
	kc = load_ok(path);
	resolve_ok(kc, NULL, &t);
	assert_true(t.allow_plain_http);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	path = write_tmp("ext-bad.yaml",
			 "apiVersion: v1\nkind: Config\nclusters:\n"
			 "- name: c\n  cluster:\n    server: http://x\n"
			 "    extensions:\n    - name: jumpdeck\n"
			 "      extension:\n"
			 "        allow-credentials-over-http: maybe\n");
	load_fails(path, "allow-credentials-over-http: expected true or false",
		   NULL);
}

static void test_unknown_context(void **state)
{
	(void)state;
	resolve_fails(fixture("auth.yaml"), "prod",
		      "context \"prod\" not found", "(contexts in ");
	resolve_fails(fixture("auth.yaml"), "prod",
		      "/auth.yaml: token, token-file, cert-data", NULL);
	/* a current-context naming nothing points at its line */
	resolve_fails(write_tmp("cur.yaml", "clusters:\n- name: c\n"
					    "  cluster:\n"
					    "    server: https://c\n"
					    "current-context: gone\n"),
		      NULL, "cur.yaml:5: current-context \"gone\" not found",
		      "(no contexts in ");
	resolve_fails(fixture("c-nocurrent.yaml"), NULL, "no context chosen",
		      "contexts in ");
}

static void test_missing_user(void **state)
{
	(void)state;
	resolve_fails(
	    fixture("missing-user.yaml"), NULL,
	    "missing-user.yaml:17: contexts[1] (\"prod\").context.user:"
	    " user \"nobody\" not found (users in ",
	    ": u1, u2)");
	/* the good context of the same file still works */
	{
		struct kubeconfig *kc = load_ok(fixture("missing-user.yaml"));
		struct kube_target t;

		resolve_ok(kc, "ok", &t);
		assert_string_equal(t.token, "x");
		kube_target_clear(&t);
		kubeconfig_free(&kc);
	}
}

static void test_bad_base64(void **state)
{
	(void)state;
	load_fails(fixture("bad-base64.yaml"),
		   "bad-base64.yaml:13: users[1] (\"clusterUser_rg_aks\")"
		   ".user.client-key-data: invalid base64 at byte 37",
		   NULL);
}

static void test_missing_key_file(void **state)
{
	(void)state;
	resolve_fails(fixture("missing-key.yaml"), NULL,
		      "missing-key.yaml:10: users[0] (\"u\").user.client-key:"
		      " cannot read /",
		      "/kubeconfig/files/missing.key: No such file or"
		      " directory");
}

static void test_exec_v1_without_mode(void **state)
{
	(void)state;
	resolve_fails(fixture("exec-v1-no-mode.yaml"), NULL,
		      "exec-v1-no-mode.yaml:9: users[0] (\"u\").user.exec"
		      ".interactiveMode: missing",
		      "requires Never, IfAvailable or Always");
}

static void test_empty_file(void **state)
{
	(void)state;
	load_fails(fixture("empty.yaml"),
		   "empty.yaml (from --kubeconfig) is"
		   " empty",
		   NULL);
	load_fails(write_tmp("comments.yaml", "# nothing here\n---\n"),
		   "comments.yaml (from --kubeconfig) is empty", NULL);
	setenv("KUBECONFIG", fixture("empty.yaml"), 1);
	load_fails(NULL, "empty.yaml (empty)", NULL);
}

#define CLUSTER_C   "clusters:\n- name: c\n  cluster:\n    server: https://c\n"
#define CONTEXT_C_U "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"

static void test_more_errors(void **state)
{
	(void)state;
	/* half a client certificate */
	resolve_fails(write_tmp("half.yaml", CLUSTER_C CONTEXT_C_U
				"users:\n- name: u\n  user:\n"
				"    client-certificate: /etc/hostname\n"),
		      "x",
		      "half.yaml:11: users[0] (\"u\").user:"
		      " client-certificate without client-key",
		      NULL);
	resolve_fails(write_tmp("half2.yaml", CLUSTER_C CONTEXT_C_U
				"users:\n- name: u\n  user:\n"
				"    client-key-data: YWJj\n"),
		      "x",
		      "users[0] (\"u\").user: client-key-data without"
		      " client-certificate",
		      NULL);
	/* token and basic auth together */
	resolve_fails(write_tmp("two.yaml", CLUSTER_C CONTEXT_C_U
				"users:\n- name: u\n  user:\n"
				"    token: t\n    username: a\n"),
		      "x",
		      "two.yaml:9: users[0] (\"u\").user: more than one"
		      " authentication method",
		      NULL);
	/* insecure plus a CA */
	resolve_fails(
	    write_tmp("insecure.yaml", CLUSTER_C
		      "    insecure-skip-tls-verify: yes\n"
		      "    certificate-authority-data: YWJj\n"
		      "contexts:\n- name: x\n  context: {cluster: c}\n"),
	    "x",
	    "insecure.yaml:2: clusters[0] (\"c\").cluster:"
	    " insecure-skip-tls-verify cannot be combined",
	    NULL);
	/* no server */
	resolve_fails(
	    write_tmp("noserver.yaml",
		      "clusters:\n- name: c\n  cluster: {}\n"
		      "contexts:\n- name: x\n  context: {cluster: c}\n"),
	    "x",
	    "noserver.yaml:2: clusters[0] (\"c\").cluster.server:"
	    " missing",
	    NULL);
	/* unknown cluster */
	resolve_fails(write_tmp("nocluster.yaml",
				CLUSTER_C "contexts:\n- name: x\n  context:\n"
					  "    cluster: elsewhere\n"),
		      "x",
		      "nocluster.yaml:8: contexts[0] (\"x\").context."
		      "cluster: cluster \"elsewhere\" not found",
		      ": c)");
	/* exec problems */
	resolve_fails(
	    write_tmp("alpha.yaml", CLUSTER_C CONTEXT_C_U
		      "users:\n- name: u\n  user:\n    exec:\n"
		      "      apiVersion: client.authentication.k8s.io"
		      "/v1alpha1\n      command: x\n"),
	    "x", "alpha.yaml:11: users[0] (\"u\").user.exec.apiVersion",
	    "no longer supported");
	resolve_fails(
	    write_tmp("mode.yaml", CLUSTER_C CONTEXT_C_U
		      "users:\n- name: u\n  user:\n    exec:\n"
		      "      apiVersion: client.authentication.k8s.io"
		      "/v1\n      command: x\n"
		      "      interactiveMode: Sometimes\n"),
	    "x",
	    "mode.yaml:14: users[0] (\"u\").user.exec."
	    "interactiveMode: must be Never, IfAvailable or"
	    " Always",
	    NULL);
	resolve_fails(
	    write_tmp("nocmd.yaml", CLUSTER_C CONTEXT_C_U
		      "users:\n- name: u\n  user:\n    exec:\n"
		      "      apiVersion: client.authentication.k8s.io"
		      "/v1beta1\n"),
	    "x",
	    "nocmd.yaml:11: users[0] (\"u\").user.exec.command:"
	    " missing",
	    NULL);
	/* the removed azure auth provider */
	resolve_fails(write_tmp("azure.yaml", CLUSTER_C CONTEXT_C_U
				"users:\n- name: u\n  user:\n"
				"    auth-provider:\n      name: azure\n"),
		      "x",
		      "azure.yaml:11: users[0] (\"u\").user.auth-provider:"
		      " \"azure\" is not supported",
		      "kubelogin convert-kubeconfig");
	/* missing CA file and token file */
	resolve_fails(
	    write_tmp("noca.yaml", CLUSTER_C
		      "    certificate-authority: no/ca.pem\n"
		      "contexts:\n- name: x\n  context: {cluster: c}\n"),
	    "x",
	    "noca.yaml:5: clusters[0] (\"c\").cluster."
	    "certificate-authority: cannot read /",
	    "/no/ca.pem: No such file or directory");
	resolve_fails(write_tmp("notok.yaml", CLUSTER_C CONTEXT_C_U
				"users:\n- name: u\n  user:\n"
				"    tokenFile: /no/such/token\n"),
		      "x",
		      "notok.yaml:11: users[0] (\"u\").user.tokenFile:"
		      " cannot read /no/such/token",
		      NULL);
}

static void test_structure_errors(void **state)
{
	(void)state;
	load_fails(write_tmp("scalar.yaml", "just text\n"),
		   "scalar.yaml:1: not a kubeconfig: expected a mapping",
		   NULL);
	load_fails(write_tmp("list.yaml", "clusters: oops\n"),
		   "list.yaml:1: clusters: expected a list, found a string",
		   NULL);
	load_fails(write_tmp("item.yaml", "users:\n- just-a-name\n"),
		   "item.yaml:2: users[0]: expected a mapping", NULL);
	load_fails(write_tmp("noname.yaml", "users:\n- user: {token: t}\n"),
		   "noname.yaml:2: users[0]: no name", NULL);
	load_fails(write_tmp("dup.yaml", "users:\n- name: a\n- name: b\n"
					 "- name: a\n"),
		   "dup.yaml:4: users[2]: duplicate name \"a\", already used"
		   " by users[0] at line 2",
		   NULL);
	load_fails(write_tmp("type.yaml", CLUSTER_C "    server2: x\n"
						    "    proxy-url: [a, b]\n"),
		   "type.yaml:6: clusters[0] (\"c\").cluster.proxy-url:"
		   " expected a string, found a list",
		   NULL);
	load_fails(write_tmp("bool.yaml", CLUSTER_C
			     "    insecure-skip-tls-verify: maybe\n"),
		   "bool.yaml:5: clusters[0] (\"c\").cluster.insecure-skip-"
		   "tls-verify: expected true or false, found \"maybe\"",
		   NULL);
	load_fails(write_tmp("args.yaml",
			     "users:\n- name: u\n  user:\n    exec:\n"
			     "      args: [a, {b: c}]\n"),
		   "args.yaml:5: users[0] (\"u\").user.exec.args[1]: expected"
		   " a string, found a mapping",
		   NULL);
	load_fails(write_tmp("bin.yaml", "clusters: [\xff]\n"),
		   "bin.yaml: bad YAML: ", NULL);
}

/* A broken user that the chosen context does not use does not matter. */
static void test_unused_broken_user(void **state)
{
	struct kubeconfig *kc;
	struct kube_target t;

	(void)state;
	kc = load_ok(write_tmp("unused.yaml", CLUSTER_C
			       "users:\n- name: broken\n  user:\n"
			       "    exec: {apiVersion: client.authentication"
			       ".k8s.io/v1, command: x}\n"
			       "- name: fine\n  user: {token: t}\n"
			       "contexts:\n- name: x\n"
			       "  context: {cluster: c, user: fine}\n"
			       "preferences: {}\n"));
	resolve_ok(kc, "x", &t);
	assert_int_equal(t.auth, KUBE_AUTH_TOKEN);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
}

/* base64 is only reached through kubeconfig here, so it is tested here. */
static void test_base64(void **state)
{
	static const char *const enc[] = {
	    "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
	};
	unsigned char bytes[256], *out;
	size_t len, i;
	char *s;
	struct err e = {0};

	(void)state;
	for (i = 0; i < 7; i++) {
		s = base64_encode((const unsigned char *)"foobar", i);
		assert_string_equal(s, enc[i]);
		free(s);
		assert_int_equal(
		    base64_decode(enc[i], strlen(enc[i]), &out, &len, &e), 0);
		assert_int_equal(len, i);
		assert_memory_equal(out, "foobar", i);
		assert_int_equal(out[len], 0);
		free(out);
	}
	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(255 - i);
	s = base64_encode(bytes, sizeof(bytes));
	assert_int_equal(base64_decode(s, strlen(s), &out, &len, &e), 0);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(out, bytes, len);
	free(out);
	free(s);
	/* whitespace and line breaks anywhere; padding optional */
	s = xstrdup(" Zm9v\r\nYmE =\n");
	assert_int_equal(base64_decode(s, strlen(s), &out, &len, &e), 0);
	free(s);
	assert_int_equal(len, 5);
	free(out);
	assert_int_equal(base64_decode("Zm9vYg", 6, &out, &len, &e), 0);
	assert_int_equal(len, 4);
	free(out);
	/* errors name the byte */
	assert_true(base64_decode("Zm9v!mFy", 8, &out, &len, &e) < 0);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_string_equal(e.msg, "invalid base64 at byte 4");
	assert_int_equal(e.code, ERR_PARSE);
	assert_true(base64_decode("Zm9vY", 5, &out, &len, &e) < 0);
	assert_string_equal(e.msg, "invalid base64 at byte 4");
	assert_true(base64_decode("Zg==Zg==", 8, &out, &len, &e) < 0);
	assert_string_equal(e.msg, "invalid base64 at byte 4");
	assert_true(base64_decode("Z===", 4, &out, &len, &e) < 0);
	assert_true(base64_decode("Zg=", 3, &out, &len, &e) < 0);
	assert_true(base64_decode("Zm9v-_", 6, &out, &len, &e) < 0);
	assert_string_equal(e.msg, "invalid base64 at byte 4");
}

static int cleanup_tmp(void)
{
	static const char *const names[] = {
	    "cur.yaml",	      "half.yaml",     "half2.yaml",
	    "two.yaml",	      "insecure.yaml", "noserver.yaml",
	    "nocluster.yaml", "alpha.yaml",    "mode.yaml",
	    "nocmd.yaml",     "azure.yaml",    "noca.yaml",
	    "notok.yaml",     "scalar.yaml",   "list.yaml",
	    "item.yaml",      "noname.yaml",   "dup.yaml",
	    "type.yaml",      "bool.yaml",     "args.yaml",
	    "bin.yaml",	      "unused.yaml",   "comments.yaml",
	};
	char *path;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path = xasprintf("%s/%s", tmp_dir, names[i]);
		unlink(path);
		free(path);
	}
	rc = rmdir(tmp_dir);
	free(tmp_dir);
	free(data_dir);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_merge_first_wins, reset_env),
	    cmocka_unit_test_setup(test_merge_current_from_later_file,
				   reset_env),
	    cmocka_unit_test_setup(test_explicit_wins, reset_env),
	    cmocka_unit_test_setup(test_home_default, reset_env),
	    cmocka_unit_test_setup(test_relative_explicit_path, reset_env),
	    cmocka_unit_test_setup(test_auth_token, reset_env),
	    cmocka_unit_test_setup(test_auth_client_cert, reset_env),
	    cmocka_unit_test_setup(test_auth_basic, reset_env),
	    cmocka_unit_test_setup(test_auth_exec_aks, reset_env),
	    cmocka_unit_test_setup(test_auth_exec_v1, reset_env),
	    cmocka_unit_test_setup(test_insecure_and_anonymous, reset_env),
	    cmocka_unit_test_setup(test_context_list, reset_env),
	    cmocka_unit_test_setup(test_missing_files, reset_env),
	    cmocka_unit_test_setup(test_bad_yaml, reset_env),
	    cmocka_unit_test_setup(test_not_a_regular_file, reset_env),
	    cmocka_unit_test_setup(test_depth_cap, reset_env),
	    cmocka_unit_test_setup(test_unknown_context, reset_env),
	    cmocka_unit_test_setup(test_missing_user, reset_env),
	    cmocka_unit_test_setup(test_bad_base64, reset_env),
	    cmocka_unit_test_setup(test_missing_key_file, reset_env),
	    cmocka_unit_test_setup(test_exec_v1_without_mode, reset_env),
	    cmocka_unit_test_setup(test_empty_file, reset_env),
	    cmocka_unit_test_setup(test_more_errors, reset_env),
	    cmocka_unit_test_setup(test_structure_errors, reset_env),
	    cmocka_unit_test_setup(test_unused_broken_user, reset_env),
	    cmocka_unit_test(test_base64),
	};
	const char *src = getenv("JD_SRCDIR");
	char cwd[4096];
	int rc;

	/* run from the repository root (tests/run.sh does), or JD_SRCDIR */
	if (!src || !*src) {
		if (!getcwd(cwd, sizeof(cwd)))
			return 1;
		src = cwd;
	}
	data_dir = xasprintf("%s/tests/unit/data/kubeconfig", src);
	if (access(data_dir, R_OK) != 0) {
		fprintf(stderr, "test_kubeconfig: no fixtures in %s\n",
			data_dir);
		return 1;
	}
	tmp_dir = xasprintf("%s/jd-kubeconfig.XXXXXX",
			    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp_dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cleanup_tmp();
	return rc;
}
