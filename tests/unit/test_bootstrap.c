/* test_bootstrap.c - the walkthrough's ten steps from facts alone: a world
 * where nothing is done, one bootstrapped by someone else (every step
 * done), and each step's other states with the sentence and the next
 * action an operator would see; the jump-box cases (not admin, a public
 * API server, no IMDS); the JSON; and the manifest splitting of the Flux
 * install on the fixture tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/bootstrap.h"
#include "cli/print.h"
#include "backend/bootstrap_model.h"
#include "backend/bootstrap_probe.h"
#include "backend/config.h"
#include "backend/flux_install.h"

#define FIXTURE "tests/unit/data/manifests/cluster-manifests/flux-system"

/* A world where someone else did every step. */
static void all_done(struct boot_facts *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->ctx.registry, sizeof(f->ctx.registry), "acrakstest");
	snprintf(f->ctx.account, sizeof(f->ctx.account), "contoso");
	snprintf(f->ctx.resource_group, sizeof(f->ctx.resource_group),
		 "rg-bu0001a0005");
	f->images.known = 1;
	snprintf(f->images.registry, sizeof(f->images.registry), "acrakstest");
	f->images.total = f->images.quarantined = f->images.promoted = 6;
	f->scans.available = f->scans.known = 1;
	f->scans.images = f->scans.passing = 6;
	f->repo.located = f->repo.scanned = 1;
	f->repo.scan.files = 9;
	f->repo.scan.have_sync = 1;
	snprintf(f->repo.sync_url, sizeof(f->repo.sync_url),
		 "https://github.com/contoso/aks-baseline-regulated");
	f->repo.url_checked = f->repo.url_ok = 1;
	snprintf(f->repo.url_head, sizeof(f->repo.url_head),
		 "0123456789abcdef0123456789abcdef01234567");
	f->repo.git_known = 1;
	f->repo.git.ok = 1;
	snprintf(f->repo.git.root, sizeof(f->repo.git.root), "/src/clone");
	snprintf(f->repo.git.branch, sizeof(f->repo.git.branch), "main");
	snprintf(f->repo.git.head, sizeof(f->repo.git.head), "%s",
		 f->repo.url_head);
	snprintf(f->repo.git.upstream, sizeof(f->repo.git.upstream),
		 "origin/main");
	snprintf(f->repo.git.remote_url, sizeof(f->repo.git.remote_url),
		 "git@github.com:contoso/aks-baseline-regulated.git");
	f->repo.git.remote_known = 1;
	snprintf(f->repo.git.remote_head, sizeof(f->repo.git.remote_head),
		 "%s", f->repo.url_head);
	f->jumpbox_known = 1;
	f->jb.azure_known = f->jb.azure_ok = 1;
	snprintf(f->jb.azure_identity, sizeof(f->jb.azure_identity),
		 "opsuser01@contoso.example");
	snprintf(f->jb.azure_source, sizeof(f->jb.azure_source), "Azure CLI");
	f->jb.cluster_known = 1;
	snprintf(f->jb.cluster_name, sizeof(f->jb.cluster_name), "aks-x1");
	f->jb.is_private = 1;
	snprintf(f->jb.private_fqdn, sizeof(f->jb.private_fqdn),
		 "aks-x1.privatelink.centralus.azmk8s.io");
	f->jb.kube_ok = 1;
	f->jb.kube_for_cluster = 1;
	snprintf(f->jb.context, sizeof(f->jb.context), "aks-x1");
	f->jb.imds_known = f->jb.on_azure_vm = 1;
	snprintf(f->jb.vm_name, sizeof(f->jb.vm_name), "vmss-jumpboxes_0");
	f->cluster.known = f->cluster.reachable = 1;
	snprintf(f->cluster.version, sizeof(f->cluster.version), "v1.30.6");
	f->cluster.admin_known = f->cluster.admin = 1;
	f->cluster.nodes_known = 1;
	f->cluster.nodes = f->cluster.ready = 7;
	f->flux.crds_known = 1;
	f->flux.crds = f->flux.established = 5;
	f->flux.controllers_known = 1;
	f->flux.controllers = f->flux.available = 2;
	f->flux.have_source_controller = 1;
	f->flux.have_kustomize_controller = 1;
	f->flux.objects_known = f->flux.have_repo = f->flux.repo_ready = 1;
	snprintf(f->flux.repo_name, sizeof(f->flux.repo_name),
		 "flux-system/flux-system");
	snprintf(f->flux.repo_url, sizeof(f->flux.repo_url), "%s",
		 f->repo.sync_url);
	snprintf(f->flux.repo_revision, sizeof(f->flux.repo_revision),
		 "main/0123456789abcdef0123456789abcdef01234567");
	f->flux.ks = f->flux.ks_ready = 4;
}

