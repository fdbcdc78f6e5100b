#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-payload.sh KVER PAYLOAD_DIR - the rig's own part of a VM payload: its
# suites (tests/vm/suites/*.sh) go to PAYLOAD_DIR/suites/.
# Every tests/*/vm-payload.sh has this interface; run.sh runs them all.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${1:?usage: vm-payload.sh KVER PAYLOAD_DIR}"
PAYLOAD=${2:?usage: vm-payload.sh KVER PAYLOAD_DIR}
mkdir -p "$PAYLOAD/suites" "$PAYLOAD/bin"
install -m 0755 "$HERE"/suites/*.sh "$PAYLOAD/suites/"
