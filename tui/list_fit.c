/* list_fit.c - the list widget's pure parts: which columns are shown and
 * how wide (by the priority each column declares), and how a cell too wide
 * for its column is shortened. No curses; the drawing is in list.c. */
#include "list.h"
#include "backend/text.h"

#include <stdio.h>
#include <string.h>

#define FIT_MAX_COLS 32

struct fit {
	const struct list_col *cols;
	int ncols;
	int *width;
	int shown;
	int used; /* the widths and the gaps between shown columns */
	int avail;
	int natural[FIT_MAX_COLS]; /* whole width, capped by max */
	int full[FIT_MAX_COLS];	   /* whole width, uncapped */
	int min[FIT_MAX_COLS];
};

static enum list_prio prio_of(const struct list_col *c)
{
	if (c->prio != LIST_PRIO_AUTO)
		return c->prio;
	return c->flex ? LIST_MESSAGE : c->drop ? LIST_EXTRA : LIST_KEY;
}

/* Show column c at w columns if that fits; else, when `squeeze`, at what
 * is left. Returns 1 when shown. */
static int take(struct fit *f, int c, int w, int squeeze)
{
	int gap = f->shown ? LIST_GAP : 0;
	int room = f->avail - f->used - gap;

	if (w > room) {
		if (!squeeze || room < 1)
			return 0;
		w = room;
	}
	f->width[c] = w;
	f->used += w + gap;
	f->shown++;
	return 1;
}

/* Widen a shown column towards target with what is left. */
static void grow(struct fit *f, int c, int target)
{
	int more = target - f->width[c];

	if (!f->width[c] || more <= 0)
		return;
	if (more > f->avail - f->used)
		more = f->avail - f->used;
	if (more > 0) {
		f->width[c] += more;
		f->used += more;
	}
}

static int claim_of(const struct fit *f, int c)
{
	int claim = f->cols[c].max ? f->cols[c].max : LIST_MESSAGE_WANT;

	return f->full[c] < claim ? f->full[c] : claim;
}

int list_fit(const struct list_col *cols, int ncols, const int *want,
	     int avail, int *width)
{
	struct fit f;
	int order[FIT_MAX_COLS], n = 0, c, i, j, flex = -1;

	if (ncols > FIT_MAX_COLS)
		ncols = FIT_MAX_COLS;
	memset(&f, 0, sizeof(f));
	f.cols = cols;
	f.ncols = ncols;
	f.width = width;
	f.avail = avail;
	for (c = 0; c < ncols; c++) {
		int w = text_width(cols[c].title) + 1;
		enum list_prio p = prio_of(&cols[c]);

		width[c] = 0;
		if (want[c] > w)
			w = want[c];
		f.full[c] = w;
		f.natural[c] =
		    cols[c].max && w > cols[c].max ? cols[c].max : w;
		if (cols[c].min > 0)
			f.min[c] = cols[c].min < f.natural[c] ? cols[c].min
							      : f.natural[c];
		else if (p == LIST_MESSAGE)
			f.min[c] = LIST_MESSAGE_MIN < f.natural[c]
				       ? LIST_MESSAGE_MIN
				       : f.natural[c];
		else
			f.min[c] = f.natural[c];
		if (cols[c].flex && flex < 0)
			flex = c;
	}
	/* Extras in drop order (lowest first), stable. */
	for (c = 0; c < ncols; c++)
		if (prio_of(&cols[c]) == LIST_EXTRA) {
			for (j = n;
			     j > 0 && cols[order[j - 1]].drop > cols[c].drop;
			     j--)
				order[j] = order[j - 1];
			order[j] = c;
			n++;
		}
	for (c = 0; c < ncols; c++)
		if (prio_of(&cols[c]) == LIST_KEY)
			take(&f, c, f.min[c], 1);
	for (c = 0; c < ncols; c++)
		if (prio_of(&cols[c]) == LIST_MESSAGE)
			take(&f, c, f.min[c], 0);
	for (c = 0; c < ncols; c++)
		if (prio_of(&cols[c]) == LIST_KEY)
			grow(&f, c, f.natural[c]);
	for (c = 0; c < ncols; c++)
		if (prio_of(&cols[c]) == LIST_MESSAGE)
			grow(&f, c, claim_of(&f, c));
	for (i = 0; i < n; i++)
		take(&f, order[i], f.min[order[i]], 0);
	for (i = 0; i < n; i++)
		grow(&f, order[i], f.natural[order[i]]);
	for (c = 0; c < ncols; c++)
		if (prio_of(&cols[c]) == LIST_MESSAGE)
			grow(&f, c, f.full[c]);
	if (flex >= 0)
		grow(&f, flex, f.width[flex] + avail);
	return f.shown;
}

