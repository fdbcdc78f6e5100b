// SPDX-License-Identifier: GPL-2.0
/*
 * bar.c - BAR0 (the framebuffer) data integrity: pread/pwrite against mmap,
 * sub-range mappings, persistence across reopen, the power-on picture and
 * reset, and concurrent access from several threads.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "mdpy_test.h"
#include "devfix.h"

static void *map_bar(struct vdev *d, uint64_t off, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, d->fd, (off_t)(d->bar.offset + off));
}

TEST_F(dev, region_info)
{
	struct vfio_region_info *ri = &self->d.bar;

	EXPECT_EQ(ri->index, VFIO_PCI_BAR0_REGION_INDEX);
	EXPECT_EQ(ri->flags, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP);
	EXPECT_GE(ri->size, fb_size(self->t));
	EXPECT_EQ(ri->size & (ri->size - 1), 0);
	EXPECT_EQ(ri->offset % PAGE_SZ, 0);
	/* the regions must not overlap in the device file */
	EXPECT_TRUE(ri->offset + ri->size <= self->d.cfg.offset ||
		    self->d.cfg.offset + self->d.cfg.size <= ri->offset);
}

/* The instance's vendor/resident_bytes, or -1 */
static long resident(const char *uuid)
{
	char path[256];
	long v;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vendor/resident_bytes", uuid);
	return sysfs_read_long(path, &v) ? -1 : v;
}

/* The driver-wide held_bytes on the parent, or -1 */
static long held(void)
{
	long v;

	return sysfs_read_long("/sys/class/mdev_bus/mdpy/held_bytes", &v) ? -1 : v;
}

/*
 * From v6.10 a read fault of a page never written maps the picture page
 * that every instance of the type shares, and the instance holds nothing
 * for it; before, it allocates the instance's own page.
 */
static int shares_picture(void)
{
	return kernel_at_least(6, 10);
}

/* One byte of the power-on picture at BAR offset @off */
static uint8_t initial_byte(const struct mdpy_ttype *t, uint64_t off)
{
	uint8_t b;

	initial_bytes(t, off, &b, 1);
	return b;
}

/*
 * Framebuffer pages appear on first touch and only then: reads of untouched
 * bytes (fd or mmap) return the power-on picture, an fd write or an mmap
 * fault brings in exactly one page, reset keeps the pages but restores the
 * picture.  Page 2, 4 and 6 are in the visible frame for every type.
 */
TEST_F(dev, first_touch_accounting)
{
	const uint64_t pw = 2 * PAGE_SZ, pr = 4 * PAGE_SZ, pm = 6 * PAGE_SZ;
	uint64_t size = self->d.bar.size;
	volatile uint8_t *map;
	uint8_t *all, b = 0xa5;
	long h0, own, extra;

	EXPECT_EQ(resident(self->uuid), 0);
	h0 = held();
	EXPECT_TRUE(h0 > 0 && h0 < 64 * 1024);	/* struct + page table only */

	/* a whole-BAR read through the fd allocates nothing */
	all = bar_read_all(&self->d);
	ASSERT_TRUE(all);
	free(all);
	EXPECT_EQ(resident(self->uuid), 0);

	/* an fd write brings in the page it lands on */
	ASSERT_RET(bar_write(&self->d, pw + 7, &b, 1), 0);
	EXPECT_EQ(resident(self->uuid), PAGE_SZ);
	EXPECT_EQ(held(), h0 + PAGE_SZ);

	/*
	 * an mmap read fault maps the type's shared picture page (v6.10 on)
	 * or brings in a page of the instance's own filled with the picture
	 */
	own = shares_picture() ? 1 : 2;
	map = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(map);
	EXPECT_EQ(map[pr + 3], initial_byte(self->t, pr + 3));
	EXPECT_EQ(resident(self->uuid), own * PAGE_SZ);

	/* an mmap write fault brings in one more; the fd sees the byte */
	map[pm + 1] = 0x5a;
	EXPECT_EQ(resident(self->uuid), (own + 1) * PAGE_SZ);
	ASSERT_RET(bar_read(&self->d, pm + 1, &b, 1), 0);
	EXPECT_EQ(b, 0x5a);
	EXPECT_EQ(map[pw + 7], 0xa5);

	/* reset: the picture is back everywhere, the pages stay */
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(map[pw + 7], initial_byte(self->t, pw + 7));
	EXPECT_EQ(map[pm + 1], initial_byte(self->t, pm + 1));
	ASSERT_RET(bar_read(&self->d, pw + 7, &b, 1), 0);
	EXPECT_EQ(b, initial_byte(self->t, pw + 7));
	EXPECT_EQ(resident(self->uuid), (own + 1) * PAGE_SZ);
	/* and the shared picture's page, unless another instance made it */
	extra = held() - h0 - (own + 1) * PAGE_SZ;
	EXPECT_TRUE(extra == 0 || (own == 1 && extra == PAGE_SZ));
	munmap((void *)map, size);

	/* with the last instance gone, the driver holds nothing */
	vdev_close(&self->d);
	EXPECT_RET(mdev_remove(self->uuid), 0);
	self->created = 0;
	if (mdev_count() == 0)
		EXPECT_EQ(held(), 0);
}

