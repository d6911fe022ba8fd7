/* test_scans.c - the scan model: Trivy and Grype reports, Defender rows of
 * both generations, digests through a multi-platform index, verdicts
 * (healthy, unhealthy, unverified, pending, unknown), two sources that
 * disagree, the promotion gate with its allow-list, and bad input (a
 * truncated report, a report for another digest, unreadable rows). The
 * reports and rows come from tests/unit/data/scans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/config.h"
#include "backend/scan.h"
#include "backend/scan_defender.h"
#include "backend/scan_gate.h"
#include "backend/scan_report.h"
#include "backend/loop.h"
#include "backend/scans_feed.h"
#include "backend/text.h"
#include "backend/timefmt.h"

#define D_BB_INDEX                                                            \
	"sha256:"                                                             \
	"0607a37acf4a5bb87ec292c904e666ff04e176caa6d3e9a919ed040923a9d777"
#define D_BB_AMD64                                                            \
	"sha256:"                                                             \
	"a5f94d889c9f5036e29458b4d41a7fe27b5ded9666b8edadd1aa08a9b2806824"
#define D_BB_ARM64                                                            \
	"sha256:"                                                             \
	"15a5882e0d667942e31ec991d2ee54b9e881b0c9b73e6bcae3a1c77f988db60d"
#define D_KURED                                                               \
	"sha256:"                                                             \
	"c298dd231904d193954e20ad6126d9cdfff4bbedb3d28396ec31710c49eb80f6"
#define D_ENVOY                                                               \
	"sha256:"                                                             \
	"84532b306f259587c364bd7301e0813963d5b84fd27c9338f0862dab8f0499d7"
#define D_SC                                                                  \
	"sha256:"                                                             \
	"7b28d2d78b048b72729793a202067b5ae436611cdebf3ac9bb0b2ad8f47b4e9d"
#define D_FALCO                                                               \
	"sha256:"                                                             \
	"f5bed22b9f4bed888f77f06c03a5d6aaef691682aa2820f6158919427f905194"

#define DATA "tests/unit/data/scans"

static time_t at(const char *s)
{
	time_t t = 0;
	struct err e;

	assert_int_equal(timefmt_parse_rfc3339(s, &t, NULL, &e), 0);
	return t;
}

/* "now" for every test: 2026-12-01T10:00:00Z. */
static time_t now(void)
{
	return at("2026-12-01T10:00:00Z");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static cJSON *rows_of(const char *file)
{
	size_t len;
	char path[256], *text;
	cJSON *doc, *data;

	snprintf(path, sizeof(path), DATA "/%s", file);
	text = slurp(path, &len);
	doc = cJSON_Parse(text);
	free(text);
	assert_non_null(doc);
	data = cJSON_DetachItemFromObject(doc, "data");
	cJSON_Delete(doc);
	return data;
}

static void image_init(struct scan_image *im, const char *ref,
		       const char *repo, const char *digest)
{
	memset(im, 0, sizeof(*im));
	snprintf(im->image, sizeof(im->image), "%s", ref);
	snprintf(im->repo, sizeof(im->repo), "%s", repo);
	snprintf(im->digest, sizeof(im->digest), "%s", digest);
	im->platforms_known = 1;
}

/* The six images of the walkthrough as the registry holds them; busybox
 * is an index over two platforms. */
static void six(struct scan_image v[6])
{
	image_init(&v[0], "docker.io/library/busybox:1.33.0",
		   "quarantine/library/busybox", D_BB_INDEX);
	v[0].is_index = 1;
	snprintf(v[0].platforms[0], 80, "%s", D_BB_AMD64);
	snprintf(v[0].platforms[1], 80, "%s", D_BB_ARM64);
	v[0].nplatforms = 2;
	image_init(&v[1], "docker.io/weaveworks/kured:1.6.1",
		   "quarantine/weaveworks/kured", D_KURED);
	image_init(&v[2], "docker.io/envoyproxy/envoy-alpine:v1.15.0",
		   "quarantine/envoyproxy/envoy-alpine", D_ENVOY);
	image_init(&v[3], "ghcr.io/fluxcd/source-controller:v0.6.3",
		   "quarantine/fluxcd/source-controller", D_SC);
	image_init(&v[4], "docker.io/falcosecurity/falco:0.26.2",
		   "quarantine/falcosecurity/falco", D_FALCO);
	image_init(&v[5], "ghcr.io/fluxcd/kustomize-controller:v0.6.3",
		   "quarantine/fluxcd/kustomize-controller", "");
}

static void free_six(struct scan_image v[6])
{
	int i;

	for (i = 0; i < 6; i++)
		scan_image_free(&v[i]);
}

static const struct scan_finding *find(const struct scan_findings *l,
				       const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	}
	return NULL;
}

