/* kubeconfig.c - reads kubeconfig files with the libyaml document API and
 * merges them as kubectl does. Not context resolution, not a client. */
#include "kubeconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "base64.h"
#include "kubeconfig_int.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_KUBECONFIG_BYTES ((size_t)16 << 20)

/* ---- small helpers ---------------------------------------------------- */

int kubeconfig_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct strbuf b = {.secret = 1};
	int rc = strbuf_read_file(&b, path, max);

	*buf = NULL;
	*len = 0;
	if (rc != 0) {
		strbuf_free(&b);
		return rc;
	}
	*len = b.len;
	*buf = strbuf_take(&b);
	return 0;
}

static char *absolute_path(const char *path)
{
	char cwd[4096];

	if (path[0] == '/')
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return xasprintf("%s%s%s", cwd, cwd[1] ? "/" : "", path);
}

static char *dir_of(const char *abs)
{
	const char *slash = strrchr(abs, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == abs)
		return xstrdup("/");
	return xstrndup(abs, (size_t)(slash - abs));
}

static char *join_path(const char *dir, const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return xasprintf("%s%s%s", dir, dir[1] ? "/" : "", p);
}

/* ---- freeing ---------------------------------------------------------- */

void kubeconfig_exec_clear(struct kubeconfig_exec *x)
{
	size_t i;

	free(x->api_version);
	free(x->command);
	for (i = 0; i < x->nargs; i++)
		xfree_secret_str(x->args[i]);
	free(x->args);
	for (i = 0; i < x->nenv; i++) {
		free(x->env[i].name);
		xfree_secret_str(x->env[i].value);
	}
	free(x->env);
	free(x->install_hint);
	memset(x, 0, sizeof(*x));
}

static void cluster_clear(struct kubeconfig_cluster *c)
{
	free(c->name);
	free(c->server);
	free(c->ca_file);
	free(c->ca_data);
	free(c->tls_server_name);
	free(c->proxy_url);
	memset(c, 0, sizeof(*c));
}

static void user_clear(struct kubeconfig_user *u)
{
	free(u->name);
	xfree_secret_str(u->token);
	free(u->token_file);
	free(u->client_cert_file);
	free(u->client_cert_data);
	free(u->client_key_file);
	xfree_secret(u->client_key_data, u->client_key_data_len);
	free(u->username);
	xfree_secret_str(u->password);
	if (u->exec) {
		kubeconfig_exec_clear(u->exec);
		free(u->exec);
	}
	free(u->auth_provider);
	memset(u, 0, sizeof(*u));
}

static void context_clear(struct kubeconfig_context *c)
{
	free(c->name);
	free(c->cluster);
	free(c->user);
	free(c->namespace);
	memset(c, 0, sizeof(*c));
}

void kubeconfig_free(struct kubeconfig **kcp)
{
	struct kubeconfig *kc;
	size_t i;

	if (!kcp || !*kcp)
		return;
	kc = *kcp;
	for (i = 0; i < kc->nclusters; i++)
		cluster_clear(&kc->clusters[i]);
	for (i = 0; i < kc->nusers; i++)
		user_clear(&kc->users[i]);
	for (i = 0; i < kc->ncontexts; i++)
		context_clear(&kc->contexts[i]);
	for (i = 0; i < kc->nfiles; i++)
		free(kc->files[i]);
	free(kc->clusters);
	free(kc->users);
	free(kc->contexts);
	free(kc->files);
	free(kc->current_context);
	free(kc);
	*kcp = NULL;
}

/* ---- lookups ---------------------------------------------------------- */

const struct kubeconfig_context *
kubeconfig_find_context(const struct kubeconfig *kc, const char *name)
{
	size_t i;

	for (i = 0; kc && name && i < kc->ncontexts; i++)
		if (strcmp(kc->contexts[i].name, name) == 0)
			return &kc->contexts[i];
	return NULL;
}

