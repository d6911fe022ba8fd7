/* audit.c - appends hash-chained JSON lines to the audit log under a lock,
 * verifies the chain and reads the newest records. Not a general logger. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "json.h"
#include "num.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"
#include "xdg.h"

#define HASH_HEX  64
#define FIELD_MAX 1024
#define REDACTED  "[redacted]"
#define HASH_KEY  ",\"hash\":\""
/* `,"hash":"` + 64 hex + `"}` */
#define HASH_TAIL (sizeof(HASH_KEY) - 1 + HASH_HEX + 2)

static const char zero_hash[HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* ---- hashing ------------------------------------------------------------ */

static int sha256_hex(const void *data, size_t len, char out[HASH_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != HASH_HEX / 2)
		return -1;
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[HASH_HEX] = '\0';
	return 0;
}

/* ---- redaction ---------------------------------------------------------- */

static int is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Characters of a bearer token (RFC 6750 b64token). */
static int is_token_char(char c)
{
	return is_b64url(c) || c == '.' || c == '~' || c == '+' || c == '/' ||
	       c == '=';
}

/* Length of a JWT starting at s ("eyJ" header "." payload "." signature,
 * the signature possibly empty), or 0. */
static size_t jwt_len(const char *s)
{
	size_t i = 0;
	int part;

	if (strncmp(s, "eyJ", 3) != 0)
		return 0;
	for (part = 0; part < 3; part++) {
		size_t start = i;

		while (is_b64url(s[i]))
			i++;
		if (part < 2 && (i - start < 2 || s[i] != '.'))
			return 0;
		if (part < 2)
			i++;
	}
	return i;
}

static int starts_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *prefix)
			return 0;
	}
	return 1;
}

/* A copy of s with JWTs and bearer tokens replaced by [redacted], cut at
 * FIELD_MAX bytes on a UTF-8 boundary. NULL stays NULL. */
static char *redact(const char *s)
{
	struct strbuf b = {0};
	size_t i = 0, n;

	if (!s)
		return NULL;
	strbuf_addn(&b, "", 0);
	while (s[i]) {
		int boundary = i == 0 || !is_token_char(s[i - 1]);

		if (boundary && starts_nocase(s + i, "bearer ")) {
			size_t j = i + 7;

			while (s[j] == ' ')
				j++;
			n = 0;
			while (is_token_char(s[j + n]))
				n++;
			if (n >= 8) {
				strbuf_addn(&b, s + i, j - i);
				strbuf_add(&b, REDACTED);
				i = j + n;
				continue;
			}
		}
		n = boundary ? jwt_len(s + i) : 0;
		if (n > 0) {
			strbuf_add(&b, REDACTED);
			i += n;
			continue;
		}
		strbuf_addn(&b, s + i, 1);
		i++;
	}
	if (b.len > FIELD_MAX) {
		n = FIELD_MAX;
		while (n > 0 && ((unsigned char)b.p[n] & 0xc0) == 0x80)
			n--;
		b.len = n;
		b.p[n] = '\0';
		strbuf_add(&b, "...[truncated]");
	}
	return b.p;
}

/* ---- JSON writing ------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at s and its code point, or 0. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* A JSON string. Control characters (C0, DEL, C1), bidi controls and line
 * separators are \u-escaped so that reading the log in a terminal is safe;
 * bytes that are not UTF-8 become U+FFFD. NULL is written as null. */
static void put_str(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[16];

	if (!s) {
		strbuf_add(b, "null");
		return;
	}
	strbuf_add(b, "\"");
	while (*p) {
		uint32_t c = *p;
		size_t n = 1;

		if (*p >= 0x80) {
			n = utf8_seq(p, &c);
			if (n == 0) {
				strbuf_add(b, "\\ufffd");
				p++;
				continue;
			}
		}
		if (c == '"') {
			strbuf_add(b, "\\\"");
		} else if (c == '\\') {
			strbuf_add(b, "\\\\");
		} else if (c == '\n') {
			strbuf_add(b, "\\n");
		} else if (c == '\t') {
			strbuf_add(b, "\\t");
		} else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
			   c == 0x061c || c == 0x200e || c == 0x200f ||
			   (c >= 0x2028 && c <= 0x202e) ||
			   (c >= 0x2066 && c <= 0x2069)) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)c);
			strbuf_add(b, esc);
		} else {
			strbuf_addn(b, (const char *)p, n);
		}
		p += n;
	}
	strbuf_add(b, "\"");
}

