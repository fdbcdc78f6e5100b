# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Common head of the e2e suites (busybox sh in the test VM), installed as
# /payload/e2e/lib.sh and sourced by each: the rig's suite head
# (/payload/lib/suite.sh: name, tap, rdir, fail and the TAP writer) and
# nested() to run nested.py with the payload's choice of QEMU.
# That choice comes from /payload/e2e/env, which tests/e2e/vm-payload.sh
# writes from its environment (E2E_QEMU, E2E_QEMU_L, E2E_TYPES,
# E2E_MIG_TYPES).

# shellcheck source=tests/vm/suite.sh
. /payload/lib/suite.sh
E2E_QEMU=
E2E_QEMU_L=
# shellcheck disable=SC2034 # for the suites that source this
E2E_TYPES=vga,xga,hd
# shellcheck disable=SC2034 # for the suites that source this
E2E_MIG_TYPES=vga
E2E_QEMU10=
E2E_QEMU10_L=
# shellcheck source=/dev/null
[ ! -f "$PAYLOAD/e2e/env" ] || . "$PAYLOAD/e2e/env"
# A *-qemu10 suite next to QEMU 7.2 ones (vm-payload.sh) runs on QEMU 10.0
case $name in
*-qemu10)
	if [ -n "$E2E_QEMU10" ]; then
		E2E_QEMU=$E2E_QEMU10
		E2E_QEMU_L=$E2E_QEMU10_L
	fi
	;;
esac

# nested ARGS...: tests/e2e/nested.py in the host chroot, on the chosen QEMU.
nested() {
	[ -z "$E2E_QEMU_L" ] || set -- --datadir "$E2E_QEMU_L" "$@"
	[ -z "$E2E_QEMU" ] || set -- --qemu "$E2E_QEMU" "$@"
	/payload/lib/hostchroot.sh python3 /tmp/payload/e2e/nested.py "$@"
}

# nested_suite ARGS...: the whole body of a suite that runs one nested.py
# mode: load mdpy, run it, leave the module unloaded (a module that will
# not go is a failure) and exit with the suite's status.
nested_suite() {
	insmod "$MDPY_KO" || fail "insmod mdpy.ko"
	nested "$@"
	_rc=$?
	if ! rmmod mdpy; then
		echo "$name: rmmod mdpy failed" >&2
		_rc=1
	fi
	exit $_rc
}
