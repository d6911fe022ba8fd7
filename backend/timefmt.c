/* timefmt.c - RFC 3339 parsing and formatting, kubectl's human durations.
 * Not aware of local time or leap-second tables; everything is UTC. */
#include "timefmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read exactly n decimal digits at *p into *out and advance *p. */
static int take_digits(const char **p, int n, int *out)
{
	int v = 0;
	int i;

	for (i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int take_char(const char **p, char want)
{
	char c = **p;

	if (want >= 'A' && want <= 'Z' && c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c != want)
		return -1;
	(*p)++;
	return 0;
}

static int is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Parse ".ddd" at *p (optional); nanoseconds into *nsec. */
static int take_fraction(const char **p, long *nsec)
{
	long v = 0;
	int digits = 0;

	*nsec = 0;
	if (**p != '.' && **p != ',')
		return 0;
	(*p)++;
	while (**p >= '0' && **p <= '9') {
		if (digits < 9) {
			v = v * 10 + (**p - '0');
			digits++;
		}
		(*p)++;
		if (digits == 9)
			while (**p >= '0' && **p <= '9')
				(*p)++;
	}
	if (digits == 0)
		return -1;
	while (digits < 9) {
		v *= 10;
		digits++;
	}
	*nsec = v;
	return 0;
}

/* Parse "Z" or "+hh:mm" / "-hh:mm" into seconds east of UTC. */
static int take_offset(const char **p, long *offset)
{
	int sign, hh, mm;

	if (take_char(p, 'Z') == 0) {
		*offset = 0;
		return 0;
	}
	if (**p == '+')
		sign = 1;
	else if (**p == '-')
		sign = -1;
	else
		return -1;
	(*p)++;
	if (take_digits(p, 2, &hh) || take_char(p, ':') ||
	    take_digits(p, 2, &mm))
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*offset = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int timefmt_parse_rfc3339(const char *s, time_t *out, long *nsec_out,
			  struct err *e)
{
	const char *p = s;
	int year, mon, day, hour, min, sec;
	long nsec, offset;
	struct tm tm;
	time_t t;

	if (!s)
		return err_set(e, ERR_PARSE, "not an RFC 3339 time: (null)");
	if (take_digits(&p, 4, &year) || take_char(&p, '-') ||
	    take_digits(&p, 2, &mon) || take_char(&p, '-') ||
	    take_digits(&p, 2, &day) || take_char(&p, 'T') ||
	    take_digits(&p, 2, &hour) || take_char(&p, ':') ||
	    take_digits(&p, 2, &min) || take_char(&p, ':') ||
	    take_digits(&p, 2, &sec) || take_fraction(&p, &nsec) ||
	    take_offset(&p, &offset) || *p != '\0')
		goto bad;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) ||
	    hour > 23 || min > 59 || sec > 60)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec; /* a leap second 60 rolls into the next minute */
	t = timegm(&tm);
	*out = t - (time_t)offset;
	if (nsec_out)
		*nsec_out = nsec;
	return 0;
bad:
	return err_set(e, ERR_PARSE, "not an RFC 3339 time: \"%.64s\"", s);
}

const char *timefmt_duration(long long seconds, char *buf, size_t sz)
{
	long long minutes, hours, days, years, rest;

	if (seconds < -1) {
		snprintf(buf, sz, "<invalid>");
		return buf;
	}
	if (seconds < 0)
		seconds = 0;
	if (seconds < 60 * 2) {
		snprintf(buf, sz, "%llds", seconds);
		return buf;
	}
	minutes = seconds / 60;
	if (minutes < 10) {
		rest = seconds % 60;
		if (rest == 0)
			snprintf(buf, sz, "%lldm", minutes);
		else
			snprintf(buf, sz, "%lldm%llds", minutes, rest);
		return buf;
	}
	if (minutes < 60 * 3) {
		snprintf(buf, sz, "%lldm", minutes);
		return buf;
	}
	hours = seconds / 3600;
	if (hours < 8) {
		rest = minutes % 60;
		if (rest == 0)
			snprintf(buf, sz, "%lldh", hours);
		else
			snprintf(buf, sz, "%lldh%lldm", hours, rest);
		return buf;
	}
	if (hours < 48) {
		snprintf(buf, sz, "%lldh", hours);
		return buf;
	}
	days = hours / 24;
	if (hours < 24 * 8) {
		rest = hours % 24;
		if (rest == 0)
			snprintf(buf, sz, "%lldd", days);
		else
			snprintf(buf, sz, "%lldd%lldh", days, rest);
		return buf;
	}
	if (hours < 24 * 365 * 2) {
		snprintf(buf, sz, "%lldd", days);
		return buf;
	}
	years = days / 365;
	if (hours < 24 * 365 * 8) {
		rest = days % 365;
		if (rest == 0)
			snprintf(buf, sz, "%lldy", years);
		else
			snprintf(buf, sz, "%lldy%lldd", years, rest);
		return buf;
	}
	snprintf(buf, sz, "%lldy", years);
	return buf;
}

const char *timefmt_age(time_t since, time_t now, char *buf, size_t sz)
{
	if (since == 0) {
		snprintf(buf, sz, "<unknown>");
		return buf;
	}
	return timefmt_duration((long long)now - (long long)since, buf, sz);
}

/* "YYYY-MM-DDTHH:MM:SS" into buf; returns the length or -1. */
static int format_seconds(time_t t, char *buf, size_t sz)
{
	struct tm tm;
	int n;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, sz, "<invalid>");
		return -1;
	}
	/* Four digits of year always (strftime's %Y writes "26" for the
	 * year 26, which is no RFC 3339 time). */
	n = snprintf(buf, sz, "%04lld-%02d-%02dT%02d:%02d:%02d",
		     (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= sz) {
		if (sz)
			buf[0] = '\0';
		return -1;
	}
	return n;
}

