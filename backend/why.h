/* why.h - why a Flux object is failing, as a chain of links from the
 * Kustomization down: its dependency root and source, the applied
 * workloads that are not healthy, their pods, the pods' Warning events, a
 * crash loop's log tail and the image a pull failure names, with its
 * state in the quarantine pipeline and the action that fixes it. The
 * model and the pure functions that read the Kubernetes objects; the
 * loader that fetches them is why_load.h. No requests, no drawing. */
#ifndef JD_WHY_H
#define JD_WHY_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

/* ---- the chain ---------------------------------------------------------- */

enum why_link_kind {
	WHY_FLUX = 0, /* the object asked about, or its dependency root */
	WHY_SOURCE,   /* its source, when that is not Ready */
	WHY_WORKLOAD, /* a Deployment, DaemonSet or StatefulSet */
	WHY_OBJECT,   /* another object named by a health check */
	WHY_POD,      /* a pod that is not ready */
	WHY_PODS,     /* more pods in the same state */
	WHY_EVENT,    /* a Warning event of the object above */
	WHY_LOG,      /* the previous container's log tail */
	WHY_IMAGE,    /* the image of a pull failure */
	WHY_NOTE,     /* what could not be read, what was left out */
};

enum why_severity {
	WHY_OK = 0, /* healthy */
	WHY_INFO,   /* context */
	WHY_WARN,   /* waiting, progressing, left out, unknown */
	WHY_BAD,    /* failed, not ready */
};

/* What a link points at, for "Enter goes where it points". */
enum why_goto {
	WHY_GOTO_NONE = 0,
	WHY_GOTO_NODE,	/* target: a node name */
	WHY_GOTO_IMAGE, /* target: the pipeline's name of the image,
			 * "falcosecurity/falco:0.26.2" */
	WHY_GOTO_FLUX,	/* target: "Kind/namespace/name" */
};

/* The action that fixes a link, when one is known. */
enum why_fix {
	WHY_FIX_NONE = 0,
	WHY_FIX_PROMOTE,   /* quarantine/ -> live/ */
	WHY_FIX_IMPORT,	   /* upstream -> quarantine/, then promote */
	WHY_FIX_RECONCILE, /* ask Flux to check again */
	WHY_FIX_OVERRIDE,  /* the scan gate blocks the promotion: a fixed
			    * image, or promote with an audited override */
};

/* Every string is terminal-safe (text_safe) and valid UTF-8, and owned by
 * the chain. */
struct why_link {
	enum why_link_kind kind;
	int depth; /* 0: the object asked about; +1 per step down */
	enum why_severity severity;
	char *what;   /* what it is: "DaemonSet falco-system/falco" */
	char *why;    /* one line of why: "0/3 ready, 0 available" */
	char **lines; /* WHY_LOG: the log's last lines; else NULL */
	size_t nlines;
	int likely;   /* the likely cause (one link of the chain at most) */
	int explains; /* it says why on its own (a candidate cause) */
	enum why_goto go;
	char *target; /* for go; NULL with WHY_GOTO_NONE */
	enum why_fix fix;
	char *fix_text;	   /* "promote it", or NULL */
	char *fix_args;	   /* the CLI's words: "promote falcosecurity/..." */
	char *image;	   /* WHY_IMAGE: the reference the pod names */
	int image_pending; /* WHY_IMAGE: its pipeline state is not known yet */
};

struct why_chain {
	char *subject; /* "Kustomization flux-system/falco-system" */
	int found;     /* the object exists */
	int healthy;   /* Ready and nothing found wrong below it */
	struct why_link *links;
	size_t n, cap;
	size_t requests; /* requests made to build it */
	int cut;	 /* a limit left something out (a WHY_NOTE says) */
	time_t built;	 /* when it was built */
};

struct why_chain *why_chain_new(const char *subject);
/* Frees the chain and sets *c to NULL; NULL is fine. */
void why_chain_free(struct why_chain **c);
/* Append a link; what and why are made terminal-safe (why may be NULL:
 * ""). Returns the link, valid until the next append. */
struct why_link *why_add(struct why_chain *c, enum why_link_kind kind,
			 int depth, enum why_severity sev, const char *what,
			 const char *why);
void why_link_set_goto(struct why_link *l, enum why_goto go,
		       const char *target);
