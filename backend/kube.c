/* kube.c - Kubernetes requests over backend/http: credentials (token,
 * token file, client certificate, basic; the exec plugin's, kube_exec.c,
 * with one re-run on 401), paged lists, watch streams, Status sentences. */
#include "kube.h"
#include "kube_int.h"
#include "base64.h"
#include "http.h"
#include "json.h"
#include "json_items.h"
#include "proc.h"
#include "strbuf.h"
#include "timefmt.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void call_send(struct kube_call *call);

/* ---- sentences ------------------------------------------------------ */

void kube_status_sentence(long status, const char *body, const char *url,
			  struct err *e)
{
	cJSON *j = body && *body ? cJSON_Parse(body) : NULL;
	const cJSON *msg = NULL, *kind = NULL;
	int code = ERR_HTTP;

	if (j) {
		kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
		msg = cJSON_GetObjectItemCaseSensitive(j, "message");
		if (!cJSON_IsString(kind) ||
		    strcmp(kind->valuestring, "Status") != 0)
			msg = NULL;
	}
	if (status == 401)
		code = ERR_AUTH;
	else if (status == 403)
		code = ERR_DENIED;
	else if (status == 404)
		code = ERR_NOTFOUND;
	else if (status == 409)
		code = ERR_CONFLICT;
	if (status == 401) {
		/* kubectl's wording, whatever the body says. */
		err_set(e, code,
			"You must be logged in to the server (Unauthorized)");
	} else if (msg && cJSON_IsString(msg) && *msg->valuestring) {
		if (status == 403 || status == 404 || status == 409 ||
		    status == 422)
			err_set(e, code, "%s", msg->valuestring);
		else
			err_set(e, code, "%s (HTTP %ld)", msg->valuestring,
				status);
	} else if (status == 404) {
		err_set(e, code,
			"the server could not find the requested resource");
	} else if (status == 403) {
		err_set(e, code, "forbidden: %s", url ? url : "");
	} else if (status == 429) {
		err_set(e, code, "the server is throttling requests "
				 "(HTTP 429 Too Many Requests)");
	} else if (status >= 500) {
		err_set(e, code, "the server failed (HTTP %ld)", status);
	} else {
		err_set(e, code, "unexpected answer (HTTP %ld)", status);
	}
	cJSON_Delete(j);
}

void kube_escape(char *dst, size_t dstsz, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!dstsz)
		return;
	for (; s && *s && o + 4 < dstsz; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			dst[o++] = (char)ch;
		} else {
			dst[o++] = '%';
			dst[o++] = hex[ch >> 4];
			dst[o++] = hex[ch & 15];
		}
	}
	dst[o] = '\0';
}

/* ---- client --------------------------------------------------------- */

static int cert_subject_label(const unsigned char *pem, size_t n, char *buf,
			      size_t sz);

