/* test_nodes.c - unit tests for the node model on AKS-like fixtures.
 * Not a test of fetching nodes: the JSON comes from tests/unit/data/nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/nodes.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "cli/print.h"

#define RC "\xef\xbf\xbd" /* U+FFFD REPLACEMENT CHARACTER */

/* 2026-11-28T12:00:00Z, "now" for ages */
#define NOW ((time_t)1795867200)

enum {
	IN0, /* aks-npinscope01-26621167-vmss000000 */
	IN1,
	OO0, /* aks-npooscope01-26621167-vmss000000, v1.30.10 */
	OO1, /* NotReady, DiskPressure */
	SY0,
	SY1,
	SY2, /* cordoned, 2d3h old */
	NLIST
};

static char *read_fixture(const char *leaf)
{
	const char *dir = getenv("JD_SRCDIR");
	char path[1024];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/tests/unit/data/nodes/%s",
		 dir && dir[0] ? dir : ".", leaf);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static cJSON *load_json(const char *leaf)
{
	char *text = read_fixture(leaf);
	cJSON *j = cJSON_Parse(text);

	free(text);
	assert_non_null(j);
	return j;
}

static void load_node(const char *leaf, struct node *n)
{
	cJSON *j = load_json(leaf);
	struct err e = {0};

	assert_int_equal(node_from_json(n, j, &e), 0);
	cJSON_Delete(j);
}

static void load_list(struct node **v, size_t *n)
{
	cJSON *j = load_json("nodelist.json");
	struct err e = {0};

	assert_int_equal(nodes_from_list_json(j, v, n, &e), 0);
	assert_int_equal(*n, NLIST);
	cJSON_Delete(j);
}

static const char *status_of(const struct node *n)
{
	static char buf[NODE_STATUS_LEN];

	return node_status_text(n, buf, sizeof(buf));
}

static void test_parse_ready_node(void **state)
{
	struct node *v;
	size_t n, i;
	const struct node *a;

	(void)state;
	load_list(&v, &n);
	a = &v[IN0];
	assert_string_equal(a->name, "aks-npinscope01-26621167-vmss000000");
	assert_string_equal(a->resource_version, "104512");
	assert_int_equal(a->ready, NODE_READY);
	assert_false(a->unschedulable);
	assert_string_equal(a->pool, "npinscope01");
	assert_string_equal(a->mode, "user");
	assert_string_equal(a->roles, "agent");
	assert_string_equal(a->version, "v1.30.6");
	assert_string_equal(a->created, "2026-11-28T11:40:00Z");
	assert_int_equal(a->created_at, NOW - 20 * 60);
	assert_int_equal(a->pressure, 0);
	assert_int_equal(a->nconditions, 5);
	assert_string_equal(a->conditions[4].type, "Ready");
	assert_string_equal(a->conditions[4].status, "True");
	assert_string_equal(a->conditions[4].reason, "KubeletReady");
	assert_string_equal(a->conditions[4].last_transition,
			    "2026-11-28T11:41:10Z");
	assert_string_equal(a->conditions[4].last_heartbeat,
			    "2026-11-28T11:59:30Z");
	assert_ptr_equal(node_condition_find(a, "Ready"), &a->conditions[4]);
	assert_null(node_condition_find(a, "Bogus"));
	assert_int_equal(a->ntaints, 0);
	assert_int_equal(a->ncapacity, 6);
	assert_string_equal(a->capacity[0].key, "cpu");
	assert_string_equal(a->capacity[0].value, "4");
	assert_int_equal(a->nallocatable, 6);
	assert_string_equal(a->allocatable[0].value, "3860m");
	assert_int_equal(a->naddresses, 2);
	assert_string_equal(a->addresses[0].type, "InternalIP");
	assert_string_equal(a->addresses[0].address, "10.240.4.4");
	assert_string_equal(a->info.kernel, "5.15.0-1074-azure");
	assert_string_equal(a->info.os_image, "Ubuntu 22.04.5 LTS");
	assert_string_equal(a->info.container_runtime,
			    "containerd://1.7.23-1");
	assert_string_equal(a->info.kubelet, "v1.30.6");
	assert_string_equal(a->info.kube_proxy, "v1.30.6");
	assert_string_equal(a->info.arch, "amd64");
	assert_string_equal(a->info.os, "linux");
	assert_true(a->nlabels > 10);
	assert_string_equal(a->labels[0].key, "agentpool");
	for (i = 1; i < a->nlabels; i++)
		assert_true(strcmp(a->labels[i - 1].key, a->labels[i].key) <
			    0);
	assert_string_equal(status_of(a), "Ready");
	nodes_free(&v, n);
	assert_null(v);
}

