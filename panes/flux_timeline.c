/* flux_timeline.c - the last reconciliations of a Kustomization drawn:
 * marks for its row in the Flux pane and the lines of the detail view's
 * "Reconciliations" section. Not the ring (backend/flux_history.c), not
 * the pane. */
#include "flux_timeline.h"
#include "backend/timefmt.h"
#include "tui/screen.h"

#include <stdio.h>

const char *flux_timeline_text(const struct flux_ring *r, int ascii,
			       char *buf, size_t sz)
{
	return flux_ring_marks(r, FLUX_TIMELINE_MARKS, ascii, buf, sz);
}

int flux_timeline_draw(int y, int x, int w, const struct flux_ring *r,
		       int ascii)
{
	size_t n = flux_ring_count(r), i;
	int used = 0;

	if (n > FLUX_TIMELINE_MARKS)
		n = FLUX_TIMELINE_MARKS;
	if (w < 0)
		w = 0;
	if (n > (size_t)w) /* one column a mark: the newest kept */
		n = (size_t)w;
	/* the newest at the right, as in the text */
	for (i = n; i > 0 && used < w; i--) {
		const struct flux_outcome *o = flux_ring_at(r, i - 1);
		const char *m = flux_outcome_mark(o->ok, ascii);

		used += scr_put(y, x + used, w - used,
				o->ok ? ROLE_OK : ROLE_ERROR, m);
	}
	return used;
}

void flux_timeline_detail(struct detail *d, const struct flux_ring *r,
			  time_t now, int ascii)
{
	char age[TIMEFMT_AGE_LEN], dur[TIMEFMT_AGE_LEN];
	size_t i, n = flux_ring_count(r);

	detail_add(d, ROLE_HEADER, "Reconciliations (newest first)");
	if (!n)
		detail_add(d, ROLE_MUTED,
			   "  none seen yet: outcomes are kept from the "
			   "start of the session");
	for (i = 0; i < n; i++) {
		const struct flux_outcome *o = flux_ring_at(r, i);

		if (o->duration >= 0)
			timefmt_duration(o->duration, dur, sizeof(dur));
		else
			snprintf(dur, sizeof(dur), "-");
		detail_add(d, o->ok ? ROLE_OK : ROLE_ERROR,
			   "  %s %-6s %-6s %-6s %-16s %s",
			   flux_outcome_mark(o->ok, ascii),
			   timefmt_age(o->at, now, age, sizeof(age)),
			   o->ok ? "ok" : "failed", dur, o->revision,
			   o->message);
	}
}
