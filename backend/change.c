/* change.c - the audited-change protocol: read-only refusal, intent record
 * before the act, outcome record after it, one correlation id for both,
 * and the session's list of changes. Not the audit file (audit.c). */
#include "change.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "audit.h"
#include "xalloc.h"

struct change_log {
	char *path;
	int read_only;
	char context[256];
	change_observer_fn observer;
	void *observer_ud;
	/* each change is its own allocation, so a running change's pointer
	 * never moves while the list changes */
	struct change **v;
	size_t n, cap;
};

/* Private part: where a change belongs. The public struct comes first so
 * that a struct change * is also a struct change_entry *. */
struct change_entry {
	struct change pub;
	struct change_log *log;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void new_id(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[8];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* no entropy source: time and address still tell apart the
		 * changes of one process */
		unsigned long long t = (unsigned long long)now_ms() ^
				       (unsigned long long)(size_t)out;

		memcpy(r, &t, sizeof(r));
	}
	for (i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 0x0f];
	}
	out[16] = '\0';
}

const char *change_state_name(enum change_state s)
{
	switch (s) {
	case CHANGE_RUNNING:
		return "running";
	case CHANGE_SUCCEEDED:
		return "succeeded";
	case CHANGE_FAILED:
		return "failed";
	case CHANGE_REFUSED:
		return "refused";
	}
	return "unknown";
}

struct change_log *change_log_new(const char *audit_path, int read_only)
{
	struct change_log *l = xcalloc(1, sizeof(*l));

	l->path = audit_path ? xstrdup(audit_path) : audit_default_path();
	l->read_only = read_only != 0;
	return l;
}

void change_log_free(struct change_log **lp)
{
	struct change_log *l;
	size_t i;

	if (!lp || !*lp)
		return;
	l = *lp;
	l->observer = NULL;
	for (i = 0; i < l->n; i++) {
		if (l->v[i]->state == CHANGE_RUNNING)
			change_end(l->v[i], 0,
				   "jumpdeck stopped following it; it may "
				   "still complete",
				   NULL);
		free(l->v[i]);
	}
	free(l->v);
	free(l->path);
	free(l);
	*lp = NULL;
}

void change_log_set_context(struct change_log *l, const char *context)
{
	snprintf(l->context, sizeof(l->context), "%s", context ? context : "");
}

void change_log_set_observer(struct change_log *l, change_observer_fn fn,
			     void *ud)
{
	l->observer = fn;
	l->observer_ud = ud;
}

int change_log_read_only(const struct change_log *l)
{
	return l->read_only;
}

const char *change_log_path(const struct change_log *l)
{
	return l->path;
}

size_t change_log_count(const struct change_log *l)
{
	return l->n;
}

const struct change *change_log_at(const struct change_log *l, size_t i)
{
	return i < l->n ? l->v[i] : NULL;
}

size_t change_log_running(const struct change_log *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i]->state == CHANGE_RUNNING;
	return n;
}

int change_running(const struct change *c)
{
	return c && c->state == CHANGE_RUNNING;
}

static void notify(struct change_log *l, const struct change *c)
{
	if (l->observer)
		l->observer(c, l->observer_ud);
}

/* Drop the oldest finished changes beyond CHANGE_KEEP (running ones
 * stay whatever their number). */
static void trim(struct change_log *l)
{
	size_t finished = 0, i, j;

	for (i = 0; i < l->n; i++)
		finished += l->v[i]->state != CHANGE_RUNNING;
	for (i = 0, j = 0; i < l->n; i++) {
		if (finished >= CHANGE_KEEP &&
		    l->v[i]->state != CHANGE_RUNNING) {
			free(l->v[i]);
			finished--;
			continue;
		}
		l->v[j++] = l->v[i];
	}
	l->n = j;
}

static struct change *add(struct change_log *l, const struct change_req *r)
{
	struct change_entry *ce = xcalloc(1, sizeof(*ce));
	struct change *c = &ce->pub;

