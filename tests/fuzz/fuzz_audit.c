/* fuzz_audit.c - libFuzzer target for the audit log: a file of any bytes
 * is verified or refused with a sentence naming a line, never with more
 * records than lines; records with any fields are written so that the
 * chain verifies, reads back whole and the file stays valid UTF-8. Not a
 * concurrency test.
 *
 * Input: byte 0 bit 0: 0 = the bytes are a log file to verify and read;
 * 1 = the rest, split at 0x00 bytes, is the fields of records to append
 * (action, target, detail, identity, context, op, repeated).
 */
#include "fuzz.h"

#include <unistd.h>

#include "backend/audit.h"

static char dir[64], path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	snprintf(dir, sizeof(dir), "%s/jd-fuzz-audit.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	return 0;
}

static size_t count_lines(const uint8_t *d, size_t n)
{
	size_t i, lines = n && d[n - 1] != '\n';

	for (i = 0; i < n; i++)
		lines += d[i] == '\n';
	return lines;
}

static void verify_file(const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t nrec = 0, ne = 0;
	struct audit_entry *v = NULL;
	struct err e;

	if (!f)
		abort();
	if (n && fwrite(d, 1, n, f) != n)
		abort();
	fclose(f);
	memset(&e, 0, sizeof(e));
	if (audit_verify(path, &nrec, &e) < 0)
		FZ_CHECK(e.msg[0], "a refused log has no sentence");
	FZ_CHECK(nrec <= count_lines(d, n), "more records than lines");
	if (audit_read_tail(path, 5, &v, &ne, &e) == 0) {
		FZ_CHECK(ne <= 5, "the tail returned more than asked");
		audit_entries_free(&v, ne);
	}
}

/* The next field of the input, or NULL when it ran out. */
static const char *field(const char **p, const char *end)
{
	const char *s = *p;

	if (s >= end)
		return NULL;
	*p = s + strlen(s) + 1;
	return s;
}

static void append_records(const uint8_t *d, size_t n)
{
	char *buf = malloc(n + 1), *text;
	const char *p = buf, *end = buf + n;
	struct audit_record r;
	struct err e;
	size_t written = 0, nrec = 0, ne = 0, len;
	struct audit_entry *v = NULL;
	FILE *f;

	if (!buf)
		abort();
	memcpy(buf, d, n);
	buf[n] = '\0';
	unlink(path);
	while (written < 4) {
		memset(&r, 0, sizeof(r));
		r.action = field(&p, end);
		if (!r.action || !*r.action)
			break;
		r.target = field(&p, end);
		r.detail = field(&p, end);
		r.identity = field(&p, end);
		r.context = field(&p, end);
		r.op = field(&p, end);
		r.outcome = (enum audit_outcome)(written % 3);
		memset(&e, 0, sizeof(e));
		FZ_CHECK(audit_append(path, &r, &e) == 0,
			 "a record could not be appended");
		written++;
	}
	free(buf);
	if (!written)
		return;
	memset(&e, 0, sizeof(e));
	FZ_CHECK(audit_verify(path, &nrec, &e) == 0,
		 "a log written by audit_append does not verify");
	FZ_CHECK(nrec == written, "the log holds another number of records");
	FZ_CHECK(audit_read_tail(path, 10, &v, &ne, &e) == 0 && ne == written,
		 "the tail does not read back every record");
	audit_entries_free(&v, ne);
	f = fopen(path, "rb");
	if (!f)
		abort();
	text = malloc(1 << 16);
	len = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	text[len] = '\0';
	FZ_CHECK(fz_utf8_valid(text, len), "the log is not valid UTF-8");
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		append_records(data + 1, size - 1);
	else
		verify_file(data + 1, size - 1);
	return 0;
}
