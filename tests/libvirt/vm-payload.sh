#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-payload.sh KVER PAYLOAD_DIR - the libvirt part of a VM payload
# (tests/vm/README.md):
#   PAYLOAD_DIR/libvirt/virsh_test.py   drives Debian's libvirt through virsh
#   PAYLOAD_DIR/libvirt/domain.xml      the domain README shows
#   PAYLOAD_DIR/libvirt/env             the suite's parameters (below)
#   PAYLOAD_DIR/libvirt/qemu10          QEMU 10.0 with its data dirs, as a
#                                       libvirt <emulator> (6.12)
#   PAYLOAD_DIR/libvirt/lvchroot.sh     runs libvirt's programs in the trixie
#                                       root (7.3)
#   PAYLOAD_DIR/suites/60-libvirt.sh    the suite
# The L2 guest is the one of tests/guest (l2-build.sh): Debian's 6.1 kernel
# with mdpy-drm, on every L1 kernel, since only the host side (mdpy.ko in
# L1) is under test here and 6.1 is the L2 kernel that boots reliably
# under QEMU 7.2's TCG.
#
# libvirt is bookworm's 9.0 (scripts/deps.sh installs it), which drives
# QEMU 7.2 by default: there virsh save must be refused (no VFIO migration
# v2 in 7.2).  On 6.12 the domain names QEMU 10.0 (tests/vm/fetch-qemu10.sh)
# as its <emulator>, and save, restore and managedsave must work.
# On 7.3 (a trixie kernel) libvirt is trixie's 11.3, installed in the rig's
# trixie root (tests/vm/trixie-chroot.sh) with QEMU 11.1 from
# trixie-backports as its default emulator; virsh_test.py runs the daemons
# and virsh there through lvchroot.sh, and save, restore and managedsave
# must work (on the power-on screen: no L2 guest is followed by default).
#
# Env: LIBVIRT_TYPE   mdpy type of the display (default vga on 6.1, xga
#                     otherwise)
#      LIBVIRT_SAVE   refused|works: which way virsh save must go (default
#                     by kernel, as above; works means QEMU 10.0)
#      LIBVIRT_GUEST  1: boot the L2 guest and check its pictures (default
#                     on 6.12); 0: check the power-on picture the domain
#                     shows before any guest driver ran, no L2 boot
#                     (default on 6.1 and 7.3: an L2 boot through libvirt
#                     adds about 90 s to make check on 6.1)
#      LIBVIRT_SAVE_FORMAT  qemu.conf's save_image_format (default sparse
#                     on 7.3, libvirt's raw elsewhere)
set -euo pipefail
# shellcheck source=tests/vm/payload-head.sh
. "$(dirname "$0")/../vm/payload-head.sh"

skip=
root=
fmt=
case $KVER in
6.1) type=${LIBVIRT_TYPE:-vga} save=${LIBVIRT_SAVE:-refused} guest=${LIBVIRT_GUEST:-0} ;;
6.12) type=${LIBVIRT_TYPE:-xga} save=${LIBVIRT_SAVE:-works} guest=${LIBVIRT_GUEST:-1} ;;
7.3)
	type=${LIBVIRT_TYPE:-xga} save=${LIBVIRT_SAVE:-works} guest=${LIBVIRT_GUEST:-0}
	root=$("$TOP/tests/vm/trixie-chroot.sh" root)
	# QEMU 11.1 restores no longer from the fd: stream libvirt 11.3 uses
	# for its raw format ("fd: migration to a file is not supported");
	# the sparse format hands QEMU a file: stream (mapped-ram)
	fmt=${LIBVIRT_SAVE_FORMAT:-sparse}
	;;
*)
	type=${LIBVIRT_TYPE:-xga} save=${LIBVIRT_SAVE:-refused} guest=0
	skip="no libvirt chosen for kernel $KVER (tests/libvirt/vm-payload.sh)"
	;;
esac
if [ -n "$root" ]; then
	[ -x "$root/usr/bin/virsh" ] && [ -x "$root/usr/sbin/libvirtd" ] ||
		skip="no libvirt in the trixie root $root (tests/vm/trixie-chroot.sh installs it)"
else
	command -v virsh >/dev/null && command -v libvirtd >/dev/null ||
		skip="no libvirt on the host (scripts/deps.sh installs libvirt-daemon and libvirt-clients)"
fi

mkdir -p "$PAYLOAD/libvirt"
install -m 0755 "$HERE/virsh_test.py" "$PAYLOAD/libvirt/"
install -m 0644 "$HERE/domain.xml" "$PAYLOAD/libvirt/"
install -m 0755 "$HERE/lvchroot.sh" "$PAYLOAD/libvirt/"
install -m 0755 "$HERE/suites/60-libvirt.sh" "$PAYLOAD/suites/"

L2=$TOP/build/guest-l2/6.1
emulator=
if [ -z "$skip" ]; then
	# built without LIBVIRT_GUEST too: the domain boots it either way
	"$TOP/tests/guest/l2-build.sh" 6.1 "$L2"
	install -m 0755 "$TOP/build/guest-tools/mdpy-drm-test" "$PAYLOAD/bin/"
	# the trixie root is read-only in the VM: lvchroot.sh binds the L2
	# guest over this mount point
	[ -z "$root" ] || mkdir -p "$root$L2"
	# trixie's QEMU 11.1 (7.3) is the chroot's default emulator
	if [ "$save" = works ] && [ -z "$root" ]; then
		q10=$("$TOP/tests/vm/fetch-qemu10.sh")
		eval "$q10"
		# libvirt runs the emulator it is given with its own arguments
		# only: the -L data dirs come from this wrapper
		{
			echo '#!/bin/sh'
			echo '# SPDX-License-Identifier: GPL-2.0'
			echo '# QEMU 10.0 with its own firmware and data (tests/libvirt/vm-payload.sh)'
			printf 'exec %q' "$QEMU10"
			IFS=: read -ra dirs <<<"$QEMU10_L"
			for d in "${dirs[@]}"; do printf ' -L %q' "$d"; done
			echo ' "$@"'
		} >"$PAYLOAD/libvirt/qemu10"
		chmod 0755 "$PAYLOAD/libvirt/qemu10"
		emulator=/tmp/payload/libvirt/qemu10
	fi
fi
printf 'LIBVIRT_SKIP=%q\nLIBVIRT_L2=%q\nLIBVIRT_TYPE=%q\nLIBVIRT_SAVE=%q\nLIBVIRT_EMULATOR=%q\nLIBVIRT_GUEST=%q\nLIBVIRT_ROOT=%q\nLIBVIRT_SAVE_FORMAT=%q\n' \
	"$skip" "$L2" "$type" "$save" "$emulator" "$guest" "$root" "$fmt" >"$PAYLOAD/libvirt/env"