static int has_control(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/* ---- names ---------------------------------------------------------- */

static void test_names(void **state)
{
	enum scan_sev s;
	char src[16];

	(void)state;
	scan_sources_text((1u << SCAN_DEFENDER) | (1u << SCAN_GRYPE), ",",
			  src, sizeof(src));
	assert_string_equal(src, "defender,grype");
	scan_sources_text(0, ",", src, sizeof(src));
	assert_string_equal(src, "");
	scan_sources_text(7, ", ", src, 12); /* cut to fit, terminated */
	assert_string_equal(src, "defender, t");
	assert_int_equal(scan_sev_parse("CRITICAL"), SCAN_SEV_CRITICAL);
	assert_int_equal(scan_sev_parse("High"), SCAN_SEV_HIGH);
	assert_int_equal(scan_sev_parse("Negligible"), SCAN_SEV_NEGLIGIBLE);
	assert_int_equal(scan_sev_parse("UNKNOWN"), SCAN_SEV_UNKNOWN);
	assert_int_equal(scan_sev_parse("severe"), SCAN_SEV_UNKNOWN);
	assert_int_equal(scan_sev_parse(NULL), SCAN_SEV_UNKNOWN);
	assert_int_equal(scan_sev_parse("5"), SCAN_SEV_CRITICAL);
	assert_int_equal(scan_sev_from_name("medium", &s), 0);
	assert_int_equal(s, SCAN_SEV_MEDIUM);
	assert_int_equal(scan_sev_from_name("meh", &s), -1);
	assert_string_equal(scan_verdict_name(SCAN_UNVERIFIED), "unverified");
	assert_string_equal(scan_fix_name(SCAN_FIX_AVAILABLE),
			    "fix available");
	assert_true(scan_digest_valid(D_KURED));
	assert_false(scan_digest_valid("sha256:abc"));
	assert_false(scan_digest_valid("sha256:C298DD231904D193954E20AD6126D9"
				       "CDFFF4BBEDB3D28396EC31710C49EB80F6"));
}

static void test_findings_merge_sort(void **state)
{
	struct scan_findings l = {0};
	struct scan_finding_in f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.id = "CVE-1";
	f.sev = SCAN_SEV_MEDIUM;
	f.cvss = 5.0;
	f.package = "openssl";
	f.installed = "1.0";
	f.source = SCAN_TRIVY;
	assert_int_equal(scan_findings_add(&l, &f), 1);
	/* The same finding from Grype, rated higher, with a fix. */
	f.sev = SCAN_SEV_HIGH;
	f.cvss = 7.5;
	f.fix = SCAN_FIX_AVAILABLE;
	f.fixed = "1.1";
	f.source = SCAN_GRYPE;
	assert_int_equal(scan_findings_add(&l, &f), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].sources,
			 (1u << SCAN_TRIVY) | (1u << SCAN_GRYPE));
	assert_int_equal(l.v[0].sev, SCAN_SEV_HIGH);
	/* each source keeps its own rating for its own counts */
	assert_int_equal(l.v[0].src_sev[SCAN_TRIVY], SCAN_SEV_MEDIUM);
	assert_int_equal(l.v[0].src_sev[SCAN_GRYPE], SCAN_SEV_HIGH);
	assert_int_equal(l.v[0].src_sev[SCAN_DEFENDER], -1);
	assert_int_equal(l.v[0].src_fixable, 1u << SCAN_GRYPE);
	assert_string_equal(l.v[0].fixed, "1.1");
	/* Another package: another finding. */
	f.package = "libssl";
	assert_int_equal(scan_findings_add(&l, &f), 1);
	f.id = "CVE-2";
	f.sev = SCAN_SEV_CRITICAL;
	f.cvss = 9.0;
	assert_int_equal(scan_findings_add(&l, &f), 1);
	f.id = "CVE-3";
	f.sev = SCAN_SEV_HIGH;
	f.cvss = 8.8;
	assert_int_equal(scan_findings_add(&l, &f), 1);
	scan_findings_sort(&l);
	assert_string_equal(l.v[0].id, "CVE-2");
	assert_string_equal(l.v[1].id, "CVE-3");
	assert_string_equal(l.v[2].id, "CVE-1");
	scan_findings_free(&l);
}

/* ---- reports -------------------------------------------------------- */

static void test_trivy(void **state)
{
	struct scan_report r;
	struct err e;
	const struct scan_finding *f;

	(void)state;
	assert_int_equal(scan_report_read(DATA "/trivy-busybox.json", &r, &e),
			 0);
	assert_int_equal(r.kind, SCAN_TRIVY);
	assert_int_equal(r.ndigests, 1);
	assert_string_equal(r.digests[0], D_BB_INDEX);
	assert_true(r.scanned);
	assert_int_equal(r.created, at("2026-12-01T09:30:00Z"));
	/* six vulnerabilities, one of them not_affected */
	assert_int_equal(r.findings.n, 5);
	f = find(&r.findings, "CVE-2022-28391");
	assert_non_null(f);
	assert_int_equal(f->sev, SCAN_SEV_CRITICAL);
	assert_int_equal(f->fix, SCAN_FIX_NONE);
	assert_false(has_control(f->title));
	assert_non_null(strstr(f->title, "RED"));
	f = find(&r.findings, "CVE-2021-42378");
	assert_true(f->cvss > 7.19 && f->cvss < 7.21);
	assert_string_equal(f->fixed, "1.33.1-r6");
	assert_int_equal(f->fix, SCAN_FIX_AVAILABLE);
	assert_int_equal(find(&r.findings, "CVE-2021-23840")->fix,
			 SCAN_FIX_WONT);
	assert_int_equal(find(&r.findings, "GHSA-xxxx-unrated")->sev,
			 SCAN_SEV_UNKNOWN);
	assert_null(find(&r.findings, "CVE-2020-0001"));
	scan_report_free(&r);

	assert_int_equal(scan_report_read(DATA "/trivy-clean.json", &r, &e),
			 0);
	assert_true(r.scanned);
	assert_int_equal(r.findings.n, 0);
	scan_report_free(&r);
	assert_int_equal(scan_report_read(DATA "/trivy-no-os.json", &r, &e),
			 0);
	assert_false(r.scanned);
	assert_non_null(strstr(r.unverified, "no OS"));
	scan_report_free(&r);
}

