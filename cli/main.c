/* main.c - the option and command tables, argument parsing, --help, and
 * dispatch to the TUI or to a one-shot subcommand. getopt, --help and the
 * shell completions all read the two tables below. No backend logic. */
#include "cli.h"
#include "tui/actions.h"
#include "tui/app.h"
#include "backend/config.h"
#include "backend/text.h"
#include "backend/timefmt.h"
#include "cli_session.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* reconcile and resume wait at most a day: a longer wait is a typo, and a
 * deadline past a long long of milliseconds would overflow. */
#define TIMEOUT_MAX_MS (24LL * 3600 * 1000)

enum {
	OPT_KUBECONFIG = 256,
	OPT_CONTEXT,
	OPT_READ_ONLY,
	OPT_THEME,
	OPT_NO_COLOR,
	OPT_ASCII,
	OPT_AUDIT_LOG,
	OPT_JSON,
	OPT_MARKDOWN,
	OPT_DEMO,
	OPT_VERSION,
	OPT_WITH_SOURCE,
	OPT_TIMEOUT,
	OPT_CONFIG,
	OPT_SUBSCRIPTION,
	OPT_DEPLOYMENT,
	OPT_REGISTRY,
	OPT_REGISTRY_URL,
	OPT_FORCE,
	OPT_ALL,
	OPT_CHECK,
	OPT_REPO,
	OPT_GITHUB_ACCOUNT,
	OPT_DRY_RUN,
	OPT_COMMIT,
	OPT_PUSH,
	OPT_REPORTS,
	OPT_OVERRIDE_GATE,
	OPT_REASON,
};

/* Every option, in --help's order. */
/* clang-format off */
const struct cli_option cli_options[] = {
	{"kubeconfig", 0, OPT_KUBECONFIG, "FILE", CLI_ARG_FILE,
	 "kubeconfig (default: $KUBECONFIG, then ~/.kube/config)"},
	{"context", 0, OPT_CONTEXT, "NAME", CLI_ARG_CONTEXT,
	 "kubeconfig context (default: current)"},
	{"read-only", 0, OPT_READ_ONLY, NULL, CLI_ARG_NONE,
	 "refuse every change to the cluster and the registry"},
	{"theme", 0, OPT_THEME, "NAME|FILE", CLI_ARG_THEME,
	 "default, high-contrast, monochrome, solarized-dark, or a theme "
	 "file"},
	{"no-color", 0, OPT_NO_COLOR, NULL, CLI_ARG_NONE,
	 "attributes only (also: NO_COLOR=1)"},
	{"ascii", 0, OPT_ASCII, NULL, CLI_ARG_NONE,
	 "ASCII instead of UTF-8 line drawing"},
	{"audit-log", 0, OPT_AUDIT_LOG, "FILE", CLI_ARG_FILE,
	 "audit log (default: $JUMPDECK_AUDIT_LOG, then "
	 "~/.local/state/jumpdeck/audit.log)"},
	{"json", 0, OPT_JSON, NULL, CLI_ARG_NONE,
	 "JSON output (status, nodes, flux, check, images, why, scans, "
	 "bootstrap)"},
	{"markdown", 0, OPT_MARKDOWN, NULL, CLI_ARG_NONE,
	 "keys: the list as Markdown"},
	{"namespace", 'n', 'n', "NS", CLI_ARG_NAMESPACE,
	 "namespace of a Flux object (default flux-system)"},
	{"with-source", 0, OPT_WITH_SOURCE, NULL, CLI_ARG_NONE,
	 "reconcile the source first"},
	{"timeout", 0, OPT_TIMEOUT, "D", CLI_ARG_NONE,
	 "how long reconcile and resume wait (default 5m, at most 24h)"},
	{"config", 0, OPT_CONFIG, "FILE", CLI_ARG_FILE,
	 "config file (default ~/.config/jumpdeck/config)"},
	{"check", 0, OPT_CHECK, "FILE", CLI_ARG_FILE,
	 "config: check a config file and say what is wrong, with its line"},
	{"subscription", 0, OPT_SUBSCRIPTION, "ID", CLI_ARG_NONE,
	 "Azure subscription"},
	{"resource-group", 'g', 'g', "NAME", CLI_ARG_NONE,
	 "resource group (default rg-bu0001a0005)"},
	{"deployment", 0, OPT_DEPLOYMENT, "NAME", CLI_ARG_NONE,
	 "deployment naming the registries (default: cluster-stamp, then "
	 "pre-cluster-stamp)"},
	{"registry", 0, OPT_REGISTRY, "NAME", CLI_ARG_NONE,
	 "the registry, instead of the deployment's outputs"},
	{"registry-url", 0, OPT_REGISTRY_URL, "URL", CLI_ARG_NONE,
	 "the registry's address (default https://NAME.azurecr.io)"},
	{"reports", 0, OPT_REPORTS, "DIR", CLI_ARG_FILE,
	 "scans: Trivy (-f json) and Grype (-o json) reports to read beside "
	 "Defender"},
	{"all", 0, OPT_ALL, NULL, CLI_ARG_NONE,
	 "import or promote every image"},
	{"force", 0, OPT_FORCE, NULL, CLI_ARG_NONE,
	 "replace a tag that holds another digest"},
	{"repo", 0, OPT_REPO, "DIR", CLI_ARG_FILE,
	 "the local clone of your fork (default: the current folder)"},
	{"github-account", 0, OPT_GITHUB_ACCOUNT, "NAME", CLI_ARG_NONE,
	 "your fork's GitHub account, for rewrite-manifests"},
	{"dry-run", 0, OPT_DRY_RUN, NULL, CLI_ARG_NONE,
	 "rewrite-manifests: show the diff, change nothing"},
	{"commit", 0, OPT_COMMIT, NULL, CLI_ARG_NONE,
	 "rewrite-manifests: commit the rewritten files with the "
	 "walkthrough's messages"},
	{"push", 0, OPT_PUSH, NULL, CLI_ARG_NONE,
	 "rewrite-manifests: push the clone's branch to its upstream"},
	{"override-gate", 0, OPT_OVERRIDE_GATE, NULL, CLI_ARG_NONE,
	 "promote: pass the scan gate for the images named (audited, needs "
	 "--reason)"},
	{"reason", 0, OPT_REASON, "TEXT", CLI_ARG_NONE,
	 "why the scan gate is overridden (written to the audit log)"},
	{"demo", 0, OPT_DEMO, NULL, CLI_ARG_NONE,
	 "mark the title bar DEMO (make demo)"},
	{"version", 0, OPT_VERSION, NULL, CLI_ARG_NONE,
	 "the version, and the libraries' versions"},
	{"help", 'h', 'h', NULL, CLI_ARG_NONE, "this help"},
	{NULL, 0, 0, NULL, CLI_ARG_NONE, NULL},
};
/* clang-format on */

