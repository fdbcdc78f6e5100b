// SPDX-License-Identifier: GPL-2.0
/*
 * vfio.c - an mdev instance opened the way QEMU opens it (legacy
 * container, its group, the device fd) and accessors of its config space
 * and BAR0 through the device fd (testlib.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "testlib.h"

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

/* Opened, with the device info and the config and BAR0 regions read. */
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
	ssize_t n = pread(d->fd, buf, PCI_CFG_SIZE, d->cfg.offset);

	if (n < 0)
		return -errno;
	return n == PCI_CFG_SIZE ? 0 : -EIO;
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
