/* test_manifests.c - unit tests of the placeholder rewrite on a copy of a
 * tree laid out like the reference implementation's cluster-manifests
 * (tests/unit/data/manifests): what is found, the diff, the atomic write
 * that keeps modes, leading "---" and missing final newlines, refusals
 * (a file that does not parse, a read-only file, bad names, a file
 * changed after the diff), the all-or-nothing rollback and a second run
 * that finds nothing to do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/audit.h"
#include "backend/change.h"
#include "backend/manifests.h"

#define SRC "tests/unit/data/manifests"

struct fx {
	char dir[64];
	char clone[128];
	char log[128];
	struct change_log *log_h;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char cmd[300];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/jd-manifests-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->clone, sizeof(f->clone), "%s/clone", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/audit.log", f->dir);
	snprintf(cmd, sizeof(cmd), "cp -R %s %s", SRC, f->clone);
	if (system(cmd) != 0)
		return -1;
	f->log_h = change_log_new(f->log, 0);
	unsetenv("SUDO_USER");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	change_log_free(&f->log_h);
	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", f->dir,
		 f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static char *slurp(const char *dir, const char *rel, size_t *len)
{
	char path[512];
	FILE *fp;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void spit(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int file_mode(const char *dir, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(stat(path, &st), 0);
	return (int)(st.st_mode & 07777);
}

static struct change *begin(struct fx *f)
{
	struct change_req r = {.action = "manifests.rewrite",
			       .target = f->clone,
			       .identity = "os user test"};
	struct err e;
	struct change *c;

	err_clear(&e);
	c = change_begin(f->log_h, &r, &e);
	assert_non_null(c);
	return c;
}

/* Every file of the tree, concatenated, to prove nothing else moved. */
static char *snapshot(const char *clone)
{
	char cmd[300];
	FILE *p;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && find . -type f | LC_ALL=C sort | "
		 "xargs -d '\\n' sha256sum",
		 clone);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, 4096, p);
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	pclose(p);
	return buf;
}

static void test_scan_counts_what_the_walkthrough_would_change(void **state)
{
	struct fx *f = *state;
	struct manifests_scan s;
	struct err e;

	err_clear(&e);
	assert_int_equal(manifests_scan_dir(f->clone, &s, &e), 0);
	/* 8 kustomization files and gotk-sync.yaml; the README, the falco
	 * configmap and workload/ mention the placeholder and are not in
	 * the walkthrough's grep. */
	assert_int_equal(s.files, 9);
	assert_int_equal(s.registry_files, 4);
	assert_int_equal(s.registry_count, 6);
	assert_int_equal(s.account_count, 1);
	assert_int_equal(s.have_sync, 1);
	assert_string_equal(s.first_registry,
			    "cluster-manifests/cluster-baseline-settings/"
			    "kustomization.yaml");
}

static void test_locate_accepts_clone_or_folder(void **state)
{
	struct fx *f = *state;
	struct manifests_where w;
	char dir[200];
	struct err e;

	err_clear(&e);
	assert_int_equal(manifests_locate(f->clone, &w, &e), 0);
	assert_string_equal(w.root, f->clone);
	manifests_where_clear(&w);
	snprintf(dir, sizeof(dir), "%s/cluster-manifests", f->clone);
	assert_int_equal(manifests_locate(dir, &w, &e), 0);
	assert_string_equal(w.root, f->clone);
	assert_string_equal(w.dir, dir);
	manifests_where_clear(&w);
	assert_int_equal(manifests_locate(f->dir, &w, &e), -ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "has no cluster-manifests folder"));
	manifests_where_clear(&w);
}

