/* test_config.c - the config file against the key table: every type's
 * checks, every problem with its file and line, precedence (default, file,
 * environment, flag), quoting and comments, images and key.ACTION lines,
 * and the table itself (names, ranges, defaults that pass their checks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/config.h"

static char path[] = "/tmp/jd-config-test.XXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	setenv("HOME", "/home/op", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void write_config(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Load text; the number of problems. */
static size_t load(struct config *c, const char *text)
{
	struct err e;
	int rc;

	write_config(text);
	rc = config_load_file_only(c, path, &e);
	assert_int_equal(rc < 0, c->nproblems > 0);
	return c->nproblems;
}

/* The problem mentions "PATH:LINE: " and the text. */
static void assert_problem(const struct config *c, size_t i, int line,
			   const char *text)
{
	char want[600];

	assert_true(i < c->nproblems);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (!strstr(c->problems[i], want) || !strstr(c->problems[i], text))
		fail_msg("problem %zu is \"%s\", want \"%s...%s\"", i,
			 c->problems[i], want, text);
}

static void test_table(void **state)
{
	struct config c;
	struct err e;
	int k, j;

	(void)state;
	for (k = 0; k < CFG_COUNT; k++) {
		const struct config_key_info *ki =
			config_key_info((enum config_key)k);
		const char *p;

		assert_non_null(ki->name);
		assert_non_null(ki->help);
		assert_true(strlen(ki->help) > 5);
		for (p = ki->name; *p; p++)
			assert_true(islower((unsigned char)*p) || *p == '_');
		if (ki->type == CFG_INT || ki->type == CFG_DURATION)
			assert_non_null(strstr(ki->range ? ki->range : "",
					       ".."));
		if (ki->type == CFG_CHOICE)
			assert_non_null(ki->range);
		for (j = 0; j < k; j++)
			assert_string_not_equal(
				ki->name,
				config_key_name((enum config_key)j));
		assert_int_equal(config_key_find(ki->name), k);
	}
	/* Every default passes its own checks. */
	write_config("");
	assert_int_equal(config_load_file_only(&c, path, &e), 0);
	for (k = 0; k < CFG_COUNT; k++) {
		const struct config_key_info *ki =
			config_key_info((enum config_key)k);

		if (ki->def) {
			assert_string_equal(config_get(&c, (enum config_key)k),
					    ki->def);
			assert_int_equal(c.v[k].source, SRC_DEFAULT);
		} else {
			assert_null(config_get(&c, (enum config_key)k));
		}
	}
	assert_int_equal(c.nimages, 6);
	config_free(&c);
}

static void test_values_and_origins(void **state)
{
	struct config c;
	char want[600];

	(void)state;
	assert_int_equal(load(&c, "# jump box\n"
				  "\n"
				  "registry = acrexample   # the ACR\n"
				  "import_concurrency = 8\n"
				  "import_timeout = 1h30m\n"
				  "read_only = yes\n"
				  "ascii = Off\n"
				  "copy_mode = registry\n"
				  "quarantine_prefix = q/a/\n"
				  "audit_log = ~/audit/jd.log\n"
				  "ca_bundle = /etc/ssl/ca.pem\n"
				  "theme = \"my # theme\"  # quoted\n"
				  "arm_endpoint = https://arm.local:8443/\n"
				  "drift_interval = 2m\n"),
			 0);
	assert_string_equal(config_get(&c, CFG_REGISTRY), "acrexample");
	assert_int_equal(config_get_int(&c, CFG_IMPORT_CONCURRENCY), 8);
	assert_int_equal(config_get_ms(&c, CFG_IMPORT_TIMEOUT), 5400000);
	assert_string_equal(config_get(&c, CFG_READ_ONLY), "true");
	assert_int_equal(config_get_bool(&c, CFG_READ_ONLY), 1);
	assert_int_equal(config_get_bool(&c, CFG_ASCII), 0);
	assert_string_equal(config_get(&c, CFG_COPY_MODE), "registry");
	assert_string_equal(config_get(&c, CFG_QUARANTINE_PREFIX), "q/a/");
	assert_string_equal(config_get(&c, CFG_AUDIT_LOG),
			    "/home/op/audit/jd.log");
	assert_string_equal(config_get(&c, CFG_THEME), "my # theme");
	assert_int_equal(config_get_ms(&c, CFG_DRIFT_INTERVAL), 120000);
	snprintf(want, sizeof(want), "%s:3", path);
	assert_string_equal(c.v[CFG_REGISTRY].origin, want);
	assert_int_equal(c.v[CFG_REGISTRY].line, 3);
	assert_int_equal(c.v[CFG_REGISTRY].source, SRC_FILE);
	assert_int_equal(c.v[CFG_LIVE_PREFIX].source, SRC_DEFAULT);
	assert_string_equal(c.file, path);
	config_free(&c);
}

