/* scan_report.c - reads Trivy and Grype JSON reports and adds them to the
 * images they name by digest. Local files only; bounded in size and
 * number. */
#include "scan_report.h"
#include "images.h"
#include "json.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void scan_report_free(struct scan_report *r)
{
	if (r)
		scan_findings_free(&r->findings);
}

static void add_digest(struct scan_report *r, const char *d)
{
	size_t i;

	if (!scan_digest_valid(d))
		return;
	for (i = 0; i < r->ndigests; i++) {
		if (strcmp(r->digests[i], d) == 0)
			return;
	}
	if (r->ndigests < SCAN_REPORT_DIGESTS)
		snprintf(r->digests[r->ndigests++], sizeof(r->digests[0]),
			 "%s", d);
}

/* "repo@sha256:..." -> its digest. */
static void add_repo_digest(struct scan_report *r, const char *s)
{
	const char *at = s ? strrchr(s, '@') : NULL;

	if (at)
		add_digest(r, at + 1);
}

static void add_finding(struct scan_report *r, struct scan_finding_in *f)
{
	f->source = r->kind;
	f->digest = r->ndigests ? r->digests[0] : "";
	scan_findings_add(&r->findings, f);
}

/* ---- Trivy -------------------------------------------------------------- */

/* The NVD score when there is one, else the highest of the others. */
static double trivy_cvss(const cJSON *cvss)
{
	const cJSON *v;
	double best = json_path_num(cvss, "nvd.V3Score", -1);

	if (best >= 0)
		return best;
	cJSON_ArrayForEach(v, cvss)
	{
		double s = json_path_num(v, "V3Score",
					 json_path_num(v, "V2Score", -1));

		if (s > best)
			best = s;
	}
	return best;
}

/* Trivy's Status; 0 for a finding to skip (not_affected). */
static int trivy_fix(const char *status, const char *fixed, enum scan_fix *out)
{
	*out = SCAN_FIX_UNKNOWN;
	if (!status || !*status) {
		/* Reports before Trivy 0.29 have no Status. */
		if (fixed && *fixed)
			*out = SCAN_FIX_AVAILABLE;
		return 1;
	}
	if (strcmp(status, "not_affected") == 0)
		return 0;
	if (strcmp(status, "fixed") == 0)
		*out = SCAN_FIX_AVAILABLE;
	else if (strcmp(status, "affected") == 0)
		*out = SCAN_FIX_NONE;
	else if (strcmp(status, "will_not_fix") == 0 ||
		 strcmp(status, "end_of_life") == 0)
		*out = SCAN_FIX_WONT;
	else if (strcmp(status, "fix_deferred") == 0)
		*out = SCAN_FIX_LATER;
	return 1;
}

static int parse_trivy(const cJSON *doc, struct scan_report *r, struct err *e)
{
	const cJSON *ver = json_path(doc, "SchemaVersion");
	const cJSON *results = json_path(doc, "Results");
	const cJSON *res, *v, *d;
	const char *type = json_path_str(doc, "ArtifactType");

	r->kind = SCAN_TRIVY;
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 2)
		return err_set(e, ERR_PARSE,
			       "%s: Trivy SchemaVersion %g is not supported "
			       "(only 2)",
			       r->name,
			       cJSON_IsNumber(ver) ? ver->valuedouble : 0.0);
	if (type && strcmp(type, "container_image") != 0)
		return err_set(e, ERR_PARSE,
			       "%s: a Trivy report of a %.40s, not of a "
			       "container image",
			       r->name, type);
	text_safe_buf(r->artifact, sizeof(r->artifact),
		      json_path_str(doc, "ArtifactName"), 200);
	cJSON_ArrayForEach(d, json_path(doc, "Metadata.RepoDigests"))
	{
		if (cJSON_IsString(d))
			add_repo_digest(r, d->valuestring);
	}
	if (timefmt_parse_rfc3339(json_path_str(doc, "CreatedAt"), &r->created,
				  NULL, NULL) < 0)
		r->created = 0;
	if (results && !cJSON_IsArray(results) && !cJSON_IsNull(results))
		return err_set(e, ERR_PARSE, "%s: Results is not a list",
			       r->name);
	r->scanned = json_path(doc, "Metadata.OS") != NULL ||
		     cJSON_GetArraySize(results) > 0;
	cJSON_ArrayForEach(res, results)
	{
		const cJSON *vulns = json_path(res, "Vulnerabilities");

		if (vulns && !cJSON_IsArray(vulns) && !cJSON_IsNull(vulns))
			return err_set(e, ERR_PARSE,
				       "%s: Vulnerabilities is not a list",
				       r->name);
		cJSON_ArrayForEach(v, vulns)
		{
			struct scan_finding_in f;

			memset(&f, 0, sizeof(f));
			f.id = json_path_str(v, "VulnerabilityID");
			if (!f.id || !*f.id)
				return err_set(e, ERR_PARSE,
					       "%s: a vulnerability without "
					       "VulnerabilityID",
					       r->name);
			f.sev = scan_sev_parse(json_path_str(v, "Severity"));
			f.cvss = trivy_cvss(json_path(v, "CVSS"));
			f.package = json_path_str(v, "PkgName");
			f.installed = json_path_str(v, "InstalledVersion");
			f.fixed = json_path_str(v, "FixedVersion");
			f.title = json_path_str(v, "Title");
			if (!trivy_fix(json_path_str(v, "Status"), f.fixed,
				       &f.fix))
				continue;
			add_finding(r, &f);
		}
	}
	if (!r->scanned)
		snprintf(r->unverified, sizeof(r->unverified),
			 "Trivy detected no OS and no package files");
	return 0;
}