static void test_diff_then_apply_then_nothing_to_do(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct err e;
	char *diff, *before, *after, *text;
	size_t n, len;
	const struct change *c;

	err_clear(&e);
	before = snapshot(f->clone);
	{
		char path[300];

		snprintf(path, sizeof(path),
			 "%s/cluster-manifests/falco-system/"
			 "kustomization.yaml",
			 f->clone);
		assert_int_equal(chmod(path, 0640), 0);
	}
	assert_int_equal(manifests_plan(&p, f->clone,
					MANIFESTS_REGISTRY | MANIFESTS_ACCOUNT,
					"acrakstest", "contoso-ops", &e),
			 0);
	assert_int_equal(p.n, 5);
	diff = manifests_diff(&p);
	/* A file without a final newline, its last line changed. */
	assert_non_null(strstr(
	    diff,
	    "--- a/cluster-manifests/falco-system/kustomization.yaml\n"
	    "+++ b/cluster-manifests/falco-system/kustomization.yaml\n"
	    "@@ -12,4 +12,4 @@\n"
	    "   - daemonset.yaml\n"
	    " images:\n"
	    "   - name: docker.io/falcosecurity/falco\n"
	    "-    newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/"
	    "falcosecurity/falco\n"
	    "\\ No newline at end of file\n"
	    "+    newName: acrakstest.azurecr.io/live/falcosecurity/falco\n"
	    "\\ No newline at end of file\n"));
	/* Two changes a line apart: one hunk. */
	assert_non_null(strstr(
	    diff, "@@ -11,6 +11,6 @@\n"
		  "   - rbac.yaml\n"
		  " images:\n"
		  "   - name: ghcr.io/fluxcd/kustomize-controller\n"
		  "-    newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/"
		  "fluxcd/kustomize-controller\n"
		  "+    newName: acrakstest.azurecr.io/live/fluxcd/"
		  "kustomize-controller\n"
		  "   - name: ghcr.io/fluxcd/source-controller\n"
		  "-    newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/"
		  "fluxcd/source-controller\n"
		  "+    newName: acrakstest.azurecr.io/live/fluxcd/"
		  "source-controller\n"
		  "--- a/"));
	assert_non_null(strstr(diff, "-  url: https://github.com/"
				     "REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/"
				     "aks-baseline-regulated\n"
				     "+  url: https://github.com/contoso-ops/"
				     "aks-baseline-regulated\n"));
	/* The diff alone changes nothing. */
	after = snapshot(f->clone);
	assert_string_equal(before, after);
	free(after);

	assert_int_equal(manifests_apply(&p, begin(f), &e), 0);
	n = change_log_count(f->log_h);
	c = change_log_at(f->log_h, n - 1);
	assert_int_equal(c->state, CHANGE_SUCCEEDED);
	assert_string_equal(c->message, "rewrote 7 placeholders in 5 files");
	manifests_plan_free(&p);
	free(diff);

	/* Contents, modes, the leading "---", the missing final newline. */
	text = slurp(f->clone,
		     "cluster-manifests/falco-system/"
		     "kustomization.yaml",
		     &len);
	assert_true(len > 0 && text[len - 1] != '\n');
	assert_non_null(strstr(text, "newName: acrakstest.azurecr.io/live/"
				     "falcosecurity/falco"));
	free(text);
	assert_int_equal(file_mode(f->clone,
				   "cluster-manifests/"
				   "falco-system/kustomization.yaml"),
			 0640);
	text = slurp(f->clone, "cluster-manifests/flux-system/gotk-sync.yaml",
		     &len);
	assert_memory_equal(text, "---\napiVersion:", 15);
	assert_true(text[len - 1] == '\n');
	assert_non_null(strstr(text, "https://github.com/contoso-ops/"
				     "aks-baseline-regulated\n"));
	free(text);
	/* Nothing else: the README, the configmap comment, workload/. */
	text = slurp(f->clone, "cluster-manifests/README.md", NULL);
	assert_non_null(strstr(text, "REPLACE_ME_WITH_YOUR_ACRNAME"));
	free(text);
	text = slurp(f->clone, "cluster-manifests/falco-system/configmap.yaml",
		     NULL);
	assert_non_null(strstr(text, "REPLACE_ME_WITH_YOUR_ACRNAME"));
	free(text);
	text = slurp(f->clone,
		     "workload/a0005-i/web-frontend/"
		     "kustomization.yaml",
		     NULL);
	assert_non_null(strstr(text, "REPLACE_ME_WITH_YOUR_ACRNAME"));
	free(text);
	/* No temporary file left behind. */
	after = snapshot(f->clone);
	assert_null(strstr(after, ".tmp."));
	free(after);
	free(before);

	/* A second run finds nothing to do. */
	assert_int_equal(manifests_plan(&p, f->clone,
					MANIFESTS_REGISTRY | MANIFESTS_ACCOUNT,
					"acrakstest", "contoso-ops", &e),
			 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.scan.registry_count, 0);
	assert_int_equal(p.scan.account_count, 0);
	manifests_plan_free(&p);
}

static void test_only_one_placeholder(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct manifests_scan s;
	struct err e;

	err_clear(&e);
	assert_int_equal(manifests_plan(&p, f->clone, MANIFESTS_REGISTRY,
					"acrakstest", NULL, &e),
			 0);
	assert_int_equal(p.n, 4);
	assert_int_equal(manifests_apply(&p, begin(f), &e), 0);
	manifests_plan_free(&p);
	assert_int_equal(manifests_scan_dir(f->clone, &s, &e), 0);
	assert_int_equal(s.registry_count, 0);
	assert_int_equal(s.account_count, 1);
}

