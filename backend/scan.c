/* scan.c - severities, fix states, the findings list (merge, sort) and the
 * verdict an image's sources add up to. Pure code: no I/O, no clock. */
#include "scan.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Column caps for what a source may put in a finding. */
#define CAP_ID	    96
#define CAP_PACKAGE 160
#define CAP_VERSION 96
#define CAP_TITLE   400

static const char *const sev_names[SCAN_SEV_COUNT] = {
    [SCAN_SEV_UNKNOWN] = "unknown", [SCAN_SEV_NEGLIGIBLE] = "negligible",
    [SCAN_SEV_LOW] = "low",	    [SCAN_SEV_MEDIUM] = "medium",
    [SCAN_SEV_HIGH] = "high",	    [SCAN_SEV_CRITICAL] = "critical",
};

const char *scan_sev_name(enum scan_sev s)
{
	return (unsigned)s < SCAN_SEV_COUNT ? sev_names[s] : "unknown";
}

int scan_sev_from_name(const char *s, enum scan_sev *out)
{
	int i;

	if (!s)
		return -1;
	for (i = 0; i < SCAN_SEV_COUNT; i++) {
		if (strcasecmp(s, sev_names[i]) == 0) {
			*out = (enum scan_sev)i;
			return 0;
		}
	}
	return -1;
}

enum scan_sev scan_sev_parse(const char *s)
{
	enum scan_sev v;

	if (scan_sev_from_name(s, &v) == 0)
		return v;
	/* Qualys numbers its severities 1-5. */
	if (s && s[0] >= '1' && s[0] <= '5' && !s[1]) {
		static const enum scan_sev q[] = {
		    SCAN_SEV_NEGLIGIBLE, SCAN_SEV_LOW,	    SCAN_SEV_MEDIUM,
		    SCAN_SEV_HIGH,	 SCAN_SEV_CRITICAL,
		};
		return q[s[0] - '1'];
	}
	return SCAN_SEV_UNKNOWN;
}

