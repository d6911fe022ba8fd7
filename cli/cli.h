/* cli.h - the one-shot subcommands: shared options and the entry points
 * main.c dispatches to. Each prints for people or JSON for pipelines and
 * returns the exit code (0 ok, 1 a check or action failed, 2 usage). */
#ifndef JD_CLI_H
#define JD_CLI_H

#include <stdio.h>

struct config;

struct cli_opts {
	const char *kubeconfig;
	const char *context;
	const char *theme;
	const char *audit_log;
	int read_only;
	int no_color;
	int ascii;
	int json;
	int markdown;
	int demo;
	const char *ns;      /* -n/--namespace */
	int with_source;     /* --with-source */
	long long timeout_ms; /* --timeout */
	const char *config;   /* --config */
	const char *subscription, *resource_group, *deployment;
	const char *registry, *registry_url;
	int force;            /* --force */
	int all;              /* --all */
	const char *check;    /* config --check FILE */
	const char *reports;  /* scans --reports DIR */
	int override_gate;    /* promote --override-gate */
	const char *reason;   /* --reason TEXT */
	int want_help, want_version;
	/* The loaded configuration (main owns it), NULL before loading. */
	const struct config *cfg;
	const char *repo;     /* --repo DIR: the local clone */
	const char *github_account; /* --github-account NAME */
	int dry_run;          /* --dry-run */
	int commit;           /* --commit */
	int push;             /* --push */
};

/* What completes an argument (of an option or a command). */
enum cli_arg {
	CLI_ARG_NONE,       /* nothing to offer */
	CLI_ARG_FILE,       /* file names (the shell completes them) */
	CLI_ARG_CONTEXT,    /* kubeconfig contexts */
	CLI_ARG_THEME,      /* theme names */
	CLI_ARG_NAMESPACE,  /* namespaces holding Flux objects */
	CLI_ARG_NODE,       /* node names */
	CLI_ARG_FLUX_KIND,  /* ks, kustomization, gitrepo, ... */
	CLI_ARG_FLUX_NAME,  /* Flux objects of the kind before */
	CLI_ARG_IMAGE,      /* the configured images' short names */
	CLI_ARG_AUDIT_VERB, /* verify */
};

/* One row of the option table (cli/main.c): getopt_long, --help and the
 * completions are built from it. arg is NULL for a flag. */
struct cli_option {
	const char *name;  /* long name, without "--" */
	int short_name;    /* 'n', or 0 */
	int id;
	const char *arg;   /* "FILE" in --help, NULL for a flag */
	enum cli_arg complete;
	const char *help;
};

/* One row of the command table (cli/main.c). */
struct cli_command {
	const char *name;
	const char *usage; /* the arguments, for --help */
	const char *help;
	int min_args, max_args; /* max -1: any number */
	enum cli_arg args[3];   /* the last one repeats */
	int (*run)(struct cli_opts *o, int argc, char **argv);
	int hidden;             /* not in --help nor offered */
};

/* Both end with a row whose name is NULL. */
extern const struct cli_option cli_options[];
extern const struct cli_command cli_commands[];

int cli_nodes(const struct cli_opts *o);
int cli_cordon(const struct cli_opts *o, const char *node, int on);
int cli_audit_verify(const struct cli_opts *o);
int cli_flux(const struct cli_opts *o);
int cli_config(const struct cli_opts *o);
int cli_images(const struct cli_opts *o);
int cli_status(const struct cli_opts *o);
int cli_scans(const struct cli_opts *o, int argc, char **argv);
int cli_images_action(const struct cli_opts *o, int promote, int argc,
		      char **argv);

/* Load the config, apply the flags and the key bindings; 0, or 2 after
 * printing every problem (c is then freed). */
int cli_load_config(const struct cli_opts *o, struct config *c);
/* Fill the options the command line left unset from the config
 * (kubeconfig, context, theme, audit log, read-only, ASCII, colour). */
void cli_apply_config(struct cli_opts *o, const struct config *c);
/* `jumpdeck --version`: ours and the libraries' run-time versions. */
int cli_version(void);
/* `jumpdeck __complete WORD...`: candidates for the last word, one a
 * line; ":files" alone asks the shell for file names. */
int cli_complete(const struct cli_opts *o, int argc, char **argv);
int cli_check(const struct cli_opts *o);

/* Printing (cli_out.c): the only way a subcommand writes. Each call
 * formats one line, makes it terminal-safe (backend/text.h: no escape
 * sequence, C0 or C1 control, bidi override or invalid UTF-8 reaches the
 * terminal; a line break inside becomes a space) and ends it. */
void cli_say(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "jumpdeck: " and the line, on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A progress line on stderr that the next one overwrites ("\r"), and
 * its removal. */
void cli_progress(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void cli_progress_clear(void);
/* A JSON document on stdout: valid UTF-8 (invalid bytes become \ufffd)
 * and no raw C1 or bidi control (escaped), then a newline. */
void cli_json(const char *json);
int cli_flux_action(const struct cli_opts *o, const char *verb,
		    const char *kind, const char *name);
/* cli_bootstrap.c: the walkthrough's steps, the manifest rewrite (with
 * commit and push) and the Flux install. dir may be NULL. */
int cli_bootstrap(const struct cli_opts *o);
int cli_rewrite_manifests(const struct cli_opts *o, const char *dir);
int cli_bootstrap_flux(const struct cli_opts *o, const char *dir);
/* `jumpdeck why KIND NAME`: 0 healthy, 1 not, 2 usage. */
int cli_why(const struct cli_opts *o, const char *kind, const char *name);

#endif
