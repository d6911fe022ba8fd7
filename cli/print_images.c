/* print_images.c - `jumpdeck images`: the pipeline table and the JSON
 * document of the image rows. Not the model (backend/images) nor the pane. */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/text.h"

static const char *dot(int full, int ascii)
{
	if (ascii)
		return full ? "*" : "o";
	return full ? "\u25cf" : "\u25cb";
}

/* The SCAN cell: "unhealthy, blocked", "healthy", or "-". */
static const char *scan_text(const struct images_scan *s, char *buf, size_t sz)
{
	if (!s || !s->verdict)
		return "-";
	snprintf(buf, sz, "%s%s", s->verdict, s->blocked ? ", blocked" : "");
	return buf;
}

void images_print_table(FILE *f, const struct image_row *v, size_t n,
			const struct images_scan *scans, int ascii)
{
	size_t i, w = 5;
	char qd[32], ld[32], qs[128], ls[128];

	/* display columns, not bytes; never wider than a table column */
	for (i = 0; i < n; i++)
		if ((size_t)text_width(v[i].ref) > w)
			w = (size_t)text_width(v[i].ref);
	if (w > TEXT_TABLE_COL_MAX)
		w = TEXT_TABLE_COL_MAX;
	fprintf(f, "%-*s   %-13s   %-13s   %-22s   %-22s   %-22s   %s\n",
		(int)w, "IMAGE", "STATE", "PIPELINE", "SCAN", "QUARANTINE",
		"LIVE", "MESSAGE");
	for (i = 0; i < n; i++) {
		const struct image_row *r = &v[i];
		const struct images_scan *sc = scans ? &scans[i] : NULL;
		char pipe[64], reason[800], scan[64];
		char *safe_ref = text_safe(r->ref, (int)w, NULL);
		char *safe_reason;

		snprintf(
		    pipe, sizeof(pipe), "%s%s%s%s%s%s%s",
		    dot(r->upstream.exists || !r->upstream.checked, ascii),
		    ascii ? ">" : "\u2192", dot(r->quarantine.exists, ascii),
		    ascii ? ">" : "\u2192",
		    dot(sc && sc->verdict && !sc->blocked, ascii),
		    ascii ? ">" : "\u2192", dot(r->live.exists, ascii));
		image_state_reason(r, reason, sizeof(reason));
		safe_reason = text_safe(reason, -1, NULL);
		/* a digest is a registry's header: terminal-safe too */
		text_safe_buf(
		    qs, sizeof(qs),
		    image_short_digest(r->quarantine.digest, qd, sizeof(qd)),
		    22);
		text_safe_buf(
		    ls, sizeof(ls),
		    image_short_digest(r->live.digest, ld, sizeof(ld)), 22);
		/* The pipeline is 7 columns whatever its bytes. */
		fprintf(
		    f, "%s%*s   %-13s   %s%*s   %-22s   %-22s   %-22s   %s\n",
		    safe_ref, (int)w - text_width(safe_ref), "",
		    image_state_text(r->state), pipe, 13 - 7, "",
		    scan_text(sc, scan, sizeof(scan)), qs, ls, safe_reason);
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

char *images_to_json(const struct image_row *v, size_t n, const char *registry,
		     const char *quarantine_registry,
		     const struct images_scan *scans)
{
	cJSON *j = cJSON_CreateObject(), *arr, *sum;
	size_t i, count[IMG_LIVE_ONLY + 1] = {0};
	char reason[800];

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
		cJSON_AddItemToObject(
		    it, "quarantine",
		    copy_json(&r->quarantine, r->quarantine_repo, r->up.tag));
		scan = cJSON_AddObjectToObject(it, "scan");
		if (scans && scans[i].verdict) {
			cJSON_AddStringToObject(scan, "verdict",
						scans[i].verdict);
			cJSON_AddStringToObject(scan, "gate",
						scans[i].blocked ? "blocked"
								 : "passes");
		} else {
			cJSON_AddNullToObject(scan, "verdict");
			cJSON_AddNullToObject(scan, "gate");
		}
		cJSON_AddStringToObject(
		    scan, "why",
		    !scans ? "not asked here: jumpdeck scans asks the scanners"
		    : scans[i].why ? scans[i].why
				   : "");
		cJSON_AddItemToObject(
		    it, "live", copy_json(&r->live, r->live_repo, r->up.tag));
		cJSON_AddStringToObject(it, "state",
					image_state_text(r->state));
		cJSON_AddBoolToObject(it, "alert",
				      image_state_alert(r->state));
		cJSON_AddStringToObject(
		    it, "message",
		    image_state_reason(r, reason, sizeof(reason)));
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
	return json_print_free(j, 1);
}
