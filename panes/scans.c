/* scans.c - the scans pane: a row per image (verdict, a severity bar and the
 * counts in their colours, fixable, age, sources, the gate, where it runs),
 * and a detail view with every finding (sorted by severity then CVSS, or by
 * the column chosen with s; filtered with /) and the pods that run the image.
 * Rows come from the session's scan state and pods; no I/O here. */
#include "tui/app.h"
#include "backend/flux_watch.h"
#include "backend/scans_feed.h"
#include "backend/session.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "backend/xalloc.h"
#include "tui/detail.h"
#include "tui/list.h"
#include "tui/screen.h"
#include "panes/scans_bar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct pane_ops scans_pane;

enum {
	COL_IMAGE,
	COL_VERDICT,
	COL_BAR,
	COL_CRIT,
	COL_HIGH,
	COL_MED,
	COL_LOW,
	COL_FIX,
	COL_AGE,
	COL_SRC,
	COL_GATE,
	COL_RUNS,
	NCOLS
};

/* The severity bar's cells: 8, so that at 120 columns the sources still
 * fit beside it; the registry's bar has 20 (12 below 100 columns). */
#define BAR_CELLS 8
static const char bar_blank[BAR_CELLS + 1] = "        ";

/* Too narrow: L, M, AGE, FIX, SOURCES, the bar, RUNS go, in that order
 * (at 120 columns beside the bar the sources still show). */
/* The image, its verdict, criticals, highs and the gate first; then
 * the runs; then the rest as the width allows. */
static const struct list_col cols[NCOLS] = {
	[COL_IMAGE] = {"IMAGE", 32, .prio = LIST_KEY, .min = 24,
		       .cut = LIST_CUT_REF},
	[COL_VERDICT] = {"VERDICT", .prio = LIST_KEY},
	[COL_BAR] = {"SEVERITY", .prio = LIST_EXTRA, .drop = 2},
	[COL_CRIT] = {"C", .prio = LIST_KEY},
	[COL_HIGH] = {"H", .prio = LIST_KEY},
	[COL_MED] = {"M", .prio = LIST_EXTRA, .drop = 6},
	[COL_LOW] = {"L", .prio = LIST_EXTRA, .drop = 7},
	[COL_FIX] = {"FIX", .prio = LIST_EXTRA, .drop = 4},
	[COL_AGE] = {"AGE", .prio = LIST_EXTRA, .drop = 5},
	[COL_SRC] = {"SOURCES", .prio = LIST_EXTRA, .drop = 3},
	[COL_GATE] = {"GATE", .prio = LIST_KEY},
	[COL_RUNS] = {"RUNS", .prio = LIST_MESSAGE, .flex = 1},
};

/* How the detail view's findings are sorted (s cycles). */
enum fsort {
	FS_SEVERITY, /* severity, then CVSS: the default */
	FS_CVSS,
	FS_ID,
	FS_PACKAGE,
	FS_FIX,
	FS_SOURCE,
	FS_COUNT
};

static const char *const fsort_names[FS_COUNT] = {
    "severity, then CVSS", "CVSS", "id", "package", "fix status", "source",
};

/* Per image, worked out when the models change, not on every frame. */
struct image_sum {
	size_t pods, alerts; /* where it runs */
	int blocked;	     /* the gate's verdict */
};

struct scans_state {
	struct list_view view;
	size_t *rows; /* shown row -> image index (after filter and sort) */
	size_t rows_cap;
	struct image_sum *sum; /* per image */
	size_t nsum;
	struct detail detail;
	char det_image[700]; /* the image the detail view shows */
	int fsort, fsort_desc;
	int detail_filter;	 /* p->filter was typed in the detail view */
	unsigned long bar_scale; /* the most findings of any image */
	unsigned reg_counts[BAR_NSEV]; /* every image's, summed */
	size_t reg_images;	       /* images with findings */
	size_t reg_total;	       /* images */
	char cell[700];
};

static void scans_init(struct pane *p, struct app *a)
{
	struct scans_state *st = xcalloc(1, sizeof(*st));

	(void)a;
	st->view.sort_col = -1;
	p->st = st;
	p->detail = &st->detail;
}

static void scans_fini(struct pane *p)
{
	struct scans_state *st = p->st;

	detail_free(&st->detail);
	free(st->rows);
	free(st->sum);
	free(st);
	p->st = NULL;
}

static struct scans *scans_of(struct app *a)
{
	return session_scans(app_session(a));
}

