#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sanitizer VM suite, after every driver suite: mdpy must be unloaded;
# scans, writes $RESULTS/kmemleak.txt and fails on a leaked object
# allocated by mdpy (or on any leak at all when the boot baseline was
# clean).
# vm-timeout: 900
# shellcheck source=tests/sanitize/suites/lib.sh
. "$PAYLOAD/sanitize/lib.sh"
tap_open "$RESULTS/95-san-kmemleak.tap"
if grep -q '^mdpy ' /proc/modules; then
	tap_fail "mdpy unloaded by the suites" "still loaded; unloading it now"
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/remove" ] && echo 1 >"$d/remove"
	done
	rmmod mdpy
else
	tap_ok "mdpy unloaded by the suites"
fi
if [ ! -w "$KL" ] || ! scan; then
	tap_fail "kmemleak scan after the suites"
	tap_done
	exit 1
fi
cat "$KL" >"$RESULTS/kmemleak.txt"
n=$(count "$RESULTS/kmemleak.txt")
tap_ok "kmemleak scan after the suites: $n new object(s)"
# An object is mdpy's if its backtrace names mdpy or, the module and its
# symbols being gone, has a frame kallsyms can no longer name (a bare
# 0xffffffff... address): mdpy is the only module this run unloads.  Only
# the backtrace counts: the "comm" line names mdpy-stress for objects the
# stress program's syscalls allocated anywhere in the kernel.
m=$(awk '
	/^unreferenced object/ { bt = 0; hit = 0; next }
	/^ *backtrace/ { bt = 1; next }
	bt && !hit && (/mdpy/ || /^ *0xffffffff[0-9a-f]+$/) { n++; hit = 1 }
	END { print n + 0 }' "$RESULTS/kmemleak.txt")
if [ "$m" -eq 0 ]; then
	tap_ok "no leaked object from mdpy"
else
	tap_fail "no leaked object from mdpy" "$m object(s), see kmemleak.txt"
	head -n 60 "$RESULTS/kmemleak.txt" | sed 's/^/# /' | tee -a "$TAP_FILE"
fi
base=$(cat "$RESULTS/kmemleak-baseline.count" 2>/dev/null || echo unknown)
if [ "$base" != 0 ]; then
	tap_skip "no leaked object at all" "boot baseline had $base object(s)"
elif [ "$n" -eq 0 ]; then
	tap_ok "no leaked object at all (clean boot baseline)"
else
	tap_fail "no leaked object at all (clean boot baseline)" "$n object(s)"
fi
# Lockdep switches itself off after its first report (or when its tables
# fill up), so "still on" also says nothing went unchecked.
if lockdep_on; then
	tap_ok "lockdep still on after the suites (debug_locks 1)"
else
	tap_fail "lockdep still on after the suites" "$(grep debug_locks /proc/lockdep_stats 2>&1)"
fi
tap_done
