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

void mdpy_core_init(struct mdpy_core *core, const struct mdpy_type *type)
{
	core->type = type;
	mdpy_core_reset(core);
}

/* Power-on state: everything not set here reads as zero */
void mdpy_core_reset(struct mdpy_core *core)
{
	const struct mdpy_type *type = core->type;
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

	cfg[MDPY_VENDORCAP_OFFSET] = CAP_ID_VENDOR;
	cfg[MDPY_VENDORCAP_OFFSET + 1] = 0;	/* end of the list */
	cfg[MDPY_VENDORCAP_OFFSET + 2] = MDPY_VENDORCAP_SIZE;
	put32(cfg + MDPY_FORMAT_OFFSET, MDPY_FORMAT_XRGB8888);
	put32(cfg + MDPY_WIDTH_OFFSET, type->width);
	put32(cfg + MDPY_HEIGHT_OFFSET, type->height);
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
		return 0;
	}
}

int mdpy_cfg_write(struct mdpy_core *core, u64 off, const void *buf, u64 len)
{
	const u8 *src = buf;
	int ret = mdpy_cfg_check(off, len);
	u64 i;

	if (ret)
		return ret;
	for (i = 0; i < len; i++) {
		u8 mask = mdpy_cfg_wmask(core, off + i);
		u8 *reg = &core->cfg[off + i];

		*reg = (*reg & ~mask) | (src[i] & mask);
	}
	return 0;
}