static void test_parse_system_and_cordoned(void **state)
{
	struct node *v;
	size_t n;

	(void)state;
	load_list(&v, &n);
	assert_string_equal(v[SY0].mode, "system");
	assert_int_equal(v[SY0].ntaints, 1);
	assert_string_equal(v[SY0].taints[0].key, "CriticalAddonsOnly");
	assert_string_equal(v[SY0].taints[0].value, "true");
	assert_string_equal(v[SY0].taints[0].effect, "NoSchedule");
	assert_string_equal(status_of(&v[SY0]), "Ready");

	assert_true(v[SY2].unschedulable);
	assert_int_equal(v[SY2].ready, NODE_READY);
	assert_int_equal(v[SY2].ntaints, 2);
	assert_string_equal(v[SY2].taints[1].key,
			    "node.kubernetes.io/unschedulable");
	assert_string_equal(v[SY2].taints[1].value, "");
	assert_string_equal(status_of(&v[SY2]), "Ready,SchedulingDisabled");
	nodes_free(&v, n);
}

static void test_parse_not_ready(void **state)
{
	struct node *v;
	size_t n;
	char buf[NODE_PRESSURE_LEN];

	(void)state;
	load_list(&v, &n);
	assert_int_equal(v[OO1].ready, NODE_NOT_READY);
	assert_string_equal(status_of(&v[OO1]), "NotReady");
	assert_int_equal(v[OO1].pressure, NODE_PRESSURE_DISK);
	assert_string_equal(
	    node_pressure_text(v[OO1].pressure, buf, sizeof(buf)), "Disk");
	assert_string_equal(v[OO1].conditions[4].reason, "KubeletNotReady");
	assert_non_null(strstr(v[OO1].conditions[4].message,
			       "cni plugin not initialized"));
	assert_string_equal(v[OO0].version, "v1.30.10");
	nodes_free(&v, n);
}

static void test_parse_no_status(void **state)
{
	struct node a;

	(void)state;
	load_node("node_no_status.json", &a);
	assert_string_equal(a.name, "aks-npuser01-26621167-vmss000003");
	assert_int_equal(a.ready, NODE_UNKNOWN);
	assert_string_equal(status_of(&a), "Unknown");
	assert_string_equal(a.version, "");
	assert_string_equal(a.info.kernel, "");
	assert_int_equal(a.nconditions, 0);
	assert_null(a.conditions);
	assert_int_equal(a.ncapacity, 0);
	assert_int_equal(a.naddresses, 0);
	assert_false(a.unschedulable);
	assert_string_equal(a.pool, "npuser01");
	node_clear(&a);
	assert_null(a.name);
	node_clear(&a); /* twice is harmless */
	node_clear(NULL);
}

static void test_parse_agentpool_only(void **state)
{
	struct node a;

	(void)state;
	load_node("node_agentpool_only.json", &a);
	assert_string_equal(a.pool, "nodepool1");
	assert_string_equal(a.mode, "");
	assert_string_equal(a.roles, "agent,spot");
	assert_string_equal(a.version, "v1.28.9");
	/* 2024-08-01T10:00:00+02:00 */
	assert_int_equal(a.created_at, (time_t)1722499200);
	node_clear(&a);
}

static void test_parse_unknown(void **state)
{
	struct node a;
	char buf[NODE_PRESSURE_LEN];

	(void)state;
	load_node("node_unknown.json", &a);
	assert_int_equal(a.ready, NODE_UNKNOWN);
	/* kubectl says NotReady when the Ready condition is Unknown */
	assert_string_equal(status_of(&a), "NotReady,SchedulingDisabled");
	assert_int_equal(a.pressure, 0);
	assert_string_equal(node_pressure_text(a.pressure, buf, sizeof(buf)),
			    "-");
	assert_string_equal(
	    node_pressure_text(NODE_PRESSURE_MEMORY | NODE_PRESSURE_DISK |
				   NODE_PRESSURE_PID | NODE_PRESSURE_NETWORK,
			       buf, sizeof(buf)),
	    "Mem,Disk,PID,Net");
	node_clear(&a);
}

