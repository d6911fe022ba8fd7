/* scan_json.h - the few cJSON getters the scan parsers share: a member by
 * a dotted path, and typed reads that answer NULL or a default instead
 * of failing. Not a JSON library. */
#ifndef JD_SCAN_JSON_H
#define JD_SCAN_JSON_H

#include <cjson/cJSON.h>

/* The member at a dotted path ("properties.status.code"), case-sensitive,
 * or NULL. Borrowed from o. */
const cJSON *sj_at(const cJSON *o, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *sj_str(const cJSON *o, const char *path);
/* The number at path, or def. */
double sj_num(const cJSON *o, const char *path, double def);

#endif
