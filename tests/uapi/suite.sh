#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite of one conformance program, installed by tests/uapi/vm-payload.sh
# as /payload/suites/2N-uapi-PROG.sh for each PROG (the name says which):
# runs /payload/bin/uapi-PROG, TAP in $RESULTS/2N-uapi-PROG.tap.  Loads
# mdpy.ko if needed and leaves no instance and no module behind for the
# next suite.
name=$(basename "$0" .sh)
prog=${name#*-uapi-}
out=$RESULTS/$name.tap
if [ ! -d /sys/module/mdpy ] && ! insmod "$MDPY_KO"; then
	printf 'TAP version 13\n1..1\nnot ok 1 %s: insmod %s failed\n' "$name" "$MDPY_KO" >"$out"
	exit 1
fi
echo "uapi: running $prog"
"/payload/bin/uapi-$prog" >"$out" 2>"$RESULTS/$name.stderr"
rc=$?
# 0: all passed, 1: some failed; anything else means the program itself died
# and the plan is short, which a TAP reader must count as a failure.
[ $rc -le 1 ] || echo "Bail out! uapi-$prog exited with status $rc" >>"$out"
echo "uapi: $prog exit status $rc"
for d in /sys/class/mdev_bus/mdpy/mdev_supported_types/*/devices/*; do
	[ -e "$d/remove" ] && echo 1 >"$d/remove"
done
[ -d /sys/module/mdpy ] && rmmod mdpy
exit $rc
