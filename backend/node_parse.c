/* node_parse.c - one Node object (JSON) into struct node, held in one
 * block: the JSON is walked twice, once to measure and once to fill, so a
 * node costs one allocation instead of a hundred; the strings every node
 * repeats come from the string pool. Not the texts, sorting or summaries
 * of the model (nodes.c). */
#include "nodes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"
#include "timefmt.h"
#include "xalloc.h"

#define LABEL_POOL_AKS "kubernetes.azure.com/agentpool"
#define LABEL_POOL_OLD "agentpool"
#define LABEL_MODE     "kubernetes.azure.com/mode"
#define LABEL_ROLE_PFX "node-role.kubernetes.io/"
#define LABEL_ROLE     "kubernetes.io/role"
#define MAX_ROLES      64

/* Where the parse writes: measuring (base NULL: only sizes add up) or
 * filling the block. Arrays come first, then the strings. */
struct sink {
	char *base;
	size_t arrays;	     /* bytes of arrays so far */
	size_t strings;	     /* bytes of strings so far */
	size_t arrays_total; /* when filling: where the strings start */
};

static void *take(struct sink *k, size_t bytes)
{
	void *p = NULL;

	/* Keep every array aligned for any member type. */
	bytes = (bytes + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
	if (k->base)
		p = k->base + k->arrays;
	k->arrays += bytes;
	return p;
}

/* A copy of s in the block ("" in place of NULL); NULL when measuring. */
static char *put(struct sink *k, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *p = NULL;

	if (k->base) {
		p = k->base + k->arrays_total + k->strings;
		memcpy(p, s ? s : "", n);
	}
	k->strings += n;
	return p;
}

/* A string that nodes repeat (a label, a reason, a version): the pool's
 * copy while it takes more, else one in the block. Both passes decide
 * alike: what the first put in the pool, the second finds there. */
static char *shared(struct sink *k, const char *s)
{
	char *p = strpool_intern(s ? s : "");

	return p ? p : put(k, s);
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* obj[key] if it is a string, else "". */
static const char *str(const cJSON *obj, const char *key)
{
	const cJSON *v = member(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

/* A value of a string map; numbers and booleans are tolerated. */
static const char *scalar(const cJSON *v, char *buf, size_t sz)
{
	if (cJSON_IsString(v) && v->valuestring)
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(buf, sz, "%.17g", v->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	return "";
}

static size_t array_len(const cJSON *arr)
{
	return cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
}

static int kv_cmp(const void *a, const void *b)
{
	const struct node_kv *x = a;
	const struct node_kv *y = b;

	return strcmp(x->key, y->key);
}

/* A string map into a key/value array sorted by key. */
static void parse_map(struct sink *k, const cJSON *obj, struct node_kv **out,
		      size_t *n)
{
	const cJSON *it;
	size_t count = 0, i = 0;
	struct node_kv *v;
	char buf[64];

	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(obj))
		return;
	cJSON_ArrayForEach(it, obj)
	{
		if (it->string)
			count++;
	}
	if (count == 0)
		return;
	v = take(k, count * sizeof(*v));
	cJSON_ArrayForEach(it, obj)
	{
		char *key, *val;

		if (!it->string)
			continue;
		key = shared(k, it->string);
		val = shared(k, scalar(it, buf, sizeof(buf)));
		if (v) {
			v[i].key = key;
			v[i].value = val;
		}
		i++;
	}
	if (!v)
		return;
	qsort(v, i, sizeof(*v), kv_cmp);
	*out = v;
	*n = i;
}

static int str_ptr_cmp(const void *a, const void *b)
{
	const char *const *x = a;
	const char *const *y = b;

	return strcmp(*x, *y);
}

/* kubectl's ROLES: suffixes of node-role.kubernetes.io/<role> labels and
 * the value of kubernetes.io/role, de-duplicated, sorted, comma-joined;
 * "<none>" without any. */
static char *put_roles(struct sink *k, const cJSON *labels)
{
	const char *roles[MAX_ROLES];
	size_t nroles = 0, len = 0, i, o = 0, pfx = strlen(LABEL_ROLE_PFX);
	const cJSON *it, *map = cJSON_IsObject(labels) ? labels : NULL;
	char *out;

	cJSON_ArrayForEach(it, map)
	{
		const char *role = NULL;

		if (!it->string || nroles == MAX_ROLES)
			continue;
		if (strncmp(it->string, LABEL_ROLE_PFX, pfx) == 0 &&
		    it->string[pfx] != '\0')
			role = it->string + pfx;
		else if (strcmp(it->string, LABEL_ROLE) == 0 &&
			 cJSON_IsString(it) && it->valuestring[0] != '\0')
			role = it->valuestring;
		if (role)
			roles[nroles++] = role;
	}
	if (nroles == 0)
		return shared(k, "<none>");
	qsort(roles, nroles, sizeof(*roles), str_ptr_cmp);
	for (i = 0; i < nroles; i++)
		len += strlen(roles[i]) + 1;
	out = xmalloc(len + 1);
	for (i = 0; i < nroles; i++) {
		size_t l;

		if (i > 0 && strcmp(roles[i], roles[i - 1]) == 0)
			continue;
		if (o > 0)
			out[o++] = ',';
		l = strlen(roles[i]);
		memcpy(out + o, roles[i], l);
		o += l;
	}
	out[o] = '\0';
	{
		char *p = shared(k, out);

		free(out);
		return p;
	}
}

/* ready and pressure from the conditions, kept or not. */
static void read_conditions(struct node *n, const cJSON *arr)
{
	const cJSON *it, *list = cJSON_IsArray(arr) ? arr : NULL;

	n->ready = NODE_UNKNOWN;
	cJSON_ArrayForEach(it, list)
	{
		const char *type = str(it, "type"), *st = str(it, "status");

		if (!cJSON_IsObject(it))
			continue;
		if (strcmp(type, "Ready") == 0) {
			if (strcmp(st, "True") == 0)
				n->ready = NODE_READY;
			else if (strcmp(st, "False") == 0)
				n->ready = NODE_NOT_READY;
			else
				n->ready = NODE_UNKNOWN;
		}
		if (strcmp(st, "True") != 0)
			continue;
		if (strcmp(type, "MemoryPressure") == 0)
			n->pressure |= NODE_PRESSURE_MEMORY;
		else if (strcmp(type, "DiskPressure") == 0)
			n->pressure |= NODE_PRESSURE_DISK;
		else if (strcmp(type, "PIDPressure") == 0)
			n->pressure |= NODE_PRESSURE_PID;
		else if (strcmp(type, "NetworkUnavailable") == 0)
			n->pressure |= NODE_PRESSURE_NETWORK;
	}
}

static void parse_conditions(struct sink *k, struct node *n, const cJSON *arr)
{
	size_t count = array_len(arr), i = 0;
	/* tmp: where the measuring pass (no v) writes, read by nobody */
	struct node_condition *v, tmp = {0};
	const cJSON *it;

	if (count == 0)
		return;
	v = take(k, count * sizeof(*v));
	cJSON_ArrayForEach(it, arr)
	{
		struct node_condition *c = v ? &v[i] : &tmp;

		if (!cJSON_IsObject(it))
			continue;
		c->type = shared(k, str(it, "type"));
		c->status = shared(k, str(it, "status"));
		c->reason = shared(k, str(it, "reason"));
		c->message = shared(k, str(it, "message"));
		c->last_transition = put(k, str(it, "lastTransitionTime"));
		c->last_heartbeat = put(k, str(it, "lastHeartbeatTime"));
		i++;
	}
	n->conditions = v;
	n->nconditions = v ? i : 0;
}

static void parse_taints(struct sink *k, struct node *n, const cJSON *arr)
{
	size_t count = array_len(arr), i = 0;
	struct node_taint *v, tmp = {0};
	const cJSON *it;

	if (count == 0)
		return;
	v = take(k, count * sizeof(*v));
	cJSON_ArrayForEach(it, arr)
	{
		struct node_taint *t = v ? &v[i] : &tmp;

		if (!cJSON_IsObject(it))
			continue;
		t->key = shared(k, str(it, "key"));
		t->value = shared(k, str(it, "value"));
		t->effect = shared(k, str(it, "effect"));
		i++;
	}
	n->taints = v;
	n->ntaints = v ? i : 0;
}

static void parse_addresses(struct sink *k, struct node *n, const cJSON *arr)
{
	size_t count = array_len(arr), i = 0;
	struct node_address *v, tmp = {0};
	const cJSON *it;

	if (count == 0)
		return;
	v = take(k, count * sizeof(*v));
	cJSON_ArrayForEach(it, arr)
	{
		struct node_address *a = v ? &v[i] : &tmp;

		if (!cJSON_IsObject(it))
			continue;
		a->type = shared(k, str(it, "type"));
		a->address = put(k, str(it, "address"));
		i++;
	}
	n->addresses = v;
	n->naddresses = v ? i : 0;
}

/* One pass over obj (already checked to be a named Node). row: only what
 * a table row needs. */
static void parse(struct sink *k, struct node *out, const cJSON *obj, int row)
{
	const cJSON *meta = member(obj, "metadata");
	const cJSON *labels = member(meta, "labels");
	const cJSON *spec = member(obj, "spec");
	const cJSON *status = member(obj, "status");
	const cJSON *info = member(status, "nodeInfo");
	const char *pool = str(labels, LABEL_POOL_AKS);

	if (!*pool)
		pool = str(labels, LABEL_POOL_OLD);
	out->name = put(k, str(meta, "name"));
	out->resource_version = put(k, str(meta, "resourceVersion"));
	out->created = put(k, str(meta, "creationTimestamp"));
	out->pool = shared(k, pool);
	out->mode = shared(k, str(labels, LABEL_MODE));
	out->roles = put_roles(k, labels);
	out->unschedulable = cJSON_IsTrue(member(spec, "unschedulable"));
	read_conditions(out, member(status, "conditions"));
	out->info.kubelet = shared(k, str(info, "kubeletVersion"));
	out->version = out->info.kubelet;
	if (row) {
		char *none = shared(k, "");

		out->info.kernel = out->info.os_image = none;
		out->info.container_runtime = out->info.kube_proxy = none;
		out->info.arch = out->info.os = none;
		return;
	}
	parse_map(k, labels, &out->labels, &out->nlabels);
	parse_taints(k, out, member(spec, "taints"));
	parse_conditions(k, out, member(status, "conditions"));
	parse_map(k, member(status, "capacity"), &out->capacity,
		  &out->ncapacity);
	parse_map(k, member(status, "allocatable"), &out->allocatable,
		  &out->nallocatable);
	parse_addresses(k, out, member(status, "addresses"));
	out->info.kernel = shared(k, str(info, "kernelVersion"));
	out->info.os_image = shared(k, str(info, "osImage"));
	out->info.container_runtime =
	    shared(k, str(info, "containerRuntimeVersion"));
	out->info.kube_proxy = shared(k, str(info, "kubeProxyVersion"));
	out->info.arch = shared(k, str(info, "architecture"));
	out->info.os = shared(k, str(info, "operatingSystem"));
}

static int check(const cJSON *obj, struct err *e)
{
	const cJSON *kind, *name;

	if (!cJSON_IsObject(obj))
		return err_set(e, ERR_PARSE, "node is not a JSON object");
	kind = member(obj, "kind");
	if (kind && !cJSON_IsNull(kind) &&
	    !(cJSON_IsString(kind) && strcmp(kind->valuestring, "Node") == 0))
		return err_set(e, ERR_PARSE, "object is a %.64s, not a Node",
			       cJSON_IsString(kind) ? kind->valuestring
						    : "(bad kind)");
	name = member(member(obj, "metadata"), "name");
	if (!cJSON_IsString(name) || !name->valuestring ||
	    name->valuestring[0] == '\0')
		return err_set(e, ERR_PARSE, "node has no metadata.name");
	return 0;
}

static int build(struct node *out, const cJSON *obj, int row, struct err *e)
{
	struct sink k;
	struct node scratch;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check(obj, e);
	if (rc < 0)
		return rc;
	memset(&k, 0, sizeof(k));
	memset(&scratch, 0, sizeof(scratch));
	parse(&k, &scratch, obj, row);
	k.arrays_total = k.arrays;
	k.base = xmalloc(k.arrays + k.strings);
	k.arrays = 0;
	k.strings = 0;
	parse(&k, out, obj, row);
	out->block = k.base;
	if (out->created[0] != '\0' &&
	    timefmt_parse_rfc3339(out->created, &out->created_at, NULL,
				  NULL) != 0)
		out->created_at = 0;
	return 0;
}

int node_from_json(struct node *out, const cJSON *obj, struct err *e)
{
	return build(out, obj, 0, e);
}

int node_row_from_json(struct node *out, const cJSON *obj, struct err *e)
{
	return build(out, obj, 1, e);
}

int nodes_from_list_json(const cJSON *list, struct node **out, size_t *n,
			 struct err *e)
{
	const cJSON *items = member(list, "items");
	const cJSON *it;
	struct node *v;
	size_t count, i = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(list))
		return err_set(e, ERR_PARSE, "node list is not a JSON object");
	if (!items || cJSON_IsNull(items))
		return 0;
	if (!cJSON_IsArray(items))
		return err_set(e, ERR_PARSE,
			       "node list items is not an array");
	count = (size_t)cJSON_GetArraySize(items);
	v = xcalloc(count ? count : 1, sizeof(*v));
	cJSON_ArrayForEach(it, items)
	{
		rc = node_from_json(&v[i], it, e);
		if (rc != 0) {
			if (e)
				err_prefix(e, "item %zu", i + 1);
			nodes_free(&v, i);
			return rc;
		}
		i++;
	}
	*out = v;
	*n = i;
	return 0;
}
