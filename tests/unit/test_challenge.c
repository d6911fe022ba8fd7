/* test_challenge.c - unit tests of the WWW-Authenticate and Link header
 * parsers on hand-written header values. No network here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/challenge.h"

static void parse_ok(const char *h, struct challenge *c)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(challenge_parse(h, c, &e), 0);
	assert_non_null(c->scheme);
}

static void test_acr_challenge(void **state)
{
	struct challenge c;

	(void)state;
	parse_ok("Bearer realm=\"https://acrx.azurecr.io/oauth2/token\","
		 "service=\"acrx.azurecr.io\",scope=\"registry:catalog:*\"",
		 &c);
	assert_true(challenge_is(&c, "bearer"));
	assert_string_equal(c.scheme, "Bearer");
	assert_int_equal(c.nparams, 3);
	assert_string_equal(challenge_get(&c, "realm"),
			    "https://acrx.azurecr.io/oauth2/token");
	assert_string_equal(challenge_get(&c, "service"), "acrx.azurecr.io");
	assert_string_equal(challenge_get(&c, "scope"), "registry:catalog:*");
	assert_null(challenge_get(&c, "error"));
	assert_null(c.token68);
	challenge_clear(&c);
	assert_null(c.scheme);
	assert_int_equal(c.nparams, 0);
}

static void test_odd_spacing(void **state)
{
	struct challenge c;

	(void)state;
	parse_ok("  bearer   Realm = \"https://r/t\" ,  service=\"s\"  ,"
		 "scope =\"repository:a:pull\"   ",
		 &c);
	assert_true(challenge_is(&c, "Bearer"));
	assert_string_equal(challenge_get(&c, "realm"), "https://r/t");
	assert_string_equal(challenge_get(&c, "REALM"), "https://r/t");
	assert_string_equal(c.params[0].key, "realm");
	assert_string_equal(challenge_get(&c, "service"), "s");
	assert_string_equal(challenge_get(&c, "scope"), "repository:a:pull");
	challenge_clear(&c);

	/* Tabs, doubled commas, a trailing comma. */
	parse_ok("Bearer\trealm=\"x\",,\tservice=\"y\",", &c);
	assert_int_equal(c.nparams, 2);
	assert_string_equal(challenge_get(&c, "service"), "y");
	challenge_clear(&c);
}

static void test_commas_in_quotes(void **state)
{
	struct challenge c;

	(void)state;
	parse_ok("Bearer realm=\"https://r/oauth2/token\",service=\"r\","
		 "scope=\"repository:a:pull,push\","
		 "error=\"insufficient_scope\"",
		 &c);
	assert_string_equal(challenge_get(&c, "scope"),
			    "repository:a:pull,push");
	assert_string_equal(challenge_get(&c, "error"), "insufficient_scope");
	challenge_clear(&c);

	/* Several scopes, space-separated, commas everywhere. */
	parse_ok("Bearer scope=\"repository:a/b:pull,push "
		 "repository:c:pull\",realm=\"https://r/t?x=1,2\"",
		 &c);
	assert_string_equal(challenge_get(&c, "scope"),
			    "repository:a/b:pull,push repository:c:pull");
	assert_string_equal(challenge_get(&c, "realm"), "https://r/t?x=1,2");
	challenge_clear(&c);
}

static void test_escaped_quotes(void **state)
{
	struct challenge c;

	(void)state;
	parse_ok("Bearer realm=\"https://r/t\",error=\"invalid_token\","
		 "error_description=\"the \\\"token\\\" is \\\\ bad, really\"",
		 &c);
	assert_string_equal(challenge_get(&c, "error_description"),
			    "the \"token\" is \\ bad, really");
	challenge_clear(&c);
}

static void test_unquoted_and_missing(void **state)
{
	struct challenge c;

	(void)state;
	/* Unquoted values (tokens) and no scope at all. */
	parse_ok("Bearer realm=https://r/t,service=r.example", &c);
	assert_string_equal(challenge_get(&c, "realm"), "https://r/t");
	assert_string_equal(challenge_get(&c, "service"), "r.example");
	assert_null(challenge_get(&c, "scope"));
	challenge_clear(&c);

	/* Only a scheme. */
	parse_ok("Bearer", &c);
	assert_int_equal(c.nparams, 0);
	assert_null(challenge_get(&c, "realm"));
	challenge_clear(&c);

	/* An empty value is a value. */
	parse_ok("Bearer realm=\"\",service=\"s\"", &c);
	assert_string_equal(challenge_get(&c, "realm"), "");
	challenge_clear(&c);
}

static void test_basic(void **state)
{
	struct challenge c;

	(void)state;
	parse_ok("Basic realm=\"Registry Realm\"", &c);
	assert_true(challenge_is(&c, "basic"));
	assert_string_equal(challenge_get(&c, "realm"), "Registry Realm");
	challenge_clear(&c);

	parse_ok("Basic realm=\"x\", charset=\"UTF-8\"", &c);
	assert_string_equal(challenge_get(&c, "charset"), "UTF-8");
	challenge_clear(&c);

	/* token68 form (as in an Authorization header). */
	parse_ok("Basic dXNlcjpwYXNz==", &c);
	assert_string_equal(c.token68, "dXNlcjpwYXNz==");
	assert_int_equal(c.nparams, 0);
	challenge_clear(&c);
}

