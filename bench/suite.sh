#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite of `make bench` (busybox sh, installed as /payload/suites/50-bench.sh):
# runs mdpy-bench on the sample module, ours and a memfd, leaving
# $RESULTS/bench.json and $RESULTS/bench.txt.  Extra mdpy-bench arguments come
# from /payload/bench.args.  TAP only says whether the benchmark ran; the
# numbers are judged in the table, not as tests.
# shellcheck source=tests/vm/tap.sh
. "$PAYLOAD/lib/tap.sh"
tap_open "$RESULTS/50-bench.tap"

args=$(cat "$PAYLOAD/bench.args" 2>/dev/null)
echo "# THP: anon $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null), shmem $(cat /sys/kernel/mm/transparent_hugepage/shmem_enabled 2>/dev/null)"
# Per-instance driver messages would slow the serial console and skew the
# timings; warnings (level 4) still reach it.
old=$(cut -f1 /proc/sys/kernel/printk)
echo 5 >/proc/sys/kernel/printk

# shellcheck disable=SC2086 # args is a list of words
if mdpy-bench --ours "$MDPY_KO" --sample "$PAYLOAD/mdpy-sample.ko" \
	--kver "$KVER" --json "$RESULTS/bench.json" --table "$RESULTS/bench.txt" $args; then
	tap_ok "mdpy-bench ran"
else
	tap_fail "mdpy-bench ran" "exit $?"
fi
echo "$old" >/proc/sys/kernel/printk
if [ -s "$RESULTS/bench.json" ] && ! grep -q '"note": "error' "$RESULTS/bench.json"; then
	tap_ok "every measurement succeeded"
else
	tap_fail "every measurement succeeded" "see bench.txt"
fi
tap_done
