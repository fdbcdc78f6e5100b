// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-bench: the BARs it measures (an instance opened as QEMU opens it,
 * or a memfd of the same size) and the I/O and latency runs on them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/vfio.h>

#include "bench.h"

/* TAG-0b0b-4b0b-8b0b-I: an instance the benchmark made is seen at a glance */
void make_uuid(char out[37], unsigned int tag, unsigned int i)
{
	uint8_t b[16] = {
		tag >> 24, tag >> 16, tag >> 8, tag, 0x0b, 0x0b, 0x4b, 0x0b,
		0x8b, 0x0b, 0, 0, i >> 24, i >> 16, i >> 8, i,
	};

	uuid_format(out, b);
}

void dev_close(struct dev *d)
{
	if (d->map && d->map != MAP_FAILED)
		munmap(d->map, d->bar_size);
	d->map = NULL;
	vdev_close(&d->v);
}

/* Open an instance the way QEMU does: container, group, device fd, map */
int dev_open_mdev(struct dev *d, const char *uuid, uint64_t frame)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->is_mdev = 1;
	d->frame = frame;
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	err = vdev_open(&d->v, uuid);
	if (err)
		return err;
	d->bar_off = d->v.bar.offset;
	d->bar_size = d->v.bar.size;
	d->cfg_off = d->v.cfg.offset;
	d->map = mmap(NULL, d->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      d->v.fd, d->bar_off);
	if (d->map == MAP_FAILED) {
		err = -errno;
		dev_close(d);
		return err;
	}
	return 0;
}

int dev_open_memfd(struct dev *d, uint64_t bar_size, uint64_t frame)
{
	int err;

	memset(d, 0, sizeof(*d));
	vdev_init(&d->v);
	d->frame = frame;
	d->bar_size = bar_size;
	d->v.fd = memfd_create("mdpy-bench", 0);
	if (d->v.fd < 0)
		return -errno;
	if (ftruncate(d->v.fd, bar_size))
		goto fail;
	d->map = mmap(NULL, bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      d->v.fd, 0);
	if (d->map == MAP_FAILED)
		goto fail;
	return 0;
fail:
	err = -errno;
	dev_close(d);
	return err;
}

uint64_t bar_size_for(const struct vtype *t)
{
	uint64_t need = (uint64_t)t->width * t->height * 4, size = 4096;

	while (size < need)
		size <<= 1;
	return size;
}

/* ------------------------------------------------------------ operations */

static size_t io_size;
static int plane_ok;

typedef int (*op_fn)(struct dev *d);

/* The next io_size bytes of a walk over the frame, read or written */
static inline int rw_step(struct dev *d, int write)
{
	off_t pos;
	ssize_t n;

	if (d->pos + io_size > d->frame)
		d->pos = 0;
	pos = d->bar_off + d->pos;
	n = write ? pwrite(d->v.fd, buf, io_size, pos) :
		    pread(d->v.fd, buf, io_size, pos);
	if (n != (ssize_t)io_size)
		return n < 0 ? -errno : -EIO;
	d->pos += io_size;
	return 0;
}

static int op_pread(struct dev *d)
{
	return rw_step(d, 0);
}

static int op_pwrite(struct dev *d)
{
	return rw_step(d, 1);
}

int op_mmap_read(struct dev *d)
{
	memcpy(buf, d->map, d->frame);
	__asm__ __volatile__("" ::: "memory");
	return 0;
}

int op_mmap_write(struct dev *d)
{
	memcpy(d->map, buf, d->frame);
	__asm__ __volatile__("" ::: "memory");
	return 0;
}

/* A fresh mapping read once: page-fault cost included */
static int op_mmap_fresh(struct dev *d)
{
	void *m = mmap(NULL, d->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       d->v.fd, d->bar_off);

	if (m == MAP_FAILED)
		return -errno;
	memcpy(buf, m, d->frame);
	__asm__ __volatile__("" ::: "memory");
	munmap(m, d->bar_size);
	return 0;
}

static int op_cfg_pread(struct dev *d)
{
	uint32_t v;

	ssize_t n = pread(d->v.fd, &v, 4, d->cfg_off);

	if (n != 4)
		return n < 0 ? -errno : -EIO;
	return 0;
}

static int op_plane(struct dev *d)
{
	struct vfio_device_gfx_plane_info p;

	/* what QEMU's region display asks on every refresh */
	memset(&p, 0, sizeof(p));
	p.argsz = sizeof(p);
	p.flags = VFIO_GFX_PLANE_TYPE_REGION;
	if (ioctl(d->v.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p))
		return -errno;
	plane_ok = p.width == vtypes[IO_TYPE].width &&
		   p.height == vtypes[IO_TYPE].height;
	return 0;
}

static int op_getppid(struct dev *d)
{
	(void)d;
	syscall(SYS_getppid);
	return 0;
}

/* Run @fn in chunks until at least @min_ns passed; returns ns, sets *ops */
static double run_for(op_fn fn, struct dev *d, unsigned long chunk,
		      double min_ns, unsigned long *ops, int *err)
{
	double t0 = now_ns(), t;
	unsigned long i, n = 0;

	do {
		for (i = 0; i < chunk; i++) {
			*err = fn(d);
			if (*err)
				return 0;
		}
		n += chunk;
		t = now_ns() - t0;
	} while (t < min_ns);
	*ops = n;
	return t;
}

