/* config.h - the effective configuration: defaults, then the config file
 * (~/.config/jumpdeck/config or --config), then the environment, then the
 * command line; each value remembers where it came from for `jumpdeck
 * config`. One table of keys (name, type, range, environment variable,
 * default, help) drives parsing, validation, `jumpdeck config` and the
 * sample config's test. Not the key bindings' meaning (tui/actions.h): the
 * `key.ACTION` lines are kept here as text with their origin. */
#ifndef JD_CONFIG_H
#define JD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define CONFIG_MAX_IMAGES 64
#define CONFIG_MAX_BINDINGS 128
#define CONFIG_MAX_PROBLEMS 32
#define CONFIG_MAX_ALLOW 256

/* Value types. The range column of a row narrows them:
 *  CFG_TEXT      any single-line text
 *  CFG_URL       http:// or https:// with a host
 *  CFG_PATH      a file name; in a file absolute or ~/..., ~/ expanded
 *  CFG_INT       a whole number; range "MIN..MAX"
 *  CFG_DURATION  Go-style (90s, 5m, 1h30m); range "MIN..MAX"
 *  CFG_BOOL      true/false, yes/no, on/off, 1/0; stored "true"/"false"
 *  CFG_CHOICE    one of the range's words, "arm|registry"
 *  CFG_PREFIX    a repository prefix ending in '/', "quarantine/" */
enum config_type {
	CFG_TEXT,
	CFG_URL,
	CFG_PATH,
	CFG_INT,
	CFG_DURATION,
	CFG_BOOL,
	CFG_CHOICE,
	CFG_PREFIX,
};

/* X(ID, "file name", TYPE, "range", "ENVIRONMENT", "default", "help")
 * To add a setting: add a row (any column but the first three may be
 * NULL), document it in doc/config.sample (a test compares the two), read
 * it with config_get / config_get_int / config_get_bool / config_get_ms. */
