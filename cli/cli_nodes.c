/* cli_nodes.c - `jumpdeck nodes` and `jumpdeck cordon|uncordon`: the same
 * backend calls the nodes pane makes, run once on the event loop. */
#include "cli.h"
#include "cli_session.h"
#include "print.h"
#include "backend/audit.h"
#include "backend/text.h"
#include "backend/http.h"
#include "backend/kube.h"
#include "backend/kube_name.h"
#include "backend/kubeconfig.h"
#include "backend/node_ops.h"
#include "backend/nodes.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_nodes(const struct cli_opts *o)
{
	struct cli_session s;
	cJSON *list = NULL;
	struct node *v = NULL;
	size_t n = 0;
	struct node_summary sum;
	struct err e;
	int rc;

	err_clear(&e);
	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	if (cli_list(&s, "/api/v1/nodes", &list, &e) < 0) {
		cli_error("cannot list nodes: %s", e.msg);
		rc = 1;
		goto out;
	}
	if (nodes_from_list_json(list, &v, &n, &e) < 0) {
		cli_error("%s", e.msg);
		rc = 1;
		goto out;
	}
	nodes_sort(v, n, NODE_SORT_NAME, 0);
	nodes_summarize(v, n, &sum);
	if (o->json) {
		char *js = nodes_to_json(v, n, &sum);

		cli_json(js);
		free(js);
	} else {
		char *line = node_summary_text(&sum, cli_ascii(o));
		char *pools = node_summary_pools_text(&sum, cli_ascii(o));

		nodes_print_table(stdout, v, n, time(NULL));
		cli_say(stdout, "%s", "");
		cli_say(stdout, "%s   %s", line, pools);
		free(line);
		free(pools);
	}
	rc = sum.ready == sum.total ? 0 : 1;
	node_summary_clear(&sum);
	nodes_free(&v, n);
out:
	cJSON_Delete(list);
	cli_session_close(&s);
	return rc;
}

int cli_cordon(const struct cli_opts *o, const char *node, int on)
{
	struct cli_session s;
	struct cli_waited w;
	struct change *ch;
	struct err e;
	char target[400];
	const char *action = on ? "node.cordon" : "node.uncordon";
	int rc;

	err_clear(&e);
	/* "..", "a/b": refused before any request and any audit record */
	if (kube_name_check("node", node, KUBE_NAME_SUBDOMAIN, &e) < 0) {
		cli_error("%s", e.msg);
		return 2;
	}
	snprintf(target, sizeof(target), "node/%s", node);
	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	/* No audit trail, no change: refused here under --read-only or
	 * when the intent cannot be written. */
	ch = cli_change_begin(s.changes, action, target,
			      kube_client_identity(s.kube), NULL);
	if (!ch) {
		cli_session_close(&s);
		return 1;
	}
	memset(&w, 0, sizeof(w));
	node_set_unschedulable(s.kube, ch, node, on, cli_on_done, &w);
	cli_wait(&s, &w.done);
	if (cli_finish(&w, NULL, &e) < 0) {
		cli_error("%s %s: %s", on ? "cordon" : "uncordon", node,
			  e.msg);
		rc = 1;
	} else {
		cli_say(stdout, "node/%s %s", node,
			on ? "cordoned" : "uncordoned");
		rc = 0;
	}
	cli_session_close(&s);
	return rc;
}

int cli_audit_verify(const struct cli_opts *o)
{
	struct err e;
	size_t n = 0;
	char *path = o->audit_log ? xstrdup(o->audit_log)
				  : audit_default_path();
	int rc;

	err_clear(&e);
	rc = audit_verify(path, &n, &e);
	if (rc < 0) {
		cli_error("%s: %s", path ? path : "audit log", e.msg);
		free(path);
		return 1;
	}
	cli_say(stdout, "%s: %zu records, hash chain intact", path, n);
	free(path);
	return 0;
}
