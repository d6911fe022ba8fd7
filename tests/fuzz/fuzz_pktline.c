/* fuzz_pktline.c - libFuzzer target for pkt-line framing and the ref
 * advertisement of git-upload-pack: the end of an advertisement is found
 * at the same byte however the bytes arrive, a parsed advertisement has
 * only well-formed object ids, and resolving a ref fills bounded buffers.
 * Not a git client.
 *
 * Input: byte 0 bit 0 smart HTTP, bits 1-7 the chunk size of the
 * incremental scan; the rest is the server's answer.
 */
#include "fuzz.h"

#include "backend/pktline.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static int oid_ok(const char *oid)
{
	size_t n = strspn(oid, "0123456789abcdef");

	return oid[n] == '\0' && (n == 40 || n == 64);
}

/* Feeds the scanner growing prefixes, as a socket would. */
static int find_end_chunked(const char *buf, size_t len, int smart,
			    size_t chunk, size_t *end)
{
	struct pkt_scan s;
	struct err e;
	size_t have = 0;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	while (have < len) {
		have += chunk;
		if (have > len)
			have = len;
		rc = pkt_adv_find_end(buf, have, smart, &s, end, &e);
		if (rc != 0)
			return rc;
	}
	return rc;
}

static void check_resolve(const struct pkt_adv *a, const char *ref)
{
	char oid[PKT_OID_MAX], resolved[48];
	struct err e;

	memset(&e, 0, sizeof(e));
	if (pkt_adv_resolve(a, ref, oid, resolved, sizeof(resolved), &e) ==
	    0) {
		FZ_CHECK(oid_ok(oid), "a resolved ref has a bad object id");
		FZ_CHECK(memchr(resolved, '\0', sizeof(resolved)),
			 "the resolved name overran its buffer");
	} else {
		FZ_CHECK(e.msg[0], "an unresolved ref has no sentence");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf;
	size_t len, end1 = 0, end2 = 0, i;
	int smart, rc1, rc2;
	struct pkt_scan s;
	struct pkt_adv a;
	struct err e;
	char cap[16];

	if (size < 1)
		return 0;
	smart = data[0] & 1;
	buf = (const char *)data + 1;
	len = size - 1;

	memset(&s, 0, sizeof(s));
	rc1 = pkt_adv_find_end(buf, len, smart, &s, &end1, &e);
	rc2 = find_end_chunked(buf, len, smart, (size_t)(data[0] >> 1) + 1,
			       &end2);
	FZ_CHECK(rc1 == rc2, "the end is found or not depending on how the "
			     "bytes arrived");
	if (rc1 == 1)
		FZ_CHECK(end1 == end2 && end1 <= len, "the end moved with how "
						      "the bytes arrived");

	memset(&e, 0, sizeof(e));
	if (pkt_adv_parse(buf, len, smart, &a, &e) == 0) {
		FZ_CHECK(rc1 == 1, "an advertisement parsed whose end the "
				   "scanner did not find");
		FZ_CHECK(a.nrefs <= len / 5, "more refs than lines");
		for (i = 0; i < a.nrefs; i++) {
			FZ_CHECK(a.refs[i].name && a.refs[i].name[0],
				 "a ref without a name");
			FZ_CHECK(oid_ok(a.refs[i].oid),
				 "a ref with a bad object id");
			FZ_CHECK(pkt_adv_find(&a, a.refs[i].name) != NULL,
				 "a parsed ref cannot be found");
		}
		check_resolve(&a, NULL);
		check_resolve(&a, "main");
		check_resolve(&a, "refs/tags/v1");
		if (pkt_adv_cap(&a, "agent", cap, sizeof(cap)))
			FZ_CHECK(strlen(cap) < sizeof(cap),
				 "a capability "
				 "overran its buffer");
		pkt_adv_clear(&a);
	} else {
		FZ_CHECK(a.nrefs == 0 && !a.refs && !a.caps,
			 "a failed parse left refs behind");
		FZ_CHECK(e.msg[0], "a failed parse has no sentence");
	}
	return 0;
}