static void test_several_challenges(void **state)
{
	struct challenge c;
	struct err e;
	const char *h = "Basic realm=\"basic, realm\", Bearer "
			"realm=\"https://r/t\",service=\"s\", Negotiate";

	(void)state;
	/* The first one alone. */
	parse_ok(h, &c);
	assert_true(challenge_is(&c, "Basic"));
	assert_int_equal(c.nparams, 1);
	assert_string_equal(challenge_get(&c, "realm"), "basic, realm");
	challenge_clear(&c);

	err_clear(&e);
	assert_int_equal(challenge_parse_scheme(h, "bearer", &c, &e), 0);
	assert_true(challenge_is(&c, "Bearer"));
	assert_string_equal(challenge_get(&c, "realm"), "https://r/t");
	assert_string_equal(challenge_get(&c, "service"), "s");
	assert_int_equal(c.nparams, 2);
	challenge_clear(&c);

	assert_int_equal(challenge_parse_scheme(h, "Negotiate", &c, &e), 0);
	assert_int_equal(c.nparams, 0);
	challenge_clear(&c);

	assert_int_equal(challenge_parse_scheme(h, "Digest", &c, &e),
			 -ERR_NOTFOUND);
	assert_null(c.scheme);
}

static void test_malformed(void **state)
{
	struct challenge c;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(challenge_parse("", &c, &e), -ERR_PARSE);
	assert_null(c.scheme);
	assert_int_equal(challenge_parse(NULL, &c, &e), -ERR_PARSE);
	err_clear(&e);
	assert_int_equal(challenge_parse("Bearer realm=\"never ends", &c, &e),
			 -ERR_PARSE);
	assert_non_null(strstr(e.msg, "unterminated"));
	assert_null(c.scheme);
	assert_int_equal(challenge_parse("Bearer realm=\"a\" junk=\"b\"", &c,
					 &e),
			 -ERR_PARSE);
	assert_int_equal(challenge_parse("Bearer =\"a\"", &c, &e),
			 -ERR_PARSE);
	assert_int_equal(challenge_parse("\"Bearer\"", &c, &e), -ERR_PARSE);
}

static void test_link_next(void **state)
{
	char *url = NULL;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(link_next("</v2/_catalog?last=x&n=2&orderby=>; "
				   "rel=\"next\"",
				   &url, &e),
			 1);
	assert_string_equal(url, "/v2/_catalog?last=x&n=2&orderby=");
	free(url);

	/* Distribution's form, encoded names. */
	assert_int_equal(link_next("</v2/a/tags/list?last=v1&n=2>; "
				   "rel=\"next\"",
				   &url, &e),
			 1);
	assert_string_equal(url, "/v2/a/tags/list?last=v1&n=2");
	free(url);

	/* Unquoted rel, odd spacing, other params. */
	assert_int_equal(link_next("  <https://r/v2/_catalog?last=a%2Fb>;"
				   "type=\"x\" ;rel=next",
				   &url, &e),
			 1);
	assert_string_equal(url, "https://r/v2/_catalog?last=a%2Fb");
	free(url);

	/* Several links; only the next one counts; rel lists. */
	assert_int_equal(link_next("</p1>; rel=\"prev\", </p3?a=1,2>; "
				   "rel=\"last next\"",
				   &url, &e),
			 1);
	assert_string_equal(url, "/p3?a=1,2");
	free(url);
	assert_int_equal(link_next("</p1>; rel=\"NEXT\"", &url, &e), 1);
	assert_string_equal(url, "/p1");
	free(url);
}

static void test_link_without_next(void **state)
{
	char dummy[] = "x";
	char *url = dummy;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(link_next(NULL, &url, &e), 0);
	assert_null(url);
	assert_int_equal(link_next("", &url, &e), 0);
	assert_int_equal(link_next("</v2/_catalog?last=x>; rel=\"prev\"",
				   &url, &e),
			 0);
	assert_null(url);
	assert_int_equal(link_next("</a>; rel=\"nextish\", </b>; "
				   "title=\"next\"",
				   &url, &e),
			 0);
	assert_int_equal(link_next("</a>", &url, &e), 0);
	/* Malformed. */
	assert_int_equal(link_next("/v2/_catalog; rel=\"next\"", &url, &e),
			 -ERR_PARSE);
	assert_null(url);
	assert_int_equal(link_next("</v2/_catalog; rel=\"next\"", &url, &e),
			 -ERR_PARSE);
	assert_int_equal(link_next("</a>; rel=\"next", &url, &e),
			 -ERR_PARSE);
	assert_null(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_acr_challenge),
	    cmocka_unit_test(test_odd_spacing),
	    cmocka_unit_test(test_commas_in_quotes),
	    cmocka_unit_test(test_escaped_quotes),
	    cmocka_unit_test(test_unquoted_and_missing),
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_several_challenges),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_link_next),
	    cmocka_unit_test(test_link_without_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
