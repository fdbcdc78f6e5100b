#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing mdpy needs on Debian 12, and the
# packages named as arguments (what only one target needs, e.g. lintian for
# make check-deb).  As root it installs; otherwise it prints the exact
# command and fails.  Kernel images and backports headers are never
# installed: the VM rig downloads them.
set -eu

PKGS="gcc make libc6-dev clang python3 qemu-system-x86 busybox-static kmod debootstrap \
cpio xz-utils zstd linux-headers-amd64 mdevctl sparse shellcheck python3-pyflakes \
python3-pil libvirt-daemon libvirt-clients $*"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
here=$(dirname "$0")
backports=/etc/apt/sources.list.d/mdpy-backports.sources

if [ -z "$missing" ] && [ -f "$backports" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "mdpy needs some Debian packages. As root, run:"
	[ -f "$backports" ] || echo "  $here/apt-backports.sh"
	echo "  apt-get update && apt-get install -y$missing"
	exit 1
fi

echo "[deps] installing:${missing:- (backports entry only)}"
"$here/apt-backports.sh"
apt-get update -q >/dev/null
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
