/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the libFuzzer targets for core/: a reader that turns the
 * fuzzer's bytes into numbers (biased towards interesting edges), and an
 * oracle of the device written from the documented ABI, independent of
 * core/, against which every result is checked.
 *
 * A broken invariant prints what was expected and aborts, which libFuzzer
 * reports as a crash and saves the input under its artifact prefix.
 */
#ifndef MDPY_FUZZ_H
#define MDPY_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/mdpy_core.h"

#define FUZZ_FAIL(...) do {						\
	fprintf(stderr, "INVARIANT BROKEN at %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

#define FUZZ_ASSERT(cond, ...) do {					\
	if (!(cond))							\
		FUZZ_FAIL("!(" #cond ") " __VA_ARGS__);			\
} while (0)

/* --- input stream ------------------------------------------------------ */

struct fstream {
	const uint8_t *p;
	size_t left;
};

static inline int fs_empty(const struct fstream *s)
{
	return s->left == 0;
}

/* Missing bytes read as zero, so every input decodes to something */
static inline uint8_t fs_u8(struct fstream *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static inline uint16_t fs_u16(struct fstream *s)
{
	return fs_u8(s) | (uint16_t)fs_u8(s) << 8;
}

static inline uint32_t fs_u32(struct fstream *s)
{
	return fs_u16(s) | (uint32_t)fs_u16(s) << 16;
}

static inline uint64_t fs_u64(struct fstream *s)
{
	return fs_u32(s) | (uint64_t)fs_u32(s) << 32;
}

/*
 * A 64-bit number near an edge: small, near a power of two (both sides),
 * near 2^63 or 2^64, near a given anchor, or fully arbitrary.
 */
static inline uint64_t fs_edge64(struct fstream *s, uint64_t anchor)
{
	uint8_t sel = fs_u8(s);
	int64_t delta = (int8_t)fs_u8(s);

	switch (sel & 7) {
	case 0:
		return fs_u8(s);
	case 1:
		return (1ULL << (fs_u8(s) & 63)) + delta;
	case 2:
		return (1ULL << 63) + delta;
	case 3:
		return (uint64_t)delta;		/* near 0 or near 2^64 */
	case 4:
	case 5:
		return anchor + delta;
	case 6:
		return anchor + (int64_t)(int16_t)fs_u16(s);
	default:
		return fs_u64(s);
	}
}

/* --- oracle: what the ABI documents ------------------------------------ */

struct otype {
	uint32_t width, height;
	uint32_t def_w, def_h;	/* the instance's default mode */
	uint64_t fb_size;	/* visible bytes */
	uint64_t bar_size;	/* power of two, at least a page */
	uint8_t wmask[256];	/* oracle_wmask() of every config byte */
};

static inline uint8_t oracle_wmask(const struct otype *o, uint32_t off);

static inline void otype_of(const struct mdpy_type *t, struct otype *o)
{
	/* the README's table, by resolution */
	static const struct { uint32_t w, h, bar; } table[] = {
		{ 640, 480, 2u << 20 },
		{ 1024, 768, 4u << 20 },
		{ 1920, 1080, 8u << 20 },
	};
	size_t i;

	o->width = t->width;
	o->height = t->height;
	o->def_w = t->width;
	o->def_h = t->height;
	o->fb_size = (uint64_t)t->width * t->height * 4;
	o->bar_size = 0;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].w == t->width && table[i].h == t->height)
			o->bar_size = table[i].bar;
	/* an added type: the README's rule, a power of two of at least 4 KiB */
	if (!o->bar_size)
		for (o->bar_size = 4096; o->bar_size < o->fb_size;)
			o->bar_size *= 2;
	for (i = 0; i < sizeof(o->wmask); i++)
		o->wmask[i] = oracle_wmask(o, i);
}

/*
 * The type an input picks: a built-in one or one a `types` list adds,
 * odd sizes included (one-pixel sides, a width that is no multiple of 4).
 */
