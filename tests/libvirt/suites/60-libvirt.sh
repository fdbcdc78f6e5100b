#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite: Debian's libvirt drives an mdpy display, only through virsh
# (tests/libvirt/virsh_test.py): node device listing, a domain made from
# tests/libvirt/domain.xml whose pictures virsh screenshot must show
# (QEMU's placeholder while no guest uses the display, then, with
# LIBVIRT_GUEST, the pictures a real L2 guest draws pixel for pixel),
# save/managedsave, bad use, and afterwards no instance, no IOMMU group
# and nothing held.  Parameters from /payload/libvirt/env
# (tests/libvirt/vm-payload.sh).
# vm-timeout: 900
# shellcheck source=tests/vm/suite.sh
. /payload/lib/suite.sh
LIBVIRT_SKIP=
LIBVIRT_L2=
LIBVIRT_TYPE=vga
LIBVIRT_SAVE=refused
LIBVIRT_EMULATOR=
LIBVIRT_GUEST=1
LIBVIRT_ROOT=
LIBVIRT_SAVE_FORMAT=
# shellcheck source=/dev/null
. "$PAYLOAD/libvirt/env"
if [ -n "$LIBVIRT_SKIP" ]; then
	tap_open "$tap"
	tap_skip "libvirt drives an mdpy display" "$LIBVIRT_SKIP"
	tap_done
	exit 0
fi

# A kernel WARN or BUG from anything below fails the suite (the rig judges
# the whole log too, but this says which suite caused it)
bad='WARNING:|BUG:|Oops|Call Trace:|general protection'
nbad=$(dmesg | grep -cE "$bad")

insmod "$MDPY_KO" || fail "insmod $MDPY_KO"
u=$(cat /proc/sys/kernel/random/uuid)
echo "$u" >"/sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-$LIBVIRT_TYPE/create" ||
	fail "create an mdpy-$LIBVIRT_TYPE instance"
group=$(basename "$(readlink "/sys/bus/mdev/devices/$u/iommu_group")")

set -- --uuid "$u" --type "$LIBVIRT_TYPE" --xml /tmp/payload/libvirt/domain.xml \
	--kernel "$LIBVIRT_L2/vmlinux" --initrd "$LIBVIRT_L2/initrd.cpio" \
	--checker /tmp/payload/bin/mdpy-drm-test --save "$LIBVIRT_SAVE" \
	--tap "$rdir/$name.tap" --dumpdir "$rdir/$name" --timeout 700
[ -z "$LIBVIRT_EMULATOR" ] || set -- "$@" --emulator "$LIBVIRT_EMULATOR"
[ "$LIBVIRT_GUEST" != 0 ] || set -- "$@" --no-guest
# trixie's libvirt and QEMU (7.3): virsh and the daemons in the trixie root
[ -z "$LIBVIRT_ROOT" ] || set -- "$@" --chroot /tmp/payload/libvirt/lvchroot.sh
[ -z "$LIBVIRT_SAVE_FORMAT" ] || set -- "$@" --save-format "$LIBVIRT_SAVE_FORMAT"
/payload/lib/hostchroot.sh python3 /tmp/payload/libvirt/virsh_test.py "$@"
rc=$?
[ "$rc" -le 1 ] || tap_bail "$tap" "virsh_test.py exited with status $rc"

# result STATUS NAME [WHY]
result() {
	if [ "$1" = 0 ]; then tap_ok "$2"; else tap_fail "$2" "${3:-}"; fi
}

# After the domains are gone: the instance goes, with its group, and the
# driver holds nothing (a TAP file of its own beside the program's).
tap_open "$RESULTS/$name-after.tap"
if echo 1 >"/sys/bus/mdev/devices/$u/remove"; then
	tap_ok "the instance is removed after virsh destroy and undefine"
else
	tap_fail "the instance is removed after virsh destroy and undefine"
fi
[ ! -e "/sys/bus/mdev/devices/$u" ]
result $? "no instance left in /sys/bus/mdev/devices"
[ -n "$group" ] && [ ! -e "/dev/vfio/$group" ] && [ ! -e "/sys/kernel/iommu_groups/$group" ]
result $? "no stale VFIO group $group (/dev/vfio, /sys/kernel/iommu_groups)"
held=$(cat /sys/class/mdev_bus/mdpy/held_bytes)
[ "$held" = 0 ]
result $? "held_bytes is 0 (it is $held)"
n=$(dmesg | grep -cE "$bad")
[ "$n" = "$nbad" ]
result $? "no kernel WARN, BUG or Call Trace during the suite" \
	"$(dmesg | grep -E "$bad" | tail -n 1)"
mdpy_clean
result $? "rmmod mdpy"
tap_done || rc=1
exit $rc
