// SPDX-License-Identifier: GPL-2.0
/*
 * mdpy-stress: seeded, reproducible stress of mdpy.ko through the VFIO
 * uAPI, run as root in the test VM.  Writes TAP to stdout.
 *
 * First the named cases (huge offsets, every kind of bad user pointer,
 * RESET racing with writes, sysfs remove while another thread is inside
 * read/write/mmap/ioctl, module unload while a fd or a mapping is alive),
 * then rounds of random operations: worker threads over instances of every
 * type, a thread creating and removing other instances, and between rounds
 * a module unload and reload with the kernel log and memory checked.
 *
 * Every operation sequence derives from --seed (printed first), so a
 * failure can be replayed; thread interleavings of course differ.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "ops.h"

#define MOD_COUNT	12	/* instances: 2 per type for workers, churn */

static struct {
	uint64_t seed;
	uint64_t ops;		/* random operations, all rounds together */
	uint64_t cycles;	/* create/remove cycles, all rounds together */
	unsigned int rounds;
	unsigned int threads;
	unsigned int per_type;
	unsigned int races;	/* iterations of the RESET race */
	long mem_tol_kb;	/* MemFree drop tolerated after unload */
	long slab_tol_kb;
	const char *ko;
} opt = {
	.ops = 20000,
	.cycles = 20,
	.rounds = 2,
	.threads = 4,
	.per_type = 2,
	.races = 100,
	.mem_tol_kb = 2048,
	.slab_tol_kb = 1024,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

static int ensure_loaded(void)
{
	int ret;

	if (mod_loaded())
		return 0;
	ret = mod_load(opt.ko, MOD_COUNT);
	if (ret)
		tap_diag("finit_module(%s, count=%d): %s", opt.ko, MOD_COUNT,
		     strerror(-ret));
	return ret;
}

/* Unload, waiting a little for releases still in flight */
static int unload_wait(void)
{
	int i, ret = 0;

	for (i = 0; i < 50; i++) {
		ret = unload_clean();
		if (!ret || (ret != -EAGAIN && ret != -EBUSY))
			return ret;
		msleep(100);
	}
	return ret;
}

/* A fresh instance of @type, opened; 0 or -errno */
static int make_dev(struct rng *r, int type, struct dev *d)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->type = type;
	vdev_init(&d->v);
	uuid_from(r, d->uuid);
	ret = mdev_create(stypes[type].name, d->uuid);
	if (ret) {
		tap_diag("create %s %s: %s", stypes[type].name, d->uuid, strerror(-ret));
		return ret;
	}
	ret = dev_open(d);
	if (ret) {
		tap_diag("open %s %s: %s", stypes[type].name, d->uuid, strerror(-ret));
		mdev_remove(d->uuid);
	}
	return ret;
}

static void init_worker(struct worker *w, const char *name, uint64_t stream,
			struct dev *devs, int ndevs)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
	rng_init(&w->r, opt.seed, stream, 0);
	w->devs = devs;
	w->ndevs = ndevs;
	w->buf = malloc(BUF_SIZE);
	if (!w->buf) {
		perror("malloc");
		exit(2);
	}
	memset(w->buf, 0xc3, BUF_SIZE);
}

static void fini_worker(struct worker *w)
{
	unmap_all(w);
	free(w->buf);
	w->buf = NULL;
}

/* Device still answers as the ABI says: identity intact, reset works */
static int dev_healthy(struct worker *w, struct dev *d)
{
	const struct stype *t = &stypes[d->type];
	uint8_t cfg[CFG_SIZE], want[CFG_SIZE], px[16];
	uint64_t bad0 = w->bad;
	uint64_t offs[3] = { 0, (uint64_t)t->width * 4 * (t->height - 1),
			     d->bar_size - 16 };
	int i, j;

	if (ioctl(d->v.fd, VFIO_DEVICE_RESET))
		bad_result(w, "%s RESET: %s", t->name, strerror(errno));
	if (pread(d->v.fd, cfg, CFG_SIZE, CFG_POS) != CFG_SIZE) {
		bad_result(w, "%s config read: %s", t->name, strerror(errno));
		return 0;
	}
	power_on_cfg(t, want);
	if (memcmp(cfg, want, CFG_SIZE))
		bad_result(w, "%s config after RESET differs from power-on", t->name);
	for (i = 0; i < 3; i++) {
		if (pread(d->v.fd, px, sizeof(px), BAR_POS + offs[i]) != sizeof(px)) {
			bad_result(w, "%s BAR0 read: %s", t->name, strerror(errno));
			continue;
		}
		for (j = 0; j < 16; j++)
			if (px[j] != picture_byte(t, offs[i] + j)) {
				bad_result(w, "%s BAR0 0x%llx after RESET: 0x%02x, want 0x%02x",
					   t->name, (unsigned long long)offs[i] + j,
					   px[j], picture_byte(t, offs[i] + j));
				break;
			}
	}
	return w->bad == bad0;
}

