// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - PCI config space of an mdpy instance through the VFIO config
 * region: the register table, BAR0 sizing, write masks at every width and
 * offset, the end boundary and reset.
 *
 * The expected values come from an independent model of the spec (a power-on
 * table plus a per-byte write mask), not from the driver's sources.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>

#include "harness.h"
#include "mdpy_test.h"
#include "devfix.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* The spec's power-on config space for type @t. */
static void model_init(uint8_t *cfg, const struct mdpy_ttype *t)
{
	memset(cfg, 0, CFG_SIZE);
	put16(cfg + 0x00, 0x1b36);
	put16(cfg + 0x02, 0x000f);
	put16(cfg + 0x06, 0x0010);	/* status: capability list */
	cfg[0x08] = 0x01;		/* revision */
	cfg[0x09] = 0x00;		/* prog-if */
	cfg[0x0a] = 0x80;		/* subclass: other display */
	cfg[0x0b] = 0x03;		/* class: display */
	cfg[0x10] = 0x08;		/* BAR0: 32-bit prefetchable memory */
	put16(cfg + 0x2c, 0x1af4);
	put16(cfg + 0x2e, 0x1100);
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x09;		/* vendor-specific capability */
	cfg[0x41] = 0x50;		/* next: the mode capability */
	cfg[0x42] = 0x10;
	put32(cfg + 0x44, 0x34325258);	/* DRM_FORMAT_XRGB8888 */
	put32(cfg + 0x48, t->width);
	put32(cfg + 0x4c, t->height);
	cfg[0x50] = 0x09;		/* the mode capability, last */
	cfg[0x52] = 0x24;		/* with FLAGS at 0x70 */
	cfg[0x53] = 0x02;		/* its version */
	put32(cfg + 0x54, 0x45444f4d);	/* "MODE" */
	put32(cfg + 0x58, (uint32_t)bar_size_for(t));
	put32(cfg + 0x5c, t->width);	/* default */
	put32(cfg + 0x60, t->height);
	put32(cfg + 0x64, t->width);	/* request */
	put32(cfg + 0x68, t->height);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bits of byte @off a guest write may change; all others are read-only. */
static uint8_t model_wmask(uint32_t off, uint64_t bar_size)
{
	uint32_t bar_mask = (uint32_t)~(bar_size - 1) & ~0xfu;

	if (off == 0x04)
		return 0x06;		/* memory, bus master (no I/O BAR) */
	if (off >= 0x10 && off < 0x14)
		return (uint8_t)(bar_mask >> (8 * (off - 0x10)));
	if (off == 0x3c)
		return 0xff;		/* interrupt line: scratch */
	if (off >= 0x64 && off < 0x6c)
		return 0xff;		/* requested width, height */
	return 0;
}

/* The uapi header's mode rules, first broken one wins */
static uint32_t model_mode_status(const uint8_t *cfg, uint32_t w, uint32_t h)
{
	if (!w || !h)
		return 1;
	if (w > 16384 || h > 16384)
		return 2;
	if (w % 8 && w != get32(cfg + 0x5c))
		return 3;
	if ((uint64_t)w * h * 4 > get32(cfg + 0x58))
		return 4;
	return 0;
}

static void model_write(uint8_t *cfg, uint32_t off, const uint8_t *src,
			size_t len, uint64_t bar_size)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t m = model_wmask(off + (uint32_t)i, bar_size);

		cfg[off + i] = (uint8_t)((cfg[off + i] & ~m) | (src[i] & m));
	}
	/* a 1 written to CTRL's low byte asks for the requested mode */
	if (off <= 0x6c && off + len > 0x6c && src[0x6c - off] == 1) {
		uint32_t w = get32(cfg + 0x64), h = get32(cfg + 0x68);
		uint32_t st = model_mode_status(cfg, w, h);

		if (!st) {
			put32(cfg + 0x48, w);
			put32(cfg + 0x4c, h);
		}
		put32(cfg + 0x6c, st);
		cfg[0x70] |= 0x01;	/* FLAGS.SCANOUT: the guest uses it */
	}
}

