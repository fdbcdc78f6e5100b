#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# trixie-chroot.sh - a Debian 13 (trixie) build root for the kernels whose
# tools the bookworm host cannot run (7.3 from trixie-backports needs glibc
# >= 2.38 and gcc-14), for QEMU 11.1 from trixie-backports, and for
# trixie's libvirt 11.3 (suite 60-libvirt on 7.3, tests/libvirt/lvchroot.sh).
#
#   trixie-chroot.sh root          create it if needed, print its path
#   trixie-chroot.sh run CMD...    run CMD inside it (cwd kept if visible)
#   trixie-chroot.sh apt-get ARGS  apt-get inside it (e.g. download)
#   trixie-chroot.sh qemu          print the path of a qemu-system-x86_64
#                                  wrapper running the chroot's QEMU 11.1
#                                  from outside (no chroot, no mounts)
#
# The root lives in build/cache/trixie/root, made once with debootstrap
# --variant=minbase. Its apt sources are derived at run time from the first
# stanza of the host's /etc/apt/sources.list.d/debian.sources (same archive,
# suites trixie trixie-backports), written only inside the chroot: the host's
# apt configuration is never touched.
#
# `run` works in a private mount namespace (unshare -m): /proc, /dev and /sys
# are mounted inside (objtool needs /proc), and this source tree (and
# MDPY_CACHE, and each directory in TRIXIE_BINDS, one a line, if elsewhere)
# is bind-mounted at its own absolute path, so paths are the same inside and
# outside (headers in the cache, module sources, build dirs).
# The environment inside is clean; TRIXIE_ENV may list NAME=VALUE words to
# pass in.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${MDPY_CACHE:-$TOP/build/cache}
BASE=$CACHE/trixie
R=$BASE/root
STAMP=$R/.mdpy-ready
# Kernel module builds (7.3), the nested QEMU (11.1) and libvirt (trixie's
# own, not backports': it drives the backports QEMU). Bump SET when a list
# changes so existing roots get the new packages.
PKGS="gcc make libc6-dev libelf-dev dwarves bc kmod xz-utils zstd sparse"
BPO_PKGS="qemu-system-x86 qemu-system-data seabios ipxe-qemu"
# libvirtd's QEMU and node device drivers, virsh, and mdevctl (libvirt's
# backend for nodedev-create/define); the QEMU driver pulls in systemd
# (systemd-container), which never runs here (policy-rc.d below).
LV_PKGS="libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-driver-nodedev libvirt-clients mdevctl"
SET=3

log() { echo "[trixie] $*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
SRC=/etc/apt/sources.list.d/debian.sources

# The archive URL, from the host's own configuration (never written here).
mirror() {
	[ -f "$SRC" ] || die "$SRC not found: cannot tell which archive to use"
	awk 'BEGIN { RS = "" } NR == 1 {
		n = split($0, l, "\n")
		for (i = 1; i <= n; i++)
			if (l[i] ~ /^URIs:/) { split(l[i], w, /[ \t]+/); print w[2]; exit }
	}' "$SRC"
}

# The chroot's deb822 sources: the host's first stanza with trixie suites.
sources() {
	awk 'BEGIN { RS = ""; ORS = "\n" } NR == 1 {
		n = split($0, l, "\n")
		for (i = 1; i <= n; i++) {
			if (l[i] ~ /^Suites:/)
				l[i] = "Suites: trixie trixie-updates trixie-backports"
			print l[i]
		}
	}' "$SRC"
}

