/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devfix.h - the "dev" fixture shared by config.c, bar.c and ioctl.c: one
 * fresh instance of the variant's type, opened through VFIO, per test.
 * Include after harness.h and mdpy_test.h.
 */
#ifndef MDPY_DEVFIX_H
#define MDPY_DEVFIX_H

MDPY_TYPE_VARIANTS(dev_variants);

FIXTURE(dev) {
	const struct mdpy_ttype *t;
	char uuid[37];
	int created;
	struct vdev d;
	uint8_t cfg0[CFG_SIZE];		/* config space right after open */
};

FIXTURE_SETUP(dev)
{
	vdev_init(&self->d);
	self->t = variant->data;
	uuid_gen(self->uuid);
	/* A test that crashed earlier may have leaked instances. */
	if (mdev_count() >= mdpy_count())
		mdev_remove_all();
	ASSERT_RET(mdev_create(self->t->dir, self->uuid), 0);
	self->created = 1;
	ASSERT_RET(vdev_open(&self->d, self->uuid), 0);
	ASSERT_RET(cfg_dump(&self->d, self->cfg0), 0);
}

FIXTURE_TEARDOWN(dev)
{
	vdev_close(&self->d);
	if (self->created)
		EXPECT_RET(mdev_remove(self->uuid), 0);
}

FIXTURE_REGISTER(dev, dev_variants);

#endif /* MDPY_DEVFIX_H */
