/* prompt.c - the status-line prompts: filter (/), command line (:) with
 * Tab completion, and the typed confirmation of mutating actions. */
#include "app_impl.h"
#include "screen.h"
#include "backend/xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Besides the panes' names (from the pane table). */
static const char *const commands[] = {
	"theme", "context", "help", "q", "quit", NULL,
};

void app_prompt_open(struct app *a, enum input_mode m)
{
	struct pane *p = &a->panes[a->focus];

	a->mode = m;
	a->input[0] = '\0';
	a->input_len = 0;
	a->completions[0] = '\0';
	if (m == IN_FILTER) {
		snprintf(a->saved_filter, sizeof(a->saved_filter), "%s",
			 p->filter);
		snprintf(a->input, sizeof(a->input), "%s", p->filter);
		a->input_len = strlen(a->input);
	}
	curs_set(1);
	app_mark(a);
}

static void prompt_close(struct app *a)
{
	a->mode = IN_NORMAL;
	a->completions[0] = '\0';
	curs_set(0);
	app_mark(a);
}

static void input_add(struct app *a, int key)
{
	char mb[8];
	int n = 0;
	unsigned c = (unsigned)key;

	/* Encode the wide character as UTF-8. */
	if (c < 0x80) {
		mb[n++] = (char)c;
	} else if (c < 0x800) {
		mb[n++] = (char)(0xc0 | (c >> 6));
		mb[n++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		mb[n++] = (char)(0xe0 | (c >> 12));
		mb[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		mb[n++] = (char)(0x80 | (c & 0x3f));
	} else {
		mb[n++] = (char)(0xf0 | (c >> 18));
		mb[n++] = (char)(0x80 | ((c >> 12) & 0x3f));
		mb[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		mb[n++] = (char)(0x80 | (c & 0x3f));
	}
	if (a->input_len + (size_t)n + 1 > sizeof(a->input))
		return;
	memcpy(a->input + a->input_len, mb, (size_t)n);
	a->input_len += (size_t)n;
	a->input[a->input_len] = '\0';
}

static void input_backspace(struct app *a)
{
	while (a->input_len > 0) {
		unsigned char c = (unsigned char)a->input[--a->input_len];

		if ((c & 0xc0) != 0x80)
			break;
	}
	a->input[a->input_len] = '\0';
}

static void live_filter(struct app *a)
{
	struct pane *p = &a->panes[a->focus];

	snprintf(p->filter, sizeof(p->filter), "%s", a->input);
	p->recalc = 1;
}

/* Candidates for the word being typed; fills a->completions and, when
 * there is exactly one (or a longer common prefix), completes it. */
static void complete(struct app *a)
{
	char *sp = strchr(a->input, ' ');
	const char *word = sp ? sp + 1 : a->input;
	char **cands = NULL;
	size_t n = 0, i, cap = 0, matches = 0, common = 0;
	const char *first = NULL;
	size_t off = 0;
	const struct kubeconfig *kc = session_kubeconfig(a->session);

	if (!sp) {
		for (i = 0; i < (size_t)pane_count; i++) {
			cands = xgrow(cands, &cap, n + 1, sizeof(*cands));
			cands[n++] = xstrdup(pane_table[i]->name);
		}
		for (i = 0; commands[i]; i++) {
			cands = xgrow(cands, &cap, n + 1, sizeof(*cands));
			cands[n++] = xstrdup(commands[i]);
		}
	} else if (strncmp(a->input, "theme ", 6) == 0) {
		cands = theme_list(&n);
	} else if (strncmp(a->input, "context ", 8) == 0 && kc) {
		for (i = 0; i < kc->ncontexts; i++) {
			cands = xgrow(cands, &cap, n + 1, sizeof(*cands));
			cands[n++] = xstrdup(kc->contexts[i].name);
		}
	}
	a->completions[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strncmp(cands[i], word, strlen(word)) != 0)
			continue;
		if (!first) {
			first = cands[i];
			common = strlen(first);
		} else {
			size_t k = 0;

			while (k < common && first[k] == cands[i][k])
				k++;
			common = k;
		}
		matches++;
		if (off + strlen(cands[i]) + 2 < sizeof(a->completions)) {
			off += (size_t)snprintf(a->completions + off,
						sizeof(a->completions) - off,
						"%s ", cands[i]);
		}
	}
	if (first && common > strlen(word)) {
		size_t base = (size_t)(word - a->input);

		if (base + common + 2 < sizeof(a->input)) {
			memcpy(a->input + base, first, common);
			a->input_len = base + common;
			a->input[a->input_len] = '\0';
			if (matches == 1 && !sp &&
			    (strcmp(first, "theme") == 0 ||
			     strcmp(first, "context") == 0)) {
				a->input[a->input_len++] = ' ';
				a->input[a->input_len] = '\0';
			}
		}
	}
	if (!matches)
		snprintf(a->completions, sizeof(a->completions),
			 "(no match)");
	for (i = 0; i < n; i++)
		free(cands[i]);
	free(cands);
}

int app_run_command(struct app *a, const char *line)
{
	char cmd[64], arg[192];
	int i;

	while (*line == ' ')
		line++;
	cmd[0] = arg[0] = '\0';
	{
		size_t n = strcspn(line, " ");

		if (n >= sizeof(cmd))
			n = sizeof(cmd) - 1;
		memcpy(cmd, line, n);
		cmd[n] = '\0';
		line += n;
		while (*line == ' ')
			line++;
		snprintf(arg, sizeof(arg), "%s", line);
	}
	if (!cmd[0])
		return 0;
	if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0) {
		a->quit = 1;
		loop_stop(a->loop);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		a->help = 1;
		return 0;
	}
	for (i = 0; i < pane_count; i++) {
		if (strcmp(cmd, a->panes[i].ops->name) == 0) {
			app_set_focus(a, i);
			return 0;
		}
	}
	if (strcmp(cmd, "theme") == 0) {
		if (!arg[0]) {
			app_status(a, ROLE_WARN,
				   "usage: :theme NAME (Tab lists them)");
			return -1;
		}
		return app_set_theme(a, arg);
	}
	if (strcmp(cmd, "context") == 0) {
		if (!arg[0]) {
			app_status(a, ROLE_WARN,
				   "usage: :context NAME (now %s)",
				   app_context(a));
			return -1;
		}
		return app_switch_context(a, arg);
	}
	app_status(a, ROLE_ERROR, "unknown command :%s (Tab lists them)", cmd);
	return -1;
}

int app_prompt_key(struct app *a, int key)
{
	char line[256];
	app_confirm_fn fn;
	void *ud;

	switch (key) {
	case 27: /* Esc */
		if (a->mode == IN_FILTER) {
			struct pane *p = &a->panes[a->focus];

			snprintf(p->filter, sizeof(p->filter), "%s",
				 a->saved_filter);
			p->recalc = 1;
		}
		if (a->mode == IN_CONFIRM) {
			struct change_req r;

			memset(&r, 0, sizeof(r));
			r.action = a->confirm.action;
			r.target = a->confirm.target;
			change_refuse(app_changes(a), &r,
				      "cancelled by the operator", NULL);
			app_status(a, ROLE_WARN, "cancelled");
			free(a->confirm.ud);
			a->confirm.ud = NULL;
		}
		prompt_close(a);
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		snprintf(line, sizeof(line), "%s", a->input);
		if (a->mode == IN_FILTER) {
			live_filter(a);
			prompt_close(a);
		} else if (a->mode == IN_COMMAND) {
			prompt_close(a);
			app_run_command(a, line);
		} else if (a->mode == IN_CONFIRM && a->confirm.answer) {
			app_answer_fn answer = a->confirm.answer;

			if (!line[strspn(line, " ")]) {
				snprintf(a->confirm.error,
					 sizeof(a->confirm.error),
					 "%s cannot be empty: type it, or Esc",
					 a->confirm.label);
				return 1;
			}
			prompt_close(a);
			ud = a->confirm.ud;
			a->confirm.answer = NULL;
			a->confirm.ud = NULL;
			answer(a, line, ud);
			free(ud);
		} else if (a->mode == IN_CONFIRM) {
			if (strcmp(line, a->confirm.expect) != 0) {
				snprintf(a->confirm.error,
					 sizeof(a->confirm.error),
					 "does not match %s: try again or Esc",
					 a->confirm.expect);
				a->input[0] = '\0';
				a->input_len = 0;
				return 1;
			}
			prompt_close(a);
			/* Take the dialog's data first: fn may open
			 * another dialog, which must not free or inherit
			 * this one's. */
			fn = a->confirm.fn;
			ud = a->confirm.ud;
			a->confirm.fn = NULL;
			a->confirm.ud = NULL;
			if (fn)
				fn(a, ud);
			free(ud);
		}
		return 1;
	case '\t':
		if (a->mode == IN_COMMAND)
			complete(a);
		return 1;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		input_backspace(a);
		break;
	case 21: /* C-u */
		a->input[0] = '\0';
		a->input_len = 0;
		break;
	default:
		if (key < 32 || (key >= KEY_MIN && key <= KEY_MAX))
			return 1;
		input_add(a, key);
		break;
	}
	a->completions[0] = '\0';
	if (a->mode == IN_FILTER)
		live_filter(a);
	return 1;
}
