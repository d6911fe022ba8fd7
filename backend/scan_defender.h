/* scan_defender.h - Defender for Cloud's container-registry vulnerability
 * sub-assessments, both generations (Qualys-era and MDVM): the Resource
 * Graph query that asks for one registry's digests, and the rows it
 * answers turned into findings of the images they belong to. Not the
 * Resource Graph call itself (arm.h) nor the runner (scans.h). */
#ifndef JD_SCAN_DEFENDER_H
#define JD_SCAN_DEFENDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "scan.h"

/* Assessment keys (the segment after /assessments/ in a row's id). */
#define SCAN_DEFENDER_KEY_QUALYS "dbd0cb49-b563-45e7-9724-889e799fa648"
#define SCAN_DEFENDER_KEY_MDVM	 "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5"

enum scan_defender_gen {
	SCAN_DEFENDER_MDVM = 0, /* Defender Vulnerability Management */
	SCAN_DEFENDER_QUALYS,	/* the retired Qualys scanner */
};
#define SCAN_DEFENDER_NGEN 2

/* Digests per query: a longer `in (...)` list is split over queries. */
#define SCAN_DEFENDER_BATCH 50

/* "MDVM", "Qualys". */
const char *scan_defender_gen_name(enum scan_defender_gen g);

/* The KQL for one generation, restricted in the query itself to the
 * registry whose login server is host ("acrx.azurecr.io") and to the
 * given digests (1..SCAN_DEFENDER_BATCH, each "sha256:<64 hex>"). Uses
 * only `where` with ==, =~, in and `project`. Returns a new string
 * (caller frees), or NULL with e filled when host or a digest is not
 * well formed. */
char *scan_defender_query(enum scan_defender_gen g, const char *host,
			  const char *const *digests, size_t n, struct err *e);

/* What scan_defender_apply made of an answer. */
struct scan_defender_stats {
	size_t rows;	     /* rows seen */
	size_t used;	     /* rows that belong to one of the images */
	size_t other;	     /* well-formed rows for other digests or
			      * assessments */
	size_t bad;	     /* rows that could not be read */
	char first_bad[300]; /* "row 4: no properties.status.code" */
};

/* Adds every row of a Resource Graph answer (an array of objectArray
 * rows) to the image whose digests include the row's digest: Unhealthy
 * rows become findings (source SCAN_DEFENDER), Healthy rows mark a clean
 * scan, NotApplicable rows mark the image unverified with the row's
 * cause. Each image's src[SCAN_DEFENDER] must have been marked asked and
 * answered by the caller. A row that cannot be read is counted in st and
 * marks the image it names (or, when it names none, every image) as cut
 * short, so that no image turns healthy on a partial answer. origin
 * names the generation ("Defender (MDVM)"). */
void scan_defender_apply(const cJSON *rows, struct scan_image *v, size_t n,
			 struct scan_defender_stats *st);

#endif