static void test_every_problem_has_its_line(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	write_config("registry = ok\n"                      /* 1 */
		     "import_concurency = 3\n"              /* 2 */
		     "import_concurrency = many\n"          /* 3 */
		     "frame_rate = 99\n"                    /* 4 */
		     "copy_mode = ftp\n"                    /* 5 */
		     "read_only = maybe\n"                  /* 6 */
		     "arm_endpoint = management.azure.com\n" /* 7 */
		     "live_prefix = live\n"                 /* 8 */
		     "audit_log = audit.log\n"              /* 9 */
		     "registry = again\n"                   /* 10 */
		     "just some words\n"                    /* 11 */
		     "theme = \"open\n"                     /* 12 */
		     "tenant =\n"                           /* 13 */
		     "drift_interval = 1s\n"                /* 14 */
		     "import_timeout = soon\n"              /* 15 */
		     "image = UPPER CASE\n"                 /* 16 */
		     "Registry = x\n"                       /* 17 */
		     "quarantine_prefix = Quar/\n");        /* 18 */
	assert_true(config_load_file_only(&c, path, &e) < 0);
	assert_int_equal(c.nproblems, 17);
	assert_problem(&c, 0, 2, "unknown key \"import_concurency\" (did "
				 "you mean import_concurrency?)");
	assert_problem(&c, 1, 3, "\"many\" is not a whole number");
	assert_problem(&c, 2, 4, "out of range (1 to 30)");
	assert_problem(&c, 3, 5, "is not one of arm|registry");
	assert_problem(&c, 4, 6, "is not true or false");
	assert_problem(&c, 5, 7, "not an http:// or https:// address");
	assert_problem(&c, 6, 8, "ending in /");
	assert_problem(&c, 7, 9, "absolute path or start with ~/");
	assert_problem(&c, 8, 10, "registry is already set on line 1");
	assert_problem(&c, 9, 11, "expected KEY = VALUE");
	assert_problem(&c, 10, 12, "unterminated \"");
	assert_problem(&c, 11, 13, "tenant has no value");
	assert_problem(&c, 12, 14, "out of range (10s to 24h)");
	assert_problem(&c, 13, 15, "is not a duration");
	assert_problem(&c, 14, 16, "image:");
	assert_problem(&c, 15, 17, "\"Registry\" is not a key name");
	assert_problem(&c, 16, 18, "may hold only a-z");
	/* The first problem, and how many more, in e. */
	assert_non_null(strstr(e.msg, "import_concurency"));
	assert_non_null(strstr(e.msg, "(and 16 more problems)"));
	/* A bad value keeps the default: nothing half-applied. */
	assert_string_equal(config_get(&c, CFG_COPY_MODE), "arm");
	assert_string_equal(config_get(&c, CFG_REGISTRY), "ok");
	config_free(&c);
}

static void test_control_characters_refused(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, "registry = a\033[2Jb\n"), 1);
	assert_problem(&c, 0, 1, "control character");
	/* The value is not echoed raw into the message. */
	assert_null(strchr(c.problems[0], '\033'));
	config_free(&c);
}

static void test_images(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, "image = ghcr.io/a/b:1\n"
				  "image = busybox:1.37.0\n"),
			 0);
	assert_int_equal(c.nimages, 2);
	assert_int_equal(c.images_source, SRC_FILE);
	assert_string_equal(c.images[1], "busybox:1.37.0");
	config_free(&c);
	assert_int_equal(load(&c, "image = ghcr.io/a/b:1\n"
				  "image = ghcr.io/a/b:1\n"),
			 1);
	assert_problem(&c, 0, 2, "listed twice");
	config_free(&c);
}

