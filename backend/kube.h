/* kube.h - a Kubernetes API client: authenticated requests, paged lists,
 * watch streams, exec credential plugins and Status-to-sentence. Speaks
 * JSON (cJSON); knows nothing of nodes, Flux or the screen. */
#ifndef JD_KUBE_H
#define JD_KUBE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "kubeconfig.h" /* enum kube_interactive, struct kube_target */
#include "loop.h"

/* An exec credential plugin (client.authentication.k8s.io). */
struct kube_exec {
	char *api_version;
	char *command;
	char **args;       /* NULL-ended */
	char **env;        /* "NAME=value", NULL-ended */
	enum kube_interactive interactive;
	int provide_cluster_info;
	char *install_hint;
};

/* Everything needed to talk to one cluster as one user. Filled from the
 * kubeconfig (backend/kubeconfig); the client copies it. */
struct kube_conn {
	char *context;
	char *cluster_name;
	char *user_name;
	char *namespace;
	char *server;          /* https://host:port, no trailing slash */
	unsigned char *ca;     /* PEM */
	size_t ca_len;
	int insecure;
	int allow_plain_http;  /* credentials to an http:// server */
	char *tls_server_name;
	char *token;
	char *token_file;      /* re-read on every credential refresh */
	unsigned char *cert;   /* client certificate PEM */
	size_t cert_len;
	unsigned char *key;
	size_t key_len;
	char *username;
	char *password;
	struct kube_exec *exec;
};

void kube_conn_clear(struct kube_conn *c);
/* Fill *c (overwritten) from a resolved kubeconfig target. */
void kube_conn_from_target(struct kube_conn *c, const struct kube_target *t);
void kube_conn_copy(struct kube_conn *dst, const struct kube_conn *src);

/* The result of one call. Owned by the client; valid only during the
 * callback: take `json` (set it to NULL) to keep it. */
struct kube_result {
	long status;     /* HTTP status, 0 when no answer */
	cJSON *json;     /* parsed body (lists: merged over all pages) */
	struct err err;  /* kubectl-like sentence when it failed */
	int ok;          /* status 2xx and body parsed */
	/* kube_get_text only: the body as sent (NUL-terminated, not
	 * terminal-safe; "" when empty), and 1 when it was cut at the
	 * byte limit. */
	const char *text;
	size_t text_len;
	int text_cut;
};

typedef void (*kube_done_fn)(struct kube_result *r, void *ud);

/* Watch events: type is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR;
 * obj is borrowed for the duration of the callback. First, type OPEN
 * with obj NULL: the server accepted the watch (a healthy watch may then
 * stay silent for a minute, until its next bookmark). */
typedef void (*kube_event_fn)(const char *type, cJSON *obj, void *ud);

/* Runs an interactive credential plugin in the foreground. The TUI sets
 * one that leaves curses mode first; the default runs it directly. */
typedef int (*kube_foreground_fn)(const char *const argv[],
				  const char *const env[], char **out,
				  size_t *out_len, int *exit_code,
				  struct err *e, void *ud);

struct kube_client;
struct kube_call;

/* A client for conn (copied). Fails with ERR_USAGE when conn has no
 * http(s) server URL; *out is NULL then. */
int kube_client_new(struct kube_client **out, struct loop *l,
		    const struct kube_conn *conn, struct err *e);
/* Cancels every call in flight (their callbacks are not called). */
void kube_client_free(struct kube_client **c);
const struct kube_conn *kube_client_conn(const struct kube_client *c);
struct loop *kube_client_loop(const struct kube_client *c);
/* How exec plugins that take the terminal run: through fn (with ud), or
 * directly when fn is NULL. have_terminal says whether one may take it:
 * interactiveMode IfAvailable does only then (else it runs in the
 * background like Never), Always fails without it. */
void kube_client_set_foreground(struct kube_client *c, kube_foreground_fn fn,
				void *ud, int have_terminal);
/* Who the client authenticates as, for the title bar: "token",
 * "client certificate CN=…", "exec kubelogin", … (static or owned). */
const char *kube_client_auth_label(const struct kube_client *c);
/* 1 when the server is plain http:// (nothing is encrypted: the title
 * bar says NOT ENCRYPTED, the CLI warns). Credentials go there only when
 * the kubeconfig's cluster allows it (kube_client_new refuses them
 * otherwise). */
