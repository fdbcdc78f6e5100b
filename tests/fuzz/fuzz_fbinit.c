// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the power-on picture, mdpy_fb_initial(), over arbitrary
 * ranges (any offset, up to 64 KiB long, across rows, the end of the frame,
 * the end of the BAR and 2^64) into a buffer of exactly that length, so a
 * byte written outside the range is an ASan report.  Every byte is compared
 * with the documented ramp; mdpy_initial_pixel() is checked for every row
 * the range touches, and mdpy_fb_run_end() for every offset in the BAR.
 */
#include "fuzz.h"

#define MAX_LEN	65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstream s = { data, size };
	unsigned int steps = 0;

	while (!fs_empty(&s) && steps++ < 16) {
		const struct mdpy_type *t = fuzz_type(fs_u8(&s));
		u8 sel = fs_u8(&s);
		struct otype o;
		u64 stride, anchor, off, len, y;
		u8 *buf;

		otype_of(t, &o);
		stride = (u64)o.width * 4;
		switch (sel & 3) {
		case 0:
			anchor = o.fb_size;
			break;
		case 1:
			anchor = o.bar_size;
			break;
		case 2:
			anchor = stride * (fs_u16(&s) % (o.height + 1));
			break;
		default:
			anchor = 0;
			break;
		}
		off = fs_edge64(&s, anchor);
		len = sel & 4 ? fs_u8(&s) : fs_u32(&s) % (MAX_LEN + 1);

		if (off < o.bar_size) {
			/* runs: a row of the frame, or all of the padding */
			u64 end = mdpy_fb_run_end(t, off);
			u64 want = off < o.fb_size ? (off / stride + 1) * stride :
				   o.bar_size;

			FUZZ_ASSERT(end == want, "%s run at 0x%llx ends 0x%llx, want 0x%llx",
				    t->name, (unsigned long long)off,
				    (unsigned long long)end, (unsigned long long)want);
		}

		buf = malloc(len);	/* malloc(0) is a zero-byte block under ASan */
		mdpy_fb_initial(t, off, buf, len);
		check_fb_bytes(&o, off, buf, len);
		free(buf);

		for (y = off / stride; y < o.height && y * stride < off + len; y++) {
			u32 px = mdpy_initial_pixel(t, (u32)y);
			u32 level = (u32)(y * 256 / o.height);

			FUZZ_ASSERT(px == (level << 16 | level << 8 | level),
				    "%s row %llu pixel 0x%08x", t->name,
				    (unsigned long long)y, px);
		}
	}
	return 0;
}
