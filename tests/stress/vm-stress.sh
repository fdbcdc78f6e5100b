#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-stress.sh KVER OUT_DIR - only the stress suite on one kernel
# (tests/vm/run.sh --part stress).  MDPY_STRESS (short|long) picks the
# version; the VM and suite timeouts are raised to fit a long run under TCG.
# Results: OUT_DIR/results/*.tap, OUT_DIR/console.log.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 2 ] || { echo "usage: vm-stress.sh KVER OUT_DIR" >&2; exit 2; }
if [ "${MDPY_STRESS:-short}" = long ]; then
	export VM_SUITE_TIMEOUT=${VM_SUITE_TIMEOUT:-10800} VM_TIMEOUT=${VM_TIMEOUT:-11400}
fi
exec "$HERE/../vm/run.sh" --part stress "$1" "$2"
