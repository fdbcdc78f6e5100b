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
#   40-qemu-display           nested QEMU shows the display
#   60-stress                 the short stress (make check's)
#   95-san-kmemleak           kmemleak after mdpy is unloaded
# then reports.sh counts KASAN / lockdep / sleep-in-atomic / other reports.
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
KVER=6.12-san
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
SUITES=${SAN_SUITES:-"02-san-* 05-smoke 2[0-3]-uapi-* 40-qemu-display 60-stress 95-san-*"}

log() { echo "[sanitize] $*" >&2; }
T0=$(date +%s)

PAYLOAD=$OUT/payload
HOST=$OUT/host
rm -rf "$PAYLOAD" "$HOST"
mkdir -p "$PAYLOAD/bin" "$PAYLOAD/suites" "$HOST"
n=0
fails=0
tap() { # tap OK|FAIL name
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else fails=$((fails + 1)); echo "not ok $n - $2"; fi >>"$HOST/00-host.tap"
}
give_up() {
	echo "1..$n" >>"$HOST/00-host.tap"
	"$TOP/tests/tap-summary" "$HOST" || true
	exit 1
}

# The first run builds the kernel (tens of minutes); later runs reuse it.
log "kernel (build-kernel.sh; the first build takes long)"
if ! "$TOP/tests/vm/fetch.sh" "$KVER" >"$HOST/fetch.env"; then
	tap FAIL "sanitizer kernel built"
	give_up
fi
tap OK "sanitizer kernel built"

if ! ko=$("$TOP/tests/vm/build-ko.sh" "$KVER" 2>"$HOST/build-ko.log"); then
	tail -n 25 "$HOST/build-ko.log" | sed 's/^/    /' >&2
	tap FAIL "build mdpy.ko for $KVER"
	give_up
fi
cp "$ko" "$PAYLOAD/mdpy.ko"
tap OK "build mdpy.ko for $KVER"

# The parts whose suites run here, with make check's settings.
for part in vm uapi stress e2e; do
	if MDPY_STRESS=short "$TOP/tests/$part/vm-payload.sh" "$KVER" "$PAYLOAD" >"$HOST/payload-$part.log" 2>&1; then
		tap OK "payload from tests/$part"
	else
		tap FAIL "payload from tests/$part"
		tail -n 15 "$HOST/payload-$part.log" | sed 's/^/    /' >&2
	fi
done
"$HERE/payload.sh" "$PAYLOAD"
set -f # globs for keep-suites.sh, not for the shell
# shellcheck disable=SC2086 # a list of patterns
"$TOP/tests/vm/keep-suites.sh" "$PAYLOAD" $SUITES
set +f
log "suites: $(cd "$PAYLOAD/suites" && echo *.sh)"

export VM_SUITE_TIMEOUT=${VM_SUITE_TIMEOUT:-1800}
export VM_TIMEOUT_MAX=${VM_TIMEOUT_MAX:-14400}
# KASAN's shadow and kmemleak's metadata come out of the guest's memory.
export VM_MEM=${VM_MEM:-2G}
# 4-level paging: with 5-level paging (QEMU's -cpu max has LA57) one of two
# boots here had KASAN report a wild access in handle_edge_irq during
# cpu_detect, before any module, and that report switches lockdep off.
export VM_APPEND="no5lvl ${VM_APPEND:-}"
boot_rc=0
"$TOP/tests/vm/boot.sh" "$KVER" "$PAYLOAD" "$OUT" || boot_rc=$?
if [ -s "$OUT/results/00-rig.tap" ]; then
	tap OK "boot.sh ran (status $boot_rc)"
else
	tap FAIL "boot.sh ran (status $boot_rc, no results/00-rig.tap)"
fi
echo "1..$n" >>"$HOST/00-host.tap"

rep_rc=0
"$HERE/reports.sh" "$OUT" || rep_rc=$?
secs=$(($(date +%s) - T0))
echo "$secs" >"$OUT/run.secs"
log "run took ${secs}s"

echo "== sanitizer kernel results ($OUT)"
sum_rc=0
"$TOP/tests/tap-summary" "$HOST" "$OUT/results" || sum_rc=$?
[ "$boot_rc" -eq 0 ] && [ "$rep_rc" -eq 0 ] && [ "$sum_rc" -eq 0 ] && [ "$fails" -eq 0 ]
