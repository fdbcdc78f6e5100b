// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-drm modesetting: one primary plane -> one CRTC -> one virtual
 * encoder -> one virtual connector.  On an older host the CRTC only ever
 * shows the device's own mode; with the mode capability it offers the
 * standard modes that fit BAR0 (the instance's default preferred) and a
 * modeset programs the device.  The plane is a GEM shmem framebuffer that
 * is copied into BAR0, damaged rectangles only.
 */
#include <linux/io.h>
#include <linux/iosys-map.h>
#include <linux/pci.h>
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_format_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_mode_config.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_rect.h>

#include "compat.h"
#include "mdpy_drm.h"

static const u32 mdpy_drm_formats[] = {
	DRM_FORMAT_XRGB8888,
};

static const u64 mdpy_drm_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

/* Plane */

static int mdpy_drm_plane_atomic_check(struct drm_plane *plane,
				       struct mdpy_drm_atomic_state *state)
{
	struct drm_plane_state *new_state =
		drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state,
							   new_state->crtc);

	/*
	 * The device has no scaler and no position: the plane covers the
	 * whole CRTC 1:1.  A larger framebuffer is fine, src_x/src_y pan it.
	 */
	return drm_atomic_helper_check_plane_state(new_state, crtc_state,
						   DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING,
						   false, false);
}

/*
 * The device has no enable bit and no blanking: the host always shows
 * whatever BAR0 holds.  Black pixels are how it looks switched off.
 */
static void mdpy_drm_blank(struct mdpy_drm *mdpy)
{
	int idx;

	/* After hot-unplug the BAR is gone: touch nothing */
	if (!drm_dev_enter(&mdpy->drm, &idx))
		return;
	memset_io(mdpy->vram, 0, (size_t)mdpy->pitch * mdpy->height);
	drm_dev_exit(idx);
}

/* Copy one damaged rectangle (framebuffer coordinates) into the BAR. */
static void mdpy_drm_blit(struct mdpy_drm *mdpy,
			  const struct drm_plane_state *state,
			  const struct iosys_map *src,
			  const struct drm_rect *damage)
{
	struct drm_framebuffer *fb = state->fb;
	struct iosys_map dst = IOSYS_MAP_INIT_VADDR_IOMEM(mdpy->vram);
	struct drm_rect screen = DRM_RECT_INIT(0, 0, mdpy->width, mdpy->height);
	struct drm_rect to = *damage;
	struct drm_rect from;

	/* framebuffer -> screen: undo the pan, add the plane position */
	drm_rect_translate(&to, state->dst.x1 - (state->src.x1 >> 16),
			   state->dst.y1 - (state->src.y1 >> 16));
	/* never write outside the mapped frame, whatever the state says */
	if (!drm_rect_intersect(&to, &screen))
		return;
	from = to;
	drm_rect_translate(&from, (state->src.x1 >> 16) - state->dst.x1,
			   (state->src.y1 >> 16) - state->dst.y1);

	iosys_map_incr(&dst, drm_fb_clip_offset(mdpy->pitch, fb->format, &to));
	drm_fb_memcpy(&dst, &mdpy->pitch, src, fb, &from);
}

static void mdpy_drm_plane_atomic_update(struct drm_plane *plane,
					 struct mdpy_drm_atomic_state *state)
{
	struct mdpy_drm *mdpy = to_mdpy_drm(plane->dev);
	struct drm_plane_state *old_state =
		drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *new_state =
		drm_atomic_get_new_plane_state(state, plane);
	struct drm_shadow_plane_state *shadow =
		to_drm_shadow_plane_state(new_state);
	struct drm_crtc_state *crtc_state = NULL;
	struct drm_atomic_helper_damage_iter iter;
	struct drm_rect damage;
	int idx;

	if (!new_state->fb || !new_state->visible)
		return;

