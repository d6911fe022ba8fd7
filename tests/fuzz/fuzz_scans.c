/* fuzz_scans.c - libFuzzer target for scan results: Trivy and Grype
 * reports and Defender rows from Resource Graph. Every finding string is
 * terminal-safe and never NULL, counts stay within the caps, and every
 * image gets a verdict with a safe reason. Not a scanner.
 *
 * Input: byte 0 bit 0 picks a report (0) or Defender rows (1); the rest
 * is the JSON. The images are the walkthrough's, with the digests the
 * seed corpus names. dictionary: json
 */
#include "fuzz.h"

#include <cjson/cJSON.h>
#include <time.h>

#include "backend/scan.h"
#include "backend/scan_defender.h"
#include "backend/scan_report.h"

#define NIMG 3

static const char *const digests[NIMG] = {
    "sha256:0607a37acf4a5bb87ec292c904e666ff04e176caa6d3e9a919ed040923a9"
    "d777",
    "sha256:c298dd231904d193954e20ad6126d9cdfff4bbedb3d28396ec31710c49eb"
    "80f6",
    "sha256:7b28d2d78b048b72729793a202067b5ae436611cdebf3ac9bb0b2ad8f47b"
    "4e9d",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void images_init(struct scan_image *v)
{
	int i;

	memset(v, 0, sizeof(*v) * NIMG);
	for (i = 0; i < NIMG; i++) {
		snprintf(v[i].image, sizeof(v[i].image),
			 "docker.io/library/img%d:1.0", i);
		snprintf(v[i].repo, sizeof(v[i].repo),
			 "quarantine/library/img%d", i);
		snprintf(v[i].digest, sizeof(v[i].digest), "%s", digests[i]);
		v[i].platforms_known = 1;
		v[i].src[SCAN_DEFENDER].asked = 1;
		v[i].src[SCAN_DEFENDER].answered = 1;
	}
	v[0].is_index = 1;
	snprintf(v[0].platforms[0], 80,
		 "sha256:a5f94d889c9f5036e29458b4d41a7f"
		 "e27b5ded9666b8edadd1aa08a9b2806824");
	v[0].nplatforms = 1;
}

static void check_findings(const struct scan_findings *l)
{
	size_t i;

	FZ_CHECK(l->n <= SCAN_MAX_FINDINGS, "more findings than the cap");
	for (i = 0; i < l->n; i++) {
		const struct scan_finding *f = &l->v[i];

		FZ_CHECK(f->id && f->package && f->installed && f->fixed &&
			     f->title && f->digest,
			 "a finding with a NULL string");
		FZ_SAFE_STR(f->id, "a finding id is not terminal-safe");
		FZ_SAFE_STR(f->package, "a package is not terminal-safe");
		FZ_SAFE_STR(f->installed, "a version is not terminal-safe");
		FZ_SAFE_STR(f->fixed, "a fixed version is not terminal-safe");
		FZ_SAFE_STR(f->title, "a title is not terminal-safe");
		FZ_CHECK(f->sev >= 0 && f->sev < SCAN_SEV_COUNT,
			 "a severity out of range");
		FZ_CHECK(f->cvss == -1 || (f->cvss >= 0 && f->cvss <= 10),
			 "a CVSS score outside 0-10");
	}
}

static void check_images(struct scan_image *v)
{
	int i;
	char buf[200];

	for (i = 0; i < NIMG; i++) {
		scan_image_combine(&v[i], (time_t)1800000000, 4 * 3600);
		check_findings(&v[i].findings);
		FZ_SAFE_STR(v[i].why, "a verdict's reason is not "
				      "terminal-safe");
		scan_counts_text(v[i].counts, buf, sizeof(buf));
		FZ_CHECK(strlen(buf) < sizeof(buf) - 1, "counts text filled "
							"its buffer");
		scan_image_free(&v[i]);
	}
}

static void report(const char *text, size_t len)
{
	struct scan_report r;
	struct scan_image v[NIMG];
	struct err e;
	char **problems = NULL;
	size_t i;

	memset(&e, 0, sizeof(e));
	if (scan_report_parse(text, len, "fuzz.json", &r, &e) < 0) {
		FZ_CHECK(e.msg[0], "a refused report has no sentence");
		return;
	}
	FZ_CHECK(r.kind == SCAN_TRIVY || r.kind == SCAN_GRYPE,
		 "a report of no known kind");
	FZ_CHECK(r.ndigests <= SCAN_REPORT_DIGESTS, "too many digests");
	FZ_SAFE_STR(r.artifact, "the artifact is not terminal-safe");
	FZ_SAFE_STR(r.unverified, "the reason is not terminal-safe");
	for (i = 0; i < r.ndigests; i++)
		FZ_CHECK(scan_digest_valid(r.digests[i]),
			 "a report digest is not a sha256 digest");
	check_findings(&r.findings);
	images_init(v);
	scan_reports_apply(&r, 1, v, NIMG, &problems, NULL);
	for (i = 0; problems && problems[i]; i++)
		FZ_SAFE_STR(problems[i], "a problem is not terminal-safe");
	scan_problems_free(&problems);
	check_images(v);
	scan_report_free(&r);
}

static void defender(const char *text, size_t len)
{
	cJSON *rows = cJSON_ParseWithLength(text, len);
	struct scan_image v[NIMG];
	struct scan_defender_stats st;

	if (!rows)
		return;
	images_init(v);
	memset(&st, 0, sizeof(st));
	scan_defender_apply(rows, v, NIMG, &st);
	FZ_CHECK(st.used + st.other + st.bad <= st.rows,
		 "Defender rows counted twice");
	FZ_SAFE_STR(st.first_bad, "a bad row's sentence is not "
				  "terminal-safe");
	check_images(v);
	cJSON_Delete(rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		defender((const char *)data + 1, size - 1);
	else
		report((const char *)data + 1, size - 1);
	return 0;
}
