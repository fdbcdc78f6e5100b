// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the mode registers.  One instance of a type the input
 * picks (built-in or added, odd sizes included) is driven by a sequence
 * of operations: guest config writes aimed at the two capabilities (any
 * width, any bytes, the SET command often), resets, admin defaults given
 * as numbers or as the text written to sysfs, and plane queries.
 *
 * After every step the whole config space must equal the oracle's model
 * (fuzz.h, written from include/uapi/mdpy.h): the current mode is always
 * one the rules allow, a refused request keeps the last valid mode and
 * names the first broken rule, the plane shows the current mode, and the
 * migration check accepts the state (what a device holds, a stream of it
 * must be able to load), while a stream whose device-set bytes were
 * altered is accepted only if they still hold a valid mode and status.
 */
#include "fuzz.h"
#include "../../core/mdpy_mig.h"

#define MAX_STEPS	256

static struct mdpy_core core;
static struct otype o;
static u8 power_on[MDPY_CFG_SIZE], model[MDPY_CFG_SIZE];

static void check_state(const struct mdpy_type *t)
{
	struct mdpy_mode cur, def = { o.def_w, o.def_h };
	struct mdpy_plane p;
	u8 cfg[MDPY_CFG_SIZE];
	int ret;

	check_cfg_image(&o, core.cfg, model, power_on);
	mdpy_core_mode(&core, &cur);
	FUZZ_ASSERT(cur.width == get_le(model + 0x48, 4) &&
		    cur.height == get_le(model + 0x4c, 4),
		    "core mode %ux%u", cur.width, cur.height);
	FUZZ_ASSERT(oracle_mode_status(&o, cur.width, cur.height) == 0,
		    "current mode %ux%u breaks the rules", cur.width,
		    cur.height);
	FUZZ_ASSERT(core.def.width == o.def_w && core.def.height == o.def_h,
		    "default %ux%u, oracle %ux%u", core.def.width,
		    core.def.height, o.def_w, o.def_h);
	ret = mdpy_plane_get(&cur, mdpy_core_scanout(&core), MDPY_PLANE_PRIMARY,
			     &p);
	check_plane(&o, core.cfg, MDPY_PLANE_PRIMARY, ret, &p);
	FUZZ_ASSERT(mdpy_mig_config_check(t, &def, core.cfg) == 0,
		    "the device's own config fails the migration check");

	/* a stream with the device-set bytes altered */
	memcpy(cfg, core.cfg, sizeof(cfg));
	put_le(cfg + 0x48, get_le(cfg + 0x48, 4) ^ (1u << (cur.width & 31)), 4);
	if (mdpy_mig_config_check(t, &def, cfg) == 0)
		FUZZ_ASSERT(oracle_mode_status(&o, get_le(cfg + 0x48, 4),
					       get_le(cfg + 0x4c, 4)) == 0,
			    "a stream brought an invalid mode");
	memcpy(cfg, core.cfg, sizeof(cfg));
	put_le(cfg + 0x6c, 5 + cur.height, 4);
	FUZZ_ASSERT(mdpy_mig_config_check(t, &def, cfg) == -EINVAL,
		    "a stream brought an unknown status");
	memcpy(cfg, core.cfg, sizeof(cfg));
	put_le(cfg + 0x70, get_le(cfg + 0x70, 4) | 2u << (cur.width & 7), 4);
	FUZZ_ASSERT(mdpy_mig_config_check(t, &def, cfg) == -EINVAL,
		    "a stream brought an unknown flag");
}