static size_t images_of(struct app *a, const struct scan_image **v)
{
	struct scans *sc = scans_of(a);

	*v = NULL;
	return sc ? scans_images(sc, v) : 0;
}

/* "busybox:1.33.0": the image's name and tag, what tells rows apart
 * (the detail view has the whole reference). */
static void short_name(const struct scan_image *im, char *buf, size_t sz)
{
	const char *slash = strrchr(im->repo, '/');

	snprintf(buf, sz, "%.500s:%.120s", slash ? slash + 1 : im->repo,
		 im->tag);
}

static enum role sev_role(enum scan_sev s)
{
	switch (s) {
	case SCAN_SEV_CRITICAL:
		return ROLE_SEV_CRITICAL;
	case SCAN_SEV_HIGH:
		return ROLE_SEV_HIGH;
	case SCAN_SEV_MEDIUM:
		return ROLE_SEV_MEDIUM;
	case SCAN_SEV_LOW:
		return ROLE_SEV_LOW;
	case SCAN_SEV_NEGLIGIBLE:
	case SCAN_SEV_UNKNOWN:
		break;
	}
	return ROLE_NORMAL;
}

static void sources_text(const struct scan_image *im, char *buf, size_t sz)
{
	unsigned bits = 0;
	int k;

	for (k = 0; k < SCAN_NSOURCES; k++) {
		if (im->src[k].asked && im->src[k].answered)
			bits |= 1u << k;
	}
	scan_sources_text(bits, ",", buf, sz);
	if (!buf[0])
		snprintf(buf, sz, "-");
}

/* ---- where an image runs ------------------------------------------------ */

static struct pods_inventory *inventory(struct app *a)
{
	struct flux_watch *fw = session_flux(app_session(a));
	size_t n = flux_watch_count(fw, FLUX_KUSTOMIZATION), i;
	const cJSON **ks = xcalloc(n ? n : 1, sizeof(*ks));
	struct pods_inventory *inv;

	for (i = 0; i < n; i++)
		ks[i] = flux_watch_item(fw, FLUX_KUSTOMIZATION, i);
	inv = scans_inventory(ks, n);
	free(ks);
	return inv;
}

/* The runs of im (caller frees *out); 0 with no pods. */
static size_t runs_of(struct app *a, const struct scan_image *im,
		      const struct pods_inventory *inv, struct pod_run **out)
{
	struct pods_watch *pw = session_pods(app_session(a));
	struct scans_pods_query q;

	*out = NULL;
	if (!pw || !pods_watch_synced(pw) ||
	    scans_pods_query(&q, im, session_pipeline(app_session(a))) < 0)
		return 0;
	return pods_watch_runs(pw, &q.img, inv, out);
}

/* ---- the detail view ---------------------------------------------------- */

static const struct scan_image *find_image(struct app *a, const char *ref)
{
	const struct scan_image *v;
	size_t n = images_of(a, &v), i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].image, ref) == 0)
			return &v[i];
	}
	return NULL;
}

static int fsort_key, fsort_desc;

static int sources_rank(unsigned bits)
{
	int k;

	for (k = 0; k < SCAN_NSOURCES; k++) {
		if (bits & (1u << k))
			return k;
	}
	return SCAN_NSOURCES;
}

static int finding_cmp(const void *x, const void *y)
{
	const struct scan_finding *a = *(const struct scan_finding *const *)x;
	const struct scan_finding *b = *(const struct scan_finding *const *)y;
	int r = 0;

	switch (fsort_key) {
	case FS_CVSS:
		r = a->cvss > b->cvss ? -1 : a->cvss < b->cvss ? 1 : 0;
		break;
	case FS_ID:
		r = strcmp(a->id, b->id);
		break;
	case FS_PACKAGE:
		r = strcmp(a->package, b->package);
		break;
	case FS_FIX:
		r = strcmp(scan_fix_name(a->fix), scan_fix_name(b->fix));
		break;
	case FS_SOURCE:
		r = sources_rank(a->sources) - sources_rank(b->sources);
		break;
	default:
		break;
	}
	if (!r)
		r = scan_finding_cmp(a, b);
	return fsort_desc ? -r : r;
}

static int finding_matches(const struct scan_finding *f, const char *flt)
{
	char src[64];

	if (!flt[0])
		return 1;
	scan_sources_text(f->sources, ",", src, sizeof(src));
	return text_contains_nocase(f->id, flt) ||
	       text_contains_nocase(f->package, flt) ||
	       text_contains_nocase(f->title, flt) ||
	       text_contains_nocase(scan_sev_name(f->sev), flt) ||
	       text_contains_nocase(scan_fix_name(f->fix), flt) ||
	       text_contains_nocase(src, flt);
}

