/* json_items.c - a list page read item by item: a scanner finds where
 * each member and array element starts and ends (strings, escapes and
 * nesting, nothing more) and cJSON parses the items and the metadata one
 * piece at a time. */
#include "json_items.h"

#include <string.h>

struct scan {
	const char *s;
	size_t len, pos;
	struct err *e;
};

static int fail(struct scan *k, const char *what)
{
	return err_set(k->e, ERR_PARSE, "malformed list: %s at byte %zu", what,
		       k->pos);
}

static void skip_ws(struct scan *k)
{
	while (k->pos < k->len &&
	       (k->s[k->pos] == ' ' || k->s[k->pos] == '\t' ||
		k->s[k->pos] == '\n' || k->s[k->pos] == '\r'))
		k->pos++;
}

/* At an opening quote: past the closing one. */
static int skip_string(struct scan *k)
{
	k->pos++;
	while (k->pos < k->len) {
		char c = k->s[k->pos++];

		if (c == '\\')
			k->pos++;
		else if (c == '"')
			return 0;
	}
	return fail(k, "unterminated string");
}

/* Past one value of any kind (not checked beyond its structure). */
static int skip_value(struct scan *k)
{
	int depth = 0;

	if (k->pos >= k->len)
		return fail(k, "missing value");
	if (k->s[k->pos] == '"')
		return skip_string(k);
	if (k->s[k->pos] != '{' && k->s[k->pos] != '[') {
		size_t start = k->pos;

		while (k->pos < k->len && !strchr(",}] \t\r\n", k->s[k->pos]))
			k->pos++;
		return k->pos > start ? 0 : fail(k, "missing value");
	}
	while (k->pos < k->len) {
		char c = k->s[k->pos];

		if (c == '"') {
			if (skip_string(k) < 0)
				return -ERR_PARSE;
			continue;
		}
		k->pos++;
		if (c == '{' || c == '[') {
			if (++depth > JSON_ITEMS_MAX_DEPTH)
				return fail(k, "nesting too deep");
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return 0;
		}
	}
	return fail(k, "unterminated object or array");
}

/* Parse the value at [start, k->pos) alone. */
static cJSON *parse_piece(struct scan *k, size_t start)
{
	return cJSON_ParseWithLength(k->s + start, k->pos - start);
}

static int key_is(const struct scan *k, size_t start, const char *want)
{
	size_t n = strlen(want);

	/* start is the opening quote; k->pos is past the closing one. */
	return k->pos - start == n + 2 &&
	       memcmp(k->s + start + 1, want, n) == 0;
}

static long walk_items(struct scan *k, json_item_fn fn, void *ud)
{
	long count = 0;

	if (k->pos >= k->len || k->s[k->pos] != '[')
		return fail(k, "\"items\" is not an array");
	k->pos++;
	skip_ws(k);
	if (k->pos < k->len && k->s[k->pos] == ']') {
		k->pos++;
		return 0;
	}
	for (;;) {
		size_t start;
		cJSON *item;
		int stop;

		skip_ws(k);
		start = k->pos;
		if (skip_value(k) < 0)
			return -ERR_PARSE;
		item = parse_piece(k, start);
		if (!item)
			return fail(k, "an item is not valid JSON");
		stop = fn(item, ud);
		cJSON_Delete(item);
		count++;
		if (stop)
			return err_set(k->e, ERR_CANCELLED, "stopped");
		skip_ws(k);
		if (k->pos < k->len && k->s[k->pos] == ',') {
			k->pos++;
			continue;
		}
		if (k->pos < k->len && k->s[k->pos] == ']') {
			k->pos++;
			return count;
		}
		return fail(k, "expected , or ] after an item");
	}
}

long json_items_walk(const char *text, size_t len, json_item_fn fn, void *ud,
		     cJSON **meta, struct err *e)
{
	struct scan k = {text, len, 0, e};
	long count = -1;
	int first = 1;

	*meta = NULL;
	skip_ws(&k);
	if (k.pos >= k.len || k.s[k.pos] != '{')
		return fail(&k, "not a JSON object");
	k.pos++;
	for (;; first = 0) {
		size_t key, start;
		int items, metadata;

		skip_ws(&k);
		if (first && k.pos < k.len && k.s[k.pos] == '}') {
			k.pos++;
			break; /* {} */
		}
		if (k.pos >= k.len || k.s[k.pos] != '"')
			goto bad;
		key = k.pos;
		if (skip_string(&k) < 0)
			goto err;
		items = count < 0 && key_is(&k, key, "items");
		metadata = !*meta && key_is(&k, key, "metadata");
		skip_ws(&k);
		if (k.pos >= k.len || k.s[k.pos] != ':')
			goto bad;
		k.pos++;
		skip_ws(&k);
		start = k.pos;
		if (items) {
			count = walk_items(&k, fn, ud);
			if (count < 0)
				goto err;
		} else {
			if (skip_value(&k) < 0)
				goto err;
			if (metadata) {
				*meta = parse_piece(&k, start);
				if (!cJSON_IsObject(*meta)) {
					fail(&k, "\"metadata\" is not an "
						 "object");
					goto err;
				}
			}
		}
		skip_ws(&k);
		if (k.pos < k.len && k.s[k.pos] == ',') {
			k.pos++;
			continue;
		}
		if (k.pos < k.len && k.s[k.pos] == '}') {
			k.pos++;
			break;
		}
		goto bad;
	}
	skip_ws(&k);
	if (k.pos != k.len && !(k.pos + 1 == k.len && k.s[k.pos] == '\0'))
		goto bad;
	if (count < 0) {
		err_set(e, ERR_PARSE, "answer is not a list (no items)");
		goto err;
	}
	return count;
bad:
	fail(&k, "unexpected character");
err:
	cJSON_Delete(*meta);
	*meta = NULL;
	return -(e && e->code ? e->code : ERR_PARSE);
}
