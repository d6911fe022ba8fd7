/* fuzz_text.c - libFuzzer target for the terminal-safe text functions: what
 * they write is valid UTF-8 with no control, bidi or separator code point,
 * fits its columns and bytes, and is a fixed point. Not a width table test.
 *
 * Input: byte 0 picks max_cols (0xFF: no limit), byte 1 the buffer size of
 * text_safe_buf and text_pad, byte 2 bit 0 the ASCII mode; the rest is the
 * untrusted string.
 */
#include "fuzz.h"

#include "backend/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void check_ascii(const char *s)
{
	for (; *s; s++)
		FZ_CHECK(*s >= 0x20 && *s < 0x7F, "ASCII mode wrote a byte "
						  "outside printable ASCII");
}

static void check_safe_buf(const char *in, size_t dstsz, int max_cols)
{
	char dst[300];
	size_t w;

	memset(dst, 'X', sizeof(dst));
	w = text_safe_buf(dst, dstsz, in, max_cols);
	if (dstsz == 0) {
		FZ_CHECK(w == 0 && dst[0] == 'X', "text_safe_buf wrote into "
						  "a buffer of 0 bytes");
		return;
	}
	FZ_CHECK(memchr(dst, '\0', dstsz) != NULL,
		 "text_safe_buf left its buffer without a NUL");
	FZ_CHECK(dst[dstsz] == 'X' || dstsz == sizeof(dst),
		 "text_safe_buf wrote past its buffer");
	FZ_SAFE_STR(dst, "text_safe_buf wrote an unsafe string");
	FZ_CHECK(max_cols < 0 || w <= (size_t)max_cols,
		 "text_safe_buf is wider than max_cols");
	FZ_CHECK((int)w == text_width(dst),
		 "text_safe_buf's width is not the width of what it wrote");
	if (text_ascii())
		check_ascii(dst);
}

static void check_pad(const char *safe, size_t dstsz, int cols)
{
	char dst[300];
	int w;

	w = text_pad(dst, dstsz, safe, cols);
	if (dstsz == 0)
		return;
	FZ_SAFE_STR(dst, "text_pad wrote an unsafe string");
	FZ_CHECK(w <= cols || cols < 0, "text_pad is wider than asked");
	FZ_CHECK(w == text_width(dst), "text_pad's width is not the width "
				       "of what it wrote");
	/* With room for every column in 4-byte characters it pads fully. */
	if (cols >= 0 && dstsz > (size_t)cols * 4)
		FZ_CHECK(w == cols, "text_pad did not pad to its width");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int max_cols, cols = -1, cols2 = -1, wide;
	size_t dstsz;
	char *in, *out, *again, *whole;

	if (size < 3)
		return 0;
	max_cols = data[0] == 0xFF ? -1 : data[0];
	dstsz = data[1];
	text_set_ascii(data[2] & 1);
	in = fz_cstr(data + 3, size - 3);

	out = text_safe(in, max_cols, &cols);
	FZ_SAFE_STR(out, "text_safe wrote an unsafe string");
	FZ_CHECK(max_cols < 0 || cols <= max_cols,
		 "text_safe is wider than max_cols");
	FZ_CHECK(cols == text_width(out),
		 "text_safe's width is not the width of what it wrote");
	again = text_safe(out, -1, &cols2);
	FZ_CHECK(strcmp(again, out) == 0 && cols2 == cols,
		 "text_safe of a safe string changed it");
	if (text_ascii())
		check_ascii(out);

	whole = text_safe(in, -1, &wide);
	FZ_CHECK(wide == text_width(in),
		 "text_width differs from the width text_safe prints");
	/* A cut keeps a prefix of the uncut text (before the ellipsis). */
	if (cols < wide && max_cols > 0) {
		size_t keep = strlen(out);

		keep -= text_ascii() ? 1 : 3; /* the ellipsis */
		FZ_CHECK(strncmp(out, whole, keep) == 0,
			 "a cut text is not a prefix of the whole");
	} else if (max_cols != 0) {
		FZ_CHECK(strcmp(out, whole) == 0,
			 "an uncut text differs from the whole");
	}

	check_safe_buf(in, dstsz, max_cols);
	check_pad(out, dstsz, max_cols < 0 ? 40 : max_cols);
	FZ_CHECK(text_contains_nocase(in, "") == 1,
		 "the empty filter does not match");
	(void)text_contains_nocase(out, in);

	free(whole);
	free(again);
	free(out);
	free(in);
	text_set_ascii(0);
	return 0;
}
