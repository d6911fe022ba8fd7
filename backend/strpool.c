/* strpool.c - one copy of each repeated string: an open-addressing hash
 * set over strings kept in 64 KiB chunks, capped in bytes, freed at
 * exit. */
#include "strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define CHUNK (64u * 1024)

struct chunk {
	struct chunk *next;
	size_t used;
	char data[CHUNK];
};

static struct {
	char **slots; /* NULL: empty */
	size_t nslots, count;
	struct chunk *chunks;
	size_t bytes;
	int registered;
} pool;

static void pool_free(void)
{
	while (pool.chunks) {
		struct chunk *c = pool.chunks;

		pool.chunks = c->next;
		free(c);
	}
	free(pool.slots);
	memset(&pool, 0, sizeof(pool));
}

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The slot of s, or the empty slot where it would go. */
static size_t find(const char *s, uint32_t h)
{
	size_t i = h & (pool.nslots - 1);

	while (pool.slots[i] && strcmp(pool.slots[i], s) != 0)
		i = (i + 1) & (pool.nslots - 1);
	return i;
}

static int grow(void)
{
	size_t want = pool.nslots ? pool.nslots * 2 : 1024, i;
	char **old = pool.slots;
	size_t nold = pool.nslots;

	if (pool.bytes + want * sizeof(*old) > STRPOOL_MAX_BYTES)
		return -1;
	pool.slots = xcalloc(want, sizeof(*pool.slots));
	pool.nslots = want;
	pool.bytes += want * sizeof(*old);
	pool.bytes -= nold * sizeof(*old);
	for (i = 0; i < nold; i++) {
		if (old[i]) {
			size_t n = strlen(old[i]);

			pool.slots[find(old[i], hash(old[i], n))] = old[i];
		}
	}
	free(old);
	return 0;
}

static char *store(const char *s, size_t n)
{
	struct chunk *c = pool.chunks;
	char *p;

	if (!c || c->used + n + 1 > CHUNK) {
		if (pool.bytes + sizeof(*c) > STRPOOL_MAX_BYTES)
			return NULL;
		c = xmalloc(sizeof(*c));
		c->next = pool.chunks;
		c->used = 0;
		pool.chunks = c;
		pool.bytes += sizeof(*c);
	}
	p = c->data + c->used;
	memcpy(p, s, n + 1);
	c->used += n + 1;
	return p;
}

char *strpool_intern(const char *s)
{
	size_t n, i;
	uint32_t h;
	char *p;

	if (!s)
		s = "";
	n = strlen(s);
	if (n > STRPOOL_MAX_LEN)
		return NULL;
	if (!pool.registered) {
		pool.registered = 1;
		atexit(pool_free);
	}
	if (!pool.nslots && grow() < 0)
		return NULL;
	h = hash(s, n);
	i = find(s, h);
	if (pool.slots[i])
		return pool.slots[i];
	if ((pool.count + 1) * 2 > pool.nslots) {
		if (grow() < 0)
			return NULL;
		i = find(s, h);
	}
	p = store(s, n);
	if (!p)
		return NULL;
	pool.slots[i] = p;
	pool.count++;
	return p;
}

size_t strpool_bytes(void)
{
	return pool.bytes;
}
