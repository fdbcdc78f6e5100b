// SPDX-License-Identifier: GPL-2.0
/*
 * scanout.c - when the guest starts using the display: FLAGS.SCANOUT in
 * the mode capability.  Clear after create, open and reset; left clear by
 * what firmware does (BAR sizing, decoding on, interrupt line, reads of
 * BAR0); set by a SET command (refused ones too), by a trapped BAR0
 * write and by a write through a mapping, including a mapping made
 * before a reset and one held by another process; carried by migration.
 * The plane is empty exactly while it is clear.
 *
 * Expected values come from include/uapi/mdpy.h, not from the driver.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "harness.h"
#include "mdpy_test.h"
#include "devfix.h"

static uint32_t flags(struct vdev *d)
{
	uint32_t v = 0xdeadbeef;

	if (cfg_get(d, MDPY_MODECAP_FLAGS, 4, &v))
		return 0xdeadbeef;
	return v;
}

/*
 * The plane QEMU gets: 0 empty (format and size 0, QEMU shows its ramfb),
 * 1 the current mode, -1 neither or an error
 */
static int plane_shown(struct vdev *d)
{
	struct plane_info p = { .argsz = PLANE_MINSZ,
				.flags = VFIO_GFX_PLANE_TYPE_REGION };
	uint32_t w, h;

	if (ioctl(d->fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p) ||
	    cfg_get(d, MDPY_WIDTH_OFFSET, 4, &w) ||
	    cfg_get(d, MDPY_HEIGHT_OFFSET, 4, &h))
		return -1;
	if (!p.drm_format && !p.size && !p.width && !p.height && !p.stride)
		return 0;
	if (p.drm_format == MDPY_FORMAT_XRGB8888 && p.width == w &&
	    p.height == h && p.stride == w * 4 && p.size == w * h * 4)
		return 1;
	return -1;
}

/* FLAGS and the plane agree on whether the display is in use */
#define EXPECT_SCANOUT(d, on) do {					\
	EXPECT_EQ(flags(d), (on) ? MDPY_MODE_FLAG_SCANOUT : 0u);	\
	EXPECT_EQ(plane_shown(d), (on) ? 1 : 0);			\
} while (0)

static void *map_bar(struct vdev *d, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		    (off_t)d->bar.offset);
}

static int dev_reset(struct vdev *d)
{
	return ioctl(d->fd, VFIO_DEVICE_RESET) ? -errno : 0;
}

TEST_F(dev, capability_version_2_with_flags)
{
	uint32_t v;

	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_OFFSET + 2, 1, &v), 0);
	EXPECT_EQ(v, MDPY_MODECAP_SIZE);
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_VERSION_OFFSET, 1, &v), 0);
	EXPECT_EQ(v, MDPY_MODECAP_VERSION);
	EXPECT_SCANOUT(&self->d, 0);
	/* read-only to the guest */
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_FLAGS, 4, 0xffffffff), 0);
	EXPECT_SCANOUT(&self->d, 0);
}

/* What SeaBIOS and OVMF do to every device, and reads, change nothing */
TEST_F(dev, firmware_setup_and_reads_leave_it_clear)
{
	uint8_t buf[64];
	volatile uint8_t *map;
	size_t len = 4 * PAGE_SZ;
	uint32_t v;

	ASSERT_RET(cfg_put(&self->d, 0x10, 4, 0xffffffff), 0);
	ASSERT_RET(cfg_get(&self->d, 0x10, 4, &v), 0);
	ASSERT_RET(cfg_put(&self->d, 0x10, 4, 0xc0000000), 0);
	ASSERT_RET(cfg_put(&self->d, 0x04, 2, 0x0007), 0);
	ASSERT_RET(cfg_put(&self->d, 0x3c, 1, 0x0b), 0);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_CTRL, 1, 0x02), 0);
	ASSERT_RET(bar_read(&self->d, 0, buf, sizeof(buf)), 0);
	map = map_bar(&self->d, len);
	ASSERT_MAPPED(map);
	v = map[0] + map[PAGE_SZ] + map[3 * PAGE_SZ + 17];
	(void)v;
	EXPECT_SCANOUT(&self->d, 0);
	munmap((void *)map, len);
	EXPECT_SCANOUT(&self->d, 0);
}

