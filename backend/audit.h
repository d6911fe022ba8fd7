/* audit.h - the audit trail: a SHA-256 hash chain of JSON lines, one per
 * administrative action. Not a debug log, and never a place for secrets. */
#ifndef JD_AUDIT_H
#define JD_AUDIT_H

#include <stddef.h>
#include <time.h>

#include "err.h"

/* The log file, when no path is given: $JUMPDECK_AUDIT_LOG if set and not
 * empty, else xdg_state_path("audit.log"), that is
 * ~/.local/state/jumpdeck/audit.log. NULL when there is no home. Caller
 * frees. */
char *audit_default_path(void);

enum audit_outcome {
	AUDIT_REQUESTED = 0, /* about to be attempted */
	AUDIT_SUCCEEDED,
	AUDIT_FAILED,
	AUDIT_REFUSED, /* not attempted: read-only, not confirmed ... */
};

/* "requested", "succeeded", "failed", "refused". */
const char *audit_outcome_name(enum audit_outcome o);

/* What the caller knows; audit_append adds who, when and where from. The
 * strings are borrowed for the call. Callers must never pass secrets
 * (tokens, passwords, keys, kubeconfig contents): as a second line of
 * defence, anything that looks like a JWT ("eyJ...x.y") or follows
 * "Bearer " is written as "[redacted]". Each string is cut at 1024 bytes. */
struct audit_record {
	const char *identity; /* cloud or cluster identity, or NULL */
	const char *context;  /* kube context, or NULL */
	const char *action;   /* required: "node.cordon", "image.promote" */
	const char *target;   /* "node/aks-npsystem-...", or NULL */
	enum audit_outcome outcome;
	const char *detail; /* free text, or NULL */
	const char *op;     /* correlation id shared by a change's intent and
			     * outcome records (change.h), or NULL */
};

/* Append one record to path (NULL: audit_default_path()). Creates the file
 * (mode 0600) and its directories (0700) when missing. Under an exclusive
 * flock it reads the last line for seq and prev, writes the whole new line
 * with one write() and fsyncs it, so concurrent writers keep the chain
 * whole. The line, keys always in this order, no spaces:
 *   {"time":"2026-11-28T12:00:00.123Z","user":"alice","sudo_user":null,
 *    "identity":null,"origin":{"host":"jumpbox","ssh_client":"10.0.0.5"},
 *    "context":"aks-bu0001a0005","action":"node.cordon",
 *    "target":"node/aks-...","outcome":"succeeded","detail":null,
 *    "op":"5f0c9a1e22b4d7c3","pid":4242,"seq":7,"prev":"<64 hex>",
 *    "hash":"<64 hex>"}
 * user is the effective OS user, sudo_user $SUDO_USER, ssh_client the first
 * word of $SSH_CONNECTION or $SSH_CLIENT (null when not over SSH). prev is
 * the SHA-256 of the previous line (without its newline), 64 zeros for the
 * first; hash is the SHA-256 of this line with its `,"hash":"..."` member
 * removed. Returns 0 or a negative ERR_* with e filled; the log is never
 * left with a partial line by this function. */
int audit_append(const char *path_or_null, const struct audit_record *r,
		 struct err *e);

/* Check the whole chain of path (NULL: the default). *nrecords (may be
 * NULL) gets the number of records that checked out. On the first problem
 * returns -ERR_CONFLICT with e naming the line, e.g.
 *   "line 7: hash does not match its content (record changed?)"
 *   "line 9: prev does not match line 8 (record removed or reordered?)"
 * -ERR_NOTFOUND when the file does not exist, -ERR_IO when it cannot be
 * read. Removing records from the end, or rewriting every hash, cannot be
 * seen from the file alone: keep a copy of the last hash elsewhere for
 * that. */
int audit_verify(const char *path_or_null, size_t *nrecords, struct err *e);

/* A record read back, for the activity pane. Every string is owned by the
 * entry and is NULL when the record had null there; strings are as written
 * (make them terminal-safe before drawing). */
struct audit_entry {
	char *time;  /* RFC 3339 with milliseconds */
	time_t when; /* time parsed, 0 if unparsable */
	char *user;
	char *sudo_user;
	char *identity;
	char *host;	  /* origin.host */
	char *ssh_client; /* origin.ssh_client */
	char *context;
	char *action;
	char *target;
	char *outcome;
	char *detail;
	char *op; /* correlation id, NULL in records written before it */
	long pid;
	unsigned long long seq;
};

/* The last max records of path (NULL: the default), oldest first, newest
 * last. Lines that do not parse are skipped (audit_verify reports them).
 * A missing file gives *n = 0 and returns 0. *out is a new array owned by
 * the caller (audit_entries_free); NULL when *n is 0. */
int audit_read_tail(const char *path_or_null, size_t max,
		    struct audit_entry **out, size_t *n, struct err *e);

/* Free n entries of *v and the array; sets *v to NULL. */
void audit_entries_free(struct audit_entry **v, size_t n);

#endif
