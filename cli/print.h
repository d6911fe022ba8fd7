/* print.h - the CLI's output: the JSON documents and tables of `jumpdeck
 * nodes`, `flux`, `images` and `status`. Not the TUI's rows; no I/O. */
#ifndef JD_CLI_PRINT_H
#define JD_CLI_PRINT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "backend/bootstrap.h"
#include "backend/flux.h"
#include "backend/images.h"
#include "backend/nodes.h"

/* ---- tables (print_table.c) --------------------------------------------- */

/* One cell of a table: terminal-safe text and its width in columns. */
struct table_cell {
	char *text;
	int cols;
};

/* Fills c from s made terminal-safe; an empty or NULL s shows as none. */
void table_cell_set(struct table_cell *c, const char *s, const char *none);
/* Prints rows x ncols cells (row 0 the header): each column as wide as
 * its widest cell, three spaces apart. Frees the cells' texts. */
void table_print(FILE *f, struct table_cell *cells, size_t rows, int ncols);

/* ---- bootstrap (print_bootstrap.c) -------------------------------------- */

/* The `jumpdeck bootstrap --json` document, pretty-printed:
 * {"done":N,"total":10,"steps":[{"step","title","state" (boot_state_word),
 *   "warning","why","notes":[...],"action" (boot_act_word),"command",
 *   "pane" (a name or null)}]}
 * Returns a new string, caller frees (free()). */
char *bootstrap_to_json(const struct boot_step *v);

/* ---- nodes (print_nodes.c) ---------------------------------------------- */

/* The `jumpdeck nodes --json` document, pretty-printed:
 * {"nodes":[{"name","status","ready","unschedulable","pool","mode","roles",
 *   "version","created","conditions":[{"type","status","reason","message",
 *   "lastTransitionTime"}]}],
 *  "summary":{"total","ready","pools":{"<pool>":{"total","ready","mode"}}}}
 * Absent strings are "". s may be NULL: the summary is computed from v.
 * Returns a new string, caller frees (free()). */
char *nodes_to_json(const struct node *v, size_t n,
		    const struct node_summary *s);
/* Its parts, for writing the document one node at a time: one element of
 * "nodes", and "summary". New objects, caller frees (cJSON_Delete). */
cJSON *node_to_json(const struct node *n);
cJSON *node_summary_to_json(const struct node_summary *s);

/* A kubectl-like table: NAME STATUS POOL MODE ROLES AGE VERSION PRESSURE,
 * each column as wide as its widest cell, three spaces between columns,
 * nodes in the given order. Server strings are made terminal-safe. */
void nodes_print_table(FILE *f, const struct node *v, size_t n, time_t now);

/* ---- Flux (print_flux.c) ------------------------------------------------ */

/* The `jumpdeck flux --json` document, pretty-printed:
 * {"controllers":[{"namespace","name","ready","desired","available",
 *    "availableReplicas","image","tag","digest","labeled","message"}],
 *  "sources":[{"kind","apiVersion","namespace","name","url","ref","ready",
 *    "state","revision","sha","suspended","lastUpdate","message"}],
 *  "kustomizations":[{"kind","apiVersion","namespace","name","source",
 *    "path","ready","state","appliedRevision","attemptedRevision",
 *    "suspended","interval","lastReconcile","message","inventory",
 *    "dependsOn":["ns/name"],"dependencyRoot"}],
 *  "summary":{"controllers","controllersReady","sources","sourcesReady",
 *    "kustomizations","kustomizationsReady","helmreleases",
 *    "helmreleasesReady","suspended","failed","waiting","progressing"}}
 * "ready" of an object is a bool (Ready True); "state" is
 * flux_state_text; "lastUpdate"/"lastReconcile" are RFC 3339 or "";
 * "source" is "Kind/namespace/name" (HelmRelease path is its chart);
 * "inventory" is a number or null; "dependencyRoot" is null for OK or
 * {"status":"notReady"|"missing"|"cycle","kind","namespace","name",
 * "message"}. HelmReleases go into "kustomizations" (their "kind" tells).
 * Objects appear in the given order. s may be NULL: computed from c and v.
 * Returns a new string, caller frees (free()). */
char *flux_to_json(const struct flux_controller *c, size_t nc,
		   const struct flux_object *v, size_t n,
		   const struct flux_summary *s);

enum flux_table {
	FLUX_TABLE_SOURCES = 0,	   /* the source kinds of v */
	FLUX_TABLE_KUSTOMIZATIONS, /* Kustomizations and HelmReleases of v */
};

/* A `flux get`-like table of the objects of v that belong to it, in the
 * given order: columns as wide as their widest cell, three spaces apart,
 * an empty cell shown as "-", every server string made terminal-safe.
 * NAME is "kind/name" (lower-case singular kind) when the rows mix kinds.
 * Revisions are in short form (flux_revision_short).
 *   Sources:        NAMESPACE NAME URL REF REVISION SUSPENDED READY
 *                   STATE UPDATED MESSAGE
 *   Kustomizations: NAMESPACE NAME SOURCE PATH REVISION ATTEMPTED
 *                   SUSPENDED READY STATE INTERVAL RECONCILED MESSAGE
 * READY is the Ready status ("Unknown" without one); UPDATED/RECONCILED
 * are ages at now; MESSAGE is flux_object_message, or for a WAITING
 * object with dependencies flux_dependency_text (all of v is searched).
 * Prints only the header when nothing belongs. */
void flux_print_table(FILE *f, enum flux_table which,
		      const struct flux_object *v, size_t n, time_t now);

/* NAMESPACE NAME READY (ready/desired) AVAILABLE IMAGE TAG MESSAGE; IMAGE
 * is the repository, TAG the tag or else the digest cut to
 * "sha256:" and 12 hex digits. Server strings are made terminal-safe. */
void flux_print_controllers(FILE *f, const struct flux_controller *c,
			    size_t n);

/* ---- images (print_images.c) -------------------------------------------- */

/* `jumpdeck images` table and JSON:
 * {"registry","quarantineRegistry","images":[{"image","upstream":{...},
 *  "quarantine":{"repository","tag","present","digest","mediaType",
 *  "platforms"},"scan":{"verdict","gate","why"},"live":{...},
 *  "state","alert","message"}],"summary":{"total","promoted",
 *  "quarantined","notImported","drifted","liveOnly","unknown"}}
 * images_to_json returns a new string, caller frees (free()).
 * scans: one per row, or NULL when the scanners were not asked (the
 * scan stage then says so: verdict and gate null). */
struct images_scan {
	const char *verdict; /* "healthy"...; NULL: no verdict for the row */
	int blocked;	     /* the promotion gate blocks it */
	const char *why;     /* the gate's sentence, terminal-safe */
};
void images_print_table(FILE *f, const struct image_row *v, size_t n,
			const struct images_scan *scans, int ascii);
char *images_to_json(const struct image_row *v, size_t n, const char *registry,
		     const char *quarantine_registry,
		     const struct images_scan *scans);

#endif
