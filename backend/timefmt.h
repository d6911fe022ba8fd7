/* timefmt.h - RFC 3339 timestamps in and out, and kubectl-style ages.
 * Not a calendar library: UTC only, no local time, no time zones by name. */
#ifndef JD_TIMEFMT_H
#define JD_TIMEFMT_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* Buffer sizes that always fit the formatted text, with the NUL. */
#define TIMEFMT_RFC3339_LEN	 32 /* "2026-11-28T12:00:00Z" */
#define TIMEFMT_RFC3339_NANO_LEN 40 /* "2026-11-28T12:00:00.123456789Z" */
#define TIMEFMT_AGE_LEN		 24 /* "2y100d", "<invalid>", "<unknown>" */

/* Parse an RFC 3339 date-time: "2026-11-28T12:00:00Z",
 * "2026-11-28T12:00:00.5Z", "2026-11-28T14:00:00+02:00". 'T' and 'Z' may
 * be lower case; a fraction may have any number of digits (the first nine
 * are kept). *out gets seconds since the epoch (UTC); *nsec_out (may be
 * NULL) the fraction in nanoseconds. Returns 0, or -ERR_PARSE with e filled
 * ("not an RFC 3339 time: ..."). */
int timefmt_parse_rfc3339(const char *s, time_t *out, long *nsec_out,
			  struct err *e);

/* kubectl's HumanDuration for a duration in seconds: "5s", "9m30s", "20m",
 * "3h4m", "20h", "2d3h", "45d", "2y100d", "9y". Below -1 s it gives
 * "<invalid>", at -1 s "0s" (clock skew). Writes into buf, returns buf. */
const char *timefmt_duration(long long seconds, char *buf, size_t sz);

/* The AGE column: the duration from `since` to `now`, or "<unknown>" when
 * since is 0 (no timestamp). Writes into buf, returns buf. */
const char *timefmt_age(time_t since, time_t now, char *buf, size_t sz);

/* "2026-11-28T12:00:00Z" for t (UTC). Returns buf. */
const char *timefmt_rfc3339(time_t t, char *buf, size_t sz);

/* "2026-11-28T12:00:00.123Z": milliseconds, always three digits. */
const char *timefmt_rfc3339_millis(const struct timespec *ts, char *buf,
				   size_t sz);

/* "2026-11-28T12:00:00.123456789Z": RFC3339Nano as Go's time package writes
 * it, trailing zeros of the fraction removed (no fraction when zero). */
const char *timefmt_rfc3339_nano(const struct timespec *ts, char *buf,
				 size_t sz);

/* A Go-style duration ("90s", "5m", "1h30m", "1m0s", "500ms") in
 * milliseconds. Returns 0, or -ERR_PARSE with e filled. */
int timefmt_parse_duration(const char *s, long long *ms, struct err *e);

/* The same for the current time (CLOCK_REALTIME). */
const char *timefmt_now_rfc3339_nano(char *buf, size_t sz);

#endif