TEST_F(dev, trapped_write_sets_it_reset_clears_it)
{
	uint32_t px = 0x00ff8000;

	ASSERT_RET(bar_write(&self->d, 4 * 7, &px, 4), 0);
	EXPECT_SCANOUT(&self->d, 1);
	ASSERT_RET(dev_reset(&self->d), 0);
	EXPECT_SCANOUT(&self->d, 0);
	ASSERT_RET(bar_write(&self->d, self->d.bar.size - 1, &px, 1), 0);
	EXPECT_SCANOUT(&self->d, 1);
}

/*
 * Through a mapping: a page read first (mapped read-only) and one written
 * first; after a reset the same mapping, whose pages were writable, must
 * be seen writing again, and its bytes must still reach the device.
 */
TEST_F(dev, mapping_write_sets_it_also_after_reset)
{
	size_t len = 8 * PAGE_SZ;
	volatile uint32_t *map = map_bar(&self->d, len);
	uint32_t v = 0, round;

	ASSERT_MAPPED(map);
	for (round = 0; round < 3; round++) {
		v += map[PAGE_SZ / 4];
		EXPECT_SCANOUT(&self->d, 0);
		map[PAGE_SZ / 4] = 0x11223344 + round;	/* read, then written */
		EXPECT_SCANOUT(&self->d, 1);
		map[5 * PAGE_SZ / 4 + 3] = 0x55667788;	/* written first */
		ASSERT_RET(bar_read(&self->d, PAGE_SZ, &v, 4), 0);
		EXPECT_EQ(v, 0x11223344 + round);
		ASSERT_RET(bar_read(&self->d, 5 * PAGE_SZ + 12, &v, 4), 0);
		EXPECT_EQ(v, 0x55667788u);
		ASSERT_RET(dev_reset(&self->d), 0);
		EXPECT_SCANOUT(&self->d, 0);
		/* the reset's picture shows through the old mapping */
		EXPECT_NE(map[5 * PAGE_SZ / 4 + 3], 0x55667788u);
	}
	munmap((void *)map, len);
}

/*
 * A read fault maps the instance's pages around it too (the aligned group
 * of 16 that holds it), read-only like itself: a write to one of those,
 * never touched through this mapping before, is still seen.
 */
TEST_F(dev, write_to_a_page_mapped_around_a_read_sets_it)
{
	const uintptr_t group = 16 * PAGE_SZ;
	size_t len = 32 * PAGE_SZ, k, i;
	volatile uint8_t *map = map_bar(&self->d, len);
	uint8_t b = 1;
	uint32_t v;

	ASSERT_MAPPED(map);
	/* the first whole group inside the mapping */
	k = (((uintptr_t)map + group - 1) / group * group - (uintptr_t)map) /
	    PAGE_SZ;
	/* pages of the instance's own there, then a reset: all clear */
	for (i = 0; i < 16; i++)
		ASSERT_RET(bar_write(&self->d, (k + i) * PAGE_SZ, &b, 1), 0);
	ASSERT_RET(dev_reset(&self->d), 0);
	EXPECT_SCANOUT(&self->d, 0);
	v = map[k * PAGE_SZ];				/* one read fault */
	EXPECT_SCANOUT(&self->d, 0);
	map[(k + 9) * PAGE_SZ + 4] = 0x99;		/* its neighbour */
	EXPECT_SCANOUT(&self->d, 1);
	ASSERT_RET(bar_read(&self->d, (k + 9) * PAGE_SZ + 4, &b, 1), 0);
	EXPECT_EQ(b, 0x99);
	(void)v;
	munmap((void *)map, len);
}

