#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sample-ko.sh KVER [mdpy|mdpy-fb] - build the kernel's own samples from
# Debian's linux-source package for the KVER kernel, only to check the ABI
# contract in both directions: the sample host driver (mdpy, the default),
# which mdpy-drm must drive, and the sample guest driver (mdpy-fb), which
# must work on our mdpy.ko.  Both are built in build/guest-sample-KVER;
# prints the path of the one asked for.  Nothing of the samples enters this
# tree.
set -euo pipefail

KVER=${1:?usage: sample-ko.sh KVER [mdpy|mdpy-fb]}
which=${2:-mdpy}
case $which in
mdpy | mdpy-fb) ;;
*) echo "usage: sample-ko.sh KVER [mdpy|mdpy-fb]" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
eval "$("$TOP/tests/vm/fetch.sh" "$KVER")"
src=$("$TOP/scripts/linux-source.sh" "$KVER")/samples/vfio-mdev
out=$TOP/build/guest-sample-$KVER
mkdir -p "$out"
for f in mdpy.c mdpy-fb.c mdpy-defs.h; do
	ln -sfn "$src/$f" "$out/$f"
done
echo 'obj-m := mdpy.o mdpy-fb.o' >"$out/Kbuild"
make -s -C "$KDIR" M="$out" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2
echo "$out/$which.ko"