TEST_F(dev, initial_picture)
{
	uint64_t size = self->d.bar.size, fbs = fb_size(self->t);
	uint8_t *got, *want;
	uint64_t i;

	got = bar_read_all(&self->d);
	ASSERT_TRUE(got);
	want = initial_picture(self->t, size);
	ASSERT_TRUE(want);
	EXPECT_MEMEQ(got, want, fbs);
	for (i = fbs; i < size; i++)
		if (got[i]) {
			ht_diag("BAR byte 0x%llx past the frame = 0x%02x, want 0",
				(unsigned long long)i, got[i]);
			ht_fail(0);
			break;
		}
	/* spot checks that name pixels: top-left, last row, last pixel */
	EXPECT_EQ(*(uint32_t *)got, initial_pixel(self->t, 0));
	EXPECT_EQ(*(uint32_t *)(got + fbs - 4), initial_pixel(self->t, self->t->height - 1));
	free(got);
	free(want);
}

/*
 * The same picture read in pieces of odd sizes at odd offsets: the driver
 * copies runs of one colour from a pattern, on the stack for short reads
 * and in a page for long ones, at any phase of a pixel.
 */
TEST_F(dev, initial_picture_in_odd_pieces)
{
	static const size_t sizes[] = { 1, 3, 6, 255, 257, 4093, 9001 };
	uint64_t size = self->d.bar.size, off = 0;
	uint8_t *got, *want;
	unsigned int k = 0;

	got = malloc(size);
	want = initial_picture(self->t, size);
	ASSERT_TRUE(got && want);
	while (off < size) {
		size_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];

		if (n > size - off)
			n = size - off;
		ASSERT_RET(bar_read(&self->d, off, got + off, n), 0);
		off += n;
	}
	EXPECT_MEMEQ(got, want, size);
	EXPECT_EQ(resident(self->uuid), 0);
	free(got);
	free(want);
}

TEST_F(dev, initial_picture_through_mmap)
{
	uint64_t size = self->d.bar.size;
	uint8_t *map, *want;

	map = map_bar(&self->d, 0, size, PROT_READ);
	ASSERT_MAPPED(map);
	want = initial_picture(self->t, size);
	ASSERT_TRUE(want);
	EXPECT_MEMEQ(map, want, size);
	munmap(map, size);
	free(want);
}

/*
 * A display shown but not drawn on: two mappings read the whole frame,
 * and from v6.10 the instance holds no page for it (the type's shared
 * picture).  Every way of writing a page then reaches every mapping: an
 * fd write, a write through the other mapping, a write through the same
 * one, and only that page becomes the instance's own.  Another instance
 * of the type, showing the same shared pages, sees none of it.
 */
