/* app_impl.h - the app's state, shared by the files of tui/ that make up
 * the app (app.c, frame.c, prompt.c, help.c). Panes use app.h instead. */
#ifndef JD_APP_IMPL_H
#define JD_APP_IMPL_H

#include "app.h"
#include "layout.h"
#include "backend/kubeconfig.h"
#include "backend/loop.h"
#include "backend/session.h"


enum input_mode {
	IN_NORMAL,
	IN_FILTER,  /* typing a filter for the focused pane */
	IN_COMMAND, /* typing after ':' */
	IN_CONFIRM, /* typing the name to confirm an action */
};

struct app_confirm {
	char action[64];
	char target[300];
	char question[512];
	char expect[256];
	char error[320];  /* the last typed name did not match */
	app_confirm_fn fn;
	app_answer_fn answer; /* app_ask: any text, passed on */
	char label[128];      /* app_ask: what to type */
	void *ud;
};

struct app {
	struct app_opts o;
	struct loop *loop;
	struct session *session; /* the cluster, models, changes */
	/* the device-code sign-in dialog */
	int device_open;
	char device_code[64];
	char device_uri[256];
	char device_message[600];
	long long device_expires; /* epoch seconds */
	unsigned device_timer;
	struct theme theme;

	struct pane panes[LAYOUT_MAX_PANES];
	int focus;
	int zoom;
	int help;
	int help_top;
	struct layout layout;
	int cols, rows;

	enum input_mode mode;
	char input[256];
	size_t input_len;
	char saved_filter[256];
	char completions[512];
	struct app_confirm confirm;

	char status[512];
	enum role status_role;
	long long status_at;
	int status_held; /* status answers a key: held STATUS_HOLD_MS */
	char status_next[512]; /* a background line waiting for the hold */
	enum role status_next_role;
	unsigned status_timer;

	int dirty;
	int redraw_all; /* the whole screen, not only the panes marked */
	int had_overlay; /* the last frame had help, a prompt or a dialog */
	unsigned frame_timer;
	unsigned tick_timer;
	long long last_frame;
	int quit;
};

/* frame.c */
void app_draw_frame(struct app *a);
/* prompt.c: keys while typing; returns 1 when the key was used. */
int app_prompt_key(struct app *a, int key);
void app_prompt_open(struct app *a, enum input_mode m);
int app_run_command(struct app *a, const char *line);
/* help.c */
void app_draw_help(struct app *a);
int app_help_key(struct app *a, int key);
/* app.c */
void app_mark(struct app *a);
void app_set_focus(struct app *a, int pane);
int app_switch_context(struct app *a, const char *name);
int app_set_theme(struct app *a, const char *name);

#endif