static void test_grype(void **state)
{
	struct scan_report r;
	struct err e;
	const struct scan_finding *f;

	(void)state;
	assert_int_equal(
	    scan_report_read(DATA "/grype-busybox-arm64.json", &r, &e), 0);
	assert_int_equal(r.kind, SCAN_GRYPE);
	assert_int_equal(r.ndigests, 2);
	assert_string_equal(r.digests[0], D_BB_ARM64);
	assert_string_equal(r.digests[1], D_BB_INDEX);
	/* 10:15 at +01:00 */
	assert_int_equal(r.created, at("2026-12-01T09:15:00Z"));
	assert_int_equal(r.findings.n, 4);
	f = find(&r.findings, "CVE-2021-28831");
	assert_int_equal(f->sev, SCAN_SEV_CRITICAL);
	assert_int_equal(f->fix, SCAN_FIX_NONE);
	assert_string_equal(f->package, "busybox");
	assert_string_equal(f->digest, D_BB_ARM64);
	f = find(&r.findings, "CVE-2019-99997");
	assert_int_equal(f->sev, SCAN_SEV_UNKNOWN);
	assert_string_equal(f->fixed, "1.2.2-r3, 1.2.3-r0");
	assert_int_equal(find(&r.findings, "CVE-2019-99998")->sev,
			 SCAN_SEV_NEGLIGIBLE);
	assert_int_equal(find(&r.findings, "CVE-2019-99998")->fix,
			 SCAN_FIX_WONT);
	scan_report_free(&r);

	assert_int_equal(
	    scan_report_read(DATA "/grype-kured-empty.json", &r, &e), 0);
	assert_true(r.scanned);
	assert_int_equal(r.findings.n, 0);
	assert_string_equal(r.digests[0], D_KURED);
	scan_report_free(&r);
}