TEST_F(dev, shown_picture_follows_writes)
{
	static const struct { uint64_t off; uint8_t val; } w[] = {
		{ 1 * PAGE_SZ + 5, 0x11 },	/* through the fd */
		{ 3 * PAGE_SZ + 6, 0x22 },	/* through the second mapping */
		{ 5 * PAGE_SZ + 7, 0x33 },	/* through the first */
	};
	uint64_t size = self->d.bar.size, fbs = fb_size(self->t);
	long shown = (long)((fbs + PAGE_SZ - 1) / PAGE_SZ * PAGE_SZ);
	volatile uint8_t *m1, *m2, *o;
	struct vdev other;
	char ouuid[37];
	uint8_t *want, b;
	unsigned int i;

	want = initial_picture(self->t, size);
	ASSERT_TRUE(want);
	m1 = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(m1);
	m2 = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(m2);
	EXPECT_MEMEQ((uint8_t *)m1, want, fbs);
	EXPECT_MEMEQ((uint8_t *)m2, want, fbs);
	EXPECT_EQ(resident(self->uuid), shares_picture() ? 0 : shown);

	ASSERT_RET(bar_write(&self->d, w[0].off, &w[0].val, 1), 0);
	m2[w[1].off] = w[1].val;
	m1[w[2].off] = w[2].val;
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(m1[w[i].off], w[i].val);
		EXPECT_EQ(m2[w[i].off], w[i].val);
		ASSERT_RET(bar_read(&self->d, w[i].off, &b, 1), 0);
		EXPECT_EQ(b, w[i].val);
		/* the rest of the page is still the picture */
		EXPECT_EQ(m1[w[i].off + 1], want[w[i].off + 1]);
		EXPECT_EQ(m2[w[i].off - 1], want[w[i].off - 1]);
	}
	EXPECT_EQ(resident(self->uuid), shares_picture() ? 3 * (long)PAGE_SZ : shown);

	/* a second instance of the type still shows the picture */
	vdev_init(&other);
	uuid_gen(ouuid);
	ASSERT_RET(mdev_create(self->t->dir, ouuid), 0);
	if (vdev_open(&other, ouuid) == 0) {
		o = map_bar(&other, 0, size, PROT_READ);
		EXPECT_MAPPED(o);
		if (o != MAP_FAILED) {
			EXPECT_MEMEQ((uint8_t *)o, want, fbs);
			munmap((void *)o, size);
		}
		vdev_close(&other);
	} else {
		ht_fail(0);
	}
	EXPECT_RET(mdev_remove(ouuid), 0);

	/* and a reset brings the picture back to both mappings */
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(m1[w[i].off], want[w[i].off]);
		EXPECT_EQ(m2[w[i].off], want[w[i].off]);
	}
	munmap((void *)m1, size);
	munmap((void *)m2, size);
	free(want);
}

/* Random pwrites (sizes 1..64K, any alignment) then compare mmap and pread. */
TEST_F(dev, pwrite_random_then_mmap_compare)
{
	uint64_t size = self->d.bar.size;
	uint8_t *shadow, *map, *got, buf[65536];
	int i;

	shadow = bar_read_all(&self->d);
	ASSERT_TRUE(shadow);
	for (i = 0; i < 300; i++) {
		size_t len = 1 + rand64() % (i % 3 ? 64 : sizeof(buf));
		uint64_t off = rand64() % (size - len + 1);

		if (i % 50 == 7)
			off = size - len;	/* flush with the end */
		rand_fill(buf, len);
		ASSERT_RET(bar_write(&self->d, off, buf, len), 0);
		memcpy(shadow + off, buf, len);
	}
	map = map_bar(&self->d, 0, size, PROT_READ);
	ASSERT_MAPPED(map);
	EXPECT_MEMEQ(map, shadow, size);
	got = bar_read_all(&self->d);
	ASSERT_TRUE(got);
	EXPECT_MEMEQ(got, shadow, size);
	munmap(map, size);
	free(got);
	free(shadow);
}

/* Writes through a mapping, then reads of random ranges through the fd. */
TEST_F(dev, mmap_write_then_pread)
{
	uint64_t size = self->d.bar.size;
	uint8_t *map, buf[8192];
	int i;

	map = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(map);
	rand_fill(map, size);
	for (i = 0; i < 300; i++) {
		size_t len = 1 + rand64() % sizeof(buf);
		uint64_t off = rand64() % (size - len + 1);

		ASSERT_RET(bar_read(&self->d, off, buf, len), 0);
		if (memcmp(buf, map + off, len)) {
			ht_diag("pread of %zu at 0x%llx differs from the mapping",
				len, (unsigned long long)off);
			ht_fail(1);
		}
	}
	/* and a pwrite shows in the live mapping at once */
	memset(buf, 0x3c, 100);
	ASSERT_RET(bar_write(&self->d, 12345, buf, 100), 0);
	EXPECT_MEMEQ(map + 12345, buf, 100);
	munmap(map, size);
}

