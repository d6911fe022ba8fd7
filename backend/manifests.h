/* manifests.h - the walkthrough's two placeholder rewrites in a local clone
 * (the registry in the kustomization files under cluster-manifests, the
 * GitHub account in flux-system/gotk-sync.yaml), done safely: a plan and
 * its unified diff first, YAML checked before and after, files replaced
 * atomically. Not git (gitlocal.h) and not the cluster. */
#ifndef JD_MANIFESTS_H
#define JD_MANIFESTS_H

#include <stddef.h>

#include "change.h"
#include "err.h"

#define MANIFESTS_ACR_PLACEHOLDER     "REPLACE_ME_WITH_YOUR_ACRNAME"
#define MANIFESTS_ACCOUNT_PLACEHOLDER "REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME"
#define MANIFESTS_DIR		      "cluster-manifests"
#define MANIFESTS_SYNC_FILE	      "flux-system/gotk-sync.yaml"
#define MANIFESTS_CRDS_FILE	      "flux-system/gotk-crds.yaml"

/* Bounds against a hostile tree. */
#define MANIFESTS_MAX_FILE  (4L * 1024 * 1024) /* bytes per file */
#define MANIFESTS_MAX_FILES 4096	       /* kustomization files */
#define MANIFESTS_MAX_DEPTH 32

/* The walkthrough's commit messages, one per rewrite. */
#define MANIFESTS_MSG_REGISTRY                                                \
	"Update bootstrap deployments to use images from my ACR instead of "  \
	"public container registries."
#define MANIFESTS_MSG_ACCOUNT                                                 \
	"Update Flux to pull from my fork instead of the upstream Microsoft " \
	"repo."

/* Which placeholder a file carries (bits). */
enum manifests_which {
	MANIFESTS_REGISTRY = 1, /* kustomization.yaml: the ACR name */
	MANIFESTS_ACCOUNT = 2,	/* gotk-sync.yaml: the GitHub account */
};

/* Where a clone's manifests are. Strings owned by the struct. */
struct manifests_where {
	char *root; /* the clone: DIR, or DIR/.. when DIR is the folder */
	char *dir;  /* its cluster-manifests folder */
};

/* DIR is the clone (holding cluster-manifests/) or cluster-manifests
 * itself (holding flux-system/). Returns 0, or -ERR_NOTFOUND: "DIR has no
 * cluster-manifests folder (is it a clone of the repository?)". */
int manifests_locate(const char *dir, struct manifests_where *w,
		     struct err *e);
void manifests_where_clear(struct manifests_where *w);

/* One file to change. Strings owned by the plan. */
struct manifest_edit {
	char *rel;  /* "cluster-manifests/a0005-i/kustomization.yaml" */
	char *path; /* as opened */
	unsigned which;
	char *before, *after;
	size_t before_len, after_len;
	size_t count; /* placeholders replaced */
	int mode;     /* permission bits, kept */
};

/* What is left in a clone, per placeholder, without changing anything. */
struct manifests_scan {
	size_t files;		  /* files looked at */
	size_t registry_files;	  /* kustomization files with the ACR one */
	size_t registry_count;	  /* occurrences */
	size_t account_count;	  /* in gotk-sync.yaml */
	int have_sync;		  /* gotk-sync.yaml exists */
	char first_registry[256]; /* first file with the ACR placeholder */
};

struct manifests_plan {
	struct manifests_where where;
	struct manifest_edit *v;
	size_t n;
	struct manifests_scan scan;
};

/* Reads the files the walkthrough's grep|sed would change (every
 * kustomization.yaml under cluster-manifests, then gotk-sync.yaml) and
 * plans the replacements of the placeholders in `which`. registry and
 * account are needed only for the bits in which (validated: an ACR name
 * is 5-50 letters or digits; a GitHub account 1-39 letters, digits or
 * single inner hyphens). Every planned file must parse as YAML before
 * and after; otherwise the plan fails with "REL:LINE:COLUMN: problem".
 * A file that cannot be replaced (read-only, a symbolic link, not a
 * regular file, too large) fails the plan too, naming it. Nothing is
 * written. An empty plan (n == 0) means nothing to do. Free with
 * manifests_plan_free() also after a failure. */
int manifests_plan(struct manifests_plan *p, const char *dir, unsigned which,
		   const char *registry, const char *account, struct err *e);
void manifests_plan_free(struct manifests_plan *p);

/* Count what is left, changing nothing (the bootstrap steps 4 and 5).
 * Unreadable files fail with their name. */
int manifests_scan_dir(const char *dir, struct manifests_scan *s,
		       struct err *e);

/* The unified diff of the plan (a/ and b/ paths relative to the clone,
 * 3 lines of context, "\ No newline at end of file" where it applies).
 * Raw file text: make it terminal-safe line by line before showing it.
 * Caller frees. */
char *manifests_diff(const struct manifests_plan *p);

/* Write the plan under the begun change ch, which this ends (the
 * change.h rule): every file is checked again first (unchanged since the
 * plan, still writable), then replaced atomically (temporary file in the
 * same folder, fsync, rename, fsync of the folder) with its mode. If one
 * replacement fails, the files already replaced are put back and the
 * change ends failed: either every file is rewritten or none. Returns 0,
 * or negative with e filled. */
int manifests_apply(struct manifests_plan *p, struct change *ch,
		    struct err *e);

/* 0 when buf parses as a YAML stream, else -ERR_PARSE with
 * "NAME:LINE:COLUMN: problem (context)" (1-based). */
int manifests_check_yaml(const char *name, const char *buf, size_t len,
			 struct err *e);

/* The url of the GitRepository in gotk-sync.yaml (the first document of
 * kind GitRepository with spec.url). Caller frees *url. -ERR_NOTFOUND
 * when there is none. */
int manifests_sync_url(const struct manifests_where *w, char **url,
		       struct err *e);

int manifests_valid_registry(const char *name, struct err *e);
int manifests_valid_account(const char *name, struct err *e);

#endif
