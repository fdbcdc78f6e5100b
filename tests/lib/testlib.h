/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testlib.h - the userspace library of mdpy's test and benchmark programs
 * (tests/uapi, tests/stress, bench): sysfs files, the module, the kernel
 * log, mdev instances, the VFIO container/group/device sequence and region
 * accessors, /proc memory counters, UUIDs and random bytes.
 *
 * It holds plumbing only.  What a device must look like (the power-on
 * picture, the config model, the type table) stays with each program, so
 * the conformance suite remains an oracle independent of the driver and of
 * this library.  Functions return 0 (or a count) on success and -errno on
 * failure unless said otherwise.
 */
#ifndef MDPY_TESTLIB_H
#define MDPY_TESTLIB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

#define MDPY_PARENT	"/sys/class/mdev_bus/mdpy"
#define MDPY_TYPES	MDPY_PARENT "/mdev_supported_types"
#define MDEV_DEVICES	"/sys/bus/mdev/devices"
#define MDPY_MODULE	"mdpy"
#define PCI_CFG_SIZE	256

/* --- sys.c: files, the module, the kernel log ----------------------------- */

int sysfs_read(const char *path, char *buf, size_t size);	/* NUL-ended */
int sysfs_write(const char *path, const char *s);
int sysfs_write_ns(const char *path, const char *s, double *ns);
int sysfs_read_long(const char *path, long *val);
int path_exists(const char *path);
int dir_count(const char *path);				/* no . and .. */
int file_read(const char *path, char *buf, size_t size);	/* whole file */
double now_ns(void);						/* monotonic */
int kernel_at_least(int major, int minor);			/* uname */

int module_loaded(const char *name);
int module_load(const char *ko, const char *params);
int module_unload(const char *name);	/* never blocks: EAGAIN/EBUSY */

int klog_has(const char *w1, const char *w2, const char *w3);
void kmsg_mark(void);
int kmsg_next(char *msg, size_t size);	/* 1 a record, 0 none, -1 no log */

/* --- mdev.c: instances, UUIDs, random bytes ---------------------------- */

/* @type is a type directory name, e.g. "mdpy-hd" */
void mdev_type_attr(char *buf, size_t size, const char *type, const char *attr);
int mdev_create(const char *type, const char *uuid);
int mdev_create_ns(const char *type, const char *uuid, double *ns);
int mdev_remove(const char *uuid);
int mdev_remove_ns(const char *uuid, double *ns);
int mdev_exists(const char *uuid);
int mdev_group(const char *uuid);
long mdev_attr_long(const char *uuid, const char *attr);
int mdev_count(void);			/* instances of every mdpy type */
void mdev_remove_all(void);

/* `remove` written from a thread, as an admin's shell blocks on it */
struct remover {
	char uuid[37];
	atomic_int done;
	int ret;
	double secs;		/* how long the write took */
};

void remover_init(struct remover *r, const char *uuid);
void *remover_run(void *arg);	/* pthread_create(&th, NULL, remover_run, r) */
int remover_wait(struct remover *r, int ms);	/* 1 if it finished */

void uuid_format(char out[37], const uint8_t b[16]);	/* sets v4 bits */
void uuid_gen(char out[37]);
uint64_t rand64(void);
void rand_fill(void *buf, size_t len);

/* --- vfio.c: an opened device and its regions --------------------------- */

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

/* --- mig.c: VFIO migration v2 ------------------------------------------ */

/* enum vfio_device_mig_state, with the v6.2 PRE_COPY states */
#define MIG_ST_ERROR		0
#define MIG_ST_STOP		1
#define MIG_ST_RUNNING		2
#define MIG_ST_STOP_COPY	3
#define MIG_ST_RESUMING		4
#define MIG_ST_RUNNING_P2P	5
#define MIG_ST_PRE_COPY		6
#define MIG_ST_PRE_COPY_P2P	7
#define MIG_NR_STATES		8

#define MIG_FLAG_STOP_COPY	(1u << 0)
#define MIG_FLAG_P2P		(1u << 1)
#define MIG_FLAG_PRE_COPY	(1u << 2)

#define MIG_FEATURE_MIGRATION	1
#define MIG_FEATURE_STATE	2
#define MIG_FEATURE_DATA_SIZE	9
#define MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)

struct mig_precopy_info {
	uint32_t argsz;
	uint32_t flags;
	uint64_t initial_bytes;
	uint64_t dirty_bytes;
};

/* A stream in memory */
struct mig_buf {
	uint8_t *data;
	size_t len, cap;
};

/* VFIO_DEVICE_FEATURE with up to 64 bytes of data, copied back on GET */
int vfio_feature(int fd, uint32_t flags, void *data, size_t len);
/* A new data fd goes to *data_fd (-1: none); with NULL it is closed */
int mig_set_state(int fd, uint32_t state, int *data_fd);
int mig_get_state(int fd, uint32_t *state);
int mig_buf_add(struct mig_buf *b, const void *p, size_t n);
/* Read in @chunk calls: 0 at end of stream, 1 at a pre-copy pause */
int mig_read(int fd, struct mig_buf *b, size_t chunk);
int mig_write(int fd, const void *data, size_t len, size_t chunk);
/* A running device's STOP_COPY stream, or resume one; both end RUNNING */
int mig_save(struct vdev *d, struct mig_buf *b, size_t chunk);
int mig_load(struct vdev *d, const void *data, size_t len, size_t chunk);

/* --- proc.c: /proc counters ---------------------------------------------- */

int text_value(const char *text, const char *key, long *val);
long meminfo_kb(const char *key);	/* -1 if unreadable */
long pcp_free_pages(void);
long vmalloc_pages(void);
void text_diff(const char *a, const char *b, long min, const char *what);
long slab_max_growth(const char *a, const char *b, char *name, size_t size);

#endif /* MDPY_TESTLIB_H */
