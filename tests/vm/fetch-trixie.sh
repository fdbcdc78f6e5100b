#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-trixie.sh KVER - the fetch.sh step for kernels from trixie-backports
# (KVER=7.3): same contract and cache layout as fetch.sh, whose KVER case
# hands over to this script.
#
# The newest linux-image-KVER.*+deb13-amd64 is a meta package; its content
# is in linux-binary-, linux-modules- and linux-base- packages, all under
# usr/lib/modules/<release>/ (vmlinuz too), without modules.dep. Those and
# the headers (-amd64, -common) and linux-kbuild- debs are downloaded with the
# trixie chroot's apt (tests/vm/trixie-chroot.sh; the host's apt knows no
# trixie) and unpacked into build/cache/kver-KVER/root, never installed.
# The kernel's build tools only run in that chroot, so the stamp carries one
# more assignment: KMAKE=tests/vm/trixie-make.sh (make inside the chroot;
# paths are the same there). Consumers run "${KMAKE:-make}" -C "$KDIR" ...
#
# stdout: KREL= KDIR= VMLINUZ= MODROOT= KMAKE=   stderr: "[fetch KVER] ...".
set -euo pipefail

KVER=${1:?usage: fetch-trixie.sh KVER (7.3)}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${MDPY_CACHE:-$TOP/build/cache}
DEBS=$CACHE/debs
DEST=$CACHE/kver-$KVER
STAMP=$DEST/fetch.env
ROOT=$DEST/root
CH=$HERE/trixie-chroot.sh
KMAKE=$HERE/trixie-make.sh

log() { echo "[fetch $KVER] $*" >&2; }
die() { log "error: $*"; exit 1; }

case $KVER in
7.3) ;;
*) die "fetch-trixie.sh knows 7.3 only, not '$KVER'" ;;
esac

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

"$CH" root >/dev/null
# apt inside the chroot; its cwd must be inside this tree to be visible.
tapt() { (cd "$DEBS" && "$CH" run "$@"); }

