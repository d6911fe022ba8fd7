/* why_load_impl.h - the state of one why-chain load, shared by the files
 * that make it: why_load.c (requests and rounds), why_rounds.c (what each
 * round asks and keeps) and why_layout.c (the chain laid out from what was
 * kept). Not for other modules: they use why_load.h. */
#ifndef JD_WHY_LOAD_IMPL_H
#define JD_WHY_LOAD_IMPL_H

#include "why_load.h"

enum req_what { RQ_LIST, RQ_PODS, RQ_EVENTS, RQ_LOG };

struct req {
	struct why_load *w;
	enum req_what what;
	size_t idx; /* the group, workload, event target or log */
	char *path;
	int text;
	size_t max;
	void *handle;
	struct req *next;
};

/* One namespace-and-kind list of workloads. */
struct group {
	char ns[254];
	char kind[64];
	char label[600]; /* v1beta1: the Kustomization's labels; "" else */
	int failed;
	char err[600];
	int cut;     /* more items than one page */
	int skipped; /* not asked for: the request limit */
};

/* An object whose Warning events are read. */
struct evtarget {
	char kind[64];
	char ns[254];
	char name[254];
	struct why_event *ev;
	size_t n;
	int asked, answered, failed;
	char err[600];
};

/* A crash loop's previous log. */
struct plog {
	char ns[254];
	char pod[254];
	char container[254];
	char **lines;
	size_t n;
	int cut, failed, answered;
	char err[600];
};

/* Pods of one workload that are not ready in the same way. */
struct pgroup {
	struct why_pod pod; /* the first one: shown with its events */
	size_t count;
	char others[3][254];
	size_t nothers;
	long evt; /* event target, -1 none */
	long log; /* log, -1 none */
};

/* A workload the object applied (or a health check named). */
struct wl {
	struct why_ref ref;
	int from_health;
	int listed; /* its namespace-and-kind list was asked for */
	int found;
	cJSON *obj;
	struct why_rollout ro;
	int followed; /* its pods were asked for */
	int pods_answered, pods_failed, pods_cut;
	char pods_err[600];
	struct pgroup *pg;
	size_t npg;
	size_t other_pods; /* not ready, beyond the groups shown */
	long evt;	   /* its own events, -1 none */
};

/* What the Flux model says, copied (the model is borrowed only during
 * why_start). */
struct fluxinfo {
	int found;
	enum flux_kind kind;
	char ns[254];
	char name[254];
	enum flux_state state;
	int suspended;
	char message[1024];
	char reason[128];
	int waiting_dep; /* WAITING with a dependsOn root */
	enum flux_dep_status dep;
	char dep_text[1200];
	int have_source;
	enum flux_state src_state;
	int src_found;
	char src_kind[64], src_ns[254], src_name[254];
	char src_message[1024];
	long inventory; /* objects in its inventory, -1 none */
};

enum round { ROUND_LISTS = 0, ROUND_PODS, ROUND_DETAILS };

struct why_load {
	struct why_opts o; /* the borrowed parts are cleared */
	struct why_limits lim;
	time_t now;
	struct fluxinfo subj; /* the object asked about */
	struct fluxinfo root; /* its dependency root, when it waits */
	int have_root;
	const struct fluxinfo *ex; /* the one examined: root or subject */
	struct why_ref *health;
	size_t nhealth;
	struct wl *wl;
	size_t nwl, capwl;
	size_t inv_workloads; /* workloads in the inventory */
	size_t inv_objects;   /* entries in the inventory */
	int snapshot;	      /* v1beta1: kinds per namespace */
	struct group *groups;
	size_t ngroups, capgroups;
	struct group *left; /* lists not made (the limit) */
	size_t nleft, capleft;
	struct evtarget *ev;
	size_t nev, capev;
	long subj_evt;	    /* the examined object's own events */
	size_t events_left; /* objects whose events were not read */
	struct plog *logs;
	size_t nlogs, caplogs;
	size_t unhealthy_left; /* unhealthy workloads not followed */
	/* requests */
	struct req *queue, *queue_tail, *inflight;
	size_t ninflight, outstanding, requests, skipped;
	enum round round;
	unsigned deadline_timer, zero_timer;
	int timed_out;
	size_t unanswered;
	int finished, no_caller;
	struct why_chain *result;
};

/* why_load.c */
int why_enqueue(struct why_load *w, enum req_what what, size_t idx, char *path,
		int text, size_t max);
void why_on_answer(const struct why_answer *a, void *ud);

/* why_rounds.c */
void why_read_flux(struct why_load *w, const struct why_opts *o);
void why_round_lists(struct why_load *w);
void why_round_pods(struct why_load *w);
void why_round_details(struct why_load *w);
void why_keep(struct why_load *w, struct req *r, const struct why_answer *a);

/* why_layout.c */
struct why_chain *why_layout(struct why_load *w);

#endif
