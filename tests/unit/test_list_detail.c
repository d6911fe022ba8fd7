/* test_list_detail.c - the detail view's wrapping, without curses: a
 * long value goes on under itself (after its label), a word longer than
 * the width is cut hard, nothing is lost or reordered, and the selected
 * row maps back to the line the pane added. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "backend/text.h"
#include "tui/detail.h"

/* The rows joined with single spaces, indents dropped. */
static void joined(struct detail *d, char *buf, size_t sz)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < d->nrows; i++) {
		const char *t = detail_row_text(d, i);

		while (*t == ' ')
			t++;
		len += (size_t)snprintf(buf + len, sz - len, "%s%s",
					len ? " " : "", t);
	}
}

static void test_wraps_under_the_value(void **state)
{
	struct detail d;
	char msg[400], buf[2000];
	size_t i, n;
	int k;

	(void)state;
	memset(&d, 0, sizeof(d));
	msg[0] = '\0';
	for (k = 1; strlen(msg) < 290; k++)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
			 "%sw%03d", k > 1 ? " " : "", k);
	detail_add(&d, ROLE_HEADER, "Kustomization flux-system/a0005-i");
	detail_add(&d, ROLE_NORMAL, "  Message     %s", msg);
	n = detail_wrap(&d, 60);
	assert_true(n > 3);
	for (i = 0; i < n; i++)
		assert_true(text_width(detail_row_text(&d, i)) <= 60);
	/* the value's next rows start where the value started */
	assert_string_equal(detail_row_text(&d, 1),
			    "  Message     w001 w002 w003 w004 w005 w006 w007 "
			    "w008 w009");
	assert_true(
	    strncmp(detail_row_text(&d, 2), "              w010 ", 19) == 0);
	/* nothing lost: the rows joined are the lines */
	joined(&d, buf, sizeof(buf));
	assert_true(strstr(buf, msg) != NULL);
	assert_true(strncmp(buf, "Kustomization flux-system/a0005-i Message",
			    41) == 0);
	/* the selected row maps to its line */
	d.view.sel = n - 1;
	assert_int_equal(detail_selected_line(&d), 1);
	d.view.sel = 0;
	assert_int_equal(detail_selected_line(&d), 0);
	detail_free(&d);
}

static void test_long_word_cut_hard(void **state)
{
	struct detail d;
	char word[200];
	size_t n, i;

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(word, 'x', 150);
	word[150] = '\0';
	detail_add(&d, ROLE_NORMAL, "  URL         https://%s", word);
	n = detail_wrap(&d, 40);
	assert_true(n >= 5);
	for (i = 0; i < n; i++)
		assert_true(text_width(detail_row_text(&d, i)) <= 40);
	/* a short line stays one row; wider, fewer rows */
	detail_add(&d, ROLE_NORMAL, "short");
	assert_int_equal(detail_wrap(&d, 200), 2);
	detail_free(&d);
}

static void test_unsafe_text_made_safe(void **state)
{
	struct detail d;

	(void)state;
	memset(&d, 0, sizeof(d));
	detail_add(&d, ROLE_NORMAL, "a\033[31mred\tb");
	detail_wrap(&d, 80);
	assert_null(strchr(detail_row_text(&d, 0), '\033'));
	assert_null(strchr(detail_row_text(&d, 0), '\t'));
	detail_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wraps_under_the_value),
	    cmocka_unit_test(test_long_word_cut_hard),
	    cmocka_unit_test(test_unsafe_text_made_safe),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
