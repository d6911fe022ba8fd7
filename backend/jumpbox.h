/* jumpbox.h - the walkthrough's jump-box checks, read-only, on the loop:
 * signed in to Azure (as whom), kube credentials for the walkthrough's
 * cluster, its API server private or public (the AKS resource in ARM),
 * and whether this is an Azure VM (IMDS answers). Not the cluster's own
 * API (bootstrap_cluster.h) and not a sign-in dialog. */
#ifndef JD_JUMPBOX_H
#define JD_JUMPBOX_H

#include "azure_auth.h"
#include "err.h"
#include "loop.h"

#define JUMPBOX_IMDS_TIMEOUT_MS 3000L
#define JUMPBOX_ARM_TIMEOUT_MS	30000L
#define JUMPBOX_AKS_API		"2024-09-01"

/* Where to look. Strings are copied by jumpbox_check(). */
struct jumpbox_opts {
	struct azure_auth *auth;   /* borrowed, must outlive the check; NULL:
				    * Azure is not checked */
	int cached_only;	   /* only a token the chain holds already:
				    * never start a sign-in that may ask
				    * the operator */
	const char *arm_endpoint;  /* NULL: https://management.azure.com */
	const char *ca_bundle;	   /* PEM file for ARM and IMDS, or NULL */
	const char *imds_endpoint; /* NULL: http://169.254.169.254 */
	const char *subscription;
	const char *resource_group;
	const char *deployment; /* NULL: cluster-stamp */
	const char *kubeconfig; /* NULL: KUBECONFIG, ~/.kube/config */
	const char *context;	/* NULL: the current context */
	long imds_timeout_ms;	/* 0: JUMPBOX_IMDS_TIMEOUT_MS */
};

/* Each part: known says whether it was read at all; a part that was not
 * read has its reason in the err beside it. Strings come from servers
 * and files: not terminal-safe. */
struct jumpbox_state {
	/* Azure. */
	int azure_known, azure_ok;
	char azure_identity[256]; /* "opsuser01@contoso.example", "app ..." */
	char azure_source[64];	  /* "Azure CLI", "managed identity", ... */
	struct err azure_err;

	/* The cluster in ARM (from the deployment's aksClusterName). */
	int cluster_known;
	char cluster_name[128];
	int is_private;	     /* apiServerAccessProfile.enablePrivateCluster */
	int has_public_fqdn; /* a public FQDN answers for it */
	char fqdn[256];
	char private_fqdn[256];
	struct err cluster_err;

	/* kubeconfig. */
	int kube_ok;	   /* a context with credentials resolves */
	char context[256]; /* the one jumpdeck uses */
	char server[512];
	char user[256];
	char auth[32];		   /* "token", "exec kubelogin", ... */
	int kube_for_cluster;	   /* 1 it is the cluster's, 0 it is not, -1
				    * cannot tell (no cluster from ARM) */
	char cluster_context[256]; /* another context that is the
				    * cluster's, when the current is not */
	struct err kube_err;

	/* IMDS. */
	int imds_known, on_azure_vm;
	char vm_name[256]; /* compute.name */
	char vmss[256];	   /* compute.vmScaleSetName */
	struct err imds_err;
};

typedef void (*jumpbox_done_fn)(const struct jumpbox_state *s, void *ud);

struct jumpbox_check;

/* Start every check; done runs once from the loop when all have ended,
 * unless cancelled. Never NULL. */
struct jumpbox_check *jumpbox_check(struct loop *l,
				    const struct jumpbox_opts *o,
				    jumpbox_done_fn done, void *ud);
/* done will not run. NULL is fine. Not from inside done. */
void jumpbox_cancel(struct jumpbox_check *c);

/* The host of an https://host:port/path URL into dst ("" when none). */
void jumpbox_url_host(const char *url, char *dst, size_t sz);

#endif
