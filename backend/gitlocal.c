/* gitlocal.c - reads a local clone's state with git subprocesses, one at
 * a time on the loop, and its remote's HEAD with git_remote; commits and
 * pushes as git subprocesses without a terminal. Not a git library. */
#include "gitlocal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "git_remote.h"
#include "proc.h"
#include "xalloc.h"

/* No prompt can appear: git asks nothing, ssh has no terminal. */
static const char *const git_env[] = {
    "GIT_TERMINAL_PROMPT=0",	 "GIT_ASKPASS=", "SSH_ASKPASS=",
    "SSH_ASKPASS_REQUIRE=never", "LC_ALL=C",	 NULL,
};

/* ---- credentials ------------------------------------------------------ */

/* Whether the scheme ending at text[i] ("...://") is http or https,
 * where the whole user part may be a token. */
static int http_scheme(const char *text, size_t i)
{
	size_t b = i;

	while (b > 0 && ((text[b - 1] >= 'a' && text[b - 1] <= 'z') ||
			 (text[b - 1] >= 'A' && text[b - 1] <= 'Z')))
		b--;
	return (i - b == 4 && strncasecmp(text + b, "http", 4) == 0) ||
	       (i - b == 5 && strncasecmp(text + b, "https", 5) == 0);
}

char *gitlocal_strip_credentials(const char *text)
{
	size_t n = text ? strlen(text) : 0, i = 0, o = 0;
	char *out = xmalloc(n + 1);

	while (i < n) {
		size_t j, at = 0, colon = 0;

		if (i + 3 <= n && memcmp(text + i, "://", 3) == 0) {
			int http = http_scheme(text, i);

			memcpy(out + o, "://", 3);
			o += 3;
			i += 3;
			/* The user part ends at '@' before any '/', space or
			 * quote. HTTP(S): drop it all (a user may be a token);
			 * others (ssh://git@...): drop only ":password". */
			for (j = i; j < n; j++) {
				char c = text[j];

				if (c == '@')
					at = j;
				if (c == ':' && !at && !colon)
					colon = j;
				if (c == '/' || c == ' ' || c == '\n' ||
				    c == '\t' || c == '\'' || c == '"' ||
				    c == '>' || c == '\r')
					break;
			}
			if (at && http) {
				i = at + 1;
			} else if (at && colon && colon < at) {
				memcpy(out + o, text + i, colon - i);
				o += colon - i;
				i = at;
			}
			continue;
		}
		out[o++] = text[i++];
	}
	out[o] = '\0';
	return out;
}

/* Split a URL's user part off for git_remote, which takes it apart:
 * *user and *pass (may stay NULL) and the URL without them. */
static void split_userinfo(const char *url, char **clean, char **user,
			   char **pass)
{
	const char *s = strstr(url, "://"), *h, *at = NULL, *colon = NULL;

	*user = *pass = NULL;
	if (!s || !http_scheme(url, (size_t)(s - url))) {
		*clean = xstrdup(url);
		return;
	}
	h = s + 3;
	for (s = h; *s && *s != '/'; s++) {
		if (*s == '@')
			at = s;
		if (*s == ':' && !at && !colon)
			colon = s;
	}
	if (!at) {
		*clean = xstrdup(url);
		return;
	}
	if (colon && colon < at) {
		*user = xstrndup(h, (size_t)(colon - h));
		*pass = xstrndup(colon + 1, (size_t)(at - colon - 1));
	} else {
		*user = xstrndup(h, (size_t)(at - h));
	}
	*clean = xasprintf("%.*s%s", (int)(h - url), url, at + 1);
}

/* ---- the probe -------------------------------------------------------- */

enum probe_step {
	P_TOPLEVEL,
	P_HEAD,
	P_BRANCH,
	P_UPSTREAM,
	P_URL,
	P_STATUS,
	P_REMOTE,
	P_ANCESTOR,
	P_COUNT,
	P_DONE,
};

