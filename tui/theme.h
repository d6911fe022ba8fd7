/* theme.h - colours by meaning: semantic roles mapped to colours and
 * attributes, parsed from themes/NAME.theme files; with an attributes-only
 * fallback for NO_COLOR, --no-color and terminals without colour. */
#ifndef JD_THEME_H
#define JD_THEME_H

#include <stddef.h>

#include "backend/err.h"

#define JD_ROLES(X)                                                          \
	X(NORMAL, "normal") X(TITLE, "title") X(HEADER, "header")             \
	X(SELECTED, "selected") X(OK, "ok") X(WARN, "warn")                   \
	X(ERROR, "error") X(PENDING, "pending") X(MUTED, "muted")             \
	X(BORDER, "border") X(BORDER_FOCUS, "border_focus")                   \
	X(BADGE, "badge") X(STATUS, "status") X(TAB, "tab")                   \
	X(TAB_ACTIVE, "tab_active") X(DIALOG, "dialog") X(KEY, "key")         \
	X(SEV_CRITICAL, "sev_critical") X(SEV_HIGH, "sev_high")               \
	X(SEV_MEDIUM, "sev_medium") X(SEV_LOW, "sev_low")

enum role {
#define JD_ROLE_ENUM(id, name) ROLE_##id,
	JD_ROLES(JD_ROLE_ENUM)
#undef JD_ROLE_ENUM
	ROLE_COUNT
};

/* Attribute bits, independent of curses. */
enum theme_attr {
	TA_BOLD = 1,
	TA_UNDERLINE = 2,
	TA_REVERSE = 4,
	TA_DIM = 8,
	TA_ITALIC = 16,
};

#define THEME_DEFAULT_COLOR (-1)

struct theme_style {
	int fg, bg;          /* 0-255, or THEME_DEFAULT_COLOR */
	unsigned attrs;      /* with colour */
	unsigned mono_attrs; /* without colour */
	int set;
};

struct theme {
	char name[64];
	struct theme_style style[ROLE_COUNT];
};

/* Parse theme text. Unset roles inherit "normal". Errors name the line:
 * "themes/x.theme:4: unknown colour \"grene\"". */
int theme_parse(struct theme *t, const char *name, const char *text,
		const char *origin, struct err *e);
/* Load by name (searching the user's config dir, the install dir and the
 * source tree) or by path (a name containing '/'). "default" is built in. */
int theme_load(struct theme *t, const char *name_or_path, struct err *e);
/* Names of the themes that can be found, for completion. Caller frees the
 * array and its strings. */
char **theme_list(size_t *n);
const char *role_name(enum role r);

/* The compiled-in default theme text (themes/default.theme). */
extern const char default_theme_text[];

#endif
