/* bootstrap.c - the guided walkthrough (GitOps bootstrap): each step with
 * its real state where this build can read it, and "not checked" where it
 * cannot yet; never a checklist someone ticked. */
#include "tui/app.h"
#include "backend/session.h"
#include "backend/health.h"
#include "tui/list.h"
#include "tui/screen.h"
#include "backend/flux_watch.h"
#include "backend/nodes.h"
#include "backend/pipeline.h"
#include "backend/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct pane_ops bootstrap_pane;

enum step_state { STEP_DONE, STEP_TODO, STEP_FAILING, STEP_UNCHECKED };

struct step {
	const char *title;
	const char *how; /* what the walkthrough does by hand */
};

static const struct step steps[] = {
	{"Import images to quarantine/", "az acr import ... -t quarantine/..."},
	{"Read the scan results", "Defender recommendations for the ACR"},
	{"Promote images to live/", "az acr import --source quarantine/..."},
	{"Point manifests at your registry", "sed REPLACE_ME_WITH_YOUR_ACRNAME"},
	{"Point Flux at your fork", "sed REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME"},
	{"Reach the cluster from the jump box", "az aks get-credentials"},
	{"All nodes Ready", "kubectl get nodes"},
	{"Bootstrap Flux", "kubectl apply -k cluster-manifests/flux-system"},
	{"Flux healthy", "flux check; flux get kustomizations"},
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

struct boot_state {
	enum step_state state[NSTEPS];
	char note[NSTEPS][600];
	struct list_view view;
};

static void boot_init(struct pane *p, struct app *a)
{
	struct boot_state *st = xcalloc(1, sizeof(*st));

	(void)a;
	st->view.sort_col = -1; /* the walkthrough's order */
	p->st = st;
}

static void boot_fini(struct pane *p)
{
	free(p->st);
	p->st = NULL;
}

static void boot_recalc(struct pane *p, struct app *a)
{
	struct boot_state *st = p->st;
	struct informer *inf = app_nodes(a);
	const struct err *e = inf ? informer_error(inf) : NULL;
	size_t i, total = 0, ready = 0;

	for (i = 0; i < NSTEPS; i++) {
		st->state[i] = STEP_UNCHECKED;
		snprintf(st->note[i], sizeof(st->note[i]),
			 "not checked by this build");
	}
	/* Steps 1 and 3: every image in quarantine/, every image live. */
	if (app_pipeline(a)) {
		const struct image_row *v;
		size_t n = pipeline_rows(app_pipeline(a), &v), q = 0, l = 0;
		size_t unknown = 0, alerts = 0;

		for (i = 0; i < n; i++) {
			q += v[i].quarantine.exists;
			l += v[i].state == IMG_PROMOTED;
			unknown += v[i].state == IMG_UNKNOWN;
			alerts += image_state_alert(v[i].state);
		}
		if (!unknown) {
			st->state[0] = q == n ? STEP_DONE : STEP_TODO;
			snprintf(st->note[0], sizeof(st->note[0]),
				 "%zu/%zu in quarantine/", q, n);
			st->state[2] = alerts	    ? STEP_FAILING
				       : l == n ? STEP_DONE
						: STEP_TODO;
			snprintf(st->note[2], sizeof(st->note[2]),
				 "%zu/%zu promoted%s", l, n,
				 alerts ? ", with alerts (see 1)" : "");
		}
	}
	/* Steps 8 and 9: Flux installed and running, and healthy. */
	if (app_flux(a) && flux_watch_settled(app_flux(a))) {
		struct flux_watch *w = app_flux(a);
		struct flux_object *fv = NULL;
		struct flux_controller *fc = NULL;
		size_t fn = 0, nc = 0, ok = 0, fready = 0;

		if (flux_watch_not_installed(w)) {
			st->state[7] = STEP_TODO;
			snprintf(st->note[7], sizeof(st->note[7]),
				 "Flux is not installed");
		} else {
			flux_watch_objects(w, &fv, &fn);
			flux_watch_controllers(w, &fc, &nc);
			for (i = 0; i < nc; i++)
				ok += flux_controller_ok(&fc[i]);
			for (i = 0; i < fn; i++)
				fready += fv[i].state == FLUX_STATE_READY ||
					 fv[i].suspended;
			st->state[7] = nc && ok == nc ? STEP_DONE
						      : STEP_FAILING;
			snprintf(st->note[7], sizeof(st->note[7]),
				 "%zu/%zu controllers available", ok, nc);
			{
				struct health h;

				/* the verdict `status` and `flux` give too */
				health_flux(w, session_drift(app_session(a)),
					    app_ascii(a), &h);
				st->state[8] = h.state == HEALTH_OK
						   ? STEP_DONE
						   : STEP_FAILING;
				snprintf(st->note[8], sizeof(st->note[8]),
					 "%zu/%zu sources and kustomizations "
					 "Ready",
					 fready, fn);
			}
			flux_objects_free(&fv, fn);
			flux_controllers_free(&fc, nc);
		}
	}
	/* Step 6: the API answers with our credentials. */
	if (inf && informer_synced(inf) && !e) {
		st->state[5] = STEP_DONE;
		snprintf(st->note[5], sizeof(st->note[5]), "context %s",
			 app_context(a));
	} else {
		st->state[5] = e ? STEP_FAILING : STEP_TODO;
		snprintf(st->note[5], sizeof(st->note[5]), "%s",
			 e ? e->msg : "connecting...");
	}
	/* Step 7: every node Ready. */
	if (inf && informer_synced(inf)) {
		for (i = 0; i < informer_count(inf); i++) {
			struct node n;

			memset(&n, 0, sizeof(n));
			if (node_from_json(&n, informer_item(inf, i), NULL))
				continue;
			total++;
			ready += n.ready == NODE_READY;
			node_clear(&n);
		}
		st->state[6] = total && ready == total ? STEP_DONE
							: STEP_FAILING;
		snprintf(st->note[6], sizeof(st->note[6]), "%zu/%zu Ready",
			 ready, total);
	}
	st->view.nrows = NSTEPS;
	list_clamp(&st->view);
}

static const char *cell(void *ud, size_t row, int col, enum role *role)
{
	struct boot_state *st = ud;
	static const enum role roles[] = {ROLE_OK, ROLE_PENDING, ROLE_ERROR,
					  ROLE_MUTED};
	static char num[8];

	*role = roles[st->state[row]];
	switch (col) {
	case 0:
		snprintf(num, sizeof(num), "%zu", row + 1);
		*role = ROLE_NORMAL;
		return num;
	case 1:
		return st->state[row] == STEP_DONE ? glyph(G_CHECK)
		       : st->state[row] == STEP_FAILING ? glyph(G_CROSS)
		       : st->state[row] == STEP_TODO	? glyph(G_EMPTY)
							: "?";
	case 2:
		*role = ROLE_NORMAL;
		return steps[row].title;
	case 3:
		return st->note[row];
	default:
		*role = ROLE_MUTED;
		return steps[row].how;
	}
}

static void boot_draw(struct pane *p, struct app *a, const struct rect *area,
		      int focused)
{
	static const struct list_col cols[] = {
		{"#", 0, 0, 0}, {" ", 0, 0, 0}, {"STEP", 0, 0, 0}, {"STATE", 48, 1, 0},
		{"BY HAND", 0, 0, 1},
	};

	(void)a;
	list_draw(area, cols, 5, &((struct boot_state *)p->st)->view, cell,
		  p->st, focused);
}

static int boot_action(struct pane *p, struct app *a, enum action_id act)
{
	(void)a;
	return list_move(&((struct boot_state *)p->st)->view, act);
}

static void boot_headline(struct pane *p, struct app *a, char *buf,
			  size_t sz)
{
	struct boot_state *st = p->st;
	size_t i, done = 0;

	(void)a;
	for (i = 0; i < NSTEPS; i++)
		done += st->state[i] == STEP_DONE;
	snprintf(buf, sz, "%zu/%zu steps verified", done, NSTEPS);
}

const struct pane_ops bootstrap_pane = {
	.grid = 0,
	.filterable = 0,
	.models = MODEL_CONN | MODEL_NODES | MODEL_FLUX | MODEL_IMAGES |
		  MODEL_SCANS,
	.name = "bootstrap",
	.title = "Bootstrap",
	.scope = SCOPE_GLOBAL,
	.is_list = 1,
	.init = boot_init,
	.fini = boot_fini,
	.recalc = boot_recalc,
	.draw = boot_draw,
	.action = boot_action,
	.headline = boot_headline,
};
