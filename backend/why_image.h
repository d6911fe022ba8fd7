/* why_image.h - what the image pipeline knows of an image a pod could not
 * pull: whether it names the configured registry, which of the followed
 * images it is, and its state (not imported, in quarantine/ only,
 * kept there by the scan gate, promoted, drifted). An answer for
 * why_chain_resolve_images; reads the pipeline's rows, makes no request. */
#ifndef JD_WHY_IMAGE_H
#define JD_WHY_IMAGE_H

#include <stddef.h>

#include "config.h"
#include "images.h"
#include "pipeline.h"
#include "why.h"

/* The scan gate's word on a pipeline row that is in quarantine/: 1 when
 * it would refuse to promote it (why gets its sentence, "blocked by:
 * CVE-... (critical, ...)"), 0 when it lets it through, -1 when it does not
 * know (no scan state). */
typedef int (*why_gate_fn)(const struct image_row *r, char *why, size_t sz,
			   void *ud);

/* p may be NULL (no pipeline: WHY_IMG_NO_PIPELINE with why_not, or a
 * sentence of its own when why_not is NULL); cfg may be NULL (then only
 * <registry>.azurecr.io names the registry, not registry_url's host);
 * gate may be NULL (an image in quarantine/ is then "never promoted"). */
void why_image_lookup(const struct pipeline *p, const struct config *cfg,
		      const char *why_not, why_gate_fn gate, void *gate_ud,
		      const char *image, struct why_image *out);

#endif
