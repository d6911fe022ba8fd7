/* test_ready_trend.c - the Ready count per pool over the session: the
 * bounded ring, sampling at most once per interval with the worst count
 * kept, pools that come and go, the sparkline's glyphs and its width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "backend/ready_trend.h"

static struct pool_summary pools[3];
static struct node_summary sum;

/* A summary of up to three pools: "a" ra/ta, "b" rb/tb, "c" rc/tc (a
 * pool with a total below 0 is left out). */
static const struct node_summary *summary(int ra, int ta, int rb, int tb,
					  int rc, int tc)
{
	static char names[3][2] = {"a", "b", "c"};
	static char none[1] = "";
	int r[3] = {ra, rb, rc}, t[3] = {ta, tb, tc}, i;

	memset(&sum, 0, sizeof(sum));
	sum.pools = pools;
	for (i = 0; i < 3; i++) {
		if (t[i] < 0)
			continue;
		pools[sum.npools].name = names[i];
		pools[sum.npools].mode = none;
		pools[sum.npools].ready = (size_t)r[i];
		pools[sum.npools].total = (size_t)t[i];
		sum.ready += (size_t)r[i];
		sum.total += (size_t)t[i];
		sum.npools++;
	}
	return &sum;
}

/* The last n samples of a pool as glyphs, into buf. */
static const char *spark(const struct ready_trend *t, const char *pool,
			 size_t n, int ascii, char *buf, size_t sz)
{
	const struct ready_pool *p = ready_trend_pool(t, pool);
	struct ready_sample s;
	size_t k, used = 0;

	buf[0] = '\0';
	for (k = 0; p && ready_pool_sample(p, n, k, &s) == 0; k++)
		used += (size_t)snprintf(buf + used, sz - used, "%s",
					 ready_sample_glyph(&s, ascii));
	return buf;
}

static void test_glyphs(void **state)
{
	struct ready_sample s;
	const char *bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇"};
	unsigned r;

	(void)state;
	s.total = 7;
	for (r = 0; r < 7; r++) {
		s.ready = (unsigned short)r;
		assert_string_equal(ready_sample_glyph(&s, 0), bars[r]);
	}
	s.ready = 7;
	assert_string_equal(ready_sample_glyph(&s, 0), "█");
	assert_string_equal(ready_sample_glyph(&s, 1), "#");
	assert_int_equal(ready_sample_level(&s), READY_ALL);
	s.ready = 0;
	assert_string_equal(ready_sample_glyph(&s, 1), "_");
	assert_int_equal(ready_sample_level(&s), READY_NONE);
	s.ready = 1;
	s.total = 2;
	assert_string_equal(ready_sample_glyph(&s, 0), "▄");
	assert_string_equal(ready_sample_glyph(&s, 1), "-");
	assert_int_equal(ready_sample_level(&s), READY_SOME);
	/* one short of all is never drawn as all */
	s.ready = 99;
	s.total = 100;
	assert_string_equal(ready_sample_glyph(&s, 0), "▇");
	assert_string_equal(ready_sample_glyph(&s, 1), "=");
	s.ready = 0;
	s.total = 0; /* a pool with no nodes */
	assert_string_equal(ready_sample_glyph(&s, 0), " ");
	assert_int_equal(ready_sample_level(&s), READY_NONE);
}

static void test_sampling(void **state)
{
	struct ready_trend t;
	char buf[256];

	(void)state;
	ready_trend_init(&t, 5000);
	assert_int_equal(ready_trend_due_ms(&t, 0), -1);
	assert_int_equal(ready_trend_tick(&t, 0), 0); /* nothing seen */
	/* the first sample is taken at once */
	ready_trend_observe(&t, summary(2, 2, 1, 1, 0, -1));
	assert_int_equal(ready_trend_due_ms(&t, 1000), 0);
	assert_int_equal(ready_trend_tick(&t, 1000), 1);
	assert_string_equal(spark(&t, "a", 60, 0, buf, sizeof(buf)), "█");
	/* a dip and its recovery within the interval: the dip is kept */
	ready_trend_observe(&t, summary(1, 2, 1, 1, 0, -1));
	assert_int_equal(ready_trend_tick(&t, 2000), 0);
	assert_int_equal(ready_trend_due_ms(&t, 2000), 4000);
	ready_trend_observe(&t, summary(2, 2, 1, 1, 0, -1));
	assert_int_equal(ready_trend_tick(&t, 6000), 1);
	assert_string_equal(spark(&t, "a", 60, 0, buf, sizeof(buf)), "█▄");
	assert_string_equal(spark(&t, "b", 60, 1, buf, sizeof(buf)), "##");
	/* the recovery seen meanwhile is the next sample, an interval on */
	assert_int_equal(ready_trend_due_ms(&t, 6000), 5000);
	assert_int_equal(ready_trend_tick(&t, 10000), 0);
	assert_int_equal(ready_trend_tick(&t, 11000), 1);
	assert_string_equal(spark(&t, "a", 60, 0, buf, sizeof(buf)), "█▄█");
	/* nothing changed: the timer has nothing to do */
	assert_int_equal(ready_trend_due_ms(&t, 20000), -1);
	assert_int_equal(ready_trend_tick(&t, 20000), 0);
	ready_trend_observe(&t, summary(2, 2, 1, 1, 0, -1));
	assert_int_equal(ready_trend_tick(&t, 20000), 1);
	assert_string_equal(spark(&t, "a", 60, 1, buf, sizeof(buf)), "#-##");
	assert_int_equal(ready_trend_due_ms(&t, 20000), -1);
	/* the last n only */
	assert_string_equal(spark(&t, "a", 3, 1, buf, sizeof(buf)), "-##");
	/* a pool that appears starts its own ring; one that goes has no
	 * nodes */
	ready_trend_observe(&t, summary(0, -1, 1, 1, 0, 3));
	assert_int_equal(ready_trend_tick(&t, 30000), 1);
	assert_string_equal(spark(&t, "a", 60, 1, buf, sizeof(buf)),
			    "#-## ");
	assert_string_equal(spark(&t, "c", 60, 1, buf, sizeof(buf)), "_");
	assert_null(ready_trend_pool(&t, "d"));
}

