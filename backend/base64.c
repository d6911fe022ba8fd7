/* base64.c - base64 decoding with byte-accurate errors, and encoding.
 * Not streaming: whole buffers in, whole buffers out. */
#include "base64.h"

#include <stdint.h>
#include <stdlib.h>

#include "xalloc.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of a base64 digit, -1 for whitespace, -2 for '=', -3 otherwise. */
static int digit_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return -1;
	if (c == '=')
		return -2;
	return -3;
}

static int fail(unsigned char **out, size_t *outlen, unsigned char *buf,
		struct err *e, size_t at)
{
	free(buf);
	*out = NULL;
	*outlen = 0;
	return err_set(e, ERR_PARSE, "invalid base64 at byte %zu", at);
}

int base64_decode(const char *in, size_t len, unsigned char **out,
		  size_t *outlen, struct err *e)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char *buf = xmalloc(len / 4 * 3 + 3 + 1);
	size_t n = 0, i, last = 0;
	uint32_t acc = 0;
	int quad = 0, pads = 0, v;

	for (i = 0; i < len; i++) {
		v = digit_value(s[i]);
		if (v == -1)
			continue;
		if (v == -3)
			return fail(out, outlen, buf, e, i);
		if (v == -2) {
			/* "=" may only fill the last one or two places */
			if (quad < 2 || quad + pads >= 4)
				return fail(out, outlen, buf, e, i);
			pads++;
			continue;
		}
		if (pads)
			return fail(out, outlen, buf, e, i);
		last = i;
		acc = (acc << 6) | (uint32_t)v;
		quad++;
		if (quad == 4) {
			buf[n++] = (unsigned char)(acc >> 16);
			buf[n++] = (unsigned char)(acc >> 8);
			buf[n++] = (unsigned char)acc;
			acc = 0;
			quad = 0;
		}
	}
	if (quad == 1)
		return fail(out, outlen, buf, e, last);
	if (pads && quad + pads != 4)
		return fail(out, outlen, buf, e, len);
	if (quad == 2) {
		buf[n++] = (unsigned char)(acc >> 4);
	} else if (quad == 3) {
		buf[n++] = (unsigned char)(acc >> 10);
		buf[n++] = (unsigned char)(acc >> 2);
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

char *base64_encode(const unsigned char *in, size_t len)
{
	char *out = xmalloc((len + 2) / 3 * 4 + 1);
	size_t i, n = 0;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[n++] = alphabet[(v >> 18) & 63];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
		out[n++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[n++] = alphabet[(v >> 18) & 63];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = '=';
		out[n++] = '=';
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[n++] = alphabet[(v >> 18) & 63];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = alphabet[(v >> 6) & 63];
		out[n++] = '=';
	}
	out[n] = '\0';
	return out;
}
