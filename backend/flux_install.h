/* flux_install.h - the walkthrough's Flux bootstrap done by server-side
 * apply through our own client: flux-system/gotk-crds.yaml first, wait
 * until every CRD is Established, then the rest of flux-system (rendered
 * by `kubectl kustomize` when it is a kustomization, else the plain
 * files), then wait for source-controller to become Available. Only what
 * differs from the cluster is applied (a server-side dry run tells), so
 * a second run changes nothing. Not the Flux model (flux.h). */
#ifndef JD_FLUX_INSTALL_H
#define JD_FLUX_INSTALL_H

#include <stddef.h>

#include "change.h"
#include "err.h"
#include "kube.h"

#define FLUX_INSTALL_MANAGER	 "jumpdeck"
#define FLUX_INSTALL_CRD_MS	 60000L /* every CRD Established */
#define FLUX_INSTALL_READY_MS	 90000L /* as the walkthrough's kubectl wait */
#define FLUX_INSTALL_RENDER_MS	 60000L
#define FLUX_INSTALL_MAX_OBJECTS 2000

/* One object of a manifest stream: identity and its own YAML text. */
struct fi_object {
	char *api_version; /* "apps/v1" */
	char *kind;
	char *name;
	char *namespace; /* "" when the document names none */
	char *yaml;	 /* the document, as written */
	size_t line;	 /* where it starts in its file (1-based) */
};

/* Split a YAML stream into objects (empty documents are skipped; each
 * must be a mapping with apiVersion, kind and metadata.name). Errors name
 * "NAME:LINE:COLUMN" (a parse error) or "NAME:LINE: ..." (a document
 * that is not an object). Appends to *v (caller frees with
 * fi_objects_free). */
int fi_split(const char *name, const char *buf, size_t len,
	     struct fi_object **v, size_t *n, struct err *e);
void fi_objects_free(struct fi_object **v, size_t n);

struct flux_install_opts {
	const char *dir;     /* the clone, or its cluster-manifests */
	const char *kubectl; /* NULL: "kubectl" from PATH */
	long crd_timeout_ms; /* 0: the defaults above */
	long ready_timeout_ms;
};

/* What happened. Valid during the callback only. */
struct flux_install_result {
	int ok;
	struct err err;
	size_t created, configured, unchanged;
	int changed;	     /* something was applied */
	const char *summary; /* "created 21, ..." or "nothing to change" */
};

typedef void (*flux_install_progress_fn)(const char *text, void *ud);
typedef void (*flux_install_done_fn)(const struct flux_install_result *r,
				     void *ud);

struct flux_install;

/* Starts the install under the begun change ch, which is ended before
 * done runs (the change.h rule); without a running change nothing is
 * sent and NULL is returned. progress (may be NULL) gets a line for each
 * phase and, while waiting, about once a second. */
struct flux_install *flux_install_start(struct kube_client *kc,
					struct change *ch,
					const struct flux_install_opts *o,
					flux_install_progress_fn progress,
					flux_install_done_fn done, void *ud);
/* Stop: the change ends failed ("stopped following"); done is not
 * called. What was applied stays applied. */
void flux_install_cancel(struct flux_install *fi);

#endif