static void put_key(struct strbuf *b, const char *key, int first)
{
	if (!first)
		strbuf_add(b, ",");
	strbuf_add(b, "\"");
	strbuf_add(b, key);
	strbuf_add(b, "\":");
}

/* ---- who and where ------------------------------------------------------ */

static char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw && pw->pw_name && pw->pw_name[0])
		return xstrdup(pw->pw_name);
	return xasprintf("%lu", (unsigned long)geteuid());
}

/* The client address: first word of $SSH_CONNECTION or $SSH_CLIENT, if it
 * is made of address characters. NULL otherwise. */
static char *ssh_client(void)
{
	const char *v = getenv("SSH_CONNECTION");
	size_t n = 0;

	if (!v || !v[0])
		v = getenv("SSH_CLIENT");
	if (!v)
		return NULL;
	while (v[n] && v[n] != ' ') {
		char c = v[n];

		/* IPv4, IPv6 and an IPv6 zone such as "%eth0" */
		if (!(is_b64url(c) || c == '.' || c == ':' || c == '%'))
			return NULL;
		n++;
	}
	if (n == 0 || n > 64)
		return NULL;
	return xstrndup(v, n);
}

static char *host_name(void)
{
	char buf[256];

	if (gethostname(buf, sizeof(buf)) != 0)
		return xstrdup("unknown");
	buf[sizeof(buf) - 1] = '\0';
	return xstrdup(buf);
}

/* The line for r, without hash and newline: `{...,"prev":"..."` open. */
static void build_body(struct strbuf *b, const struct audit_record *r,
		       unsigned long long seq, const char *prev)
{
	char when[TIMEFMT_RFC3339_NANO_LEN], num[32];
	struct timespec ts;
	const char *sudo = getenv("SUDO_USER");
	char *user = os_user(), *host = host_name(), *ssh = ssh_client();
	char *identity = redact(r->identity), *context = redact(r->context);
	char *action = redact(r->action), *target = redact(r->target);
	char *detail = redact(r->detail), *sudo_user = redact(sudo);
	char *op = redact(r->op);

	clock_gettime(CLOCK_REALTIME, &ts);
	timefmt_rfc3339_millis(&ts, when, sizeof(when));
	if (sudo_user && !sudo_user[0]) {
		free(sudo_user);
		sudo_user = NULL;
	}
	strbuf_add(b, "{");
	put_key(b, "time", 1);
	put_str(b, when);
	put_key(b, "user", 0);
	put_str(b, user);
	put_key(b, "sudo_user", 0);
	put_str(b, sudo_user);
	put_key(b, "identity", 0);
	put_str(b, identity);
	put_key(b, "origin", 0);
	strbuf_add(b, "{");
	put_key(b, "host", 1);
	put_str(b, host);
	put_key(b, "ssh_client", 0);
	put_str(b, ssh);
	strbuf_add(b, "}");
	put_key(b, "context", 0);
	put_str(b, context);
	put_key(b, "action", 0);
	put_str(b, action);
	put_key(b, "target", 0);
	put_str(b, target);
	put_key(b, "outcome", 0);
	put_str(b, audit_outcome_name(r->outcome));
	put_key(b, "detail", 0);
	put_str(b, detail);
	put_key(b, "op", 0);
	put_str(b, op);
	put_key(b, "pid", 0);
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	strbuf_add(b, num);
	put_key(b, "seq", 0);
	snprintf(num, sizeof(num), "%llu", seq);
	strbuf_add(b, num);
	put_key(b, "prev", 0);
	put_str(b, prev);
	free(user);
	free(host);
	free(ssh);
	free(identity);
	free(context);
	free(action);
	free(target);
	free(detail);
	free(sudo_user);
	free(op);
}

/* ---- reading the end of the file ---------------------------------------- */

/* The last max complete lines of fd (size bytes): *out gets a new buffer
 * (caller frees) holding them, each with its newline. *partial is set when
 * the file does not end with a newline (that tail is not returned).
 * Linear in what it returns: one backward pass counts line ends in fixed
 * chunks, one read takes the lines (a 50 MB last line is read twice, not
 * once per chunk). */
