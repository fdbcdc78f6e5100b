// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - the mdev parent, types and instances as an administrator sees
 * them: exact attribute contents, create/remove, available_instances
 * accounting, the count limit, duplicate UUIDs, remove while in use, all
 * types at once, and module unload/reload cycles with parameters.
 *
 * Tests that change the module (unload, parameters) restore the default
 * state in their teardown, so each test starts with mdpy loaded, count=4
 * and no instances.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "harness.h"
#include "mdpy_test.h"
#include "modfix.h"

MDPY_TYPE_VARIANTS(type_variants);

/* "VGA 640x480" etc.: the label the driver gives each type */
static const char *type_label(const struct mdpy_ttype *t)
{
	return !strcmp(t->name, "vga") ? "VGA" : !strcmp(t->name, "xga") ? "XGA" : "HD";
}

static void read_attr(const struct mdpy_ttype *t, const char *attr, char *buf,
		      size_t size)
{
	char path[512];
	int n;

	type_attr(path, sizeof(path), t, attr);
	n = sysfs_read(path, buf, size);
	if (n < 0) {
		ht_diag("read %s: %s", path, ht_errname(-n));
		ht_fail(1);
	}
}

static long total_count(void)
{
	return mdpy_count();
}

/* Every type reports count - live instances. */
static int check_avail_all(long want)
{
	int i, bad = 0;

	for (i = 0; i < 3; i++) {
		long a = avail(&mdpy_ttypes[i]);

		if (a != want) {
			ht_diag("%s available_instances = %ld, want %ld",
				mdpy_ttypes[i].dir, a, want);
			bad++;
		}
	}
	return bad;
}

/* ---- fixture "type": module in default state, no instances ---- */

FIXTURE(type) {
	const struct mdpy_ttype *t;
	char uuids[16][37];
	int n;
};

FIXTURE_SETUP(type)
{
	self->t = variant ? variant->data : &mdpy_ttypes[0];
	ASSERT_RET(mod_ensure_default(), 0);
	ASSERT_EQ(mdev_count(), 0);
}

FIXTURE_TEARDOWN(type)
{
	int i;

	for (i = 0; i < self->n; i++)
		if (mdev_exists(self->uuids[i]))
			mdev_remove(self->uuids[i]);
}

FIXTURE_REGISTER(type, type_variants);

/* ---- fixture "mod" (modfix.h): like "type" but run once; restores the module ---- */

/* ------------------------------------------------------------------ */

