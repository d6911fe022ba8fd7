/* strbuf.c - the growable string: appending, percent-encoding, forms and
 * whole files, with secrets wiped. No parsing, no JSON. */
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

#define FIRST_CAP  64
#define READ_SLICE 4096

/* Room for want more bytes and a NUL. */
static void reserve(struct strbuf *b, size_t want)
{
	size_t cap = b->cap ? b->cap : FIRST_CAP;
	char *np;

	if (b->len + want + 1 <= b->cap)
		return;
	while (cap < b->len + want + 1)
		cap *= 2;
	if (!b->secret) {
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
		return;
	}
	/* Not realloc: the old block would be freed with the secret. */
	np = xmalloc(cap);
	if (b->p) {
		memcpy(np, b->p, b->len + 1);
		xfree_secret(b->p, b->cap);
	}
	b->p = np;
	b->cap = cap;
}

void strbuf_addn(struct strbuf *b, const void *s, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

int strbuf_addn_max(struct strbuf *b, const void *s, size_t n, size_t max)
{
	if (b->len > max || n > max - b->len)
		return -1;
	strbuf_addn(b, s, n);
	return 0;
}

void strbuf_add(struct strbuf *b, const char *s)
{
	if (s)
		strbuf_addn(b, s, strlen(s));
}

void strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

void strbuf_add_pct(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char enc[3];

		if (unreserved(c)) {
			strbuf_addn(b, s, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		strbuf_addn(b, enc, 3);
	}
}

void strbuf_add_form(struct strbuf *b, const char *key, const char *value)
{
	if (b->len)
		strbuf_addn(b, "&", 1);
	strbuf_add_pct(b, key);
	strbuf_addn(b, "=", 1);
	strbuf_add_pct(b, value);
}

const char *strbuf_str(const struct strbuf *b)
{
	return b->p ? b->p : "";
}

char *strbuf_take(struct strbuf *b)
{
	char *s = b->p ? b->p : xstrdup("");

	b->p = NULL;
	b->len = b->cap = 0;
	return s;
}

void strbuf_reset(struct strbuf *b)
{
	if (!b->p)
		return;
	if (b->secret)
		explicit_bzero(b->p, b->cap);
	b->len = 0;
	b->p[0] = '\0';
}

void strbuf_free(struct strbuf *b)
{
	if (b->secret)
		xfree_secret(b->p, b->cap);
	else
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Cuts b back to len bytes, zeroing what goes when secret. */
static void cut(struct strbuf *b, size_t len)
{
	if (!b->p)
		return;
	if (b->secret)
		explicit_bzero(b->p + len, b->cap - len);
	b->len = len;
	b->p[len] = '\0';
}

int strbuf_read_file(struct strbuf *b, const char *path, size_t max)
{
	size_t start = b->len;
	ssize_t r;
	struct stat st;
	int fd, saved, fl;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) != 0) {
		saved = errno;
		close(fd);
		return saved;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return STRBUF_NOT_REGULAR;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	for (;;) {
		reserve(b, READ_SLICE);
		r = read(fd, b->p + b->len, READ_SLICE);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			close(fd);
			cut(b, start);
			return saved;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		b->p[b->len] = '\0';
		if (b->len - start > max) {
			close(fd);
			cut(b, start);
			return EFBIG;
		}
	}
	close(fd);
	b->p[b->len] = '\0';
	return 0;
}

const char *strbuf_file_error(int rc)
{
	return rc == STRBUF_NOT_REGULAR ? "not a regular file (a FIFO, a "
					  "device or a directory is not read)"
					: strerror(rc);
}