/* ======================================================================
 * Named cases
 * ====================================================================== */

/* Huge and negative-looking offsets, lengths overflowing offset + length */
static void test_huge_offsets(struct rng *r)
{
	struct worker w;
	struct dev d[NTYPES];
	uint64_t n = 0;
	int t, i, ok = 1;

	init_worker(&w, "huge-offsets", 1001, d, 0);
	for (t = 0; t < NTYPES; t++) {
		if (make_dev(r, t, &d[t])) {
			ok = 0;
			continue;
		}
		/* every case of bad_range() many times, both directions */
		for (i = 0; i < 400; i++, n++)
			op_rw_bad_range(&w, &d[t], i & 1);
		for (i = 0; i < 100; i++, n++)
			op_mmap_bad(&w, &d[t]);
		/* region info for absurd indexes */
		for (i = 0; i < 50; i++, n++)
			op_ioctl_bad(&w, &d[t]);
		ok &= dev_healthy(&w, &d[t]);
		dev_close(&d[t]);
		mdev_remove(d[t].uuid);
	}
	tap_result(ok && !w.bad,
		   "huge and negative-looking offsets (near 2^63, 2^64), lengths overflowing offset+length: %llu pread/pwrite/mmap/ioctl refused with EINVAL, devices intact",
		   (unsigned long long)n);
	fini_worker(&w);
}

/* Every user pointer argument of one kind, on every entry point */
static void test_user_pointers(struct rng *r)
{
	struct dev d;
	int kind, t;

	for (kind = 0; kind < P_NKINDS; kind++) {
		struct worker w;
		uint64_t n = 0;
		int ok = 1, i, which, write;

		init_worker(&w, "user-pointers", 2000 + kind, &d, 1);
		for (t = 0; t < NTYPES; t++) {
			if (make_dev(r, t, &d)) {
				ok = 0;
				continue;
			}
			for (i = 0; i < 8; i++) {
				/* config and BAR0, small and page-crossing */
				static const uint64_t pos[] = {
					CFG_POS, CFG_POS + 0x10, BAR_POS,
					BAR_POS + PAGE - 8 };
				static const size_t len[] = { 256, 4, 8192, 16 };
				uint8_t *p;
				ssize_t res;
				size_t l;
				char what[64];

				for (write = 0; write < 2; write++, n++) {
					l = len[i % 4];
					if (kind == P_READONLY && l > PAGE)
						l = PAGE;
					p = bad_ptr(kind, l, &w.r);
					res = write ? pwrite(d.v.fd, p, l, pos[i % 4]) :
						      pread(d.v.fd, p, l, pos[i % 4]);
					snprintf(what, sizeof(what), "%s %s 0x%llx",
						 stypes[t].name,
						 write ? "pwrite" : "pread",
						 (unsigned long long)pos[i % 4]);
					check_bad_ptr_rw(&w, kind, write, res,
							 errno, l, what);
				}
			}
			for (which = 0; which < 5; which++, n++)
				ioctl_bad_ptr(&w, d.v.fd, which, kind);
			ok &= dev_healthy(&w, &d);
			dev_close(&d);
			mdev_remove(d.uuid);
		}
		tap_result(ok && !w.bad,
			   "user pointer %s: %llu pread/pwrite/ioctl calls give EFAULT (read-only source: success), devices intact",
			   ptr_names[kind], (unsigned long long)n);
		fini_worker(&w);
	}
}

/* --- RESET racing with writes through mmap and through the fd ----------- */

struct race {
	struct dev *d;
	uint8_t *map;
	atomic_int stop;
	atomic_ulong writes, errors;
	uint64_t seed;
};

static void *race_mmap_writer(void *arg)
{
	struct race *rc = arg;
	struct rng r;
	sigjmp_buf jb;
	uint64_t words = rc->d->bar_size / 4;

	rng_init(&r, rc->seed, 31, 0);
	if (sigsetjmp(jb, 1)) {
		fault_jb = NULL;
		atomic_fetch_add(&rc->errors, 1);
		tap_diag("reset race: signal writing through the mapping");
		return NULL;
	}
	fault_jb = &jb;
	while (!atomic_load(&rc->stop)) {
		uint64_t at = rnd_below(&r, words), i;

		for (i = 0; i < 64 && at + i < words; i++)
			((volatile uint32_t *)rc->map)[at + i] = (uint32_t)rnd(&r);
		atomic_fetch_add(&rc->writes, 1);
	}
	fault_jb = NULL;
	return NULL;
}

