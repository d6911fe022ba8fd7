/* scan_defender.c - the Resource Graph query for Defender's registry
 * sub-assessments and the reading of its rows, both generations. */
#include "scan_defender.h"
#include "json.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *scan_defender_gen_name(enum scan_defender_gen g)
{
	return g == SCAN_DEFENDER_QUALYS ? "Qualys" : "MDVM";
}

/* ---- the query ---------------------------------------------------------- */

static int host_valid(const char *h)
{
	size_t i;

	if (!h || !*h || strlen(h) > 253)
		return 0;
	for (i = 0; h[i]; i++) {
		unsigned char c = (unsigned char)h[i];

		if (!isalnum(c) && c != '.' && c != '-' && c != ':')
			return 0;
	}
	return 1;
}

/* Where each generation keeps what the query filters on. */
static const struct {
	const char *type, *host, *digest;
} fields[SCAN_DEFENDER_NGEN] = {
    [SCAN_DEFENDER_MDVM] =
	{
	    "AzureContainerRegistryVulnerability",
	    "properties.additionalData.artifactDetails.registryHost",
	    "properties.additionalData.artifactDetails.digest",
	},
    [SCAN_DEFENDER_QUALYS] =
	{
	    "ContainerRegistryVulnerability",
	    "properties.additionalData.registryHost",
	    "properties.additionalData.imageDigest",
	},
};

char *scan_defender_query(enum scan_defender_gen g, const char *host,
			  const char *const *digests, size_t n, struct err *e)
{
	char lower[256], *q, *list;
	size_t i, len = 0, cap;

	if ((unsigned)g >= SCAN_DEFENDER_NGEN) {
		err_set(e, ERR_USAGE, "no such Defender generation");
		return NULL;
	}
	if (!host_valid(host)) {
		err_set(e, ERR_USAGE, "not a registry login server: %.80s",
			host ? host : "(none)");
		return NULL;
	}
	if (!n || n > SCAN_DEFENDER_BATCH) {
		err_set(e, ERR_USAGE, "a Defender query takes 1 to %d digests",
			SCAN_DEFENDER_BATCH);
		return NULL;
	}
	for (i = 0; host[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)host[i]);
	lower[i] = '\0';
	cap = n * 80 + 1;
	list = xmalloc(cap);
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!scan_digest_valid(digests[i])) {
			free(list);
			err_set(e, ERR_USAGE, "not an image digest: %.80s",
				digests[i] ? digests[i] : "(none)");
			return NULL;
		}
		len += (size_t)snprintf(list + len, cap - len, "%s\"%s\"",
					i ? ", " : "", digests[i]);
	}
	q = xasprintf("securityresources\n"
		      "| where type =~ "
		      "\"microsoft.security/assessments/subassessments\"\n"
		      "| where properties.additionalData.assessedResourceType"
		      " == \"%s\"\n"
		      "| where %s =~ \"%s\"\n"
		      "| where %s in (%s)\n"
		      "| project id, properties",
		      fields[g].type, fields[g].host, lower, fields[g].digest,
		      list);
	free(list);
	return q;
}

/* ---- the rows ----------------------------------------------------------- */

enum row_code { ROW_HEALTHY, ROW_UNHEALTHY, ROW_NOT_APPLICABLE };

struct row {
	enum scan_defender_gen gen;
	const char *digest;
	enum row_code code;
	struct scan_finding_in f;
	char why[300];
	time_t generated;
};

/* The assessment key in a sub-assessment's id, or NULL. */
static const char *assessment_key(const char *id, char *buf, size_t sz)
{
	const char *p = id;
	size_t i;

	for (; p && *p; p++) {
		if (strncasecmp(p, "/assessments/", 13) == 0)
			break;
	}
	if (!p || !*p)
		return NULL;
	p += 13;
	for (i = 0; p[i] && p[i] != '/' && i + 1 < sz; i++)
		buf[i] = (char)tolower((unsigned char)p[i]);
	buf[i] = '\0';
	return buf;
}

/* The highest CVSS version's base score of Qualys' {"2.0":{"base"},...}. */
static double qualys_cvss(const cJSON *cvss)
{
	const cJSON *v;
	double best = -1, best_ver = -1;

	cJSON_ArrayForEach(v, cvss)
	{
		double ver = v->string ? strtod(v->string, NULL) : 0;
		double base = json_path_num(v, "base", -1);

		if (base >= 0 && ver > best_ver) {
			best = base;
			best_ver = ver;
		}
	}
	return best;
}