/* Mark the likely cause: the first link (top down) that explains the
 * failure on its own. Clears every earlier mark. Returns its index, or -1
 * when the chain is healthy or nothing explains it. */
long why_chain_mark_likely(struct why_chain *c);
/* The likely cause, or NULL. */
const struct why_link *why_chain_likely(const struct why_chain *c);

const char *why_kind_name(enum why_link_kind k);    /* "pod", ... */
const char *why_severity_name(enum why_severity s); /* "error", ... */
const char *why_fix_name(enum why_fix f);	    /* "promote", ... */

/* The chain as the `jumpdeck why --json` document:
 * {"object":{"kind","namespace","name"},"found","healthy",
 *  "likelyCause": index or null,"requests","cut",
 *  "links":[{"kind","depth","severity","what","why","likely",
 *            "node"?,"image"?,"flux"?,"fix"?:{"action","text","command"},
 *            "lines"?:[...]}]}
 * Returns a new string (pretty-printed), caller frees. */
char *why_chain_to_json(const struct why_chain *c, const char *kind,
			const char *ns, const char *name);

/* ---- reading the objects --------------------------------------------- */

/* An object reference: from an inventory id, a snapshot entry or a
 * health-check message. Strings as sent, cut to fit. */
struct why_ref {
	char kind[64];
	char group[128]; /* "" for the core group */
	char ns[254];	 /* "" for cluster-scoped objects */
	char name[254];
	char status[32]; /* kstatus from a health message: "InProgress" */
};

/* An inventory id of kustomize-controller (v1beta2, v1):
 * "<namespace>_<name>_<group>_<Kind>", e.g.
 * "falco-system_falco_apps_DaemonSet", "_falco-system__Namespace". Returns
 * 0, or -1 when it is not one. */
int why_inventory_id(const char *id, struct why_ref *out);

/* The objects a health-check failure names, in order, at most max:
 *  - "... timeout waiting for: [DaemonSet/falco-system/falco status:
 *    'InProgress', Deployment/a/b status: 'Failed': <error>]" (fluxcd/pkg
 *    ssa; "Kind/name" for cluster-scoped ones);
 *  - "Health check timed out for [Deployment 'ns/name', ...]" (v0.8);
 *  - "[deployments.apps 'ns/name']" (the resource and group, v0.7).
 * Returns how many were found. */
size_t why_health_refs(const char *message, struct why_ref *out, size_t max);

/* 1 for apps Deployments, DaemonSets and StatefulSets. */
int why_is_workload(const char *group, const char *kind);
/* "deployments", "daemonsets", "statefulsets"; NULL for others. */
const char *why_workload_plural(const char *kind);

/* A workload's rollout, as kstatus reads it. */
struct why_rollout {
	long desired, ready, available, updated;
	int observed;	/* status.observedGeneration >= metadata.generation */
	int healthy;	/* observed, and updated, ready and available all
			 * reach desired */
	char text[300]; /* "0/3 ready, 0 available, 3 updated" plus the
			 * reason of a failed condition */
};
void why_rollout_of(const cJSON *workload, struct why_rollout *out);

/* The label selector of a workload (spec.selector: matchLabels and
 * matchExpressions In, NotIn, Exists, DoesNotExist) as a query value
 * ("app=x,tier in (a,b)"); "" when there is none, which selects nothing
 * here. Returns 0, or -1 when it does not fit in sz. */
int why_selector(const cJSON *workload, char *buf, size_t sz);

/* 1 when the pod's controller is the workload: a DaemonSet or StatefulSet
 * directly (by uid when both have one, else by name), a Deployment
 * through its ReplicaSet "<deployment>-<pod-template-hash>". */
int why_pod_owned_by(const cJSON *pod, const cJSON *workload);

enum why_problem {
	WHY_P_NONE = 0,	     /* ready */
	WHY_P_PULL,	     /* ErrImagePull, ImagePullBackOff, ... */
	WHY_P_CRASH,	     /* CrashLoopBackOff, or exited with an error */
	WHY_P_CONFIG,	     /* CreateContainerConfigError, ... */
	WHY_P_UNSCHEDULABLE, /* PodScheduled False */
	WHY_P_PENDING,	     /* not started yet, no reason given */
	WHY_P_NOT_READY,     /* running but not ready (a probe) */
	WHY_P_FAILED,	     /* phase Failed (evicted, ...) */
};