const struct kubeconfig_cluster *
kubeconfig_find_cluster(const struct kubeconfig *kc, const char *name)
{
	size_t i;

	for (i = 0; kc && name && i < kc->nclusters; i++)
		if (strcmp(kc->clusters[i].name, name) == 0)
			return &kc->clusters[i];
	return NULL;
}

const struct kubeconfig_user *kubeconfig_find_user(const struct kubeconfig *kc,
						   const char *name)
{
	size_t i;

	for (i = 0; kc && name && i < kc->nusers; i++)
		if (strcmp(kc->users[i].name, name) == 0)
			return &kc->users[i];
	return NULL;
}

const char *kube_interactive_name(enum kube_interactive m)
{
	switch (m) {
	case KUBE_INTERACTIVE_NEVER:
		return "Never";
	case KUBE_INTERACTIVE_IF_AVAILABLE:
		return "IfAvailable";
	case KUBE_INTERACTIVE_ALWAYS:
		return "Always";
	default:
		return "";
	}
}

/* ---- YAML access ------------------------------------------------------ */

/* State while one file is turned into entries of the kubeconfig. */
struct loader {
	struct kubeconfig *kc;
	const char *file; /* owned by kc->files */
	char *dir;	  /* directory of file, for relative paths */
	yaml_document_t *doc;
	struct err *e;
};

static int node_line(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a string";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

static int scalar_is(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, s, len) == 0;
}

static int scalars_equal(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value,
		      a->data.scalar.length) == 0;
}

/* Absent, "~", "null", an empty plain value or an explicit !!null. */
static int node_is_null(const yaml_node_t *n)
{
	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE)
		return 0;
	if (n->tag && strcmp((const char *)n->tag, YAML_NULL_TAG) == 0)
		return 1;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return scalar_is(n, "") || scalar_is(n, "~") || scalar_is(n, "null") ||
	       scalar_is(n, "Null") || scalar_is(n, "NULL");
}

static char *scalar_dup(const yaml_node_t *n)
{
	return xstrndup((const char *)n->data.scalar.value,
			n->data.scalar.length);
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map,
			    const char *key)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *found = NULL;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(doc, pair->key);
		if (k && scalar_is(k, key))
			found = yaml_document_get_node(doc, pair->value);
	}
	return found;
}

/* Line of key itself in map (map_get returns the value), 0 if absent. */
static int map_key_line(yaml_document_t *doc, yaml_node_t *map,
			const char *key)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	int line = 0;

	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(doc, pair->key);
		if (k && scalar_is(k, key))
			line = node_line(k);
	}
	return line;
}

static int expected(struct loader *L, const yaml_node_t *v, const char *path,
		    const char *key, const char *what)
{
	return err_set(L->e, ERR_PARSE, "%s:%d: %s.%s: expected %s, found %s",
		       L->file, node_line(v), path, key, what, node_kind(v));
}

/* Optional string field; *out stays NULL when absent, null or empty. */
static int get_string(struct loader *L, yaml_node_t *map, const char *path,
		      const char *key, char **out, int *line)
{
	yaml_node_t *v = map_get(L->doc, map, key);

	if (node_is_null(v))
		return 0;
	if (v->type != YAML_SCALAR_NODE)
		return expected(L, v, path, key, "a string");
	if (v->data.scalar.length == 0)
		return 0;
	*out = scalar_dup(v);
	if (line)
		*line = node_line(v);
	return 0;
}

/* Optional path field, resolved against the file's directory. */
static int get_path(struct loader *L, yaml_node_t *map, const char *path,
		    const char *key, char **out, int *line)
{
	char *raw = NULL;
	int rc = get_string(L, map, path, key, &raw, line);

	if (rc < 0 || !raw)
		return rc;
	*out = join_path(L->dir, raw);
	free(raw);
	return 0;
}

