/* kube_name.h - Kubernetes names checked as the API server checks them,
 * before a name reaches a request path or an audit record: nodes and
 * Flux objects are DNS-1123 subdomains, namespaces DNS-1123 labels. Not
 * a general validator of object contents. */
#ifndef JD_KUBE_NAME_H
#define JD_KUBE_NAME_H

#include "err.h"

enum kube_name_kind {
	KUBE_NAME_SUBDOMAIN, /* nodes, custom resources: at most 253 */
	KUBE_NAME_LABEL,     /* namespaces: at most 63, no '.' */
};

/* 0 when name is valid; otherwise -ERR_USAGE with e saying which rule
 * it breaks, e.g. "\"..\" is not a valid node name: it must start and
 * end with a lower-case letter or digit". what names the thing ("node",
 * "Kustomization", "namespace"). The sentence quotes name as given (it
 * is not terminal-safe). */
int kube_name_check(const char *what, const char *name,
		    enum kube_name_kind kind, struct err *e);

#endif
