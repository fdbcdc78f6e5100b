// SPDX-License-Identifier: GPL-2.0
/*
 * PCI config space of an mdpy device.
 *
 * The space is kept as the 256 bytes the guest reads.  Writes are applied
 * byte by byte through a write mask, which is how hardware behaves for any
 * access width: a 1-byte write changes only that byte, and the masked BAR
 * address bits give the standard sizing answer when all-ones is written.
 */
#include "mdpy_core.h"

/* Standard header offsets (PCI Local Bus spec, type 0 header) */
#define CFG_VENDOR_ID		0x00
#define CFG_DEVICE_ID		0x02
#define CFG_COMMAND		0x04
#define CFG_STATUS		0x06
#define CFG_REVISION		0x08
#define CFG_CLASS_PROG		0x09
#define CFG_CLASS_DEVICE	0x0a
#define CFG_BAR0		0x10
#define CFG_SUBSYSTEM_VENDOR	0x2c
#define CFG_SUBSYSTEM_ID	0x2e
#define CFG_CAP_PTR		0x34
#define CFG_INTERRUPT_LINE	0x3c

#define CMD_MEMORY		0x0002
#define CMD_MASTER		0x0004
#define STATUS_CAP_LIST		0x0010
#define BAR_MEM_PREFETCH	0x08	/* 32-bit memory BAR, prefetchable */
#define BAR_LOW_BITS		0x0f	/* type bits, read-only */
#define CAP_ID_VENDOR		0x09

static void put16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

u32 mdpy_mode_check(const struct mdpy_type *type, const struct mdpy_mode *def,
		    const struct mdpy_mode *mode)
{
	u32 w = mode->width, h = mode->height;

	if (!w || !h)
		return MDPY_MODE_ERR_ZERO;
	if (w > MDPY_MODE_MAX_SIDE || h > MDPY_MODE_MAX_SIDE)
		return MDPY_MODE_ERR_SIDE;
	if (w % MDPY_MODE_WIDTH_ALIGN && w != def->width)
		return MDPY_MODE_ERR_ALIGN;
	/* sides are at most 2^14, so the product fits 64 bits easily */
	if ((u64)w * h * MDPY_BYTES_PER_PIXEL > mdpy_bar_size(type))
		return MDPY_MODE_ERR_FB;
	return MDPY_MODE_OK;
}

void mdpy_core_init(struct mdpy_core *core, const struct mdpy_type *type)
{
	core->type = type;
	core->def.width = type->width;
	core->def.height = type->height;
	mdpy_core_reset(core);
}

int mdpy_core_set_default(struct mdpy_core *core,
			  const struct mdpy_mode *mode)
{
	if (mdpy_mode_check(core->type, mode, mode) != MDPY_MODE_OK)
		return -EINVAL;
	core->def = *mode;
	mdpy_core_reset(core);
	return 0;
}

void mdpy_core_mode(const struct mdpy_core *core, struct mdpy_mode *mode)
{
	mode->width = get32(core->cfg + MDPY_WIDTH_OFFSET);
	mode->height = get32(core->cfg + MDPY_HEIGHT_OFFSET);
}

void mdpy_cfg_put_modecap(u8 *cfg, const struct mdpy_type *type,
			  const struct mdpy_mode *def)
{
	cfg[MDPY_VENDORCAP_OFFSET + 1] = MDPY_MODECAP_OFFSET;
	memset(cfg + MDPY_MODECAP_OFFSET, 0, MDPY_MODECAP_SIZE);
	cfg[MDPY_MODECAP_OFFSET] = CAP_ID_VENDOR;
	cfg[MDPY_MODECAP_OFFSET + 1] = 0;	/* end of the list */
	cfg[MDPY_MODECAP_OFFSET + 2] = MDPY_MODECAP_SIZE;
	cfg[MDPY_MODECAP_VERSION_OFFSET] = MDPY_MODECAP_VERSION;
	put32(cfg + MDPY_MODECAP_MAGIC, MDPY_MODECAP_MAGIC_VALUE);
	put32(cfg + MDPY_MODECAP_FB_BYTES, mdpy_bar_size(type));
	put32(cfg + MDPY_MODECAP_DEFAULT_WIDTH, def->width);
	put32(cfg + MDPY_MODECAP_DEFAULT_HEIGHT, def->height);
	put32(cfg + MDPY_MODECAP_REQ_WIDTH, def->width);
	put32(cfg + MDPY_MODECAP_REQ_HEIGHT, def->height);
	put32(cfg + MDPY_MODECAP_CTRL, MDPY_MODE_OK);
	put32(cfg + MDPY_MODECAP_FLAGS, 0);
}

bool mdpy_core_scanout(const struct mdpy_core *core)
{
	return core->cfg[MDPY_MODECAP_FLAGS] & MDPY_MODE_FLAG_SCANOUT;
}

