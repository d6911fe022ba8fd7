/* nodes.c - turns Node JSON into struct node, and nodes into texts,
 * summaries and sorted lists. Not an API client, not a printer; no curses. */
#include "nodes.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#define LABEL_POOL_AKS "kubernetes.azure.com/agentpool"
#define LABEL_POOL_OLD "agentpool"
#define LABEL_MODE     "kubernetes.azure.com/mode"
#define LABEL_ROLE_PFX "node-role.kubernetes.io/"
#define LABEL_ROLE     "kubernetes.io/role"
#define NO_POOL	       "<none>"
#define MIDDOT	       "\xc2\xb7"

/* ---- parsing ------------------------------------------------------------ */

static int kv_cmp(const void *a, const void *b)
{
	const struct node_kv *x = a;
	const struct node_kv *y = b;

	return strcmp(x->key, y->key);
}

/* A string map into a sorted key/value array. */
static void parse_map(const cJSON *obj, struct node_kv **out, size_t *n)
{
	const cJSON *it;
	size_t count = 0, i = 0;

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
	*out = xcalloc(count, sizeof(**out));
	cJSON_ArrayForEach(it, obj)
	{
		if (!it->string)
			continue;
		(*out)[i].key = xstrdup(it->string);
		(*out)[i].value = json_scalar_dup(it);
		i++;
	}
	*n = i;
	if (*n > 1) /* *out may be NULL when empty */
		qsort(*out, *n, sizeof(**out), kv_cmp);
}

static const char *kv_get(const struct node_kv *v, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return v[i].value;
	return NULL;
}

static int str_ptr_cmp(const void *a, const void *b)
{
	const char *const *x = a;
	const char *const *y = b;

	return strcmp(*x, *y);
}

/* kubectl's ROLES: suffixes of node-role.kubernetes.io/<role> labels and
 * the value of kubernetes.io/role, de-duplicated, sorted, comma-joined. */
static char *roles_from_labels(const struct node_kv *labels, size_t n)
{
	const char **roles;
	size_t nroles = 0, len = 0, i, o = 0;
	size_t pfx = strlen(LABEL_ROLE_PFX);
	char *out;

	if (n == 0)
		return xstrdup("<none>");
	roles = xcalloc(n, sizeof(*roles));
	for (i = 0; i < n; i++) {
		const char *role = NULL;

		if (strncmp(labels[i].key, LABEL_ROLE_PFX, pfx) == 0 &&
		    labels[i].key[pfx] != '\0')
			role = labels[i].key + pfx;
		else if (strcmp(labels[i].key, LABEL_ROLE) == 0 &&
			 labels[i].value[0] != '\0')
			role = labels[i].value;
		if (role)
			roles[nroles++] = role;
	}
	if (nroles == 0) {
		free(roles);
		return xstrdup("<none>");
	}
	if (nroles > 1)
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
	free(roles);
	return out;
}

static void parse_conditions(struct node *n, const cJSON *arr)
{
	const cJSON *it;
	size_t count, i = 0;

	n->ready = NODE_UNKNOWN;
	count = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	if (count == 0)
		return;
	n->conditions = xcalloc(count, sizeof(*n->conditions));
	cJSON_ArrayForEach(it, arr)
	{
		struct node_condition *c;

		if (!cJSON_IsObject(it))
			continue;
		c = &n->conditions[i++];
		c->type = json_dup(it, "type", "");
		c->status = json_dup(it, "status", "");
		c->reason = json_dup(it, "reason", "");
		c->message = json_dup(it, "message", "");
		c->last_transition = json_dup(it, "lastTransitionTime", "");
		c->last_heartbeat = json_dup(it, "lastHeartbeatTime", "");
		if (strcmp(c->type, "Ready") == 0) {
			if (strcmp(c->status, "True") == 0)
				n->ready = NODE_READY;
			else if (strcmp(c->status, "False") == 0)
				n->ready = NODE_NOT_READY;
			else
				n->ready = NODE_UNKNOWN;
		}
		if (strcmp(c->status, "True") != 0)
			continue;
		if (strcmp(c->type, "MemoryPressure") == 0)
			n->pressure |= NODE_PRESSURE_MEMORY;
		else if (strcmp(c->type, "DiskPressure") == 0)
			n->pressure |= NODE_PRESSURE_DISK;
		else if (strcmp(c->type, "PIDPressure") == 0)
			n->pressure |= NODE_PRESSURE_PID;
		else if (strcmp(c->type, "NetworkUnavailable") == 0)
			n->pressure |= NODE_PRESSURE_NETWORK;
	}
	n->nconditions = i;
}

