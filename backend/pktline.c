/* pktline.c - pkt-line framing and ref advertisement parsing, pure
 * functions over bytes. The transports live in git_remote.c. */
#include "pktline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define SERVICE_LINE "# service=git-upload-pack"
#define NAMES_LISTED 8

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A printable copy of untrusted text for a sentence: control bytes
 * become '?', and it is cut at bufsz - 1. */
static void printable(char *buf, size_t bufsz, const char *s, size_t n)
{
	size_t i;

	if (n >= bufsz)
		n = bufsz - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[n] = '\0';
}

int pktline_next(const char *buf, size_t len, size_t *off, enum pkt_kind *kind,
		 const char **payload, size_t *plen, struct err *e)
{
	size_t at = *off, n = 0;
	int i;

	if (len < at || len - at < 4)
		return 0;
	for (i = 0; i < 4; i++) {
		int v = hexval(buf[at + i]);

		if (v < 0) {
			char shown[8];

			printable(shown, sizeof(shown), buf + at, 4);
			return err_set(e, ERR_PARSE,
				       "malformed pkt-line: length \"%s\" "
				       "is not 4 hex digits",
				       shown);
		}
		n = n * 16 + (size_t)v;
	}
	if (n == 3 || n > PKT_MAX_LEN)
		return err_set(e, ERR_PARSE,
			       "malformed pkt-line: length %zu is out of "
			       "range",
			       n);
	if (n < 4) {
		*kind = n == 0 ? PKT_FLUSH : n == 1 ? PKT_DELIM : PKT_END;
		*payload = buf + at + 4;
		*plen = 0;
		*off = at + 4;
		return 1;
	}
	if (len - at < n)
		return 0;
	*kind = PKT_DATA;
	*payload = buf + at + 4;
	*plen = n - 4;
	*off = at + n;
	return 1;
}

static int is_err_packet(const char *p, size_t n)
{
	return n >= 4 && memcmp(p, "ERR ", 4) == 0;
}

int pkt_adv_find_end(const char *buf, size_t len, int smart_http,
		     struct pkt_scan *s, size_t *end, struct err *e)
{
	int want = smart_http ? 2 : 1;

	for (;;) {
		enum pkt_kind kind;
		const char *p;
		size_t n;
		int rc = pktline_next(buf, len, &s->off, &kind, &p, &n, e);

		if (rc <= 0)
			return rc;
		if (kind == PKT_DATA && is_err_packet(p, n)) {
			*end = s->off;
			return 1;
		}
		if (kind != PKT_FLUSH)
			continue;
		s->flushes++;
		if (s->flushes >= want) {
			*end = s->off;
			return 1;
		}
	}
}

static int err_packet(const char *p, size_t n, struct err *e)
{
	char msg[256];

	p += 4;
	n -= 4;
	if (n && p[n - 1] == '\n')
		n--;
	printable(msg, sizeof(msg), p, n);
	return err_set(e, ERR_DENIED, "the server refused the request: %s",
		       msg);
}

static void add_ref(struct pkt_adv *a, const char *name, size_t nlen,
		    const char *oid, size_t olen)
{
	struct pkt_ref *r;
	size_t i;

	a->refs = xgrow(a->refs, &a->cap, a->nrefs + 1, sizeof(*a->refs));
	r = &a->refs[a->nrefs++];
	r->name = xstrndup(name, nlen);
	for (i = 0; i < olen; i++) {
		char c = oid[i];

		r->oid[i] = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
	}
	r->oid[olen] = '\0';
}

/* Finds "name" or "name=value" among space-separated capabilities. */
static const char *cap_find(const char *name, size_t *vlen, int *has_value,
			    const char **from)
{
	const char *p = *from;
	size_t nlen = strlen(name);

	while (p && *p) {
		const char *tok_end = strchr(p, ' ');
		size_t tlen = tok_end ? (size_t)(tok_end - p) : strlen(p);

		*from = tok_end ? tok_end + 1 : p + tlen;
		if (tlen >= nlen && memcmp(p, name, nlen) == 0 &&
		    (tlen == nlen || p[nlen] == '=')) {
			*has_value = tlen > nlen;
			*vlen = tlen > nlen ? tlen - nlen - 1 : 0;
			return tlen > nlen ? p + nlen + 1 : p + nlen;
		}
		p = *from;
	}
	return NULL;
}

