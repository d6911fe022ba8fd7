/* test_gitlocal.c - the local clone with the real git on temporary
 * repositories (a bare one as the remote, by path): state, changed
 * manifest paths, a commit of only the given paths, a push and a refused
 * push that changes nothing locally, credentials removed from output,
 * and the subprocess limits gitlocal relies on (no terminal, output cap).
 * The remote's HEAD over HTTPS and SSH is the integration tests' part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/change.h"
#include "backend/gitlocal.h"
#include "backend/loop.h"
#include "backend/proc.h"

struct fx {
	char dir[64];
	char clone[128];
	char bare[128];
	struct loop *loop;
	struct change_log *log;
	int done;
	struct git_state st;
	int ok;
	char err[512];
	char out[4096];
};

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char log[160];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/jd-gitlocal-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->clone, sizeof(f->clone), "%s/clone", f->dir);
	snprintf(f->bare, sizeof(f->bare), "%s/remote.git", f->dir);
	if (sh("set -e; cd %s; git init -q --bare -b main remote.git;"
	       "git init -q -b main clone; cd clone;"
	       "git config user.name Ops; git config user.email ops@x.test;"
	       "cp -R %s/tests/unit/data/manifests/. .;"
	       "git add -A; git commit -qm initial;"
	       "git remote add origin %s; git push -q -u origin main",
	       f->dir, getenv("PWD") ? getenv("PWD") : ".", f->bare) != 0)
		return -1;
	snprintf(log, sizeof(log), "%s/audit.log", f->dir);
	f->loop = loop_new();
	f->log = change_log_new(log, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	change_log_free(&f->log);
	loop_free(&f->loop);
	gitlocal_state_clear(&f->st);
	sh("rm -rf %s", f->dir);
	free(f);
	return 0;
}

static void on_state(const struct git_state *s, void *ud)
{
	struct fx *f = ud;

	gitlocal_state_copy(&f->st, s);
	f->done = 1;
}

static void probe(struct fx *f, const char *dir)
{
	struct err e;

	gitlocal_state_clear(&f->st);
	memset(&f->st, 0, sizeof(f->st));
	f->done = 0;
	err_clear(&e);
	assert_non_null(gitlocal_probe(f->loop, dir, on_state, f, &e));
	while (!f->done)
		loop_run_once(f->loop, 1000);
}

static void on_op(const struct git_op_result *r, void *ud)
{
	struct fx *f = ud;

	f->ok = r->ok;
	snprintf(f->err, sizeof(f->err), "%s", r->err.msg);
	snprintf(f->out, sizeof(f->out), "%s", r->output);
	f->done = 1;
}

static struct change *begin(struct fx *f, const char *action)
{
	struct change_req r = {
	    .action = action, .target = f->clone, .identity = "os user t"};
	struct err e;

	err_clear(&e);
	return change_begin(f->log, &r, &e);
}

static void test_not_a_clone(void **state)
{
	struct fx *f = *state;

	probe(f, f->dir);
	assert_int_equal(f->st.ok, 0);
	assert_int_equal(f->st.err.code, ERR_NOTFOUND);
	assert_non_null(strstr(f->st.err.msg, "not a git clone"));
	assert_non_null(strstr(f->st.err.msg, "not a git repository"));
}

static void test_clean_clone(void **state)
{
	struct fx *f = *state;
	char sub[200];

	snprintf(sub, sizeof(sub), "%s/cluster-manifests/flux-system",
		 f->clone);
	probe(f, sub); /* any folder inside the clone */
	assert_int_equal(f->st.ok, 1);
	assert_string_equal(f->st.root, f->clone);
	assert_string_equal(f->st.branch, "main");
	assert_int_equal(strlen(f->st.head), 40);
	assert_string_equal(f->st.upstream, "origin/main");
	assert_string_equal(f->st.remote, "origin");
	assert_string_equal(f->st.remote_ref, "refs/heads/main");
	assert_string_equal(f->st.remote_url, f->bare);
	assert_int_equal(f->st.ndirty, 0);
	/* A path is not a URL git_remote can read: said, not guessed. */
	assert_int_equal(f->st.remote_known, 0);
	assert_true(f->st.remote_err.msg[0] != '\0');
}

static void test_dirty_manifests_and_commit_only_them(void **state)
{
	struct fx *f = *state;
	const char *paths[] = {
	    "cluster-manifests/falco-system/kustomization.yaml", NULL};
	struct change *c;

	assert_int_equal(
	    sh("cd %s && sed -i s/REPLACE_ME_WITH_YOUR_ACRNAME/acrx1/ "
	       "cluster-manifests/falco-system/kustomization.yaml && "
	       "echo note >> cluster-manifests/README.md && touch new.txt",
	       f->clone),
	    0);
	probe(f, f->clone);
	assert_int_equal(f->st.ndirty, 2);
	assert_int_equal(f->st.untracked, 1);
	assert_int_equal(gitlocal_manifest_path(f->st.dirty[0]) +
			     gitlocal_manifest_path(f->st.dirty[1]),
			 1);
	c = begin(f, "git.commit");
	assert_non_null(c);
	f->done = 0;
	assert_non_null(gitlocal_commit(f->loop, c, f->clone,
					"Update bootstrap deployments", paths,
					on_op, f));
	while (!f->done)
		loop_run_once(f->loop, 1000);
	assert_int_equal(f->ok, 1);
	assert_non_null(strstr(f->out, "1 file changed"));
	assert_int_equal(c->state, CHANGE_SUCCEEDED);
	/* The README change was not committed. */
	probe(f, f->clone);
	assert_int_equal(f->st.ndirty, 1);
	assert_string_equal(f->st.dirty[0], "cluster-manifests/README.md");
	assert_int_equal(sh("cd %s && git log -1 --format=%%s | "
			    "grep -qx 'Update bootstrap deployments'",
			    f->clone),
			 0);
}

