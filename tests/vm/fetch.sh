#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh KVER - cache a Debian generic amd64 kernel (image + modules) and a
# headers tree to build out-of-tree modules against it.
#
#   KVER=6.1   bookworm kernel: the installed linux-headers-amd64 picks the ABI
#              and its /usr/src headers are used; without them (or if that
#              image is gone from the archive) the archive's current 6.1
#              image + headers + kbuild are unpacked into the cache instead
#   KVER=6.12  newest linux-image-6.12.*+deb12-amd64 whose headers and kbuild
#              packages are downloadable too
#   KVER=7.3   trixie-backports kernel, through tests/vm/fetch-trixie.sh;
#              also prints KMAKE= (make inside the trixie chroot)
#   KVER=6.12-san  KASAN/lockdep/kmemleak build of linux-source-6.12,
#              through tests/sanitize/build-kernel.sh
#
# stdout: only shell assignments  KREL=... KDIR=... VMLINUZ=... MODROOT=...
# stderr: progress, prefixed "[fetch KVER]".
#
# Nothing is installed: packages are only downloaded (apt-get download) and
# unpacked (dpkg-deb -x) into build/cache/ (MDPY_CACHE overrides the place).
set -euo pipefail

KVER=${1:?usage: fetch.sh KVER (a series of tests/vm/kernels)}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${MDPY_CACHE:-$TOP/build/cache}
DEBS=$CACHE/debs
DEST=$CACHE/kver-$KVER
STAMP=$DEST/fetch.env

# 6.12-san, the sanitizer kernel, is built from source rather than
# downloaded; tests/sanitize/build-kernel.sh caches it and prints the same.
if [ "$KVER" = 6.12-san ]; then
	exec "$TOP/tests/sanitize/build-kernel.sh"
fi

