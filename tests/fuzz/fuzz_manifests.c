/* fuzz_manifests.c - libFuzzer target for the manifest rewriter: for any
 * kustomization.yaml and gotk-sync.yaml, a plan replaces exactly the
 * placeholders (no more, no fewer), leaves YAML that parses, its unified
 * diff turns the old text into the new one, the scan counts what the plan
 * found, and an applied plan leaves the files as planned. Not a test of
 * the folder walk's limits or of git.
 *
 * Input: the kustomization file, then after the first 0x00 byte (when
 * there is one) gotk-sync.yaml; the first line of the input is also tried
 * as a registry and as an account name.
 */
#include "fuzz.h"

#include <sys/stat.h>
#include <unistd.h>

#include "backend/change.h"
#include "backend/manifests.h"

#define REGISTRY "acrfuzz01"
#define ACCOUNT	 "fuzz-acct"

static char root[64], kust[160], sync_path[160], audit[160];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char d[200];

	(void)argc;
	(void)argv;
	fz_locale();
	snprintf(root, sizeof(root), "%s/jd-fuzz-mf.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(root))
		abort();
	snprintf(d, sizeof(d), "%s/cluster-manifests", root);
	if (mkdir(d, 0700) != 0)
		abort();
	snprintf(d, sizeof(d), "%s/cluster-manifests/a0005-i", root);
	if (mkdir(d, 0700) != 0)
		abort();
	snprintf(d, sizeof(d), "%s/cluster-manifests/flux-system", root);
	if (mkdir(d, 0700) != 0)
		abort();
	snprintf(kust, sizeof(kust),
		 "%s/cluster-manifests/a0005-i/kustomization.yaml", root);
	snprintf(sync_path, sizeof(sync_path),
		 "%s/cluster-manifests/" MANIFESTS_SYNC_FILE, root);
	snprintf(audit, sizeof(audit), "%s/audit.log", root);
	return 0;
}

static void put(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (n && fwrite(d, 1, n, f) != n)
		abort();
	fclose(f);
	if (chmod(path, 0644) != 0)
		abort();
}

/* Occurrences of needle in buf, counted apart from manifests.c (the
 * placeholders and names cannot overlap themselves). */
static size_t count_apart(const char *buf, size_t len, const char *needle)
{
	size_t nl = strlen(needle), n = 0, i = 0;

	while (i + nl <= len) {
		if (memcmp(buf + i, needle, nl) == 0) {
			n++;
			i += nl;
		} else {
			i++;
		}
	}
	return n;
}

/* One line of text at *p (up to the newline, which is not counted). */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	*len = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*p = nl ? nl + 1 : end;
	return s;
}

/* Applies the hunks of one file's diff (between *p and end) to before,
 * the way patch(1) would, and compares the result with after. The diff
 * of a rewrite keeps the number of lines, so a hunk's lines are replaced
 * in place. Returns 1 when the patched text is after. */
