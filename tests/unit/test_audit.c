/* test_audit.c - unit tests for the audit trail, XDG paths and atomic file
 * writes. Not a test of who calls audit_append: that is the actions' job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "backend/audit.h"
#include "backend/xdg.h"

#define JWT                                                                   \
	"eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9."                               \
	"eyJhdWQiOiI2ZGFlNDJmOCIsInN1YiI6ImFsaWNlIn0."                        \
	"c2lnbmF0dXJlLWJ5dGVzLWhlcmU"

struct fixture {
	char dir[64];
	char log[128];
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/jd-audit-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->log, sizeof(fx->log), "%s/state/audit.log", fx->dir);
	setenv("JUMPDECK_AUDIT_LOG", fx->log, 1);
	unsetenv("SUDO_USER");
	unsetenv("SSH_CONNECTION");
	unsetenv("SSH_CLIENT");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("JUMPDECK_AUDIT_LOG");
	free(fx);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The lines of path as an array of n strings (without newlines). */
static char **lines_of(const char *path, size_t *n)
{
	char *text = slurp(path), *p = text, *nl;
	char **v = NULL;

	*n = 0;
	for (nl = strchr(p, '\n'); nl; nl = strchr(p, '\n')) {
		v = realloc(v, (*n + 1) * sizeof(*v));
		assert_non_null(v);
		v[(*n)++] = strndup(p, (size_t)(nl - p));
		p = nl + 1;
	}
	free(text);
	return v;
}

static void lines_write(const char *path, char **v, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", v[i]);
	fclose(f);
}

static void lines_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void append_n(const char *path, int count, const char *action)
{
	struct audit_record r = {
	    .identity = "alice@contoso.com",
	    .context = "aks-bu0001a0005",
	    .action = action,
	    .outcome = AUDIT_SUCCEEDED,
	};
	struct err e = {0};
	char target[64];
	int i;

	for (i = 0; i < count; i++) {
		snprintf(target, sizeof(target),
			 "node/aks-npsystem-26621167-vmss%06d", i);
		r.target = target;
		r.outcome = i % 2 ? AUDIT_SUCCEEDED : AUDIT_REQUESTED;
		if (audit_append(path, &r, &e) != 0)
			fail_msg("append: %s", e.msg);
	}
}

static void expect_verify_error(const char *path, const char *want,
				size_t want_ok)
{
	struct err e = {0};
	size_t n = 99;

	assert_int_equal(audit_verify(path, &n, &e), -ERR_CONFLICT);
	if (!strstr(e.msg, want))
		fail_msg("expected \"%s\" in \"%s\"", want, e.msg);
	assert_int_equal(n, want_ok);
}

