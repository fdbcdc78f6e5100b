#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite, the other direction of 71: the kernel's sample guest driver
# mdpy-fb in a real L2 guest on our mdpy.ko (an fbdev console, then the
# test card drawn through the fbdev mmap; its initramfs from
# tests/guest/l2-build.sh; on 7.3 a 6.1 L2, see vm-payload.sh).  L2 has
# two displays, one of the kernel's built-in types ($GUEST_L2_TYPE: vga
# on 6.1, xga elsewhere) and one of a user-defined type (mdpy.ko
# types=1280x800: a frame that is not a power of two, in a 4 MiB BAR), so
# a type added at load works for an unchanged old guest driver, which
# never looks for the mode capability.
# The first display is a boot display (ramfb=on): SeaBIOS's text shows
# until mdpy-fb draws, which knows nothing of the boot display, and again
# after L2 reboots (l2.py --boot-display).
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
L2_KO_ARGS=types=1280x800
GUEST_L2=${GUEST_MDPYFB_L2:-$GUEST_L2}
l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd-mdpy-fb.cpio --second 1280x800 \
	--boot-display
