/* scan_gate.c - the promotion gate's policy (parsed from text) and its
 * verdict on an image's findings and scan state. */
#include "scan_gate.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PENDING_S (4L * 3600L)

void scan_policy_default(struct scan_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->max_severity = SCAN_SEV_HIGH;
	p->max_fixable_severity = SCAN_SEV_MEDIUM;
	p->block_unverified = 1;
	p->block_pending = 1;
	p->block_unknown = 1;
	p->pending_window_s = DEFAULT_PENDING_S;
}

void scan_policy_free(struct scan_policy *p)
{
	free(p->allow);
	p->allow = NULL;
	p->nallow = 0;
}

void scan_policy_copy(struct scan_policy *dst, const struct scan_policy *src)
{
	*dst = *src;
	dst->allow = NULL;
	if (!src->nallow)
		return;
	dst->allow = xcalloc(src->nallow, sizeof(*dst->allow));
	memcpy(dst->allow, src->allow, src->nallow * sizeof(*dst->allow));
}

const char *scan_policy_sev_text(int sev)
{
	return sev == SCAN_SEV_NONE ? "none"
				    : scan_sev_name((enum scan_sev)sev);
}

/* "2027-01-31" -> the first second of the next day, UTC. */
static int parse_day(const char *s, time_t *end)
{
	char buf[32];
	struct err e;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
	if (timefmt_parse_rfc3339(buf, end, NULL, &e) < 0)
		return -1;
	*end += 24 * 3600;
	return 0;
}

static const char *skip_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && !isspace((unsigned char)s[n]))
		n++;
	return n;
}

