/* test_flux.c - unit tests for the Flux model on fixtures of every API
 * version. Not a test of fetching: JSON comes from tests/unit/data/flux. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/flux.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "cli/print.h"

#define RC "\xef\xbf\xbd" /* U+FFFD REPLACEMENT CHARACTER */

/* 2026-11-28T12:00:00Z, "now" for ages */
#define NOW ((time_t)1795867200)

#define SHA_A "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678"
#define SHA_B "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
#define DIG                                                                   \
	"0123456789abcdef0123456789abcdef"                                    \
	"0123456789abcdef0123456789abcdef"

/* order of tests/unit/data/flux/gitrepositories_v1.json */
enum { G_BOOTSTRAP, G_TENANT_A, G_PINNED, G_SEMVER, G_BROKEN, G_FRESH, NGIT };

/* order of kustomizations_v1.json */
enum {
	K_BOOTSTRAP,
	K_APPS,
	K_BUILD_FAIL,
	K_PROGRESS,
	K_STALLED,
	K_PAUSED,
	K_SECRETS,
	K_CONFIG,
	K_WEB,
	K_TENANT,
	K_CYC_A,
	K_CYC_B,
	K_FRESH,
	K_RECONCILING,
	NKS
};

static char *read_fixture(const char *leaf)
{
	const char *dir = getenv("JD_SRCDIR");
	char path[1024];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/tests/unit/data/flux/%s",
		 dir && dir[0] ? dir : ".", leaf);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static cJSON *load_json(const char *leaf)
{
	char *text = read_fixture(leaf);
	cJSON *j = cJSON_Parse(text);

	free(text);
	assert_non_null(j);
	return j;
}

static void load_one(const char *leaf, enum flux_kind kind,
		     struct flux_object *o)
{
	cJSON *j = load_json(leaf);
	struct err e = {0};

	assert_int_equal(flux_object_from_json(o, kind, j, &e), 0);
	cJSON_Delete(j);
}

static void append(const char *leaf, enum flux_kind kind,
		   struct flux_object **v, size_t *n)
{
	cJSON *j = load_json(leaf);
	struct err e = {0};

	assert_int_equal(flux_objects_append_list(v, n, kind, j, &e), 0);
	cJSON_Delete(j);
}

static void load_ks(struct flux_object **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	append("kustomizations_v1.json", FLUX_KUSTOMIZATION, v, n);
	assert_int_equal(*n, NKS);
}

static void load_git(struct flux_object **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	append("gitrepositories_v1.json", FLUX_GIT_REPOSITORY, v, n);
	assert_int_equal(*n, NGIT);
}

/* Everything: 11 sources, 14 Kustomizations, 2 HelmReleases. */
static void load_world(struct flux_object **v, size_t *n)
{
	load_git(v, n);
	append("ocirepositories_v1beta2.json", FLUX_OCI_REPOSITORY, v, n);
	append("helmrepositories_v1.json", FLUX_HELM_REPOSITORY, v, n);
	append("buckets_v1beta2.json", FLUX_BUCKET, v, n);
	append("kustomizations_v1.json", FLUX_KUSTOMIZATION, v, n);
	append("helmreleases.json", FLUX_HELM_RELEASE, v, n);
	assert_int_equal(*n, 27);
}

static void load_controllers(const char *leaf, struct flux_controller **c,
			     size_t *n)
{
	cJSON *j = load_json(leaf);
	struct err e = {0};

	assert_int_equal(flux_controllers_from_list(j, c, n, &e), 0);
	cJSON_Delete(j);
}

/* Run a printer into a string. */
static FILE *mem_open(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	assert_non_null(f);
	return f;
}

/* ---- kinds and discovery ------------------------------------------------ */

static void test_kind_table(void **state)
{
	const struct flux_kind_info *k;
	int i;

	(void)state;
	k = flux_kind_get(FLUX_GIT_REPOSITORY);
	assert_string_equal(k->kind, "GitRepository");
	assert_string_equal(k->group, "source.toolkit.fluxcd.io");
	assert_string_equal(k->plural, "gitrepositories");
	assert_string_equal(k->short_name, "gitrepo");
	assert_string_equal(k->cli, "source git");
	assert_true(k->is_source);
	k = flux_kind_get(FLUX_KUSTOMIZATION);
	assert_string_equal(k->group, "kustomize.toolkit.fluxcd.io");
	assert_false(k->is_source);
	k = flux_kind_get(FLUX_HELM_RELEASE);
	assert_string_equal(k->versions[0], "v2");
	assert_null(flux_kind_get(FLUX_KIND_COUNT));
	assert_null(flux_kind_get((enum flux_kind) - 1));
	for (i = 0; i < FLUX_KIND_COUNT; i++) {
		k = flux_kind_get((enum flux_kind)i);
		assert_non_null(k->kind);
		assert_non_null(k->short_name);
		assert_int_equal(k->is_source, i <= FLUX_BUCKET);
	}
}

static void test_kind_parse(void **state)
{
	static const struct {
		const char *in;
		enum flux_kind want;
	} ok[] = {
	    {"GitRepository", FLUX_GIT_REPOSITORY},
	    {"gitrepository", FLUX_GIT_REPOSITORY},
	    {"GITREPOSITORIES", FLUX_GIT_REPOSITORY},
	    {"gitrepo", FLUX_GIT_REPOSITORY},
	    {"source git", FLUX_GIT_REPOSITORY},
	    {"git", FLUX_GIT_REPOSITORY},
	    {"gitrepositories.source.toolkit.fluxcd.io", FLUX_GIT_REPOSITORY},
	    {"ocirepository", FLUX_OCI_REPOSITORY},
	    {"OCIRepository", FLUX_OCI_REPOSITORY},
	    {"oci", FLUX_OCI_REPOSITORY},
	    {"helmrepository", FLUX_HELM_REPOSITORY},
	    {"HelmRepositories", FLUX_HELM_REPOSITORY},
	    {"source helm", FLUX_HELM_REPOSITORY},
	    {"bucket", FLUX_BUCKET},
	    {"Buckets", FLUX_BUCKET},
	    {"kustomization", FLUX_KUSTOMIZATION},
	    {"Kustomizations", FLUX_KUSTOMIZATION},
	    {"ks", FLUX_KUSTOMIZATION},
	    {"KS", FLUX_KUSTOMIZATION},
	    {"kustomization.kustomize.toolkit.fluxcd.io", FLUX_KUSTOMIZATION},
	    {"helmrelease", FLUX_HELM_RELEASE},
	    {"hr", FLUX_HELM_RELEASE},
	    {"HelmReleases", FLUX_HELM_RELEASE},
	};
	static const char *const bad[] = {
	    "",
	    "helm",
	    "gitrepositoryx",
	    "k",
	    "kustomizations.source.toolkit.fluxcd.io",
	    "gitrepositories.",
	    "source",
	    "deployment",
	};
	enum flux_kind k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		k = FLUX_KIND_COUNT;
		if (flux_kind_parse(ok[i].in, &k) != 0)
			fail_msg("'%s' not accepted", ok[i].in);
		assert_int_equal(k, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k = FLUX_BUCKET;
		if (flux_kind_parse(bad[i], &k) != -ERR_USAGE)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(k, FLUX_BUCKET);
	}
	assert_int_equal(flux_kind_parse(NULL, &k), -ERR_USAGE);
}

static void test_pick_version(void **state)
{
	static const struct {
		const char *leaf;
		const char *want;
	} cases[] = {
	    {"apigroup_source_v1beta1.json", "v1beta1"},
	    /* preferredVersion says v1beta2; we prefer v1 */
	    {"apigroup_source_all.json", "v1"},
	    {"apigroup_kustomize_v1beta2.json", "v1beta2"},
	    {"apigroup_helm.json", "v2"},
	    {"apigroup_unknown.json", NULL},
	};
	cJSON *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got;

		j = load_json(cases[i].leaf);
		got = flux_pick_version(j);
		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_null(got);
		cJSON_Delete(j);
	}
	j = load_json("apigrouplist.json");
	assert_string_equal(
	    flux_pick_version_in_list(j, "source.toolkit.fluxcd.io"), "v1");
	assert_string_equal(
	    flux_pick_version_in_list(j, "kustomize.toolkit.fluxcd.io"),
	    "v1beta1");
	assert_null(flux_pick_version_in_list(j, "helm.toolkit.fluxcd.io"));
	assert_null(flux_pick_version_in_list(j, NULL));
	/* a list is not a group */
	assert_null(flux_pick_version(j));
	cJSON_Delete(j);
	assert_null(flux_pick_version(NULL));
	assert_null(flux_pick_version_in_list(NULL, "x"));
	j = cJSON_Parse("{\"name\":\"x\",\"versions\":[{\"version\":"
			"\"v1beta2\"},{\"version\":7},{}]}");
	assert_string_equal(flux_pick_version(j), "v1beta2");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"versions\":{}}");
	assert_null(flux_pick_version(j));
	cJSON_Delete(j);
	/* an unknown helm-style group still uses the v1 order */
	j = cJSON_Parse("{\"name\":\"helm.toolkit.fluxcd.io\",\"versions\":"
			"[{\"version\":\"v1\"}]}");
	assert_null(flux_pick_version(j));
	cJSON_Delete(j);
}

/* ---- parsing ------------------------------------------------------------ */

