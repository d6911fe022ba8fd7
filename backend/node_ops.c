/* node_ops.c - cordon and uncordon as merge patches of spec.unschedulable.
 * The request goes through kube; nothing is cached here. */
#include "node_ops.h"

#include <stdio.h>

struct kube_call *node_set_unschedulable(struct kube_client *c,
					 const char *name, int on,
					 kube_done_fn done, void *ud)
{
	char path[512], esc[400];

	kube_escape(esc, sizeof(esc), name);
	snprintf(path, sizeof(path), "/api/v1/nodes/%s", esc);
	/* null removes the field, which is what uncordon leaves behind. */
	return kube_request(c, "PATCH", path, "application/merge-patch+json",
			    on ? "{\"spec\":{\"unschedulable\":true}}"
			       : "{\"spec\":{\"unschedulable\":null}}",
			    done, ud);
}
