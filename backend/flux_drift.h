/* flux_drift.h - is Flux at its Git repository's HEAD? For each
 * GitRepository, reads the remote's commit for the followed ref (HTTPS or
 * SSH, with the credentials and known_hosts of the object's secret when
 * they can be read) no more often than the source's interval, and compares
 * it with the revision Flux fetched. No drawing. */
#ifndef JD_FLUX_DRIFT_H
#define JD_FLUX_DRIFT_H

#include <stddef.h>

#include "flux.h"
#include "kube.h"

enum drift_state {
	DRIFT_UNKNOWN = 0, /* not checked yet */
	DRIFT_CHECKING,
	DRIFT_IN_SYNC,
	DRIFT_BEHIND,      /* the remote has moved on */
	DRIFT_PINNED,      /* follows a commit: nothing to compare */
	DRIFT_ERROR,       /* message says why it could not check */
};

struct drift_result {
	enum drift_state state;
	char remote_sha[65];
	char flux_sha[65];
	char message[1600];      /* "in sync", "behind: remote at …", why */
	long long checked_ms;    /* loop time of the last answer, 0: never */
	int host_key_mismatch;
	char presented_fp[128];
	char expected_fp[128];
};

typedef void (*flux_drift_fn)(void *ud);

struct flux_drift;

/* on_change runs (from the loop) whenever a result changes. */
struct flux_drift *flux_drift_new(struct kube_client *c,
				  flux_drift_fn on_change, void *ud);
/* Cancels checks in flight (an SSH check finishes on its own thread and
 * is dropped). */
void flux_drift_free(struct flux_drift **d);

/* Give the current objects; checks are started for GitRepositories that
 * are due (never checked, or their interval has passed since the last
 * answer; at least min_interval_ms apart). Other kinds are ignored. */
void flux_drift_update(struct flux_drift *d, const struct flux_object *v,
		       size_t n, long long min_interval_ms);

/* The result for a GitRepository, or NULL when it was never seen.
 * Borrowed until the next return to the loop. */
const struct drift_result *flux_drift_get(const struct flux_drift *d,
					  const char *ns, const char *name);
/* 1 while any check is running. */
int flux_drift_busy(const struct flux_drift *d);

/* Short text for a table cell: "in sync", "behind", "checking", "?". */
const char *drift_state_text(enum drift_state s);

#endif
