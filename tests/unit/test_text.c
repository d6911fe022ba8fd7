/* test_text.c - unit tests for terminal-safe text: control stripping,
 * UTF-8 repair, widths and truncation. Not a test of curses drawing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/text.h"

#define R   "\xEF\xBF\xBD" /* U+FFFD */
#define ELL "\xE2\x80\xA6" /* U+2026 */

/* text_safe(in, max) must give want, want_cols wide; the result must also
 * be a fixed point (sanitizing it again changes nothing). */
static void check(const char *in, int max, const char *want, int want_cols)
{
	int cols = -1, cols2 = -1;
	char *got = text_safe(in, max, &cols);
	char *again = text_safe(got, -1, &cols2);

	assert_string_equal(got, want);
	assert_int_equal(cols, want_cols);
	assert_int_equal(text_width(got), want_cols);
	assert_string_equal(again, got);
	assert_int_equal(cols2, cols);
	free(again);
	free(got);
}

static void test_plain(void **state)
{
	(void)state;
	check("hello", -1, "hello", 5);
	check("hello", 5, "hello", 5);
	check("source-controller-7f9c", 79, "source-controller-7f9c", 22);
}

static void test_escape_sequences(void **state)
{
	(void)state;
	check("a\x1b"
	      "b",
	      -1, "a" R "b", 3);
	check("\x1b[31mred\x1b[0m", -1, R "[31mred" R "[0m", 12);
	/* OSC 52 would set the clipboard: ESC and BEL both go */
	check("\x1b]52;c;aGVsbG8=\x07tail", -1, R "]52;c;aGVsbG8=" R "tail",
	      20);
	check("ding\x07", -1, "ding" R, 5);
	check("a\bb", -1, "a" R "b", 3);
	check("a\x7f"
	      "b",
	      -1, "a" R "b", 3);
	check("\x01\x02\x1f", -1, R R R, 3);
}

static void test_line_breaks_and_tabs(void **state)
{
	(void)state;
	check("a\rb", -1, "a b", 3);
	check("line1\nline2", -1, "line1 line2", 11);
	check("a\r\nb", -1, "a  b", 4);
	check("col1\tcol2", -1, "col1 col2", 9);
	/* U+2028 LINE SEPARATOR */
	check("a\xE2\x80\xA8"
	      "b",
	      -1, "a b", 3);
}

static void test_c1(void **state)
{
	(void)state;
	/* raw byte 0x9b: 8-bit CSI on some terminals */
	check("a\x9b"
	      "31m",
	      -1, "a" R "31m", 5);
	/* U+009B encoded as UTF-8 */
	check("a\xC2\x9B"
	      "31m",
	      -1, "a" R "31m", 5);
	check("\xC2\x80\xC2\x9F", -1, R R, 2);
	/* U+00A0 (first printable after C1) stays */
	check("\xC2\xA0", -1, "\xC2\xA0", 1);
}

static void test_bidi(void **state)
{
	(void)state;
	/* U+202E RIGHT-TO-LEFT OVERRIDE */
	check("abc\xE2\x80\xAE"
	      "fed",
	      -1, "abc" R "fed", 7);
	check("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD", -1, R R R R,
	      4);
	check("\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9", -1, R R R R,
	      4);
	check("\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C", -1, R R R, 3);
}

static void test_wide(void **state)
{
	(void)state;
	/* three CJK characters, two columns each */
	check("日本語", -1, "日本語", 6);
	check("日本語", 6, "日本語", 6);
	check("日本語", 5, "日本" ELL, 5);
	/* never half a wide character: one column stays empty */
	check("日本語", 4, "日" ELL, 3);
	check("日本語", 3, "日" ELL, 3);
	check("日本語", 2, ELL, 1);
	check("日本語", 1, ELL, 1);
	check("日本語", 0, "", 0);
	check("a日", 2, "a" ELL, 2);
}

static void test_combining(void **state)
{
	(void)state;
	/* e + U+0301 COMBINING ACUTE ACCENT is one column */
	check("e\xCC\x81", -1, "e\xCC\x81", 1);
	check("caf"
	      "e\xCC\x81",
	      4,
	      "caf"
	      "e\xCC\x81",
	      4);
	/* the accent stays with its e when the text is cut after it */
	check("e\xCC\x81xyz", 2, "e\xCC\x81" ELL, 2);
	/* and goes with it when the e is cut */
	check("abe\xCC\x81x", 3, "ab" ELL, 3);
}

