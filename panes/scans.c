/* scans.c - the scans pane. Its backend is not in this build yet, so it
 * says so plainly instead of showing made-up rows. */
#include "notice.h"
#include "tui/app.h"
#include "backend/session.h"

#include <stdio.h>

extern const struct pane_ops scans_pane;

static const char *const lines[] = {
	"Vulnerability scans: not checked by this build.",
	"Will show Defender (Resource Graph) findings per image and",
	"severity, and gate promotion to live/ on them.",
	NULL,
};

static void scans_draw(struct pane *p, struct app *a, const struct rect *area,
		      int focused)
{
	(void)p;
	(void)a;
	(void)focused;
	notice_draw(area, lines);
}

static void scans_headline(struct pane *p, struct app *a, char *buf,
			  size_t sz)
{
	(void)p;
	(void)a;
	snprintf(buf, sz, "not checked");
}

const struct pane_ops scans_pane = {
	.grid = 1,
	.filterable = 0,
	.models = MODEL_SCANS | MODEL_IMAGES,
	.name = "scans",
	.title = "Scans",
	.scope = SCOPE_GLOBAL,
	.draw = scans_draw,
	.headline = scans_headline,
};