int kube_client_new(struct kube_client **out, struct loop *l,
		    const struct kube_conn *conn, struct err *e)
{
	struct kube_client *c;

	*out = NULL;
	if (!conn->server || !*conn->server)
		return err_set(e, ERR_USAGE, "context \"%s\" has no server",
			       conn->context ? conn->context : "");
	if (strncmp(conn->server, "https://", 8) != 0 &&
	    strncmp(conn->server, "http://", 7) != 0)
		return err_set(e, ERR_USAGE,
			       "server \"%s\" is not an http(s) URL",
			       conn->server);
	if (http_has_control(conn->token) ||
	    http_has_control(conn->username) ||
	    http_has_control(conn->password))
		return err_set(e, ERR_AUTH,
			       "the %s of user \"%s\" in the kubeconfig "
			       "holds a line break or another control "
			       "character; it was not used",
			       http_has_control(conn->token) ? "token"
							     : "password",
			       conn->user_name ? conn->user_name : "");
	if (strncmp(conn->server, "http://", 7) == 0 &&
	    !conn->allow_plain_http &&
	    (conn->token || conn->token_file || conn->exec || conn->key ||
	     conn->username))
		return err_set(e, ERR_USAGE,
			       "refusing to send the credentials of user "
			       "\"%s\" to %s: plain HTTP is not encrypted "
			       "(use https://, or allow it for this cluster "
			       "with the kubeconfig extension \"jumpdeck\": "
			       "{allow-credentials-over-http: true})",
			       conn->user_name ? conn->user_name : "",
			       conn->server);
	c = xcalloc(1, sizeof(*c));
	c->loop = l;
	kube_conn_copy(&c->conn, conn);
	/* Trailing slashes would double up with our paths. */
	while (strlen(c->conn.server) > 8 &&
	       c->conn.server[strlen(c->conn.server) - 1] == '/')
		c->conn.server[strlen(c->conn.server) - 1] = '\0';
	if (conn->exec)
		snprintf(c->auth_label, sizeof(c->auth_label), "exec %s",
			 conn->exec->command ? conn->exec->command : "?");
	else if (conn->cert)
		cert_subject_label(conn->cert, conn->cert_len, c->auth_label,
				   sizeof(c->auth_label));
	else if (conn->token)
		snprintf(c->auth_label, sizeof(c->auth_label), "token");
	else if (conn->token_file)
		snprintf(c->auth_label, sizeof(c->auth_label), "token file");
	else if (conn->username)
		snprintf(c->auth_label, sizeof(c->auth_label), "basic %s",
			 conn->username);
	else
		snprintf(c->auth_label, sizeof(c->auth_label), "anonymous");
	snprintf(c->identity, sizeof(c->identity), "kube user %s",
		 conn->user_name ? conn->user_name : "(none)");
	c->plain_http = strncmp(conn->server, "http://", 7) == 0;
	if (c->plain_http)
		snprintf(c->warning, sizeof(c->warning),
			 "warning: %s is plain HTTP: nothing sent to or from "
			 "the cluster is encrypted%s",
			 c->conn.server,
			 c->conn.token || c->conn.token_file || c->conn.exec ||
				 c->conn.key || c->conn.username
			     ? ", not even the credentials (the kubeconfig "
			       "allows it)"
			     : "");
	*out = c;
	return 0;
}

static void call_free(struct kube_call *call);

void kube_client_free(struct kube_client **cp)
{
	struct kube_client *c = cp ? *cp : NULL;

	if (!c)
		return;
	while (c->calls)
		kube_call_cancel(c->calls);
	if (c->exec_proc)
		proc_cancel(c->exec_proc);
	loop_timer_cancel(c->loop, c->exec_timer);
	xfree_secret_str(c->exec_token);
	free(c->exec_cert);
	xfree_secret(c->exec_key, c->exec_key_len);
	kube_conn_clear(&c->conn);
	free(c);
	*cp = NULL;
}

const struct kube_conn *kube_client_conn(const struct kube_client *c)
{
	return &c->conn;
}

struct loop *kube_client_loop(const struct kube_client *c)
{
	return c->loop;
}

void kube_client_set_foreground(struct kube_client *c, kube_foreground_fn fn,
				void *ud, int have_terminal)
{
	c->fg = fn;
	c->fg_ud = ud;
	c->have_tty = have_terminal;
}

const char *kube_client_auth_label(const struct kube_client *c)
{
	return c->auth_label;
}

const char *kube_client_identity(const struct kube_client *c)
{
	return c->identity;
}

int kube_client_plain_http(const struct kube_client *c)
{
	return c->plain_http;
}

const char *kube_client_warning(const struct kube_client *c)
{
	return c->warning[0] ? c->warning : NULL;
}

/* "client certificate CN=admin" from the PEM, without a TLS library:
 * good enough for a label; the real check is the server's. */
static int cert_subject_label(const unsigned char *pem, size_t n, char *buf,
			      size_t sz)
{
	(void)pem;
	(void)n;
	snprintf(buf, sz, "client certificate");
	return 0;
}

/* ---- calls ---------------------------------------------------------- */

