/* actions.c - the action table's data, key-name parsing, the key bindings
 * layered over the table's defaults, and lookups. Not the handlers: panes
 * and the app act on the ids. */
#include "actions.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct action_info action_table[ACT_COUNT] = {
#define JD_ACTION_ROW(id, name, scope, keys, help, mut)                       \
	[ACT_##id] = {ACT_##id, name, scope, keys, help, mut},
	JD_ACTIONS(JD_ACTION_ROW)
#undef JD_ACTION_ROW
};

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{"Tab", '\t'},        {"S-Tab", KEY_BTAB},   {"Enter", '\n'},
	{"Esc", 27},          {"Up", KEY_UP},        {"Down", KEY_DOWN},
	{"Left", KEY_LEFT},   {"Right", KEY_RIGHT},  {"PgUp", KEY_PPAGE},
	{"PgDn", KEY_NPAGE},  {"Home", KEY_HOME},    {"End", KEY_END},
	{"Space", ' '},       {"F1", KEY_F(1)},
	{"Backspace", KEY_BACKSPACE},
};

const char *action_scope_title(enum action_scope s)
{
	switch (s) {
	case SCOPE_GLOBAL:
		return "Everywhere";
	case SCOPE_LIST:
		return "Lists";
	case SCOPE_NODES:
		return "Nodes pane";
	case SCOPE_FLUX:
		return "Flux pane";
	case SCOPE_IMAGES:
		return "Images pane";
	case SCOPE_SCANS:
		return "Scans pane";
	case SCOPE_BOOTSTRAP:
		return "Bootstrap pane";
	default:
		return "?";
	}
}

int key_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
		if (strcmp(named_keys[i].name, name) == 0)
			return named_keys[i].key;
	if (name[0] == 'C' && name[1] == '-' && name[2] && !name[3] &&
	    ((name[2] >= 'a' && name[2] <= 'z') || strchr("@[\\]^_", name[2])))
		return name[2] & 0x1f;
	if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
		int n = name[1] - '0';

		if (name[2] >= '0' && name[2] <= '9' && !name[3])
			n = n * 10 + (name[2] - '0');
		else if (name[2])
			return -1;
		return n <= 12 ? KEY_F(n) : -1;
	}
	if ((unsigned char)name[0] < 32 || (unsigned char)name[0] > 126)
		return -1;
	if (name[0] && !name[1])
		return (unsigned char)name[0];
	return -1;
}

const char *action_key_name(int key, char *buf, size_t sz)
{
	size_t i;

	for (i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++) {
		if (named_keys[i].key == key) {
			snprintf(buf, sz, "%s", named_keys[i].name);
			return buf;
		}
	}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, sz, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(buf, sz, "C-%c", key + 'a' - 1);
	else if (key >= 32 && key < 127)
		snprintf(buf, sz, "%c", key);
	else
		snprintf(buf, sz, "#%d", key);
	return buf;
}

/* Does the space-separated key list contain key? */
static int keys_contain(const char *keys, int key)
{
	char name[16];
	const char *p = keys;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (key_from_name(name) == key)
				return 1;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return 0;
}

int action_key_position(enum action_id id, int key)
{
	char name[16];
	const char *p = action_keys(id);
	int pos = 0;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (key_from_name(name) == key)
				return pos;
			pos++;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return -1;
}

static enum action_id lookup(int key, enum action_scope scope)
{
	int i;

	for (i = 0; i < ACT_COUNT; i++)
		if (action_table[i].scope == scope &&
		    keys_contain(action_keys((enum action_id)i), key))
			return (enum action_id)i;
	return ACT_NONE;
}

enum action_id action_for_key(int key, enum action_scope scope, int list)
{
	enum action_id a;

	/* Terminals send Enter as CR or LF; Backspace as DEL or ^H. */
	if (key == '\r' || key == KEY_ENTER)
		key = '\n';
	if (scope != SCOPE_GLOBAL && scope != SCOPE_LIST) {
		a = lookup(key, scope);
		if (a != ACT_NONE)
			return a;
	}
	if (list) {
		a = lookup(key, SCOPE_LIST);
		if (a != ACT_NONE)
			return a;
	}
	return lookup(key, SCOPE_GLOBAL);
}

const struct action_info *action_by_name(const char *name)
{
	int i;

	for (i = 0; i < ACT_COUNT; i++)
		if (strcmp(action_table[i].name, name) == 0)
			return &action_table[i];
	return NULL;
}

