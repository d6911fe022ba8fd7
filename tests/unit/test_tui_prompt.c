/* test_tui_prompt.c - the typed confirmation without a terminal: a wrong
 * name keeps the dialog, the right one runs the action once with its own
 * data, and an action that opens a second dialog (a forced re-ask) keeps
 * the two dialogs' data apart. Not drawing (the e2e tests see that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/loop.h"
#include "tui/app_impl.h"

struct seen {
	int calls;
	int magic; /* which dialog's data the callback got */
};

static struct seen seen_first, seen_second;

struct dialog_data {
	int magic;
	struct seen *into;
};

static void second_fn(struct app *a, void *ud)
{
	struct dialog_data *d = ud;

	(void)a;
	seen_second.calls++;
	seen_second.magic = d ? d->magic : -1;
}

/* The first dialog's action asks again (as a forced copy does). */
static void first_fn(struct app *a, void *ud)
{
	struct dialog_data *d = ud, *d2 = malloc(sizeof(*d2));

	seen_first.calls++;
	d2->magic = 2;
	d2->into = &seen_second;
	app_confirm(a, "image.promote", "live/x:1", "Replace it?", "force x",
		    second_fn, d2);
	/* the first dialog's data is still ours after the second opened */
	seen_first.magic = d->magic;
}

static void type(struct app *a, const char *s)
{
	for (; *s; s++)
		app_prompt_key(a, (unsigned char)*s);
}

static struct app *new_app(void)
{
	struct app *a = calloc(1, sizeof(*a));

	a->loop = loop_new();
	return a;
}

static void free_app(struct app *a)
{
	free(a->confirm.ud);
	loop_free(&a->loop);
	free(a);
}

static void test_wrong_name_keeps_the_dialog(void **state)
{
	struct app *a = new_app();
	struct dialog_data *d = malloc(sizeof(*d));

	(void)state;
	memset(&seen_first, 0, sizeof(seen_first));
	d->magic = 1;
	d->into = &seen_first;
	app_confirm(a, "node.cordon", "node/n1", "Cordon n1?", "n1",
		    second_fn, d);
	type(a, "n2");
	app_prompt_key(a, '\n');
	assert_int_equal(a->mode, IN_CONFIRM);
	assert_non_null(strstr(a->confirm.error, "does not match"));
	assert_int_equal(seen_second.calls, 0);
	free_app(a);
}

static void test_action_opening_a_second_dialog(void **state)
{
	struct app *a = new_app();
	struct dialog_data *d = malloc(sizeof(*d));

	(void)state;
	memset(&seen_first, 0, sizeof(seen_first));
	memset(&seen_second, 0, sizeof(seen_second));
	d->magic = 1;
	d->into = &seen_first;
	app_confirm(a, "image.promote", "live/x:1", "Promote x?", "x",
		    first_fn, d);
	type(a, "x");
	app_prompt_key(a, '\n');
	assert_int_equal(seen_first.calls, 1);
	assert_int_equal(seen_first.magic, 1);
	/* the second dialog is open, with its own data */
	assert_int_equal(a->mode, IN_CONFIRM);
	assert_string_equal(a->confirm.expect, "force x");
	type(a, "force x");
	app_prompt_key(a, '\n');
	assert_int_equal(seen_second.calls, 1);
	assert_int_equal(seen_second.magic, 2);
	assert_int_equal(a->mode, IN_NORMAL);
	free_app(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wrong_name_keeps_the_dialog),
	    cmocka_unit_test(test_action_opening_a_second_dialog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
