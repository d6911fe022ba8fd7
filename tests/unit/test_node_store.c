/* test_node_store.c - the node store filled by hand (no server): models
 * parsed once per object version, the summary kept one node at a time,
 * the journal of changed ids; and the nodes pane's rows (models in, rows
 * out, no curses), updated one node at a time and equal to a rebuild. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/node_store.h"
#include "backend/nodes.h"
#include "panes/node_rows.h"

/* 2026-11-28T12:00:00Z */
#define NOW ((time_t)1795867200)

/* An AKS-like node: pool npNN, mode system for pool 0, Ready unless not
 * ready, resourceVersion rv. */
static cJSON *make_node(const char *name, int pool, int ready, int rv)
{
	cJSON *n = cJSON_CreateObject(), *m, *l, *st, *conds, *c, *info;
	char p[16], v[16];

	snprintf(p, sizeof(p), "np%02d", pool);
	snprintf(v, sizeof(v), "%d", rv);
	cJSON_AddStringToObject(n, "kind", "Node");
	m = cJSON_AddObjectToObject(n, "metadata");
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(m, "resourceVersion", v);
	cJSON_AddStringToObject(m, "creationTimestamp",
				"2026-11-27T12:00:00Z");
	l = cJSON_AddObjectToObject(m, "labels");
	cJSON_AddStringToObject(l, "kubernetes.azure.com/agentpool", p);
	cJSON_AddStringToObject(l, "kubernetes.azure.com/mode",
				pool ? "user" : "system");
	cJSON_AddStringToObject(l, "kubernetes.io/role", "agent");
	st = cJSON_AddObjectToObject(n, "status");
	conds = cJSON_AddArrayToObject(st, "conditions");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "Ready");
	cJSON_AddStringToObject(c, "status", ready ? "True" : "False");
	cJSON_AddStringToObject(c, "reason", "KubeletReady");
	cJSON_AddItemToArray(conds, c);
	info = cJSON_AddObjectToObject(st, "nodeInfo");
	cJSON_AddStringToObject(info, "kubeletVersion", "v1.30.6");
	return n;
}

static void name_of(char *buf, size_t sz, int i)
{
	snprintf(buf, sz, "aks-np%02d-26621167-vmss%06d", i % 4, i);
}

/* n nodes in 4 pools, every 10th NotReady, rv 1. */
static struct node_store *filled(int n)
{
	struct node_store *s = node_store_new_local(NULL, NULL, 0);
	cJSON *items = cJSON_CreateArray();
	char name[64];
	int i;

	for (i = 0; i < n; i++) {
		name_of(name, sizeof(name), i);
		cJSON_AddItemToArray(items,
				     make_node(name, i % 4, i % 10 != 0, 1));
	}
	node_store_replace(s, items);
	cJSON_Delete(items);
	return s;
}

static void apply(struct node_store *s, const char *type, int i, int ready,
		  int rv)
{
	char name[64];
	cJSON *o;

	name_of(name, sizeof(name), i);
	o = make_node(name, i % 4, ready, rv);
	node_store_apply(s, type, o);
	cJSON_Delete(o);
}

/* The store's summary equals one counted afresh from its nodes. */
static void assert_summary_fresh(const struct node_store *s)
{
	const struct node_summary *a = node_store_summary(s);
	size_t n = node_store_count(s), i;
	struct node *v = calloc(n ? n : 1, sizeof(*v));
	struct node_summary b;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = *node_store_at(s, i); /* a borrowed view */
	nodes_summarize(v, n, &b);
	assert_int_equal(a->total, b.total);
	assert_int_equal(a->ready, b.ready);
	assert_int_equal(a->npools, b.npools);
	for (i = 0; i < b.npools; i++) {
		assert_string_equal(a->pools[i].name, b.pools[i].name);
		assert_string_equal(a->pools[i].mode, b.pools[i].mode);
		assert_int_equal(a->pools[i].total, b.pools[i].total);
		assert_int_equal(a->pools[i].ready, b.pools[i].ready);
	}
	node_summary_clear(&b);
	free(v);
}

