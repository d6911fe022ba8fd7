/* scans.h - the scan state the shell and the CLI show: for each image of
 * the pipeline, its digests (an index's platform manifests read from the
 * registry), what Defender (through Resource Graph), Trivy and Grype
 * reports say of them, the verdict and the gate's. Runs on the loop and
 * tells its owner when anything changes; never blocks (reports are read
 * one file per loop turn). Not the pipeline that finds the digests, not
 * drawing, not the gate's override (change.h). */
#ifndef JD_SCANS_H
#define JD_SCANS_H

#include <stddef.h>
#include <time.h>

#include "azure_auth.h"
#include "err.h"
#include "loop.h"
#include "registry.h"
#include "scan.h"
#include "scan_gate.h"

/* Everything is copied by scans_new() except what is borrowed. */
struct scans_opts {
	struct loop *loop;
	struct azure_auth *auth;    /* borrowed (outlives scans); NULL:
				     * Defender is not asked */
	const char *graph_endpoint; /* Resource Graph's origin; NULL: ARM's
				     * public endpoint */
	const char *ca_file;	    /* NULL: the system's trust */
	const char *subscription;   /* NULL: every one the identity reads */
	const char *reports_dir;    /* NULL or "": no reports */
	const struct scan_policy *policy; /* NULL: the default policy */
	long refresh_s;			  /* ask again this often; 0: only on
					   * scans_refresh() */
};

/* One image as the pipeline knows it; borrowed for the call. */
struct scans_input {
	const char *image; /* the upstream reference */
	const char *repo;  /* "quarantine/library/busybox" */
	const char *tag;
	const char *digest; /* what quarantine/ holds; NULL or "": nothing */
	int is_index;	    /* its media type is an index or a list */
	time_t imported_at; /* 0 unknown */
};

struct scans_ops {
	void (*on_change)(void *ud); /* results or status changed */
};

struct scans;

/* Fails only on bad options (e: "the report directory ..."). Nothing is
 * asked until scans_set_images(). */
struct scans *scans_new(const struct scans_opts *o,
			const struct scans_ops *ops, void *ud, struct err *e);
/* Stops everything in flight; no callback afterwards. */
void scans_free(struct scans **s);

/* The registry client that holds quarantine/ (borrowed; it must outlive
 * its use here, NULL forgets it) and its login server ("acrx.azurecr.io"),
 * which the Defender query filters on. */
void scans_set_registry(struct scans *s, struct registry *quarantine,
			const char *login_server);
/* The images (copied), in the pipeline's order. An image whose digest
 * changed loses its old results. When anything but import times changed,
 * a refresh starts shortly after (so that rows arriving one by one make
 * one refresh); otherwise nothing is asked. */
void scans_set_images(struct scans *s, const struct scans_input *v, size_t n);
/* Ask every source again (coalesced while one is running). */
void scans_refresh(struct scans *s);
/* 1 while reading platforms, asking Defender or reading reports. */
int scans_busy(const struct scans *s);
/* At least one refresh has finished. */
int scans_done_once(const struct scans *s);

/* The images with their results, borrowed until the next return to the
 * loop. Results of the last finished refresh (a running one does not
 * blank them). */
size_t scans_images(const struct scans *s, const struct scan_image **v);
/* By reference, path ("library/busybox") or name ("busybox"), each with
 * an optional ":tag". 0 and *i, or -1. */
int scans_find(const struct scans *s, const char *name, size_t *i);
/* The gate's verdict on image i now. */
void scans_gate(const struct scans *s, size_t i, struct scan_gate *g);
/* The gate's verdict on the image named ref (as scans_find takes it)
 * before a promotion, as the panes and `jumpdeck promote` take it:
 * scans_gate() once a refresh has finished and knows ref; else there is
 * no verdict, which blocks ("blocked by: no scan verdict (the scanners
 * have not answered yet)") unless the policy lets unknown images
 * through. s may be NULL: no scan state, which blocks, saying why_none
 * (NULL: "no scan state"). */
void scans_gate_of(const struct scans *s, const char *ref,
		   const char *why_none, struct scan_gate *g);
const struct scan_policy *scans_policy(const struct scans *s);

/* What it is doing ("asking Defender (3 queries)..."), or how the last
 * refresh went ("Defender: 6 images, 14 findings; 2 reports"), or why it
 * failed (*is_error 1). Never "". */
const char *scans_status(const struct scans *s, int *is_error);
/* One sentence per piece of bad input of the last refresh (an
 * unreadable report, rows that could not be read, a report for another
 * digest), NULL-ended; borrowed like scans_images. */
char *const *scans_problems(const struct scans *s);
/* When the last refresh finished (wall clock), 0 never. */
time_t scans_updated(const struct scans *s);

/* The login server of a registry name: "acrx" -> "acrx.azurecr.io"; a
 * name with a dot is taken as it is. */
void scans_login_server(const char *registry, char *buf, size_t sz);

/* When each target ("quarantine/library/busybox:1.33.0") was last
 * imported successfully, from the last SCANS_AUDIT_TAIL records of the
 * audit log at path (NULL: the default): out[i] gets the time or 0.
 * Only imports made through jumpdeck on this machine are known. */
#define SCANS_AUDIT_TAIL 5000
void scans_import_times(const char *audit_path, const char *const *targets,
			size_t n, time_t *out);

#endif