/* ---- Grype -------------------------------------------------------------- */

static enum scan_fix grype_fix(const char *state)
{
	if (!state)
		return SCAN_FIX_UNKNOWN;
	if (strcmp(state, "fixed") == 0)
		return SCAN_FIX_AVAILABLE;
	if (strcmp(state, "not-fixed") == 0)
		return SCAN_FIX_NONE;
	if (strcmp(state, "wont-fix") == 0)
		return SCAN_FIX_WONT;
	return SCAN_FIX_UNKNOWN;
}

static double grype_cvss(const cJSON *list)
{
	const cJSON *c;
	double best = -1;

	cJSON_ArrayForEach(c, list)
	{
		double s = json_path_num(c, "metrics.baseScore", -1);

		if (s > best)
			best = s;
	}
	return best;
}

static int parse_grype(const cJSON *doc, struct scan_report *r, struct err *e)
{
	const cJSON *matches = json_path(doc, "matches");
	const cJSON *m, *d;
	const char *type = json_path_str(doc, "source.type");
	const char *distro = json_path_str(doc, "distro.name");
	char fixed[200];

	r->kind = SCAN_GRYPE;
	if (!cJSON_IsArray(matches) && !cJSON_IsNull(matches))
		return err_set(e, ERR_PARSE, "%s: matches is not a list",
			       r->name);
	if (type && strcmp(type, "image") != 0)
		return err_set(e, ERR_PARSE,
			       "%s: a Grype report of a %.40s, not of a "
			       "container image",
			       r->name, type);
	text_safe_buf(r->artifact, sizeof(r->artifact),
		      json_path_str(doc, "source.target.userInput"), 200);
	add_digest(r, json_path_str(doc, "source.target.manifestDigest"));
	cJSON_ArrayForEach(d, json_path(doc, "source.target.repoDigests"))
	{
		if (cJSON_IsString(d))
			add_repo_digest(r, d->valuestring);
	}
	if (timefmt_parse_rfc3339(json_path_str(doc, "descriptor.timestamp"),
				  &r->created, NULL, NULL) < 0)
		r->created = 0;
	r->scanned = (distro && *distro) || cJSON_GetArraySize(matches) > 0;
	cJSON_ArrayForEach(m, matches)
	{
		const cJSON *vul = json_path(m, "vulnerability");
		const cJSON *vers = json_path(vul, "fix.versions");
		struct scan_finding_in f;
		const cJSON *fv;
		size_t len = 0;

		memset(&f, 0, sizeof(f));
		f.id = json_path_str(vul, "id");
		if (!f.id || !*f.id)
			return err_set(e, ERR_PARSE,
				       "%s: a match without vulnerability.id",
				       r->name);
		f.sev = scan_sev_parse(json_path_str(vul, "severity"));
		f.cvss = grype_cvss(json_path(vul, "cvss"));
		f.package = json_path_str(m, "artifact.name");
		f.installed = json_path_str(m, "artifact.version");
		f.fix = grype_fix(json_path_str(vul, "fix.state"));
		f.title = json_path_str(vul, "description");
		fixed[0] = '\0';
		cJSON_ArrayForEach(fv, vers)
		{
			if (!cJSON_IsString(fv) || len + 2 >= sizeof(fixed))
				continue;
			len += (size_t)snprintf(
			    fixed + len, sizeof(fixed) - len, "%s%s",
			    len ? ", " : "", fv->valuestring);
			if (len >= sizeof(fixed))
				len = sizeof(fixed) - 1;
		}
		f.fixed = fixed;
		add_finding(r, &f);
	}
	if (!r->scanned)
		snprintf(r->unverified, sizeof(r->unverified),
			 "Grype detected no distribution and found nothing");
	return 0;
}