static void test_fill_and_summary(void **state)
{
	struct node_store *s = filled(40);
	const struct node_summary *sum = node_store_summary(s);
	char name[64];

	(void)state;
	assert_true(node_store_synced(s));
	assert_int_equal(node_store_count(s), 40);
	assert_int_equal(sum->total, 40);
	assert_int_equal(sum->ready, 36);
	assert_int_equal(sum->npools, 4);
	assert_string_equal(sum->pools[0].name, "np00");
	assert_string_equal(sum->pools[0].mode, "system");
	assert_string_equal(sum->pools[1].mode, "user");
	/* in name order */
	assert_string_equal(node_store_at(s, 0)->name,
			    "aks-np00-26621167-vmss000000");
	name_of(name, sizeof(name), 13);
	assert_non_null(node_store_find(s, name));
	assert_int_equal(node_store_stats(s)->parsed, 40);
	assert_summary_fresh(s);
	node_store_free(&s);
	assert_null(s);
}

static void test_event_changes_one_node(void **state)
{
	struct node_store *s = filled(40);
	unsigned long long g = node_store_gen(s);
	unsigned ids[8];
	char name[64];
	long id;

	(void)state;
	name_of(name, sizeof(name), 5);
	id = node_store_find_id(s, name);
	assert_true(id >= 0);
	apply(s, "MODIFIED", 5, 0, 2);
	/* one node parsed again, not forty */
	assert_int_equal(node_store_stats(s)->parsed, 41);
	assert_int_equal(node_store_summary(s)->ready, 35);
	assert_int_equal(node_store_find(s, name)->ready, NODE_NOT_READY);
	assert_int_equal(node_store_changed_since(s, g, ids, 8), 1);
	assert_int_equal(ids[0], (unsigned)id);
	/* its id did not change */
	assert_int_equal(node_store_find_id(s, name), id);
	assert_summary_fresh(s);

	/* the same resourceVersion again: nothing parsed, nothing changed */
	g = node_store_gen(s);
	apply(s, "MODIFIED", 5, 0, 2);
	assert_int_equal(node_store_stats(s)->parsed, 41);
	assert_int_equal(node_store_gen(s), g);
	assert_int_equal(node_store_changed_since(s, g, ids, 8), 0);
	node_store_free(&s);
}

static void test_add_delete_and_pools(void **state)
{
	struct node_store *s = filled(8);
	char name[64];
	int i;

	(void)state;
	apply(s, "ADDED", 100, 1, 1);
	assert_int_equal(node_store_count(s), 9);
	assert_summary_fresh(s);
	/* every node of pool np01 goes: so does the pool */
	for (i = 1; i < 8; i += 4)
		apply(s, "DELETED", i, 1, 1);
	assert_int_equal(node_store_count(s), 7);
	assert_int_equal(node_store_summary(s)->npools, 3); /* np01 gone */
	assert_summary_fresh(s);
	name_of(name, sizeof(name), 1);
	assert_null(node_store_find(s, name));
	assert_int_equal(node_store_find_id(s, name), -1);
	apply(s, "DELETED", 5, 1, 1); /* already gone */
	assert_int_equal(node_store_count(s), 7);
	for (i = 2; i < 8; i += 4) {
		apply(s, "DELETED", i, 1, 1);
		apply(s, "DELETED", i + 1, 1, 1);
	}
	assert_summary_fresh(s);
	assert_int_equal(node_store_summary(s)->npools, 1);
	node_store_free(&s);
}

static void test_relist_keeps_unchanged(void **state)
{
	struct node_store *s = filled(20);
	cJSON *items = cJSON_CreateArray();
	char name[64];
	int i;

	(void)state;
	/* a relist: node 3 changed, 10..19 gone, the rest the same */
	for (i = 0; i < 10; i++) {
		name_of(name, sizeof(name), i);
		cJSON_AddItemToArray(items, make_node(name, i % 4,
						      i == 3 ? 0 : i % 10 != 0,
						      i == 3 ? 7 : 1));
	}
	node_store_replace(s, items);
	cJSON_Delete(items);
	assert_int_equal(node_store_count(s), 10);
	assert_int_equal(node_store_stats(s)->parsed, 21);
	assert_int_equal(node_store_summary(s)->ready, 8);
	assert_summary_fresh(s);
	node_store_free(&s);
}