static void parse_taints(struct node *n, const cJSON *arr)
{
	const cJSON *it;
	size_t count, i = 0;

	count = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	if (count == 0)
		return;
	n->taints = xcalloc(count, sizeof(*n->taints));
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsObject(it))
			continue;
		n->taints[i].key = json_dup(it, "key", "");
		n->taints[i].value = json_dup(it, "value", "");
		n->taints[i].effect = json_dup(it, "effect", "");
		i++;
	}
	n->ntaints = i;
}

static void parse_addresses(struct node *n, const cJSON *arr)
{
	const cJSON *it;
	size_t count, i = 0;

	count = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	if (count == 0)
		return;
	n->addresses = xcalloc(count, sizeof(*n->addresses));
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsObject(it))
			continue;
		n->addresses[i].type = json_dup(it, "type", "");
		n->addresses[i].address = json_dup(it, "address", "");
		i++;
	}
	n->naddresses = i;
}

static void parse_info(struct node_info *info, const cJSON *obj)
{
	info->kernel = json_dup(obj, "kernelVersion", "");
	info->os_image = json_dup(obj, "osImage", "");
	info->container_runtime = json_dup(obj, "containerRuntimeVersion", "");
	info->kubelet = json_dup(obj, "kubeletVersion", "");
	info->kube_proxy = json_dup(obj, "kubeProxyVersion", "");
	info->arch = json_dup(obj, "architecture", "");
	info->os = json_dup(obj, "operatingSystem", "");
}

int node_from_json(struct node *out, const cJSON *obj, struct err *e)
{
	const cJSON *kind, *meta, *name, *spec, *status, *unsched;
	const char *pool, *mode;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(obj))
		return err_set(e, ERR_PARSE, "node is not a JSON object");
	kind = json_get(obj, "kind");
	if (kind && !cJSON_IsNull(kind) &&
	    !(cJSON_IsString(kind) && strcmp(kind->valuestring, "Node") == 0))
		return err_set(e, ERR_PARSE, "object is a %.64s, not a Node",
			       cJSON_IsString(kind) ? kind->valuestring
						    : "(bad kind)");
	meta = json_get(obj, "metadata");
	name = json_get(meta, "name");
	if (!cJSON_IsString(name) || !name->valuestring ||
	    name->valuestring[0] == '\0')
		return err_set(e, ERR_PARSE, "node has no metadata.name");
	spec = json_get(obj, "spec");
	status = json_get(obj, "status");

	out->name = xstrdup(name->valuestring);
	out->resource_version = json_dup(meta, "resourceVersion", "");
	out->created = json_dup(meta, "creationTimestamp", "");
	if (out->created[0] != '\0' &&
	    timefmt_parse_rfc3339(out->created, &out->created_at, NULL,
				  NULL) != 0)
		out->created_at = 0;
	parse_map(json_get(meta, "labels"), &out->labels, &out->nlabels);

	pool = kv_get(out->labels, out->nlabels, LABEL_POOL_AKS);
	if (!pool)
		pool = kv_get(out->labels, out->nlabels, LABEL_POOL_OLD);
	out->pool = xstrdup(pool ? pool : "");
	mode = kv_get(out->labels, out->nlabels, LABEL_MODE);
	out->mode = xstrdup(mode ? mode : "");
	out->roles = roles_from_labels(out->labels, out->nlabels);

	unsched = json_get(spec, "unschedulable");
	out->unschedulable = cJSON_IsTrue(unsched);
	parse_taints(out, json_get(spec, "taints"));

	parse_conditions(out, json_get(status, "conditions"));
	parse_map(json_get(status, "capacity"), &out->capacity,
		  &out->ncapacity);
	parse_map(json_get(status, "allocatable"), &out->allocatable,
		  &out->nallocatable);
	parse_addresses(out, json_get(status, "addresses"));
	parse_info(&out->info, json_get(status, "nodeInfo"));
	out->version = xstrdup(out->info.kubelet);
	return 0;
}

