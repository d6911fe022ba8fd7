/* cli_scans.c - `jumpdeck scans [--json] [--reports DIR] [IMAGE]`: each
 * image's scan verdict, severity counts, sources, the gate's verdict and
 * the pods that run its digest, as a table, one image in detail, or one
 * JSON document. Exit 1 when the gate blocks an image. */
#include "cli.h"
#include "cli_session.h"
#include "backend/config.h"
#include "backend/http.h"
#include "backend/json.h"
#include "backend/kubeconfig.h"
#include "backend/pipeline.h"
#include "backend/pods.h"
#include "backend/scans.h"
#include "backend/scans_feed.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 180000

static const char *const ks_paths[] = {
    "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations",
    "/apis/kustomize.toolkit.fluxcd.io/v1beta2/kustomizations",
    "/apis/kustomize.toolkit.fluxcd.io/v1beta1/kustomizations",
    NULL,
};

struct srun {
	const struct cli_opts *o;
	struct loop *loop;
	struct pipeline *p;
	struct scans *sc;
	struct kube_client *kube;
	char cluster_why[600]; /* why pods were not read, or "" */
	int pods_done, ks_done, ks_try;
	cJSON *pods; /* the compacted pod list's items */
	struct pods_inventory *inv;
	int timed_out;
	long long started;
	unsigned tick;
};

/* ---- waiting ------------------------------------------------------------ */

static void on_timeout(void *ud)
{
	((struct srun *)ud)->timed_out = 1;
}

static void on_tick(void *ud)
{
	struct srun *r = ud;
	const char *what =
	    r->sc ? scans_status(r->sc, NULL) : "checking the registry";
	char *safe = text_safe(what, 60, NULL);

	fprintf(stderr, "\r%s (%llds)%10s", safe,
		(loop_now_ms() - r->started) / 1000, "");
	free(safe);
	r->tick = loop_timer_add(r->loop, 1000, on_tick, r);
}

static int busy(const struct srun *r)
{
	if (r->p && pipeline_busy(r->p) && !r->sc)
		return 1;
	if (r->sc && scans_busy(r->sc))
		return 1;
	return r->kube && (!r->pods_done || !r->ks_done);
}

static void wait_all(struct srun *r)
{
	unsigned t = loop_timer_add(r->loop, WAIT_MS, on_timeout, r);

	while (!r->timed_out && busy(r))
		loop_run_once(r->loop, -1);
	loop_timer_cancel(r->loop, t);
}

/* ---- the cluster -------------------------------------------------------- */

static void compact(cJSON *pod, void *ud)
{
	(void)ud;
	pods_compact(pod);
}

static void on_pods(struct kube_result *res, void *ud)
{
	struct srun *r = ud;

	r->pods_done = 1;
	if (!res->ok) {
		text_safe_buf(r->cluster_why, sizeof(r->cluster_why),
			      res->err.msg, 500);
		return;
	}
	r->pods = cJSON_DetachItemFromObject(res->json, "items");
}

static void list_ks(struct srun *r);

static void on_ks(struct kube_result *res, void *ud)
{
	struct srun *r = ud;
	const cJSON *k;

	if (!res->ok && res->status == 404 && ks_paths[r->ks_try + 1]) {
		r->ks_try++;
		list_ks(r);
		return;
	}
	r->ks_done = 1;
	/* No Flux, or not allowed to read it: labels still say who owns a
	 * pod. */
	if (!res->ok)
		return;
	cJSON_ArrayForEach(
	    k, cJSON_GetObjectItemCaseSensitive(res->json, "items"))
	{
		pods_inventory_add(r->inv, k);
	}
}

static void list_ks(struct srun *r)
{
	kube_list(r->kube, ks_paths[r->ks_try], on_ks, r);
}

