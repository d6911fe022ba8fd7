/* images.c - the images pane. Its backend is not in this build yet, so it
 * says so plainly instead of showing made-up rows. */
#include "notice.h"
#include "tui/app.h"

#include <stdio.h>

static const char *const lines[] = {
	"Image pipeline: not checked by this build.",
	"Will show each image: upstream -> quarantine/ -> scan -> live/,",
	"with digests, drift and live-only alerts, import and promote.",
	NULL,
};

static void images_draw(struct pane *p, struct app *a, const struct rect *area,
		      int focused)
{
	(void)p;
	(void)a;
	(void)focused;
	notice_draw(area, lines);
}

static void images_headline(struct pane *p, struct app *a, char *buf,
			  size_t sz)
{
	(void)p;
	(void)a;
	snprintf(buf, sz, "not checked");
}

const struct pane_ops images_pane = {
	.name = "images",
	.title = "Images",
	.scope = SCOPE_GLOBAL,
	.draw = images_draw,
	.headline = images_headline,
};
