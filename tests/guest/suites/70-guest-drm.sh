#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: our guest driver mdpy-drm in a real L2 guest (the same Debian
# kernel) on an mdpy.ko instance of GUEST_L2_TYPE; the screendumps in L1
# must match what L2 drew pixel for pixel (tests/guest/l2.py).
# One L2 boot costs minutes of TCG-in-TCG.
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd.cpio
