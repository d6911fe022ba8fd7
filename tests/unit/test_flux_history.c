/* test_flux_history.c - unit tests of the reconciliation history: the
 * ring, and how the statuses a Kustomization goes through (fixture
 * objects as the controllers write them) become outcomes; the detail
 * view's lines for them. No curses, no cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/flux.h"
#include "backend/flux_history.h"
#include "backend/text.h"
#include "panes/flux_timeline.h"
#include "tui/detail.h"

#define SHA_A "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678"
#define SHA_B "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"

/* 2026-11-28T12:00:00Z and times after it */
#define T0 ((time_t)1795867200)
#define AT(s) "2026-11-28T12:" s "Z"

/* A Kustomization flux-system/apps with this status (JSON members of
 * "status"), generation 1, suspended or not. */
static void ks(struct flux_object *o, const char *status, int suspend)
{
	char json[4096];
	cJSON *j;

	snprintf(json, sizeof(json),
		 "{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1beta1\","
		 "\"kind\":\"Kustomization\",\"metadata\":{\"name\":\"apps\","
		 "\"namespace\":\"flux-system\",\"generation\":1},"
		 "\"spec\":{\"suspend\":%s},\"status\":{%s}}",
		 suspend ? "true" : "false", status);
	j = cJSON_Parse(json);
	assert_non_null(j);
	memset(o, 0, sizeof(*o));
	assert_int_equal(
	    flux_object_from_json(o, FLUX_KUSTOMIZATION, j, NULL), 0);
	cJSON_Delete(j);
}

/* observe that status at now; returns what observe returned */
static int see(struct flux_history *h, const char *status, int suspend,
	       time_t now)
{
	struct flux_object o;
	int r;

	ks(&o, status, suspend);
	r = flux_history_observe(h, &o, now);
	flux_object_clear(&o);
	return r;
}

#define READY(when, sha, handled)                                           \
	"\"observedGeneration\":1,\"lastAppliedRevision\":\"main/" sha "\","  \
	"\"lastAttemptedRevision\":\"main/" sha "\","                         \
	"\"lastHandledReconcileAt\":\"" handled "\","                         \
	"\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","            \
	"\"reason\":\"ReconciliationSucceeded\",\"message\":\"Applied "       \
	"revision: main/" sha "\",\"lastTransitionTime\":\"" when "\"}]"
#define PROGRESSING(when, handled)                                          \
	"\"observedGeneration\":1,"                                           \
	"\"lastAppliedRevision\":\"main/" SHA_A "\","                         \
	"\"lastHandledReconcileAt\":\"" handled "\","                         \
	"\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\","         \
	"\"reason\":\"Progressing\",\"message\":\"reconciliation in "         \
	"progress\",\"lastTransitionTime\":\"" when "\"}]"
#define FAILED(when, msg, handled)                                          \
	"\"observedGeneration\":1,"                                           \
	"\"lastAppliedRevision\":\"main/" SHA_A "\","                         \
	"\"lastAttemptedRevision\":\"main/" SHA_B "\","                       \
	"\"lastHandledReconcileAt\":\"" handled "\","                         \
	"\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\","           \
	"\"reason\":\"BuildFailed\",\"message\":\"" msg "\","                 \
	"\"lastTransitionTime\":\"" when "\"}]"

