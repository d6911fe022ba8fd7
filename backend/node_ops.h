/* node_ops.h - actions on nodes (cordon, uncordon) shared by the TUI's keys
 * and the CLI. Not the node model (nodes.h) and not confirmation or audit
 * (the callers do both). */
#ifndef JD_NODE_OPS_H
#define JD_NODE_OPS_H

#include "kube.h"

/* PATCH spec.unschedulable (merge patch, as `kubectl cordon` does).
 * on = 1 cordons, 0 uncordons. The call belongs to the client. */
struct kube_call *node_set_unschedulable(struct kube_client *c,
					 const char *name, int on,
					 kube_done_fn done, void *ud);

#endif
