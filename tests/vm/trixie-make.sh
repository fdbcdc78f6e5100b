#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# trixie-make.sh ARGS... - make, run inside the trixie chroot
# (tests/vm/trixie-chroot.sh), for kernels whose build tools need trixie's
# glibc and gcc-14. fetch.sh prints it as KMAKE= for those kernels.
#
# The chroot sees this tree and the cache at their own paths; directories
# named by -C DIR or MODDIR=/M=/O=DIR elsewhere (e.g. build-ko.sh with
# MDPY_KO_OUT=/tmp/x) are created if needed and bind-mounted the same way.
binds=
prev=
for a in "$@"; do
	d=
	case $prev:$a in
	-C:/*) d=$a ;;
	*:MODDIR=/* | *:M=/* | *:O=/*) d=${a#*=} ;;
	esac
	prev=$a
	[ -n "$d" ] || continue
	mkdir -p "$d" && binds="$binds$(cd "$d" && pwd)
"
done
TRIXIE_BINDS=$binds exec "$(dirname "$0")/trixie-chroot.sh" run make "$@"
