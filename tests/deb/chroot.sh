#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chroot.sh - a Debian root in which the mdpy packages are installed the way
# a user installs them: with apt, dkms building for every kernel whose
# headers are there.  DEB_DIST picks the release: bookworm (Debian 12, the
# default) or trixie (Debian 13).
#
#   chroot.sh prepare PKG...   create the root if needed and make sure dkms
#                              and PKG... (headers packages) are installed;
#                              print its path
#   chroot.sh run CMD...       run CMD inside it (cwd /)
#
# The root lives in build/cache/deb-DIST/root (MDPY_CACHE moves the cache).
# bookworm: made once with debootstrap --variant=minbase; its apt sources
# are the host's own (this host is bookworm too): /etc/apt/sources.list.d/
# debian.sources, and the bookworm-backports entry scripts/apt-backports.sh
# derives from it, copied in at run time.
# trixie: made once as a copy of the test rig's trixie root
# (tests/vm/trixie-chroot.sh, itself made with debootstrap), so there is
# one debootstrap of trixie, and the rig's root never gets the packages
# tested here; its apt sources are the rig root's (trixie, trixie-updates,
# trixie-backports, derived there from the host's), copied in at run time.
# So no archive is named here.  Backports headers (6.12, 7.3) are installed
# only inside these roots, never on the host.  `run` works in a private
# mount namespace with /proc, /dev and /sys.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${MDPY_CACHE:-$TOP/build/cache}
DIST=${DEB_DIST:-bookworm}
BASE=$CACHE/deb-$DIST
R=$BASE/root
SRC=/etc/apt/sources.list.d/debian.sources
BPO=/etc/apt/sources.list.d/mdpy-backports.sources
# What every run needs besides the headers: dkms (the packages depend on
# it; installed here once so a run only adds and removes mdpy) and its
# build tools.  Bump SET when the list changes.
PKGS="dkms gcc make libc6-dev kmod xz-utils"
SET=1

log() { echo "[deb-chroot $DIST] $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
case $DIST in
bookworm | trixie) ;;
*) die "DEB_DIST is bookworm or trixie, not '$DIST'" ;;
esac

# The archive URL, from the host's configuration (never written here).
mirror() {
	awk 'BEGIN { RS = "" } NR == 1 {
		n = split($0, l, "\n")
		for (i = 1; i <= n; i++)
			if (l[i] ~ /^URIs:/) { split(l[i], w, /[ \t]+/); print w[2]; exit }
	}' "$SRC"
}

inside() {
	# shellcheck disable=SC2016 # the inner script expands its own args
	unshare -m --propagation private /bin/sh -c '
		set -e
		R=$1
		shift
		mount -t proc proc "$R/proc"
		mount --rbind /dev "$R/dev"
		mount -t sysfs sysfs "$R/sys" 2>/dev/null || mount --rbind /sys "$R/sys"
		exec chroot "$R" "$@"
	' inside "$R" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# bookworm: debootstrap once, then the host's sources
seed_bookworm() {
	local url t0
	[ -f "$SRC" ] || die "$SRC not found: cannot tell which archive to use"
	if [ ! -f "$R/.mdpy-debootstrap" ]; then
		command -v debootstrap >/dev/null ||
			die "debootstrap is missing (apt-get install debootstrap, or make deps)"
		url=$(mirror)
		[ -n "$url" ] || die "no URIs line in the first stanza of $SRC"
		log "debootstrap --variant=minbase bookworm (a few minutes, once)"
		t0=$SECONDS
		rm -rf "$R"
		debootstrap --variant=minbase --arch=amd64 bookworm "$R" "$url" \
			>"$BASE/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$BASE/debootstrap.log" >&2; die "debootstrap failed (log: $BASE/debootstrap.log)"; }
		touch "$R/.mdpy-debootstrap"
		log "debootstrap done in $((SECONDS - t0)) s"
	fi
	[ -f "$BPO" ] || "$TOP/scripts/apt-backports.sh" ||
		die "cannot derive the bookworm-backports entry"
	rm -f "$R/etc/apt/sources.list"
	cp "$SRC" "$BPO" "$R/etc/apt/sources.list.d/"
}

# trixie: a copy of the rig's trixie root once, then its sources
seed_trixie() {
	local rig t0
	rig=$("$TOP/tests/vm/trixie-chroot.sh" root) || die "no trixie root from the rig"
	if [ ! -f "$R/.mdpy-debootstrap" ]; then
		log "copy of the rig's trixie root $rig (once)"
		t0=$SECONDS
		rm -rf "$R" "$R.tmp"
		# the rig's lock: no apt run in its root while copying
		(
			flock 9
			cp -a "$rig" "$R.tmp"
		) 9>"$(dirname "$rig")/.lock" || die "cannot copy $rig"
		rm -f "$R.tmp/.mdpy-ready"
		touch "$R.tmp/.mdpy-debootstrap"
		mv "$R.tmp" "$R"
		log "copied in $((SECONDS - t0)) s"
	fi
	rm -f "$R/etc/apt/sources.list"
	cp "$rig/etc/apt/sources.list.d/debian.sources" "$R/etc/apt/sources.list.d/"
}

# prepare PKG...: the root with PKGS and PKG... installed (stamped by list)
prepare() {
	local want t0
	# the stamp: what is installed, in an order that does not depend on
	# the caller's
	want="$SET $PKGS $(printf '%s\n' "$@" | sort | tr '\n' ' ')"
	mkdir -p "$BASE"
	exec 8>"$BASE/.lock"
	flock 8
	if [ -f "$R/.mdpy-ready" ] && [ "$(cat "$R/.mdpy-ready")" = "$want" ]; then
		echo "$R"
		return 0
	fi
	if [ "$DIST" = trixie ]; then
		seed_trixie
	else
		seed_bookworm
	fi
	cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
	# Nothing in this root is a booted system: keep services from starting.
	printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
	chmod 0755 "$R/usr/sbin/policy-rc.d"
	log "apt-get install $PKGS $*"
	t0=$SECONDS
	# shellcheck disable=SC2086 # package list
	{
		inside apt-get update -q &&
			inside apt-get install -y -q --no-install-recommends $PKGS "$@" &&
			inside apt-get clean
	} >"$BASE/apt.log" 2>&1 ||
		{ tail -n 20 "$BASE/apt.log" >&2; die "package install failed (log: $BASE/apt.log)"; }
	log "packages installed in $((SECONDS - t0)) s"
	echo "$want" >"$R/.mdpy-ready"
	echo "$R"
}

case ${1:-} in
prepare)
	shift
	prepare "$@"
	;;
run)
	shift
	[ $# -gt 0 ] || die "usage: chroot.sh run CMD..."
	[ -f "$R/.mdpy-ready" ] || die "no root yet: chroot.sh prepare first"
	inside "$@"
	;;
*)
	echo "usage: chroot.sh prepare PKG... | run CMD..." >&2
	exit 2
	;;
esac
