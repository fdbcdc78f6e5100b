# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# fetch-lib.sh - the steps fetch.sh (bookworm kernels, the host's apt) and
# fetch-trixie.sh (trixie-backports kernels, apt in the trixie chroot) share:
# the cache layout, the fast path on the stamp, downloading one kernel's
# packages of one version, unpacking them, and the checks and stamp at the
# end.  Sourced with KVER, TOP and KMAKE set (KMAKE empty: the host's make);
# the sourcing script defines apt_run CMD... (runs an apt command where its
# archive is known).

CACHE=${MDPY_CACHE:-$TOP/build/cache}
DEBS=$CACHE/debs
DEST=$CACHE/kver-$KVER
STAMP=$DEST/fetch.env
ROOT=$DEST/root

log() { echo "[fetch $KVER] $*" >&2; }
die() { log "error: $*"; exit 1; }

# fetch_cached: when the stamp names files that are all there, print it and
# exit; a stale stamp is removed, so the caller fetches again.
fetch_cached() {
	[ -f "$STAMP" ] || return 0
	# shellcheck disable=SC1090
	. "$STAMP"
	if [ -f "$VMLINUZ" ] && [ -d "$MODROOT/lib/modules/$KREL" ] && [ -f "$KDIR/Makefile" ]; then
		cat "$STAMP"
		# The cache (and its stamp) is shared by every checkout that
		# uses MDPY_CACHE; the chroot make must be this checkout's,
		# which binds this tree, or its sources are out of sight.
		[ -z "${KMAKE:-}" ] || echo "KMAKE=$HERE/trixie-make.sh"
		exit 0
	fi
	log "stale stamp, refetching"
	rm -f "$STAMP"
}

