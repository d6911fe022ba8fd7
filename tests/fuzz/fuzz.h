/* fuzz.h - what every libFuzzer target here shares: the checks a parser's
 * output must pass (valid UTF-8, terminal-safe, bounded) and a loud stop.
 * Not a test framework: a failed check aborts, and libFuzzer keeps the input.
 */
#ifndef JD_FUZZ_H
#define JD_FUZZ_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Stops the run with the broken rule; libFuzzer saves the input. */
#define FZ_CHECK(cond, what)                                                  \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "fuzz check failed: %s (%s:%d)\n",    \
				what, __FILE__, __LINE__);                    \
			abort();                                              \
		}                                                             \
	} while (0)

/* A NUL-terminated copy of the input (the parsers take C strings); an
 * embedded NUL simply ends the text early, as it would from a server. */
static inline char *fz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 when it is not one.
 * *cp gets the code point. Written apart from backend/text.c on purpose,
 * so a bug there is not repeated here. */
static inline size_t fz_utf8_seq(const unsigned char *p, size_t n,
				 uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2;
		c = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3;
		c = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static inline int fz_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t c;

	while (i < n) {
		k = fz_utf8_seq(p + i, n - i, &c);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/* A code point that must never reach the terminal from server data: C0
 * (newline too, unless allow_nl), DEL, C1, the bidi controls, the line and
 * paragraph separators (../shared/upstream-facts.md section 6). */
static inline int fz_forbidden(uint32_t c, int allow_nl)
{
	if (c == '\n' && allow_nl)
		return 0;
	if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
		return 1;
	if (c == 0x061C || c == 0x200E || c == 0x200F ||
	    (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
		return 1;
	return c == 0x2028 || c == 0x2029;
}

/* 1 when s (n bytes) is valid UTF-8 without any forbidden code point. */
static inline int fz_terminal_safe(const char *s, size_t n, int allow_nl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t c;

	while (i < n) {
		k = fz_utf8_seq(p + i, n - i, &c);
		if (!k || fz_forbidden(c, allow_nl))
			return 0;
		i += k;
	}
	return 1;
}

#define FZ_SAFE_STR(s, what)                                                  \
	FZ_CHECK(!(s) || fz_terminal_safe((s), strlen(s), 0), what)

/* Everything a FILE printer wrote, for the checks above. */
struct fz_mem {
	char *buf;
	size_t len;
	FILE *f;
};

static inline FILE *fz_mem_open(struct fz_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		abort();
	return m->f;
}

static inline void fz_mem_close(struct fz_mem *m)
{
	fclose(m->f);
	m->f = NULL;
}

/* Every parser here runs under the program's locale rules: UTF-8 widths. */
static inline void fz_locale(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
}

#endif
