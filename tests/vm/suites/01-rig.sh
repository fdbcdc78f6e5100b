#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Rig self-test (runs in the VM before any driver suite): the VFIO/mdev
# modules are in, the shares are mounted, and host binaries run through the
# host chroot (nested QEMU, mdevctl, python3 are what later suites use).
# shellcheck source=tests/vm/tap.sh
. "$PAYLOAD/lib/tap.sh"
tap_open "$RESULTS/01-rig.tap"

for m in vfio vfio_iommu_type1 mdev; do
	if [ -d "/sys/module/$m" ]; then tap_ok "module $m loaded"; else tap_fail "module $m loaded"; fi
done
if [ -c /dev/vfio/vfio ]; then tap_ok "/dev/vfio/vfio exists"; else tap_fail "/dev/vfio/vfio exists"; fi
if grep -q ' /host 9p ' /proc/mounts; then tap_ok "host root mounted at /host"; else tap_fail "host root mounted at /host"; fi
if grep -q ' /results 9p ' /proc/mounts; then tap_ok "results share mounted"; else tap_fail "results share mounted"; fi
if [ -f "$MDPY_KO" ]; then tap_ok "payload has mdpy.ko"; else tap_fail "payload has mdpy.ko"; fi

H=$PAYLOAD/lib/hostchroot.sh
tap_check "host chroot: qemu-system-x86_64 --version" "$H" qemu-system-x86_64 --version
tap_check "host chroot: plain chroot /host works" chroot /host /usr/bin/qemu-system-x86_64 --version
tap_check "host chroot: mdevctl types" "$H" mdevctl types
tap_check "host chroot: python3 runs" "$H" python3 -c 'import os; os.stat("/dev/vfio/vfio")'
tap_check "host chroot: /tmp is writable" "$H" sh -c 'echo x > /tmp/.w && rm /tmp/.w'
tap_check "host chroot: payload at /tmp/payload" "$H" test -f /tmp/payload/mdpy.ko
tap_done
