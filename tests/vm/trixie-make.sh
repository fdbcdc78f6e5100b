#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# trixie-make.sh ARGS... - make, run inside the trixie chroot
# (tests/vm/trixie-chroot.sh), for kernels whose build tools need trixie's
# glibc and gcc-14. fetch.sh prints it as KMAKE= for those kernels.
exec "$(dirname "$0")/trixie-chroot.sh" run make "$@"
