/* notice.h - shared drawing for panes whose backend is not part of this
 * build yet: a title and a few lines saying what the pane will show. */
#ifndef JD_NOTICE_H
#define JD_NOTICE_H

#include "tui/layout.h"

void notice_draw(const struct rect *area, const char *const lines[]);

#endif
