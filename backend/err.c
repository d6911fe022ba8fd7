/* err.c - filling and prefixing the caller's error struct.
 * Not where errors are printed: see the CLI and the status bar. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (code <= 0)
		code = ERR_INTERNAL;
	if (!e)
		return -code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -code;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char head[256];
	char old[sizeof(e->msg)];
	int n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation is fine: the sentence stays readable. */
	n = snprintf(e->msg, sizeof(e->msg), "%s: ", head);
	if (n < 0)
		n = 0;
	if ((size_t)n + 1 < sizeof(e->msg)) {
		size_t room = sizeof(e->msg) - (size_t)n - 1;
		size_t len = strnlen(old, sizeof(old));

		if (len > room)
			len = room;
		memcpy(e->msg + n, old, len);
		e->msg[(size_t)n + len] = '\0';
	}
	if (e->code <= 0)
		e->code = ERR_INTERNAL;
	return -e->code;
}

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}
