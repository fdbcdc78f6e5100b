#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite of `make run` (demo/demo.sh adds it to the e2e part's payload):
# one mdpy-hd instance, the test card drawn by a nested QEMU's guest, QEMU's
# screendump in /results/mdpy-screenshot.png and what happened in
# /results/demo.out.
# shellcheck source=tests/e2e/suites/lib.sh
. "$PAYLOAD/e2e/lib.sh"

insmod "$MDPY_KO" || fail "insmod mdpy.ko"
u=$(cat /proc/sys/kernel/random/uuid)
echo "insmod mdpy.ko; echo $u > /sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-hd/create" >"$RESULTS/demo.out"
echo "$u" >/sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-hd/create ||
	fail "create mdpy-hd instance"
nested demo --type hd --uuid "$u" --png "$rdir/mdpy-screenshot.png" \
	>>"$RESULTS/demo.out" 2>&1
rc=$?
cat "$RESULTS/demo.out"
echo 1 >"/sys/bus/mdev/devices/$u/remove"
rmmod mdpy
if [ $rc = 0 ] && [ -s "$RESULTS/mdpy-screenshot.png" ]; then
	tap_open "$tap"
	tap_ok "demo screendump taken"
	tap_done
else
	fail "demo screendump taken"
fi
