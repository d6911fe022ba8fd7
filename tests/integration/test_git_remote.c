/* test_git_remote.c - integration tests of git_remote against real git
 * over HTTPS (http-backend) and SSH (sshd) from tests/sim/gitserve.py.
 * Each test drives the real event loop; nothing leaves this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/git_remote.h"
#include "backend/http.h"
#include "backend/loop.h"
#include "backend/proc.h"

#define WAIT_MS 20000 /* the longest any one call may take */

struct gitworld {
	char top[512];
	char dir[600];
	char gitserve[600];
	char https_url[256];
	char private_url[256];
	char https_base[256];
	char ssh_url[1024];
	char ssh_base[256];
	char repo[700];
	char password[128];
	char *ca;
	size_t ca_len;
	char *client_key;
	char *client_key_rsa;
	char *unauthorized_key;
	char *known_hosts;
	char *known_hosts_wrong;
	char *known_hosts_hashed;
};

static struct gitworld W;
static struct loop *L;

/* ---- the world ------------------------------------------------------- */

static char *read_file(const char *dir, const char *leaf, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	for (;;) {
		if (n + 4097 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		r = fread(buf + n, 1, 4096, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The first line of DIR/leaf into buf; 0 when it was there. */
static int read_line(const char *leaf, char *buf, size_t sz)
{
	char *s = read_file(W.dir, leaf, NULL);

	if (!s)
		return -1;
	s[strcspn(s, "\r\n")] = '\0';
	snprintf(buf, sz, "%s", s);
	free(s);
	return 0;
}

/* Runs argv; the first line of its stdout into out (may be NULL). */
static int run(const char *const argv[], char *out, size_t sz)
{
	char *text = NULL;
	size_t len = 0;
	int code = -1;
	struct err e;

	err_clear(&e);
	if (proc_run_foreground(argv, NULL, &text, &len, &code, &e) < 0) {
		fprintf(stderr, "gitworld: %s\n", e.msg);
		return -1;
	}
	if (out && sz) {
		text[strcspn(text, "\r\n")] = '\0';
		snprintf(out, sz, "%s", text);
	}
	free(text);
	if (code != 0)
		fprintf(stderr, "gitworld: %s %s exited %d\n", argv[0],
			argv[1], code);
	return code == 0 ? 0 : -1;
}

static int gitserve(const char *cmd, char *out, size_t sz)
{
	const char *argv[] = {"python3", W.gitserve, cmd,
			      "--dir",	 W.dir,	     NULL};

	return run(argv, out, sz);
}

static void rev_parse(const char *rev, char *out, size_t sz)
{
	const char *argv[] = {"git",	   "--git-dir", W.repo,
			      "rev-parse", rev,		NULL};

	assert_int_equal(run(argv, out, sz), 0);
	assert_int_equal(strlen(out), 40);
}

/* "256 SHA256:... comment (ED25519)" -> "SHA256:..." */
static void key_fp(const char *pub, char *out, size_t sz)
{
	char path[1024], line[512];
	const char *argv[] = {"ssh-keygen", "-lf", path, NULL};
	char *sp, *end;

	snprintf(path, sizeof(path), "%s/%s", W.dir, pub);
	assert_int_equal(run(argv, line, sizeof(line)), 0);
	sp = strchr(line, ' ');
	assert_non_null(sp);
	end = strchr(sp + 1, ' ');
	if (end)
		*end = '\0';
	snprintf(out, sz, "%s", sp + 1);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int world_up(void)
{
	const char *src = getenv("JD_SRCDIR");
	const char *tmp = getenv("TMPDIR");

	memset(&W, 0, sizeof(W));
	snprintf(W.gitserve, sizeof(W.gitserve), "%s/tests/sim/gitserve.py",
		 src && *src ? src : ".");
	snprintf(W.top, sizeof(W.top), "%s/jd-git.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(W.top))
		return -1;
	snprintf(W.dir, sizeof(W.dir), "%s/git", W.top);
	if (gitserve("up", NULL, 0) < 0)
		return -1;
	if (read_line("https_url", W.https_url, sizeof(W.https_url)) < 0 ||
	    read_line("https_private_url", W.private_url,
		      sizeof(W.private_url)) < 0 ||
	    read_line("https_base", W.https_base, sizeof(W.https_base)) < 0 ||
	    read_line("ssh_url", W.ssh_url, sizeof(W.ssh_url)) < 0 ||
	    read_line("ssh_base", W.ssh_base, sizeof(W.ssh_base)) < 0 ||
	    read_line("repo", W.repo, sizeof(W.repo)) < 0 ||
	    read_line("https_password", W.password, sizeof(W.password)) < 0)
		return -1;
	W.ca = read_file(W.dir, "ca.crt", &W.ca_len);
	W.client_key = read_file(W.dir, "client_key", NULL);
	W.client_key_rsa = read_file(W.dir, "client_key_rsa_pem", NULL);
	W.unauthorized_key = read_file(W.dir, "unauthorized_key", NULL);
	W.known_hosts = read_file(W.dir, "known_hosts", NULL);
	W.known_hosts_wrong = read_file(W.dir, "known_hosts_wrong", NULL);
	W.known_hosts_hashed = read_file(W.dir, "known_hosts_hashed", NULL);
	if (!W.ca || !W.client_key || !W.client_key_rsa ||
	    !W.unauthorized_key || !W.known_hosts || !W.known_hosts_wrong ||
	    !W.known_hosts_hashed)
		return -1;
	return 0;
}

static void world_down(void)
{
	if (!W.top[0])
		return;
	gitserve("down", NULL, 0);
	nftw(W.top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(W.ca);
	free(W.client_key);
	free(W.client_key_rsa);
	free(W.unauthorized_key);
	free(W.known_hosts);
	free(W.known_hosts_wrong);
	free(W.known_hosts_hashed);
	memset(&W, 0, sizeof(W));
}

/* A loopback port nobody listens on. */
static int closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* ---- calling git_remote ----------------------------------------------- */

struct outcome {
	int done;
	int calls;
	struct git_remote_result r;
};

static void on_done(const struct git_remote_result *r, void *ud)
{
	struct outcome *o = ud;

	o->done = 1;
	o->calls++;
	o->r = *r;
}

static int wait_done(struct outcome *o, long ms)
{
	long long end = loop_now_ms() + ms;

	while (!o->done) {
		long long left = end - loop_now_ms();

		if (left <= 0)
			return 0;
		loop_run_once(L, left > 100 ? 100 : (long)left);
	}
	return 1;
}

static void wait_workers(void)
{
	long long end = loop_now_ms() + WAIT_MS;

	while (git_remote_workers() > 0 && loop_now_ms() < end)
		loop_run_once(L, 20);
	assert_int_equal(git_remote_workers(), 0);
}

static void call(const struct git_remote_opts *o, struct outcome *out)
{
	struct git_remote_call *c;
	struct err e;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	c = git_remote_head(L, o, on_done, out, &e);
	if (!c)
		fprintf(stderr, "git_remote_head: %s\n", e.msg);
	assert_non_null(c);
	assert_true(wait_done(out, WAIT_MS));
	assert_int_equal(out->calls, 1);
	if (!out->r.ok)
		printf("  (sentence: %s)\n", out->r.err.msg);
}

static void https_opts(struct git_remote_opts *o, const char *url,
		       const char *ref)
{
	memset(o, 0, sizeof(*o));
	o->url = url;
	o->ref = ref;
	o->ca = (const unsigned char *)W.ca;
	o->ca_len = W.ca_len;
	o->timeout_ms = 15000;
}

static void ssh_opts(struct git_remote_opts *o, const char *ref,
		     const char *identity, const char *known_hosts)
{
	memset(o, 0, sizeof(*o));
	o->url = W.ssh_url;
	o->ref = ref;
	o->identity = identity;
	o->known_hosts = known_hosts;
	o->timeout_ms = 15000;
}

/* ---- HTTPS ------------------------------------------------------------ */

static void test_https_main(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char want[64], url[300];

	(void)state;
	rev_parse("main", want, sizeof(want));
	https_opts(&o, W.https_url, "main");
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
	assert_string_equal(out.r.resolved_ref, "refs/heads/main");
	assert_string_equal(out.r.presented_fp, "");

	/* HEAD, and the same URL with a trailing slash. */
	snprintf(url, sizeof(url), "%s/", W.https_url);
	https_opts(&o, url, NULL);
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
	assert_string_equal(out.r.resolved_ref, "refs/heads/main");
}

static void test_https_follows_new_commit(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char before[72], pushed[64], want[64];

	(void)state;
	https_opts(&o, W.https_url, "main");
	call(&o, &out);
	assert_true(out.r.ok);
	snprintf(before, sizeof(before), "%s", out.r.sha);
	assert_int_equal(gitserve("commit", pushed, sizeof(pushed)), 0);
	rev_parse("main", want, sizeof(want));
	assert_string_equal(pushed, want);
	assert_string_not_equal(before, want);
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
}

static void test_https_tags(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char want[64], tag_obj[64];

	(void)state;
	rev_parse("v1.0^{commit}", want, sizeof(want));
	rev_parse("v1.0", tag_obj, sizeof(tag_obj));
	assert_string_not_equal(want, tag_obj); /* it is annotated */
	https_opts(&o, W.https_url, "v1.0");
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
	assert_string_equal(out.r.resolved_ref, "refs/tags/v1.0");

	https_opts(&o, W.https_url, "refs/tags/v0.9");
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
}

static void test_https_ref_not_found(void **state)
{
	struct git_remote_opts o;
	struct outcome out;

	(void)state;
	https_opts(&o, W.https_url, "release");
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_NOTFOUND);
	assert_string_equal(out.r.err.msg,
			    "ref release not found on the remote (it has: "
			    "develop, main, v0.9, v1.0)");
}

static void test_https_basic_auth(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char want[64], msg[512];

	(void)state;
	rev_parse("main", want, sizeof(want));
	https_opts(&o, W.private_url, "main");
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_AUTH);
	snprintf(msg, sizeof(msg), "%s: authentication required (HTTP 401)",
		 W.private_url);
	assert_string_equal(out.r.err.msg, msg);

	o.username = "flux";
	o.password = "not-the-password";
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_AUTH);
	assert_non_null(strstr(out.r.err.msg, "authentication failed "
					      "(HTTP 401)"));
	assert_null(strstr(out.r.err.msg, "not-the-password"));

	o.password = W.password;
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
}

static void test_https_redirect(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char url[300], want[64];

	(void)state;
	rev_parse("main", want, sizeof(want));
	snprintf(url, sizeof(url), "%s/redirect/demo.git", W.https_base);
	https_opts(&o, url, "main");
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
}

static void test_https_failures(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char url[300], msg[512];
	int port = closed_port();

	(void)state;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/git/demo.git", port);
	https_opts(&o, url, "main");
	call(&o, &out);
	assert_false(out.r.ok);
	snprintf(msg, sizeof(msg),
		 "cannot reach https://127.0.0.1:%d: connection refused",
		 port);
	assert_string_equal(out.r.err.msg, msg);

	/* A repository the server does not have. */
	snprintf(url, sizeof(url), "%s/git/nope.git", W.https_base);
	https_opts(&o, url, "main");
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_NOTFOUND);
	assert_non_null(strstr(out.r.err.msg, "repository not found"));

	/* Without the test CA the certificate is not trusted. */
	https_opts(&o, W.https_url, "main");
	o.ca = NULL;
	o.ca_len = 0;
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_NET);
	assert_non_null(strstr(out.r.err.msg, "cannot reach https://"));

	/* An empty repository has nothing to point at. */
	snprintf(url, sizeof(url), "%s/git/empty.git", W.https_base);
	https_opts(&o, url, NULL);
	call(&o, &out);
	assert_false(out.r.ok);
	assert_string_equal(out.r.err.msg, "the remote repository is empty");
}

static void test_bad_urls(void **state)
{
	static const char *const bad[] = {"ftp://example.com/repo.git",
					  "/local/path.git",
					  "host:",
					  "ssh://host",
					  "ssh://host:99999/x",
					  "ssh://[::1/x"};
	struct git_remote_opts o;
	struct outcome out;
	struct err e;
	size_t i;

	(void)state;
	memset(&out, 0, sizeof(out));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.url = bad[i];
		err_clear(&e);
		assert_null(git_remote_head(L, &o, on_done, &out, &e));
		assert_int_equal(e.code, ERR_USAGE);
		assert_non_null(strstr(e.msg, "cannot use the Git URL"));
	}
	loop_run_once(L, 0);
	assert_int_equal(out.calls, 0);
}

/* ---- SSH -------------------------------------------------------------- */

static void test_ssh_main(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char want[64], fp[128];

	(void)state;
	rev_parse("main", want, sizeof(want));
	key_fp("ssh_host_ed25519_key.pub", fp, sizeof(fp));
	ssh_opts(&o, "main", W.client_key, W.known_hosts);
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
	assert_string_equal(out.r.resolved_ref, "refs/heads/main");
	assert_string_equal(out.r.presented_fp, fp);
	assert_false(out.r.host_key_mismatch);

	/* HEAD with a PEM RSA key and a hashed known_hosts line. */
	ssh_opts(&o, NULL, W.client_key_rsa, W.known_hosts_hashed);
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);
	assert_string_equal(out.r.resolved_ref, "refs/heads/main");
	wait_workers();
}

