/* scan.h - vulnerability findings as plain structs: severities, fix
 * states, findings, what each source (Defender, Trivy, Grype) said about
 * one image's digests, and the verdict they add up to. Not the sources
 * (scan_defender.h, scan_report.h), not the gate (scan_gate.h), not the
 * runner that fills them (scans.h). */
#ifndef JD_SCAN_H
#define JD_SCAN_H

#include <stddef.h>
#include <time.h>

/* Ordered: a larger value is more severe. UNKNOWN is what a scanner calls
 * a finding it cannot rate; the gate counts it as HIGH (scan_gate.h). */
enum scan_sev {
	SCAN_SEV_UNKNOWN = 0,
	SCAN_SEV_NEGLIGIBLE,
	SCAN_SEV_LOW,
	SCAN_SEV_MEDIUM,
	SCAN_SEV_HIGH,
	SCAN_SEV_CRITICAL,
};
#define SCAN_SEV_COUNT 6

/* "critical", "high", "medium", "low", "negligible", "unknown". */
const char *scan_sev_name(enum scan_sev s);
/* A scanner's word for a severity, any case ("CRITICAL", "High",
 * "Negligible"); anything else, NULL included, is SCAN_SEV_UNKNOWN. */
enum scan_sev scan_sev_parse(const char *s);
/* Strict, for the config: one of the names above (any case). Returns 0,
 * or -1 when s names no severity. */
int scan_sev_from_name(const char *s, enum scan_sev *out);

enum scan_fix {
	SCAN_FIX_UNKNOWN = 0, /* the source does not say */
	SCAN_FIX_AVAILABLE,   /* a fixed version exists */
	SCAN_FIX_NONE,	      /* affected, no fix yet */
	SCAN_FIX_WONT,	      /* the vendor will not fix it */
	SCAN_FIX_LATER,	      /* fix scheduled or deferred */
};
/* "fix available", "no fix", "won't fix", "fix deferred", "unknown". */
const char *scan_fix_name(enum scan_fix f);

enum scan_source {
	SCAN_DEFENDER = 0, /* Defender for Cloud through Resource Graph */
	SCAN_TRIVY,	   /* trivy image -f json reports */
	SCAN_GRYPE,	   /* grype -o json reports */
};
#define SCAN_NSOURCES 3
/* "defender", "trivy", "grype". */
const char *scan_source_name(enum scan_source s);
/* "Defender", "Trivy", "Grype". */
const char *scan_source_title(enum scan_source s);
/* The names of the sources in bits (1u << enum scan_source), in source
 * order and joined by sep, into buf (cut to fit; "" when bits is 0). */
void scan_sources_text(unsigned bits, const char *sep, char *buf, size_t sz);

/* One finding. Every string is owned by the list that holds it,
 * terminal-safe (text_safe) and valid UTF-8, never NULL ("" when the
 * source gives none). */
struct scan_finding {
	char *id; /* "CVE-2021-3711", "GHSA-...", a Qualys QID */
	enum scan_sev sev;
	double cvss;	 /* base score 0-10, or -1 when none */
	char *package;	 /* "openssl" */
	char *installed; /* "1.1.1d-r0" */
	char *fixed;	 /* "1.1.1l-r0"; "" when none is named (MDVM may
			  * say FixAvailable with an empty version) */
	enum scan_fix fix;
	char *title;
	char *digest;	  /* the manifest it was found in */
	unsigned sources; /* 1u << enum scan_source, for each source */
	/* What each source said, for its own counts: the severity it gave
	 * (-1 when it did not report this finding) and whether it knows a
	 * fix (bit 1u << source). sev and fix above are the worst/best. */
	signed char src_sev[SCAN_NSOURCES];
	unsigned src_fixable;
};

/* What a source hands in: borrowed strings, any bytes (made safe and
 * capped when added). NULL strings are "". */
struct scan_finding_in {
	const char *id;
	enum scan_sev sev;
	double cvss;
	const char *package;
	const char *installed;
	const char *fixed;
	enum scan_fix fix;
	const char *title;
	const char *digest;
	enum scan_source source;
};

/* A growable list; zero-initialise it. */
struct scan_findings {
	struct scan_finding *v;
	size_t n, cap;
};

#define SCAN_MAX_FINDINGS 20000 /* per image; more are counted, dropped */

/* Add f, or when the list already holds the same finding (same id, and
 * the same package and installed version when both name one) merge it:
 * sources are or-ed, the higher severity, CVSS and the better-known fix
 * kept. Returns 1 when added, 0 when merged, -1 when the list is full. */