static void test_parse_errors(void **state)
{
	struct err e = {0};
	struct node a;
	cJSON *j;
	struct node *v = (struct node *)1;
	size_t n = 99;

	(void)state;
	j = load_json("not_a_node.json");
	assert_int_equal(node_from_json(&a, j, &e), -ERR_PARSE);
	assert_string_equal(e.msg, "object is a Pod, not a Node");
	assert_null(a.name);
	cJSON_Delete(j);

	j = load_json("node_no_name.json");
	assert_int_equal(node_from_json(&a, j, &e), -ERR_PARSE);
	assert_string_equal(e.msg, "node has no metadata.name");
	cJSON_Delete(j);

	j = cJSON_Parse("{\"kind\":null,\"metadata\":{\"name\":\"n\"}}");
	assert_int_equal(node_from_json(&a, j, &e), 0);
	assert_string_equal(status_of(&a), "Unknown");
	assert_string_equal(a.roles, "<none>");
	assert_string_equal(a.pool, "");
	node_clear(&a);
	cJSON_Delete(j);

	j = cJSON_Parse("[1,2]");
	assert_int_equal(node_from_json(&a, j, &e), -ERR_PARSE);
	cJSON_Delete(j);

	/* a list whose second item is broken: nothing leaks, item named */
	j = cJSON_Parse("{\"items\":[{\"metadata\":{\"name\":\"a\"}},"
			"{\"metadata\":{}}]}");
	assert_int_equal(nodes_from_list_json(j, &v, &n, &e), -ERR_PARSE);
	assert_string_equal(e.msg, "item 2: node has no metadata.name");
	assert_null(v);
	assert_int_equal(n, 0);
	cJSON_Delete(j);

	/* an empty list */
	j = cJSON_Parse("{\"kind\":\"NodeList\",\"items\":[]}");
	assert_int_equal(nodes_from_list_json(j, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	nodes_free(&v, n);
	cJSON_Delete(j);
}

static void test_copy(void **state)
{
	struct node *v;
	struct node c;
	size_t n;

	(void)state;
	load_list(&v, &n);
	node_copy(&c, &v[SY2]);
	nodes_free(&v, n);
	assert_string_equal(c.name, "aks-npsystem-26621167-vmss000002");
	assert_string_equal(c.taints[0].key, "CriticalAddonsOnly");
	assert_string_equal(c.labels[0].key, "agentpool");
	assert_string_equal(c.conditions[4].type, "Ready");
	assert_string_equal(c.allocatable[0].value, "1900m");
	assert_string_equal(c.info.os_image, "Ubuntu 22.04.5 LTS");
	assert_string_equal(status_of(&c), "Ready,SchedulingDisabled");
	node_clear(&c);
}

static void test_summary(void **state)
{
	struct node *v;
	size_t n;
	struct node_summary s;
	char *text;

	(void)state;
	load_list(&v, &n);
	nodes_summarize(v, n, &s);
	assert_int_equal(s.total, 7);
	assert_int_equal(s.ready, 6);
	assert_int_equal(s.npools, 3);
	assert_string_equal(s.pools[0].name, "npinscope01");
	assert_string_equal(s.pools[1].name, "npooscope01");
	assert_int_equal(s.pools[1].total, 2);
	assert_int_equal(s.pools[1].ready, 1);
	assert_string_equal(s.pools[2].name, "npsystem");
	assert_string_equal(s.pools[2].mode, "system");
	assert_int_equal(s.pools[2].ready, 3);

	text = node_summary_text(&s, 0);
	assert_string_equal(text, "6/7 Ready \xc2\xb7 3 pools");
	free(text);
	text = node_summary_text(&s, 1);
	assert_string_equal(text, "6/7 Ready - 3 pools");
	free(text);
	text = node_summary_pools_text(&s, 0);
	assert_string_equal(text, "npinscope01 2/2 \xc2\xb7 npooscope01 1/2 "
				  "\xc2\xb7 npsystem 3/3");
	free(text);
	text = node_summary_pools_text(&s, 1);
	assert_string_equal(
	    text, "npinscope01 2/2 - npooscope01 1/2 - npsystem 3/3");
	free(text);
	node_summary_clear(&s);
	assert_null(s.pools);

	/* one pool; a node without any pool label */
	nodes_summarize(v, 2, &s);
	text = node_summary_text(&s, 1);
	assert_string_equal(text, "2/2 Ready - 1 pool");
	free(text);
	node_summary_clear(&s);
	{
		/* a parsed node's strings share one block: point, not free */
		static char none[1];

		v[0].pool = none;
	}
	nodes_summarize(v, 1, &s);
	assert_string_equal(s.pools[0].name, "<none>");
	node_summary_clear(&s);

	/* no nodes */
	nodes_summarize(v, 0, &s);
	text = node_summary_pools_text(&s, 0);
	assert_string_equal(text, "");
	free(text);
	text = node_summary_text(&s, 0);
	assert_string_equal(text, "0/0 Ready \xc2\xb7 0 pools");
	free(text);
	node_summary_clear(&s);
	nodes_free(&v, n);
}

/* The list plus the Unknown node and the node without status. */
static void load_all(struct node **v, size_t *n)
{
	load_list(v, n);
	*v = realloc(*v, (*n + 2) * sizeof(**v));
	assert_non_null(*v);
	load_node("node_unknown.json", &(*v)[(*n)++]);
	load_node("node_no_status.json", &(*v)[(*n)++]);
}

static void assert_order(const struct node *v, size_t n,
			 const char *const *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_string_equal(v[i].name + strlen("aks-"), want[i]);
}

static void test_sort(void **state)
{
	static const char *const by_name[] = {
	    "npooscope01-26621167-vmss000001",
	    "npooscope01-26621167-vmss000004",
	    "npuser01-26621167-vmss000003",
	    "npinscope01-26621167-vmss000000",
	    "npinscope01-26621167-vmss000001",
	    "npooscope01-26621167-vmss000000",
	    "npsystem-26621167-vmss000000",
	    "npsystem-26621167-vmss000001",
	    "npsystem-26621167-vmss000002",
	};
	static const char *const by_name_desc[] = {
	    "npuser01-26621167-vmss000003",
	    "npooscope01-26621167-vmss000004",
	    "npooscope01-26621167-vmss000001",
	    "npsystem-26621167-vmss000002",
	    "npsystem-26621167-vmss000001",
	    "npsystem-26621167-vmss000000",
	    "npooscope01-26621167-vmss000000",
	    "npinscope01-26621167-vmss000001",
	    "npinscope01-26621167-vmss000000",
	};
	static const char *const by_status[] = {
	    "npooscope01-26621167-vmss000001", /* NotReady */
	    "npooscope01-26621167-vmss000004", /* NotReady,Sched... */
	    "npuser01-26621167-vmss000003",    /* Unknown */
	    "npinscope01-26621167-vmss000000",
	    "npinscope01-26621167-vmss000001",
	    "npooscope01-26621167-vmss000000",
	    "npsystem-26621167-vmss000000",
	    "npsystem-26621167-vmss000001",
	    "npsystem-26621167-vmss000002", /* Ready,SchedulingDisabled */
	};
	struct node *v;
	size_t n;

	(void)state;
	load_all(&v, &n);
	nodes_sort(v, n, NODE_SORT_NAME, 0);
	assert_order(v, n, by_name);
	nodes_sort(v, n, NODE_SORT_NAME, 1);
	assert_order(v, n, by_name_desc);
	nodes_sort(v, n, NODE_SORT_STATUS, 0);
	assert_order(v, n, by_status);

	/* age: youngest first, the 2d3h node last among the ready ones */
	nodes_sort(v, n, NODE_SORT_AGE, 0);
	assert_string_equal(v[0].name, "aks-npuser01-26621167-vmss000003");
	assert_string_equal(v[n - 1].name, "aks-npsystem-26621167-vmss000002");
	nodes_sort(v, n, NODE_SORT_AGE, 1);
	assert_string_equal(v[3].name, "aks-npsystem-26621167-vmss000002");

	/* version: v1.30.10 sorts after v1.30.6 */
	nodes_sort(v, n, NODE_SORT_VERSION, 0);
	assert_string_equal(v[n - 1].name,
			    "aks-npooscope01-26621167-vmss000000");
	nodes_sort(v, n, NODE_SORT_VERSION, 1);
	assert_string_equal(v[3].name, "aks-npooscope01-26621167-vmss000000");

	/* mode: system before user; ties by name */
	nodes_sort(v, n, NODE_SORT_MODE, 0);
	assert_string_equal(v[3].name, "aks-npsystem-26621167-vmss000000");
	assert_string_equal(v[n - 1].name,
			    "aks-npooscope01-26621167-vmss000000");
	nodes_sort(v, n, NODE_SORT_POOL, 1);
	assert_string_equal(v[3].name, "aks-npsystem-26621167-vmss000000");
	nodes_sort(v, n, NODE_SORT_ROLES, 0);
	assert_string_equal(v[0].name, "aks-npooscope01-26621167-vmss000001");

	assert_true(node_compare(&v[0], &v[0], NODE_SORT_AGE, 0) == 0);
	nodes_free(&v, n);
}

static size_t count_matches(const struct node *v, size_t n, const char *f)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += node_matches(&v[i], f) ? 1 : 0;
	return c;
}

static void test_filter(void **state)
{
	struct node *v;
	size_t n;

	(void)state;
	load_all(&v, &n);
	assert_int_equal(count_matches(v, n, NULL), n);
	assert_int_equal(count_matches(v, n, ""), n);
	assert_int_equal(count_matches(v, n, "notready"), 2);
	assert_int_equal(count_matches(v, n, "NPSYSTEM"), 3);
	assert_int_equal(count_matches(v, n, "scheduling"), 2);
	assert_int_equal(count_matches(v, n, "unknown"), 1);
	assert_int_equal(count_matches(v, n, "SYSTEM"), 3);
	assert_int_equal(count_matches(v, n, "user"), 6);
	assert_int_equal(count_matches(v, n, "v1.30.10"), 1);
	assert_int_equal(count_matches(v, n, "agent"), 9);
	assert_int_equal(count_matches(v, n, "vmss000004"), 1);
	assert_int_equal(count_matches(v, n, "zzz"), 0);
	/* labels that are not shown are not searched */
	assert_int_equal(count_matches(v, n, "eastus2"), 0);
	nodes_free(&v, n);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v)
		fail_msg("missing key %s", k);
	return v;
}

