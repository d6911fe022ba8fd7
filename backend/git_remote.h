/* git_remote.h - the commit a Git remote's ref points at (what
 * `git ls-remote` shows), over smart HTTPS or SSH. Not a fetch or clone. */
#ifndef JD_GIT_REMOTE_H
#define JD_GIT_REMOTE_H

#include <stddef.h>

#include "err.h"
#include "loop.h"

#define GIT_REMOTE_TIMEOUT_MS 30000 /* when timeout_ms is 0 */

/* Every pointer is borrowed only for the git_remote_head() call: the
 * call copies what it needs (secrets are wiped when it is freed). */
struct git_remote_opts {
	/* https://host/path.git (http:// too), ssh://[user@]host[:port]/path
	 * or scp-like [user@]host:path; the SSH user defaults to "git". */
	const char *url;
	/* NULL or "HEAD": the remote's HEAD. "refs/...": that ref. Any
	 * other name: refs/heads/NAME, then refs/tags/NAME. Annotated tags
	 * are peeled to their commit. */
	const char *ref;
	/* HTTPS basic auth; a password (token) without a username goes
	 * with the username "git". For SSH, password is the passphrase of
	 * identity, as in a Flux secret. */
	const char *username;
	const char *password;
	const unsigned char *ca; /* HTTPS CA bundle (PEM); NULL: system */
	size_t ca_len;
	const char *identity; /* SSH private key text (PEM/OpenSSH) */
	/* known_hosts text as in a Flux secret: "host", "[host]:port",
	 * patterns with * ? !, hashed "|1|" names, @revoked lines.
	 * NULL: the operator's ~/.ssh/known_hosts. */
	const char *known_hosts;
	int use_agent;	 /* also try SSH_AUTH_SOCK's agent and ~/.ssh/id_* */
	long timeout_ms; /* whole call; 0: GIT_REMOTE_TIMEOUT_MS */
};

/* What done receives; valid only during the callback. */
struct git_remote_result {
	int ok;
	char sha[65];		/* commit, 40 (or 64) lower-case hex */
	char resolved_ref[256]; /* "refs/heads/main", "refs/tags/v1" */
	struct err err;		/* a sentence when !ok */
	int host_key_mismatch;	/* known_hosts has other keys for the host */
	char presented_fp[128]; /* "SHA256:..." of the server's host key
				 * (SSH, once seen), else empty */
	char expected_fp[128];	/* what known_hosts expects (mismatch) */
};

typedef void (*git_remote_done_fn)(const struct git_remote_result *r,
				   void *ud);

struct git_remote_call;

/* Starts reading the ref. HTTPS runs on the loop (libcurl multi); SSH
 * runs on a detached worker thread that hands the result back with
 * loop_post(). done is called exactly once, on the loop thread, unless
 * the call is cancelled; the call frees itself after done returns (do
 * not cancel it from inside done). Returns NULL and fills e (done is
 * not called) when the URL cannot be used. */
struct git_remote_call *git_remote_head(struct loop *l,
					const struct git_remote_opts *o,
					git_remote_done_fn done, void *ud,
					struct err *e);

/* done will not be called. An HTTPS request is freed now; an SSH worker
 * that is still talking finishes in the background (within the timeout)
 * and frees its state itself, touching neither the loop nor ud. NULL is
 * fine. Cancel every call before loop_free(). */
void git_remote_cancel(struct git_remote_call *c);

/* SSH worker threads that have not finished yet (cancelled ones
 * included): a process about to exit may wait for this to reach 0. */
int git_remote_workers(void);

#endif
