/* scans_bar.h - the severity bar of the scans pane: how many cells each
 * severity (critical, high, medium, low) gets, and drawing those cells in
 * the theme's severity roles; the role of a scan verdict, which the images
 * pane shares. Not a pane and not a chart library. */
#ifndef JD_SCANS_BAR_H
#define JD_SCANS_BAR_H

#include "backend/scan.h"
#include "tui/theme.h"

/* Severities in a bar, most severe first. */
enum scans_bar_sev { BAR_CRITICAL, BAR_HIGH, BAR_MEDIUM, BAR_LOW, BAR_NSEV };

/* Splits at most width cells between the severities. The bar is as long
 * as total / scale of width (rounded up; scale 0 or below total: the
 * whole width), and never shorter than the number of severities with a
 * count, each of which gets at least one cell; the rest by largest
 * remainder. cells[] gets each severity's share; returns their sum (0
 * when every count is 0 or width < 1). */
int scans_bar_split(const unsigned counts[BAR_NSEV], unsigned long scale,
		    int width, int cells[BAR_NSEV]);

/* Draws the bar split from counts at y, x in width cells (what it does not
 * use is left as it is): each severity in its role and with its own
 * glyph ("█▓▒░", or "#=-." when ascii), so it reads without colour too;
 * a role that fills its cell (a background of its own, or reverse, as
 * critical has) is drawn as blocks of it instead. Returns the cells
 * drawn. */
int scans_bar_draw(int y, int x, int width, const unsigned counts[BAR_NSEV],
		   unsigned long scale, int ascii);

/* The role a verdict is shown in: healthy ok, unhealthy error, pending
 * pending, unverified and unknown warn. */
enum role scans_verdict_role(enum scan_verdict v);

#endif
