/* test_known_hosts.c - unit tests for known_hosts matching: host names,
 * patterns, negation, hashed names, markers, algorithms and verdicts. The
 * hashed lines and fingerprints were made by OpenSSH's ssh-keygen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/base64.h"
#include "backend/known_hosts.h"

/* Key blobs (type string, then key bytes) and their base64. */
#define KEY_A                                                                 \
	"AAAAC3NzaC1lZDI1NTE5AAAAIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"    \
	"AQEB"
#define KEY_B                                                                 \
	"AAAAC3NzaC1lZDI1NTE5AAAAIAICAgICAgICAgICAgICAgICAgICAgICAgICAgIC"    \
	"AgIC"
#define KEY_C                                                                 \
	"AAAAB3NzaC1yc2EAAAAoAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMD"    \
	"AwMDAwMDAw=="
#define KEY_D                                                                 \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAUBAQEBAQEBAQEBAQEBAQEBAQEBAQ="
#define FP_A "SHA256:RXm/ruZ0eTzRXKwi1AQEDynB0VgHQ2ac9KPSFdf/YnA"

/* ssh-keygen -H of "git.example.com" and "[git.example.com]:2222" */
#define HASHED_HOST                                                           \
	"|1|cY977V7/XHid6EYubqeUBLWL3kU=|oUN5pCzJYb5Uy133Q8t+5s7eNIo="
#define HASHED_PORT                                                           \
	"|1|j7uFQ/OPStFG245thzSaiAL93L8=|E5Rs0KT3yiEaiMf4FXC0qAFS1C4="

struct blob {
	unsigned char *p;
	size_t n;
};

static struct blob decode(const char *b64)
{
	struct blob b = {NULL, 0};

	assert_int_equal(base64_decode(b64, strlen(b64), &b.p, &b.n, NULL), 0);
	return b;
}

/* The key types found for name, space-separated, with markers. */
static char *collect_text(const char *text, const char *name)
{
	struct known_hosts k = {0};
	char buf[512] = "";
	size_t i, n = 0;

	known_hosts_collect(text, name, &k);
	for (i = 0; i < k.n; i++) {
		const char *m = k.v[i].marker == KNOWN_HOST_REVOKED ? "!"
				: k.v[i].marker == KNOWN_HOST_CA    ? "@"
								    : "";

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s",
				      i ? " " : "", m, k.v[i].type);
	}
	known_hosts_clear(&k);
	assert_null(k.v);
	assert_int_equal(k.n, 0);
	return strdup(buf);
}

static void expect_collect(const char *text, const char *name,
			   const char *want)
{
	char *got = collect_text(text, name);

	assert_string_equal(got, want);
	free(got);
}

static void test_name(void **state)
{
	char *s;

	(void)state;
	s = known_hosts_name("git.example.com", 22);
	assert_string_equal(s, "git.example.com");
	free(s);
	s = known_hosts_name("git.example.com", 2222);
	assert_string_equal(s, "[git.example.com]:2222");
	free(s);
	s = known_hosts_name("::1", 2222);
	assert_string_equal(s, "[::1]:2222");
	free(s);
}

static void test_plain_names(void **state)
{
	const char *text =
	    "# a comment line\n"
	    "git.example.com ssh-ed25519 " KEY_A "\n"
	    "other.example.com ssh-ed25519 " KEY_B "\n"
	    "a.example.com,GIT.EXAMPLE.COM ssh-rsa " KEY_C " comment text\n"
	    "[git.example.com]:2222 ecdsa-sha2-nistp256 " KEY_D "\n";

	(void)state;
	expect_collect(text, "git.example.com", "ssh-ed25519 ssh-rsa");
	expect_collect(text, "[git.example.com]:2222", "ecdsa-sha2-nistp256");
	expect_collect(text, "other.example.com", "ssh-ed25519");
	expect_collect(text, "example.com", "");
	expect_collect("", "git.example.com", "");
	/* No newline at the end, tabs between fields. */
	expect_collect("git.example.com\tssh-ed25519\t" KEY_A,
		       "git.example.com", "ssh-ed25519");
}

static void test_patterns(void **state)
{
	const char *text =
	    "*.example.com,!bad.example.com ssh-ed25519 " KEY_A "\n"
	    "git?.example.org ssh-rsa " KEY_C "\n"
	    "!*.net,*.example.net ssh-ed25519 " KEY_B "\n";

	(void)state;
	expect_collect(text, "git.example.com", "ssh-ed25519");
	expect_collect(text, "Deep.Sub.Example.COM", "ssh-ed25519");
	/* A matching negated pattern vetoes the whole line. */
	expect_collect(text, "bad.example.com", "");
	expect_collect(text, "git1.example.org", "ssh-rsa");
	expect_collect(text, "git12.example.org", "");
	expect_collect(text, "git.example.org", "");
	expect_collect(text, "a.example.net", "");
}

static void test_hashed(void **state)
{
	const char *text = HASHED_HOST
	    " ssh-ed25519 " KEY_A "\n" HASHED_PORT " ssh-ed25519 " KEY_B "\n"
	    "|1|bm90IGJhc2U2NA|x ssh-rsa " KEY_C "\n";

	(void)state;
	expect_collect(text, "git.example.com", "ssh-ed25519");
	expect_collect(text, "[git.example.com]:2222", "ssh-ed25519");
	expect_collect(text, "git.example.org", "");
	/* Hashed names are exact: no case folding, no patterns. */
	expect_collect(text, "GIT.example.com", "");
}

