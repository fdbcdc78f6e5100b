#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# linux-source.sh SERIES - make selected files of Debian's linux-source-SERIES
# (the kernel's own samples and checkpatch) available under build/cache, and
# print the directory.  Used to build the kernel's sample mdpy as a baseline
# and to run checkpatch; nothing from it is ever copied into this tree.
set -euo pipefail

series=${1:?usage: linux-source.sh 6.1|6.12}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/cache
dir=$cache/src-$series
stamp=$dir/.done
if [ -f "$stamp" ]; then
	cat "$stamp"
	exit 0
fi
# last ARG...: the last of the glob's matches (they come sorted), or nothing.
last() {
	local f l=
	for f in "$@"; do [ ! -e "$f" ] || l=$f; done
	echo "$l"
}
mkdir -p "$cache/debs" "$dir"
deb=$(last "$cache"/debs/linux-source-"$series"_*.deb)
if [ -z "$deb" ]; then
	echo "[source $series] download linux-source-$series" >&2
	(cd "$cache/debs" && apt-get download -q "linux-source-$series" >&2 2>/dev/null)
	deb=$(last "$cache"/debs/linux-source-"$series"_*.deb)
	[ -n "$deb" ] || { echo "[source $series] download failed" >&2; exit 1; }
fi
echo "[source $series] extract samples/vfio-mdev and checkpatch" >&2
rm -rf "$dir/deb"
dpkg-deb -x "$deb" "$dir/deb"
tarball=$(last "$dir"/deb/usr/src/linux-source-"$series".tar.*)
name=linux-source-$series
tar -xf "$tarball" -C "$dir" "$name/samples/vfio-mdev" "$name/scripts/checkpatch.pl" \
	"$name/scripts/spelling.txt" "$name/scripts/const_structs.checkpatch"
rm -rf "$dir/deb"
echo "$dir/$name" | tee "$stamp"
