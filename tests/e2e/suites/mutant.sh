#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite of tests/e2e/mutants.sh, installed once per mutant as
# /payload/suites/40-mut-NAME.sh: the display suite against the mutant's
# module /payload/mdpy-NAME.ko, its results in /results/NAME/.  Whether the
# display suite failed there is what mutants.sh judges, so this one always
# exits 0.
name=${0##*/40-mut-}
name=${name%.sh}
mkdir -p "$RESULTS/$name"
MDPY_KO=$PAYLOAD/mdpy-$name.ko RESULTS=$RESULTS/$name sh "$PAYLOAD/e2e/40-qemu-display.sh"
exit 0
