/* json_items.h - reads a Kubernetes list page ({"metadata":{...},
 * "items":[...]}) one item at a time: the text is scanned for the items'
 * bounds and each item is parsed alone, so that a page of thousands of
 * objects never becomes one parse tree. Not a general JSON parser (cJSON
 * parses every piece); knows nothing of what the items are. */
#ifndef JD_JSON_ITEMS_H
#define JD_JSON_ITEMS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

/* Called for each item, in order; item is borrowed (freed after the
 * call). Return 0 to go on, non-zero to stop. */
typedef int (*json_item_fn)(const cJSON *item, void *ud);

/* Walk the page text (len bytes, need not be NUL-terminated). *meta gets
 * the top-level "metadata" object (caller frees; NULL when absent).
 * Returns the number of items, or negative with e set: ERR_PARSE when
 * the text is not a JSON object, "items" is missing or not an array, an
 * item is not valid JSON, or nesting is deeper than JSON_ITEMS_MAX_DEPTH;
 * ERR_CANCELLED when fn stopped it. Items before an error have been
 * handed over already. */
#define JSON_ITEMS_MAX_DEPTH 64
long json_items_walk(const char *text, size_t len, json_item_fn fn, void *ud,
		     cJSON **meta, struct err *e);

#endif