static void finding_lines(struct detail *d, const struct scan_finding *f,
			  const struct scan_policy *pol, time_t now)
{
	const struct scan_allow *al;
	enum scan_gate_mark m = scan_gate_finding(pol, f, now, &al);
	char cvss[16], ver[240], src[64], gate[400];

	if (f->cvss >= 0)
		snprintf(cvss, sizeof(cvss), "%.1f", f->cvss);
	else
		snprintf(cvss, sizeof(cvss), "-");
	snprintf(ver, sizeof(ver), "%s -> %s",
		 f->installed[0] ? f->installed : "?",
		 f->fixed[0] ? f->fixed : "-");
	scan_sources_text(f->sources, ",", src, sizeof(src));
	gate[0] = '\0';
	if (m == SCAN_GATE_BLOCKS)
		snprintf(gate, sizeof(gate), "  BLOCKS");
	else if (m == SCAN_GATE_ALLOWED)
		snprintf(gate, sizeof(gate), "  allowed until %s: %s",
			 al->until_text, al->reason);
	else if (m == SCAN_GATE_EXPIRED)
		snprintf(gate, sizeof(gate),
			 "  BLOCKS (allow-list entry "
			 "expired %s)",
			 al->until_text);
	detail_add(d, sev_role(f->sev),
		   "  %-18s %-9s %4s  %-16s %-28s %-13s %s%s", f->id,
		   scan_sev_name(f->sev), cvss,
		   f->package[0] ? f->package : "-", ver,
		   scan_fix_name(f->fix), src, gate);
	if (f->title[0])
		detail_add(d, ROLE_MUTED, "  %18s %s", "", f->title);
}

static void source_lines(struct detail *d, const struct scan_image *im,
			 time_t now)
{
	char counts[200], age[TIMEFMT_AGE_LEN];
	int k, first = 1;

	for (k = 0; k < SCAN_NSOURCES; k++) {
		const struct scan_source_result *s = &im->src[k];

		if (!s->asked)
			continue;
		if (s->scanned_at > 0)
			timefmt_age(s->scanned_at, now, age, sizeof(age));
		else
			snprintf(age, sizeof(age), "-");
		detail_add(d, scans_verdict_role(s->verdict),
			   "  %-11s %s: %s (%s), scanned %s ago%s%s",
			   first ? "Sources" : "",
			   s->origin[0]
			       ? s->origin
			       : scan_source_title((enum scan_source)k),
			   scan_verdict_name(s->verdict),
			   scan_counts_text(s->counts, counts, sizeof(counts)),
			   age, s->why[0] ? "; " : "", s->why);
		first = 0;
	}
	if (first)
		detail_add(d, ROLE_WARN, "  %-11s none answered", "Sources");
	if (im->disagree)
		detail_add(d, ROLE_WARN,
			   "  %-11s %s the sources disagree: "
			   "both are shown",
			   "", glyph(G_WARN));
}

static void run_lines(struct app *a, struct detail *d,
		      const struct scan_image *im)
{
	struct pods_watch *pw = session_pods(app_session(a));
	const struct err *e = pw ? pods_watch_error(pw) : NULL;
	struct pods_inventory *inv;
	struct pod_run *runs;
	size_t n, i;

	if (!pw) {
		detail_add(d, ROLE_MUTED,
			   "Where it runs: no cluster connection");
		return;
	}
	if (!pods_watch_synced(pw)) {
		detail_add(d, e ? ROLE_ERROR : ROLE_PENDING,
			   "Where it runs: %s",
			   e ? e->msg : "reading the pods...");
		return;
	}
	inv = inventory(a);
	n = runs_of(a, im, inv, &runs);
	pods_inventory_free(&inv);
	detail_add(d, ROLE_HEADER,
		   "Where it runs: %zu container%s, %zu alert%s", n,
		   n == 1 ? "" : "s", pods_alerts(runs, n),
		   pods_alerts(runs, n) == 1 ? "" : "s");
	if (e)
		detail_add(d, ROLE_ERROR, "  (stale: %s)", e->msg);
	for (i = 0; i < n; i++) {
		const struct pod_run *r = &runs[i];
		char ks[400], d12[32];

		if (r->ks_name[0])
			snprintf(ks, sizeof(ks), "  kustomization %s/%s (%s)",
				 r->ks_ns, r->ks_name, r->ks_how);
		else
			snprintf(ks, sizeof(ks), "  no Flux kustomization");
		snprintf(d12, sizeof(d12), "%.19s",
			 r->digest[0] ? r->digest : "-");
		detail_add(d, r->alert[0] ? ROLE_ERROR : ROLE_OK,
			   "  %s %s/%s %s on %s  %s%s",
			   glyph(r->alert[0] ? G_WARN : G_CHECK), r->ns,
			   r->name, r->container, r->node[0] ? r->node : "-",
			   d12, ks);
		if (r->alert[0])
			detail_add(d, ROLE_ERROR, "      %s", r->alert);
	}
	free(runs);
}

