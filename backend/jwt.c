/* jwt.c - decodes JWT claims (base64url JSON) for display and expiry.
 * Does not verify signatures: the receiving server does that. */
#include "jwt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xalloc.h"

static int b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int jwt_base64url_decode(const char *in, size_t len, unsigned char **out,
			 size_t *outlen, struct err *e)
{
	char *std;
	size_t i, n;
	int rc;

	*out = NULL;
	*outlen = 0;
	for (i = 0; i < len; i++) {
		if (!b64url_char((unsigned char)in[i]))
			return err_set(e, ERR_PARSE,
				       "invalid base64url at byte %zu", i);
	}
	if (len % 4 == 1)
		return err_set(e, ERR_PARSE,
			       "invalid base64url: truncated data");
	/* The standard alphabet with padding, for base64_decode(). */
	n = len + (4 - len % 4) % 4;
	std = xmalloc(n + 1);
	for (i = 0; i < len; i++) {
		if (in[i] == '-')
			std[i] = '+';
		else if (in[i] == '_')
			std[i] = '/';
		else
			std[i] = in[i];
	}
	for (; i < n; i++)
		std[i] = '=';
	std[n] = '\0';
	rc = base64_decode(std, n, out, outlen, e);
	free(std);
	return rc;
}

/* Decodes one part into a JSON object; what names it in errors. */
static int decode_part(const char *p, size_t len, const char *what,
		       cJSON **out, struct err *e)
{
	unsigned char *raw = NULL;
	size_t rlen = 0;
	cJSON *j;

	*out = NULL;
	if (len == 0)
		return err_set(e, ERR_PARSE, "not a JWT: empty %s", what);
	if (jwt_base64url_decode(p, len, &raw, &rlen, NULL) < 0)
		return err_set(e, ERR_PARSE,
			       "not a JWT: the %s is not base64url", what);
	j = cJSON_ParseWithLength((const char *)raw, rlen);
	free(raw);
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return err_set(e, ERR_PARSE,
			       "not a JWT: the %s is not a JSON object", what);
	}
	*out = j;
	return 0;
}

int jwt_decode_claims(const char *token, cJSON **claims, struct err *e)
{
	const char *d1, *d2;
	cJSON *hdr = NULL;
	int rc;

	*claims = NULL;
	if (!token || !*token)
		return err_set(e, ERR_PARSE, "not a JWT: empty token");
	d1 = strchr(token, '.');
	d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d1 || !d2 || strchr(d2 + 1, '.'))
		return err_set(e, ERR_PARSE,
			       "not a JWT: expected three parts separated "
			       "by dots");
	rc = decode_part(token, (size_t)(d1 - token), "header", &hdr, e);
	cJSON_Delete(hdr);
	if (rc < 0)
		return rc;
	return decode_part(d1 + 1, (size_t)(d2 - d1 - 1), "payload", claims,
			   e);
}

int jwt_claim_time(const cJSON *claims, const char *name, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);

	if (cJSON_IsNumber(v)) {
		/* Beyond what a time_t of any sane date needs. */
		if (v->valuedouble < 0 || v->valuedouble > 1e13)
			return -1;
		*out = (long long)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring[0]) {
		const char *s = v->valuestring;
		char *end;
		long long n;

		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		n = strtoll(s, &end, 10);
		/* the same bound as for a number */
		if (errno || *end || n > 10000000000000LL)
			return -1;
		*out = n;
		return 0;
	}
	return -1;
}

const char *jwt_claim_string(const cJSON *claims, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, name);

	if (cJSON_IsString(v) && v->valuestring[0])
		return v->valuestring;
	return NULL;
}

char *jwt_identity(const cJSON *claims)
{
	static const char *const people[] = {"upn", "unique_name",
					     "preferred_username"};
	const char *s;
	size_t i;

	for (i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		s = jwt_claim_string(claims, people[i]);
		if (s)
			return xstrdup(s);
	}
	s = jwt_claim_string(claims, "appid");
	if (!s)
		s = jwt_claim_string(claims, "azp");
	if (s)
		return xasprintf("app %s", s);
	return NULL;
}

void jwt_info_clear(struct jwt_info *info)
{
	free(info->identity);
	free(info->tenant);
	free(info->audience);
	free(info->object_id);
	memset(info, 0, sizeof(*info));
}

int jwt_info_from_token(const char *token, struct jwt_info *info,
			struct err *e)
{
	cJSON *c = NULL;
	const cJSON *aud;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = jwt_decode_claims(token, &c, e);
	if (rc < 0)
		return rc;
	info->identity = jwt_identity(c);
	info->tenant = xstrdup(jwt_claim_string(c, "tid"));
	info->object_id = xstrdup(jwt_claim_string(c, "oid"));
	aud = cJSON_GetObjectItemCaseSensitive(c, "aud");
	if (cJSON_IsArray(aud))
		aud = cJSON_GetArrayItem(aud, 0);
	if (cJSON_IsString(aud))
		info->audience = xstrdup(aud->valuestring);
	if (jwt_claim_time(c, "exp", &info->exp) < 0)
		info->exp = 0;
	if (jwt_claim_time(c, "nbf", &info->nbf) < 0)
		info->nbf = 0;
	if (jwt_claim_time(c, "iat", &info->iat) < 0)
		info->iat = 0;
	cJSON_Delete(c);
	return 0;
}
