/* strpool.h - interned strings for models held by the thousand: a label
 * key, a condition's reason or a capacity value that every node repeats
 * is kept once. Bounded: past STRPOOL_MAX_BYTES nothing more is taken
 * (callers keep their own copy), so a server that sends a new string in
 * every event cannot grow it without end. Strings live until the process
 * ends. For the loop's thread only. Not a general allocator. */
#ifndef JD_STRPOOL_H
#define JD_STRPOOL_H

#include <stddef.h>

#define STRPOOL_MAX_BYTES (4u << 20) /* strings and table together */
#define STRPOOL_MAX_LEN	  255	     /* longer strings are not taken */

/* The pooled copy of s (never modify it), or NULL when s is too long or
 * the pool is full. */
char *strpool_intern(const char *s);
/* Bytes the pool holds (strings and table), for tests and benchmarks. */
size_t strpool_bytes(void);

#endif