static void build_detail(struct pane *p, struct app *a)
{
	struct scans_state *st = p->st;
	struct detail *d = &st->detail;
	const struct scan_image *im = find_image(a, st->det_image);
	struct scans *sc = scans_of(a);
	const struct scan_finding **fv;
	char counts[200], age[TIMEFMT_AGE_LEN], lbuf[700];
	struct scans_live live;
	struct scan_gate g;
	size_t i, nf = 0, idx;
	time_t now = time(NULL);

	detail_clear(d);
	if (!im || scans_find(sc, im->image, &idx) < 0) {
		detail_add(d, ROLE_MUTED, "No image selected.");
		detail_done(d);
		return;
	}
	detail_add(d, ROLE_HEADER, "%s", im->image);
	detail_add(d, scans_verdict_role(im->verdict), "  %-11s %s%s%s",
		   "Verdict", scan_verdict_name(im->verdict),
		   im->why[0] ? ": " : "", im->why);
	scans_gate(sc, idx, &g);
	detail_add(d, g.blocked ? ROLE_ERROR : ROLE_OK, "  %-11s %s", "Gate",
		   g.why);
	detail_add(d, ROLE_NORMAL, "  %-11s %s; %u with a fix", "Findings",
		   scan_counts_text(im->counts, counts, sizeof(counts)),
		   im->fixable);
	if (im->scanned_at > 0)
		detail_add(d, ROLE_NORMAL, "  %-11s %s ago", "Scanned",
			   timefmt_age(im->scanned_at, now, age, sizeof(age)));
	if (im->imported_at > 0)
		detail_add(
		    d, ROLE_NORMAL, "  %-11s %s ago", "Imported",
		    timefmt_age(im->imported_at, now, age, sizeof(age)));
	detail_add(d, ROLE_NORMAL, "  %-11s %s:%s %s", "Digest", im->repo,
		   im->tag, im->digest[0] ? im->digest : "(not there)");
	for (i = 0; i < im->nplatforms; i++)
		detail_add(d, ROLE_MUTED, "  %-11s %-14s %s", "",
			   im->platform_names[i], im->platforms[i]);
	if (im->platforms_err[0])
		detail_add(d, ROLE_WARN, "  %-11s platforms not read: %s", "",
			   im->platforms_err);
	if (scans_live_of(&live, im, session_pipeline(app_session(a))) == 0)
		detail_add(
		    d, live.exists && !live.vetted ? ROLE_WARN : ROLE_NORMAL,
		    "  %-11s %s %s", "Live", live.ref,
		    scans_live_text(&live, lbuf, sizeof(lbuf)));
	source_lines(d, im, now);
	detail_add(d, ROLE_NORMAL, " ");
	fv = xcalloc(im->findings.n ? im->findings.n : 1, sizeof(*fv));
	for (i = 0; i < im->findings.n; i++) {
		if (finding_matches(&im->findings.v[i], p->filter))
			fv[nf++] = &im->findings.v[i];
	}
	fsort_key = st->fsort;
	fsort_desc = st->fsort_desc;
	qsort(fv, nf, sizeof(*fv), finding_cmp);
	detail_add(d, ROLE_HEADER,
		   "Findings: %zu%s%s%s, by %s%s (s: sort, /: "
		   "filter)",
		   nf, p->filter[0] ? " matching \"" : "", p->filter,
		   p->filter[0] ? "\"" : "", fsort_names[st->fsort],
		   st->fsort_desc ? ", reversed" : "");
	if (nf)
		detail_add(d, ROLE_MUTED,
			   "  %-18s %-9s %4s  %-16s %-28s %-13s %s", "ID",
			   "SEVERITY", "CVSS", "PACKAGE", "INSTALLED -> FIXED",
			   "FIX", "SOURCE");
	for (i = 0; i < nf; i++)
		finding_lines(d, fv[i], scans_policy(sc), now);
	if (im->dropped)
		detail_add(d, ROLE_WARN, "  (%zu more findings were not kept)",
			   im->dropped);
	free(fv);
	detail_add(d, ROLE_NORMAL, " ");
	run_lines(a, d, im);
	detail_done(d);
}

