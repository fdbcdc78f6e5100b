# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The common head of every tests/PART/vm-payload.sh KVER PAYLOAD_DIR
# (tests/vm/README.md, "Payload contract"), sourced first:
#   . "$(dirname "$0")/../vm/payload-head.sh"
# checks the arguments and sets KVER, PAYLOAD, HERE (the part's directory)
# and TOP (the tree), and makes PAYLOAD/bin and PAYLOAD/suites.
# shellcheck disable=SC2034 # KVER and TOP are for the sourcing script

KVER=${1:?usage: vm-payload.sh KVER PAYLOAD_DIR}
PAYLOAD=${2:?usage: vm-payload.sh KVER PAYLOAD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
mkdir -p "$PAYLOAD/bin" "$PAYLOAD/suites"
