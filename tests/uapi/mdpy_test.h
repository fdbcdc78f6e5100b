/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy_test.h - helpers shared by the conformance programs: sysfs, instance
 * life cycle, the VFIO container/group/device dance, config accessors, the
 * module, and the spec's expected values (written from the spec, not taken
 * from the driver, so the suite is an independent oracle).
 */
#ifndef MDPY_TEST_H
#define MDPY_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

#include "../../include/uapi/mdpy.h"

#define PARENT_DIR	"/sys/class/mdev_bus/mdpy"
#define TYPES_DIR	PARENT_DIR "/mdev_supported_types"
#define MDEV_DEVICES	"/sys/bus/mdev/devices"
#define MODULE_NAME	"mdpy"
#define DEFAULT_COUNT	4
#define BUDGET_PARAM	"/sys/module/" MODULE_NAME "/parameters/budget_mb"

#define CFG_SIZE	256
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

/* Fixture variants, one per type; each program expands this once. */
#define MDPY_TYPE_VARIANTS(sym)						\
	static const struct ht_variant sym[] = {			\
		{ "vga", &mdpy_ttypes[0] },				\
		{ "xga", &mdpy_ttypes[1] },				\
		{ "hd", &mdpy_ttypes[2] },				\
		{ NULL, NULL },						\
	}

/* sysfs: return bytes read / 0, or -errno. Reads are NUL-terminated. */
int sysfs_read(const char *path, char *buf, size_t size);
int sysfs_write(const char *path, const char *s);
int sysfs_read_long(const char *path, long *val);
int path_exists(const char *path);
void type_attr(char *buf, size_t size, const struct mdpy_ttype *t,
	       const char *attr);

void uuid_gen(char out[37]);
int mdev_create(const struct mdpy_ttype *t, const char *uuid);
int mdev_remove(const char *uuid);
int mdev_exists(const char *uuid);
long avail(const struct mdpy_ttype *t);
int mdev_group(const char *uuid);
long mdpy_count(void);
int live_instances(void);
void remove_all_instances(void);

/* An opened device: container, group and device fds plus cached info. */
struct vdev {
	int container, group, fd;
	int groupnr;
	struct vfio_device_info info;
	struct vfio_region_info cfg, bar;
};

void vdev_init(struct vdev *d);
int vdev_open_raw(struct vdev *d, const char *uuid);
int vdev_open(struct vdev *d, const char *uuid);
int vdev_reopen_fd(struct vdev *d, const char *uuid);
void vdev_close(struct vdev *d);
int region_info(int fd, uint32_t index, struct vfio_region_info *ri);

int cfg_get(struct vdev *d, uint32_t off, int len, uint32_t *val);
int cfg_put(struct vdev *d, uint32_t off, int len, uint32_t val);
int cfg_dump(struct vdev *d, uint8_t *buf);
int bar_read(struct vdev *d, uint64_t off, void *buf, size_t len);
int bar_write(struct vdev *d, uint64_t off, const void *buf, size_t len);

/* The spec's power-on picture: grey ramp, one level per row. */
uint32_t initial_pixel(const struct mdpy_ttype *t, uint32_t y);
void initial_bytes(const struct mdpy_ttype *t, uint64_t off, uint8_t *buf,
		   size_t len);

/* Module control; module file from $MDPY_KO. */
int mod_loaded(void);
int mod_load(const char *params);
int mod_unload(void);
int mod_ensure_default(void);

/* remove in a thread: pthread_create(&th, NULL, remover_run, &r) */
struct remover {
	const char *uuid;
	volatile int done;
	int ret;
};

void *remover_run(void *arg);
int remover_wait(struct remover *r, int ms);

int klog_has(const char *w1, const char *w2, const char *w3);

void rand_fill(void *buf, size_t len);
uint64_t rand64(void);

#endif /* MDPY_TEST_H */
