// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: one instance of every type, driven by a sequence of
 * operations decoded from the input:
 *
 *   config reads and writes of any width at any offset (valid or not),
 *   BAR0 sizing writes, resets, plane queries, accesses through the VFIO
 *   region decoder (dispatched to config space or the power-on picture as
 *   the kernel glue does), raw decodes, region sizes, and switching the
 *   instance under test.
 *
 * After every step all three instances are checked against a model kept by
 * the oracle in fuzz.h: identity and read-only bits as at power-on, the
 * writable bits as written, the BAR sizing law, and the power-on snapshot
 * compared through mdpy_cfg_wmask().
 */
#include "fuzz.h"

#define MAX_STEPS	512
#define MAX_BAR_READ	16384

struct inst {
	const struct mdpy_type *type;
	struct otype o;
	struct mdpy_core core;
	u8 model[MDPY_CFG_SIZE];	/* what config space must hold */
	u8 power_on[MDPY_CFG_SIZE];	/* oracle's power-on image */
	u8 snapshot[MDPY_CFG_SIZE];	/* core's own image after init */
	u8 wmask[MDPY_CFG_SIZE];	/* mdpy_cfg_wmask(), checked at init */
};

static struct inst insts[MDPY_NUM_BUILTIN_TYPES];

#ifdef FUZZ_INJECT_BUG
/*
 * Self-test build: pretend the write path forgot the mask on the
 * subsystem vendor ID.  The invariants must catch it within seconds.
 */
static int cfg_write(struct mdpy_core *c, u64 off, const void *buf, u64 len)
{
	int ret = mdpy_cfg_write(c, off, buf, len);

	if (!ret && off <= 0x2c && off + len > 0x2c)
		c->cfg[0x2c] = ((const u8 *)buf)[0x2c - off];
	return ret;
}
#else
#define cfg_write mdpy_cfg_write
#endif

static void check_inst(struct inst *in)
{
	u8 img[MDPY_CFG_SIZE];
	u32 i;

	FUZZ_ASSERT(in->core.type == in->type, "core lost its type");
	FUZZ_ASSERT(mdpy_cfg_read(&in->core, 0, img, sizeof(img)) == 0,
		    "whole-space read refused");
	FUZZ_ASSERT(memcmp(img, in->core.cfg, sizeof(img)) == 0,
		    "read does not return the config image");
	check_cfg_image(&in->o, img, in->model, in->power_on);

	/* the same law, through the core's own mask and snapshot */
	for (i = 0; i < MDPY_CFG_SIZE; i++) {
		u8 m = in->wmask[i];

		if (!oracle_device_set(i) &&
		    (img[i] & ~m) != (in->snapshot[i] & ~m))
			FUZZ_FAIL("config 0x%02x: 0x%02x vs power-on snapshot 0x%02x outside wmask 0x%02x",
				  i, img[i], in->snapshot[i], m);
	}
}

static void init_inst(struct inst *in, const struct mdpy_type *t)
{
	u32 i;

	in->type = t;
	otype_of(t, &in->o);
	mdpy_core_init(&in->core, t);
	oracle_power_on(&in->o, in->power_on);
	memcpy(in->model, in->power_on, sizeof(in->model));
	memcpy(in->snapshot, in->core.cfg, sizeof(in->snapshot));
	if (memcmp(in->snapshot, in->power_on, sizeof(in->snapshot))) {
		for (i = 0; i < MDPY_CFG_SIZE; i++)
			if (in->snapshot[i] != in->power_on[i])
				FUZZ_FAIL("%s power-on config 0x%02x is 0x%02x, ABI says 0x%02x",
					  t->name, i, in->snapshot[i],
					  in->power_on[i]);
	}
	for (i = 0; i < 0x200; i++) {
		u8 want = i < MDPY_CFG_SIZE ? oracle_wmask(&in->o, i) : 0;
		u8 got = mdpy_cfg_wmask(&in->core, i);

		if (got != want)
			FUZZ_FAIL("%s wmask of 0x%x is 0x%02x, ABI says 0x%02x",
				  t->name, i, got, want);
		if (i < MDPY_CFG_SIZE)
			in->wmask[i] = got;
	}
}

/* Offsets: mostly inside the space, sometimes just past it, sometimes wild */
static u64 pick_off(struct fstream *s)
{
	u8 sel = fs_u8(s);

	if (sel < 200)
		return fs_u8(s);
	if (sel < 240)
		return MDPY_CFG_SIZE + (fs_u8(s) & 0x3f);
	return fs_edge64(s, MDPY_CFG_SIZE);
}

