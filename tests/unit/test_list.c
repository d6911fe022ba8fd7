/* test_list.c - the list widget's column sizing (list_fit) and cell
 * shortening (list_shorten), without curses: columns shaped like the
 * panes' in, widths out, at the pane widths the layout gives on 80, 100,
 * 120, 160 and 230 column terminals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "backend/text.h"
#include "tui/layout.h"
#include "tui/list.h"

/* The images pane's columns and the widest cell of each in the demo:
 * "docker.io/envoyproxy/envoy-alpine:v1.15.0", "not imported", a
 * reason of 90 columns. */
static const struct list_col images[] = {
    {"IMAGE", .prio = LIST_KEY, .min = 24, .cut = LIST_CUT_REF},
    {"PIPELINE", .prio = LIST_EXTRA, .drop = 1},
    {"STATE", .prio = LIST_KEY},
    {"QUARANTINE", .prio = LIST_EXTRA, .drop = 2},
    {"LIVE", .prio = LIST_EXTRA, .drop = 3},
    {"MESSAGE", 24, .prio = LIST_MESSAGE, .flex = 1, .min = 24},
};
static const int images_want[] = {41, 7, 12, 19, 19, 90};

/* The nodes pane's: names of 32 columns, a status of 27. */
static const struct list_col nodes[] = {
    {"NAME", .prio = LIST_KEY, .min = 20, .cut = LIST_CUT_MIDDLE},
    {"STATUS", .prio = LIST_KEY},
    {"POOL", 20, .prio = LIST_EXTRA, .drop = 3},
    {"MODE", .prio = LIST_EXTRA, .drop = 5},
    {"ROLES", 16, .prio = LIST_EXTRA, .drop = 6},
    {"VERSION", .prio = LIST_EXTRA, .drop = 4},
    {"AGE", .prio = LIST_EXTRA, .drop = 2},
    {"PRESSURE", .prio = LIST_EXTRA, .drop = 1},
};
static const int nodes_want[] = {32, 27, 11, 6, 5, 7, 3, 14};

/* The Flux pane's, a message of 300 columns. */
static const struct list_col flux[] = {
    {"KIND", .prio = LIST_KEY},
    {"NAME", .prio = LIST_KEY, .min = 16, .cut = LIST_CUT_MIDDLE},
    {"READY", .prio = LIST_KEY},
    {"URL/SOURCE", 40, .prio = LIST_EXTRA, .drop = 8},
    {"REF/PATH", 28, .prio = LIST_EXTRA, .drop = 7},
    {"REVISION", .prio = LIST_EXTRA, .drop = 2},
    {"ATTEMPTED", .prio = LIST_EXTRA, .drop = 5},
    {"REMOTE", .prio = LIST_EXTRA, .drop = 4},
    {"SUSP", .prio = LIST_EXTRA, .drop = 1},
    {"INTERVAL", .prio = LIST_EXTRA, .drop = 6},
    {"AGE", .prio = LIST_EXTRA, .drop = 3},
    {"MESSAGE", 100, .prio = LIST_MESSAGE, .flex = 1},
};
static const int flux_want[] = {2, 24, 11, 44, 30, 12, 12, 7, 3, 3, 3, 300};

/* The inner width of the focused pane on a cols x rows terminal: in the
 * grid when the terminal allows it, or zoomed. */
static int pane_width(int cols, int rows, int zoom)
{
	struct layout l;

	layout_compute(&l, cols, rows, 6, 0x0f, 0, zoom);
	return l.panes[0].w - 4; /* the box and a space each side */
}

/* "IMAGE 41, STATE 12" for the columns shown; checks the invariants. */
static void fit(const struct list_col *cols, int n, const int *want, int avail,
		char *buf, size_t sz)
{
	int width[16], c, used = 0, shown = 0, k, squeezed = 0;
	size_t len = 0;

	k = list_fit(cols, n, want, avail, width);
	buf[0] = '\0';
	for (c = 0; c < n; c++) {
		int title = text_width(cols[c].title) + 1;
		int whole = want[c] > title ? want[c] : title;

		if (!width[c]) {
			/* only extras and messages are dropped */
			assert_int_not_equal(cols[c].prio, LIST_KEY);
			continue;
		}
		shown++;
		used += width[c] + (shown > 1 ? LIST_GAP : 0);
		/* never below the readable minimum, but for a key given
		 * the last columns there are */
		if (cols[c].min && width[c] < cols[c].min &&
		    width[c] < whole && cols[c].prio == LIST_KEY)
			squeezed = 1;
		else if (cols[c].prio == LIST_KEY && width[c] < whole &&
			 !cols[c].min && !cols[c].max)
			squeezed = 1;
		else if (cols[c].min)
			assert_true(width[c] >= cols[c].min ||
				    width[c] >= whole);
		else if (cols[c].prio != LIST_MESSAGE)
			assert_true(width[c] >= whole ||
				    (cols[c].max && width[c] >= cols[c].max));
		else
			assert_true(width[c] >= LIST_MESSAGE_MIN);
		len +=
		    (size_t)snprintf(buf + len, sz - len, "%s%s %d",
				     len ? ", " : "", cols[c].title, width[c]);
	}
	assert_int_equal(k, shown);
	assert_true(used <= avail);
	if (squeezed)
		assert_int_equal(used, avail);
}

