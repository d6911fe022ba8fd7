/* kubeconfig.h - reads kubeconfig files like kubectl and resolves a context
 * into a connection target. Not an HTTP client; exec plugins run elsewhere.
 */

/* Files: --kubeconfig, else the KUBECONFIG list merged, else
 * ~/.kube/config. Two steps, with kubectl's split of errors:
 *  - kubeconfig_load() rejects what kubectl's decoder rejects: unreadable
 *    files, bad YAML, wrong value types, bad base64 in "-data" fields,
 *    entries without a name or with a name used twice in one file.
 *  - kubeconfig_resolve() rejects what kubectl's validation of the chosen
 *    context rejects: unknown context, cluster or user, no server,
 *    unreadable CA / certificate / key / token files, half a client
 *    certificate, two conflicting methods, an incomplete exec block.
 *    A broken user that no context in use names never stops anything.
 *
 * Every message is a sentence naming FILE:LINE and the key path, e.g.
 * "/home/x/.kube/config:14: users[1] ("u").user.client-key-data: invalid
 * base64 at byte 37".
 */
#ifndef JD_KUBECONFIG_H
#define JD_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Where an entry was defined. file points into kubeconfig.files and lives
 * as long as the kubeconfig; line counts from 1; index is the position in
 * that file's list (clusters[index]). */
struct kubeconfig_origin {
	const char *file;
	int line;
	int index;
};

/* Strings are NULL when the key is absent, null or empty. Paths are
 * already resolved against the directory of the file that named them
 * (as kubectl does); *_line is the line of that key, 0 if absent. */
struct kubeconfig_cluster {
	char *name;
	struct kubeconfig_origin from;
	char *server;
	char *ca_file; /* certificate-authority */
	int ca_file_line;
	unsigned char *ca_data; /* certificate-authority-data, decoded */
	size_t ca_data_len;	/* ca_data has one extra NUL not counted */
	bool insecure;		/* insecure-skip-tls-verify */
	char *tls_server_name;
	char *proxy_url;
	/* extensions: [{name: jumpdeck, extension:
	 * {allow-credentials-over-http: true}}]: send credentials to an
	 * http:// server (refused otherwise; nothing is encrypted there) */
	bool allow_plain_http;
};

enum kube_interactive {
	KUBE_INTERACTIVE_UNSET = 0, /* not given in the file */
	KUBE_INTERACTIVE_NEVER,
	KUBE_INTERACTIVE_IF_AVAILABLE,
	KUBE_INTERACTIVE_ALWAYS,
	KUBE_INTERACTIVE_INVALID, /* given, but not one of the three */
};

struct kubeconfig_env {
	char *name; /* NULL if missing (an error at resolve time) */
	char *value;
	int line;
};

/* user.exec: a client.authentication.k8s.io credential plugin. */
struct kubeconfig_exec {
	char *api_version;
	char *command; /* resolved against the file's directory if it has a
			* "/" in it, like kubectl; else looked up in PATH */
	char **args;   /* nargs strings followed by a NULL */
	size_t nargs;
	struct kubeconfig_env *env;
	size_t nenv;
	enum kube_interactive interactive_mode;
	int interactive_mode_line;
	bool provide_cluster_info;
	char *install_hint;
	int line; /* of the exec: key */
};

struct kubeconfig_user {
	char *name;
	struct kubeconfig_origin from;
	char *token;
	char *token_file; /* tokenFile */
	int token_file_line;
	char *client_cert_file; /* client-certificate */
	int client_cert_file_line;
	unsigned char *client_cert_data; /* client-certificate-data, decoded */
	size_t client_cert_data_len;
	char *client_key_file; /* client-key */
	int client_key_file_line;
	unsigned char *client_key_data; /* client-key-data, decoded */
	size_t client_key_data_len;
	char *username;
	char *password;
	struct kubeconfig_exec *exec; /* NULL if no exec block */
	char *auth_provider;	      /* auth-provider.name: unsupported */
	int auth_provider_line;
};

struct kubeconfig_context {
	char *name;
	struct kubeconfig_origin from;
	char *cluster;
	int cluster_line;
	char *user;
	int user_line;
	char *namespace;
};

