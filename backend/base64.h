/* base64.h - standard base64 (RFC 4648 section 4, "+/" alphabet) decode
 * and encode. Not base64url and not a PEM parser. */
#ifndef JD_BASE64_H
#define JD_BASE64_H

#include <stddef.h>

#include "err.h"

/* Decodes len bytes of in. Whitespace (space, tab, CR, LF) anywhere is
 * skipped; "=" padding is optional but, when present, ends the data (only
 * whitespace may follow it). Any other character fails with ERR_PARSE and
 * the sentence "invalid base64 at byte N" (N counts from 0 within in,
 * as Go's decoder does), so callers can prefix where the text came from.
 * On success *out is a new buffer of *outlen bytes plus one extra NUL byte
 * not counted in *outlen (handy for PEM text); the caller frees it.
 * On failure *out is NULL and *outlen 0. */
int base64_decode(const char *in, size_t len, unsigned char **out,
		  size_t *outlen, struct err *e);

/* Encodes len bytes of in with padding and no line breaks. Returns a new
 * NUL-terminated string; the caller frees it. */
char *base64_encode(const unsigned char *in, size_t len);

#endif
