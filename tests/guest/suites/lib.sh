# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Common head of the L2 guest suites (busybox sh in the test VM), installed
# as /payload/guest/lib.sh and sourced by each: the rig's suite head
# (/payload/lib/suite.sh) and l2_run, one L2 boot through l2.py.  The
# parameters come from /payload/guest/env, which tests/guest/vm-payload.sh
# writes from its environment and the kernel:
#   GUEST_L2       the L2 kernel and initramfs dir, as seen in the host root
#   GUEST_L2_TYPE  the mdpy type of the L2 display of 70, 72 and 73
#   GUEST_MIG_TYPE the type 73 migrates L2 to (empty: GUEST_L2_TYPE)
#   GUEST_MODES    0: 70 boots one display and skips the mode changes
#   GUEST_QEMU, GUEST_QEMU_L   the nested QEMU and its -L dirs (empty: the
#                  host root's qemu-system-x86_64)
#   GUEST_MDPYFB_L2  the L2 dir of 72 (the sample's mdpy-fb is built from
#                  Debian's linux-source, which 7.3 lacks: 6.1's there)
# A suite may set L2_KO_ARGS (module parameters of HOST_KO, e.g.
# types=2560x1440) before l2_run.

# shellcheck source=tests/vm/suite.sh
. /payload/lib/suite.sh
GUEST_L2=
# shellcheck disable=SC2034 # for the suites that source this
GUEST_L2_TYPE=vga
GUEST_MIG_TYPE=
# shellcheck disable=SC2034 # for the suites that source this
GUEST_MODES=1
GUEST_QEMU=
GUEST_QEMU_L=
# shellcheck disable=SC2034 # for the suites that source this
GUEST_MDPYFB_L2=
# shellcheck source=/dev/null
[ ! -f "$PAYLOAD/guest/env" ] || . "$PAYLOAD/guest/env"
# shellcheck disable=SC2034 # for the suites that source this
GUEST_MIG_TYPE=${GUEST_MIG_TYPE:-$GUEST_L2_TYPE}

# l2_run TYPE HOST_KO INITRD: boot L2 (GUEST_L2/vmlinux with GUEST_L2/INITRD,
# which holds the guest driver and mdpy-drm-test) on a new instance of
# mdpy-TYPE made by HOST_KO; l2.py compares its screendumps with what L2
# drew.  L2 gets the suite's time limit (its "# vm-timeout:" line) less
# 60 s for the rest.  More arguments go to l2.py (e.g. --append
# fbcon=map:9).  Exits with the suite's status.
l2_run() {
	_limit=$(sed -n 's/^# *vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$0" | head -n 1)
	# shellcheck disable=SC2086 # L2_KO_ARGS: words, one per parameter
	[ -d /sys/module/mdpy ] || insmod "$2" ${L2_KO_ARGS:-} || fail "insmod $2 ${L2_KO_ARGS:-}"
	_u=$(cat /proc/sys/kernel/random/uuid)
	echo "$_u" >"/sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-$1/create" ||
		fail "create an mdpy-$1 instance"
	[ -z "$GUEST_QEMU_L" ] || set -- "$@" --datadir "$GUEST_QEMU_L"
	[ -z "$GUEST_QEMU" ] || set -- "$@" --qemu "$GUEST_QEMU"
	_initrd=$3
	shift 3
	/payload/lib/hostchroot.sh python3 /tmp/payload/guest/l2.py --uuid "$_u" \
		--kernel "$GUEST_L2/vmlinux" --initrd "$GUEST_L2/$_initrd" \
		--checker /tmp/payload/bin/mdpy-drm-test \
		--tap "$rdir/$name.tap" --dumpdir "$rdir/$name" \
		--timeout $((${_limit:-900} - 60)) "$@"
	_rc=$?
	echo 1 >"/sys/bus/mdev/devices/$_u/remove" || _rc=1
	rmmod mdpy || _rc=1
	exit $_rc
}
