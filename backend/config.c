/* config.c - reads the `key = value` config file and the environment into
 * struct config, checking every value against the key table and keeping
 * each value's origin. No I/O besides that file; no key-binding meaning. */
#include "config.h"
#include "images.h"
#include "scan_gate.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"
#include "xdg.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINE 4096

static const struct config_key_info keys[CFG_COUNT] = {
#define JD_CONFIG_ROW(id, n, t, r, en, d, h) [CFG_##id] = {n, t, r, en, d, h},
    JD_CONFIG_KEYS(JD_CONFIG_ROW)
#undef JD_CONFIG_ROW
};

const char *const config_default_images[] = {
    "ghcr.io/fluxcd/kustomize-controller:v0.6.3",
    "ghcr.io/fluxcd/source-controller:v0.6.3",
    "docker.io/falcosecurity/falco:0.26.2",
    "docker.io/library/busybox:1.33.0",
    "docker.io/weaveworks/kured:1.6.1",
    "docker.io/envoyproxy/envoy-alpine:v1.15.0",
    NULL,
};

const struct config_key_info *config_key_info(enum config_key k)
{
	return k < CFG_COUNT ? &keys[k] : NULL;
}

const char *config_key_name(enum config_key k)
{
	return k < CFG_COUNT ? keys[k].name : "?";
}

const char *config_key_env(enum config_key k)
{
	return k < CFG_COUNT ? keys[k].env : NULL;
}

int config_key_find(const char *name)
{
	int k;

	for (k = 0; k < CFG_COUNT; k++)
		if (strcmp(name, keys[k].name) == 0)
			return k;
	return -1;
}

const char *config_type_name(enum config_type t)
{
	switch (t) {
	case CFG_TEXT:
		return "text";
	case CFG_URL:
		return "url";
	case CFG_PATH:
		return "path";
	case CFG_INT:
		return "number";
	case CFG_DURATION:
		return "duration";
	case CFG_BOOL:
		return "boolean";
	case CFG_CHOICE:
		return "choice";
	case CFG_PREFIX:
		return "prefix";
	}
	return "?";
}

void config_add_problem(struct config *c, const char *origin, const char *fmt,
			...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->nproblems < CONFIG_MAX_PROBLEMS)
		c->problems[c->nproblems] =
		    origin && *origin ? xasprintf("%s: %s", origin, msg)
				      : xstrdup(msg);
	c->nproblems++;
}

/* ---- value checks --------------------------------------------------- */

static const char *home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && h[0] == '/')
		return h;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : NULL;
}

/* "MIN..MAX" of a row into two strings. */
static int split_range(const char *range, char *lo, char *hi, size_t sz)
{
	const char *dots = range ? strstr(range, "..") : NULL;
	size_t n;

	if (!dots)
		return -1;
	n = (size_t)(dots - range);
	if (n >= sz || strlen(dots + 2) >= sz)
		return -1;
	memcpy(lo, range, n);
	lo[n] = '\0';
	snprintf(hi, sz, "%s", dots + 2);
	return 0;
}

static int parse_ll(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	return 0;
}

static int check_int(const struct config_key_info *ki, const char *v,
		     char *why, size_t wsz)
{
	char lo[32], hi[32];
	long long n, a, b;

	if (parse_ll(v, &n) < 0) {
		snprintf(why, wsz, "is not a whole number");
		return -1;
	}
	if (split_range(ki->range, lo, hi, sizeof(lo)) == 0 &&
	    parse_ll(lo, &a) == 0 && parse_ll(hi, &b) == 0 &&
	    (n < a || n > b)) {
		snprintf(why, wsz, "is out of range (%s to %s)", lo, hi);
		return -1;
	}
	return 0;
}

static int check_duration(const struct config_key_info *ki, const char *v,
			  char *why, size_t wsz)
{
	char lo[32], hi[32];
	long long ms, a, b;

	if (timefmt_parse_duration(v, &ms, NULL) < 0 || ms < 0) {
		snprintf(why, wsz, "is not a duration (like 90s, 5m, 1h30m)");
		return -1;
	}
	if (split_range(ki->range, lo, hi, sizeof(lo)) == 0 &&
	    timefmt_parse_duration(lo, &a, NULL) == 0 &&
	    timefmt_parse_duration(hi, &b, NULL) == 0 && (ms < a || ms > b)) {
		snprintf(why, wsz, "is out of range (%s to %s)", lo, hi);
		return -1;
	}
	return 0;
}

