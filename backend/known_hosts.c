/* known_hosts.c - matches known_hosts lines to a host (patterns, hashed
 * names, markers) and judges a presented key. Pure: no I/O, no libssh. */
#include "known_hosts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "base64.h"
#include "xalloc.h"

char *known_hosts_name(const char *host, int port)
{
	return port == 22 ? xstrdup(host) : xasprintf("[%s]:%d", host, port);
}

void known_hosts_clear(struct known_hosts *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i].blob);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

/* Shell-style * and ? against s, case-insensitively. */
static int wildmatch(const char *p, size_t pn, const char *s)
{
	while (pn) {
		if (*p == '*') {
			p++;
			pn--;
			for (;;) {
				if (wildmatch(p, pn, s))
					return 1;
				if (!*s)
					return 0;
				s++;
			}
		}
		if (!*s)
			return 0;
		if (*p != '?' &&
		    tolower((unsigned char)*p) != tolower((unsigned char)*s))
			return 0;
		p++;
		pn--;
		s++;
	}
	return *s == '\0';
}

/* "|1|base64(salt)|base64(HMAC-SHA1(salt, name))" */
static int hashed_match(const char *p, size_t n, const char *name)
{
	const char *bar;
	unsigned char *salt = NULL, *mac = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t slen = 0, mlen = 0;
	int ok = 0;

	if (n < 4 || memcmp(p, "|1|", 3) != 0)
		return 0;
	bar = memchr(p + 3, '|', n - 3);
	if (!bar)
		return 0;
	if (base64_decode(p + 3, (size_t)(bar - p - 3), &salt, &slen, NULL) <
		0 ||
	    base64_decode(bar + 1, n - (size_t)(bar + 1 - p), &mac, &mlen,
			  NULL) < 0)
		goto out;
	if (!HMAC(EVP_sha1(), salt, (int)slen, (const unsigned char *)name,
		  strlen(name), md, &mdlen))
		goto out;
	ok = mlen == mdlen && memcmp(mac, md, mdlen) == 0;
out:
	free(salt);
	free(mac);
	return ok;
}

/* OpenSSH's rule: any matching negated pattern vetoes the line. */
static int hosts_match(const char *list, size_t n, const char *name)
{
	size_t i = 0;
	int hit = 0;

	while (i < n) {
		size_t j = i;
		int neg = 0;

		while (j < n && list[j] != ',')
			j++;
		if (list[i] == '!') {
			neg = 1;
			i++;
		}
		if (j > i) {
			int m = list[i] == '|'
				    ? hashed_match(list + i, j - i, name)
				    : wildmatch(list + i, j - i, name);

			if (m && neg)
				return 0;
			if (m)
				hit = 1;
		}
		i = j + 1;
	}
	return hit;
}

static size_t next_field(const char **p, const char *end)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (s + n < end && s[n] != ' ' && s[n] != '\t')
		n++;
	*p = s;
	return n;
}

void known_hosts_collect(const char *text, const char *name,
			 struct known_hosts *out)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *p = line, *hosts, *type, *b64;
		size_t hn, tn, bn;
		enum known_host_marker marker = KNOWN_HOST_PLAIN;
		struct known_host_key k;

		if (!end)
			end = line + strlen(line);
		hn = next_field(&p, end);
		if (hn && p[0] == '@') {
			if (hn == 8 && memcmp(p, "@revoked", 8) == 0)
				marker = KNOWN_HOST_REVOKED;
			else if (hn == 15 &&
				 memcmp(p, "@cert-authority", 15) == 0)
				marker = KNOWN_HOST_CA;
			else
				hn = 0;
			p += hn;
			hn = hn ? next_field(&p, end) : 0;
		}
		hosts = p;
		p += hn;
		tn = next_field(&p, end);
		type = p;
		p += tn;
		bn = next_field(&p, end);
		b64 = p;
		memset(&k, 0, sizeof(k));
		if (hn && hosts[0] != '#' && tn && bn && tn < sizeof(k.type) &&
		    hosts_match(hosts, hn, name) &&
		    base64_decode(b64, bn, &k.blob, &k.blob_len, NULL) == 0) {
			k.marker = marker;
			memcpy(k.type, type, tn);
			out->v = xgrow(out->v, &out->cap, out->n + 1,
				       sizeof(*out->v));
			out->v[out->n++] = k;
		}
		line = *end ? end + 1 : end;
	}
}

char *known_hosts_algos(const struct known_hosts *k)
{
	char buf[512] = "";
	size_t i;

	for (i = 0; i < k->n; i++) {
		const char *add = k->v[i].type;
		size_t have = strlen(buf);

		if (k->v[i].marker != KNOWN_HOST_PLAIN)
			continue;
		if (strcmp(add, "ssh-rsa") == 0)
			add = "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
		if (strstr(buf, add))
			continue;
		snprintf(buf + have, sizeof(buf) - have, "%s%s",
			 have ? "," : "", add);
	}
	return buf[0] ? xstrdup(buf) : NULL;
}

/* The key type name a blob starts with (uint32 length, name). */
static void blob_type(const unsigned char *b, size_t n, char *out, size_t sz)
{
	size_t len;

	out[0] = '\0';
	if (n < 4)
		return;
	len =
	    (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
	if (len > n - 4 || len >= sz)
		return;
	memcpy(out, b + 4, len);
	out[len] = '\0';
}

void known_hosts_fingerprint(const unsigned char *blob, size_t len, char *out,
			     size_t sz)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *b64;
	size_t n;

	SHA256(blob, len, md);
	b64 = base64_encode(md, sizeof(md));
	n = strlen(b64);
	while (n && b64[n - 1] == '=')
		b64[--n] = '\0';
	snprintf(out, sz, "SHA256:%s", b64);
	free(b64);
}

static int same_key(const struct known_host_key *k, const unsigned char *blob,
		    size_t len)
{
	return k->blob_len == len && memcmp(k->blob, blob, len) == 0;
}

enum known_hosts_verdict
known_hosts_check(const struct known_hosts *k, const unsigned char *blob,
		  size_t len, const struct known_host_key **expect)
{
	const struct known_host_key *want = NULL;
	char type[64];
	size_t i;
	int plain = 0;

	if (expect)
		*expect = NULL;
	for (i = 0; i < k->n; i++)
		if (k->v[i].marker == KNOWN_HOST_REVOKED &&
		    same_key(&k->v[i], blob, len))
			return KNOWN_HOSTS_REVOKED;
	blob_type(blob, len, type, sizeof(type));
	for (i = 0; i < k->n; i++) {
		const struct known_host_key *key = &k->v[i];

		if (key->marker != KNOWN_HOST_PLAIN)
			continue;
		plain++;
		if (same_key(key, blob, len))
			return KNOWN_HOSTS_MATCH;
		if (!want || (strcmp(want->type, type) != 0 &&
			      strcmp(key->type, type) == 0))
			want = key;
	}
	if (!plain)
		return KNOWN_HOSTS_NOT_LISTED;
	if (expect)
		*expect = want;
	return KNOWN_HOSTS_MISMATCH;
}