static int get_bool(struct loader *L, yaml_node_t *map, const char *path,
		    const char *key, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	yaml_node_t *v = map_get(L->doc, map, key);
	char *s;
	size_t i;
	int found = 0;

	if (node_is_null(v))
		return 0;
	if (v->type != YAML_SCALAR_NODE)
		return expected(L, v, path, key, "true or false");
	s = scalar_dup(v);
	for (i = 0; i < 3 && !found; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			found = 1;
		} else if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			found = 1;
		}
	}
	if (!found)
		err_set(
		    L->e, ERR_PARSE,
		    "%s:%d: %s.%s: expected true or false, found \"%.40s\"",
		    L->file, node_line(v), path, key, s);
	free(s);
	return found ? 0 : -ERR_PARSE;
}

/* Optional base64 field, decoded. */
static int get_base64(struct loader *L, yaml_node_t *map, const char *path,
		      const char *key, unsigned char **out, size_t *len)
{
	yaml_node_t *v = map_get(L->doc, map, key);
	struct err sub;
	int rc;

	if (node_is_null(v))
		return 0;
	if (v->type != YAML_SCALAR_NODE)
		return expected(L, v, path, key, "base64 text");
	if (v->data.scalar.length == 0)
		return 0;
	err_clear(&sub);
	rc = base64_decode((const char *)v->data.scalar.value,
			   v->data.scalar.length, out, len, &sub);
	if (rc < 0)
		return err_set(L->e, ERR_PARSE, "%s:%d: %s.%s: %s", L->file,
			       node_line(v), path, key, sub.msg);
	return 0;
}

/* ---- entries ---------------------------------------------------------- */

static int load_exec_args(struct loader *L, yaml_node_t *seq, const char *path,
			  struct kubeconfig_exec *x)
{
	yaml_node_item_t *it;
	yaml_node_t *a;
	size_t n = (size_t)(seq->data.sequence.items.top -
			    seq->data.sequence.items.start);

	x->args = xcalloc(n + 1, sizeof(*x->args));
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		a = yaml_document_get_node(L->doc, *it);
		if (!a || a->type != YAML_SCALAR_NODE)
			return err_set(
			    L->e, ERR_PARSE,
			    "%s:%d: %s.args[%zu]: expected a string,"
			    " found %s",
			    L->file, a ? node_line(a) : 0, path, x->nargs,
			    a ? node_kind(a) : "nothing");
		x->args[x->nargs++] =
		    node_is_null(a) ? xstrdup("") : scalar_dup(a);
	}
	return 0;
}

static int load_exec_env(struct loader *L, yaml_node_t *seq, const char *path,
			 struct kubeconfig_exec *x)
{
	yaml_node_item_t *it;
	yaml_node_t *m;
	struct kubeconfig_env *v;
	size_t n = (size_t)(seq->data.sequence.items.top -
			    seq->data.sequence.items.start);
	char *epath;
	int rc = 0;

	x->env = xcalloc(n ? n : 1, sizeof(*x->env));
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top && rc == 0; it++) {
		m = yaml_document_get_node(L->doc, *it);
		if (!m || m->type != YAML_MAPPING_NODE)
			return err_set(L->e, ERR_PARSE,
				       "%s:%d: %s.env[%zu]: expected a mapping"
				       " with name and value, found %s",
				       L->file, m ? node_line(m) : 0, path,
				       x->nenv, m ? node_kind(m) : "nothing");
		v = &x->env[x->nenv];
		v->line = node_line(m);
		epath = xasprintf("%s.env[%zu]", path, x->nenv);
		x->nenv++;
		rc = get_string(L, m, epath, "name", &v->name, NULL);
		if (rc == 0)
			rc = get_string(L, m, epath, "value", &v->value, NULL);
		if (rc == 0 && !v->value)
			v->value = xstrdup("");
		free(epath);
	}
	return rc;
}

static int load_exec(struct loader *L, yaml_node_t *user, const char *path,
		     struct kubeconfig_exec **out)
{
	yaml_node_t *m = map_get(L->doc, user, "exec");
	yaml_node_t *v;
	struct kubeconfig_exec *x;
	char *xpath, *mode = NULL, *cmd = NULL;
	int rc = 0;

