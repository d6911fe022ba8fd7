/* fuzz_registry.c - libFuzzer target for what the registry client reads:
 * error bodies (registry, OAuth and ARM shapes), token answers' expiry, a
 * manifest's identity and its blobs. Sentences fit their buffers, sizes
 * stay sums of what was listed, a manifest is taken only when its bytes
 * match its digest. Not a test of requests or the copy.
 *
 * backend/registry_auth.c and registry_copy.c are compiled into this
 * target (token_deadline, error_suffix and collect_blobs are static);
 * the linker then takes nothing from their objects in libjd.a.
 *
 * Input: byte 0 bits 0-1 the part (0 error body; 1 token answer; 2 image
 * manifest; 3 a manifest with the content type in the text up to the
 * first newline); the rest is the body. dictionary: json
 */
#include "fuzz.h"

#include "backend/registry_auth.c"
#include "backend/registry_copy.c"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

static void error_body(const char *body)
{
	char code[64], msg[200], suffix[300];

	memset(code, 'X', sizeof(code));
	memset(msg, 'X', sizeof(msg));
	if (registry_body_error(body, code, sizeof(code), msg, sizeof(msg))) {
		FZ_CHECK(memchr(code, '\0', sizeof(code)) &&
			     memchr(msg, '\0', sizeof(msg)),
			 "an error code or message overran its buffer");
		FZ_CHECK(code[0] || msg[0], "an error found with no text");
	}
	error_suffix(body, suffix, sizeof(suffix));
	FZ_CHECK(memchr(suffix, '\0', sizeof(suffix)), "suffix overran");
}

static void token_answer(const char *body)
{
	cJSON *js = cJSON_Parse(body);
	const char *tok = json_str(js, "access_token");
	long long now = loop_now_ms(), d;

	if (!tok)
		tok = json_str(js, "token");
	if (tok) {
		d = token_deadline(tok, json_num(js, "expires_in", 0));
		FZ_CHECK(d <= now + TOKEN_LIFE_MAX_S * 1000 + 1000,
			 "a token is kept longer than a day");
		/* a JWT whose exp has passed is stale at once, rightly */
		FZ_CHECK(jwt_exp(tok) > 0 || d >= now - 1000,
			 "a fresh token is already stale");
	}
	cJSON_Delete(js);
}

static void manifest(const char *ctype, const char *body, size_t len)
{
	static char ct[] = "content-type", cl[] = "content-length";
	static char twelve[] = "12";
	char *type = strdup(ctype);
	struct http_header h[2];
	struct http_response resp;
	struct registry_manifest_info m;
	struct registry_op op;
	cJSON *js = NULL;
	struct err e;
	char want[80];
	long long sum = 0;
	size_t i;

	memset(&resp, 0, sizeof(resp));
	h[0].name = ct;
	h[0].value = type;
	h[1].name = cl;
	h[1].value = twelve;
	resp.status = 200;
	resp.body = body;
	resp.body_len = len;
	resp.headers = h;
	resp.nheaders = 2;
	memset(&e, 0, sizeof(e));
	if (registry_manifest_identity(&resp, "v1", "repo:v1", &m, &js, &e) ==
	    0) {
		registry_digest_of(body, len, want);
		FZ_CHECK(strcmp(m.digest, want) == 0,
			 "a manifest taken under another digest");
		FZ_CHECK(cJSON_IsObject(js), "a manifest that is no object");
		FZ_CHECK(m.media_type[0], "a manifest without a media type");
		cJSON_Delete(js);
	} else {
		FZ_CHECK(e.msg[0], "a refused manifest has no sentence");
	}
	memset(&op, 0, sizeof(op));
	if (collect_blobs(&op, body, len, m.media_type) == 0) {
		for (i = 0; i < op.nblobs; i++) {
			FZ_CHECK(registry_is_digest(op.blobs[i].digest),
				 "a blob without a sha256 digest");
			FZ_CHECK(op.blobs[i].size >= 0 &&
				     op.blobs[i].size <= BLOB_SIZE_MAX,
				 "a blob size out of range");
			sum += op.blobs[i].size;
		}
		FZ_CHECK(op.prog.bytes_total == sum &&
			     op.prog.blobs_total == op.nblobs,
			 "the progress totals are not the blobs' sums");
	}
	free(op.blobs);
	free(type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *nl;

	if (size < 1)
		return 0;
	s = fz_cstr(data + 1, size - 1);
	switch (data[0] & 3) {
	case 0:
		error_body(s);
		break;
	case 1:
		token_answer(s);
		break;
	case 2:
		manifest(REGISTRY_MT_OCI_MANIFEST, (const char *)data + 1,
			 size - 1);
		break;
	default:
		nl = strchr(s, '\n');
		if (nl) {
			*nl = '\0';
			manifest(s, nl + 1, strlen(nl + 1));
		}
		break;
	}
	free(s);
	return 0;
}
