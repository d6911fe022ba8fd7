/* test_flux_copy.c - the packed copy of a Flux object (what the Flux
 * informers keep): every field of every fixture object equal to the
 * parsed original, and the copy still whole after the original is freed
 * (under ASan a pointer left into the original fails here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/flux.h"

static cJSON *load_json(const char *leaf)
{
	const char *dir = getenv("JD_SRCDIR");
	char path[1024];
	FILE *f;
	long len;
	char *buf;
	cJSON *j;

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
	j = cJSON_Parse(buf);
	free(buf);
	assert_non_null(j);
	return j;
}

static void same_ref(const struct flux_ref *a, const struct flux_ref *b)
{
	assert_string_equal(a->kind, b->kind);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->namespace, b->namespace);
}

/* Every field; strings by text, never by pointer. */
static void same(const struct flux_object *a, const struct flux_object *b)
{
	size_t i;

	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->api_version, b->api_version);
	assert_string_equal(a->namespace, b->namespace);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->resource_version, b->resource_version);
	assert_string_equal(a->created, b->created);
	assert_true(a->created_at == b->created_at);
	assert_true(a->generation == b->generation);
	assert_true(a->observed_generation == b->observed_generation);
	assert_int_equal(a->suspended, b->suspended);
	assert_string_equal(a->interval, b->interval);
	assert_string_equal(a->timeout, b->timeout);
	assert_string_equal(a->url, b->url);
	assert_string_equal(a->ref_text, b->ref_text);
	assert_string_equal(a->secret_ref, b->secret_ref);
	assert_string_equal(a->revision, b->revision);
	assert_string_equal(a->attempted_revision, b->attempted_revision);
	assert_string_equal(a->sha, b->sha);
	assert_int_equal(a->state, b->state);
	assert_string_equal(a->ready_status, b->ready_status);
	assert_string_equal(a->ready_reason, b->ready_reason);
	assert_string_equal(a->ready_message, b->ready_message);
	assert_int_equal(a->nconditions, b->nconditions);
	for (i = 0; i < a->nconditions; i++) {
		const struct flux_condition *x = &a->conditions[i];
		const struct flux_condition *y = &b->conditions[i];

		assert_string_equal(x->type, y->type);
		assert_string_equal(x->status, y->status);
		assert_string_equal(x->reason, y->reason);
		assert_string_equal(x->message, y->message);
		assert_string_equal(x->last_transition, y->last_transition);
	}
	assert_true(a->last_update == b->last_update);
	assert_string_equal(a->last_handled_reconcile_at,
			    b->last_handled_reconcile_at);
	assert_string_equal(a->requested_at, b->requested_at);
	same_ref(&a->source_ref, &b->source_ref);
	assert_string_equal(a->path, b->path);
	assert_string_equal(a->chart, b->chart);
	assert_int_equal(a->prune, b->prune);
	assert_int_equal(a->ndepends_on, b->ndepends_on);
	for (i = 0; i < a->ndepends_on; i++)
		same_ref(&a->depends_on[i], &b->depends_on[i]);
	assert_true(a->inventory_count == b->inventory_count);
	assert_true(a->inventory_namespaces == b->inventory_namespaces);
	assert_int_equal(a->inventory_is_snapshot, b->inventory_is_snapshot);
}

static void check_list(const char *leaf, enum flux_kind kind)
{
	cJSON *j = load_json(leaf);
	struct flux_object *v = NULL, *copies, *again;
	size_t n = 0, i;
	struct err e = {0};

	assert_int_equal(flux_objects_append_list(&v, &n, kind, j, &e), 0);
	cJSON_Delete(j);
	assert_true(n > 0);
	copies = calloc(n, sizeof(*copies));
	again = calloc(n, sizeof(*again));
	assert_non_null(copies);
	assert_non_null(again);
	for (i = 0; i < n; i++)
		flux_object_copy(&copies[i], &v[i]);
	for (i = 0; i < n; i++)
		same(&copies[i], &v[i]);
	/* A copy of a copy, the original gone: still the same object. */
	for (i = 0; i < n; i++)
		flux_object_copy(&again[i], &copies[i]);
	for (i = 0; i < n; i++) {
		same(&again[i], &v[i]);
		flux_object_clear(&copies[i]);
		assert_null(copies[i].name);
	}
	free(copies);
	flux_objects_free(&v, n);
	/* Pooled strings outlive every object; the block was the copy's. */
	for (i = 0; i < n; i++) {
		assert_true(strlen(again[i].name) > 0);
		flux_object_clear(&again[i]);
	}
	free(again);
}

static void test_every_kind(void **state)
{
	(void)state;
	check_list("gitrepositories_v1.json", FLUX_GIT_REPOSITORY);
	check_list("ocirepositories_v1beta2.json", FLUX_OCI_REPOSITORY);
	check_list("helmrepositories_v1.json", FLUX_HELM_REPOSITORY);
	check_list("buckets_v1beta2.json", FLUX_BUCKET);
	check_list("kustomizations_v1.json", FLUX_KUSTOMIZATION);
	check_list("helmreleases.json", FLUX_HELM_RELEASE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