static void test_bad_reports(void **state)
{
	struct scan_report r;
	struct err e;

	(void)state;
	assert_int_equal(
	    scan_report_read(DATA "/trivy-truncated.json", &r, &e),
	    -ERR_PARSE);
	assert_string_equal(e.msg, "trivy-truncated.json: not valid JSON: it "
				   "ends early at byte 1500 (cut short?)");
	assert_true(scan_report_read(DATA "/trivy-schema1.json", &r, &e) < 0);
	assert_string_equal(e.msg, "trivy-schema1.json: neither a Trivy "
				   "(SchemaVersion 2) nor a Grype report");
	assert_true(scan_report_read(DATA "/not-a-report.json", &r, &e) < 0);
	assert_non_null(strstr(e.msg, "neither a Trivy"));
	assert_true(scan_report_read(DATA "/trivy-local-tar.json", &r, &e) <
		    0);
	assert_non_null(strstr(e.msg, "trivy-local-tar.json: names no image "
				      "digest"));
	assert_true(scan_report_read(DATA "/grype-dir.json", &r, &e) < 0);
	assert_string_equal(e.msg, "grype-dir.json: a Grype report of a "
				   "directory, not of a container image");
	assert_int_equal(scan_report_read(DATA "/missing.json", &r, &e),
			 -ERR_NOTFOUND);
	assert_int_equal(scan_report_parse("{\"SchemaVersion\": 2,\n \"Res",
					   26, "x.json", &r, &e),
			 -ERR_PARSE);
	assert_non_null(
	    strstr(e.msg, "x.json: not valid JSON: it ends early"));
	assert_int_equal(scan_report_parse("{\"SchemaVersion\": 2,\n ]", 23,
					   "y.json", &r, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg, "y.json: not valid JSON: unexpected text "
				   "at line 2, column 2");
	assert_int_equal(scan_report_parse("{\"SchemaVersion\": 3, "
					   "\"Results\": []}",
					   36, "z.json", &r, &e),
			 -ERR_PARSE);
	assert_string_equal(e.msg, "z.json: Trivy SchemaVersion 3 is not "
				   "supported (only 2)");
}

static int count_problems(char **p)
{
	int n = 0;

	while (p && p[n])
		n++;
	return n;
}

static int problem_has(char **p, const char *needle)
{
	int i;

	for (i = 0; p && p[i]; i++) {
		if (strstr(p[i], needle))
			return 1;
	}
	return 0;
}

/* The directory: every good report is read, every bad one is one
 * sentence, and the reports land on the images by digest. */
static void test_report_dir(void **state)
{
	struct scan_report *r = NULL;
	struct scan_image v[6];
	char **problems = NULL;
	size_t n = 0, unrelated = 0;
	struct err e;
	const struct scan_finding *f;
	char buf[200];

	(void)state;
	assert_int_equal(scan_reports_read_dir(DATA, &r, &n, &problems, &e),
			 0);
	/* trivy busybox, clean, no-os, other-digest; grype busybox, kured */
	assert_int_equal(n, 6);
	/* truncated, schema1, not-a-report, local-tar, grype-dir; the
	 * Defender pages are not reports either */
	assert_int_equal(count_problems(problems), 7);
	assert_true(problem_has(problems, "trivy-truncated.json: not valid "
					  "JSON"));
	assert_true(problem_has(problems, "grype-dir.json: a Grype report of "
					  "a directory"));
	six(v);
	scan_reports_apply(r, n, v, 6, &problems, &unrelated);
	assert_int_equal(unrelated, 0);
	assert_true(problem_has(problems,
				"trivy-other-digest.json scanned "
				"sha256:88651b916044 of docker.io/library/"
				"busybox:1.33.0, but quarantine/ holds "
				"sha256:0607a37acf4a: ignored"));
	assert_int_equal(count_problems(problems), 8);

	/* busybox: Trivy scanned the index, Grype the arm64 manifest. */
	scan_image_combine(&v[0], now(), 4 * 3600);
	assert_int_equal(v[0].verdict, SCAN_UNHEALTHY);
	assert_true(v[0].src[SCAN_TRIVY].asked && v[0].src[SCAN_GRYPE].asked);
	assert_false(v[0].src[SCAN_DEFENDER].asked);
	f = find(&v[0].findings, "CVE-2021-42378");
	assert_int_equal(f->sources, (1u << SCAN_TRIVY) | (1u << SCAN_GRYPE));
	assert_null(find(&v[0].findings, "CVE-2021-99999"));
	/* Trivy: 2 critical, 1 high, 1 medium, 1 unknown; Grype: 1
	 * critical, 1 high, 1 negligible, 1 unknown: they disagree. */
	assert_true(v[0].disagree);
	assert_int_equal(v[0].src[SCAN_TRIVY].counts[SCAN_SEV_CRITICAL], 2);
	assert_int_equal(v[0].src[SCAN_GRYPE].counts[SCAN_SEV_CRITICAL], 1);
	assert_int_equal(v[0].counts[SCAN_SEV_CRITICAL], 3);
	assert_int_equal(v[0].counts[SCAN_SEV_HIGH], 1);
	assert_string_equal(scan_counts_text(v[0].counts, buf, sizeof(buf)),
			    "3 critical, 1 high, 1 medium, 1 negligible, 2 "
			    "unknown");
	/* 42378 (both), 3711, GHSA (Trivy), 99997 (Grype) */
	assert_int_equal(v[0].fixable, 4);
	assert_int_equal(v[0].scanned_at, at("2026-12-01T09:30:00Z"));
	/* sorted: critical first, then by CVSS */
	assert_int_equal(v[0].findings.v[0].sev, SCAN_SEV_CRITICAL);
	assert_true(v[0].findings.v[0].cvss >= v[0].findings.v[1].cvss);

	/* kured: Grype found nothing, distro known: healthy. */
	scan_image_combine(&v[1], now(), 4 * 3600);
	assert_int_equal(v[1].verdict, SCAN_HEALTHY);
	assert_false(v[1].disagree);
	/* envoy: Trivy could not scan it. */
	scan_image_combine(&v[2], now(), 4 * 3600);
	assert_int_equal(v[2].verdict, SCAN_UNVERIFIED);
	assert_non_null(strstr(v[2].why, "Trivy: Trivy detected no OS"));
	/* source-controller: clean. */
	scan_image_combine(&v[3], now(), 4 * 3600);
	assert_int_equal(v[3].verdict, SCAN_HEALTHY);
	/* falco: no report at all and no other source: unknown. */
	scan_image_combine(&v[4], now(), 4 * 3600);
	assert_int_equal(v[4].verdict, SCAN_UNKNOWN);
	assert_non_null(strstr(v[4].why, "no scan source"));
	/* kustomize-controller is not in quarantine/ */
	scan_image_combine(&v[5], now(), 4 * 3600);
	assert_int_equal(v[5].verdict, SCAN_UNKNOWN);
	assert_string_equal(v[5].why, "not in quarantine/: nothing to scan");

	free_six(v);
	scan_reports_free(&r, n);
	scan_problems_free(&problems);
}

/* ---- Defender ------------------------------------------------------- */

static void test_defender_query(void **state)
{
	const char *d[] = {D_BB_INDEX, D_BB_AMD64};
	const char *bad[] = {"sha256:1234"};
	struct err e;
	char *q;

	(void)state;
	q = scan_defender_query(SCAN_DEFENDER_MDVM, "AcrAksTest.azurecr.io", d,
				2, &e);
	assert_non_null(q);
	assert_string_equal(
	    q, "securityresources\n"
	       "| where type =~ "
	       "\"microsoft.security/assessments/subassessments\"\n"
	       "| where properties.additionalData.assessedResourceType == "
	       "\"AzureContainerRegistryVulnerability\"\n"
	       "| where properties.additionalData.artifactDetails."
	       "registryHost =~ \"acrakstest.azurecr.io\"\n"
	       "| where properties.additionalData.artifactDetails.digest "
	       "in (\"" D_BB_INDEX "\", \"" D_BB_AMD64 "\")\n"
	       "| project id, properties");
	free(q);
	q = scan_defender_query(SCAN_DEFENDER_QUALYS, "acrakstest.azurecr.io",
				d, 1, &e);
	assert_non_null(strstr(q, "== \"ContainerRegistryVulnerability\""));
	assert_non_null(strstr(q, "additionalData.registryHost =~ "
				  "\"acrakstest.azurecr.io\""));
	assert_non_null(
	    strstr(q, "additionalData.imageDigest in (\"" D_BB_INDEX "\")"));
	free(q);
	assert_null(scan_defender_query(SCAN_DEFENDER_MDVM, "acr\" or 1==1", d,
					1, &e));
	assert_non_null(strstr(e.msg, "not a registry login server"));
	assert_null(scan_defender_query(SCAN_DEFENDER_MDVM, "acr.azurecr.io",
					bad, 1, &e));
	assert_string_equal(e.msg, "not an image digest: sha256:1234");
	assert_null(scan_defender_query(SCAN_DEFENDER_MDVM, "acr.azurecr.io",
					d, 0, &e));
}

static void answered(struct scan_image *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].src[SCAN_DEFENDER].asked = 1;
		v[i].src[SCAN_DEFENDER].answered = 1;
	}
}

