/* registry_copy.c - copies an image between repositories or registries:
 * manifests, blobs mounted or streamed, the result read back. Not ARM. */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "json.h"
#include "registry_int.h"
#include "strbuf.h"
#include "xalloc.h"

#define PROGRESS_EVERY_MS 100

/* ---- copy --------------------------------------------------------------- */

static void copy_next_child(struct registry_op *op);
static void copy_next_blob(struct registry_op *op);
static void copy_put_children(struct registry_op *op);
static void copy_verify(struct registry_op *op);

static void report(struct registry_op *op, const char *current, int force)
{
	long long now = loop_now_ms();

	if (!op->progress_fn)
		return;
	if (!force && now - op->last_progress_ms < PROGRESS_EVERY_MS)
		return;
	op->last_progress_ms = now;
	op->prog.current = current;
	op->progress_fn(&op->prog, op->ud);
	op->prog.current = NULL;
}

/* A descriptor's size (OCI image-spec descriptor.md: int64 bytes) is a
 * server's claim, used for progress only: a negative one counts as 0, a
 * huge one as BLOB_SIZE_MAX, and sums stop at BYTES_SUM_MAX, so that
 * no total overflows. */
#define BLOB_SIZE_MAX (1LL << 40)
#define BYTES_SUM_MAX (1LL << 60)

static long long blob_size(const cJSON *desc)
{
	long long n = json_num(desc, "size", 0);

	return n < 0 ? 0 : n > BLOB_SIZE_MAX ? BLOB_SIZE_MAX : n;
}

static long long bytes_add(long long sum, long long n)
{
	return n > BYTES_SUM_MAX - sum ? BYTES_SUM_MAX : sum + n;
}

static void add_blob(struct registry_op *op, const cJSON *desc)
{
	const char *d = json_str(desc, "digest");
	const char *mt = json_str(desc, "mediaType");
	const cJSON *urls = cJSON_GetObjectItemCaseSensitive(desc, "urls");
	size_t i;

	if (!d || !registry_valid_ref(d) || !registry_is_digest(d))
		return;
	/* Foreign (non-distributable) layers stay where they are. */
	if ((cJSON_IsArray(urls) && cJSON_GetArraySize(urls) > 0) ||
	    (mt && (strstr(mt, "foreign") || strstr(mt, "nondistributable"))))
		return;
	for (i = 0; i < op->nblobs; i++)
		if (strcmp(op->blobs[i].digest, d) == 0)
			return;
	op->blobs = xgrow(op->blobs, &op->capblobs, op->nblobs + 1,
			  sizeof(*op->blobs));
	registry_copy_str(op->blobs[op->nblobs].digest, 80, d);
	op->blobs[op->nblobs].size = blob_size(desc);
	op->prog.bytes_total =
	    bytes_add(op->prog.bytes_total, op->blobs[op->nblobs].size);
	op->nblobs++;
	op->prog.blobs_total = op->nblobs;
}

/* Records the blobs of an image manifest; 0, or -1 for a nested index. */
static int collect_blobs(struct registry_op *op, const char *body, size_t len,
			 const char *mt)
{
	cJSON *js = cJSON_ParseWithLength(body, len), *it;
	const cJSON *layers;

	if (!js)
		return -1;
	if (registry_is_index_type(mt) ||
	    cJSON_GetObjectItem(js, "manifests")) {
		cJSON_Delete(js);
		return -1;
	}
	add_blob(op, cJSON_GetObjectItemCaseSensitive(js, "config"));
	layers = cJSON_GetObjectItemCaseSensitive(js, "layers");
	cJSON_ArrayForEach(it, layers) add_blob(op, it);
	/* OCI artifact manifests list "blobs". */
	layers = cJSON_GetObjectItemCaseSensitive(js, "blobs");
	cJSON_ArrayForEach(it, layers) add_blob(op, it);
	cJSON_Delete(js);
	return 0;
}

static void copy_fail_manifest(struct registry_op *op, const char *what)
{
	registry_op_failf(op, ERR_PARSE, "%s: %s", op->subject, what);
}

