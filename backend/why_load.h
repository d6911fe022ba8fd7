/* why_load.h - builds a why-chain (why.h) for one Flux object: its
 * dependency root and source from the Flux model, then, by a bounded
 * number of GET requests, the applied workloads, their pods, the pods'
 * Warning events and a crash loop's log tail. Asynchronous on the loop;
 * cancelled as a whole. Requests go through a small fetch interface so
 * that the chain logic can be tested on fixtures; why_fetch_kube() is the
 * real one. Image states are filled in afterwards
 * (why_chain_resolve_images) since they need no request. */
#ifndef JD_WHY_LOAD_H
#define JD_WHY_LOAD_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "flux.h"
#include "kube.h"
#include "loop.h"
#include "why.h"

/* One answer. Everything is borrowed for the callback. */
struct why_answer {
	long status;	   /* HTTP status, 0 when there was no answer */
	int ok;		   /* 2xx and readable */
	const cJSON *json; /* JSON answers */
	const char *text;  /* text answers ("" when empty) */
	size_t text_len;
	int text_cut;	   /* the text was longer than asked for */
	const char *error; /* a sentence when not ok */
};
typedef void (*why_answer_fn)(const struct why_answer *a, void *ud);

/* How requests are made. get starts a GET of path (with its query) and
 * returns a handle; done is called exactly once, never from inside get,
 * unless cancel is called first. text: the answer is not JSON; keep at
 * most max bytes of it. */
struct why_fetch {
	void *(*get)(void *fud, const char *path, int text, size_t max,
		     why_answer_fn done, void *ud);
	void (*cancel)(void *fud, void *handle);
	void *fud;
};

/* Requests through a kube client (borrowed; it must outlive the load). */
void why_fetch_kube(struct why_fetch *f, struct kube_client *c);

/* Limits; a zero field takes its default. */
struct why_limits {
	size_t requests;      /* requests in all (40) */
	size_t inflight;      /* at the same time (4) */
	size_t lists;	      /* namespace-and-kind lists of workloads (12) */
	size_t workloads;     /* unhealthy workloads whose pods are read (6) */
	size_t pod_groups;    /* kinds of pod problem shown per workload (4) */
	size_t event_objects; /* objects whose events are read (10) */
	size_t events;	      /* events shown per object (4) */
	size_t logs;	      /* log tails read (2) */
	size_t log_lines;     /* lines of a tail (20) */
	size_t log_bytes;     /* bytes of a tail (16384) */
	size_t page;	      /* items a list asks for (500) */
	long deadline_ms;     /* the whole chain (30000; needs a loop) */
};

/* The chain is handed over: the callee frees it (why_chain_free). */
typedef void (*why_done_fn)(struct why_chain *c, void *ud);

/* The raw object of a kind, namespace and name as the Flux model holds
 * it (for its inventory), or NULL. Borrowed during why_start only. */
typedef const cJSON *(*why_find_fn)(void *ud, enum flux_kind kind,
				    const char *ns, const char *name);

struct why_opts {
	enum flux_kind kind;
	const char *ns;
	const char *name;
	/* The Flux objects (for dependsOn and sources); borrowed during
	 * why_start only. */
	const struct flux_object *all;
	size_t n;
	why_find_fn find;
	void *find_ud;
	struct why_fetch fetch;
	struct loop *loop; /* for the deadline and a chain that needs no
			    * request; may be NULL (tests) */
	time_t now;	   /* ages are counted to it; 0: time(NULL) */
	const struct why_limits *limits; /* NULL: the defaults */
	why_done_fn done;
	void *ud;
};

struct why_load;

/* Starts; done is called once with the chain unless why_cancel comes
 * first; the load is freed before done runs (forget the pointer). When no
 * request is needed, done runs from a zero-delay timer on o->loop; without a
 * loop it runs before why_start returns, which then returns NULL. */
struct why_load *why_start(const struct why_opts *o);
/* Stops every request and frees the load; done is not called. Only
 * before done. NULL is fine; sets *w NULL. */
void why_cancel(struct why_load **w);
/* Requests made so far (for tests and the status line). */
size_t why_requests(const struct why_load *w);

#endif
