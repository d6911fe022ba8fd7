/* images.c - image references, the pipeline state of each image and its
 * texts. Pure: no network, no curses. */
#include "images.h"
#include "text.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int image_ref_parse(const char *s, struct image_ref *out, struct err *e)
{
	const char *slash, *at, *colon, *name;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s || !*s || strchr(s, ' '))
		return err_set(e, ERR_USAGE, "not an image reference: \"%s\"",
			       s ? s : "");
	slash = strchr(s, '/');
	/* The first part is a registry when it looks like a host. */
	if (slash && (memchr(s, '.', (size_t)(slash - s)) ||
		      memchr(s, ':', (size_t)(slash - s)) ||
		      strncmp(s, "localhost/", 10) == 0)) {
		n = (size_t)(slash - s);
		if (n >= sizeof(out->registry))
			return err_set(e, ERR_USAGE, "registry name too long "
						     "in \"%s\"",
				       s);
		memcpy(out->registry, s, n);
		name = slash + 1;
	} else {
		snprintf(out->registry, sizeof(out->registry), "docker.io");
		name = s;
	}
	at = strchr(name, '@');
	if (at) {
		snprintf(out->digest, sizeof(out->digest), "%s", at + 1);
		n = (size_t)(at - name);
	} else {
		n = strlen(name);
	}
	colon = memchr(name, ':', n);
	if (colon) {
		size_t tl = n - (size_t)(colon - name) - 1;

		if (!tl || tl >= sizeof(out->tag))
			return err_set(e, ERR_USAGE, "bad tag in \"%s\"", s);
		memcpy(out->tag, colon + 1, tl);
		n = (size_t)(colon - name);
	} else if (!at) {
		snprintf(out->tag, sizeof(out->tag), "latest");
	}
	if (!n || n >= sizeof(out->path))
		return err_set(e, ERR_USAGE, "not an image reference: \"%s\"",
			       s);
	if (strcmp(out->registry, "docker.io") == 0 && !memchr(name, '/', n))
		snprintf(out->path, sizeof(out->path), "library/%.*s", (int)n,
			 name);
	else
		snprintf(out->path, sizeof(out->path), "%.*s", (int)n, name);
	if (out->digest[0] && strncmp(out->digest, "sha256:", 7) != 0)
		return err_set(e, ERR_USAGE, "bad digest in \"%s\"", s);
	return 0;
}

int image_row_init(struct image_row *r, const char *ref,
		   const char *quarantine_prefix, const char *live_prefix,
		   struct err *e)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->ref, sizeof(r->ref), "%s", ref);
	if (image_ref_parse(ref, &r->up, e) < 0)
		return -ERR_USAGE;
	snprintf(r->quarantine_repo, sizeof(r->quarantine_repo), "%s%s",
		 quarantine_prefix, r->up.path);
	snprintf(r->live_repo, sizeof(r->live_repo), "%s%s", live_prefix,
		 r->up.path);
	return 0;
}

enum image_state image_state_of(const struct image_row *r)
{
	const struct image_copy *q = &r->quarantine, *l = &r->live;

	if (!q->checked || !l->checked)
		return IMG_UNKNOWN;
	if (!q->exists && !l->exists)
		return IMG_NOT_IMPORTED;
	if (q->exists && !l->exists)
		return IMG_QUARANTINED;
	if (!q->exists)
		return IMG_LIVE_ONLY;
	return strcmp(q->digest, l->digest) == 0 ? IMG_PROMOTED
						 : IMG_DRIFTED;
}

const char *image_state_text(enum image_state s)
{
	switch (s) {
	case IMG_NOT_IMPORTED:
		return "not imported";
	case IMG_QUARANTINED:
		return "quarantined";
	case IMG_PROMOTED:
		return "promoted";
	case IMG_DRIFTED:
		return "drifted";
	case IMG_LIVE_ONLY:
		return "live only";
	default:
		return "unknown";
	}
}

int image_state_alert(enum image_state s)
{
	return s == IMG_DRIFTED || s == IMG_LIVE_ONLY;
}

const char *image_short_digest(const char *digest, char *buf, size_t sz)
{
	if (!digest || !*digest)
		snprintf(buf, sz, "-");
	else if (strncmp(digest, "sha256:", 7) == 0)
		snprintf(buf, sz, "sha256:%.12s", digest + 7);
	else
		snprintf(buf, sz, "%.19s", digest);
	return buf;
}