static void test_bootstrapped_by_someone_else(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];
	size_t i;

	(void)state;
	all_done(&f);
	bootstrap_evaluate(&f, s);
	for (i = 0; i < BOOT_NSTEPS; i++) {
		assert_int_equal(s[i].state, BOOT_DONE);
		assert_int_equal(s[i].warn, 0);
		assert_true(s[i].why[0] != '\0');
	}
	assert_int_equal(bootstrap_first_open(s), BOOT_NSTEPS);
	assert_int_equal(bootstrap_done_count(s), 10);
	assert_string_equal(s[BOOT_JUMPBOX].why,
			    "signed in as opsuser01@contoso.example; context "
			    "aks-x1 for private cluster aks-x1; on "
			    "vmss-jumpboxes_0");
	assert_string_equal(s[BOOT_CLUSTER].why,
			    "Kubernetes v1.30.6 answers, you are cluster "
			    "admin, 7/7 nodes Ready");
	assert_string_equal(s[BOOT_PUSHED].why,
			    "main at 01234567 is pushed to origin/main");
}

static void test_nothing_done(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];

	(void)state;
	memset(&f, 0, sizeof(f));
	bootstrap_evaluate(&f, s);
	assert_int_equal(bootstrap_done_count(s), 0);
	assert_int_equal(bootstrap_first_open(s), 0);
	assert_int_equal(s[BOOT_REGISTRY].state, BOOT_UNKNOWN);
	assert_non_null(strstr(s[BOOT_REGISTRY].why, "give --repo DIR"));
	assert_int_equal(s[BOOT_SCANS].state, BOOT_UNKNOWN);
	assert_string_equal(s[BOOT_SCANS].why,
			    "scan results are not read: no image pipeline");
}

static void test_images(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];

	(void)state;
	all_done(&f);
	f.images.quarantined = 2;
	f.images.promoted = 0;
	snprintf(f.images.first_missing, sizeof(f.images.first_missing),
		 "falco:0.26.2");
	snprintf(f.images.first_unpromoted, sizeof(f.images.first_unpromoted),
		 "kustomize-controller:v0.6.3");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_QUARANTINE].state, BOOT_TODO);
	assert_string_equal(s[BOOT_QUARANTINE].why,
			    "2/6 images in quarantine/ of acrakstest "
			    "(missing: falco:0.26.2)");
	assert_int_equal(s[BOOT_QUARANTINE].act, BOOT_ACT_IMPORT);
	assert_string_equal(s[BOOT_QUARANTINE].command,
			    "jumpdeck import --all");
	assert_int_equal(s[BOOT_PROMOTE].act, BOOT_ACT_PROMOTE);
	assert_int_equal(bootstrap_first_open(s), BOOT_QUARANTINE);
	/* An import running: in progress. */
	f.images.running = 1;
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_QUARANTINE].state, BOOT_RUNNING);
	/* A drifted live/ image: not done, forced promote named. */
	all_done(&f);
	f.images.alerts = 1;
	f.images.promoted = 5;
	snprintf(f.images.first_alert, sizeof(f.images.first_alert),
		 "kured:1.6.1");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_PROMOTE].state, BOOT_TODO);
	assert_string_equal(s[BOOT_PROMOTE].command,
			    "jumpdeck promote kured:1.6.1 --force");
	/* The registry cannot be read. */
	all_done(&f);
	f.images.known = 0;
	snprintf(f.images.err.msg, sizeof(f.images.err.msg),
		 "not signed in to Azure");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_QUARANTINE].state, BOOT_UNKNOWN);
	assert_string_equal(s[BOOT_QUARANTINE].why, "not signed in to Azure");
}