/* ---- shortening ------------------------------------------------------ */

static const char *ellipsis(void)
{
	return text_ascii() ? "~" : "\u2026";
}

/* Bytes of the UTF-8 character at s (s is safe, so valid UTF-8). */
static size_t char_len(const char *s)
{
	unsigned char b = (unsigned char)s[0];

	return b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
}

static int char_width(const char *s, size_t len)
{
	char one[8];

	memcpy(one, s, len);
	one[len] = '\0';
	return text_width(one);
}

/* The shortest end of s at most w columns wide that does not start with
 * a combining mark. */
static const char *tail_of(const char *s, int w)
{
	int total = text_width(s);

	while (*s && total > w) {
		size_t len = char_len(s);

		total -= char_width(s, len);
		s += len;
	}
	while (*s && char_width(s, char_len(s)) == 0)
		s += char_len(s);
	return s;
}

size_t list_prefix(const char *safe, int w, int *used)
{
	size_t n = 0;

	*used = 0;
	while (safe[n]) {
		size_t len = char_len(safe + n);
		int cw = char_width(safe + n, len);

		if (*used + cw > w)
			break;
		*used += cw;
		n += len;
	}
	return n;
}

/* The first head_w columns of head, an ellipsis, then tail, into dst. */
static int join(char *dst, size_t dstsz, const char *head, int head_w,
		const char *tail)
{
	int used;
	size_t n = list_prefix(head, head_w, &used);

	snprintf(dst, dstsz, "%.*s%s%s", (int)n, head, ellipsis(), tail);
	return text_width(dst);
}

static int cut_middle(char *dst, size_t dstsz, const char *s, int w)
{
	int tail_w = w / 2, head_w = w - 1 - tail_w;

	if (w < 3)
		return (int)text_safe_buf(dst, dstsz, s, w);
	return join(dst, dstsz, s, head_w, tail_of(s, tail_w));
}

/* "…/" then what follows. */
static int with_prefix(char *dst, size_t dstsz, const char *rest)
{
	snprintf(dst, dstsz, "%s/%s", ellipsis(), rest);
	return text_width(dst);
}

/* The first path component names a registry host: it has a dot or a
 * port, or is localhost (the rule Docker applies to references). */
static int is_host(const char *s, size_t len)
{
	return memchr(s, '.', len) || memchr(s, ':', len) ||
	       (len == 9 && memcmp(s, "localhost", 9) == 0);
}

static int cut_ref(char *dst, size_t dstsz, const char *s, int w)
{
	const char *slash = strchr(s, '/'), *p = s, *tag;
	int tag_w;

	/* the registry host, then the leading path components */
	if (slash && is_host(s, (size_t)(slash - s)))
		p = slash + 1;
	for (;;) {
		if (p != s && with_prefix(dst, dstsz, p) <= w)
			return text_width(dst);
		slash = strchr(p, '/');
		if (!slash)
			break;
		p = slash + 1;
	}
	/* the name alone; else cut in its middle, keeping the tag whole */
	if (text_width(p) <= w)
		return (int)text_safe_buf(dst, dstsz, p, -1);
	tag = strrchr(p, ':');
	tag_w = tag ? text_width(tag) : 0;
	if (tag && tag_w + 4 <= w)
		return join(dst, dstsz, p, w - 1 - tag_w, tag);
	return cut_middle(dst, dstsz, p, w);
}

int list_shorten(char *dst, size_t dstsz, const char *safe, int w,
		 enum list_cut how)
{
	if (!dstsz)
		return 0;
	dst[0] = '\0';
	if (w <= 0)
		return 0;
	if (text_width(safe) <= w)
		return (int)text_safe_buf(dst, dstsz, safe, -1);
	switch (how) {
	case LIST_CUT_MIDDLE:
		return cut_middle(dst, dstsz, safe, w);
	case LIST_CUT_REF:
		return cut_ref(dst, dstsz, safe, w);
	default:
		return (int)text_safe_buf(dst, dstsz, safe, w);
	}
}
