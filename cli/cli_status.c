/* cli_status.c - `jumpdeck status`: one snapshot of every model (nodes,
 * Flux, images; scans when they land) through the same backend session
 * the TUI runs on and the same health verdicts, as summary lines or one
 * JSON document, for a quick look or a pipeline gate. */
#include "cli.h"
#include "cli_session.h"
#include "print.h"
#include "json_stream.h"
#include "backend/config.h"
#include "backend/health.h"
#include "backend/http.h"
#include "backend/nodes.h"
#include "backend/session.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 60000

struct wait {
	int timed_out;
};

static void on_deadline(void *ud)
{
	((struct wait *)ud)->timed_out = 1;
}

/* Every model has been read once (or failed): the snapshot can be
 * taken. */
static int settled(const struct session *s)
{
	const struct node_store *nodes = session_nodes(s);
	const struct flux_watch *flux = session_flux(s);
	const struct pipeline *p = session_pipeline(s);

	if (nodes && !node_store_synced(nodes) && !node_store_error(nodes))
		return 0;
	if (flux && !flux_watch_settled(flux))
		return 0;
	if (p && pipeline_busy(p))
		return 0;
	return 1;
}

static void line(const struct cli_opts *o, const char *pane,
		 const struct health *h)
{
	const char *mark = h->state == HEALTH_OK ? cli_mark(o, 1)
			   : h->state == HEALTH_PENDING
			       ? (cli_ascii(o) ? "[.]" : "\u2026")
			       : cli_mark(o, 0);

	cli_say(stdout, "%s %-7s %s", mark, pane, h->text);
}

/* Past the deadline a pending verdict is no answer (health_give_up). */
static cJSON *health_json(struct health *h, int timed_out)
{
	cJSON *j = cJSON_CreateObject();

	if (timed_out)
		health_give_up(h, WAIT_MS);
	cJSON_AddStringToObject(j, "state", health_state_name(h->state));
	cJSON_AddStringToObject(j, "text", h->text);
	return j;
}

/* The nodes' verdict, from the session's store (kept as they came). */
static void nodes_health(const struct cli_opts *o, struct session *s,
			 struct health *h)
{
	const struct node_store *ns = session_nodes(s);

	memset(h, 0, sizeof(*h));
	if (ns) {
		health_nodes(node_store_summary(ns), node_store_synced(ns),
			     node_store_error(ns), cli_ascii(o), h);
		return;
	}
	h->state = HEALTH_UNKNOWN;
	snprintf(h->text, sizeof(h->text), "%s",
		 session_conn_error(s) ? session_conn_error(s)->msg
				       : "not connected");
}

/* "nodes" of status --json, written node by node from the models (the
 * same document as nodes --json). */
static void nodes_part(struct jstream *js, struct session *s,
		       const struct health *h)
{
	const struct node_store *ns = session_nodes(s);
	size_t i;

	if (ns && node_store_synced(ns)) {
		cJSON *sum = node_summary_to_json(node_store_summary(ns));

		jstream_open(js, "nodes", 0);
		jstream_open(js, "nodes", 1);
		for (i = 0; i < node_store_count(ns); i++) {
			cJSON *j = node_to_json(node_store_at(ns, i));

			jstream_value(js, NULL, j);
			cJSON_Delete(j);
		}
		jstream_close(js);
		jstream_value(js, "summary", sum);
		jstream_close(js);
		cJSON_Delete(sum);
	}
	if (h->state != HEALTH_OK)
		jstream_string(js, "nodesError", h->text);
}

/* "flux" and "fluxError"; the verdict goes into health. */
static void flux_part(const struct cli_opts *o, struct session *s,
		      cJSON *doc, cJSON *health, struct health *h,
		      int timed_out)
{
	const struct flux_watch *w = session_flux(s);

	health_flux(w, NULL, cli_ascii(o), h);
	cJSON_AddItemToObject(health, "flux", health_json(h, timed_out));
	if (w && flux_watch_settled(w) && !flux_watch_not_installed(w)) {
		struct flux_object *v = NULL;
		struct flux_controller *c = NULL;
		struct flux_summary sum;
		size_t n = 0, nc = 0;
		char *js;

		flux_watch_objects(w, &v, &n);
		flux_watch_controllers(w, &c, &nc);
		flux_summarize(c, nc, v, n, &sum);
		js = flux_to_json(c, nc, v, n, &sum);
		cJSON_AddItemToObject(doc, "flux", cJSON_Parse(js));
		free(js);
		flux_objects_free(&v, n);
		flux_controllers_free(&c, nc);
	}
	if (h->state != HEALTH_OK)
		cJSON_AddStringToObject(doc, "fluxError", h->text);
}