static void test_ring(void **state)
{
	struct flux_ring r;
	struct flux_outcome o;
	char buf[64], msg[600];
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(flux_ring_count(&r), 0);
	assert_null(flux_ring_at(&r, 0));
	assert_string_equal(flux_ring_marks(&r, 8, 1, buf, sizeof(buf)), "");
	memset(&o, 0, sizeof(o));
	/* 25 outcomes: every third failed; the ring keeps the last 20 */
	for (i = 0; i < 25; i++) {
		o.at = T0 + (time_t)i;
		o.ok = i % 3 != 0;
		o.duration = (long)i;
		snprintf(o.revision, sizeof(o.revision), "r%zu", i);
		snprintf(msg, sizeof(msg), "message %zu", i);
		o.message = msg;
		flux_ring_push(&r, &o);
	}
	assert_int_equal(flux_ring_count(&r), FLUX_RING_LEN);
	assert_int_equal(flux_ring_at(&r, 0)->at, T0 + 24);
	assert_string_equal(flux_ring_at(&r, 0)->message, "message 24");
	assert_string_equal(flux_ring_at(&r, 19)->revision, "r5");
	assert_null(flux_ring_at(&r, 20));
	/* the last 8, oldest first: 17..24; 18, 21 and 24 failed */
	assert_string_equal(flux_ring_marks(&r, 8, 1, buf, sizeof(buf)),
			    "+x++x++x");
	assert_string_equal(flux_ring_marks(&r, 2, 0, buf, sizeof(buf)),
			    "\u2713\u2717");
	/* cut to the newest whole marks that fit */
	assert_string_equal(flux_ring_marks(&r, 8, 0, buf, 11),
			    "\u2713\u2713\u2717");
	assert_string_equal(flux_ring_marks(&r, 8, 1, buf, 3), "+x");
	/* a long message is kept cut, not inside a character */
	memset(msg, 0, sizeof(msg));
	for (i = 0; i + 2 < 500; i += 2)
		memcpy(msg + i, "\xc3\xa9", 2); /* é */
	msg[FLUX_OUTCOME_MSG_MAX - 3] = 'a'; /* an odd offset from here */
	o.message = msg;
	flux_ring_push(&r, &o);
	assert_true(strlen(flux_ring_at(&r, 0)->message) <=
		    FLUX_OUTCOME_MSG_MAX);
	assert_true(strlen(flux_ring_at(&r, 0)->message) >=
		    FLUX_OUTCOME_MSG_MAX - 1);
	assert_int_equal(text_width(flux_ring_at(&r, 0)->message),
			 (int)strlen(flux_ring_at(&r, 0)->message) / 2 + 1);
	o.message = NULL;
	flux_ring_push(&r, &o);
	assert_string_equal(flux_ring_at(&r, 0)->message, "");
	flux_ring_clear(&r);
	assert_int_equal(flux_ring_count(&r), 0);
}

/* v0.8 as the walkthrough runs it: what the status says at the start,
 * then a reconcile that fails, one that succeeds again. */
static void test_fail_then_recover(void **state)
{
	struct flux_history *h = flux_history_new();
	const struct flux_ring *r;
	const struct flux_outcome *o;

	(void)state;
	assert_null(flux_history_find(h, "flux-system", "apps"));
	/* the start: one outcome from the status, duration unknown */
	assert_int_equal(see(h, READY(AT("00:00"), SHA_A, ""), 0, T0 + 60),
			 1);
	r = flux_history_find(h, "flux-system", "apps");
	assert_non_null(r);
	assert_int_equal(flux_ring_count(r), 1);
	o = flux_ring_at(r, 0);
	assert_true(o->ok);
	assert_int_equal(o->at, T0);
	assert_int_equal(o->duration, -1);
	assert_string_equal(o->revision, "main@1a2b3c4d");
	assert_string_equal(o->message, "Applied revision: main/" SHA_A);
	/* the same status again (a relist): nothing new */
	assert_int_equal(see(h, READY(AT("00:00"), SHA_A, ""), 0, T0 + 70),
			 0);
	/* a reconcile starts at 02:00 and fails at 02:03 */
	assert_int_equal(see(h, PROGRESSING(AT("02:00"), ""), 0, T0 + 121),
			 0);
	assert_int_equal(see(h, PROGRESSING(AT("02:00"), ""), 0, T0 + 122),
			 0);
	assert_int_equal(
	    see(h, FAILED(AT("02:03"), "kustomize build failed: boom", "r1"),
		0, T0 + 124),
	    1);
	assert_int_equal(flux_ring_count(r), 2);
	o = flux_ring_at(r, 0);
	assert_false(o->ok);
	assert_int_equal(o->at, T0 + 123);
	assert_int_equal(o->duration, 3);
	/* the revision it tried, not the one still applied */
	assert_string_equal(o->revision, "main@9f8e7d6c");
	assert_string_equal(o->message, "kustomize build failed: boom");
	/* another failure, Ready stays False (same transition time): a new
	 * outcome when it is seen, without a start */
	assert_int_equal(
	    see(h, FAILED(AT("02:03"), "kustomize build failed: bang", "r2"),
		0, T0 + 200),
	    1);
	o = flux_ring_at(r, 0);
	assert_false(o->ok);
	assert_int_equal(o->at, T0 + 200);
	assert_int_equal(o->duration, -1);
	/* it recovers: 05:00 to 05:02 */
	assert_int_equal(see(h, PROGRESSING(AT("05:00"), "r2"), 0, T0 + 300),
			 0);
	assert_int_equal(see(h, READY(AT("05:02"), SHA_B, "r3"), 0, T0 + 303),
			 1);
	assert_int_equal(flux_ring_count(r), 4);
	o = flux_ring_at(r, 0);
	assert_true(o->ok);
	assert_int_equal(o->duration, 2);
	assert_string_equal(o->revision, "main@9f8e7d6c");
	assert_false(flux_ring_at(r, 1)->ok);
	assert_false(flux_ring_at(r, 2)->ok);
	assert_true(flux_ring_at(r, 3)->ok);
	/* a reconcile request handled with nothing else changed (v0.8
	 * writes lastHandledReconcileAt with the final status) */
	assert_int_equal(see(h, READY(AT("05:02"), SHA_B, "r4"), 0, T0 + 400),
			 1);
	assert_int_equal(flux_ring_at(r, 0)->at, T0 + 400);
	assert_int_equal(flux_history_count(h), 1);
	flux_history_forget(h, "flux-system", "apps");
	assert_null(flux_history_find(h, "flux-system", "apps"));
	assert_int_equal(flux_history_count(h), 0);
	flux_history_free(&h);
	assert_null(h);
}