	if (node_is_null(m))
		return 0;
	if (m->type != YAML_MAPPING_NODE)
		return expected(L, m, path, "exec", "a mapping");
	x = xcalloc(1, sizeof(*x));
	*out = x;
	x->line = map_key_line(L->doc, user, "exec");
	xpath = xasprintf("%s.exec", path);
	rc = get_string(L, m, xpath, "apiVersion", &x->api_version, NULL);
	if (rc == 0)
		rc = get_string(L, m, xpath, "command", &cmd, NULL);
	if (rc == 0 && cmd)
		x->command =
		    strchr(cmd, '/') ? join_path(L->dir, cmd) : xstrdup(cmd);
	if (rc == 0)
		rc = get_string(L, m, xpath, "installHint", &x->install_hint,
				NULL);
	if (rc == 0)
		rc = get_bool(L, m, xpath, "provideClusterInfo",
			      &x->provide_cluster_info);
	if (rc == 0)
		rc = get_string(L, m, xpath, "interactiveMode", &mode,
				&x->interactive_mode_line);
	if (rc == 0 && mode) {
		if (strcmp(mode, "Never") == 0)
			x->interactive_mode = KUBE_INTERACTIVE_NEVER;
		else if (strcmp(mode, "IfAvailable") == 0)
			x->interactive_mode = KUBE_INTERACTIVE_IF_AVAILABLE;
		else if (strcmp(mode, "Always") == 0)
			x->interactive_mode = KUBE_INTERACTIVE_ALWAYS;
		else
			x->interactive_mode = KUBE_INTERACTIVE_INVALID;
	}
	if (rc == 0) {
		v = map_get(L->doc, m, "args");
		if (!node_is_null(v) && v->type != YAML_SEQUENCE_NODE)
			rc = expected(L, v, xpath, "args", "a list");
		else if (!node_is_null(v))
			rc = load_exec_args(L, v, xpath, x);
	}
	if (rc == 0 && !x->args)
		x->args = xcalloc(1, sizeof(*x->args));
	if (rc == 0) {
		v = map_get(L->doc, m, "env");
		if (!node_is_null(v) && v->type != YAML_SEQUENCE_NODE)
			rc = expected(L, v, xpath, "env", "a list");
		else if (!node_is_null(v))
			rc = load_exec_env(L, v, xpath, x);
	}
	free(mode);
	free(cmd);
	free(xpath);
	return rc;
}

/* The cluster's extensions list: only ours (name "jumpdeck") is read,
 * every other one is someone else's and left alone, like kubectl does. */
static int load_extensions(struct loader *L, yaml_node_t *m,
			   const char *path, struct kubeconfig_cluster *c)
{
	yaml_node_t *seq = map_get(L->doc, m, "extensions");
	yaml_node_item_t *it;
	char *xpath;
	int rc = 0;

	if (node_is_null(seq))
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE)
		return expected(L, seq, path, "extensions", "a list");
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top && rc == 0; it++) {
		yaml_node_t *x = yaml_document_get_node(L->doc, *it);
		yaml_node_t *name = map_get(L->doc, x, "name");
		yaml_node_t *ext = map_get(L->doc, x, "extension");

		if (!name || !scalar_is(name, "jumpdeck") || node_is_null(ext))
			continue;
		xpath = xasprintf("%s.extensions[%d]", path,
				  (int)(it - seq->data.sequence.items.start));
		if (ext->type != YAML_MAPPING_NODE)
			rc = expected(L, ext, xpath, "extension", "a mapping");
		else
			rc = get_bool(L, ext, xpath,
				      "allow-credentials-over-http",
				      &c->allow_plain_http);
		free(xpath);
	}
	return rc;
}

static int load_cluster(struct loader *L, yaml_node_t *m, const char *path,
			struct kubeconfig_cluster *c)
{
	int rc = get_string(L, m, path, "server", &c->server, NULL);

