#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# l2-build.sh KVER OUT_DIR [GUEST_KO] - everything the nested (L2) guest
# boots:
#   OUT_DIR/vmlinux      the Debian KVER kernel, uncompressed: it boots
#                        straight through PVH and saves the decompression,
#                        which costs most of a minute under TCG-in-TCG
#   OUT_DIR/initrd.cpio  busybox, the DRM modules mdpy-drm needs,
#                        mdpy-drm.ko, mdpy-drm-test and tests/guest/l2-init.sh
#                        (uncompressed, for the same reason)
# With GUEST_KO (another guest driver, e.g. the kernel's sample mdpy-fb.ko)
# that module and what it depends on replace mdpy-drm in
# OUT_DIR/initrd-NAME.cpio (NAME: the module's name); l2-init.sh sees which
# driver it has.  GUEST_DRM_KO names a prebuilt mdpy-drm.ko for
# OUT_DIR/initrd.cpio instead of the tree's (its vermagic must be KVER's).
# L2_MODULES (module names) adds those modules and what they depend on,
# loaded after the driver's own, L2_INIT another /init than l2-init.sh, and
# L2_INITRD another name for OUT_DIR/initrd.cpio (the display benchmark,
# bench/displays.sh: QEMU's own displays' drivers and its init).
# Applet links are made here: every process start in L2 is expensive.
set -euo pipefail

KVER=${1:?usage: l2-build.sh KVER OUT_DIR [GUEST_KO]}
OUT=${2:?usage: l2-build.sh KVER OUT_DIR [GUEST_KO]}
GUEST_KO=${3:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
log() { echo "[guest $KVER] $*" >&2; }
die() { log "error: $*"; exit 1; }

eval "$("$TOP/tests/vm/fetch.sh" "$KVER")"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The kernel: find the compressed payload inside the bzImage by its magic
# and unpack it.  Debian 6.1 uses xz, 6.12 zstd.
if [ ! -s "$OUT/vmlinux" ] || [ "$VMLINUZ" -nt "$OUT/vmlinux" ]; then
	off=$(python3 - "$VMLINUZ" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
for name, magic in (('xz', b'\xfd7zXZ\x00'), ('zstd', b'\x28\xb5\x2f\xfd')):
    i = d.find(magic)
    if i >= 0:
        print(name, i)
        break
PY
)
	[ -n "$off" ] || die "no xz or zstd payload in $VMLINUZ"
	# "xz 12345": the format and the offset, as two words
	# shellcheck disable=SC2086
	set -- $off
	log "unpack $1 kernel at offset $2"
	case $1 in
	xz) tail -c +"$(($2 + 1))" "$VMLINUZ" | xz -dcq --single-stream >"$OUT/vmlinux.tmp" || true ;;
	zstd) tail -c +"$(($2 + 1))" "$VMLINUZ" | zstd -dcq >"$OUT/vmlinux.tmp" 2>/dev/null || true ;;
	esac
	[ "$(head -c 4 "$OUT/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		die "unpacked kernel is not an ELF file"
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
fi

# The driver and the client
if [ -z "$GUEST_KO" ] && [ -n "${GUEST_DRM_KO:-}" ]; then
	# A prebuilt mdpy-drm.ko (e.g. the one the mdpy-drm-dkms package
	# installed) instead of the tree's; it must be built for this kernel.
	vm=$(modinfo -F vermagic "$GUEST_DRM_KO" 2>/dev/null | cut -d' ' -f1)
	[ "$vm" = "$KREL" ] || die "vermagic '$vm' of $GUEST_DRM_KO is not $KREL"
	# l2-init.sh loads /mdpy-drm.ko: the file, and the module inside
	# (modinfo spells its name with an underscore)
	nm=$(modinfo -F name "$GUEST_DRM_KO" 2>/dev/null)
	if [ "$(basename "$GUEST_DRM_KO")" != mdpy-drm.ko ] || [ "$nm" != mdpy_drm ]; then
		die "GUEST_DRM_KO must be an mdpy-drm.ko, not $GUEST_DRM_KO (module '$nm')"
	fi
	GUEST_KO=$GUEST_DRM_KO
	initrd=$OUT/initrd.cpio
elif [ -z "$GUEST_KO" ]; then
	make -s -C "$TOP" -f guest/guest.mk guest GUEST_KVERS="$KVER" >&2 ||
		die "mdpy-drm.ko build failed"
	GUEST_KO=$TOP/build/guest-$KVER/mdpy-drm.ko
	initrd=$OUT/${L2_INITRD:-initrd.cpio}
else
	[ -s "$GUEST_KO" ] || die "no $GUEST_KO"
	initrd=$OUT/initrd-$(basename "$GUEST_KO" .ko).cpio
fi
gko=$(basename "$GUEST_KO")
make -s -C "$TOP/tests/guest/tools" >&2 || die "mdpy-drm-test build failed"

root=$OUT/initrd.d
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
cp /bin/busybox "$root/bin/busybox"
for a in sh mount umount insmod rmmod cat echo sleep printf ls poweroff reboot \
	sed grep test [ readlink basename seq tr cut head dmesg; do
	ln -s busybox "$root/bin/$a"
done
cp "$GUEST_KO" "$root/$gko"
cp "$TOP/build/guest-tools/mdpy-drm-test" "$root/bin/mdpy-drm-test"
install -m 0755 "${L2_INIT:-$HERE/l2-init.sh}" "$root/init"

# Modules the driver needs, dependencies first, as modprobe would load them
deps=$(modinfo -F depends "$root/$gko" | tr ',' ' ')
[ -z "${L2_MODULES:-}" ] || deps="${deps:+$deps }$L2_MODULES"
: >"$root/lib/modules/order"
# shellcheck disable=SC2086 # a list of module names
[ -z "$deps" ] ||
	modprobe -d "$MODROOT" -S "$KREL" --show-depends -a $deps |
	awk '$1 == "insmod" { print $2 }' | while read -r ko; do
	name=$(basename "$ko")
	name=${name%.xz}
	grep -qx "$name" "$root/lib/modules/order" && continue
	case $ko in
	*.xz) xz -dc "$ko" >"$root/lib/modules/$name" ;;
	*) cp "$ko" "$root/lib/modules/$name" ;;
	esac
	echo "$name" >>"$root/lib/modules/order"
done
[ -z "$deps" ] || [ -s "$root/lib/modules/order" ] || die "no modules for: $deps"
log "$gko, modules: $(tr '\n' ' ' <"$root/lib/modules/order")"

(cd "$root" && find . | cpio -o -H newc --quiet) >"$initrd"
rm -rf "$root"
log "L2 kernel $OUT/vmlinux, initrd $initrd ($(du -k "$initrd" | cut -f1) KiB)"
