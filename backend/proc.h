/* proc.h - child processes: asynchronous with captured output on the
 * loop (exec credential plugins, kubectl kustomize), or in the foreground
 * with the terminal (interactive sign-in). Not a shell: no string parsing. */
#ifndef JD_PROC_H
#define JD_PROC_H

#include <stddef.h>

#include "err.h"
#include "loop.h"

/* Valid only during the callback. */
struct proc_result {
	int exit_code;	 /* exit status, or 128 + signal */
	const char *out; /* stdout, NUL-terminated */
	size_t out_len;
	const char *errout; /* stderr, NUL-terminated */
	size_t err_len;
	struct err err; /* set when the process could not run/finish */
};

typedef void (*proc_done_fn)(const struct proc_result *r, void *ud);

struct proc;

/* Start argv[0] (searched in PATH) with the current environment plus
 * extra_env ("NAME=value" strings, NULL-ended; may be NULL). stdin is
 * /dev/null. The callback runs once, from the loop, unless cancelled.
 * timeout_ms 0 means none; on timeout the child's process group gets
 * SIGKILL and the result carries ERR_TIMEOUT. */
struct proc *proc_start(struct loop *l, const char *const argv[],
			const char *const extra_env[], long timeout_ms,
			proc_done_fn done, void *ud, struct err *e);
/* What proc_start_opts() adds to proc_start(); all zero is proc_start(). */
struct proc_opts {
	const char *cwd;   /* run in this folder; NULL: the current one */
	size_t max_output; /* stdout and stderr together; more kills the
			    * child (ERR_IO). 0: PROC_MAX_OUTPUT */
	int no_tty;	   /* a new session without a controlling terminal,
			    * so that nothing (ssh, git) can prompt on it */
};
#define PROC_MAX_OUTPUT (64UL * 1024 * 1024)

/* proc_start() with options (o may be NULL). proc_start() keeps at most
 * PROC_MAX_OUTPUT bytes too. */
struct proc *proc_start_opts(struct loop *l, const char *const argv[],
			     const char *const extra_env[], long timeout_ms,
			     const struct proc_opts *o, proc_done_fn done,
			     void *ud, struct err *e);

/* Kill (SIGKILL) and reap; the callback is not called. */
void proc_cancel(struct proc *p);

/* Run in the foreground: stdin and stderr are the terminal's, stdout is
 * captured into *out (caller frees). Blocks until the child exits.
 * Returns 0 when it ran (see *exit_code), negative if it could not. */
int proc_run_foreground(const char *const argv[],
			const char *const extra_env[], char **out,
			size_t *out_len, int *exit_code, struct err *e);

/* Build an environment: environ with extra_env overriding. Caller frees
 * with proc_env_free(). */
char **proc_env_build(const char *const extra_env[]);
void proc_env_free(char **env);

#endif
