/* git_remote_ssh.c - a remote ref over SSH: git-upload-pack through libssh
 * on a worker thread, host keys checked. Not HTTPS, not known_hosts rules. */
#include "git_remote.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>

#include "base64.h"
#include "git_remote_int.h"
#include "known_hosts.h"
#include "pktline.h"
#include "strbuf.h"
#include "xalloc.h"

#define ADV_LIMIT     (64u << 20) /* refuse advertisements larger than this */
#define STDERR_LIMIT  4096
#define READ_SLICE_MS 250

static atomic_int workers;
static pthread_once_t ssh_once = PTHREAD_ONCE_INIT;

int git_remote_workers(void)
{
	return atomic_load(&workers);
}

/* ---- small helpers --------------------------------------------------- */

static void copy_str(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Control bytes of remote text become '?'; cut at sz - 1. */
static void printable(char *dst, size_t sz, const char *src, size_t n)
{
	size_t i;

	if (n >= sz)
		n = sz - 1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[n] = '\0';
}

/* ---- URLs ------------------------------------------------------------ */

static int parse_port(const char *s, size_t n, int *port)
{
	char buf[8];
	char *end;
	long v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || *end || end == buf || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* host[:port] or [v6][:port] into t. */
static int parse_hostport(const char *s, size_t n, int allow_port,
			  struct ssh_target *t)
{
	const char *colon;

	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close || close == s + 1)
			return -1;
		t->host = xstrndup(s + 1, (size_t)(close - s - 1));
		n -= (size_t)(close + 1 - s);
		s = close + 1;
		if (n == 0)
			return 0;
		if (!allow_port || s[0] != ':')
			return -1;
		return parse_port(s + 1, n - 1, &t->port);
	}
	colon = memchr(s, ':', n);
	if (colon && !allow_port)
		return -1;
	t->host = xstrndup(s, colon ? (size_t)(colon - s) : n);
	if (!t->host[0])
		return -1;
	if (colon)
		return parse_port(colon + 1, n - (size_t)(colon + 1 - s),
				  &t->port);
	return 0;
}

static int parse_ssh_url(const char *url, struct ssh_target *t)
{
	const char *auth, *slash, *at, *colon;
	size_t alen;

	t->port = 22;
	if (strncmp(url, "ssh://", 6) == 0) {
		auth = url + 6;
		slash = strchr(auth, '/');
		if (!slash || !slash[1])
			return -1;
		alen = (size_t)(slash - auth);
		at = memchr(auth, '@', alen);
		if (at) {
			t->user = xstrndup(auth, (size_t)(at - auth));
			alen -= (size_t)(at + 1 - auth);
			auth = at + 1;
		}
		if (parse_hostport(auth, alen, 1, t) < 0)
			return -1;
		/* ssh://host/~user/repo names a path under a home. */
		t->path = xstrdup(slash[1] == '~' ? slash + 1 : slash);
	} else {
		/* scp-like [user@]host:path; a '/' before ':' is a path. */
		colon = strchr(url, ':');
		slash = strchr(url, '/');
		if (url[0] == '[') {
			const char *close = strchr(url, ']');

			colon = close ? strchr(close, ':') : NULL;
		}
		if (!colon || (slash && slash < colon) || !colon[1])
			return -1;
		auth = url;
		alen = (size_t)(colon - url);
		at = memchr(auth, '@', alen);
		if (at) {
			t->user = xstrndup(auth, (size_t)(at - auth));
			alen -= (size_t)(at + 1 - auth);
			auth = at + 1;
		}
		if (parse_hostport(auth, alen, 0, t) < 0)
			return -1;
		t->path = xstrdup(colon + 1);
	}
	if (!t->user || !t->user[0]) {
		free(t->user);
		t->user = xstrdup("git");
	}
	return 0;
}

