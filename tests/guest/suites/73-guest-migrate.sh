#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: a real L2 guest running mdpy-drm, its console on the display, is
# live-migrated (VFIO migration v2) from its QEMU on one mdpy-GUEST_L2_TYPE
# instance to a second QEMU on a new instance of GUEST_MIG_TYPE (the same
# type unless set: another type must make this suite fail); the target's
# screendump must show the console, L2's serial line must go on there, and
# the pictures L2 draws next must show on the target (tests/guest/l2.py
# --migrate-to).  Needs a nested QEMU with VFIO migration v2 (>= 8.1):
# tests/guest/vm-payload.sh installs it only then.
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
l2_run "$GUEST_L2_TYPE" "$MDPY_KO" initrd.cpio --migrate-to "$GUEST_MIG_TYPE"