	ce->log = l;
	new_id(c->id);
	snprintf(c->action, sizeof(c->action), "%s", r->action);
	snprintf(c->target, sizeof(c->target), "%s",
		 r->target ? r->target : "");
	snprintf(c->identity, sizeof(c->identity), "%s",
		 r->identity ? r->identity : "");
	c->started_ms = now_ms();
	c->state = CHANGE_RUNNING;
	trim(l);
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = c;
	return c;
}

static int write_record(struct change_log *l, const struct change *c,
			enum audit_outcome outcome, const char *detail,
			struct err *e)
{
	struct audit_record rec;

	if (!l->path)
		return err_set(e, ERR_IO,
			       "no audit log: no home directory and no "
			       "JUMPDECK_AUDIT_LOG");
	memset(&rec, 0, sizeof(rec));
	rec.identity = c->identity[0] ? c->identity : NULL;
	rec.context = l->context[0] ? l->context : NULL;
	rec.action = c->action;
	rec.target = c->target[0] ? c->target : NULL;
	rec.outcome = outcome;
	rec.detail = detail;
	rec.op = c->id;
	return audit_append(l->path, &rec, e);
}

static int valid_req(const struct change_req *r, struct err *e)
{
	if (!r || !r->action || !r->action[0])
		return err_set(e, ERR_USAGE, "a change without an action");
	return 0;
}

int change_refuse(struct change_log *l, const struct change_req *r,
		  const char *why, struct err *e)
{
	struct change *c;
	struct err we;
	int rc;

	rc = valid_req(r, e);
	if (rc < 0)
		return rc;
	c = add(l, r);
	err_clear(&we);
	c->state = CHANGE_REFUSED;
	c->ended_ms = c->started_ms;
	snprintf(c->message, sizeof(c->message), "%s", why ? why : "refused");
	if (write_record(l, c, AUDIT_REFUSED, c->message, &we) < 0) {
		c->audit_failed = 1;
		notify(l, c);
		if (e)
			*e = we;
		return -ERR_IO;
	}
	notify(l, c);
	return err_set(e, ERR_DENIED, "%s", c->message);
}

struct change *change_begin(struct change_log *l, const struct change_req *r,
			    struct err *e)
{
	struct change *c;
	struct err we;

	if (valid_req(r, e) < 0)
		return NULL;
	if (l->read_only) {
		char why[300];

		snprintf(why, sizeof(why), "read-only mode: %s refused",
			 r->action);
		/* refused whether or not the record could be written */
		change_refuse(l, r, why, NULL);
		err_set(e, ERR_DENIED, "%s", why);
		return NULL;
	}
	c = add(l, r);
	err_clear(&we);
	if (write_record(l, c, AUDIT_REQUESTED, r->detail, &we) < 0) {
		/* No audit trail, no change. */
		c->state = CHANGE_REFUSED;
		c->ended_ms = now_ms();
		c->audit_failed = 1;
		snprintf(c->message, sizeof(c->message),
			 "%s%s; nothing was changed",
			 strstr(we.msg, "audit log") ? "" : "audit log: ",
			 we.msg);
		notify(l, c);
		err_set(e, ERR_IO, "%s", c->message);
		return NULL;
	}
	notify(l, c);
	return c;
}

void change_progress(struct change *c, const char *text)
{
	struct change_entry *ce = (struct change_entry *)c;

	if (!change_running(c))
		return;
	snprintf(c->progress, sizeof(c->progress), "%s", text ? text : "");
	notify(ce->log, c);
}

int change_end(struct change *c, int ok, const char *message, struct err *e)
{
	struct change_entry *ce = (struct change_entry *)c;
	struct err we;
	int rc = 0;

	if (!change_running(c))
		return 0;
	c->state = ok ? CHANGE_SUCCEEDED : CHANGE_FAILED;
	c->ended_ms = now_ms();
	c->progress[0] = '\0';
	snprintf(c->message, sizeof(c->message), "%s", message ? message : "");
	err_clear(&we);
	if (write_record(ce->log, c, ok ? AUDIT_SUCCEEDED : AUDIT_FAILED,
			 message, &we) < 0) {
		c->audit_failed = 1;
		rc = err_set(e, ERR_IO, "the outcome was not recorded: %s",
			     we.msg);
	}
	notify(ce->log, c);
	return rc;
}
