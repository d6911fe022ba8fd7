/* fuzz_arm.c - libFuzzer target for what Azure Resource Manager and
 * Resource Graph send: error bodies (a sentence of the status's class
 * without control characters), Resource Graph pages (rows moved, counts
 * sane, a repeated page token refused), the quota headers' durations and
 * deployment outputs. Not a test of requests or the import's polling.
 *
 * backend/arm_graph.c is compiled into this target (graph_page is
 * static); the linker then takes nothing from arm_graph.o of libjd.a.
 *
 * Input: byte 0 bits 0-1 the part (0 error body; 1 two Resource Graph
 * pages split at the first 0x00; 2 a quota header value; 3 deployment
 * outputs); the rest is the text. dictionary: json
 */
#include "fuzz.h"

#include "backend/arm_graph.c"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void error_body(const char *body, unsigned pick)
{
	static const long st[] = {400, 401, 403, 404, 409, 429, 500, 503};
	static const int want[] = {ERR_HTTP,	 ERR_AUTH,     ERR_DENIED,
				   ERR_NOTFOUND, ERR_CONFLICT, ERR_HTTP,
				   ERR_HTTP,	 ERR_HTTP};
	struct err e;
	char code[8];
	const char *p;

	pick %= 8;
	memset(&e, 0, sizeof(e));
	FZ_CHECK(arm_error_sentence(st[pick], body, &e) == -want[pick] &&
		     e.code == want[pick],
		 "an ARM error in the wrong class");
	FZ_CHECK(e.msg[0], "an ARM error without a sentence");
	for (p = e.msg; *p; p++)
		FZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7F,
			 "an ARM sentence with a control character");
	memset(code, 'X', sizeof(code));
	arm_error_code(body, code, sizeof(code));
	FZ_CHECK(memchr(code, '\0', sizeof(code)), "error code overran");
}

static int rows_in(const char *body)
{
	cJSON *doc = cJSON_Parse(body);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	int n = cJSON_IsArray(data) ? cJSON_GetArraySize(data) : -1;

	cJSON_Delete(doc);
	return n;
}

static void graph(const char *page1, const char *page2)
{
	struct arm_call c;
	int want = 0, n, rc;

	memset(&c, 0, sizeof(c));
	c.rows = cJSON_CreateArray();
	c.total = -1;
	n = rows_in(page1);
	rc = graph_page(&c, page1);
	FZ_CHECK((rc == 0) == (n >= 0), "a page with data rows refused, or "
					"one without taken");
	if (rc == 0) {
		want += n;
		n = rows_in(page2);
		rc = graph_page(&c, page2);
		if (rc == 0)
			want += n;
		else /* the call ends in error: its rows are dropped */
			FZ_CHECK(c.err.msg[0], "a refused page has no "
					       "sentence");
	}
	FZ_CHECK(rc < 0 || cJSON_GetArraySize(c.rows) == want,
		 "rows lost or added between pages");
	FZ_CHECK(c.total >= -1, "a negative total of records");
	FZ_CHECK(c.pages <= 2, "more pages than given");
	cJSON_Delete(c.rows);
	free(c.skip_token);
}

/* "hh:mm:ss" or "d.hh:mm:ss" computed apart: -1 when it is not one or
 * does not fit a long. */
static __int128 hms_apart(const char *s)
{
	__int128 part[4], v, cap = (__int128)1 << 100;
	int n = 0, minus;

	while (n < 4) {
		while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			s++;
		minus = *s == '-';
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return -1;
		v = 0;
		while (*s >= '0' && *s <= '9') {
			if (v < cap)
				v = v * 10 + (*s - '0');
			s++;
		}
		if (minus && v)
			return -1;
		part[n++] = v;
		if (!*s)
			break;
		if (n == 4 || (*s != ':' && *s != '.'))
			return -1;
		s++;
	}
	if (n == 3)
		v = part[0] * 3600 + part[1] * 60 + part[2];
	else if (n == 4 && !*s)
		v = part[0] * 86400 + part[1] * 3600 + part[2] * 60 + part[3];
	else
		return -1;
	return v > (__int128)LONG_MAX ? -1 : v;
}

static void quota_header(const char *s)
{
	long got = arm_parse_hms(s);
	__int128 want = hms_apart(s);

	FZ_CHECK(got >= -1, "a negative quota reset");
	FZ_CHECK((__int128)got == want, "a quota reset read wrongly");
	(void)arm_parse_long(s, -1);
}

static void outputs(const char *body)
{
	cJSON *doc = cJSON_Parse(body);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "properties"), "outputs");
	const char *v;

	v = arm_output_string(o, "aksClusterName");
	FZ_CHECK(!v || cJSON_IsObject(o), "an output from no outputs");
	v = arm_output_string(o, "containerRegistryName");
	(void)v;
	cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *second;
	const uint8_t *z;
	char buf[32];
	long long ms;

	if (size < 1)
		return 0;
	s = fz_cstr(data + 1, size - 1);
	switch (data[0] & 3) {
	case 0:
		error_body(s, data[0] >> 2);
		break;
	case 1:
		z = memchr(data + 1, 0, size - 1);
		second =
		    z ? fz_cstr(z + 1, size - 1 - (size_t)(z + 1 - (data + 1)))
		      : fz_cstr(data, 0);
		graph(s, second);
		free(second);
		break;
	case 2:
		quota_header(s);
		if (size >= 9) {
			memcpy(&ms, data + 1, sizeof(ms));
			arm_format_duration(ms, buf, sizeof(buf));
			FZ_CHECK(strlen(buf) < sizeof(buf) - 1,
				 "a duration text filled its buffer");
		}
		break;
	default:
		outputs(s);
		break;
	}
	free(s);
	return 0;
}