static void test_v1beta1_walkthrough(void **state)
{
	struct flux_object g, k;
	char lines_buf[64];
	char **lines;
	size_t nl;

	(void)state;
	load_one("gitrepository_v1beta1.json", FLUX_GIT_REPOSITORY, &g);
	assert_int_equal(g.kind, FLUX_GIT_REPOSITORY);
	assert_string_equal(g.api_version, "source.toolkit.fluxcd.io/v1beta1");
	assert_string_equal(g.namespace, "flux-system");
	assert_string_equal(g.name, "flux-system");
	assert_string_equal(g.resource_version, "4312");
	assert_int_equal(g.created_at, NOW - 2 * 3600);
	assert_int_equal(g.generation, 1);
	assert_int_equal(g.observed_generation, 1);
	assert_false(g.suspended);
	assert_string_equal(g.interval, "1m0s");
	assert_string_equal(g.timeout, "20s");
	assert_string_equal(
	    g.url, "https://github.com/contoso/aks-baseline-regulated");
	assert_string_equal(g.ref_text, "branch main");
	assert_string_equal(g.secret_ref, "");
	assert_string_equal(g.revision, "main/" SHA_A);
	assert_string_equal(g.sha, SHA_A);
	assert_string_equal(g.attempted_revision, "");
	assert_int_equal(g.state, FLUX_STATE_READY);
	assert_string_equal(g.ready_status, "True");
	assert_string_equal(g.ready_reason, "GitOperationSucceed");
	assert_string_equal(g.ready_message, "Fetched revision: main/" SHA_A);
	assert_int_equal(g.nconditions, 1);
	/* the artifact's time wins over Ready's */
	assert_int_equal(g.last_update, NOW - 5 * 60);
	assert_string_equal(g.last_handled_reconcile_at,
			    "2026-11-28T11:58:00.123456789Z");
	assert_string_equal(g.requested_at, "2026-11-28T11:58:00.123456789Z");
	assert_string_equal(g.source_ref.name, "");
	assert_string_equal(g.path, "");
	assert_int_equal(g.ndepends_on, 0);
	assert_null(g.depends_on);
	assert_int_equal(g.inventory_count, -1);

	load_one("kustomization_v1beta1.json", FLUX_KUSTOMIZATION, &k);
	assert_string_equal(k.api_version,
			    "kustomize.toolkit.fluxcd.io/v1beta1");
	assert_string_equal(k.path, "./cluster-manifests");
	assert_true(k.prune);
	assert_string_equal(k.interval, "10m0s");
	assert_string_equal(k.timeout, "");
	assert_string_equal(k.source_ref.kind, "GitRepository");
	assert_string_equal(k.source_ref.name, "flux-system");
	assert_string_equal(k.source_ref.namespace, "flux-system");
	assert_string_equal(k.revision, "main/" SHA_A);
	assert_string_equal(k.attempted_revision, "main/" SHA_A);
	assert_string_equal(k.sha, SHA_A);
	assert_int_equal(k.state, FLUX_STATE_READY);
	/* no history before v1: Ready's transition time */
	assert_int_equal(k.last_update, NOW - 4 * 60);
	assert_true(k.inventory_is_snapshot);
	assert_int_equal(k.inventory_count, 7);
	assert_int_equal(k.inventory_namespaces, 3);
	assert_string_equal(k.requested_at, "");
	assert_string_equal(flux_ref_text(&k.source_ref, k.namespace,
					  lines_buf, sizeof(lines_buf)),
			    "GitRepository/flux-system");
	nl = flux_tree_lines(&k, NULL, 0, &lines);
	assert_int_equal(nl, 1);
	assert_string_equal(lines[0], "Kustomization/flux-system/flux-system"
				      "  Ready  (7 kinds in 3 namespaces)");
	flux_lines_free(&lines, nl);
	assert_null(lines);
	flux_object_clear(&g);
	flux_object_clear(&k);
	assert_null(k.name);
	flux_object_clear(NULL);
}

static void test_v1beta2_inventory(void **state)
{
	struct flux_object k;

	(void)state;
	load_one("kustomization_v1beta2.json", FLUX_KUSTOMIZATION, &k);
	assert_false(k.inventory_is_snapshot);
	assert_int_equal(k.inventory_count, 5);
	assert_int_equal(k.inventory_namespaces, 0);
	assert_int_equal(k.generation, 3);
	assert_int_equal(k.observed_generation, 2);
	/* Ready True but the spec changed since: not done yet */
	assert_int_equal(k.state, FLUX_STATE_PROGRESSING);
	assert_string_equal(k.ready_status, "True");
	assert_int_equal(k.nconditions, 2);
	assert_string_equal(k.conditions[1].type, "Healthy");
	assert_ptr_equal(flux_condition_find(&k, "Healthy"), &k.conditions[1]);
	assert_null(flux_condition_find(&k, "Stalled"));
	assert_string_equal(k.timeout, "2m");
	assert_string_equal(k.sha, SHA_B);
	flux_object_clear(&k);
}

static void test_v1_sources(void **state)
{
	struct flux_object *v;
	size_t n;
	const struct flux_object *o;

	(void)state;
	load_git(&v, &n);
	o = &v[G_BOOTSTRAP];
	assert_string_equal(o->api_version, "source.toolkit.fluxcd.io/v1");
	assert_string_equal(o->ref_text, "name refs/heads/main");
	assert_string_equal(o->revision, "refs/heads/main@sha1:" SHA_B);
	assert_string_equal(o->sha, SHA_B);
	assert_int_equal(o->state, FLUX_STATE_READY);
	assert_int_equal(o->last_update, NOW - 30 * 60);
	assert_string_equal(o->timeout, "180s");

	o = &v[G_TENANT_A];
	assert_int_equal(o->state, FLUX_STATE_FAILED);
	assert_string_equal(o->ready_reason, "GitOperationFailed");
	assert_non_null(
	    strstr(flux_object_message(o), "authentication required"));
	assert_string_equal(o->sha, SHA_A);

	o = &v[G_PINNED];
	assert_true(o->suspended);
	assert_int_equal(o->state, FLUX_STATE_READY);
	assert_string_equal(o->ref_text, "commit " SHA_A);
	assert_string_equal(o->sha, SHA_A);

	o = &v[G_SEMVER];
	assert_int_equal(o->state, FLUX_STATE_PROGRESSING);
	assert_string_equal(o->ref_text, "semver >=1.0.0");

	o = &v[G_BROKEN];
	assert_int_equal(o->state, FLUX_STATE_STALLED);
	assert_true(flux_state_is_failed(o->state));
	assert_string_equal(o->ref_text, "tag v9");
	assert_string_equal(o->revision, "");
	assert_string_equal(o->sha, "");
	/* no artifact: Ready's transition */
	assert_int_equal(o->last_update, NOW - 10 * 60);

	o = &v[G_FRESH];
	assert_int_equal(o->state, FLUX_STATE_WAITING);
	assert_false(flux_state_is_failed(o->state));
	assert_string_equal(o->ready_status, "");
	assert_string_equal(o->ready_reason, "");
	assert_string_equal(flux_object_message(o),
			    "waiting to be reconciled");
	assert_string_equal(o->secret_ref, "fresh-ssh");
	assert_string_equal(o->ref_text, "branch dev");
	assert_int_equal(o->observed_generation, -1);
	assert_int_equal(o->last_update, 0);
	assert_int_equal(o->nconditions, 0);
	assert_string_equal(o->last_handled_reconcile_at, "");
	flux_objects_free(&v, n);
	assert_null(v);
	flux_objects_free(&v, 0);
	flux_objects_free(NULL, 0);
}

static void test_other_sources(void **state)
{
	struct flux_object *v = NULL;
	size_t n = 0;

	(void)state;
	append("ocirepositories_v1beta2.json", FLUX_OCI_REPOSITORY, &v, &n);
	append("helmrepositories_v1.json", FLUX_HELM_REPOSITORY, &v, &n);
	append("buckets_v1beta2.json", FLUX_BUCKET, &v, &n);
	assert_int_equal(n, 5);
	assert_int_equal(v[0].kind, FLUX_OCI_REPOSITORY);
	assert_string_equal(v[0].url, "oci://acraks.azurecr.io/manifests");
	assert_string_equal(v[0].ref_text, "tag v1.0");
	assert_string_equal(v[0].revision, "v1.0@sha256:" DIG);
	assert_string_equal(v[0].sha, DIG);
	assert_int_equal(v[0].state, FLUX_STATE_READY);
	assert_string_equal(v[1].ref_text, "tag latest");
	assert_int_equal(v[1].state, FLUX_STATE_WAITING);
	assert_string_equal(v[1].namespace, "flux-system");
	assert_int_equal(v[2].kind, FLUX_HELM_REPOSITORY);
	assert_string_equal(v[2].ref_text, "type oci");
	assert_string_equal(v[2].revision, "");
	assert_string_equal(v[3].ref_text, "");
	assert_string_equal(v[3].sha, DIG);
	assert_int_equal(v[4].kind, FLUX_BUCKET);
	assert_string_equal(v[4].url, "stcontoso.blob.core.windows.net");
	assert_string_equal(v[4].ref_text, "bucket configs");
	assert_string_equal(v[4].secret_ref, "azure-key");
	assert_string_equal(v[4].sha, DIG);
	flux_objects_free(&v, n);
}