static int check_choice(const struct config_key_info *ki, const char *v,
			char *why, size_t wsz)
{
	const char *p = ki->range ? ki->range : "";
	size_t n = strlen(v);

	while (*p) {
		size_t w = strcspn(p, "|");

		if (w == n && strncmp(p, v, n) == 0)
			return 0;
		p += w;
		if (*p == '|')
			p++;
	}
	snprintf(why, wsz, "is not one of %s", ki->range ? ki->range : "");
	return -1;
}

static int check_bool(const char *v, char **out, char *why, size_t wsz)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = xstrdup("true");
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = xstrdup("false");
			return 0;
		}
	}
	snprintf(why, wsz, "is not true or false");
	return -1;
}

static int check_url(const char *v, char *why, size_t wsz)
{
	const char *host = NULL;

	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	if (!host || !*host || *host == '/' || *host == ':') {
		snprintf(why, wsz,
			 "is not an http:// or https:// address "
			 "with a host");
		return -1;
	}
	if (strpbrk(v, " \t")) {
		snprintf(why, wsz, "has a space in an address");
		return -1;
	}
	return 0;
}

static int check_prefix(const char *v, char *why, size_t wsz)
{
	size_t n = strlen(v), i;

	if (n == 0 || v[n - 1] != '/' || v[0] == '/') {
		snprintf(why, wsz,
			 "must be a repository prefix ending in / "
			 "(like quarantine/)");
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (!(islower(ch) || isdigit(ch) || strchr("._-/", ch))) {
			snprintf(why, wsz,
				 "may hold only a-z, 0-9, '.', "
				 "'_', '-' and '/'");
			return -1;
		}
	}
	if (strstr(v, "//")) {
		snprintf(why, wsz, "has an empty path component");
		return -1;
	}
	return 0;
}

static int check_path(const char *v, int from_file, char **out, char *why,
		      size_t wsz)
{
	const char *h;

	if (strncmp(v, "~/", 2) == 0) {
		h = home();
		if (!h) {
			snprintf(why, wsz,
				 "starts with ~/ but there is no "
				 "home directory");
			return -1;
		}
		*out = xasprintf("%s/%s", h, v + 2);
		return 0;
	}
	if (from_file && v[0] != '/') {
		snprintf(why, wsz,
			 "must be an absolute path or start "
			 "with ~/");
		return -1;
	}
	return 0;
}

/* Check v for row ki. On success *out is a new normalized copy. */
static int check_value(const struct config_key_info *ki, const char *v,
		       int from_file, char **out, char *why, size_t wsz)
{
	const unsigned char *p;
	int rc = 0;

	*out = NULL;
	if (!*v) {
		snprintf(why, wsz, "is empty");
		return -1;
	}
	for (p = (const unsigned char *)v; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, wsz, "holds a control character");
			return -1;
		}
	}
	switch (ki->type) {
	case CFG_TEXT:
		break;
	case CFG_URL:
		rc = check_url(v, why, wsz);
		break;
	case CFG_PATH:
		rc = check_path(v, from_file, out, why, wsz);
		break;
	case CFG_INT:
		rc = check_int(ki, v, why, wsz);
		break;
	case CFG_DURATION:
		rc = check_duration(ki, v, why, wsz);
		break;
	case CFG_BOOL:
		rc = check_bool(v, out, why, wsz);
		break;
	case CFG_CHOICE:
		rc = check_choice(ki, v, why, wsz);
		break;
	case CFG_PREFIX:
		rc = check_prefix(v, why, wsz);
		break;
	}
	if (rc == 0 && !*out)
		*out = xstrdup(v);
	return rc;
}

/* ---- setting -------------------------------------------------------- */

static void set(struct config *c, enum config_key k, char *owned,
		enum config_source src, const char *origin, int line)
{
	free(c->v[k].value);
	c->v[k].value = owned;
	c->v[k].source = src;
	c->v[k].line = line;
	snprintf(c->v[k].origin, sizeof(c->v[k].origin), "%s", origin);
}