# Candidate version of a package, empty if apt does not know it.
candidate() {
	apt_run apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

# download PKG VERSION: fetch PKG=VERSION into $DEBS (once) and print the path.
download() {
	local pkg=$1 ver=$2 pat f
	# apt names files PKG_VERSION_ARCH.deb with ':' escaped as %3a.
	pat="${pkg}_${ver//:/%3a}_*.deb"
	f=$(find "$DEBS" -maxdepth 1 -name "$pat" -print -quit)
	if [ -z "$f" ]; then
		log "download $pkg=$ver"
		# apt-get download writes into the cwd; -qq keeps progress lines
		# out; its sandbox user could not write into the cache.
		(cd "$DEBS" && apt_run apt-get download -qq -o APT::Sandbox::User=root "$pkg=$ver" >&2) ||
			return 1
		f=$(find "$DEBS" -maxdepth 1 -name "$pat" -print -quit)
	fi
	[ -n "$f" ] || return 1
	echo "$f"
}

# extract DEB: unpack into ROOT (one directory for all packages of a kernel,
# so the relative symlinks between headers and kbuild resolve inside it).
extract() {
	log "unpack $(basename "$1")"
	dpkg-deb -x "$1" "$ROOT"
}

# fetch_set ABI PKG...: the kernel ABI (e.g. 6.12.117+deb12): PKG... (image
# and kbuild packages) plus linux-headers-ABI-amd64 and -common, all of one
# version, downloaded and unpacked into ROOT; the flavour Makefile, which
# names the common tree (and on 7.x itself) by absolute /usr/src paths, is
# pointed at the unpacked tree.  Sets KREL and KDIR.  Fails with a log line
# when a package is missing, of another version or not downloadable, so
# the caller can try another ABI.
fetch_set() {
	local abi=$1 p c ver='' d debs=()
	shift
	set -- "$@" "linux-headers-$abi-amd64" "linux-headers-$abi-common"
	for p; do
		c=$(candidate "$p")
		[ -n "$c" ] || { log "skip $abi: $p not available"; return 1; }
		# One source build: a version mismatch means a half-synced archive.
		[ -z "$ver" ] || [ "$c" = "$ver" ] || { log "skip $abi: $p is $c, not $ver"; return 1; }
		ver=$c
	done
	KREL=$abi-amd64
	KDIR=$ROOT/usr/src/linux-headers-$KREL
	if [ "$(cat "$KDIR/.mdpy-fixed" 2>/dev/null)" = "$ver" ] &&
		{ [ -d "$ROOT/lib/modules/$KREL/kernel" ] || [ -d "$ROOT/usr/lib/modules/$KREL/kernel" ]; }; then
		return 0
	fi
	for p; do
		d=$(download "$p" "$ver") || { log "skip $abi: cannot download $p=$ver"; return 1; }
		debs+=("$d")
	done
	rm -rf "$ROOT"
	for d in "${debs[@]}"; do extract "$d"; done
	sed -i -e "s|^include /usr/src/|include $ROOT/usr/src/|" \
		-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$ROOT/usr/src/|" "$KDIR/Makefile"
	grep -q "^include $ROOT/usr/src/linux-headers-$abi-common/Makefile" "$KDIR/Makefile" ||
		die "unexpected include line in $KDIR/Makefile"
	echo "$ver" >"$KDIR/.mdpy-fixed"
}

# fetch_newest SERIES TAG PKG...: fetch_set for the newest release of SERIES
# (linux-image-SERIES.N+TAG-amd64 known to apt) whose packages all download;
# in each PKG an @ stands for the release's ABI.  Fails when apt knows no
# such release (the caller says how to make it known).
fetch_newest() {
	local series=$1 tag=$2 v t rels
	shift 2
	mapfile -t rels < <(apt_run apt-cache pkgnames "linux-image-$series." 2>/dev/null |
		grep -E "^linux-image-${series//./\\.}\.[0-9]+\+$tag(\.[0-9]+)?-amd64$" |
		sed -e 's/^linux-image-//' -e 's/-amd64$//' | sort -Vr)
	if [ ${#rels[@]} -eq 0 ]; then
		log "no linux-image-$series.*+$tag-amd64 known to apt"
		return 1
	fi
	for v in "${rels[@]}"; do
		local pk=()
		for t; do pk+=("${t//@/$v}"); done
		fetch_set "$v" "${pk[@]}" && return 0
	done
	die "no downloadable $series kernel with headers"
}

# fetch_done: check what KREL and KDIR name, finish the unpacked tree
# (lib/modules, modules.dep), prove the headers build a module, write the
# stamp and print it.
fetch_done() {
	local probe=$DEST/probe
	# Newer packages ship modules (and vmlinuz) under usr/lib only;
	# MODROOT must hold lib/modules.
	if [ ! -d "$ROOT/lib/modules/$KREL" ] && [ -d "$ROOT/usr/lib/modules/$KREL" ]; then
		mkdir -p "$ROOT/lib"
		ln -sfn ../usr/lib/modules "$ROOT/lib/modules"
	fi
	VMLINUZ=$ROOT/boot/vmlinuz-$KREL
	[ -f "$VMLINUZ" ] || VMLINUZ=$ROOT/usr/lib/modules/$KREL/vmlinuz
	[ -f "$VMLINUZ" ] || die "no vmlinuz for $KREL in the image packages"
	[ -d "$ROOT/lib/modules/$KREL/kernel" ] || die "no modules for $KREL in the image packages"
	[ -f "$KDIR/Makefile" ] || die "no headers at $KDIR"
	# modprobe --show-depends needs modules.dep; the packages ship only the
	# list of modules, postinst runs depmod.  Run it on the copy.
	if [ ! -f "$ROOT/lib/modules/$KREL/modules.dep" ]; then
		log "depmod"
		depmod -b "$ROOT" "$KREL"
	fi

	# The headers must build a module (fast, once) before success.
	if [ ! -f "$probe/ok" ]; then
		log "test out-of-tree build${KMAKE:+ ($KMAKE)}"
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
MODULE_DESCRIPTION("mdpy headers probe");
EOF
		"${KMAKE:-make}" -s -C "$KDIR" M="$probe" CONFIG_DEBUG_INFO_BTF_MODULES= modules \
			>"$probe/log" 2>&1 ||
			{ tail -n 30 "$probe/log" >&2; die "out-of-tree build against $KDIR failed"; }
		touch "$probe/ok"
	fi

	{
		echo "KREL=$KREL"
		echo "KDIR=$KDIR"
		echo "VMLINUZ=$VMLINUZ"
		echo "MODROOT=$ROOT"
		[ -z "$KMAKE" ] || echo "KMAKE=$KMAKE"
	} >"$STAMP.tmp"
	mv "$STAMP.tmp" "$STAMP"
	log "ready: $KREL"
	cat "$STAMP"
}
