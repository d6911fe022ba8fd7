/* test_tui_core.c - the curses-free parts of the TUI: layout (printed as a
 * string), the action table and key lookup, and theme parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/actions.h"
#include "tui/layout.h"
#include "tui/theme.h"

static void test_layout_grid_large(void **state)
{
	struct layout l;
	char buf[512];

	(void)state;
	layout_compute(&l, 200, 50, 6, 0x0f, 2, 0);
	layout_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "grid 200x50: title 0,0 200x1; pane0 1,0 "
				 "100x24; pane1 1,100 100x24; pane2 25,0 "
				 "100x24; pane3 25,100 100x24; status 49,0 "
				 "200x1;");
}

static void test_layout_tabs_80x24(void **state)
{
	struct layout l;
	char buf[512];

	(void)state;
	layout_compute(&l, 80, 24, 6, 0x0f, 2, 0);
	layout_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "tabs 80x24: title 0,0 80x1; tabs 1,0 80x1; "
				 "pane2 2,0 80x21; status 23,0 80x1;");
}

static void test_layout_boundaries(void **state)
{
	struct layout l;

	(void)state;
	layout_compute(&l, 120, 35, 6, 0x0f, 0, 0);
	assert_int_equal(l.mode, LAYOUT_GRID);
	layout_compute(&l, 119, 35, 6, 0x0f, 0, 0);
	assert_int_equal(l.mode, LAYOUT_TABS);
	layout_compute(&l, 120, 34, 6, 0x0f, 0, 0);
	assert_int_equal(l.mode, LAYOUT_TABS);
	layout_compute(&l, 59, 24, 6, 0x0f, 0, 0);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(&l, 80, 15, 6, 0x0f, 0, 0);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(&l, 60, 16, 6, 0x0f, 0, 0);
	assert_int_equal(l.mode, LAYOUT_TABS);
}

static void test_layout_zoom_and_full_panes(void **state)
{
	struct layout l;
	char buf[512];

	(void)state;
	/* Zoom: the focused pane alone, even on a large terminal. */
	layout_compute(&l, 200, 50, 6, 0x0f, 3, 1);
	layout_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "tabs 200x50: title 0,0 200x1; tabs 1,0 "
				 "200x1; pane3 2,0 200x47; status 49,0 "
				 "200x1;");
	/* Bootstrap and activity are never in the grid. */
	layout_compute(&l, 200, 50, 6, 0x0f, 5, 0);
	assert_int_equal(l.mode, LAYOUT_TABS);
	assert_int_equal(l.panes[5].h, 47);
	assert_int_equal(l.panes[0].h, 0);
}

static void test_action_lookup_scopes(void **state)
{
	(void)state;
	/* Pane scope first, then lists, then global. */
	assert_int_equal(action_for_key('c', SCOPE_NODES, 1), ACT_CORDON);
	assert_int_equal(action_for_key('c', SCOPE_GLOBAL, 1), ACT_NONE);
	assert_int_equal(action_for_key('j', SCOPE_NODES, 1), ACT_DOWN);
	assert_int_equal(action_for_key('j', SCOPE_GLOBAL, 0), ACT_NONE);
	assert_int_equal(action_for_key(KEY_DOWN, SCOPE_NODES, 1), ACT_DOWN);
	assert_int_equal(action_for_key('q', SCOPE_NODES, 1), ACT_QUIT);
	assert_int_equal(action_for_key('\r', SCOPE_NODES, 1), ACT_OPEN);
	assert_int_equal(action_for_key('\t', SCOPE_GLOBAL, 0),
			 ACT_FOCUS_NEXT);
	assert_int_equal(action_for_key(KEY_BTAB, SCOPE_GLOBAL, 0),
			 ACT_FOCUS_PREV);
	assert_int_equal(action_for_key(12, SCOPE_GLOBAL, 0), ACT_REDRAW);
	assert_int_equal(action_for_key('x', SCOPE_NODES, 1), ACT_NONE);
}

/* No key may mean two things in one scope, or in a pane scope and the
 * scopes it falls back to (the pane would silently win). */
static void test_action_keys_unique(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < ACT_COUNT; i++) {
		const char *p = action_table[i].keys;

		assert_non_null(action_table[i].help);
		assert_true(strlen(action_table[i].help) > 3);
		while (*p) {
			char name[16];
			size_t n = strcspn(p, " ");
			int key;

			assert_true(n < sizeof(name));
			memcpy(name, p, n);
			name[n] = '\0';
			key = key_from_name(name);
			assert_true(key > 0);
			for (j = 0; j < ACT_COUNT; j++) {
				if (j == i)
					continue;
				if (action_for_key(key, action_table[j].scope,
						   1) == (enum action_id)j &&
				    action_table[j].scope ==
					    action_table[i].scope)
					fail_msg("key %s bound twice", name);
			}
			p += n;
			while (*p == ' ')
				p++;
		}
	}
}