static void copy_child_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	struct child *k = &op->kids[op->i];
	struct registry_manifest_info m;
	cJSON *js = NULL;
	struct err e;
	char sub[200];

	snprintf(sub, sizeof(sub), "%s@%s", op->repo, k->digest);
	if (resp->status != 200) {
		registry_op_http_error(op, resp, sub);
		return;
	}
	err_clear(&e);
	if (registry_manifest_identity(resp, k->digest, sub, &m, &js, &e) <
	    0) {
		registry_op_fail(op, &e);
		return;
	}
	cJSON_Delete(js);
	if (!k->media_type[0] || strcmp(m.media_type, k->media_type) != 0)
		registry_copy_str(k->media_type, sizeof(k->media_type),
				  m.media_type);
	k->body = xstrndup(resp->body, resp->body_len);
	k->len = resp->body_len;
	if (collect_blobs(op, k->body, k->len, k->media_type) < 0) {
		copy_fail_manifest(op, "an index inside an index cannot be "
				       "copied");
		return;
	}
	op->i++;
	copy_next_child(op);
}

static void copy_next_child(struct registry_op *op)
{
	struct child *k;

	if (op->i >= op->nkids) {
		op->i = 0;
		report(op, NULL, 1);
		copy_next_blob(op);
		return;
	}
	k = &op->kids[op->i];
	registry_op_prepare(op, op->regs[0], "GET",
			    xasprintf("%s/v2/%s/manifests/%s",
				      op->regs[0]->base, op->repo, k->digest),
			    op->src_scope, copy_child_resp);
	op->accept_all = 1;
	registry_op_send(op);
}

static void copy_top_resp(struct registry_op *op,
			  const struct http_response *resp)
{
	struct registry_manifest_info m;
	cJSON *js = NULL, *arr, *it;
	struct err e;

	if (resp->status != 200) {
		registry_op_http_error(op, resp, op->subject);
		return;
	}
	err_clear(&e);
	if (registry_manifest_identity(resp, op->ref, op->subject, &m, &js,
				       &e) < 0) {
		registry_op_fail(op, &e);
		return;
	}
	registry_copy_str(op->top_digest, sizeof(op->top_digest), m.digest);
	registry_copy_str(op->top_mt, sizeof(op->top_mt), m.media_type);
	op->top_body = xstrndup(resp->body, resp->body_len);
	op->top_len = resp->body_len;
	op->top_index = registry_is_index_type(m.media_type);
	if (strstr(m.media_type, "docker.distribution.manifest.v1")) {
		cJSON_Delete(js);
		copy_fail_manifest(op, "schema 1 manifests cannot be copied");
		return;
	}
	if (op->top_index) {
		arr = cJSON_GetObjectItemCaseSensitive(js, "manifests");
		cJSON_ArrayForEach(it, arr)
		{
			const char *d = json_str(it, "digest");
			struct child *k;

			if (!d || !registry_is_digest(d) ||
			    !registry_valid_ref(d))
				continue;
			op->kids = xgrow(op->kids, &op->capkids, op->nkids + 1,
					 sizeof(*op->kids));
			k = &op->kids[op->nkids++];
			memset(k, 0, sizeof(*k));
			registry_copy_str(k->digest, sizeof(k->digest), d);
			registry_copy_str(k->media_type, sizeof(k->media_type),
					  json_str(it, "mediaType"));
		}
		cJSON_Delete(js);
		op->i = 0;
		copy_next_child(op);
		return;
	}
	cJSON_Delete(js);
	if (collect_blobs(op, op->top_body, op->top_len, op->top_mt) < 0) {
		copy_fail_manifest(op, "the manifest cannot be read");
		return;
	}
	op->i = 0;
	report(op, NULL, 1);
	copy_next_blob(op);
}

/* One blob finished (however it got there). */
static void blob_done(struct registry_op *op, size_t *counter)
{
	struct blob *b = &op->blobs[op->i];

	(*counter)++;
	op->base_done = bytes_add(op->base_done, b->size);
	op->prog.bytes_done = op->base_done;
	op->prog.blobs_done++;
	free(op->upload_url);
	op->upload_url = NULL;
	report(op, b->digest, 1);
	op->i++;
	copy_next_blob(op);
}

static char *blob_subject(const char *repo, const char *digest)
{
	return xasprintf("%s@%s", repo, digest);
}

static void copy_upload_resp(struct registry_op *op,
			     const struct http_response *resp)
{
	struct blob *b = &op->blobs[op->i];
	char *sub;

	if (resp->status == 201 || resp->status == 204 ||
	    resp->status == 200) {
		blob_done(op, &op->prog.blobs_pushed);
		return;
	}
	sub = blob_subject(op->dst_repo, b->digest);
	registry_op_http_error(op, resp, sub);
	free(sub);
}