const char *scan_fix_name(enum scan_fix f)
{
	switch (f) {
	case SCAN_FIX_AVAILABLE:
		return "fix available";
	case SCAN_FIX_NONE:
		return "no fix";
	case SCAN_FIX_WONT:
		return "won't fix";
	case SCAN_FIX_LATER:
		return "fix deferred";
	case SCAN_FIX_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *scan_source_name(enum scan_source s)
{
	switch (s) {
	case SCAN_DEFENDER:
		return "defender";
	case SCAN_TRIVY:
		return "trivy";
	case SCAN_GRYPE:
		return "grype";
	}
	return "?";
}

const char *scan_source_title(enum scan_source s)
{
	switch (s) {
	case SCAN_DEFENDER:
		return "Defender";
	case SCAN_TRIVY:
		return "Trivy";
	case SCAN_GRYPE:
		return "Grype";
	}
	return "?";
}

void scan_sources_text(unsigned bits, const char *sep, char *buf, size_t sz)
{
	size_t len = 0;
	int k, n;

	if (!sz)
		return;
	buf[0] = '\0';
	for (k = 0; k < SCAN_NSOURCES && len + 1 < sz; k++) {
		if (!(bits & (1u << k)))
			continue;
		n = snprintf(buf + len, sz - len, "%s%s", len ? sep : "",
			     scan_source_name((enum scan_source)k));
		if (n < 0)
			break;
		len += (size_t)n < sz - len ? (size_t)n : sz - len - 1;
	}
}

const char *scan_verdict_name(enum scan_verdict v)
{
	switch (v) {
	case SCAN_PENDING:
		return "pending";
	case SCAN_UNVERIFIED:
		return "unverified";
	case SCAN_HEALTHY:
		return "healthy";
	case SCAN_UNHEALTHY:
		return "unhealthy";
	case SCAN_UNKNOWN:
		break;
	}
	return "unknown";
}

int scan_digest_valid(const char *s)
{
	size_t i;

	if (!s || strncmp(s, "sha256:", 7) != 0)
		return 0;
	for (i = 7; i < 7 + 64; i++) {
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	}
	return s[i] == '\0';
}

/* ---- findings ----------------------------------------------------------- */

static char *safe(const char *s, int cols)
{
	return text_safe(s ? s : "", cols, NULL);
}

static int same_finding(const struct scan_finding *a,
			const struct scan_finding_in *b, const char *bid)
{
	const char *bp = b->package ? b->package : "";
	const char *bi = b->installed ? b->installed : "";

	if (strcasecmp(a->id, bid) != 0)
		return 0;
	if (*a->package && *bp && strcmp(a->package, bp) != 0)
		return 0;
	if (*a->installed && *bi && strcmp(a->installed, bi) != 0)
		return 0;
	return 1;
}

static int fix_rank(enum scan_fix f)
{
	/* How much a fix state tells: a known fix beats a guess. */
	switch (f) {
	case SCAN_FIX_AVAILABLE:
		return 4;
	case SCAN_FIX_WONT:
		return 3;
	case SCAN_FIX_LATER:
		return 2;
	case SCAN_FIX_NONE:
		return 1;
	case SCAN_FIX_UNKNOWN:
		break;
	}
	return 0;
}

static void note_source(struct scan_finding *a,
			const struct scan_finding_in *b)
{
	a->sources |= 1u << b->source;
	if (a->src_sev[b->source] < (signed char)b->sev)
		a->src_sev[b->source] = (signed char)b->sev;
	if (b->fix == SCAN_FIX_AVAILABLE)
		a->src_fixable |= 1u << b->source;
}

static void merge_into(struct scan_finding *a, const struct scan_finding_in *b)
{
	note_source(a, b);
	if (b->sev > a->sev)
		a->sev = b->sev;
	if (b->cvss > a->cvss)
		a->cvss = b->cvss;
	if (fix_rank(b->fix) > fix_rank(a->fix))
		a->fix = b->fix;
	if (!*a->fixed && b->fixed && *b->fixed) {
		free(a->fixed);
		a->fixed = safe(b->fixed, CAP_VERSION);
	}
	if (!*a->package && b->package && *b->package) {
		free(a->package);
		a->package = safe(b->package, CAP_PACKAGE);
	}
	if (!*a->installed && b->installed && *b->installed) {
		free(a->installed);
		a->installed = safe(b->installed, CAP_VERSION);
	}
	if (!*a->title && b->title && *b->title) {
		free(a->title);
		a->title = safe(b->title, CAP_TITLE);
	}
}

int scan_findings_add(struct scan_findings *l, const struct scan_finding_in *f)
{
	struct scan_finding *n;
	char *id = safe(f->id, CAP_ID);
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (same_finding(&l->v[i], f, id)) {
			merge_into(&l->v[i], f);
			free(id);
			return 0;
		}
	}
	if (l->n >= SCAN_MAX_FINDINGS) {
		free(id);
		return -1;
	}
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	n = &l->v[l->n++];
	n->id = id;
	n->sev = f->sev;
	n->cvss = f->cvss;
	n->package = safe(f->package, CAP_PACKAGE);
	n->installed = safe(f->installed, CAP_VERSION);
	n->fixed = safe(f->fixed, CAP_VERSION);
	n->fix = f->fix;
	n->title = safe(f->title, CAP_TITLE);
	n->digest = safe(f->digest, 80);
	memset(n->src_sev, -1, sizeof(n->src_sev));
	n->sources = 0;
	n->src_fixable = 0;
	note_source(n, f);
	return 1;
}

static void finding_free(struct scan_finding *f)
{
	free(f->id);
	free(f->package);
	free(f->installed);
	free(f->fixed);
	free(f->title);
	free(f->digest);
}

void scan_findings_free(struct scan_findings *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		finding_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int scan_finding_cmp(const struct scan_finding *a,
		     const struct scan_finding *b)
{
	int r;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->cvss != b->cvss)
		return a->cvss > b->cvss ? -1 : 1;
	r = strcmp(a->id, b->id);
	if (r)
		return r;
	return strcmp(a->package, b->package);
}

static int cmp_qsort(const void *a, const void *b)
{
	return scan_finding_cmp(a, b);
}

void scan_findings_sort(struct scan_findings *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_qsort);
}

/* ---- images ------------------------------------------------------------- */

int scan_image_has_digest(const struct scan_image *im, const char *digest)
{
	size_t i;

	if (!digest || !*digest)
		return 0;
	if (strcmp(im->digest, digest) == 0)
		return 1;
	for (i = 0; i < im->nplatforms; i++) {
		if (strcmp(im->platforms[i], digest) == 0)
			return 1;
	}
	return 0;
}

void scan_image_reset(struct scan_image *im)
{
	scan_findings_free(&im->findings);
	memset(im->src, 0, sizeof(im->src));
	memset(im->counts, 0, sizeof(im->counts));
	im->verdict = SCAN_UNKNOWN;
	im->why[0] = '\0';
	im->fixable = 0;
	im->scanned_at = 0;
	im->disagree = 0;
	im->dropped = 0;
}

void scan_image_free(struct scan_image *im)
{
	scan_findings_free(&im->findings);
}

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

