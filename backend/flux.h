/* flux.h - Flux sources, Kustomizations, HelmReleases and controllers as
 * plain structs, with their texts. Not the client (kube), not the CLI's
 * tables and JSON (cli/print.h); no curses. */
#ifndef JD_FLUX_H
#define JD_FLUX_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"

/* ---- kinds and API versions -------------------------------------------- */

enum flux_kind {
	FLUX_GIT_REPOSITORY = 0,
	FLUX_OCI_REPOSITORY,
	FLUX_HELM_REPOSITORY,
	FLUX_BUCKET,
	FLUX_KUSTOMIZATION,
	FLUX_HELM_RELEASE,
	FLUX_KIND_COUNT
};

/* One row of the static kind table; every string is a literal. */
struct flux_kind_info {
	const char *kind;	/* "GitRepository" */
	const char *group;	/* "source.toolkit.fluxcd.io" */
	const char *plural;	/* "gitrepositories" (the URL segment) */
	const char *singular;	/* "gitrepository" */
	const char *short_name; /* "gitrepo", "ks", "hr"; "" when none */
	const char *cli;	/* flux CLI: "source git", "kustomization" */
	/* Versions this client understands, best first: "v1", "v1beta2",
	 * "v1beta1" (HelmRelease: "v2", "v2beta2", "v2beta1"). */
	const char *versions[3];
	int is_source; /* Git/OCI/HelmRepository, Bucket */
};

/* The table row for k; NULL when k is out of range. */
const struct flux_kind_info *flux_kind_get(enum flux_kind k);

/* Parse a kind as a user types it, case-insensitively: the kind
 * ("GitRepository"), singular, plural, short name ("gitrepo", "ocirepo",
 * "helmrepo", "ks", "hr"), the CLI words ("source git", "source oci",
 * "source helm", "source bucket", "git", "oci") or "plural.group"
 * ("kustomizations.kustomize.toolkit.fluxcd.io"). Returns 0 and sets *out,
 * or -ERR_USAGE (out untouched) for anything else, NULL included. */
int flux_kind_parse(const char *s, enum flux_kind *out);

/* The version to use for a group, from its APIGroup discovery document
 * (GET /apis/<group>: {"name":..., "versions":[{"version":"v1"},...]}),
 * or from one entry of an APIGroupList. Among the versions listed, the
 * best one the kind table knows for that group: v1, then v1beta2, then
 * v1beta1 (helm.toolkit.fluxcd.io: v2, v2beta2, v2beta1; a group the table
 * does not know uses the v1 order). Returns a string literal, or NULL when
 * none is listed or api_group is not an object. */
const char *flux_pick_version(const cJSON *api_group);

/* The same for one group of a whole APIGroupList (GET /apis). NULL when
 * the group is absent: Flux (or that part of it) is not installed. */
const char *flux_pick_version_in_list(const cJSON *group_list,
				      const char *group);

/* ---- objects ----------------------------------------------------------- */

/* What the conditions say; suspension is a separate flag (a suspended
 * object keeps the state of its last reconciliation). In order:
 *  - Stalled True                          STALLED (shown as failed)
 *  - no Ready condition (no status at all) WAITING ("waiting to be
 *                                          reconciled", not failed)
 *  - Ready not True, reason DependencyNotReady
 *                                          WAITING (see
 *                                          flux_dependency_root)
 *  - Ready False                           FAILED, also while Reconciling
 *                                          True (ProgressingWithRetry)
 *  - Ready Unknown, or Ready True while Reconciling True or while
 *    observedGeneration < generation       PROGRESSING
 *  - Ready True                            READY */
enum flux_state {
	FLUX_STATE_READY = 0,
	FLUX_STATE_FAILED,
	FLUX_STATE_PROGRESSING,
	FLUX_STATE_STALLED,
	FLUX_STATE_WAITING,
};

/* "Ready", "Failed", "Progressing", "Stalled", "Waiting". */
const char *flux_state_text(enum flux_state s);

/* 1 for FAILED and STALLED. */
int flux_state_is_failed(enum flux_state s);

/* In every struct below each char * is owned by the enclosing object, is
 * never NULL after flux_object_from_json or flux_controller_from_json (""
 * when the field was missing) and lives until the matching _clear. Strings
 * are as the server sent them: make them terminal-safe before drawing
 * (the text and table functions here already do). */
