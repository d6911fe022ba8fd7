/* cli_images.c - `jumpdeck images`, `import` and `promote`: the images
 * pane's pipeline run once, with a table or JSON, audit records and exit
 * codes for release pipelines. */
#include "cli.h"
#include "cli_session.h"
#include "print.h"
#include "backend/audit.h"
#include "backend/config.h"
#include "backend/http.h"
#include "backend/image_copy_time.h"
#include "backend/pipeline.h"
#include "backend/scans_feed.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_MS 120000

struct run {
	struct loop *loop;
	struct pipeline *p;
	const struct cli_opts *o;
	int timed_out;
	int failures;
	struct change_log *changes;
	struct scans *scans; /* promote: the gate's verdicts */
};

static void on_timeout(void *ud)
{
	((struct run *)ud)->timed_out = 1;
}

/* Anything slower than a second shows progress on a terminal. */
struct ticker {
	struct run *r;
	unsigned timer;
	long long started;
};

static void on_tick(void *ud)
{
	struct ticker *tk = ud;
	const struct image_row *v;
	size_t n = pipeline_rows(tk->r->p, &v), i, running = 0, queued = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].op, "queued") == 0)
			queued++;
		else if (v[i].op[0])
			running++;
	}
	if (running || queued)
		cli_progress("%s %zu running, %zu queued (%llds)",
			     cli_ascii(tk->r->o) ? ">" : "\u25ba", running,
			     queued, (loop_now_ms() - tk->started) / 1000);
	else
		cli_progress("checking the registry (%llds)",
			     (loop_now_ms() - tk->started) / 1000);
	tk->timer = loop_timer_add(tk->r->loop, 1000, on_tick, tk);
}

static void wait_idle(struct run *r)
{
	unsigned t = loop_timer_add(r->loop, CHECK_MS, on_timeout, r);
	struct ticker tk;

	tk.r = r;
	tk.started = loop_now_ms();
	tk.timer = isatty(2) ? loop_timer_add(r->loop, 1000, on_tick, &tk) : 0;
	do {
		loop_run_once(r->loop, -1);
	} while (!r->timed_out &&
		 (pipeline_busy(r->p) || (r->scans && scans_busy(r->scans))));
	loop_timer_cancel(r->loop, t);
	if (tk.timer) {
		loop_timer_cancel(r->loop, tk.timer);
		if (loop_now_ms() - tk.started >= 1000)
			cli_progress_clear();
	}
}

static void on_device(const struct azure_device_prompt *pr, void *ud)
{
	(void)ud;
	cli_error("%s", pr->message);
}

static void on_device_done(int status, const struct err *e, void *ud)
{
	(void)ud;
	if (status < 0)
		cli_error("sign-in: %s", e->msg);
}

/* Record a refusal known before anything started and say it. */
static void refuse(struct run *r, const char *action, const char *target,
		   const struct err *why)
{
	struct change_req cr;
	struct err e;

	memset(&cr, 0, sizeof(cr));
	cr.action = action;
	cr.target = target;
	cr.identity = pipeline_actor(r->p);
	err_clear(&e);
	if (change_refuse(r->changes, &cr,
			  why->code == ERR_DENIED ? "read-only mode"
						  : why->msg,
			  &e) == -ERR_IO)
		cli_error("%s", e.msg);
	if (why->code == ERR_DENIED)
		cli_error("%s", why->msg);
	else
		cli_say(stderr, "%s %s", cli_mark(r->o, 0), why->msg);
	r->failures++;
}

static void target_of(struct run *r, size_t row, enum pipeline_action a,
		      char *buf, size_t sz)
{
	const struct image_row *v;

	pipeline_rows(r->p, &v);
	snprintf(buf, sz, "%s:%s",
		 a == PIPE_IMPORT ? v[row].quarantine_repo : v[row].live_repo,
		 v[row].up.tag);
}

static void on_done(size_t row, enum pipeline_action a, int ok,
		    const char *message, void *ud)
{
	struct run *r = ud;
	char target[1300];
	const struct image_row *v;
	long long took = -1;

	target_of(r, row, a, target, sizeof(target));
	if (isatty(2))
		cli_progress_clear();
	if (row < pipeline_rows(r->p, &v))
		took = image_copy_time_seconds(&v[row].last_copy);
	if (ok && took >= 0) {
		cli_say(stdout, "%s %s in %lld s", cli_mark(r->o, 1), message,
			took);
	} else if (ok) {
		cli_say(stdout, "%s %s", cli_mark(r->o, 1), message);
	} else {
		cli_say(stderr, "%s %s: %s", cli_mark(r->o, 0), target,
			message);
		r->failures++;
	}
}

static int open_pipeline(struct run *r, const struct cli_opts *o,
			 struct config *cfg)
{
	struct pipeline_ops ops;
	struct err e;
	unsigned sources = AZURE_SRC_ENV | AZURE_SRC_IMDS | AZURE_SRC_CLI;
	int rc;

