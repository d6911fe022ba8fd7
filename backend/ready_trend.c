/* ready_trend.c - per-pool rings of Ready counts, sampled at most once
 * per interval, and the sparkline's glyphs and width. Not the drawing
 * (panes/nodes_spark.c) nor the timer that ticks it (session.c). */
#include "ready_trend.h"

#include <stdio.h>
#include <string.h>

void ready_trend_init(struct ready_trend *t, long long interval_ms)
{
	memset(t, 0, sizeof(*t));
	t->interval_ms =
	    interval_ms > 0 ? interval_ms : READY_TREND_INTERVAL_MS;
}

static unsigned short clamp16(size_t v)
{
	return v > 65535 ? 65535 : (unsigned short)v;
}

static struct ready_pool *pool_for(struct ready_trend *t, const char *name)
{
	struct ready_pool *p;
	size_t i;

	for (i = 0; i < t->npools; i++)
		if (strncmp(t->pools[i].name, name, READY_TREND_NAME - 1) ==
		    0)
			return &t->pools[i];
	if (t->npools == READY_TREND_POOLS)
		return NULL; /* bounded: the rest get no trend */
	p = &t->pools[t->npools++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

/* Worse: a smaller Ready share (a/b < c/d), an empty pool worst. */
static int worse(const struct ready_sample *x, const struct ready_sample *y)
{
	if (!x->total || !y->total)
		return !x->total && y->total;
	return (unsigned long)x->ready * y->total <
	       (unsigned long)y->ready * x->total;
}

static void note(struct ready_pool *p, struct ready_sample s)
{
	if (!p->seen || worse(&s, &p->worst))
		p->worst = s;
	p->latest = s;
	p->seen = 1;
}

void ready_trend_observe(struct ready_trend *t,
			 const struct node_summary *sum)
{
	size_t i, j;
	int found;

	if (!sum)
		return;
	for (i = 0; i < sum->npools; i++) {
		struct ready_pool *p = pool_for(t, sum->pools[i].name);
		struct ready_sample s;

		if (!p)
			continue;
		s.ready = clamp16(sum->pools[i].ready);
		s.total = clamp16(sum->pools[i].total);
		note(p, s);
	}
	/* a pool gone from the cluster has no nodes now */
	for (j = 0; j < t->npools; j++) {
		struct ready_sample none = {0, 0};

		found = 0;
		for (i = 0; i < sum->npools && !found; i++)
			found = strncmp(t->pools[j].name, sum->pools[i].name,
					READY_TREND_NAME - 1) == 0;
		if (!found)
			note(&t->pools[j], none);
	}
	t->pending = 1;
}

long long ready_trend_due_ms(const struct ready_trend *t, long long now_ms)
{
	long long left;

	if (!t->pending)
		return -1;
	if (!t->sampled)
		return 0;
	left = t->last_ms + t->interval_ms - now_ms;
	return left > 0 ? left : 0;
}

int ready_trend_tick(struct ready_trend *t, long long now_ms)
{
	size_t i;

	if (ready_trend_due_ms(t, now_ms) != 0)
		return 0;
	t->pending = 0;
	for (i = 0; i < t->npools; i++) {
		struct ready_pool *p = &t->pools[i];

		if (!p->seen)
			continue;
		p->ring[p->head] = p->worst;
		p->head = (p->head + 1) % READY_TREND_SAMPLES;
		if (p->count < READY_TREND_SAMPLES)
			p->count++;
		p->seen = 0;
		if (p->latest.ready != p->worst.ready ||
		    p->latest.total != p->worst.total) {
			/* it recovered (or fell) since: the next sample */
			p->worst = p->latest;
			p->seen = 1;
			t->pending = 1;
		}
	}
	t->sampled = 1;
	t->last_ms = now_ms;
	return 1;
}

const struct ready_pool *ready_trend_pool(const struct ready_trend *t,
					  const char *name)
{
	size_t i;

	for (i = 0; t && name && i < t->npools; i++)
		if (strncmp(t->pools[i].name, name, READY_TREND_NAME - 1) ==
		    0)
			return &t->pools[i];
	return NULL;
}

int ready_pool_sample(const struct ready_pool *p, size_t n, size_t k,
		      struct ready_sample *out)
{
	size_t first;

	if (n > p->count)
		n = p->count;
	if (k >= n)
		return -1;
	/* the oldest of the last n sits n places behind head */
	first = (p->head + READY_TREND_SAMPLES - n) % READY_TREND_SAMPLES;
	*out = p->ring[(first + k) % READY_TREND_SAMPLES];
	return 0;
}

enum ready_level ready_sample_level(const struct ready_sample *s)
{
	if (!s->total || !s->ready)
		return READY_NONE;
	return s->ready >= s->total ? READY_ALL : READY_SOME;
}

const char *ready_sample_glyph(const struct ready_sample *s, int ascii)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄",
					   "▅", "▆", "▇", "█"};
	static const char *const marks[] = {"_", ".", "-", "=", "#"};
	size_t levels = ascii ? 5 : 8, i;

	if (!s->total)
		return " ";
	if (s->ready >= s->total)
		i = levels - 1;
	else /* short of all: never the top glyph */
		i = (size_t)s->ready * (levels - 1) / s->total;
	return ascii ? marks[i] : bars[i];
}

size_t ready_trend_fit(int avail, int fixed, size_t npools, size_t want,
		       size_t min)
{
	long room, each;

	if (!npools || avail <= fixed)
		return 0;
	room = (long)avail - fixed - (long)npools; /* a space before each */
	if (room <= 0)
		return 0;
	each = room / (long)npools;
	if ((size_t)each < min)
		return 0;
	return (size_t)each > want ? want : (size_t)each;
}
