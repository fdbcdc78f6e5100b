// SPDX-License-Identifier: GPL-2.0
/*
 * harness_selftest.c - tests of harness.h itself, run on the host by
 * `make -C tests/uapi check`.  Half of these tests fail on purpose; the
 * check compares the TAP lines with what each one must report.
 */
#include "harness.h"

static const struct ht_variant sv[] = { { "one", "1" }, { "two", "2" }, { NULL, NULL } };

FIXTURE(fx) {
	int setup_ran;
};

FIXTURE_SETUP(fx)
{
	self->setup_ran = 1;
}

FIXTURE_TEARDOWN(fx)
{
	/* a teardown runs after a failed ASSERT too: prove it by output */
	ht_diag("teardown %s", variant->name);
}

FIXTURE_REGISTER(fx, sv);

TEST(passes)
{
	EXPECT_EQ(1 + 1, 2);
	EXPECT_GE(-1, -2);
	EXPECT_LT((unsigned long long)1 << 63, ~0ULL);
	EXPECT_ERRNO(close(-1), EBADF);
}

TEST(expect_fails_but_continues)
{
	EXPECT_EQ(1, 2);
	ht_diag("still running");
}

TEST(signed_compare_is_mathematical)
{
	/* -1 < 0u must hold: a plain C comparison would say otherwise */
	EXPECT_LT(-1, 0u);
}

TEST(assert_stops)
{
	ASSERT_EQ(3, 4);
	ht_diag("must not print");
}

TEST(skips)
{
	SKIP("because %s", "reasons");
}

TEST(crashes)
{
	volatile int *p = NULL;

	*p = 1;
}

TEST(hangs)
{
	sleep(30);
}

TEST(errno_mismatch)
{
	EXPECT_ERRNO(close(-1), EINVAL);
}

TEST(memeq_names_offset)
{
	char a[8] = "abcdefg", b[8] = "abcdXfg";

	EXPECT_MEMEQ(a, b, 8);
}

TEST_F(fx, variant_sees_data)
{
	EXPECT_EQ(self->setup_ran, 1);
	EXPECT_TRUE(!strcmp(variant->data, "1") || !strcmp(variant->data, "2"));
	if (!strcmp(variant->name, "two"))
		ASSERT_TRUE(0);
}

HARNESS_MAIN