void scan_image_copy(struct scan_image *dst, const struct scan_image *src)
{
	size_t i;

	*dst = *src;
	dst->findings.v = NULL;
	dst->findings.n = dst->findings.cap = 0;
	if (!src->findings.n)
		return;
	dst->findings.v = xcalloc(src->findings.n, sizeof(*dst->findings.v));
	dst->findings.n = dst->findings.cap = src->findings.n;
	for (i = 0; i < src->findings.n; i++) {
		const struct scan_finding *s = &src->findings.v[i];
		struct scan_finding *d = &dst->findings.v[i];

		*d = *s;
		d->id = dup_or_empty(s->id);
		d->package = dup_or_empty(s->package);
		d->installed = dup_or_empty(s->installed);
		d->fixed = dup_or_empty(s->fixed);
		d->title = dup_or_empty(s->title);
		d->digest = dup_or_empty(s->digest);
	}
}

const char *scan_counts_text(const unsigned counts[SCAN_SEV_COUNT], char *buf,
			     size_t sz)
{
	static const enum scan_sev order[] = {
	    SCAN_SEV_CRITICAL, SCAN_SEV_HIGH,	    SCAN_SEV_MEDIUM,
	    SCAN_SEV_LOW,      SCAN_SEV_NEGLIGIBLE, SCAN_SEV_UNKNOWN,
	};
	size_t i, len = 0;

	if (!sz)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		unsigned c = counts[order[i]];
		int w;

		if (!c)
			continue;
		w = snprintf(buf + len, sz - len, "%s%u %s", len ? ", " : "",
			     c, scan_sev_name(order[i]));
		if (w < 0 || (size_t)w >= sz - len)
			break;
		len += (size_t)w;
	}
	if (!len)
		snprintf(buf, sz, "no findings");
	return buf;
}

/* One source's verdict from what it reported. */
static void source_verdict(struct scan_source_result *s)
{
	if (!s->answered) {
		s->verdict = SCAN_UNKNOWN;
		return;
	}
	if (s->unhealthy_rows) {
		s->verdict = SCAN_UNHEALTHY;
		return;
	}
	if (s->unverified && !s->healthy_rows) {
		s->verdict = SCAN_UNVERIFIED;
		return;
	}
	if (s->healthy_rows && !s->truncated) {
		s->verdict = SCAN_HEALTHY;
		return;
	}
	/* Answered without results (or cut short): pending or unknown,
	 * decided with the import time in scan_image_combine. */
	s->verdict = SCAN_UNKNOWN;
}

static void count_findings(struct scan_image *im)
{
	size_t i;
	int k;

	memset(im->counts, 0, sizeof(im->counts));
	im->fixable = 0;
	for (k = 0; k < SCAN_NSOURCES; k++) {
		memset(im->src[k].counts, 0, sizeof(im->src[k].counts));
		im->src[k].fixable = 0;
	}
	for (i = 0; i < im->findings.n; i++) {
		const struct scan_finding *f = &im->findings.v[i];

		im->counts[f->sev]++;
		if (f->fix == SCAN_FIX_AVAILABLE)
			im->fixable++;
		for (k = 0; k < SCAN_NSOURCES; k++) {
			if (f->src_sev[k] < 0)
				continue;
			im->src[k].counts[f->src_sev[k]]++;
			if (f->src_fixable & (1u << k))
				im->src[k].fixable++;
		}
	}
}

/* Append sep (unless buf is empty) and s to buf, cut to fit. */
static void append(char *buf, size_t sz, const char *sep, const char *s)
{
	size_t len = strlen(buf), n;

	if (len && len + strlen(sep) < sz) {
		memcpy(buf + len, sep, strlen(sep));
		len += strlen(sep);
	}
	n = strlen(s);
	if (len + n + 1 > sz)
		n = sz > len + 1 ? sz - len - 1 : 0;
	/* Never split a UTF-8 sequence. */
	while (n && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf + len, s, n);
	buf[len + n] = '\0';
}

static int disagree(const struct scan_image *im)
{
	const struct scan_source_result *first = NULL;
	int k;

	for (k = 0; k < SCAN_NSOURCES; k++) {
		const struct scan_source_result *s = &im->src[k];

		if (s->verdict != SCAN_HEALTHY &&
		    s->verdict != SCAN_UNHEALTHY &&
		    s->verdict != SCAN_UNVERIFIED)
			continue;
		if (!first) {
			first = s;
			continue;
		}
		if (s->verdict != first->verdict ||
		    memcmp(s->counts, first->counts, sizeof(s->counts)) != 0)
			return 1;
	}
	return 0;
}

