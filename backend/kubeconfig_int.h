/* kubeconfig_int.h - what the kubeconfig reader and resolver share. Not
 * for other modules: they use kubeconfig.h. */
#ifndef JD_KUBECONFIG_INT_H
#define JD_KUBECONFIG_INT_H

#include <stddef.h>

#include "kubeconfig.h"

/* The three lists of a kubeconfig, in the order they are read. */
enum list_kind { LIST_CLUSTERS, LIST_USERS, LIST_CONTEXTS };

/* "clusters", "users" or "contexts" (static). */
const char *kubeconfig_list_name(enum list_kind kind);

/* Reads a whole file into a new NUL-terminated buffer (the caller frees it
 * with xfree_secret: it may hold keys). Returns 0 or strbuf_read_file's
 * answer (an errno value, STRBUF_NOT_REGULAR); strbuf_file_error says it
 * in words. */
int kubeconfig_read_file(const char *path, size_t max, char **buf,
			 size_t *len);

/* Frees what x owns (secrets wiped) and zeroes it. */
void kubeconfig_exec_clear(struct kubeconfig_exec *x);

#endif