/* One quarantined image of step 2, with the gate's verdict on it. */
static void scan_row(struct scan_image *im, struct scan_gate *g,
		     const char *repo, enum scan_verdict v, int blocked,
		     const char *why)
{
	memset(im, 0, sizeof(*im));
	memset(g, 0, sizeof(*g));
	snprintf(im->repo, sizeof(im->repo), "%s", repo);
	snprintf(im->tag, sizeof(im->tag), "1.0");
	snprintf(im->digest, sizeof(im->digest), "sha256:%064d", 1);
	im->verdict = v;
	snprintf(im->why, sizeof(im->why), "%s", why);
	g->blocked = blocked;
	snprintf(g->why, sizeof(g->why), "%s", blocked ? why : "passes");
}

static void test_scans(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];
	struct scan_image im[4];
	struct scan_gate g[4];
	struct err e;
	size_t i;

	(void)state;
	all_done(&f);
	/* No scan state in the session: cannot tell, and why. */
	memset(&f.scans, 0, sizeof(f.scans));
	snprintf(f.scans.err.msg, sizeof(f.scans.err.msg),
		 "config: scan_gate_allow: bad date");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_UNKNOWN);
	assert_string_equal(s[BOOT_SCANS].why,
			    "scan results are not read: config: "
			    "scan_gate_allow: bad date");
	/* Asked, no answer yet. */
	err_clear(&e);
	err_set(&e, ERR_IO, "asking Defender (1 query)...");
	bootstrap_facts_scans(&f, NULL, NULL, 0, &e);
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_UNKNOWN);
	assert_string_equal(s[BOOT_SCANS].why, "asking Defender (1 query)...");
	/* Nothing in quarantine/ yet: step 1's import is the way on. */
	scan_row(&im[0], &g[0], "quarantine/library/busybox", SCAN_UNKNOWN, 1,
		 "not imported");
	im[0].digest[0] = '\0';
	bootstrap_facts_scans(&f, im, g, 1, NULL);
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_TODO);
	assert_int_equal(s[BOOT_SCANS].act, BOOT_ACT_IMPORT);
	/* Findings block one image, another waits for its scan, one is
	 * clean, one was never scanned: blocked comes first. */
	scan_row(&im[0], &g[0], "quarantine/library/busybox", SCAN_UNHEALTHY,
		 1, "blocked by: CVE-2021-3711 (critical)");
	scan_row(&im[1], &g[1], "quarantine/weaveworks/kured", SCAN_PENDING, 1,
		 "blocked by: no scan verdict (pending)");
	scan_row(&im[2], &g[2], "quarantine/falcosecurity/falco", SCAN_HEALTHY,
		 0, "");
	scan_row(&im[3], &g[3], "quarantine/envoyproxy/envoy-alpine",
		 SCAN_UNKNOWN, 1, "Defender has no results for it");
	bootstrap_facts_scans(&f, im, g, 4, NULL);
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_TODO);
	assert_string_equal(s[BOOT_SCANS].why,
			    "the scan gate blocks 1 of 4 images: busybox:1.0 "
			    "blocked by: CVE-2021-3711 (critical)");
	assert_string_equal(s[BOOT_SCANS].command, "jumpdeck scans");
	assert_string_equal(s[BOOT_SCANS].pane, "scans");
	assert_int_equal(bootstrap_first_open(s), BOOT_SCANS);
	/* Without the findings: in progress while one is pending. */
	scan_row(&im[0], &g[0], "quarantine/library/busybox", SCAN_HEALTHY, 0,
		 "");
	bootstrap_facts_scans(&f, im, g, 4, NULL);
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_RUNNING);
	assert_non_null(strstr(s[BOOT_SCANS].why,
			       "1 of 4 images have no scan result yet"));
	/* Then cannot tell, naming the image nobody scanned. */
	scan_row(&im[1], &g[1], "quarantine/weaveworks/kured", SCAN_HEALTHY, 0,
		 "");
	bootstrap_facts_scans(&f, im, g, 4, NULL);
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_UNKNOWN);
	assert_string_equal(s[BOOT_SCANS].why,
			    "1 of 4 images have no scan verdict: "
			    "envoy-alpine:1.0 Defender has no results for it");
	/* All pass; findings let through by the allow-list are a warning. */
	scan_row(&im[3], &g[3], "quarantine/envoyproxy/envoy-alpine",
		 SCAN_UNHEALTHY, 0, "");
	g[3].nallowed = 2;
	bootstrap_facts_scans(&f, im, g, 4, NULL);
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_DONE);
	assert_int_equal(s[BOOT_SCANS].warn, 1);
	assert_string_equal(s[BOOT_SCANS].why,
			    "the scan gate passes all 4 images (2 findings "
			    "allowed by the allow-list)");
	/* A gate sentence longer than the step's is cut, never overrun. */
	scan_row(&im[0], &g[0], "quarantine/library/busybox", SCAN_UNHEALTHY,
		 1, "");
	for (i = 0; i + 1 < sizeof(g[0].why); i++)
		g[0].why[i] = 'x';
	g[0].why[i] = '\0';
	bootstrap_facts_scans(&f, im, g, 4, NULL);
	assert_int_equal(strlen(f.scans.blocked_why),
			 sizeof(f.scans.blocked_why) - 1);
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SCANS].state, BOOT_TODO);
}

