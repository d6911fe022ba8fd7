/* bench_hostile.c - CPU figures for inputs a hostile or broken world can
 * hand over: the audit log's tail after a 50 MB line, the Flux dependency
 * walk over a long dependsOn chain. Prints one line per figure; no
 * assertions (tests check behaviour, this measures it). */
#include "backend/audit.h"
#include "backend/flux.h"
#include "backend/xalloc.h"

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

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	bench_audit_tail();
	return 0;
}