static void test_invalid_objects(void **state)
{
	struct node_store *s = filled(4);
	cJSON *bad = cJSON_Parse("{\"kind\":\"Pod\",\"metadata\":"
				 "{\"name\":\"aks-np00-26621167-vmss000000\","
				 "\"resourceVersion\":\"9\"}}");

	(void)state;
	/* a node that turns into something else is dropped */
	node_store_apply(s, "MODIFIED", bad);
	assert_int_equal(node_store_count(s), 3);
	assert_summary_fresh(s);
	cJSON_Delete(bad);
	bad = cJSON_Parse("{\"metadata\":{}}");
	node_store_apply(s, "ADDED", bad);
	assert_int_equal(node_store_count(s), 3);
	cJSON_Delete(bad);
	node_store_free(&s);
}

/* ---- the nodes pane's rows ------------------------------------------------
 */

static void assert_rows_equal(const struct node_rows *a,
			      const struct node_rows *b)
{
	size_t i;
	int c;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++)
		assert_string_equal(node_rows_node(a, i)->name,
				    node_rows_node(b, i)->name);
	for (c = 0; c < NODE_NCOLS; c++)
		assert_int_equal(a->content_w[c], b->content_w[c]);
}

static void test_rows_order_and_filter(void **state)
{
	struct node_store *s = filled(30);
	struct node_rows r;

	(void)state;
	memset(&r, 0, sizeof(r));
	node_rows_update(&r, s, NODE_SORT_NAME, 0, "", NOW);
	assert_int_equal(r.n, 30);
	/* NotReady first (0, 10, 20), then by name */
	assert_string_equal(node_rows_node(&r, 0)->name,
			    "aks-np00-26621167-vmss000000");
	assert_string_equal(node_rows_node(&r, 1)->name,
			    "aks-np00-26621167-vmss000020");
	assert_string_equal(node_rows_node(&r, 2)->name,
			    "aks-np02-26621167-vmss000010");
	assert_string_equal(node_rows_node(&r, 3)->name,
			    "aks-np00-26621167-vmss000004");
	assert_int_equal(r.content_w[NODE_COL_NAME], 28);
	assert_int_equal(r.content_w[NODE_COL_STATUS], 8); /* NotReady */
	assert_int_equal(r.content_w[NODE_COL_AGE], 3);	   /* "24h" */

	node_rows_update(&r, s, NODE_SORT_NAME, 0, "np03", NOW);
	assert_int_equal(r.n, 7);
	node_rows_update(&r, s, NODE_SORT_NAME, 1, "", NOW);
	/* descending, NotReady still first */
	assert_string_equal(node_rows_node(&r, 0)->name,
			    "aks-np02-26621167-vmss000010");
	assert_string_equal(node_rows_node(&r, 3)->name,
			    "aks-np03-26621167-vmss000027");
	node_rows_free(&r);
	node_store_free(&s);
}

static void test_rows_follow_events(void **state)
{
	struct node_store *s = filled(50);
	struct node_rows r, fresh;
	unsigned builds;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	node_rows_update(&r, s, NODE_SORT_STATUS, 0, "np0", NOW);
	builds = r.full_builds;
	/* a mix of changes, each followed by an update of the rows */
	for (i = 0; i < 60; i++) {
		int k = (i * 7) % 50;

		if (i % 9 == 8)
			apply(s, "DELETED", k, 1, 1);
		else if (i % 11 == 10)
			apply(s, "ADDED", 100 + i, i % 2, 1);
		else
			apply(s, "MODIFIED", k, i % 3 != 0, 10 + i);
		node_rows_update(&r, s, NODE_SORT_STATUS, 0, "np0", NOW);
		memset(&fresh, 0, sizeof(fresh));
		node_rows_update(&fresh, s, NODE_SORT_STATUS, 0, "np0", NOW);
		assert_rows_equal(&r, &fresh);
		node_rows_free(&fresh);
	}
	/* never rebuilt: each change moved its own row */
	assert_int_equal(r.full_builds, builds);
	assert_true(r.partial_updates >= 60);
	node_rows_free(&r);
	node_store_free(&s);
}

