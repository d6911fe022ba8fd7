/* test_change.c - unit tests of the one audited path: read-only refusal,
 * intent before the act, refusal when the intent cannot be written (a
 * read-only directory, a full disk), outcome with the same correlation
 * id, the session list and its observer. Not the actions (their tests
 * prove that they go through here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/audit.h"
#include "backend/change.h"

struct fx {
	char dir[64];
	char log[128];
	int seen;
	enum change_state last_state;
	char last_progress[256];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/jd-change-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/audit.log", f->dir);
	unsetenv("SUDO_USER");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", f->dir,
		 f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void observe(const struct change *c, void *ud)
{
	struct fx *f = ud;

	f->seen++;
	f->last_state = c->state;
	snprintf(f->last_progress, sizeof(f->last_progress), "%s",
		 c->progress);
}

static struct audit_entry *tail(const char *log, size_t *n)
{
	struct audit_entry *v = NULL;
	struct err e;

	err_clear(&e);
	assert_int_equal(audit_read_tail(log, 100, &v, n, &e), 0);
	return v;
}

static const struct change_req cordon = {
	.action = "node.cordon",
	.target = "node/aks-npsystem-1",
	.identity = "kube user admin",
};

static void test_intent_then_outcome_share_an_id(void **state)
{
	struct fx *f = *state;
	struct change_log *l = change_log_new(f->log, 0);
	struct audit_entry *v;
	struct change *c;
	struct err e;
	size_t n;

	change_log_set_context(l, "aks-bu0001a0005");
	change_log_set_observer(l, observe, f);
	err_clear(&e);
	c = change_begin(l, &cordon, &e);
	assert_non_null(c);
	assert_int_equal(c->state, CHANGE_RUNNING);
	assert_int_equal(strlen(c->id), 16);
	/* the intent is on disk before anything is done */
	v = tail(f->log, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].outcome, "requested");
	assert_string_equal(v[0].op, c->id);
	assert_string_equal(v[0].identity, "kube user admin");
	assert_string_equal(v[0].context, "aks-bu0001a0005");
	audit_entries_free(&v, n);

	change_progress(c, "waiting for the controller");
	assert_string_equal(f->last_progress, "waiting for the controller");
	assert_int_equal(change_end(c, 1, "cordoned", &e), 0);
	assert_int_equal(f->last_state, CHANGE_SUCCEEDED);
	assert_int_equal(f->seen, 3);
	v = tail(f->log, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].outcome, "succeeded");
	assert_string_equal(v[1].op, v[0].op);
	assert_string_equal(v[1].detail, "cordoned");
	audit_entries_free(&v, n);
	/* ending twice writes nothing more */
	assert_int_equal(change_end(c, 0, "again", &e), 0);
	v = tail(f->log, &n);
	assert_int_equal(n, 2);
	audit_entries_free(&v, n);
	assert_int_equal(audit_verify(f->log, &n, &e), 0);
	change_log_free(&l);
	assert_null(l);
}

static void test_read_only_refuses_and_records(void **state)
{
	struct fx *f = *state;
	struct change_log *l = change_log_new(f->log, 1);
	struct audit_entry *v;
	struct err e;
	size_t n;

	err_clear(&e);
	assert_null(change_begin(l, &cordon, &e));
	assert_int_equal(e.code, ERR_DENIED);
	assert_string_equal(e.msg, "read-only mode: node.cordon refused");
	v = tail(f->log, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].outcome, "refused");
	audit_entries_free(&v, n);
	assert_int_equal(change_log_count(l), 1);
	assert_int_equal(change_log_at(l, 0)->state, CHANGE_REFUSED);
	change_log_free(&l);
}

static void test_unwritable_directory_refuses(void **state)
{
	struct fx *f = *state;
	char sub[128], log[160];
	struct change_log *l;
	struct err e;

	FILE *fp;

	/* root writes through a read-only mode bit, so the directory is
	 * made unusable the way that stops root too: it is a file */
	snprintf(sub, sizeof(sub), "%s/state", f->dir);
	if (geteuid() == 0) {
		fp = fopen(sub, "w");
		assert_non_null(fp);
		fclose(fp);
	} else {
		assert_int_equal(mkdir(sub, 0500), 0);
	}
	snprintf(log, sizeof(log), "%s/audit.log", sub);
	l = change_log_new(log, 0);
	err_clear(&e);
	assert_null(change_begin(l, &cordon, &e));
	assert_int_equal(e.code, ERR_IO);
	assert_non_null(strstr(e.msg, "nothing was changed"));
	assert_int_equal(change_log_at(l, 0)->state, CHANGE_REFUSED);
	change_log_free(&l);
}