int kube_client_plain_http(const struct kube_client *c);
/* A warning sentence for the CLI when the connection is not encrypted
 * or not verified, or NULL. Owned by the client. */
const char *kube_client_warning(const struct kube_client *c);
/* Who acts, for the audit trail: "kube user NAME" with the kubeconfig's
 * user name (the credential it stands for), "kube user (none)" without
 * one. Owned by the client. */
const char *kube_client_identity(const struct kube_client *c);

/* One request. path starts with "/" and may carry a query. body may be
 * NULL; content_type defaults to application/json. */
struct kube_call *kube_request(struct kube_client *c, const char *method,
			       const char *path, const char *content_type,
			       const char *body, kube_done_fn done, void *ud);
/* Bounds against a server whose list never ends or whose watch never
 * sends a line end: a list stops (with a sentence) at a repeated continue
 * token or past any of the caps; a watch stops at a line longer than
 * KUBE_WATCH_LINE_MAX (etcd keeps objects below 1.5 MiB). */
#define KUBE_LIST_MAX_PAGES 1000          /* 500,000 objects */
#define KUBE_LIST_MAX_BYTES (1024u << 20) /* every page together */
#define KUBE_LIST_DEADLINE_MS 300000      /* continue tokens expire */
#define KUBE_WATCH_LINE_MAX (8u << 20)

/* GET path?limit=500 and follow `continue`; the result's json is the
 * first page with every page's items appended and the last page's
 * metadata.resourceVersion. */
struct kube_call *kube_list(struct kube_client *c, const char *path,
			    kube_done_fn done, void *ud);
/* The same, calling each(item, each_ud) on every item of a page as it
 * arrives, before pages are merged: it may remove members, so that a
 * large list is never held whole (client-go's transform). */
typedef void (*kube_item_fn)(cJSON *item, void *ud);
struct kube_call *kube_list_each(struct kube_client *c, const char *path,
				 kube_item_fn each, void *each_ud,
				 kube_done_fn done, void *ud);
/* The same list read item by item, so that neither a page nor the list
 * is ever held as one parse tree: ops->item gets each item as the page is
 * read (parsed alone; borrowed, freed after the call), then ops->page
 * (may be NULL) the server's remainingItemCount (-1 when it gave none);
 * both get page_ud and must not cancel the call. done's json is
 * {"metadata":{...}} of the last page (its resourceVersion). When a
 * continue token expires the list starts over once, so items may be
 * handed over twice: merge them by key. *ops is copied. */
struct kube_page_ops {
	void (*item)(const cJSON *item, void *ud);
	void (*page)(long remaining, void *ud);
};
struct kube_call *kube_list_pages(struct kube_client *c, const char *path,
				  const struct kube_page_ops *ops,
				  void *page_ud, kube_done_fn done, void *ud);
/* A watch stream with bookmarks from resource_version (NULL: the current
 * objects first, as ADDED) that the server ends after timeout_s seconds
 * (300 when <= 0); events arrive in on_event; done is called when the
 * stream ends (r->ok when it ended cleanly, as at that timeout). */
struct kube_call *kube_watch(struct kube_client *c, const char *path,
			     const char *resource_version, int timeout_s,
			     kube_event_fn on_event, kube_done_fn done,
			     void *ud);
/* GET path for an answer that is not JSON (a container's log): at most
 * max_bytes are kept, the rest of the answer is not read (the result is
 * then ok with text_cut set). Errors are Status sentences as usual. */
struct kube_call *kube_get_text(struct kube_client *c, const char *path,
				size_t max_bytes, kube_done_fn done,
				void *ud);
void kube_call_cancel(struct kube_call *call);

/* Turn an HTTP status and body (a Status object's message when it has
 * one) into kubectl's sentence in e; url names the request in a 403
 * without a Status message ("forbidden: URL") and may be NULL. */
void kube_status_sentence(long status, const char *body, const char *url,
			  struct err *e);

/* Percent-encode one path segment or query value into dst (dstsz bytes,
 * always NUL-terminated; a value too long for dst is cut). */
void kube_escape(char *dst, size_t dstsz, const char *s);

#endif
