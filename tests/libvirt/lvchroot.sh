#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lvchroot.sh CMD [ARGS...] - in the test VM, inside the host-root chroot
# (/payload/lib/hostchroot.sh): run CMD in the trixie root
# (tests/vm/trixie-chroot.sh, LIBVIRT_ROOT of /tmp/payload/libvirt/env),
# whose libvirt (11.3) and QEMU (11.1) suite 60-libvirt uses on 7.3.
# virsh_test.py --chroot runs virtlogd, libvirtd and virsh through this.
#
# The trixie root is read-only 9p here, like the host root. The first call
# binds the host root's /dev, /proc, /sys, /tmp, /run and /var, and
# /etc/libvirt, over the trixie root's own, so both roots see the same
# files: the domain XML and save files in /tmp, libvirt's sockets and
# QEMU's serial socket in /run, QEMU's log in /var.  virsh_test.py has
# mounted the writable /var and /etc/libvirt (tmpfs, its own config) before
# it starts the first daemon, so they must exist by then.  The L2 guest's
# directory (LIBVIRT_L2, in this tree) is bound at its own path
# (vm-payload.sh made the mount point), and /etc/mdevctl.d gets an empty
# tmpfs (mdevctl's definitions; the trixie root's is read-only).
# The command replaces this shell (exec), so its pid is the daemon's.
set -eu
# shellcheck source=/dev/null # written by tests/libvirt/vm-payload.sh
. "${PAYLOAD:-/tmp/payload}/libvirt/env"
R=${LIBVIRT_ROOT:?no LIBVIRT_ROOT in the libvirt env}

setup() {
	[ -e /run/.mdpy-lvchroot ] && return 0
	for d in dev proc sys tmp run var etc/libvirt; do
		mount --rbind "/$d" "$R/$d" || return 1
	done
	mount --bind "$LIBVIRT_L2" "$R$LIBVIRT_L2" || return 1
	mount -t tmpfs tmpfs "$R/etc/mdevctl.d" || return 1
	touch /run/.mdpy-lvchroot
}

[ $# -gt 0 ] || { echo "usage: lvchroot.sh CMD [ARGS...]" >&2; exit 2; }
setup || { echo "lvchroot: cannot set up the trixie root $R" >&2; exit 1; }
exec chroot "$R" /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 \
	LIBVIRT_LOG_OUTPUTS="${LIBVIRT_LOG_OUTPUTS:-}" \
	LIBVIRT_LOG_FILTERS="${LIBVIRT_LOG_FILTERS:-}" \
	"$@"