static char *shown_ssh_url(const struct ssh_target *t)
{
	int v6 = strchr(t->host, ':') != NULL;

	if (t->port == 22)
		return xasprintf(v6 ? "ssh://%s@[%s]" : "ssh://%s@%s", t->user,
				 t->host);
	return xasprintf(v6 ? "ssh://%s@[%s]:%d" : "ssh://%s@%s:%d", t->user,
			 t->host, t->port);
}

/* ---- the session (worker thread) ------------------------------------ */

static char *read_home_known_hosts(void)
{
	const char *home = getenv("HOME");
	struct strbuf b = {0};
	char *path;
	int rc;

	if (!home || !*home)
		return NULL;
	path = xasprintf("%s/.ssh/known_hosts", home);
	rc = strbuf_read_file(&b, path, SIZE_MAX);
	free(path);
	if (rc != 0) {
		strbuf_free(&b);
		return NULL;
	}
	return strbuf_take(&b);
}

static int is_cancelled(struct git_remote_call *c)
{
	int v;

	pthread_mutex_lock(&c->lock);
	v = c->cancelled;
	pthread_mutex_unlock(&c->lock);
	return v;
}

static const char *ssh_reason(const char *msg)
{
	char low[256];
	size_t i;

	for (i = 0; msg[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)msg[i]);
	low[i] = '\0';
	if (strstr(low, "refused"))
		return "connection refused";
	if (strstr(low, "timeout") || strstr(low, "timed out"))
		return "timed out";
	if (strstr(low, "resolve") || strstr(low, "not known") ||
	    strstr(low, "no address"))
		return "host name not found";
	if (strstr(low, "no route"))
		return "no route to host";
	if (strstr(low, "unreachable"))
		return "network unreachable";
	return NULL;
}

static void set_timeout(ssh_session s, long ms)
{
	long sec = ms / 1000, usec = (ms % 1000) * 1000;

	if (sec == 0 && usec == 0)
		usec = 1000;
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

static int ssh_setup(struct git_remote_call *c, ssh_session s,
		     const struct known_hosts *keys, struct err *e)
{
	int verbosity = SSH_LOG_NOLOG;
	unsigned int port = (unsigned int)c->t.port;
	bool process_config = false;
	char *algos = known_hosts_algos(keys);
	const char *home = getenv("HOME");

	if (ssh_options_set(s, SSH_OPTIONS_HOST, c->t.host) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_USER, c->t.user) < 0) {
		free(algos);
		return err_set(e, ERR_USAGE, "%s: %s", c->shown,
			       ssh_get_error(s));
	}
	ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
	/* We check host keys ourselves, against the text we were given. */
	ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	/* ~/.ssh/id_* follow $HOME, as ~/.ssh/known_hosts does here. */
	if (home && *home) {
		char *dir = xasprintf("%s/.ssh", home);

		ssh_options_set(s, SSH_OPTIONS_SSH_DIR, dir);
		free(dir);
	}
	if (algos)
		ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, algos);
	free(algos);
	set_timeout(s, git_remote_remaining_ms(c));
	return 0;
}

static int check_host_key(struct git_remote_call *c, ssh_session s,
			  const struct known_hosts *keys, int from_home,
			  struct err *e)
{
	struct git_remote_result *res = &c->res;
	ssh_key key = NULL;
	char *b64 = NULL;
	unsigned char *blob = NULL;
	size_t blen = 0;
	const struct known_host_key *expect = NULL;
	int rc = 0;