# In a private mount namespace: the mounts vanish with the command.
inside() { # inside CMD... (runs as: unshare -m, mounts, chroot)
	# shellcheck disable=SC2016,SC2086 # the inner script expands its own args; TRIXIE_ENV is a word list
	unshare -m --propagation private /bin/bash -c '
		set -e
		R=$1 TOP=$2 CACHE=$3 CWD=$4
		shift 4
		mount -t proc proc "$R/proc"
		mount --rbind /dev "$R/dev"
		mount -t sysfs sysfs "$R/sys" 2>/dev/null || mount --rbind /sys "$R/sys"
		mkdir -p "$R$TOP"
		mount --bind "$TOP" "$R$TOP"
		seen="$TOP"
		# The cache and TRIXIE_BINDS (one directory a line), unless
		# already visible through an earlier bind.
		while read -r d; do
			[ -n "$d" ] && [ -d "$d" ] && [ "$d" != / ] || continue
			skip=
			for s in $seen; do
				case $d in "$s"|"$s"/*) skip=1 ;; esac
			done
			[ -z "$skip" ] || continue
			mkdir -p "$R$d" && mount --bind "$d" "$R$d"
			seen="$seen $d"
		done <<< "$CACHE
${TRIXIE_BINDS:-}"
		ok=
		for s in $seen; do
			case $CWD in "$s"|"$s"/*) ok=1 ;; esac
		done
		[ -n "$ok" ] || CWD=/
		exec chroot "$R" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$CWD" "$@"
	' inside "$R" "$TOP" "$(cd "$CACHE" && pwd)" "$(pwd)" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		${TRIXIE_ENV:-} "$@"
}

create() {
	local t
	if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$SET" ]; then
		return 0
	fi
	mkdir -p "$BASE"
	exec 8>"$BASE/.lock"
	flock 8
	if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$SET" ]; then
		return 0
	fi
	if [ ! -x "$R/usr/bin/apt-get" ] || [ ! -f "$R/.mdpy-debootstrap" ]; then
		if ! command -v debootstrap >/dev/null; then
			log "installing debootstrap (bookworm)"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2 ||
				die "cannot install debootstrap"
		fi
		local url
		url=$(mirror)
		[ -n "$url" ] || die "no URIs line in the first stanza of $SRC"
		log "debootstrap --variant=minbase trixie (a few minutes, once)"
		t=$(now)
		rm -rf "$R"
		debootstrap --variant=minbase --arch=amd64 trixie "$R" "$url" \
			>"$BASE/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$BASE/debootstrap.log" >&2; die "debootstrap failed (log: $BASE/debootstrap.log)"; }
		touch "$R/.mdpy-debootstrap"
		log "debootstrap done in $(since "$t")"
	fi
	rm -f "$R/etc/apt/sources.list"
	sources >"$R/etc/apt/sources.list.d/debian.sources"
	cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
	# Nothing in this root is a booted system: keep services from starting.
	printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
	chmod 0755 "$R/usr/sbin/policy-rc.d"
	t=$(now)
	log "apt-get install $PKGS; from trixie-backports: $BPO_PKGS"
	# shellcheck disable=SC2086 # package lists
	{
		inside apt-get update -q &&
			inside apt-get install -y -q --no-install-recommends $PKGS &&
			inside apt-get install -y -q --no-install-recommends -t trixie-backports $BPO_PKGS &&
			inside apt-get clean
	} >"$BASE/apt.log" 2>&1 ||
		{ tail -n 20 "$BASE/apt.log" >&2; die "package install failed (log: $BASE/apt.log)"; }
	log "packages installed in $(since "$t")"
	# A step of its own, so its cost shows in the log.
	t=$(now)
	log "apt-get install $LV_PKGS"
	# shellcheck disable=SC2086 # package list
	{
		inside apt-get install -y -q --no-install-recommends $LV_PKGS &&
			inside apt-get clean
	} >>"$BASE/apt.log" 2>&1 ||
		{ tail -n 20 "$BASE/apt.log" >&2; die "libvirt install failed (log: $BASE/apt.log)"; }
	log "libvirt installed in $(since "$t")"
	echo "$SET" >"$STAMP"
}

# A qemu-system-x86_64 that runs the chroot's QEMU (11.1 from
# trixie-backports) from outside it: through the chroot's dynamic loader and
# libraries, with its firmware (-L) and modules, so it works wherever this
# tree is visible at the same path, e.g. in the test VM's host chroot.
qemu_wrapper() {
	local w=$BASE/bin/qemu-system-x86_64
	mkdir -p "$BASE/bin"
	cat >"$w.tmp" <<EOF
#!/bin/sh
# Generated by tests/vm/trixie-chroot.sh: QEMU from the trixie chroot $R
R='$R'
QEMU_MODULE_DIR=\$R/usr/lib/x86_64-linux-gnu/qemu
export QEMU_MODULE_DIR
exec "\$R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
	--library-path "\$R/usr/lib/x86_64-linux-gnu" \\
	"\$R/usr/bin/qemu-system-x86_64" \\
	-L "\$R/usr/share/qemu" -L "\$R/usr/share/seabios" -L "\$R/usr/lib/ipxe/qemu" "\$@"
EOF
	chmod 0755 "$w.tmp"
	mv "$w.tmp" "$w"
	echo "$w"
}

case ${1:-} in
qemu)
	create
	qemu_wrapper
	;;
root)
	create
	echo "$R"
	;;
run)
	shift
	[ $# -gt 0 ] || die "usage: trixie-chroot.sh run CMD..."
	create
	inside "$@"
	;;
apt-get)
	shift
	create
	inside apt-get "$@"
	;;
*)
	echo "usage: trixie-chroot.sh root | run CMD... | apt-get ARGS... | qemu" >&2
	exit 2
	;;
esac
