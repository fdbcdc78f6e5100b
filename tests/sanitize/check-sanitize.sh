#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-sanitize.sh OUT_DIR - the driver's VM suites on the sanitizer kernel
# (KVER=6.12-san: KASAN, lockdep, kmemleak, atomic-sleep checks; built once
# by build-kernel.sh), failing on any report of any of them.
#
# Suites (SAN_SUITES, globs as for tests/vm/keep-suites.sh, overrides):
#   01-rig 05-smoke           the rig's own checks
#   02-san-baseline           sanitizers on; kmemleak's boot-time baseline
#   20..23-uapi-*             conformance
#   24-uapi-migrate           migration arcs, round trips and the bad
#                             (truncated, corrupted, foreign, garbage) streams
#   26-uapi-mode              resolution attribute and guest mode changes
#   27-uapi-scanout           when the guest uses the display: trapped and
#                             mapped writes, write-protect again at reset
#   40-qemu-display           nested QEMU shows the display
#   41-qemu-modes             the nested guest changes mode
#   46-qemu-migrate*          nested QEMU migrates it (7.2's blocker, and
#                             10.0 live, to a file and back, foreign type)
#   60-stress                 the short stress (make check's)
#   95-san-kmemleak           kmemleak after mdpy is unloaded
# through the one VM runner (tests/vm/run.sh), then reports.sh counts
# KASAN / lockdep / sleep-in-atomic / other reports.
#
# Results: OUT_DIR/host/00-host.tap, OUT_DIR/results/*.tap (kmemleak.txt,
# dmesg.txt, console.log beside them); last line "N passed, N failed, N
# skipped"; exit status non-zero if anything failed.
#
# Everything runs several times slower than on the Debian kernels (KASAN
# and lockdep under TCG), so the suites get VM_SUITE_TIMEOUT=1800 unless set
# and the VM as long as their sum.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: check-sanitize.sh OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
SUITES=${SAN_SUITES:-"02-san-* 05-smoke 2[0-4]-uapi-* 2[67]-uapi-* 40-qemu-display 41-qemu-modes 46-qemu-migrate* 60-stress 95-san-*"}
T0=$(date +%s)

# The run's own suites and their common head, added to the parts' payload
ADD=$OUT/add
rm -rf "$ADD"
mkdir -p "$ADD/suites" "$ADD/sanitize"
install -m 0755 "$HERE"/suites/[0-9]*.sh "$ADD/suites/"
install -m 0644 "$HERE/suites/lib.sh" "$ADD/sanitize/"

export MDPY_STRESS=short
export VM_SUITE_TIMEOUT=${VM_SUITE_TIMEOUT:-1800}
export VM_TIMEOUT_MAX=${VM_TIMEOUT_MAX:-14400}
# KASAN's shadow and kmemleak's metadata come out of the guest's memory.
export VM_MEM=${VM_MEM:-2G}
# 4-level paging: with 5-level paging (QEMU's -cpu max has LA57) one of two
# boots here had KASAN report a wild access in handle_edge_irq during
# cpu_detect, before any module, and that report switches lockdep off.
export VM_APPEND="no5lvl ${VM_APPEND:-}"
run_rc=0
set -f # globs for keep-suites.sh, not for the shell
# shellcheck disable=SC2086 # a list of patterns
"$TOP/tests/vm/run.sh" --part vm --part uapi --part stress --part e2e \
	--add "$ADD" 6.12-san "$OUT" $SUITES || run_rc=$?
set +f

rep_rc=0
"$HERE/reports.sh" "$OUT" || rep_rc=$?
secs=$(($(date +%s) - T0))
echo "$secs" >"$OUT/run.secs"
echo "[sanitize] run took ${secs}s" >&2

echo "== sanitizer kernel results ($OUT)"
sum_rc=0
"$TOP/tests/tap-summary" "$OUT/host" "$OUT/results" || sum_rc=$?
[ "$run_rc" -eq 0 ] && [ "$rep_rc" -eq 0 ] && [ "$sum_rc" -eq 0 ]
