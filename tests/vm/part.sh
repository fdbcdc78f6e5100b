#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# part.sh KVER OUT_DIR PART [SUITE...] - only one part's VM suites on one
# kernel: `run.sh --part PART KVER OUT_DIR [SUITE...]` (see run.sh).
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: part.sh KVER OUT_DIR PART [SUITE...]" >&2; exit 2; }
kver=$1 out=$2 part=$3
shift 3
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --part "$part" "$kver" "$out" "$@"
