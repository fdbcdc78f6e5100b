/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy-drm: DRM/KMS driver for the mdpy virtual display (the guest side).
 *
 * The device is a linear XRGB8888 framebuffer in BAR0 whose size is
 * announced in config space; a host with the mode capability lets the
 * guest pick another size that fits BAR0.  Userspace and the fbdev console
 * draw into GEM shmem buffers in guest RAM; every atomic update copies
 * only the damaged rectangles into the BAR, so the host sees exactly what
 * changed.
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

#include <uapi/mdpy.h>

#define MDPY_DRM_NAME		"mdpy-drm"

/*
 * Largest width or height we accept from the device and for framebuffers:
 * the device's own limit; width * height * 4 stays inside 32 bits.
 */
#define MDPY_DRM_MAX_DIM	MDPY_MODE_MAX_SIDE

struct mdpy_drm {
	struct drm_device drm;

	/*
	 * BAR0, mapped write-combined: the visible frame, or with the mode
	 * capability every byte a frame may use (fb_bytes)
	 */
	void __iomem *vram;
	/* the mode the device shows now (config space 0x48/0x4c) */
	u32 width;
	u32 height;
	unsigned int pitch;	/* bytes per line in the BAR: width * 4 */

	/*
	 * The mode capability, if the host has one: where it is, how much of
	 * BAR0 a frame may use, and the instance's default mode.  Without it
	 * (older hosts) the device has one fixed mode.
	 */
	u8 modecap;		/* its config space offset, 0 if none */
	u32 fb_bytes;
	u32 default_width;

	struct drm_display_mode mode;	/* the preferred (default) mode */
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
enum drm_mode_status mdpy_drm_mode_fits(const struct mdpy_drm *mdpy,
					u32 width, u32 height);

#endif /* MDPY_DRM_H */
