/* flux_int.h - what the Flux model's files share. Not for other modules:
 * they use flux.h. */
#ifndef JD_FLUX_INT_H
#define JD_FLUX_INT_H

#include "flux.h"

/* NULL as "". */
static inline const char *s0(const char *s)
{
	return s ? s : "";
}

/* observedGeneration is behind generation (flux.c). */
int flux_generation_behind(const struct flux_object *o);

/* ASCII case-insensitive equality (flux_kind.c). */
int flux_eq_nocase(const char *a, const char *b);

#endif