#define JD_CONFIG_KEYS(X)                                                    \
	X(SUBSCRIPTION, "subscription", CFG_TEXT, NULL,                       \
	  "AZURE_SUBSCRIPTION_ID", NULL, "Azure subscription id")             \
	X(TENANT, "tenant", CFG_TEXT, NULL, "AZURE_TENANT_ID", NULL,          \
	  "Entra ID tenant for sign-in")                                      \
	X(RESOURCE_GROUP, "resource_group", CFG_TEXT, NULL,                   \
	  "JUMPDECK_RESOURCE_GROUP", "rg-bu0001a0005",                        \
	  "resource group of the deployments and the registry")              \
	X(DEPLOYMENT, "deployment", CFG_TEXT, NULL, "JUMPDECK_DEPLOYMENT",    \
	  NULL, "deployment whose outputs name the registries (unset: "       \
	  "cluster-stamp, then pre-cluster-stamp)")                           \
	X(REGISTRY, "registry", CFG_TEXT, NULL, "JUMPDECK_REGISTRY", NULL,    \
	  "registry name, instead of the deployment's outputs")              \
	X(QUARANTINE_REGISTRY, "quarantine_registry", CFG_TEXT, NULL,         \
	  "JUMPDECK_QUARANTINE_REGISTRY", NULL,                               \
	  "registry holding quarantine/ when it is another one")             \
	X(REGISTRY_URL, "registry_url", CFG_URL, NULL,                        \
	  "JUMPDECK_REGISTRY_URL", NULL,                                      \
	  "registry address (unset: https://NAME.azurecr.io)")               \
	X(ACR_AUTH_URL, "acr_auth_url", CFG_URL, NULL,                        \
	  "JUMPDECK_ACR_AUTH_URL", NULL,                                      \
	  "where ACR's /oauth2 endpoints are (unset: the registry)")         \
	X(UPSTREAM_REGISTRY_URL, "upstream_registry_url", CFG_URL, NULL,      \
	  "JUMPDECK_UPSTREAM_REGISTRY_URL", NULL,                             \
	  "one address for every upstream registry (tests, mirrors)")        \
	X(QUARANTINE_PREFIX, "quarantine_prefix", CFG_PREFIX, NULL,           \
	  "JUMPDECK_QUARANTINE_PREFIX", "quarantine/",                        \
	  "repository prefix of the quarantine copies")                      \
	X(LIVE_PREFIX, "live_prefix", CFG_PREFIX, NULL,                       \
	  "JUMPDECK_LIVE_PREFIX", "live/",                                    \
	  "repository prefix of the promoted copies")                        \
	X(AUTHORITY_HOST, "authority_host", CFG_URL, NULL,                    \
	  "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/",       \
	  "Entra ID authority")                                               \
	X(ARM_ENDPOINT, "arm_endpoint", CFG_URL, NULL,                        \
	  "JUMPDECK_ARM_ENDPOINT", "https://management.azure.com/",           \
	  "Azure Resource Manager")                                           \
	X(RESOURCE_GRAPH_ENDPOINT, "resource_graph_endpoint", CFG_URL, NULL,  \
	  "JUMPDECK_RESOURCE_GRAPH_ENDPOINT", "https://management.azure.com/",\
	  "Azure Resource Graph")                                             \
	X(IMDS_ENDPOINT, "imds_endpoint", CFG_URL, NULL,                      \
	  "JUMPDECK_IMDS_ENDPOINT", "http://169.254.169.254",                 \
	  "instance metadata service (managed identity)")                    \
	X(CA_BUNDLE, "ca_bundle", CFG_PATH, NULL, "JUMPDECK_CA_BUNDLE", NULL, \
	  "extra CA certificates for the Azure and registry endpoints")      \
	X(IMPORT_CONCURRENCY, "import_concurrency", CFG_INT, "1..32",         \
	  "JUMPDECK_IMPORT_CONCURRENCY", "4", "imports running at once")     \
	X(IMPORT_TIMEOUT, "import_timeout", CFG_DURATION, "10s..24h",         \
	  "JUMPDECK_IMPORT_TIMEOUT", "30m",                                   \
	  "how long one import may take")                                     \
	X(COPY_MODE, "copy_mode", CFG_CHOICE, "arm|registry",                 \
	  "JUMPDECK_COPY_MODE", "arm",                                        \
	  "promote with ARM importImage or by a registry copy")              \
	X(REPO, "repo", CFG_PATH, NULL, "JUMPDECK_REPO", NULL,                \
	  "the local clone of your fork (unset: the current folder)")        \
	X(GITHUB_ACCOUNT, "github_account", CFG_TEXT, NULL,                   \
	  "JUMPDECK_GITHUB_ACCOUNT", NULL,                                    \
	  "your fork's GitHub account, for rewrite-manifests")               \
	X(KUBECONFIG, "kubeconfig", CFG_PATH, NULL, NULL, NULL,               \
	  "kubeconfig when neither --kubeconfig nor KUBECONFIG is given")    \
	X(CONTEXT, "context", CFG_TEXT, NULL, NULL, NULL,                     \
	  "kubeconfig context (unset: the current one)")                     \
	X(READ_ONLY, "read_only", CFG_BOOL, NULL, NULL, "false",              \
	  "refuse every change; --read-only cannot be undone by a flag")     \
	X(AUDIT_LOG, "audit_log", CFG_PATH, NULL, "JUMPDECK_AUDIT_LOG", NULL, \
	  "audit log (unset: ~/.local/state/jumpdeck/audit.log)")            \
	X(THEME, "theme", CFG_TEXT, NULL, NULL, "default",                    \
	  "theme name or theme file")                                         \
	X(ASCII, "ascii", CFG_BOOL, NULL, NULL, "false",                      \
	  "ASCII instead of UTF-8 line drawing")                              \
	X(NO_COLOR, "no_color", CFG_BOOL, NULL, NULL, "false",                \
	  "attributes only, no colours")                                      \
	X(FRAME_RATE, "frame_rate", CFG_INT, "1..30", NULL, "10",             \
	  "most screen updates a second (fewer on a slow link)")             \
	X(DRIFT_INTERVAL, "drift_interval", CFG_DURATION, "10s..24h", NULL,   \
	  "30s", "how often the Flux pane asks the Git remote for its head") \
	X(RETRY_MAX, "retry_max", CFG_DURATION, "1s..10m", NULL, "30s",       \
	  "longest wait between reconnection attempts")                      \
	X(SCAN_REPORTS, "scan_reports", CFG_PATH, NULL,                       \
	  "JUMPDECK_SCAN_REPORTS", NULL,                                      \
	  "directory of Trivy and Grype JSON reports read beside Defender")  \
	X(SCAN_REFRESH, "scan_refresh", CFG_DURATION, "1m..24h", NULL,        \
	  "10m", "how often the TUI asks the scanners again")                 \
	X(SCAN_PENDING_WINDOW, "scan_pending_window", CFG_DURATION,           \
	  "1m..7d", NULL, "4h",                                               \
	  "how long after the import a missing result is pending, not "       \
	  "unknown")                                                          \
	X(SCAN_GATE_MAX_SEVERITY, "scan_gate_max_severity", CFG_CHOICE,       \
	  "none|negligible|low|medium|high|critical", NULL, "high",           \
	  "the highest severity the gate lets through")                       \
	X(SCAN_GATE_MAX_FIXABLE_SEVERITY, "scan_gate_max_fixable_severity",   \
	  CFG_CHOICE, "none|negligible|low|medium|high|critical", NULL,       \
	  "medium", "the highest severity let through when a fix exists")    \
	X(SCAN_GATE_BLOCK_UNVERIFIED, "scan_gate_block_unverified",           \
	  CFG_BOOL, NULL, NULL, "true",                                       \
	  "an image the scanner cannot scan may not be promoted")            \
	X(SCAN_GATE_BLOCK_PENDING, "scan_gate_block_pending", CFG_BOOL,       \
	  NULL, NULL, "true", "an image still waiting for its scan may not "  \
	  "be promoted")                                                      \
	X(SCAN_GATE_BLOCK_UNKNOWN, "scan_gate_block_unknown", CFG_BOOL, NULL, \
	  NULL, "true", "an image no scanner answered for may not be "        \
	  "promoted")

