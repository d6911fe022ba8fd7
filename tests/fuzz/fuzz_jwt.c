/* fuzz_jwt.c - libFuzzer target for JWT claims and both base64 decoders:
 * times stay in a usable range, error sentences quote no part of the
 * token, and base64 text decodes to what encodes back to it. Not a
 * signature check (jwt.c makes none).
 *
 * Input: the token text (also tried as base64 and base64url).
 */
#include "fuzz.h"

#include "backend/base64.h"
#include "backend/jwt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

/* The sentence may name the part ("payload") but quote none of it: no
 * 12 characters of a part that looks like base64url. */
static void check_no_part(const char *msg, const char *tok)
{
	const char *p = tok, *dot;
	char part[64];
	size_t n;

	while (*p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= 12 &&
		    strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
			      "klmnopqrstuvwxyz0123456789-_") >= 12) {
			memcpy(part, p, n < 12 ? n : 12);
			part[12] = '\0';
			FZ_CHECK(!strstr(msg, part), "an error sentence "
						     "quotes the token");
		}
		if (!dot)
			break;
		p = dot + 1;
	}
}

static void check_base64(const char *s, size_t n)
{
	unsigned char *out = NULL, *back = NULL;
	size_t outlen = 7, backlen = 0;
	struct err e;
	char *enc;

	if (base64_decode(s, n, &out, &outlen, &e) < 0) {
		FZ_CHECK(!out && outlen == 0, "a failed decode returned data");
		FZ_CHECK(e.msg[0], "a failed decode has no sentence");
		return;
	}
	FZ_CHECK(outlen <= n, "base64 decoded to more bytes than it read");
	FZ_CHECK(out[outlen] == '\0', "decoded data has no NUL after it");
	enc = base64_encode(out, outlen);
	FZ_CHECK(base64_decode(enc, strlen(enc), &back, &backlen, &e) == 0,
		 "base64_encode wrote text base64_decode refuses");
	FZ_CHECK(backlen == outlen && memcmp(back, out, outlen) == 0,
		 "base64 does not survive encoding and decoding");
	free(back);
	free(enc);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tok = fz_cstr(data, size);
	struct jwt_info info;
	struct err e;
	unsigned char *raw = NULL;
	size_t rawlen = 0;

	memset(&e, 0, sizeof(e));
	if (jwt_info_from_token(tok, &info, &e) == 0) {
		FZ_CHECK(info.exp >= 0 && info.exp <= 10000000000000LL &&
			     info.nbf >= 0 && info.nbf <= 10000000000000LL &&
			     info.iat >= 0 && info.iat <= 10000000000000LL,
			 "a NumericDate claim outside 0..1e13 seconds was "
			 "taken (callers add it to the clock)");
		jwt_info_clear(&info);
	} else {
		FZ_CHECK(e.code == ERR_PARSE && e.msg[0],
			 "a refused token has no sentence");
		check_no_part(e.msg, tok);
	}
	if (jwt_base64url_decode(tok, strlen(tok), &raw, &rawlen, &e) == 0) {
		FZ_CHECK(rawlen == strlen(tok) * 3 / 4,
			 "base64url decoded to a wrong length");
		free(raw);
	} else {
		FZ_CHECK(!raw, "a failed base64url decode returned data");
	}
	check_base64(tok, strlen(tok));
	free(tok);
	return 0;
}
