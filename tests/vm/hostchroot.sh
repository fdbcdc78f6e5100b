#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test VM: run a host binary in the host root shared read-only at /host.
#
#   /payload/lib/hostchroot.sh CMD [ARGS...]   e.g. qemu-system-x86_64 --version
#   /payload/lib/hostchroot.sh --setup         only prepare the mounts (init does)
#
# /host is read-only 9p, so its existing /dev, /proc, /sys, /tmp, /run dirs are
# used as mount points: the guest's /dev, /proc, /sys are bound there, and
# /tmp, /run, /var/tmp get fresh tmpfs. Inside the chroot /tmp/payload and
# /tmp/results are the guest's /payload and /results (bind mounts), so host
# programs can read test files and write results.
# After setup, plain `chroot /host CMD` works too.
H=${HOSTROOT:-/host}

setup() {
	[ -x "$H/bin/sh" ] || { echo "hostchroot: $H is not mounted" >&2; return 1; }
	# Idempotent: the marker lives on the tmpfs mounted below.
	[ -e "$H/tmp/.mdpy-chroot" ] && return 0
	for d in dev proc sys; do
		mount --bind "/$d" "$H/$d" || return 1
	done
	mount --bind /dev/pts "$H/dev/pts" 2>/dev/null
	# The repo and the download cache (HOST_KEEP, from /etc/rig.env) hold
	# files the suites read through /host; when they live under a dir that
	# gets a tmpfs below (a checkout in /tmp), carry them over the tmpfs.
	keep=
	# shellcheck source=/dev/null # written by initramfs.sh
	[ -f /etc/rig.env ] && . /etc/rig.env
	for p in ${HOST_KEEP:-}; do
		case $p in /tmp/*|/run/*|/var/tmp/*) [ -d "$H$p" ] && keep="$keep $p" ;; esac
	done
	i=0
	for p in $keep; do
		i=$((i + 1))
		mkdir -p "/mnt/keep$i" && mount --bind "$H$p" "/mnt/keep$i" || return 1
	done
	mount -t tmpfs tmpfs "$H/tmp" || return 1
	mount -t tmpfs tmpfs "$H/run" || return 1
	[ -d "$H/var/tmp" ] && mount -t tmpfs tmpfs "$H/var/tmp"
	i=0
	for p in $keep; do
		i=$((i + 1))
		mkdir -p "$H$p" && mount --bind "/mnt/keep$i" "$H$p" || return 1
	done
	# mdevctl keeps persistent definitions here: a writable copy on tmpfs
	# (it also needs the packaged scripts.d tree, so copy what is there).
	if [ -d "$H/etc/mdevctl.d" ]; then
		rm -rf /run/mdevctl.d.orig
		cp -a "$H/etc/mdevctl.d" /run/mdevctl.d.orig
		mount -t tmpfs tmpfs "$H/etc/mdevctl.d"
		cp -a /run/mdevctl.d.orig/. "$H/etc/mdevctl.d/"
	fi
	mkdir -p "$H/tmp/payload" "$H/tmp/results"
	mount --bind /payload "$H/tmp/payload" || return 1
	[ -d /results ] && mount --bind /results "$H/tmp/results"
	touch "$H/tmp/.mdpy-chroot"
}

if [ "${1:-}" = --setup ]; then
	setup
	exit
fi
[ $# -gt 0 ] || { echo "usage: hostchroot.sh CMD [ARGS...] | --setup" >&2; exit 2; }
setup || exit 1
# The host's environment, not the initramfs's busybox paths.
exec chroot "$H" /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 TERM="${TERM:-dumb}" \
	KVER="${KVER:-}" MDPY_KO=/tmp/payload/mdpy.ko RESULTS=/tmp/results PAYLOAD=/tmp/payload \
	"$@"
