/* arm_deploy.c - ARM deployments: a deployment's outputs, and the two
 * registries that cluster-stamp or pre-cluster-stamp name. Not importImage. */
#include "arm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arm_int.h"
#include "json.h"
#include "xalloc.h"

/* ---- deployments -------------------------------------------------------- */

static char *deployment_url(const struct arm_call *c, const char *name)
{
	char *s = arm_escape_segment(c->sub), *r = arm_escape_segment(c->rg);
	char *n = arm_escape_segment(name);
	char *url = xasprintf("%s/subscriptions/%s/resourcegroups/%s/"
			      "providers/Microsoft.Resources/deployments/%s"
			      "?api-version=%s",
			      c->arm->endpoint, s, r, n, ARM_API_DEPLOYMENTS);

	free(s);
	free(r);
	free(n);
	return url;
}

/* The sentence for a failed deployments GET. Returns whether it was "not
 * found" (the deployment, not its resource group). */
static int deployment_error(const struct arm_call *c, const char *name,
			    long status, const char *body, struct err *e)
{
	char code[128];

	arm_error_code(body, code, sizeof(code));
	if (status == 404 &&
	    (strcmp(code, "DeploymentNotFound") == 0 || !code[0])) {
		err_set(e, ERR_NOTFOUND,
			"deployment %s not found in resource group %s", name,
			c->rg);
		return 1;
	}
	arm_error_sentence(status, body, e);
	return 0;
}

const cJSON *arm_output_value(const cJSON *outputs, const char *name,
			      const char **type)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(outputs, name);
	const cJSON *t;

	if (!o)
		o = cJSON_GetObjectItem(outputs, name);
	if (type)
		*type = NULL;
	if (!cJSON_IsObject(o))
		return NULL;
	t = cJSON_GetObjectItem(o, "type");
	if (type && cJSON_IsString(t))
		*type = t->valuestring;
	return cJSON_GetObjectItem(o, "value");
}

const char *arm_output_string(const cJSON *outputs, const char *name)
{
	const char *type;
	const cJSON *v = arm_output_value(outputs, name, &type);

	if (!cJSON_IsString(v))
		return NULL;
	if (type && strcasecmp(type, "string") != 0 &&
	    strcasecmp(type, "securestring") != 0)
		return NULL;
	return v->valuestring;
}

void arm_finish_outputs(struct arm_call *c, cJSON *doc)
{
	struct arm_outputs o;
	cJSON *props = cJSON_GetObjectItemCaseSensitive(doc, "properties");

	memset(&o, 0, sizeof(o));
	o.status = c->status;
	o.err = c->err;
	o.deployment = c->names[0];
	o.ok = c->err.code == 0 && doc != NULL;
	if (o.ok) {
		cJSON *outs =
		    cJSON_DetachItemFromObjectCaseSensitive(props, "outputs");

		o.provisioning_state = json_text(props, "provisioningState");
		if (!cJSON_IsObject(outs)) {
			cJSON_Delete(outs);
			outs = cJSON_CreateObject();
		}
		o.outputs = outs;
	}
	c->in_cb++;
	c->outputs_done(&o, c->ud);
	c->in_cb--;
	cJSON_Delete(o.outputs);
}

static void on_outputs_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	cJSON *doc = NULL;

	c->req = NULL;
	c->status = r->status;
	arm_note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
	} else if (r->status != 200) {
		deployment_error(c, c->names[0], r->status, r->body, &c->err);
	} else {
		doc = cJSON_Parse(r->body);
		if (!cJSON_IsObject(doc))
			err_set(&c->err, ERR_PARSE,
				"the answer for deployment %s is not JSON",
				c->names[0]);
	}
	if (c->err.code) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	arm_call_stop_io(c);
	arm_call_unlink(c);
	c->finished = 1;
	arm_finish_outputs(c, doc);
	cJSON_Delete(doc);
	arm_call_release(c);
}

struct arm_call *arm_deployment_outputs(struct arm *a, const char *sub,
					const char *rg, const char *name,
					arm_outputs_fn done, void *ud)
{
	struct arm_call *c = arm_call_new(a, CALL_OUTPUTS, ud);
	char *url;
	int rc;

	c->outputs_done = done;
	c->names[0] = xstrdup(name ? name : "");
	c->nnames = 1;
	if (!arm_have_args(c, sub, rg))
		return arm_fail_later(c);
	if (!name || !*name) {
		err_set(&c->err, ERR_USAGE, "no deployment name given");
		return arm_fail_later(c);
	}
	url = deployment_url(c, name);
	rc = arm_call_send(c, "GET", url, NULL, 1, 0, 0, REQ_TIMEOUT_MS,
			   on_outputs_done);
	free(url);
	return rc < 0 ? arm_fail_later(c) : c;
}