static int read_tail(int fd, off_t size, size_t max, char **out, size_t *len,
		     int *partial)
{
	char chunk[65536], last;
	off_t pos = size, start = 0, end = size;
	size_t newlines = 0, i;
	int found = 0;

	*out = NULL;
	*len = 0;
	*partial = 0;
	if (size == 0 || max == 0)
		return 0;
	if (pread(fd, &last, 1, size - 1) != 1)
		return -1;
	if (last != '\n') {
		/* the incomplete tail is not a line: find its start */
		*partial = 1;
		end = -1;
	}
	/* Backwards, counting line ends from the one of the last complete
	 * line: the max+1-th is where the wanted lines start. */
	while (pos > 0 && !found) {
		size_t want =
		    (size_t)(pos > (off_t)sizeof(chunk) ? (off_t)sizeof(chunk)
							: pos);

		pos -= (off_t)want;
		if (pread(fd, chunk, want, pos) != (ssize_t)want)
			return -1;
		for (i = want; i > 0; i--) {
			if (chunk[i - 1] != '\n')
				continue;
			if (end < 0) {
				end = pos + (off_t)i;
				newlines = 1; /* it ends the last line */
				continue;
			}
			if (++newlines > max) {
				start = pos + (off_t)i;
				found = 1;
				break;
			}
		}
	}
	if (end <= start)
		return 0; /* no complete line */
	*len = (size_t)(end - start);
	*out = xmalloc(*len + 1);
	if (pread(fd, *out, *len, start) != (ssize_t)*len) {
		free(*out);
		*out = NULL;
		*len = 0;
		return -1;
	}
	(*out)[*len] = '\0';
	return 0;
}

static int lock_fd(int fd, int how)
{
	int rc;

	do {
		rc = flock(fd, how);
	} while (rc != 0 && errno == EINTR);
	return rc;
}

/* ---- public ------------------------------------------------------------- */

char *audit_default_path(void)
{
	const char *env = getenv("JUMPDECK_AUDIT_LOG");

	if (env && env[0])
		return xstrdup(env);
	return xdg_state_path("audit.log");
}

const char *audit_outcome_name(enum audit_outcome o)
{
	switch (o) {
	case AUDIT_REQUESTED:
		return "requested";
	case AUDIT_SUCCEEDED:
		return "succeeded";
	case AUDIT_FAILED:
		return "failed";
	case AUDIT_REFUSED:
		return "refused";
	}
	return "unknown";
}

static char *resolve(const char *path_or_null, struct err *e)
{
	char *p = path_or_null ? xstrdup(path_or_null) : audit_default_path();

	if (!p)
		err_set(e, ERR_IO,
			"cannot find the audit log: no home "
			"directory and no JUMPDECK_AUDIT_LOG");
	return p;
}

/* Open the log: never through a symbolic link (O_NOFOLLOW: whoever can
 * change the link would choose where records go), never a FIFO or a
 * directory (O_NONBLOCK: a FIFO would block the open); opened for
 * writing, a regular file readable or writable by others is made 0600
 * first, or refused. A
 * character device stays allowed (/dev/full in the tests). Returns the
 * descriptor, or a negative ERR_* with e filled (-ERR_NOTFOUND when it
 * does not exist and O_CREAT was not asked for). */
