/* challenge.h - parses HTTP authentication challenges (WWW-Authenticate)
 * and Link headers as registries send them. Pure text; no network here. */
#ifndef JD_CHALLENGE_H
#define JD_CHALLENGE_H

#include <stddef.h>

#include "err.h"

struct challenge_param {
	char *key;   /* lower-cased */
	char *value; /* unquoted, escapes resolved */
};

/* One challenge: `Bearer realm="…",service="…",scope="a:b:pull,push"`.
 * Everything is owned by the struct; challenge_clear() frees it. */
struct challenge {
	char *scheme; /* as written ("Bearer", "Basic"); NULL when cleared */
	struct challenge_param *params;
	size_t nparams;
	char *token68; /* a bare token after the scheme (rare), or NULL */
};

/* Parses the first challenge of a WWW-Authenticate value: a scheme, then
 * comma-separated key=value pairs whose values may be tokens or quoted
 * strings (commas allowed inside quotes, backslash escapes). Stops at a
 * second challenge (`…, Basic realm="x"`). Spacing around "=" and ","
 * is free. On failure c is empty and e says why (ERR_PARSE). */
int challenge_parse(const char *header, struct challenge *c, struct err *e);

/* Like challenge_parse, but picks the first challenge with this scheme
 * (case-insensitive) among several; ERR_NOTFOUND when there is none. */
int challenge_parse_scheme(const char *header, const char *scheme,
			   struct challenge *c, struct err *e);

/* The value of a parameter (case-insensitive key) or NULL. Valid until
 * challenge_clear(). */
const char *challenge_get(const struct challenge *c, const char *key);

/* Scheme test, case-insensitive ("bearer" == "Bearer"). */
int challenge_is(const struct challenge *c, const char *scheme);

void challenge_clear(struct challenge *c);

/* The target of the rel="next" link of a Link header value such as
 * `</v2/_catalog?last=x&n=2&orderby=>; rel="next"` (several links may be
 * comma-separated; rel may list several relations). Returns 1 and a new
 * string in *url (the caller frees; the URL is as written, often
 * relative), 0 when there is no next link, or a negative error with e
 * set (malformed header). */
int link_next(const char *header, char **url, struct err *e);

#endif
