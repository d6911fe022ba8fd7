/* test_scans_bar.c - the severity bar's arithmetic: a bar's length from
 * its share of the scale, one cell for every severity there is, the rest
 * by largest remainder (ties to the more severe), and the edges (nothing
 * found, no room, huge counts). No curses: scans_bar_split only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>

#include "panes/scans_bar.h"

/* The split as letters, "CCHHM" (C critical ... L low), for messages. */
static const char *split(unsigned c, unsigned h, unsigned m, unsigned l,
			 unsigned long scale, int width)
{
	static char out[64];
	const unsigned counts[BAR_NSEV] = {c, h, m, l};
	int cells[BAR_NSEV], k, i, n = 0, sum;

	sum = scans_bar_split(counts, scale, width, cells);
	for (k = 0; k < BAR_NSEV; k++) {
		for (i = 0; i < cells[k] && n + 1 < (int)sizeof(out); i++)
			out[n++] = "CHML"[k];
	}
	out[n] = '\0';
	assert_int_equal(sum, n);
	return out;
}

static void test_shares(void **state)
{
	(void)state;
	/* the pane's example: busybox 1/1/1 against source-controller's 6 */
	assert_string_equal(split(1, 1, 1, 0, 6, 10), "CCHHM");
	assert_string_equal(split(0, 0, 1, 5, 6, 10), "MMLLLLLLLL");
	/* and in the pane's 8 cells */
	assert_string_equal(split(1, 1, 1, 0, 6, 8), "CCHM");
	assert_string_equal(split(0, 0, 1, 5, 6, 8), "MMLLLLLL");
	/* the registry, scaled to itself, 20 and 12 cells */
	assert_string_equal(split(1, 1, 2, 5, 0, 20), "CCCHHHMMMMLLLLLLLLLL");
	assert_string_equal(split(1, 1, 2, 5, 0, 12), "CCHHMMMLLLLL");
	/* one severity alone fills its length */
	assert_string_equal(split(0, 4, 0, 0, 4, 10), "HHHHHHHHHH");
	assert_string_equal(split(0, 0, 0, 2, 8, 10), "LLL");
}

static void test_every_severity_shows(void **state)
{
	(void)state;
	/* a single critical among a thousand lows still gets its cell */
	assert_string_equal(split(1, 0, 0, 1000, 1001, 10), "CLLLLLLLLL");
	/* the smallest image of a big scale: one cell per severity there
	 * is, never less */
	assert_string_equal(split(1, 0, 1, 0, 100000, 10), "CM");
	/* too short for all four: the most severe first */
	assert_string_equal(split(1, 1, 1, 1, 0, 3), "CHM");
}

static void test_edges(void **state)
{
	const unsigned none[BAR_NSEV] = {0, 0, 0, 0};
	const unsigned big[BAR_NSEV] = {UINT_MAX, UINT_MAX, 1, UINT_MAX};
	int cells[BAR_NSEV] = {9, 9, 9, 9};

	(void)state;
	assert_int_equal(scans_bar_split(none, 10, 10, cells), 0);
	assert_int_equal(cells[0] + cells[1] + cells[2] + cells[3], 0);
	assert_int_equal(scans_bar_split(big, 0, 0, cells), 0);
	assert_int_equal(scans_bar_split(big, 0, -3, cells), 0);
	/* counts near the type's limit: no overflow, the whole width */
	assert_int_equal(scans_bar_split(big, 0, 10, cells), 10);
	assert_int_equal(cells[2], 1);
	assert_int_equal(cells[0], 3);
	assert_int_equal(cells[1], 3);
	assert_int_equal(cells[3], 3);
	/* a scale below the total (a stale one) is the whole width */
	assert_string_equal(split(3, 3, 0, 0, 2, 10), "CCCCCHHHHH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shares),
	    cmocka_unit_test(test_every_severity_shows),
	    cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
