/* scans_feed.c - scans made from the pipeline and the config, fed the
 * pipeline's rows, and the pods query for one image. */
#include "scans_feed.h"
#include "text.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	enum config_key key;
	const char *name;
} settings[] = {
    {CFG_SCAN_GATE_MAX_SEVERITY, "max_severity"},
    {CFG_SCAN_GATE_MAX_FIXABLE_SEVERITY, "max_fixable_severity"},
    {CFG_SCAN_GATE_BLOCK_UNVERIFIED, "block_unverified"},
    {CFG_SCAN_GATE_BLOCK_PENDING, "block_pending"},
    {CFG_SCAN_GATE_BLOCK_UNKNOWN, "block_unknown"},
    {CFG_SCAN_PENDING_WINDOW, "pending_window"},
};

int scans_policy_from_config(const struct config *cfg, struct scan_policy *p,
			     struct err *e)
{
	size_t i;
	int rc;

	scan_policy_default(p);
	if (!cfg)
		return 0;
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const char *v = config_get(cfg, settings[i].key);

		if (!v)
			continue;
		rc = scan_policy_set(p, settings[i].name, v, e);
		if (rc < 0)
			return err_prefix(e, "%s",
					  config_key_name(settings[i].key));
	}
	for (i = 0; i < cfg->nallow; i++) {
		rc = scan_policy_allow(p, cfg->allow[i].line, e);
		if (rc < 0)
			return err_prefix(e, "%s", cfg->allow[i].origin);
	}
	return 0;
}

struct scans *scans_feed_new(struct loop *l, struct pipeline *p,
			     const struct config *cfg, const char *reports_dir,
			     long refresh_s, const struct scans_ops *ops,
			     void *ud, struct err *e)
{
	struct scans_opts so;
	struct scan_policy pol;
	struct scans *s;

	if (scans_policy_from_config(cfg, &pol, e) < 0) {
		scan_policy_free(&pol);
		return NULL;
	}
	memset(&so, 0, sizeof(so));
	so.loop = l;
	so.auth = p ? pipeline_auth(p) : NULL;
	so.graph_endpoint =
	    cfg ? config_get(cfg, CFG_RESOURCE_GRAPH_ENDPOINT) : NULL;
	so.ca_file = cfg ? config_get(cfg, CFG_CA_BUNDLE) : NULL;
	so.subscription = cfg ? config_get(cfg, CFG_SUBSCRIPTION) : NULL;
	so.reports_dir = reports_dir ? reports_dir
			 : cfg	     ? config_get(cfg, CFG_SCAN_REPORTS)
				     : NULL;
	so.policy = &pol;
	so.refresh_s = refresh_s;
	s = scans_new(&so, ops, ud, e);
	scan_policy_free(&pol);
	return s;
}

void scans_feed(struct scans *s, struct pipeline *p, const char *audit_path)
{
	const struct image_row *v;
	size_t n, i;
	struct scans_input *in;
	const char **targets;
	char(*tbuf)[760];
	time_t *when;
	char login[300];

	if (!s || !p || !pipeline_quarantine_client(p))
		return;
	n = pipeline_rows(p, &v);
	in = xcalloc(n ? n : 1, sizeof(*in));
	targets = xcalloc(n ? n : 1, sizeof(*targets));
	tbuf = xcalloc(n ? n : 1, sizeof(*tbuf));
	when = xcalloc(n ? n : 1, sizeof(*when));
	for (i = 0; i < n; i++) {
		snprintf(tbuf[i], sizeof(tbuf[i]), "%s:%s",
			 v[i].quarantine_repo, v[i].up.tag);
		targets[i] = tbuf[i];
	}
	scans_import_times(audit_path, targets, n, when);
	for (i = 0; i < n; i++) {
		in[i].image = v[i].ref;
		in[i].repo = v[i].quarantine_repo;
		in[i].tag = v[i].up.tag;
		in[i].digest =
		    v[i].quarantine.exists ? v[i].quarantine.digest : "";
		in[i].is_index = v[i].quarantine.platforms > 0;
		in[i].imported_at = when[i];
	}
	scans_login_server(pipeline_quarantine_registry(p), login,
			   sizeof(login));
	scans_set_registry(s, pipeline_quarantine_client(p), login);
	scans_set_images(s, in, n);
	free(in);
	free(targets);
	free(tbuf);
	free(when);
}

int scans_pods_query(struct scans_pods_query *q, const struct scan_image *im,
		     struct pipeline *p)
{
	const struct image_row *v;
	size_t n = p ? pipeline_rows(p, &v) : 0, i, k = 0;

	memset(q, 0, sizeof(*q));
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].ref, im->image) == 0)
			break;
	}
	if (i == n)
		return -1;
	snprintf(q->upstream, sizeof(q->upstream), "%s", v[i].up.registry);
	snprintf(q->path, sizeof(q->path), "%s", v[i].up.path);
	snprintf(q->live, sizeof(q->live), "%s", v[i].live_repo);
	scans_login_server(pipeline_registry(p), q->host, sizeof(q->host));
	if (im->digest[0])
		q->vetted[k++] = im->digest;
	for (i = 0; i < im->nplatforms; i++)
		q->vetted[k++] = im->platforms[i];
	q->vetted[k] = NULL;
	q->img.upstream_registry = q->upstream;
	q->img.path = q->path;
	q->img.registry_host = q->host;
	q->img.live_repo = q->live;
	q->img.quarantine_repo = im->repo;
	q->img.vetted = q->vetted;
	return 0;
}

int scans_live_of(struct scans_live *l, const struct scan_image *im,
		  struct pipeline *p)
{
	const struct image_row *v;
	size_t n = p ? pipeline_rows(p, &v) : 0, i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].ref, im->image) == 0)
			break;
	}
	if (i == n)
		return -1;
	snprintf(l->ref, sizeof(l->ref), "%s:%s", v[i].live_repo, v[i].up.tag);
	l->checked = v[i].live.checked;
	l->exists = v[i].live.exists;
	if (l->exists)
		snprintf(l->digest, sizeof(l->digest), "%s", v[i].live.digest);
	l->vetted =
	    l->exists && im->digest[0] && strcmp(l->digest, im->digest) == 0;
	text_safe_buf(l->error, sizeof(l->error), v[i].live.error, 500);
	return 0;
}

const char *scans_live_text(const struct scans_live *l, char *buf, size_t sz)
{
	if (!l->checked)
		snprintf(buf, sz, "not checked%s%.500s",
			 l->error[0] ? ": " : "", l->error);
	else if (!l->exists)
		snprintf(buf, sz, "not there");
	else
		snprintf(buf, sz, "%s (%s)", l->digest,
			 l->vetted ? "the vetted digest"
				   : "not the digest in quarantine/");
	return buf;
}

struct pods_inventory *scans_inventory(const cJSON *const *ks, size_t n)
{
	struct pods_inventory *inv = pods_inventory_new();
	size_t i;

	for (i = 0; i < n; i++)
		pods_inventory_add(inv, ks[i]);
	return inv;
}