static void *race_fd_writer(void *arg)
{
	struct race *rc = arg;
	uint8_t buf[8192];
	struct rng r;

	rng_init(&r, rc->seed, 32, 0);
	memset(buf, 0x77, sizeof(buf));
	while (!atomic_load(&rc->stop)) {
		uint64_t len = 1 + rnd_below(&r, sizeof(buf));
		uint64_t pos = rnd_below(&r, rc->d->bar_size - len + 1);
		uint8_t cmd = 7;
		ssize_t n = pwrite(rc->d->v.fd, buf, len, BAR_POS + pos);

		if (n != (ssize_t)len) {
			atomic_fetch_add(&rc->errors, 1);
			tap_diag("reset race: pwrite %llu at 0x%llx: %zd (%s)",
			     (unsigned long long)len, (unsigned long long)pos,
			     n, n < 0 ? strerror(errno) : "short");
		}
		/* config writes race with the config reset too */
		if (pwrite(rc->d->v.fd, &cmd, 1, CFG_POS + 4) != 1)
			atomic_fetch_add(&rc->errors, 1);
		atomic_fetch_add(&rc->writes, 1);
	}
	return NULL;
}

static void test_reset_race(struct rng *r)
{
	struct worker w;
	struct race rc;
	struct dev d;
	pthread_t t1, t2;
	uint8_t *buf;
	uint64_t off, resets = 0, mismatch = 0;
	int i, ok = 1, t;

	init_worker(&w, "reset-race", 3000, &d, 1);
	for (t = 0; t < NTYPES; t++) {
		if (make_dev(r, t, &d)) {
			ok = 0;
			continue;
		}
		memset(&rc, 0, sizeof(rc));
		rc.d = &d;
		rc.seed = opt.seed + t;
		rc.map = mmap(NULL, d.bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			      d.v.fd, BAR_POS);
		if (rc.map == MAP_FAILED) {
			tap_diag("reset race: mmap: %s", strerror(errno));
			ok = 0;
			dev_close(&d);
			mdev_remove(d.uuid);
			continue;
		}
		pthread_create(&t1, NULL, race_mmap_writer, &rc);
		pthread_create(&t2, NULL, race_fd_writer, &rc);
		/* at least opt.races resets, and as many writes of each kind */
		for (i = 0; i < (int)opt.races ||
			    atomic_load(&rc.writes) < 2 * opt.races; i++) {
			if (ioctl(d.v.fd, VFIO_DEVICE_RESET)) {
				tap_diag("reset race: RESET: %s", strerror(errno));
				ok = 0;
			}
			resets++;
			if (i % 8 == 0)
				sched_yield();
		}
		atomic_store(&rc.stop, 1);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		if (rc.errors || !rc.writes)
			ok = 0;
		/* quiet now: one more reset must give exactly power-on state */
		ok &= dev_healthy(&w, &d);
		buf = malloc(d.bar_size);
		if (pread(d.v.fd, buf, d.bar_size, BAR_POS) != (ssize_t)d.bar_size) {
			tap_diag("reset race: full BAR read: %s", strerror(errno));
			ok = 0;
		}
		for (off = 0; off < d.bar_size; off++) {
			uint8_t want = picture_byte(&stypes[t], off);

			if (buf[off] != want || rc.map[off] != want) {
				if (!mismatch++)
					tap_diag("reset race: %s byte 0x%llx after the last RESET: fd 0x%02x map 0x%02x, want 0x%02x",
					     stypes[t].name, (unsigned long long)off,
					     buf[off], rc.map[off], want);
			}
		}
		tap_diag("reset race %s: %d resets against %lu writes", stypes[t].name,
		     i, (unsigned long)rc.writes);
		free(buf);
		munmap(rc.map, d.bar_size);
		dev_close(&d);
		mdev_remove(d.uuid);
	}
	tap_result(ok && !mismatch && !w.bad,
		   "RESET racing with writes through mmap and through the fd: %llu resets, no error, exact power-on picture and config after the last one",
		   (unsigned long long)resets);
	fini_worker(&w);
}

/* --- sysfs remove while another thread is inside an operation ----------- */

enum { IN_READ, IN_WRITE, IN_MMAP, IN_IOCTL, IN_NKINDS };
static const char *const in_names[] = { "read", "write", "mmap", "ioctl" };

struct hammer {
	struct dev *d;
	int kind;
	atomic_int stop;
	atomic_ulong ops, errors;
	uint64_t seed;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	struct dev *d = h->d;
	struct rng r;
	uint8_t *buf = malloc(d->bar_size);
	sigjmp_buf jb;

