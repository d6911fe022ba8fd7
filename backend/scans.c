/* scans.c - one refresh at a time: read the platforms of index images,
 * then ask Defender (Resource Graph, one query after another) and read
 * the report directory (one file per loop turn), then put it together
 * and publish. The last published results stay while a refresh runs. */
#include "scans.h"
#include "arm.h"
#include "audit.h"
#include "scan_defender.h"
#include "scan_report.h"
#include "text.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCANS_SETTLE_MS 300 /* new images: wait this long for more */

struct plat_get {
	struct scans *s;
	size_t idx;
	char digest[80];
	struct registry_op *op;
};

struct scans {
	struct loop *loop;
	struct azure_auth *auth;
	char *graph_endpoint, *ca_file, *subscription, *reports_dir;
	struct scan_policy policy;
	long refresh_s;
	unsigned refresh_timer;
	struct scans_ops ops;
	void *ud;
	struct registry *reg;
	char login[256];
	struct arm *arm;

	struct scan_image *img;
	size_t n;

	int running, again, done_once;
	struct plat_get *gets;
	size_t ngets;
	size_t gets_pending;

	/* Defender */
	int def_running, def_asked, def_ok, def_failed, def_truncated;
	struct azure_token_call *tok;
	struct arm_call *q;
	unsigned quota_timer;
	unsigned settle_timer;
	unsigned clock_timer; /* pending verdicts age: combine again */
	char **digests;
	size_t ndig, next_batch;
	int next_gen, queries, queries_done;
	cJSON *rows;
	char def_err[512];

	/* reports */
	int rep_running;
	char **names;
	size_t nnames, next_name;
	unsigned rep_timer;
	struct scan_report *reports;
	size_t nreports;

	char **work_problems;
	char **problems;
	char status[700];
	int status_err;
	time_t updated;
};

static void changed(struct scans *s)
{
	if (s->ops.on_change)
		s->ops.on_change(s->ud);
}

static void set_status(struct scans *s, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(struct scans *s, int is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->status, sizeof(s->status), fmt, ap);
	va_end(ap);
	s->status_err = is_error;
	changed(s);
}

