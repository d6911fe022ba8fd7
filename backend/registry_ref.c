/* registry_ref.c - registry references: repository names, tags, digests
 * and media types, checked and computed. Pure: no network. */
#include "registry.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "registry_int.h"

void registry_sha256_hex(const unsigned char md[32], char out[80])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
}

void registry_digest_of(const char *data, size_t len, char out[80])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32)
		registry_sha256_hex(md, out);
}

/* Media type without parameters ("…+json; charset=utf-8"). */
void registry_media_type(char *dst, size_t sz, const char *ctype)
{
	size_t n;

	if (!ctype) {
		dst[0] = '\0';
		return;
	}
	n = strcspn(ctype, "; \t");
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, ctype, n);
	dst[n] = '\0';
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static int valid_component(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0, sep = i;

		while (i < n && (islower((unsigned char)s[i]) ||
				 isdigit((unsigned char)s[i]))) {
			i++;
			run++;
		}
		if (!run)
			return 0;
		if (i == n)
			return 1;
		sep = i;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return 0;
		}
		if (i == n || i == sep)
			return 0;
	}
	return n > 0;
}

int registry_valid_repo(const char *repo)
{
	const char *p = repo;

	if (!repo || !*repo || strlen(repo) > 255)
		return 0;
	for (;;) {
		size_t n = strcspn(p, "/");

		if (!valid_component(p, n))
			return 0;
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

int registry_valid_ref(const char *ref)
{
	const char *p;

	if (!ref || !*ref)
		return 0;
	if (strncmp(ref, "sha256:", 7) == 0) {
		if (strlen(ref) != 71)
			return 0;
		for (p = ref + 7; *p; p++)
			if (!isxdigit((unsigned char)*p) ||
			    isupper((unsigned char)*p))
				return 0;
		return 1;
	}
	if (strlen(ref) > 128 ||
	    !(isalnum((unsigned char)ref[0]) || ref[0] == '_'))
		return 0;
	for (p = ref; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return 0;
	return 1;
}

int registry_is_digest(const char *ref)
{
	return strncmp(ref, "sha256:", 7) == 0;
}

int registry_is_index_type(const char *mt)
{
	return strcmp(mt, REGISTRY_MT_OCI_INDEX) == 0 ||
	       strcmp(mt, REGISTRY_MT_DOCKER_LIST) == 0;
}
