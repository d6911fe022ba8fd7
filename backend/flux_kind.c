/* flux_kind.c - the Flux kinds: their groups, names and API versions,
 * parsing what a user types, picking a served version. Not the objects. */
#include "flux.h"

#include <string.h>

#include "flux_int.h"
#include "json.h"

#define GROUP_SOURCE	"source.toolkit.fluxcd.io"
#define GROUP_KUSTOMIZE "kustomize.toolkit.fluxcd.io"
#define GROUP_HELM	"helm.toolkit.fluxcd.io"

static const struct flux_kind_info kind_table[FLUX_KIND_COUNT] = {
    [FLUX_GIT_REPOSITORY] =
	{
	    .kind = "GitRepository",
	    .group = GROUP_SOURCE,
	    .plural = "gitrepositories",
	    .singular = "gitrepository",
	    .short_name = "gitrepo",
	    .cli = "source git",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_OCI_REPOSITORY] =
	{
	    .kind = "OCIRepository",
	    .group = GROUP_SOURCE,
	    .plural = "ocirepositories",
	    .singular = "ocirepository",
	    .short_name = "ocirepo",
	    .cli = "source oci",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_HELM_REPOSITORY] =
	{
	    .kind = "HelmRepository",
	    .group = GROUP_SOURCE,
	    .plural = "helmrepositories",
	    .singular = "helmrepository",
	    .short_name = "helmrepo",
	    .cli = "source helm",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_BUCKET] =
	{
	    .kind = "Bucket",
	    .group = GROUP_SOURCE,
	    .plural = "buckets",
	    .singular = "bucket",
	    .short_name = "",
	    .cli = "source bucket",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 1,
	},
    [FLUX_KUSTOMIZATION] =
	{
	    .kind = "Kustomization",
	    .group = GROUP_KUSTOMIZE,
	    .plural = "kustomizations",
	    .singular = "kustomization",
	    .short_name = "ks",
	    .cli = "kustomization",
	    .versions = {"v1", "v1beta2", "v1beta1"},
	    .is_source = 0,
	},
    [FLUX_HELM_RELEASE] =
	{
	    .kind = "HelmRelease",
	    .group = GROUP_HELM,
	    .plural = "helmreleases",
	    .singular = "helmrelease",
	    .short_name = "hr",
	    .cli = "helmrelease",
	    .versions = {"v2", "v2beta2", "v2beta1"},
	    .is_source = 0,
	},
};

static const char *const default_versions[3] = {"v1", "v1beta2", "v1beta1"};

const struct flux_kind_info *flux_kind_get(enum flux_kind k)
{
	if ((int)k < 0 || k >= FLUX_KIND_COUNT)
		return NULL;
	return &kind_table[k];
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int flux_eq_nocase(const char *a, const char *b)
{
	while (*a && *b) {
		if (lower(*a) != lower(*b))
			return 0;
		a++;
		b++;
	}
	return *a == *b;
}

/* "plural.group" or "singular.group" */
static int eq_qualified(const char *s, const char *name, const char *group)
{
	size_t nl = strlen(name);
	size_t i;

	for (i = 0; i < nl; i++)
		if (lower(s[i]) != name[i])
			return 0;
	return s[nl] == '.' && flux_eq_nocase(s + nl + 1, group);
}

int flux_kind_parse(const char *s, enum flux_kind *out)
{
	int k;

	if (!s || !s[0])
		return -ERR_USAGE;
	for (k = 0; k < FLUX_KIND_COUNT; k++) {
		const struct flux_kind_info *t = &kind_table[k];

		if (flux_eq_nocase(s, t->kind) ||
		    flux_eq_nocase(s, t->singular) ||
		    flux_eq_nocase(s, t->plural) ||
		    flux_eq_nocase(s, t->cli) ||
		    (t->short_name[0] && flux_eq_nocase(s, t->short_name)) ||
		    eq_qualified(s, t->plural, t->group) ||
		    eq_qualified(s, t->singular, t->group)) {
			*out = (enum flux_kind)k;
			return 0;
		}
	}
	if (flux_eq_nocase(s, "git")) {
		*out = FLUX_GIT_REPOSITORY;
		return 0;
	}
	if (flux_eq_nocase(s, "oci")) {
		*out = FLUX_OCI_REPOSITORY;
		return 0;
	}
	return -ERR_USAGE;
}

static const char *const *versions_for_group(const char *group)
{
	int k;

	if (group)
		for (k = 0; k < FLUX_KIND_COUNT; k++)
			if (strcmp(kind_table[k].group, group) == 0)
				return kind_table[k].versions;
	return default_versions;
}

static int version_listed(const cJSON *versions, const char *want)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, versions)
	{
		const char *v = json_str(it, "version");

		if (v && strcmp(v, want) == 0)
			return 1;
	}
	return 0;
}

const char *flux_pick_version(const cJSON *api_group)
{
	const char *const *pref;
	const cJSON *versions;
	int i;

	if (!cJSON_IsObject(api_group))
		return NULL;
	versions = json_get(api_group, "versions");
	if (!cJSON_IsArray(versions))
		return NULL;
	pref = versions_for_group(json_str(api_group, "name"));
	for (i = 0; i < 3; i++)
		if (version_listed(versions, pref[i]))
			return pref[i];
	return NULL;
}

const char *flux_pick_version_in_list(const cJSON *group_list,
				      const char *group)
{
	const cJSON *it;

	if (!group)
		return NULL;
	cJSON_ArrayForEach(it, json_get(group_list, "groups"))
	{
		const char *name = json_str(it, "name");

		if (name && strcmp(name, group) == 0)
			return flux_pick_version(it);
	}
	return NULL;
}