/* ---- rows --------------------------------------------------------------- */

static const struct scan_image *
row_image(struct app *a, const struct scans_state *st, size_t row)
{
	const struct scan_image *v;
	size_t n = images_of(a, &v);

	return row < st->view.nrows && st->rows[row] < n ? &v[st->rows[row]]
							 : NULL;
}

static int verdict_rank(enum scan_verdict v)
{
	/* most telling first */
	static const int rank[] = {
	    [SCAN_UNHEALTHY] = 0, [SCAN_UNKNOWN] = 1, [SCAN_UNVERIFIED] = 2,
	    [SCAN_PENDING] = 3,	  [SCAN_HEALTHY] = 4,
	};
	return rank[v];
}

static const struct scan_image *sort_v;
static int sort_col, sort_desc;

static int row_cmp(const void *x, const void *y)
{
	const struct scan_image *a = &sort_v[*(const size_t *)x];
	const struct scan_image *b = &sort_v[*(const size_t *)y];
	int r = 0;

	switch (sort_col) {
	case COL_IMAGE:
		r = strcmp(a->repo, b->repo);
		break;
	case COL_VERDICT:
		r = verdict_rank(a->verdict) - verdict_rank(b->verdict);
		break;
	case COL_BAR: { /* the worst first: critical, then high... */
		static const enum scan_sev order[] = {
		    SCAN_SEV_CRITICAL, SCAN_SEV_HIGH, SCAN_SEV_MEDIUM,
		    SCAN_SEV_LOW};
		size_t k;

		for (k = 0; !r && k < sizeof(order) / sizeof(order[0]); k++)
			r = (int)b->counts[order[k]] -
			    (int)a->counts[order[k]];
		break;
	}
	case COL_CRIT:
	case COL_HIGH:
	case COL_MED:
	case COL_LOW: {
		static const enum scan_sev s[] = {
		    SCAN_SEV_CRITICAL,
		    SCAN_SEV_HIGH,
		    SCAN_SEV_MEDIUM,
		    SCAN_SEV_LOW,
		};
		enum scan_sev k = s[sort_col - COL_CRIT];

		r = (int)b->counts[k] - (int)a->counts[k];
		break;
	}
	case COL_FIX:
		r = (int)b->fixable - (int)a->fixable;
		break;
	case COL_AGE:
		r = a->scanned_at < b->scanned_at   ? 1
		    : a->scanned_at > b->scanned_at ? -1
						    : 0;
		break;
	default:
		break;
	}
	if (!r)
		r = *(const size_t *)x < *(const size_t *)y ? -1 : 1;
	return sort_desc ? -r : r;
}

static int image_matches(const struct scan_image *im,
			 const struct image_sum *sum, const char *flt)
{
	char src[64];

	if (!flt[0])
		return 1;
	sources_text(im, src, sizeof(src));
	return text_contains_nocase(im->image, flt) ||
	       text_contains_nocase(scan_verdict_name(im->verdict), flt) ||
	       text_contains_nocase(src, flt) ||
	       text_contains_nocase(sum->blocked ? "blocked" : "passes", flt);
}

/* The severities a bar shows, from an image's counts. */
static void bar_counts(const unsigned c[SCAN_SEV_COUNT],
		       unsigned out[BAR_NSEV])
{
	out[BAR_CRITICAL] = c[SCAN_SEV_CRITICAL];
	out[BAR_HIGH] = c[SCAN_SEV_HIGH];
	out[BAR_MEDIUM] = c[SCAN_SEV_MEDIUM];
	out[BAR_LOW] = c[SCAN_SEV_LOW];
}