static void test_ring_bounded(void **state)
{
	struct ready_trend t;
	const struct ready_pool *p;
	struct ready_sample s;
	long long now = 0;
	int i;

	(void)state;
	ready_trend_init(&t, 1000);
	/* 150 samples: 0/4 Ready for the first 100, then 4/4 */
	for (i = 0; i < 150; i++) {
		ready_trend_observe(&t, summary(i < 100 ? 0 : 4, 4, 0, -1, 0,
						-1));
		now += 1000;
		assert_int_equal(ready_trend_tick(&t, now), 1);
	}
	p = ready_trend_pool(&t, "a");
	assert_non_null(p);
	assert_int_equal(p->count, READY_TREND_SAMPLES);
	/* the oldest kept is sample 90 (0/4), the newest 149 (4/4) */
	assert_int_equal(ready_pool_sample(p, 60, 0, &s), 0);
	assert_int_equal(s.ready, 0);
	assert_int_equal(ready_pool_sample(p, 60, 9, &s), 0);
	assert_int_equal(s.ready, 0);
	assert_int_equal(ready_pool_sample(p, 60, 10, &s), 0);
	assert_int_equal(s.ready, 4);
	assert_int_equal(ready_pool_sample(p, 60, 59, &s), 0);
	assert_int_equal(s.ready, 4);
	assert_int_equal(ready_pool_sample(p, 60, 60, &s), -1);
	assert_int_equal(ready_pool_sample(p, 1000, 60, &s), -1);
}

static void test_pools_bounded(void **state)
{
	struct ready_trend t;
	struct pool_summary many[READY_TREND_POOLS + 4];
	char names[READY_TREND_POOLS + 4][16], none[1] = "";
	struct node_summary s;
	size_t i;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < READY_TREND_POOLS + 4; i++) {
		snprintf(names[i], sizeof(names[i]), "pool%zu", i);
		many[i].name = names[i];
		many[i].mode = none;
		many[i].ready = many[i].total = 1;
	}
	s.pools = many;
	s.npools = READY_TREND_POOLS + 4;
	ready_trend_init(&t, 0);
	ready_trend_observe(&t, &s);
	assert_int_equal(ready_trend_tick(&t, 0), 1);
	assert_int_equal(t.npools, READY_TREND_POOLS);
	assert_non_null(ready_trend_pool(&t, "pool0"));
	assert_null(ready_trend_pool(&t, "pool19"));
}

static void test_fit(void **state)
{
	(void)state;
	/* 3 pools, 70 columns of text, 76 wide: 1 glyph each, too few */
	assert_int_equal(ready_trend_fit(76, 70, 3, 60, 2), 0);
	/* 60 columns of text: (76 - 60 - 3) / 3 = 4 each */
	assert_int_equal(ready_trend_fit(76, 60, 3, 60, 2), 4);
	/* never more than there are samples */
	assert_int_equal(ready_trend_fit(200, 60, 3, 5, 2), 5);
	/* a single sample is drawn when there is room for more */
	assert_int_equal(ready_trend_fit(200, 60, 3, 1, 2), 1);
	assert_int_equal(ready_trend_fit(40, 60, 3, 60, 2), 0);
	assert_int_equal(ready_trend_fit(76, 10, 0, 60, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glyphs),
		cmocka_unit_test(test_sampling),
		cmocka_unit_test(test_ring_bounded),
		cmocka_unit_test(test_pools_bounded),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
