/* change.h - the one audited path for every change jumpdeck makes, from
 * the CLI and the TUI alike: refuse under read-only, write the intent
 * record (fsynced) or refuse, run, record the outcome under the same
 * correlation id, and keep the session's changes for whoever shows
 * progress. Not the actions themselves and not the log format (audit.h).
 *
 * The rule every mutating backend function follows: it takes a
 * `struct change *` that change_begin returned, refuses to act (-ERR_USAGE,
 * "not audited") when it is NULL or no longer running, and calls
 * change_end on it, success or failure, before its own done callback runs.
 * So nothing changes in the world without an intent record, and nothing
 * ends without an outcome record. */
#ifndef JD_CHANGE_H
#define JD_CHANGE_H

#include <stddef.h>

#include "err.h"

enum change_state {
	CHANGE_RUNNING = 0,
	CHANGE_SUCCEEDED,
	CHANGE_FAILED,
	CHANGE_REFUSED, /* never started: read-only, no audit log, gate */
};

/* One change, owned by its log. Fields are read-only for everyone but
 * change.c; the strings are as given (not terminal-safe). */
struct change {
	char id[17];       /* correlation id: 16 hex digits, in both records */
	char action[48];   /* "node.cordon", "image.promote", ... */
	char target[320];  /* "node/aks-...", "live/library/busybox:1.33.0" */
	/* who acts: "kube user admin", "azure alice@..." */
	char identity[256];
	enum change_state state;
	long long started_ms, ended_ms; /* monotonic */
	char progress[256]; /* the latest progress text, or "" */
	char message[600];  /* the outcome sentence, or "" */
	int audit_failed;   /* the outcome record could not be written */
};

/* What a front end asks for. identity comes from the backend that will
 * act (kube_client_identity(), pipeline_identity()), never made up by the
 * caller. detail (may be NULL) goes into the intent record: "--force",
 * "override: reason ...". Strings are borrowed for the call. */
struct change_req {
	const char *action;
	const char *target;
	const char *identity;
	const char *detail;
};

struct change_log;

/* Told about every change that starts, progresses or ends (the activity
 * pane, a CLI progress line). Called on the caller's thread. */
typedef void (*change_observer_fn)(const struct change *c, void *ud);

/* audit_path NULL: audit_default_path(). read_only: every change_begin is
 * refused. The log owns its changes until change_log_free. */
struct change_log *change_log_new(const char *audit_path, int read_only);
/* Frees the log. A change still running is ended as failed ("jumpdeck
 * stopped following it") first, so its outcome is recorded. */
void change_log_free(struct change_log **l);
/* The kube context written in every record (NULL: none). */
void change_log_set_context(struct change_log *l, const char *context);
void change_log_set_observer(struct change_log *l, change_observer_fn fn,
			     void *ud);
int change_log_read_only(const struct change_log *l);
/* The audit log's path, or NULL when there is none (no home). */
const char *change_log_path(const struct change_log *l);

/* Start a change: under read-only, writes a "refused" record and fails
 * with -ERR_DENIED ("read-only mode: node.cordon refused"); when the
 * intent record cannot be written, fails with -ERR_IO ("audit log ...:
 * cannot write ...; nothing was changed"). Otherwise returns the running
 * change (owned by the log, valid until change_log_free) and the caller
 * may act. */
struct change *change_begin(struct change_log *l, const struct change_req *r,
			    struct err *e);

/* A change refused before it started, for a reason known beforehand (the
 * scan gate, a precondition): writes the "refused" record and keeps the
 * change in the session's list. Returns -ERR_DENIED with e saying why
 * (why is copied as is), or -ERR_IO when even that record failed. */
int change_refuse(struct change_log *l, const struct change_req *r,
		  const char *why, struct err *e);

/* Progress text for whoever shows it ("waiting for the controller"). */
void change_progress(struct change *c, const char *text);

/* The outcome: ok, and a sentence (may be NULL). Writes the outcome record
 * with the change's correlation id. Returns 0, or -ERR_IO with e filled
 * when that record could not be written (the change happened; the front
 * end must say that the audit log is broken). Ending a change that is
 * not running does nothing and returns 0. */
int change_end(struct change *c, int ok, const char *message, struct err *e);

/* 1 when c may still be acted on. */
int change_running(const struct change *c);

/* The session's changes, oldest first: running ones always, finished ones
 * up to CHANGE_KEEP. Pointers stay valid until the next change_begin or
 * change_refuse on this log (which may drop old finished ones). */
#define CHANGE_KEEP 64
size_t change_log_count(const struct change_log *l);
const struct change *change_log_at(const struct change_log *l, size_t i);
/* How many are running now. */
size_t change_log_running(const struct change_log *l);

/* "running", "succeeded", "failed", "refused". */
const char *change_state_name(enum change_state s);

#endif
