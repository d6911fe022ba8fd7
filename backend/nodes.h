/* nodes.h - Node objects as plain C structs: texts, summary, sort, filter.
 * Not the client that fetches them (kube), not the CLI's table or JSON
 * (cli/print.h), and no curses drawing. */
#ifndef JD_NODES_H
#define JD_NODES_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"

/* The Ready condition. NODE_UNKNOWN when the condition is missing (no
 * status at all, a node still registering) or its status is "Unknown" (the
 * kubelet stopped reporting). */
enum node_ready {
	NODE_READY = 0,
	NODE_NOT_READY,
	NODE_UNKNOWN,
};

/* Bits of node.pressure: a condition that is "True" and means trouble. */
enum node_pressure {
	NODE_PRESSURE_MEMORY = 1 << 0,	/* MemoryPressure */
	NODE_PRESSURE_DISK = 1 << 1,	/* DiskPressure */
	NODE_PRESSURE_PID = 1 << 2,	/* PIDPressure */
	NODE_PRESSURE_NETWORK = 1 << 3, /* NetworkUnavailable */
};

/* In every struct below each char * is owned by the enclosing node, is
 * never NULL after node_from_json or node_copy ("" when the field was
 * missing) and lives until node_clear; a parsed node keeps them all in
 * one block, so change none of them in place. Strings are as the server
 * sent them: make them terminal-safe before drawing. */
struct node_kv {
	char *key;
	char *value;
};

struct node_condition {
	char *type;   /* "Ready", "MemoryPressure", ... */
	char *status; /* "True", "False", "Unknown" */
	char *reason;
	char *message;
	char *last_transition; /* RFC 3339 as sent */
	char *last_heartbeat;  /* RFC 3339 as sent */
};

struct node_taint {
	char *key;
	char *value;
	char *effect; /* "NoSchedule", "PreferNoSchedule", ... */
};

struct node_address {
	char *type; /* "InternalIP", "Hostname", ... */
	char *address;
};

/* status.nodeInfo */
struct node_info {
	char *kernel;		 /* kernelVersion */
	char *os_image;		 /* osImage */
	char *container_runtime; /* containerRuntimeVersion */
	char *kubelet;		 /* kubeletVersion */
	char *kube_proxy;	 /* kubeProxyVersion */
	char *arch;		 /* architecture */
	char *os;		 /* operatingSystem */
};

struct node {
	char *name;
	char *resource_version;
	enum node_ready ready;
	int unschedulable; /* spec.unschedulable: cordoned */
	char *pool;	   /* kubernetes.azure.com/agentpool, else agentpool */
	char *mode;    /* kubernetes.azure.com/mode: "system", "user" or "" */
	char *roles;   /* "agent", "a,b" sorted, or "<none>" like kubectl */
	char *version; /* status.nodeInfo.kubeletVersion */
	char *created; /* metadata.creationTimestamp as sent, or "" */
	time_t created_at;		   /* 0 when missing or unparsable */
	unsigned pressure;		   /* enum node_pressure bits */
	struct node_condition *conditions; /* in server order */
	size_t nconditions;
	struct node_taint *taints; /* in server order */
	size_t ntaints;
	struct node_kv *capacity; /* sorted by key */
	size_t ncapacity;
	struct node_kv *allocatable; /* sorted by key */
	size_t nallocatable;
	struct node_address *addresses; /* in server order */
	size_t naddresses;
	struct node_info info;
	struct node_kv *labels; /* sorted by key */
	size_t nlabels;
	/* Private: the one allocation that holds a parsed node's arrays and
	 * strings (NULL for a copy or a node built by hand). */
	void *block;
};

/* Build *out from one Node object (an item of a NodeList, or a Node with
 * kind "Node"). Missing fields are tolerated: a node with no status is
 * NODE_UNKNOWN. Fails (-ERR_PARSE, *out zeroed) only when obj is not an
 * object, its kind is set and is not "Node", or it has no metadata.name.
 * *out is overwritten, not cleared first: pass a zeroed or cleared node. */
