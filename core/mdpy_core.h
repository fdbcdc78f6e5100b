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

/*
 * Types.  Names are the mdev type suffix ("vga" makes "mdpy-vga") and the
 * type name a migration stream carries, so they fit its 16-byte field.
 */
#define MDPY_TYPE_NAME_SIZE	16

struct mdpy_type {
	char name[MDPY_TYPE_NAME_SIZE];	/* "vga", or "2560x1440" if added */
	char label[MDPY_TYPE_NAME_SIZE];	/* for people: "VGA" */
	u32 width;
	u32 height;
};

/* The built-in types, which always exist with these names */
#define MDPY_NUM_BUILTIN_TYPES	3
extern const struct mdpy_type mdpy_types[MDPY_NUM_BUILTIN_TYPES];

/*
 * Types added at load (the `types` module parameter): a comma-separated
 * list of WIDTHxHEIGHT in decimal, e.g. "2560x1440,3840x2160".  An added
 * type is named after its size ("2560x1440", so "mdpy-2560x1440") and
 * labelled "Custom".  Limits:
 * - each side 1..16384 pixels (the largest a DRM or pixman surface takes);
 * - BAR0 (the frame rounded up to a power of two) at most 256 MiB: enough
 *   for 7680x4320, and it must share the guest's 32-bit PCI hole (BAR0 is
 *   a 32-bit BAR) with every other device; each instance also reserves
 *   its whole BAR in the memory budget;
 * - at most 13 added types (16 in all), so a list is at most
 *   13 * 12 - 1 characters; longer strings are refused whole.
 * No leading zeros, signs, spaces or empty entries: a token is exactly
 * the name it gives.
 */
#define MDPY_TYPES_MAX_ADDED	13
#define MDPY_MAX_TYPES		(MDPY_NUM_BUILTIN_TYPES + MDPY_TYPES_MAX_ADDED)
#define MDPY_TYPE_MAX_SIDE	16384u
#define MDPY_TYPE_MAX_BAR	(256u << 20)
#define MDPY_TYPE_TOKEN_MAX	11	/* "16384x16384" */
#define MDPY_TYPES_SPEC_MAX	(MDPY_TYPES_MAX_ADDED * (MDPY_TYPE_TOKEN_MAX + 1) - 1)

struct mdpy_type_set {
	u32 count;				/* built-in ones first */
	struct mdpy_type types[MDPY_MAX_TYPES];
	/* after a failed parse: what was wrong, and where */
	const char *why;
	u32 entry;				/* 1 for the first token */
	char token[MDPY_TYPE_TOKEN_MAX + 5];	/* NUL-ended, "..." if cut */
};

/*
 * Fill @set with the built-in types and those @spec adds (NULL or "" adds
 * none).  Returns 0, or -EINVAL with @set->why, @set->entry and
 * @set->token naming the first bad token; @set then holds only the
 * built-in types.
 */
int mdpy_types_parse(struct mdpy_type_set *set, const char *spec);

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

/*
 * A display mode: the visible size; the stride is always width * 4 and the
 * frame starts at BAR0 offset 0.
 */
struct mdpy_mode {
	u32 width;
	u32 height;
};

/*
 * Whether an instance of @type whose default mode is @def can show @mode:
 * MDPY_MODE_OK or the MDPY_MODE_ERR_* code a guest reads back (rules in
 * include/uapi/mdpy.h).  @def itself is always valid, so a default width
 * that is not a multiple of 8 stays selectable.
 */
u32 mdpy_mode_check(const struct mdpy_type *type, const struct mdpy_mode *def,
		    const struct mdpy_mode *mode);

/*
 * An admin's default mode for one instance, as written to its sysfs
 * `resolution` attribute: "WIDTHxHEIGHT" in decimal, one trailing newline
 * allowed.  Returns 0, or -EINVAL with @why saying what was wrong (not a
 * size, or a size @type cannot show).
 */
int mdpy_mode_parse(const struct mdpy_type *type, const char *buf,
		    size_t len, struct mdpy_mode *mode, const char **why);

/* Config space state of one device instance */
struct mdpy_core {
	const struct mdpy_type *type;
	struct mdpy_mode def;	/* the mode at power-on and after reset */
	u8 cfg[MDPY_CFG_SIZE];	/* little-endian, as the guest sees it */
};

/* Power-on state with the type's own size as the default mode */
void mdpy_core_init(struct mdpy_core *core, const struct mdpy_type *type);
void mdpy_core_reset(struct mdpy_core *core);
/*
 * A new default mode (from the admin, while no VM holds the instance);
 * resets the device into it.  -EINVAL, and no change, if @type cannot
 * show it.
 */
int mdpy_core_set_default(struct mdpy_core *core,
			  const struct mdpy_mode *mode);
/* The mode the guest has now: what 0x48 and 0x4c hold */
void mdpy_core_mode(const struct mdpy_core *core, struct mdpy_mode *mode);
/*
 * Write the mode capability, and the link to it from the capability at
 * 0x40, as they are at power-on for @def (core and migration share it)
 */
void mdpy_cfg_put_modecap(u8 *cfg, const struct mdpy_type *type,
			  const struct mdpy_mode *def);
/*
 * Whether the guest has started using the display since the last reset
 * (MDPY_MODE_FLAG_SCANOUT: a SET command, which the core sees, or a BAR0
 * write, which the glue reports with mdpy_core_set_scanout()).  Only a
 * reset clears it.
 */
bool mdpy_core_scanout(const struct mdpy_core *core);
void mdpy_core_set_scanout(struct mdpy_core *core);
/*
 * Config bytes the device itself changes (current mode, command status,
 * flags): read-only to the guest, yet not fixed.
 */
static inline bool mdpy_cfg_device_set(u32 off)
{
	return (off >= MDPY_WIDTH_OFFSET && off < MDPY_HEIGHT_OFFSET + 4) ||
	       (off >= MDPY_MODECAP_CTRL && off < MDPY_MODECAP_FLAGS + 4);
}

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

/*
 * The plane that shows @mode, or, until the guest has started using the
 * display (@scanout, mdpy_core_scanout()), an empty one: format and size
 * 0, which tells QEMU to show its boot display (ramfb) if it has one.
 * Inline: QEMU asks for it every display refresh, and the kernel sample
 * answers from a struct it keeps.
 */
static inline int mdpy_plane_get(const struct mdpy_mode *mode, bool scanout,
				 u32 drm_plane_type, struct mdpy_plane *plane)
{
	if (!mdpy_plane_type_ok(drm_plane_type))
		return -EINVAL;

	memset(plane, 0, sizeof(*plane));
	if (!scanout)
		return 0;
	plane->format = MDPY_FORMAT_XRGB8888;
	plane->width = mode->width;
	plane->height = mode->height;
	plane->stride = mode->width * MDPY_BYTES_PER_PIXEL;
	/* a valid mode fits the BAR, so this stays below 2^32 */
	plane->size = mode->width * mode->height * MDPY_BYTES_PER_PIXEL;
	plane->region_index = MDPY_REGION_BAR0;
	return 0;
}

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