const char *image_state_reason(const struct image_row *r, char *buf,
			       size_t sz)
{
	char a[32], b[32];

	switch (r->state) {
	case IMG_NOT_IMPORTED:
		snprintf(buf, sz, "not in %s yet: import it",
			 r->quarantine_repo);
		break;
	case IMG_QUARANTINED:
		snprintf(buf, sz, "in quarantine; promote it to %s when the "
				  "scan allows",
			 r->live_repo);
		break;
	case IMG_PROMOTED:
		snprintf(buf, sz, "live digest equals the quarantine digest");
		break;
	case IMG_DRIFTED:
		snprintf(buf, sz,
			 "%s:%s is not what quarantine holds (live %s, "
			 "quarantine %s): it was imported from somewhere else",
			 r->live_repo, r->up.tag,
			 image_short_digest(r->live.digest, a, sizeof(a)),
			 image_short_digest(r->quarantine.digest, b,
					    sizeof(b)));
		break;
	case IMG_LIVE_ONLY:
		snprintf(buf, sz,
			 "%s:%s has no quarantine copy: it skipped the "
			 "quarantine",
			 r->live_repo, r->up.tag);
		break;
	default:
		snprintf(buf, sz, "%s",
			 r->quarantine.error[0] ? r->quarantine.error
			 : r->live.error[0]     ? r->live.error
						: "not checked yet");
		break;
	}
	return buf;
}

static const char *dot(int full, int ascii)
{
	if (ascii)
		return full ? "*" : "o";
	return full ? "\u25cf" : "\u25cb";
}

void images_print_table(FILE *f, const struct image_row *v, size_t n,
			int ascii)
{
	size_t i, w = 5;
	char qd[32], ld[32];

	for (i = 0; i < n; i++)
		if (strlen(v[i].ref) > w)
			w = strlen(v[i].ref);
	fprintf(f, "%-*s   %-13s   %-13s   %-22s   %-22s   %s\n", (int)w,
		"IMAGE", "STATE", "PIPELINE", "QUARANTINE", "LIVE", "MESSAGE");
	for (i = 0; i < n; i++) {
		const struct image_row *r = &v[i];
		char pipe[64], reason[800];
		char *safe_ref = text_safe(r->ref, -1, NULL);
		char *safe_reason;

		snprintf(pipe, sizeof(pipe), "%s%s%s%s%s%s%s",
			 dot(r->upstream.exists || !r->upstream.checked, ascii),
			 ascii ? ">" : "\u2192",
			 dot(r->quarantine.exists, ascii),
			 ascii ? ">" : "\u2192", dot(0, ascii),
			 ascii ? ">" : "\u2192", dot(r->live.exists, ascii));
		image_state_reason(r, reason, sizeof(reason));
		safe_reason = text_safe(reason, -1, NULL);
		/* The pipeline is 7 columns whatever its bytes. */
		fprintf(f, "%-*s   %-13s   %s%*s   %-22s   %-22s   %s\n",
			(int)w, safe_ref, image_state_text(r->state), pipe,
			13 - 7, "",
			image_short_digest(r->quarantine.digest, qd,
					   sizeof(qd)),
			image_short_digest(r->live.digest, ld, sizeof(ld)),
			safe_reason);
		free(safe_ref);
		free(safe_reason);
	}
}

static cJSON *copy_json(const struct image_copy *c, const char *repo,
			const char *tag)
{
	cJSON *j = cJSON_CreateObject();

	if (repo)
		cJSON_AddStringToObject(j, "repository", repo);
	cJSON_AddStringToObject(j, "tag", tag);
	if (!c->checked) {
		cJSON_AddNullToObject(j, "present");
	} else {
		cJSON_AddBoolToObject(j, "present", c->exists);
	}
	if (c->exists) {
		cJSON_AddStringToObject(j, "digest", c->digest);
		cJSON_AddStringToObject(j, "mediaType", c->media_type);
		cJSON_AddNumberToObject(j, "platforms", c->platforms);
	}
	if (c->error[0])
		cJSON_AddStringToObject(j, "error", c->error);
	return j;
}