static void call_unlink(struct kube_call *call)
{
	struct kube_call **pp;

	for (pp = &call->c->calls; *pp; pp = &(*pp)->next) {
		if (*pp == call) {
			*pp = call->next;
			return;
		}
	}
}

static void call_free(struct kube_call *call)
{
	call_unlink(call);
	if (call->http)
		http_cancel(call->http);
	if (call->defer_timer)
		loop_timer_cancel(call->c->loop, call->defer_timer);
	free(call->method);
	free(call->path);
	free(call->ctype);
	free(call->body);
	cJSON_Delete(call->acc);
	free(call->cont);
	free(call->prev_cont);
	free(call->rv);
	strbuf_free(&call->line);
	free(call);
}

void kube_resume_waiters(struct kube_client *c, const struct err *fail)
{
	struct kube_call *call, *next;

	for (call = c->calls; call; call = next) {
		next = call->next;
		if (!call->waiting_cred)
			continue;
		call->waiting_cred = 0;
		if (fail) {
			struct kube_result r;

			memset(&r, 0, sizeof(r));
			r.err = *fail;
			call->done(&r, call->ud);
			call_free(call);
		} else {
			call_send(call);
		}
	}
}

void kube_call_cancel(struct kube_call *call)
{
	if (call)
		call_free(call);
}

static struct kube_call *call_new(struct kube_client *c, enum call_kind kind,
				  const char *method, const char *path,
				  kube_done_fn done, void *ud)
{
	struct kube_call *call = xcalloc(1, sizeof(*call));

	call->c = c;
	call->kind = kind;
	call->method = xstrdup(method);
	call->path = xstrdup(path);
	call->done = done;
	call->ud = ud;
	call->next = c->calls;
	c->calls = call;
	return call;
}

static void deferred_fail(void *ud)
{
	struct kube_call *call = ud;
	struct kube_result r;

	call->defer_timer = 0;
	memset(&r, 0, sizeof(r));
	r.err = call->defer_err;
	call->done(&r, call->ud);
	call_free(call);
}

/* Fail from the loop, never from inside the caller's own call. */
static void fail_later(struct kube_call *call, const struct err *e)
{
	call->defer_err = *e;
	call->defer_timer = loop_timer_add(call->c->loop, 0, deferred_fail,
					   call);
}

/* Read on the loop before each request: a FIFO there would block every
 * pane, so only a regular file is read (opened without blocking, then
 * checked). */
static char *read_token_file(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	char buf[16384];
	struct stat st;
	ssize_t got;
	size_t n;

	if (fd < 0) {
		err_set(e, ERR_AUTH, "cannot read token file %s: %s", path,
			strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		err_set(e, ERR_AUTH,
			"token file %s is not a regular file (a FIFO or a "
			"device is not read)",
			path);
		return NULL;
	}
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0) {
		err_set(e, ERR_AUTH, "cannot read token file %s: %s", path,
			strerror(errno));
		return NULL;
	}
	n = (size_t)got;
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
		     buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (http_has_control(buf) || strlen(buf) != n) {
		explicit_bzero(buf, sizeof(buf));
		err_set(e, ERR_AUTH,
			"the token in %s holds a line break or another "
			"control character; it was not used",
			path);
		return NULL;
	}
	return xstrdup(buf);
}

static void on_http_done(const struct http_response *resp, void *ud);
static int on_watch_data(const char *buf, size_t len, void *ud);
static int on_text_data(const char *buf, size_t len, void *ud);

/* A path segment "." or "..": libcurl would resolve it (".." from a name
 * turns PATCH /api/v1/nodes/.. into PATCH /api/v1/), so such a path is
 * refused, whatever built it. The query is not a path. */
static int has_dot_segment(const char *path)
{
	const char *p = path;

	while (*p && *p != '?') {
		size_t n;

		if (*p == '/') {
			p++;
			continue;
		}
		n = strcspn(p, "/?");
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		p += n;
	}
	return 0;
}