static void do_write(struct fstream *s)
{
	static const u8 lens[] = { 1, 2, 4, 4, 4, 8, 3, 12 };
	u8 sel = fs_u8(s), buf[16];
	u64 off = sel & 0x80 ? fs_u8(s) : 0x40 + fs_u8(s) % 0x38;
	size_t len = lens[sel & 7], i;
	int ret;

	if (off + len > MDPY_CFG_SIZE)
		len = MDPY_CFG_SIZE - off;
	for (i = 0; i < len; i++)
		buf[i] = fs_u8(s);
	/* often the command, so requests get checked */
	if (sel & 0x40 && off <= 0x6c && off + len > 0x6c)
		buf[0x6c - off] = MDPY_MODE_CMD_SET;
	ret = mdpy_cfg_write(&core, off, buf, len);
	FUZZ_ASSERT(ret == 0, "write 0x%llx+%zu: %d", (unsigned long long)off,
		    len, ret);
	oracle_cfg_write(&o, model, off, buf, len);
}

/* A request of numbers near the interesting edges, then the command */
static void do_request(struct fstream *s)
{
	u8 b[12];
	u32 w = (u32)fs_edge64(s, o.def_w), h = (u32)fs_edge64(s, o.def_h);

	put_le(b, w, 4);
	put_le(b + 4, h, 4);
	put_le(b + 8, MDPY_MODE_CMD_SET, 4);
	FUZZ_ASSERT(mdpy_cfg_write(&core, 0x64, b, sizeof(b)) == 0, "request");
	oracle_cfg_write(&o, model, 0x64, b, sizeof(b));
}

static void set_default(u32 w, u32 h, int ret)
{
	FUZZ_ASSERT((ret == 0) == oracle_default_ok(&o, w, h),
		    "default %ux%u: %d", w, h, ret);
	if (ret)
		return;		/* nothing changed: the checks say so */
	o.def_w = w;
	o.def_h = h;
	oracle_power_on(&o, power_on);
	memcpy(model, power_on, sizeof(model));
}

static void do_default(struct fstream *s)
{
	struct mdpy_mode m = {
		.width = (u32)fs_edge64(s, o.width),
		.height = (u32)fs_edge64(s, o.height),
	};

	set_default(m.width, m.height, mdpy_core_set_default(&core, &m));
}

/* The sysfs path: text in, the same default as the numbers it names */
static void do_default_text(struct fstream *s, const struct mdpy_type *t)
{
	char text[24];
	size_t len = fs_u8(s) % sizeof(text), i;
	struct mdpy_mode m = { 0xdead, 0xbeef };
	const char *why = NULL;
	unsigned int w, h;
	char tail;
	int ret, canon;

	for (i = 0; i < len; i++)
		text[i] = (char)fs_u8(s);
	ret = mdpy_mode_parse(t, text, len, &m, &why);
	if (ret) {
		FUZZ_ASSERT(ret == -EINVAL && why && *why, "parse: %d", ret);
		FUZZ_ASSERT(m.width == 0xdead && m.height == 0xbeef,
			    "refused parse wrote the mode");
		return;
	}
	/* accepted text is exactly "%ux%u", maybe with one newline */
	text[len] = '\0';
	canon = sscanf(text, "%ux%u%c", &w, &h, &tail);
	FUZZ_ASSERT((canon == 2 || (canon == 3 && tail == '\n')) &&
		    w == m.width && h == m.height, "parsed \"%s\" as %ux%u",
		    text, m.width, m.height);
	set_default(m.width, m.height, mdpy_core_set_default(&core, &m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstream s = { data, size };
	const struct mdpy_type *t = fuzz_type(fs_u8(&s));
	unsigned int steps = 0;

	otype_of(t, &o);
	mdpy_core_init(&core, t);
	oracle_power_on(&o, power_on);
	memcpy(model, power_on, sizeof(model));
	check_state(t);

	while (!fs_empty(&s) && steps++ < MAX_STEPS) {
		switch (fs_u8(&s) % 6) {
		case 0:
		case 1:
			do_write(&s);
			break;
		case 2:
			do_request(&s);
			break;
		case 3:
			mdpy_core_reset(&core);
			memcpy(model, power_on, sizeof(model));
			break;
		case 4:
			do_default(&s);
			break;
		default:
			do_default_text(&s, t);
			break;
		}
		check_state(t);
	}
	return 0;
}
