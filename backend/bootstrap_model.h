/* bootstrap_model.h - the walkthrough's steps kept current for a screen:
 * the clone, the jump box and the cluster's admin review and CRDs are read
 * again every BOOT_MODEL_REFRESH_MS (or on demand); images, scans, nodes,
 * Flux and the changes running now come from the models the session
 * already holds, at the moment the steps are asked for. Not the drawing (the
 * bootstrap pane) and not the actions (manifests.h, gitlocal.h,
 * flux_install.h, pipeline.h). */
#ifndef JD_BOOTSTRAP_MODEL_H
#define JD_BOOTSTRAP_MODEL_H

#include "bootstrap.h"
#include "change.h"
#include "config.h"
#include "flux_drift.h"
#include "flux_watch.h"
#include "informer.h"
#include "node_store.h"
#include "kube.h"
#include "loop.h"
#include "pipeline.h"
#include "scans.h"

#define BOOT_MODEL_REFRESH_MS 20000L

struct boot_model;

/* cfg and the strings are borrowed and must outlive the model; auth may
 * be NULL (Azure is then "not checked"). on_change runs from the loop
 * when a reading ends. Nothing is read until bootstrap_model_refresh(). */
struct boot_model *bootstrap_model_new(struct loop *l,
				       const struct config *cfg,
				       const char *kubeconfig,
				       const char *context,
				       struct azure_auth *auth,
				       void (*on_change)(void *ud), void *ud);
/* Stops every reading; on_change is not called any more. */
void bootstrap_model_free(struct boot_model **m);

/* The sign-in chain can ask the operator (a device-code dialog): then the
 * jump-box step uses only a token already signed in for, and never starts
 * a sign-in itself. */
void bootstrap_model_set_interactive(struct boot_model *m, int on);

/* The session's models, borrowed (any may be NULL; set again when one is
 * replaced, e.g. on reconnect: kube NULL drops readings in flight). */
void bootstrap_model_set_sources(
    struct boot_model *m, struct kube_client *kube, const char *kube_error,
    struct pipeline *p, struct node_store *nodes, struct flux_watch *flux,
    struct flux_drift *drift, struct change_log *changes);

/* The session's scan state for step 2, borrowed (NULL when there is
 * none; why_none then says why, e.g. the gate's configuration). */
void bootstrap_model_set_scans(struct boot_model *m, struct scans *sc,
			       const char *why_none);

/* Read the world now (a reading in flight is restarted), then again
 * every BOOT_MODEL_REFRESH_MS while the steps are being looked at
 * (bootstrap_model_steps called within two periods); the first
 * bootstrap_model_steps starts the readings, and resumes them after a
 * pause. */
void bootstrap_model_refresh(struct boot_model *m);
/* 1 while a reading is in flight. */
int bootstrap_model_busy(const struct boot_model *m);
/* 1 once a reading has ended. */
int bootstrap_model_read(const struct boot_model *m);

/* The steps now (out has BOOT_NSTEPS entries): the last reading with the
 * shared models and the running changes laid over it. */
void bootstrap_model_steps(struct boot_model *m, struct boot_step *out);
/* The last reading (before the session's models are laid over it);
 * borrowed until the next reading ends. */
const struct boot_facts *bootstrap_model_facts(const struct boot_model *m);
/* The clone, as the steps name it ("" is the current folder). */
const char *bootstrap_model_repo(const struct boot_model *m);
/* The registry the rewrite would write (config, else the pipeline's). */
const char *bootstrap_model_registry(struct boot_model *m);
/* The GitHub account from the config, or NULL. */
const char *bootstrap_model_account(const struct boot_model *m);

#endif
