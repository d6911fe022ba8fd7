/* test_json.c - unit tests for the typed cJSON getters: every wrong shape
 * gives the fallback; printing frees the tree. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/json.h"

static const char doc_text[] =
    "{\"s\":\"text\",\"empty\":\"\",\"n\":42.9,\"neg\":-3,\"t\":true,"
    "\"f\":false,\"null\":null,\"o\":{\"k\":\"v\"},\"a\":[\"x\"],"
    "\"big\":1e14,\"digits\":\"1700000000\",\"mixed\":\"12ab\","
    "\"S\":\"case\"}";

static void test_get(void **state)
{
	cJSON *doc = cJSON_Parse(doc_text);
	const cJSON *a = json_get(doc, "a");

	(void)state;
	assert_non_null(doc);
	assert_true(cJSON_IsObject(json_get(doc, "o")));
	assert_null(json_get(doc, "missing"));
	assert_null(json_get(NULL, "s"));
	assert_null(json_get(doc, NULL));
	/* Arrays and scalars have no members. */
	assert_null(json_get(a, "x"));
	assert_null(json_get(json_get(doc, "s"), "s"));
	/* Keys are case-sensitive. */
	assert_string_equal(json_str(doc, "S"), "case");
	assert_string_equal(json_str(doc, "s"), "text");
	cJSON_Delete(doc);
}

static void test_strings(void **state)
{
	cJSON *doc = cJSON_Parse(doc_text);
	char *d;

	(void)state;
	assert_string_equal(json_str(doc, "s"), "text");
	assert_string_equal(json_str(doc, "empty"), "");
	assert_null(json_str(doc, "n"));
	assert_null(json_str(doc, "null"));
	assert_null(json_str(doc, "o"));
	assert_null(json_str(NULL, "s"));
	assert_string_equal(json_text(doc, "s"), "text");
	assert_null(json_text(doc, "empty"));
	assert_null(json_text(doc, "t"));
	assert_string_equal(json_str(json_get(doc, "o"), "k"), "v");

	d = json_dup(doc, "s", NULL);
	assert_string_equal(d, "text");
	free(d);
	d = json_dup(doc, "empty", "fallback");
	assert_string_equal(d, "");
	free(d);
	d = json_dup(doc, "n", "fallback");
	assert_string_equal(d, "fallback");
	free(d);
	assert_null(json_dup(doc, "missing", NULL));
	assert_null(json_dup(NULL, "s", NULL));
	cJSON_Delete(doc);
}

static void test_numbers(void **state)
{
	cJSON *doc = cJSON_Parse(doc_text);
	long long v = -1;

	(void)state;
	assert_int_equal(json_num(doc, "n", -1), 42);
	assert_int_equal(json_num(doc, "neg", 0), -3);
	assert_int_equal(json_num(doc, "s", 7), 7);
	assert_int_equal(json_num(doc, "digits", 7), 7);
	assert_int_equal(json_num(doc, "missing", -1), -1);
	assert_int_equal(json_num(NULL, "n", 5), 5);

	assert_int_equal(json_seconds(json_get(doc, "n"), &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(json_seconds(json_get(doc, "digits"), &v), 0);
	assert_int_equal(v, 1700000000LL);
	v = 99;
	assert_int_equal(json_seconds(json_get(doc, "neg"), &v), -1);
	assert_int_equal(json_seconds(json_get(doc, "big"), &v), -1);
	assert_int_equal(json_seconds(json_get(doc, "mixed"), &v), -1);
	assert_int_equal(json_seconds(json_get(doc, "empty"), &v), -1);
	assert_int_equal(json_seconds(json_get(doc, "t"), &v), -1);
	assert_int_equal(json_seconds(NULL, &v), -1);
	assert_int_equal(v, 99);
	cJSON_Delete(doc);
}

static void test_scalars(void **state)
{
	cJSON *doc = cJSON_Parse(doc_text);
	const char *keys[] = {"s", "n", "neg", "t", "f", "null", "o", "a"};
	const char *want[] = {
	    "text", "42.899999999999999", "-3", "true", "false", "", "", ""};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *s = json_scalar_dup(json_get(doc, keys[i]));

		assert_string_equal(s, want[i]);
		free(s);
	}
	cJSON_Delete(doc);
}

static void test_paths(void **state)
{
	cJSON *doc =
	    cJSON_Parse("{\"properties\":{\"status\":{\"code\":\"Unhealthy\"},"
			"\"score\":7.5,\"list\":[1]},\"a.b\":\"dotted\","
			"\"s\":\"top\"}");
	char longkey[200];

	(void)state;
	assert_non_null(doc);
	assert_string_equal(json_path_str(doc, "properties.status.code"),
			    "Unhealthy");
	assert_string_equal(json_path_str(doc, "s"), "top");
	assert_true(cJSON_IsObject(json_path(doc, "properties.status")));
	assert_ptr_equal(json_path(doc, ""), doc);
	assert_null(json_path(doc, "properties.missing.code"));
	assert_null(json_path(NULL, "properties"));
	/* Through a non-object: nothing. */
	assert_null(json_path(doc, "properties.list.0"));
	assert_null(json_path(doc, "s.x"));
	/* A dotted key cannot be reached by path, only by json_get. */
	assert_null(json_path(doc, "a.b"));
	assert_string_equal(json_str(doc, "a.b"), "dotted");
	assert_null(json_path_str(doc, "properties.score"));
	assert_true(json_path_num(doc, "properties.score", -1) == 7.5);
	assert_true(json_path_num(doc, "properties.status", -1) == -1);
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_null(json_path(doc, longkey));
	cJSON_Delete(doc);
}

static void test_print(void **state)
{
	cJSON *root = cJSON_CreateObject();
	char *s;

	(void)state;
	cJSON_AddStringToObject(root, "a", "b");
	cJSON_AddNumberToObject(root, "n", 1);
	s = json_print_free(root, 0);
	assert_string_equal(s, "{\"a\":\"b\",\"n\":1}");
	free(s);

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "a", "b");
	s = json_print_free(root, 1);
	assert_string_equal(s, "{\n\t\"a\":\t\"b\"\n}");
	free(s);
	assert_null(json_print_free(NULL, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get),	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_numbers), cmocka_unit_test(test_scalars),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