static int open_log(const char *path, int flags, struct err *e)
{
	struct stat st;
	int fd, fl;

	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0 && errno == ELOOP)
		return err_set(e, ERR_IO,
			       "audit log %s is a symbolic link; it is not "
			       "followed (name the file itself)",
			       path);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       "cannot open audit log %s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) != 0) {
		err_set(e, ERR_IO, "cannot stat audit log %s: %s", path,
			strerror(errno));
		close(fd);
		return -ERR_IO;
	}
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		err_set(e, ERR_IO, "audit log %s is not a regular file", path);
		close(fd);
		return -ERR_IO;
	}
	if ((flags & O_ACCMODE) != O_RDONLY && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077) && fchmod(fd, 0600) != 0) {
		err_set(e, ERR_IO,
			"audit log %s is open to others (mode %04o) and "
			"cannot be made private (0600): %s",
			path, (unsigned)(st.st_mode & 07777),
			strerror(errno));
		close(fd);
		return -ERR_IO;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* Sequence number and hash of the last line of fd, under its lock. */
static int chain_tail(int fd, const char *path, unsigned long long *seq,
		      char prev[HASH_HEX + 1], struct err *e)
{
	struct stat st;
	char *line = NULL;
	size_t len;
	int partial;
	cJSON *j, *s;
	long long last;

	*seq = 0;
	memcpy(prev, zero_hash, HASH_HEX + 1);
	if (fstat(fd, &st) != 0)
		return err_set(e, ERR_IO, "cannot stat %s: %s", path,
			       strerror(errno));
	if (read_tail(fd, st.st_size, 1, &line, &len, &partial) != 0)
		return err_set(e, ERR_IO, "cannot read %s: %s", path,
			       strerror(errno ? errno : EIO));
	if (partial) {
		free(line);
		return err_set(e, ERR_IO,
			       "audit log %s ends with an "
			       "incomplete line; check it with "
			       "`jumpdeck audit verify`",
			       path);
	}
	if (len == 0) {
		free(line);
		return 0;
	}
	line[--len] = '\0'; /* the newline */
	j = cJSON_Parse(line);
	s = cJSON_GetObjectItemCaseSensitive(j, "seq");
	if (!cJSON_IsNumber(s) ||
	    num_to_ll(s->valuedouble, 1, LLONG_MAX, &last) < 0) {
		cJSON_Delete(j);
		free(line);
		return err_set(e, ERR_PARSE,
			       "audit log %s: the last line is "
			       "not a record; check it with "
			       "`jumpdeck audit verify`",
			       path);
	}
	*seq = (unsigned long long)last;
	cJSON_Delete(j);
	if (sha256_hex(line, len, prev) != 0) {
		free(line);
		return err_set(e, ERR_INTERNAL, "SHA-256 failed");
	}
	free(line);
	return 0;
}

int audit_append(const char *path_or_null, const struct audit_record *r,
		 struct err *e)
{
	struct strbuf b = {0};
	char prev[HASH_HEX + 1], hash[HASH_HEX + 1];
	unsigned long long seq;
	struct stat st;
	char *path;
	ssize_t w;
	int fd, rc;

	if (!r || !r->action || !r->action[0])
		return err_set(e, ERR_USAGE, "audit record without an action");
	path = resolve(path_or_null, e);
	if (!path)
		return -ERR_IO;
	rc = xdg_mkdirs(path, e);
	if (rc != 0)
		goto out;
	fd = open_log(path, O_RDWR | O_APPEND | O_CREAT, e);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	if (lock_fd(fd, LOCK_EX) != 0) {
		rc = err_set(e, ERR_IO, "cannot lock audit log %s: %s", path,
			     strerror(errno));
		goto close;
	}
	rc = chain_tail(fd, path, &seq, prev, e);
	if (rc != 0)
		goto close;
	build_body(&b, r, seq + 1, prev);
	strbuf_add(&b, "}");
	if (sha256_hex(b.p, b.len, hash) != 0) {
		rc = err_set(e, ERR_INTERNAL, "SHA-256 failed");
		goto close;
	}
	b.len--; /* drop the "}" again and add the hash */
	strbuf_add(&b, HASH_KEY);
	strbuf_add(&b, hash);
	strbuf_add(&b, "\"}\n");
	if (fstat(fd, &st) != 0) {
		rc = err_set(e, ERR_IO, "cannot stat %s: %s", path,
			     strerror(errno));
		goto close;
	}
	w = write(fd, b.p, b.len);
	if (w != (ssize_t)b.len) {
		int saved = w < 0 ? errno : ENOSPC;

		/* never leave half a record behind */
		if (w > 0 && ftruncate(fd, st.st_size) != 0)
			saved = errno;
		rc = err_set(e, ERR_IO, "cannot write audit log %s: %s", path,
			     strerror(saved));
		goto close;
	}
	if (fsync(fd) != 0) {
		rc = err_set(e, ERR_IO, "cannot sync audit log %s: %s", path,
			     strerror(errno));
		goto close;
	}
	rc = 0;
close:
	close(fd); /* also releases the lock */
out:
	free(b.p);
	free(path);
	return rc;
}

/* Check one line (without newline) against the chain so far. */
static int verify_line(const char *line, size_t len, size_t lineno,
		       const char *prev_hash, struct err *e)
{
	char want[HASH_HEX + 1];
	char *body;
	size_t blen, i;
	const char *tail;
	cJSON *j;
	const cJSON *prev, *seq;
	int rc = 0;

	if (len == 0)
		return err_set(e, ERR_CONFLICT, "line %zu: empty line",
			       lineno);
	j = cJSON_ParseWithLength(line, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return err_set(e, ERR_CONFLICT, "line %zu: not a JSON record",
			       lineno);
	}
	tail = len > HASH_TAIL ? line + len - HASH_TAIL : NULL;
	if (!tail || strncmp(tail, HASH_KEY, sizeof(HASH_KEY) - 1) != 0 ||
	    strcmp(tail + HASH_TAIL - 2, "\"}") != 0) {
		rc = err_set(e, ERR_CONFLICT,
			     "line %zu: no hash at the end "
			     "(record changed?)",
			     lineno);
		goto out;
	}
	for (i = 0; i < HASH_HEX; i++) {
		char c = tail[sizeof(HASH_KEY) - 1 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			rc = err_set(e, ERR_CONFLICT,
				     "line %zu: hash is not "
				     "hexadecimal (record changed?)",
				     lineno);
			goto out;
		}
	}
	blen = len - HASH_TAIL;
	body = xmalloc(blen + 2);
	memcpy(body, line, blen);
	body[blen] = '}';
	body[blen + 1] = '\0';
	if (sha256_hex(body, blen + 1, want) != 0) {
		free(body);
		rc = err_set(e, ERR_INTERNAL, "SHA-256 failed");
		goto out;
	}
	free(body);
	if (memcmp(want, tail + sizeof(HASH_KEY) - 1, HASH_HEX) != 0) {
		rc = err_set(e, ERR_CONFLICT,
			     "line %zu: hash does not match "
			     "its content (record changed?)",
			     lineno);
		goto out;
	}
	prev = cJSON_GetObjectItemCaseSensitive(j, "prev");
	if (!cJSON_IsString(prev) || strcmp(prev->valuestring, prev_hash)) {
		if (lineno == 1)
			rc = err_set(e, ERR_CONFLICT,
				     "line 1: prev is not the "
				     "start of a chain (records removed from "
				     "the beginning?)");
		else
			rc = err_set(e, ERR_CONFLICT,
				     "line %zu: prev does not "
				     "match line %zu (record removed or "
				     "reordered?)",
				     lineno, lineno - 1);
		goto out;
	}
	seq = cJSON_GetObjectItemCaseSensitive(j, "seq");
	if (!cJSON_IsNumber(seq) || seq->valuedouble != (double)lineno) {
		rc = err_set(e, ERR_CONFLICT,
			     "line %zu: seq is %.0f, expected "
			     "%zu (record removed or reordered?)",
			     lineno,
			     cJSON_IsNumber(seq) ? seq->valuedouble : -1.0,
			     lineno);
		goto out;
	}
out:
	cJSON_Delete(j);
	return rc;
}

int audit_verify(const char *path_or_null, size_t *nrecords, struct err *e)
{
	char prev[HASH_HEX + 1];
	char *path, *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	FILE *f;
	int rc = 0, fd;

	if (nrecords)
		*nrecords = 0;
	path = resolve(path_or_null, e);
	if (!path)
		return -ERR_IO;
	fd = open_log(path, O_RDONLY, e);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		if (fd < 0)
			rc = fd;
		else
			rc = err_set(e, ERR_IO, "cannot read audit log %s: %s",
				     path, strerror(errno));
		free(path);
		return rc;
	}
	lock_fd(fileno(f), LOCK_SH);
	memcpy(prev, zero_hash, sizeof(prev));
	for (;;) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		lineno++;
		if (line[len - 1] != '\n') {
			rc = err_set(e, ERR_CONFLICT,
				     "line %zu: incomplete "
				     "(no newline at the end)",
				     lineno);
			break;
		}
		line[--len] = '\0';
		rc = verify_line(line, (size_t)len, lineno, prev, e);
		if (rc != 0)
			break;
		if (sha256_hex(line, (size_t)len, prev) != 0) {
			rc = err_set(e, ERR_INTERNAL, "SHA-256 failed");
			break;
		}
		if (nrecords)
			*nrecords = lineno;
	}
	if (rc == 0 && ferror(f))
		rc = err_set(e, ERR_IO, "cannot read audit log %s: %s", path,
			     strerror(errno ? errno : EIO));
	if (rc != 0 && e)
		err_prefix(e, "%s", path);
	free(line);
	fclose(f);
	free(path);
	return rc;
}

