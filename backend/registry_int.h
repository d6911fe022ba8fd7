/* registry_int.h - what the registry client's files share: the registry,
 * its operations and token jobs. Not for other modules: registry.h. */
#ifndef JD_REGISTRY_INT_H
#define JD_REGISTRY_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "http.h"
#include "registry.h"

struct tok {
	char *key; /* the scopes as requested, space-separated */
	char *token;
	long long deadline_ms;
};

enum job_phase { JOB_QUEUED, JOB_AAD, JOB_EXCHANGE, JOB_TOKEN };

/* One token request. Jobs run one at a time per registry, so a burst of
 * operations shares a single exchange and one token per scope. */
struct token_job {
	struct token_job *next;
	char *key;
	char *asked; /* key and the hinted scopes asked for with it */
	struct registry_op **waiters;
	size_t nwait, capwait;
	struct http_req *req;
	enum job_phase phase;
	int fresh_refresh; /* the refresh token came from this job */
	int reexchanged;
};

struct registry_aad_wait {
	struct registry *reg; /* NULL once the registry is gone */
};

struct registry {
	struct loop *loop;
	char *base; /* no trailing slash */
	char *name;
	unsigned char *ca;
	size_t ca_len;
	struct err setup_err; /* code != 0: every op fails with it */
	enum registry_auth auth;
	char *username;
	char *password;
	registry_aad_fn get_aad;
	void *aad_ud;
	char *aad_token;
	char *tenant;
	char *auth_url;
	long timeout_ms;
	int basic_challenge; /* answered Basic: send credentials always */
	char *realm;	     /* from the last Bearer challenge */
	char *service;
	char *refresh; /* ACR refresh token */
	long long refresh_deadline_ms;
	struct tok *toks;
	size_t ntoks, captoks;
	char **hints; /* scopes asked for along with a job's own */
	size_t nhints;
	struct token_job *jobs; /* FIFO; the head runs */
	struct registry_aad_wait *aad_wait;
	struct registry_op **ops;
	size_t nops, capops;
};

enum op_kind { OP_PING, OP_LIST, OP_HEAD, OP_GET, OP_COPY };

struct blob {
	char digest[80];
	long long size;
};

struct child {
	char digest[80];
	char media_type[128];
	char *body;
	size_t len;
};

typedef void (*resp_fn)(struct registry_op *op,
			const struct http_response *resp);

struct registry_op {
	enum op_kind kind;
	struct registry *regs[2];
	void *ud;
	registry_done_fn done_fn;
	registry_list_fn list_fn;
	registry_head_fn head_fn;
	registry_manifest_fn manifest_fn;
	registry_copy_fn copy_fn;
	registry_progress_fn progress_fn;
	unsigned timer;
	struct err pending; /* a failure delivered from the timer */
	int resume;	    /* timer: send the request again */

	/* the request in progress */
	struct registry *rr;
	const char *method;
	char *url;
	char *scope; /* token cache key; NULL: none */
	int accept_all;
	char *ctype; /* "Content-Type: …" */
	const char *body;
	size_t body_len;
	int spool_in;	  /* stream a 2xx body into the spool */
	int upload;	  /* send the spool as body */
	long long up_off; /* bytes of the spool sent */
	long long up_len;
	int authed; /* a challenge was answered for this request */
	int sent_token; /* the request carried a cached token */
	int hops;
	struct http_req *req;
	struct token_job *job;
	resp_fn on_resp;

	char *repo, *ref;
	char subject[400]; /* "repo:ref" for sentences */

	/* listings */
	char **names;
	size_t nnames, capnames;
	int pages;
	const char *list_key;

	/* copies */
	char *dst_repo, *dst_tag;
	char *src_scope, *dst_scope;
	int mount;
	char *top_body;
	size_t top_len;
	char top_mt[128];
	char top_digest[80];
	int top_index;
	struct child *kids;
	size_t nkids, capkids;
	struct blob *blobs;
	size_t nblobs, capblobs;
	size_t i; /* the child or blob being worked on */
	struct registry_progress prog;
	long long base_done; /* bytes of finished blobs */
	long long got;	     /* bytes spooled of the current blob */
	char *upload_url;
	int fd;
	EVP_MD_CTX *md;
	int spool_failed;
	long long last_progress_ms;
};

