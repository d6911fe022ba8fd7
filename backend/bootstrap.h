/* bootstrap.h - the walkthrough's ten steps as a model: what was read from
 * the world (facts) and, from it alone, each step's state, one sentence of
 * why, and the next action. Pure: the reading is bootstrap_probe.h's, the
 * drawing the bootstrap pane's, the printing the CLI's. */
#ifndef JD_BOOTSTRAP_H
#define JD_BOOTSTRAP_H

#include <stddef.h>

#include "err.h"
#include "gitlocal.h"
#include "jumpbox.h"
#include "manifests.h"

enum boot_step_id {
	BOOT_QUARANTINE = 0, /* 1. images in quarantine/ */
	BOOT_SCANS,	     /* 2. scan results and the gate's verdict */
	BOOT_PROMOTE,	     /* 3. promoted to live/, digests match */
	BOOT_REGISTRY,	     /* 4. manifests point at your registry */
	BOOT_FORK,	     /* 5. gotk-sync.yaml points at your fork */
	BOOT_PUSHED,	     /* 6. both changes committed and pushed */
	BOOT_JUMPBOX,	     /* 7. the jump box */
	BOOT_CLUSTER,	     /* 8. reachable, cluster admin, nodes Ready */
	BOOT_FLUX,	     /* 9. Flux installed */
	BOOT_SYNCED,	     /* 10. Flux reconciles your fork */
	BOOT_NSTEPS
};

enum boot_state {
	BOOT_TODO = 0, /* not done */
	BOOT_DONE,
	BOOT_RUNNING, /* in progress */
	BOOT_UNKNOWN, /* cannot tell */
};

/* What jumpdeck can do for a step (the pane gives each a key). */
enum boot_act {
	BOOT_ACT_NONE = 0,
	BOOT_ACT_IMPORT,	   /* import every missing image */
	BOOT_ACT_PROMOTE,	   /* promote every image in quarantine/ */
	BOOT_ACT_REWRITE_REGISTRY, /* the ACR placeholder */
	BOOT_ACT_REWRITE_ACCOUNT,  /* the GitHub account placeholder */
	BOOT_ACT_COMMIT,	   /* commit the rewritten files */
	BOOT_ACT_PUSH,		   /* git push */
	BOOT_ACT_INSTALL_FLUX,	   /* bootstrap-flux */
	BOOT_ACT_RECONCILE,	   /* reconcile flux-system with its source */
	BOOT_ACT_COUNT
};

#define BOOT_NOTES 6

/* One step as the operator sees it. Text is plain, not terminal-safe
 * (it carries names from servers and files). */
struct boot_step {
	enum boot_step_id id;
	const char *title;
	enum boot_state state;
	int warn;		     /* done, but with something to look at */
	char why[600];		     /* one sentence */
	char notes[BOOT_NOTES][300]; /* more sentences (detail, JSON) */
	size_t nnotes;
	enum boot_act act; /* BOOT_ACT_NONE: only by hand */
	char command[600]; /* the exact command; "" when none */
	const char *pane;  /* "images", "scans", "nodes", "flux", NULL */
};

/* ---- facts: what was read, each part with whether it was ------------- */

struct boot_images {
	int known;	/* the registry was read */
	struct err err; /* why not */
	char registry[128];
	size_t total, quarantined, promoted, alerts, running;
	char first_missing[128]; /* first image not in quarantine/ */
	char first_unpromoted[128];
	char first_alert[128];
};

/* Step 2: the gate's verdict on each image quarantine/ holds. */
struct boot_scans {
	int available;	/* the session reads scan results */
	int known;	/* a refresh has finished */
	struct err err; /* why not, or why nothing answered */
	size_t images;	/* images quarantine/ holds */
	size_t passing; /* the gate lets them through */
	size_t blocked; /* by findings, or a scanner that cannot scan */
	size_t pending; /* no result yet, imported recently */
	size_t unknown; /* no verdict long after the import */
	size_t allowed; /* findings let through by the allow-list */
	char first_blocked[128]; /* "busybox:1.33.0" */
	char blocked_why[600];	 /* the gate's sentence for it */
	char first_unknown[128];
	char unknown_why[600];
};

struct boot_repo {
	int located;	/* a clone with cluster-manifests */
	struct err err; /* why not */
	char dir[1024]; /* the clone as given */
	int scanned;
	struct err scan_err;
	struct manifests_scan scan;
	char sync_url[1024]; /* gotk-sync.yaml's GitRepository url */
	int url_checked;     /* its remote was asked */
	int url_ok;
	char url_head[65];
	struct err url_err;
	int git_known;	      /* the probe ran */
	struct git_state git; /* owned: gitlocal_state_clear */
	int rewrite_running, commit_running, push_running;
};

struct boot_cluster {
	int known; /* asked */
	int reachable;
	char version[64];
	char server[512];
	struct err err;
	int admin_known, admin;
	char admin_reason[300];
	struct err admin_err;
	int nodes_known;
	size_t nodes, ready;
	char first_not_ready[256];
	struct err nodes_err;
};

struct boot_flux {
	int crds_known;
	size_t crds, established, missing;
	char first_waiting_crd[160];
	struct err crds_err;
	int controllers_known;
	size_t controllers, available;
	int have_source_controller, have_kustomize_controller;
	char first_unavailable[128];
	char unavailable_why[300];
	struct err controllers_err;
	int objects_known;
	struct err objects_err;
	int have_repo;
	char repo_name[160]; /* "flux-system/flux-system" */
	char repo_url[1024];
	int repo_ready;
	char repo_message[300];
	char repo_revision[128];
	size_t ks, ks_ready;
	char first_failing_ks[160];
	char ks_message[300];
	int install_running;
	/* The one Flux verdict (health.h), when the session has a Flux
	 * model: `check` passes. */
	int health_known, health_ok;
	char health_text[700];
};

/* Settings the next actions name. */
struct boot_context {
	char registry[128]; /* from config, else the pipeline's */
	char account[64];   /* GitHub account, "" when unknown */
	char resource_group[128];
	char repo_dir[1024]; /* as the operator named it ("" = cwd) */
};

struct boot_facts {
	struct boot_context ctx;
	struct boot_images images;
	struct boot_scans scans;
	struct boot_repo repo;
	int jumpbox_known;
	struct jumpbox_state jb;
	struct boot_cluster cluster;
	struct boot_flux flux;
};

void bootstrap_facts_clear(struct boot_facts *f);

/* Every step from f alone. out has BOOT_NSTEPS entries. */
void bootstrap_evaluate(const struct boot_facts *f, struct boot_step *out);

/* Index of the first step not done, or BOOT_NSTEPS when all are. */
size_t bootstrap_first_open(const struct boot_step *v);
size_t bootstrap_done_count(const struct boot_step *v);

/* "done", "not done", "in progress", "cannot tell". */
const char *boot_state_text(enum boot_state s);
/* JSON key words: "done", "todo", "running", "unknown". */
const char *boot_state_word(enum boot_state s);
/* "import", "promote", "rewrite-registry", ... "" for none. */
const char *boot_act_word(enum boot_act a);

#endif
