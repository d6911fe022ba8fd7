/* config.h - the effective configuration: defaults, then the config file
 * (~/.config/jumpdeck/config or --config), then the environment, then the
 * command line; each value remembers where it came from for `jumpdeck
 * config`. Every Azure and registry endpoint can be overridden here, for
 * sovereign clouds and for the simulators. */
#ifndef JD_CONFIG_H
#define JD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define CONFIG_MAX_IMAGES 64

/* Keys, each with a config-file name and an environment variable. */
#define JD_CONFIG_KEYS(X)                                                    \
	X(SUBSCRIPTION, "subscription", "AZURE_SUBSCRIPTION_ID", NULL)        \
	X(TENANT, "tenant", "AZURE_TENANT_ID", NULL)                          \
	X(RESOURCE_GROUP, "resource_group", "JUMPDECK_RESOURCE_GROUP",        \
	  "rg-bu0001a0005")                                                   \
	X(DEPLOYMENT, "deployment", "JUMPDECK_DEPLOYMENT", NULL)              \
	X(REGISTRY, "registry", "JUMPDECK_REGISTRY", NULL)                    \
	X(QUARANTINE_REGISTRY, "quarantine_registry",                         \
	  "JUMPDECK_QUARANTINE_REGISTRY", NULL)                               \
	X(REGISTRY_URL, "registry_url", "JUMPDECK_REGISTRY_URL", NULL)        \
	X(ACR_AUTH_URL, "acr_auth_url", "JUMPDECK_ACR_AUTH_URL", NULL)        \
	X(UPSTREAM_REGISTRY_URL, "upstream_registry_url",                     \
	  "JUMPDECK_UPSTREAM_REGISTRY_URL", NULL)                             \
	X(QUARANTINE_PREFIX, "quarantine_prefix",                             \
	  "JUMPDECK_QUARANTINE_PREFIX", "quarantine/")                        \
	X(LIVE_PREFIX, "live_prefix", "JUMPDECK_LIVE_PREFIX", "live/")        \
	X(AUTHORITY_HOST, "authority_host", "AZURE_AUTHORITY_HOST",           \
	  "https://login.microsoftonline.com/")                               \
	X(ARM_ENDPOINT, "arm_endpoint", "JUMPDECK_ARM_ENDPOINT",              \
	  "https://management.azure.com/")                                    \
	X(RESOURCE_GRAPH_ENDPOINT, "resource_graph_endpoint",                 \
	  "JUMPDECK_RESOURCE_GRAPH_ENDPOINT", "https://management.azure.com/")\
	X(IMDS_ENDPOINT, "imds_endpoint", "JUMPDECK_IMDS_ENDPOINT",           \
	  "http://169.254.169.254")                                           \
	X(CA_BUNDLE, "ca_bundle", "JUMPDECK_CA_BUNDLE", NULL)                 \
	X(IMPORT_CONCURRENCY, "import_concurrency",                           \
	  "JUMPDECK_IMPORT_CONCURRENCY", "4")                                 \
	X(IMPORT_TIMEOUT, "import_timeout", "JUMPDECK_IMPORT_TIMEOUT", "30m") \
	X(COPY_MODE, "copy_mode", "JUMPDECK_COPY_MODE", "arm")

enum config_key {
#define JD_CONFIG_ENUM(id, file, env, def) CFG_##id,
	JD_CONFIG_KEYS(JD_CONFIG_ENUM)
#undef JD_CONFIG_ENUM
	CFG_COUNT
};

enum config_source { SRC_DEFAULT, SRC_FILE, SRC_ENV, SRC_FLAG, SRC_NONE };

struct config_value {
	char *value;                 /* NULL: unset */
	enum config_source source;
	char origin[640];            /* "~/.config/jumpdeck/config:4" */
};

struct config {
	struct config_value v[CFG_COUNT];
	char *images[CONFIG_MAX_IMAGES]; /* upstream refs */
	size_t nimages;
	enum config_source images_source;
	char file[512];  /* the file read, or "" */
};

/* Defaults, then the file (path, or the XDG default when NULL; a missing
 * default file is fine, a missing named one an error), then the
 * environment. Errors name the file and line. */
int config_load(struct config *c, const char *path, struct err *e);
/* A command-line value wins over everything. */
void config_set_flag(struct config *c, enum config_key k, const char *v);
const char *config_get(const struct config *c, enum config_key k);
const char *config_key_name(enum config_key k);
const char *config_key_env(enum config_key k);
void config_free(struct config *c);
/* `jumpdeck config`: every key, its value and where it came from. */
void config_print(const struct config *c, FILE *f);

/* The walkthrough's six images (used when the file lists none). */
extern const char *const config_default_images[];

#endif