static void copy_upload(struct registry_op *op)
{
	struct blob *b = &op->blobs[op->i];
	struct strbuf u = {0};

	strbuf_add(&u, op->upload_url);
	strbuf_add(&u, strchr(op->upload_url, '?') ? "&" : "?");
	strbuf_add_form(&u, "digest", b->digest);
	registry_op_prepare(op, op->regs[1], "PUT", strbuf_take(&u),
			    op->dst_scope, copy_upload_resp);
	op->ctype = xstrdup("Content-Type: application/octet-stream");
	op->upload = 1;
	op->up_len = op->got;
	registry_op_send(op);
}

static int take_upload_url(struct registry_op *op,
			   const struct http_response *resp)
{
	const char *loc = http_header_get(resp, "location");

	free(op->upload_url);
	op->upload_url = loc ? registry_resolve_url(op->url, loc) : NULL;
	return op->upload_url ? 0 : -1;
}

static void copy_start_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	if (resp->status != 202 || take_upload_url(op, resp) < 0) {
		registry_op_http_error(op, resp, op->dst_repo);
		return;
	}
	copy_upload(op);
}

static void copy_pulled_resp(struct registry_op *op,
			     const struct http_response *resp)
{
	struct blob *b = &op->blobs[op->i];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char got[80];
	char *sub;

	if (resp->status != 200) {
		sub = blob_subject(op->repo, b->digest);
		registry_op_http_error(op, resp, sub);
		free(sub);
		return;
	}
	got[0] = '\0';
	if (EVP_DigestFinal_ex(op->md, md, &mdlen) == 1 && mdlen == 32)
		registry_sha256_hex(md, got);
	if (strcmp(got, b->digest) != 0) {
		registry_op_failf(op, ERR_PARSE,
				  "%s@%s: the blob's bytes do not "
				  "match its digest",
				  op->repo, b->digest);
		return;
	}
	if (b->size > 0 && op->got != b->size)
		b->size = op->got;
	if (op->upload_url) {
		/* A refused mount left an upload session open: use it. */
		copy_upload(op);
		return;
	}
	registry_op_go(op, op->regs[1], "POST",
		       xasprintf("%s/v2/%s/blobs/uploads/", op->regs[1]->base,
				 op->dst_repo),
		       op->dst_scope, copy_start_resp);
}

static void copy_pull(struct registry_op *op)
{
	struct blob *b = &op->blobs[op->i];

	if (op->fd < 0) {
		const char *tmp = getenv("TMPDIR");
		char *path = xasprintf("%s/jumpdeck-blob.XXXXXX",
				       tmp && *tmp ? tmp : "/tmp");

		op->fd = mkstemp(path);
		if (op->fd >= 0)
			unlink(path);
		if (op->fd < 0) {
			registry_op_failf(op, ERR_IO,
					  "cannot create a temporary file "
					  "in %s: %s",
					  tmp && *tmp ? tmp : "/tmp",
					  strerror(errno));
			free(path);
			return;
		}
		free(path);
		op->md = EVP_MD_CTX_new();
	}
	registry_op_prepare(op, op->regs[0], "GET",
			    xasprintf("%s/v2/%s/blobs/%s", op->regs[0]->base,
				      op->repo, b->digest),
			    op->src_scope, copy_pulled_resp);
	op->spool_in = 1;
	registry_op_send(op);
}

int registry_on_spool_data(const char *buf, size_t len, void *ud)
{
	struct registry_op *op = ud;
	size_t off = 0;

	while (off < len) {
		ssize_t n = pwrite(op->fd, buf + off, len - off,
				   (off_t)(op->got + (long long)off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			op->spool_failed = n < 0 ? errno : EIO;
			return 1;
		}
		off += (size_t)n;
	}
	EVP_DigestUpdate(op->md, buf, len);
	op->got += (long long)len;
	op->prog.bytes_done = op->base_done + op->got / 2;
	report(op, op->blobs[op->i].digest, 0);
	return 0;
}

size_t registry_on_upload_read(char *buf, size_t len, void *ud)
{
	struct registry_op *op = ud;
	long long left = op->up_len - op->up_off;
	ssize_t n;

	if (left <= 0)
		return 0;
	if ((long long)len > left)
		len = (size_t)left;
	do
		n = pread(op->fd, buf, len, (off_t)op->up_off);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		op->spool_failed = n < 0 ? errno : EIO;
		return HTTP_READ_ABORT;
	}
	op->up_off += n;
	op->prog.bytes_done = op->base_done + op->got / 2 + op->up_off / 2;
	report(op, op->blobs[op->i].digest, 0);
	return (size_t)n;
}