static void test_kustomization_states(void **state)
{
	struct flux_object *v;
	size_t n, i;

	(void)state;
	load_ks(&v, &n);
	assert_int_equal(v[K_BOOTSTRAP].state, FLUX_STATE_READY);
	assert_int_equal(v[K_BOOTSTRAP].inventory_count, 12);
	/* v1 history's lastReconciled is the last reconcile */
	assert_int_equal(v[K_BOOTSTRAP].last_update, NOW - 60);
	assert_string_equal(v[K_BOOTSTRAP].path, "./cluster-manifests");
	assert_int_equal(v[K_APPS].ndepends_on, 1);
	assert_string_equal(v[K_APPS].depends_on[0].kind, "Kustomization");
	assert_string_equal(v[K_APPS].depends_on[0].namespace, "flux-system");
	assert_string_equal(v[K_APPS].depends_on[0].name, "bootstrap-unified");
	assert_int_equal(v[K_APPS].last_update, NOW - 10 * 60);

	/* Ready False while retrying is a failure, not progress */
	assert_int_equal(v[K_BUILD_FAIL].state, FLUX_STATE_FAILED);
	assert_string_equal(v[K_BUILD_FAIL].ready_reason, "BuildFailed");
	assert_string_equal(v[K_BUILD_FAIL].revision, "main@sha1:" SHA_B);
	assert_string_equal(v[K_BUILD_FAIL].attempted_revision,
			    "main@sha1:" SHA_A);
	assert_int_equal(v[K_PROGRESS].state, FLUX_STATE_PROGRESSING);
	assert_int_equal(v[K_STALLED].state, FLUX_STATE_STALLED);
	assert_true(v[K_PAUSED].suspended);
	assert_int_equal(v[K_PAUSED].state, FLUX_STATE_READY);
	assert_int_equal(v[K_SECRETS].state, FLUX_STATE_FAILED);
	assert_string_equal(v[K_SECRETS].namespace, "a0008");
	assert_int_equal(v[K_CONFIG].state, FLUX_STATE_WAITING);
	assert_string_equal(v[K_CONFIG].depends_on[0].namespace, "a0008");
	assert_int_equal(v[K_WEB].ndepends_on, 2);
	assert_string_equal(v[K_WEB].depends_on[0].namespace, "flux-system");
	assert_string_equal(v[K_WEB].depends_on[1].namespace, "a0008");
	assert_int_equal(v[K_TENANT].state, FLUX_STATE_WAITING);
	assert_int_equal(v[K_CYC_A].state, FLUX_STATE_WAITING);
	assert_int_equal(v[K_FRESH].state, FLUX_STATE_WAITING);
	assert_int_equal(v[K_FRESH].inventory_count, -1);
	assert_string_equal(v[K_FRESH].revision, "");
	assert_string_equal(v[K_RECONCILING].requested_at,
			    "2026-11-28T12:00:00.5Z");
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].kind, FLUX_KUSTOMIZATION);
		assert_non_null(v[i].chart);
		assert_string_equal(v[i].url, "");
		assert_string_equal(v[i].source_ref.name, "bootstrap");
	}
	flux_objects_free(&v, n);
}

static void test_helmreleases(void **state)
{
	struct flux_object *v = NULL;
	size_t n = 0;
	char buf[128];

	(void)state;
	append("helmreleases.json", FLUX_HELM_RELEASE, &v, &n);
	assert_int_equal(n, 2);
	/* v2: chartRef, revision from history */
	assert_string_equal(v[0].chart, "podinfo");
	assert_string_equal(v[0].source_ref.kind, "OCIRepository");
	assert_string_equal(v[0].source_ref.namespace, "flux-system");
	assert_string_equal(v[0].revision, "6.5.4");
	assert_string_equal(v[0].sha, "");
	assert_int_equal(v[0].last_update, NOW - 15 * 60);
	assert_int_equal(v[0].state, FLUX_STATE_READY);
	assert_int_equal(v[0].inventory_count, -1);
	assert_int_equal(v[0].ndepends_on, 1);
	assert_string_equal(v[0].depends_on[0].kind, "HelmRelease");
	assert_string_equal(
	    flux_ref_text(&v[0].source_ref, "a0008", buf, sizeof(buf)),
	    "OCIRepository/flux-system/podinfo");
	/* v2beta1: chart.spec, lastAppliedRevision */
	assert_string_equal(v[1].chart, "ingress-nginx@4.x");
	assert_string_equal(v[1].source_ref.kind, "HelmRepository");
	assert_string_equal(v[1].source_ref.name, "bitnami");
	assert_string_equal(v[1].revision, "4.8.3");
	assert_string_equal(v[1].attempted_revision, "4.9.0");
	assert_int_equal(v[1].state, FLUX_STATE_FAILED);
	flux_objects_free(&v, n);
}

static void test_parse_errors(void **state)
{
	struct flux_object o, *v = NULL;
	struct err e = {0};
	size_t n = 0;
	cJSON *j;

	(void)state;
	j = load_json("not_flux.json");
	assert_int_equal(flux_object_from_json(&o, FLUX_KUSTOMIZATION, j, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg,
			    "object is a ConfigMap, not a Kustomization");
	assert_null(o.name);
	cJSON_Delete(j);

	j = load_json("no_name.json");
	assert_int_equal(flux_object_from_json(&o, FLUX_KUSTOMIZATION, j, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg, "Kustomization has no metadata.name");
	assert_int_equal(flux_object_from_json(&o, FLUX_KIND_COUNT, j, &e),
			 -ERR_USAGE);
	cJSON_Delete(j);

	j = cJSON_Parse("[1]");
	assert_int_equal(flux_object_from_json(&o, FLUX_BUCKET, j, NULL),
			 -ERR_PARSE);
	assert_int_equal(flux_objects_append_list(&v, &n, FLUX_BUCKET, j, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg, "Bucket list is not a JSON object");
	cJSON_Delete(j);

	/* a bad item: nothing appended, what was there stays */
	append("buckets_v1beta2.json", FLUX_BUCKET, &v, &n);
	assert_int_equal(n, 1);
	j = cJSON_Parse("{\"items\":[{\"metadata\":{\"name\":\"a\"}},"
			"{\"metadata\":{}}]}");
	assert_int_equal(flux_objects_append_list(&v, &n, FLUX_BUCKET, j, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg, "Bucket item 2: Bucket has no "
				   "metadata.name");
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "configs");
	cJSON_Delete(j);

	/* null and empty items are fine; kind may be absent */
	j = cJSON_Parse("{\"items\":null}");
	assert_int_equal(flux_objects_append_list(&v, &n, FLUX_BUCKET, j, &e),
			 0);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"items\":[]}");
	assert_int_equal(flux_objects_append_list(&v, &n, FLUX_BUCKET, j, &e),
			 0);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"items\":{}}");
	assert_int_equal(flux_objects_append_list(&v, &n, FLUX_BUCKET, j, &e),
			 -ERR_PARSE);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"items\":[{\"metadata\":{\"name\":\"b\"},"
			"\"spec\":7,\"status\":[]}]}");
	assert_int_equal(flux_objects_append_list(&v, &n, FLUX_BUCKET, j, &e),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].name, "b");
	assert_int_equal(v[1].state, FLUX_STATE_WAITING);
	assert_int_equal(
	    flux_objects_append_list(&v, &n, FLUX_KIND_COUNT, j, &e),
	    -ERR_USAGE);
	cJSON_Delete(j);
	flux_objects_free(&v, n);

	/* odd field types are tolerated */
	j = cJSON_Parse("{\"kind\":\"Kustomization\",\"metadata\":{\"name\":"
			"\"k\",\"generation\":\"2\",\"annotations\":[]},"
			"\"spec\":{\"dependsOn\":[{\"namespace\":\"x\"},7,"
			"{\"name\":\"ok\"}],\"suspend\":\"yes\","
			"\"sourceRef\":\"x\"},\"status\":{\"conditions\":"
			"[7,{\"type\":\"Ready\"}],\"inventory\":{}}}");
	assert_int_equal(flux_object_from_json(&o, FLUX_KUSTOMIZATION, j, &e),
			 0);
	assert_int_equal(o.generation, 0);
	assert_int_equal(o.ndepends_on, 1);
	assert_string_equal(o.depends_on[0].name, "ok");
	assert_string_equal(o.depends_on[0].namespace, "");
	assert_false(o.suspended);
	assert_int_equal(o.nconditions, 1);
	assert_string_equal(o.ready_status, "");
	/* a Ready condition with an empty status is not Ready */
	assert_int_equal(o.state, FLUX_STATE_PROGRESSING);
	assert_int_equal(o.inventory_count, 0);
	assert_string_equal(o.source_ref.name, "");
	flux_object_clear(&o);
	cJSON_Delete(j);
}

/* ---- revisions ---------------------------------------------------------- */

