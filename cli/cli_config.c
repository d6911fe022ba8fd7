/* cli_config.c - `jumpdeck config`: the effective configuration, each
 * value with its origin (default, file:line, environment, flag). */
#include "cli.h"
#include "backend/config.h"

#include <stdio.h>

/* Flags win over the file and the environment. */
int cli_load_config(const struct cli_opts *o, struct config *c)
{
	struct err e;

	err_clear(&e);
	if (config_load(c, o->config, &e) < 0) {
		fprintf(stderr, "jumpdeck: %s\n", e.msg);
		config_free(c);
		return 2;
	}
	config_set_flag(c, CFG_SUBSCRIPTION, o->subscription);
	config_set_flag(c, CFG_RESOURCE_GROUP, o->resource_group);
	config_set_flag(c, CFG_DEPLOYMENT, o->deployment);
	config_set_flag(c, CFG_REGISTRY, o->registry);
	config_set_flag(c, CFG_REGISTRY_URL, o->registry_url);
	return 0;
}

int cli_config(const struct cli_opts *o)
{
	struct config c;
	int rc = cli_load_config(o, &c);

	if (rc)
		return rc;
	config_print(&c, stdout);
	config_free(&c);
	return 0;
}
