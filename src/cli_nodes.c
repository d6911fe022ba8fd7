/* cli_nodes.c - `jumpdeck nodes` and `jumpdeck cordon|uncordon`: the same
 * backend calls the nodes pane makes, run once on the event loop. */
#include "cli.h"
#include "backend/audit.h"
#include "backend/http.h"
#include "backend/kube.h"
#include "backend/kubeconfig.h"
#include "backend/node_ops.h"
#include "backend/nodes.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct once {
	struct loop *loop;
	int done;
	struct kube_result r;
	cJSON *json;
};

static void on_done(struct kube_result *r, void *ud)
{
	struct once *o = ud;

	o->done = 1;
	o->r = *r;
	o->json = r->json;
	r->json = NULL;
	loop_stop(o->loop);
}

/* Load the kubeconfig and make a client; on failure print and return 2. */
static int open_client(const struct cli_opts *o, struct loop *l,
		       struct kube_client **c, char *ctx, size_t ctxsz,
		       char *user, size_t usersz)
{
	struct kubeconfig *kc = NULL;
	struct kube_target t;
	struct kube_conn conn;
	struct err e;

	err_clear(&e);
	memset(&t, 0, sizeof(t));
	if (kubeconfig_load(&kc, o->kubeconfig, &e) < 0 ||
	    kubeconfig_resolve(kc, o->context, &t, &e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		kubeconfig_free(&kc);
		return 2;
	}
	kube_conn_from_target(&conn, &t);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	snprintf(ctx, ctxsz, "%s", conn.context ? conn.context : "");
	snprintf(user, usersz, "kube user %s",
		 conn.user_name ? conn.user_name : "(none)");
	if (kube_client_new(c, l, &conn, &e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		kube_conn_clear(&conn);
		return 2;
	}
	kube_conn_clear(&conn);
	kube_client_set_foreground(*c, NULL, NULL, isatty(0));
	return 0;
}

int cli_nodes(const struct cli_opts *o)
{
	struct loop *l;
	struct kube_client *c = NULL;
	struct once once;
	struct node *v = NULL;
	size_t n = 0, i;
	struct node_summary sum;
	struct err e;
	char ctx[256], user[256];
	int rc;

	err_clear(&e);
	if (http_global_init(&e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		return 1;
	}
	l = loop_new();
	rc = open_client(o, l, &c, ctx, sizeof(ctx), user, sizeof(user));
	if (rc) {
		loop_free(&l);
		http_global_cleanup();
		return rc;
	}
	memset(&once, 0, sizeof(once));
	once.loop = l;
	kube_list(c, "/api/v1/nodes", on_done, &once);
	while (!once.done)
		loop_run_once(l, -1);
	if (!once.r.ok) {
		fprintf(stderr, "jumpdeck: cannot list nodes: %s\n",
			once.r.err.msg);
		rc = 1;
		goto out;
	}
	if (nodes_from_list_json(once.json, &v, &n, &e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	nodes_sort(v, n, NODE_SORT_NAME, 0);
	nodes_summarize(v, n, &sum);
	if (o->json) {
		char *s = nodes_to_json(v, n, &sum);

		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	} else {
		char *line = node_summary_text(&sum, o->ascii);
		char *pools = node_summary_pools_text(&sum, o->ascii);

		nodes_print_table(stdout, v, n, time(NULL));
		printf("\n%s   %s\n", line, pools);
		free(line);
		free(pools);
	}
	rc = sum.ready == sum.total ? 0 : 1;
	for (i = 0; i < n; i++)
		if (v[i].ready != NODE_READY)
			rc = 1;
	node_summary_clear(&sum);
	nodes_free(&v, n);
out:
	cJSON_Delete(once.json);
	kube_client_free(&c);
	loop_free(&l);
	http_global_cleanup();
	return rc;
}

int cli_cordon(const struct cli_opts *o, const char *node, int on)
{
	struct loop *l;
	struct kube_client *c = NULL;
	struct once once;
	struct audit_record ar;
	struct err e;
	char ctx[256], user[256], target[400];
	const char *action = on ? "node.cordon" : "node.uncordon";
	int rc;

	err_clear(&e);
	snprintf(target, sizeof(target), "node/%s", node);
	memset(&ar, 0, sizeof(ar));
	ar.action = action;
	ar.target = target;
	if (o->read_only) {
		ar.outcome = AUDIT_REFUSED;
		ar.detail = "read-only mode";
		audit_append(o->audit_log, &ar, NULL);
		fprintf(stderr, "jumpdeck: read-only mode: %s refused\n",
			on ? "cordon" : "uncordon");
		return 1;
	}
	if (http_global_init(&e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		return 1;
	}
	l = loop_new();
	rc = open_client(o, l, &c, ctx, sizeof(ctx), user, sizeof(user));
	if (rc) {
		loop_free(&l);
		http_global_cleanup();
		return rc;
	}
	ar.context = ctx;
	ar.identity = user;
	ar.outcome = AUDIT_REQUESTED;
	if (audit_append(o->audit_log, &ar, &e) < 0) {
		/* No audit trail, no change. */
		fprintf(stderr, "jumpdeck: audit log: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	memset(&once, 0, sizeof(once));
	once.loop = l;
	node_set_unschedulable(c, node, on, on_done, &once);
	while (!once.done)
		loop_run_once(l, -1);
	ar.outcome = once.r.ok ? AUDIT_SUCCEEDED : AUDIT_FAILED;
	ar.detail = once.r.ok ? NULL : once.r.err.msg;
	audit_append(o->audit_log, &ar, NULL);
	if (once.r.ok) {
		printf("node/%s %s\n", node, on ? "cordoned" : "uncordoned");
		rc = 0;
	} else {
		fprintf(stderr, "jumpdeck: %s %s: %s\n",
			on ? "cordon" : "uncordon", node, once.r.err.msg);
		rc = 1;
	}
	cJSON_Delete(once.json);
out:
	kube_client_free(&c);
	loop_free(&l);
	http_global_cleanup();
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
		fprintf(stderr, "jumpdeck: %s: %s\n", path ? path : "audit log",
			e.msg);
		free(path);
		return 1;
	}
	printf("%s: %zu records, hash chain intact\n", path, n);
	free(path);
	return 0;
}
