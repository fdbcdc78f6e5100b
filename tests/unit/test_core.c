// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the mdpy device model (core/), run in userspace with
 * ASan and UBSan.  The kernel module compiles the very same core sources.
 */
#include <stdint.h>
#include <string.h>

#include "../../core/mdpy_core.h"
#include "tap.h"

static struct mdpy_core dev;

/* The built-in types and some a `types` list adds: every loop runs all */
static struct mdpy_type_set all;
#define ALL_ADDED	"2560x1440,1366x768,333x256"

static u32 rd(const struct mdpy_core *c, u32 off, u32 len)
{
	u8 b[4] = { 0 };
	u32 v = 0, i;

	if (mdpy_cfg_read(c, off, b, len))
		return 0xdeadbeef;
	for (i = 0; i < len; i++)
		v |= (u32)b[i] << (8 * i);
	return v;
}

static int wr(struct mdpy_core *c, u32 off, u32 len, u32 v)
{
	u8 b[4];
	u32 i;

	for (i = 0; i < len; i++)
		b[i] = (v >> (8 * i)) & 0xff;
	return mdpy_cfg_write(c, off, b, len);
}

/* Writes @v, then reads @at_len bytes at @at; 0xdeadbeef if the write failed */
static u32 wr_rd(struct mdpy_core *c, u32 off, u32 len, u32 v, u32 at, u32 at_len)
{
	return wr(c, off, len, v) ? 0xdeadbeef : rd(c, at, at_len);
}

/* Expected power-on value of every config byte, built from the spec */
static void expected_cfg(const struct mdpy_type *t, u8 *e)
{
	u32 i;

	memset(e, 0, MDPY_CFG_SIZE);
	e[0x00] = 0x36; e[0x01] = 0x1b;		/* vendor 1b36 */
	e[0x02] = 0x0f; e[0x03] = 0x00;		/* device 000f */
	e[0x06] = 0x10;				/* status: cap list */
	e[0x08] = 0x01;				/* revision */
	e[0x0a] = 0x80; e[0x0b] = 0x03;		/* class 0380 */
	e[0x10] = 0x08;				/* prefetchable mem32 */
	e[0x2c] = 0xf4; e[0x2d] = 0x1a;		/* subsystem vendor 1af4 */
	e[0x2e] = 0x00; e[0x2f] = 0x11;		/* subsystem 1100 */
	e[0x34] = 0x40;				/* capability pointer */
	e[0x40] = 0x09; e[0x41] = 0x50; e[0x42] = 0x10;
	e[0x50] = 0x09; e[0x51] = 0x00; e[0x52] = 0x24; e[0x53] = 0x02;
	e[0x54] = 'M'; e[0x55] = 'O'; e[0x56] = 'D'; e[0x57] = 'E';
	for (i = 0; i < 4; i++) {
		e[0x44 + i] = (0x34325258u >> (8 * i)) & 0xff;
		e[0x48 + i] = (t->width >> (8 * i)) & 0xff;
		e[0x4c + i] = (t->height >> (8 * i)) & 0xff;
		e[0x58 + i] = (mdpy_bar_size(t) >> (8 * i)) & 0xff;
		e[0x5c + i] = e[0x48 + i];	/* default */
		e[0x60 + i] = e[0x4c + i];
		e[0x64 + i] = e[0x48 + i];	/* request */
		e[0x68 + i] = e[0x4c + i];
	}
}

static void test_power_on_table(void)
{
	unsigned int k;

	for (k = 0; k < all.count; k++) {
		const struct mdpy_type *t = &all.types[k];
		u8 want[MDPY_CFG_SIZE], got[MDPY_CFG_SIZE];
		u32 i;

		mdpy_core_init(&dev, t);
		expected_cfg(t, want);
		CHECK_EQ(mdpy_cfg_read(&dev, 0, got, MDPY_CFG_SIZE), 0);
		for (i = 0; i < MDPY_CFG_SIZE; i++) {
			if (got[i] != want[i])
				tap_diag("  %s: byte 0x%02x", t->name, i);
			CHECK_EQ(got[i], want[i]);
		}
	}
}

static void test_types(void)
{
	CHECK(!strcmp(mdpy_types[0].name, "vga"));
	CHECK_EQ(mdpy_types[0].width, 640);
	CHECK_EQ(mdpy_types[0].height, 480);
	CHECK(!strcmp(mdpy_types[1].name, "xga"));
	CHECK_EQ(mdpy_types[1].width, 1024);
	CHECK_EQ(mdpy_types[1].height, 768);
	CHECK(!strcmp(mdpy_types[2].name, "hd"));
	CHECK_EQ(mdpy_types[2].width, 1920);
	CHECK_EQ(mdpy_types[2].height, 1080);
}