static unsigned long chunk_for(double one_ns)
{
	unsigned long chunk = one_ns > 0 ? (unsigned long)(2e6 / one_ns) : 1000;

	return chunk < 1 ? 1 : chunk > 100000 ? 100000 : chunk;
}

/*
 * One metric on one or more subjects: warm up, pick a chunk of operations
 * worth ~2 ms, then time opt_reps repetitions of at least min_rep_ns each,
 * alternating between the subjects so a change in the host's load hits
 * them alike.  @bytes per operation gives MB/s (1e6 bytes/s); 0 gives
 * microseconds per operation.  With @rel, each repetition also times an
 * empty syscall right after the operation and records the ratio as
 * METRIC_rel: latencies compared across module loads are judged on that,
 * which cancels the load other work puts on the host meanwhile.
 */
static void measure_x(const char *metric, struct subject *sub, int ns,
		      op_fn fn, size_t bytes, int rel)
{
	double vals[4][MAX_REPS], rels[4][MAX_REPS], t0, t, one, tr;
	unsigned long chunk[4], rchunk = 1, n, nr;
	int failed[4] = { 0 };
	char relname[64];
	unsigned int r;
	int j, err = 0;

	if (rel) {
		t0 = now_ns();
		op_getppid(NULL);
		rchunk = chunk_for(now_ns() - t0);
	}
	for (j = 0; j < ns && j < 4; j++) {
		sub[j].d->pos = 0;
		t0 = now_ns();
		err = fn(sub[j].d);
		one = now_ns() - t0;
		if (err) {
			error_result(metric, sub[j].tgt, "operation failed", -err);
			failed[j] = 1;
		}
		chunk[j] = chunk_for(one);
	}
	for (r = 0; r < opt_reps; r++) {
		for (j = 0; j < ns && j < 4; j++) {
			if (failed[j])
				continue;
			t = run_for(fn, sub[j].d, chunk[j], min_rep_ns, &n, &err);
			if (err) {
				error_result(metric, sub[j].tgt, "operation failed", -err);
				failed[j] = 1;
				continue;
			}
			vals[j][r] = bytes ? (double)bytes * n / t * 1e3 : t / n / 1e3;
			if (rel) {
				tr = run_for(op_getppid, NULL, rchunk, min_rep_ns / 2,
					     &nr, &err);
				rels[j][r] = (t / n) / (tr / nr);
			}
		}
	}
	snprintf(relname, sizeof(relname), "%s_rel", metric);
	for (j = 0; j < ns && j < 4; j++) {
		if (failed[j])
			continue;
		acc_add(metric, sub[j].tgt, bytes ? "MB/s" : "us", vals[j], opt_reps);
		if (rel)
			acc_add(relname, sub[j].tgt, "x getppid", rels[j], opt_reps);
	}
}

static void measure(const char *metric, struct subject *sub, int ns,
		    op_fn fn, size_t bytes)
{
	measure_x(metric, sub, ns, fn, bytes, 0);
}

static const size_t io_sizes[NIO] = { 4, 64, 4096, 65536, 0 /* frame */ };
const char *const io_names[NIO] = { "4", "64", "4k", "64k", "frame" };

/*
 * Throughput and latency on opened BARs of mdpy-hd geometry; several
 * subjects (ours and the memfd) are measured interleaved.
 */
void io_suite(struct subject *sub, int ns)
{
	struct subject mdevs[4];
	int j, nm = 0;
	uint64_t frame = sub[0].d->frame;
	char m[48];
	unsigned int i;

	for (j = 0; j < ns; j++) {
		tap_diag("%s: pread/pwrite/mmap/config/plane", tname[sub[j].tgt]);
		if (sub[j].d->is_mdev)
			mdevs[nm++] = sub[j];
	}
	/* before anything touched the BAR: reads of the power-on picture */
	io_size = frame;
	measure("pread_frame_untouched", sub, ns, op_pread, frame);

	/* now every page of the frame exists, as in a running guest */
	memset(buf, 0x5a, sub[0].d->bar_size);
	for (j = 0; j < ns; j++) {
		sub[j].d->pos = 0;
		if (op_pwrite(sub[j].d))
			tap_diag("%s: warm-up write failed", tname[sub[j].tgt]);
		op_mmap_write(sub[j].d);
	}

	for (i = 0; i < NIO; i++) {
		io_size = io_sizes[i] ? io_sizes[i] : frame;
		snprintf(m, sizeof(m), "pread_%s", io_names[i]);
		measure(m, sub, ns, op_pread, io_size);
		snprintf(m, sizeof(m), "pwrite_%s", io_names[i]);
		measure(m, sub, ns, op_pwrite, io_size);
	}
	measure("mmap_read", sub, ns, op_mmap_read, frame);
	measure("mmap_write", sub, ns, op_mmap_write, frame);
	measure("mmap_fresh_read", sub, ns, op_mmap_fresh, frame);
	/* on a memfd: the limit for a 4-byte trapped read is a 4-byte file read */
	measure_x("cfg_pread4", sub, ns, op_cfg_pread, 0, 1);
	if (nm) {
		plane_ok = 0;
		measure_x("plane_query", mdevs, nm, op_plane, 0, 1);
		if (!plane_ok)
			tap_diag("plane query did not report %ux%u",
			    vtypes[IO_TYPE].width, vtypes[IO_TYPE].height);
	}
	measure("getppid", sub, ns, op_getppid, 0);
}
