/* cli_complete.c - `jumpdeck __complete WORD...`, what the bash and zsh
 * completion scripts ask: candidates for the last word, one a line.
 * Commands and options come from main.c's tables, contexts from the
 * kubeconfig, images from the config; nodes and Flux objects from the
 * cluster, cached a minute in the XDG cache dir and fetched within 2 s.
 * The answer never takes more than 3 s: a shell must not hang. */
#include "cli.h"
#include "backend/config.h"
#include "backend/flux.h"
#include "backend/flux_watch.h"
#include "backend/http.h"
#include "backend/images.h"
#include "backend/kube.h"
#include "backend/kubeconfig.h"
#include "backend/loop.h"
#include "backend/xalloc.h"
#include "backend/xdg.h"
#include "tui/theme.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FETCH_MS     2000 /* asking the cluster */
#define HARD_LIMIT_S 3	  /* the whole answer, whatever happens */
#define CACHE_TTL_S  60	  /* a cached list younger than this is used as is */
#define MAX_POS	     8

/* What the words before the last one say. */
struct line {
	const struct cli_command *cmd;
	int unknown_cmd;
	const char *pos[MAX_POS];
	int npos;
	const char *kubeconfig, *context, *config, *ns;
	const struct cli_option *pending; /* the last word wants a value */
	int no_options;			  /* after "--" */
};

/* The candidates, filtered by the prefix. */
struct out {
	char **v;
	size_t n, cap;
	const char *prefix; /* what the word must start with */
	const char *lead;   /* written before each ("--context=") */
};

/* Printed as is when the hard limit strikes (see on_alarm). */
static char *fallback;
static size_t fallback_len;

/* Words a shell can take without quoting, and no terminal controls:
 * cluster names are DNS-1123, image refs and contexts close to it. */
static int word_ok(const char *w)
{
	if (!*w)
		return 0;
	for (; *w; w++) {
		unsigned char ch = (unsigned char)*w;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("._-:/@+=,%", ch)))
			return 0;
	}
	return 1;
}

static void offer(struct out *o, const char *w)
{
	size_t i;

	if (!word_ok(w) || strncmp(w, o->prefix, strlen(o->prefix)) != 0)
		return;
	for (i = 0; i < o->n; i++)
		if (strcmp(o->v[i] + strlen(o->lead), w) == 0)
			return;
	o->v = xgrow(o->v, &o->cap, o->n + 1, sizeof(*o->v));
	o->v[o->n++] = xasprintf("%s%s", o->lead, w);
}

static char *out_text(const struct out *o, size_t *len)
{
	size_t i, total = 1;
	char *s, *p;

	for (i = 0; i < o->n; i++)
		total += strlen(o->v[i]) + 1;
	s = xmalloc(total);
	p = s;
	for (i = 0; i < o->n; i++) {
		size_t l = strlen(o->v[i]);

		memcpy(p, o->v[i], l);
		p[l] = '\n';
		p += l + 1;
	}
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

static void out_clear(struct out *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->v[i]);
	free(o->v);
	o->v = NULL;
	o->n = o->cap = 0;
}

static void on_alarm(int sig)
{
	ssize_t w = 0;

	(void)sig;
	if (fallback && fallback_len)
		w = write(1, fallback, fallback_len);
	(void)w;
	_exit(0);
}

/* ---- the words ------------------------------------------------------ */

static const struct cli_option *option_long(const char *name, size_t len)
{
	const struct cli_option *op;

	for (op = cli_options; op->name; op++)
		if (strlen(op->name) == len &&
		    strncmp(op->name, name, len) == 0)
			return op;
	return NULL;
}

static const struct cli_option *option_short(int c)
{
	const struct cli_option *op;

	for (op = cli_options; op->name; op++)
		if (op->short_name && op->short_name == c)
			return op;
	return NULL;
}

static void remember(struct line *l, const struct cli_option *op,
		     const char *v)
{
	if (strcmp(op->name, "kubeconfig") == 0)
		l->kubeconfig = v;
	else if (strcmp(op->name, "context") == 0)
		l->context = v;
	else if (strcmp(op->name, "config") == 0)
		l->config = v;
	else if (strcmp(op->name, "namespace") == 0)
		l->ns = v;
}

