#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-qemu10.sh [KVER...] - the QEMU display suite (40-qemu-display) with
# QEMU 10.0 from bookworm-backports as the nested QEMU, on each kernel
# (default: tests/vm/kernels.sh qemu10), through `tests/vm/run.sh --qemu10 --part e2e`.
# QEMU 10 is downloaded with `apt-get download` and unpacked (dpkg-deb -x)
# under build/cache/qemu10, never installed; it runs from there with -L
# pointing at its own SeaBIOS and data files.
# Results: build/vm/KVER-qemu10/. Last line: "N passed, N failed, N skipped".
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck disable=SC2046 # a list of kernel series
[ $# -gt 0 ] || set -- $("$TOP/tests/vm/kernels.sh" qemu10)

"$TOP/scripts/deps.sh" || exit 1

dirs=()
rc=0
for k in "$@"; do
	out=$TOP/build/vm/$k-qemu10
	echo "[qemu10] kernel $k: 40-qemu-display-qemu10"
	"$TOP/tests/vm/run.sh" --qemu10 --part e2e "$k" "$out" >/dev/null || rc=1
	dirs+=("$out")
done
"$TOP/tests/tap-summary" "${dirs[@]}" || rc=1
exit $rc