int scan_findings_add(struct scan_findings *l,
		      const struct scan_finding_in *f);
void scan_findings_free(struct scan_findings *l);
/* Severity (most severe first), then CVSS (highest first), then id. */
int scan_finding_cmp(const struct scan_finding *a,
		     const struct scan_finding *b);
void scan_findings_sort(struct scan_findings *l);

enum scan_verdict {
	SCAN_UNKNOWN = 0, /* nobody answered, or no result long after the
			   * import: the why says which */
	SCAN_PENDING,	  /* imported recently, no result yet */
	SCAN_UNVERIFIED,  /* the scanner cannot scan this image */
	SCAN_HEALTHY,	  /* scanned, no open finding */
	SCAN_UNHEALTHY,	  /* scanned, open findings */
};
/* "unknown", "pending", "unverified", "healthy", "unhealthy". */
const char *scan_verdict_name(enum scan_verdict v);

/* What one source says about one image. */
struct scan_source_result {
	int asked;    /* the source was consulted for this image */
	int answered; /* ... and answered (query ran, report read) */
	int results;  /* it had results for one of the digests */
	enum scan_verdict verdict; /* computed by scan_image_combine */
	int healthy_rows; /* scanned-clean markers (Defender Healthy rows,
			   * a report with nothing found) */
	int unhealthy_rows;
	int unverified;	   /* "cannot scan" markers */
	int truncated;	   /* the answer was cut short: never healthy */
	char why[512];	   /* failure or unverified reason, or "" */
	char origin[256];  /* "Defender (MDVM)", "trivy report x.json" */
	time_t scanned_at; /* newest scan time seen, 0 unknown */
	unsigned counts[SCAN_SEV_COUNT];
	unsigned fixable;
};

#define SCAN_MAX_PLATFORMS 32

/* One image of the pipeline and everything known about its scans. */
struct scan_image {
	char image[700]; /* the configured upstream reference */
	char repo[600];	 /* "quarantine/library/busybox" */
	char tag[128];
	char digest[80]; /* what quarantine/ holds: the vetted digest ("" when
			  * it holds nothing yet) */
	int is_index;
	/* An index's platform manifests, the index itself not included. */
	char platforms[SCAN_MAX_PLATFORMS][80];
	char platform_names[SCAN_MAX_PLATFORMS][48]; /* "linux/arm64" */
	size_t nplatforms;
	int platforms_known; /* the index was read (or it is no index) */
	char platforms_err[300];
	time_t imported_at; /* when quarantine/ got it, 0 unknown */

	/* Filled by scan_image_combine(). */
	enum scan_verdict verdict;
	char why[700];
	unsigned counts[SCAN_SEV_COUNT];
	unsigned fixable;
	time_t scanned_at; /* the newest scan of any source */
	int disagree;	   /* two sources with results say different
			    * things */
	struct scan_source_result src[SCAN_NSOURCES];
	struct scan_findings findings;
	size_t dropped; /* findings beyond SCAN_MAX_FINDINGS */
};

/* 1 when digest is the image's digest or one of its platforms'. */
int scan_image_has_digest(const struct scan_image *im, const char *digest);
/* Reset the per-source results and findings, keep identity and digests. */
void scan_image_reset(struct scan_image *im);
void scan_image_free(struct scan_image *im);
/* Deep copy (findings too); dst is overwritten, free it afterwards. */
void scan_image_copy(struct scan_image *dst, const struct scan_image *src);

/* Each asked source's verdict, then the image's: unhealthy when any
 * source has open findings; else healthy when one scanned it clean and
 * none was cut short; else unverified when a scanner says it cannot
 * scan it; else pending when it was imported less than pending_window_s
 * ago ("no results yet; imported 4m ago"); else unknown with why (every
 * source's sentence). Counts and fixable come from the merged findings;
 * disagree is set when two sources with results differ in verdict or
 * counts. now is the wall clock (time(NULL) outside tests). */
void scan_image_combine(struct scan_image *im, time_t now,
			long pending_window_s);

/* "2 critical, 1 high, 3 medium" (only non-zero ones, unknown and
 * negligible last), or "no findings". Returns buf. */
const char *scan_counts_text(const unsigned counts[SCAN_SEV_COUNT], char *buf,
			     size_t sz);

/* 1 for "sha256:" followed by 64 lower-case hex digits. */
int scan_digest_valid(const char *s);

#endif
