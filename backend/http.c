/* http.c - libcurl easy handles on the loop's multi handle: TLS options,
 * buffering or streaming, and the retry policy. No API knowledge here. */
#include "http.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BODY (64u * 1024u * 1024u)

struct http_req {
	struct loop *loop;
	CURL *easy;
	struct curl_slist *hdrs;
	struct curl_slist *connect_to;
	char *url;
	char *orig_url;
	char *body;
	size_t body_len;
	char *userpwd;
	http_data_fn on_data;
	http_read_fn on_read;
	http_done_fn on_done;
	void *ud;
	int idempotent;
	int max_429, max_err;
	int n429, nerr, attempts;
	unsigned retry_timer;
	long long started_ms; /* the first attempt: what a sentence counts */
	int streamed;       /* data went to on_data: no more retries */
	int aborted;        /* on_data asked to stop */
	int in_callback;
	int cancelled;
	int in_multi;
	const char *opt_refused; /* the first option libcurl refused */
	char errbuf[CURL_ERROR_SIZE];
	/* current response */
	struct strbuf rbody;
	struct http_header *rh;
	size_t nrh, caprh;
	int overflow;
	int head; /* a HEAD request: its Content-Length is not a body */
};

static void reset_response(struct http_req *r)
{
	size_t i;

	for (i = 0; i < r->nrh; i++) {
		free(r->rh[i].name);
		free(r->rh[i].value);
	}
	r->nrh = 0;
	strbuf_reset(&r->rbody);
	r->overflow = 0;
	r->errbuf[0] = '\0';
}

/* Headers and bodies may carry credentials: wipe them before freeing. */
static void wipe_slist(struct curl_slist *l)
{
	for (; l; l = l->next)
		if (l->data)
			memset(l->data, 0, strlen(l->data));
}

static void req_free(struct http_req *r)
{
	if (r->in_multi)
		curl_multi_remove_handle(loop_curl(r->loop), r->easy);
	if (r->retry_timer)
		loop_timer_cancel(r->loop, r->retry_timer);
	curl_easy_cleanup(r->easy);
	wipe_slist(r->hdrs);
	curl_slist_free_all(r->hdrs);
	curl_slist_free_all(r->connect_to);
	reset_response(r);
	free(r->rh);
	strbuf_free(&r->rbody);
	free(r->url);
	free(r->orig_url);
	if (r->body)
		memset(r->body, 0, r->body_len);
	free(r->body);
	xfree_secret_str(r->userpwd);
	free(r);
}

static long status_of(struct http_req *r)
{
	long code = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb;
	long code = status_of(r);

	if (r->on_data && code >= 200 && code < 300) {
		r->streamed = 1;
		if (r->on_data(ptr, n, r->ud)) {
			r->aborted = 1;
			return 0;
		}
		return n;
	}
	if (r->rbody.len + n + 1 > MAX_BODY) {
		r->overflow = 1;
		return 0;
	}
	strbuf_addn(&r->rbody, ptr, n);
	return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
	struct http_req *r = ud;
	size_t n = r->on_read(buf, size * nitems, r->ud);

	if (n == HTTP_READ_ABORT) {
		r->aborted = 1;
		return CURL_READFUNC_ABORT;
	}
	return n > size * nitems ? size * nitems : n;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* The answer's Content-Length is more than a kept body may hold. */
static int declared_over_cap(const struct http_req *r)
{
	size_t i;

	for (i = 0; i < r->nrh; i++) {
		const char *v = r->rh[i].value;
		char *end;
		unsigned long long len;

		if (strcmp(r->rh[i].name, "content-length") != 0)
			continue;
		if (!isdigit((unsigned char)*v))
			return 0;
		errno = 0;
		len = strtoull(v, &end, 10);
		if (*end)
			return 0;
		return errno == ERANGE || len + 1 > MAX_BODY;
	}
	return 0;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nitems;
	char *colon;
	struct http_header *h;
	size_t i;

	if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or 100-continue). */
		size_t k;

		for (k = 0; k < r->nrh; k++) {
			free(r->rh[k].name);
			free(r->rh[k].value);
		}
		r->nrh = 0;
		return n;
	}
	if (n <= 2 && (buf[0] == '\r' || buf[0] == '\n')) {
		long code = status_of(r);

		/* The end of a 2xx answer's headers: a stream is open. */
		if (r->on_data && code >= 200 && code < 300) {
			if (r->on_data(buf, 0, r->ud)) {
				r->aborted = 1;
				return 0;
			}
			return n;
		}
		/* A body that would be kept and says it is over the cap is
		 * refused now, not after 64 MiB of it came over the link. */
		if (!r->head && declared_over_cap(r)) {
			r->overflow = 1;
			return 0;
		}
		return n;
	}
	colon = memchr(buf, ':', n);
	if (!colon)
		return n;
	r->rh = xgrow(r->rh, &r->caprh, r->nrh + 1, sizeof(*r->rh));
	h = &r->rh[r->nrh++];
	h->name = trim_dup(buf, (size_t)(colon - buf));
	for (i = 0; h->name[i]; i++)
		h->name[i] = (char)tolower((unsigned char)h->name[i]);
	h->value = trim_dup(colon + 1, n - (size_t)(colon - buf) - 1);
	return n;
}