/* Names the first register whose bytes differ from the model. */
static int cfg_compare(const uint8_t *got, const uint8_t *want, const char *ctx)
{
	int i;

	for (i = 0; i < CFG_SIZE; i++) {
		if (got[i] != want[i]) {
			ht_diag("%s: config byte 0x%02x = 0x%02x, want 0x%02x",
				ctx, i, got[i], want[i]);
			return 1;
		}
	}
	return 0;
}

#define R(off, len) ({							\
	uint32_t v_ = 0xdeadbeef;					\
	ASSERT_RET(cfg_get(&self->d, off, len, &v_), 0);		\
	v_;								\
})

#define W(off, len, val) ASSERT_RET(cfg_put(&self->d, off, len, val), 0)

/* A config write, and what @at_len bytes at @at must read after it */
struct wcheck {
	uint32_t off;
	int len;
	uint32_t val;
	uint32_t at;
	int at_len;
	uint32_t want;
};

/* Applies @n writes in order; after each, its read-back must match. */
static void check_writes(struct vdev *d, const struct wcheck *c, size_t n)
{
	uint32_t got;
	size_t i;

	for (i = 0; i < n; i++) {
		ASSERT_RET(cfg_put(d, c[i].off, c[i].len, c[i].val), 0);
		got = 0xdeadbeef;
		ASSERT_RET(cfg_get(d, c[i].at, c[i].at_len, &got), 0);
		if (got != c[i].want) {
			ht_diag("%d-byte write of 0x%x at 0x%02x: %d bytes at 0x%02x read 0x%x, want 0x%x",
				c[i].len, c[i].val, c[i].off, c[i].at_len,
				c[i].at, got, c[i].want);
			ht_fail(0);
		}
	}
}

#define CHECK_WRITES(c) check_writes(&self->d, c, sizeof(c) / sizeof((c)[0]))

TEST_F(dev, power_on_table)
{
	uint8_t want[CFG_SIZE];

	model_init(want, self->t);
	EXPECT_FALSE(cfg_compare(self->cfg0, want, "power-on"));
}

TEST_F(dev, ids)
{
	EXPECT_EQ(R(0x00, 2), MDPY_PCI_VENDOR_ID);
	EXPECT_EQ(R(0x00, 2), 0x1b36);
	EXPECT_EQ(R(0x02, 2), 0x000f);
	EXPECT_EQ(R(0x00, 4), 0x000f1b36);
	EXPECT_EQ(R(0x08, 1), 0x01);
	EXPECT_EQ(R(0x09, 1), 0x00);
	EXPECT_EQ(R(0x0a, 1), 0x80);
	EXPECT_EQ(R(0x0b, 1), 0x03);
	EXPECT_EQ(R(0x08, 4), 0x03800001);
	EXPECT_EQ(R(0x0e, 1), 0x00);	/* header type 0, single function */
	EXPECT_EQ(R(0x2c, 2), 0x1af4);
	EXPECT_EQ(R(0x2e, 2), 0x1100);
	EXPECT_EQ(R(0x2c, 4), 0x11001af4);
	EXPECT_EQ(R(0x3d, 1), 0x00);	/* no interrupt pin */
}

TEST_F(dev, status_and_command_power_on)
{
	EXPECT_EQ(R(0x06, 2), 0x0010);
	EXPECT_EQ(R(0x04, 2), 0x0000);
	EXPECT_EQ(R(0x04, 4), 0x00100000);
}

