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
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation is fine: the sentence stays readable. */
	if (snprintf(e->msg, sizeof(e->msg), "%s: ", head) < 0)
		e->msg[0] = '\0';
	strncat(e->msg, old, sizeof(e->msg) - strlen(e->msg) - 1);
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