static void test_rows_widths_shrink(void **state)
{
	struct node_store *s = node_store_new_local(NULL, NULL, 0);
	struct node_rows r;
	cJSON *o;

	(void)state;
	memset(&r, 0, sizeof(r));
	o = make_node("short", 0, 1, 1);
	node_store_apply(s, "ADDED", o);
	cJSON_Delete(o);
	o = make_node("a-much-longer-node-name-than-the-other", 0, 1, 1);
	node_store_apply(s, "ADDED", o);
	node_rows_update(&r, s, NODE_SORT_NAME, 0, NULL, NOW);
	assert_int_equal(r.content_w[NODE_COL_NAME], 38);
	/* every node Ready: STATUS is as wide as "NotReady" all the same,
	 * so that one node turning NotReady moves no other row */
	assert_int_equal(r.content_w[NODE_COL_STATUS], 8);
	node_store_apply(s, "DELETED", o);
	cJSON_Delete(o);
	node_rows_update(&r, s, NODE_SORT_NAME, 0, NULL, NOW);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.content_w[NODE_COL_NAME], 5);
	node_rows_free(&r);
	node_store_free(&s);
}

static void test_rows_rebuild_when_journal_overflows(void **state)
{
	struct node_store *s = filled(10);
	struct node_rows r, fresh;
	unsigned builds;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	node_rows_update(&r, s, NODE_SORT_NAME, 0, "", NOW);
	builds = r.full_builds;
	/* more changes than the journal holds: the rows are rebuilt */
	for (i = 0; i < 5000; i++)
		apply(s, "MODIFIED", i % 10, (i / 10) % 2, 100 + i);
	node_rows_update(&r, s, NODE_SORT_NAME, 0, "", NOW);
	assert_int_equal(r.full_builds, builds + 1);
	memset(&fresh, 0, sizeof(fresh));
	node_rows_update(&fresh, s, NODE_SORT_NAME, 0, "", NOW);
	assert_rows_equal(&r, &fresh);
	node_rows_free(&fresh);
	/* a new minute rebuilds too (the AGE column moves) */
	node_rows_update(&r, s, NODE_SORT_NAME, 0, "", NOW + 60);
	assert_int_equal(r.full_builds, builds + 2);
	node_rows_free(&r);
	node_store_free(&s);
}

static void test_rows_of_another_store(void **state)
{
	struct node_store *a = filled(10), *b;
	struct node_rows r;

	(void)state;
	memset(&r, 0, sizeof(r));
	node_rows_update(&r, a, NODE_SORT_NAME, 0, "", NOW);
	node_store_free(&a);
	/* a new store, perhaps at the same address: never taken for the
	 * old one */
	b = filled(3);
	node_rows_update(&r, b, NODE_SORT_NAME, 0, "", NOW);
	assert_int_equal(r.n, 3);
	node_rows_update(&r, NULL, NODE_SORT_NAME, 0, "", NOW);
	assert_int_equal(r.n, 0);
	node_rows_free(&r);
	node_store_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fill_and_summary),
	    cmocka_unit_test(test_event_changes_one_node),
	    cmocka_unit_test(test_add_delete_and_pools),
	    cmocka_unit_test(test_relist_keeps_unchanged),
	    cmocka_unit_test(test_invalid_objects),
	    cmocka_unit_test(test_rows_order_and_filter),
	    cmocka_unit_test(test_rows_follow_events),
	    cmocka_unit_test(test_rows_widths_shrink),
	    cmocka_unit_test(test_rows_rebuild_when_journal_overflows),
	    cmocka_unit_test(test_rows_of_another_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