struct flux_condition {
	char *type;   /* "Ready", "Reconciling", "Stalled", "Healthy", ... */
	char *status; /* "True", "False", "Unknown" */
	char *reason;
	char *message;
	char *last_transition; /* RFC 3339 as sent */
};

/* A reference to another object: sourceRef, dependsOn[], chartRef. The
 * namespace defaults to the referring object's namespace. */
struct flux_ref {
	char *kind; /* sourceRef: "GitRepository"...; dependsOn: the kind of
		     * the referring object (same-kind dependencies) */
	char *name;
	char *namespace;
};

struct flux_object {
	enum flux_kind kind;
	char *api_version; /* "source.toolkit.fluxcd.io/v1beta1" as sent */
	char *namespace;
	char *name;
	char *resource_version;
	char *created;		       /* metadata.creationTimestamp as sent */
	time_t created_at;	       /* 0 when missing or unparsable */
	long long generation;	       /* 0 when missing */
	long long observed_generation; /* -1 when missing */
	int suspended;		       /* spec.suspend */
	char *interval;		       /* spec.interval, "1m0s" as sent */
	char *timeout;		       /* spec.timeout */
	/* Sources: spec.url (Bucket: spec.endpoint). "" otherwise. */
	char *url;
	/* What the source follows: "branch main", "tag v1", "semver >=1",
	 * "commit abc", "name refs/heads/main" (git, highest precedence
	 * first: commit, name, semver, tag, branch), "digest sha256:...",
	 * "semver ...", "tag latest" (OCI; "tag latest" when unset),
	 * "bucket <bucketName>", "type oci" (HelmRepository of type oci).
	 * "" when nothing applies. */
	char *ref_text;
	char *secret_ref; /* spec.secretRef.name */
	/* Sources: status.artifact.revision. Kustomizations:
	 * status.lastAppliedRevision. HelmReleases: lastAppliedRevision
	 * (v2beta1) or the chartVersion of status.history[0] (v2). */
	char *revision;
	char *attempted_revision; /* status.lastAttemptedRevision */
	char *sha; /* flux_revision_sha(revision): full hex, or "" */
	enum flux_state state;
	char *ready_status;  /* Ready condition's status, "" when none */
	char *ready_reason;  /* "" when no Ready condition */
	char *ready_message; /* "" when no Ready condition */
	struct flux_condition *conditions; /* in server order */
	size_t nconditions;
	/* Sources: artifact.lastUpdateTime, else Ready's lastTransitionTime.
	 * Kustomizations: status.history[0].lastReconciled (v1), else
	 * Ready's lastTransitionTime. 0 when unknown. */
	time_t last_update;
	char *last_handled_reconcile_at; /* status.lastHandledReconcileAt */
	char *requested_at; /* annotation reconcile.fluxcd.io/requestedAt */
	/* Kustomization: spec.sourceRef. HelmRelease:
	 * spec.chart.spec.sourceRef or spec.chartRef. Sources: all "". */
	struct flux_ref source_ref;
	char *path;  /* Kustomization spec.path */
	char *chart; /* HelmRelease: "podinfo@6.5.x" ("podinfo" without a
		      * version; the chartRef name for chartRef) */
	int prune;   /* Kustomization spec.prune */
	struct flux_ref *depends_on; /* spec.dependsOn, in order */
	size_t ndepends_on;
	/* Applied objects. v1beta2/v1: status.inventory.entries length.
	 * v1beta1: the snapshot lists kinds per namespace, not objects, so
	 * inventory_count is the number of kinds summed over its entries
	 * and inventory_namespaces the number of entries (0 otherwise).
	 * -1 when there is neither (sources, HelmReleases, not applied). */
	long inventory_count;
	long inventory_namespaces;
	int inventory_is_snapshot; /* 1: counts are kinds from a snapshot */
	/* Private: the one allocation holding a copy's arrays and strings
	 * (flux_object_copy); NULL for an object parsed field by field. */
	void *block;
};

/* Build *out from one object of the given kind (an item of a list).
 * Missing fields are tolerated: an object without status is WAITING.
 * Fails (-ERR_PARSE, *out zeroed) only when obj is not an object, its kind
 * is set and differs from the expected one, or it has no metadata.name.
 * *out is overwritten, not cleared first. */
int flux_object_from_json(struct flux_object *out, enum flux_kind kind,
			  const cJSON *obj, struct err *e);

/* Append the items of a list ({"items":[...]}) of that kind to *v (a
 * caller-owned array of *n objects, may start NULL/0), so all kinds can be
 * collected in one array. On error nothing is appended (*n unchanged, but
 * *v may have been reallocated: free it with flux_objects_free as usual)
 * and the message names the item ("Bucket item 2: Bucket has no
 * metadata.name"). */
