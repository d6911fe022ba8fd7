/* nodes.c - the node model's life (clear, copy), texts, summaries, order
 * and filter. Parsing is node_parse.c; the --json document and the table
 * are the CLI's (cli/print_nodes.c). Not an API client; no curses. */
#include "nodes.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

#define NO_POOL	       "<none>"
#define MIDDOT	       "\xc2\xb7"

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
	if (n->block) {
		/* Parsed: everything is in the one block. */
		free(n->block);
		memset(n, 0, sizeof(*n));
		return;
	}
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
	dst->block = NULL;
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
	const char *st;

	if (!filter || !filter[0])
		return 1;
	st = node_status_text(n, status, sizeof(status));
	return text_contains_nocase(n->name, filter) ||
	       text_contains_nocase(st, filter) ||
	       text_contains_nocase(n->pool, filter) ||
	       text_contains_nocase(n->mode, filter) ||
	       text_contains_nocase(n->roles, filter) ||
	       text_contains_nocase(n->version, filter);
}
