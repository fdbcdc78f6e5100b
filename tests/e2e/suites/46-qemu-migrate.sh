#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: a nested QEMU's mdpy display migrates (tests/e2e/nested.py
# migrate; see tests/e2e/README.md).  With a QEMU that has VFIO migration v2
# (10.0, 11.1) the VM moves live to a second instance and through a file,
# and a stream for another type is refused; with QEMU 7.2 migrate must be
# refused by QEMU's blocker.  Types: E2E_MIG_TYPES (default vga).
# Installed by tests/e2e/vm-payload.sh (with E2E_SUFFIX for QEMU 10.0).
# shellcheck source=tests/e2e/suites/lib.sh
. "$PAYLOAD/e2e/lib.sh"

nested_suite migrate --types "$E2E_MIG_TYPES" --tap "$rdir/$name.tap" \
	--dumpdir /tmp/e2e-mig --faildir "$rdir/$name-failed"
