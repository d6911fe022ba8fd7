/* manifests.c - plans, diffs and applies the two placeholder rewrites of
 * the walkthrough in a local clone; checks YAML with libyaml. Not git and
 * not the cluster: files only. */
#include "manifests.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "strbuf.h"
#include "xalloc.h"
#include "xdg.h"

/* ---- small helpers ---------------------------------------------------- */

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The first needle (nl bytes) in buf (len bytes), or NULL. */
static const char *find(const char *buf, size_t len, const char *needle,
			size_t nl)
{
	size_t i;

	if (nl == 0 || len < nl)
		return NULL;
	for (i = 0; i + nl <= len; i++)
		if (buf[i] == needle[0] && memcmp(buf + i, needle, nl) == 0)
			return buf + i;
	return NULL;
}

/* Occurrences of needle in buf. */
static size_t count_in(const char *buf, size_t len, const char *needle)
{
	size_t n = 0, nl = strlen(needle);
	const char *p = buf, *end = buf + len, *hit;

	while ((size_t)(end - p) >= nl) {
		hit = find(p, (size_t)(end - p), needle, nl);
		if (!hit)
			break;
		n++;
		p = hit + nl;
	}
	return n;
}

/* buf with every needle replaced by with; *out_len gets the length. */
static char *replace_all(const char *buf, size_t len, const char *needle,
			 const char *with, size_t *out_len)
{
	size_t nl = strlen(needle), wl = strlen(with);
	size_t n = count_in(buf, len, needle);
	size_t cap = len - n * nl + n * wl;
	char *out = xmalloc(cap + 1), *o = out;
	const char *p = buf, *end = buf + len, *hit;

	for (;;) {
		hit = find(p, (size_t)(end - p), needle, nl);
		if (!hit)
			break;
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, with, wl);
		o += wl;
		p = hit + nl;
	}
	memcpy(o, p, (size_t)(end - p));
	o += end - p;
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

/* Read a regular file (not following a final symbolic link) of at most
 * MANIFESTS_MAX_FILE bytes; *mode gets its permission bits. */
static int read_file(const char *path, const char *rel, char **buf,
		     size_t *len, int *mode, struct err *e)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return err_set(e, ERR_IO,
				       "%s is a symbolic link; not touched",
				       rel);
		return err_set(e, ERR_IO, "cannot read %s: %s", rel,
			       strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_IO, "%s is not a regular file", rel);
	}
	if (st.st_size > MANIFESTS_MAX_FILE) {
		close(fd);
		return err_set(e, ERR_IO,
			       "%s is larger than %ld bytes; not touched", rel,
			       MANIFESTS_MAX_FILE);
	}
	b = xmalloc((size_t)st.st_size + 1);
	while (n <= (size_t)st.st_size) {
		r = read(fd, b + n, (size_t)st.st_size + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			close(fd);
			free(b);
			return err_set(e, ERR_IO, "cannot read %s: %s", rel,
				       strerror(saved));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > (size_t)st.st_size) {
		free(b);
		return err_set(e, ERR_IO, "%s changed while being read", rel);
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	if (mode)
		*mode = (int)(st.st_mode & 07777);
	return 0;
}

/* Add text to the end of e's sentence. */
static void append(struct err *e, const char *text)
{
	size_t n;

	if (!e)
		return;
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, "%s", text);
}

/* ---- where ------------------------------------------------------------ */

void manifests_where_clear(struct manifests_where *w)
{
	free(w->root);
	free(w->dir);
	w->root = NULL;
	w->dir = NULL;
}

static char *parent_of(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	while (n > 0 && dir[n - 1] != '/')
		n--;
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 0)
		return xstrdup(".");
	return xstrndup(dir, n);
}

