#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite of `make bench-displays` (busybox sh), installed once per display
# as /payload/suites/5N-displays-DISPLAY.sh (mdpy, bochs, virtio): one L2
# boot on that display through bench/displays.py, whose numbers go to
# $RESULTS/displays.json, one line per phase.  The L2 kernel and
# initramfs dir comes from /payload/displays/env (DISPLAYS_L2, as seen in
# the host root).  TAP only says whether the boot was measured; the
# numbers are judged in the table (bench/displays.sh prints it).
# vm-timeout: 900
# shellcheck source=tests/vm/suite.sh
. /payload/lib/suite.sh
DISPLAYS_L2=
DISPLAYS_SECS=20
# shellcheck source=/dev/null
. "$PAYLOAD/displays/env"
display=${name#*-displays-}

set -- --display "$display" --boot "$name"
u=
if [ "$display" = mdpy ]; then
	# mdpy-hd: 1920x1080, the size every display is measured at
	insmod "$MDPY_KO" || fail "insmod $MDPY_KO"
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" >/sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-hd/create ||
		fail "create an mdpy-hd instance"
	set -- "$@" --uuid "$u"
fi
tap_open "$tap"
if /payload/lib/hostchroot.sh python3 /tmp/payload/displays/displays.py "$@" \
	--kernel "$DISPLAYS_L2/vmlinux" --initrd "$DISPLAYS_L2/initrd-displays.cpio" \
	--secs "$DISPLAYS_SECS" --json "$rdir/displays.json" \
	--logdir "$rdir/$name" --timeout 780; then
	tap_ok "L2 on $display measured"
else
	tap_fail "L2 on $display measured" "see $name/l2-serial.log"
fi
if [ -n "$u" ]; then
	echo 1 >"/sys/bus/mdev/devices/$u/remove" || tap_fail "remove the instance"
	rmmod mdpy || tap_fail "rmmod mdpy"
fi
tap_done
