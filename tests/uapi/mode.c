// SPDX-License-Identifier: GPL-2.0
/*
 * mode.c - resolution per instance and guest mode changes: the admin's
 * `vendor/resolution` attribute (set before open, EINVAL for bad values,
 * EBUSY while open), the mode capability a guest programs through config
 * space (changes, each refusal with its status, half-written requests),
 * the plane and the capability at 0x40 agreeing after every step, reset
 * and reopen back to the default, and the mode carried by migration.
 *
 * Expected values come from include/uapi/mdpy.h, not from the driver.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>

#include "harness.h"
#include "mdpy_test.h"

#define RES_ATTR	MDEV_DEVICES "/%s/vendor/resolution"

static const struct mdpy_ttype *hd = &mdpy_ttypes[2];

FIXTURE(inst) {
	char uuid[37];
	char res[256];		/* path of its resolution attribute */
	struct vdev d;
};

FIXTURE_SETUP(inst)
{
	vdev_init(&self->d);
	if (mdev_count() >= mdpy_count())
		mdev_remove_all();
	uuid_gen(self->uuid);
	snprintf(self->res, sizeof(self->res), RES_ATTR, self->uuid);
	ASSERT_RET(mdev_create(hd->dir, self->uuid), 0);
}

FIXTURE_TEARDOWN(inst)
{
	vdev_close(&self->d);
	EXPECT_RET(mdev_remove(self->uuid), 0);
}

FIXTURE_REGISTER(inst, NULL);

/* Width and height as the capability at 0x40 and the plane show them */
struct shown {
	uint32_t cap_w, cap_h;
	uint32_t plane_w, plane_h, stride, size;
};

static int shown(struct vdev *d, struct shown *s)
{
	struct plane_info p = { .argsz = PLANE_MINSZ,
				.flags = VFIO_GFX_PLANE_TYPE_REGION };
	int ret;

	ret = cfg_get(d, MDPY_WIDTH_OFFSET, 4, &s->cap_w);
	if (!ret)
		ret = cfg_get(d, MDPY_HEIGHT_OFFSET, 4, &s->cap_h);
	/* a display not used yet has no plane: use it (scanout.c's rule) */
	if (!ret)
		ret = display_use(d);
	if (ret)
		return ret;
	if (ioctl(d->fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p))
		return -errno;
	s->plane_w = p.width;
	s->plane_h = p.height;
	s->stride = p.stride;
	s->size = p.size;
	return 0;
}

/* Config space and plane agree on @w x @h */
#define EXPECT_MODE(d, w, h) do {					\
	struct shown s_;						\
									\
	ASSERT_RET(shown(d, &s_), 0);					\
	EXPECT_EQ(s_.cap_w, (w));					\
	EXPECT_EQ(s_.cap_h, (h));					\
	EXPECT_EQ(s_.plane_w, (w));					\
	EXPECT_EQ(s_.plane_h, (h));					\
	EXPECT_EQ(s_.stride, (w) * 4);					\
	EXPECT_EQ(s_.size, (w) * (h) * 4);				\
} while (0)

/* What a guest does: request, command, then read the status back */
static uint32_t guest_set(struct vdev *d, uint32_t w, uint32_t h)
{
	uint32_t status = 0xdeadbeef;

	if (cfg_put(d, MDPY_MODECAP_REQ_WIDTH, 4, w) ||
	    cfg_put(d, MDPY_MODECAP_REQ_HEIGHT, 4, h) ||
	    cfg_put(d, MDPY_MODECAP_CTRL, 1, MDPY_MODE_CMD_SET) ||
	    cfg_get(d, MDPY_MODECAP_CTRL, 4, &status))
		return 0xdeadbeef;
	return status;
}

static void read_res(const char *path, char *buf, size_t size)
{
	if (sysfs_read(path, buf, size) < 0)
		snprintf(buf, size, "(unreadable)");
}

TEST_F(inst, resolution_defaults_to_the_type)
{
	char buf[64];

	read_res(self->res, buf, sizeof(buf));
	EXPECT_STR(buf, "1920x1080\n");
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_MODE(&self->d, 1920, 1080);
}