#define FIT(cols, w, buf)                                                     \
	fit(cols, (int)(sizeof(cols) / sizeof(cols[0])), cols##_want, w, buf, \
	    sizeof(buf))

static void test_widths_of_the_layout(void **state)
{
	(void)state;
	/* tabs below 120x35; the grid halves the width above it */
	assert_int_equal(pane_width(80, 24, 0), 76);
	assert_int_equal(pane_width(100, 30, 0), 96);
	assert_int_equal(pane_width(120, 40, 0), 56);
	assert_int_equal(pane_width(160, 40, 0), 76);
	assert_int_equal(pane_width(230, 50, 0), 111);
	assert_int_equal(pane_width(230, 50, 1), 226);
}

static void test_images_columns(void **state)
{
	char b[300];

	(void)state;
	/* 120x40 grid: state and reference whole, no room for a readable
	 * message, so it goes whole */
	FIT(images, pane_width(120, 40, 0), b);
	assert_string_equal(b, "IMAGE 41, STATE 12");
	/* 80x24: the reference gives up its host for the message */
	FIT(images, pane_width(80, 24, 0), b);
	assert_string_equal(b, "IMAGE 36, STATE 12, MESSAGE 24");
	FIT(images, pane_width(100, 30, 0), b);
	assert_string_equal(b, "IMAGE 41, PIPELINE 9, STATE 12, MESSAGE 28");
	FIT(images, pane_width(160, 40, 0), b);
	assert_string_equal(b, "IMAGE 36, STATE 12, MESSAGE 24");
	/* the stages come in once the message has what it claims */
	FIT(images, pane_width(230, 50, 0), b);
	assert_string_equal(b, "IMAGE 41, PIPELINE 9, STATE 12, MESSAGE 43");
	FIT(images, pane_width(230, 50, 1), b);
	assert_string_equal(b, "IMAGE 41, PIPELINE 9, STATE 12, "
			       "QUARANTINE 19, LIVE 19, MESSAGE 116");
}

static void test_nodes_columns(void **state)
{
	char b[300];

	(void)state;
	/* the name loses its middle; the status stays whole */
	FIT(nodes, pane_width(120, 40, 0), b);
	assert_string_equal(b, "NAME 27, STATUS 27");
	/* each extra whole or not at all, lowest drop first */
	FIT(nodes, pane_width(80, 24, 0), b);
	assert_string_equal(b, "NAME 32, STATUS 27, MODE 6, AGE 4");
	FIT(nodes, pane_width(100, 30, 0), b);
	assert_string_equal(b, "NAME 32, STATUS 27, POOL 11, AGE 4, "
			       "PRESSURE 14");
	FIT(nodes, pane_width(160, 40, 0), b);
	assert_string_equal(b, "NAME 32, STATUS 27, MODE 6, AGE 4");
	FIT(nodes, pane_width(230, 50, 0), b);
	assert_string_equal(b, "NAME 32, STATUS 27, POOL 11, VERSION 8, "
			       "AGE 4, PRESSURE 14");
	FIT(nodes, pane_width(230, 50, 1), b);
	assert_string_equal(b, "NAME 32, STATUS 27, POOL 11, MODE 6, "
			       "ROLES 6, VERSION 8, AGE 4, PRESSURE 14");
}

static void test_flux_columns(void **state)
{
	char b[300];

	(void)state;
	/* no room for 20 columns of message: none rather than a stub */
	FIT(flux, pane_width(120, 40, 0), b);
	assert_string_equal(b, "KIND 5, NAME 24, READY 11, SUSP 5");
	FIT(flux, pane_width(80, 24, 0), b);
	assert_string_equal(b, "KIND 5, NAME 24, READY 11, MESSAGE 30");
	FIT(flux, pane_width(100, 30, 0), b);
	assert_string_equal(b, "KIND 5, NAME 24, READY 11, MESSAGE 50");
	FIT(flux, pane_width(160, 40, 0), b);
	assert_string_equal(b, "KIND 5, NAME 24, READY 11, MESSAGE 30");
	FIT(flux, pane_width(230, 50, 0), b);
	assert_string_equal(b, "KIND 5, NAME 24, READY 11, MESSAGE 65");
	/* zoomed at 230: the message claims 100, the extras that fit whole
	 * come in, the message takes the rest */
	FIT(flux, pane_width(230, 50, 1), b);
	assert_string_equal(b, "KIND 5, NAME 24, READY 11, REVISION 12, "
			       "ATTEMPTED 12, REMOTE 7, SUSP 5, INTERVAL 9, "
			       "AGE 4, MESSAGE 119");
}

/* At every pane width from the narrowest the layout gives (60 columns,
 * less the box) to 260 the invariants hold (fit checks them). */