	rng_init(&r, h->seed, 41, h->kind);
	if (sigsetjmp(jb, 1)) {
		fault_jb = NULL;
		tap_diag("remove race: signal in the %s thread", in_names[h->kind]);
		atomic_fetch_add(&h->errors, 1);
		free(buf);
		return NULL;
	}
	fault_jb = &jb;
	while (!atomic_load(&h->stop)) {
		struct vfio_region_info ri = { .argsz = sizeof(ri) };
		uint64_t len = d->bar_size;
		uint8_t *p;
		int ok = 1;

		switch (h->kind) {
		case IN_READ:	/* the whole BAR: long enough to be inside */
			ok = pread(d->v.fd, buf, len, BAR_POS) == (ssize_t)len;
			break;
		case IN_WRITE:
			ok = pwrite(d->v.fd, buf, len, BAR_POS) == (ssize_t)len;
			break;
		case IN_MMAP:
			p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				 d->v.fd, BAR_POS);
			if (p == MAP_FAILED) {
				ok = 0;
				break;
			}
			for (uint64_t o = 0; o < len; o += PAGE * 7)
				p[o]++;
			ok = munmap(p, len) == 0;
			break;
		default:
			ri.index = rnd_below(&r, 9);
			ok = !ioctl(d->v.fd, VFIO_DEVICE_GET_REGION_INFO, &ri) &&
			     !ioctl(d->v.fd, VFIO_DEVICE_RESET);
			break;
		}
		if (!ok) {
			if (!atomic_fetch_add(&h->errors, 1))
				tap_diag("remove race: %s failed while the remove was pending: %s",
				     in_names[h->kind], strerror(errno));
		}
		atomic_fetch_add(&h->ops, 1);
	}
	fault_jb = NULL;
	free(buf);
	return NULL;
}

static int test_remove_during(struct rng *r, int kind)
{
	struct hammer h;
	struct remover *rm = calloc(1, sizeof(*rm));
	struct dev d;
	pthread_t th, tr;
	unsigned long before;
	int ok = 1, waited;

	if (make_dev(r, NTYPES - 1, &d)) {
		tap_result(0, "remove (sysfs) while another thread is inside %s on the same device: setup failed",
			   in_names[kind]);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	h.d = &d;
	h.kind = kind;
	h.seed = opt.seed;
	pthread_create(&th, NULL, hammer_thread, &h);
	while (atomic_load(&h.ops) < 2)
		msleep(5);
	snprintf(rm->uuid, sizeof(rm->uuid), "%s", d.uuid);
	pthread_create(&tr, NULL, remover_run, rm);
	/* the remove must wait for the open fd; the device keeps working */
	msleep(300);
	before = atomic_load(&h.ops);
	msleep(300);
	waited = !atomic_load(&rm->done);
	atomic_store(&h.stop, 1);
	pthread_join(th, NULL);
	if (atomic_load(&h.ops) == before) {
		tap_diag("remove race (%s): no operation completed while the remove was pending",
		     in_names[kind]);
		ok = 0;
	}
	dev_close(&d);
	if (!remover_wait(rm, 60 * 1000)) {
		tap_diag("remove race (%s): remove still blocked 60 s after the last close",
		     in_names[kind]);
		tap_result(0, "remove (sysfs) while another thread is inside %s on the same device: remove never returned",
			   in_names[kind]);
		return 0;	/* rm and tr are left to the blocked write */
	}
	pthread_join(tr, NULL);
	if (rm->ret) {
		tap_diag("remove race (%s): remove: %s", in_names[kind], strerror(-rm->ret));
		ok = 0;
	}
	if (mdev_exists(d.uuid)) {
		tap_diag("remove race (%s): instance still present", in_names[kind]);
		ok = 0;
	}
	if (atomic_load(&h.errors))
		ok = 0;
	tap_result(ok, "remove (sysfs) while another thread is inside %s on the same device: %lu ops during the pending remove, remove %s (%.1fs), instance gone",
		   in_names[kind], atomic_load(&h.ops),
		   waited ? "waited for the close" : "returned while the fd was open",
		   rm->secs);
	free(rm);
	return ok;
}

/* The fd is closed but a mapping keeps the device file alive */
static void test_remove_with_mapping(struct rng *r)
{
	struct remover *rm = calloc(1, sizeof(*rm));
	struct dev d;
	pthread_t tr;
	uint8_t *p;
	uint64_t len;
	volatile int ok = 1;
	int waited, sig, i;
	struct rng tr_r;

	if (make_dev(r, 0, &d)) {
		tap_result(0, "remove (sysfs) while only a mapping is alive: setup failed");
		return;
	}
	len = d.bar_size;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d.v.fd, BAR_POS);
	dev_close(&d);
	if (p == MAP_FAILED) {
		tap_result(0, "remove (sysfs) while only a mapping is alive: mmap: %s",
			   strerror(errno));
		mdev_remove(d.uuid);
		return;
	}
	snprintf(rm->uuid, sizeof(rm->uuid), "%s", d.uuid);
	pthread_create(&tr, NULL, remover_run, rm);
	msleep(400);
	waited = !atomic_load(&rm->done);
	rng_init(&tr_r, opt.seed, 51, 0);
	for (i = 0; i < 64; i++) {
		sig = touch_map(p, len, &tr_r, 1);
		if (sig) {
			tap_diag("remove with mapping: signal %d touching the mapping", sig);
			ok = 0;
			break;
		}
	}
	if (ok) {
		sigjmp_buf jb;

		if (!(sig = sigsetjmp(jb, 1))) {
			fault_jb = &jb;
			memset(p, 0xab, len);
			for (uint64_t o = 0; o < len; o += 4093)
				if (p[o] != 0xab) {
					tap_diag("remove with mapping: byte 0x%llx reads 0x%02x after writing 0xab",
					     (unsigned long long)o, p[o]);
					ok = 0;
					break;
				}
		} else {
			tap_diag("remove with mapping: signal %d writing the mapping", sig);
			ok = 0;
		}
		fault_jb = NULL;
	}
	munmap(p, len);
	if (!remover_wait(rm, 60 * 1000)) {
		tap_result(0, "remove (sysfs) while only a mapping is alive: remove never returned after munmap");
		return;
	}
	pthread_join(tr, NULL);
	ok &= rm->ret == 0 && !mdev_exists(rm->uuid);
	tap_result(ok, "remove (sysfs) while only a mapping is alive (fd closed): mapping stays valid, remove %s, completes after munmap (%.1fs)",
		   waited ? "waits" : "returned early", rm->secs);
	free(rm);
}

