/* azure_src_imds.c - the second credential source: the VM's managed
 * identity from IMDS, with its retries. Not the chain around it. */
#include "azure_auth.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "azure_auth_int.h"
#include "json.h"
#include "xalloc.h"

static void imds_retry(void *ud)
{
	struct entry *en = ud;

	en->timer = 0;
	az_imds_start(en);
}

static void imds_done(const struct http_response *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	cJSON *j;
	const char *tok;
	long long exp = 0;
	char desc[160] = "";

	en->req = NULL;
	if (r->status == 0) {
		az_fetch_unavailable(en, "IMDS not reachable (%s)",
				     r->err.msg);
		return;
	}
	j = cJSON_ParseWithLength(r->body, r->body_len);
	if (r->status == 200) {
		tok = json_text(j, "access_token");
		if (json_seconds(json_get(j, "expires_on"), &exp) < 0 &&
		    json_seconds(json_get(j, "expires_in"), &exp) == 0)
			exp += now_s();
		if (!tok || exp <= 0) {
			cJSON_Delete(j);
			az_fetch_unavailable(en,
					     "IMDS answered without a token");
			return;
		}
		az_fetch_ok(en, tok, (time_t)exp);
		wipe(cJSON_GetObjectItemCaseSensitive(j, "access_token")
			 ->valuestring,
		     strlen(tok));
		cJSON_Delete(j);
		return;
	}
	if (json_text(j, "error_description"))
		az_first_line_safe(json_text(j, "error_description"), desc,
				   sizeof(desc), 120);
	cJSON_Delete(j);
	if (r->status == 404 || r->status == 410 || r->status == 429 ||
	    r->status >= 500) {
		int max = a->imds_retries;
		/* 410: IMDS is updating and back within 70 s. */
		int updating = r->status == 410 && a->imds_retries > 0 &&
			       loop_now_ms() - en->started_ms < 70000;

		if (en->attempt < max || updating) {
			long ms =
			    http_backoff_ms(en->attempt, a->imds_backoff_ms,
					    updating ? 10000 : 30000);
			long ra = http_retry_after_s(
			    http_header_get(r, "retry-after"),
			    (long long)now_s());

			if (ra > 0 && ra * 1000 > ms)
				ms = (ra > 60 ? 60 : ra) * 1000;
			en->attempt++;
			en->timer =
			    loop_timer_add(a->loop, ms, imds_retry, en);
			return;
		}
		az_fetch_unavailable(en,
				     "IMDS answered HTTP %ld after %d "
				     "attempts%s%s",
				     r->status, en->attempt + 1,
				     desc[0] ? ": " : "", desc);
		return;
	}
	if (a->client_id && !a->client_secret)
		az_fetch_unavailable(en,
				     "no identity with client id %s (HTTP "
				     "%ld%s%s)",
				     a->client_id, r->status,
				     desc[0] ? ": " : "", desc);
	else
		az_fetch_unavailable(en, "no identity (HTTP %ld%s%s)",
				     r->status, desc[0] ? ": " : "", desc);
}

void az_imds_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	static const char *const hdrs[] = {"Metadata: true",
					   "Accept: application/json", NULL};
	struct strbuf url = {0};

	strbuf_add(&url, a->imds);
	strbuf_add(&url, "/metadata/identity/oauth2/token?api-version="
			 "2018-02-01&resource=");
	strbuf_add_pct(&url, en->resource);
	/* A client id without a secret names a user-assigned identity. */
	if (a->client_id && !a->client_secret) {
		strbuf_add(&url, "&client_id=");
		strbuf_add_pct(&url, a->client_id);
	}
	az_http_go(en, "GET", url.p, hdrs, NULL, 0, 2000, imds_done);
	strbuf_free(&url);
}
