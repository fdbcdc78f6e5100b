#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: mode changes from userspace with our guest driver mdpy-drm in a
# real L2 guest with two displays, an mdpy-hd instance and one of a
# user-defined type (mdpy.ko types=2560x1440).  A DRM client in L2
# (mdpy-drm-test mode) switches card0 640x480 -> 1920x1080 -> 800x600 and
# card1 1920x1080 -> 2560x1440, the test card each time; each screendump in
# L1 must have the new size and exactly the card's pixels (tests/guest/l2.py
# checks the size a marker names).  Modes that do not fit are refused and
# the picture stays; the fbdev console comes back at the default mode when
# the client closes card0 (tests/guest/l2-init.sh, mdpy_l2=modes).
# Needs a host driver with the mode capability.  One L2 boot.
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
L2_KO_ARGS=types=2560x1440
l2_run hd "$MDPY_KO" initrd.cpio --second 2560x1440 --append mdpy_l2=modes