static void copy_mount_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	if (resp->status == 201) {
		blob_done(op, &op->prog.blobs_mounted);
		return;
	}
	if (resp->status == 202 && take_upload_url(op, resp) == 0) {
		copy_pull(op);
		return;
	}
	registry_op_http_error(op, resp, op->dst_repo);
}

static void copy_head_resp(struct registry_op *op,
			   const struct http_response *resp)
{
	struct blob *b = &op->blobs[op->i];
	struct strbuf u = {0};
	char *sub;

	if (resp->status == 200) {
		blob_done(op, &op->prog.blobs_skipped);
		return;
	}
	if (resp->status != 404) {
		sub = blob_subject(op->dst_repo, b->digest);
		registry_op_http_error(op, resp, sub);
		free(sub);
		return;
	}
	if (!op->mount) {
		copy_pull(op);
		return;
	}
	strbuf_add(&u, op->regs[1]->base);
	strbuf_add(&u, "/v2/");
	strbuf_add(&u, op->dst_repo);
	strbuf_add(&u, "/blobs/uploads/?");
	strbuf_add_form(&u, "mount", b->digest);
	strbuf_add_form(&u, "from", op->repo);
	registry_op_go(op, op->regs[1], "POST", strbuf_take(&u), op->dst_scope,
		       copy_mount_resp);
}

static void copy_next_blob(struct registry_op *op)
{
	struct blob *b;

	if (op->i >= op->nblobs) {
		op->i = 0;
		copy_put_children(op);
		return;
	}
	b = &op->blobs[op->i];
	registry_op_go(op, op->regs[1], "HEAD",
		       xasprintf("%s/v2/%s/blobs/%s", op->regs[1]->base,
				 op->dst_repo, b->digest),
		       op->dst_scope, copy_head_resp);
}

static void put_manifest(struct registry_op *op, const char *ref,
			 const char *body, size_t len, const char *mt,
			 resp_fn fn)
{
	registry_op_prepare(op, op->regs[1], "PUT",
			    xasprintf("%s/v2/%s/manifests/%s",
				      op->regs[1]->base, op->dst_repo, ref),
			    op->dst_scope, fn);
	op->ctype = xasprintf("Content-Type: %s", mt);
	op->body = body;
	op->body_len = len;
	registry_op_send(op);
}

static void copy_put_resp(struct registry_op *op,
			  const struct http_response *resp)
{
	char sub[200];

	if (resp->status != 201 && resp->status != 200) {
		if (op->i < op->nkids)
			snprintf(sub, sizeof(sub), "%s@%s", op->dst_repo,
				 op->kids[op->i].digest);
		else
			snprintf(sub, sizeof(sub), "%s:%s", op->dst_repo,
				 op->dst_tag);
		registry_op_http_error(op, resp, sub);
		return;
	}
	op->prog.manifests_put++;
	if (op->i >= op->nkids) {
		report(op, NULL, 1);
		op->i = 0;
		copy_verify(op);
		return;
	}
	op->i++;
	copy_put_children(op);
}

/* Child manifests by digest, then the top one under the tag. */
static void copy_put_children(struct registry_op *op)
{
	if (op->i < op->nkids) {
		struct child *k = &op->kids[op->i];

		put_manifest(op, k->digest, k->body, k->len, k->media_type,
			     copy_put_resp);
		return;
	}
	put_manifest(op, op->dst_tag, op->top_body, op->top_len, op->top_mt,
		     copy_put_resp);
}

static void copy_succeed(struct registry_op *op)
{
	struct registry_copy_result res;
	struct err e;

	memset(&res, 0, sizeof(res));
	registry_copy_str(res.digest, sizeof(res.digest), op->top_digest);
	registry_copy_str(res.media_type, sizeof(res.media_type), op->top_mt);
	res.is_index = op->top_index;
	res.platforms = op->nkids;
	res.progress = op->prog;
	err_clear(&e);
	registry_op_unlink(op);
	op->copy_fn(0, &e, &res, op->ud);
	registry_op_free(op);
}

