/* fuzz_flux.c - libFuzzer target for the Flux models (sources,
 * Kustomizations, HelmReleases, controller Deployments): tables and tree
 * lines are terminal-safe and bounded, the JSON parses back, dependency
 * walks end, revisions fit their buffers. Not a test of the watch.
 *
 * Input: byte 0 picks the kind; the rest is a list or one object as JSON.
 * dictionary: json
 */
#include "fuzz.h"

#include <cjson/cJSON.h>
#include <time.h>

#include "backend/flux.h"
#include "cli/print.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void check_table(const struct flux_object *v, size_t n,
			enum flux_table which)
{
	struct fz_mem m;

	fz_mem_open(&m);
	flux_print_table(m.f, which, v, n, (time_t)1800000000);
	fz_mem_close(&m);
	FZ_CHECK(fz_terminal_safe(m.buf, m.len, 1),
		 "a Flux table is not terminal-safe");
	free(m.buf);
}

static void check_objects(struct flux_object *v, size_t n)
{
	struct flux_summary s;
	struct flux_dep_root root;
	char **lines = NULL, buf[FLUX_REVISION_SHORT_LEN], *t;
	size_t i, k, nl;
	cJSON *back;

	flux_objects_sort(v, n);
	for (i = 1; i < n; i++)
		FZ_CHECK(flux_compare(&v[i - 1], &v[i]) <= 0,
			 "flux_objects_sort left objects out of order");
	check_table(v, n, FLUX_TABLE_SOURCES);
	check_table(v, n, FLUX_TABLE_KUSTOMIZATIONS);
	flux_summarize(NULL, 0, v, n, &s);
	FZ_CHECK(s.sources + s.kustomizations + s.helmreleases == n,
		 "the summary does not count every object");
	t = flux_summary_text(&s, 0);
	FZ_SAFE_STR(t, "the summary text is not terminal-safe");
	free(t);
	t = flux_to_json(NULL, 0, v, n, &s);
	back = cJSON_Parse(t);
	FZ_CHECK(back, "flux_to_json wrote text that does not parse");
	cJSON_Delete(back);
	free(t);
	for (i = 0; i < n && i < 16; i++) {
		flux_dependency_root(&v[i], v, n, &root);
		t = flux_dependency_text(&root);
		FZ_CHECK(t, "no dependency text");
		free(t);
		nl = flux_tree_lines(&v[i], v, n, &lines);
		FZ_CHECK(nl >= 1 && nl <= 1100, "a tree of unbounded size");
		for (k = 0; k < nl; k++)
			FZ_SAFE_STR(lines[k], "a tree line is not "
					      "terminal-safe");
		flux_lines_free(&lines, nl);
		flux_revision_short(v[i].revision, buf, sizeof(buf));
		FZ_CHECK(strlen(buf) < sizeof(buf), "short revision overran");
		(void)flux_object_message(&v[i]);
		(void)flux_matches(&v[i], "fail");
		(void)flux_reconcile_phase(&v[i], "2026-11-28T12:00:00Z");
	}
}

static void check_controllers(const cJSON *doc)
{
	struct flux_controller *c = NULL;
	struct fz_mem m;
	struct err e;
	size_t n = 0;
	char *t;
	cJSON *back;

	memset(&e, 0, sizeof(e));
	if (flux_controllers_from_list(doc, &c, &n, &e) < 0) {
		FZ_CHECK(e.msg[0], "a refused Deployment list has no "
				   "sentence");
		return;
	}
	fz_mem_open(&m);
	flux_print_controllers(m.f, c, n);
	fz_mem_close(&m);
	FZ_CHECK(fz_terminal_safe(m.buf, m.len, 1),
		 "the controllers table is not terminal-safe");
	free(m.buf);
	t = flux_to_json(c, n, NULL, 0, NULL);
	back = cJSON_Parse(t);
	FZ_CHECK(back, "flux_to_json (controllers) does not parse");
	cJSON_Delete(back);
	free(t);
	flux_controllers_free(&c, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum flux_kind kind;
	struct flux_object *v = NULL, one;
	size_t n = 0;
	struct err e;
	cJSON *doc;
	char sha[80];

	if (size < 1)
		return 0;
	kind = (enum flux_kind)(data[0] % FLUX_KIND_COUNT);
	doc = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	if (!doc) {
		char *rev = fz_cstr(data + 1, size - 1);

		flux_revision_sha(rev, sha, sizeof(sha));
		FZ_CHECK(strlen(sha) < sizeof(sha), "revision sha overran");
		free(rev);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	if (flux_objects_append_list(&v, &n, kind, doc, &e) < 0)
		FZ_CHECK(n == 0 && e.msg[0], "a refused list appended "
					     "objects or has no sentence");
	else
		check_objects(v, n);
	flux_objects_free(&v, n);
	memset(&one, 0, sizeof(one));
	if (flux_object_from_json(&one, kind, doc, &e) == 0) {
		check_objects(&one, 1);
		flux_object_clear(&one);
	}
	check_controllers(doc);
	(void)flux_pick_version(doc);
	cJSON_Delete(doc);
	return 0;
}