/* ---- parsing ------------------------------------------------------------ */

/* 1 when text ends inside a string or an open object or list: a file
 * that was cut short rather than one that is wrong. */
static int cut_short(const char *text, size_t len)
{
	size_t i, depth = 0;
	int in_str = 0, esc = 0;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth)
			depth--;
	}
	return in_str || depth > 0;
}

static void where_error(const char *text, size_t len, const char *end,
			char *buf, size_t sz)
{
	size_t off = end && end >= text ? (size_t)(end - text) : len;
	size_t line = 1, col = 1, i;

	if (cut_short(text, len)) {
		snprintf(buf, sz, "it ends early at byte %zu (cut short?)",
			 len);
		return;
	}
	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(buf, sz, "unexpected text at line %zu, column %zu", line,
		 col);
}

int scan_report_parse(const char *text, size_t len, const char *name,
		      struct scan_report *r, struct err *e)
{
	const char *end = NULL;
	cJSON *doc;
	char where[120];
	int rc;

	memset(r, 0, sizeof(*r));
	text_safe_buf(r->name, sizeof(r->name), name ? name : "report", 120);
	doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!doc) {
		where_error(text, len, end, where, sizeof(where));
		return err_set(e, ERR_PARSE, "%s: not valid JSON: %s", r->name,
			       where);
	}
	if (json_path(doc, "SchemaVersion") &&
	    (json_path(doc, "Results") || json_path(doc, "ArtifactName")))
		rc = parse_trivy(doc, r, e);
	else if (json_path(doc, "matches") && json_path(doc, "source"))
		rc = parse_grype(doc, r, e);
	else
		rc = err_set(e, ERR_PARSE,
			     "%s: neither a Trivy (SchemaVersion 2) nor a "
			     "Grype report",
			     r->name);
	cJSON_Delete(doc);
	if (rc == 0 && !r->ndigests)
		rc = err_set(e, ERR_PARSE,
			     "%s: names no image digest (scanned from a local "
			     "file? scan the image in the registry)",
			     r->name);
	if (rc < 0)
		scan_report_free(r);
	return rc;
}

int scan_report_read(const char *path, struct scan_report *r, struct err *e)
{
	FILE *f = fopen(path, "rb");
	const char *base = strrchr(path, '/');
	char *buf;
	struct stat st;
	size_t got;
	int rc;

	memset(r, 0, sizeof(*r));
	base = base ? base + 1 : path;
	if (!f)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       "cannot read %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return err_set(e, ERR_IO, "%s: not a regular file", base);
	}
	if (st.st_size > SCAN_REPORT_MAX_BYTES) {
		fclose(f);
		return err_set(e, ERR_IO, "%s: larger than %ld MiB: skipped",
			       base, SCAN_REPORT_MAX_BYTES / (1024 * 1024));
	}
	buf = xmalloc((size_t)st.st_size + 1);
	got = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[got] = '\0';
	rc = scan_report_parse(buf, got, base, r, e);
	free(buf);
	return rc;
}

void scan_problems_add(char ***problems, const char *sentence)
{
	size_t n = 0;

	while (*problems && (*problems)[n])
		n++;
	*problems = xrealloc(*problems, (n + 2) * sizeof(**problems));
	/* File names and contents are anyone's: make them safe here. */
	(*problems)[n] = text_safe(sentence, 600, NULL);
	(*problems)[n + 1] = NULL;
}

void scan_problems_free(char ***problems)
{
	size_t i;

	if (!*problems)
		return;
	for (i = 0; (*problems)[i]; i++)
		free((*problems)[i]);
	free(*problems);
	*problems = NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_json_name(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && len > 5 && strcmp(n + len - 5, ".json") == 0;
}

int scan_reports_list(const char *dir, char ***names, size_t *n,
		      char ***problems, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0, skipped = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       "cannot read the report directory %s: %s", dir,
			       strerror(errno));
	for (;;) {
		de = readdir(d);
		if (!de)
			break;
		if (!is_json_name(de->d_name))
			continue;
		if (*n >= SCAN_REPORT_MAX_FILES) {
			skipped++;
			continue;
		}
		*names = xgrow(*names, &cap, *n + 2, sizeof(**names));
		(*names)[(*n)++] = xstrdup(de->d_name);
		(*names)[*n] = NULL;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_names);
	if (skipped) {
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "%.80s holds more than %d reports; %zu were not read",
			 dir, SCAN_REPORT_MAX_FILES, skipped);
		scan_problems_add(problems, msg);
	}
	return 0;
}

