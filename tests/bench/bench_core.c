/* bench_core.c - CPU figures for the hot paths: making strings terminal-
 * safe, building the node model from JSON, sorting and summarising. Prints
 * one line per figure; no assertions (tests check behaviour). */
#include "backend/nodes.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cJSON *make_node(int i)
{
	char name[64], pool[32];
	cJSON *n = cJSON_CreateObject(), *m, *l, *st, *conds, *c, *info;
	static const char *const types[] = {"MemoryPressure", "DiskPressure",
					    "PIDPressure", "Ready"};
	int k;

	snprintf(pool, sizeof(pool), "nppool%02d", i % 12);
	snprintf(name, sizeof(name), "aks-%s-26621167-vmss%06d", pool, i);
	cJSON_AddStringToObject(n, "kind", "Node");
	m = cJSON_AddObjectToObject(n, "metadata");
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(m, "creationTimestamp",
				"2026-11-01T10:00:00Z");
	l = cJSON_AddObjectToObject(m, "labels");
	cJSON_AddStringToObject(l, "kubernetes.azure.com/agentpool", pool);
	cJSON_AddStringToObject(l, "kubernetes.azure.com/mode",
				i % 12 ? "user" : "system");
	cJSON_AddStringToObject(l, "kubernetes.io/role", "agent");
	cJSON_AddStringToObject(l, "node-role.kubernetes.io/agent", "");
	st = cJSON_AddObjectToObject(n, "status");
	conds = cJSON_AddArrayToObject(st, "conditions");
	for (k = 0; k < 4; k++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", types[k]);
		cJSON_AddStringToObject(c, "status",
					k == 3 ? (i % 97 ? "True" : "False")
					       : "False");
		cJSON_AddStringToObject(c, "reason", "KubeletReady");
		cJSON_AddStringToObject(c, "message",
					"kubelet is posting ready status");
		cJSON_AddStringToObject(c, "lastTransitionTime",
					"2026-11-28T10:00:00Z");
		cJSON_AddItemToArray(conds, c);
	}
	info = cJSON_AddObjectToObject(st, "nodeInfo");
	cJSON_AddStringToObject(info, "kubeletVersion", "v1.30.6");
	return n;
}

static void bench_text(void)
{
	const char *sample = "aks-npsystem-26621167-vmss000000 "
			     "\x1b[31mred\x1b[0m \xe4\xb8\xad\xe6\x96\x87 "
			     "caf\xc3\xa9 \xe2\x80\xae"
			     "evil kubelet is posting ready status";
	size_t len = strlen(sample), total = 0;
	int i, n = 200000;
	double t0 = now_s(), dt;
	char buf[256];

	for (i = 0; i < n; i++) {
		text_safe_buf(buf, sizeof(buf), sample, 40);
		total += len;
	}
	dt = now_s() - t0;
	printf("text_safe_buf: %d strings of %zu bytes in %.3f s "
	       "(%.1f MB/s, %.2f us each)\n",
	       n, len, dt, (double)total / dt / 1e6, dt / n * 1e6);
}

static void bench_nodes(int count)
{
	cJSON *list = cJSON_CreateObject(), *items;
	struct node *v = NULL;
	struct node_summary s;
	size_t n = 0;
	struct err e;
	double t0, t1, t2, t3;
	int i;

	items = cJSON_AddArrayToObject(list, "items");
	for (i = 0; i < count; i++)
		cJSON_AddItemToArray(items, make_node(i));
	t0 = now_s();
	if (nodes_from_list_json(list, &v, &n, &e) < 0) {
		printf("nodes: %s\n", e.msg);
		return;
	}
	t1 = now_s();
	nodes_sort(v, n, NODE_SORT_NAME, 0);
	t2 = now_s();
	nodes_summarize(v, n, &s);
	t3 = now_s();
	printf("nodes x%d: parse %.2f ms, sort %.2f ms, summarise %.2f ms "
	       "(%zu ready, %zu pools)\n",
	       count, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3,
	       s.ready, s.npools);
	node_summary_clear(&s);
	nodes_free(&v, n);
	cJSON_Delete(list);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	bench_text();
	bench_nodes(7);
	bench_nodes(1000);
	bench_nodes(5000);
	return 0;
}