static void test_defender_rows(void **state)
{
	struct scan_image v[6];
	struct scan_defender_stats st;
	cJSON *rows = rows_of("defender-rows.json");
	const struct scan_finding *f;
	int i;

	(void)state;
	six(v);
	answered(v, 6);
	memset(&st, 0, sizeof(st));
	scan_defender_apply(rows, v, 6, &st);
	assert_int_equal(st.rows, 7);
	assert_int_equal(st.used, 5);
	assert_int_equal(st.other, 2);
	assert_int_equal(st.bad, 0);
	for (i = 0; i < 6; i++)
		scan_image_combine(&v[i], now(), 4 * 3600);

	/* busybox: one row for the index, one for the amd64 manifest */
	assert_int_equal(v[0].verdict, SCAN_UNHEALTHY);
	assert_int_equal(v[0].findings.n, 2);
	f = &v[0].findings.v[0];
	assert_string_equal(f->id, "CVE-2021-3711");
	/* vulnerabilityDetails says Critical where status says High */
	assert_int_equal(f->sev, SCAN_SEV_CRITICAL);
	assert_string_equal(f->fixed, "");
	assert_int_equal(f->fix, SCAN_FIX_AVAILABLE);
	assert_string_equal(f->package, "libssl1.1");
	assert_true(f->cvss > 9.7);
	assert_string_equal(v[0].findings.v[1].digest, D_BB_AMD64);
	assert_int_equal(v[0].fixable, 2);
	assert_string_equal(v[0].src[SCAN_DEFENDER].origin, "Defender (MDVM)");
	assert_int_equal(v[0].scanned_at, at("2026-12-01T09:00:00Z"));
	/* kured: a Qualys row, the highest CVSS version's score */
	assert_int_equal(v[1].verdict, SCAN_UNHEALTHY);
	assert_int_equal(v[1].findings.n, 1);
	assert_string_equal(v[1].findings.v[0].id, "178411");
	assert_true(v[1].findings.v[0].cvss > 8.0 &&
		    v[1].findings.v[0].cvss < 8.2);
	assert_int_equal(v[1].findings.v[0].fix, SCAN_FIX_AVAILABLE);
	assert_string_equal(v[1].src[SCAN_DEFENDER].origin,
			    "Defender (Qualys)");
	/* envoy: NotApplicable */
	assert_int_equal(v[2].verdict, SCAN_UNVERIFIED);
	assert_string_equal(v[2].why, "Defender: not applicable: Unsupported "
				      "(Image OS is not supported)");
	/* source-controller: a Healthy row only */
	assert_int_equal(v[3].verdict, SCAN_HEALTHY);
	assert_int_equal(v[3].findings.n, 0);
	/* falco: no row, import time unknown */
	assert_int_equal(v[4].verdict, SCAN_UNKNOWN);
	assert_non_null(strstr(v[4].why, "Defender: no results for "
					 "sha256:f5bed22b9f4b (import time "
					 "unknown)"));
	free_six(v);
	cJSON_Delete(rows);
}

/* Unreadable rows: one sentence, the readable rows still count, and no
 * image turns healthy on a partial answer. */
static void test_defender_bad_rows(void **state)
{
	struct scan_image v[6];
	struct scan_defender_stats st;
	cJSON *rows = rows_of("defender-bad-rows.json");

	(void)state;
	six(v);
	answered(v, 6);
	memset(&st, 0, sizeof(st));
	scan_defender_apply(rows, v, 6, &st);
	assert_int_equal(st.rows, 4);
	assert_int_equal(st.bad, 3);
	assert_string_equal(st.first_bad, "row 1: no properties.status.code");
	scan_image_combine(&v[1], now(), 4 * 3600);
	assert_int_equal(v[1].verdict, SCAN_UNHEALTHY);
	assert_string_equal(v[1].findings.v[0].id, "178411");
	scan_image_combine(&v[3], now(), 4 * 3600);
	assert_int_equal(v[3].verdict, SCAN_UNKNOWN);
	assert_non_null(strstr(v[3].why, "cut short"));
	free_six(v);
	cJSON_Delete(rows);
}