static void test_emoji(void **state)
{
	(void)state;
	/* U+1F600 GRINNING FACE, two columns */
	check("\xF0\x9F\x98\x80", -1, "\xF0\x9F\x98\x80", 2);
	check("ok \xF0\x9F\x98\x80!", 5, "ok " ELL, 4);
	check("ok \xF0\x9F\x98\x80!", 6, "ok \xF0\x9F\x98\x80!", 6);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	check("\xC3\x28", -1, R "(", 2);	   /* bad continuation */
	check("\xC0\xAF", -1, R R, 2);		   /* overlong "/" */
	check("\xE0\x80\xAF", -1, R R R, 3);	   /* overlong, 3 bytes */
	check("\xED\xA0\x80", -1, R R R, 3);	   /* surrogate U+D800 */
	check("\xF4\x90\x80\x80", -1, R R R R, 4); /* above U+10FFFF */
	check("\xFF\xFE", -1, R R, 2);
	check("ab\xE2\x82", -1, "ab" R, 3); /* cut short at the end */
	check("\xE2\x82"
	      "ab",
	      -1, R "ab", 3); /* cut short, then ASCII */
	check(R, -1, R, 1);   /* U+FFFD itself is kept */
	/* a valid 4-byte sequence next to garbage */
	check("\x80\xF0\x9F\x98\x80", -1, R "\xF0\x9F\x98\x80", 3);
}

static void test_truncation(void **state)
{
	(void)state;
	check("abcdef", 6, "abcdef", 6);
	check("abcdef", 5, "abcd" ELL, 5);
	check("abcdef", 2, "a" ELL, 2);
	check("abcdef", 1, ELL, 1);
	check("abcdef", 0, "", 0);
	/* controls count after they are replaced */
	check("a\x1b"
	      "bc",
	      3, "a" R ELL, 3);
}

static void test_ascii_mode(void **state)
{
	(void)state;
	text_set_ascii(1);
	assert_int_equal(text_ascii(), 1);
	check("h\xC3\xA9llo\x1b", -1, "h?llo?", 6);
	check("日本語", 4, "???", 3);
	check("abcdef", 4, "abc~", 4);
	check("a\xE2\x80\xAE"
	      "b\tc",
	      -1, "a?b c", 5);
	check("\x9b", -1, "?", 1);
	check("e\xCC\x81", -1, "e?", 2);
	text_set_ascii(0);
	assert_int_equal(text_ascii(), 0);
}

static void test_empty_and_null(void **state)
{
	int cols = 7;
	char *s;
	char buf[4] = "xyz";

	(void)state;
	s = text_safe(NULL, 10, &cols);
	assert_string_equal(s, "");
	assert_int_equal(cols, 0);
	free(s);
	check("", -1, "", 0);
	check("", 0, "", 0);
	assert_int_equal(text_width(NULL), 0);
	assert_int_equal(text_safe_buf(buf, sizeof(buf), NULL, 3), 0);
	assert_string_equal(buf, "");
	/* a zero-size buffer is left alone */
	assert_int_equal(text_safe_buf(buf, 0, "abc", -1), 0);
}

static void test_safe_buf(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(text_safe_buf(buf, sizeof(buf), "a\x1b[2J", -1), 5);
	assert_string_equal(buf, "a" R "[2J");
	assert_int_equal(text_safe_buf(buf, sizeof(buf), "abcdef", 4), 4);
	assert_string_equal(buf, "abc" ELL);
	/* 5 bytes: room for "a" and the 3-byte ellipsis */
	assert_int_equal(text_safe_buf(buf, 5, "abcdef", -1), 2);
	assert_string_equal(buf, "a" ELL);
	/* 3 bytes: no room for an ellipsis, cut at a character boundary */
	assert_int_equal(text_safe_buf(buf, 3, "abcdef", -1), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(text_safe_buf(buf, 3, "日本", -1), 0);
	assert_string_equal(buf, "");
	/* 4 bytes: a cut is marked even if that costs the first character */
	assert_int_equal(text_safe_buf(buf, 4, "日本", -1), 1);
	assert_string_equal(buf, ELL);
	/* exactly enough bytes: no cut */
	assert_int_equal(text_safe_buf(buf, 7, "日本", -1), 4);
	assert_string_equal(buf, "日本");
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("日本"), 4);
	assert_int_equal(text_width("e\xCC\x81"), 1);
	assert_int_equal(text_width("\xF0\x9F\x98\x80"), 2);
	assert_int_equal(text_width("a\tb"), 3);
	assert_int_equal(text_width("\x1b"), 1);
}

static void test_pad(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(text_pad(buf, sizeof(buf), "ab", 5), 5);
	assert_string_equal(buf, "ab   ");
	assert_int_equal(text_pad(buf, sizeof(buf), "abcdef", 4), 4);
	assert_string_equal(buf, "abc" ELL);
	assert_int_equal(text_pad(buf, sizeof(buf), "日本語", 5), 5);
	assert_string_equal(buf, "日本" ELL);
	assert_int_equal(text_pad(buf, sizeof(buf), "日本語", 4), 4);
	assert_string_equal(buf, "日" ELL " ");
	assert_int_equal(text_pad(buf, sizeof(buf), "", 3), 3);
	assert_string_equal(buf, "   ");
	assert_int_equal(text_pad(buf, sizeof(buf), "abc", 0), 0);
	assert_string_equal(buf, "");
	assert_int_equal(text_pad(buf, sizeof(buf), NULL, -2), 0);
	assert_string_equal(buf, "");
	/* buffer too small for the padding: as much as fits */
	assert_int_equal(text_pad(buf, 4, "a", 10), 3);
	assert_string_equal(buf, "a  ");
}

