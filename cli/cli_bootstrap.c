/* cli_bootstrap.c - `jumpdeck bootstrap` (the walkthrough's ten steps read
 * from the world), `jumpdeck rewrite-manifests` (diff, rewrite, commit,
 * push) and `jumpdeck bootstrap-flux` (the Flux install, then the
 * checks). Printing and waiting only: the work is the backend's. */
#include "cli.h"
#include "cli_session.h"
#include "print.h"
#include "backend/azure_auth.h"
#include "backend/bootstrap.h"
#include "backend/change.h"
#include "backend/config.h"
#include "backend/flux_install.h"
#include "backend/gitlocal.h"
#include "backend/http.h"
#include "backend/manifests.h"
#include "backend/pipeline.h"
#include "backend/session.h"
#include "backend/text.h"
#include "backend/xalloc.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE_WAIT_MS 120000L

/* ---- shared ----------------------------------------------------------- */

/* Print text line by line, terminal-safe, with a prefix. */
static void print_lines(FILE *f, const char *prefix, const char *text)
{
	const char *p = text;

	while (p && *p) {
		size_t n = strcspn(p, "\n");
		char *line = xstrndup(p, n);
		char *safe = text_safe(line, -1, NULL);

		fprintf(f, "%s%s\n", prefix, safe);
		free(safe);
		free(line);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* prefix, then text made terminal-safe, then a line break. */
static void say(FILE *f, const char *prefix, const char *text)
{
	char *safe = text_safe(text, -1, NULL);

	fprintf(f, "%s%s\n", prefix, safe);
	free(safe);
}

static void append_err(struct err *e, const char *text)
{
	size_t n = strlen(e->msg);

	snprintf(e->msg + n, sizeof(e->msg) - n, "%s", text);
}

/* Who acts on local files and the clone: the operating-system user. */
static void local_identity(char *buf, size_t sz)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(buf, sz, "local user %s",
		 pw && pw->pw_name ? pw->pw_name : "?");
}

/* dir made absolute for the audit trail (as given when that fails). */
static void abs_path(const char *dir, char *buf, size_t sz)
{
	char *r = realpath(dir, NULL);

	snprintf(buf, sz, "%s", r ? r : dir);
	free(r);
}

static const char *repo_dir(const struct cli_opts *o, const struct config *c,
			    const char *dir)
{
	if (dir && dir[0])
		return dir;
	if (o->repo && o->repo[0])
		return o->repo;
	if (config_get(c, CFG_REPO))
		return config_get(c, CFG_REPO);
	return ".";
}

/* ---- jumpdeck bootstrap ----------------------------------------------- */

struct waiter {
	int done;
};

static void on_deadline(void *ud)
{
	((struct waiter *)ud)->done = 1;
}

/* Every model has been read once (or failed), the steps' own reading
 * included. */
static int settled(const struct session *s)
{
	const struct node_store *nodes = session_nodes(s);
	const struct flux_watch *flux = session_flux(s);
	const struct pipeline *p = session_pipeline(s);
	const struct boot_model *b = session_bootstrap(s);
	const struct scans *sc = session_scans(s);

	if (nodes && !node_store_synced(nodes) && !node_store_error(nodes))
		return 0;
	if (sc && scans_busy(sc))
		return 0;
	if (flux && !flux_watch_settled(flux))
		return 0;
	if (p && pipeline_busy(p))
		return 0;
	return !b || bootstrap_model_read(b);
}

static const char *mark(const struct cli_opts *o, const struct boot_step *s)
{
	int ascii = cli_ascii(o);

	if (s->state == BOOT_DONE && s->warn)
		return ascii ? "[!]" : "!";
	switch (s->state) {
	case BOOT_DONE:
		return cli_mark(o, 1);
	case BOOT_RUNNING:
		return ascii ? "[~]" : "\u2026";
	case BOOT_UNKNOWN:
		return ascii ? "[?]" : "?";
	default:
		return cli_mark(o, 0);
	}
}

static void print_steps(const struct cli_opts *o, const struct boot_step *v)
{
	size_t i, j;
	char *t, *w;

	printf("The walkthrough, read from the world: %zu/%d steps done\n",
	       bootstrap_done_count(v), BOOT_NSTEPS);
	for (i = 0; i < BOOT_NSTEPS; i++) {
		t = text_safe(v[i].title, -1, NULL);
		w = text_safe(v[i].why, -1, NULL);
		printf("%2zu %s %s: %s\n", i + 1, mark(o, &v[i]), t, w);
		free(t);
		free(w);
		for (j = 0; j < v[i].nnotes && v[i].warn; j++)
			say(stdout, "       ", v[i].notes[j]);
		if (v[i].state != BOOT_DONE && v[i].command[0])
			say(stdout, "       next: ", v[i].command);
	}
}

int cli_bootstrap(const struct cli_opts *o)
{
	struct boot_step steps[BOOT_NSTEPS];
	struct session_opts so;
	struct session *s;
	struct loop *l;
	struct waiter w = {0};
	struct err e;
	unsigned t;
	int rc;

	err_clear(&e);
	if (http_global_init(&e) < 0) {
		say(stderr, "jumpdeck: ", e.msg);
		return 1;
	}
	l = loop_new();
	memset(&so, 0, sizeof(so));
	so.kubeconfig = o->kubeconfig;
	so.context = o->context;
	so.audit_log = o->audit_log;
	so.read_only = 1; /* reading the steps changes nothing */
	so.config = o->cfg;
	so.azure_sources = AZURE_SRC_ENV | AZURE_SRC_IMDS | AZURE_SRC_CLI;
	so.have_terminal = isatty(0);
	so.models = MODEL_NODES | MODEL_FLUX | MODEL_IMAGES | MODEL_SCANS |
		    MODEL_BOOTSTRAP;
	s = session_open(l, &so, NULL, NULL, &e);
	if (!s) {
		say(stderr, "jumpdeck: ", e.msg);
		loop_free(&l);
		http_global_cleanup();
		return 1;
	}
	bootstrap_model_refresh(session_bootstrap(s));
	t = loop_timer_add(l, PROBE_WAIT_MS, on_deadline, &w);
	while (!w.done && !settled(s))
		loop_run_once(l, -1);
	loop_timer_cancel(l, t);
	bootstrap_model_steps(session_bootstrap(s), steps);
	if (o->json) {
		char *js = bootstrap_to_json(steps);

		cli_json(js);
		free(js);
	} else {
		print_steps(o, steps);
	}
	rc = bootstrap_first_open(steps) == BOOT_NSTEPS ? 0 : 1;
	session_close(&s);
	loop_free(&l);
	http_global_cleanup();
	return rc;
}

/* ---- jumpdeck rewrite-manifests --------------------------------------- */

struct git_wait {
	int done;
	int ok;
	struct git_state st;
	char err[600];
};

static void on_state(const struct git_state *s, void *ud)
{
	struct git_wait *w = ud;

	gitlocal_state_copy(&w->st, s);
	w->done = 1;
}

static void on_git_op(const struct git_op_result *r, void *ud)
{
	struct git_wait *w = ud;

	w->ok = r->ok;
	snprintf(w->err, sizeof(w->err), "%s", r->err.msg);
	print_lines(stdout, "  ", r->output);
	w->done = 1;
}

/* The clone's state, waited for; 0, or 1 after saying why not. */
static int git_state(struct loop *l, const char *dir, struct git_wait *w)
{
	struct err e;

	memset(w, 0, sizeof(*w));
	err_clear(&e);
	if (!gitlocal_probe(l, dir, on_state, w, &e)) {
		say(stderr, "jumpdeck: ", e.msg);
		return 1;
	}
	while (!w->done)
		loop_run_once(l, -1);
	if (!w->st.ok) {
		say(stderr, "jumpdeck: ", w->st.err.msg);
		gitlocal_state_clear(&w->st);
		return 1;
	}
	return 0;
}

/* One commit of the rewritten files of one kind (1 kustomization files,
 * 2 gotk-sync.yaml) with the walkthrough's message. */
static int commit_kind(struct loop *l, struct change_log *log,
		       const struct git_state *st, int kind, const char *msg)
{
	const char **paths = xcalloc(st->nkept + 1, sizeof(*paths));
	struct git_wait w;
	struct change *ch;
	char target[1200], who[300];
	size_t i, n = 0;

	for (i = 0; i < st->nkept; i++)
		if (gitlocal_manifest_path(st->dirty[i]) == kind)
			paths[n++] = st->dirty[i];
	if (!n) {
		free(paths);
		return 0;
	}
	snprintf(target, sizeof(target), "%s (%zu file%s)", st->root, n,
		 n == 1 ? "" : "s");
	local_identity(who, sizeof(who));
	ch = cli_change_begin(log, "git.commit", target, who, msg);
	if (!ch) {
		free(paths);
		return 1;
	}
	memset(&w, 0, sizeof(w));
	say(stdout, "git commit: ", msg);
	if (!gitlocal_commit(l, ch, st->root, msg, paths, on_git_op, &w)) {
		free(paths);
		return 1;
	}
	while (!w.done)
		loop_run_once(l, -1);
	free(paths);
	if (!w.ok) {
		say(stderr, "jumpdeck: ", w.err);
		return 1;
	}
	return 0;
}

static int do_commit(struct loop *l, struct change_log *log, const char *dir)
{
	struct git_wait w;
	size_t i, n = 0;
	int rc;

	if (git_state(l, dir, &w))
		return 1;
	for (i = 0; i < w.st.nkept; i++)
		n += gitlocal_manifest_path(w.st.dirty[i]) != 0;
	if (!n) {
		printf("nothing to commit: no rewritten file is left "
		       "uncommitted\n");
		gitlocal_state_clear(&w.st);
		return 0;
	}
	rc = commit_kind(l, log, &w.st, 1, MANIFESTS_MSG_REGISTRY);
	if (!rc)
		rc = commit_kind(l, log, &w.st, 2, MANIFESTS_MSG_ACCOUNT);
	gitlocal_state_clear(&w.st);
	return rc;
}

static int do_push(struct loop *l, struct change_log *log, const char *dir)
{
	struct git_wait w, pw;
	struct change *ch;
	char target[2600], who[300], sha[9];
	int rc = 0;

	if (git_state(l, dir, &w))
		return 1;
	snprintf(sha, sizeof(sha), "%.8s", w.st.head);
	if (!w.st.upstream[0]) {
		fprintf(stderr,
			"jumpdeck: branch %s has no upstream to push "
			"to; run: git -C %s push -u origin %s\n",
			w.st.branch[0] ? w.st.branch : "(detached)", w.st.root,
			w.st.branch[0] ? w.st.branch : "HEAD");
		rc = 1;
	} else if (w.st.remote_known &&
		   strcmp(w.st.head, w.st.remote_head) == 0) {
		printf("nothing to push: %s is at %s on %s\n", w.st.branch,
		       sha, w.st.upstream);
	} else if (w.st.remote_known && w.st.diverged) {
		struct change_req r;
		struct err e;
		char why[1400];

		/* Known before pushing: refused, and the refusal audited. */
		snprintf(target, sizeof(target), "%s -> %s (%s)", w.st.root,
			 w.st.remote_url, w.st.upstream);
		local_identity(who, sizeof(who));
		snprintf(why, sizeof(why),
			 "%s has commits this clone does not have; pull first "
			 "(git -C %s pull --rebase --autostash)",
			 w.st.upstream, w.st.root);
		memset(&r, 0, sizeof(r));
		r.action = "git.push";
		r.target = target;
		r.identity = who;
		err_clear(&e);
		change_refuse(log, &r, why, &e);
		say(stderr, "jumpdeck: push refused: ", e.msg);
		rc = 1;
	} else {
		snprintf(target, sizeof(target), "%s -> %s (%s)", w.st.root,
			 w.st.remote_url, w.st.upstream);
		local_identity(who, sizeof(who));
		ch = cli_change_begin(log, "git.push", target, who, NULL);
		if (!ch) {
			rc = 1;
		} else {
			memset(&pw, 0, sizeof(pw));
			say(stdout, "git push to ", w.st.remote_url);
			if (!gitlocal_push(l, ch, w.st.root, on_git_op, &pw))
				rc = 1;
			while (!rc && !pw.done)
				loop_run_once(l, -1);
			if (!rc && !pw.ok) {
				char line[700];

				snprintf(line, sizeof(line),
					 "%s; nothing changed locally",
					 pw.err);
				say(stderr, "jumpdeck: ", line);
				rc = 1;
			}
		}
	}
	gitlocal_state_clear(&w.st);
	return rc;
}

int cli_rewrite_manifests(const struct cli_opts *o, const char *dir_arg)
{
	const struct config *cfg = o->cfg;
	struct manifests_scan scan;
	struct manifests_plan plan;
	struct change_log *log = NULL;
	struct change *ch;
	struct loop *l = NULL;
	const char *dir, *registry, *account;
	char who[300], detail[300], target[1024], *diff;
	unsigned which = 0;
	struct err e;
	int rc = 0;

	dir = repo_dir(o, cfg, dir_arg);
	registry = config_get(cfg, CFG_REGISTRY);
	account = config_get(cfg, CFG_GITHUB_ACCOUNT);
	err_clear(&e);
	memset(&plan, 0, sizeof(plan));
	if (manifests_scan_dir(dir, &scan, &e) < 0) {
		say(stderr, "jumpdeck: ", e.msg);
		rc = 2;
		goto out;
	}
	/* Rewrite what a value was given for; name what is left. */
	which |= scan.registry_count && registry ? MANIFESTS_REGISTRY : 0;
	which |= scan.account_count && account ? MANIFESTS_ACCOUNT : 0;
	if (scan.registry_count && !registry)
		fprintf(stderr,
			"jumpdeck: %zu kustomization file%s still "
			"name%s " MANIFESTS_ACR_PLACEHOLDER
			": give --registry NAME to rewrite %s\n",
			scan.registry_files,
			scan.registry_files == 1 ? "" : "s",
			scan.registry_files == 1 ? "s" : "",
			scan.registry_files == 1 ? "it" : "them");
	if (scan.account_count && !account)
		fprintf(stderr,
			"jumpdeck: gotk-sync.yaml still "
			"names " MANIFESTS_ACCOUNT_PLACEHOLDER
			": give --github-account NAME to rewrite it\n");
	if (!which && !registry && !account &&
	    (scan.registry_count || scan.account_count)) {
		rc = 2;
		goto out;
	}
	log = cli_change_log(o, NULL);
	if (!which) {
		printf("nothing to rewrite: no placeholder is left in the %zu "
		       "files the walkthrough rewrites\n",
		       scan.files);
	} else {
		if (manifests_plan(&plan, dir, which, registry, account, &e) <
		    0) {
			append_err(&e, "; nothing was changed");
			say(stderr, "jumpdeck: rewrite refused: ", e.msg);
			rc = e.code == ERR_USAGE ? 2 : 1;
			goto out;
		}
		diff = manifests_diff(&plan);
		print_lines(stdout, "", diff);
		free(diff);
		if (o->dry_run) {
			fprintf(stderr,
				"dry run: %zu file%s would change; "
				"nothing was changed\n",
				plan.n, plan.n == 1 ? "" : "s");
			goto out;
		}
		local_identity(who, sizeof(who));
		snprintf(detail, sizeof(detail), "registry %s, account %s",
			 registry ? registry : "-", account ? account : "-");
		abs_path(plan.where.root, target, sizeof(target));
		ch = cli_change_begin(log, "manifests.rewrite", target, who,
				      detail);
		if (!ch) {
			rc = 1;
			goto out;
		}
		if (manifests_apply(&plan, ch, &e) < 0) {
			say(stderr, "jumpdeck: rewrite failed: ", e.msg);
			rc = 1;
			goto out;
		}
		say(stdout, "", ch->message);
	}
	if (o->dry_run || (!o->commit && !o->push))
		goto out;
	if (http_global_init(&e) < 0) {
		say(stderr, "jumpdeck: ", e.msg);
		rc = 1;
		goto out;
	}
	l = loop_new();
	if (o->commit)
		rc = do_commit(l, log, dir);
	if (!rc && o->push)
		rc = do_push(l, log, dir);
	loop_free(&l);
	http_global_cleanup();
out:
	manifests_plan_free(&plan);
	change_log_free(&log);
	return rc;
}

/* ---- jumpdeck bootstrap-flux ------------------------------------------ */

struct install_wait {
	int done, ok, tty;
	long long last_wait_line;
	char summary[600];
	char err[600];
};

static void on_progress(const char *text, void *ud)
{
	struct install_wait *w = ud;
	char *safe = text_safe(text, 150, NULL);
	long long now = loop_now_ms();

	if (w->tty) {
		fprintf(stderr, "\r\033[K%s", safe);
	} else if (strncmp(text, "waiting", 7) != 0 ||
		   now - w->last_wait_line >= 5000) {
		fprintf(stderr, "%s\n", safe);
		if (strncmp(text, "waiting", 7) == 0)
			w->last_wait_line = now;
	}
	fflush(stderr);
	free(safe);
}

static void on_installed(const struct flux_install_result *r, void *ud)
{
	struct install_wait *w = ud;

	w->done = 1;
	w->ok = r->ok;
	snprintf(w->summary, sizeof(w->summary), "%s", r->summary);
	snprintf(w->err, sizeof(w->err), "%s", r->err.msg);
}

int cli_bootstrap_flux(const struct cli_opts *o, const char *dir_arg)
{
	const struct config *cfg = o->cfg;
	struct cli_session s;
	struct change *ch;
	struct flux_install_opts fo;
	struct install_wait w;
	char target[1200], path[1024];
	const char *dir;
	int rc;

	dir = repo_dir(o, cfg, dir_arg);
	rc = cli_session_open(&s, o);
	if (rc)
		return rc;
	abs_path(dir, path, sizeof(path));
	snprintf(target, sizeof(target), "flux-system of %s", path);
	ch = cli_change_begin(s.changes, "flux.install", target,
			      kube_client_identity(s.kube), NULL);
	if (!ch) {
		rc = 1;
		goto out;
	}
	memset(&fo, 0, sizeof(fo));
	fo.dir = dir;
	fo.kubectl = getenv("JUMPDECK_KUBECTL");
	memset(&w, 0, sizeof(w));
	w.tty = isatty(2);
	if (!flux_install_start(s.kube, ch, &fo, on_progress, on_installed,
				&w)) {
		rc = 1;
		goto out;
	}
	while (!w.done)
		loop_run_once(s.loop, -1);
	if (w.tty)
		fputs("\r\033[K", stderr);
	if (!w.ok) {
		say(stderr, "jumpdeck: Flux install failed: ", w.err);
		rc = 1;
		goto out;
	}
	say(stdout, "Flux: ", w.summary);
out:
	cli_session_close(&s);
	if (rc)
		return rc;
	return cli_check(o);
}
