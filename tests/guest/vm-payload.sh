#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-payload.sh KVER PAYLOAD_DIR - the guest-driver part of a VM payload
# (tests/vm/README.md):
#   PAYLOAD_DIR/bin/mdpy-drm-test       the DRM client, here the checker
#   PAYLOAD_DIR/guest/l2.py             L1 side of the nested-guest test
#   PAYLOAD_DIR/guest/lib.sh, env       the suites' common head
#                                       (tests/guest/suites/lib.sh) and
#                                       their parameters (below)
#   PAYLOAD_DIR/suites/70-guest-drm.sh  boots a real L2 guest (same Debian
#       kernel) on an mdpy instance with mdpy-drm and mdpy-drm-test in its
#       initramfs; screendumps in L1 must match pixel for pixel.  The same
#       boot has two more displays (mdpy-hd and a user-defined 2560x1440
#       type) on which L2 switches modes from userspace: each screendump
#       has the new size and the card's pixels
#   PAYLOAD_DIR/suites/71-guest-drm-sample.sh  the same on the kernel's
#       sample host driver (guest/sample-mdpy.ko, tests/guest/sample-ko.sh)
#   PAYLOAD_DIR/suites/72-guest-mdpyfb.sh  the other direction: the kernel's
#       sample guest driver mdpy-fb on our mdpy.ko, on a user-defined type
#       (fbdev console, then the test card drawn through the fbdev mmap)
#   PAYLOAD_DIR/suites/73-guest-migrate.sh  the L2 guest of 70, live-migrated
#       to a second instance while its console shows; only with a nested
#       QEMU that has VFIO migration v2 (6.12's QEMU 10.0, not 7.2)
# The suites are tests/guest/suites/*.sh, copied as they are.  The L2
# kernel and initramfs are big, so they stay in build/guest-l2/KVER and L1
# reads them from the host root.  One L2 boot costs minutes of TCG-in-TCG:
# each suite's "# vm-timeout:" line gives it 900 s (L2 gets 60 s less).
#
# Env: GUEST_L2_TYPE   mdpy type for the L2 display (default: vga on 6.1,
#                      xga otherwise, so two resolutions are covered)
#      GUEST_SUITES=0|1    skip or force every L2 suite (default: on, but on
#                          7.3 only with GUEST_QEMU11=1, see below; vm-guest.sh
#                          sets 1)
#      GUEST_INTEROP=0|1   skip or force both suites with the kernel's samples
#                          (71 and 72, on any kernel; default: both on 6.1
#                          only, and 72 on 7.3 with GUEST_QEMU11=1 in a 6.1
#                          L2, see below)
#      GUEST_QEMU11=1      on 7.3: the L2 suites under QEMU 11.1 (below)
#      GUEST_MDPYFB=0      skip only the sample-guest (mdpy-fb) suite
#      GUEST_MODES=0       70 without its mode-change displays (one L2
#                          display, as before the mode capability)
#      GUEST_MIGRATE=0|1   skip or force the migration suite (default: on
#                          when the nested QEMU's vfio-pci has enable-migration,
#                          except under GUEST_QEMU11)
#      GUEST_MIG_TYPE      type of the migration target's instance (default:
#                          the L2 type; another type must make 73 fail)
#      GUEST_DRM_KO        a prebuilt mdpy-drm.ko (e.g. the one the
#                          mdpy-drm-dkms package installed) for the L2
#                          guest instead of the tree's; the L2 files then go
#                          to build/guest-l2/KVER-prebuilt
#      GUEST_QEMU, GUEST_QEMU_L   the nested QEMU binary (as seen in the host
#                          root) and its colon-separated -L data dirs (default:
#                          bookworm's QEMU 7.2; on 6.12 QEMU 10.0, see below)
set -euo pipefail
# shellcheck source=tests/vm/payload-head.sh
. "$(dirname "$0")/../vm/payload-head.sh"
case $KVER in
6.1) type=${GUEST_L2_TYPE:-vga} ;;
*) type=${GUEST_L2_TYPE:-xga} ;;
esac

# On 7.3 the L2 suites are not part of make check: an L2 of that kernel
# boots about twice as slowly as a 6.1 one (TCG in TCG; 70 took 381 s), and
# with it make check ran past its hour on a CI machine.  They run under
# 7.3's own QEMU 11.1 with make check-guest-qemu11 (GUEST_QEMU11=1), or under
# bookworm's 7.2 with GUEST_SUITES=1 (tests/guest/vm-guest.sh 7.3 OUT).
suites=${GUEST_SUITES:-}
if [ -z "$suites" ]; then
	case $KVER in
	6.1 | 6.12) suites=1 ;;
	*) suites=${GUEST_QEMU11:-0} ;;
	esac
fi
if [ "$suites" = 0 ]; then
	echo "no L2 guest suite on $KVER (GUEST_SUITES=1 or GUEST_QEMU11=1 adds them)" >&2
	exit 0
fi

# A prebuilt guest driver (GUEST_DRM_KO) gets its own L2 directory, so the
# tree's initramfs is not replaced behind another run's back.
L2=$TOP/build/guest-l2/$KVER${GUEST_DRM_KO:+-prebuilt}
"$HERE/l2-build.sh" "$KVER" "$L2"

mkdir -p "$PAYLOAD/guest"
install -m 0755 "$TOP/build/guest-tools/mdpy-drm-test" "$PAYLOAD/bin/"
install -m 0755 "$HERE/l2.py" "$PAYLOAD/guest/"
install -m 0644 "$HERE/suites/lib.sh" "$PAYLOAD/guest/"