static void test_ssh_follows_new_commit_and_tags(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char pushed[64], want[64];

	(void)state;
	assert_int_equal(gitserve("commit", pushed, sizeof(pushed)), 0);
	ssh_opts(&o, "refs/heads/main", W.client_key, W.known_hosts);
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, pushed);

	rev_parse("v1.0^{commit}", want, sizeof(want));
	ssh_opts(&o, "v1.0", W.client_key, W.known_hosts);
	call(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.sha, want);

	ssh_opts(&o, "nope", W.client_key, W.known_hosts);
	call(&o, &out);
	assert_false(out.r.ok);
	assert_string_equal(out.r.err.msg,
			    "ref nope not found on the remote (it has: "
			    "develop, main, v0.9, v1.0)");
	wait_workers();
}

static void test_ssh_host_key_mismatch(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char presented[128], expected[128], msg[700];

	(void)state;
	key_fp("ssh_host_ed25519_key.pub", presented, sizeof(presented));
	key_fp("wrong_host_key.pub", expected, sizeof(expected));
	ssh_opts(&o, "main", W.client_key, W.known_hosts_wrong);
	call(&o, &out);
	assert_false(out.r.ok);
	assert_true(out.r.host_key_mismatch);
	assert_string_equal(out.r.presented_fp, presented);
	assert_string_equal(out.r.expected_fp, expected);
	snprintf(msg, sizeof(msg),
		 "%s: host key mismatch: the server presented %s, "
		 "known_hosts expects %s",
		 W.ssh_base, presented, expected);
	assert_string_equal(out.r.err.msg, msg);

	/* A known_hosts without this host: unknown, not a mismatch. */
	ssh_opts(&o, "main", W.client_key,
		 "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0S"
		 "dG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n");
	call(&o, &out);
	assert_false(out.r.ok);
	assert_false(out.r.host_key_mismatch);
	assert_non_null(strstr(out.r.err.msg, "is not in known_hosts"));
	assert_string_equal(out.r.presented_fp, presented);

	/* The right key, but @revoked. */
	{
		char *kh = malloc(strlen(W.known_hosts) + 16);

		assert_non_null(kh);
		snprintf(kh, strlen(W.known_hosts) + 16, "@revoked %s",
			 W.known_hosts);
		ssh_opts(&o, "main", W.client_key, kh);
		call(&o, &out);
		free(kh);
	}
	assert_false(out.r.ok);
	assert_non_null(strstr(out.r.err.msg, "@revoked"));

	/* known_hosts has only an RSA key; the server has none at all. */
	{
		char port[16], kh[1200], rsa_fp[128];
		char *pub = read_file(W.dir, "client_key_rsa_pem.pub", NULL);
		char *sp;

		assert_non_null(pub);
		sp = strchr(pub, ' ');
		assert_non_null(sp);
		sp = strchr(sp + 1, ' ');
		if (sp)
			*sp = '\0';
		assert_int_equal(read_line("ssh_port", port, sizeof(port)), 0);
		snprintf(kh, sizeof(kh), "[127.0.0.1]:%s %s\n", port, pub);
		free(pub);
		key_fp("client_key_rsa_pem.pub", rsa_fp, sizeof(rsa_fp));
		ssh_opts(&o, "main", W.client_key, kh);
		call(&o, &out);
		assert_false(out.r.ok);
		assert_true(out.r.host_key_mismatch);
		assert_string_equal(out.r.expected_fp, rsa_fp);
		assert_non_null(strstr(out.r.err.msg, "no ssh-rsa host key"));
	}
	wait_workers();
}

