/* test_kube_name.c - unit tests for Kubernetes name checks: the API
 * server's DNS-1123 subdomain and label rules, and sentences that say
 * which rule a name breaks. Not a test of any request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/kube_name.h"

static void expect(const char *name, enum kube_name_kind kind, int ok,
		   const char *says)
{
	struct err e;

	err_clear(&e);
	if (ok) {
		if (kube_name_check("node", name, kind, &e) != 0)
			fail_msg("\"%s\" refused: %s", name, e.msg);
		return;
	}
	if (kube_name_check("node", name, kind, &e) != -ERR_USAGE)
		fail_msg("\"%s\" accepted", name);
	if (!strstr(e.msg, says))
		fail_msg("\"%s\": %s", name, e.msg);
}

static void test_subdomain(void **state)
{
	char long_name[300];

	(void)state;
	expect("aks-npsystem-26621167-vmss000000", KUBE_NAME_SUBDOMAIN, 1,
	       NULL);
	expect("ip-10-0-0-1.ec2.internal", KUBE_NAME_SUBDOMAIN, 1, NULL);
	expect("a", KUBE_NAME_SUBDOMAIN, 1, NULL);
	expect("0", KUBE_NAME_SUBDOMAIN, 1, NULL);
	expect("..", KUBE_NAME_SUBDOMAIN, 0, "start and end");
	expect(".", KUBE_NAME_SUBDOMAIN, 0, "start and end");
	expect("a..b", KUBE_NAME_SUBDOMAIN, 0, "start and end");
	expect("-a", KUBE_NAME_SUBDOMAIN, 0, "start and end");
	expect("a-", KUBE_NAME_SUBDOMAIN, 0, "start and end");
	expect("a.-b", KUBE_NAME_SUBDOMAIN, 0, "start and end");
	expect("Node1", KUBE_NAME_SUBDOMAIN, 0, "only lower-case");
	expect("a/b", KUBE_NAME_SUBDOMAIN, 0, "only lower-case");
	expect("a%2fb", KUBE_NAME_SUBDOMAIN, 0, "only lower-case");
	expect("a b", KUBE_NAME_SUBDOMAIN, 0, "only lower-case");
	expect("a\x1b]0;x", KUBE_NAME_SUBDOMAIN, 0, "only lower-case");
	expect("", KUBE_NAME_SUBDOMAIN, 0, "cannot be empty");
	expect(NULL, KUBE_NAME_SUBDOMAIN, 0, "cannot be empty");
	memset(long_name, 'a', 253);
	long_name[253] = '\0';
	expect(long_name, KUBE_NAME_SUBDOMAIN, 1, NULL);
	long_name[253] = 'a';
	long_name[254] = '\0';
	expect(long_name, KUBE_NAME_SUBDOMAIN, 0, "at most 253");
}

static void test_label(void **state)
{
	char name[80];

	(void)state;
	expect("flux-system", KUBE_NAME_LABEL, 1, NULL);
	expect("a0005-i", KUBE_NAME_LABEL, 1, NULL);
	expect("a.b", KUBE_NAME_LABEL, 0,
	       "only lower-case letters, digits "
	       "and '-'");
	expect("-x", KUBE_NAME_LABEL, 0, "start and end");
	memset(name, 'a', 63);
	name[63] = '\0';
	expect(name, KUBE_NAME_LABEL, 1, NULL);
	name[63] = 'a';
	name[64] = '\0';
	expect(name, KUBE_NAME_LABEL, 0, "at most 63");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_subdomain),
	    cmocka_unit_test(test_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