TEST_F(mod, parent_and_type_directories)
{
	const char *want[] = { "mdpy-hd", "mdpy-vga", "mdpy-xga" };
	char names[8][256];
	struct dirent *de;
	struct stat st;
	int n = 0, i, j;
	DIR *dir;

	ASSERT_OK(stat(PARENT_DIR, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	dir = opendir(TYPES_DIR);
	ASSERT_TRUE(dir);
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' && n < 8)
			snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	closedir(dir);
	EXPECT_EQ(n, 3);
	for (i = 0; i < 3; i++) {
		int found = 0;

		for (j = 0; j < n; j++)
			found |= !strcmp(names[j], want[i]);
		if (!found) {
			ht_diag("type %s missing", want[i]);
			ht_fail(0);
		}
	}
}

/* The issue asks for no leftover chrdev/class baggage. */
TEST_F(mod, no_chrdev_or_class_baggage)
{
	char line[256];
	FILE *f;

	EXPECT_FALSE(path_exists("/sys/class/mdpy"));
	f = fopen("/proc/devices", "r");
	ASSERT_TRUE(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " mdpy")) {
			ht_diag("/proc/devices has: %s", line);
			ht_fail(0);
		}
	fclose(f);
}

TEST_F(type, attr_name)
{
	char buf[256], want[64];

	read_attr(self->t, "name", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s %ux%u\n", type_label(self->t),
		 self->t->width, self->t->height);
	EXPECT_STR(buf, want);
}

TEST_F(type, attr_description)
{
	char buf[256], want[128];

	read_attr(self->t, "description", buf, sizeof(buf));
	snprintf(want, sizeof(want),
		 "%ux%u XRGB8888 display, %llu KiB framebuffer in a %llu KiB BAR\n",
		 self->t->width, self->t->height,
		 (unsigned long long)fb_size(self->t) / 1024,
		 (unsigned long long)bar_size_for(self->t) / 1024);
	EXPECT_STR(buf, want);
}

TEST_F(type, attr_device_api)
{
	char buf[256];

	read_attr(self->t, "device_api", buf, sizeof(buf));
	EXPECT_STR(buf, "vfio-pci\n");
}

TEST_F(type, attr_available_instances)
{
	char buf[256], want[32];

	read_attr(self->t, "available_instances", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%d\n", DEFAULT_COUNT);
	EXPECT_STR(buf, want);
	EXPECT_EQ(total_count(), DEFAULT_COUNT);
}

TEST_F(type, attr_create_is_write_only)
{
	char path[512], buf[64];

	type_attr(path, sizeof(path), self->t, "create");
	EXPECT_TRUE(path_exists(path));
	/* reading a write-only attribute fails; it must not return data */
	EXPECT_LT(sysfs_read(path, buf, sizeof(buf)), 0);
}

TEST_F(type, create_and_remove)
{
	const char *u = new_uuid(self->uuids, &self->n);
	char path[512], buf[256], link[512], want[64];
	ssize_t len;
	int grp;

	ASSERT_RET(mdev_create(self->t->dir, u), 0);
	EXPECT_TRUE(mdev_exists(u));
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT - 1), 0);

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/vendor/resolution", u);
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%ux%u\n", self->t->width, self->t->height);
	EXPECT_STR(buf, want);

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/mdev_type", u);
	len = readlink(path, link, sizeof(link) - 1);
	ASSERT_GT(len, 0);
	link[len] = 0;
	EXPECT_STR(strrchr(link, '/') + 1, self->t->dir);

	grp = mdev_group(u);
	EXPECT_GE(grp, 0);
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	EXPECT_TRUE(path_exists(path));

	snprintf(path, sizeof(path), TYPES_DIR "/%s/devices/%s", self->t->dir, u);
	EXPECT_TRUE(path_exists(path));
	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", u);
	EXPECT_TRUE(path_exists(path));

	ASSERT_RET(mdev_remove(u), 0);
	EXPECT_FALSE(mdev_exists(u));
	snprintf(path, sizeof(path), TYPES_DIR "/%s/devices/%s", self->t->dir, u);
	EXPECT_FALSE(path_exists(path));
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT), 0);
}

TEST_F(type, create_remove_repeatedly)
{
	char u[37];
	int i;

	for (i = 0; i < 20; i++) {
		uuid_gen(u);
		ASSERT_RET(mdev_create(self->t->dir, u), 0);
		ASSERT_RET(mdev_remove(u), 0);
	}
	/* the same UUID can be reused once removed */
	ASSERT_RET(mdev_create(self->t->dir, u), 0);
	ASSERT_RET(mdev_remove(u), 0);
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT), 0);
}

TEST_F(type, duplicate_uuid)
{
	const char *u = new_uuid(self->uuids, &self->n);
	int i;

	ASSERT_RET(mdev_create(self->t->dir, u), 0);
	EXPECT_RET(mdev_create(self->t->dir, u), -EEXIST);
	/* the same UUID under another type is a duplicate too */
	for (i = 0; i < 3; i++)
		if (&mdpy_ttypes[i] != self->t)
			EXPECT_RET(mdev_create(mdpy_ttypes[i].dir, u), -EEXIST);
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT - 1), 0);
	EXPECT_EQ(mdev_count(), 1);
}

TEST_F(type, malformed_uuid)
{
	EXPECT_RET(mdev_create(self->t->dir, "not-a-uuid"), -EINVAL);
	EXPECT_RET(mdev_create(self->t->dir, "\n"), -EINVAL);
	EXPECT_RET(mdev_create(self->t->dir, "0123456-89ab-4def-8123-456789abcdef"), -EINVAL);
	EXPECT_RET(mdev_create(self->t->dir, "g1234567-89ab-4def-8123-456789abcdef"), -EINVAL);
	EXPECT_EQ(mdev_count(), 0);
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT), 0);
}