/* Verification, step 2..: every manifest the tag needs, by digest. */
static void verify_digest_resp(struct registry_op *op,
			       const struct http_response *resp)
{
	const char *d =
	    op->i == 0 ? op->top_digest : op->kids[op->i - 1].digest;

	if (resp->status == 404) {
		registry_op_failf(
		    op, ERR_CONFLICT,
		    "%s:%s points at %s, a manifest "
		    "that is missing%s; the registry's tag and "
		    "manifest stores disagree (as after an interrupted "
		    "import): copy again",
		    op->dst_repo, op->dst_tag, d,
		    op->i ? " (a platform of the index)" : "");
		return;
	}
	if (resp->status != 200) {
		char sub[200];

		snprintf(sub, sizeof(sub), "%s@%s", op->dst_repo, d);
		registry_op_http_error(op, resp, sub);
		return;
	}
	op->i++;
	if (op->i > op->nkids) {
		copy_succeed(op);
		return;
	}
	registry_op_prepare(op, op->regs[1], "HEAD",
			    xasprintf("%s/v2/%s/manifests/%s",
				      op->regs[1]->base, op->dst_repo,
				      op->kids[op->i - 1].digest),
			    op->dst_scope, verify_digest_resp);
	op->accept_all = 1;
	registry_op_send(op);
}

static void verify_tag_resp(struct registry_op *op,
			    const struct http_response *resp)
{
	struct registry_manifest_info m;
	char sub[200];

	snprintf(sub, sizeof(sub), "%s:%s", op->dst_repo, op->dst_tag);
	if (resp->status == 404) {
		registry_op_failf(
		    op, ERR_CONFLICT,
		    "%s was written but cannot be "
		    "read back: the tag points at a missing manifest "
		    "(expected %s); copy again",
		    sub, op->top_digest);
		return;
	}
	if (resp->status != 200) {
		registry_op_http_error(op, resp, sub);
		return;
	}
	registry_info_from(resp, &m);
	if (strcmp(m.digest, op->top_digest) != 0) {
		registry_op_failf(op, ERR_CONFLICT,
				  "%s points at %s after the copy, "
				  "not at the source's %s",
				  sub, m.digest[0] ? m.digest : "no digest",
				  op->top_digest);
		return;
	}
	op->i = 0;
	registry_op_prepare(op, op->regs[1], "HEAD",
			    xasprintf("%s/v2/%s/manifests/%s",
				      op->regs[1]->base, op->dst_repo,
				      op->top_digest),
			    op->dst_scope, verify_digest_resp);
	op->accept_all = 1;
	registry_op_send(op);
}

static void copy_verify(struct registry_op *op)
{
	registry_op_prepare(op, op->regs[1], "HEAD",
			    xasprintf("%s/v2/%s/manifests/%s",
				      op->regs[1]->base, op->dst_repo,
				      op->dst_tag),
			    op->dst_scope, verify_tag_resp);
	op->accept_all = 1;
	registry_op_send(op);
}

struct registry_op *registry_copy(struct registry *src, const char *src_repo,
				  const char *src_ref, struct registry *dst,
				  const char *dst_repo, const char *dst_tag,
				  registry_progress_fn progress,
				  registry_copy_fn done, void *ud,
				  struct err *e)
{
	struct registry_op *op;

	if (registry_check_args(src, src_repo, src_ref, (const void *)done,
				e) < 0 ||
	    registry_check_args(dst, dst_repo, dst_tag, (const void *)done,
				e) < 0)
		return NULL;
	if (registry_is_digest(dst_tag)) {
		err_set(e, ERR_USAGE,
			"the copy's destination must be a tag, "
			"not %s",
			dst_tag);
		return NULL;
	}
	op = registry_op_new(src, OP_COPY, ud);
	op->regs[1] = dst;
	if (dst != src)
		registry_op_link(dst, op);
	op->copy_fn = done;
	op->progress_fn = progress;
	op->repo = xstrdup(src_repo);
	op->ref = xstrdup(src_ref);
	op->dst_repo = xstrdup(dst_repo);
	op->dst_tag = xstrdup(dst_tag);
	registry_set_subject(op, src_repo, src_ref);
	op->mount = (src == dst || strcmp(src->base, dst->base) == 0) &&
		    strcmp(src_repo, dst_repo) != 0;
	op->src_scope = registry_pull_scope(src_repo);
	if (strcmp(src_repo, dst_repo) == 0 && src == dst)
		op->dst_scope = xasprintf("repository:%s:pull,push", dst_repo);
	else if (op->mount)
		op->dst_scope = xasprintf("repository:%s:pull,push "
					  "repository:%s:pull",
					  dst_repo, src_repo);
	else
		op->dst_scope = xasprintf("repository:%s:pull,push", dst_repo);
	registry_op_prepare(
	    op, src, "GET",
	    xasprintf("%s/v2/%s/manifests/%s", src->base, src_repo, src_ref),
	    op->src_scope, copy_top_resp);
	op->accept_all = 1;
	registry_op_begin(op);
	return op;
}
