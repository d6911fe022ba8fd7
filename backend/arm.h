/* arm.h - Azure Resource Manager calls on the loop: deployment outputs,
 * importImage followed as a long-running operation, Resource Graph. */
#ifndef JD_ARM_H
#define JD_ARM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "loop.h"

#define ARM_DEFAULT_ENDPOINT "https://management.azure.com"
#define ARM_API_DEPLOYMENTS "2021-04-01"
#define ARM_API_REGISTRIES "2023-07-01"
#define ARM_API_RESOURCE_GRAPH "2021-03-01"

#define ARM_IMPORT_CEILING_MS (30L * 60L * 1000L) /* default: 30 min */
#define ARM_POLL_FIRST_MS 2000L  /* without Retry-After: 2 s, growing */
#define ARM_POLL_MAX_MS 20000L   /* ... to at most 20 s */
#define ARM_GRAPH_PAGE 1000      /* Resource Graph rows per page */

/* The deployment names tried by arm_registry_lookup(), in order. */
#define ARM_STAMP_DEPLOYMENT "cluster-stamp"
#define ARM_PRE_STAMP_DEPLOYMENT "pre-cluster-stamp"

struct arm;      /* a client: endpoint, TLS, token, calls in flight */
struct arm_call; /* one call in flight; valid until its done callback
		  * has returned or it is cancelled */

/* Every call below returns a call (never NULL) and reports through its
 * done callback exactly once, from the loop, never before it returns -
 * also when it cannot even start (no token, bad arguments) - unless it
 * is cancelled. Strings passed in are copied. Nothing blocks. */

/* Creates a client on the loop (which must outlive it). endpoint NULL or
 * "" means ARM_DEFAULT_ENDPOINT; a trailing slash is ignored. */
int arm_new(struct arm **out, struct loop *l, const char *endpoint,
	    struct err *e);
/* Cancels every call in flight (their callbacks are not called; an
 * import that was accepted may go on in Azure) and frees the client. */
void arm_free(struct arm **a);

/* Trust this PEM bundle instead of the system's (tests, proxies). The
 * file is read now; path is not kept. */
int arm_set_ca_file(struct arm *a, const char *path, struct err *e);

/* The ARM bearer token (without "Bearer "). Copied; NULL forgets it.
 * Each request reads the token set at the time it is sent, so a caller
 * may refresh it while an import is being followed. It is never written
 * into an error sentence. */
void arm_set_token(struct arm *a, const char *token);

/* How long arm_import_image() follows an operation before it gives up
 * (ms; <= 0 restores ARM_IMPORT_CEILING_MS). Applies to later calls. */
void arm_set_import_ceiling_ms(struct arm *a, long ms);
/* Poll interval when the server sends no Retry-After: first_ms, growing
 * by half each poll up to max_ms (<= 0: the defaults above). */
void arm_set_poll_interval_ms(struct arm *a, long first_ms, long max_ms);

/* What the last answers said about throttling, for a status line; -1 when
 * not seen yet. */
struct arm_quota {
	long reads;           /* x-ms-ratelimit-remaining-subscription-reads */
	long writes;          /* ...-writes */
	long graph_remaining; /* x-ms-user-quota-remaining */
	long graph_resets_s;  /* x-ms-user-quota-resets-after, seconds */
	long long updated_ms; /* loop_now_ms() of the last update, or 0 */
};
void arm_quota_get(const struct arm *a, struct arm_quota *out);

/* Forget a call: no more requests, its callbacks are not called. Safe
 * inside the call's own callbacks. An import may go on in Azure. */
void arm_call_cancel(struct arm_call *c);

/* ---- deployment outputs ---------------------------------------------- */

/* Owned by the call; valid only during the callback. Take `outputs` (set
 * it to NULL) to keep it. */
struct arm_outputs {
	int ok;
	long status;               /* HTTP status, 0 when none */
	struct err err;            /* when !ok */
	const char *deployment;    /* the deployment's name */
	const char *provisioning_state; /* "Succeeded", ... or NULL */
	cJSON *outputs;            /* name -> {"type","value"}; an object
				    * (maybe empty) when ok */
};
typedef void (*arm_outputs_fn)(struct arm_outputs *o, void *ud);

/* GET .../resourcegroups/RG/providers/Microsoft.Resources/deployments/NAME.
 * Errors: "deployment NAME not found in resource group RG", the sign-in
 * sentences of arm_error_sentence(), a 403's own message. */
struct arm_call *arm_deployment_outputs(struct arm *a, const char *sub,
					const char *rg, const char *name,
					arm_outputs_fn done, void *ud);

/* An output's value and type (type compared without case; NULL when the
 * output is absent). Borrowed from outputs. */
const cJSON *arm_output_value(const cJSON *outputs, const char *name,
			      const char **type);
/* A String (or SecureString) output's value, else NULL. Borrowed. */
const char *arm_output_string(const cJSON *outputs, const char *name);

/* The registry names of the walkthrough's deployments. Owned by the call;
 * valid only during the callback (copy them). */
struct arm_registries {
	int ok;
	struct err err;         /* when !ok */
	const char *deployment; /* the deployment that had both outputs */
	const char *quarantine; /* quarantineContainerRegistryName */
	const char *live;       /* containerRegistryName */
	int same;               /* both name the same registry (usual) */
};
typedef void (*arm_registries_fn)(const struct arm_registries *r, void *ud);

/* Reads quarantineContainerRegistryName and containerRegistryName from
 * deployment `name`, or when name is NULL from cluster-stamp and then,
 * when that is missing or lacks an output, pre-cluster-stamp. A missing
 * output gives "deployment NAME has no output OUTPUT". Sign-in and
 * permission errors stop the search at once. */