	if (ssh_get_server_publickey(s, &key) != SSH_OK ||
	    ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK ||
	    base64_decode(b64, strlen(b64), &blob, &blen, NULL) < 0) {
		rc = err_set(e, ERR_NET,
			     "%s: cannot read the server's host "
			     "key",
			     c->shown);
		goto out;
	}
	known_hosts_fingerprint(blob, blen, res->presented_fp,
				sizeof(res->presented_fp));
	switch (known_hosts_check(keys, blob, blen, &expect)) {
	case KNOWN_HOSTS_MATCH:
		break;
	case KNOWN_HOSTS_REVOKED:
		rc = err_set(e, ERR_DENIED,
			     "%s: the server's host key %s is marked "
			     "@revoked in known_hosts",
			     c->shown, res->presented_fp);
		break;
	case KNOWN_HOSTS_NOT_LISTED:
		rc = err_set(e, ERR_DENIED,
			     "%s: the host is not in %s (the server "
			     "presented %s)",
			     c->shown,
			     from_home ? "~/.ssh/known_hosts" : "known_hosts",
			     res->presented_fp);
		break;
	case KNOWN_HOSTS_MISMATCH:
		res->host_key_mismatch = 1;
		known_hosts_fingerprint(expect->blob, expect->blob_len,
					res->expected_fp,
					sizeof(res->expected_fp));
		rc = err_set(e, ERR_DENIED,
			     "%s: host key mismatch: the server presented %s, "
			     "known_hosts expects %s",
			     c->shown, res->presented_fp, res->expected_fp);
		break;
	}
out:
	free(blob);
	ssh_string_free_char(b64);
	ssh_key_free(key);
	return rc;
}

static void methods_text(ssh_session s, char *buf, size_t sz)
{
	int m = ssh_userauth_list(s, NULL);

	buf[0] = '\0';
	if (m & SSH_AUTH_METHOD_PUBLICKEY)
		snprintf(buf + strlen(buf), sz - strlen(buf), "%spublickey",
			 buf[0] ? "," : "");
	if (m & SSH_AUTH_METHOD_PASSWORD)
		snprintf(buf + strlen(buf), sz - strlen(buf), "%spassword",
			 buf[0] ? "," : "");
	if (m & SSH_AUTH_METHOD_INTERACTIVE)
		snprintf(buf + strlen(buf), sz - strlen(buf),
			 "%skeyboard-interactive", buf[0] ? "," : "");
	if (!buf[0])
		copy_str(buf, sz, "publickey");
}