/* ---- registry lookup ---------------------------------------------------- */

void arm_finish_registries(struct arm_call *c, const char *deployment,
			   const char *quarantine, const char *live)
{
	struct arm_registries r;

	memset(&r, 0, sizeof(r));
	r.err = c->err;
	r.ok = c->err.code == 0;
	if (r.ok) {
		r.deployment = deployment;
		r.quarantine = quarantine;
		r.live = live;
		r.same = strcasecmp(quarantine, live) == 0;
	}
	c->in_cb++;
	c->registries_done(&r, c->ud);
	c->in_cb--;
}

static void add_note(struct arm_call *c, const char *note)
{
	if (c->notes[0])
		arm_buf_append(c->notes, sizeof(c->notes), "; ");
	arm_buf_append(c->notes, sizeof(c->notes), note);
}

static void lookup_next(struct arm_call *c);

static void on_lookup_done(const struct http_response *r, void *ud)
{
	struct arm_call *c = ud;
	const char *name = c->names[c->iname];
	cJSON *doc = NULL;
	const cJSON *outs;
	const char *q = NULL, *live = NULL;
	char note[300];

	c->req = NULL;
	c->status = r->status;
	arm_note_quota(c->arm, r);
	if (r->status == 0) {
		c->err = r->err;
		goto done;
	}
	if (r->status != 200) {
		struct err e;

		err_clear(&e);
		if (!deployment_error(c, name, r->status, r->body, &e)) {
			c->err = e;
			goto done;
		}
		add_note(c, e.msg);
		goto next;
	}
	doc = cJSON_Parse(r->body);
	if (!cJSON_IsObject(doc)) {
		err_set(&c->err, ERR_PARSE,
			"the answer for deployment %s is "
			"not JSON",
			name);
		goto done;
	}
	outs = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "properties"), "outputs");
	q = arm_output_string(outs, "quarantineContainerRegistryName");
	live = arm_output_string(outs, "containerRegistryName");
	if (q && live && *q && *live)
		goto done;
	snprintf(note, sizeof(note), "deployment %s has no output %s", name,
		 !q || !*q ? "quarantineContainerRegistryName"
			   : "containerRegistryName");
	if ((!q || !*q) && (!live || !*live))
		snprintf(note, sizeof(note),
			 "deployment %s has no output "
			 "quarantineContainerRegistryName "
			 "or containerRegistryName",
			 name);
	add_note(c, note);
	q = live = NULL;
next:
	cJSON_Delete(doc);
	doc = NULL;
	if (c->iname + 1 < c->nnames) {
		c->iname++;
		lookup_next(c);
		return;
	}
	err_set(&c->err, ERR_NOTFOUND, "%s", c->notes);
done:
	arm_call_stop_io(c);
	arm_call_unlink(c);
	c->finished = 1;
	arm_finish_registries(c, name, q, live);
	cJSON_Delete(doc);
	arm_call_release(c);
}

static void lookup_next(struct arm_call *c)
{
	char *url = deployment_url(c, c->names[c->iname]);
	int rc = arm_call_send(c, "GET", url, NULL, 1, 0, 0, REQ_TIMEOUT_MS,
			       on_lookup_done);

	free(url);
	if (rc < 0)
		arm_fail_later(c);
}

struct arm_call *arm_registry_lookup(struct arm *a, const char *sub,
				     const char *rg, const char *name,
				     arm_registries_fn done, void *ud)
{
	struct arm_call *c = arm_call_new(a, CALL_REGISTRIES, ud);

	c->registries_done = done;
	if (name && *name) {
		c->names[c->nnames++] = xstrdup(name);
	} else {
		c->names[c->nnames++] = xstrdup(ARM_STAMP_DEPLOYMENT);
		c->names[c->nnames++] = xstrdup(ARM_PRE_STAMP_DEPLOYMENT);
	}
	if (!arm_have_args(c, sub, rg))
		return arm_fail_later(c);
	lookup_next(c);
	return c;
}
