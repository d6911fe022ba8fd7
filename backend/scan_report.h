/* scan_report.h - Trivy (`trivy image -f json`, SchemaVersion 2) and
 * Grype (`grype -o json`) reports: read from a file or a directory,
 * checked, and added to the images whose digests they name. Not a
 * scanner, and no other report format. */
#ifndef JD_SCAN_REPORT_H
#define JD_SCAN_REPORT_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "scan.h"

#define SCAN_REPORT_MAX_BYTES (64L * 1024 * 1024) /* per file */
#define SCAN_REPORT_MAX_FILES 1000		  /* per directory */
#define SCAN_REPORT_DIGESTS   16

/* One report, owned by whoever parsed it (scan_report_free). Strings are
 * terminal-safe. */
struct scan_report {
	enum scan_source kind; /* SCAN_TRIVY or SCAN_GRYPE */
	char name[256];	       /* the file's name, for sentences */
	char artifact[300];    /* what was scanned: "ghcr.io/x/y:1.0" */
	/* Every manifest digest the report names (Trivy's RepoDigests,
	 * Grype's manifestDigest and repoDigests), without repeats. */
	char digests[SCAN_REPORT_DIGESTS][80];
	size_t ndigests;
	time_t created;	      /* when it was scanned, 0 unknown */
	int scanned;	      /* the scanner found an OS or packages to scan */
	char unverified[200]; /* when !scanned: why it could not tell */
	struct scan_findings findings; /* source kind, digest = the
					* report's first digest */
};

void scan_report_free(struct scan_report *r);

/* Parse one report held in memory. name is used in sentences ("x.json").
 * Returns 0, or a negative ERR_* with e naming the file and what is wrong:
 * "x.json: not valid JSON: it ends early at byte 1830 of 1830 (cut
 * short?)", "x.json: neither a Trivy (SchemaVersion 2) nor a Grype
 * report", "x.json: Trivy SchemaVersion 1 is not supported", "x.json:
 * names no image digest (scanned from a local file?)". r is zeroed
 * first and holds nothing to free on failure. */
int scan_report_parse(const char *text, size_t len, const char *name,
		      struct scan_report *r, struct err *e);

/* Read and parse a file (at most SCAN_REPORT_MAX_BYTES). */
int scan_report_read(const char *path, struct scan_report *r, struct err *e);

/* Every *.json file of dir (not recursive, in name order, at most
 * SCAN_REPORT_MAX_FILES). Reports that parse go to *out (caller frees
 * with scan_reports_free); each file that does not becomes one sentence
 * in *problems (a NULL-ended array of strings, caller frees with
 * scan_problems_free), and the others are still read. Returns 0, or
 * -ERR_IO / -ERR_NOTFOUND with e filled when dir cannot be listed. */
int scan_reports_read_dir(const char *dir, struct scan_report **out, size_t *n,
			  char ***problems, struct err *e);
void scan_reports_free(struct scan_report **v, size_t n);
/* Just the names: every *.json regular file name of dir, sorted, at most
 * SCAN_REPORT_MAX_FILES (more gives a sentence in *problems). *names is
 * NULL-ended (caller frees with scan_problems_free). For a reader that
 * parses one file at a time (scans.c). */
int scan_reports_list(const char *dir, char ***names, size_t *n,
		      char ***problems, struct err *e);
void scan_problems_free(char ***problems);
/* Append a terminal-safe copy of sentence (cut at 600 columns) to a
 * NULL-ended problems array. */
void scan_problems_add(char ***problems, const char *sentence);

/* Add each report to the images it names by digest (the index digest or
 * a platform manifest's): its findings, a clean-scan or cannot-scan
 * marker, its scan time. A report that names none of the images but
 * scanned one of their repositories (a report for another digest) gives
 * a sentence in *problems ("x.json scanned sha256:… of
 * docker.io/library/busybox:1.33.0, but quarantine/ holds sha256:…:
 * ignored"); reports for unrelated images are counted in *unrelated
 * (may be NULL). */
void scan_reports_apply(const struct scan_report *r, size_t nr,
			struct scan_image *v, size_t n, char ***problems,
			size_t *unrelated);

#endif