int node_from_json(struct node *out, const cJSON *obj, struct err *e);

/* The same with only what a table row and a summary need: name,
 * resource_version, ready, unschedulable, pool, mode, roles, version,
 * created, pressure. The lists are empty and the other nodeInfo strings
 * "" (a few hundred bytes a node instead of a few kilobytes). */
int node_row_from_json(struct node *out, const cJSON *obj, struct err *e);

/* Parse a NodeList ({"items":[...]}). *out is a new array of *n nodes, owned
 * by the caller (nodes_free). On error nothing is returned and the message
 * names the item: "item 3: node has no metadata.name". */
int nodes_from_list_json(const cJSON *list, struct node **out, size_t *n,
			 struct err *e);

/* Free everything n owns and zero it; n itself is not freed. NULL is ok. */
void node_clear(struct node *n);

/* Deep copy: dst (overwritten, not cleared first) gets its own strings. */
void node_copy(struct node *dst, const struct node *src);

/* Clear n nodes of *v, free the array and set *v to NULL. */
void nodes_free(struct node **v, size_t n);

/* The condition of that type, or NULL. Points into n. */
const struct node_condition *node_condition_find(const struct node *n,
						 const char *type);

/* kubectl's STATUS column: "Ready", "NotReady" (the Ready condition is
 * False or Unknown), "Unknown" (no Ready condition), each followed by
 * ",SchedulingDisabled" when cordoned. Writes into buf; returns buf. */
#define NODE_STATUS_LEN 40
const char *node_status_text(const struct node *n, char *buf, size_t sz);

/* The PRESSURE column: "Mem,Disk,PID,Net" for the bits set, or "-". */
#define NODE_PRESSURE_LEN 24
const char *node_pressure_text(unsigned pressure, char *buf, size_t sz);

struct pool_summary {
	char *name; /* the pool, or "<none>" for nodes without one */
	char *mode; /* the first non-empty mode seen in the pool, or "" */
	size_t total;
	size_t ready; /* ready == NODE_READY, cordoned or not */
};

/* Owned by the caller: node_summary_clear. */
struct node_summary {
	size_t total;
	size_t ready;
	size_t npools;
	struct pool_summary *pools; /* sorted by name */
};

/* Count v[0..n) into *out (overwritten, not cleared first). */
void nodes_summarize(const struct node *v, size_t n, struct node_summary *out);

/* Free the pools and zero *s. NULL is ok. */
void node_summary_clear(struct node_summary *s);

/* "7/7 Ready · 3 pools" (ascii: "7/7 Ready - 3 pools"; "1 pool").
 * Returns a new string, caller frees. */
char *node_summary_text(const struct node_summary *s, int ascii);

/* "npinscope01 2/2 · npooscope01 1/2 · npsystem 3/3" (ascii: " - "
 * between pools), terminal-safe. "" when there are no pools. Returns a new
 * string, caller frees. */
char *node_summary_pools_text(const struct node_summary *s, int ascii);

enum node_sort_key {
	NODE_SORT_NAME = 0,
	NODE_SORT_STATUS,
	NODE_SORT_POOL,
	NODE_SORT_MODE,
	NODE_SORT_ROLES,
	NODE_SORT_VERSION, /* numeric parts compare as numbers */
	NODE_SORT_AGE,	   /* ascending: youngest first, unknown age last */
};

/* Order for the nodes table: nodes that are not Ready (NotReady, Unknown)
 * always come first, whatever the direction; then the key (reversed when
 * descending); then the name, ascending. qsort-style result. */
int node_compare(const struct node *a, const struct node *b,
		 enum node_sort_key key, int descending);

/* Sort v in place with node_compare; stable. */
void nodes_sort(struct node *v, size_t n, enum node_sort_key key,
		int descending);

/* 1 when filter (case-insensitive, ASCII) is a substring of the name,
 * status text, pool, mode, roles or version; 1 for a NULL or "" filter. */
int node_matches(const struct node *n, const char *filter);

#endif
