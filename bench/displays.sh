#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# displays.sh [KVER] - `make bench-displays`: mdpy against QEMU's own
# emulated displays, bochs-display and virtio-gpu-pci (2D), in one TCG VM
# (default kernel 6.1: its L2 boots fastest under TCG in TCG).  Each display
# gets one L2 boot of the same Debian kernel (bench/displays-suite.sh,
# bench/displays.py), with QEMU serving it over VNC to a client that keeps
# asking for updates.  In L2, mdpy-drm-test fps measures at 1920x1080 how
# many frames a second the guest pushes (whole frames, a moving 64x64
# square) after an idle phase, and L1 samples QEMU's CPU time over each.
#   build/bench/displays/l2/    the L2 kernel and initramfs
#                               (tests/guest/l2-build.sh's, then
#                               initrd-displays.cpio: the same plus the bochs
#                               and virtio-gpu drivers, and
#                               bench/displays-init.sh as /init)
#   build/bench/displays.txt    the table, displays.json the numbers
#   build/bench/displays/       payload, console log, results
# Env: DISPLAYS (default "mdpy bochs virtio"; one suite each, in that
#      order), DISPLAYS_SECS (seconds per phase, default 20), DISPLAYS_VM=0
#      (build the L2 files and the payload, boot nothing).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
kver=${1:-6.1}
OUT=$TOP/build/bench
dir=$OUT/displays
L2=$dir/l2
log() { echo "[bench-displays $kver] $*" >&2; }
die() { log "error: $*"; exit 1; }

eval "$("$TOP/tests/vm/fetch.sh" "$kver")"
mkdir -p "$L2"
"$TOP/tests/guest/l2-build.sh" "$kver" "$L2"

# The benchmark's initramfs: l2-build.sh's (busybox, mdpy-drm.ko,
# mdpy-drm-test), plus the other displays' drivers with their
# dependencies, and bench/displays-init.sh as /init.
root=$dir/initrd.d
rm -rf "$root"
mkdir -p "$root"
(cd "$root" && cpio -idm --quiet) <"$L2/initrd.cpio"
: >"$root/lib/modules/order"
# shellcheck disable=SC2046 # lists of module names
modprobe -d "$MODROOT" -S "$KREL" --show-depends -a \
	$(modinfo -F depends "$root/mdpy-drm.ko" | tr ',' ' ') \
	bochs virtio-gpu virtio_pci | awk '$1 == "insmod" { print $2 }' |
	while read -r ko; do
		name=$(basename "$ko")
		name=${name%.xz}
		grep -qx "$name" "$root/lib/modules/order" && continue
		case $ko in
		*.xz) xz -dc "$ko" >"$root/lib/modules/$name" ;;
		*) cp "$ko" "$root/lib/modules/$name" ;;
		esac
		echo "$name" >>"$root/lib/modules/order"
	done
grep -qx bochs.ko "$root/lib/modules/order" || die "no bochs.ko for $KREL"
grep -qx virtio-gpu.ko "$root/lib/modules/order" || die "no virtio-gpu.ko for $KREL"
install -m 0755 "$HERE/displays-init.sh" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$L2/initrd-displays.cpio"
log "L2 modules: $(tr '\n' ' ' <"$root/lib/modules/order")"
rm -rf "$root"

extra=$dir/payload
rm -rf "$extra"
mkdir -p "$extra/displays" "$extra/suites"
install -m 0644 "$HERE/displays.py" "$extra/displays/"
printf 'DISPLAYS_L2=%q\nDISPLAYS_SECS=%q\n' "$L2" "${DISPLAYS_SECS:-20}" \
	>"$extra/displays/env"
n=51
for d in ${DISPLAYS:-mdpy bochs virtio}; do
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
