// SPDX-License-Identifier: GPL-2.0
/*
 * types.c - types added at load with the `types` parameter: their sysfs
 * directories and attributes next to the built-in ones, an instance of one
 * opened through VFIO (vendor capability, BAR0 size, plane, power-on
 * picture), the `count` and budget rules applied to them, and loads with
 * bad lists refused with EINVAL and one kernel log line naming the token.
 *
 * Every test loads the module with its own parameters and leaves it in the
 * default state (loaded, no parameters, no instances) for the next one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "mdpy_test.h"
#include "modfix.h"

#define TYPES_PARAM	"/sys/module/" MODULE_NAME "/parameters/types"
#define VENDOR_CAP	0x40

/* Types the tests add, with the values the spec gives them */
static const struct mdpy_ttype qhd = { "2560x1440", "mdpy-2560x1440", 2560, 1440 };
static const struct mdpy_ttype odd = { "333x7", "mdpy-333x7", 333, 7 };

static void read_str(const struct mdpy_ttype *t, const char *attr, char *buf,
		     size_t size)
{
	char path[512];

	type_attr(path, sizeof(path), t, attr);
	if (sysfs_read(path, buf, size) < 0)
		buf[0] = '\0';
}

/* Type directories under the parent */
static int count_types(void)
{
	DIR *d = opendir(TYPES_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "mdpy-", 5);
	closedir(d);
	return n;
}

/* Reload with @params; the fixture's teardown puts the default back */
static int reload(const char *params)
{
	int ret;

	mdev_remove_all();
	ret = mod_unload();
	if (ret && ret != -ENOENT)
		return ret;
	return mod_load(params);
}

/* ------------------------------------------------------------------ */

/* Without the parameter there are exactly the three built-in types */
TEST_F(mod, default_has_builtin_types_only)
{
	char buf[256];

	EXPECT_EQ(count_types(), 3);
	ASSERT_GT(sysfs_read(TYPES_PARAM, buf, sizeof(buf)), 0);
	EXPECT_STR(buf, "(null)\n");
	EXPECT_FALSE(path_exists(TYPES_DIR "/mdpy-2560x1440"));
}

/* Added types sit next to the built-in ones, with every attribute */
TEST_F(mod, added_types_in_sysfs)
{
	char buf[256], want[256];
	const struct mdpy_ttype *add[] = { &qhd, &odd };
	unsigned int i;

	ASSERT_RET(reload("types=2560x1440,333x7"), 0);
	EXPECT_EQ(count_types(), 5);
	ASSERT_GT(sysfs_read(TYPES_PARAM, buf, sizeof(buf)), 0);
	EXPECT_STR(buf, "2560x1440,333x7\n");
	/* the parameter is read-only once loaded */
	EXPECT_RET(sysfs_write(TYPES_PARAM, "800x600"), -EACCES);
	EXPECT_TRUE(path_exists(TYPES_DIR "/mdpy-vga"));
	EXPECT_TRUE(path_exists(TYPES_DIR "/mdpy-xga"));
	EXPECT_TRUE(path_exists(TYPES_DIR "/mdpy-hd"));
	for (i = 0; i < 2; i++) {
		const struct mdpy_ttype *t = add[i];

		read_str(t, "name", buf, sizeof(buf));
		snprintf(want, sizeof(want), "Custom %ux%u\n", t->width, t->height);
		EXPECT_STR(buf, want);
		read_str(t, "description", buf, sizeof(buf));
		snprintf(want, sizeof(want),
			 "%ux%u XRGB8888 display, %llu KiB framebuffer in a %llu KiB BAR\n",
			 t->width, t->height,
			 (unsigned long long)fb_size(t) / 1024,
			 (unsigned long long)bar_size_for(t) / 1024);
		EXPECT_STR(buf, want);
		read_str(t, "device_api", buf, sizeof(buf));
		EXPECT_STR(buf, "vfio-pci\n");
		EXPECT_EQ(avail(t), DEFAULT_COUNT);
	}
	/* the built-in types are unchanged */
	read_str(&mdpy_ttypes[2], "name", buf, sizeof(buf));
	EXPECT_STR(buf, "HD 1920x1080\n");
}

/*
 * An instance of an added type is a device of that size: resolution
 * attribute, vendor capability, BAR0 region and sizing, plane, and the
 * power-on picture at both ends of the frame.
 */
