/* flux_ops.h - Flux actions shared by the TUI's keys and the CLI:
 * reconcile (optionally the source first) following the request until the
 * object settles, suspend and resume, each under a begun change
 * (change.h). Confirmation is the callers' job; nothing here draws. */
#ifndef JD_FLUX_OPS_H
#define JD_FLUX_OPS_H

#include "change.h"
#include "err.h"
#include "flux.h"
#include "flux_discover.h"
#include "kube.h"

enum flux_action_kind {
	FLUX_ACT_RECONCILE,
	FLUX_ACT_SUSPEND,
	FLUX_ACT_RESUME, /* resume, then reconcile like flux resume */
};

struct flux_action_opts {
	enum flux_action_kind what;
	enum flux_kind kind;
	/* The served version of every kind ("v1", "v1beta1", ...; NULL when
	 * not installed), from discovery. Borrowed for the start call. */
	const char *versions[FLUX_KIND_COUNT];
	const char *ns;
	const char *name;
	int with_source; /* reconcile the object's source first */
	long timeout_ms; /* for each reconcile; 0: five minutes */
};

/* Progress text ("waiting for the controller", "waiting for Ready") of
 * the object now being reconciled ("GitRepository/flux-system/x").
 * Strings valid during the callback. */
typedef void (*flux_action_progress_fn)(const char *object,
					const char *text, void *ud);
/* The end: ok, or e says why; result is a short outcome ("applied
 * revision main@1a2b3c4d", "suspended"). Called once, from the loop,
 * unless cancelled. */
typedef void (*flux_action_done_fn)(int ok, const struct err *e,
				    const char *result, void *ud);

struct flux_action;

/* Starts at once under ch, a running change begun for this action: the
 * change gets the progress texts and is ended (outcome recorded) before
 * done runs. Returns NULL (e filled) for bad options or without a running
 * change; then nothing is sent and the change is ended as failed. */
struct flux_action *flux_action_start(struct kube_client *c,
				      struct change *ch,
				      const struct flux_action_opts *o,
				      flux_action_progress_fn progress,
				      flux_action_done_fn done, void *ud,
				      struct err *e);
/* Stop following (a request already sent stays sent); the change ends as
 * failed ("stopped following"), done is not called. */
void flux_action_cancel(struct flux_action *a);

/* Discovery for one-shot use: the version each kind is served at, chosen
 * per kind (flux_discover.h). done gets versions (string literals, NULL
 * when not served) or e. */
typedef void (*flux_versions_fn)(const char *const *versions,
				 const struct err *e, void *ud);
struct flux_discovery *flux_discover_versions(struct kube_client *c,
					      flux_versions_fn done, void *ud);

#endif