static void test_markers_and_bad_lines(void **state)
{
	const char *text = "@revoked git.example.com ssh-ed25519 " KEY_B "\n"
			   "@cert-authority *.example.com ssh-rsa " KEY_C "\n"
			   "@unknown git.example.com ssh-rsa " KEY_C "\n"
			   "git.example.com ssh-ed25519 not*base64\n"
			   "git.example.com ssh-ed25519\n"
			   "git.example.com\n"
			   "#git.example.com ssh-ed25519 " KEY_A "\n"
			   "   \n"
			   "git.example.com ssh-ed25519 " KEY_A "\n";

	(void)state;
	expect_collect(text, "git.example.com",
		       "!ssh-ed25519 @ssh-rsa ssh-ed25519");
}

static void test_algos(void **state)
{
	struct known_hosts k = {0};
	char *a;

	(void)state;
	known_hosts_collect("h ssh-ed25519 " KEY_A "\n"
			    "h ssh-rsa " KEY_C "\n"
			    "h ssh-ed25519 " KEY_B "\n"
			    "@revoked h ecdsa-sha2-nistp256 " KEY_D "\n",
			    "h", &k);
	a = known_hosts_algos(&k);
	assert_string_equal(a, "ssh-ed25519,rsa-sha2-512,rsa-sha2-256,"
			       "ssh-rsa");
	free(a);
	known_hosts_clear(&k);

	known_hosts_collect("@revoked h ssh-ed25519 " KEY_A "\n"
			    "@cert-authority h ssh-rsa " KEY_C "\n",
			    "h", &k);
	assert_int_equal(k.n, 2);
	assert_null(known_hosts_algos(&k));
	known_hosts_clear(&k);
	assert_null(known_hosts_algos(&k));
}

static void test_fingerprint(void **state)
{
	struct blob a = decode(KEY_A);
	char fp[128];

	(void)state;
	known_hosts_fingerprint(a.p, a.n, fp, sizeof(fp));
	assert_string_equal(fp, FP_A);
	/* Cut, never overrun. */
	known_hosts_fingerprint(a.p, a.n, fp, 10);
	assert_string_equal(fp, "SHA256:RX");
	free(a.p);
}

static enum known_hosts_verdict check(const char *text, const char *key,
				      const char **expect_type,
				      struct blob *expect_blob)
{
	struct known_hosts k = {0};
	const struct known_host_key *exp = NULL;
	struct blob b = decode(key);
	enum known_hosts_verdict v;

	known_hosts_collect(text, "git.example.com", &k);
	v = known_hosts_check(&k, b.p, b.n, &exp);
	*expect_type = NULL;
	if (exp) {
		static char type[64];

		snprintf(type, sizeof(type), "%s", exp->type);
		*expect_type = type;
		if (expect_blob) {
			expect_blob->p = malloc(exp->blob_len);
			memcpy(expect_blob->p, exp->blob, exp->blob_len);
			expect_blob->n = exp->blob_len;
		}
	}
	known_hosts_clear(&k);
	free(b.p);
	return v;
}

static void test_verdicts(void **state)
{
	const char *type;
	struct blob want, got = {NULL, 0};

	(void)state;
	assert_int_equal(check("git.example.com ssh-ed25519 " KEY_A "\n",
			       KEY_A, &type, NULL),
			 KNOWN_HOSTS_MATCH);
	assert_null(type);
	/* @revoked wins over a plain line for the same key. */
	assert_int_equal(check("git.example.com ssh-ed25519 " KEY_A "\n"
			       "@revoked git.example.com ssh-ed25519 " KEY_A
			       "\n",
			       KEY_A, &type, NULL),
			 KNOWN_HOSTS_REVOKED);
	assert_int_equal(check("", KEY_A, &type, NULL),
			 KNOWN_HOSTS_NOT_LISTED);
	assert_int_equal(check("other.example.com ssh-ed25519 " KEY_A "\n",
			       KEY_A, &type, NULL),
			 KNOWN_HOSTS_NOT_LISTED);
	/* A certificate authority alone is no plain key for the host. */
	assert_int_equal(
	    check("@cert-authority git.example.com ssh-ed25519 " KEY_B "\n",
		  KEY_A, &type, NULL),
	    KNOWN_HOSTS_NOT_LISTED);
	/* Mismatch: the key of the presented key's type is named, even
	 * when another type comes first. */
	want = decode(KEY_B);
	assert_int_equal(check("git.example.com ssh-rsa " KEY_C "\n"
			       "git.example.com ssh-ed25519 " KEY_B "\n",
			       KEY_A, &type, &got),
			 KNOWN_HOSTS_MISMATCH);
	assert_string_equal(type, "ssh-ed25519");
	assert_int_equal(got.n, want.n);
	assert_memory_equal(got.p, want.p, want.n);
	free(got.p);
	free(want.p);
	/* Without a key of its type: the first plain key. */
	assert_int_equal(
	    check("@revoked git.example.com ssh-ed25519 " KEY_B "\n"
		  "git.example.com ecdsa-sha2-nistp256 " KEY_D "\n"
		  "git.example.com ssh-rsa " KEY_C "\n",
		  KEY_A, &type, NULL),
	    KNOWN_HOSTS_MISMATCH);
	assert_string_equal(type, "ecdsa-sha2-nistp256");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_plain_names),
	    cmocka_unit_test(test_patterns),
	    cmocka_unit_test(test_hashed),
	    cmocka_unit_test(test_markers_and_bad_lines),
	    cmocka_unit_test(test_algos),
	    cmocka_unit_test(test_fingerprint),
	    cmocka_unit_test(test_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
