/* SPDX-License-Identifier: GPL-2.0 */
/*
 * modfix.h - the fixture of the suites whose tests load the module with
 * their own parameters (sysfs.c, types.c): each test starts from the
 * default module (loaded, no parameters, no instances) and leaves it so,
 * whatever it changed.  Include once per test program, after harness.h.
 */
#ifndef MDPY_UAPI_MODFIX_H
#define MDPY_UAPI_MODFIX_H

FIXTURE(mod) {
	char uuids[16][37];
	int n;
};

FIXTURE_SETUP(mod)
{
	ASSERT_RET(mod_ensure_default(), 0);
	ASSERT_EQ(mdev_count(), 0);
}

FIXTURE_TEARDOWN(mod)
{
	EXPECT_RET(mod_ensure_default(), 0);
}

FIXTURE_REGISTER(mod, NULL);

/* A fresh UUID, kept in the fixture's list */
static const char *new_uuid(char (*uuids)[37], int *n)
{
	uuid_gen(uuids[*n]);
	return uuids[(*n)++];
}

#endif