/* Mappings in two processes and two mappings in one: each is re-armed */
TEST_F(dev, every_mapping_rearmed_by_reset)
{
	size_t len = 2 * PAGE_SZ;
	volatile uint32_t *a = map_bar(&self->d, len);
	volatile uint32_t *b = map_bar(&self->d, len);
	int go[2], done[2], status;
	char c = 0;
	pid_t pid;

	ASSERT_MAPPED(a);
	ASSERT_MAPPED(b);
	ASSERT_OK(pipe(go));
	ASSERT_OK(pipe(done));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* its own mapping: a parent's is not inherited on every kernel */
		volatile uint32_t *m = map_bar(&self->d, len);
		int n;

		if (m == MAP_FAILED)
			_exit(2);
		for (n = 0; n < 2; n++) {
			if (read(go[0], &c, 1) != 1)
				_exit(3);
			m[PAGE_SZ / 4] = 0xc0ffee00 + n;
			if (write(done[1], &c, 1) != 1)
				_exit(4);
		}
		_exit(0);
	}
	a[0] = 1;
	b[0] = 2;
	EXPECT_SCANOUT(&self->d, 1);
	/* the child writes, then again after a reset */
	ASSERT_RET(dev_reset(&self->d), 0);
	EXPECT_SCANOUT(&self->d, 0);
	ASSERT_EQ(write(go[1], &c, 1), 1);
	ASSERT_EQ(read(done[0], &c, 1), 1);
	EXPECT_SCANOUT(&self->d, 1);
	ASSERT_RET(dev_reset(&self->d), 0);
	EXPECT_SCANOUT(&self->d, 0);
	ASSERT_EQ(write(go[1], &c, 1), 1);
	ASSERT_EQ(read(done[0], &c, 1), 1);
	EXPECT_SCANOUT(&self->d, 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the parent's two mappings, written before, are re-armed too */
	ASSERT_RET(dev_reset(&self->d), 0);
	EXPECT_SCANOUT(&self->d, 0);
	b[PAGE_SZ / 4] = 3;
	EXPECT_SCANOUT(&self->d, 1);
	ASSERT_RET(dev_reset(&self->d), 0);
	a[0] = 4;
	EXPECT_SCANOUT(&self->d, 1);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	munmap((void *)a, len);
	munmap((void *)b, len);
}

/* mdpy-drm's first mode set, and a refused one, switch it over */
TEST_F(dev, set_command_sets_it)
{
	uint32_t status;

	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_REQ_WIDTH, 4, 640), 0);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_REQ_HEIGHT, 4, 480), 0);
	EXPECT_SCANOUT(&self->d, 0);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_CTRL, 1, MDPY_MODE_CMD_SET), 0);
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_CTRL, 4, &status), 0);
	EXPECT_EQ(status, MDPY_MODE_OK);
	EXPECT_SCANOUT(&self->d, 1);
	ASSERT_RET(dev_reset(&self->d), 0);
	EXPECT_SCANOUT(&self->d, 0);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_REQ_WIDTH, 4, 0), 0);
	ASSERT_RET(cfg_put(&self->d, MDPY_MODECAP_CTRL, 1, MDPY_MODE_CMD_SET), 0);
	ASSERT_RET(cfg_get(&self->d, MDPY_MODECAP_CTRL, 4, &status), 0);
	EXPECT_EQ(status, MDPY_MODE_ERR_ZERO);
	EXPECT_SCANOUT(&self->d, 1);
}

/* A new user gets a display nobody has used */
TEST_F(dev, reopen_clears_it)
{
	uint32_t px = 1;

	ASSERT_RET(bar_write(&self->d, 0, &px, 4), 0);
	EXPECT_SCANOUT(&self->d, 1);
	vdev_close(&self->d);
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	EXPECT_SCANOUT(&self->d, 0);
}

/* The state travels in the migration stream, both ways */
TEST_F(dev, migration_carries_it)
{
	char uuid[37];
	struct vdev dst;
	struct mig_buf s = { 0 };
	uint32_t px = 0x00123456;
	int on;

	uuid_gen(uuid);
	ASSERT_RET(mdev_create(self->t->dir, uuid), 0);
	vdev_init(&dst);
	ASSERT_RET(vdev_open(&dst, uuid), 0);
	for (on = 0; on < 2; on++) {
		if (on)
			ASSERT_RET(bar_write(&self->d, 64, &px, 4), 0);
		s.len = 0;
		ASSERT_RET(mig_save(&self->d, &s, 1 << 20), 0);
		ASSERT_RET(mig_load(&dst, s.data, s.len, 1 << 20), 0);
		EXPECT_SCANOUT(&dst, on);
		EXPECT_SCANOUT(&self->d, on);
	}
	free(s.data);
	vdev_close(&dst);
	EXPECT_RET(mdev_remove(uuid), 0);
}

HARNESS_MAIN