static void test_append_verify(void **state)
{
	struct fixture *fx = *state;
	struct err e = {0};
	struct stat st;
	size_t n = 0, i;
	char **lines;
	struct passwd *pw = getpwuid(geteuid());

	append_n(NULL, 3, "node.cordon"); /* NULL: $JUMPDECK_AUDIT_LOG */
	assert_int_equal(audit_verify(NULL, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(audit_verify(fx->log, &n, &e), 0);

	assert_int_equal(stat(fx->log, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	lines = lines_of(fx->log, &n);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		cJSON *j = cJSON_Parse(lines[i]);
		const cJSON *origin;

		assert_non_null(j);
		assert_int_equal(cJSON_GetObjectItem(j, "seq")->valuedouble,
				 i + 1);
		assert_string_equal(
		    cJSON_GetObjectItem(j, "user")->valuestring, pw->pw_name);
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "sudo_user")));
		assert_string_equal(
		    cJSON_GetObjectItem(j, "identity")->valuestring,
		    "alice@contoso.com");
		assert_string_equal(
		    cJSON_GetObjectItem(j, "context")->valuestring,
		    "aks-bu0001a0005");
		assert_string_equal(
		    cJSON_GetObjectItem(j, "action")->valuestring,
		    "node.cordon");
		assert_string_equal(
		    cJSON_GetObjectItem(j, "outcome")->valuestring,
		    i % 2 ? "succeeded" : "requested");
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "detail")));
		assert_int_equal(cJSON_GetObjectItem(j, "pid")->valuedouble,
				 getpid());
		origin = cJSON_GetObjectItem(j, "origin");
		assert_true(
		    cJSON_IsString(cJSON_GetObjectItem(origin, "host")));
		assert_true(
		    cJSON_IsNull(cJSON_GetObjectItem(origin, "ssh_client")));
		assert_int_equal(
		    strlen(cJSON_GetObjectItem(j, "time")->valuestring),
		    strlen("2026-11-28T12:00:00.123Z"));
		assert_int_equal(
		    strlen(cJSON_GetObjectItem(j, "hash")->valuestring), 64);
		/* the hash is the last member */
		assert_string_equal(j->child->prev->string, "hash");
		if (i == 0)
			assert_string_equal(
			    cJSON_GetObjectItem(j, "prev")->valuestring,
			    "000000000000000000000000000000000000000000000"
			    "0000000000000000000");
		cJSON_Delete(j);
	}
	/* the first line is exactly hashed as documented */
	{
		char *body = strdup(lines[0]);
		char *h = strstr(body, ",\"hash\":\"");
		unsigned char md[32];
		unsigned int mdlen = 0;
		char hex[65];
		int k;

		assert_non_null(h);
		memcpy(hex, h + 9, 64);
		hex[64] = '\0';
		h[0] = '}';
		h[1] = '\0';
		EVP_Digest(body, strlen(body), md, &mdlen, EVP_sha256(), NULL);
		for (k = 0; k < 32; k++) {
			char two[3];

			snprintf(two, sizeof(two), "%02x", md[k]);
			assert_int_equal(two[0], hex[2 * k]);
			assert_int_equal(two[1], hex[2 * k + 1]);
		}
		free(body);
	}
	lines_free(lines, n);
}

static void test_tamper_field(void **state)
{
	struct fixture *fx = *state;
	char **lines;
	size_t n;
	char *p;

	append_n(fx->log, 9, "node.cordon");
	lines = lines_of(fx->log, &n);
	p = strstr(lines[6], "\"requested\"");
	assert_non_null(p);
	memcpy(p, "\"failed\"   ", 11); /* same length, different content */
	lines_write(fx->log, lines, n);
	expect_verify_error(fx->log,
			    "line 7: hash does not match its content "
			    "(record changed?)",
			    6);
	lines_free(lines, n);
}

static void test_tamper_and_rehash(void **state)
{
	struct fixture *fx = *state;
	char **lines;
	size_t n;
	char *p, *body;
	unsigned char md[32];
	unsigned int mdlen;
	int k;

	append_n(fx->log, 4, "image.promote");
	lines = lines_of(fx->log, &n);
	/* change line 2 and give it a correct new hash */
	p = strstr(lines[1], "image.promote");
	memcpy(p, "image.PROMOTE", 13);
	p = strstr(lines[1], ",\"hash\":\"");
	body = strndup(lines[1], (size_t)(p - lines[1]) + 1);
	body[p - lines[1]] = '}';
	EVP_Digest(body, strlen(body), md, &mdlen, EVP_sha256(), NULL);
	for (k = 0; k < 32; k++) {
		char two[3];

		snprintf(two, sizeof(two), "%02x", md[k]);
		memcpy(p + 9 + 2 * k, two, 2);
	}
	free(body);
	lines_write(fx->log, lines, n);
	expect_verify_error(fx->log, "line 3: prev does not match line 2", 2);
	lines_free(lines, n);
}

static void test_delete_middle(void **state)
{
	struct fixture *fx = *state;
	char **lines;
	size_t n;

	append_n(fx->log, 9, "node.cordon");
	lines = lines_of(fx->log, &n);
	free(lines[7]);
	memmove(&lines[7], &lines[8], sizeof(*lines));
	n--;
	lines_write(fx->log, lines, n);
	expect_verify_error(fx->log,
			    "line 8: prev does not match line 7 "
			    "(record removed or reordered?)",
			    7);
	lines_free(lines, n);
}

