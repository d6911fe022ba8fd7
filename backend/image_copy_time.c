/* image_copy_time.c - the duration and age of an image's last copy, as
 * numbers and as a short text. Not the pipeline that records them
 * (pipeline.c) nor the panes that draw them. */
#include "image_copy_time.h"
#include "timefmt.h"

#include <stdio.h>
#include <string.h>

void image_copy_time_record(struct image_copy_time *t, enum image_action a,
			    int ok, long long started_ms, long long ended_ms,
			    time_t ended_at)
{
	memset(t, 0, sizeof(*t));
	t->known = 1;
	t->action = a;
	t->ok = ok ? 1 : 0;
	t->started_ms = started_ms;
	t->ended_ms = ended_ms < started_ms ? started_ms : ended_ms;
	t->ended_at = ended_at;
}

long long image_copy_time_seconds(const struct image_copy_time *t)
{
	if (!t || !t->known)
		return -1;
	return (t->ended_ms - t->started_ms + 500) / 1000;
}

const char *image_copy_time_action(const struct image_copy_time *t)
{
	return t && t->action == IMAGE_PROMOTE ? "promote" : "import";
}

const char *image_copy_time_text(const struct image_copy_time *t,
				 long long now_ms, char *buf, size_t sz)
{
	char ago[TIMEFMT_AGE_LEN];
	long long since;

	if (!sz)
		return buf;
	if (!t || !t->known) {
		snprintf(buf, sz, "none in this session");
		return buf;
	}
	since = (now_ms - t->ended_ms) / 1000;
	if (since < 0)
		since = 0;
	snprintf(buf, sz, "%s%s, %lld s, %s ago", image_copy_time_action(t),
		 t->ok ? "" : " failed", image_copy_time_seconds(t),
		 timefmt_duration(since, ago, sizeof(ago)));
	return buf;
}