# Debian's 6.12 kernel as an L2 guest of bookworm's QEMU 7.2 (TCG inside
# TCG) took a #GP in sync_core's IRET-to-self in 3 of ~5 boots: EFLAGS came
# back with NT and undefined bits set, an emulation fault unrelated to mdpy.
# Under QEMU 10.0 as the nested QEMU it boots, so 6.12 uses that one unless
# GUEST_QEMU says otherwise.
if [ "$KVER" = 6.12 ] && [ -z "${GUEST_QEMU:-}" ]; then
	q10=$("$TOP/tests/vm/fetch-qemu10.sh")
	eval "$q10"
	GUEST_QEMU=$QEMU10
	GUEST_QEMU_L=$QEMU10_L
fi
# On 7.3, GUEST_QEMU11=1 (make check-guest-qemu11) runs the L2 suites
# under trixie-backports' QEMU 11.1, the e2e suites' QEMU there (a wrapper
# from tests/vm/trixie-chroot.sh with its own -L dirs), 72 included.  Not
# in make check: L2 boots about 1.5 times slower under it than under 7.2
# (TCG in TCG), and L2 migration (73) stays off.
if [ "$KVER" = 7.3 ] && [ -z "${GUEST_QEMU:-}" ] && [ "${GUEST_QEMU11:-0}" = 1 ]; then
	GUEST_QEMU=$("$TOP/tests/vm/trixie-chroot.sh" qemu)
	: "${GUEST_MIGRATE:=0}"
fi
# The suites' parameters, as shell assignments they source (the VM's
# environment is the rig's own).
printf 'GUEST_L2=%q\nGUEST_L2_TYPE=%q\nGUEST_MIG_TYPE=%q\nGUEST_MODES=%q\nGUEST_QEMU=%q\nGUEST_QEMU_L=%q\n' \
	"$L2" "$type" "${GUEST_MIG_TYPE:-}" "${GUEST_MODES:-1}" "${GUEST_QEMU:-}" \
	"${GUEST_QEMU_L:-}" >"$PAYLOAD/guest/env"
install -m 0755 "$HERE/suites/70-guest-drm.sh" "$PAYLOAD/suites/"

# Live migration of the L2 guest needs VFIO migration v2 in the nested QEMU,
# which names it enable-migration (QEMU 7.2 has only the old protocol's
# x-enable-migration): by default the suite runs where the L2's QEMU has it.
migrate=${GUEST_MIGRATE:-}
if [ -z "$migrate" ]; then
	migrate=0
	props=$("${GUEST_QEMU:-qemu-system-x86_64}" -device vfio-pci,help 2>&1 || true)
	grep -q '^ *enable-migration=' <<<"$props" && migrate=1
fi
[ "$migrate" = 0 ] || install -m 0755 "$HERE/suites/73-guest-migrate.sh" "$PAYLOAD/suites/"

# The interop pair needs the kernel's samples (Debian's linux-source), whose
# linux-source apt can fetch for 6.1 and 6.12 (7.3's is not in reach), and
# an L2 boot each.  Both run on 6.1 by default: 72 is the sample guest's
# view of our host driver, 71 our guest driver on the sample host driver.
# The sample's device ABI and mdpy-fb are the same on every kernel, and 70
# already runs mdpy-drm and the boot display in a 6.12 L2 under QEMU 10.0,
# so on 6.12 they would spend minutes of make check (72 took 198 s) proving
# little.  GUEST_INTEROP=0 skips both, =1 forces both on any kernel
# (README.md names the commands).
# On 7.3, 72 runs with the 6.1 L2 kernel and 6.1's mdpy-fb (the guest's
# kernel need not be the host's), by default only with GUEST_QEMU11=1, so
# the sample guest driver meets QEMU 11.1 and its boot display too.
interop=${GUEST_INTEROP:-}
sample_host=$interop
mdpyfb=$interop
if [ -z "$interop" ]; then
	case $KVER in
	6.1) mdpyfb=1 sample_host=1 ;;
	6.12) mdpyfb=0 sample_host=0 ;;
	*) mdpyfb=${GUEST_QEMU11:-0} sample_host=0 ;;
	esac
fi
case $KVER in
6.1 | 6.12) fb_kver=$KVER ;;
*) fb_kver=6.1 ;;
esac

# Interop: the same guest driver on the kernel's sample host driver
if [ "$sample_host" != 0 ]; then
	if sample=$("$HERE/sample-ko.sh" "$KVER"); then
		install -m 0644 "$sample" "$PAYLOAD/guest/sample-mdpy.ko"
		install -m 0755 "$HERE/suites/71-guest-drm-sample.sh" "$PAYLOAD/suites/"
	else
		echo "sample host driver did not build: no interop suite" >&2
		exit 1
	fi
fi

# Interop, the other direction: the kernel's sample guest driver on ours
if [ "$mdpyfb" != 0 ] && [ "${GUEST_MDPYFB:-1}" != 0 ]; then
	if fb=$("$HERE/sample-ko.sh" "$fb_kver" mdpy-fb); then
		# the L2 of 70 when the kernels agree: its vmlinux is unpacked
		fb_l2=$L2
		[ "$fb_kver" = "$KVER" ] || fb_l2=$TOP/build/guest-l2/$fb_kver
		"$HERE/l2-build.sh" "$fb_kver" "$fb_l2" "$fb"
		printf 'GUEST_MDPYFB_L2=%q\n' "$fb_l2" >>"$PAYLOAD/guest/env"
		install -m 0755 "$HERE/suites/72-guest-mdpyfb.sh" "$PAYLOAD/suites/"
	else
		echo "sample guest driver did not build: no mdpy-fb suite" >&2
		exit 1
	fi
fi
