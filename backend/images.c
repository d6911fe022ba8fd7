/* images.c - image references, the pipeline state of each image and its
 * texts. Pure: no network, no curses. */
#include "images.h"
#include "xalloc.h"

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

int image_row_check(const struct image_row *r, enum image_action a,
		    int force, struct err *e)
{
	char d1[32], d2[32];

	if (!r->quarantine.checked || !r->live.checked) {
		const char *why = r->quarantine.error[0]
					  ? r->quarantine.error
					  : "checking";

		return err_set(e, ERR_USAGE,
			       "%s: its digests are not known yet (%s)",
			       r->ref, why);
	}
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
				       "%s:%s holds %s, upstream has %s: "
				       "force it to replace",
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
