#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutants.sh [KVER] - prove the QEMU display suite can fail.
#
# Builds mdpy.ko from copies of the committed tree (git archive HEAD), each
# with one deliberate bug, boots one VM (default kernel 6.1) that runs
# 40-qemu-display against every mutant, and reports which mutants the suite
# caught. Nothing in the work tree is modified. Exit 0 only if every mutant
# made the suite fail.
#
#   plane-stride   QUERY_GFX_PLANE reports a wrong stride (plane info)
#   plane-height   QUERY_GFX_PLANE reports one row less (plane info)
#   bar0-pages     BAR0 mmap faults in the neighbouring page (BAR0 mapping)
#   cfg-subsystem  config space has a wrong subsystem ID (config space)
#   cfg-width      vendor capability reports a wrong width (config space)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KVER=${1:-6.1}
WORK=$TOP/build/e2e-mutants/$KVER

# name|file|sed expression (each must change the file)
MUTANTS=(
	'plane-stride|core/device.c|s/plane->stride = type->width \* MDPY_BYTES_PER_PIXEL;/plane->stride = (type->width + 16) * MDPY_BYTES_PER_PIXEL;/'
	'plane-height|core/device.c|s/plane->height = type->height;/plane->height = type->height - 1;/'
	'bar0-pages|kernel/fb.c|s/page = mdpy_fb_page(fb, vmf->pgoff);/page = mdpy_fb_page(fb, vmf->pgoff ^ 1);/'
	'cfg-subsystem|core/config.c|s/MDPY_PCI_SUBSYSTEM_ID);/MDPY_PCI_SUBSYSTEM_ID + 1);/'
	'cfg-width|core/config.c|s/type->width)/type->width + 1)/'
)

say() { echo "[mutants $KVER] $*"; }
die() { say "error: $*" >&2; exit 1; }

rm -rf "$WORK"
# What the rig adds to the e2e part's payload: the mutant modules and one
# suite per mutant.
EXTRA=$WORK/extra
mkdir -p "$EXTRA/suites"

names=()
for m in "${MUTANTS[@]}"; do
	IFS='|' read -r name file expr <<<"$m"
	src=$WORK/$name/src
	mkdir -p "$src"
	git -C "$TOP" archive HEAD | tar -x -C "$src"
	cp "$src/$file" "$src/$file.orig"
	sed -i "$expr" "$src/$file"
	if cmp -s "$src/$file" "$src/$file.orig"; then
		say "$name: the mutation no longer applies to $file (update mutants.sh)"
		continue
	fi
	rm "$src/$file.orig"
	say "$name: build"
	ko=$(MDPY_SRCTOP=$src MDPY_KO_OUT=$WORK/$name/ko \
		"$TOP/tests/vm/build-ko.sh" "$KVER" 2>"$WORK/$name/build.log") ||
		{ say "$name: build failed (see $WORK/$name/build.log)"; continue; }
	cp "$ko" "$EXTRA/mdpy-$name.ko"
	install -m 0755 "$HERE/suites/mutant.sh" "$EXTRA/suites/40-mut-$name.sh"
	names+=("$name")
done
[ ${#names[@]} -gt 0 ] || die "no mutant built"

say "boot with ${#names[@]} mutants"
# Only the mutants' suites run; the display suite itself waits in
# /payload/e2e/ for them.  The mutants may well upset the kernel log, and
# the rig's counts are full of the failures wanted here: they go to a file.
VM_LOG_IGNORE=. "$TOP/tests/vm/run.sh" --part e2e --add "$EXTRA" "$KVER" "$WORK/vm" \
	'40-mut-*' >"$WORK/summary.log" ||
	say "(the VM run reported problems; see $WORK/vm/console.log)"

survivors=0
for name in "${names[@]}"; do
	tap=$WORK/vm/results/$name/40-qemu-display.tap
	if [ ! -s "$tap" ]; then
		say "$name: no TAP (suite did not run?)"
		survivors=$((survivors + 1))
		continue
	fi
	nf=$(grep -c '^not ok' "$tap")
	if [ "$nf" -gt 0 ]; then
		say "$name: caught, $nf failing tests, e.g.: $(grep -m1 '^not ok' "$tap")"
	else
		say "$name: NOT caught ($(grep -c '^ok' "$tap") tests passed)"
		survivors=$((survivors + 1))
	fi
done
[ "$survivors" = 0 ] && say "every mutant was caught"
[ "$survivors" = 0 ]
