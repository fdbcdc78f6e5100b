/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy device model: the part of the device that does not depend on the
 * kernel.  It owns the PCI config space and its write semantics, BAR sizing,
 * the VFIO region layout and access validation, the display plane and the
 * power-on picture.  The host module wraps it with locking and user copies;
 * unit tests and fuzzers drive it directly.
 *
 * Nothing here locks: callers serialise access to a struct mdpy_core.
 */
#ifndef MDPY_CORE_H
#define MDPY_CORE_H

#include "port.h"
#include "../include/uapi/mdpy.h"

struct mdpy_type {
	const char *name;	/* type suffix: "vga" makes "mdpy-vga" */
	const char *label;	/* for people: "VGA" */
	u32 width;
	u32 height;
};

#define MDPY_NUM_TYPES		3
extern const struct mdpy_type mdpy_types[MDPY_NUM_TYPES];

/*
 * Bytes of visible pixels, and the BAR that holds them: the next power of
 * two, at least a page so BAR0 can be mmapped.  Inline, as every BAR access
 * is checked against it.  Frames stay far below 2 GiB.
 */
static inline u32 mdpy_fb_size(const struct mdpy_type *type)
{
	return type->width * type->height * MDPY_BYTES_PER_PIXEL;
}

static inline u32 mdpy_bar_size(const struct mdpy_type *type)
{
	u32 need = mdpy_fb_size(type);

	if (need <= 4096)
		return 4096;
	return 1u << (32 - __builtin_clz(need - 1));
}

#define MDPY_CFG_SIZE		256

/*
 * VFIO region layout.  The indexes are the vfio-pci ones (BAR0 = 0,
 * config = 7, VGA = 8 is the last fixed index); every region starts at
 * index << MDPY_REGION_SHIFT in the device file.
 */
#define MDPY_REGION_BAR0	0
#define MDPY_REGION_CONFIG	7
#define MDPY_NUM_REGIONS	9
#define MDPY_REGION_SHIFT	40
#define MDPY_REGION_OFF_MASK	((1ULL << MDPY_REGION_SHIFT) - 1)

static inline u64 mdpy_region_offset(u32 index)
{
	return (u64)index << MDPY_REGION_SHIFT;
}

/*
 * Region sizes and access decoding run on every read and write of the
 * device file, so they are inline: the config path then makes no call.
 */

/* Regions the device exposes; every other index has size 0 */
static inline u64 mdpy_region_size(const struct mdpy_type *type, u32 index)
{
	switch (index) {
	case MDPY_REGION_BAR0:
		return mdpy_bar_size(type);
	case MDPY_REGION_CONFIG:
		return MDPY_CFG_SIZE;
	default:
		return 0;
	}
}

/*
 * Split a device-file position into region and offset, and check that the
 * whole access [pos, pos + len) lies inside one existing region.  A zero
 * length is valid only at an offset inside the region.
 */
static inline int mdpy_access_decode(const struct mdpy_type *type, u64 pos,
				     u64 len, u32 *index, u64 *off)
{
	u64 idx = pos >> MDPY_REGION_SHIFT;
	u64 o = pos & MDPY_REGION_OFF_MASK;
	u64 size;

	if (idx >= MDPY_NUM_REGIONS)
		return -EINVAL;
	size = mdpy_region_size(type, (u32)idx);
	if (o >= size || len > size - o)
		return -EINVAL;
	*index = (u32)idx;
	*off = o;
	return 0;
}

/* Config space state of one device instance */
struct mdpy_core {
	const struct mdpy_type *type;
	u8 cfg[MDPY_CFG_SIZE];	/* little-endian, as the guest sees it */
};

void mdpy_core_init(struct mdpy_core *core, const struct mdpy_type *type);
void mdpy_core_reset(struct mdpy_core *core);

/* A config access [off, off + len) must lie inside the 256-byte space */
static inline int mdpy_cfg_check(u64 off, u64 len)
{
	if (off >= MDPY_CFG_SIZE || len > MDPY_CFG_SIZE - off)
		return -EINVAL;
	return 0;
}

/*
 * Reads are plain bytes and run on every config access a VMM makes: inline,
 * with constant-size copies for the usual widths so no call is left.
 */
static inline int mdpy_cfg_read(const struct mdpy_core *core, u64 off,
				void *buf, u64 len)
{
	int ret = mdpy_cfg_check(off, len);

	if (ret)
		return ret;
	switch (len) {
	case 4:
		memcpy(buf, core->cfg + off, 4);
		break;
	case 2:
		memcpy(buf, core->cfg + off, 2);
		break;
	case 1:
		memcpy(buf, core->cfg + off, 1);
		break;
	default:
		memcpy(buf, core->cfg + off, len);
		break;
	}
	return 0;
}

int mdpy_cfg_write(struct mdpy_core *core, u64 off, const void *buf, u64 len);
u8 mdpy_cfg_wmask(const struct mdpy_core *core, u32 off);

/* Display plane, as VFIO_DEVICE_QUERY_GFX_PLANE reports it */
#define MDPY_PLANE_OVERLAY	0	/* DRM_PLANE_TYPE_*; QEMU asks with 0 */
#define MDPY_PLANE_PRIMARY	1
#define MDPY_PLANE_CURSOR	2

struct mdpy_plane {
	u32 format;
	u32 width;
	u32 height;
	u32 stride;
	u32 size;
	u32 region_index;
};

/*
 * QEMU's region display path leaves drm_plane_type at 0, so 0 means "the
 * plane you scan out" just like PRIMARY.  There is no cursor.
 */
static inline bool mdpy_plane_type_ok(u32 drm_plane_type)
{
	return drm_plane_type == MDPY_PLANE_OVERLAY ||
	       drm_plane_type == MDPY_PLANE_PRIMARY;
}

/* The plane never changes for a device: callers may compute it once */
int mdpy_plane_get(const struct mdpy_type *type, u32 drm_plane_type,
		   struct mdpy_plane *plane);

/* Power-on framebuffer contents (and BAR padding) for any byte range */
u32 mdpy_initial_pixel(const struct mdpy_type *type, u32 y);
void mdpy_fb_initial(const struct mdpy_type *type, u64 off, void *buf,
		     u64 len);
u64 mdpy_fb_run_end(const struct mdpy_type *type, u64 off);

#endif /* MDPY_CORE_H */
