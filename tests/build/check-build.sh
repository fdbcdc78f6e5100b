#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-build.sh OUT_DIR KVER... - build mdpy.ko and the guest's mdpy-drm.ko
# for each kernel with W=1 and sparse, and run checkpatch --strict; write
# TAP, failing on any compiler, sparse or checkpatch diagnostic.
set -euo pipefail

out=${1:?usage: check-build.sh OUT_DIR KVER...}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
# shellcheck source=tests/vm/tap.sh
. "$top/tests/vm/tap.sh"
tap_open "$out/build.tap"

# build_test NAME LOG COMMAND...: ok when the build succeeds with no
# compiler or sparse diagnostic in its output
build_test() {
	local name=$1 log=$2
	shift 2
	if "$@" > "$log" 2>&1 && ! grep -Ei 'warning|error:' "$log" >/dev/null; then
		# Kbuild skips sparse when it cannot parse the kernel's headers
		# (Debian 12's sparse and 7.x): say so instead of claiming it ran
		if grep -q 'sparse is not available or not up to date' "$log"; then
			tap_ok "${name/_sparse_/_}"
			tap_skip "$name" "sparse cannot parse these kernel headers"
		else
			tap_ok "$name"
		fi
	else
		tap_fail "$name"
		tap_diag "$(grep -Ei 'warning|error' "$log" | head -20)"
	fi
}

for kver in "$@"; do
	echo "[build $kver] W=1 C=2: mdpy.ko, mdpy-drm.ko" >&2
	if ! env=$("$top/tests/vm/fetch.sh" "$kver"); then
		for what in module guest; do
			tap_fail "${what}_builds_clean_w1_sparse_$kver" "kernel headers unavailable"
		done
		continue
	fi
	KMAKE=
	eval "$env"
	# C=2 checks every file, so an unchanged object cannot hide a warning;
	# KMAKE runs make where that kernel's tools work (a chroot for 7.3)
	build_test "module_builds_clean_w1_sparse_$kver" "$out/module-$kver.log" \
		"${KMAKE:-make}" -C "$top" --no-print-directory module KDIR="$KDIR" \
		MODDIR="$top/build/lint-$kver" W=1 C=2
	build_test "guest_builds_clean_w1_sparse_$kver" "$out/guest-$kver.log" \
		make -C "$top" --no-print-directory guest GUEST_KVERS="$kver" \
		GUEST_BUILD="$top/build/lint-guest" GUEST_MAKE_ARGS="W=1 C=2"
done

# kernel/probe.sh on a headers tree that lacks a header it reads must fail
# and name the file: reading "missing" as "feature absent" once built a 6.1
# module that leaked every instance
name=probe_sh_refuses_incomplete_headers
fake=$(mktemp -d)
mkdir -p "$fake/include/linux" "$fake/include/uapi/linux"
for h in linux/mm.h linux/vfio.h linux/eventfd.h uapi/linux/vfio.h; do
	echo "/* $h */" > "$fake/include/$h"
done
if ! "$top/kernel/probe.sh" "$fake" "$fake/all.h" 2>"$fake/err1" || [ ! -s "$fake/all.h" ]; then
	tap_fail "$name" "a complete (if featureless) tree failed: $(head -c 200 "$fake/err1")"
else
	rm "$fake/include/linux/eventfd.h"
	if "$top/kernel/probe.sh" "$fake" "$fake/out.h" 2>"$fake/err2"; then
		tap_fail "$name" "exit status 0 without include/linux/eventfd.h"
	elif [ -e "$fake/out.h" ] || ! grep -q 'include/linux/eventfd.h is missing' "$fake/err2"; then
		tap_fail "$name" "wrote a header, or did not name the file: $(head -c 200 "$fake/err2")"
	else
		tap_ok "$name"
	fi
fi
rm -rf "$fake"

# checkpatch comes from Debian's linux-source package of the oldest kernel
name=checkpatch_strict
if src=$("$top/scripts/linux-source.sh" 6.1); then
	cd "$top"
	# kernel-side code and the core it shares; userspace test programs
	# follow the same style loosely and are not gated
	files=$(git ls-files -- ':(glob)kernel/*.[ch]' ':(glob)core/*.[ch]' ':(glob)include/**/*.h' \
		':(glob)guest/*.[ch]' ':(glob)tests/unit/*.[ch]')
	# shellcheck disable=SC2086 # file list
	if perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse \
		-f $files > "$out/checkpatch.log" 2>&1 &&
	   ! grep -E '(ERROR|WARNING|CHECK):' "$out/checkpatch.log" >/dev/null; then
		tap_ok "$name"
	else
		tap_fail "$name"
		tap_diag "$(grep -E '(ERROR|WARNING|CHECK):' "$out/checkpatch.log" | head -20)"
	fi
else
	tap_fail "$name" "linux-source unavailable"
fi
tap_done || true