static void test_revisions(void **state)
{
	static const struct {
		const char *rev, *sha, *shrt;
	} cases[] = {
	    {"main/" SHA_A, SHA_A, "main@1a2b3c4d"},
	    {"main@sha1:" SHA_A, SHA_A, "main@1a2b3c4d"},
	    {"refs/heads/main@sha1:" SHA_A, SHA_A, "main@1a2b3c4d"},
	    {"refs/tags/v1.2@sha1:" SHA_B, SHA_B, "v1.2@9f8e7d6c"},
	    {"refs/pull/7/head@sha1:" SHA_B, SHA_B,
	     "refs/pull/7/head@9f8e7d6c"},
	    {"sha1:" SHA_A, SHA_A, "1a2b3c4d"},
	    {"HEAD/" SHA_A, SHA_A, "HEAD@1a2b3c4d"},
	    {SHA_A, SHA_A, "1a2b3c4d"},
	    {"v1.0@sha256:" DIG, DIG, "v1.0@01234567"},
	    {"sha256:" DIG, DIG, "01234567"},
	    {"latest/" DIG, DIG, "latest@01234567"},
	    /* branch names with '/' and '@': the LAST '@' and '/' count */
	    {"feature/a/b/" SHA_B, SHA_B, "feature/a/b@9f8e7d6c"},
	    {"feat@x@sha1:" SHA_A, SHA_A, "feat@x@1a2b3c4d"},
	    {"release/1.0@sha1:" SHA_A, SHA_A, "release/1.0@1a2b3c4d"},
	    /* no digest */
	    {"6.5.4", "", "6.5.4"},
	    {"main/notahexsha", "", "main/notahexsha"},
	    {"main/1a2b3c4", "", "main/1a2b3c4"},
	    {"", "", ""},
	    /* a short digest stays whole */
	    {"main@sha1:abc", "abc", "main@abc"},
	    {"main@", "", "main@"},
	};
	char sha[80], shrt[FLUX_REVISION_SHORT_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		flux_revision_sha(cases[i].rev, sha, sizeof(sha));
		flux_revision_short(cases[i].rev, shrt, sizeof(shrt));
		if (strcmp(sha, cases[i].sha) != 0 ||
		    strcmp(shrt, cases[i].shrt) != 0)
			fail_msg("%s: sha '%s' short '%s'", cases[i].rev, sha,
				 shrt);
	}
	assert_string_equal(flux_revision_sha(NULL, sha, sizeof(sha)), "");
	assert_string_equal(flux_revision_short(NULL, shrt, sizeof(shrt)), "");
	/* cut to fit, never overrun */
	assert_string_equal(flux_revision_sha("main@sha1:" SHA_A, sha, 5),
			    "1a2b");
	assert_string_equal(flux_revision_short("main@sha1:" SHA_A, shrt, 6),
			    "main@");
	sha[0] = 'x';
	flux_revision_sha("x", sha, 0);
	assert_int_equal(sha[0], 'x');
	flux_revision_short("x", sha, 0);
	assert_int_equal(sha[0], 'x');
}

/* ---- dependencies ------------------------------------------------------- */

static void test_dependency_root(void **state)
{
	struct flux_object *v;
	struct flux_dep_root r;
	size_t n;
	char *text;

	(void)state;
	load_ks(&v, &n);

	/* a0008-web -> (apps Ready) a0008-config -> a0008-secrets (Failed) */
	assert_int_equal(flux_dependency_root(&v[K_WEB], v, n, &r),
			 FLUX_DEP_NOT_READY);
	assert_ptr_equal(r.object, &v[K_SECRETS]);
	assert_ptr_equal(r.referrer, &v[K_CONFIG]);
	assert_ptr_equal(r.ref, &v[K_CONFIG].depends_on[0]);
	assert_int_equal(r.depth, 2);
	text = flux_dependency_text(&r);
	assert_string_equal(text, "waiting for dependency a0008/a0008-secrets:"
				  " Secret/a0008/tls not found");
	free(text);

	assert_int_equal(flux_dependency_root(&v[K_CONFIG], v, n, &r),
			 FLUX_DEP_NOT_READY);
	assert_ptr_equal(r.object, &v[K_SECRETS]);
	assert_int_equal(r.depth, 1);

	/* a dependency that does not exist */
	assert_int_equal(flux_dependency_root(&v[K_TENANT], v, n, &r),
			 FLUX_DEP_MISSING);
	assert_null(r.object);
	assert_ptr_equal(r.referrer, &v[K_TENANT]);
	assert_string_equal(r.ref->namespace, "a0005");
	text = flux_dependency_text(&r);
	assert_string_equal(text, "dependency a0005/foo not found");
	free(text);

	/* a cycle */
	assert_int_equal(flux_dependency_root(&v[K_CYC_A], v, n, &r),
			 FLUX_DEP_CYCLE);
	assert_ptr_equal(r.object, &v[K_CYC_A]);
	assert_ptr_equal(r.referrer, &v[K_CYC_B]);
	assert_string_equal(r.path, "flux-system/cyc-a -> flux-system/cyc-b"
				    " -> flux-system/cyc-a");
	text = flux_dependency_text(&r);
	assert_string_equal(text, "dependency cycle: flux-system/cyc-a -> "
				  "flux-system/cyc-b -> flux-system/cyc-a");
	free(text);

	/* all Ready, or nothing to depend on */
	assert_int_equal(flux_dependency_root(&v[K_APPS], v, n, &r),
			 FLUX_DEP_OK);
	assert_null(r.object);
	assert_null(r.ref);
	text = flux_dependency_text(&r);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(flux_dependency_root(&v[K_FRESH], v, n, &r),
			 FLUX_DEP_OK);
	assert_int_equal(flux_dependency_root(&v[K_BOOTSTRAP], v, n, &r),
			 FLUX_DEP_OK);
	assert_int_equal(flux_dependency_root(NULL, v, n, &r), FLUX_DEP_OK);
	/* the object need not be in the list */
	assert_int_equal(flux_dependency_root(&v[K_WEB], v + K_SECRETS, 2, &r),
			 FLUX_DEP_MISSING);
	assert_string_equal(r.ref->name, "apps");
	assert_int_equal(flux_dependency_root(&v[K_CYC_A], v + K_CYC_B, 1, &r),
			 FLUX_DEP_MISSING);
	assert_ptr_equal(r.referrer, &v[K_CYC_B]);

	/* a Ready dependency whose spec changed is not Ready yet */
	v[K_BOOTSTRAP].generation = 5;
	assert_int_equal(flux_dependency_root(&v[K_APPS], v, n, &r),
			 FLUX_DEP_NOT_READY);
	assert_ptr_equal(r.object, &v[K_BOOTSTRAP]);
	v[K_BOOTSTRAP].generation = 1;

	/* depending on oneself */
	free(v[K_CONFIG].depends_on[0].name);
	v[K_CONFIG].depends_on[0].name = strdup("a0008-config");
	assert_int_equal(flux_dependency_root(&v[K_CONFIG], v, n, &r),
			 FLUX_DEP_CYCLE);
	assert_string_equal(r.path,
			    "a0008/a0008-config -> a0008/a0008-config");
	flux_objects_free(&v, n);
}

/* The index gives the walk's answers: for every object of the fixtures,
 * and for every object of random graphs (dependencies that are missing,
 * Ready, not Ready, loops, self-dependencies), except the one
 * documented difference (a Ready object is not held back by a loop back
 * to itself). */
static void same_root(const struct flux_object *o,
		      const struct flux_object *all, size_t n,
		      struct flux_dep_index *x)
{
	struct flux_dep_root a, b;

	flux_dependency_root(o, all, n, &a);
	flux_dep_index_root(x, o, &b);
	if (a.status == FLUX_DEP_CYCLE && a.object == o &&
	    strcmp(o->ready_status ? o->ready_status : "", "True") == 0)
		return; /* the documented difference */
	if (a.status != b.status || a.object != b.object ||
	    a.referrer != b.referrer || a.ref != b.ref || a.depth != b.depth ||
	    strcmp(a.path, b.path) != 0)
		fail_msg("%s/%s: walk %d %s<-%s depth %zu '%s', index %d "
			 "%s<-%s depth %zu '%s'",
			 o->namespace, o->name, a.status,
			 a.object ? a.object->name : "-",
			 a.referrer ? a.referrer->name : "-", a.depth, a.path,
			 b.status, b.object ? b.object->name : "-",
			 b.referrer ? b.referrer->name : "-", b.depth, b.path);
}

static void test_dependency_index(void **state)
{
	struct flux_object *v, g[40];
	struct flux_dep_index *x;
	char names[40][24]; /* "o" and any size_t */
	size_t n, i, k, round;

	(void)state;
	load_ks(&v, &n);
	x = flux_dep_index_new(v, n);
	for (i = 0; i < n; i++)
		same_root(&v[i], v, n, x);
	flux_dep_index_free(&x);
	assert_null(x);
	/* not in the list: its dependencies are looked up in it */
	x = flux_dep_index_new(v + K_SECRETS, 2);
	same_root(&v[K_WEB], v + K_SECRETS, 2, x);
	same_root(&v[K_CYC_A], v + K_SECRETS, 2, x);
	flux_dep_index_free(&x);
	flux_objects_free(&v, n);

	srandom(11);
	for (round = 0; round < 300; round++) {
		size_t ng = 2 + (size_t)(random() % 38);

		memset(g, 0, sizeof(g));
		for (i = 0; i < ng; i++) {
			/* keys are unique, as in the informer's store */
			snprintf(names[i], sizeof(names[i]), "o%zu", i);
			g[i].kind = FLUX_KUSTOMIZATION;
			g[i].namespace = (char *)(uintptr_t) "ns";
			g[i].name = names[i];
			g[i].ready_status =
			    (char *)(uintptr_t)(random() % 3 ? "False"
							     : "True");
			g[i].generation = 1;
			g[i].observed_generation = 1;
			g[i].ndepends_on = (size_t)(random() % 4);
			g[i].depends_on = calloc(g[i].ndepends_on + 1,
						 sizeof(struct flux_ref));
			for (k = 0; k < g[i].ndepends_on; k++) {
				long t = random() % (long)(ng + 2);

				g[i].depends_on[k].namespace =
				    (char *)(uintptr_t) "ns";
				g[i].depends_on[k].name =
				    t < (long)ng ? names[t]
						 : (char *)(uintptr_t) "gone";
			}
		}
		x = flux_dep_index_new(g, ng);
		for (i = 0; i < ng; i++)
			same_root(&g[i], g, ng, x);
		flux_dep_index_free(&x);
		for (i = 0; i < ng; i++)
			free(g[i].depends_on);
	}
}

