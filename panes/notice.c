/* notice.c - draws the "what this pane will show" text of panes whose
 * backend is not in this build. No state. */
#include "notice.h"
#include "tui/screen.h"

void notice_draw(const struct rect *area, const char *const lines[])
{
	int i;

	for (i = 0; i < area->h && lines[i]; i++)
		scr_put(area->y + i, area->x + 1, area->w - 2,
			i == 0 ? ROLE_WARN : ROLE_MUTED, lines[i]);
}
