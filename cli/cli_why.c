/* cli_why.c - `jumpdeck why KIND NAME [-n NS] [--json]`: why a Flux object
 * is failing, as the chain from it down to the pods, their events, a
 * crash loop's log and the image in the quarantine pipeline, with the
 * likely cause and the command that fixes it. Exit 0 when healthy, 1 when
 * not, 2 for usage. The chain is backend/why*; this prints it. */
#include "cli.h"
#include "cli_session.h"
#include "backend/flux_watch.h"
#include "backend/pipeline.h"
#include "backend/scans_feed.h"
#include "backend/text.h"
#include "backend/why.h"
#include "backend/why_image.h"
#include "backend/why_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SETTLE_MS   30000
#define PIPELINE_MS 60000
#define SCANS_MS    60000

struct wait {
	int done;
	struct why_chain *chain;
};

static void on_timeout(void *ud)
{
	*(int *)ud = 1;
}

static void on_flux(struct flux_watch *w, void *ud)
{
	if (flux_watch_settled(w))
		*(int *)ud = 1;
}

static const struct flux_watch_ops flux_ops = {.on_change = on_flux};

static const cJSON *find(void *ud, enum flux_kind kind, const char *ns,
			 const char *name)
{
	return flux_watch_find(ud, kind, ns, name);
}

static void on_chain(struct why_chain *c, void *ud)
{
	struct wait *w = ud;

	w->chain = c;
	w->done = 1;
}

/* ---- the image pipeline, only when an image needs it ------------------- */

struct images {
	struct pipeline *p;
	struct scans *scans; /* the gate's verdicts, when a link needs them */
	char why_not[600];
	const struct config *cfg;
};

static void on_device(const struct azure_device_prompt *pr, void *ud)
{
	char *m = text_safe(pr->message, -1, NULL);

	(void)ud;
	fprintf(stderr, "jumpdeck: %s\n", m);
	free(m);
}

static void open_pipeline(struct cli_session *s, const struct cli_opts *o,
			  struct images *im)
{
	unsigned sources = AZURE_SRC_ENV | AZURE_SRC_IMDS | AZURE_SRC_CLI;
	struct pipeline_ops ops;
	struct err e;
	int timed_out = 0;
	unsigned t;

	memset(&ops, 0, sizeof(ops));
	if (isatty(0) && isatty(2)) {
		sources |= AZURE_SRC_DEVICE;
		ops.on_device_code = on_device;
	}
	err_clear(&e);
	im->cfg = o->cfg;
	im->p = o->cfg ? pipeline_new(s->loop, o->cfg, sources, &ops, im, &e)
		       : NULL;
	if (!im->p) {
		snprintf(im->why_not, sizeof(im->why_not), "%s",
			 e.msg[0] ? e.msg : "no configuration");
		return;
	}
	pipeline_refresh(im->p);
	t = loop_timer_add(s->loop, PIPELINE_MS, on_timeout, &timed_out);
	while (!timed_out && pipeline_busy(im->p))
		loop_run_once(s->loop, -1);
	loop_timer_cancel(s->loop, t);
}

/* The scan gate's word on a row in quarantine/ (why_image.h). */
static int gate(const struct image_row *r, char *why, size_t sz, void *ud)
{
	struct images *im = ud;
	struct scan_gate g;
	size_t i;

	if (!im->scans || !scans_done_once(im->scans) ||
	    scans_find(im->scans, r->ref, &i) < 0)
		return -1;
	scans_gate(im->scans, i, &g);
	if (!g.blocked)
		return 0;
	snprintf(why, sz, "%s", g.why);
	return 1;
}

static void lookup(const char *image, struct why_image *out, void *ud)
{
	struct images *im = ud;

	why_image_lookup(im->p, im->cfg, im->why_not[0] ? im->why_not : NULL,
			 gate, im, image, out);
}

/* 1 when a link's image waits in quarantine/: only then can the scan gate
 * be what keeps it from the pods. */
static int needs_gate(const struct why_chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->links[i].kind == WHY_IMAGE &&
		    c->links[i].fix == WHY_FIX_PROMOTE)
			return 1;
	return 0;
}

/* Ask the scanners (Defender through Resource Graph, the report
 * directory) what the gate needs, as `promote` would, and wait for one
 * answer. Without one, an image in quarantine/ is said as never promoted
 * (the gate is not guessed). */
static void open_scans(struct cli_session *s, const struct cli_opts *o,
		       struct images *im)
{
	struct err e;
	int timed_out = 0;
	unsigned t;

	err_clear(&e);
	im->scans = scans_feed_new(s->loop, im->p, o->cfg, o->reports, 0, NULL,
				   NULL, &e);
	if (!im->scans) {
		char *m = text_safe(e.msg, -1, NULL);

		fprintf(stderr, "jumpdeck: the scan gate: %s\n", m);
		free(m);
		return;
	}
	scans_feed(im->scans, im->p, o->audit_log);
	t = loop_timer_add(s->loop, SCANS_MS, on_timeout, &timed_out);
	while (!timed_out && !scans_done_once(im->scans))
		loop_run_once(s->loop, -1);
	loop_timer_cancel(s->loop, t);
}

