/* fuzz_azure.c - libFuzzer target for what Entra ID, IMDS and the Azure
 * CLI answer: expiry numbers (never past what the clock can be added to),
 * error answers (a terminal-safe code and sentence of bounded size) and
 * az's local expiresOn time. Not a test of the sign-in chain.
 *
 * backend/azure_src_cli.c is compiled into this target (parse_local_time
 * is static); the linker then takes nothing from azure_src_cli.o.
 *
 * Input: byte 0 bits 0-1 the part (0 a token answer; 1 an error answer;
 * 2 az's expiresOn text); the rest is the text. dictionary: json
 */
#include "fuzz.h"

#include "backend/azure_src_cli.c"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void token_answer(const char *body)
{
	static const char *const keys[] = {"expires_in", "expires_on",
					   "ext_expires_in", "interval"};
	cJSON *j = cJSON_Parse(body);
	long long secs;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		secs = -1;
		if (json_seconds(cJSON_GetObjectItemCaseSensitive(j, keys[i]),
				 &secs) == 0)
			FZ_CHECK(secs >= 0 && secs < 10000000000000LL,
				 "an expiry outside 0..1e13 s was taken "
				 "(it is added to the clock)");
	}
	(void)json_str(j, "access_token");
	cJSON_Delete(j);
}

static void error_answer(const char *body, size_t len)
{
	struct http_response r;
	char code[64], msg[400];

	memset(&r, 0, sizeof(r));
	r.status = 400;
	r.body = body;
	r.body_len = len;
	memset(code, 'X', sizeof(code));
	memset(msg, 'X', sizeof(msg));
	az_entra_error(&r, code, sizeof(code), msg, sizeof(msg));
	FZ_CHECK(memchr(code, '\0', sizeof(code)) &&
		     memchr(msg, '\0', sizeof(msg)),
		 "an Entra error overran");
	FZ_SAFE_STR(code, "an Entra error code is not terminal-safe");
	FZ_SAFE_STR(msg, "an Entra sentence is not terminal-safe");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	time_t t;

	if (size < 1)
		return 0;
	s = fz_cstr(data + 1, size - 1);
	switch (data[0] & 3) {
	case 0:
		token_answer(s);
		break;
	case 1:
		error_answer(s, strlen(s));
		break;
	default:
		if (parse_local_time(s, &t) == 0)
			FZ_CHECK(t != (time_t)-1, "an invalid time taken");
		break;
	}
	free(s);
	return 0;
}
