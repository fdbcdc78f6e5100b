#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sanitizer VM suite, before mdpy.ko is ever loaded: checks that KASAN,
# lockdep and kmemleak are on, saves what kmemleak finds from boot alone
# and then clears it, so the final scan reports only what came later.
# vm-timeout: 900
# shellcheck source=tests/sanitize/suites/lib.sh
. "$PAYLOAD/sanitize/lib.sh"
tap_open "$RESULTS/02-san-baseline.tap"
if dmesg | grep -q "KernelAddressSanitizer initialized"; then
	tap_ok "KASAN is on"
else
	tap_fail "KASAN is on" "no init line in dmesg"
fi
if lockdep_on; then
	tap_ok "lockdep is on (debug_locks 1)"
else
	tap_fail "lockdep is on" "$(grep debug_locks /proc/lockdep_stats 2>&1)"
fi
if [ ! -w "$KL" ]; then
	tap_fail "kmemleak is on" "no writable $KL"
	tap_done
	exit 1
fi
tap_ok "kmemleak is on"
if grep -q '^mdpy ' /proc/modules; then
	tap_fail "mdpy not loaded before the baseline"
else
	tap_ok "mdpy not loaded before the baseline"
fi
t0=$(cut -d' ' -f1 /proc/uptime)
if scan; then
	cat "$KL" >"$RESULTS/kmemleak-baseline.txt"
	n=$(count "$RESULTS/kmemleak-baseline.txt")
	echo "$n" >"$RESULTS/kmemleak-baseline.count"
	secs=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f", b - a }')
	tap_ok "baseline kmemleak scan: $n object(s) from boot (${secs}s)"
	# Marks everything reported so far as seen: later scans list new leaks only.
	echo clear >"$KL"
else
	tap_fail "baseline kmemleak scan"
fi
tap_done
