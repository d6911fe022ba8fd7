/* test_pktline.c - unit tests of pkt-line framing, ref advertisement
 * parsing and ref resolution on hand-made bytes. No network here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pktline.h"

#define OID_A "1111111111111111111111111111111111111111"
#define OID_B "2222222222222222222222222222222222222222"
#define OID_C "3333333333333333333333333333333333333333"
#define OID_T "4444444444444444444444444444444444444444"
#define CAPS                                                                  \
	"multi_ack thin-pack side-band symref=HEAD:refs/heads/main "          \
	"agent=git/2.39.2 object-format=sha1"

/* A growing byte buffer of pkt-lines. */
struct wire {
	char buf[8192];
	size_t len;
};

static void raw(struct wire *w, const char *s, size_t n)
{
	assert_true(w->len + n <= sizeof(w->buf));
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* One data packet with payload p of n bytes (NULs allowed). */
static void pkt(struct wire *w, const char *p, size_t n)
{
	char head[20];

	assert_true(n + 4 <= 0xffff);
	snprintf(head, sizeof(head), "%04x", (unsigned)(n + 4));
	raw(w, head, 4);
	raw(w, p, n);
}

static void pkt_str(struct wire *w, const char *s)
{
	pkt(w, s, strlen(s));
}

/* "<oid> <name>\0<caps>\n" */
static void pkt_first(struct wire *w, const char *oid, const char *name,
		      const char *caps)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%s %s", oid, name);

	line[n] = '\0';
	n++;
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", caps);
	pkt(w, line, (size_t)n);
}

static void pkt_ref(struct wire *w, const char *oid, const char *name)
{
	char line[512];

	snprintf(line, sizeof(line), "%s %s\n", oid, name);
	pkt_str(w, line);
}

static void flush(struct wire *w)
{
	raw(w, "0000", 4);
}

/* The usual repository: HEAD, develop, main, an annotated tag v1.0 (with
 * its peeled line) and a lightweight tag v0.9. */
static void demo_refs(struct wire *w)
{
	pkt_first(w, OID_B, "HEAD", CAPS);
	pkt_ref(w, OID_C, "refs/heads/develop");
	pkt_ref(w, OID_B, "refs/heads/main");
	pkt_ref(w, OID_A, "refs/tags/v0.9");
	pkt_ref(w, OID_T, "refs/tags/v1.0");
	pkt_ref(w, OID_A, "refs/tags/v1.0^{}");
	flush(w);
}

static void smart_http_demo(struct wire *w)
{
	memset(w, 0, sizeof(*w));
	pkt_str(w, "# service=git-upload-pack\n");
	flush(w);
	demo_refs(w);
}

static void test_next_framing(void **state)
{
	const char *in = "000ahello\n00000001000200040006hi";
	size_t off = 0, n;
	enum pkt_kind k;
	const char *p;
	struct err e = {0};

	(void)state;
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 1);
	assert_int_equal(k, PKT_DATA);
	assert_int_equal(n, 6);
	assert_memory_equal(p, "hello\n", 6);
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 1);
	assert_int_equal(k, PKT_FLUSH);
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 1);
	assert_int_equal(k, PKT_DELIM);
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 1);
	assert_int_equal(k, PKT_END);
	/* "0004" is an empty data packet. */
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 1);
	assert_int_equal(k, PKT_DATA);
	assert_int_equal(n, 0);
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 1);
	assert_memory_equal(p, "hi", 2);
	assert_int_equal(off, strlen(in));
	/* Nothing left: need more. */
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 0);
}

static void test_next_incomplete(void **state)
{
	const char *in = "000ahel";
	size_t off = 0, n;
	enum pkt_kind k;
	const char *p;
	struct err e = {0};

	(void)state;
	assert_int_equal(pktline_next(in, 2, &off, &k, &p, &n, &e), 0);
	assert_int_equal(pktline_next(in, strlen(in), &off, &k, &p, &n, &e),
			 0);
	assert_int_equal(off, 0);
	/* Upper-case hex is accepted, as git does. */
	assert_int_equal(pktline_next("000Aabcdef", 10, &off, &k, &p, &n, &e),
			 1);
	assert_int_equal(n, 6);
}

