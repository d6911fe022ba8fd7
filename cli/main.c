/* main.c - argument parsing, --help, and dispatch to the TUI or to a
 * one-shot subcommand. No backend logic here. */
#include "cli.h"
#include "tui/actions.h"
#include "tui/app.h"
#include "backend/config.h"
#include "backend/timefmt.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JD_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: jumpdeck [OPTIONS] [COMMAND [ARGS]]\n"
	      "\n"
	      "A terminal UI for the operators of a regulated AKS cluster:\n"
	      "node readiness now; the image quarantine pipeline, scans and\n"
	      "Flux as their backends land.\n"
	      "\n"
	      "Commands (no command opens the TUI):\n"
	      "  status [--json]     one snapshot of every pane; exit 1\n"
	      "                      unless everything is fine\n"
	      "  nodes [--json]      the nodes; exit 1 unless all are Ready\n"
	      "  cordon NODE         mark a node unschedulable (audited)\n"
	      "  uncordon NODE       make it schedulable again (audited)\n"
	      "  flux [--json]       Flux controllers, sources, kustomizations\n"
	      "  check [--json]      preflight and flux-check-like checks\n"
	      "  reconcile KIND NAME [-n NS] [--with-source] [--timeout D]\n"
	      "                      ask Flux to reconcile now and wait\n"
	      "  suspend KIND NAME [-n NS]   stop reconciling (audited)\n"
	      "  resume KIND NAME [-n NS]    resume and reconcile (audited)\n"
	      "  images [--json]     per image: upstream, quarantine/, scan,\n"
	      "                      live/; exit 1 unless all are promoted\n"
	      "  import IMAGE...|--all [--force]\n"
	      "                      upstream -> quarantine/ (audited)\n"
	      "  promote IMAGE...|--all [--force]\n"
	      "                      quarantine/ -> live/ (audited)\n"
	      "  audit verify        check the audit log's hash chain\n"
	      "  config              the effective configuration and where\n"
	      "                      each value comes from\n"
	      "  keys [--markdown]   the key bindings\n"
	      "  version             print the version\n"
	      "\n"
	      "Options:\n"
	      "  --kubeconfig FILE   kubeconfig (default: $KUBECONFIG, then\n"
	      "                      ~/.kube/config)\n"
	      "  --context NAME      kubeconfig context (default: current)\n"
	      "  --read-only         refuse every change to the cluster\n"
	      "  --theme NAME|FILE   default, high-contrast, monochrome,\n"
	      "                      solarized-dark, or a theme file\n"
	      "  --no-color          attributes only (also: NO_COLOR=1)\n"
	      "  --ascii             ASCII instead of UTF-8 line drawing\n"
	      "  --audit-log FILE    audit log (default: $JUMPDECK_AUDIT_LOG,\n"
	      "                      then ~/.local/state/jumpdeck/audit.log)\n"
	      "  --json              JSON output (nodes, flux, check)\n"
	      "  -n, --namespace NS  namespace of a Flux object\n"
	      "                      (default flux-system)\n"
	      "  --with-source       reconcile the source first\n"
	      "  --timeout D         how long reconcile waits (default 5m)\n"
	      "  --config FILE       config file (default\n"
	      "                      ~/.config/jumpdeck/config)\n"
	      "  --subscription ID   Azure subscription\n"
	      "  -g, --resource-group NAME  (default rg-bu0001a0005)\n"
	      "  --deployment NAME   deployment naming the registries\n"
	      "                      (default: cluster-stamp, then\n"
	      "                      pre-cluster-stamp)\n"
	      "  --registry NAME     the registry, instead of the\n"
	      "                      deployment's outputs\n"
	      "  --registry-url URL  the registry's address (default\n"
	      "                      https://NAME.azurecr.io)\n"
	      "  --all               import or promote every image\n"
	      "  --force             replace a tag that holds another digest\n"
	      "  --demo              mark the title bar DEMO (make demo)\n"
	      "  --version           print the version\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "Exit codes: 0 ok, 1 a check or action failed, 2 usage or\n"
	      "configuration error.\n"
	      "\n"
	      "Keys in the TUI:\n",
	      f);
	actions_print(f, 0);
}

enum {
	OPT_KUBECONFIG = 256, OPT_CONTEXT, OPT_READ_ONLY, OPT_THEME,
	OPT_NO_COLOR, OPT_ASCII, OPT_AUDIT_LOG, OPT_JSON, OPT_MARKDOWN,
	OPT_DEMO, OPT_VERSION, OPT_WITH_SOURCE, OPT_TIMEOUT, OPT_CONFIG,
	OPT_SUBSCRIPTION, OPT_DEPLOYMENT, OPT_REGISTRY, OPT_REGISTRY_URL,
	OPT_FORCE, OPT_ALL,
};