int nodes_from_list_json(const cJSON *list, struct node **out, size_t *n,
			 struct err *e)
{
	const cJSON *items = json_get(list, "items");
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

/* ---- lifetime ----------------------------------------------------------- */

static void kv_free(struct node_kv *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

static void info_free(struct node_info *info)
{
	free(info->kernel);
	free(info->os_image);
	free(info->container_runtime);
	free(info->kubelet);
	free(info->kube_proxy);
	free(info->arch);
	free(info->os);
}

void node_clear(struct node *n)
{
	size_t i;

	if (!n)
		return;
	free(n->name);
	free(n->resource_version);
	free(n->pool);
	free(n->mode);
	free(n->roles);
	free(n->version);
	free(n->created);
	for (i = 0; i < n->nconditions; i++) {
		struct node_condition *c = &n->conditions[i];

		free(c->type);
		free(c->status);
		free(c->reason);
		free(c->message);
		free(c->last_transition);
		free(c->last_heartbeat);
	}
	free(n->conditions);
	for (i = 0; i < n->ntaints; i++) {
		free(n->taints[i].key);
		free(n->taints[i].value);
		free(n->taints[i].effect);
	}
	free(n->taints);
	kv_free(n->capacity, n->ncapacity);
	kv_free(n->allocatable, n->nallocatable);
	for (i = 0; i < n->naddresses; i++) {
		free(n->addresses[i].type);
		free(n->addresses[i].address);
	}
	free(n->addresses);
	info_free(&n->info);
	kv_free(n->labels, n->nlabels);
	memset(n, 0, sizeof(*n));
}

void nodes_free(struct node **v, size_t n)
{
	size_t i;

	if (!v || !*v)
		return;
	for (i = 0; i < n; i++)
		node_clear(&(*v)[i]);
	free(*v);
	*v = NULL;
}

/* xstrdup that turns NULL into "", for copies of hand-built nodes. */
static char *dup0(const char *s)
{
	return xstrdup(s ? s : "");
}

static struct node_kv *kv_copy(const struct node_kv *v, size_t n)
{
	struct node_kv *out;
	size_t i;

	if (n == 0)
		return NULL;
	out = xcalloc(n, sizeof(*out));
	for (i = 0; i < n; i++) {
		out[i].key = dup0(v[i].key);
		out[i].value = dup0(v[i].value);
	}
	return out;
}

void node_copy(struct node *dst, const struct node *src)
{
	size_t i;

	*dst = *src; /* scalars and counts; every pointer is replaced below */
	dst->name = dup0(src->name);
	dst->resource_version = dup0(src->resource_version);
	dst->pool = dup0(src->pool);
	dst->mode = dup0(src->mode);
	dst->roles = dup0(src->roles);
	dst->version = dup0(src->version);
	dst->created = dup0(src->created);
	dst->conditions = NULL;
	if (src->nconditions)
		dst->conditions =
		    xcalloc(src->nconditions, sizeof(*dst->conditions));
	for (i = 0; i < src->nconditions; i++) {
		const struct node_condition *s = &src->conditions[i];
		struct node_condition *d = &dst->conditions[i];

		d->type = dup0(s->type);
		d->status = dup0(s->status);
		d->reason = dup0(s->reason);
		d->message = dup0(s->message);
		d->last_transition = dup0(s->last_transition);
		d->last_heartbeat = dup0(s->last_heartbeat);
	}
	dst->taints = NULL;
	if (src->ntaints)
		dst->taints = xcalloc(src->ntaints, sizeof(*dst->taints));
	for (i = 0; i < src->ntaints; i++) {
		dst->taints[i].key = dup0(src->taints[i].key);
		dst->taints[i].value = dup0(src->taints[i].value);
		dst->taints[i].effect = dup0(src->taints[i].effect);
	}
	dst->capacity = kv_copy(src->capacity, src->ncapacity);
	dst->allocatable = kv_copy(src->allocatable, src->nallocatable);
	dst->labels = kv_copy(src->labels, src->nlabels);
	dst->addresses = NULL;
	if (src->naddresses)
		dst->addresses =
		    xcalloc(src->naddresses, sizeof(*dst->addresses));
	for (i = 0; i < src->naddresses; i++) {
		dst->addresses[i].type = dup0(src->addresses[i].type);
		dst->addresses[i].address = dup0(src->addresses[i].address);
	}
	dst->info.kernel = dup0(src->info.kernel);
	dst->info.os_image = dup0(src->info.os_image);
	dst->info.container_runtime = dup0(src->info.container_runtime);
	dst->info.kubelet = dup0(src->info.kubelet);
	dst->info.kube_proxy = dup0(src->info.kube_proxy);
	dst->info.arch = dup0(src->info.arch);
	dst->info.os = dup0(src->info.os);
}

/* ---- texts -------------------------------------------------------------- */

const struct node_condition *node_condition_find(const struct node *n,
						 const char *type)
{
	size_t i;

	for (i = 0; i < n->nconditions; i++)
		if (n->conditions[i].type &&
		    strcmp(n->conditions[i].type, type) == 0)
			return &n->conditions[i];
	return NULL;
}

const char *node_status_text(const struct node *n, char *buf, size_t sz)
{
	const char *base;

	if (n->ready == NODE_READY)
		base = "Ready";
	else if (n->ready == NODE_NOT_READY)
		base = "NotReady";
	else if (node_condition_find(n, "Ready"))
		base = "NotReady"; /* kubectl: any Ready status but True */
	else
		base = "Unknown";
	snprintf(buf, sz, "%s%s", base,
		 n->unschedulable ? ",SchedulingDisabled" : "");
	return buf;
}

const char *node_pressure_text(unsigned pressure, char *buf, size_t sz)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {NODE_PRESSURE_MEMORY, "Mem"},
	    {NODE_PRESSURE_DISK, "Disk"},
	    {NODE_PRESSURE_PID, "PID"},
	    {NODE_PRESSURE_NETWORK, "Net"},
	};
	size_t i, o = 0;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int w;

