/* actions.h - the one table of actions: every key jumpdeck answers to is
 * declared here once, and dispatch, the help overlay, --help and the
 * README's key list are all derived from it. A key not here does not exist.
 */
#ifndef JD_ACTIONS_H
#define JD_ACTIONS_H

#include <stddef.h>

/* Scopes: where an action applies. A key goes to the focused pane's scope
 * first, then to LIST (any list pane), then to GLOBAL. */
enum action_scope {
	SCOPE_GLOBAL,
	SCOPE_LIST,
	SCOPE_NODES,
	SCOPE_FLUX,
	SCOPE_IMAGES,
	SCOPE_SCANS,
	SCOPE_BOOTSTRAP,
	SCOPE_COUNT
};

/* X(ID, name, scope, "keys separated by spaces", "help text", mutating)
 * Key names: single characters, or Tab S-Tab Enter Esc Up Down Left Right
 * PgUp PgDn Home End Space F1, C-x for control keys. */
#define JD_ACTIONS(X)                                                       \
	X(QUIT, "quit", SCOPE_GLOBAL, "q", "Quit jumpdeck", 0)                \
	X(HELP, "help", SCOPE_GLOBAL, "? F1", "Show or hide this help", 0)    \
	X(FOCUS_NEXT, "focus-next", SCOPE_GLOBAL, "Tab",                      \
	  "Focus the next pane", 0)                                           \
	X(FOCUS_PREV, "focus-prev", SCOPE_GLOBAL, "S-Tab",                    \
	  "Focus the previous pane", 0)                                       \
	X(FOCUS_PANE, "focus-pane", SCOPE_GLOBAL, "1 2 3 4 5 6 7 8 9",        \
	  "Focus pane N (the Nth key: the number in its title and tab)", 0)   \
	X(ZOOM, "zoom", SCOPE_GLOBAL, "z", "Zoom the focused pane (again: "   \
	  "back to the grid)", 0)                                             \
	X(BACK, "back", SCOPE_GLOBAL, "Esc",                                  \
	  "Close the detail view, help or zoom", 0)                           \
	X(COMMAND, "command", SCOPE_GLOBAL, ":",                              \
	  "Command line (:nodes :theme NAME :context NAME :q ...)", 0)        \
	X(FILTER, "filter", SCOPE_GLOBAL, "/",                                \
	  "Filter the focused pane's rows", 0)                                \
	X(REFRESH, "refresh", SCOPE_GLOBAL, "C-r",                            \
	  "Reconnect now instead of waiting for the retry", 0)                \
	X(REDRAW, "redraw", SCOPE_GLOBAL, "C-l", "Redraw the screen", 0)      \
	X(UP, "up", SCOPE_LIST, "k Up", "Select the previous row", 0)        \
	X(DOWN, "down", SCOPE_LIST, "j Down", "Select the next row", 0)      \
	X(PAGE_UP, "page-up", SCOPE_LIST, "PgUp C-b", "One page up", 0)      \
	X(PAGE_DOWN, "page-down", SCOPE_LIST, "PgDn C-f", "One page down", 0) \
	X(TOP, "top", SCOPE_LIST, "Home g", "First row", 0)                  \
	X(BOTTOM, "bottom", SCOPE_LIST, "End G", "Last row", 0)              \
	X(OPEN, "open", SCOPE_LIST, "Enter l Right",                          \
	  "Open the selected row's detail view", 0)                           \
	X(SORT_NEXT, "sort", SCOPE_LIST, "s",                                 \
	  "Sort by the next column", 0)                                       \
	X(SORT_REVERSE, "sort-reverse", SCOPE_LIST, "S",                      \
	  "Reverse the sort order", 0)                                        \
	X(CORDON, "cordon", SCOPE_NODES, "c",                                 \
	  "Cordon the selected node (confirm by typing its name)", 1)         \
	X(UNCORDON, "uncordon", SCOPE_NODES, "u",                             \
	  "Uncordon the selected node (confirm by typing its name)", 1)      \
	X(RECONCILE, "reconcile", SCOPE_FLUX, "r",                            \
	  "Reconcile the selected object now and follow it", 1)              \
	X(RECONCILE_SOURCE, "reconcile-with-source", SCOPE_FLUX, "R",         \
	  "Reconcile its source first, then the object", 1)                  \
	X(SUSPEND, "suspend", SCOPE_FLUX, "p",                                \
	  "Suspend (pause) the selected object", 1)                          \
	X(RESUME, "resume", SCOPE_FLUX, "P",                                  \
	  "Resume the selected object and reconcile it", 1)                  \
	X(IMPORT, "import", SCOPE_IMAGES, "i",                                \
	  "Import the selected image into quarantine/", 1)                   \
	X(IMPORT_ALL, "import-all", SCOPE_IMAGES, "I",                        \
	  "Import every image that is not in quarantine/ yet", 1)            \
	X(PROMOTE, "promote", SCOPE_IMAGES, "p",                              \
	  "Promote the selected image from quarantine/ to live/, if the "     \
	  "scan gate lets it", 1)                                             \
	X(OVERRIDE_GATE, "override-gate", SCOPE_IMAGES, "o",                  \
	  "Promote past the scan gate: type the image's name, then a "        \
	  "reason", 1)                                                        \
	X(RECHECK, "recheck", SCOPE_IMAGES, "r",                              \
	  "Read every image's digests again", 0)                             \
	X(CANCEL_OP, "cancel", SCOPE_IMAGES, "x",                             \
	  "Stop following the selected image's operation", 0)                \
	X(RESCAN, "rescan", SCOPE_SCANS, "r",                                 \
	  "Ask Defender and read the scan reports again", 0)                 \
	X(BOOT_IMPORT, "bootstrap-import", SCOPE_BOOTSTRAP, "i",              \
	  "Import every image not in quarantine/ yet (step 1)", 1)           \
	X(BOOT_PROMOTE, "bootstrap-promote", SCOPE_BOOTSTRAP, "p",            \
	  "Promote every image waiting in quarantine/ (step 3)", 1)          \
	X(BOOT_REWRITE, "rewrite-manifests", SCOPE_BOOTSTRAP, "w",            \
	  "Rewrite the placeholders, the diff shown first (steps 4, 5)", 1)  \
	X(BOOT_COMMIT, "commit-manifests", SCOPE_BOOTSTRAP, "c",              \
	  "Commit the rewritten files, the walkthrough's messages (6)", 1)   \
	X(BOOT_PUSH, "push-manifests", SCOPE_BOOTSTRAP, "P",                  \
	  "Push the clone's branch to its remote (step 6)", 1)               \
	X(BOOT_INSTALL_FLUX, "install-flux", SCOPE_BOOTSTRAP, "F",            \
	  "Install Flux from the clone's flux-system (step 9)", 1)           \
	X(BOOT_RECONCILE, "reconcile-flux-system", SCOPE_BOOTSTRAP, "r",      \
	  "Reconcile flux-system with its source (step 10)", 1)              \
	X(BOOT_REREAD, "reread-steps", SCOPE_BOOTSTRAP, "R",                  \
	  "Read every step from the world again", 0)