/* The scale of the images' bars and the registry's counts. */
static void bar_sums(struct scans_state *st, const struct scan_image *v,
		     size_t n)
{
	unsigned b[BAR_NSEV];
	unsigned long t;
	size_t i;
	int k;

	st->bar_scale = 0;
	st->reg_images = 0;
	st->reg_total = n;
	memset(st->reg_counts, 0, sizeof(st->reg_counts));
	for (i = 0; i < n; i++) {
		bar_counts(v[i].counts, b);
		t = 0;
		for (k = 0; k < BAR_NSEV; k++) {
			t += b[k];
			st->reg_counts[k] += b[k];
		}
		if (t > st->bar_scale)
			st->bar_scale = t;
		st->reg_images += t > 0;
	}
}

/* The severity column: the image's bar. */
static int bar_cell(void *ud, size_t row, int col, int y, int x, int w,
		    int sel)
{
	struct app *a = ud;
	struct scans_state *st = app_pane_state(a, &scans_pane);
	const struct scan_image *im = row_image(a, st, row);
	unsigned b[BAR_NSEV];

	(void)sel;
	if (col != COL_BAR)
		return 0;
	if (im) {
		bar_counts(im->counts, b);
		scans_bar_draw(y, x, w < BAR_CELLS ? w : BAR_CELLS, b,
			       st->bar_scale, app_ascii(a));
	}
	return 1;
}

/* Each image's gate and where it runs, as the models stand. */
static void image_sums(struct app *a, struct scans_state *st,
		       const struct scan_image *v, size_t n)
{
	struct pods_inventory *inv = NULL;
	struct pod_run *runs;
	struct scan_gate g;
	size_t i;

	free(st->sum);
	st->sum = xcalloc(n ? n : 1, sizeof(*st->sum));
	st->nsum = n;
	for (i = 0; i < n; i++) {
		scans_gate(scans_of(a), i, &g);
		st->sum[i].blocked = g.blocked;
	}
	if (session_pods(app_session(a)) &&
	    pods_watch_synced(session_pods(app_session(a))))
		inv = inventory(a);
	for (i = 0; inv && i < n; i++) {
		size_t nr = runs_of(a, &v[i], inv, &runs);

		st->sum[i].pods = nr;
		st->sum[i].alerts = pods_alerts(runs, nr);
		free(runs);
	}
	pods_inventory_free(&inv);
}

static void scans_recalc(struct pane *p, struct app *a)
{
	struct scans_state *st = p->st;
	const struct scan_image *v;
	size_t n = images_of(a, &v), i;
	const char *keep = NULL;
	char kept[700];
	const struct scan_image *sel = row_image(a, st, st->view.sel);

	kept[0] = '\0';
	if (sel) {
		snprintf(kept, sizeof(kept), "%s", sel->image);
		keep = kept;
	}
	image_sums(a, st, v, n);
	st->rows =
	    xgrow(st->rows, &st->rows_cap, n ? n : 1, sizeof(*st->rows));
	st->view.nrows = 0;
	for (i = 0; i < n; i++) {
		/* In the detail view the filter is the findings'. */
		if (!st->detail.open &&
		    !image_matches(&v[i], &st->sum[i], p->filter))
			continue;
		st->rows[st->view.nrows++] = i;
	}
	if (st->view.sort_col >= 0) {
		sort_v = v;
		sort_col = st->view.sort_col;
		sort_desc = st->view.sort_desc;
		qsort(st->rows, st->view.nrows, sizeof(*st->rows), row_cmp);
	}
	for (i = 0; keep && i < st->view.nrows; i++) {
		if (strcmp(v[st->rows[i]].image, keep) == 0)
			st->view.sel = i;
	}
	list_clamp(&st->view);
	bar_sums(st, v, n);
	if (st->detail.open)
		build_detail(p, a);
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct app *a = ud;
	struct scans_state *st = app_pane_state(a, &scans_pane);
	const struct scan_image *im = row_image(a, st, row);
	size_t idx = st->rows[row];
	int blocked;
	static const enum scan_sev sev[] = {
	    SCAN_SEV_CRITICAL,
	    SCAN_SEV_HIGH,
	    SCAN_SEV_MEDIUM,
	    SCAN_SEV_LOW,
	};

	*role = ROLE_NORMAL;
	if (!im)
		return "";
	switch (col) {
	case COL_IMAGE:
		short_name(im, st->cell, sizeof(st->cell));
		return st->cell;
	case COL_VERDICT:
		*role = scans_verdict_role(im->verdict);
		return scan_verdict_name(im->verdict);
	case COL_BAR: /* bar_cell draws it; this is its width */
		return bar_blank;
	case COL_CRIT:
	case COL_HIGH:
	case COL_MED:
	case COL_LOW: {
		unsigned c = im->counts[sev[col - COL_CRIT]];

		/* The severity bar: each count in its colour. */
		if (!c) {
			*role = ROLE_MUTED;
			return app_ascii(a) ? "." : "\u00b7";
		}
		*role = sev_role(sev[col - COL_CRIT]);
		snprintf(st->cell, sizeof(st->cell), "%u", c);
		return st->cell;
	}
	case COL_FIX:
		if (!im->fixable) {
			*role = ROLE_MUTED;
			return "-";
		}
		snprintf(st->cell, sizeof(st->cell), "%u", im->fixable);
		return st->cell;
	case COL_AGE:
		if (im->scanned_at <= 0)
			return "-";
		return timefmt_age(im->scanned_at, time(NULL), st->cell,
				   sizeof(st->cell));
	case COL_SRC:
		sources_text(im, st->cell, sizeof(st->cell));
		if (im->disagree) {
			*role = ROLE_WARN;
			size_t len = strlen(st->cell);

			snprintf(st->cell + len, sizeof(st->cell) - len,
				 " (differ)");
		}
		return st->cell;
	case COL_GATE:
		blocked = idx < st->nsum && st->sum[idx].blocked;
		*role = blocked ? ROLE_ERROR : ROLE_OK;
		return blocked ? "blocked" : "passes";
	default:
		if (idx >= st->nsum || !session_pods(app_session(a)) ||
		    !pods_watch_synced(session_pods(app_session(a)))) {
			*role = ROLE_MUTED;
			return "-";
		}
		if (st->sum[idx].alerts)
			*role = ROLE_ERROR;
		snprintf(st->cell, sizeof(st->cell), "%zu pod%s%s",
			 st->sum[idx].pods,
			 st->sum[idx].pods == 1 ? "" : "s",
			 st->sum[idx].alerts ? ", ALERT" : "");
		return st->cell;
	}
}

