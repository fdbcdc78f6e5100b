#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-guest.sh KVER OUT_DIR [SUITE...] - only the L2 guest suites on one
# kernel (tests/vm/run.sh --part guest), so a guest-driver change does not
# wait for every other suite.  SUITE names (e.g. 72-guest-mdpyfb) keep only those;
# GUEST_INTEROP / GUEST_MDPYFB / GUEST_L2_TYPE / GUEST_QEMU work as in
# vm-payload.sh; GUEST_SUITES is 1 here, so 7.3 runs them too (under
# QEMU 7.2 unless GUEST_QEMU11=1).
# Results: OUT_DIR/results/*.tap (screendump PNGs in
# OUT_DIR/results/NN-name/), OUT_DIR/console.log.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 2 ] || { echo "usage: vm-guest.sh KVER OUT_DIR [SUITE...]" >&2; exit 2; }
kver=$1 out=$2
shift 2
export GUEST_SUITES=${GUEST_SUITES:-1}
exec "$HERE/../vm/run.sh" --part guest "$kver" "$out" "$@"
