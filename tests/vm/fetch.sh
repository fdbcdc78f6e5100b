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
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

# Every target that boots a kernel comes through here: on a fresh machine
# install what it needs (depmod, QEMU, busybox, ...) or say what is missing.
"$TOP/scripts/deps.sh" >&2

# 6.12-san, the sanitizer kernel, is built from source rather than
# downloaded; tests/sanitize/build-kernel.sh caches it and prints the same.
if [ "$KVER" = 6.12-san ]; then
	exec "$TOP/tests/sanitize/build-kernel.sh"
fi

# The host's apt and make.
KMAKE=
apt_run() { "$@"; }
# shellcheck source=tests/vm/fetch-lib.sh
. "$HERE/fetch-lib.sh"

# Fast path: everything already unpacked and checked.
fetch_cached
mkdir -p "$DEBS" "$DEST"

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
				extract "$deb"
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
		abi=${abi%-amd64}
		fetch_set "$abi" "linux-image-$abi-amd64" linux-kbuild-6.1 ||
			die "cannot fetch kernel $abi"
	fi
	;;
6.12)
	fetch_newest 6.12 deb12 linux-image-@-amd64 linux-kbuild-@ ||
		die "run scripts/apt-backports.sh and apt-get update"
	;;
7.3)
	# trixie-backports: its build tools run only in a trixie chroot, so
	# fetch-trixie.sh does it all (same stamp, plus KMAKE=).
	exec "$HERE/fetch-trixie.sh" "$KVER"
	;;
*)
	die "unknown KVER '$KVER' (want one of: $("$HERE/kernels.sh"))"
	;;
esac

fetch_done
