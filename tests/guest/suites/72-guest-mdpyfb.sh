#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite, the other direction of 71: the kernel's sample guest driver
# mdpy-fb in a real L2 guest on our mdpy.ko (an fbdev console, then the
# test card drawn through the fbdev mmap; its initramfs from
# tests/guest/l2-build.sh).
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd-mdpy-fb.cpio
