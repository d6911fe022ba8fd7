/* scans_feed.h - the scan state on the image pipeline: scans made with
 * the pipeline's Azure sign-in and the config's endpoints, report
 * directory and gate policy; fed the pipeline's rows (quarantine digests,
 * import times from the audit log); and the question "where does this
 * image run" put to the pods. Glue between pipeline.h, scans.h and pods.h;
 * no I/O of its own but the audit log's tail. */
#ifndef JD_SCANS_FEED_H
#define JD_SCANS_FEED_H

#include <stddef.h>

#include "config.h"
#include "pipeline.h"
#include "pods.h"
#include "scans.h"

/* The gate policy of the config's scan_gate_* keys and scan_gate_allow
 * lines (cfg NULL: the default). Returns 0, or -ERR_USAGE with e naming
 * the line (the config checks them when it loads, so this is for
 * configs made by hand). Free p with scan_policy_free. */
int scans_policy_from_config(const struct config *cfg, struct scan_policy *p,
			     struct err *e);

/* scans_new() on the pipeline's sign-in chain, the config's Resource
 * Graph endpoint, CA bundle, subscription, report directory (reports_dir
 * wins when not NULL), gate policy and refresh_s. */
struct scans *scans_feed_new(struct loop *l, struct pipeline *p,
			     const struct config *cfg, const char *reports_dir,
			     long refresh_s, const struct scans_ops *ops,
			     void *ud, struct err *e);

/* Tell s the pipeline's rows now: the quarantine registry client and
 * login server, each image's quarantine digest, whether it is an index,
 * and when it was imported (the audit log at audit_path, NULL: the
 * default). Does nothing until the registries are resolved. */
void scans_feed(struct scans *s, struct pipeline *p, const char *audit_path);

/* What pods_runs() needs to find where im runs: its live/, quarantine/
 * and upstream repositories and its vetted digests. Strings live in q. */
struct scans_pods_query {
	struct pods_image img;
	char host[300];
	char upstream[256];
	char path[512];
	char live[700];
	const char *vetted[SCAN_MAX_PLATFORMS + 2];
};
/* Fills q for im (one of the pipeline's images). -1 when im is not. */
int scans_pods_query(struct scans_pods_query *q, const struct scan_image *im,
		     struct pipeline *p);

/* What live/ holds of an image, as the pipeline last saw it. */
struct scans_live {
	int checked; /* the pipeline has asked the registry */
	int exists;
	int vetted;    /* it holds the quarantine digest that was scanned */
	char ref[740]; /* "live/library/busybox:1.33.0" */
	char digest[80];
	char error[600]; /* why it could not be read (terminal-safe), or "" */
};
/* Fills l for im (one of the pipeline's images). -1 when im is not. */
int scans_live_of(struct scans_live *l, const struct scan_image *im,
		  struct pipeline *p);
/* One line for l: "sha256:... (the vetted digest)", "sha256:... (not
 * the digest in quarantine/)", "not there", "not checked: why". Returns
 * buf. */
const char *scans_live_text(const struct scans_live *l, char *buf, size_t sz);

/* The Kustomizations' inventories: array of Kustomization objects, or
 * NULL. A new inventory (pods_inventory_free). */
struct pods_inventory *scans_inventory(const cJSON *const *ks, size_t n);

#endif