/* count instances of this type, then one more fails with EUSERS. */
TEST_F(type, count_limit)
{
	long count = total_count();
	int i;

	for (i = 0; i < count; i++) {
		ASSERT_RET(mdev_create(self->t->dir, new_uuid(self->uuids, &self->n)), 0);
		EXPECT_EQ(check_avail_all(count - i - 1), 0);
	}
	EXPECT_RET(mdev_create(self->t->dir, new_uuid(self->uuids, &self->n)), -EUSERS);
	for (i = 0; i < 3; i++)
		EXPECT_RET(mdev_create(mdpy_ttypes[i].dir, new_uuid(self->uuids, &self->n)),
			   -EUSERS);
	EXPECT_EQ(mdev_count(), count);
	/* freeing one makes room for exactly one */
	ASSERT_RET(mdev_remove(self->uuids[0]), 0);
	EXPECT_EQ(check_avail_all(1), 0);
	EXPECT_RET(mdev_create(self->t->dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(check_avail_all(0), 0);
}

/*
 * Remove while the device fd is open: the remove waits for the user, the
 * device keeps working until closed, and then everything is released.
 */
TEST_F(type, remove_while_open)
{
	const char *u = new_uuid(self->uuids, &self->n);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct remover r;
	char grpdir[64];
	struct vdev d;
	pthread_t th;
	int i;

	ASSERT_RET(mdev_create(self->t->dir, u), 0);
	ASSERT_RET(vdev_open(&d, u), 0);
	snprintf(grpdir, sizeof(grpdir), "/sys/kernel/iommu_groups/%d", d.groupnr);
	remover_init(&r, u);
	ASSERT_EQ(pthread_create(&th, NULL, remover_run, &r), 0);
	usleep(500 * 1000);
	if (r.done) {
		/* allowed only if the device is already unusable */
		ht_diag("remove returned %d while the fd was open", r.ret);
	} else {
		EXPECT_OK(ioctl(d.fd, VFIO_DEVICE_GET_INFO, &info));
	}
	close(d.fd);
	d.fd = -1;
	for (i = 0; i < 1000 && !r.done; i++)
		usleep(10 * 1000);
	ASSERT_TRUE(r.done);
	pthread_join(th, NULL);
	EXPECT_RET(r.ret, 0);
	vdev_close(&d);
	EXPECT_FALSE(mdev_exists(u));
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT), 0);
	/* the emulated IOMMU group goes away with its last user */
	for (i = 0; i < 100 && path_exists(grpdir); i++)
		usleep(10 * 1000);
	EXPECT_FALSE(path_exists(grpdir));
}

/* Instances of all three types at once, each with its own geometry. */
TEST_F(mod, all_types_at_once)
{
	struct vdev d[3];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_RET(mdev_create(mdpy_ttypes[i].dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT - 3), 0);
	for (i = 0; i < 3; i++)
		ASSERT_RET(vdev_open(&d[i], self->uuids[i]), 0);
	for (i = 0; i < 3; i++) {
		struct plane_info p = { .argsz = sizeof(p), .flags = VFIO_GFX_PLANE_TYPE_REGION };
		uint32_t w = 0, h = 0;
		uint8_t px[4] = { 1, 2, 3, 4 };

		EXPECT_RET(display_use(&d[i]), 0);
		EXPECT_OK(ioctl(d[i].fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p));
		EXPECT_EQ(p.width, mdpy_ttypes[i].width);
		EXPECT_EQ(p.height, mdpy_ttypes[i].height);
		EXPECT_RET(cfg_get(&d[i], MDPY_WIDTH_OFFSET, 4, &w), 0);
		EXPECT_RET(cfg_get(&d[i], MDPY_HEIGHT_OFFSET, 4, &h), 0);
		EXPECT_EQ(w, mdpy_ttypes[i].width);
		EXPECT_EQ(h, mdpy_ttypes[i].height);
		EXPECT_GE(d[i].bar.size, fb_size(&mdpy_ttypes[i]));
		/* each instance has its own framebuffer */
		px[0] = (uint8_t)i;
		EXPECT_RET(bar_write(&d[i], 0, px, 4), 0);
	}
	for (i = 0; i < 3; i++) {
		uint8_t px[4];

		EXPECT_RET(bar_read(&d[i], 0, px, 4), 0);
		EXPECT_EQ(px[0], i);
		vdev_close(&d[i]);
	}
}

