/* azure_src_cli.c - the third credential source: `az account
 * get-access-token` run on the loop. Not the chain around it. */
#include "azure_auth.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "azure_auth_int.h"
#include "http.h"
#include "json.h"
#include "jwt.h"
#include "proc.h"
#include "xalloc.h"

/* "2026-11-28 13:00:00.000000" in local time, as az prints expiresOn. */
static int parse_local_time(const char *s, time_t *out)
{
	struct tm tm;
	int n[6], i;
	const char seps[] = "-- ::";
	const char *p = s;

	for (i = 0; i < 6; i++) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < 0 || v > 9999)
			return -1;
		n[i] = (int)v;
		p = end;
		if (i < 5) {
			if (*p != seps[i])
				return -1;
			p++;
		}
	}
	if (*p && *p != '.')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = n[0] - 1900;
	tm.tm_mon = n[1] - 1;
	tm.tm_mday = n[2];
	tm.tm_hour = n[3];
	tm.tm_min = n[4];
	tm.tm_sec = n[5];
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

static void cli_done(const struct proc_result *r, void *ud)
{
	struct entry *en = ud;
	struct azure_auth *a = en->a;
	cJSON *j;
	const char *tok;
	long long exp = 0;
	time_t t;
	char line[200];

	en->proc = NULL;
	loop_timer_cancel(a->loop, en->timer);
	en->timer = 0;
	if (r->err.code == ERR_TIMEOUT) {
		az_fetch_fail(en, ERR_TIMEOUT,
			      "az account get-access-token did not answer "
			      "within %ld s",
			      (a->cli_timeout_ms + 999) / 1000);
		return;
	}
	if (r->err.code == ERR_NOTFOUND || r->exit_code == 127) {
		az_fetch_unavailable(en, "az not installed");
		return;
	}
	if (r->err.code) {
		az_fetch_fail(en, r->err.code, "%s", r->err.msg);
		return;
	}
	if (r->exit_code != 0) {
		const char *s = r->errout;

		if (strstr(s, "az login") || strstr(s, "az account set"))
			az_fetch_unavailable(en,
					     "not signed in (run az login)");
		else {
			while (*s == '\n' || *s == '\r' || *s == ' ')
				s++;
			az_first_line_safe(s, line, sizeof(line), 160);
			az_fetch_fail(en, ERR_AUTH,
				      "az exited with status %d%s%s",
				      r->exit_code, line[0] ? ": " : "", line);
		}
		return;
	}
	j = cJSON_ParseWithLength(r->out, r->out_len);
	tok = json_text(j, "accessToken");
	if (!j || !tok) {
		cJSON_Delete(j);
		az_fetch_fail(en, ERR_PARSE,
			      "az printed no access token (expected JSON with "
			      "accessToken)");
		return;
	}
	if (http_has_control(tok)) {
		wipe((void *)(uintptr_t)tok, strlen(tok));
		cJSON_Delete(j);
		az_fetch_fail(en, ERR_AUTH,
			      "az printed a token that holds a line break or "
			      "another control character; it was not used");
		return;
	}
	if (json_seconds(json_get(j, "expires_on"), &exp) < 0) {
		exp = 0;
		if (json_text(j, "expiresOn") &&
		    parse_local_time(json_text(j, "expiresOn"), &t) == 0)
			exp = (long long)t;
	}
	if (exp <= 0) {
		struct jwt_info info;

		if (jwt_info_from_token(tok, &info, NULL) == 0)
			exp = info.exp;
		jwt_info_clear(&info);
	}
	if (exp <= 0) {
		wipe(cJSON_GetObjectItemCaseSensitive(j, "accessToken")
			 ->valuestring,
		     strlen(tok));
		cJSON_Delete(j);
		az_fetch_fail(en, ERR_PARSE,
			      "az printed a token without an expiry");
		return;
	}
	az_fetch_ok(en, tok, (time_t)exp);
	wipe(cJSON_GetObjectItemCaseSensitive(j, "accessToken")->valuestring,
	     strlen(tok));
	cJSON_Delete(j);
}

/* proc's timeout kills az itself; when az is a wrapper script whose
 * child (python) holds the pipes open, no result would come. Give up on
 * it a little later regardless. */
static void cli_watchdog(void *ud)
{
	struct entry *en = ud;

	en->timer = 0;
	proc_cancel(en->proc);
	en->proc = NULL;
	az_fetch_fail(
	    en, ERR_TIMEOUT,
	    "az account get-access-token did not answer within %ld s",
	    (en->a->cli_timeout_ms + 999) / 1000);
}

void az_cli_start(struct entry *en)
{
	struct azure_auth *a = en->a;
	const char *argv[] = {a->az,	    "account",	  "get-access-token",
			      "--resource", en->resource, "-o",
			      "json",	    NULL};
	static const char *const env[] = {"AZURE_CORE_ONLY_SHOW_ERRORS=true",
					  "AZURE_CORE_NO_COLOR=true", NULL};
	struct err e;

	err_clear(&e);
	en->proc = proc_start(a->loop, argv, env, a->cli_timeout_ms, cli_done,
			      en, &e);
	if (!en->proc) {
		az_fetch_fail(en, e.code ? e.code : ERR_IO, "%s", e.msg);
		return;
	}
	en->timer = loop_timer_add(a->loop, a->cli_timeout_ms + 1500,
				   cli_watchdog, en);
}
