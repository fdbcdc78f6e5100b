#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - build (once) and cache the sanitizer kernel: Debian's
# linux-source-6.12 with x86_64_defconfig + tests/sanitize/kernel.config
# (KASAN, lockdep, kmemleak, atomic-sleep checks; see that file).
#
# stdout: only shell assignments, like tests/vm/fetch.sh (which hands
# KVER=6.12-san over to this script):  KREL= KDIR= VMLINUZ= MODROOT=
# stderr: progress, prefixed "[sanitize]".
#
# Cache: $MDPY_CACHE/sanitize-6.12/<source version>-<config hash>/ with the
# built tree in src/ (it is KDIR: mdpy.ko builds against it), the modules
# installed under root/, build.log and build.secs.  A build with the same
# fragment is reused even when the archive has moved on to a newer source
# package; SAN_SRCVER=<version> asks for one source version explicitly.
#
# The package is only downloaded (apt-get download) and unpacked; nothing is
# installed.  The build runs under nice on all cores.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${MDPY_CACHE:-$TOP/build/cache}
DEBS=$CACHE/debs
BASE=$CACHE/sanitize-6.12
FRAG=$HERE/kernel.config
PKG=linux-source-6.12

log() { echo "[sanitize] $*" >&2; }
die() { log "error: $*"; exit 1; }

hash=$(sha256sum "$FRAG" | cut -c1-12)

# stamp DIR: print the stamp of a finished build in DIR, fail if there is none.
stamp() {
	[ -f "$1/fetch.env" ] || return 1
	# shellcheck disable=SC1091
	(. "$1/fetch.env" && [ -f "$VMLINUZ" ] && [ -f "$KDIR/Module.symvers" ] &&
		[ -d "$MODROOT/lib/modules/$KREL" ]) || return 1
	cat "$1/fetch.env"
}

if [ -z "${SAN_SRCVER:-}" ]; then
	# Newest finished build of this fragment, whatever its source version.
	for d in $(find "$BASE" -mindepth 1 -maxdepth 1 -type d -name "*-$hash" 2>/dev/null | sort -Vr); do
		stamp "$d" && exit 0
	done
	SAN_SRCVER=$(apt-cache policy "$PKG" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }')
	[ -n "$SAN_SRCVER" ] || die "apt does not know $PKG (run scripts/apt-backports.sh and apt-get update)"
fi
DEST=$BASE/$SAN_SRCVER-$hash
stamp "$DEST" && exit 0

# Host tools a kernel build needs beyond what scripts/deps.sh installs.
missing=
for t in flex bison bc perl; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ -f /usr/include/libelf.h ] || [ -f /usr/include/libelf/libelf.h ] || missing="$missing libelf-dev"
[ -f /usr/include/openssl/ssl.h ] || missing="$missing libssl-dev"
if [ -n "$missing" ]; then
	# as root, install them the way scripts/deps.sh does; otherwise say what
	[ "$(id -u)" = 0 ] || die "the kernel build needs: apt-get install$missing"
	log "installing:$missing"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >/dev/null || die "apt-get install$missing failed"
fi

mkdir -p "$DEBS"
pat="${PKG}_${SAN_SRCVER//:/%3a}_all.deb"
deb=$DEBS/$pat
if [ ! -f "$deb" ]; then
	log "download $PKG=$SAN_SRCVER"
	(cd "$DEBS" && apt-get download -q "$PKG=$SAN_SRCVER" >&2) || die "cannot download $PKG=$SAN_SRCVER"
fi
[ -f "$deb" ] || die "apt-get download made no $pat"

rm -rf "$DEST"
mkdir -p "$DEST"
log "unpack $pat"
# The package holds one tarball of the tree; only that is needed.
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$PKG.tar.xz" |
	xz -dc -T0 | tar -x -C "$DEST"
mv "$DEST/$PKG" "$DEST/src"
SRC=$DEST/src

log "configure: x86_64_defconfig + $(basename "$FRAG") ($hash)"
cp "$FRAG" "$DEST/kernel.config"
make -s -C "$SRC" x86_64_defconfig >&2
(cd "$SRC" && scripts/kconfig/merge_config.sh -m .config "$DEST/kernel.config" >"$DEST/merge.log" 2>&1) ||
	{ tail -n 20 "$DEST/merge.log" >&2; die "merge_config failed"; }
make -s -C "$SRC" olddefconfig >&2
# Kconfig drops what it cannot satisfy without a word: check what matters.
for want in KASAN=y PROVE_LOCKING=y DEBUG_KMEMLEAK=y DEBUG_ATOMIC_SLEEP=y \
	VFIO=y VFIO_IOMMU_TYPE1=y VFIO_MDEV=m NET_9P_VIRTIO=y 9P_FS=y VIRTIO_PCI=y \
	DEVTMPFS=y MODULE_UNLOAD=y MEMCG=y; do
	grep -qx "CONFIG_$want" "$SRC/.config" || die "CONFIG_$want did not stick (see $SRC/.config)"
done

log "build on $(nproc) cores (log: $DEST/build.log; tens of minutes)"
start=$(date +%s)
nice -n 10 make -C "$SRC" -j"$(nproc)" bzImage modules >"$DEST/build.log" 2>&1 ||
	{ tail -n 30 "$DEST/build.log" >&2; die "kernel build failed"; }
make -C "$SRC" INSTALL_MOD_PATH="$DEST/root" modules_install >>"$DEST/build.log" 2>&1 ||
	{ tail -n 30 "$DEST/build.log" >&2; die "modules_install failed"; }
secs=$(($(date +%s) - start))
echo "$secs" >"$DEST/build.secs"
KREL=$(make -s -C "$SRC" kernelrelease)
log "built $KREL in ${secs}s"

{
	echo "KREL=$KREL"
	echo "KDIR=$SRC"
	echo "VMLINUZ=$SRC/arch/x86/boot/bzImage"
	echo "MODROOT=$DEST/root"
} >"$DEST/fetch.env.tmp"
mv "$DEST/fetch.env.tmp" "$DEST/fetch.env"
stamp "$DEST" || die "finished build fails its own check"
