// SPDX-License-Identifier: GPL-2.0
/*
 * mig.c - the VFIO migration v2 client: device features, state changes,
 * and moving a stream between data fds and memory.  Debian 12's libc
 * headers predate PRE_COPY, so testlib.h spells out what the uAPI adds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "testlib.h"

int vfio_feature(int fd, uint32_t flags, void *data, size_t len)
{
	struct {
		struct vfio_device_feature hdr;
		uint8_t data[64];
	} f;

	if (len > sizeof(f.data))
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.hdr.argsz = sizeof(f.hdr) + len;
	f.hdr.flags = flags;
	if (data && len)
		memcpy(f.data, data, len);
	if (ioctl(fd, VFIO_DEVICE_FEATURE, &f))
		return -errno;
	if (data && len && (flags & VFIO_DEVICE_FEATURE_GET))
		memcpy(data, f.data, len);
	return 0;
}

/* struct vfio_device_feature_mig_state */
struct mig_state_arg {
	uint32_t device_state;
	int32_t data_fd;
};

int mig_set_state(int fd, uint32_t state, int *data_fd)
{
	struct {
		struct vfio_device_feature hdr;
		struct mig_state_arg s;
	} f;
	int ret = 0;

	memset(&f, 0, sizeof(f));
	f.hdr.argsz = sizeof(f);
	f.hdr.flags = VFIO_DEVICE_FEATURE_SET | MIG_FEATURE_STATE;
	f.s.device_state = state;
	f.s.data_fd = -1;
	if (ioctl(fd, VFIO_DEVICE_FEATURE, &f)) {
		ret = -errno;
		f.s.data_fd = -1;
	}
	if (data_fd)
		*data_fd = f.s.data_fd;
	else if (f.s.data_fd >= 0)
		close(f.s.data_fd);
	return ret;
}

int mig_get_state(int fd, uint32_t *state)
{
	struct mig_state_arg s = { 0 };
	int ret = vfio_feature(fd, VFIO_DEVICE_FEATURE_GET | MIG_FEATURE_STATE,
			       &s, sizeof(s));

	*state = s.device_state;
	return ret;
}

int mig_buf_add(struct mig_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2 + 4096;
		uint8_t *d = realloc(b->data, cap);

		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int mig_read(int fd, struct mig_buf *b, size_t chunk)
{
	static uint8_t buf[1 << 20];

	if (chunk > sizeof(buf))
		chunk = sizeof(buf);
	for (;;) {
		ssize_t n = read(fd, buf, chunk);

		if (n < 0)
			return errno == ENOMSG ? 1 : -errno;
		if (!n)
			return 0;
		if (mig_buf_add(b, buf, n))
			return -ENOMEM;
	}
}

int mig_write(int fd, const void *data, size_t len, size_t chunk)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t w = write(fd, p, len < chunk ? len : chunk);

		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		len -= w;
	}
	return 0;
}

int mig_save(struct vdev *d, struct mig_buf *b, size_t chunk)
{
	int dfd, ret;

	ret = mig_set_state(d->fd, MIG_ST_STOP, NULL);
	if (!ret)
		ret = mig_set_state(d->fd, MIG_ST_STOP_COPY, &dfd);
	if (ret)
		return ret;
	ret = mig_read(dfd, b, chunk);
	close(dfd);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	return mig_set_state(d->fd, MIG_ST_RUNNING, NULL);
}

int mig_load(struct vdev *d, const void *data, size_t len, size_t chunk)
{
	int dfd, ret;

	ret = mig_set_state(d->fd, MIG_ST_RESUMING, &dfd);
	if (ret)
		return ret;
	ret = mig_write(dfd, data, len, chunk);
	close(dfd);
	if (ret)
		return ret;
	return mig_set_state(d->fd, MIG_ST_RUNNING, NULL);
}