/* The merged view of all files read. Entries keep the order of their
 * files, then their order within a file; a name appears once (the first
 * file that defines it wins, like kubectl). Read the arrays directly, e.g.
 * to list contexts for completion. Everything is owned by the struct and
 * lives until kubeconfig_free(). */
struct kubeconfig {
	char **files; /* absolute paths of the files read, in merge order */
	size_t nfiles;
	struct kubeconfig_cluster *clusters;
	size_t nclusters;
	struct kubeconfig_user *users;
	size_t nusers;
	struct kubeconfig_context *contexts;
	size_t ncontexts;
	char *current_context; /* NULL if no file sets one */
	struct kubeconfig_origin current_context_from;
};

/* Loads and merges. explicit_path (--kubeconfig; NULL or "" if not given)
 * wins and must exist. Otherwise KUBECONFIG, a ":"-separated list: empty
 * entries and files that do not exist are skipped, as are empty files;
 * a file listed twice is read once. Otherwise $HOME/.kube/config. If no
 * file could be read, the error names every path tried. A file that
 * exists but cannot be read or parsed is always an error. On success *out
 * is a new kubeconfig, freed with kubeconfig_free(); on failure NULL. */
int kubeconfig_load(struct kubeconfig **out, const char *explicit_path,
		    struct err *e);

void kubeconfig_free(struct kubeconfig **kc);

/* Lookups by name; NULL if absent. Pointers live as long as kc. */
const struct kubeconfig_context *
kubeconfig_find_context(const struct kubeconfig *kc, const char *name);
const struct kubeconfig_cluster *
kubeconfig_find_cluster(const struct kubeconfig *kc, const char *name);
const struct kubeconfig_user *kubeconfig_find_user(const struct kubeconfig *kc,
						   const char *name);

enum kube_auth_kind {
	KUBE_AUTH_NONE = 0,
	KUBE_AUTH_TOKEN,       /* target.token */
	KUBE_AUTH_TOKEN_FILE,  /* target.token_file: re-read at each use */
	KUBE_AUTH_CLIENT_CERT, /* target.client_cert / client_key */
	KUBE_AUTH_BASIC,       /* target.username / password */
	KUBE_AUTH_EXEC,	       /* target.exec */
};

/* Everything needed to talk to one API server, with its own copies (no
 * pointer into the kubeconfig). Clear with kube_target_clear(), which
 * also wipes secrets. The method is chosen like client-go: tokenFile over
 * token; a token or basic credentials over exec; a client certificate is
 * carried (client_cert/client_key set) whenever configured, and is the
 * method (KUBE_AUTH_CLIENT_CERT) when there is no token or basic auth. */
struct kube_target {
	char *context;
	char *cluster;	 /* cluster name */
	char *user;	 /* user name, NULL if the context names none */
	char *namespace; /* "default" if the context sets none */
	char *server;
	unsigned char *ca; /* PEM bytes (+ a NUL not counted); NULL: use */
	size_t ca_len;	   /* the system trust store */
	bool insecure;
	bool allow_plain_http; /* the cluster's jumpdeck extension */
	char *tls_server_name;
	char *proxy_url;
	enum kube_auth_kind auth;
	char *token;
	char *token_file;
	unsigned char *client_cert; /* PEM, + a NUL not counted */
	size_t client_cert_len;
	unsigned char *client_key; /* PEM, + a NUL not counted */
	size_t client_key_len;
	char *username;
	char *password;
	struct kubeconfig_exec exec; /* valid when auth == KUBE_AUTH_EXEC;
				      * interactive_mode is never UNSET */
};

/* Resolves context_override (--context; NULL or "" for current-context)
 * into *out. On failure *out is left cleared. */
int kubeconfig_resolve(const struct kubeconfig *kc,
		       const char *context_override, struct kube_target *out,
		       struct err *e);

void kube_target_clear(struct kube_target *t);

/* "Never", "IfAvailable", "Always", or "" for UNSET/INVALID. */
const char *kube_interactive_name(enum kube_interactive m);

#endif