void actions_print(void *file, int how)
{
	FILE *f = file;
	int s, i;

	for (s = 0; s < SCOPE_COUNT; s++) {
		if (how & ACTIONS_MARKDOWN)
			fprintf(f, "\n%s:\n\n| keys | action | name |\n"
				   "|---|---|---|\n",
				action_scope_title((enum action_scope)s));
		else
			fprintf(f, "\n  %s:\n",
				action_scope_title((enum action_scope)s));
		for (i = 0; i < ACT_COUNT; i++) {
			const struct action_info *a = &action_table[i];
			const char *k = action_keys(a->id);

			if ((int)a->scope != s)
				continue;
			if (how & ACTIONS_MARKDOWN)
				fprintf(f, "| %s%s%s | %s%s | `%s` |\n",
					*k ? "`" : "", *k ? k : "(none)",
					*k ? "`" : "", a->help,
					a->mutating ? " (audited)" : "",
					a->name);
			else if (how & ACTIONS_NAMES)
				fprintf(f, "    %-16s %-22s %s\n",
					*k ? k : "(none)", a->name, a->help);
			else
				fprintf(f, "    %-16s %s\n",
					*k ? k : "(none)", a->help);
		}
	}
}

/* ---- bindings ------------------------------------------------------- */

static char *bound[ACT_COUNT]; /* NULL: the table's keys */

const char *action_keys(enum action_id id)
{
	if ((int)id < 0 || id >= ACT_COUNT)
		return "";
	return bound[id] ? bound[id] : action_table[id].keys;
}

int action_is_rebound(enum action_id id)
{
	return (int)id >= 0 && id < ACT_COUNT && bound[id] != NULL;
}

void actions_reset_bindings(void)
{
	int i;

	for (i = 0; i < ACT_COUNT; i++) {
		free(bound[i]);
		bound[i] = NULL;
	}
}

int actions_bind(const char *name, const char *keys, char *why,
		 size_t whysz)
{
	const struct action_info *a = action_by_name(name);
	char out[128], word[32];
	int codes[16], n = 0, j;
	const char *p = keys;
	size_t len = 0;

	if (!a) {
		snprintf(why, whysz, "no action \"%s\" (jumpdeck keys "
			 "lists them)", name);
		return -1;
	}
	out[0] = '\0';
	if (strcmp(keys, "none") == 0)
		p = "";
	while (*p) {
		size_t w = strcspn(p, " \t");
		int code;

		if (w >= sizeof(word)) {
			snprintf(why, whysz, "a key name is too long");
			return -1;
		}
		memcpy(word, p, w);
		word[w] = '\0';
		code = w ? key_from_name(word) : -1;
		if (w && code < 0) {
			snprintf(why, whysz, "\"%s\" is not a key name (a "
				 "character, C-x, F1-F12, Tab, S-Tab, Enter, "
				 "Esc, Up, Down, Left, Right, PgUp, PgDn, "
				 "Home, End, Space, Backspace)", word);
			return -1;
		}
		if (w) {
			for (j = 0; j < n; j++) {
				if (codes[j] == code) {
					snprintf(why, whysz, "%s is listed "
						 "twice", word);
					return -1;
				}
			}
			if (n == (int)(sizeof(codes) / sizeof(codes[0])) ||
			    len + w + 2 > sizeof(out)) {
				snprintf(why, whysz, "too many keys");
				return -1;
			}
			codes[n++] = code;
			len += (size_t)snprintf(out + len, sizeof(out) - len,
						"%s%s", len ? " " : "", word);
		}
		p += w;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	free(bound[a->id]);
	bound[a->id] = strdup(out);
	return bound[a->id] ? 0 : -1;
}

/* Where lookups meet: one scope, or one hiding the other. */
static int scopes_meet(enum action_scope a, enum action_scope b)
{
	if (a == b)
		return 1;
	if (a == SCOPE_GLOBAL || b == SCOPE_GLOBAL)
		return 1;
	return a == SCOPE_LIST || b == SCOPE_LIST;
}

int actions_clash(enum action_id a, enum action_id b, int *key)
{
	char name[32];
	const char *p;

	if (a == b || (int)a < 0 || (int)b < 0 || a >= ACT_COUNT ||
	    b >= ACT_COUNT ||
	    !scopes_meet(action_table[a].scope, action_table[b].scope))
		return 0;
	p = action_keys(a);
	while (*p) {
		size_t n = strcspn(p, " ");

		if (n && n < sizeof(name)) {
			int k;

			memcpy(name, p, n);
			name[n] = '\0';
			k = key_from_name(name);
			if (k >= 0 && keys_contain(action_keys(b), k)) {
				*key = k;
				return 1;
			}
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return 0;
}
