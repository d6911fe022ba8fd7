/* kube_exec.c - the exec credential plugin of a kubeconfig user: run it
 * (ExecCredential in, token or client certificate out), cache what it
 * gives until it expires, and say why it failed. Not the requests that
 * use it (kube.c). */
#include "kube_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "timefmt.h"
#include "xalloc.h"

int kube_exec_fresh(const struct kube_client *c)
{
	if (!c->exec_valid)
		return 0;
	if (!c->exec_expiry)
		return 1;
	/* Refresh a little early so a request does not race the expiry. */
	return time(NULL) + 10 < c->exec_expiry;
}

void kube_exec_drop(struct kube_client *c)
{
	xfree_secret_str(c->exec_token);
	c->exec_token = NULL;
	free(c->exec_cert);
	xfree_secret(c->exec_key, c->exec_key_len);
	c->exec_cert = c->exec_key = NULL;
	c->exec_cert_len = c->exec_key_len = 0;
	c->exec_valid = 0;
	c->exec_expiry = 0;
}

/* 1 when s has no C0 control character and no DEL. */
static int token_is_clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

static int exec_parse(struct kube_client *c, const char *out, struct err *e)
{
	cJSON *j = cJSON_Parse(out);
	const cJSON *st, *tok, *exp, *crt, *key, *kind;
	const char *cmd = c->conn.exec->command;
	int rc = 0;

	if (!j)
		return err_set(e, ERR_PARSE,
			       "exec plugin %s printed no ExecCredential JSON",
			       cmd);
	kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
	st = cJSON_GetObjectItemCaseSensitive(j, "status");
	if (!cJSON_IsString(kind) ||
	    strcmp(kind->valuestring, "ExecCredential") != 0 ||
	    !cJSON_IsObject(st)) {
		rc = err_set(e, ERR_PARSE,
			     "exec plugin %s: output is not an ExecCredential "
			     "with a status",
			     cmd);
		goto out;
	}
	tok = cJSON_GetObjectItemCaseSensitive(st, "token");
	exp = cJSON_GetObjectItemCaseSensitive(st, "expirationTimestamp");
	crt = cJSON_GetObjectItemCaseSensitive(st, "clientCertificateData");
	key = cJSON_GetObjectItemCaseSensitive(st, "clientKeyData");
	kube_exec_drop(c);
	if (cJSON_IsString(tok) && !token_is_clean(tok->valuestring)) {
		/* CR/LF would end the Authorization header and start others
		 * (header injection); no real token has a control
		 * character. */
		rc = err_set(e, ERR_AUTH,
			     "exec plugin %s returned a token with a line "
			     "break or another control character; it was "
			     "not used",
			     cmd);
		goto out;
	}
	if (cJSON_IsString(tok) && *tok->valuestring) {
		c->exec_token = xstrdup(tok->valuestring);
	} else if (cJSON_IsString(crt) && cJSON_IsString(key)) {
		c->exec_cert = (unsigned char *)xstrdup(crt->valuestring);
		c->exec_cert_len = strlen(crt->valuestring);
		c->exec_key = (unsigned char *)xstrdup(key->valuestring);
		c->exec_key_len = strlen(key->valuestring);
	} else {
		rc = err_set(e, ERR_AUTH,
			     "exec plugin %s returned neither a token nor a "
			     "client certificate",
			     cmd);
		goto out;
	}
	if (cJSON_IsString(exp)) {
		time_t t;

		if (timefmt_parse_rfc3339(exp->valuestring, &t, NULL, NULL) ==
		    0)
			c->exec_expiry = t;
	}
	c->exec_valid = 1;
out:
	cJSON_Delete(j);
	return rc;
}

static void exec_failed(struct kube_client *c, const char *what,
			const char *errout, int code)
{
	char detail[300] = "";
	size_t n;

	if (errout && *errout) {
		/* The last line of stderr is usually the reason. */
		const char *p = errout + strlen(errout);

		while (p > errout && (p[-1] == '\n' || p[-1] == '\r'))
			p--;
		n = (size_t)(p - errout);
		while (p > errout && p[-1] != '\n')
			p--;
		n = n - (size_t)(p - errout);
		if (n >= sizeof(detail))
			n = sizeof(detail) - 1;
		memcpy(detail, p, n);
		detail[n] = '\0';
	}
	if (code == 127)
		err_set(&c->exec_err, ERR_AUTH,
			"exec plugin %s could not be started%s%s",
			c->conn.exec->command,
			c->conn.exec->install_hint ? ": " : "",
			c->conn.exec->install_hint ? c->conn.exec->install_hint
						   : "");
	else
		err_set(&c->exec_err, ERR_AUTH, "exec plugin %s %s%s%s",
			c->conn.exec->command, what, *detail ? ": " : "",
			detail);
}

