/* test_jwt.c - unit tests for JWT claim decoding: base64url without
 * padding, malformed tokens, times and identities. No signatures here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/base64.h"
#include "backend/jwt.h"
#include "backend/xalloc.h"

/* base64url without padding, as JWTs are written. */
static char *b64url(const char *s)
{
	char *t = base64_encode((const unsigned char *)s, strlen(s));
	size_t i, n = strlen(t);

	while (n && t[n - 1] == '=')
		t[--n] = '\0';
	for (i = 0; i < n; i++) {
		if (t[i] == '+')
			t[i] = '-';
		else if (t[i] == '/')
			t[i] = '_';
	}
	return t;
}

static char *make_jwt(const char *header, const char *payload, const char *sig)
{
	char *h = b64url(header), *p = b64url(payload);
	char *tok = xasprintf("%s.%s.%s", h, p, sig);

	free(h);
	free(p);
	return tok;
}

static void test_claims_basic(void **state)
{
	char *tok = make_jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
			     "{\"upn\":\"ops@contoso.example\","
			     "\"tid\":\"t-1\",\"exp\":1795867200,"
			     "\"aud\":\"https://management.azure.com/\"}",
			     "c2ln");
	cJSON *c = NULL;
	struct err e = {0};
	long long exp = 0;

	(void)state;
	assert_int_equal(jwt_decode_claims(tok, &c, &e), 0);
	assert_non_null(c);
	assert_string_equal(jwt_claim_string(c, "upn"), "ops@contoso.example");
	assert_string_equal(jwt_claim_string(c, "tid"), "t-1");
	assert_null(jwt_claim_string(c, "oid"));
	assert_int_equal(jwt_claim_time(c, "exp", &exp), 0);
	assert_int_equal(exp, 1795867200LL);
	cJSON_Delete(c);
	free(tok);
}

