/* fuzz_challenge.c - libFuzzer target for WWW-Authenticate and Link
 * headers: a challenge that parses has a scheme, lower-case keys and no
 * more parameters than the header has bytes; a failure leaves nothing
 * behind; a next link is a substring-sized string. Not an HTTP client.
 *
 * Input: the header value.
 */
#include "fuzz.h"

#include "backend/challenge.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void check_challenge(const struct challenge *c, int rc,
			    const struct err *e, size_t len)
{
	size_t i;
	const char *k;

	if (rc < 0) {
		FZ_CHECK(!c->scheme && !c->params && c->nparams == 0 &&
			     !c->token68,
			 "a failed parse left data behind");
		FZ_CHECK(e->msg[0], "a failed parse has no sentence");
		return;
	}
	FZ_CHECK(c->scheme && c->scheme[0], "a challenge without a scheme");
	FZ_CHECK(strlen(c->scheme) <= len, "a scheme longer than the header");
	FZ_CHECK(c->nparams <= len / 2, "more parameters than the header "
					"could hold");
	for (i = 0; i < c->nparams; i++) {
		FZ_CHECK(c->params[i].key && c->params[i].value,
			 "a parameter without key or value");
		for (k = c->params[i].key; *k; k++)
			FZ_CHECK(!(*k >= 'A' && *k <= 'Z'),
				 "a parameter key is not lower case");
		FZ_CHECK(strlen(c->params[i].value) <= len,
			 "a value longer than the header");
		FZ_CHECK(challenge_get(c, c->params[i].key) != NULL,
			 "challenge_get misses a parsed key");
	}
	FZ_CHECK(challenge_is(c, c->scheme), "a challenge is not its scheme");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fz_cstr(data, size);
	size_t len = strlen(h);
	struct challenge c;
	struct err e;
	char *url = NULL;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = challenge_parse(h, &c, &e);
	check_challenge(&c, rc, &e, len);
	challenge_clear(&c);
	FZ_CHECK(!c.scheme && !c.params, "challenge_clear left data");

	memset(&e, 0, sizeof(e));
	rc = challenge_parse_scheme(h, "Bearer", &c, &e);
	check_challenge(&c, rc, &e, len);
	if (rc == 0)
		FZ_CHECK(challenge_is(&c, "bearer"), "asked for Bearer, got "
						     "another scheme");
	challenge_clear(&c);

	memset(&e, 0, sizeof(e));
	rc = link_next(h, &url, &e);
	if (rc == 1) {
		FZ_CHECK(url && strlen(url) <= len, "a next link longer than "
						    "the header");
		free(url);
	} else {
		FZ_CHECK(!url || rc == 0,
			 "a failed Link parse returned a URL");
		if (rc < 0)
			FZ_CHECK(e.msg[0],
				 "a bad Link header has no sentence");
		free(url);
	}
	free(h);
	return 0;
}
