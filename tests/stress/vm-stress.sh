#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-stress.sh KVER OUT_DIR - only the stress suite on one kernel, through
# the VM rig's own steps (fetch, build-ko, boot; see tests/vm/check.sh) but
# with a payload of mdpy.ko and this suite alone, so a long run does not
# repeat every other suite.  MDPY_STRESS (short|long) picks the version;
# the VM and suite timeouts are raised to fit a long run under TCG.
# Results: OUT_DIR/results/*.tap, OUT_DIR/console.log.
set -euo pipefail

KVER=${1:?usage: vm-stress.sh KVER OUT_DIR}
mkdir -p "${2:?usage: vm-stress.sh KVER OUT_DIR}"
OUT=$(cd "$2" && pwd)
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

if [ "${MDPY_STRESS:-short}" = long ]; then
	export VM_SUITE_TIMEOUT=${VM_SUITE_TIMEOUT:-10800} VM_TIMEOUT=${VM_TIMEOUT:-11400}
fi
rc=0
"$TOP/tests/vm/boot.sh" "$KVER" "$PAYLOAD" "$OUT" || rc=$?
echo "== stress on $KVER ($OUT)"
"$TOP/tests/tap-summary" "$OUT/results" || rc=1
exit $rc
