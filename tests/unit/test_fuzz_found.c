/* test_fuzz_found.c - regression tests for what the fuzz targets
 * (tests/fuzz/) found in parsers that have no unit test of their own: each
 * test replays the input that broke a rule, through the same function.
 * Not a fuzzer and not a test of requests.
 *
 * registry_auth.c, registry_copy.c and arm_graph.c are compiled into
 * this test, as into the fuzz targets, for their static parsers
 * (token_deadline, collect_blobs, graph_page); the linker then takes
 * nothing from their objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>

#include "backend/arm_graph.c"
#include "backend/jwt.h"
#include "backend/registry_auth.c"
#include "backend/registry_copy.c"

/* fuzz_registry: {"access_token": "...", "expires_in": 3601e190} made
 * json_num convert a double past any long long (undefined), and the
 * deadline then overflowed. A number out of range is cut to the limit,
 * and a token is kept a day at most. */
static void test_json_num_out_of_range(void **state)
{
	cJSON *j = cJSON_Parse("{\"big\": 3601e190, \"small\": -1e300, "
			       "\"edge\": 9223372036854775808, "
			       "\"fits\": -9007199254740993, \"s\": \"1\"}");

	(void)state;
	assert_non_null(j);
	assert_true(json_num(j, "big", 7) == LLONG_MAX);
	assert_true(json_num(j, "small", 7) == LLONG_MIN);
	assert_true(json_num(j, "edge", 7) == LLONG_MAX);
	assert_true(json_num(j, "fits", 7) == -9007199254740992LL);
	assert_true(json_num(j, "s", 7) == 7);
	assert_true(json_num(j, "none", 7) == 7);
	cJSON_Delete(j);
}

static void test_token_deadline_capped(void **state)
{
	long long now = loop_now_ms(), d;

	(void)state;
	d = token_deadline("opaque", LLONG_MAX);
	assert_true(d >= now + (TOKEN_LIFE_MAX_S - 60) * 1000);
	assert_true(d <= loop_now_ms() + TOKEN_LIFE_MAX_S * 1000);
	/* an hour stays an hour, less its margin of a minute */
	d = token_deadline("opaque", 3600);
	assert_true(d >= now + 3540 * 1000 && d <= loop_now_ms() + 3540000);
}

/* fuzz_jwt: {"exp": "99999999999999"} was taken as a date 3 million
 * years ahead: a string of digits had no bound, where a number has 1e13
 * seconds (callers add it to the clock). Same for json_seconds (IMDS and
 * az send their epochs as strings). */
static void test_claim_time_string_bound(void **state)
{
	cJSON *j = cJSON_Parse("{\"exp\": \"99999999999999\", "
			       "\"nbf\": \"9223372036854775807\", "
			       "\"iat\": \"1795867200\"}");
	long long t = -7;

	(void)state;
	assert_non_null(j);
	assert_int_equal(jwt_claim_time(j, "exp", &t), -1);
	assert_int_equal(jwt_claim_time(j, "nbf", &t), -1);
	assert_int_equal(jwt_claim_time(j, "iat", &t), 0);
	assert_true(t == 1795867200LL);
	assert_int_equal(json_seconds(json_get(j, "exp"), &t), -1);
	assert_int_equal(json_seconds(json_get(j, "nbf"), &t), -1);
	assert_int_equal(json_seconds(json_get(j, "iat"), &t), 0);
	assert_true(t == 1795867200LL);
	cJSON_Delete(j);
}

/* fuzz_registry: a layer of "size": -1469 made the progress total
 * negative, and sizes of 1e300 overflowed it. A size is 0 to 1 TiB. */
static void test_blob_sizes_bounded(void **state)
{
	static const char body[] =
	    "{\"schemaVersion\": 2, \"config\": {\"digest\": \"sha256:"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\", \"size\": -1469}, \"layers\": [{\"digest\": \"sha256:"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "\", \"size\": 1e300}, {\"digest\": \"sha256:"
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	    "\", \"size\": 772788}]}";
	struct registry_op op;

	(void)state;
	memset(&op, 0, sizeof(op));
	assert_int_equal(
	    collect_blobs(&op, body, strlen(body), REGISTRY_MT_OCI_MANIFEST),
	    0);
	assert_int_equal(op.nblobs, 3);
	assert_true(op.blobs[0].size == 0);
	assert_true(op.blobs[1].size == BLOB_SIZE_MAX);
	assert_true(op.blobs[2].size == 772788);
	assert_true(op.prog.bytes_total == BLOB_SIZE_MAX + 772788);
	free(op.blobs);
}

/* fuzz_arm: "1.82:01:0:0014" was read as 4 parts, the text after them
 * ignored; and parts past LONG_MAX / 86400 overflowed. */
static void test_parse_hms(void **state)
{
	(void)state;
	assert_int_equal(arm_parse_hms("00:00:05"), 5);
	assert_int_equal(arm_parse_hms("1.02:03:04"), 93784);
	assert_int_equal(arm_parse_hms("1.82:01:0:0014"), -1);
	assert_int_equal(arm_parse_hms("1:2:3:4:"), -1);
	assert_int_equal(arm_parse_hms("5"), -1);
	assert_int_equal(arm_parse_hms("1:2"), -1);
	assert_int_equal(arm_parse_hms("106751991167301.0:0:0"), -1);
	assert_int_equal(arm_parse_hms("9223372036854775807:0:0"), -1);
	assert_int_equal(arm_parse_hms("0:0:9223372036854775807"), LONG_MAX);
}

/* fuzz_arm: "totalRecords": 1e300 was converted to a long (undefined);
 * a negative count is no count. */
static void test_graph_total(void **state)
{
	struct arm_call c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.rows = cJSON_CreateArray();
	c.total = -1;
	assert_int_equal(graph_page(&c, "{\"data\": [{}], "
					"\"totalRecords\": -5}"),
			 0);
	assert_int_equal(c.total, -1);
	assert_int_equal(graph_page(&c, "{\"data\": [], "
					"\"totalRecords\": 1e300}"),
			 0);
	assert_true(c.total == LONG_MAX);
	assert_int_equal(cJSON_GetArraySize(c.rows), 1);
	cJSON_Delete(c.rows);
	free(c.skip_token);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_num_out_of_range),
	    cmocka_unit_test(test_token_deadline_capped),
	    cmocka_unit_test(test_claim_time_string_bound),
	    cmocka_unit_test(test_blob_sizes_bounded),
	    cmocka_unit_test(test_parse_hms),
	    cmocka_unit_test(test_graph_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