#define FUZZ_ADDED_TYPES	"2560x1440,333x7,1x1,1366x768,16384x1"

static inline const struct mdpy_type *fuzz_type(uint8_t sel)
{
	static struct mdpy_type_set set;

	if (!set.count && mdpy_types_parse(&set, FUZZ_ADDED_TYPES))
		FUZZ_FAIL("%s refused: %s", FUZZ_ADDED_TYPES, set.why);
	return &set.types[sel % set.count];
}

/* Writable bits of config byte @off: command I/O|mem|master, BAR0 address
 * bits above the size, interrupt line.  Everything else is read-only. */
static inline uint8_t oracle_wmask(const struct otype *o, uint32_t off)
{
	uint32_t bar;

	if (off == 0x04)
		return 0x06;	/* memory, bus master; no I/O BAR, so no I/O */
	if (off >= 0x10 && off < 0x14) {
		bar = ~(uint32_t)(o->bar_size - 1) & ~0xfu;
		return (bar >> (8 * (off - 0x10))) & 0xff;
	}
	if (off == 0x3c)
		return 0xff;
	if (off >= 0x64 && off < 0x6c)
		return 0xff;	/* requested width and height */
	return 0;
}

/*
 * The mode rules of include/uapi/mdpy.h, first broken rule wins: 0 (OK),
 * 1 a zero side, 2 a side over 16384, 3 width not a multiple of 8 (and
 * not the default's), 4 a frame larger than BAR0.
 */
static inline uint32_t oracle_mode_status(const struct otype *o, uint32_t w,
					  uint32_t h)
{
	if (w == 0 || h == 0)
		return 1;
	if (w > 16384 || h > 16384)
		return 2;
	if (w % 8 && w != o->def_w)
		return 3;
	if ((uint64_t)w * h * 4 > o->bar_size)
		return 4;
	return 0;
}

/* An admin default is any mode the BAR holds: no alignment rule */
static inline int oracle_default_ok(const struct otype *o, uint32_t w,
				    uint32_t h)
{
	return w && h && w <= 16384 && h <= 16384 &&
	       (uint64_t)w * h * 4 <= o->bar_size;
}

static inline void put_le(uint8_t *p, uint32_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static inline uint32_t get_le(const uint8_t *p, int n)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline void oracle_power_on(const struct otype *o, uint8_t *cfg)
{
	memset(cfg, 0, MDPY_CFG_SIZE);
	put_le(cfg + 0x00, 0x1b36, 2);
	put_le(cfg + 0x02, 0x000f, 2);
	put_le(cfg + 0x06, 0x0010, 2);	/* status: capability list */
	cfg[0x08] = 0x01;
	put_le(cfg + 0x0a, 0x0380, 2);
	cfg[0x10] = 0x08;		/* 32-bit prefetchable memory */
	put_le(cfg + 0x2c, 0x1af4, 2);
	put_le(cfg + 0x2e, 0x1100, 2);
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x09;		/* vendor-specific capability */
	cfg[0x41] = 0x00;
	cfg[0x42] = 0x10;
	put_le(cfg + 0x44, 0x34325258, 4);
	put_le(cfg + 0x48, o->def_w, 4);
	put_le(cfg + 0x4c, o->def_h, 4);
	/* the mode capability, linked from the first one */
	cfg[0x41] = 0x50;
	cfg[0x50] = 0x09;
	cfg[0x52] = 0x24;		/* with FLAGS at 0x70 */
	cfg[0x53] = 0x02;
	put_le(cfg + 0x54, 0x45444f4d, 4);	/* "MODE" */
	put_le(cfg + 0x58, (uint32_t)o->bar_size, 4);
	put_le(cfg + 0x5c, o->def_w, 4);
	put_le(cfg + 0x60, o->def_h, 4);
	put_le(cfg + 0x64, o->def_w, 4);
	put_le(cfg + 0x68, o->def_h, 4);
}

/* Bytes the device sets itself: current mode, command status, flags */
static inline int oracle_device_set(uint32_t off)
{
	return (off >= 0x48 && off < 0x50) || (off >= 0x6c && off < 0x74);
}

/*
 * A guest write of @n bytes at @off into the @model image: masked bytes,
 * and a mode change if it wrote 1 to CTRL's low byte (0x6c), checked
 * against the request as it is after the whole write.
 */
static inline void oracle_cfg_write(const struct otype *o, uint8_t *model,
				    uint64_t off, const uint8_t *buf, size_t n)
{
	int set = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t m = o->wmask[off + i];

		model[off + i] = (model[off + i] & ~m) | (buf[i] & m);
		if (off + i == 0x6c && buf[i] == 0x01)
			set = 1;
	}
	if (set) {
		uint32_t w = get_le(model + 0x64, 4), h = get_le(model + 0x68, 4);
		uint32_t st = oracle_mode_status(o, w, h);

		if (!st) {
			put_le(model + 0x48, w, 4);
			put_le(model + 0x4c, h, 4);
		}
		put_le(model + 0x6c, st, 4);
		/* a command, even a refused one: the guest uses the display */
		model[0x70] |= 0x01;
	}
}