/* Mappings of page ranges at page offsets alias the same bytes. */
TEST_F(dev, sub_range_mmaps)
{
	uint64_t size = self->d.bar.size, npages = size / PAGE_SZ;
	uint8_t *full, *sub, *buf;
	int i;

	full = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(full);
	rand_fill(full, size);
	for (i = 0; i < 40; i++) {
		uint64_t pg = rand64() % npages;
		uint64_t n = 1 + rand64() % (npages - pg < 16 ? npages - pg : 16);
		uint64_t off = pg * PAGE_SZ, len = n * PAGE_SZ;

		if (i == 0) {
			pg = npages - 1;	/* the very last page */
			n = 1;
			off = pg * PAGE_SZ;
			len = PAGE_SZ;
		}
		sub = map_bar(&self->d, off, len, PROT_READ | PROT_WRITE);
		if (sub == MAP_FAILED) {
			ht_diag("mmap of %llu pages at page %llu: %s",
				(unsigned long long)n, (unsigned long long)pg,
				ht_errname(errno));
			ht_fail(1);
		}
		EXPECT_MEMEQ(sub, full + off, len);
		/* a write through the sub-mapping lands at off in all views */
		rand_fill(sub + len / 2, 16);
		EXPECT_MEMEQ(full + off + len / 2, sub + len / 2, 16);
		buf = malloc(len);
		ASSERT_TRUE(buf);
		ASSERT_RET(bar_read(&self->d, off, buf, len), 0);
		EXPECT_MEMEQ(buf, sub, len);
		free(buf);
		munmap(sub, len);
	}
	munmap(full, size);
}

/*
 * Every new user gets a clean device, as vfio-pci resets on first open and
 * after last close: what the previous user drew, and its config writes, are
 * gone, and the pages it touched go back to the system.
 */
/* Whole BAR and config space as a new user must find them; 0 if so */
static int differs_from_power_on(struct vdev *d, const uint8_t *picture_want,
				 const uint8_t *cfg_want)
{
	uint8_t *bar = bar_read_all(d), cfg[CFG_SIZE];
	int bad = !bar || memcmp(bar, picture_want, d->bar.size);

	if (bad)
		ht_diag("BAR0 is not the power-on picture");
	if (cfg_dump(d, cfg) || memcmp(cfg, cfg_want, CFG_SIZE)) {
		ht_diag("config space is not the power-on state");
		bad = 1;
	}
	free(bar);
	return bad;
}

TEST_F(dev, new_user_sees_power_on_state)
{
	uint64_t size = self->d.bar.size;
	uint8_t *want, *map;
	long h0 = held();

	want = initial_picture(self->t, size);
	ASSERT_TRUE(want);
	map = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(map);
	rand_fill(map, size);
	munmap(map, size);
	ASSERT_RET(cfg_put(&self->d, 0x04, 2, 0x6), 0);
	ASSERT_RET(cfg_put(&self->d, 0x10, 4, 0xfe000000), 0);
	ASSERT_RET(cfg_put(&self->d, 0x3c, 1, 0x0b), 0);
	EXPECT_EQ(resident(self->uuid), (long)size);

	/* device fd only (the group stays open) */
	ASSERT_RET(vdev_reopen_fd(&self->d, self->uuid), 0);
	EXPECT_EQ(resident(self->uuid), 0);
	EXPECT_EQ(held(), h0);
	EXPECT_FALSE(differs_from_power_on(&self->d, want, self->cfg0));

	/* the whole container/group/device stack, after an fd write */
	ASSERT_RET(bar_write(&self->d, 0, "\x01\x02\x03\x04", 4), 0);
	ASSERT_RET(cfg_put(&self->d, 0x04, 2, 0x2), 0);
	vdev_close(&self->d);
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_FALSE(differs_from_power_on(&self->d, want, self->cfg0));
	EXPECT_EQ(resident(self->uuid), 0);
	free(want);
}

/* ---- memory cgroups: pages are charged to the task that touches them ---- */

#define CG_ROOT	"/sys/fs/cgroup"
#define CG_TEST	CG_ROOT "/mdpy-test"