static void open_cluster(struct srun *r)
{
	struct kubeconfig *kc = NULL;
	struct kube_target t;
	struct kube_conn conn;
	struct err e;

	err_clear(&e);
	memset(&t, 0, sizeof(t));
	if (kubeconfig_load(&kc, r->o->kubeconfig, &e) < 0 ||
	    kubeconfig_resolve(kc, r->o->context, &t, &e) < 0) {
		text_safe_buf(r->cluster_why, sizeof(r->cluster_why), e.msg,
			      500);
		kubeconfig_free(&kc);
		return;
	}
	kube_conn_from_target(&conn, &t);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	if (kube_client_new(&r->kube, r->loop, &conn, &e) < 0) {
		text_safe_buf(r->cluster_why, sizeof(r->cluster_why), e.msg,
			      500);
		kube_conn_clear(&conn);
		return;
	}
	kube_conn_clear(&conn);
	kube_client_set_foreground(r->kube, NULL, NULL, isatty(0));
	r->inv = pods_inventory_new();
	kube_list_each(r->kube, "/api/v1/pods", compact, NULL, on_pods, r);
	list_ks(r);
}

/* ---- the scans ---------------------------------------------------------- */

static int start_scans(struct srun *r, const struct config *cfg)
{
	struct err e;

	err_clear(&e);
	r->sc = scans_feed_new(r->loop, r->p, cfg, r->o->reports, 0, NULL,
			       NULL, &e);
	if (!r->sc) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		return 2;
	}
	scans_feed(r->sc, r->p, r->o->audit_log);
	return 0;
}

/* ---- where a digest runs ------------------------------------------------ */

static size_t runs_of(struct srun *r, const struct scan_image *im,
		      struct pod_run **out)
{
	struct scans_pods_query q;
	const cJSON **pods;
	size_t n, count;

	*out = NULL;
	if (!r->pods || scans_pods_query(&q, im, r->p) < 0)
		return 0;
	pods = pods_vector(r->pods, &n);
	count = pods_runs(pods, n, &q.img, r->inv, out);
	free(pods);
	return count;
}

/* ---- JSON --------------------------------------------------------------- */

static void add_time(cJSON *o, const char *key, time_t t)
{
	char buf[TIMEFMT_RFC3339_LEN];

	if (t > 0)
		cJSON_AddStringToObject(o, key,
					timefmt_rfc3339(t, buf, sizeof(buf)));
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *counts_json(const unsigned c[SCAN_SEV_COUNT])
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "critical", c[SCAN_SEV_CRITICAL]);
	cJSON_AddNumberToObject(o, "high", c[SCAN_SEV_HIGH]);
	cJSON_AddNumberToObject(o, "medium", c[SCAN_SEV_MEDIUM]);
	cJSON_AddNumberToObject(o, "low", c[SCAN_SEV_LOW]);
	cJSON_AddNumberToObject(o, "negligible", c[SCAN_SEV_NEGLIGIBLE]);
	cJSON_AddNumberToObject(o, "unknown", c[SCAN_SEV_UNKNOWN]);
	return o;
}

static void sources_text(unsigned bits, char *buf, size_t sz)
{
	scan_sources_text(bits, ",", buf, sz);
}

static cJSON *finding_json(const struct scan_finding *f,
			   const struct scan_policy *p, time_t now)
{
	cJSON *o = cJSON_CreateObject(), *src = cJSON_CreateArray();
	const struct scan_allow *a;
	enum scan_gate_mark m = scan_gate_finding(p, f, now, &a);
	static const char *const marks[] = {"passes", "blocks", "allowed",
					    "expired"};
	char s[64];
	int k;

	cJSON_AddStringToObject(o, "id", f->id);
	cJSON_AddStringToObject(o, "severity", scan_sev_name(f->sev));
	if (f->cvss >= 0)
		cJSON_AddNumberToObject(o, "cvss", f->cvss);
	else
		cJSON_AddNullToObject(o, "cvss");
	cJSON_AddStringToObject(o, "package", f->package);
	cJSON_AddStringToObject(o, "installedVersion", f->installed);
	cJSON_AddStringToObject(o, "fixedVersion", f->fixed);
	cJSON_AddStringToObject(o, "fixStatus", scan_fix_name(f->fix));
	cJSON_AddStringToObject(o, "title", f->title);
	cJSON_AddStringToObject(o, "digest", f->digest);
	sources_text(f->sources, s, sizeof(s));
	cJSON_AddStringToObject(o, "source", s);
	for (k = 0; k < SCAN_NSOURCES; k++) {
		if (f->sources & (1u << k))
			cJSON_AddItemToArray(
			    src, cJSON_CreateString(
				     scan_source_name((enum scan_source)k)));
	}
	cJSON_AddItemToObject(o, "sources", src);
	cJSON_AddStringToObject(o, "gate", marks[m]);
	if (a) {
		cJSON *al = cJSON_AddObjectToObject(o, "allowList");

		cJSON_AddStringToObject(al, "until", a->until_text);
		cJSON_AddStringToObject(al, "reason", a->reason);
	}
	return o;
}

