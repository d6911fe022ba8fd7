/* why_chain.c - the why-chain as a list of links: appending (every string
 * made terminal-safe on the way in), the likely cause, the image links
 * filled in from the pipeline, and the JSON document. Not the fetching
 * (why_load.c) and not the reading of objects (why_parse.c). */
#include "why.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xalloc.h"

struct why_chain *why_chain_new(const char *subject)
{
	struct why_chain *c = xcalloc(1, sizeof(*c));

	c->subject = text_safe(subject, -1, NULL);
	c->built = time(NULL);
	return c;
}

static void link_clear(struct why_link *l)
{
	free(l->what);
	free(l->why);
	why_lines_free(&l->lines, l->nlines);
	free(l->target);
	free(l->fix_text);
	free(l->fix_args);
	free(l->image);
}

void why_chain_free(struct why_chain **cp)
{
	struct why_chain *c = cp ? *cp : NULL;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		link_clear(&c->links[i]);
	free(c->links);
	free(c->subject);
	free(c);
	*cp = NULL;
}

struct why_link *why_add(struct why_chain *c, enum why_link_kind kind,
			 int depth, enum why_severity sev, const char *what,
			 const char *why)
{
	struct why_link *l;

	c->links = xgrow(c->links, &c->cap, c->n + 1, sizeof(*c->links));
	l = &c->links[c->n++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->depth = depth;
	l->severity = sev;
	l->what = text_safe(what, -1, NULL);
	l->why = text_safe(why ? why : "", -1, NULL);
	return l;
}

void why_link_set_goto(struct why_link *l, enum why_goto go,
		       const char *target)
{
	free(l->target);
	l->target = NULL;
	l->go = target && *target ? go : WHY_GOTO_NONE;
	if (l->go != WHY_GOTO_NONE)
		l->target = text_safe(target, -1, NULL);
}

long why_chain_mark_likely(struct why_chain *c)
{
	size_t i;
	long found = -1;

	for (i = 0; i < c->n; i++) {
		struct why_link *l = &c->links[i];

		l->likely = 0;
		if (found < 0 && !c->healthy && l->explains &&
		    l->severity >= WHY_WARN) {
			l->likely = 1;
			found = (long)i;
		}
	}
	return found;
}

const struct why_link *why_chain_likely(const struct why_chain *c)
{
	size_t i;

	for (i = 0; c && i < c->n; i++)
		if (c->links[i].likely)
			return &c->links[i];
	return NULL;
}

const char *why_kind_name(enum why_link_kind k)
{
	static const char *const n[] = {
	    "flux", "source", "workload", "object", "pod",
	    "pods", "event",  "log",	  "image",  "note"};

	return (size_t)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

const char *why_severity_name(enum why_severity s)
{
	static const char *const n[] = {"ok", "info", "warning", "error"};

	return (size_t)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

const char *why_fix_name(enum why_fix f)
{
	static const char *const n[] = {"", "promote", "import", "reconcile",
					"override"};

	return (size_t)f < sizeof(n) / sizeof(n[0]) ? n[f] : "";
}

/* ---- images ---------------------------------------------------------------
 */

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? text_safe(s, -1, NULL) : NULL;
}

static void set_fix(struct why_link *l, enum why_fix f, const char *text,
		    const char *verb, const char *key)
{
	char args[900];

	l->fix = f;
	set_str(&l->fix_text, f ? text : NULL);
	why_fmt(args, sizeof(args), "%s %s", verb ? verb : "", key ? key : "");
	set_str(&l->fix_args, f ? args : NULL);
}

/* The pod link an image link belongs to: the nearest one above it. */
static struct why_link *parent_pod(struct why_chain *c, size_t i)
{
	while (i-- > 0) {
		if (c->links[i].kind == WHY_POD)
			return &c->links[i];
		if (c->links[i].kind != WHY_EVENT &&
		    c->links[i].kind != WHY_LOG)
			return NULL;
	}
	return NULL;
}

void why_chain_resolve_images(struct why_chain *c, why_image_fn lookup,
			      void *ud)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct why_link *l = &c->links[i];
		struct why_link *pod;
		struct why_image wi;
		char key[800];
		int explains = 0;

		if (l->kind != WHY_IMAGE || !l->image)
			continue;
		memset(&wi, 0, sizeof(wi));
		if (lookup)
			lookup(l->image, &wi, ud);
		else
			wi.state = WHY_IMG_NO_PIPELINE;
		if (!wi.text[0])
			why_fmt(wi.text, sizeof(wi.text), "%s",
				wi.state == WHY_IMG_NO_PIPELINE
				    ? "no registry is configured: its "
				      "pipeline state is not known"
				    : "its pipeline state is not known "
				      "yet");
		set_str(&l->why, wi.text);
		l->image_pending = wi.state == WHY_IMG_UNKNOWN;
		set_fix(l, WHY_FIX_NONE, NULL, NULL, NULL);
		switch (wi.state) {
		case WHY_IMG_QUARANTINED:
			explains = 1;
			set_fix(l, WHY_FIX_PROMOTE, "promote it", "promote",
				wi.key);
			break;
		case WHY_IMG_SCAN_BLOCKED:
			explains = 1;
			why_fmt(key, sizeof(key),
				"%s --override-gate --reason TEXT", wi.key);
			set_fix(l, WHY_FIX_OVERRIDE,
				"the scan gate blocks it: a fixed image, or "
				"promote it with an override and a reason",
				"promote", key);
			break;
		case WHY_IMG_NOT_IMPORTED:
			explains = 1;
			set_fix(l, WHY_FIX_IMPORT,
				"import it, then promote it", "import",
				wi.key);
			break;
		case WHY_IMG_NOT_LIVE:
			explains = 1;
			break;
		default:
			break;
		}
		l->explains = explains;
		l->severity = explains			     ? WHY_BAD
			      : wi.state == WHY_IMG_PROMOTED ? WHY_INFO
							     : WHY_WARN;
		why_link_set_goto(l, WHY_GOTO_IMAGE, wi.key);
		/* the pod explains its pull failure when the image does not */
		pod = parent_pod(c, i);
		if (pod)
			pod->explains = !explains;
	}
	why_chain_mark_likely(c);
}

