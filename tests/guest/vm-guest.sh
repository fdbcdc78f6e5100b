#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-guest.sh KVER OUT_DIR [SUITE...] - only the L2 guest suites on one
# kernel, through the VM rig's own steps (fetch, build-ko, boot; see
# tests/vm/check.sh) with a payload of mdpy.ko and this part's suites, so
# a guest-driver change does not wait for every other suite.  SUITE names
# (e.g. 72-guest-mdpyfb) keep only those; GUEST_INTEROP / GUEST_MDPYFB /
# GUEST_L2_TYPE work as in vm-payload.sh.
# Results: OUT_DIR/results/*.tap (screendump PNGs in
# OUT_DIR/results/NN-name/), OUT_DIR/console.log.
set -euo pipefail

KVER=${1:?usage: vm-guest.sh KVER OUT_DIR [SUITE...]}
mkdir -p "${2:?usage: vm-guest.sh KVER OUT_DIR [SUITE...]}"
OUT=$(cd "$2" && pwd)
shift 2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

PAYLOAD=$OUT/payload
rm -rf "$PAYLOAD"
mkdir -p "$PAYLOAD/bin" "$PAYLOAD/suites"
"$TOP/tests/vm/fetch.sh" "$KVER" >/dev/null
ko=$("$TOP/tests/vm/build-ko.sh" "$KVER" 2>"$OUT/build-ko.log") || {
	tail -n 20 "$OUT/build-ko.log" >&2
	exit 1
}
cp "$ko" "$PAYLOAD/mdpy.ko"
"$HERE/vm-payload.sh" "$KVER" "$PAYLOAD"
if [ $# -gt 0 ]; then
	for s in "$PAYLOAD"/suites/*.sh; do
		keep=
		for want in "$@"; do
			[ "$(basename "$s" .sh)" = "$want" ] && keep=1
		done
		[ -n "$keep" ] || rm -f "$s"
	done
	[ -n "$(ls "$PAYLOAD/suites")" ] || {
		echo "no such guest suite: $*" >&2
		exit 2
	}
fi

rc=0
"$TOP/tests/vm/boot.sh" "$KVER" "$PAYLOAD" "$OUT" || rc=$?
echo "== guest suites on $KVER ($OUT)"
"$TOP/tests/tap-summary" "$OUT/results" || rc=1
exit $rc