static int cg_setup(void)
{
	char buf[256];

	if (sysfs_read(CG_ROOT "/cgroup.controllers", buf, sizeof(buf)) < 0) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL) && errno != EBUSY)
			return -errno;
		if (sysfs_read(CG_ROOT "/cgroup.controllers", buf, sizeof(buf)) < 0)
			return -ENOENT;
	}
	if (!strstr(buf, "memory"))
		return -EOPNOTSUPP;
	sysfs_write(CG_ROOT "/cgroup.subtree_control", "+memory");
	rmdir(CG_TEST);
	if (mkdir(CG_TEST, 0755))
		return -errno;
	return 0;
}

static long cg_long(const char *file, const char *key)
{
	char path[128], buf[4096], *p;
	long v = -1;

	snprintf(path, sizeof(path), CG_TEST "/%s", file);
	if (sysfs_read(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!key)
		return strtol(buf, NULL, 10);
	p = strstr(buf, key);
	if (p)
		v = strtol(p + strlen(key) + 1, NULL, 10);
	return v;
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/*
 * In the child, inside the cgroup: touch @pages pages through the mapping
 * (exit 0), or, with memory.max too low, see SIGBUS on a mapping touch
 * and ENOMEM on an fd write (exit 0); anything else exits non-zero.
 */
/* The SIGBUS handler's stack, faulted in before any limit bites */
static uint8_t bus_stack[64 * 1024];

static int child_touch(const char *uuid, int pages, int expect_fail)
{
	struct sigaction sa = { .sa_handler = on_sigbus, .sa_flags = SA_ONSTACK };
	stack_t ss = { .ss_sp = bus_stack, .ss_size = sizeof(bus_stack) };
	volatile uint8_t *map;
	volatile int i;
	struct vdev d;
	uint8_t b = 1;
	int ret;

	/*
	 * At memory.max only the driver's page allocation may fail (SIGBUS).
	 * Any other charge there, a signal frame on a new stack page or a
	 * page table for the next 2 MiB of the mapping, would call the OOM
	 * killer instead: so the signal stack is touched now, and the last
	 * page of the range is touched first, which with the first page's
	 * touch allocates every page table the range needs while there is
	 * room.
	 */
	memset(bus_stack, 0, sizeof(bus_stack));
	if (sigaltstack(&ss, NULL))
		return 17;
	if (sysfs_write(CG_TEST "/cgroup.procs", "0"))
		return 10;
	if (vdev_open(&d, uuid))
		return 11;
	map = map_bar(&d, 0, d.bar.size, PROT_READ | PROT_WRITE);
	if (map == MAP_FAILED)
		return 12;
	sigaction(SIGBUS, &sa, NULL);
	if (!sigsetjmp(bus_jmp, 1))
		map[(size_t)(pages - 1) * PAGE_SZ] = 0x42;
	for (i = 0; i < pages; i++) {
		if (sigsetjmp(bus_jmp, 1)) {
			if (!expect_fail)
				return 13;
			/*
			 * And the fd path says ENOMEM.  Reclaim may have made a
			 * little room meanwhile, so write page after page until
			 * the limit is hit again.
			 */
			for (i++; i < pages; i++) {
				ret = bar_write(&d, (uint64_t)i * PAGE_SZ, &b, 1);
				if (ret)
					return ret == -ENOMEM ? 0 : 16;
			}
			return 14;
		}
		map[(size_t)i * PAGE_SZ] = 0x42;
	}
	return expect_fail ? 15 : 0;
}

static int run_child(const char *uuid, int pages, int expect_fail)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_touch(uuid, pages, expect_fail));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * memory.current of the group grows by the pages its task touches; with
 * memory.max below what a touch needs, the touch fails cleanly (SIGBUS,
 * ENOMEM), nothing is OOM-killed, and the device stays usable.
 */
TEST_F(dev, memcg_charge_and_limit)
{
	long before, after, oom_kills;
	const int pages = 256;	/* 1 MiB: inside every type's frame */
	char max[32];
	int ret;

	ret = cg_setup();
	if (ret == -EOPNOTSUPP || ret == -ENOENT)
		SKIP("no cgroup v2 memory controller in this kernel");
	ASSERT_RET(ret, 0);
	/* the test's own fd closes first: a child is the only user */
	vdev_close(&self->d);

	before = cg_long("memory.current", NULL);
	ASSERT_RET(run_child(self->uuid, pages, 0), 0);
	/*
	 * The child was the last user: its pages were freed and uncharged
	 * when it exited (what stays are a few of its kernel objects).
	 */
	after = cg_long("memory.current", NULL);
	ht_diag("memory.current %ld -> %ld after a child touched %d pages and exited",
		before, after, pages);
	EXPECT_LT(after, before + (long)pages * (long)PAGE_SZ / 2);
	EXPECT_EQ(resident(self->uuid), 0);

	/* measure while the child holds them: a holder process that waits */
	{
		int pfd[2], go[2], status;
		pid_t pid;
		char c;

		ASSERT_OK(pipe(pfd));
		ASSERT_OK(pipe(go));
		pid = fork();
		if (pid == 0) {
			struct vdev d;
			volatile uint8_t *map;
			int i;

			if (sysfs_write(CG_TEST "/cgroup.procs", "0") ||
			    vdev_open(&d, self->uuid))
				_exit(1);
			map = map_bar(&d, 0, d.bar.size, PROT_READ | PROT_WRITE);
			if (map == MAP_FAILED)
				_exit(2);
			for (i = 0; i < pages; i++)
				map[(size_t)i * PAGE_SZ] = 1;
			if (write(pfd[1], "t", 1) != 1 || read(go[0], &c, 1) != 1)
				_exit(3);
			_exit(0);
		}
		ASSERT_GT(pid, 0);
		ASSERT_EQ(read(pfd[0], &c, 1), 1);
		after = cg_long("memory.current", NULL);
		ht_diag("memory.current while held: %ld (+%ld)", after, after - before);
		EXPECT_GE(after - before, (long)pages * (long)PAGE_SZ);
		EXPECT_EQ(resident(self->uuid), (long)pages * (long)PAGE_SZ);
		ASSERT_EQ(write(go[1], "g", 1), 1);
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		close(pfd[0]);
		close(pfd[1]);
		close(go[0]);
		close(go[1]);
	}
	EXPECT_EQ(resident(self->uuid), 0);

	/* a limit just above what the group holds now: the touches must fail */
	before = cg_long("memory.current", NULL);
	snprintf(max, sizeof(max), "%ld", before + 256 * 1024);
	ASSERT_RET(sysfs_write(CG_TEST "/memory.max", max), 0);
	oom_kills = cg_long("memory.events", "oom_kill");
	EXPECT_RET(run_child(self->uuid, pages, 1), 0);
	EXPECT_EQ(cg_long("memory.events", "oom_kill"), oom_kills);
	EXPECT_TRUE(klog_has("mdpy", "no memory for a framebuffer page", NULL));
	ASSERT_RET(sysfs_write(CG_TEST "/memory.max", "max"), 0);

	/* the device is fine: a new user draws and reads back */
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	ASSERT_RET(bar_write(&self->d, 4096, "\x11\x22", 2), 0);
	{
		uint8_t b[2] = { 0 };

		ASSERT_RET(bar_read(&self->d, 4096, b, 2), 0);
		EXPECT_EQ(b[0], 0x11);
		EXPECT_EQ(b[1], 0x22);
	}
	rmdir(CG_TEST);
}

/* A mapping outlives the fd it came from and still aliases the BAR. */
TEST_F(dev, mapping_outlives_fd)
{
	uint64_t size = self->d.bar.size;
	uint8_t *map, buf[64];

	map = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(map);
	ASSERT_RET(vdev_reopen_fd(&self->d, self->uuid), 0);
	memset(map + size - 64, 0x77, 64);
	ASSERT_RET(bar_read(&self->d, size - 64, buf, 64), 0);
	EXPECT_MEMEQ(buf, map + size - 64, 64);
	munmap(map, size);
}

TEST_F(dev, reset_restores_picture)
{
	uint64_t size = self->d.bar.size;
	uint8_t *first, *map, *got, *want;

	first = bar_read_all(&self->d);
	ASSERT_TRUE(first);
	map = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(map);
	rand_fill(map, size);
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	/* what was read right after create, whatever the pattern */
	got = bar_read_all(&self->d);
	ASSERT_TRUE(got);
	EXPECT_MEMEQ(got, first, size);
	/* the documented pattern */
	want = initial_picture(self->t, size);
	ASSERT_TRUE(want);
	EXPECT_MEMEQ(got, want, size);
	/* an existing mapping sees the reset contents, not stale pages */
	EXPECT_MEMEQ(map, want, size);
	munmap(map, size);
	free(first);
	free(got);
	free(want);
}

TEST_F(dev, reset_restores_bar_tail_and_config)
{
	uint64_t size = self->d.bar.size, fbs = fb_size(self->t);
	uint8_t buf[4096], zero[4096] = { 0 }, cfg[CFG_SIZE];

	if (size - fbs < 16)
		SKIP("no BAR padding past the frame for this type");
	memset(buf, 0xee, sizeof(buf));
	ASSERT_RET(bar_write(&self->d, size - 16, buf, 16), 0);
	ASSERT_RET(bar_write(&self->d, fbs, buf, 16), 0);
	ASSERT_RET(cfg_put(&self->d, 0x04, 2, 0x6), 0);
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	ASSERT_RET(bar_read(&self->d, size - 16, buf, 16), 0);
	EXPECT_MEMEQ(buf, zero, 16);
	ASSERT_RET(bar_read(&self->d, fbs, buf, 16), 0);
	EXPECT_MEMEQ(buf, zero, 16);
	ASSERT_RET(cfg_dump(&self->d, cfg), 0);
	EXPECT_MEMEQ(cfg, self->cfg0, CFG_SIZE);
}

/* Unaligned small accesses land exactly where asked (no offset dropping). */
TEST_F(dev, small_accesses_land_at_offset)
{
	uint64_t size = self->d.bar.size;
	static const uint64_t offs[] = { 0, 1, 2, 3, 5, 4095, 4096, 4097, 65535 };
	uint8_t b, *map;
	unsigned int i;

	map = map_bar(&self->d, 0, size, PROT_READ | PROT_WRITE);
	ASSERT_MAPPED(map);
	memset(map, 0, size);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		b = (uint8_t)(0x10 + i);
		ASSERT_RET(bar_write(&self->d, offs[i], &b, 1), 0);
	}
	b = 0x99;
	ASSERT_RET(bar_write(&self->d, size - 1, &b, 1), 0);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		EXPECT_EQ(map[offs[i]], 0x10 + i);
	EXPECT_EQ(map[size - 1], 0x99);
	EXPECT_EQ(map[6], 0);
	EXPECT_EQ(map[4098], 0);
	EXPECT_EQ(map[size - 2], 0);
	munmap(map, size);
}