static void test_json(void **state)
{
	struct node *v;
	size_t n;
	char *text;
	cJSON *root;
	const cJSON *nodes, *a, *c, *sum, *pool;

	(void)state;
	load_list(&v, &n);
	text = nodes_to_json(v, n, NULL);
	assert_non_null(text);
	assert_non_null(strchr(text, '\n')); /* pretty */
	root = cJSON_Parse(text);
	free(text);
	assert_non_null(root);
	nodes = get(root, "nodes");
	assert_int_equal(cJSON_GetArraySize(nodes), 7);

	a = cJSON_GetArrayItem(nodes, OO1);
	assert_string_equal(get(a, "name")->valuestring,
			    "aks-npooscope01-26621167-vmss000001");
	assert_string_equal(get(a, "status")->valuestring, "NotReady");
	assert_true(cJSON_IsFalse(get(a, "ready")));
	assert_true(cJSON_IsFalse(get(a, "unschedulable")));
	assert_string_equal(get(a, "pool")->valuestring, "npooscope01");
	assert_string_equal(get(a, "mode")->valuestring, "user");
	assert_string_equal(get(a, "roles")->valuestring, "agent");
	assert_string_equal(get(a, "version")->valuestring, "v1.30.6");
	assert_string_equal(get(a, "created")->valuestring,
			    "2026-11-28T11:40:00Z");
	assert_int_equal(cJSON_GetArraySize(get(a, "conditions")), 5);
	c = cJSON_GetArrayItem(get(a, "conditions"), 4);
	assert_string_equal(get(c, "type")->valuestring, "Ready");
	assert_string_equal(get(c, "status")->valuestring, "False");
	assert_string_equal(get(c, "reason")->valuestring, "KubeletNotReady");
	assert_non_null(strstr(get(c, "message")->valuestring, "cni plugin"));
	assert_string_equal(get(c, "lastTransitionTime")->valuestring,
			    "2026-11-28T11:52:44Z");
	assert_int_equal(cJSON_GetArraySize(c), 5);
	assert_int_equal(cJSON_GetArraySize(a), 10);

	a = cJSON_GetArrayItem(nodes, SY2);
	assert_string_equal(get(a, "status")->valuestring,
			    "Ready,SchedulingDisabled");
	assert_true(cJSON_IsTrue(get(a, "ready")));
	assert_true(cJSON_IsTrue(get(a, "unschedulable")));

	sum = get(root, "summary");
	assert_int_equal(get(sum, "total")->valueint, 7);
	assert_int_equal(get(sum, "ready")->valueint, 6);
	assert_int_equal(cJSON_GetArraySize(get(sum, "pools")), 3);
	pool = get(get(sum, "pools"), "npooscope01");
	assert_int_equal(get(pool, "total")->valueint, 2);
	assert_int_equal(get(pool, "ready")->valueint, 1);
	assert_string_equal(get(pool, "mode")->valuestring, "user");
	pool = get(get(sum, "pools"), "npsystem");
	assert_string_equal(get(pool, "mode")->valuestring, "system");
	cJSON_Delete(root);

	/* no nodes */
	text = nodes_to_json(NULL, 0, NULL);
	root = cJSON_Parse(text);
	free(text);
	assert_int_equal(cJSON_GetArraySize(get(root, "nodes")), 0);
	assert_int_equal(get(get(root, "summary"), "total")->valueint, 0);
	cJSON_Delete(root);
	nodes_free(&v, n);
}

