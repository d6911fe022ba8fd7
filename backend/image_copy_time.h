/* image_copy_time.h - how long an image's last import or promotion took
 * and how long ago it ended, recorded by the pipeline and said as a short
 * text ("promote, 14 s, 3m ago"). Pure: no clock is read here. */
#ifndef JD_IMAGE_COPY_TIME_H
#define JD_IMAGE_COPY_TIME_H

#include <stddef.h>
#include <time.h>

#include "images.h"

/* Buffer size that always fits image_copy_time_text's text. */
#define IMAGE_COPY_TIME_LEN 96

/* Record a copy that ran from started_ms to ended_ms (the loop's clock)
 * and ended at the wall-clock time ended_at. An end before the start
 * (a clock that went back) counts as 0 ms. */
void image_copy_time_record(struct image_copy_time *t, enum image_action a,
			    int ok, long long started_ms, long long ended_ms,
			    time_t ended_at);
/* Whole seconds the copy took, rounded to the nearest; -1 when unknown. */
long long image_copy_time_seconds(const struct image_copy_time *t);
/* "import" or "promote". */
const char *image_copy_time_action(const struct image_copy_time *t);
/* "promote, 14 s, 3m ago", "import failed, 2 s, 10s ago", "none in this
 * session" when unknown; now_ms on the loop's clock. Returns buf. */
const char *image_copy_time_text(const struct image_copy_time *t,
				 long long now_ms, char *buf, size_t sz);

#endif