static void test_tree(void **state)
{
	struct flux_object *v;
	char **lines;
	size_t n, nl;

	(void)state;
	load_ks(&v, &n);
	nl = flux_tree_lines(&v[K_WEB], v, n, &lines);
	assert_int_equal(nl, 5);
	assert_string_equal(lines[0],
			    "Kustomization/a0008/a0008-web  Waiting");
	assert_string_equal(lines[1], "\xe2\x94\x9c\xe2\x94\x80 "
				      "Kustomization/flux-system/apps  Ready"
				      "  (3 objects)");
	assert_string_equal(lines[2],
			    "\xe2\x94\x82  \xe2\x94\x94\xe2\x94\x80 "
			    "Kustomization/flux-system/bootstrap-unified"
			    "  Ready  (12 objects)");
	assert_string_equal(lines[3], "\xe2\x94\x94\xe2\x94\x80 "
				      "Kustomization/a0008/a0008-config"
				      "  Waiting");
	assert_string_equal(lines[4], "   \xe2\x94\x94\xe2\x94\x80 "
				      "Kustomization/a0008/a0008-secrets"
				      "  Failed");
	flux_lines_free(&lines, nl);

	text_set_ascii(1);
	nl = flux_tree_lines(&v[K_WEB], v, n, &lines);
	text_set_ascii(0);
	assert_int_equal(nl, 5);
	assert_string_equal(lines[1], "|- Kustomization/flux-system/apps  "
				      "Ready  (3 objects)");
	assert_string_equal(lines[2],
			    "|  `- Kustomization/flux-system/"
			    "bootstrap-unified  Ready  (12 objects)");
	assert_string_equal(lines[4], "   `- Kustomization/a0008/"
				      "a0008-secrets  Failed");
	flux_lines_free(&lines, nl);

	nl = flux_tree_lines(&v[K_CYC_A], v, n, &lines);
	assert_int_equal(nl, 3);
	assert_string_equal(lines[2], "   \xe2\x94\x94\xe2\x94\x80 "
				      "Kustomization/flux-system/cyc-a"
				      "  Waiting  (cycle)");
	flux_lines_free(&lines, nl);

	nl = flux_tree_lines(&v[K_TENANT], v, n, &lines);
	assert_int_equal(nl, 2);
	assert_string_equal(lines[1], "\xe2\x94\x94\xe2\x94\x80 "
				      "Kustomization/a0005/foo  not found");
	flux_lines_free(&lines, nl);

	nl = flux_tree_lines(&v[K_PAUSED], v, n, &lines);
	assert_int_equal(nl, 1);
	assert_string_equal(lines[0], "Kustomization/flux-system/paused  Ready"
				      "  suspended");
	flux_lines_free(&lines, nl);
	flux_lines_free(NULL, 0);
	flux_objects_free(&v, n);
}

/* A diamond 40 levels deep would be 2^40 lines; the tree is capped. */
static void test_tree_capped(void **state)
{
	enum { DEPTH = 40 };
	struct flux_object *v = NULL;
	size_t n = 0, nl, i;
	char **lines;
	cJSON *list = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(list, "items");
	struct err e = {0};

	(void)state;
	for (i = 0; i < 2 * DEPTH + 1; i++) {
		char name[32], d1[32], d2[32];
		cJSON *o = cJSON_CreateObject();
		cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
		cJSON *spec = cJSON_AddObjectToObject(o, "spec");
		cJSON *deps = cJSON_AddArrayToObject(spec, "dependsOn");
		size_t level = (i + 1) / 2;

		snprintf(name, sizeof(name), "k%zu", i);
		cJSON_AddStringToObject(meta, "name", name);
		cJSON_AddStringToObject(meta, "namespace", "x");
		if (level < DEPTH) {
			snprintf(d1, sizeof(d1), "k%zu", 2 * level + 1);
			snprintf(d2, sizeof(d2), "k%zu", 2 * level + 2);
			cJSON_AddItemToArray(deps, cJSON_CreateObject());
			cJSON_AddStringToObject(cJSON_GetArrayItem(deps, 0),
						"name", d1);
			cJSON_AddItemToArray(deps, cJSON_CreateObject());
			cJSON_AddStringToObject(cJSON_GetArrayItem(deps, 1),
						"name", d2);
		}
		cJSON_AddItemToArray(items, o);
	}
	assert_int_equal(
	    flux_objects_append_list(&v, &n, FLUX_KUSTOMIZATION, list, &e), 0);
	cJSON_Delete(list);
	nl = flux_tree_lines(&v[0], v, n, &lines);
	assert_true(nl > 100);
	assert_true(nl <= 1001);
	assert_non_null(strstr(lines[nl - 1], "\xe2\x80\xa6"));
	flux_lines_free(&lines, nl);
	flux_objects_free(&v, n);
}

/* ---- reconcile ---------------------------------------------------------- */

static void test_reconcile_phase(void **state)
{
	struct flux_object g, k, *v;
	struct err e = {0};
	size_t n;
	char *p;

	(void)state;
	load_one("gitrepository_v1beta1.json", FLUX_GIT_REPOSITORY, &g);
	/* the annotation was handled and Ready is True */
	assert_int_equal(flux_reconcile_phase(&g, NULL),
			 FLUX_RECONCILE_DONE_READY);
	assert_int_equal(
	    flux_reconcile_phase(&g, "2026-11-28T11:58:00.123456789Z"),
	    FLUX_RECONCILE_DONE_READY);
	assert_int_equal(flux_reconcile_phase(&g, "2026-11-28T12:00:00Z"),
			 FLUX_RECONCILE_WAITING_HANDLED);
	assert_string_equal(
	    flux_reconcile_phase_text(FLUX_RECONCILE_WAITING_HANDLED),
	    "waiting for the controller");
	assert_int_equal(flux_reconcile_check(&g, &e), 0);
	flux_object_clear(&g);

	load_one("kustomization_v1beta2.json", FLUX_KUSTOMIZATION, &k);
	assert_int_equal(flux_reconcile_phase(&k, ""),
			 FLUX_RECONCILE_WAITING_READY);
	k.observed_generation = 3;
	assert_int_equal(flux_reconcile_phase(&k, ""),
			 FLUX_RECONCILE_DONE_READY);
	flux_object_clear(&k);

	load_ks(&v, &n);
	assert_int_equal(flux_reconcile_phase(&v[K_RECONCILING], NULL),
			 FLUX_RECONCILE_WAITING_HANDLED);
	assert_int_equal(
	    flux_reconcile_phase(&v[K_RECONCILING], "2026-11-28T11:00:00Z"),
	    FLUX_RECONCILE_DONE_READY);
	assert_int_equal(flux_reconcile_phase(&v[K_BUILD_FAIL], NULL),
			 FLUX_RECONCILE_DONE_FAILED);
	assert_int_equal(flux_reconcile_phase(&v[K_STALLED], NULL),
			 FLUX_RECONCILE_DONE_FAILED);
	assert_int_equal(flux_reconcile_phase(&v[K_PROGRESS], NULL),
			 FLUX_RECONCILE_WAITING_READY);
	assert_int_equal(flux_reconcile_phase(&v[K_CONFIG], NULL),
			 FLUX_RECONCILE_DONE_WAITING);
	assert_int_equal(flux_reconcile_phase(&v[K_FRESH], NULL),
			 FLUX_RECONCILE_WAITING_READY);
	/* handled, but no Ready condition any more */
	free(v[K_APPS].conditions[0].type);
	v[K_APPS].conditions[0].type = strdup("Reconciling");
	assert_int_equal(flux_reconcile_phase(&v[K_APPS], NULL),
			 FLUX_RECONCILE_WAITING_READY);
	assert_int_equal(flux_reconcile_phase(&v[K_BOOTSTRAP], NULL),
			 FLUX_RECONCILE_DONE_READY);

	assert_int_equal(flux_reconcile_check(&v[K_PAUSED], &e), -ERR_USAGE);
	assert_string_equal(e.msg, "Kustomization flux-system/paused is "
				   "suspended; resume it first");
	flux_objects_free(&v, n);

	p = flux_reconcile_patch("2026-11-28T12:00:00.123456789Z");
	assert_string_equal(p, "{\"metadata\":{\"annotations\":{"
			       "\"reconcile.fluxcd.io/requestedAt\":"
			       "\"2026-11-28T12:00:00.123456789Z\"}}}");
	free(p);
	p = flux_suspend_patch(1);
	assert_string_equal(p, "{\"spec\":{\"suspend\":true}}");
	free(p);
	p = flux_suspend_patch(0);
	assert_string_equal(p, "{\"spec\":{\"suspend\":false}}");
	free(p);
	assert_string_equal(flux_state_text(FLUX_STATE_WAITING), "Waiting");
	assert_string_equal(flux_state_text(FLUX_STATE_STALLED), "Stalled");
	assert_string_equal(flux_state_text((enum flux_state)99), "Unknown");
	assert_string_equal(
	    flux_reconcile_phase_text((enum flux_reconcile_phase)99),
	    "unknown");
}