	if (rc == 0)
		rc = get_path(L, m, path, "certificate-authority", &c->ca_file,
			      &c->ca_file_line);
	if (rc == 0)
		rc = get_base64(L, m, path, "certificate-authority-data",
				&c->ca_data, &c->ca_data_len);
	if (rc == 0)
		rc = get_bool(L, m, path, "insecure-skip-tls-verify",
			      &c->insecure);
	if (rc == 0)
		rc = get_string(L, m, path, "tls-server-name",
				&c->tls_server_name, NULL);
	if (rc == 0)
		rc = get_string(L, m, path, "proxy-url", &c->proxy_url, NULL);
	if (rc == 0)
		rc = load_extensions(L, m, path, c);
	return rc;
}

static int load_user(struct loader *L, yaml_node_t *m, const char *path,
		     struct kubeconfig_user *u)
{
	yaml_node_t *ap;
	char *apath;
	int rc = get_string(L, m, path, "token", &u->token, NULL);

	if (rc == 0)
		rc = get_path(L, m, path, "tokenFile", &u->token_file,
			      &u->token_file_line);
	if (rc == 0)
		rc = get_path(L, m, path, "client-certificate",
			      &u->client_cert_file, &u->client_cert_file_line);
	if (rc == 0)
		rc =
		    get_base64(L, m, path, "client-certificate-data",
			       &u->client_cert_data, &u->client_cert_data_len);
	if (rc == 0)
		rc = get_path(L, m, path, "client-key", &u->client_key_file,
			      &u->client_key_file_line);
	if (rc == 0)
		rc = get_base64(L, m, path, "client-key-data",
				&u->client_key_data, &u->client_key_data_len);
	if (rc == 0)
		rc = get_string(L, m, path, "username", &u->username, NULL);
	if (rc == 0)
		rc = get_string(L, m, path, "password", &u->password, NULL);
	if (rc == 0)
		rc = load_exec(L, m, path, &u->exec);
	ap = map_get(L->doc, m, "auth-provider");
	if (rc == 0 && !node_is_null(ap)) {
		if (ap->type != YAML_MAPPING_NODE)
			return expected(L, ap, path, "auth-provider",
					"a mapping");
		u->auth_provider_line =
			map_key_line(L->doc, m, "auth-provider");
		apath = xasprintf("%s.auth-provider", path);
		rc = get_string(L, ap, apath, "name", &u->auth_provider, NULL);
		free(apath);
		if (rc == 0 && !u->auth_provider)
			u->auth_provider = xstrdup("(unnamed)");
	}
	return rc;
}

static int load_context(struct loader *L, yaml_node_t *m, const char *path,
			struct kubeconfig_context *c)
{
	int rc =
	    get_string(L, m, path, "cluster", &c->cluster, &c->cluster_line);

	if (rc == 0)
		rc = get_string(L, m, path, "user", &c->user, &c->user_line);
	if (rc == 0)
		rc = get_string(L, m, path, "namespace", &c->namespace, NULL);
	return rc;
}

static const char *const list_key[] = {"clusters", "users", "contexts"};
static const char *const inner_key[] = {"cluster", "user", "context"};

const char *kubeconfig_list_name(enum list_kind kind)
{
	return list_key[kind];
}

/* Parses entry index of a list and appends it to the kubeconfig unless an
 * earlier file already defined its name (the first definition wins). */
