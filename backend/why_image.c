/* why_image.c - an image reference from a pod, matched against the image
 * pipeline: the registry's login server (<name>.azurecr.io, or the host
 * of registry_url), then the rows' live/ and quarantine/ repositories and
 * tags; the row's state (and the scan gate's word, when it keeps the
 * image in quarantine/) becomes one line of why. No requests. */
#include "why_image.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "images.h"

/* The host (and port) of a URL: "https://r.example:5000/x" gives
 * "r.example:5000". */
static void url_host(const char *url, char *out, size_t sz)
{
	const char *p = strstr(url ? url : "", "://");
	size_t n;

	p = p ? p + 3 : (url ? url : "");
	n = strcspn(p, "/?#");
	if (n >= sz)
		n = sz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static int is_registry(const struct pipeline *p, const struct config *cfg,
		       const char *host, char *shown, size_t sz)
{
	const char *name = pipeline_registry(p);
	const char *url = cfg ? config_get(cfg, CFG_REGISTRY_URL) : NULL;
	char login[300], uhost[300];

	why_fmt(login, sizeof(login), "%s.azurecr.io", name ? name : "");
	why_fmt(shown, sz, "%s", login);
	if (name && *name && strcasecmp(host, login) == 0)
		return 1;
	if (url && *url) {
		url_host(url, uhost, sizeof(uhost));
		if (strcasecmp(host, uhost) == 0) {
			why_fmt(shown, sz, "%s", uhost);
			return 1;
		}
	}
	return 0;
}

static void from_row(const struct image_row *r, why_gate_fn gate,
		     void *gate_ud, struct why_image *o)
{
	char q[40], l[40], reason[900], verdict[700];

	image_short_digest(r->quarantine.digest, q, sizeof(q));
	image_short_digest(r->live.digest, l, sizeof(l));
	switch (r->state) {
	case IMG_NOT_IMPORTED:
		o->state = WHY_IMG_NOT_IMPORTED;
		why_fmt(o->text, sizeof(o->text),
			"not imported: neither %s nor %s holds %s",
			r->quarantine_repo, r->live_repo, r->up.tag);
		break;
	case IMG_QUARANTINED:
		verdict[0] = '\0';
		if (gate && gate(r, verdict, sizeof(verdict), gate_ud) > 0) {
			o->state = WHY_IMG_SCAN_BLOCKED;
			why_fmt(o->text, sizeof(o->text),
				"in %s:%s (%s), kept from %s by the scan "
				"gate: %s",
				r->quarantine_repo, r->up.tag, q, r->live_repo,
				verdict[0] ? verdict : "blocked");
			break;
		}
		o->state = WHY_IMG_QUARANTINED;
		why_fmt(o->text, sizeof(o->text),
			"in %s:%s (%s) but never promoted to %s",
			r->quarantine_repo, r->up.tag, q, r->live_repo);
		break;
	case IMG_PROMOTED:
		o->state = WHY_IMG_PROMOTED;
		why_fmt(
		    o->text, sizeof(o->text),
		    "promoted: %s:%s holds the quarantined image (%s); the "
		    "pull failed for another reason (see the event)",
		    r->live_repo, r->up.tag, l);
		break;
	case IMG_DRIFTED:
		o->state = WHY_IMG_DRIFTED;
		why_fmt(o->text, sizeof(o->text), "drifted: %s",
			image_state_reason(r, reason, sizeof(reason)));
		break;
	case IMG_LIVE_ONLY:
		o->state = WHY_IMG_LIVE_ONLY;
		why_fmt(o->text, sizeof(o->text), "live only: %s",
			image_state_reason(r, reason, sizeof(reason)));
		break;
	default:
		o->state = WHY_IMG_UNKNOWN;
		why_fmt(o->text, sizeof(o->text), "%s",
			r->live.error[0] ? r->live.error
			: r->quarantine.error[0]
			    ? r->quarantine.error
			    : "not read from the registry yet");
		break;
	}
}

void why_image_lookup(const struct pipeline *p, const struct config *cfg,
		      const char *why_not, why_gate_fn gate, void *gate_ud,
		      const char *image, struct why_image *o)
{
	const struct image_row *v;
	struct image_ref ref;
	size_t n, i;

	memset(o, 0, sizeof(*o));
	if (!p) {
		o->state = WHY_IMG_NO_PIPELINE;
		why_fmt(o->text, sizeof(o->text), "%s",
			why_not ? why_not
				: "no registry is configured (registry in the "
				  "config, or the deployment's outputs)");
		return;
	}
	if (!pipeline_registry(p) || !*pipeline_registry(p)) {
		int is_error = 0;
		const char *st = pipeline_status(p, &is_error);

		o->state = is_error ? WHY_IMG_NO_PIPELINE : WHY_IMG_UNKNOWN;
		why_fmt(o->text, sizeof(o->text), "%s",
			is_error && st && *st
			    ? st
			    : "the registry is not known yet");
		return;
	}
	if (image_ref_parse(image, &ref, NULL) < 0) {
		o->state = WHY_IMG_OTHER_REGISTRY;
		why_fmt(o->text, sizeof(o->text), "not an image reference");
		return;
	}
	if (!is_registry(p, cfg, ref.registry, o->registry,
			 sizeof(o->registry))) {
		o->state = WHY_IMG_OTHER_REGISTRY;
		why_fmt(o->text, sizeof(o->text),
			"from %s, not from the registry of the pipeline (%s)",
			ref.registry, o->registry);
		return;
	}
	n = pipeline_rows(p, &v);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].up.tag, ref.tag) != 0)
			continue;
		if (strcmp(v[i].live_repo, ref.path) == 0) {
			why_fmt(o->key, sizeof(o->key), "%s:%s", v[i].up.path,
				v[i].up.tag);
			from_row(&v[i], gate, gate_ud, o);
			return;
		}
		if (strcmp(v[i].quarantine_repo, ref.path) == 0) {
			why_fmt(o->key, sizeof(o->key), "%s:%s", v[i].up.path,
				v[i].up.tag);
			o->state = WHY_IMG_NOT_LIVE;
			why_fmt(o->text, sizeof(o->text),
				"pulled from %s: the cluster may only pull "
				"from %s",
				v[i].quarantine_repo, v[i].live_repo);
			return;
		}
	}
	o->state = WHY_IMG_NOT_FOLLOWED;
	why_fmt(o->text, sizeof(o->text),
		"%s:%s is not one of the images the pipeline follows (image "
		"lines of the config)",
		ref.path, ref.tag);
}
