/* test_keys.c - the key-binding layer over the action table: rebinding,
 * unbinding, bad names, clashes (one scope, or a pane key hiding a list or
 * global key), reset, and the key list printed with the keys in force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/actions.h"

static int reset(void **state)
{
	(void)state;
	actions_reset_bindings();
	return 0;
}

static void test_rebind(void **state)
{
	char why[300];

	(void)state;
	assert_int_equal(actions_bind("cordon", "C", why, sizeof(why)), 0);
	assert_int_equal(action_for_key('C', SCOPE_NODES, 1), ACT_CORDON);
	assert_int_equal(action_for_key('c', SCOPE_NODES, 1), ACT_NONE);
	assert_string_equal(action_keys(ACT_CORDON), "C");
	assert_int_equal(action_is_rebound(ACT_CORDON), 1);
	assert_int_equal(action_is_rebound(ACT_UNCORDON), 0);
	/* Several keys, named keys, extra blanks. */
	assert_int_equal(actions_bind("help", "  F2   ?  C-h ", why,
				      sizeof(why)),
			 0);
	assert_string_equal(action_keys(ACT_HELP), "F2 ? C-h");
	assert_int_equal(action_for_key(KEY_F(2), SCOPE_NODES, 1), ACT_HELP);
	assert_int_equal(action_for_key(8, SCOPE_GLOBAL, 0), ACT_HELP);
	assert_int_equal(action_for_key(KEY_F(1), SCOPE_GLOBAL, 0), ACT_NONE);
	actions_reset_bindings();
	assert_int_equal(action_for_key('c', SCOPE_NODES, 1), ACT_CORDON);
	assert_int_equal(action_for_key(KEY_F(1), SCOPE_GLOBAL, 0), ACT_HELP);
	assert_string_equal(action_keys(ACT_CORDON), "c");
}

static void test_unbind(void **state)
{
	char why[300];

	(void)state;
	assert_int_equal(actions_bind("zoom", "none", why, sizeof(why)), 0);
	assert_string_equal(action_keys(ACT_ZOOM), "");
	assert_int_equal(action_for_key('z', SCOPE_NODES, 1), ACT_NONE);
}

static void test_bad_bindings(void **state)
{
	char why[300];

	(void)state;
	assert_int_equal(actions_bind("cordn", "C", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no action \"cordn\""));
	assert_int_equal(actions_bind("cordon", "Ctrl-x", why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "\"Ctrl-x\" is not a key name"));
	assert_int_equal(actions_bind("cordon", "F13", why, sizeof(why)),
			 -1);
	assert_int_equal(actions_bind("cordon", "c c", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "listed twice"));
	/* "Enter" and C-j are the same key. */
	assert_int_equal(actions_bind("open", "Enter C-j", why, sizeof(why)),
			 -1);
	/* A failed binding leaves the keys as they were. */
	assert_string_equal(action_keys(ACT_CORDON), "c");
	assert_int_equal(action_is_rebound(ACT_CORDON), 0);
}

static void test_clashes(void **state)
{
	char why[300];
	int key = 0;

	(void)state;
	/* Two actions of one pane on one key. */
	assert_int_equal(actions_bind("cordon", "u", why, sizeof(why)), 0);
	assert_int_equal(actions_clash(ACT_CORDON, ACT_UNCORDON, &key), 1);
	assert_int_equal(key, 'u');
	/* A pane key hiding a list key. */
	assert_int_equal(actions_bind("cordon", "j", why, sizeof(why)), 0);
	assert_int_equal(actions_clash(ACT_CORDON, ACT_DOWN, &key), 1);
	assert_int_equal(key, 'j');
	assert_int_equal(actions_clash(ACT_CORDON, ACT_UNCORDON, &key), 0);
	/* A list key hiding a global key. */
	assert_int_equal(actions_bind("sort", "q", why, sizeof(why)), 0);
	assert_int_equal(actions_clash(ACT_SORT_NEXT, ACT_QUIT, &key), 1);
	/* Keys of different panes never meet. */
	assert_int_equal(actions_bind("reconcile", "i", why, sizeof(why)), 0);
	assert_int_equal(actions_clash(ACT_RECONCILE, ACT_IMPORT, &key), 0);
	/* The defaults do not clash with one another. */
	actions_reset_bindings();
	{
		int a, b;

		for (a = 0; a < ACT_COUNT; a++)
			for (b = 0; b < ACT_COUNT; b++)
				if (actions_clash((enum action_id)a,
						  (enum action_id)b, &key))
					fail_msg("%s and %s share a key",
						 action_table[a].name,
						 action_table[b].name);
	}
}

static void test_printed_with_bindings(void **state)
{
	char why[300], buf[16384];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(actions_bind("cordon", "C F5", why, sizeof(why)), 0);
	assert_int_equal(actions_bind("zoom", "none", why, sizeof(why)), 0);
	f = tmpfile();
	actions_print(f, ACTIONS_MARKDOWN);
	actions_print(f, ACTIONS_NAMES);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "| `C F5` | Cordon the selected node"));
	assert_non_null(strstr(buf, "| (none) | Zoom"));
	assert_non_null(strstr(buf, "    C F5             cordon"));
	/* c is no longer cordon's (another pane may use it) */
	assert_null(strstr(buf, "| `c` | Cordon"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rebind, reset),
		cmocka_unit_test_setup(test_unbind, reset),
		cmocka_unit_test_setup(test_bad_bindings, reset),
		cmocka_unit_test_setup(test_clashes, reset),
		cmocka_unit_test_setup(test_printed_with_bindings, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