static void test_next_malformed(void **state)
{
	static const char *const bad[] = {"00x4abcd", "zzzz", "0003",
					  "fff1",     "-001", " 004"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t off = 0, n;
		enum pkt_kind k;
		const char *p;
		struct err e = {0};

		assert_true(pktline_next(bad[i], strlen(bad[i]), &off, &k, &p,
					 &n, &e) < 0);
		assert_int_equal(e.code, ERR_PARSE);
		assert_non_null(strstr(e.msg, "malformed pkt-line"));
		assert_int_equal(off, 0);
	}
}

static void test_parse_smart_http(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};
	char agent[64];

	(void)state;
	smart_http_demo(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 1, &a, &e), 0);
	assert_int_equal(a.nrefs, 6);
	assert_string_equal(a.refs[0].name, "HEAD");
	assert_string_equal(a.refs[0].oid, OID_B);
	assert_string_equal(a.refs[5].name, "refs/tags/v1.0^{}");
	assert_non_null(a.head_target);
	assert_string_equal(a.head_target, "refs/heads/main");
	assert_int_equal(pkt_adv_cap(&a, "agent", agent, sizeof(agent)), 1);
	assert_string_equal(agent, "git/2.39.2");
	assert_int_equal(pkt_adv_cap(&a, "thin-pack", agent, sizeof(agent)),
			 1);
	assert_string_equal(agent, "");
	assert_int_equal(pkt_adv_cap(&a, "thin", agent, sizeof(agent)), 0);
	assert_int_equal(pkt_adv_cap(&a, "ofs-delta", agent, sizeof(agent)),
			 0);
	assert_non_null(pkt_adv_find(&a, "refs/heads/develop"));
	assert_null(pkt_adv_find(&a, "refs/heads/nope"));
	pkt_adv_clear(&a);
	assert_null(a.refs);
	assert_int_equal(a.nrefs, 0);
}

static void test_parse_ssh(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};

	(void)state;
	memset(&w, 0, sizeof(w));
	demo_refs(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 0, &a, &e), 0);
	assert_int_equal(a.nrefs, 6);
	pkt_adv_clear(&a);
	/* Smart HTTP input given to the SSH parser is not a ref line. */
	smart_http_demo(&w);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	assert_int_equal(e.code, ERR_PARSE);
	/* And SSH input given to the HTTP parser lacks the service line. */
	memset(&w, 0, sizeof(w));
	demo_refs(&w);
	assert_true(pkt_adv_parse(w.buf, w.len, 1, &a, &e) < 0);
	assert_non_null(strstr(e.msg, "not a smart HTTP ref advertisement"));
}

static void test_parse_version1_and_lf_less(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};
	char line[128];

	(void)state;
	memset(&w, 0, sizeof(w));
	pkt_str(&w, "version 1\n");
	pkt_first(&w, OID_A, "HEAD", "symref=HEAD:refs/heads/trunk");
	/* No trailing LF: allowed. Upper-case oid: lower-cased. */
	snprintf(line, sizeof(line), "%s refs/heads/trunk",
		 "ABCDEF1111111111111111111111111111111111");
	pkt_str(&w, line);
	flush(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 0, &a, &e), 0);
	assert_int_equal(a.nrefs, 2);
	assert_string_equal(a.refs[1].oid,
			    "abcdef1111111111111111111111111111111111");
	assert_string_equal(a.head_target, "refs/heads/trunk");
	pkt_adv_clear(&a);
}

static void test_parse_sha256(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};
	char oid[PKT_OID_MAX], res[64];
	const char *o64 = OID_A OID_B;

	(void)state;
	memset(&w, 0, sizeof(w));
	pkt_first(&w, o64 + 16, "refs/heads/main", "object-format=sha256");
	flush(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 0, &a, &e), 0);
	assert_int_equal(strlen(a.refs[0].oid), 64);
	assert_int_equal(
	    pkt_adv_resolve(&a, "main", oid, res, sizeof(res), &e), 0);
	assert_string_equal(oid, o64 + 16);
	pkt_adv_clear(&a);
}

static void test_parse_empty_repo(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};
	char oid[PKT_OID_MAX], res[64];

	(void)state;
	memset(&w, 0, sizeof(w));
	pkt_str(&w, "# service=git-upload-pack\n");
	flush(&w);
	pkt_first(&w, "0000000000000000000000000000000000000000",
		  "capabilities^{}", "agent=git/2.39.2");
	flush(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 1, &a, &e), 0);
	assert_int_equal(a.nrefs, 0);
	assert_non_null(a.caps);
	assert_true(pkt_adv_resolve(&a, NULL, oid, res, sizeof(res), &e) < 0);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_string_equal(e.msg, "the remote repository is empty");
	pkt_adv_clear(&a);

	/* A bare flush is an empty repository too. */
	assert_int_equal(pkt_adv_parse("0000", 4, 0, &a, &e), 0);
	assert_int_equal(a.nrefs, 0);
	pkt_adv_clear(&a);
}

