/* help.c - the help overlay, drawn from the action table (so it cannot
 * disagree with the keys), scrollable on small terminals. */
#include "app_impl.h"
#include "screen.h"

#include <curses.h>
#include <stdio.h>

/* One line per scope title and per action. */
static int help_lines(void)
{
	return SCOPE_COUNT * 2 + ACT_COUNT;
}

void app_draw_help(struct app *a)
{
	struct rect r;
	int y, line = 0, s, i, body;

	r.w = a->cols - 4 > 84 ? 84 : a->cols - 4;
	r.h = a->rows - 4;
	r.x = (a->cols - r.w) / 2;
	r.y = 2;
	for (y = r.y; y < r.y + r.h; y++)
		scr_fill(y, r.x, r.w, ROLE_DIALOG);
	scr_box(&r, ROLE_BORDER_FOCUS, "Keys (j/k scroll, Esc or ? closes)",
		ROLE_HEADER);
	body = r.h - 2;
	if (a->help_top > help_lines() - body) {
		int last = help_lines() - body;

		a->help_top = last > 0 ? last : 0;
	}
	y = r.y + 1;
	for (s = 0; s < SCOPE_COUNT; s++) {
		for (i = -2; i < ACT_COUNT; i++) {
			const struct action_info *ai =
				i >= 0 ? &action_table[i] : NULL;

			if (ai && (int)ai->scope != s)
				continue;
			if (line++ < a->help_top)
				continue;
			if (y >= r.y + 1 + body)
				return;
			if (i == -2) {
				y++;
			} else if (i == -1) {
				scr_put(y++, r.x + 2, r.w - 4, ROLE_HEADER,
					action_scope_title(
						(enum action_scope)s));
			} else {
				char k[40];

				snprintf(k, sizeof(k), "%s",
					 action_keys(ai->id));
				scr_put(y, r.x + 3, 18, ROLE_KEY, k);
				scr_put(y, r.x + 22, r.w - 24,
					ai->mutating ? ROLE_WARN
						     : ROLE_DIALOG,
					ai->help);
				y++;
			}
		}
	}
}

int app_help_key(struct app *a, int key)
{
	switch (key) {
	case 'j':
	case KEY_DOWN:
		a->help_top++;
		break;
	case 'k':
	case KEY_UP:
		if (a->help_top > 0)
			a->help_top--;
		break;
	case KEY_NPAGE:
	case ' ':
		a->help_top += 10;
		break;
	case KEY_PPAGE:
		a->help_top = a->help_top > 10 ? a->help_top - 10 : 0;
		break;
	case 27:
	case '?':
	case 'q':
		a->help = 0;
		break;
	default:
		return 0;
	}
	app_mark(a);
	return 1;
}