static int entry_from_line(struct audit_entry *a, const char *line, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *origin, *v;

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->time = json_dup(j, "time", NULL);
	if (!a->time ||
	    timefmt_parse_rfc3339(a->time, &a->when, NULL, NULL) != 0)
		a->when = 0;
	a->user = json_dup(j, "user", NULL);
	a->sudo_user = json_dup(j, "sudo_user", NULL);
	a->identity = json_dup(j, "identity", NULL);
	origin = cJSON_GetObjectItemCaseSensitive(j, "origin");
	a->host = json_dup(origin, "host", NULL);
	a->ssh_client = json_dup(origin, "ssh_client", NULL);
	a->context = json_dup(j, "context", NULL);
	a->action = json_dup(j, "action", NULL);
	a->target = json_dup(j, "target", NULL);
	a->outcome = json_dup(j, "outcome", NULL);
	a->detail = json_dup(j, "detail", NULL);
	a->op = json_dup(j, "op", NULL);
	v = cJSON_GetObjectItemCaseSensitive(j, "pid");
	a->pid = cJSON_IsNumber(v)
		     ? (long)num_or(v->valuedouble, 0, LONG_MAX, 0)
		     : 0;
	v = cJSON_GetObjectItemCaseSensitive(j, "seq");
	a->seq =
	    cJSON_IsNumber(v)
		? (unsigned long long)num_or(v->valuedouble, 0, LLONG_MAX, 0)
		: 0;
	cJSON_Delete(j);
	return 0;
}

