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

/* The only pixel format: DRM_FORMAT_XRGB8888, fourcc 'X' 'R' '2' '4' */
#define MDPY_FORMAT_XRGB8888		0x34325258
#define MDPY_BYTES_PER_PIXEL		4

#endif /* _UAPI_MDPY_H */