		if (!(pressure & names[i].bit))
			continue;
		w = snprintf(buf + o, sz - o, "%s%s", o ? "," : "",
			     names[i].name);
		if (w < 0 || (size_t)w >= sz - o)
			break;
		o += (size_t)w;
	}
	if (o == 0)
		snprintf(buf, sz, "-");
	return buf;
}

/* ---- summary ------------------------------------------------------------ */

static int pool_cmp(const void *a, const void *b)
{
	const struct pool_summary *x = a;
	const struct pool_summary *y = b;

	return strcmp(x->name, y->name);
}

void nodes_summarize(const struct node *v, size_t n, struct node_summary *out)
{
	size_t i, j, cap = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const char *pool =
		    v[i].pool && v[i].pool[0] ? v[i].pool : NO_POOL;
		struct pool_summary *p = NULL;

		out->total++;
		if (v[i].ready == NODE_READY)
			out->ready++;
		for (j = 0; j < out->npools; j++) {
			if (strcmp(out->pools[j].name, pool) == 0) {
				p = &out->pools[j];
				break;
			}
		}
		if (!p) {
			out->pools = xgrow(out->pools, &cap, out->npools + 1,
					   sizeof(*out->pools));
			p = &out->pools[out->npools++];
			memset(p, 0, sizeof(*p));
			p->name = xstrdup(pool);
			p->mode = xstrdup("");
		}
		p->total++;
		if (v[i].ready == NODE_READY)
			p->ready++;
		if (p->mode[0] == '\0' && v[i].mode && v[i].mode[0]) {
			free(p->mode);
			p->mode = xstrdup(v[i].mode);
		}
	}
	if (out->npools > 1)
		qsort(out->pools, out->npools, sizeof(*out->pools), pool_cmp);
}

