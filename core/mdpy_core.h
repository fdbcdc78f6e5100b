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

/* Reads are plain bytes of the 256 the guest sees */
static inline int mdpy_cfg_read(const struct mdpy_core *core, u64 off,
				void *buf, u64 len)
{
	int ret = mdpy_cfg_check(off, len);

	if (ret)
		return ret;
	memcpy(buf, core->cfg + off, len);
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

/*
 * Memory an instance of @type may come to hold, which the driver's budget
 * reserves at create: every page of BAR0 (a guest may write all of it,
 * padding included), the table of page pointers, and @fixed bytes of
 * per-instance state.  Idle instances hold far less; this is the bound.
 */
static inline u64 mdpy_instance_cost(const struct mdpy_type *type,
				     u32 page_size, u32 ptr_size, u64 fixed)
{
	u64 pages = ((u64)mdpy_bar_size(type) + page_size - 1) / page_size;

	return pages * page_size + pages * ptr_size + fixed;
}

/* Instances of @cost that still fit: the lower of both limits */
static inline u32 mdpy_instances_left(u32 count_left, u64 budget_left,
				      u64 cost)
{
	u64 fit = budget_left / cost;

	return fit < count_left ? (u32)fit : count_left;
}

/*
 * Interrupts.  The device raises none of its own; the one index with an
 * interrupt is VFIO's device request (REQ): an eventfd the host signals
 * when an admin removes an instance that a VMM still holds, so the VMM can
 * unplug it.  Indexes and flag bits are vfio-pci's (the glue checks them
 * against linux/vfio.h at build time).
 */
#define MDPY_IRQ_INDEX_REQ	4
#define MDPY_NUM_IRQ_INDEXES	5

#define MDPY_IRQ_DATA_NONE	0x01u
#define MDPY_IRQ_DATA_BOOL	0x02u
#define MDPY_IRQ_DATA_EVENTFD	0x04u
#define MDPY_IRQ_DATA_MASK	0x7u
#define MDPY_IRQ_ACTION_MASK	0x08u
#define MDPY_IRQ_ACTION_UNMASK	0x10u
#define MDPY_IRQ_ACTION_TRIGGER	0x20u
#define MDPY_IRQ_ACTIONS	0x38u

/* Interrupts behind an index: one for REQ, none elsewhere */
static inline u32 mdpy_irq_count(u32 index)
{
	return index == MDPY_IRQ_INDEX_REQ ? 1 : 0;
}

/* The fixed part of VFIO_DEVICE_SET_IRQS, field for field */
struct mdpy_irq_set {
	u32 argsz;
	u32 flags;
	u32 index;
	u32 start;
	u32 count;
};

#define MDPY_IRQ_SET_HDR_SIZE	20u

enum mdpy_irq_op {
	MDPY_IRQ_OP_NONE,	/* valid, changes nothing */
	MDPY_IRQ_OP_CLEAR,	/* forget the eventfd */
	MDPY_IRQ_OP_SET_FD,	/* signal this eventfd from now on */
	MDPY_IRQ_OP_SIGNAL,	/* signal the eventfd now (a loopback test) */
};

/*
 * Check a SET_IRQS header.  Returns 0 and the number of data bytes that
 * follow it in @data_size, or -EINVAL.
 */
int mdpy_irq_set_check(const struct mdpy_irq_set *hdr, u32 *data_size);

/*
 * What a checked request asks for, given its @data (data_size bytes):
 * an enum mdpy_irq_op (with the eventfd number in *@fd for SET_FD), or
 * -EINVAL.
 */
int mdpy_irq_set_decode(const struct mdpy_irq_set *hdr, const void *data,
			s32 *fd);

#endif /* MDPY_CORE_H */