/* --- module unload while the device is in use --------------------------- */

static void __attribute__((noreturn)) bail_unloaded(void)
{
	printf("Bail out! the module unloaded while its device was in use\n");
	exit(1);
}

static void test_unload_in_use(struct rng *r)
{
	struct worker w;
	struct dev d;
	uint8_t *p;
	uint64_t len;
	int ret, ok, sig, i;

	init_worker(&w, "unload", 4000, &d, 1);
	if (make_dev(r, 1, &d)) {
		tap_result(0, "module unload while a device fd is open: setup failed");
		fini_worker(&w);
		return;
	}
	ret = mod_unload();
	ok = (ret == -EAGAIN || ret == -EBUSY) && mod_loaded();
	if (!ok)
		tap_diag("delete_module with an open fd: %s (%d), want EWOULDBLOCK or EBUSY",
		     ret ? strerror(-ret) : "unloaded", ret);
	if (ret == 0) {
		tap_result(0, "module unload while a device fd is open: refused (EBUSY/EWOULDBLOCK), device keeps working");
		bail_unloaded();
	}
	ok &= dev_healthy(&w, &d);
	tap_result(ok, "module unload while a device fd is open: refused (%s), device keeps working",
		   strerror(-ret));

	/* now only a mapping holds the device */
	len = d.bar_size;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d.v.fd, BAR_POS);
	if (p == MAP_FAILED) {
		tap_result(0, "module unload while only a mapping is alive: mmap: %s",
			   strerror(errno));
		dev_close(&d);
		fini_worker(&w);
		return;
	}
	memset(p, 0x3c, PAGE);
	dev_close(&d);
	ok = 1;
	for (i = 0; i < 3; i++) {
		ret = mod_unload();
		if (ret == 0) {
			tap_result(0, "module unload while only a mapping is alive: refused");
			bail_unloaded();	/* touching p now would be a use after free */
		}
		ok &= (ret == -EAGAIN || ret == -EBUSY) && mod_loaded();
		sig = touch_map(p, len, &w.r, 1);
		if (sig || p[0] != 0x3c || p[PAGE - 1] != 0x3c) {
			tap_diag("mapping after a refused unload: signal %d, byte 0 0x%02x",
			     sig, sig ? 0 : p[0]);
			ok = 0;
		}
		msleep(50);
	}
	tap_result(ok, "module unload while only a mapping is alive (fds closed): refused (%s), mapping stays valid",
		   strerror(-ret));
	munmap(p, len);
	ret = unload_wait();
	tap_result(ret == 0 && !mod_loaded(),
		   "module unloads once the last mapping is gone (%s)",
		   ret ? strerror(-ret) : "ok");
	fini_worker(&w);
	ensure_loaded();
}

/* ======================================================================
 * Random rounds
 * ====================================================================== */

struct churn {
	struct worker w;
	atomic_int *workers_left;
	uint64_t target, cycles;
};