void node_summary_clear(struct node_summary *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->npools; i++) {
		free(s->pools[i].name);
		free(s->pools[i].mode);
	}
	free(s->pools);
	memset(s, 0, sizeof(*s));
}

char *node_summary_text(const struct node_summary *s, int ascii)
{
	return xasprintf("%zu/%zu Ready %s %zu pool%s", s->ready, s->total,
			 ascii ? "-" : MIDDOT, s->npools,
			 s->npools == 1 ? "" : "s");
}

char *node_summary_pools_text(const struct node_summary *s, int ascii)
{
	const char *sep = ascii ? " - " : " " MIDDOT " ";
	char *out = xstrdup("");
	size_t i;

	for (i = 0; i < s->npools; i++) {
		char *name = text_safe(s->pools[i].name, -1, NULL);
		char *next =
		    xasprintf("%s%s%s %zu/%zu", out, i ? sep : "", name,
			      s->pools[i].ready, s->pools[i].total);

		free(name);
		free(out);
		out = next;
	}
	return out;
}

/* ---- sorting and filtering --------------------------------------------- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compare with runs of digits taken as numbers: v1.29.9 < v1.29.10. */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (is_digit(*a) && is_digit(*b)) {
			const char *ea, *eb;
			size_t la, lb;
			int c;

			while (*a == '0' && is_digit(a[1]))
				a++;
			while (*b == '0' && is_digit(b[1]))
				b++;
			for (ea = a; is_digit(*ea); ea++)
				;
			for (eb = b; is_digit(*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(a, b, la);
			if (c)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	if (*a == *b)
		return 0;
	return *a ? 1 : -1;
}

static int str_cmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

int node_compare(const struct node *a, const struct node *b,
		 enum node_sort_key key, int descending)
{
	char sa[NODE_STATUS_LEN], sb[NODE_STATUS_LEN];
	int bad_a = a->ready != NODE_READY;
	int bad_b = b->ready != NODE_READY;
	int c = 0;

	if (bad_a != bad_b)
		return bad_a ? -1 : 1;
	switch (key) {
	case NODE_SORT_NAME:
		break;
	case NODE_SORT_STATUS:
		c = strcmp(node_status_text(a, sa, sizeof(sa)),
			   node_status_text(b, sb, sizeof(sb)));
		break;
	case NODE_SORT_POOL:
		c = str_cmp0(a->pool, b->pool);
		break;
	case NODE_SORT_MODE:
		c = str_cmp0(a->mode, b->mode);
		break;
	case NODE_SORT_ROLES:
		c = str_cmp0(a->roles, b->roles);
		break;
	case NODE_SORT_VERSION:
		c = natural_cmp(a->version ? a->version : "",
				b->version ? b->version : "");
		break;
	case NODE_SORT_AGE:
		/* youngest first: later creation time first, unknown last */
		if (a->created_at != b->created_at)
			c = a->created_at > b->created_at ? -1 : 1;
		break;
	}
	if (key == NODE_SORT_NAME) {
		c = str_cmp0(a->name, b->name);
		return descending ? -c : c;
	}
	if (c)
		return descending ? -c : c;
	return str_cmp0(a->name, b->name);
}

static void merge_sort(struct node *v, struct node *tmp, size_t n,
		       enum node_sort_key key, int descending)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid, key, descending);
	merge_sort(v + mid, tmp, n - mid, key, descending);
	while (i < mid && j < n) {
		if (node_compare(&v[j], &v[i], key, descending) < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

void nodes_sort(struct node *v, size_t n, enum node_sort_key key,
		int descending)
{
	struct node *tmp;

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	merge_sort(v, tmp, n, key, descending);
	free(tmp);
}

int node_matches(const struct node *n, const char *filter)
{
	char status[NODE_STATUS_LEN];

	if (!filter || !filter[0])
		return 1;
	return text_contains_nocase(n->name, filter) ||
	       text_contains_nocase(node_status_text(n, status, sizeof(status)),
			       filter) ||
	       text_contains_nocase(n->pool, filter) ||
	       text_contains_nocase(n->mode, filter) ||
	       text_contains_nocase(n->roles, filter) ||
	       text_contains_nocase(n->version, filter);
}