static const struct option long_opts[] = {
	{"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"theme", required_argument, NULL, OPT_THEME},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"ascii", no_argument, NULL, OPT_ASCII},
	{"audit-log", required_argument, NULL, OPT_AUDIT_LOG},
	{"json", no_argument, NULL, OPT_JSON},
	{"markdown", no_argument, NULL, OPT_MARKDOWN},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"version", no_argument, NULL, OPT_VERSION},
	{"namespace", required_argument, NULL, 'n'},
	{"with-source", no_argument, NULL, OPT_WITH_SOURCE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"subscription", required_argument, NULL, OPT_SUBSCRIPTION},
	{"resource-group", required_argument, NULL, 'g'},
	{"deployment", required_argument, NULL, OPT_DEPLOYMENT},
	{"registry", required_argument, NULL, OPT_REGISTRY},
	{"registry-url", required_argument, NULL, OPT_REGISTRY_URL},
	{"force", no_argument, NULL, OPT_FORCE},
	{"all", no_argument, NULL, OPT_ALL},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int need_args(int argc, int want, const char *cmd)
{
	if (argc == want)
		return 0;
	fprintf(stderr, "jumpdeck: %s takes %d argument%s (see --help)\n",
		cmd, want, want == 1 ? "" : "s");
	return 2;
}

int main(int argc, char **argv)
{
	struct cli_opts o;
	const char *cmd;
	int c;

	setlocale(LC_ALL, "");
	memset(&o, 0, sizeof(o));
	for (;;) {
		c = getopt_long(argc, argv, "hn:g:", long_opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_KUBECONFIG:
			o.kubeconfig = optarg;
			break;
		case OPT_CONTEXT:
			o.context = optarg;
			break;
		case OPT_READ_ONLY:
			o.read_only = 1;
			break;
		case OPT_THEME:
			o.theme = optarg;
			break;
		case OPT_NO_COLOR:
			o.no_color = 1;
			break;
		case OPT_ASCII:
			o.ascii = 1;
			break;
		case OPT_AUDIT_LOG:
			o.audit_log = optarg;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_MARKDOWN:
			o.markdown = 1;
			break;
		case OPT_DEMO:
			o.demo = 1;
			break;
		case OPT_VERSION:
			printf("jumpdeck %s\n", JD_VERSION);
			return 0;
		case 'n':
			o.ns = optarg;
			break;
		case 'g':
			o.resource_group = optarg;
			break;
		case OPT_CONFIG:
			o.config = optarg;
			break;
		case OPT_SUBSCRIPTION:
			o.subscription = optarg;
			break;
		case OPT_DEPLOYMENT:
			o.deployment = optarg;
			break;
		case OPT_REGISTRY:
			o.registry = optarg;
			break;
		case OPT_REGISTRY_URL:
			o.registry_url = optarg;
			break;
		case OPT_FORCE:
			o.force = 1;
			break;
		case OPT_ALL:
			o.all = 1;
			break;
		case OPT_WITH_SOURCE:
			o.with_source = 1;
			break;
		case OPT_TIMEOUT: {
			struct err e;

			if (timefmt_parse_duration(optarg, &o.timeout_ms, &e) <
			    0) {
				fprintf(stderr, "jumpdeck: --timeout: %s\n",
					e.msg);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "jumpdeck: see --help\n");
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	cmd = argc > 0 ? argv[0] : NULL;
	if (!cmd) {
		struct app_opts ao;
		struct config cfg;
		int rc;

		rc = cli_load_config(&o, &cfg);
		if (rc)
			return rc;
		memset(&ao, 0, sizeof(ao));
		ao.config = &cfg;
		ao.kubeconfig = o.kubeconfig;
		ao.context = o.context;
		ao.theme = o.theme;
		ao.audit_log = o.audit_log;
		ao.read_only = o.read_only;
		ao.no_color = o.no_color;
		ao.ascii = o.ascii;
		ao.demo = o.demo;
		rc = app_run(&ao);
		config_free(&cfg);
		return rc;
	}
	if (strcmp(cmd, "nodes") == 0)
		return need_args(argc, 1, cmd) ? 2 : cli_nodes(&o);
	if (strcmp(cmd, "cordon") == 0 || strcmp(cmd, "uncordon") == 0) {
		if (need_args(argc, 2, cmd))
			return 2;
		return cli_cordon(&o, argv[1], cmd[0] == 'c');
	}
	if (strcmp(cmd, "flux") == 0)
		return need_args(argc, 1, cmd) ? 2 : cli_flux(&o);
	if (strcmp(cmd, "check") == 0)
		return need_args(argc, 1, cmd) ? 2 : cli_check(&o);
	if (strcmp(cmd, "reconcile") == 0 || strcmp(cmd, "suspend") == 0 ||
	    strcmp(cmd, "resume") == 0) {
		if (argc != 3) {
			fprintf(stderr, "jumpdeck: usage: jumpdeck %s KIND NAME "
					"[-n NS]\n",
				cmd);
			return 2;
		}
		return cli_flux_action(&o, cmd, argv[1], argv[2]);
	}
	if (strcmp(cmd, "audit") == 0) {
		if (argc != 2 || strcmp(argv[1], "verify") != 0) {
			fprintf(stderr, "jumpdeck: usage: jumpdeck audit "
					"verify\n");
			return 2;
		}
		return cli_audit_verify(&o);
	}
	if (strcmp(cmd, "status") == 0)
		return need_args(argc, 1, cmd) ? 2 : cli_status(&o);
	if (strcmp(cmd, "images") == 0)
		return need_args(argc, 1, cmd) ? 2 : cli_images(&o);
	if (strcmp(cmd, "import") == 0 || strcmp(cmd, "promote") == 0)
		return cli_images_action(&o, cmd[0] == 'p', argc - 1,
					 argv + 1);
	if (strcmp(cmd, "config") == 0)
		return need_args(argc, 1, cmd) ? 2 : cli_config(&o);
	if (strcmp(cmd, "keys") == 0) {
		actions_print(stdout, o.markdown);
		return 0;
	}
	if (strcmp(cmd, "version") == 0) {
		printf("jumpdeck %s\n", JD_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "jumpdeck: unknown command \"%s\" (see --help)\n",
		cmd);
	return 2;
}
