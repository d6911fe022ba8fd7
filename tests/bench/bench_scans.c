/* bench_scans.c - figures for the scan and pod models at scale: the heap a
 * store of 30,000 pods takes as the API sends them and compacted, the time
 * to compact them and to find where six images run; a Trivy report with
 * 5,000 vulnerabilities parsed; 10,000 Defender rows applied. Prints one
 * line per figure; no assertions (tests check behaviour). */
#include "backend/pods.h"
#include "backend/scan.h"
#include "backend/scan_defender.h"
#include "backend/scan_report.h"
#include "backend/xalloc.h"

#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NPODS 30000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t heap(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks;
}

static void digest_of(int i, char *buf, size_t sz)
{
	snprintf(buf, sz, "sha256:%064x", i);
}

#define POD_JSON                                                              \
	"{\"metadata\":{\"name\":\"web-%d-7d4b9c8f6d-x2x9z\","                \
	"\"generateName\":\"web-%d-7d4b9c8f6d-\",\"namespace\":"              \
	"\"a0005-%c\",\"uid\":\"5b0c4e9a-0000-4000-8000-%012d\","             \
	"\"resourceVersion\":\"%d\",\"creationTimestamp\":"                   \
	"\"2026-12-01T08:00:00Z\",\"labels\":{\"app\":\"web-%d\","            \
	"\"pod-template-hash\":\"7d4b9c8f6d\",\"app.kubernetes.io/"           \
	"part-of\":\"a0005\"},\"annotations\":{\"kubectl.kubernetes.io/"      \
	"restartedAt\":\"2026-12-01T08:00:00Z\"},\"ownerReferences\":[{"      \
	"\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":"        \
	"\"web-%d-7d4b9c8f6d\",\"uid\":\"1\",\"controller\":true,"            \
	"\"blockOwnerDeletion\":true}],\"managedFields\":[{\"manager\":"      \
	"\"kube-controller-manager\",\"operation\":\"Update\","               \
	"\"apiVersion\":\"v1\",\"time\":\"2026-12-01T08:00:00Z\","            \
	"\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{"          \
	"\"f:generateName\":{},\"f:labels\":{\".\":{},\"f:app\":{}}},"        \
	"\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"web\\\"}\":"     \
	"{\".\":{},\"f:image\":{},\"f:name\":{}}}}}},{\"manager\":"           \
	"\"kubelet\",\"operation\":\"Update\",\"apiVersion\":\"v1\","         \
	"\"time\":\"2026-12-01T08:00:05Z\",\"fieldsType\":\"FieldsV1\","      \
	"\"fieldsV1\":{\"f:status\":{\"f:conditions\":{},"                    \
	"\"f:containerStatuses\":{},\"f:phase\":{}}},\"subresource\":"        \
	"\"status\"}]},\"spec\":{\"volumes\":[{\"name\":"                     \
	"\"kube-api-access\",\"projected\":{\"sources\":[{"                   \
	"\"serviceAccountToken\":{\"expirationSeconds\":3607,\"path\":"       \
	"\"token\"}}],\"defaultMode\":420}}],\"containers\":[{\"name\":"      \
	"\"web\",\"image\":\"acrx.azurecr.io/live/app/web-%d:1.0\","          \
	"\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],"          \
	"\"env\":[{\"name\":\"MODE\",\"value\":\"prod\"}],"                   \
	"\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":"             \
	"\"256Mi\"}},\"volumeMounts\":[{\"name\":\"kube-api-access\","        \
	"\"readOnly\":true,\"mountPath\":\"/var/run/secrets/"                 \
	"kubernetes.io/serviceaccount\"}],\"imagePullPolicy\":"               \
	"\"IfNotPresent\"},{\"name\":\"sidecar\",\"image\":"                  \
	"\"acrx.azurecr.io/live/library/busybox:1.33.0\"}],"                  \
	"\"restartPolicy\":\"Always\",\"nodeName\":\"aks-nppool%02d-"         \
	"26621167-vmss%06d\",\"serviceAccountName\":\"default\"},"            \
	"\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":"        \
	"\"Ready\",\"status\":\"True\",\"lastTransitionTime\":"               \
	"\"2026-12-01T08:00:06Z\"},{\"type\":\"ContainersReady\","            \
	"\"status\":\"True\"},{\"type\":\"PodScheduled\",\"status\":"         \
	"\"True\"}],\"hostIP\":\"10.240.0.4\",\"podIP\":\"10.244.1.7\","      \
	"\"startTime\":\"2026-12-01T08:00:05Z\",\"containerStatuses\":["      \
	"{\"name\":\"web\",\"state\":{\"running\":{\"startedAt\":"            \
	"\"2026-12-01T08:00:06Z\"}},\"ready\":true,\"restartCount\":0,"       \
	"\"image\":\"acrx.azurecr.io/live/app/web-%d:1.0\",\"imageID\":"      \
	"\"acrx.azurecr.io/live/app/web-%d@%s\",\"containerID\":"             \
	"\"containerd://abc\",\"started\":true},{\"name\":\"sidecar\","       \
	"\"state\":{\"running\":{}},\"ready\":true,\"restartCount\":0,"       \
	"\"image\":\"acrx.azurecr.io/live/library/busybox:1.33.0\","          \
	"\"imageID\":\"acrx.azurecr.io/live/library/busybox@%s\","            \
	"\"started\":true}],\"qosClass\":\"Burstable\"}}"

