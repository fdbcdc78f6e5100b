#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-qemu10.sh - QEMU 10.0 from bookworm-backports, for use as the nested
# QEMU inside the test VM: `apt-get download` + `dpkg-deb -x` into
# build/cache/qemu10 (never installed), once.  Prints two lines for eval:
#   QEMU10=<its qemu-system-x86_64>
#   QEMU10_L=<colon-separated -L data dirs (its own SeaBIOS and data)>
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${MDPY_CACHE:-$TOP/build/cache}/qemu10
ROOT=$CACHE/root
PKGS="qemu-system-x86 qemu-system-data seabios"

if [ ! -x "$ROOT/usr/bin/qemu-system-x86_64" ]; then
	echo "[qemu10] download $PKGS from bookworm-backports" >&2
	mkdir -p "$CACHE/debs"
	rm -rf "$ROOT.tmp"
	(
		cd "$CACHE/debs"
		for p in $PKGS; do
			ls "${p}"_*bpo12*.deb >/dev/null 2>&1 ||
				apt-get download -q "$p/bookworm-backports" >/dev/null
		done
		for d in *.deb; do
			dpkg-deb -x "$d" "$ROOT.tmp"
		done
	) || {
		echo "[qemu10] could not fetch QEMU 10 from bookworm-backports (scripts/deps.sh adds that apt entry)" >&2
		exit 1
	}
	mv "$ROOT.tmp" "$ROOT"
fi
echo "QEMU10=$ROOT/usr/bin/qemu-system-x86_64"
echo "QEMU10_L=$ROOT/usr/share/seabios:$ROOT/usr/share/qemu"