/* Ready True with Reconciling True, built from JSON. */
static void test_reconcile_ready_and_reconciling(void **state)
{
	struct flux_object o;
	struct err e = {0};
	cJSON *j = cJSON_Parse(
	    "{\"metadata\":{\"name\":\"x\",\"generation\":2},\"status\":{"
	    "\"observedGeneration\":2,\"conditions\":["
	    "{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"R\"},"
	    "{\"type\":\"Reconciling\",\"status\":\"True\"}]}}");

	(void)state;
	assert_int_equal(flux_object_from_json(&o, FLUX_KUSTOMIZATION, j, &e),
			 0);
	assert_int_equal(o.state, FLUX_STATE_PROGRESSING);
	assert_int_equal(flux_reconcile_phase(&o, ""),
			 FLUX_RECONCILE_WAITING_READY);
	o.observed_generation = -1;
	assert_int_equal(flux_reconcile_phase(&o, ""),
			 FLUX_RECONCILE_WAITING_READY);
	flux_object_clear(&o);
	cJSON_Delete(j);
}

/* ---- controllers -------------------------------------------------------- */

static void test_controllers_walkthrough(void **state)
{
	struct flux_controller *c;
	size_t n;

	(void)state;
	load_controllers("deployments_walkthrough.json", &c, &n);
	/* hand-edited manifests: no part-of label, found by name */
	assert_int_equal(n, 2);
	assert_string_equal(c[0].name, "kustomize-controller");
	assert_string_equal(c[1].name, "source-controller");
	assert_false(c[0].labeled);
	assert_false(c[1].labeled);
	assert_int_equal(c[1].desired, 1); /* no spec.replicas */
	assert_int_equal(c[1].ready, 1);
	assert_int_equal(c[1].available_replicas, 1);
	assert_true(c[1].available);
	assert_true(flux_controller_ok(&c[1]));
	assert_string_equal(c[1].image,
			    "acraksrc.azurecr.io/fluxcd/source-controller:"
			    "v0.8.1");
	assert_string_equal(c[1].repo,
			    "acraksrc.azurecr.io/fluxcd/source-controller");
	assert_string_equal(c[1].tag, "v0.8.1");
	assert_string_equal(c[1].digest, "");
	assert_false(c[0].available);
	assert_int_equal(c[0].ready, 0);
	assert_string_equal(c[0].available_status, "False");
	assert_string_equal(c[0].available_reason,
			    "MinimumReplicasUnavailable");
	assert_false(flux_controller_ok(&c[0]));
	flux_controllers_free(&c, n);
	assert_null(c);
}

static void test_controllers_modern(void **state)
{
	struct flux_controller *c, one;
	struct err e = {0};
	size_t n;
	cJSON *j;

	(void)state;
	load_controllers("deployments_modern.json", &c, &n);
	assert_int_equal(n, 4); /* not fluxconfig-agent */
	assert_string_equal(c[0].name, "extra-flux-thing");
	assert_true(c[0].labeled);
	assert_false(c[0].available);
	assert_string_equal(c[0].available_status, "");
	assert_string_equal(c[0].repo, "registry.local:5000/flux/extra");
	assert_string_equal(c[0].tag, "");
	assert_string_equal(c[1].name, "helm-controller");
	assert_int_equal(c[1].desired, 2);
	assert_int_equal(c[1].ready, 1);
	assert_true(c[1].available);
	assert_false(flux_controller_ok(&c[1]));
	assert_string_equal(c[1].repo, "localhost:5000/helm-controller");
	assert_string_equal(c[1].tag, "");
	assert_string_equal(c[1].digest, "sha256:" DIG);
	assert_string_equal(c[2].name, "kustomize-controller");
	assert_string_equal(c[2].tag, "v1.3.0");
	assert_string_equal(c[2].digest, "sha256:" DIG);
	assert_string_equal(c[3].name, "source-controller");
	assert_true(flux_controller_ok(&c[3]));
	flux_controllers_free(&c, n);

	j = cJSON_Parse("{\"metadata\":{\"name\":\"helm-controller\"}}");
	assert_true(flux_is_controller(j));
	assert_int_equal(flux_controller_from_json(&one, j, &e), 0);
	assert_string_equal(one.image, "");
	assert_string_equal(one.repo, "");
	assert_int_equal(one.desired, 1);
	flux_controller_clear(&one);
	flux_controller_clear(NULL);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"metadata\":{\"labels\":{\"app.kubernetes.io/"
			"part-of\":\"flux\"}}}");
	assert_true(flux_is_controller(j));
	assert_int_equal(flux_controller_from_json(&one, j, &e), -ERR_PARSE);
	assert_string_equal(e.msg, "Deployment has no metadata.name");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"items\":[{\"metadata\":{\"labels\":{"
			"\"app.kubernetes.io/part-of\":\"flux\"}}}]}");
	assert_int_equal(flux_controllers_from_list(j, &c, &n, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg, "Deployment item 1: Deployment has no "
				   "metadata.name");
	assert_null(c);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"metadata\":{\"name\":\"x\",\"labels\":{"
			"\"app.kubernetes.io/part-of\":\"other\"}}}");
	assert_false(flux_is_controller(j));
	cJSON_Delete(j);
	assert_false(flux_is_controller(NULL));
	assert_int_equal(flux_controller_from_json(&one, NULL, &e),
			 -ERR_PARSE);
	j = cJSON_Parse("{\"items\":[]}");
	assert_int_equal(flux_controllers_from_list(j, &c, &n, &e), 0);
	assert_null(c);
	assert_int_equal(n, 0);
	cJSON_Delete(j);
	assert_int_equal(flux_controllers_from_list(NULL, &c, &n, &e),
			 -ERR_PARSE);
}

/* ---- summary, sort, filter ---------------------------------------------- */

static void test_summary(void **state)
{
	struct flux_object *v;
	struct flux_controller *c;
	struct flux_summary s;
	size_t n, nc;
	char *t;

	(void)state;
	load_world(&v, &n);
	load_controllers("deployments_walkthrough.json", &c, &nc);
	flux_summarize(c, nc, v, n, &s);
	assert_int_equal(s.controllers, 2);
	assert_int_equal(s.controllers_ok, 1);
	assert_int_equal(s.sources, 11);
	assert_int_equal(s.sources_ready, 6);
	assert_int_equal(s.kustomizations, 14);
	assert_int_equal(s.kustomizations_ready, 4);
	assert_int_equal(s.helmreleases, 2);
	assert_int_equal(s.helmreleases_ready, 1);
	assert_int_equal(s.suspended, 2);
	/* tenant-a, broken; build-fail, stalled, a0008-secrets; ingress */
	assert_int_equal(s.failed, 6);
	/* fresh, latest; config, web, tenant, cyc-a, cyc-b, fresh */
	assert_int_equal(s.waiting, 8);
	/* semver; progress */
	assert_int_equal(s.progressing, 2);
	t = flux_summary_text(&s, 0);
	assert_string_equal(t, "sources 6/11 Ready \xc2\xb7 kustomizations "
			       "4/14 Ready \xc2\xb7 helmreleases 1/2 Ready "
			       "\xc2\xb7 2 suspended");
	free(t);
	t = flux_summary_text(&s, 1);
	assert_string_equal(t, "sources 6/11 Ready - kustomizations 4/14 "
			       "Ready - helmreleases 1/2 Ready - 2 suspended");
	free(t);
	flux_objects_free(&v, n);
	flux_controllers_free(&c, nc);

	memset(&s, 0, sizeof(s));
	s.sources = s.sources_ready = 3;
	s.kustomizations = 12;
	s.kustomizations_ready = 11;
	s.suspended = 1;
	t = flux_summary_text(&s, 0);
	assert_string_equal(t, "sources 3/3 Ready \xc2\xb7 kustomizations "
			       "11/12 Ready \xc2\xb7 1 suspended");
	free(t);
	flux_summarize(NULL, 0, NULL, 0, &s);
	t = flux_summary_text(&s, 1);
	assert_string_equal(t, "sources 0/0 Ready - kustomizations 0/0 Ready");
	free(t);
}

static void test_sort(void **state)
{
	static const char *const want[NKS] = {
	    "a0008-secrets", "build-fail",
	    "stalled", /* failed */
	    "a0008-config",  "a0008-web",
	    "cyc-a",	     "cyc-b",
	    "fresh",	     "tenant", /* waiting */
	    "apps",	     "bootstrap-unified",
	    "paused",	     "progress",
	    "reconciling",
	};
	struct flux_object *v;
	size_t n, i;

	(void)state;
	load_ks(&v, &n);
	flux_objects_sort(v, n);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i].name, want[i]);
	/* same name in two namespaces, then kinds */
	free(v[0].name);
	v[0].name = strdup("same");
	free(v[1].name);
	v[1].name = strdup("same");
	assert_true(flux_compare(&v[0], &v[1]) < 0); /* a0008 < flux-system */
	assert_true(flux_compare(&v[1], &v[0]) > 0);
	assert_int_equal(flux_compare(&v[0], &v[0]), 0);
	flux_objects_sort(v, 1);
	flux_objects_free(&v, n);
}

