/* pods.h - where an image runs: pods reduced to the few fields used here
 * (so that tens of thousands fit), the digest in a container status's
 * imageID, the Flux Kustomization that owns a pod (its labels, or the
 * inventory of the Kustomization that applied its workload), and the
 * containers that run an image, each marked vetted or an alert. Pure
 * code; the watch that keeps the pods current is pods_watch.h. */
#ifndef JD_PODS_H
#define JD_PODS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Prune a Pod object in place to what this module reads: metadata name,
 * namespace, resourceVersion, the Flux and pod-template-hash labels, the
 * controller owner reference; spec.nodeName; status.phase and each
 * (init) container status's name, image and imageID. An informer
 * transform (informer.h). */
void pods_compact(cJSON *pod);

/* The registry digest an imageID names ("docker-pullable://r/x@sha256:
 * ...", "r/x@sha256:..."), copied into out. A bare "sha256:..." is an
 * image ID on the node, not a registry digest: -1 and out "", as for
 * anything else. */
int pods_image_digest(const char *image_id, char *out, size_t sz);

/* Which Kustomization applied which workload, from the Kustomizations'
 * status.inventory.entries (ids "<ns>_<name>_<group>_<kind>"). */
struct pods_inventory;
struct pods_inventory *pods_inventory_new(void);
/* Adds one Kustomization object's inventory (others are ignored). */
void pods_inventory_add(struct pods_inventory *inv, const cJSON *ks);
void pods_inventory_free(struct pods_inventory **inv);
size_t pods_inventory_count(const struct pods_inventory *inv);

/* One image, as the match needs it. Borrowed for the call. */
struct pods_image {
	const char *upstream_registry; /* "docker.io" */
	const char *path;	       /* "library/busybox" */
	const char *registry_host;     /* the registry's login server,
					* "acrx.azurecr.io"; NULL or "":
					* any host */
	const char *live_repo;	       /* "live/library/busybox" */
	const char *quarantine_repo;   /* "quarantine/library/busybox" */
	const char *const *vetted;     /* the digests that passed quarantine
					* (the index and its platforms),
					* NULL-ended; may be empty */
};

/* One container that runs the image. Strings are terminal-safe. */
struct pod_run {
	char ns[64];
	char name[254];
	char node[254];
	char phase[16];
	char container[64];
	char image[300]; /* the container's image reference */
	char digest[80]; /* from its imageID, "" when none */
	char ks_ns[64];	 /* the owning Kustomization, "" unknown */
	char ks_name[254];
	const char *ks_how; /* "label", "inventory" or "" (static) */
	int vetted;	    /* digest is one of the vetted ones */
	char alert[300];    /* why this is an alert, or "" */
};

/* For every container status of pods[0..n) that runs the image - its
 * digest is a vetted one, or its image is the image's live/, quarantine/
 * or upstream repository - one pod_run. Alerts: a digest that is not
 * vetted ("runs sha256:…, not the vetted sha256:…"), a pull from
 * quarantine/ or straight from upstream, an imageID without a registry
 * digest. Returns the count; *out is a new array (caller frees; NULL
 * when 0). inv may be NULL. */
size_t pods_runs(const cJSON *const *pods, size_t n,
		 const struct pods_image *img,
		 const struct pods_inventory *inv, struct pod_run **out);
/* The items of a JSON array as a new vector of borrowed pointers (caller
 * frees the vector; NULL when empty). */
const cJSON **pods_vector(const cJSON *array, size_t *n);
/* How many runs are alerts. */
size_t pods_alerts(const struct pod_run *v, size_t n);

#endif
