/* azure_src_env.c - the first credential source: an app's client secret
 * from AZURE_CLIENT_ID/SECRET/TENANT_ID. Not the chain around it. */
#include "azure_auth.h"

#include <stdlib.h>
#include <string.h>

#include "azure_auth_int.h"
#include "xalloc.h"

static void env_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	char code[64], msg[400];

	en->req = NULL;
	if (r->status == 0) {
		az_fetch_fail(en, r->err.code ? r->err.code : ERR_NET, "%s",
			      r->err.msg);
		return;
	}
	if (r->status == 200) {
		az_entra_token_ok(en, r);
		return;
	}
	az_entra_error(r, code, sizeof(code), msg, sizeof(msg));
	if (strcmp(code, "invalid_client") == 0)
		az_fetch_fail(en, ERR_AUTH,
			      "the client secret of app %s was refused (%s)",
			      en->a->client_id, msg);
	else if (strcmp(code, "unauthorized_client") == 0)
		az_fetch_fail(en, ERR_AUTH,
			      "app %s is not known in tenant %s (%s)",
			      en->a->client_id, en->a->tenant, msg);
	else
		az_fetch_fail(en,
			      r->status == 401 || r->status == 400 ? ERR_AUTH
								   : ERR_HTTP,
			      "%s", msg);
}

void az_env_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url, *scope;

	if (!a->client_secret) {
		az_fetch_unavailable(en, "AZURE_CLIENT_SECRET not set");
		return;
	}
	if (!a->client_id) {
		az_fetch_unavailable(en, "AZURE_CLIENT_ID not set");
		return;
	}
	if (!a->tenant) {
		az_fetch_unavailable(en, "AZURE_TENANT_ID not set");
		return;
	}
	if (az_need_ca(en) < 0)
		return;
	scope = azure_scope_for(en->resource);
	strbuf_add_form(&body, "grant_type", "client_credentials");
	strbuf_add_form(&body, "client_id", a->client_id);
	strbuf_add_form(&body, "client_secret", a->client_secret);
	strbuf_add_form(&body, "scope", scope);
	url = az_token_url(a, a->tenant, "token");
	az_http_go(en, "POST", url, az_form_headers, &body, 1, 0, env_done);
	strbuf_free(&body);
	free(url);
	free(scope);
}
