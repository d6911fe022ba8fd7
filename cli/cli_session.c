/* cli_session.c - opens the cluster connection for a subcommand and turns
 * the asynchronous backend into waited-for calls. Not used by the TUI. */
#include "cli_session.h"
#include "backend/http.h"
#include "backend/kubeconfig.h"
#include "backend/text.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_session_open(struct cli_session *s, const struct cli_opts *o)
{
	struct kubeconfig *kc = NULL;
	struct kube_target t;
	struct kube_conn conn;
	struct err e;

	memset(s, 0, sizeof(*s));
	s->o = o;
	err_clear(&e);
	memset(&t, 0, sizeof(t));
	if (kubeconfig_load(&kc, o->kubeconfig, &e) < 0 ||
	    kubeconfig_resolve(kc, o->context, &t, &e) < 0) {
		cli_error("%s", e.msg);
		kubeconfig_free(&kc);
		return 2;
	}
	kube_conn_from_target(&conn, &t);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	snprintf(s->context, sizeof(s->context), "%s",
		 conn.context ? conn.context : "");
	snprintf(s->server, sizeof(s->server), "%s",
		 conn.server ? conn.server : "");
	if (http_global_init(&e) < 0) {
		cli_error("%s", e.msg);
		kube_conn_clear(&conn);
		return 1;
	}
	s->loop = loop_new();
	if (kube_client_new(&s->kube, s->loop, &conn, &e) < 0) {
		cli_error("%s", e.msg);
		kube_conn_clear(&conn);
		loop_free(&s->loop);
		http_global_cleanup();
		return 2;
	}
	kube_conn_clear(&conn);
	if (kube_client_warning(s->kube))
		cli_error("%s", kube_client_warning(s->kube));
	kube_client_set_foreground(s->kube, NULL, NULL, isatty(0));
	s->changes = cli_change_log(o, s->context);
	return 0;
}

void cli_session_close(struct cli_session *s)
{
	if (!s->loop)
		return;
	kube_client_free(&s->kube);
	change_log_free(&s->changes);
	loop_free(&s->loop);
	http_global_cleanup();
}

void cli_on_done(struct kube_result *r, void *ud)
{
	struct cli_waited *w = ud;

	w->done = 1;
	w->ok = r->ok;
	w->err = r->err;
	w->json = r->json;
	r->json = NULL;
}

void cli_wait(struct cli_session *s, const int *flag)
{
	while (!*flag)
		loop_run_once(s->loop, -1);
}

int cli_finish(struct cli_waited *w, cJSON **json, struct err *e)
{
	if (json)
		*json = w->json;
	else
		cJSON_Delete(w->json);
	if (!w->ok) {
		if (e)
			*e = w->err;
		return -(w->err.code ? w->err.code : ERR_INTERNAL);
	}
	return 0;
}

int cli_call(struct cli_session *s, const char *method, const char *path,
	     const char *ctype, const char *body, cJSON **json,
	     struct err *e)
{
	struct cli_waited w;

	memset(&w, 0, sizeof(w));
	kube_request(s->kube, method, path, ctype, body, cli_on_done, &w);
	cli_wait(s, &w.done);
	return cli_finish(&w, json, e);
}

int cli_list(struct cli_session *s, const char *path, cJSON **json,
	     struct err *e)
{
	struct cli_waited w;

	memset(&w, 0, sizeof(w));
	kube_list(s->kube, path, cli_on_done, &w);
	cli_wait(s, &w.done);
	return cli_finish(&w, json, e);
}

struct change_log *cli_change_log(const struct cli_opts *o,
				  const char *context)
{
	struct change_log *l = change_log_new(o->audit_log, o->read_only);

	change_log_set_context(l, context && context[0] ? context : NULL);
	return l;
}

struct change *cli_change_begin(struct change_log *l, const char *action,
				const char *target, const char *identity,
				const char *detail)
{
	const struct change_req r = {
	    .action = action,
	    .target = target,
	    .identity = identity,
	    .detail = detail,
	};
	struct change *c;
	struct err e;

	err_clear(&e);
	c = change_begin(l, &r, &e);
	if (!c)
		cli_error("%s", e.msg);
	return c;
}

int cli_ascii(const struct cli_opts *o)
{
	const char *cs = nl_langinfo(CODESET);

	return o->ascii || !cs || strcmp(cs, "UTF-8") != 0;
}

const char *cli_mark(const struct cli_opts *o, int ok)
{
	if (cli_ascii(o))
		return ok ? "[+]" : "[x]";
	return ok ? "\u2713" : "\u2717";
}
