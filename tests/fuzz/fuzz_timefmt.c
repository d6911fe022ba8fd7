/* fuzz_timefmt.c - libFuzzer target for RFC 3339 times and Go durations as
 * servers and users write them: a parsed time prints back to the same
 * instant, a parsed duration is the exact sum of its parts or refused, and
 * every formatted text fits its documented buffer. Not a calendar check.
 *
 * Input: the text, tried both as a time and as a duration; its first 8
 * bytes also make a number of seconds for the age formatter.
 */
#include "fuzz.h"

#include <time.h>

#include "backend/timefmt.h"

#ifdef TIMEFMT_DURATION_MAX_MS
#define DURATION_MAX TIMEFMT_DURATION_MAX_MS
#else
#define DURATION_MAX 0x7FFFFFFFFFFFFFFFLL
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

/* The value of a duration computed apart, wide enough never to overflow:
 * -1 when the text is not one, -2 when it is past DURATION_MAX ms. */
static __int128 duration_apart(const char *s)
{
	__int128 total = 0, n;
	const __int128 cap = (__int128)1 << 100;
	int digits, minus;

	if (!*s)
		return -1;
	if (strcmp(s, "0") == 0)
		return 0;
	while (*s) {
		/* strtoll's own leniency: leading space and a '+' */
		while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			s++;
		minus = *s == '-';
		if (*s == '+' || *s == '-')
			s++;
		n = 0;
		digits = 0;
		while (*s >= '0' && *s <= '9') {
			if (n < cap)
				n = n * 10 + (*s - '0');
			s++;
			digits++;
		}
		if (!digits || (minus && n != 0))
			return -1;
		if (strncmp(s, "ms", 2) == 0) {
			s += 2;
		} else if (*s == 's') {
			n *= 1000;
			s++;
		} else if (*s == 'm') {
			n *= 60000;
			s++;
		} else if (*s == 'h') {
			n *= 3600000;
			s++;
		} else {
			return -1;
		}
		if (total < cap)
			total += n;
	}
	return total > (__int128)DURATION_MAX ? -2 : total;
}

static void check_time(const char *s)
{
	time_t t, t2;
	long nsec = -1, nsec2 = -1;
	struct err e;
	char buf[TIMEFMT_RFC3339_NANO_LEN], age[TIMEFMT_AGE_LEN];
	struct timespec ts;

	if (timefmt_parse_rfc3339(s, &t, &nsec, &e) < 0) {
		FZ_CHECK(e.code && e.msg[0], "a refused time has no sentence");
		return;
	}
	FZ_CHECK(nsec >= 0 && nsec <= 999999999, "fraction out of range");
	/* Years 0000-9999 only, shifted by at most a day of offset. */
	FZ_CHECK(t >= -62167219200LL - 86400 && t <= 253402300799LL + 86400,
		 "a parsed time lies outside years 0000-9999");
	ts.tv_sec = t;
	ts.tv_nsec = nsec;
	timefmt_rfc3339_nano(&ts, buf, sizeof(buf));
	FZ_CHECK(strlen(buf) < sizeof(buf), "RFC3339Nano text too long");
	if (t >= -62167219200LL && t <= 253402300799LL) {
		FZ_CHECK(timefmt_parse_rfc3339(buf, &t2, &nsec2, &e) == 0,
			 "a time printed by timefmt does not parse back");
		FZ_CHECK(t2 == t && nsec2 == nsec,
			 "a time does not survive printing and parsing");
	}
	timefmt_age(t, time(NULL), age, sizeof(age));
	FZ_CHECK(age[0] && strlen(age) < sizeof(age), "age text empty");
}

static void check_duration(const char *s)
{
	long long ms = -7;
	struct err e;
	__int128 want = duration_apart(s);
	int rc = timefmt_parse_duration(s, &ms, &e);

	if (rc == 0) {
		FZ_CHECK(want >= 0, "a duration that is no duration, or one "
				    "past the longest one, was taken");
		FZ_CHECK((__int128)ms == want, "a duration's value is not "
					       "the sum of its parts");
	} else {
		FZ_CHECK(e.code && e.msg[0], "a refused duration has no "
					     "sentence");
		FZ_CHECK(want < 0, "a valid duration was refused");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_cstr(data, size);
	char buf[TIMEFMT_AGE_LEN];
	long long secs = 0;

	check_time(s);
	check_duration(s);
	if (size >= 8) {
		memcpy(&secs, data, sizeof(secs));
		timefmt_duration(secs, buf, sizeof(buf));
		FZ_CHECK(buf[0] && strlen(buf) < sizeof(buf) - 1,
			 "a duration's text filled its whole buffer");
	}
	free(s);
	return 0;
}
