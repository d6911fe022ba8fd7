/* test_timefmt.c - unit tests for RFC 3339 parsing/formatting and ages.
 * Not a test of the system clock beyond a sanity check of "now". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "backend/timefmt.h"

/* 2026-11-28T12:00:00Z */
#define T0 ((time_t)1795867200)

static void test_parse_basic(void **state)
{
	struct err e = {0};
	time_t t = 0;
	long ns = -1;

	(void)state;
	assert_int_equal(
	    timefmt_parse_rfc3339("2026-11-28T12:00:00Z", &t, &ns, &e), 0);
	assert_int_equal(t, T0);
	assert_int_equal(ns, 0);
	assert_int_equal(
	    timefmt_parse_rfc3339("1970-01-01T00:00:00Z", &t, NULL, &e), 0);
	assert_int_equal(t, 0);
	assert_int_equal(
	    timefmt_parse_rfc3339("2026-11-28t12:00:00z", &t, NULL, &e), 0);
	assert_int_equal(t, T0);
}

static void test_parse_fraction(void **state)
{
	struct err e = {0};
	time_t t = 0;
	long ns = 0;

	(void)state;
	assert_int_equal(
	    timefmt_parse_rfc3339("2026-11-28T12:00:00.5Z", &t, &ns, &e), 0);
	assert_int_equal(t, T0);
	assert_int_equal(ns, 500000000);
	assert_int_equal(timefmt_parse_rfc3339(
			     "2026-11-28T12:00:00.123456789Z", &t, &ns, &e),
			 0);
	assert_int_equal(ns, 123456789);
	/* more than nine digits: the rest is ignored */
	assert_int_equal(
	    timefmt_parse_rfc3339("2026-11-28T12:00:00.1234567891234Z", &t,
				  &ns, &e),
	    0);
	assert_int_equal(ns, 123456789);
}

static void test_parse_offset(void **state)
{
	struct err e = {0};
	time_t t = 0;

	(void)state;
	assert_int_equal(
	    timefmt_parse_rfc3339("2026-11-28T14:00:00+02:00", &t, NULL, &e),
	    0);
	assert_int_equal(t, T0);
	assert_int_equal(
	    timefmt_parse_rfc3339("2026-11-28T06:30:00-05:30", &t, NULL, &e),
	    0);
	assert_int_equal(t, T0);
	assert_int_equal(timefmt_parse_rfc3339("2026-11-28T13:00:00.25+01:00",
					       &t, NULL, &e),
			 0);
	assert_int_equal(t, T0);
	/* across a day boundary onto a leap day */
	assert_int_equal(
	    timefmt_parse_rfc3339("2028-03-01T01:00:00+02:00", &t, NULL, &e),
	    0);
	assert_int_equal(t, (time_t)1835478000);
	assert_int_equal(
	    timefmt_parse_rfc3339("2028-02-29T23:00:00Z", &t, NULL, &e), 0);
	assert_int_equal(t, (time_t)1835478000);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    "2026-11-28",
	    "2026-11-28 12:00:00Z",
	    "2026-11-28T12:00:00",
	    "2026-11-28T12:00Z",
	    "2026-13-01T00:00:00Z",
	    "2026-02-29T00:00:00Z",
	    "2026-11-31T00:00:00Z",
	    "2026-11-28T24:00:00Z",
	    "2026-11-28T12:60:00Z",
	    "2026-11-28T12:00:00.Z",
	    "2026-11-28T12:00:00+0200",
	    "2026-11-28T12:00:00+24:00",
	    "2026-11-28T12:00:00Zjunk",
	    "2O26-11-28T12:00:00Z",
	};
	struct err e = {0};
	time_t t = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(timefmt_parse_rfc3339(bad[i], &t, NULL, &e),
				 -ERR_PARSE);
		assert_int_equal(e.code, ERR_PARSE);
		assert_non_null(strstr(e.msg, "not an RFC 3339 time"));
	}
	assert_int_equal(t, 42);
	assert_int_equal(timefmt_parse_rfc3339(NULL, &t, NULL, &e),
			 -ERR_PARSE);
}

struct dur_case {
	long long secs;
	const char *want;
};