int manifests_locate(const char *dir, struct manifests_where *w, struct err *e)
{
	char *p;

	memset(w, 0, sizeof(*w));
	if (!dir || !dir[0])
		dir = ".";
	p = xasprintf("%s/" MANIFESTS_DIR, dir);
	if (is_dir(p)) {
		w->root = xstrdup(dir);
		w->dir = p;
		return 0;
	}
	free(p);
	p = xasprintf("%s/flux-system", dir);
	if (is_dir(p)) {
		free(p);
		w->root = parent_of(dir);
		w->dir = xstrdup(dir);
		return 0;
	}
	free(p);
	if (!is_dir(dir))
		return err_set(e, ERR_NOTFOUND, "%s is not a folder", dir);
	return err_set(e, ERR_NOTFOUND,
		       "%s has no " MANIFESTS_DIR " folder (is it a clone "
		       "of the repository?)",
		       dir);
}

/* ---- the walk (grep -r --include=kustomization.yaml) ------------------ */

struct found {
	char **rel; /* relative to the manifests dir */
	size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Symbolic links are not followed and not listed, as grep -r does. */
static int walk(const char *base, const char *rel, int depth, struct found *f,
		struct err *e)
{
	char *path = rel[0] ? xasprintf("%s/%s", base, rel) : xstrdup(base);
	DIR *d;
	struct dirent *de;
	struct stat st;
	int rc = 0;

	if (depth > MANIFESTS_MAX_DEPTH) {
		free(path);
		return err_set(e, ERR_IO, "%s: folders nested too deep", base);
	}
	d = opendir(path);
	if (!d) {
		rc = err_set(e, ERR_IO, "cannot read the folder %s: %s", path,
			     strerror(errno));
		free(path);
		return rc;
	}
	for (;;) {
		char *child, *full;

		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".git") == 0)
			continue;
		child = rel[0] ? xasprintf("%s/%s", rel, de->d_name)
			       : xstrdup(de->d_name);
		full = xasprintf("%s/%s", base, child);
		if (lstat(full, &st) != 0) {
			free(full);
			free(child);
			continue;
		}
		free(full);
		if (S_ISDIR(st.st_mode)) {
			rc = walk(base, child, depth + 1, f, e);
			free(child);
			if (rc < 0)
				break;
			continue;
		}
		if (!S_ISREG(st.st_mode) ||
		    strcmp(de->d_name, "kustomization.yaml") != 0) {
			free(child);
			continue;
		}
		if (f->n >= MANIFESTS_MAX_FILES) {
			free(child);
			rc = err_set(e, ERR_IO,
				     "%s: more than %d kustomization files",
				     base, MANIFESTS_MAX_FILES);
			break;
		}
		f->rel = xgrow(f->rel, &f->cap, f->n + 1, sizeof(*f->rel));
		f->rel[f->n++] = child;
	}
	closedir(d);
	free(path);
	return rc;
}

static void found_free(struct found *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->rel[i]);
	free(f->rel);
	memset(f, 0, sizeof(*f));
}

static int find_kustomizations(const struct manifests_where *w,
			       struct found *f, struct err *e)
{
	memset(f, 0, sizeof(*f));
	if (walk(w->dir, "", 0, f, e) < 0) {
		found_free(f);
		return -ERR_IO;
	}
	if (f->n > 1)
		qsort(f->rel, f->n, sizeof(*f->rel), cmp_str);
	return 0;
}

/* "cluster-manifests/<rel>" when the folder is the clone's, else rel. */
static char *rel_name(const struct manifests_where *w, const char *rel)
{
	size_t rl = strlen(w->root), dl = strlen(w->dir);

	if (dl > rl && strncmp(w->dir, w->root, rl) == 0 && w->dir[rl] == '/')
		return xasprintf("%s/%s", w->dir + rl + 1, rel);
	return xasprintf(MANIFESTS_DIR "/%s", rel);
}

/* ---- YAML ------------------------------------------------------------- */