/*
 * Concurrency: writer threads own disjoint stripes and verify them while
 * other threads read, query the plane, touch config and reset-free ioctls.
 */
struct worker {
	struct vdev *d;
	uint64_t off, len;
	int id, errors;
	volatile int *stop;
};

static void *stripe_writer(void *arg)
{
	struct worker *w = arg;
	uint8_t *buf = malloc(w->len), *got = malloc(w->len);
	int round;

	if (!buf || !got) {
		w->errors++;
		return NULL;
	}
	for (round = 0; round < 30; round++) {
		uint64_t o = rand64() % w->len;
		uint64_t n = 1 + rand64() % (w->len - o);

		memset(buf, (w->id << 4) | (round & 0xf), n);
		if (bar_write(w->d, w->off + o, buf, n) ||
		    bar_read(w->d, w->off + o, got, n) || memcmp(buf, got, n))
			w->errors++;
	}
	free(buf);
	free(got);
	return NULL;
}

static void *noise(void *arg)
{
	struct worker *w = arg;
	struct vfio_region_info ri;
	struct plane_info pl;
	uint32_t v;
	uint8_t b[256];

	while (!*w->stop) {
		memset(&pl, 0, sizeof(pl));
		pl.argsz = sizeof(pl);
		pl.flags = VFIO_GFX_PLANE_TYPE_REGION;
		if (ioctl(w->d->fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pl))
			w->errors++;
		if (region_info(w->d->fd, 0, &ri))
			w->errors++;
		if (cfg_get(w->d, 0, 4, &v) || v != 0x000f1b36)
			w->errors++;
		if (cfg_put(w->d, 0x3c, 1, w->id))
			w->errors++;
		if (pread(w->d->fd, b, sizeof(b), w->d->cfg.offset) != sizeof(b))
			w->errors++;
	}
	return NULL;
}

