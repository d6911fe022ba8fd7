/* test_images.c - image references, the pipeline states (not imported,
 * quarantined, promoted, drifted, live only) and their JSON; the time
 * the last copy took; the config file and its precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/config.h"
#include "backend/image_copy_time.h"
#include "backend/images.h"
#include "cli/print.h"

static void test_ref_parse(void **state)
{
	struct image_ref r;
	struct err e;

	(void)state;
	assert_int_equal(image_ref_parse("ghcr.io/fluxcd/source-controller:"
					 "v0.6.3",
					 &r, &e),
			 0);
	assert_string_equal(r.registry, "ghcr.io");
	assert_string_equal(r.path, "fluxcd/source-controller");
	assert_string_equal(r.tag, "v0.6.3");
	assert_int_equal(image_ref_parse("busybox:1.33.0", &r, &e), 0);
	assert_string_equal(r.registry, "docker.io");
	assert_string_equal(r.path, "library/busybox");
	assert_int_equal(image_ref_parse("docker.io/library/busybox", &r, &e),
			 0);
	assert_string_equal(r.tag, "latest");
	assert_int_equal(image_ref_parse("localhost:5000/a/b@sha256:abc", &r,
					 &e),
			 0);
	assert_string_equal(r.registry, "localhost:5000");
	assert_string_equal(r.path, "a/b");
	assert_string_equal(r.digest, "sha256:abc");
	assert_true(image_ref_parse("", &r, &e) < 0);
	assert_true(image_ref_parse("a b", &r, &e) < 0);
	assert_true(image_ref_parse("x/y:", &r, &e) < 0);
	assert_true(image_ref_parse("x/y@md5:1", &r, &e) < 0);
}

static void set_copy(struct image_copy *c, int exists, const char *d)
{
	c->checked = 1;
	c->exists = exists;
	snprintf(c->digest, sizeof(c->digest), "%s", d ? d : "");
}

static void test_states(void **state)
{
	struct image_row r;
	struct err e;
	char buf[800];

	(void)state;
	assert_int_equal(image_row_init(&r, "docker.io/library/busybox:1.33.0",
					"quarantine/", "live/", &e),
			 0);
	assert_string_equal(r.quarantine_repo, "quarantine/library/busybox");
	assert_string_equal(r.live_repo, "live/library/busybox");
	assert_int_equal(image_state_of(&r), IMG_UNKNOWN);
	set_copy(&r.quarantine, 0, NULL);
	set_copy(&r.live, 0, NULL);
	assert_int_equal(image_state_of(&r), IMG_NOT_IMPORTED);
	set_copy(&r.quarantine, 1, "sha256:aaaa");
	assert_int_equal(image_state_of(&r), IMG_QUARANTINED);
	set_copy(&r.live, 1, "sha256:aaaa");
	assert_int_equal(image_state_of(&r), IMG_PROMOTED);
	set_copy(&r.live, 1, "sha256:bbbb");
	r.state = image_state_of(&r);
	assert_int_equal(r.state, IMG_DRIFTED);
	assert_true(image_state_alert(r.state));
	assert_non_null(strstr(image_state_reason(&r, buf, sizeof(buf)),
			       "imported from somewhere else"));
	set_copy(&r.quarantine, 0, NULL);
	r.state = image_state_of(&r);
	assert_int_equal(r.state, IMG_LIVE_ONLY);
	assert_non_null(strstr(image_state_reason(&r, buf, sizeof(buf)),
			       "no quarantine copy"));
}

static void test_json(void **state)
{
	struct image_row v[2];
	struct err e;
	char *js;
	cJSON *j, *imgs, *sum;

	(void)state;
	image_row_init(&v[0], "ghcr.io/fluxcd/kustomize-controller:v0.6.3",
		       "quarantine/", "live/", &e);
	image_row_init(&v[1], "docker.io/weaveworks/kured:1.6.1",
		       "quarantine/", "live/", &e);
	set_copy(&v[0].quarantine, 1, "sha256:1111");
	set_copy(&v[0].live, 1, "sha256:1111");
	v[0].state = image_state_of(&v[0]);
	set_copy(&v[1].quarantine, 0, NULL);
	set_copy(&v[1].live, 1, "sha256:2222");
	v[1].state = image_state_of(&v[1]);
	js = images_to_json(v, 2, "acrx", "acrx", NULL);
	j = cJSON_Parse(js);
	assert_non_null(j);
	imgs = cJSON_GetObjectItem(j, "images");
	assert_int_equal(cJSON_GetArraySize(imgs), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(imgs, 0),
						"state")
				    ->valuestring,
			    "promoted");
	assert_string_equal(
		cJSON_GetObjectItem(
			cJSON_GetObjectItem(cJSON_GetArrayItem(imgs, 0),
					    "quarantine"),
			"repository")
			->valuestring,
		"quarantine/fluxcd/kustomize-controller");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(imgs, 1), "alert")));
	sum = cJSON_GetObjectItem(j, "summary");
	assert_int_equal(cJSON_GetObjectItem(sum, "liveOnly")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(sum, "promoted")->valueint, 1);
	cJSON_Delete(j);
	free(js);
}

static void test_config_precedence(void **state)
{
	struct config c;
	struct err e;
	char path[] = "/tmp/jd-config-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	fputs("# a comment\nresource_group = rg-file\nregistry = fromfile\n"
	      "image = docker.io/library/busybox:1.37.0\n",
	      f);
	fclose(f);
	setenv("JUMPDECK_REGISTRY", "fromenv", 1);
	unsetenv("JUMPDECK_RESOURCE_GROUP");
	assert_int_equal(config_load(&c, path, &e), 0);
	assert_string_equal(config_get(&c, CFG_RESOURCE_GROUP), "rg-file");
	assert_string_equal(config_get(&c, CFG_REGISTRY), "fromenv");
	assert_string_equal(config_get(&c, CFG_LIVE_PREFIX), "live/");
	assert_int_equal(c.nimages, 1);
	assert_int_equal(config_set_flag(&c, CFG_REGISTRY, "fromflag", &e), 0);
	assert_string_equal(config_get(&c, CFG_REGISTRY), "fromflag");
	config_free(&c);
	unsetenv("JUMPDECK_REGISTRY");
	/* Without a file: the walkthrough's six images. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-jd", 1);
	assert_int_equal(config_load(&c, NULL, &e), 0);
	assert_int_equal(c.nimages, 6);
	assert_string_equal(config_get(&c, CFG_RESOURCE_GROUP),
			    "rg-bu0001a0005");
	config_free(&c);
	/* Errors name the file and line. */
	f = fopen(path, "w");
	fputs("registry = x\nbogus = 1\n", f);
	fclose(f);
	assert_true(config_load(&c, path, &e) < 0);
	assert_non_null(strstr(e.msg, ":2: unknown key \"bogus\""));
	config_free(&c);
	assert_true(config_load(&c, "/nonexistent/config", &e) < 0);
	assert_non_null(strstr(e.msg, "cannot read config /nonexistent"));
	config_free(&c);
	unlink(path);
}

