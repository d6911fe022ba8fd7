/* cli.h - the one-shot subcommands: shared options and the entry points
 * main.c dispatches to. Each prints for people or JSON for pipelines and
 * returns the exit code (0 ok, 1 a check or action failed, 2 usage). */
#ifndef JD_CLI_H
#define JD_CLI_H

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
};

int cli_nodes(const struct cli_opts *o);
int cli_cordon(const struct cli_opts *o, const char *node, int on);
int cli_audit_verify(const struct cli_opts *o);
int cli_flux(const struct cli_opts *o);
int cli_config(const struct cli_opts *o);
int cli_images(const struct cli_opts *o);
int cli_status(const struct cli_opts *o);
int cli_images_action(const struct cli_opts *o, int promote, int argc,
		      char **argv);

struct config;
/* Load the config and apply the flags; 0, or 2 after printing why. */
int cli_load_config(const struct cli_opts *o, struct config *c);
int cli_check(const struct cli_opts *o);
int cli_flux_action(const struct cli_opts *o, const char *verb,
		    const char *kind, const char *name);

#endif
