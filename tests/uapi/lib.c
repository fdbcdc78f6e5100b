// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the mdpy conformance programs.  Functions return 0 (or a
 * count) on success and -errno on failure so tests can compare errnos.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mdpy_test.h"

const struct mdpy_ttype mdpy_ttypes[3] = {
	{ "vga", "mdpy-vga", 640, 480 },
	{ "xga", "mdpy-xga", 1024, 768 },
	{ "hd", "mdpy-hd", 1920, 1080 },
};

int sysfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return (int)n;
}

/* One write() of the whole string, as `echo x > attr` does. */
int sysfs_write(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, e;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	return n == (ssize_t)len ? 0 : -EIO;
}

int sysfs_read_long(const char *path, long *val)
{
	char buf[64], *end;
	int n = sysfs_read(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && strcmp(end, "\n")))
		return -EINVAL;
	return 0;
}

int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void type_attr(char *buf, size_t size, const struct mdpy_ttype *t,
	       const char *attr)
{
	snprintf(buf, size, TYPES_DIR "/%s/%s", t->dir, attr);
}

uint64_t rand64(void)
{
	static int seeded;
	uint64_t v;

	if (!seeded) {
		unsigned int seed;

		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = (unsigned int)getpid();
		srandom(seed);
		seeded = 1;
	}
	v = (uint64_t)random() << 33;
	v ^= (uint64_t)random() << 11;
	v ^= (uint64_t)random();
	return v;
}

void rand_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = rand64();
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Random version-4 UUID; getrandom so forked children never collide. */
void uuid_gen(char out[37])
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		rand_fill(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

int mdev_create(const struct mdpy_ttype *t, const char *uuid)
{
	char path[512];

	type_attr(path, sizeof(path), t, "create");
	return sysfs_write(path, uuid);
}

int mdev_remove(const char *uuid)
{
	char path[512];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	return sysfs_write(path, "1");
}

int mdev_exists(const char *uuid)
{
	char path[512];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid);
	return path_exists(path);
}

long avail(const struct mdpy_ttype *t)
{
	char path[512];
	long v;
	int r;

	type_attr(path, sizeof(path), t, "available_instances");
	r = sysfs_read_long(path, &v);
	return r < 0 ? r : v;
}

int mdev_group(const char *uuid)
{
	char path[512], link[256], *base;
	ssize_t n;

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

/* The live cap: module parameter if visible, else the documented default. */
long mdpy_count(void)
{
	long v;

	if (!sysfs_read_long("/sys/module/" MODULE_NAME "/parameters/count", &v))
		return v;
	return DEFAULT_COUNT;
}

/* Instances of any mdpy type currently on the mdev bus. */
int live_instances(void)
{
	char path[512];
	struct dirent *de;
	int i, n = 0;
	DIR *dir;

	for (i = 0; i < 3; i++) {
		type_attr(path, sizeof(path), &mdpy_ttypes[i], "devices");
		dir = opendir(path);
		if (!dir)
			continue;
		while ((de = readdir(dir)))
			if (de->d_name[0] != '.')
				n++;
		closedir(dir);
	}
	return n;
}

/* Clean slate for tests that count: remove whatever an earlier test left. */
void remove_all_instances(void)
{
	char path[512];
	struct dirent *de;
	int i;
	DIR *dir;

	for (i = 0; i < 3; i++) {
		type_attr(path, sizeof(path), &mdpy_ttypes[i], "devices");
		dir = opendir(path);
		if (!dir)
			continue;
		while ((de = readdir(dir)))
			if (de->d_name[0] != '.')
				mdev_remove(de->d_name);
		closedir(dir);
	}
}

void vdev_init(struct vdev *d)
{
	memset(d, 0, sizeof(*d));
	d->container = d->group = d->fd = -1;
	d->groupnr = -1;
}

int region_info(int fd, uint32_t index, struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, ri) ? -errno : 0;
}

/*
 * Container + group + device fd, nothing else: tests of call-order
 * independence need a device on which no ioctl has been issued yet.
 */
int vdev_open_raw(struct vdev *d, const char *uuid)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char path[64];
	int ret;

	vdev_init(d);
	d->groupnr = mdev_group(uuid);
	if (d->groupnr < 0)
		return d->groupnr;
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		goto fail;
	snprintf(path, sizeof(path), "/dev/vfio/%d", d->groupnr);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		goto fail;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &gs))
		goto fail;
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto fail;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		goto fail;
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	    ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		goto fail;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->fd < 0)
		goto fail;
	return 0;
fail:
	ret = -errno;
	vdev_close(d);
	return ret;
}

