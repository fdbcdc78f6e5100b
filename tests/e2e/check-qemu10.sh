#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-qemu10.sh [KVER...] - the QEMU display suite (40-qemu-display) with
# QEMU 10.0 from bookworm-backports as the nested QEMU, on each kernel
# (default: 6.1 6.12). QEMU 10 is downloaded with `apt-get download` and
# unpacked (dpkg-deb -x) under build/cache/qemu10, never installed; it runs
# from there with -L pointing at its own SeaBIOS and data files.
# Results: build/vm/KVER-qemu10/. Last line: "N passed, N failed, N skipped".
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
[ $# -gt 0 ] || set -- 6.1 6.12

say() { echo "[qemu10] $*"; }
die() { echo "[qemu10] error: $*" >&2; exit 1; }

"$TOP/scripts/deps.sh" || exit 1

q10=$("$TOP/tests/vm/fetch-qemu10.sh") || die "could not fetch QEMU 10"
eval "$q10"
QEMU=$QEMU10
DATA=$QEMU10_L
say "$("$QEMU" --version | head -n 1)"

dirs=()
rc=0
for k in "$@"; do
	out=$TOP/build/vm/$k-qemu10
	rm -rf "$out"
	mkdir -p "$out/payload" "$out/host"
	say "kernel $k: build mdpy.ko"
	if ! ko=$("$TOP/tests/vm/build-ko.sh" "$k" 2>"$out/host/build-ko.log"); then
		printf '1..1\nnot ok 1 - build mdpy.ko for %s\n' "$k" >"$out/host/00-host.tap"
		dirs+=("$out")
		rc=1
		continue
	fi
	cp "$ko" "$out/payload/mdpy.ko"
	E2E_QEMU=$QEMU E2E_QEMU_L=$DATA E2E_SUFFIX=-qemu10 \
		"$HERE/vm-payload.sh" "$k" "$out/payload" || die "payload"
	say "kernel $k: boot and run 40-qemu-display-qemu10"
	"$TOP/tests/vm/boot.sh" "$k" "$out/payload" "$out" || rc=1
	dirs+=("$out/results")
done
"$TOP/tests/tap-summary" "${dirs[@]}" || rc=1
exit $rc