static int run_nodes(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_nodes(o);
}

static int run_cordon(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	return cli_cordon(o, argv[1], argv[0][0] == 'c');
}

static int run_flux(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_flux(o);
}

static int run_check(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_check(o);
}

static int run_flux_action(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	return cli_flux_action(o, argv[0], argv[1], argv[2]);
}

static int run_why(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	return cli_why(o, argv[1], argv[2]);
}

static int run_audit(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[1], "verify") != 0) {
		cli_error("usage: jumpdeck audit verify");
		return 2;
	}
	return cli_audit_verify(o);
}

static int run_status(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_status(o);
}

static int run_images(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_images(o);
}

static int run_scans(struct cli_opts *o, int argc, char **argv)
{
	return cli_scans(o, argc - 1, argv + 1);
}

static int run_images_action(struct cli_opts *o, int argc, char **argv)
{
	return cli_images_action(o, argv[0][0] == 'p', argc - 1, argv + 1);
}

static int run_bootstrap(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_bootstrap(o);
}

static int run_rewrite(struct cli_opts *o, int argc, char **argv)
{
	return cli_rewrite_manifests(o, argc > 1 ? argv[1] : NULL);
}

static int run_bootstrap_flux(struct cli_opts *o, int argc, char **argv)
{
	return cli_bootstrap_flux(o, argc > 1 ? argv[1] : NULL);
}

static int run_config(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_config(o);
}

static int run_keys(struct cli_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	actions_print(stdout, o->markdown ? ACTIONS_MARKDOWN : ACTIONS_NAMES);
	return 0;
}

static int run_version(struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	return cli_version();
}

static void usage(FILE *f);