/* The closest key name (for "did you mean"), or NULL. */
static const char *closest_key(const char *s)
{
	const char *best = NULL;
	size_t bestd = 3, ls = strlen(s);
	int k;

	for (k = 0; k < CFG_COUNT; k++) {
		const char *t = keys[k].name;
		size_t lt = strlen(t), i, j, prev, cur[64], d;

		if (ls >= 63 || lt >= 63)
			continue;
		/* Levenshtein distance, one row at a time. */
		for (j = 0; j <= lt; j++)
			cur[j] = j;
		for (i = 1; i <= ls; i++) {
			prev = cur[0];
			cur[0] = i;
			for (j = 1; j <= lt; j++) {
				size_t diag = prev, up = cur[j];

				prev = cur[j];
				d = diag + (s[i - 1] != t[j - 1]);
				if (up + 1 < d)
					d = up + 1;
				if (cur[j - 1] + 1 < d)
					d = cur[j - 1] + 1;
				cur[j] = d;
			}
		}
		if (cur[lt] < bestd) {
			bestd = cur[lt];
			best = t;
		}
	}
	return best;
}

/* ---- the file ------------------------------------------------------- */

struct reader {
	struct config *c;
	const char *path;
	int lineno;
	int images_from_file;
	char origin[600];
};

static void problem(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void problem(struct reader *r, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_add_problem(r->c, r->origin, "%s", msg);
}

static void add_image(struct reader *r, const char *val)
{
	struct config *c = r->c;
	struct image_ref ref;
	struct err e;
	size_t i;

	if (image_ref_parse(val, &ref, &e) < 0) {
		problem(r, "image: %s", e.msg);
		return;
	}
	if (!r->images_from_file) {
		/* The file's list replaces the defaults. */
		for (i = 0; i < c->nimages; i++) {
			free(c->images[i]);
			c->images[i] = NULL;
		}
		c->nimages = 0;
		r->images_from_file = 1;
	}
	for (i = 0; i < c->nimages; i++) {
		if (strcmp(c->images[i], val) == 0) {
			problem(r, "image %s is listed twice", val);
			return;
		}
	}
	if (c->nimages == CONFIG_MAX_IMAGES) {
		problem(r, "more than %d images", CONFIG_MAX_IMAGES);
		return;
	}
	c->images[c->nimages++] = xstrdup(val);
	c->images_source = SRC_FILE;
}

static void add_allow(struct reader *r, const char *val)
{
	struct config *c = r->c;
	struct scan_policy p;
	struct err e;

	scan_policy_default(&p);
	err_clear(&e);
	if (scan_policy_allow(&p, val, &e) < 0) {
		problem(r, "scan_gate_allow: %s", e.msg);
		return;
	}
	scan_policy_free(&p);
	if (c->nallow == CONFIG_MAX_ALLOW) {
		problem(r, "more than %d scan_gate_allow lines",
			CONFIG_MAX_ALLOW);
		return;
	}
	c->allow[c->nallow].line = xstrdup(val);
	snprintf(c->allow[c->nallow].origin,
		 sizeof(c->allow[c->nallow].origin), "%s", r->origin);
	c->nallow++;
}

static void add_binding(struct reader *r, const char *action, const char *val)
{
	struct config *c = r->c;
	struct config_binding *b;
	size_t i;

	if (!*action) {
		problem(r, "key. needs an action name (key.quit = q)");
		return;
	}
	for (i = 0; i < c->nbindings; i++) {
		if (strcmp(c->bindings[i].action, action) == 0) {
			problem(r, "key.%s is already set on line %d", action,
				c->bindings[i].line);
			return;
		}
	}
	if (c->nbindings == CONFIG_MAX_BINDINGS) {
		problem(r, "more than %d key bindings", CONFIG_MAX_BINDINGS);
		return;
	}
	b = &c->bindings[c->nbindings++];
	b->action = xstrdup(action);
	b->keys = xstrdup(val);
	b->line = r->lineno;
	snprintf(b->origin, sizeof(b->origin), "%s", r->origin);
}

static void add_setting(struct reader *r, const char *key, const char *val)
{
	struct config *c = r->c;
	int k = config_key_find(key);
	char why[200], *norm = NULL;

	if (k < 0) {
		const char *near = closest_key(key);

		problem(r, "unknown key \"%s\"%s%s%s", key,
			near ? " (did you mean " : "", near ? near : "",
			near ? "?)" : "");
		return;
	}
	if (c->v[k].source == SRC_FILE) {
		problem(r, "%s is already set on line %d", key, c->v[k].line);
		return;
	}
	if (check_value(&keys[k], val, 1, &norm, why, sizeof(why)) < 0) {
		char *safe = text_safe(val, 60, NULL);

		problem(r, "%s: \"%s\" %s", key, safe, why);
		free(safe);
		return;
	}
	set(c, (enum config_key)k, norm, SRC_FILE, r->origin, r->lineno);
}

/* Cut a comment: '#' at the start or after a blank. */
static void cut_comment(char *s)
{
	char *p;

	for (p = s; *p; p++) {
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* A double-quoted value: \" and \\ escape; only a comment may follow.
 * Unquotes in place; returns NULL (and records why) when malformed. */
static char *unquote(struct reader *r, char *s)
{
	char *in = s + 1, *out = s;

	while (*in && *in != '"') {
		if (*in == '\\' && (in[1] == '"' || in[1] == '\\'))
			in++;
		*out++ = *in++;
	}
	if (*in != '"') {
		problem(r, "unterminated \"");
		return NULL;
	}
	in = trim(in + 1);
	if (*in && *in != '#') {
		problem(r, "text after the closing \"");
		return NULL;
	}
	*out = '\0';
	return s;
}

static int key_chars_ok(const char *k)
{
	if (!*k)
		return 0;
	for (; *k; k++)
		if (!(islower((unsigned char)*k) ||
		      isdigit((unsigned char)*k) || *k == '_' || *k == '.' ||
		      *k == '-'))
			return 0;
	return 1;
}

static void parse_line(struct reader *r, char *line)
{
	char *eq, *key, *val;

	key = trim(line);
	if (!*key || *key == '#')
		return;
	eq = strchr(key, '=');
	if (!eq) {
		problem(r, "expected KEY = VALUE");
		return;
	}
	*eq = '\0';
	key = trim(key);
	val = trim(eq + 1);
	if (!key_chars_ok(key)) {
		char *safe = text_safe(key, 40, NULL);

		problem(r, "\"%s\" is not a key name (a-z, 0-9, _ . -)", safe);
		free(safe);
		return;
	}
	if (*val == '"') {
		val = unquote(r, val);
		if (!val)
			return;
	} else {
		cut_comment(val);
		val = trim(val);
	}
	if (!*val) {
		problem(r,
			"%s has no value (remove the line for the "
			"default)",
			key);
		return;
	}
	if (strcmp(key, "image") == 0)
		add_image(r, val);
	else if (strcmp(key, "scan_gate_allow") == 0)
		add_allow(r, val);
	else if (strncmp(key, "key.", 4) == 0)
		add_binding(r, key + 4, val);
	else
		add_setting(r, key, val);
}

static int read_file(struct config *c, const char *path, int must_exist,
		     struct err *e)
{
	FILE *f = fopen(path, "r");
	struct reader r;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		config_add_problem(c, NULL, "cannot read config %s: %s", path,
				   strerror(errno));
		return err_set(e, ERR_IO, "cannot read config %s: %s", path,
			       strerror(errno));
	}
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.path = path;
	snprintf(c->file, sizeof(c->file), "%s", path);
	for (;;) {
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		r.lineno++;
		snprintf(r.origin, sizeof(r.origin), "%s:%d", path, r.lineno);
		if ((size_t)len != strlen(line)) {
			problem(&r, "NUL byte in the line");
			continue;
		}
		if (len > MAX_LINE) {
			problem(&r, "line longer than %d bytes", MAX_LINE);
			continue;
		}
		parse_line(&r, line);
	}
	if (ferror(f))
		config_add_problem(c, NULL, "cannot read config %s: %s", path,
				   strerror(errno));
	free(line);
	fclose(f);
	return 0;
}

/* ---- loading -------------------------------------------------------- */

static void load_defaults(struct config *c)
{
	size_t i;
	int k;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < CFG_COUNT; k++) {
		c->v[k].source = SRC_NONE;
		if (keys[k].def)
			set(c, (enum config_key)k, xstrdup(keys[k].def),
			    SRC_DEFAULT, "default", 0);
	}
	for (i = 0; config_default_images[i]; i++)
		c->images[c->nimages++] = xstrdup(config_default_images[i]);
	c->images_source = SRC_DEFAULT;
}

static void load_env(struct config *c)
{
	int k;

	for (k = 0; k < CFG_COUNT; k++) {
		const char *v = keys[k].env ? getenv(keys[k].env) : NULL;
		char why[200], *norm = NULL;

		if (!v || !*v)
			continue;
		if (check_value(&keys[k], v, 0, &norm, why, sizeof(why)) < 0) {
			char *safe = text_safe(v, 60, NULL);

			config_add_problem(c, keys[k].env, "\"%s\" %s", safe,
					   why);
			free(safe);
			continue;
		}
		set(c, (enum config_key)k, norm, SRC_ENV, keys[k].env, 0);
	}
}

static int result(const struct config *c, struct err *e)
{
	if (c->nproblems == 0)
		return 0;
	if (c->nproblems == 1)
		return err_set(e, ERR_USAGE, "%s", c->problems[0]);
	return err_set(e, ERR_USAGE, "%s (and %zu more problem%s)",
		       c->problems[0], c->nproblems - 1,
		       c->nproblems == 2 ? "" : "s");
}

int config_load(struct config *c, const char *path, struct err *e)
{
	char *def;

	load_defaults(c);
	if (path) {
		read_file(c, path, 1, NULL);
	} else {
		def = xdg_config_path("config");
		if (def)
			read_file(c, def, 0, NULL);
		free(def);
	}
	load_env(c);
	return result(c, e);
}

int config_load_file_only(struct config *c, const char *path, struct err *e)
{
	load_defaults(c);
	read_file(c, path, 1, NULL);
	return result(c, e);
}

int config_set_flag(struct config *c, enum config_key k, const char *v,
		    struct err *e)
{
	char why[200], *norm = NULL;

	if (!v || k >= CFG_COUNT)
		return 0;
	if (check_value(&keys[k], v, 0, &norm, why, sizeof(why)) < 0) {
		char *safe = text_safe(v, 60, NULL);
		int rc = err_set(e, ERR_USAGE, "\"%s\" %s", safe, why);

		free(safe);
		return rc;
	}
	set(c, k, norm, SRC_FLAG, "command line", 0);
	return 0;
}

const char *config_get(const struct config *c, enum config_key k)
{
	return k < CFG_COUNT ? c->v[k].value : NULL;
}

long long config_get_int(const struct config *c, enum config_key k)
{
	const char *v = config_get(c, k);
	long long n;

	return v && parse_ll(v, &n) == 0 ? n : 0;
}

int config_get_bool(const struct config *c, enum config_key k)
{
	const char *v = config_get(c, k);

	return v && strcmp(v, "true") == 0;
}

long long config_get_ms(const struct config *c, enum config_key k)
{
	const char *v = config_get(c, k);
	long long ms;

	return v && timefmt_parse_duration(v, &ms, NULL) == 0 ? ms : 0;
}

void config_free(struct config *c)
{
	size_t i;
	int k;

	for (k = 0; k < CFG_COUNT; k++)
		free(c->v[k].value);
	for (i = 0; i < c->nimages; i++)
		free(c->images[i]);
	for (i = 0; i < c->nbindings; i++) {
		free(c->bindings[i].action);
		free(c->bindings[i].keys);
	}
	for (i = 0; i < c->nallow; i++)
		free(c->allow[i].line);
	for (i = 0; i < c->nproblems && i < CONFIG_MAX_PROBLEMS; i++)
		free(c->problems[i]);
	memset(c, 0, sizeof(*c));
}

void config_print(const struct config *c, FILE *f)
{
	static const char *const src[] = {"default", "file", "environment",
					  "command line", "unset"};
	size_t i;
	int k;

	fprintf(f, "config file: %s\n\n",
		c->file[0] ? c->file : "(none read)");
	for (k = 0; k < CFG_COUNT; k++) {
		const struct config_value *v = &c->v[k];
		int show = v->source == SRC_FILE || v->source == SRC_ENV;
		char *safe = text_safe(v->value ? v->value : "-", -1, NULL);

		fprintf(f, "%-24s %-44s %s%s%s%s\n", keys[k].name, safe,
			src[v->source], show ? " (" : "",
			show ? v->origin : "", show ? ")" : "");
		free(safe);
	}
	fprintf(f, "\nimages (%s):\n", src[c->images_source]);
	for (i = 0; i < c->nimages; i++) {
		char *safe = text_safe(c->images[i], -1, NULL);

		fprintf(f, "  %s\n", safe);
		free(safe);
	}
	if (c->nallow)
		fprintf(f, "\nscan gate allow-list (file):\n");
	for (i = 0; i < c->nallow; i++) {
		char *safe = text_safe(c->allow[i].line, -1, NULL);

		fprintf(f, "  %s (%s)\n", safe, c->allow[i].origin);
		free(safe);
	}
	if (!c->nbindings)
		return;
	fprintf(f, "\nkey bindings (file):\n");
	for (i = 0; i < c->nbindings; i++) {
		char *a = text_safe(c->bindings[i].action, -1, NULL);
		char *kk = text_safe(c->bindings[i].keys, -1, NULL);

		fprintf(f, "  key.%-20s %-20s (%s)\n", a, kk,
			c->bindings[i].origin);
		free(a);
		free(kk);
	}
}
