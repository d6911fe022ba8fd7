/* test_json_items.c - a list page read item by item: every item handed
 * over in order with strings that hold braces, quotes and escapes; the
 * metadata kept; malformed pages refused with a sentence, never a crash
 * or a wrong item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/json_items.h"

struct seen {
	char names[16][64];
	int n;
	int stop_at; /* 0: never */
};

static int on_item(const cJSON *item, void *ud)
{
	struct seen *s = ud;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(item, "metadata");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");

	if (s->n < 16)
		snprintf(s->names[s->n], sizeof(s->names[s->n]), "%s",
			 cJSON_IsString(name)	? name->valuestring
			 : cJSON_IsNumber(item) ? "#"
						: "?");
	s->n++;
	return s->stop_at && s->n == s->stop_at;
}

static long walk(const char *text, struct seen *s, cJSON **meta, struct err *e)
{
	memset(s->names, 0, sizeof(s->names));
	s->n = 0;
	err_clear(e);
	return json_items_walk(text, strlen(text), on_item, s, meta, e);
}

static void test_page(void **state)
{
	const char *page =
	    " {\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\n"
	    "  \"metadata\":{\"resourceVersion\":\"42\",\"continue\":\"c}]\","
	    "\"remainingItemCount\":3},\n"
	    "  \"items\":[{\"metadata\":{\"name\":\"a\"},\"x\":\"}]\\\"{[\"},"
	    "{\"metadata\":{\"name\":\"b\\u0041\"},\"l\":[[1,2],{\"y\":[]}]},"
	    "\n "
	    "{\"metadata\":{\"name\":\"c\"}}],\"extra\":[1,{\"z\":\"]\"}]}\n";
	struct seen s = {0};
	cJSON *meta = NULL;
	struct err e;
	const cJSON *rv;

	(void)state;
	assert_int_equal(walk(page, &s, &meta, &e), 3);
	assert_string_equal(s.names[0], "a");
	assert_string_equal(s.names[1], "bA");
	assert_string_equal(s.names[2], "c");
	assert_non_null(meta);
	rv = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");
	assert_string_equal(rv->valuestring, "42");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(meta, "continue")->valuestring,
	    "c}]");
	cJSON_Delete(meta);
}

static void test_empty_and_order(void **state)
{
	struct seen s = {0};
	cJSON *meta = NULL;
	struct err e;

	(void)state;
	assert_int_equal(walk("{\"items\":[]}", &s, &meta, &e), 0);
	assert_null(meta);
	/* items before metadata, numbers as items */
	assert_int_equal(
	    walk("{\"items\":[1, 2],\"metadata\":{}}", &s, &meta, &e), 2);
	assert_string_equal(s.names[0], "#");
	assert_non_null(meta);
	cJSON_Delete(meta);
	/* a NUL after the text, as a body buffer has */
	assert_int_equal(
	    json_items_walk("{\"items\":[]}", 13, on_item, &s, &meta, &e), 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{}",
	    "{\"metadata\":{}}",
	    "{\"items\":{}}",
	    "{\"items\":[{\"metadata\":{\"name\":\"a\"}}",
	    "{\"items\":[{\"metadata\":{\"name\":\"a\"}},]}",
	    "{\"items\":[{\"metadata\":{\"name\":\"a}}]}",
	    "{\"items\":[{\"a\":tru}]}",
	    "{\"items\":[],}",
	    "{\"items\":[]} x",
	    "{\"items\" []}",
	    "{\"metadata\":3,\"items\":[]}",
	    "{items:[]}",
	};
	struct seen s = {0};
	cJSON *meta = (cJSON *)1;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long n = walk(bad[i], &s, &meta, &e);

		if (n >= 0)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(n, -ERR_PARSE);
		assert_true(strlen(e.msg) > 0);
		assert_null(meta);
	}
	assert_int_equal(walk("{}", &s, &meta, &e), -ERR_PARSE);
	assert_string_equal(e.msg, "answer is not a list (no items)");
	/* items handed over before the error stay handed over */
	assert_int_equal(walk("{\"items\":[{\"metadata\":{\"name\":\"a\"}},"
			      "{\"metadata\":}]}",
			      &s, &meta, &e),
			 -ERR_PARSE);
	assert_int_equal(s.n, 1);
}

static void test_deep_nesting(void **state)
{
	char text[400];
	struct seen s = {0};
	cJSON *meta;
	struct err e;
	int i, o = 0;

	(void)state;
	o += snprintf(text + o, sizeof(text) - (size_t)o, "{\"items\":[");
	for (i = 0; i < 100; i++)
		text[o++] = '[';
	for (i = 0; i < 100; i++)
		text[o++] = ']';
	snprintf(text + o, sizeof(text) - (size_t)o, "]}");
	assert_int_equal(walk(text, &s, &meta, &e), -ERR_PARSE);
	assert_non_null(strstr(e.msg, "nesting too deep"));
	assert_int_equal(s.n, 0);
}

static void test_stop(void **state)
{
	struct seen s = {0};
	cJSON *meta;
	struct err e;

	(void)state;
	s.stop_at = 2;
	assert_int_equal(walk("{\"items\":[1,2,3,4]}", &s, &meta, &e),
			 -ERR_CANCELLED);
	assert_int_equal(s.n, 2);
	assert_null(meta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page),
	    cmocka_unit_test(test_empty_and_order),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
