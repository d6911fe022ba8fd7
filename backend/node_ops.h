/* node_ops.h - actions on nodes (cordon, uncordon) shared by the TUI's keys
 * and the CLI. Not the node model (nodes.h) and not confirmation (the
 * callers ask); every action runs under a begun change (change.h). */
#ifndef JD_NODE_OPS_H
#define JD_NODE_OPS_H

#include "change.h"
#include "kube.h"

/* PATCH spec.unschedulable (merge patch, as `kubectl cordon` does).
 * on = 1 cordons, 0 uncordons. ch must be a running change begun for
 * this action: without one nothing is sent, done is never called and NULL
 * is returned. The change is ended (outcome recorded) before done runs;
 * when the outcome record fails, done sees a failure saying so. The
 * handle is valid until done has run or node_op_cancel. */
struct node_op;
struct node_op *node_set_unschedulable(struct kube_client *c,
				       struct change *ch, const char *name,
				       int on, kube_done_fn done, void *ud);
/* Stop following: the change ends as failed ("stopped following"), done
 * is not called. */
void node_op_cancel(struct node_op *op);

#endif