static void test_every_width(void **state)
{
	char b[300];
	int w;

	(void)state;
	for (w = LAYOUT_MIN_COLS - 4; w <= 260; w++) {
		FIT(images, w, b);
		FIT(nodes, w, b);
		FIT(flux, w, b);
	}
}

/* Declarations without a priority: flex is the message, drop 0 a key,
 * else an extra. */
static void test_auto_priority(void **state)
{
	static const struct list_col cols[] = {
	    {"NAME", .max = 0},
	    {"STATE", .max = 0},
	    {"EXTRA", .drop = 1},
	    {"MSG", .flex = 1},
	};
	const int want[] = {30, 10, 8, 100};
	int width[4];

	(void)state;
	assert_int_equal(list_fit(cols, 4, want, 60, width), 3);
	assert_int_equal(width[0], 30);
	assert_int_equal(width[1], 10);
	assert_int_equal(width[2], 8);
	assert_int_equal(width[3], 0);
	/* the message before the extra, then what it claims */
	assert_int_equal(list_fit(cols, 4, want, 70, width), 3);
	assert_int_equal(width[2], 0);
	assert_int_equal(width[3], 26);
	/* keys squeezed into too little room are cut, never dropped */
	assert_int_equal(list_fit(cols, 4, want, 35, width), 2);
	assert_int_equal(width[0], 30);
	assert_int_equal(width[1], 3);
}

static void shorten(const char *s, int w, enum list_cut how, char *out,
		    size_t sz)
{
	int n = list_shorten(out, sz, s, w, how);

	assert_int_equal(n, text_width(out));
	assert_true(n <= w);
}

static void test_shorten_reference(void **state)
{
	const char *ref = "docker.io/envoyproxy/envoy-alpine:v1.15.0";
	char b[200];

	(void)state;
	shorten(ref, 41, LIST_CUT_REF, b, sizeof(b));
	assert_string_equal(b, ref);
	/* the registry host goes first */
	shorten(ref, 40, LIST_CUT_REF, b, sizeof(b));
	assert_string_equal(b, "\u2026/envoyproxy/envoy-alpine:v1.15.0");
	/* then the path */
	shorten(ref, 30, LIST_CUT_REF, b, sizeof(b));
	assert_string_equal(b, "\u2026/envoy-alpine:v1.15.0");
	shorten(ref, 21, LIST_CUT_REF, b, sizeof(b));
	assert_string_equal(b, "envoy-alpine:v1.15.0");
	/* then the middle of the name; the tag stays whole */
	shorten(ref, 14, LIST_CUT_REF, b, sizeof(b));
	assert_string_equal(b, "envoy\u2026:v1.15.0");
	/* no host: the first component is a path */
	shorten("quarantine/weaveworks/kured:1.6.1", 25, LIST_CUT_REF, b,
		sizeof(b));
	assert_string_equal(b, "\u2026/weaveworks/kured:1.6.1");
	shorten("localhost:5000/library/busybox:1.33.0", 30, LIST_CUT_REF, b,
		sizeof(b));
	assert_string_equal(b, "\u2026/library/busybox:1.33.0");
	/* a target that is not an image: its end is kept */
	shorten("node/aks-npsystem-26621167-vmss000000", 20, LIST_CUT_REF, b,
		sizeof(b));
	assert_string_equal(b, "aks-npsys\u2026vmss000000");
}

static void test_shorten_middle_and_end(void **state)
{
	char b[200];

	(void)state;
	shorten("aks-npsystem-26621167-vmss000000", 20, LIST_CUT_MIDDLE, b,
		sizeof(b));
	assert_string_equal(b, "aks-npsys\u2026vmss000000");
	shorten("kustomize build failed", 10, LIST_CUT_END, b, sizeof(b));
	assert_string_equal(b, "kustomize\u2026");
	/* double-width characters are never split */
	shorten("\u65e5\u672c\u8a9e\u306e\u540d\u524d", 7, LIST_CUT_MIDDLE, b,
		sizeof(b));
	assert_string_equal(b, "\u65e5\u2026\u524d");
	shorten("short", 10, LIST_CUT_MIDDLE, b, sizeof(b));
	assert_string_equal(b, "short");
	shorten("abc", 0, LIST_CUT_END, b, sizeof(b));
	assert_string_equal(b, "");
	text_set_ascii(1);
	shorten("aks-npsystem-26621167-vmss000000", 20, LIST_CUT_MIDDLE, b,
		sizeof(b));
	assert_string_equal(b, "aks-npsys~vmss000000");
	text_set_ascii(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_widths_of_the_layout),
	    cmocka_unit_test(test_images_columns),
	    cmocka_unit_test(test_nodes_columns),
	    cmocka_unit_test(test_flux_columns),
	    cmocka_unit_test(test_every_width),
	    cmocka_unit_test(test_auto_priority),
	    cmocka_unit_test(test_shorten_reference),
	    cmocka_unit_test(test_shorten_middle_and_end),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
