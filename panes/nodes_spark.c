/* nodes_spark.c - the nodes pane's summary line with a sparkline of Ready
 * nodes per pool (▁▂▃▄▅▆▇█, or _.-=# under --ascii) in the ok, warn and
 * error roles; the glyph's height says the share, so monochrome reads it
 * too. Not the samples (backend/ready_trend.c) nor the table. */
#include "panes/nodes_spark.h"
#include "backend/text.h"
#include "backend/xalloc.h"
#include "tui/screen.h"

#include <stdio.h>
#include <stdlib.h>

#define SPARK_MIN 2 /* fewer glyphs than this say nothing: none drawn */

static enum role level_role(const struct ready_sample *s)
{
	switch (ready_sample_level(s)) {
	case READY_ALL:
		return ROLE_OK;
	case READY_SOME:
		return ROLE_WARN;
	default:
		return ROLE_ERROR;
	}
}

/* The pools' own columns: "name r/t" each, separators between. */
static int pools_width(const struct node_summary *sum, int sep_w)
{
	int w = 0;
	size_t i;

	for (i = 0; i < sum->npools; i++) {
		char *name = text_safe(sum->pools[i].name, -1, NULL);
		char *piece = xasprintf("%s %zu/%zu", name,
					sum->pools[i].ready,
					sum->pools[i].total);

		w += text_width(piece) + (i ? sep_w : 0);
		free(piece);
		free(name);
	}
	return w;
}

static size_t most_samples(const struct node_summary *sum,
			   const struct ready_trend *t)
{
	size_t i, most = 0;

	for (i = 0; t && i < sum->npools; i++) {
		const struct ready_pool *p =
		    ready_trend_pool(t, sum->pools[i].name);

		if (p && p->count > most)
			most = p->count;
	}
	return most;
}

/* Draws the pools from x on; returns the columns used. */
static int draw_pools(int y, int x, int w, const struct node_summary *sum,
		      const struct ready_trend *t, size_t len, int ascii)
{
	const char *sep = ascii ? " - " : " \xc2\xb7 ";
	int used = 0;
	size_t i, k;

	for (i = 0; i < sum->npools && used < w; i++) {
		char *name = text_safe(sum->pools[i].name, -1, NULL);
		char *piece = xasprintf("%s%s %zu/%zu", i ? sep : "", name,
					sum->pools[i].ready,
					sum->pools[i].total);
		const struct ready_pool *p =
		    len ? ready_trend_pool(t, sum->pools[i].name) : NULL;

		used += scr_put(y, x + used, w - used, ROLE_MUTED, piece);
		free(piece);
		free(name);
		if (!p || !p->count || used + 2 > w)
			continue;
		used += scr_put(y, x + used, 1, ROLE_MUTED, " ");
		for (k = 0; k < len && used < w; k++) {
			struct ready_sample s;

			if (ready_pool_sample(p, len, k, &s) < 0)
				break;
			used += scr_put(y, x + used, 1, level_role(&s),
					ready_sample_glyph(&s, ascii));
		}
	}
	return used;
}

void nodes_summary_draw(int y, int x, int w, const struct node_summary *sum,
			const struct ready_trend *trend, int ascii)
{
	char *text = node_summary_text(sum, ascii);
	char *shorter = xasprintf("%zu/%zu Ready", sum->ready, sum->total);
	int pw = pools_width(sum, 3);
	size_t want = most_samples(sum, trend), len;
	const char *head = text;
	int used;

	/* the whole summary with sparklines, else the short one with
	 * them, else the whole summary without */
	len = ready_trend_fit(w, text_width(text) + 3 + pw, sum->npools, want,
			      SPARK_MIN);
	if (!len && want) {
		len = ready_trend_fit(w, text_width(shorter) + 3 + pw,
				      sum->npools, want, SPARK_MIN);
		if (len)
			head = shorter;
	}
	used = scr_put(y, x, w,
		       sum->ready == sum->total ? ROLE_OK : ROLE_ERROR, head);
	if (w > used + 3)
		draw_pools(y, x + used + 3, w - used - 3, sum, trend, len,
			   ascii);
	free(text);
	free(shorter);
}
