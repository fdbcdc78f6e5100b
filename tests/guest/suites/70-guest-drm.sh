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
# One L2 boot costs minutes of TCG-in-TCG.
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
case $KVER in
6.1) l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd.cpio --append fbcon=map:9 ;;
*) l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd.cpio ;;
esac
