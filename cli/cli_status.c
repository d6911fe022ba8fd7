/* cli_status.c - `jumpdeck status`: one snapshot of every pane (nodes,
 * Flux, images; scans are not in this build) as summary lines or one JSON
 * document, for a quick look or a pipeline gate. */
#include "cli.h"
#include "cli_session.h"
#include "backend/config.h"
#include "backend/flux.h"
#include "backend/flux_watch.h"
#include "backend/nodes.h"
#include "backend/pipeline.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 60000

struct deadline {
	int done;
};

static void on_deadline(void *ud)
{
	((struct deadline *)ud)->done = 1;
}

static void flux_changed(struct flux_watch *w, void *ud)
{
	if (flux_watch_settled(w))
		((struct deadline *)ud)->done = 1;
}

static const struct flux_watch_ops flux_ops = {.on_change = flux_changed};

static void line(const struct cli_opts *o, const char *pane, int ok,
		 const char *text)
{
	char *safe = text_safe(text, -1, NULL);

	printf("%s %-7s %s\n", cli_mark(o, ok), pane, safe);
	free(safe);
}

int cli_status(const struct cli_opts *o)
{
	struct cli_session s;
	struct config cfg;
	struct deadline dl;
	cJSON *doc = cJSON_CreateObject(), *list = NULL;
	struct err e;
	unsigned timer;
	int rc, bad = 0;
	char buf[1200];

	rc = cli_load_config(o, &cfg);
	if (rc) {
		cJSON_Delete(doc);
		return rc;
	}
	rc = cli_session_open(&s, o);
	if (rc) {
		config_free(&cfg);
		cJSON_Delete(doc);
		return rc;
	}
	/* Nodes. */
	err_clear(&e);
	if (cli_list(&s, "/api/v1/nodes", &list, &e) < 0) {
		bad = 1;
		if (!o->json)
			line(o, "nodes", 0, e.msg);
		cJSON_AddStringToObject(doc, "nodesError", e.msg);
	} else {
		struct node *v = NULL;
		size_t n = 0;
		struct node_summary sum;
		char *t, *js;

		nodes_from_list_json(list, &v, &n, &e);
		nodes_summarize(v, n, &sum);
		bad |= sum.ready != sum.total;
		t = node_summary_text(&sum, cli_ascii(o));
		if (!o->json)
			line(o, "nodes", sum.ready == sum.total, t);
		js = nodes_to_json(v, n, &sum);
		cJSON_AddItemToObject(doc, "nodes", cJSON_Parse(js));
		free(js);
		free(t);
		node_summary_clear(&sum);
		nodes_free(&v, n);
	}
	cJSON_Delete(list);
	/* Flux. */
	{
		struct flux_watch *w;
		struct flux_object *v = NULL;
		struct flux_controller *c = NULL;
		size_t n = 0, nc = 0;
		struct flux_summary sum;
		char *t, *js;
		int ok;

		memset(&dl, 0, sizeof(dl));
		w = flux_watch_start(s.kube, NULL, &flux_ops, &dl);
		t = NULL;
		{
			unsigned tm = loop_timer_add(s.loop, WAIT_MS,
						     on_deadline, &dl);

			cli_wait(&s, &dl.done);
			loop_timer_cancel(s.loop, tm);
		}
		if (flux_watch_not_installed(w)) {
			if (!o->json)
				line(o, "flux", 0, "Flux is not installed");
			cJSON_AddStringToObject(doc, "fluxError",
						"Flux is not installed");
			bad = 1;
		} else {
			flux_watch_objects(w, &v, &n);
			flux_watch_controllers(w, &c, &nc);
			flux_summarize(c, nc, v, n, &sum);
			ok = !sum.failed && !sum.waiting &&
			     sum.controllers_ok == sum.controllers;
			bad |= !ok;
			t = flux_summary_text(&sum, cli_ascii(o));
			if (!o->json)
				line(o, "flux", ok, t);
			js = flux_to_json(c, nc, v, n, &sum);
			cJSON_AddItemToObject(doc, "flux", cJSON_Parse(js));
			free(js);
		}
		free(t);
		flux_objects_free(&v, n);
		flux_controllers_free(&c, nc);
		flux_watch_stop(&w);
	}
	/* Images. */
	{
		struct pipeline *p;
		const struct image_row *v;
		size_t n, i, promoted = 0, alerts = 0;
		int is_err = 0;
		const char *st;

		err_clear(&e);
		p = pipeline_new(s.loop, &cfg,
				 AZURE_SRC_ENV | AZURE_SRC_IMDS |
					 AZURE_SRC_CLI,
				 NULL, NULL, &e);
		if (!p) {
			bad = 1;
			if (!o->json)
				line(o, "images", 0, e.msg);
			cJSON_AddStringToObject(doc, "imagesError", e.msg);
		} else {
			memset(&dl, 0, sizeof(dl));
			pipeline_refresh(p);
			timer = loop_timer_add(s.loop, WAIT_MS, on_deadline,
					       &dl);
			while (!dl.done && pipeline_busy(p))
				loop_run_once(s.loop, -1);
			loop_timer_cancel(s.loop, timer);
			st = pipeline_status(p, &is_err);
			n = pipeline_rows(p, &v);
			for (i = 0; i < n; i++) {
				promoted += v[i].state == IMG_PROMOTED;
				alerts += image_state_alert(v[i].state);
			}
			if (is_err) {
				bad = 1;
				if (!o->json)
					line(o, "images", 0, st);
				cJSON_AddStringToObject(doc, "imagesError",
							st);
			} else {
				char *js = images_to_json(
					v, n, pipeline_registry(p),
					pipeline_quarantine_registry(p));

				snprintf(buf, sizeof(buf),
					 "%zu/%zu promoted%s%zu alert%s "
					 "(registry %s)",
					 promoted, n,
					 cli_ascii(o) ? " - " : " \u00b7 ",
					 alerts, alerts == 1 ? "" : "s",
					 pipeline_registry(p));
				bad |= promoted != n;
				if (!o->json)
					line(o, "images", promoted == n, buf);
				cJSON_AddItemToObject(doc, "images",
						      cJSON_Parse(js));
				free(js);
			}
			pipeline_free(&p);
		}
	}
	if (!o->json)
		printf("%s %-7s %s\n", cli_ascii(o) ? "[-]" : "-", "scans",
		       "not available in this build");
	if (o->json) {
		char *out;

		cJSON_AddStringToObject(doc, "scans",
					"not available in this build");
		out = cJSON_Print(doc);
		puts(out);
		free(out);
	}
	cJSON_Delete(doc);
	cli_session_close(&s);
	config_free(&cfg);
	return bad ? 1 : 0;
}
