/* test_strbuf.c - unit tests for the growable string: appending, growth,
 * percent-encoding, form fields, taking, whole files. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/strbuf.h"

static void test_empty(void **state)
{
	struct strbuf b = {0};
	char *s;

	(void)state;
	assert_null(b.p);
	assert_string_equal(strbuf_str(&b), "");
	strbuf_add(&b, NULL);
	strbuf_add_pct(&b, NULL);
	assert_int_equal(b.len, 0);
	s = strbuf_take(&b);
	assert_string_equal(s, "");
	free(s);
	strbuf_free(&b);
	/* Adding nothing still gives a string, as readers of p expect. */
	strbuf_addn(&b, "", 0);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	strbuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_append_and_grow(void **state)
{
	struct strbuf b = {0};
	char want[10001];
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		char c = (char)('a' + i % 26);

		strbuf_addn(&b, &c, 1);
		want[i] = c;
	}
	want[10000] = '\0';
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	assert_string_equal(b.p, want);
	strbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(strbuf_str(&b), "");
	strbuf_add(&b, "one");
	strbuf_addf(&b, " %d %s", 2, "three");
	strbuf_addf(&b, "%s", "");
	assert_string_equal(b.p, "one 2 three");
	assert_int_equal(b.len, strlen("one 2 three"));
	strbuf_free(&b);
}

/* strbuf_addn_max: appends up to the cap and not a byte past it, even
 * when len + n would wrap around. */
static void test_addn_max(void **state)
{
	struct strbuf b = {0};

	(void)state;
	assert_int_equal(strbuf_addn_max(&b, "abc", 3, 5), 0);
	assert_int_equal(strbuf_addn_max(&b, "de", 2, 5), 0);
	assert_string_equal(strbuf_str(&b), "abcde");
	assert_int_equal(strbuf_addn_max(&b, "f", 1, 5), -1);
	assert_int_equal(b.len, 5);
	assert_string_equal(strbuf_str(&b), "abcde");
	assert_int_equal(strbuf_addn_max(&b, "", 0, 5), 0);
	assert_int_equal(strbuf_addn_max(&b, "g", (size_t)-1, 5), -1);
	assert_int_equal(strbuf_addn_max(&b, "g", 1, 3), -1);
	assert_int_equal(b.len, 5);
	strbuf_free(&b);
}

static void test_embedded_nul(void **state)
{
	struct strbuf b = {0};

	(void)state;
	strbuf_addn(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.p, "a\0b", 4);
	strbuf_free(&b);
}

static void test_long_format(void **state)
{
	struct strbuf b = {0};
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_add(&b, "<");
	strbuf_addf(&b, "%s>", big);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(b.p[0], '<');
	assert_int_equal(b.p[b.len - 1], '>');
	assert_int_equal(b.p[b.len], '\0');
	strbuf_free(&b);
}

static void test_pct(void **state)
{
	struct strbuf b = {0};

	(void)state;
	strbuf_add_pct(&b, "AZaz09-._~");
	assert_string_equal(b.p, "AZaz09-._~");
	strbuf_reset(&b);
	strbuf_add_pct(&b, "a b/c:d?e&f=g+h%");
	assert_string_equal(b.p, "a%20b%2Fc%3Ad%3Fe%26f%3Dg%2Bh%25");
	strbuf_reset(&b);
	/* UTF-8 bytes, one %XX each, upper-case hex */
	strbuf_add_pct(&b, "\xc3\xa9\xff");
	assert_string_equal(b.p, "%C3%A9%FF");
	strbuf_free(&b);
}

static void test_form(void **state)
{
	struct strbuf b = {0};

	(void)state;
	strbuf_add_form(&b, "grant_type", "refresh_token");
	strbuf_add_form(&b, "scope", "repository:a/b:pull,push");
	strbuf_add_form(&b, "x y", "");
	assert_string_equal(b.p, "grant_type=refresh_token&scope="
				 "repository%3Aa%2Fb%3Apull%2Cpush&x%20y=");
	strbuf_free(&b);
}

static void test_take(void **state)
{
	struct strbuf b = {.secret = 1};
	char *s;

	(void)state;
	strbuf_add(&b, "secret-");
	strbuf_add(&b, "token-that-is-long-enough-to-grow-the-buffer-twice"
		       "-over-and-more-than-sixty-four-bytes");
	s = strbuf_take(&b);
	assert_string_equal(s, "secret-token-that-is-long-enough-to-grow-"
			       "the-buffer-twice-over-and-more-than-sixty-"
			       "four-bytes");
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.secret, 1);
	free(s);
	strbuf_add(&b, "again");
	assert_string_equal(b.p, "again");
	strbuf_reset(&b);
	assert_string_equal(b.p, "");
	strbuf_free(&b);
}

static char *temp_file(const char *content, size_t n)
{
	char *path = strdup("/tmp/jd-strbuf.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	close(fd);
	return path;
}

static void test_read_file(void **state)
{
	struct strbuf b = {0};
	char big[10000];
	char *path;

	(void)state;
	memset(big, 'q', sizeof(big));
	path = temp_file(big, sizeof(big));
	strbuf_add(&b, "head:");
	assert_int_equal(strbuf_read_file(&b, path, sizeof(big)), 0);
	assert_int_equal(b.len, 5 + sizeof(big));
	assert_memory_equal(b.p + 5, big, sizeof(big));
	assert_int_equal(b.p[b.len], '\0');
	/* One byte over the limit: refused, and b is as it was. */
	assert_int_equal(strbuf_read_file(&b, path, sizeof(big) - 1), EFBIG);
	assert_int_equal(b.len, 5 + sizeof(big));
	strbuf_reset(&b);
	strbuf_add(&b, "kept");
	assert_int_equal(strbuf_read_file(&b, "/nonexistent/file", 100),
			 ENOENT);
	assert_string_equal(b.p, "kept");
	/* A directory, a device that never ends and a FIFO nobody writes
	 * to (which would block for ever): refused at once, b as it was. */
	assert_int_equal(strbuf_read_file(&b, "/", 100), STRBUF_NOT_REGULAR);
	assert_int_equal(strbuf_read_file(&b, "/dev/zero", SIZE_MAX),
			 STRBUF_NOT_REGULAR);
	{
		char dir[] = "/tmp/jd-strbuf-fifo.XXXXXX", f[64];

		assert_non_null(mkdtemp(dir));
		snprintf(f, sizeof(f), "%s/f", dir);
		assert_int_equal(mkfifo(f, 0600), 0);
		assert_int_equal(strbuf_read_file(&b, f, 100),
				 STRBUF_NOT_REGULAR);
		unlink(f);
		rmdir(dir);
	}
	assert_string_equal(b.p, "kept");
	assert_non_null(strstr(strbuf_file_error(STRBUF_NOT_REGULAR),
			       "not a regular file"));
	assert_string_equal(strbuf_file_error(ENOENT), strerror(ENOENT));
	unlink(path);
	free(path);
	strbuf_free(&b);

	path = temp_file("", 0);
	assert_int_equal(strbuf_read_file(&b, path, 10), 0);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	unlink(path);
	free(path);
	strbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_append_and_grow),
	    cmocka_unit_test(test_addn_max),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_long_format),
	    cmocka_unit_test(test_pct),
	    cmocka_unit_test(test_form),
	    cmocka_unit_test(test_take),
	    cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
