/* gitlocal.h - the operator's local clone: whether it is clean, committed
 * and pushed (git subprocesses, and the remote's HEAD read with
 * git_remote.h), and the two changes the walkthrough makes to it, commit
 * and push, as git subprocesses whose output is kept. Not the manifests
 * (manifests.h) and not a git library. */
#ifndef JD_GITLOCAL_H
#define JD_GITLOCAL_H

#include <stddef.h>

#include "change.h"
#include "err.h"
#include "loop.h"

#define GITLOCAL_STEP_MS    15000L  /* each local git command */
#define GITLOCAL_PUSH_MS    120000L /* git push */
#define GITLOCAL_MAX_DIRTY  256	    /* changed paths kept */
#define GITLOCAL_MAX_OUTPUT 65536   /* output kept from commit or push */

/* What the probe found. Every string is as git printed it, with
 * credentials removed from URLs; not terminal-safe. */
struct git_state {
	int ok;		/* the clone could be read (err otherwise) */
	struct err err; /* "DIR is not a git clone: ..." */
	char root[1024];
	char branch[256];      /* "" when HEAD is detached */
	char head[65];	       /* "" before the first commit */
	char upstream[256];    /* "origin/main", "" without one */
	char remote[128];      /* "origin" */
	char remote_ref[256];  /* "refs/heads/main" */
	char remote_url[1024]; /* without user or password */
	/* Tracked files changed but not committed (paths relative to
	 * root, at most GITLOCAL_MAX_DIRTY; ndirty counts all). */
	char **dirty;
	size_t ndirty;
	size_t nkept;
	size_t untracked;
	/* The remote, when there is an upstream. */
	int remote_known;     /* remote_head was read */
	char remote_head[65]; /* what the remote's branch points at */
	struct err remote_err;
	/* Only when both heads are known and differ: ahead is how many
	 * local commits the remote lacks (the remote's commit is an
	 * ancestor of HEAD); diverged when it is not (or unknown here). */
	int ahead;
	int diverged;
};

typedef void (*git_state_fn)(const struct git_state *s, void *ud);

struct git_probe;

/* Reads the clone at dir (any folder inside it) and its remote, one git
 * command at a time, on the loop. done runs once, from the loop, unless
 * cancelled; s is valid during the callback only. A hung git is killed
 * after GITLOCAL_STEP_MS; the remote has GIT_REMOTE_TIMEOUT_MS. Returns
 * NULL only when nothing could be started (e filled, done not called). */
struct git_probe *gitlocal_probe(struct loop *l, const char *dir,
				 git_state_fn done, void *ud, struct err *e);
/* done will not run. NULL is fine. Not from inside done. */
void gitlocal_probe_cancel(struct git_probe *p);

/* 1 when path (relative to the clone) is one of the files the
 * rewrite changes: a kustomization.yaml under cluster-manifests/ (2 when
 * it is flux-system/gotk-sync.yaml). 0 otherwise. */
int gitlocal_manifest_path(const char *path);

/* What commit and push report; valid during the callback only. */
struct git_op_result {
	int ok;
	struct err err;	    /* why, when !ok: git's own last line */
	const char *output; /* stdout then stderr, credentials removed,
			     * at most GITLOCAL_MAX_OUTPUT bytes; not
			     * terminal-safe */
};
typedef void (*git_op_fn)(const struct git_op_result *r, void *ud);

struct git_op;

/* git commit -m MESSAGE -- PATHS in the clone at root (only those
 * paths: nothing else the operator has changed is committed). Under the
 * begun change ch, which is ended before done runs (the change.h rule);
 * without a running change nothing runs and NULL is returned. */
struct git_op *gitlocal_commit(struct loop *l, struct change *ch,
			       const char *root, const char *message,
			       const char *const paths[], git_op_fn done,
			       void *ud);
/* git push (the branch to its upstream) in the clone at root, with no
 * prompts (GIT_TERMINAL_PROMPT=0, no terminal); killed after
 * GITLOCAL_PUSH_MS. A failed push changes nothing locally. */
struct git_op *gitlocal_push(struct loop *l, struct change *ch,
			     const char *root, git_op_fn done, void *ud);
/* Stop following: the change ends failed ("stopped following"), the git
 * process is killed, done is not called. */
void gitlocal_op_cancel(struct git_op *op);

/* text with the user and password of every URL removed
 * ("https://u:tok@host/x" -> "https://host/x"). Caller frees. */
char *gitlocal_strip_credentials(const char *text);

/* Frees what a probe result owns (for copies made with
 * gitlocal_state_copy). */
void gitlocal_state_copy(struct git_state *dst, const struct git_state *src);
void gitlocal_state_clear(struct git_state *s);

#endif