TEST_F(dev, command_writable_bits)
{
	static const struct wcheck writes[] = {
		/* memory space and bus master; I/O space is hard-wired 0: no I/O BAR */
		{ 0x04, 2, 0xffff, 0x04, 2, 0x0006 },
		{ 0x04, 2, 0x0000, 0x04, 2, 0x0000 },
		/* byte writes: the low byte holds all writable bits */
		{ 0x04, 1, 0xff, 0x04, 2, 0x0006 },
		{ 0x05, 1, 0xff, 0x04, 2, 0x0006 },
		{ 0x04, 1, 0x02, 0x04, 2, 0x0002 },
		/* a dword write covering command and status */
		{ 0x04, 4, 0xffffffff, 0x04, 4, 0x00100006 },
		{ 0x04, 4, 0x00000000, 0x04, 4, 0x00100000 },
	};
	uint32_t bit;

	for (bit = 0; bit < 16; bit++) {
		W(0x04, 2, 1u << bit);
		EXPECT_EQ(R(0x04, 2), bit == 1 || bit == 2 ? 1u << bit : 0);
	}
	CHECK_WRITES(writes);
}

/* Whatever a write covering status holds, status keeps its one bit. */
TEST_F(dev, status_read_only)
{
	static const struct {
		uint32_t off;
		int len;
		uint32_t val;
	} writes[] = {
		{ 0x06, 2, 0xffff }, { 0x06, 2, 0x0000 },	/* the word */
		{ 0x06, 1, 0x00 }, { 0x07, 1, 0xff },		/* each byte */
		{ 0x04, 4, 0x00000000 },	/* the dword with command */
		{ 0x05, 2, 0xffff },		/* an unaligned word across both */
	};
	unsigned int i;

	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		W(writes[i].off, writes[i].len, writes[i].val);
		EXPECT_EQ(R(0x06, 2), 0x0010);
	}
	/* the unaligned word's low byte hit command's upper byte: read-only */
	EXPECT_EQ(R(0x04, 4), 0x00100000);
}

TEST_F(dev, bar0_size_law)
{
	uint64_t size = self->d.bar.size;

	EXPECT_GE(size, fb_size(self->t));
	EXPECT_EQ(size & (size - 1), 0);
	EXPECT_GE(size, PAGE_SZ);
	/* a 32-bit BAR can only describe sizes up to 2 GiB */
	EXPECT_LE(size, 1ULL << 31);
}

TEST_F(dev, bar0_sizing)
{
	uint64_t size = self->d.bar.size;
	uint32_t mask = (uint32_t)~(size - 1);

	EXPECT_EQ(R(0x10, 4), 0x00000008);
	W(0x10, 4, 0xffffffff);
	EXPECT_EQ(R(0x10, 4), (mask & ~0xfu) | 0x8);
	/* the size can be read back bytewise too */
	EXPECT_EQ(R(0x10, 1), ((mask & ~0xfu) | 0x8) & 0xff);
	EXPECT_EQ(R(0x12, 2), mask >> 16);
	W(0x10, 4, 0x00000000);
	EXPECT_EQ(R(0x10, 4), 0x00000008);
}

TEST_F(dev, bar0_address_masking)
{
	uint64_t size = self->d.bar.size;
	uint32_t mask = (uint32_t)~(size - 1) & ~0xfu;
	uint32_t v;
	int i;

	W(0x10, 4, 0xfe000000);
	EXPECT_EQ(R(0x10, 4), (0xfe000000 & mask) | 0x8);
	W(0x10, 4, 0xfebfffff);
	EXPECT_EQ(R(0x10, 4), (0xfebfffff & mask) | 0x8);
	for (i = 0; i < 64; i++) {
		v = (uint32_t)rand64();
		W(0x10, 4, v);
		EXPECT_EQ(R(0x10, 4), (v & mask) | 0x8);
	}
	/* the type nibble is read-only: writing zeros keeps 0x8 */
	W(0x10, 1, 0x00);
	EXPECT_EQ(R(0x10, 1) & 0xf, 0x8);
}