/* Payload lengths 3k, 3k+1 and 3k+2 bytes: no padding in any. */
static void test_no_padding_lengths(void **state)
{
	static const char *const payloads[] = {
	    "{\"a\":\"xyz\"}",	/* 11 bytes */
	    "{\"a\":\"xyzw\"}", /* 12 */
	    "{\"a\":\"xyzwv\"}" /* 13 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char *tok = make_jwt("{\"alg\":\"none\"}", payloads[i], "");
		cJSON *c = NULL;
		struct err e = {0};

		assert_null(strchr(tok, '='));
		assert_int_equal(jwt_decode_claims(tok, &c, &e), 0);
		assert_non_null(jwt_claim_string(c, "a"));
		cJSON_Delete(c);
		free(tok);
	}
}

/* Bytes that encode to '-' and '_' in base64url. */
static void test_url_alphabet(void **state)
{
	/* "?>" and "??" make 0x3f bytes: '/' and '+' in standard base64. */
	const char *payload = "{\"n\":\"?\?>>>~~~?\?\"}";
	char *tok = make_jwt("{\"alg\":\"none\"}", payload, "");
	cJSON *c = NULL;
	struct err e = {0};
	unsigned char *raw = NULL;
	size_t len = 0;

	(void)state;
	assert_true(strchr(tok, '-') || strchr(tok, '_'));
	assert_int_equal(jwt_decode_claims(tok, &c, &e), 0);
	assert_string_equal(jwt_claim_string(c, "n"), "?\?>>>~~~?\?");
	cJSON_Delete(c);
	free(tok);

	assert_int_equal(jwt_base64url_decode("Pz8-Pg", 6, &raw, &len, &e), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(raw, "?\?>>", 4);
	free(raw);
	assert_int_equal(jwt_base64url_decode("", 0, &raw, &len, &e), 0);
	assert_int_equal(len, 0);
	free(raw);
	/* Standard-alphabet characters, padding and whitespace are not
	 * base64url. */
	assert_int_equal(jwt_base64url_decode("Pz8+Pg", 6, &raw, &len, &e),
			 -ERR_PARSE);
	assert_null(raw);
	assert_int_equal(jwt_base64url_decode("Pz8/Pg", 6, &raw, &len, &e),
			 -ERR_PARSE);
	assert_int_equal(jwt_base64url_decode("Pz8-Pg==", 8, &raw, &len, &e),
			 -ERR_PARSE);
	assert_int_equal(jwt_base64url_decode("Pz8 -Pg", 7, &raw, &len, &e),
			 -ERR_PARSE);
	/* One character left over cannot be a byte. */
	assert_int_equal(jwt_base64url_decode("Pz8-P", 5, &raw, &len, &e),
			 -ERR_PARSE);
}

static void expect_bad(const char *tok, const char *words)
{
	cJSON *c = (cJSON *)1;
	struct err e = {0};

	assert_int_equal(jwt_decode_claims(tok, &c, &e), -ERR_PARSE);
	assert_null(c);
	assert_int_equal(e.code, ERR_PARSE);
	assert_non_null(strstr(e.msg, "not a JWT"));
	if (words)
		assert_non_null(strstr(e.msg, words));
}

static void test_malformed(void **state)
{
	char *h = b64url("{\"alg\":\"none\"}");
	char *p = b64url("{\"upn\":\"u\"}");
	char *arr = b64url("[1,2]");
	char *txt = b64url("not json");
	char *tok;

	(void)state;
	expect_bad("", "empty");
	expect_bad(NULL, "empty");
	expect_bad("abc", "three parts");
	tok = xasprintf("%s.%s", h, p);
	expect_bad(tok, "three parts");
	free(tok);
	tok = xasprintf("%s.%s.sig.more", h, p);
	expect_bad(tok, "three parts");
	free(tok);
	tok = xasprintf(".%s.sig", p);
	expect_bad(tok, "header");
	free(tok);
	tok = xasprintf("%s..sig", h);
	expect_bad(tok, "payload");
	free(tok);
	tok = xasprintf("%s.%s.sig", h, arr);
	expect_bad(tok, "JSON object");
	free(tok);
	tok = xasprintf("%s.%s.sig", h, txt);
	expect_bad(tok, "JSON object");
	free(tok);
	tok = xasprintf("%s.%s+x.sig", h, p);
	expect_bad(tok, "base64url");
	free(tok);
	tok = xasprintf("%s.%s.sig", txt, p);
	expect_bad(tok, "header");
	free(tok);
	free(h);
	free(p);
	free(arr);
	free(txt);
}

/* Error sentences never quote the token. */
static void test_errors_hide_token(void **state)
{
	const char *tok = "eyJzZWNyZXQiOiJ4In0.c2VjcmV0LXBheWxvYWQ.c2ln";
	cJSON *c = NULL;
	struct err e = {0};

	(void)state;
	assert_int_equal(jwt_decode_claims(tok, &c, &e), -ERR_PARSE);
	assert_null(strstr(e.msg, "eyJ"));
	assert_null(strstr(e.msg, "c2Vj"));
}

static void test_times(void **state)
{
	cJSON *c = cJSON_Parse("{\"exp\":1795867200.7,\"nbf\":\"1795860000\","
			       "\"iat\":-5,\"bad\":\"12x\",\"neg\":\"-1\","
			       "\"obj\":{},\"huge\":1e300}");
	long long t = 0;

	(void)state;
	assert_int_equal(jwt_claim_time(c, "exp", &t), 0);
	assert_int_equal(t, 1795867200LL);
	assert_int_equal(jwt_claim_time(c, "nbf", &t), 0);
	assert_int_equal(t, 1795860000LL);
	assert_int_equal(jwt_claim_time(c, "iat", &t), -1);
	assert_int_equal(jwt_claim_time(c, "bad", &t), -1);
	assert_int_equal(jwt_claim_time(c, "neg", &t), -1);
	assert_int_equal(jwt_claim_time(c, "obj", &t), -1);
	assert_int_equal(jwt_claim_time(c, "huge", &t), -1);
	assert_int_equal(jwt_claim_time(c, "absent", &t), -1);
	cJSON_Delete(c);
}

static void expect_identity(const char *claims, const char *want)
{
	cJSON *c = cJSON_Parse(claims);
	char *id;

	assert_non_null(c);
	id = jwt_identity(c);
	if (want) {
		assert_non_null(id);
		assert_string_equal(id, want);
	} else {
		assert_null(id);
	}
	free(id);
	cJSON_Delete(c);
}

static void test_identity(void **state)
{
	(void)state;
	expect_identity("{\"upn\":\"a@x\",\"unique_name\":\"b@x\","
			"\"preferred_username\":\"c@x\",\"appid\":\"d\"}",
			"a@x");
	expect_identity("{\"unique_name\":\"b@x\","
			"\"preferred_username\":\"c@x\",\"appid\":\"d\"}",
			"b@x");
	expect_identity("{\"preferred_username\":\"c@x\",\"appid\":\"d\"}",
			"c@x");
	expect_identity("{\"upn\":\"\",\"appid\":\"d-1\"}", "app d-1");
	expect_identity("{\"azp\":\"e-2\"}", "app e-2");
	expect_identity("{\"upn\":5,\"sub\":\"s\"}", NULL);
}

static void test_info(void **state)
{
	char *tok = make_jwt("{\"alg\":\"none\"}",
			     "{\"appid\":\"1f2e\",\"tid\":\"t\",\"oid\":\"o\","
			     "\"aud\":[\"first\",\"second\"],\"exp\":200,"
			     "\"nbf\":100,\"iat\":100}",
			     "");
	struct jwt_info info;
	struct err e = {0};

	(void)state;
	assert_int_equal(jwt_info_from_token(tok, &info, &e), 0);
	assert_string_equal(info.identity, "app 1f2e");
	assert_string_equal(info.tenant, "t");
	assert_string_equal(info.object_id, "o");
	assert_string_equal(info.audience, "first");
	assert_int_equal(info.exp, 200);
	assert_int_equal(info.nbf, 100);
	assert_int_equal(info.iat, 100);
	jwt_info_clear(&info);
	assert_null(info.identity);
	free(tok);

	tok = make_jwt("{\"alg\":\"none\"}", "{}", "");
	assert_int_equal(jwt_info_from_token(tok, &info, &e), 0);
	assert_null(info.identity);
	assert_null(info.tenant);
	assert_int_equal(info.exp, 0);
	jwt_info_clear(&info);
	free(tok);

	assert_int_equal(jwt_info_from_token("x.y", &info, &e), -ERR_PARSE);
	assert_null(info.identity);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claims_basic),
	    cmocka_unit_test(test_no_padding_lengths),
	    cmocka_unit_test(test_url_alphabet),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_errors_hide_token),
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_identity),
	    cmocka_unit_test(test_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