static int run_help(struct cli_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static int run_complete(struct cli_opts *o, int argc, char **argv)
{
	return cli_complete(o, argc - 1, argv + 1);
}

/* Every command, in --help's order. args: what completes each positional
 * argument (the last one repeats when max_args is -1). */
/* clang-format off */
const struct cli_command cli_commands[] = {
	{"status", "[--json]", "one snapshot of the nodes, Flux and the "
	 "images (not the scans); exit 1 unless all three are fine",
	 0, 0, {CLI_ARG_NONE}, run_status, 0},
	{"nodes", "[--json]", "the nodes; exit 1 unless all are Ready",
	 0, 0, {CLI_ARG_NONE}, run_nodes, 0},
	{"cordon", "NODE", "mark a node unschedulable (audited)",
	 1, 1, {CLI_ARG_NODE}, run_cordon, 0},
	{"uncordon", "NODE", "make it schedulable again (audited)",
	 1, 1, {CLI_ARG_NODE}, run_cordon, 0},
	{"flux", "[--json]", "Flux controllers, sources, kustomizations",
	 0, 0, {CLI_ARG_NONE}, run_flux, 0},
	{"check", "[--json]", "preflight and flux-check-like checks",
	 0, 0, {CLI_ARG_NONE}, run_check, 0},
	{"reconcile", "KIND NAME [-n NS] [--with-source] [--timeout D]",
	 "ask Flux to reconcile now and wait",
	 2, 2, {CLI_ARG_FLUX_KIND, CLI_ARG_FLUX_NAME}, run_flux_action, 0},
	{"suspend", "KIND NAME [-n NS]", "stop reconciling (audited)",
	 2, 2, {CLI_ARG_FLUX_KIND, CLI_ARG_FLUX_NAME}, run_flux_action, 0},
	{"resume", "KIND NAME [-n NS] [--timeout D]",
	 "resume and reconcile (audited)",
	 2, 2, {CLI_ARG_FLUX_KIND, CLI_ARG_FLUX_NAME}, run_flux_action, 0},
	{"why", "KIND NAME [-n NS] [--json]", "why it is failing: from the "
	 "Flux object down to its workloads, pods, events, logs and images, "
	 "with the likely cause and its fix; exit 1 unless healthy",
	 2, 2, {CLI_ARG_FLUX_KIND, CLI_ARG_FLUX_NAME}, run_why, 0},
	{"images", "[--json]", "per image: upstream, quarantine/, scan, "
	 "live/; exit 1 unless all are promoted",
	 0, 0, {CLI_ARG_NONE}, run_images, 0},
	{"scans", "[--json] [--reports DIR] [IMAGE]", "scan verdicts "
	 "(Defender, Trivy and Grype reports), the promotion gate and where "
	 "each digest runs; exit 1 when the gate blocks an image",
	 0, 1, {CLI_ARG_IMAGE}, run_scans, 0},
	{"import", "IMAGE...|--all [--force]",
	 "upstream -> quarantine/ (audited)",
	 0, -1, {CLI_ARG_IMAGE}, run_images_action, 0},
	{"promote", "IMAGE...|--all [--force] [--override-gate --reason TEXT]",
	 "quarantine/ -> live/ behind the scan gate (audited)",
	 0, -1, {CLI_ARG_IMAGE}, run_images_action, 0},
	{"bootstrap", "[--json]", "the walkthrough's ten steps read from "
	 "the world; exit 1 until every one is done",
	 0, 0, {CLI_ARG_NONE}, run_bootstrap, 0},
	{"rewrite-manifests", "[--dry-run] [--commit] [--push] [DIR]",
	 "replace the placeholders in the clone with --registry and "
	 "--github-account (a diff first), commit and push (audited)",
	 0, 1, {CLI_ARG_FILE}, run_rewrite, 0},
	{"bootstrap-flux", "[DIR]", "install Flux from the clone's "
	 "flux-system by server-side apply, then check (audited)",
	 0, 1, {CLI_ARG_FILE}, run_bootstrap_flux, 0},
	{"audit", "verify", "check the audit log's hash chain",
	 1, 1, {CLI_ARG_AUDIT_VERB}, run_audit, 0},
	{"config", "[--check FILE]", "the effective configuration and where "
	 "each value comes from; with --check, check a config file",
	 0, 0, {CLI_ARG_NONE}, run_config, 0},
	{"keys", "[--markdown]", "the key bindings in force",
	 0, 0, {CLI_ARG_NONE}, run_keys, 0},
	{"version", "", "the version, and the libraries' versions",
	 0, 0, {CLI_ARG_NONE}, run_version, 0},
	{"help", "", "this help", 0, 0, {CLI_ARG_NONE}, run_help, 0},
	{"__complete", "WORD...", "shell completion candidates",
	 0, -1, {CLI_ARG_NONE}, run_complete, 1},
	{NULL, NULL, NULL, 0, 0, {CLI_ARG_NONE}, NULL, 0},
};
/* clang-format on */

/* "  left" then text wrapped at 78 columns from column 24. */
static void help_row(FILE *f, const char *left, const char *text)
{
	const char *p = text;
	int col;

	col = fprintf(f, "  %s", left);
	if (col > 22) {
		fputc('\n', f);
		col = 0;
	}
	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > 54) {
			cut = 54;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = n;
		}
		fprintf(f, "%*s%.*s\n", 24 - col, "", (int)cut, p);
		col = 0;
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void usage(FILE *f)
{
	const struct cli_command *c;
	const struct cli_option *op;
	char left[96];

	fputs("usage: jumpdeck [OPTIONS] [COMMAND [ARGS]]\n"
	      "\n"
	      "A terminal UI for the operators of a regulated AKS cluster:\n"
	      "the image quarantine pipeline, node readiness and Flux, with\n"
	      "the same actions as one-shot commands for pipelines.\n"
	      "\n"
	      "Commands (no command opens the TUI):\n",
	      f);
	for (c = cli_commands; c->name; c++) {
		if (c->hidden)
			continue;
		snprintf(left, sizeof(left), "%s%s%s", c->name,
			 *c->usage ? " " : "", c->usage);
		help_row(f, left, c->help);
	}
	fputs("\nOptions:\n", f);
	for (op = cli_options; op->name; op++) {
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
			 op->short_name ? "-" : "",
			 op->short_name ? op->short_name : ' ',
			 op->short_name ? ", " : "", op->name,
			 op->arg ? " " : "", op->arg ? op->arg : "");
		help_row(f, op->short_name ? left : left + 1, op->help);
	}
	fputs("\nThe config file (~/.config/jumpdeck/config, or --config)\n"
	      "holds every setting; `jumpdeck config` shows them and where\n"
	      "each comes from. See man jumpdeck.\n"
	      "\n"
	      "Exit codes: 0 ok, 1 a check or action failed, 2 usage or\n"
	      "configuration error.\n"
	      "\n"
	      "Keys in the TUI:\n",
	      f);
	actions_print(f, 0);
}