static void test_file_that_does_not_parse_is_refused(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct err e;
	char *before, *after, path[300];

	snprintf(path, sizeof(path), "%s/cluster-manifests/broken", f->clone);
	assert_int_equal(mkdir(path, 0755), 0);
	spit(f->clone, "cluster-manifests/broken/kustomization.yaml",
	     "apiVersion: kustomize.config.k8s.io/v1beta1\n"
	     "images:\n"
	     "  - name: busybox\n"
	     "    newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/x\n"
	     "   bad: [unclosed\n");
	before = snapshot(f->clone);
	err_clear(&e);
	assert_int_equal(manifests_plan(&p, f->clone,
					MANIFESTS_REGISTRY | MANIFESTS_ACCOUNT,
					"acrakstest", "contoso-ops", &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg,
			    "cluster-manifests/broken/kustomization.yaml:5:4: "
			    "did not find expected '-' indicator (while "
			    "parsing a block collection)");
	manifests_plan_free(&p);
	after = snapshot(f->clone);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_read_only_file_is_refused(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct err e;
	char *before, *after, path[300];

	snprintf(path, sizeof(path),
		 "%s/cluster-manifests/ingress-nginx/kustomization.yaml",
		 f->clone);
	assert_int_equal(chmod(path, 0444), 0);
	before = snapshot(f->clone);
	err_clear(&e);
	assert_int_equal(manifests_plan(&p, f->clone, MANIFESTS_REGISTRY,
					"acrakstest", NULL, &e),
			 -ERR_DENIED);
	assert_string_equal(e.msg, "cluster-manifests/ingress-nginx/"
				   "kustomization.yaml is read-only "
				   "(mode 0444)");
	manifests_plan_free(&p);
	after = snapshot(f->clone);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_names_are_checked(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct err e;

	err_clear(&e);
	assert_int_equal(manifests_plan(&p, f->clone, MANIFESTS_REGISTRY,
					"acr/x", NULL, &e),
			 -ERR_USAGE);
	assert_non_null(strstr(e.msg, "is not a registry name"));
	manifests_plan_free(&p);
	assert_int_equal(
	    manifests_plan(&p, f->clone, MANIFESTS_ACCOUNT, NULL, "-bad", &e),
	    -ERR_USAGE);
	assert_non_null(strstr(e.msg, "is not a GitHub account name"));
	manifests_plan_free(&p);
	assert_int_equal(manifests_valid_account("a--b", &e), -ERR_USAGE);
	assert_int_equal(manifests_valid_account("contoso-ops", &e), 0);
	assert_int_equal(manifests_valid_registry("acr1", &e), -ERR_USAGE);
	assert_int_equal(manifests_valid_registry("acraks1x2y3z", &e), 0);
}

static void test_unaudited_apply_is_refused(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct err e;
	char *before, *after;

	err_clear(&e);
	before = snapshot(f->clone);
	assert_int_equal(manifests_plan(&p, f->clone, MANIFESTS_REGISTRY,
					"acrakstest", NULL, &e),
			 0);
	assert_int_equal(manifests_apply(&p, NULL, &e), -ERR_USAGE);
	manifests_plan_free(&p);
	after = snapshot(f->clone);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_file_changed_after_the_diff(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct err e;
	char *text;
	const struct change *c;

	err_clear(&e);
	assert_int_equal(manifests_plan(&p, f->clone, MANIFESTS_REGISTRY,
					"acrakstest", NULL, &e),
			 0);
	/* Someone edits a planned file meanwhile. */
	spit(f->clone, "cluster-manifests/ingress-nginx/kustomization.yaml",
	     "images: []\n");
	assert_int_equal(manifests_apply(&p, begin(f), &e), -ERR_CONFLICT);
	assert_string_equal(e.msg, "cluster-manifests/ingress-nginx/"
				   "kustomization.yaml changed since the diff "
				   "was made; nothing was changed");
	c = change_log_at(f->log_h, change_log_count(f->log_h) - 1);
	assert_int_equal(c->state, CHANGE_FAILED);
	manifests_plan_free(&p);
	text = slurp(f->clone,
		     "cluster-manifests/cluster-baseline-settings/"
		     "kustomization.yaml",
		     NULL);
	assert_non_null(strstr(text, "REPLACE_ME_WITH_YOUR_ACRNAME"));
	free(text);
}

/* The last file cannot be written (a file size limit): the ones already
 * replaced are put back. */
static void test_failure_puts_everything_back(void **state)
{
	struct fx *f = *state;
	struct manifests_plan p;
	struct rlimit old, lim;
	struct err e;
	char *before, *after, *big, *sync;
	size_t len;
	int rc;

	sync = slurp(f->clone, "cluster-manifests/flux-system/gotk-sync.yaml",
		     &len);
	big = malloc(len + 70000);
	memcpy(big, sync, len);
	memset(big + len, '#', 65536);
	memcpy(big + len + 65536, "\n", 2);
	spit(f->clone, "cluster-manifests/flux-system/gotk-sync.yaml", big);
	free(big);
	free(sync);
	before = snapshot(f->clone);
	err_clear(&e);
	assert_int_equal(manifests_plan(&p, f->clone,
					MANIFESTS_REGISTRY | MANIFESTS_ACCOUNT,
					"acrakstest", "contoso-ops", &e),
			 0);
	assert_int_equal(p.n, 5);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 32768;
	setrlimit(RLIMIT_FSIZE, &lim);
	rc = manifests_apply(&p, begin(f), &e);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(rc, -ERR_IO);
	assert_non_null(strstr(e.msg, "gotk-sync.yaml"));
	assert_non_null(strstr(e.msg, "; nothing was changed"));
	manifests_plan_free(&p);
	after = snapshot(f->clone);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_yaml_check_positions(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(
	    manifests_check_yaml("x.yaml", "a: 1\nb: [1, 2\n", 14, &e),
	    -ERR_PARSE);
	assert_string_equal(e.msg, "x.yaml:3:1: did not find expected ',' "
				   "or ']' (while parsing a flow sequence)");
	assert_int_equal(
	    manifests_check_yaml("ok.yaml", "---\na: 1\n---\n", 13, &e), 0);
	assert_int_equal(
	    manifests_check_yaml("tab.yaml", "a:\n\tb: 1\n", 9, &e),
	    -ERR_PARSE);
	assert_non_null(strstr(e.msg, "tab.yaml:2:1: "));
}

static void test_sync_url(void **state)
{
	struct fx *f = *state;
	struct manifests_where w;
	struct err e;
	char *url = NULL;

	err_clear(&e);
	assert_int_equal(manifests_locate(f->clone, &w, &e), 0);
	assert_int_equal(manifests_sync_url(&w, &url, &e), 0);
	assert_string_equal(url, "https://github.com/"
				 "REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/"
				 "aks-baseline-regulated");
	free(url);
	spit(f->clone, "cluster-manifests/flux-system/gotk-sync.yaml",
	     "---\nkind: Kustomization\nspec: {}\n");
	assert_int_equal(manifests_sync_url(&w, &url, &e), -ERR_NOTFOUND);
	assert_null(url);
	manifests_where_clear(&w);
}

static void test_symlinks_are_not_followed(void **state)
{
	struct fx *f = *state;
	struct manifests_scan s;
	char link[300], target[300];
	struct err e;

	/* A linked folder and a linked file are skipped, as grep -r does. */
	snprintf(link, sizeof(link), "%s/cluster-manifests/elsewhere",
		 f->clone);
	snprintf(target, sizeof(target), "%s/workload", f->clone);
	assert_int_equal(symlink(target, link), 0);
	snprintf(link, sizeof(link),
		 "%s/cluster-manifests/a0005-i/kustomization.yaml", f->clone);
	unlink(link);
	snprintf(target, sizeof(target),
		 "%s/workload/a0005-i/web-frontend/kustomization.yaml",
		 f->clone);
	assert_int_equal(symlink(target, link), 0);
	err_clear(&e);
	assert_int_equal(manifests_scan_dir(f->clone, &s, &e), 0);
	assert_int_equal(s.files, 8);
	assert_int_equal(s.registry_files, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_scan_counts_what_the_walkthrough_would_change, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_locate_accepts_clone_or_folder, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_diff_then_apply_then_nothing_to_do, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_only_one_placeholder, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_file_that_does_not_parse_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_file_is_refused,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names_are_checked, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unaudited_apply_is_refused,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_changed_after_the_diff,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_puts_everything_back,
					    setup, teardown),
	    cmocka_unit_test(test_yaml_check_positions),
	    cmocka_unit_test_setup_teardown(test_sync_url, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlinks_are_not_followed,
					    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