static void call_send(struct kube_call *call)
{
	struct kube_client *c = call->c;
	struct http_request rq;
	const char *headers[6];
	char *auth = NULL, *ctype = NULL, *url, *userpwd = NULL;
	char *token_from_file = NULL;
	const char *token = NULL;
	size_t nh = 0;
	struct err e;

	err_clear(&e);
	if (has_dot_segment(call->path)) {
		err_set(&e, ERR_USAGE,
			"refusing to send %s %s: a path segment is \".\" or "
			"\"..\" (not a valid name)",
			call->method, call->path);
		fail_later(call, &e);
		return;
	}
	if (c->conn.exec && !kube_exec_fresh(c)) {
		call->waiting_cred = 1;
		if (!c->exec_proc && !c->exec_timer)
			c->exec_timer = loop_timer_add(c->loop, 0,
						       kube_exec_start_cb, c);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	if (c->conn.exec) {
		token = c->exec_token;
	} else if (c->conn.token) {
		token = c->conn.token;
	} else if (c->conn.token_file) {
		token_from_file = read_token_file(c->conn.token_file, &e);
		if (!token_from_file) {
			fail_later(call, &e);
			return;
		}
		token = token_from_file;
	}
	if (token) {
		auth = xasprintf("Authorization: Bearer %s", token);
		headers[nh++] = auth;
	}
	if (call->kind == CALL_LIST) {
		char esc[4096];

		if (!call->pages++)
			call->list_start = loop_now_ms();
		const char *sep = strchr(call->path, '?') ? "&" : "?";

		kube_escape(esc, sizeof(esc), call->cont ? call->cont : "");
		url = call->cont ? xasprintf("%s%s%slimit=500&continue=%s",
					     c->conn.server, call->path, sep,
					     esc)
				 : xasprintf("%s%s%slimit=500", c->conn.server,
					     call->path, sep);
	} else if (call->kind == CALL_WATCH) {
		char esc[512];
		const char *sep = strchr(call->path, '?') ? "&" : "?";

		kube_escape(esc, sizeof(esc), call->rv ? call->rv : "");
		url = xasprintf("%s%s%swatch=1&allowWatchBookmarks=true"
				"&timeoutSeconds=%d%s%s",
				c->conn.server, call->path, sep,
				call->timeout_s, call->rv ? "&resourceVersion="
							  : "",
				call->rv ? esc : "");
	} else {
		url = xasprintf("%s%s", c->conn.server, call->path);
	}
	headers[nh++] = "Accept: application/json";
	if (call->body) {
		ctype = xasprintf("Content-Type: %s",
				  call->ctype ? call->ctype
					      : "application/json");
		headers[nh++] = ctype;
	}
	headers[nh] = NULL;
	if (c->conn.username && !c->conn.exec && !token) {
		userpwd = xasprintf("%s:%s", c->conn.username,
				    c->conn.password ? c->conn.password : "");
	}
	rq.method = call->method;
	rq.url = url;
	rq.headers = headers;
	rq.body = call->body;
	rq.body_len = call->body ? strlen(call->body) : 0;
	rq.tls.ca = c->conn.ca;
	rq.tls.ca_len = c->conn.ca_len;
	rq.tls.insecure = c->conn.insecure;
	rq.tls.server_name = c->conn.tls_server_name;
	rq.allow_plain_credentials = c->conn.allow_plain_http;
	if (c->conn.exec && c->exec_cert) {
		rq.tls.cert = c->exec_cert;
		rq.tls.cert_len = c->exec_cert_len;
		rq.tls.key = c->exec_key;
		rq.tls.key_len = c->exec_key_len;
	} else {
		rq.tls.cert = c->conn.cert;
		rq.tls.cert_len = c->conn.cert_len;
		rq.tls.key = c->conn.key;
		rq.tls.key_len = c->conn.key_len;
	}
	rq.userpwd = userpwd;
	rq.idempotent = strcmp(call->method, "GET") == 0;
	if (call->kind == CALL_WATCH) {
		rq.timeout_ms = 0;
		/* Bookmarks come at least every minute; silence for longer
		 * means the connection is dead. */
		rq.idle_timeout_s = 90;
		rq.on_data = on_watch_data;
		rq.max_error_retries = -1;
	} else {
		rq.timeout_ms = 60000;
		if (call->kind == CALL_TEXT)
			rq.on_data = on_text_data;
	}
	rq.on_done = on_http_done;
	rq.ud = call;
	call->http = http_start(c->loop, &rq, &e);
	if (!call->http)
		fail_later(call, &e);
	xfree_secret_str(auth);
	xfree_secret_str(userpwd);
	xfree_secret_str(token_from_file);
	free(ctype);
	free(url);
}

static void finish(struct kube_call *call, struct kube_result *r)
{
	call->done(r, call->ud);
	cJSON_Delete(r->json);
	call_free(call);
}

/* A list that would go on: the server repeats its continue token, or
 * the pages, the bytes or the time run past their caps. 0 to go on. */
static int list_runaway(struct kube_call *call, struct err *e)
{
	long long took = loop_now_ms() - call->list_start;

	if (call->prev_cont && strcmp(call->prev_cont, call->cont) == 0)
		return err_set(e, ERR_HTTP,
			       "the list of %s does not end: the server sent "
			       "the same continue token twice",
			       call->path);
	if (call->pages >= KUBE_LIST_MAX_PAGES)
		return err_set(e, ERR_HTTP,
			       "the list of %s did not end after %d pages",
			       call->path, call->pages);
	if (call->list_bytes > KUBE_LIST_MAX_BYTES)
		return err_set(e, ERR_HTTP,
			       "the list of %s is larger than %zu MiB: "
			       "stopped after %d pages",
			       call->path,
			       (size_t)KUBE_LIST_MAX_BYTES >> 20,
			       call->pages);
	if (took > KUBE_LIST_DEADLINE_MS)
		return err_set(e, ERR_TIMEOUT,
			       "the list of %s took longer than %d s: "
			       "stopped after %d pages",
			       call->path, KUBE_LIST_DEADLINE_MS / 1000,
			       call->pages);
	return 0;
}

/* metadata.remainingItemCount of a page, -1 when the server left it out
 * (it may, for lists with a field or label selector). */
static long remaining_items(const cJSON *meta)
{
	const cJSON *n = json_get(meta, "remainingItemCount");

	return cJSON_IsNumber(n) && n->valuedouble >= 0 &&
		       n->valuedouble <= 1e9
		   ? (long)n->valuedouble
		   : -1;
}

static int page_item(const cJSON *item, void *ud)
{
	struct kube_call *call = ud;

	call->page_ops.item(item, call->page_ud);
	return 0;
}

/* kube_list's consumer: the items gathered into one list. */
static void acc_item(const cJSON *item, void *ud)
{
	struct kube_call *call = ud;
	cJSON *items, *copy;

	if (!call->acc) {
		call->acc = cJSON_CreateObject();
		cJSON_AddArrayToObject(call->acc, "items");
	}
	items = cJSON_GetObjectItemCaseSensitive(call->acc, "items");
	if (!item) /* only make sure the list is there */
		return;
	copy = cJSON_Duplicate(item, 1);
	if (call->each) /* kube_list_each: the caller's transform */
		call->each(copy, call->each_ud);
	cJSON_AddItemToArray(items, copy);
}

/* One page of a list read item by item: the items go to the consumer as
 * they are parsed; only the metadata is kept. */
static void page_read(struct kube_call *call,
		      const struct http_response *resp, struct kube_result *r,
		      const char *url)
{
	cJSON *meta = NULL;
	const char *cont;
	long n = json_items_walk(resp->body, resp->body_len, page_item, call,
				 &meta, &r->err);

	if (n < 0) {
		err_prefix(&r->err, "%s", url);
		finish(call, r);
		return;
	}
	cont = json_str(meta, "continue");
	free(call->prev_cont);
	call->prev_cont = call->cont;
	call->cont = cont && *cont ? xstrdup(cont) : NULL;
	/* Pages may be short or empty and still carry a token; a server
	 * that never stops is cut off. */
	call->list_bytes += resp->body_len;
	if (call->cont && list_runaway(call, &r->err) < 0) {
		cJSON_Delete(meta);
		finish(call, r);
		return;
	}
	if (call->page_ops.page)
		call->page_ops.page(remaining_items(meta), call->page_ud);
	if (call->cont) {
		cJSON_Delete(meta);
		call_send(call);
		return;
	}
	/* kube_list: every page's items (maybe none); kube_list_pages:
	 * the metadata alone. */
	if (!call->acc && call->page_ops.item == acc_item)
		acc_item(NULL, call);
	r->json = call->acc ? call->acc : cJSON_CreateObject();
	call->acc = NULL;
	if (meta) {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "continue");
		cJSON_AddItemToObject(r->json, "metadata", meta);
	}
	r->ok = 1;
	finish(call, r);
}