/* getopt_long's table and short options, built from cli_options. */
static struct option long_opts[sizeof(cli_options) / sizeof(cli_options[0])];
static char short_opts[2 * sizeof(cli_options) / sizeof(cli_options[0]) + 2];

static void build_getopt_tables(void)
{
	size_t i, s = 0;

	for (i = 0; cli_options[i].name; i++) {
		long_opts[i].name = cli_options[i].name;
		long_opts[i].has_arg =
		    cli_options[i].arg ? required_argument : no_argument;
		long_opts[i].flag = NULL;
		long_opts[i].val = cli_options[i].id;
		if (cli_options[i].short_name) {
			short_opts[s++] = (char)cli_options[i].short_name;
			if (cli_options[i].arg)
				short_opts[s++] = ':';
		}
	}
	memset(&long_opts[i], 0, sizeof(long_opts[i]));
	short_opts[s] = '\0';
}

/* Apply one parsed option to o. Returns 0, or an exit code. */
static int apply_option(struct cli_opts *o, int id, const char *arg)
{
	struct err e;

	switch (id) {
	case OPT_KUBECONFIG:
		o->kubeconfig = arg;
		break;
	case OPT_CONTEXT:
		o->context = arg;
		break;
	case OPT_READ_ONLY:
		o->read_only = 1;
		break;
	case OPT_THEME:
		o->theme = arg;
		break;
	case OPT_NO_COLOR:
		o->no_color = 1;
		break;
	case OPT_ASCII:
		o->ascii = 1;
		break;
	case OPT_AUDIT_LOG:
		o->audit_log = arg;
		break;
	case OPT_JSON:
		o->json = 1;
		break;
	case OPT_MARKDOWN:
		o->markdown = 1;
		break;
	case OPT_DEMO:
		o->demo = 1;
		break;
	case OPT_VERSION:
		o->want_version = 1;
		break;
	case 'n':
		o->ns = arg;
		break;
	case 'g':
		o->resource_group = arg;
		break;
	case OPT_CONFIG:
		o->config = arg;
		break;
	case OPT_CHECK:
		o->check = arg;
		break;
	case OPT_SUBSCRIPTION:
		o->subscription = arg;
		break;
	case OPT_DEPLOYMENT:
		o->deployment = arg;
		break;
	case OPT_REGISTRY:
		o->registry = arg;
		break;
	case OPT_REGISTRY_URL:
		o->registry_url = arg;
		break;
	case OPT_FORCE:
		o->force = 1;
		break;
	case OPT_ALL:
		o->all = 1;
		break;
	case OPT_REPO:
		o->repo = arg;
		break;
	case OPT_GITHUB_ACCOUNT:
		o->github_account = arg;
		break;
	case OPT_DRY_RUN:
		o->dry_run = 1;
		break;
	case OPT_COMMIT:
		o->commit = 1;
		break;
	case OPT_PUSH:
		o->push = 1;
		break;
	case OPT_REPORTS:
		o->reports = arg;
		break;
	case OPT_OVERRIDE_GATE:
		o->override_gate = 1;
		break;
	case OPT_REASON:
		o->reason = arg;
		break;
	case OPT_WITH_SOURCE:
		o->with_source = 1;
		break;
	case OPT_TIMEOUT:
		if (timefmt_parse_duration(arg, &o->timeout_ms, &e) < 0) {
			cli_error("--timeout: %s", e.msg);
			return 2;
		}
		if (o->timeout_ms > TIMEOUT_MAX_MS) {
			cli_error("--timeout: %s is longer than 24h", arg);
			return 2;
		}
		break;
	case 'h':
		o->want_help = 1;
		break;
	default:
		cli_error("see --help");
		return 2;
	}
	return 0;
}