static cJSON *runs_json(struct srun *r, const struct pod_run *v, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *list;
	size_t i;

	cJSON_AddBoolToObject(o, "checked", r->pods != NULL);
	if (!r->pods) {
		cJSON_AddStringToObject(o, "why",
					r->cluster_why[0]
					    ? r->cluster_why
					    : "the pods were not read in "
					      "time");
		return o;
	}
	cJSON_AddNumberToObject(o, "alerts", (double)pods_alerts(v, n));
	list = cJSON_AddArrayToObject(o, "pods");
	for (i = 0; i < n; i++) {
		cJSON *p = cJSON_CreateObject();

		cJSON_AddStringToObject(p, "namespace", v[i].ns);
		cJSON_AddStringToObject(p, "pod", v[i].name);
		cJSON_AddStringToObject(p, "container", v[i].container);
		cJSON_AddStringToObject(p, "node", v[i].node);
		cJSON_AddStringToObject(p, "image", v[i].image);
		cJSON_AddStringToObject(p, "digest", v[i].digest);
		cJSON_AddBoolToObject(p, "vetted", v[i].vetted);
		if (v[i].ks_name[0]) {
			cJSON *k = cJSON_AddObjectToObject(p, "kustomization");

			cJSON_AddStringToObject(k, "namespace", v[i].ks_ns);
			cJSON_AddStringToObject(k, "name", v[i].ks_name);
			cJSON_AddStringToObject(k, "from", v[i].ks_how);
		} else {
			cJSON_AddNullToObject(p, "kustomization");
		}
		if (v[i].alert[0])
			cJSON_AddStringToObject(p, "alert", v[i].alert);
		else
			cJSON_AddNullToObject(p, "alert");
		cJSON_AddItemToArray(list, p);
	}
	return o;
}

/* "live": what live/ holds; null when the pipeline does not know. */
static void live_json(cJSON *o, struct srun *r, const struct scan_image *im)
{
	struct scans_live l;
	cJSON *lo;

	if (scans_live_of(&l, im, r->p) < 0 || !l.checked) {
		cJSON_AddNullToObject(o, "live");
		return;
	}
	lo = cJSON_AddObjectToObject(o, "live");
	cJSON_AddStringToObject(lo, "reference", l.ref);
	if (l.exists)
		cJSON_AddStringToObject(lo, "digest", l.digest);
	else
		cJSON_AddNullToObject(lo, "digest");
	cJSON_AddBoolToObject(lo, "vetted", l.vetted);
}

