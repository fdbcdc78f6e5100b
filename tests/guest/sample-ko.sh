#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sample-ko.sh KVER - build the kernel's own sample host driver
# (samples/vfio-mdev/mdpy.c from Debian's linux-source package) for the KVER
# kernel, only to check that mdpy-drm also drives it (the ABI contract).
# Prints the path of the module; nothing of the sample enters this tree.
set -euo pipefail

KVER=${1:?usage: sample-ko.sh KVER}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
eval "$("$TOP/tests/vm/fetch.sh" "$KVER")"
src=$("$TOP/scripts/linux-source.sh" "$KVER")/samples/vfio-mdev
out=$TOP/build/guest-sample-$KVER
mkdir -p "$out"
ln -sfn "$src/mdpy.c" "$out/mdpy.c"
ln -sfn "$src/mdpy-defs.h" "$out/mdpy-defs.h"
echo 'obj-m := mdpy.o' >"$out/Kbuild"
make -s -C "$KDIR" M="$out" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2
echo "$out/mdpy.ko"
