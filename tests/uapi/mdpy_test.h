/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy_test.h - what the conformance programs share: the spec's expected
 * values (written from the spec, not taken from the driver, so the suite is
 * an independent oracle) and the module as they load it.  The plumbing
 * (sysfs, instances, the VFIO sequence, config and BAR accessors, the
 * kernel log) is tests/lib's.
 */
#ifndef MDPY_TEST_H
#define MDPY_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

#include "../../include/uapi/mdpy.h"
#include "../lib/testlib.h"

#define PARENT_DIR	MDPY_PARENT
#define TYPES_DIR	MDPY_TYPES
#define MODULE_NAME	MDPY_MODULE
#define DEFAULT_COUNT	4
#define BUDGET_PARAM	"/sys/module/" MODULE_NAME "/parameters/budget_mb"

#define CFG_SIZE	PCI_CFG_SIZE
#define PAGE_SZ		4096UL

#ifndef DRM_PLANE_TYPE_OVERLAY
#define DRM_PLANE_TYPE_OVERLAY	0
#define DRM_PLANE_TYPE_PRIMARY	1
#define DRM_PLANE_TYPE_CURSOR	2
#endif

/*
 * The 6.7+ layout of vfio_device_gfx_plane_info (drm_format_mod aligned,
 * a trailing `reserved`).  Debian 12's linux-libc-dev predates it; QEMU 7.2
 * passes argsz 60 (offsetofend of region_index) or 64.  Spelled out here so
 * the tests control every byte and size explicitly.
 */
struct plane_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t drm_plane_type;
	uint32_t drm_format;
	uint64_t drm_format_mod;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t size;
	uint32_t x_pos;
	uint32_t y_pos;
	uint32_t x_hot;
	uint32_t y_hot;
	uint32_t region_index;
	uint32_t reserved;
} __attribute__((aligned(8)));

#define PLANE_MINSZ	60	/* offsetofend(region_index) */
#define PLANE_FULLSZ	64

_Static_assert(offsetof(struct plane_info, region_index) + 4 == PLANE_MINSZ,
	       "plane layout");
_Static_assert(sizeof(struct plane_info) == PLANE_FULLSZ, "plane size");

struct mdpy_ttype {
	const char *name;	/* "vga" */
	const char *dir;	/* "mdpy-vga" */
	uint32_t width, height;
};

extern const struct mdpy_ttype mdpy_ttypes[3];

static inline uint64_t fb_size(const struct mdpy_ttype *t)
{
	return (uint64_t)t->width * t->height * 4;
}

/* BAR0: the frame rounded up to a power of two, at least a page */
static inline uint64_t bar_size_for(const struct mdpy_ttype *t)
{
	uint64_t s = PAGE_SZ;

	while (s < fb_size(t))
		s <<= 1;
	return s;
}

/* Fixture variants, one per type; each program expands this once. */
#define MDPY_TYPE_VARIANTS(sym)						\
	static const struct ht_variant sym[] = {			\
		{ "vga", &mdpy_ttypes[0] },				\
		{ "xga", &mdpy_ttypes[1] },				\
		{ "hd", &mdpy_ttypes[2] },				\
		{ NULL, NULL },						\
	}

/* The uapi programs' views of the library, for a type of the table. */
void type_attr(char *buf, size_t size, const struct mdpy_ttype *t,
	       const char *attr);
long avail(const struct mdpy_ttype *t);
long mdpy_count(void);

/* The spec's power-on picture: grey ramp, one level per row. */
uint32_t initial_pixel(const struct mdpy_ttype *t, uint32_t y);
void initial_bytes(const struct mdpy_ttype *t, uint64_t off, uint8_t *buf,
		   size_t len);
/* ... of a whole BAR of @size bytes, malloc'ed (NULL if out of memory) */
uint8_t *initial_picture(const struct mdpy_ttype *t, uint64_t size);
/* The whole BAR read through the fd in one call, as a client would */
uint8_t *bar_read_all(struct vdev *d);

/*
 * The guest starts using the display without changing a byte: the last
 * byte of BAR0 written back as it is.  Until then the plane is empty
 * (FLAGS.SCANOUT clear); from then on it shows the mode.
 */
int display_use(struct vdev *d);

/* Module control; module file from $MDPY_KO. */
int mod_loaded(void);
int mod_load(const char *params);
int mod_unload(void);
int mod_ensure_default(void);

#endif /* MDPY_TEST_H */
