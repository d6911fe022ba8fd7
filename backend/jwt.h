/* jwt.h - reads the claims of a JSON Web Token for display and expiry.
 * NOT a verifier: no signature, issuer or audience check is made here. */
#ifndef JD_JWT_H
#define JD_JWT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/*
 * Everything here trusts nothing and proves nothing. A token's claims are
 * decoded only to show who is signed in and to know when the token runs
 * out; the server that receives the token is the one that checks its
 * signature. Never make an authorisation decision from these claims.
 *
 * Error sentences never contain the token or any part of it.
 */

/* Common claims, copied out of the payload. Strings are owned by the
 * struct (free with jwt_info_clear()); absent claims are NULL or 0. */
struct jwt_info {
	char *identity;	 /* upn, unique_name, preferred_username, else
			  * "app <appid|azp>"; NULL when none of them */
	char *tenant;	 /* tid */
	char *audience;	 /* aud (the first one when it is a list) */
	char *object_id; /* oid */
	long long exp;	 /* seconds since the epoch, 0 when absent */
	long long nbf;
	long long iat;
};

/* Decodes the payload (the second dot-separated part, base64url without
 * padding) of token into a JSON object. The header must be base64url
 * JSON too; the signature part must be present (it may be empty, as for
 * "alg":"none") and is not looked at. On success *claims is a new cJSON
 * object the caller deletes with cJSON_Delete(). Fails with ERR_PARSE:
 * "not a JWT: ...". */
int jwt_decode_claims(const char *token, cJSON **claims, struct err *e);

/* Decodes token and fills *info (cleared first). */
int jwt_info_from_token(const char *token, struct jwt_info *info,
			struct err *e);
void jwt_info_clear(struct jwt_info *info);

/* A NumericDate claim ("exp", "nbf", "iat") as whole seconds. Accepts a
 * JSON number (a fraction is cut) or a string of digits. Returns 0 and
 * sets *out, or -1 when absent or not a date. */
int jwt_claim_time(const cJSON *claims, const char *name, long long *out);

/* A string claim, borrowed from claims; NULL when absent or not a
 * string. */
const char *jwt_claim_string(const cJSON *claims, const char *name);

/* Who the claims name, as jwt_info.identity describes. Returns a new
 * string (caller frees) or NULL. */
char *jwt_identity(const cJSON *claims);

/* Decodes base64url text (RFC 4648 section 5) of len bytes; "=" padding
 * is not allowed (JWTs have none), nor whitespace. On success *out is a
 * new NUL-terminated buffer of *outlen bytes (the NUL not counted). */
int jwt_base64url_decode(const char *in, size_t len, unsigned char **out,
			 size_t *outlen, struct err *e);

#endif