/* Current controllers: a failure keeps Reconciling True
 * (ProgressingWithRetry); the next start is Ready Unknown's transition,
 * not that old Reconciling. */
static void test_reconciling_left_true(void **state)
{
	struct flux_history *h = flux_history_new();
	const struct flux_ring *r;

	(void)state;
	assert_int_equal(
	    see(h,
		"\"observedGeneration\":1,\"lastAttemptedRevision\":"
		"\"main@sha1:" SHA_B "\",\"conditions\":["
		"{\"type\":\"Reconciling\",\"status\":\"True\",\"reason\":"
		"\"ProgressingWithRetry\",\"message\":\"x\","
		"\"lastTransitionTime\":\"" AT("00:00") "\"},"
		"{\"type\":\"Ready\",\"status\":\"False\",\"reason\":"
		"\"HealthCheckFailed\",\"message\":\"timeout\","
		"\"lastTransitionTime\":\"" AT("00:10") "\"}]",
		0, T0 + 30),
	    1);
	assert_int_equal(
	    see(h,
		"\"observedGeneration\":1,\"conditions\":["
		"{\"type\":\"Reconciling\",\"status\":\"True\",\"reason\":"
		"\"Progressing\",\"message\":\"x\","
		"\"lastTransitionTime\":\"" AT("00:00") "\"},"
		"{\"type\":\"Ready\",\"status\":\"Unknown\",\"reason\":"
		"\"Progressing\",\"message\":\"in progress\","
		"\"lastTransitionTime\":\"" AT("01:00") "\"}]",
		0, T0 + 61),
	    0);
	assert_int_equal(
	    see(h,
		"\"observedGeneration\":1,\"lastAppliedRevision\":"
		"\"main@sha1:" SHA_B "\",\"conditions\":["
		"{\"type\":\"Ready\",\"status\":\"True\",\"reason\":"
		"\"ReconciliationSucceeded\",\"message\":\"Applied\","
		"\"lastTransitionTime\":\"" AT("01:05") "\"}]",
		0, T0 + 66),
	    1);
	r = flux_history_find(h, "flux-system", "apps");
	assert_int_equal(flux_ring_count(r), 2);
	assert_true(flux_ring_at(r, 0)->ok);
	assert_int_equal(flux_ring_at(r, 0)->duration, 5);
	assert_false(flux_ring_at(r, 1)->ok);
	assert_string_equal(flux_ring_at(r, 1)->revision, "main@9f8e7d6c");
	flux_history_free(&h);
}

/* Waiting (no status, DependencyNotReady) and suspension are no
 * outcomes, and a suspension's wait does not count as a duration. */
