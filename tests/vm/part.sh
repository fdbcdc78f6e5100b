#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# part.sh KVER OUT_DIR PART [SUITE...] - only one part's VM suites on one
# kernel, through the rig's own steps (fetch, build-ko, boot; see check.sh)
# with a payload of mdpy.ko plus tests/PART/vm-payload.sh alone, so a change
# to one part (or a long run of it) does not wait for every other suite.
# SUITE names or globs (e.g. 72-guest-mdpyfb) keep only those.
# Results: OUT_DIR/results/*.tap, OUT_DIR/console.log; the last line is the
# pass/fail summary and the exit status is non-zero if anything failed.
set -euo pipefail

usage() { echo "usage: part.sh KVER OUT_DIR PART [SUITE...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
KVER=$1
PART=$3
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
shift 3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
[ -x "$TOP/tests/$PART/vm-payload.sh" ] || usage

PAYLOAD=$OUT/payload
rm -rf "$PAYLOAD"
mkdir -p "$PAYLOAD/bin" "$PAYLOAD/suites"
"$TOP/tests/vm/fetch.sh" "$KVER" >/dev/null
ko=$("$TOP/tests/vm/build-ko.sh" "$KVER" 2>"$OUT/build-ko.log") || {
	tail -n 20 "$OUT/build-ko.log" >&2
	exit 1
}
cp "$ko" "$PAYLOAD/mdpy.ko"
"$TOP/tests/$PART/vm-payload.sh" "$KVER" "$PAYLOAD"
if [ $# -gt 0 ]; then
	"$TOP/tests/vm/keep-suites.sh" "$PAYLOAD" "$@" || exit 2
fi

rc=0
"$TOP/tests/vm/boot.sh" "$KVER" "$PAYLOAD" "$OUT" || rc=$?
echo "== $PART suites on $KVER ($OUT)"
"$TOP/tests/tap-summary" "$OUT/results" || rc=1
exit $rc
