#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: our guest driver mdpy-drm in a real L2 guest (the same Debian
# kernel) on an mdpy.ko instance of GUEST_L2_TYPE; the screendumps in L1
# must match what L2 drew pixel for pixel (tests/guest/l2.py).
# On 6.1 fbcon stays off the display until L2 maps it (fbcon=map:9), so
# the first pictures are a plain /dev/fb0 mmap program's on a display
# nobody else has set up (tests/guest/l2-init.sh).  Not on 6.12 and later:
# there the kernel's shmem fbdev emulation cannot free its buffer after a
# /dev/fb0 mmap, and the rmmod that follows spins for ever
# (guest/README.md); fbcon binds at probe, as in suites 71 and 73.
#
# Mode changes from userspace ride on the same boot, because an L2 boot is
# the cost that counts (minutes of TCG-in-TCG): L2 gets two more displays,
# card1 an mdpy-hd instance and card2 one of a user-defined type (mdpy.ko
# types=2560x1440).  After the first pictures on card0, a DRM client in L2
# (mdpy-drm-test mode) switches card1 640x480 -> 1920x1080 -> 800x600 and
# card2 1920x1080 -> 2560x1440, the test card each time; each screendump
# in L1 must have the new size and exactly the card's pixels.  Modes that
# do not fit are refused and the picture stays; the console, moved to
# card1's fbdev, comes back at the default mode when the client closes
# card1 (l2-init.sh, mdpy_l2=modes).  Then card0 goes on alone through
# rmmod/insmod, unbind/bind and PCI remove/rescan while card1 and card2
# stay bound.  GUEST_MODES=0 boots card0 alone.
# card0 is a boot display (ramfb=on): L2 starts in SeaBIOS, whose text
# must show until mdpy-drm's first picture, and again when L2 reboots at
# the end (l2.py --boot-display).
# 1200 s: a 7.3 L2 under QEMU 11.1 (make check-guest-qemu11) ran 760 s of
# the 840 it had at 900 (its 6.1 and 6.12 runs take 190-220 s).
# vm-timeout: 1200
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
append=
[ "$KVER" != 6.1 ] || append=fbcon=map:9
if [ "$GUEST_MODES" != 0 ]; then
	L2_KO_ARGS=types=2560x1440
	append="$append mdpy_l2=modes"
	set -- --second hd --second 2560x1440
fi
l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd.cpio --append "$append" "$@" \
	--boot-display