/* The cap counts instances of every type together. */
TEST_F(mod, count_limit_across_types)
{
	long count = total_count();
	int i;

	for (i = 0; i < count; i++)
		ASSERT_RET(mdev_create(mdpy_ttypes[i % 3].dir, new_uuid(self->uuids, &self->n)), 0);
	for (i = 0; i < 3; i++)
		EXPECT_RET(mdev_create(mdpy_ttypes[i].dir, new_uuid(self->uuids, &self->n)),
			   -EUSERS);
	EXPECT_EQ(check_avail_all(0), 0);
}

struct racer {
	const struct mdpy_ttype *t;
	char uuid[37];
	pthread_barrier_t *bar;
	int ret;
};

static void *race_create(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->bar);
	r->ret = mdev_create(r->t->dir, r->uuid);
	return NULL;
}

/* Concurrent creates: exactly count succeed, the rest get EUSERS. */
TEST_F(mod, concurrent_creates_respect_count)
{
	long count = total_count();
	struct racer r[12];
	pthread_t th[12];
	pthread_barrier_t bar;
	int i, ok = 0, users = 0;

	pthread_barrier_init(&bar, NULL, 12);
	for (i = 0; i < 12; i++) {
		r[i].t = &mdpy_ttypes[i % 3];
		uuid_gen(r[i].uuid);
		r[i].bar = &bar;
		memcpy(self->uuids[self->n++], r[i].uuid, 37);
		ASSERT_EQ(pthread_create(&th[i], NULL, race_create, &r[i]), 0);
	}
	for (i = 0; i < 12; i++) {
		pthread_join(th[i], NULL);
		if (!r[i].ret)
			ok++;
		else if (r[i].ret == -EUSERS)
			users++;
		else
			ht_diag("create %d: %s", i, ht_errname(-r[i].ret));
	}
	EXPECT_EQ(ok, count);
	EXPECT_EQ(users, 12 - count);
	EXPECT_EQ(mdev_count(), count);
	EXPECT_EQ(check_avail_all(0), 0);
	pthread_barrier_destroy(&bar);
}

/* ---- module life cycle ---- */

TEST_F(mod, unload_reload_cycles)
{
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_RET(mod_unload(), 0);
		EXPECT_FALSE(path_exists(PARENT_DIR));
		EXPECT_FALSE(path_exists("/sys/module/" MODULE_NAME));
		ASSERT_RET(mod_load(NULL), 0);
		EXPECT_TRUE(path_exists(PARENT_DIR));
		EXPECT_EQ(check_avail_all(DEFAULT_COUNT), 0);
	}
	/* the device works after the cycles */
	ASSERT_RET(mdev_create(mdpy_ttypes[0].dir, new_uuid(self->uuids, &self->n)), 0);
	{
		struct vdev d;

		ASSERT_RET(vdev_open(&d, self->uuids[0]), 0);
		EXPECT_EQ(d.cfg.size, CFG_SIZE);
		vdev_close(&d);
	}
}

/*
 * Unload with instances that nobody has open: the module goes and takes
 * its instances with it (nothing left on the mdev bus); a reload starts
 * from scratch.
 */
