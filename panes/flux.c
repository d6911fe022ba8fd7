/* flux.c - the flux pane. Its backend is not in this build yet, so it
 * says so plainly instead of showing made-up rows. */
#include "notice.h"
#include "tui/app.h"

#include <stdio.h>

static const char *const lines[] = {
	"Flux: not checked by this build.",
	"Will show controllers, sources and kustomizations with their",
	"Ready state, and reconcile, suspend and resume them.",
	NULL,
};

static void flux_draw(struct pane *p, struct app *a, const struct rect *area,
		      int focused)
{
	(void)p;
	(void)a;
	(void)focused;
	notice_draw(area, lines);
}

static void flux_headline(struct pane *p, struct app *a, char *buf,
			  size_t sz)
{
	(void)p;
	(void)a;
	snprintf(buf, sz, "not checked");
}

const struct pane_ops flux_pane = {
	.name = "flux",
	.title = "Flux",
	.scope = SCOPE_GLOBAL,
	.draw = flux_draw,
	.headline = flux_headline,
};