int scan_policy_allow(struct scan_policy *p, const char *line, struct err *e)
{
	struct scan_allow a;
	const char *s = skip_space(line ? line : ""), *day;
	size_t n = word_len(s), dn;
	char dbuf[16];

	memset(&a, 0, sizeof(a));
	if (!n)
		return err_set(e, ERR_USAGE,
			       "an allow-list entry needs "
			       "\"ID YYYY-MM-DD reason\"");
	if (n >= sizeof(a.id))
		return err_set(e, ERR_USAGE,
			       "allow-list id too long: %.40s...", s);
	memcpy(a.id, s, n);
	a.id[n] = '\0';
	day = skip_space(s + n);
	dn = word_len(day);
	if (dn >= sizeof(dbuf))
		dn = sizeof(dbuf) - 1;
	memcpy(dbuf, day, dn);
	dbuf[dn] = '\0';
	if (!dn || parse_day(dbuf, &a.until) < 0)
		return err_set(e, ERR_USAGE,
			       "allow-list entry %s: \"%s\" is not an expiry "
			       "date (YYYY-MM-DD)",
			       a.id, dbuf);
	/* parse_day took exactly YYYY-MM-DD */
	snprintf(a.until_text, sizeof(a.until_text), "%.10s", dbuf);
	s = skip_space(day + dn);
	if (!*s)
		return err_set(e, ERR_USAGE,
			       "allow-list entry %s needs a reason after its "
			       "date",
			       a.id);
	text_safe_buf(a.reason, sizeof(a.reason), s, 280);
	p->allow = xrealloc(p->allow, (p->nallow + 1) * sizeof(*p->allow));
	p->allow[p->nallow++] = a;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	    !strcmp(v, "1") || !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
		 !strcmp(v, "0") || !strcasecmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_sev(const char *v, int *out)
{
	enum scan_sev s;

	if (!strcasecmp(v, "none")) {
		*out = SCAN_SEV_NONE;
		return 0;
	}
	if (scan_sev_from_name(v, &s) < 0 || s == SCAN_SEV_UNKNOWN)
		return -1;
	*out = (int)s;
	return 0;
}

int scan_policy_set(struct scan_policy *p, const char *name, const char *value,
		    struct err *e)
{
	long long ms;
	int *flag = NULL;

	if (!name || !value)
		return err_set(e, ERR_USAGE, "no policy setting given");
	if (!strcmp(name, "allow"))
		return scan_policy_allow(p, value, e);
	if (!strcmp(name, "max_severity") ||
	    !strcmp(name, "max_fixable_severity")) {
		int *dst = name[4] == 's' ? &p->max_severity
					  : &p->max_fixable_severity;

		if (parse_sev(value, dst) < 0)
			return err_set(e, ERR_USAGE,
				       "%s: \"%.40s\" is not one of none, "
				       "negligible, low, medium, high, "
				       "critical",
				       name, value);
		return 0;
	}
	if (!strcmp(name, "pending_window")) {
		if (timefmt_parse_duration(value, &ms, e) < 0 || ms <= 0)
			return err_set(e, ERR_USAGE,
				       "pending_window: \"%.40s\" is not a "
				       "duration such as 4h or 90m",
				       value);
		p->pending_window_s = (long)(ms / 1000);
		return 0;
	}
	if (!strcmp(name, "block_unverified"))
		flag = &p->block_unverified;
	else if (!strcmp(name, "block_pending"))
		flag = &p->block_pending;
	else if (!strcmp(name, "block_unknown"))
		flag = &p->block_unknown;
	if (!flag)
		return err_set(e, ERR_USAGE, "no gate setting %.60s", name);
	if (parse_bool(value, flag) < 0)
		return err_set(e, ERR_USAGE, "%s: \"%.40s\" is not yes or no",
			       name, value);
	return 0;
}

/* ---- evaluation --------------------------------------------------------- */

static int rank(enum scan_sev s)
{
	return s == SCAN_SEV_UNKNOWN ? SCAN_SEV_HIGH : (int)s;
}

enum scan_gate_mark scan_gate_finding(const struct scan_policy *p,
				      const struct scan_finding *f, time_t now,
				      const struct scan_allow **entry)
{
	int r = rank(f->sev);
	size_t i;

	if (entry)
		*entry = NULL;
	if (r <= p->max_severity &&
	    (f->fix != SCAN_FIX_AVAILABLE || r <= p->max_fixable_severity))
		return SCAN_GATE_PASSES;
	for (i = 0; i < p->nallow; i++) {
		if (strcasecmp(p->allow[i].id, f->id) != 0)
			continue;
		if (entry)
			*entry = &p->allow[i];
		return now < p->allow[i].until ? SCAN_GATE_ALLOWED
					       : SCAN_GATE_EXPIRED;
	}
	return SCAN_GATE_BLOCKS;
}

static void describe(const struct scan_finding *f, const struct scan_allow *a,
		     char *buf, size_t sz)
{
	char fix[220];

	if (*f->package && *f->fixed)
		snprintf(fix, sizeof(fix), ", %s %s -> %s", f->package,
			 *f->installed ? f->installed : "?", f->fixed);
	else if (*f->package)
		snprintf(
		    fix, sizeof(fix), ", %s %s%s", f->package, f->installed,
		    f->fix == SCAN_FIX_AVAILABLE ? ", fix available" : "");
	else
		snprintf(fix, sizeof(fix), "%s",
			 f->fix == SCAN_FIX_AVAILABLE ? ", fix available"
						      : "");
	snprintf(buf, sz, "%s (%s%s%s%s)", f->id, scan_sev_name(f->sev), fix,
		 a ? "; allow-list entry expired " : "",
		 a ? a->until_text : "");
}

static int verdict_blocks(const struct scan_policy *p, enum scan_verdict v)
{
	switch (v) {
	case SCAN_UNVERIFIED:
		return p->block_unverified;
	case SCAN_PENDING:
		return p->block_pending;
	case SCAN_UNKNOWN:
		return p->block_unknown;
	case SCAN_HEALTHY:
	case SCAN_UNHEALTHY:
		break;
	}
	return 0;
}

void scan_gate_eval(const struct scan_policy *p, const struct scan_image *im,
		    time_t now, struct scan_gate *g)
{
	size_t i, len, shown = 0;
	char one[600];

	memset(g, 0, sizeof(*g));
	for (i = 0; i < im->findings.n; i++) {
		const struct scan_allow *a;
		enum scan_gate_mark m =
		    scan_gate_finding(p, &im->findings.v[i], now, &a);

		if (m == SCAN_GATE_ALLOWED)
			g->nallowed++;
		if (m != SCAN_GATE_BLOCKS && m != SCAN_GATE_EXPIRED)
			continue;
		if (m == SCAN_GATE_EXPIRED)
			g->nexpired++;
		if (g->nblocking < SCAN_GATE_LIST)
			g->blocking[g->nblocking] = i;
		g->nblocking++;
	}
	if (g->nblocking) {
		g->blocked = 1;
		len = (size_t)snprintf(g->why, sizeof(g->why), "blocked by: ");
		for (i = 0; i < g->nblocking && i < SCAN_GATE_LIST; i++) {
			const struct scan_finding *f =
			    &im->findings.v[g->blocking[i]];
			const struct scan_allow *a;

			if (scan_gate_finding(p, f, now, &a) !=
			    SCAN_GATE_EXPIRED)
				a = NULL;
			describe(f, a, one, sizeof(one));
			/* Keep room for " and N more". */
			if (len + strlen(one) + 2 + 24 >= sizeof(g->why))
				break;
			len += (size_t)snprintf(g->why + len,
						sizeof(g->why) - len, "%s%s",
						shown ? ", " : "", one);
			shown++;
		}
		if (shown < g->nblocking)
			snprintf(g->why + len, sizeof(g->why) - len,
				 " and %zu more", g->nblocking - shown);
		return;
	}
	if (verdict_blocks(p, im->verdict)) {
		g->blocked = 1;
		snprintf(g->why, sizeof(g->why),
			 "blocked by: no scan verdict (%s: %s)",
			 scan_verdict_name(im->verdict),
			 im->why[0] ? im->why : "no details");
		return;
	}
	if (g->nallowed)
		snprintf(g->why, sizeof(g->why),
			 "passes (%zu allowed by the allow-list)",
			 g->nallowed);
	else if (im->verdict != SCAN_HEALTHY && im->verdict != SCAN_UNHEALTHY)
		snprintf(g->why, sizeof(g->why),
			 "passes: %s is not blocking under the policy",
			 scan_verdict_name(im->verdict));
	else
		snprintf(g->why, sizeof(g->why), "passes");
}
