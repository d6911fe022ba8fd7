/* ready_trend.h - the Ready count of each node pool over the session: a
 * fixed ring of samples per pool (bounded memory), taken when the nodes
 * change and at most once per interval (the worst count seen in between
 * is kept, so a short dip is not lost), and the glyphs a sparkline draws
 * them with. Pure: no clock is read, no curses. */
#ifndef JD_READY_TREND_H
#define JD_READY_TREND_H

#include <stddef.h>

#include "nodes.h"

#define READY_TREND_SAMPLES 60 /* per pool */
#define READY_TREND_POOLS 16   /* pools beyond these get no trend */
#define READY_TREND_NAME 64    /* a pool name as a label value (63) */
#define READY_TREND_INTERVAL_MS 5000

struct ready_sample {
	unsigned short ready, total; /* total 0: the pool had no nodes */
};

struct ready_pool {
	char name[READY_TREND_NAME];
	struct ready_sample ring[READY_TREND_SAMPLES];
	size_t head;  /* where the next sample goes */
	size_t count; /* samples held, up to READY_TREND_SAMPLES */
	struct ready_sample worst;  /* since the last sample */
	struct ready_sample latest; /* the count now */
	int seen;		    /* worst holds something */
};

struct ready_trend {
	struct ready_pool pools[READY_TREND_POOLS];
	size_t npools;
	long long interval_ms;
	long long last_ms; /* when the last sample was taken */
	int sampled;	   /* at least one sample taken */
	int pending;	   /* observed since the last sample */
};

/* Empty, sampling at most once per interval_ms (<= 0: the default). */
void ready_trend_init(struct ready_trend *t, long long interval_ms);
/* The nodes changed: remember each pool's count (the worst since the
 * last sample). Takes no sample; ready_trend_tick does. */
void ready_trend_observe(struct ready_trend *t,
			 const struct node_summary *sum);
/* Take a sample if something was observed and the interval has passed
 * since the last one (the first is taken at once): the worst count seen
 * since the last; when the count now differs, it is the next sample,
 * due an interval later. 1 when a sample was taken. */
int ready_trend_tick(struct ready_trend *t, long long now_ms);
/* Milliseconds until a pending sample is due (0: now), or -1 when
 * nothing waits. */
long long ready_trend_due_ms(const struct ready_trend *t, long long now_ms);
/* The pool named name, or NULL. Borrowed from t. */
const struct ready_pool *ready_trend_pool(const struct ready_trend *t,
					  const char *name);
/* The k-th of the last n samples (k = 0 the oldest of them); n is cut to
 * what the pool holds. Returns 0, or -1 when k is out of range. */
int ready_pool_sample(const struct ready_pool *p, size_t n, size_t k,
		      struct ready_sample *out);

enum ready_level {
	READY_ALL = 0, /* every node Ready */
	READY_SOME,    /* some, not all */
	READY_NONE,    /* none, or no nodes */
};
enum ready_level ready_sample_level(const struct ready_sample *s);
/* The glyph of a sample, by the Ready share: ▁▂▃▄▅▆▇█ (all Ready: █,
 * none: ▁), or under ascii _.-=# (all: #, none: _); " " for a pool that
 * had no nodes. A static string. */
const char *ready_sample_glyph(const struct ready_sample *s, int ascii);
/* How many samples each of npools sparklines can show in avail columns
 * after fixed columns of text, with one space before each sparkline: at
 * most want, 0 when there is room for fewer than min. */
size_t ready_trend_fit(int avail, int fixed, size_t npools, size_t want,
		       size_t min);

#endif
