/* health.h - one verdict per model: is Flux healthy, are the nodes Ready,
 * are the images promoted. The same function answers for `jumpdeck
 * status`, `jumpdeck flux`, the bootstrap steps and the panes, so they
 * cannot disagree. A model that cannot be read is never healthy. Not the
 * models themselves, not printing. */
#ifndef JD_HEALTH_H
#define JD_HEALTH_H

#include <stddef.h>

#include "flux.h"
#include "flux_drift.h"
#include "flux_watch.h"
#include "informer.h"
#include "nodes.h"
#include "pipeline.h"

enum health_state {
	HEALTH_OK = 0,
	HEALTH_BAD,     /* read, and something is wrong */
	HEALTH_PENDING, /* not read yet, or settling (progressing) */
	HEALTH_UNKNOWN, /* cannot be read: the text says why */
};

struct health {
	enum health_state state;
	char text[700]; /* one line: the summary, or what is wrong */
};

/* "ok", "failing", "pending", "unknown". */
const char *health_state_name(enum health_state s);

/* Flux: healthy when Flux is installed, every list could be read, at
 * least one controller runs and all are available, and no source or
 * kustomization is failed, stalled, waiting or progressing (suspended ones
 * count as what they are: suspended, not failed). drift may be NULL; a
 * GitRepository behind its remote is not healthy. w NULL: not connected. */
void health_flux(const struct flux_watch *w, const struct flux_drift *drift,
		 int ascii, struct health *h);

/* A verdict still pending when the caller stopped waiting (after
 * waited_ms): no answer is not a healthy answer, so it becomes UNKNOWN,
 * "reading Flux: no answer within 60 s". Other states stay. */
void health_give_up(struct health *h, long waited_ms);

/* Nodes, from the summary of what could be read and the informer's error
 * (NULL when it reads fine). synced 0: not listed yet. */
void health_nodes(const struct node_summary *sum, int synced,
		  const struct err *error, int ascii, struct health *h);

/* Images: every configured image promoted and no alert. p NULL: why is
 * in no_pipeline (the configuration's sentence). */
void health_images(const struct pipeline *p, const char *no_pipeline,
		   int ascii, struct health *h);

#endif
