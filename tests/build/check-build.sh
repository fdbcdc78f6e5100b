#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-build.sh OUT_DIR KVER... - build mdpy.ko for each kernel with W=1
# and sparse (C=1), and write TAP: one test per kernel that fails on any
# compiler or sparse diagnostic.
set -euo pipefail

out=${1:?usage: check-build.sh OUT_DIR KVER...}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
tap=$out/build.tap
echo "TAP version 13" > "$tap"
echo "1..$(($# + 1))" >> "$tap"

n=0
for kver in "$@"; do
	n=$((n + 1))
	name="module_builds_clean_w1_sparse_$kver"
	echo "[build $kver] W=1 C=1" >&2
	log=$out/build-$kver.log
	if ! env=$("$top/tests/vm/fetch.sh" "$kver"); then
		echo "not ok $n $name # kernel headers unavailable" >> "$tap"
		continue
	fi
	eval "$env"
	# C=2 checks every file, so an unchanged object cannot hide a warning
	if make -C "$top" --no-print-directory module KDIR="$KDIR" \
		MODDIR="$top/build/lint-$kver" W=1 C=2 > "$log" 2>&1 &&
	   ! grep -Ei 'warning|error:' "$log" >/dev/null; then
		echo "ok $n $name" >> "$tap"
	else
		echo "not ok $n $name" >> "$tap"
		grep -Ei 'warning|error' "$log" | sed 's/^/# /' | head -20 >> "$tap"
	fi
done
# checkpatch comes from Debian's linux-source package of the oldest kernel
n=$((n + 1))
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
		echo "ok $n $name" >> "$tap"
	else
		echo "not ok $n $name" >> "$tap"
		grep -E '(ERROR|WARNING|CHECK):' "$out/checkpatch.log" | sed 's/^/# /' | head -20 >> "$tap"
	fi
else
	echo "not ok $n $name # linux-source unavailable" >> "$tap"
fi
cat "$tap"
