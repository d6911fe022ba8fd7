/* known_hosts.h - OpenSSH known_hosts as pure functions: a host's keys, the
 * key types to ask for, the verdict on a key. No I/O, no SSH library. */
#ifndef JD_KNOWN_HOSTS_H
#define JD_KNOWN_HOSTS_H

#include <stddef.h>

enum known_host_marker {
	KNOWN_HOST_PLAIN = 0, /* an ordinary line */
	KNOWN_HOST_REVOKED,   /* @revoked: this key must never be accepted */
	KNOWN_HOST_CA,	      /* @cert-authority: not used for plain keys */
};

struct known_host_key {
	enum known_host_marker marker;
	char type[64];	     /* "ssh-ed25519", "ssh-rsa", ... */
	unsigned char *blob; /* the decoded key, owned by the list */
	size_t blob_len;
};

/* The keys of a known_hosts text that name one host, in file order.
 * Start from {0}; free with known_hosts_clear. */
struct known_hosts {
	struct known_host_key *v;
	size_t n, cap;
};

/* The name known_hosts uses for host: "host" on port 22, else
 * "[host]:port". A new string, the caller frees it. */
char *known_hosts_name(const char *host, int port);

/* Appends to out the keys of text's lines whose host list matches name:
 * patterns with * and ?, negated patterns (any matching "!pattern" vetoes
 * the line), hashed "|1|salt|hmac" names, case-insensitively; @revoked and
 * @cert-authority lines are marked. Comments and lines that cannot be
 * read are skipped. */
void known_hosts_collect(const char *text, const char *name,
			 struct known_hosts *out);
void known_hosts_clear(struct known_hosts *k);

/* The host key algorithms to offer: the types of the plain keys, ssh-rsa
 * as "rsa-sha2-512,rsa-sha2-256,ssh-rsa", comma-separated, each once. A
 * new string the caller frees, or NULL when there is no plain key. */
char *known_hosts_algos(const struct known_hosts *k);

/* "SHA256:" and the unpadded base64 of the SHA-256 of a key blob, as
 * ssh-keygen -l prints it, into out (sz bytes). */
void known_hosts_fingerprint(const unsigned char *blob, size_t len, char *out,
			     size_t sz);

enum known_hosts_verdict {
	KNOWN_HOSTS_MATCH = 0,	/* a plain line lists the key */
	KNOWN_HOSTS_REVOKED,	/* a @revoked line lists the key */
	KNOWN_HOSTS_NOT_LISTED, /* no plain line for the host at all */
	KNOWN_HOSTS_MISMATCH,	/* plain lines list other keys only */
};

/* The verdict on the key blob a server presented. For a mismatch,
 * *expect (when expect is not NULL) is the listed key to name: the first
 * plain key of the presented key's type, else the first plain key. */
enum known_hosts_verdict
known_hosts_check(const struct known_hosts *k, const unsigned char *blob,
		  size_t len, const struct known_host_key **expect);

#endif