static void test_not_outcomes(void **state)
{
	struct flux_history *h = flux_history_new();
	const struct flux_ring *r;

	(void)state;
	assert_int_equal(see(h, "\"observedGeneration\":-1", 0, T0), 0);
	assert_int_equal(
	    see(h,
		"\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\","
		"\"reason\":\"DependencyNotReady\",\"message\":\"dep\","
		"\"lastTransitionTime\":\"" AT("00:00") "\"}]",
		0, T0 + 1),
	    0);
	assert_null(flux_history_find(h, "flux-system", "apps"));
	assert_int_equal(see(h, PROGRESSING(AT("00:05"), ""), 0, T0 + 5), 0);
	assert_int_equal(see(h, PROGRESSING(AT("00:05"), ""), 1, T0 + 6), 0);
	assert_int_equal(see(h, READY(AT("09:00"), SHA_A, ""), 1, T0 + 540),
			 0);
	assert_null(flux_history_find(h, "flux-system", "apps"));
	/* resumed: the status is an outcome, its start not known */
	assert_int_equal(see(h, READY(AT("09:00"), SHA_A, ""), 0, T0 + 541),
			 1);
	r = flux_history_find(h, "flux-system", "apps");
	assert_int_equal(flux_ring_at(r, 0)->duration, -1);
	flux_history_free(&h);
}

/* Many objects: each its own ring, found again after the table grew. */
static void test_many_objects(void **state)
{
	struct flux_history *h = flux_history_new();
	struct flux_object o;
	char name[64];
	int i;

	(void)state;
	ks(&o, READY(AT("00:00"), SHA_A, ""), 0);
	for (i = 0; i < 300; i++) {
		char *keep = o.name;

		snprintf(name, sizeof(name), "ks-%d", i);
		o.name = name;
		assert_int_equal(flux_history_observe(h, &o, T0 + 1), 1);
		o.name = keep;
	}
	assert_int_equal(flux_history_count(h), 300);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "ks-%d", i);
		assert_int_equal(
		    flux_ring_count(flux_history_find(h, "flux-system", name)),
		    1);
	}
	assert_null(flux_history_find(h, "other", "ks-1"));
	flux_object_clear(&o);
	flux_history_free(&h);
}

/* The detail view's lines: newest first, mark, age, result, duration,
 * revision, the message made terminal-safe. */
static void test_detail_lines(void **state)
{
	struct flux_history *h = flux_history_new();
	struct detail d;
	const char *row;

	(void)state;
	memset(&d, 0, sizeof(d));
	flux_timeline_detail(&d, NULL, T0, 1);
	assert_int_equal(detail_wrap(&d, 200), 2);
	assert_non_null(strstr(detail_row_text(&d, 1), "none seen yet"));
	detail_clear(&d);
	see(h, READY(AT("00:00"), SHA_A, ""), 0, T0);
	see(h, PROGRESSING(AT("01:00"), ""), 0, T0 + 60);
	see(h, FAILED(AT("01:04"), "bad \\u001b[31mred\\u001b[0m", "r1"), 0,
	    T0 + 64);
	flux_timeline_detail(&d, flux_history_find(h, "flux-system", "apps"),
			     T0 + 120, 1);
	assert_int_equal(detail_wrap(&d, 200), 3);
	assert_string_equal(detail_row_text(&d, 0),
			    "Reconciliations (newest first)");
	row = detail_row_text(&d, 1);
	assert_non_null(strstr(row, "  x 56s"));
	assert_non_null(strstr(row, " failed "));
	assert_non_null(strstr(row, " 4s "));
	assert_non_null(strstr(row, "main@9f8e7d6c"));
	assert_non_null(strstr(row, "bad "));
	assert_null(strchr(row, '\033'));
	assert_int_equal(d.lines[1].role, ROLE_ERROR);
	row = detail_row_text(&d, 2);
	assert_non_null(strstr(row, "  + 2m"));
	assert_non_null(strstr(row, " ok "));
	assert_non_null(strstr(row, " - "));
	assert_non_null(strstr(row, "main@1a2b3c4d"));
	assert_int_equal(d.lines[2].role, ROLE_OK);
	detail_clear(&d);
	flux_timeline_detail(&d, flux_history_find(h, "flux-system", "apps"),
			     T0 + 120, 0);
	detail_wrap(&d, 200);
	assert_non_null(strstr(detail_row_text(&d, 1), "\u2717 56s"));
	assert_non_null(strstr(detail_row_text(&d, 2), "\u2713 2m"));
	detail_free(&d);
	flux_history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring),
	    cmocka_unit_test(test_fail_then_recover),
	    cmocka_unit_test(test_reconciling_left_true),
	    cmocka_unit_test(test_not_outcomes),
	    cmocka_unit_test(test_many_objects),
	    cmocka_unit_test(test_detail_lines),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
