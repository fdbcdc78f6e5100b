#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh OUT_DIR - build the Debian packages mdpy-dkms and mdpy-drm-dkms
# (`make deb`) into OUT_DIR.  The tree's files (git's tracked and new
# files, or everything outside build/ in a tarball) are copied to
# OUT_DIR/mdpy-VERSION, the version of scripts/version.sh is put at the top
# of its debian/changelog when that names another, and dpkg-buildpackage
# builds there, so the tree itself never gets build products.  The
# packaging tools are installed as root; otherwise the apt-get line that
# installs them is printed.
set -eu

out=${1:?usage: deb.sh OUT_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# debian/control's Build-Depends, as Debian 12 packages (dh-sequence-dkms
# is dh-dkms)
PKGS="dpkg-dev debhelper dh-dkms"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "make deb needs Debian's packaging tools. As root, run:"
		echo "  apt-get install --no-install-recommends$missing"
		exit 1
	fi
	echo "[deb] installing:$missing"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

ver=$(scripts/version.sh)
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$out/mdpy-$ver
rm -rf "$out"/mdpy-* "$out"/mdpy_* "$out"/mdpy-dkms_* "$out"/mdpy-drm-dkms_*
mkdir -p "$stage"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard
else
	find . -path ./build -prune -o -path ./.git -prune -o -type f -printf '%P\0'
fi | tar --null -T - --ignore-failed-read -cf - | tar -C "$stage" -xf -

# A snapshot (or a VERSION bumped without a changelog entry) gets an entry
# of its own, so package and DKMS versions are the tree's.
clver=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$clver" != "$ver" ]; then
	{
		echo "mdpy ($ver) unstable; urgency=medium"
		echo
		echo "  * Snapshot of the source tree at $ver."
		echo
		echo " -- $(dpkg-parsechangelog -l debian/changelog -S Maintainer)  $(date -R)"
		echo
		cat debian/changelog
	} >"$stage/debian/changelog"
fi

echo "[deb] building mdpy $ver in $stage"
(cd "$stage" && dpkg-buildpackage --build=binary --no-sign) >"$out/build.log" 2>&1 || {
	tail -n 25 "$out/build.log"
	echo "[deb] dpkg-buildpackage failed (log: $out/build.log)"
	exit 1
}
for p in mdpy-dkms mdpy-drm-dkms; do
	echo "built $out/${p}_${ver}_all.deb"
done