	/*
	 * While the CRTC is off (DPMS off, ACTIVE=0) the screen stays black
	 * whatever is damaged.  Switching it on is a modeset, for which the
	 * damage iterator yields the whole plane: the current framebuffer
	 * is repainted in full then.
	 */
	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state,
							   new_state->crtc);
	if (!crtc_state || !crtc_state->active)
		return;

	/* After hot-unplug the BAR is gone: touch nothing */
	if (!drm_dev_enter(plane->dev, &idx))
		return;

	/* Imported buffers may need their caches synced before we read */
	if (drm_gem_fb_begin_cpu_access(new_state->fb, DMA_FROM_DEVICE))
		goto out;

	/*
	 * The iterator yields the damage clips of this commit (DIRTYFB or
	 * FB_DAMAGE_CLIPS), or the whole plane after a modeset or a new
	 * framebuffer, already clipped to the plane's source rectangle.
	 */
	drm_atomic_helper_damage_iter_init(&iter, old_state, new_state);
	drm_atomic_for_each_plane_damage(&iter, &damage)
		mdpy_drm_blit(mdpy, new_state, &shadow->data[0], &damage);

	drm_gem_fb_end_cpu_access(new_state->fb, DMA_FROM_DEVICE);
out:
	drm_dev_exit(idx);
}

static void mdpy_drm_plane_atomic_disable(struct drm_plane *plane,
					  struct mdpy_drm_atomic_state *state)
{
	struct drm_plane_state *old_state =
		drm_atomic_get_old_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;

	/*
	 * A CRTC left on without a plane shows black.  If the CRTC goes
	 * off too (or was off), its own disable blanked the screen already.
	 */
	if (old_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state,
							   old_state->crtc);
	if (crtc_state && !crtc_state->active)
		return;
	mdpy_drm_blank(to_mdpy_drm(plane->dev));
}

static const struct drm_plane_helper_funcs mdpy_drm_plane_helper_funcs = {
	DRM_GEM_SHADOW_PLANE_HELPER_FUNCS,
	.atomic_check = mdpy_drm_plane_atomic_check,
	.atomic_update = mdpy_drm_plane_atomic_update,
	.atomic_disable = mdpy_drm_plane_atomic_disable,
};

static const struct drm_plane_funcs mdpy_drm_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	/* freed by the managed mode_config cleanup */
	.destroy = drm_plane_cleanup,
	DRM_GEM_SHADOW_PLANE_FUNCS,
};

/* CRTC */

/*
 * Whether the device would take WIDTHxHEIGHT: the rules of the mode
 * capability (include/uapi/mdpy.h), so that a mode that passes here is
 * never refused in the middle of a commit.  Without the capability only
 * the device's own mode fits.
 */
enum drm_mode_status mdpy_drm_mode_fits(const struct mdpy_drm *mdpy,
					u32 width, u32 height)
{
	if (!mdpy->modecap)
		return width == mdpy->width && height == mdpy->height ?
			MODE_OK : MODE_ONE_SIZE;
	if (!width || !height)
		return MODE_BAD;
	if (width > MDPY_MODE_MAX_SIDE || width > MDPY_DRM_MAX_DIM)
		return MODE_BAD_HVALUE;
	if (height > MDPY_MODE_MAX_SIDE || height > MDPY_DRM_MAX_DIM)
		return MODE_BAD_VVALUE;
	if (width % MDPY_MODE_WIDTH_ALIGN && width != mdpy->default_width)
		return MODE_BAD_WIDTH;
	if ((u64)width * height * MDPY_BYTES_PER_PIXEL > mdpy->fb_bytes)
		return MODE_MEM;
	return MODE_OK;
}

/*
 * Called for every mode the connector lists and, through the atomic
 * helpers, for every mode a commit asks for: a mode that does not fit
 * fails the check, before anything is programmed.
 */
static enum drm_mode_status
mdpy_drm_crtc_mode_valid(struct drm_crtc *crtc,
			 const struct drm_display_mode *mode)
{
	/* one line of pixels per line of the mode, nothing else */
	if (mode->flags & DRM_MODE_FLAG_INTERLACE)
		return MODE_NO_INTERLACE;
	if (mode->flags & DRM_MODE_FLAG_DBLSCAN)
		return MODE_NO_DBLESCAN;
	return mdpy_drm_mode_fits(to_mdpy_drm(crtc->dev), mode->hdisplay,
				  mode->vdisplay);
}

