/* text.c - UTF-8 decoding, control stripping and column fitting for
 * untrusted strings. Not aware of curses; see text.h for the rules. */
#include "text.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xalloc.h"

#define REPLACEMENT_CHAR 0xFFFDu
#define ELLIPSIS_CHAR	 0x2026u

static int ascii_mode;

void text_set_ascii(int on)
{
	ascii_mode = on ? 1 : 0;
}

int text_ascii(void)
{
	return ascii_mode;
}

/* Decodes one code point at *pp (which is not at the terminating NUL) and
 * advances past it. Anything that is not well-formed UTF-8 (stray
 * continuation bytes, overlong forms, surrogates, values above U+10FFFF,
 * truncated sequences) yields REPLACEMENT_CHAR; a truncated sequence is
 * consumed only up to the byte that broke it, so that byte starts over. */
static uint32_t utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	unsigned char b = p[0];
	unsigned char lo = 0x80, hi = 0xBF;
	uint32_t cp;
	int need, i;

	if (b < 0x80) {
		*pp = p + 1;
		return b;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		need = 1;
		cp = b & 0x1Fu;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		cp = b & 0x0Fu;
		if (b == 0xE0)
			lo = 0xA0; /* shorter forms are overlong */
		else if (b == 0xED)
			hi = 0x9F; /* U+D800-U+DFFF are surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		cp = b & 0x07u;
		if (b == 0xF0)
			lo = 0x90; /* overlong */
		else if (b == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		*pp = p + 1;
		return REPLACEMENT_CHAR;
	}
	p++;
	for (i = 0; i < need; i++) {
		if (*p < lo || *p > hi) {
			*pp = p;
			return REPLACEMENT_CHAR;
		}
		cp = (cp << 6) | (*p & 0x3Fu);
		p++;
		lo = 0x80;
		hi = 0xBF;
	}
	*pp = p;
	return cp;
}

static size_t utf8_len(uint32_t c)
{
	if (c < 0x80)
		return 1;
	if (c < 0x800)
		return 2;
	if (c < 0x10000)
		return 3;
	return 4;
}