static int key_fingerprint(ssh_key priv, char *out, size_t sz)
{
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *b64;
	size_t n;

	if (ssh_get_publickey_hash(priv, SSH_PUBLICKEY_HASH_SHA256, &hash,
				   &hlen) != 0)
		return -1;
	b64 = base64_encode(hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	n = strlen(b64);
	while (n && b64[n - 1] == '=')
		b64[--n] = '\0';
	snprintf(out, sz, "SHA256:%s", b64);
	free(b64);
	return 0;
}

static int ssh_auth(struct git_remote_call *c, ssh_session s, struct err *e)
{
	char methods[96], why[200];
	int rc = SSH_AUTH_DENIED;

	why[0] = '\0';
	if (c->identity) {
		ssh_key key = NULL;
		char fp[128];

		if (ssh_pki_import_privkey_base64(c->identity, c->password,
						  NULL, NULL, &key) != SSH_OK)
			return err_set(e, ERR_PARSE,
				       "%s: the SSH identity is not a private "
				       "key that can be read (or its "
				       "password is wrong)",
				       c->shown);
		rc = ssh_userauth_publickey(s, NULL, key);
		if (key_fingerprint(key, fp, sizeof(fp)) == 0)
			snprintf(why, sizeof(why),
				 "the server does not accept the identity's "
				 "key %s",
				 fp);
		ssh_key_free(key);
	}
	if (rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_ERROR && c->use_agent) {
		rc = ssh_userauth_publickey_auto(s, NULL, NULL);
		if (rc != SSH_AUTH_SUCCESS && !c->identity)
			copy_str(why, sizeof(why),
				 "neither the ssh-agent nor ~/.ssh has a key "
				 "it accepts");
	}
	if (!c->identity && !c->use_agent) {
		rc = ssh_userauth_none(s, NULL);
		copy_str(why, sizeof(why),
			 "no key was offered (no identity given and the "
			 "ssh-agent is not used)");
	}
	if (rc == SSH_AUTH_SUCCESS)
		return 0;
	if (rc == SSH_AUTH_ERROR) {
		const char *reason = ssh_reason(ssh_get_error(s));

		return err_set(e, ERR_NET,
			       "%s: the connection failed "
			       "during authentication%s%s",
			       c->shown, reason ? ": " : "",
			       reason ? reason : "");
	}
	methods_text(s, methods, sizeof(methods));
	return err_set(e, ERR_AUTH, "%s: permission denied (%s)%s%s", c->shown,
		       methods, why[0] ? ": " : "", why);
}

/* git's quoting: 'a'\''b', with ! kept out of the quotes too. */
static char *quote_arg(const char *s)
{
	size_t n = 3, i, o = 0;
	char *q;

	for (i = 0; s[i]; i++)
		n += s[i] == '\'' || s[i] == '!' ? 4 : 1;
	q = xmalloc(n);
	q[o++] = '\'';
	for (i = 0; s[i]; i++) {
		if (s[i] == '\'' || s[i] == '!') {
			q[o++] = '\'';
			q[o++] = '\\';
			q[o++] = s[i];
			q[o++] = '\'';
		} else {
			q[o++] = s[i];
		}
	}
	q[o++] = '\'';
	q[o] = '\0';
	return q;
}

static void read_stderr(ssh_channel ch, struct strbuf *errout)
{
	char tmp[1024];
	int n;

	for (;;) {
		n = ssh_channel_read_nonblocking(ch, tmp, sizeof(tmp), 1);
		if (n <= 0)
			return;
		if (errout->len < STDERR_LIMIT)
			strbuf_addn(errout, tmp, (size_t)n);
	}
}

/* What the remote said on stderr when it sent no advertisement. */
static int remote_said(struct git_remote_call *c, const struct strbuf *eo,
		       struct err *e)
{
	const char *p = eo->p, *nl;
	char line[300];
	size_t n;

	while (p && (*p == '\n' || *p == '\r'))
		p++;
	if (!p || !*p)
		return err_set(e, ERR_NET,
			       "%s: the connection closed before "
			       "the ref advertisement ended",
			       c->shown);
	nl = strpbrk(p, "\r\n");
	n = nl ? (size_t)(nl - p) : strlen(p);
	printable(line, sizeof(line), p, n);
	if (strstr(line, "not found") || strstr(line, "does not exist") ||
	    strstr(line, "does not appear to be a git repository"))
		return err_set(e, ERR_NOTFOUND, "%s: the remote said: %s",
			       c->shown, line);
	return err_set(e, ERR_NET, "%s: the remote said: %s", c->shown, line);
}

static int read_advertisement(struct git_remote_call *c, ssh_channel ch,
			      struct strbuf *out, struct err *e)
{
	struct pkt_scan scan = {0, 0};
	struct strbuf errout = {0};
	char tmp[16384];
	size_t end = 0;
	int rc;

	for (;;) {
		long left = git_remote_remaining_ms(c);
		int n;

		if (is_cancelled(c)) {
			rc = err_set(e, ERR_CANCELLED, "cancelled");
			break;
		}
		if (left <= 0) {
			rc = err_set(e, ERR_TIMEOUT,
				     "%s: timed out reading "
				     "the ref advertisement",
				     c->shown);
			break;
		}
		n = ssh_channel_read_timeout(
		    ch, tmp, sizeof(tmp), 0,
		    left < READ_SLICE_MS ? (int)left : READ_SLICE_MS);
		read_stderr(ch, &errout);
		if (n == SSH_ERROR) {
			rc = err_set(e, ERR_NET,
				     "%s: the connection failed "
				     "while reading refs",
				     c->shown);
			break;
		}
		if (n > 0) {
			if (out->len + (size_t)n > ADV_LIMIT) {
				rc = err_set(e, ERR_PARSE,
					     "%s: the ref "
					     "advertisement is too large",
					     c->shown);
				break;
			}
			strbuf_addn(out, tmp, (size_t)n);
			rc = pkt_adv_find_end(out->p, out->len, 0, &scan, &end,
					      e);
			if (rc < 0) {
				err_prefix(e, "%s", c->shown);
				break;
			}
			if (rc == 1) {
				out->len = end;
				rc = 0;
				break;
			}
			continue;
		}
		if (ssh_channel_is_eof(ch) || ssh_channel_is_closed(ch)) {
			read_stderr(ch, &errout);
			rc = remote_said(c, &errout, e);
			break;
		}
	}
	strbuf_free(&errout);
	return rc;
}

/* Tell upload-pack we want nothing (a flush), then close. */
static void end_politely(struct git_remote_call *c, ssh_channel ch)
{
	long long until = loop_now_ms() + 1000;
	struct strbuf ignored = {0};
	char tmp[512];

	if (ssh_channel_write(ch, "0000", 4) == 4)
		ssh_channel_send_eof(ch);
	while (!ssh_channel_is_eof(ch) && !ssh_channel_is_closed(ch) &&
	       loop_now_ms() < until && git_remote_remaining_ms(c) > 0) {
		if (ssh_channel_read_timeout(ch, tmp, sizeof(tmp), 0, 100) < 0)
			break;
		read_stderr(ch, &ignored);
	}
	strbuf_free(&ignored);
	ssh_channel_close(ch);
}

static int ssh_exchange(struct git_remote_call *c, ssh_session s,
			struct err *e)
{
	ssh_channel ch = ssh_channel_new(s);
	struct strbuf adv = {0};
	struct pkt_adv parsed;
	char *arg = NULL, *cmd = NULL;
	int rc;

	if (!ch || ssh_channel_open_session(ch) != SSH_OK) {
		rc = err_set(e, ERR_NET, "%s: cannot open a session channel",
			     c->shown);
		goto out;
	}
	arg = quote_arg(c->t.path);
	cmd = xasprintf("git-upload-pack %s", arg);
	if (ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		rc = err_set(e, ERR_DENIED,
			     "%s: the server refused to run "
			     "git-upload-pack",
			     c->shown);
		goto out;
	}
	rc = read_advertisement(c, ch, &adv, e);
	if (rc == 0)
		end_politely(c, ch);
	if (rc == 0) {
		rc = pkt_adv_parse(adv.p, adv.len, 0, &parsed, e);
		if (rc < 0)
			err_prefix(e, "%s", c->shown);
	}
	if (rc == 0) {
		git_remote_resolve_into(c, &parsed);
		pkt_adv_clear(&parsed);
	}
out:
	if (ch)
		ssh_channel_free(ch);
	strbuf_free(&adv);
	free(arg);
	free(cmd);
	return rc;
}

static void connect_failed(struct git_remote_call *c, ssh_session s,
			   const struct known_hosts *keys)
{
	struct git_remote_result *res = &c->res;
	const char *msg = ssh_get_error(s);
	const char *reason = ssh_reason(msg);
	char shown[200];
	size_t i;

	if (reason) {
		err_set(&res->err, ERR_NET, "cannot reach %s: %s", c->shown,
			reason);
		return;
	}
	/* We asked only for the key types known_hosts has for the host:
	 * a server without any of them cannot match. */
	if (strstr(msg, "host key algo")) {
		for (i = 0; i < keys->n; i++) {
			if (keys->v[i].marker != KNOWN_HOST_PLAIN)
				continue;
			known_hosts_fingerprint(
			    keys->v[i].blob, keys->v[i].blob_len,
			    res->expected_fp, sizeof(res->expected_fp));
			res->host_key_mismatch = 1;
			err_set(&res->err, ERR_DENIED,
				"%s: host key mismatch: the server has no "
				"%s host key, known_hosts expects %s",
				c->shown, keys->v[i].type, res->expected_fp);
			return;
		}
	}
	printable(shown, sizeof(shown), msg, strlen(msg));
	err_set(&res->err, ERR_NET,
		"cannot reach %s: the SSH handshake failed (%s)", c->shown,
		shown);
}

static void ssh_library_init(void)
{
	ssh_init();
}

static void ssh_run(struct git_remote_call *c)
{
	struct git_remote_result *res = &c->res;
	struct known_hosts keys = {0};
	char *home_kh = NULL, *name;
	const char *kh = c->known_hosts;
	ssh_session s = NULL;

	pthread_once(&ssh_once, ssh_library_init);
	if (!kh) {
		home_kh = read_home_known_hosts();
		kh = home_kh ? home_kh : "";
	}
	name = known_hosts_name(c->t.host, c->t.port);
	known_hosts_collect(kh, name, &keys);
	free(name);
	s = ssh_new();
	if (!s) {
		err_set(&res->err, ERR_INTERNAL,
			"cannot create an SSH "
			"session");
		goto out;
	}
	if (ssh_setup(c, s, &keys, &res->err) < 0)
		goto out;
	if (ssh_connect(s) != SSH_OK) {
		connect_failed(c, s, &keys);
		goto out;
	}
	if (is_cancelled(c))
		goto out;
	if (check_host_key(c, s, &keys, !c->known_hosts, &res->err) < 0)
		goto out;
	set_timeout(s, git_remote_remaining_ms(c));
	if (ssh_auth(c, s, &res->err) < 0)
		goto out;
	if (ssh_exchange(c, s, &res->err) < 0)
		res->ok = 0;
out:
	if (s) {
		ssh_disconnect(s);
		ssh_free(s);
	}
	known_hosts_clear(&keys);
	free(home_kh);
}

static void ssh_delivered(void *ud)
{
	struct git_remote_call *c = ud;
	int cancelled;

	pthread_mutex_lock(&c->lock);
	cancelled = c->cancelled;
	pthread_mutex_unlock(&c->lock);
	if (cancelled)
		git_remote_call_free(c);
	else
		git_remote_deliver(c);
}

static void *ssh_worker(void *arg)
{
	struct git_remote_call *c = arg;

	ssh_run(c);
	pthread_mutex_lock(&c->lock);
	if (c->cancelled) {
		pthread_mutex_unlock(&c->lock);
		git_remote_call_free(c);
	} else {
		/* Posted under the lock: a cancel now sees ST_POSTED and
		 * leaves the freeing to ssh_delivered(). */
		c->state = ST_POSTED;
		loop_post(c->loop, ssh_delivered, c);
		pthread_mutex_unlock(&c->lock);
	}
	atomic_fetch_sub(&workers, 1);
	return NULL;
}

/* ---- starting and cancelling ---------------------------------------- */

struct git_remote_call *git_remote_ssh_start(struct git_remote_call *c,
					     struct err *e)
{
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	c->kind = CALL_SSH;
	pthread_mutex_init(&c->lock, NULL);
	if (parse_ssh_url(c->url, &c->t) < 0) {
		err_set(e, ERR_USAGE,
			"cannot use the Git URL %s (expected "
			"https://..., ssh://[user@]host[:port]/path or "
			"[user@]host:path)",
			c->url);
		git_remote_call_free(c);
		return NULL;
	}
	c->shown = shown_ssh_url(&c->t);
	c->state = ST_RUNNING;
	atomic_fetch_add(&workers, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, ssh_worker, c);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		atomic_fetch_sub(&workers, 1);
		err_set(e, ERR_INTERNAL, "cannot start a thread: %s",
			strerror(rc));
		git_remote_call_free(c);
		return NULL;
	}
	return c;
}

void git_remote_ssh_cancel(struct git_remote_call *c)
{
	/* Running: the worker frees it. Posted: ssh_delivered() does. */
	pthread_mutex_lock(&c->lock);
	c->cancelled = 1;
	pthread_mutex_unlock(&c->lock);
}