/* The admin's value is the instance's mode at open, in the same BAR */
TEST_F(inst, resolution_set_before_open)
{
	uint32_t v;
	char buf[64];

	ASSERT_RET(sysfs_write(self->res, "1280x800\n"), 0);
	read_res(self->res, buf, sizeof(buf));
	EXPECT_STR(buf, "1280x800\n");
	ASSERT_RET(sysfs_write(self->res, "1366x768"), 0);	/* any width */
	read_res(self->res, buf, sizeof(buf));
	EXPECT_STR(buf, "1366x768\n");
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_MODE(&self->d, 1366, 768);
	EXPECT_EQ(self->d.bar.size, bar_size_for(hd));
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_DEFAULT_WIDTH, 4, &v), 0);
	EXPECT_EQ(v, 1366);
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_DEFAULT_HEIGHT, 4, &v), 0);
	EXPECT_EQ(v, 768);
	/* the default's odd width stays selectable; others must align */
	EXPECT_EQ(guest_set(&self->d, 1366, 700), MDPY_MODE_OK);
	EXPECT_EQ(guest_set(&self->d, 1358, 700), MDPY_MODE_ERR_ALIGN);
	EXPECT_MODE(&self->d, 1366, 700);
}

TEST_F(inst, resolution_bad_values_einval)
{
	static const char *const bad[] = {
		"0x480", "640x0", "2560x1440", "16385x1", "abc", "1280x800x",
		"", "\n", " 1280x800", "1280x800 ", "01280x800", "1280X800",
		"-1x5", "4294967297x1", "1280x800\n\n",
	};
	unsigned int i;
	char buf[64];

	ASSERT_RET(sysfs_write(self->res, "1024x768"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = sysfs_write(self->res, bad[i]);

		/* an empty write never reaches the driver */
		if (!*bad[i] && ret == 0)
			continue;
		if (ret != -EINVAL)
			ht_diag("\"%s\": %d", bad[i], ret);
		EXPECT_EQ(ret, -EINVAL);
	}
	read_res(self->res, buf, sizeof(buf));
	EXPECT_STR(buf, "1024x768\n");
	EXPECT_TRUE(klog_has("mdpy", "resolution refused", "BAR0"));
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_MODE(&self->d, 1024, 768);
}

TEST_F(inst, resolution_busy_while_open)
{
	char buf[64];

	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_EQ(sysfs_write(self->res, "800x600"), -EBUSY);
	read_res(self->res, buf, sizeof(buf));
	EXPECT_STR(buf, "1920x1080\n");
	EXPECT_MODE(&self->d, 1920, 1080);
	EXPECT_TRUE(klog_has("mdpy", "resolution refused", "open"));
	vdev_close(&self->d);
	EXPECT_RET(sysfs_write(self->res, "800x600"), 0);
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_MODE(&self->d, 800, 600);
}

/* The walk: 640x480, 1920x1080, the whole BAR, 800x600 */
TEST_F(inst, guest_mode_changes)
{
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_EQ(guest_set(&self->d, 640, 480), MDPY_MODE_OK);
	EXPECT_MODE(&self->d, 640, 480);
	EXPECT_EQ(guest_set(&self->d, 1920, 1080), MDPY_MODE_OK);
	EXPECT_MODE(&self->d, 1920, 1080);
	EXPECT_EQ(guest_set(&self->d, 2048, 1024), MDPY_MODE_OK);
	EXPECT_MODE(&self->d, 2048, 1024);	/* all of the 8 MiB */
	EXPECT_EQ(guest_set(&self->d, 800, 600), MDPY_MODE_OK);
	EXPECT_MODE(&self->d, 800, 600);
}

/* Nonsense: the status names the rule, the last valid mode stays */
TEST_F(inst, guest_mode_refusals)
{
	static const struct {
		uint32_t w, h, status;
	} bad[] = {
		{ 0, 480, MDPY_MODE_ERR_ZERO },
		{ 640, 0, MDPY_MODE_ERR_ZERO },
		{ 16392, 8, MDPY_MODE_ERR_SIDE },
		{ 8, 16385, MDPY_MODE_ERR_SIDE },
		{ 0xffffffff, 0xffffffff, MDPY_MODE_ERR_SIDE },
		{ 642, 480, MDPY_MODE_ERR_ALIGN },
		{ 2560, 1440, MDPY_MODE_ERR_FB },
		{ 2048, 1025, MDPY_MODE_ERR_FB },
	};
	unsigned int i;

	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_EQ(guest_set(&self->d, 1024, 768), MDPY_MODE_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(guest_set(&self->d, bad[i].w, bad[i].h),
			  bad[i].status);
		EXPECT_MODE(&self->d, 1024, 768);
	}
	EXPECT_EQ(guest_set(&self->d, 1280, 720), MDPY_MODE_OK);
	EXPECT_MODE(&self->d, 1280, 720);
}

/* Without the command nothing changes; CTRL keeps no other value */
TEST_F(inst, guest_half_written_request)
{
	uint32_t v;

	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_REQ_WIDTH, 4, 640), 0);
	EXPECT_MODE(&self->d, 1920, 1080);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_REQ_HEIGHT, 2, 480), 0);
	EXPECT_MODE(&self->d, 1920, 1080);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_CTRL, 4, 0xa5a5a5a5), 0);
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_CTRL, 4, &v), 0);
	EXPECT_EQ(v, MDPY_MODE_OK);
	EXPECT_MODE(&self->d, 1920, 1080);
	/* the request reads back as written */
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_REQ_WIDTH, 4, &v), 0);
	EXPECT_EQ(v, 640);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_CTRL, 1, MDPY_MODE_CMD_SET), 0);
	EXPECT_MODE(&self->d, 640, 480);
}

