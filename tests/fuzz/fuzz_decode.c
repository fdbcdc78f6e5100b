// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: mdpy_access_decode() with arbitrary positions and
 * lengths (huge, negative-looking, overflowing pos + len), for the built-in
 * types and added ones of odd sizes.
 * The result must match the oracle, and an accepted access must lie wholly
 * inside its region; the neighbours of every accepted access (one byte
 * more, one byte further) are checked too, so region edges get exercised.
 */
#include "fuzz.h"

static void one(const struct mdpy_type *t, const struct otype *o, u64 pos,
		u64 len)
{
	u32 index = 0xdead;
	u64 off = 0xdeadbeef;
	int ret = mdpy_access_decode(t, pos, len, &index, &off);

	check_decode(o, pos, len, ret, index, off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstream s = { data, size };
	unsigned int steps = 0;

	while (!fs_empty(&s) && steps++ < 256) {
		const struct mdpy_type *t = fuzz_type(fs_u8(&s));
		u8 region = fs_u8(&s);
		struct otype o;
		u64 base, pos, len;

		otype_of(t, &o);
		base = mdpy_region_offset(region % 16);
		pos = fs_edge64(&s, base + (region & 0x10 ? o.bar_size : 0));
		len = fs_edge64(&s, region & 0x20 ? o.bar_size : 256);

		one(t, &o, pos, len);
		one(t, &o, pos, len + 1);
		one(t, &o, pos + 1, len);
		one(t, &o, pos - 1, len);
		one(t, &o, pos, 0);
		one(t, &o, pos, ~len);
	}
	return 0;
}