static void on_http_done(const struct http_response *resp, void *ud)
{
	struct kube_call *call = ud;
	struct kube_client *c = call->c;
	struct kube_result r;
	char url[1024];

	call->http = NULL;
	memset(&r, 0, sizeof(r));
	r.status = resp->status;
	snprintf(url, sizeof(url), "%s%s", c->conn.server, call->path);
	if (resp->status == 0 && call->kind == CALL_TEXT && call->text_cut) {
		/* stopped reading at the limit: what was kept is the answer */
		r.status = 200;
		r.ok = 1;
		r.text = strbuf_str(&call->line);
		r.text_len = call->line.len;
		r.text_cut = 1;
		finish(call, &r);
		return;
	}
	if (resp->status == 0) {
		r.err = resp->err;
		if (resp->err.code == ERR_CANCELLED && call->abort_err.code)
			r.err = call->abort_err;
		else if (call->kind == CALL_WATCH &&
			 resp->err.code == ERR_CANCELLED)
			err_set(&r.err, ERR_NET, "watch stopped");
		finish(call, &r);
		return;
	}
	if (resp->status == 401 && !call->retried_401 &&
	    (c->conn.exec || c->conn.token_file)) {
		/* The credential may have expired early or been revoked:
		 * get a fresh one once, then give up. */
		call->retried_401 = 1;
		if (c->conn.exec)
			kube_exec_drop(c);
		call_send(call);
		return;
	}
	if (resp->status == 410 && call->kind == CALL_LIST && call->cont &&
	    !call->relisted) {
		/* The continue token expired (storage compacted past it):
		 * start over once, as client-go's pager does, rather than
		 * take the inconsistent token the answer offers. */
		call->relisted = 1;
		call->pages = 0;
		free(call->cont);
		call->cont = NULL;
		cJSON_Delete(call->acc);
		call->acc = NULL;
		call_send(call);
		return;
	}
	if (resp->status < 200 || resp->status >= 300) {
		kube_status_sentence(resp->status, resp->body, url, &r.err);
		r.json = cJSON_Parse(resp->body);
		finish(call, &r);
		return;
	}
	if (call->kind == CALL_WATCH) {
		r.ok = 1;
		finish(call, &r);
		return;
	}
	if (call->kind == CALL_TEXT) {
		r.ok = 1;
		r.text = strbuf_str(&call->line);
		r.text_len = call->line.len;
		finish(call, &r);
		return;
	}
	if (call->kind == CALL_LIST) {
		page_read(call, resp, &r, url);
		return;
	}
	r.json = resp->body_len ? cJSON_Parse(resp->body) : cJSON_CreateNull();
	if (!r.json) {
		err_set(&r.err, ERR_PARSE,
			"%s answered with malformed JSON (%zu bytes)", url,
			resp->body_len);
		finish(call, &r);
		return;
	}
	r.ok = 1;
	finish(call, &r);
}