int audit_read_tail(const char *path_or_null, size_t max,
		    struct audit_entry **out, size_t *n, struct err *e)
{
	struct stat st;
	char *path, *buf = NULL, *p, *end;
	size_t len, count = 0;
	int fd, partial, rc = 0;

	*out = NULL;
	*n = 0;
	path = resolve(path_or_null, e);
	if (!path)
		return -ERR_IO;
	fd = open_log(path, O_RDONLY, e);
	if (fd < 0) {
		if (fd != -ERR_NOTFOUND)
			rc = fd;
		free(path);
		return rc;
	}
	lock_fd(fd, LOCK_SH);
	if (fstat(fd, &st) != 0 ||
	    read_tail(fd, st.st_size, max, &buf, &len, &partial) != 0) {
		rc = err_set(e, ERR_IO, "cannot read audit log %s: %s", path,
			     strerror(errno ? errno : EIO));
		goto out;
	}
	if (len == 0)
		goto out;
	*out = xcalloc(max, sizeof(**out));
	for (p = buf; p < buf + len; p = end + 1) {
		end = memchr(p, '\n', (size_t)(buf + len - p));
		if (!end)
			break;
		if (count < max &&
		    entry_from_line(&(*out)[count], p, (size_t)(end - p)) == 0)
			count++;
	}
	*n = count;
	if (count == 0) {
		free(*out);
		*out = NULL;
	}
out:
	free(buf);
	close(fd);
	free(path);
	return rc;
}

void audit_entries_free(struct audit_entry **v, size_t n)
{
	size_t i;

	if (!v || !*v)
		return;
	for (i = 0; i < n; i++) {
		struct audit_entry *a = &(*v)[i];

		free(a->time);
		free(a->user);
		free(a->sudo_user);
		free(a->identity);
		free(a->host);
		free(a->ssh_client);
		free(a->context);
		free(a->action);
		free(a->target);
		free(a->outcome);
		free(a->detail);
		free(a->op);
	}
	free(*v);
	*v = NULL;
}