char *images_to_json(const struct image_row *v, size_t n,
		     const char *registry, const char *quarantine_registry)
{
	cJSON *j = cJSON_CreateObject(), *arr, *sum;
	size_t i, count[IMG_LIVE_ONLY + 1] = {0};
	char *out, reason[800];

	cJSON_AddStringToObject(j, "registry", registry ? registry : "");
	cJSON_AddStringToObject(j, "quarantineRegistry",
				quarantine_registry ? quarantine_registry
						    : "");
	arr = cJSON_AddArrayToObject(j, "images");
	for (i = 0; i < n; i++) {
		const struct image_row *r = &v[i];
		cJSON *it = cJSON_CreateObject(), *up, *scan;

		count[r->state]++;
		cJSON_AddStringToObject(it, "image", r->ref);
		up = copy_json(&r->upstream, NULL, r->up.tag);
		cJSON_AddStringToObject(up, "registry", r->up.registry);
		cJSON_AddStringToObject(up, "path", r->up.path);
		cJSON_AddItemToObject(it, "upstream", up);
		cJSON_AddItemToObject(it, "quarantine",
				      copy_json(&r->quarantine,
						r->quarantine_repo,
						r->up.tag));
		scan = cJSON_AddObjectToObject(it, "scan");
		cJSON_AddStringToObject(scan, "verdict", "not available yet");
		cJSON_AddItemToObject(it, "live", copy_json(&r->live,
							    r->live_repo,
							    r->up.tag));
		cJSON_AddStringToObject(it, "state",
					image_state_text(r->state));
		cJSON_AddBoolToObject(it, "alert",
				      image_state_alert(r->state));
		cJSON_AddStringToObject(it, "message",
					image_state_reason(r, reason,
							   sizeof(reason)));
		cJSON_AddItemToArray(arr, it);
	}
	sum = cJSON_AddObjectToObject(j, "summary");
	cJSON_AddNumberToObject(sum, "total", (double)n);
	cJSON_AddNumberToObject(sum, "promoted", (double)count[IMG_PROMOTED]);
	cJSON_AddNumberToObject(sum, "quarantined",
				(double)count[IMG_QUARANTINED]);
	cJSON_AddNumberToObject(sum, "notImported",
				(double)count[IMG_NOT_IMPORTED]);
	cJSON_AddNumberToObject(sum, "drifted", (double)count[IMG_DRIFTED]);
	cJSON_AddNumberToObject(sum, "liveOnly", (double)count[IMG_LIVE_ONLY]);
	cJSON_AddNumberToObject(sum, "unknown", (double)count[IMG_UNKNOWN]);
	out = cJSON_Print(j);
	cJSON_Delete(j);
	return out;
}

int image_row_check(const struct image_row *r, enum image_action a,
		    int force, struct err *e)
{
	char d1[32], d2[32];

	if (!r->quarantine.checked || !r->live.checked)
		return err_set(e, ERR_USAGE,
			       "%s: its digests are not known yet (%s)", r->ref,
			       r->quarantine.error[0] ? r->quarantine.error
						      : "checking");
	if (a == IMAGE_IMPORT) {
		if (r->quarantine.exists &&
		    (!r->upstream.exists ||
		     strcmp(r->upstream.digest, r->quarantine.digest) == 0)) {
			err_set(e, ERR_CONFLICT,
				"%s:%s is already in quarantine (%s)",
				r->quarantine_repo, r->up.tag,
				image_short_digest(r->quarantine.digest, d1,
						   sizeof(d1)));
			return 1;
		}
		if (r->quarantine.exists && !force)
			return err_set(e, ERR_EXISTS,
				       "%s:%s holds %s, upstream has %s: force "
				       "it to replace",
				       r->quarantine_repo, r->up.tag,
				       image_short_digest(r->quarantine.digest,
							  d1, sizeof(d1)),
				       image_short_digest(r->upstream.digest,
							  d2, sizeof(d2)));
		return 0;
	}
	if (!r->quarantine.exists)
		return err_set(e, ERR_USAGE,
			       "%s:%s is not in quarantine: import it first",
			       r->quarantine_repo, r->up.tag);
	if (r->live.exists &&
	    strcmp(r->live.digest, r->quarantine.digest) == 0) {
		err_set(e, ERR_CONFLICT, "%s:%s is already promoted (%s)",
			r->live_repo, r->up.tag,
			image_short_digest(r->live.digest, d1, sizeof(d1)));
		return 1;
	}
	if (r->live.exists && !force)
		return err_set(e, ERR_EXISTS,
			       "%s:%s exists with another digest (%s, "
			       "quarantine has %s): force it to replace",
			       r->live_repo, r->up.tag,
			       image_short_digest(r->live.digest, d1,
						  sizeof(d1)),
			       image_short_digest(r->quarantine.digest, d2,
						  sizeof(d2)));
	return 0;
}
