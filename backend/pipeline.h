/* pipeline.h - the image quarantine pipeline at work: finds the registries
 * (flags, config, or the deployment's outputs through ARM), reads every
 * image's quarantine/ and live/ digests, and imports (upstream ->
 * quarantine/) and promotes (quarantine/ -> live/) with ARM's importImage
 * or, for a plain registry, by copying through the registry API. Runs on
 * the loop; bounded concurrency; verifies every copy by digest. Every copy
 * runs under a begun change (change.h); confirmation is the callers'. */
#ifndef JD_PIPELINE_H
#define JD_PIPELINE_H

#include <stddef.h>

#include "azure_auth.h"
#include "change.h"
#include "config.h"
#include "err.h"
#include "images.h"
#include "loop.h"
#include "registry.h"

enum pipeline_action { PIPE_IMPORT, PIPE_PROMOTE };

struct pipeline_ops {
	/* Rows, status or progress changed. */
	void (*on_change)(void *ud);
	/* An import or promotion ended (ok, or message says why). */
	void (*on_done)(size_t row, enum pipeline_action a, int ok,
			const char *message, void *ud);
	/* The device-code sign-in wants the operator (may be NULL). */
	azure_device_show_fn on_device_code;
	azure_device_done_fn on_device_done;
};

struct pipeline;

/* cfg is copied as needed; sources: which Azure sign-in sources may be
 * tried (AZURE_SRC_*). Starts nothing until pipeline_refresh(). */
struct pipeline *pipeline_new(struct loop *l, const struct config *cfg,
			      unsigned sources,
			      const struct pipeline_ops *ops, void *ud,
			      struct err *e);
void pipeline_free(struct pipeline **p);

/* Resolve the registries (once) and read every image's digests again. */
void pipeline_refresh(struct pipeline *p);
/* 1 while resolving, checking or copying. */
int pipeline_busy(const struct pipeline *p);
/* The rows (one per configured image), borrowed until the next return
 * to the loop. */
size_t pipeline_rows(const struct pipeline *p, const struct image_row **v);
/* Find a row by its reference, its path ("library/busybox"), its name
 * ("busybox"), either with ":tag". */
int pipeline_find(const struct pipeline *p, const char *name, size_t *row);
/* What the pipeline is doing or why it cannot ("resolving the registry
 * from deployment cluster-stamp...", an error sentence), or "". */
const char *pipeline_status(const struct pipeline *p, int *is_error);
/* While busy: the service the pipeline waits for, for a sentence when
 * the caller stops waiting: the sign-in's ("Entra ID (signing in to
 * Azure)", ...), "ARM (the outputs of deployment cluster-stamp)", "the
 * registry NAME"; "" when not busy. Written into buf; returns buf. */
const char *pipeline_waiting_for(const struct pipeline *p, char *buf,
				 size_t sz);
const char *pipeline_registry(const struct pipeline *p);
const char *pipeline_quarantine_registry(const struct pipeline *p);
/* Who we are signed in to Azure as, and how ("" until known). */
const char *pipeline_identity(const struct pipeline *p);
const char *pipeline_auth_source(const struct pipeline *p);
/* The pipeline's Azure sign-in chain, for other readers in the same
 * session (one sign-in, one device-code dialog). Borrowed; lives as long
 * as the pipeline. */
struct azure_auth *pipeline_auth(struct pipeline *p);
/* Who acts on the registries, for the audit trail: "azure <identity>", or
 * "azure (not signed in yet)". Owned by the pipeline, valid until the
 * next call. */
const char *pipeline_actor(struct pipeline *p);
/* For other readers of the same registry (scans.h): the registry client
 * that holds quarantine/ (NULL until the registries are resolved).
 * Borrowed; it lives as long as the pipeline. */
struct registry *pipeline_quarantine_client(struct pipeline *p);

/* Whether an import or promotion of a row could start now, checked
 * before asking the operator anything: 0 (it can), 1 when there is
 * nothing to do (e says why: "already in quarantine (sha256:…)", "already
 * promoted"), or negative with e: -ERR_EXISTS when the target tag holds
 * another digest and only force may replace it ("live/x:1 exists with
 * another digest: force it to replace"), other codes for "not in
 * quarantine: import it first", "already importing", "digests not known
 * yet". Changes nothing. */
int pipeline_check(const struct pipeline *p, enum pipeline_action a,
		   size_t row, int force, struct err *e);
/* Queue it under ch, a running change begun for it (without one nothing
 * is done). Returns 0 (queued: the change gets progress, is ended when the
 * copy ends, then ops->on_done runs), or what pipeline_check returns, in
 * which case the change has been ended already. force overwrites a tag
 * that holds another digest. */
int pipeline_start(struct pipeline *p, struct change *ch,
		   enum pipeline_action a, size_t row, int force,
		   struct err *e);
/* Stop a device-code sign-in that is waiting for the operator. */
void pipeline_cancel_sign_in(struct pipeline *p);
/* Stop following a row's operation (it may go on in Azure). */
void pipeline_cancel(struct pipeline *p, size_t row);

#endif