TEST_F(dev, bar0_byte_writes)
{
	uint64_t size = self->d.bar.size;
	uint32_t mask = (uint32_t)~(size - 1) & ~0xfu;
	uint32_t cur, want;
	int b;

	W(0x10, 4, 0);
	for (b = 0; b < 4; b++) {
		cur = R(0x10, 4);
		W(0x10 + b, 1, 0xff);
		want = (cur & ~(0xffu << (8 * b))) |
		       ((cur | (mask & (0xffu << (8 * b)))) & (0xffu << (8 * b)));
		EXPECT_EQ(R(0x10, 4), want);
	}
	EXPECT_EQ(R(0x10, 4), mask | 0x8);
	/* clearing one byte leaves the others */
	W(0x13, 1, 0x00);
	EXPECT_EQ(R(0x10, 4), (mask & 0x00ffffffu) | 0x8);
}

TEST_F(dev, bars_1_to_5_and_rom_read_zero)
{
	static const uint32_t regs[] = { 0x14, 0x18, 0x1c, 0x20, 0x24, 0x30 };
	unsigned int i;
	int w;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		EXPECT_EQ(R(regs[i], 4), 0);
		for (w = 1; w <= 4; w *= 2) {
			uint32_t o;

			for (o = 0; o < 4; o += (uint32_t)w) {
				W(regs[i] + o, w, 0xffffffff);
				EXPECT_EQ(R(regs[i], 4), 0);
			}
		}
	}
}

TEST_F(dev, capability_chain)
{
	uint32_t ptr, seen = 0;

	EXPECT_TRUE(R(0x06, 2) & 0x0010);
	ptr = R(0x34, 1);
	EXPECT_EQ(ptr, 0x40);
	/*
	 * Walk the list as an OS would: the sample's vendor capability
	 * first, then the mode capability, which a guest knows by its magic
	 */
	while (ptr && seen < 48) {
		ASSERT_GE(ptr, 0x40);
		ASSERT_LE(ptr, CFG_SIZE - 4);
		EXPECT_EQ(R(ptr, 1), 0x09);
		EXPECT_EQ(R(ptr + 2, 1), seen ? 0x24 : 0x10);
		if (seen)
			EXPECT_EQ(R(ptr + 4, 4), MDPY_MODECAP_MAGIC_VALUE);
		ptr = R(ptr + 1, 1) & ~3u;
		seen++;
	}
	EXPECT_EQ(seen, 2);
}

TEST_F(dev, vendor_capability_values)
{
	EXPECT_EQ(R(0x40, 4), 0x00105009);	/* next: the mode capability */
	EXPECT_EQ(R(0x44, 4), 0x34325258);
	EXPECT_EQ(R(MDPY_FORMAT_OFFSET, 4), MDPY_FORMAT_XRGB8888);
	EXPECT_EQ(R(0x48, 4), self->t->width);
	EXPECT_EQ(R(0x4c, 4), self->t->height);
	EXPECT_EQ(R(MDPY_WIDTH_OFFSET, 4), self->t->width);
	EXPECT_EQ(R(MDPY_HEIGHT_OFFSET, 4), self->t->height);
}

TEST_F(dev, vendor_capability_read_only)
{
	uint8_t got[CFG_SIZE];
	uint32_t o;
	int w;

	for (w = 1; w <= 4; w *= 2)
		for (o = 0x40; o + (uint32_t)w <= 0x50; o++) {
			W(o, w, 0xffffffff);
			W(o, w, 0);
		}
	ASSERT_RET(cfg_dump(&self->d, got), 0);
	EXPECT_MEMEQ(got + 0x40, self->cfg0 + 0x40, 0x10);
}

TEST_F(dev, interrupt_line_scratch_pin_read_only)
{
	static const struct wcheck writes[] = {
		{ 0x3d, 1, 0xff, 0x3d, 1, 0x00 },
		/* wider writes: only the line byte takes its value */
		{ 0x3c, 2, 0xffff, 0x3c, 2, 0x00ff },
		{ 0x3c, 4, 0x12345678, 0x3c, 4, 0x00000078 },
	};
	uint32_t v;

	/* the line is a scratch byte: every value reads back */
	for (v = 0; v < 256; v++) {
		W(0x3c, 1, v);
		EXPECT_EQ(R(0x3c, 1), v);
	}
	CHECK_WRITES(writes);
}