int pkt_adv_cap(const struct pkt_adv *a, const char *name, char *buf,
		size_t bufsz)
{
	const char *from = a->caps;
	const char *v;
	size_t vlen = 0;
	int has_value = 0;

	if (!a->caps)
		return 0;
	v = cap_find(name, &vlen, &has_value, &from);
	if (!v)
		return 0;
	if (bufsz) {
		if (vlen >= bufsz)
			vlen = bufsz - 1;
		memcpy(buf, v, vlen);
		buf[vlen] = '\0';
	}
	return 1;
}

static void set_caps(struct pkt_adv *a, const char *caps, size_t n)
{
	const char *from, *v;
	size_t vlen = 0;
	int has_value = 0;

	a->caps = xstrndup(caps, n);
	from = a->caps;
	/* symref may appear more than once; only HEAD's matters. */
	for (;;) {
		v = cap_find("symref", &vlen, &has_value, &from);
		if (!v)
			break;
		if (vlen > 5 && memcmp(v, "HEAD:", 5) == 0) {
			a->head_target = xstrndup(v + 5, vlen - 5);
			break;
		}
	}
}

static int valid_ref_name(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

/* "<oid> <name>[\0caps]" */
static int ref_line(struct pkt_adv *a, const char *p, size_t n, struct err *e)
{
	const char *nul = memchr(p, '\0', n);
	size_t line = nul ? (size_t)(nul - p) : n;
	size_t olen = 0;
	char shown[96];

	while (olen < line && hexval(p[olen]) >= 0)
		olen++;
	if ((olen != 40 && olen != 64) || olen >= line || p[olen] != ' ' ||
	    !valid_ref_name(p + olen + 1, line - olen - 1)) {
		printable(shown, sizeof(shown), p, line);
		return err_set(e, ERR_PARSE,
			       "malformed ref advertisement line \"%s\"",
			       shown);
	}
	if (nul && !a->caps)
		set_caps(a, nul + 1, n - line - 1);
	if (line - olen - 1 == 15 &&
	    memcmp(p + olen + 1, "capabilities^{}", 15) == 0)
		return 0; /* an empty repository */
	add_ref(a, p + olen + 1, line - olen - 1, p, olen);
	return 0;
}

static int ended_early(struct err *e)
{
	return err_set(e, ERR_PARSE, "the ref advertisement ended early");
}

static int skip_service(const char *buf, size_t len, size_t *off,
			struct err *e)
{
	enum pkt_kind kind;
	const char *p;
	size_t n;
	int rc = pktline_next(buf, len, off, &kind, &p, &n, e);
	char shown[64];

	if (rc < 0)
		return rc;
	if (rc == 0)
		return ended_early(e);
	if (kind == PKT_DATA && is_err_packet(p, n))
		return err_packet(p, n, e);
	if (kind == PKT_DATA && n && p[n - 1] == '\n')
		n--;
	if (kind != PKT_DATA || n != strlen(SERVICE_LINE) ||
	    memcmp(p, SERVICE_LINE, n) != 0) {
		printable(shown, sizeof(shown), p, n);
		return err_set(e, ERR_PARSE,
			       "not a smart HTTP ref advertisement (first "
			       "line \"%s\")",
			       shown);
	}
	/* Anything up to the flush is ignored, as git itself does. */
	for (;;) {
		rc = pktline_next(buf, len, off, &kind, &p, &n, e);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return ended_early(e);
		if (kind == PKT_FLUSH)
			return 0;
	}
}

static int parse_refs(const char *buf, size_t len, size_t off,
		      struct pkt_adv *out, struct err *e)
{
	int first = 1;

	for (;;) {
		enum pkt_kind kind;
		const char *p;
		size_t n;
		int rc = pktline_next(buf, len, &off, &kind, &p, &n, e);

		if (rc < 0)
			return rc;
		if (rc == 0)
			return ended_early(e);
		if (kind == PKT_FLUSH)
			return 0;
		if (kind != PKT_DATA)
			return err_set(e, ERR_PARSE,
				       "malformed ref advertisement: "
				       "unexpected %s packet",
				       kind == PKT_DELIM ? "delimiter"
							 : "response-end");
		if (is_err_packet(p, n))
			return err_packet(p, n, e);
		if (n && p[n - 1] == '\n')
			n--;
		if (first && n == 9 && memcmp(p, "version 1", 9) == 0)
			continue;
		if (first && n >= 9 && memcmp(p, "version ", 8) == 0)
			return err_set(e, ERR_PARSE,
				       "the server answered with a Git "
				       "protocol version other than 0 or 1");
		if (n >= 8 && memcmp(p, "shallow ", 8) == 0)
			continue;
		rc = ref_line(out, p, n, e);
		if (rc < 0)
			return rc;
		first = 0;
	}
}

int pkt_adv_parse(const char *buf, size_t len, int smart_http,
		  struct pkt_adv *out, struct err *e)
{
	size_t off = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (smart_http)
		rc = skip_service(buf, len, &off, e);
	if (rc == 0)
		rc = parse_refs(buf, len, off, out, e);
	if (rc < 0)
		pkt_adv_clear(out);
	return rc;
}

void pkt_adv_clear(struct pkt_adv *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nrefs; i++)
		free(a->refs[i].name);
	free(a->refs);
	free(a->caps);
	free(a->head_target);
	memset(a, 0, sizeof(*a));
}

