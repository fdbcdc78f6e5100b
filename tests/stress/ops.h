/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mdpy-stress: worker state and the random operations (ops.c).
 */
#ifndef MDPY_STRESS_OPS_H
#define MDPY_STRESS_OPS_H

#include <stdatomic.h>
#include <stddef.h>

#include "stress.h"

#define BUF_SIZE	(1UL << 20)
#define MAX_MAPS	8

/* vfio_device_gfx_plane_info as of 6.7 (Debian 12's headers predate it) */
struct plane_info {
	uint32_t argsz, flags, drm_plane_type, drm_format;
	uint64_t drm_format_mod;
	uint32_t width, height, stride, size;
	uint32_t x_pos, y_pos, x_hot, y_hot;
	uint32_t region_index, reserved;
} __attribute__((aligned(8)));
#define PLANE_MINSZ	60
#define PLANE_FULLSZ	64

enum {
	P_NULL, P_LOW, P_KERNEL, P_NONCANON, P_PROTNONE, P_READONLY, P_ENDMAP,
	P_NKINDS
};
extern const char *const ptr_names[P_NKINDS];
extern uint8_t *ptr_none, *ptr_ro, *ptr_end;

struct worker {
	char name[32];
	struct rng r;
	struct dev *devs;
	int ndevs;
	uint64_t ops, target, bad;
	uint64_t n_rw, n_garbage, n_mmap, n_ioctl, n_reset, n_open;
	uint8_t *buf;			/* BUF_SIZE bytes */
	struct { void *p; size_t len; int dev; } maps[MAX_MAPS];
	int nmaps;
};

extern atomic_ulong bad_total;

void ptr_setup(void);
void *bad_ptr(int kind, size_t len, struct rng *r);
void bad_result(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int errno_in(int e, const int *list);
void check_cfg_bytes(struct worker *w, const struct stype *t, uint64_t off,
		     const uint8_t *b, size_t len);
int touch_map(uint8_t *p, size_t len, struct rng *r, int write);
void bad_range(struct rng *r, uint64_t bar_size, uint64_t *pos, size_t *len);
int check_bad_ptr_rw(struct worker *w, int kind, int write, ssize_t n,
		     int e, size_t len, const char *what);
int ioctl_bad_ptr(struct worker *w, int fd, int which, int kind);

void op_rw_valid(struct worker *w, struct dev *d, int fd, int write);
void op_rw_bad_range(struct worker *w, struct dev *d, int write);
void op_rw_bad_ptr(struct worker *w, struct dev *d, int write);
void op_mmap_valid(struct worker *w, int di, int fd);
void op_mmap_bad(struct worker *w, struct dev *d);
void op_munmap(struct worker *w);
void unmap_all(struct worker *w);
void op_ioctl_valid(struct worker *w, struct dev *d, int fd);
void op_ioctl_bad(struct worker *w, struct dev *d);
void op_reopen(struct worker *w, int di);
void op_rw_into_map(struct worker *w, struct dev *d);
void worker_step(struct worker *w);

#endif /* MDPY_STRESS_OPS_H */