void mdpy_core_set_scanout(struct mdpy_core *core)
{
	core->cfg[MDPY_MODECAP_FLAGS] |= MDPY_MODE_FLAG_SCANOUT;
}

/* Power-on state: everything not set here reads as zero */
void mdpy_core_reset(struct mdpy_core *core)
{
	u8 *cfg = core->cfg;

	memset(cfg, 0, sizeof(core->cfg));
	put16(cfg + CFG_VENDOR_ID, MDPY_PCI_VENDOR_ID);
	put16(cfg + CFG_DEVICE_ID, MDPY_PCI_DEVICE_ID);
	put16(cfg + CFG_STATUS, STATUS_CAP_LIST);
	cfg[CFG_REVISION] = MDPY_PCI_REVISION;
	cfg[CFG_CLASS_PROG] = 0;
	put16(cfg + CFG_CLASS_DEVICE, MDPY_PCI_CLASS);
	cfg[CFG_BAR0] = BAR_MEM_PREFETCH;
	put16(cfg + CFG_SUBSYSTEM_VENDOR, MDPY_PCI_SUBSYSTEM_VENDOR_ID);
	put16(cfg + CFG_SUBSYSTEM_ID, MDPY_PCI_SUBSYSTEM_ID);
	cfg[CFG_CAP_PTR] = MDPY_VENDORCAP_OFFSET;

	/* the kernel sample's capability, always the current mode */
	cfg[MDPY_VENDORCAP_OFFSET] = CAP_ID_VENDOR;
	cfg[MDPY_VENDORCAP_OFFSET + 2] = MDPY_VENDORCAP_SIZE;
	put32(cfg + MDPY_FORMAT_OFFSET, MDPY_FORMAT_XRGB8888);
	put32(cfg + MDPY_WIDTH_OFFSET, core->def.width);
	put32(cfg + MDPY_HEIGHT_OFFSET, core->def.height);
	mdpy_cfg_put_modecap(cfg, core->type, &core->def);
}

/*
 * Bits of config byte @off that the guest may change.  Everything else is
 * read-only and silently keeps its value, as on hardware.
 */
u8 mdpy_cfg_wmask(const struct mdpy_core *core, u32 off)
{
	u32 bar_mask;

	switch (off) {
	case CFG_COMMAND:
		/* no I/O BAR, so I/O decoding is hard-wired off (PCI spec) */
		return CMD_MEMORY | CMD_MASTER;
	case CFG_BAR0:
	case CFG_BAR0 + 1:
	case CFG_BAR0 + 2:
	case CFG_BAR0 + 3:
		/* address bits above the BAR size; the type nibble is fixed */
		bar_mask = ~(mdpy_bar_size(core->type) - 1) & ~(u32)BAR_LOW_BITS;
		return (bar_mask >> (8 * (off - CFG_BAR0))) & 0xff;
	case CFG_INTERRUPT_LINE:
		/* scratch register for firmware, writable per the PCI spec */
		return 0xff;
	default:
		/* the requested mode; CTRL is a command, not storage */
		if (off >= MDPY_MODECAP_REQ_WIDTH &&
		    off < MDPY_MODECAP_REQ_HEIGHT + 4)
			return 0xff;
		return 0;
	}
}

/*
 * The guest asked for the mode in REQ_WIDTH/REQ_HEIGHT: take it if it is
 * valid, and record the outcome in CTRL either way.
 */
static void mdpy_mode_set(struct mdpy_core *core)
{
	u8 *cfg = core->cfg;
	struct mdpy_mode req = {
		.width = get32(cfg + MDPY_MODECAP_REQ_WIDTH),
		.height = get32(cfg + MDPY_MODECAP_REQ_HEIGHT),
	};
	u32 status = mdpy_mode_check(core->type, &core->def, &req);

	if (status == MDPY_MODE_OK) {
		put32(cfg + MDPY_WIDTH_OFFSET, req.width);
		put32(cfg + MDPY_HEIGHT_OFFSET, req.height);
	}
	put32(cfg + MDPY_MODECAP_CTRL, status);
}

int mdpy_cfg_write(struct mdpy_core *core, u64 off, const void *buf, u64 len)
{
	const u8 *src = buf;
	int ret = mdpy_cfg_check(off, len);
	bool set_mode = false;
	u64 i;

	if (ret)
		return ret;
	for (i = 0; i < len; i++) {
		u8 mask = mdpy_cfg_wmask(core, off + i);
		u8 *reg = &core->cfg[off + i];

		*reg = (*reg & ~mask) | (src[i] & mask);
		if (off + i == MDPY_MODECAP_CTRL && src[i] == MDPY_MODE_CMD_SET)
			set_mode = true;
	}
	/*
	 * After the loop: one write may carry the request and the command.
	 * A command, even one refused, is a guest driving the display.
	 */
	if (set_mode) {
		mdpy_mode_set(core);
		mdpy_core_set_scanout(core);
	}
	return 0;
}
