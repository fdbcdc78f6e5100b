#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: mdpy-drm in a real L2 guest as in 70-guest-drm, but on the
# kernel's sample host driver (/payload/guest/sample-mdpy.ko, built by
# tests/guest/sample-ko.sh), whose ABI ours keeps; vga, the sample's
# smallest type.
# vm-timeout: 900
# shellcheck source=tests/guest/suites/lib.sh
. "$PAYLOAD/guest/lib.sh"
l2_run vga "$PAYLOAD/guest/sample-mdpy.ko" initrd.cpio