static void test_manifests_and_git(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];
	char path[] = "cluster-manifests/falco-system/kustomization.yaml";
	char *dirty[] = {path};

	(void)state;
	all_done(&f);
	snprintf(f.ctx.repo_dir, sizeof(f.ctx.repo_dir), "/src/my clone");
	f.repo.scan.registry_count = 6;
	f.repo.scan.registry_files = 4;
	snprintf(f.repo.scan.first_registry,
		 sizeof(f.repo.scan.first_registry),
		 "cluster-manifests/cluster-baseline-settings/"
		 "kustomization.yaml");
	f.repo.scan.account_count = 1;
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_REGISTRY].state, BOOT_TODO);
	assert_string_equal(s[BOOT_REGISTRY].why,
			    "6 REPLACE_ME_WITH_YOUR_ACRNAME left in 4 "
			    "kustomization files (first: cluster-manifests/"
			    "cluster-baseline-settings/kustomization.yaml)");
	assert_string_equal(s[BOOT_REGISTRY].command,
			    "jumpdeck rewrite-manifests --registry acrakstest "
			    "'/src/my clone'");
	assert_int_equal(s[BOOT_FORK].act, BOOT_ACT_REWRITE_ACCOUNT);
	assert_string_equal(s[BOOT_FORK].command,
			    "jumpdeck rewrite-manifests --github-account "
			    "contoso '/src/my clone'");
	assert_int_equal(s[BOOT_PUSHED].state, BOOT_TODO);
	assert_int_equal(s[BOOT_PUSHED].act, BOOT_ACT_NONE);

	/* Rewritten, not committed. */
	all_done(&f);
	f.repo.git.dirty = dirty;
	f.repo.git.nkept = f.repo.git.ndirty = 1;
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_PUSHED].state, BOOT_TODO);
	assert_int_equal(s[BOOT_PUSHED].act, BOOT_ACT_COMMIT);
	assert_string_equal(s[BOOT_PUSHED].why,
			    "1 rewritten file not committed (cluster-manifests"
			    "/falco-system/kustomization.yaml)");
	f.repo.git.dirty = NULL;
	f.repo.git.nkept = f.repo.git.ndirty = 0;

	/* Committed, not pushed. */
	snprintf(f.repo.git.head, sizeof(f.repo.git.head),
		 "fedcba9876543210fedcba9876543210fedcba98");
	f.repo.git.ahead = 2;
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_PUSHED].act, BOOT_ACT_PUSH);
	assert_string_equal(s[BOOT_PUSHED].why,
			    "2 commits not pushed to origin/main");
	/* Someone pushed meanwhile. */
	f.repo.git.diverged = 1;
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_PUSHED].act, BOOT_ACT_NONE);
	assert_string_equal(s[BOOT_PUSHED].command,
			    "git -C /src/clone pull --rebase "
			    "--autostash");
	/* The fork does not answer. */
	all_done(&f);
	f.repo.url_ok = 0;
	snprintf(f.repo.url_err.msg, sizeof(f.repo.url_err.msg),
		 "repository not found (HTTP 404)");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_FORK].state, BOOT_TODO);
	assert_string_equal(s[BOOT_FORK].why,
			    "gotk-sync.yaml points at https://github.com/"
			    "contoso/aks-baseline-regulated, which does not "
			    "answer: repository not found (HTTP 404)");
}

