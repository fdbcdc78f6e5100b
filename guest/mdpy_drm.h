/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy-drm: DRM/KMS driver for the mdpy virtual display (the guest side).
 *
 * The device is a linear XRGB8888 framebuffer in BAR0 with a fixed size
 * announced in config space.  Userspace and the fbdev console draw into GEM
 * shmem buffers in guest RAM; every atomic update copies only the damaged
 * rectangles into the BAR, so the host sees exactly what changed.
 */
#ifndef MDPY_DRM_H
#define MDPY_DRM_H

#include <linux/types.h>
#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_modes.h>
#include <drm/drm_plane.h>

#define MDPY_DRM_NAME		"mdpy-drm"

/*
 * Largest width or height we accept from the device and for framebuffers.
 * Far above any mdpy type; it keeps width * height * 4 well inside 32 bits.
 */
#define MDPY_DRM_MAX_DIM	8192

struct mdpy_drm {
	struct drm_device drm;

	/* BAR0, mapped write-combined; only the visible frame is mapped */
	void __iomem *vram;
	u32 width;
	u32 height;
	unsigned int pitch;	/* bytes per line in the BAR: width * 4 */

	struct drm_display_mode mode;	/* the one mode the device has */
	struct drm_plane plane;
	struct drm_crtc crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;
};

static inline struct mdpy_drm *to_mdpy_drm(struct drm_device *drm)
{
	return container_of(drm, struct mdpy_drm, drm);
}

int mdpy_drm_kms_init(struct mdpy_drm *mdpy);

#endif /* MDPY_DRM_H */