static int patch_matches(const struct manifest_edit *m, const char **p,
			 const char *end)
{
	/* every byte out comes from the old text or from the diff */
	char *out = malloc(m->before_len + (size_t)(end - *p) + 1);
	const char *src = m->before, *srcend = m->before + m->before_len;
	const char *line, *save;
	size_t len, o = 0, at = 0, from, cnt, k;
	int ok = 1;
	char last = ' '; /* the kind of the line before a "\" line */

	if (!out)
		abort();
	for (;;) {
		save = *p;
		line = next_line(p, end, &len);
		if (!line || len < 4 || memcmp(line, "@@ -", 4) != 0) {
			*p = save;
			break;
		}
		if (sscanf(line, "@@ -%zu,%zu", &from, &cnt) != 2 ||
		    from < 1 || from - 1 < at) {
			ok = 0;
			break;
		}
		/* the lines before the hunk, unchanged */
		while (at < from - 1) {
			line = next_line(&src, srcend, &len);
			if (!line) {
				ok = 0;
				break;
			}
			memcpy(out + o, line, len);
			o += len;
			out[o++] = '\n';
			at++;
		}
		/* ' ' and '-' lines must be the old text; ' ' and '+' make
		 * the new one. */
		for (k = 0; ok && k < cnt;) {
			const char *old;
			size_t oldlen;

			save = *p;
			line = next_line(p, end, &len);
			if (!line || len == 0) {
				ok = 0;
				break;
			}
			if (line[0] == '\\') {
				/* no newline after the line before it, in the
				 * new text unless that line was only old */
				if (last != '-' && o && out[o - 1] == '\n')
					o--;
				continue;
			}
			last = line[0];
			if (line[0] == '+') {
				memcpy(out + o, line + 1, len - 1);
				o += len - 1;
				out[o++] = '\n';
				continue;
			}
			if (line[0] != ' ' && line[0] != '-') {
				ok = 0;
				break;
			}
			old = next_line(&src, srcend, &oldlen);
			if (!old || oldlen != len - 1 ||
			    memcmp(old, line + 1, oldlen) != 0) {
				ok = 0;
				break;
			}
			if (line[0] == ' ') {
				memcpy(out + o, old, oldlen);
				o += oldlen;
				out[o++] = '\n';
			}
			at++;
			k++;
		}
		/* '+' lines and "\ No newline" after the last old line */
		while (ok) {
			save = *p;
			line = next_line(p, end, &len);
			if (!line || len == 0 ||
			    (line[0] != '+' && line[0] != '\\')) {
				*p = save;
				break;
			}
			if (line[0] == '\\') {
				if (last != '-' && o && out[o - 1] == '\n')
					o--;
				continue;
			}
			last = line[0];
			memcpy(out + o, line + 1, len - 1);
			o += len - 1;
			out[o++] = '\n';
		}
		if (!ok)
			break;
	}
	/* the rest of the old text, as it was */
	if (ok && src < srcend) {
		memcpy(out + o, src, (size_t)(srcend - src));
		o += (size_t)(srcend - src);
	}
	ok = ok && o == m->after_len && memcmp(out, m->after, o) == 0;
	free(out);
	return ok;
}

static void check_diff(const struct manifests_plan *pl)
{
	char *diff = manifests_diff(pl), hdr[400];
	const char *p = diff, *end = diff + strlen(diff);
	size_t i, n;

	FZ_CHECK(diff, "no diff for a plan");
	for (i = 0; i < pl->n; i++) {
		const struct manifest_edit *m = &pl->v[i];

		n = (size_t)snprintf(hdr, sizeof(hdr), "--- a/%s\n+++ b/%s\n",
				     m->rel, m->rel);
		FZ_CHECK(n < sizeof(hdr) && (size_t)(end - p) >= n &&
			     memcmp(p, hdr, n) == 0,
			 "a file's diff does not start with its names");
		p += n;
		FZ_CHECK(patch_matches(m, &p, end),
			 "the diff does not turn the old text into the new");
	}
	FZ_CHECK(p == end, "the diff has more than its files' hunks");
	free(diff);
}

static void check_edit(const struct manifest_edit *m)
{
	const char *needle = m->which == MANIFESTS_REGISTRY
				 ? MANIFESTS_ACR_PLACEHOLDER
				 : MANIFESTS_ACCOUNT_PLACEHOLDER;
	const char *with = m->which == MANIFESTS_REGISTRY ? REGISTRY : ACCOUNT;
	size_t n = count_apart(m->before, m->before_len, needle);
	struct err e;

	FZ_CHECK(m->count == n && n > 0, "a planned file's count is not the "
					 "placeholders in it");
	FZ_CHECK(m->after_len ==
		     m->before_len - n * strlen(needle) + n * strlen(with),
		 "the new text's length is not the old one's with the "
		 "names replaced");
	FZ_CHECK(count_apart(m->after, m->after_len, needle) == 0,
		 "a placeholder is left after the rewrite");
	FZ_CHECK(count_apart(m->after, m->after_len, with) ==
		     n + count_apart(m->before, m->before_len, with),
		 "the name went in elsewhere than the placeholders");
	memset(&e, 0, sizeof(e));
	FZ_CHECK(manifests_check_yaml(m->rel, m->after, m->after_len, &e) == 0,
		 "a planned file is not YAML after the rewrite");
}

