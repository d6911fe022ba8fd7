/* print_nodes.c - `jumpdeck nodes`: the JSON document and the kubectl-like
 * table of the node model. Not the model (backend/nodes) nor the pane. */
#include "print.h"

#include <stdlib.h>

#include "backend/json.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"

/* ---- JSON --------------------------------------------------------------- */

static void add_str(cJSON *obj, const char *key, const char *val)
{
	cJSON_AddStringToObject(obj, key, val ? val : "");
}

cJSON *node_to_json(const struct node *n)
{
	char status[NODE_STATUS_LEN];
	cJSON *o = cJSON_CreateObject();
	cJSON *conds;
	size_t i;

	add_str(o, "name", n->name);
	add_str(o, "status", node_status_text(n, status, sizeof(status)));
	cJSON_AddBoolToObject(o, "ready", n->ready == NODE_READY);
	cJSON_AddBoolToObject(o, "unschedulable", n->unschedulable != 0);
	add_str(o, "pool", n->pool);
	add_str(o, "mode", n->mode);
	add_str(o, "roles", n->roles);
	add_str(o, "version", n->version);
	add_str(o, "created", n->created);
	conds = cJSON_AddArrayToObject(o, "conditions");
	for (i = 0; i < n->nconditions; i++) {
		const struct node_condition *c = &n->conditions[i];
		cJSON *co = cJSON_CreateObject();

		add_str(co, "type", c->type);
		add_str(co, "status", c->status);
		add_str(co, "reason", c->reason);
		add_str(co, "message", c->message);
		add_str(co, "lastTransitionTime", c->last_transition);
		cJSON_AddItemToArray(conds, co);
	}
	return o;
}

cJSON *node_summary_to_json(const struct node_summary *s)
{
	cJSON *sum = cJSON_CreateObject(), *pools;
	size_t i;

	cJSON_AddNumberToObject(sum, "total", (double)s->total);
	cJSON_AddNumberToObject(sum, "ready", (double)s->ready);
	pools = cJSON_AddObjectToObject(sum, "pools");
	for (i = 0; i < s->npools; i++) {
		cJSON *p = cJSON_AddObjectToObject(pools, s->pools[i].name);

		cJSON_AddNumberToObject(p, "total", (double)s->pools[i].total);
		cJSON_AddNumberToObject(p, "ready", (double)s->pools[i].ready);
		add_str(p, "mode", s->pools[i].mode);
	}
	return sum;
}

char *nodes_to_json(const struct node *v, size_t n,
		    const struct node_summary *s)
{
	struct node_summary own;
	cJSON *root = cJSON_CreateObject();
	cJSON *arr;
	size_t i;

	if (!root)
		return NULL;
	if (!s) {
		nodes_summarize(v, n, &own);
		s = &own;
	}
	arr = cJSON_AddArrayToObject(root, "nodes");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, node_to_json(&v[i]));
	cJSON_AddItemToObject(root, "summary", node_summary_to_json(s));
	if (s == &own)
		node_summary_clear(&own);
	return json_print_free(root, 1);
}

/* ---- table -------------------------------------------------------------- */

enum {
	COL_NAME,
	COL_STATUS,
	COL_POOL,
	COL_MODE,
	COL_ROLES,
	COL_AGE,
	COL_VERSION,
	COL_PRESSURE,
	NCOLS
};

static const char *const col_names[NCOLS] = {
    "NAME", "STATUS", "POOL", "MODE", "ROLES", "AGE", "VERSION", "PRESSURE",
};

static void set_cell(struct table_cell *c, const char *s)
{
	table_cell_set(c, s, "<none>");
}

void nodes_print_table(FILE *f, const struct node *v, size_t n, time_t now)
{
	struct table_cell *cells = xcalloc((n + 1) * NCOLS, sizeof(*cells));
	size_t r;
	int c;

	for (c = 0; c < NCOLS; c++)
		set_cell(&cells[c], col_names[c]);
	for (r = 0; r < n; r++) {
		struct table_cell *row = &cells[(r + 1) * NCOLS];
		char status[NODE_STATUS_LEN], age[TIMEFMT_AGE_LEN];
		char pressure[NODE_PRESSURE_LEN];

		set_cell(&row[COL_NAME], v[r].name);
		set_cell(&row[COL_STATUS],
			 node_status_text(&v[r], status, sizeof(status)));
		set_cell(&row[COL_POOL], v[r].pool);
		set_cell(&row[COL_MODE], v[r].mode);
		set_cell(&row[COL_ROLES], v[r].roles);
		set_cell(&row[COL_AGE],
			 timefmt_age(v[r].created_at, now, age, sizeof(age)));
		set_cell(&row[COL_VERSION], v[r].version);
		set_cell(&row[COL_PRESSURE],
			 node_pressure_text(v[r].pressure, pressure,
					    sizeof(pressure)));
	}
	table_print(f, cells, n + 1, NCOLS);
	free(cells);
}