struct scans *scans_new(const struct scans_opts *o,
			const struct scans_ops *ops, void *ud, struct err *e)
{
	struct scans *s;

	if (!o || !o->loop) {
		err_set(e, ERR_USAGE, "scans need a loop");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->loop = o->loop;
	s->auth = o->auth;
	s->graph_endpoint = xstrdup(o->graph_endpoint);
	s->ca_file = xstrdup(o->ca_file);
	s->subscription = o->subscription && *o->subscription
			      ? xstrdup(o->subscription)
			      : NULL;
	s->reports_dir =
	    o->reports_dir && *o->reports_dir ? xstrdup(o->reports_dir) : NULL;
	if (o->policy)
		scan_policy_copy(&s->policy, o->policy);
	else
		scan_policy_default(&s->policy);
	s->refresh_s = o->refresh_s > 0 ? o->refresh_s : 0;
	if (ops)
		s->ops = *ops;
	s->ud = ud;
	snprintf(s->status, sizeof(s->status), "not asked yet");
	return s;
}

static void stop_work(struct scans *s)
{
	size_t i;

	for (i = 0; i < s->ngets; i++)
		registry_cancel(s->gets[i].op);
	free(s->gets);
	s->gets = NULL;
	s->ngets = s->gets_pending = 0;
	if (s->tok)
		azure_auth_cancel(s->tok);
	s->tok = NULL;
	if (s->q)
		arm_call_cancel(s->q);
	s->q = NULL;
	loop_timer_cancel(s->loop, s->quota_timer);
	s->quota_timer = 0;
	loop_timer_cancel(s->loop, s->rep_timer);
	s->rep_timer = 0;
	cJSON_Delete(s->rows);
	s->rows = NULL;
	scan_problems_free(&s->digests);
	s->ndig = 0;
	scan_problems_free(&s->names);
	s->nnames = s->next_name = 0;
	scan_reports_free(&s->reports, s->nreports);
	s->nreports = 0;
	scan_problems_free(&s->work_problems);
	s->def_running = s->rep_running = 0;
}

void scans_free(struct scans **p)
{
	struct scans *s = p ? *p : NULL;
	size_t i;

	if (!s)
		return;
	stop_work(s);
	loop_timer_cancel(s->loop, s->refresh_timer);
	loop_timer_cancel(s->loop, s->settle_timer);
	loop_timer_cancel(s->loop, s->clock_timer);
	arm_free(&s->arm);
	for (i = 0; i < s->n; i++)
		scan_image_free(&s->img[i]);
	free(s->img);
	scan_problems_free(&s->problems);
	scan_policy_free(&s->policy);
	free(s->graph_endpoint);
	free(s->ca_file);
	free(s->subscription);
	free(s->reports_dir);
	free(s);
	*p = NULL;
}

void scans_set_registry(struct scans *s, struct registry *quarantine,
			const char *login_server)
{
	size_t i;

	if (s->reg != quarantine) {
		/* Reads on the old client are void now. */
		for (i = 0; i < s->ngets; i++) {
			registry_cancel(s->gets[i].op);
			s->gets[i].op = NULL;
		}
	}
	s->reg = quarantine;
	snprintf(s->login, sizeof(s->login), "%s",
		 login_server ? login_server : "");
}

/* ---- finishing ---------------------------------------------------------- */

static void schedule_refresh(struct scans *s);
static void schedule_clock(struct scans *s);

static void add_problem(struct scans *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_problem(struct scans *s, const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	scan_problems_add(&s->work_problems, buf);
}

static void summarize(struct scans *s)
{
	size_t i, len, count[5] = {0};
	char buf[700];

	buf[0] = '\0';
	for (i = 0; i < s->n; i++)
		count[s->img[i].verdict]++;
	snprintf(buf, sizeof(buf), "%zu image%s:", s->n, s->n == 1 ? "" : "s");
	for (i = 0; i < 5; i++) {
		static const enum scan_verdict order[] = {
		    SCAN_UNHEALTHY, SCAN_UNKNOWN, SCAN_UNVERIFIED,
		    SCAN_PENDING,   SCAN_HEALTHY,
		};

		if (!count[order[i]])
			continue;
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, " %zu %s",
			 count[order[i]], scan_verdict_name(order[i]));
	}
	if (s->def_failed) {
		set_status(s, 1, "Defender: %.400s", s->def_err);
		return;
	}
	set_status(s, 0, "%s", buf);
}

static void finish(struct scans *s)
{
	struct scan_defender_stats st;
	size_t i, unrelated = 0;
	time_t now = time(NULL);

	memset(&st, 0, sizeof(st));
	for (i = 0; i < s->n; i++) {
		struct scan_source_result *d = &s->img[i].src[SCAN_DEFENDER];

		scan_image_reset(&s->img[i]);
		if (!s->def_asked || !s->img[i].digest[0])
			continue;
		d->asked = 1;
		snprintf(d->origin, sizeof(d->origin), "Defender");
		d->answered = s->def_ok;
		d->truncated = s->def_failed || s->def_truncated;
		if (s->def_failed)
			snprintf(d->why, sizeof(d->why), "%.500s", s->def_err);
		else if (s->def_truncated)
			snprintf(d->why, sizeof(d->why),
				 "Resource Graph cut the answer short "
				 "(resultTruncated)");
	}
	if (s->rows)
		scan_defender_apply(s->rows, s->img, s->n, &st);
	if (st.bad)
		add_problem(s,
			    "Defender: %zu of %zu rows could not be read "
			    "(%s); the others are used",
			    st.bad, st.rows, st.first_bad);
	scan_reports_apply(s->reports, s->nreports, s->img, s->n,
			   &s->work_problems, &unrelated);
	for (i = 0; i < s->n; i++)
		scan_image_combine(&s->img[i], now,
				   s->policy.pending_window_s);
	scan_problems_free(&s->problems);
	s->problems = s->work_problems;
	s->work_problems = NULL;
	s->updated = now;
	s->running = 0;
	s->done_once = 1;
	cJSON_Delete(s->rows);
	s->rows = NULL;
	scan_reports_free(&s->reports, s->nreports);
	s->nreports = 0;
	scan_problems_free(&s->digests);
	s->ndig = 0;
	summarize(s);
	schedule_clock(s);
	if (s->again) {
		s->again = 0;
		scans_refresh(s);
		return;
	}
	schedule_refresh(s);
}

/* A pending verdict says "imported 4m ago" and turns unknown when the
 * window passes: combine again (no I/O) while any image is pending. */
#define SCANS_CLOCK_MS 30000

static void on_clock(void *ud)
{
	struct scans *s = ud;
	time_t now = time(NULL);
	size_t i;
	int pending = 0;

	s->clock_timer = 0;
	for (i = 0; i < s->n; i++) {
		if (s->img[i].verdict != SCAN_PENDING)
			continue;
		scan_image_combine(&s->img[i], now,
				   s->policy.pending_window_s);
		pending |= s->img[i].verdict == SCAN_PENDING;
	}
	if (pending)
		s->clock_timer =
		    loop_timer_add(s->loop, SCANS_CLOCK_MS, on_clock, s);
	changed(s);
}

static void schedule_clock(struct scans *s)
{
	size_t i;

	loop_timer_cancel(s->loop, s->clock_timer);
	s->clock_timer = 0;
	for (i = 0; i < s->n; i++) {
		if (s->img[i].verdict == SCAN_PENDING) {
			s->clock_timer = loop_timer_add(
			    s->loop, SCANS_CLOCK_MS, on_clock, s);
			return;
		}
	}
}

static void maybe_finish(struct scans *s)
{
	if (s->gets_pending || s->def_running || s->rep_running)
		return;
	finish(s);
}

/* ---- reports ------------------------------------------------------------ */

static void read_next(void *ud)
{
	struct scans *s = ud;
	char path[4096];
	struct err e;

	s->rep_timer = 0;
	if (s->next_name >= s->nnames) {
		s->rep_running = 0;
		scan_problems_free(&s->names);
		s->nnames = s->next_name = 0;
		maybe_finish(s);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", s->reports_dir,
		 s->names[s->next_name++]);
	s->reports =
	    xrealloc(s->reports, (s->nreports + 1) * sizeof(*s->reports));
	err_clear(&e);
	if (scan_report_read(path, &s->reports[s->nreports], &e) == 0)
		s->nreports++;
	else
		scan_problems_add(&s->work_problems, e.msg);
	/* One file a turn: keys and frames go in between. */
	s->rep_timer = loop_timer_add(s->loop, 0, read_next, s);
}

static void start_reports(struct scans *s)
{
	struct err e;

	if (!s->reports_dir)
		return;
	err_clear(&e);
	if (scan_reports_list(s->reports_dir, &s->names, &s->nnames,
			      &s->work_problems, &e) < 0) {
		scan_problems_add(&s->work_problems, e.msg);
		return;
	}
	s->rep_running = 1;
	s->rep_timer = loop_timer_add(s->loop, 0, read_next, s);
}

/* ---- Defender ----------------------------------------------------------- */

static void next_query(struct scans *s);

static void def_fail(struct scans *s, const char *msg)
{
	if (!s->def_failed)
		text_safe_buf(s->def_err, sizeof(s->def_err), msg, 500);
	s->def_failed = 1;
}

static void on_graph(struct arm_graph_result *r, void *ud)
{
	struct scans *s = ud;
	cJSON *it;

	s->q = NULL;
	s->queries_done++;
	if (!r->ok && r->status == 429) {
		char msg[700];

		snprintf(msg, sizeof(msg),
			 "Resource Graph kept answering 429 (throttled) after "
			 "%d tries: %.400s",
			 r->throttled + 1, r->err.msg);
		def_fail(s, msg);
	} else if (!r->ok) {
		def_fail(s, r->err.msg);
	} else {
		s->def_ok = 1;
		/* Cut short only when rows are missing: a "true" with every
		 * record there (totalRecords) loses nothing. */
		if (r->truncated &&
		    (r->total_records < 0 ||
		     r->total_records > (long)cJSON_GetArraySize(r->rows)))
			s->def_truncated = 1;
		for (;;) {
			it = cJSON_DetachItemFromArray(r->rows, 0);
			if (!it)
				break;
			cJSON_AddItemToArray(s->rows, it);
		}
	}
	next_query(s);
}

static void send_next(void *ud);

/* Resource Graph allows a few queries per window: when the last answer
 * left none, wait for the window to reset (at most QUOTA_WAIT_MAX_S). */
#define QUOTA_WAIT_MAX_S 60

static void next_query(struct scans *s)
{
	struct arm_quota q;
	long long left_ms;

	arm_quota_get(s->arm, &q);
	left_ms = q.graph_resets_s > 0 ? q.graph_resets_s * 1000LL -
					     (loop_now_ms() - q.updated_ms)
				       : 0;
	if (q.graph_remaining == 0 && q.updated_ms && left_ms > 0 &&
	    s->next_gen < SCAN_DEFENDER_NGEN) {
		if (left_ms > QUOTA_WAIT_MAX_S * 1000LL)
			left_ms = QUOTA_WAIT_MAX_S * 1000LL;
		set_status(s, 0,
			   "waiting %llds for the Resource Graph quota...",
			   (left_ms + 999) / 1000);
		s->quota_timer =
		    loop_timer_add(s->loop, (long)left_ms, send_next, s);
		return;
	}
	send_next(s);
}

static void send_next(void *ud)
{
	struct scans *s = ud;
	const char *subs[2] = {s->subscription, NULL};
	enum scan_defender_gen gen;
	size_t from, count;
	struct err e;
	char *q;

	s->quota_timer = 0;
	if (s->next_gen >= SCAN_DEFENDER_NGEN) {
		s->def_running = 0;
		maybe_finish(s);
		return;
	}
	gen = (enum scan_defender_gen)s->next_gen;
	from = s->next_batch * SCAN_DEFENDER_BATCH;
	count = s->ndig - from;
	if (count > SCAN_DEFENDER_BATCH)
		count = SCAN_DEFENDER_BATCH;
	if (from + count >= s->ndig) {
		s->next_batch = 0;
		s->next_gen++;
	} else {
		s->next_batch++;
	}
	err_clear(&e);
	q = scan_defender_query(
	    gen, s->login, (const char *const *)s->digests + from, count, &e);
	if (!q) {
		def_fail(s, e.msg);
		next_query(s);
		return;
	}
	set_status(s, 0, "asking Defender (query %d of %d)...",
		   s->queries_done + 1, s->queries);
	s->q = arm_graph_query(s->arm, s->subscription ? subs : NULL, q,
			       on_graph, s);
	free(q);
}

static void on_token(const struct azure_token *t, void *ud)
{
	struct scans *s = ud;

	s->tok = NULL;
	if (t->status < 0) {
		def_fail(s, t->err.msg);
		s->def_running = 0;
		maybe_finish(s);
		return;
	}
	arm_set_token(s->arm, t->token);
	next_query(s);
}

static void add_digest(struct scans *s, const char *d)
{
	size_t i;

	for (i = 0; i < s->ndig; i++) {
		if (strcmp(s->digests[i], d) == 0)
			return;
	}
	s->digests = xrealloc(s->digests, (s->ndig + 2) * sizeof(char *));
	s->digests[s->ndig++] = xstrdup(d);
	s->digests[s->ndig] = NULL;
}

static void start_defender(struct scans *s)
{
	struct err e;
	size_t i, k;

	s->def_asked = s->def_ok = s->def_failed = s->def_truncated = 0;
	s->def_err[0] = '\0';
	if (!s->auth || !s->login[0])
		return;
	for (i = 0; i < s->n; i++) {
		if (!scan_digest_valid(s->img[i].digest))
			continue;
		add_digest(s, s->img[i].digest);
		for (k = 0; k < s->img[i].nplatforms; k++)
			add_digest(s, s->img[i].platforms[k]);
	}
	if (!s->ndig)
		return;
	s->def_asked = 1;
	if (!s->arm) {
		err_clear(&e);
		if (arm_new(&s->arm, s->loop, s->graph_endpoint, &e) < 0 ||
		    (s->ca_file && *s->ca_file &&
		     arm_set_ca_file(s->arm, s->ca_file, &e) < 0)) {
			arm_free(&s->arm);
			def_fail(s, e.msg);
			return;
		}
	}
	s->rows = cJSON_CreateArray();
	s->next_gen = 0;
	s->next_batch = 0;
	s->queries_done = 0;
	s->queries =
	    SCAN_DEFENDER_NGEN *
	    (int)((s->ndig + SCAN_DEFENDER_BATCH - 1) / SCAN_DEFENDER_BATCH);
	s->def_running = 1;
	set_status(s, 0, "signing in to Azure for Defender...");
	s->tok = azure_auth_get(s->auth, AZURE_RESOURCE_ARM, on_token, s);
}

static void start_sources(struct scans *s)
{
	start_defender(s);
	start_reports(s);
	if (s->rep_running && !s->def_running)
		set_status(s, 0, "reading scan reports...");
	maybe_finish(s);
}

/* ---- platforms ---------------------------------------------------------- */

/* "linux/arm64/v8", terminal-safe: the registry wrote it. */
static void platform_name(const struct registry_platform *p, char out[48])
{
	char raw[100];

	snprintf(raw, sizeof(raw), "%.31s/%.31s%s%.15s", p->os, p->arch,
		 p->variant[0] ? "/" : "", p->variant);
	text_safe_buf(out, 48, raw, 40);
}

static void on_manifest(int status, const struct err *e,
			const struct registry_manifest *m, void *ud)
{
	struct plat_get *g = ud;
	struct scans *s = g->s;
	struct scan_image *im = &s->img[g->idx];
	size_t i;

	g->op = NULL;
	s->gets_pending--;
	if (strcmp(im->digest, g->digest) == 0) {
		if (status < 0) {
			text_safe_buf(im->platforms_err,
				      sizeof(im->platforms_err), e->msg, 290);
		} else {
			im->nplatforms = 0;
			for (i = 0; i < m->nplatforms &&
				    im->nplatforms < SCAN_MAX_PLATFORMS;
			     i++) {
				const struct registry_platform *p =
				    &m->platforms[i];

				if (!scan_digest_valid(p->digest))
					continue;
				snprintf(im->platforms[im->nplatforms], 80,
					 "%s", p->digest);
				platform_name(
				    p, im->platform_names[im->nplatforms]);
				im->nplatforms++;
			}
			im->platforms_known = 1;
			im->platforms_err[0] = '\0';
		}
	}
	if (!s->gets_pending)
		start_sources(s);
}

static void start_platforms(struct scans *s)
{
	size_t i;
	struct err e;

	free(s->gets);
	s->gets = NULL;
	s->ngets = s->gets_pending = 0;
	if (!s->reg)
		return;
	s->gets = xcalloc(s->n ? s->n : 1, sizeof(*s->gets));
	for (i = 0; i < s->n; i++) {
		struct scan_image *im = &s->img[i];
		struct plat_get *g = &s->gets[s->ngets];

		if (!im->is_index || im->platforms_known ||
		    !scan_digest_valid(im->digest))
			continue;
		g->s = s;
		g->idx = i;
		snprintf(g->digest, sizeof(g->digest), "%s", im->digest);
		err_clear(&e);
		g->op = registry_manifest_get(s->reg, im->repo, im->digest,
					      on_manifest, g, &e);
		if (!g->op) {
			snprintf(im->platforms_err, sizeof(im->platforms_err),
				 "%.290s", e.msg);
			continue;
		}
		s->ngets++;
		s->gets_pending++;
	}
	if (s->gets_pending)
		set_status(s, 0, "reading the platforms of %zu index%s...",
			   s->gets_pending, s->gets_pending == 1 ? "" : "es");
}

/* ---- refresh ------------------------------------------------------------ */

static void on_refresh_timer(void *ud)
{
	struct scans *s = ud;

	s->refresh_timer = 0;
	scans_refresh(s);
}

static void schedule_refresh(struct scans *s)
{
	loop_timer_cancel(s->loop, s->refresh_timer);
	s->refresh_timer = 0;
	if (s->refresh_s > 0)
		s->refresh_timer = loop_timer_add(s->loop, s->refresh_s * 1000,
						  on_refresh_timer, s);
}

void scans_refresh(struct scans *s)
{
	loop_timer_cancel(s->loop, s->settle_timer);
	s->settle_timer = 0;
	if (s->running) {
		s->again = 1;
		return;
	}
	loop_timer_cancel(s->loop, s->refresh_timer);
	s->refresh_timer = 0;
	s->running = 1;
	scan_problems_free(&s->work_problems);
	start_platforms(s);
	if (!s->gets_pending)
		start_sources(s);
}

static void copy_in(struct scan_image *im, const struct scans_input *in)
{
	snprintf(im->image, sizeof(im->image), "%s",
		 in->image ? in->image : "");
	snprintf(im->repo, sizeof(im->repo), "%s", in->repo ? in->repo : "");
	snprintf(im->tag, sizeof(im->tag), "%s", in->tag ? in->tag : "");
	snprintf(im->digest, sizeof(im->digest), "%s",
		 in->digest ? in->digest : "");
	im->is_index = in->is_index;
	im->imported_at = in->imported_at;
	im->platforms_known = !in->is_index;
	snprintf(im->why, sizeof(im->why),
		 "the scanners have not been asked "
		 "yet");
}

/* 1 when v says what s already has (the same images and digests). */
static int same_images(const struct scans *s, const struct scans_input *v,
		       size_t n)
{
	size_t i;

	if (n != s->n)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(s->img[i].image, v[i].image ? v[i].image : "") ||
		    strcmp(s->img[i].digest, v[i].digest ? v[i].digest : "") ||
		    s->img[i].is_index != v[i].is_index)
			return 0;
	}
	return 1;
}