const char *http_header_get(const struct http_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

long http_retry_after_s(const char *v, long long now_epoch_s)
{
	char *end;
	long n;
	struct tm tm;
	const char *rest;

	if (!v || !*v)
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (end != v && *end == '\0' && errno == 0)
		return n < 0 ? 0 : n;
	/* HTTP-date: "Wed, 21 Oct 2015 07:28:00 GMT" */
	memset(&tm, 0, sizeof(tm));
	rest = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!rest)
		return -1;
	n = (long)(timegm(&tm) - now_epoch_s);
	return n < 0 ? 0 : n;
}

long http_backoff_ms(int attempt, long base_ms, long cap_ms)
{
	long d = base_ms;
	int i;

	for (i = 0; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	/* Equal jitter: half fixed, half random. */
	return d / 2 + (long)(random() % (d / 2 + 1));
}

/* scheme://host:port of url, never a path with tokens in it. */
static void origin_of(const char *url, char *origin, size_t sz)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t n;

	if (p) {
		const char *end = strchr(p + 3, '/');

		n = end ? (size_t)(end - url) : strlen(url);
	} else {
		n = url ? strlen(url) : 0;
	}
	if (n >= sz)
		n = sz - 1;
	if (url)
		memcpy(origin, url, n);
	origin[n] = '\0';
}

int http_has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
			return 1;
	return 0;
}

static int has_authorization(const char *const *headers)
{
	size_t i;

	for (i = 0; headers && headers[i]; i++)
		if (strncasecmp(headers[i], "authorization:", 14) == 0)
			return 1;
	return 0;
}

/* Headers and basic credentials go out as they are: a line break in one
 * would end it and start a header (or a request) of the sender's
 * choosing. Refused before anything is sent; the sentence names the
 * header, never its value. */
static int check_headers(const struct http_request *rq, struct err *e)
{
	char origin[256];
	size_t i, n;

	origin_of(rq->url, origin, sizeof(origin));
	for (i = 0; rq->headers && rq->headers[i]; i++) {
		const char *h = rq->headers[i];

		if (!http_has_control(h))
			continue;
		n = strcspn(h, ":");
		if (n == 13 && strncasecmp(h, "authorization", 13) == 0)
			return err_set(e, ERR_AUTH,
				       "refusing to send the credential to "
				       "%s: it holds a line break or another "
				       "control character",
				       origin);
		return err_set(e, ERR_USAGE,
			       "refusing to send the %.*s header to %s: it "
			       "holds a line break or another control "
			       "character",
			       (int)(n > 64 ? 64 : n), h, origin);
	}
	if (rq->userpwd && http_has_control(rq->userpwd))
		return err_set(e, ERR_AUTH,
			       "refusing to send the user name and password "
			       "to %s: they hold a line break or another "
			       "control character",
			       origin);
	if (strncasecmp(rq->url, "http://", 7) == 0 &&
	    !rq->allow_plain_credentials &&
	    (has_authorization(rq->headers) || rq->userpwd ||
	     (rq->tls.key && rq->tls.key_len)))
		return err_set(e, ERR_AUTH,
			       "refusing to send credentials to %s: plain "
			       "HTTP is not encrypted",
			       origin);
	return 0;
}