static cJSON *image_json(struct srun *r, size_t idx, size_t *alerts,
			 int *blocked)
{
	const struct scan_image *v;
	const struct scan_image *im;
	cJSON *o = cJSON_CreateObject(), *a, *g;
	struct scan_gate gate;
	struct pod_run *runs;
	size_t i, nr;
	char *safe;
	time_t now = time(NULL);
	int k;

	scans_images(r->sc, &v);
	im = &v[idx];
	safe = text_safe(im->image, -1, NULL);
	cJSON_AddStringToObject(o, "image", safe);
	free(safe);
	cJSON_AddStringToObject(o, "repository", im->repo);
	cJSON_AddStringToObject(o, "tag", im->tag);
	if (im->digest[0])
		cJSON_AddStringToObject(o, "digest", im->digest);
	else
		cJSON_AddNullToObject(o, "digest");
	a = cJSON_AddArrayToObject(o, "platforms");
	for (i = 0; i < im->nplatforms; i++) {
		cJSON *p = cJSON_CreateObject();

		cJSON_AddStringToObject(p, "platform", im->platform_names[i]);
		cJSON_AddStringToObject(p, "digest", im->platforms[i]);
		cJSON_AddItemToArray(a, p);
	}
	live_json(o, r, im);
	cJSON_AddStringToObject(o, "verdict", scan_verdict_name(im->verdict));
	cJSON_AddStringToObject(o, "why", im->why);
	cJSON_AddItemToObject(o, "counts", counts_json(im->counts));
	cJSON_AddNumberToObject(o, "fixable", im->fixable);
	add_time(o, "scannedAt", im->scanned_at);
	add_time(o, "importedAt", im->imported_at);
	cJSON_AddBoolToObject(o, "disagree", im->disagree);
	a = cJSON_AddArrayToObject(o, "sources");
	for (k = 0; k < SCAN_NSOURCES; k++) {
		const struct scan_source_result *s = &im->src[k];
		cJSON *so;

		if (!s->asked)
			continue;
		so = cJSON_CreateObject();
		cJSON_AddStringToObject(so, "name",
					scan_source_name((enum scan_source)k));
		cJSON_AddStringToObject(so, "origin", s->origin);
		cJSON_AddStringToObject(so, "verdict",
					scan_verdict_name(s->verdict));
		cJSON_AddItemToObject(so, "counts", counts_json(s->counts));
		cJSON_AddNumberToObject(so, "fixable", s->fixable);
		add_time(so, "scannedAt", s->scanned_at);
		cJSON_AddStringToObject(so, "why", s->why);
		cJSON_AddItemToArray(a, so);
	}
	scans_gate(r->sc, idx, &gate);
	*blocked = gate.blocked;
	g = cJSON_AddObjectToObject(o, "gate");
	cJSON_AddBoolToObject(g, "blocked", gate.blocked);
	cJSON_AddStringToObject(g, "why", gate.why);
	a = cJSON_AddArrayToObject(g, "blocking");
	for (i = 0; i < gate.nblocking && i < SCAN_GATE_LIST; i++)
		cJSON_AddItemToArray(
		    a,
		    cJSON_CreateString(im->findings.v[gate.blocking[i]].id));
	cJSON_AddNumberToObject(g, "allowed", (double)gate.nallowed);
	a = cJSON_AddArrayToObject(o, "findings");
	for (i = 0; i < im->findings.n; i++)
		cJSON_AddItemToArray(a,
				     finding_json(&im->findings.v[i],
						  scans_policy(r->sc), now));
	if (im->dropped)
		cJSON_AddNumberToObject(o, "findingsDropped",
					(double)im->dropped);
	nr = runs_of(r, im, &runs);
	*alerts = pods_alerts(runs, nr);
	cJSON_AddItemToObject(o, "runs", runs_json(r, runs, nr));
	free(runs);
	return o;
}

static int print_json(struct srun *r, const size_t *which, size_t nwhich)
{
	cJSON *doc = cJSON_CreateObject(), *list, *sum, *pr;
	char *const *problems = scans_problems(r->sc);
	size_t i, alerts = 0, nblocked = 0, count[5] = {0};
	const struct scan_image *v;
	int is_err;
	char *out;

	scans_images(r->sc, &v);
	cJSON_AddStringToObject(doc, "registry", pipeline_registry(r->p));
	cJSON_AddStringToObject(doc, "quarantineRegistry",
				pipeline_quarantine_registry(r->p));
	list = cJSON_AddArrayToObject(doc, "images");
	for (i = 0; i < nwhich; i++) {
		size_t a = 0;
		int blocked = 0;

		cJSON_AddItemToArray(list,
				     image_json(r, which[i], &a, &blocked));
		alerts += a;
		nblocked += (size_t)blocked;
		count[v[which[i]].verdict]++;
	}
	pr = cJSON_AddArrayToObject(doc, "problems");
	for (i = 0; problems[i]; i++)
		cJSON_AddItemToArray(pr, cJSON_CreateString(problems[i]));
	cJSON_AddStringToObject(doc, "status", scans_status(r->sc, &is_err));
	sum = cJSON_AddObjectToObject(doc, "summary");
	cJSON_AddNumberToObject(sum, "total", (double)nwhich);
	cJSON_AddNumberToObject(sum, "blocked", (double)nblocked);
	cJSON_AddNumberToObject(sum, "healthy", (double)count[SCAN_HEALTHY]);
	cJSON_AddNumberToObject(sum, "unhealthy",
				(double)count[SCAN_UNHEALTHY]);
	cJSON_AddNumberToObject(sum, "unverified",
				(double)count[SCAN_UNVERIFIED]);
	cJSON_AddNumberToObject(sum, "pending", (double)count[SCAN_PENDING]);
	cJSON_AddNumberToObject(sum, "unknown", (double)count[SCAN_UNKNOWN]);
	cJSON_AddNumberToObject(sum, "alerts", (double)alerts);
	out = json_print_free(doc, 1);
	cli_json(out);
	free(out);
	return nblocked ? 1 : 0;
}

