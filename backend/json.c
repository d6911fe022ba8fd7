/* json.c - typed getters over cJSON with fallbacks, and printing to a
 * plain malloc'd string. No I/O, no parsing of its own. */
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const cJSON *json_get(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj) || !key)
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = json_get(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

const char *json_text(const cJSON *obj, const char *key)
{
	const char *s = json_str(obj, key);

	return s && *s ? s : NULL;
}

char *json_dup(const cJSON *obj, const char *key, const char *fallback)
{
	const char *s = json_str(obj, key);

	return xstrdup(s ? s : fallback);
}

const cJSON *json_path(const cJSON *obj, const char *path)
{
	char name[128];
	const char *dot;
	size_t len;

	while (obj && path && *path) {
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(name) || !cJSON_IsObject(obj))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		obj = cJSON_GetObjectItemCaseSensitive(obj, name);
		path = dot ? dot + 1 : NULL;
	}
	return obj;
}

const char *json_path_str(const cJSON *obj, const char *path)
{
	const cJSON *v = json_path(obj, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double json_path_num(const cJSON *obj, const char *path, double fallback)
{
	const cJSON *v = json_path(obj, path);

	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

long long json_num(const cJSON *obj, const char *key, long long fallback)
{
	const cJSON *v = json_get(obj, key);
	double d;

	if (!cJSON_IsNumber(v))
		return fallback;
	d = v->valuedouble;
	/* A double past what a long long holds (1e300 is valid JSON) is
	 * cut to the limit: converting it is undefined behaviour. */
	if (!(d > -9223372036854775808.0))
		return d < 0 ? LLONG_MIN : fallback;
	if (d >= 9223372036854775808.0)
		return LLONG_MAX;
	return (long long)d;
}

int json_seconds(const cJSON *v, long long *out)
{
	char *end;
	long long n;

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 1e13) {
		*out = (long long)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v) || !v->valuestring || v->valuestring[0] < '0' ||
	    v->valuestring[0] > '9')
		return -1;
	errno = 0;
	n = strtoll(v->valuestring, &end, 10);
	/* the same bound as for a number: callers add it to a clock */
	if (errno || *end || n >= 10000000000000LL)
		return -1;
	*out = n;
	return 0;
}

char *json_scalar_dup(const cJSON *v)
{
	char buf[64];

	if (cJSON_IsString(v) && v->valuestring)
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		snprintf(buf, sizeof(buf), "%.17g", v->valuedouble);
		return xstrdup(buf);
	}
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	return xstrdup("");
}

char *json_print_free(cJSON *root, int pretty)
{
	char *text, *out;

	if (!root)
		return NULL;
	text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return NULL;
	out = xstrdup(text);
	cJSON_free(text);
	return out;
}