static void test_jumpbox_cases(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];

	(void)state;
	/* A public API server: done, with that one sentence. */
	all_done(&f);
	f.jb.is_private = 0;
	f.jb.has_public_fqdn = 1;
	snprintf(f.jb.fqdn, sizeof(f.jb.fqdn),
		 "aks-x1-dns.hcp.centralus.azmk8s.io");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_JUMPBOX].state, BOOT_DONE);
	assert_int_equal(s[BOOT_JUMPBOX].warn, 1);
	assert_string_equal(s[BOOT_JUMPBOX].why,
			    "the API server is public (aks-x1-dns.hcp."
			    "centralus.azmk8s.io): the walkthrough's cluster "
			    "is private");
	/* No IMDS: done, with that one sentence. */
	all_done(&f);
	f.jb.on_azure_vm = 0;
	snprintf(f.jb.imds_err.msg, sizeof(f.jb.imds_err.msg),
		 "IMDS at http://127.0.0.1:1 did not answer");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_JUMPBOX].state, BOOT_DONE);
	assert_int_equal(s[BOOT_JUMPBOX].warn, 1);
	assert_string_equal(s[BOOT_JUMPBOX].why,
			    "not on an Azure VM (IMDS at http://127.0.0.1:1 "
			    "did not answer): run this from the jump box");
	/* Not signed in. */
	all_done(&f);
	f.jb.azure_ok = 0;
	snprintf(f.jb.azure_err.msg, sizeof(f.jb.azure_err.msg),
		 "no Azure credentials: Azure CLI: not signed in");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_JUMPBOX].state, BOOT_TODO);
	assert_string_equal(s[BOOT_JUMPBOX].command, "az login");
	/* Credentials for another cluster. */
	all_done(&f);
	f.jb.kube_for_cluster = 0;
	snprintf(f.jb.context, sizeof(f.jb.context), "dev");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_JUMPBOX].state, BOOT_TODO);
	assert_string_equal(s[BOOT_JUMPBOX].command,
			    "az aks get-credentials -g rg-bu0001a0005 -n "
			    "aks-x1");
	/* Not admin: 403 on the review itself. */
	all_done(&f);
	f.cluster.admin = 0;
	snprintf(f.cluster.admin_err.msg, sizeof(f.cluster.admin_err.msg),
		 "selfsubjectaccessreviews.authorization.k8s.io is "
		 "forbidden: User \"viewer\" cannot create resource "
		 "\"selfsubjectaccessreviews\"");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_CLUSTER].state, BOOT_TODO);
	assert_string_equal(s[BOOT_CLUSTER].why,
			    "not cluster admin: selfsubjectaccessreviews."
			    "authorization.k8s.io is forbidden: User "
			    "\"viewer\" cannot create resource "
			    "\"selfsubjectaccessreviews\"");
	/* Not admin: the review says no. */
	f.cluster.admin_err.msg[0] = '\0';
	bootstrap_evaluate(&f, s);
	assert_string_equal(s[BOOT_CLUSTER].why,
			    "not cluster admin: the server says you may not "
			    "do everything");
	/* A node down. */
	all_done(&f);
	f.cluster.ready = 6;
	snprintf(f.cluster.first_not_ready, sizeof(f.cluster.first_not_ready),
		 "aks-npooscope01-26621167-vmss000001");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_CLUSTER].state, BOOT_TODO);
	assert_string_equal(s[BOOT_CLUSTER].pane, "nodes");
}