void http_describe_failure(const char *url, int code, const char *detail,
			   struct err *e)
{
	const char *why;
	char origin[256];

	origin_of(url, origin, sizeof(origin));
	switch (code) {
	case CURLE_COULDNT_CONNECT:
		why = "connection refused";
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		why = "host name not found";
		break;
	case CURLE_OPERATION_TIMEDOUT:
		why = "timed out";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		why = "the server's TLS certificate is not trusted";
		break;
	case CURLE_SSL_CONNECT_ERROR:
		why = "TLS handshake failed";
		break;
	case CURLE_SSL_CERTPROBLEM:
		why = "the client certificate was not accepted";
		break;
	case CURLE_SSL_CACERT_BADFILE:
		why = "the CA certificate cannot be read";
		break;
	case CURLE_GOT_NOTHING:
		why = "the server closed the connection without answering";
		break;
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		why = "the connection was dropped";
		break;
	case CURLE_WRITE_ERROR:
		why = "the answer was too large or was aborted";
		break;
	default:
		why = curl_easy_strerror((CURLcode)code);
		break;
	}
	if (detail && *detail && code != CURLE_COULDNT_CONNECT)
		err_set(e, code == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT
							    : ERR_NET,
			"cannot reach %s: %s (%s)", origin, why, detail);
	else
		err_set(e, ERR_NET, "cannot reach %s: %s", origin, why);
}

static void fire_done(struct http_req *r, CURLcode rc)
{
	struct http_response resp;

	memset(&resp, 0, sizeof(resp));
	resp.attempts = r->attempts;
	resp.headers = r->rh;
	resp.nheaders = r->nrh;
	resp.body = strbuf_str(&r->rbody);
	resp.body_len = r->rbody.len;
	if (rc == CURLE_OK) {
		resp.status = status_of(r);
	} else if (r->aborted) {
		resp.status = 0;
		err_set(&resp.err, ERR_CANCELLED, "transfer stopped");
	} else if (r->overflow) {
		err_set(&resp.err, ERR_HTTP,
			"the answer from %s is larger than %u MiB",
			r->orig_url, MAX_BODY / (1024u * 1024u));
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		/* curl counts from its own attempt ("after 60047 ms"); the
		 * person waited since the first one, retries included */
		long long s = (loop_now_ms() - r->started_ms + 500) / 1000;
		char took[96];

		if (s >= 120)
			snprintf(took, sizeof(took), "after %lld min %lld s",
				 s / 60, s % 60);
		else
			snprintf(took, sizeof(took), "after %lld s", s);
		if (r->attempts > 1)
			snprintf(took + strlen(took),
				 sizeof(took) - strlen(took), ", %d attempts",
				 r->attempts);
		http_describe_failure(r->orig_url, rc, took, &resp.err);
	} else {
		size_t el = strlen(r->errbuf);

		while (el && (r->errbuf[el - 1] == '\n'))
			r->errbuf[--el] = '\0';
		http_describe_failure(r->orig_url, rc, r->errbuf, &resp.err);
		/* A transport failure after some answer bytes is still a
		 * failure: report no status. */
	}
	r->in_callback = 1;
	r->on_done(&resp, r->ud);
	r->in_callback = 0;
	req_free(r);
}

static void retry_now(void *ud)
{
	struct http_req *r = ud;

	r->retry_timer = 0;
	reset_response(r);
	r->attempts++;
	curl_multi_add_handle(loop_curl(r->loop), r->easy);
	r->in_multi = 1;
}

static void schedule_retry(struct http_req *r, long ms)
{
	r->retry_timer = loop_timer_add(r->loop, ms, retry_now, r);
}

/* Transport failures that another attempt cannot fix: an untrusted or
 * unreadable certificate, a URL curl cannot use. */