static void test_filter(void **state)
{
	struct flux_object *v;
	size_t n;

	(void)state;
	load_world(&v, &n);
	assert_true(flux_matches(&v[0], NULL));
	assert_true(flux_matches(&v[0], ""));
	assert_true(flux_matches(&v[G_BOOTSTRAP], "BOOTSTRAP"));
	assert_true(flux_matches(&v[G_BOOTSTRAP], "gitrepo"));
	assert_true(flux_matches(&v[G_BOOTSTRAP], "refs/heads"));
	assert_true(flux_matches(&v[G_BOOTSTRAP], SHA_B));
	assert_true(flux_matches(&v[G_TENANT_A], "authentication"));
	assert_true(flux_matches(&v[G_TENANT_A], "failed"));
	assert_true(flux_matches(&v[G_PINNED], "suspended"));
	assert_false(flux_matches(&v[G_BOOTSTRAP], "suspended"));
	assert_true(flux_matches(&v[G_FRESH], "waiting"));
	assert_true(flux_matches(&v[G_FRESH], "contoso/fresh"));
	assert_false(flux_matches(&v[G_FRESH], "kustomization"));
	assert_true(flux_matches(&v[NGIT + 5 + K_SECRETS], "a0008"));
	assert_true(flux_matches(&v[n - 1], "ingress-nginx"));
	assert_true(flux_matches(&v[n - 1], "bitnami"));
	assert_true(flux_matches(&v[NGIT + 5 + K_APPS], "./apps"));
	assert_false(flux_matches(&v[NGIT + 5 + K_APPS], "zzz"));
	flux_objects_free(&v, n);
}

/* ---- output ------------------------------------------------------------- */

static const cJSON *find_named(const cJSON *arr, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");

		if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
			return it;
	}
	return NULL;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void test_json(void **state)
{
	struct flux_object *v;
	struct flux_controller *c;
	size_t n, nc;
	char *out;
	cJSON *root, *arr, *sum, *dr;
	const cJSON *o;

	(void)state;
	load_world(&v, &n);
	load_controllers("deployments_modern.json", &c, &nc);
	out = flux_to_json(c, nc, v, n, NULL);
	assert_non_null(out);
	root = cJSON_Parse(out);
	free(out);
	assert_non_null(root);

	arr = cJSON_GetObjectItemCaseSensitive(root, "controllers");
	assert_int_equal(cJSON_GetArraySize(arr), 4);
	o = find_named(arr, "kustomize-controller");
	assert_string_equal(jstr(o, "tag"), "v1.3.0");
	assert_string_equal(jstr(o, "namespace"), "flux-system");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "available")));
	assert_int_equal(cJSON_GetObjectItem(o, "ready")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(o, "desired")->valueint, 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "labeled")));

	arr = cJSON_GetObjectItemCaseSensitive(root, "sources");
	assert_int_equal(cJSON_GetArraySize(arr), 11);
	o = find_named(arr, "bootstrap");
	assert_string_equal(jstr(o, "kind"), "GitRepository");
	assert_string_equal(jstr(o, "ref"), "name refs/heads/main");
	assert_string_equal(jstr(o, "revision"),
			    "refs/heads/main@sha1:" SHA_B);
	assert_string_equal(jstr(o, "sha"), SHA_B);
	assert_string_equal(jstr(o, "state"), "Ready");
	assert_string_equal(jstr(o, "lastUpdate"), "2026-11-28T11:30:00Z");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "ready")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "suspended")));
	o = find_named(arr, "fresh");
	assert_string_equal(jstr(o, "message"), "waiting to be reconciled");
	assert_string_equal(jstr(o, "lastUpdate"), "");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "ready")));

	arr = cJSON_GetObjectItemCaseSensitive(root, "kustomizations");
	assert_int_equal(cJSON_GetArraySize(arr), 16);
	o = find_named(arr, "bootstrap-unified");
	assert_string_equal(jstr(o, "source"),
			    "GitRepository/flux-system/bootstrap");
	assert_string_equal(jstr(o, "path"), "./cluster-manifests");
	assert_string_equal(jstr(o, "appliedRevision"), "main@sha1:" SHA_B);
	assert_string_equal(jstr(o, "interval"), "10m0s");
	assert_string_equal(jstr(o, "lastReconcile"), "2026-11-28T11:59:00Z");
	assert_int_equal(cJSON_GetObjectItem(o, "inventory")->valueint, 12);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "dependencyRoot")));
	o = find_named(arr, "a0008-web");
	assert_string_equal(jstr(o, "state"), "Waiting");
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItem(o, "dependsOn")), 2);
	assert_string_equal(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(o, "dependsOn"), 0)
		->valuestring,
	    "flux-system/apps");
	dr = cJSON_GetObjectItem(o, "dependencyRoot");
	assert_string_equal(jstr(dr, "status"), "notReady");
	assert_string_equal(jstr(dr, "kind"), "Kustomization");
	assert_string_equal(jstr(dr, "namespace"), "a0008");
	assert_string_equal(jstr(dr, "name"), "a0008-secrets");
	assert_non_null(strstr(jstr(dr, "message"), "tls not found"));
	o = find_named(arr, "tenant");
	dr = cJSON_GetObjectItem(o, "dependencyRoot");
	assert_string_equal(jstr(dr, "status"), "missing");
	assert_string_equal(jstr(dr, "namespace"), "a0005");
	assert_string_equal(jstr(dr, "name"), "foo");
	o = find_named(arr, "cyc-b");
	dr = cJSON_GetObjectItem(o, "dependencyRoot");
	assert_string_equal(jstr(dr, "status"), "cycle");
	o = find_named(arr, "fresh");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "inventory")));
	o = find_named(arr, "ingress");
	assert_string_equal(jstr(o, "kind"), "HelmRelease");
	assert_string_equal(jstr(o, "path"), "ingress-nginx@4.x");
	assert_string_equal(jstr(o, "source"),
			    "HelmRepository/flux-system/bitnami");
	assert_string_equal(jstr(o, "attemptedRevision"), "4.9.0");
	o = find_named(arr, "podinfo");
	dr = cJSON_GetObjectItem(o, "dependencyRoot");
	assert_string_equal(jstr(dr, "status"), "notReady");
	assert_string_equal(jstr(dr, "kind"), "HelmRelease");
	assert_string_equal(jstr(dr, "name"), "ingress");

	sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
	assert_int_equal(cJSON_GetObjectItem(sum, "sources")->valueint, 11);
	assert_int_equal(cJSON_GetObjectItem(sum, "sourcesReady")->valueint,
			 6);
	assert_int_equal(
	    cJSON_GetObjectItem(sum, "kustomizationsReady")->valueint, 4);
	assert_int_equal(cJSON_GetObjectItem(sum, "controllers")->valueint, 4);
	assert_int_equal(
	    cJSON_GetObjectItem(sum, "controllersReady")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(sum, "suspended")->valueint, 2);
	cJSON_Delete(root);
	flux_objects_free(&v, n);
	flux_controllers_free(&c, nc);

	/* empty, with a given summary */
	{
		struct flux_summary s;

		memset(&s, 0, sizeof(s));
		s.failed = 9;
		out = flux_to_json(NULL, 0, NULL, 0, &s);
		root = cJSON_Parse(out);
		free(out);
		assert_int_equal(
		    cJSON_GetArraySize(cJSON_GetObjectItem(root, "sources")),
		    0);
		assert_int_equal(
		    cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"),
					"failed")
			->valueint,
		    9);
		cJSON_Delete(root);
	}
}

static char *table_of(enum flux_table which, const struct flux_object *v,
		      size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = mem_open(&buf, &len);

	flux_print_table(f, which, v, n, NOW);
	fclose(f);
	return buf;
}