/* Defender and a Trivy report disagree about busybox. */
static void test_sources_disagree(void **state)
{
	struct scan_image v[6];
	struct scan_defender_stats st;
	struct scan_report r;
	struct err e;
	cJSON *rows = rows_of("defender-rows.json");

	(void)state;
	six(v);
	answered(v, 6);
	memset(&st, 0, sizeof(st));
	scan_defender_apply(rows, v, 6, &st);
	assert_int_equal(scan_report_read(DATA "/trivy-clean.json", &r, &e),
			 0);
	scan_reports_apply(&r, 1, v, 6, NULL, NULL);
	scan_report_free(&r);
	/* source-controller: both clean, same counts: they agree */
	scan_image_combine(&v[3], now(), 4 * 3600);
	assert_int_equal(v[3].verdict, SCAN_HEALTHY);
	assert_false(v[3].disagree);
	assert_int_equal(scan_report_read(DATA "/trivy-busybox.json", &r, &e),
			 0);
	scan_reports_apply(&r, 1, v, 6, NULL, NULL);
	scan_report_free(&r);
	scan_image_combine(&v[0], now(), 4 * 3600);
	assert_true(v[0].disagree);
	assert_int_equal(v[0].src[SCAN_DEFENDER].verdict, SCAN_UNHEALTHY);
	assert_int_equal(v[0].src[SCAN_TRIVY].verdict, SCAN_UNHEALTHY);
	/* CVE-2021-3711 from both, merged: 2 Defender + 5 Trivy - 2 */
	assert_int_equal(v[0].findings.n, 5);
	assert_int_equal(v[0].src[SCAN_DEFENDER].counts[SCAN_SEV_CRITICAL], 1);
	assert_int_equal(v[0].src[SCAN_TRIVY].counts[SCAN_SEV_CRITICAL], 2);
	free_six(v);
	cJSON_Delete(rows);
}

static void test_pending_unknown(void **state)
{
	struct scan_image im;

	(void)state;
	image_init(&im, "docker.io/library/busybox:1.33.0",
		   "quarantine/library/busybox", D_BB_INDEX);
	im.src[SCAN_DEFENDER].asked = 1;
	im.src[SCAN_DEFENDER].answered = 1;
	im.imported_at = now() - 4 * 60;
	scan_image_combine(&im, now(), 4 * 3600);
	assert_int_equal(im.verdict, SCAN_PENDING);
	assert_string_equal(im.why, "no results yet; imported 4m ago");
	im.imported_at = now() - 5 * 3600;
	scan_image_combine(&im, now(), 4 * 3600);
	assert_int_equal(im.verdict, SCAN_UNKNOWN);
	assert_string_equal(im.why, "Defender: no results 5h after the "
				    "import");
	/* no answer at all: the source's sentence */
	im.src[SCAN_DEFENDER].answered = 0;
	snprintf(im.src[SCAN_DEFENDER].why, sizeof(im.src[0].why),
		 "Resource Graph answered 429 ten times");
	im.imported_at = now() - 60;
	scan_image_combine(&im, now(), 4 * 3600);
	assert_int_equal(im.verdict, SCAN_UNKNOWN);
	assert_string_equal(im.why, "Defender: Resource Graph answered 429 "
				    "ten times");
	/* a truncated answer without findings is never healthy */
	im.src[SCAN_DEFENDER].answered = 1;
	im.src[SCAN_DEFENDER].healthy_rows = 1;
	im.src[SCAN_DEFENDER].truncated = 1;
	im.imported_at = now() - 5 * 3600;
	scan_image_combine(&im, now(), 4 * 3600);
	assert_int_equal(im.verdict, SCAN_UNKNOWN);
	im.src[SCAN_DEFENDER].truncated = 0;
	scan_image_combine(&im, now(), 4 * 3600);
	assert_int_equal(im.verdict, SCAN_HEALTHY);
	scan_image_free(&im);
}

/* ---- the gate ------------------------------------------------------- */

static void busybox_from_trivy(struct scan_image *im)
{
	struct scan_report r;
	struct err e;

	image_init(im, "docker.io/library/busybox:1.33.0",
		   "quarantine/library/busybox", D_BB_INDEX);
	assert_int_equal(scan_report_read(DATA "/trivy-busybox.json", &r, &e),
			 0);
	scan_reports_apply(&r, 1, im, 1, NULL, NULL);
	scan_report_free(&r);
	scan_image_combine(im, now(), 4 * 3600);
}

static void test_gate_default(void **state)
{
	struct scan_policy p;
	struct scan_image im;
	struct scan_gate g;

	(void)state;
	scan_policy_default(&p);
	busybox_from_trivy(&im);
	scan_gate_eval(&p, &im, now(), &g);
	assert_true(g.blocked);
	/* critical (x2), high with a fix, unknown (counts as high) with a
	 * fix; the medium without a fix passes */
	assert_int_equal(g.nblocking, 4);
	assert_string_equal(
	    g.why, "blocked by: CVE-2021-3711 (critical, libssl1.1 "
		   "1.1.1k-r0 -> 1.1.1l-r0), CVE-2022-28391 (critical, "
		   "busybox 1.33.0-r6), CVE-2021-42378 (high, busybox "
		   "1.33.0-r6 -> 1.33.1-r6), GHSA-xxxx-unrated (unknown, "
		   "ssl_client 1.33.0-r6 -> 1.33.1-r0)");
	/* high without a fix may pass; critical never */
	assert_int_equal(scan_gate_finding(&p, &im.findings.v[1], now(), NULL),
			 SCAN_GATE_BLOCKS);
	scan_image_free(&im);
	scan_policy_free(&p);
}