int manifests_check_yaml(const char *name, const char *buf, size_t len,
			 struct err *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int done = 0, rc = 0;

	if (!yaml_parser_initialize(&parser))
		return err_set(e, ERR_INTERNAL,
			       "%s: cannot start the YAML "
			       "parser",
			       name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_mark_t m = parser.problem_mark;

			if (parser.context)
				rc = err_set(e, ERR_PARSE,
					     "%s:%zu:%zu: %s (%s)", name,
					     m.line + 1, m.column + 1,
					     parser.problem ? parser.problem
							    : "invalid YAML",
					     parser.context);
			else
				rc = err_set(e, ERR_PARSE, "%s:%zu:%zu: %s",
					     name, m.line + 1, m.column + 1,
					     parser.problem ? parser.problem
							    : "invalid YAML");
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map,
			    const char *key)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(doc, pair->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, strlen(key)) == 0)
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

static int scalar_is(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, strlen(s)) == 0;
}

int manifests_sync_url(const struct manifests_where *w, char **url,
		       struct err *e)
{
	char *path = xasprintf("%s/" MANIFESTS_SYNC_FILE, w->dir);
	char *rel = rel_name(w, MANIFESTS_SYNC_FILE);
	char *buf = NULL;
	size_t len = 0;
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	*url = NULL;
	rc = read_file(path, rel, &buf, &len, NULL, e);
	if (rc < 0)
		goto out;
	rc = manifests_check_yaml(rel, buf, len, e);
	if (rc < 0)
		goto out;
	if (!yaml_parser_initialize(&parser)) {
		rc = err_set(e, ERR_INTERNAL, "cannot start the YAML parser");
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root, *spec, *u;

		if (!yaml_parser_load(&parser, &doc))
			break;
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		spec = map_get(&doc, root, "spec");
		u = map_get(&doc, spec, "url");
		if (scalar_is(map_get(&doc, root, "kind"), "GitRepository") &&
		    u && u->type == YAML_SCALAR_NODE && !*url)
			*url = xstrndup((const char *)u->data.scalar.value,
					u->data.scalar.length);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (!*url)
		rc = err_set(e, ERR_NOTFOUND,
			     "%s has no GitRepository with "
			     "a spec.url",
			     rel);
out:
	free(buf);
	free(path);
	free(rel);
	return rc;
}

/* ---- names ------------------------------------------------------------ */

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

int manifests_valid_registry(const char *name, struct err *e)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n < 5 || n > 50)
		return err_set(e, ERR_USAGE,
			       "\"%.60s\" is not a registry name: an Azure "
			       "Container Registry name has 5 to 50 letters "
			       "or digits",
			       name ? name : "");
	for (i = 0; i < n; i++)
		if (!is_alnum(name[i]))
			return err_set(e, ERR_USAGE,
				       "\"%.60s\" is not a registry name: "
				       "only letters and digits are allowed",
				       name);
	return 0;
}

int manifests_valid_account(const char *name, struct err *e)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n < 1 || n > 39)
		return err_set(e, ERR_USAGE,
			       "\"%.60s\" is not a GitHub account name: it "
			       "has 1 to 39 characters",
			       name ? name : "");
	for (i = 0; i < n; i++) {
		if (is_alnum(name[i]))
			continue;
		if (name[i] == '-' && i > 0 && i + 1 < n && name[i + 1] != '-')
			continue;
		return err_set(e, ERR_USAGE,
			       "\"%.60s\" is not a GitHub account name: "
			       "letters, digits and single hyphens inside",
			       name);
	}
	return 0;
}

/* ---- scan and plan ---------------------------------------------------- */

/* Permission to replace the file: its write bit (also for root, who
 * could write anyway: a read-only file is the owner's statement) and the
 * folder's, for the temporary file and the rename. */
static int check_writable(const char *path, const char *rel, int mode,
			  struct err *e)
{
	char *dir = parent_of(path);
	int rc = 0;