/* The preconditions of import and promote, said before any question:
 * every state of the row against both actions, with and without force. */
static void test_row_check(void **state)
{
	struct image_row r;
	struct err e;

	(void)state;
	assert_int_equal(image_row_init(&r, "docker.io/library/busybox:1.33.0",
					"quarantine/", "live/", &e),
			 0);
	/* digests not read yet: nothing can be decided */
	assert_int_equal(image_row_check(&r, IMAGE_IMPORT, 0, &e), -ERR_USAGE);
	assert_non_null(strstr(e.msg, "not known yet"));
	set_copy(&r.upstream, 1, "sha256:up");
	set_copy(&r.quarantine, 0, NULL);
	set_copy(&r.live, 0, NULL);
	/* not imported: import goes, promote is refused at once */
	assert_int_equal(image_row_check(&r, IMAGE_IMPORT, 0, &e), 0);
	assert_int_equal(image_row_check(&r, IMAGE_PROMOTE, 0, &e),
			 -ERR_USAGE);
	assert_non_null(strstr(e.msg, "import it first"));
	/* quarantined with the upstream digest: nothing to import */
	set_copy(&r.quarantine, 1, "sha256:up");
	assert_int_equal(image_row_check(&r, IMAGE_IMPORT, 0, &e), 1);
	assert_non_null(strstr(e.msg, "already in quarantine"));
	assert_int_equal(image_row_check(&r, IMAGE_PROMOTE, 0, &e), 0);
	/* quarantine holds something else: only a forced import */
	set_copy(&r.quarantine, 1, "sha256:other");
	assert_int_equal(image_row_check(&r, IMAGE_IMPORT, 0, &e),
			 -ERR_EXISTS);
	assert_non_null(strstr(e.msg, "force it"));
	assert_int_equal(image_row_check(&r, IMAGE_IMPORT, 1, &e), 0);
	/* promoted: nothing to promote */
	set_copy(&r.live, 1, "sha256:other");
	assert_int_equal(image_row_check(&r, IMAGE_PROMOTE, 0, &e), 1);
	assert_non_null(strstr(e.msg, "already promoted"));
	/* drifted: live/ holds another digest, only a forced promotion */
	set_copy(&r.live, 1, "sha256:drift");
	assert_int_equal(image_row_check(&r, IMAGE_PROMOTE, 0, &e),
			 -ERR_EXISTS);
	assert_non_null(strstr(e.msg, "exists with another digest"));
	assert_int_equal(image_row_check(&r, IMAGE_PROMOTE, 1, &e), 0);
	/* upstream unreachable but quarantine has a copy: nothing to do */
	set_copy(&r.upstream, 0, NULL);
	assert_int_equal(image_row_check(&r, IMAGE_IMPORT, 0, &e), 1);
}

