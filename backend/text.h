/* text.h - makes untrusted strings (server data, file contents) safe to
 * print on a terminal and fits them into columns. Not a renderer or wrapper.
 */

/* Every string that comes from a server or a file passes through
 * text_safe() or text_safe_buf() before it reaches the screen. The result:
 *
 *  - is valid UTF-8 (UTF-8 is decoded here, not by the locale); invalid
 *    bytes, overlong forms and surrogates become U+FFFD;
 *  - has no C0 control (0x00-0x1F), no DEL, no C1 control (neither raw
 *    bytes 0x80-0x9F nor U+0080-U+009F) and no bidirectional control
 *    (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069): each becomes
 *    U+FFFD, so a hidden control is visible as a replacement mark;
 *  - has no tab, CR, LF, U+2028 or U+2029: each becomes ONE space. Curses
 *    column arithmetic cannot handle tabs, and a table cell is one line, so
 *    a line break is shown as a space, not as a symbol;
 *  - has no code point that wcwidth() calls unprintable (U+FFFD instead);
 *  - is at most max_cols display columns wide. When it is cut, it ends in
 *    an ellipsis "\u2026" ("~" in ASCII mode) and the ellipsis is counted in
 *    max_cols. A double-width character is never split; combining marks
 *    (width 0) stay with the character before them.
 *
 * Widths come from wcwidth(), which needs a UTF-8 LC_CTYPE: the program
 * calls setlocale(LC_ALL, "") at start. Under a non-UTF-8 locale call
 * text_set_ascii(1): then every non-ASCII code point becomes "?", controls
 * become "?" too, and the ellipsis is "~".
 *
 * The functions keep no state besides the ASCII flag and are safe to call
 * from any thread once that flag is set (set it once, at start-up).
 */
#ifndef JD_TEXT_H
#define JD_TEXT_H

#include <stddef.h>

/* Terminal-safe copy of s, at most max_cols columns (max_cols < 0: no
 * limit). s may be NULL (treated as ""). Returns a new string the caller
 * frees with free(); never NULL. If cols_out is not NULL it receives the
 * display width of the result. */
char *text_safe(const char *s, int max_cols, int *cols_out);

/* Same as text_safe() but writes into dst (dstsz bytes, always
 * NUL-terminated when dstsz > 0). If the result does not fit in dstsz
 * bytes it is cut like a column cut, with an ellipsis when there is room
 * for one. Returns the display width of what was written. */
size_t text_safe_buf(char *dst, size_t dstsz, const char *s, int max_cols);

/* Display width of s as text_safe(s, -1, NULL) would print it. For a
 * string that is already safe this is simply its width. NULL is 0. */
int text_width(const char *s);

/* Writes safe (normally already made safe) into dst cut or padded with
 * spaces to exactly cols columns. A double-width character that would
 * straddle the edge is replaced by the ellipsis plus padding. Returns the
 * width written: cols, or less only when dstsz is too small. */
int text_pad(char *dst, size_t dstsz, const char *safe, int cols);

/* A JSON text (as cJSON prints it) made safe to print: every byte
 * sequence that is not well-formed UTF-8 becomes the escape \ufffd, and
 * the code points a terminal could act on that JSON allows raw (C1
 * controls U+0080-U+009F, the bidirectional controls listed above,
 * U+2028, U+2029) become \u escapes, so the document stays the same
 * JSON (only invalid bytes change) and always parses. Outside strings
 * cJSON writes only ASCII, so this never changes the structure. Returns
 * a new string the caller frees; NULL gives "". Not affected by the
 * ASCII flag. */
char *text_json_safe(const char *json);

/* 1 when needle occurs in hay ignoring ASCII case (a filter's match);
 * a NULL hay never matches. */
int text_contains_nocase(const char *hay, const char *needle);

/* The widest a column of a printed table may be (the last column, which
 * pads nothing, excepted): a 100,000-character name from a server must
 * not pad every row of the table to its width. */
#define TEXT_TABLE_COL_MAX 80

/* ASCII mode, process-wide: on for non-UTF-8 locales or --ascii. */
void text_set_ascii(int on);
int text_ascii(void);

#endif
