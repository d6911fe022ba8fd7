/* cli_config.c - loading the config for every command (flags on top, key
 * bindings applied, every problem reported with its file and line),
 * `jumpdeck config` and `jumpdeck config --check FILE`. */
#include "cli.h"
#include "backend/config.h"
#include "backend/informer.h"
#include "tui/actions.h"
#include "tui/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file's theme must exist and parse. */
static void check_theme(struct config *c)
{
	const struct config_value *v = &c->v[CFG_THEME];
	struct theme t;
	struct err e;

	if (v->source != SRC_FILE || !v->value)
		return;
	err_clear(&e);
	if (theme_load(&t, v->value, &e) < 0)
		config_add_problem(c, v->origin, "theme: %s", e.msg);
}

/* Apply the key.ACTION lines over the action table's keys; a binding
 * that clashes with another is reported at the later line. */
static void bind_keys(struct config *c)
{
	enum action_id ids[CONFIG_MAX_BINDINGS];
	size_t i, j;
	int b;

	actions_reset_bindings();
	for (i = 0; i < c->nbindings; i++) {
		const struct config_binding *cb = &c->bindings[i];
		const struct action_info *ai = action_by_name(cb->action);
		char why[300];

		ids[i] = ACT_NONE;
		if (actions_bind(cb->action, cb->keys, why, sizeof(why)) < 0) {
			config_add_problem(c, cb->origin, "key.%s: %s",
					   cb->action, why);
			continue;
		}
		ids[i] = ai->id;
	}
	for (i = 0; i < c->nbindings; i++) {
		if (ids[i] == ACT_NONE)
			continue;
		for (b = 0; b < ACT_COUNT; b++) {
			int later = 0, key;
			char kn[32];

			for (j = i + 1; j < c->nbindings; j++)
				if (ids[j] == (enum action_id)b)
					later = 1;
			if (later ||
			    !actions_clash(ids[i], (enum action_id)b, &key))
				continue;
			config_add_problem(
			    c, c->bindings[i].origin,
			    "key.%s: %s is also the key of %s (%s)",
			    c->bindings[i].action,
			    action_key_name(key, kn, sizeof(kn)),
			    action_table[b].name,
			    action_scope_title(action_table[b].scope));
		}
	}
}

static void print_problems(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nproblems && i < CONFIG_MAX_PROBLEMS; i++)
		cli_error("%s", c->problems[i]);
	if (c->nproblems > CONFIG_MAX_PROBLEMS)
		cli_error("... and %zu more problems",
			  c->nproblems - CONFIG_MAX_PROBLEMS);
}

static int flag(struct config *c, enum config_key k, const char *name,
		const char *v)
{
	struct err e;

	err_clear(&e);
	if (config_set_flag(c, k, v, &e) == 0)
		return 0;
	cli_error("%s: %s", name, e.msg);
	return -1;
}

int cli_load_config(const struct cli_opts *o, struct config *c)
{
	int bad = 0;

	config_load(c, o->config, NULL);
	check_theme(c);
	bind_keys(c);
	if (c->nproblems) {
		print_problems(c);
		actions_reset_bindings();
		config_free(c);
		return 2;
	}
	bad |= flag(c, CFG_SUBSCRIPTION, "--subscription", o->subscription);
	bad |=
	    flag(c, CFG_RESOURCE_GROUP, "--resource-group", o->resource_group);
	bad |= flag(c, CFG_DEPLOYMENT, "--deployment", o->deployment);
	bad |= flag(c, CFG_REGISTRY, "--registry", o->registry);
	bad |= flag(c, CFG_REGISTRY_URL, "--registry-url", o->registry_url);
	bad |= flag(c, CFG_REPO, "--repo", o->repo);
	bad |= flag(c, CFG_GITHUB_ACCOUNT, "--github-account",
		    o->github_account);
	bad |= flag(c, CFG_KUBECONFIG, "--kubeconfig", o->kubeconfig);
	bad |= flag(c, CFG_CONTEXT, "--context", o->context);
	bad |= flag(c, CFG_THEME, "--theme", o->theme);
	bad |= flag(c, CFG_AUDIT_LOG, "--audit-log", o->audit_log);
	bad |= flag(c, CFG_READ_ONLY, "--read-only",
		    o->read_only ? "true" : NULL);
	bad |= flag(c, CFG_ASCII, "--ascii", o->ascii ? "true" : NULL);
	bad |=
	    flag(c, CFG_NO_COLOR, "--no-color", o->no_color ? "true" : NULL);
	if (bad) {
		actions_reset_bindings();
		config_free(c);
		return 2;
	}
	return 0;
}

void cli_apply_config(struct cli_opts *o, const struct config *c)
{
	const char *kenv = getenv("KUBECONFIG");

	/* Like kubectl: --kubeconfig, then KUBECONFIG, then the file's
	 * kubeconfig, then ~/.kube/config. */
	if (!o->kubeconfig && !(kenv && *kenv))
		o->kubeconfig = config_get(c, CFG_KUBECONFIG);
	o->context = config_get(c, CFG_CONTEXT);
	o->theme = config_get(c, CFG_THEME);
	o->audit_log = config_get(c, CFG_AUDIT_LOG);
	o->read_only = config_get_bool(c, CFG_READ_ONLY);
	o->ascii = config_get_bool(c, CFG_ASCII);
	o->no_color = config_get_bool(c, CFG_NO_COLOR);
	informer_set_backoff_cap((long)config_get_ms(c, CFG_RETRY_MAX));
}

/* `jumpdeck config --check FILE`: the file alone, every problem. */
static int check_file(const char *path)
{
	struct config c;
	int n = 0, k;

	config_load_file_only(&c, path, NULL);
	check_theme(&c);
	bind_keys(&c);
	actions_reset_bindings();
	if (c.nproblems) {
		print_problems(&c);
		cli_error("%s: %zu problem%s", path, c.nproblems,
			  c.nproblems == 1 ? "" : "s");
		config_free(&c);
		return 2;
	}
	for (k = 0; k < CFG_COUNT; k++)
		if (c.v[k].source == SRC_FILE)
			n++;
	cli_say(stdout,
		"%s: ok (%d setting%s, %zu image%s, %zu key binding%s)", path,
		n, n == 1 ? "" : "s",
		c.images_source == SRC_FILE ? c.nimages : 0,
		c.images_source == SRC_FILE && c.nimages == 1 ? "" : "s",
		c.nbindings, c.nbindings == 1 ? "" : "s");
	config_free(&c);
	return 0;
}

int cli_config(const struct cli_opts *o)
{
	struct config c;
	int rc;

	if (o->check)
		return check_file(o->check);
	if (o->cfg) {
		config_print(o->cfg, stdout);
		return 0;
	}
	rc = cli_load_config(o, &c);
	if (rc)
		return rc;
	config_print(&c, stdout);
	config_free(&c);
	return 0;
}