/* The line of out that contains key, as a new string. */
static char *line_with(const char *out, const char *key)
{
	const char *p = strstr(out, key);
	const char *s, *e;

	if (!p)
		fail_msg("no line with '%s' in:\n%s", key, out);
	for (s = p; s > out && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	return strndup(s, (size_t)(e ? e - s : (long)strlen(s)));
}

static void test_table_sources(void **state)
{
	struct flux_object *v;
	size_t n;
	char *out, *line;

	(void)state;
	load_git(&v, &n);
	out = table_of(FLUX_TABLE_SOURCES, v, n);
	line = line_with(out, "NAMESPACE");
	assert_string_equal(
	    line, "NAMESPACE     NAME        URL                     "
		  "               REF                                "
		  "               REVISION          SUSPENDED   READY"
		  "     STATE         UPDATED     MESSAGE");
	free(line);
	line = line_with(out, "   bootstrap   ");
	assert_non_null(
	    strstr(line, "   main@9f8e7d6c     False       True "));
	assert_non_null(strstr(line, "   Ready         30m         stored "));
	free(line);
	line = line_with(out, "   fresh   ");
	assert_non_null(strstr(line, "   branch dev   "));
	assert_non_null(strstr(line, "   -                 False       "
				     "Unknown   Waiting       <unknown>   "
				     "waiting to be reconciled"));
	free(line);
	line = line_with(out, "   pinned   ");
	assert_non_null(
	    strstr(line, "   1a2b3c4d          True        True "));
	free(line);
	/* no Kustomizations among the sources */
	assert_null(strstr(out, "paused"));
	free(out);

	/* mixed kinds: kind/name */
	append("buckets_v1beta2.json", FLUX_BUCKET, &v, &n);
	out = table_of(FLUX_TABLE_SOURCES, v, n);
	assert_non_null(strstr(out, "   gitrepository/bootstrap   "));
	assert_non_null(strstr(out, "   bucket/configs   "));
	free(out);
	out = table_of(FLUX_TABLE_KUSTOMIZATIONS, v, n);
	assert_string_equal(out, "NAMESPACE   NAME   SOURCE   PATH   "
				 "REVISION   ATTEMPTED   SUSPENDED   READY   "
				 "STATE   INTERVAL   RECONCILED   MESSAGE\n");
	free(out);
	flux_objects_free(&v, n);
}

static void test_table_kustomizations(void **state)
{
	struct flux_object *v = NULL, *k = NULL;
	size_t n = 0, nk = 0;
	char *out, *line;

	(void)state;
	load_ks(&k, &nk);
	out = table_of(FLUX_TABLE_KUSTOMIZATIONS, k, nk);
	line = line_with(out, "NAMESPACE");
	assert_string_equal(
	    line, "NAMESPACE     NAME                SOURCE          "
		  "                      PATH                  REVISI"
		  "ON        ATTEMPTED       SUSPENDED   READY     ST"
		  "ATE         INTERVAL   RECONCILED   MESSAGE");
	free(line);
	line = line_with(out, "   build-fail   ");
	assert_non_null(strstr(line, "   GitRepository/bootstrap   "));
	assert_non_null(strstr(line, "   main@9f8e7d6c   main@1a2b3c4d   "));
	assert_non_null(strstr(line, "   False       False     Failed     "));
	assert_non_null(strstr(line, "   10m0s      10m          kustomize "
				     "build failed"));
	free(line);
	/* WAITING with dependencies: the root cause is the message */
	line = line_with(out, "   a0008-web   ");
	assert_non_null(strstr(line, "   GitRepository/flux-system/"
				     "bootstrap   "));
	assert_non_null(strstr(line, "waiting for dependency a0008/"
				     "a0008-secrets: Secret/a0008/tls not "
				     "found"));
	free(line);
	line = line_with(out, "   tenant   ");
	assert_non_null(strstr(line, "dependency a0005/foo not found"));
	free(line);
	line = line_with(out, "   cyc-a   ");
	assert_non_null(strstr(line, "dependency cycle: flux-system/cyc-a"));
	free(line);
	line = line_with(out, "   paused   ");
	assert_non_null(strstr(line, "   True        True      Ready   "));
	free(line);
	line = line_with(out, "   fresh   ");
	assert_non_null(strstr(line, "Unknown   Waiting "));
	/* its only dependency is Ready: the plain message */
	assert_non_null(strstr(line, "waiting to be reconciled"));
	free(line);
	free(out);

	append("helmreleases.json", FLUX_HELM_RELEASE, &v, &n);
	out = table_of(FLUX_TABLE_KUSTOMIZATIONS, v, n);
	line = line_with(out, "ingress ");
	assert_non_null(strstr(line,
			       "   HelmRepository/flux-system/bitnami"
			       "   ingress-nginx@4.x   4.8.3      "
			       "4.9.0       False       False   Failed   "
			       "5m         10m          Helm upgrade "
			       "failed"));
	free(line);
	free(out);
	/* mixed Kustomizations and HelmReleases: kind/name */
	append("helmreleases.json", FLUX_HELM_RELEASE, &k, &nk);
	out = table_of(FLUX_TABLE_KUSTOMIZATIONS, k, nk);
	assert_non_null(strstr(out, "   kustomization/apps   "));
	assert_non_null(strstr(out, "   helmrelease/ingress   "));
	free(out);
	flux_objects_free(&v, n);
	flux_objects_free(&k, nk);
}

static void test_table_controllers(void **state)
{
	struct flux_controller *c;
	size_t n, len = 0;
	char *buf = NULL;
	FILE *f;

	(void)state;
	load_controllers("deployments_walkthrough.json", &c, &n);
	f = mem_open(&buf, &len);
	flux_print_controllers(f, c, n);
	fclose(f);
	assert_string_equal(
	    buf,
	    "NAMESPACE     NAME                   READY   AVAILABLE   IMAGE"
	    "                                             TAG      MESSAGE\n"
	    "flux-system   kustomize-controller   0/1     False       "
	    "acraksrc.azurecr.io/fluxcd/kustomize-controller   v0.8.1   "
	    "Deployment does not have minimum availability.\n"
	    "flux-system   source-controller      1/1     True        "
	    "acraksrc.azurecr.io/fluxcd/source-controller      v0.8.1   "
	    "Deployment has minimum availability.\n");
	free(buf);
	flux_controllers_free(&c, n);

	load_controllers("deployments_modern.json", &c, &n);
	buf = NULL;
	f = mem_open(&buf, &len);
	flux_print_controllers(f, c, n);
	fclose(f);
	/* digest instead of a missing tag; "Unknown" without a condition */
	assert_non_null(strstr(buf, "localhost:5000/helm-controller      "
				    "                sha256:0123456789ab   "
				    "Deployment has"));
	assert_null(strstr(buf, DIG));
	assert_non_null(strstr(buf, "   0/1     Unknown     "));
	free(buf);
	flux_controllers_free(&c, n);
}

static void test_hostile_strings(void **state)
{
	struct flux_object o;
	char *out, *json, **lines;
	size_t nl, i;
	cJSON *root;

	(void)state;
	load_one("hostile.json", FLUX_KUSTOMIZATION, &o);
	assert_non_null(strchr(o.ready_message, 0x1b)); /* stored as sent */
	out = table_of(FLUX_TABLE_KUSTOMIZATIONS, &o, 1);
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, 0x07));
	assert_null(strchr(out, '\r'));
	assert_null(strstr(out, "\xe2\x80\xae")); /* RIGHT-TO-LEFT OVERRIDE */
	assert_non_null(
	    strstr(out, "line1 line2 " RC "]0;owned" RC RC "[2J" RC "end\n"));
	/* one header line and one row */
	assert_int_equal(strchr(strchr(out, '\n') + 1, '\n')[1], '\0');
	free(out);

	o.state = FLUX_STATE_WAITING; /* message from the missing dependency */
	out = table_of(FLUX_TABLE_KUSTOMIZATIONS, &o, 1);
	assert_null(strchr(out, 0x1b));
	assert_non_null(
	    strstr(out, "dependency flux-system/gone" RC RC "]0;owned"));
	free(out);

	nl = flux_tree_lines(&o, &o, 1, &lines);
	assert_int_equal(nl, 2);
	for (i = 0; i < nl; i++) {
		assert_null(strchr(lines[i], 0x1b));
		assert_null(strstr(lines[i], "\xe2\x80\xae"));
	}
	flux_lines_free(&lines, nl);

	json = flux_to_json(NULL, 0, &o, 1, NULL);
	assert_null(strchr(json, 0x1b));
	assert_non_null(strstr(json, "\\u001b"));
	root = cJSON_Parse(json);
	assert_non_null(root);
	cJSON_Delete(root);
	free(json);
	flux_object_clear(&o);
}

static void test_ref_text(void **state)
{
	struct flux_ref r = {0};
	char buf[32];
	char a[] = "GitRepository", b[] = "flux-system", c[] = "ns";

	(void)state;
	assert_string_equal(flux_ref_text(&r, "x", buf, sizeof(buf)), "");
	r.kind = a;
	r.name = b;
	r.namespace = c;
	assert_string_equal(flux_ref_text(&r, "ns", buf, sizeof(buf)),
			    "GitRepository/flux-system");
	assert_string_equal(flux_ref_text(&r, NULL, buf, sizeof(buf)),
			    "GitRepository/ns/flux-system");
	assert_string_equal(flux_ref_text(&r, "other", buf, 10), "GitReposi");
	buf[0] = 'q';
	flux_ref_text(&r, "ns", buf, 0);
	assert_int_equal(buf[0], 'q');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_table),
	    cmocka_unit_test(test_kind_parse),
	    cmocka_unit_test(test_pick_version),
	    cmocka_unit_test(test_v1beta1_walkthrough),
	    cmocka_unit_test(test_v1beta2_inventory),
	    cmocka_unit_test(test_v1_sources),
	    cmocka_unit_test(test_other_sources),
	    cmocka_unit_test(test_kustomization_states),
	    cmocka_unit_test(test_helmreleases),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_revisions),
	    cmocka_unit_test(test_dependency_root),
	    cmocka_unit_test(test_dependency_index),
	    cmocka_unit_test(test_tree),
	    cmocka_unit_test(test_tree_capped),
	    cmocka_unit_test(test_reconcile_phase),
	    cmocka_unit_test(test_reconcile_ready_and_reconciling),
	    cmocka_unit_test(test_controllers_walkthrough),
	    cmocka_unit_test(test_controllers_modern),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_table_sources),
	    cmocka_unit_test(test_table_kustomizations),
	    cmocka_unit_test(test_table_controllers),
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_ref_text),
	};

	/* as the program does; widths of non-ASCII text need UTF-8 */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
