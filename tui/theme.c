/* theme.c - parsing and finding theme files. Applying a theme to curses
 * lives in tui/screen.c; this file has no curses. */
#include "theme.h"
#include "backend/xalloc.h"
#include "backend/xdg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const role_names[ROLE_COUNT] = {
#define JD_ROLE_NAME(id, name) [ROLE_##id] = name,
	JD_ROLES(JD_ROLE_NAME)
#undef JD_ROLE_NAME
};

const char *role_name(enum role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

static const char *const colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static int parse_colour(const char *s, int *out)
{
	char *end;
	long v;
	size_t i;

	if (strcmp(s, "default") == 0) {
		*out = THEME_DEFAULT_COLOR;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (strcmp(s, colour_names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
		if (strncmp(s, "bright-", 7) == 0 &&
		    strcmp(s + 7, colour_names[i]) == 0) {
			*out = (int)i + 8;
			return 0;
		}
	}
	v = strtol(s, &end, 10);
	if (end != s && *end == '\0' && v >= 0 && v <= 255) {
		*out = (int)v;
		return 0;
	}
	return -1;
}

static int parse_attrs(const char *s, unsigned *out)
{
	char word[32];

	*out = 0;
	if (strcmp(s, "-") == 0 || strcmp(s, "none") == 0)
		return 0;
	while (*s) {
		size_t n = strcspn(s, ",");

		if (n == 0 || n >= sizeof(word))
			return -1;
		memcpy(word, s, n);
		word[n] = '\0';
		if (strcmp(word, "bold") == 0)
			*out |= TA_BOLD;
		else if (strcmp(word, "underline") == 0)
			*out |= TA_UNDERLINE;
		else if (strcmp(word, "reverse") == 0)
			*out |= TA_REVERSE;
		else if (strcmp(word, "dim") == 0)
			*out |= TA_DIM;
		else if (strcmp(word, "italic") == 0)
			*out |= TA_ITALIC;
		else
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* Split a line into at most max whitespace-separated words in place. */
static int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	while (*p && n < max) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

int theme_parse(struct theme *t, const char *name, const char *text,
		const char *origin, struct err *e)
{
	const char *p = text;
	int lineno = 0, i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	while (*p) {
		size_t n = strcspn(p, "\n");
		char line[256], *w[6], *hash;
		int nw, r = -1;
		unsigned mono;

		lineno++;
		if (n >= sizeof(line))
			return err_set(e, ERR_PARSE, "%s:%d: line too long",
				       origin, lineno);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n;
		if (*p)
			p++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		nw = split_words(line, w, 6);
		if (nw == 0)
			continue;
		for (i = 0; i < ROLE_COUNT; i++)
			if (strcmp(w[0], role_names[i]) == 0)
				r = i;
		if (r < 0)
			return err_set(e, ERR_PARSE,
				       "%s:%d: unknown role \"%s\"", origin,
				       lineno, w[0]);
		if (nw < 3)
			return err_set(e, ERR_PARSE,
				       "%s:%d: expected: ROLE FG BG [ATTRS] "
				       "[mono=ATTRS]",
				       origin, lineno);
		if (parse_colour(w[1], &t->style[r].fg) < 0)
			return err_set(e, ERR_PARSE,
				       "%s:%d: unknown colour \"%s\"", origin,
				       lineno, w[1]);
		if (parse_colour(w[2], &t->style[r].bg) < 0)
			return err_set(e, ERR_PARSE,
				       "%s:%d: unknown colour \"%s\"", origin,
				       lineno, w[2]);
		t->style[r].attrs = 0;
		if (nw >= 4 && strncmp(w[3], "mono=", 5) != 0 &&
		    parse_attrs(w[3], &t->style[r].attrs) < 0)
			return err_set(e, ERR_PARSE,
				       "%s:%d: unknown attribute in \"%s\"",
				       origin, lineno, w[3]);
		t->style[r].mono_attrs = t->style[r].attrs;
		for (i = 3; i < nw; i++) {
			if (strncmp(w[i], "mono=", 5) != 0)
				continue;
			if (parse_attrs(w[i] + 5, &mono) < 0)
				return err_set(e, ERR_PARSE,
					       "%s:%d: unknown attribute in "
					       "\"%s\"",
					       origin, lineno, w[i]);
			t->style[r].mono_attrs = mono;
		}
		t->style[r].set = 1;
	}
	if (!t->style[ROLE_NORMAL].set) {
		t->style[ROLE_NORMAL].fg = THEME_DEFAULT_COLOR;
		t->style[ROLE_NORMAL].bg = THEME_DEFAULT_COLOR;
		t->style[ROLE_NORMAL].set = 1;
	}
	for (i = 0; i < ROLE_COUNT; i++)
		if (!t->style[i].set)
			t->style[i] = t->style[ROLE_NORMAL];
	return 0;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    n > 1024 * 1024 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return NULL;
	}
	buf = xmalloc((size_t)n + 1);
	n = (long)fread(buf, 1, (size_t)n, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* <dir of the executable>/../share/jumpdeck/themes: right after
 * `make install PREFIX=...` whatever PREFIX the build assumed. */
static char *themes_beside_exe(void)
{
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xasprintf("%s/../share/jumpdeck/themes", exe);
}

/* Directories searched for NAME.theme, most personal first. */
static char **theme_dirs(size_t *n)
{
	char **d = xcalloc(5, sizeof(*d));
	const char *src = getenv("JD_SRCDIR");
	char *beside = themes_beside_exe();

	*n = 0;
	d[(*n)++] = xdg_config_path("themes");
	d[(*n)++] = xstrdup(JD_DATADIR "/themes");
	if (beside)
		d[(*n)++] = beside;
	d[(*n)++] = xasprintf("%s/themes", src ? src : ".");
	return d;
}

static void free_dirs(char **d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(d[i]);
	free(d);
}

int theme_load(struct theme *t, const char *name, struct err *e)
{
	char **dirs, *text = NULL, *path = NULL;
	size_t nd, i;
	int rc;

	if (!name || strcmp(name, "default") == 0)
		return theme_parse(t, "default", default_theme_text,
				   "themes/default.theme", e);
	if (strchr(name, '/')) {
		text = read_all(name);
		if (!text)
			return err_set(e, ERR_IO, "cannot read theme %s: %s",
				       name, strerror(errno));
		rc = theme_parse(t, name, text, name, e);
		free(text);
		return rc;
	}
	dirs = theme_dirs(&nd);
	for (i = 0; i < nd && !text; i++) {
		free(path);
		path = xasprintf("%s/%s.theme", dirs[i], name);
		text = read_all(path);
	}
	free_dirs(dirs, nd);
	if (!text) {
		free(path);
		return err_set(e, ERR_NOTFOUND,
			       "no theme \"%s\" (try :theme and Tab for the "
			       "list)",
			       name);
	}
	rc = theme_parse(t, name, text, path, e);
	free(text);
	free(path);
	return rc;
}

char **theme_list(size_t *n)
{
	char **dirs, **out = NULL;
	size_t nd, i, cap = 0, k;

	*n = 0;
	out = xgrow(out, &cap, 1, sizeof(*out));
	out[(*n)++] = xstrdup("default");
	dirs = theme_dirs(&nd);
	for (i = 0; i < nd; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		if (!d)
			continue;
		for (;;) {
			size_t len;
			int dup = 0;

			de = readdir(d);
			if (!de)
				break;
			len = strlen(de->d_name);
			if (len <= 6 ||
			    strcmp(de->d_name + len - 6, ".theme") != 0)
				continue;
			for (k = 0; k < *n; k++)
				if (strlen(out[k]) == len - 6 &&
				    !strncmp(out[k], de->d_name, len - 6))
					dup = 1;
			if (dup)
				continue;
			out = xgrow(out, &cap, *n + 1, sizeof(*out));
			out[(*n)++] = xstrndup(de->d_name, len - 6);
		}
		closedir(d);
	}
	free_dirs(dirs, nd);
	return out;
}