static void apply(struct manifests_plan *pl)
{
	static const struct change_req req = {
	    "manifests.rewrite", "cluster-manifests", "fuzz", NULL};
	struct change_log *log;
	struct change *ch;
	struct err e;
	size_t i, len;
	char *now;
	FILE *f;

	unlink(audit);
	log = change_log_new(audit, 0);
	memset(&e, 0, sizeof(e));
	ch = change_begin(log, &req, &e);
	FZ_CHECK(ch, "the change could not begin");
	FZ_CHECK(manifests_apply(pl, ch, &e) == 0,
		 "a plan made a moment ago could not be applied");
	for (i = 0; i < pl->n; i++) {
		now = malloc(pl->v[i].after_len + 2);
		f = fopen(pl->v[i].path, "rb");
		if (!now || !f)
			abort();
		len = fread(now, 1, pl->v[i].after_len + 1, f);
		fclose(f);
		FZ_CHECK(len == pl->v[i].after_len &&
			     memcmp(now, pl->v[i].after, len) == 0,
			 "an applied file does not hold the planned text");
		free(now);
	}
	change_log_free(&log);
}

static void plan(void)
{
	struct manifests_plan pl;
	struct manifests_scan sc;
	struct err e;
	size_t i, reg = 0, acc = 0;
	char *url = NULL;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = manifests_plan(&pl, root, MANIFESTS_REGISTRY | MANIFESTS_ACCOUNT,
			    REGISTRY, ACCOUNT, &e);
	if (rc < 0) {
		FZ_CHECK(e.msg[0], "a refused plan has no sentence");
		manifests_plan_free(&pl);
		return;
	}
	for (i = 0; i < pl.n; i++) {
		check_edit(&pl.v[i]);
		if (pl.v[i].which == MANIFESTS_REGISTRY)
			reg += pl.v[i].count;
		else
			acc += pl.v[i].count;
	}
	check_diff(&pl);
	memset(&e, 0, sizeof(e));
	FZ_CHECK(manifests_scan_dir(root, &sc, &e) == 0,
		 "a folder that was planned cannot be scanned");
	FZ_CHECK(sc.registry_count == reg && sc.account_count == acc,
		 "the scan does not count what the plan replaces");
	if (manifests_sync_url(&pl.where, &url, &e) == 0)
		FZ_CHECK(url, "a sync url found but not returned");
	free(url);
	if (pl.n)
		apply(&pl);
	manifests_plan_free(&pl);
}

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static void names(const char *s)
{
	size_t n = strlen(s), i;
	int want = n >= 5 && n <= 50;
	struct err e;

	for (i = 0; i < n; i++)
		want = want && alnum(s[i]);
	FZ_CHECK((manifests_valid_registry(s, &e) == 0) == want,
		 "a registry name judged against the rule");
	want = n >= 1 && n <= 39;
	for (i = 0; i < n; i++)
		want = want && (alnum(s[i]) || (s[i] == '-' && i > 0 &&
						i + 1 < n && s[i + 1] != '-'));
	FZ_CHECK((manifests_valid_account(s, &e) == 0) == want,
		 "an account name judged against the rule");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *z = memchr(data, 0, size);
	size_t n1 = z ? (size_t)(z - data) : size;
	char *first = fz_cstr(data, n1), *nl = strchr(first, '\n');

	put(kust, data, n1);
	if (z)
		put(sync_path, z + 1, size - n1 - 1);
	else
		unlink(sync_path);
	plan();
	if (nl)
		*nl = '\0';
	names(first);
	free(first);
	return 0;
}
