#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make run` does: build mdpy.ko for Debian's 6.1 kernel, boot
# a throwaway VM with it, create an mdpy-hd instance there, attach it to a
# nested QEMU (-device vfio-pci,sysfsdev=...,display=on) as a user would,
# draw the test card through the nested guest's view of the device, and save
# QEMU's own screendump as ./mdpy-screenshot.png (in the working directory).
#
# The VM suite is demo/vm/suites/10-demo.sh, added to the e2e part's payload
# (nested.py and the suites' common head) as the only suite to run.
# Env: KVER (default 6.1), DEMO_OUT (default ./mdpy-screenshot.png)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
KVER=${KVER:-6.1}
OUT=${DEMO_OUT:-$PWD/mdpy-screenshot.png}
WORK=$TOP/build/run
T0=$(date +%s.%N)

say() { echo "[run] $*"; }
die() { echo "[run] error: $*" >&2; exit 1; }
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'; }

say "checking packages"
"$TOP/scripts/deps.sh" || exit 1

rm -rf "$WORK/vm"
mkdir -p "$WORK"
# One VM run through the rig (fetch, build, the e2e part's payload with the
# demo suite as the only one, boot); its progress goes to run.log, and what a
# person waits for is passed on.
"$TOP/tests/vm/run.sh" --part e2e --add "$HERE/vm" "$KVER" "$WORK/vm" 10-demo \
	2>&1 >"$WORK/summary.log" |
	tee "$WORK/run.log" |
	while IFS= read -r line; do
		case $line in
		*"] download") say "kernel $KVER: fetching (cached after the first run)" ;;
		*"] download done"*)
			KREL=$(sed -n 's/^KREL=//p' "$WORK/vm/host/fetch.env")
			say "kernel $KREL" ;;
		*"] build") say "building mdpy.ko" ;;
		*"] payload done"*) say "booting a throwaway VM ($KVER under TCG; about a minute)" ;;
		*"waiting for"* | *"got the VM lock"* | *"suite 10-demo rc="* | *"VM exited"* | *FAILED*)
			echo "[run] ${line#\[vm * }" ;;
		esac
	done
run_rc=${PIPESTATUS[0]}
res=$WORK/vm/results
if [ -f "$res/demo.out" ]; then
	grep -v "^QEMU_VERSION=" "$res/demo.out" | sed 's/^/[vm]  /'
fi
png=$res/mdpy-screenshot.png
if [ ! -s "$png" ]; then
	sed 's/^/    /' "$WORK/run.log" >&2
	grep -h '^not ok' "$WORK/vm/host/00-host.tap" "$res/00-rig.tap" 2>/dev/null | sed 's/^/    /' >&2
	die "no screendump came out of the VM (console: $WORK/vm/console.log, host steps: $WORK/vm/host/)"
fi
[ "$run_rc" = 0 ] || say "warning: the VM run reported problems (see $WORK/run.log and $WORK/summary.log)"

cp "$png" "$OUT"
say "checking the screendump on the host"
check=$(python3 "$TOP/tests/e2e/nested.py" compare --type hd "$OUT") ||
	die "the screendump is not the test card: $check"
say "$check"

qv=$(sed -n 's/^QEMU_VERSION=//p' "$res/demo.out")
KREL=$(sed -n 's/^KREL=//p' "$WORK/vm/host/fetch.env")
waited=$(sed -n 's/.*got the VM lock after \(.*\)s$/\1/p' "$WORK/run.log")
[ -z "$waited" ] || waited=", ${waited} s of it waiting for another VM to finish"
secs=$(elapsed)
echo
echo "$OUT"
echo
echo "mdpy.ko was built for Debian's $KREL kernel and loaded in a throwaway" \
	"TCG VM, where an mdpy-hd instance (1920x1080 XRGB8888) was created through" \
	"sysfs and attached to a nested QEMU $qv with" \
	"-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/<uuid>,display=on. Playing" \
	"the nested guest over qtest, the demo found the device by PCI config cycles," \
	"mapped BAR0 and drew the test card into it. The PNG is QEMU's own screendump" \
	"of that display (not a rendering), checked pixel for pixel against the card." \
	"Took ${secs} s in all${waited}." | fmt -w 100
[ "$run_rc" = 0 ]