static size_t utf8_put(char *d, uint32_t c)
{
	unsigned char *u = (unsigned char *)d;

	if (c < 0x80) {
		u[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		u[0] = (unsigned char)(0xC0 | (c >> 6));
		u[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (c >> 12));
		u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	u[0] = (unsigned char)(0xF0 | (c >> 18));
	u[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
	u[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
	u[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

static int is_bidi_control(uint32_t c)
{
	return c == 0x061C || c == 0x200E || c == 0x200F ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static uint32_t replacement(int *w)
{
	*w = 1;
	return ascii_mode ? '?' : REPLACEMENT_CHAR;
}

/* Maps a decoded code point to what is printed, and its width. */
static uint32_t safe_char(uint32_t c, int *w)
{
	int cw;

	if (c == '\t' || c == '\n' || c == '\r' || c == 0x2028 ||
	    c == 0x2029) {
		*w = 1;
		return ' ';
	}
	if (c < 0x20 || c == 0x7F)
		return replacement(w);
	if (c < 0x7F) {
		*w = 1;
		return c;
	}
	if (ascii_mode || c <= 0x9F || is_bidi_control(c) ||
	    c == REPLACEMENT_CHAR)
		return replacement(w);
	cw = wcwidth((wchar_t)c);
	if (cw < 0)
		return replacement(w);
	*w = cw;
	return c;
}

/* Next printed code point of s and its width; 0 at the end. */
static uint32_t next_safe(const unsigned char **pp, int *w)
{
	if (**pp == '\0') {
		*w = 0;
		return 0;
	}
	return safe_char(utf8_next(pp), w);
}

static void measure(const char *s, long *cols, size_t *bytes)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	uint32_t c;
	int w;

	*cols = 0;
	*bytes = 0;
	for (;;) {
		c = next_safe(&p, &w);
		if (c == 0)
			break;
		*cols += w;
		*bytes += utf8_len(c);
	}
}

/* The worker behind every public function: writes the safe form of s,
 * cut to max_cols columns and dstsz bytes. cols and bytes are the
 * measured size of the uncut safe form. Returns the columns written. */
static int fit(char *dst, size_t dstsz, const char *s, int max_cols, long cols,
	       size_t bytes)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	uint32_t ell = ascii_mode ? '~' : ELLIPSIS_CHAR;
	size_t ell_bytes = utf8_len(ell);
	long col_room = max_cols < 0 ? LONG_MAX : max_cols;
	size_t byte_room, used = 0;
	long width = 0;
	int cut, use_ell = 0, w;
	uint32_t c;

	if (dstsz == 0)
		return 0;
	byte_room = dstsz - 1;
	cut = cols > col_room || bytes > byte_room;
	if (cut && col_room >= 1 && byte_room >= ell_bytes) {
		use_ell = 1;
		col_room -= 1;
		byte_room -= ell_bytes;
	}
	for (;;) {
		c = next_safe(&p, &w);
		if (c == 0)
			break;
		if (width + w > col_room || used + utf8_len(c) > byte_room)
			break;
		used += utf8_put(dst + used, c);
		width += w;
	}
	if (use_ell) {
		used += utf8_put(dst + used, ell);
		width += 1;
	}
	dst[used] = '\0';
	return (int)(width > INT_MAX ? INT_MAX : width);
}

char *text_safe(const char *s, int max_cols, int *cols_out)
{
	long cols;
	size_t bytes;
	char *out;
	int w;

	measure(s, &cols, &bytes);
	/* room for the uncut text, or for a prefix plus an ellipsis */
	out = xmalloc(bytes + 4 + 1);
	w = fit(out, bytes + 4 + 1, s, max_cols, cols, bytes);
	if (cols_out)
		*cols_out = w;
	return out;
}

size_t text_safe_buf(char *dst, size_t dstsz, const char *s, int max_cols)
{
	long cols;
	size_t bytes;

	measure(s, &cols, &bytes);
	return (size_t)fit(dst, dstsz, s, max_cols, cols, bytes);
}

int text_width(const char *s)
{
	long cols;
	size_t bytes;

	measure(s, &cols, &bytes);
	return cols > INT_MAX ? INT_MAX : (int)cols;
}

int text_pad(char *dst, size_t dstsz, const char *safe, int cols)
{
	size_t len;
	int w;

	if (dstsz == 0)
		return 0;
	if (cols < 0)
		cols = 0;
	w = (int)text_safe_buf(dst, dstsz, safe, cols);
	len = strlen(dst);
	while (w < cols && len + 1 < dstsz) {
		dst[len++] = ' ';
		w++;
	}
	dst[len] = '\0';
	return w;
}

char *text_json_safe(const char *json)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(json ? json : "");
	/* the worst case: one byte becomes six ("\ufffd") */
	char *out = xmalloc(strlen((const char *)p) * 6 + 1);
	size_t o = 0;

	while (*p) {
		const unsigned char *start = p;
		uint32_t c = utf8_next(&p);
		int invalid = c == REPLACEMENT_CHAR &&
			      !(p - start == 3 && start[0] == 0xEF &&
				start[1] == 0xBF && start[2] == 0xBD);

		if (invalid || (c >= 0x80 && c <= 0x9F) ||
		    is_bidi_control(c) || c == 0x2028 || c == 0x2029) {
			memcpy(out + o, "\\u", 2);
			out[o + 2] = hex[(c >> 12) & 15];
			out[o + 3] = hex[(c >> 8) & 15];
			out[o + 4] = hex[(c >> 4) & 15];
			out[o + 5] = hex[c & 15];
			o += 6;
		} else {
			memcpy(out + o, start, (size_t)(p - start));
			o += (size_t)(p - start);
		}
	}
	out[o] = '\0';
	return out;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int text_contains_nocase(const char *hay, const char *needle)
{
	size_t nl = strlen(needle), i;

	if (!hay)
		return 0;
	if (nl == 0)
		return 1; /* "" occurs in every string, "" too */
	for (; *hay; hay++) {
		for (i = 0; i < nl; i++)
			if (hay[i] == '\0' ||
			    ascii_lower(hay[i]) != ascii_lower(needle[i]))
				break;
		if (i == nl)
			return 1;
	}
	return 0;
}
