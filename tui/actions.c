/* actions.c - the action table's data, key-name parsing and lookups.
 * Not the handlers: panes and the app act on the ids. */
#include "actions.h"

#include <curses.h>
#include <stdio.h>
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
	{"Space", ' '},       {"F1", KEY_F(1)},      {"Backspace", KEY_BACKSPACE},
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
	if (name[0] == 'C' && name[1] == '-' && name[2] && !name[3])
		return name[2] & 0x1f;
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
	if (key > 0 && key < 32)
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

static enum action_id lookup(int key, enum action_scope scope)
{
	int i;

	for (i = 0; i < ACT_COUNT; i++)
		if (action_table[i].scope == scope &&
		    keys_contain(action_table[i].keys, key))
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

void actions_print(void *file, int markdown)
{
	FILE *f = file;
	int s, i;

	for (s = 0; s < SCOPE_COUNT; s++) {
		if (markdown)
			fprintf(f, "\n%s:\n\n| keys | action |\n|---|---|\n",
				action_scope_title((enum action_scope)s));
		else
			fprintf(f, "\n  %s:\n",
				action_scope_title((enum action_scope)s));
		for (i = 0; i < ACT_COUNT; i++) {
			const struct action_info *a = &action_table[i];

			if ((int)a->scope != s)
				continue;
			if (markdown)
				fprintf(f, "| `%s` | %s%s |\n", a->keys,
					a->help,
					a->mutating ? " (audited)" : "");
			else
				fprintf(f, "    %-16s %s\n", a->keys, a->help);
		}
	}
}
