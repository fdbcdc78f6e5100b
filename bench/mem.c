// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-bench: instances and memory.  Create/remove latency, what idle,
 * opened, drawn and reset instances hold (by resident_bytes and by the
 * kernel's free memory), and how many mdpy-hd instances fit at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

#include "bench.h"

struct memsnap {
	long free_kib;		/* MemFree + pages on per-cpu lists */
	long shmem_kib;
	long vmalloc_kib;	/* pages backing vmalloc areas */
};

static void snap(struct memsnap *s)
{
	char line[512];
	FILE *f;
	long v;

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "MemFree: %ld", &v) == 1)
				s->free_kib += v;
			else if (sscanf(line, "Shmem: %ld", &v) == 1)
				s->shmem_kib = v;
		}
		fclose(f);
	}
	/* free pages parked on per-cpu lists are not in MemFree */
	f = fopen("/proc/zoneinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " count: %ld", &v) == 1)
				s->free_kib += v * 4;
		fclose(f);
	}
	f = fopen("/proc/vmallocinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, " pages=");

			if (p && sscanf(p, " pages=%ld", &v) == 1)
				s->vmalloc_kib += v * 4;
		}
		fclose(f);
	}
}

/* MemFree + per-cpu free pages, without the cost of walking vmallocinfo */
static long mem_free_kib(void)
{
	char line[256];
	long v, kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemFree: %ld", &v) == 1)
				kib += v;
		fclose(f);
	}
	f = fopen("/proc/zoneinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " count: %ld", &v) == 1)
				kib += v * 4;
		fclose(f);
	}
	return kib;
}

/* Per-instance deltas between two snapshots, in KiB */
static void mem_results(const char *key, int tgt, const struct memsnap *a,
			const struct memsnap *b, unsigned int k, long resident)
{
	char m[48];
	double all = (double)(a->free_kib - b->free_kib) / k;
	double vm = (double)(b->vmalloc_kib - a->vmalloc_kib) / k;
	double sh = (double)(b->shmem_kib - a->shmem_kib) / k;
	double fb;

	/* the framebuffer as each target holds it */
	if (tgt == T_OURS)
		fb = resident >= 0 ? resident / 1024.0 / k : -1;
	else if (tgt == T_SAMPLE)
		fb = vm;
	else
		fb = sh;
	snprintf(m, sizeof(m), "mem_%s_fb", key);
	value_result(m, tgt, "KiB", fb);
	snprintf(m, sizeof(m), "mem_%s_all", key);
	value_result(m, tgt, "KiB", all);
	snprintf(m, sizeof(m), "mem_%s_vmalloc", key);
	value_result(m, tgt, "KiB", vm);
	snprintf(m, sizeof(m), "mem_%s_shmem", key);
	value_result(m, tgt, "KiB", sh);
	if (tgt == T_OURS) {
		long held;

		snprintf(m, sizeof(m), "mem_%s_resident", key);
		value_result(m, tgt, "KiB", resident / 1024.0 / k);
		/* all the driver holds, the type's shared picture included */
		if (!sysfs_read_long(MDPY_PARENT "/held_bytes", &held)) {
			snprintf(m, sizeof(m), "mem_%s_held", key);
			value_result(m, tgt, "KiB", held / 1024.0 / k);
		}
	}
}

