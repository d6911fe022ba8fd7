/* git_remote_int.h - the call that git_remote.c (HTTPS, the call's life)
 * and git_remote_ssh.c (SSH) share. Not for other modules. */
#ifndef JD_GIT_REMOTE_INT_H
#define JD_GIT_REMOTE_INT_H

#include <pthread.h>

#include "git_remote.h"
#include "pktline.h"

enum call_kind { CALL_HTTPS, CALL_SSH };
enum call_state { ST_RUNNING, ST_POSTED };

struct ssh_target {
	char *user;
	char *host; /* without brackets */
	int port;
	char *path; /* as upload-pack gets it */
};

struct git_remote_call {
	struct loop *loop;
	git_remote_done_fn done;
	void *ud;
	enum call_kind kind;
	char *url;
	char *shown; /* the URL as sentences show it: no userinfo, query */
	char *ref;
	char *password;
	char *identity;
	char *known_hosts;
	unsigned char *ca;
	size_t ca_len;
	int use_agent;
	long long deadline;
	int in_callback;
	/* HTTPS */
	struct http_req *http;
	char *userpwd;
	char *req_url;
	char *origin; /* scheme://host:port of the first request */
	int redirects;
	/* SSH */
	struct ssh_target t;
	pthread_mutex_t lock;
	int cancelled;
	enum call_state state;
	struct git_remote_result res;
};

/* Frees c and wipes its secrets. */
void git_remote_call_free(struct git_remote_call *c);
/* Calls done with c->res, then frees c (loop thread only). */
void git_remote_deliver(struct git_remote_call *c);
/* Milliseconds left before the call's deadline, 0 when past it. */
long git_remote_remaining_ms(const struct git_remote_call *c);
/* Looks c->ref up in an advertisement into c->res. */
void git_remote_resolve_into(struct git_remote_call *c,
			     const struct pkt_adv *a);

/* Parses c->url as an SSH URL and starts the worker thread; NULL with e
 * filled (c freed) when the URL cannot be used or no thread starts. */
struct git_remote_call *git_remote_ssh_start(struct git_remote_call *c,
					     struct err *e);
/* Marks a running SSH call cancelled: whoever holds it last frees it. */
void git_remote_ssh_cancel(struct git_remote_call *c);

#endif
