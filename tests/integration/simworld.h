/* simworld.h - starts and stops a simulated cluster (tests/sim/world.py)
 * for C integration tests and talks to its /_sim control API. Test-only
 * helpers, blocking on purpose; not a Kubernetes client (backend/ is). */
#ifndef JD_TEST_SIMWORLD_H
#define JD_TEST_SIMWORLD_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "backend/kube.h"
#include "backend/kubeconfig.h"
#include "backend/proc.h"

/* Every helper is static; a test file may use only some of them. */
#define SIMWORLD_FN static __attribute__((unused))

struct simworld {
	char top[512];        /* the temporary directory we made */
	char dir[600];        /* the world's directory (inside top) */
	char world_py[600];   /* tests/sim/world.py */
	int port;
	char base[64];        /* https://127.0.0.1:PORT */
	char kubeconfig[700];
	char ca[700];
};

SIMWORLD_FN void simworld_path(const struct simworld *w, const char *leaf,
			       char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s", w->dir, leaf);
}

/* Runs `python3 world.py CMD --dir DIR EXTRA...`; 0 when it exited 0. Its
 * stdout is swallowed; its stderr is ours, so failures explain
 * themselves in the test log. */
SIMWORLD_FN int simworld_cmd(const struct simworld *w, const char *cmd,
			     const char *const extra[])
{
	const char *argv[16];
	size_t n = 0, i;
	char *out = NULL;
	size_t out_len = 0;
	int code = -1;
	struct err e;

	argv[n++] = "python3";
	argv[n++] = w->world_py;
	argv[n++] = cmd;
	argv[n++] = "--dir";
	argv[n++] = w->dir;
	for (i = 0; extra && extra[i] && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	err_clear(&e);
	if (proc_run_foreground(argv, NULL, &out, &out_len, &code, &e) < 0) {
		fprintf(stderr, "simworld: %s\n", e.msg);
		return -1;
	}
	free(out);
	if (code != 0)
		fprintf(stderr, "simworld: world.py %s exited %d\n", cmd,
			code);
	return code == 0 ? 0 : -1;
}

SIMWORLD_FN char *simworld_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Writes text to DIR/leaf (replacing it); text NULL removes the file. */
SIMWORLD_FN int simworld_write(const struct simworld *w, const char *leaf,
			       const char *text)
{
	char path[800], tmp[820];
	FILE *f;

	simworld_path(w, leaf, path, sizeof(path));
	if (!text)
		return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

/* Lines in DIR/leaf; 0 when it does not exist. */
SIMWORLD_FN int simworld_count_lines(const struct simworld *w,
				     const char *leaf)
{
	char path[800];
	char *s;
	int n = 0;
	size_t i, len = 0;

	simworld_path(w, leaf, path, sizeof(path));
	s = simworld_read_file(path, &len);
	if (!s)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	free(s);
	return n;
}

SIMWORLD_FN int simworld_rm_one(const char *path, const struct stat *st,
				int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

SIMWORLD_FN int simworld_read_port(struct simworld *w)
{
	char path[800];
	char *s, *end;
	long port;

	simworld_path(w, "port", path, sizeof(path));
	s = simworld_read_file(path, NULL);
	if (!s)
		return -1;
	errno = 0;
	port = strtol(s, &end, 10);
	if (end == s || errno || port <= 0 || port > 65535) {
		free(s);
		return -1;
	}
	free(s);
	w->port = (int)port;
	snprintf(w->base, sizeof(w->base), "https://127.0.0.1:%d", w->port);
	return 0;
}

/* Starts a world with the given scenario ("empty", "nodes", "demo").
 * Honours JD_SRCDIR (where tests/sim lives) and TMPDIR. */
SIMWORLD_FN int simworld_up(struct simworld *w, const char *scenario)
{
	const char *src = getenv("JD_SRCDIR");
	const char *tmp = getenv("TMPDIR");
	const char *extra[] = {"--scenario", scenario, NULL};

	memset(w, 0, sizeof(*w));
	snprintf(w->world_py, sizeof(w->world_py), "%s/tests/sim/world.py",
		 src && *src ? src : ".");
	snprintf(w->top, sizeof(w->top), "%s/jd-kube.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(w->top)) {
		fprintf(stderr, "simworld: mkdtemp %s: %s\n", w->top,
			strerror(errno));
		return -1;
	}
	snprintf(w->dir, sizeof(w->dir), "%s/world", w->top);
	simworld_path(w, "kubeconfig", w->kubeconfig, sizeof(w->kubeconfig));
	simworld_path(w, "ca.crt", w->ca, sizeof(w->ca));
	if (simworld_cmd(w, "up", extra) < 0 || simworld_read_port(w) < 0) {
		simworld_cmd(w, "down", NULL);
		nftw(w->top, simworld_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		return -1;
	}
	return 0;
}

/* Stops the simulator and removes every file of the world. */
SIMWORLD_FN void simworld_down(struct simworld *w)
{
	if (!w->top[0])
		return;
	simworld_cmd(w, "down", NULL);
	nftw(w->top, simworld_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	w->top[0] = '\0';
}

/* Stop only the server process, keeping its state (to be brought back
 * with simworld_start()). */
SIMWORLD_FN int simworld_stop(struct simworld *w)
{
	return simworld_cmd(w, "down", NULL);
}

/* Start the server again on the same port with the objects it had. */
SIMWORLD_FN int simworld_start(struct simworld *w)
{
	char port[16];
	const char *extra[] = {"--keep-state", "--port", port, NULL};

	snprintf(port, sizeof(port), "%d", w->port);
	if (simworld_cmd(w, "up", extra) < 0)
		return -1;
	return simworld_read_port(w);
}

struct simworld_buf {
	char *p;
	size_t len;
};

SIMWORLD_FN size_t simworld_on_write(char *ptr, size_t size, size_t nmemb,
				void *ud)
{
	struct simworld_buf *b = ud;
	size_t n = size * nmemb;
	char *q = realloc(b->p, b->len + n + 1);

	if (!q)
		abort();
	b->p = q;
	memcpy(b->p + b->len, ptr, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* One blocking request to the simulator as the admin. Returns the HTTP
 * status (0 when none) and, if out is given, the body (caller frees). */
SIMWORLD_FN long simworld_http(const struct simworld *w, const char *method,
			       const char *path, const char *ctype,
			       const char *body, char **out)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	struct simworld_buf b = {NULL, 0};
	char url[1024], ct[128];
	long code = 0;
	CURLcode rc;

	if (!h)
		return 0;
	snprintf(url, sizeof(url), "%s%s", w->base, path);
	hdrs = curl_slist_append(hdrs, "Authorization: Bearer admin-token");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (body) {
		snprintf(ct, sizeof(ct), "Content-Type: %s",
			 ctype ? ctype : "application/json");
		hdrs = curl_slist_append(hdrs, ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CAINFO, w->ca);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, simworld_on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	else
		fprintf(stderr, "simworld: %s %s: %s\n", method, path,
			curl_easy_strerror(rc));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (out)
		*out = b.p ? b.p : calloc(1, 1);
	else
		free(b.p);
	return code;
}

/* Adds fault rules (a JSON object or array, see kubesim.py). */
SIMWORLD_FN int simworld_fault(const struct simworld *w, const char *rules)
{
	return simworld_http(w, "POST", "/_sim/faults", NULL, rules, NULL) ==
		       200
		   ? 0
		   : -1;
}

/* Forgets faults and the request log. */
SIMWORLD_FN int simworld_reset(const struct simworld *w)
{
	if (simworld_http(w, "DELETE", "/_sim/faults", NULL, NULL, NULL) !=
	    200)
		return -1;
	return simworld_http(w, "DELETE", "/_sim/requests", NULL, NULL,
			     NULL) == 200
		   ? 0
		   : -1;
}

SIMWORLD_FN int simworld_compact(const struct simworld *w)
{
	return simworld_http(w, "POST", "/_sim/compact", NULL, "{}", NULL) ==
		       200
		   ? 0
		   : -1;
}

/* The request log, oldest first, as a JSON array (caller deletes). */
SIMWORLD_FN cJSON *simworld_requests(const struct simworld *w)
{
	char *body = NULL;
	cJSON *j = NULL;

	if (simworld_http(w, "GET", "/_sim/requests", NULL, NULL, &body) ==
	    200)
		j = cJSON_Parse(body);
	free(body);
	return j;
}

/* Logged requests with this method and path whose query contains
 * query_part (NULL: any). */
SIMWORLD_FN int simworld_count_requests(const cJSON *log, const char *method,
					const char *path,
					const char *query_part)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, log)
	{
		const cJSON *m, *p, *q;

		m = cJSON_GetObjectItemCaseSensitive(it, "method");
		p = cJSON_GetObjectItemCaseSensitive(it, "path");
		q = cJSON_GetObjectItemCaseSensitive(it, "query");

		if (!cJSON_IsString(m) || strcmp(m->valuestring, method) != 0)
			continue;
		if (!cJSON_IsString(p) || strcmp(p->valuestring, path) != 0)
			continue;
		if (query_part &&
		    (!cJSON_IsString(q) ||
		     !strstr(q->valuestring, query_part)))
			continue;
		n++;
	}
	return n;
}

/* Sets a node's Ready condition with a strategic merge patch (the list
 * of conditions is merged by type), as a kubelet would. */
SIMWORLD_FN int simworld_set_ready(const struct simworld *w,
				   const char *node, int ready)
{
	char path[300], body[400];

	snprintf(path, sizeof(path), "/api/v1/nodes/%s/status", node);
	snprintf(body, sizeof(body),
		 "{\"status\":{\"conditions\":[{\"type\":\"Ready\","
		 "\"status\":\"%s\",\"reason\":\"%s\"}]}}",
		 ready ? "True" : "False",
		 ready ? "KubeletReady" : "KubeletNotReady");
	return simworld_http(w, "PATCH", path,
			     "application/strategic-merge-patch+json", body,
			     NULL) == 200
		   ? 0
		   : -1;
}

/* Resolves a context of the world's kubeconfig (or of another file when
 * kubeconfig is not NULL) into a connection. */
SIMWORLD_FN int simworld_conn(const struct simworld *w,
			      const char *kubeconfig, const char *context,
			      struct kube_conn *out, struct err *e)
{
	struct kubeconfig *kc = NULL;
	struct kube_target t;
	int rc;

	memset(&t, 0, sizeof(t));
	memset(out, 0, sizeof(*out));
	rc = kubeconfig_load(&kc, kubeconfig ? kubeconfig : w->kubeconfig, e);
	if (rc < 0)
		return rc;
	rc = kubeconfig_resolve(kc, context, &t, e);
	if (rc == 0)
		kube_conn_from_target(out, &t);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	return rc;
}

#endif
