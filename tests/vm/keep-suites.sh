#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# keep-suites.sh PAYLOAD_DIR PATTERN... - drop every suite of the payload
# whose name (without .sh) matches none of the glob PATTERNs, e.g. "21-*" or
# "72-guest-mdpyfb"; the rig's own 01-rig stays.  Fails if nothing else is
# left, so a mistyped name is not a silent empty run.
set -euo pipefail

PAYLOAD=${1:?usage: keep-suites.sh PAYLOAD_DIR PATTERN...}
shift
kept=0
for s in "$PAYLOAD"/suites/*.sh; do
	name=$(basename "$s" .sh)
	keep=
	for pat in 01-rig "$@"; do
		# shellcheck disable=SC2254 # the patterns are globs on purpose
		case $name in $pat) keep=1 ;; esac
	done
	if [ -z "$keep" ]; then
		rm -f "$s"
	elif [ "$name" != 01-rig ]; then
		kept=$((kept + 1))
	fi
done
[ "$kept" -gt 0 ] || { echo "no suite matches: $*" >&2; exit 1; }
