/* test_flux_discover.c - unit tests for choosing each Flux kind's version
 * from the resource lists of its group, as real releases serve them. Not
 * a test of fetching: the lists are written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "backend/flux_discover.h"

/* An APIResourceList naming these plurals (and their /status). */
static cJSON *list_of(const char *gv, const char *const plurals[])
{
	cJSON *l = cJSON_CreateObject();
	cJSON *res = cJSON_AddArrayToObject(l, "resources");
	char sub[128];
	size_t i;

	cJSON_AddStringToObject(l, "kind", "APIResourceList");
	cJSON_AddStringToObject(l, "groupVersion", gv);
	for (i = 0; plurals[i]; i++) {
		cJSON *r = cJSON_CreateObject();

		snprintf(sub, sizeof(sub), "%s/status", plurals[i]);
		cJSON_AddStringToObject(r, "name", sub);
		cJSON_AddItemToArray(res, r);
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", plurals[i]);
		cJSON_AddItemToArray(res, r);
	}
	return l;
}

/* source-controller v1.0.0 (Flux 2.0): only GitRepository at v1. */
static void test_flux_2_0_sources(void **state)
{
	static const char *const v1[] = {"gitrepositories", NULL};
	static const char *const b2[] = {"buckets",	    "gitrepositories",
					 "helmcharts",	    "helmrepositories",
					 "ocirepositories", NULL};
	static const char *const b1[] = {"buckets", "gitrepositories",
					 "helmcharts", "helmrepositories",
					 NULL};
	const char *const versions[] = {"v1", "v1beta2", "v1beta1"};
	cJSON *l[3];

	(void)state;
	l[0] = list_of("source.toolkit.fluxcd.io/v1", v1);
	l[1] = list_of("source.toolkit.fluxcd.io/v1beta2", b2);
	l[2] = list_of("source.toolkit.fluxcd.io/v1beta1", b1);
	assert_string_equal(flux_kind_version(FLUX_GIT_REPOSITORY, versions,
					      (const cJSON *const *)l, 3),
			    "v1");
	assert_string_equal(flux_kind_version(FLUX_HELM_REPOSITORY, versions,
					      (const cJSON *const *)l, 3),
			    "v1beta2");
	assert_string_equal(flux_kind_version(FLUX_BUCKET, versions,
					      (const cJSON *const *)l, 3),
			    "v1beta2");
	assert_string_equal(flux_kind_version(FLUX_OCI_REPOSITORY, versions,
					      (const cJSON *const *)l, 3),
			    "v1beta2");
	/* a kind of another group is not found in these lists */
	assert_null(flux_kind_version(FLUX_KUSTOMIZATION, versions,
				      (const cJSON *const *)l, 3));
	cJSON_Delete(l[0]);
	cJSON_Delete(l[1]);
	cJSON_Delete(l[2]);
}

/* The order of the lists does not matter, a missing list (NULL) is
 * skipped, and the version names come from the caller. */
static void test_order_and_gaps(void **state)
{
	static const char *const b1[] = {"gitrepositories", NULL};
	static const char *const v1[] = {"gitrepositories", NULL};
	const char *const versions[] = {"v1beta1", "v1beta2", "v1"};
	cJSON *l[3];

	(void)state;
	l[0] = list_of("source.toolkit.fluxcd.io/v1beta1", b1);
	l[1] = NULL;
	l[2] = list_of("source.toolkit.fluxcd.io/v1", v1);
	assert_string_equal(flux_kind_version(FLUX_GIT_REPOSITORY, versions,
					      (const cJSON *const *)l, 3),
			    "v1");
	assert_string_equal(flux_kind_version(FLUX_GIT_REPOSITORY, versions,
					      (const cJSON *const *)l, 1),
			    "v1beta1");
	/* "gitrepositories/status" alone is not the resource */
	assert_null(flux_kind_version(FLUX_BUCKET, versions,
				      (const cJSON *const *)l, 3));
	cJSON_Delete(l[0]);
	cJSON_Delete(l[2]);
}

/* HelmRelease uses its own order (v2, v2beta2, v2beta1); versions the
 * table does not know are never chosen. */
static void test_helm_and_unknown(void **state)
{
	static const char *const hr[] = {"helmreleases", NULL};
	const char *const versions[] = {"v2beta1", "v3alpha1", "v2beta2"};
	cJSON *l[3];

	(void)state;
	l[0] = list_of("helm.toolkit.fluxcd.io/v2beta1", hr);
	l[1] = list_of("helm.toolkit.fluxcd.io/v3alpha1", hr);
	l[2] = list_of("helm.toolkit.fluxcd.io/v2beta2", hr);
	assert_string_equal(flux_kind_version(FLUX_HELM_RELEASE, versions,
					      (const cJSON *const *)l, 3),
			    "v2beta2");
	assert_string_equal(flux_kind_version(FLUX_HELM_RELEASE, versions,
					      (const cJSON *const *)l, 2),
			    "v2beta1");
	assert_null(flux_kind_version(FLUX_HELM_RELEASE, versions + 1,
				      (const cJSON *const *)l + 1, 1));
	cJSON_Delete(l[0]);
	cJSON_Delete(l[1]);
	cJSON_Delete(l[2]);
}

/* Hostile shapes: no resources, resources not an array, names not
 * strings, NULL arguments, a kind out of range. */
static void test_bad_input(void **state)
{
	const char *const versions[] = {"v1"};
	cJSON *l[1];

	(void)state;
	l[0] = cJSON_Parse("{\"resources\":{\"name\":\"buckets\"}}");
	assert_null(flux_kind_version(FLUX_BUCKET, versions,
				      (const cJSON *const *)l, 1));
	cJSON_Delete(l[0]);
	l[0] = cJSON_Parse("{\"resources\":[{\"name\":7},{\"nom\":"
			   "\"buckets\"},null,\"buckets\"]}");
	assert_null(flux_kind_version(FLUX_BUCKET, versions,
				      (const cJSON *const *)l, 1));
	cJSON_Delete(l[0]);
	assert_null(flux_kind_version(FLUX_BUCKET, NULL, NULL, 1));
	assert_null(flux_kind_version(FLUX_KIND_COUNT, versions,
				      (const cJSON *const *)l, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flux_2_0_sources),
	    cmocka_unit_test(test_order_and_gaps),
	    cmocka_unit_test(test_helm_and_unknown),
	    cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
