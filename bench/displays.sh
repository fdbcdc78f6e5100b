#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# displays.sh [KVER] - `make bench-displays`: mdpy against QEMU's own
# emulated displays, bochs-display and virtio-gpu-pci (2D), in one TCG VM
# (default kernel 6.1: its L2 boots fastest under TCG in TCG).  Each display
# gets an L2 boot of the same Debian kernel (bench/displays-suite.sh,
# bench/displays.py), with QEMU serving it over VNC to a client that keeps
# asking for updates.  In L2, mdpy-drm-test fps measures at 1920x1080 how
# many frames a second the guest pushes (whole frames, a moving 64x64
# square) after an idle phase, and L1 samples QEMU's CPU time over each.
#   build/bench/displays/l2/    the L2 kernel and initramfs
#                               (tests/guest/l2-build.sh, initrd-displays.cpio:
#                               also the bochs and virtio-gpu drivers, and
#                               bench/displays-init.sh as /init)
#   build/bench/displays.txt    the table, displays.json the numbers
#   build/bench/displays/       payload, console log, results
# Env: DISPLAYS (default "mdpy bochs virtio mdpy": one suite each, in that
#      order; mdpy again last, because nested QEMUs started one after the
#      other in one L1 have been seen to get slower, and a second mdpy row
#      shows how much that moved the numbers), DISPLAYS_SECS (seconds per
#      phase, default 20), DISPLAYS_VM=0 (build the L2 files and the
#      payload, boot nothing).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
kver=${1:-6.1}
OUT=$TOP/build/bench
dir=$OUT/displays
L2=$dir/l2
log() { echo "[bench-displays $kver] $*" >&2; }
die() { log "error: $*"; exit 1; }

kenv=$("$TOP/tests/vm/fetch.sh" "$kver") || exit 1
eval "$kenv"
mkdir -p "$L2"
"$TOP/tests/guest/l2-build.sh" "$kver" "$L2"
# The same again with the other displays' drivers and this benchmark's init
L2_MODULES="bochs virtio-gpu virtio_pci" L2_INIT=$HERE/displays-init.sh \
	L2_INITRD=initrd-displays.cpio "$TOP/tests/guest/l2-build.sh" "$kver" "$L2"
files=$(cpio -it --quiet <"$L2/initrd-displays.cpio")
for ko in bochs.ko virtio-gpu.ko virtio_pci.ko mdpy-drm.ko; do
	grep -q "/$ko\$\|^$ko\$" <<<"$files" || die "no $ko in $L2/initrd-displays.cpio"
done

extra=$dir/payload
rm -rf "$extra"
mkdir -p "$extra/displays" "$extra/suites"
install -m 0644 "$HERE/displays.py" "$extra/displays/"
printf 'DISPLAYS_L2=%q\nDISPLAYS_SECS=%q\n' "$L2" "${DISPLAYS_SECS:-20}" \
	>"$extra/displays/env"
n=51
for d in ${DISPLAYS:-mdpy bochs virtio mdpy}; do
	install -m 0755 "$HERE/displays-suite.sh" "$extra/suites/$n-displays-$d.sh"
	n=$((n + 1))
done

if [ "${DISPLAYS_VM:-1}" = 0 ]; then
	log "payload in $extra, L2 in $L2; DISPLAYS_VM=0: no boot"
	exit 0
fi
log "boot (one VM; waits for /tmp/mdpy-vm.lock if another runs)"
rm -rf "$dir/vm"
rc=0
"$TOP/tests/vm/run.sh" --no-parts --add "$extra" "$kver" "$dir/vm" >"$dir/summary" || rc=1
json=$dir/vm/results/displays.json
[ -s "$json" ] || die "no results: see $dir/summary and $dir/vm/console.log"
cp "$json" "$OUT/displays.json"
python3 "$HERE/displays.py" table "$OUT/displays.json" >"$OUT/displays.txt"
echo
cat "$OUT/displays.txt"
log "wrote $OUT/displays.txt and $OUT/displays.json"
exit $rc