static void test_key_names_round_trip(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(action_key_name('\t', buf, sizeof(buf)), "Tab");
	assert_string_equal(action_key_name(KEY_NPAGE, buf, sizeof(buf)),
			    "PgDn");
	assert_string_equal(action_key_name(18, buf, sizeof(buf)), "C-r");
	assert_string_equal(action_key_name('z', buf, sizeof(buf)), "z");
	assert_int_equal(key_from_name("C-r"), 18);
	assert_int_equal(key_from_name("Esc"), 27);
	assert_int_equal(key_from_name("nonsense"), -1);
}

static void test_theme_parse(void **state)
{
	struct theme t;
	struct err e;
	const char *text = "# comment\n"
			   "normal default default -\n"
			   "error red default bold,reverse mono=bold\n"
			   "muted 244 bright-black - \n";

	(void)state;
	assert_int_equal(theme_parse(&t, "x", text, "x.theme", &e), 0);
	assert_int_equal(t.style[ROLE_ERROR].fg, 1);
	assert_int_equal(t.style[ROLE_ERROR].attrs, TA_BOLD | TA_REVERSE);
	assert_int_equal(t.style[ROLE_ERROR].mono_attrs, TA_BOLD);
	assert_int_equal(t.style[ROLE_MUTED].fg, 244);
	assert_int_equal(t.style[ROLE_MUTED].bg, 8);
	/* Unset roles inherit normal. */
	assert_int_equal(t.style[ROLE_OK].fg, THEME_DEFAULT_COLOR);
}

static void test_theme_errors_name_the_line(void **state)
{
	struct theme t;
	struct err e;

	(void)state;
	assert_true(theme_parse(&t, "x", "normal default default\nok grene "
					 "default\n",
				"my.theme", &e) < 0);
	assert_string_equal(e.msg, "my.theme:2: unknown colour \"grene\"");
	assert_true(theme_parse(&t, "x", "bogus red red\n", "my.theme", &e) <
		    0);
	assert_string_equal(e.msg, "my.theme:1: unknown role \"bogus\"");
	assert_true(theme_parse(&t, "x", "ok red\n", "my.theme", &e) < 0);
	assert_non_null(strstr(e.msg, "my.theme:1: expected"));
	assert_true(theme_parse(&t, "x", "ok red red blink\n", "my.theme",
				&e) < 0);
	assert_non_null(strstr(e.msg, "unknown attribute"));
}

/* Every shipped theme parses and sets every role explicitly. */
static void test_shipped_themes(void **state)
{
	static const char *const names[] = {"default", "high-contrast",
					    "monochrome", "solarized-dark"};
	struct theme t;
	struct err e;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < 4; i++) {
		err_clear(&e);
		if (theme_load(&t, names[i], &e) < 0)
			fail_msg("%s: %s", names[i], e.msg);
		for (r = 0; r < ROLE_COUNT; r++)
			if (!t.style[r].set)
				fail_msg("%s: role %s not set", names[i],
					 role_name((enum role)r));
	}
	/* The monochrome theme uses no colour at all. */
	assert_int_equal(theme_load(&t, "monochrome", &e), 0);
	for (r = 0; r < ROLE_COUNT; r++) {
		assert_int_equal(t.style[r].fg, THEME_DEFAULT_COLOR);
		assert_int_equal(t.style[r].bg, THEME_DEFAULT_COLOR);
	}
	assert_true(theme_load(&t, "no-such-theme", &e) < 0);
	assert_non_null(strstr(e.msg, "no theme \"no-such-theme\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_grid_large),
		cmocka_unit_test(test_layout_tabs_80x24),
		cmocka_unit_test(test_layout_boundaries),
		cmocka_unit_test(test_layout_zoom_and_full_panes),
		cmocka_unit_test(test_action_lookup_scopes),
		cmocka_unit_test(test_action_keys_unique),
		cmocka_unit_test(test_key_names_round_trip),
		cmocka_unit_test(test_theme_parse),
		cmocka_unit_test(test_theme_errors_name_the_line),
		cmocka_unit_test(test_shipped_themes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
