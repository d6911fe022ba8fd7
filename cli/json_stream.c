/* json_stream.c - a JSON document written as it is made: each member or
 * element printed with cJSON, made safe as cli_json makes a whole
 * document (backend/text.h: text_json_safe), and indented to its depth,
 * commas between, nothing kept but the nesting. */
#include "json_stream.h"
#include "backend/text.h"

#include <stdlib.h>
#include <string.h>

static void indent(struct jstream *j, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		fputc('\t', j->f);
}

/* Text from cJSON_Print, indented one level per tab at depth. */
static void put_indented(struct jstream *j, const char *text)
{
	const char *p;

	for (p = text; *p; p++) {
		fputc(*p, j->f);
		if (*p == '\n')
			indent(j, j->depth);
	}
}

/* The comma and line before a new member, and its key. */
static void start(struct jstream *j, const char *key)
{
	if (j->count[j->depth - 1]++)
		fputc(',', j->f);
	fputc('\n', j->f);
	indent(j, j->depth);
	if (key && !j->is_array[j->depth - 1]) {
		cJSON *k = cJSON_CreateString(key);
		char *s = cJSON_PrintUnformatted(k);
		char *safe = text_json_safe(s ? s : "\"\"");

		fputs(safe, j->f);
		fputs(":\t", j->f);
		free(safe);
		cJSON_free(s);
		cJSON_Delete(k);
	}
}

void jstream_begin(struct jstream *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	fputc('{', f);
	j->depth = 1;
}

void jstream_value(struct jstream *j, const char *key, const cJSON *v)
{
	char *s = cJSON_Print(v);
	/* valid UTF-8, no C1 or bidi control: the same bytes cli_json
	 * would write for the whole document */
	char *safe = text_json_safe(s ? s : "null");

	start(j, key);
	put_indented(j, safe);
	free(safe);
	cJSON_free(s);
}

void jstream_string(struct jstream *j, const char *key, const char *str)
{
	cJSON *v = cJSON_CreateString(str ? str : "");

	jstream_value(j, key, v);
	cJSON_Delete(v);
}

void jstream_open(struct jstream *j, const char *key, int array)
{
	if (j->depth >= JSTREAM_MAX_DEPTH)
		abort(); /* a programming error: the documents are shallow */
	start(j, key);
	fputc(array ? '[' : '{', j->f);
	j->is_array[j->depth] = array;
	j->count[j->depth] = 0;
	j->depth++;
}

void jstream_close(struct jstream *j)
{
	int array;

	if (j->depth <= 1)
		return;
	j->depth--;
	array = j->is_array[j->depth];
	if (j->count[j->depth]) {
		fputc('\n', j->f);
		indent(j, j->depth);
	}
	fputc(array ? ']' : '}', j->f);
}

void jstream_end(struct jstream *j)
{
	while (j->depth > 1)
		jstream_close(j);
	fputs("\n}\n", j->f);
	fflush(j->f);
}