TEST_F(mod, added_type_instance)
{
	const struct mdpy_ttype *t = &qhd;
	struct plane_info p = { .argsz = PLANE_FULLSZ,
				.flags = VFIO_GFX_PLANE_TYPE_REGION };
	uint64_t bar = bar_size_for(t), stride = (uint64_t)t->width * 4;
	uint8_t got[64], want[64];
	const char *u;
	struct vdev d;
	char path[512], buf[64];
	uint32_t v;

	ASSERT_RET(reload("types=2560x1440"), 0);
	EXPECT_EQ(bar, 16UL << 20);
	u = new_uuid(self->uuids, &self->n);
	ASSERT_RET(mdev_create(t->dir, u), 0);
	EXPECT_EQ(avail(t), DEFAULT_COUNT - 1);
	EXPECT_EQ(avail(&mdpy_ttypes[0]), DEFAULT_COUNT - 1);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vendor/resolution", u);
	ASSERT_GT(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STR(buf, "2560x1440\n");
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/mdev_type/name", u);
	ASSERT_GT(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STR(buf, "Custom 2560x1440\n");

	vdev_init(&d);
	ASSERT_RET(vdev_open(&d, u), 0);
	/* vendor capability: width at +8, height at +0xc */
	EXPECT_RET(cfg_get(&d, VENDOR_CAP + 8, 4, &v), 0);
	EXPECT_EQ(v, t->width);
	EXPECT_RET(cfg_get(&d, VENDOR_CAP + 0xc, 4, &v), 0);
	EXPECT_EQ(v, t->height);
	/* BAR0: region size and the sizing law in config space */
	EXPECT_EQ(d.bar.size, bar);
	EXPECT_TRUE(d.bar.flags & VFIO_REGION_INFO_FLAG_MMAP);
	EXPECT_RET(cfg_put(&d, 0x10, 4, 0xffffffff), 0);
	EXPECT_RET(cfg_get(&d, 0x10, 4, &v), 0);
	EXPECT_EQ(v, (uint32_t)~(bar - 1) | 0x8);
	/* the plane, once the guest uses the display */
	EXPECT_RET(display_use(&d), 0);
	EXPECT_OK(ioctl(d.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p));
	EXPECT_EQ(p.width, t->width);
	EXPECT_EQ(p.height, t->height);
	EXPECT_EQ(p.stride, stride);
	EXPECT_EQ(p.size, fb_size(t));
	EXPECT_EQ(p.region_index, VFIO_PCI_BAR0_REGION_INDEX);
	EXPECT_EQ(p.drm_format, 0x34325258);	/* XRGB8888 */
	/* the power-on picture: first row, last row, padding */
	ASSERT_RET(bar_read(&d, 0, got, sizeof(got)), 0);
	initial_bytes(t, 0, want, sizeof(want));
	EXPECT_MEMEQ(got, want, sizeof(got));
	ASSERT_RET(bar_read(&d, fb_size(t) - 32, got, sizeof(got)), 0);
	initial_bytes(t, fb_size(t) - 32, want, sizeof(want));
	EXPECT_MEMEQ(got, want, sizeof(got));
	EXPECT_NE(want[0], 0);	/* the bottom row is not black */
	vdev_close(&d);

	ASSERT_RET(mdev_remove(u), 0);
	EXPECT_FALSE(mdev_exists(u));
	EXPECT_EQ(avail(t), DEFAULT_COUNT);
}

/* `count` counts added types with the built-in ones */
TEST_F(mod, count_covers_added_types)
{
	ASSERT_RET(reload("types=333x7 count=2"), 0);
	EXPECT_EQ(avail(&odd), 2);
	ASSERT_RET(mdev_create(odd.dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(avail(&odd), 1);
	EXPECT_EQ(avail(&mdpy_ttypes[0]), 1);
	ASSERT_RET(mdev_create(mdpy_ttypes[0].dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(avail(&odd), 0);
	EXPECT_RET(mdev_create(odd.dir, new_uuid(self->uuids, &self->n)), -EUSERS);
	EXPECT_RET(mdev_create(mdpy_ttypes[1].dir, new_uuid(self->uuids, &self->n)),
		   -EUSERS);
}

/*
 * The budget reserves an added type's whole BAR: 40 MiB holds two
 * 2560x1440 instances (16 MiB BAR each) and then no hd (8 MiB), but vga.
 */
TEST_F(mod, budget_covers_added_types)
{
	const struct mdpy_ttype *hd = &mdpy_ttypes[2], *vga = &mdpy_ttypes[0];
	const char *u3;

	ASSERT_RET(reload("types=2560x1440 count=16 budget_mb=40"), 0);
	EXPECT_EQ(avail(&qhd), 2);
	EXPECT_EQ(avail(hd), 4);
	ASSERT_RET(mdev_create(qhd.dir, new_uuid(self->uuids, &self->n)), 0);
	ASSERT_RET(mdev_create(qhd.dir, new_uuid(self->uuids, &self->n)), 0);
	EXPECT_EQ(avail(&qhd), 0);
	EXPECT_EQ(avail(hd), 0);
	EXPECT_EQ(avail(vga), 3);
	u3 = new_uuid(self->uuids, &self->n);
	EXPECT_RET(mdev_create(qhd.dir, u3), -ENOSPC);
	EXPECT_FALSE(mdev_exists(u3));
	EXPECT_TRUE(klog_has("mdpy", "budget", "2560x1440"));
	ASSERT_RET(mdev_remove(self->uuids[0]), 0);
	EXPECT_EQ(avail(&qhd), 1);
	EXPECT_RET(mdev_create(qhd.dir, u3), 0);
}

/* The kernel log line of a refused load, since the mark */
static int refusal_logged(const char *want)
{
	char msg[1024];
	int r;

	while ((r = kmsg_next(msg, sizeof(msg))) > 0) {
		msg[strcspn(msg, "\n")] = '\0';
		if (!strcmp(msg, want))
			return 1;
	}
	return 0;
}

/* A bad list refuses the load with EINVAL and one line naming the token */
TEST_F(mod, bad_lists_refuse_load)
{
	static const struct { const char *arg, *log; } bad[] = {
		{ "types=0x480", "entry 1 \"0x480\": zero width or height" },
		{ "types=800x0", "entry 1 \"800x0\": zero width or height" },
		{ "types=abc", "entry 1 \"abc\": not WIDTHxHEIGHT in decimal" },
		{ "types=800", "entry 1 \"800\": not WIDTHxHEIGHT in decimal" },
		{ "types=800X600", "entry 1 \"800X600\": not WIDTHxHEIGHT in decimal" },
		{ "types=0800x600", "entry 1 \"0800x600\": not WIDTHxHEIGHT in decimal" },
		{ "types=16385x1", "entry 1 \"16385x1\": side over 16384 pixels" },
		{ "types=1x1,8192x8193", "entry 2 \"8192x8193\": BAR0 over 256 MiB" },
		{ "types=1920x1080", "entry 1 \"1920x1080\": same size as a built-in type" },
		{ "types=vga", "entry 1 \"vga\": not WIDTHxHEIGHT in decimal" },
		{ "types=800x600,800x600", "entry 2 \"800x600\": listed twice" },
		{ "types=800x600,", "entry 2 \"\": empty entry" },
		{ "types=,800x600", "entry 1 \"\": empty entry" },
		{ "types=1x1,2x1,3x1,4x1,5x1,6x1,7x1,8x1,9x1,10x1,11x1,12x1,13x1,14x1",
		  "entry 14 \"14x1\": more than 13 added types" },
		{ "types=1234567890123456x1",
		  "entry 1 \"123456789012...\": too long for WIDTHxHEIGHT" },
		/* 15 tokens of 10 characters: longer than any valid list */
		{ "types=10000x1000,10001x1000,10002x1000,10003x1000,10004x1000,10005x1000,10006x1000,10007x1000,10008x1000,10009x1000,10010x1000,10011x1000,10012x1000,10013x1000,10014x1000",
		  "entry 0 \"10000x1000,1...\": list too long" },
	};
	char want[256];
	unsigned int i;
	int ret;

	ASSERT_RET(mod_unload(), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kmsg_mark();
		ret = mod_load(bad[i].arg);
		if (ret != -EINVAL) {
			ht_diag("load with %s: %d (%s), want EINVAL", bad[i].arg,
				ret, ht_errname(-ret));
			ht_fail(0);
			if (!ret)
				mod_unload();
		}
		EXPECT_FALSE(path_exists(PARENT_DIR));
		snprintf(want, sizeof(want), "mdpy: bad types= %s", bad[i].log);
		if (!refusal_logged(want)) {
			ht_diag("no log line \"%s\"", want);
			ht_fail(0);
		}
	}
	/* and the good list loads afterwards */
	EXPECT_RET(mod_load("types=2560x1440"), 0);
	EXPECT_EQ(count_types(), 4);
}

HARNESS_MAIN
