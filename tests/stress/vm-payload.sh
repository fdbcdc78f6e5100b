#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-payload.sh KVER PAYLOAD_DIR - add the stress program to a VM payload
# (tests/vm/README.md): PAYLOAD_DIR/bin/mdpy-stress (static), its arguments
# in PAYLOAD_DIR/stress.args and the suite PAYLOAD_DIR/suites/60-stress.sh
# (tests/stress/suite.sh), which writes $RESULTS/60-stress.tap.
#
# Env at payload build time:
#   MDPY_STRESS=long        the long version (make stress): 1,000,000 random
#                           operations and 1,000 create/remove cycles; the
#                           default is the short one for make check
#   MDPY_STRESS_SEED=N      replay a seed (default: a new one, printed)
#   MDPY_STRESS_ARGS="..."  replace the preset arguments entirely
set -eu
# shellcheck source=tests/vm/payload-head.sh
. "$(dirname "$0")/../vm/payload-head.sh"

make -s -C "$HERE" O="$TOP/build/stress"
install -m 0755 "$TOP/build/stress/mdpy-stress" "$PAYLOAD/bin/mdpy-stress"

case ${MDPY_STRESS:-short} in
long)	args="-o 1000000 -c 1000 -r 10 -t 4 -R 2000" ;;
short)	args="-o 30000 -c 100 -r 2 -t 3 -R 200" ;;
*)	echo "MDPY_STRESS must be short or long" >&2; exit 2 ;;
esac
[ -z "${MDPY_STRESS_ARGS:-}" ] || args=$MDPY_STRESS_ARGS
[ -z "${MDPY_STRESS_SEED:-}" ] || args="$args -s $MDPY_STRESS_SEED"

echo "$args" >"$PAYLOAD/stress.args"
install -m 0755 "$HERE/suite.sh" "$PAYLOAD/suites/60-stress.sh"
