/* cli_session.h - what every one-shot subcommand needs: the kubeconfig
 * resolved into a client on an event loop, synchronous calls over it, and
 * the session's change log (the one audited path, change.h). */
#ifndef JD_CLI_SESSION_H
#define JD_CLI_SESSION_H

#include <cjson/cJSON.h>

#include "cli.h"
#include "backend/change.h"
#include "backend/kube.h"
#include "backend/loop.h"

struct cli_session {
	struct loop *loop;
	struct kube_client *kube;
	struct change_log *changes;
	char context[256];
	char server[512];
	const struct cli_opts *o;
};

/* Returns 0, or the exit code (2: configuration) after printing why. */
int cli_session_open(struct cli_session *s, const struct cli_opts *o);
void cli_session_close(struct cli_session *s);

/* One request, waited for. *json (may be NULL) gets the parsed answer,
 * the caller frees it. Returns 0, or negative with e filled. */
int cli_call(struct cli_session *s, const char *method, const char *path,
	     const char *ctype, const char *body, cJSON **json,
	     struct err *e);
/* A paged list, waited for. */
int cli_list(struct cli_session *s, const char *path, cJSON **json,
	     struct err *e);
/* Run the loop until *flag is set. */
void cli_wait(struct cli_session *s, const int *flag);

/* Waiting for any backend call that takes a kube_done_fn: pass
 * cli_on_done and a zeroed struct cli_waited, cli_wait on .done, then
 * cli_finish (which hands over or frees the JSON). */
struct cli_waited {
	int done;
	int ok;
	struct err err;
	cJSON *json;
};
void cli_on_done(struct kube_result *r, void *ud);
int cli_finish(struct cli_waited *w, cJSON **json, struct err *e);

/* A change log for o (audit path, read-only) with context (may be NULL). */
struct change_log *cli_change_log(const struct cli_opts *o,
				  const char *context);
/* Begin a change; on refusal prints why ("jumpdeck: read-only mode: ...")
 * and returns NULL. */
struct change *cli_change_begin(struct change_log *l, const char *action,
				const char *target, const char *identity,
				const char *detail);

/* ✓ / ✗, or ASCII when asked or the locale is not UTF-8. */
const char *cli_mark(const struct cli_opts *o, int ok);
int cli_ascii(const struct cli_opts *o);

#endif