int flux_objects_append_list(struct flux_object **v, size_t *n,
			     enum flux_kind kind, const cJSON *list,
			     struct err *e);

/* Free everything o owns and zero it; o itself is not freed. NULL ok. */
void flux_object_clear(struct flux_object *o);

/* Clear n objects of *v, free the array, set *v to NULL. NULL ok. */
void flux_objects_free(struct flux_object **v, size_t n);

/* Deep copy (flux_copy.c): dst (overwritten, not cleared first) gets its
 * strings and arrays in one block of its own, the repeated ones from the
 * string pool (strpool.h); free it with flux_object_clear, change none of
 * its strings in place. */
void flux_object_copy(struct flux_object *dst, const struct flux_object *src);

/* The condition of that type, or NULL. Points into o. */
const struct flux_condition *flux_condition_find(const struct flux_object *o,
						 const char *type);

/* The object of that kind, namespace and name in all[0..n), or NULL. */
const struct flux_object *flux_object_find(const struct flux_object *all,
					   size_t n, enum flux_kind kind,
					   const char *namespace,
					   const char *name);

/* "GitRepository/flux-system" when the reference is in namespace ns,
 * "GitRepository/other/flux-system" otherwise (ns NULL: always with the
 * namespace); "" for an empty reference. Not terminal-safe. Returns buf. */
const char *flux_ref_text(const struct flux_ref *r, const char *ns, char *buf,
			  size_t sz);

/* The MESSAGE column: the Ready message, or "waiting to be reconciled"
 * when there is no Ready condition. Points into o or to a literal. */
const char *flux_object_message(const struct flux_object *o);

/* ---- revisions (RFC-0005 and before) ------------------------------------ */

/* The digest of a revision, without its algorithm: the text after the
 * LAST '@' ("main@sha1:<hex>", "refs/heads/main@sha1:<hex>",
 * "v1.0@sha256:<hex>"), or the whole revision when it starts with
 * "sha1:"/"sha256:"; either way a leading "<algo>:" is dropped. Old
 * revisions ("main/<sha>", "feature/x/<sha>", "<sha>") give their trailing
 * 40- or 64-digit hex after the last '/'. Anything else ("6.5.4", "")
 * gives "". Writes into buf (cut to fit), returns buf. */
const char *flux_revision_sha(const char *revision, char *buf, size_t sz);

/* The short display form: the named pointer, '@', the first 8 hex digits
 * of the digest, the algorithm dropped and "refs/heads/" or "refs/tags/"
 * removed from the pointer: "main@sha1:1a2b..." and "main/1a2b..." give
 * "main@1a2b3c4d", "refs/heads/main@sha1:..." gives "main@1a2b3c4d",
 * "sha1:1a2b..." gives "1a2b3c4d", "v1.0@sha256:..." "v1.0@1a2b3c4d". A
 * revision without a digest ("6.5.4") is returned unchanged. Not
 * terminal-safe. Writes into buf, returns buf. */
#define FLUX_REVISION_SHORT_LEN 128
const char *flux_revision_short(const char *revision, char *buf, size_t sz);

/* ---- dependencies ------------------------------------------------------- */

enum flux_dep_status {
	FLUX_DEP_OK = 0,    /* every dependency is Ready (or there are none) */
	FLUX_DEP_NOT_READY, /* .object is the root cause */
	FLUX_DEP_MISSING,   /* .ref names a dependency that does not exist */
	FLUX_DEP_CYCLE,	    /* the chain loops; .path shows the loop */
};

/* Pointers point into the arrays given to flux_dependency_root and live as
 * long as they do. */
struct flux_dep_root {
	enum flux_dep_status status;
	const struct flux_object *object;   /* NOT_READY: the root cause;
					     * CYCLE: where the loop closes */
	const struct flux_object *referrer; /* whose dependsOn named it */
	const struct flux_ref *ref;	    /* MISSING/NOT_READY/CYCLE: the
					     * reference in referrer */
	size_t depth;			    /* 1: a direct dependency */
	/* CYCLE: "ns/a -> ns/b -> ns/a" (not terminal-safe); "" otherwise */
	char path[512];
};

