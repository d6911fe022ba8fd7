/* bootstrap_probe.h - reads the world into bootstrap facts: the clone
 * (manifests, git, the fork's URL), the jump box, the cluster (version,
 * a SelfSubjectAccessReview for everything, nodes), Flux (CRDs,
 * controllers, sources, kustomizations); and fills facts from models
 * other parts of jumpdeck already hold (pipeline rows, nodes, Flux).
 * Read-only. The steps themselves are bootstrap.h's. */
#ifndef JD_BOOTSTRAP_PROBE_H
#define JD_BOOTSTRAP_PROBE_H

#include <stddef.h>

#include "bootstrap.h"
#include "flux.h"
#include "images.h"
#include "jumpbox.h"
#include "kube.h"
#include "nodes.h"
#include "scan.h"
#include "scan_gate.h"

/* What to read (bits); the rest of the facts stay as they were. */
enum boot_probe_parts {
	BOOT_PROBE_REPO = 1u << 0,    /* clone, git, the fork's URL */
	BOOT_PROBE_JUMPBOX = 1u << 1, /* Azure, kubeconfig, AKS, IMDS */
	BOOT_PROBE_CLUSTER = 1u << 2, /* version, admin review, CRDs */
	BOOT_PROBE_NODES = 1u << 3,   /* list the nodes */
	BOOT_PROBE_FLUX = 1u << 4,    /* controllers, sources, ks */
};
#define BOOT_PROBE_ALL 0x1fu

struct boot_probe_opts {
	unsigned parts;
	struct kube_client *kube; /* borrowed; NULL: the cluster parts are
				   * "cannot tell" with kube_error */
	const char *kube_error;
	const char *repo_dir;  /* NULL or "": the current folder */
	const char *ca_bundle; /* PEM file for the fork's HTTPS, or NULL */
	struct jumpbox_opts jumpbox;
};

typedef void (*boot_probe_fn)(struct boot_facts *f, void *ud);

struct boot_probe;

/* Reads every part asked for into *f (owned by the caller, which must
 * keep it until done runs; parts not asked for are left alone). done
 * runs once from the loop when all parts have ended, unless cancelled.
 * Each request is bounded by its module's timeout. Never NULL. */
struct boot_probe *bootstrap_probe_start(struct loop *l,
					 const struct boot_probe_opts *o,
					 struct boot_facts *f,
					 boot_probe_fn done, void *ud);
/* done will not run; f keeps whatever was read. NULL is fine. */
void bootstrap_probe_cancel(struct boot_probe *p);

/* ---- facts from models held elsewhere --------------------------------- */

/* Steps 1 and 3 from the pipeline's rows; registry "" when unknown, err
 * the pipeline's sentence when it could not read the registry. */
void bootstrap_facts_images(struct boot_facts *f, const struct image_row *v,
			    size_t n, const char *registry,
			    const struct err *err);
/* Step 2 from the scan state: v[i] and the gate's verdict g[i] on it, n
 * images in the pipeline's order; err (may be NULL) says why there are
 * no results yet, or what went wrong while some were read. */
void bootstrap_facts_scans(struct boot_facts *f, const struct scan_image *v,
			   const struct scan_gate *g, size_t n,
			   const struct err *err);
/* Step 8's nodes. */
void bootstrap_facts_nodes(struct boot_facts *f, const struct node *v,
			   size_t n);
/* Steps 9 and 10 from the Flux model: the controllers in flux-system,
 * and the objects (the GitRepository flux-system/flux-system, every
 * Kustomization). */
void bootstrap_facts_flux(struct boot_facts *f,
			  const struct flux_controller *c, size_t nc,
			  const struct flux_object *v, size_t n);
/* Step 9's CRDs from a CustomResourceDefinitionList, against the names
 * the clone's gotk-crds.yaml declares (expect may be NULL: every
 * *.toolkit.fluxcd.io CRD the cluster has). */
void bootstrap_facts_crds(struct boot_facts *f, const cJSON *list,
			  char *const *expect, size_t nexpect);

#endif