static u64 pick_len(struct fstream *s)
{
	static const u64 lens[] = { 1, 2, 4, 4, 1, 2, 0, 3, 8, 16, 64, 255,
				    256, 257 };
	u8 sel = fs_u8(s);

	if (sel < 224)
		return lens[sel % (sizeof(lens) / sizeof(lens[0]))];
	return fs_edge64(s, MDPY_CFG_SIZE);
}

static int cfg_ok(u64 off, u64 len)
{
	return off < MDPY_CFG_SIZE && len <= MDPY_CFG_SIZE - off;
}

/*
 * Buffers are exactly as long as a correct access may touch (capped for
 * invalid lengths), so a bounds bug in core/ is an ASan report.
 */
static void do_cfg_read(struct inst *in, u64 off, u64 len)
{
	size_t n = len < 1024 ? (size_t)len : 1024;
	u8 *buf = malloc(n ? n : 1);
	int ret;

	memset(buf, 0xa5, n ? n : 1);
	ret = mdpy_cfg_read(&in->core, off, buf, len);
	if (!cfg_ok(off, len)) {
		size_t i;

		FUZZ_ASSERT(ret == -EINVAL, "read off 0x%llx len 0x%llx: %d",
			    (unsigned long long)off, (unsigned long long)len,
			    ret);
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(buf[i] == 0xa5, "refused read wrote the buffer");
	} else {
		FUZZ_ASSERT(ret == 0, "read off 0x%llx len 0x%llx: %d",
			    (unsigned long long)off, (unsigned long long)len,
			    ret);
		if (memcmp(buf, in->model + off, n))
			FUZZ_FAIL("read off 0x%llx len %zu differs from the model",
				  (unsigned long long)off, n);
	}
	free(buf);
}

static void do_cfg_write(struct inst *in, struct fstream *s, u64 off, u64 len)
{
	size_t n = len < 1024 ? (size_t)len : 1024, i;
	u8 *buf = malloc(n ? n : 1);
	int ret;

	for (i = 0; i < n; i++)
		buf[i] = fs_u8(s);
	ret = cfg_write(&in->core, off, buf, len);
	if (!cfg_ok(off, len)) {
		FUZZ_ASSERT(ret == -EINVAL, "write off 0x%llx len 0x%llx: %d",
			    (unsigned long long)off, (unsigned long long)len,
			    ret);
	} else {
		FUZZ_ASSERT(ret == 0, "write off 0x%llx len 0x%llx: %d",
			    (unsigned long long)off, (unsigned long long)len,
			    ret);
		oracle_cfg_write(&in->o, in->model, off, buf, n);
	}
	free(buf);
}

/* Standard BAR sizing: all-ones (or anything) written, mask read back */
static void do_bar_write(struct inst *in, struct fstream *s)
{
	u8 sel = fs_u8(s);
	u32 val = sel & 1 ? 0xffffffff : fs_u32(s);
	u32 width = 1u << ((sel >> 1) % 3);
	u32 off = 0x10 + ((sel >> 3) & 3) / width * width;
	u8 b[4], rb[4];

	put_le(b, val, 4);
	do_cfg_write(in, &(struct fstream){ b, width }, off, width);
	if (val == 0xffffffff && width == 4) {
		u32 want = ~(u32)(in->o.bar_size - 1) | 0x8;

		FUZZ_ASSERT(mdpy_cfg_read(&in->core, 0x10, rb, 4) == 0,
			    "BAR0 read refused");
		FUZZ_ASSERT(get_le(rb, 4) == want,
			    "%s sizing read 0x%08x, want 0x%08x",
			    in->type->name, get_le(rb, 4), want);
	}
}

static void do_plane(struct inst *in, struct fstream *s)
{
	struct mdpy_plane p;
	struct mdpy_mode mode;
	u8 sel = fs_u8(s);
	u32 ptype = sel < 128 ? sel & 3 : fs_u32(s);
	int ret;

	memset(&p, 0x5a, sizeof(p));
	mdpy_core_mode(&in->core, &mode);
	ret = mdpy_plane_get(&mode, mdpy_core_scanout(&in->core), ptype, &p);
	check_plane(&in->o, in->model, ptype, ret, &p);
	if (!ret && p.format) {
		/* the plane and the vendor capability describe one frame */
		FUZZ_ASSERT(get_le(in->core.cfg + MDPY_WIDTH_OFFSET, 4) == p.width &&
			    get_le(in->core.cfg + MDPY_HEIGHT_OFFSET, 4) == p.height &&
			    get_le(in->core.cfg + MDPY_FORMAT_OFFSET, 4) == p.format,
			    "plane disagrees with the vendor capability");
	}
}