/* ---- references (registry_ref.c) -----------------------------------------
 */

/* A reference that is a digest ("sha256:..."), not a tag. */
int registry_is_digest(const char *ref);
/* "sha256:" and 64 hex digits of md into out. */
void registry_sha256_hex(const unsigned char md[32], char out[80]);
/* The sha256 digest of data into out ("" when it cannot be computed). */
void registry_digest_of(const char *data, size_t len, char out[80]);
/* Media type without parameters ("...+json; charset=utf-8"). */
void registry_media_type(char *dst, size_t sz, const char *ctype);
/* An OCI index or a Docker manifest list. */
int registry_is_index_type(const char *mt);

/* ---- helpers and operations (registry.c) ---------------------------------
 */

/* ref resolved against base, a new string; NULL when it cannot be. */
char *registry_resolve_url(const char *base, const char *ref);
/* src (NULL: "") into dst, cut at sz - 1. */
void registry_copy_str(char *dst, size_t sz, const char *src);
/* The first registry error of a body, 1 when there is one. */
int registry_body_error(const char *body, char *code, size_t csz, char *msg,
			size_t msz);
/* Whether url is on r (its base URL and below). */
int registry_url_is_registry(const struct registry *r, const char *url);

struct registry_op *registry_op_new(struct registry *r, enum op_kind kind,
				    void *ud);
void registry_op_link(struct registry *r, struct registry_op *op);
void registry_op_unlink(struct registry_op *op);
void registry_op_free(struct registry_op *op);
/* Starts op from the loop, so callbacks never run inside the starting
 * call. */
void registry_op_begin(struct registry_op *op);
/* Ends the op with a failure: the callback, then free. */
void registry_op_fail(struct registry_op *op, const struct err *e);
void registry_op_failf(struct registry_op *op, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Send (again) or fail (e) from the loop, not from the current stack. */
void registry_op_later(struct registry_op *op, const struct err *e);
/* Sets up the op's next request (url is taken); op_send starts it. */
void registry_op_prepare(struct registry_op *op, struct registry *r,
			 const char *method, char *url, const char *scope,
			 resp_fn on_resp);
void registry_op_go(struct registry_op *op, struct registry *r,
		    const char *method, char *url, const char *scope,
		    resp_fn on_resp);
/* Sends op's request with the token, credentials and body it needs. */
void registry_op_send(struct registry_op *op);
/* Fails op with a sentence for an unexpected answer about subject. */
void registry_op_http_error(struct registry_op *op,
			    const struct http_response *resp,
			    const char *subject);
/* 0, or -code with e filled when an argument is missing or invalid. */
int registry_check_args(struct registry *r, const char *repo, const char *ref,
			const void *done, struct err *e);
/* "repo:tag" or "repo@digest" (repo alone when ref is NULL). */
void registry_set_subject(struct registry_op *op, const char *repo,
			  const char *ref);
/* "repository:REPO:pull", a new string. */
char *registry_pull_scope(const char *repo);
/* A manifest's digest, media type and size from the answer's headers. */
void registry_info_from(const struct http_response *resp,
			struct registry_manifest_info *m);
/* Digest and media type of a fetched manifest, checked against the
 * digest asked for or announced; *json gets the parsed body. 0 or a
 * failure sentence in e. */
int registry_manifest_identity(const struct http_response *resp,
			       const char *ref, const char *subject,
			       struct registry_manifest_info *m, cJSON **json,
			       struct err *e);

/* ---- tokens and challenges (registry_auth.c) -----------------------------
 */

/* The cached token for the scopes key, NULL when none is fresh. */
const char *registry_tok_get(struct registry *r, const char *key);
/* op waits for a token for key; a job starts when none runs. */
void registry_job_join(struct registry *r, const char *key,
		       struct registry_op *op);
void registry_job_forget_op(struct token_job *j, struct registry_op *op);
void registry_job_free(struct token_job *j);
/* A 401 with a challenge that can be answered: arranged, 1. */
int registry_answer_challenge(struct registry_op *op,
			      const struct http_response *resp);

/* ---- copies (registry_copy.c) --------------------------------------------
 */

/* The http layer's body callbacks for blobs streamed through a file. */
int registry_on_spool_data(const char *buf, size_t len, void *ud);
size_t registry_on_upload_read(char *buf, size_t len, void *ud);

#endif
