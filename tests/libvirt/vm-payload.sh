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
#
# Env: LIBVIRT_TYPE   mdpy type of the display (default vga on 6.1, xga
#                     otherwise)
#      LIBVIRT_SAVE   refused|works: which way virsh save must go (default
#                     by kernel, as above; works means QEMU 10.0)
#      LIBVIRT_GUEST  1: boot the L2 guest and check its pictures (default
#                     on 6.12); 0: check the power-on picture the domain
#                     shows before any guest driver ran, no L2 boot
#                     (default on 6.1: an L2 boot through libvirt costs
#                     6-7 minutes of make check per kernel)
set -euo pipefail
# shellcheck source=tests/vm/payload-head.sh
. "$(dirname "$0")/../vm/payload-head.sh"

skip=
case $KVER in
6.1) type=${LIBVIRT_TYPE:-vga} save=${LIBVIRT_SAVE:-refused} guest=${LIBVIRT_GUEST:-0} ;;
6.12) type=${LIBVIRT_TYPE:-xga} save=${LIBVIRT_SAVE:-works} guest=${LIBVIRT_GUEST:-1} ;;
*)
	type=${LIBVIRT_TYPE:-xga} save=${LIBVIRT_SAVE:-refused} guest=0
	skip="libvirt runs from the host root (bookworm's 9.0); trixie's libvirt is not in the rig's trixie chroot"
	;;
esac
command -v virsh >/dev/null && command -v libvirtd >/dev/null ||
	skip="no libvirt on the host (scripts/deps.sh installs libvirt-daemon and libvirt-clients)"

mkdir -p "$PAYLOAD/libvirt"
install -m 0755 "$HERE/virsh_test.py" "$PAYLOAD/libvirt/"
install -m 0644 "$HERE/domain.xml" "$PAYLOAD/libvirt/"
install -m 0755 "$HERE/suites/60-libvirt.sh" "$PAYLOAD/suites/"

L2=$TOP/build/guest-l2/6.1
emulator=
if [ -z "$skip" ]; then
	# built without LIBVIRT_GUEST too: the domain boots it either way
	"$TOP/tests/guest/l2-build.sh" 6.1 "$L2"
	install -m 0755 "$TOP/build/guest-tools/mdpy-drm-test" "$PAYLOAD/bin/"
	if [ "$save" = works ]; then
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
printf 'LIBVIRT_SKIP=%q\nLIBVIRT_L2=%q\nLIBVIRT_TYPE=%q\nLIBVIRT_SAVE=%q\nLIBVIRT_EMULATOR=%q\nLIBVIRT_GUEST=%q\n' \
	"$skip" "$L2" "$type" "$save" "$emulator" "$guest" >"$PAYLOAD/libvirt/env"
