#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: our guest driver mdpy-drm in a real L2 guest (the same Debian
# kernel) on an mdpy.ko instance of GUEST_L2_TYPE; the screendumps in L1
# must match what L2 drew pixel for pixel (tests/guest/l2.py).
# On 6.1 and 6.12 fbcon stays off the display until L2 maps it
# (fbcon=map:9), so the first pictures are a plain /dev/fb0 mmap program's
# on a display nobody else has set up (tests/guest/l2-init.sh), and the
# rmmod later shows the driver can go after such a mapping (guest/compat.h).
# 7.3 keeps fbcon bound at probe (its shmem fbdev emulation is not checked
# for that), as suites 71 and 73 do.
# One L2 boot costs minutes of TCG-in-TCG.
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
case $KVER in
6.1 | 6.12) l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd.cpio --append fbcon=map:9 ;;
*) l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd.cpio ;;
esac