static void read_words(struct line *l, int n, char **w)
{
	const struct cli_command *c;
	int i;

	for (i = 0; i < n; i++) {
		const char *s = w[i];

		if (l->pending) {
			remember(l, l->pending, s);
			l->pending = NULL;
		} else if (!l->no_options && strcmp(s, "--") == 0) {
			l->no_options = 1;
		} else if (!l->no_options && strncmp(s, "--", 2) == 0) {
			const char *eq = strchr(s, '=');
			const struct cli_option *op = option_long(
			    s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2));

			if (op && op->arg && eq)
				remember(l, op, eq + 1);
			else if (op && op->arg)
				l->pending = op;
		} else if (!l->no_options && s[0] == '-' && s[1]) {
			const struct cli_option *op = option_short(s[1]);

			if (op && op->arg && s[2])
				remember(l, op, s + 2);
			else if (op && op->arg)
				l->pending = op;
		} else if (!l->cmd && !l->unknown_cmd) {
			for (c = cli_commands; c->name; c++)
				if (strcmp(c->name, s) == 0 && !c->hidden)
					l->cmd = c;
			l->unknown_cmd = !l->cmd;
		} else if (l->npos < MAX_POS) {
			l->pos[l->npos++] = s;
		}
	}
}

/* ---- local lists ---------------------------------------------------- */

static void offer_contexts(struct out *o, const struct line *l)
{
	struct kubeconfig *kc = NULL;
	struct err e;
	size_t i;

	if (kubeconfig_load(&kc, l->kubeconfig, &e) < 0)
		return;
	for (i = 0; i < kc->ncontexts; i++)
		offer(o, kc->contexts[i].name);
	kubeconfig_free(&kc);
}

static void offer_themes(struct out *o)
{
	size_t n, i;
	char **v = theme_list(&n);

	for (i = 0; i < n; i++) {
		offer(o, v[i]);
		free(v[i]);
	}
	free(v);
}

/* Short names ("kured"), or path:tag when two images share one. */
static void offer_images(struct out *o, const struct line *l)
{
	struct config c;
	size_t i, j;

	config_load(&c, l->config, NULL);
	for (i = 0; i < c.nimages; i++) {
		struct image_ref r, r2;
		const char *base;
		int shared = 0;
		char buf[700];

		if (image_ref_parse(c.images[i], &r, NULL) < 0)
			continue;
		base = strrchr(r.path, '/');
		base = base ? base + 1 : r.path;
		for (j = 0; j < c.nimages; j++) {
			const char *b2;

			if (j == i ||
			    image_ref_parse(c.images[j], &r2, NULL) < 0)
				continue;
			b2 = strrchr(r2.path, '/');
			b2 = b2 ? b2 + 1 : r2.path;
			if (strcmp(base, b2) == 0)
				shared = 1;
		}
		if (shared)
			snprintf(buf, sizeof(buf), "%s:%s", r.path, r.tag);
		else
			snprintf(buf, sizeof(buf), "%s", base);
		offer(o, buf);
	}
	config_free(&c);
}

static void offer_flux_kinds(struct out *o)
{
	int k;

	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const struct flux_kind_info *fk = flux_kind_get(k);

		offer(o, fk->singular);
		if (*fk->short_name)
			offer(o, fk->short_name);
	}
}

/* ---- cluster lists, cached ------------------------------------------ */

/* One cached item: "node NAME" or "flux KIND NAMESPACE NAME". */
struct items {
	char **v;
	size_t n, cap;
};

static void items_add(struct items *it, const char *s)
{
	it->v = xgrow(it->v, &it->cap, it->n + 1, sizeof(*it->v));
	it->v[it->n++] = xstrdup(s);
}

static void items_clear(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->v[i]);
	free(it->v);
	memset(it, 0, sizeof(*it));
}

/* The cache file for this cluster and context, or NULL. */
static char *cache_path(const struct line *l, const char *what)
{
	struct kubeconfig *kc = NULL;
	const struct kubeconfig_context *ctx;
	const struct kubeconfig_cluster *cl;
	const char *name;
	unsigned long long h = 1469598103934665603ULL;
	char leaf[96], key[1200];
	struct err e;
	size_t i;

	if (kubeconfig_load(&kc, l->kubeconfig, &e) < 0)
		return NULL;
	name = l->context ? l->context : kc->current_context;
	ctx = name ? kubeconfig_find_context(kc, name) : NULL;
	cl = ctx && ctx->cluster ? kubeconfig_find_cluster(kc, ctx->cluster)
				 : NULL;
	if (!cl || !cl->server) {
		kubeconfig_free(&kc);
		return NULL;
	}
	snprintf(key, sizeof(key), "%s\n%s", cl->server, name);
	kubeconfig_free(&kc);
	for (i = 0; key[i]; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	snprintf(leaf, sizeof(leaf), "complete/%s-%016llx", what, h);
	return xdg_cache_path(leaf);
}

/* Read a cache file; its age in seconds, or -1 when there is none. */
static long read_cache(const char *path, struct items *it)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char buf[1024];
	long age;

	if (!f)
		return -1;
	if (fstat(fileno(f), &st) < 0 || !fgets(buf, sizeof(buf), f) ||
	    strcmp(buf, "jumpdeck-complete 1\n") != 0) {
		fclose(f);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (*buf)
			items_add(it, buf);
	}
	fclose(f);
	age = (long)(time(NULL) - st.st_mtime);
	return age < 0 ? 0 : age;
}

