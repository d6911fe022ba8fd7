/* fuzz_nodes.c - libFuzzer target for the Node model: any NodeList or Node
 * a server sends gives a model whose table is terminal-safe, whose JSON
 * parses back with one entry per node, and whose summary counts add up.
 * Not a test of the client that fetches nodes.
 *
 * Input: JSON, a NodeList or one Node. dictionary: json
 */
#include "fuzz.h"

#include <cjson/cJSON.h>
#include <time.h>

#include "backend/nodes.h"
#include "cli/print.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void check_model(struct node *v, size_t n)
{
	struct node_summary sum;
	struct fz_mem m;
	char *js, *txt, status[NODE_STATUS_LEN], pr[NODE_PRESSURE_LEN];
	cJSON *back;
	size_t i, pooled = 0;
	int k;

	nodes_summarize(v, n, &sum);
	FZ_CHECK(sum.total == n && sum.ready <= n, "summary counts are off");
	for (i = 0; i < sum.npools; i++)
		pooled += sum.pools[i].total;
	FZ_CHECK(pooled == n, "the pools do not add up to the nodes");
	txt = node_summary_pools_text(&sum, 0);
	FZ_SAFE_STR(txt, "the pools text is not terminal-safe");
	free(txt);
	txt = node_summary_text(&sum, 1);
	FZ_SAFE_STR(txt, "the summary text is not terminal-safe");
	free(txt);

	js = nodes_to_json(v, n, &sum);
	back = cJSON_Parse(js);
	FZ_CHECK(back, "nodes_to_json wrote text that does not parse");
	FZ_CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(back, "nodes")) ==
		     (int)n,
		 "nodes_to_json lost or added nodes");
	cJSON_Delete(back);
	free(js);
	node_summary_clear(&sum);

	fz_mem_open(&m);
	nodes_print_table(m.f, v, n, (time_t)1800000000);
	fz_mem_close(&m);
	FZ_CHECK(fz_terminal_safe(m.buf, m.len, 1),
		 "the nodes table is not terminal-safe");
	free(m.buf);

	for (i = 0; i < n; i++) {
		node_status_text(&v[i], status, sizeof(status));
		FZ_CHECK(strlen(status) < sizeof(status) - 1,
			 "the status text filled its buffer");
		node_pressure_text(v[i].pressure, pr, sizeof(pr));
		FZ_CHECK(strlen(pr) < sizeof(pr) - 1,
			 "the pressure text filled its buffer");
		(void)node_matches(&v[i], "ready");
	}
	for (k = NODE_SORT_NAME; k <= NODE_SORT_AGE; k++) {
		nodes_sort(v, n, (enum node_sort_key)k, k & 1);
		for (i = 1; i < n; i++)
			FZ_CHECK(node_compare(&v[i - 1], &v[i],
					      (enum node_sort_key)k,
					      k & 1) <= 0,
				 "nodes_sort left nodes out of order");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	struct node *v = NULL, one;
	size_t n = 0;
	struct err e;

	if (!doc)
		return 0;
	memset(&e, 0, sizeof(e));
	if (nodes_from_list_json(doc, &v, &n, &e) == 0) {
		check_model(v, n);
		nodes_free(&v, n);
		FZ_CHECK(!v, "nodes_free did not clear the pointer");
	} else {
		FZ_CHECK(!v && e.msg[0], "a refused list left nodes or has "
					 "no sentence");
	}
	memset(&one, 0, sizeof(one));
	memset(&e, 0, sizeof(e));
	if (node_from_json(&one, doc, &e) == 0) {
		FZ_CHECK(one.name && one.name[0], "a node without a name");
		check_model(&one, 1);
		node_clear(&one);
	} else {
		FZ_CHECK(e.msg[0], "a refused node has no sentence");
	}
	cJSON_Delete(doc);
	return 0;
}
