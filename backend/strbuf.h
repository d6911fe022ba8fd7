/* strbuf.h - the one growable, NUL-terminated byte string: request bodies,
 * URLs, form fields, messages, whole files. Not a text formatter. */
#ifndef JD_STRBUF_H
#define JD_STRBUF_H

#include <stddef.h>

/* Start from {0}, or from {.secret = 1} for text that holds a token, key
 * or password: then every block it leaves behind (when growing, when
 * freed) is zeroed first. */
struct strbuf {
	char *p;    /* NUL-terminated once anything was added; else NULL */
	size_t len; /* bytes in p before the NUL (p may hold NUL bytes) */
	size_t cap; /* bytes allocated */
	int secret;
};

/* Append n bytes (they may include NUL bytes). */
void strbuf_addn(struct strbuf *b, const void *s, size_t n);
/* Append n bytes unless b would then hold more than max bytes: returns
 * 0, or -1 with nothing appended (a bound against a server that never
 * ends a line or a field). */
int strbuf_addn_max(struct strbuf *b, const void *s, size_t n, size_t max);
/* Append a string; NULL appends nothing. */
void strbuf_add(struct strbuf *b, const char *s);
void strbuf_addf(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s percent-encoded: everything but RFC 3986's unreserved
 * characters (A-Z a-z 0-9 - . _ ~) becomes %XX. NULL appends nothing. */
void strbuf_add_pct(struct strbuf *b, const char *s);
/* Append one application/x-www-form-urlencoded field, "key=value" with
 * both encoded, after a "&" unless b is empty. */
void strbuf_add_form(struct strbuf *b, const char *key, const char *value);

/* The text so far: "" when nothing was added. Valid until b changes. */
const char *strbuf_str(const struct strbuf *b);
/* The text as a new string the caller frees (with xfree_secret_str()
 * when b was secret), never NULL; b is empty again afterwards. */
char *strbuf_take(struct strbuf *b);
/* Forget the text but keep the memory (zeroed when secret). */
void strbuf_reset(struct strbuf *b);
/* Frees the memory (zeroed first when secret); b is empty again. */
void strbuf_free(struct strbuf *b);

/* strbuf_read_file's answer for a FIFO, a device, a socket or a
 * directory: not an errno value. */
#define STRBUF_NOT_REGULAR (-1)

/* Appends the whole file at path. Returns 0, or an errno value (EFBIG
 * when the file holds more than max bytes), or STRBUF_NOT_REGULAR: a FIFO
 * would block for ever and a device may never end, so only a regular
 * file is read (opened without blocking, then checked). On failure b is
 * left as it was before the call. */
int strbuf_read_file(struct strbuf *b, const char *path, size_t max);
/* A sentence for strbuf_read_file's answer rc (not 0): static. */
const char *strbuf_file_error(int rc);

#endif
