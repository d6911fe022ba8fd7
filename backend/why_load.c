/* why_load.c - fetches what a why-chain needs, in three rounds of
 * bounded, concurrent GETs (the workloads the object applied; the pods of
 * the unhealthy ones; their Warning events and a crash loop's log), then
 * lays the chain out (why_layout.c). Every count is capped and every cap
 * that left something out is said in the chain. Not the reading of the
 * objects (why_parse.c) nor the links (why_chain.c). */
#include "why_load_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const struct why_limits defaults = {
    .requests = 40,
    .inflight = 4,
    .lists = 12,
    .workloads = 6,
    .pod_groups = 4,
    .event_objects = 10,
    .events = 4,
    .logs = 2,
    .log_lines = 20,
    .log_bytes = 16384,
    .page = 500,
    .deadline_ms = 30000,
};

#define FILL(f)                                                               \
	do {                                                                  \
		if (!w->lim.f)                                                \
			w->lim.f = defaults.f;                                \
	} while (0)

static void set_limits(struct why_load *w, const struct why_limits *l)
{
	if (l)
		w->lim = *l;
	FILL(requests);
	FILL(inflight);
	FILL(lists);
	FILL(workloads);
	FILL(pod_groups);
	FILL(event_objects);
	FILL(events);
	FILL(logs);
	FILL(log_lines);
	FILL(log_bytes);
	FILL(page);
	FILL(deadline_ms);
}

/* ---- requests --------------------------------------------------------- */

static void next_round(struct why_load *w);

static void pump(struct why_load *w)
{
	while (w->queue && w->ninflight < w->lim.inflight) {
		struct req *r = w->queue;

		w->queue = r->next;
		if (!w->queue)
			w->queue_tail = NULL;
		r->next = w->inflight;
		w->inflight = r;
		w->ninflight++;
		w->requests++;
		r->handle = w->o.fetch.get(w->o.fetch.fud, r->path, r->text,
					   r->max, why_on_answer, r);
	}
}

static void req_unlink(struct why_load *w, struct req *r)
{
	struct req **pp;

	for (pp = &w->inflight; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			w->ninflight--;
			return;
		}
}

static void req_free(struct req *r)
{
	free(r->path);
	free(r);
}

void why_on_answer(const struct why_answer *a, void *ud)
{
	struct req *r = ud;
	struct why_load *w = r->w;

	req_unlink(w, r);
	r->handle = NULL;
	w->outstanding--;
	why_keep(w, r, a);
	req_free(r);
	if (w->outstanding == 0)
		next_round(w);
	else
		pump(w);
}

