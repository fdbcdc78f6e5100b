#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-ko.sh KVER - build mdpy.ko against the cached KVER kernel.
#
# Each kernel gets its own build dir (build/kver-KVER/src) through the top
# Makefile's `make module KDIR=... MODDIR=...`. Result: build/kver-KVER/mdpy.ko (also printed on stdout).
#
# Env: MDPY_SRCTOP   tree to build (default: this repo)
#      MDPY_KO_OUT   output dir (default: build/kver-KVER of this repo)
#      KO_MAKE_ARGS  extra make arguments (e.g. "C=2 W=1")
set -euo pipefail

KVER=${1:?usage: build-ko.sh KVER}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# Absolute paths: cp -rs makes absolute links only from absolute sources.
SRCTOP=$(cd "${MDPY_SRCTOP:-$TOP}" && pwd)
OUTD=${MDPY_KO_OUT:-$TOP/build/kver-$KVER}
mkdir -p "$OUTD"
OUTD=$(cd "$OUTD" && pwd)

log() { echo "[vm $KVER] $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -f "$SRCTOP/Kbuild" ] || die "no $SRCTOP/Kbuild"
eval "$("$HERE/fetch.sh" "$KVER")"
: "${KDIR:?}"

# The top Makefile's `module` target mirrors the sources into MODDIR as
# per-file symlinks and runs Kbuild there, so kernels never share objects.
log "build mdpy.ko against $KREL"
# KMAKE (fetch.sh, 7.3): make inside the chroot where that kernel's tools run.
# shellcheck disable=SC2086 # KO_MAKE_ARGS is a list of make words
"${KMAKE:-make}" -C "$SRCTOP" --no-print-directory module KDIR="$KDIR" \
	MODDIR="$OUTD/src" ${KO_MAKE_ARGS:-} >&2 || die "module build failed"

ko=$OUTD/src/mdpy.ko
[ -f "$ko" ] || die "build made no mdpy.ko"
cp "$ko" "$OUTD/mdpy.ko"
# Sanity: the module must be for this kernel, not the host's.
vm=$(modinfo -F vermagic "$OUTD/mdpy.ko" | cut -d' ' -f1)
[ "$vm" = "$KREL" ] || die "mdpy.ko vermagic '$vm' != '$KREL'"
log "built $OUTD/mdpy.ko"
echo "$OUTD/mdpy.ko"