const char *timefmt_rfc3339(time_t t, char *buf, size_t sz)
{
	int n = format_seconds(t, buf, sz);

	if (n >= 0)
		snprintf(buf + n, sz - (size_t)n, "Z");
	return buf;
}

const char *timefmt_rfc3339_millis(const struct timespec *ts, char *buf,
				   size_t sz)
{
	int n = format_seconds(ts->tv_sec, buf, sz);

	if (n >= 0)
		snprintf(buf + n, sz - (size_t)n, ".%03ldZ",
			 (long)(ts->tv_nsec / 1000000));
	return buf;
}

const char *timefmt_rfc3339_nano(const struct timespec *ts, char *buf,
				 size_t sz)
{
	char frac[16];
	int n = format_seconds(ts->tv_sec, buf, sz);
	size_t len;

	if (n < 0)
		return buf;
	if (ts->tv_nsec == 0) {
		snprintf(buf + n, sz - (size_t)n, "Z");
		return buf;
	}
	snprintf(frac, sizeof(frac), ".%09ld", (long)ts->tv_nsec);
	len = strlen(frac);
	while (len > 1 && frac[len - 1] == '0')
		len--;
	frac[len] = '\0';
	snprintf(buf + n, sz - (size_t)n, "%sZ", frac);
	return buf;
}

const char *timefmt_now_rfc3339_nano(char *buf, size_t sz)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return timefmt_rfc3339_nano(&ts, buf, sz);
}

int timefmt_parse_duration(const char *s, long long *ms, struct err *e)
{
	const char *p = s;
	long long total = 0;

	if (!s || !*s)
		return err_set(e, ERR_PARSE, "empty duration");
	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	while (*p) {
		char *end;
		long long n, unit;

		errno = 0;
		n = strtoll(p, &end, 10);
		if (end == p || errno || n < 0)
			return err_set(e, ERR_PARSE,
				       "not a duration: \"%s\" (try 90s, 5m, "
				       "1h30m)",
				       s);
		p = end;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			unit = 1000;
			p++;
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else {
			return err_set(e, ERR_PARSE,
				       "not a duration: \"%s\" (try 90s, 5m, "
				       "1h30m)",
				       s);
		}
		if (n > (LLONG_MAX - total) / unit)
			return err_set(e, ERR_PARSE,
				       "duration too long: \"%s\"", s);
		total += n * unit;
	}
	*ms = total;
	return 0;
}
