/* session.h - one front end's connection to the world: the kubeconfig
 * context and its client, the models read through it (nodes, Flux with
 * drift and an object's events), the image pipeline and the change log.
 * Started once, shared by every pane of the TUI and by the CLI's snapshot
 * commands; tells its owner which models changed. Not drawing, not keys. */
#ifndef JD_SESSION_H
#define JD_SESSION_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "azure_auth.h"
#include "bootstrap_model.h"
#include "change.h"
#include "config.h"
#include "err.h"
#include "flux.h"
#include "flux_drift.h"
#include "flux_watch.h"
#include "informer.h"
#include "kube.h"
#include "loop.h"
#include "node_store.h"
#include "pipeline.h"
#include "pods_watch.h"
#include "scans.h"
#include "why.h"

/* What changed, as bits: a pane declares the models it shows and is
 * recalculated when one of them changes. */
enum session_model {
	MODEL_CONN = 1u << 0,    /* context, server, connection health */
	MODEL_NODES = 1u << 1,   /* the node store */
	MODEL_FLUX = 1u << 2,    /* Flux objects, controllers, drift */
	MODEL_EVENTS = 1u << 3,  /* the events of the object asked for */
	MODEL_IMAGES = 1u << 4,  /* the image pipeline's rows */
	MODEL_CHANGES = 1u << 5, /* the change log */
	MODEL_SCANS = 1u << 6,   /* scan verdicts */
	MODEL_CLOCK = 1u << 7,   /* ages move: about once a minute */
	MODEL_BOOTSTRAP = 1u << 8, /* the walkthrough's steps (bootstrap
				    * model: the clone, the jump box) */
	MODEL_WHY = 1u << 9,     /* the why-chain asked for */
	MODEL_ALL = 0xffffu,
};

struct session_hooks {
	/* Models changed (bits of enum session_model). */
	void (*changed)(unsigned models, void *ud);
	/* The cluster connection's health: e NULL when it works again;
	 * retry_ms until the next attempt. */
	void (*conn_status)(const struct err *e, long retry_ms, void *ud);
	/* An interactive exec plugin needs the terminal (may be NULL). */
	kube_foreground_fn foreground;
	/* The device-code sign-in wants the operator (may be NULL). */
	azure_device_show_fn device_code;
	azure_device_done_fn device_done;
	/* An image operation ended (may be NULL). */
	void (*image_done)(size_t row, enum pipeline_action a, int ok,
			   const char *message, void *ud);
};

struct session_opts {
	const char *kubeconfig; /* NULL: $KUBECONFIG, ~/.kube/config */
	const char *context;    /* NULL: the current context */
	const char *audit_log;  /* NULL: audit_default_path() */
	int read_only;
	const struct config *config; /* borrowed for the session's life */
	unsigned azure_sources;      /* AZURE_SRC_*; 0: all */
	int have_terminal;           /* for interactive exec plugins */
	unsigned models;             /* which models to start (bits) */
};

struct session;
struct ready_trend;

/* Never fails for want of a cluster: a kubeconfig or context problem is
 * kept (session_conn_error) and the other models still run. Returns NULL
 * only when the loop or libcurl cannot start (e filled). */
struct session *session_open(struct loop *l, const struct session_opts *o,
			     const struct session_hooks *h, void *ud,
			     struct err *e);
/* Stops everything; running changes are ended as failed. */
void session_close(struct session **s);

/* Connect to another context (the old connection is closed first; on
 * failure the old one is restored when it can be). */
int session_switch_context(struct session *s, const char *context,
			   struct err *e);
/* Reconnect everything now instead of waiting for the backoff. */
void session_retry_now(struct session *s);

/* Accessors; objects are owned by the session and may be NULL (no
 * cluster, no config). Valid until the next session_switch_context. */
struct kube_client *session_kube(const struct session *s);
struct loop *session_loop(const struct session *s);
struct node_store *session_nodes(const struct session *s);
/* The Ready count per pool over the session (ready_trend.h), sampled as
 * the nodes change; borrowed, lives as long as the session. */
const struct ready_trend *session_ready_trend(const struct session *s);
struct flux_watch *session_flux(const struct session *s);
struct flux_drift *session_drift(const struct session *s);
struct pipeline *session_pipeline(const struct session *s);
/* The scan state, fed by the pipeline (NULL without MODEL_SCANS or a
 * pipeline), and the pods (NULL without a cluster); MODEL_SCANS says
 * when either changes. */
struct scans *session_scans(const struct session *s);
struct pods_watch *session_pods(const struct session *s);
/* Why there is no scan state (the gate's configuration), or NULL. */
const char *session_scans_error(const struct session *s);
struct change_log *session_changes(const struct session *s);
/* The walkthrough's steps (with MODEL_BOOTSTRAP; read when first looked
 * at, then every BOOT_MODEL_REFRESH_MS while looked at; MODEL_BOOTSTRAP
 * says when a reading ends). */
struct boot_model *session_bootstrap(const struct session *s);
const struct config *session_config(const struct session *s);
struct kubeconfig *session_kubeconfig(const struct session *s);
const char *session_context(const struct session *s); /* "" when none */
const char *session_server(const struct session *s);  /* "" when none */
/* Why there is no cluster connection (kubeconfig, context), or NULL. */
const struct err *session_conn_error(const struct session *s);
/* Why there is no image pipeline (configuration), or NULL. */
const char *session_pipeline_error(const struct session *s);

/* The events of one object (core/v1 Events by involvedObject), loaded
 * when asked for; MODEL_EVENTS says when they arrive. kind is the
 * object's kind ("Kustomization"). Asking for another object drops the
 * previous answer. */
void session_events_load(struct session *s, const char *kind,
			 const char *ns, const char *name);
/* The answer for the object asked for last: *items (borrowed, the
 * events' "items" array) or *error ("events: <sentence>"); both NULL
 * while loading. Returns 1 when the answer is for kind/ns/name. */
int session_events(const struct session *s, const char *kind,
		   const char *ns, const char *name, const cJSON **items,
		   const char **error);

/* Why one Flux object is failing (why.h): the chain is built when asked
 * for, then again every few seconds while it is wanted, and its image
 * links follow the pipeline as it learns more; MODEL_WHY says when it
 * changed. Asking for another object drops the previous one. */
void session_why_load(struct session *s, enum flux_kind kind,
		      const char *ns, const char *name);
/* Not wanted any more (the view closed): requests in flight are
 * cancelled, the chain dropped. */
void session_why_close(struct session *s);
/* The latest chain for kind/ns/name (borrowed until the next MODEL_WHY),
 * or NULL while the first one is being built or another object was asked
 * for; *loading (may be NULL) is 1 while a newer one is being built. */
const struct why_chain *session_why(const struct session *s,
				    enum flux_kind kind, const char *ns,
				    const char *name, int *loading);

#endif