static void test_flux_states(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];

	(void)state;
	all_done(&f);
	f.flux.crds = f.flux.established = 0;
	f.flux.controllers = f.flux.available = 0;
	f.flux.have_source_controller = f.flux.have_kustomize_controller = 0;
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_FLUX].state, BOOT_TODO);
	assert_string_equal(s[BOOT_FLUX].why, "Flux is not installed");
	assert_int_equal(s[BOOT_FLUX].act, BOOT_ACT_INSTALL_FLUX);
	assert_int_equal(s[BOOT_SYNCED].state, BOOT_TODO);
	/* Installed, the controller is coming up: in progress. */
	all_done(&f);
	f.flux.available = 1;
	snprintf(f.flux.first_unavailable, sizeof(f.flux.first_unavailable),
		 "source-controller");
	snprintf(f.flux.unavailable_why, sizeof(f.flux.unavailable_why),
		 "0/1 ready");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_FLUX].state, BOOT_RUNNING);
	assert_string_equal(s[BOOT_FLUX].why,
			    "waiting for source-controller to become "
			    "Available: 0/1 ready");
	/* Flux follows the upstream placeholder, not the fork. */
	all_done(&f);
	snprintf(f.flux.repo_url, sizeof(f.flux.repo_url),
		 "https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/"
		 "aks-baseline-regulated");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SYNCED].state, BOOT_TODO);
	assert_int_equal(s[BOOT_SYNCED].act, BOOT_ACT_INSTALL_FLUX);
	/* A kustomization failing. */
	all_done(&f);
	f.flux.ks_ready = 3;
	snprintf(f.flux.first_failing_ks, sizeof(f.flux.first_failing_ks),
		 "flux-system/a0005-i");
	snprintf(f.flux.ks_message, sizeof(f.flux.ks_message),
		 "kustomize build failed");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_SYNCED].act, BOOT_ACT_RECONCILE);
	assert_string_equal(s[BOOT_SYNCED].why,
			    "3/4 kustomizations Ready (flux-system/a0005-i: "
			    "kustomize build failed)");
	/* A 403 on the CRD list is "cannot tell", not "not installed". */
	all_done(&f);
	f.flux.crds_known = 0;
	snprintf(f.flux.crds_err.msg, sizeof(f.flux.crds_err.msg),
		 "customresourcedefinitions.apiextensions.k8s.io is "
		 "forbidden");
	bootstrap_evaluate(&f, s);
	assert_int_equal(s[BOOT_FLUX].state, BOOT_UNKNOWN);
	assert_int_equal(s[BOOT_SYNCED].state, BOOT_UNKNOWN);
}

