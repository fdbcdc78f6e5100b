#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: the host removes an mdpy instance that a nested QEMU holds.
# The driver's device request (REQ eventfd) makes QEMU ask the guest to
# eject the device; the guest (qtest, writing the ACPI PCI hotplug eject
# register) lets it go, QEMU closes the device and the remove returns.
# Installed by tests/e2e/vm-payload.sh (with E2E_SUFFIX for QEMU 10.0).
# shellcheck source=tests/e2e/suites/lib.sh
. "$PAYLOAD/e2e/lib.sh"

nested_suite unplug --tap "$rdir/$name.tap"
