/* kube_int.h - what kube.c and kube_exec.c share: the client and call
 * structures and the exec credential cache's entry points. Not for any
 * other file: the public interface is kube.h. */
#ifndef JD_KUBE_INT_H
#define JD_KUBE_INT_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "kube.h"
#include "proc.h"
#include "strbuf.h"

enum call_kind { CALL_REQUEST, CALL_LIST, CALL_WATCH, CALL_TEXT };

struct kube_call {
	struct kube_client *c;
	enum call_kind kind;
	char *method;
	char *path; /* for lists: the base path without continue */
	char *ctype;
	char *body;
	kube_done_fn done;
	kube_event_fn on_event;
	struct kube_page_ops page_ops; /* list: item by item when set */
	void *page_ud;
	void *ud;
	struct http_req *http;
	int retried_401;
	int waiting_cred;
	unsigned defer_timer;
	struct err defer_err;
	cJSON *acc;	   /* list: merged pages */
	kube_item_fn each; /* list: called on every item of every page */
	void *each_ud;
	char *cont;   /* list: continue token of the next page */
	int pages;    /* list: pages asked for so far */
	int relisted; /* list: started over after an expired token */
	char *rv;     /* watch: start resourceVersion */
	int timeout_s;
	struct strbuf line;   /* watch: partial line; text: the body */
	size_t max_bytes;     /* text: bytes kept at most */
	int text_cut;	      /* text: the answer was longer */
	struct err abort_err; /* why we stopped reading a stream */
	char *prev_cont;      /* list: the token of the page before */
	size_t list_bytes;    /* list: bytes of every page so far */
	long long list_start; /* list: when the first page was asked */
	struct kube_call *next;
};

struct kube_client {
	struct loop *loop;
	struct kube_conn conn;
	kube_foreground_fn fg;
	void *fg_ud;
	int have_tty;
	struct kube_call *calls;
	/* exec credential cache */
	char *exec_token;
	unsigned char *exec_cert, *exec_key;
	size_t exec_cert_len, exec_key_len;
	time_t exec_expiry; /* 0: none given */
	int exec_valid;
	struct proc *exec_proc;
	unsigned exec_timer;
	struct err exec_err;
	char auth_label[160];
	char identity[300];
	int plain_http;
	char warning[700];
};

/* Every call waiting for the exec plugin's credential goes on: sent
 * again, or answered with fail when that is not NULL (kube.c). */
void kube_resume_waiters(struct kube_client *c, const struct err *fail);

/* The exec credential cache (kube_exec.c): 1 when a credential is held
 * and not about to expire; dropped (secrets wiped) after a 401; the
 * plugin started from a loop timer (ud is the client), so that no caller
 * sees its callback run before kube_request() has returned. */
int kube_exec_fresh(const struct kube_client *c);
void kube_exec_drop(struct kube_client *c);
void kube_exec_start_cb(void *ud);

#endif