struct arm_call *arm_registry_lookup(struct arm *a, const char *sub,
				     const char *rg, const char *name,
				     arm_registries_fn done, void *ud);

/* ---- importImage ------------------------------------------------------ */

enum arm_import_mode {
	ARM_IMPORT_NO_FORCE = 0, /* fail if a target tag exists */
	ARM_IMPORT_FORCE,        /* overwrite target tags */
};

/* ImportImageParameters. Borrowed only for the arm_import_image() call. */
struct arm_import {
	const char *registry_uri;   /* e.g. "docker.io"; or NULL ... */
	const char *resource_id;    /* ... the ARM id of a source ACR */
	const char *source_image;   /* "repo", "repo:tag", "repo@sha256:…" */
	const char *username;       /* source credentials, both or neither */
	const char *password;       /* (never in errors; wiped after use) */
	const char *const *target_tags;    /* "repo:tag", NULL-ended, or
					    * NULL */
	const char *const *untagged_repos; /* NULL-ended, or NULL */
	enum arm_import_mode mode;
};

/* Borrowed for the duration of the callback. */
struct arm_progress {
	const char *status;  /* "Accepted", "InProgress", ... */
	long long elapsed_ms; /* since the POST was sent */
	int polls;           /* status requests so far */
	long next_poll_ms;   /* when the next one goes out */
};
typedef void (*arm_progress_fn)(const struct arm_progress *p, void *ud);

/* Owned by the call; valid only during the callback. */
struct arm_import_result {
	int ok;               /* the operation Succeeded */
	int accepted;         /* Azure took the POST: the import may run
			       * even when this call gave up */
	long status;          /* HTTP status of the last answer, 0 none */
	const char *op_status; /* last operation status, or NULL */
	long retry_after_s;   /* a throttled POST's Retry-After, else -1 */
	long long elapsed_ms;
	int polls;
	const char *status_url; /* what was polled (to look later), or NULL */
	struct err err;       /* when !ok: "Conflict: Tag … already exists
			       * in target registry.", a failed operation's
			       * "Code: message", ERR_TIMEOUT "the import did
			       * not finish within 30m; it may still complete
			       * in Azure", ERR_CANCELLED ... */
};
typedef void (*arm_import_fn)(const struct arm_import_result *r, void *ud);

/* POST .../registries/REGISTRY/importImage, then follow the operation
 * (Azure-AsyncOperation if given, else Location) honouring Retry-After,
 * until it ends or the ceiling passes. The POST is sent once and never
 * again: not on 429 (reported with its Retry-After), 5xx or a dropped
 * connection. Status requests are retried as reads. progress may be
 * NULL; done is called exactly once unless the call is cancelled. The
 * bearer token is sent only to the endpoint's own origin. */
struct arm_call *arm_import_image(struct arm *a, const char *sub,
				  const char *rg, const char *registry,
				  const struct arm_import *params,
				  arm_progress_fn progress, arm_import_fn done,
				  void *ud);

/* Stop following an import: no more requests; done is called before this
 * returns, with ERR_CANCELLED and "stopped following the import of IMAGE;
 * the operation may go on in Azure". c is gone afterwards. */
void arm_import_stop(struct arm_call *c);

/* The JSON body arm_import_image() sends (caller frees; wipe it: it may
 * hold a password). NULL and e filled when params are inconsistent. */
char *arm_import_body(const struct arm_import *params, struct err *e);

/* ---- Resource Graph --------------------------------------------------- */

/* Owned by the call; valid only during the callback. Take `rows` (set it
 * to NULL) to keep them. */
struct arm_graph_result {
	int ok;
	long status;
	struct err err;
	cJSON *rows;          /* every page's data rows, one array */
	long total_records;   /* the first page's totalRecords, or -1 */
	int pages;
	int truncated;        /* some page said resultTruncated "true" */
	int throttled;        /* 429s waited out */
};
typedef void (*arm_graph_fn)(struct arm_graph_result *r, void *ud);

/* POST /providers/Microsoft.ResourceGraph/resources with objectArray
 * results, ARM_GRAPH_PAGE rows a page, following $skipToken. On 429 it
 * waits Retry-After (or the quota reset) and tries again, up to 10 times;
 * when a page leaves x-ms-user-quota-remaining at 0 the next page waits
 * for the reset. subscriptions is NULL-ended (NULL or empty: every one
 * the caller may read). */
struct arm_call *arm_graph_query(struct arm *a,
				 const char *const *subscriptions,
				 const char *query, arm_graph_fn done,
				 void *ud);

/* ---- sentences -------------------------------------------------------- */

/* An ARM answer as a sentence: "Code: message" from
 * {"error":{"code","message","details"}} (first detail appended when it
 * adds something), the sign-in sentences for 401
 * (ExpiredAuthenticationToken: "the Azure access token has expired; sign
 * in again"), the server's message alone for 403 AuthorizationFailed,
 * "Azure Resource Manager answered HTTP N" without a body. Control
 * characters are removed. Sets e->code from the status (401 ERR_AUTH,
 * 403 ERR_DENIED, 404 ERR_NOTFOUND, 409 ERR_CONFLICT, else ERR_HTTP) and
 * returns -e->code. */
int arm_error_sentence(long status, const char *body, struct err *e);
/* The error.code of an ARM error body into buf ("" when none). */
void arm_error_code(const char *body, char *buf, size_t sz);

/* "30m", "1h30m", "45s", "2.5s", "500ms". */
void arm_format_duration(long long ms, char *buf, size_t sz);

#endif