static void test_reorder_and_delete_first(void **state)
{
	struct fixture *fx = *state;
	char **lines;
	char *tmp;
	size_t n;

	append_n(fx->log, 4, "flux.reconcile");
	lines = lines_of(fx->log, &n);
	tmp = lines[1];
	lines[1] = lines[2];
	lines[2] = tmp;
	lines_write(fx->log, lines, n);
	expect_verify_error(fx->log, "line 2: prev does not match line 1", 1);

	lines_write(fx->log, lines + 2, n - 2);
	expect_verify_error(fx->log,
			    "line 1: prev is not the start of a chain", 0);
	lines_free(lines, n);
}

static void test_partial_and_garbage(void **state)
{
	struct fixture *fx = *state;
	struct audit_record r = {.action = "node.cordon"};
	struct err e = {0};
	char *text;
	FILE *f;

	append_n(fx->log, 2, "node.cordon");
	text = slurp(fx->log);
	f = fopen(fx->log, "ab");
	fputs("{\"time\":\"2026-", f);
	fclose(f);
	expect_verify_error(fx->log, "line 3: incomplete", 2);
	/* append refuses to build on a torn line */
	assert_int_equal(audit_append(fx->log, &r, &e), -ERR_IO);
	assert_non_null(strstr(e.msg, "incomplete line"));

	spit(fx->log, text);
	f = fopen(fx->log, "ab");
	fputs("not json\n", f);
	fclose(f);
	expect_verify_error(fx->log, "line 3: not a JSON record", 2);
	assert_int_equal(audit_append(fx->log, &r, &e), -ERR_PARSE);
	free(text);
}

static void test_errors(void **state)
{
	struct fixture *fx = *state;
	struct audit_record r = {.action = NULL};
	struct err e = {0};
	char path[160];
	size_t n = 5;

	assert_int_equal(audit_append(fx->log, &r, &e), -ERR_USAGE);
	assert_int_equal(audit_append(fx->log, NULL, &e), -ERR_USAGE);
	snprintf(path, sizeof(path), "%s/missing.log", fx->dir);
	assert_int_equal(audit_verify(path, &n, &e), -ERR_NOTFOUND);
	assert_int_equal(n, 0);
	assert_non_null(strstr(e.msg, "missing.log"));
	assert_string_equal(audit_outcome_name(AUDIT_REFUSED), "refused");
	assert_string_equal(audit_outcome_name(AUDIT_FAILED), "failed");
}

