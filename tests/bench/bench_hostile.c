/* bench_hostile.c - CPU figures for inputs a hostile or broken world can
 * hand over: the audit log's tail after a 50 MB line, the Flux dependency
 * walk over a long dependsOn chain. Prints one line per figure; no
 * assertions (tests check behaviour, this measures it). */
#include "backend/audit.h"
#include "backend/flux.h"
#include "backend/xalloc.h"
#include "cli/print.h"

#include <cjson/cJSON.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A log whose first record carries 50 MB, then n_after short records. */
static void write_log(const char *path, size_t big, int n_after)
{
	FILE *f = fopen(path, "w");
	char *pad = xmalloc(big + 1);
	int i;

	if (!f)
		exit(1);
	memset(pad, 'p', big);
	pad[big] = '\0';
	fprintf(f, "{\"seq\":1,\"action\":\"big\",\"pad\":\"%s\"}\n", pad);
	for (i = 0; i < n_after; i++)
		fprintf(f, "{\"seq\":%d,\"action\":\"small\"}\n", i + 2);
	fclose(f);
	free(pad);
}

static void bench_audit_tail(void)
{
	char dir[] = "/tmp/jd-bench-audit.XXXXXX", path[64];
	struct audit_entry *v = NULL;
	struct err e;
	size_t n = 0, big = 50u << 20;
	double t0, t1;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	write_log(path, big, 3);
	t0 = now_s();
	audit_read_tail(path, 50, &v, &n, &e);
	t1 = now_s();
	audit_entries_free(&v, n);
	printf("audit: the last 50 records when the log holds a 50 MB "
	       "record: %.3f s (%zu read)\n",
	       t1 - t0, n);
	write_log(path, big, 0);
	t0 = now_s();
	audit_read_tail(path, 1, &v, &n, &e);
	t1 = now_s();
	audit_entries_free(&v, n);
	printf("audit: the last record when it is 50 MB: %.3f s\n", t1 - t0);
	unlink(path);
	rmdir(dir);
}

/* Kustomizations k0 ... k(n-1), each depending on the next; the last
 * failed, every other one waiting for it (not Ready). */
static struct flux_object *make_chain(size_t n)
{
	struct flux_object *v = xcalloc(n, sizeof(*v));
	struct err e;
	size_t i;

	for (i = 0; i < n; i++) {
		char buf[1024];
		cJSON *j;

		if (i + 1 < n)
			snprintf(buf, sizeof(buf),
				 "{\"metadata\":{\"name\":\"k%zu\","
				 "\"namespace\":\"flux-system\","
				 "\"generation\":1},\"spec\":{\"dependsOn\":"
				 "[{\"name\":\"k%zu\"}]},\"status\":"
				 "{\"observedGeneration\":1,\"conditions\":"
				 "[{\"type\":\"Ready\",\"status\":\"False\","
				 "\"reason\":\"DependencyNotReady\","
				 "\"message\":\"dependency not ready\"}]}}",
				 i, i + 1);
		else
			snprintf(buf, sizeof(buf),
				 "{\"metadata\":{\"name\":\"k%zu\","
				 "\"namespace\":\"flux-system\","
				 "\"generation\":1},\"status\":"
				 "{\"observedGeneration\":1,\"conditions\":"
				 "[{\"type\":\"Ready\",\"status\":\"False\","
				 "\"reason\":\"BuildFailed\","
				 "\"message\":\"kustomize build failed\"}]}}",
				 i);
		j = cJSON_Parse(buf);
		if (flux_object_from_json(&v[i], FLUX_KUSTOMIZATION, j, &e) <
		    0) {
			fprintf(stderr, "bench: %s\n", e.msg);
			exit(1);
		}
		cJSON_Delete(j);
	}
	return v;
}

/* What a watch event costs the Flux pane, flux --json and the table:
 * the dependency root of every object of a long chain. */
static void bench_dep_chain(size_t n)
{
	struct flux_object *v = make_chain(n);
	FILE *devnull = fopen("/dev/null", "w");
	double t0, t1, t2;
	char *js;

	t0 = now_s();
	js = flux_to_json(NULL, 0, v, n, NULL);
	t1 = now_s();
	free(js);
	flux_print_table(devnull, FLUX_TABLE_KUSTOMIZATIONS, v, n, 0);
	t2 = now_s();
	printf("flux: dependsOn chain of %zu: flux --json %.3f s, the "
	       "table %.3f s\n",
	       n, t1 - t0, t2 - t1);
	fclose(devnull);
	flux_objects_free(&v, n);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	bench_audit_tail();
	bench_dep_chain(1000);
	bench_dep_chain(2000);
	return 0;
}
