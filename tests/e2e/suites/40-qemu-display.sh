#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: a nested QEMU shows each mdpy type (E2E_TYPES, default
# vga,xga,hd) through vfio-pci display=on; see tests/e2e/README.md.
# Installed by tests/e2e/vm-payload.sh as 40-qemu-display.sh (or with
# E2E_SUFFIX, e.g. 40-qemu-display-qemu10.sh) and as /payload/e2e/ for
# tests/e2e/mutants.sh.
# shellcheck source=tests/e2e/suites/lib.sh
. "$PAYLOAD/e2e/lib.sh"

nested_suite display \
	--types "$E2E_TYPES" --vnc-seconds "${E2E_VNC_SECONDS:-5}" \
	--tap "$rdir/$name.tap" \
	--dumpdir /tmp/e2e-dumps --faildir "$rdir/$name-failed"