static void test_concurrent(void **state)
{
	struct fixture *fx = *state;
	struct err e = {0};
	pid_t kids[3];
	size_t n = 0;
	int i, status;

	append_n(fx->log, 1, "audit.start"); /* creates the directory */
	for (i = 0; i < 3; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			struct audit_record r = {.action = "node.cordon",
						 .target = "node/x"};
			struct err ce = {0};
			int k;

			for (k = 0; k < 40; k++)
				if (audit_append(fx->log, &r, &ce) != 0)
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	if (audit_verify(fx->log, &n, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(n, 121);
}

static void test_redaction(void **state)
{
	struct fixture *fx = *state;
	struct audit_record r = {
	    .action = "kube.login",
	    .target = "cluster/aks Bearer abcdefghijklmnopqrstuvwx",
	    .outcome = AUDIT_FAILED,
	    .detail = "token " JWT " rejected; header "
		      "authorization: bearer " JWT "; eyJ alone stays; "
		      "ctl \x1b[2J\x07 bidi \xe2\x80\xae bad \xff end",
	};
	struct err e = {0};
	struct audit_entry *v = NULL;
	size_t n = 0;
	char *text;

	assert_int_equal(audit_append(fx->log, &r, &e), 0);
	text = slurp(fx->log);
	assert_null(strstr(text, "eyJhbGci"));
	assert_null(strstr(text, "abcdefghijkl"));
	assert_null(strchr(text, 0x1b));
	assert_null(strchr(text, 0x07));
	assert_null(strstr(text, "\xe2\x80\xae"));
	assert_non_null(strstr(text, "\\u001b[2J\\u0007"));
	assert_non_null(strstr(text, "\\u202e"));
	assert_non_null(strstr(text, "\\ufffd"));
	free(text);
	assert_int_equal(audit_verify(fx->log, NULL, &e), 0);

	assert_int_equal(audit_read_tail(fx->log, 5, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].target, "cluster/aks Bearer [redacted]");
	assert_non_null(strstr(v[0].detail,
			       "token [redacted] rejected; header "
			       "authorization: bearer [redacted]; eyJ alone "
			       "stays;"));
	assert_string_equal(v[0].outcome, "failed");
	audit_entries_free(&v, n);
	assert_null(v);
}

static void test_long_detail(void **state)
{
	struct fixture *fx = *state;
	char *big = malloc(5001);
	struct audit_record r = {.action = "scan.import", .detail = big};
	struct err e = {0};
	struct audit_entry *v = NULL;
	size_t n;

	assert_non_null(big);
	memset(big, 'x', 5000);
	memcpy(big + 1023, "\xc3\xa9", 2); /* a character across the cut */
	big[5000] = '\0';
	assert_int_equal(audit_append(fx->log, &r, &e), 0);
	assert_int_equal(audit_verify(fx->log, NULL, &e), 0);
	assert_int_equal(audit_read_tail(fx->log, 1, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(v[0].detail), 1023 + strlen("...[truncated]"));
	audit_entries_free(&v, n);
	free(big);
}

static void test_sudo_and_ssh(void **state)
{
	struct fixture *fx = *state;
	struct audit_record r = {.action = "node.uncordon"};
	struct err e = {0};
	struct audit_entry *v = NULL;
	size_t n;

	setenv("SUDO_USER", "alice", 1);
	setenv("SSH_CONNECTION", "10.200.0.7 53422 10.200.0.4 22", 1);
	assert_int_equal(audit_append(fx->log, &r, &e), 0);
	unsetenv("SSH_CONNECTION");
	setenv("SSH_CLIENT", "fe80::1%eth0 41000 22", 1);
	assert_int_equal(audit_append(fx->log, &r, &e), 0);
	setenv("SSH_CLIENT", "$(reboot) 1 22", 1);
	unsetenv("SUDO_USER");
	assert_int_equal(audit_append(fx->log, &r, &e), 0);
	unsetenv("SSH_CLIENT");

	assert_int_equal(audit_read_tail(fx->log, 10, &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].sudo_user, "alice");
	assert_string_equal(v[0].ssh_client, "10.200.0.7");
	assert_non_null(v[0].host);
	assert_string_equal(v[1].ssh_client, "fe80::1%eth0");
	assert_null(v[2].ssh_client);
	assert_null(v[2].sudo_user);
	assert_null(v[2].identity);
	assert_null(v[2].target);
	assert_string_equal(v[2].outcome, "requested");
	audit_entries_free(&v, n);
}

static void test_read_tail(void **state)
{
	struct fixture *fx = *state;
	struct err e = {0};
	struct audit_entry *v = NULL;
	char path[160];
	size_t n = 7;

	snprintf(path, sizeof(path), "%s/none.log", fx->dir);
	assert_int_equal(audit_read_tail(path, 10, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(v);

	append_n(NULL, 5, "image.import");
	assert_int_equal(audit_read_tail(NULL, 3, &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].seq, 3);
	assert_int_equal(v[2].seq, 5);
	assert_string_equal(v[2].action, "image.import");
	assert_string_equal(v[2].target,
			    "node/aks-npsystem-26621167-vmss000004");
	assert_string_equal(v[2].context, "aks-bu0001a0005");
	assert_int_equal(v[2].pid, getpid());
	assert_true(v[2].when > 0);
	assert_non_null(v[2].time);
	audit_entries_free(&v, n);

	assert_int_equal(audit_read_tail(NULL, 50, &v, &n, &e), 0);
	assert_int_equal(n, 5);
	assert_int_equal(v[0].seq, 1);
	audit_entries_free(&v, n);

	assert_int_equal(audit_read_tail(NULL, 0, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

/* The tail across reads: lines longer than the read chunk, a partial
 * line at the end (not returned), a file that is only a partial line. */
static void test_read_tail_long_lines(void **state)
{
	struct fixture *fx = *state;
	struct err e = {0};
	struct audit_entry *v = NULL;
	char path[160];
	size_t n = 0, big = 200000;
	char *pad = malloc(big + 1);
	FILE *f;

	assert_non_null(pad);
	memset(pad, 'p', big);
	pad[big] = '\0';
	snprintf(path, sizeof(path), "%s/long.log", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"seq\":1,\"action\":\"a\"}\n");
	fprintf(f, "{\"seq\":2,\"action\":\"b\",\"pad\":\"%s\"}\n", pad);
	fprintf(f, "{\"seq\":3,\"action\":\"c\"}\n");
	fprintf(f, "{\"seq\":4,\"action\":\"partial\",\"pad\":\"%s", pad);
	fclose(f);
	assert_int_equal(audit_read_tail(path, 2, &v, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].action, "b");
	assert_string_equal(v[1].action, "c");
	audit_entries_free(&v, n);
	assert_int_equal(audit_read_tail(path, 1, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].action, "c");
	audit_entries_free(&v, n);
	assert_int_equal(audit_read_tail(path, 9, &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].action, "a");
	audit_entries_free(&v, n);

	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"seq\":1,\"action\":\"partial\",\"pad\":\"%s", pad);
	fclose(f);
	assert_int_equal(audit_read_tail(path, 3, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	free(pad);
}

/* An existing log open to others is made 0600 before the record goes in;
 * a symbolic link is not followed and a FIFO is not opened, by the
 * writer, the verifier or the reader of the tail. */
static void test_hardening(void **state)
{
	struct fixture *fx = *state;
	struct err e = {0};
	struct audit_entry *v = NULL;
	struct audit_record r = {0};
	struct stat st;
	char link[160], fifo[160], *before, *after;
	size_t n = 0;

	append_n(NULL, 1, "node.cordon");
	assert_int_equal(chmod(fx->log, 0644), 0);
	append_n(NULL, 1, "node.cordon");
	assert_int_equal(stat(fx->log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	snprintf(link, sizeof(link), "%s/link.log", fx->dir);
	assert_int_equal(symlink(fx->log, link), 0);
	before = slurp(fx->log);
	r.action = "node.cordon";
	r.outcome = AUDIT_REQUESTED;
	assert_int_equal(audit_append(link, &r, &e), -ERR_IO);
	assert_non_null(strstr(e.msg, "symbolic link"));
	after = slurp(fx->log);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(audit_verify(link, NULL, &e), -ERR_IO);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(audit_read_tail(link, 5, &v, &n, &e), -ERR_IO);
	assert_int_equal(n, 0);

	snprintf(fifo, sizeof(fifo), "%s/fifo.log", fx->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(audit_append(fifo, &r, &e), -ERR_IO);
	assert_non_null(strstr(e.msg, "not a regular file"));
	assert_int_equal(audit_verify(fifo, NULL, &e), -ERR_IO);
	assert_int_equal(audit_read_tail(fifo, 5, &v, &n, &e), -ERR_IO);
}

static void test_xdg_paths(void **state)
{
	char *p;

	(void)state;
	setenv("HOME", "/home/tester", 1);
	setenv("XDG_STATE_HOME", "/srv/state", 1);
	setenv("XDG_CONFIG_HOME", "/srv/config", 1);
	p = xdg_state_path("audit.log");
	assert_string_equal(p, "/srv/state/jumpdeck/audit.log");
	free(p);
	p = xdg_config_path("config.yaml");
	assert_string_equal(p, "/srv/config/jumpdeck/config.yaml");
	free(p);
	p = xdg_config_path(NULL);
	assert_string_equal(p, "/srv/config/jumpdeck");
	free(p);

	/* relative values are ignored */
	setenv("XDG_STATE_HOME", "rel/state", 1);
	setenv("XDG_CONFIG_HOME", "", 1);
	p = xdg_state_path("audit.log");
	assert_string_equal(p, "/home/tester/.local/state/jumpdeck/audit.log");
	free(p);
	p = xdg_config_path("themes");
	assert_string_equal(p, "/home/tester/.config/jumpdeck/themes");
	free(p);
	unsetenv("XDG_STATE_HOME");
	p = xdg_state_path("");
	assert_string_equal(p, "/home/tester/.local/state/jumpdeck");
	free(p);

	/* the audit log follows: env var first, then XDG */
	unsetenv("JUMPDECK_AUDIT_LOG");
	p = audit_default_path();
	assert_string_equal(p, "/home/tester/.local/state/jumpdeck/audit.log");
	free(p);
	setenv("JUMPDECK_AUDIT_LOG", "/var/log/jd.log", 1);
	p = audit_default_path();
	assert_string_equal(p, "/var/log/jd.log");
	free(p);

	/* a relative HOME falls back to the password database */
	setenv("HOME", "not/absolute", 1);
	p = xdg_config_path("x");
	assert_non_null(p);
	assert_int_equal(p[0], '/');
	free(p);
	unsetenv("XDG_CONFIG_HOME");
}

static void test_mkdirs(void **state)
{
	struct fixture *fx = *state;
	struct err e = {0};
	char path[200], dir[200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c/file.txt", fx->dir);
	assert_int_equal(xdg_mkdirs(path, &e), 0);
	snprintf(dir, sizeof(dir), "%s/a/b/c", fx->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(xdg_mkdirs(path, &e), 0); /* again: fine */
	assert_int_equal(xdg_mkdirs("file-here", &e), 0);

	/* a file in the way */
	snprintf(path, sizeof(path), "%s/a/b/c/file.txt", fx->dir);
	spit(path, "x");
	snprintf(path, sizeof(path), "%s/a/b/c/file.txt/sub/f", fx->dir);
	assert_int_equal(xdg_mkdirs(path, &e), -ERR_IO);
	assert_non_null(strstr(e.msg, "file.txt"));
}

static void test_write_file_atomic(void **state)
{
	struct fixture *fx = *state;
	struct err e = {0};
	char path[200];
	struct stat st;
	char *text;
	FILE *ls;
	char cmd[256], line[256];
	int entries = 0;

	snprintf(path, sizeof(path), "%s/config.yaml", fx->dir);
	assert_int_equal(
	    write_file_atomic(path, "theme: dark\nlong line\n", 22, 0640, &e),
	    0);
	text = slurp(path);
	assert_string_equal(text, "theme: dark\nlong line\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	assert_int_equal(write_file_atomic(path, "x\n", 2, 0600, &e), 0);
	text = slurp(path);
	assert_string_equal(text, "x\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(write_file_atomic(path, "", 0, 0600, &e), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);

	/* no temporary files are left behind */
	snprintf(cmd, sizeof(cmd), "ls -A %s", fx->dir);
	ls = popen(cmd, "r");
	assert_non_null(ls);
	while (fgets(line, sizeof(line), ls)) {
		assert_null(strstr(line, ".tmp."));
		entries++;
	}
	pclose(ls);
	assert_int_equal(entries, 1);

	/* a missing directory fails cleanly */
	snprintf(path, sizeof(path), "%s/nope/config.yaml", fx->dir);
	assert_int_equal(write_file_atomic(path, "x", 1, 0600, &e), -ERR_IO);
	assert_non_null(strstr(e.msg, "nope/config.yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_append_verify, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_field, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_and_rehash, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_delete_middle, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reorder_and_delete_first,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_and_garbage, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_redaction, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_detail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sudo_and_ssh, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_read_tail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_tail_long_lines, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_hardening, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_xdg_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_file_atomic, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
