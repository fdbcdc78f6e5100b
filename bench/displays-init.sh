#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the L2 guest of the display benchmark (bench/displays.sh): it
# replaces tests/guest/l2-init.sh in that initramfs.  L2 has one display,
# mdpy, bochs-display or virtio-gpu-pci: every driver is loaded and the one
# whose device is there makes card0.  Then mdpy-drm-test fps (seconds per
# phase from mdpy_fps=S) runs its phases, talking to bench/displays.py in
# L1 over the serial line, and L2 powers off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

echo "L2: init $(cat /proc/uptime)"
while read -r ko; do
	insmod "/lib/modules/$ko" || echo "not ok - insmod $ko"
done </lib/modules/order
insmod /mdpy-drm.ko || echo "not ok - insmod mdpy-drm.ko"

secs=$(sed -n 's/.*mdpy_fps=\([0-9.]*\).*/\1/p' /proc/cmdline)
for _ in $(seq 120); do
	[ -e /dev/dri/card0 ] && break
	sleep 0.5
done
if [ -e /dev/dri/card0 ]; then
	drv=$(readlink /sys/class/drm/card0/device/driver)
	echo "L2: card0 is ${drv##*/}"
	mdpy-drm-test fps --wait --secs "${secs:-20}" </dev/console ||
		echo "not ok - mdpy-drm-test fps"
else
	echo "not ok - /dev/dri/card0 appears"
fi
echo "L2: done $(cat /proc/uptime)"
poweroff -f