candidate() {
	tapt apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

download() { # download PKG VERSION -> path of the .deb in $DEBS
	local pkg=$1 ver=$2 pat f
	pat="${pkg}_${ver//:/%3a}_*.deb"
	f=$(find "$DEBS" -maxdepth 1 -name "$pat" -print -quit)
	if [ -z "$f" ]; then
		log "download $pkg=$ver"
		# -qq: no progress lines; the sandbox user cannot write here.
		tapt apt-get download -qq -o APT::Sandbox::User=root "$pkg=$ver" >&2 || return 1
		f=$(find "$DEBS" -maxdepth 1 -name "$pat" -print -quit)
	fi
	[ -n "$f" ] || return 1
	echo "$f"
}

# Newest first; the first release whose six packages all download wins.
esc=${KVER//./\\.}
mapfile -t rels < <(tapt apt-cache pkgnames "linux-image-$KVER." 2>/dev/null |
	grep -E "^linux-image-$esc\.[0-9]+\+deb13(\.[0-9]+)?-amd64$" |
	sed -e 's/^linux-image-//' -e 's/-amd64$//' | sort -Vr)
[ ${#rels[@]} -gt 0 ] || die "no linux-image-$KVER.*+deb13-amd64 in the trixie chroot's apt"
found=
for v in "${rels[@]}"; do
	pk=("linux-binary-$v-amd64" "linux-modules-$v-amd64" "linux-base-$v-amd64"
		"linux-headers-$v-amd64" "linux-headers-$v-common" "linux-kbuild-$v")
	ok=1
	vers=()
	for p in "${pk[@]}"; do
		c=$(candidate "$p")
		[ -n "$c" ] || { ok=; break; }
		vers+=("$c")
	done
	[ -n "$ok" ] || { log "skip $v: not all packages available"; continue; }
	for c in "${vers[@]}"; do
		[ "$c" = "${vers[0]}" ] || { ok=; break; }
	done
	[ -n "$ok" ] || { log "skip $v: version mismatch (${vers[*]})"; continue; }
	debs=()
	for i in "${!pk[@]}"; do
		d=$(download "${pk[$i]}" "${vers[$i]}") || { ok=; break; }
		debs+=("$d")
	done
	[ -n "$ok" ] || { log "skip $v: download failed"; continue; }
	found=$v
	break
done
[ -n "$found" ] || die "no downloadable $KVER kernel with headers"

KREL=$found-amd64
KDIR=$ROOT/usr/src/linux-headers-$KREL
if [ ! -f "$KDIR/.mdpy-fixed" ] || [ ! -d "$ROOT/usr/lib/modules/$KREL/kernel" ]; then
	rm -rf "$ROOT"
	for d in "${debs[@]}"; do
		log "unpack $(basename "$d")"
		dpkg-deb -x "$d" "$ROOT"
	done
	# The flavour Makefile names itself (KBUILD_OUTPUT) and the common tree
	# by absolute paths under /usr/src.
	sed -i -e "s|^include /usr/src/|include $ROOT/usr/src/|" \
		-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$ROOT/usr/src/|" "$KDIR/Makefile"
	grep -q "^include $ROOT/usr/src/linux-headers-$found-common/Makefile" "$KDIR/Makefile" ||
		die "unexpected include line in $KDIR/Makefile"
	# C=1/C=2 first asks scripts/checker-valid.sh whether the checker is
	# there and new enough; the kbuild package lacks the script, and the
	# Makefile then runs a checker that may not parse these headers. Ours
	# prints 1 only if the checker silently accepts a small file casting
	# with __typeof_unqual__ (all over 7.x headers; Debian's sparse 0.6.4
	# cannot), so an old sparse is reported by the Makefile and skipped.
	cv=$ROOT/usr/src/linux-headers-$found-common/scripts/checker-valid.sh
	if [ ! -e "$cv" ]; then
		cat >"$cv" <<'EOF'
#!/bin/sh
# Written by mdpy's tests/vm/fetch-trixie.sh (the package has none).
command -v "$1" >/dev/null 2>&1 || exit 0
# sparse exits 0 after errors: any message means it cannot check this.
out=$(printf 'int main(void)\n{\n\tconst int a = 0;\n\n\treturn (__typeof_unqual__(a))a;\n}\n' |
	"$@" - 2>&1) && [ -z "$out" ] && echo 1
exit 0
EOF
		chmod 0755 "$cv"
	fi
	touch "$KDIR/.mdpy-fixed"
fi
# MODROOT must hold lib/modules (the packages use usr/lib only).
if [ ! -e "$ROOT/lib/modules" ]; then
	mkdir -p "$ROOT/lib"
	ln -sfn ../usr/lib/modules "$ROOT/lib/modules"
fi
VMLINUZ=$ROOT/usr/lib/modules/$KREL/vmlinuz
[ -f "$VMLINUZ" ] || VMLINUZ=$ROOT/boot/vmlinuz-$KREL
[ -f "$VMLINUZ" ] || die "no vmlinuz in linux-binary-$found-amd64"
[ -d "$ROOT/lib/modules/$KREL/kernel" ] || die "no modules in linux-modules-$found-amd64"
[ -f "$KDIR/Makefile" ] || die "no headers at $KDIR"
if [ ! -f "$ROOT/lib/modules/$KREL/modules.dep" ]; then
	log "depmod"
	depmod -b "$ROOT" "$KREL"
fi

# The headers must build a module inside the chroot (once) before success.
probe=$DEST/probe
if [ ! -f "$probe/ok" ]; then
	log "test out-of-tree build (trixie chroot)"
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
	"$KMAKE" -s -C "$KDIR" M="$probe" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$probe/log" 2>&1 ||
		{ tail -n 30 "$probe/log" >&2; die "out-of-tree build against $KDIR failed"; }
	touch "$probe/ok"
fi

{
	echo "KREL=$KREL"
	echo "KDIR=$KDIR"
	echo "VMLINUZ=$VMLINUZ"
	echo "MODROOT=$ROOT"
	echo "KMAKE=$KMAKE"
} >"$STAMP.tmp"
mv "$STAMP.tmp" "$STAMP"
log "ready: $KREL"
cat "$STAMP"