const struct pkt_ref *pkt_adv_find(const struct pkt_adv *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nrefs; i++)
		if (strcmp(a->refs[i].name, name) == 0)
			return &a->refs[i];
	return NULL;
}

static int short_name(const char *name, const char **out)
{
	size_t n = strlen(name);

	if (n >= 3 && strcmp(name + n - 3, "^{}") == 0)
		return 0;
	if (strncmp(name, "refs/heads/", 11) == 0) {
		*out = name + 11;
		return 1;
	}
	if (strncmp(name, "refs/tags/", 10) == 0) {
		*out = name + 10;
		return 1;
	}
	return 0;
}

static void append(char *buf, size_t sz, const char *s)
{
	size_t have = strlen(buf);

	if (have + 1 < sz)
		snprintf(buf + have, sz - have, "%s", s);
}

/* "a, b, c and 4 more" of the branches and tags, into buf. */
static void list_names(const struct pkt_adv *a, char *buf, size_t sz)
{
	size_t i, listed = 0, more = 0;
	char name[128];

	buf[0] = '\0';
	for (i = 0; i < a->nrefs; i++) {
		const char *s;

		if (!short_name(a->refs[i].name, &s))
			continue;
		if (listed == NAMES_LISTED) {
			more++;
			continue;
		}
		printable(name, sizeof(name), s, strlen(s));
		if (listed)
			append(buf, sz, ", ");
		append(buf, sz, name);
		listed++;
	}
	if (more) {
		char tail[48];

		snprintf(tail, sizeof(tail), " and %zu more", more);
		append(buf, sz, tail);
	}
}

static int not_found(const struct pkt_adv *a, const char *what, struct err *e)
{
	char names[320], shown[128];

	list_names(a, names, sizeof(names));
	printable(shown, sizeof(shown), what, strlen(what));
	if (!names[0])
		return err_set(e, ERR_NOTFOUND,
			       "%s not found on the remote (it has no "
			       "branches or tags)",
			       shown);
	return err_set(e, ERR_NOTFOUND,
		       "%s not found on the remote (it has: %s)", shown,
		       names);
}

static void copy_bounded(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (!sz)
		return;
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int pkt_adv_resolve(const struct pkt_adv *a, const char *ref, char *oid,
		    char *resolved, size_t resolved_sz, struct err *e)
{
	const struct pkt_ref *r = NULL, *peeled;
	char *full = NULL;

	if (a->nrefs == 0)
		return err_set(e, ERR_NOTFOUND,
			       "the remote repository is empty");
	if (!ref || !*ref || strcmp(ref, "HEAD") == 0) {
		r = pkt_adv_find(a, "HEAD");
		if (!r)
			return not_found(a, "HEAD", e);
		memcpy(oid, r->oid, PKT_OID_MAX);
		copy_bounded(resolved, resolved_sz,
			     a->head_target ? a->head_target : "HEAD");
		return 0;
	}
	if (strncmp(ref, "refs/", 5) == 0) {
		r = pkt_adv_find(a, ref);
	} else {
		full = xasprintf("refs/heads/%s", ref);
		r = pkt_adv_find(a, full);
		if (!r) {
			free(full);
			full = xasprintf("refs/tags/%s", ref);
			r = pkt_adv_find(a, full);
		}
		free(full);
	}
	if (!r) {
		char what[160];

		snprintf(what, sizeof(what), "ref %s", ref);
		return not_found(a, what, e);
	}
	copy_bounded(resolved, resolved_sz, r->name);
	full = xasprintf("%s^{}", r->name);
	peeled = pkt_adv_find(a, full);
	free(full);
	memcpy(oid, peeled ? peeled->oid : r->oid, PKT_OID_MAX);
	return 0;
}
