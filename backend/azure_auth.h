/* azure_auth.h - Entra ID access tokens on the event loop from a chain of
 * sources (environment, managed identity, Azure CLI, device code). Not an
 * Azure API client: callers attach the token to their own requests. */
#ifndef JD_AZURE_AUTH_H
#define JD_AZURE_AUTH_H

#include <time.h>

#include "err.h"
#include "loop.h"

/* Resources (token audiences) callers ask for. */
#define AZURE_RESOURCE_ARM "https://management.azure.com/"

/* Credential sources, tried in this order; first that works wins. */
enum azure_source {
	AZURE_SRC_ENV = 1u << 0,    /* AZURE_CLIENT_ID/SECRET, TENANT_ID */
	AZURE_SRC_IMDS = 1u << 1,   /* managed identity */
	AZURE_SRC_CLI = 1u << 2,    /* az account get-access-token */
	AZURE_SRC_DEVICE = 1u << 3, /* built-in device-code sign-in */
};
#define AZURE_SRC_ALL                                                         \
	(AZURE_SRC_ENV | AZURE_SRC_IMDS | AZURE_SRC_CLI | AZURE_SRC_DEVICE)

/* Where to ask, and what with. Every pointer is borrowed for the
 * azure_auth_new() call only (it copies them); NULL or 0 picks the
 * default named in the comment. */
struct azure_endpoints {
	/* Entra ID: https://login.microsoftonline.com (sovereign clouds:
	 * login.microsoftonline.us, login.chinacloudapi.cn ...). */
	const char *authority_host;
	/* Managed identity endpoint: http://169.254.169.254 */
	const char *imds;
	/* Tenant id: needed by the environment source; device code uses
	 * "organizations" without it. */
	const char *tenant;
	/* PEM file trusted for HTTPS instead of the system's (tests). */
	const char *ca_bundle;
	/* With client_secret: a service principal. Without: the
	 * user-assigned managed identity to ask IMDS for. */
	const char *client_id;
	/* Kept in memory only, wiped on free. */
	const char *client_secret;
	/* Public client for device code: the Azure CLI's
	 * 04b07795-8ddb-461a-bbee-02f9e1bf7b46 */
	const char *device_client_id;
	/* The Azure CLI: "az", searched in PATH. */
	const char *az_command;
	/* How long az may take: 30000. */
	long cli_timeout_ms;
	/* Refetch this long before expiry: 300, at most half a token's
	 * lifetime. */
	long refresh_margin_s;
	/* IMDS 404/429/5xx retries: 5 (-1: none). 410 (updating) is
	 * retried for up to 70 s. */
	int imds_max_retries;
	/* First IMDS retry delay, doubling with jitter: 1000. */
	long imds_backoff_ms;
	/* Each token request: 30000. */
	long http_timeout_ms;
};

/* The endpoints from the environment: AZURE_AUTHORITY_HOST,
 * AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
 * JUMPDECK_IMDS_ENDPOINT, JUMPDECK_CA_BUNDLE, JUMPDECK_AZ_COMMAND.
 * Unset or empty variables stay NULL (defaults). The strings point into
 * the environment: use the struct before the environment changes (pass
 * it to azure_auth_new() right away). */
struct azure_endpoints azure_endpoints_from_env(void);

/* What a token callback gets. Valid only during the callback: copy the
 * token if it must live longer (better: ask again each time; the cache
 * answers without a fetch). */
struct azure_token {
	int status;	   /* 0, or a negative err code */
	const char *token; /* NULL on failure */
	time_t expires_at; /* seconds since the epoch */
	const char *resource;
	struct err err; /* the sentence when status < 0 */
};
typedef void (*azure_token_fn)(const struct azure_token *t, void *ud);

/* The device-code prompt for a dialog with a countdown. Strings are
 * valid during the callback only, and already terminal-safe. */
struct azure_device_prompt {
	const char *user_code;	      /* "ABCD12345" */
	const char *verification_uri; /* https://microsoft.com/devicelogin */
	const char *message;	      /* Entra's full sentence */
	time_t expires_at;
	const char *resource;
};
typedef void (*azure_device_show_fn)(const struct azure_device_prompt *p,
				     void *ud);
/* The flow ended: status 0 signed in, else e says why (ERR_CANCELLED
 * after azure_auth_cancel_device_code()). Close the dialog here. */
typedef void (*azure_device_done_fn)(int status, const struct err *e,
				     void *ud);

struct azure_auth;
struct azure_token_call;