	memset(r, 0, sizeof(*r));
	r->o = o;
	rc = cli_load_config(o, cfg);
	if (rc)
		return rc;
	if (http_global_init(&e) < 0) {
		cli_error("%s", e.msg);
		config_free(cfg);
		return 1;
	}
	memset(&ops, 0, sizeof(ops));
	ops.on_done = on_done;
	if (isatty(0) && isatty(2)) {
		/* A person is there: the device code may be shown. */
		sources |= AZURE_SRC_DEVICE;
		ops.on_device_code = on_device;
		ops.on_device_done = on_device_done;
	}
	r->loop = loop_new();
	err_clear(&e);
	r->p = pipeline_new(r->loop, cfg, sources, &ops, r, &e);
	if (!r->p) {
		cli_error("%s", e.msg);
		loop_free(&r->loop);
		http_global_cleanup();
		config_free(cfg);
		return 2;
	}
	pipeline_refresh(r->p);
	wait_idle(r);
	return 0;
}

static void close_pipeline(struct run *r, struct config *cfg)
{
	scans_free(&r->scans);
	pipeline_free(&r->p);
	change_log_free(&r->changes);
	loop_free(&r->loop);
	http_global_cleanup();
	config_free(cfg);
}

/* The status line when the pipeline could not even start. */
static int report_status(struct run *r)
{
	int is_error;
	const char *st = pipeline_status(r->p, &is_error);

	if (is_error) {
		cli_error("%s", st);
		return 1;
	}
	if (r->timed_out) {
		char who[400];

		cli_error("no answer within %d s from %s", CHECK_MS / 1000,
			  pipeline_waiting_for(r->p, who, sizeof(who)));
		return 1;
	}
	return 0;
}

/* Ask the scanners (Defender, the reports) about every row and wait for
 * them. Returns 0, or 2 after saying why (a gate policy in the config
 * that cannot be used). */
static int open_scans(struct run *r, const struct config *cfg)
{
	struct err e;

	err_clear(&e);
	r->scans = scans_feed_new(r->loop, r->p, cfg, r->o->reports, 0, NULL,
				  NULL, &e);
	if (!r->scans) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		return 2;
	}
	scans_feed(r->scans, r->p, r->o->audit_log);
	wait_idle(r);
	return 0;
}

/* The scan stage of each row, as the images pane shows it: the verdict
 * and the gate of what quarantine/ holds. g holds the sentences. */
static void scan_cells(struct run *r, const struct image_row *v, size_t n,
		       struct images_scan *cells, struct scan_gate *g)
{
	size_t i, idx;

	for (i = 0; i < n; i++) {
		const struct scan_image *im;

		memset(&g[i], 0, sizeof(g[i]));
		cells[i].verdict = NULL;
		cells[i].blocked = 0;
		cells[i].why = g[i].why;
		if (!v[i].quarantine.exists) {
			snprintf(g[i].why, sizeof(g[i].why),
				 "nothing in quarantine/ to scan");
			continue;
		}
		if (scans_find(r->scans, v[i].ref, &idx) < 0) {
			snprintf(g[i].why, sizeof(g[i].why),
				 "the scanners have not answered");
			continue;
		}
		scans_images(r->scans, &im);
		scans_gate(r->scans, idx, &g[i]);
		cells[i].verdict = scan_verdict_name(im[idx].verdict);
		cells[i].blocked = g[i].blocked;
	}
}

int cli_images(const struct cli_opts *o)
{
	struct run r;
	struct config cfg;
	const struct image_row *v;
	struct images_scan *cells = NULL;
	struct scan_gate *gates = NULL;
	size_t n, i;
	int rc = open_pipeline(&r, o, &cfg);

	if (rc)
		return rc;
	rc = report_status(&r);
	if (!rc && open_scans(&r, &cfg)) {
		close_pipeline(&r, &cfg);
		return 2;
	}
	n = pipeline_rows(r.p, &v);
	if (r.scans) {
		cells = xcalloc(n ? n : 1, sizeof(*cells));
		gates = xcalloc(n ? n : 1, sizeof(*gates));
		scan_cells(&r, v, n, cells, gates);
	}
	if (o->json) {
		char *js =
		    images_to_json(v, n, pipeline_registry(r.p),
				   pipeline_quarantine_registry(r.p), cells);

		cli_json(js);
		free(js);
	} else if (!rc) {
		cli_say(stdout, "registry %s%s%s", pipeline_registry(r.p),
			strcmp(pipeline_registry(r.p),
			       pipeline_quarantine_registry(r.p))
				? ", quarantine registry "
				: "",
			strcmp(pipeline_registry(r.p),
			       pipeline_quarantine_registry(r.p))
				? pipeline_quarantine_registry(r.p)
				: "");
		cli_say(stdout, "%s", "");
		images_print_table(stdout, v, n, cells, cli_ascii(o));
	}
	for (i = 0; i < n; i++)
		if (v[i].state != IMG_PROMOTED)
			rc = 1;
	free(cells);
	free(gates);
	close_pipeline(&r, &cfg);
	return rc;
}

