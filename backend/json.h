/* json.h - the one set of typed getters over cJSON: a missing key, a wrong
 * type or a non-object gives the fallback. Not a parser, not a schema. */
#ifndef JD_JSON_H
#define JD_JSON_H

#include <cjson/cJSON.h>

/* obj[key] when obj is an object that has it, else NULL. Borrowed from
 * obj. */
const cJSON *json_get(const cJSON *obj, const char *key);
/* obj[key] when it is a string (possibly ""), else NULL. Borrowed. */
const char *json_str(const cJSON *obj, const char *key);
/* obj[key] when it is a string that is not empty, else NULL. Borrowed. */
const char *json_text(const cJSON *obj, const char *key);
/* A new copy of the string obj[key], else a new copy of fallback (NULL
 * when fallback is NULL). The caller frees it. */
char *json_dup(const cJSON *obj, const char *key, const char *fallback);
/* The member at a dotted path ("properties.status.code"): each step an
 * object's member, case-sensitive; NULL when a step is missing or a step
 * is longer than 127 bytes. A key with a dot in it needs json_get.
 * Borrowed from obj. */
const cJSON *json_path(const cJSON *obj, const char *path);
/* The string at a dotted path, else NULL. Borrowed. */
const char *json_path_str(const cJSON *obj, const char *path);
/* The number at a dotted path, else fallback. */
double json_path_num(const cJSON *obj, const char *path, double fallback);
/* obj[key] when it is a number (truncated; beyond the range of long long,
 * the nearest limit), else fallback. */
long long json_num(const cJSON *obj, const char *key, long long fallback);
/* A number of seconds, or a string of digits (IMDS and az send epochs
 * as strings): 0 and *out set, or -1. */
int json_seconds(const cJSON *v, long long *out);
/* A new string for a scalar of a string map: the string, a number as
 * %.17g, "true"/"false"; "" for anything else. The caller frees it. */
char *json_scalar_dup(const cJSON *v);
/* Prints root (indented when pretty, else on one line), deletes it and
 * returns the text as a string the caller frees with free(); NULL when
 * root is NULL or cannot be printed. */
char *json_print_free(cJSON *root, int pretty);

#endif
