/* arm_int.h - what the ARM client (arm.c) and its calls (arm_deploy.c,
 * arm_import.c, arm_graph.c) share. Not for other modules: arm.h. */
#ifndef JD_ARM_INT_H
#define JD_ARM_INT_H

#include "arm.h"
#include "http.h"

#define REQ_TIMEOUT_MS 60000L

enum call_kind { CALL_OUTPUTS, CALL_REGISTRIES, CALL_IMPORT, CALL_GRAPH };

struct arm {
	struct loop *loop;
	char *endpoint; /* no trailing slash */
	unsigned char *ca;
	size_t ca_len;
	char *token;
	long ceiling_ms;
	long poll_first_ms, poll_max_ms;
	struct arm_quota quota;
	struct arm_call *calls;
};

struct arm_call {
	struct arm *arm; /* NULL once unlinked */
	struct loop *loop;
	struct arm_call *prev, *next;
	enum call_kind kind;
	struct http_req *req;
	unsigned timer;
	int in_cb;    /* a callback of the caller is running */
	int dead;     /* free once that callback returns */
	int finished; /* done was called, or never will be */
	void *ud;
	struct err err;
	long status;

	/* deployments */
	arm_outputs_fn outputs_done;
	arm_registries_fn registries_done;
	char *sub, *rg;
	char *names[2];
	size_t nnames, iname;
	char notes[512]; /* why earlier deployments did not do */

	/* importImage */
	arm_progress_fn progress;
	arm_import_fn import_done;
	char *image;
	char *source; /* "docker.io/library/x:1" for sentences */
	char *status_url;
	int async_op; /* status_url is an Azure-AsyncOperation */
	int accepted;
	long long started_ms, deadline_ms;
	long ceiling_ms;
	long interval_ms;
	long retry_after_s;
	int polls, poll_failures;
	char op_status[64];

	/* Resource Graph */
	arm_graph_fn graph_done;
	cJSON *request;
	cJSON *rows;
	char *skip_token;
	long total;
	int pages, truncated, throttled, n429;
};

/* ---- helpers (arm.c) -----------------------------------------------------
 */

/* Replace control characters (C0, DEL) from server text by spaces. */
void arm_sanitize(char *s);
/* Percent-encode a path segment (caller frees). */
char *arm_escape_segment(const char *s);
/* Append to a fixed buffer, truncating. */
void arm_buf_append(char *buf, size_t sz, const char *s);
/* A decimal header value, or fallback. */
long arm_parse_long(const char *s, long fallback);
/* "hh:mm:ss" (or "d.hh:mm:ss") into seconds; -1 when unparsable. */
long arm_parse_hms(const char *s);
/* The sentence for an ARM error object eo ({"code","message",...}) in e;
 * returns -code. */
int arm_error_sentence_obj(long status, const cJSON *eo, struct err *e);
/* Takes the quota headers of an answer into a->quota. */
void arm_note_quota(struct arm *a, const struct http_response *r);

/* ---- calls (arm.c) -------------------------------------------------------
 */

struct arm_call *arm_call_new(struct arm *a, enum call_kind kind, void *ud);
void arm_call_unlink(struct arm_call *c);
void arm_call_stop_io(struct arm_call *c);
void arm_call_free(struct arm_call *c);
/* Free now, or once the caller's callback that is running returns. */
void arm_call_release(struct arm_call *c);
/* Report c->err from the loop (the caller has the call pointer by
 * then). */
struct arm_call *arm_fail_later(struct arm_call *c);
/* Start one request for c. Returns 0, or fills c->err. */
int arm_call_send(struct arm_call *c, const char *method, const char *url,
		  const char *body, int idempotent, int max_429, int max_err,
		  long timeout_ms, http_done_fn on_done);
/* Keeps the subscription and resource group; 0 with c->err filled when
 * one is missing. */
int arm_have_args(struct arm_call *c, const char *sub, const char *rg);

/* ---- how each kind of call ends ------------------------------------------
 */

void arm_finish_outputs(struct arm_call *c, cJSON *doc); /* arm_deploy.c */
void arm_finish_registries(struct arm_call *c, const char *deployment,
			   const char *quarantine,
			   const char *live); /* arm_deploy.c */
void arm_import_end(struct arm_call *c);      /* arm_import.c */
void arm_graph_end(struct arm_call *c);	      /* arm_graph.c */

#endif