TEST_F(mod, unload_with_instances)
{
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_RET(mdev_create(mdpy_ttypes[i].dir, new_uuid(self->uuids, &self->n)), 0);
	ASSERT_RET(mod_unload(), 0);
	EXPECT_FALSE(path_exists(PARENT_DIR));
	for (i = 0; i < 3; i++)
		EXPECT_FALSE(mdev_exists(self->uuids[i]));
	ASSERT_RET(mod_load(NULL), 0);
	EXPECT_EQ(mdev_count(), 0);
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT), 0);
	for (i = 0; i < 3; i++)
		EXPECT_FALSE(mdev_exists(self->uuids[i]));
}

/* While a device fd is open the module is in use: rmmod is refused. */
TEST_F(mod, unload_refused_while_fd_open)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vdev d;
	int ret;

	ASSERT_RET(mdev_create(mdpy_ttypes[1].dir, new_uuid(self->uuids, &self->n)), 0);
	ASSERT_RET(vdev_open(&d, self->uuids[0]), 0);
	ret = mod_unload();
	if (ret != -EAGAIN && ret != -EBUSY) {
		ht_diag("delete_module with an open device: %d (%s), want EWOULDBLOCK or EBUSY",
			ret, ht_errname(-ret));
		ht_fail(0);
	}
	EXPECT_TRUE(path_exists(PARENT_DIR));
	EXPECT_TRUE(mdev_exists(self->uuids[0]));
	EXPECT_OK(ioctl(d.fd, VFIO_DEVICE_GET_INFO, &info));
	vdev_close(&d);
	EXPECT_RET(mod_unload(), 0);
	EXPECT_FALSE(mdev_exists(self->uuids[0]));
}

