/* images.h - the image quarantine pipeline as plain structs: an upstream
 * reference, its quarantine/ and live/ copies, their digests and the
 * state they add up to (not imported, quarantined, promoted, drifted, live
 * only) and their texts. Not the registry client (registry.h), the
 * runner that fills it (pipeline.h) nor the CLI's table and JSON
 * (cli/print.h). */
#ifndef JD_IMAGES_H
#define JD_IMAGES_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "err.h"

struct image_ref {
	char registry[256]; /* "docker.io", "ghcr.io" */
	char path[512];     /* "library/busybox", "fluxcd/source-controller" */
	char tag[128];      /* "1.33.0"; "latest" when none was given */
	char digest[80];    /* "sha256:..." when the ref pins one, else "" */
};

/* "ghcr.io/fluxcd/source-controller:v0.6.3", "busybox:1.33.0" (Docker
 * Hub: docker.io/library/busybox), "registry:5000/x/y@sha256:...". */
int image_ref_parse(const char *s, struct image_ref *out, struct err *e);

enum image_state {
	IMG_UNKNOWN = 0,   /* not checked yet, or the check failed */
	IMG_NOT_IMPORTED,  /* in neither quarantine/ nor live/ */
	IMG_QUARANTINED,   /* in quarantine/, not (yet) in live/ */
	IMG_PROMOTED,      /* live digest equals the quarantine digest */
	IMG_DRIFTED,       /* live digest differs from quarantine's: an
			    * import into live/ from elsewhere (alert) */
	IMG_LIVE_ONLY,     /* in live/ with no quarantine copy (alert) */
};

struct image_copy {
	int checked;      /* a HEAD answered */
	int exists;
	char digest[80];
	char media_type[128];
	int platforms;    /* children of an index, 0 for a manifest */
	char error[600];  /* why the HEAD failed, or "" */
};

enum image_action { IMAGE_IMPORT, IMAGE_PROMOTE };

/* When a copy (import or promotion) ran: started and ended on the
 * loop's clock (milliseconds), ended on the wall clock too. */
struct image_copy_time {
	int known; /* 0 until a copy has ended in this process */
	enum image_action action;
	int ok;
	long long started_ms, ended_ms;
	time_t ended_at;
};

struct image_row {
	char ref[700];           /* as configured */
	struct image_ref up;
	char quarantine_repo[600]; /* "quarantine/library/busybox" */
	char live_repo[600];
	struct image_copy upstream; /* checked only when reachable */
	struct image_copy quarantine;
	struct image_copy live;
	enum image_state state;
	/* The running operation, if any ("importing", "promoting"), its
	 * progress text, and the last outcome. */
	char op[32];
	char op_progress[200];
	long long op_started_ms;
	char last_result[600];
	int last_ok;
	struct image_copy_time last_copy; /* image_copy_time.h */
};

/* Fill a row for ref with the prefixes ("quarantine/", "live/"). */
int image_row_init(struct image_row *r, const char *ref,
		   const char *quarantine_prefix, const char *live_prefix,
		   struct err *e);
/* Recompute r->state from the copies. */
enum image_state image_state_of(const struct image_row *r);

/* Whether a copy of the row could start, from what is known of its
 * copies (checked before any question is asked): 0 it can, 1 nothing to
 * do (e says why: "already in quarantine (sha256:…)", "already promoted"),
 * or negative with e: -ERR_USAGE when the digests are not known yet or
 * promote finds nothing in quarantine/ ("import it first"), -ERR_EXISTS
 * when the target tag holds another digest and only force replaces it.
 * Pure: reads r only. */
int image_row_check(const struct image_row *r, enum image_action a,
		    int force, struct err *e);
const char *image_state_text(enum image_state s);
/* 1 for DRIFTED and LIVE_ONLY. */
int image_state_alert(enum image_state s);
/* "sha256:1a2b3c4d5e6f" (12 hex) or "-". Returns buf. */
const char *image_short_digest(const char *digest, char *buf, size_t sz);
/* An explanation for the status line and detail view: "live/x:1 is not
 * what quarantine/ holds (live sha256:…, quarantine sha256:…): it was
 * imported from somewhere else". */
const char *image_state_reason(const struct image_row *r, char *buf,
			       size_t sz);

#endif
