/* registry.h - an asynchronous client of the registry HTTP API v2 (ACR,
 * Distribution): token auth, listing, manifests, copies. Not the ARM API. */
#ifndef JD_REGISTRY_H
#define JD_REGISTRY_H

#include <stddef.h>

#include "err.h"
#include "loop.h"

#define REGISTRY_TIMEOUT_MS 60000 /* per request, when timeout_ms is 0 */

/* The four manifest media types every manifest request accepts. */
#define REGISTRY_MT_DOCKER_MANIFEST \
	"application/vnd.docker.distribution.manifest.v2+json"
#define REGISTRY_MT_DOCKER_LIST \
	"application/vnd.docker.distribution.manifest.list.v2+json"
#define REGISTRY_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define REGISTRY_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"

enum registry_auth {
	REGISTRY_AUTH_ANONYMOUS = 0, /* token from the realm without creds */
	REGISTRY_AUTH_BASIC,	     /* username/password: Basic challenges,
				      * or GET realm with Basic auth */
	REGISTRY_AUTH_ACR,	     /* Entra ID token -> /oauth2/exchange ->
				      * ACR refresh token -> /oauth2/token */
};

struct registry;
struct registry_op;
struct registry_aad_wait;

/* Asks the caller for an Entra ID access token (ARM audience or
 * https://containerregistry.azure.net). The provider answers exactly
 * once with registry_aad_done(), now or later, from the loop thread. */
typedef void (*registry_aad_fn)(void *ud, struct registry_aad_wait *w);

/* Everything is copied by registry_new(); secrets are wiped on free.
 *
 * Where the ACR token endpoints are: the 401 challenge's realm is used
 * for /oauth2/token (on real ACR it is https://<login server>/oauth2/
 * token). /oauth2/exchange is at auth_url when given, else at the
 * realm's origin (scheme://host[:port]). The simulator serves both on
 * JUMPDECK_ACR_AUTH_URL, which is also its realm. */
struct registry_opts {
	const char *url;  /* https://acrx.azurecr.io (no path) */
	const char *name; /* for sentences; default: the URL's host[:port] */
	const unsigned char *ca; /* PEM bundle in memory, or NULL */
	size_t ca_len;
	const char *ca_path; /* or a PEM file (read now); both NULL: system */
	enum registry_auth auth;
	const char *username; /* BASIC */
	const char *password;
	/* ACR: a token set with registry_set_aad_token() wins; otherwise
	 * get_aad_token is asked whenever an exchange is needed. */
	registry_aad_fn get_aad_token;
	void *aad_ud;
	const char *aad_token; /* an initial token (same as set_aad_token) */
	const char *tenant;    /* optional "tenant" form field */
	const char *auth_url;  /* optional base of /oauth2/exchange */
	long timeout_ms;       /* per request; 0: REGISTRY_TIMEOUT_MS. Blob
				* transfers use it as an idle timeout. */
};

/* Never fails for lack of anything but memory: a bad URL or unreadable
 * CA file is reported as the sentence of every operation's result.
 * Free registries before the loop. */
struct registry *registry_new(struct loop *l, const struct registry_opts *o);
/* Cancels every operation that uses r (their callbacks are not called),
 * wipes tokens, frees, sets *r = NULL. Safe inside a done callback. */
void registry_free(struct registry **r);

/* Replace the Entra ID token (copied; the old one is wiped). The cached
 * ACR refresh token stays until it expires or is rejected. */
void registry_set_aad_token(struct registry *r, const char *token);
/* Drop cached refresh and access tokens (after a sign-out). */
void registry_forget_tokens(struct registry *r);
/* Scopes ("repository:NAME:pull", ...) that operations on r are about to
 * need: a token request then asks for up to REGISTRY_SCOPES_PER_TOKEN of
 * them at once (ACR and Docker's token service take the scope field
 * repeated), so checks of many repositories share one token instead of
 * one request each. A scope is used from such a token only when the
 * token's access claim grants it. The list is copied (at most
 * REGISTRY_MAX_HINTS are kept) and replaces the last one; n 0 clears. */
#define REGISTRY_SCOPES_PER_TOKEN 16
#define REGISTRY_MAX_HINTS 4096
void registry_scope_hint(struct registry *r, const char *const *scopes,
			 size_t n);

/* The answer to registry_aad_fn: token (copied) or NULL with e saying
 * why. Once per wait; w is invalid afterwards. Safe after registry_free
 * (the answer is then dropped). */
void registry_aad_done(struct registry_aad_wait *w, const char *token,
		       const struct err *e);

/* ---- results (valid only during the callback: copy what you keep) ---- */

struct registry_manifest_info {
	int exists;	      /* 0: no such tag/digest (404), not an error */
	char digest[80];      /* "sha256:<64 hex>" (Docker-Content-Digest) */
	char media_type[128]; /* without parameters */
	long long size;	      /* bytes of the manifest, -1 if unknown */
};