static void test_parse_err_packet(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};

	(void)state;
	memset(&w, 0, sizeof(w));
	pkt_str(&w, "ERR access denied\n");
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	assert_int_equal(e.code, ERR_DENIED);
	assert_string_equal(e.msg,
			    "the server refused the request: access denied");
	/* Over smart HTTP the ERR may come instead of the service line. */
	assert_true(pkt_adv_parse(w.buf, w.len, 1, &a, &e) < 0);
	assert_int_equal(e.code, ERR_DENIED);
	/* Or in the middle of the refs; control bytes are not passed on. */
	memset(&w, 0, sizeof(w));
	pkt_first(&w, OID_A, "HEAD", CAPS);
	pkt_str(&w, "ERR repo \033[31mgone\n");
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	assert_string_equal(e.msg,
			    "the server refused the request: repo ?[31mgone");
	assert_null(a.refs);
}

static void test_parse_malformed(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};

	(void)state;
	/* Cut before the final flush. */
	smart_http_demo(&w);
	assert_true(pkt_adv_parse(w.buf, w.len - 4, 1, &a, &e) < 0);
	assert_string_equal(e.msg, "the ref advertisement ended early");
	/* Cut inside a packet. */
	assert_true(pkt_adv_parse(w.buf, w.len - 20, 1, &a, &e) < 0);
	assert_int_equal(e.code, ERR_PARSE);
	/* A bad length in the middle. */
	memset(&w, 0, sizeof(w));
	pkt_first(&w, OID_A, "HEAD", CAPS);
	raw(&w, "00zz", 4);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	assert_non_null(strstr(e.msg, "malformed pkt-line"));
	/* Short oid, no space, empty name, space in name. */
	memset(&w, 0, sizeof(w));
	pkt_str(&w, "1234 refs/heads/main\n");
	flush(&w);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	assert_non_null(strstr(e.msg, "malformed ref advertisement line"));
	memset(&w, 0, sizeof(w));
	pkt_str(&w, OID_A "refs/heads/main\n");
	flush(&w);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	memset(&w, 0, sizeof(w));
	pkt_str(&w, OID_A " \n");
	flush(&w);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	memset(&w, 0, sizeof(w));
	pkt_str(&w, OID_A " refs/heads/a b\n");
	flush(&w);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	/* Protocol v2 is not what we asked for. */
	memset(&w, 0, sizeof(w));
	pkt_str(&w, "version 2\n");
	pkt_str(&w, "ls-refs=unborn\n");
	flush(&w);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	/* A delimiter packet has no place in a v0 advertisement. */
	memset(&w, 0, sizeof(w));
	pkt_first(&w, OID_A, "HEAD", CAPS);
	raw(&w, "0001", 4);
	assert_true(pkt_adv_parse(w.buf, w.len, 0, &a, &e) < 0);
	assert_non_null(strstr(e.msg, "delimiter"));
	/* Nothing at all. */
	assert_true(pkt_adv_parse("", 0, 1, &a, &e) < 0);
	/* A dumb HTTP server's info/refs is not pkt-line framed. */
	assert_true(pkt_adv_parse(OID_A "\trefs/heads/main\n", 57, 1, &a, &e) <
		    0);
	assert_null(a.refs);
}

static void test_find_end(void **state)
{
	struct wire w;
	struct pkt_scan s = {0, 0};
	struct err e = {0};
	size_t end = 0, i;

	(void)state;
	smart_http_demo(&w);
	/* Byte by byte, as a slow connection would deliver it. */
	for (i = 1; i < w.len; i++)
		assert_int_equal(pkt_adv_find_end(w.buf, i, 1, &s, &end, &e),
				 0);
	assert_int_equal(pkt_adv_find_end(w.buf, w.len, 1, &s, &end, &e), 1);
	assert_int_equal(end, w.len);

	/* SSH: the first flush ends it, trailing bytes are not counted. */
	memset(&w, 0, sizeof(w));
	demo_refs(&w);
	raw(&w, "0008NAK\n", 8);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pkt_adv_find_end(w.buf, w.len, 0, &s, &end, &e), 1);
	assert_int_equal(end, w.len - 8);

	/* An ERR packet ends it too. */
	memset(&w, 0, sizeof(w));
	pkt_str(&w, "ERR no\n");
	memset(&s, 0, sizeof(s));
	assert_int_equal(pkt_adv_find_end(w.buf, w.len, 0, &s, &end, &e), 1);

	memset(&s, 0, sizeof(s));
	assert_true(pkt_adv_find_end("xx", 2, 0, &s, &end, &e) == 0);
	assert_true(pkt_adv_find_end("xxxx", 4, 0, &s, &end, &e) < 0);
}