static void test_full_disk_refuses(void **state)
{
	struct change_log *l = change_log_new("/dev/full", 0);
	struct err e;

	(void)state;
	err_clear(&e);
	assert_null(change_begin(l, &cordon, &e));
	assert_int_equal(e.code, ERR_IO);
	assert_non_null(strstr(e.msg, "nothing was changed"));
	assert_int_equal(change_log_running(l), 0);
	change_log_free(&l);
}

static void test_file_size_limit_refuses(void **state)
{
	struct fx *f = *state;
	struct rlimit old, small = {.rlim_cur = 16, .rlim_max = RLIM_INFINITY};
	struct change_log *l;
	struct change *c;
	struct err e;
	size_t n;

	/* a first record fits nowhere under 16 bytes: SIGXFSZ is ignored so
	 * the write fails with EFBIG instead of killing the process */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	l = change_log_new(f->log, 0);
	err_clear(&e);
	c = change_begin(l, &cordon, &e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_null(c);
	assert_int_equal(e.code, ERR_IO);
	/* and nothing half-written was left behind */
	err_clear(&e);
	n = 99;
	assert_int_equal(audit_verify(f->log, &n, &e) == 0 ||
			     e.code == ERR_NOTFOUND,
			 1);
	change_log_free(&l);
}

static void test_outcome_write_failure_is_reported(void **state)
{
	struct fx *f = *state;
	struct change_log *l = change_log_new(f->log, 0);
	struct change *c;
	struct err e;

	err_clear(&e);
	c = change_begin(l, &cordon, &e);
	assert_non_null(c);
	/* the log turns into something unwritable while the change runs */
	assert_int_equal(unlink(f->log), 0);
	assert_int_equal(mkdir(f->log, 0700), 0);
	assert_true(change_end(c, 1, "cordoned", &e) < 0);
	assert_int_equal(e.code, ERR_IO);
	assert_non_null(strstr(e.msg, "the outcome was not recorded"));
	assert_int_equal(c->state, CHANGE_SUCCEEDED);
	assert_int_equal(c->audit_failed, 1);
	change_log_free(&l);
}

static void test_refuse_records_reason(void **state)
{
	struct fx *f = *state;
	struct change_log *l = change_log_new(f->log, 0);
	const struct change_req r = {
	    .action = "image.promote",
	    .target = "live/library/busybox:1.33.0",
	    .identity = "azure alice@contoso.example",
	};
	struct audit_entry *v;
	struct err e;
	size_t n;

	err_clear(&e);
	assert_int_equal(change_refuse(l, &r, "blocked by the scan gate: "
					     "CVE-2021-42378 (high, fix)",
				       &e),
			 -ERR_DENIED);
	assert_string_equal(e.msg,
			    "blocked by the scan gate: CVE-2021-42378 (high, "
			    "fix)");
	v = tail(f->log, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].outcome, "refused");
	assert_string_equal(v[0].identity, "azure alice@contoso.example");
	assert_non_null(strstr(v[0].detail, "CVE-2021-42378"));
	audit_entries_free(&v, n);
	change_log_free(&l);
}

static void test_free_ends_running_changes(void **state)
{
	struct fx *f = *state;
	struct change_log *l = change_log_new(f->log, 0);
	struct audit_entry *v;
	struct err e;
	size_t n;

	err_clear(&e);
	assert_non_null(change_begin(l, &cordon, &e));
	change_log_free(&l);
	v = tail(f->log, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].outcome, "failed");
	assert_non_null(strstr(v[1].detail, "stopped following"));
	audit_entries_free(&v, n);
}

static void test_list_is_bounded_but_keeps_running(void **state)
{
	struct fx *f = *state;
	struct change_log *l = change_log_new(f->log, 0);
	struct change *keep;
	struct err e;
	size_t i;

	err_clear(&e);
	keep = change_begin(l, &cordon, &e);
	assert_non_null(keep);
	for (i = 0; i < CHANGE_KEEP + 10; i++) {
		struct change *c = change_begin(l, &cordon, &e);

		assert_non_null(c);
		change_end(c, 1, NULL, &e);
	}
	assert_true(change_log_count(l) <= CHANGE_KEEP + 1);
	assert_int_equal(change_log_running(l), 1);
	assert_ptr_equal(change_log_at(l, 0), keep);
	assert_int_equal(change_end(keep, 0, "gave up", &e), 0);
	change_log_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_intent_then_outcome_share_an_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_refuses_and_records,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unwritable_directory_refuses,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_disk_refuses, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_file_size_limit_refuses,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_outcome_write_failure_is_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refuse_records_reason, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_free_ends_running_changes,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_list_is_bounded_but_keeps_running, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