static void *worker_thread(void *arg)
{
	struct worker *w = arg;

	while (w->ops < w->target)
		worker_step(w);
	unmap_all(w);
	return NULL;
}

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	struct worker *w = &c->w;

	while (c->cycles < c->target || atomic_load(c->workers_left)) {
		struct dev d;
		int type = rnd_below(&w->r, NTYPES), ret, i;

		d.type = type;
		uuid_from(&w->r, d.uuid);
		ret = mdev_create(stypes[type].name, d.uuid);
		if (ret) {
			bad_result(w, "create %s: %s", stypes[type].name, strerror(-ret));
			msleep(10);
			continue;
		}
		if (rnd_below(&w->r, 2)) {
			ret = dev_open(&d);
			if (ret) {
				bad_result(w, "open new %s: %s", stypes[type].name,
					   strerror(-ret));
			} else {
				w->devs = &d;
				w->ndevs = 1;
				for (i = 0; i < 4; i++)
					worker_step(w);
				unmap_all(w);
				dev_close(&d);
			}
		}
		ret = mdev_remove(d.uuid);
		if (ret || mdev_exists(d.uuid))
			bad_result(w, "remove %s: %s", d.uuid, strerror(-ret));
		c->cycles++;
	}
	return NULL;
}

struct totals {
	uint64_t ops, cycles, rw, garbage, mmap, ioctl, reset, open, bad;
	long max_free_drop, max_slab_growth, max_vmalloc_growth;
	unsigned int held_zero, held_nonzero;	/* rounds by held_bytes after remove */
	long max_slab_objs;			/* most objects one cache gained */
	char max_slab_cache[64];
};

static void run_round(struct rng *r, unsigned int round, uint64_t ops,
		      uint64_t cycles, const struct memsnap *base,
		      struct totals *tot)
{
	unsigned int nd = NTYPES * opt.per_type, i;
	struct dev *devs = calloc(nd, sizeof(*devs));
	struct worker *ws = calloc(opt.threads, sizeof(*ws));
	pthread_t *th = calloc(opt.threads, sizeof(*th));
	struct churn ch;
	pthread_t cth;
	atomic_int left = opt.threads;
	uint64_t bad0 = atomic_load(&bad_total), rops = 0, resident = 0;
	static struct memsnap m;
	double t0 = now();
	int ok = 1, ret, logbad;
	char name[32];