/*
 * Ask the device for WIDTHxHEIGHT and read back what it shows.  The
 * device checks the request only when CMD_SET reaches CTRL, so the two
 * sizes go first.  What the device reports afterwards is what the BAR
 * copies use, whatever was asked: if it ever refused, the plane is copied
 * with the old pitch and clipped to the old frame, never past it.
 */
static void mdpy_drm_set_mode(struct mdpy_drm *mdpy, u32 width, u32 height)
{
	struct pci_dev *pdev = to_pci_dev(mdpy->drm.dev);
	/* where the capability is, relative to where the uAPI puts it */
	int delta = mdpy->modecap - MDPY_MODECAP_OFFSET;
	u32 ctrl, w, h;

	pci_write_config_dword(pdev, delta + MDPY_MODECAP_REQ_WIDTH, width);
	pci_write_config_dword(pdev, delta + MDPY_MODECAP_REQ_HEIGHT, height);
	pci_write_config_byte(pdev, delta + MDPY_MODECAP_CTRL, MDPY_MODE_CMD_SET);
	pci_read_config_dword(pdev, delta + MDPY_MODECAP_CTRL, &ctrl);
	pci_read_config_dword(pdev, MDPY_WIDTH_OFFSET, &w);
	pci_read_config_dword(pdev, MDPY_HEIGHT_OFFSET, &h);

	if (ctrl != MDPY_MODE_OK || w != width || h != height)
		drm_err(&mdpy->drm, "device refused mode %ux%u (status %u), shows %ux%u\n",
			width, height, ctrl, w, h);
	/* never trust a size that would take the copies past the mapping */
	if (mdpy_drm_mode_fits(mdpy, w, h) != MODE_OK)
		return;
	mdpy->width = w;
	mdpy->height = h;
	mdpy->pitch = w * MDPY_BYTES_PER_PIXEL;
}

/*
 * A commit that changes the mode programs it here: after the old mode was
 * switched off (blanked) and before the plane update of the same commit,
 * which then repaints the whole new frame at the new pitch.  Only the
 * mode capability can change the mode; without it mode_valid let through
 * nothing but the device's own.
 */
static void mdpy_drm_crtc_mode_set_nofb(struct drm_crtc *crtc)
{
	struct mdpy_drm *mdpy = to_mdpy_drm(crtc->dev);
	const struct drm_display_mode *mode = &crtc->state->adjusted_mode;
	int idx;

	if (!mdpy->modecap)
		return;
	if (!drm_dev_enter(crtc->dev, &idx))
		return;
	mdpy_drm_set_mode(mdpy, mode->hdisplay, mode->vdisplay);
	drm_dev_exit(idx);
}

/*
 * Nothing to program on the way on: the plane update of the same commit
 * repaints the whole frame.  On the way off the screen turns black, so
 * DPMS off looks off to whoever watches the host's display.
 */
static void mdpy_drm_crtc_atomic_disable(struct drm_crtc *crtc,
					 struct mdpy_drm_atomic_state *state)
{
	mdpy_drm_blank(to_mdpy_drm(crtc->dev));
}

static const struct drm_crtc_helper_funcs mdpy_drm_crtc_helper_funcs = {
	.mode_valid = mdpy_drm_crtc_mode_valid,
	.mode_set_nofb = mdpy_drm_crtc_mode_set_nofb,
	.atomic_disable = mdpy_drm_crtc_atomic_disable,
};

/*
 * There is no vblank interrupt; the atomic helpers notice that vblank
 * was never initialised and complete page-flip events on their own.
 */
static const struct drm_crtc_funcs mdpy_drm_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
};

/* Connector */

/*
 * The sizes offered besides the default one when the device can change
 * mode: common monitor and TV sizes, widths multiples of 8 as the device
 * wants them.  Only those that fit BAR0 are listed.
 */