static void test_bindings_kept_as_text(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, "key.cordon = C\n"
				  "key.filter = \"#\"\n"
				  "key.quit = q C-q  # two keys\n"),
			 0);
	assert_int_equal(c.nbindings, 3);
	assert_string_equal(c.bindings[0].action, "cordon");
	assert_string_equal(c.bindings[0].keys, "C");
	assert_string_equal(c.bindings[1].keys, "#");
	assert_string_equal(c.bindings[2].keys, "q C-q");
	assert_int_equal(c.bindings[2].line, 3);
	config_free(&c);
	assert_int_equal(load(&c, "key.cordon = C\nkey.cordon = D\n"), 1);
	assert_problem(&c, 0, 2, "key.cordon is already set on line 1");
	config_free(&c);
}

static void test_precedence(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	write_config("registry = fromfile\nresource_group = rg-file\n");
	setenv("JUMPDECK_REGISTRY", "fromenv", 1);
	unsetenv("JUMPDECK_RESOURCE_GROUP");
	assert_int_equal(config_load(&c, path, &e), 0);
	assert_string_equal(config_get(&c, CFG_REGISTRY), "fromenv");
	assert_int_equal(c.v[CFG_REGISTRY].source, SRC_ENV);
	assert_string_equal(c.v[CFG_REGISTRY].origin, "JUMPDECK_REGISTRY");
	assert_string_equal(config_get(&c, CFG_RESOURCE_GROUP), "rg-file");
	assert_int_equal(config_set_flag(&c, CFG_REGISTRY, "fromflag", &e), 0);
	assert_string_equal(config_get(&c, CFG_REGISTRY), "fromflag");
	assert_int_equal(c.v[CFG_REGISTRY].source, SRC_FLAG);
	/* A flag is checked too; a bad one changes nothing. */
	assert_true(config_set_flag(&c, CFG_REGISTRY_URL, "ftp://x", &e) < 0);
	assert_non_null(strstr(e.msg, "not an http:// or https://"));
	assert_null(config_get(&c, CFG_REGISTRY_URL));
	config_free(&c);
	/* --check reads the file alone. */
	assert_int_equal(config_load_file_only(&c, path, &e), 0);
	assert_string_equal(config_get(&c, CFG_REGISTRY), "fromfile");
	config_free(&c);
	/* A bad environment value is a problem naming the variable. */
	setenv("JUMPDECK_IMPORT_CONCURRENCY", "lots", 1);
	assert_true(config_load(&c, path, &e) < 0);
	assert_int_equal(c.nproblems, 1);
	assert_string_equal(c.problems[0], "JUMPDECK_IMPORT_CONCURRENCY: "
					   "\"lots\" is not a whole number");
	config_free(&c);
	unsetenv("JUMPDECK_IMPORT_CONCURRENCY");
	unsetenv("JUMPDECK_REGISTRY");
	/* Environment and flags may use relative paths. */
	setenv("JUMPDECK_CA_BUNDLE", "ca.pem", 1);
	assert_int_equal(config_load(&c, path, &e), 0);
	assert_string_equal(config_get(&c, CFG_CA_BUNDLE), "ca.pem");
	config_free(&c);
	unsetenv("JUMPDECK_CA_BUNDLE");
}

static void test_missing_files(void **state)
{
	struct config c;
	struct err e;

	(void)state;
	/* The default file may be missing; a named one may not. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-jd", 1);
	assert_int_equal(config_load(&c, NULL, &e), 0);
	assert_string_equal(c.file, "");
	config_free(&c);
	assert_true(config_load(&c, "/nonexistent-jd/config", &e) < 0);
	assert_non_null(strstr(e.msg, "cannot read config /nonexistent-jd"));
	config_free(&c);
	unsetenv("XDG_CONFIG_HOME");
}

static void test_print(void **state)
{
	struct config c;
	char buf[8192], want[700];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(load(&c, "registry = acrexample\n"
				  "key.cordon = C\n"),
			 0);
	f = tmpfile();
	config_print(&c, f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	snprintf(want, sizeof(want), "file (%s:1)", path);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "acrexample"));
	assert_non_null(strstr(buf, "key.cordon"));
	assert_non_null(strstr(buf, "rg-bu0001a0005"));
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_values_and_origins),
		cmocka_unit_test(test_every_problem_has_its_line),
		cmocka_unit_test(test_control_characters_refused),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_bindings_kept_as_text),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