log() { echo "[fetch $KVER] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Fast path: everything already unpacked and checked.
if [ -f "$STAMP" ]; then
	# shellcheck disable=SC1090
	. "$STAMP"
	if [ -f "$VMLINUZ" ] && [ -d "$MODROOT/lib/modules/$KREL" ] && [ -f "$KDIR/Makefile" ]; then
		cat "$STAMP"
		exit 0
	fi
	log "stale stamp, refetching"
	rm -f "$STAMP"
fi

mkdir -p "$DEBS" "$DEST"

# Candidate version of a package, empty if apt does not know it.
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

# download PKG VERSION: fetch PKG=VERSION into $DEBS (once) and print the path.
download() {
	local pkg=$1 ver=$2 pat f
	# apt names files PKG_VERSION_ARCH.deb with ':' escaped as %3a.
	pat="${pkg}_${ver//:/%3a}_*.deb"
	f=$(find "$DEBS" -maxdepth 1 -name "$pat" -print -quit)
	if [ -z "$f" ]; then
		log "download $pkg=$ver"
		# apt-get download writes into the cwd; -q keeps progress bars out.
		(cd "$DEBS" && apt-get download -q "$pkg=$ver" >&2) || return 1
		f=$(find "$DEBS" -maxdepth 1 -name "$pat" -print -quit)
	fi
	[ -n "$f" ] || return 1
	echo "$f"
}

# extract DEB into ROOT (the directory is shared by all packages of a kernel so
# the relative symlinks between headers and kbuild resolve inside it).
extract() {
	log "unpack $(basename "$1")"
	dpkg-deb -x "$1" "$2"
}

ROOT=$DEST/root

# get_set ABI KBUILD_PKG: download the image, both headers packages and the
# kbuild package of kernel ABI (e.g. 6.12.117+deb12), all of one version,
# unpack them into ROOT and point the flavour Makefile at the unpacked common
# tree (it includes it by absolute /usr/src path). Sets KREL and KDIR.
get_set() {
	local abi=$1 p c ver='' d
	local pk=("linux-image-$abi-amd64" "linux-headers-$abi-amd64" "linux-headers-$abi-common" "$2")
	local debs=()
	for p in "${pk[@]}"; do
		c=$(candidate "$p")
		[ -n "$c" ] || { log "skip $abi: $p not available"; return 1; }
		# One source build: a version mismatch means a half-synced archive.
		[ -z "$ver" ] || [ "$c" = "$ver" ] || { log "skip $abi: $p is $c, not $ver"; return 1; }
		ver=$c
	done
	KREL=$abi-amd64
	KDIR=$ROOT/usr/src/linux-headers-$KREL
	if [ "$(cat "$KDIR/.mdpy-fixed" 2>/dev/null)" = "$ver" ] && [ -d "$ROOT/lib/modules/$KREL/kernel" ]; then
		return 0
	fi
	for p in "${pk[@]}"; do
		d=$(download "$p" "$ver") || { log "skip $abi: cannot download $p=$ver"; return 1; }
		debs+=("$d")
	done
	rm -rf "$ROOT"
	for d in "${debs[@]}"; do extract "$d" "$ROOT"; done
	sed -i "s|^include /usr/src/|include $ROOT/usr/src/|" "$KDIR/Makefile"
	grep -q "^include $ROOT/usr/src/linux-headers-$abi-common/Makefile" "$KDIR/Makefile" ||
		die "unexpected include line in $KDIR/Makefile"
	echo "$ver" >"$KDIR/.mdpy-fixed"
}

case $KVER in
6.1)
	# Preferred: the installed bookworm headers (the dependency of the
	# installed linux-headers-amd64, e.g. linux-headers-6.1.0-56-amd64) and
	# the image of that very build. MDPY_FETCH_EXTRACT=1 skips this.
	hdr=$(dpkg-query -W -f '${Status}|${Depends}\n' linux-headers-amd64 2>/dev/null |
		awk -F'|' '$1 ~ / installed$/ { print $2 }' |
		grep -o 'linux-headers-6\.1\.[0-9]*-[0-9]*-amd64' | head -n1 || true)
	hver=
	if [ -n "$hdr" ] && [ -f "/usr/src/$hdr/Makefile" ] && [ -z "${MDPY_FETCH_EXTRACT:-}" ]; then
		hver=$(dpkg-query -W -f '${Status}|${Version}\n' "$hdr" 2>/dev/null |
			awk -F'|' '$1 ~ / installed$/ { print $2 }')
	fi
	if [ -n "$hver" ]; then
		KREL=${hdr#linux-headers-}
		KDIR=/usr/src/$hdr
		if [ "$(cat "$DEST/image.version" 2>/dev/null)" != "$KREL $hver" ] ||
			[ ! -d "$ROOT/lib/modules/$KREL/kernel" ]; then
			if deb=$(download "linux-image-$KREL" "$hver"); then
				rm -rf "$ROOT"
				extract "$deb" "$ROOT"
				echo "$KREL $hver" >"$DEST/image.version"
			else
				log "linux-image-$KREL=$hver not downloadable; using the archive's headers"
				hver=
			fi
		fi
	fi
	if [ -z "$hver" ]; then
		# Otherwise everything from the archive: the ABI the meta package
		# points at now, headers unpacked into the cache like 6.12.
		rm -f "$DEST/image.version"
		hdr=$(apt-cache depends linux-headers-amd64 2>/dev/null |
			grep -o 'linux-headers-6\.1\.[0-9]*-[0-9]*-amd64' | head -n1 || true)
		[ -n "$hdr" ] || die "apt does not know linux-headers-amd64 (run apt-get update?)"
		abi=${hdr#linux-headers-}
		get_set "${abi%-amd64}" linux-kbuild-6.1 || die "cannot fetch kernel ${abi%-amd64}"
	fi
	;;
6.12)
	# Newest first; take the first release whose four packages all download.
	mapfile -t rels < <(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12(\.[0-9]+)?-amd64$' |
		sed -e 's/^linux-image-//' -e 's/-amd64$//' | sort -Vr)
	[ ${#rels[@]} -gt 0 ] || die "no linux-image-6.12.*+deb12-amd64 known to apt (run scripts/apt-backports.sh and apt-get update)"
	found=
	for v in "${rels[@]}"; do
		if get_set "$v" "linux-kbuild-$v"; then
			found=$v
			break
		fi
	done
	[ -n "$found" ] || die "no downloadable 6.12 kernel with headers"
	;;
7.3)
	# trixie-backports: its build tools run only in a trixie chroot, so
	# fetch-trixie.sh does it all (same stamp, plus KMAKE=).
	exec "$TOP/tests/vm/fetch-trixie.sh" "$KVER"
	;;
*)
	die "unknown KVER '$KVER' (want one of: $("$TOP/tests/vm/kernels.sh"))"
	;;
esac

# Newer packages ship modules under usr/lib only; MODROOT must hold lib/modules.
if [ ! -d "$ROOT/lib/modules/$KREL" ] && [ -d "$ROOT/usr/lib/modules/$KREL" ]; then
	mkdir -p "$ROOT/lib"
	ln -sfn ../usr/lib/modules "$ROOT/lib/modules"
fi
VMLINUZ=$ROOT/boot/vmlinuz-$KREL
[ -f "$VMLINUZ" ] || die "no $VMLINUZ in the image package"
[ -d "$ROOT/lib/modules/$KREL/kernel" ] || die "no modules in the image package"
[ -f "$KDIR/Makefile" ] || die "no headers at $KDIR"
# modprobe --show-depends needs modules.dep; the package ships only the list
# of modules, postinst runs depmod. Run it on the copy.
if [ ! -f "$ROOT/lib/modules/$KREL/modules.dep" ]; then
	log "depmod"
	depmod -b "$ROOT" "$KREL"
fi

# Check the headers build a module (fast, once) before declaring success.
probe=$DEST/probe
if [ ! -f "$probe/ok" ]; then
	log "test out-of-tree build"
	rm -rf "$probe"
	mkdir -p "$probe"
	printf 'obj-m := mdpyprobe.o\n' >"$probe/Kbuild"
	cat >"$probe/mdpyprobe.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
static int __init mdpyprobe_init(void) { return 0; }
static void __exit mdpyprobe_exit(void) { }
module_init(mdpyprobe_init);
module_exit(mdpyprobe_exit);
MODULE_LICENSE("GPL");
EOF
	make -s -C "$KDIR" M="$probe" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$probe/log" 2>&1 ||
		{ tail -n 30 "$probe/log" >&2; die "out-of-tree build against $KDIR failed"; }
	touch "$probe/ok"
fi

{
	echo "KREL=$KREL"
	echo "KDIR=$KDIR"
	echo "VMLINUZ=$VMLINUZ"
	echo "MODROOT=$ROOT"
} >"$STAMP.tmp"
mv "$STAMP.tmp" "$STAMP"
log "ready: $KREL"
cat "$STAMP"