static void resolve_ok(const struct pkt_adv *a, const char *ref,
		       const char *want_oid, const char *want_ref)
{
	char oid[PKT_OID_MAX], res[256];
	struct err e = {0};

	assert_int_equal(pkt_adv_resolve(a, ref, oid, res, sizeof(res), &e),
			 0);
	assert_string_equal(oid, want_oid);
	assert_string_equal(res, want_ref);
}

static void test_resolve(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};
	char oid[PKT_OID_MAX], res[256];

	(void)state;
	smart_http_demo(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 1, &a, &e), 0);
	resolve_ok(&a, NULL, OID_B, "refs/heads/main");
	resolve_ok(&a, "", OID_B, "refs/heads/main");
	resolve_ok(&a, "HEAD", OID_B, "refs/heads/main");
	resolve_ok(&a, "main", OID_B, "refs/heads/main");
	resolve_ok(&a, "refs/heads/develop", OID_C, "refs/heads/develop");
	/* Annotated: peeled to the commit. Lightweight: as is. */
	resolve_ok(&a, "v1.0", OID_A, "refs/tags/v1.0");
	resolve_ok(&a, "refs/tags/v1.0", OID_A, "refs/tags/v1.0");
	resolve_ok(&a, "v0.9", OID_A, "refs/tags/v0.9");

	assert_true(pkt_adv_resolve(&a, "release", oid, res, sizeof(res), &e) <
		    0);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_string_equal(e.msg,
			    "ref release not found on the remote (it has: "
			    "develop, main, v0.9, v1.0)");
	assert_true(pkt_adv_resolve(&a, "refs/heads/v1.0", oid, res,
				    sizeof(res), &e) < 0);
	pkt_adv_clear(&a);
}

static void test_resolve_branch_before_tag(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};

	(void)state;
	memset(&w, 0, sizeof(w));
	pkt_first(&w, OID_T, "refs/tags/x", CAPS);
	pkt_ref(&w, OID_C, "refs/heads/x");
	flush(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 0, &a, &e), 0);
	resolve_ok(&a, "x", OID_C, "refs/heads/x");
	pkt_adv_clear(&a);
}

static void test_resolve_long_list(void **state)
{
	struct wire w;
	struct pkt_adv a;
	struct err e = {0};
	char oid[PKT_OID_MAX], res[64], name[64];
	int i;

	(void)state;
	memset(&w, 0, sizeof(w));
	pkt_first(&w, OID_A, "refs/heads/b00", CAPS);
	for (i = 1; i < 12; i++) {
		snprintf(name, sizeof(name), "refs/heads/b%02d", i);
		pkt_ref(&w, OID_A, name);
	}
	pkt_ref(&w, OID_A, "refs/pull/1/head");
	flush(&w);
	assert_int_equal(pkt_adv_parse(w.buf, w.len, 0, &a, &e), 0);
	/* No HEAD advertised (it points to an unborn branch). */
	assert_true(pkt_adv_resolve(&a, NULL, oid, res, sizeof(res), &e) < 0);
	assert_non_null(strstr(e.msg, "HEAD not found on the remote"));
	assert_true(pkt_adv_resolve(&a, "main", oid, res, sizeof(res), &e) <
		    0);
	assert_string_equal(e.msg,
			    "ref main not found on the remote (it has: b00, "
			    "b01, b02, b03, b04, b05, b06, b07 and 4 more)");
	pkt_adv_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_next_framing),
	    cmocka_unit_test(test_next_incomplete),
	    cmocka_unit_test(test_next_malformed),
	    cmocka_unit_test(test_parse_smart_http),
	    cmocka_unit_test(test_parse_ssh),
	    cmocka_unit_test(test_parse_version1_and_lf_less),
	    cmocka_unit_test(test_parse_sha256),
	    cmocka_unit_test(test_parse_empty_repo),
	    cmocka_unit_test(test_parse_err_packet),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_find_end),
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_resolve_branch_before_tag),
	    cmocka_unit_test(test_resolve_long_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