static int has_images(const struct why_chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->links[i].kind == WHY_IMAGE)
			return 1;
	return 0;
}

/* ---- printing --------------------------------------------------------- */

static const char *mark(const struct cli_opts *o, enum why_severity s)
{
	int ascii = cli_ascii(o);

	switch (s) {
	case WHY_OK:
		return ascii ? "[+]" : "\u2713";
	case WHY_BAD:
		return ascii ? "[x]" : "\u2717";
	case WHY_WARN:
		return ascii ? "[!]" : "!";
	default:
		return ascii ? "[-]" : "\u00b7";
	}
}

static void print_text(const struct cli_opts *o, const struct why_chain *c)
{
	const struct why_link *likely = why_chain_likely(c);
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		const struct why_link *l = &c->links[i];
		int ind = l->depth * 2;

		printf("%*s%s %s%s%s%s\n", ind, "", mark(o, l->severity),
		       l->what, *l->why ? ": " : "", l->why,
		       l->likely ? "   <= likely cause" : "");
		for (k = 0; k < l->nlines; k++)
			printf("%*s  | %s\n", ind, "", l->lines[k]);
	}
	putchar('\n');
	if (c->healthy) {
		printf("%s %s is healthy\n", mark(o, WHY_OK), c->subject);
		return;
	}
	if (!likely) {
		printf("%s %s is not healthy; no single cause was found\n",
		       mark(o, WHY_BAD), c->subject);
		return;
	}
	printf("Likely cause: %s: %s\n", likely->what, likely->why);
	if (likely->fix)
		printf("Fix: %s: jumpdeck %s\n", likely->fix_text,
		       likely->fix_args);
}

int cli_why(const struct cli_opts *o, const char *kind_s, const char *name)
{
	struct cli_session s;
	struct flux_watch *fw;
	struct flux_object *v = NULL;
	struct why_opts wo;
	struct images im;
	struct wait w;
	enum flux_kind kind;
	const char *ns = o->ns ? o->ns : "flux-system";
	int settled = 0, rc;
	unsigned t;
	size_t n = 0;

	if (flux_kind_parse(kind_s, &kind) < 0) {
		char *k = text_safe(kind_s, 80, NULL);

		fprintf(stderr,
			"jumpdeck: unknown kind \"%s\" (try "
			"kustomization, gitrepository, helmrelease, "
			"ocirepository, helmrepository, bucket)\n",
			k);
		free(k);
		return 2;
	}
	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	memset(&im, 0, sizeof(im));
	fw = flux_watch_start(s.kube, NULL, &flux_ops, &settled);
	t = loop_timer_add(s.loop, SETTLE_MS, on_timeout, &settled);
	cli_wait(&s, &settled);
	loop_timer_cancel(s.loop, t);
	if (flux_watch_not_installed(fw) || !flux_watch_version(fw, kind)) {
		const char **msgs;
		size_t np = flux_watch_problems(fw, &msgs);
		char *m = text_safe(np ? msgs[0]
				       : "Flux is not installed: the cluster "
					 "serves no such kind",
				    -1, NULL);

		fprintf(stderr, "jumpdeck: %s\n", m);
		free(m);
		flux_watch_stop(&fw);
		cli_session_close(&s);
		return 1;
	}
	flux_watch_objects(fw, &v, &n);
	memset(&wo, 0, sizeof(wo));
	memset(&w, 0, sizeof(w));
	wo.kind = kind;
	wo.ns = ns;
	wo.name = name;
	wo.all = v;
	wo.n = n;
	wo.find = find;
	wo.find_ud = fw;
	why_fetch_kube(&wo.fetch, s.kube);
	wo.loop = s.loop;
	wo.done = on_chain;
	wo.ud = &w;
	why_start(&wo);
	flux_objects_free(&v, n);
	cli_wait(&s, &w.done);
	if (has_images(w.chain))
		open_pipeline(&s, o, &im);
	why_chain_resolve_images(w.chain, lookup, &im);
	if (im.p && needs_gate(w.chain)) {
		open_scans(&s, o, &im);
		why_chain_resolve_images(w.chain, lookup, &im);
	}
	if (o->json) {
		char *js = why_chain_to_json(
		    w.chain, flux_kind_get(kind)->kind, ns, name);

		cli_json(js);
		free(js);
	} else {
		print_text(o, w.chain);
	}
	rc = w.chain->healthy ? 0 : 1;
	why_chain_free(&w.chain);
	scans_free(&im.scans); /* it borrows the pipeline's sign-in */
	pipeline_free(&im.p);
	flux_watch_stop(&fw);
	cli_session_close(&s);
	return rc;
}