static void on_exec_done(const struct proc_result *r, void *ud)
{
	struct kube_client *c = ud;
	struct err e;

	c->exec_proc = NULL;
	err_clear(&e);
	if (r->err.code) {
		c->exec_err = r->err;
		kube_resume_waiters(c, &c->exec_err);
		return;
	}
	if (r->exit_code != 0) {
		char what[64];

		snprintf(what, sizeof(what), "failed (exit %d)", r->exit_code);
		exec_failed(c, what, r->errout, r->exit_code);
		kube_resume_waiters(c, &c->exec_err);
		return;
	}
	if (exec_parse(c, r->out, &e) < 0) {
		c->exec_err = e;
		kube_resume_waiters(c, &e);
		return;
	}
	kube_resume_waiters(c, NULL);
}

static char *exec_info_json(const struct kube_client *c, int interactive)
{
	cJSON *j = cJSON_CreateObject(), *spec;
	char *s;

	cJSON_AddStringToObject(j, "apiVersion",
				c->conn.exec->api_version
				    ? c->conn.exec->api_version
				    : "client.authentication.k8s.io/v1");
	cJSON_AddStringToObject(j, "kind", "ExecCredential");
	spec = cJSON_AddObjectToObject(j, "spec");
	cJSON_AddBoolToObject(spec, "interactive", interactive);
	if (c->conn.exec->provide_cluster_info) {
		cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");

		cJSON_AddStringToObject(cl, "server", c->conn.server);
		if (c->conn.tls_server_name)
			cJSON_AddStringToObject(cl, "tls-server-name",
						c->conn.tls_server_name);
		cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify",
				      c->conn.insecure);
		if (c->conn.ca) {
			/* certificate-authority-data is base64 in JSON. */
			char *enc = base64_encode(c->conn.ca, c->conn.ca_len);

			cJSON_AddStringToObject(
			    cl, "certificate-authority-data", enc);
			free(enc);
		}
	}
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void exec_start(struct kube_client *c)
{
	const struct kube_exec *x = c->conn.exec;
	size_t nargs = 0, nenv = 0, i;
	const char **argv;
	const char **env;
	char *info, *infoenv;
	int interactive;
	struct err e;

	err_clear(&e);
	interactive =
	    x->interactive == KUBE_INTERACTIVE_ALWAYS ||
	    (x->interactive == KUBE_INTERACTIVE_IF_AVAILABLE && c->have_tty);
	if (x->interactive == KUBE_INTERACTIVE_ALWAYS && !c->have_tty) {
		err_set(&c->exec_err, ERR_AUTH,
			"exec plugin %s needs an interactive terminal "
			"(interactiveMode: Always)",
			x->command);
		kube_resume_waiters(c, &c->exec_err);
		return;
	}
	while (x->args && x->args[nargs])
		nargs++;
	while (x->env && x->env[nenv])
		nenv++;
	argv = xcalloc(nargs + 2, sizeof(*argv));
	argv[0] = x->command;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = x->args[i];
	info = exec_info_json(c, interactive);
	infoenv = xasprintf("KUBERNETES_EXEC_INFO=%s", info);
	free(info);
	env = xcalloc(nenv + 2, sizeof(*env));
	for (i = 0; i < nenv; i++)
		env[i] = x->env[i];
	env[nenv] = infoenv;
	if (interactive) {
		char *out = NULL;
		size_t out_len = 0;
		int code = 0, rc;

		rc = c->fg ? c->fg(argv, env, &out, &out_len, &code, &e,
				   c->fg_ud)
			   : proc_run_foreground(argv, env, &out, &out_len,
						 &code, &e);
		if (rc < 0) {
			c->exec_err = e;
			kube_resume_waiters(c, &c->exec_err);
		} else if (code != 0) {
			char what[64];

			snprintf(what, sizeof(what), "failed (exit %d)", code);
			exec_failed(c, what, NULL, code);
			kube_resume_waiters(c, &c->exec_err);
		} else if (exec_parse(c, out, &e) < 0) {
			c->exec_err = e;
			kube_resume_waiters(c, &e);
		} else {
			kube_resume_waiters(c, NULL);
		}
		if (out)
			xfree_secret(out, out_len);
	} else {
		c->exec_proc = proc_start(c->loop, argv, env, 120000,
					  on_exec_done, c, &e);
		if (!c->exec_proc) {
			c->exec_err = e;
			kube_resume_waiters(c, &e);
		}
	}
	free(infoenv);
	free(argv);
	free(env);
}

/* The plugin starts from the loop, so that no caller sees its callback
 * run before kube_request() has returned. */
void kube_exec_start_cb(void *ud)
{
	struct kube_client *c = ud;

	c->exec_timer = 0;
	exec_start(c);
}