/* A credential chain on loop l over the sources in the bitmask (ep may
 * be NULL: all defaults). Owns copies of ep's strings; reads the CA
 * bundle file now (a failure to read it is reported by the first HTTPS
 * fetch). No network I/O until azure_auth_get().
 *
 * How the chain decides: a source that is not set up here (no secret
 * in the environment, no managed identity or IMDS unreachable, az not
 * installed or not signed in, device code without a dialog) is passed
 * over and its reason kept; if none works the error lists every reason:
 * "no Azure credentials: environment: AZURE_CLIENT_SECRET not set;
 * managed identity: no identity (HTTP 400: ...); Azure CLI: not signed
 * in (run az login); device code: not allowed here". A source that is set
 * up but fails (a refused secret, az timing out or printing garbage, a
 * declined sign-in) stops the chain with its own sentence. Once a
 * source has worked it is remembered and used alone; if it later turns
 * out not to be set up any more, the next call starts over. Tokens,
 * the client secret and the device-code refresh token live in memory
 * only and never appear in an error sentence. */
struct azure_auth *azure_auth_new(struct loop *l,
				  const struct azure_endpoints *ep,
				  unsigned sources);
/* Cancels everything in flight (no callbacks run, the device-code done
 * callback included), wipes tokens and the secret from memory, frees
 * and sets *a to NULL. May be called from any of the chain's callbacks
 * (the memory goes when that callback returns). */
void azure_auth_free(struct azure_auth **a);

/* Interaction: the device-code source is tried only once a show
 * callback is set (show NULL takes the permission back). ud is passed
 * to both callbacks. */
void azure_auth_set_device_code_ui(struct azure_auth *a,
				   azure_device_show_fn show,
				   azure_device_done_fn done, void *ud);
/* Stops a running device-code sign-in: its waiting callers get
 * ERR_CANCELLED ("sign-in cancelled") and the done callback runs. */
void azure_auth_cancel_device_code(struct azure_auth *a);

/* A token for resource (e.g. AZURE_RESOURCE_ARM). done runs exactly once,
 * always from the loop (never inside this call), unless the call is
 * cancelled. A cached token that is not within the refresh margin is
 * answered without I/O; concurrent calls for one resource share one
 * fetch. Until a source has worked, sources are tried in order for one
 * resource at a time (calls for other resources wait, so that there is
 * never more than one sign-in dialog). When a refresh fails while the
 * old token is still valid for 30 s or more, the old token is answered
 * and no refetch is tried for 30 s. The returned handle is owned by the
 * chain and valid until done runs or azure_auth_cancel() is called;
 * never NULL. */
struct azure_token_call *azure_auth_get(struct azure_auth *a,
					const char *resource,
					azure_token_fn done, void *ud);
/* done will not run; the shared fetch goes on for the other callers (a
 * device-code sign-in nobody waits for any more is stopped). Not to be
 * called from the call's own done callback. */
void azure_auth_cancel(struct azure_token_call *c);

/* A fresh cached token (outside the refresh margin) or NULL; borrowed,
 * valid until control returns to the loop. Never starts a fetch. */
const char *azure_auth_cached(struct azure_auth *a, const char *resource);

/* Forget every token and the chosen source (sign out of this chain). */
void azure_auth_forget(struct azure_auth *a);

/* The source that worked: "environment (client secret)", "managed
 * identity", "Azure CLI", "device code"; NULL before one has. */
const char *azure_auth_source(const struct azure_auth *a);
/* Who is signed in, from the last token's claims: the upn,
 * unique_name or preferred_username, else "app <appid>"; NULL before a
 * token or when the claims say nothing. Borrowed, valid until the next
 * token arrives. */
const char *azure_auth_identity(const struct azure_auth *a);
/* The tenant (tid claim) of the last token, or NULL. */
const char *azure_auth_tenant(const struct azure_auth *a);

/* While a token is being fetched, the service asked, for a sentence when
 * the caller stops waiting: "Entra ID", "the managed identity endpoint
 * (IMDS)", "az (the Azure CLI)"; NULL when nothing is being fetched. */
const char *azure_auth_waiting_for(const struct azure_auth *a);

/* Name of one source bit as azure_auth_source() shows it. */
const char *azure_source_name(unsigned source);

/* The v2 scope for a resource, as the Azure CLI forms it:
 * "https://management.azure.com/" -> "https://management.azure.com//.default"
 * (the double slash keeps the audience exactly the resource). Returns a
 * new string. */
char *azure_scope_for(const char *resource);

#endif