	kmsg_mark();
	if (ensure_loaded()) {
		tap_result(0, "round %u: module loads", round);
		goto out;
	}
	for (i = 0; i < nd; i++)
		if (make_dev(r, i % NTYPES, &devs[i])) {
			tap_result(0, "round %u: instances created and opened", round);
			nd = i;
			ok = 0;
			break;
		}
	if (ok) {
		for (i = 0; i < opt.threads; i++) {
			snprintf(name, sizeof(name), "r%u/t%u", round, i);
			init_worker(&ws[i], name, 100000ULL * round + i, devs, nd);
			ws[i].target = ops / opt.threads;
			pthread_create(&th[i], NULL, worker_thread, &ws[i]);
		}
		snprintf(name, sizeof(name), "r%u/churn", round);
		init_worker(&ch.w, name, 100000ULL * round + 999, NULL, 0);
		ch.workers_left = &left;
		ch.target = cycles;
		ch.cycles = 0;
		pthread_create(&cth, NULL, churn_thread, &ch);
		for (i = 0; i < opt.threads; i++) {
			pthread_join(th[i], NULL);
			atomic_fetch_sub(&left, 1);
			rops += ws[i].ops;
			tot->rw += ws[i].n_rw;
			tot->garbage += ws[i].n_garbage;
			tot->mmap += ws[i].n_mmap;
			tot->ioctl += ws[i].n_ioctl;
			tot->reset += ws[i].n_reset;
			tot->open += ws[i].n_open;
		}
		pthread_join(cth, NULL);
		rops += ch.w.ops;
		tot->cycles += ch.cycles;
		fini_worker(&ch.w);
		for (i = 0; i < nd; i++) {
			long res = mdev_attr_long(devs[i].uuid, "vendor/resident_bytes");

			if (res > 0)
				resident += res;
			dev_healthy(&ws[0], &devs[i]);
		}
		for (i = 0; i < opt.threads; i++)
			fini_worker(&ws[i]);
		tot->ops += rops;
		tap_result(atomic_load(&bad_total) == bad0,
			   "round %u: %llu random ops by %u threads on %u instances, %llu create/remove cycles of other instances, %lu unexpected results (%.1fs)",
			   round, (unsigned long long)rops, opt.threads, nd,
			   (unsigned long long)ch.cycles,
			   (unsigned long)(atomic_load(&bad_total) - bad0),
			   now() - t0);
	}
	for (i = 0; i < nd; i++) {
		dev_close(&devs[i]);
		/* odd rounds leave the instances to the module's exit */
		if (round % 2 == 0)
			mdev_remove(devs[i].uuid);
	}
	if (round % 2 == 0) {
		/*
		 * The driver's own byte count of everything it allocated for
		 * devices: exact, so a leak of a single page or struct shows.
		 */
		long held = driver_held_bytes();

		tap_result(held == 0,
			   "round %u: driver holds 0 bytes once every instance is removed (held_bytes %ld; %llu KiB of framebuffers before remove)",
			   round, held, (unsigned long long)resident / 1024);
		if (held != 0)
			tot->held_nonzero++;
		else
			tot->held_zero++;
	}
	ret = unload_wait();
	tap_result(ret == 0, "round %u: module unloads (%s instances still present)",
		   round, round % 2 ? "with" : "without");
	logbad = kmsg_check("round");
	tap_result(!logbad, "round %u: kernel log has no WARNING/BUG/Oops/lockdep/hung-task report (%d bad lines)",
		   round, logbad);
	{
		long dfree = 0, dslab = 0, dvm = 0, dleak = 0, slab_grew;
		char slab_name[64];
		int tries;

		/*
		 * Freed pages and objects reach the counters late (per-cpu
		 * lists, RCU, deferred work): look a few times before calling
		 * the difference a leak.
		 */
		for (tries = 0; tries < 8; tries++) {
			if (tries)
				msleep(500);
			mem_snap(&m);
			/* this process's own pages are not the driver's */
			/* nor is kmemleak's metadata, which it frees late */
			dleak = m.kmemleak_kb - base->kmemleak_kb;
			dfree = base->free_kb + base->pcp_kb -
				(m.free_kb + m.pcp_kb) -
				(m.rss_kb - base->rss_kb) -
				(m.pt_kb - base->pt_kb) - dleak;
			dslab = m.sunreclaim_kb - base->sunreclaim_kb - dleak;
			dvm = m.vmalloc_kb - base->vmalloc_kb;
			if (dfree <= opt.mem_tol_kb && dslab <= opt.slab_tol_kb &&
			    dvm <= opt.slab_tol_kb)
				break;
		}

		if (dfree > opt.mem_tol_kb || dslab > opt.slab_tol_kb ||
		    dvm > opt.slab_tol_kb) {
			tap_diag("round %u: counters that moved since the baseline:", round);
			mem_diff(base, &m);
		}
		slab_grew = slab_max_growth(base->slabinfo, m.slabinfo, slab_name,
					    sizeof(slab_name));
		if (slab_grew > tot->max_slab_objs) {
			tot->max_slab_objs = slab_grew;
			snprintf(tot->max_slab_cache, sizeof(tot->max_slab_cache),
				 "%s", slab_name);
		}
		if (dfree > tot->max_free_drop)
			tot->max_free_drop = dfree;
		if (dslab > tot->max_slab_growth)
			tot->max_slab_growth = dslab;
		if (dvm > tot->max_vmalloc_growth)
			tot->max_vmalloc_growth = dvm;
		tap_result(dfree <= opt.mem_tol_kb && dslab <= opt.slab_tol_kb &&
			   dvm <= opt.slab_tol_kb,
			   "round %u: memory back to baseline after unload: MemFree %+ld KiB (own RSS %+ld, per-cpu free lists %+ld), SUnreclaim %+ld KiB (kmemleak's own %+ld KiB left out of both), VmallocUsed %+ld KiB, largest slab cache growth %+ld objects (%s) (framebuffers held before remove: %llu KiB; tolerance %ld/%ld KiB)",
			   round, -dfree, m.rss_kb - base->rss_kb,
			   m.pcp_kb - base->pcp_kb, dslab, dleak, dvm, slab_grew,
			   slab_name,
			   (unsigned long long)resident / 1024, opt.mem_tol_kb,
			   opt.slab_tol_kb);
	}
out:
	free(devs);
	free(ws);
	free(th);
}