static int transient_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return 0;
	default:
		return 1;
	}
}

static void transfer_done(CURL *easy, CURLcode rc)
{
	struct http_req *r = NULL;
	long code;
	const char *ra;
	long secs;
	struct http_response tmp;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
	if (!r)
		return;
	curl_multi_remove_handle(loop_curl(r->loop), easy);
	r->in_multi = 0;
	if (rc != CURLE_OK) {
		if (!r->streamed && !r->aborted && !r->overflow &&
		    r->idempotent && r->nerr < r->max_err &&
		    transient_failure(rc)) {
			schedule_retry(r, http_backoff_ms(r->nerr++, 500,
							  8000));
			return;
		}
		fire_done(r, rc);
		return;
	}
	code = status_of(r);
	memset(&tmp, 0, sizeof(tmp));
	tmp.headers = r->rh;
	tmp.nheaders = r->nrh;
	ra = http_header_get(&tmp, "retry-after");
	secs = http_retry_after_s(ra, (long long)time(NULL));
	if (code == 429 && secs >= 0 && r->idempotent &&
	    r->n429 < r->max_429) {
		r->n429++;
		schedule_retry(r, (secs > 300 ? 300 : secs) * 1000);
		return;
	}
	if ((code == 500 || code == 502 || code == 503 || code == 504) &&
	    r->idempotent && !r->streamed && r->nerr < r->max_err) {
		long ms = secs >= 0 ? (secs > 60 ? 60 : secs) * 1000
				    : http_backoff_ms(r->nerr, 500, 8000);
		r->nerr++;
		schedule_retry(r, ms);
		return;
	}
	fire_done(r, rc);
}

int http_global_init(struct err *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, ERR_INTERNAL, "cannot initialise libcurl");
	srandom((unsigned)time(NULL) ^ (unsigned)loop_now_ms());
	return 0;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* Notes the first option libcurl refused (too old a libcurl, a build
 * without a feature): the request is then not sent, rather than sent
 * without it. Options the request can do without are set with (void). */
static void want(struct http_req *r, CURLcode c, const char *opt)
{
	if (c != CURLE_OK && !r->opt_refused)
		r->opt_refused = opt;
}

/* tls-server-name: connect to the URL's host but verify and send SNI for
 * server_name, by rewriting the URL's host and adding CONNECT_TO. */
static int apply_server_name(struct http_req *r, const char *name,
			     struct err *e)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *newurl = NULL;
	char map[600];
	int rc = 0;

	if (curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK) {
		rc = err_set(e, ERR_USAGE, "invalid URL %s", r->orig_url);
		goto out;
	}
	snprintf(map, sizeof(map), "%s:%s:%s:%s", name, port, host, port);
	r->connect_to = curl_slist_append(NULL, map);
	if (curl_url_set(u, CURLUPART_HOST, name, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &newurl, 0) != CURLUE_OK) {
		rc = err_set(e, ERR_USAGE, "invalid tls-server-name %s", name);
		goto out;
	}
	free(r->url);
	r->url = xstrdup(newurl);
	want(r, curl_easy_setopt(r->easy, CURLOPT_CONNECT_TO, r->connect_to),
	     "CURLOPT_CONNECT_TO");
out:
	curl_free(host);
	curl_free(port);
	curl_free(newurl);
	curl_url_cleanup(u);
	return rc;
}

static CURLcode set_blob(CURL *easy, CURLoption opt,
			 const unsigned char *p, size_t n)
{
	struct curl_blob b;

	/* curl copies the bytes (CURL_BLOB_COPY) and never writes them. */
	memcpy(&b.data, &p, sizeof(b.data));
	b.len = n;
	b.flags = CURL_BLOB_COPY;
	return curl_easy_setopt(easy, opt, &b);
}

struct http_req *http_start(struct loop *l, const struct http_request *rq,
			    struct err *e)
{
	struct http_req *r;
	const char *method = rq->method ? rq->method : "GET";
	size_t i;