static enum scan_fix mdvm_fix(const char *s)
{
	if (!s)
		return SCAN_FIX_UNKNOWN;
	if (strcasecmp(s, "FixAvailable") == 0)
		return SCAN_FIX_AVAILABLE;
	if (strcasecmp(s, "NoFixAvailable") == 0)
		return SCAN_FIX_NONE;
	if (strcasecmp(s, "WontFix") == 0)
		return SCAN_FIX_WONT;
	if (strcasecmp(s, "Scheduled") == 0)
		return SCAN_FIX_LATER;
	return SCAN_FIX_UNKNOWN;
}

/* The digest at the end of MDVM's resourceDetails.id
 * ".../repositories/<repo>/images/sha256:...". */
static const char *digest_from_resource(const char *id)
{
	const char *p = id ? strstr(id, "/images/") : NULL;

	return p ? p + 8 : NULL;
}

static int bad(struct row *r, const char *what)
{
	snprintf(r->why, sizeof(r->why), "%s", what);
	return -1;
}

/* Reads one row into r. 1: a row of one of our generations; 0: a
 * well-formed row of something else; -1: unreadable (r->why says what,
 * r->digest set when the row still named one). */
static int read_row(const cJSON *o, struct row *r)
{
	const cJSON *p = json_path(o, "properties");
	const cJSON *ad = json_path(p, "additionalData");
	const char *id = json_path_str(o, "id");
	const char *code, *type, *sev, *key;
	char kbuf[64];

	memset(r, 0, sizeof(*r));
	r->f.cvss = -1;
	r->f.source = SCAN_DEFENDER;
	if (!cJSON_IsObject(o))
		return bad(r, "not an object");
	if (!id)
		return bad(r, "no id");
	key = assessment_key(id, kbuf, sizeof(kbuf));
	if (key && strcmp(key, SCAN_DEFENDER_KEY_MDVM) == 0)
		r->gen = SCAN_DEFENDER_MDVM;
	else if (key && strcmp(key, SCAN_DEFENDER_KEY_QUALYS) == 0)
		r->gen = SCAN_DEFENDER_QUALYS;
	else
		return 0;
	if (!cJSON_IsObject(p))
		return bad(r, "no properties");
	type = json_path_str(ad, "assessedResourceType");
	if (type && strcmp(type, fields[r->gen].type) != 0)
		return 0;
	if (r->gen == SCAN_DEFENDER_MDVM) {
		r->digest = json_path_str(ad, "artifactDetails.digest");
		if (!r->digest || !*r->digest)
			r->digest = digest_from_resource(
			    json_path_str(p, "resourceDetails.id"));
	} else {
		r->digest = json_path_str(ad, "imageDigest");
	}
	if (!scan_digest_valid(r->digest)) {
		r->digest = NULL;
		return bad(r, "no image digest");
	}
	r->f.digest = r->digest;
	code = json_path_str(p, "status.code");
	if (!code)
		return bad(r, "no properties.status.code");
	if (strcasecmp(code, "Healthy") == 0)
		r->code = ROW_HEALTHY;
	else if (strcasecmp(code, "Unhealthy") == 0)
		r->code = ROW_UNHEALTHY;
	else if (strcasecmp(code, "NotApplicable") == 0)
		r->code = ROW_NOT_APPLICABLE;
	else
		return bad(r, "unknown properties.status.code");
	r->f.id = json_path_str(p, "id");
	if (!r->f.id && r->gen == SCAN_DEFENDER_MDVM)
		r->f.id = json_path_str(ad, "vulnerabilityDetails.cveId");
	if ((!r->f.id || !*r->f.id) && r->code == ROW_UNHEALTHY)
		return bad(r, "no finding id (properties.id)");
	sev = NULL;
	if (r->gen == SCAN_DEFENDER_MDVM)
		sev = json_path_str(ad, "vulnerabilityDetails.severity");
	if (!sev)
		sev = json_path_str(p, "status.severity");
	r->f.sev = scan_sev_parse(sev);
	r->f.title = json_path_str(p, "displayName");
	if (r->gen == SCAN_DEFENDER_MDVM) {
		r->f.cvss = json_path_num(ad, "cvssV30Score", -1);
		if (r->f.cvss < 0)
			/* "3.0" holds a dot: no dotted path for it. */
			r->f.cvss = json_path_num(
			    cJSON_GetObjectItemCaseSensitive(
				json_path(ad, "vulnerabilityDetails.cvss"),
				"3.0"),
			    "base", -1);
		r->f.package =
		    json_path_str(ad, "softwareDetails.packageName");
		r->f.installed = json_path_str(ad, "softwareDetails.version");
		r->f.fixed = json_path_str(ad, "softwareDetails.fixedVersion");
		r->f.fix =
		    mdvm_fix(json_path_str(ad, "softwareDetails.fixStatus"));
	} else {
		const cJSON *patch = json_path(ad, "patchable");

		r->f.cvss = qualys_cvss(json_path(ad, "cvss"));
		r->f.fix = cJSON_IsTrue(patch)	  ? SCAN_FIX_AVAILABLE
			   : cJSON_IsFalse(patch) ? SCAN_FIX_NONE
						  : SCAN_FIX_UNKNOWN;
	}
	if (r->f.cvss > 10)
		r->f.cvss = -1;
	if (r->code == ROW_NOT_APPLICABLE) {
		const char *cause = json_path_str(p, "status.cause");
		const char *desc = json_path_str(p, "status.description");

		snprintf(r->why, sizeof(r->why), "not applicable%s%s%s%s%s",
			 cause ? ": " : "", cause ? cause : "",
			 desc ? " (" : "", desc ? desc : "", desc ? ")" : "");
	}
	if (timefmt_parse_rfc3339(json_path_str(p, "timeGenerated"),
				  &r->generated, NULL, NULL) < 0)
		r->generated = 0;
	return 1;
}