static void test_ssh_permission_denied(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char msg[512], fp[128];

	(void)state;
	ssh_opts(&o, "main", NULL, W.known_hosts);
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_AUTH);
	snprintf(msg, sizeof(msg), "%s: permission denied (publickey)",
		 W.ssh_base);
	assert_memory_equal(out.r.err.msg, msg, strlen(msg));

	key_fp("unauthorized_key.pub", fp, sizeof(fp));
	ssh_opts(&o, "main", W.unauthorized_key, W.known_hosts);
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_AUTH);
	assert_memory_equal(out.r.err.msg, msg, strlen(msg));
	assert_non_null(strstr(out.r.err.msg, fp));

	/* Text that is no key at all. */
	ssh_opts(&o, "main", "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n",
		 W.known_hosts);
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_PARSE);
	wait_workers();
}

static void test_ssh_failures(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	char url[1200], msg[512];
	int port = closed_port();

	(void)state;
	snprintf(url, sizeof(url), "ssh://git@127.0.0.1:%d/srv/demo.git",
		 port);
	ssh_opts(&o, "main", W.client_key, W.known_hosts);
	o.url = url;
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_NET);
	snprintf(msg, sizeof(msg),
		 "cannot reach ssh://git@127.0.0.1:%d: connection refused",
		 port);
	assert_string_equal(out.r.err.msg, msg);

	/* No such repository: what git-upload-pack said on stderr. */
	snprintf(url, sizeof(url), "%s%s/nope.git", W.ssh_base, W.top);
	ssh_opts(&o, "main", W.client_key, W.known_hosts);
	o.url = url;
	call(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.err.code, ERR_NOTFOUND);
	assert_non_null(strstr(out.r.err.msg, "the remote said: "));
	wait_workers();
}