enum config_key {
#define JD_CONFIG_ENUM(id, name, type, range, env, def, help) CFG_##id,
	JD_CONFIG_KEYS(JD_CONFIG_ENUM)
#undef JD_CONFIG_ENUM
	CFG_COUNT
};

/* One row of the table; every string is a literal or NULL. */
struct config_key_info {
	const char *name;
	enum config_type type;
	const char *range;
	const char *env;
	const char *def;
	const char *help;
};

enum config_source { SRC_DEFAULT, SRC_FILE, SRC_ENV, SRC_FLAG, SRC_NONE };

struct config_value {
	char *value;                 /* NULL: unset */
	enum config_source source;
	char origin[640];            /* "/home/op/.config/jumpdeck/config:4" */
	int line;                    /* its line in the file, 0 otherwise */
};

/* A `key.ACTION = KEYS` line, as written. */
struct config_binding {
	char *action;
	char *keys;
	char origin[640];
	int line;
};

/* A `scan_gate_allow = ID YYYY-MM-DD REASON` line, as written. */
struct config_allow {
	char *line;
	char origin[640];
};

struct config {
	struct config_value v[CFG_COUNT];
	char *images[CONFIG_MAX_IMAGES]; /* upstream refs */
	size_t nimages;
	enum config_source images_source;
	struct config_binding bindings[CONFIG_MAX_BINDINGS];
	size_t nbindings;
	/* The scan gate's allow-list, in file order. */
	struct config_allow allow[CONFIG_MAX_ALLOW];
	size_t nallow;
	char file[512];  /* the file read, or "" */
	/* Every problem found, each "FILE:LINE: what" or "VARIABLE: what". */
	char *problems[CONFIG_MAX_PROBLEMS];
	size_t nproblems;
};

/* Defaults, then the file (path, or the XDG default when NULL; a missing
 * default file is fine, a missing named one an error), then the
 * environment. Reads every line and records every problem in
 * c->problems; returns 0, or -ERR_USAGE with e holding the first problem
 * (and how many more). c must be freed with config_free either way. */
int config_load(struct config *c, const char *path, struct err *e);
/* Only the file, as `jumpdeck config --check` reads it: defaults, then
 * path (which must exist); no environment. Same returns. */
int config_load_file_only(struct config *c, const char *path,
			  struct err *e);
/* A command-line value wins over everything. Checked like a file value
 * (relative paths allowed); returns 0 or -ERR_USAGE with e filled. */
int config_set_flag(struct config *c, enum config_key k, const char *v,
		    struct err *e);
/* Record a problem found by a caller (a key binding, a theme) at origin
 * ("FILE:LINE"). */
void config_add_problem(struct config *c, const char *origin,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const char *config_get(const struct config *c, enum config_key k);
/* Typed reads of a value that passed its checks (0 when unset). */
long long config_get_int(const struct config *c, enum config_key k);
int config_get_bool(const struct config *c, enum config_key k);
long long config_get_ms(const struct config *c, enum config_key k);

const struct config_key_info *config_key_info(enum config_key k);
const char *config_key_name(enum config_key k);
const char *config_key_env(enum config_key k);
/* The key with that file name, or -1. */
int config_key_find(const char *name);
const char *config_type_name(enum config_type t);

void config_free(struct config *c);
/* `jumpdeck config`: every key, its value and where it came from, the
 * images and the key bindings; file contents are made terminal-safe. */
void config_print(const struct config *c, FILE *f);

/* The walkthrough's six images (used when the file lists none). */
extern const char *const config_default_images[];

#endif
