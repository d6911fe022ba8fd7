/* screen.c - curses set-up, theme to colour pairs (with 256-to-8 colour
 * folding and the attributes-only fallback), glyphs, and text output. */
#include "screen.h"
#include "backend/text.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

static int use_color;
static int ascii_mode;
static attr_t role_attr[ROLE_COUNT];
static unsigned char role_fills[ROLE_COUNT];

static const char *const glyph_utf8[G_COUNT] = {
	[G_HLINE] = "\u2500", [G_VLINE] = "\u2502", [G_TL] = "\u250c",
	[G_TR] = "\u2510",    [G_BL] = "\u2514",    [G_BR] = "\u2518",
	[G_FULL] = "\u25cf",  [G_EMPTY] = "\u25cb", [G_ARROW] = "\u2192",
	[G_CHECK] = "\u2713", [G_CROSS] = "\u2717", [G_DOT] = "\u00b7",
	[G_UP] = "\u25b2",    [G_DOWN] = "\u25bc",  [G_WARN] = "!",
};

static const char *const glyph_ascii[G_COUNT] = {
	[G_HLINE] = "-", [G_VLINE] = "|", [G_TL] = "+",    [G_TR] = "+",
	[G_BL] = "+",    [G_BR] = "+",    [G_FULL] = "*",  [G_EMPTY] = "o",
	[G_ARROW] = ">", [G_CHECK] = "v", [G_CROSS] = "x", [G_DOT] = "-",
	[G_UP] = "^",    [G_DOWN] = "v",  [G_WARN] = "!",
};

const char *glyph(enum glyph g)
{
	return ascii_mode ? glyph_ascii[g] : glyph_utf8[g];
}

int screen_has_color(void)
{
	return use_color;
}

int scr_role_fills(enum role r)
{
	return (unsigned)r < ROLE_COUNT && role_fills[r];
}

int screen_start(const struct screen_opts *o)
{
	const char *nc = getenv("NO_COLOR");

	if (!initscr())
		return -1;
	ascii_mode = o->ascii;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* Escape sequences may arrive in pieces over a slow link. */
	set_escdelay(100);
	use_color = has_colors() && !o->no_color && !(nc && *nc);
	if (use_color) {
		start_color();
		use_default_colors();
	}
	return 0;
}

void screen_stop(void)
{
	endwin();
}

void screen_suspend(void)
{
	def_prog_mode();
	endwin();
}

void screen_resume(void)
{
	reset_prog_mode();
	clearok(stdscr, TRUE);
	refresh();
}

void screen_resize(int *cols, int *rows)
{
	endwin();
	refresh();
	*cols = COLS;
	*rows = LINES;
}

/* 256-colour index to one of the 8 basic colours, for small terminals. */
static int fold_colour(int c)
{
	int r, g, b;

	if (c < 0 || c < COLORS)
		return c;
	if (c < 16)
		return c - 8 < COLORS ? c - 8 : c % 8;
	if (c >= 232)
		return c >= 244 ? COLOR_WHITE : COLOR_BLACK;
	c -= 16;
	r = c / 36 >= 3;
	g = (c / 6) % 6 >= 3;
	b = c % 6 >= 3;
	return (r ? COLOR_RED : 0) | (g ? COLOR_GREEN : 0) |
	       (b ? COLOR_BLUE : 0);
}

static attr_t to_attr(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & TA_BOLD)
		r |= A_BOLD;
	if (a & TA_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TA_REVERSE)
		r |= A_REVERSE;
	if (a & TA_DIM)
		r |= A_DIM;
#ifdef A_ITALIC
	if (a & TA_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

void screen_apply_theme(const struct theme *t)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++) {
		const struct theme_style *s = &t->style[i];

		if (use_color && i + 1 < COLOR_PAIRS) {
			init_pair((short)(i + 1), (short)fold_colour(s->fg),
				  (short)fold_colour(s->bg));
			role_attr[i] = COLOR_PAIR(i + 1) | to_attr(s->attrs);
			role_fills[i] =
			    (s->attrs & TA_REVERSE) ||
			    s->bg != t->style[ROLE_NORMAL].bg;
		} else {
			role_attr[i] = to_attr(s->mono_attrs);
			role_fills[i] = !!(s->mono_attrs & TA_REVERSE);
		}
	}
	bkgdset(' ' | role_attr[ROLE_NORMAL]);
}

int scr_put(int y, int x, int w, enum role r, const char *safe)
{
	char buf[2048];
	int cols;

	if (w <= 0)
		return 0;
	/* text_safe_buf on safe text only cuts it to the width. */
	cols = (int)text_safe_buf(buf, sizeof(buf), safe, w);
	attrset(role_attr[r]);
	mvaddstr(y, x, buf);
	attrset(role_attr[ROLE_NORMAL]);
	return cols;
}

int scr_put_raw(int y, int x, int w, enum role r, const char *s)
{
	return scr_put(y, x, w, r, s);
}

void scr_fill(int y, int x, int w, enum role r)
{
	attrset(role_attr[r]);
	if (w > 0)
		mvhline(y, x, ' ', w);
	attrset(role_attr[ROLE_NORMAL]);
}

void scr_box(const struct rect *rc, enum role border, const char *title,
	     enum role title_role)
{
	int i;

	if (rc->h < 2 || rc->w < 2)
		return;
	attrset(role_attr[border]);
	mvaddstr(rc->y, rc->x, glyph(G_TL));
	for (i = 1; i < rc->w - 1; i++)
		addstr(glyph(G_HLINE));
	addstr(glyph(G_TR));
	for (i = 1; i < rc->h - 1; i++) {
		mvaddstr(rc->y + i, rc->x, glyph(G_VLINE));
		mvaddstr(rc->y + i, rc->x + rc->w - 1, glyph(G_VLINE));
	}
	mvaddstr(rc->y + rc->h - 1, rc->x, glyph(G_BL));
	for (i = 1; i < rc->w - 1; i++)
		addstr(glyph(G_HLINE));
	addstr(glyph(G_BR));
	attrset(role_attr[ROLE_NORMAL]);
	if (title && rc->w > 6) {
		scr_put(rc->y, rc->x + 2, 1, border, " ");
		i = scr_put(rc->y, rc->x + 3, rc->w - 6, title_role, title);
		scr_put(rc->y, rc->x + 3 + i, 1, border, " ");
	}
}

void scr_flush(void)
{
	refresh();
}
