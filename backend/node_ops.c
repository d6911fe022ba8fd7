/* node_ops.c - cordon and uncordon as merge patches of spec.unschedulable,
 * each under its change. The request goes through kube; nothing is cached
 * here. */
#include "node_ops.h"

#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

struct node_op {
	struct change *ch;
	struct kube_call *call;
	int on;
	kube_done_fn done;
	void *ud;
};

static void on_patched(struct kube_result *r, void *ud)
{
	struct node_op *op = ud;
	struct err e;

	const char *what = op->on ? "cordoned" : "uncordoned";

	err_clear(&e);
	if (change_end(op->ch, r->ok, r->ok ? what : r->err.msg, &e) < 0 &&
	    r->ok) {
		/* done, but the trail is broken: the caller must say so */
		r->ok = 0;
		err_set(&r->err, ERR_IO, "%s, but %s", what, e.msg);
	}
	op->done(r, op->ud);
	free(op);
}

struct node_op *node_set_unschedulable(struct kube_client *c,
				       struct change *ch, const char *name,
				       int on, kube_done_fn done, void *ud)
{
	struct node_op *op;
	char path[512], esc[400];

	if (!change_running(ch) || !done)
		return NULL; /* not audited: nothing is sent */
	op = xcalloc(1, sizeof(*op));
	op->ch = ch;
	op->on = on;
	op->done = done;
	op->ud = ud;
	kube_escape(esc, sizeof(esc), name);
	snprintf(path, sizeof(path), "/api/v1/nodes/%s", esc);
	/* null removes the field, which is what uncordon leaves behind. */
	op->call = kube_request(
	    c, "PATCH", path, "application/merge-patch+json",
	    on ? "{\"spec\":{\"unschedulable\":true}}"
	       : "{\"spec\":{\"unschedulable\":null}}",
	    on_patched, op);
	return op;
}

void node_op_cancel(struct node_op *op)
{
	if (!op)
		return;
	kube_call_cancel(op->call);
	change_end(op->ch, 0,
		   "stopped following; the request may still take effect",
		   NULL);
	free(op);
}