static long sum_resident(struct dev *d, unsigned int k)
{
	long sum = 0, v;
	unsigned int i;

	for (i = 0; i < k; i++) {
		v = mdev_attr_long(d[i].uuid, "vendor/resident_bytes");
		if (v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

/*
 * Per type: create/remove latency and idle memory over opt_create_n
 * instances, then opt_mem_k instances opened, read and drawn through mmap.
 */
void type_suite(int tgt, const struct vtype *t, unsigned int tag)
{
	unsigned int n = opt_create_n, k = opt_mem_k, i, made = 0;
	double *cr = calloc(n, sizeof(double)), *rm = calloc(n, sizeof(double));
	struct dev d[16];
	struct memsnap s0, s1;
	char uuid[40], m[64];
	long res = 0;
	int err;

	tap_diag("%s: %s create/remove x%u, memory x%u", tname[tgt], t->name, n, k);
	snap(&s0);
	for (i = 0; i < n; i++) {
		make_uuid(uuid, tag, i);
		err = mdev_create_ns(t->name, uuid, &cr[i]);
		if (err) {
			snprintf(m, sizeof(m), "create_%s", t->key);
			error_result(m, tgt, "create", -err);
			break;
		}
		cr[i] /= 1e3;
		made++;
	}
	snap(&s1);
	for (i = 0; i < made && res >= 0; i++) {
		long v;

		make_uuid(uuid, tag, i);
		v = mdev_attr_long(uuid, "vendor/resident_bytes");
		res = v < 0 ? -1 : res + v;
	}
	if (made == n) {
		snprintf(m, sizeof(m), "%s_idle", t->key);
		mem_results(m, tgt, &s0, &s1, n, res);
	}
	for (i = 0; i < made; i++) {
		make_uuid(uuid, tag, i);
		err = mdev_remove_ns(uuid, &rm[i]);
		if (err) {
			snprintf(m, sizeof(m), "remove_%s", t->key);
			error_result(m, tgt, "remove", -err);
			made = 0;
			break;
		}
		rm[i] /= 1e3;
	}
	if (made == n) {
		snprintf(m, sizeof(m), "create_%s", t->key);
		stats_result(m, tgt, "us", cr, n);
		snprintf(m, sizeof(m), "remove_%s", t->key);
		stats_result(m, tgt, "us", rm, n);
	}
	free(cr);
	free(rm);

	/* touched memory: K instances, opened and mapped like QEMU does */
	if (k > 16)
		k = 16;
	snap(&s0);
	for (i = 0; i < k; i++) {
		make_uuid(uuid, tag + 1, i);
		err = mdev_create(t->name, uuid);
		if (err) {
			snprintf(m, sizeof(m), "mem_%s_read_fb", t->key);
			error_result(m, tgt, "create", -err);
			k = i;
			goto out;
		}
		err = dev_open_mdev(&d[i], uuid,
				    (uint64_t)t->width * t->height * 4);
		if (err) {
			snprintf(m, sizeof(m), "mem_%s_read_fb", t->key);
			error_result(m, tgt, "open", -err);
			mdev_remove(uuid);
			k = i;
			goto out;
		}
	}
	snap(&s1);
	snprintf(m, sizeof(m), "%s_open", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
	for (i = 0; i < k; i++)
		op_mmap_read(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_read", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
	memset(buf, 0xa5, d[0].bar_size);
	for (i = 0; i < k; i++)
		op_mmap_write(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_write", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
	for (i = 0; i < k; i++)
		ioctl(d[i].v.fd, VFIO_DEVICE_RESET);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_reset", t->key);
	mem_results(m, tgt, &s0, &s1, k, tgt == T_OURS ? sum_resident(d, k) : -1);
out:
	for (i = 0; i < k; i++) {
		dev_close(&d[i]);
		mdev_remove(d[i].uuid);
	}
	snap(&s1);
	snprintf(m, sizeof(m), "mem_%s_left_after_remove", t->key);
	value_result(m, tgt, "KiB", (double)(s0.free_kib - s1.free_kib));
}

/* The same memory phases on memfds of each type's BAR size */
void memfd_type_suite(const struct vtype *t)
{
	unsigned int k = opt_mem_k > 16 ? 16 : opt_mem_k, i;
	uint64_t frame = (uint64_t)t->width * t->height * 4;
	struct dev d[16];
	struct memsnap s0, s1;
	char m[48];
	int err;

	tap_diag("memfd: %s-sized memory x%u", t->name, k);
	snap(&s0);
	for (i = 0; i < k; i++) {
		err = dev_open_memfd(&d[i], bar_size_for(t), frame);
		if (err) {
			snprintf(m, sizeof(m), "mem_%s_read_fb", t->key);
			error_result(m, T_MEMFD, "memfd", -err);
			k = i;
			goto out;
		}
	}
	snap(&s1);
	snprintf(m, sizeof(m), "%s_idle", t->key);
	mem_results(m, T_MEMFD, &s0, &s1, k, -1);
	for (i = 0; i < k; i++)
		op_mmap_read(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_read", t->key);
	mem_results(m, T_MEMFD, &s0, &s1, k, -1);
	memset(buf, 0xa5, d[0].bar_size);
	for (i = 0; i < k; i++)
		op_mmap_write(&d[i]);
	snap(&s1);
	snprintf(m, sizeof(m), "%s_write", t->key);
	mem_results(m, T_MEMFD, &s0, &s1, k, -1);
out:
	for (i = 0; i < k; i++)
		dev_close(&d[i]);
}

/* How many idle mdpy-hd instances exist at once (until failure/cap/floor) */
void max_suite(int tgt, unsigned int tag)
{
	const struct vtype *t = &vtypes[IO_TYPE];
	unsigned int i, made = 0;
	char uuid[40], why[96] = "";
	struct result *r;
	struct memsnap s0, s1;
	double t0, secs;
	int err;

	tap_diag("%s: max %s instances (cap %u)", tname[tgt], t->name, opt_cap);
	snap(&s0);
	t0 = now_ns();
	for (i = 0; i < opt_cap; i++) {
		/* never into the OOM killer: room for one more whole BAR */
		if (mem_free_kib() - (long)(bar_size_for(t) / 1024) < MEM_FLOOR_KIB) {
			snprintf(why, sizeof(why),
				 "stopped: MemFree below %d MiB",
				 MEM_FLOOR_KIB / 1024);
			break;
		}
		make_uuid(uuid, tag, i);
		err = mdev_create(t->name, uuid);
		if (err) {
			snprintf(why, sizeof(why), "create %u failed: %s",
				 i + 1, strerror(-err));
			break;
		}
		made++;
	}
	if (!why[0])
		snprintf(why, sizeof(why), "stopped at the cap of %u", opt_cap);
	secs = (now_ns() - t0) / 1e9;
	snap(&s1);
	r = value_result("max_hd", tgt, "instances", made);
	snprintf(r->note, sizeof(r->note), "%s", why);
	value_result("max_hd_kib_each", tgt, "KiB",
		     made ? (double)(s0.free_kib - s1.free_kib) / made : 0);
	value_result("max_hd_create_s", tgt, "s", secs);
	tap_diag("%s: %u instances (%s) in %.1f s", tname[tgt], made, why, secs);
	t0 = now_ns();
	for (i = 0; i < made; i++) {
		make_uuid(uuid, tag, i);
		err = mdev_remove(uuid);
		if (err)
			tap_diag("%s: remove %s: %s", tname[tgt], uuid, strerror(-err));
	}
	value_result("max_hd_remove_s", tgt, "s", (now_ns() - t0) / 1e9);
}
