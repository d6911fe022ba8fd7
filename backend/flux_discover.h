/* flux_discover.h - which version of each Flux kind a cluster serves: GET
 * /apis, then the resource list of every version of a Flux group the kind
 * table knows, and per kind the newest version whose list names it. Not a
 * watch (flux_watch is); no curses. */
#ifndef JD_FLUX_DISCOVER_H
#define JD_FLUX_DISCOVER_H

#include <cjson/cJSON.h>

#include "err.h"
#include "flux.h"
#include "kube.h"

/* Among lists[0..n) (APIResourceList documents of the kind's group, one
 * per version, NULL for a version not fetched) the first version in the
 * kind's own order (flux_kind_info.versions: v1, v1beta2, v1beta1) whose
 * list has a resource named like the kind's plural. versions[i] names the
 * version of lists[i]. Returns the table's string literal, or NULL. The
 * kinds of one group are served at different versions on real clusters
 * (source-controller 1.0-1.2: GitRepository v1, HelmRepository v1beta2),
 * so the choice is per kind, not per group. */
const char *flux_kind_version(enum flux_kind kind,
			      const char *const versions[],
			      const cJSON *const lists[], size_t n);

/* The end of a discovery. On success e is NULL, versions[k] is the
 * version to use for kind k (a string literal; NULL when the cluster does
 * not serve that kind) and installed is 1 when /apis lists at least one
 * Flux group. When GET /apis or one of the resource lists failed,
 * versions is NULL and e says which and why. Called once, from the loop;
 * the discovery is freed when it returns. */
typedef void (*flux_discover_fn)(const char *const *versions, int installed,
				 const struct err *e, void *ud);

struct flux_discovery;

/* Starts at once: at most one request for /apis and one per version of
 * each Flux group (9 in all). */
struct flux_discovery *flux_discover_start(struct kube_client *c,
					   flux_discover_fn done, void *ud);
/* Stop before done was called (done is not called then). NULL ok; *d is
 * set to NULL. */
void flux_discover_cancel(struct flux_discovery **d);

#endif