static char *table_of(const struct node *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	nodes_print_table(f, v, n, NOW);
	fclose(f);
	return buf;
}

static void test_table(void **state)
{
	static const char want[] =
	    "NAME                                  STATUS                     "
	    "POOL          MODE     ROLES   AGE    VERSION    PRESSURE\n"
	    "aks-npooscope01-26621167-vmss000001   NotReady                   "
	    "npooscope01   user     agent   20m    v1.30.6    Disk\n"
	    "aks-npinscope01-26621167-vmss000000   Ready                      "
	    "npinscope01   user     agent   20m    v1.30.6    -\n"
	    "aks-npinscope01-26621167-vmss000001   Ready                      "
	    "npinscope01   user     agent   20m    v1.30.6    -\n"
	    "aks-npooscope01-26621167-vmss000000   Ready                      "
	    "npooscope01   user     agent   20m    v1.30.10   -\n"
	    "aks-npsystem-26621167-vmss000000      Ready                      "
	    "npsystem      system   agent   20m    v1.30.6    -\n"
	    "aks-npsystem-26621167-vmss000001      Ready                      "
	    "npsystem      system   agent   20m    v1.30.6    -\n"
	    "aks-npsystem-26621167-vmss000002      Ready,SchedulingDisabled   "
	    "npsystem      system   agent   2d3h   v1.30.6    -\n";
	struct node *v;
	size_t n;
	char *out;

	(void)state;
	load_list(&v, &n);
	nodes_sort(v, n, NODE_SORT_NAME, 0);
	out = table_of(v, n);
	assert_string_equal(out, want);
	free(out);

	/* an empty table is just the header */
	out = table_of(v, 0);
	assert_string_equal(out, "NAME   STATUS   POOL   MODE   ROLES   AGE   "
				 "VERSION   PRESSURE\n");
	free(out);
	nodes_free(&v, n);
}