TEST_F(mod, param_count_2)
{
	int i;

	ASSERT_RET(mod_unload(), 0);
	ASSERT_RET(mod_load("count=2"), 0);
	EXPECT_EQ(mdpy_count(), 2);
	EXPECT_EQ(check_avail_all(2), 0);
	ASSERT_RET(mdev_create(mdpy_ttypes[0].dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(check_avail_all(1), 0);
	ASSERT_RET(mdev_create(mdpy_ttypes[2].dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(check_avail_all(0), 0);
	for (i = 0; i < 3; i++)
		EXPECT_RET(mdev_create(mdpy_ttypes[i].dir, new_uuid(self->uuids, &self->n)),
			   -EUSERS);
}

TEST_F(mod, param_count_1)
{
	ASSERT_RET(mod_unload(), 0);
	ASSERT_RET(mod_load("count=1"), 0);
	EXPECT_EQ(check_avail_all(1), 0);
	ASSERT_RET(mdev_create(mdpy_ttypes[1].dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_RET(mdev_create(mdpy_ttypes[1].dir, new_uuid(self->uuids, &self->n)), -EUSERS);
	EXPECT_EQ(check_avail_all(0), 0);
}

TEST_F(mod, param_count_large)
{
	int i;

	ASSERT_RET(mod_unload(), 0);
	ASSERT_RET(mod_load("count=16 budget_mb=1024"), 0);
	EXPECT_EQ(check_avail_all(16), 0);
	for (i = 0; i < 16; i++)
		ASSERT_RET(mdev_create(mdpy_ttypes[i % 3].dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(check_avail_all(0), 0);
	for (i = 0; i < 16; i++)
		ASSERT_RET(mdev_remove(self->uuids[i]), 0);
	EXPECT_EQ(check_avail_all(16), 0);
}

/* Nonsensical counts refuse to load; the module is then absent. */
TEST_F(mod, param_count_nonsense_refused)
{
	static const struct { const char *arg; int err; } bad[] = {
		{ "count=0", EINVAL },		/* the driver's range check */
		{ "count=4097", EINVAL },
		{ "count=-1", EINVAL },		/* not a uint: the kernel's parser */
		{ "count=abc", EINVAL },
		{ "count=99999999999", ERANGE },
	};
	unsigned int i;

	ASSERT_RET(mod_unload(), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = mod_load(bad[i].arg);

		if (ret != -bad[i].err) {
			ht_diag("load with %s: %d (%s), want %s", bad[i].arg, ret,
				ht_errname(-ret), ht_errname(bad[i].err));
			ht_fail(0);
			if (!ret)
				mod_unload();
		}
		EXPECT_FALSE(path_exists(PARENT_DIR));
	}
	/* and the boundary value loads (with a budget that holds 4096) */
	EXPECT_RET(mod_load("count=4096 budget_mb=65536"), 0);
	EXPECT_EQ(check_avail_all(4096), 0);
}

/*
 * A mapping keeps the device in use even after its fd is closed: remove
 * must wait for the munmap (never free the framebuffer under a live
 * mapping), and pages not yet faulted in must still fault in meanwhile.
 */
TEST_F(type, remove_while_mapped)
{
	const char *u = new_uuid(self->uuids, &self->n);
	struct remover r;
	volatile uint8_t *map;
	uint64_t size, off;
	struct vdev d;
	pthread_t th;
	int i;

	ASSERT_RET(mdev_create(self->t->dir, u), 0);
	ASSERT_RET(vdev_open(&d, u), 0);
	size = d.bar.size;
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd,
		   (off_t)d.bar.offset);
	ASSERT_MAPPED(map);
	map[0] = 0x42;			/* only the first page is faulted in */
	vdev_close(&d);
	remover_init(&r, u);
	ASSERT_EQ(pthread_create(&th, NULL, remover_run, &r), 0);
	usleep(500 * 1000);
	EXPECT_FALSE(r.done);
	if (!r.done) {
		for (off = PAGE_SZ; off < size; off += PAGE_SZ)
			map[off] = (uint8_t)off;
		EXPECT_EQ(map[0], 0x42);
	}
	munmap((void *)map, size);
	for (i = 0; i < 1000 && !r.done; i++)
		usleep(10 * 1000);
	ASSERT_TRUE(r.done);
	pthread_join(th, NULL);
	EXPECT_RET(r.ret, 0);
	EXPECT_FALSE(mdev_exists(u));
	EXPECT_EQ(check_avail_all(DEFAULT_COUNT), 0);
}

/* ---- memory budget: each instance reserves its whole BAR at create ---- */

static long parent_long(const char *attr)
{
	char path[256];
	long v = -1;

	snprintf(path, sizeof(path), PARENT_DIR "/%s", attr);
	if (sysfs_read_long(path, &v))
		return -1;
	return v;
}

/* The spec's bound on one instance's reservation: BAR0, 8 bytes a page, state */
static int cost_plausible(long reserved, const struct mdpy_ttype *t, int n)
{
	long bar = (long)bar_size_for(t);
	long lo = n * (bar + bar / 4096 * 8), hi = n * (bar + bar / 4096 * 8 + 65536);

	if (reserved < lo || reserved > hi) {
		ht_diag("reserved_bytes %ld for %d %s, want %ld..%ld", reserved, n,
			t->dir, lo, hi);
		return 0;
	}
	return 1;
}

/* Default: half of RAM; reserved and held are 0 without instances */
TEST_F(mod, budget_default_is_half_of_ram)
{
	long mem_kib = 0, budget = parent_long("budget_bytes");
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	ASSERT_TRUE(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %ld kB", &mem_kib) == 1)
			break;
	fclose(f);
	/* MiB granularity, and MemTotal hides a little of totalram */
	EXPECT_GE(budget, mem_kib * 1024 / 2 - (16L << 20));
	EXPECT_LE(budget, mem_kib * 1024 / 2 + (1L << 20));
	EXPECT_EQ(parent_long("reserved_bytes"), 0);
	EXPECT_EQ(parent_long("held_bytes"), 0);
}

/*
 * A 20 MiB budget holds two mdpy-hd (8 MiB BAR each) but not a third: the
 * third create fails with ENOSPC and a log line, available_instances says
 * 0 for hd beforehand, and a remove makes room again.
 */
TEST_F(mod, budget_refuses_create)
{
	const struct mdpy_ttype *hd = &mdpy_ttypes[2], *vga = &mdpy_ttypes[0];
	const char *u3;

	ASSERT_RET(mod_unload(), 0);
	ASSERT_RET(mod_load("count=16 budget_mb=20"), 0);
	EXPECT_EQ(parent_long("budget_bytes"), 20L << 20);
	EXPECT_EQ(avail(hd), 2);
	EXPECT_EQ(avail(vga), 9);	/* 2 MiB BAR + page table + state */
	ASSERT_RET(mdev_create(hd->dir, new_uuid(self->uuids, &self->n)), 0);
	ASSERT_RET(mdev_create(hd->dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_TRUE(cost_plausible(parent_long("reserved_bytes"), hd, 2));
	EXPECT_EQ(avail(hd), 0);
	EXPECT_EQ(avail(vga), 1);
	u3 = new_uuid(self->uuids, &self->n);
	EXPECT_RET(mdev_create(hd->dir, u3), -ENOSPC);
	EXPECT_FALSE(mdev_exists(u3));
	EXPECT_TRUE(klog_has("mdpy", "budget", "hd"));
	/* the refused create left nothing behind */
	EXPECT_TRUE(cost_plausible(parent_long("reserved_bytes"), hd, 2));
	EXPECT_EQ(mdev_count(), 2);
	ASSERT_RET(mdev_remove(self->uuids[0]), 0);
	EXPECT_EQ(avail(hd), 1);
	EXPECT_RET(mdev_create(hd->dir, u3), 0);
}

/* budget_mb can be read and changed at run time; nonsense is refused */
TEST_F(mod, budget_adjustable_in_sysfs)
{
	const struct mdpy_ttype *hd = &mdpy_ttypes[2];
	char buf[64];

	ASSERT_RET(mdev_create(hd->dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(avail(hd), DEFAULT_COUNT - 1);
	/* lower than what exists: existing instances stay, new ones do not fit */
	ASSERT_RET(sysfs_write(BUDGET_PARAM, "4"), 0);
	ASSERT_GT(sysfs_read(BUDGET_PARAM, buf, sizeof(buf)), 0);
	EXPECT_STR(buf, "4\n");
	EXPECT_EQ(parent_long("budget_bytes"), 4L << 20);
	EXPECT_EQ(check_avail_all(0), 0);
	EXPECT_RET(mdev_create(mdpy_ttypes[0].dir, new_uuid(self->uuids, &self->n)), -ENOSPC);
	EXPECT_TRUE(mdev_exists(self->uuids[0]));
	/* nonsense leaves the value alone */
	EXPECT_RET(sysfs_write(BUDGET_PARAM, "abc"), -EINVAL);
	EXPECT_RET(sysfs_write(BUDGET_PARAM, "-1"), -EINVAL);
	EXPECT_RET(sysfs_write(BUDGET_PARAM, "99999999999"), -EINVAL);
	EXPECT_EQ(parent_long("budget_bytes"), 4L << 20);
	ASSERT_RET(sysfs_write(BUDGET_PARAM, "4096"), 0);
	EXPECT_EQ(avail(hd), DEFAULT_COUNT - 1);
	EXPECT_RET(mdev_create(hd->dir, new_uuid(self->uuids, &self->n)), 0);
	/* 0 is the default again */
	ASSERT_RET(sysfs_write(BUDGET_PARAM, "0"), 0);
	EXPECT_GT(parent_long("budget_bytes"), 64L << 20);
}

/* Load-time nonsense refuses the load */
TEST_F(mod, budget_param_nonsense_refused)
{
	ASSERT_RET(mod_unload(), 0);
	EXPECT_RET(mod_load("budget_mb=abc"), -EINVAL);
	EXPECT_FALSE(path_exists(PARENT_DIR));
	EXPECT_RET(mod_load("budget_mb=99999999999"), -EINVAL);
	EXPECT_FALSE(path_exists(PARENT_DIR));
	EXPECT_RET(mod_load("budget_mb=64"), 0);
	EXPECT_EQ(parent_long("budget_bytes"), 64L << 20);
}

HARNESS_MAIN