struct git_probe {
	struct loop *loop;
	enum probe_step step;
	char *dir;
	struct proc *proc;
	struct git_remote_call *remote;
	int starting;  /* inside gitlocal_probe(): do not finish */
	char *raw_url; /* as git has it, credentials and all */
	git_state_fn done;
	void *ud;
	struct git_state st;
};

static void probe_next(struct git_probe *p);

static void finish_probe(struct git_probe *p)
{
	p->step = P_DONE;
	p->done(&p->st, p->ud);
	gitlocal_state_clear(&p->st);
	xfree_secret_str(p->raw_url);
	free(p->dir);
	free(p);
}

/* The first line of s, without its line break, into dst. */
static void first_line(char *dst, size_t sz, const char *s)
{
	size_t n = strcspn(s, "\r\n");

	if (n >= sz)
		n = sz - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The last non-empty line of git's stderr, as the reason. */
static void git_reason(struct err *e, const char *what,
		       const struct proc_result *r)
{
	const char *s = r->err_len ? r->errout : r->out;
	const char *end = s + strlen(s), *b;
	char *line, *clean;

	if (r->err.code) {
		err_set(e, r->err.code, "%s: %s", what, r->err.msg);
		return;
	}
	while (end > s &&
	       (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	b = end;
	while (b > s && b[-1] != '\n')
		b--;
	line = xstrndup(b, (size_t)(end - b));
	clean = gitlocal_strip_credentials(line);
	free(line);
	if (clean[0])
		err_set(e, ERR_IO, "%s: %s", what, clean);
	else
		err_set(e, ERR_IO, "%s: git exited with status %d", what,
			r->exit_code);
	free(clean);
}

static void on_git(const struct proc_result *r, void *ud);

static void run_git(struct git_probe *p, const char *const *args)
{
	const char *argv[16];
	struct proc_opts po;
	struct err e;
	size_t i, n = 0;

	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = p->st.root[0] ? p->st.root : p->dir;
	for (i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	memset(&po, 0, sizeof(po));
	po.no_tty = 1;
	po.max_output = 4 * 1024 * 1024;
	err_clear(&e);
	p->proc = proc_start_opts(p->loop, argv, git_env, GITLOCAL_STEP_MS,
				  &po, on_git, p, &e);
	if (!p->proc) {
		p->st.ok = 0;
		p->st.err = e;
		if (!p->starting)
			finish_probe(p);
	}
}

static void add_dirty(struct git_state *s, const char *path)
{
	size_t cap = s->nkept;

	s->ndirty++;
	if (s->nkept >= GITLOCAL_MAX_DIRTY)
		return;
	s->dirty = xgrow(s->dirty, &cap, s->nkept + 1, sizeof(*s->dirty));
	s->dirty[s->nkept++] = xstrdup(path);
}

/* `git status --porcelain=v1 -z`: "XY path\0", renames add "\0orig". */
static void parse_status(struct git_state *s, const char *out, size_t len)
{
	size_t i = 0;

	while (i + 3 < len) {
		const char *rec = out + i;
		size_t rl = strnlen(rec, len - i);

		if (rl >= 4) {
			if (rec[0] == '?' && rec[1] == '?')
				s->untracked++;
			else if (rec[0] != '!')
				add_dirty(s, rec + 3);
		}
		i += rl + 1;
		if (rl >= 1 && (rec[0] == 'R' || rec[0] == 'C') && i < len)
			i += strnlen(out + i, len - i) + 1;
	}
}

static void on_remote(const struct git_remote_result *r, void *ud)
{
	struct git_probe *p = ud;

	p->remote = NULL;
	if (r->ok) {
		p->st.remote_known = 1;
		snprintf(p->st.remote_head, sizeof(p->st.remote_head), "%s",
			 r->sha);
	} else {
		p->st.remote_err = r->err;
	}
	p->step = P_ANCESTOR;
	probe_next(p);
}

static void on_git(const struct proc_result *r, void *ud)
{
	struct git_probe *p = ud;
	struct git_state *s = &p->st;
	char line[1024];

	p->proc = NULL;
	switch (p->step) {
	case P_TOPLEVEL:
		if (r->err.code || r->exit_code != 0) {
			git_reason(&s->err, "not a git clone", r);
			snprintf(line, sizeof(line), "%s", s->err.msg);
			err_set(&s->err, ERR_NOTFOUND, "%s: %s", p->dir, line);
			finish_probe(p);
			return;
		}
		first_line(s->root, sizeof(s->root), r->out);
		s->ok = 1;
		p->step = P_HEAD;
		break;
	case P_HEAD:
		if (r->exit_code == 0)
			first_line(s->head, sizeof(s->head), r->out);
		p->step = P_BRANCH;
		break;
	case P_BRANCH:
		if (r->exit_code == 0)
			first_line(s->branch, sizeof(s->branch), r->out);
		p->step = s->branch[0] ? P_UPSTREAM : P_STATUS;
		break;
	case P_UPSTREAM:
		/* "remote\tref\tshort" */
		if (r->exit_code == 0 && r->out[0] && r->out[0] != '\t') {
			char *a, *b;

			first_line(line, sizeof(line), r->out);
			a = strchr(line, '\t');
			b = a ? strchr(a + 1, '\t') : NULL;
			if (a && b) {
				*a = *b = '\0';
				snprintf(s->remote, sizeof(s->remote),
					 "%.127s", line);
				snprintf(s->remote_ref, sizeof(s->remote_ref),
					 "%.255s", a + 1);
				snprintf(s->upstream, sizeof(s->upstream),
					 "%.255s", b + 1);
			}
		}
		p->step = s->remote[0] ? P_URL : P_STATUS;
		break;
	case P_URL:
		if (r->exit_code == 0) {
			char *clean;

			first_line(line, sizeof(line), r->out);
			p->raw_url = xstrdup(line);
			clean = gitlocal_strip_credentials(line);
			snprintf(s->remote_url, sizeof(s->remote_url), "%s",
				 clean);
			free(clean);
		}
		p->step = P_STATUS;
		break;
	case P_STATUS:
		if (r->exit_code == 0)
			parse_status(s, r->out, r->out_len);
		p->step = P_REMOTE;
		break;
	case P_ANCESTOR:
		/* 0: the remote's commit is in HEAD's history; 1: it is
		 * not; 128: this clone does not have it. */
		if (r->exit_code == 0) {
			p->step = P_COUNT;
			break;
		}
		s->diverged = 1;
		finish_probe(p);
		return;
	case P_COUNT: {
		char *end = NULL;
		long v = strtol(r->out, &end, 10);

		/* git prints a count and a line break */
		if (end != r->out && v >= 0 && v < 1000000)
			s->ahead = (int)v;
		else
			s->diverged = 1; /* cannot tell how far */
	}
		finish_probe(p);
		return;
	default:
		finish_probe(p);
		return;
	}
	probe_next(p);
}

static void probe_next(struct git_probe *p)
{
	struct git_state *s = &p->st;
	char range[160];

	switch (p->step) {
	case P_TOPLEVEL: {
		static const char *const a[] = {"rev-parse", "--show-toplevel",
						NULL};
		run_git(p, a);
		return;
	}
	case P_HEAD: {
		static const char *const a[] = {"rev-parse", "-q", "--verify",
						"HEAD^{commit}", NULL};
		run_git(p, a);
		return;
	}
	case P_BRANCH: {
		static const char *const a[] = {"symbolic-ref", "-q",
						"--short", "HEAD", NULL};
		run_git(p, a);
		return;
	}
	case P_UPSTREAM: {
		char ref[300];
		const char *a[] = {"for-each-ref",
				   "--format=%(upstream:remotename)\t"
				   "%(upstream:remoteref)\t%(upstream:short)",
				   ref, NULL};

		snprintf(ref, sizeof(ref), "refs/heads/%s", s->branch);
		run_git(p, a);
		return;
	}
	case P_URL: {
		const char *a[] = {"ls-remote", "--get-url", s->remote, NULL};

		run_git(p, a);
		return;
	}
	case P_STATUS: {
		static const char *const a[] = {"status", "--porcelain=v1",
						"-z", NULL};
		run_git(p, a);
		return;
	}
	case P_REMOTE: {
		struct git_remote_opts o;
		struct err e;
		char *url, *user, *pass;

		if (!p->raw_url || !s->remote_ref[0]) {
			finish_probe(p);
			return;
		}
		split_userinfo(p->raw_url, &url, &user, &pass);
		memset(&o, 0, sizeof(o));
		o.url = url;
		o.ref = s->remote_ref;
		o.username = user;
		o.password = pass;
		o.use_agent = 1;
		err_clear(&e);
		p->remote = git_remote_head(p->loop, &o, on_remote, p, &e);
		free(url);
		xfree_secret_str(user);
		xfree_secret_str(pass);
		if (!p->remote) {
			s->remote_err = e;
			finish_probe(p);
		}
		return;
	}
	case P_ANCESTOR: {
		const char *a[] = {"merge-base", "--is-ancestor",
				   s->remote_head, "HEAD", NULL};

		if (!s->remote_known || !s->head[0] ||
		    strcmp(s->remote_head, s->head) == 0) {
			finish_probe(p);
			return;
		}
		run_git(p, a);
		return;
	}
	case P_COUNT: {
		const char *a[] = {"rev-list", "--count", range, NULL};

		snprintf(range, sizeof(range), "%s..HEAD", s->remote_head);
		run_git(p, a);
		return;
	}
	default:
		finish_probe(p);
		return;
	}
}

struct git_probe *gitlocal_probe(struct loop *l, const char *dir,
				 git_state_fn done, void *ud, struct err *e)
{
	struct git_probe *p;

	if (!dir || !dir[0]) {
		err_set(e, ERR_USAGE, "no clone folder given");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->loop = l;
	p->dir = xstrdup(dir);
	p->done = done;
	p->ud = ud;
	p->step = P_TOPLEVEL;
	p->starting = 1;
	probe_next(p);
	p->starting = 0;
	if (!p->proc) { /* git could not be started */
		if (e)
			*e = p->st.err;
		free(p->dir);
		free(p);
		return NULL;
	}
	return p;
}

void gitlocal_probe_cancel(struct git_probe *p)
{
	if (!p)
		return;
	proc_cancel(p->proc);
	git_remote_cancel(p->remote);
	gitlocal_state_clear(&p->st);
	xfree_secret_str(p->raw_url);
	free(p->dir);
	free(p);
}

int gitlocal_manifest_path(const char *path)
{
	static const char dir[] = "cluster-manifests/";
	static const char leaf[] = "/kustomization.yaml";
	size_t n = strlen(path), ln = sizeof(leaf) - 1;

	if (strncmp(path, dir, sizeof(dir) - 1) != 0)
		return 0;
	if (strcmp(path, "cluster-manifests/flux-system/gotk-sync.yaml") == 0)
		return 2;
	if (n > ln && strcmp(path + n - ln, leaf) == 0)
		return 1;
	return 0;
}

void gitlocal_state_clear(struct git_state *s)
{
	size_t i;

	for (i = 0; i < s->nkept; i++)
		free(s->dirty[i]);
	free(s->dirty);
	s->dirty = NULL;
	s->nkept = 0;
}

void gitlocal_state_copy(struct git_state *dst, const struct git_state *src)
{
	size_t i;

	*dst = *src;
	dst->dirty =
	    src->nkept ? xcalloc(src->nkept, sizeof(*dst->dirty)) : NULL;
	for (i = 0; i < src->nkept; i++)
		dst->dirty[i] = xstrdup(src->dirty[i]);
}

/* ---- commit and push -------------------------------------------------- */

struct git_op {
	struct loop *loop;
	struct change *ch;
	struct proc *proc;
	git_op_fn done;
	void *ud;
	char what[32];
};

static void on_op(const struct proc_result *r, void *ud)
{
	struct git_op *op = ud;
	struct git_op_result res;
	size_t ol = r->out_len, el = r->err_len;
	char *both, *clean;
	struct err audit;

	op->proc = NULL;
	memset(&res, 0, sizeof(res));
	if (ol > GITLOCAL_MAX_OUTPUT)
		ol = GITLOCAL_MAX_OUTPUT;
	if (el > GITLOCAL_MAX_OUTPUT - ol)
		el = GITLOCAL_MAX_OUTPUT - ol;
	both = xmalloc(ol + el + 1);
	memcpy(both, r->out, ol);
	memcpy(both + ol, r->errout, el);
	both[ol + el] = '\0';
	clean = gitlocal_strip_credentials(both);
	free(both);
	res.output = clean;
	res.ok = !r->err.code && r->exit_code == 0;
	if (!res.ok)
		git_reason(&res.err, op->what, r);
	err_clear(&audit);
	if (change_end(op->ch, res.ok, res.ok ? NULL : res.err.msg, &audit) <
		0 &&
	    res.ok) {
		res.ok = 0;
		res.err = audit;
	}
	op->done(&res, op->ud);
	free(clean);
	free(op);
}

static struct git_op *start_op(struct loop *l, struct change *ch,
			       const char *what, const char *const argv[],
			       long timeout_ms, git_op_fn done, void *ud)
{
	struct git_op *op;
	struct proc_opts po;
	struct err e;

	if (!ch || !change_running(ch))
		return NULL;
	op = xcalloc(1, sizeof(*op));
	op->loop = l;
	op->ch = ch;
	op->done = done;
	op->ud = ud;
	snprintf(op->what, sizeof(op->what), "%s", what);
	memset(&po, 0, sizeof(po));
	po.no_tty = 1;
	po.max_output = 4 * 1024 * 1024;
	err_clear(&e);
	change_progress(ch, what);
	op->proc =
	    proc_start_opts(l, argv, git_env, timeout_ms, &po, on_op, op, &e);
	if (!op->proc) {
		struct git_op_result res;

		memset(&res, 0, sizeof(res));
		res.err = e;
		res.output = "";
		change_end(ch, 0, e.msg, NULL);
		done(&res, ud);
		free(op);
		return NULL;
	}
	return op;
}

struct git_op *gitlocal_commit(struct loop *l, struct change *ch,
			       const char *root, const char *message,
			       const char *const paths[], git_op_fn done,
			       void *ud)
{
	const char **argv;
	struct git_op *op;
	size_t n = 0, i = 0;

	while (paths && paths[n])
		n++;
	argv = xcalloc(n + 8, sizeof(*argv));
	argv[i++] = "git";
	argv[i++] = "-C";
	argv[i++] = root;
	argv[i++] = "commit";
	argv[i++] = "-m";
	argv[i++] = message;
	argv[i++] = "--";
	for (n = 0; paths && paths[n]; n++)
		argv[i++] = paths[n];
	argv[i] = NULL;
	op = start_op(l, ch, "git commit", argv, GITLOCAL_STEP_MS, done, ud);
	free(argv);
	return op;
}

struct git_op *gitlocal_push(struct loop *l, struct change *ch,
			     const char *root, git_op_fn done, void *ud)
{
	const char *argv[] = {"git", "-C", root, "push", NULL};

	return start_op(l, ch, "git push", argv, GITLOCAL_PUSH_MS, done, ud);
}

void gitlocal_op_cancel(struct git_op *op)
{
	if (!op)
		return;
	proc_cancel(op->proc);
	change_end(op->ch, 0, "jumpdeck stopped following it", NULL);
	free(op);
}
