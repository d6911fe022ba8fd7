/* cli_status.c - `jumpdeck status`: one snapshot of every model (nodes,
 * Flux, images; scans when they land) through the same backend session
 * the TUI runs on and the same health verdicts, as summary lines or one
 * JSON document, for a quick look or a pipeline gate. */
#include "cli.h"
#include "cli_session.h"
#include "print.h"
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
	const struct informer *nodes = session_nodes(s);
	const struct flux_watch *flux = session_flux(s);
	const struct pipeline *p = session_pipeline(s);

	if (nodes && !informer_synced(nodes) && !informer_error(nodes))
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

/* The nodes as the pane shows them, parsed from the session's informer. */
static void nodes_part(const struct cli_opts *o, struct session *s,
		       cJSON *doc, cJSON *health, struct health *h,
		       int timed_out)
{
	const struct informer *inf = session_nodes(s);
	struct node *v;
	struct node_summary sum;
	size_t n = inf ? informer_count(inf) : 0, i, k = 0;
	char *js;

	memset(&sum, 0, sizeof(sum));
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		if (node_from_json(&v[k], informer_item(inf, i), NULL) == 0)
			k++;
	nodes_summarize(v, k, &sum);
	if (inf)
		health_nodes(&sum, informer_synced(inf), informer_error(inf),
			     cli_ascii(o), h);
	else
		snprintf(h->text, sizeof(h->text), "%s",
			 session_conn_error(s) ? session_conn_error(s)->msg
					       : "not connected");
	if (!inf)
		h->state = HEALTH_UNKNOWN;
	cJSON_AddItemToObject(health, "nodes", health_json(h, timed_out));
	if (inf && informer_synced(inf)) {
		js = nodes_to_json(v, k, &sum);
		cJSON_AddItemToObject(doc, "nodes", cJSON_Parse(js));
		free(js);
	}
	if (h->state != HEALTH_OK)
		cJSON_AddStringToObject(doc, "nodesError", h->text);
	node_summary_clear(&sum);
	nodes_free(&v, k);
}

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

int cli_status(const struct cli_opts *o)
{
	struct session_opts so;
	struct session *s;
	struct config cfg;
	struct loop *loop;
	struct wait w;
	struct health hn, hf, hi;
	cJSON *doc, *health;
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

	doc = cJSON_CreateObject();
	health = cJSON_AddObjectToObject(doc, "health");
	nodes_part(o, s, doc, health, &hn, w.timed_out);
	flux_part(o, s, doc, health, &hf, w.timed_out);
	images_part(o, s, doc, health, &hi, w.timed_out);
	if (o->json) {
		char *out;

		cJSON_AddStringToObject(doc, "scans",
					"not available in this build");
		out = cJSON_Print(doc);
		cli_json(out);
		free(out);
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
	cJSON_Delete(doc);
	session_close(&s);
	loop_free(&loop);
	http_global_cleanup();
	config_free(&cfg);
	return rc;
}
