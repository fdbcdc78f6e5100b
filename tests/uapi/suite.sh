#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM suite of one conformance program, installed by tests/uapi/vm-payload.sh
# as /payload/suites/2N-uapi-PROG.sh for each PROG (the name says which):
# runs /payload/bin/uapi-PROG, TAP in $RESULTS/2N-uapi-PROG.tap.  Loads
# mdpy.ko if needed and leaves no instance and no module behind for the
# next suite.
# shellcheck source=tests/vm/suite.sh
. /payload/lib/suite.sh
prog=${name#*-uapi-}
[ -d /sys/module/mdpy ] || insmod "$MDPY_KO" || fail "insmod $MDPY_KO"
echo "uapi: running $prog"
tap_prog "/payload/bin/uapi-$prog" 2>"$RESULTS/$name.stderr"
rc=$?
mdpy_clean || rc=1
exit $rc
