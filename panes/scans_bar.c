/* scans_bar.c - the severity bar: cells per severity (pure, unit-tested)
 * and the cells drawn in the severity roles; a verdict's role. No state,
 * no I/O. */
#include "panes/scans_bar.h"
#include "tui/screen.h"

int scans_bar_split(const unsigned counts[BAR_NSEV], unsigned long scale,
		    int width, int cells[BAR_NSEV])
{
	unsigned long total = 0, rem[BAR_NSEV];
	int k, len, used = 0, nonzero = 0;

	for (k = 0; k < BAR_NSEV; k++) {
		cells[k] = 0;
		rem[k] = 0;
		total += counts[k];
		nonzero += counts[k] > 0;
	}
	if (!total || width < 1)
		return 0;
	/* The length: total's share of scale, rounded up. */
	if (!scale || scale <= total)
		len = width;
	else
		len = (int)(((unsigned long long)width * total + scale - 1) /
			    scale);
	if (len < nonzero)
		len = nonzero;
	if (len > width)
		len = width;
	/* One cell for each severity there is (the most severe first when
	 * the bar is too short for all), then the rest by share. */
	for (k = 0; k < BAR_NSEV && used < len; k++) {
		if (counts[k]) {
			cells[k] = 1;
			used++;
		}
	}
	if (used < len) {
		int left = len - used;
		unsigned long long share;

		for (k = 0; k < BAR_NSEV; k++) {
			if (!counts[k])
				continue;
			share = (unsigned long long)left * counts[k];
			cells[k] += (int)(share / total);
			rem[k] = (unsigned long)(share % total);
			used += (int)(share / total);
		}
		/* Largest remainder; a tie goes to the more severe. */
		while (used < len) {
			int best = -1;

			for (k = 0; k < BAR_NSEV; k++) {
				if (counts[k] &&
				    (best < 0 || rem[k] > rem[best]))
					best = k;
			}
			if (best < 0) /* no count left: cannot be */
				break;
			cells[best]++;
			rem[best] = 0;
			used++;
		}
	}
	return used;
}

int scans_bar_draw(int y, int x, int width, const unsigned counts[BAR_NSEV],
		   unsigned long scale, int ascii)
{
	static const char *const utf8[BAR_NSEV] = {"\u2588", "\u2593",
						   "\u2592", "\u2591"};
	static const char *const plain[BAR_NSEV] = {"#", "=", "-", "."};
	static const enum role roles[BAR_NSEV] = {
	    ROLE_SEV_CRITICAL, ROLE_SEV_HIGH, ROLE_SEV_MEDIUM, ROLE_SEV_LOW};
	int cells[BAR_NSEV], k, i, n;

	n = scans_bar_split(counts, scale, width, cells);
	for (k = 0; k < BAR_NSEV; k++) {
		/* A role with a background of its own (critical: white on
		 * red, or reversed) shows best as blocks of it. */
		const char *g = scr_role_fills(roles[k]) ? " "
				: ascii			 ? plain[k]
							 : utf8[k];

		for (i = 0; i < cells[k]; i++)
			x += scr_put(y, x, 1, roles[k], g);
	}
	return n;
}

enum role scans_verdict_role(enum scan_verdict v)
{
	switch (v) {
	case SCAN_HEALTHY:
		return ROLE_OK;
	case SCAN_UNHEALTHY:
		return ROLE_ERROR;
	case SCAN_PENDING:
		return ROLE_PENDING;
	case SCAN_UNVERIFIED:
	case SCAN_UNKNOWN:
		break;
	}
	return ROLE_WARN;
}