/* Before a promotion: no scan state, or no answer yet, blocks unless the
 * policy lets unknown images through. */
static void test_gate_of_no_verdict(void **state)
{
	struct loop *l = loop_new();
	struct scans_opts o;
	struct scan_policy p;
	struct scans *s;
	struct scan_gate g;
	struct err e;

	(void)state;
	scans_gate_of(NULL, "busybox", NULL, &g);
	assert_true(g.blocked);
	assert_string_equal(g.why, "blocked by: no scan verdict (no scan "
				   "state)");
	scans_gate_of(NULL, "busybox", "bad \x1b[31mgate", &g);
	assert_true(g.blocked);
	assert_null(strchr(g.why, 0x1b));

	memset(&o, 0, sizeof(o));
	o.loop = l;
	s = scans_new(&o, NULL, NULL, &e);
	assert_non_null(s);
	scans_gate_of(s, "busybox", "unused", &g);
	assert_true(g.blocked);
	assert_string_equal(g.why, "blocked by: no scan verdict (the "
				   "scanners have not answered yet)");
	scans_free(&s);

	scan_policy_default(&p);
	p.block_unknown = 0;
	o.policy = &p;
	s = scans_new(&o, NULL, NULL, &e);
	assert_non_null(s);
	scans_gate_of(s, "busybox", NULL, &g);
	assert_false(g.blocked);
	assert_string_equal(g.why, "passes: no verdict yet, and unknown does "
				   "not block under the policy");
	scans_free(&s);
	scan_policy_free(&p);
	loop_free(&l);
}

static void test_gate_allow_list(void **state)
{
	struct scan_policy p;
	struct scan_image im;
	struct scan_gate g;
	struct err e;

	(void)state;
	scan_policy_default(&p);
	assert_int_equal(scan_policy_allow(&p,
					   "CVE-2021-3711 2027-01-31 SM2 "
					   "is not used by busybox",
					   &e),
			 0);
	assert_int_equal(scan_policy_allow(&p,
					   "cve-2022-28391 2026-11-30 "
					   "netstat is not shipped",
					   &e),
			 0);
	assert_int_equal(scan_policy_set(&p, "allow",
					 "CVE-2021-42378 2026-12-01 awk "
					 "not reachable",
					 &e),
			 0);
	assert_int_equal(scan_policy_set(&p, "allow",
					 "GHSA-xxxx-unrated 2026-12-31 "
					 "unrated",
					 &e),
			 0);
	assert_int_equal(p.nallow, 4);
	assert_string_equal(p.allow[0].reason, "SM2 is not used by busybox");
	busybox_from_trivy(&im);
	scan_gate_eval(&p, &im, now(), &g);
	/* 3711 and 42378 (through the end of 2026-12-01) and the GHSA are
	 * allowed; 28391's entry expired yesterday */
	assert_true(g.blocked);
	assert_int_equal(g.nallowed, 3);
	assert_int_equal(g.nexpired, 1);
	assert_string_equal(g.why, "blocked by: CVE-2022-28391 (critical, "
				   "busybox 1.33.0-r6; allow-list entry "
				   "expired 2026-11-30)");
	/* a day later, 42378's entry has expired too */
	scan_gate_eval(&p, &im, now() + 24 * 3600, &g);
	assert_int_equal(g.nblocking, 2);
	scan_policy_free(&p);
	assert_int_equal(scan_policy_allow(&p,
					   "CVE-2022-28391 2027-01-01 "
					   "netstat is not shipped",
					   &e),
			 0);
	assert_int_equal(
	    scan_policy_allow(&p, "CVE-2021-3711 2027-01-01 x", &e), 0);
	assert_int_equal(
	    scan_policy_allow(&p, "CVE-2021-42378 2027-01-01 x", &e), 0);
	assert_int_equal(scan_policy_allow(&p,
					   "GHSA-xxxx-unrated 2027-01-01 "
					   "x",
					   &e),
			 0);
	scan_gate_eval(&p, &im, now(), &g);
	assert_false(g.blocked);
	assert_string_equal(g.why, "passes (4 allowed by the allow-list)");
	scan_policy_free(&p);
	/* entries that do not parse */
	assert_true(scan_policy_allow(&p, "CVE-1 2027-01-01", &e) < 0);
	assert_string_equal(e.msg, "allow-list entry CVE-1 needs a reason "
				   "after its date");
	assert_true(scan_policy_allow(&p, "CVE-1 next-week because", &e) < 0);
	assert_string_equal(e.msg, "allow-list entry CVE-1: \"next-week\" is "
				   "not an expiry date (YYYY-MM-DD)");
	assert_true(scan_policy_allow(&p, "CVE-1 2027-02-30 x", &e) < 0);
	assert_true(scan_policy_allow(&p, "  ", &e) < 0);
	assert_int_equal(p.nallow, 0);
	scan_image_free(&im);
}