static void on_settled(void *ud)
{
	struct scans *s = ud;

	s->settle_timer = 0;
	scans_refresh(s);
}

void scans_set_images(struct scans *s, const struct scans_input *v, size_t n)
{
	struct scan_image *old = s->img, *nv;
	size_t oldn = s->n, i, k;

	if (same_images(s, v, n)) {
		for (i = 0; i < n; i++)
			s->img[i].imported_at = v[i].imported_at;
		return;
	}
	/* Reads in flight refer to old indexes: start over. */
	stop_work(s);
	s->running = 0;
	nv = n ? xcalloc(n, sizeof(*nv)) : NULL;
	for (i = 0; i < n; i++) {
		const char *d = v[i].digest ? v[i].digest : "";

		for (k = 0; k < oldn; k++) {
			if (old[k].image[0] && v[i].image &&
			    strcmp(old[k].image, v[i].image) == 0 &&
			    strcmp(old[k].digest, d) == 0)
				break;
		}
		if (k < oldn) {
			/* Same bytes: keep what is known of them. */
			nv[i] = old[k];
			memset(&old[k], 0, sizeof(old[k]));
			nv[i].imported_at = v[i].imported_at;
			continue;
		}
		copy_in(&nv[i], &v[i]);
	}
	for (k = 0; k < oldn; k++)
		scan_image_free(&old[k]);
	free(old);
	s->img = nv;
	s->n = n;
	/* Rows settle one digest at a time: ask once they have. */
	loop_timer_cancel(s->loop, s->settle_timer);
	s->settle_timer =
	    loop_timer_add(s->loop, SCANS_SETTLE_MS, on_settled, s);
	changed(s);
}

