/* azure_src_device.c - the fourth credential source: device-code
 * sign-in and its refresh token. Not the chain, not the dialog. */
#include "azure_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "azure_auth_int.h"
#include "json.h"
#include "text.h"
#include "xalloc.h"

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

static const char *device_tenant(const struct azure_auth *a)
{
	return a->tenant ? a->tenant : "organizations";
}

static void device_poll(void *ud);

static void device_schedule(struct entry *en)
{
	en->timer =
	    loop_timer_add(en->a->loop, en->interval_ms, device_poll, en);
}

static void device_poll_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	char code[64], msg[400];

	en->req = NULL;
	if (r->status == 200) {
		az_entra_token_ok(en, r);
		return;
	}
	if (r->status == 0 || r->status >= 500 || r->status == 429) {
		/* Keep polling through blips until the code expires. */
		device_schedule(en);
		return;
	}
	az_entra_error(r, code, sizeof(code), msg, sizeof(msg));
	if (strcmp(code, "authorization_pending") == 0) {
		device_schedule(en);
	} else if (strcmp(code, "slow_down") == 0) {
		en->interval_ms += 5000;
		device_schedule(en);
	} else if (strcmp(code, "expired_token") == 0) {
		az_fetch_fail(en, ERR_TIMEOUT,
			      "the sign-in code expired before it was used");
	} else if (strcmp(code, "authorization_declined") == 0) {
		az_fetch_fail(en, ERR_DENIED, "the sign-in was declined");
	} else {
		az_fetch_fail(en, ERR_AUTH, "%s", msg);
	}
}

static void device_poll(void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url;

	en->timer = 0;
	if (now_s() >= en->device_expires) {
		az_fetch_fail(en, ERR_TIMEOUT,
			      "the sign-in code expired before it was used");
		return;
	}
	strbuf_add_form(&body, "grant_type", DEVICE_GRANT);
	strbuf_add_form(&body, "client_id", a->device_client_id);
	strbuf_add_form(&body, "device_code", en->device_code);
	url = az_token_url(a, device_tenant(a), "token");
	az_http_go(en, "POST", url, az_form_headers, &body, 0, 0,
		   device_poll_done);
	strbuf_free(&body);
	free(url);
}

static void device_code_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	struct azure_device_prompt p;
	cJSON *j;
	const char *dc;
	const cJSON *iv;
	long long expires_in = 0;
	char code[64], msg[400], uc[64], uri[300], text[480];

	en->req = NULL;
	if (r->status == 0) {
		az_fetch_fail(en, r->err.code ? r->err.code : ERR_NET, "%s",
			      r->err.msg);
		return;
	}
	if (r->status != 200) {
		az_entra_error(r, code, sizeof(code), msg, sizeof(msg));
		az_fetch_fail(en, ERR_AUTH, "%s", msg);
		return;
	}
	j = cJSON_ParseWithLength(r->body, r->body_len);
	dc = json_text(j, "device_code");
	if (!dc || !json_text(j, "user_code") ||
	    !json_text(j, "verification_uri")) {
		cJSON_Delete(j);
		az_fetch_fail(en, ERR_PARSE,
			      "Entra ID answered the device-code "
			      "request without a code");
		return;
	}
	free_secret(&en->device_code);
	en->device_code = xstrdup(dc);
	wipe(cJSON_GetObjectItemCaseSensitive(j, "device_code")->valuestring,
	     strlen(dc));
	if (json_seconds(json_get(j, "expires_in"), &expires_in) < 0 ||
	    expires_in <= 0)
		expires_in = 900;
	en->device_expires = now_s() + (time_t)expires_in;
	iv = cJSON_GetObjectItemCaseSensitive(j, "interval");
	en->interval_ms = 5000;
	if (cJSON_IsNumber(iv) && iv->valuedouble > 0 &&
	    iv->valuedouble < 3600)
		en->interval_ms = (long)(iv->valuedouble * 1000);
	if (en->interval_ms < 200)
		en->interval_ms = 200;
	text_safe_buf(uc, sizeof(uc), json_text(j, "user_code"), 40);
	text_safe_buf(uri, sizeof(uri), json_text(j, "verification_uri"), 200);
	if (json_text(j, "message"))
		text_safe_buf(text, sizeof(text), json_text(j, "message"),
			      300);
	else
		snprintf(text, sizeof(text),
			 "To sign in, open %s and enter the code %s.", uri,
			 uc);
	cJSON_Delete(j);
	device_schedule(en);
	memset(&p, 0, sizeof(p));
	p.user_code = uc;
	p.verification_uri = uri;
	p.message = text;
	p.expires_at = en->device_expires;
	p.resource = en->resource;
	if (a->show) {
		az_enter(a);
		a->show(&p, a->ui_ud);
		az_leave(a);
	}
}

void az_device_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url, *scope, *scopes;

	if (!a->show) {
		az_fetch_unavailable(en, "not allowed here");
		return;
	}
	if (az_need_ca(en) < 0)
		return;
	en->device = 1;
	scope = azure_scope_for(en->resource);
	scopes = xasprintf("%s offline_access", scope);
	strbuf_add_form(&body, "client_id", a->device_client_id);
	strbuf_add_form(&body, "scope", scopes);
	url = az_token_url(a, device_tenant(a), "devicecode");
	az_http_go(en, "POST", url, az_form_headers, &body, 0, 0,
		   device_code_done);
	strbuf_free(&body);
	free(url);
	free(scope);
	free(scopes);
}

static void refresh_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	char code[64], msg[400];

	en->req = NULL;
	if (r->status == 200) {
		az_entra_token_ok(en, r);
		return;
	}
	if (r->status == 0) {
		az_fetch_fail(en, r->err.code ? r->err.code : ERR_NET, "%s",
			      r->err.msg);
		return;
	}
	az_entra_error(r, code, sizeof(code), msg, sizeof(msg));
	if (strcmp(code, "invalid_grant") != 0) {
		az_fetch_fail(en, ERR_AUTH, "%s", msg);
		return;
	}
	/* The sign-in ran out: ask the user again, one dialog at a time. */
	free_secret(&a->refresh_token);
	if (a->chain_owner && a->chain_owner != en) {
		en->state = QUEUED;
		return;
	}
	a->chain_owner = en;
	az_device_start(en);
}

void az_refresh_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	struct strbuf body = {.secret = 1};
	char *url, *scope, *scopes;

	if (az_need_ca(en) < 0)
		return;
	scope = azure_scope_for(en->resource);
	scopes = xasprintf("%s offline_access", scope);
	strbuf_add_form(&body, "grant_type", "refresh_token");
	strbuf_add_form(&body, "client_id", a->device_client_id);
	strbuf_add_form(&body, "refresh_token", a->refresh_token);
	strbuf_add_form(&body, "scope", scopes);
	url = az_token_url(a, device_tenant(a), "token");
	az_http_go(en, "POST", url, az_form_headers, &body, 0, 0,
		   refresh_done);
	strbuf_free(&body);
	free(url);
	free(scope);
	free(scopes);
}
