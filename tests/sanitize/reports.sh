#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reports.sh OUT_DIR - sort the sanitizer kernel's reports of one VM run by
# kind and write them as TAP to OUT_DIR/results/96-san-reports.tap, one test
# per kind with the count in its name, plus one line per kind on stdout.
#
# Reads OUT_DIR/results/dmesg.txt (the whole kernel log, saved by the guest
# at the end) or, if the VM died before saving it, the [stamp]ed kernel lines
# of OUT_DIR/console.log; kmemleak's findings come from the 95-san-kmemleak
# suite's results/kmemleak.txt.  tests/vm/boot.sh already fails the run on
# any of these lines ("kernel log clean"); this tells which sanitizer spoke
# and how often.
set -euo pipefail

OUT=${1:?usage: reports.sh OUT_DIR}
RES=$OUT/results
TAPF=$RES/96-san-reports.tap

if [ -s "$RES/dmesg.txt" ]; then
	src="dmesg.txt"
	log=$(cat "$RES/dmesg.txt")
else
	src="console.log (no dmesg.txt)"
	log=$(grep -aE '^\[ *[0-9]+\.[0-9]+\] ' "$OUT/console.log" 2>/dev/null || true)
fi

# count ERE: report headlines of one kind.
count() { grep -acE "$1" <<<"$log" || true; }

kasan=$(count 'BUG: KASAN:')
# Lockdep's headlines; "is turned off" follows a report or a full table.
lockdep=$(count 'WARNING: (possible (circular|recursive) locking|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning|nested lock)|BUG: (MAX_LOCKDEP|held lock freed|looking up invalid subclass)|INFO: lockdep is turned off')
atomic=$(count 'BUG: (sleeping function called from invalid context|scheduling while atomic|workqueue leaked lock)')
# WARN_ON()s and every other BUG/oops, not counted above.
other=$(grep -aE 'WARNING: CPU:|BUG:|Oops|general protection|Kernel panic|list_(add|del) corruption|refcount_t:' <<<"$log" |
	grep -acvE 'BUG: KASAN:|BUG: (sleeping function|scheduling while atomic|workqueue leaked|MAX_LOCKDEP|held lock freed|looking up invalid)' || true)
if [ -f "$RES/kmemleak.txt" ]; then
	leaks=$(grep -c '^unreferenced object' "$RES/kmemleak.txt" || true)
else
	leaks=missing
fi

n=0
fails=0
tap() { # tap COUNT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2: 0"
	else
		fails=$((fails + 1))
		echo "not ok $n - $2: $1"
	fi
}
{
	echo "# source: $src"
	tap "$kasan" "KASAN reports"
	tap "$lockdep" "lockdep reports"
	tap "$atomic" "sleep-in-atomic reports"
	tap "$other" "other warnings, BUGs and oopses"
	# Judged by 95-san-kmemleak (mdpy's objects, or all if the boot baseline
	# was clean); here only its presence and the number.
	if [ "$leaks" = missing ]; then
		tap missing "kmemleak report after the suites"
	else
		n=$((n + 1))
		echo "ok $n - kmemleak objects after the suites (judged by 95-san-kmemleak): $leaks"
	fi
	echo "1..$n"
} >"$TAPF"
echo "sanitizer reports ($src): KASAN $kasan, lockdep $lockdep, sleep-in-atomic $atomic, other $other, kmemleak $leaks"
[ "$fails" -eq 0 ]