/* ---- reading ------------------------------------------------------------ */

int scans_busy(const struct scans *s)
{
	return s->running || s->settle_timer;
}

int scans_done_once(const struct scans *s)
{
	return s->done_once;
}

size_t scans_images(const struct scans *s, const struct scan_image **v)
{
	*v = s->img;
	return s->n;
}

/* "docker.io/library/busybox:1.33.0" against "busybox", "library/busybox",
 * the whole reference, each with or without ":tag". */
static int name_matches(const struct scan_image *im, const char *name)
{
	const char *ref = im->image, *colon, *slash;
	char base[700];
	size_t len;

	if (strcmp(ref, name) == 0)
		return 1;
	colon = strrchr(ref, ':');
	slash = strrchr(ref, '/');
	len = colon && (!slash || colon > slash) ? (size_t)(colon - ref)
						 : strlen(ref);
	snprintf(base, sizeof(base), "%.*s", (int)len, ref);
	/* without the tag, or a suffix at a '/' boundary */
	for (;;) {
		char with_tag[800];

		snprintf(with_tag, sizeof(with_tag), "%s%s", base, ref + len);
		if (strcmp(base, name) == 0 || strcmp(with_tag, name) == 0)
			return 1;
		slash = strchr(base, '/');
		if (!slash)
			return 0;
		memmove(base, slash + 1, strlen(slash + 1) + 1);
	}
}