/* A pod that is not ready, as one line. Strings as sent (not safe yet). */
struct why_pod {
	char name[254];
	char ns[254];
	char node[254];
	char phase[32];
	int ready;
	enum why_problem problem;
	char container[254];   /* the container that explains it */
	int init;	       /* it is an init container */
	char reason[128];      /* ImagePullBackOff, OOMKilled, Unschedulable */
	char message[600];     /* the waiting message or the scheduler's */
	char last_reason[128]; /* lastState.terminated.reason */
	int last_exit;	       /* lastState.terminated.exitCode */
	int has_last;	       /* there is a previous instance (a log) */
	long restarts;	       /* summed over the containers */
	char image[600];       /* that container's image */
	char text[900];	       /* the line: "Pending: falco
				* ImagePullBackOff: Back-off pulling ..." */
	char signature[1100];  /* pods with the same one are alike */
};
void why_pod_of(const cJSON *pod, struct why_pod *out);
/* "image pull", "crash loop", ... */
const char *why_problem_name(enum why_problem p);

/* A Warning event, picked for a link. Strings as sent. */
struct why_event {
	char reason[128];
	char message[1024];
	char source[254]; /* reportingComponent or source.component */
	long count;
	time_t last; /* lastTimestamp, eventTime, series, or creation */
};
/* The Warning events of items (an EventList's items, any order), newest
 * first, one per reason, at most max. For a reason the newest event is
 * kept, except that a message that only echoes a container's reason
 * ("Error: ErrImagePull") gives way to one that says more ("Failed to
 * pull image ...: not found"). Returns how many. */
size_t why_events_pick(const cJSON *items, struct why_event *out, size_t max);

/* The last max_lines lines of a log text (len bytes), oldest first, each
 * made terminal-safe (escape sequences, CR and other controls become
 * visible marks). *lines is a new array of new strings (why_lines_free).
 * Returns the count. */
size_t why_log_tail(const char *text, size_t len, size_t max_lines,
		    char ***lines);
void why_lines_free(char ***lines, size_t n);

/* snprintf into a fixed buffer where cutting is acceptable (names and
 * sentences from servers are bounded by the buffers they go into). */
void why_fmt(char *dst, size_t sz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the image of a pull failure ---------------------------------------- */

enum why_image_state {
	WHY_IMG_UNKNOWN = 0,	/* the pipeline has not read it yet */
	WHY_IMG_NO_PIPELINE,	/* no registry configured or reachable */
	WHY_IMG_OTHER_REGISTRY, /* not the configured registry */
	WHY_IMG_NOT_LIVE,	/* that registry, but not under live/ */
	WHY_IMG_NOT_FOLLOWED,	/* not one of the configured images */
	WHY_IMG_NOT_IMPORTED,	/* neither in quarantine/ nor in live/ */
	WHY_IMG_QUARANTINED,	/* in quarantine/, never promoted */
	WHY_IMG_SCAN_BLOCKED,	/* in quarantine/, and the scan gate
				 * refuses to promote it */
	WHY_IMG_PROMOTED,	/* live/ holds the quarantined image */
	WHY_IMG_DRIFTED,	/* live/ holds another image (alert) */
	WHY_IMG_LIVE_ONLY,	/* live/ has it, quarantine/ never did */
};

/* What the pipeline knows of an image reference. */
struct why_image {
	enum why_image_state state;
	char key[700];	/* the pipeline's name: "falcosecurity/falco:0.26.2" */
	char text[900]; /* one line: "in quarantine/ (sha256:…), not
			 * promoted to live/" */
	char registry[300]; /* the configured registry's host, or "" */
};

/* Answers for an image reference; the TUI's session and the CLI each
 * have one over their pipeline (why_image.h). */
typedef void (*why_image_fn)(const char *image, struct why_image *out,
			     void *ud);

/* Fill in every WHY_IMAGE link of c from lookup: state, line, fix and
 * where it points; then mark the likely cause again. Called again
 * whenever the pipeline learns more (no requests are made). */
void why_chain_resolve_images(struct why_chain *c, why_image_fn lookup,
			      void *ud);

#endif