static void test_bar_size(void)
{
	unsigned int k;

	CHECK_EQ(mdpy_bar_size(&mdpy_types[0]), 2u << 20);
	CHECK_EQ(mdpy_bar_size(&mdpy_types[1]), 4u << 20);
	CHECK_EQ(mdpy_bar_size(&mdpy_types[2]), 8u << 20);
	for (k = 0; k < all.count; k++) {
		u32 s = mdpy_bar_size(&all.types[k]);

		CHECK_EQ(s & (s - 1), 0);		/* power of two */
		CHECK(s >= mdpy_fb_size(&all.types[k]));
		CHECK(s / 2 < mdpy_fb_size(&all.types[k]));	/* smallest */
	}
}

static void test_bar_sizing_law(void)
{
	unsigned int k;

	for (k = 0; k < all.count; k++) {
		u32 size = mdpy_bar_size(&all.types[k]);

		mdpy_core_init(&dev, &all.types[k]);
		CHECK_EQ(wr_rd(&dev, 0x10, 4, 0xffffffff, 0x10, 4), ~(size - 1) | 0x8);
		/* an address is masked to the size, type bits stay */
		CHECK_EQ(wr_rd(&dev, 0x10, 4, 0xe0000000 | (size / 2) | 0x7, 0x10, 4),
			 0xe0000008);
		/* byte writes change only their byte */
		CHECK_EQ(wr_rd(&dev, 0x13, 1, 0xc0, 0x10, 4), 0xc0000008);
		CHECK_EQ(wr_rd(&dev, 0x10, 1, 0xff, 0x10, 4), 0xc0000008);
		/* 16-bit sizing of the upper half */
		CHECK_EQ(wr_rd(&dev, 0x12, 2, 0xffff, 0x12, 2), (~(size - 1)) >> 16);
	}
}

static void test_other_bars_and_rom(void)
{
	u32 off;

	mdpy_core_init(&dev, &mdpy_types[0]);
	for (off = 0x14; off < 0x28; off += 4)
		CHECK_EQ(wr_rd(&dev, off, 4, 0xffffffff, off, 4), 0);
	CHECK_EQ(wr_rd(&dev, 0x30, 4, 0xffffffff, 0x30, 4), 0);
}

static void test_command(void)
{
	mdpy_core_init(&dev, &mdpy_types[0]);
	/* memory and bus master; I/O is hard-wired 0 (there is no I/O BAR) */
	CHECK_EQ(wr_rd(&dev, 0x04, 2, 0xffff, 0x04, 2), 0x0006);
	CHECK_EQ(wr_rd(&dev, 0x04, 1, 0x02, 0x04, 2), 0x0002);
	/* a dword write covers command and status: status is read-only */
	CHECK_EQ(wr_rd(&dev, 0x04, 4, 0xffffffff, 0x04, 4), 0x00100006);
	CHECK_EQ(wr_rd(&dev, 0x05, 1, 0xff, 0x04, 2), 0x0006);
}

/* Every byte other than command, BAR0 and interrupt line ignores writes */
static void test_read_only_everywhere(void)
{
	static const u32 widths[] = { 1, 2, 4 };
	unsigned int w;

	for (w = 0; w < 3; w++) {
		u8 before[MDPY_CFG_SIZE], after[MDPY_CFG_SIZE];
		u32 len = widths[w], off, i;

		mdpy_core_init(&dev, &mdpy_types[1]);
		mdpy_cfg_read(&dev, 0, before, MDPY_CFG_SIZE);
		for (off = 0; off + len <= MDPY_CFG_SIZE; off++)
			CHECK_EQ(wr(&dev, off, len, 0xa5a5a5a5), 0);
		mdpy_cfg_read(&dev, 0, after, MDPY_CFG_SIZE);
		for (i = 0; i < MDPY_CFG_SIZE; i++) {
			u8 m = mdpy_cfg_wmask(&dev, i);

			CHECK_EQ(after[i] & ~m, before[i] & ~m);
			CHECK_EQ(after[i] & m, 0xa5 & m);
			if (i != 0x04 && i != 0x3c && (i < 0x10 || i > 0x13) &&
			    (i < 0x64 || i > 0x6b))
				CHECK_EQ(m, 0);
		}
	}
}

static void test_interrupt_line_scratch(void)
{
	mdpy_core_init(&dev, &mdpy_types[0]);
	CHECK_EQ(wr_rd(&dev, 0x3c, 2, 0xffff, 0x3c, 1), 0xff);
	CHECK_EQ(rd(&dev, 0x3d, 1), 0);	/* no interrupt pin */
}