static const struct {
	u16 width, height;
} mdpy_drm_std_sizes[] = {
	{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1152, 864 },
	{ 1280, 720 }, { 1280, 800 }, { 1280, 1024 }, { 1360, 768 },
	{ 1440, 900 }, { 1600, 900 }, { 1600, 1200 }, { 1680, 1050 },
	{ 1920, 1080 }, { 1920, 1200 }, { 2048, 1152 }, { 2560, 1440 },
	{ 2560, 1600 }, { 3840, 2160 }, { 4096, 2160 }, { 5120, 2880 },
	{ 7680, 4320 },
};

static int mdpy_drm_connector_get_modes(struct drm_connector *connector)
{
	struct mdpy_drm *mdpy = to_mdpy_drm(connector->dev);
	struct drm_display_mode *mode;
	unsigned int i, w, h;
	int count = 0;

	for (i = 0; mdpy->modecap && i < ARRAY_SIZE(mdpy_drm_std_sizes); i++) {
		w = mdpy_drm_std_sizes[i].width;
		h = mdpy_drm_std_sizes[i].height;
		/* the default size comes once, below, as the preferred mode */
		if ((w == mdpy->mode.hdisplay && h == mdpy->mode.vdisplay) ||
		    mdpy_drm_mode_fits(mdpy, w, h) != MODE_OK)
			continue;
		mode = drm_mode_duplicate(connector->dev, &(struct drm_display_mode) {
			DRM_MODE_INIT(60, w, h, DRM_MODE_RES_MM(w, 96ul),
				      DRM_MODE_RES_MM(h, 96ul))
		});
		if (!mode)
			break;
		drm_mode_set_name(mode);
		drm_mode_probed_add(connector, mode);
		count++;
	}

	/* the default mode, marked preferred, with its physical size */
	return count + drm_connector_helper_get_modes_fixed(connector,
							    &mdpy->mode);
}

static const struct drm_connector_helper_funcs mdpy_drm_connector_helper_funcs = {
	.get_modes = mdpy_drm_connector_get_modes,
};

/* Without a .detect hook the probe helpers report "connected" */
static const struct drm_connector_funcs mdpy_drm_connector_funcs = {
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

static const struct drm_mode_config_funcs mdpy_drm_mode_config_funcs = {
	/* the _with_dirty variant routes DIRTYFB into plane damage clips */
	.fb_create = drm_gem_fb_create_with_dirty,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

int mdpy_drm_kms_init(struct mdpy_drm *mdpy)
{
	struct drm_device *drm = &mdpy->drm;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = MDPY_DRM_MAX_DIM;
	drm->mode_config.max_height = MDPY_DRM_MAX_DIM;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.funcs = &mdpy_drm_mode_config_funcs;

	ret = drm_universal_plane_init(drm, &mdpy->plane, 0,
				       &mdpy_drm_plane_funcs,
				       mdpy_drm_formats,
				       ARRAY_SIZE(mdpy_drm_formats),
				       mdpy_drm_modifiers,
				       DRM_PLANE_TYPE_PRIMARY, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&mdpy->plane, &mdpy_drm_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(&mdpy->plane);

	ret = drmm_crtc_init_with_planes(drm, &mdpy->crtc, &mdpy->plane, NULL,
					 &mdpy_drm_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&mdpy->crtc, &mdpy_drm_crtc_helper_funcs);

	ret = drmm_encoder_init(drm, &mdpy->encoder, NULL,
				DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	mdpy->encoder.possible_crtcs = drm_crtc_mask(&mdpy->crtc);

	ret = drmm_connector_init(drm, &mdpy->connector,
				  &mdpy_drm_connector_funcs,
				  DRM_MODE_CONNECTOR_VIRTUAL, NULL);
	if (ret)
		return ret;
	drm_connector_helper_add(&mdpy->connector,
				 &mdpy_drm_connector_helper_funcs);
	ret = drm_connector_attach_encoder(&mdpy->connector, &mdpy->encoder);
	if (ret)
		return ret;

	drm_mode_config_reset(drm);
	return 0;
}
