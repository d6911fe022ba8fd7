/* proc.c - fork/exec with non-blocking pipes read from the event loop,
 * and a blocking foreground variant that lends the child the terminal. */
#include "proc.h"
#include "strbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct proc {
	struct loop *loop;
	pid_t pid;
	int out_fd, err_fd;
	struct strbuf out, errb;
	proc_done_fn done;
	void *ud;
	unsigned timeout_timer, reap_timer;
	int timed_out, too_much;
	size_t max_output;
	char name[128];
};

char **proc_env_build(const char *const extra_env[])
{
	size_t n = 0, nx = 0, i, j, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (extra_env && extra_env[nx])
		nx++;
	env = xcalloc(n + nx + 1, sizeof(*env));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) : 0;
		int overridden = 0;

		for (j = 0; j < nx && klen; j++)
			if (strncmp(extra_env[j], environ[i], klen + 1) == 0)
				overridden = 1;
		if (!overridden)
			env[k++] = xstrdup(environ[i]);
	}
	for (j = 0; j < nx; j++)
		env[k++] = xstrdup(extra_env[j]);
	env[k] = NULL;
	return env;
}

void proc_env_free(char **env)
{
	size_t i;

	if (!env)
		return;
	for (i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

/* Like execvpe, which is not in POSIX. */
static void exec_in_path(const char *const argv[], char **env)
{
	const char *path = getenv("PATH");
	const char *p;
	char full[4096];

	if (strchr(argv[0], '/') || !path) {
		execve(argv[0], (char *const *)(uintptr_t)argv, env);
		return;
	}
	for (p = path;;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 0)
			snprintf(full, sizeof(full), "./%s", argv[0]);
		else
			snprintf(full, sizeof(full), "%.*s/%s", (int)n, p,
				 argv[0]);
		execve(full, (char *const *)(uintptr_t)argv, env);
		if (!end)
			break;
		p = end + 1;
	}
}

static void finish(struct proc *p, int status)
{
	struct proc_result r;

	memset(&r, 0, sizeof(r));
	if (WIFEXITED(status))
		r.exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r.exit_code = 128 + WTERMSIG(status);
	r.out = p->out.p ? p->out.p : "";
	r.out_len = p->out.len;
	r.errout = p->errb.p ? p->errb.p : "";
	r.err_len = p->errb.len;
	if (p->timed_out)
		err_set(&r.err, ERR_TIMEOUT, "%s did not finish in time",
			p->name);
	else if (p->too_much)
		err_set(&r.err, ERR_IO,
			"%s wrote more than %zu bytes of output; stopped",
			p->name, p->max_output);
	else if (r.exit_code == 127 && !r.out_len)
		err_set(&r.err, ERR_NOTFOUND, "cannot run %s: %s", p->name,
			r.err_len ? r.errout : "command not found");
	p->pid = -1;
	p->done(&r, p->ud);
	proc_cancel(p);
}

static void try_reap(void *ud)
{
	struct proc *p = ud;
	int status = 0;
	pid_t w;

	p->reap_timer = 0;
	w = waitpid(p->pid, &status, WNOHANG);
	if (w == p->pid) {
		finish(p, status);
		return;
	}
	/* Pipes closed but not exited yet: look again shortly. */
	p->reap_timer = loop_timer_add(p->loop, 10, try_reap, p);
}

static void on_pipe(int fd, short revents, void *ud)
{
	struct proc *p = ud;
	char tmp[4096];
	ssize_t r;

	(void)revents;
	r = read(fd, tmp, sizeof(tmp));
	if (r > 0 && (p->too_much ||
		      p->out.len + p->errb.len + (size_t)r > p->max_output)) {
		/* Stop the child and drop the rest until the pipes close. */
		if (!p->too_much && p->pid > 0) {
			kill(-p->pid, SIGKILL);
			kill(p->pid, SIGKILL);
		}
		p->too_much = 1;
		return;
	}
	if (r > 0) {
		strbuf_addn(fd == p->out_fd ? &p->out : &p->errb, tmp,
			    (size_t)r);
		return;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	loop_del_fd(p->loop, fd);
	close(fd);
	if (fd == p->out_fd)
		p->out_fd = -1;
	else
		p->err_fd = -1;
	if (p->out_fd < 0 && p->err_fd < 0)
		try_reap(p);
}

static void on_timeout(void *ud)
{
	struct proc *p = ud;

	p->timeout_timer = 0;
	p->timed_out = 1;
	/* The whole group: a wrapper script's children hold the pipes. */
	if (p->pid > 0) {
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
	}
}

struct proc *proc_start(struct loop *l, const char *const argv[],
			const char *const extra_env[], long timeout_ms,
			proc_done_fn done, void *ud, struct err *e)
{
	return proc_start_opts(l, argv, extra_env, timeout_ms, NULL, done, ud,
			       e);
}

struct proc *proc_start_opts(struct loop *l, const char *const argv[],
			     const char *const extra_env[], long timeout_ms,
			     const struct proc_opts *po, proc_done_fn done,
			     void *ud, struct err *e)
{
	int o[2], er[2];
	struct proc *p;
	char **env;
	pid_t pid;

	if (pipe(o) < 0) {
		err_set(e, ERR_IO, "cannot run %s: %s", argv[0],
			strerror(errno));
		return NULL;
	}
	if (pipe(er) < 0) {
		close(o[0]);
		close(o[1]);
		err_set(e, ERR_IO, "cannot run %s: %s", argv[0],
			strerror(errno));
		return NULL;
	}
	env = proc_env_build(extra_env);
	pid = fork();
	if (pid < 0) {
		proc_env_free(env);
		close(o[0]);
		close(o[1]);
		close(er[0]);
		close(er[1]);
		err_set(e, ERR_IO, "cannot run %s: %s", argv[0],
			strerror(errno));
		return NULL;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(o[1], 1);
		dup2(er[1], 2);
		close(o[0]);
		close(er[0]);
		if (po && po->no_tty)
			setsid(); /* also a new process group */
		else
			setpgid(0, 0);
		if (po && po->cwd && chdir(po->cwd) != 0) {
			dprintf(2, "%s: cannot enter %s: %s\n", argv[0],
				po->cwd, strerror(errno));
			_exit(126);
		}
		exec_in_path(argv, env);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	proc_env_free(env);
	close(o[1]);
	close(er[1]);
	fcntl(o[0], F_SETFL, O_NONBLOCK);
	fcntl(er[0], F_SETFL, O_NONBLOCK);
	fcntl(o[0], F_SETFD, FD_CLOEXEC);
	fcntl(er[0], F_SETFD, FD_CLOEXEC);
	p = xcalloc(1, sizeof(*p));
	p->loop = l;
	p->pid = pid;
	p->out_fd = o[0];
	p->err_fd = er[0];
	p->done = done;
	p->ud = ud;
	p->max_output =
	    po && po->max_output ? po->max_output : PROC_MAX_OUTPUT;
	snprintf(p->name, sizeof(p->name), "%s", argv[0]);
	loop_add_fd(l, p->out_fd, POLLIN, on_pipe, p);
	loop_add_fd(l, p->err_fd, POLLIN, on_pipe, p);
	if (timeout_ms > 0)
		p->timeout_timer =
		    loop_timer_add(l, timeout_ms, on_timeout, p);
	return p;
}

void proc_cancel(struct proc *p)
{
	int status;

	if (!p)
		return;
	if (p->pid > 0) {
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
	}
	if (p->out_fd >= 0) {
		loop_del_fd(p->loop, p->out_fd);
		close(p->out_fd);
	}
	if (p->err_fd >= 0) {
		loop_del_fd(p->loop, p->err_fd);
		close(p->err_fd);
	}
	loop_timer_cancel(p->loop, p->timeout_timer);
	loop_timer_cancel(p->loop, p->reap_timer);
	strbuf_free(&p->out);
	strbuf_free(&p->errb);
	free(p);
}

int proc_run_foreground(const char *const argv[],
			const char *const extra_env[], char **out,
			size_t *out_len, int *exit_code, struct err *e)
{
	int o[2], status = 0;
	struct strbuf b = {0};
	char tmp[4096];
	char **env;
	pid_t pid;
	ssize_t r;

	if (pipe(o) < 0)
		return err_set(e, ERR_IO, "cannot run %s: %s", argv[0],
			       strerror(errno));
	env = proc_env_build(extra_env);
	pid = fork();
	if (pid < 0) {
		proc_env_free(env);
		close(o[0]);
		close(o[1]);
		return err_set(e, ERR_IO, "cannot run %s: %s", argv[0],
			       strerror(errno));
	}
	if (pid == 0) {
		dup2(o[1], 1);
		close(o[0]);
		exec_in_path(argv, env);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	proc_env_free(env);
	close(o[1]);
	for (;;) {
		r = read(o[0], tmp, sizeof(tmp));
		if (r > 0) {
			strbuf_addn(&b, tmp, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break;
	}
	close(o[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*exit_code =
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!b.p)
		strbuf_addn(&b, "", 0);
	*out_len = b.len;
	*out = strbuf_take(&b);
	return 0;
}