static void test_unaligned_and_bounds(void)
{
	u8 buf[MDPY_CFG_SIZE + 8];

	mdpy_core_init(&dev, &mdpy_types[0]);
	CHECK_EQ(rd(&dev, 0x01, 2), 0x0f1b);	/* straddles vendor/device */
	CHECK_EQ(rd(&dev, 0x03, 4), 0x10000000);	/* device hi, command, status lo */
	CHECK_EQ(rd(&dev, 0xfc, 4), 0);
	CHECK_EQ(rd(&dev, 0xff, 1), 0);
	CHECK_EQ(mdpy_cfg_read(&dev, 0xfd, buf, 4), -EINVAL);
	CHECK_EQ(mdpy_cfg_read(&dev, 0xff, buf, 2), -EINVAL);
	CHECK_EQ(mdpy_cfg_read(&dev, 0x100, buf, 1), -EINVAL);
	CHECK_EQ(mdpy_cfg_read(&dev, 0, buf, MDPY_CFG_SIZE + 1), -EINVAL);
	CHECK_EQ(mdpy_cfg_read(&dev, ~0ULL, buf, 2), -EINVAL);
	CHECK_EQ(mdpy_cfg_read(&dev, 1, buf, ~0ULL), -EINVAL);
	CHECK_EQ(mdpy_cfg_write(&dev, 0xfe, buf, 4), -EINVAL);
	CHECK_EQ(mdpy_cfg_write(&dev, 0x10, buf, ~0ULL - 0xf), -EINVAL);
	CHECK_EQ(mdpy_cfg_read(&dev, 0, buf, MDPY_CFG_SIZE), 0);
	/* a rejected write changes nothing */
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(mdpy_cfg_write(&dev, 0xfe, buf, 4), -EINVAL);
	CHECK_EQ(wr(&dev, 0x04, 2, 0), 0);
	CHECK_EQ(mdpy_cfg_write(&dev, 0x04, buf, 0x100), -EINVAL);
	CHECK_EQ(rd(&dev, 0x04, 2), 0);
}

static void test_reset(void)
{
	u8 want[MDPY_CFG_SIZE], got[MDPY_CFG_SIZE];

	mdpy_core_init(&dev, &mdpy_types[2]);
	wr(&dev, 0x04, 2, 0x7);
	wr(&dev, 0x10, 4, 0xffffffff);
	wr(&dev, 0x3c, 1, 0x0b);
	mdpy_core_reset(&dev);
	expected_cfg(&mdpy_types[2], want);
	mdpy_cfg_read(&dev, 0, got, MDPY_CFG_SIZE);
	CHECK(!memcmp(want, got, MDPY_CFG_SIZE));
}

static void test_regions(void)
{
	const struct mdpy_type *t = &mdpy_types[0];
	u32 idx;
	u64 off;

	CHECK_EQ(mdpy_region_size(t, MDPY_REGION_BAR0), 2u << 20);
	CHECK_EQ(mdpy_region_size(t, MDPY_REGION_CONFIG), 256);
	for (idx = 1; idx < MDPY_NUM_REGIONS; idx++)
		if (idx != MDPY_REGION_CONFIG)
			CHECK_EQ(mdpy_region_size(t, idx), 0);
	CHECK_EQ(mdpy_region_offset(7), 7ULL << 40);

	CHECK_EQ(mdpy_access_decode(t, 0, 4, &idx, &off), 0);
	CHECK_EQ(idx, 0);
	CHECK_EQ(mdpy_access_decode(t, (2u << 20) - 4, 4, &idx, &off), 0);
	CHECK_EQ(off, (2u << 20) - 4);
	CHECK_EQ(mdpy_access_decode(t, (2u << 20) - 4, 5, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 2u << 20, 1, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 0, (2u << 20) + 1, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 0, ~0ULL, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 16, ~0ULL - 8, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, (7ULL << 40) + 0xfc, 4, &idx, &off), 0);
	CHECK_EQ(idx, 7);
	CHECK_EQ(off, 0xfc);
	CHECK_EQ(mdpy_access_decode(t, (7ULL << 40) + 0xfd, 4, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 1ULL << 40, 1, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 8ULL << 40, 1, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 9ULL << 40, 1, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 1ULL << 63, 1, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, ~0ULL, 1, &idx, &off), -EINVAL);
	CHECK_EQ(mdpy_access_decode(t, 0, 0, &idx, &off), 0);
	CHECK_EQ(mdpy_access_decode(t, 2u << 20, 0, &idx, &off), -EINVAL);
}

static void test_plane(void)
{
	unsigned int k;
	struct mdpy_plane p;

	for (k = 0; k < all.count; k++) {
		const struct mdpy_type *type = &all.types[k];
		const struct mdpy_mode m = { type->width, type->height };
		const struct mdpy_mode *t = &m;

		memset(&p, 0xa5, sizeof(p));
		CHECK_EQ(mdpy_plane_get(t, true, MDPY_PLANE_OVERLAY, &p), 0);
		CHECK_EQ(p.format, 0x34325258);
		CHECK_EQ(p.width, t->width);
		CHECK_EQ(p.height, t->height);
		CHECK_EQ(p.stride, t->width * 4);
		CHECK_EQ(p.size, t->width * t->height * 4);
		CHECK_EQ(p.region_index, 0);
		CHECK(p.region_index < MDPY_NUM_REGIONS);
		CHECK_EQ(mdpy_plane_get(t, true, MDPY_PLANE_PRIMARY, &p), 0);
		CHECK_EQ(mdpy_plane_get(t, true, MDPY_PLANE_CURSOR, &p), -EINVAL);
		CHECK_EQ(mdpy_plane_get(t, true, 3, &p), -EINVAL);
		CHECK_EQ(mdpy_plane_get(t, true, 0xffffffff, &p), -EINVAL);
		/* before the guest uses the display: an empty plane */
		memset(&p, 0xa5, sizeof(p));
		CHECK_EQ(mdpy_plane_get(t, false, MDPY_PLANE_PRIMARY, &p), 0);
		CHECK_EQ(p.format, 0);
		CHECK_EQ(p.size, 0);
		CHECK_EQ(p.width, 0);
		CHECK_EQ(p.height, 0);
		CHECK_EQ(p.stride, 0);
		CHECK_EQ(p.region_index, 0);
		CHECK_EQ(mdpy_plane_get(t, false, MDPY_PLANE_CURSOR, &p), -EINVAL);
	}
}