static void test_copy_time(void **state)
{
	struct image_copy_time t;
	char buf[IMAGE_COPY_TIME_LEN];

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(image_copy_time_seconds(&t), -1);
	assert_string_equal(image_copy_time_text(&t, 5000, buf, sizeof(buf)),
			    "none in this session");
	/* 14.4 s, ended 3 minutes before now */
	image_copy_time_record(&t, IMAGE_PROMOTE, 1, 10000, 24400, 1700000000);
	assert_int_equal(t.known, 1);
	assert_int_equal(image_copy_time_seconds(&t), 14);
	assert_int_equal((long long)t.ended_at, 1700000000LL);
	assert_string_equal(
	    image_copy_time_text(&t, 24400 + 180000, buf, sizeof(buf)),
	    "promote, 14 s, 3m ago");
	/* 1.6 s rounds to 2; a failure says so */
	image_copy_time_record(&t, IMAGE_IMPORT, 0, 0, 1600, 1);
	assert_string_equal(image_copy_time_text(&t, 11600, buf, sizeof(buf)),
			    "import failed, 2 s, 10s ago");
	/* a clock that went back: 0 s, never negative */
	image_copy_time_record(&t, IMAGE_IMPORT, 1, 5000, 4000, 1);
	assert_int_equal(image_copy_time_seconds(&t), 0);
	assert_string_equal(image_copy_time_text(&t, 0, buf, sizeof(buf)),
			    "import, 0 s, 0s ago");
	/* a short buffer is cut, still terminated */
	image_copy_time_record(&t, IMAGE_PROMOTE, 1, 0, 1000, 1);
	assert_string_equal(image_copy_time_text(&t, 1000, buf, 8),
			    "promote");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_row_check),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_config_precedence),
		cmocka_unit_test(test_copy_time),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