enum action_id {
#define JD_ACTION_ENUM(id, name, scope, keys, help, mut) ACT_##id,
	JD_ACTIONS(JD_ACTION_ENUM)
#undef JD_ACTION_ENUM
	ACT_COUNT,
	ACT_NONE = -1
};

struct action_info {
	enum action_id id;
	const char *name;
	enum action_scope scope;
	const char *keys;
	const char *help;
	int mutating;
};

extern const struct action_info action_table[ACT_COUNT];

const char *action_scope_title(enum action_scope s);
/* The action a key means in a scope (ACT_NONE if none). Checks `scope`,
 * then SCOPE_LIST when list is set, then SCOPE_GLOBAL. */
enum action_id action_for_key(int key, enum action_scope scope, int list);
const struct action_info *action_by_name(const char *name);
/* Where key stands in the action's bound key list (0 for the first), or
 * -1: "1 2 3" and '2' give 1. */
int action_key_position(enum action_id id, int key);

/* Key names <-> key codes (ncurses KEY_* values and characters). */
int key_from_name(const char *name);
const char *action_key_name(int key, char *buf, size_t sz);

/* The key list with the bindings in force: plain text (--help), plain
 * with the action names (`jumpdeck keys`), or Markdown with the names
 * (the README). */
#define ACTIONS_MARKDOWN 1
#define ACTIONS_NAMES 2
void actions_print(void *file, int how);

/* Key bindings: a layer over the table's default keys (the config file's
 * `key.ACTION = KEYS` lines). Lookups, the help overlay, --help and
 * `jumpdeck keys` all read the keys in force through action_keys(). */

/* The keys in force for an action: its binding, or the table's keys. */
const char *action_keys(enum action_id id);
/* 1 when the action's keys come from a binding. */
int action_is_rebound(enum action_id id);
/* Give the named action these keys (space-separated key names; "none"
 * leaves it without a key). Returns 0, or -1 with why filled (unknown
 * action or key name, a key listed twice). */
int actions_bind(const char *name, const char *keys, char *why,
		 size_t whysz);
/* Forget every binding. */
void actions_reset_bindings(void);
/* Do a and b, as bound now, both answer one key where they meet (the
 * same scope, or a pane's key hiding a list or global key, or a list key
 * hiding a global one)? Returns 1 and sets *key, else 0. */
int actions_clash(enum action_id a, enum action_id b, int *key);

#endif
