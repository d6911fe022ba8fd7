/* http.h - asynchronous HTTP requests on the loop's libcurl multi handle,
 * with TLS settings, retries (429 Retry-After, 5xx and connection errors
 * with backoff and jitter) and streaming bodies. Knows no API semantics. */
#ifndef JD_HTTP_H
#define JD_HTTP_H

#include <stddef.h>

#include "err.h"
#include "loop.h"

/* TLS material. Pointers are borrowed only for the http_start() call:
 * the request copies what it needs. */
struct http_tls {
	const unsigned char *ca;   /* PEM bundle in memory, or NULL */
	size_t ca_len;
	int insecure;              /* skip verification (a warning badge) */
	const char *server_name;   /* verify and SNI as this name */
	const unsigned char *cert; /* client certificate PEM */
	size_t cert_len;
	const unsigned char *key;  /* client key PEM */
	size_t key_len;
};

struct http_header {
	char *name;  /* lower-cased */
	char *value; /* trimmed */
};

/* What on_done receives. Owned by the request; valid only during the
 * callback (copy what you keep). */
struct http_response {
	long status;        /* 0 when no HTTP answer was received */
	const char *body;   /* NUL-terminated; empty when streamed */
	size_t body_len;
	struct http_header *headers; /* of the final response */
	size_t nheaders;
	int attempts;       /* 1 + retries */
	struct err err;     /* set when status is 0 (transport failure) */
};

typedef void (*http_done_fn)(const struct http_response *r, void *ud);
/* Streamed body data of a 2xx response; return 0 to go on, non-zero to
 * abort the transfer (on_done then reports ERR_CANCELLED). Called once
 * with len 0 when the answer's headers have arrived, before any body: a
 * stream that stays quiet (a watch) is open from then on. */
typedef int (*http_data_fn)(const char *buf, size_t len, void *ud);
/* Streamed request body: fill at most len bytes of buf and return how
 * many were written (0 at the end), or HTTP_READ_ABORT to stop the
 * transfer (on_done then reports ERR_CANCELLED). */
typedef size_t (*http_read_fn)(char *buf, size_t len, void *ud);
#define HTTP_READ_ABORT ((size_t)-1)

struct http_request {
	const char *method;       /* "GET" when NULL */
	const char *url;
	const char *const *headers; /* "Name: value" strings, NULL-ended */
	const char *body;
	size_t body_len;
	struct http_tls tls;
	const char *userpwd;      /* "user:password" for basic auth, or NULL */
	/* Credentials (an Authorization header, userpwd, a client key) to
	 * an http:// URL are refused unless this is set: plain HTTP is
	 * not encrypted. */
	int allow_plain_credentials;
	long timeout_ms;          /* whole transfer; 0 = none (watches) */
	long connect_timeout_ms;  /* 0 = 10 s */
	long idle_timeout_s;      /* abort when no byte for this long; 0 off */
	int idempotent;           /* may be retried on 5xx/transport errors */
	int max_429_retries;      /* default 10 when 0; -1 for none */
	int max_error_retries;    /* default 3 when 0 (idempotent only) */
	http_data_fn on_data;     /* stream instead of buffering, or NULL */
	http_done_fn on_done;     /* required; called exactly once unless
				   * the request is cancelled */
	void *ud;
	/* Upload the body from this callback instead of body (any method but
	 * GET/HEAD); body_len is then its exact size. Such a request is
	 * never retried: the stream cannot be replayed. */
	http_read_fn on_read;
};

struct http_req; /* an in-flight request */

/* Start a request. Everything in *rq is copied. Returns NULL and fills e
 * when the request cannot even be set up, and also, before anything is
 * sent, when a header or the basic credentials hold a line break or
 * another control character (a credential from a broken or hostile
 * token source must not add headers of its own), and when credentials
 * would go to an http:// URL without allow_plain_credentials. */
struct http_req *http_start(struct loop *l, const struct http_request *rq,
			    struct err *e);
/* Cancel: on_done is not called; the handle is freed now. */
void http_cancel(struct http_req *r);

const char *http_header_get(const struct http_response *r,
			    const char *name);
/* Seconds from a Retry-After value (delta-seconds or HTTP-date); -1 if
 * absent or unparsable. */
long http_retry_after_s(const char *value, long long now_epoch_s);

/* Backoff with jitter for attempt n (0-based): base * 2^n capped at cap,
 * then randomised into [d/2, d]. */
long http_backoff_ms(int attempt, long base_ms, long cap_ms);

/* Global init/cleanup (curl_global_init). */
int http_global_init(struct err *e);
void http_global_cleanup(void);

/* 1 when s holds a byte a header value cannot carry: a control
 * character (CR, LF, NUL ...) other than tab, or DEL. */
int http_has_control(const char *s);

/* Human sentence for a transport failure: "cannot reach URL: reason". */
void http_describe_failure(const char *url, int curl_code,
			   const char *detail, struct err *e);

#endif