/* Region sizes by vfio-pci index: BAR0 and config only */
static inline uint64_t oracle_region_size(const struct otype *o, uint64_t idx)
{
	if (idx == 0)
		return o->bar_size;
	if (idx == 7)
		return 256;
	return 0;
}

/* Byte @off of BAR0 after power-on or reset */
static inline uint8_t oracle_fb_byte(const struct otype *o, uint64_t off)
{
	uint64_t y;

	if (off >= o->fb_size || (off & 3) == 3)
		return 0;
	y = off / ((uint64_t)o->width * 4);
	return (uint8_t)(y * 256 / o->height);
}

/*
 * Check a whole config image against the oracle's model of it: the
 * identity and every read-only bit as at power-on, the writable bits as
 * @model says, and the BAR sizing law.
 */
static inline void check_cfg_image(const struct otype *o, const uint8_t *cfg,
				   const uint8_t *model, const uint8_t *power_on)
{
	uint32_t bar, i;

	for (i = 0; i < MDPY_CFG_SIZE; i++) {
		uint8_t m = o->wmask[i];

		if (!oracle_device_set(i) && (cfg[i] & ~m) != (power_on[i] & ~m))
			FUZZ_FAIL("read-only bits of config 0x%02x changed: 0x%02x, power-on 0x%02x, mask 0x%02x",
				  i, cfg[i], power_on[i], m);
		if (cfg[i] != model[i])
			FUZZ_FAIL("config 0x%02x is 0x%02x, model says 0x%02x",
				  i, cfg[i], model[i]);
	}
	bar = get_le(cfg + 0x10, 4);
	FUZZ_ASSERT((bar & 0xf) == 0x8, "BAR0 0x%08x: type nibble", bar);
	FUZZ_ASSERT((bar & (uint32_t)(o->bar_size - 1)) == 0x8,
		    "BAR0 0x%08x has bits below its size 0x%llx", bar,
		    (unsigned long long)o->bar_size);
	for (i = 0x14; i < 0x28; i++)
		FUZZ_ASSERT(cfg[i] == 0, "BAR%u is not absent", (i - 0x10) / 4);
	FUZZ_ASSERT(get_le(cfg + 0x30, 4) == 0, "expansion ROM present");
}