static void read_picture(struct inst *in, u64 off, u64 len)
{
	size_t n = len < MAX_BAR_READ ? (size_t)len : MAX_BAR_READ;
	u8 *buf = malloc(n ? n : 1);

	mdpy_fb_initial(in->type, off, buf, n);
	check_fb_bytes(&in->o, off, buf, n);
	free(buf);
}

/* An access at a device-file position, dispatched like the kernel's rw */
static void do_region_access(struct inst *in, struct fstream *s)
{
	u8 sel = fs_u8(s);
	u64 idx = sel % 10 == 9 ? fs_edge64(s, 9) : sel % 10;
	u64 size = idx < MDPY_NUM_REGIONS ? in->o.bar_size : MDPY_CFG_SIZE;
	u64 roff = fs_edge64(s, idx == 7 ? MDPY_CFG_SIZE : size);
	u64 pos = (idx << MDPY_REGION_SHIFT) + roff;
	u64 len = sel & 0x80 ? pick_len(s) : fs_edge64(s, size - roff);
	u32 index = 0xdead;
	u64 off = 0xdeadbeef;
	int ret;

	ret = mdpy_access_decode(in->type, pos, len, &index, &off);
	check_decode(&in->o, pos, len, ret, index, off);
	if (ret)
		return;
	if (index == MDPY_REGION_CONFIG) {
		if (sel & 0x40)
			do_cfg_write(in, s, off, len);
		else
			do_cfg_read(in, off, len);
	} else if (index == MDPY_REGION_BAR0) {
		read_picture(in, off, len);
	}
}

static void do_raw_decode(struct inst *in, struct fstream *s)
{
	u64 pos = fs_edge64(s, mdpy_region_offset(fs_u8(s) & 15));
	u64 len = fs_edge64(s, in->o.bar_size);
	u32 index = 0xdead;
	u64 off = 0xdeadbeef;
	int ret = mdpy_access_decode(in->type, pos, len, &index, &off);

	check_decode(&in->o, pos, len, ret, index, off);
}

static void do_region_size(struct inst *in, struct fstream *s)
{
	u32 idx = fs_u8(s) < 200 ? fs_u8(s) % 12 : fs_u32(s);
	u64 want = idx < MDPY_NUM_REGIONS ? oracle_region_size(&in->o, idx) : 0;
	u64 got = mdpy_region_size(in->type, idx);

	FUZZ_ASSERT(got == want, "region %u size 0x%llx, want 0x%llx", idx,
		    (unsigned long long)got, (unsigned long long)want);
	FUZZ_ASSERT(mdpy_region_offset(idx) == (u64)idx << 40,
		    "region %u offset", idx);
}

static void do_picture(struct inst *in, struct fstream *s)
{
	u8 sel = fs_u8(s);
	u64 anchor = sel & 1 ? in->o.fb_size : (u64)in->o.width * 4 * (sel >> 1);
	u64 off = fs_edge64(s, anchor);
	u64 len = fs_u16(s) % (MAX_BAR_READ + 1);

	read_picture(in, off, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstream s = { data, size };
	unsigned int i, steps = 0, cur = 0;

	for (i = 0; i < MDPY_NUM_BUILTIN_TYPES; i++)
		init_inst(&insts[i], &mdpy_types[i]);

	while (!fs_empty(&s) && steps++ < MAX_STEPS) {
		struct inst *in = &insts[cur];
		u8 op = fs_u8(&s);
		u64 off, len;

		switch (op % 10) {
		case 0:
			off = pick_off(&s);
			len = pick_len(&s);
			do_cfg_read(in, off, len);
			break;
		case 1:
			off = pick_off(&s);
			len = pick_len(&s);
			do_cfg_write(in, &s, off, len);
			break;
		case 2:
			do_bar_write(in, &s);
			break;
		case 3:
			mdpy_core_reset(&in->core);
			memcpy(in->model, in->power_on, sizeof(in->model));
			break;
		case 4:
			do_plane(in, &s);
			break;
		case 5:
			do_region_access(in, &s);
			break;
		case 6:
			do_raw_decode(in, &s);
			break;
		case 7:
			do_picture(in, &s);
			break;
		case 8:
			cur = fs_u8(&s) % MDPY_NUM_BUILTIN_TYPES;
			break;
		default:
			do_region_size(in, &s);
			break;
		}
		check_inst(in);
		if (op % 10 == 8)
			check_inst(&insts[cur]);
	}
	/* the others must not have been touched meanwhile */
	for (i = 0; i < MDPY_NUM_BUILTIN_TYPES; i++)
		check_inst(&insts[i]);
	return 0;
}
