/* xalloc.h - allocation that aborts with a message when memory runs out.
 * Every other failure is returned to the caller, never exit()ed. */
#ifndef JD_XALLOC_H
#define JD_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of count elements of size bytes to hold at least want. */
void *xgrow(void *p, size_t *cap, size_t want, size_t size);
char *xstrdup(const char *s);          /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Free memory that held a secret (token, key, password): its n bytes are
 * zeroed in a way the compiler may not drop first. NULL is fine. */
void xfree_secret(void *p, size_t n);
/* The same for a NUL-terminated string. */
void xfree_secret_str(char *s);

#endif