static void test_json(void **state)
{
	struct boot_facts f;
	struct boot_step s[BOOT_NSTEPS];
	cJSON *j, *steps, *one;
	char *text;

	(void)state;
	all_done(&f);
	f.images.quarantined = 5;
	bootstrap_evaluate(&f, s);
	text = bootstrap_to_json(s);
	j = cJSON_Parse(text);
	assert_non_null(j);
	assert_int_equal(cJSON_GetObjectItem(j, "done")->valueint, 9);
	assert_int_equal(cJSON_GetObjectItem(j, "total")->valueint, 10);
	steps = cJSON_GetObjectItem(j, "steps");
	assert_int_equal(cJSON_GetArraySize(steps), 10);
	one = cJSON_GetArrayItem(steps, 0);
	assert_int_equal(cJSON_GetObjectItem(one, "step")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(one, "state")->valuestring,
			    "todo");
	assert_string_equal(cJSON_GetObjectItem(one, "action")->valuestring,
			    "import");
	assert_string_equal(cJSON_GetObjectItem(one, "pane")->valuestring,
			    "images");
	assert_true(cJSON_IsNull(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 3), "pane")));
	cJSON_Delete(j);
	free(text);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void test_split_manifests(void **state)
{
	struct fi_object *v = NULL;
	size_t n = 0, len, i;
	struct err e;
	char *buf;

	(void)state;
	err_clear(&e);
	buf = slurp(FIXTURE "/gotk-crds.yaml", &len);
	assert_int_equal(fi_split("gotk-crds.yaml", buf, len, &v, &n, &e), 0);
	free(buf);
	assert_int_equal(n, 5);
	assert_string_equal(v[0].name, "gitrepositories.source.toolkit."
				       "fluxcd.io");
	assert_string_equal(v[4].name, "kustomizations.kustomize.toolkit."
				       "fluxcd.io");
	for (i = 0; i < n; i++) {
		/* Each piece is one document. */
		const char *p = strstr(v[i].yaml, "apiVersion:");

		assert_non_null(p);
		assert_null(strstr(p + 1, "apiVersion:"));
		assert_string_equal(v[i].kind, "CustomResourceDefinition");
		assert_string_equal(v[i].namespace, "");
	}
	buf = slurp(FIXTURE "/gotk-components.yaml", &len);
	assert_int_equal(
	    fi_split("gotk-components.yaml", buf, len, &v, &n, &e), 0);
	free(buf);
	assert_int_equal(n, 10); /* appended */
	assert_string_equal(v[9].kind, "Deployment");
	assert_string_equal(v[9].name, "source-controller");
	assert_string_equal(v[9].namespace, "flux-system");
	assert_int_equal(v[9].line > 60, 1);
	fi_objects_free(&v, n);
	n = 0;
	/* Not an object; and a parse error with its position. */
	assert_int_equal(
	    fi_split("x.yaml", "---\nkind: A\n---\n- 1\n", 20, &v, &n, &e),
	    -ERR_PARSE);
	assert_string_equal(e.msg, "x.yaml:2: not a Kubernetes object "
				   "(apiVersion, kind and metadata.name are "
				   "needed)");
	fi_objects_free(&v, n);
	n = 0;
	assert_int_equal(fi_split("y.yaml", "a: [1\n", 6, &v, &n, &e),
			 -ERR_PARSE);
	assert_non_null(strstr(e.msg, "y.yaml:2:1: "));
	/* Empty documents are skipped. */
	buf = strdup("---\n---\napiVersion: v1\nkind: Namespace\n"
		     "metadata:\n  name: a\n---\n");
	assert_int_equal(fi_split("z.yaml", buf, strlen(buf), &v, &n, &e), 0);
	free(buf);
	assert_int_equal(n, 1);
	fi_objects_free(&v, n);
}

static void test_facts_from_crds(void **state)
{
	struct boot_facts f;
	char a[] = "gitrepositories.source.toolkit.fluxcd.io";
	char b[] = "kustomizations.kustomize.toolkit.fluxcd.io";
	char *want[] = {a, b};
	cJSON *list = cJSON_Parse(
	    "{\"items\":[{\"metadata\":{\"name\":\"gitrepositories.source."
	    "toolkit.fluxcd.io\"},\"status\":{\"conditions\":[{\"type\":"
	    "\"Established\",\"status\":\"True\"}]}},{\"metadata\":{\"name\":"
	    "\"other.example.com\"}}]}");

	(void)state;
	memset(&f, 0, sizeof(f));
	bootstrap_facts_crds(&f, list, want, 2);
	assert_int_equal(f.flux.crds, 2);
	assert_int_equal(f.flux.established, 1);
	assert_int_equal(f.flux.missing, 1);
	assert_string_equal(f.flux.first_waiting_crd,
			    "kustomizations.kustomize.toolkit.fluxcd.io, "
			    "missing");
	/* Without a clone: whatever Flux CRDs the cluster has. */
	bootstrap_facts_crds(&f, list, NULL, 0);
	assert_int_equal(f.flux.crds, 1);
	assert_int_equal(f.flux.established, 1);
	cJSON_Delete(list);
}

