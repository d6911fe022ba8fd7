/* scan_gate.h - the promotion gate: a policy (the highest severity
 * allowed, with and without a fix; whether unverified, pending and
 * unknown images block; an allow-list of finding ids, each with a reason
 * and an expiry date) and its verdict on one image, "passes" or "blocked
 * by: <findings>". Pure code. Not the override (that is the caller's,
 * through change.h) nor where the policy's text comes from (config). */
#ifndef JD_SCAN_GATE_H
#define JD_SCAN_GATE_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "scan.h"

#define SCAN_SEV_NONE (-1) /* "none": nothing of the kind is allowed */

struct scan_allow {
	char id[100];	     /* compared without case */
	char until_text[11]; /* "2027-01-31" */
	time_t until;	     /* the end of that day, UTC: allowed before */
	char reason[300];
};

struct scan_policy {
	/* The highest severity allowed (a scan_sev, or SCAN_SEV_NONE); a
	 * finding of unknown severity counts as high. */
	int max_severity;	  /* default high: critical blocks */
	int max_fixable_severity; /* with a fix; default medium: high with
				   * a fix blocks */
	int block_unverified;	  /* default 1 */
	int block_pending;	  /* default 1 */
	int block_unknown;	  /* default 1 */
	long pending_window_s;	  /* a missing result this soon after
				   * the import is pending; default 4h */
	struct scan_allow *allow; /* owned */
	size_t nallow;
};

void scan_policy_default(struct scan_policy *p);
void scan_policy_free(struct scan_policy *p);
/* Deep copy; dst is overwritten (free it afterwards). */
void scan_policy_copy(struct scan_policy *dst, const struct scan_policy *src);

/* One allow-list entry: "ID YYYY-MM-DD REASON..." (the reason is
 * required). Returns 0, or -ERR_USAGE with e saying what is wrong. */
int scan_policy_allow(struct scan_policy *p, const char *line, struct err *e);
/* A policy setting by name, from text: "max_severity" and
 * "max_fixable_severity" (none, negligible, low, medium, high, critical),
 * "block_unverified", "block_pending", "block_unknown" (yes/no, true/
 * false, 1/0), "pending_window" (a duration: "4h", "90m"), "allow" (as
 * scan_policy_allow). Returns 0 or -ERR_USAGE with e filled. */
int scan_policy_set(struct scan_policy *p, const char *name, const char *value,
		    struct err *e);
/* "high" or "none": the text of a max_* setting. */
const char *scan_policy_sev_text(int sev);

enum scan_gate_mark {
	SCAN_GATE_PASSES = 0, /* within the policy */
	SCAN_GATE_BLOCKS,     /* above it */
	SCAN_GATE_ALLOWED,    /* above it, but allow-listed */
	SCAN_GATE_EXPIRED,    /* above it; its allow-list entry expired */
};

/* What the policy says of one finding; *entry (may be NULL) gets the
 * allow-list entry that matched, if any (borrowed from p). */
enum scan_gate_mark scan_gate_finding(const struct scan_policy *p,
				      const struct scan_finding *f, time_t now,
				      const struct scan_allow **entry);

#define SCAN_GATE_LIST 64

struct scan_gate {
	int blocked;
	/* "passes", "passes (2 allowed by the allow-list)", "blocked by:
	 * CVE-2021-3711 (critical, openssl 1.1.1k -> 1.1.1l), CVE-... and 3
	 * more", "blocked by: no scan verdict (pending: no results yet;
	 * imported 4m ago)". Terminal-safe. */
	char why[1200];
	size_t nblocking;		 /* blocking findings */
	size_t blocking[SCAN_GATE_LIST]; /* the first ones, as indices into
					  * im->findings */
	size_t nallowed;		 /* let through by the allow-list */
	size_t nexpired; /* blocking because an entry expired */
};

/* The gate's verdict on im (combined first) at time now. */
void scan_gate_eval(const struct scan_policy *p, const struct scan_image *im,
		    time_t now, struct scan_gate *g);

#endif
