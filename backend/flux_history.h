/* flux_history.h - the last reconciliations of each Flux object seen
 * during a session: a fixed ring of outcomes per object (when, ok or
 * failed, how long, the revision, the message), made from the status
 * changes the watch sees. Pure: no loop, no curses; the caller gives the
 * clock. Not a store of objects (flux_watch.h is). */
#ifndef JD_FLUX_HISTORY_H
#define JD_FLUX_HISTORY_H

#include <stddef.h>
#include <time.h>

#include "flux.h"

#define FLUX_RING_LEN	      20 /* outcomes kept per object */
#define FLUX_OUTCOME_REV_LEN  48 /* the revision's short form, cut */
#define FLUX_OUTCOME_MSG_MAX  240 /* bytes of a message kept */
#define FLUX_HISTORY_MAX_OBJS 20000 /* objects followed at most */

/* One reconciliation's end. Strings are as the server sent them (cut):
 * make them terminal-safe before drawing. */
struct flux_outcome {
	time_t at;     /* when it ended: the Ready condition's transition
			* or the history's lastReconciled when they moved,
			* else when it was seen */
	long duration; /* seconds from the start of the reconciliation
			* (Ready Unknown or Reconciling True seen) to its
			* end; -1 when the start was not seen */
	int ok;	       /* 1 Ready, 0 failed or stalled */
	char revision[FLUX_OUTCOME_REV_LEN]; /* short form (main@1a2b3c4d):
					      * the applied one, or the
					      * attempted one for a failure */
	char *message; /* the Ready message, owned by the ring; never NULL
			* once pushed */
};

/* Oldest outcomes are overwritten once FLUX_RING_LEN are kept. */
struct flux_ring {
	struct flux_outcome v[FLUX_RING_LEN];
	unsigned head; /* the slot the next outcome goes to */
	unsigned n;    /* outcomes kept */
};

/* Copy o into the ring (its message too, cut to FLUX_OUTCOME_MSG_MAX
 * bytes on a character boundary; NULL is kept as ""). */
void flux_ring_push(struct flux_ring *r, const struct flux_outcome *o);
size_t flux_ring_count(const struct flux_ring *r);
/* The i-th outcome, newest first (0 is the latest); NULL past the end.
 * Valid until the next push or clear. */
const struct flux_outcome *flux_ring_at(const struct flux_ring *r, size_t i);
/* Free the messages and empty the ring. */
void flux_ring_clear(struct flux_ring *r);

/* An outcome's mark: "\u2713" ok, "\u2717" failed; "+" and "x" when
 * ascii. A literal. */
const char *flux_outcome_mark(int ok, int ascii);

/* The last n outcomes (at most) as marks, oldest first so the newest is
 * at the right: "✓" ok, "✗" failed ("+" and "x" when ascii). "" when
 * there are none. Writes into buf (as many whole marks as fit, the
 * newest kept), returns buf. */
const char *flux_ring_marks(const struct flux_ring *r, size_t n, int ascii,
			    char *buf, size_t sz);

struct flux_history;

struct flux_history *flux_history_new(void);
void flux_history_free(struct flux_history **h);

/* o's current status, seen at now (seconds since the epoch). Becomes an
 * outcome when it is final (Ready True, Ready False, Stalled) and differs
 * from the last one recorded (its Ready condition, lastHandledReconcileAt,
 * the revisions, observedGeneration or lastReconciled moved); the first
 * look at an object records what its status says. Progressing marks the
 * start (Ready Unknown's transition, else Reconciling True's, else now);
 * waiting (no Ready, DependencyNotReady) and suspension record nothing.
 * Returns 1 when an outcome was added. */
int flux_history_observe(struct flux_history *h, const struct flux_object *o,
			 time_t now);
/* The object is gone: forget its outcomes. */
void flux_history_forget(struct flux_history *h, const char *ns,
			 const char *name);
/* The outcomes of ns/name, or NULL when none was seen. Valid until the
 * next observe or forget. */
const struct flux_ring *flux_history_find(const struct flux_history *h,
					  const char *ns, const char *name);
/* Objects followed. */
size_t flux_history_count(const struct flux_history *h);

#endif