struct registry_platform {
	char os[32];
	char arch[32];
	char variant[16];
	char digest[80];
	char media_type[128];
	long long size;
};

struct registry_manifest {
	struct registry_manifest_info info;
	const char *body; /* the manifest bytes, NUL-terminated */
	size_t body_len;
	int is_index; /* OCI index or Docker manifest list */
	/* For an index: its entries in order; the index's own digest is
	 * info.digest (never replaced by a child's). */
	const struct registry_platform *platforms;
	size_t nplatforms;
};

struct registry_progress {
	long long bytes_done; /* skipped and mounted blobs count as done */
	long long bytes_total;
	size_t blobs_done;
	size_t blobs_total;
	size_t blobs_pushed;  /* pulled from the source and uploaded */
	size_t blobs_mounted; /* cross-repository mounts */
	size_t blobs_skipped; /* already in the destination */
	size_t manifests_put;
	const char *current;  /* digest being moved, or NULL */
};

struct registry_copy_result {
	char digest[80];      /* the source's digest = the destination's */
	char media_type[128];
	int is_index;
	size_t platforms;      /* child manifests copied (index) */
	struct registry_progress progress; /* final counters */
};

/* status 0 on success, else a negative enum err_code with e set. */
typedef void (*registry_done_fn)(int status, const struct err *e,
				 void *ud);
typedef void (*registry_list_fn)(int status, const struct err *e,
				 const char *const *names, size_t n,
				 void *ud);
typedef void (*registry_head_fn)(int status, const struct err *e,
				 const struct registry_manifest_info *m,
				 void *ud);
typedef void (*registry_manifest_fn)(int status, const struct err *e,
				     const struct registry_manifest *m,
				     void *ud);
typedef void (*registry_copy_fn)(int status, const struct err *e,
				 const struct registry_copy_result *c,
				 void *ud);
typedef void (*registry_progress_fn)(const struct registry_progress *p,
				     void *ud);

/* ---- operations ---------------------------------------------------------
 * Each starts on the loop and calls its callback exactly once, later
 * (never from inside the starting call), unless cancelled. The op frees
 * itself after the callback; do not cancel it from inside its own
 * callback. Return NULL with e set (no callback) for invalid arguments:
 * repository names are lower-case paths ("live/fluxcd/kured"), refs a
 * tag or "sha256:<hex>". */

/* GET /v2/ with authentication: "is it there and may I use it". */
struct registry_op *registry_ping(struct registry *r, registry_done_fn done,
				  void *ud, struct err *e);

/* Every tag of repo, following n/last paging through the Link header.
 * page_size 0: let the registry choose. names in the registry's order. */
struct registry_op *registry_tags(struct registry *r, const char *repo,
				  int page_size, registry_list_fn done,
				  void *ud, struct err *e);

/* Every repository (/v2/_catalog), paged the same way. */
struct registry_op *registry_catalog(struct registry *r, int page_size,
				     registry_list_fn done, void *ud,
				     struct err *e);

/* HEAD /v2/<repo>/manifests/<ref> accepting all four media types. A
 * missing tag, manifest or repository gives status 0 with exists = 0. */
struct registry_op *registry_manifest_head(struct registry *r,
					   const char *repo, const char *ref,
					   registry_head_fn done, void *ud,
					   struct err *e);

/* GET the manifest (body, digest, media type; index entries parsed).
 * Missing: status -ERR_NOTFOUND with a sentence. */
struct registry_op *registry_manifest_get(struct registry *r,
					  const char *repo, const char *ref,
					  registry_manifest_fn done, void *ud,
					  struct err *e);

/* Copy src_repo:src_ref to dst_repo:dst_tag, for registries other than
 * ACR's importImage (generic registries, tests). Blobs first (HEAD at
 * the destination skips those present; within one registry -- the same
 * struct or the same URL -- a cross-repository mount, else a streamed
 * pull into an unlinked temporary file and a monolithic upload: at most
 * one blob is in flight and none is held in memory), then child
 * manifests by digest (index), then the top manifest under dst_tag with
 * its media type. Finally the destination tag is read back: its digest
 * must equal the source's and the manifest must exist, else the copy
 * fails with a sentence saying so. progress (may be NULL) is called
 * after each blob and during transfers (at most ~10 times a second).
 * Both registries must outlive the op (freeing either cancels it). */
struct registry_op *registry_copy(struct registry *src, const char *src_repo,
				  const char *src_ref, struct registry *dst,
				  const char *dst_repo, const char *dst_tag,
				  registry_progress_fn progress,
				  registry_copy_fn done, void *ud,
				  struct err *e);

/* The callback is not called; pending requests are stopped. NULL is
 * fine. */
void registry_cancel(struct registry_op *op);

/* Valid repository name / reference (tag or digest)? */
int registry_valid_repo(const char *repo);
int registry_valid_ref(const char *ref);

#endif