static void model_changed(void *ud)
{
	(*(int *)ud)++;
}

/* The model a screen shows: nothing read yet is "reading...", then the
 * clone as it is (a copy of the fixture, not a git clone), and a rewrite
 * running in the session shows as in progress. No network: every Azure
 * endpoint is a closed loopback port and there is no cluster. */
static void test_model(void **state)
{
	char dir[64] = "/tmp/jd-bmodel-XXXXXX", cmd[200], log[100];
	struct boot_step s[BOOT_NSTEPS];
	struct boot_model *m;
	struct change_log *changes;
	struct change_req r = {.action = "manifests.rewrite",
			       .target = "clone",
			       .identity = "local user t"};
	struct config cfg;
	struct loop *l = loop_new();
	struct err e;
	int seen = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -R tests/unit/data/manifests %s/c",
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/c", dir);
	setenv("JUMPDECK_REPO", cmd, 1);
	setenv("JUMPDECK_IMDS_ENDPOINT", "http://127.0.0.1:1", 1);
	err_clear(&e);
	assert_int_equal(config_load(&cfg, "/dev/null", &e), 0);
	m = bootstrap_model_new(l, &cfg, NULL, NULL, NULL, model_changed,
				&seen);
	bootstrap_model_steps(m, s);
	assert_int_equal(s[BOOT_REGISTRY].state, BOOT_UNKNOWN);
	assert_string_equal(s[BOOT_REGISTRY].why, "reading...");
	bootstrap_model_refresh(m);
	assert_int_equal(bootstrap_model_busy(m), 1);
	while (!seen)
		loop_run_once(l, 1000);
	assert_int_equal(bootstrap_model_read(m), 1);
	bootstrap_model_steps(m, s);
	assert_int_equal(s[BOOT_REGISTRY].state, BOOT_TODO);
	assert_int_equal(s[BOOT_REGISTRY].act, BOOT_ACT_REWRITE_REGISTRY);
	assert_int_equal(s[BOOT_PUSHED].state, BOOT_UNKNOWN);
	assert_non_null(strstr(s[BOOT_PUSHED].why, "not a git clone"));
	assert_int_equal(s[BOOT_CLUSTER].state, BOOT_UNKNOWN);
	assert_string_equal(s[BOOT_CLUSTER].why, "not connected");
	assert_int_equal(s[BOOT_JUMPBOX].state, BOOT_TODO);
	/* A rewrite running now is in progress; the files still say what
	 * they say. */
	snprintf(log, sizeof(log), "%s/audit.log", dir);
	changes = change_log_new(log, 0);
	assert_non_null(change_begin(changes, &r, &e));
	bootstrap_model_set_sources(m, NULL, "not connected", NULL, NULL, NULL,
				    NULL, changes);
	bootstrap_model_steps(m, s);
	assert_int_equal(s[BOOT_REGISTRY].state, BOOT_RUNNING);
	change_log_free(&changes);
	bootstrap_model_set_sources(m, NULL, NULL, NULL, NULL, NULL, NULL,
				    NULL);
	bootstrap_model_free(&m);
	config_free(&cfg);
	loop_free(&l);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	unsetenv("JUMPDECK_REPO");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bootstrapped_by_someone_else),
	    cmocka_unit_test(test_nothing_done),
	    cmocka_unit_test(test_images),
	    cmocka_unit_test(test_scans),
	    cmocka_unit_test(test_manifests_and_git),
	    cmocka_unit_test(test_jumpbox_cases),
	    cmocka_unit_test(test_flux_states),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_split_manifests),
	    cmocka_unit_test(test_facts_from_crds),
	    cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