/* The scan verdicts the gate needs, asked before anything is promoted.
 * Returns 0, or the exit code (2: usage) after saying why. */
static int open_gate(struct run *r, const struct config *cfg)
{
	const struct cli_opts *o = r->o;

	if (o->override_gate && (!o->reason || !*o->reason)) {
		fprintf(stderr,
			"jumpdeck: --override-gate needs --reason TEXT "
			"(why the gate may be passed; it is audited)\n");
		return 2;
	}
	if (o->override_gate && o->all) {
		fprintf(stderr, "jumpdeck: --override-gate needs the images "
				"named, not --all\n");
		return 2;
	}
	if (!o->override_gate && o->reason) {
		fprintf(stderr, "jumpdeck: --reason goes with "
				"--override-gate\n");
		return 2;
	}
	return open_scans(r, cfg);
}

/* The scan gate for a promotion, before it starts: 0 when it passes or is
 * overridden (detail then says so, for the audit log), -1 after the
 * refusal was recorded and said. */
static int gate(struct run *r, size_t row, const char *target, char *detail,
		size_t sz)
{
	const struct image_row *v;
	struct scan_gate g;
	struct err e;
	char *m;

	pipeline_rows(r->p, &v);
	scans_gate_of(r->scans, v[row].ref, NULL, &g);
	if (!g.blocked)
		return 0;
	if (!r->o->override_gate) {
		err_clear(&e);
		err_set(&e, ERR_CONFLICT,
			"%s: scan gate: %.900s (to promote anyway: "
			"--override-gate --reason TEXT)",
			target, g.why);
		refuse(r, "image.promote", target, &e);
		return -1;
	}
	snprintf(detail, sz, "scan gate overridden, reason: %.500s; %.1000s",
		 r->o->reason, g.why);
	m = text_safe(detail, -1, NULL);
	fprintf(stderr, "jumpdeck: %s: %s\n", target, m);
	free(m);
	return 0;
}

int cli_images_action(const struct cli_opts *o, int promote, int argc,
		      char **argv)
{
	struct run r;
	struct config cfg;
	const struct image_row *v;
	enum pipeline_action a = promote ? PIPE_PROMOTE : PIPE_IMPORT;
	const char *action = promote ? "image.promote" : "image.import";
	size_t n, row;
	int rc, k, started = 0;

	if (!o->all && argc == 0) {
		cli_error("name the images, or --all (see jumpdeck images)");
		return 2;
	}
	rc = open_pipeline(&r, o, &cfg);
	if (rc)
		return rc;
	rc = report_status(&r);
	if (rc) {
		close_pipeline(&r, &cfg);
		return rc;
	}
	n = pipeline_rows(r.p, &v);
	r.changes = cli_change_log(o, NULL);
	if (promote && !change_log_read_only(r.changes)) {
		rc = open_gate(&r, &cfg);
		if (rc) {
			change_log_free(&r.changes);
			close_pipeline(&r, &cfg);
			return rc;
		}
	}
	for (k = 0; k < (o->all ? (int)n : argc); k++) {
		struct change *ch;
		struct err e;
		char target[1300], detail[1800];
		int s;

		if (o->all) {
			row = (size_t)k;
		} else if (pipeline_find(r.p, argv[k], &row) < 0) {
			cli_error("%s is not one of the configured images "
				  "(see jumpdeck images)",
				  argv[k]);
			r.failures++;
			continue;
		}
		target_of(&r, row, a, target, sizeof(target));
		/* Known beforehand (read-only, nothing to do, a
		 * precondition): said at once; a refusal is recorded. */
		err_clear(&e);
		s = change_log_read_only(r.changes)
			? err_set(&e, ERR_DENIED,
				  "read-only mode: %s of %s "
				  "refused",
				  promote ? "promotion" : "import", target)
			: pipeline_check(r.p, a, row, o->force, &e);
		if (s == 1) {
			cli_say(stdout, "%s %s", cli_mark(o, 1), e.msg);
			continue;
		}
		if (s < 0) {
			refuse(&r, action, target, &e);
			continue;
		}
		detail[0] = '\0';
		if (promote &&
		    gate(&r, row, target, detail, sizeof(detail)) < 0)
			continue;
		if (!detail[0] && o->force)
			snprintf(detail, sizeof(detail), "forced");
		ch = cli_change_begin(r.changes, action, target,
				      pipeline_actor(r.p),
				      detail[0] ? detail : NULL);
		if (!ch) {
			r.failures++;
			continue;
		}
		if (pipeline_start(r.p, ch, a, row, o->force, &e) != 0) {
			cli_say(stderr, "%s %s", cli_mark(o, 0), e.msg);
			r.failures++;
			continue;
		}
		started++;
	}
	if (started)
		wait_idle(&r);
	if (r.timed_out) {
		cli_error("stopped waiting after %d s; the imports may still "
			  "complete in Azure",
			  CHECK_MS / 1000);
		r.failures++;
	}
	rc = r.failures ? 1 : 0;
	close_pipeline(&r, &cfg);
	return rc;
}