/* ---- text --------------------------------------------------------------- */

static void age_text(time_t t, char *buf, size_t sz)
{
	if (t <= 0)
		snprintf(buf, sz, "-");
	else
		timefmt_age(t, time(NULL), buf, sz);
}

/* "DTG": the sources that answered (Defender, Trivy, Grype), or "-". */
static void letters_of(const struct scan_image *im, char *buf, size_t sz)
{
	static const char letter[SCAN_NSOURCES] = {'D', 'T', 'G'};
	size_t len = 0;
	int k;

	for (k = 0; k < SCAN_NSOURCES && len + 1 < sz; k++) {
		if (im->src[k].asked && im->src[k].answered)
			buf[len++] = letter[k];
	}
	if (!len && sz > 1)
		buf[len++] = '-';
	buf[len] = '\0';
}

/* "library/busybox:1.33.0": the repository without quarantine/. */
static void short_name(const struct scan_image *im, char *buf, size_t sz)
{
	const char *slash = strchr(im->repo, '/');

	snprintf(buf, sz, "%s:%s", slash ? slash + 1 : im->repo, im->tag);
}

static void print_runs(const struct cli_opts *o, struct srun *r,
		       const struct scan_image *im, int detail)
{
	struct pod_run *runs;
	size_t n = runs_of(r, im, &runs), i;

	if (!r->pods) {
		if (detail)
			printf("  runs: not checked (%s)\n",
			       r->cluster_why[0] ? r->cluster_why
						 : "the pods were not read in "
						   "time");
		free(runs);
		return;
	}
	if (detail)
		printf("  runs in %zu container%s%s\n", n, n == 1 ? "" : "s",
		       n ? ":" : "");
	for (i = 0; i < n; i++) {
		const struct pod_run *p = &runs[i];

		if (!detail && !p->alert[0])
			continue;
		printf("  %s %s/%s %s%s%s%s%s%s\n",
		       p->alert[0] ? (cli_ascii(o) ? "!" : "\u26a0")
				   : cli_mark(o, 1),
		       p->ns, p->name, p->container,
		       p->ks_name[0] ? " (kustomization " : "", p->ks_ns,
		       p->ks_name[0] ? "/" : "", p->ks_name,
		       p->ks_name[0] ? ")" : "");
		if (p->alert[0])
			printf("      %s\n", p->alert);
	}
	free(runs);
}

