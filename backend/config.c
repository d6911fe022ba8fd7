/* config.c - reads the `key = value` config file and the environment into
 * struct config, keeping each value's origin. No I/O besides that file. */
#include "config.h"
#include "xalloc.h"
#include "xdg.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *file, *env, *def;
} keys[CFG_COUNT] = {
#define JD_CONFIG_ROW(id, f, en, d) [CFG_##id] = {f, en, d},
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

const char *config_key_name(enum config_key k)
{
	return k < CFG_COUNT ? keys[k].file : "?";
}

const char *config_key_env(enum config_key k)
{
	return k < CFG_COUNT ? keys[k].env : "?";
}

static void set(struct config *c, enum config_key k, const char *v,
		enum config_source src, const char *origin)
{
	free(c->v[k].value);
	c->v[k].value = xstrdup(v);
	c->v[k].source = src;
	snprintf(c->v[k].origin, sizeof(c->v[k].origin), "%s", origin);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int read_file(struct config *c, const char *path, int must_exist,
		     struct err *e)
{
	FILE *f = fopen(path, "r");
	char line[1024], origin[600];
	int lineno = 0, images_from_file = 0;

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		return err_set(e, ERR_IO, "cannot read config %s: %s", path,
			       strerror(errno));
	}
	snprintf(c->file, sizeof(c->file), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *eq, *key, *val, *hash;
		int k, found = -1;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			fclose(f);
			return err_set(e, ERR_PARSE,
				       "%s:%d: expected key = value", path,
				       lineno);
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
		if (strcmp(key, "image") == 0) {
			if (!images_from_file) {
				size_t i;

				/* The file's list replaces the defaults. */
				for (i = 0; i < c->nimages; i++) {
					free(c->images[i]);
					c->images[i] = NULL;
				}
				c->nimages = 0;
				images_from_file = 1;
			}
			if (c->nimages == CONFIG_MAX_IMAGES) {
				fclose(f);
				return err_set(e, ERR_PARSE,
					       "%s:%d: more than %d images",
					       path, lineno, CONFIG_MAX_IMAGES);
			}
			c->images[c->nimages++] = xstrdup(val);
			c->images_source = SRC_FILE;
			continue;
		}
		for (k = 0; k < CFG_COUNT; k++)
			if (strcmp(key, keys[k].file) == 0)
				found = k;
		if (found < 0) {
			fclose(f);
			return err_set(e, ERR_PARSE, "%s:%d: unknown key \"%s\"",
				       path, lineno, key);
		}
		set(c, (enum config_key)found, val, SRC_FILE, origin);
	}
	fclose(f);
	return 0;
}

int config_load(struct config *c, const char *path, struct err *e)
{
	char *def = NULL;
	int k, rc;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < CFG_COUNT; k++) {
		c->v[k].source = SRC_NONE;
		if (keys[k].def)
			set(c, (enum config_key)k, keys[k].def, SRC_DEFAULT,
			    "default");
	}
	for (i = 0; config_default_images[i]; i++)
		c->images[c->nimages++] = xstrdup(config_default_images[i]);
	c->images_source = SRC_DEFAULT;
	if (path) {
		rc = read_file(c, path, 1, e);
	} else {
		def = xdg_config_path("config");
		rc = def ? read_file(c, def, 0, e) : 0;
		free(def);
	}
	if (rc < 0)
		return rc;
	for (k = 0; k < CFG_COUNT; k++) {
		const char *v = getenv(keys[k].env);

		if (v && *v)
			set(c, (enum config_key)k, v, SRC_ENV, keys[k].env);
	}
	return 0;
}

void config_set_flag(struct config *c, enum config_key k, const char *v)
{
	if (v)
		set(c, k, v, SRC_FLAG, "command line");
}

const char *config_get(const struct config *c, enum config_key k)
{
	return k < CFG_COUNT ? c->v[k].value : NULL;
}

void config_free(struct config *c)
{
	size_t i;
	int k;

	for (k = 0; k < CFG_COUNT; k++)
		free(c->v[k].value);
	for (i = 0; i < c->nimages; i++)
		free(c->images[i]);
	memset(c, 0, sizeof(*c));
}

void config_print(const struct config *c, FILE *f)
{
	static const char *const src[] = {"default", "file", "environment",
					  "command line", "unset"};
	size_t i;
	int k;

	fprintf(f, "config file: %s\n\n", c->file[0] ? c->file
						      : "(none read)");
	for (k = 0; k < CFG_COUNT; k++) {
		const struct config_value *v = &c->v[k];

		fprintf(f, "%-24s %-44s %s%s%s%s\n", keys[k].file,
			v->value ? v->value : "-", src[v->source],
			v->source == SRC_FILE || v->source == SRC_ENV ? " ("
								      : "",
			v->source == SRC_FILE || v->source == SRC_ENV
				? v->origin
				: "",
			v->source == SRC_FILE || v->source == SRC_ENV ? ")"
								      : "");
	}
	fprintf(f, "\nimages (%s):\n", src[c->images_source]);
	for (i = 0; i < c->nimages; i++)
		fprintf(f, "  %s\n", c->images[i]);
}