/* Queue a GET; -1 when the request limit leaves it out (counted). */
int why_enqueue(struct why_load *w, enum req_what what, size_t idx, char *path,
		int text, size_t max)
{
	struct req *r;

	if (w->requests + w->outstanding >= w->lim.requests || w->timed_out) {
		w->skipped++;
		free(path);
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	r->w = w;
	r->what = what;
	r->idx = idx;
	r->path = path;
	r->text = text;
	r->max = max;
	if (w->queue_tail)
		w->queue_tail->next = r;
	else
		w->queue = r;
	w->queue_tail = r;
	w->outstanding++;
	return 0;
}

static void drop_requests(struct why_load *w)
{
	struct req *r;

	while (w->inflight) {
		r = w->inflight;
		w->inflight = r->next;
		if (r->handle)
			w->o.fetch.cancel(w->o.fetch.fud, r->handle);
		req_free(r);
	}
	w->ninflight = 0;
	while (w->queue) {
		r = w->queue;
		w->queue = r->next;
		req_free(r);
	}
	w->queue_tail = NULL;
}

/* ---- the rounds ----------------------------------------------------------
 */

static void finish(struct why_load *w)
{
	struct why_chain *c;
	why_done_fn done = w->o.done;
	void *ud = w->o.ud;

	c = why_layout(w);
	c->requests = w->requests;
	w->finished = 1;
	if (w->no_caller) {
		w->result = c;
		return;
	}
	/* the load is gone before the callee hears of it */
	why_cancel(&w);
	done(c, ud);
}

static void next_round(struct why_load *w)
{
	for (;;) {
		if (w->round == ROUND_DETAILS || w->timed_out) {
			finish(w);
			return;
		}
		w->round++;
		if (w->round == ROUND_PODS)
			why_round_pods(w);
		else
			why_round_details(w);
		if (w->outstanding) {
			pump(w);
			return;
		}
	}
}

static void on_deadline(void *ud)
{
	struct why_load *w = ud;

	w->deadline_timer = 0;
	w->timed_out = 1;
	w->unanswered = w->outstanding;
	drop_requests(w);
	w->outstanding = 0;
	finish(w);
}

static void on_zero(void *ud)
{
	struct why_load *w = ud;

	w->zero_timer = 0;
	next_round(w);
}

struct why_load *why_start(const struct why_opts *o)
{
	struct why_load *w = xcalloc(1, sizeof(*w));

	w->o = *o;
	w->o.ns = NULL;
	w->o.name = NULL;
	w->o.all = NULL;
	w->o.n = 0;
	w->o.find = NULL;
	set_limits(w, o->limits);
	w->now = o->now ? o->now : time(NULL);
	w->round = ROUND_LISTS;
	why_read_flux(w, o);
	why_round_lists(w);
	if (o->loop)
		w->deadline_timer = loop_timer_add(o->loop, w->lim.deadline_ms,
						   on_deadline, w);
	if (w->outstanding) {
		pump(w);
		return w;
	}
	if (o->loop) {
		w->zero_timer = loop_timer_add(o->loop, 0, on_zero, w);
		return w;
	}
	/* no loop and nothing to ask: the chain is ready now */
	w->no_caller = 1;
	next_round(w);
	w->no_caller = 0;
	if (w->result) {
		struct why_chain *c = w->result;

		w->result = NULL;
		why_cancel(&w);
		o->done(c, o->ud);
	}
	return NULL;
}

size_t why_requests(const struct why_load *w)
{
	return w ? w->requests : 0;
}

void why_cancel(struct why_load **wp)
{
	struct why_load *w = wp ? *wp : NULL;
	size_t i;

	if (!w)
		return;
	drop_requests(w);
	if (w->o.loop) {
		if (w->deadline_timer)
			loop_timer_cancel(w->o.loop, w->deadline_timer);
		if (w->zero_timer)
			loop_timer_cancel(w->o.loop, w->zero_timer);
	}
	for (i = 0; i < w->nwl; i++) {
		cJSON_Delete(w->wl[i].obj);
		free(w->wl[i].pg);
	}
	free(w->wl);
	free(w->groups);
	free(w->left);
	for (i = 0; i < w->nev; i++)
		free(w->ev[i].ev);
	free(w->ev);
	for (i = 0; i < w->nlogs; i++)
		why_lines_free(&w->logs[i].lines, w->logs[i].n);
	free(w->logs);
	free(w->health);
	why_chain_free(&w->result);
	free(w);
	*wp = NULL;
}

/* ---- through a kube client ------------------------------------------------
 */

struct kreq {
	why_answer_fn done;
	void *ud;
	struct kube_call *call;
};

static void on_kube(struct kube_result *r, void *ud)
{
	struct kreq *k = ud;
	struct why_answer a;

	memset(&a, 0, sizeof(a));
	a.status = r->status;
	a.ok = r->ok;
	a.json = r->json;
	a.text = r->text;
	a.text_len = r->text_len;
	a.text_cut = r->text_cut;
	a.error = r->ok ? NULL : r->err.msg;
	k->done(&a, k->ud);
	free(k);
}

static void *kube_get(void *fud, const char *path, int text, size_t max,
		      why_answer_fn done, void *ud)
{
	struct kreq *k = xcalloc(1, sizeof(*k));

	k->done = done;
	k->ud = ud;
	if (text)
		k->call = kube_get_text(fud, path, max, on_kube, k);
	else
		k->call =
		    kube_request(fud, "GET", path, NULL, NULL, on_kube, k);
	return k;
}

static void kube_cancel(void *fud, void *handle)
{
	struct kreq *k = handle;

	(void)fud;
	kube_call_cancel(k->call);
	free(k);
}

void why_fetch_kube(struct why_fetch *f, struct kube_client *c)
{
	f->get = kube_get;
	f->cancel = kube_cancel;
	f->fud = c;
}
