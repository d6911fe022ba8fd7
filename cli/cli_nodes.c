/* cli_nodes.c - `jumpdeck nodes` and `jumpdeck cordon|uncordon`: the same
 * backend calls the nodes pane makes, run once on the event loop; the
 * node list is written out page by page as it arrives. */
#include "cli.h"
#include "cli_session.h"
#include "print.h"
#include "json_stream.h"
#include "backend/node_store.h"
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

/* One `jumpdeck nodes` run: the list comes page by page; each node is
 * written out (--json) or kept as a table row, then the page is freed. */
struct nodes_run {
	int json;
	struct jstream js;
	struct node_store *rows; /* row models: summary, table, repeats */
	size_t skipped;
	struct err first_bad;
};

static void on_node_item(const cJSON *it, void *ud)
{
	struct nodes_run *r = ud;
	struct node n;
	struct err e;
	int rc;

	err_clear(&e);
	rc = r->json ? node_from_json(&n, it, &e)
		     : node_row_from_json(&n, it, &e);
	if (rc < 0) {
		/* Not a node we can show: said at the end. */
		if (!r->skipped++)
			r->first_bad = e;
		return;
	}
	/* A list that started over hands the same nodes again. */
	if (r->json && !node_store_find(r->rows, n.name)) {
		cJSON *j = node_to_json(&n);

		jstream_value(&r->js, NULL, j);
		cJSON_Delete(j);
	}
	node_clear(&n);
	node_store_apply(r->rows, "ADDED", it);
}

static const struct kube_page_ops node_page_ops = {
	.item = on_node_item,
};

static void print_table(const struct cli_opts *o, struct nodes_run *r)
{
	const struct node_summary *sum = node_store_summary(r->rows);
	size_t n = node_store_count(r->rows), i;
	/* A view of the store's rows for the printer: borrowed, not owned. */
	struct node *v = xcalloc(n ? n : 1, sizeof(*v));
	char *line = node_summary_text(sum, cli_ascii(o));
	char *pools = node_summary_pools_text(sum, cli_ascii(o));

	for (i = 0; i < n; i++)
		v[i] = *node_store_at(r->rows, i);
	nodes_sort(v, n, NODE_SORT_NAME, 0);
	nodes_print_table(stdout, v, n, time(NULL));
	cli_say(stdout, "%s", "");
	cli_say(stdout, "%s   %s", line, pools);
	free(v);
	free(line);
	free(pools);
}

int cli_nodes(const struct cli_opts *o)
{
	struct cli_session s;
	struct cli_waited w;
	struct nodes_run r;
	const struct node_summary *sum;
	struct err e;
	int rc, ok;

	err_clear(&e);
	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	r.json = o->json;
	r.rows = node_store_new_local(NULL, NULL, 1);
	if (r.json) {
		jstream_begin(&r.js, stdout);
		jstream_open(&r.js, "nodes", 1);
	}
	kube_list_pages(s.kube, "/api/v1/nodes", &node_page_ops, &r,
			cli_on_done, &w);
	cli_wait(&s, &w.done);
	ok = cli_finish(&w, NULL, &e) == 0;
	sum = node_store_summary(r.rows);
	if (r.json) {
		cJSON *j = node_summary_to_json(sum);

		jstream_close(&r.js);
		jstream_value(&r.js, "summary", j);
		cJSON_Delete(j);
		/* Already written nodes stay; the document says it is cut. */
		if (!ok)
			jstream_string(&r.js, "error", e.msg);
		jstream_end(&r.js);
	} else if (ok) {
		print_table(o, &r);
	}
	if (!ok)
		cli_error("cannot list nodes: %s", e.msg);
	if (r.skipped)
		cli_error("%zu node%s left out: %s", r.skipped,
			  r.skipped == 1 ? "" : "s", r.first_bad.msg);
	rc = ok && !r.skipped && sum->ready == sum->total ? 0 : 1;
	node_store_free(&r.rows);
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
