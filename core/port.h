/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one header that differs between the kernel and userspace builds of
 * the device model: fixed-width types, memcpy/memset and errno values.
 * Everything else in core/ is plain C and includes only this file.
 */
#ifndef MDPY_CORE_PORT_H
#define MDPY_CORE_PORT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#endif /* MDPY_CORE_PORT_H */