void scan_image_combine(struct scan_image *im, time_t now,
			long pending_window_s)
{
	int k, any_asked = 0, recent;
	enum scan_verdict v = SCAN_UNKNOWN;
	char age[TIMEFMT_AGE_LEN];

	scan_findings_sort(&im->findings);
	count_findings(im);
	im->scanned_at = 0;
	recent = im->imported_at > 0 &&
		 (long long)(now - im->imported_at) < pending_window_s;
	for (k = 0; k < SCAN_NSOURCES; k++) {
		struct scan_source_result *s = &im->src[k];

		if (!s->asked)
			continue;
		any_asked = 1;
		source_verdict(s);
		/* No result yet is pending; a failed answer is not. */
		if (s->verdict == SCAN_UNKNOWN && s->answered && recent &&
		    !s->truncated)
			s->verdict = SCAN_PENDING;
		if (s->scanned_at > im->scanned_at)
			im->scanned_at = s->scanned_at;
	}
	/* The image: the most telling verdict of any source. */
	for (k = 0; k < SCAN_NSOURCES; k++) {
		if (im->src[k].asked && im->src[k].verdict == SCAN_UNHEALTHY)
			v = SCAN_UNHEALTHY;
	}
	for (k = 0; v == SCAN_UNKNOWN && k < SCAN_NSOURCES; k++) {
		if (im->src[k].asked && im->src[k].verdict == SCAN_HEALTHY)
			v = SCAN_HEALTHY;
	}
	for (k = 0; v == SCAN_UNKNOWN && k < SCAN_NSOURCES; k++) {
		if (im->src[k].asked && im->src[k].verdict == SCAN_UNVERIFIED)
			v = SCAN_UNVERIFIED;
	}
	for (k = 0; v == SCAN_UNKNOWN && k < SCAN_NSOURCES; k++) {
		if (im->src[k].asked && im->src[k].verdict == SCAN_PENDING)
			v = SCAN_PENDING;
	}
	im->verdict = v;
	im->disagree = disagree(im);
	im->why[0] = '\0';
	if (!im->digest[0]) {
		im->verdict = SCAN_UNKNOWN;
		snprintf(im->why, sizeof(im->why),
			 "not in quarantine/: nothing to scan");
		return;
	}
	switch (v) {
	case SCAN_UNHEALTHY:
	case SCAN_HEALTHY:
		return;
	case SCAN_UNVERIFIED:
		for (k = 0; k < SCAN_NSOURCES; k++) {
			const struct scan_source_result *s = &im->src[k];
			char line[700];

			if (!s->asked || s->verdict != SCAN_UNVERIFIED)
				continue;
			snprintf(line, sizeof(line), "%s: %s",
				 scan_source_title((enum scan_source)k),
				 s->why[0] ? s->why
					   : "cannot scan this image");
			append(im->why, sizeof(im->why), "; ", line);
		}
		return;
	case SCAN_PENDING:
		snprintf(im->why, sizeof(im->why),
			 "no results yet; imported %s ago",
			 timefmt_duration((long long)(now - im->imported_at),
					  age, sizeof(age)));
		return;
	case SCAN_UNKNOWN:
		break;
	}
	if (!any_asked) {
		snprintf(im->why, sizeof(im->why),
			 "no scan source is set up "
			 "(Defender needs an Azure "
			 "subscription; reports "
			 "need a directory)");
		return;
	}
	for (k = 0; k < SCAN_NSOURCES; k++) {
		const struct scan_source_result *s = &im->src[k];
		char line[900];

		if (!s->asked)
			continue;
		if (!s->answered)
			snprintf(line, sizeof(line), "%s: %s",
				 scan_source_title((enum scan_source)k),
				 s->why[0] ? s->why : "no answer");
		else if (s->truncated)
			snprintf(line, sizeof(line), "%s: %s",
				 scan_source_title((enum scan_source)k),
				 s->why[0] ? s->why
					   : "the answer was cut short, so a "
					     "clean result cannot be trusted");
		else if (im->imported_at > 0)
			snprintf(line, sizeof(line),
				 "%s: no results %s after the import",
				 scan_source_title((enum scan_source)k),
				 timefmt_duration(
				     (long long)(now - im->imported_at), age,
				     sizeof(age)));
		else
			snprintf(line, sizeof(line),
				 "%s: no results for %.19s (import time "
				 "unknown)",
				 scan_source_title((enum scan_source)k),
				 im->digest);
		append(im->why, sizeof(im->why), "; ", line);
	}
}