int scans_find(const struct scans *s, const char *name, size_t *i)
{
	size_t k;

	for (k = 0; name && k < s->n; k++) {
		if (name_matches(&s->img[k], name)) {
			*i = k;
			return 0;
		}
	}
	return -1;
}

void scans_gate(const struct scans *s, size_t i, struct scan_gate *g)
{
	if (i >= s->n) {
		memset(g, 0, sizeof(*g));
		g->blocked = 1;
		snprintf(g->why, sizeof(g->why), "no such image");
		return;
	}
	scan_gate_eval(&s->policy, &s->img[i], time(NULL), g);
}

void scans_gate_of(const struct scans *s, const char *ref,
		   const char *why_none, struct scan_gate *g)
{
	char none[600];
	size_t i;

	if (s && s->done_once && scans_find(s, ref, &i) == 0) {
		scans_gate(s, i, g);
		return;
	}
	memset(g, 0, sizeof(*g));
	if (s && !s->policy.block_unknown) {
		snprintf(g->why, sizeof(g->why),
			 "passes: no verdict yet, and unknown does not block "
			 "under the policy");
		return;
	}
	g->blocked = 1;
	text_safe_buf(none, sizeof(none),
		      s		 ? "the scanners have not answered yet"
		      : why_none ? why_none
				 : "no scan state",
		      -1);
	snprintf(g->why, sizeof(g->why), "blocked by: no scan verdict (%s)",
		 none);
}