static void test_push_and_refused_push(void **state)
{
	struct fx *f = *state;
	struct change *c;
	char before[64];
	FILE *p;
	char cmd[300];

	assert_int_equal(sh("cd %s && echo x >> cluster-manifests/README.md "
			    "&& git commit -qam two",
			    f->clone),
			 0);
	c = begin(f, "git.push");
	f->done = 0;
	assert_non_null(gitlocal_push(f->loop, c, f->clone, on_op, f));
	while (!f->done)
		loop_run_once(f->loop, 1000);
	assert_int_equal(f->ok, 1);
	assert_non_null(strstr(f->out, "main -> main"));
	assert_int_equal(sh("cd %s && test $(git rev-parse HEAD) = "
			    "$(git --git-dir=%s rev-parse main)",
			    f->clone, f->bare),
			 0);
	/* Someone else pushed first: ours is refused, nothing changes
	 * here. */
	assert_int_equal(
	    sh("cd %s && git clone -q %s other && cd other && "
	       "git -c user.name=o -c user.email=o@x commit -q --allow-empty "
	       "-m theirs && git push -q && cd ../clone && "
	       "echo y >> cluster-manifests/README.md && git commit -qam ours",
	       f->dir, f->bare),
	    0);
	snprintf(cmd, sizeof(cmd), "git -C %s rev-parse HEAD origin/main",
		 f->clone);
	p = popen(cmd, "r");
	assert_int_equal(fread(before, 1, sizeof(before) - 1, p) > 0, 1);
	pclose(p);
	c = begin(f, "git.push");
	f->done = 0;
	assert_non_null(gitlocal_push(f->loop, c, f->clone, on_op, f));
	while (!f->done)
		loop_run_once(f->loop, 1000);
	assert_int_equal(f->ok, 0);
	assert_non_null(strstr(f->err, "git push: "));
	assert_non_null(strstr(f->out, "[rejected]"));
	assert_int_equal(c->state, CHANGE_FAILED);
	{
		char after[64] = {0};

		p = popen(cmd, "r");
		assert_int_equal(fread(after, 1, sizeof(after) - 1, p) > 0, 1);
		pclose(p);
		assert_memory_equal(before, after, 40);
	}
}

static void test_unaudited_is_refused(void **state)
{
	struct fx *f = *state;

	assert_null(gitlocal_push(f->loop, NULL, f->clone, on_op, f));
	assert_int_equal(f->done, 0);
}

static void test_strip_credentials(void **state)
{
	char *s;

	(void)state;
	s = gitlocal_strip_credentials(
	    "To https://x-access-token:ghp_SECRET@github.com/o/r.git\n"
	    "fatal: unable to access 'https://user@host/r/': 403\n"
	    "ssh://git@127.0.0.1:22/r.git and git@github.com:o/r.git");
	assert_null(strstr(s, "SECRET"));
	assert_string_equal(s, "To https://github.com/o/r.git\n"
			       "fatal: unable to access 'https://host/r/': "
			       "403\n"
			       "ssh://git@127.0.0.1:22/r.git and "
			       "git@github.com:o/r.git");
	free(s);
	/* ssh keeps its user, not a password; http drops a bare token. */
	s = gitlocal_strip_credentials("ssh://git:pw@h/r and http://t@h");
	assert_string_equal(s, "ssh://git@h/r and http://h");
	free(s);
}

struct procw {
	int done;
	int code;
	int err;
	char out[256];
};

static void on_proc(const struct proc_result *r, void *ud)
{
	struct procw *w = ud;

	w->done = 1;
	w->code = r->exit_code;
	w->err = r->err.code;
	snprintf(w->out, sizeof(w->out), "%s", r->out);
}

static void test_subprocess_limits(void **state)
{
	struct fx *f = *state;
	struct proc_opts po;
	struct procw w;
	struct err e;
	const char *tty[] = {"sh", "-c", "exec </dev/tty; echo has-tty", NULL};
	const char *flood[] = {"sh", "-c", "yes flood", NULL};
	const char *pwd[] = {"pwd", NULL};

	memset(&po, 0, sizeof(po));
	po.no_tty = 1;
	memset(&w, 0, sizeof(w));
	err_clear(&e);
	assert_non_null(
	    proc_start_opts(f->loop, tty, NULL, 5000, &po, on_proc, &w, &e));
	while (!w.done)
		loop_run_once(f->loop, 1000);
	assert_int_not_equal(w.code, 0);
	assert_null(strstr(w.out, "has-tty"));

	po.max_output = 100000;
	memset(&w, 0, sizeof(w));
	assert_non_null(proc_start_opts(f->loop, flood, NULL, 10000, &po,
					on_proc, &w, &e));
	while (!w.done)
		loop_run_once(f->loop, 1000);
	assert_int_equal(w.err, ERR_IO);

	po.cwd = f->clone;
	memset(&w, 0, sizeof(w));
	assert_non_null(
	    proc_start_opts(f->loop, pwd, NULL, 5000, &po, on_proc, &w, &e));
	while (!w.done)
		loop_run_once(f->loop, 1000);
	assert_int_equal(strncmp(w.out, f->clone, strlen(f->clone)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_not_a_clone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clean_clone, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_dirty_manifests_and_commit_only_them, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_push_and_refused_push, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unaudited_is_refused, setup,
					    teardown),
	    cmocka_unit_test(test_strip_credentials),
	    cmocka_unit_test_setup_teardown(test_subprocess_limits, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