/* A pod as the API sends it: managed fields, a spec with two containers,
 * volumes, conditions and two container statuses. */
static cJSON *make_pod(int i)
{
	char web[80], bb[80], *text;
	cJSON *p;

	digest_of(i % 500, web, sizeof(web));
	/* one sidecar in fifty runs a drifted busybox */
	digest_of(i % 50 ? 1000000 : 1000001, bb, sizeof(bb));
	text = xasprintf(POD_JSON, i, i, i % 2 ? 'i' : 'o', i, 1000 + i,
			 i % 500, i % 500, i % 500, i % 12, i / 6, i % 500,
			 i % 500, web, bb);
	p = cJSON_Parse(text);
	free(text);
	return p;
}

static void bench_pods(void)
{
	cJSON **pods = xcalloc(NPODS, sizeof(*pods));
	const char *vetted[] = {NULL, NULL};
	char vd[80];
	struct pods_image img = {
	    .upstream_registry = "docker.io",
	    .path = "library/busybox",
	    .registry_host = "acrx.azurecr.io",
	    .live_repo = "live/library/busybox",
	    .quarantine_repo = "quarantine/library/busybox",
	    .vetted = vetted,
	};
	struct pod_run *runs;
	size_t before = heap(), full, compact, n = 0;
	double t0, t1;
	int i, k;

	for (i = 0; i < NPODS; i++)
		pods[i] = make_pod(i);
	full = heap() - before;
	t0 = now_s();
	for (i = 0; i < NPODS; i++)
		pods_compact(pods[i]);
	t1 = now_s();
	malloc_trim(0);
	compact = heap() - before;
	printf("pods: %d pods as the API sends them %.1f MiB of heap, "
	       "compacted %.1f MiB (%.0f bytes a pod); compacting took "
	       "%.0f ms\n",
	       NPODS, full / 1048576.0, compact / 1048576.0,
	       (double)compact / NPODS, (t1 - t0) * 1000);
	digest_of(1000000, vd, sizeof(vd));
	vetted[0] = vd;
	t0 = now_s();
	for (k = 0; k < 6; k++) {
		n = pods_runs((const cJSON *const *)pods, NPODS, &img, NULL,
			      &runs);
		free(runs);
	}
	t1 = now_s();
	printf("pods: where one image runs among %d pods: %zu containers, "
	       "%.1f ms an image\n",
	       NPODS, n, (t1 - t0) * 1000 / 6);
	for (i = 0; i < NPODS; i++)
		cJSON_Delete(pods[i]);
	free(pods);
}