static void print_detail(const struct cli_opts *o, struct srun *r, size_t idx)
{
	const struct scan_image *v, *im;
	struct scan_gate g;
	struct scans_live live;
	char buf[700], age[TIMEFMT_AGE_LEN], fix[260];
	size_t i;
	int k;

	scans_images(r->sc, &v);
	im = &v[idx];
	{
		char *img = text_safe(im->image, -1, NULL);

		printf("%s\n", img);
		free(img);
	}
	printf("  quarantine  %s:%s %s\n", im->repo, im->tag,
	       im->digest[0] ? im->digest : "(not there)");
	for (i = 0; i < im->nplatforms; i++)
		printf("              %-14s %s\n", im->platform_names[i],
		       im->platforms[i]);
	if (im->platforms_err[0])
		printf("  platforms   not read: %s\n", im->platforms_err);
	if (scans_live_of(&live, im, r->p) == 0)
		printf("  live        %s %s\n", live.ref,
		       scans_live_text(&live, buf, sizeof(buf)));
	printf("  verdict     %s%s%s\n", scan_verdict_name(im->verdict),
	       im->why[0] ? ": " : "", im->why);
	printf("  findings    %s, %u fixable\n",
	       scan_counts_text(im->counts, buf, sizeof(buf)), im->fixable);
	age_text(im->scanned_at, age, sizeof(age));
	printf("  scanned     %s ago\n", age);
	for (k = 0; k < SCAN_NSOURCES; k++) {
		const struct scan_source_result *s = &im->src[k];

		if (!s->asked)
			continue;
		age_text(s->scanned_at, age, sizeof(age));
		printf("  %-11s %s: %s (%s)%s%s\n",
		       scan_source_name((enum scan_source)k),
		       s->origin[0] ? s->origin : "-",
		       scan_verdict_name(s->verdict),
		       scan_counts_text(s->counts, buf, sizeof(buf)),
		       s->why[0] ? "; " : "", s->why);
	}
	if (im->disagree)
		printf("  %s the sources disagree\n",
		       cli_ascii(o) ? "!" : "\u26a0");
	scans_gate(r->sc, idx, &g);
	printf("  gate        %s\n", g.why);
	if (im->findings.n)
		printf("\n  %-18s %-10s %4s %-16s %-28s %-13s %s\n", "ID",
		       "SEVERITY", "CVSS", "PACKAGE", "INSTALLED -> FIXED",
		       "FIX", "SOURCE");
	for (i = 0; i < im->findings.n; i++) {
		const struct scan_finding *f = &im->findings.v[i];
		char cvss[16], src[64];

		if (f->cvss >= 0)
			snprintf(cvss, sizeof(cvss), "%.1f", f->cvss);
		else
			snprintf(cvss, sizeof(cvss), "-");
		snprintf(fix, sizeof(fix), "%s -> %s",
			 f->installed[0] ? f->installed : "?",
			 f->fixed[0] ? f->fixed : "-");
		sources_text(f->sources, src, sizeof(src));
		printf("  %-18s %-10s %4s %-16s %-28s %-13s %s\n", f->id,
		       scan_sev_name(f->sev), cvss,
		       f->package[0] ? f->package : "-", fix,
		       scan_fix_name(f->fix), src);
		if (f->title[0])
			printf("  %18s %s\n", "", f->title);
	}
	printf("\n");
	print_runs(o, r, im, 1);
}

static int print_table(const struct cli_opts *o, struct srun *r)
{
	const struct scan_image *v;
	size_t n = scans_images(r->sc, &v), i;
	int blocked = 0;

	printf("%-30s %-10s %3s %3s %3s %3s %3s %5s %-3s %s\n", "IMAGE",
	       "VERDICT", "C", "H", "M", "L", "FIX", "AGE", "SRC", "GATE");
	for (i = 0; i < n; i++) {
		struct scan_gate g;
		char age[TIMEFMT_AGE_LEN], src[8], name[800], *safe;

		scans_gate(r->sc, i, &g);
		blocked |= g.blocked;
		age_text(v[i].scanned_at, age, sizeof(age));
		letters_of(&v[i], src, sizeof(src));
		short_name(&v[i], name, sizeof(name));
		safe = text_safe(name, 30, NULL);
		printf(
		    "%-30s %-10s %3u %3u %3u %3u %3u %5s %-3s %s\n", safe,
		    scan_verdict_name(v[i].verdict),
		    v[i].counts[SCAN_SEV_CRITICAL], v[i].counts[SCAN_SEV_HIGH],
		    v[i].counts[SCAN_SEV_MEDIUM], v[i].counts[SCAN_SEV_LOW],
		    v[i].fixable, age, src, g.blocked ? "blocked" : "passes");
		free(safe);
	}
	printf("\nSRC: D Defender, T Trivy report, G Grype report\n\n");
	for (i = 0; i < n; i++) {
		struct scan_gate g;
		char *img = text_safe(v[i].image, -1, NULL);

		scans_gate(r->sc, i, &g);
		if (g.blocked)
			printf("%s %s: %s\n", cli_mark(o, 0), img, g.why);
		else if (v[i].why[0])
			printf("%s %s: %s\n", cli_mark(o, 1), img, v[i].why);
		free(img);
		print_runs(o, r, &v[i], 0);
	}
	return blocked;
}

