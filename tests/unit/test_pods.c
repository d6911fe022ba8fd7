/* test_pods.c - where a digest runs: compact pods, the digest in an
 * imageID, Kustomization ownership (labels and inventory), and the
 * containers that run an image, vetted or an alert (a drifted tag, a
 * pull straight from upstream or from quarantine/, an image from the
 * node). Pods come from tests/unit/data/scans/cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pods.h"

#define IDX                                                                   \
	"sha256:"                                                             \
	"0607a37acf4a5bb87ec292c904e666ff04e176caa6d3e9a919ed040923a9d777"
#define ARM                                                                   \
	"sha256:"                                                             \
	"15a5882e0d667942e31ec991d2ee54b9e881b0c9b73e6bcae3a1c77f988db60d"
#define KURED                                                                 \
	"sha256:"                                                             \
	"c298dd231904d193954e20ad6126d9cdfff4bbedb3d28396ec31710c49eb80f6"

static cJSON *load(const char *name)
{
	char path[256], *buf;
	FILE *f;
	long n;
	cJSON *doc;

	snprintf(path, sizeof(path), "tests/unit/data/scans/cluster/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	doc = cJSON_Parse(buf);
	free(buf);
	assert_non_null(doc);
	return doc;
}

static void test_digest(void **state)
{
	char d[80];

	(void)state;
	assert_int_equal(pods_image_digest("docker-pullable://weaveworks/"
					   "kured@" KURED,
					   d, sizeof(d)),
			 0);
	assert_string_equal(d, KURED);
	assert_int_equal(
	    pods_image_digest("acr.azurecr.io/live/x@" IDX, d, sizeof(d)), 0);
	assert_string_equal(d, IDX);
	/* an image ID on the node is not a registry digest */
	assert_int_equal(pods_image_digest(KURED, d, sizeof(d)), -1);
	assert_string_equal(d, "");
	assert_int_equal(pods_image_digest("x@sha256:12", d, sizeof(d)), -1);
	assert_int_equal(pods_image_digest(NULL, d, sizeof(d)), -1);
}

static void test_compact(void **state)
{
	cJSON *doc = load("pods.json");
	cJSON *pod = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "items"), 0);
	char *before = cJSON_PrintUnformatted(pod), *after;

	(void)state;
	pods_compact(pod);
	after = cJSON_PrintUnformatted(pod);
	assert_string_equal(
	    after,
	    "{\"metadata\":{\"name\":\"busybox-demo-7d4b9c8f6d-x2x9z\","
	    "\"namespace\":\"a0005-i\",\"resourceVersion\":\"1201\","
	    "\"labels\":{\"pod-template-hash\":\"7d4b9c8f6d\"},"
	    "\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":"
	    "\"busybox-demo-7d4b9c8f6d\",\"controller\":true}]},"
	    "\"spec\":{\"nodeName\":\"aks-npinscope01-26621167-"
	    "vmss000000\"},\"status\":{\"phase\":\"Running\","
	    "\"containerStatuses\":[{\"name\":\"busybox\",\"image\":"
	    "\"acrakstest.azurecr.io/live/library/busybox:1.33.0\","
	    "\"imageID\":\"acrakstest.azurecr.io/live/library/busybox@" IDX
	    "\"}]}}");
	assert_true(strlen(after) * 2 < strlen(before));
	free(before);
	free(after);
	cJSON_Delete(doc);
}

static const struct pod_run *run_of(const struct pod_run *v, size_t n,
				    const char *pod)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, pod) == 0)
			return &v[i];
	}
	return NULL;
}