static void bench_trivy(void)
{
	size_t cap = 6000 * 400, len = 0;
	char *text = xmalloc(cap);
	struct scan_report r;
	struct err e;
	double t0, t1;
	int i, rc;

	len += (size_t)snprintf(
	    text + len, cap - len,
	    "{\"SchemaVersion\":2,\"ArtifactName\":\"x:1\",\"Metadata\":"
	    "{\"OS\":{\"Family\":\"debian\"},\"RepoDigests\":[\"x@"
	    "sha256:%064d\"]},\"Results\":[{\"Target\":\"x\","
	    "\"Vulnerabilities\":[",
	    1);
	for (i = 0; i < 5000; i++)
		len += (size_t)snprintf(
		    text + len, cap - len,
		    "%s{\"VulnerabilityID\":\"CVE-2021-%05d\",\"PkgName\":"
		    "\"pkg%d\",\"InstalledVersion\":\"1.%d\","
		    "\"FixedVersion\":\"1.%d\",\"Status\":\"fixed\","
		    "\"Severity\":\"%s\",\"Title\":\"a title for finding "
		    "%d\",\"CVSS\":{\"nvd\":{\"V3Score\":%d.5}}}",
		    i ? "," : "", i, i % 300, i, i + 1,
		    i % 4 ? "MEDIUM" : "HIGH", i, i % 10);
	len += (size_t)snprintf(text + len, cap - len, "]}]}");
	t0 = now_s();
	rc = scan_report_parse(text, len, "bench.json", &r, &e);
	t1 = now_s();
	printf("trivy: a %zu KiB report with 5000 vulnerabilities parsed in "
	       "%.0f ms (%s)\n",
	       len / 1024, (t1 - t0) * 1000, rc == 0 ? "ok" : e.msg);
	if (rc == 0)
		scan_report_free(&r);
	free(text);
}

static void bench_defender(void)
{
	cJSON *rows = cJSON_CreateArray();
	struct scan_image im;
	struct scan_defender_stats st;
	double t0, t1;
	int i;

	memset(&im, 0, sizeof(im));
	digest_of(7, im.digest, sizeof(im.digest));
	im.src[SCAN_DEFENDER].asked = im.src[SCAN_DEFENDER].answered = 1;
	for (i = 0; i < 10000; i++) {
		char *text = xasprintf(
		    "{\"id\":\"/subscriptions/s/resourceGroups/rg/providers/"
		    "Microsoft.ContainerRegistry/registries/acrx/providers/"
		    "Microsoft.Security/assessments/%s/subAssessments/%d\","
		    "\"properties\":{\"id\":\"CVE-2021-%05d\",\"displayName\":"
		    "\"finding %d\",\"status\":{\"code\":\"Unhealthy\","
		    "\"severity\":\"High\"},\"additionalData\":{"
		    "\"assessedResourceType\":"
		    "\"AzureContainerRegistryVulnerability\",\"cvssV30Score\":"
		    "7.5,\"artifactDetails\":{\"digest\":\"%s\"},"
		    "\"softwareDetails\":{\"packageName\":\"p%d\","
		    "\"version\":\"1\",\"fixedVersion\":\"2\",\"fixStatus\":"
		    "\"FixAvailable\"}}}}",
		    SCAN_DEFENDER_KEY_MDVM, i, i % 2000, i, im.digest, i % 7);

		cJSON_AddItemToArray(rows, cJSON_Parse(text));
		free(text);
	}
	memset(&st, 0, sizeof(st));
	t0 = now_s();
	scan_defender_apply(rows, &im, 1, &st);
	scan_image_combine(&im, time(NULL), 4 * 3600);
	t1 = now_s();
	printf("defender: 10000 rows applied and combined in %.0f ms (%zu "
	       "distinct findings)\n",
	       (t1 - t0) * 1000, im.findings.n);
	scan_image_free(&im);
	cJSON_Delete(rows);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	bench_pods();
	bench_trivy();
	bench_defender();
	return 0;
}