static void test_table_missing_fields(void **state)
{
	struct node a;
	char *out;

	(void)state;
	load_node("node_no_status.json", &a);
	out = table_of(&a, 1);
	assert_non_null(strstr(out,
			       "aks-npuser01-26621167-vmss000003   "
			       "Unknown   npuser01   user   agent   10s   "
			       "<none>    -\n"));
	free(out);
	node_clear(&a);
}

static void test_hostile_strings(void **state)
{
	struct node a;
	char *out;
	cJSON *root;

	(void)state;
	load_node("node_hostile.json", &a);
	assert_non_null(strchr(a.version, 0x1b)); /* stored as sent */
	out = table_of(&a, 1);
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, 0x07));
	assert_null(strchr(out, '\r'));
	assert_null(strstr(out, "\xe2\x80\xae")); /* RIGHT-TO-LEFT OVERRIDE */
	assert_null(strstr(out, "\xc2\x9b"));	  /* CSI */
	/* each control shows as U+FFFD (text_safe's rule) */
	assert_non_null(strstr(out, "v1.30.6" RC "]0;owned" RC RC RC "2J"));
	assert_non_null(strstr(out, "   20m   ")); /* fractional created */
	free(out);
	text_set_ascii(1);
	out = table_of(&a, 1);
	text_set_ascii(0);
	assert_non_null(strstr(out, "v1.30.6?]0;owned???2J   -\n"));
	free(out);

	/* JSON keeps the data but escapes it */
	out = nodes_to_json(&a, 1, NULL);
	assert_null(strchr(out, 0x1b));
	assert_non_null(strstr(out, "\\u001b"));
	root = cJSON_Parse(out);
	assert_non_null(root);
	cJSON_Delete(root);
	free(out);
	node_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ready_node),
	    cmocka_unit_test(test_parse_system_and_cordoned),
	    cmocka_unit_test(test_parse_not_ready),
	    cmocka_unit_test(test_parse_no_status),
	    cmocka_unit_test(test_parse_agentpool_only),
	    cmocka_unit_test(test_parse_unknown),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_copy),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_table_missing_fields),
	    cmocka_unit_test(test_hostile_strings),
	};

	/* as the program does; widths of non-ASCII text need UTF-8 */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
