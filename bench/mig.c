// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-bench: live migration of an hd instance.  Stream sizes and the
 * time to save and to restore, idle and fully drawn, and what stop-copy
 * still sends after pre-copy when the guest changed a few pages.  The
 * sample has no migration, so only mdpy is measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"

#define MIG_CHANGED_PAGES	3	/* written between pre-copy and stop */

/* Save @src and restore into @dst, @n times: bytes, save and load ms */
static int mig_rounds(const char *what, struct dev *src, struct dev *dst,
		      unsigned int n)
{
	struct mig_buf s = { 0 };
	double save[MAX_REPS], load[MAX_REPS], t0;
	char m[48];
	unsigned int i;
	int err = 0;

	for (i = 0; i < n; i++) {
		s.len = 0;
		t0 = now_ns();
		err = mig_save(&src->v, &s, 1 << 20);
		save[i] = (now_ns() - t0) / 1e6;
		if (err)
			break;
		t0 = now_ns();
		err = mig_load(&dst->v, s.data, s.len, 1 << 20);
		load[i] = (now_ns() - t0) / 1e6;
		if (err)
			break;
	}
	if (err) {
		snprintf(m, sizeof(m), "mig_hd_%s", what);
		error_result(m, T_OURS, "save/restore", -err);
		free(s.data);
		return err;
	}
	snprintf(m, sizeof(m), "mig_hd_%s_bytes", what);
	value_result(m, T_OURS, "bytes", s.len);
	snprintf(m, sizeof(m), "mig_hd_%s_save", what);
	stats_result(m, T_OURS, "ms", save, n);
	snprintf(m, sizeof(m), "mig_hd_%s_load", what);
	stats_result(m, T_OURS, "ms", load, n);
	free(s.data);
	return 0;
}

/*
 * PRE_COPY until the pause, then a few pages change (through the
 * mapping, as a guest writes), then STOP_COPY: its bytes.
 */
static int mig_precopy(struct dev *src)
{
	struct mig_buf s = { 0 };
	uint64_t mig_flags = 0;
	unsigned int i;
	int dfd = -1, err;
	size_t before;

	err = vfio_feature(src->v.fd, VFIO_DEVICE_FEATURE_GET |
			   MIG_FEATURE_MIGRATION, &mig_flags, sizeof(mig_flags));
	if (err) {
		error_result("mig_hd_stopcopy", T_OURS, "migration flags", -err);
		return err;
	}
	/* Before v6.2 the VFIO core has no PRE_COPY: nothing to measure */
	if (!(mig_flags & MIG_FLAG_PRE_COPY)) {
		tap_diag("ours mig_hd_stopcopy_bytes: n/a, no PRE_COPY in this kernel's VFIO");
		return 0;
	}
	err = mig_set_state(src->v.fd, MIG_ST_PRE_COPY, &dfd);
	if (!err)
		err = mig_read(dfd, &s, 1 << 20) == 1 ? 0 : -EPROTO;
	for (i = 0; !err && i < MIG_CHANGED_PAGES; i++)
		memset((char *)src->map + (64 + 7 * i) * 4096 + 100, 0x40 + i,
		       64);
	if (!err)
		err = mig_set_state(src->v.fd, MIG_ST_STOP_COPY, NULL);
	before = s.len;
	if (!err)
		err = mig_read(dfd, &s, 1 << 20);
	if (dfd >= 0)
		close(dfd);
	mig_set_state(src->v.fd, MIG_ST_RUNNING, NULL);
	if (err)
		error_result("mig_hd_stopcopy", T_OURS, "pre-copy", -err);
	else
		value_result("mig_hd_stopcopy_bytes", T_OURS, "bytes",
			     s.len - before);
	free(s.data);
	return err;
}

void mig_suite(unsigned int tag)
{
	const struct vtype *t = &vtypes[IO_TYPE];
	uint64_t frame = (uint64_t)t->width * t->height * 4;
	char su[40], du[40];
	struct dev src, dst;
	unsigned int n = opt_reps * opt_rounds;
	int err;

	make_uuid(su, tag, 0);
	make_uuid(du, tag, 1);
	err = mdev_create(t->name, su);
	if (!err)
		err = mdev_create(t->name, du);
	if (!err)
		err = dev_open_mdev(&src, su, frame);
	if (!err) {
		err = dev_open_mdev(&dst, du, frame);
		if (err)
			dev_close(&src);
	}
	if (err) {
		error_result("mig_hd", T_OURS, "instances", -err);
		goto out;
	}
	if (!mig_rounds("idle", &src, &dst, n)) {
		/* a whole frame drawn, as a guest would through its mapping */
		memset(src.map, 0x5a, frame);
		mig_rounds("full", &src, &dst, n);
		ioctl(src.v.fd, VFIO_DEVICE_RESET);
		mig_precopy(&src);
	}
	dev_close(&dst);
	dev_close(&src);
out:
	mdev_remove(du);
	mdev_remove(su);
}