/* Walk obj's dependsOn depth-first, in order, and find the first
 * dependency that is not Ready. Dependencies are of obj's own kind and are
 * looked up in all[0..n). A dependency that is Ready is not descended into
 * (Flux only checks direct dependencies). A dependency that is not Ready
 * is descended into first: when something it depends on is not Ready,
 * missing or cyclic, that is the answer; otherwise the dependency itself
 * is. A dependency that does not exist is the answer (MISSING). Meeting an
 * object already on the current chain is a CYCLE. obj itself need not be
 * in all. out is filled in every case (status OK: the pointers NULL).
 * Returns out->status. */
enum flux_dep_status flux_dependency_root(const struct flux_object *obj,
					  const struct flux_object *all,
					  size_t n, struct flux_dep_root *out);

/* The same answers for many objects of one list, linear in all: an index
 * by kind/namespace/name and every object's chain (its first dependency
 * that is missing or not Ready, that one's, ...) resolved once and
 * remembered, so a 2,000-long dependsOn chain costs one pass, not one
 * walk per object (which, with a lookup by scan, was cubic). all must
 * stay unchanged while the index lives. One difference from the walk
 * above, on purpose: for an object that is itself Ready, a loop that runs
 * back to it through objects that are not Ready is not called a cycle
 * (Flux does not hold a Ready object back); the next root is given. */
struct flux_dep_index;
struct flux_dep_index *flux_dep_index_new(const struct flux_object *all,
					  size_t n);
void flux_dep_index_free(struct flux_dep_index **x);
/* As flux_dependency_root(obj, all, n, out); obj need not be in all. */
enum flux_dep_status flux_dep_index_root(struct flux_dep_index *x,
					 const struct flux_object *obj,
					 struct flux_dep_root *out);

/* A sentence for the message column or status bar, not terminal-safe:
 * "dependency a0005/foo not found", "waiting for dependency
 * flux-system/infra: <its message>", "dependency cycle:
 * ns/a -> ns/b -> ns/a", "" for OK. Returns a new string; caller frees. */
char *flux_dependency_text(const struct flux_dep_root *r);

/* ---- reconcile ---------------------------------------------------------- */

/* Progress of a reconcile request (upstream: the controller copies the
 * requestedAt annotation into status.lastHandledReconcileAt; then
 * observedGeneration reaches generation and Ready turns True or False). */
enum flux_reconcile_phase {
	FLUX_RECONCILE_WAITING_HANDLED = 0, /* lastHandledReconcileAt differs
					     * from the request */
	FLUX_RECONCILE_WAITING_READY,	    /* handled; observedGeneration <
					     * generation, Ready missing or
					     * Unknown, or Reconciling True
					     * with Ready True */
	FLUX_RECONCILE_DONE_READY,	    /* Ready True */
	FLUX_RECONCILE_DONE_FAILED,	    /* Ready False or Stalled True */
	FLUX_RECONCILE_DONE_WAITING,	    /* Ready not True, reason
					     * DependencyNotReady: handled,
					     * the controller retries later */
};

/* The phase of o for the request value requested_at (NULL: o's own
 * requested_at annotation). A suspended object is never reconciled: check
 * o->suspended (flux_reconcile_check) before requesting. */
enum flux_reconcile_phase flux_reconcile_phase(const struct flux_object *o,
					       const char *requested_at);

/* "waiting for the controller", "waiting for Ready", "Ready", "failed",
 * "waiting for a dependency". */
const char *flux_reconcile_phase_text(enum flux_reconcile_phase p);

/* 0 when o may be reconciled; -ERR_USAGE with "Kustomization
 * flux-system/apps is suspended; resume it first" when suspended. */
int flux_reconcile_check(const struct flux_object *o, struct err *e);

/* The merge patch that requests a reconcile:
 * {"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":"<v>"}}}.
 * The one that suspends or resumes: {"spec":{"suspend":true|false}}.
 * New strings, caller frees. */
char *flux_reconcile_patch(const char *requested_at);
char *flux_suspend_patch(int suspend);

/* ---- controllers -------------------------------------------------------- */

/* A Flux controller Deployment. Strings as in flux_object. */
struct flux_controller {
	char *namespace;
	char *name;
	int desired;		/* spec.replicas, 1 when missing */
	int ready;		/* status.readyReplicas */
	int available_replicas; /* status.availableReplicas */
	int available;		/* condition Available is True */
	char *available_status; /* "True", "False", "Unknown" or "" */
	char *available_reason;
	char *available_message;
	char *image;  /* first container's image as sent */
	char *repo;   /* image without tag and digest */
	char *tag;    /* "v0.8.1"; "" when none */
	char *digest; /* "sha256:..."; "" when none */
	int labeled;  /* has app.kubernetes.io/part-of=flux */
};