static int load_entry(struct loader *L, enum list_kind kind, yaml_node_t *seq,
		      size_t index)
{
	struct kubeconfig *kc = L->kc;
	yaml_node_item_t *items = seq->data.sequence.items.start;
	yaml_node_t *item = yaml_document_get_node(L->doc, items[index]);
	yaml_node_t *name, *other, *inner;
	struct kubeconfig_origin from;
	char *path;
	size_t j;
	int rc = 0;

	if (!item || item->type != YAML_MAPPING_NODE)
		return err_set(
		    L->e, ERR_PARSE,
		    "%s:%d: %s[%zu]: expected a mapping with name and"
		    " %s, found %s",
		    L->file, item ? node_line(item) : 0, list_key[kind], index,
		    inner_key[kind], item ? node_kind(item) : "nothing");
	from.file = L->file;
	from.line = node_line(item);
	from.index = (int)index;
	name = map_get(L->doc, item, "name");
	if (node_is_null(name) || name->type != YAML_SCALAR_NODE ||
	    name->data.scalar.length == 0)
		return err_set(L->e, ERR_PARSE, "%s:%d: %s[%zu]: no name",
			       L->file, from.line, list_key[kind], index);
	for (j = 0; j < index; j++) {
		other = yaml_document_get_node(L->doc, items[j]);
		other = map_get(L->doc, other, "name");
		if (other && scalars_equal(other, name))
			return err_set(L->e, ERR_PARSE,
				       "%s:%d: %s[%zu]: duplicate name \"%s\","
				       " already used by %s[%zu] at line %d",
				       L->file, from.line, list_key[kind],
				       index,
				       (const char *)name->data.scalar.value,
				       list_key[kind], j, node_line(other));
	}
	inner = map_get(L->doc, item, inner_key[kind]);
	path =
	    xasprintf("%s[%zu] (\"%.*s\").%s", list_key[kind], index,
		      (int)name->data.scalar.length,
		      (const char *)name->data.scalar.value, inner_key[kind]);
	if (node_is_null(inner))
		inner = NULL;
	else if (inner->type != YAML_MAPPING_NODE)
		rc = err_set(
		    L->e, ERR_PARSE, "%s:%d: %s: expected a mapping, found %s",
		    L->file, node_line(inner), path, node_kind(inner));
	if (rc < 0) {
		free(path);
		return rc;
	}

	if (kind == LIST_CLUSTERS) {
		struct kubeconfig_cluster c = {.from = from};

		c.name = scalar_dup(name);
		rc = load_cluster(L, inner, path, &c);
		if (rc < 0 || kubeconfig_find_cluster(kc, c.name)) {
			cluster_clear(&c);
		} else {
			kc->clusters = xrealloc(
			    kc->clusters, (kc->nclusters + 1) * sizeof(c));
			kc->clusters[kc->nclusters++] = c;
		}
	} else if (kind == LIST_USERS) {
		struct kubeconfig_user u = {.from = from};

		u.name = scalar_dup(name);
		rc = load_user(L, inner, path, &u);
		if (rc < 0 || kubeconfig_find_user(kc, u.name)) {
			user_clear(&u);
		} else {
			kc->users =
			    xrealloc(kc->users, (kc->nusers + 1) * sizeof(u));
			kc->users[kc->nusers++] = u;
		}
	} else {
		struct kubeconfig_context c = {.from = from};

		c.name = scalar_dup(name);
		rc = load_context(L, inner, path, &c);
		if (rc < 0 || kubeconfig_find_context(kc, c.name)) {
			context_clear(&c);
		} else {
			kc->contexts = xrealloc(
			    kc->contexts, (kc->ncontexts + 1) * sizeof(c));
			kc->contexts[kc->ncontexts++] = c;
		}
	}
	free(path);
	return rc;
}

