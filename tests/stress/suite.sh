#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite of the stress program, installed by tests/stress/vm-payload.sh as
# /payload/suites/60-stress.sh: runs /payload/bin/mdpy-stress with the
# arguments in /payload/stress.args (the short or long preset, or
# MDPY_STRESS_ARGS, plus a seed), TAP in $RESULTS/60-stress.tap.
# shellcheck source=tests/vm/suite.sh
. /payload/lib/suite.sh
args=$(cat "$PAYLOAD/stress.args")
echo "stress: mdpy-stress $args"
# Thousands of create/remove cycles log two info lines each; on a TCG
# serial console that costs more than the test.  Warnings and worse still
# reach the console (and everything reaches dmesg, which the program reads).
level=$(cut -f1 /proc/sys/kernel/printk)
echo 5 >/proc/sys/kernel/printk
# shellcheck disable=SC2086 # args is a list of words
tap_prog /payload/bin/mdpy-stress $args -k "$MDPY_KO"
rc=$?
echo "$level" >/proc/sys/kernel/printk
mdpy_clean || rc=1
exit $rc