/* ---- drawing ------------------------------------------------------------ */

/* "registry ████▓▒░  2 critical, 1 high in 2/6 images": every image's
 * findings in one bar. */
static void registry_bar(const struct scans_state *st, const struct rect *body,
			 int ascii)
{
	unsigned c[SCAN_SEV_COUNT] = {0};
	char counts[200], line[300];
	int x = body->x, w = body->w, bw = w >= 100 ? 20 : 12;
	size_t n = st->reg_total;

	x += scr_put(body->y, x, w, ROLE_HEADER, "registry ");
	w = body->x + body->w - x;
	if (w > bw) {
		/* scaled to itself: it always fills its cells */
		scans_bar_draw(body->y, x, bw, st->reg_counts, 0, ascii);
		x += bw + 1;
		w = body->x + body->w - x;
	}
	c[SCAN_SEV_CRITICAL] = st->reg_counts[BAR_CRITICAL];
	c[SCAN_SEV_HIGH] = st->reg_counts[BAR_HIGH];
	c[SCAN_SEV_MEDIUM] = st->reg_counts[BAR_MEDIUM];
	c[SCAN_SEV_LOW] = st->reg_counts[BAR_LOW];
	if (st->reg_images)
		snprintf(line, sizeof(line), " %s in %zu/%zu image%s",
			 scan_counts_text(c, counts, sizeof(counts)),
			 st->reg_images, n, n == 1 ? "" : "s");
	else
		snprintf(line, sizeof(line), " no findings in %zu image%s", n,
			 n == 1 ? "" : "s");
	if (w > 0)
		scr_put(body->y, x, w, ROLE_NORMAL, line);
}

