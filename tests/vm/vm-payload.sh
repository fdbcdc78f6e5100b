#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-payload.sh KVER PAYLOAD_DIR - the rig's own part of a VM payload: its
# suites (tests/vm/suites/*.sh) go to PAYLOAD_DIR/suites/.
# Every tests/*/vm-payload.sh has this interface; run.sh runs them all.
set -euo pipefail
# shellcheck source=tests/vm/payload-head.sh
. "$(dirname "$0")/payload-head.sh"
install -m 0755 "$HERE"/suites/*.sh "$PAYLOAD/suites/"