static const struct cli_command *find_command(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int run_tui(struct cli_opts *o, struct config *cfg)
{
	struct app_opts ao;

	memset(&ao, 0, sizeof(ao));
	ao.config = cfg;
	ao.kubeconfig = o->kubeconfig;
	ao.context = o->context;
	ao.theme = o->theme;
	ao.audit_log = o->audit_log;
	ao.read_only = o->read_only;
	ao.no_color = o->no_color;
	ao.ascii = o->ascii;
	ao.demo = o->demo;
	return app_run(&ao);
}

/* --help: with the keys in force when the config loads, else the
 * defaults (the config's problems are printed first). */
static int help(struct cli_opts *o)
{
	struct config cfg;

	if (cli_load_config(o, &cfg) == 0)
		config_free(&cfg);
	else
		cli_error("(the key list below shows the default keys)");
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd = NULL;
	struct cli_opts o;
	struct config cfg;
	int c, rc, nargs;

	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof(o));
	/* Completion words are not options: stop at the command. */
	if (argc > 1 && strcmp(argv[1], "__complete") == 0)
		return cli_complete(&o, argc - 2, argv + 2);
	build_getopt_tables();
	for (;;) {
		c = getopt_long(argc, argv, short_opts, long_opts, NULL);
		if (c == -1)
			break;
		rc = apply_option(&o, c, optarg);
		if (rc)
			return rc;
	}
	if (o.want_version)
		return cli_version();
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		cmd = find_command(argv[0]);
		if (!cmd || cmd->hidden) {
			cli_error("unknown command \"%s\" (see --help)",
				  argv[0]);
			return 2;
		}
	}
	if (o.want_help || (cmd && cmd->run == run_help))
		return help(&o);
	if (cmd) {
		nargs = argc - 1;
		if (nargs < cmd->min_args ||
		    (cmd->max_args >= 0 && nargs > cmd->max_args)) {
			cli_error("usage: jumpdeck %s%s%s", cmd->name,
				  *cmd->usage ? " " : "", cmd->usage);
			return 2;
		}
	}
	if (o.check && (!cmd || strcmp(cmd->name, "config") != 0)) {
		cli_error("--check is for jumpdeck config");
		return 2;
	}
	/* A file to check is read alone, whatever the usual one holds. */
	if (o.check)
		return cli_config(&o);
	rc = cli_load_config(&o, &cfg);
	if (rc)
		return rc;
	cli_apply_config(&o, &cfg);
	o.cfg = &cfg;
	/* What a subcommand prints is cut to ASCII when the terminal or
	 * the options ask for it (the TUI decides for itself). */
	if (cmd)
		text_set_ascii(cli_ascii(&o));
	rc = cmd ? cmd->run(&o, argc, argv) : run_tui(&o, &cfg);
	config_free(&cfg);
	return rc;
}
