#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh KVER PAYLOAD_DIR OUT_CPIO [--shell]
#
# Build the test VM's initramfs: busybox-static, the kernel modules the rig
# needs (plus whatever PAYLOAD_DIR/mdpy.ko depends on) in dependency order,
# the payload at /payload and tests/vm/guest-init.sh as /init.
#
# Env: VM_EXTRA_MODULES   more module names to load at boot (space separated)
#      VM_SUITE_TIMEOUT   seconds per suite before it is killed (default 600)
set -euo pipefail

KVER=${1:?usage: initramfs.sh KVER PAYLOAD_DIR OUT_CPIO [--shell]}
PAYLOAD=${2:?payload dir}
OUT=${3:?output file}
MODE=suites
[ "${4:-}" = --shell ] && MODE=shell
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { echo "[vm $KVER] $*" >&2; }
die() { log "error: $*"; exit 1; }

eval "$("$HERE/fetch.sh" "$KVER")"
: "${KREL:?}" "${MODROOT:?}"
BUSYBOX=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
# The initramfs has no libc: the busybox must be the static build.
{ ldd "$BUSYBOX" 2>&1 || true; } | grep -q 'not a dynamic' || die "$BUSYBOX is not static (apt-get install busybox-static)"

# Modules the rig always loads: VFIO + mdev core, and virtio 9p for the shares.
MODS="vfio vfio_iommu_type1 mdev virtio_pci 9pnet_virtio 9p ${VM_EXTRA_MODULES:-}"
# What the module under test needs, so a plain insmod of it works.
if [ -f "$PAYLOAD/mdpy.ko" ]; then
	deps=$(modinfo -F depends "$PAYLOAD/mdpy.ko" 2>/dev/null | tr ',' ' ')
	MODS="$MODS $deps"
fi

STAGE=$(mktemp -d "${OUT}.stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc,lib/rig-modules,proc,sys,dev,tmp,run,host,results,root}
cp "$BUSYBOX" "$STAGE/bin/busybox"
# Applet links made now, not by `busybox --install` at every boot; one perl
# (essential on Debian) instead of hundreds of ln processes.
"$BUSYBOX" --list-full | grep / | grep -v '^bin/busybox$' |
	(cd "$STAGE" && perl -ne 'chomp; symlink("/bin/busybox", $_) or die "$_: $!\n"')

# Dependency order from modprobe; .ko.xz is decompressed here (once, cached)
# because busybox insmod would otherwise make the kernel log bad-ELF noise.
PLAIN=$(dirname "$MODROOT")/ko-plain
mkdir -p "$PLAIN"
declare -A seen=()
: >"$STAGE/lib/rig-modules/order"
for m in $MODS; do
	out=$(modprobe --show-depends -d "$MODROOT" -S "$KREL" "$m") ||
		die "module $m not found for $KREL"
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue # "builtin NAME": nothing to load
		base=$(basename "$path")
		plain=${base%.xz}
		plain=${plain%.zst}
		[ -z "${seen[$plain]:-}" ] || continue
		seen[$plain]=1
		case $base in
		*.ko.xz) [ -f "$PLAIN/$plain" ] || xz -dc "$path" >"$PLAIN/$plain" ;;
		*.ko.zst) [ -f "$PLAIN/$plain" ] || zstd -qdc "$path" >"$PLAIN/$plain" ;;
		*) cp "$path" "$PLAIN/$plain" ;;
		esac
		cp "$PLAIN/$plain" "$STAGE/lib/rig-modules/$plain"
		echo "$plain" >>"$STAGE/lib/rig-modules/order"
	done <<<"$out"
done

mkdir -p "$STAGE/payload"
cp -a "$PAYLOAD/." "$STAGE/payload/"
mkdir -p "$STAGE/payload/lib" "$STAGE/payload/bin" "$STAGE/payload/suites"
install -m 0755 "$HERE/hostchroot.sh" "$STAGE/payload/lib/hostchroot.sh"
install -m 0644 "$HERE/tap.sh" "$HERE/suite.sh" "$STAGE/payload/lib/"
# The Python test library (QEMU control, TAP, pictures) at the same place
# relative to the parts' programs as in the tree: /payload/pylib.
mkdir -p "$STAGE/payload/pylib"
install -m 0644 "$HERE"/../pylib/*.py "$STAGE/payload/pylib/"
install -m 0755 "$HERE/guest-init.sh" "$STAGE/init"
cat >"$STAGE/etc/rig.env" <<EOF
KVER='$KVER'
RIG_MODE='$MODE'
SUITE_TIMEOUT='${VM_SUITE_TIMEOUT:-600}'
HOST_KEEP='$(cd "$HERE/../.." && pwd) ${MDPY_CACHE:-}'
EOF
echo 'root:x:0:0:root:/root:/bin/sh' >"$STAGE/etc/passwd"
echo 'root:x:0:' >"$STAGE/etc/group"

# Uncompressed: QEMU loads it straight into memory, nothing to inflate in TCG.
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "initramfs $(du -h "$OUT" | cut -f1) with $(wc -l <"$STAGE/lib/rig-modules/order") modules: $(tr '\n' ' ' <"$STAGE/lib/rig-modules/order")"