	if (!rq->url || !rq->on_done) {
		err_set(e, ERR_INTERNAL, "http_start: url and on_done needed");
		return NULL;
	}
	if (check_headers(rq, e) < 0)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->loop = l;
	r->easy = curl_easy_init();
	if (!r->easy) {
		free(r);
		err_set(e, ERR_INTERNAL, "cannot create a curl handle");
		return NULL;
	}
	r->url = xstrdup(rq->url);
	r->orig_url = xstrdup(rq->url);
	r->on_data = rq->on_data;
	r->on_read = rq->on_read;
	r->on_done = rq->on_done;
	r->ud = rq->ud;
	r->idempotent = rq->on_read ? 0 : rq->idempotent;
	r->max_429 = rq->max_429_retries == 0 ? 10
		     : rq->max_429_retries < 0 ? 0
					       : rq->max_429_retries;
	r->max_err = rq->max_error_retries == 0 ? 3
		     : rq->max_error_retries < 0 ? 0
						 : rq->max_error_retries;
	r->attempts = 1;
	r->started_ms = loop_now_ms();
	loop_set_curl_done(l, transfer_done);

	if (rq->tls.server_name && *rq->tls.server_name &&
	    apply_server_name(r, rq->tls.server_name, e) < 0) {
		req_free(r);
		return NULL;
	}
	want(r, curl_easy_setopt(r->easy, CURLOPT_URL, r->url), "CURLOPT_URL");
	want(r, curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r),
	     "CURLOPT_PRIVATE");
	want(r, curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf),
	     "CURLOPT_ERRORBUFFER");
	want(r, curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L),
	     "CURLOPT_NOSIGNAL");
	want(r, curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "jumpdeck/0.1"),
	     "CURLOPT_USERAGENT");
	(void)curl_easy_setopt(r->easy, CURLOPT_HTTP_VERSION,
			       (long)CURL_HTTP_VERSION_2TLS);
	(void)curl_easy_setopt(r->easy, CURLOPT_PIPEWAIT, 1L);
	(void)curl_easy_setopt(r->easy, CURLOPT_ACCEPT_ENCODING, "");
	want(r, curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https"),
	     "CURLOPT_PROTOCOLS_STR");
	want(r, curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_write),
	     "CURLOPT_WRITEFUNCTION");
	want(r, curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r),
	     "CURLOPT_WRITEDATA");
	want(r, curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, on_header),
	     "CURLOPT_HEADERFUNCTION");
	want(r, curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r),
	     "CURLOPT_HEADERDATA");
	want(r,
	     curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS,
			      rq->connect_timeout_ms ? rq->connect_timeout_ms
						     : 10000L),
	     "CURLOPT_CONNECTTIMEOUT_MS");
	if (rq->timeout_ms)
		want(r,
		     curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS,
				      rq->timeout_ms),
		     "CURLOPT_TIMEOUT_MS");
	if (rq->idle_timeout_s) {
		want(r, curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_LIMIT, 1L),
		     "CURLOPT_LOW_SPEED_LIMIT");
		want(r,
		     curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_TIME,
				      rq->idle_timeout_s),
		     "CURLOPT_LOW_SPEED_TIME");
	}
	(void)curl_easy_setopt(r->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	/* libcurl re-sends a request that died on a reused connection
	 * before any answer; a POST must never go twice, so it gets a
	 * connection of its own. */
	if (!rq->idempotent)
		want(r, curl_easy_setopt(r->easy, CURLOPT_FRESH_CONNECT, 1L),
		     "CURLOPT_FRESH_CONNECT");
	want(r,
	     curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYPEER,
			      rq->tls.insecure ? 0L : 1L),
	     "CURLOPT_SSL_VERIFYPEER");
	want(r,
	     curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYHOST,
			      rq->tls.insecure ? 0L : 2L),
	     "CURLOPT_SSL_VERIFYHOST");
	if (rq->tls.ca && rq->tls.ca_len)
		want(r,
		     set_blob(r->easy, CURLOPT_CAINFO_BLOB, rq->tls.ca,
			      rq->tls.ca_len),
		     "CURLOPT_CAINFO_BLOB");
	if (rq->tls.cert && rq->tls.cert_len) {
		want(r,
		     set_blob(r->easy, CURLOPT_SSLCERT_BLOB, rq->tls.cert,
			      rq->tls.cert_len),
		     "CURLOPT_SSLCERT_BLOB");
		want(r, curl_easy_setopt(r->easy, CURLOPT_SSLCERTTYPE, "PEM"),
		     "CURLOPT_SSLCERTTYPE");
	}
	if (rq->tls.key && rq->tls.key_len) {
		want(r,
		     set_blob(r->easy, CURLOPT_SSLKEY_BLOB, rq->tls.key,
			      rq->tls.key_len),
		     "CURLOPT_SSLKEY_BLOB");
		want(r, curl_easy_setopt(r->easy, CURLOPT_SSLKEYTYPE, "PEM"),
		     "CURLOPT_SSLKEYTYPE");
	}
	if (rq->userpwd) {
		r->userpwd = xstrdup(rq->userpwd);
		want(r, curl_easy_setopt(r->easy, CURLOPT_USERPWD, r->userpwd),
		     "CURLOPT_USERPWD");
		want(r,
		     curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH,
				      (long)CURLAUTH_BASIC),
		     "CURLOPT_HTTPAUTH");
	}
	for (i = 0; rq->headers && rq->headers[i]; i++)
		r->hdrs = curl_slist_append(r->hdrs, rq->headers[i]);
	if (rq->on_read) {
		want(r, curl_easy_setopt(r->easy, CURLOPT_UPLOAD, 1L),
		     "CURLOPT_UPLOAD");
		want(r,
		     curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST,
				      method),
		     "CURLOPT_CUSTOMREQUEST");
		want(r,
		     curl_easy_setopt(r->easy, CURLOPT_READFUNCTION,
				      on_read),
		     "CURLOPT_READFUNCTION");
		want(r, curl_easy_setopt(r->easy, CURLOPT_READDATA, r),
		     "CURLOPT_READDATA");
		want(r,
		     curl_easy_setopt(r->easy, CURLOPT_INFILESIZE_LARGE,
				      (curl_off_t)rq->body_len),
		     "CURLOPT_INFILESIZE_LARGE");
		r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	} else if (strcmp(method, "GET") != 0 || rq->body) {
		r->body = xmalloc(rq->body_len + 1);
		if (rq->body_len)
			memcpy(r->body, rq->body, rq->body_len);
		r->body[rq->body_len] = '\0';
		r->body_len = rq->body_len;
		if (strcmp(method, "HEAD") == 0) {
			r->head = 1;
			want(r, curl_easy_setopt(r->easy, CURLOPT_NOBODY, 1L),
			     "CURLOPT_NOBODY");
		} else if (strcmp(method, "GET") != 0) {
			want(r,
			     curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST,
					      method),
			     "CURLOPT_CUSTOMREQUEST");
			want(r,
			     curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS,
					      r->body),
			     "CURLOPT_POSTFIELDS");
			want(r,
			     curl_easy_setopt(r->easy,
					      CURLOPT_POSTFIELDSIZE_LARGE,
					      (curl_off_t)r->body_len),
			     "CURLOPT_POSTFIELDSIZE_LARGE");
		}
		/* No "Expect: 100-continue" round trip on slow links. */
		r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	}
	want(r, curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs),
	     "CURLOPT_HTTPHEADER");
	if (r->opt_refused) {
		err_set(e, ERR_INTERNAL,
			"libcurl %s refused %s; the request was not sent",
			curl_version_info(CURLVERSION_NOW)->version,
			r->opt_refused);
		req_free(r);
		return NULL;
	}
	if (curl_multi_add_handle(loop_curl(l), r->easy) != CURLM_OK) {
		req_free(r);
		err_set(e, ERR_INTERNAL, "cannot queue the request");
		return NULL;
	}
	r->in_multi = 1;
	return r;
}

void http_cancel(struct http_req *r)
{
	if (!r)
		return;
	if (r->in_callback) {
		r->cancelled = 1;
		return;
	}
	req_free(r);
}
