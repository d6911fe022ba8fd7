/* fuzz_kube.c - libFuzzer target for what the Kubernetes client reads from
 * a server or a plugin: the watch stream's framing (the same events
 * however the bytes are cut), an exec plugin's ExecCredential, and the
 * class and sentence of an error answer. Not a test
 * of requests, TLS or the informer.
 *
 * backend/kube.c is compiled into this target (its parsers are static);
 * the linker then takes nothing else from kube.o of libjd.a.
 *
 * Input: byte 0: bits 0-1 the part (0, 1 watch stream; 2 ExecCredential;
 * 3 Status), bits 2-7 the chunk size of the stream. dictionary: json
 */
#include "fuzz.h"

#include "backend/kube.c"
#include "backend/kube_exec.c"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_locale();
	return 0;
}

/* What a watch delivered: a hash of the event types and objects. */
struct seen {
	size_t events;
	unsigned long long sum;
};

static void on_event_rec(const char *type, cJSON *obj, void *ud)
{
	struct seen *s = ud;
	char *txt = obj ? cJSON_PrintUnformatted(obj) : NULL;
	const char *p;

	s->events++;
	for (p = type; *p; p++)
		s->sum = s->sum * 31 + (unsigned char)*p;
	for (p = txt ? txt : ""; *p; p++)
		s->sum = s->sum * 131 + (unsigned char)*p;
	free(txt);
}

static void stream(const uint8_t *d, size_t n, size_t chunk, struct seen *s)
{
	struct kube_call call;
	size_t at = 0, k;

	memset(&call, 0, sizeof(call));
	memset(s, 0, sizeof(*s));
	call.on_event = on_event_rec;
	call.ud = s;
	while (at < n) {
		k = n - at < chunk ? n - at : chunk;
		if (on_watch_data((const char *)d + at, k, &call) != 0)
			break;
		at += k;
	}
	strbuf_free(&call.line);
}

static void watch(const uint8_t *d, size_t n, size_t chunk)
{
	struct seen whole, cut;

	stream(d, n, n ? n : 1, &whole);
	stream(d, n, chunk, &cut);
	FZ_CHECK(whole.events == cut.events && whole.sum == cut.sum,
		 "a watch gives other events when its bytes arrive in "
		 "other pieces");
}

static void exec_credential(const char *out)
{
	struct kube_client c;
	struct kube_exec ex;
	static char cmd[] = "kubelogin";
	struct err e;
	const char *p;

	memset(&c, 0, sizeof(c));
	memset(&ex, 0, sizeof(ex));
	ex.command = cmd;
	c.conn.exec = &ex;
	memset(&e, 0, sizeof(e));
	if (exec_parse(&c, out, &e) == 0) {
		FZ_CHECK(c.exec_valid, "a taken credential is not valid");
		FZ_CHECK(c.exec_token || (c.exec_cert && c.exec_key),
			 "a taken credential has no token and no "
			 "certificate");
		for (p = c.exec_token ? c.exec_token : ""; *p; p++)
			FZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7F,
				 "a token with a control character was "
				 "taken (header injection)");
	} else {
		FZ_CHECK(e.msg[0], "a refused ExecCredential has no sentence");
	}
	kube_exec_drop(&c);
}

/* The sentence is raw server text by design (made safe where it is
 * shown); what must hold is its class, which decides retries and what
 * the pane says. */
static void status_sentence(const char *body, unsigned pick)
{
	static const long st[] = {401, 403, 404, 409, 422, 429, 500, 503};
	static const int want[] = {ERR_AUTH,	 ERR_DENIED, ERR_NOTFOUND,
				   ERR_CONFLICT, ERR_HTTP,   ERR_HTTP,
				   ERR_HTTP,	 ERR_HTTP};
	struct err e;

	pick %= 8;
	memset(&e, 0, sizeof(e));
	kube_status_sentence(st[pick], body,
			     "https://127.0.0.1:6443/api/v1/nodes", &e);
	FZ_CHECK(e.msg[0], "an error answer gave no sentence");
	FZ_CHECK(e.code == want[pick], "an error answer in the wrong class");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
	case 1:
		watch(data + 1, size - 1, (size_t)(data[0] >> 2) + 1);
		break;
	case 2:
		s = fz_cstr(data + 1, size - 1);
		exec_credential(s);
		free(s);
		break;
	default:
		s = fz_cstr(data + 1, size - 1);
		status_sentence(s, data[0] >> 2);
		free(s);
		break;
	}
	return 0;
}