static void scans_draw(struct pane *p, struct app *a, const struct rect *area,
		       int focused)
{
	struct scans_state *st = p->st;
	struct scans *sc = scans_of(a);
	struct rect body = *area;
	char *const *problems;
	const char *status;
	char line[700];
	size_t np = 0;
	int is_err = 0;

	if (!sc) {
		const char *why = session_scans_error(app_session(a));

		scr_put(body.y, body.x, body.w, ROLE_ERROR,
			why			? why
			: app_pipeline_error(a) ? app_pipeline_error(a)
						: "No image pipeline, so "
						  "nothing to scan.");
		return;
	}
	if (st->detail.open) {
		detail_draw(&st->detail, area, focused);
		return;
	}
	status = scans_status(sc, &is_err);
	scr_put(body.y, body.x, body.w,
		is_err		 ? ROLE_ERROR
		: scans_busy(sc) ? ROLE_PENDING
				 : ROLE_MUTED,
		status);
	body.y++;
	body.h--;
	if (scans_done_once(sc) && body.h > 4) {
		registry_bar(st, &body, app_ascii(a));
		body.y++;
		body.h--;
	}
	problems = scans_problems(sc);
	while (problems[np])
		np++;
	if (np && body.h > 3) {
		snprintf(line, sizeof(line), "%s%s", problems[0],
			 np > 1 ? " (and more: see jumpdeck scans)" : "");
		scr_put(body.y, body.x, body.w, ROLE_WARN, line);
		body.y++;
		body.h--;
	}
	if (p->filter[0]) {
		snprintf(line, sizeof(line), "filter: %s (%zu rows)",
			 p->filter, st->view.nrows);
		scr_put(body.y, body.x, body.w, ROLE_WARN, line);
		body.y++;
		body.h--;
	}
	if (body.h < 2)
		return;
	if (!scans_done_once(sc) && !st->view.nrows) {
		scr_put(body.y, body.x, body.w, ROLE_PENDING,
			"Asking the scanners...");
		return;
	}
	list_draw_pictures(&body, cols, NCOLS, &st->view, cell, bar_cell, a,
			   focused);
}

/* ---- keys --------------------------------------------------------------- */

static int scans_action(struct pane *p, struct app *a, enum action_id act)
{
	struct scans_state *st = p->st;
	const struct scan_image *im;
	int r;

	if (st->detail.open) {
		if (act == ACT_SORT_NEXT || act == ACT_SORT_REVERSE) {
			if (act == ACT_SORT_NEXT)
				st->fsort = (st->fsort + 1) % FS_COUNT;
			else
				st->fsort_desc = !st->fsort_desc;
			build_detail(p, a);
			return UPD_DRAW;
		}
		r = detail_key(&st->detail, act);
		if (r != PANE_NOT_MINE) {
			if (!st->detail.open && p->filter[0]) {
				/* the findings' filter goes with the view */
				p->filter[0] = '\0';
				return UPD_RECALC;
			}
			return r;
		}
		if (act == ACT_OPEN)
			return UPD_NONE;
	}
	switch (act) {
	case ACT_OPEN:
		im = row_image(a, st, st->view.sel);
		if (!im)
			return UPD_NONE;
		snprintf(st->det_image, sizeof(st->det_image), "%s",
			 im->image);
		p->filter[0] = '\0';
		st->fsort = FS_SEVERITY;
		st->fsort_desc = 0;
		detail_open(&st->detail);
		build_detail(p, a);
		return UPD_DRAW;
	case ACT_SORT_NEXT:
		st->view.sort_col = (st->view.sort_col + 1) % (NCOLS - 3);
		return UPD_RECALC;
	case ACT_SORT_REVERSE:
		st->view.sort_desc = !st->view.sort_desc;
		return UPD_RECALC;
	case ACT_RESCAN:
		if (scans_of(a)) {
			scans_refresh(scans_of(a));
			app_status(a, ROLE_PENDING,
				   "asking the scanners again...");
		}
		return UPD_DRAW;
	default:
		return list_move(&st->view, act);
	}
}

static void scans_headline(struct pane *p, struct app *a, char *buf, size_t sz)
{
	struct scans_state *st = p->st;
	struct scans *sc = scans_of(a);
	const struct scan_image *v;
	size_t n = images_of(a, &v), i, blocked = 0, alerts = 0;

	if (!sc || !scans_done_once(sc)) {
		snprintf(buf, sz, "%s", sc ? "..." : "off");
		return;
	}
	for (i = 0; i < n && i < st->nsum; i++) {
		blocked += (size_t)st->sum[i].blocked;
		alerts += st->sum[i].alerts;
	}
	if (alerts)
		snprintf(buf, sz, "%zu blocked, %zu alert%s", blocked, alerts,
			 alerts == 1 ? "" : "s");
	else
		snprintf(buf, sz, "%zu/%zu pass", n - blocked, n);
}

const struct pane_ops scans_pane = {
    .grid = 1,
    .filterable = 1,
    .models = MODEL_SCANS | MODEL_IMAGES | MODEL_FLUX | MODEL_CLOCK,
    .name = "scans",
    .title = "Scans",
    .scope = SCOPE_SCANS,
    .is_list = 1,
    .init = scans_init,
    .fini = scans_fini,
    .recalc = scans_recalc,
    .draw = scans_draw,
    .action = scans_action,
    .headline = scans_headline,
};
