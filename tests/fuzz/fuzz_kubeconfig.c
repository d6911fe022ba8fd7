/* fuzz_kubeconfig.c - libFuzzer target for kubeconfig files: a file that
 * loads gives valid UTF-8 names and values, findable by name, and every
 * context resolves or says why in a sentence that quotes no token. Not a
 * test of the merge across several files.
 *
 * Input: the file's bytes (written to a scratch file: the loader reads
 * paths). Relative paths in it resolve inside the scratch directory.
 */
#include "fuzz.h"

#include <unistd.h>

#include "backend/kubeconfig.h"

static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/jd-fuzz-kc.XXXXXX";

	(void)argc;
	(void)argv;
	fz_locale();
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/config", dir);
	return 0;
}

#define UTF8(s, what) FZ_CHECK(!(s) || fz_utf8_valid((s), strlen(s)), what)

static void check_target(const struct kube_target *t)
{
	FZ_CHECK(t->server && t->server[0], "a resolved context without a "
					    "server");
	FZ_CHECK(t->namespace && t->namespace[0], "a resolved context "
						  "without a namespace");
	FZ_CHECK(t->auth != KUBE_AUTH_EXEC ||
		     (t->exec.command &&
		      t->exec.interactive_mode != KUBE_INTERACTIVE_UNSET),
		 "an exec user without a command or an interactive mode");
}

static void check_no_token(const struct kubeconfig *kc, const char *msg)
{
	size_t i;

	for (i = 0; i < kc->nusers; i++) {
		const char *t = kc->users[i].token;

		if (t && strlen(t) >= 16)
			FZ_CHECK(!strstr(msg, t), "a sentence quotes a token");
		t = kc->users[i].password;
		if (t && strlen(t) >= 16)
			FZ_CHECK(!strstr(msg, t), "a sentence quotes a "
						  "password");
	}
}

static void resolve(const struct kubeconfig *kc, const char *ctx)
{
	struct kube_target t;
	struct err e;

	memset(&e, 0, sizeof(e));
	if (kubeconfig_resolve(kc, ctx, &t, &e) == 0) {
		check_target(&t);
		kube_target_clear(&t);
	} else {
		FZ_CHECK(e.msg[0], "a context that does not resolve has no "
				   "sentence");
		check_no_token(kc, e.msg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubeconfig *kc = NULL;
	struct err e;
	FILE *f = fopen(path, "wb");
	size_t i;

	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	memset(&e, 0, sizeof(e));
	if (kubeconfig_load(&kc, path, &e) < 0) {
		FZ_CHECK(!kc, "a failed load returned a kubeconfig");
		FZ_CHECK(e.msg[0], "a failed load has no sentence");
		return 0;
	}
	for (i = 0; i < kc->nclusters; i++) {
		const struct kubeconfig_cluster *c = &kc->clusters[i];

		UTF8(c->name, "a cluster name is not UTF-8");
		UTF8(c->server, "a server is not UTF-8");
		FZ_CHECK(!c->name ||
			     kubeconfig_find_cluster(kc, c->name) != NULL,
			 "a cluster cannot be found by its name");
	}
	for (i = 0; i < kc->nusers; i++) {
		UTF8(kc->users[i].name, "a user name is not UTF-8");
		UTF8(kc->users[i].token, "a token is not UTF-8");
	}
	for (i = 0; i < kc->ncontexts; i++) {
		const struct kubeconfig_context *c = &kc->contexts[i];

		UTF8(c->name, "a context name is not UTF-8");
		UTF8(c->namespace, "a namespace is not UTF-8");
		FZ_CHECK(!c->name ||
			     kubeconfig_find_context(kc, c->name) != NULL,
			 "a context cannot be found by its name");
		if (c->name && i < 8)
			resolve(kc, c->name);
	}
	UTF8(kc->current_context, "current-context is not UTF-8");
	resolve(kc, NULL);
	kubeconfig_free(&kc);
	FZ_CHECK(!kc, "kubeconfig_free did not clear the pointer");
	return 0;
}
