#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite, the other direction of 71: the kernel's sample guest driver
# mdpy-fb in a real L2 guest on our mdpy.ko (an fbdev console, then the
# test card drawn through the fbdev mmap; its initramfs from
# tests/guest/l2-build.sh).  On a user-defined type (mdpy.ko
# types=1280x800: a frame that is not a power of two, in a 4 MiB BAR), so
# a type added at load works for an unchanged old guest driver, which
# never looks for the mode capability; suites 70 and 71 cover the
# built-in types.
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
L2_KO_ARGS=types=1280x800
l2_run 1280x800 "$MDPY_KO" initrd-mdpy-fb.cpio
