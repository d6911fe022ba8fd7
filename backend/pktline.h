/* pktline.h - Git's pkt-line framing and upload-pack's ref advertisement
 * (protocol v0/v1), parsed from bytes in memory. No I/O, no network. */
#ifndef JD_PKTLINE_H
#define JD_PKTLINE_H

#include <stddef.h>

#include "err.h"

#define PKT_MAX_LEN 65520 /* largest pkt-line, 4 length bytes included */
#define PKT_OID_MAX 65	  /* 64 hex digits (SHA-256) plus NUL */

enum pkt_kind {
	PKT_DATA = 0,
	PKT_FLUSH = 1, /* "0000" */
	PKT_DELIM = 2, /* "0001" (protocol v2) */
	PKT_END = 3,   /* "0002" (protocol v2 response end) */
};

/* One packet starting at buf + *off. Returns 1 and advances *off past it
 * (payload points into buf, *plen excludes the 4 length bytes), 0 when
 * more bytes are needed (nothing changes), or a negative status with
 * "malformed pkt-line ..." in e when the length is not 4 hex digits or
 * is out of range. */
int pktline_next(const char *buf, size_t len, size_t *off, enum pkt_kind *kind,
		 const char **payload, size_t *plen, struct err *e);

struct pkt_ref {
	char *name;	       /* "HEAD", "refs/heads/x", "refs/tags/v1^{}" */
	char oid[PKT_OID_MAX]; /* lower-case hex, 40 or 64 digits */
};

/* A parsed advertisement; owns every string in it. */
struct pkt_adv {
	struct pkt_ref *refs; /* in wire order */
	size_t nrefs, cap;
	char *caps;	   /* capabilities of the first line, or NULL */
	char *head_target; /* from symref=HEAD:<ref>, or NULL */
};

/* Progress of pkt_adv_find_end() over a growing buffer; zero it first. */
struct pkt_scan {
	size_t off;
	int flushes;
};

/* Where a complete advertisement ends: after the flush that closes the
 * ref list (for smart HTTP, the second flush), or after an "ERR" packet.
 * Returns 1 and sets *end, 0 when more bytes are needed, negative on
 * malformed framing. Each byte is looked at once across calls. */
int pkt_adv_find_end(const char *buf, size_t len, int smart_http,
		     struct pkt_scan *s, size_t *end, struct err *e);

/* Parses a whole advertisement. smart_http: expect the
 * "# service=git-upload-pack" packet and its flush first (as served by
 * GET info/refs). Returns 0, or negative with a sentence in e: framing
 * errors, an "ERR message" packet ("the server refused the request:
 * message", ERR_DENIED), a missing flush (ERR_PARSE "the ref
 * advertisement ended early"), a line that is not "<oid> <ref>". An
 * empty repository parses to nrefs 0. On failure *out is cleared. */
int pkt_adv_parse(const char *buf, size_t len, int smart_http,
		  struct pkt_adv *out, struct err *e);

void pkt_adv_clear(struct pkt_adv *a);

/* The exact ref named name, or NULL. Pointer valid until the clear. */
const struct pkt_ref *pkt_adv_find(const struct pkt_adv *a, const char *name);

/* Value of capability name ("agent" -> "git/2.39.2"), copied into buf;
 * returns 1 when present (value may be empty), 0 when absent. */
int pkt_adv_cap(const struct pkt_adv *a, const char *name, char *buf,
		size_t bufsz);

/* Resolves what a Flux GitRepository names to a commit:
 * NULL or "" or "HEAD": the remote's HEAD (resolved_ref becomes the
 *   symref target when advertised, else "HEAD");
 * "refs/...": that ref;
 * otherwise "refs/heads/X", then "refs/tags/X".
 * A tag is peeled: when "<ref>^{}" is advertised its object is used.
 * Fills oid (PKT_OID_MAX bytes) and resolved (bounded). Returns 0, or
 * -ERR_NOTFOUND with "ref X not found on the remote (it has: a, b, ...)"
 * or "the remote repository is empty". */
int pkt_adv_resolve(const struct pkt_adv *a, const char *ref, char *oid,
		    char *resolved, size_t resolved_sz, struct err *e);

#endif
