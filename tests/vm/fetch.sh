#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh KVER - cache a Debian generic amd64 kernel (image + modules) and a
# headers tree to build out-of-tree modules against it.
#
#   KVER=6.1   bookworm kernel; the installed linux-headers-amd64 picks the ABI
#   KVER=6.12  newest linux-image-6.12.*+deb12-amd64 whose headers and kbuild
#              packages are downloadable too
#
# stdout: only shell assignments  KREL=... KDIR=... VMLINUZ=... MODROOT=...
# stderr: progress, prefixed "[fetch KVER]".
#
# Nothing is installed system-wide except, for 6.1 on a machine without them,
# the bookworm linux-headers-amd64 package. Kernel images are only ever
# downloaded and unpacked (dpkg-deb -x) into build/cache/.
set -euo pipefail

KVER=${1:?usage: fetch.sh KVER (6.1 or 6.12)}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=$TOP/build/cache
DEBS=$CACHE/debs
DEST=$CACHE/kver-$KVER
STAMP=$DEST/fetch.env

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

case $KVER in
6.1)
	# The ABI name comes from the meta package's dependency, e.g. 6.1.0-56.
	hdr=$(apt-cache depends linux-headers-amd64 2>/dev/null |
		awk '/Depends: linux-headers-6\.1\.[0-9]+-[0-9]+-amd64$/ { print $2; exit }')
	[ -n "$hdr" ] || die "apt does not know linux-headers-amd64 (run apt-get update?)"
	KREL=${hdr#linux-headers-}
	img=linux-image-$KREL
	KDIR=/usr/src/linux-headers-$KREL
	hver=$(dpkg-query -W -f '${Status} ${Version}' "$hdr" 2>/dev/null |
		awk '$3 == "installed" { print $4 }')
	if [ -z "$hver" ]; then
		# bookworm's own headers: installing them is harmless (no image).
		log "installing $hdr (bookworm headers)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$hdr" >&2
		hver=$(dpkg-query -W -f '${Version}' "$hdr")
	fi
	# The image must be the very build the headers describe.
	ROOT=$DEST/root
	if [ ! -d "$ROOT/lib/modules/$KREL/kernel" ]; then
		deb=$(download "$img" "$hver") || die "cannot download $img=$hver"
		rm -rf "$ROOT"
		extract "$deb" "$ROOT"
	fi
	;;
6.12)
	# Newest first; take the first release whose four packages all download.
	mapfile -t rels < <(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12(\.[0-9]+)?-amd64$' |
		sed -e 's/^linux-image-//' -e 's/-amd64$//' | sort -Vr)
	[ ${#rels[@]} -gt 0 ] || die "no linux-image-6.12.*+deb12-amd64 known to apt (run scripts/apt-backports.sh and apt-get update)"
	ROOT=$DEST/root
	found=
	for v in "${rels[@]}"; do
		pk=("linux-image-$v-amd64" "linux-headers-$v-amd64" "linux-headers-$v-common" "linux-kbuild-$v")
		ok=1
		vers=()
		for p in "${pk[@]}"; do
			c=$(candidate "$p")
			[ -n "$c" ] || { ok=; break; }
			vers+=("$c")
		done
		[ -n "$ok" ] || { log "skip $v: not all packages available"; continue; }
		# All four come from one source build, so their versions must agree.
		[ "${vers[0]}" = "${vers[1]}" ] && [ "${vers[1]}" = "${vers[2]}" ] &&
			[ "${vers[2]}" = "${vers[3]}" ] || { log "skip $v: version mismatch"; continue; }
		debs=()
		for i in 0 1 2 3; do
			d=$(download "${pk[$i]}" "${vers[$i]}") || { ok=; break; }
			debs+=("$d")
		done
		[ -n "$ok" ] || { log "skip $v: download failed"; continue; }
		found=$v
		break
	done
	[ -n "$found" ] || die "no downloadable 6.12 kernel with headers"
	KREL=$found-amd64
	KDIR=$ROOT/usr/src/linux-headers-$KREL
	if [ ! -f "$KDIR/.mdpy-fixed" ] || [ ! -d "$ROOT/lib/modules/$KREL/kernel" ]; then
		rm -rf "$ROOT"
		for d in "${debs[@]}"; do extract "$d" "$ROOT"; done
		# The flavour Makefile includes the common tree by absolute path.
		sed -i "s|^include /usr/src/|include $ROOT/usr/src/|" "$KDIR/Makefile"
		grep -q "^include $ROOT/usr/src/linux-headers-$found-common/Makefile" "$KDIR/Makefile" ||
			die "unexpected include line in $KDIR/Makefile"
		touch "$KDIR/.mdpy-fixed"
	fi
	;;
*)
	die "unknown KVER '$KVER' (want 6.1 or 6.12)"
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
