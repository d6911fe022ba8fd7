/* test_strpool.c - the string pool: one copy of each string, the same
 * pointer for the same text, long strings refused, and a pool that stops
 * taking strings at its cap instead of growing (callers then keep their
 * own copy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "backend/strpool.h"

static void test_same_text_same_copy(void **state)
{
	char a[] = "KubeletReady", b[] = "KubeletReady";
	char *p, *q, *e;

	(void)state;
	p = strpool_intern(a);
	q = strpool_intern(b);
	assert_non_null(p);
	assert_ptr_equal(p, q);
	assert_ptr_not_equal(p, a);
	assert_string_equal(p, "KubeletReady");
	e = strpool_intern("");
	assert_non_null(e);
	assert_string_equal(e, "");
	assert_ptr_equal(strpool_intern(NULL), e);
	assert_ptr_not_equal(strpool_intern("KubeletNotReady"), p);
}

static void test_long_strings_refused(void **state)
{
	char s[STRPOOL_MAX_LEN + 2];

	(void)state;
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	assert_null(strpool_intern(s));
	s[STRPOOL_MAX_LEN] = '\0';
	assert_non_null(strpool_intern(s));
}

/* A server that sends a new string in every event: the pool fills to
 * its cap and then answers NULL, while strings it holds are still found. */
static void test_capped(void **state)
{
	char s[64];
	char *first = strpool_intern("first-before-cap");
	long i, taken = 0, refused = 0;

	(void)state;
	assert_non_null(first);
	for (i = 0; i < 400000 && refused < 10; i++) {
		snprintf(s, sizeof(s), "condition-message-%08ld-padding", i);
		if (strpool_intern(s))
			taken++;
		else
			refused++;
		assert_true(strpool_bytes() <= STRPOOL_MAX_BYTES);
	}
	assert_int_equal(refused, 10);
	assert_true(taken > 1000);
	assert_ptr_equal(strpool_intern("first-before-cap"), first);
	assert_null(strpool_intern("never-seen-before-and-pool-full"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_text_same_copy),
	    cmocka_unit_test(test_long_strings_refused),
	    cmocka_unit_test(test_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