/* Reference rule, written independently of the optimised fill */
static u8 initial_byte(const struct mdpy_type *t, u64 off)
{
	u64 stride = t->width * 4ULL;
	u32 y, level;

	if (off >= stride * t->height)
		return 0;
	y = off / stride;
	level = y * 256 / t->height;
	return (off & 3) == 3 ? 0 : level;
}

/* Room for the largest BAR (2560x1440: 16 MiB) */
static u8 buf[16u << 20];

/* Draws @t's whole BAR into buf over 0xee bytes, so a skipped byte shows */
static u32 draw_bar(const struct mdpy_type *t)
{
	u32 bar = mdpy_bar_size(t);

	memset(buf, 0xee, bar);
	mdpy_fb_initial(t, 0, buf, bar);
	return bar;
}

static void test_initial_picture(void)
{
	unsigned int k;

	for (k = 0; k < all.count; k++) {
		const struct mdpy_type *t = &all.types[k];
		u32 bar = draw_bar(t);
		u64 i, bad = 0;
		/* whole BAR, then odd ranges that start mid-pixel and mid-row */
		static const u64 ranges[][2] = {
			{ 1, 7 }, { 2559, 9 }, { 4093, 4099 }, { 12345, 1 },
		};
		unsigned int r;

		for (i = 0; i < bar; i++)
			bad += buf[i] != initial_byte(t, i);
		CHECK_EQ(bad, 0);
		CHECK_EQ(buf[0], 0);				/* top row black */
		CHECK(buf[mdpy_fb_size(t) - 4] >= 0xfe);	/* bottom bright */

		for (r = 0; r < 4; r++) {
			u64 o = ranges[r][0], n = ranges[r][1];

			memset(buf, 0xee, n + 1);
			mdpy_fb_initial(t, o, buf, n);
			for (i = 0; i < n; i++)
				bad += buf[i] != initial_byte(t, o + i);
			CHECK_EQ(buf[n], 0xee);	/* nothing past len */
		}
		/* the last bytes of the frame and the first of the padding */
		mdpy_fb_initial(t, mdpy_fb_size(t) - 6, buf, 12);
		for (i = 0; i < 12; i++)
			bad += buf[i] != initial_byte(t, mdpy_fb_size(t) - 6 + i);
		CHECK_EQ(bad, 0);
	}
}

/* Each run is one repeated pixel, and runs tile the BAR without gaps */
static void test_initial_runs(void)
{
	unsigned int k;

	for (k = 0; k < all.count; k++) {
		const struct mdpy_type *t = &all.types[k];
		u32 bar = draw_bar(t);
		u64 off = 0, runs = 0, bad = 0, end, i;

		while (off < bar) {
			end = mdpy_fb_run_end(t, off);
			CHECK(end > off && end <= bar);
			if (end <= off || end > bar)
				break;
			for (i = off; i < end; i++)
				bad += buf[i] != buf[off + ((i - off) & 3)];
			/* any offset inside the run names the same end */
			CHECK_EQ(mdpy_fb_run_end(t, end - 1), end);
			CHECK_EQ(mdpy_fb_run_end(t, off + (end - off) / 2), end);
			off = end;
			runs++;
		}
		CHECK_EQ(bad, 0);
		CHECK_EQ(off, bar);
		/* one run per row, plus the padding if the BAR has any */
		CHECK_EQ(runs, t->height + (mdpy_fb_size(t) < bar));
	}
}

/* VFIO_DEVICE_SET_IRQS as vfio-pci defines it, for the one REQ interrupt */
#define TRIG		MDPY_IRQ_ACTION_TRIGGER
#define EFD		MDPY_IRQ_DATA_EVENTFD

static int irq_check(u32 argsz, u32 flags, u32 index, u32 start, u32 count,
		     u32 *size)
{
	struct mdpy_irq_set h = { argsz, flags, index, start, count };

	*size = 0xdead;
	return mdpy_irq_set_check(&h, size);
}