/* Every offset, every width: reads agree with one 256-byte read. */
TEST_F(dev, reads_at_every_offset_and_width)
{
	static const int widths[] = { 1, 2, 3, 4, 8, 16 };
	uint8_t full[CFG_SIZE], part[16];
	unsigned int wi;
	uint32_t o;

	ASSERT_RET(cfg_dump(&self->d, full), 0);
	EXPECT_MEMEQ(full, self->cfg0, CFG_SIZE);
	for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
		int w = widths[wi];

		for (o = 0; o + (uint32_t)w <= CFG_SIZE; o++) {
			ssize_t n = pread(self->d.fd, part, w, self->d.cfg.offset + o);

			if (n != w) {
				ht_diag("read %d bytes at 0x%x: %zd errno %s", w,
					o, n, ht_errname(errno));
				ht_fail(1);
			}
			if (memcmp(part, full + o, w)) {
				ht_diag("read %d bytes at 0x%x differs from the full read", w, o);
				ht_fail(0);
			}
		}
	}
}

/*
 * Writes of all-ones, zeros and random bytes at every offset with widths
 * 1, 2 and 4: after each one the whole space must equal the model, so a
 * read-only register that moves, or a neighbour byte that changes, shows.
 */
TEST_F(dev, writes_at_every_offset_follow_mask)
{
	static const int widths[] = { 1, 2, 4 };
	uint8_t model[CFG_SIZE], got[CFG_SIZE], val[4];
	uint64_t bar_size = self->d.bar.size;
	unsigned int wi, k, bad = 0;
	uint32_t o;

	model_init(model, self->t);
	for (wi = 0; wi < 3; wi++) {
		int w = widths[wi];

		for (o = 0; o + (uint32_t)w <= CFG_SIZE && bad < 5; o++) {
			for (k = 0; k < 3; k++) {
				char ctx[64];

				if (k == 0)
					memset(val, 0xff, sizeof(val));
				else if (k == 1)
					memset(val, 0, sizeof(val));
				else
					rand_fill(val, sizeof(val));
				ASSERT_EQ(pwrite(self->d.fd, val, w,
						 self->d.cfg.offset + o), w);
				model_write(model, o, val, w, bar_size);
				ASSERT_RET(cfg_dump(&self->d, got), 0);
				snprintf(ctx, sizeof(ctx), "after %d-byte write of %02x.. at 0x%02x",
					 w, val[0], o);
				if (cfg_compare(got, model, ctx)) {
					ht_fail(0);
					bad++;
					/* resync so one fault is reported once */
					memcpy(model, got, sizeof(model));
				}
			}
		}
	}
}

/* Longer writes (QEMU and tools may write many bytes at once). */
TEST_F(dev, long_writes_follow_mask)
{
	static const int lens[] = { 3, 5, 8, 16, 64, 255, 256 };
	uint8_t model[CFG_SIZE], got[CFG_SIZE], val[CFG_SIZE];
	uint64_t bar_size = self->d.bar.size;
	unsigned int i;

	model_init(model, self->t);
	for (i = 0; i < 200; i++) {
		int len = lens[rand64() % (sizeof(lens) / sizeof(lens[0]))];
		uint32_t o = (uint32_t)(rand64() % (CFG_SIZE - len + 1));
		char ctx[64];

		if (i & 1)
			rand_fill(val, len);
		else
			memset(val, (i & 2) ? 0xff : 0, len);
		ASSERT_EQ(pwrite(self->d.fd, val, len, self->d.cfg.offset + o), len);
		model_write(model, o, val, len, bar_size);
		ASSERT_RET(cfg_dump(&self->d, got), 0);
		snprintf(ctx, sizeof(ctx), "after %d-byte write at 0x%02x", len, o);
		if (cfg_compare(got, model, ctx))
			ht_fail(1);
	}
}