static void write_cache(const char *path, const struct items *it)
{
	size_t i, len = 0, cap = 0;
	char *s = NULL;
	struct err e;

	s = xgrow(s, &cap, 32, 1);
	len = (size_t)snprintf(s, cap, "jumpdeck-complete 1\n");
	for (i = 0; i < it->n; i++) {
		size_t l = strlen(it->v[i]);

		s = xgrow(s, &cap, len + l + 2, 1);
		memcpy(s + len, it->v[i], l);
		s[len + l] = '\n';
		len += l + 1;
	}
	if (xdg_mkdirs(path, &e) == 0)
		write_file_atomic(path, s, len, 0600, &e);
	free(s);
}

struct fetch {
	int done, expired;
	cJSON *json;
};

static void on_deadline(void *ud)
{
	((struct fetch *)ud)->expired = 1;
}

static void on_list(struct kube_result *r, void *ud)
{
	struct fetch *f = ud;

	f->done = 1;
	if (r->ok) {
		f->json = r->json;
		r->json = NULL;
	}
}

static void on_flux_change(struct flux_watch *w, void *ud)
{
	if (flux_watch_settled(w))
		((struct fetch *)ud)->done = 1;
}

static const struct flux_watch_ops fetch_ops = {.on_change = on_flux_change};

static void node_items(const cJSON *list, struct items *it)
{
	const cJSON *item;
	char buf[400];

	cJSON_ArrayForEach(item, cJSON_GetObjectItem(list, "items"))
	{
		const cJSON *md = cJSON_GetObjectItem(item, "metadata");
		const char *name =
		    cJSON_GetStringValue(cJSON_GetObjectItem(md, "name"));

		if (!name)
			continue;
		snprintf(buf, sizeof(buf), "node %s", name);
		items_add(it, buf);
	}
}

/* Ask the cluster, non-interactively, within FETCH_MS. */
static int fetch(const struct line *l, int flux, struct items *it)
{
	struct kubeconfig *kc = NULL;
	struct kube_client *kube = NULL;
	struct flux_watch *w = NULL;
	struct kube_target t;
	struct kube_conn conn;
	struct loop *lp;
	struct fetch f;
	struct err e;
	int ok = 0;

	memset(&t, 0, sizeof(t));
	memset(&f, 0, sizeof(f));
	if (kubeconfig_load(&kc, l->kubeconfig, &e) < 0)
		return -1;
	if (kubeconfig_resolve(kc, l->context, &t, &e) < 0) {
		kubeconfig_free(&kc);
		return -1;
	}
	kube_conn_from_target(&conn, &t);
	kube_target_clear(&t);
	kubeconfig_free(&kc);
	if (http_global_init(&e) < 0) {
		kube_conn_clear(&conn);
		return -1;
	}
	lp = loop_new();
	if (kube_client_new(&kube, lp, &conn, &e) == 0) {
		kube_client_set_foreground(kube, NULL, NULL, 0);
		loop_timer_add(lp, FETCH_MS, on_deadline, &f);
		if (flux)
			w = flux_watch_start(kube, NULL, &fetch_ops, &f);
		else
			kube_list(kube, "/api/v1/nodes", on_list, &f);
		while (!f.done && !f.expired)
			loop_run_once(lp, -1);
		if (flux && f.done && !flux_watch_not_installed(w)) {
			struct flux_object *v = NULL;
			size_t n = 0, i;
			char buf[800];

			flux_watch_objects(w, &v, &n);
			for (i = 0; i < n; i++) {
				snprintf(buf, sizeof(buf), "flux %d %s %s",
					 (int)v[i].kind, v[i].namespace,
					 v[i].name);
				items_add(it, buf);
			}
			flux_objects_free(&v, n);
			ok = 1;
		} else if (!flux && f.json) {
			node_items(f.json, it);
			ok = 1;
		}
		flux_watch_stop(&w);
		kube_client_free(&kube);
	}
	cJSON_Delete(f.json);
	kube_conn_clear(&conn);
	loop_free(&lp);
	http_global_cleanup();
	return ok ? 0 : -1;
}

static void offer_items(struct out *o, const struct line *l, int kind,
			const struct items *it)
{
	enum flux_kind fk = FLUX_KIND_COUNT;
	const char *ns = l->ns ? l->ns : "flux-system";
	size_t i;

	if (kind == CLI_ARG_FLUX_NAME &&
	    (l->npos < 1 || flux_kind_parse(l->pos[l->npos - 1], &fk) < 0))
		return;
	for (i = 0; i < it->n; i++) {
		char ons[256], oname[256];
		int k;

		if (kind == CLI_ARG_NODE && strncmp(it->v[i], "node ", 5) == 0)
			offer(o, it->v[i] + 5);
		if (kind == CLI_ARG_NODE ||
		    sscanf(it->v[i], "flux %d %255s %255s", &k, ons, oname) !=
			3)
			continue;
		if (kind == CLI_ARG_NAMESPACE)
			offer(o, ons);
		else if (k == (int)fk && strcmp(ons, ns) == 0)
			offer(o, oname);
	}
}

