/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mdpy device ABI: what a guest sees on the PCI bus and in config space.
 *
 * Shared by the host driver (mdpy.ko), guest drivers and userspace tools.
 * Plain constants only, so it builds in the kernel and in userspace alike.
 * These values are the compatibility contract: existing guests depend on them.
 */
#ifndef _UAPI_MDPY_H
#define _UAPI_MDPY_H

/* PCI identity */
#define MDPY_PCI_VENDOR_ID		0x1b36	/* Red Hat */
#define MDPY_PCI_DEVICE_ID		0x000f
#define MDPY_PCI_SUBSYSTEM_VENDOR_ID	0x1af4	/* Red Hat, Inc. (Qumranet) */
#define MDPY_PCI_SUBSYSTEM_ID		0x1100
#define MDPY_PCI_CLASS			0x0380	/* display controller, other */
#define MDPY_PCI_REVISION		0x01

/* BAR0 is the framebuffer: 32-bit prefetchable memory, power-of-two size */
#define MDPY_FB_BAR			0

/* Vendor-specific capability describing the framebuffer layout */
#define MDPY_VENDORCAP_OFFSET		0x40
#define MDPY_VENDORCAP_SIZE		0x10
#define MDPY_FORMAT_OFFSET		(MDPY_VENDORCAP_OFFSET + 0x04)
#define MDPY_WIDTH_OFFSET		(MDPY_VENDORCAP_OFFSET + 0x08)
#define MDPY_HEIGHT_OFFSET		(MDPY_VENDORCAP_OFFSET + 0x0c)

/*
 * Mode capability: an optional extension that lets a guest change the
 * resolution.  The capability at 0x40 links to it (its next pointer, 0 in
 * the kernel sample, is MDPY_MODECAP_OFFSET); a guest that never walks the
 * capability list sees only the layout above, which always holds the
 * current mode.  A guest finds this one as the vendor capability whose
 * MDPY_MODECAP_MAGIC field holds MDPY_MODECAP_MAGIC_VALUE.
 *
 * All fields are little-endian u32; only REQ_WIDTH, REQ_HEIGHT and CTRL
 * are writable.  To change mode, write the wanted size to REQ_WIDTH and
 * REQ_HEIGHT, then MDPY_MODE_CMD_SET to the low byte of CTRL: the device
 * checks the request then, not before, so a request written only in part
 * changes nothing.  CTRL then reads MDPY_MODE_OK, and the width and height
 * at 0x48 and 0x4c hold the new mode, or it reads a refusal code and the
 * last valid mode stays.  A mode is valid if both sides are 1 to
 * MDPY_MODE_MAX_SIDE, the width is a multiple of MDPY_MODE_WIDTH_ALIGN or
 * the default width, and width * height * 4 is at most FB_BYTES.  The
 * stride is always width * 4 and the frame starts at BAR0 offset 0; the
 * bytes in BAR0 are kept across a change.  A device reset (and a VM
 * reboot) returns to the default mode with REQ = default and CTRL = OK.
 *
 * FLAGS (version 2 of the capability, which is then MDPY_MODECAP_SIZE
 * long; version 1 was MDPY_MODECAP_SIZE_V1 and ended at CTRL) is set by
 * the device.  MDPY_MODE_FLAG_SCANOUT says the guest has started using the
 * display since the last reset: it sent a SET command, or wrote to BAR0,
 * through a trapped access or through a mapping.  Firmware that only sizes
 * BAR0 and enables memory decoding leaves it clear.  A reset clears it.
 */
#define MDPY_MODECAP_OFFSET		0x50
#define MDPY_MODECAP_SIZE		0x24
#define MDPY_MODECAP_SIZE_V1		0x20
#define MDPY_MODECAP_VERSION_OFFSET	(MDPY_MODECAP_OFFSET + 0x03)	/* u8 */
#define MDPY_MODECAP_MAGIC		(MDPY_MODECAP_OFFSET + 0x04)
#define MDPY_MODECAP_FB_BYTES		(MDPY_MODECAP_OFFSET + 0x08)
#define MDPY_MODECAP_DEFAULT_WIDTH	(MDPY_MODECAP_OFFSET + 0x0c)
#define MDPY_MODECAP_DEFAULT_HEIGHT	(MDPY_MODECAP_OFFSET + 0x10)
#define MDPY_MODECAP_REQ_WIDTH		(MDPY_MODECAP_OFFSET + 0x14)
#define MDPY_MODECAP_REQ_HEIGHT		(MDPY_MODECAP_OFFSET + 0x18)
#define MDPY_MODECAP_CTRL		(MDPY_MODECAP_OFFSET + 0x1c)
#define MDPY_MODECAP_FLAGS		(MDPY_MODECAP_OFFSET + 0x20)

#define MDPY_MODECAP_VERSION		2
#define MDPY_MODECAP_MAGIC_VALUE	0x45444f4d	/* 'M' 'O' 'D' 'E' */
#define MDPY_MODE_MAX_SIDE		16384
#define MDPY_MODE_WIDTH_ALIGN		8

/* CTRL: the command a guest writes (low byte) ... */
#define MDPY_MODE_CMD_SET		0x01
/* ... and what it reads: the outcome of the last command */
#define MDPY_MODE_OK			0	/* mode set, or none asked */
#define MDPY_MODE_ERR_ZERO		1	/* a side is 0 */
#define MDPY_MODE_ERR_SIDE		2	/* a side over MAX_SIDE */
#define MDPY_MODE_ERR_ALIGN		3	/* width not aligned */
#define MDPY_MODE_ERR_FB		4	/* frame larger than FB_BYTES */

/* FLAGS */
#define MDPY_MODE_FLAG_SCANOUT		0x01	/* the guest uses the display */

/* The only pixel format: DRM_FORMAT_XRGB8888, fourcc 'X' 'R' '2' '4' */
#define MDPY_FORMAT_XRGB8888		0x34325258
#define MDPY_BYTES_PER_PIXEL		4

#endif /* _UAPI_MDPY_H */