/* "images" and "imagesError"; the verdict goes into health. */
static void images_part(const struct cli_opts *o, struct session *s,
			cJSON *doc, cJSON *health, struct health *h,
			int timed_out)
{
	const struct pipeline *p = session_pipeline(s);

	health_images(p, session_pipeline_error(s), cli_ascii(o), h);
	cJSON_AddItemToObject(health, "images", health_json(h, timed_out));
	if (p && h->state != HEALTH_UNKNOWN) {
		const struct image_row *v;
		size_t n = pipeline_rows(p, &v);
		/* status does not ask the scanners: jumpdeck scans does */
		char *js =
		    images_to_json(v, n, pipeline_registry(p),
				   pipeline_quarantine_registry(p), NULL);

		cJSON_AddItemToObject(doc, "images", cJSON_Parse(js));
		free(js);
	}
	if (h->state != HEALTH_OK)
		cJSON_AddStringToObject(doc, "imagesError", h->text);
}

/* The document, written part by part: the nodes one at a time from the
 * store, the other parts (small) whole. */
static void print_json(struct session *s, const struct health *hn,
		       cJSON *health, cJSON *flux, cJSON *images)
{
	struct jstream js;
	const cJSON *it;

	jstream_begin(&js, stdout);
	jstream_value(&js, "health", health);
	nodes_part(&js, s, hn);
	cJSON_ArrayForEach(it, flux)
		jstream_value(&js, it->string, it);
	cJSON_ArrayForEach(it, images)
		jstream_value(&js, it->string, it);
	jstream_string(&js, "scans", "not available in this build");
	jstream_end(&js);
}

int cli_status(const struct cli_opts *o)
{
	struct session_opts so;
	struct session *s;
	struct config cfg;
	struct loop *loop;
	struct wait w;
	struct health hn, hf, hi;
	cJSON *health, *flux, *images;
	struct err e;
	unsigned timer;
	int rc;

	rc = cli_load_config(o, &cfg);
	if (rc)
		return rc;
	err_clear(&e);
	if (http_global_init(&e) < 0) {
		cli_error("%s", e.msg);
		config_free(&cfg);
		return 1;
	}
	loop = loop_new();
	memset(&so, 0, sizeof(so));
	so.kubeconfig = o->kubeconfig;
	so.context = o->context;
	so.audit_log = o->audit_log;
	so.read_only = 1; /* a snapshot changes nothing */
	so.config = &cfg;
	so.azure_sources = AZURE_SRC_ENV | AZURE_SRC_IMDS | AZURE_SRC_CLI;
	so.have_terminal = isatty(0);
	so.models = MODEL_NODES | MODEL_FLUX | MODEL_IMAGES;
	s = session_open(loop, &so, NULL, NULL, &e);
	if (!s) {
		cli_error("%s", e.msg);
		loop_free(&loop);
		http_global_cleanup();
		config_free(&cfg);
		return 1;
	}
	if (session_kube(s) && kube_client_warning(session_kube(s)))
		cli_error("%s", kube_client_warning(session_kube(s)));
	memset(&w, 0, sizeof(w));
	timer = loop_timer_add(loop, WAIT_MS, on_deadline, &w);
	while (!w.timed_out && !settled(s))
		loop_run_once(loop, -1);
	loop_timer_cancel(loop, timer);

	health = cJSON_CreateObject();
	flux = cJSON_CreateObject();
	images = cJSON_CreateObject();
	nodes_health(o, s, &hn);
	cJSON_AddItemToObject(health, "nodes", health_json(&hn, w.timed_out));
	flux_part(o, s, flux, health, &hf, w.timed_out);
	images_part(o, s, images, health, &hi, w.timed_out);
	if (o->json) {
		print_json(s, &hn, health, flux, images);
	} else {
		line(o, "nodes", &hn);
		line(o, "flux", &hf);
		line(o, "images", &hi);
		cli_say(stdout, "%s %-7s %s", cli_ascii(o) ? "[-]" : "-",
			"scans", "not available in this build");
	}
	rc = hn.state == HEALTH_OK && hf.state == HEALTH_OK &&
		     hi.state == HEALTH_OK
		 ? 0
		 : 1;
	cJSON_Delete(health);
	cJSON_Delete(flux);
	cJSON_Delete(images);
	session_close(&s);
	loop_free(&loop);
	http_global_cleanup();
	config_free(&cfg);
	return rc;
}