/* ---- JSON -----------------------------------------------------------------
 */

char *why_chain_to_json(const struct why_chain *c, const char *kind,
			const char *ns, const char *name)
{
	cJSON *root = cJSON_CreateObject(), *o, *arr;
	long likely = -1;
	size_t i, k;
	char *out, *s;

	o = cJSON_AddObjectToObject(root, "object");
	/* names as typed may hold anything: only safe text goes out */
	s = text_safe(kind, -1, NULL);
	cJSON_AddStringToObject(o, "kind", s);
	free(s);
	s = text_safe(ns, -1, NULL);
	cJSON_AddStringToObject(o, "namespace", s);
	free(s);
	s = text_safe(name, -1, NULL);
	cJSON_AddStringToObject(o, "name", s);
	free(s);
	cJSON_AddBoolToObject(root, "found", c->found);
	cJSON_AddBoolToObject(root, "healthy", c->healthy);
	for (i = 0; i < c->n; i++)
		if (c->links[i].likely)
			likely = (long)i;
	if (likely >= 0)
		cJSON_AddNumberToObject(root, "likelyCause", (double)likely);
	else
		cJSON_AddNullToObject(root, "likelyCause");
	cJSON_AddNumberToObject(root, "requests", (double)c->requests);
	cJSON_AddBoolToObject(root, "cut", c->cut);
	arr = cJSON_AddArrayToObject(root, "links");
	for (i = 0; i < c->n; i++) {
		const struct why_link *l = &c->links[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "kind", why_kind_name(l->kind));
		cJSON_AddNumberToObject(j, "depth", l->depth);
		cJSON_AddStringToObject(j, "severity",
					why_severity_name(l->severity));
		cJSON_AddStringToObject(j, "what", l->what);
		cJSON_AddStringToObject(j, "why", l->why);
		cJSON_AddBoolToObject(j, "likely", l->likely);
		if (l->go == WHY_GOTO_NODE)
			cJSON_AddStringToObject(j, "node", l->target);
		if (l->kind == WHY_IMAGE && l->image)
			cJSON_AddStringToObject(j, "image", l->image);
		if (l->go == WHY_GOTO_IMAGE)
			cJSON_AddStringToObject(j, "pipelineImage", l->target);
		if (l->go == WHY_GOTO_FLUX)
			cJSON_AddStringToObject(j, "flux", l->target);
		if (l->fix) {
			cJSON *f = cJSON_AddObjectToObject(j, "fix");
			char cmd[1000];

			cJSON_AddStringToObject(f, "action",
						why_fix_name(l->fix));
			cJSON_AddStringToObject(f, "text", l->fix_text);
			why_fmt(cmd, sizeof(cmd), "jumpdeck %s",
				l->fix_args ? l->fix_args : "");
			cJSON_AddStringToObject(f, "command", cmd);
		}
		if (l->nlines) {
			cJSON *ls = cJSON_AddArrayToObject(j, "lines");

			for (k = 0; k < l->nlines; k++)
				cJSON_AddItemToArray(
				    ls, cJSON_CreateString(l->lines[k]));
		}
		cJSON_AddItemToArray(arr, j);
	}
	out = cJSON_Print(root);
	cJSON_Delete(root);
	return out ? out : xstrdup("{}");
}