static void test_gate_settings(void **state)
{
	struct scan_policy p;
	struct scan_image im;
	struct scan_gate g;
	struct err e;

	(void)state;
	scan_policy_default(&p);
	busybox_from_trivy(&im);
	assert_int_equal(scan_policy_set(&p, "max_severity", "critical", &e),
			 0);
	assert_int_equal(
	    scan_policy_set(&p, "max_fixable_severity", "critical", &e), 0);
	scan_gate_eval(&p, &im, now(), &g);
	assert_false(g.blocked);
	assert_string_equal(g.why, "passes");
	assert_int_equal(
	    scan_policy_set(&p, "max_fixable_severity", "none", &e), 0);
	scan_gate_eval(&p, &im, now(), &g);
	/* every finding with a fix: 3711, 42378, the GHSA */
	assert_int_equal(g.nblocking, 3);
	assert_true(scan_policy_set(&p, "max_severity", "bad", &e) < 0);
	assert_string_equal(e.msg, "max_severity: \"bad\" is not one of none, "
				   "negligible, low, medium, high, critical");
	assert_true(scan_policy_set(&p, "block_pending", "maybe", &e) < 0);
	assert_true(scan_policy_set(&p, "colour", "red", &e) < 0);
	assert_int_equal(scan_policy_set(&p, "pending_window", "90m", &e), 0);
	assert_int_equal(p.pending_window_s, 5400);
	scan_image_free(&im);

	/* pending, unverified, unknown: blocked unless the policy says */
	image_init(&im, "docker.io/library/busybox:1.33.0",
		   "quarantine/library/busybox", D_BB_INDEX);
	im.src[SCAN_DEFENDER].asked = 1;
	im.src[SCAN_DEFENDER].answered = 1;
	im.imported_at = now() - 4 * 60;
	scan_image_combine(&im, now(), p.pending_window_s);
	scan_gate_eval(&p, &im, now(), &g);
	assert_true(g.blocked);
	assert_string_equal(g.why, "blocked by: no scan verdict (pending: no "
				   "results yet; imported 4m ago)");
	assert_int_equal(scan_policy_set(&p, "block_pending", "no", &e), 0);
	scan_gate_eval(&p, &im, now(), &g);
	assert_false(g.blocked);
	assert_string_equal(g.why, "passes: pending is not blocking under the "
				   "policy");
	im.imported_at = now() - 3 * 3600;
	scan_image_combine(&im, now(), p.pending_window_s);
	scan_gate_eval(&p, &im, now(), &g);
	assert_true(g.blocked);
	assert_non_null(strstr(g.why, "no scan verdict (unknown: Defender: "
				      "no results 3h after the import)"));
	scan_image_free(&im);
	scan_policy_free(&p);
}

/* The gate's settings come from the config's key table and its
 * scan_gate_allow lines; a bad line is a problem naming the line. */
static void test_policy_from_config(void **state)
{
	char path[] = "/tmp/jd-scans-config.XXXXXX";
	struct config c;
	struct scan_policy p;
	struct err e;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	fputs("scan_gate_max_severity = medium\n"
	      "scan_gate_block_pending = no\n"
	      "scan_pending_window = 90m\n"
	      "scan_gate_allow = CVE-2021-3711 2027-01-31 SM2 unused here\n"
	      "scan_gate_allow = GHSA-1 2027-02-01 not reachable\n",
	      f);
	fclose(f);
	assert_int_equal(config_load(&c, path, &e), 0);
	assert_int_equal(c.nallow, 2);
	assert_int_equal(scans_policy_from_config(&c, &p, &e), 0);
	assert_int_equal(p.max_severity, SCAN_SEV_MEDIUM);
	assert_int_equal(p.max_fixable_severity, SCAN_SEV_MEDIUM);
	assert_false(p.block_pending);
	assert_true(p.block_unknown);
	assert_int_equal(p.pending_window_s, 5400);
	assert_int_equal(p.nallow, 2);
	assert_string_equal(p.allow[1].reason, "not reachable");
	scan_policy_free(&p);
	config_free(&c);

	f = fopen(path, "w");
	fputs("scan_gate_max_severity = severe\n"
	      "scan_gate_allow = CVE-1 soon because\n",
	      f);
	fclose(f);
	assert_true(config_load(&c, path, &e) < 0);
	assert_int_equal(c.nproblems, 2);
	assert_non_null(strstr(c.problems[0], ":1: "));
	assert_non_null(strstr(c.problems[1],
			       ":2: scan_gate_allow: "
			       "allow-list entry CVE-1: "
			       "\"soon\" is not an expiry date"));
	config_free(&c);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_findings_merge_sort),
	    cmocka_unit_test(test_trivy),
	    cmocka_unit_test(test_grype),
	    cmocka_unit_test(test_bad_reports),
	    cmocka_unit_test(test_report_dir),
	    cmocka_unit_test(test_defender_query),
	    cmocka_unit_test(test_defender_rows),
	    cmocka_unit_test(test_defender_bad_rows),
	    cmocka_unit_test(test_sources_disagree),
	    cmocka_unit_test(test_pending_unknown),
	    cmocka_unit_test(test_gate_default),
	    cmocka_unit_test(test_gate_of_no_verdict),
	    cmocka_unit_test(test_gate_allow_list),
	    cmocka_unit_test(test_gate_settings),
	    cmocka_unit_test(test_policy_from_config),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