/* ---- the command -------------------------------------------------------- */

static void print_problems(struct srun *r)
{
	char *const *p = scans_problems(r->sc);
	size_t i;

	for (i = 0; p[i]; i++)
		fprintf(stderr, "jumpdeck: %s\n", p[i]);
}

int cli_scans(const struct cli_opts *o, int argc, char **argv)
{
	struct srun r;
	struct config cfg;
	struct err e;
	size_t *which = NULL, nwhich = 0, i, idx;
	const struct scan_image *v;
	int rc, is_err;

	if (argc > 1) {
		fprintf(stderr, "jumpdeck: usage: jumpdeck scans [--json] "
				"[--reports DIR] [IMAGE]\n");
		return 2;
	}
	memset(&r, 0, sizeof(r));
	r.o = o;
	rc = cli_load_config(o, &cfg);
	if (rc)
		return rc;
	if (http_global_init(&e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		config_free(&cfg);
		return 1;
	}
	r.loop = loop_new();
	r.started = loop_now_ms();
	err_clear(&e);
	r.p = pipeline_new(r.loop, &cfg,
			   AZURE_SRC_ENV | AZURE_SRC_IMDS | AZURE_SRC_CLI,
			   NULL, &r, &e);
	rc = 0;
	if (!r.p) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		rc = 2;
		goto out;
	}
	if (isatty(2))
		r.tick = loop_timer_add(r.loop, 1000, on_tick, &r);
	open_cluster(&r);
	pipeline_refresh(r.p);
	wait_all(&r);
	if (pipeline_status(r.p, &is_err) && is_err) {
		char *m = text_safe(pipeline_status(r.p, NULL), -1, NULL);

		fprintf(stderr, "jumpdeck: %s\n", m);
		free(m);
		rc = 1;
		goto out;
	}
	rc = start_scans(&r, &cfg);
	if (rc)
		goto out;
	wait_all(&r);
	if (r.tick) {
		loop_timer_cancel(r.loop, r.tick);
		fprintf(stderr, "\r%70s\r", "");
	}
	if (r.timed_out)
		fprintf(stderr,
			"jumpdeck: stopped waiting after %d s; what "
			"had not answered is unknown\n",
			WAIT_MS / 1000);
	scans_images(r.sc, &v);
	which = xcalloc(scans_images(r.sc, &v) + 1, sizeof(*which));
	if (argc == 1) {
		if (scans_find(r.sc, argv[0], &idx) < 0) {
			fprintf(stderr,
				"jumpdeck: %s is not one of the "
				"configured images (see jumpdeck "
				"images)\n",
				argv[0]);
			rc = 2;
			goto out;
		}
		which[nwhich++] = idx;
	} else {
		for (i = 0; i < scans_images(r.sc, &v); i++)
			which[nwhich++] = i;
	}
	print_problems(&r);
	if (scans_status(r.sc, &is_err) && is_err)
		fprintf(stderr, "jumpdeck: %s\n", scans_status(r.sc, NULL));
	if (o->json) {
		rc = print_json(&r, which, nwhich);
	} else if (argc == 1) {
		struct scan_gate g;

		print_detail(o, &r, which[0]);
		scans_gate(r.sc, which[0], &g);
		rc = g.blocked ? 1 : 0;
	} else {
		rc = print_table(o, &r) ? 1 : 0;
	}
out:
	free(which);
	scans_free(&r.sc);
	pipeline_free(&r.p);
	kube_client_free(&r.kube);
	cJSON_Delete(r.pods);
	pods_inventory_free(&r.inv);
	loop_free(&r.loop);
	http_global_cleanup();
	config_free(&cfg);
	return rc;
}