/* 1 when deployment (a Deployment object) carries the label
 * app.kubernetes.io/part-of=flux or is named source-controller,
 * kustomize-controller, helm-controller, notification-controller,
 * image-reflector-controller or image-automation-controller (the
 * walkthrough's hand-edited manifests have no part-of label). */
int flux_is_controller(const cJSON *deployment);

/* Build *out from a Deployment. Fails (-ERR_PARSE, *out zeroed) only when
 * it is not an object or has no metadata.name. Does not check
 * flux_is_controller. *out is overwritten, not cleared first. */
int flux_controller_from_json(struct flux_controller *out,
			      const cJSON *deployment, struct err *e);

/* The controllers of a DeploymentList: only items that pass
 * flux_is_controller, sorted by name. *out is a new array of *n, owned by
 * the caller (flux_controllers_free); NULL/0 when there are none. */
int flux_controllers_from_list(const cJSON *list, struct flux_controller **out,
			       size_t *n, struct err *e);

/* 1 when Available is True and ready >= desired. */
int flux_controller_ok(const struct flux_controller *c);

void flux_controller_clear(struct flux_controller *c);
void flux_controllers_free(struct flux_controller **v, size_t n);

/* ---- summary, order, filter -------------------------------------------- */

struct flux_summary {
	size_t controllers;
	size_t controllers_ok; /* flux_controller_ok */
	size_t sources;
	size_t sources_ready; /* state READY */
	size_t kustomizations;
	size_t kustomizations_ready;
	size_t helmreleases;
	size_t helmreleases_ready;
	size_t suspended;   /* any kind */
	size_t failed;	    /* FAILED or STALLED, any kind */
	size_t waiting;	    /* WAITING */
	size_t progressing; /* PROGRESSING */
};

/* Count into *out (overwritten). c or v may be NULL when its n is 0. */
void flux_summarize(const struct flux_controller *c, size_t nc,
		    const struct flux_object *v, size_t n,
		    struct flux_summary *out);

/* "sources 3/3 Ready · kustomizations 11/12 Ready · 1 suspended"
 * (ascii: " - " between parts). "helmreleases 2/2 Ready" follows the
 * kustomizations only when there are HelmReleases; "N suspended" only when
 * N > 0. Returns a new string, caller frees. */
char *flux_summary_text(const struct flux_summary *s, int ascii);

/* Failed (FAILED, STALLED) first, then WAITING, then the rest; within
 * those by name, namespace, then kind. qsort-style. */
int flux_compare(const struct flux_object *a, const struct flux_object *b);

/* Sort in place with flux_compare; stable. */
void flux_objects_sort(struct flux_object *v, size_t n);

/* 1 when filter (case-insensitive, ASCII) is a substring of the kind,
 * namespace, name, url, ref, revision, state text, Ready message, path,
 * chart or source name, or filter is "suspended" and o is suspended; 1 for
 * a NULL or "" filter. */
int flux_matches(const struct flux_object *o, const char *filter);

/* ---- dependency tree ---------------------------------------------------- */

/* The dependency tree of root for the detail view: the first line is root
 * itself, each further line a dependency (what the object above it waits
 * for, in dependsOn order), drawn with "├─ "/"└─ " and "│  " (ASCII when
 * text_ascii(): "|- ", "`- ", "|  "):
 *   Kustomization/flux-system/apps  Ready  (12 objects)
 *   ├─ Kustomization/flux-system/infra  Ready  (5 objects)
 *   └─ Kustomization/a0005/foo  not found
 * A line holds "Kind/namespace/name", two spaces, the state text, then
 * "  suspended" when suspended, then "  (N objects)" or "  (N kinds in M
 * namespaces)" for a snapshot. A dependency already on the path is
 * printed once with "  (cycle)" and not expanded; depth is capped at 32
 * and the tree at about 1000 lines (a cut tree ends in a "\u2026" line).
 * Lines are terminal-safe. *lines gets a new array of new strings, the
 * caller frees it with flux_lines_free. Returns the line count (>= 1). */
size_t flux_tree_lines(const struct flux_object *root,
		       const struct flux_object *all, size_t n, char ***lines);

/* Free n lines of *lines and the array; set *lines to NULL. NULL ok. */
void flux_lines_free(char ***lines, size_t n);

#endif
