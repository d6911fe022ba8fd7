/* azure_auth_int.h - what the credential chain (azure_auth.c) and its
 * sources (azure_src_*.c) share. Not for other modules: azure_auth.h. */
#ifndef JD_AZURE_AUTH_INT_H
#define JD_AZURE_AUTH_INT_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "azure_auth.h"
#include "http.h"
#include "strbuf.h"

#define REASONS_LEN 440

enum fetch_state { IDLE, QUEUED, FETCHING };

/* What a source reports when it ends. */
enum outcome {
	OK,
	UNAVAILABLE, /* not set up here: the chain moves on */
	FAILED,	     /* set up but broken: the chain stops here */
};

struct azure_token_call {
	struct azure_auth *a;
	struct entry *en;
	azure_token_fn done;
	void *ud;
	int firing;
	struct azure_token_call *next;
};

/* One resource: its token, its waiting callers and its fetch. */
struct entry {
	struct azure_auth *a;
	struct entry *next;
	char *resource;
	char *token; /* secret: wiped when replaced */
	time_t expires_at;
	time_t fetched_at;
	long long next_try_ms; /* no refetch before (after a failure) */

	struct azure_token_call *waiters;
	struct azure_token_call *delivering;
	unsigned deliver_timer;
	int result_status;
	struct err result_err;

	enum fetch_state state;
	int chain;    /* trying sources in order */
	unsigned src; /* the source bit being tried */
	char reasons[REASONS_LEN];
	struct http_req *req;
	struct proc *proc;
	unsigned timer; /* IMDS retry, device-code poll */
	int attempt;
	long long started_ms; /* when the source was first asked */

	/* Device code (secret: device_code). */
	int device; /* a device-code flow runs */
	char *device_code;
	long interval_ms;
	time_t device_expires;
};

struct azure_auth {
	struct loop *loop;
	unsigned sources;
	char *authority; /* without a trailing slash */
	char *imds;
	char *tenant;
	char *client_id;
	char *client_secret; /* secret */
	char *device_client_id;
	char *az;
	long cli_timeout_ms;
	long margin_s;
	int imds_retries;
	long imds_backoff_ms;
	long http_timeout_ms;
	unsigned char *ca;
	size_t ca_len;
	char ca_error[300];

	unsigned chosen;     /* the source that worked, 0 before */
	char *refresh_token; /* from device code; secret */
	char *identity;
	char *tid;
	struct entry *entries;
	struct entry *chain_owner; /* the entry trying sources in order */

	azure_device_show_fn show;
	azure_device_done_fn ui_done;
	void *ui_ud;
	unsigned ui_done_timer;
	int ui_status;
	struct err ui_err;

	int depth; /* inside a user callback */
	int dead;  /* freed from a callback: destroy later */
};

/* ---- small helpers ------------------------------------------------- */

static inline void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

static inline void free_secret(char **s)
{
	if (!*s)
		return;
	wipe(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

static inline time_t now_s(void)
{
	return time(NULL);
}

/* ---- the chain (azure_auth.c) -------------------------------------- */

/* Around a user callback: az_leave returns non-zero when a was freed
 * meanwhile (and is gone now if this was the outermost callback). */
void az_enter(struct azure_auth *a);
int az_leave(struct azure_auth *a);

/* The source answered with a token for en's resource (copied). */
void az_fetch_ok(struct entry *en, const char *token, time_t expires_at);
/* The source failed for good: stop (no other source is tried). */
void az_fetch_fail(struct entry *en, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The source is not set up here: note why and try the next one. */
void az_fetch_unavailable(struct entry *en, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Starts en's request; -1 after az_fetch_fail when it cannot start. */
int az_http_go(struct entry *en, const char *method, const char *url,
	       const char *const *headers, const struct strbuf *body,
	       int idempotent, long connect_ms, http_done_fn done);
/* Content-Type form, Accept JSON; NULL-terminated. */
extern const char *const az_form_headers[];
/* -1 after az_fetch_fail when the CA bundle could not be read. */
int az_need_ca(struct entry *en);
/* An Entra token answer: the token, its expiry, a refresh token for
 * device-code sign-ins; the chain is told. */
void az_entra_token_ok(struct entry *en, const struct http_response *r);
/* Entra's error code ("invalid_client") and a sentence for an error
 * answer. */
void az_entra_error(const struct http_response *r, char *code, size_t code_sz,
		    char *msg, size_t msg_sz);
/* authority/tenant/oauth2/v2.0/leaf as a new string. */
char *az_token_url(const struct azure_auth *a, const char *tenant,
		   const char *leaf);
/* The first line of server text, safe for the status bar and short. */
void az_first_line_safe(const char *s, char *dst, size_t sz, int cols);

/* ---- the sources (azure_src_*.c) ------------------------------------ */

void az_env_start(struct entry *en);	 /* azure_src_env.c */
void az_imds_start(struct entry *en);	 /* azure_src_imds.c */
void az_cli_start(struct entry *en);	 /* azure_src_cli.c */
void az_device_start(struct entry *en);	 /* azure_src_device.c */
void az_refresh_start(struct entry *en); /* azure_src_device.c */

#endif