static void note_bad(struct scan_defender_stats *st, size_t i,
		     const struct row *r)
{
	st->bad++;
	if (st->first_bad[0])
		return;
	snprintf(st->first_bad, sizeof(st->first_bad), "row %zu: %.280s",
		 i + 1, r->why);
}

static void mark_cut(struct scan_image *im)
{
	im->src[SCAN_DEFENDER].truncated = 1;
}

static void use_row(struct scan_image *im, const struct row *r)
{
	struct scan_source_result *s = &im->src[SCAN_DEFENDER];
	char safe_why[300];

	s->results = 1;
	if (r->generated > s->scanned_at)
		s->scanned_at = r->generated;
	if (!s->origin[0] || strcmp(s->origin, "Defender") == 0)
		snprintf(s->origin, sizeof(s->origin), "Defender (%s)",
			 scan_defender_gen_name(r->gen));
	else if (!strstr(s->origin, scan_defender_gen_name(r->gen)))
		snprintf(s->origin, sizeof(s->origin),
			 "Defender (MDVM and Qualys)");
	switch (r->code) {
	case ROW_HEALTHY:
		s->healthy_rows++;
		break;
	case ROW_NOT_APPLICABLE:
		s->unverified++;
		text_safe_buf(safe_why, sizeof(safe_why), r->why, 200);
		snprintf(s->why, sizeof(s->why), "%s", safe_why);
		break;
	case ROW_UNHEALTHY:
		s->unhealthy_rows++;
		if (scan_findings_add(&im->findings, &r->f) < 0)
			im->dropped++;
		break;
	}
}

void scan_defender_apply(const cJSON *rows, struct scan_image *v, size_t n,
			 struct scan_defender_stats *st)
{
	const cJSON *o;
	size_t i = 0, k;

	cJSON_ArrayForEach(o, rows)
	{
		struct row r;
		int rc = read_row(o, &r), hit = 0;

		st->rows++;
		if (rc < 0)
			note_bad(st, i, &r);
		for (k = 0; k < n; k++) {
			if (!r.digest ||
			    !scan_image_has_digest(&v[k], r.digest))
				continue;
			hit = 1;
			if (rc < 0)
				mark_cut(&v[k]);
			else if (rc > 0)
				use_row(&v[k], &r);
		}
		/* An unreadable row that names no digest could be anyone's. */
		if (rc < 0 && !r.digest) {
			for (k = 0; k < n; k++)
				mark_cut(&v[k]);
		}
		if (rc > 0 && hit)
			st->used++;
		else if (rc >= 0)
			st->other++;
		i++;
	}
}