static void test_cancel(void **state)
{
	struct git_remote_opts o;
	struct outcome out;
	struct git_remote_call *c;
	struct err e;
	int i;

	(void)state;
	memset(&out, 0, sizeof(out));
	/* SSH: cancelled at once, while its worker is still talking. */
	for (i = 0; i < 3; i++) {
		ssh_opts(&o, "main", W.client_key, W.known_hosts);
		c = git_remote_head(L, &o, on_done, &out, &e);
		assert_non_null(c);
		git_remote_cancel(c);
	}
	/* SSH: cancelled after the worker posted its result. */
	ssh_opts(&o, "main", W.client_key, W.known_hosts);
	c = git_remote_head(L, &o, on_done, &out, &e);
	assert_non_null(c);
	{
		long long end = loop_now_ms() + WAIT_MS;

		while (git_remote_workers() > 0 && loop_now_ms() < end)
			usleep(10000);
	}
	git_remote_cancel(c);
	/* HTTPS. */
	https_opts(&o, W.https_url, "main");
	c = git_remote_head(L, &o, on_done, &out, &e);
	assert_non_null(c);
	git_remote_cancel(c);
	wait_workers();
	for (i = 0; i < 10; i++)
		loop_run_once(L, 20);
	assert_int_equal(out.calls, 0);
	git_remote_cancel(NULL);
}

/* ---- fixtures --------------------------------------------------------- */

static int group_setup(void **state)
{
	struct err e;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	err_clear(&e);
	if (http_global_init(&e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	if (world_up() < 0) {
		fprintf(stderr, "cannot start the Git servers\n");
		world_down();
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	world_down();
	http_global_cleanup();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	L = loop_new();
	return L ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	loop_free(&L);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_https_main, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_https_follows_new_commit,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_https_tags, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_https_ref_not_found, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_https_basic_auth, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_https_redirect, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_https_failures, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_urls, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ssh_main, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_ssh_follows_new_commit_and_tags, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ssh_host_key_mismatch, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ssh_permission_denied, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ssh_failures, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
