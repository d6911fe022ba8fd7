/* screen.h - the only file that talks to curses about colours, glyphs and
 * putting text on the screen. Everything drawn passes text_safe first. */
#ifndef JD_SCREEN_H
#define JD_SCREEN_H

#include "layout.h"
#include "theme.h"

enum glyph {
	G_HLINE, G_VLINE, G_TL, G_TR, G_BL, G_BR,
	G_FULL, G_EMPTY, G_ARROW, G_CHECK, G_CROSS, G_DOT, G_UP, G_DOWN,
	G_WARN, G_COUNT
};

struct screen_opts {
	int no_color;  /* NO_COLOR, --no-color */
	int ascii;     /* --ascii or a non-UTF-8 locale */
};

/* Start curses (stdscr). Returns 0, or -1 when the terminal cannot be
 * used (the caller prints why). */
int screen_start(const struct screen_opts *o);
void screen_stop(void);
/* Leave curses for a foreground child, and come back. */
void screen_suspend(void);
void screen_resume(void);
/* Re-read the terminal size after SIGWINCH. */
void screen_resize(int *cols, int *rows);

void screen_apply_theme(const struct theme *t);
int screen_has_color(void);
/* 1 when a blank drawn in role r shows as a block (the role has a
 * background of its own, or is reversed), as the theme is applied now. */
int scr_role_fills(enum role r);
const char *glyph(enum glyph g);

/* Put an already safe string at y,x in at most w columns. Returns the
 * columns used. */
int scr_put(int y, int x, int w, enum role r, const char *safe);
/* Make s safe, then put it. */
int scr_put_raw(int y, int x, int w, enum role r, const char *s);
/* Fill w columns with spaces in role r. */
void scr_fill(int y, int x, int w, enum role r);
/* A box with a title in its top border (focused: another colour). */
void scr_box(const struct rect *rc, enum role border, const char *title,
	     enum role title_role);
void scr_flush(void);

#endif
