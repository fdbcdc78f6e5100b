# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Common head of the sanitizer run's suites (busybox sh in the VM), sourced
# by each: the rig's TAP writer, kmemleak's control file, a scan that
# kmemleak believes (scan, wait, scan), and the lockdep state.
# shellcheck source=tests/vm/tap.sh
. "$PAYLOAD/lib/tap.sh"
# shellcheck disable=SC2034 # for the suites that source this
KL=/sys/kernel/debug/kmemleak
# kmemleak reports an object only once it is a few seconds old and was
# unreferenced in more than one scan: scan, wait, scan.
scan() {
	echo scan >"$KL" || return 1
	sleep 10
	echo scan >"$KL"
}
# Number of reported objects in a kmemleak report file.
count() { grep -c "^unreferenced object" "$1" || true; }
lockdep_on() { grep -q "debug_locks: *1" /proc/lockdep_stats 2>/dev/null; }