static void test_runs(void **state)
{
	cJSON *doc = load("pods.json"), *ks = load("kustomizations.json");
	const char *vetted[] = {IDX,
				"sha256:a5f94d889c9f5036e29458b4d41a7fe2"
				"7b5ded9666b8edadd1aa08a9b2806824",
				ARM, NULL};
	struct pods_image img = {
	    .upstream_registry = "docker.io",
	    .path = "library/busybox",
	    .registry_host = "acrakstest.azurecr.io",
	    .live_repo = "live/library/busybox",
	    .quarantine_repo = "quarantine/library/busybox",
	    .vetted = vetted,
	};
	struct pods_inventory *inv = pods_inventory_new();
	const cJSON *k;
	cJSON *it;
	const cJSON **pods;
	struct pod_run *runs;
	const struct pod_run *r;
	size_t n, nr;

	(void)state;
	cJSON_ArrayForEach(k, cJSON_GetObjectItem(ks, "items"))
	    pods_inventory_add(inv, k);
	assert_int_equal(pods_inventory_count(inv), 4);
	/* what an informer holds: compacted pods */
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(doc, "items"))
	    pods_compact(it);
	pods = pods_vector(cJSON_GetObjectItem(doc, "items"), &n);
	assert_int_equal(n, 9);
	nr = pods_runs(pods, n, &img, inv, &runs);
	/* demo, drift, local, arm-copy, web's init container, quarantine */
	assert_int_equal(nr, 6);
	assert_int_equal(pods_alerts(runs, nr), 3);

	r = run_of(runs, nr, "busybox-demo-7d4b9c8f6d-x2x9z");
	assert_true(r->vetted);
	assert_string_equal(r->alert, "");
	assert_string_equal(r->ks_name, "a0005-i");
	assert_string_equal(r->ks_ns, "flux-system");
	assert_string_equal(r->ks_how, "inventory");
	assert_string_equal(r->node, "aks-npinscope01-26621167-vmss000000");

	r = run_of(runs, nr, "busybox-drift-6c8d5f7b9-k4l2m");
	assert_false(r->vetted);
	assert_string_equal(r->alert, "runs sha256:88651b916044, not the "
				      "vetted sha256:0607a37acf4a");
	assert_string_equal(r->ks_how, "");

	r = run_of(runs, nr, "busybox-local");
	assert_string_equal(r->digest, "");
	assert_non_null(strstr(r->alert, "names no registry digest"));

	/* the arm64 manifest under another name: the bytes are vetted */
	r = run_of(runs, nr, "arm-copy");
	assert_true(r->vetted);
	assert_string_equal(r->alert, "");
	assert_string_equal(r->ks_name, "a0005-o");

	r = run_of(runs, nr, "web-5b9f7c6d8-abcde");
	assert_string_equal(r->container, "wait");
	assert_true(r->vetted);
	assert_string_equal(r->ks_name, "a0005-i");

	r = run_of(runs, nr, "quarantined-pull");
	assert_string_equal(r->alert, "pulled from quarantine/, not from "
				      "live/");
	assert_null(run_of(runs, nr, "busybox-pending"));
	assert_null(run_of(runs, nr, "nginx-1"));
	free(runs);

	/* kured straight from Docker Hub, owned by its Flux labels */
	{
		const char *kv[] = {KURED, NULL};
		struct pods_image ki = {
		    .upstream_registry = "docker.io",
		    .path = "weaveworks/kured",
		    .registry_host = "acrakstest.azurecr.io",
		    .live_repo = "live/weaveworks/kured",
		    .quarantine_repo = "quarantine/weaveworks/kured",
		    .vetted = kv,
		};

		nr = pods_runs(pods, n, &ki, inv, &runs);
		assert_int_equal(nr, 1);
		assert_string_equal(runs[0].alert,
				    "pulled straight from docker.io, not from "
				    "live/ (sha256:c298dd231904, the vetted "
				    "digest)");
		assert_string_equal(runs[0].ks_name, "cluster-baseline");
		assert_string_equal(runs[0].ks_how, "label");
		free(runs);
	}
	free(pods);
	pods_inventory_free(&inv);
	assert_null(inv);
	cJSON_Delete(doc);
	cJSON_Delete(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_compact),
	    cmocka_unit_test(test_runs),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