/* Random bytes in, and whatever comes out: no C0, DEL, C1 or bidi
 * control, well-formed UTF-8, and no wider than asked. */
static void test_random_input(void **state)
{
	unsigned char in[64];
	unsigned long seed = 12345;
	const unsigned char *p;
	char *out;
	int round, i, max, cols;
	size_t n;

	(void)state;
	for (round = 0; round < 20000; round++) {
		n = (size_t)(round % 63);
		for (i = 0; i < (int)n; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (unsigned char)(seed >> 16);
			if (in[i] == 0)
				in[i] = 0x9b;
		}
		in[n] = '\0';
		max = round % 3 == 0 ? -1 : round % 40;
		out = text_safe((const char *)in, max, &cols);
		if (max >= 0)
			assert_true(cols <= max);
		for (p = (const unsigned char *)out; *p; p++) {
			assert_true(*p >= 0x20 && *p != 0x7f);
			assert_true(*p != 0xC0 && *p != 0xC1 && *p < 0xF5);
			/* U+0080-U+009F would be C2 80..C2 9F */
			if (p[0] == 0xC2)
				assert_true(p[1] >= 0xA0);
			/* U+202A-U+202E and U+2066-U+2069 */
			if (p[0] == 0xE2 && p[1] == 0x80)
				assert_true(p[2] < 0xAA || p[2] > 0xAE);
			if (p[0] == 0xE2 && p[1] == 0x81)
				assert_true(p[2] < 0xA6 || p[2] > 0xA9);
		}
		assert_int_equal(text_width(out), cols);
		free(out);
	}
}

/* Found by fuzz_text: the empty filter did not match the empty string. */
static void test_contains_nocase(void **state)
{
	(void)state;
	assert_int_equal(text_contains_nocase("", ""), 1);
	assert_int_equal(text_contains_nocase("abc", ""), 1);
	assert_int_equal(text_contains_nocase("aBc", "bC"), 1);
	assert_int_equal(text_contains_nocase("ab", "abc"), 0);
	assert_int_equal(text_contains_nocase(NULL, ""), 0);
}

/* JSON for pipelines: invalid bytes become \ufffd, C1, bidi and line
 * separators become escapes, everything else is left as it is, and the
 * result always parses to the same strings with U+FFFD for what was
 * invalid. */
static void test_json_safe(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"{\"a\":\"plain\"}", "{\"a\":\"plain\"}"},
	    {"{\"a\":\"caf\xC3\xA9 \xE6\x97\xA5\"}",
	     "{\"a\":\"caf\xC3\xA9 \xE6\x97\xA5\"}"},
	    {"{\"a\":\"x\xFFy\"}", "{\"a\":\"x\\ufffdy\"}"},
	    {"{\"a\":\"x\x9B" "31m\"}", "{\"a\":\"x\\ufffd31m\"}"},
	    {"{\"a\":\"x\xC2\x9B" "31m\"}", "{\"a\":\"x\\u009b31m\"}"},
	    {"{\"a\":\"\xE2\x80\xAE" "evil\"}", "{\"a\":\"\\u202eevil\"}"},
	    {"{\"a\":\"l\xE2\x80\xA8m\"}", "{\"a\":\"l\\u2028m\"}"},
	    {"{\"a\":\"\xE6\x97\"}", "{\"a\":\"\\ufffd\"}"},
	    {"{\"a\":\"" R "\"}", "{\"a\":\"" R "\"}"},
	    {"{\"a\":\"\xED\xA0\x80\"}",
	     "{\"a\":\"\\ufffd\\ufffd\\ufffd\"}"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = text_json_safe(cases[i].in);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
	{
		char *got = text_json_safe(NULL);

		assert_string_equal(got, "");
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_escape_sequences),
	    cmocka_unit_test(test_line_breaks_and_tabs),
	    cmocka_unit_test(test_c1),
	    cmocka_unit_test(test_bidi),
	    cmocka_unit_test(test_wide),
	    cmocka_unit_test(test_combining),
	    cmocka_unit_test(test_emoji),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_ascii_mode),
	    cmocka_unit_test(test_empty_and_null),
	    cmocka_unit_test(test_safe_buf),
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_pad),
	    cmocka_unit_test(test_random_input),
	    cmocka_unit_test(test_contains_nocase),
	    cmocka_unit_test(test_json_safe),
	};

	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_text: the C.UTF-8 locale is missing\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
