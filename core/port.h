/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one header that differs between the kernel and userspace builds of
 * the device model: fixed-width types, bool, memcpy/memset and errno values.
 * Everything else in core/ is plain C and includes only this file.
 */
#ifndef MDPY_CORE_PORT_H
#define MDPY_CORE_PORT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>

/* the compiler's own fixed-width types: same as the kernel's u8..u64 */
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT32_TYPE__ s32;
#endif

#endif /* MDPY_CORE_PORT_H */