static void test_irq_set_check(void)
{
	u32 size, i;

	/* the calls QEMU makes: eventfd on, eventfd off (-1), tear down */
	CHECK_EQ(irq_check(24, EFD | TRIG, 4, 0, 1, &size), 0);
	CHECK_EQ(size, 4);
	CHECK_EQ(irq_check(20, MDPY_IRQ_DATA_NONE | TRIG, 4, 0, 0, &size), 0);
	CHECK_EQ(size, 0);
	CHECK_EQ(irq_check(21, MDPY_IRQ_DATA_BOOL | TRIG, 4, 0, 1, &size), 0);
	CHECK_EQ(size, 1);
	/* data cut short, header cut short */
	CHECK_EQ(irq_check(23, EFD | TRIG, 4, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(19, MDPY_IRQ_DATA_NONE | TRIG, 4, 0, 0, &size), -EINVAL);
	/* no interrupts behind the other indexes (INTx, MSI, MSI-X, ERR) */
	for (i = 0; i < 4; i++)
		CHECK_EQ(irq_check(24, EFD | TRIG, i, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | TRIG, 5, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | TRIG, 0xffffffff, 0, 1, &size), -EINVAL);
	/* start/count past the one interrupt, wrapping sums */
	CHECK_EQ(irq_check(24, EFD | TRIG, 4, 1, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(28, EFD | TRIG, 4, 0, 2, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | TRIG, 4, 0xffffffff, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | TRIG, 4, 1, 0xffffffff, &size), -EINVAL);
	/* one data type and one action exactly; only TRIGGER is offered */
	CHECK_EQ(irq_check(24, EFD | MDPY_IRQ_DATA_BOOL | TRIG, 4, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, TRIG, 4, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD, 4, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | MDPY_IRQ_ACTION_MASK, 4, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | MDPY_IRQ_ACTION_UNMASK, 4, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | TRIG | MDPY_IRQ_ACTION_MASK, 4, 0, 1, &size), -EINVAL);
	CHECK_EQ(irq_check(24, EFD | TRIG | 0x40, 4, 0, 1, &size), -EINVAL);
	/* count 0 (tear down) carries no data */
	CHECK_EQ(irq_check(24, EFD | TRIG, 4, 0, 0, &size), -EINVAL);
}

static void test_irq_set_decode(void)
{
	struct mdpy_irq_set h = { 24, EFD | TRIG, 4, 0, 1 };
	s32 fd = 1234, out = 0;
	u8 yes = 1, no = 0;

	CHECK_EQ(mdpy_irq_set_decode(&h, &fd, &out), MDPY_IRQ_OP_SET_FD);
	CHECK_EQ(out, 1234);
	fd = -1;
	CHECK_EQ(mdpy_irq_set_decode(&h, &fd, &out), MDPY_IRQ_OP_CLEAR);
	fd = -2;
	CHECK_EQ(mdpy_irq_set_decode(&h, &fd, &out), -EINVAL);
	h.flags = MDPY_IRQ_DATA_BOOL | TRIG;
	CHECK_EQ(mdpy_irq_set_decode(&h, &yes, &out), MDPY_IRQ_OP_SIGNAL);
	CHECK_EQ(mdpy_irq_set_decode(&h, &no, &out), MDPY_IRQ_OP_NONE);
	h.flags = MDPY_IRQ_DATA_NONE | TRIG;
	CHECK_EQ(mdpy_irq_set_decode(&h, NULL, &out), MDPY_IRQ_OP_SIGNAL);
	h.count = 0;
	CHECK_EQ(mdpy_irq_set_decode(&h, NULL, &out), MDPY_IRQ_OP_CLEAR);
}

/* The budget reserves a whole BAR per instance, its page table and state */
static void test_instance_cost(void)
{
	CHECK_EQ(mdpy_instance_cost(&mdpy_types[0], 4096, 8, 100),
		 2097152 + 512 * 8 + 100);
	CHECK_EQ(mdpy_instance_cost(&mdpy_types[2], 4096, 8, 0),
		 8388608 + 2048 * 8);
	/* larger pages: the BAR still rounds to whole pages */
	CHECK_EQ(mdpy_instance_cost(&mdpy_types[0], 65536, 8, 0),
		 2097152 + 32 * 8);
	CHECK_EQ(mdpy_instances_left(4, 1000, 100), 4);
	CHECK_EQ(mdpy_instances_left(40, 1000, 100), 10);
	CHECK_EQ(mdpy_instances_left(40, 99, 100), 0);
	CHECK_EQ(mdpy_instances_left(0, 1000, 100), 0);
}

/* A guest's mode change: request, command, status read back */
static u32 set_mode(struct mdpy_core *c, u32 w, u32 h)
{
	wr(c, 0x64, 4, w);
	wr(c, 0x68, 4, h);
	wr(c, 0x6c, 1, MDPY_MODE_CMD_SET);
	return rd(c, 0x6c, 4);
}

/* The capability at 0x40, the core's mode and the plane agree on @w x @h */
static void check_mode(const struct mdpy_core *c, u32 w, u32 h)
{
	struct mdpy_mode m;
	struct mdpy_plane p;

	CHECK_EQ(rd(c, 0x48, 4), w);
	CHECK_EQ(rd(c, 0x4c, 4), h);
	mdpy_core_mode(c, &m);
	CHECK_EQ(m.width, w);
	CHECK_EQ(m.height, h);
	CHECK_EQ(mdpy_plane_get(&m, true, MDPY_PLANE_PRIMARY, &p), 0);
	CHECK_EQ(p.width, w);
	CHECK_EQ(p.height, h);
	CHECK_EQ(p.stride, w * 4);
	CHECK_EQ(p.size, w * h * 4);
}

static void test_modecap_layout(void)
{
	mdpy_core_init(&dev, &mdpy_types[2]);
	/* a guest walks the list from 0x34: 0x40 (the sample's), then 0x50 */
	CHECK_EQ(rd(&dev, 0x34, 1), 0x40);
	CHECK_EQ(rd(&dev, 0x41, 1), 0x50);
	CHECK_EQ(rd(&dev, 0x50, 1), 0x09);
	CHECK_EQ(rd(&dev, 0x51, 1), 0);
	CHECK_EQ(rd(&dev, 0x52, 1), 0x24);
	CHECK_EQ(rd(&dev, 0x53, 1), 2);
	CHECK_EQ(rd(&dev, 0x54, 4), MDPY_MODECAP_MAGIC_VALUE);
	CHECK_EQ(rd(&dev, 0x58, 4), 8u << 20);
	CHECK_EQ(rd(&dev, 0x5c, 4), 1920);
	CHECK_EQ(rd(&dev, 0x60, 4), 1080);
	CHECK_EQ(rd(&dev, 0x6c, 4), MDPY_MODE_OK);
	CHECK_EQ(rd(&dev, 0x70, 4), 0);
	/* read-only fields ignore writes */
	CHECK_EQ(wr_rd(&dev, 0x70, 4, 0xffffffff, 0x70, 4), 0);
	CHECK_EQ(wr_rd(&dev, 0x58, 4, 1u << 30, 0x58, 4), 8u << 20);
	CHECK_EQ(wr_rd(&dev, 0x5c, 4, 640, 0x5c, 4), 1920);
	check_mode(&dev, 1920, 1080);
}

static void test_mode_changes(void)
{
	/* on the 8 MiB BAR: 2560x800 is 8,192,000 bytes, 16384x128 all */
	static const struct mdpy_mode walk[] = {
		{ 640, 480 }, { 2560, 800 }, { 8, 1 }, { 16384, 128 },
		{ 800, 600 },
	};
	unsigned int i;

	mdpy_core_init(&dev, &mdpy_types[2]);
	for (i = 0; i < ARRAY_SIZE(walk); i++) {
		CHECK_EQ(set_mode(&dev, walk[i].width, walk[i].height),
			 MDPY_MODE_OK);
		check_mode(&dev, walk[i].width, walk[i].height);
	}
}

/* Nonsense keeps the last valid mode and says why */
static void test_mode_refusals(void)
{
	static const struct {
		u32 w, h, status;
	} bad[] = {
		{ 0, 480, MDPY_MODE_ERR_ZERO },
		{ 640, 0, MDPY_MODE_ERR_ZERO },
		{ 0, 0, MDPY_MODE_ERR_ZERO },
		{ 16392, 8, MDPY_MODE_ERR_SIDE },
		{ 8, 16385, MDPY_MODE_ERR_SIDE },
		{ 0xffffffff, 0xffffffff, MDPY_MODE_ERR_SIDE },
		{ 0x80000000, 2, MDPY_MODE_ERR_SIDE },
		{ 642, 480, MDPY_MODE_ERR_ALIGN },
		{ 1366, 768, MDPY_MODE_ERR_ALIGN },
		{ 2560, 1440, MDPY_MODE_ERR_FB },
		{ 16384, 16384, MDPY_MODE_ERR_FB },
		{ 2048, 1025, MDPY_MODE_ERR_FB },
	};
	unsigned int i;

	mdpy_core_init(&dev, &mdpy_types[2]);
	CHECK_EQ(set_mode(&dev, 1024, 768), MDPY_MODE_OK);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ(set_mode(&dev, bad[i].w, bad[i].h), bad[i].status);
		check_mode(&dev, 1024, 768);
	}
	/* the request stays readable as written */
	CHECK_EQ(rd(&dev, 0x64, 4), 2048);
	CHECK_EQ(rd(&dev, 0x68, 4), 1025);
	/* a good request after a bad one clears the status */
	CHECK_EQ(set_mode(&dev, 1280, 720), MDPY_MODE_OK);
	check_mode(&dev, 1280, 720);
}

/* Only the command applies a request; CTRL is no storage */
static void test_mode_half_written(void)
{
	u8 b[8];

	mdpy_core_init(&dev, &mdpy_types[1]);	/* 1024x768, 4 MiB */
	wr(&dev, 0x64, 4, 640);
	check_mode(&dev, 1024, 768);		/* width alone: nothing */
	wr(&dev, 0x68, 4, 480);
	check_mode(&dev, 1024, 768);		/* no command yet */
	CHECK_EQ(wr_rd(&dev, 0x6c, 4, 0xa5a5a5a5, 0x6c, 4), MDPY_MODE_OK);
	CHECK_EQ(wr_rd(&dev, 0x6c, 1, 0x02, 0x6c, 4), MDPY_MODE_OK);
	CHECK_EQ(wr_rd(&dev, 0x6d, 1, 0x01, 0x6c, 4), MDPY_MODE_OK);
	check_mode(&dev, 1024, 768);		/* other values: ignored */
	CHECK_EQ(wr_rd(&dev, 0x6c, 4, 1, 0x6c, 4), MDPY_MODE_OK);
	check_mode(&dev, 640, 480);		/* a dword command works */
	/* request half and command in one write: the whole write counts */
	b[0] = 0x00; b[1] = 0x03; b[2] = 0; b[3] = 0;	/* height 768 */
	b[4] = MDPY_MODE_CMD_SET; b[5] = b[6] = b[7] = 0;
	wr(&dev, 0x64, 4, 1024);
	CHECK_EQ(mdpy_cfg_write(&dev, 0x68, b, 8), 0);
	check_mode(&dev, 1024, 768);
	/* an unaligned word across REQ_HEIGHT's top byte and CTRL */
	wr(&dev, 0x64, 4, 800);
	wr(&dev, 0x68, 4, 0x258);		/* 600 */
	CHECK_EQ(wr_rd(&dev, 0x6b, 2, 0x0100, 0x6c, 4), MDPY_MODE_OK);
	check_mode(&dev, 800, 600);
}

static void test_mode_reset_and_default(void)
{
	const struct mdpy_type *odd = NULL;
	struct mdpy_mode m;
	unsigned int k;

	mdpy_core_init(&dev, &mdpy_types[2]);
	set_mode(&dev, 640, 480);
	set_mode(&dev, 0, 480);
	mdpy_core_reset(&dev);
	check_mode(&dev, 1920, 1080);
	CHECK_EQ(rd(&dev, 0x64, 4), 1920);
	CHECK_EQ(rd(&dev, 0x68, 4), 1080);
	CHECK_EQ(rd(&dev, 0x6c, 4), MDPY_MODE_OK);

	/* an admin's default: no alignment rule, must fit the BAR */
	m.width = 1366;
	m.height = 768;
	CHECK_EQ(mdpy_core_set_default(&dev, &m), 0);
	check_mode(&dev, 1366, 768);
	CHECK_EQ(rd(&dev, 0x5c, 4), 1366);
	CHECK_EQ(set_mode(&dev, 1366, 700), MDPY_MODE_OK);	/* default width */
	CHECK_EQ(set_mode(&dev, 1358, 700), MDPY_MODE_ERR_ALIGN);
	mdpy_core_reset(&dev);
	check_mode(&dev, 1366, 768);
	m.width = 2560;
	m.height = 1440;
	CHECK_EQ(mdpy_core_set_default(&dev, &m), -EINVAL);
	m.width = 0;
	CHECK_EQ(mdpy_core_set_default(&dev, &m), -EINVAL);
	check_mode(&dev, 1366, 768);		/* refused: no change */
	CHECK_EQ(dev.def.width, 1366);

	/* a user-defined type whose own width is odd keeps its mode */
	for (k = 0; k < all.count; k++)
		if (all.types[k].width == 333)
			odd = &all.types[k];
	CHECK(odd);
	if (!odd)
		return;
	mdpy_core_init(&dev, odd);
	CHECK_EQ(set_mode(&dev, 8, 8), MDPY_MODE_OK);
	CHECK_EQ(set_mode(&dev, 333, 256), MDPY_MODE_OK);
	check_mode(&dev, 333, 256);
}

static void test_mode_parse(void)
{
	static const struct {
		const char *text;
		int ok;
		u32 w, h;
	} cases[] = {
		{ "1280x800", 1, 1280, 800 },
		{ "1280x800\n", 1, 1280, 800 },
		{ "1366x768", 1, 1366, 768 },
		{ "16384x128", 1, 16384, 128 },
		{ "1x1", 1, 1, 1 },
		{ "2560x1440", 0, 0, 0 },		/* over the 8 MiB BAR */
		{ "16385x1", 0, 0, 0 },
		{ "0x480", 0, 0, 0 },
		{ "640x0", 0, 0, 0 },
		{ "0640x480", 0, 0, 0 },
		{ "640X480", 0, 0, 0 },
		{ "640x480\n\n", 0, 0, 0 },
		{ " 640x480", 0, 0, 0 },
		{ "640x480 ", 0, 0, 0 },
		{ "640*480", 0, 0, 0 },
		{ "640x", 0, 0, 0 },
		{ "x480", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "\n", 0, 0, 0 },
		{ "-640x480", 0, 0, 0 },
		{ "99999999999x1", 0, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mdpy_mode m = { 7, 7 };
		const char *why = NULL;
		int ret = mdpy_mode_parse(&mdpy_types[2], cases[i].text,
					  strlen(cases[i].text), &m, &why);
		int taken = !ret;

		if (taken != cases[i].ok)
			tap_diag("  \"%s\": %d (%s)", cases[i].text, ret,
				 why ?: "");
		CHECK_EQ(taken, cases[i].ok);
		if (cases[i].ok) {
			CHECK_EQ(m.width, cases[i].w);
			CHECK_EQ(m.height, cases[i].h);
		} else {
			CHECK(why && *why);
			CHECK_EQ(m.width, 7);	/* untouched */
		}
	}
}

/*
 * FLAGS.SCANOUT: set by a SET command, even a refused one, and by the glue
 * (a BAR0 write); not by any other config write; cleared by reset only.
 */
static void test_scanout_flag(void)
{
	u32 off;

	mdpy_core_init(&dev, &mdpy_types[1]);
	CHECK(!mdpy_core_scanout(&dev));
	/* what firmware does: sizing, decoding on, interrupt line */
	wr(&dev, 0x10, 4, 0xffffffff);
	wr(&dev, 0x10, 4, 0xc0000000);
	wr(&dev, 0x04, 2, 0x0006);
	wr(&dev, 0x3c, 1, 0x0b);
	/* every byte but CTRL, with every value but the command */
	for (off = 0; off < MDPY_CFG_SIZE; off++)
		if (off != MDPY_MODECAP_CTRL)
			wr(&dev, off, 1, MDPY_MODE_CMD_SET);
	wr(&dev, MDPY_MODECAP_CTRL, 1, 0x02);
	wr(&dev, MDPY_MODECAP_CTRL, 1, 0x00);
	CHECK(!mdpy_core_scanout(&dev));
	CHECK_EQ(rd(&dev, MDPY_MODECAP_FLAGS, 4), 0);
	/* a refused command counts: the guest drives the display */
	wr(&dev, MDPY_MODECAP_REQ_WIDTH, 4, 0);
	wr(&dev, MDPY_MODECAP_CTRL, 1, MDPY_MODE_CMD_SET);
	CHECK_EQ(rd(&dev, MDPY_MODECAP_CTRL, 4), MDPY_MODE_ERR_ZERO);
	CHECK(mdpy_core_scanout(&dev));
	CHECK_EQ(rd(&dev, MDPY_MODECAP_FLAGS, 4), MDPY_MODE_FLAG_SCANOUT);
	/* the guest cannot clear it */
	wr(&dev, MDPY_MODECAP_FLAGS, 4, 0);
	CHECK(mdpy_core_scanout(&dev));
	mdpy_core_reset(&dev);
	CHECK(!mdpy_core_scanout(&dev));
	/* the glue's report of a BAR0 write */
	mdpy_core_set_scanout(&dev);
	CHECK_EQ(rd(&dev, MDPY_MODECAP_FLAGS, 4), MDPY_MODE_FLAG_SCANOUT);
	mdpy_core_reset(&dev);
	CHECK_EQ(rd(&dev, MDPY_MODECAP_FLAGS, 4), 0);
}

static const struct unit_test tests[] = {
	{ "types_table", test_types },
	{ "config_power_on_table", test_power_on_table },
	{ "bar0_size_power_of_two", test_bar_size },
	{ "bar0_sizing_law_and_masking", test_bar_sizing_law },
	{ "bars_1_to_5_and_rom_read_zero", test_other_bars_and_rom },
	{ "command_register_bits", test_command },
	{ "read_only_registers_every_width", test_read_only_everywhere },
	{ "interrupt_line_scratch", test_interrupt_line_scratch },
	{ "config_unaligned_and_bounds", test_unaligned_and_bounds },
	{ "config_reset", test_reset },
	{ "region_layout_and_decode", test_regions },
	{ "plane_info", test_plane },
	{ "initial_picture", test_initial_picture },
	{ "initial_picture_runs", test_initial_runs },
	{ "irq_set_check", test_irq_set_check },
	{ "irq_set_decode", test_irq_set_decode },
	{ "instance_cost_and_budget", test_instance_cost },
	{ "modecap_layout", test_modecap_layout },
	{ "mode_changes", test_mode_changes },
	{ "mode_refusals_keep_last_mode", test_mode_refusals },
	{ "mode_half_written_and_command", test_mode_half_written },
	{ "mode_reset_and_admin_default", test_mode_reset_and_default },
	{ "mode_parse", test_mode_parse },
	{ "scanout_flag", test_scanout_flag },
};

int main(void)
{
	if (mdpy_types_parse(&all, ALL_ADDED))
		return EXIT_FAILURE;
	return unit_run(tests, ARRAY_SIZE(tests));
}