const struct scan_policy *scans_policy(const struct scans *s)
{
	return &s->policy;
}

const char *scans_status(const struct scans *s, int *is_error)
{
	if (is_error)
		*is_error = s->status_err;
	return s->status;
}

char *const *scans_problems(const struct scans *s)
{
	static char *const none[] = {NULL};

	return s->problems ? s->problems : none;
}

time_t scans_updated(const struct scans *s)
{
	return s->updated;
}

void scans_login_server(const char *registry, char *buf, size_t sz)
{
	if (!registry || !*registry)
		snprintf(buf, sz, "%s", "");
	else if (strchr(registry, '.'))
		snprintf(buf, sz, "%s", registry);
	else
		snprintf(buf, sz, "%s.azurecr.io", registry);
}

void scans_import_times(const char *audit_path, const char *const *targets,
			size_t n, time_t *out)
{
	struct audit_entry *v = NULL;
	size_t nv = 0, i, k;
	struct err e;

	for (k = 0; k < n; k++)
		out[k] = 0;
	err_clear(&e);
	if (audit_read_tail(audit_path, SCANS_AUDIT_TAIL, &v, &nv, &e) < 0)
		return;
	for (i = 0; i < nv; i++) {
		if (!v[i].action || strcmp(v[i].action, "image.import") != 0 ||
		    !v[i].outcome || strcmp(v[i].outcome, "succeeded") != 0 ||
		    !v[i].target)
			continue;
		for (k = 0; k < n; k++) {
			/* newest last: later records win */
			if (targets[k] && strcmp(targets[k], v[i].target) == 0)
				out[k] = v[i].when;
		}
	}
	audit_entries_free(&v, nv);
}
