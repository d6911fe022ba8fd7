/* scan_json.c - dotted-path getters over cJSON for the scan parsers. */
#include "scan_json.h"

#include <string.h>

const cJSON *sj_at(const cJSON *o, const char *path)
{
	char name[128];
	const char *dot;
	size_t len;

	while (o && path && *path) {
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(name) || !cJSON_IsObject(o))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, name);
		path = dot ? dot + 1 : NULL;
	}
	return o;
}

const char *sj_str(const cJSON *o, const char *path)
{
	const cJSON *v = sj_at(o, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double sj_num(const cJSON *o, const char *path, double def)
{
	const cJSON *v = sj_at(o, path);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}