TEST_F(dev, concurrent_access)
{
	uint64_t size = self->d.bar.size;
	struct worker w[6];
	pthread_t th[6];
	volatile int stop = 0;
	int i;

	for (i = 0; i < 6; i++) {
		w[i] = (struct worker){ .d = &self->d, .id = i, .stop = &stop,
					.off = i * (size / 4), .len = size / 4 };
		ASSERT_EQ(pthread_create(&th[i], NULL, i < 4 ? stripe_writer : noise,
					 &w[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	stop = 1;
	for (i = 4; i < 6; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(w[i].errors, 0);
}

/* Two device fds of one instance see one framebuffer. */
TEST_F(dev, two_fds_share_data)
{
	uint8_t a[256], b[256];
	int fd2;

	fd2 = ioctl(self->d.group, VFIO_GROUP_GET_DEVICE_FD, self->uuid);
	ASSERT_GE(fd2, 0);
	rand_fill(a, sizeof(a));
	ASSERT_RET(bar_write(&self->d, 4096 + 17, a, sizeof(a)), 0);
	ASSERT_EQ(pread(fd2, b, sizeof(b), (off_t)(self->d.bar.offset + 4096 + 17)),
		  (ssize_t)sizeof(b));
	EXPECT_MEMEQ(a, b, sizeof(a));
	close(fd2);
	/* closing one fd leaves the other working */
	ASSERT_RET(bar_read(&self->d, 4096 + 17, b, sizeof(b)), 0);
	EXPECT_MEMEQ(a, b, sizeof(a));
}

struct churn {
	struct vdev *d;
	volatile int *stop;
	int errors, rounds;
};

static void *churn_reset(void *arg)
{
	struct churn *c = arg;

	while (!*c->stop) {
		if (ioctl(c->d->fd, VFIO_DEVICE_RESET))
			c->errors++;
		c->rounds++;
		usleep(1000);
	}
	return NULL;
}

/* Fresh mappings, faulting in every page, while resets run. */
static void *churn_mmap(void *arg)
{
	struct churn *c = arg;
	uint64_t size = c->d->bar.size, off;
	volatile uint8_t *m;

	while (!*c->stop) {
		m = map_bar(c->d, 0, size, PROT_READ | PROT_WRITE);
		if ((void *)m == MAP_FAILED) {
			c->errors++;
			break;
		}
		for (off = 0; off < size; off += PAGE_SZ)
			m[off] = (uint8_t)(m[off] + 1);
		munmap((void *)m, size);
		c->rounds++;
	}
	return NULL;
}

static void *churn_rw(void *arg)
{
	struct churn *c = arg;
	uint8_t buf[16384];

	while (!*c->stop) {
		uint64_t off = rand64() % (c->d->bar.size - sizeof(buf));

		if (bar_read(c->d, off, buf, sizeof(buf)) ||
		    bar_write(c->d, off, buf, sizeof(buf)))
			c->errors++;
		c->rounds++;
	}
	return NULL;
}

/*
 * Reset, page faults and fd reads/writes at once must neither fail nor
 * oops (the rig checks the kernel log); afterwards one more reset gives
 * back exactly the power-on picture.
 */
TEST_F(dev, concurrent_reset_faults_and_rw)
{
	void *(*fns[4])(void *) = { churn_reset, churn_mmap, churn_rw, churn_mmap };
	uint64_t size = self->d.bar.size;
	struct churn c[4];
	volatile int stop = 0;
	uint8_t *got, *want;
	pthread_t th[4];
	int i;

	for (i = 0; i < 4; i++) {
		c[i] = (struct churn){ .d = &self->d, .stop = &stop };
		ASSERT_EQ(pthread_create(&th[i], NULL, fns[i], &c[i]), 0);
	}
	usleep(1500 * 1000);
	stop = 1;
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(c[i].errors, 0);
		EXPECT_GT(c[i].rounds, 0);
	}
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	got = bar_read_all(&self->d);
	ASSERT_TRUE(got);
	want = initial_picture(self->t, size);
	ASSERT_TRUE(want);
	EXPECT_MEMEQ(got, want, size);
	free(got);
	free(want);
}

HARNESS_MAIN