	if (!(mode & 0200) || access(path, W_OK) != 0)
		rc = err_set(e, ERR_DENIED, "%s is read-only (mode %04o)", rel,
			     mode);
	else if (access(dir, W_OK) != 0)
		rc = err_set(e, ERR_DENIED, "%s: its folder is not writable",
			     rel);
	free(dir);
	return rc;
}

static void plan_add(struct manifests_plan *p, const struct manifest_edit *m)
{
	size_t cap = p->n;

	p->v = xgrow(p->v, &cap, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = *m;
}

static void edit_clear(struct manifest_edit *m)
{
	free(m->rel);
	free(m->path);
	free(m->before);
	free(m->after);
	memset(m, 0, sizeof(*m));
}

/* Plan one file: read, count, replace, check before and after. A file
 * without the placeholder is left out (rc 0, nothing added). */
static int plan_file(struct manifests_plan *p, const char *path,
		     const char *rel, unsigned which, const char *needle,
		     const char *with, struct err *e)
{
	struct manifest_edit m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.rel = xstrdup(rel);
	m.path = xstrdup(path);
	m.which = which;
	rc = read_file(path, rel, &m.before, &m.before_len, &m.mode, e);
	if (rc < 0)
		goto fail;
	m.count = count_in(m.before, m.before_len, needle);
	if (which == MANIFESTS_REGISTRY) {
		p->scan.registry_count += m.count;
		p->scan.registry_files += m.count > 0;
	} else {
		p->scan.account_count += m.count;
	}
	if (m.count == 0 || !with) {
		edit_clear(&m);
		return 0;
	}
	rc = manifests_check_yaml(rel, m.before, m.before_len, e);
	if (rc < 0)
		goto fail;
	m.after =
	    replace_all(m.before, m.before_len, needle, with, &m.after_len);
	rc = manifests_check_yaml(rel, m.after, m.after_len, e);
	if (rc < 0) {
		append(e, " (after the rewrite)");
		goto fail;
	}
	rc = check_writable(path, rel, m.mode, e);
	if (rc < 0)
		goto fail;
	plan_add(p, &m);
	return 0;
fail:
	edit_clear(&m);
	return rc;
}

static int plan_or_scan(struct manifests_plan *p, const char *dir,
			unsigned which, const char *registry,
			const char *account, struct err *e)
{
	struct found f;
	struct stat st;
	char *path, *rel;
	size_t i;
	int rc;

	rc = manifests_locate(dir, &p->where, e);
	if (rc < 0)
		return rc;
	if (which & MANIFESTS_REGISTRY) {
		rc = find_kustomizations(&p->where, &f, e);
		if (rc < 0)
			return rc;
		for (i = 0; i < f.n && rc == 0; i++) {
			size_t before = p->scan.registry_count;

			path = xasprintf("%s/%s", p->where.dir, f.rel[i]);
			rel = rel_name(&p->where, f.rel[i]);
			p->scan.files++;
			rc = plan_file(p, path, rel, MANIFESTS_REGISTRY,
				       MANIFESTS_ACR_PLACEHOLDER, registry, e);
			if (rc == 0 && !p->scan.first_registry[0] &&
			    p->scan.registry_count > before)
				snprintf(p->scan.first_registry,
					 sizeof(p->scan.first_registry), "%s",
					 rel);
			free(path);
			free(rel);
		}
		found_free(&f);
		if (rc < 0)
			return rc;
	}
	if (which & MANIFESTS_ACCOUNT) {
		path = xasprintf("%s/" MANIFESTS_SYNC_FILE, p->where.dir);
		rel = rel_name(&p->where, MANIFESTS_SYNC_FILE);
		if (lstat(path, &st) == 0) {
			p->scan.have_sync = 1;
			p->scan.files++;
			rc = plan_file(p, path, rel, MANIFESTS_ACCOUNT,
				       MANIFESTS_ACCOUNT_PLACEHOLDER, account,
				       e);
		}
		free(path);
		free(rel);
	}
	return rc;
}

int manifests_plan(struct manifests_plan *p, const char *dir, unsigned which,
		   const char *registry, const char *account, struct err *e)
{
	memset(p, 0, sizeof(*p));
	if ((which & MANIFESTS_REGISTRY) &&
	    manifests_valid_registry(registry, e) < 0)
		return -ERR_USAGE;
	if ((which & MANIFESTS_ACCOUNT) &&
	    manifests_valid_account(account, e) < 0)
		return -ERR_USAGE;
	return plan_or_scan(p, dir, which, registry, account, e);
}

int manifests_scan_dir(const char *dir, struct manifests_scan *s,
		       struct err *e)
{
	struct manifests_plan p;
	int rc;

	memset(&p, 0, sizeof(p));
	rc = plan_or_scan(&p, dir, MANIFESTS_REGISTRY | MANIFESTS_ACCOUNT,
			  NULL, NULL, e);
	*s = p.scan;
	manifests_plan_free(&p);
	return rc;
}

void manifests_plan_free(struct manifests_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		edit_clear(&p->v[i]);
	free(p->v);
	manifests_where_clear(&p->where);
	memset(p, 0, sizeof(*p));
}

/* ---- diff ------------------------------------------------------------- */

struct lines {
	const char **start;
	size_t *len;
	size_t n;
	int last_has_nl;
};

static void split_lines(const char *buf, size_t len, struct lines *l)
{
	size_t cap_s = 0, cap_l = 0, i, s = 0;

	memset(l, 0, sizeof(*l));
	for (i = 0; i <= len; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		if (i == len && s == len)
			break; /* nothing after the last newline */
		l->start =
		    xgrow(l->start, &cap_s, l->n + 1, sizeof(*l->start));
		l->len = xgrow(l->len, &cap_l, l->n + 1, sizeof(*l->len));
		l->start[l->n] = buf + s;
		l->len[l->n] = i - s;
		l->n++;
		s = i + 1;
	}
	l->last_has_nl = len == 0 || buf[len - 1] == '\n';
}

static void sb_line(struct strbuf *b, char mark, const struct lines *l,
		    size_t i)
{
	strbuf_addn(b, &mark, 1);
	strbuf_addn(b, l->start[i], l->len[i]);
	strbuf_add(b, "\n");
	if (i + 1 == l->n && !l->last_has_nl)
		strbuf_add(b, "\\ No newline at end of file\n");
}

static int line_differs(const struct lines *a, const struct lines *b, size_t i)
{
	return a->len[i] != b->len[i] ||
	       memcmp(a->start[i], b->start[i], a->len[i]) != 0;
}

#define CONTEXT 3

/* The rewrite never adds or removes a line (the names have no line
 * breaks), so line i of the old text is line i of the new one. */
static void diff_file(struct strbuf *b, const struct manifest_edit *m)
{
	struct lines a, c;
	size_t i, n, hs, he, j;

	split_lines(m->before, m->before_len, &a);
	split_lines(m->after, m->after_len, &c);
	n = a.n < c.n ? a.n : c.n;
	strbuf_addf(b, "--- a/%s\n+++ b/%s\n", m->rel, m->rel);
	i = 0;
	while (i < n) {
		if (!line_differs(&a, &c, i)) {
			i++;
			continue;
		}
		/* One hunk: from CONTEXT before this change to CONTEXT after
		 * the last change that is at most 2*CONTEXT lines further. */
		hs = i > CONTEXT ? i - CONTEXT : 0;
		he = i;
		for (j = i; j < n && j <= he + 2 * CONTEXT; j++)
			if (line_differs(&a, &c, j))
				he = j;
		he = he + CONTEXT + 1 < n ? he + CONTEXT + 1 : n;
		strbuf_addf(b, "@@ -%zu,%zu +%zu,%zu @@\n", hs + 1, he - hs,
			    hs + 1, he - hs);
		for (j = hs; j < he;) {
			size_t k;

			if (!line_differs(&a, &c, j)) {
				sb_line(b, ' ', &a, j);
				j++;
				continue;
			}
			for (k = j; k < he && line_differs(&a, &c, k); k++)
				sb_line(b, '-', &a, k);
			for (k = j; k < he && line_differs(&a, &c, k); k++)
				sb_line(b, '+', &c, k);
			j = k;
		}
		i = he;
	}
	free(a.start);
	free(a.len);
	free(c.start);
	free(c.len);
}

char *manifests_diff(const struct manifests_plan *p)
{
	struct strbuf b = {0};
	size_t i;

	for (i = 0; i < p->n; i++)
		diff_file(&b, &p->v[i]);
	return strbuf_take(&b);
}

/* ---- apply ------------------------------------------------------------ */

/* The file still holds what the plan read, and may still be replaced. */
static int still_planned(const struct manifest_edit *m, struct err *e)
{
	char *now = NULL;
	size_t len = 0;
	int mode = 0, rc;

	rc = read_file(m->path, m->rel, &now, &len, &mode, e);
	if (rc < 0)
		return rc;
	if (len != m->before_len || memcmp(now, m->before, len) != 0)
		rc = err_set(e, ERR_CONFLICT,
			     "%s changed since the diff was made", m->rel);
	else if (mode != m->mode)
		rc =
		    err_set(e, ERR_CONFLICT,
			    "%s changed mode since the diff was made", m->rel);
	else
		rc = check_writable(m->path, m->rel, m->mode, e);
	free(now);
	return rc;
}

/* Replace, then give the file back to its owner when we are root. */
static int replace(const struct manifest_edit *m, const char *data, size_t len,
		   struct err *e)
{
	struct stat st;
	int have = lstat(m->path, &st) == 0;

	if (write_file_atomic(m->path, data, len, m->mode, e) < 0)
		return -ERR_IO;
	if (have && geteuid() == 0 && (st.st_uid != 0 || st.st_gid != 0) &&
	    chown(m->path, st.st_uid, st.st_gid) != 0) {
		/* The content is right; ownership is best effort. */
	}
	return 0;
}

int manifests_apply(struct manifests_plan *p, struct change *ch, struct err *e)
{
	char msg[512];
	size_t i, done = 0, count = 0;
	int rc = 0;

	if (!ch || !change_running(ch))
		return err_set(e, ERR_USAGE,
			       "manifest rewrite not audited: refused");
	for (i = 0; i < p->n && rc == 0; i++)
		rc = still_planned(&p->v[i], e);
	if (rc < 0) {
		append(e, "; nothing was changed");
		change_end(ch, 0, e->msg, NULL);
		return rc;
	}
	for (i = 0; i < p->n; i++) {
		change_progress(ch, p->v[i].rel);
		rc = replace(&p->v[i], p->v[i].after, p->v[i].after_len, e);
		if (rc < 0)
			break;
		done++;
		count += p->v[i].count;
	}
	if (rc < 0) {
		struct err undo;
		size_t back = 0;

		err_clear(&undo);
		for (i = 0; i < done; i++)
			back += replace(&p->v[i], p->v[i].before,
					p->v[i].before_len, &undo) == 0;
		if (back == done) {
			append(e, "; nothing was changed");
		} else {
			char more[300];

			snprintf(more, sizeof(more),
				 "; %zu of %zu rewritten files could not be "
				 "put back (%.200s)",
				 done - back, done, undo.msg);
			append(e, more);
		}
		change_end(ch, 0, e->msg, NULL);
		return rc;
	}
	snprintf(msg, sizeof(msg), "rewrote %zu placeholder%s in %zu file%s",
		 count, count == 1 ? "" : "s", done, done == 1 ? "" : "s");
	if (change_end(ch, 1, msg, e) < 0)
		return -ERR_IO;
	return 0;
}