/* The plane of an instance whose config image is @cfg */
static inline void check_plane(const struct otype *o, const uint8_t *cfg,
			       uint32_t ptype, int ret,
			       const struct mdpy_plane *p)
{
	if (ptype != 0 && ptype != 1) {
		FUZZ_ASSERT(ret == -EINVAL, "plane type %u: ret %d", ptype, ret);
		return;
	}
	FUZZ_ASSERT(ret == 0, "plane type %u: ret %d", ptype, ret);
	if (!(cfg[0x70] & 0x01)) {
		/* not used yet: empty, so QEMU may show its boot display */
		FUZZ_ASSERT(!p->format && !p->width && !p->height &&
			    !p->stride && !p->size && !p->region_index,
			    "plane of a display not used yet: format 0x%x size %u",
			    p->format, p->size);
		return;
	}
	FUZZ_ASSERT(p->format == 0x34325258, "format 0x%x", p->format);
	FUZZ_ASSERT(p->width == get_le(cfg + 0x48, 4) &&
		    p->height == get_le(cfg + 0x4c, 4),
		    "plane %ux%u, current mode %ux%u", p->width, p->height,
		    get_le(cfg + 0x48, 4), get_le(cfg + 0x4c, 4));
	FUZZ_ASSERT(oracle_mode_status(o, p->width, p->height) == 0,
		    "plane %ux%u is no valid mode", p->width, p->height);
	FUZZ_ASSERT(p->stride == p->width * 4, "stride %u", p->stride);
	FUZZ_ASSERT(p->size == (uint64_t)p->width * p->height * 4, "size %u",
		    p->size);
	FUZZ_ASSERT((uint64_t)p->stride * p->height <= o->bar_size,
		    "plane does not fit in BAR0");
	FUZZ_ASSERT(p->region_index == 0, "region %u", p->region_index);
}

/*
 * Check one mdpy_access_decode() result against the oracle: accepted
 * exactly when [pos, pos + len) lies inside one existing region, and then
 * with the right index and offset.
 */
static inline void check_decode(const struct otype *o, uint64_t pos,
				uint64_t len, int ret, uint32_t index,
				uint64_t off)
{
	uint64_t idx = pos >> 40, o_off = pos & ((1ULL << 40) - 1);
	uint64_t size = idx < 9 ? oracle_region_size(o, idx) : 0;
	int ok = size && o_off < size && len <= size - o_off;

	if (!ok) {
		FUZZ_ASSERT(ret == -EINVAL,
			    "decode pos 0x%llx len 0x%llx accepted (%d), should be EINVAL",
			    (unsigned long long)pos, (unsigned long long)len, ret);
		return;
	}
	FUZZ_ASSERT(ret == 0, "decode pos 0x%llx len 0x%llx refused (%d)",
		    (unsigned long long)pos, (unsigned long long)len, ret);
	FUZZ_ASSERT(index == idx && off == o_off,
		    "decode pos 0x%llx gave index %u off 0x%llx",
		    (unsigned long long)pos, index, (unsigned long long)off);
	FUZZ_ASSERT(off < size && off + len <= size && off + len >= off,
		    "decoded access leaves the region");
}

/* Compare @len bytes from mdpy_fb_initial() at @off with the oracle */
static inline void check_fb_bytes(const struct otype *o, uint64_t off,
				  const uint8_t *buf, uint64_t len)
{
	uint64_t stride = (uint64_t)o->width * 4, i = 0;

	while (i < len) {
		uint64_t a = off + i, end, j;
		uint8_t level;

		if (a < off || a >= o->fb_size) {
			/* padding to the end of the BAR (and past 2^64) */
			level = 0;
			end = len;
		} else {
			/* one row: bytes B, G, R at the level, X zero */
			level = oracle_fb_byte(o, a - (a & 3));
			end = i + (stride - a % stride);
			if (end > len)
				end = len;
		}
		for (j = i; j < end; j++) {
			uint8_t want = ((off + j) & 3) == 3 ? 0 : level;

			if (buf[j] != want)
				FUZZ_FAIL("fb byte at 0x%llx is 0x%02x, want 0x%02x",
					  (unsigned long long)(off + j), buf[j],
					  want);
		}
		i = end;
	}
}

#endif /* MDPY_FUZZ_H */
