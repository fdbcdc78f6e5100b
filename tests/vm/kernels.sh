#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh [USE] - print the kernel series of tests/vm/kernels that USE
# (check, bench, stress, qemu10, deb12, deb13) takes by default, on one
# line, oldest first; every series with USE "all" (the default).
set -eu

use=${1:-all}
list=$(dirname "$0")/kernels
out=$(awk -v use="$use" '
	/^[ \t]*(#|$)/ { next }
	{
		for (i = 2; i <= NF; i++)
			if ($i == use) { print $1; next }
		if (use == "all") print $1
	}' "$list" | tr '\n' ' ')
[ -n "$out" ] || { echo "kernels.sh: no kernel for '$use' in $list" >&2; exit 1; }
echo "${out% }"
