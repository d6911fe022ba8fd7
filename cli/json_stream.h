/* json_stream.h - writing one JSON document a piece at a time, so that a
 * document of thousands of objects is never held whole: members and array
 * elements are printed as they come (each a small cJSON value), indented
 * like cJSON_Print. Not a parser; no terminal output but the document. */
#ifndef JD_JSON_STREAM_H
#define JD_JSON_STREAM_H

#include <stdio.h>

#include <cjson/cJSON.h>

#define JSTREAM_MAX_DEPTH 8

struct jstream {
	FILE *f;
	int depth;
	unsigned count[JSTREAM_MAX_DEPTH]; /* members written per level */
	int is_array[JSTREAM_MAX_DEPTH];
};

/* Starts the document: "{". */
void jstream_begin(struct jstream *j, FILE *f);
/* A member of the current object (key) or an element of the current
 * array (key NULL): v printed whole. v is borrowed. */
void jstream_value(struct jstream *j, const char *key, const cJSON *v);
/* The same for a string value. */
void jstream_string(struct jstream *j, const char *key, const char *s);
/* Open an object or array member (key NULL inside an array). */
void jstream_open(struct jstream *j, const char *key, int array);
void jstream_close(struct jstream *j);
/* Closes what is open and ends the document with a newline. */
void jstream_end(struct jstream *j);

#endif
