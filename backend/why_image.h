/* why_image.h - what the image pipeline knows of an image a pod could not
 * pull: whether it names the configured registry, which of the followed
 * images it is, and its state (not imported, in quarantine/ only,
 * promoted, drifted). An answer for why_chain_resolve_images; reads the
 * pipeline's rows, makes no request. */
#ifndef JD_WHY_IMAGE_H
#define JD_WHY_IMAGE_H

#include "config.h"
#include "pipeline.h"
#include "why.h"

/* p may be NULL (no pipeline: WHY_IMG_NO_PIPELINE with why_not, or a
 * sentence of its own when why_not is NULL); cfg may be NULL (then only
 * <registry>.azurecr.io names the registry, not registry_url's host). */
void why_image_lookup(const struct pipeline *p, const struct config *cfg,
		      const char *why_not, const char *image,
		      struct why_image *out);

#endif