static void watch_line(struct kube_call *call, char *line)
{
	cJSON *ev = cJSON_Parse(line);
	cJSON *type, *obj;

	if (!ev)
		return;
	type = cJSON_GetObjectItemCaseSensitive(ev, "type");
	obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
	if (cJSON_IsString(type) && cJSON_IsObject(obj))
		call->on_event(type->valuestring, obj, call->ud);
	cJSON_Delete(ev);
}

/* A line longer than the cap: stop reading the stream. */
/* Appends to the watch's partial line, at most KUBE_WATCH_LINE_MAX bytes
 * of it: past that the stream is stopped with a sentence. */
static int watch_line_add(struct kube_call *call, const char *s, size_t n)
{
	if (strbuf_addn_max(&call->line, s, n, KUBE_WATCH_LINE_MAX) == 0)
		return 0;
	err_set(&call->abort_err, ERR_HTTP,
		"the watch of %s sent more than %u MiB without a line end; "
		"stopped reading it",
		call->path, KUBE_WATCH_LINE_MAX >> 20);
	return -1;
}

static int on_watch_data(const char *buf, size_t len, void *ud)
{
	struct kube_call *call = ud;
	size_t i, start = 0;

	if (len == 0) {
		/* The server answered 200: the watch is established. */
		call->on_event("OPEN", NULL, call->ud);
		return 0;
	}

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (watch_line_add(call, buf + start, i - start) < 0)
			return 1;
		watch_line(call, call->line.p);
		strbuf_reset(&call->line);
		start = i + 1;
	}
	if (start < len && watch_line_add(call, buf + start, len - start) < 0)
		return 1;
	return 0;
}

