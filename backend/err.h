/* err.h - the one error convention: a status int plus a human sentence.
 * Not a logging facility; callers decide where the sentence goes. */
#ifndef JD_ERR_H
#define JD_ERR_H

#include <stddef.h>

/* Error classes; functions return 0 on success or one of these negated. */
enum err_code {
	ERR_OK = 0,
	ERR_USAGE = 1,   /* bad argument or configuration */
	ERR_IO = 2,      /* file or pipe could not be read or written */
	ERR_PARSE = 3,   /* malformed JSON, YAML, base64, PEM ... */
	ERR_NET = 4,     /* connection, DNS, TLS, timeout */
	ERR_HTTP = 5,    /* server answered with an error status */
	ERR_AUTH = 6,    /* 401, expired or missing credentials */
	ERR_DENIED = 7,  /* 403, or refused by --read-only */
	ERR_NOTFOUND = 8,
	ERR_CONFLICT = 9,
	ERR_CANCELLED = 10,
	ERR_TIMEOUT = 11,
	ERR_INTERNAL = 12,
	ERR_EXISTS = 13, /* the target holds something else: replacing it
			  * needs an explicit force */
};

/* Caller-provided; functions fill it when they fail. msg is a complete
 * sentence without trailing newline, ready for the status bar or stderr. */
struct err {
	int code;
	char msg[512];
};

/* Fill e (may be NULL) and return -code, so callers can write
 * `return err_set(e, ERR_IO, "cannot open %s: %s", path, strerror(errno));` */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing message: "context: old message". Returns -e->code. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_clear(struct err *e);

#endif