static void offer_cluster(struct out *o, const struct line *l, int kind)
{
	int flux = kind != CLI_ARG_NODE;
	char *path = cache_path(l, flux ? "flux" : "nodes");
	struct items it;
	long age;

	memset(&it, 0, sizeof(it));
	if (!path)
		return;
	age = read_cache(path, &it);
	if (age < 0 || age > CACHE_TTL_S) {
		struct items fresh;

		/* If the cluster is slow, the stale answer is printed. */
		offer_items(o, l, kind, &it);
		fallback = out_text(o, &fallback_len);
		out_clear(o);
		alarm(HARD_LIMIT_S);
		memset(&fresh, 0, sizeof(fresh));
		if (fetch(l, flux, &fresh) == 0) {
			write_cache(path, &fresh);
			items_clear(&it);
			it = fresh;
		} else {
			/* Unreachable: keep answering from the old list for
			 * a minute rather than waiting at every TAB. */
			items_clear(&fresh);
			if (age >= 0)
				write_cache(path, &it);
		}
	}
	offer_items(o, l, kind, &it);
	items_clear(&it);
	free(path);
}

/* ---- answer --------------------------------------------------------- */

static void offer_kind(struct out *o, const struct line *l, int kind)
{
	switch (kind) {
	case CLI_ARG_FILE:
		/* The shell completes file names itself. */
		o->v = xgrow(o->v, &o->cap, o->n + 1, sizeof(*o->v));
		o->v[o->n++] = xstrdup(":files");
		break;
	case CLI_ARG_CONTEXT:
		offer_contexts(o, l);
		break;
	case CLI_ARG_THEME:
		offer_themes(o);
		break;
	case CLI_ARG_NODE:
	case CLI_ARG_NAMESPACE:
	case CLI_ARG_FLUX_NAME:
		offer_cluster(o, l, kind);
		break;
	case CLI_ARG_FLUX_KIND:
		offer_flux_kinds(o);
		break;
	case CLI_ARG_IMAGE:
		offer_images(o, l);
		break;
	case CLI_ARG_AUDIT_VERB:
		offer(o, "verify");
		break;
	default:
		break;
	}
}

/* The argument kind of the next positional of the command, or NONE. */
static int positional_kind(const struct line *l)
{
	const struct cli_command *c = l->cmd;
	int i = l->npos;

	if (c->max_args >= 0 && i >= c->max_args)
		return CLI_ARG_NONE;
	if (i > 2)
		i = 2;
	while (i > 0 && c->args[i] == CLI_ARG_NONE && c->max_args < 0)
		i--;
	return c->args[i];
}

int cli_complete(const struct cli_opts *o, int argc, char **argv)
{
	const char *cur = argc > 0 ? argv[argc - 1] : "";
	struct line l;
	struct out out;
	struct sigaction sa;
	const struct cli_command *c;
	const struct cli_option *op;
	size_t i;

	(void)o;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	if (argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	}
	memset(&l, 0, sizeof(l));
	memset(&out, 0, sizeof(out));
	out.prefix = cur;
	out.lead = "";
	read_words(&l, argc > 0 ? argc - 1 : 0, argv);
	if (l.pending) {
		offer_kind(&out, &l, l.pending->complete);
	} else if (!l.no_options && strncmp(cur, "--", 2) == 0 &&
		   strchr(cur, '=')) {
		const char *eq = strchr(cur, '=');
		char lead[64];

		op = option_long(cur + 2, (size_t)(eq - cur - 2));
		if (op && op->arg && op->complete != CLI_ARG_FILE) {
			snprintf(lead, sizeof(lead), "%.*s",
				 (int)(eq - cur + 1), cur);
			out.prefix = eq + 1;
			out.lead = lead;
			offer_kind(&out, &l, op->complete);
			out.lead = "";
		}
	} else if (!l.no_options && cur[0] == '-') {
		char buf[64];

		for (op = cli_options; op->name; op++) {
			snprintf(buf, sizeof(buf), "--%s", op->name);
			offer(&out, buf);
		}
	} else if (!l.cmd && !l.unknown_cmd) {
		for (c = cli_commands; c->name; c++)
			if (!c->hidden)
				offer(&out, c->name);
	} else if (l.cmd) {
		offer_kind(&out, &l, positional_kind(&l));
	}
	alarm(0);
	for (i = 0; i < out.n; i++)
		cli_say(stdout, "%s", out.v[i]);
	out_clear(&out);
	free(fallback);
	fallback = NULL;
	return 0;
}
