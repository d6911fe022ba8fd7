/* flux_controllers.c - the Flux controllers from their Deployments: found by
 * label or name, readiness, image and tag. Not the Flux objects. */
#include "flux.h"

#include <stdlib.h>
#include <string.h>

#include "flux_int.h"
#include "json.h"
#include "xalloc.h"

#define LABEL_PART_OF "app.kubernetes.io/part-of"

/* ---- controllers -------------------------------------------------------- */

static const char *const controller_names[] = {
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
};

int flux_is_controller(const cJSON *deployment)
{
	const cJSON *meta = json_get(deployment, "metadata");
	const char *part_of =
	    json_str(json_get(meta, "labels"), LABEL_PART_OF);
	const char *name = json_str(meta, "name");
	size_t i;

	if (part_of && strcmp(part_of, "flux") == 0)
		return 1;
	if (!name)
		return 0;
	for (i = 0; i < sizeof(controller_names) / sizeof(controller_names[0]);
	     i++)
		if (strcmp(name, controller_names[i]) == 0)
			return 1;
	return 0;
}

/* "reg:5000/a/b:tag@sha256:..." into repo, tag and digest. */
static void split_image(struct flux_controller *c)
{
	const char *img = c->image;
	const char *at = strchr(img, '@');
	const char *end = at ? at : img + strlen(img);
	const char *slash = NULL, *colon = NULL, *p;

	for (p = img; p < end; p++)
		if (*p == '/')
			slash = p;
	for (p = slash ? slash : img; p < end; p++)
		if (*p == ':')
			colon = p;
	c->digest = xstrdup(at ? at + 1 : "");
	if (colon) {
		c->repo = xstrndup(img, (size_t)(colon - img));
		c->tag = xstrndup(colon + 1, (size_t)(end - colon - 1));
	} else {
		c->repo = xstrndup(img, (size_t)(end - img));
		c->tag = xstrdup("");
	}
}

int flux_controller_from_json(struct flux_controller *out,
			      const cJSON *deployment, struct err *e)
{
	const cJSON *meta, *spec, *status, *it, *containers;
	const char *name, *part_of;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(deployment))
		return err_set(e, ERR_PARSE,
			       "Deployment is not a JSON object");
	meta = json_get(deployment, "metadata");
	name = json_str(meta, "name");
	if (!name || !name[0])
		return err_set(e, ERR_PARSE,
			       "Deployment has no metadata.name");
	spec = json_get(deployment, "spec");
	status = json_get(deployment, "status");
	out->namespace = json_dup(meta, "namespace", "");
	out->name = xstrdup(name);
	part_of = json_str(json_get(meta, "labels"), LABEL_PART_OF);
	out->labeled = part_of && strcmp(part_of, "flux") == 0;
	out->desired = (int)json_num(spec, "replicas", 1);
	out->ready = (int)json_num(status, "readyReplicas", 0);
	out->available_replicas =
	    (int)json_num(status, "availableReplicas", 0);
	cJSON_ArrayForEach(it, json_get(status, "conditions"))
	{
		const char *type = json_str(it, "type");

		if (!type || strcmp(type, "Available") != 0 ||
		    out->available_status)
			continue;
		out->available_status = json_dup(it, "status", "");
		out->available_reason = json_dup(it, "reason", "");
		out->available_message = json_dup(it, "message", "");
	}
	if (!out->available_status) {
		out->available_status = xstrdup("");
		out->available_reason = xstrdup("");
		out->available_message = xstrdup("");
	}
	out->available = strcmp(out->available_status, "True") == 0;
	containers = json_get(json_get(json_get(spec, "template"), "spec"),
			      "containers");
	out->image = json_dup(cJSON_IsArray(containers)
				  ? cJSON_GetArrayItem(containers, 0)
				  : NULL,
			      "image", "");
	split_image(out);
	return 0;
}

static int controller_cmp(const void *a, const void *b)
{
	const struct flux_controller *x = a;
	const struct flux_controller *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->namespace, y->namespace);
}

int flux_controllers_from_list(const cJSON *list, struct flux_controller **out,
			       size_t *n, struct err *e)
{
	const cJSON *items = json_get(list, "items");
	const cJSON *it;
	struct flux_controller *v;
	size_t count, i = 0, pos = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(list))
		return err_set(e, ERR_PARSE,
			       "Deployment list is not a JSON object");
	if (!items || cJSON_IsNull(items))
		return 0;
	if (!cJSON_IsArray(items))
		return err_set(e, ERR_PARSE,
			       "Deployment list items is not an array");
	count = (size_t)cJSON_GetArraySize(items);
	v = xcalloc(count ? count : 1, sizeof(*v));
	cJSON_ArrayForEach(it, items)
	{
		pos++;
		if (!flux_is_controller(it))
			continue;
		rc = flux_controller_from_json(&v[i], it, e);
		if (rc != 0) {
			if (e)
				err_prefix(e, "Deployment item %zu", pos);
			flux_controllers_free(&v, i);
			return rc;
		}
		i++;
	}
	if (i == 0) {
		free(v);
		return 0;
	}
	qsort(v, i, sizeof(*v), controller_cmp);
	*out = v;
	*n = i;
	return 0;
}

int flux_controller_ok(const struct flux_controller *c)
{
	return c->available && c->ready >= c->desired;
}

void flux_controller_clear(struct flux_controller *c)
{
	if (!c)
		return;
	free(c->namespace);
	free(c->name);
	free(c->available_status);
	free(c->available_reason);
	free(c->available_message);
	free(c->image);
	free(c->repo);
	free(c->tag);
	free(c->digest);
	memset(c, 0, sizeof(*c));
}

void flux_controllers_free(struct flux_controller **v, size_t n)
{
	size_t i;

	if (!v || !*v)
		return;
	for (i = 0; i < n; i++)
		flux_controller_clear(&(*v)[i]);
	free(*v);
	*v = NULL;
}