static int load_list(struct loader *L, yaml_node_t *root, enum list_kind kind)
{
	yaml_node_t *seq = map_get(L->doc, root, list_key[kind]);
	size_t i, n;
	int rc;

	if (node_is_null(seq))
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE)
		return err_set(L->e, ERR_PARSE,
			       "%s:%d: %s: expected a list,"
			       " found %s",
			       L->file, node_line(seq), list_key[kind],
			       node_kind(seq));
	n = (size_t)(seq->data.sequence.items.top -
		     seq->data.sequence.items.start);
	for (i = 0; i < n; i++) {
		rc = load_entry(L, kind, seq, i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int yaml_error(const yaml_parser_t *p, const char *file, struct err *e)
{
	const char *problem = p->problem ? p->problem : "cannot parse";

	if (p->error == YAML_MEMORY_ERROR)
		return err_set(e, ERR_INTERNAL, "%s: out of memory", file);
	if (p->error == YAML_READER_ERROR)
		return err_set(e, ERR_PARSE, "%s: bad YAML: %s at byte %zu",
			       file, problem, p->problem_offset);
	return err_set(e, ERR_PARSE, "%s:%zu: bad YAML: %s (column %zu)", file,
		       p->problem_mark.line + 1, problem,
		       p->problem_mark.column + 1);
}

/* Parses one file's text into kc. *empty is set when the file holds no
 * document (or only null). file is owned by kc->files. */
/* Nesting deeper than any kubeconfig needs (one is about 8 deep): the
 * parser's cost grows with the square of the depth, so deeply nested flow
 * collections ("[[[[...") would take minutes within the size cap. */
#define MAX_DEPTH 32

/* One pass over the events, stopping at the first collection nested
 * deeper than MAX_DEPTH: cheap, since it stops early. 0, or an error
 * (the parser's own, for bad YAML, is left to the loader's pass). */
static int check_depth(const char *file, const char *text, size_t len,
		       struct err *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return err_set(e, ERR_INTERNAL, "%s: out of memory", file);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev))
			break; /* the loader says what is wrong */
		if (ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT) {
			if (++depth > MAX_DEPTH)
				rc = err_set(e, ERR_PARSE,
					     "%s:%zu: nested more than %d "
					     "levels deep (a kubeconfig needs "
					     "about 8)",
					     file, ev.start_mark.line + 1,
					     MAX_DEPTH);
		} else if (ev.type == YAML_SEQUENCE_END_EVENT ||
			   ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

static int load_text(struct kubeconfig *kc, const char *file, const char *text,
		     size_t len, int *empty, struct err *e)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *cur;
	struct loader L = {.kc = kc, .file = file, .doc = &doc, .e = e};
	int rc = 0, i;

	*empty = 0;
	rc = check_depth(file, text, len, e);
	if (rc < 0)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return err_set(e, ERR_INTERNAL, "%s: out of memory", file);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = yaml_error(&parser, file, e);
		yaml_parser_delete(&parser);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	if (node_is_null(root)) {
		*empty = 1;
	} else if (root->type != YAML_MAPPING_NODE) {
		rc = err_set(
		    e, ERR_PARSE,
		    "%s:%d: not a kubeconfig: expected a mapping at the"
		    " top, found %s",
		    file, node_line(root), node_kind(root));
	} else {
		L.dir = dir_of(file);
		for (i = LIST_CLUSTERS; i <= LIST_CONTEXTS && rc == 0; i++)
			rc = load_list(&L, root, (enum list_kind)i);
		cur = map_get(&doc, root, "current-context");
		if (rc == 0 && !node_is_null(cur)) {
			if (cur->type != YAML_SCALAR_NODE) {
				rc = err_set(e, ERR_PARSE,
					     "%s:%d: current-context: expected"
					     " a string, found %s",
					     file, node_line(cur),
					     node_kind(cur));
			} else if (!kc->current_context &&
				   cur->data.scalar.length > 0) {
				kc->current_context = scalar_dup(cur);
				kc->current_context_from.file = file;
				kc->current_context_from.line = node_line(cur);
				kc->current_context_from.index = -1;
			}
		}
		free(L.dir);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* How reading one candidate file went. */
enum file_status { FILE_LOADED, FILE_MISSING, FILE_EMPTY };

/* Reads and merges one file. Returns <0 on a hard error (unreadable for a
 * reason other than absence, bad YAML, ...); else sets *status, and
 * *err_no for FILE_MISSING. */
static int load_file(struct kubeconfig *kc, const char *path,
		     enum file_status *status, int *err_no, struct err *e)
{
	char *abs = absolute_path(path), *text;
	size_t len, i;
	int rc, empty;

	*err_no = 0;
	for (i = 0; i < kc->nfiles; i++) {
		if (strcmp(kc->files[i], abs) == 0) {
			/* listed twice: read once, like kubectl */
			free(abs);
			*status = FILE_LOADED;
			return 0;
		}
	}
	rc = kubeconfig_read_file(abs, MAX_KUBECONFIG_BYTES, &text, &len);
	if (rc == ENOENT || rc == ENOTDIR) {
		*status = FILE_MISSING;
		*err_no = rc;
		free(abs);
		return 0;
	}
	if (rc != 0) {
		err_set(e, ERR_IO, "cannot read kubeconfig %s: %s", abs,
			strbuf_file_error(rc));
		free(abs);
		return -ERR_IO;
	}
	kc->files = xrealloc(kc->files, (kc->nfiles + 1) * sizeof(char *));
	kc->files[kc->nfiles++] = abs;
	rc = load_text(kc, abs, text, len, &empty, e);
	xfree_secret(text, len);
	if (rc < 0)
		return rc;
	*status = FILE_LOADED;
	if (empty) {
		/* nothing refers to it: forget it */
		kc->nfiles--;
		free(abs);
		*status = FILE_EMPTY;
	}
	return 0;
}

static int load_explicit(struct kubeconfig *kc, const char *path,
			 const char *how, struct err *e)
{
	enum file_status st;
	int err_no, rc;

	rc = load_file(kc, path, &st, &err_no, e);
	if (rc < 0)
		return rc;
	if (st == FILE_MISSING)
		return err_set(e, ERR_IO, "cannot read kubeconfig %s (%s): %s",
			       path, how, strerror(err_no));
	if (st == FILE_EMPTY)
		return err_set(e, ERR_PARSE,
			       "kubeconfig %s (%s) is empty: it defines no"
			       " cluster, user or context",
			       path, how);
	return 0;
}

static int load_env_list(struct kubeconfig *kc, const char *list,
			 struct err *e)
{
	struct strbuf tried = {0};
	enum file_status st;
	const char *p = list, *colon;
	char *path, *msg;
	int err_no, rc = 0;

	while (*p) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		if (colon > p) {
			path = xstrndup(p, (size_t)(colon - p));
			rc = load_file(kc, path, &st, &err_no, e);
			if (rc == 0 && st != FILE_LOADED)
				strbuf_addf(&tried, "%s%s (%s)",
					    tried.len ? ", " : "", path,
					    st == FILE_EMPTY
						? "empty"
						: strerror(err_no));
			free(path);
			if (rc < 0)
				break;
		}
		p = *colon ? colon + 1 : colon;
	}
	msg = strbuf_take(&tried);
	if (rc == 0 && kc->nfiles == 0)
		rc = err_set(e, ERR_IO,
			     "no kubeconfig could be read from KUBECONFIG: %s",
			     msg);
	free(msg);
	return rc;
}

static int has_entries(const char *list)
{
	for (; *list; list++)
		if (*list != ':')
			return 1;
	return 0;
}

int kubeconfig_load(struct kubeconfig **out, const char *explicit_path,
		    struct err *e)
{
	struct kubeconfig *kc = xcalloc(1, sizeof(*kc));
	struct err local;
	const char *env = getenv("KUBECONFIG");
	const char *home = getenv("HOME");
	char *path;
	int rc;

	if (!e)
		e = &local;
	*out = NULL;
	if (explicit_path && *explicit_path) {
		rc = load_explicit(kc, explicit_path, "from --kubeconfig", e);
	} else if (env && has_entries(env)) {
		rc = load_env_list(kc, env, e);
	} else if (home && *home) {
		path = join_path(home, ".kube/config");
		rc = load_explicit(kc, path,
				   "the default; set KUBECONFIG or use"
				   " --kubeconfig to choose another",
				   e);
		free(path);
	} else {
		rc =
		    err_set(e, ERR_USAGE,
			    "no kubeconfig: --kubeconfig not given and neither"
			    " KUBECONFIG nor HOME is set");
	}
	if (rc < 0) {
		kubeconfig_free(&kc);
		return rc;
	}
	*out = kc;
	return 0;
}