/* ====================================================================== */

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-o OPS] [-c CYCLES] [-r ROUNDS] [-t THREADS]\n"
		"          [-k MDPY_KO] [-R RACES] [-m MEM_TOL_KB]\n"
		"  OPS and CYCLES are totals over all ROUNDS; the module is\n"
		"  loaded from MDPY_KO (default $MDPY_KO) and unloaded between rounds.\n",
		argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	struct totals tot = { 0 };
	static struct memsnap base, m0;
	struct rng r;
	unsigned int round;
	int c, ret, logbad;
	double t0 = now();

	/*
	 * Big buffers straight from mmap and back to the kernel on free, so
	 * the memory check after each unload is not fooled by malloc caching.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024);
	opt.ko = getenv("MDPY_KO");
	if (getrandom(&opt.seed, sizeof(opt.seed), 0) != sizeof(opt.seed))
		opt.seed = (uint64_t)time(NULL);
	while ((c = getopt(argc, argv, "s:o:c:r:t:k:R:m:h")) != -1) {
		switch (c) {
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'o': opt.ops = strtoull(optarg, NULL, 0); break;
		case 'c': opt.cycles = strtoull(optarg, NULL, 0); break;
		case 'r': opt.rounds = strtoul(optarg, NULL, 0); break;
		case 't': opt.threads = strtoul(optarg, NULL, 0); break;
		case 'k': opt.ko = optarg; break;
		case 'R': opt.races = strtoul(optarg, NULL, 0); break;
		case 'm': opt.mem_tol_kb = strtol(optarg, NULL, 0); break;
		default: usage(argv[0]);
		}
	}
	if (!opt.ko || !opt.rounds || !opt.threads)
		usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_style(" - ", "stress");
	tap_version();
	tap_diag("seed 0x%016llx; replay: %s -s 0x%016llx -o %llu -c %llu -r %u -t %u -R %u",
	     (unsigned long long)opt.seed, argv[0],
	     (unsigned long long)opt.seed, (unsigned long long)opt.ops,
	     (unsigned long long)opt.cycles, opt.rounds, opt.threads, opt.races);
	rng_init(&r, opt.seed, 0, 0);
	fault_setup();
	ptr_setup();
	kmsg_mark();

	ret = unload_wait();	/* a clean start, whatever ran before */
	if (ret)
		tap_diag("module left loaded by an earlier suite and busy: %s", strerror(-ret));
	mem_snap(&m0);
	ret = ensure_loaded();
	tap_result(!ret, "module loads from %s with count=%d", opt.ko, MOD_COUNT);
	if (ret) {
		tap_plan_done();
		return 1;
	}

	test_huge_offsets(&r);
	test_user_pointers(&r);
	test_reset_race(&r);
	for (c = 0; c < IN_NKINDS; c++)
		test_remove_during(&r, c);
	test_remove_with_mapping(&r);
	test_unload_in_use(&r);
	logbad = kmsg_check("named cases");
	tap_result(!logbad, "named cases: kernel log has no WARNING/BUG/Oops/lockdep/hung-task report (%d bad lines)",
		   logbad);

	/*
	 * Baseline for leaks: the module loaded once, used and unloaded, so
	 * one-time allocations of vfio/mdev (caches, ids) are already made.
	 */
	ret = unload_wait();
	mem_snap(&base);
	tap_diag("memory baseline after warm-up: MemFree %ld KiB, SUnreclaim %ld KiB, VmallocUsed %ld KiB, own RSS %ld KiB (before any load: MemFree %ld KiB)",
	     base.free_kb, base.sunreclaim_kb, base.vmalloc_kb, base.rss_kb,
	     m0.free_kb);

	for (round = 1; round <= opt.rounds; round++) {
		uint64_t ops = opt.ops / opt.rounds, cyc = opt.cycles / opt.rounds;

		if (round == opt.rounds) {
			ops = opt.ops - ops * (opt.rounds - 1);
			cyc = opt.cycles - cyc * (opt.rounds - 1);
		}
		run_round(&r, round, ops, cyc, &base, &tot);
	}

	tap_diag("totals: %llu random ops (%llu read/write, %llu garbage, %llu mmap/munmap, %llu ioctl, %llu reset, %llu reopen), %llu create/remove cycles, %lu unexpected results, %.0fs",
	     (unsigned long long)tot.ops, (unsigned long long)tot.rw,
	     (unsigned long long)tot.garbage, (unsigned long long)tot.mmap,
	     (unsigned long long)tot.ioctl, (unsigned long long)tot.reset,
	     (unsigned long long)tot.open, (unsigned long long)tot.cycles,
	     (unsigned long)atomic_load(&bad_total), now() - t0);
	tap_diag("largest deltas after unload vs baseline: MemFree -%ld KiB, SUnreclaim %+ld KiB, VmallocUsed %+ld KiB",
	     tot.max_free_drop, tot.max_slab_growth, tot.max_vmalloc_growth);
	tap_diag("driver's held_bytes after all instances were removed: 0 in %u round(s), non-zero in %u",
	     tot.held_zero, tot.held_nonzero);
	tap_diag("largest growth of one slab cache after an unload: %+ld objects (%s)",
	     tot.max_slab_objs, tot.max_slab_cache);
	{
		/* drift over all rounds, for whoever chases a slow leak */
		static struct memsnap end;

		mem_snap(&end);
		tap_diag("counters that moved between the baseline and the end:");
		mem_diff(&base, &end);
	}
	tap_result(tot.ops >= opt.ops && tot.cycles >= opt.cycles,
		   "ran %llu of %llu random ops and %llu of %llu create/remove cycles (seed 0x%016llx)",
		   (unsigned long long)tot.ops, (unsigned long long)opt.ops,
		   (unsigned long long)tot.cycles, (unsigned long long)opt.cycles,
		   (unsigned long long)opt.seed);
	unload_wait();
	tap_plan_done();
	return tap_failed() ? 1 : 0;
}