TEST_F(inst, reset_and_reopen_restore_default)
{
	uint32_t v;

	ASSERT_RET(sysfs_write(self->res, "1280x800"), 0);
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_EQ(guest_set(&self->d, 640, 480), MDPY_MODE_OK);
	EXPECT_EQ(guest_set(&self->d, 0, 480), MDPY_MODE_ERR_ZERO);
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	EXPECT_MODE(&self->d, 1280, 800);
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_CTRL, 4, &v), 0);
	EXPECT_EQ(v, MDPY_MODE_OK);
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_REQ_WIDTH, 4, &v), 0);
	EXPECT_EQ(v, 1280);
	EXPECT_EQ(guest_set(&self->d, 800, 600), MDPY_MODE_OK);
	vdev_close(&self->d);
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_MODE(&self->d, 1280, 800);
}

/* The mode travels in the stream; the default must match on both sides */
TEST_F(inst, mode_survives_migration)
{
	char other[37], path[256];
	struct mig_buf s = { 0 };
	struct vdev dst;
	uint32_t v;

	ASSERT_RET(sysfs_write(self->res, "1600x900"), 0);
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_EQ(guest_set(&self->d, 800, 600), MDPY_MODE_OK);
	ASSERT_RET(mig_save(&self->d, &s, 1 << 20), 0);

	uuid_gen(other);
	snprintf(path, sizeof(path), RES_ATTR, other);
	ASSERT_RET(mdev_create(hd->dir, other), 0);
	vdev_init(&dst);
	/* a destination with another default refuses the stream */
	EXPECT_RET(vdev_open(&dst, other), 0);
	EXPECT_NE(mig_load(&dst, s.data, s.len, 4096), 0);
	EXPECT_TRUE(klog_has("mdpy", "instance resolution differs", NULL));
	vdev_close(&dst);
	/* the same default takes it, mode and all */
	EXPECT_RET(sysfs_write(path, "1600x900"), 0);
	EXPECT_RET(vdev_open(&dst, other), 0);
	EXPECT_MODE(&dst, 1600, 900);
	EXPECT_RET(mig_load(&dst, s.data, s.len, 4096), 0);
	EXPECT_MODE(&dst, 800, 600);
	EXPECT_RET(cfg_get(&dst, MDPY_MODECAP_DEFAULT_WIDTH, 4, &v), 0);
	EXPECT_EQ(v, 1600);
	/* and the guest goes on changing modes there */
	EXPECT_EQ(guest_set(&dst, 1920, 1080), MDPY_MODE_OK);
	EXPECT_MODE(&dst, 1920, 1080);
	vdev_close(&dst);
	EXPECT_RET(mdev_remove(other), 0);
	free(s.data);
}

HARNESS_MAIN