/* A text answer: kept up to max_bytes, then the transfer is stopped. */
static int on_text_data(const char *buf, size_t len, void *ud)
{
	struct kube_call *call = ud;
	size_t room = call->max_bytes - call->line.len;
	size_t take = len < room ? len : room;

	if (take)
		strbuf_addn(&call->line, buf, take);
	if (take < len) {
		call->text_cut = 1;
		return 1;
	}
	return 0;
}

struct kube_call *kube_get_text(struct kube_client *c, const char *path,
				size_t max_bytes, kube_done_fn done,
				void *ud)
{
	struct kube_call *call = call_new(c, CALL_TEXT, "GET", path, done,
					  ud);

	call->max_bytes = max_bytes;
	call_send(call);
	return call;
}

struct kube_call *kube_request(struct kube_client *c, const char *method,
			       const char *path, const char *content_type,
			       const char *body, kube_done_fn done, void *ud)
{
	struct kube_call *call = call_new(c, CALL_REQUEST, method, path, done,
					  ud);

	call->ctype = xstrdup(content_type);
	call->body = xstrdup(body);
	call_send(call);
	return call;
}

struct kube_call *kube_list(struct kube_client *c, const char *path,
			    kube_done_fn done, void *ud)
{
	return kube_list_each(c, path, NULL, NULL, done, ud);
}

struct kube_call *kube_list_each(struct kube_client *c, const char *path,
				 kube_item_fn each, void *each_ud,
				 kube_done_fn done, void *ud)
{
	struct kube_call *call = call_new(c, CALL_LIST, "GET", path, done,
					  ud);

	call->each = each;
	call->each_ud = each_ud;
	call->page_ops.item = acc_item;
	call->page_ud = call;
	call_send(call);
	return call;
}

struct kube_call *kube_list_pages(struct kube_client *c, const char *path,
				  const struct kube_page_ops *ops,
				  void *page_ud, kube_done_fn done, void *ud)
{
	struct kube_call *call = call_new(c, CALL_LIST, "GET", path, done,
					  ud);

	call->page_ops = *ops;
	call->page_ud = page_ud;
	call_send(call);
	return call;
}

struct kube_call *kube_watch(struct kube_client *c, const char *path,
			     const char *resource_version, int timeout_s,
			     kube_event_fn on_event, kube_done_fn done,
			     void *ud)
{
	struct kube_call *call = call_new(c, CALL_WATCH, "GET", path, done,
					  ud);

	call->rv = xstrdup(resource_version);
	call->timeout_s = timeout_s > 0 ? timeout_s : 300;
	call->on_event = on_event;
	call_send(call);
	return call;
}