int scan_reports_read_dir(const char *dir, struct scan_report **out, size_t *n,
			  char ***problems, struct err *e)
{
	char **names = NULL, path[4096];
	size_t nn = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	rc = scan_reports_list(dir, &names, &nn, problems, e);
	if (rc < 0)
		return rc;
	if (nn)
		*out = xcalloc(nn, sizeof(**out));
	for (i = 0; i < nn; i++) {
		struct err fe;

		err_clear(&fe);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (scan_report_read(path, &(*out)[*n], &fe) == 0)
			(*n)++;
		else
			scan_problems_add(problems, fe.msg);
	}
	scan_problems_free(&names);
	return 0;
}

void scan_reports_free(struct scan_report **v, size_t n)
{
	size_t i;

	if (!*v)
		return;
	for (i = 0; i < n; i++)
		scan_report_free(&(*v)[i]);
	free(*v);
	*v = NULL;
}

/* ---- applying ----------------------------------------------------------- */

static void apply_one(const struct scan_report *r, struct scan_image *im)
{
	struct scan_source_result *s = &im->src[r->kind];
	size_t i;

	s->asked = 1;
	s->answered = 1;
	s->results = 1;
	if (r->created > s->scanned_at)
		s->scanned_at = r->created;
	if (!s->origin[0])
		snprintf(s->origin, sizeof(s->origin), "%s report %s",
			 scan_source_name(r->kind), r->name);
	else if (!strstr(s->origin, "reports"))
		snprintf(s->origin, sizeof(s->origin), "%s reports",
			 scan_source_name(r->kind));
	if (!r->scanned) {
		s->unverified++;
		snprintf(s->why, sizeof(s->why), "%s (%s)", r->unverified,
			 r->name);
		return;
	}
	if (!r->findings.n) {
		s->healthy_rows++;
		return;
	}
	for (i = 0; i < r->findings.n; i++) {
		const struct scan_finding *f = &r->findings.v[i];
		struct scan_finding_in in;

		memset(&in, 0, sizeof(in));
		in.id = f->id;
		in.sev = f->sev;
		in.cvss = f->cvss;
		in.package = f->package;
		in.installed = f->installed;
		in.fixed = f->fixed;
		in.fix = f->fix;
		in.title = f->title;
		in.digest = f->digest;
		in.source = r->kind;
		s->unhealthy_rows++;
		if (scan_findings_add(&im->findings, &in) < 0)
			im->dropped++;
	}
}

/* The repository path of a reference, for "is this the same image". */
static int ref_path(const char *ref, char *buf, size_t sz)
{
	struct image_ref ir;
	struct err e;

	if (!ref || !*ref || image_ref_parse(ref, &ir, &e) < 0)
		return -1;
	snprintf(buf, sz, "%s", ir.path);
	return 0;
}

/* The image r scanned another digest of, or NULL. */
static const struct scan_image *same_repo(const struct scan_report *r,
					  const struct scan_image *v, size_t n)
{
	char rp[600], ip[600];
	size_t k, lr, li;

	if (ref_path(r->artifact, rp, sizeof(rp)) < 0)
		return NULL;
	lr = strlen(rp);
	for (k = 0; k < n; k++) {
		if (ref_path(v[k].image, ip, sizeof(ip)) < 0)
			continue;
		li = strlen(ip);
		/* "library/busybox" matches ".../quarantine/library/busybox"
		 * and ".../live/library/busybox" too. */
		if (strcmp(rp, ip) == 0 ||
		    (lr > li && rp[lr - li - 1] == '/' &&
		     strcmp(rp + lr - li, ip) == 0))
			return &v[k];
	}
	return NULL;
}

void scan_reports_apply(const struct scan_report *r, size_t nr,
			struct scan_image *v, size_t n, char ***problems,
			size_t *unrelated)
{
	size_t i, k, d;

	if (unrelated)
		*unrelated = 0;
	for (i = 0; i < nr; i++) {
		const struct scan_image *other;
		int hit = 0;
		char msg[900];

		for (k = 0; k < n; k++) {
			for (d = 0; d < r[i].ndigests; d++) {
				if (scan_image_has_digest(&v[k],
							  r[i].digests[d]))
					break;
			}
			if (d < r[i].ndigests) {
				apply_one(&r[i], &v[k]);
				hit = 1;
			}
		}
		if (hit)
			continue;
		other = same_repo(&r[i], v, n);
		if (!other) {
			if (unrelated)
				(*unrelated)++;
			continue;
		}
		snprintf(msg, sizeof(msg),
			 "%s scanned %.19s of %s, but quarantine/ holds "
			 "%.19s: ignored",
			 r[i].name, r[i].digests[0], r[i].artifact,
			 other->digest[0] ? other->digest : "nothing");
		scan_problems_add(problems, msg);
	}
}