TEST_F(dev, end_boundary)
{
	uint64_t base = self->d.cfg.offset;
	uint8_t buf[512], got[CFG_SIZE];

	EXPECT_EQ(self->d.cfg.size, CFG_SIZE);
	/* the last byte, word and dword are readable */
	EXPECT_EQ(pread(self->d.fd, buf, 1, base + 0xff), 1);
	EXPECT_EQ(pread(self->d.fd, buf, 2, base + 0xfe), 2);
	EXPECT_EQ(pread(self->d.fd, buf, 4, base + 0xfc), 4);
	EXPECT_EQ(pwrite(self->d.fd, buf, 4, base + 0xfc), 4);
	/* crossing or past the end: rejected, nothing partial */
	memset(buf, 0xa5, sizeof(buf));
	EXPECT_ERRNO(pread(self->d.fd, buf, 2, base + 0xff), EINVAL);
	EXPECT_ERRNO(pread(self->d.fd, buf, 4, base + 0xfd), EINVAL);
	EXPECT_ERRNO(pread(self->d.fd, buf, 4, base + 0xfe), EINVAL);
	EXPECT_ERRNO(pread(self->d.fd, buf, 4, base + 0xff), EINVAL);
	EXPECT_ERRNO(pread(self->d.fd, buf, 1, base + 0x100), EINVAL);
	EXPECT_ERRNO(pread(self->d.fd, buf, 257, base), EINVAL);
	EXPECT_ERRNO(pread(self->d.fd, buf, 512, base), EINVAL);
	EXPECT_EQ(buf[0], 0xa5);
	EXPECT_EQ(buf[255], 0xa5);
	memset(buf, 0xff, sizeof(buf));
	EXPECT_ERRNO(pwrite(self->d.fd, buf, 0xc5, base + 0x3c), EINVAL);
	EXPECT_ERRNO(pwrite(self->d.fd, buf, 257, base), EINVAL);
	EXPECT_ERRNO(pwrite(self->d.fd, buf, 8, base + 0xfc), EINVAL);
	ASSERT_RET(cfg_dump(&self->d, got), 0);
	EXPECT_MEMEQ(got, self->cfg0, CFG_SIZE);
}

TEST_F(dev, reset_restores_power_on_state)
{
	uint8_t got[CFG_SIZE], want[CFG_SIZE];

	W(0x04, 2, 0x0006);
	W(0x10, 4, 0xffffffff);
	W(0x3c, 1, 0x0b);
	ASSERT_RET(cfg_dump(&self->d, got), 0);
	EXPECT_NE(memcmp(got, self->cfg0, CFG_SIZE), 0);
	ASSERT_OK(ioctl(self->d.fd, VFIO_DEVICE_RESET));
	ASSERT_RET(cfg_dump(&self->d, got), 0);
	EXPECT_MEMEQ(got, self->cfg0, CFG_SIZE);
	model_init(want, self->t);
	EXPECT_FALSE(cfg_compare(got, want, "after reset"));
}

/* Closing and reopening the device fd must not scramble config space. */
TEST_F(dev, reopen_keeps_identity)
{
	uint8_t got[CFG_SIZE], want[CFG_SIZE];

	ASSERT_RET(vdev_reopen_fd(&self->d, self->uuid), 0);
	ASSERT_RET(cfg_dump(&self->d, got), 0);
	model_init(want, self->t);
	/* writable registers may persist or reset; the rest must match */
	memcpy(got + 0x04, want + 0x04, 2);
	memcpy(got + 0x10, want + 0x10, 4);
	got[0x3c] = want[0x3c];
	EXPECT_FALSE(cfg_compare(got, want, "after reopen"));
}

HARNESS_MAIN