int vdev_open(struct vdev *d, const char *uuid)
{
	int ret = vdev_open_raw(d, uuid);

	if (ret)
		return ret;
	d->info.argsz = sizeof(d->info);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info))
		goto fail;
	ret = region_info(d->fd, VFIO_PCI_CONFIG_REGION_INDEX, &d->cfg);
	if (!ret)
		ret = region_info(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &d->bar);
	if (!ret)
		return 0;
	errno = -ret;
fail:
	ret = -errno;
	vdev_close(d);
	return ret;
}

/* Close only the device fd and get a new one from the same group. */
int vdev_reopen_fd(struct vdev *d, const char *uuid)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	return d->fd < 0 ? -errno : 0;
}

void vdev_close(struct vdev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0) {
		ioctl(d->group, VFIO_GROUP_UNSET_CONTAINER);
		close(d->group);
	}
	if (d->container >= 0)
		close(d->container);
	d->fd = d->group = d->container = -1;
}

/* Little-endian register access through the config region. */
int cfg_get(struct vdev *d, uint32_t off, int len, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	ssize_t n;
	int i;

	n = pread(d->fd, b, len, d->cfg.offset + off);
	if (n < 0)
		return -errno;
	if (n != len)
		return -EIO;
	*val = 0;
	for (i = 0; i < len; i++)
		*val |= (uint32_t)b[i] << (8 * i);
	return 0;
}

int cfg_put(struct vdev *d, uint32_t off, int len, uint32_t val)
{
	uint8_t b[4];
	ssize_t n;
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	n = pwrite(d->fd, b, len, d->cfg.offset + off);
	if (n < 0)
		return -errno;
	return n == len ? 0 : -EIO;
}

int cfg_dump(struct vdev *d, uint8_t *buf)
{
	ssize_t n = pread(d->fd, buf, CFG_SIZE, d->cfg.offset);

	if (n < 0)
		return -errno;
	return n == CFG_SIZE ? 0 : -EIO;
}

int bar_read(struct vdev *d, uint64_t off, void *buf, size_t len)
{
	ssize_t n = pread(d->fd, buf, len, d->bar.offset + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int bar_write(struct vdev *d, uint64_t off, const void *buf, size_t len)
{
	ssize_t n = pwrite(d->fd, buf, len, d->bar.offset + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * Power-on picture as documented: row y is grey level y * 256 / height in
 * B, G and R, X byte zero, stored little-endian; bytes past the visible
 * frame are zero.
 */
uint32_t initial_pixel(const struct mdpy_ttype *t, uint32_t y)
{
	uint32_t level = y * 256 / t->height;

	return level << 16 | level << 8 | level;
}

void initial_bytes(const struct mdpy_ttype *t, uint64_t off, uint8_t *buf,
		   size_t len)
{
	uint64_t stride = (uint64_t)t->width * 4;
	size_t i;

	for (i = 0; i < len; i++, off++) {
		if (off >= fb_size(t))
			buf[i] = 0;
		else
			buf[i] = (uint8_t)(initial_pixel(t, (uint32_t)(off / stride))
					   >> (8 * (off & 3)));
	}
}

int mod_loaded(void)
{
	return path_exists("/sys/module/" MODULE_NAME "/initstate") ||
	       path_exists(PARENT_DIR);
}

int mod_load(const char *params)
{
	const char *ko = getenv("MDPY_KO");
	int fd, ret;

	if (!ko)
		ko = "/payload/mdpy.ko";
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = (int)syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* O_NONBLOCK: refuse at once if the module is in use, as rmmod does. */
int mod_unload(void)
{
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

/* Loaded with default parameters and no instances: the state tests expect. */
int mod_ensure_default(void)
{
	int ret;

	if (mod_loaded()) {
		remove_all_instances();
		/* budget_mb=0 puts back the default budget (half of RAM) */
		if (mdpy_count() == DEFAULT_COUNT &&
		    !sysfs_write(BUDGET_PARAM, "0"))
			return 0;
		ret = mod_unload();
		if (ret)
			return ret;
	}
	return mod_load(NULL);
}

/*
 * Whether the kernel log holds a line with every one of @words (up to 3,
 * NULL-terminated).  Reads the whole ring buffer, as dmesg does.
 */
int klog_has(const char *w1, const char *w2, const char *w3)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line, *save = NULL;
	int n, found = 0;

	if (size <= 0)
		return 0;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return 0;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		found = strstr(line, w1) && (!w2 || strstr(line, w2)) &&
			(!w3 || strstr(line, w3));
	free(buf);
	return found;
}

/* A `remove` written from a thread, as an admin's shell would block on it */
void *remover_run(void *arg)
{
	struct remover *r = arg;

	r->ret = mdev_remove(r->uuid);
	r->done = 1;
	return NULL;
}

int remover_wait(struct remover *r, int ms)
{
	for (; ms > 0 && !r->done; ms -= 10)
		usleep(10 * 1000);
	return r->done;
}
