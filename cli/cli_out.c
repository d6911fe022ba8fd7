/* cli_out.c - the one way the CLI prints: every line, on stdout or
 * stderr, is made terminal-safe (backend/text.h) on its way out, and every
 * JSON document is made valid UTF-8 without terminal controls. Not a table
 * formatter (the printers in backend/ are). */
#include "cli.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The formatted text, safe, as one line (a line break in it becomes a
 * space: no server text can start a line of its own). */
static char *safe_line(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static char *safe_line(const char *fmt, va_list ap)
{
	va_list again;
	char probe[1], *raw, *safe;
	int n;

	va_copy(again, ap);
	n = vsnprintf(probe, sizeof(probe), fmt, ap);
	raw = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	raw[0] = '\0';
	if (n > 0)
		vsnprintf(raw, (size_t)n + 1, fmt, again);
	va_end(again);
	safe = text_safe(raw, -1, NULL);

	free(raw);
	return safe;
}

/* The formatted text, safe, between before and after, on f. */
static void put_safe(FILE *f, const char *before, const char *after,
		     const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void put_safe(FILE *f, const char *before, const char *after,
		     const char *fmt, va_list ap)
{
	char *s = safe_line(fmt, ap);

	fprintf(f, "%s%s%s", before, s, after);
	free(s);
}

void cli_say(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_safe(f, "", "\n", fmt, ap);
	va_end(ap);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_safe(stderr, "jumpdeck: ", "\n", fmt, ap);
	va_end(ap);
}

void cli_progress(const char *fmt, ...)
{
	va_list ap;

	/* back to the start of the line, the text, spaces over the rest */
	va_start(ap, fmt);
	put_safe(stderr, "\r", "   ", fmt, ap);
	va_end(ap);
}

void cli_progress_clear(void)
{
	fprintf(stderr, "\r%60s\r", "");
}

void cli_json(const char *json)
{
	char *s = text_json_safe(json);

	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
}
