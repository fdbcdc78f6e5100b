#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-payload.sh KVER PAYLOAD_DIR
#
# Add the real-client suites to a VM payload (tests/vm/README.md):
#   PAYLOAD_DIR/e2e/                 nested.py, mdevctl_test.py, lib.sh (the
#                                    suites' common head), env (the choices
#                                    below), and the display suite again
#                                    (tests/e2e/mutants.sh runs it once per
#                                    mutant module)
#   PAYLOAD_DIR/suites/40-qemu-display.sh   nested QEMU shows vga/xga/hd
#   PAYLOAD_DIR/suites/41-qemu-modes.sh     the guest changes mode, QEMU's
#                                           dumps follow (also -qemu10)
#   PAYLOAD_DIR/suites/45-qemu-unplug.sh    removing an instance QEMU holds
#   PAYLOAD_DIR/suites/46-qemu-migrate.sh   the display migrates (or, with
#                                           QEMU 7.2, migrate is refused)
#   PAYLOAD_DIR/suites/50-mdevctl.sh        Debian's mdevctl against mdpy
# The suites are tests/e2e/suites/*.sh, copied as they are; PAYLOAD_DIR/e2e/
# also serves suites others add (demo/, the mutants).
#
# The suites run host programs (QEMU, mdevctl, python3) chrooted into the
# host root through the rig's /payload/lib/hostchroot.sh, where the payload
# is /tmp/payload and the results dir /tmp/results.
#
# Env: E2E_QEMU     QEMU binary as seen in the host root (default: the
#                   system's qemu-system-x86_64; for KVER=7.3 QEMU 11.1 from
#                   the trixie chroot)
#      E2E_QEMU_L   colon-separated -L data dirs for that QEMU
#      E2E_SUFFIX   appended to suite names (e.g. -qemu10), so results of
#                   different QEMUs do not overwrite each other; only the
#                   display, unplug and migrate suites run then
#      E2E_TYPES    types for the display suite (default vga,xga,hd)
#      E2E_MIG_TYPES  types for the migrate suite (default vga)
#      E2E_VNC_SECONDS  how long the display suite keeps a VNC viewer on
#                   each shown display before it checks the memory held
#                   (default 5; the README's figure used 60)
# Where E2E_QEMU is the system's 7.2, the modes and migrate suites are added
# once more as 41-qemu-modes-qemu10 and 46-qemu-migrate-qemu10 on QEMU 10.0
# (tests/vm/fetch-qemu10.sh).
set -euo pipefail

# shellcheck source=tests/vm/payload-head.sh
. "$(dirname "$0")/../vm/payload-head.sh"
SUF=${E2E_SUFFIX:-}
# 7.3 (trixie-backports) is paired with QEMU 11.1 (trixie-backports), which
# needs trixie's glibc: tests/vm/trixie-chroot.sh makes a wrapper that runs it
# with the trixie chroot's loader and libraries (same path in the VM's /host).
if [ "$KVER" = 7.3 ] && [ -z "${E2E_QEMU:-}" ]; then
	E2E_QEMU=$("$HERE/../vm/trixie-chroot.sh" qemu)
fi

# The migrate suite's positive half needs VFIO migration v2 (QEMU 8+):
# where the suites run bookworm's 7.2 (which proves the blocker half), the
# migrate suite runs once more, as 46-qemu-migrate-qemu10, under QEMU 10.0
# from bookworm-backports.
QEMU10=''
QEMU10_L=''
if [ -z "$SUF" ] && [ -z "${E2E_QEMU:-}" ]; then
	q10=$("$HERE/../vm/fetch-qemu10.sh")
	eval "$q10"
fi

mkdir -p "$PAYLOAD/e2e"
install -m 0755 "$HERE/nested.py" "$HERE/mdevctl_test.py" "$PAYLOAD/e2e/"
install -m 0644 "$HERE/suites/lib.sh" "$PAYLOAD/e2e/"
install -m 0755 "$HERE/suites/40-qemu-display.sh" "$PAYLOAD/e2e/"
# The suites' parameters, as shell assignments they source (the VM's
# environment is the rig's own).
printf 'E2E_QEMU=%q\nE2E_QEMU_L=%q\nE2E_TYPES=%q\nE2E_MIG_TYPES=%q\nE2E_QEMU10=%q\nE2E_QEMU10_L=%q\nE2E_VNC_SECONDS=%q\n' \
	"${E2E_QEMU:-}" "${E2E_QEMU_L:-}" "${E2E_TYPES:-vga,xga,hd}" \
	"${E2E_MIG_TYPES:-vga}" "$QEMU10" "$QEMU10_L" "${E2E_VNC_SECONDS:-5}" \
	>"$PAYLOAD/e2e/env"

install -m 0755 "$HERE/suites/40-qemu-display.sh" "$PAYLOAD/suites/40-qemu-display$SUF.sh"
install -m 0755 "$HERE/suites/41-qemu-modes.sh" "$PAYLOAD/suites/41-qemu-modes$SUF.sh"
[ -z "$QEMU10" ] || install -m 0755 "$HERE/suites/41-qemu-modes.sh" "$PAYLOAD/suites/41-qemu-modes-qemu10.sh"
install -m 0755 "$HERE/suites/45-qemu-unplug.sh" "$PAYLOAD/suites/45-qemu-unplug$SUF.sh"
install -m 0755 "$HERE/suites/46-qemu-migrate.sh" "$PAYLOAD/suites/46-qemu-migrate$SUF.sh"
[ -z "$QEMU10" ] || install -m 0755 "$HERE/suites/46-qemu-migrate.sh" "$PAYLOAD/suites/46-qemu-migrate-qemu10.sh"
[ -n "$SUF" ] || install -m 0755 "$HERE/suites/50-mdevctl.sh" "$PAYLOAD/suites/"