static void test_duration(void **state)
{
	static const struct dur_case cases[] = {
	    {-5, "<invalid>"},
	    {-2, "<invalid>"},
	    {-1, "0s"},
	    {0, "0s"},
	    {5, "5s"},
	    {119, "119s"},
	    {120, "2m"},
	    {121, "2m1s"},
	    {9 * 60 + 59, "9m59s"},
	    {10 * 60, "10m"},
	    {20 * 60 + 30, "20m"},
	    {3 * 3600 - 1, "179m"},
	    {3 * 3600, "3h"},
	    {3 * 3600 + 4 * 60 + 59, "3h4m"},
	    {8 * 3600 - 60, "7h59m"},
	    {8 * 3600, "8h"},
	    {47 * 3600 + 3599, "47h"},
	    {48 * 3600, "2d"},
	    {51 * 3600, "2d3h"},
	    {8 * 86400 - 1, "7d23h"},
	    {8 * 86400, "8d"},
	    {45 * 86400 + 7000, "45d"},
	    {730LL * 86400 - 1, "729d"},
	    {730LL * 86400, "2y"},
	    {830LL * 86400, "2y100d"},
	    {8LL * 365 * 86400 - 1, "7y364d"},
	    {8LL * 365 * 86400, "8y"},
	    {30LL * 365 * 86400, "30y"},
	};
	char buf[TIMEFMT_AGE_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(
		    timefmt_duration(cases[i].secs, buf, sizeof(buf)),
		    cases[i].want);
}

static void test_age(void **state)
{
	char buf[TIMEFMT_AGE_LEN];

	(void)state;
	assert_string_equal(timefmt_age(T0 - 1200, T0, buf, sizeof(buf)),
			    "20m");
	assert_string_equal(timefmt_age(0, T0, buf, sizeof(buf)), "<unknown>");
	assert_string_equal(timefmt_age(T0 + 60, T0, buf, sizeof(buf)),
			    "<invalid>");
}

static void test_format(void **state)
{
	char buf[TIMEFMT_RFC3339_NANO_LEN];
	struct timespec ts = {.tv_sec = T0, .tv_nsec = 123456789};
	struct err e = {0};
	time_t back;
	long ns;

	(void)state;
	assert_string_equal(timefmt_rfc3339(T0, buf, sizeof(buf)),
			    "2026-11-28T12:00:00Z");
	assert_string_equal(timefmt_rfc3339_nano(&ts, buf, sizeof(buf)),
			    "2026-11-28T12:00:00.123456789Z");
	assert_string_equal(timefmt_rfc3339_millis(&ts, buf, sizeof(buf)),
			    "2026-11-28T12:00:00.123Z");
	ts.tv_nsec = 120000000;
	assert_string_equal(timefmt_rfc3339_nano(&ts, buf, sizeof(buf)),
			    "2026-11-28T12:00:00.12Z");
	ts.tv_nsec = 0;
	assert_string_equal(timefmt_rfc3339_nano(&ts, buf, sizeof(buf)),
			    "2026-11-28T12:00:00Z");
	assert_string_equal(timefmt_rfc3339_millis(&ts, buf, sizeof(buf)),
			    "2026-11-28T12:00:00.000Z");
	ts.tv_nsec = 7;
	assert_string_equal(timefmt_rfc3339_nano(&ts, buf, sizeof(buf)),
			    "2026-11-28T12:00:00.000000007Z");
	/* round trip */
	assert_int_equal(timefmt_parse_rfc3339(buf, &back, &ns, &e), 0);
	assert_int_equal(back, T0);
	assert_int_equal(ns, 7);
}

static void test_now(void **state)
{
	char buf[TIMEFMT_RFC3339_NANO_LEN];
	struct err e = {0};
	time_t t, before = time(NULL);

	(void)state;
	timefmt_now_rfc3339_nano(buf, sizeof(buf));
	assert_int_equal(timefmt_parse_rfc3339(buf, &t, NULL, &e), 0);
	assert_true(t >= before && t <= time(NULL));
	assert_int_equal(buf[strlen(buf) - 1], 'Z');
}

/* Found by fuzz_timefmt: a year below 1000 was written with fewer than
 * four digits ("26-11-28T16:00:00Z"), which does not parse back. */
static void test_format_small_year(void **state)
{
	char buf[TIMEFMT_RFC3339_NANO_LEN];
	struct timespec ts = {0, 5};
	time_t t, back;
	long nsec;

	(void)state;
	assert_int_equal(
	    timefmt_parse_rfc3339("0026-11-28T14:00:00-02:00", &t, NULL, NULL),
	    0);
	assert_string_equal(timefmt_rfc3339(t, buf, sizeof(buf)),
			    "0026-11-28T16:00:00Z");
	assert_int_equal(timefmt_parse_rfc3339(buf, &back, NULL, NULL), 0);
	assert_true(back == t);
	ts.tv_sec = t;
	assert_string_equal(timefmt_rfc3339_nano(&ts, buf, sizeof(buf)),
			    "0026-11-28T16:00:00.000000005Z");
	assert_int_equal(timefmt_parse_rfc3339(buf, &back, &nsec, NULL), 0);
	assert_true(back == t);
	assert_int_equal(nsec, 5);
	ts.tv_sec = 0;
	assert_string_equal(timefmt_rfc3339_millis(&ts, buf, sizeof(buf)),
			    "1970-01-01T00:00:00.000Z");
}

/* Found by fuzz_timefmt: "2026142356786941m" (and `--timeout
 * 3000000000000h`) overflowed a long long (undefined behaviour) and came
 * out as some other duration. It is refused. */
static void test_parse_duration_too_long(void **state)
{
	struct err e = {0};
	long long ms = -1;

	(void)state;
	assert_int_equal(timefmt_parse_duration("1h30m", &ms, &e), 0);
	assert_true(ms == 5400000);
	assert_int_equal(timefmt_parse_duration("90s500ms", &ms, &e), 0);
	assert_true(ms == 90500);
	ms = -1;
	assert_int_equal(timefmt_parse_duration("2026142356786941m", &ms, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg, "duration too long: \"2026142356786941m\"");
	assert_true(ms == -1);
	assert_int_equal(timefmt_parse_duration("3000000000000h", &ms, &e),
			 -ERR_PARSE);
	assert_int_equal(
	    timefmt_parse_duration("9223372036854775807ms1ms", &ms, &e),
	    -ERR_PARSE);
	assert_int_equal(
	    timefmt_parse_duration("9223372036854775807ms", &ms, &e), 0);
	assert_true(ms == 9223372036854775807LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_basic),
	    cmocka_unit_test(test_parse_fraction),
	    cmocka_unit_test(test_parse_offset),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_age),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_now),
	    cmocka_unit_test(test_format_small_year),
	    cmocka_unit_test(test_parse_duration_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
